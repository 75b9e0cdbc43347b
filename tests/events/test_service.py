"""The events service: times in the group's zone, answers with capacity and a waitlist, the door."""

from datetime import UTC, datetime, timedelta

import pytest

from organizer.errors import ActionRefused
from organizer.events import service
from organizer.events.service import EventDetails
from organizer.extensions import db
from organizer.models import EventStatus, Rsvp, RsvpState, User, utcnow
from tests.event_factories import make_event, make_rsvp
from tests.factories import make_group, make_member, make_user, membership_of

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def details(**overrides) -> EventDetails:
    values = {"title": "Lunch", "starts_at": datetime(2026, 12, 3, 12, 0)}
    values.update(overrides)
    return EventDetails(**values)


# --- Times ---------------------------------------------------------------------------------

def test_start_is_read_in_the_groups_time_zone_and_stored_in_utc(app):
    group = make_group(time_zone="America/Toronto")
    event = service.create_event(group, details(), NOW)
    assert event.starts_at == datetime(2026, 12, 3, 17, 0, tzinfo=UTC)  # EST is UTC-5


def test_summer_start_uses_daylight_time(app):
    group = make_group(time_zone="America/Toronto")
    event = service.create_event(group, details(starts_at=datetime(2026, 7, 9, 12, 0)), NOW)
    assert event.starts_at == datetime(2026, 7, 9, 16, 0, tzinfo=UTC)  # EDT is UTC-4


def test_end_defaults_to_ninety_minutes_after_the_start(app):
    event = service.create_event(make_group(), details(), NOW)
    assert event.ends_at - event.starts_at == timedelta(minutes=90)


def test_a_time_the_clocks_skip_is_refused_with_a_clear_message(app):
    group = make_group(time_zone="America/Toronto")
    with pytest.raises(ActionRefused, match="does not exist.*clocks go forward"):
        service.create_event(group, details(starts_at=datetime(2026, 3, 8, 2, 30)), NOW)


def test_a_time_the_clocks_show_twice_is_refused_with_a_clear_message(app):
    group = make_group(time_zone="America/Toronto")
    with pytest.raises(ActionRefused, match="happens twice.*clocks go back"):
        service.create_event(group, details(starts_at=datetime(2026, 11, 1, 1, 30)), NOW)


def test_an_event_across_the_dst_change_keeps_its_wall_clock_end(app):
    group = make_group(time_zone="Europe/Berlin")
    event = service.create_event(
        group, details(starts_at=datetime(2026, 10, 24, 23, 0), ends_at=datetime(2026, 10, 25, 4, 0)), NOW
    )
    assert event.ends_at - event.starts_at == timedelta(hours=6)  # 5 wall-clock hours plus the hour gained


def test_an_end_before_the_start_is_refused(app):
    with pytest.raises(ActionRefused, match="end after it starts"):
        service.create_event(make_group(), details(ends_at=datetime(2026, 12, 3, 11, 0)), NOW)


def test_a_deadline_after_the_start_is_refused(app):
    with pytest.raises(ActionRefused, match="no later than the start"):
        service.create_event(make_group(), details(rsvp_deadline=datetime(2026, 12, 3, 13, 0)), NOW)


def test_a_start_in_the_past_is_refused(app):
    with pytest.raises(ActionRefused, match="in the past"):
        service.create_event(make_group(), details(starts_at=datetime(2026, 5, 1, 12, 0)), NOW)


@pytest.mark.parametrize("rounds", [0, 7])
def test_rounds_outside_one_to_six_are_refused(app, rounds):
    with pytest.raises(ActionRefused, match="1 to 6"):
        service.create_event(make_group(), details(rounds=rounds), NOW)


def test_a_blank_title_is_refused(app):
    with pytest.raises(ActionRefused, match="needs a title"):
        service.create_event(make_group(), details(title="   "), NOW)


def test_a_new_event_is_open_for_rsvp_by_default(app):
    assert service.create_event(make_group(), details(), NOW).status == EventStatus.OPEN


# --- Answers, capacity, waitlist ------------------------------------------------------------

def test_yes_takes_a_seat_while_seats_are_free(app):
    group = make_group()
    event = make_event(group, capacity=2)
    rsvp = service.answer(event, make_member(group), True, utcnow())
    assert rsvp.state == RsvpState.GOING


