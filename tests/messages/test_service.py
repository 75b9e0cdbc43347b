"""Messages: queued in the transaction of the change, delivered to a real SMTP server
(aiosmtpd on 127.0.0.1), with retries, an idempotency key, preferences and unsubscribe."""

import time
from datetime import timedelta
from urllib.parse import urlsplit

import icalendar
import pytest
from sqlalchemy import select

from organizer.database import transaction, writing
from organizer.events import service as events
from organizer.extensions import db
from organizer.messages import delivery, kinds, periodic
from organizer.messages.service import queue_message, set_preference
from organizer.models import EventStatus, Message, MessageStatus, RsvpState, utcnow
from organizer.timezones import to_local
from tests.event_factories import make_event, make_pairing_run, make_rsvp
from tests.factories import make_group, make_member, make_user
from tests.mail_server import MailServer, attachment_bytes, body


@pytest.fixture
def smtp(app):
    server = MailServer().start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port)
    yield server
    server.stop()
    app.config.update(MAIL_SERVER=None, MAIL_PORT=25)


def messages(**where) -> list[Message]:
    query = select(Message).order_by(Message.id)
    for name, value in where.items():
        query = query.where(getattr(Message, name) == value)
    return list(db.session.scalars(query))


def calendar_of(parsed) -> icalendar.Calendar:
    files = attachment_bytes(parsed)
    assert len(files) == 1, "one calendar file attached"
    return icalendar.Calendar.from_ical(files[0])


def vevent(calendar):
    return next(c for c in calendar.walk("VEVENT"))


def group_with_members(n=2, **group_fields):
    organizer = make_user(name="Olga Organizer", email="olga@example.org")
    group = make_group(organizer=organizer, name="Lunch Club", **group_fields)
    members = [make_member(group, name=f"Member {i}", email=f"m{i}@example.org") for i in range(n)]
    return group, organizer, members


def open_event(group, **fields):
    event = make_event(group, status=EventStatus.DRAFT, **fields)
    with writing():
        events.open_for_rsvp(event)
    return event


# --- the announcement, its calendar file, changes and the cancellation ------------------------

def test_an_announcement_reaches_every_member_with_rsvp_buttons_and_the_calendar_file(app, smtp):
    group, organizer, members = group_with_members()
    event = open_event(group, title="December lunch")
    assert len(messages(kind=kinds.EVENT_ANNOUNCEMENT)) == 3   # queued with the change, not sent yet
    assert smtp.received == []

    done = delivery.deliver_due()

    assert done.sent == 3
    assert sorted(r for _, rcpts, _ in smtp.received for r in rcpts) == sorted(
        ["olga@example.org", "m0@example.org", "m1@example.org"])
    parsed = smtp.recorder.to("m0@example.org")[0]
    assert parsed["To"] == "Member 0 <m0@example.org>"
    assert "December lunch" in parsed["Subject"] and "Lunch Club" in parsed["Subject"]
    assert parsed["List-Unsubscribe"].strip().startswith("<http://localhost/m/unsubscribe/")
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert parsed["Message-ID"].endswith("@localhost>")
    text, html = body(parsed, "plain"), body(parsed, "html")
    assert "http://localhost/m/rsvp/" in text and "http://localhost/m/rsvp/" in html
    assert f"http://localhost/groups/{group.slug}/events/{event.id}/" in text
    calendar = calendar_of(parsed)
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(vevent(calendar)["UID"]) == f"event-{event.id}@localhost"
    assert all(m.status == MessageStatus.SENT for m in messages())


def test_a_change_keeps_the_calendar_uid_and_raises_its_sequence_and_a_cancellation_cancels_it(app, smtp):
    group, organizer, (member, other) = group_with_members()
    event = open_event(group, title="Lunch", created_at=utcnow() - timedelta(hours=1))
    make_rsvp(event, member)
    delivery.deliver_due()
    first = vevent(calendar_of(smtp.recorder.to(member.email)[0]))

    time.sleep(1.1)  # SEQUENCE counts the seconds since the event was created (events.exports)
    later = to_local(event.starts_at + timedelta(hours=2), group.time_zone)
    with writing():
        events.update_event(event, events.EventDetails(title="Lunch", starts_at=later, venue_name="Chez Marie"),
                            utcnow())
    delivery.deliver_due()
    changed = [m for m in smtp.recorder.to(member.email) if m["Subject"].startswith("Changed")]
    assert len(changed) == 1
    assert smtp.recorder.to(other.email)[1:] == []  # did not answer: not told about the change
    second = vevent(calendar_of(changed[0]))
    assert second["UID"] == first["UID"]
    assert int(second["SEQUENCE"]) > int(first["SEQUENCE"])
    assert "Chez Marie" in body(changed[0], "plain")

    time.sleep(1.1)
    with writing():
        events.cancel_event(event)
    delivery.deliver_due()
    cancelled = [m for m in smtp.recorder.to(member.email) if m["Subject"].startswith("Cancelled")]
    assert len(cancelled) == 1
    calendar = calendar_of(cancelled[0])
    assert str(calendar["METHOD"]) == "CANCEL"
    third = vevent(calendar)
    assert third["UID"] == first["UID"] and int(third["SEQUENCE"]) > int(second["SEQUENCE"])
    assert str(third["STATUS"]) == "CANCELLED"


