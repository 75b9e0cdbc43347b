"""A tighter bound and tighter reduced costs: the matching LP with odd-set cuts (GLOP), and
the same kind of duals in milliseconds by a dual ascent (``odd_set_ascent``, at the end).

The assignment relaxation of ``solver.py`` is the fractional matching LP
without Edmonds' odd-set constraints; its odd cycles leave a gap (about a fifth
of the largest weight per odd cycle on realistic scores), and reduced-cost
fixing against that gap keeps thousands of pairs.  Here we add the odd-set
cuts that the fractional solution violates, by a cutting-plane loop on a
sparse set of pairs with pricing, and turn the LP duals into an exact integer
bound and exact integer reduced costs for every allowed pair.

Notation (all integers, "value4" units = 4 x the seating's value):

* Degree duals ``Y[v]`` (``2 y_v``), odd-set duals ``Z[S] >= 0`` (``2 z_S``)
  for a list of odd vertex sets ``S``.
* ``RC[i, j] = Y[i] + Y[j] + sum_{S containing i and j} Z[S] - 2 W[i, j]``.
  The duals are repaired (``Y[v]`` raised) until every allowed pair has
  ``RC >= 0``; rounding GLOP's floating duals can only cost tightness, never
  validity.

*Lemma.*  Write a seating as ``x``: 1 on its pairs, 1/2 on its trio's three
pairs.  Then ``x`` has degree 1 everywhere, so
``2 value(x) = sum_e 2 W_e x_e = sum_v Y_v + sum_S Z_S x(E(S)) - sum_e RC_e x_e``.
For an odd set S, the pairs inside S cover an even number of its members,
so ``x(E(S)) <= (|S| - 1) / 2`` unless the trio lies inside S, and then
``x(E(S)) <= |S| / 2``.  The sets holding the whole trio hold each of its
three members, so their ``Z`` sum to at most the least of the members'
``zsum[v] = sum_{S containing v} Z_S``, which is at most the third largest
``zsum`` of all; hence

    4 value(x) <= D4 - cost4(x),   D4 = 2 sum Y + sum_S Z_S (|S| - 1) + [n odd] third largest zsum,

with ``cost4`` = ``2 RC_e`` per pair and ``RC_ab + RC_bc + RC_ac`` for the trio.
So ``D4 / 4`` bounds every seating, and a seating worth more than an
incumbent of value L uses only pairs with ``2 RC_e < D4 - 4 L`` and a trio with
``RC_ab + RC_bc + RC_ac < D4 - 4 L``.

*Refinement.*  GLOP's duals are exact to about 1e-9 of the largest weight;
weights that rank fairness first span twelve digits, so rounded they lost
millions of units and the LP could not prove tied groups.  The same LP is
solved again on ``-RC0`` with ``RC0 = Y[i] + Y[j] - 2 W`` (the first costs
without their odd-set part): its integer duals ``Y2, Z2`` give ``Yf = 2 Y +
Y2`` and ``Zf = Z2`` with ``Yf[i] + Yf[j] + sum Zf - 4 W = 2 RC0 + Y2[i] +
Y2[j] + sum Z2 >= 0``, the lemma with ``4 W`` for ``2 W``: ``D = 2 sum Yf +
sum Zf (|S| - 1) + ...`` bounds ``8 value`` (``f = 4`` below, against ``f = 2``
without it).  ``RC0`` is a few units where the first LP is tight, so the second
duals are exact to 1e-9 of that, and its own cuts find what the first LP's
tolerance hid.  (The odd-set part is left out so the second LP may take back
the first one's noise: a dual of 1e-12 on a set of 400 costs hundreds of
units.)  ``BlossomBound`` returns ``D``, ``f`` and the costs, with ``f value2(S)
<= D - cost(S)`` (value2 = 2 x value).

The LP (minimise ``-sum W_e x_e``): ``x_e >= 0`` on the priced pairs, degree 1
at every vertex, and for each cut S ``x(E(S)) <= (|S| - 1) / 2``.  For odd n
the cut must let the one trio through: trio indicators ``t_v`` in [0, 1] with
``sum t = 3`` and cut rows ``x(E(S)) - t(S) / 6 <= (|S| - 1) / 2`` (valid: a
trio inside S puts ``t(S) = 3``, and a trio meeting S in one or two members
keeps ``x(E(S)) <= (|S| - 1) / 2``).  Separation: each odd connected component
of the LP solution's support holds ``x(E(S)) = |S| / 2`` and is cut when
violated.  None of this needs to be exact: only the integer bound above is
used for proofs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
from ortools.linear_solver import linear_solver_pb2, pywraplp
from scipy import sparse
from scipy.sparse.csgraph import connected_components

BIG = np.iinfo(np.int64).max // 8
PRICE_K = 4  # pairs per attendee in the first LP, and per attendee added by pricing (the default)
MAX_LP_ROUNDS = 8  # LP solves while cutting; then it stops cutting (its duals stay valid, only weaker)


class BlossomBound:
    """Exact integer duals: the bound ``D`` and costs ``RC`` (n x n, BIG where not allowed), with
    ``f * value2(S) <= D - cost(S)`` for every seating S (``f`` = 2, or 4 once refined), and the
    LP's own solution when it is a seating (the ascent's: its matching of the pairs of cost <= 1,
    when it seats everyone).  ``Y``: the node duals alone, so that ``Y[i] + Y[j] - f W``
    is the part of ``RC`` every perfect matching of the same attendees sums alike (``RC`` adds the
    odd-set duals)."""

    def __init__(self, D: int, f: int, RC: np.ndarray, Y: np.ndarray, stats: dict[str, Any],
                 seating: list[tuple[int, ...]] | None) -> None:
        self.D = D
        self.f = f
        self.RC = RC
        self.Y = Y
        self.stats = stats
        self.seating = seating


def _integer_duals(y: np.ndarray, z: list[float], scale: float) -> tuple[np.ndarray, np.ndarray]:
    """GLOP's duals (of weights divided by ``scale``) as integers: ``Y = 2 y scale``, ``Z = 2 z scale``."""
    Y = np.round(2 * np.asarray(y) * scale).astype(np.int64)
    Z = np.maximum(np.round(2 * np.asarray(z, dtype=float) * scale), 0).astype(np.int64)
    return Y, Z


