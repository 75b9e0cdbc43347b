"""Events: what organizers do (create, edit, open, cancel, check in, walk-ins), what members
do (answer yes or no, with a capacity and a first-come waitlist), and the queries behind
the pages, the exports and the pairing feature.

Capacity under concurrency: every answer locks the event row before counting seats. On
SQLite a write request already holds the database's write lock (BEGIN IMMEDIATE, see
organizer.database); on PostgreSQL `SELECT ... FOR UPDATE` serialises answers to one event.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import Select, and_, bindparam, case, exists, func, select
from sqlalchemy.orm import contains_eager

from organizer import signals
from organizer.auth.service import create_user, normalize_email, user_by_email
from organizer.database import datetime_of_json, json_rows, read_rows, rows_of_json
from organizer.errors import ActionRefused
from organizer.extensions import db
from organizer.groups.memberships import add_member, invite_to_group, membership
from organizer.members.service import member_from_label
from organizer.models import Event, EventStatus, Group, Membership, Rsvp, RsvpState, User, utcnow
from organizer.paging import Page, counted_page, like_escape
from organizer.timezones import DAY_TIME_AND_ZONE, MAX_YEAR, MIN_YEAR, local_time, to_utc

DEFAULT_DURATION = timedelta(minutes=90)
MIN_ROUNDS, MAX_ROUNDS = 1, 6
MAX_CAPACITY = 10_000
# Organizers work the door of an event in these states (not a draft, not a cancelled one).
CHECK_IN_STATES = frozenset({EventStatus.OPEN, EventStatus.PUBLISHED, EventStatus.DONE})


# --- Times (organizer.timezones): entered and shown in the group's zone, stored in UTC ----

def has_calendar_file(event: Event) -> bool:
    """Whether the event's times can be written in a calendar file: those entered since
    MIN_YEAR/MAX_YEAR always can; a row at the calendar's ends (year 1, 9999) cannot."""
    return MIN_YEAR <= event.starts_at.year and event.ends_at.year <= MAX_YEAR


NO_CALENDAR_FILE = "This event has no calendar file: its date cannot be written in a calendar."


# --- Creating and editing ------------------------------------------------------------------

@dataclass(frozen=True)
class EventDetails:
    """What an organizer types in. Times are naive wall-clock times in the group's zone."""

    title: str
    starts_at: datetime
    ends_at: datetime | None = None  # None: DEFAULT_DURATION after the start
    description: str = ""
    venue_name: str = ""
    venue_address: str = ""
    capacity: int | None = None      # None: no limit
    rounds: int = 1
    rsvp_deadline: datetime | None = None  # None: answers close when the event starts


@dataclass(frozen=True)
class CheckedDetails:
    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    venue_name: str
    venue_address: str
    capacity: int | None
    rounds: int
    rsvp_deadline: datetime | None


def _check_details(details: EventDetails, time_zone: str) -> CheckedDetails:
    title = details.title.strip()
    if not title:
        raise ActionRefused("An event needs a title.")
    if len(title) > 160:
        raise ActionRefused("A title has at most 160 characters.")
    if details.capacity is not None and not 1 <= details.capacity <= MAX_CAPACITY:
        raise ActionRefused(f"Capacity is 1 to {MAX_CAPACITY:,} seats, or empty for no limit.")
    if not MIN_ROUNDS <= details.rounds <= MAX_ROUNDS:
        raise ActionRefused(f"An event has {MIN_ROUNDS} to {MAX_ROUNDS} pairing rounds.")
    if len(details.venue_name.strip()) > 160 or len(details.venue_address.strip()) > 300:
        raise ActionRefused("The venue's name has at most 160 characters, its address 300.")
    starts_at = to_utc(details.starts_at, time_zone, "Start")
    if details.ends_at is None:
        ends_at = starts_at + DEFAULT_DURATION
    else:
        ends_at = to_utc(details.ends_at, time_zone, "End")
        if ends_at <= starts_at:
            raise ActionRefused("The event must end after it starts.")
    deadline = None
    if details.rsvp_deadline is not None:
        deadline = to_utc(details.rsvp_deadline, time_zone, "RSVP deadline")
        if deadline > starts_at:
            raise ActionRefused("The RSVP deadline must be no later than the start.")
    return CheckedDetails(
        title=title,
        description=details.description.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        venue_name=details.venue_name.strip(),
        venue_address=details.venue_address.strip(),
        capacity=details.capacity,
        rounds=details.rounds,
        rsvp_deadline=deadline,
    )