def test_an_edit_that_changes_nothing_a_member_sees_sends_nothing(app):
    group, _, (member, _) = group_with_members()
    event = open_event(group, title="Lunch")
    make_rsvp(event, member)
    same = events.EventDetails(title="Lunch", starts_at=to_local(event.starts_at, group.time_zone),
                               ends_at=to_local(event.ends_at, group.time_zone))
    with writing():
        events.update_event(event, same, utcnow())
    with writing():
        events.update_event(event, same, utcnow())
    assert len(messages(kind=kinds.EVENT_UPDATE)) <= 1


def test_a_member_moved_up_from_the_waitlist_is_told(app, smtp):
    group, _, (first, second) = group_with_members()
    event = make_event(group, capacity=1)
    make_rsvp(event, first)
    make_rsvp(event, second, RsvpState.WAITLISTED)
    with writing():
        events.answer(event, first, False, utcnow())
    delivery.deliver_due()
    told = smtp.recorder.to(second.email)
    assert len(told) == 1 and told[0]["Subject"].startswith("You have a seat")
    assert smtp.recorder.to(first.email) == []


# --- safety -------------------------------------------------------------------------------------

def test_no_header_injection_from_a_title_or_a_name_and_html_is_escaped(app, smtp):
    organizer = make_user(name="Olga", email="olga@example.org")
    group = make_group(organizer=organizer, name="Club\r\nBcc: thief@example.net")
    make_member(group, name="Eve\r\nBcc: thief@example.net", email="eve@example.org")
    open_event(group, title="Lunch\r\nBcc: thief@example.net <script>alert(1)</script>")
    delivery.deliver_due()
    assert smtp.received, "the messages went"
    for _, rcpts, parsed in smtp.received:
        assert rcpts in (["olga@example.org"], ["eve@example.org"])
        assert parsed["Bcc"] is None
        assert "\n" not in parsed["Subject"] and "\r" not in parsed["Subject"]
        html = body(parsed, "html")
        assert "<script>" not in html and "&lt;script&gt;" in html


def test_a_lunch_guest_stand_in_gets_no_mail(app):
    group, _, _ = group_with_members(0)
    make_user(name="Has An Account", email="someone@example.org")   # not in the group: a stand-in sits
    event = open_event(group)
    with writing():
        events.add_walk_in_guest(event, "Guest", "someone@example.org", utcnow())
    assert [(m.to_email, m.kind) for m in messages()] == [
        ("olga@example.org", kinds.EVENT_ANNOUNCEMENT), ("someone@example.org", kinds.INVITATION)]


def test_at_most_messages_per_day_per_member(app):
    app.config["MESSAGES_PER_DAY"] = 2
    try:
        group, _, (member, _) = group_with_members()
        for n in range(4):
            open_event(group, title=f"Lunch {n}", starts_in=timedelta(days=3 + n))
        assert len(messages(user_id=member.id)) == 2
    finally:
        app.config["MESSAGES_PER_DAY"] = 10


def test_the_same_idempotency_key_is_queued_once(app):
    group, _, (member, _) = group_with_members()
    now = utcnow()
    with transaction():
        first = queue_message(kinds.EVENT_REMINDER, member, group, "Hello", "event_reminder",
                              {"event": make_event(group), "when": "soon", "event_url": "http://localhost/"},
                              dedupe_key="test:1", now=now)
    with transaction():
        again = queue_message(kinds.EVENT_REMINDER, member, group, "Hello", "event_reminder",
                              {"event": first.group, "when": "soon", "event_url": "x"}, dedupe_key="test:1", now=now)
    assert first is not None and again is None
    assert len(messages(dedupe_key="test:1")) == 1


# --- delivery: the server down, a worker killed -----------------------------------------------

