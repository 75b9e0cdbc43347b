"""Messages: the RSVP buttons, the weekly digest, members who leave, workers side by side."""

import threading
from datetime import timedelta

from sqlalchemy import select

from organizer.database import transaction, writing
from organizer.extensions import db
from organizer.groups import service as groups
from organizer.messages import delivery, kinds, links, periodic
from organizer.messages.service import set_preference
from organizer.models import Message, MessageStatus, Rsvp, RsvpState, utcnow
from tests.event_factories import make_event, make_rsvp
from tests.factories import make_need
from tests.messages.test_service import group_with_members, messages, open_event, smtp  # noqa: F401 (fixture)


def rsvp_path(event, user, answer):
    return f"/m/rsvp/{links.sign(links.RSVP, [event.id, user.id, answer])}"


def test_the_rsvp_button_answers_only_when_its_page_is_confirmed_without_login(app, client):
    group, _, (member, _) = group_with_members()
    event = open_event(group, title="Button lunch")
    (announcement,) = messages(user_id=member.id)
    path = "/m/rsvp/" + announcement.body_text.split("/m/rsvp/")[1].split()[0]   # the "yes" link
    page = client.get(path)
    assert page.status_code == 200 and b"Button lunch" in page.data
    assert db.session.scalar(select(Rsvp).where(Rsvp.user_id == member.id)) is None  # opening it answers nothing
    assert client.post(path).status_code == 200
    assert db.session.scalar(select(Rsvp.state).where(Rsvp.user_id == member.id)) == RsvpState.GOING
    assert client.post(rsvp_path(event, member, "no")).status_code == 200
    assert db.session.scalar(select(Rsvp.state).where(Rsvp.user_id == member.id)) == RsvpState.DECLINED


def test_a_forged_or_stale_rsvp_link_does_nothing(app, client):
    group, _, (member, other) = group_with_members()
    event = open_event(group)
    assert client.post(rsvp_path(event, member, "yes")[:-2] + "xx").status_code == 404
    with writing():
        groups.remove_member(group, other.id, leaving=True)
    assert client.get(rsvp_path(event, other, "yes")).status_code == 404   # no longer a member
    assert db.session.scalar(select(Rsvp)) is None


def test_the_weekly_digest_lists_new_needs_every_member_may_see_to_those_who_asked(app):
    group, _, (reader, writer) = group_with_members()
    make_need(group, writer, title="A mentor in nursing", visibility="group")
    make_need(group, writer, title="A quiet job search", visibility="partner")
    make_need(group, writer, title="Only for organizers", visibility="organizers")
    make_need(group, reader, title="My own need", visibility="group")
    now = utcnow()
    assert periodic.queue_timed(now) == 0          # off unless asked for
    with transaction():
        set_preference(reader.id, group.id, kinds.WEEKLY_DIGEST, True, now)
    assert periodic.queue_timed(now) == 1
    assert periodic.queue_timed(now + timedelta(minutes=1)) == 0   # once a week
    (digest,) = messages(kind=kinds.WEEKLY_DIGEST)
    assert digest.user_id == reader.id
    assert "A mentor in nursing" in digest.body_text and "A mentor in nursing" in digest.body_html
    for hidden in ("A quiet job search", "Only for organizers", "My own need"):
        assert hidden not in digest.body_text and hidden not in digest.body_html
    assert f"/groups/{group.slug}/members/me" in digest.body_text            # say how I can help
    assert f"/groups/{group.slug}/members/{writer.id}" in digest.body_text   # who asked


def test_a_member_who_leaves_gets_nothing_more_that_was_waiting(app):
    group, _, (member, _) = group_with_members()
    open_event(group)
    with writing():
        groups.remove_member(group, member.id, leaving=True)
    (message,) = messages(user_id=member.id)
    assert message.status == MessageStatus.CANCELLED
    assert delivery.deliver_due().kept == 2   # the two others; not the one who left