def test_yes_to_a_full_event_goes_onto_the_waitlist(app):
    group = make_group()
    event = make_event(group, capacity=1)
    service.answer(event, make_member(group), True, utcnow())
    rsvp = service.answer(event, make_member(group), True, utcnow())
    assert rsvp.state == RsvpState.WAITLISTED
    assert service.waitlist_position(rsvp) == 1


def test_an_event_without_capacity_never_waitlists(app):
    group = make_group()
    event = make_event(group, capacity=None)
    states = {service.answer(event, make_member(group), True, utcnow()).state for _ in range(5)}
    assert states == {RsvpState.GOING}


def test_when_someone_withdraws_the_first_on_the_waitlist_moves_up(app):
    group = make_group()
    event = make_event(group, capacity=1)
    first, second, third = make_member(group), make_member(group), make_member(group)
    t = utcnow()
    service.answer(event, first, True, t)
    service.answer(event, second, True, t + timedelta(seconds=1))
    service.answer(event, third, True, t + timedelta(seconds=2))
    service.answer(event, first, False, t + timedelta(seconds=3))
    assert service.rsvp_of(event.id, second.id).state == RsvpState.GOING
    assert service.rsvp_of(event.id, second.id).promoted_at is not None
    assert service.rsvp_of(event.id, third.id).state == RsvpState.WAITLISTED


def test_leaving_the_waitlist_frees_no_seat_and_moves_the_next_forward(app):
    group = make_group()
    event = make_event(group, capacity=1)
    seated, waiting, next_in_line = make_member(group), make_member(group), make_member(group)
    t = utcnow()
    service.answer(event, seated, True, t)
    service.answer(event, waiting, True, t + timedelta(seconds=1))
    service.answer(event, next_in_line, True, t + timedelta(seconds=2))
    service.answer(event, waiting, False, t + timedelta(seconds=3))
    assert service.rsvp_of(event.id, seated.id).state == RsvpState.GOING
    assert service.waitlist_position(service.rsvp_of(event.id, next_in_line.id)) == 1


def test_answering_yes_again_keeps_the_place_on_the_waitlist(app):
    group = make_group()
    event = make_event(group, capacity=1)
    t = utcnow()
    service.answer(event, make_member(group), True, t)
    early, late = make_member(group), make_member(group)
    service.answer(event, early, True, t + timedelta(seconds=1))
    service.answer(event, late, True, t + timedelta(seconds=2))
    service.answer(event, early, True, t + timedelta(seconds=3))
    assert service.waitlist_position(service.rsvp_of(event.id, early.id)) == 1


def test_changing_back_to_yes_joins_the_end_of_the_waitlist(app):
    group = make_group()
    event = make_event(group, capacity=1)
    t = utcnow()
    first, second = make_member(group), make_member(group)
    service.answer(event, first, True, t)
    service.answer(event, second, True, t + timedelta(seconds=1))
    service.answer(event, first, False, t + timedelta(seconds=2))
    again = service.answer(event, first, True, t + timedelta(seconds=3))
    assert again.state == RsvpState.WAITLISTED


def test_raising_the_capacity_moves_people_up_in_order(app):
    group = make_group()
    event = make_event(group, capacity=1, starts_at=datetime(2026, 12, 3, 17, 0, tzinfo=UTC))
    t = utcnow()
    users = [make_member(group) for _ in range(4)]
    for i, user in enumerate(users):
        service.answer(event, user, True, t + timedelta(seconds=i))
    service.update_event(event, details(capacity=3), t)
    states = [service.rsvp_of(event.id, u.id).state for u in users]
    assert states == [RsvpState.GOING, RsvpState.GOING, RsvpState.GOING, RsvpState.WAITLISTED]


def test_capacity_cannot_drop_below_the_seats_already_taken(app):
    group = make_group()
    event = make_event(group, capacity=5)
    for _ in range(3):
        service.answer(event, make_member(group), True, utcnow())
    with pytest.raises(ActionRefused, match="cannot be less than 3"):
        service.update_event(event, details(capacity=2), NOW)


def test_answers_are_refused_after_the_deadline(app):
    group = make_group()
    event = make_event(group, rsvp_deadline=utcnow() - timedelta(minutes=1))
    with pytest.raises(ActionRefused, match="Answers closed"):
        service.answer(event, make_member(group), True, utcnow())


