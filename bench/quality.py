"""How well the pairing helps people, on labelled groups, and what the help model costs.

Quality (adapted from ../shared/quality/measure.py, measuring the same things): each group is a
member CSV (name,email,headline,needs,offers) and a labels file, each label saying "HELPER can
really help HELPED with NEED". The group is imported into a scratch SQLite database through the
project's own command line, everyone attends one lunch, `flask pair EVENT --json` seats them,
and the script prints:
  helped    share of the helpable members who sit with someone who can help them (labels)
  best      the same share for the best pairing computed on the labels themselves
  random    the same for random pairing (mean of 2000 shuffles)
  ratio     helped / best: the figure to raise (goal >= 0.80)
  shown     links members are shown (the structured "help" entries with "shown": true) that
            name a labelled (helper, helped, need), over all shown links (goal >= 85%)
The dev group (bench/data/group-c, copied from ../shared/quality) is the one the model was
looked at with; groups under bench/heldout/ were written by someone who did not read the model.

Scale (--scale 2000 5000): bench/door.py's two kinds of data scored and seated in memory by the
product's computation (organizer.pairing.compute.in_process), a child process per size: the
scoring time, the whole (scoring and solve) against the time limit, and the peak memory against
issue 16's goals (1 GB at 2,000 attendees, 2.5 GB at 5,000).

Speed: scoring N attendees (default 2,000) whose needs and offers repeat a handful of topics,
with the help model and with the reference (the character n-gram TF-IDF scorer alone, what the
model replaced), side by side in the same run; the goal is at most 1.5x the reference.

    .venv/bin/python bench/quality.py [--group PREFIX ...] [--speed N] [--no-quality]
    .venv/bin/python bench/quality.py --scale 2000 5000 [--scale-data few-topics spread] [--time-limit 20]
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import os
import pathlib
import random
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def run_flask(env, *args):
    r = subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], env=env, capture_output=True,
                       text=True, cwd=ROOT)
    if r.returncode:
        sys.exit(f"flask {' '.join(args[:2])} failed: {(r.stderr or r.stdout).strip().splitlines()[-3:]}")
    return r.stdout


def best_pairs(people, weight):
    import networkx as nx

    g = nx.Graph()
    g.add_weighted_edges_from((a, b, weight(a, b)) for a, b in itertools.combinations(people, 2) if weight(a, b))
    return [list(p) for p in nx.max_weight_matching(g)]


def measure(prefix: pathlib.Path) -> dict:
    csv_path, labels_path = prefix.with_name(prefix.name + ".csv"), prefix.with_name(prefix.name + "-labels.json")
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="quality-"))
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp}/q.db", SECRET_KEY="quality",
               GIVEFIRST_INSTANCE_PATH=str(tmp))
    env.pop("TEST_DATABASE_URL", None)
    run_flask(env, "db", "upgrade")
    run_flask(env, "create-group", "circle", "Career Circle", "--organizer-email", "organizer@example.org")
    run_flask(env, "import-members", "circle", str(csv_path))
    out = run_flask(env, "create-event", "circle", "Lunch", "--starts-at", "2030-06-03T12:00", "--all-members-attending")
    event = [w for w in out.split() if w.isdigit()][-1]
    pairing = json.loads(run_flask(env, "pair", event, "--json"))

    rows = list(csv.DictReader(open(csv_path, newline="", encoding="utf-8")))
    people = [r["email"] for r in rows]
    labels = json.load(open(labels_path, encoding="utf-8"))
    helps = {(x["helper"], x["helped"]) for x in labels}
    links = {(x["helper"], x["helped"], x["need"].strip().lower()) for x in labels}
    helpable = {d for _, d in helps}

    def share(groups):
        got = {p for g in groups for p in g for q in g if p != q and (q, p) in helps}
        return len(got & helpable) / len(helpable)

    tables = pairing["rounds"][0]
    helped = share([[m["email"] for m in t["members"]] for t in tables])
    best = share(best_pairs(people, lambda p, q: ((p, q) in helps) + ((q, p) in helps)))
    rng = random.Random(7)
    shuffles = []
    for _ in range(2000):
        p = people[:]
        rng.shuffle(p)
        shuffles.append(share([p[i:i + 2] for i in range(0, len(p), 2)]))
    shown = [(x["helper"], x["helped"], x["need"].strip().lower()) for t in tables for x in t["help"] if x["shown"]]
    wrong = [f"{h} -> {d}: {n}" for h, d, n in shown if (h, d, n) not in links]
    return {"group": prefix.name, "members": len(people), "helpable": len(helpable), "helped": helped, "best": best,
            "random": statistics.mean(shuffles), "ratio": helped / best, "shown_right": len(shown) - len(wrong),
            "shown": len(shown), "wrong": wrong}


def speed(n: int, repeat: int = 5) -> dict:
    """Scoring time on two families: needs and offers that repeat a handful of topics in members'
    own words (below), and bench/matching.py's "realistic" attendees."""
    from organizer.matching import Attendee, Need, Offer, Options, scoring

    topics = [("Money for a second truck, the banks keep saying no", "Happy to look over any business plan"),
              ("A health plan that doesn't eat half my income", "Free review of your life insurance"),
              ("Clients for my tax practice", "I can explain your tax return"),
              ("Showing up on Google when people search near me", "A free audit of how you show up on Google"),
              ("A resume. Last one I wrote was in 1998", "Editing your resume so it sounds human"),
              ("The furnace bangs every time it kicks on", "Free furnace safety check before winter"),
              ("Someone to walk my dogs on long days", "I walk the neighbours' dogs"),
              ("Data engineering roles, Spark and Airflow", "I can script away your weekly Excel work")]
    headlines = ["Small-business lender", "Independent insurance agent", "CPA, own practice", "SEO specialist",
                 "HR manager", "HVAC tech", "Veterinarian", "Data engineer"]
    rng = random.Random(1)
    topical = [Attendee(i, f"P{i}", needs=[Need(f"{rng.choice(topics)[0]} {rng.randrange(50)}", id=i * 10 + k) for k in range(3)],
                        offers=[Offer(f"{rng.choice(topics)[1]} {rng.randrange(50)}", id=i * 10 + k) for k in range(2)],
                        headline=rng.choice(headlines)) for i in range(n)]
    import numpy as np

    from bench.matching import realistic_attendees
    families = {"topics in members' words": topical, "bench/matching.py realistic": realistic_attendees(n, np.random.default_rng(0))}
    options = Options()
    start = time.perf_counter()
    scoring.default_lexicon.cache_clear()
    scoring.default_lexicon()
    lexicon_s = time.perf_counter() - start

    def reference(people):  # what the help model replaced: character n-gram TF-IDF on every need
        needs = tuple((k, nd) for k, a in enumerate(people) for nd in a.needs)
        offers = tuple((k, o) for k, a in enumerate(people) for o in a.offers)
        scoring._text_links(people, needs, offers, options, np.ones(len(needs), dtype=bool))

    def model(people):
        scoring.default_lexicon().readings.clear()  # every need is read again
        scoring.score(people, options)

    out = {"attendees": n, "lexicon_load_s": lexicon_s, "families": {}}
    for family, people in families.items():
        times = {"reference": [], "model": []}
        for _ in range(repeat):  # interleaved, so load on the machine hits both alike
            for name, fn in (("reference", reference), ("model", model)):
                start = time.perf_counter()
                fn(people)
                times[name].append(time.perf_counter() - start)
        ref, mod = statistics.median(times["reference"]), statistics.median(times["model"])
        out["families"][family] = {"reference_s": ref, "model_s": mod, "ratio": mod / ref}
    return out