def create_event(group: Group, details: EventDetails, now: datetime,
                 status: EventStatus = EventStatus.OPEN) -> Event:
    """A new event, a draft or open for RSVP."""
    if status not in (EventStatus.DRAFT, EventStatus.OPEN):
        raise ActionRefused("A new event is a draft or open for RSVP.")
    checked = _check_details(details, group.time_zone)
    if checked.starts_at < now:
        raise ActionRefused("That start time is in the past. Check the date.")
    if checked.rsvp_deadline is not None and checked.rsvp_deadline <= now:
        raise ActionRefused("That RSVP deadline has already passed. Check the date.")
    event = Event(group=group, status=status, **checked.__dict__)
    db.session.add(event)
    db.session.flush()
    if status == EventStatus.OPEN:
        signals.event_opened.send(event, now=now)
    return event


def update_event(event: Event, details: EventDetails, now: datetime) -> Event:
    """Saves an organizer's edit. Raising the capacity moves people up from the waitlist."""
    event = lock_event(event.id)
    if event.status in (EventStatus.CANCELLED, EventStatus.DONE):
        raise ActionRefused(f"This event is {event.status_phrase}; it can no longer be edited.")
    checked = _check_details(details, event.group.time_zone)
    if checked.starts_at != event.starts_at and checked.starts_at < now:
        raise ActionRefused("That start time is in the past. Check the date.")
    going = going_count(event.id)
    if checked.capacity is not None and checked.capacity < going:
        raise ActionRefused(
            f"{going} people already have a seat, so the capacity cannot be less than {going}."
        )
    for name, value in checked.__dict__.items():
        setattr(event, name, value)
    db.session.flush()
    _promote_from_waitlist(event, now)
    signals.event_changed.send(event, now=now)
    db.session.flush()
    return event


def open_for_rsvp(event: Event) -> None:
    event = lock_event(event.id)
    if event.status != EventStatus.DRAFT:
        raise ActionRefused(f"Only a draft can be opened for RSVP; this event is {event.status_phrase}.")
    event.status = EventStatus.OPEN
    db.session.flush()
    signals.event_opened.send(event, now=utcnow())
    db.session.flush()


def cancel_event(event: Event) -> None:
    """Cancels an event. Answers are kept for the record; no new answers are taken."""
    event = lock_event(event.id)
    if event.status in (EventStatus.CANCELLED, EventStatus.DONE):
        raise ActionRefused(f"This event is {event.status_phrase}; it cannot be cancelled.")
    event.status = EventStatus.CANCELLED
    db.session.flush()
    signals.event_cancelled.send(event, now=utcnow())
    db.session.flush()


def mark_done(event: Event, now: datetime) -> None:
    event = lock_event(event.id)
    if event.status not in (EventStatus.OPEN, EventStatus.PUBLISHED):
        raise ActionRefused(f"This event is {event.status_phrase}; it cannot be marked as done.")
    if now < event.starts_at:
        raise ActionRefused("The event has not started yet.")
    event.status = EventStatus.DONE
    db.session.flush()
    signals.event_done.send(event, now=now)
    db.session.flush()


# --- Answers, capacity and the waitlist --------------------------------------------------

def lock_event(event_id: int) -> Event:
    """The event, re-read and locked for the rest of the transaction (FOR UPDATE on
    PostgreSQL; SQLite's write transactions are already exclusive)."""
    event = db.session.scalar(
        select(Event)
        .where(Event.id == event_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if event is None:
        raise ActionRefused("That event no longer exists.")
    return event


def answers_close_at(event: Event) -> datetime:
    return event.rsvp_deadline or event.starts_at


def answers_refused_because(event: Event, now: datetime) -> str | None:
    """Why a member cannot answer (or change an answer) now; None when they can."""
    if event.status == EventStatus.CANCELLED:
        return "This event is cancelled."
    if event.status == EventStatus.DRAFT:
        return "This event is not open for RSVP yet."
    if event.status == EventStatus.PUBLISHED:
        return "Pairings are published, so answers are closed. If your plans changed, tell an organizer."
    if event.status == EventStatus.DONE:
        return "This event is over."
    if now >= answers_close_at(event):
        closed = local_time(answers_close_at(event), event.group.time_zone, DAY_TIME_AND_ZONE)
        return f"Answers closed on {closed}. If your plans changed, tell an organizer."
    return None


def going_count(event_id: int) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Rsvp)
        .where(Rsvp.event_id == event_id, Rsvp.state == RsvpState.GOING)
    ) or 0


