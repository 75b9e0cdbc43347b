"""A solve that fails fails alone: the web process's pairing job computes in a child process
with a memory cap; when the child fails, the version is marked failed, the published version
stays, and the web process goes on."""

import threading

import numpy as np
import pytest

from organizer import matching
from organizer.extensions import db
from organizer.models import RunStatus, utcnow
from organizer.pairing import compute, jobs, publishing, queries, runs
from organizer.pairing.compute import in_process, isolated
from tests.event_factories import make_rsvp
from tests.factories import make_member, make_need, make_offer
from tests.pairing.test_service import TIME_LIMIT, generate, lunch  # noqa: F401 (a fixture)


def run_thread_job(app, event):
    run = runs.claim_run(event, None, utcnow(), TIME_LIMIT, action="generate")
    db.session.commit()  # the claim, as the boundary commits it
    jobs.start(run.id)
    for thread in threading.enumerate():
        if thread.name == f"pairing-run-{run.id}":
            thread.join(timeout=120)
    db.session.rollback()  # the job wrote through its own session: end this one's snapshot
    return queries.run_of_event(event, run.version)


def test_a_thread_job_solves_in_a_child_process_and_saves_the_same_result(app, lunch):  # noqa: F811
    group, organizer, event, p = lunch
    run = run_thread_job(app, event)
    assert run.status == RunStatus.DONE
    reference = generate(event)
    assert run.objective == reference.objective and run.proven_optimal


def test_a_child_over_its_memory_cap_fails_that_version_only(app, lunch):  # noqa: F811
    group, organizer, event, p = lunch
    for k in range(150):  # enough attendees that scoring and solving need fresh memory
        user = make_member(group, name=f"Extra {k}", email=f"extra{k}@example.org")
        make_need(group, user, title=["resume review", "a job in marketing", "networking"][k % 3])
        make_offer(group, user, title=["interview practice", "resume review", "career change"][k % 3])
        make_rsvp(event, user, checked_in=True)
    published = generate(event)
    publishing.publish(published, utcnow())
    app.config["PAIRING_MEMORY_LIMIT_MB"] = 1  # below what the child already uses: every new allocation fails
    try:
        run = run_thread_job(app, event)
    finally:
        app.config["PAIRING_MEMORY_LIMIT_MB"] = 4096
    assert run.status == RunStatus.FAILED
    assert "memory" in run.error or "stopped unexpectedly" in run.error
    assert queries.published_run(event).version == published.version
    assert run_thread_job(app, event).status == RunStatus.DONE  # the web process goes on


def test_isolated_reports_a_child_out_of_memory():
    rng = np.random.default_rng(1)
    n = 301
    rows = [(i, j, float(w)) for i in range(n) for j in range(i + 1, n) for w in [rng.integers(0, 100)]]
    problem = matching.Problem.from_weights(n, rows)
    with pytest.raises(matching.MatchingError, match="memory|stopped unexpectedly"):
        isolated(problem, 1, 60)
    assert isolated(problem, 4096, 60).pairing.objective == in_process(problem).pairing.objective


def test_isolated_raises_the_solvers_own_errors():
    problem = matching.Problem([matching.Attendee(1), matching.Attendee(2)], blocked={(1, 2)})
    with pytest.raises(matching.InfeasibleError):
        in_process(problem)
    with pytest.raises(matching.InfeasibleError):
        isolated(problem, 4096, 60)


def test_the_child_is_kept_warm_between_computations_and_replaced_after_a_failure():
    problem = matching.Problem.from_weights(4, [(0, 1, 5.0), (2, 3, 4.0), (0, 2, 1.0)])
    first = isolated(problem, 4096, 60)
    kept = list(compute._idle)
    assert len(kept) == 1 and kept[0].process.is_alive()
    assert isolated(problem, 4096, 60).pairing.objective == first.pairing.objective
    assert compute._idle == kept  # the same child computed again
    infeasible = matching.Problem([matching.Attendee(1), matching.Attendee(2)], blocked={(1, 2)})
    with pytest.raises(matching.InfeasibleError):
        isolated(infeasible, 4096, 60)
    assert compute._idle == kept  # the solver's own answer is no failure of the child
    rng = np.random.default_rng(1)
    larger = matching.Problem.from_weights(301, [(i, j, float(rng.integers(0, 100)))
                                                 for i in range(301) for j in range(i + 1, 301)])
    with pytest.raises(matching.MatchingError, match="memory|stopped unexpectedly"):
        isolated(larger, 1, 60)  # needs fresh memory, under a cap below what the child uses
    assert not kept[0].process.is_alive() and kept[0] not in compute._idle
    assert isolated(problem, 4096, 60).pairing.objective == first.pairing.objective  # a new child


def test_what_the_child_sends_back_is_the_version_not_the_score_matrices():
    rng = np.random.default_rng(2)
    n = 60
    rows = [(i, j, float(rng.integers(0, 100))) for i in range(n) for j in range(i + 1, n)]
    result = in_process(matching.Problem.from_weights(n, rows))
    assert set(vars(result)) == {"pairing", "broken", "reasons", "review", "worth"}
    assert result.review["helped"] == result.pairing.helped and result.broken == []
    groups = result.pairing.rounds[0].groups
    assert len(groups) == n // 2 and all(g.reasons == () for g in groups)  # the matches stay in the child
    assert [len(tables) for tables in result.reasons] == [len(groups)]  # as stored rows, one list per table


def test_stored_reasons_quote_titles_only_and_keep_a_link_whose_texts_are_titles():
    need = matching.Need("A publisher\nI wrote a novel about sailing", id=7)
    offer = matching.Offer("Intro to my agent\nShe places literary fiction", id=9)
    detailed = matching.Match(2, 1, need, offer, 0.9, 0.9)
    plain = matching.Match(2, 1, matching.Need("Resume review", id=8), matching.Offer("Resume reviews", id=10), 0.8, 0.8,
                           via="headline", source="Hiring manager")
    rows = compute.reason_rows([detailed, plain], {1: "Alice", 2: "Dave"}, 0.5)
    assert [(r["need"], r["offer"], r["need_id"], r["offer_id"]) for r in rows] == [
        ("A publisher", "Intro to my agent", 7, 9), ("Resume review", "Resume reviews", 8, 10)]
    assert "sailing" not in rows[0]["text"] and "literary" not in rows[0]["text"]
    assert rows[1]["source"] == "Hiring manager"
    assert compute._short(plain) is plain
    with_details = matching.Match(2, 1, matching.Need("Resume review", id=8), None, 0.8, 0.8, via="headline",
                                  source="Hiring manager\nTwenty years in retail")
    assert compute._short(with_details).source == "Hiring manager"
