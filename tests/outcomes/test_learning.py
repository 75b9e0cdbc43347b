"""The next pairing learns from the answers: each rule changes the next pairing's scores."""

from datetime import timedelta

import pytest

from organizer import matching
from organizer.database import transaction
from organizer.extensions import db
from organizer.groups.memberships import membership
from organizer.models import utcnow
from organizer.outcomes import answers, learning
from organizer.pairing import runs, snapshots
from organizer.pairing.compute import score
from tests.factories import make_member, make_need
from tests.outcomes.helpers import first_lunch, need_of, next_lunch


@pytest.fixture
def lunch(app):
    return first_lunch()


def say(group, event, author, partner, **fields):
    with transaction():
        answers.save_answer(membership(group.id, author.id), event, partner.id,
                            answers.AnswerInput(**fields), utcnow())


def snapshot_of(event):
    return snapshots.snapshot(event, snapshots.present_user_ids(event, "checked_in"), [], utcnow(), 10.0)


def test_a_giver_not_yet_helped_gets_priority_in_the_next_pairing(lunch):
    group, _, event, people = lunch
    alice, dave = people["Alice"], people["Dave"]
    nxt = next_lunch(group, people)
    before = score(snapshot_of(nxt).problem)
    say(group, event, alice, dave, helped="yes")  # Dave helped Alice; nobody has helped Dave yet
    snap = snapshot_of(nxt)
    after = score(snap.problem)
    assert {a.id: a.boost for a in snap.problem.attendees}[dave.id] == pytest.approx(1.25)
    assert after.help(alice.id, dave.id) == pytest.approx(1.25 * before.help(alice.id, dave.id))
    assert after.help(alice.id, dave.id) > 0
    assert {"kind": "boost", "user": dave.id, "boost": 1.25, "helped": 1, "per_person": 0.25, "max": 2.0} in snap.learned
    # the rule's limits come from the group's settings
    with transaction():
        learning.save_rules(group, 2.0, 1.5, 2, True, utcnow())
    assert {a.id: a.boost for a in snapshot_of(nxt).problem.attendees}[dave.id] == pytest.approx(1.0 + 0.5 * 1)
    # once someone helps Dave, the priority ends
    say(group, event, dave, alice, helped="a-little")
    assert {a.id: a.boost for a in snapshot_of(nxt).problem.attendees}[dave.id] == 1.0


@pytest.mark.parametrize("said", ["did-not-meet", "not-yet"])
def test_a_pair_that_did_not_meet_or_was_not_helped_may_meet_again_sooner(lunch, said):
    group, _, event, people = lunch
    tom, sofia = people["Tom"], people["Sofia"]
    nxt = next_lunch(group, people)  # a month after the first: within the 8-week cool-down
    pair = tuple(sorted((tom.id, sofia.id)))
    assert pair in matching.forbidden_pairs(snapshot_of(nxt).problem)
    say(group, event, tom, sofia, helped=said)
    assert pair not in matching.forbidden_pairs(snapshot_of(nxt).problem)
    with transaction():  # the organizer's rule: keep the cool-down
        learning.save_rules(group, 0.25, 2.0, None, True, utcnow())
    assert pair in matching.forbidden_pairs(snapshot_of(nxt).problem)
    with transaction():  # or only after more weeks than have passed
        learning.save_rules(group, 0.25, 2.0, 6, True, utcnow())
    assert pair in matching.forbidden_pairs(snapshot_of(nxt).problem)


def test_yes_leaves_the_cool_down_as_it_is(lunch):
    group, _, event, people = lunch
    tom, sofia = people["Tom"], people["Sofia"]
    say(group, event, tom, sofia, helped="did-not-meet")
    say(group, event, sofia, tom, helped="yes")  # Sofia says it helped her: they did meet
    pair = tuple(sorted((tom.id, sofia.id)))
    assert pair in matching.forbidden_pairs(snapshot_of(next_lunch(group, people)).problem)


def test_it_did_not_help_weakens_the_link_the_reason_named(lunch):
    group, _, event, people = lunch
    alice, dave = people["Alice"], people["Dave"]
    nxt = next_lunch(group, people)
    before = score(snapshot_of(nxt).problem)
    assert before.help(dave.id, alice.id) > 0  # Dave's agent intro answers Alice's publisher need
    say(group, event, alice, dave, helped="not-yet")
    after = score(snapshot_of(nxt).problem)
    assert after.help(dave.id, alice.id) < before.help(dave.id, alice.id)
    assert not [m for m in after.reasons(dave.id, alice.id) if m.need.id == need_of(group, alice).id]
    assert after.help(alice.id, dave.id) == pytest.approx(before.help(alice.id, dave.id))  # the other way stays


def test_confirmed_help_strengthens_that_kind_of_offer_for_that_kind_of_need(lunch):
    group, _, event, people = lunch
    alice, dave = people["Alice"], people["Dave"]
    bea = make_member(group, name="Bea", email="bea@example.org")
    make_need(group, bea, title="Looking for a publisher for my novel")
    nxt = next_lunch(group, people, extra=[bea])
    before = score(snapshot_of(nxt).problem)
    assert 0 < before.help(dave.id, bea.id)
    say(group, event, alice, dave, helped="yes", need_ids=[need_of(group, alice).id], gave=["introduction"])
    with transaction():  # the giver's priority would raise the scores too: keep this test to the links
        learning.save_rules(group, 0.0, 1.0, 2, True, utcnow())
    snap = snapshot_of(nxt)
    after = score(snap.problem)
    assert after.help(dave.id, bea.id) > before.help(dave.id, bea.id)
    assert {"kind": "strengthened", "helper": dave.id, "helped": bea.id,
            "need_id": need_of(group, bea).id} in snap.learned
    with transaction():
        learning.save_rules(group, 0.0, 1.0, 2, False, utcnow())  # the organizer turns it off
    assert score(snapshot_of(nxt).problem).help(dave.id, bea.id) == pytest.approx(before.help(dave.id, bea.id))


def test_the_review_shows_the_givers_priority(lunch, client, auth):
    group, organizer, event, people = lunch
    say(group, event, people["Alice"], people["Dave"], helped="yes")
    nxt = next_lunch(group, people, starts_in=timedelta(days=3))
    claimed = runs.claim_run(nxt, None, utcnow(), 10.0)
    db.session.commit()  # the claim, as the boundary commits it
    run = runs.execute_run(claimed.id, 10.0)
    db.session.commit()
    auth.login(organizer.email)
    page = client.get(f"/groups/{group.slug}/events/{nxt.id}/pairing/?version={run.version}").get_data(as_text=True)
    assert "Dave gets priority: they have helped 1 person and not been helped yet" in page
    assert "25% per person helped, at most 100%" in page
