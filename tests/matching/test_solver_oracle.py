"""The solver's optimum equals networkx's on many random instances."""

import time

import numpy as np
import pytest

from organizer.matching import InfeasibleError, Problem, solve, solve_matrix, violations
from organizer.matching.blossom import blossom_bound
from organizer.matching.solver import SolverOptions
from tests.matching.conftest import oracle, random_instance


def seating_is_valid(n, W, allowed, groups):
    seated = sorted(v for g in groups for v in g)
    assert seated == list(range(n))
    assert sum(len(g) == 3 for g in groups) == n % 2
    assert all(len(g) in (2, 3) for g in groups)
    for g in groups:
        for a in g:
            for b in g:
                if a != b:
                    assert allowed[a, b], (a, b)


def check(W, allowed, options=None):
    n = len(W)
    expected = oracle(W, allowed)
    try:
        result = solve_matrix(W, allowed, time_limit_s=10, solver_options=options)
    except InfeasibleError:
        assert expected is None
        return None
    assert expected is not None
    assert result.proven_optimal
    assert result.objective == pytest.approx(expected, abs=1e-9)
    assert result.bound == pytest.approx(expected, abs=1e-9)
    seating_is_valid(n, W, allowed, result.rounds[0].groups)
    return result


@pytest.mark.parametrize("seed", range(150))
def test_even_sizes_match_networkx(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.choice([2, 4, 6, 8, 10, 12, 16, 20, 30]))
    W, allowed = random_instance(rng, n, low=0, high=int(rng.choice([2, 5, 100])), forbid=float(rng.choice([0, 0, 0.2, 0.5])))
    check(W, allowed)


@pytest.mark.parametrize("seed", range(120))
def test_odd_sizes_match_brute_force_trio_plus_networkx(seed):
    rng = np.random.default_rng(1000 + seed)
    n = int(rng.choice([3, 5, 7, 9, 11]))
    W, allowed = random_instance(rng, n, low=0, high=int(rng.choice([2, 6, 50])), forbid=float(rng.choice([0, 0.15, 0.4])))
    check(W, allowed)


@pytest.mark.parametrize("seed", range(60))
def test_negative_and_zero_weights_match_networkx(seed):
    rng = np.random.default_rng(2000 + seed)
    n = int(rng.choice([4, 5, 8, 9, 14]))
    W, allowed = random_instance(rng, n, low=-5, high=5, zero_share=0.5, forbid=0.1)
    check(W, allowed)


@pytest.mark.parametrize("seed", range(20))
def test_float_weights_match_networkx(seed):
    rng = np.random.default_rng(3000 + seed)
    n = int(rng.choice([6, 7, 10, 40]))
    W = np.triu(rng.random((n, n)), 1)
    W = W + W.T
    allowed = ~np.eye(n, dtype=bool)
    check(W, allowed)


@pytest.mark.parametrize("n", [60, 80])
def test_medium_complete_graphs_match_networkx(n):
    rng = np.random.default_rng(n)
    W, allowed = random_instance(rng, n, low=0, high=1000)
    check(W, allowed)


def test_sparse_clustered_instance_with_ties_matches_networkx():
    rng = np.random.default_rng(7)
    n = 120
    topic = rng.integers(0, 12, n)
    W = np.where(topic[:, None] == topic[None, :], rng.integers(1, 4, (n, n)), 0).astype(float)
    W[rng.random((n, n)) < 0.7] = 0
    W = np.triu(W, 1)
    W = W + W.T
    allowed = ~np.eye(n, dtype=bool)
    check(W, allowed)


def test_problem_from_weights_gives_the_oracle_value_and_no_violations():
    rng = np.random.default_rng(11)
    n = 9
    W, allowed = random_instance(rng, n, high=20, forbid=0.2)
    rows = [(i, j, W[i, j]) for i in range(n) for j in range(i + 1, n) if W[i, j]]
    forbidden = [(i, j) for i in range(n) for j in range(i + 1, n) if not allowed[i, j]]
    problem = Problem.from_weights(n, rows, forbidden=forbidden)
    pairing = solve(problem)
    assert violations(problem, pairing) == []
    assert pairing.objective == pytest.approx(oracle(W, allowed))


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("path", ["assignment", "odd_set_lp", "direct", "direct by pairs"])
def test_exact_step_matches_networkx_with_either_costs(seed, path):
    # a poor first seating (one candidate pair each, no local search for the trio, no even bound)
    # forces the exact step; the LP is used always or never; "direct": an even count goes straight
    # to one matching on every pair the assignment's costs keep, however many (by its size, or
    # "by pairs": by the pairs kept per attendee)
    options = SolverOptions(first_k=1, lp_pairs_per_attendee=10**9 if path == "assignment" else 0, max_trio_checks=10**6,
                            even_bound=False, dense_max_n=0, trio_swaps=0, tight_seating=False,
                            direct_matching_max_n=10**9 if path == "direct" else 0,
                            direct_pairs_per_attendee=10**9 if path == "direct by pairs" else 0,
                            threshold_pairs_per_attendee=0)
    rng = np.random.default_rng(4000 + seed)
    n = int(rng.choice([8, 9, 13, 14, 20, 30]))
    W, allowed = random_instance(rng, n, low=0, high=int(rng.choice([3, 50])), forbid=float(rng.choice([0, 0.2])))
    result = check(W, allowed, options)
    if result is None:  # no seating, as networkx found too
        return
    stats = result.rounds[0].stats
    if "kept_pairs_assignment" in stats:  # the solve reached the choice of costs: the path was taken
        # the LP always when asked for; never on the assignment's path for an even count (an odd
        # count may still call it when a few trio checks do not settle the trio)
        direct = path.startswith("direct")
        if path == "odd_set_lp" or (direct and n % 2 == 1):
            assert "lp_rounds" in stats
        elif n % 2 == 0:
            assert "lp_rounds" not in stats
        if direct and n % 2 == 0 and stats["kept_pairs_assignment"] > 0:
            assert stats["direct_matching"]