def _waitlist_query(event_id: int) -> Select:
    return (
        select(Rsvp)
        .where(Rsvp.event_id == event_id, Rsvp.state == RsvpState.WAITLISTED)
        .order_by(Rsvp.waitlisted_at, Rsvp.id)
    )


def _free_seats(event: Event) -> int | None:
    """Seats left; None when the event has no limit."""
    if event.capacity is None:
        return None
    return max(event.capacity - going_count(event.id), 0)


def _promote_from_waitlist(event: Event, now: datetime) -> list[Rsvp]:
    """Moves the first on the waitlist up while seats are free. The caller holds the lock."""
    free = _free_seats(event)
    query = _waitlist_query(event.id)
    if free is not None:
        if free == 0:
            return []
        query = query.limit(free)
    promoted = list(db.session.scalars(query))
    for rsvp in promoted:
        rsvp.state = RsvpState.GOING
        rsvp.promoted_at = now
        rsvp.promotion_seen_at = None
    db.session.flush()
    if promoted:
        signals.waitlist_promoted.send(event, rsvps=promoted, now=now)
    return promoted


def answer(event: Event, user: User, going: bool, now: datetime) -> Rsvp:
    """A member answers yes or no. Yes takes a free seat, or a place at the end of the
    waitlist; no gives a seat back to the first on the waitlist."""
    event = lock_event(event.id)
    refused = answers_refused_because(event, now)
    if refused:
        raise ActionRefused(refused)
    if membership(event.group_id, user.id) is None:
        raise ActionRefused("Only members of the group can answer.")
    rsvp = rsvp_of(event.id, user.id)
    if rsvp is None:
        rsvp = Rsvp(event_id=event.id, user_id=user.id, state=RsvpState.DECLINED)
        db.session.add(rsvp)
    if going:
        if rsvp.state in (RsvpState.GOING, RsvpState.WAITLISTED):
            return rsvp  # already in or waiting: keep the seat or the place in line
        _promote_from_waitlist(event, now)  # no one waits while a seat is free
        rsvp.answered_at = now
        rsvp.promoted_at = rsvp.promotion_seen_at = None
        free = _free_seats(event)
        if free is None or free > 0:
            rsvp.state = RsvpState.GOING
            rsvp.waitlisted_at = None
        else:
            rsvp.state = RsvpState.WAITLISTED
            rsvp.waitlisted_at = now
    else:
        had_seat = rsvp.state == RsvpState.GOING
        rsvp.state = RsvpState.DECLINED
        rsvp.answered_at = now
        rsvp.waitlisted_at = rsvp.promoted_at = rsvp.promotion_seen_at = None
        db.session.flush()
        if had_seat:
            _promote_from_waitlist(event, now)
    db.session.flush()
    return rsvp


def answer_for_all_members(event: Event, now: datetime) -> tuple[int, int]:
    """Answers yes for every member of the group, in the order they joined (CLI, demos).
    Returns how many are going and how many waitlisted."""
    members = db.session.scalars(
        select(Membership).where(Membership.group_id == event.group_id)
        .order_by(Membership.joined_at, Membership.id)
    )
    users = [m.user for m in members]
    for user in users:
        answer(event, user, True, now)
    return going_count(event.id), len(db.session.scalars(_waitlist_query(event.id)).all())


def unseen_promotions(user_id: int, group_id: int) -> list[Rsvp]:
    """Seats this member got from the waitlist and has not been told about yet."""
    return list(
        db.session.scalars(
            select(Rsvp).join(Event)
            .where(
                Rsvp.user_id == user_id,
                Event.group_id == group_id,
                Rsvp.state == RsvpState.GOING,
                Rsvp.promoted_at.is_not(None),
                Rsvp.promotion_seen_at.is_(None),
                Event.status != EventStatus.CANCELLED,
            )
            .order_by(Event.starts_at)
            .options(contains_eager(Rsvp.event))
        )
    )


