"""Exact maximum-weight seating (pairs, one trio for an odd count) with OR-Tools.

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
maximum-weight assignment (no fixed points) of the doubled graph: the
linear-programming relaxation, solved by ``linear_sum_assignment``.

The algorithm (per round)
-------------------------
1. Sparse core: each attendee's ``k`` best allowed pairs.  Solve the
   assignment on it with OR-Tools' ``SimpleLinearSumAssignment`` (costs
   ``-W``), widening the core if it has no cycle cover.
2. Duals: from the optimal assignment ``sigma``, potentials come from shortest
   paths in the residual graph (Bellman-Ford from a source joined to every
   column): ``d_col[j]`` and ``d_row[i] = d_col[sigma(i)] + W[i, sigma(i)]``.
   The reduced cost of arc i->j is ``rc[i, j] = -W[i, j] + d_row[i] - d_col[j]``;
   it is 0 on ``sigma`` and >= 0 on every core arc.
3. Pricing: compute ``rc`` for *every* allowed arc (dense numpy).  Arcs with
   ``rc < 0`` join the core and we go back to 1.  When none is negative, the
   duals are feasible for the full problem, so the core optimum ``A`` is the
   optimum over all allowed arcs (LP duality).
4. If ``sigma`` has only even cycles (and, for odd n, exactly one odd cycle
   which has length 3) it is a seating's cycle cover: each even cycle of value
   C splits into two alternating perfect matchings whose values sum to C, so
   the better one is worth >= C/2, and the seating reaches ``A``: proven.
5. Otherwise (odd cycles: the relaxation is fractional) we take an incumbent
   of value2 ``L`` (see 6) and fix variables by reduced cost:

   *Lemma.*  For every seating S, ``value2(S) = A - RC(S)``, where ``RC(S)`` is
   the sum of ``rc`` over the arcs of S's cycle cover (``sum(-W) = sum(rc) -
   sum(d_row) + sum(d_col)`` over a cycle cover, and ``sum(d_col) - sum(d_row)
   = -A``).  All ``rc >= 0``.  A pair {i, j} of S contributes ``rc[i, j] +
   rc[j, i]``; a trio edge contributes one of ``rc[i, j]``, ``rc[j, i]``
   (whichever orientation the 3-cycle takes; S may take the cheaper one).

   *Consequence.*  A seating strictly better than the incumbent has
   ``RC(S) < A - L``, so each of its pairs has ``rc[i,j] + rc[j,i] < A - L``
   and each of its trio edges ``min(rc[i,j], rc[j,i]) < A - L``.  Dropping
   every other edge loses no seating better than the incumbent.  SCIP then
   solves the reduced model (plus the incumbent's own edges, so the incumbent
   stays feasible and is given as a hint); its optimum is the global optimum.
   Attendees whose only surviving edge is their incumbent pair are fixed and
   left out of the model.

6. Tighter costs from the odd-set LP (``blossom.py``).  The assignment bound
   ``A`` is weak on realistic scores (each odd cycle leaves about a fifth of
   the largest weight), so fixing against ``A - L`` kept thousands of pairs and
   SCIP needed seconds.  So before the model we solve the matching LP with
   Edmonds' odd-set cuts (GLOP, warm-started, a few rounds of cuts on the odd
   components of its support, pricing every allowed pair) and turn its duals
   into an exact integer bound ``D4`` (on 4 x value) and exact integer reduced
   costs ``RC >= 0``: every seating has ``4 value <= D4 - cost4``, ``cost4`` =
   ``2 RC`` per pair and the sum of ``RC`` over the trio's three pairs (proof in
   ``blossom.py``; for odd n the one set holding the trio is allowed its extra
   half).  The same lemma as above then fixes every pair with
   ``2 RC >= D4 - 4 L``.  The thresholds tau grow from the (nearly) tight pairs
   by a factor ``GROW``; each model is solved exactly, and the proof test
   ``D4 - 4 L <= tau`` is the same as above, so any schedule is exact.  The
   model's objective stays the assignment's reduced cost (exact for every
   seating).  The incumbent comes from the LP: its seating when integral, else
   its whole pairs plus a small model re-seating the rest.  If GLOP fails, or
   its bound is no better than ``A``, the assignment's costs are used as before.

Components: only the components (of the kept pairs, with the relaxation's
cycles linked) holding an odd-cycle attendee are modelled; elsewhere the
relaxation's even cycles are already optimal (reduced cost 0).

When the time limit stops SCIP, the best seating found is returned with the
bound ``min(A, max(SCIP bound, L))`` (a seating better than ``L`` lives in
the reduced model, so is worth at most SCIP's bound).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from ortools.graph.python import linear_sum_assignment
from ortools.linear_solver import pywraplp

from organizer.matching.blossom import PRICE_K, blossom_bound
from organizer.matching.types import InfeasibleError, SolveTimeoutError

CORE_K = 8  # attendee's best pairs in the first sparse core
GROW = 16  # threshold growth between models when the odd-set LP's costs are used
PRICE_TAKE = 16  # most negative arcs added per row in a pricing round
REPAIR_K = 12  # candidate partners per attendee when re-seating those the odd-set LP seats fractionally
BLOSSOM_MIN_N = 0  # use the odd-set LP's reduced costs from this many attendees on
MIN_CP_SECONDS = 0.05  # SCIP gets at least this, even past the deadline, when no seating is known yet
# While no seating is known, the time limit does not stop the search: each model that runs out of
# time without one gets this many times longer, up to FIRST_SEATING_MAX_SECONDS. The limit bounds
# the search for a better seating, so a loaded machine still gets an answer, never an error.
FIRST_SEATING_GROWTH = 4
FIRST_SEATING_MAX_SECONDS = 60.0


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


def relaxation(W: np.ndarray, allowed: np.ndarray, k: int = CORE_K):
    """Solve the doubled-graph assignment over all allowed arcs by core + pricing.

    Returns (sigma, A, rc, stats) or None when no cycle cover exists (then no seating exists).
    """
    n = len(W)
    core = _top_k_edges(W, allowed, k)
    # a ring 0-1-...-(n-1)-0 of allowed pairs: with it the core nearly always has a cycle cover
    # (clustered scores can leave a person in nobody's top k, and proving that infeasible is slow)
    ring = np.arange(n)
    nxt = np.roll(ring, -1)
    ok = allowed[ring, nxt]
    core[ring[ok], nxt[ok]] = core[nxt[ok], ring[ok]] = True
    stats = {"pricing_rounds": 0}
    neg_w = np.where(allowed, -W, np.iinfo(np.int64).max // 4)
    while True:
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
            return sigma, int(value), rc, stats
        # add, per row, the most negative arcs (and their reverses)
        bad_rows = np.flatnonzero(negative.any(axis=1))
        take = min(PRICE_TAKE, n - 1)
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


# --------------------------------------------------------------------------- SCIP


def _mip_solve(obj, vertices, pair_edges, triangles, hint, seconds, seed):
    """Exact seating of ``vertices`` with the given pairs and candidate trios, by SCIP.

    The objective is the seating's cost under ``obj`` (a ``Costs``; ``value2 =
    (U - cost) / f``), whose coefficients are integers no larger than the gap
    being closed, so floating point is exact here.
    ``triangles`` empty means no trio.  Returns (status, groups or None,
    lower bound on the reduced cost or None); status is "OPTIMAL",
    "FEASIBLE", "INFEASIBLE" or "UNKNOWN".
    """
    solver = pywraplp.Solver.CreateSolver("SCIP")
    solver.SetTimeLimit(max(10, int(seconds * 1000)))
    solver.SetSolverSpecificParametersAsString(f"limits/absgap = 0\nlimits/gap = 0\nrandomization/randomseedshift = {int(seed) % 2**31}\n")
    inc = {v: [] for v in vertices}
    keys, cost, variables = [], [], []
    for i, j in pair_edges:
        var = solver.BoolVar("")
        inc[i].append(var)
        inc[j].append(var)
        keys.append((i, j))
        cost.append(obj.pair_of(i, j))
        variables.append(var)
    trio_vars = []
    for a, b, c in triangles:
        var = solver.BoolVar("")
        for v in (a, b, c):
            inc[v].append(var)
        keys.append((a, b, c))
        cost.append(int(obj.trio(a, b, c)))
        variables.append(var)
        trio_vars.append(var)
    if triangles:
        row = solver.Constraint(1.0, 1.0)
        for var in trio_vars:
            row.SetCoefficient(var, 1.0)
    for v in vertices:
        if not inc[v]:
            return "INFEASIBLE", None, None
        row = solver.Constraint(1.0, 1.0)
        for var in inc[v]:
            row.SetCoefficient(var, 1.0)
    objective = solver.Objective()
    for var, c in zip(variables, cost):
        objective.SetCoefficient(var, c)
    objective.SetMinimization()
    if hint is not None:
        chosen = {tuple(sorted(g)) for g in hint}
        solver.SetHint(variables, [1.0 if k in chosen else 0.0 for k in keys])
    params = pywraplp.MPSolverParameters()
    params.SetDoubleParam(params.RELATIVE_MIP_GAP, 0.0)
    status = solver.Solve(params)
    if status == pywraplp.Solver.INFEASIBLE:
        return "INFEASIBLE", None, None
    if status not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        return "UNKNOWN", None, None
    groups = [k for k, var in zip(keys, variables) if var.solution_value() > 0.5]
    lower = int(np.ceil(objective.BestBound() - 1e-6))
    return ("OPTIMAL" if status == pywraplp.Solver.OPTIMAL else "FEASIBLE"), groups, lower


@dataclass
class Costs:
    """Reduced costs used for fixing, in some unit: a seating S is worth at most ``(U - cost(S)) / f`` in value2.

    ``pair[i, j]``: cost of seating i with j (symmetric, >= 0); ``trio_edge[i, j]``: a
    lower bound on what edge {i, j} adds to a trio's cost; ``trio(a, b, c)``: a trio's cost.
    The assignment relaxation gives U = A, f = 1; the odd-set LP (``blossom.py``) U = D4, f = 2.
    """

    pair: np.ndarray | None  # None: computed per pair from rc (a model objective only)
    trio_edge: np.ndarray | None
    U: int
    f: int
    trio_kind: str  # "assignment": min of the two 3-cycles of rc; "sum": sum of trio_edge
    rc: np.ndarray | None = None
    tight: int | None = None  # a first threshold to try (a heuristic: any threshold is exact)
    direct: int = 0  # with a start seating, go straight to tau = U - f L when that is at most this

    def pair_of(self, i, j) -> int:
        if self.pair is None:
            return int(self.rc[i, j]) + int(self.rc[j, i])
        return int(self.pair[i, j])

    def trio(self, a, b, c):
        if self.trio_kind == "assignment":
            rc = self.rc
            return min(rc[a, b] + rc[b, c] + rc[c, a], rc[a, c] + rc[c, b] + rc[b, a])
        t = self.trio_edge
        return t[a, b] + t[b, c] + t[a, c]

    def value2_above(self, units: int) -> int:
        """Largest value2 whose cost is >= ``units`` could still reach: floor((U - units) / f)."""
        return (self.U - units) // self.f


def assignment_costs(rc: np.ndarray, A: int, dense: bool = True) -> Costs:
    """The assignment's reduced costs; ``dense=False``: only as a model objective (computed per pair)."""
    if not dense:
        return Costs(None, None, A, 1, "assignment", rc)
    return Costs(rc + rc.T, np.minimum(rc, rc.T), A, 1, "assignment", rc)