@pytest.mark.parametrize("seed", range(40))
def test_threshold_seating_matches_networkx(seed):
    # even counts: the matching on the pairs under a cost threshold, proven by itself or followed
    # by the exact step; few pairs per attendee so that it has to decline or hand on now and then
    rng = np.random.default_rng(6000 + seed)
    n = int(rng.choice([8, 14, 20, 30, 40]))
    W, allowed = random_instance(rng, n, low=0, high=int(rng.choice([3, 20, 1000])), forbid=float(rng.choice([0, 0.2])))
    options = SolverOptions(tight_seating=False, sparse_share=0, dense_max_n=0, threshold_pairs_per_attendee=float(rng.choice([0.5, 1.5, 4])))
    check(W, allowed, options)


def test_the_threshold_seating_proves_some_and_hands_on_others():
    # guards the test above: the threshold seating's own proof is used, and so are the steps after it
    seen = set()
    for seed in range(40):
        rng = np.random.default_rng(6000 + seed)
        n = int(rng.choice([8, 14, 20, 30, 40]))
        W, allowed = random_instance(rng, n, low=0, high=int(rng.choice([3, 20, 1000])), forbid=float(rng.choice([0, 0.2])))
        options = SolverOptions(tight_seating=False, sparse_share=0, dense_max_n=0, threshold_pairs_per_attendee=float(rng.choice([0.5, 1.5, 4])))
        try:
            stats = solve_matrix(W, allowed, time_limit_s=10, solver_options=options).rounds[0].stats
        except InfeasibleError:
            continue
        if "threshold_pairs" in stats:
            seen.add("proof" if stats.get("threshold_proof") else ("exact step" if "exact_pairs" in stats else "other"))
    assert seen >= {"proof", "exact step"}


def test_the_exact_step_runs_on_some_of_these_instances():
    # guards the test above: it must exercise the exact step with both kinds of costs
    seen = set()
    for seed in range(40):
        rng = np.random.default_rng(4000 + seed)
        n = int(rng.choice([8, 9, 13, 14, 20, 30]))
        W, allowed = random_instance(rng, n, low=0, high=int(rng.choice([3, 50])), forbid=float(rng.choice([0, 0.2])))
        for lp in (0, 10**9):
            options = SolverOptions(first_k=1, lp_pairs_per_attendee=lp, max_trio_checks=10**6, even_bound=False, dense_max_n=0,
                                     trio_swaps=0, tight_seating=False, direct_matching_max_n=0,
                                     direct_pairs_per_attendee=0, threshold_pairs_per_attendee=0)
            try:
                stats = solve_matrix(W, allowed, time_limit_s=10, solver_options=options).rounds[0].stats
            except InfeasibleError:
                continue
            if "exact_pairs" in stats:
                seen.add(("lp" if "kept_pairs_lp" in stats else "assignment", n % 2))
            elif "lp_rounds" in stats:
                seen.add(("lp settled it", n % 2))  # the LP's own seating met its bound
    assert seen >= {("lp", 1), ("lp settled it", 0), ("assignment", 0), ("assignment", 1)}


@pytest.mark.parametrize("seed", range(60))
def test_odd_set_lp_bound_is_valid(seed):
    # D4 / 4 bounds every seating, and every allowed pair's reduced cost is >= 0 (integers, exact)
    rng = np.random.default_rng(5000 + seed)
    n = int(rng.choice([4, 5, 6, 7, 9, 10, 11]))
    W, allowed = random_instance(rng, n, low=-3, high=int(rng.choice([4, 30, 10**6, 10**12])), forbid=float(rng.choice([0, 0.2])))
    np.fill_diagonal(allowed, False)
    best = oracle(W, allowed)
    if best is None:
        return  # no seating: nothing to bound
    have = np.triu(rng.random((n, n)) < 0.6, 1)
    have = have | have.T
    for g in solve_matrix(W, allowed, time_limit_s=10).rounds[0].groups:  # a seating keeps the LP feasible
        for a in g:
            for b in g:
                have[a, b] = a != b
    bb = blossom_bound(W.astype(np.int64), allowed, have, n % 2 == 1, time.perf_counter() + 10)
    assert bb is not None
    assert (bb.RC[allowed] >= 0).all()
    assert bb.D >= round(2 * bb.f * best)