SCALE_MEMORY_GOAL_MB = {2000: 1024, 5000: 2560}  # issue 16: the whole solve, scoring included


def scale_child(n: int, kind: str, time_limit: float) -> dict:
    """In a process of its own: score and seat N attendees of bench/door.py's data (``kind``),
    the whole solve within ``time_limit``; the time of each part and the peak memory."""
    import resource

    from bench.door import DATA_KINDS
    from organizer.matching import Attendee, Need, Offer, Options, Problem, score, violations

    rng = random.Random(1)
    weight = {"high": 2.0, "normal": 1.0, "low": 0.5}
    people, ids = [], iter(range(1, 10**9))
    for i in range(n):
        needs = [Need(text.capitalize(), (tag,), weight[rng.choice(list(weight))], id=next(ids))
                 for text, _, tag in rng.sample(DATA_KINDS[kind], 3)]
        offers = [Offer(text.capitalize(), (tag,), id=next(ids)) for _, text, tag in rng.sample(DATA_KINDS[kind], 3)]
        people.append(Attendee(i + 1, f"Member {i}", tuple(needs), tuple(offers)))
    score(people[:20])  # the lexicon, read once per process
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    problem = Problem(attendees=tuple(people), options=Options(time_limit_s=time_limit))
    start = time.perf_counter()
    scores = score(people, problem.options)
    scored = time.perf_counter()
    kept = scores.kept is not None
    del scores
    from organizer.pairing.compute import in_process  # the product's computation: the solve gets what scoring left

    result = in_process(problem)
    pairing, broken = result.pairing, result.broken
    done = time.perf_counter()
    return {"attendees": n, "data": kind, "score_s": scored - start, "whole_s": done - scored,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "base_mb": base,
            "kept_links": kept, "status": pairing.status, "gap": pairing.gap, "broken": len(broken),
            "violations": len(violations(problem, pairing))}


