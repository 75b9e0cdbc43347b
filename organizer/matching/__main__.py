"""Command line: ``python -m organizer.matching solve PROBLEM.json`` (or ``-`` for stdin).

Input:  {"n": N, "weights": [[i, j, w], ...], "forbidden": [[i, j], ...],
         "locked": [[i, j], ...], "rounds": R, "time_limit_s": T}
        attendees are 0..N-1, missing pairs weigh 0.  Optional extensions:
        "locked" entries may be [i, j, round] (0-based round, default 0), or
        {"people": [i, j, k], "round": r} to keep a trio together;
        "fairness": true (first maximise attendees helped, then the total);
        "help": [[helper, helped, h], ...] (directed help for fairness; by
        default a pair with positive weight helps both sides); "seed" (accepted,
        unused: the solver is deterministic).
Output: {"rounds": [[[i, j], [k, l, m], ...], ...], "objective": W, "bound": B,
         "proven_optimal": true, "seconds": S, "status": ..., "gap": ...}
        The objective sums pair weights; the trio counts half the sum of its
        three pair weights.
Errors: one line on stderr; exit 2 for bad input, 1 when no seating exists.
"""

from __future__ import annotations

import json
import math
import sys
from typing import Any

from organizer.matching.pairing import solve
from organizer.matching.types import InfeasibleError, Lock, MatchingError, Options, Pairing, Problem, SolveTimeoutError

KEYS = {"n", "weights", "forbidden", "locked", "rounds", "time_limit_s", "fairness", "help", "seed"}
USAGE = "usage: python -m organizer.matching solve PROBLEM.json  (or - for standard input)"


class BadInput(Exception):
    pass


def _int(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadInput(f"{what} must be an integer, got {json.dumps(value)}")
    return value


def _number(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise BadInput(f"{what} must be a finite number, got {json.dumps(value)}")
    return float(value)


def _rows(data: dict[str, Any], key: str, width: tuple[int, ...], n: int,
          other_form: type | None = None) -> list[tuple[Any, ...]]:
    """The list rows of ``data[key]``, checked; rows of ``other_form`` are skipped (read elsewhere)."""
    rows = data.get(key, [])
    if not isinstance(rows, list):
        raise BadInput(f'"{key}" must be a list')
    out = []
    for k, row in enumerate(rows):
        if other_form is not None and isinstance(row, other_form):
            continue
        where = f'"{key}"[{k}]'
        if not isinstance(row, list) or len(row) not in width:
            raise BadInput(f"{where} must be a list of {' or '.join(map(str, width))} numbers, got {json.dumps(row)}")
        i, j = _int(row[0], f"{where}[0]"), _int(row[1], f"{where}[1]")
        for x in (i, j):
            if not 0 <= x < n:
                raise BadInput(f"{where} names attendee {x}, outside 0..{n - 1}")
        if i == j:
            raise BadInput(f"{where} pairs attendee {i} with themselves")
        out.append((i, j, *row[2:]))
    return out


def _trio_locks(data: dict[str, Any], n: int) -> list[Lock]:
    """The ``{"people": [i, j, k], "round": r}`` entries of "locked" (a locked trio, or a pair)."""
    rows = data.get("locked", [])
    out = []
    for k, row in enumerate(rows if isinstance(rows, list) else []):  # not a list: _rows says so
        if not isinstance(row, dict):
            continue
        where = f'"locked"[{k}]'
        unknown = sorted(set(row) - {"people", "round"})
        if unknown:
            raise BadInput(f"{where}: unknown key(s) {', '.join(unknown)}; allowed: people, round")
        people = row.get("people")
        if not isinstance(people, list) or len(people) not in (2, 3):
            raise BadInput(f'{where}["people"] must be a list of 2 or 3 attendees, got {json.dumps(people)}')
        ids = [_int(x, f'{where}["people"]') for x in people]
        for x in ids:
            if not 0 <= x < n:
                raise BadInput(f"{where} names attendee {x}, outside 0..{n - 1}")
        if len(set(ids)) != len(ids):
            raise BadInput(f"{where} names an attendee twice")
        r = _int(row.get("round", 0), f'{where}["round"]')
        out.append(Lock(ids[0], ids[1], r, ids[2] if len(ids) == 3 else None))
    return out


def parse_problem(data: object) -> Problem:
    if not isinstance(data, dict):
        raise BadInput("the problem must be a JSON object")
    unknown = sorted(set(data) - KEYS)
    if unknown:
        raise BadInput(f"unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(KEYS))}")
    if "n" not in data:
        raise BadInput('missing "n"')
    n = _int(data["n"], '"n"')
    if n < 0:
        raise BadInput('"n" must be >= 0')
    weights = [(i, j, _number(w, f'weight of ({i}, {j})')) for i, j, w in _rows(data, "weights", (3,), n)]
    forbidden = [(i, j) for i, j in _rows(data, "forbidden", (2,), n)]
    locked = _trio_locks(data, n)
    for row in _rows(data, "locked", (2, 3), n, other_form=dict):
        r = _int(row[2], "locked round") if len(row) == 3 else 0
        locked.append(Lock(row[0], row[1], r))
    help_rows = None
    if "help" in data:
        help_rows = [(i, j, _number(h, f"help of ({i}, {j})")) for i, j, h in _rows(data, "help", (3,), n)]
    rounds = _int(data.get("rounds", 1), '"rounds"')
    if rounds < 1:
        raise BadInput('"rounds" must be >= 1')
    time_limit = _number(data.get("time_limit_s", 10.0), '"time_limit_s"')
    if time_limit <= 0:
        raise BadInput('"time_limit_s" must be > 0')
    fairness = data.get("fairness", False)
    if not isinstance(fairness, bool):
        raise BadInput('"fairness" must be true or false')
    seed = _int(data.get("seed", 0), '"seed"')
    options = Options(fairness=fairness, time_limit_s=time_limit, seed=seed)
    return Problem.from_weights(n, weights, forbidden=forbidden, locked=locked, rounds=rounds, options=options, help=help_rows)


def answer(pairing: Pairing) -> dict[str, Any]:
    return {
        "rounds": [[list(g.members) for g in r.groups] for r in pairing.rounds],
        "objective": pairing.objective,
        "bound": pairing.bound,
        "proven_optimal": pairing.proven_optimal,
        "seconds": round(pairing.seconds, 6),
        "status": pairing.status,
        "gap": pairing.gap,
    }


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2 or argv[0] != "solve":
        print(USAGE, file=sys.stderr)
        return 2
    path = argv[1]
    try:
        text = sys.stdin.read() if path == "-" else open(path, encoding="utf-8").read()
    except OSError as exc:
        print(f"error: cannot read {path}: {exc.strerror}", file=sys.stderr)
        return 2
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        print(f"error: {path} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}", file=sys.stderr)
        return 2
    try:
        problem = parse_problem(data)
        pairing = solve(problem)
    except BadInput as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (InfeasibleError, SolveTimeoutError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except MatchingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    json.dump(answer(pairing), sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
