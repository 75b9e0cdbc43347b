"""Rounds, locks, fairness and float weights on top of the one-round solver.

``solve_matrix`` works on indices ``0..n-1`` and a dense float weight matrix;
``organizer.matching.solve`` (in ``pairing.py``) maps attendees to it.

Weights are rounded to integers for the exact solver: ``round(w * scale)``
with ``scale`` chosen so the largest ``|w|`` becomes about 1e9 (or less for
very large n, to keep every sum below 2**52).  Integer weights up to that size
are used as they are, so "proven optimal" is exact for them; for other floats
it means optimal for the weights rounded to ~9 significant digits of the
largest weight.

Rounds are solved in order: round r is the best seating given rounds
0..r-1 (whose pairs, trio pairs included, are then forbidden).
"proven_optimal" means every round was proven optimal in that sense.

Locked pairs sit as pairs and a locked trio as a trio.  If exactly one unlocked
attendee is left in a round, they join the locked pair that makes the best trio
(by the trio rule).  The unlocked attendees are seated around the locks as any
round is (pairs, and one trio if they are odd), so a round with a locked trio and
an even count has two trios: the organizer's lock outranks the one-trio rule.

Fairness (lexicographic): with ``helped[i, j]`` = how many of the two
directions between i and j carry help (0, 1 or 2), each pair's integer weight
becomes ``M * helped[i, j] + w`` with ``M`` larger than any difference of total
weights, so the solver first maximises the number of attendees helped by their
partner, then the total.  Under the trio rule each of the trio's directions
counts half (a trio member helped by both partners counts 1, by one of them 1/2).
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from organizer.matching.solver import Context, SolverOptions, quick_seating, seating_value2, solve_round
from organizer.matching.types import InfeasibleError, MatchingError
from organizer.matching.weights import group_weight

TARGET_MAX_WEIGHT = 10**9
DEFAULT_OPTIONS = SolverOptions()  # (frozen: one for every solve; building one costs 20 us)


@dataclass
class MatrixRound:
    groups: list[tuple[int, ...]]
    objective: float
    bound: float
    proven: bool
    stats: dict[str, Any] = field(default_factory=dict)


@dataclass
class MatrixPairing:
    rounds: list[MatrixRound]
    objective: float
    bound: float
    proven_optimal: bool
    seconds: float

    @property
    def status(self) -> str:
        return "optimal" if self.proven_optimal else "feasible"


@dataclass(frozen=True)
class ScaledWeights:
    """The weights as given and as the solver sees them: ``W = M * helped + round(weights * scale)``."""

    weights: np.ndarray  # (n, n) floats, as given
    W: np.ndarray  # (n, n) int64
    helped: np.ndarray | None  # (n, n) 0..2 when fairness is on
    scale: float
    M: int


def _symmetric(a: np.ndarray, block: int = 256) -> bool:
    """``a == a.T``, compared a square block at a time: the whole transposed matrix read
    column-wise costs 18 ms at N = 2,001, the blocks 3 ms (a 0.05 s limit has room for that)."""
    n = len(a)
    for i in range(0, n, block):
        for j in range(i, n, block):
            if not np.array_equal(a[i:i + block, j:j + block], a[j:j + block, i:i + block].T):
                return False
    return True


BLOCK_CELLS = 262_144
"""Cells per block when the weights are converted, checked or bounded a block of rows at a time:
2 MB of floats, so each temporary stays in cache and the deadline is looked at every few
milliseconds (the whole 2,001 x 2,001 matrix at once costs 8-80 ms of page faults)."""


def _row_blocks(n: int) -> range:
    return range(0, n, max(1, BLOCK_CELLS // max(n, 1)))


def integer_weights(weights: np.ndarray, helped: np.ndarray | None, *, biggest: float | None = None,
                    deadline: float = math.inf) -> tuple[np.ndarray, float, int] | None:
    """(integer matrix, scale, M): ``W_int = M * helped + round(weights * scale)``; None when
    ``deadline`` (a ``time.perf_counter()`` value) passes first.

    Integer weights that fit are used as they are (an int64 matrix without ``helped`` is not even
    copied); other weights are converted a block of rows at a time, the deadline checked between
    blocks.  ``biggest``: the largest ``|w|``, when the caller knows it.
    """
    n = len(weights)
    if biggest is None:
        biggest = max(float(weights.max()), -float(weights.min())) if n else 0.0
    if helped is None:
        limit = min(TARGET_MAX_WEIGHT, 2**50 // (4 * (n + 3)))
    else:
        limit = min(TARGET_MAX_WEIGHT, 2**50 // (16 * (n + 3) ** 2))
    limit = max(limit, 1)
    int_input = weights.dtype.kind in "iu"
    integral = biggest <= limit  # then scale 1 is tried first: integers are used as they are
    if integral and int_input and helped is None:
        return np.asarray(weights, dtype=np.int64), 1.0, 0
    W = np.empty((n, n), dtype=np.int64)
    blocks = _row_blocks(n)
    while True:
        scale = 1.0 if integral or biggest == 0 else limit / biggest
        # the largest |round(w * scale)| is round(biggest * scale): rounding is monotone and odd
        M = 0 if helped is None else 2 * (n + 3) * int(np.rint(biggest * scale)) + 1
        for s in blocks:
            if time.perf_counter() > deadline:
                return None
            rows = weights[s:s + blocks.step]
            if not integral:
                block = np.rint(rows * scale)
            elif int_input:
                block = rows
            else:
                block = np.rint(rows)
                if not np.array_equal(block, rows):  # not all integers: scaled after all
                    integral = False
                    break
            W[s:s + blocks.step] = block
            if helped is not None:
                W[s:s + blocks.step] += M * helped[s:s + blocks.step]
        else:
            return W, scale, M


def _helped_count2(helped: np.ndarray | None, groups: Sequence[Sequence[int]]) -> int:
    return seating_value2(helped, groups) if helped is not None else 0


def solve_matrix(
    weights: ArrayLike,
    allowed: ArrayLike | None = None,
    *,
    locks: Sequence[tuple[int, ...]] = (),
    rounds: int = 1,
    helped: ArrayLike | None = None,
    time_limit_s: float = 10.0,
    solver_options: SolverOptions | None = None,
) -> MatrixPairing:
    """Seat ``0..n-1`` for ``rounds`` rounds.

    weights: (n, n) symmetric floats (or integers).  allowed: (n, n) symmetric bools (None:
    every pair).  locks: ``(a, b, round)`` for a locked pair, ``(a, b, c, round)`` for a locked trio.  helped: (n, n) symmetric
    ints in 0..2 turning fairness on (None: plain total weight).
    solver_options: the solver's tuning constants (``solver.SolverOptions``).

    Time limit: each round gets an equal share of the time left when it starts.  When the limit
    is too close for the integer matrix and the greedy seating (``SolverOptions``: their modelled
    time), or passes while the matrix is built, every round gets the quick seating on the weights
    as given, with the best-partner bound (``_quick_pairing``), in a few milliseconds.
    """
    start = time.perf_counter()
    deadline = start + time_limit_s
    weights = np.asarray(weights)
    if weights.dtype.kind not in "iu":
        weights = np.asarray(weights, dtype=float)
    n = len(weights)
    if weights.ndim != 2 or weights.shape != (n, n):
        raise MatchingError("weights must be a square matrix")
    hi, lo = (float(weights.max()), float(weights.min())) if n else (0.0, 0.0)
    if not math.isfinite(hi - lo):  # NaN and infinities
        raise MatchingError("weights must be finite")
    if not _symmetric(weights):
        raise MatchingError("weights must be symmetric")
    allowed = np.ones((n, n), dtype=bool) if allowed is None else np.array(allowed, dtype=bool)
    np.fill_diagonal(allowed, False)
    if not _symmetric(allowed):
        raise MatchingError("allowed must be symmetric")
    if helped is not None:
        helped = np.asarray(helped, dtype=np.int64)
    options = solver_options or DEFAULT_OPTIONS
    plain = weights.dtype.kind in "iu" and helped is None  # no conversion to do
    cells = float(n) * n
    needed = options.greedy_seconds_per_cell * cells * (options.greedy_k + 2) + (0 if plain else options.convert_seconds_per_cell * cells)
    converted = None
    if deadline - time.perf_counter() >= needed:
        converted = integer_weights(weights, helped, biggest=max(hi, -lo), deadline=deadline)
    if converted is None:
        quick = _quick_pairing(weights, allowed, locks, rounds, hi, start, deadline)
        if quick is not None:
            return quick
        converted = integer_weights(weights, helped, biggest=max(hi, -lo))  # forbidden pairs defeat it: the whole way
        if converted is None:
            raise AssertionError("integer_weights without a deadline returned nothing")
    W, scale, M = converted
    scaled = ScaledWeights(weights, W, helped, scale, M)
    used = np.zeros((n, n), dtype=bool)
    out = []
    for r in range(rounds):
        round_locks = [tuple(lock[:-1]) for lock in locks if lock[-1] == r]
        now = time.perf_counter()
        ctx = Context(now + max(0.0, deadline - now) / (rounds - r), options)  # an equal share of the time left
        out.append(_solve_one_round(scaled, allowed & ~used if r else allowed, round_locks, r, ctx))
        if r + 1 < rounds:  # (read by the rounds after only)
            _mark_met(used, out[-1].groups)
    return _pairing(out, start)


def _sorted_groups(groups: Sequence[Sequence[int]], ids: np.ndarray | None) -> list[tuple[int, ...]]:
    """Each group's members (``ids[v]`` when given) as sorted Python ints; the pairs at once."""
    pairs = np.asarray([g for g in groups if len(g) == 2], dtype=np.int64).reshape(-1, 2)
    if ids is not None:
        pairs = ids[pairs]
    pairs.sort(axis=1)
    out: list[tuple[int, ...]] = list(zip(pairs[:, 0].tolist(), pairs[:, 1].tolist()))
    for g in groups:
        if len(g) != 2:
            out.append(tuple(sorted(int(v) if ids is None else int(ids[v]) for v in g)))
    return out


