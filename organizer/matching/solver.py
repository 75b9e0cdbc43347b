"""Exact maximum-weight seating (pairs, one trio for an odd count).

The model
---------
Attendees ``0..n-1`` with an integer, symmetric weight matrix ``W`` and a
symmetric boolean matrix ``allowed`` (forbidden pairs and the diagonal are
False).  A seating is a partition into pairs, plus exactly one trio when ``n``
is odd, using allowed pairs only.  Its value is the sum of its pair weights,
plus for the trio **half** the sum of its three pair weights: in a trio each
person splits the lunch between two partners, so each of its three pairs gets
half a lunch.  Internally we work with twice that value ("value2"), an
integer: ``2 * sum(pairs) + sum(trio's three pairs)``.

Why this trio rule: it makes a seating exactly a *cycle cover* of the doubled
bipartite graph (row i to column j with weight ``W[i, j]``): a pair is a
2-cycle (i->j, j->i) worth ``2 W[i, j]``; the trio is a 3-cycle worth the sum of
its three pairs.  So ``value2(S) <= A`` for every seating S, where ``A`` is the
maximum-weight assignment (no fixed points) of the doubled graph.

The algorithm (per round), a primal-dual scheme
-----------------------------------------------
0. A quick seating (``quick_seating``: neighbours in index order, in about n
   steps) before the time limit is looked at, so that no limit leaves the solve
   empty-handed; then, when it fits before the deadline, a greedy seating
   (``greedy_seating``): pairs taken heaviest first among each attendee's few
   heaviest partners, in a few dense passes (not for odd counts up to
   ``odd_first_seating_min_n`` with a second or more left: the even bound, 1b, seats
   them better first).  Its bound: everyone's best allowed partner
   (``sum_v max_j W[v, j]`` bounds value2, since value2 is the sum of each
   attendee's share).
   Tied weights (``tight_seating``): when everyone can sit with a partner worth their best
   allowed weight (a trio of three who are each other's best), that seating reaches the bound
   just named and is optimal.  Found without a weighted matching: a cycle cover of those
   *tight* pairs by SciPy's Hopcroft-Karp, its odd cycles joined by alternating paths (one of
   them, for an odd count, gives the trio); on the sparse, tied family and on uniform weights
   0..100 this settles N = 2,000 in tens of milliseconds.
   Even n, no negative weight, few positive pairs of few distinct weights
   (sparse and tied): the heaviest matching on the positive pairs bounds every
   seating; when the attendees it leaves alone pair up on weight-0 pairs, that
   seating is optimal (``sparse_even_seating``).  Odd n, the same: that matching's optimal
   duals bound every seating by its weight plus the most a trio inside a blossom can gain; when
   a triangle with the heaviest matching of the others reaches it, that seating is optimal
   (``sparse_odd_seating``; up to ``sparse_first_max_n`` attendees first, above it after the
   tight seating).  Up to ``dense_max_n`` attendees with no negative weight, the same on any
   density, first (``dense_seating``): that heaviest matching is found by pricing, on each
   attendee's few heaviest pairs and then those its duals price negative; on complete, tied
   weights (clustered, uniform) it settles N = 200 and 201 two to three times faster than the
   steps below.
1. Odd n (above ``odd_first_seating_min_n``, or when the greedy seating found none): a
   better first seating (``first_seating``): a maximum-weight
   matching, by the compiled blossom algorithm (``cblossom``), on each attendee's few
   best pairs; the unmatched are matched among themselves, and the one left,
   or one it swaps places with, joins the pair that makes the best trio
   (``_add_lone``, a local search).  Even counts find theirs on the reduced
   costs (step 3).
1b. Odd n: the even bound (``_even_bound``).  An added attendee d, paired with
   each v at ``H[v]`` >= the least gain of any trio holding v
   (``trio_gain_bounds``), makes an even problem whose optimum bounds every
   seating (a seating maps to a matching by pairing the trio's least-gaining
   member with d); it is solved by this same even path, and its matching gives
   a seating.  Exact on uniform, sparse and most clustered groups.  (When its
   exact step would match more than ``even_bound_max_pairs`` pairs, the step is
   skipped for memory's sake and its odd-set LP's bound stands.)  Then the
   trios are checked on that problem's own reduced costs when they keep few
   pairs and trios (``_trios_by_even_costs``; proofs there), else step 2 on.
   A trio whose member that problem's proven matching pairs with the added
   attendee, and whose other two it pairs together, needs no check: the
   matching's other pairs are the best pairing of the rest.
2. The assignment relaxation (OR-Tools ``SimpleLinearSumAssignment`` on a
   sparse core, widened by pricing every allowed arc): ``A`` and its
   potentials by Bellman-Ford, hence reduced costs ``rc >= 0`` with the

   *Lemma.*  For every seating S, ``value2(S) = A - RC(S)``, where ``RC(S)`` is
   the sum of ``rc`` over the arcs of S's cycle cover: a pair {i, j} adds
   ``rc[i, j] + rc[j, i]``, the trio the cheaper orientation of its 3-cycle.

   If the optimal cycle cover has no odd cycle (or, for odd n, one 3-cycle)
   it is a seating: proven at once.
3. A second seating as in 1, on the cheapest pairs by reduced cost.  Even n
   first: one matching on the pairs whose cost is at most a threshold t
   (``_threshold_seating``, about 1.5 pairs per attendee); it proves itself
   when its value v has ``A - v <= t + 1`` (a better seating's pairs each cost
   less than ``A - v``, so all were there), as on uniform weights.
4a. Up to ``ascent_max_n`` attendees (``odd_ascent_max_n`` for odd counts), when the
   assignment's costs keep more than a few pairs each: odd-set duals by a dual ascent
   (``blossom.odd_set_ascent``: each odd cycle of the cycle cover roots an alternating tree
   grown along pairs of cost <= 1, and every tree lowers its outer members' duals at once, its
   blossoms taking the difference), milliseconds, with the same kind of bound and costs as the
   LP's below; when they keep few pairs the LP is left out.
4. When the assignment's costs keep too many pairs, the matching LP with
   Edmonds' odd-set cuts (GLOP, ``blossom.py``, its duals refined to exact
   integers) gives an exact integer bound ``D`` and costs ``RC``: ``f value2(S)
   <= D - cost(S)`` (``f`` = 2, or 4 once refined; a pair costs ``2 RC``, the
   trio the sum of its three ``RC``).  Whichever keeps fewer
   pairs is used (``AssignmentCosts``, ``OddSetCosts``).  Even counts up to
   ``direct_matching_max_n``, and larger even counts whose assignment costs keep
   at most ``direct_pairs_per_attendee`` pairs each, skip the LP: one matching on
   the kept pairs costs less there.
5. Exact step.  A seating better than the incumbent ``L`` costs less than
   ``limit = U - f L`` (U = A, f = 1 or U = D, f = 2 or 4), so each of its pairs and
   its trio does.  Even n: one maximum-weight perfect matching (rustworkx) on
   the pairs of cost < limit, plus the incumbent's pairs, is the optimum.
   Odd n: the trios of cost < limit are listed (counted first by a sparse
   product; at most ``max_trios``: when more qualify, the cheapest are listed
   and the rest are covered by the bound), the kept pairs and trios split into
   connected components, exactly one of which is odd and must hold the trio;
   the even ones get one matching, and the odd one is solved once per
   candidate trio, cheapest first, until the trio's own bound
   ``(U - cost(trio)) / f`` cannot beat the best seating found; each check
   keeps only the pairs cheaper than the limit less the trio's cost, and is
   skipped without a matching when those pairs cannot pair everyone else
   (someone without one, an odd component) or everyone's cheapest pair
   already costs too much (``_TrioFloor``).  A check first seats who has one kept
   pair left (``_forced_pairs``: such pairs are in every perfect matching) and
   folds who has two (``_fold``: v, u and w become one attendee), then matches
   what is left: on realistic N = 2,001 a check's rustworkx matching goes from
   1,997 attendees to a few hundred.  Matchings run one connected
   component at a time, and those of steps 3 (the threshold's) and 5 on the
   duals' costs turned round (``matching_weights``: the node part of the cost,
   on which every perfect matching of the same attendees ranks as on W), so the
   blossom starts where the duals left off: on tied weights several times
   sooner (an even count's exact step only on the assignment's duals: on the
   LP's node duals a large clustered matching is slower than on W).  When the
   best seating improves, the trios are listed again under the lower limit.
   No model ever holds all trios.
6. Odd n, when the assignment's costs leave trios unchecked: the odd-set LP's
   costs, and step 5 again.

Time limit: the best seating and the best bound proven so far live in the
``Context``; every step checks the deadline (between pricing rounds, inside
the duals' iterations, GLOP is given the time left, between trio listings and
trio checks) and stops the solve (``_Expired``), which then returns that
seating with its bound.  rustworkx cannot be interrupted, so a matching is
started only when its modelled time (``SolverOptions.matching_seconds_*``,
scaled by the pace the instance has shown) fits before the deadline.  The
quick seating exists before the limit is looked at.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import rustworkx as rx
from ortools.graph.python import linear_sum_assignment
from scipy import sparse
from scipy.sparse.csgraph import connected_components, maximum_bipartite_matching

from organizer.matching.blossom import PRICE_K, BlossomBound, blossom_bound, odd_set_ascent, optimal_duals_bound
from organizer.matching.cblossom import Duals, max_weight_matching_duals
from organizer.matching.cblossom import available as compiled_available
from organizer.matching.cblossom import max_weight_matching as compiled_matching
from organizer.matching.types import InfeasibleError, SolveTimeoutError

Group = tuple[int, ...]  # a table: two attendees (indices), or three
Pairs = list[tuple[int, int]]


@dataclass
class RoundSolution:
    groups: list[Group]  # pairs and at most one trio, indices 0..n-1
    value2: int  # 2 * pair weights + trio's three pair weights
    bound2: int  # upper bound on value2 of any seating
    proven: bool
    stats: dict[str, Any] = field(default_factory=dict)


def seating_value2(W: np.ndarray, groups: Sequence[Sequence[int]]) -> int:
    """Twice the pairs' weights plus each trio's three pair weights (the pairs read at once: a
    Python loop over a hundred pairs costs 0.08 ms, a solve of a sparse N = 200 1.7 ms)."""
    pairs = [g for g in groups if len(g) == 2]
    total = 0
    if pairs:
        arr = np.asarray(pairs, dtype=np.int64)
        total = 2 * int(W[arr[:, 0], arr[:, 1]].astype(np.int64).sum())
    for g in groups:
        if len(g) == 3:
            a, b, c = g
            total += int(W[a, b]) + int(W[b, c]) + int(W[a, c])
    return total


# --------------------------------------------------------------------------- relaxation


def _top_k_edges(W: np.ndarray, allowed: np.ndarray, k: int) -> np.ndarray:
    """Boolean matrix: each row's k best allowed partners, symmetrised."""
    n = len(W)
    if k >= n - 1:
        return allowed.copy()
    masked = np.where(allowed, W, np.iinfo(np.int64).min // 4)  # (negated below: no overflow)
    idx = _heaviest_per_row(masked, k) if k <= 16 else np.argpartition(-masked, k, axis=1)[:, :k]
    core = np.zeros((n, n), dtype=bool)
    core[np.repeat(np.arange(n), k), idx.ravel()] = True
    core &= allowed
    return core | core.T


def _assignment(W: np.ndarray, core: np.ndarray) -> tuple[np.ndarray, int, np.ndarray, np.ndarray] | None:
    """Max-weight cycle cover on the core arcs: (sigma, value) or None if there is none."""
    n = len(W)
    rows, cols = np.nonzero(core)
    if not (core.any(axis=0).all() and core.any(axis=1).all()):
        return None  # someone has no candidate partner (OR-Tools would not even know the node)
    lsa = linear_sum_assignment.SimpleLinearSumAssignment()
    lsa.add_arcs_with_cost(rows.astype(np.int32), cols.astype(np.int32), -W[rows, cols])
    status = lsa.solve()
    if status == lsa.INFEASIBLE:
        return None
    if status != lsa.OPTIMAL or lsa.num_nodes() != n:
        raise RuntimeError(f"linear_sum_assignment failed with status {status}")
    sigma = np.fromiter((lsa.right_mate(i) for i in range(n)), dtype=np.int64, count=n)
    return sigma, -lsa.optimal_cost(), rows, cols


def _duals(W: np.ndarray, sigma: np.ndarray, rows: np.ndarray, cols: np.ndarray, ctx: Context) -> tuple[np.ndarray, np.ndarray]:
    """Potentials (d_row, d_col) making every core arc's reduced cost >= 0, sigma's = 0."""
    n = len(W)
    order = np.argsort(cols, kind="stable")
    rows, cols = rows[order], cols[order]
    w = W[rows, cols]
    starts = np.flatnonzero(np.concatenate(([True], cols[1:] != cols[:-1])))
    targets = cols[starts]
    w_sigma = W[np.arange(n), sigma]
    d_col = np.zeros(n, dtype=np.int64)
    for _ in range(2 * n + 2):
        ctx.check()
        d_row = d_col[sigma] + w_sigma
        cand = np.minimum.reduceat(d_row[rows] - w, starts)
        new = d_col.copy()
        new[targets] = np.minimum(new[targets], cand)
        if np.array_equal(new, d_col):
            return d_col[sigma] + w_sigma, d_col
        d_col = new
    raise RuntimeError("assignment duals did not converge (the assignment is not optimal)")


def _reduced_costs(W: np.ndarray, allowed: np.ndarray, d_row: np.ndarray, d_col: np.ndarray,
                   neg_w: np.ndarray | None = None) -> np.ndarray:
    """rc[i, j] = -W[i, j] + d_row[i] - d_col[j], huge where not allowed (``neg_w``: that -W, precomputed)."""
    if neg_w is None:
        neg_w = np.where(allowed, -W, np.iinfo(np.int64).max // 4)
    rc: np.ndarray = neg_w + d_row[:, None]
    rc -= d_col[None, :]
    return rc


class _Expired(Exception):
    """The deadline passed inside a step that has no answer yet."""


def relaxation(W: np.ndarray, allowed: np.ndarray, ctx: Context, neg_w: np.ndarray
               ) -> tuple[np.ndarray, int, np.ndarray, np.ndarray] | None:
    """Solve the doubled-graph assignment over all allowed arcs by core + pricing.

    Returns (sigma, A, rc, Y) or None when no cycle cover exists (then no seating exists);
    raises _Expired when the deadline passes between pricing rounds.  ``Y = d_row - d_col``: the
    duals made symmetric, ``rc + rc.T = Y[i] + Y[j] - 2 W`` and ``sum Y = A``.
    """
    n = len(W)
    k = ctx.options.core_k
    if ctx.heaviest is not None and ctx.heaviest.shape[1] >= k and len(ctx.heaviest) <= n:
        # the given heaviest partners of the first attendees (the even bound's problem: its own
        # heaviest are those, or the added attendee, whose pairs all join the core below)
        m = len(ctx.heaviest)
        core = np.zeros((n, n), dtype=bool)
        core[np.repeat(np.arange(m), k), ctx.heaviest[:, :k].ravel()] = True
        core &= allowed
        core |= core.T
    else:
        core = _top_k_edges(W, allowed, k)
    # a ring 0-1-...-(n-1)-0 of allowed pairs: with it the core nearly always has a cycle cover
    # (clustered scores can leave a person in nobody's top k, and proving that infeasible is slow)
    ring = np.arange(n)
    nxt = (ring + 1) % n
    ok = allowed[ring, nxt]
    core[ring[ok], nxt[ok]] = core[nxt[ok], ring[ok]] = True
    if ctx.added_attendee:  # the even bound's added attendee: all its pairs (see ``Context``)
        core[-1] = allowed[-1]
        core[:, -1] = allowed[:, -1]
    stats = ctx.stats
    stats["pricing_rounds"] = 0
    while True:
        ctx.check()
        solved = _assignment(W, core)
        if solved is None:
            if core.sum() == allowed.sum():
                return None
            k = min(2 * k, n - 1)
            core |= _top_k_edges(W, allowed, k)
            continue
        sigma, value, rows, cols = solved
        d_row, d_col = _duals(W, sigma, rows, cols, ctx)
        rc = _reduced_costs(W, allowed, d_row, d_col, neg_w)
        negative = rc < 0
        stats["pricing_rounds"] += 1
        if not negative.any():
            stats["core_arcs"] = int(len(rows))
            return sigma, int(value), rc, d_row - d_col
        # add, per row, the most negative arcs (and their reverses)
        bad_rows = np.flatnonzero(negative.any(axis=1))
        few = len(bad_rows) * ctx.options.price_take <= n  # then every negative arc of theirs
        take = n - 1 if few else min(ctx.options.price_take, n - 1)
        sub = rc[bad_rows]
        idx = np.argpartition(sub, take - 1, axis=1)[:, :take] if take < n else np.tile(np.arange(n), (len(bad_rows), 1))
        add = np.zeros_like(core)
        r = np.repeat(bad_rows, idx.shape[1])
        c = idx.ravel()
        keep = negative[r, c]
        add[r[keep], c[keep]] = True
        core |= add | add.T


def _cycles(sigma: np.ndarray) -> list[list[int]]:
    seen = [False] * len(sigma)
    nxt = sigma.tolist()
    out = []
    for s in range(len(nxt)):
        if seen[s]:
            continue
        cyc = []
        v = s
        while not seen[v]:
            seen[v] = True
            cyc.append(v)
            v = nxt[v]
        out.append(cyc)
    return out


def _split_even_cycle(W: np.ndarray, cyc: list[int]) -> Pairs:
    if len(cyc) == 2:
        return [(cyc[0], cyc[1])]
    a = [(cyc[i], cyc[i + 1]) for i in range(0, len(cyc), 2)]
    b = [(cyc[i], cyc[(i + 1) % len(cyc)]) for i in range(1, len(cyc), 2)]
    wa = sum(int(W[x, y]) for x, y in a)
    wb = sum(int(W[x, y]) for x, y in b)
    return a if wa >= wb else b




# --------------------------------------------------------------------------- options and context


@dataclass(frozen=True)
class SolverOptions:
    """The solver's tuning constants.  None of them changes an answer's value, only the time to reach it."""

    core_k: int = 8
    """Best pairs per attendee in the first assignment core: 8 nearly always holds the optimal
    cycle cover, so pricing adds few arcs; smaller cores need more pricing rounds."""
    price_take: int = 16
    """Most negative arcs added per row in one pricing round: enough to settle in one or two
    rounds, few enough to keep the core sparse.  When at most ``n / price_take`` rows have
    negative arcs, they take all of theirs (only negative arcs join): one attendee who could sit
    with almost anyone (the even bound's added attendee, at a re-seating that keeps the tables)
    would otherwise take a round per 16 of its arcs (55 rounds, 0.86 s, at N = 1,001)."""
    first_k: int = 6
    """Cheapest pairs per attendee in the graph the first seating is matched on (rustworkx):
    6 nearly always has a perfect matching and keeps that matching at a few milliseconds per
    hundred attendees; when it has none the graph is widened four-fold."""
    odd_first_seating_min_n: int = 600
    """Odd counts up to this many attendees skip the first seating's matching when the greedy one
    exists: the even bound's problem, solved next, makes its own seating, and there the
    matching cost more than it saved (4 bench seeds each: uniform 501, 0.28 -> 0.22 s; realistic
    501, 1.13 -> 1.03 s; sparse 201, 60 -> 46 ms; clustered 501 +2%).  Larger counts keep it: the
    even bound's odd-set LP settles sooner from it (clustered N = 2,001: 1.6 s against 2.6 s)."""
    odd_greedy_min_seconds: float = 1.0
    """Odd counts up to ``odd_first_seating_min_n`` skip the greedy seating too, the even bound
    seating them better, but only with at least this many seconds left: that seating comes in
    well under 0.1 s there, and until it does the quick one stands, which a limit passing
    earlier would return (uniform N = 201 at a 16 ms limit: 0.58 of the best, against 0.99 with
    the greedy seating)."""
    lp_pairs_per_attendee: int = 24
    """When the assignment's reduced costs keep more pairs than this per attendee for the exact
    step, the odd-set LP (``blossom.py``) is solved for tighter costs: it costs about one
    rustworkx matching of that size, and pays off on wide weights where the assignment's bound
    is loose."""
    max_trios: int = 1024
    """Candidate trios listed at most (odd counts), cheapest first.  Bounds memory and time: at
    most ``max_trio_checks`` of them are tried anyway, and when more could beat the incumbent
    the unlisted ones are covered by the bound (each costs at least the listing's limit)."""
    trio_listing_factor: int = 16
    """The trio listing looks at most this many times ``max_trios`` triangles before it lowers its
    threshold: enough that one pass nearly always settles the listing, few enough (16,384 triples)
    that it stays a few milliseconds and a few hundred kilobytes."""
    trio_swaps: int = 8
    """Odd counts: swaps at most in the local search that picks who joins a pair as the trio
    (``_add_lone``), after each matching's seating.  Each is one vectorised pass over every
    attendee and pair (about 10 ms at 2,000); most searches stop after one to three."""
    even_bound: bool = True
    """Odd counts: bound every seating by one even problem first (``_even_bound``): exact on most
    groups, and one even solve costs less than a few trio checks.  Off only to test the trio step
    on its own."""
    tight_seating: bool = True
    """Look first for a seating where everyone has a best partner (``tight_seating``): a few
    sparse passes, and on tied groups the whole proof.  Off only to test the other paths on
    tied groups."""
    trio_gain_k: int = 16
    """Odd counts: heaviest partners per attendee looked at for the even bound's trio gains
    (``trio_gain_bounds``); most attendees settle after one to three, and the next partner's
    weight bounds the rest, so more would only tighten a bound that is rarely the weak point."""
    trio_listing_growth: int = 16
    """When every listed trio is checked and the best seating did not improve (the same listing
    again), the next listing holds four times as many (the checked ones skipped), up to this
    many times ``max_trios``: realistic N = 2,001 has about 2,000 trios to check after the
    odd-set LP."""
    max_trio_checks: int = 16384
    """Candidate trios tried one by one (each a matching of the trio's component without it, on
    the pairs that could still beat the best seating) before the solver stops with its best
    seating and the proven gap; the deadline stops it sooner.  As many as can be listed
    (``max_trios`` times ``trio_listing_growth``): each check takes milliseconds to a few tenths
    of a second, and the deadline guards the rest."""
    long_listing_checks: int = 64
    """Odd counts: when the even costs list more than ``max_trios`` trios (up to ``max_trios``
    times ``trio_listing_growth``; more go to the odd path at once), at most this many of them are
    checked by a matching there before the odd path's own costs follow.  Most such listings
    settle in a few dozen, most trios beaten by their own bound (bench seeds 2 to 9: clustered
    N = 2,001, 1,029 trios, 4 matchings, 2.4 s against 25 s unproven on the odd path; realistic
    1,001, 27 to 52 matchings, 0.83-1.45 s against 1.2-1.75 s); the rest would pay more for each
    check than the odd path's LP costs (realistic 501, 4,712 trios: 230 matchings, 1.2 s; 64 then
    the odd path, 0.85 s; the odd path alone, 0.56 s)."""
    trio_checks_before_lp: int = 1
    """Odd counts: trio checks with the assignment's costs before the odd-set LP is solved for
    tighter ones.  Most odd groups are settled by the first check; when they are not, each further
    check is a matching of the trio's whole component, and the LP (refined, exact on tied groups)
    usually settles it: the door's few-topics N = 1,001, 2.3 s with one check, 2.8 s with two,
    4.4 s with eight (0.4 s each); the bench's families the same within noise with 1, 2 or 8
    (none: sparse N = 201 0.15 s against 0.03 s)."""
    exhaustive_trio_n: int = 40
    """Up to this many attendees, an odd count whose forbidden pairs defeat the first seating has
    every trio tried (a proof of infeasibility when none works); above it, trios are tried until
    the deadline.  Such groups are rare: most attendees would have to be forbidden to each other."""
    matching_seconds_per_node2: float = 2e-7
    matching_seconds_per_pair: float = 2e-5
    """rustworkx's time for one matching is modelled as ``a * nodes**2 + b * pairs`` (rustworkx
    cannot be interrupted: a matching that would end past the deadline is not started).  Measured
    on this project's families: 0.05 to 0.2 microseconds per node squared on a few best pairs per
    attendee, 0.7 to 18 microseconds per pair on complete graphs (the slowest clustered); the
    model takes the slow end, then learns the instance's own pace from each matching it times."""
    matching_large_s: float = 2.0
    matching_margin: float = 2.0
    """A large matching (modelled at ``matching_large_s`` or more) starts only when twice its
    predicted time is left, predicted at no less than the model: two of the same size in one
    solve can differ threefold (5,000 attendees: 3.8 s on the first seating's pairs, 12.8 s on
    the reduced costs' next ones), and seconds past the deadline make the whole solve late.
    Small ones start when their predicted time is left (a short limit needs them)."""
    matching_min_factor: float = 0.5
    """The learned pace of a small matching never drops below half the model: a later matching
    of the same solve can be harder than the first ones (more blossoms), and the machine's load
    varies."""
    greedy_k: int = 8
    """Best partners per attendee the greedy first seating looks at (sorted, heaviest first): 8
    seats all but a few percent of the attendees at once; the rest are paired among themselves."""
    greedy_seconds_per_cell: float = 4e-9
    """The greedy seating's time is modelled as this times ``n**2`` times ``greedy_k + 2`` passes
    (about 2 ns measured, doubled for a busy machine); when it would end past the deadline the
    solve returns the quick seating (neighbours in index order) with the best-partner bound."""
    convert_seconds_per_cell: float = 8e-9
    """Building the integer weight matrix from float weights (``seating.integer_weights``) is
    modelled as this times ``n**2`` (3 to 5 ns measured, doubled for a busy machine); with the
    greedy seating's time it decides whether a solve has the time to start at all, or returns
    every round's quick seating with the best-partner bound (``seating._quick_pairing``)."""
    even_duals_max_n: int = 300
    even_duals_kept_share: float = 0.9
    """The even bound's problem (up to this many attendees, no negative weight) whose assignment
    costs keep at least this share of the allowed pairs is solved by one compiled matching with
    its optimal duals (``_matching_with_duals``) instead of the ascent and an exact step:
    clustered N = 201 29 -> 17 ms.  Not larger: that matching's time grows with the cube of the
    attendees on a complete graph, and at N = 501 the ascent's way is as fast (90 ms)."""
    sparse_odd_seating: bool = True
    sparse_odd_trio_checks: int = 8
    """Odd counts whose weights are sparse and tied: the heaviest matching on the positive pairs
    and its duals' bound (``sparse_odd_seating``), which often proves its own seating, checking
    at most ``sparse_odd_trio_checks`` triangles that could beat it (sparse N = 201: 1.2 ms
    against 4.8 by the even bound)."""
    dense_max_n: int = 250
    dense_partners: int = 8
    dense_pricing_rounds: int = 6
    """Up to this many attendees whose weights are not sparse (nor negative): the heaviest
    matching on the positive pairs, its seating and (odd counts) its duals' bound
    (``dense_seating``), as for sparse weights, the matching found on each attendee's
    ``dense_partners`` heaviest pairs and then, at most ``dense_pricing_rounds`` times, those
    pricing negative at its duals (``_priced_matching``).  Before anything else (up to
    ``sparse_first_max_n``); 0: never."""
    sparse_first_max_n: int = 400
    """Up to this many attendees the sparse, tied shortcuts (``_shortcut_seating``) come before the
    quick seating (a millisecond either way); above it, after the quick seating, and for odd
    counts after the tight seating too (everyone has a partner at their best weight there, which
    is faster to find: N = 1,001 11 against 14 ms)."""
    sparse_even_bound: bool = True
    """Odd counts whose weights are sparse and tied (``_sparse_pairs``): the even bound's problem
    by one compiled matching and its duals (``_sparse_even_bound``) instead of the even path."""
    fold_min_nodes: int = 1_000
    """A perfect matching on pairs touching at least this many attendees first folds those with
    two pairs left (``_fold``, a Python loop); on fewer the compiled matching alone is faster
    (without it, rustworkx's is not: every size folds then)
    (sparse N = 201 9.0 -> 5.8 ms, clustered 201 24.7 -> 21.6), on more the fold still pays
    (realistic N = 2,001 15.1 -> 13.8 s)."""
    sparse_share: float = 0.1
    sparse_distinct_weights: int = 16
    """Even counts with at most this share of positive pairs, of at most this many distinct
    weights, are solved by one heaviest matching on the positive pairs (``sparse_even_seating``):
    rustworkx settles such tied, sparse graphs in one pass, faster than any bound; on wide,
    distinct weights it is slow (minutes at 2,000), so those go the primal-dual way."""
    even_trios_first_share: int = 4
    """Odd counts, the trio step on the even costs: the trios costing less than this share of the
    limit are listed and checked first; the rest only when those checks do not settle them."""
    even_pairs_per_attendee: int = 48
    """Odd counts: the trio step on the even problem's costs (``_trios_by_even_costs``) runs when
    they keep at most this many pairs per attendee; its listing of trios grows with the pairs
    times the attendees.  48 lets realistic N = 1,001 (26 pairs each: 6 matchings, 2.5 s, instead
    of 90 matchings on the odd path's costs, 9.6 s) through and keeps out 2,001 (77 each: the
    listing alone takes seconds and ends over ``max_trios``)."""
    exact_max_pairs: int = 2**62
    """Even counts: the most pairs the exact step's one matching may hold; above it the step is
    skipped and the bound proved so far stands.  Unbounded but in the even bound's problem
    (``even_bound_max_pairs``): elsewhere that matching is the proof."""
    skipped_exact_k: int = 64
    """When the exact step is skipped (``exact_max_pairs``), its seating still comes from one matching
    on each attendee's this many cheapest pairs (with the incumbent's).  In the even bound's
    problem at clustered N = 5,001 that seating is what lets the odd path prove the optimum at
    once: 35 s CPU in all, against 185 s with the LP's seating (190 trio checks)."""
    lp_max_rounds: int = 60
    """Rounds of odd-set cuts at most (each a warm-started GLOP solve of a few milliseconds):
    clustered groups need one round per layer of odd clusters, and a loose LP bound keeps far
    more pairs in the exact step than these rounds cost."""
    direct_matching_max_n: int = 600
    """Even counts up to this many attendees skip the odd-set LP, however many pairs the
    assignment's costs keep: one rustworkx matching on the kept pairs (the exact step) costs less
    there than the LP's model building and rounds (clustered N = 200: 18 ms against 60 ms; 500:
    0.27 s against 0.47 s); above it the LP pays (clustered N = 1,000: 0.76 s against 2.1 s)."""
    direct_pairs_per_attendee: int = 64
    """Larger even counts skip the odd-set LP too when the assignment's costs keep at most this
    many pairs per attendee: the matching's time follows the kept pairs, the LP's the attendees
    (realistic N = 2,000, 26 pairs each: 2.8 s against 7.2 s; the door's few-topics N = 1,000,
    24 each: 0.71 s against 1.1-1.4 s). Clustered groups keep every pair: the LP stays there."""
    threshold_seating_on_duals: bool = True
    """The threshold's matching (``_threshold_seating``) on the assignment's costs turned round
    (``AssignmentCosts.matching_weights``): the same optimum, several times sooner on ties (the
    door's spread data at N = 1,000: 0.22 s against 0.43 s for the whole solve).  In the even
    bound's problem too: there, on ties, it finds another of the optimal matchings, whose seating
    (its lone attendee joining a pair) is sometimes better, sometimes worse than the other's,
    but its matching costs less (seeds 1-4, N = 201 and 501 of the uniform, clustered and
    realistic families: 0.53-1.35x, 0.94x in geometric mean; uniform 501 0.61-0.90x)."""
    threshold_pairs_per_attendee: float = 1.5
    """Even counts: pairs per attendee (about) under the cost threshold of the second seating's
    first try (``_threshold_seating``): on uniform weights 1.1 per attendee hold the optimum.
    0: no such try (tests of the steps after it)."""
    second_seating_pairs_per_attendee: int = 128
    """Even counts: when the threshold's matching leaves some out and the seating completed from it
    keeps more pairs than this per attendee for the exact step, the second seating is made too
    (realistic N = 2,000: 755 pairs each, 55,000 in all after the second seating; 1,000: 175
    each, 0.36 s with it against 0.50 s without).  Below it the second seating rarely pays (the
    even bound's problem at realistic N = 1,001: 78 each, 1.05 s without it, 5.2 s with it)."""
    ascent_min_pairs_per_attendee: float = 8.0
    """When the assignment's costs keep more pairs than this per attendee for the exact step, the
    odd-set dual ascent (``blossom.odd_set_ascent``) is tried for tighter ones (fewer: one
    matching on them costs less than the ascent; realistic N = 200, 3 each: 11 ms against 15)."""
    ascent_max_n: int = 1200
    """Even counts up to this many attendees try the ascent: each of its rounds is linear in the
    attendees, but some look at every pair of a tree's members.  Clustered N = 1,000: 0.24 ->
    0.10 s (the LP left out), realistic 1,000: 0.33 -> 0.28 s; at 2,000 the LP costs less
    (clustered 1.10 s against 1.22 s with the ascent, realistic 1.06 against 1.26)."""
    odd_ascent_max_n: int = 600
    """The same for odd counts, their even bound's problem included (the added attendee
    counted).  There the added attendee sits in every cluster's reach, so on clustered groups the
    trees meet it and stop early, and the LP follows anyway: clustered N = 501, 0.10 -> 0.14 s;
    but realistic 201, 25 -> 16 ms and 501, 0.29 -> 0.13 s (its LP left out); at 1,001 both
    families lose (clustered 0.24 -> 0.32 s, realistic 0.43 -> 0.48 s)."""
    ascent_rounds: int = 1
    even_bound_ascent_rounds: int = 4
    """Passes of the ascent at most, and in the even bound's problem: after each, a maximum
    matching of the pairs of cost <= 1 takes the augmenting paths its trees stopped at, and the
    next pass grows trees from those it leaves alone (``_tight_regroup``).  The even bound's
    added attendee is paired with everyone, so there the first pass's trees soon meet at it and
    stop: clustered N = 201, its bound's gap 1,916 units after one pass, 14 after three, and the
    odd-set LP left out (49 -> 21 ms).  Elsewhere more passes cost more than they save
    (clustered 200: 449 pairs kept against 352, 10 against 13 ms; realistic 501, the odd path's
    own: 0.10 s against 0.56 s, 317 steps)."""
    ascent_pairs_per_attendee: int = 8
    """When the ascent's costs keep at most this many pairs per attendee, the odd-set LP is not
    solved: the exact step follows on them."""
    lp_price_k: int = PRICE_K
    """Cheapest pairs per attendee the odd-set LP starts from (it prices every other pair)."""
    even_bound_max_pairs: int = 2_000_000
    """Odd counts: the even bound's problem (``_even_bound``) skips its exact step's matching when
    more pairs than this could beat its incumbent, and keeps the odd-set LP's bound and costs
    instead; the odd path's own costs follow.  A bound on memory: rustworkx holds about 125 bytes
    per pair.  Clustered N = 5,001 keeps 9.9 million pairs there after the LP's 60 rounds: that
    matching took 40 s and the solve to 2.9 GB (72 s CPU in all, proven); without it, and with the
    seating of ``skipped_exact_k``, the odd path proves the optimum in 35 s at 1.6 GB.  Below
    N = 2,000 no family comes near (realistic N = 2,001: 2,438 pairs)."""


@dataclass
class Context:
    """What every step of one solve shares: its deadline, options, statistics, and the best
    seating found so far with the best bound proven so far (so any step may stop the solve)."""

    deadline: float  # a time.perf_counter() value
    options: SolverOptions = field(default_factory=SolverOptions)
    stats: dict[str, Any] = field(default_factory=dict)
    seating: list[Group] | None = None
    value2: int = 0
    bound2: int | None = None
    # the even bound's matching without the added attendee, and the one it was paired with: the
    # trio across two of its pairs (``_trio_across_pairs``) is tried when the trio step did not settle
    even_matching: tuple[Pairs, int] | None = None
    # the even bound's problem: its last attendee is the added one, whose pairs (weights H, not
    # comparable with the others') all start in the assignment's core; priced in, they cost a
    # second round (uniform N = 201: 8.0 -> 6.6 ms)
    added_attendee: bool = False
    # each attendee's heaviest allowed partners, heaviest first (m columns; ``trio_gain_bounds``'): in the even
    # bound's problem the assignment's core starts from them, not from a pass of its own
    heaviest: np.ndarray | None = None
    matching_factor: float = 0.0  # observed / predicted time of rustworkx matchings (the largest seen)
    trio_gain: np.ndarray | None = None  # odd counts: H of ``trio_gain_bounds``, once the even bound is known
    even_bound2: int | None = None  # odd counts: the even problem's bound on value2 (``_even_bound``)
    costs: AssignmentCosts | None = None  # the reduced costs the exact step used (the even bound reads them)
    even_costs: AssignmentCosts | None = None  # odd counts: the even problem's ``costs``
    even_mate: np.ndarray | None = None  # odd counts: each attendee's partner in the even problem's proven best matching

    def expired(self) -> bool:
        return time.perf_counter() >= self.deadline

    def seconds_left(self) -> float:
        return self.deadline - time.perf_counter()

    def check(self) -> None:
        """Stop the solve (``_Expired``) when the deadline has passed and a seating exists."""
        if self.seating is not None and self.expired():
            raise _Expired

    def offer(self, W: np.ndarray, seating: Sequence[Group] | None, value2: int | None = None) -> None:
        """Keep ``seating`` if it is the best so far (``value2``: its value, when known)."""
        if seating is None:
            return
        value = seating_value2(W, seating) if value2 is None else value2
        self.stats.setdefault("first_seating_at", time.perf_counter())  # a time.perf_counter() value
        if self.seating is None or value > self.value2:
            self.seating, self.value2 = list(seating), value

    def tighten(self, bound2: int) -> None:
        """A proven upper bound on value2."""
        self.bound2 = bound2 if self.bound2 is None else min(self.bound2, bound2)

    def proven(self) -> bool:
        return self.seating is not None and self.bound2 is not None and self.value2 >= self.bound2

    def result(self) -> RoundSolution:
        if self.seating is None:
            raise SolveTimeoutError("the time limit ran out before any seating was found")
        proven = self.proven()
        bound2 = self.value2 if proven or self.bound2 is None else max(self.value2, self.bound2)
        return RoundSolution(self.seating, self.value2, bound2, proven, self.stats)

    def predicted_matching_s(self, nodes: int, pairs: int) -> float:
        """rustworkx's time for one matching: a cautious model, scaled by what this instance
        showed (never below the model for a large one: see ``matching_large_s``)."""
        o = self.options
        model = o.matching_seconds_per_node2 * nodes * nodes + o.matching_seconds_per_pair * pairs
        floor = o.matching_min_factor if model < o.matching_large_s else 1.0
        return model * max(floor, self.matching_factor or 1.0)

    def can_match(self, nodes: int, pairs: int) -> bool:
        """Whether a matching on this many attendees and pairs should end before the deadline
        (a large one with room for ``matching_margin`` times its predicted time)."""
        predicted = self.predicted_matching_s(nodes, pairs)
        margin = self.options.matching_margin if predicted >= self.options.matching_large_s else 1.0
        return predicted * margin < self.seconds_left()

    def observe_matching(self, nodes: int, pairs: int, seconds: float) -> None:
        """Learn rustworkx's pace on this instance (the slowest seen), for ``can_match``."""
        if seconds > 0.005:
            o = self.options
            model = o.matching_seconds_per_node2 * nodes * nodes + o.matching_seconds_per_pair * pairs
            self.matching_factor = max(self.matching_factor, seconds / model)
            self.stats["matching_factor"] = round(self.matching_factor, 3)


# --------------------------------------------------------------------------- reduced costs


class AssignmentCosts:
    """The assignment relaxation's reduced costs: ``value2(S) = A - cost(S)`` exactly (U = A, f = 1).

    A pair {i, j} costs ``rc[i, j] + rc[j, i]``; a trio the cheaper orientation of its 3-cycle.
    """

    f = 1

    def __init__(self, rc: np.ndarray, A: int):
        self.rc = rc
        self.U = int(A)
        self.pair = rc + rc.T  # huge where not allowed (rc < 2**61), no overflow

    def trio_edge(self) -> np.ndarray:
        return np.asarray(np.minimum(self.rc, self.rc.T))

    def trio(self, a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
        rc = self.rc
        return np.asarray(np.minimum(rc[a, b] + rc[b, c] + rc[c, a], rc[a, c] + rc[c, b] + rc[b, a]))

    def limit(self, L2: int) -> int:
        """A seating worth more than ``L2`` (value2) costs less than this."""
        return self.U - self.f * L2

    def value2_above(self, units: int) -> int:
        """The most a seating of cost >= ``units`` can be worth (value2)."""
        return (self.U - units) // self.f

    def node_cost(self, W: np.ndarray, pi: np.ndarray, pj: np.ndarray, scale: int = 1) -> np.ndarray:
        """The pairs' costs from the node duals alone: ``p[i] + p[j] - f' W[i, j]`` for some ``p`` and
        ``f' > 0`` (here the pair's cost itself), so every perfect matching of the same attendees
        costs a constant minus ``f'`` times its weight (``matching_weights``).  ``scale``: the
        costs' own problem weighs pairs ``scale W`` (the even bound's doubles them)."""
        return np.asarray(self.pair[pi, pj])

    def matching_weights(self, W: np.ndarray, pi: np.ndarray, pj: np.ndarray, scale: int = 1) -> np.ndarray:
        """Weights for the pairs (pi, pj) that rank the perfect matchings of any set of attendees as
        ``W`` does (``node_cost`` turned round, all >= 1).  rustworkx's blossom then starts from the
        relaxation's duals: the pairs these costs call tight weigh most and are matched first, and
        on tied weights it ends several times sooner (the door's few-topics data at N = 1,000:
        0.11 s against 0.54 s on the same 24,370 pairs)."""
        cost = self.node_cost(W, pi, pj, scale)
        return np.asarray(cost.max(initial=0) + 1 - cost)


class OddSetCosts(AssignmentCosts):
    """The odd-set LP's integer duals (``blossom.py``): ``f value2(S) <= D - cost(S)`` (U = D, f = 2, or 4
    when its duals were refined).

    A pair costs ``2 RC``, a trio the sum of ``RC`` over its three pairs.
    """

    f = 2

    def __init__(self, bb: BlossomBound) -> None:
        # only ``pair`` (2 RC, even) is kept, RC read from it, and it is ``bb.RC`` doubled in place
        # (``bb`` is spent): one n x n matrix less, 200 MB at N = 5,001
        self.U = int(bb.D)
        self.f = bb.f
        self.pair = bb.RC
        self.pair *= 2
        self.Y = bb.Y

    def node_cost(self, W: np.ndarray, pi: np.ndarray, pj: np.ndarray, scale: int = 1) -> np.ndarray:
        """``Y[i] + Y[j] - f scale W`` (without the odd-set duals: a set's part differs between matchings)."""
        return np.asarray(self.Y[pi] + self.Y[pj] - (self.f * scale) * W[pi, pj])

    def trio_edge(self) -> np.ndarray:
        return np.asarray(self.pair // 2)

    def trio(self, a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
        pair = self.pair
        return np.asarray((pair[a, b] + pair[b, c] + pair[a, c]) // 2)


# --------------------------------------------------------------------------- matchings (rustworkx)


def _distinct(a: np.ndarray) -> np.ndarray:
    """``np.unique(a)`` by a sort: numpy's hashing unique costs 30-50 ms on the 125,000 pair keys
    of a complete graph at N = 500, a sort a few."""
    a = np.sort(a)
    if len(a) < 2:
        return a
    return a[np.concatenate(([True], a[1:] != a[:-1]))]


SPLIT_MIN_NODES = 400
"""Matchings on fewer nodes are not split into connected components: each rustworkx call costs
about 0.1 ms of set-up, and the components of a small graph are many and small (clustered
N = 200: 36 calls a solve)."""


def _components(pi: np.ndarray, pj: np.ndarray, n: int) -> tuple[int, np.ndarray]:
    """SciPy's connected components of the graph on ``0..n-1`` with the edges (pi[k], pj[k]), given
    as the float CSR matrix its validation wants (from a COO matrix of int8 half as fast again:
    0.12 against 0.05 ms at 300 edges, a trio check's size)."""
    order = np.argsort(pi, kind="stable")
    indptr = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(np.bincount(pi, minlength=n), out=indptr[1:])
    graph = sparse.csr_matrix((np.ones(len(pi)), pj[order].astype(np.int32), indptr), shape=(n, n))
    count, label = connected_components(graph, directed=False)
    return int(count), label


def _matching(W: np.ndarray, pi: np.ndarray, pj: np.ndarray, ctx: Context, max_cardinality: bool = True,
              weights: np.ndarray | None = None) -> list[tuple[int, int]]:
    """Most pairs, then most weight, using only the pairs (pi[k], pj[k]) (``max_cardinality=False``:
    most weight, any number of pairs), by ``_rx_matching``.  Raises ``_Expired`` instead of
    starting a matching predicted to end past the deadline (once a seating exists).
    ``weights``: the pairs' own weights (then each pair is given once), instead of ``W``'s."""
    if len(pi) == 0:
        return []
    present = np.zeros(int(max(pi.max(), pj.max())) + 1, dtype=bool)  # (ids may pass len(W): _fold's)
    present[pi] = True
    present[pj] = True
    nodes = np.flatnonzero(present)
    m = len(nodes)
    if ctx.seating is not None and not ctx.can_match(m, len(pi)):
        raise _Expired
    started = time.perf_counter()
    index = np.cumsum(present) - 1
    li, lj = index[pi], index[pj]
    if weights is None:
        # each pair once (rustworkx's graph is then a multigraph: it adds an edge without looking
        # for an existing one; multigraph=False scans the adjacency on every edge, a quadratic
        # 0.3 s for the 124,750 pairs of a complete graph at N = 500)
        key = _distinct(np.minimum(li, lj) * m + np.maximum(li, lj))
        li, lj = key // m, key % m
        w = W[nodes[li], nodes[lj]]
    else:
        w = np.asarray(weights, dtype=np.int64)
    # one matching per connected component: the blossom's time grows with the cube of the nodes,
    # and the pairs an exact step keeps often fall apart into many small components
    if m <= SPLIT_MIN_NODES:
        count, label = 1, np.zeros(m, dtype=np.int64)
    else:
        count, label = _components(li, lj, m)
    if count == 1:
        out = _rx_matching(li, lj, w, m, max_cardinality)
    else:
        parts = []
        by_node = np.argsort(label, kind="stable")
        node_start = np.searchsorted(label[by_node], np.arange(count + 1))
        local = np.empty(m, dtype=np.int64)
        local[by_node] = np.arange(m) - node_start[label[by_node]]
        comp = label[li]
        by_edge = np.argsort(comp, kind="stable")
        edge_start = np.searchsorted(comp[by_edge], np.arange(count + 1))
        for c in range(count):
            e = by_edge[edge_start[c]:edge_start[c + 1]]
            size = int(node_start[c + 1] - node_start[c])
            if len(e) == 1:  # a lone pair
                if max_cardinality or w[e[0]] > 0:
                    parts.append(np.array([[li[e[0]], lj[e[0]]]], dtype=np.int64))
                continue
            members = by_node[node_start[c]:node_start[c + 1]]
            parts.append(members[_rx_matching(local[li[e]], local[lj[e]], w[e], size, max_cardinality)])
        out = np.concatenate(parts) if parts else np.zeros((0, 2), dtype=np.int64)
    ctx.observe_matching(m, len(li), time.perf_counter() - started)
    a, b = nodes[out[:, 0]], nodes[out[:, 1]]
    return list(zip(np.minimum(a, b).tolist(), np.maximum(a, b).tolist()))


def _rx_matching(li: np.ndarray, lj: np.ndarray, w: np.ndarray, m: int, max_cardinality: bool) -> np.ndarray:
    """A maximum-weight matching on nodes ``0..m-1`` and the pairs (li[k], lj[k]) of weight w[k],
    each once, as a (k, 2) array of pairs: the project's compiled blossom (``cblossom``: sparse
    N = 200 0.56 ms against rustworkx's 1.7, uniform 4.1 against 12.5), else rustworkx's.

    A dense graph is handed over to rustworkx as a float matrix (NaN: no pair), not as a list of
    Python tuples: at 124,750 pairs (a complete graph of 500) 9 ms against 41 ms.  Floats hold
    the integer weights exactly (below 2**52, ``seating.integer_weights``)."""
    mate = compiled_matching(m, li, lj, w, max_cardinality)
    if mate is not None:
        a = np.flatnonzero(mate > np.arange(m))
        return np.stack([a, mate[a].astype(np.int64)], axis=1)
    if 8 * len(li) > m * m:
        matrix = np.full((m, m), np.nan)
        matrix[li, lj] = w
        matrix[lj, li] = w
        graph = rx.PyGraph.from_adjacency_matrix(matrix, null_value=np.nan)
    else:
        graph = rx.PyGraph(multigraph=True)
        graph.add_nodes_from(range(m))
        graph.add_edges_from(list(zip(li.tolist(), lj.tolist(), w.tolist())))
    pairs = list(rx.max_weight_matching(graph, max_cardinality=max_cardinality, weight_fn=int))
    return np.asarray(pairs, dtype=np.int64).reshape(-1, 2)


def _forced_pairs(pi: np.ndarray, pj: np.ndarray, n: int, perfect: bool = True
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Pairs every perfect matching on the pairs (pi, pj) holds: an attendee with one pair left
    must sit with that partner, who then leaves the others (their pairs go, and some of them may
    be left with one).  Returns (forced pairs as a (k, 2) array, the pairs left, among attendees
    not seated by them), or None when the pairs have no perfect matching: someone loses their
    last pair, or two attendees have only the same partner.  Rounds of vectorised passes.

    ``perfect=False``: the pairs some maximum matching holds (the degree-one rule), never None:
    an attendee losing every pair stays alone, and of several whose one pair is to the same
    partner, one takes it."""
    alive = np.ones(len(pi), dtype=bool)
    seated = np.zeros(n, dtype=bool)
    forced: list[np.ndarray] = []
    touched = np.zeros(n, dtype=bool)
    touched[pi] = touched[pj] = True
    while True:
        a, b = pi[alive], pj[alive]
        degree = np.bincount(a, minlength=n) + np.bincount(b, minlength=n)
        if perfect and (touched & ~seated & (degree == 0)).any():
            return None  # someone has no pair left
        lone = (degree[a] == 1) | (degree[b] == 1)
        if not lone.any():
            break
        fa, fb = a[lone], b[lone]
        if np.bincount(np.concatenate([fa, fb]), minlength=n).max() > 1:
            if perfect:
                return None  # two attendees whose only partner is the same one
            fa, fb = _first_disjoint(fa, fb, n)
        forced.append(np.stack([fa, fb], axis=1))
        seated[fa] = seated[fb] = True
        alive &= ~(seated[pi] | seated[pj])
    pairs = np.concatenate(forced) if forced else np.zeros((0, 2), dtype=np.int64)
    return pairs, pi[alive], pj[alive]


def _first_disjoint(a: np.ndarray, b: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The pairs (a[k], b[k]) in order, each kept unless one of its two was seated by one before."""
    busy = np.zeros(n, dtype=bool)
    keep = np.zeros(len(a), dtype=bool)
    for k, (u, v) in enumerate(zip(a.tolist(), b.tolist())):
        if not (busy[u] or busy[v]):
            busy[u] = busy[v] = keep[k] = True
    return a[keep], b[keep]


def _perfect_matching(W: np.ndarray, pi: np.ndarray, pj: np.ndarray, ctx: Context,
                      costs: AssignmentCosts | None = None, scale: int = 1) -> Pairs | None:
    """The heaviest perfect matching of the attendees the pairs (pi, pj) (each once) touch, or None
    when they have none: the forced pairs (``_forced_pairs``), and one matching of the rest, on
    ``costs.matching_weights`` when given (``scale`` as there).  The trio checks' pairs are sparse
    (a few per attendee after the reduced costs), so the forced pairs often seat a fifth to a half
    of the attendees and the matching's cubic time drops."""
    n = len(W)
    peeled = _forced_pairs(pi, pj, n)
    if peeled is None:
        return None
    forced, ri, rj = peeled
    pairs: Pairs = []
    weights = costs.matching_weights(W, ri, rj, scale) if costs is not None else W[ri, rj]
    degree = np.bincount(np.concatenate([ri, rj]), minlength=n) if len(ri) else np.zeros(n, dtype=np.int64)
    touched = np.count_nonzero(degree)
    if len(ri) and ((touched < ctx.options.fold_min_nodes and compiled_available()) or not (degree == 2).any()):
        # nobody to fold (dense pairs: building the fold's maps only costs), or few enough
        # attendees for the compiled matching to beat the fold's Python loop
        pairs = _matching(W, ri, rj, ctx, weights=weights)
        if 2 * len(pairs) != touched:
            return None
    elif len(ri):
        folded = _fold(ri, rj, weights, n)
        if folded is None:
            return None
        steps, fi, fj, fw, left = folded
        pairs = _matching(W, fi, fj, ctx, weights=fw) if len(fi) else []
        if 2 * len(pairs) != left:
            return None
        pairs = _unfold(pairs, steps)
        ctx.stats["folds"] = ctx.stats.get("folds", 0) + sum(len(step) == 5 for step in steps)
    ctx.stats["forced_pairs"] = ctx.stats.get("forced_pairs", 0) + len(forced)
    return [(min(int(a), int(b)), max(int(a), int(b))) for a, b in forced.tolist()] + pairs


Fold = tuple[Any, ...]  # (a, b): a forced pair; (x, v, u, w, cases): a folded attendee x (see _fold)


def _fold(pi: np.ndarray, pj: np.ndarray, weight: np.ndarray, first_id: int
          ) -> tuple[list[Fold], np.ndarray, np.ndarray, np.ndarray, int] | None:
    """Shrink a heaviest-perfect-matching problem on the pairs (pi, pj) (each once, of weight
    ``weight``) by two exact rules, as long as one applies:

    * someone with one pair left sits with that partner (as in ``_forced_pairs``);
    * someone, v, with two pairs left, to u and w, sits with one of them: v, u and w become one
      new attendee x (ids from ``first_id`` on), paired with each y that u or w was paired with
      (but v, u, w): x-y stands for u-y and v-w (weight ``W[u, y] + W[v, w]``), or for w-y and v-u,
      the heavier where y was paired with both.  Every perfect matching maps to one of the smaller
      problem of the same weight or less, and each of its perfect matchings back to one of the
      same weight (``_unfold``), so their heaviest have the same weight.

    Returns (the steps taken, the pairs left with their weights, how many attendees are left), or
    None when no perfect matching exists (someone loses every pair).  The trio checks' pairs
    are sparse: after the forced pairs about a third of the attendees have two pairs left
    (realistic N = 2,001), and rustworkx's time grows with the cube of the attendees."""
    adj: dict[int, dict[int, int]] = {}
    for a, b, c in zip(pi.tolist(), pj.tolist(), weight.tolist()):
        adj.setdefault(a, {})[b] = c
        adj.setdefault(b, {})[a] = c
    steps: list[Fold] = []
    next_id = first_id
    todo = [v for v, around in adj.items() if len(around) <= 2]

    def remove(*gone: int) -> None:
        for z in gone:
            for y in adj.pop(z):
                if y in adj:
                    del adj[y][z]
                    if len(adj[y]) <= 2:
                        todo.append(y)

    while todo:
        v = todo.pop()
        around = adj.get(v)
        if around is None or len(around) > 2:
            continue
        if not around:
            return None  # v has no pair left
        if len(around) == 1:
            (u,) = around
            steps.append((v, u))
            remove(v, u)
            continue
        u, w = around
        wu, ww = around[u], around[w]
        joined: dict[int, int] = {}
        cases: dict[int, int] = {}  # y -> the one of u, w who sits with y
        for y, c in adj[u].items():
            if y != v and y != w:
                joined[y], cases[y] = c + ww, u
        for y, c in adj[w].items():
            if y != v and y != u and (y not in joined or c + wu > joined[y]):
                joined[y], cases[y] = c + wu, w
        x = next_id
        next_id += 1
        remove(v, u, w)
        adj[x] = joined
        for y, c in joined.items():
            adj[y][x] = c
        steps.append((x, v, u, w, cases))
        todo.append(x)
    rows = [(a, b, c) for a, around in adj.items() for b, c in around.items() if a < b]
    if not rows:
        return steps, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), len(adj)
    fi, fj, fw = (np.asarray(col, dtype=np.int64) for col in zip(*rows))
    return steps, fi, fj, fw, len(adj)


def _unfold(pairs: Pairs, steps: list[Fold]) -> Pairs:
    """A perfect matching of ``_fold``'s smaller problem as one of the problem it was given."""
    mate: dict[int, int] = {}
    for a, b in pairs:
        mate[a], mate[b] = b, a
    for step in reversed(steps):
        if len(step) == 2:
            a, b = step
            mate[a], mate[b] = b, a
            continue
        x, v, u, w, cases = step
        y = mate.pop(x)
        seated = cases[y]  # u or w sits with y, v with the other
        other = w if seated == u else u
        mate[seated], mate[y] = y, seated
        mate[v], mate[other] = other, v
    return [(a, b) for a, b in mate.items() if a < b]


def _positive_mask(W: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """The allowed pairs of positive weight, as a symmetric mask."""
    positive = W > 0
    positive &= allowed
    return positive


def _positive_pairs(positive: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The pairs (pi < pj) of a symmetric mask (a flat search: half the time of a 2-d one)."""
    pi, pj = np.divmod(np.flatnonzero(positive), len(positive))
    upper = pi < pj
    return pi[upper], pj[upper]


def _sparse_pairs(W: np.ndarray, allowed: np.ndarray, options: SolverOptions) -> tuple[np.ndarray, np.ndarray] | None:
    """The allowed positive pairs (pi < pj) of a sparse, tied ``W`` (no negative weight, at most
    ``sparse_share`` of the pairs positive, at most ``sparse_distinct_weights`` weights among
    them), or None when ``W`` is not such."""
    n = len(W)
    if options.sparse_share <= 0 or W.min() < 0:
        return None
    positive = _positive_mask(W, allowed)
    if np.count_nonzero(positive) > options.sparse_share * n * (n - 1):
        return None
    pi, pj = _positive_pairs(positive)
    w = W[pi, pj]
    if len(w) and int(w.max()) - int(w.min()) >= options.sparse_distinct_weights and len(np.unique(w)) > options.sparse_distinct_weights:
        return None
    return pi, pj


def sparse_even_seating(W: np.ndarray, allowed: np.ndarray, ctx: Context,
                        found: tuple[np.ndarray, np.ndarray] | None = None) -> list[Group] | None:
    """Even n, no negative weight, few positive pairs with few distinct weights (ties): the
    heaviest matching on the positive pairs bounds every seating (a seating is a matching);
    when the attendees it leaves alone pair up among themselves (on pairs of weight 0: a
    positive one would have joined the matching), that seating is optimal.  None otherwise.
    ``found``: the positive pairs when ``_sparse_pairs`` is known already."""
    found = found or _sparse_pairs(W, allowed, ctx.options)
    if found is None:
        return None
    pi, pj = found
    seated = _heaviest_seating(W, allowed, (), pi, pj, W[pi, pj], ctx)
    if seated is None:
        return None
    ctx.stats["sparse_shortcut"] = True
    return seated[0]


def sparse_odd_seating(W: np.ndarray, allowed: np.ndarray, ctx: Context,
                       found: tuple[np.ndarray, np.ndarray] | None = None) -> list[Group] | None:
    """Odd n, sparse and tied as for ``sparse_even_seating``: the heaviest matching on the positive
    pairs and its optimal duals' bound (``_odd_duals_seating``); the best seating, when one is
    proven, else None (the seatings and the bound stay in ``ctx``).  Sparse N = 201: the bound is
    reached in 18 of 20 seeds, in 1-2 ms (the even bound's way: 4-11 ms).  ``found``: the
    positive pairs when ``_sparse_pairs`` is known already."""
    found = found or _sparse_pairs(W, allowed, ctx.options)
    if found is None:
        return None
    pi, pj = found
    w = W[pi, pj]
    solved = max_weight_matching_duals(len(W), pi, pj, w)
    if solved is None:
        return None
    return _odd_duals_seating(W, allowed, pi, pj, w, *solved, _Sets(solved[1], len(W)), ctx, dense=False)


def dense_seating(W: np.ndarray, allowed: np.ndarray, ctx: Context) -> list[Group] | None:
    """No negative weight, any density: the heaviest matching on the positive pairs, found by
    pricing (``_priced_matching``: each attendee's few heaviest pairs, then those whose reduced
    cost is negative), not on all of them.  Even n: it bounds every seating (a seating is a
    matching), and with those it leaves paired on weight-0 pairs it is optimal
    (``sparse_even_seating``'s argument); odd n: its duals' bound and the seatings that may reach
    it (``_odd_duals_seating``).  The best seating when proven, else None (its seatings and bound
    stay in ``ctx``).  N = 200 / 201 (ms, against the steps after it): clustered 5 / 10 against
    13 / 28; uniform 2.3 / 5 against 3.8 / 8; the project's realistic 10-18 / 19-24 against
    15-33 / 18-24.  Not on more attendees (``dense_max_n``): at N = 300 / 301 the other steps
    settle uniform and realistic weights on fewer pairs than the pricing ends with (realistic
    300: 16-20 against 22-46 ms), though clustered ones 2-4 times slower."""
    if W.min() < 0:
        return None
    positive = _positive_mask(W, allowed)
    pi, pj = _positive_pairs(positive)
    w = W[pi, pj]
    priced = _priced_matching(W, positive, pi, pj, w, ctx)
    if priced is None:
        return None
    mate = priced[0]
    if len(W) % 2 == 1:
        return _odd_duals_seating(W, allowed, pi, pj, w, *priced, ctx, dense=True)
    ctx.tighten(_matching_value2(W, mate))
    seating = _matching_seating(W, allowed, mate, ctx)
    if seating is None:
        return None
    ctx.offer(W, seating)
    if not ctx.proven():  # (cannot be: the pairs of weight 0 add nothing)
        raise AssertionError("the heaviest positive matching's seating misses its own weight")
    ctx.stats["dense_shortcut"] = True
    return ctx.seating


def _matching_value2(W: np.ndarray, mate: np.ndarray) -> int:
    """value2 of the pairs of a matching given as each attendee's partner (-1: none)."""
    a = np.flatnonzero(mate > np.arange(len(mate)))
    return 2 * int(W[a, mate[a]].sum())


def _matching_seating(W: np.ndarray, allowed: np.ndarray, mate: np.ndarray, ctx: Context) -> list[Group] | None:
    """A matching's pairs (``mate``: each attendee's partner, -1: none) with those it leaves paired
    in order on weight-0 pairs, and for an odd count the first of them joining the pair it gains
    most with (``_add_lone``); None when they do not pair up."""
    a = np.flatnonzero(mate > np.arange(len(mate)))
    pairs: Pairs = list(zip(a.tolist(), mate[a].tolist()))
    left = np.flatnonzero(mate < 0)
    lone = left[:len(W) % 2]
    left = left[len(lone):]
    rest = _pair_up(W, allowed, left, ctx) if len(left) else []
    if 2 * len(rest) != len(left):
        return None
    if len(lone):
        return _add_lone(W, allowed, pairs + rest, lone, ctx.options.trio_swaps)
    return [*pairs, *rest]


class _Sets:
    """The odd sets of a matching's duals (``cblossom.Duals``: blossoms, so laminar), for the sum of
    the ``Z`` of the sets holding two given attendees, or two of three, many at once.  Each
    attendee's sets by depth, outermost first (``chain[d]``: -1 - the attendee past its deepest),
    and their Z (``z[d]``): the sets holding both of two attendees are where their chains agree
    (one comparison per level: clustered ties nest them 30 deep, uniform weights a few)."""

    def __init__(self, duals: Duals, n: int) -> None:
        depth = np.zeros(n, dtype=np.int64)
        order = np.argsort([-len(S) for S in duals.sets], kind="stable")  # (a set's holders are larger)
        levels = int(np.bincount(np.concatenate(duals.sets)).max()) if duals.sets else 0  # (the deepest nesting)
        self.chain = np.tile(-1 - np.arange(n, dtype=np.int64), (levels, 1))
        self.z = np.zeros((levels, n), dtype=np.int64)
        for k in order.tolist():
            S = duals.sets[k]
            d = int(depth[S[0]])  # (the same for every member: the larger sets hold all or none of it)
            self.chain[d, S] = k
            self.z[d, S] = duals.Z[k]
            depth[S] += 1

    def pairs(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """For each pair (a[k], b[k]): the Z of the sets holding both."""
        held = np.zeros(len(a), dtype=np.int64)
        at: np.ndarray | None = None  # (those still compared, once fewer than all)
        for chain, z in zip(self.chain, self.z):
            same = chain[a] == chain[b]
            kept = int(np.count_nonzero(same))
            if not kept:
                break  # (a deeper set is inside one of these)
            if 2 * kept < len(a):  # only those go on (realistic weights nest sets 60 deep: 7 -> 3.5 ms)
                at = np.flatnonzero(same) if at is None else at[same]
                a, b = a[same], b[same]
                held[at] += z[a]
            elif at is None:
                held[same] += z[a[same]]
            else:
                held[at[same]] += z[a[same]]
        return held

    def trios(self, a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
        """For each trio: the Z of the sets holding two or three of them (those holding all three
        are the fewest of the three pairs' sets: ab + bc + ac - 2 abc)."""
        ab, bc, ac = self.pairs(a, b), self.pairs(b, c), self.pairs(a, c)
        held: np.ndarray = ab + bc + ac - 2 * np.minimum(np.minimum(ab, bc), ac)
        return held


def _priced_matching(W: np.ndarray, positive: np.ndarray, pi: np.ndarray, pj: np.ndarray, w: np.ndarray,
                     ctx: Context) -> tuple[np.ndarray, Duals, _Sets] | None:
    """The heaviest matching on the positive pairs (pi, pj) (weights ``w``; ``positive`` their
    symmetric mask) with its optimal duals, found on a few of them: each attendee's
    ``dense_partners`` heaviest, then, while some pair left out has a negative reduced cost
    at the duals found, those too (at most ``dense_pricing_rounds`` times, then all of them).
    Duals with no negative reduced cost on any positive pair are optimal on all of them (and a
    weight-0 pair's is never negative).  None when the compiled matching is not built."""
    n = len(W)
    k = min(ctx.options.dense_partners, n - 1)
    top = np.argpartition(np.where(positive, -W, 1), k - 1, axis=1)[:, :k]
    near = np.zeros((n, n), dtype=bool)
    near[np.repeat(np.arange(n), k), top.ravel()] = True
    used = near[pi, pj] | near[pj, pi]
    for done in range(1, ctx.options.dense_pricing_rounds + 1):
        solved = max_weight_matching_duals(n, pi[used], pj[used], w[used])
        if solved is None:
            return None
        mate, duals = solved
        sets = _Sets(duals, n)
        # a pair left out can only price negative where Y + Y - 2 w < 0 (the sets' Z add to it)
        out = np.flatnonzero(~used)
        part = duals.Y[pi[out]] + duals.Y[pj[out]] - 2 * w[out]
        out = out[part < 0]
        bad = out[part[part < 0] + sets.pairs(pi[out], pj[out]) < 0]
        if not len(bad):
            ctx.stats["dense_pricing"] = {"rounds": done, "pairs": int(np.count_nonzero(used))}
            return mate, duals, sets
        used[bad] = True
        ctx.check()
    solved = max_weight_matching_duals(n, pi, pj, w)
    if solved is None:
        return None
    ctx.stats["dense_pricing"] = {"rounds": ctx.options.dense_pricing_rounds + 1, "pairs": len(w)}
    return solved[0], solved[1], _Sets(solved[1], n)


def _odd_duals_seating(W: np.ndarray, allowed: np.ndarray, pi: np.ndarray, pj: np.ndarray, w: np.ndarray,
                       mate: np.ndarray, duals: Duals, sets: _Sets, ctx: Context, dense: bool) -> list[Group] | None:
    """Odd n, no negative weight: the heaviest matching ``mate`` on the positive pairs (pi, pj)
    (weights ``w``; weight ``M``) and its optimal duals bound every seating, and seatings that may
    reach that bound; the best seating, when one is proven, else None (the seatings and the bound
    stay in ``ctx``).

    The bound.  With the duals ``Y``, ``Z`` (``cblossom.Duals``: ``2 M = sum Y + sum Z[S] (|S| - 1) / 2``,
    and ``RC = Y[i] + Y[j] + sum Z - 2 W >= 0`` on every allowed pair, a weight-0 one too, as
    ``Y, Z >= 0``), a seating of pairs P and trio T is worth ``value2 = 2 M + g(T) - RC(P) - loss``
    with ``g(T) = W(T) - Y(T) - sum of Z[S] over the sets S holding two or three of T`` and
    ``loss >= 0`` (Z of each set with fewer pairs of P inside it than half its members outside T).
    A trio with a weight-0 pair {b, c} has ``g <= -(Y[b] + Y[c]) / 2`` (that pair's RC holds
    ``Y[b] + Y[c]`` and the Z of every set around the trio; the other two are >= 0), so every
    seating is worth at most ``2 M`` plus the larger of ``-ceil(z0 / 2)`` (z0: the two least
    ``Y`` together) and the largest ``g`` of a triangle of positive pairs (``_positive_triangles``).

    The seatings: the matching's own, the one it leaves alone joining the pair it gains most
    with (``_add_lone``), first where weights are dense (it is often the best there, and only
    triangles that beat it are listed then: uniform N = 201, 1.1 million triangles become a few
    dozen), last where they are sparse (the triangles settle most of those, faster); and each triangle that could beat the incumbent, best ``g`` first,
    with the heaviest matching of the others (``_heaviest_seating``), at most
    ``sparse_odd_trio_checks`` of them: first on the pairs the duals call tight, all a seating
    worth ``2 M + g`` may use, so that a matching there worth less proves the trio a unit short
    of its ``g``; else on all the positive pairs (exact for that trio when those it leaves pair
    up).  ``dense``: the positive pairs are not sparse (the matching's seating first; the
    statistic ``dense_shortcut`` instead of ``sparse_shortcut`` when it proves)."""
    n = len(W)
    M2 = _matching_value2(W, mate)
    if dense:
        ctx.offer(W, _matching_seating(W, allowed, mate, ctx))
    # a trio with a weight-0 pair {b, c} has g <= -(Y[b] + Y[c]) / 2 (its RC holds Y[b] + Y[c]
    # and the Z of every set around the trio), so at most -ceil(z0 / 2), z0 the two least Y
    least = np.partition(duals.Y, 1)[:2] if n > 1 else np.zeros(2, dtype=np.int64)
    zero_pair = -((int(least.sum()) + 1) // 2)
    # only a triangle with g > t can raise the bound past that and the incumbent's; as g(T) <= (the
    # Z of the sets holding T - RC(T)) / 2, each of its pairs has RC < (the Z of the sets holding
    # that pair) - 2 t, that is Y[i] + Y[j] - 2 W < -2 t: only those pairs are searched
    t = max(zero_pair, ctx.value2 - M2) if ctx.seating is not None else zero_pair
    part = duals.Y[pi] + duals.Y[pj] - 2 * w  # RC without the sets' Z
    tri = _positive_triangles(pi[part < -2 * t], pj[part < -2 * t], n)
    ta, tb, tc = tri[:, 0], tri[:, 1], tri[:, 2]
    g = W[ta, tb] + W[tb, tc] + W[ta, tc] - duals.Y[ta] - duals.Y[tb] - duals.Y[tc] - sets.trios(ta, tb, tc)
    above = g > t
    tri, g = tri[above], g[above]
    # a seating worth 2 M + g(T) has RC = 0 on its pairs: the others' matching is first sought
    # on those pairs alone (a third of them; sparse N = 201: 0.26 -> 0.1 ms), then on all; RC = 0
    # needs Y + Y - 2 W <= 0
    tight = part <= 0
    maybe = np.flatnonzero(tight)
    tight[maybe] = part[maybe] + sets.pairs(pi[maybe], pj[maybe]) == 0
    low = np.iinfo(np.int64).min
    for k in np.argsort(-g, kind="stable")[:ctx.options.sparse_odd_trio_checks]:
        if ctx.seating is not None and ctx.value2 >= M2 + g[k]:
            break
        trio = (int(tri[k, 0]), int(tri[k, 1]), int(tri[k, 2]))
        if not (allowed[trio[0], trio[1]] and allowed[trio[1], trio[2]] and allowed[trio[0], trio[2]]):
            g[k] = low  # (not a trio at all)
            continue
        seated = _heaviest_seating(W, allowed, trio, pi[tight], pj[tight], w[tight], ctx)
        if seated is not None and seated[1] < M2 + g[k]:
            # the heaviest matching on the tight pairs falls short, so does every seating holding
            # the trio (one reaching 2 M + g would use tight pairs only): a unit less bounds it
            ctx.offer(W, *seated)
            g[k] -= 1
            continue
        if seated is None:
            seated = _heaviest_seating(W, allowed, trio, pi, pj, w, ctx)
        if seated is None:
            break  # (those its matching leaves do not pair up: its value is not known)
        ctx.offer(W, *seated)
        g[k] = low  # (checked: the best seating holding it is offered, and the incumbent bounds it)
    ctx.tighten(max(M2 + max(t, int(g.max(initial=t))), ctx.value2))
    if not ctx.proven() and not dense:
        ctx.offer(W, _matching_seating(W, allowed, mate, ctx))
    if not ctx.proven():
        return None
    ctx.stats["dense_shortcut" if dense else "sparse_shortcut"] = True
    return ctx.seating


def _positive_triangles(pi: np.ndarray, pj: np.ndarray, n: int) -> np.ndarray:
    """The triangles (a < b < c, as rows) of the pairs (pi, pj) (pi < pj): for each pair (a, b),
    the partners c > b of b that are partners of a, read from the pairs sorted by their first
    member (time in the pairs and those candidates, not in n per pair)."""
    order = np.lexsort((pj, pi))
    pi, pj = pi[order], pj[order]
    starts = np.searchsorted(pi, np.arange(n + 1))  # pair k's partners past it: pj[starts[k]:starts[k + 1]]
    count = starts[pj + 1] - starts[pj]
    total = int(count.sum())
    if not total:
        return np.zeros((0, 3), dtype=np.int64)
    pair = np.repeat(np.arange(len(pi)), count)
    c = pj[np.repeat(starts[pj] - (np.cumsum(count) - count), count) + np.arange(total)]
    adjacent = np.zeros((n, n), dtype=bool)
    adjacent[pi, pj] = True
    keep = adjacent[pi[pair], c]
    pair, c = pair[keep], c[keep]
    return np.stack([pi[pair], pj[pair], c], axis=1).astype(np.int64).reshape(-1, 3)


def _heaviest_seating(W: np.ndarray, allowed: np.ndarray, trio: Group, pi: np.ndarray, pj: np.ndarray,
                      w: np.ndarray, ctx: Context) -> tuple[list[Group], int] | None:
    """``trio`` (none: ``()``) with the heaviest matching of the others on the positive pairs
    (pi, pj) of weights ``w``, those it leaves paired in order (on all of the positive pairs,
    weight 0 between them): the best seating holding that trio, and its value2; None when those
    left do not pair up."""
    n = len(W)
    out = np.zeros(n, dtype=bool)
    out[list(trio)] = True
    keep = ~(out[pi] | out[pj])
    pairs = _matching(W, pi[keep], pj[keep], ctx, max_cardinality=False, weights=w[keep])
    arr = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    seated = out.copy()
    seated[arr.ravel()] = True
    left = np.flatnonzero(~seated)
    rest = _pair_up(W, allowed, left, ctx) if len(left) else []
    if 2 * len(rest) != len(left):
        return None
    others: list[Group] = [*rest, trio] if trio else list(rest)
    return [*pairs, *others], 2 * int(W[arr[:, 0], arr[:, 1]].sum()) + seating_value2(W, others)


def _shortcut_seating(W: np.ndarray, allowed: np.ndarray, odd: bool, ctx: Context) -> bool:
    """Whether ``sparse_even_seating`` or (odd n) ``sparse_odd_seating`` settled the round (its
    seating proven in ``ctx``), or where weights are not sparse and tied, on up to
    ``dense_max_n`` attendees, ``dense_seating``; they leave it as it was where they do not apply."""
    found = _sparse_pairs(W, allowed, ctx.options)
    if found is None:
        return len(W) <= ctx.options.dense_max_n and dense_seating(W, allowed, ctx) is not None
    if odd:
        return ctx.options.sparse_odd_seating and sparse_odd_seating(W, allowed, ctx, found) is not None
    seating = sparse_even_seating(W, allowed, ctx, found)
    if seating is None:
        return False
    ctx.offer(W, seating)
    ctx.tighten(ctx.value2)  # (the seating's own value: none beats it)
    return True


def _pair_up(W: np.ndarray, allowed: np.ndarray, left: np.ndarray, ctx: Context) -> Pairs:
    """A matching of ``left`` (weights equal: any perfect one will do) with as many pairs as can
    be: a few in order (``_greedy_pair_up``) when that pairs them all, else on the pairs ``left[i]``, ``left[i + s]`` for s up to ``first_k`` (a ring and its
    shifts: perfect matchings abound there), four times as many shifts while some are left
    unpaired, every allowed pair last (a thousand left over would be half a million pairs)."""
    m = len(left)
    greedy = _greedy_pair_up(allowed, left)
    if greedy is not None:
        return greedy
    k = ctx.options.first_k
    while True:
        if k >= m // 2:
            li, lj = np.nonzero(np.triu(allowed[np.ix_(left, left)], 1))
        else:
            i = np.repeat(np.arange(m), k)
            j = (i + np.tile(np.arange(1, k + 1), m)) % m
            ok = allowed[left[i], left[j]]
            li, lj = np.minimum(i[ok], j[ok]), np.maximum(i[ok], j[ok])
        pairs = _matching(W, left[li], left[lj], ctx)
        if 2 * len(pairs) >= m - 1 or k >= m // 2:
            return pairs
        k *= 4


def _greedy_pair_up(allowed: np.ndarray, left: np.ndarray) -> Pairs | None:
    """``left`` (an even number) paired in order, each with the first one after it who is still
    free and allowed, or None when that leaves someone alone (then a matching decides).  Forbidden
    pairs are few, so this nearly always pairs everyone, in microseconds a pair."""
    m = len(left)
    if m % 2 or m > 64:
        return None  # (a matching of the many: a Python loop per attendee costs more)
    ok = allowed[np.ix_(left, left)]
    free = np.ones(m, dtype=bool)
    pairs: Pairs = []
    for i in range(m):
        if not free[i]:
            continue
        free[i] = False
        later = np.flatnonzero(free & ok[i])
        if not len(later):
            return None
        j = int(later[0])
        free[j] = False
        a, b = int(left[i]), int(left[j])
        pairs.append((min(a, b), max(a, b)))
    return pairs


def _cheapest_pairs(cost: np.ndarray, allowed: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Each attendee's k cheapest allowed pairs (by ``cost``), symmetrised: (pi, pj) with pi < pj."""
    n = len(cost)
    if k >= n - 1:
        every = np.nonzero(np.triu(allowed, 1))
        return every[0], every[1]
    idx = _cheapest_per_row(cost, k + 1)  # k + 1: the diagonal may be among them
    rows = np.repeat(np.arange(n), k + 1)
    cols = idx.ravel()
    ok = allowed[rows, cols]
    a, b = np.minimum(rows[ok], cols[ok]), np.maximum(rows[ok], cols[ok])
    key = _distinct(a * n + b)
    return key // n, key % n


def _seat_everyone(W: np.ndarray, allowed: np.ndarray, pi: np.ndarray, pj: np.ndarray, odd: bool,
                   ctx: Context, cost: np.ndarray) -> list[Group] | None:
    """A seating from a matching on the given pairs, or None: the unmatched are matched among
    themselves (on each one's ``first_k`` cheapest pairs among them by ``cost``, four times as
    many while some are left, all of them last: on tied weights the first graph can leave a third
    unmatched, and all their pairs would be a million at N = 5,000), and for an odd count the one
    left joins the pair that makes the best trio."""
    return _seat_the_rest(W, allowed, _matching(W, pi, pj, ctx), odd, ctx, cost)


def _seat_the_rest(W: np.ndarray, allowed: np.ndarray, pairs: Pairs, odd: bool, ctx: Context,
                   cost: np.ndarray) -> list[Group] | None:
    """``pairs`` and those they leave out seated as ``_seat_everyone`` does, or None."""
    n = len(W)
    seated = np.zeros(n, dtype=bool)
    for a, b in pairs:
        seated[a] = seated[b] = True
    left = np.flatnonzero(~seated)
    k = ctx.options.first_k
    while len(left) > (1 if odd else 0):
        m = len(left)
        li, lj = _cheapest_pairs(cost[np.ix_(left, left)], allowed[np.ix_(left, left)], min(k, m - 1))
        more = _matching(W, left[li], left[lj], ctx)
        pairs += more
        for a, b in more:
            seated[a] = seated[b] = True
        left = np.flatnonzero(~seated)
        if k >= m - 1:
            break
        k *= 4
    if len(left) != (1 if odd else 0):
        return None
    return _add_lone(W, allowed, pairs, left, ctx.options.trio_swaps)


def _add_lone(W: np.ndarray, allowed: np.ndarray, pairs: Pairs, left: np.ndarray, swaps: int,
              swap_candidates: int = 64) -> list[Group] | None:
    """``pairs`` (and, for an odd count, the one attendee ``left`` joined to a pair as the trio),
    or None when no trio can be formed this way.

    The one left over need not be the one who joins: when the one left over takes an attendee's
    partner, that attendee is left over instead.  So every attendee is tried as the trio's third
    member, at the cost of that swap, with the pair that gains most from them (vectorised over
    the ``swap_candidates`` cheapest swaps and every pair); the best swap is made, and again from the new one left over
    while a swap gains (at most ``swaps`` times, ``SolverOptions.trio_swaps``): a cheap local
    search that often reaches the best trio (on uniform weights it does, so that the simplest
    bound proves it).  ``swaps=0``: the one left over joins the best pair for it, in one row.
    """
    if not len(left):
        return list(pairs)
    n = len(W)
    low = np.iinfo(np.int64).min // 4
    u = int(left[0])
    arr = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    m = len(arr)
    if m == 0:
        return None
    best: tuple[np.ndarray, int, int] | None = None  # (the pairs, the one joining pair k, k)
    for step in range(swaps + 1):
        p, q = arr[:, 0], arr[:, 1]
        k_of = np.full(n, -1, dtype=np.int64)  # each attendee's own pair
        k_of[p] = k_of[q] = np.arange(m)
        mate = _mates(arr, n)
        own = np.flatnonzero(k_of >= 0)
        if step == swaps:  # only u joins: one row
            J = W[u, p] + W[u, q] - W[p, q]
            J[~(allowed[u, p] & allowed[u, q])] = low
            if J.max() > low:
                best = (arr, u, int(J.argmax()))
            break
        # the change (value2) of the swap that leaves v over: u takes v's partner; the
        # ``swap_candidates`` best of those (and u) are tried as the trio's third member
        swap = np.full(n, low, dtype=np.int64)
        ok = own[allowed[u, mate[own]]]
        swap[ok] = 2 * (W[u, mate[ok]] - W[ok, mate[ok]])
        swap[u] = 0
        take = min(swap_candidates, n - 1)
        cand = np.argpartition(-swap, take)[:take + 1]
        cand = cand[swap[cand] > low]
        if not (cand == u).any():
            cand = np.append(cand, u)
        # J[i, k]: the gain of cand[i] joining pair k (not its own)
        Wc, Ac = W[cand], allowed[cand]  # whole rows, then columns: half the time of np.ix_
        J = Wc[:, p] + Wc[:, q] - W[p, q][None, :]
        J[~(Ac[:, p] & Ac[:, q])] = low
        mine = k_of[cand] >= 0
        J[np.flatnonzero(mine), k_of[cand[mine]]] = low
        join_k = J.argmax(axis=1)
        join = J[np.arange(len(cand)), join_k]
        at_u = int(np.flatnonzero(cand == u)[0])
        if join[at_u] > low:
            best = (arr, u, int(join_k[at_u]))
        total = np.where(join > low, swap[cand] + join, low)
        i = int(np.argmax(total))
        v = int(cand[i])
        if total[i] <= low or v == u or (join[at_u] > low and total[i] <= join[at_u]):
            break
        partner = int(mate[v])
        arr = arr.copy()
        arr[k_of[v]] = (min(u, partner), max(u, partner))
        u = v
    if best is None:
        return None
    arr, u, k = best
    seating: list[Group] = [(int(a), int(b)) for i, (a, b) in enumerate(arr.tolist()) if i != k]
    seating.append(tuple(sorted((u, int(arr[k, 0]), int(arr[k, 1])))))
    return seating


def _heaviest_per_row(W: np.ndarray, k: int) -> np.ndarray:
    """(m, k) column indices of each row's k heaviest entries, heaviest first, by k passes of
    argmax on a copy: several times faster than numpy's selection (argpartition) when weights
    tie, and for a few per row always (4 of 501: 0.2 ms against 2.7 ms)."""
    return _passes(W, k, np.argmax, np.iinfo(W.dtype).min)


def _cheapest_per_row(C: np.ndarray, k: int) -> np.ndarray:
    """(m, k) column indices of each row's k smallest entries (integers), cheapest first, as
    ``_heaviest_per_row``; argpartition past 16 per row."""
    if k > 16:
        return np.argpartition(C, k - 1, axis=1)[:, :k]
    return _passes(C, k, np.argmin, np.iinfo(C.dtype).max)


def _passes(A: np.ndarray, k: int, pick: Callable[..., np.ndarray], taken: int) -> np.ndarray:
    """k passes of ``pick`` (argmax or argmin) over the rows of ``A`` (on a copy, where each pass
    marks its picks ``taken``): the (m, k) column indices, in the order picked.  A block of rows at
    a time, about 64 K cells, so that its k passes read the cache (17 per row: 1,001 x 1,001 5.5
    -> 2.9 ms, 2,001 21 -> 10 ms; a matrix under 326 rows is one block)."""
    m = len(A)
    out = np.empty((m, k), dtype=np.int64)
    step = max(32, 65536 // max(A.shape[1], 1))
    for s in range(0, m, step):
        block = A[s:s + step].copy()
        rows = np.arange(len(block))
        for t in range(k):
            best = pick(block, axis=1)
            out[s:s + step, t] = best
            block[rows, best] = taken
    return out


def _greedy_pairs(W: np.ndarray, allowed: np.ndarray, members: np.ndarray, k: int, ctx: Context) -> list[tuple[int, int]]:
    """Heaviest first, among each member's ``k`` best allowed partners within ``members``.  On
    everyone, it also proves the simplest bound (``ctx.tighten``): everyone's best allowed partner."""
    m = len(members)
    if m < 2:
        return []
    whole = m == len(W)
    sub = W if whole else W[np.ix_(members, members)]
    ok = allowed if whole else allowed[np.ix_(members, members)]
    k = min(k, m - 1)
    idx = _heaviest_per_row(sub, k + 1)  # the k + 1 heaviest (the diagonal may be one)
    rows = np.repeat(np.arange(m), k + 1)
    cols = idx.ravel()
    keep = ok[rows, cols]
    if whole:
        # value2 counts each attendee's share, and a trio member's share is the mean of two allowed
        # partners: so everyone's best allowed partner bounds value2 (found among the k + 1
        # heaviest, else in the whole row)
        best = np.where(keep, sub[rows, cols], np.iinfo(np.int64).min).reshape(m, k + 1).max(axis=1)
        for v in np.flatnonzero(~keep.reshape(m, k + 1).any(axis=1)).tolist():
            best[v] = sub[v, ok[v]].max()
        ctx.tighten(int(best.sum()))
    rows, cols = rows[keep], cols[keep]
    order = np.argsort(-sub[rows, cols], kind="stable")
    mate = [-1] * m
    pairs = []
    for a, b in zip(rows[order].tolist(), cols[order].tolist()):
        if mate[a] < 0 and mate[b] < 0:
            mate[a], mate[b] = b, a
            pairs.append((int(members[min(a, b)]), int(members[max(a, b)])))
    return pairs


def quick_seating(W: np.ndarray, allowed: np.ndarray, odd: bool) -> list[Group] | None:
    """A seating in about ``n`` steps, or None: neighbours in index order, (0, 1), (2, 3), ...,
    where they may sit together; the rest each with the first one left they may sit with; the
    one left over (odd counts) joins the first pair it may.  No quality at all: it exists so that
    even the smallest time limit has a seating to return before any pass over the weights."""
    n = len(allowed)
    first = np.arange(0, n - 1, 2)
    ok = allowed[first, first + 1]
    pairs: Pairs = list(zip(first[ok].tolist(), (first[ok] + 1).tolist()))
    seated = np.zeros(n, dtype=bool)
    seated[first[ok]] = seated[first[ok] + 1] = True
    rest = np.flatnonzero(~seated)
    for a in rest.tolist():
        if seated[a]:
            continue
        seated[a] = True
        free = rest[~seated[rest] & allowed[a, rest]]
        if len(free):
            b = int(free[0])
            seated[b] = True
            pairs.append((min(a, b), max(a, b)))
        else:
            seated[a] = False
    left = np.flatnonzero(~seated)
    while len(left) >= 2 and pairs:  # two left who may not sit together: each takes one of a pair
        a, b = int(left[0]), int(left[1])
        arr = np.asarray(pairs, dtype=np.int64)
        x, y = arr[:, 0], arr[:, 1]
        fits = (allowed[a, x] & allowed[b, y]) | (allowed[a, y] & allowed[b, x])
        if not fits.any():
            return None
        k = int(np.argmax(fits))
        px, py = (int(x[k]), int(y[k])) if allowed[a, x[k]] and allowed[b, y[k]] else (int(y[k]), int(x[k]))
        pairs[k] = (min(a, px), max(a, px))
        pairs.append((min(b, py), max(b, py)))
        seated[a] = seated[b] = True
        left = np.flatnonzero(~seated)
    if len(left) != (1 if odd else 0):
        return None
    return _add_lone(W, allowed, pairs, left, swaps=0)


def _best_partner_bound(W: np.ndarray, allowed: np.ndarray, ctx: Context) -> None:
    """The simplest bound (``greedy_seating`` proves it too): value2 counts each attendee's share,
    and a trio member's share is the mean of two allowed partners, so everyone's best allowed
    partner bounds value2."""
    low = np.iinfo(np.int64).min // 4
    block = max(1, 262_144 // max(len(W), 1))  # rows at a time: the temporary stays in cache
    ctx.tighten(sum(int(np.where(allowed[s:s + block], W[s:s + block], low).max(axis=1).sum())
                    for s in range(0, len(W), block)))


def greedy_seating(W: np.ndarray, allowed: np.ndarray, odd: bool, ctx: Context) -> list[Group] | None:
    """A seating in a few dense passes, or None: pairs taken heaviest first among each attendee's
    ``greedy_k`` best partners, again among those left over while that seats more, then the one
    left over (odd counts) joins the pair that makes the best trio.  No exactness, no rustworkx:
    it exists so that a solve has a seating within a small share of any time limit.  (``allowed``:
    every attendee has an allowed partner, the diagonal is not allowed.)"""
    n = len(W)
    seated = np.zeros(n, dtype=bool)
    pairs: list[tuple[int, int]] = []
    left = np.arange(n)
    while len(left) > 1:
        more = _greedy_pairs(W, allowed, left, ctx.options.greedy_k, ctx)
        if not more:
            break
        pairs += more
        for a, b in more:
            seated[a] = seated[b] = True
        left = np.flatnonzero(~seated)
    if len(left) != (1 if odd else 0):
        return None
    return _add_lone(W, allowed, pairs, left, swaps=0)


def first_seating(W: np.ndarray, allowed: np.ndarray, cost: np.ndarray, odd: bool, ctx: Context) -> list[Group]:
    """A good seating fast: a matching on each attendee's ``first_k`` cheapest pairs, widened until
    everyone is seated.  ``cost``: dense pair costs (-W before any duals are known)."""
    n = len(W)
    k = ctx.options.first_k
    while True:
        pi, pj = _cheapest_pairs(cost, allowed, min(k, n - 1))
        seating = _seat_everyone(W, allowed, pi, pj, odd, ctx, cost)
        if seating is not None:
            ctx.stats.setdefault("first_k", k)
            return seating
        if k >= n - 1:
            if odd:  # the maximum matching's lone attendee fits no pair: try the trios themselves
                return _seating_around_a_trio(W, allowed, ctx)
            raise InfeasibleError("no seating avoids the forbidden pairs")
        k = min(4 * k, n - 1)


def _seating_around_a_trio(W: np.ndarray, allowed: np.ndarray, ctx: Context) -> list[Group]:
    """Odd n with many forbidden pairs: each allowed trio, best first, with a perfect matching of
    the others.  Every trio is tried up to ``exhaustive_trio_n`` attendees (so "infeasible" is
    proven); above that, until the deadline."""
    n = len(W)
    upper = np.triu(allowed, 1)
    ti, tj = np.nonzero(upper)
    trios = [(a, b, c) for a, b in zip(ti.tolist(), tj.tolist()) for c in np.flatnonzero(upper[a] & upper[b]).tolist()]
    trios.sort(key=lambda t: -seating_value2(W, [t]))
    for t in trios:
        if n > ctx.options.exhaustive_trio_n and ctx.expired():
            raise SolveTimeoutError("the time limit ran out before any seating was found")
        keep = np.ones(n, dtype=bool)
        keep[list(t)] = False
        pi, pj = np.nonzero(upper & keep[:, None] & keep[None, :])
        pairs = _matching(W, pi, pj, ctx)
        if 2 * len(pairs) == n - 3:
            return pairs + [t]
    if n > ctx.options.exhaustive_trio_n:
        raise SolveTimeoutError("no seating was found around any trio")
    raise InfeasibleError("no seating avoids the forbidden pairs")


# --------------------------------------------------------------------------- everyone with a best partner


def _best_allowed(W: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """Each attendee's heaviest allowed weight (a block of rows at a time: no n x n temporary)."""
    low = np.iinfo(np.int64).min // 4
    n = len(W)
    block = max(1, 262_144 // max(n, 1))
    return np.concatenate([np.where(allowed[s:s + block], W[s:s + block], low).max(axis=1) for s in range(0, n, block)])


def tight_seating(W: np.ndarray, allowed: np.ndarray, odd: bool, ctx: Context) -> list[Group] | None:
    """A seating in which everyone gets their best allowed partner's weight, or None.

    value2 is the sum of everyone's share, and a share is at most the attendee's best allowed
    weight ``best[v]`` (a trio member's is the mean of two allowed partners), so ``sum(best)``
    bounds value2 (``ctx.tighten``), and a seating that reaches it is optimal: each pair
    {i, j} with ``W[i, j] = best[i] = best[j]`` (a *tight* pair), the trio three attendees
    tight with each other.  On tied groups (a few distinct weights, many pairs at each: the
    sparse family, needs that repeat a few topics) such seatings abound.

    Found without a weighted matching: a perfect matching of the tight pairs' bipartite double
    cover (SciPy's Hopcroft-Karp, ``maximum_bipartite_matching``) is a cover of everyone by
    cycles of tight pairs; even cycles split into pairs; two odd cycles are joined by an
    alternating path of tight pairs (``_join_odd_cycles``, a breadth-first search without
    blossoms: it may miss a path that exists, then None); for an odd count the one odd cycle
    left gives the trio (``_trio_from_cycle``).  None whenever a step finds nothing: the other
    steps of the solve follow, so this only ever saves time.
    """
    n = len(W)
    best = _best_allowed(W, allowed)
    ctx.tighten(int(best.sum()))
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    block = max(1, 262_144 // max(n, 1))
    for s in range(0, n, block):
        r, c = np.nonzero(W[s:s + block] == best[s:s + block, None])  # (few: then the other tests)
        r += s
        keep = allowed[r, c] & (best[r] == best[c])
        rows.append(r[keep])
        cols.append(c[keep])
    r, c = np.concatenate(rows), np.concatenate(cols)
    ctx.stats["tight_pairs"] = len(r) // 2
    if len(_distinct(r)) < n:
        return None  # someone has no tight pair
    ctx.check()
    tight = sparse.csr_matrix((np.ones(len(r), dtype=np.int8), (r, c)), shape=(n, n))
    cover = maximum_bipartite_matching(tight, perm_type="column")
    if (cover < 0).any():
        return None  # no cycle cover: no perfect matching of the tight pairs either
    keys = np.sort(r * n + c)
    mate = np.full(n, -1, dtype=np.int64)
    odd_cycles: list[list[int]] = []
    for cyc in _cycles(cover):
        if len(cyc) % 2:
            odd_cycles.append(cyc)
        else:
            a = np.asarray(cyc[0::2])
            b = np.asarray(cyc[1::2])
            mate[a], mate[b] = b, a
    trio: Group | None = None
    if odd:
        # the odd cycle that gives the trio: a 3-cycle when there is one, else the shortest
        odd_cycles.sort(key=len)
        for k, cyc in enumerate(odd_cycles):
            found = _trio_from_cycle(cyc, mate, tight, keys, n)
            if found is not None:
                trio = found
                ctx.stats["tight_trio_cycle"] = len(cyc)
                del odd_cycles[k]
                break
        if trio is None:
            return None
    ctx.stats["tight_odd_cycles"] = len(odd_cycles)
    while odd_cycles:
        ctx.check()
        if not _join_odd_cycles(odd_cycles, mate, tight):
            return None
    seated = np.flatnonzero(mate >= 0)
    pairs: list[Group] = [(int(a), int(mate[a])) for a in seated[seated < mate[seated]]]
    groups = pairs + ([trio] if trio is not None else [])
    if 2 * len(pairs) + (3 if odd else 0) != n:
        return None
    ctx.stats["tight_seating"] = True
    return groups


def _pair_along(path: list[int], mate: np.ndarray) -> None:
    """Pair consecutive attendees of ``path`` (even length): (p0, p1), (p2, p3), ..."""
    a = np.asarray(path[0::2], dtype=np.int64)
    b = np.asarray(path[1::2], dtype=np.int64)
    mate[a], mate[b] = b, a


def _is_tight(keys: np.ndarray, n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    want = a * n + b
    at = np.searchsorted(keys, want)
    at[at >= len(keys)] = 0
    return np.asarray(keys[at] == want)


def _trio_from_cycle(cyc: list[int], mate: np.ndarray, tight: sparse.csr_matrix, keys: np.ndarray, n: int) -> Group | None:
    """A trio of mutually tight attendees from an odd cycle of tight pairs, the rest of the cycle
    paired along it (``mate`` updated), or None: three consecutive members a, b, c with a and c
    tight (a 3-cycle always), else a member a tight with both members of a pair seated outside
    the odd cycles (that pair joins a as the trio)."""
    arr = np.asarray(cyc, dtype=np.int64)
    chord = _is_tight(keys, n, arr, np.roll(arr, -2))
    if chord.any():
        i = int(np.argmax(chord))
        rot = cyc[i:] + cyc[:i]
        _pair_along(rot[3:], mate)
        return tuple(sorted(rot[:3]))
    sub = tight[arr]
    src = np.repeat(arr, np.diff(sub.indptr))
    x = sub.indices.astype(np.int64)
    y = mate[x]
    ok = y >= 0
    ok[ok] = _is_tight(keys, n, src[ok], y[ok])
    if not ok.any():
        return None
    j = int(np.argmax(ok))
    a, xa, ya = int(src[j]), int(x[j]), int(y[j])
    i = cyc.index(a)
    rot = cyc[i:] + cyc[:i]
    _pair_along(rot[1:], mate)
    mate[xa] = mate[ya] = -1
    return tuple(sorted((a, xa, ya)))


def _join_odd_cycles(odd_cycles: list[list[int]], mate: np.ndarray, tight: sparse.csr_matrix, max_depth: int = 8) -> bool:
    """Seat the first odd cycle of tight pairs and another one in pairs, by an alternating path
    between them (a = x1, y1 = x2, ..., yk - b: a and b from the two cycles, each x = y a pair
    now, each - a tight pair not yet used): the path's pairs swap, and each cycle is paired along
    itself from its end of the path.  Breadth first from every member of the first cycle, without
    blossoms (a vertex is reached once), at most ``max_depth`` pairs deep.  Whether it was done
    (``odd_cycles`` and ``mate`` updated)."""
    n = len(mate)
    first = odd_cycles[0]
    in_first = np.zeros(n, dtype=bool)
    in_first[first] = True
    target = np.full(n, -1, dtype=np.int64)  # which other odd cycle a vertex is in
    for k, cyc in enumerate(odd_cycles[1:], start=1):
        target[cyc] = k
    visited = in_first.copy()
    parent = np.full(n, -1, dtype=np.int64)
    frontier = np.asarray(first, dtype=np.int64)
    for _ in range(max_depth):
        if not len(frontier):
            return False
        sub = tight[frontier]
        src = np.repeat(frontier, np.diff(sub.indptr))
        dst = sub.indices.astype(np.int64)
        keep = ~visited[dst]
        src, dst = src[keep], dst[keep]
        dst, at = np.unique(dst, return_index=True)
        src = src[at]
        hit = np.flatnonzero(target[dst] >= 0)
        if len(hit):
            b, s = int(dst[hit[0]]), int(src[hit[0]])
            path = [b, s]
            while not in_first[path[-1]]:
                x = int(mate[path[-1]])  # path[-1] is a y: its pair's other member
                path += [x, int(parent[x])]
            # path = b, yk, xk, ..., y1, x1, a: its pairs are (b, yk), (xk, y(k-1)), ..., (x1, a)
            _pair_along(path, mate)
            a = path[-1]
            other = odd_cycles[int(target[b])]
            for cyc, end in ((first, a), (other, b)):
                i = cyc.index(end)
                _pair_along(cyc[i + 1:] + cyc[:i], mate)
            odd_cycles.remove(other)
            odd_cycles.remove(first)
            return True
        visited[dst] = True
        parent[dst] = src
        y = mate[dst]
        y = y[(y >= 0) & ~visited[np.maximum(y, 0)]]
        visited[y] = True
        frontier = y
    return False


# --------------------------------------------------------------------------- candidate trios


def candidate_trios(costs: AssignmentCosts, allowed: np.ndarray, limit: int, cap: int,
                    ctx: Context) -> tuple[np.ndarray, np.ndarray, int]:
    """Every trio of cost < ``limit``, cheapest first, as (trios (k, 3) array, their costs, covered).

    A trio costs at least the sum ``s`` of its three trio-edge costs (each >= 0), so its cheapest
    edge costs less than ``s / 3``: the trios of cost < t are found from the pairs {a, b} with
    ``3 e[a, b] < t``, one vectorised row sum ``e[a] + e[b]`` each.  At most ``cap`` are kept, the
    cheapest; ``covered``: every trio left out costs at least this.  When the triangles of sum < t
    are too many to look at (``trio_listing_factor`` times ``cap``), t is lowered to a sum that
    about ``cap`` of those already seen stay under, and the listing starts again; when even the
    triangles of sum 0 are too many, ``cap`` of them are listed and ``covered`` is 0 (any trio of
    cost 0 may be the best; the bound stays what it is until a check reaches it).
    """
    if limit <= 0:  # every trio costs >= 0
        return np.zeros((0, 3), dtype=np.int64), np.zeros(0, dtype=np.int64), limit
    edge = costs.trio_edge()
    hard = ctx.options.trio_listing_factor * cap
    t = limit
    while True:
        found, sums, complete = _triangles_below(edge, allowed, t, hard, ctx)
        if complete or t <= 0:
            break
        # too many: the sum that keeps about ``cap`` of those seen (strictly below t)
        lowered = int(np.partition(sums, cap)[cap]) if len(sums) > cap else t - 1
        if lowered <= 0:  # more than ``hard`` trios of sum 0 (ties): take those seen
            t = 0
            break
        t = min(lowered, t - 1)
    if len(found) == 0:
        return np.zeros((0, 3), dtype=np.int64), np.zeros(0, dtype=np.int64), t
    tc = costs.trio(found[:, 0], found[:, 1], found[:, 2])
    keep = tc < max(t, 1)
    found, tc = found[keep], tc[keep]
    order = np.argsort(tc, kind="stable")
    found, tc = found[order], tc[order]
    covered = t
    if len(found) > cap:
        covered = min(covered, int(tc[cap])) if t > 0 else 0
        found, tc = found[:cap], tc[:cap]
    return found, tc, covered


def _triangles_below(edge: np.ndarray, allowed: np.ndarray, t: int, hard: int,
                     ctx: Context) -> tuple[np.ndarray, np.ndarray, bool]:
    """The triangles whose three ``edge`` costs sum to less than ``t`` (at least 1: those of sum
    0 when ``t`` is 0), as (sorted triples, their sums, complete); ``complete`` is False when
    more than ``hard`` were met and the listing stopped (then the triples are those met)."""
    n = len(edge)
    t_eff = max(t, 1)
    ai, bi = np.nonzero(np.triu(allowed & (3 * edge < t_eff), 1))
    chunk = max(1, 2_000_000 // max(n, 1))
    triples: list[np.ndarray] = []
    sums: list[np.ndarray] = []
    met = 0
    complete = True
    for s in range(0, len(ai), chunk):
        ctx.check()
        a, b = ai[s:s + chunk], bi[s:s + chunk]
        total = edge[a] + edge[b] + edge[a, b][:, None]
        k, c = np.nonzero(total < t_eff)
        ok = (c != a[k]) & (c != b[k])
        k, c = k[ok], c[ok]
        tri = np.sort(np.stack([a[k], b[k], c], axis=1), axis=1)
        triples.append(tri)
        sums.append(total[k, c])
        met += len(k)
        if met > hard:
            complete = False
            break
    if not triples:
        return np.zeros((0, 3), dtype=np.int64), np.zeros(0, dtype=np.int64), True
    tri = np.concatenate(triples)
    sm = np.concatenate(sums)
    key = (tri[:, 0] * n + tri[:, 1]) * n + tri[:, 2]
    _, first = np.unique(key, return_index=True)
    return tri[first], sm[first], complete


# --------------------------------------------------------------------------- odd counts: the even bound


def trio_gain_bounds(W: np.ndarray, allowed: np.ndarray, ctx: Context) -> np.ndarray:
    """``H[v]`` >= the largest *least gain* of any allowed trio holding v (``low`` where v is in
    none): a trio {v, b, c}'s least gain is ``min over its members a of W[a, b'] + W[a, c'] -
    W[b', c']`` (what the cheapest member adds by joining the pair of the other two), that is
    ``g = min(x + y - z, z - |x - y|)`` with ``x = W[v, b]``, ``y = W[v, c]``, ``z = W[b, c]``.

    ``g`` is at most ``min(x, y)`` (the mean of its two terms), so a trio whose b or c is not
    among v's ``trio_gain_k`` heaviest partners gains at most the next partner's weight, and
    that weight stands for all of them; the trios of two of those partners are each looked at,
    ``trio_gain_k**2 / 2`` per attendee, vectorised over blocks of attendees.
    """
    n = len(W)
    low = np.iinfo(np.int64).min // 4
    k = min(ctx.options.trio_gain_k, n - 1)
    masked = np.where(allowed, W, low)
    order = _heaviest_per_row(masked, k + 1)  # k + 1 <= n
    ctx.heaviest = order
    X = np.take_along_axis(masked, order, axis=1)  # their weights, heaviest first
    best = X[:, k].copy()  # a partner past the first k: at most its weight (low if none)
    iu, ju = np.triu_indices(k, 1)
    # blocks of rows whose temporaries (int64, a row per attendee) stay under 64 KB: in the cache,
    # and under the allocator's threshold for fresh pages (one block of 201 rows: 0.32 ms, 68: 0.17)
    chunk = max(1, 8192 // max(len(iu), 1))
    W_flat, allowed_flat = W.ravel(), allowed.ravel()
    for s in range(0, n, chunk):
        ctx.check()
        P, Xs = order[s:s + chunk], X[s:s + chunk]
        x, y = Xs[:, iu], Xs[:, ju]
        bc = P[:, iu] * n + P[:, ju]  # the pair (b, c), flat: one index for both gathers
        z = W_flat[bc]
        g = np.minimum(x + y - z, z - np.abs(x - y))
        ok = allowed_flat[bc]
        ok &= y > low  # (x >= y: heaviest first)
        g = np.where(ok, g, low)
        if g.shape[1]:
            best[s:s + chunk] = np.maximum(best[s:s + chunk], g.max(axis=1))
    return best


def _mates(arr: np.ndarray, n: int) -> np.ndarray:
    """Each attendee's partner in the pairs ``arr`` ((k, 2) array), -1 for those in none."""
    mate = np.full(n, -1, dtype=np.int64)
    mate[arr[:, 0]], mate[arr[:, 1]] = arr[:, 1], arr[:, 0]
    return mate


def _trio_across_pairs(W: np.ndarray, allowed: np.ndarray, pairs: Pairs, u: int, ctx: Context) -> list[Group] | None:
    """The one left over, ``u``, with b and c of two different pairs as the trio, their partners
    paired instead (the best such change over every b and c, vectorised in blocks of rows), or
    None when no such change is allowed.  What ``_add_lone`` cannot reach: u's best trio is often
    two people already seated apart."""
    n = len(W)
    low = np.iinfo(np.int64).min // 4
    arr = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    mate = _mates(arr, n)
    seated = np.flatnonzero(mate >= 0)
    if len(seated) < 4:
        return None
    x_of = mate[seated]
    keep = -2 * W[seated, x_of] + W[u, seated]  # b's (or c's) share of the change
    ok_u = allowed[u, seated]
    best_value, best_bc = low, (-1, -1)
    block = max(1, 2_000_000 // len(seated))
    for s in range(0, len(seated), block):
        ctx.check()
        b = seated[s:s + block]
        x = x_of[s:s + block]
        change = W[np.ix_(b, seated)] + 2 * W[np.ix_(x, x_of)] + keep[s:s + block, None] + keep[None, :]
        ok = allowed[np.ix_(b, seated)] & allowed[np.ix_(x, x_of)] & ok_u[s:s + block, None] & ok_u[None, :]
        ok &= seated[None, :] != x[:, None]  # b and c from two different pairs
        change[~ok] = low
        k = int(change.argmax())
        if change.flat[k] > best_value:
            best_value = int(change.flat[k])
            best_bc = (int(b[k // len(seated)]), int(seated[k % len(seated)]))
    if best_value <= low:
        return None
    b_, c_ = best_bc
    x_, y_ = int(mate[b_]), int(mate[c_])
    out: list[Group] = [(int(p), int(q)) for p, q in arr.tolist() if p not in (b_, c_) and q not in (b_, c_)]
    out += [(min(x_, y_), max(x_, y_)), tuple(sorted((u, b_, c_)))]
    return out


def _even_bound(W: np.ndarray, allowed: np.ndarray, ctx: Context) -> None:
    """Odd n: a bound (and a seating) from one even problem, solved by this module's even path.

    Add an attendee d paired with v at weight ``H[v]`` (``trio_gain_bounds``), every pair's
    weight doubled.  A seating with trio T = {a, b, c}, where a gains least by joining b and c,
    becomes a perfect matching of the n + 1 attendees: its pairs, {b, c} and {a, d}, worth
    ``2 W(pairs) + 2 W[b, c] + H[a] >= 2 W(pairs) + W[a, b] + W[a, c] + W[b, c] = value2``.  So
    the even problem's optimum (or proven bound) bounds every seating's value2; its own matching,
    with d's partner joining a pair (``_add_lone``), is a seating.  On groups whose best trio
    is about as good as its members' best one (uniform, sparse, clustered) the bound is exact.
    """
    n = len(W)
    H = trio_gain_bounds(W, allowed, ctx)
    has = H > np.iinfo(np.int64).min // 4
    W2 = np.zeros((n + 1, n + 1), dtype=np.int64)
    W2[:n, :n] = 2 * W
    W2[n, :n] = W2[:n, n] = np.where(has, H, 0)
    A2 = np.zeros((n + 1, n + 1), dtype=bool)
    A2[:n, :n] = allowed
    A2[n, :n] = A2[:n, n] = has
    # the odd-set LP's costs always (``_trios_by_even_costs`` needs tight ones); no second seating
    # after the threshold's (the LP starts from the odd count's seating: realistic N = 501, 0.52 ->
    # 0.41 s; 1,001, 0.93 -> 0.85 s; clustered 1,001, 0.47 -> 0.38 s); not the sparse even
    # shortcut either: its one matching bounds without costs, and the odd path follows whenever
    # its seating falls short (sparse N = 201, seeds 1-7: 0.14-1.05x but for one seed it settled,
    # 4.6 -> 7.8 ms; 301: 0.36-0.59x; 1,001-5,001 0.95-1.05x); nor the tight seating: the added
    # attendee is rarely anyone's best partner (2 W against H), so it fails where the odd count's
    # own did (uniform N = 201: 0.2 ms a solve)
    sub = Context(ctx.deadline, replace(ctx.options, lp_pairs_per_attendee=0, direct_matching_max_n=0,
                                        direct_pairs_per_attendee=0, second_seating_pairs_per_attendee=2**62,
                                        exact_max_pairs=ctx.options.even_bound_max_pairs, sparse_share=0.0, dense_max_n=0,
                                        ascent_min_pairs_per_attendee=0.0, tight_seating=False))
    sub.added_attendee = True
    sub.heaviest = ctx.heaviest  # (doubled weights keep the order)
    if ctx.seating is not None:  # the best seating so far, as a matching of the n + 1
        mapped: list[Group] = []
        for g in ctx.seating:
            if len(g) == 2:
                mapped.append(g)
                continue
            a, b, c = max(((x, y, z) for x, y, z in ((g[0], g[1], g[2]), (g[1], g[0], g[2]), (g[2], g[0], g[1]))),
                          key=lambda t: int(H[t[0]]) + 2 * int(W[t[1], t[2]]))
            mapped += [(b, c), (a, n)]
        sub.offer(W2, mapped)
    started = time.perf_counter()
    try:
        if not _sparse_even_bound(W, allowed, W2, A2, sub, ctx.options):
            _solve(W2, A2, sub)
    except _Expired:
        pass
    finally:
        ctx.stats["even_bound"] = {k: sub.stats[k] for k in ("pricing_rounds", "kept_pairs_assignment", "ascent_s", "kept_pairs_ascent", "lp_seconds", "lp_rounds", "lp_cuts", "lp_capped", "exact_pairs", "exact_skipped", "matching_duals") if k in sub.stats}
        ctx.stats["even_bound_s"] = round(time.perf_counter() - started, 4)
        if sub.proven() and sub.seating is not None:
            ctx.even_bound2 = sub.value2 // 2
        elif sub.bound2 is not None:
            ctx.even_bound2 = sub.bound2 // 2
        if ctx.even_bound2 is not None:
            ctx.tighten(ctx.even_bound2)
            ctx.trio_gain = H
            ctx.even_costs = sub.costs
        if sub.seating is not None:
            lone = [v for g in sub.seating if n in g for v in g if v != n]
            pairs = [(g[0], g[1]) for g in sub.seating if n not in g]
            ctx.offer(W, _add_lone(W, allowed, pairs, np.asarray(lone), ctx.options.trio_swaps))
            if lone:
                ctx.even_matching = (pairs, lone[0])
                if sub.proven():
                    ctx.even_mate = _mates(np.asarray(pairs + [(lone[0], n)], dtype=np.int64), n + 1)[:n]
    ctx.check()


def _sparse_even_bound(W: np.ndarray, allowed: np.ndarray, W2: np.ndarray, A2: np.ndarray, sub: Context,
                       options: SolverOptions) -> bool:
    """The even bound's problem (``W2``, ``A2``: the n attendees and the added one) of a sparse,
    tied odd count (``_sparse_pairs``) solved by ``_matching_with_duals`` on its positive pairs
    (the odd count's, doubled, and the added attendee's), skipping the assignment, pricing and
    ascent (sparse N = 201: 2.7 ms become 0.5).  False (``sub`` untouched) when ``W`` is not
    sparse and tied or that fails: the even path then solves it."""
    if not options.sparse_even_bound:
        return False
    found = _sparse_pairs(W, allowed, options)
    if found is None:
        return False
    n = len(W)
    d = np.flatnonzero(A2[n, :n] & (W2[n, :n] > 0))
    li = np.concatenate([found[0], d])
    lj = np.concatenate([found[1], np.full(len(d), n, dtype=np.int64)])
    return _matching_with_duals(W2, A2, li, lj, sub)


def _matching_with_duals(W: np.ndarray, allowed: np.ndarray, pi: np.ndarray, pj: np.ndarray, ctx: Context) -> bool:
    """An even problem with no negative weight whose positive pairs are (pi, pj), solved and
    proven by one compiled matching with its optimal duals: the heaviest matching on those
    pairs, the others paired on pairs of weight 0 (``sparse_even_seating``'s argument), and the
    duals' costs (``OddSetCosts``, exact: the bound is the seating's value) in ``ctx.costs`` for
    the even bound's trio step (``_trios_by_even_costs``).  False (``ctx`` untouched) when the
    compiled matching is not built or those left do not pair up."""
    m = len(W)
    solved = max_weight_matching_duals(m, pi, pj, W[pi, pj])
    if solved is None:
        return False
    mate, duals = solved
    a = np.flatnonzero(mate > np.arange(m))
    pairs: Pairs = list(zip(a.tolist(), mate[a].tolist()))
    left = np.flatnonzero(mate < 0)
    rest = _pair_up(W, allowed, left, ctx) if len(left) else []
    if 2 * (len(pairs) + len(rest)) != m:
        return False
    seating = pairs + rest
    value2 = seating_value2(W, seating)
    bb = optimal_duals_bound(W, allowed, duals.Y, duals.sets, duals.Z)
    if bb.D != 2 * value2:
        raise AssertionError(f"a blossom's optimal duals bound {bb.D} != twice its matching's value2 {2 * value2}")
    ctx.offer(W, seating)
    ctx.tighten(value2)
    ctx.costs = OddSetCosts(bb)
    ctx.stats["matching_duals"] = True
    return True


# --------------------------------------------------------------------------- one round


def solve_round(W: np.ndarray, allowed: np.ndarray, ctx: Context) -> RoundSolution:
    """Best seating of everyone ``0..n-1`` (pairs, one trio if n is odd).

    ``W``: symmetric int64 weights; ``allowed``: symmetric bool (the diagonal
    is ignored).  Raises InfeasibleError when no seating exists.  When the
    deadline passes, returns the best seating found with its proven bound.
    """
    n = len(W)
    W = np.asarray(W, dtype=np.int64)
    allowed = np.array(allowed, dtype=bool)
    np.fill_diagonal(allowed, False)
    if n == 0:
        return RoundSolution([], 0, 0, True)
    if n == 1:
        raise InfeasibleError("one attendee cannot be seated alone")
    if n == 2:
        if not allowed[0, 1]:
            raise InfeasibleError("the only two attendees may not be paired")
        v = 2 * int(W[0, 1])
        return RoundSolution([(0, 1)], v, v, True)
    if n == 3:
        if not (allowed[0, 1] and allowed[0, 2] and allowed[1, 2]):
            raise InfeasibleError("the only three attendees include a forbidden pair")
        v = seating_value2(W, [(0, 1, 2)])
        return RoundSolution([(0, 1, 2)], v, v, True)
    try:
        _solve(W, allowed, ctx)
    except _Expired:
        ctx.stats["stopped_at_deadline"] = True
    return ctx.result()


def _solve(W: np.ndarray, allowed: np.ndarray, ctx: Context) -> None:
    """The steps of the module docstring; each leaves its seatings and bounds in ``ctx`` and
    returns once the best seating is proven.  Raises ``_Expired`` at the deadline."""
    n = len(W)
    odd = n % 2 == 1
    stats = ctx.stats
    start = time.perf_counter()
    if not allowed.any(axis=1).all():
        raise InfeasibleError("no seating avoids the forbidden pairs")
    big = np.iinfo(np.int64).max // 4
    # 0. sparse and tied: the heaviest matching on the positive pairs and its bound often settle
    # it (``_shortcut_seating``): on up to ``sparse_first_max_n`` attendees before anything else (a
    # millisecond); on more, even counts before the tight seating (which it finds too) and odd
    # ones after it (which settles the sparse family there, and faster)
    early = n <= ctx.options.sparse_first_max_n
    if early and _shortcut_seating(W, allowed, odd, ctx):
        return
    # 1. a first seating in a few dense passes, and the simplest bound: everyone's best partner
    #    (value2 counts each attendee's share, and a trio member's share is the mean of two
    #    allowed partners)
    seated = ctx.seating is not None  # the even bound's problem starts from the odd count's seating
    if not seated:
        ctx.offer(W, quick_seating(W, allowed, odd))
    if ctx.seating is not None and ctx.seconds_left() < ctx.options.greedy_seconds_per_cell * n * n * (ctx.options.greedy_k + 2):
        _best_partner_bound(W, allowed, ctx)  # the greedy seating would end past the deadline
        stats["quick_s"] = round(time.perf_counter() - start, 4)
        raise _Expired
    if not early and not odd and _shortcut_seating(W, allowed, odd, ctx):
        return
    ctx.check()
    # tied weights: everyone with a best partner, when that can be (it proves itself)
    tight = tight_seating(W, allowed, odd, ctx) if ctx.options.tight_seating else None
    stats["tight_s"] = round(time.perf_counter() - start, 4)
    if tight is not None:
        ctx.offer(W, tight)
        if not ctx.proven():
            raise AssertionError("a seating of tight pairs misses the best-partner bound")
        return
    ctx.check()
    if not early and odd and _shortcut_seating(W, allowed, odd, ctx):
        return
    ctx.check()
    # (the best-partner bound it proves is tight_seating's too); not for an odd count the even
    # bound seats first, with time to spare (``odd_greedy_min_seconds``): its seating is better,
    # and the quick one stands until then (uniform N = 201: 5.5 -> 5.1 ms; sparse 201 5.6 -> 5.1 ms)
    even_bound_seats = (odd and ctx.options.even_bound and ctx.seating is not None and n <= ctx.options.odd_first_seating_min_n
                        and ctx.seconds_left() >= ctx.options.odd_greedy_min_seconds)
    if not seated and not even_bound_seats:
        ctx.offer(W, greedy_seating(W, allowed, odd, ctx))
        stats["greedy_s"] = round(time.perf_counter() - start, 4)
    if ctx.proven():
        return
    ctx.check()
    # odd counts: a better first seating, a maximum-weight matching on everyone's few best pairs
    # (even counts find theirs on the reduced costs, step 3, where it often proves itself; the
    # odd count's, mapped, starts the even bound's problem: on clustered groups its odd-set LP
    # settles sooner from it, 1,001 attendees 0.5 s against 0.9 s from the greedy seating)
    if odd and (ctx.seating is None or n > ctx.options.odd_first_seating_min_n or not ctx.options.even_bound):
        ctx.offer(W, first_seating(W, allowed, np.where(allowed, -W, big), odd, ctx))
        stats["first_seating_s"] = round(time.perf_counter() - start, 4)
        if ctx.proven():
            return
        ctx.check()
    if odd and ctx.options.even_bound:
        # 1b. the even bound: one even problem (n + 1 attendees) bounds every seating
        _even_bound(W, allowed, ctx)
        t0 = time.perf_counter()
        if ctx.proven() or _trios_by_even_costs(W, allowed, ctx):
            return
        stats["even_trios_s"] = round(time.perf_counter() - t0, 4)
        if ctx.even_matching is not None:
            # a seating _add_lone cannot reach, tried only now: the trio step settles most uniform
            # groups without it (uniform N = 501: 51 -> 46 ms). (When the deadline passes in the
            # trio step, the seating stays _add_lone's.)
            stats["trio_across_pairs"] = True
            ctx.offer(W, _trio_across_pairs(W, allowed, *ctx.even_matching, ctx))
            if ctx.proven():
                return
        ctx.even_costs = None  # read by nothing after: an (n + 1) x (n + 1) matrix less for the steps below
        ctx.check()
    # 2. the assignment relaxation: bound A and reduced costs
    neg_w = np.where(allowed, -W, big)
    relaxed = relaxation(W, allowed, ctx, neg_w)
    del neg_w
    if relaxed is None:
        raise InfeasibleError("no seating avoids the forbidden pairs")
    sigma, A, rc, Y0 = relaxed
    ctx.tighten(A)
    cycles = _cycles(sigma)
    odd_cycles = [c for c in cycles if len(c) % 2 == 1]
    stats["odd_cycle_attendees"] = sum(len(c) for c in odd_cycles)
    if not odd_cycles or (odd and len(odd_cycles) == 1 and len(odd_cycles[0]) == 3):
        groups: list[tuple[int, ...]] = []
        for c in cycles:
            groups.extend(_split_even_cycle(W, c) if len(c) % 2 == 0 else [tuple(c)])
        if seating_value2(W, groups) != A:  # cannot happen: an even cycle's better half is worth half the cycle
            raise AssertionError(f"integral relaxation gave {seating_value2(W, groups)} != {A}")
        ctx.offer(W, groups)
        ctx.costs = AssignmentCosts(rc, A)
        return
    if ctx.proven():
        return
    costs: AssignmentCosts = AssignmentCosts(rc, A)
    ctx.costs = costs
    del rc
    # 3. a second seating on the cheapest pairs by reduced cost (better on ties and clusters):
    #    even counts first try the pairs under a cost threshold, which often proves itself;
    #    skipped when its matching would not end in time (the exact step may still: it matches
    #    only the pairs that could beat the incumbent)
    ctx.check()
    try:
        if odd or ctx.options.threshold_pairs_per_attendee <= 0 or not _threshold_seating(W, allowed, costs, sigma, ctx):
            ctx.offer(W, first_seating(W, allowed, costs.pair, odd, ctx))
    except _Expired:
        stats["second_seating_skipped"] = True
    if ctx.proven():
        return
    # 4. tighter costs from the odd-set LP when the assignment's keep too much (too many pairs,
    #    or for an odd count too many candidate trios)
    kept = _kept_pairs(costs, allowed, ctx)
    stats["kept_pairs_assignment"] = kept
    lp_tried = False
    ascended = False
    odd_like = odd or ctx.added_attendee
    ascent_max_n = ctx.options.odd_ascent_max_n if odd_like else ctx.options.ascent_max_n
    if (ctx.added_attendee and n <= ctx.options.even_duals_max_n and W.min() >= 0
            and kept >= ctx.options.even_duals_kept_share * (np.count_nonzero(allowed) // 2)):
        # the even bound's problem where the assignment's costs keep nearly every pair (clustered):
        # one compiled matching and its duals, not the ascent and an exact step
        ctx.check()
        pi, pj = np.nonzero(np.triu(allowed & (W > 0), 1))
        if _matching_with_duals(W, allowed, pi, pj, ctx):
            return
    if kept > ctx.options.ascent_min_pairs_per_attendee * n and n <= ascent_max_n:
        # 4a. the odd-set duals of a dual ascent (milliseconds): on clustered groups nearly the
        #     LP's costs, and then the LP is left out
        ascent_costs = _ascent_costs(W, allowed, costs, Y0, cycles, odd, ctx)
        if ctx.proven():
            return
        ascent_kept = _kept_pairs(ascent_costs, allowed, ctx)
        stats["kept_pairs_ascent"] = ascent_kept
        if ascent_kept < kept:
            costs, kept = ascent_costs, ascent_kept
            ascended = kept <= ctx.options.ascent_pairs_per_attendee * n
    direct = not odd and (n <= ctx.options.direct_matching_max_n
                          or kept <= ctx.options.direct_pairs_per_attendee * n)
    if ascended:
        stats["ascent_costs"] = True  # few enough pairs: the exact step on them
    elif direct and kept > ctx.options.lp_pairs_per_attendee * n:
        stats["direct_matching"] = True  # one matching on the kept pairs costs less than the LP here
    elif kept > ctx.options.lp_pairs_per_attendee * n:
        ctx.check()
        lp_tried = True
        lp_costs = _odd_set_costs(W, allowed, costs, sigma, odd, ctx)
        if lp_costs is not None:
            if ctx.proven():
                return
            lp_kept = _kept_pairs(lp_costs, allowed, ctx)
            stats["kept_pairs_lp"] = lp_kept
            if lp_kept < kept:
                costs = lp_costs
    # 5. the exact step on the pairs (and trios) that could still beat the incumbent (odd counts:
    #    a few trio checks only, before the LP's costs, unless they are the LP's already)
    ctx.check()
    checks = ctx.options.max_trio_checks if lp_tried else min(ctx.options.max_trio_checks, ctx.options.trio_checks_before_lp)
    ctx.costs = costs
    if _exact(W, allowed, costs, odd, ctx, checks) or lp_tried:
        return
    # 6. (odd counts) too many trios to check with the assignment's costs: the odd-set LP's, once
    ctx.check()
    lp_costs = _odd_set_costs(W, allowed, costs, sigma, odd, ctx)
    if lp_costs is None or ctx.proven():
        return
    ctx.check()
    _exact(W, allowed, lp_costs, odd, ctx, ctx.options.max_trio_checks)


def _tight_regroup(tight: np.ndarray) -> tuple[list[list[int]], list[list[int]], list[Group] | None]:
    """The ascent's next start (``blossom.odd_set_ascent``): a maximum matching of the pairs of
    cost <= 1 (``tight``, n x n; the degree-one rule (``_forced_pairs``), then rustworkx, blossoms and all, on the
    attendees that rule leaves: 0.70 -> 0.55 ms at clustered N = 201), whose unmatched attendees root the
    next pass's trees.  Returns (each unmatched attendee alone, the matched pairs, and the
    seating they make when everyone is matched)."""
    n = len(tight)
    r, c = np.nonzero(np.triu(tight, 1))
    peeled = _forced_pairs(r, c, n, perfect=False)
    if peeled is None:  # (never, perfect=False)
        raise AssertionError("the degree-one rule found no maximum matching")
    forced, r, c = peeled
    pairs: Pairs = [(a, b) for a, b in forced.tolist()]
    if len(r):
        nodes = _distinct(np.concatenate([r, c]))
        sub = _rx_matching(np.searchsorted(nodes, r), np.searchsorted(nodes, c), np.ones(len(r), dtype=np.int64), len(nodes), True)
        pairs += list(zip(nodes[sub[:, 0]].tolist(), nodes[sub[:, 1]].tolist()))
    matched = np.zeros(n, dtype=bool)
    for a, b in pairs:
        matched[a] = matched[b] = True
    alone = [[int(v)] for v in np.flatnonzero(~matched)]
    seating: list[Group] | None = [(min(a, b), max(a, b)) for a, b in pairs] if not alone else None
    return alone, [[a, b] for a, b in pairs], seating


def _kept_pairs(costs: AssignmentCosts, allowed: np.ndarray, ctx: Context) -> int:
    """How many pairs could be in a seating better than the best one, by these costs."""
    return int(np.count_nonzero(np.triu(costs.pair < costs.limit(ctx.value2), 1) & allowed))


def _threshold_seating(W: np.ndarray, allowed: np.ndarray, costs: AssignmentCosts, sigma: np.ndarray, ctx: Context) -> bool:
    """Even n: the best perfect matching on the pairs of cost at most a threshold ``t`` (about
    ``threshold_pairs_per_attendee`` pairs per attendee, with the assignment's own arcs so that
    everyone has one).  Whether it is a seating (offered to ``ctx``).

    It proves itself when ``costs.limit(v) <= t + 1`` for its value v: a seating worth more than
    v costs less than that limit, so each of its pairs costs at most t and was there to be
    matched.  On uniform and tied weights the assignment's costs are that tight, and one
    matching on a few pairs each replaces the first seating, the second one and the exact step.
    When the matching leaves someone out, the others are matched among themselves (that seating
    is offered); False when the best seating then still keeps more than
    ``second_seating_pairs_per_attendee`` pairs each (the second seating follows).
    """
    n = len(W)
    pair = costs.pair
    want = int(ctx.options.threshold_pairs_per_attendee * n)
    step = max(1, (n * n) // (16 * max(want, 1)))  # a strided sample of the costs is enough for t
    sample = pair.ravel()[::step]
    k = min(len(sample) - 1, 2 * want // step)
    t = int(np.partition(sample, k)[k])
    under = pair <= t
    if np.count_nonzero(under) > 32 * want:  # ties (or forbidden pairs) at t: too many to pay
        return False
    pi, pj = np.nonzero(under)
    del under
    upper = pi < pj
    pi, pj = pi[upper], pj[upper]
    pi = np.concatenate([pi, np.minimum(np.arange(n), sigma)])
    pj = np.concatenate([pj, np.maximum(np.arange(n), sigma)])
    ok = allowed[pi, pj]
    key = _distinct(pi[ok] * n + pj[ok])
    pi, pj = key // n, key % n
    ctx.stats["threshold_pairs"] = int(len(pi))
    on_duals = ctx.options.threshold_seating_on_duals
    pairs = _matching(W, pi, pj, ctx, weights=costs.matching_weights(W, pi, pj) if on_duals else None)
    if 2 * len(pairs) != n:  # the others among themselves; the second seating when that is poor
        seating = _seat_the_rest(W, allowed, pairs, False, ctx, pair)
        ctx.offer(W, seating)
        if seating is None:
            return False
        kept = np.count_nonzero(pair < costs.limit(ctx.value2)) // 2
        return bool(kept <= ctx.options.second_seating_pairs_per_attendee * n)
    ctx.offer(W, pairs)
    value = seating_value2(W, pairs)
    if costs.limit(value) <= t + 1:
        ctx.stats["threshold_proof"] = True
        ctx.tighten(value)
    return True


def _ascent_costs(W: np.ndarray, allowed: np.ndarray, costs: AssignmentCosts, Y0: np.ndarray, cycles: list[list[int]],
                  odd: bool, ctx: Context) -> OddSetCosts:
    """The dual ascent's costs (``blossom.odd_set_ascent``, from the assignment's duals ``Y0`` and
    cycle cover), as ``_odd_set_costs`` gives the LP's: its bound, its own seating and, when its
    costs keep many pairs, a seating on its cheapest pairs go to ``ctx``, and so do the costs
    (the even bound's trio step reads them, also when its seating proves the problem).  Raises
    ``_Expired`` at the deadline."""
    ctx.check()
    started = time.perf_counter()
    rounds = ctx.options.even_bound_ascent_rounds if ctx.added_attendee else ctx.options.ascent_rounds
    bb = odd_set_ascent(allowed, costs.pair, Y0, [c for c in cycles if len(c) % 2], [c for c in cycles if len(c) % 2 == 0],
                        odd, ctx.deadline, _tight_regroup, rounds)
    ctx.check()
    if bb is None:
        raise _Expired
    ctx.stats.update(bb.stats)
    ascent_costs = OddSetCosts(bb)
    ctx.costs = ascent_costs
    ctx.offer(W, bb.seating)
    ctx.tighten(ascent_costs.value2_above(0))
    if not ctx.proven() and _kept_pairs(ascent_costs, allowed, ctx) > ctx.options.ascent_pairs_per_attendee * len(W):
        # a seating on the ascent's cheapest pairs: nearer the optimum, it keeps fewer
        ctx.offer(W, first_seating(W, allowed, ascent_costs.pair, odd, ctx))
    ctx.stats["ascent_s"] = round(time.perf_counter() - started, 4)
    return ascent_costs


def _odd_set_costs(W: np.ndarray, allowed: np.ndarray, costs: AssignmentCosts, sigma: np.ndarray, odd: bool,
                   ctx: Context) -> OddSetCosts | None:
    """The odd-set LP's costs (its bound and its own seating, when it is one, go to ``ctx``), or
    None when GLOP fails.  The LP starts from each attendee's cheapest pairs and the best
    seating's pairs (so it stays feasible under every cut)."""
    n = len(W)
    k = min(ctx.options.lp_price_k, n - 1)
    idx = _cheapest_per_row(costs.pair, k)
    have = np.zeros((n, n), dtype=bool)
    have[np.repeat(np.arange(n), k), idx.ravel()] = True
    have[np.arange(n), sigma] = True
    for g in ctx.seating or ():
        for a in g:
            for b in g:
                have[a, b] = a != b
    bb = blossom_bound(W, allowed, have | have.T, odd, ctx.deadline, max_rounds=ctx.options.lp_max_rounds,
                       price_k=ctx.options.lp_price_k, incumbent2=ctx.value2 if ctx.seating is not None else None)
    if bb is None:
        return None
    ctx.stats.update(bb.stats)
    lp_costs = OddSetCosts(bb)
    ctx.costs = lp_costs
    ctx.tighten(lp_costs.value2_above(0))
    ctx.offer(W, bb.seating)
    if bb.seating is None and not ctx.proven():
        ctx.check()
        ctx.offer(W, first_seating(W, allowed, lp_costs.pair, odd, ctx))  # on the LP's cheapest pairs
    return lp_costs


class _TrioFloor:
    """A lower bound on the cost of pairing up everyone but a trio, without a matching.

    Any pairing P of the others costs ``sum_{v} cost[v, P(v)] / 2`` (each pair counted from both
    ends), so at least half the sum, over everyone outside the trio, of their cheapest allowed
    pair that avoids the trio.  Each attendee's four cheapest pairs are kept: at most three
    partners are excluded.
    """

    def __init__(self, pair_cost: np.ndarray) -> None:
        n = len(pair_cost)
        k = min(4, n - 1)
        idx = _cheapest_per_row(pair_cost, k)  # cheapest first
        costs = np.take_along_axis(pair_cost, idx, axis=1)
        self.partners = idx.tolist()
        self.cheapest = costs.tolist()
        self.base = float(costs[:, 0].sum())
        self.first_of: dict[int, list[int]] = {}  # partner -> attendees whose cheapest pair is with them
        for v, row in enumerate(self.partners):
            self.first_of.setdefault(row[0], []).append(v)

    def pairs_around(self, trio: Sequence[int]) -> float:
        """Every pairing of everyone outside ``trio`` costs at least this."""
        total: float = self.base - sum(self.cheapest[v][0] for v in trio)
        for w in trio:
            for v in self.first_of.get(w, ()):
                if v in trio:
                    continue
                for u, c in zip(self.partners[v], self.cheapest[v]):
                    if u not in trio:
                        total += c - self.cheapest[v][0]
                        break
        return total / 2


def _may_pair_up(pi: np.ndarray, pj: np.ndarray, n: int, trio: Sequence[int], among: np.ndarray | None = None) -> bool:
    """Whether everyone ``0..n-1`` (or only ``among``) outside ``trio`` might be paired on the pairs
    (pi, pj): each has a pair, and every connected component is even (both needed for a perfect
    matching; a check costs a connected-components pass, not a matching)."""
    if among is None:
        outside = np.ones(n, dtype=bool)
    else:
        outside = np.zeros(n, dtype=bool)
        outside[among] = True
    outside[list(trio)] = False
    degree = np.bincount(pi, minlength=n) + np.bincount(pj, minlength=n)
    if (degree[outside] == 0).any():
        return False
    count, label = _components(pi, pj, n)
    sizes = np.bincount(label[outside], minlength=count)
    return not (sizes % 2).any()


def _beaten_by_even_bound(W: np.ndarray, trio: Sequence[int], ctx: Context) -> bool:
    """Whether no seating with this trio can beat the best one, by the even bound: a seating with
    trio T, mapped as in ``_even_bound`` with T's least-gaining member v joining (the pair of the
    other two, and v with the added attendee), is a matching worth ``H[v] - gain(v)`` more than
    the seating, and no matching is worth more than the even bound."""
    if ctx.trio_gain is None or ctx.even_bound2 is None:
        return False
    a, b, c = (int(x) for x in trio)
    gains = ((a, int(W[a, b] + W[a, c] - W[b, c])), (b, int(W[b, a] + W[b, c] - W[a, c])), (c, int(W[c, a] + W[c, b] - W[a, b])))
    v, least = min(gains, key=lambda g: g[1])
    return ctx.even_bound2 - (int(ctx.trio_gain[v]) - least) <= ctx.value2


def _seated_by_even_matching(trio: Sequence[int], ctx: Context) -> bool:
    """Whether the best seating with this trio is known without a matching: when the even
    problem's best matching M pairs one member with the added attendee and the other two together,
    M's other pairs are a best pairing of everyone outside the trio (a better one, with the trio's
    two pairs, would beat M), so the best seating with it is M's own with that member joining the
    pair, which ``_add_lone`` offered (its first step tries every pair for that member)."""
    mate = ctx.even_mate
    if mate is None:
        return False
    a, b, c = (int(x) for x in trio)
    n = len(mate)
    return bool((mate[a] == n and mate[b] == c) or (mate[b] == n and mate[a] == c) or (mate[c] == n and mate[a] == b))


TRIO_BLOCK = 1 << 16  # (pair, member) cells per block of _even_trios (64-128 K measured best)


def _even_trios(W: np.ndarray, allowed: np.ndarray, H: np.ndarray, pd: np.ndarray, members: np.ndarray,
                pi: np.ndarray, pj: np.ndarray, pcost: np.ndarray, lim: int, f2: int, ctx: Context
                ) -> tuple[np.ndarray, np.ndarray]:
    """``_trios_by_even_costs``' listing: every allowed trio {v, a, b} with v in ``members``, (a, b) one
    of the pairs (pi, pj) of cost ``pcost``, ``slack = H[v] - gain_v >= 0`` and ``tc = pcost + pd[v] +
    f2 * slack < lim``; each trio once at its cheapest orientation, cheapest first (equal costs in the
    trios' order).  Returns (trios as sorted rows, their costs).

    As slack >= 0, a pair is only tried with the members whose ``pd`` is under ``lim`` less its cost:
    with the pairs by cost and the members by ``pd``, a block of pairs is tried against one prefix of
    the members, as whole rows of ``W`` (its members' columns, gathered once), blocks of about
    ``TRIO_BLOCK`` (pair, member) cells that stay in the cache.  Gathering ``W[v, a]`` cell by cell
    for each (member, pair) cost 3-10 times as much (uniform N = 501: 32 -> 8 ms warm, 105 -> 12 ms
    on first use, when the large blocks' memory was new to the process; realistic 1,001: 130-380 ms
    -> 32-60 ms)."""
    n = len(W)
    by_cost = np.argsort(pcost, kind="stable")
    members = members[np.argsort(pd[members], kind="stable")]
    if len(by_cost):  # only the members the cheapest pair may take (the first block's width) are copied
        members = members[:int(np.searchsorted(pd[members], lim - pcost[by_cost[0]], side="left"))]
    pdm = pd[members]
    Wm, Am, Hm = W[:, members], allowed[:, members], H[members]
    base = pdm + f2 * Hm  # tc = pcost + f2 * W[a, b] + base[v] - f2 * (W[v, a] + W[v, b])
    found: list[np.ndarray] = []
    found_cost: list[np.ndarray] = []
    start = 0
    while start < len(by_cost):
        ctx.check()
        width = int(np.searchsorted(pdm, lim - pcost[by_cost[start]], side="left"))  # the members this block may join
        if width == 0:
            break  # and no costlier pair has any
        end = start + max(1, TRIO_BLOCK // width)
        k = by_cost[start:end]
        a, b = pi[k], pj[k]
        wab = W[a, b]
        joined = Wm[a, :width] + Wm[b, :width]  # W[v, a] + W[v, b], a row per pair
        tc = (pcost[k] + f2 * wab)[:, None] + base[None, :width] - f2 * joined
        ok = (joined <= Hm[None, :width] + wab[:, None]) & (tc < lim) & Am[a, :width] & Am[b, :width]  # slack >= 0
        rows, cols = np.nonzero(ok)  # v is never a or b: the diagonal is never allowed
        found.append(np.sort(np.stack([members[cols], a[rows], b[rows]], axis=1), axis=1))
        found_cost.append(tc[rows, cols])
        start = end
    trios = np.concatenate(found) if found else np.zeros((0, 3), dtype=np.int64)
    tcost = np.concatenate(found_cost) if found_cost else np.zeros(0, dtype=np.int64)
    key = (trios[:, 0] * n + trios[:, 1]) * n + trios[:, 2]
    order = np.lexsort((key, tcost))  # cheapest first, equal costs in the trios' order
    trios, tcost, key = trios[order], tcost[order], key[order]
    _, first = np.unique(key, return_index=True)  # each trio at its cheapest orientation
    first.sort()
    return trios[first], tcost[first]


def _trios_by_even_costs(W: np.ndarray, allowed: np.ndarray, ctx: Context) -> bool:
    """Odd n, after ``_even_bound``: the exact trio step on the even problem's reduced costs.
    Whether the best seating (in ``ctx``) is now proven; the bound it proved goes to ``ctx``.

    The even problem's costs (``U``, ``f``, pair costs ``pc`` >= 0 over the n + 1 attendees, d the
    added one) bound each of its matchings P: ``2 * weight(P) <= (U - cost(P)) / f``.  A seating S
    with trio T, mapped with any member v joining (pair T - v, pair {v, d}), has ``weight(P) =
    value2(S) + slack`` where ``slack = H[v] - gain_v(T)``; so, with v such that slack >= 0 (the
    least-gaining member is one), S beats the best seating L only if ``cost(pairs of S) +
    tc(T) < U - 2 f L``, where ``tc(T) = pc[T - v] + pc[v, d] + 2 f slack``.  The trios under that
    limit are listed from the members v with ``pc[v, d]`` under it and the pairs under it (one
    vectorised pass per block of members), cheapest first; each is checked by one matching of the
    others on the pairs cheaper than the limit less ``tc(T)``.  A trio left unchecked (deadline,
    ``max_trio_checks``) is covered by its bound.  When the costs keep more pairs than
    ``even_pairs_per_attendee`` per attendee or more trios than ``max_trios`` times
    ``trio_listing_growth`` (the odd path's own listing's most), nothing is checked: the odd
    path's own costs follow (the even problem's are then too loose to pay).  A listing of more
    than ``max_trios`` is checked too, but for ``long_listing_checks`` matchings at most: most of
    its trios are beaten by their own bound before any matching.
    """
    costs, H = ctx.even_costs, ctx.trio_gain
    if costs is None or H is None or ctx.seating is None:
        return False
    n = len(W)
    stats = ctx.stats
    low = np.iinfo(np.int64).min // 4
    f2 = 2 * costs.f
    pc = costs.pair  # (n + 1, n + 1)
    pd = pc[n, :n]
    has = H > low
    lim = costs.U - f2 * ctx.value2
    if not (pd[has] < lim).any():
        ctx.tighten(ctx.value2)
        return ctx.proven()
    # the pairs a better seating could hold (fewer once a check finds a better one): too many,
    # and the even costs are too loose to pay
    pi, pj = np.nonzero(pc[:n, :n] < lim - int(pd[has & (pd < lim)].min()))  # (few: then the other tests)
    keep = (pi < pj) & allowed[pi, pj]
    pi, pj = pi[keep], pj[keep]
    pcost = pc[pi, pj]
    stats["even_exact_pairs"] = int(len(pi))
    if len(pi) > ctx.options.even_pairs_per_attendee * n:
        return False  # the odd path's own costs follow
    # First the cheapest trios alone (tc under a quarter of the limit): when their checks reach
    # the bound of the others, the costlier ones are never listed (uniform N = 501: 388 trios
    # listed in 11 ms for one check, which settles it)
    first = max(1, lim // ctx.options.even_trios_first_share)
    stages = [first, None] if first < lim else [None]
    stats["even_candidate_trios"] = 0
    checks = 0
    done: bool | None = None
    for below in stages:
        whole = costs.U - f2 * ctx.value2  # the best seating may have grown since the stage before
        if not (pd[has] < whole).any():
            break
        fewer = pcost < whole - int(pd[has & (pd < whole)].min())
        pi, pj, pcost = pi[fewer], pj[fewer], pcost[fewer]
        lim = whole if below is None else min(whole, below)
        settled = stages[0] if below is None else None  # the trios costing less: settled by the first stage
        done, checks = _even_trio_stage(W, allowed, H, pc, pd, has, (pi, pj, pcost), lim, settled, f2, costs,
                                        checks, ctx)
        if done is not None:
            break
        if below is not None:  # every trio costing at least `below` is under this bound
            ctx.tighten(max(ctx.value2, (costs.U - below) // f2))
            if ctx.proven():
                stats["even_trios_first_settled"] = True
                break
    stats["even_trio_checks"] = checks
    if done is not None:
        return done
    ctx.tighten(ctx.value2)
    return ctx.proven()


def _even_trio_stage(W: np.ndarray, allowed: np.ndarray, H: np.ndarray, pc: np.ndarray, pd: np.ndarray, has: np.ndarray,
                     pairs: tuple[np.ndarray, np.ndarray, np.ndarray], lim: int, settled: int | None, f2: int,
                     costs: OddSetCosts | AssignmentCosts, checks: int, ctx: Context) -> tuple[bool | None, int]:
    """One listing of ``_trios_by_even_costs``: the trios of cost under ``lim`` (but not under
    ``settled``: checked before), cheapest first, each checked unless beaten by its bound (on
    every pair of ``pairs`` (pi, pj, their costs: those a better seating could hold), not only
    those under ``lim``).
    Returns (None: every listed trio settled, or whether the seating is proven once the listing
    stopped early or cannot be checked; the checks made so far)."""
    n = len(W)
    stats = ctx.stats
    members = np.flatnonzero((pd < lim) & has)
    if len(members) == 0:
        return None, checks
    pi, pj, pcost = pairs  # every pair a better seating could hold, whatever the listing's limit
    trios, tcost = _even_trios(W, allowed, H, pd, members, pi, pj, pcost, lim, f2, ctx)
    if settled:
        keep = tcost >= settled
        trios, tcost = trios[keep], tcost[keep]
    stats["even_candidate_trios"] += int(len(trios))
    if len(trios) > ctx.options.max_trios * ctx.options.trio_listing_growth:
        return False, checks  # the odd path's own costs follow (the even costs are too loose to pay)
    long_listing = len(trios) > ctx.options.max_trios
    checks_before = checks  # a long listing gets its own long_listing_checks
    bound_left = None
    floor: _TrioFloor | None = None
    for t, cost in zip(trios.tolist(), tcost.tolist()):
        if (costs.U - cost) // f2 <= ctx.value2:
            break  # this trio and every costlier one cannot beat the best seating
        if _beaten_by_even_bound(W, t, ctx):
            continue
        if _seated_by_even_matching(t, ctx):
            stats["even_trios_by_matching"] = stats.get("even_trios_by_matching", 0) + 1
            continue
        if long_listing and checks - checks_before >= ctx.options.long_listing_checks:
            return False, checks  # a long listing these checks did not settle: the odd path's own costs follow
        if checks >= ctx.options.max_trio_checks or ctx.expired():
            bound_left = (costs.U - cost) // f2
            break
        pair_limit = costs.U - f2 * ctx.value2 - cost
        if floor is None:
            floor = _TrioFloor(pc[:n, :n])
        if floor.pairs_around(t) >= pair_limit:
            stats["even_trios_by_floor"] = stats.get("even_trios_by_floor", 0) + 1
            continue  # the others cannot be paired cheaply enough around this trio
        keep = (pcost < pair_limit) & (pi != t[0]) & (pi != t[1]) & (pi != t[2]) & (pj != t[0]) & (pj != t[1]) & (pj != t[2])
        if not _may_pair_up(pi[keep], pj[keep], n, t):
            stats["even_trios_unpaired"] = stats.get("even_trios_unpaired", 0) + 1
            continue  # someone outside the trio has no kept pair, or a component is odd
        try:
            matched = _perfect_matching(W, pi[keep], pj[keep], ctx, costs, scale=2)
        except _Expired:
            bound_left = (costs.U - cost) // f2
            break
        checks += 1
        if matched is not None:
            ctx.offer(W, matched + [tuple(t)])
    if bound_left is not None:  # stopped early: the trios left are covered by their bound
        ctx.tighten(max(ctx.value2, bound_left))
        return ctx.proven(), checks
    return None, checks


def _exact(W: np.ndarray, allowed: np.ndarray, costs: AssignmentCosts, odd: bool, ctx: Context, max_checks: int) -> bool:
    """Reduced-cost fixing, then exact matchings (see the module docstring).  Whether the best
    seating (in ``ctx``) is now proven; the bound this step proved goes to ``ctx`` either way."""
    n = len(W)
    stats = ctx.stats
    incumbent = ctx.seating
    if incumbent is None:
        raise AssertionError("the exact step needs a seating to beat")
    limit = costs.limit(ctx.value2)
    pi, pj = np.nonzero(np.triu(allowed & (costs.pair < limit), 1))
    inc_pairs = [g for g in incumbent if len(g) == 2]
    if inc_pairs:
        arr = np.asarray(inc_pairs, dtype=np.int64)
        pi, pj = np.concatenate([pi, arr.min(axis=1)]), np.concatenate([pj, arr.max(axis=1)])
        key = _distinct(pi * n + pj)
        pi, pj = key // n, key % n
    stats["exact_pairs"] = int(len(pi))
    if not odd and len(pi) > ctx.options.exact_max_pairs:
        # the even bound's problem: its LP's bound stands (even_bound_max_pairs), and a seating comes
        # from the cheapest of those pairs, with the incumbent's (a perfect matching, not a proof)
        stats["exact_skipped"] = True
        ci, cj = _cheapest_pairs(costs.pair, allowed, ctx.options.skipped_exact_k)
        if inc_pairs:
            ci, cj = np.concatenate([ci, arr.min(axis=1)]), np.concatenate([cj, arr.max(axis=1)])
        pairs = _matching(W, ci, cj, ctx)
        if 2 * len(pairs) == n:  # always: the incumbent's pairs are among them
            ctx.offer(W, pairs)
        return False
    if not odd:
        # on the LP's node duals a large even matching can be slower than on W (clustered N = 5,000:
        # 637,000 pairs, 12 s against 2.4 s), so only the assignment's duals start this one
        weights = None if isinstance(costs, OddSetCosts) else costs.matching_weights(W, pi, pj)
        pairs = _matching(W, pi, pj, ctx, weights=weights)
        if 2 * len(pairs) != n or seating_value2(W, pairs) < ctx.value2:
            raise AssertionError("the exact step lost the incumbent")  # it holds the incumbent's pairs
        ctx.offer(W, pairs)
        ctx.tighten(ctx.value2)
        return True
    # odd: candidate trios, then the components of what a better seating may use
    if not ctx.can_match(n, len(pi)):  # listing trios on that many pairs would not pay either
        raise _Expired
    trios, tcost, covered = candidate_trios(costs, allowed, limit, ctx.options.max_trios, ctx)
    stats["candidate_trios"] = int(len(trios))
    inc_trio = next(g for g in incumbent if len(g) == 3)
    li = np.concatenate([pi, trios[:, 0], trios[:, 1], np.asarray([inc_trio[0], inc_trio[1]])]).astype(np.int64)
    lj = np.concatenate([pj, trios[:, 1], trios[:, 2], np.asarray([inc_trio[1], inc_trio[2]])]).astype(np.int64)
    count, label = _components(li, lj, n)
    sizes = np.bincount(label, minlength=count)
    host = label[inc_trio[0]]  # the only odd component: the incumbent seats every other one in pairs
    in_host = label == host
    stats["trio_component"] = int(sizes[host])
    # the even components: one exact matching for all of them
    outside = ~in_host[pi]
    oi, oj = pi[outside], pj[outside]
    rest_pairs = _matching(W, oi, oj, ctx, weights=costs.matching_weights(W, oi, oj)) if len(oi) else []
    if 2 * len(rest_pairs) != n - sizes[host]:
        raise AssertionError("the exact step lost the incumbent")
    inside = in_host[pi]
    hi, hj = pi[inside], pj[inside]
    hc = costs.pair[hi, hj]
    host_trios = in_host[trios[:, 0]] if len(trios) else np.zeros(0, dtype=bool)
    trios, tcost = trios[host_trios], tcost[host_trios]
    ctx.offer(W, rest_pairs + [g for g in incumbent if in_host[g[0]]])  # a whole seating
    all_cost = costs.pair[pi, pj]
    floor = _TrioFloor(costs.pair)
    checks = 0
    proven = True
    bound_left = None
    checked: set[tuple[int, int, int]] = set()
    cap = ctx.options.max_trios
    while True:
        for t, cost in zip(trios.tolist(), tcost.tolist()):
            if tuple(t) in checked:
                continue
            if costs.value2_above(cost) <= ctx.value2:
                break  # this trio and every costlier one cannot beat the best seating
            if _beaten_by_even_bound(W, t, ctx):
                checked.add(tuple(t))  # the even bound shows no seating with this trio beats the best
                stats["trios_by_even_bound"] = stats.get("trios_by_even_bound", 0) + 1
                continue
            pair_limit = costs.limit(ctx.value2) - cost
            if floor.pairs_around(t) >= pair_limit:
                checked.add(tuple(t))  # the others cannot be paired cheaply enough without this trio
                stats["trios_by_floor"] = stats.get("trios_by_floor", 0) + 1
                continue
            if checks >= max_checks or ctx.expired():
                proven = False
                bound_left = costs.value2_above(cost)
                break
            # a seating with this trio that beats the best one costs less than the limit, so each
            # of its pairs costs less than the limit minus the trio's cost (every cost is >= 0)
            if in_host[t[0]] and in_host[t[1]] and in_host[t[2]]:
                ei, ej, ec, others, size = hi, hj, hc, rest_pairs, int(sizes[host])
            else:  # a trio listed later, joining components: the whole graph around it
                ei, ej, ec, others, size = pi, pj, all_cost, [], n
            keep = (ec < pair_limit) & (ei != t[0]) & (ei != t[1]) & (ei != t[2]) & (ej != t[0]) & (ej != t[1]) & (ej != t[2])
            if not _may_pair_up(ei[keep], ej[keep], n, t, np.flatnonzero(in_host) if size < n else None):
                checked.add(tuple(t))  # someone has no kept pair, or a component is odd: no seating here
                stats["trios_unpaired"] = stats.get("trios_unpaired", 0) + 1
                continue
            try:
                matched = _perfect_matching(W, ei[keep], ej[keep], ctx, costs)
            except _Expired:
                proven = False
                bound_left = costs.value2_above(cost)
                break
            checks += 1
            checked.add(tuple(t))
            if matched is not None:
                ctx.offer(W, others + matched + [tuple(t)])
        if not proven:
            break
        # the best seating improved: fewer trios can beat it, so list again past the first cap
        now = costs.limit(ctx.value2)
        if covered >= now or ctx.expired():
            break
        trios, tcost, again = candidate_trios(costs, allowed, now, cap, ctx)
        if again <= covered and all(tuple(t) in checked for t in trios.tolist()):
            # the same trios, all checked: list past them, four times as many (the checked ones
            # are skipped), up to ``trio_listing_growth`` times the first cap
            if cap >= ctx.options.max_trios * ctx.options.trio_listing_growth:
                break
            cap *= 4
            stats["trio_listing_cap"] = cap
            continue
        covered = again
        stats["trio_listings"] = stats.get("trio_listings", 1) + 1
    stats["trio_checks"] = checks
    value = ctx.value2
    limit = costs.limit(value)
    # unlisted trios cost >= covered; unchecked ones at most bound_left
    outside_bound = costs.value2_above(covered) if covered < limit else value
    if bound_left is not None:
        outside_bound = max(outside_bound, bound_left)
    ctx.tighten(max(value, outside_bound))
    return proven and ctx.proven()
