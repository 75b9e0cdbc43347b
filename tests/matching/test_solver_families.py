"""The solver against independent oracles on the benchmark's families (small sizes, fixed seeds).

Even n: networkx's maximum-weight perfect matching.  Odd n from 21 to 41 (the size of real
lunches): every allowed trio plus rustworkx's best perfect matching of the others.
"""

import functools
import itertools
import time

import numpy as np
import pytest
import rustworkx as rx

from organizer.matching import solve_matrix, solver
from organizer.matching.solver import Context, SolverOptions, _even_trios, trio_gain_bounds
from tests.matching.conftest import oracle, random_instance


def sparse_with_ties(rng, n):
    """As bench/matching.py: 5% of pairs weigh 1..3, the rest 0; about 3 forbidden partners each."""
    W = np.triu(np.where(rng.random((n, n)) < 0.05, rng.integers(1, 4, (n, n)), 0), 1)
    W = W + W.T
    allowed = ~np.eye(n, dtype=bool)
    for _ in range(3 * n // 2):
        a, b = rng.choice(n, 2, replace=False)
        allowed[a, b] = allowed[b, a] = False
    return W, allowed


def clustered(rng, n, clusters=None):
    """As bench/matching.py: clusters (20, or n // 5 for small n); 50..100 inside, 0..10 across."""
    label = rng.integers(0, clusters or max(2, n // 5), n)
    same = label[:, None] == label[None, :]
    W = np.triu(np.where(same, rng.integers(50, 101, (n, n)), rng.integers(0, 11, (n, n))), 1)
    return W + W.T, ~np.eye(n, dtype=bool)


def trio_oracle(W, allowed):
    """Best value2 / 2 over every allowed trio plus rustworkx's best perfect matching of the rest."""
    n = len(W)
    shift = int(np.abs(W).max()) * n + 1
    best = None
    for t in itertools.combinations(range(n), 3):
        a, b, c = t
        if not (allowed[a, b] and allowed[a, c] and allowed[b, c]):
            continue
        rest = [v for v in range(n) if v not in t]
        graph = rx.PyGraph()
        graph.add_nodes_from(rest)
        graph.add_edges_from([(x, y, int(W[rest[x], rest[y]]) + shift)
                              for x, y in itertools.combinations(range(len(rest)), 2) if allowed[rest[x], rest[y]]])
        matched = rx.max_weight_matching(graph, max_cardinality=True, weight_fn=int)
        if 2 * len(matched) < len(rest):
            continue
        value2 = 2 * sum(int(W[rest[x], rest[y]]) for x, y in matched) + int(W[a, b] + W[a, c] + W[b, c])
        best = value2 if best is None else max(best, value2)
    return None if best is None else best / 2


def assert_valid(W, allowed, groups):
    n = len(W)
    assert sorted(v for g in groups for v in g) == list(range(n))
    assert sum(len(g) == 3 for g in groups) == n % 2
    for g in groups:
        for a, b in itertools.combinations(g, 2):
            assert allowed[a, b]


def solved(W, allowed, options=None):
    result = solve_matrix(W, allowed, time_limit_s=20, solver_options=options)
    assert_valid(W, allowed, result.rounds[0].groups)
    assert result.proven_optimal
    return result


@pytest.mark.parametrize("n", [20, 40, 60, 120])
@pytest.mark.parametrize("family", [sparse_with_ties, clustered])
def test_even_family_matches_networkx(family, n):
    W, allowed = family(np.random.default_rng(100 + n), n)
    result = solved(W, allowed)
    assert result.objective == oracle(W, allowed)


@pytest.mark.parametrize("n", [7, 9, 11, 13])
@pytest.mark.parametrize("family", [sparse_with_ties, clustered])
def test_small_odd_family_matches_every_trio_with_networkx(family, n):
    W, allowed = family(np.random.default_rng(200 + n), n)
    result = solved(W, allowed)
    assert result.objective == oracle(W, allowed)


@pytest.mark.parametrize("path", ["duals", "even bound", "trio step"])
@pytest.mark.parametrize("n,family", [(21, clustered), (25, sparse_with_ties), (31, "uniform"), (35, clustered),
                                      (41, sparse_with_ties), (41, clustered)])
def test_odd_lunch_sizes_match_rustworkx_plus_every_trio(n, family, path):
    # by the positive matching's duals first (the default), by the even bound, and by neither (the
    # trio step alone)
    W, allowed, best = odd_lunch(n, family)
    options = {"duals": None, "even bound": NO_DENSE, "trio step": SolverOptions(dense_max_n=0, even_bound=False)}[path]
    result = solved(W, allowed, options)
    assert result.objective == best


@functools.cache
def odd_lunch(n, family):
    """The instance of that test and its optimum (every trio: seconds at N = 41), once for its three paths."""
    rng = np.random.default_rng(300 + n)
    if family == "uniform":
        W = np.triu(rng.integers(0, 101, (n, n)), 1)
        W, allowed = W + W.T, ~np.eye(n, dtype=bool)
    else:
        W, allowed = family(rng, n)
    return W, allowed, trio_oracle(W, allowed)


def test_clustered_odd_instance_needs_more_than_the_relaxation():
    # guards the tests above: without the even bound, the clustered odd instances go through the
    # odd-set LP and the trio step
    W, allowed = clustered(np.random.default_rng(335), 35)
    stats = solved(W, allowed, SolverOptions(dense_max_n=0, even_bound=False)).rounds[0].stats
    assert stats["odd_cycle_attendees"] > 0


def test_the_even_bound_settles_odd_clustered_and_sparse_instances():
    # guards the tests above: with it (the default), the even problem's bound is what proves them
    settled = 0
    for n, family in [(21, clustered), (25, sparse_with_ties), (35, clustered), (41, clustered)]:
        W, allowed = family(np.random.default_rng(300 + n), n)
        stats = solved(W, allowed, NO_DENSE).rounds[0].stats
        settled += "even_bound_s" in stats and "odd_cycle_attendees" not in stats
    assert settled >= 2


def test_an_even_bound_too_large_to_match_leaves_its_bound_and_the_odd_path_proves_the_seating():
    # even_bound_max_pairs (memory): when the even problem's exact step would match more pairs than
    # that, it is skipped, its odd-set LP's bound stands, and the odd path still proves the optimum.
    # One LP round (no ascent) leaves these clustered instances' even problem to its exact step.
    # (Which of several equally good seatings the matchings find decides whether the even problem's
    # own first seating already proves it: the first of a few seeds where it reaches the exact step.)
    for n in (35, 41):
        for seed in range(300 + n, 310 + n):
            W, allowed = clustered(np.random.default_rng(seed), n)
            matched = solved(W, allowed, SolverOptions(dense_max_n=0, lp_max_rounds=1, odd_ascent_max_n=0)).rounds[0].stats["even_bound"]
            if matched.get("exact_pairs", 0) > 0:
                break
        assert matched["exact_pairs"] > 0 and "exact_skipped" not in matched
        result = solved(W, allowed, SolverOptions(dense_max_n=0, lp_max_rounds=1, odd_ascent_max_n=0,
                                                  even_bound_max_pairs=matched["exact_pairs"] - 1))
        assert result.rounds[0].stats["even_bound"]["exact_skipped"] is True
        assert result.objective == trio_oracle(W, allowed)


def odd_mixed_instance(seed):
    """Clustered, random or sparse and tied, n from 15 to 31: many of them reach the trio step on
    the even problem's costs (``_trios_by_even_costs``)."""
    rng = np.random.default_rng(seed)
    n = int(rng.choice([15, 21, 25, 31]))
    if seed % 3 == 0:
        return clustered(rng, n)
    if seed % 3 == 1:
        return random_instance(rng, n, low=0, high=int(rng.choice([3, 10, 100])), forbid=float(rng.choice([0, 0.2])))
    return sparse_with_ties(rng, n)


NO_DENSE = SolverOptions(dense_max_n=0)
"""Not the heaviest positive matching first (``dense_seating``), for groups that are not sparse:
odd counts then take the even bound's path, even ones the relaxation's; the tests of those
paths' steps pin it."""
LP_COSTS = SolverOptions(odd_ascent_max_n=0, dense_max_n=0)
"""Odd counts on the odd-set LP's costs, not the ascent's (their trio steps run longer)."""


@pytest.mark.parametrize("options", [None, LP_COSTS], ids=["default", "lp costs"])
@pytest.mark.parametrize("seed", [0, 3, 4, 6, 7, 9, 10, 13, 16, 18, 33, 39, 43])
def test_odd_instances_through_the_even_problems_costs_match_every_trio(seed, options):
    W, allowed = odd_mixed_instance(seed)
    result = solved(W, allowed, options)
    assert result.objective == trio_oracle(W, allowed)


def test_the_even_problems_costs_settle_some_of_those_instances():
    # guards the test above: its instances go through the trio checks on the even costs
    # (a trio checked by a matching, or set aside by the floor or by a graph that cannot pair up)
    stats = [solved(*odd_mixed_instance(seed), NO_DENSE).rounds[0].stats for seed in (0, 3, 4, 6, 7, 9)]
    ran = [sum(s.get(k, 0) for k in ("even_trio_checks", "even_trios_by_floor", "even_trios_unpaired")) for s in stats]
    assert sum(r > 0 for r in ran) >= 3
    assert sum(s.get("even_trio_checks", 0) > 0 for s in stats) >= 1


@pytest.mark.parametrize(("seed", "on_the_even_costs"), [(46, True), (52, True), (4, False), (18, False)])
def test_a_trio_listing_longer_than_max_trios_is_checked_on_the_even_costs(seed, on_the_even_costs):
    # the even costs list 3 trios (seeds 46, 52), or 6 and 12 (4, 18): with max_trios 2 and a
    # growth of 2, up to 4 are still checked there (most are beaten by their own bound); past that
    # the odd path's own costs and listing take over; both prove the optimum
    W, allowed = odd_mixed_instance(seed)
    # one listing; the LP's costs (the ascent's list other trios on these seeds)
    options = SolverOptions(dense_max_n=0, max_trios=2, trio_listing_growth=2, even_trios_first_share=1, odd_ascent_max_n=0)
    result = solved(W, allowed, options)
    stats = result.rounds[0].stats
    assert stats["even_candidate_trios"] > options.max_trios
    assert ("candidate_trios" not in stats) is on_the_even_costs
    assert result.objective == trio_oracle(W, allowed)


@pytest.mark.parametrize("seed", [46, 64])
def test_a_long_listing_the_even_costs_checks_do_not_settle_goes_to_the_odd_path(seed):
    # with no matching allowed for a listing over max_trios, the odd path proves the optimum instead
    # (seeds whose even problem reaches that listing whichever of its equally good matchings the
    # blossom finds: the compiled one's or rustworkx's)
    W, allowed = odd_mixed_instance(seed)
    result = solved(W, allowed, SolverOptions(dense_max_n=0, max_trios=2, trio_listing_growth=2, long_listing_checks=0,
                                              even_trios_first_share=1, odd_ascent_max_n=0))  # one listing, the LP's costs
    assert result.rounds[0].stats["even_trio_checks"] == 0 and "candidate_trios" in result.rounds[0].stats
    assert result.objective == trio_oracle(W, allowed)


@pytest.mark.parametrize("seed", [0, 4, 7])
def test_a_small_odd_count_goes_from_the_greedy_seating_to_the_even_bound(seed):
    # up to odd_first_seating_min_n the first seating's matching is skipped (the even bound makes
    # its own seating); above it, it is made; the same optimum either way
    W, allowed = odd_mixed_instance(seed)
    best = trio_oracle(W, allowed)
    skipped = solved(W, allowed, NO_DENSE)
    made = solved(W, allowed, SolverOptions(dense_max_n=0, odd_first_seating_min_n=0))
    assert "first_seating_s" not in skipped.rounds[0].stats and "first_seating_s" in made.rounds[0].stats
    assert skipped.objective == made.objective == best


@pytest.mark.parametrize("block", [None, 7])
@pytest.mark.parametrize("seed", range(12))
def test_the_even_costs_trio_listing_equals_every_member_with_every_pair(seed, block, monkeypatch):
    # _even_trios tries blocks of the pairs sorted by cost against the members cheap enough for
    # each block's cheapest pair; the same trios and costs as trying every member with every
    # pair, in the same order (with blocks of 7 cells too: many blocks, each a few pairs wide)
    if block is not None:
        monkeypatch.setattr(solver, "TRIO_BLOCK", block)
    rng = np.random.default_rng(seed)
    W, allowed = odd_mixed_instance(seed)
    W = np.asarray(W, dtype=np.int64)
    n = len(W)
    H = trio_gain_bounds(W, allowed, Context(float("inf"), SolverOptions()))
    pd = rng.integers(0, 40, n)
    pi, pj = np.nonzero(np.triu(allowed & (rng.random((n, n)) < 0.5), 1))
    pcost = rng.integers(0, 60, len(pi))
    members = np.flatnonzero(rng.random(n) < 0.7)
    lim, f2 = int(rng.integers(20, 120)), int(rng.choice([2, 4]))
    expected = {}
    for v in members.tolist():
        for a, b, cost in zip(pi.tolist(), pj.tolist(), pcost.tolist()):
            if v in (a, b) or not (allowed[v, a] and allowed[v, b]):
                continue
            slack = int(H[v]) - int(W[v, a] + W[v, b] - W[a, b])
            tc = cost + int(pd[v]) + f2 * slack
            if slack >= 0 and tc < lim:
                t = tuple(sorted((v, a, b)))
                expected[t] = min(tc, expected.get(t, tc))
    trios, tcost = _even_trios(W, allowed, H, pd, members, pi, pj, pcost, lim, f2,
                               Context(float("inf"), SolverOptions()))
    got = [(tuple(t), c) for t, c in zip(trios.tolist(), tcost.tolist())]
    assert got == sorted(expected.items(), key=lambda item: (item[1], item[0]))
    assert len(got) > 0


def least_trio_gain(W, allowed, v):
    """Brute force: the largest, over allowed trios holding v, of the least gain of any member
    joining the other two."""
    n = len(W)
    best = None
    for b, c in itertools.combinations([x for x in range(n) if x != v], 2):
        if allowed[v, b] and allowed[v, c] and allowed[b, c]:
            t = (v, b, c)
            gain = min(int(W[a, x] + W[a, y] - W[x, y]) for a, x, y in (t, (b, v, c), (c, v, b)))
            best = gain if best is None else max(best, gain)
    return best


@pytest.mark.parametrize("seed", range(30))
def test_trio_gain_bounds_are_at_least_every_trios_least_gain(seed):
    # the even bound is valid only if H[v] bounds the least gain of every trio holding v
    rng = np.random.default_rng(900 + seed)
    n = int(rng.choice([5, 9, 14, 23]))
    W = np.triu(rng.integers(-5, int(rng.choice([3, 40, 1000])), (n, n)), 1)
    W = W + W.T
    allowed = np.triu(rng.random((n, n)) >= float(rng.choice([0, 0.3, 0.6])), 1)
    allowed = allowed | allowed.T
    np.fill_diagonal(allowed, False)
    k = int(rng.choice([1, 2, 16]))  # few partners looked at: the rest are bounded, not listed
    H = trio_gain_bounds(W, allowed, Context(float("inf"), SolverOptions(trio_gain_k=k)))
    for v in range(n):
        exact = least_trio_gain(W, allowed, v)
        if exact is None:
            assert H[v] < -(2**60)  # in no allowed trio: may not be the one who joins
        else:
            assert H[v] >= exact
            if k >= n:
                assert H[v] == exact


@pytest.mark.parametrize("seed", range(12))
def test_sparse_even_shortcut_matches_networkx(seed):
    rng = np.random.default_rng(500 + seed)
    n = int(rng.choice([10, 16, 30, 60]))
    W, allowed = sparse_with_ties(rng, n)
    result = solved(W, allowed, SolverOptions(tight_seating=False))  # else the tight seating settles most
    assert result.rounds[0].stats.get("sparse_shortcut") is True
    assert result.objective == oracle(W, allowed)


def test_sparse_shortcut_gives_way_when_the_rest_cannot_pair_up():
    # 0-1 weighs 5 and is the heaviest matching, but 2 and 3 may not sit together: the best
    # seating is 0-2, 1-3 (or 0-3, 1-2), found by the general path
    W = np.zeros((4, 4), dtype=np.int64)
    W[0, 1] = W[1, 0] = 5
    W[0, 2] = W[2, 0] = 1
    allowed = ~np.eye(4, dtype=bool)
    allowed[2, 3] = allowed[3, 2] = False
    result = solved(W, allowed)
    assert "sparse_shortcut" not in result.rounds[0].stats
    assert result.objective == oracle(W, allowed) == 1


@pytest.mark.parametrize("n", [40, 21])
@pytest.mark.parametrize("family", [sparse_with_ties, clustered, "uniform"])
def test_a_spent_time_limit_returns_a_seating_and_a_true_bound(family, n):
    # no time at all: the greedy first seating and the bound proven before the deadline is looked at
    rng = np.random.default_rng(700 + n)
    if family == "uniform":
        W = np.triu(rng.integers(0, 101, (n, n)), 1)
        W, allowed = W + W.T, ~np.eye(n, dtype=bool)
    else:
        W, allowed = family(rng, n)
    result = solve_matrix(W, allowed, time_limit_s=0.0)
    assert_valid(W, allowed, result.rounds[0].groups)
    best = oracle(W, allowed) if n % 2 == 0 else trio_oracle(W, allowed)
    assert result.objective <= best <= result.bound
    assert result.proven_optimal == (result.objective == result.bound)


def test_the_even_problems_trio_checks_skip_trios_that_cannot_be_seated_cheaply_enough():
    # guards the oracle test above: among its instances, trios are set aside by the floor on the
    # others' pair costs and by a kept-pair graph that cannot pair everyone (no matching run)
    stats = [solved(*odd_mixed_instance(seed), LP_COSTS).rounds[0].stats for seed in (0, 3, 4, 6, 10, 33)]
    assert any(s.get("even_trios_by_floor", 0) for s in stats)
    assert any(s.get("even_trios_unpaired", 0) for s in stats)


@pytest.mark.parametrize("split", [True, False], ids=["by components", "whole"])
@pytest.mark.parametrize("seed", range(12))
def test_matching_by_components_matches_networkx(seed, split, monkeypatch):
    # the exact steps' matchings run one component at a time (above SPLIT_MIN_NODES nodes; here
    # always, or never): the same optimum as networkx's on the whole graph, most pairs first
    # (max_cardinality) or most weight
    import networkx as nx

    from organizer.matching import solver
    from organizer.matching.solver import _matching

    monkeypatch.setattr(solver, "SPLIT_MIN_NODES", 0 if split else 10**9)

    rng = np.random.default_rng(8000 + seed)
    n = int(rng.choice([12, 20, 31]))
    groups = rng.integers(0, int(rng.choice([1, 3, 6])), n)  # pairs only inside a group: components
    W = np.triu(rng.integers(-3, 20, (n, n)), 1)
    W = W + W.T
    keep = np.triu((groups[:, None] == groups[None, :]) & (rng.random((n, n)) < 0.5), 1)
    pi, pj = np.nonzero(keep)
    for max_cardinality in (True, False):
        pairs = _matching(W, pi, pj, Context(float("inf")), max_cardinality=max_cardinality)
        assert len({v for p in pairs for v in p}) == 2 * len(pairs)
        assert all(keep[min(a, b), max(a, b)] for a, b in pairs)
        G = nx.Graph()
        G.add_weighted_edges_from((int(a), int(b), int(W[a, b])) for a, b in zip(pi, pj))
        M = nx.max_weight_matching(G, maxcardinality=max_cardinality)
        if max_cardinality:
            assert len(pairs) == len(M)
        assert sum(int(W[a, b]) for a, b in pairs) == sum(int(W[a, b]) for a, b in M)


@pytest.mark.parametrize("seed", [4, 9, 13, 22])
def test_odd_path_trio_checks_skip_trios_whose_others_cannot_pair_up(seed):
    # without the even bound, the odd path's trio checks set some trios aside without a matching
    # (someone without a kept pair, an odd component); the optimum still equals every trio's
    W, allowed = odd_mixed_instance(seed)
    result = solved(W, allowed, SolverOptions(dense_max_n=0, even_bound=False))
    assert result.rounds[0].stats.get("trios_unpaired", 0) > 0
    assert result.objective == trio_oracle(W, allowed)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_even_bounds_added_attendee_starts_with_all_its_pairs_in_the_core(seed):
    # its pairs weigh H (trio gains), not comparable with the others' weights: left to pricing,
    # they cost the assignment a second round on uniform weights
    W, allowed = random_instance(np.random.default_rng(seed), 201, high=101)
    result = solved(W, allowed, NO_DENSE)
    assert result.rounds[0].stats["even_bound"]["pricing_rounds"] == 1
    assert result.proven_optimal


@pytest.mark.parametrize("seed", [1, 7])
def test_the_cheapest_trios_checked_first_can_settle_the_rest_unlisted(seed):
    # the even costs' trio step lists the trios under a quarter of its limit first; when their
    # checks reach the others' bound, the costlier ones are never listed; the same seating either way
    W, allowed = random_instance(np.random.default_rng(seed), 301, high=101)
    staged = solved(W, allowed, NO_DENSE)
    whole = solved(W, allowed, SolverOptions(dense_max_n=0, even_trios_first_share=1))  # one listing of every trio
    assert staged.proven_optimal and whole.proven_optimal and staged.objective == whole.objective
    assert staged.rounds[0].stats.get("even_trios_first_settled") is True
    assert staged.rounds[0].stats["even_candidate_trios"] * 10 < whole.rounds[0].stats["even_candidate_trios"]


def test_the_trio_across_two_pairs_waits_for_a_trio_step_that_does_not_settle():
    # a local search for a better seating, tried only when the even costs' trio step leaves the
    # seating unproven (it settles most uniform groups without it)
    W, allowed = random_instance(np.random.default_rng(2), 301, high=101)
    settled = solved(W, allowed, NO_DENSE).rounds[0].stats
    assert "even_trio_checks" in settled and "odd_cycle_attendees" not in settled
    assert "trio_across_pairs" not in settled
    unsettled = solved(W, allowed, SolverOptions(dense_max_n=0, even_pairs_per_attendee=0))  # no trio step: the odd path follows
    assert unsettled.rounds[0].stats.get("trio_across_pairs") is True
    assert unsettled.proven_optimal and unsettled.objective == solved(W, allowed, NO_DENSE).objective


@pytest.mark.parametrize("seed", [4, 10, 16, 18, 64, 156, 168, 175])
def test_trio_listings_in_two_stages_match_every_trio(seed):
    # the even costs' trio step in two listings (the first of the cheapest trios, at a half of the
    # limit here: more of the checks fall in it, some settle it, some leave the rest to the second)
    W, allowed = odd_mixed_instance(seed)
    result = solved(W, allowed, SolverOptions(even_trios_first_share=2, odd_ascent_max_n=0))
    assert result.objective == trio_oracle(W, allowed)


def test_those_instances_settle_in_the_first_listing_or_check_in_both():
    # guards the test above: both outcomes of the first listing are among its instances
    stats = [solved(*odd_mixed_instance(seed), SolverOptions(dense_max_n=0, even_trios_first_share=2, odd_ascent_max_n=0)).rounds[0].stats
             for seed in (4, 10, 16, 18, 64, 156, 168, 175)]
    assert sum(bool(s.get("even_trios_first_settled")) for s in stats) >= 3
    assert sum(not s.get("even_trios_first_settled") and s.get("even_trio_checks", 0) > 0 for s in stats) >= 3


@pytest.mark.parametrize("seed, n", [(116, 41), (145, 61), (214, 61)])
def test_a_trio_the_even_matching_seats_needs_no_check(seed, n, monkeypatch):
    # a trio whose member the even problem's best matching pairs with the added attendee, and
    # its other two together: that matching's other pairs are the best pairing of the rest, so
    # the best seating with it is known (the even bound's own), and no matching is run for it
    # (the even problem by its ascent: these seeds' trio steps were chosen on its costs)
    W, allowed = clustered(np.random.default_rng(seed), n)
    options = SolverOptions(dense_max_n=0, even_duals_max_n=0)
    result = solved(W, allowed, options)
    assert result.rounds[0].stats.get("even_trios_by_matching", 0) >= 1
    assert result.proven_optimal
    monkeypatch.setattr(solver, "_seated_by_even_matching", lambda trio, ctx: False)
    checked = solved(W, allowed, options)
    assert checked.proven_optimal and checked.objective == result.objective
    assert checked.rounds[0].stats.get("even_trio_checks", 0) > result.rounds[0].stats.get("even_trio_checks", 0)
    if n <= 41:
        assert result.objective == trio_oracle(W, allowed)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_even_bound_of_a_sparse_odd_group_keeps_its_costs_for_the_trio_step(seed):
    # the sparse even shortcut (one heaviest matching) bounds without costs; in the even bound's
    # problem the matching's own duals give them (or, without those, the primal-dual way is
    # taken), so the trio step can run on its costs
    W, allowed = sparse_with_ties(np.random.default_rng(seed), 25)
    result = solved(W, allowed, SolverOptions(sparse_odd_seating=False))  # (the even bound's path, pinned)
    assert result.rounds[0].stats["even_bound"].get("matching_duals") is True
    assert result.objective == trio_oracle(W, allowed)
    without = solved(W, allowed, SolverOptions(sparse_even_bound=False, sparse_odd_seating=False))
    assert "pricing_rounds" in without.rounds[0].stats["even_bound"]
    assert without.objective == result.objective == solved(W, allowed).objective


@pytest.mark.parametrize("left, greedy", [(0.5, True), (10.0, False)])
def test_an_odd_count_keeps_the_greedy_seating_when_the_limit_is_near(left, greedy, monkeypatch):
    # odd counts skip the greedy seating for the even bound's better one, but only with time to
    # spare: near the limit it stays, and a limit passing as the even bound starts returns it
    n = 201
    W, allowed = random_instance(np.random.default_rng(1), n, high=101)
    W = W.astype(np.int64)  # (solve_round's weights are integers)
    best = solver.solve_round(W, allowed, Context(time.perf_counter() + 10)).value2
    real = solver.trio_gain_bounds

    def limit_passes(W, allowed, ctx):
        ctx.deadline = 0.0
        return real(W, allowed, ctx)

    monkeypatch.setattr(solver, "trio_gain_bounds", limit_passes)
    cut = solver.solve_round(W, allowed, Context(time.perf_counter() + left, NO_DENSE))
    assert ("greedy_s" in cut.stats) is greedy
    if greedy:
        assert cut.value2 >= 0.95 * best
    else:  # (a 10 s limit passes this soon only here: the quick seating is what stands)
        assert cut.value2 < 0.95 * best


@pytest.mark.parametrize("k", [4, 16, 20, 40])
def test_the_cores_heaviest_partners_skip_forbidden_pairs(k):
    # each attendee's k heaviest allowed partners (past 16 by selection, where the forbidden
    # pairs' mask once overflowed when negated and ranked them heaviest)
    rng = np.random.default_rng(k)
    n = 60
    W, allowed = random_instance(rng, n, high=101)
    W = W.astype(np.int64)
    forbid = np.triu(rng.random((n, n)) < 0.3, 1)
    allowed &= ~(forbid | forbid.T)
    core = solver._top_k_edges(W, allowed, k)
    assert not (core & ~allowed).any()
    for v in range(n):
        mine = np.flatnonzero(allowed[v])
        heaviest = np.sort(W[v, mine])[::-1][:k]
        chosen = np.flatnonzero(core[v])
        assert len(chosen) >= min(k, len(mine))  # (and the pairs of those who chose v)
        assert np.sort(W[v, chosen])[::-1][:len(heaviest)].tolist() == heaviest.tolist()


@pytest.mark.parametrize("seed", range(6))
def test_a_sparse_odd_counts_even_bound_by_one_matching_and_its_duals(seed):
    # sparse and tied, odd: the even bound's problem is one compiled matching with its duals
    # (_sparse_even_bound), whose costs the trio step uses; the same optimum as the even path's
    # and as every trio tried
    W, allowed = sparse_with_ties(np.random.default_rng(6100 + seed), int(np.random.default_rng(seed).choice([21, 25, 31])))
    best = trio_oracle(W, allowed)
    by_duals = solved(W, allowed, SolverOptions(sparse_odd_seating=False))  # (the even bound's path, pinned)
    assert by_duals.rounds[0].stats["even_bound"].get("matching_duals") is True
    even_path = solved(W, allowed, SolverOptions(sparse_even_bound=False, sparse_odd_seating=False))
    assert "matching_duals" not in even_path.rounds[0].stats["even_bound"]
    assert by_duals.objective == even_path.objective == best == solved(W, allowed).objective


def test_a_clustered_odd_counts_even_bound_by_one_matching_and_its_duals():
    # clustered, odd: where the even problem's assignment costs keep nearly every pair (here any
    # share, once the assignment did not settle it itself), one compiled matching with its duals
    # replaces the ascent and the exact step; the same optimum either way
    took = 0
    for seed in range(6):
        n = int(np.random.default_rng(seed).choice([21, 25, 31]))
        W, allowed = clustered(np.random.default_rng(6200 + seed), n)
        best = trio_oracle(W, allowed)
        by_duals = solved(W, allowed, SolverOptions(dense_max_n=0, even_duals_kept_share=0.0))
        took += by_duals.rounds[0].stats["even_bound"].get("matching_duals") is True
        ascent = solved(W, allowed, SolverOptions(dense_max_n=0, even_duals_max_n=0))
        assert "matching_duals" not in ascent.rounds[0].stats["even_bound"]
        assert by_duals.objective == ascent.objective == best
    assert took >= 4


def sparse_graph(rng, n, share, high, forbid):
    """Sparse with ties, its density, weights (1..high - 1) and forbidden pairs drawn as given."""
    W = np.triu(np.where(rng.random((n, n)) < share, rng.integers(1, high, (n, n)), 0), 1)
    W = W + W.T
    allowed = ~np.eye(n, dtype=bool)
    for _ in range(forbid):
        a, b = rng.choice(n, 2, replace=False)
        allowed[a, b] = allowed[b, a] = False
    return W, allowed


@pytest.mark.parametrize("seed", range(8))
def test_the_sparse_odd_matchings_dual_bound_holds_and_its_seating_is_exact_when_it_meets_it(seed):
    # the heaviest matching's duals bound every seating (a trio inside a blossom may gain, one
    # with a weight-0 pair may not); when its seating meets that bound the solve ends there,
    # else the other steps go on from its seating and bound: every trio tried agrees either way
    rng = np.random.default_rng(6500 + seed)
    settled = 0
    for _ in range(6):
        n = int(rng.choice([9, 13, 17, 21]))
        W, allowed = sparse_graph(rng, n, float(rng.choice([0.1, 0.2, 0.35])), int(rng.choice([2, 4, 10])), int(rng.integers(0, n)))
        best = trio_oracle(W, allowed)
        if best is None:
            continue
        for checks in (8, 0):  # (none: the bound stands on the triangles listed, none seated)
            options = SolverOptions(sparse_share=1.0, sparse_odd_trio_checks=checks)  # (denser graphs too)
            settled += shortcut_agrees(W, allowed, best, options, solver.sparse_odd_seating, "sparse_shortcut")
    assert settled  # (each seed's graphs: some settled there)


def shortcut_agrees(W, allowed, best, options, shortcut, stat):
    """Whether ``shortcut`` proved its seating (then the best, its bound too); its bound holds
    either way, and the whole solve finds the best, by the shortcut exactly when it proved it."""
    ctx = Context(float("inf"), options)
    found = shortcut(W, allowed, ctx)
    assert ctx.bound2 is not None and ctx.bound2 >= 2 * best
    if found is not None:
        assert_valid(W, allowed, found)
        assert ctx.value2 == ctx.bound2 == 2 * best
    result = solved(W, allowed, options)
    assert result.objective == best
    assert bool(result.rounds[0].stats.get(stat)) is (found is not None)
    return found is not None


def test_the_sparse_odd_shortcut_settles_most_of_the_family_and_leaves_the_rest_to_the_even_bound():
    # the benchmark's family at N = 201: a trio inside a blossom is where the matching's seating
    # gains, and the other seeds go on to the even bound, all with the same optimum as without it
    took = 0
    for seed in range(1, 9):
        W, allowed = sparse_with_ties(np.random.default_rng(6600 + seed), 201)
        result = solved(W, allowed)
        took += bool(result.rounds[0].stats.get("sparse_shortcut"))
        without = solved(W, allowed, SolverOptions(sparse_odd_seating=False))
        late = solved(W, allowed, SolverOptions(sparse_first_max_n=0))  # (as above 400: after the tight seating)
        assert "tight_s" in late.rounds[0].stats
        assert ("tight_s" in result.rounds[0].stats) is not bool(result.rounds[0].stats.get("sparse_shortcut"))
        assert result.objective == without.objective == late.objective
    assert 0 < took < 8


@pytest.mark.parametrize("seed", range(4))
def test_positive_triangles_lists_every_triangle_once(seed):
    rng = np.random.default_rng(6700 + seed)
    n = 30
    upper = np.triu(rng.random((n, n)) < 0.25, 1)
    pi, pj = np.nonzero(upper)
    shuffle = rng.permutation(len(pi))
    listed = solver._positive_triangles(pi[shuffle], pj[shuffle], n)
    both = upper | upper.T
    every = [t for t in itertools.combinations(range(n), 3) if both[t[0], t[1]] and both[t[1], t[2]] and both[t[0], t[2]]]
    assert sorted(map(tuple, listed.tolist())) == every


def dense_graph(rng, n, kind):
    """A complete graph of one of three kinds: weights uniform in 0..100, clustered (50..100 inside
    four clusters, 0..10 across), or few distinct weights 0..3 (many ties and zeros); up to n pairs
    forbidden."""
    if kind == "clustered":
        W, allowed = clustered(rng, n, clusters=4)
    else:
        W = np.triu(rng.integers(0, 101 if kind == "uniform" else 4, (n, n)), 1)
        W, allowed = W + W.T, ~np.eye(n, dtype=bool)
    for _ in range(int(rng.integers(0, n))):
        a, b = rng.choice(n, 2, replace=False)
        allowed[a, b] = allowed[b, a] = False
    return W, allowed


def positive_pairs(W, allowed):
    positive = (W > 0) & allowed
    pi, pj = np.nonzero(np.triu(positive, 1))
    return positive, pi, pj, W[pi, pj]


@pytest.mark.parametrize("seed", range(10))
def test_the_dense_matchings_bound_holds_and_its_seating_is_exact_when_it_meets_it(seed):
    # as for sparse weights: the heaviest matching on the positive pairs (found by pricing) bounds
    # every seating (odd counts: by its duals); when a seating meets that bound the solve ends
    # there, else the other steps go on from its seating and bound (even counts: when those it
    # leaves cannot pair up on weight-0 pairs, forbidden pairs in the way): the oracle agrees
    rng = np.random.default_rng(6800 + seed)
    settled = 0
    for _ in range(6):
        n = int(rng.choice([8, 9, 12, 13, 17, 20, 21, 25]))
        W, allowed = dense_graph(rng, n, str(rng.choice(["uniform", "clustered", "few"])))
        best = trio_oracle(W, allowed) if n % 2 else oracle(W, allowed)
        if best is None:
            continue
        # (none checked and two partners each: the bound stands on the triangles listed, after pricing)
        for checks, partners in ((8, 8), (0, 2)):
            options = SolverOptions(sparse_share=0.0, sparse_odd_trio_checks=checks, dense_partners=partners)
            settled += shortcut_agrees(W, allowed, best, options, solver.dense_seating, "dense_shortcut")
    assert settled


@pytest.mark.parametrize("seed", range(6))
def test_the_priced_matching_is_the_heaviest_with_duals_that_hold_on_every_positive_pair(seed):
    # found on each attendee's few heaviest pairs and those pricing negative, the matching weighs as
    # much as rustworkx's on all the positive pairs, and its duals hold on all of them (the sets'
    # Z summed by _Sets as by a loop over the sets)
    rng = np.random.default_rng(6900 + seed)
    n = int(rng.choice([20, 41, 60]))
    W, allowed = dense_graph(rng, n, str(rng.choice(["uniform", "clustered", "few"])))
    positive, pi, pj, w = positive_pairs(W, allowed)
    g = rx.PyGraph()
    g.add_nodes_from(range(n))
    g.add_edges_from(list(zip(pi.tolist(), pj.tolist(), w.tolist())))
    heaviest = sum(int(W[a, b]) for a, b in rx.max_weight_matching(g, weight_fn=int))
    rounds = []
    for partners, pricing in ((1, 6), (2, 1), (8, 0)):
        ctx = Context(float("inf"), SolverOptions(dense_partners=partners, dense_pricing_rounds=pricing))
        mate, duals, sets = solver._priced_matching(W, positive, pi, pj, w, ctx)
        rounds.append(ctx.stats["dense_pricing"]["rounds"])
        matched = np.flatnonzero(mate > np.arange(n))
        assert int(W[matched, mate[matched]].sum()) == heaviest
        held = np.array([sum(int(z) for S, z in zip(duals.sets, duals.Z) if a in S and b in S) for a, b in zip(pi, pj)],
                        dtype=np.int64)
        assert (sets.pairs(pi, pj) == held).all()
        rc = duals.Y[pi] + duals.Y[pj] + held - 2 * w
        assert (rc >= 0).all()
        assert (rc[mate[pi] == pj] == 0).all() and (duals.Y[mate < 0] == 0).all()
        trios = rng.choice(n, (50, 3))
        two = np.array([sum(int(z) for S, z in zip(duals.sets, duals.Z) if np.isin(t, S).sum() >= 2) for t in trios], dtype=np.int64)
        assert (sets.trios(trios[:, 0], trios[:, 1], trios[:, 2]) == two).all()
    assert rounds[0] >= 2  # (one partner each: the pricing adds pairs)
    assert rounds[2] == 1 and rounds[1] <= 2  # (no pricing: all the pairs at once; one round, then all)


@pytest.mark.parametrize("n", [200, 201])
def test_the_dense_shortcut_settles_the_complete_families_at_two_hundred(n):
    # the benchmark's uniform and clustered families at N = 200 and 201: proven by the positive
    # matching's seating, with the same optimum as by the other steps
    took = 0
    for seed in range(4):
        rng = np.random.default_rng(7000 + seed)
        upper = np.triu(rng.integers(0, 101, (n, n)), 1)
        for W, allowed in ((upper + upper.T, ~np.eye(n, dtype=bool)), clustered(rng, n)):
            result = solved(W, allowed)
            took += bool(result.rounds[0].stats.get("dense_shortcut"))
            assert result.objective == solved(W, allowed, NO_DENSE).objective
    assert took >= 6