def acknowledge_promotions(user_id: int, group_id: int, now: datetime) -> list[Event]:
    """Marks the member's unseen promotions as told; returns their events (to tell them)."""
    rsvps = unseen_promotions(user_id, group_id)
    for rsvp in rsvps:
        rsvp.promotion_seen_at = now
    db.session.flush()
    return [rsvp.event for rsvp in rsvps]


def release_seats(user_id: int, group_id: int, now: datetime) -> int:
    """For a member leaving (or removed from) a group: their yes to upcoming events becomes a
    no, and each seat goes to the first on that waitlist. Does not commit: the caller's action
    does. Returns how many answers changed."""
    rsvps = list(db.session.scalars(
        select(Rsvp).join(Event).where(
            Rsvp.user_id == user_id,
            Event.group_id == group_id,
            Event.starts_at > now,
            Rsvp.state.in_([RsvpState.GOING, RsvpState.WAITLISTED]),
        )
    ))
    changed = 0
    for rsvp in rsvps:
        event = lock_event(rsvp.event_id)
        db.session.refresh(rsvp)  # read again under the lock
        if rsvp.state == RsvpState.DECLINED:
            continue
        changed += 1
        had_seat = rsvp.state == RsvpState.GOING
        rsvp.state = RsvpState.DECLINED
        rsvp.waitlisted_at = rsvp.promoted_at = rsvp.promotion_seen_at = None
        db.session.flush()
        if had_seat:
            _promote_from_waitlist(event, now)
    return changed


# --- Check-in at the door -----------------------------------------------------------------

def _refuse_unless_door_open(event: Event) -> None:
    if event.status not in CHECK_IN_STATES:
        raise ActionRefused(f"This event is {event.status_phrase}; there is no check-in.")


def check_in(event: Event, user_id: int, now: datetime) -> User:
    """Checks in someone who answered yes (or waits on the waitlist: at the door, the
    organizer decides; they get a seat)."""
    event = lock_event(event.id)
    _refuse_unless_door_open(event)
    rsvp = rsvp_of(event.id, user_id)
    if rsvp is None or rsvp.state == RsvpState.DECLINED:
        raise ActionRefused("That person has not answered yes. Add them as a walk-in instead.")
    if rsvp.checked_in_at is None:
        rsvp.state = RsvpState.GOING
        rsvp.waitlisted_at = None
        rsvp.checked_in_at = now
    db.session.flush()
    return rsvp.user


def undo_check_in(event: Event, user_id: int) -> User:
    """Takes back a check-in. A walk-in's answer is removed altogether (they never said yes)."""
    event = lock_event(event.id)
    _refuse_unless_door_open(event)
    rsvp = rsvp_of(event.id, user_id)
    if rsvp is None or rsvp.checked_in_at is None:
        raise ActionRefused("That person is not checked in.")
    user = rsvp.user
    if rsvp.walk_in:
        db.session.delete(rsvp)
    else:
        rsvp.checked_in_at = None
    db.session.flush()
    return user


def _walk_in(event: Event, user: User, now: datetime) -> None:
    rsvp = rsvp_of(event.id, user.id)
    if rsvp is not None and rsvp.checked_in_at is not None:
        raise ActionRefused(f"{user.name} is already checked in.")
    if rsvp is None:
        rsvp = Rsvp(event_id=event.id, user_id=user.id, state=RsvpState.DECLINED)
        db.session.add(rsvp)
    if rsvp.state == RsvpState.DECLINED:
        rsvp.walk_in = True
        rsvp.answered_at = now
    rsvp.state = RsvpState.GOING
    rsvp.waitlisted_at = None
    rsvp.checked_in_at = now


def add_walk_in(event: Event, user_id: int, now: datetime) -> User:
    """A member of the group who turned up without a yes: seated and checked in."""
    event = lock_event(event.id)
    _refuse_unless_door_open(event)
    member = membership(event.group_id, user_id)
    if member is None:
        raise ActionRefused("That person is not a member of this group.")
    _walk_in(event, member.user, now)
    db.session.flush()
    return member.user


