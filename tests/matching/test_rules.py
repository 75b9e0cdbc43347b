"""Locks, exclusions, forbidden pairs, rounds, fairness and the time limit."""

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from organizer.matching import (
    Attendee,
    InfeasibleError,
    Lock,
    MatchingError,
    Meeting,
    Need,
    Offer,
    Options,
    Problem,
    solve,
    solve_matrix,
    violations,
)
from organizer.matching.solver import SolverOptions
from tests.matching.conftest import oracle, random_instance


def weighted_problem(n, rows, **kw):
    kw.setdefault("options", Options(fairness=False, time_limit_s=10, seed=3))
    return Problem.from_weights(n, rows, **kw)


def test_locked_pair_is_kept_even_when_it_costs_weight():
    rows = [(0, 1, 10), (2, 3, 10), (0, 2, 0), (1, 3, 0)]
    problem = weighted_problem(4, rows, locked=[(0, 2)])
    pairing = solve(problem)
    assert (0, 2) in pairing.pairs(0)
    assert pairing.objective == 0
    assert violations(problem, pairing) == []


def test_lone_unlocked_attendee_joins_the_best_locked_pair():
    rows = [(0, 1, 1), (2, 3, 1), (4, 2, 6), (4, 3, 6), (4, 0, 1)]
    problem = weighted_problem(5, rows, locked=[(0, 1), (2, 3)])
    pairing = solve(problem)
    assert sorted(pairing.pairs(0)) == [(0, 1), (2, 3, 4)]
    assert pairing.objective == pytest.approx(1 + (1 + 6 + 6) / 2)
    assert violations(problem, pairing) == []


def test_excluded_attendees_are_left_out():
    problem = Problem(
        attendees=[Attendee(i) for i in (10, 20, 30, 40, 50)],
        weights=[(10, 50, 9), (20, 30, 1), (40, 50, 1)],
        excluded={40},
        options=Options(fairness=False),
    )
    pairing = solve(problem)
    seated = {x for g in pairing.pairs(0) for x in g}
    assert seated == {10, 20, 30, 50}
    assert (10, 50) in pairing.pairs(0)
    assert violations(problem, pairing) == []


def test_unavoidable_forbidden_pair_raises_a_clear_error():
    problem = weighted_problem(2, [(0, 1, 5)], forbidden=[(0, 1)])
    with pytest.raises(InfeasibleError, match="may not be paired"):
        solve(problem)


def test_forbidden_pairs_that_leave_no_perfect_seating_raise():
    # 0 may only sit with 1, and so may 2: no seating of four exists
    forbidden = [(0, 2), (0, 3), (2, 3)]
    with pytest.raises(InfeasibleError):
        solve(weighted_problem(4, [(0, 1, 1)], forbidden=forbidden))


def test_forbidden_pair_is_never_used_even_with_the_highest_weight():
    rows = [(0, 1, 100), (0, 2, 1), (1, 3, 1), (2, 3, 1)]
    problem = weighted_problem(4, rows, forbidden=[(0, 1)])
    pairing = solve(problem)
    assert (0, 1) not in pairing.pairs(0)
    assert pairing.objective == 2


def test_locked_forbidden_pair_is_an_error():
    with pytest.raises(InfeasibleError, match="locked pair"):
        solve(weighted_problem(4, [], forbidden=[(0, 1)], locked=[(0, 1)]))


def test_attendee_locked_to_two_partners_is_an_error():
    with pytest.raises(MatchingError, match="locked to two tables"):
        solve(weighted_problem(4, [], locked=[(0, 1), (0, 2)]))


def _trio_value(W, a, b, c):
    return 0.5 * (W[a, b] + W[a, c] + W[b, c])


@pytest.mark.parametrize("n", [7, 8, 9, 10])
@pytest.mark.parametrize("seed", range(4))
def test_locked_trio_stays_together_and_the_rest_is_seated_at_its_best(n, seed):
    W, _ = random_instance(np.random.default_rng(seed), n, high=20)
    rows = [(i, j, W[i, j]) for i in range(n) for j in range(i + 1, n)]
    problem = weighted_problem(n, rows, locked=[Lock(4, 1, 0, c=6)])
    pairing = solve(problem)
    groups = [tuple(sorted(g)) for g in pairing.pairs(0)]
    assert (1, 4, 6) in groups
    rest = [v for v in range(n) if v not in (1, 4, 6)]
    sub = W[np.ix_(rest, rest)]
    expected = _trio_value(W, 1, 4, 6) + oracle(sub, np.ones_like(sub, dtype=bool))
    assert pairing.objective == pytest.approx(expected)
    assert pairing.proven_optimal
    # an odd count keeps the locked trio as its one trio; an even one seats one more trio
    assert sum(len(g) == 3 for g in groups) == (1 if n % 2 else 2)
    assert violations(problem, pairing) == []