def test_a_cancelled_event_takes_no_answers(app):
    group = make_group()
    event = make_event(group, status=EventStatus.CANCELLED)
    with pytest.raises(ActionRefused, match="cancelled"):
        service.answer(event, make_member(group), True, utcnow())


def test_a_draft_takes_no_answers(app):
    group = make_group()
    event = make_event(group, status=EventStatus.DRAFT)
    with pytest.raises(ActionRefused, match="not open"):
        service.answer(event, make_member(group), True, utcnow())


def test_a_promotion_is_acknowledged_once(app):
    group = make_group()
    event = make_event(group, capacity=1)
    seated, waiting = make_member(group), make_member(group)
    t = utcnow()
    service.answer(event, seated, True, t)
    service.answer(event, waiting, True, t + timedelta(seconds=1))
    service.answer(event, seated, False, t + timedelta(seconds=2))
    assert [e.id for e in service.acknowledge_promotions(waiting.id, group.id, utcnow())] == [event.id]
    assert service.acknowledge_promotions(waiting.id, group.id, utcnow()) == []


def test_answer_for_all_members_fills_seats_then_the_waitlist(app):
    group = make_group()
    for _ in range(4):
        make_member(group)
    event = make_event(group, capacity=3)
    assert service.answer_for_all_members(event, utcnow()) == (3, 2)  # the organizer is a member too


# --- The door -------------------------------------------------------------------------------

def test_check_in_marks_the_time(app):
    group = make_group()
    event = make_event(group)
    user = make_member(group)
    make_rsvp(event, user)
    service.check_in(event, user.id, utcnow())
    assert service.rsvp_of(event.id, user.id).checked_in_at is not None


def test_undo_check_in_clears_it_and_keeps_the_seat(app):
    group = make_group()
    event = make_event(group)
    user = make_member(group)
    make_rsvp(event, user, checked_in=True)
    service.undo_check_in(event, user.id)
    rsvp = service.rsvp_of(event.id, user.id)
    assert rsvp.checked_in_at is None and rsvp.state == RsvpState.GOING


def test_someone_who_said_no_cannot_be_checked_in_only_added_as_walk_in(app):
    group = make_group()
    event = make_event(group)
    user = make_member(group)
    make_rsvp(event, user, RsvpState.DECLINED)
    with pytest.raises(ActionRefused, match="walk-in"):
        service.check_in(event, user.id, utcnow())


def test_a_member_walk_in_is_seated_and_checked_in_even_when_full(app):
    group = make_group()
    event = make_event(group, capacity=1)
    make_rsvp(event, make_member(group))
    user = make_member(group)
    service.add_walk_in(event, user.id, utcnow())
    rsvp = service.rsvp_of(event.id, user.id)
    assert (rsvp.state, rsvp.walk_in, rsvp.checked_in_at is not None) == (RsvpState.GOING, True, True)


def test_a_new_walk_in_gets_an_account_without_password_and_a_membership(app):
    group = make_group()
    event = make_event(group)
    name = service.add_walk_in_guest(event, "Nora Quinn", "Nora@Example.org", utcnow())
    user = db.session.query(User).filter_by(email="nora@example.org").one()
    assert name == "Nora Quinn" and user.password_hash is None and user.created_by_group_id == group.id
    assert membership_of(user, group) is not None
    assert service.rsvp_of(event.id, user.id).walk_in


def test_a_walk_in_with_an_existing_email_leaves_that_account_alone(app):
    # Issue 9: the existing account used to be added to the organizer's group.
    group = make_group()
    event = make_event(group)
    existing = make_user(name="Known Person", email="known@example.org")
    name = service.add_walk_in_guest(event, "Someone Else", "known@example.org", utcnow())
    assert name == "Someone Else"
    assert membership_of(existing, group) is None
    assert service.rsvp_of(event.id, existing.id) is None
    assert db.session.query(User).filter_by(email="known@example.org").count() == 1
    seated = [r for r in service.rsvps_of_event(event) if r.checked_in_at is not None]
    assert [(r.user.name, r.user.is_lunch_guest) for r in seated] == [("Someone Else", True)]


