"""What a member's overview page says about them: the new member's checklist and the lunches
whose pairs are published with them at a table. Reads only; a few counted queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Row, bindparam, exists, select

from organizer.database import read_rows
from organizer.extensions import db
from organizer.models import (
    Event,
    EventStatus,
    Membership,
    Need,
    Offer,
    PairingRun,
    PairingSeat,
    PairingTable,
    Rsvp,
    RsvpState,
    User,
)


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    done: bool


# Built once (the overview is the busiest page; building a statement costs as much as running it):
# whether the member has a need, an offer and an answer to a lunch (groups.pages.facts reads them
# in one statement with what else the overview needs to know first).
STEPS_DONE = (
    exists().where(Need.membership_id == bindparam("membership_id")),
    exists().where(Offer.membership_id == bindparam("membership_id")),
    exists().where(Rsvp.user_id == bindparam("user_id"), Rsvp.event_id == Event.id,
                   Event.group_id == bindparam("group_id"), Rsvp.state != RsvpState.DECLINED))


def checklist(member: Membership, needs: bool, offers: bool, answered: bool) -> list[Step]:
    """Profile, a first need, a first offer, a yes to a lunch: what makes the pairing work
    (`needs`, `offers`, `answered`: what STEPS_DONE says)."""
    user = db.session.get(User, member.user_id)
    return [
        Step("profile", "Say what you do in your profile", bool(user and (user.headline or "").strip())),
        Step("need", "Add one thing you need right now", bool(needs)),
        Step("offer", "Add one way you can help others", bool(offers)),
        Step("rsvp", "Answer yes to the next lunch", bool(answered)),
    ]


# Whether published_lunches (below) finds any.
SEATED_AT_A_LUNCH_AHEAD = exists().where(
    PairingSeat.user_id == bindparam("user_id"), PairingSeat.table_id == PairingTable.id,
    PairingTable.run_id == PairingRun.id, PairingRun.published_at.is_not(None), PairingRun.event_id == Event.id,
    Event.group_id == bindparam("group_id"), Event.ends_at >= bindparam("now"), Event.status != EventStatus.CANCELLED)


@dataclass
class PublishedLunch:
    event: Row  # the event's id, title and start
    partners: list[str]


_MY_PUBLISHED_TABLES = (
    select(Event.id, Event.title, Event.starts_at, PairingTable.id.label("table_id"))
    .join(PairingRun, PairingRun.event_id == Event.id)
    .join(PairingTable, PairingTable.run_id == PairingRun.id)
    .join(PairingSeat, PairingSeat.table_id == PairingTable.id)
    .where(Event.group_id == bindparam("group_id"), PairingRun.published_at.is_not(None),
           PairingSeat.user_id == bindparam("user_id"), Event.ends_at >= bindparam("now"),
           Event.status != EventStatus.CANCELLED)
    .order_by(Event.starts_at))


def published_lunches(member: Membership, now: datetime) -> list[PublishedLunch]:
    """Upcoming lunches of the group whose published pairs seat this member, with their partners."""
    rows = read_rows(_MY_PUBLISHED_TABLES, {
        "group_id": member.group_id, "user_id": member.user_id, "now": now}).all()
    lunches: dict[int, PublishedLunch] = {}
    tables = {row.table_id for row in rows}
    partners: dict[int, list[str]] = {}
    if tables:
        for table_id, name, user_id in db.session.execute(
                select(PairingSeat.table_id, User.name, User.id).join(User, User.id == PairingSeat.user_id)
                .where(PairingSeat.table_id.in_(tables)).order_by(User.name)):
            if user_id != member.user_id:
                partners.setdefault(table_id, []).append(name)
    for row in rows:
        lunch = lunches.setdefault(row.id, PublishedLunch(row, []))
        lunch.partners.extend(p for p in partners.get(row.table_id, []) if p not in lunch.partners)
    return list(lunches.values())
