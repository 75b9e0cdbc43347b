"""Who is at the lunch, and the problem the solver gets: the attendees with what they need and
offer (needs marked "organizers only" never enter the matching: the reasons are printed on
table cards and shown to partners), do-not-pair rules, locks, past meetings and what earlier
lunches taught (the pairing_problem_built signal), read in one transaction as a `Snapshot`.
"""

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import bindparam, select

from organizer import matching, signals
from organizer.database import among, read_rows
from organizer.events import service as events
from organizer.extensions import db
from organizer.help import service as help_model
from organizer.members.service import blocked_pairs
from organizer.models import (
    AttendeeSource,
    Event,
    Membership,
    PairingRun,
    PairingSeat,
    PairingTable,
    Rsvp,
    RsvpState,
    User,
)


def default_source(event: Event, anyone_checked_in: bool | None = None) -> AttendeeSource:
    """At the door, who checked in; before the event, who answered yes (``anyone_checked_in``:
    whether someone is, when the caller read it: events.ANYONE_CHECKED_IN)."""
    if anyone_checked_in is None:
        anyone_checked_in = events.anyone_checked_in(event)
    return AttendeeSource.CHECKED_IN if anyone_checked_in else AttendeeSource.GOING


def _present(condition):
    """Members of the event's group with that answer, and the lunch's stand-in guests."""
    member = (Membership.user_id == Rsvp.user_id) & (Membership.group_id == bindparam("group_id"))
    return (select(Rsvp.user_id).join(User, User.id == Rsvp.user_id).outerjoin(Membership, member)
            .where(Rsvp.event_id == bindparam("event_id"), condition,
                   Membership.id.is_not(None) | (User.lunch_guest_event_id == bindparam("event_id")))
            .order_by(Rsvp.user_id))


# Built once: the review reads it on every visit (who arrived or left since a version).
_PRESENT = {True: _present(Rsvp.checked_in_at.is_not(None)), False: _present(Rsvp.state == RsvpState.GOING)}


def present_user_ids(event: Event, source: str) -> list[int]:
    """Members present (or going), and the lunch's stand-in guests (seated by name only), by id."""
    checked_in = source == AttendeeSource.CHECKED_IN
    return list(read_rows(_PRESENT[checked_in], {"event_id": event.id, "group_id": event.group_id}).scalars().all())


def attendee_ids_for(event: Event, source: str, inputs: dict) -> list[int]:
    ids = set(present_user_ids(event, source)) | set(inputs.get("added", []))
    return sorted(ids - set(inputs.get("excluded", [])))


def fingerprint(user_ids: Iterable[int]) -> str:
    return hashlib.sha256(",".join(map(str, sorted(user_ids))).encode()).hexdigest()


@dataclass
class Snapshot:
    problem: matching.Problem
    names: dict[int, str]
    emails: dict[int, str]
    attendees: dict[int, matching.Attendee]
    learned: list[dict] = field(default_factory=list)  # what earlier lunches changed (outcomes.learning)


def past_meetings(event: Event, user_ids: list[int]) -> list[matching.Meeting]:
    """Who sat together at this group's earlier lunches (published versions only)."""
    present = set(user_ids)
    rows = db.session.execute(
        select(PairingTable.id, PairingSeat.user_id, Event.starts_at)
        .join(PairingSeat, PairingSeat.table_id == PairingTable.id)
        .join(PairingRun, PairingRun.id == PairingTable.run_id)
        .join(Event, Event.id == PairingRun.event_id)
        .where(Event.group_id == event.group_id, Event.id != event.id,
               PairingRun.published_at.is_not(None), Event.starts_at < event.starts_at,
               among(PairingSeat.user_id, present)))
    tables: dict[int, tuple[list[int], datetime]] = {}
    for table_id, user_id, starts_at in rows:
        tables.setdefault(table_id, ([], starts_at))[0].append(user_id)
    meetings = []
    for members, met_on in tables.values():
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                meetings.append(matching.Meeting(a, b, met_on))
    return meetings


def _present_locks(locks: list[tuple[int, ...]], present: set[int]) -> list[matching.Lock]:
    """Stored locks (``[*user_ids, round]``, a pair or a trio) as the engine's, for the people
    still present: a locked trio that lost someone keeps the other two as a locked pair."""
    out = []
    for *people, r in locks:
        here = [uid for uid in people if uid in present]
        if len(here) >= 2:
            out.append(matching.Lock(here[0], here[1], r, here[2] if len(here) == 3 else None))
    return out


def snapshot(event: Event, user_ids: list[int], locks: list[tuple[int, ...]],
             now: datetime, time_limit_s: float, keep: Sequence[Sequence[int]] = ()) -> Snapshot:
    group = event.group
    attendees, terms, links = help_model.lunch_model(group.id, user_ids, event.id)
    present = set(attendees)
    blocked = {(min(p), max(p)) for p in blocked_pairs(group.id) if p <= present}
    problem = matching.Problem(
        attendees=tuple(attendees[uid] for uid in sorted(attendees)),
        blocked=frozenset(blocked),
        locked=tuple(_present_locks(locks, present)),
        meetings=tuple(past_meetings(event, list(present))),
        rounds=event.rounds,
        now=now,
        options=matching.Options(cooldown_weeks=float(group.repeat_cooldown_weeks),
                                 time_limit_s=time_limit_s, seed=0),
        terms=terms,
        links=links,
        keep=tuple(kept for kept in (tuple(x for x in t if x in present) for t in keep) if len(kept) >= 2),
    )
    draft = signals.ProblemDraft(problem)
    signals.pairing_problem_built.send(event, draft=draft)
    problem, learned = draft.problem, draft.notes
    users = db.session.execute(select(User.id, User.name, User.email).where(among(User.id, present))).all()
    return Snapshot(problem, {u.id: u.name for u in users}, {u.id: u.email for u in users}, attendees, learned)