def test_with_the_server_down_nothing_is_lost_and_each_message_arrives_once_when_it_is_back(app, smtp):
    group, _, members = group_with_members(3)
    smtp.stop()
    open_event(group)
    queued = messages()
    assert len(queued) == 4

    first = delivery.deliver_due()
    assert first.retried == 4 and first.sent == 0
    for message in messages():
        assert message.status == MessageStatus.QUEUED and message.attempts == 1
        assert "Connection refused" in message.last_error or "Errno" in message.last_error
    assert delivery.deliver_due().total == 0  # the back-off: not due again at once

    smtp.start()
    later = utcnow() + timedelta(seconds=app.config["OUTBOX_RETRY_BASE_S"] + 1)
    assert delivery.deliver_due(later).sent == 4
    assert delivery.deliver_due(later + timedelta(hours=2)).total == 0
    addresses = sorted(r for _, rcpts, _ in smtp.received for r in rcpts)
    assert addresses == sorted(m.to_email for m in queued)   # each exactly once
    assert all(m.status == MessageStatus.SENT and m.attempts == 2 for m in messages())


def test_a_message_fails_after_the_last_try_with_its_error(app, smtp, runner):
    app.config["OUTBOX_MAX_ATTEMPTS"] = 2
    try:
        group, _, _ = group_with_members(0)
        smtp.stop()
        open_event(group)
        now = utcnow()
        delivery.deliver_due(now)
        delivery.deliver_due(now + timedelta(hours=1))
        (message,) = messages()
        assert message.status == MessageStatus.FAILED and message.attempts == 2 and message.last_error
        result = runner.invoke(args=["outbox", group.slug, "--failed"])
        assert result.exit_code == 0
        assert "failed" in result.output and "olga@example.org" in result.output and "error:" in result.output
    finally:
        app.config["OUTBOX_MAX_ATTEMPTS"] = 6


def test_a_worker_killed_mid_batch_loses_nothing_and_doubles_nothing(app, smtp, tmp_path):
    """`send-outbox --once` in its own process, killed (SIGKILL) while the server holds the
    third message; another run after the claim expires sends the rest, each once."""
    import os
    import signal
    import subprocess
    import sys

    group, _, members = group_with_members(5)
    open_event(group)
    db.session.commit()
    addresses = sorted(m.to_email for m in messages())
    assert len(addresses) == 6
    smtp.recorder.hold_at = 3
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "MAIL_SERVER": "127.0.0.1",
           "MAIL_PORT": str(smtp.port), "SECRET_KEY": app.config["SECRET_KEY"], "BASE_URL": "http://localhost",
           "GIVEFIRST_INSTANCE_PATH": str(tmp_path), "OUTBOX_CLAIM_S": "300"}
    worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "send-outbox", "--once"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert smtp.recorder.holding.wait(60), "the worker never reached the third message"
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(10)
    finally:
        smtp.recorder.release.set()
        if worker.poll() is None:
            worker.kill()
    db.session.rollback()
    assert len(smtp.received) == 2
    assert sorted(m.status for m in messages()) == ["sending"] * 4 + ["sent"] * 2

    assert delivery.deliver_due().total == 0   # the dead worker's claim holds until it expires
    done = delivery.deliver_due(utcnow() + timedelta(seconds=301))
    assert done.sent == 4
    assert sorted(r for _, rcpts, _ in smtp.received for r in rcpts) == addresses
    assert all(m.status == MessageStatus.SENT for m in messages())


def test_without_a_mail_server_messages_are_kept_for_the_outbox_page(app, runner):
    group, _, _ = group_with_members(1)
    open_event(group, title="Kept lunch")
    result = runner.invoke(args=["send-outbox", "--once"])
    assert result.exit_code == 0, result.output
    assert "kept 2" in result.output
    assert {m.status for m in messages()} == {MessageStatus.KEPT}
    listing = runner.invoke(args=["outbox", group.slug])
    assert listing.exit_code == 0 and "Kept lunch" in listing.output and "kept" in listing.output
    assert runner.invoke(args=["outbox", "no-such-group"]).exit_code != 0


# --- preferences and unsubscribe ----------------------------------------------------------------

def test_the_unsubscribe_link_works_without_login_and_stops_that_kind(app, client, smtp):
    group, _, (member, _) = group_with_members()
    open_event(group, title="First")
    delivery.deliver_due()
    link = smtp.recorder.to(member.email)[0]["List-Unsubscribe"].strip().strip("<>")
    path = urlsplit(link).path

    page = client.get(path)
    assert page.status_code == 200 and b"Unsubscribe" in page.data
    assert client.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200  # RFC 8058, no login

    open_event(group, title="Second")
    assert [m.subject for m in messages(user_id=member.id)] == [messages(user_id=member.id)[0].subject]
    assert "First" in messages(user_id=member.id)[0].subject
    assert client.post(path[:-3] + "xyz").status_code == 404  # an altered link does nothing


def test_a_member_turns_a_kind_off_on_the_preferences_page(app, client, auth):
    group, _, (member, _) = group_with_members()
    auth.login(member.email)
    page = client.get(f"/groups/{group.slug}/messages/preferences")
    assert page.status_code == 200 and b"Password reset" not in page.data
    fields = {f"kind_{k.name}": "y" for k in kinds.choosable() if k.name != kinds.EVENT_ANNOUNCEMENT}
    assert client.post(f"/groups/{group.slug}/messages/preferences", data=fields).status_code == 302
    open_event(group)
    assert messages(user_id=member.id) == []


