"""`flask create-event`: prints only the new event's id; bad input gets one clear line."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from organizer.events import service
from organizer.extensions import db
from organizer.models import Event, EventStatus, Rsvp, RsvpState
from tests.factories import make_group, make_member


def invoke(runner, *args):
    return runner.invoke(args=["create-event", *args])


def test_create_event_prints_just_the_new_id(runner, app):
    group = make_group(time_zone="America/Toronto")
    result = invoke(runner, group.slug, "December lunch", "--starts-at", "2030-12-05T12:00")
    assert result.exit_code == 0, result.output
    event = db.session.scalar(select(Event))
    assert result.stdout == f"{event.id}\n"


def test_create_event_reads_the_start_in_the_groups_zone_with_defaults(runner, app):
    group = make_group(time_zone="Europe/Paris")
    invoke(runner, group.slug, "Lunch", "--starts-at", "2030-12-05T12:00")
    event = db.session.scalar(select(Event))
    assert event.starts_at == datetime(2030, 12, 5, 11, 0, tzinfo=UTC)
    assert event.ends_at - event.starts_at == timedelta(minutes=90)
    assert (event.status, event.rounds, event.capacity) == (EventStatus.OPEN, 1, None)


def test_create_event_takes_capacity_and_rounds(runner, app):
    group = make_group()
    invoke(runner, group.slug, "Lunch", "--starts-at", "2030-12-05T12:00", "--capacity", "20", "--rounds", "3")
    event = db.session.scalar(select(Event))
    assert (event.capacity, event.rounds) == (20, 3)


def test_all_members_attending_answers_yes_for_everyone_within_capacity(runner, app):
    group = make_group()
    for _ in range(5):
        make_member(group)
    result = invoke(runner, group.slug, "Lunch", "--starts-at", "2030-12-05T12:00", "--capacity", "4",
                    "--all-members-attending")
    assert result.exit_code == 0, result.output
    event = db.session.get(Event, int(result.stdout))
    states = sorted(r.state for r in db.session.scalars(select(Rsvp).where(Rsvp.event_id == event.id)))
    assert states.count(RsvpState.GOING) == 4 and states.count(RsvpState.WAITLISTED) == 2
    assert service.going_count(event.id) == 4


def test_an_unknown_group_is_one_line_and_a_failure(runner, app):
    result = invoke(runner, "no-such-group", "Lunch", "--starts-at", "2030-12-05T12:00")
    assert result.exit_code == 1
    assert result.output == "Error: No group with the short name 'no-such-group'.\n"


def test_a_malformed_start_is_one_line_and_a_failure(runner, app):
    group = make_group()
    result = invoke(runner, group.slug, "Lunch", "--starts-at", "December 3rd")
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and "--starts-at takes a date and time" in result.output
    assert db.session.scalar(select(Event)) is None


def test_a_non_number_capacity_is_one_line_and_a_failure(runner, app):
    group = make_group()
    result = invoke(runner, group.slug, "Lunch", "--starts-at", "2030-12-05T12:00", "--capacity", "lots")
    assert result.exit_code == 1 and result.output.count("\n") == 1
    assert "Traceback" not in result.output


def test_rounds_out_of_range_is_refused(runner, app):
    group = make_group()
    result = invoke(runner, group.slug, "Lunch", "--starts-at", "2030-12-05T12:00", "--rounds", "9")
    assert result.exit_code == 1 and "1 to 6 pairing rounds" in result.output


def test_a_skipped_local_time_is_refused(runner, app):
    group = make_group(time_zone="America/Toronto")
    result = invoke(runner, group.slug, "Lunch", "--starts-at", "2031-03-09T02:30")
    assert result.exit_code == 1 and "clocks go forward" in result.output