def test_two_workers_at_once_send_each_message_once(app, smtp):  # noqa: F811
    group, _, _ = group_with_members(11)
    open_event(group)
    db.session.commit()
    results = []

    def work():
        with app.app_context():
            results.append(delivery.deliver_due())
            db.session.remove()

    workers = [threading.Thread(target=work) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert sum(r.sent for r in results) == 12
    addresses = [r for _, rcpts, _ in smtp.received for r in rcpts]
    assert len(addresses) == 12 and len(set(addresses)) == 12
    assert {m.status for m in db.session.scalars(select(Message))} == {MessageStatus.SENT}


def test_an_rsvp_reminder_is_not_sent_for_a_cancelled_lunch(app):
    group, _, (member, _) = group_with_members()
    event = make_event(group, starts_in=timedelta(hours=3))
    make_rsvp(event, member)
    with writing():
        from organizer.events import service as events
        events.cancel_event(event)
    assert periodic.queue_timed(utcnow()) == 0


def test_a_change_made_on_the_site_is_delivered_by_the_web_process_thread(app, client, auth):
    from organizer.messages import jobs
    from organizer.models import EventStatus

    group, organizer, _ = group_with_members(2)
    event = make_event(group, status=EventStatus.DRAFT)
    auth.login(organizer.email)
    app.config["OUTBOX_AUTOSEND"] = True
    try:
        assert client.post(f"/groups/{group.slug}/events/{event.id}/open").status_code == 302
        for _ in range(100):
            db.session.rollback()
            if {m.status for m in messages()} == {MessageStatus.KEPT}:
                break
            threading.Event().wait(0.1)
    finally:
        app.config["OUTBOX_AUTOSEND"] = False
        jobs.stop_thread()
    assert len(messages()) == 3 and {m.status for m in messages()} == {MessageStatus.KEPT}


def test_with_redis_the_delivery_is_an_rq_job(app, client, auth):
    from rq import SimpleWorker

    from organizer.messages import jobs
    from organizer.models import EventStatus
    from tests.conftest import redis_url_or_skip

    url = redis_url_or_skip(13)
    queue = jobs.queue(url)
    queue.empty()
    group, organizer, _ = group_with_members(1)
    event = make_event(group, status=EventStatus.DRAFT)
    auth.login(organizer.email)
    app.config.update(OUTBOX_AUTOSEND=True, REDIS_URL=url)
    jobs.worker_app = app
    try:
        assert client.post(f"/groups/{group.slug}/events/{event.id}/open").status_code == 302
        assert queue.count == 1, [j.func_name for j in queue.jobs]
        assert {m.status for m in messages()} == {MessageStatus.QUEUED}
        db.session.commit()  # end this read, so that what the worker writes is seen afterwards
        SimpleWorker([queue], connection=queue.connection).work(burst=True)
    finally:
        app.config.update(OUTBOX_AUTOSEND=False, REDIS_URL=None)
        jobs.worker_app = None
    db.session.expire_all()
    assert {m.status for m in messages()} == {MessageStatus.KEPT} and len(messages()) == 2


def test_a_cancellation_also_takes_the_published_lunch_out_of_calendars(app, smtp):  # noqa: F811
    import icalendar

    from organizer.events import service as events
    from tests.mail_server import attachment_bytes
    from tests.messages.test_service import publish, unpublished_run

    group, _, (ann, bob) = group_with_members(2)
    event = make_event(group, title="Seated lunch", created_at=utcnow() - timedelta(hours=1))
    make_rsvp(event, ann)
    make_rsvp(event, bob)
    publish(unpublished_run(event, 1, (ann, bob)))
    delivery.deliver_due()
    (ready,) = smtp.recorder.to(ann.email)
    lunch = next(icalendar.Calendar.from_ical(b).walk("VEVENT")[0] for b in attachment_bytes(ready))
    threading.Event().wait(1.1)  # SEQUENCE counts seconds
    with writing():
        events.cancel_event(event)
    delivery.deliver_due()
    cancelled = [m for m in smtp.recorder.to(ann.email) if m["Subject"].startswith("Cancelled")][0]
    calendars = [icalendar.Calendar.from_ical(b) for b in attachment_bytes(cancelled)]
    assert len(calendars) == 2 and {str(c["METHOD"]) for c in calendars} == {"CANCEL"}
    entry = next(c.walk("VEVENT")[0] for c in calendars if c.walk("VEVENT")[0]["UID"] == lunch["UID"])
    assert int(entry["SEQUENCE"]) > int(lunch["SEQUENCE"]) and str(entry["STATUS"]) == "CANCELLED"
