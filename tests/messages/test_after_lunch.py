"""Messages after a lunch and for new accounts, delivered to a real SMTP server (aiosmtpd on
127.0.0.1): the after-lunch follow-up, thank-you notes, the welcome of an imported member or a
walk-in with their own set-password link, and a reset page that says the same for any address."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from organizer.database import writing
from organizer.events import service as events
from organizer.extensions import db
from organizer.messages import delivery, invitations, kinds, periodic
from organizer.messages.service import set_preference, unsubscribe_token
from organizer.models import (
    EventStatus,
    Message,
    SetPasswordToken,
    User,
    utcnow,
)
from organizer.outcomes import answers
from tests.conftest import without_csrf_tokens
from tests.event_factories import make_event, make_pairing_run
from tests.factories import make_group, make_member, make_need, make_user, membership_of
from tests.mail_server import body
from tests.messages.test_service import smtp  # noqa: F401 (the fixture)

SET_PASSWORD = re.compile(r"http://localhost(/auth/set-password/\S+)")


def club(n=4):
    organizer = make_user(name="Olga Organizer", email="olga@example.org")
    group = make_group(organizer=organizer, name="Lunch Club", time_zone="America/Vancouver")
    people = [make_member(group, name=name, email=f"{name.split()[0].lower()}@example.org")
              for name in ("Ann Ames", "Bob Brown", "Cleo Cruz", "Dan Diaz")[:n]]
    return group, organizer, people


def lunch(group, *tables, started_ago=timedelta(hours=3), status=EventStatus.PUBLISHED):
    """A lunch that took place, with its pairs published (one table per tuple of people)."""
    event = make_event(group, title="March lunch", starts_at=(utcnow() - started_ago).replace(second=0, microsecond=0),
                       status=status)
    make_pairing_run(event, 1, tables, published_at=utcnow())
    return event


def subjects_to(smtp, address):  # noqa: F811
    return [m["Subject"] for m in smtp.recorder.to(address)]


# --- the after-lunch follow-up ------------------------------------------------------------------

def test_the_follow_up_arrives_once_per_attendee_when_the_lunch_is_marked_done_even_if_the_pass_runs_twice(
        app, smtp):  # noqa: F811
    group, organizer, (ann, bob, cleo, dan) = club()
    event = lunch(group, (ann, bob), (cleo, dan))
    with writing():
        events.mark_done(event, utcnow())
    periodic.run_once()
    periodic.run_once()   # the worker's next round, and the next: nothing more

    for person, partner in ((ann, bob), (bob, ann), (cleo, dan), (dan, cleo)):
        (message,) = smtp.recorder.to(person.email)
        assert message["Subject"] == f"Did your lunch with {partner.name} help?"
        text = body(message, "plain")
        assert f"You sat with {partner.name}" in text
        assert f"http://localhost/groups/{group.slug}/outcomes/events/{event.id}/with/{partner.id}" in text
        assert message["List-Unsubscribe"] is not None
    local_start = event.starts_at.astimezone(ZoneInfo("America/Vancouver"))
    assert f"{local_start:%H:%M}" in body(smtp.recorder.to(ann.email)[0], "plain")  # the group's time zone
    assert smtp.recorder.to(organizer.email) == []   # not seated: nothing to ask
    assert len(smtp.received) == 4


def test_a_lunch_nobody_marked_done_is_followed_up_the_day_after_by_the_worker_once(app, smtp):  # noqa: F811
    group, _, (ann, bob, cleo, dan) = club()
    recent = lunch(group, (ann, bob), started_ago=timedelta(hours=2))      # answers not open yet
    periodic.run_once()
    assert smtp.received == []
    db.session.get(type(recent), recent.id).starts_at -= timedelta(days=1)
    db.session.get(type(recent), recent.id).ends_at -= timedelta(days=1)
    db.session.commit()
    old = lunch(group, (cleo, dan), started_ago=timedelta(days=30))       # long past: not written about
    periodic.run_once()
    periodic.run_once()
    assert sorted(r for _, rcpts, _ in smtp.received for r in rcpts) == [ann.email, bob.email]
    assert db.session.scalars(select(Message).where(Message.dedupe_key.like(f"after-lunch:{old.id}:%"))).all() == []


def test_no_follow_up_about_partners_already_answered_nor_to_one_who_turned_it_off(app):
    group, _, (ann, bob, cleo, dan) = club()
    event = lunch(group, (ann, bob), (cleo, dan), started_ago=timedelta(days=2))
    with writing():
        answers.save_answer(membership_of(ann, group), event, bob.id, answers.AnswerInput(helped="yes"), utcnow())
        set_preference(cleo.id, group.id, kinds.AFTER_LUNCH_FOLLOWUP, False, utcnow())
    periodic.queue_timed(utcnow())
    told = db.session.scalars(select(Message.to_email).where(Message.kind == kinds.AFTER_LUNCH_FOLLOWUP)).all()
    assert sorted(told) == [bob.email, dan.email]


# --- thank-you notes ----------------------------------------------------------------------------

def test_a_thank_you_reaches_the_helper_once_escaped_and_naming_only_needs_they_may_see(app, smtp):  # noqa: F811
    group, _, (ann, bob) = club(2)
    event = lunch(group, (ann, bob), started_ago=timedelta(days=1, hours=2))
    shared = make_need(group, bob, title="A publisher for my novel", visibility="group")
    partner_only = make_need(group, bob, title="Quiet search for a new job", visibility="partner")
    hidden = make_need(group, bob, title="Something only organizers see", visibility="organizers")
    note = "<script>alert('x')</script> Thank you, Ann!\r\nBcc: evil@example.org"
    with writing():
        answers.save_answer(membership_of(bob, group), event, ann.id, answers.AnswerInput(
            helped="yes", need_ids=[shared.id, partner_only.id, hidden.id], gave=["introduction"], note=note),
            utcnow())
    with writing():   # the answer changed again: no second note
        answers.save_answer(membership_of(bob, group), event, ann.id, answers.AnswerInput(
            helped="a-little", need_ids=[shared.id], note=note), utcnow())
    delivery.deliver_due()

    (thanks,) = [m for m in smtp.recorder.to(ann.email)]
    assert thanks["Subject"] == "Bob Brown says thank you"
    assert thanks["Bcc"] is None
    text, html = body(thanks, "plain"), body(thanks, "html")
    for part in (text, html):
        assert "A publisher for my novel" in part and "Quiet search for a new job" in part  # ann was the partner
        assert "only organizers see" not in part
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "Thank you, Ann!" in text
    assert smtp.recorder.to(bob.email) == []   # bob thanked; nobody thanked bob


def test_a_note_without_help_confirmed_goes_to_the_partner_once_and_a_note_added_later_too(app):
    group, _, (ann, bob, cleo, dan) = club()
    event = lunch(group, (ann, bob), (cleo, dan), started_ago=timedelta(days=2))
    with writing():
        answers.save_answer(membership_of(bob, group), event, ann.id, answers.AnswerInput(
            helped="did-not-meet", note="Sorry I missed you <3"), utcnow())
    with writing():   # the note edited: not sent again
        answers.save_answer(membership_of(bob, group), event, ann.id, answers.AnswerInput(
            helped="did-not-meet", note="Sorry I missed you, next time!"), utcnow())
    with writing():   # help confirmed first, the note added later
        answers.save_answer(membership_of(dan, group), event, cleo.id, answers.AnswerInput(helped="yes"), utcnow())
    with writing():
        answers.save_answer(membership_of(dan, group), event, cleo.id,
                            answers.AnswerInput(helped="yes", note="Your advice was gold"), utcnow())
    sent = db.session.scalars(select(Message).where(Message.kind == kinds.THANK_YOU_NOTE).order_by(Message.id)).all()
    assert [(m.to_email, m.subject) for m in sent] == [
        (ann.email, "Bob Brown wrote you a note"), (cleo.email, "Dan Diaz says thank you"),
        (cleo.email, "Dan Diaz wrote you a note")]
    assert "Sorry I missed you &lt;3" in sent[0].body_html and "giving first" not in sent[0].body_text
    assert "Your advice was gold" in sent[2].body_text and "Your advice" not in sent[1].body_text


def test_a_thank_you_with_its_note_is_one_message(app):
    group, _, (ann, bob) = club(2)
    event = lunch(group, (ann, bob), started_ago=timedelta(days=2))
    with writing():
        answers.save_answer(membership_of(bob, group), event, ann.id,
                            answers.AnswerInput(helped="a-little", note="Thanks for the intro"), utcnow())
    (sent,) = db.session.scalars(select(Message).where(Message.kind == kinds.THANK_YOU_NOTE))
    assert sent.subject == "Bob Brown says thank you" and "Thanks for the intro" in sent.body_text


def test_a_thank_you_long_after_the_lunch_names_no_partner_only_need(app):
    group, _, (ann, bob) = club(2)
    event = lunch(group, (ann, bob), started_ago=timedelta(weeks=group.repeat_cooldown_weeks + 2))
    partner_only = make_need(group, bob, title="Quiet search for a new job", visibility="partner")
    with writing():
        answers.save_answer(membership_of(bob, group), event, ann.id,
                            answers.AnswerInput(helped="yes", need_ids=[partner_only.id]), utcnow())
    (thanks,) = db.session.scalars(select(Message).where(Message.kind == kinds.THANK_YOU_NOTE))
    assert thanks.to_email == ann.email
    assert "Quiet search" not in thanks.body_text and "Quiet search" not in thanks.body_html


def test_an_offer_of_help_that_worked_thanks_the_helper_once_as_a_thank_you_note(app):
    from organizer.asks import service as asks

    group, _, (ann, bob) = club(2)
    need = make_need(group, bob, title="A good electrician in Oakville")
    with writing():
        offer = asks.offer_help(membership_of(ann, group), need.id, "lead", "My cousin", partner_ids=frozenset(),
                                now=utcnow(), per_day=10)
        asks.answer(membership_of(bob, group), offer, "accept", utcnow())
    with writing():
        asks.answer(membership_of(bob, group), offer, "met", utcnow())
    to_ann = db.session.scalars(select(Message).where(Message.to_email == ann.email).order_by(Message.id)).all()
    assert [m.kind for m in to_ann] == [kinds.BETWEEN_LUNCHES, kinds.THANK_YOU_NOTE]   # yes please, then thanks
    assert "A good electrician in Oakville" in to_ann[1].body_text and "met now" in to_ann[1].body_text


def test_an_unsubscribed_helper_gets_no_thank_you_note(app, client):
    group, _, (ann, bob) = club(2)
    event = lunch(group, (ann, bob), started_ago=timedelta(days=2))
    token = unsubscribe_token(ann.id, group.id, kinds.THANK_YOU_NOTE)
    page = client.get(f"/m/unsubscribe/{token}").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    client.post(f"/m/unsubscribe/{token}", data={"csrf_token": csrf.group(1)} if csrf else {})
    with writing():
        answers.save_answer(membership_of(bob, group), event, ann.id, answers.AnswerInput(helped="yes"), utcnow())
    assert db.session.scalars(select(Message).where(Message.kind == kinds.THANK_YOU_NOTE)).all() == []
    periodic.queue_timed(utcnow())   # other kinds still go: bob is asked about ann
    assert db.session.scalars(select(Message.to_email).where(Message.kind == kinds.AFTER_LUNCH_FOLLOWUP)).all() == [
        ann.email]


# --- welcome: an account a group created ---------------------------------------------------------

def test_an_imported_member_gets_a_working_set_password_link_that_nobody_else_sees(app, runner, smtp):  # noqa: F811
    group, _, _ = club(0)
    result = runner.invoke(args=["import-members", group.slug, "-"],
                           input=b"name,email\nNew Person,new.person@example.org\n")
    assert result.exit_code == 0, result.output
    assert "/auth/set-password/" not in result.output and "welcome email" in result.output
    delivery.deliver_due()

    (welcome,) = smtp.recorder.to("new.person@example.org")
    assert "Lunch Club" in welcome["Subject"]
    assert welcome["List-Unsubscribe"] is None    # the only way in: not something to turn off
    text = body(welcome, "plain")
    assert "Olga" not in text and "Lunch Club" in text    # the command line has no organizer
    path = SET_PASSWORD.search(text).group(1)
    assert SET_PASSWORD.search(body(welcome, "html")).group(1).rstrip('"') == path
    owner = app.test_client()
    assert owner.get(path).status_code == 200
    assert owner.post(path, data={"password": "my very own password", "confirm": "my very own password"}
                      ).status_code == 302
    assert owner.get(f"/groups/{group.slug}/").status_code == 200   # signed in, in the group
    assert app.test_client().get(path).status_code == 404     # one use


def test_the_outbox_page_shows_organizers_the_welcome_without_its_link(app, client, auth, runner):
    group, _, _ = club(0)
    runner.invoke(args=["import-members", group.slug, "-"], input=b"name,email\nNew Person,new.person@example.org\n")
    auth.login("olga@example.org")
    page = client.get(f"/groups/{group.slug}/outbox").get_data(as_text=True)
    assert "new.person@example.org" in page and "/auth/set-password/" not in page


def test_a_walk_in_given_an_email_at_the_door_is_welcomed_naming_the_group_and_the_organizer(app):
    group, organizer, _ = club(0)
    event = make_event(group, starts_in=timedelta(minutes=10))
    with writing():
        events.add_walk_in_guest(event, "Walk In", "walk.in@example.org", utcnow(), invited_by_id=organizer.id)
    (welcome,) = db.session.scalars(select(Message).where(Message.kind == kinds.WELCOME))
    assert welcome.to_email == "walk.in@example.org"
    assert "Olga Organizer, an organizer of Lunch Club" in welcome.body_text
    token = db.session.scalars(select(SetPasswordToken)).one()
    assert token.expires_at - token.created_at == timedelta(hours=app.config["SET_PASSWORD_LINK_HOURS"])


def test_organizers_may_have_the_welcome_sent_again_a_few_times_an_hour_and_the_older_link_stops(app):
    from organizer.errors import ActionRefused
    from organizer.models import Membership

    group, organizer, _ = club(0)
    user = make_user(name="Imported", email="imported@example.org", password=None)
    user.created_by_group_id = group.id
    db.session.add(Membership(user_id=user.id, group_id=group.id))
    db.session.commit()
    target = membership_of(user, group)
    limit = app.config["PASSWORD_RESETS_PER_HOUR"]
    for _ in range(limit):
        with writing():
            invitations.send_welcome_again(target, organizer, utcnow())
    try:
        with writing():
            invitations.send_welcome_again(target, organizer, utcnow())
    except ActionRefused as refusal:
        assert "less than an hour ago" in str(refusal)
    else:
        raise AssertionError("a further link within the hour is refused")
    sent = db.session.scalars(select(Message).where(Message.kind == kinds.WELCOME)).all()
    assert len(sent) == limit
    live = db.session.scalars(select(SetPasswordToken).where(SetPasswordToken.used_at.is_(None))).all()
    assert len(live) == 1     # only the newest link works


# --- "Forgot your password?" says the same whoever asks ----------------------------------------

def test_the_reset_page_answers_the_same_for_a_known_an_unknown_and_a_stand_in_address(app, client):
    make_user(name="Owner", email="owner@example.org")
    group, _, _ = club(0)
    event = make_event(group, starts_in=timedelta(minutes=10))
    make_user(name="Outside", email="outside@example.org")
    with writing():
        events.add_walk_in_guest(event, "Stand In", "outside@example.org", utcnow())
    stand_in = db.session.scalar(select(User).where(User.lunch_guest_event_id == event.id))
    answers_seen = set()
    for email in ("owner@example.org", "nobody@example.org", stand_in.email):
        response = client.post("/auth/forgot-password", data={"email": email})
        answers_seen.add((response.status_code, without_csrf_tokens(response.get_data(as_text=True))))
    assert len(answers_seen) == 1 and next(iter(answers_seen))[0] == 200
    resets = db.session.scalars(select(Message.to_email).where(Message.kind == kinds.ACCOUNT_RECOVERY)).all()
    assert resets == ["owner@example.org"]