LUNCH_GUEST_DOMAIN = "lunch-guest.invalid"  # reserved (RFC 2606): no mail goes there, nobody logs in


def add_walk_in_guest(event: Event, name: str, email: str, now: datetime,
                      invited_by_id: int | None = None) -> str:
    """Someone the organizer types in at the door (name and email), seated and checked in.

    - An email without an account: a new account without a password, created by this group,
      joins the group; its owner is emailed their own set-password link (account_created).
    - An email of a member of this group: an ordinary walk-in.
    - An email of anyone else's account: that account is left alone. Its owner is invited to
      join the group (and decides on their next visit), and a stand-in with the name typed here
      is seated for this lunch only: no access to the account, its profile or its other groups.
    Returns the name to show, the same whichever case it was (which emails have accounts is
    not revealed to organizers)."""
    event = lock_event(event.id)
    _refuse_unless_door_open(event)
    name, email = name.strip(), normalize_email(email)
    if not name:
        raise ActionRefused("A name is required.")
    if len(name) > 120:
        raise ActionRefused("A name has at most 120 characters.")
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as error:
        raise ActionRefused(f"Not a valid email address: {email} ({error}).") from None
    if email.endswith("@" + LUNCH_GUEST_DOMAIN):
        raise ActionRefused(f"Not a valid email address: {email}.")
    user = user_by_email(email)
    if user is None:
        user = create_user(name, email, None)
        user.created_by_group_id = event.group_id
        add_member(event.group, user)
        db.session.flush()
        by = db.session.get(User, invited_by_id) if invited_by_id is not None else None
        signals.account_created.send(event.group, user=user, by=by, now=now)
    elif membership(event.group_id, user.id) is None:
        invite_to_group(event.group, user, invited_by_id, via="walk-in", now=now)
        user = _lunch_guest(event, name, email)
    rsvp = rsvp_of(event.id, user.id)
    if rsvp is not None and rsvp.checked_in_at is not None:
        raise ActionRefused(f"{name} is already checked in.")
    _walk_in(event, user, now)
    db.session.flush()
    return name


def _lunch_guest(event: Event, name: str, email: str) -> User:
    """The stand-in for one email at one lunch (the same one if added twice)."""
    key = hashlib.sha256(f"{event.id}:{email}".encode()).hexdigest()[:24]
    address = f"guest-{event.id}-{key}@{LUNCH_GUEST_DOMAIN}"
    guest = user_by_email(address)
    if guest is None:
        guest = User(name=name, email=address, password_hash=None, lunch_guest_event_id=event.id)
        db.session.add(guest)
        db.session.flush()
    return guest


# --- Reads ---------------------------------------------------------------------------------

_EVENT_IN_GROUP = select(Event).where(Event.id == bindparam("event_id"), Event.group_id == bindparam("group_id"))
_RSVP_OF = select(Rsvp).where(Rsvp.event_id == bindparam("event_id"), Rsvp.user_id == bindparam("user_id"))


def event_in_group(group: Group, event_id: int) -> Event | None:
    return db.session.scalar(_EVENT_IN_GROUP, {"event_id": event_id, "group_id": group.id})


def visible_to(event: Event, viewer: Membership) -> bool:
    """Who sees an event and everything hanging off it (answers, pairs, files): a draft
    only the group's organizers, any other event every member."""
    return event.group_id == viewer.group_id and (event.status != EventStatus.DRAFT or viewer.is_organizer)


UPCOMING_ON_OVERVIEW = 5


class UpcomingEvent(NamedTuple):
    """An upcoming event as the group's overview lists it."""
    id: int
    title: str
    starts_at: datetime
    status: str


def _upcoming(include_drafts: bool) -> Select:
    query = (select(Event.id, Event.title, Event.starts_at, Event.status)
             .where(Event.group_id == bindparam("group_id"), Event.ends_at >= bindparam("now"))
             .order_by(Event.starts_at, Event.id).limit(UPCOMING_ON_OVERVIEW))
    return query if include_drafts else query.where(Event.status != EventStatus.DRAFT)