def _reduced(W: np.ndarray, allowed: np.ndarray, Y: np.ndarray, sets: list[np.ndarray], Z: np.ndarray) -> np.ndarray:
    """``RC = Y[i] + Y[j] + sum_{S holding i and j} Z[S] - 2 W`` (BIG where not allowed), not yet
    repaired.  In place: at N = 5,001 each n x n int64 temporary is 200 MB."""
    RC = W * -2
    RC += Y[:, None]
    RC += Y[None, :]
    _add_sets(RC, sets, Z)
    np.putmask(RC, ~allowed, BIG)
    np.fill_diagonal(RC, BIG)
    return RC


def _dual_value(Y: np.ndarray, sets: list[np.ndarray], Z: np.ndarray, odd: bool) -> int:
    """The bound ``D`` of the module docstring for duals ``Y``, ``Z`` (feasible or not)."""
    D = 2 * int(Y.sum()) + sum(int(q) * (len(S) - 1) for S, q in zip(sets, Z.tolist()) if q > 0)
    if odd:
        zsum = np.zeros(len(Y), dtype=np.int64)
        for S, q in zip(sets, Z.tolist()):
            if q > 0:
                zsum[S] += q
        D += _third_largest(zsum)
    return D


def _bound(allowed: np.ndarray, Y: np.ndarray, sets: list[np.ndarray], Z: np.ndarray, RC: np.ndarray,
           odd: bool) -> tuple[int, np.ndarray]:
    """Repair the duals to feasibility (``Y[v]`` raised until every allowed pair has ``RC >= 0``;
    ``RC`` in place) and return the bound ``D`` of the module docstring, with the repaired ``Y``."""
    deficit = np.maximum(0, -RC.min(axis=1))
    if deficit.any():
        Y = Y + deficit
        RC += deficit[:, None]
        RC += deficit[None, :]
        np.putmask(RC, ~allowed, BIG)
        np.fill_diagonal(RC, BIG)
    return _dual_value(Y, sets, Z, odd), Y


def optimal_duals_bound(W: np.ndarray, allowed: np.ndarray, Y: np.ndarray, sets: list[np.ndarray], Z: np.ndarray
                        ) -> BlossomBound:
    """The bound and costs (``f = 2``) of feasible duals of an even problem's matching, such as a
    blossom algorithm's optimal ones (``cblossom.max_weight_matching_duals``), with no LP and no
    repair: ``Y[i] + Y[j] + sum_{S holding both} Z[S] - 2 W >= 0`` on every allowed pair is the
    caller's promise (checked: AssertionError otherwise)."""
    RC = _reduced(W, allowed, Y, sets, Z)
    if RC.min() < 0:
        raise AssertionError("duals given as feasible leave a pair below cost 0")
    return BlossomBound(_dual_value(Y, sets, Z, False), 2, RC, Y, {}, None)


def _third_largest(zsum: np.ndarray) -> int:
    """The trio's share of the odd-set duals: the sets holding the whole trio hold each of its
    three members, so their sum is at most its least member's ``zsum``, which is at most the
    third largest of all (the LP's own dual, the mean of the three largest, is never below it)."""
    if len(zsum) < 3:
        return int(zsum.max(initial=0))
    return int(np.partition(zsum, len(zsum) - 3)[len(zsum) - 3])