def _objective(weights: np.ndarray, groups: Sequence[Sequence[int]]) -> float:
    """``sum(group_weight(weights, g) for g in groups)``, in that order (the same float), with
    the pairs' weights read at once."""
    others = [k for k, g in enumerate(groups) if len(g) != 2]
    if not others:
        arr = np.asarray(groups, dtype=np.int64).reshape(-1, 2)
        read: list[float] = weights[arr[:, 0], arr[:, 1]].astype(float).tolist()
        return sum(read)
    values = np.zeros(len(groups))
    pair = np.ones(len(groups), dtype=bool)
    pair[others] = False
    if pair.any():
        arr = np.asarray([g for g in groups if len(g) == 2], dtype=np.int64)
        values[pair] = weights[arr[:, 0], arr[:, 1]]
    for k in others:
        values[k] = group_weight(weights, groups[k])
    return sum(values.tolist())


def _mark_met(used: np.ndarray, groups: Sequence[Sequence[int]]) -> None:
    for g in groups:
        for a in g:
            for b in g:
                if a != b:
                    used[a, b] = True


def _pairing(out: list[MatrixRound], start: float) -> MatrixPairing:
    objective = sum(x.objective for x in out)
    bound = sum(x.bound for x in out)
    proven = all(x.proven for x in out)
    return MatrixPairing(out, objective, max(bound, objective) if not proven else objective, proven, time.perf_counter() - start)


