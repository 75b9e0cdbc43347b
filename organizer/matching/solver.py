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
0. Even n, no negative weight, few positive pairs of few distinct weights
   (sparse and tied): the heaviest matching on the positive pairs bounds every
   seating; when the attendees it leaves alone pair up on weight-0 pairs, that
   seating is optimal (``sparse_even_seating``).
1. First seating (``first_seating``): a maximum-weight matching, by
   rustworkx's compiled blossom algorithm, on each attendee's few best pairs;
   the unmatched are matched among themselves, and for an odd count the one
   left joins the pair that makes the best trio.  Milliseconds, on every
   family, so the time limit never leaves the solve empty-handed.  Its first
   bound: everyone's best allowed partner (``sum_v max_j W[v, j]`` bounds
   value2, since value2 is the sum of each attendee's share).
2. The assignment relaxation (OR-Tools ``SimpleLinearSumAssignment`` on a
   sparse core, widened by pricing every allowed arc): ``A`` and its
   potentials by Bellman-Ford, hence reduced costs ``rc >= 0`` with the

   *Lemma.*  For every seating S, ``value2(S) = A - RC(S)``, where ``RC(S)`` is
   the sum of ``rc`` over the arcs of S's cycle cover: a pair {i, j} adds
   ``rc[i, j] + rc[j, i]``, the trio the cheaper orientation of its 3-cycle.

   If the optimal cycle cover has no odd cycle (or, for odd n, one 3-cycle)
   it is a seating: proven at once.
3. A second seating as in 1, on the cheapest pairs by reduced cost.
4. When the assignment's costs keep too many pairs, the matching LP with
   Edmonds' odd-set cuts (GLOP, ``blossom.py``) gives an exact integer bound
   ``D4`` and costs ``RC``: ``2 value2(S) <= D4 - cost(S)`` (a pair costs
   ``2 RC``, the trio the sum of its three ``RC``).  Whichever keeps fewer
   pairs is used (``AssignmentCosts``, ``OddSetCosts``).
5. Exact step.  A seating better than the incumbent ``L`` costs less than
   ``limit = U - f L`` (U = A, f = 1 or U = D4, f = 2), so each of its pairs and
   its trio does.  Even n: one maximum-weight perfect matching (rustworkx) on
   the pairs of cost < limit, plus the incumbent's pairs, is the optimum.
   Odd n: the trios of cost < limit are listed (counted first by a sparse
   product; at most ``max_trios``: when more qualify, the cheapest are listed
   and the rest are covered by the bound), the kept pairs and trios split into
   connected components, exactly one of which is odd and must hold the trio;
   the even ones get one matching, and the odd one is solved once per
   candidate trio, cheapest first, until the trio's own bound
   ``(U - cost(trio)) / f`` cannot beat the best seating found; each check
   keeps only the pairs cheaper than the limit less the trio's cost.  When the
   best seating improves, the trios are listed again under the lower limit.
   No model ever holds all trios.
6. Odd n, when the assignment's costs leave trios unchecked: the odd-set LP's
   costs, and step 5 again.

Time limit: checked between steps (and between pricing rounds, LP rounds and
trio checks); when it passes, the best seating is returned with the best
bound proven so far.  A first seating always exists before the limit is
looked at.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import rustworkx as rx
from ortools.graph.python import linear_sum_assignment
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from organizer.matching.blossom import PRICE_K, blossom_bound
from organizer.matching.types import InfeasibleError, SolveTimeoutError


@dataclass
class RoundSolution:
    groups: list[tuple[int, ...]]  # pairs and at most one trio, indices 0..n-1
    value2: int  # 2 * pair weights + trio's three pair weights
    bound2: int  # upper bound on value2 of any seating
    proven: bool
    stats: dict = field(default_factory=dict)


def seating_value2(W: np.ndarray, groups) -> int:
    total = 0
    for g in groups:
        if len(g) == 2:
            total += 2 * int(W[g[0], g[1]])
        else:
            a, b, c = g
            total += int(W[a, b]) + int(W[b, c]) + int(W[a, c])
    return total


# --------------------------------------------------------------------------- relaxation