def scale(sizes: list[int], kinds: list[str], time_limit: float) -> None:
    print(f"scoring and seating at scale (bench/door.py's data, in memory; a child process each; "
          f"time limit {time_limit:g} s; load average {os.getloadavg()[0]:.2f}):")
    print(f"{'attendees':>9} {'data':>10} {'score s':>8} {'score+solve s':>14} {'peak MB':>8} {'goal MB':>8} {'status':>10}")
    for n in sizes:
        for kind in kinds:
            done = subprocess.run([sys.executable, __file__, "--scale-child", str(n), kind, str(time_limit)],
                                  capture_output=True, text=True, cwd=ROOT)
            if done.returncode:
                print(f"{n:>9} {kind:>10} failed: {(done.stderr.strip().splitlines() or ['?'])[-1][:100]}")
                continue
            r = json.loads(done.stdout.strip().splitlines()[-1])
            goal = SCALE_MEMORY_GOAL_MB.get(n, SCALE_MEMORY_GOAL_MB[5000])
            within = r["whole_s"] <= time_limit * 1.1
            print(f"{n:>9} {kind:>10} {r['score_s']:>8.2f} {r['whole_s']:>14.2f} {r['peak_mb']:>8.0f} {goal:>8} "
                  f"{r['status']:>10}  within the limit: {'yes' if within else 'NO'}, memory: "
                  f"{'met' if r['peak_mb'] <= goal else 'NOT met'}")


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "--scale-child":
        print(json.dumps(scale_child(int(sys.argv[2]), sys.argv[3], float(sys.argv[4]))))
        return
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--group", action="append", help="path prefix of GROUP.csv and GROUP-labels.json (repeatable)")
    ap.add_argument("--speed", type=int, default=2000, help="attendees for the scoring time (0: skip)")
    ap.add_argument("--no-quality", action="store_true")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--scale", type=int, nargs="*", default=None,
                    help="score and seat this many attendees (e.g. 2000 5000): time and peak memory, and nothing else")
    ap.add_argument("--scale-data", nargs="+", default=["few-topics", "spread"])
    ap.add_argument("--time-limit", type=float, default=20.0)
    a = ap.parse_args()
    if a.scale is not None:
        scale(a.scale or [2000, 5000], a.scale_data, a.time_limit)
        return
    groups = [pathlib.Path(g) for g in a.group] if a.group else sorted(
        {p.with_name(p.name[:-4]) for d in (ROOT / "bench" / "data", ROOT / "bench" / "heldout") if d.exists()
         for p in d.glob("*.csv")})
    results = {"quality": [] if a.no_quality else [measure(g) for g in groups],
               "speed": speed(a.speed) if a.speed else None}
    if a.json:
        print(json.dumps(results))
        return
    if results["quality"]:
        print(f"{'group':10} {'members':>7} {'helpable':>8} {'helped':>7} {'best':>5} {'random':>6} {'ratio':>6} {'shown right':>12}")
        for r in results["quality"]:
            print(f"{r['group']:10} {r['members']:7d} {r['helpable']:8d} {r['helped']:7.0%} {r['best']:5.0%} "
                  f"{r['random']:6.0%} {r['ratio']:6.2f} {r['shown_right']:5d}/{r['shown']:<3d} ({r['shown_right'] / max(1, r['shown']):.0%})")
        for r in results["quality"]:
            for w in r["wrong"]:
                print(f"  {r['group']}: shown but not in the labels: {w}")
        print("goals: ratio >= 0.80, shown right >= 85%")
    if results["speed"]:
        s = results["speed"]
        print(f"scoring {s['attendees']} attendees, medians of 5 (the lexicon loads once per process: {s['lexicon_load_s']:.2f} s)")
        for family, f in s["families"].items():
            print(f"  {family:30} help model {f['model_s']:.2f} s, reference (n-gram TF-IDF only) "
                  f"{f['reference_s']:.2f} s, ratio {f['ratio']:.2f} (goal <= 1.5)")


if __name__ == "__main__":
    main()