def _round_locks(allowed: np.ndarray, locks: list[tuple[int, ...]], r: int) -> tuple[list[int], list[tuple[int, ...]]]:
    """(the attendees no lock seats, the locked tables sorted), or the error a lock makes."""
    n = len(allowed)
    locked_seen = set()
    for lock in locks:
        if len(lock) not in (2, 3):
            raise MatchingError(f"round {r + 1}: a lock keeps two or three attendees, got {lock!r}")
        for v in lock:
            if v in locked_seen:
                raise MatchingError(f"round {r + 1}: attendee index {v} is locked to two tables")
            locked_seen.add(v)
        if not all(allowed[a, b] for a, b in combinations(lock, 2)):
            what = "pair" if len(lock) == 2 else "trio"
            raise InfeasibleError(f"round {r + 1}: locked {what} {tuple(lock)} is forbidden or met in an earlier round")
    free = [v for v in range(n) if v not in locked_seen] if locked_seen else list(range(n))
    return free, [tuple(sorted(p)) for p in locks]


def _lone_joins(W: np.ndarray, allowed: np.ndarray, v: int, lock_groups: list[tuple[int, ...]], r: int) -> list[tuple[int, ...]]:
    """The one unlocked attendee ``v`` makes a trio of the locked pair it adds most to (a locked
    trio is full): the round's groups."""
    options = [g for g in lock_groups if len(g) == 2 and allowed[v, g[0]] and allowed[v, g[1]]]
    if not options:
        if all(len(g) == 3 for g in lock_groups):
            raise InfeasibleError(f"round {r + 1}: one attendee is left over and a locked trio is full; "
                                  "unlock a table so they can join it")
        raise InfeasibleError(f"round {r + 1}: the one unlocked attendee may not join any locked pair")
    best = max(options, key=lambda g: float(W[g[0], v]) + float(W[g[1], v]) + float(W[g[0], g[1]]))
    return [g for g in lock_groups if g != best] + [tuple(sorted((*best, v)))]