def test_locked_trio_beside_the_lone_attendee_is_a_clear_error():
    with pytest.raises(InfeasibleError, match="locked trio is full"):
        solve(weighted_problem(4, [(0, 3, 5)], locked=[Lock(0, 1, 0, c=2)]))


def test_lone_attendee_joins_a_locked_pair_and_not_the_locked_trio():
    rows = [(0, 5, 9), (1, 5, 9), (2, 5, 9), (3, 5, 1), (4, 5, 1)]
    problem = weighted_problem(6, rows, locked=[Lock(0, 1, 0, c=2), Lock(3, 4)])
    pairing = solve(problem)
    assert sorted(tuple(sorted(g)) for g in pairing.pairs(0)) == [(0, 1, 2), (3, 4, 5)]
    assert violations(problem, pairing) == []


def test_attendee_in_a_locked_trio_and_a_locked_pair_is_an_error():
    with pytest.raises(MatchingError, match="locked to two tables"):
        solve(weighted_problem(6, [], locked=[Lock(0, 1, 0, c=2), Lock(2, 3)]))


def test_forbidden_pair_inside_a_locked_trio_is_an_error():
    with pytest.raises(InfeasibleError, match="locked trio"):
        solve(weighted_problem(5, [], forbidden=[(1, 2)], locked=[Lock(0, 1, 0, c=2)]))


def test_locked_trio_naming_someone_twice_is_rejected():
    with pytest.raises(MatchingError, match="twice"):
        weighted_problem(5, [], locked=[Lock(0, 1, 0, c=1)])


@pytest.mark.parametrize("n, rounds", [(6, 3), (7, 2), (10, 4), (9, 3)])
def test_several_rounds_never_repeat_a_pair(n, rounds):
    rng = np.random.default_rng(n * rounds)
    W, _ = random_instance(rng, n, high=9)
    rows = [(i, j, W[i, j]) for i in range(n) for j in range(i + 1, n)]
    problem = weighted_problem(n, rows, rounds=rounds)
    pairing = solve(problem)
    assert len(pairing.rounds) == rounds
    assert violations(problem, pairing) == []
    met = [frozenset(p) for r in pairing.rounds for g in r.groups for p in _pairs(g.members)]
    assert len(met) == len(set(met))


def _pairs(members):
    return [(a, b) for k, a in enumerate(members) for b in members[k + 1 :]]


def test_first_round_is_the_single_round_optimum():
    rng = np.random.default_rng(5)
    W, allowed = random_instance(rng, 10, high=50)
    result = solve_matrix(W, allowed, rounds=3, time_limit_s=10)
    assert result.rounds[0].objective == pytest.approx(oracle(W, allowed))
    assert result.proven_optimal


def test_lock_in_a_later_round_is_kept_there():
    rows = [(0, 1, 5), (2, 3, 5), (0, 2, 1), (1, 3, 1), (0, 3, 1), (1, 2, 1)]
    problem = weighted_problem(4, rows, rounds=2, locked=[Lock(0, 3, 1)])
    pairing = solve(problem)
    assert (0, 3) in pairing.pairs(1)
    assert violations(problem, pairing) == []


def test_a_stopped_search_returns_the_best_seating_with_its_bound():
    # no trio may be checked: the exact step stops at once with the first seating and its bound
    rng = np.random.default_rng(0)
    n = 201
    W, allowed = random_instance(rng, n, high=10**6)
    options = SolverOptions(max_trio_checks=0, lp_pairs_per_attendee=10**9, even_bound=False, dense_max_n=0)
    result = solve_matrix(W, allowed, time_limit_s=5, solver_options=options)
    assert result.rounds[0].stats["candidate_trios"] > 0  # the instance needs the trio step
    assert not result.proven_optimal
    assert result.status == "feasible"
    assert result.bound > result.objective
    assert sorted(v for g in result.rounds[0].groups for v in g) == list(range(n))
    full = solve_matrix(W, allowed, time_limit_s=10)
    assert full.proven_optimal
    assert result.objective <= full.objective <= result.bound


def test_tiny_time_limit_still_returns_a_valid_seating():
    rng = np.random.default_rng(1)
    n = 301
    W, allowed = random_instance(rng, n, high=10**6, forbid=0.3)
    rows = [(i, j, W[i, j]) for i in range(n) for j in range(i + 1, n)]
    forbidden = [(i, j) for i in range(n) for j in range(i + 1, n) if not allowed[i, j]]
    problem = Problem.from_weights(n, rows, forbidden=forbidden, options=Options(fairness=False, time_limit_s=0.001))
    pairing = solve(problem)
    assert violations(problem, pairing) == []
    assert pairing.bound >= pairing.objective - 1e-9