def _triangles(ea: np.ndarray, eb: np.ndarray, costs: Costs, tau) -> list[tuple[int, int, int]]:
    """Triangles of candidate trio edges (ea[k], eb[k]) whose trio cost is < tau."""
    nbr: dict[int, set[int]] = {}
    for a, b in zip(ea.tolist(), eb.tolist()):
        nbr.setdefault(a, set()).add(b)
        nbr.setdefault(b, set()).add(a)
    out = []
    for a, b in zip(ea.tolist(), eb.tolist()):
        if a > b:
            a, b = b, a
        for c in nbr[a] & nbr[b]:
            if c > b and costs.trio(a, b, c) < tau:
                out.append((a, b, c))
    return out


class _Candidates:
    """The allowed pairs (i < j) sorted by cost, found once, so each threshold is a prefix."""

    def __init__(self, allowed, costs: Costs, odd: bool, cap: int):
        upper = np.triu(allowed, 1)
        iu, ju = np.nonzero(upper & (costs.pair < cap))
        c = costs.pair[iu, ju]
        order = np.argsort(c, kind="stable")
        self.pi, self.pj, self.pc = iu[order], ju[order], c[order]
        self.cap = cap
        if odd:
            tu, tv = np.nonzero(upper & (costs.trio_edge < cap))
            tc = costs.trio_edge[tu, tv]
            order = np.argsort(tc, kind="stable")
            self.ti, self.tj, self.tc = tu[order], tv[order], tc[order]

    def pairs(self, tau):
        k = np.searchsorted(self.pc, tau, side="left")
        return self.pi[:k], self.pj[:k]

    def trio_edges(self, tau):
        k = np.searchsorted(self.tc, tau, side="left")
        return self.ti[:k], self.tj[:k]


