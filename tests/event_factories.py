"""Factory functions for events and answers, in the style of tests/factories.py."""

from datetime import datetime, timedelta

from organizer.extensions import db
from organizer.models import (
    Event,
    EventStatus,
    Group,
    PairingRun,
    PairingSeat,
    PairingTable,
    Rsvp,
    RsvpState,
    RunStatus,
    User,
    utcnow,
)


def make_event(group: Group, title: str = "Monthly lunch", starts_in: timedelta = timedelta(days=7),
               starts_at: datetime | None = None, duration: timedelta = timedelta(minutes=90),
               capacity: int | None = None, status: EventStatus = EventStatus.OPEN,
               rsvp_deadline: datetime | None = None, **fields) -> Event:
    """An event (open for RSVP unless told otherwise), starting a week from now by default."""
    starts_at = starts_at or (utcnow() + starts_in).replace(second=0, microsecond=0)
    event = Event(group=group, title=title, starts_at=starts_at, ends_at=starts_at + duration,
                  capacity=capacity, status=status, rsvp_deadline=rsvp_deadline, **fields)
    db.session.add(event)
    db.session.commit()
    return event


def make_rsvp(event: Event, user: User, state: RsvpState = RsvpState.GOING, *,
              waitlisted_at: datetime | None = None, checked_in: bool = False, walk_in: bool = False) -> Rsvp:
    now = utcnow()
    if state == RsvpState.WAITLISTED and waitlisted_at is None:
        waitlisted_at = now
    rsvp = Rsvp(event=event, user=user, state=state.value, waitlisted_at=waitlisted_at,
                checked_in_at=now if checked_in else None, walk_in=walk_in)
    db.session.add(rsvp)
    db.session.commit()
    return rsvp


def make_pairing_run(event: Event, version: int, tables, published_at: datetime | None = None) -> PairingRun:
    """A computed version of the event's pairing with these tables (lists of users), one round."""
    run = PairingRun(event=event, version=version, status=RunStatus.DONE, rounds=1, published_at=published_at,
                     inputs={"attendees": sorted({u.id for t in tables for u in t})})
    for number, people in enumerate(tables, start=1):
        table = PairingTable(round=1, number=number, score=1.0, reasons=[])
        table.seats = [PairingSeat(user_id=user.id, position=i) for i, user in enumerate(people)]
        run.tables.append(table)
    db.session.add(run)
    db.session.commit()
    return run
