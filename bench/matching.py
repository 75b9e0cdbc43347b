"""Benchmark of the matching engine: scoring and exact solving, against networkx and rustworkx.

    .venv/bin/python bench/matching.py                 # N = 20 ... 2000, 5000
    .venv/bin/python bench/matching.py --sizes 20 200  # some sizes only

Two families of instances:
  uniform    complete graph, weights uniform random in [0, 1) (no scoring step)
  realistic  attendees with 3 needs and 3 offers drawn from topic clusters and
             scored by organizer.matching.score: mostly zero, clustered, many ties

For each: scoring seconds, solve seconds (solve_matrix, fairness off, 60 s
limit), objective, whether it is proven optimal, and the networkx /
rustworkx max_weight_matching times as ratios to our solve time (x > 1 means
they are slower).  They get the nonzero pairs only, maxcardinality for the
complete uniform graphs; for even N their optimum must equal ours ("same").
For odd N they solve a different problem (nobody in a trio), so only time is
shown.  networkx is skipped above --networkx-max, rustworkx above
--rustworkx-max (they take too long there); the table says so.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from organizer.matching import Attendee, Need, Offer, Options, score, solve_matrix  # noqa: E402
from organizer.matching.weights import pair_weights  # noqa: E402
from organizer.matching.types import Problem  # noqa: E402

TOPICS = {
    "publishing": ["finding a publisher for my book", "an introduction to my editor at a publishing house", "literary agent contacts"],
    "trades": ["an electrician in Oakville", "I do electrical work", "a reliable plumber", "plumbing and renovation contacts"],
    "finance": ["intro to a CFO in life sciences", "I can introduce you to a CFO at a biotech", "bookkeeping for a small business", "tax advice for freelancers"],
    "cars": ["negotiating when buying a car", "car buying negotiation tips", "used car inspection"],
    "home": ["insider price on a hot tub", "I work at a hot tub dealer", "furniture at cost"],
    "career": ["resume review", "I review resumes for tech roles", "mock interviews", "LinkedIn profile rewrite"],
    "tech": ["Postgres performance tuning", "PostgreSQL DBA advice", "a Python mentor", "web site for my shop"],
    "grants": ["grant writing for a nonprofit", "I write grant applications", "board member introductions"],
}


def uniform_instance(n, rng):
    W = np.triu(rng.random((n, n)), 1)
    return W + W.T


def realistic_attendees(n, rng):
    names = list(TOPICS)
    people = []
    for i in range(n):
        home = rng.choice(len(names), size=2, replace=False)  # each person lives in two topics

        def phrase():
            topic = names[home[rng.integers(2)]] if rng.random() < 0.85 else names[rng.integers(len(names))]
            return TOPICS[topic][rng.integers(len(TOPICS[topic]))], topic

        needs = [Need(t, (tag,), float(rng.choice([1, 1, 2]))) for t, tag in (phrase() for _ in range(3))]
        offers = [Offer(t, (tag,)) for t, tag in (phrase() for _ in range(3))]
        people.append(Attendee(i, needs=needs, offers=offers))
    return people


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def networkx_value(W, maxcard):
    import networkx as nx

    n = len(W)
    iu, ju = np.nonzero(np.triu(W, 1))
    G = nx.Graph()
    G.add_nodes_from(range(n))
    G.add_weighted_edges_from(zip(iu.tolist(), ju.tolist(), W[iu, ju].tolist()))
    M, seconds = timed(lambda: nx.max_weight_matching(G, maxcardinality=maxcard))
    return float(sum(W[a, b] for a, b in M)), seconds


def rustworkx_value(W, maxcard):
    import rustworkx as rx

    n = len(W)
    scale = 10**6 / max(1e-12, float(np.abs(W).max()))
    iu, ju = np.nonzero(np.triu(W, 1))
    G = rx.PyGraph()
    G.add_nodes_from(range(n))
    G.add_edges_from(list(zip(iu.tolist(), ju.tolist(), np.round(W[iu, ju] * scale).astype(int).tolist())))
    M, seconds = timed(lambda: rx.max_weight_matching(G, max_cardinality=maxcard, weight_fn=int))
    return float(sum(W[a, b] for a, b in M)), seconds


def run(family, n, args, rng):
    score_s = None
    if family == "uniform":
        W = uniform_instance(n, rng)
        allowed = None
        maxcard = True
    else:
        people = realistic_attendees(n, rng)
        scores, score_s = timed(lambda: score(people, Options()))
        index = {a.id: k for k, a in enumerate(people)}
        W, allowed, _ = pair_weights(scores.matrix, Problem(people, options=Options()), index)
        maxcard = False
    result = solve_matrix(W, allowed, time_limit_s=args.time_limit, seed=0)
    row = {
        "family": family,
        "n": n,
        "score_s": score_s,
        "solve_s": result.seconds,
        "objective": result.objective,
        "proven": result.proven_optimal,
        "nonzero": float((np.triu(W, 1) > 0).mean() * 2 * n / max(1, n - 1) / n) if n > 1 else 0.0,
    }
    for name, limit, fn in (("networkx", args.networkx_max, networkx_value), ("rustworkx", args.rustworkx_max, rustworkx_value)):
        if n > limit:
            row[name] = "skipped"
            continue
        value, seconds = fn(W, maxcard)
        same = n % 2 == 1 or abs(value - result.objective) <= 1e-6 * max(1.0, abs(value))
        row[name] = f"{seconds / result.seconds:7.1f}x {'same' if n % 2 == 0 and same else ('odd n' if n % 2 else 'DIFFERENT')}"
    return row


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="*", default=[20, 200, 500, 1000, 2000, 5000])
    parser.add_argument("--families", nargs="*", default=["uniform", "realistic"])
    parser.add_argument("--networkx-max", type=int, default=500)
    parser.add_argument("--rustworkx-max", type=int, default=1000)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    header = f"{'family':<10} {'N':>5} {'score s':>8} {'solve s':>8} {'objective':>14} {'proven':>6}  {'networkx/ours':>18}  {'rustworkx/ours':>18}"
    print(header)
    print("-" * len(header))
    for family in args.families:
        for n in args.sizes:
            rng = np.random.default_rng(args.seed * 100003 + n)
            row = run(family, n, args, rng)
            score_s = "-" if row["score_s"] is None else f"{row['score_s']:.3f}"
            print(
                f"{family:<10} {n:>5} {score_s:>8} {row['solve_s']:>8.3f} {row['objective']:>14.4f} {str(row['proven']):>6}"
                f"  {row['networkx']:>18}  {row['rustworkx']:>18}",
                flush=True,
            )
    print()
    print(f"networkx skipped above N = {args.networkx_max}, rustworkx above N = {args.rustworkx_max} (too slow there).")
    print("Ratios are their max_weight_matching time / our solve time; 'same' = equal optimum (even N).")
    print("Odd N: ours seats a trio (half its three pair weights), theirs leaves one person out: time only.")


if __name__ == "__main__":
    main()
