"""The "401-attendee case" through the product's own commands (issue 16): time and peak memory.

Builds, in a fresh SQLite database, only with ``flask`` commands: the demo group
(``seed-demo``), N imported members (``import-members``, a CSV whose needs and offers repeat
8 short topics, 1 or 2 of each per member), an event everyone of the group answers yes to
(``create-event --all-members-attending``, so demo members plus imported ones, N + the demo's
members in all; the default N = 380 gives the issue's 401 attendees, an odd count), then
times ``flask --app app pair EVENT --source going --json`` in a child process and reads its
peak memory (``ru_maxrss`` of that child).  Goals: the whole command within the time limit
(``PAIRING_TIME_LIMIT_S``, 20 s by default, plus the process's start) and under 1 GB.

    .venv/bin/python bench/pair_command.py [--members 380] [--time-limit 20] [--repeat 3]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOPICS = ["a job in marketing", "resume review", "interview practice", "networking", "LinkedIn profile",
          "salary negotiation", "starting a business", "career change"]
DEMO_SLUG = "oakville-connectors"
MEMORY_GOAL_MB = 1024


def flask(env, *args, check=True):
    done = subprocess.run([str(ROOT / ".venv/bin/flask"), "--app", "app", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    if check and done.returncode != 0:
        raise SystemExit(f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done


def members_csv(path: Path, n: int, seed: int) -> None:
    rng = random.Random(seed)
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["name", "email", "needs", "offers"])
        for k in range(n):
            writer.writerow([f"Imported Member {k}", f"imported{k}@bench.example",
                             "; ".join(rng.sample(TOPICS, rng.randint(1, 2))),
                             "; ".join(rng.sample(TOPICS, rng.randint(1, 2)))])


def build(env, workdir: Path, members: int, seed: int) -> int:
    flask(env, "db", "upgrade")
    flask(env, "seed-demo", "--force")
    members_csv(workdir / "members.csv", members, seed)
    flask(env, "import-members", DEMO_SLUG, str(workdir / "members.csv"))
    out = flask(env, "create-event", DEMO_SLUG, "Big lunch", "--starts-at", "2031-06-02T12:00",
                "--all-members-attending").stdout
    return int(next(word for word in out.split() if word.isdigit()))


def pair_once(env, event_id: int) -> dict:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    done = flask(env, "pair", str(event_id), "--source", "going", "--json", check=False)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    if done.returncode != 0:
        return {"error": (done.stderr.strip().splitlines() or ["?"])[-1][:120], "seconds": seconds}
    document = json.loads(done.stdout)
    tables = document["rounds"][0]
    return {"seconds": seconds, "peak_mb": peak_mb, "peak_is_this_run": peak_mb * 1024 > before,
            "attendees": sum(len(t["members"]) for t in tables), "trios": sum(len(t["members"]) == 3 for t in tables),
            "proven": bool(document["proven_optimal"])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=380, help="imported members (the demo adds its own)")
    parser.add_argument("--time-limit", type=float, default=20.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=401)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="givefirst-pair-"))
    env = {**os.environ, "GIVEFIRST_ENV": "development", "GIVEFIRST_INSTANCE_PATH": str(workdir),
           "DATABASE_URL": f"sqlite:///{workdir}/bench.sqlite3", "PAIRING_TIME_LIMIT_S": str(args.time_limit)}
    env.pop("TEST_DATABASE_URL", None)
    event_id = build(env, workdir, args.members, args.seed)
    flask(env, "--help")  # warm the disk cache of the imports: the runs time the command, not the first read
    runs = [pair_once(env, event_id) for _ in range(args.repeat)]
    failed = [r for r in runs if "error" in r]
    if failed:
        print(f"flask pair failed: {failed[0]['error']}")
        sys.exit(1)
    seconds = statistics.median(r["seconds"] for r in runs)
    peak = max(r["peak_mb"] for r in runs)
    first = runs[0]
    print(f"flask pair EVENT --source going: {first['attendees']} attendees ({first['trios']} trio), "
          f"time limit {args.time_limit:g} s, median of {args.repeat} runs")
    print(f"{'command s':>10} {'limit s':>8} {'peak MB':>8} {'goal MB':>8} {'proven':>7}")
    print(f"{seconds:>10.2f} {args.time_limit:>8.1f} {peak:>8.0f} {MEMORY_GOAL_MB:>8} {str(all(r['proven'] for r in runs)):>7}")
    within = seconds <= args.time_limit * 1.1 + 3.0  # the limit plus 10%, plus the command's start (imports, app)
    print(f"within the time limit: {'yes' if within else 'NO'}; under 1 GB: {'yes' if peak < MEMORY_GOAL_MB else 'NO'}")


if __name__ == "__main__":
    main()