def _top_k_edges(W: np.ndarray, allowed: np.ndarray, k: int) -> np.ndarray:
    """Boolean matrix: each row's k best allowed partners, symmetrised."""
    n = len(W)
    if k >= n - 1:
        return allowed.copy()
    masked = np.where(allowed, W, np.iinfo(np.int64).min)
    idx = np.argpartition(-masked, k, axis=1)[:, :k]
    core = np.zeros((n, n), dtype=bool)
    core[np.repeat(np.arange(n), k), idx.ravel()] = True
    core &= allowed
    return core | core.T


def _assignment(W: np.ndarray, core: np.ndarray):
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


def _duals(W: np.ndarray, sigma: np.ndarray, rows: np.ndarray, cols: np.ndarray):
    """Potentials (d_row, d_col) making every core arc's reduced cost >= 0, sigma's = 0."""
    n = len(W)
    order = np.argsort(cols, kind="stable")
    rows, cols = rows[order], cols[order]
    w = W[rows, cols]
    starts = np.flatnonzero(np.r_[True, cols[1:] != cols[:-1]])
    targets = cols[starts]
    w_sigma = W[np.arange(n), sigma]
    d_col = np.zeros(n, dtype=np.int64)
    for _ in range(2 * n + 2):
        d_row = d_col[sigma] + w_sigma
        cand = np.minimum.reduceat(d_row[rows] - w, starts)
        new = d_col.copy()
        new[targets] = np.minimum(new[targets], cand)
        if np.array_equal(new, d_col):
            return d_col[sigma] + w_sigma, d_col
        d_col = new
    raise RuntimeError("assignment duals did not converge (the assignment is not optimal)")