# The overview's first upcoming events (drafts too, for organizers), soonest first, as one column
# of the statement the overview reads its facts with (``groups.pages``; values ``group_id`` and
# ``now``); ``upcoming_of_json`` reads it. Built once.
UPCOMING_JSON = {drafts: json_rows(_upcoming(drafts)) for drafts in (False, True)}


def upcoming_of_json(value: object) -> list[UpcomingEvent]:
    events = [UpcomingEvent(int(i), title, datetime_of_json(starts), status)
              for i, title, starts, status in rows_of_json(value)]
    return sorted(events, key=lambda e: (e.starts_at, e.id))


PAST_EVENTS_PAGE_SIZE = 10


def _events_statements(include_drafts: bool) -> tuple[Select, Select, Select]:
    """The events page's upcoming events, one page of past ones (with their count as the last
    column) and that count alone."""
    condition = Event.group_id == bindparam("group_id")
    if not include_drafts:
        condition = and_(condition, Event.status != EventStatus.DRAFT)
    upcoming = select(Event).where(condition, Event.ends_at >= bindparam("now")).order_by(Event.starts_at, Event.id)
    past = and_(condition, Event.ends_at < bindparam("now"))
    count = select(func.count()).select_from(Event).where(past)
    rows = (select(Event, count.scalar_subquery().label("total")).where(past)  # counted once, not per row
            .order_by(Event.starts_at.desc(), Event.id.desc()).limit(bindparam("size")).offset(bindparam("skip")))
    return upcoming, rows, count


_EVENTS = {drafts: _events_statements(drafts) for drafts in (False, True)}  # built once, as _UPCOMING


def events_of(group: Group, now: datetime, include_drafts: bool, past_page: int = 1,
              past_size: int = PAST_EVENTS_PAGE_SIZE) -> tuple[list[Event], Page]:
    """Upcoming events (soonest first), and one page of past ones (latest first): a group that
    meets every week has fifty more a year (a page past the end shows the last page)."""
    upcoming, rows, count = _EVENTS[include_drafts]
    values = {"group_id": group.id, "now": now}
    found, total, shown = counted_page(rows, count, values, past_page, past_size)
    return list(db.session.scalars(upcoming, values)), Page([row[0] for row in found], total, shown, past_size)


def rsvp_of(event_id: int, user_id: int) -> Rsvp | None:
    return db.session.scalar(_RSVP_OF, {"event_id": event_id, "user_id": user_id})


def rsvps_of_user(user_id: int, event_ids: list[int]) -> dict[int, Rsvp]:
    if not event_ids:
        return {}
    rows = db.session.scalars(select(Rsvp).where(Rsvp.user_id == user_id, Rsvp.event_id.in_(event_ids)))
    return {rsvp.event_id: rsvp for rsvp in rows}


def waitlist_position(rsvp: Rsvp) -> int | None:
    """1 for the first in line; None when not waitlisted."""
    if rsvp.state != RsvpState.WAITLISTED:
        return None
    ahead = db.session.scalar(
        select(func.count()).select_from(Rsvp).where(
            Rsvp.event_id == rsvp.event_id,
            Rsvp.state == RsvpState.WAITLISTED,
            (Rsvp.waitlisted_at < rsvp.waitlisted_at)
            | ((Rsvp.waitlisted_at == rsvp.waitlisted_at) & (Rsvp.id < rsvp.id)),
        )
    )
    return (ahead or 0) + 1


def _attendee_memberships(event: Event, *conditions) -> list[Membership]:
    return list(
        db.session.scalars(
            select(Membership)
            .join(User, User.id == Membership.user_id)
            .join(Rsvp, (Rsvp.user_id == Membership.user_id) & (Rsvp.event_id == event.id))
            .where(Membership.group_id == event.group_id, *conditions)
            .order_by(func.lower(User.name), User.id)
            .options(contains_eager(Membership.user))
        )
    )


# Someone (a member or a stand-in guest) is checked in at the event ``:event_id``: a column another
# statement may read (the pairing review reads it with the event's versions). Built once.
ANYONE_CHECKED_IN = exists().where(Rsvp.event_id == bindparam("event_id"), Rsvp.checked_in_at.is_not(None))
_ANYONE_CHECKED_IN = select(ANYONE_CHECKED_IN)