def test_undoing_a_walk_ins_check_in_removes_their_answer(app):
    group = make_group()
    event = make_event(group)
    user = make_member(group)
    service.add_walk_in(event, user.id, utcnow())
    service.undo_check_in(event, user.id)
    assert service.rsvp_of(event.id, user.id) is None


def test_no_check_in_at_a_cancelled_event(app):
    group = make_group()
    event = make_event(group)
    user = make_member(group)
    make_rsvp(event, user)
    service.cancel_event(event)
    with pytest.raises(ActionRefused, match="cancelled"):
        service.check_in(event, user.id, utcnow())


def test_counts_at_the_door(app):
    group = make_group()
    event = make_event(group)
    arrived, late, walked = make_member(group), make_member(group), make_member(group)
    make_rsvp(event, arrived, checked_in=True)
    make_rsvp(event, late)
    make_rsvp(event, make_member(group), RsvpState.WAITLISTED)
    service.add_walk_in(event, walked.id, utcnow())
    counts = service.attendance_counts(event)
    assert (counts.answered_yes, counts.checked_in, counts.walk_ins, counts.not_arrived, counts.waitlisted) == (2, 2, 1, 1, 1)


def test_door_list_search_matches_part_of_a_name_in_any_case(app):
    group = make_group()
    event = make_event(group)
    make_rsvp(event, make_member(group, name="Ann Lee"))
    make_rsvp(event, make_member(group, name="Bob Stone"))
    assert [r.user.name for r in service.door_list(event, "LEE")] == ["Ann Lee"]


# --- What the pairing feature reads -----------------------------------------------------------

def test_going_attendees_are_memberships_with_a_seat(app):
    group = make_group()
    event = make_event(group, capacity=1)
    going, waiting, declined = make_member(group, name="A"), make_member(group, name="B"), make_member(group, name="C")
    make_rsvp(event, going)
    make_rsvp(event, waiting, RsvpState.WAITLISTED)
    make_rsvp(event, declined, RsvpState.DECLINED)
    assert [m.user_id for m in service.going_attendees(event)] == [going.id]


def test_checked_in_attendees_include_walk_ins_and_not_the_absent(app):
    group = make_group()
    event = make_event(group)
    here, absent, walked = make_member(group, name="A"), make_member(group, name="B"), make_member(group, name="C")
    make_rsvp(event, here, checked_in=True)
    make_rsvp(event, absent)
    service.add_walk_in(event, walked.id, utcnow())
    assert [m.user_id for m in service.checked_in_attendees(event)] == [here.id, walked.id]


def test_a_member_who_left_the_group_is_not_an_attendee(app):
    from organizer.groups.service import remove_member

    group = make_group()
    event = make_event(group)
    user = make_member(group)
    make_rsvp(event, user)
    remove_member(group, user.id, leaving=True)
    assert service.going_attendees(event) == []
    assert db.session.query(Rsvp).count() == 1


def test_a_leaving_members_seat_goes_to_the_first_on_the_waitlist(app):
    group = make_group()
    event = make_event(group, capacity=1)
    leaving, waiting = make_member(group), make_member(group)
    t = utcnow()
    service.answer(event, leaving, True, t)
    service.answer(event, waiting, True, t + timedelta(seconds=1))
    assert service.release_seats(leaving.id, group.id, utcnow()) == 1
    db.session.commit()
    assert service.rsvp_of(event.id, leaving.id).state == RsvpState.DECLINED
    assert service.rsvp_of(event.id, waiting.id).state == RsvpState.GOING


def test_releasing_seats_leaves_past_events_alone(app):
    group = make_group()
    event = make_event(group, starts_in=timedelta(days=-3))
    user = make_member(group)
    make_rsvp(event, user, checked_in=True)
    assert service.release_seats(user.id, group.id, utcnow()) == 0


def test_anyone_checked_in_looks_at_this_events_check_ins_only(app):
    group = make_group()
    lunch, other = make_event(group, title="Lunch"), make_event(group, title="Other lunch")
    ann, bob = make_member(group), make_member(group)
    make_rsvp(lunch, ann)
    make_rsvp(other, bob, checked_in=True)
    assert not service.anyone_checked_in(lunch) and service.anyone_checked_in(other)
    make_rsvp(lunch, bob, checked_in=True)
    assert service.anyone_checked_in(lunch)