@pytest.mark.parametrize("n", [300, 301])
def test_refined_duals_lose_no_more_than_rounding_where_the_first_ones_lost_the_lp_tolerance(n):
    # weights of twelve digits with ties (fairness first, as the product ranks them): GLOP's duals
    # are exact to about 1e-9 of the largest weight, so rounded they lose thousands of units; the
    # refined ones lose at most their own rounding, one unit of f * value2 per attendee
    rng = np.random.default_rng(n)
    topic = rng.integers(0, 8, n)
    helped = (topic[:, None] != topic[None, :]) * rng.integers(0, 3, (n, n))
    W = np.triu(helped * 10**12 + rng.integers(0, 4, (n, n)) * 10**6 + rng.integers(0, 2, (n, n)), 1)
    W = (W + W.T).astype(np.int64)
    allowed = ~np.eye(n, dtype=bool)
    result = solve_matrix(W, allowed, time_limit_s=30)
    assert result.proven_optimal
    best2 = round(2 * result.objective)
    have = np.zeros((n, n), dtype=bool)
    for g in result.rounds[0].groups:
        for a in g:
            for b in g:
                have[a, b] = a != b
    have[np.repeat(np.arange(n), 4), np.argsort(-W, axis=1)[:, :4].ravel()] = True
    have |= have.T
    first = blossom_bound(W, allowed, have.copy(), n % 2 == 1, time.perf_counter() + 30, max_rounds=60, refine=False)
    refined = blossom_bound(W, allowed, have.copy(), n % 2 == 1, time.perf_counter() + 30, max_rounds=60)
    assert first.f == 2 and refined.f == 4
    assert (refined.RC[allowed] >= 0).all()
    assert 0 <= refined.D - refined.f * best2 <= refined.f * n
    assert first.D - first.f * best2 > first.f * n


def test_large_clustered_instance_uses_the_odd_set_lp_and_matches_networkx():
    rng = np.random.default_rng(8)
    n = 160
    topic = rng.integers(0, 10, n)
    W = np.where(topic[:, None] == topic[None, :], rng.integers(1, 6, (n, n)), 0).astype(float)
    W[rng.random((n, n)) < 0.6] = 0
    W = np.triu(W, 1)
    W = W + W.T
    allowed = ~np.eye(n, dtype=bool)
    result = check(W, allowed)
    assert result.rounds[0].stats["sparse_shortcut"]  # sparse and tied: one heaviest matching settles it
    # and the primal-dual path (no shortcut) agrees, through the odd cycles of the relaxation
    general = solve_matrix(W, allowed, time_limit_s=10, solver_options=SolverOptions(sparse_share=0, dense_max_n=0))
    assert general.proven_optimal and general.objective == result.objective
    assert general.rounds[0].stats["odd_cycle_attendees"] > 0  # the relaxation alone does not settle it