def blossom_bound(
    W: np.ndarray,
    allowed: np.ndarray,
    have: np.ndarray,
    odd: bool,
    deadline: float,
    max_rounds: int | None = None,
    price_k: int = PRICE_K,
    refine: bool = True,
    incumbent2: int | None = None,
) -> BlossomBound | None:
    """Cutting-plane LP; returns a BlossomBound, or None when the LP failed (say infeasible on its
    pairs, or the deadline passed inside its first solve).

    ``have``: the pairs to start from (symmetric bool); pricing adds, per attendee, the
    ``price_k`` most negative of the other allowed pairs while any could improve the LP.  Each
    GLOP solve is given what is left of the time to ``deadline``; when one stops there, the
    previous round's duals are used (any duals give a valid bound once repaired).

    ``refine``: when rounding the duals to integers loses against the LP's value (GLOP is exact to
    about 1e-9 of the largest weight, and weights that rank fairness first span 12 digits), the
    same cutting-plane loop runs again on the first duals' reduced costs (iterative refinement):
    with those second duals ``Y2, Z2``, ``Yf = 2 Y + Y2`` and ``Zf = 2 Z + Z2`` have ``Yf[i] + Yf[j]
    + sum Zf - 4 W = 2 RC + (Y2[i] + Y2[j] + sum Z2)``, which is >= 0 wherever the second duals
    are feasible for the weights ``-RC``: they bound ``4 value2`` (``f = 4``).  The second LP's
    weights are a few units where the first LP is tight, so its duals are exact to 1e-9 of those,
    and its own cuts find what the first LP's tolerance hid.  A reduced cost above a cap is seen
    as the cap (duals feasible for a smaller weight are feasible for the true one).
    ``incumbent2``: the best seating's value2, when there is one: the duals are refined only when
    their loss is at least a ``REFINE_SHARE``-th of the first bound's gap to it.
    """
    start = time.perf_counter()
    n = len(W)
    scale = float(max(1, int(np.abs(W).max())))
    # pricing only looks for candidates (exactness comes from _bound), so float32 will do
    # (a block of rows at a time: no n x n float64 copy of the weights, 200 MB at N = 5,001)
    neg_w32 = np.empty((n, n), dtype=np.float32)
    block = max(1, 262_144 // max(n, 1))
    for s in range(0, n, block):
        neg_w32[s:s + block] = np.where(allowed[s:s + block], -(W[s:s + block] / scale), np.inf)
    np.fill_diagonal(neg_w32, np.inf)
    have = have & allowed
    np.fill_diagonal(have, False)
    max_rounds = MAX_LP_ROUNDS if max_rounds is None else max_rounds

    solver = pywraplp.Solver.CreateSolver("GLOP")
    if solver is None:
        return None
    infinity = solver.infinity()
    degree = [solver.Constraint(1.0, 1.0) for _ in range(n)]
    objective = solver.Objective()
    objective.SetMinimization()
    edges: list[tuple[int, int]] = []
    xs = []
    cuts: list[tuple[np.ndarray, Any]] = []  # (members, row): GLOP's constraint objects
    member_of: list[list[int]] = [[] for _ in range(n)]  # cut indices per vertex
    t_vars = []
    if odd:
        trio_row = solver.Constraint(3.0, 3.0)
        for _ in range(n):
            t = solver.NumVar(0.0, 1.0, "")
            trio_row.SetCoefficient(t, 1.0)
            t_vars.append(t)
    # the LP's weights (to maximise): W / scale, then, refining, -min(RC, cap) / div
    weight_of: Any = lambda i, j: W[i, j] / scale  # noqa: E731 (swapped for the refinement)

    def add_edges(mask: np.ndarray) -> int:
        iu, ju = np.nonzero(np.triu(mask, 1))
        weights = weight_of(iu, ju)
        for i, j, w in zip(iu.tolist(), ju.tolist(), np.asarray(weights, dtype=float).tolist()):
            x = solver.NumVar(0.0, infinity, "")
            degree[i].SetCoefficient(x, 1.0)
            degree[j].SetCoefficient(x, 1.0)
            objective.SetCoefficient(x, -w)
            if member_of[i] and member_of[j]:
                for c in set(member_of[i]) & set(member_of[j]):
                    cuts[c][1].SetCoefficient(x, 1.0)
            edges.append((i, j))
            xs.append(x)
        return len(iu)

    def price_first(y: np.ndarray, z: list[float]) -> np.ndarray | None:
        """The pairs to add: per attendee the ``price_k`` most negative reduced costs (float32)."""
        y32 = y.astype(np.float32)
        rcf = neg_w32 + y32[:, None]
        rcf += y32[None, :]
        for (S, _), zS in zip(cuts, z):
            if zS > 0:
                rcf[np.ix_(S, S)] += np.float32(zS)
        rcf[have] = np.inf
        negative = rcf < -1e-6
        if not negative.any():
            return None
        rows = np.flatnonzero(negative.any(axis=1))
        sub = np.where(negative[rows], rcf[rows], np.inf)
        kk = min(price_k, n - 1)
        pick = np.argpartition(sub, kk - 1, axis=1)[:, :kk]
        add = np.zeros((n, n), dtype=bool)
        r = np.repeat(rows, kk)
        c = pick.ravel()
        ok = negative[r, c]
        add[r[ok], c[ok]] = True
        return add

    add_edges(have)
    params = pywraplp.MPSolverParameters()
    params.SetIntegerParam(params.INCREMENTALITY, params.INCREMENTALITY_ON)
    stats: dict[str, Any] = {"lp_rounds": 0, "lp_cuts": 0}

    def simplex(dual: bool) -> None:
        """The simplex that re-solves from the last basis: dual after cuts (new rows keep it
        dual feasible), primal after pricing or a new objective (new pairs and new costs keep it
        primal feasible; the dual simplex then started nearly afresh: 1-2.5 s a round at realistic
        N = 5,000, 66 s of the solve's 75).  No presolve: it would stop GLOP from warm-starting."""
        solver.SetSolverSpecificParametersAsString(
            f"use_preprocessing: false, use_dual_simplex: {'true' if dual else 'false'}")
    cut_keys: set[bytes] = set()  # the sets already cut (never added twice)

    def cutting_planes(price: Any, first: bool) -> tuple[np.ndarray, list[float], np.ndarray, np.ndarray] | None:
        """Solve, cut, price until nothing is violated (or the rounds, or the deadline): the last
        optimal solve's ``(y, z, pairs, x)``, or None when the first solve fails."""
        separate = True
        rounds = 0
        last = None
        primal = not first  # the last change keeps the basis primal feasible: pairs priced in, a new objective
        while True:
            if separate and rounds and (time.perf_counter() > deadline or rounds >= max_rounds):
                # no more cuts; the duals stay valid (they are priced and repaired), only weaker
                stats["lp_capped"] = True
                separate = False
            if rounds > max_rounds + 20:
                break  # pricing that does not settle (cannot happen in exact arithmetic); _bound repairs
            if rounds and time.perf_counter() > deadline:
                stats["lp_stopped_at_deadline"] = True
                break  # any duals give a valid bound once _bound has repaired them
            rounds += 1
            stats["lp_rounds"] += 1
            t0 = time.perf_counter()
            solver.SetTimeLimit(max(1, int(1000 * (deadline - t0))))
            simplex(dual=not primal)
            status = solver.Solve(params)
            stats.setdefault("lp_solve_s", []).append(round(time.perf_counter() - t0, 3))
            if status != pywraplp.Solver.OPTIMAL:
                stats["lp_status"] = int(status)
                if last is None and (first or status == pywraplp.Solver.INFEASIBLE):
                    return None
                stats["lp_stopped_at_deadline"] = True
                break  # the previous round's duals (y, z; x and e are that round's solution)
            # the solution and the duals in one call (a value per object costs 6x more): the model
            # holds, in the order made, the trio variables then the pairs' (xs), and the degree
            # rows, the trio row, then the cuts
            response = linear_solver_pb2.MPSolutionResponse()
            solver.FillSolutionResponseProto(response)
            values, duals = np.asarray(response.variable_value), np.asarray(response.dual_value)
            first_cut = n + (1 if odd else 0)
            if len(values) != len(t_vars) + len(xs) or len(duals) != first_cut + len(cuts):
                raise AssertionError("the LP holds other variables or rows than blossom_bound made")
            y = -duals[:n]
            z = np.maximum(0.0, -duals[first_cut:]).tolist()
            # separation: odd components of the support that violate their cut
            x = values[len(t_vars):]
            t = values[:len(t_vars)] if odd else None
            e = np.asarray(edges)
            last = (y, z, e, x)
            on = x > 1e-7
            violated = []
            if separate and (on & (x < 1 - 1e-7)).any():
                # the pairs the duals make tight: an odd cluster is a component of them (its members
                # matched whole among themselves hide it from the support's components)
                rc_lp = -weight_of(e[:, 0], e[:, 1]) + y[e[:, 0]] + y[e[:, 1]]
                for (S, _), zS in zip(cuts, z):
                    if zS > 0:
                        in_s = np.zeros(n, dtype=bool)
                        in_s[S] = True
                        rc_lp = rc_lp + zS * (in_s[e[:, 0]] & in_s[e[:, 1]])
                tight = rc_lp < 1e-9
                violated = _violated_sets(n, e[on], x[on], t, cut_keys, extra=e[tight])
            stats.setdefault("lp_violated", []).append(len(violated))
            if odd and stats["lp_violated"][-8:] == [1] * 8:
                # odd n: one odd set at a time keeps reappearing (the LP's trio moving about); stop cutting
                stats["lp_capped"] = True
                separate = False
                violated = []
            primal = False
            if violated:
                for S in violated:
                    cut_keys.add(S.tobytes())
                    row = solver.Constraint(-infinity, (len(S) - 1) / 2)
                    in_s = np.zeros(n, dtype=bool)
                    in_s[S] = True
                    for k in np.flatnonzero(in_s[e[:, 0]] & in_s[e[:, 1]]).tolist():
                        row.SetCoefficient(xs[k], 1.0)
                    if odd:
                        for v in S.tolist():
                            row.SetCoefficient(t_vars[v], -1.0 / 6)
                    for v in S.tolist():
                        member_of[v].append(len(cuts))
                    cuts.append((S, row))
                    stats["lp_cuts"] += 1
                continue
            # pricing over every allowed pair (only once no cut is violated)
            add = price(y, z)
            if add is None:
                break
            add |= add.T
            add &= ~have
            np.fill_diagonal(add, False)
            if not add.any():
                break
            have[add] = True
            primal = True
            stats["lp_priced"] = stats.get("lp_priced", 0) + add_edges(add)
        return last

    first = cutting_planes(price_first, True)
    if first is None:
        return None
    y, z, e, x = first
    seating = _as_seating(n, odd, e, x)
    sets = [S for S, _ in cuts]
    Y, Z = _integer_duals(y, z + [0.0] * (len(cuts) - len(z)), scale)
    RC = _reduced(W, allowed, Y, sets, Z)
    f = 2
    # what rounding and repairing the duals loses against the LP's own value; refined when that is
    # a good share of the gap to the best seating (else the LP's own gap is what keeps pairs)
    D_first = _dual_value(Y, sets, Z, odd) + 2 * int(np.maximum(0, -RC.min(axis=1)).sum())
    loss = D_first - 4 * float(np.dot(W[e[:, 0], e[:, 1]].astype(float), x))
    stats["lp_rounding_loss"] = int(loss)
    worth = incumbent2 is None or REFINE_SHARE * loss >= D_first - 2 * incumbent2
    if refine and worth and loss > 0 and time.perf_counter() < deadline:
        refine_started = time.perf_counter()
        # the first duals' costs without their odd-set part (the second LP finds its own: its odd-set
        # duals may take back the first ones', whose rounding noise sits on sets of hundreds)
        _add_sets(RC, sets, -Z)
        e = np.asarray(edges)
        rc_e = RC[e[:, 0], e[:, 1]]
        cap = float(REFINE_CAP * max(1, int(np.abs(rc_e[x > 1e-7]).max(initial=0))))
        div = max(cap, -float(rc_e.min(initial=0)))
        weight_of = lambda i, j: -np.minimum(RC[i, j], cap) / div  # noqa: E731
        for k, w in enumerate(weight_of(e[:, 0], e[:, 1]).tolist()):
            objective.SetCoefficient(xs[k], -w)

        def price_refined(y2: np.ndarray, z2: list[float]) -> np.ndarray | None:
            """Pairs whose combined cost ``2 RC + Y2[i] + Y2[j] + sum Z2`` is negative, exact
            integers, a block of rows at a time (``price_k`` most negative per attendee)."""
            Y2, Z2 = _integer_duals(y2, z2, div)
            add = np.zeros((n, n), dtype=bool)
            for s in range(0, n, block):
                combined = 2 * RC[s:s + block] + Y2[s:s + block, None] + Y2[None, :]
                for (S, _), q in zip(cuts, Z2.tolist()):
                    inside = S[(S >= s) & (S < s + block)]
                    if q > 0 and len(inside):
                        combined[np.ix_(inside - s, S)] += q
                negative = (combined < 0) & allowed[s:s + block] & ~have[s:s + block]
                for r in np.flatnonzero(negative.any(axis=1)).tolist():
                    cols = np.flatnonzero(negative[r])
                    add[s + r, cols[np.argsort(combined[r, cols], kind="stable")[:price_k]]] = True
            return add if add.any() else None

        rounds_before = stats["lp_rounds"]
        second = cutting_planes(price_refined, False)
        stats["lp_refine_rounds"] = stats["lp_rounds"] - rounds_before
        if second is None:
            _add_sets(RC, sets, Z)  # the first duals stand
        else:
            y2, z2, e2, x2 = second
            seating = _as_seating(n, odd, e2, x2) or seating
            sets = [S for S, _ in cuts]
            Y2, Z2 = _integer_duals(y2, z2 + [0.0] * (len(cuts) - len(z2)), div)
            RC *= 2
            RC += Y2[:, None]
            RC += Y2[None, :]
            _add_sets(RC, sets, Z2)
            Y, Z, f = 2 * Y + Y2, Z2, 4
        np.putmask(RC, ~allowed, BIG)
        np.fill_diagonal(RC, BIG)
        stats["lp_refine_s"] = round(time.perf_counter() - refine_started, 4)
    D, Y = _bound(allowed, Y, sets, Z, RC, odd)
    stats["lp_edges"] = len(edges)
    stats["lp_seconds"] = round(time.perf_counter() - start, 4)
    return BlossomBound(D, f, RC, Y, stats, seating)


def _add_sets(RC: np.ndarray, sets: list[np.ndarray], Z: np.ndarray) -> None:
    """``RC[i, j] += Z[S]`` for every set S holding both i and j, in place."""
    for S, q in zip(sets, Z.tolist()):
        if q:
            RC[np.ix_(S, S)] += q


REFINE_CAP = 1_000
"""The refining LP sees each reduced cost up to this many times the largest on the first LP's
solution (the costs that matter); a larger one is taken as that cap."""
REFINE_SHARE = 4
"""Refined only when the first duals' loss is at least a quarter of their bound's gap to the best
seating: tied groups (the LP tight, its gap all rounding) gain the proof; where the LP's own gap
is wide (clustered groups) the second loop would cost its rounds for nothing."""


SEPARATION_THRESHOLDS = (1e-7, 0.3, 0.6)
"""Odd sets are looked for among the connected components of the pairs with x above each
threshold: the whole support finds the odd cycles of a half-integral solution, the higher
thresholds the odd clusters hidden inside a larger, even component of the support (clustered
groups need them; with the support alone the LP went on for 60 rounds there)."""


def _violated_sets(n: int, e: np.ndarray, x: np.ndarray, t: np.ndarray | None, cut_keys: set[bytes],
                   extra: np.ndarray | None = None) -> list[np.ndarray]:
    """Odd vertex sets S whose cut ``x(E(S)) - t(S) / 6 <= (|S| - 1) / 2`` the LP solution violates.

    ``e``, ``x``: the support's pairs and values.  A heuristic separation (exact separation needs
    a Gomory-Hu tree): components of the pairs above each of SEPARATION_THRESHOLDS.
    """
    found = []
    edge_sets = [e[x > threshold] for threshold in SEPARATION_THRESHOLDS]
    if extra is not None:
        edge_sets.append(extra)
    for chosen in edge_sets:
        if not len(chosen):
            continue
        graph = sparse.coo_matrix((np.ones(len(chosen)), (chosen[:, 0], chosen[:, 1])), shape=(n, n))
        count, label = connected_components(graph, directed=False)
        sizes = np.bincount(label, minlength=count)
        a, b = label[e[:, 0]], label[e[:, 1]]
        same = a == b
        inside = np.bincount(a[same], weights=x[same], minlength=count)
        tsum = np.bincount(label, weights=t, minlength=count) if t is not None else np.zeros(count)
        for c in np.flatnonzero((sizes % 2 == 1) & (sizes > 1)):
            if inside[c] - tsum[c] / 6 > (sizes[c] - 1) / 2 + 1e-6:
                S = np.flatnonzero(label == c)
                key = S.tobytes()
                if key not in cut_keys:
                    cut_keys.add(key)
                    found.append(S)
    for S in found:
        cut_keys.discard(S.tobytes())  # the caller adds them back as it cuts
    return found


def _as_seating(n: int, odd: bool, e: np.ndarray, x: np.ndarray) -> list[tuple[int, ...]] | None:
    """The LP solution as groups when it is one: pairs at 1, and for odd n one triangle at 1/2."""
    whole = x > 1 - 1e-7
    half = np.abs(x - 0.5) < 1e-7
    if not np.all(whole | half | (x < 1e-7)):
        return None
    groups: list[tuple[int, ...]] = [(int(a), int(b)) for a, b in e[whole]]
    if odd:
        tri = e[half]
        if len(tri) != 3:
            return None
        members = sorted(set(tri.ravel().tolist()))
        if len(members) != 3:
            return None
        groups.append(tuple(members))
    elif half.any():
        return None
    seated = [v for g in groups for v in g]
    if len(seated) != n or len(set(seated)) != n:
        return None
    return groups



Regroup = Callable[[np.ndarray], "tuple[list[list[int]], list[list[int]], list[tuple[int, ...]] | None]"]


def odd_set_ascent(allowed: np.ndarray, pair0: np.ndarray, Y0: np.ndarray, odd_cycles: list[list[int]],
                   even_cycles: list[list[int]], odd: bool, deadline: float, regroup: Regroup | None = None,
                   rounds: int = 1) -> BlossomBound | None:
    """Odd-set duals without an LP: the assignment's duals improved by a dual ascent in the manner
    of Edmonds' blossom algorithm, for a bound ``D`` and costs as ``blossom_bound``'s (``f = 2``).
    Milliseconds where the LP takes tens of them, and on clustered groups nearly as tight
    (N = 200, one pass: the gap to the optimum from 1,532 units to 26, the pairs that could beat
    it from all 19,900 to 449).

    Start: ``Y0`` with ``pair0 = Y0[i] + Y0[j] - 2 W >= 0`` (the assignment's pair costs, ``2 A =
    2 sum Y0``) and the assignment's cycle cover: its odd cycles root trees, its even cycles are
    split into pairs.  A pass (``_ascent_pass``) grows Edmonds' alternating trees along pairs of
    cost <= 1 and lets every growing tree take a step ``t`` at once: its outer nodes ``Y -= t``,
    its inner ones ``Y += t``, each of its top-level blossoms ``Z += 2 t``.  A pair inside a
    blossom, between an inner node and its tree neighbours, or from an inner node to anyone keeps
    its cost or gains; a pair from an outer node to a node in no growing tree loses ``t``, and
    between two outer nodes ``2 t``: ``t`` is the least such cost (half, between outer nodes), and
    the bound ``2 sum Y + sum Z (|S| - 1)`` falls by ``2 t`` per tree.  Two trees that meet (an
    augmenting path), or a tree that reaches one that stopped, stop; their nodes but the root's
    blossom are free again for other trees.  Any odd sets with ``Z >= 0`` give a valid bound (the
    pass only ever lowers a pair's cost by what it has), so these choices only decide how tight
    it is.

    For an odd count the trio may lie inside a blossom: ``D`` adds the third largest ``zsum`` as
    ``blossom_bound`` does.

    ``rounds``: after a pass, ``regroup`` (given the pairs of cost <= 1) takes the augmenting
    paths the trees stopped at (a maximum matching of those pairs) and returns the attendees it
    leaves alone (the next pass's roots), its pairs, and a seating when it leaves no one; the
    next pass starts there, from the duals and sets of the last (a set's ``Z`` stays).  Stops
    early when a pass takes no step or the roots do not shrink.  None when the deadline passes."""
    trees = len(odd_cycles)
    RC = np.where(allowed, pair0, BIG)  # (the forbidden pairs' costs near 2**62: no overflow below)
    np.fill_diagonal(RC, BIG)
    Y = Y0.copy()
    blossoms: list[np.ndarray] = []
    Z: list[int] = []
    steps = 0
    seating = None
    pairs = [[c[k], c[k + 1]] for c in even_cycles for k in range(0, len(c), 2)]  # (not all of cost 0)
    for done in range(1, rounds + 1):
        grown = _ascent_pass(RC, odd_cycles, pairs, deadline)
        if grown is None:
            return None
        p, sets, Zs, taken = grown
        steps += taken
        Y += p
        RC += p[:, None]
        RC += p[None, :]
        used = [k for k, z in enumerate(Zs) if z]
        _add_sets(RC, [sets[k] for k in used], np.asarray([Zs[k] for k in used], dtype=np.int64))
        blossoms += [sets[k] for k in used]
        Z += [Zs[k] for k in used]
        np.putmask(RC, ~allowed, BIG)
        np.fill_diagonal(RC, BIG)
        if done == rounds or regroup is None or not taken:
            break
        left, pairs, seating = regroup(RC <= 1)
        if seating is not None or len(left) >= len(odd_cycles):
            break
        odd_cycles = left
    # (no repair, by the argument above: a guard)
    D, Yb = _bound(allowed, Y, blossoms, np.asarray(Z, dtype=np.int64), RC, odd)
    stats = {"ascent_steps": steps, "ascent_trees": trees, "ascent_rounds": done,
             "ascent_repair": int((Yb - Y).sum())}
    return BlossomBound(D, 2, RC, Yb, stats, seating)


def _ascent_pass(costs: np.ndarray, odd_cycles: list[list[int]], pairs: list[list[int]], deadline: float
                 ) -> tuple[np.ndarray, list[np.ndarray], list[int], int] | None:
    """One pass of ``odd_set_ascent`` on pair costs ``costs`` (BIG where forbidden), from the
    roots ``odd_cycles`` (a cycle, or one attendee) and the ``pairs`` everyone else sits in: the
    duals' change ``p``, the blossoms made and their ``Z``, and the steps taken; None at the
    deadline.

    Edmonds' trees: an outer node reaching a pair's member j at cost <= 1 takes j as inner and
    its partner as outer; two outer nodes of one tree at cost <= 1 close a cycle through their
    lowest common ancestor, whose pseudo-nodes (single outer nodes and blossoms) and the inner
    nodes between them become one new blossom (outer).  Every top-level blossom of a growing
    tree takes ``Z += 2 t`` a step; inner nodes are single nodes (a pair's member)."""
    n = len(costs)
    roots = len(odd_cycles)
    tree = np.full(n, -1, dtype=np.int64)  # the tree a node is in (growing or stopped), or -1
    sign = np.zeros(n, dtype=np.int64)  # -1 outer, +1 inner (while its tree grows), 0 otherwise
    bid = -1 - np.arange(n)  # each node's top-level blossom (an index into sets), or -1 - itself
    mate = np.full(n, -1, dtype=np.int64)
    parent = np.full(n, -1, dtype=np.int64)  # an inner node's outer node
    sets: list[np.ndarray] = []  # every blossom made, and its Z (2 t per step it was top-level)
    Zs: list[int] = []
    base: list[int] = []  # each blossom's base: the member whose mate (if any) is outside it
    top: list[set[int]] = [set() for _ in range(roots)]  # each tree's top-level blossoms
    for a, b in pairs:
        mate[a], mate[b] = b, a
    for r, c in enumerate(odd_cycles):
        tree[c] = r
        sign[c] = -1
        if len(c) > 1:
            bid[c] = len(sets)
            top[r].add(len(sets))
            sets.append(np.asarray(c, dtype=np.int64))
            Zs.append(0)
            base.append(int(c[0]))
    growing = np.ones(roots, dtype=bool)
    p = np.zeros(n, dtype=np.int64)  # Y - Y0
    steps = 0

    def members(x: int) -> list[int]:
        return sets[x].tolist() if x >= 0 else [-1 - x]

    def up(x: int) -> int | None:
        """The pseudo-node above pseudo-node x in its tree (None at the root)."""
        j = int(mate[base[x] if x >= 0 else -1 - x])
        return None if j < 0 else int(bid[parent[j]])

    def blossom(r: int, i: int, j: int) -> np.ndarray:
        """Outer i and j of tree r close a cycle: its new blossom's members."""
        path_i: list[int] = [int(bid[i])]
        while (x := up(path_i[-1])) is not None:
            path_i.append(x)
        on_i = {x: k for k, x in enumerate(path_i)}
        path_j: list[int] = [int(bid[j])]
        while path_j[-1] not in on_i:
            x = up(path_j[-1])
            if x is None:
                raise AssertionError("two outer nodes of one tree without a common ancestor")
            path_j.append(x)
        lca = path_j[-1]
        chosen = path_i[:on_i[lca] + 1] + path_j[:-1]
        inner = [int(mate[base[x] if x >= 0 else -1 - x]) for x in chosen if x != lca]
        nodes = np.asarray(sorted({v for x in chosen for v in members(x)} | set(inner)), dtype=np.int64)
        b = len(sets)
        sets.append(nodes)
        Zs.append(0)
        base.append(base[lca] if lca >= 0 else -1 - lca)
        top[r].difference_update(x for x in chosen if x >= 0)
        top[r].add(b)
        bid[nodes] = b
        sign[nodes] = -1
        return nodes

    def stop(r: int) -> None:
        """Tree r stops: its root's pseudo-node stays, every other node is free again."""
        growing[r] = False
        in_r = np.flatnonzero(tree == r)
        sign[in_r] = 0
        root_key = next(int(bid[v]) for v in in_r.tolist() if mate[v] < 0 or int(bid[v]) >= 0 and mate[base[int(bid[v])]] < 0)
        keep = bid[in_r] == root_key
        free = in_r[~keep]
        freed_now[free] = True
        tree[free] = -1
        bid[free] = -1 - free

    # best[j] + p[j]: the least cost of a pair from j to an outer node (but its own blossom's),
    # ``by[j]`` that node.  Every outer node's dual falls by t a step, so best falls by t; it is
    # recomputed only where the outer nodes change (Edmonds' slack per vertex): for the columns
    # whose outer node is outer no more or whose blossom grew, and every column gets the rows of
    # nodes outer anew, those a stop freed and another tree took again in the same batch included
    freed_now = np.zeros(n, dtype=bool)  # freed by a stop in this batch
    best = np.full(n, 2 * BIG, dtype=np.int64)
    by = np.full(n, -1, dtype=np.int64)

    def refresh(cols: np.ndarray) -> None:
        """best and by of ``cols`` over every outer node."""
        rows = np.flatnonzero(sign < 0)
        if not len(rows) or not len(cols):
            best[cols] = 2 * BIG
            return
        block = costs[np.ix_(rows, cols)] + p[rows, None]
        np.putmask(block, bid[rows, None] == bid[None, cols], 2 * BIG)
        at = block.argmin(axis=0)
        best[cols] = block[at, np.arange(len(cols))]
        by[cols] = rows[at]

    def add_rows(rows: np.ndarray) -> None:
        """Outer nodes that were not: best and by of every column, with them too."""
        if not len(rows):
            return
        block = costs[rows] + p[rows, None]
        np.putmask(block, bid[rows, None] == bid[None, :], 2 * BIG)
        at = block.argmin(axis=0)
        least = block[at, np.arange(n)]
        better = least < best
        best[better] = least[better]
        by[better] = rows[at[better]]

    refresh(np.arange(n))
    while growing.any():
        if time.perf_counter() > deadline:
            return None
        cost = best + p
        # twice the step each column allows: its least cost to an outer node, the cost itself to
        # another outer node (both lose); none for an inner node (its pairs never lose)
        allows = np.where(sign > 0, 4 * BIG, np.where(sign < 0, cost, 2 * cost))
        least = int(allows.min())
        if least <= 2:  # a pair of cost 0 or 1 (a step of 0)
            was_outer = sign < 0
            stale = np.zeros(n, dtype=bool)
            freed_now.fill(False)
            stopped = False
            for j in np.flatnonzero(allows <= 2).tolist():
                i = int(by[j])
                r, q = int(tree[i]), int(tree[j])
                if not growing[r] or sign[i] >= 0 or sign[j] > 0 or bid[i] == bid[j]:
                    continue
                if q < 0:
                    k = int(mate[j])
                    tree[j] = tree[k] = r
                    sign[j], sign[k] = 1, -1
                    parent[j] = i
                elif q == r:
                    stale[blossom(r, i, j)] = True
                else:
                    # two trees meet (an augmenting path), or a tree reaches one that stopped
                    for x in (r, q) if growing[q] else (r,):
                        stop(x)
                    stopped = True
            outer = sign < 0
            if stopped:  # columns whose outer node is outer no more
                stale |= (by < 0) | ~outer[np.maximum(by, 0)]
            if stale.any():
                refresh(np.flatnonzero(stale))
            add_rows(np.flatnonzero(outer & (~was_outer | freed_now)))
            continue
        t = least // 2
        if t >= BIG // 4:
            break  # nothing left to reach (an odd count's last tree)
        p += t * sign
        best -= t
        for r in np.flatnonzero(growing).tolist():
            for b in top[r]:
                Zs[b] += 2 * t
        steps += 1
    return p, sets, Zs, steps