def test_fairness_first_helps_more_attendees_then_maximises_total():
    # plain optimum pairs 0-1 (10) and 2-3 (0): only 0 and 1 are helped.
    # fair optimum pairs 0-2 (1) and 1-3 (1): all four are helped.
    rows = [(0, 1, 10), (0, 2, 1), (1, 3, 1)]
    plain = solve(weighted_problem(4, rows))
    fair = solve(Problem.from_weights(4, rows, options=Options(fairness=True, seed=0)))
    assert sorted(plain.pairs(0)) == [(0, 1), (2, 3)]
    assert plain.helped == 2
    assert sorted(fair.pairs(0)) == [(0, 2), (1, 3)]
    assert fair.helped == 4
    assert fair.objective == 2


def test_fairness_counts_directed_help():
    rows = [(0, 1, 10), (0, 2, 1), (1, 3, 1)]
    # 0 helps 1 only: pairing 0-1 helps one person, pairing 0-2 and 1-3 helps two (2 and 3)
    one_way = [(0, 1, 10), (0, 2, 1), (1, 3, 1)]
    fair = solve(Problem.from_weights(4, rows, help=one_way, options=Options(fairness=True)))
    assert sorted(fair.pairs(0)) == [(0, 2), (1, 3)]
    assert fair.helped == 2
    # 0 and 1 help each other: both seatings help two people, so the total decides
    both_ways = one_way + [(1, 0, 1)]
    fair = solve(Problem.from_weights(4, rows, help=both_ways, options=Options(fairness=True)))
    assert sorted(fair.pairs(0)) == [(0, 1), (2, 3)]
    assert fair.helped == 2


def test_recent_meeting_within_cooldown_is_forbidden_and_older_one_only_penalised():
    now = datetime(2025, 3, 1, 12)
    offers = [Offer("bookkeeping for small business", ("accounting",))]
    needs = [Need("help with bookkeeping", ("accounting",))]
    people = [Attendee(i, f"P{i}", needs=needs, offers=offers) for i in range(1, 5)]
    recent = Meeting(1, 2, now - timedelta(weeks=2))
    old = Meeting(3, 4, now - timedelta(weeks=40))
    problem = Problem(people, meetings=[recent, old], now=now, options=Options(cooldown_weeks=8, repeat_penalty=5))
    pairing = solve(problem)
    assert (1, 2) not in pairing.pairs(0)
    assert violations(problem, pairing) == []
    breaking = type(pairing)(
        rounds=(type(pairing.rounds[0])(groups=(), objective=0, bound=0, proven_optimal=True),),
        objective=0, bound=0, proven_optimal=True, seconds=0,
    )
    assert violations(problem, breaking)  # nobody seated is reported


def test_meetings_without_now_are_rejected():
    with pytest.raises(MatchingError, match="now is required"):
        Problem([Attendee(1), Attendee(2)], meetings=[Meeting(1, 2, datetime(2024, 1, 1))])


def test_mixing_aware_and_naive_datetimes_is_a_clear_error():

    problem = Problem(
        [Attendee(1), Attendee(2)],
        meetings=[Meeting(1, 2, datetime(2024, 1, 1, tzinfo=UTC))],
        now=datetime(2025, 1, 1),
        options=Options(cooldown_weeks=4),
    )
    with pytest.raises(MatchingError, match="timezone"):
        solve(problem)


def test_database_ids_are_kept_in_the_answer():
    ids = [901, 17, 3344, 5]
    problem = Problem([Attendee(i) for i in ids], weights=[(901, 5, 3), (17, 3344, 2)], options=Options(fairness=False))
    pairing = solve(problem)
    assert sorted(pairing.pairs(0)) == [(5, 901), (17, 3344)]


@pytest.mark.parametrize("where", [(3, 7), (10, 290), (280, 299)])
def test_asymmetric_weights_or_allowed_are_rejected_wherever_they_differ(where):
    n = 300
    W = np.zeros((n, n))
    W[where] = 1.0
    with pytest.raises(MatchingError, match="weights must be symmetric"):
        solve_matrix(W)
    allowed = np.ones((n, n), dtype=bool)
    allowed[where] = False
    with pytest.raises(MatchingError, match="allowed must be symmetric"):
        solve_matrix(np.zeros((n, n)), allowed)
