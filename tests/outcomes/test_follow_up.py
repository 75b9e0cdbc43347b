"""After the lunch, as members and organizers use it: the follow-up per partner, thank-you
notes, needs met, the ledger, my lunches, and who may read what."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from organizer.database import transaction
from organizer.extensions import db
from organizer.groups.memberships import membership
from organizer.groups.service import remove_member
from organizer.models import EventStatus, HelpGiven, LunchAnswer, Need, utcnow
from organizer.outcomes import answers
from organizer.outcomes import service as ledger
from tests.event_factories import make_event
from tests.factories import make_member
from tests.outcomes.helpers import first_lunch, need_of


@pytest.fixture
def lunch(app):
    return first_lunch()


def prefix(event, partner):
    return f"p{event.id}-{partner.id}-"


def answer(client, group, event, partner, back="overview", **fields):
    data = {"back": back}
    for key, value in fields.items():
        data[prefix(event, partner) + key] = value
    return client.post(f"/groups/{group.slug}/outcomes/events/{event.id}/with/{partner.id}", data=data)


def test_the_follow_up_shows_once_the_lunch_took_place_not_before(app, client, auth):
    group, _, event, people = first_lunch(started_ago=timedelta(hours=2))
    event.status = EventStatus.PUBLISHED
    db.session.commit()
    auth.login("alice@example.org")
    assert "Did your lunch with Dave help?" not in client.get(f"/groups/{group.slug}/").get_data(as_text=True)
    event.status = EventStatus.DONE  # marked done: open at once
    db.session.commit()
    page = client.get(f"/groups/{group.slug}/").get_data(as_text=True)
    assert "Did your lunch with Dave help?" in page and "Did you help Dave with something?" in page
    event.status = EventStatus.PUBLISHED
    event.starts_at = utcnow() - timedelta(days=1, minutes=1)  # or the day after its start
    db.session.commit()
    event_page = client.get(f"/groups/{group.slug}/events/{event.id}/").get_data(as_text=True)
    assert "Did your lunch with Dave help?" in event_page
    assert "Did your lunch with Tom help?" not in event_page  # only one's own table mates


def test_three_taps_record_help_mark_the_need_met_and_count_on_both_ledgers(lunch, client, auth):
    group, _, event, people = lunch
    alice, dave = people["Alice"], people["Dave"]
    need = need_of(group, alice)
    auth.login("alice@example.org")
    response = answer(client, group, event, dave, helped="yes", needs=str(need.id),
                      note="Your intro to the editor at the Toronto publishing house got me a meeting")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/groups/{group.slug}/")
    db.session.expire_all()
    assert db.session.get(Need, need.id).status == "met"
    assert db.session.get(Need, need.id).helped_by_id == dave.id
    assert ledger.ledger_counts(group.id, dave.id).people_helped == 1
    assert ledger.ledger_counts(group.id, alice.id).helped_by == 1
    # the overview no longer asks (answered); the need's history names who helped
    assert "Did your lunch with Dave help?" not in client.get(f"/groups/{group.slug}/").get_data(as_text=True)
    assert "met, Dave" in client.get(f"/groups/{group.slug}/members/me").get_data(as_text=True)
    auth.logout()
    auth.login("dave@example.org")
    overview = client.get(f"/groups/{group.slug}/").get_data(as_text=True)
    assert "Alice thanked you: Your intro to the editor at the Toronto publishing house got me a meeting" in overview
    mine = client.get(f"/groups/{group.slug}/outcomes/ledger").get_data(as_text=True)
    assert "You have helped 1 person; 0 have helped you." in mine


def test_an_answer_can_be_changed_for_30_days_then_it_is_frozen(lunch):
    group, _, event, people = lunch
    alice = membership(group.id, people["Alice"].id)
    then = utcnow()
    with transaction():
        answers.save_answer(alice, event, people["Dave"].id, answers.AnswerInput(helped="a-little"), then)
    with transaction():
        answers.save_answer(alice, event, people["Dave"].id, answers.AnswerInput(helped="not-yet"),
                            then + timedelta(days=29))
    assert ledger.ledger_counts(group.id, people["Dave"].id).people_helped == 0  # the change withdrew it
    with pytest.raises(answers.ActionRefused, match="30 days"):
        answers.save_answer(alice, event, people["Dave"].id, answers.AnswerInput(helped="yes"),
                            then + timedelta(days=31))


def test_the_mirror_counts_once_the_receiver_confirms(lunch):
    group, _, event, people = lunch
    alice, dave = (membership(group.id, people[n].id) for n in ("Alice", "Dave"))
    now = utcnow()
    with transaction():
        answers.save_answer(dave, event, alice.user_id, answers.AnswerInput(
            gave_partner=["introduction"], gave_partner_text="the intro to my agent I promised"), now)
    line = db.session.scalar(select(HelpGiven))
    assert line.giver_id == dave.user_id and line.confirmed_at is None
    assert ledger.ledger_counts(group.id, dave.user_id).people_helped == 0
    with transaction():
        answers.save_answer(alice, event, dave.user_id, answers.AnswerInput(helped="yes"), now)
    assert ledger.ledger_counts(group.id, dave.user_id).people_helped == 1
    line = db.session.scalar(select(HelpGiven))
    assert line.what == "introduction" and line.note == "the intro to my agent I promised"


@pytest.mark.parametrize("data,message", [
    ({"helped": "maybe"}, "Choose yes"),
    ({"helped": "not-yet", "need_ids": "own"}, "only when the lunch helped"),
    ({"gave": ["money"]}, "a lead, an introduction"),
    ({}, "Say whether"),
])
def test_bad_answers_are_refused_with_a_message(lunch, data, message):
    group, _, event, people = lunch
    alice = membership(group.id, people["Alice"].id)
    if data.get("need_ids") == "own":
        data["need_ids"] = [need_of(group, people["Alice"]).id]
    with pytest.raises(answers.ActionRefused, match=message):
        answers.save_answer(alice, event, people["Dave"].id, answers.AnswerInput(**data), utcnow())


def test_nobody_answers_about_someone_they_did_not_sit_with_or_names_someone_elses_need(lunch, client, auth):
    group, _, event, people = lunch
    alice = membership(group.id, people["Alice"].id)
    with pytest.raises(answers.ActionRefused, match="did not sit"):
        answers.save_answer(alice, event, people["Tom"].id, answers.AnswerInput(helped="yes"), utcnow())
    with pytest.raises(answers.ActionRefused, match="your own needs"):
        answers.save_answer(alice, event, people["Dave"].id, answers.AnswerInput(
            helped="yes", need_ids=[need_of(group, people["Dave"]).id]), utcnow())
    auth.login("alice@example.org")
    response = answer(client, group, event, people["Tom"], helped="yes")
    assert response.status_code == 302 and "/outcomes/lunches" in response.headers["Location"]
    assert db.session.scalar(select(LunchAnswer)) is None


def test_nobody_else_reads_the_answers_or_notes(lunch, client, auth):
    group, organizer, event, people = lunch
    alice = membership(group.id, people["Alice"].id)
    secret = "Thank you for the agent intro, it changed everything"
    with transaction():
        answers.save_answer(alice, event, people["Dave"].id, answers.AnswerInput(
            helped="yes", note=secret, something_else="courage"), utcnow())
    outsider_member = make_member(group, name="Zed", email="zed@example.org")
    pages = ["/", "/outcomes/lunches", "/outcomes/ledger", f"/events/{event.id}/", "/members/me",
             f"/members/{people['Alice'].id}", f"/members/{people['Dave'].id}"]
    for email in ("tom@example.org", zed_email := outsider_member.email):
        auth.login(email)
        for page in pages:
            text = client.get(f"/groups/{group.slug}{page}").get_data(as_text=True)
            assert secret not in text and "courage" not in text, (email, page)
        assert client.get(f"/groups/{group.slug}/outcomes/events/{event.id}").status_code == 403
        auth.logout()
    assert zed_email
    auth.login(organizer.email)  # organizers see the answer, not the note's text...
    report = client.get(f"/groups/{group.slug}/outcomes/events/{event.id}").get_data(as_text=True)
    assert "courage" in report and secret not in report and "a private note" in report
    db.session.get(LunchAnswer, db.session.scalar(select(LunchAnswer.id))).note_for_organizers = True
    db.session.commit()  # ...unless its author allowed them
    assert secret in client.get(f"/groups/{group.slug}/outcomes/events/{event.id}").get_data(as_text=True)
    dashboard = client.get(f"/groups/{group.slug}/outcomes/dashboard").get_data(as_text=True)
    assert secret not in dashboard


def test_a_member_who_leaves_keeps_nothing_visible_only_counts(lunch, client, auth):
    group, _, event, people = lunch
    alice, dave = (membership(group.id, people[n].id) for n in ("Alice", "Dave"))
    now = utcnow()
    with transaction():
        answers.save_answer(dave, event, alice.user_id, answers.AnswerInput(helped="yes", note="Dave's thanks"), now)
        answers.save_answer(alice, event, dave.user_id, answers.AnswerInput(helped="yes", note="Alice's thanks"), now)
    remove_member(group, dave.user_id, leaving=True)
    assert ledger.ledger_counts(group.id, alice.user_id).helped_by == 1
    assert ledger.ledger_counts(group.id, alice.user_id).people_helped == 1
    auth.login("alice@example.org")
    for page in ("/", "/outcomes/lunches", "/outcomes/ledger"):
        text = client.get(f"/groups/{group.slug}{page}").get_data(as_text=True)
        assert "Dave" not in text and "Dave's thanks" not in text, page


def test_my_lunches_lists_past_lunches_with_their_pairing_link(lunch, client, auth):
    group, _, event, people = lunch
    auth.login("alice@example.org")
    page = client.get(f"/groups/{group.slug}/outcomes/lunches").get_data(as_text=True)
    assert "October lunch" in page and "with Dave" in page
    assert f"/events/{event.id}/pairing/mine" in page
    assert "The pairing suggested they could help you with:" in page and "A publisher for my book" in page
    event_page = client.get(f"/groups/{group.slug}/events/{event.id}/").get_data(as_text=True)
    assert f"/events/{event.id}/pairing/mine" in event_page  # a done event keeps the link
    assert "Dave" in client.get(f"/groups/{group.slug}/events/{event.id}/pairing/mine").get_data(as_text=True)


def test_record_feedback_and_outcomes_on_the_command_line(lunch, runner):
    group, _, event, people = lunch
    result = runner.invoke(args=["record-feedback", str(event.id), "--from", "alice@example.org", "--about",
                                 "dave@example.org", "--helped", "yes", "--need", "a publisher for my book",
                                 "--gave", "introduction", "--note", "=HYPERLINK(\"x\")"])
    assert result.exit_code == 0, result.output
    runner.invoke(args=["record-feedback", str(event.id), "--from", "tom@example.org", "--about",
                        "sofia@example.org", "--helped", "did-not-meet"])
    result = runner.invoke(args=["outcomes", str(event.id), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data == {"event": event.id, "answers": [
        {"from": "alice@example.org", "about": "dave@example.org", "helped": "yes",
         "needs": ["A publisher for my book"], "gave": ["introduction"], "note": True},
        {"from": "tom@example.org", "about": "sofia@example.org", "helped": "did-not-meet",
         "needs": [], "gave": [], "note": False}], "helped_share": 0.25}
    text = runner.invoke(args=["outcomes", str(event.id)]).output
    assert "25% of 4 seated" in text and "HYPERLINK" not in text


@pytest.mark.parametrize("args,message", [
    (["999999", "--from", "alice@example.org", "--about", "dave@example.org", "--helped", "yes"], "No event"),
    (["EVENT", "--from", "alice@example.org", "--about", "dave@example.org", "--helped", "maybe"], "--helped takes"),
    (["EVENT", "--from", "alice@example.org", "--about", "dave@example.org", "--helped", "yes", "--gave", "cash"],
     "--gave takes"),
    (["EVENT", "--from", "nobody@example.org", "--about", "dave@example.org", "--helped", "yes"], "--from"),
    (["EVENT", "--from", "alice@example.org", "--about", "tom@example.org", "--helped", "yes"], "did not sit"),
    (["EVENT", "--from", "alice@example.org", "--about", "dave@example.org", "--helped", "yes", "--need", "x"],
     "no open need"),
])
def test_record_feedback_refuses_bad_input_with_one_line(lunch, runner, args, message):
    event = lunch[2]
    args = [str(event.id) if a == "EVENT" else a for a in args]
    result = runner.invoke(args=["record-feedback", *args])
    assert result.exit_code == 1 and message in result.output and "Traceback" not in result.output


def test_record_feedback_waits_for_a_published_pairing(app, runner):
    group, _, _, people = first_lunch()
    later = make_event(group, title="Unpaired lunch")
    result = runner.invoke(args=["record-feedback", str(later.id), "--from", "alice@example.org", "--about",
                                 "dave@example.org", "--helped", "yes"])
    assert result.exit_code == 1 and "not published" in result.output