def test_security_messages_cannot_be_turned_off(app):
    group, _, (member, _) = group_with_members()
    with transaction():
        set_preference(member.id, group.id, kinds.ACCOUNT_RECOVERY, False, utcnow())
    from organizer.messages.service import wants
    assert wants(member.id, group.id, kinds.ACCOUNT_RECOVERY)


# --- reminders ----------------------------------------------------------------------------------

def test_a_reminder_goes_once_to_those_who_said_yes(app):
    group, _, (going, declined) = group_with_members()
    event = make_event(group, starts_in=timedelta(hours=10))
    make_rsvp(event, going)
    make_rsvp(event, declined, RsvpState.DECLINED)
    far = make_event(group, starts_in=timedelta(days=5))
    make_rsvp(far, going)
    now = utcnow()
    assert periodic.queue_timed(now) == 1
    assert periodic.queue_timed(now + timedelta(minutes=5)) == 0
    (reminder,) = messages(kind=kinds.EVENT_REMINDER)
    assert reminder.user_id == going.id and event.title in reminder.subject


# --- the outbox page ----------------------------------------------------------------------------

def test_the_outbox_page_shows_organizers_the_messages_without_personal_links(app, client, auth):
    group, organizer, (member, _) = group_with_members()
    open_event(group, title="Outbox lunch")
    auth.login(member.email)
    assert client.get(f"/groups/{group.slug}/outbox").status_code == 403
    auth.logout()
    auth.login(organizer.email)
    page = client.get(f"/groups/{group.slug}/outbox").get_data(as_text=True)
    assert "Outbox lunch" in page and member.email in page
    assert "/m/rsvp/" not in page and "/m/unsubscribe/" not in page
    assert "personal link" in page


# --- pairing: "your lunch partner is ready", "your table changed" ------------------------------

def unpublished_run(event, version, *tables):
    return make_pairing_run(event, version, tables)


def publish(run):
    from organizer.pairing import publishing

    with writing():
        publishing.publish(run, utcnow(), confirm_changed=True)


def test_publishing_tells_each_seated_member_their_partner_with_only_what_they_may_see(app, smtp):
    from tests.factories import make_need

    group, organizer, (ann, bob, cleo, dan) = group_with_members(4)
    event = make_event(group, title="Pairs lunch")
    make_need(group, bob, title="A publisher for my novel", visibility="group")
    make_need(group, bob, title="Quiet search for a new job", visibility="partner")
    make_need(group, bob, title="Something only organizers see", visibility="organizers")
    publish(unpublished_run(event, 1, (ann, bob), (cleo, dan)))
    delivery.deliver_due()

    (to_ann,) = smtp.recorder.to(ann.email)
    assert to_ann["Subject"].startswith("Your lunch partner is ready")
    text = body(to_ann, "plain")
    assert "Member 1" in text and "A publisher for my novel" in text and "Quiet search for a new job" in text
    assert "only organizers see" not in text and "only organizers see" not in body(to_ann, "html")
    assert f"/groups/{group.slug}/events/{event.id}/pairing/mine" in text
    assert smtp.recorder.to(organizer.email) == []          # not seated: nothing to tell
    assert len(smtp.received) == 4
    first_entry = vevent(calendar_of(to_ann))

    publish(unpublished_run(event, 2, (ann, bob), (cleo, dan)))   # same tables: nobody is told
    assert messages(kind=kinds.TABLE_CHANGED) == []
    time.sleep(1.1)  # the lunch entry's SEQUENCE counts seconds (pairing.sheets.member_ics)
    publish(unpublished_run(event, 3, (ann, cleo), (bob, dan)))
    delivery.deliver_due()
    changed = [m for m in smtp.recorder.to(ann.email) if m["Subject"].startswith("Your table changed")]
    assert len(changed) == 1 and "Member 2" in body(changed[0], "plain")
    entry = vevent(calendar_of(changed[0]))
    assert entry["UID"] == first_entry["UID"] and int(entry["SEQUENCE"]) > int(first_entry["SEQUENCE"])
    assert len(messages(kind=kinds.TABLE_CHANGED)) == 4


def test_pair_publish_on_the_command_line_queues_the_same_messages(app, runner):
    group, _, members = group_with_members(4)
    event = make_event(group, title="CLI lunch")
    for user in members:
        make_rsvp(event, user)
    result = runner.invoke(args=["pair", str(event.id), "--publish", "--source", "going"])
    assert result.exit_code == 0, result.output
    told = messages(kind=kinds.PARTNER_READY)
    assert sorted(m.user_id for m in told) == sorted(u.id for u in members)