def anyone_checked_in(event: Event) -> bool:
    """Someone (a member or a stand-in guest) is checked in at this event."""
    return bool(read_rows(_ANYONE_CHECKED_IN, {"event_id": event.id}).scalar())


def going_attendees(event: Event) -> list[Membership]:
    """Members with a seat (answered yes and not waitlisted, or walked in), by name.
    What the pairing feature plans with before the event."""
    return _attendee_memberships(event, Rsvp.state == RsvpState.GOING)


def checked_in_attendees(event: Event) -> list[Membership]:
    """Members checked in at the door (walk-ins included), by name.
    What the pairing feature pairs on the day."""
    return _attendee_memberships(event, Rsvp.checked_in_at.is_not(None))


def rsvps_of_event(event: Event) -> list[Rsvp]:
    """Every answer with its user: seats by name, then the waitlist in order, then the noes."""
    rows = list(
        db.session.scalars(
            select(Rsvp).join(User).where(Rsvp.event_id == event.id)
            .order_by(func.lower(User.name), User.id)
            .options(contains_eager(Rsvp.user))
        )
    )
    order = {RsvpState.GOING: 0, RsvpState.WAITLISTED: 1, RsvpState.DECLINED: 2}
    epoch = datetime.min.replace(tzinfo=UTC)
    return sorted(
        rows,
        key=lambda r: (order[RsvpState(r.state)],
                       (r.waitlisted_at or epoch) if r.state == RsvpState.WAITLISTED else epoch),
    )


ANSWERS_PAGE_SIZE = 100


# Built once (a statement costs as much to build as to run): the answers as plain rows of what
# the event page shows, not Rsvp and User objects (a hundred of each per page).
_ANSWERS_COUNT = select(func.count()).select_from(Rsvp).where(Rsvp.event_id == bindparam("event_id"))
_ANSWERS = (
    select(Rsvp.state, Rsvp.walk_in, Rsvp.checked_in_at, Rsvp.promoted_at, User.name,
           _ANSWERS_COUNT.correlate(None).scalar_subquery().label("total"))  # counted once, not per row
    .join(User, User.id == Rsvp.user_id).where(Rsvp.event_id == bindparam("event_id"))
    .order_by(case((Rsvp.state == RsvpState.GOING, 0), (Rsvp.state == RsvpState.WAITLISTED, 1), else_=2),
              case((Rsvp.state == RsvpState.WAITLISTED, Rsvp.waitlisted_at), else_=None),
              func.lower(User.name), User.id)
    .limit(bindparam("size")).offset(bindparam("skip")))


def answers_page(event: Event, number: int = 1, size: int = ANSWERS_PAGE_SIZE) -> Page:
    """One page of rsvps_of_event, in its order (seats by name, the waitlist in order, the noes),
    sorted and cut by the database: rows of state, walk_in, checked_in_at, promoted_at, name (and
    the total, which comes with them)."""
    rows, total, shown = counted_page(_ANSWERS, _ANSWERS_COUNT, {"event_id": event.id}, number, size)
    return Page(rows, total, shown, size)


class AnswersByState(NamedTuple):
    """A page of answers (``answers_page``) split by state, each in the page's order."""
    going: list
    waiting: list
    declined: list


def answers_by_state(rows: list) -> AnswersByState:
    """One pass over the rows (the page's template filtering them three times by state cost a
    seventh of the event page at 100 answers)."""
    split: dict[str, list] = {RsvpState.GOING: [], RsvpState.WAITLISTED: [], RsvpState.DECLINED: []}
    for row in rows:
        split[row.state].append(row)
    return AnswersByState(split[RsvpState.GOING], split[RsvpState.WAITLISTED], split[RsvpState.DECLINED])


@dataclass(frozen=True)
class AttendanceCounts:
    answered_yes: int  # seats taken by a yes (walk-ins not counted)
    checked_in: int    # everyone checked in, walk-ins included
    walk_ins: int
    not_arrived: int   # answered yes, not checked in yet
    waitlisted: int
    declined: int