def _reduced_costs(W, allowed, d_row, d_col, neg_w=None):
    """rc[i, j] = -W[i, j] + d_row[i] - d_col[j], huge where not allowed (``neg_w``: that -W, precomputed)."""
    if neg_w is None:
        neg_w = np.where(allowed, -W, np.iinfo(np.int64).max // 4)
    rc = neg_w + d_row[:, None]
    rc -= d_col[None, :]
    return rc


class _Expired(Exception):
    """The deadline passed inside a step that has no answer yet."""


def relaxation(W: np.ndarray, allowed: np.ndarray, ctx: Context, neg_w: np.ndarray):
    """Solve the doubled-graph assignment over all allowed arcs by core + pricing.

    Returns (sigma, A, rc) or None when no cycle cover exists (then no seating exists);
    raises _Expired when the deadline passes between pricing rounds.
    """
    n = len(W)
    k = ctx.options.core_k
    core = _top_k_edges(W, allowed, k)
    # a ring 0-1-...-(n-1)-0 of allowed pairs: with it the core nearly always has a cycle cover
    # (clustered scores can leave a person in nobody's top k, and proving that infeasible is slow)
    ring = np.arange(n)
    nxt = np.roll(ring, -1)
    ok = allowed[ring, nxt]
    core[ring[ok], nxt[ok]] = core[nxt[ok], ring[ok]] = True
    stats = ctx.stats
    stats["pricing_rounds"] = 0
    while True:
        if stats["pricing_rounds"] and ctx.expired():
            raise _Expired
        solved = _assignment(W, core)
        if solved is None:
            if core.sum() == allowed.sum():
                return None
            k = min(2 * k, n - 1)
            core |= _top_k_edges(W, allowed, k)
            continue
        sigma, value, rows, cols = solved
        d_row, d_col = _duals(W, sigma, rows, cols)
        rc = _reduced_costs(W, allowed, d_row, d_col, neg_w)
        negative = rc < 0
        stats["pricing_rounds"] += 1
        if not negative.any():
            stats["core_arcs"] = int(len(rows))
            return sigma, int(value), rc
        # add, per row, the most negative arcs (and their reverses)
        bad_rows = np.flatnonzero(negative.any(axis=1))
        take = min(ctx.options.price_take, n - 1)
        sub = rc[bad_rows]
        idx = np.argpartition(sub, take - 1, axis=1)[:, :take] if take < n else np.tile(np.arange(n), (len(bad_rows), 1))
        add = np.zeros_like(core)
        r = np.repeat(bad_rows, idx.shape[1])
        c = idx.ravel()
        keep = negative[r, c]
        add[r[keep], c[keep]] = True
        core |= add | add.T


def _cycles(sigma: np.ndarray) -> list[list[int]]:
    seen = np.zeros(len(sigma), dtype=bool)
    out = []
    for s in range(len(sigma)):
        if seen[s]:
            continue
        cyc = []
        v = s
        while not seen[v]:
            seen[v] = True
            cyc.append(v)
            v = int(sigma[v])
        out.append(cyc)
    return out


def _split_even_cycle(W, cyc):
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
    rounds, few enough to keep the core sparse."""
    first_k: int = 6
    """Cheapest pairs per attendee in the graph the first seating is matched on (rustworkx):
    6 nearly always has a perfect matching and keeps that matching at a few milliseconds per
    hundred attendees; when it has none the graph is widened four-fold."""
    lp_pairs_per_attendee: int = 24
    """When the assignment's reduced costs keep more pairs than this per attendee for the exact
    step, the odd-set LP (``blossom.py``) is solved for tighter costs: it costs about one
    rustworkx matching of that size, and pays off on wide weights where the assignment's bound
    is loose."""
    max_trios: int = 1024
    """Candidate trios listed at most (odd counts), cheapest first.  Bounds memory and time: at
    most ``max_trio_checks`` of them are tried anyway, and when more could beat the incumbent
    the unlisted ones are covered by the bound (each costs at least the listing's limit)."""
    max_trio_checks: int = 1024
    """Candidate trios tried one by one (each a matching of the trio's component without it, on
    the pairs that could still beat the best seating) before the solver stops with its best
    seating and the proven gap; the deadline stops it sooner.  As many as are listed: each
    check takes milliseconds to a few tenths of a second, and the deadline guards the rest."""
    exhaustive_trio_n: int = 40
    """Up to this many attendees, an odd count whose forbidden pairs defeat the first seating has
    every trio tried (a proof of infeasibility when none works); above it, trios are tried until
    the deadline.  Such groups are rare: most attendees would have to be forbidden to each other."""
    matching_seconds_per_pair: float = 5e-5
    """A cautious estimate of rustworkx's time per pair in one matching (measured: 0.3 to 45
    microseconds, the slowest on clustered complete graphs): an exact matching that would end
    past the deadline is not started."""
    sparse_share: float = 0.1
    sparse_distinct_weights: int = 16
    """Even counts with at most this share of positive pairs, of at most this many distinct
    weights, are solved by one heaviest matching on the positive pairs (``sparse_even_seating``):
    rustworkx settles such tied, sparse graphs in one pass, faster than any bound; on wide,
    distinct weights it is slow (minutes at 2,000), so those go the primal-dual way."""
    lp_max_rounds: int = 60
    """Rounds of odd-set cuts at most (each a warm-started GLOP solve of a few milliseconds):
    clustered groups need one round per layer of odd clusters, and a loose LP bound keeps far
    more pairs in the exact step than these rounds cost."""
    lp_price_k: int = PRICE_K
    """Cheapest pairs per attendee the odd-set LP starts from (it prices every other pair)."""


@dataclass
class Context:
    """What every step of one solve shares: its deadline, seed, options and statistics."""

    deadline: float  # a time.perf_counter() value
    seed: int = 0
    options: SolverOptions = field(default_factory=SolverOptions)
    stats: dict = field(default_factory=dict)

    def expired(self) -> bool:
        return time.perf_counter() >= self.deadline

    def seconds_left(self) -> float:
        return self.deadline - time.perf_counter()

    def can_match(self, pairs: int) -> bool:
        """Whether a matching on this many pairs should end before the deadline."""
        rate = max(self.options.matching_seconds_per_pair, self.stats.get("matching_seconds_per_pair", 0.0))
        return pairs * rate < self.seconds_left()

    def observe_matching(self, pairs: int, seconds: float) -> None:
        """Learn rustworkx's pace on this instance (the slowest seen), for ``can_match``."""
        if pairs > 1000:
            rate = seconds / pairs
            self.stats["matching_seconds_per_pair"] = max(rate, self.stats.get("matching_seconds_per_pair", 0.0))


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
        return np.minimum(self.rc, self.rc.T)

    def trio(self, a, b, c):
        rc = self.rc
        return np.minimum(rc[a, b] + rc[b, c] + rc[c, a], rc[a, c] + rc[c, b] + rc[b, a])

    def limit(self, L2: int) -> int:
        """A seating worth more than ``L2`` (value2) costs less than this."""
        return self.U - self.f * L2

    def value2_above(self, units: int) -> int:
        """The most a seating of cost >= ``units`` can be worth (value2)."""
        return (self.U - units) // self.f


class OddSetCosts(AssignmentCosts):
    """The odd-set LP's integer duals (``blossom.py``): ``2 value2(S) <= D4 - cost(S)`` (U = D4, f = 2).

    A pair costs ``2 RC``, a trio the sum of ``RC`` over its three pairs.
    """

    f = 2

    def __init__(self, bb):
        self.RC = bb.RC
        self.U = int(bb.D4)
        self.pair = 2 * bb.RC

    def trio_edge(self) -> np.ndarray:
        return self.RC

    def trio(self, a, b, c):
        RC = self.RC
        return RC[a, b] + RC[b, c] + RC[a, c]


# --------------------------------------------------------------------------- matchings (rustworkx)


def _matching(W: np.ndarray, pi: np.ndarray, pj: np.ndarray) -> list[tuple[int, int]]:
    """Most pairs, then most weight, using only the pairs (pi[k], pj[k]): rustworkx's compiled blossom."""
    if len(pi) == 0:
        return []
    nodes = np.unique(np.concatenate([pi, pj]))
    li, lj = np.searchsorted(nodes, pi), np.searchsorted(nodes, pj)
    graph = rx.PyGraph(multigraph=False)
    graph.add_nodes_from(range(len(nodes)))
    graph.add_edges_from(list(zip(li.tolist(), lj.tolist(), W[pi, pj].tolist())))
    matched = rx.max_weight_matching(graph, max_cardinality=True, weight_fn=int)
    return [tuple(sorted((int(nodes[a]), int(nodes[b])))) for a, b in matched]


def _heaviest_matching(W: np.ndarray, pi: np.ndarray, pj: np.ndarray) -> list[tuple[int, int]]:
    """Most weight (any number of pairs) using only the pairs (pi[k], pj[k]) (rustworkx)."""
    if len(pi) == 0:
        return []
    n = len(W)
    graph = rx.PyGraph(multigraph=False)
    graph.add_nodes_from(range(n))
    graph.add_edges_from(list(zip(pi.tolist(), pj.tolist(), W[pi, pj].tolist())))
    return [tuple(sorted((int(a), int(b)))) for a, b in rx.max_weight_matching(graph, max_cardinality=False, weight_fn=int)]


def sparse_even_seating(W: np.ndarray, allowed: np.ndarray, ctx: Context):
    """Even n, no negative weight, few positive pairs with few distinct weights (ties): the
    heaviest matching on the positive pairs bounds every seating (a seating is a matching);
    when the attendees it leaves alone pair up among themselves (on pairs of weight 0: a
    positive one would have joined the matching), that seating is optimal.  None otherwise."""
    n = len(W)
    positive = np.triu(allowed & (W > 0), 1)
    pi, pj = np.nonzero(positive)
    if len(pi) > ctx.options.sparse_share * n * (n - 1) / 2 or len(np.unique(W[pi, pj])) > ctx.options.sparse_distinct_weights:
        return None
    pairs = _heaviest_matching(W, pi, pj)
    seated = np.zeros(n, dtype=bool)
    for a, b in pairs:
        seated[a] = seated[b] = True
    left = np.flatnonzero(~seated)
    li, lj = np.nonzero(np.triu(allowed[np.ix_(left, left)], 1))
    rest = _matching(W, left[li], left[lj]) if len(left) else []
    if 2 * (len(pairs) + len(rest)) != n:
        return None
    ctx.stats["sparse_shortcut"] = True
    return pairs + rest


def _cheapest_pairs(cost: np.ndarray, allowed: np.ndarray, k: int):
    """Each attendee's k cheapest allowed pairs (by ``cost``), symmetrised: (pi, pj) with pi < pj."""
    n = len(cost)
    if k >= n - 1:
        return np.nonzero(np.triu(allowed, 1))
    idx = np.argpartition(cost, k, axis=1)[:, : k + 1]  # k + 1: the diagonal may be among them
    rows = np.repeat(np.arange(n), k + 1)
    cols = idx.ravel()
    ok = allowed[rows, cols]
    a, b = np.minimum(rows[ok], cols[ok]), np.maximum(rows[ok], cols[ok])
    key = np.unique(a * n + b)
    return key // n, key % n


def _seat_everyone(W, allowed, pi, pj, odd):
    """A seating from a matching on the given pairs, or None: the unmatched are matched among
    themselves, and for an odd count the one left joins the pair that makes the best trio."""
    n = len(W)
    pairs = _matching(W, pi, pj)
    seated = np.zeros(n, dtype=bool)
    for a, b in pairs:
        seated[a] = seated[b] = True
    left = np.flatnonzero(~seated)
    if len(left) > (1 if odd else 0):
        li, lj = np.nonzero(np.triu(allowed[np.ix_(left, left)], 1))
        more = _matching(W, left[li], left[lj])
        pairs += more
        for a, b in more:
            seated[a] = seated[b] = True
        left = np.flatnonzero(~seated)
    if len(left) != (1 if odd else 0):
        return None
    if not odd:
        return pairs
    u = int(left[0])
    arr = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    b, c = arr[:, 0], arr[:, 1]
    ok = allowed[u, b] & allowed[u, c]
    if not ok.any():
        return None
    gain = np.where(ok, W[u, b] + W[u, c] - W[b, c], np.iinfo(np.int64).min)
    best = int(np.argmax(gain))
    return [p for k, p in enumerate(pairs) if k != best] + [tuple(sorted((u, int(b[best]), int(c[best]))))]


def first_seating(W, allowed, cost, odd, ctx: Context, k: int | None = None):
    """A good seating fast: a matching on each attendee's ``first_k`` cheapest pairs, widened until
    everyone is seated.  ``cost``: dense pair costs (-W before any duals are known)."""
    n = len(W)
    k = ctx.options.first_k if k is None else k
    while True:
        pi, pj = _cheapest_pairs(cost, allowed, min(k, n - 1))
        seating = _seat_everyone(W, allowed, pi, pj, odd)
        if seating is not None:
            ctx.stats.setdefault("first_k", k)
            return seating
        if k >= n - 1:
            if odd:  # the maximum matching's lone attendee fits no pair: try the trios themselves
                return _seating_around_a_trio(W, allowed, ctx)
            raise InfeasibleError("no seating avoids the forbidden pairs")
        k = min(4 * k, n - 1)


def _seating_around_a_trio(W, allowed, ctx: Context):
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
        pairs = _matching(W, pi, pj)
        if 2 * len(pairs) == n - 3:
            return pairs + [t]
    if n > ctx.options.exhaustive_trio_n:
        raise SolveTimeoutError("no seating was found around any trio")
    raise InfeasibleError("no seating avoids the forbidden pairs")


def _groups_value2(W, groups) -> int:
    return seating_value2(W, groups)


# --------------------------------------------------------------------------- candidate trios


def candidate_trios(costs, allowed, limit: int, cap: int):
    """Every trio of cost < ``limit``, cheapest first, as (trios (k, 3) array, their costs, covered).

    Trios are triangles of pairs whose trio-edge cost is < the limit, counted with one sparse
    product before any is listed; when more than ``cap`` could qualify the limit is lowered
    (bisection) until they fit.  ``covered``: every unlisted trio costs at least this.
    """
    n = len(allowed)
    edge = costs.trio_edge()
    upper = np.triu(allowed, 1)

    def graph(lim):
        ti, tj = np.nonzero(upper & (edge < lim))
        return sparse.csr_matrix((np.ones(len(ti), dtype=np.int64), (ti, tj)), shape=(n, n))

    def count(U):
        return int((U @ U).multiply(U).sum()) if U.nnz else 0

    lim = limit
    U = graph(lim)
    if count(U) > cap:
        lo, hi = 0, lim  # count(lo) <= cap < count(hi)
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if count(graph(mid)) > cap:
                hi = mid
            else:
                lo = mid
        # lo == 0: more than ``cap`` trios cost nothing (ties): list ``cap`` of them (any cost-0
        # trio may be the best; the bound stays what it is until a check reaches it)
        lim = lo
        U = graph(max(lo, 1))
    P = (U @ U).multiply(U).tocoo()  # P[a, c] = how many b with a < b < c close a triangle
    U = U.tocsr()
    Ut = U.T.tocsr()
    out = []
    for a, c in zip(P.row.tolist(), P.col.tolist()):
        bs = np.intersect1d(U.indices[U.indptr[a]:U.indptr[a + 1]], Ut.indices[Ut.indptr[c]:Ut.indptr[c + 1]], assume_unique=True)
        out.extend((a, int(b), c) for b in bs)
        if len(out) >= cap:
            break
    trios = np.asarray(out, dtype=np.int64).reshape(-1, 3)
    tc = costs.trio(trios[:, 0], trios[:, 1], trios[:, 2]) if len(trios) else np.zeros(0, dtype=np.int64)
    keep = tc < max(lim, 1)
    trios, tc = trios[keep], tc[keep]
    order = np.argsort(tc, kind="stable")
    return trios[order], tc[order], lim


# --------------------------------------------------------------------------- one round


def solve_round(W: np.ndarray, allowed: np.ndarray, ctx: Context) -> RoundSolution:
    """Best seating of everyone ``0..n-1`` (pairs, one trio if n is odd).

    ``W``: symmetric int64 weights; ``allowed``: symmetric bool (the diagonal
    is ignored).  Raises InfeasibleError when no seating exists.  When the
    deadline passes, returns the best seating found with its proven bound.
    """
    n = len(W)
    W = np.asarray(W, dtype=np.int64)
    allowed = np.asarray(allowed, dtype=bool).copy()
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
    odd = n % 2 == 1
    stats = ctx.stats
    start = time.perf_counter()
    if not odd and W.min() >= 0:
        seating = sparse_even_seating(W, allowed, ctx)
        if seating is not None:
            value = seating_value2(W, seating)
            return RoundSolution(seating, value, value, True, stats)
    big = np.iinfo(np.int64).max // 4
    neg_w = np.where(allowed, -W, big)
    if not allowed.any(axis=1).all():
        raise InfeasibleError("no seating avoids the forbidden pairs")
    # 1. a first seating, and the simplest bound: everyone's best partner (value2 counts each
    #    attendee's share, and a trio member's share is the mean of two allowed partners)
    incumbent = first_seating(W, allowed, neg_w, odd, ctx)
    L2 = seating_value2(W, incumbent)
    bound2 = int(np.where(allowed, W, -big).max(axis=1).sum())
    stats["first_seating_s"] = round(time.perf_counter() - start, 4)
    if L2 >= bound2:
        return RoundSolution(incumbent, L2, L2, True, stats)
    if ctx.expired():
        return RoundSolution(incumbent, L2, bound2, False, stats)
    # 2. the assignment relaxation: bound A and reduced costs
    try:
        relaxed = relaxation(W, allowed, ctx, neg_w)
    except _Expired:
        return RoundSolution(incumbent, L2, bound2, False, stats)
    del neg_w
    if relaxed is None:
        raise InfeasibleError("no seating avoids the forbidden pairs")
    sigma, A, rc = relaxed
    bound2 = min(bound2, A)
    cycles = _cycles(sigma)
    odd_cycles = [c for c in cycles if len(c) % 2 == 1]
    stats["odd_cycle_attendees"] = sum(len(c) for c in odd_cycles)
    if not odd_cycles or (odd and len(odd_cycles) == 1 and len(odd_cycles[0]) == 3):
        groups = []
        for c in cycles:
            groups.extend(_split_even_cycle(W, c) if len(c) % 2 == 0 else [tuple(c)])
        value = seating_value2(W, groups)
        if value != A:  # cannot happen: an even cycle's better half is worth half the cycle
            raise AssertionError(f"integral relaxation gave {value} != {A}")
        return RoundSolution(groups, value, A, True, stats)
    if L2 >= bound2:
        return RoundSolution(incumbent, L2, L2, True, stats)
    costs = AssignmentCosts(rc, A)
    del rc
    # 3. a second seating on the cheapest pairs by reduced cost (better on ties and clusters)
    if not ctx.expired():
        second = first_seating(W, allowed, costs.pair, odd, ctx)
        value = seating_value2(W, second)
        if value > L2:
            incumbent, L2 = second, value
        if L2 >= bound2:
            return RoundSolution(incumbent, L2, L2, True, stats)
    # 4. tighter costs from the odd-set LP when the assignment's keep too much (too many pairs,
    #    or for an odd count too many candidate trios)
    kept = int(np.count_nonzero(np.triu(costs.pair < costs.limit(L2), 1) & allowed))
    stats["kept_pairs_assignment"] = kept
    lp_tried = False
    if kept > ctx.options.lp_pairs_per_attendee * n and not ctx.expired():
        lp_tried = True
        lp = _odd_set_costs(W, allowed, costs, sigma, incumbent, odd, ctx)
        if lp is not None:
            lp_costs, lp_seating = lp
            bound2 = min(bound2, lp_costs.U // 2)
            if lp_seating is None and not ctx.expired():
                lp_seating = first_seating(W, allowed, lp_costs.pair, odd, ctx)  # on the LP's cheapest pairs
            if lp_seating is not None and seating_value2(W, lp_seating) > L2:
                incumbent, L2 = lp_seating, seating_value2(W, lp_seating)
            if L2 >= bound2:
                return RoundSolution(incumbent, L2, L2, True, stats)
            lp_kept = int(np.count_nonzero(np.triu(lp_costs.pair < lp_costs.limit(L2), 1) & allowed))
            stats["kept_pairs_lp"] = lp_kept
            if lp_kept < kept:
                costs = lp_costs
    # 5. the exact step on the pairs (and trios) that could still beat the incumbent
    groups, value, bound2, proven = _exact(W, allowed, costs, incumbent, L2, bound2, odd, ctx)
    if proven or lp_tried or ctx.expired():
        return RoundSolution(groups, value, bound2, proven, stats)
    # 6. (odd counts) too many trios to check with the assignment's costs: the odd-set LP's, once
    incumbent, L2 = groups, value
    lp = _odd_set_costs(W, allowed, costs, sigma, incumbent, odd, ctx)
    if lp is None:
        return RoundSolution(groups, value, bound2, proven, stats)
    lp_costs, _ = lp
    bound2 = min(bound2, lp_costs.U // 2)
    if L2 >= bound2:
        return RoundSolution(incumbent, L2, L2, True, stats)
    groups, value, bound2, proven = _exact(W, allowed, lp_costs, incumbent, L2, bound2, odd, ctx)
    return RoundSolution(groups, value, bound2, proven, stats)


def _odd_set_costs(W, allowed, costs, sigma, incumbent, odd, ctx):
    """(OddSetCosts, the LP's own seating or None), or None when GLOP fails.  The LP starts from
    each attendee's cheapest pairs and the incumbent's pairs (so it stays feasible under every cut)."""
    n = len(W)
    k = min(ctx.options.lp_price_k, n - 1)
    idx = np.argpartition(costs.pair, k - 1, axis=1)[:, :k]
    have = np.zeros((n, n), dtype=bool)
    have[np.repeat(np.arange(n), k), idx.ravel()] = True
    have[np.arange(n), sigma] = True
    for g in incumbent:
        for a in g:
            for b in g:
                have[a, b] = a != b
    bb = blossom_bound(W, allowed, have | have.T, odd, ctx.deadline, max_rounds=ctx.options.lp_max_rounds)
    if bb is None:
        return None
    ctx.stats.update(bb.stats)
    return OddSetCosts(bb), bb.seating


def _exact(W, allowed, costs, incumbent, L2, bound2, odd, ctx: Context):
    """Reduced-cost fixing, then exact matchings (see the module docstring).  Returns
    (groups, value2, bound2, proven)."""
    n = len(W)
    stats = ctx.stats
    limit = costs.limit(L2)
    pi, pj = np.nonzero(np.triu(allowed & (costs.pair < limit), 1))
    inc_pairs = [g for g in incumbent if len(g) == 2]
    if inc_pairs:
        arr = np.asarray(inc_pairs, dtype=np.int64)
        pi, pj = np.concatenate([pi, arr.min(axis=1)]), np.concatenate([pj, arr.max(axis=1)])
        key = np.unique(pi * n + pj)
        pi, pj = key // n, key % n
    stats["exact_pairs"] = int(len(pi))
    if not odd:
        if not ctx.can_match(len(pi)):
            return incumbent, L2, bound2, False
        pairs = _matching(W, pi, pj)
        value = seating_value2(W, pairs)
        if 2 * len(pairs) == n and value >= L2:
            return pairs, value, value, True
        raise AssertionError("the exact step lost the incumbent")  # it holds the incumbent's pairs
    # odd: candidate trios, then the components of what a better seating may use
    if not ctx.can_match(len(pi)):  # listing trios on that many pairs would not pay either
        return incumbent, L2, bound2, False
    trios, tcost, covered = candidate_trios(costs, allowed, limit, ctx.options.max_trios)
    stats["candidate_trios"] = int(len(trios))
    inc_trio = next(g for g in incumbent if len(g) == 3)
    li = [pi, trios[:, 0], trios[:, 1], np.asarray([inc_trio[0], inc_trio[1]])]
    lj = [pj, trios[:, 1], trios[:, 2], np.asarray([inc_trio[1], inc_trio[2]])]
    li, lj = np.concatenate(li).astype(np.int64), np.concatenate(lj).astype(np.int64)
    graph = sparse.coo_matrix((np.ones(len(li), dtype=np.int8), (li, lj)), shape=(n, n))
    count, label = connected_components(graph, directed=False)
    sizes = np.bincount(label, minlength=count)
    host = label[inc_trio[0]]  # the only odd component: the incumbent seats every other one in pairs
    in_host = label == host
    stats["trio_component"] = int(sizes[host])
    # the even components: one exact matching for all of them
    outside = ~in_host[pi]
    if not ctx.can_match(len(pi)):
        return incumbent, L2, bound2, False
    rest_pairs = _matching(W, pi[outside], pj[outside]) if outside.any() else []
    if 2 * len(rest_pairs) != n - sizes[host]:
        raise AssertionError("the exact step lost the incumbent")
    inside = in_host[pi]
    hi, hj = pi[inside], pj[inside]
    hc = costs.pair[hi, hj]
    host_trios = in_host[trios[:, 0]] if len(trios) else np.zeros(0, dtype=bool)
    trios, tcost = trios[host_trios], tcost[host_trios]
    best = rest_pairs + [g for g in incumbent if in_host[g[0]]]  # a whole seating
    best_value = seating_value2(W, best)
    all_cost = costs.pair[pi, pj]
    checks = 0
    proven = True
    bound_left = None
    checked: set[tuple[int, int, int]] = set()
    while True:
        for t, cost in zip(trios.tolist(), tcost.tolist()):
            if tuple(t) in checked:
                continue
            if costs.value2_above(cost) <= best_value:
                break  # this trio and every costlier one cannot beat the best seating
            if checks >= ctx.options.max_trio_checks or not ctx.can_match(len(hi)):
                proven = False
                bound_left = costs.value2_above(cost)
                break
            checks += 1
            checked.add(tuple(t))
            # a seating with this trio that beats the best one costs less than the limit, so each
            # of its pairs costs less than the limit minus the trio's cost (every cost is >= 0)
            pair_limit = costs.limit(best_value) - cost
            if in_host[t[0]] and in_host[t[1]] and in_host[t[2]]:
                ei, ej, ec, others, size = hi, hj, hc, rest_pairs, int(sizes[host])
            else:  # a trio listed later, joining components: the whole graph around it
                ei, ej, ec, others, size = pi, pj, all_cost, [], n
            keep = (ec < pair_limit) & (ei != t[0]) & (ei != t[1]) & (ei != t[2]) & (ej != t[0]) & (ej != t[1]) & (ej != t[2])
            started = time.perf_counter()
            pairs = _matching(W, ei[keep], ej[keep])
            ctx.observe_matching(int(keep.sum()), time.perf_counter() - started)
            if 2 * len(pairs) != size - 3:
                continue
            candidate = others + pairs + [tuple(t)]
            value = seating_value2(W, candidate)
            if value > best_value:
                best, best_value = candidate, value
        if not proven:
            break
        # the best seating improved: fewer trios can beat it, so list again past the first cap
        now = costs.limit(best_value)
        if covered >= now or ctx.expired():
            break
        trios, tcost, again = candidate_trios(costs, allowed, now, ctx.options.max_trios)
        if again <= covered and all(tuple(t) in checked for t in trios.tolist()):
            break  # no progress
        covered = again
        stats["trio_listings"] = stats.get("trio_listings", 1) + 1
    stats["trio_checks"] = checks
    groups, value = best, best_value
    limit = costs.limit(value)
    # unlisted trios cost >= covered; unchecked ones at most bound_left
    outside_bound = costs.value2_above(covered) if covered < limit else value
    if bound_left is not None:
        outside_bound = max(outside_bound, bound_left)
    bound2 = min(bound2, max(value, outside_bound))
    return groups, value, bound2, proven and bound2 <= value