def _restricted(n, allowed, costs, tau, odd, incumbent, stuck, base_groups, cycles, cand: _Candidates):
    """What a seating with cost < tau may use, plus the incumbent's groups.

    Returns (fixed groups, free vertices, pair edges among them, candidate
    trios, impossible).  Only the connected components (of the kept edges)
    that hold an attendee of an odd cycle need solving: on any other component
    the relaxation's own cycles are even, so its seating ``base_groups`` has
    reduced cost 0, the least possible, and a better seating can take it there
    unchanged (components are closed under kept edges, and the trio, needing an
    odd component, cannot be there either).  The relaxation's cycles are
    linked too, so every cycle lies inside one component (the kept edges need
    not include them when the costs come from the odd-set LP).  With no base
    seating every component is solved.
    """
    pi, pj = cand.pairs(tau)
    triangles = []
    if odd:
        ti, tj = cand.trio_edges(tau)
        triangles = _triangles(ti, tj, costs, tau)
    extra_i, extra_j = [], []
    if incumbent is not None:
        tri_set = set(triangles)
        for g in incumbent:
            if len(g) == 2:
                extra_i.append(min(g))
                extra_j.append(max(g))
            elif tuple(sorted(g)) not in tri_set:
                triangles.append(tuple(sorted(g)))
    pi = np.concatenate([pi, np.asarray(extra_i, dtype=pi.dtype)])
    pj = np.concatenate([pj, np.asarray(extra_j, dtype=pj.dtype)])
    if len(pi):
        key = np.unique(pi * n + pj)
        pi, pj = key // n, key % n
    li, lj = [pi], [pj]
    if triangles:
        tri = np.asarray(triangles, dtype=np.int64)
        li += [tri[:, 0], tri[:, 1], tri[:, 0]]
        lj += [tri[:, 1], tri[:, 2], tri[:, 2]]
    for cyc in cycles:
        if len(cyc) > 1:
            li.append(np.asarray(cyc[:-1], dtype=np.int64))
            lj.append(np.asarray(cyc[1:], dtype=np.int64))
    li, lj = np.concatenate(li), np.concatenate(lj)
    graph = sparse.coo_matrix((np.ones(len(li), dtype=np.int8), (li, lj)), shape=(n, n))
    count, label = connected_components(graph, directed=False)
    active_label = np.zeros(count, dtype=bool)
    active_label[label[stuck]] = True
    active = active_label[label]
    sizes = np.bincount(label, minlength=count)
    triangles = [t for t in triangles if active[t[0]]]
    fixed = [g for g in base_groups if not active[g[0]]]
    on = active[pi] & active[pj]
    pi, pj = pi[on], pj[on]
    in_trio = np.zeros(n, dtype=bool)
    for tri in triangles:
        in_trio[list(tri)] = True
    degree = np.bincount(pi, minlength=n) + np.bincount(pj, minlength=n)
    # a vertex with a single candidate pair whose partner also has only it, and no trio: seated together
    single = active & (degree == 1) & ~in_trio
    both = single[pi] & single[pj]
    forced = np.zeros(n, dtype=bool)
    forced[pi[both]] = forced[pj[both]] = True
    fixed += [(int(a), int(b)) for a, b in zip(pi[both], pj[both])]
    free = active & ~forced
    impossible = bool((active & (degree == 0) & ~in_trio).any()) or (odd and not triangles)
    # each active component must be even, but for the one holding the trio
    impossible = impossible or int((sizes[active_label] % 2).sum()) > (1 if odd else 0)
    keep = free[pi] & free[pj]
    pair_edges = list(zip(pi[keep].tolist(), pj[keep].tolist()))
    return fixed, np.flatnonzero(free).tolist(), pair_edges, triangles, impossible