def _attendance_counts() -> Select:
    going = Rsvp.state == RsvpState.GOING

    def count(*conditions):
        return func.coalesce(func.sum(case((and_(*conditions), 1), else_=0)), 0)

    return select(
        count(going, Rsvp.walk_in.is_(False)),
        count(going, Rsvp.checked_in_at.is_not(None)),
        count(going, Rsvp.walk_in.is_(True)),
        count(going, Rsvp.walk_in.is_(False), Rsvp.checked_in_at.is_(None)),
        count(Rsvp.state == RsvpState.WAITLISTED),
        count(Rsvp.state == RsvpState.DECLINED),
    ).where(Rsvp.event_id == bindparam("event_id"))


_ATTENDANCE_COUNTS = _attendance_counts()  # built once: the event page and the door show it


def attendance_counts(event: Event) -> AttendanceCounts:
    """Counted by the database: one row whatever the number of answers."""
    row = db.session.execute(_ATTENDANCE_COUNTS, {"event_id": event.id}).one()
    return AttendanceCounts(*(int(value) for value in row))


def door_list(event: Event, search: str = "") -> list[Rsvp]:
    """Who may be checked in (seats and waitlist), filtered by a piece of the name."""
    needle = search.strip().casefold()
    return [
        r for r in rsvps_of_event(event)
        if r.state != RsvpState.DECLINED and needle in r.user.name.casefold()
    ]


DOOR_PAGE_SIZE = 25  # as the directory: a phone screen or two; at the door, the name's search finds the rest


def _like_pattern(text: str) -> str:
    return f"%{like_escape(text)}%"


def door_page(event: Event, search: str = "", number: int = 1, size: int = DOOR_PAGE_SIZE,
              waiting: bool = False) -> Page:
    """One page of the door list (seats by name, then the waitlist in order), filtered by a piece
    of the name in the database: the same cost for 20 answers or 2,000. ``waiting``: only those
    not checked in yet."""
    needle = search.strip().lower()
    count, rows_statement = _DOOR[bool(needle), waiting]
    values = {"event_id": event.id, "pattern": _like_pattern(needle)}
    found, total, shown = counted_page(rows_statement, count, values, number, size)
    return Page([DoorRow(*row[:-1]) for row in found], total, shown, size)


class DoorRow(NamedTuple):
    """One person on the door list: what its row shows (plain values, not an answer and a user
    object per row)."""
    user_id: int
    name: str
    walk_in: bool
    state: RsvpState
    checked_in_at: datetime | None


def door_row(rsvp: Rsvp) -> DoorRow:
    """The door list's row of one answer (sent alone to the page's script after a check-in)."""
    return DoorRow(rsvp.user_id, rsvp.user.name, rsvp.walk_in, rsvp.state, rsvp.checked_in_at)


def _door_statements(searching: bool, waiting: bool) -> tuple[Select, Select]:
    condition = and_(Rsvp.event_id == bindparam("event_id"), Rsvp.state != RsvpState.DECLINED)
    if waiting:
        condition = and_(condition, Rsvp.checked_in_at.is_(None))
    if searching:
        condition = and_(condition, func.lower(User.name).like(bindparam("pattern"), escape="\\"))
    count = select(func.count()).select_from(Rsvp).where(condition)
    if searching:  # the users only for their names
        count = count.join(User, User.id == Rsvp.user_id)
    rows = (select(Rsvp.user_id, User.name, Rsvp.walk_in, Rsvp.state, Rsvp.checked_in_at,
                   count.correlate(None).scalar_subquery().label("total"))  # counted once, not per row
            .join(User, User.id == Rsvp.user_id).where(condition)
            .order_by(case((Rsvp.state == RsvpState.GOING, 0), else_=1),
                      case((Rsvp.state == RsvpState.WAITLISTED, Rsvp.waitlisted_at), else_=None),
                      func.lower(User.name), User.id)
            .limit(bindparam("size")).offset(bindparam("skip")))
    return count, rows


# Built once per kind of list (all, a search, those not in yet): the door page is reloaded
# at every check-in, and building its statements cost as much as running them.
_DOOR = {(searching, waiting): _door_statements(searching, waiting)
         for searching in (False, True) for waiting in (False, True)}


def walk_in_member(event: Event, typed: str) -> Membership:
    """The member a typed walk-in choice names ("Name (#id)" from the list, an id, or a name only
    one member has); ActionRefused with the reason otherwise."""
    member = member_from_label(event.group_id, typed)
    if member is None:
        raise ActionRefused("Choose a member.")
    return member
