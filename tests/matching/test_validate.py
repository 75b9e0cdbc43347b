"""violations() names each broken rule."""

from datetime import datetime, timedelta

import pytest

from organizer.matching import Attendee, Group, Lock, Meeting, Options, Pairing, Problem, Round, violations


def make_problem(n=4, **kw):
    return Problem([Attendee(i, f"P{i}") for i in range(n)], **kw)


def make_pairing(*rounds):
    return Pairing(
        rounds=tuple(Round(tuple(Group(tuple(g), 0.0) for g in groups), 0.0, 0.0, True) for groups in rounds),
        objective=0.0,
        bound=0.0,
        proven_optimal=True,
        seconds=0.0,
    )


def test_a_valid_pairing_has_no_violations():
    assert violations(make_problem(), make_pairing([(0, 1), (2, 3)])) == []


def test_unseated_attendee_is_reported():
    assert violations(make_problem(), make_pairing([(0, 1)])) == ["round 1: P2 is not seated", "round 1: P3 is not seated"]


def test_attendee_seated_twice_is_reported():
    out = violations(make_problem(), make_pairing([(0, 1), (1, 2), (3, 0)]))
    assert "round 1: P0 is seated 2 times" in out
    assert "round 1: P1 is seated 2 times" in out


def test_forbidden_pair_is_reported():
    out = violations(make_problem(blocked={(2, 0)}), make_pairing([(0, 2), (1, 3)]))
    assert out == ["round 1: P0 and P2 may not be seated together"]


def test_pair_within_the_cooldown_is_reported_as_forbidden():
    now = datetime(2025, 5, 1)
    problem = make_problem(meetings=[Meeting(0, 1, now - timedelta(weeks=1))], now=now, options=Options(cooldown_weeks=4))
    assert violations(problem, make_pairing([(0, 1), (2, 3)])) == ["round 1: P0 and P1 may not be seated together"]


def test_repeat_across_rounds_is_reported():
    out = violations(make_problem(rounds=2), make_pairing([(0, 1), (2, 3)], [(1, 0), (2, 3)]))
    assert "round 2: P0 and P1 already met in round 1" in out
    assert "round 2: P2 and P3 already met in round 1" in out


def test_lost_lock_is_reported():
    problem = make_problem(locked=[Lock(0, 3)])
    assert violations(problem, make_pairing([(0, 1), (2, 3)])) == ["round 1: locked pair P0 and P3 is not at the same table"]


def test_lost_trio_lock_is_reported():
    problem = make_problem(n=5, locked=[Lock(0, 1, 0, c=4)])
    assert violations(problem, make_pairing([(0, 1, 2), (3, 4)])) == [
        "round 1: locked trio P0 and P1 and P4 is not at the same table"]


def test_a_locked_trio_does_not_count_as_the_one_trio():
    problem = make_problem(n=6, locked=[Lock(0, 1, 0, c=2)])
    assert violations(problem, make_pairing([(0, 1, 2), (3, 4, 5)])) == []
    unlocked = make_problem(n=6)
    assert "round 1: 2 trios; at most one is allowed" in violations(unlocked, make_pairing([(0, 1, 2), (3, 4, 5)]))


def test_more_than_one_trio_is_reported():
    problem = make_problem(7)
    out = violations(problem, make_pairing([(0, 1, 2), (3, 4, 5), (6,)]))
    assert "round 1: 2 trios; at most one is allowed" in out
    assert any("a table of 1" in line for line in out)


def test_trio_with_even_count_is_reported():
    problem = make_problem(6)
    out = violations(problem, make_pairing([(0, 1, 2), (3, 4, 5)]))
    assert "round 1: a trio although an even number of attendees can all sit in pairs" in out


def test_excluded_person_seated_is_reported():
    problem = make_problem(excluded={3})
    out = violations(problem, make_pairing([(0, 1, 2, 3)]))
    assert "round 1: P3 is excluded but seated" in out


def test_unknown_attendee_and_wrong_round_count_are_reported():
    problem = make_problem(rounds=2)
    out = violations(problem, make_pairing([(0, 1), (2, 99)]))
    assert "expected 2 round(s), got 1" in out
    assert "round 1: unknown attendee #99 is seated" in out
    assert "round 1: P3 is not seated" in out


@pytest.mark.parametrize("groups", [[(0, 1), (2, 3)], [(0, 2), (1, 3)], [(0, 3), (1, 2)]])
def test_every_seating_of_four_is_valid_without_rules(groups):
    assert violations(make_problem(), make_pairing(groups)) == []
