"""The product entry point: the time limit covers the whole solve, scoring included."""

import time

from organizer.matching import Attendee, Need, Offer, Options, Problem, score, solve, violations

TOPICS = ["resume review", "interview practice", "a job in marketing", "salary negotiation"]


def topic_group(n: int) -> list[Attendee]:
    return [Attendee(k, f"Member {k}", needs=[Need(f"Help with {TOPICS[k % 4]}")],
                     offers=[Offer(f"I can do {TOPICS[(k + 1) % 4]}")]) for k in range(n)]


def test_a_solve_whose_scoring_used_up_the_limit_still_seats_everyone_by_the_rules():
    problem = Problem(topic_group(31), options=Options(time_limit_s=2.0))
    scores = score(problem.attendees, problem.options)
    # As if scoring had taken ten times the limit: the seating still gets its minimum share.
    pairing = solve(problem, scores, started=time.perf_counter() - 20.0)
    seated = sorted(m for g in pairing.rounds[0].groups for m in g.members)
    assert seated == list(range(31))
    assert violations(problem, pairing) == []
    assert sum(len(g.members) == 3 for g in pairing.rounds[0].groups) == 1


def test_the_limit_counted_from_before_scoring_gives_the_same_seating_when_time_is_ample():
    problem = Problem(topic_group(20), options=Options(time_limit_s=30.0))
    scores = score(problem.attendees, problem.options)
    fresh = solve(problem, scores)
    counted = solve(problem, scores, started=time.perf_counter() - 1.0)
    assert counted.proven_optimal and fresh.proven_optimal
    assert counted.objective == fresh.objective