def _quick_pairing(weights: np.ndarray, allowed: np.ndarray, locks: Sequence[tuple[int, ...]], rounds: int,
                   hi: float, start: float, deadline: float) -> MatrixPairing | None:
    """Every round's quick seating (``solver.quick_seating``) on the weights as given, around its
    locks, with the best-partner bound; None when forbidden pairs defeat a quick seating (the
    whole solve then finds one).  For a limit too close for anything else: a few milliseconds
    at N = 2,001, no copy of the weights unless locks ask for one.

    The bound, per round: the locked tables' value plus, for each attendee seated around them,
    half their best allowed partner among those (a seating's value is half the sum of everyone's
    share, and a trio member's share is the mean of two allowed partners); where the deadline
    passes while those are read, the largest weight ``hi`` stands for the rest.
    """
    n = len(weights)
    used = np.zeros((n, n), dtype=bool)
    out = []
    stats: dict[str, Any] = {"quick_only": True}
    for r in range(rounds):
        round_allowed = allowed & ~used if r else allowed
        free, lock_groups = _round_locks(round_allowed, [tuple(lock[:-1]) for lock in locks if lock[-1] == r], r)
        if len(free) == 1 and lock_groups:
            groups = _lone_joins(weights, round_allowed, free[0], lock_groups, r)
            bound = 0.0
        else:
            idx = np.asarray(free, dtype=np.int64)
            whole = len(idx) == n
            sub_w = weights if whole else weights[np.ix_(idx, idx)]
            sub_allowed = round_allowed if whole else round_allowed[np.ix_(idx, idx)]
            seating = quick_seating(sub_w, sub_allowed, len(idx) % 2 == 1) if len(idx) else []
            if seating is None:
                return None
            stats.setdefault("first_seating_at", time.perf_counter())  # as the solver's stats say it
            groups = lock_groups + [tuple(sorted(int(idx[v]) for v in g)) for g in seating]
            bound = _best_partner_sum(sub_w, sub_allowed, hi, deadline) / 2
        groups.sort()
        objective = sum(group_weight(weights, g) for g in groups)
        bound += sum(group_weight(weights, g) for g in lock_groups)
        out.append(MatrixRound(groups, objective, max(objective, bound), False, dict(stats)))
        _mark_met(used, groups)
    return _pairing(out, start)


def _best_partner_sum(weights: np.ndarray, allowed: np.ndarray, hi: float, deadline: float) -> float:
    """The sum of everyone's best allowed weight, a block of rows at a time; once ``deadline``
    passes, ``hi`` (at least every weight) for each row not read."""
    n = len(weights)
    total = 0.0
    blocks = _row_blocks(n)
    for s in blocks:
        if time.perf_counter() > deadline:
            return total + hi * (n - s)
        rows = np.where(allowed[s:s + blocks.step], weights[s:s + blocks.step], -np.inf).max(axis=1)
        total += float(np.where(np.isfinite(rows), rows, hi).sum())
    return total


def _solve_one_round(scaled: ScaledWeights, allowed: np.ndarray, locks: list[tuple[int, ...]], r: int,
                     ctx: Context) -> MatrixRound:
    """Round ``r`` (0-based) on the pairs ``allowed`` (earlier rounds' pairs removed), ``locks`` seated as given."""
    weights, W, helped, scale, M = scaled.weights, scaled.W, scaled.helped, scaled.scale, scaled.M
    n = len(W)
    free, lock_groups = _round_locks(allowed, locks, r)
    if len(free) == 1 and lock_groups:
        groups = _lone_joins(W, allowed, free[0], lock_groups, r)
        stats: dict[str, Any] = {"lone_attendee_joined_lock": True}
        sub_bound2, proven = 0, True
    else:
        idx = np.asarray(free, dtype=np.int64)
        whole = len(idx) == n  # no copy of the matrices when nobody is locked
        try:
            sol = solve_round(W if whole else W[np.ix_(idx, idx)], allowed if whole else allowed[np.ix_(idx, idx)], ctx)
        except InfeasibleError as exc:
            if r > 0:
                raise InfeasibleError(f"round {r + 1}: no seating avoids the forbidden pairs and the pairs of earlier rounds") from None
            raise InfeasibleError(f"round {r + 1}: {exc}") from None
        groups = lock_groups + _sorted_groups(sol.groups, None if whole else idx)
        sub_bound2, proven, stats = sol.bound2, sol.proven, sol.stats
    groups.sort()
    objective = _objective(weights, groups)
    if proven:
        bound = objective
    else:
        # bound2 is on M * helped2 + 2 * integer weight; keep seatings helping as many as this one
        lock_value2 = seating_value2(W, lock_groups)
        bound2 = sub_bound2 + lock_value2
        helped2 = _helped_count2(helped, groups)
        weight_bound2 = bound2 - M * helped2
        bound = max(objective, weight_bound2 / (2 * scale))
        if not math.isfinite(bound):
            bound = objective
    return MatrixRound(groups, objective, bound, proven, stats)