@pytest.mark.parametrize("seed", range(20))
def test_candidate_trios_lists_every_trio_under_the_limit_or_says_what_it_covers(seed):
    # the trio step's proof rests on it: a trio left out costs at least ``covered``
    import itertools

    from organizer.matching.solver import AssignmentCosts, Context, candidate_trios

    rng = np.random.default_rng(6000 + seed)
    n = int(rng.choice([7, 12, 20]))
    rc = rng.integers(0, int(rng.choice([2, 5, 30])), (n, n)).astype(np.int64)
    allowed = np.triu(rng.random((n, n)) >= float(rng.choice([0, 0.3])), 1)
    allowed = allowed | allowed.T
    np.fill_diagonal(allowed, False)
    rc = np.where(allowed, rc, np.iinfo(np.int64).max // 4)
    costs = AssignmentCosts(rc, 10**6)
    limit = int(rng.integers(1, 40))
    cap = int(rng.choice([3, 10, 10**4]))
    ctx = Context(float("inf"), SolverOptions(trio_listing_factor=int(rng.choice([1, 16]))))
    trios, tcost, covered = candidate_trios(costs, allowed, limit, cap, ctx)
    listed = {tuple(t) for t in trios.tolist()}
    assert len(listed) == len(trios) <= cap
    assert list(tcost) == sorted(tcost)
    for t in itertools.combinations(range(n), 3):
        a, b, c = t
        if not (allowed[a, b] and allowed[a, c] and allowed[b, c]):
            assert t not in listed
            continue
        cost = int(costs.trio(np.array([a]), np.array([b]), np.array([c]))[0])
        if t in listed:
            assert cost < max(limit, 1)
        elif cost < limit:
            assert cost >= covered  # left out: covered by the bound
    if cap >= 10**4:
        assert covered == limit


@pytest.mark.parametrize("seed", range(30))
def test_quick_seating_is_a_valid_seating_or_none(seed):
    # what a spent time limit returns: every attendee once, allowed pairs, one trio for an odd count
    from organizer.matching.solver import quick_seating

    rng = np.random.default_rng(7000 + seed)
    n = int(rng.choice([4, 5, 9, 10, 31]))
    W, allowed = random_instance(rng, n, high=10, forbid=float(rng.choice([0.1, 0.3, 0.5])))
    np.fill_diagonal(allowed, False)
    groups = quick_seating(W.astype(np.int64), allowed, n % 2 == 1)
    if groups is not None:
        seating_is_valid(n, W, allowed, groups)
    else:
        assert forbid_share(allowed) > 0  # it gives up only when forbidden pairs are in the way


def forbid_share(allowed):
    n = len(allowed)
    return 1 - allowed.sum() / (n * (n - 1))


def test_quick_seating_reseats_two_left_who_may_not_sit_together():
    # neighbours (0, 1) and (2, 3) may sit; 4 and 5 may not: each takes one of a pair
    from organizer.matching.solver import quick_seating

    allowed = ~np.eye(6, dtype=bool)
    allowed[4, 5] = allowed[5, 4] = False
    groups = quick_seating(np.zeros((6, 6), dtype=np.int64), allowed, False)
    seating_is_valid(6, np.zeros((6, 6)), allowed, groups)


def test_pair_up_widens_past_the_ring_when_neighbours_are_forbidden():
    # 0..9 where only i and i + 5 may sit together: no ring shift up to first_k pairs anyone
    from organizer.matching.solver import Context, _pair_up

    n = 10
    allowed = np.zeros((n, n), dtype=bool)
    for i in range(5):
        allowed[i, i + 5] = allowed[i + 5, i] = True
    pairs = _pair_up(np.zeros((n, n), dtype=np.int64), allowed, np.arange(n), Context(float("inf"), SolverOptions(first_k=2)))
    assert sorted(pairs) == [(i, i + 5) for i in range(5)]


def heaviest_perfect_checked(W, pi, pj):
    """_perfect_matching on the pairs (pi, pj), checked against networkx: None exactly when there is
    no perfect matching, else one of everyone, on those pairs, of networkx's weight. Returns
    (found, networkx's matching)."""
    import networkx as nx

    from organizer.matching.solver import Context, _perfect_matching

    n = len(W)
    graph = nx.Graph()
    graph.add_weighted_edges_from((int(a), int(b), int(W[a, b])) for a, b in zip(pi, pj))
    best = nx.max_weight_matching(graph, maxcardinality=True)
    found = _perfect_matching(W, pi, pj, Context(time.perf_counter() + 10))
    assert (found is not None) == (2 * len(best) == n)
    if found is not None:
        given = {(int(a), int(b)) for a, b in zip(pi, pj)}
        assert sorted(v for p in found for v in p) == list(range(n))
        assert all((min(a, b), max(a, b)) in given for a, b in found)
        assert sum(int(W[a, b]) for a, b in found) == sum(int(W[a, b]) for a, b in best)
    return found, best


@pytest.mark.parametrize("seed", range(80))
def test_perfect_matching_with_forced_pairs_matches_networkx(seed):
    """The trio checks' matching: forced pairs peeled first (an attendee with one pair left), then one
    matching; the heaviest perfect matching (networkx, max cardinality, then weight) or None when
    there is none. Sparse graphs, with trees hanging off cycles, so that peeling does most of the work."""
    from organizer.matching.solver import _forced_pairs

    rng = np.random.default_rng(5000 + seed)
    n = int(rng.choice([4, 6, 9, 12, 20, 31]))
    W = rng.integers(0, int(rng.choice([3, 100])), (n, n))
    W = np.triu(W, 1) + np.triu(W, 1).T
    density = float(rng.choice([0.08, 0.15, 0.3]))
    upper = np.triu(rng.random((n, n)) < density, 1)
    for v in range(1, n):  # a random tree: connected, with leaves to peel
        u = int(rng.integers(0, v))
        upper[u, v] = True
    pi, pj = np.nonzero(upper)
    found, best = heaviest_perfect_checked(W, pi, pj)
    perfect = found is not None
    peeled = _forced_pairs(pi, pj, n)
    assert (peeled is not None) or not perfect, "a graph with a perfect matching was called impossible"
    if perfect:
        forced = {tuple(sorted(map(int, p))) for p in peeled[0]}
        assert forced <= {tuple(sorted(map(int, p))) for p in best}, "a forced pair missing from a perfect matching"
        assert forced <= {tuple(sorted(p)) for p in found}


def test_forced_pairs_seat_a_path_and_refuse_a_star():
    from organizer.matching.solver import _forced_pairs

    path = _forced_pairs(np.array([0, 1, 2, 3, 4]), np.array([1, 2, 3, 4, 5]), 6)  # 0-1-2-3-4-5
    assert path is not None
    forced, ri, rj = path
    assert sorted(tuple(sorted(map(int, p))) for p in forced) == [(0, 1), (2, 3), (4, 5)] and len(ri) == 0
    assert _forced_pairs(np.array([0, 0, 0]), np.array([1, 2, 3]), 4) is None  # three leaves, one centre
    cycle = _forced_pairs(np.array([0, 1, 2, 3]), np.array([1, 2, 3, 0]), 4)  # nothing forced on a cycle
    assert cycle is not None and len(cycle[0]) == 0 and len(cycle[1]) == 4


# a poor first seating, no even bound, the assignment's costs, and a cap of one listed trio
LISTING = dict(first_k=1, lp_pairs_per_attendee=10**9, even_bound=False, dense_max_n=0, trio_swaps=0, tight_seating=False,
               threshold_pairs_per_attendee=0, max_trios=1, trio_checks_before_lp=10**6)


def listing_instance(seed):
    rng = np.random.default_rng(7000 + seed)
    n = int(rng.choice([13, 17, 21]))
    return random_instance(rng, n, low=0, high=int(rng.choice([4, 40])), forbid=float(rng.choice([0, 0.15])))


@pytest.mark.parametrize("seed", range(20))
def test_trio_listings_grow_past_their_cap_until_the_proof(seed):
    """Odd counts with a tiny listing cap: when every listed trio is checked and the best seating did
    not improve, the next listing holds more; the optimum is proven (networkx's). Without the growth
    some of the same instances stop unproven (checked below), so the growth is what proves them."""
    check(*listing_instance(seed), SolverOptions(**LISTING, trio_listing_growth=4**8))


def test_without_the_growth_some_of_those_stop_unproven():
    # guards the test above: a cap of one trio is too small for some of its instances
    unproven = grown = 0
    for seed in range(20):
        W, allowed = listing_instance(seed)
        try:
            without = solve_matrix(W, allowed, time_limit_s=10, solver_options=SolverOptions(**LISTING, trio_listing_growth=1))
            grows = solve_matrix(W, allowed, time_limit_s=10, solver_options=SolverOptions(**LISTING, trio_listing_growth=4**8))
        except InfeasibleError:
            continue
        unproven += not without.proven_optimal
        grown += "trio_listing_cap" in grows.rounds[0].stats
    assert unproven > 0 and grown > 0


@pytest.mark.parametrize("seed", range(120))
def test_folding_attendees_with_two_pairs_keeps_the_heaviest_perfect_matching(seed):
    """_fold's two rules (one pair left: forced; two pairs left: v, u, w become one attendee) on
    graphs made mostly of paths and cycles (many attendees with two pairs), with a few chords: the
    unfolded matching is perfect, uses the given pairs, and weighs what networkx's heaviest does;
    None exactly when networkx finds no perfect matching."""
    from organizer.matching.solver import _fold, _unfold

    rng = np.random.default_rng(9000 + seed)
    n = int(rng.choice([4, 6, 8, 10, 14, 20, 27, 40]))
    W = rng.integers(0, int(rng.choice([2, 5, 1000])), (n, n))
    W = np.triu(W, 1) + np.triu(W, 1).T
    order = rng.permutation(n)
    upper = np.zeros((n, n), dtype=bool)
    for a, b in zip(order[:-1], order[1:]):  # a path through everyone, sometimes closed into a cycle
        upper[min(a, b), max(a, b)] = True
    if rng.random() < 0.5:
        upper[min(order[0], order[-1]), max(order[0], order[-1])] = True
    for _ in range(int(rng.integers(0, n // 2 + 1))):  # a few chords
        a, b = rng.choice(n, 2, replace=False)
        upper[min(a, b), max(a, b)] = True
    pi, pj = np.nonzero(upper)
    found, _ = heaviest_perfect_checked(W, pi, pj)
    perfect = found is not None
    folded = _fold(pi, pj, W[pi, pj], n)
    if folded is not None:
        steps, fi, fj, fw, left = folded
        assert left <= n - 2 * sum(len(step) == 2 for step in steps) - 2 * sum(len(step) == 5 for step in steps)
        if perfect and len(fi) == 0 and left == 0:
            assert sorted(v for p in _unfold([], steps) for v in p) == list(range(n))


def test_fold_turns_a_path_and_a_cycle_into_nothing_left_to_match():
    from organizer.matching.solver import _fold, _unfold

    W = np.zeros((6, 6), dtype=np.int64)
    pi, pj = np.array([0, 1, 2, 3, 4, 0]), np.array([1, 2, 3, 4, 5, 5])  # a cycle of six
    W[pi, pj] = W[pj, pi] = [5, 1, 5, 1, 5, 1]
    steps, fi, fj, fw, left = _fold(pi, pj, W[pi, pj], 6)
    assert left == 0 and len(fi) == 0 and any(len(step) == 5 for step in steps)
    assert sorted(_unfold([], steps)) == [(0, 1), (2, 3), (4, 5)]  # the heavy ones: 15 against 3
    assert _fold(np.array([0, 0, 0]), np.array([1, 2, 3]), np.array([1, 1, 1]), 4) is None  # a star of four


def test_a_dense_check_is_matched_without_folding():
    from organizer.matching.solver import Context, _perfect_matching

    rng = np.random.default_rng(11)
    W = rng.integers(0, 50, (8, 8))
    W = np.triu(W, 1) + np.triu(W, 1).T
    pi, pj = np.nonzero(np.triu(np.ones((8, 8), dtype=bool), 1))  # everyone has seven pairs
    found, _ = heaviest_perfect_checked(W, pi, pj)
    assert found is not None
    ctx = Context(time.perf_counter() + 10)
    _perfect_matching(W, pi, pj, ctx)
    assert "folds" not in ctx.stats


def weights_instance(seed):
    """(rng, n, W, allowed) for the matching-weights tests, or None when no seating exists."""
    rng = np.random.default_rng(9000 + seed)
    n = int(rng.choice([8, 9, 12, 15, 20]))
    W, allowed = random_instance(rng, n, low=0, high=int(rng.choice([3, 40, 10**9])), forbid=0.1)
    W = W.astype(np.int64)
    np.fill_diagonal(allowed, False)
    return None if oracle(W, allowed) is None else (rng, n, W, allowed)


def odd_set_costs(rng, n, W, allowed):
    """The odd-set LP's costs, from half the pairs and the best seating's."""
    from organizer.matching.solver import OddSetCosts

    have = allowed & (rng.random((n, n)) < 0.5)
    for g in solve_matrix(W, allowed, time_limit_s=10).rounds[0].groups:
        for a in g:
            for b in g:
                have[a, b] = a != b
    return OddSetCosts(blossom_bound(W, allowed, have | have.T, n % 2 == 1, time.perf_counter() + 10))


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("kind", ["assignment", "odd_set_lp"])
def test_matching_weights_rank_perfect_matchings_as_the_weights_do(seed, kind):
    """The exact step's and the trio checks' matchings run on the duals' costs turned round
    (``matching_weights``), not on W: the heaviest perfect matching on them must be one of W's
    heaviest, on any pairs and any set of attendees (the odd-set LP's costs without their
    odd-set part, which differs between matchings)."""
    import networkx as nx

    from organizer.matching.solver import AssignmentCosts, Context, _perfect_matching, relaxation

    instance = weights_instance(seed)
    if instance is None:
        return
    rng, n, W, allowed = instance
    ctx = Context(time.perf_counter() + 10)
    if kind == "assignment":
        relaxed = relaxation(W, allowed, ctx, np.where(allowed, -W, np.iinfo(np.int64).max // 4))
        costs = AssignmentCosts(relaxed[2], relaxed[1])
    else:
        costs = odd_set_costs(rng, n, W, allowed)
    # an even set of attendees (all but one or three for an odd count, as a trio check leaves)
    people = rng.permutation(n)[: n - (n % 2) - (2 if n % 2 and rng.random() < 0.5 else 0)]
    inside = np.zeros(n, dtype=bool)
    inside[people] = True
    pi, pj = np.nonzero(np.triu(allowed & inside[:, None] & inside[None, :] & (rng.random((n, n)) < 0.6), 1))
    graph = nx.Graph()
    graph.add_weighted_edges_from((int(a), int(b), int(W[a, b])) for a, b in zip(pi, pj))
    best = nx.max_weight_matching(graph, maxcardinality=True)
    found = _perfect_matching(W, pi, pj, ctx, costs)
    assert (found is not None) == (2 * len(best) == len(people))
    if found is not None:
        assert sorted(v for p in found for v in p) == sorted(people.tolist())
        assert sum(int(W[a, b]) for a, b in found) == sum(int(W[a, b]) for a, b in best)
    weights = costs.matching_weights(W, pi, pj)
    assert weights.min(initial=1) >= 1


def test_the_odd_set_lp_costs_of_those_instances_hold_odd_set_parts():
    # guards the test above: its LP costs differ from their node part (odd sets with duals), so a
    # ranking on the pair costs themselves would be tested there too
    seen = 0
    for seed in range(40):
        instance = weights_instance(seed)
        if instance is None:
            continue
        costs = odd_set_costs(*instance)
        W, allowed = instance[2], instance[3]
        pi, pj = np.nonzero(np.triu(allowed, 1))
        seen += int(np.ptp(costs.pair[pi, pj] - 2 * costs.node_cost(W, pi, pj)) > 0)
    assert seen >= 3


def clustered_instance(rng, n, clusters, forbid=0.0):
    """The families' clustered instance (the odd clusters leave the assignment a gap), with a
    share ``forbid`` of the pairs forbidden."""
    from tests.matching.test_solver_families import clustered

    W, _ = clustered(rng, n, clusters)
    allowed = np.triu(rng.random((n, n)) >= forbid, 1)
    return W.astype(np.int64), allowed | allowed.T


def ascent_of(W, allowed, rounds=1):
    """``odd_set_ascent`` from the assignment relaxation, as the solver starts it."""
    from organizer.matching.blossom import odd_set_ascent
    from organizer.matching.solver import Context, _cycles, _tight_regroup, relaxation

    allowed = allowed.copy()
    np.fill_diagonal(allowed, False)
    ctx = Context(time.perf_counter() + 10)
    sigma, A, rc, Y0 = relaxation(W, allowed, ctx, np.where(allowed, -W, np.iinfo(np.int64).max // 4))
    cycles = _cycles(sigma)
    bb = odd_set_ascent(allowed, rc + rc.T, Y0, [c for c in cycles if len(c) % 2], [c for c in cycles if len(c) % 2 == 0],
                        len(W) % 2 == 1, time.perf_counter() + 10, _tight_regroup, rounds)
    return A, bb


@pytest.mark.parametrize("rounds", [1, 4])
@pytest.mark.parametrize("seed", range(60))
def test_odd_set_ascent_bound_and_costs_are_valid(seed, rounds):
    # every allowed pair's cost is >= 0 without any repair (the ascent's argument), and the best
    # seating S has f value2(S) <= D - cost(S): the lemma the exact step's pair and trio fixing uses
    rng = np.random.default_rng(9000 + seed)
    n = int(rng.choice([6, 7, 10, 11, 16, 20, 21, 30]))
    if rng.random() < 0.5:
        W, allowed = clustered_instance(rng, n, int(rng.integers(2, 6)), forbid=float(rng.choice([0, 0.2])))
    else:
        W, allowed = random_instance(rng, n, low=0, high=int(rng.choice([3, 30, 10**6])), forbid=float(rng.choice([0, 0.2])))
        W = W.astype(np.int64)
    np.fill_diagonal(allowed, False)
    try:
        result = solve_matrix(W, allowed, time_limit_s=10)
    except InfeasibleError:
        return
    assert result.proven_optimal
    A, bb = ascent_of(W, allowed, rounds)
    assert bb.stats["ascent_repair"] == 0
    assert (bb.RC[allowed] >= 0).all()
    if bb.seating is not None:  # the passes' own seating, when they found one
        seating_is_valid(n, W, allowed, bb.seating)
    groups = result.rounds[0].groups
    value2 = sum(2 * int(W[g[0], g[1]]) if len(g) == 2 else int(W[g[0], g[1]] + W[g[1], g[2]] + W[g[0], g[2]]) for g in groups)
    cost = sum(2 * int(bb.RC[g[0], g[1]]) if len(g) == 2 else int(bb.RC[g[0], g[1]] + bb.RC[g[1], g[2]] + bb.RC[g[0], g[2]])
               for g in groups)
    assert bb.f * value2 <= bb.D - cost
    assert bb.D <= 2 * A  # never weaker than the assignment's own bound


@pytest.mark.parametrize("n", [40, 60])
def test_odd_set_ascent_closes_most_of_the_gap_odd_clusters_leave(n):
    # ten clusters, about half of them odd: the assignment's bound is loose by an odd cycle each
    rng = np.random.default_rng(n)
    W, allowed = clustered_instance(rng, n, 10)
    np.fill_diagonal(allowed, False)
    best4 = round(4 * solve_matrix(W, allowed, time_limit_s=10).objective)
    A, bb = ascent_of(W, allowed)
    assert 2 * A - best4 > 100
    assert bb.D - best4 <= (2 * A - best4) / 4


@pytest.mark.parametrize("seed", range(30))
def test_clustered_groups_through_the_ascent_match_networkx(seed):
    # the exact step on the ascent's costs (the even bound off for some odd counts: then the odd
    # path's own ascent and trio checks)
    rng = np.random.default_rng(9500 + seed)
    n = int(rng.choice([20, 21, 26, 30, 40]))
    W, allowed = clustered_instance(rng, n, int(rng.integers(3, 8)), forbid=float(rng.choice([0, 0.1])))
    check(W, allowed, SolverOptions(even_bound=bool(rng.random() < 0.5), threshold_pairs_per_attendee=0, ascent_min_pairs_per_attendee=0, dense_max_n=0))


def test_the_ascent_settles_some_of_those_groups():
    # guards the test above: the ascent's costs replace the assignment's on some of them
    seen = 0
    for seed in range(30):
        rng = np.random.default_rng(9500 + seed)
        n = int(rng.choice([20, 21, 26, 30, 40]))
        W, allowed = clustered_instance(rng, n, int(rng.integers(3, 8)), forbid=float(rng.choice([0, 0.1])))
        options = SolverOptions(even_bound=bool(rng.random() < 0.5), threshold_pairs_per_attendee=0, ascent_min_pairs_per_attendee=0, dense_max_n=0)
        try:
            stats = solve_matrix(W, allowed, time_limit_s=10, solver_options=options).rounds[0].stats
        except InfeasibleError:
            continue
        seen += stats.get("kept_pairs_ascent", 2**62) < stats.get("kept_pairs_assignment", 0)
    assert seen >= 5


def test_more_ascent_passes_close_the_gap_an_attendee_paired_with_everyone_leaves():
    # as the even bound's added attendee: worth about a cluster partner to everyone, so one pass's
    # trees meet at it and stop; the passes after the augmentations go on
    rng = np.random.default_rng(7)
    n = 60
    W, _ = clustered_instance(rng, n, 6)
    W2 = np.zeros((n + 1, n + 1), dtype=np.int64)
    W2[:n, :n] = 2 * W
    W2[n, :n] = W2[:n, n] = rng.integers(60, 100, n)
    allowed = ~np.eye(n + 1, dtype=bool)
    best4 = round(4 * solve_matrix(W2, allowed, time_limit_s=10, solver_options=SolverOptions(odd_ascent_max_n=0)).objective)
    _, one = ascent_of(W2, allowed, 1)
    _, four = ascent_of(W2, allowed, 4)
    assert four.stats["ascent_rounds"] > 1 and four.stats["ascent_repair"] == 0
    assert one.D - best4 > 100
    assert four.D - best4 <= (one.D - best4) / 4


def hub_instance(seed):
    """Clusters, and one or two attendees worth about a cluster partner to everyone."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(7, 42))
    label = rng.integers(0, int(rng.integers(2, 9)), n)
    same = label[:, None] == label[None, :]
    high, low = int(rng.choice([3, 10, 50])), int(rng.choice([1, 2, 5]))
    W = np.triu(np.where(same, rng.integers(high, 2 * high + 1, (n, n)), rng.integers(0, low + 1, (n, n))), 1)
    W = (W + W.T).astype(np.int64)
    allowed = ~np.eye(n, dtype=bool)
    if rng.random() < 0.3:
        forbid = np.triu(rng.random((n, n)) < 0.2, 1)
        allowed &= ~(forbid | forbid.T)
    for _ in range(int(rng.integers(1, 3))):
        h = int(rng.integers(0, n))
        allowed[h, :] = allowed[:, h] = True
        allowed[h, h] = False
        W[h, :] = W[:, h] = rng.integers(int(0.7 * high), 2 * high + 2, n)
        W[h, h] = 0
    return W, allowed


@pytest.mark.parametrize("rounds", [1, 4])
@pytest.mark.parametrize("seed", [91638, 30907, 59070, 67884, 78445, 102097, 115783])
def test_the_ascent_keeps_the_slack_of_a_node_freed_and_taken_again_in_one_batch(seed, rounds):
    # a stop frees a blossom's members, and in the same batch another tree takes one of them as
    # outer again: its pairs must count for the others' least costs (else a step overshoots and a
    # pair's cost goes below 0; the final repair hid it, with a looser bound)
    W, allowed = hub_instance(seed)
    _, bb = ascent_of(W, allowed, rounds)
    assert bb.stats["ascent_repair"] == 0
    assert (bb.RC[allowed] >= 0).all()


@pytest.mark.parametrize("seed", range(40))
def test_the_ascents_regroup_is_a_maximum_matching_of_the_tight_pairs(seed):
    # the degree-one rule seats the attendees with one tight pair before rustworkx matches the
    # rest: the matching stays a maximum one (as many pairs as rustworkx's on the whole graph)
    import rustworkx as rx

    from organizer.matching.solver import _tight_regroup

    rng = np.random.default_rng(seed)
    n = int(rng.integers(6, 60))
    tight = np.triu(rng.random((n, n)) < rng.choice([1.2, 2.0, 4.0]) / n, 1)
    tight |= tight.T
    alone, pairs, seating = _tight_regroup(tight)
    assert all(tight[a, b] for a, b in pairs)
    seated = [v for p in pairs for v in p]
    assert len(set(seated)) == len(seated) == n - len(alone)
    g = rx.PyGraph()
    g.add_nodes_from(range(n))
    r, c = np.nonzero(np.triu(tight, 1))
    g.add_edges_from([(int(a), int(b), 1) for a, b in zip(r, c)])
    assert len(pairs) == len(rx.max_weight_matching(g, max_cardinality=True, weight_fn=int))
    assert (seating is not None) == (not alone)