def _grow(tau, heuristic_tau, costs):
    """Next threshold after a model with no seating: the heuristic one, or geometric growth with LP costs."""
    if costs.tight is not None:
        return GROW * tau
    return heuristic_tau if tau < heuristic_tau else 4 * tau


def _fixed_cost(obj, pairs):
    return sum(obj.pair_of(a, b) for a, b in pairs)


def _close_gap(W, allowed, obj: Costs, costs: Costs, odd, deadline, seed, stats, start, stuck, base_groups, cycles):
    """Reduced-cost fixing with a growing threshold tau (see the module docstring).

    ``costs`` decide which pairs and trios are kept (the assignment's reduced
    costs, or the tighter ones of the odd-set LP in ``blossom.py``); ``obj`` is
    the model's objective, exact for every seating (``value2 = (obj.U -
    cost) / obj.f``).  A model restricted to the pairs and trios with cost <
    tau is solved exactly.  If its optimum L has U - f L <= tau, no better
    seating exists (a better one would have cost < U - f L <= tau, so lives in
    the model): proven.  Otherwise tau = U - f L is exact and one more solve
    settles it.  ``start``: a known seating (the odd-set LP's, when integral);
    then tau = U - f L at once.  ``stuck``: the attendees the relaxation seats
    fractionally; ``base_groups``/``cycles``: see ``_restricted``.
    """
    n = len(W)
    # smallest tau giving every fractionally seated attendee some pair off its cycle
    off = costs.pair[stuck].astype(float)
    off[np.arange(len(stuck)), np.asarray(stuck)] = np.inf
    off[~allowed[stuck]] = np.inf
    finite = np.sort(off, axis=1)[:, : min(3, n - 1)]
    tau = max(1, int(np.nanmax(np.where(np.isfinite(finite), finite, np.nan))) + 1) if np.isfinite(finite).any() else 1
    # once tau exceeds every pair's and every trio's cost, the model is the full problem
    max_cost = 3 * int(costs.pair[allowed].max()) + 1 if allowed.any() else 1
    heuristic_tau = tau
    # components to solve: those holding a stuck attendee (all of them when there is no base seating)
    active_seed = stuck if base_groups else np.arange(n)
    if costs.tight is not None:
        tau = min(tau, costs.tight)  # first try the (nearly) tight pairs of the odd-set LP only
    incumbent = None
    L = None
    best_bound = min(obj.value2_above(0), costs.value2_above(0))
    if start is not None:
        incumbent, L = [tuple(g) for g in start], seating_value2(W, start)
        if costs.U - costs.f * L <= 0 or L >= best_bound:
            stats["tau_rounds"] = 0
            return incumbent, L, L, True
        tau = costs.U - costs.f * L
        if costs.tight is not None and tau > costs.direct:
            tau = costs.tight  # a poor start: grow from the tight pairs rather than one huge model
    rounds = 0
    first_seating_seconds = MIN_CP_SECONDS
    cand = _Candidates(allowed, costs, odd, max(4 * tau, 1))
    while True:
        rounds += 1
        stats["tau_rounds"] = rounds
        if tau > cand.cap:
            cand = _Candidates(allowed, costs, odd, max(4 * tau, cand.cap))
        fixed, free, pair_edges, triangles, impossible = _restricted(n, allowed, costs, tau, odd, incumbent, np.asarray(active_seed), base_groups, cycles, cand)
        stats["mip_vertices"] = len(free)
        stats["mip_edges"] = len(pair_edges)
        stats["mip_trios"] = len(triangles)
        if impossible and incumbent is None:
            if tau > max_cost:
                raise InfeasibleError("no seating avoids the forbidden pairs")
            # no seating within tau at all: every seating has cost >= tau
            best_bound = min(best_bound, costs.value2_above(tau))
            tau = _grow(tau, heuristic_tau, costs)
            continue
        seconds = deadline - time.perf_counter()
        if seconds <= 0 and incumbent is not None:
            return incumbent, L, max(L, best_bound), False
        seconds = max(seconds, first_seating_seconds if incumbent is None else MIN_CP_SECONDS)
        free_set = set(free)
        hint = None if incumbent is None else [g for g in incumbent if g[0] in free_set]
        name, groups, rc_lower = _mip_solve(obj, free, pair_edges, triangles, hint, seconds, seed)
        stats["mip_status"] = name
        if groups is None:
            if name == "INFEASIBLE":
                if tau > max_cost:
                    raise InfeasibleError("no seating avoids the forbidden pairs")
                best_bound = min(best_bound, costs.value2_above(tau))
                tau = _grow(tau, heuristic_tau, costs)
                continue
            if incumbent is None:
                if first_seating_seconds >= FIRST_SEATING_MAX_SECONDS:
                    raise SolveTimeoutError("the time limit ran out before any seating was found")
                first_seating_seconds = min(first_seating_seconds * FIRST_SEATING_GROWTH, FIRST_SEATING_MAX_SECONDS)
                continue  # the same model again, with more time to find a first seating
            return incumbent, L, max(L, best_bound), False
        groups = fixed + groups
        value = seating_value2(W, groups)
        if L is None or value > L:
            incumbent, L = groups, value
        # A seating outside the model has cost >= tau, so is worth <= (U - tau) / f.
        outside = costs.value2_above(tau)
        if name != "OPTIMAL":  # time ran out
            model_bound = obj.value2_above(_fixed_cost(obj, fixed) + rc_lower)
            bound2 = max(L, min(best_bound, max(model_bound, outside)))
            return incumbent, L, bound2, L >= bound2
        if costs.U - costs.f * L <= tau:
            return incumbent, L, L, True
        best_bound = min(best_bound, max(L, outside))
        # exact would be tau = U - f L; growing step by step keeps models small when L is poor
        tau = costs.U - costs.f * L if costs.tight is None else min(costs.U - costs.f * L, GROW * tau)


# --------------------------------------------------------------------------- one round


def solve_round(W: np.ndarray, allowed: np.ndarray, deadline: float, seed: int = 0, workers: int = 2) -> RoundSolution:
    """Best seating of everyone ``0..n-1`` (pairs, one trio if n is odd).

    ``W``: symmetric int64 weights; ``allowed``: symmetric bool (the diagonal
    is ignored).  ``deadline`` is a ``time.perf_counter()`` value.  Raises
    InfeasibleError when no seating exists, SolveTimeoutError when the deadline
    passed before any seating was found.
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
    stats = {}
    relaxed = relaxation(W, allowed)
    if relaxed is None:
        raise InfeasibleError("no seating avoids the forbidden pairs")
    sigma, A, rc, relax_stats = relaxed
    stats.update(relax_stats)
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
    obj = assignment_costs(rc, A, dense=False)
    costs = start = None
    stuck = np.asarray([v for c in cycles if len(c) % 2 for v in c])
    base_groups = [g for c in cycles if len(c) % 2 == 0 for g in _split_even_cycle(W, c)]
    if n >= BLOSSOM_MIN_N:
        k = min(PRICE_K, n - 1)
        rc_pair = rc + rc.T  # huge where not allowed (and on the diagonal): no overflow, rc < 2**61
        idx = np.argpartition(rc_pair, k - 1, axis=1)[:, :k]
        have = np.zeros((n, n), dtype=bool)
        have[np.repeat(np.arange(n), k), idx.ravel()] = True
        have[np.arange(n), sigma] = True
        bb = blossom_bound(W, allowed, have | have.T, odd, deadline)
        if bb is not None:
            stats.update(bb.stats)
            stats["blossom_gap4"] = bb.D4 - 2 * A
            if bb.D4 < 2 * A:
                costs = _lp_costs(W, bb)
                start = bb.seating
                if start is None:
                    start = _lp_incumbent(W, allowed, obj, costs, bb, odd, deadline, seed, stats)
    if costs is None:
        costs = assignment_costs(rc, A)
    groups, value, bound2, proven = _close_gap(W, allowed, obj, costs, odd, deadline, seed, stats, start, stuck, base_groups, cycles)
    return RoundSolution(groups, value, bound2, proven, stats)


def _lp_costs(W, bb) -> Costs:
    top = int(np.abs(W).max(initial=0))
    return Costs(2 * bb.RC, bb.RC, bb.D4, 2, "sum", tight=16 + top // 10**5, direct=top // 16)


def _lp_incumbent(W, allowed, obj, costs, bb, odd, deadline, seed, stats):
    """A good seating from the odd-set LP: its whole pairs, and the rest re-seated by a small model.

    The attendees the LP seats fractionally (or not in a whole pair) are seated
    among themselves on each one's REPAIR_K cheapest pairs (by ``costs``),
    widened when that has no seating.  Only a starting point: any seating is
    fine, the proof comes after.  None when it fails.
    """
    n = len(W)
    seated = np.zeros(n, dtype=bool)
    pairs = []
    for a, b in bb.whole_pairs:
        if not seated[a] and not seated[b]:
            seated[a] = seated[b] = True
            pairs.append((a, b))
    rest = np.flatnonzero(~seated)
    if len(rest) == 0:
        return pairs if not odd else None
    if len(rest) == 1 or (odd and len(rest) < 3):
        return None
    sub_cost = costs.pair[np.ix_(rest, rest)].astype(float)
    sub_ok = allowed[np.ix_(rest, rest)]
    sub_cost[~sub_ok] = np.inf
    np.fill_diagonal(sub_cost, np.inf)
    m = len(rest)
    k = min(REPAIR_K, m - 1)
    while True:
        idx = np.argpartition(sub_cost, k - 1, axis=1)[:, :k] if k < m - 1 else None
        keep = np.zeros((m, m), dtype=bool)
        if idx is None:
            keep[:] = True
        else:
            keep[np.repeat(np.arange(m), k), idx.ravel()] = True
        keep &= sub_ok
        keep |= keep.T
        np.fill_diagonal(keep, False)
        iu, ju = np.nonzero(np.triu(keep, 1))
        pair_edges = [(int(rest[i]), int(rest[j])) for i, j in zip(iu, ju)]
        triangles = _triangles(rest[iu], rest[ju], costs, np.iinfo(np.int64).max) if odd else []
        seconds = max(deadline - time.perf_counter(), MIN_CP_SECONDS)
        name, groups, _ = _mip_solve(obj, rest.tolist(), pair_edges, triangles, None, seconds, seed)
        stats["repair_status"] = name
        if groups is not None:
            return pairs + [tuple(g) for g in groups]
        if name != "INFEASIBLE" or k >= m - 1:
            return None
        k = min(2 * k, m - 1)
