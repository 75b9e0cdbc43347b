"""My lunches: every lunch a member sat at, with their partners, what the pairing suggested,
what each side said afterwards, the notes and the needs met; and an event's answers for its
organizers. Each reader sees only what they may (see ``answers.may_read_answer`` and
``answers.note_visible_to``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from organizer.extensions import db
from organizer.models import (
    Event,
    EventStatus,
    LunchAnswer,
    Membership,
    Need,
    PairingRun,
    PairingSeat,
    PairingTable,
    User,
)
from organizer.outcomes import answers as follow
from organizer.pairing.reasons import MEMBER, visible_reasons


@dataclass
class PartnerLunch:
    partner: User | None           # None: a stand-in guest or someone who left the group
    partner_name: str
    round: int
    table: int
    suggested_for_me: list[str]    # what the pairing said they could help me with
    suggested_for_them: list[str]  # ... and what I could help them with
    mine: LunchAnswer | None
    theirs: LunchAnswer | None


@dataclass
class Lunch:
    event: Event
    partners: list[PartnerLunch] = field(default_factory=list)
    follow_up_open: bool = False


def _reason_text(reason: dict) -> str:
    brings = reason.get("offer") or reason.get("source") or reason.get("topic") or "their experience"
    return f"{reason['need']}: {brings}"


def my_lunches(member: Membership, now: datetime) -> list[Lunch]:
    """Every lunch of the group where the member sat at a published table, newest first."""
    rows = db.session.execute(
        select(PairingTable, Event).join(PairingRun, PairingRun.id == PairingTable.run_id)
        .join(Event, Event.id == PairingRun.event_id).join(PairingSeat, PairingSeat.table_id == PairingTable.id)
        .where(Event.group_id == member.group_id, PairingRun.published_at.is_not(None),
               Event.status != EventStatus.CANCELLED, PairingSeat.user_id == member.user_id)
        .options(selectinload(PairingTable.seats).selectinload(PairingSeat.user))
        .order_by(Event.starts_at.desc(), PairingTable.round)).all()
    if not rows:
        return []
    event_ids = {event.id for _, event in rows}
    said = {(a.event_id, a.author_id, a.partner_id): a for a in db.session.scalars(
        select(LunchAnswer).where(LunchAnswer.event_id.in_(event_ids), or_(
            LunchAnswer.author_id == member.user_id, LunchAnswer.partner_id == member.user_id))
        .options(selectinload(LunchAnswer.needs)))}
    members = set(db.session.scalars(select(Membership.user_id).where(Membership.group_id == member.group_id)))
    lunches: dict[int, Lunch] = {}
    for table, event in rows:
        lunch = lunches.setdefault(event.id, Lunch(event, follow_up_open=follow.follow_up_open(event, now)))
        others = [s.user for s in table.seats if s.user_id != member.user_id]
        readable = visible_reasons(member.group_id, [table], MEMBER, member.user_id,
                                   frozenset(u.id for u in others))[table.id]
        for other in others:
            still = other.id in members
            lunch.partners.append(PartnerLunch(
                other if still else None, other.name if still else "a former member", table.round, table.number,
                [_reason_text(r) for r in readable if r["helper"] == other.id and r["helped"] == member.user_id],
                [_reason_text(r) for r in readable if r["helper"] == member.user_id and r["helped"] == other.id],
                said.get((event.id, member.user_id, other.id)), said.get((event.id, other.id, member.user_id))))
    return list(lunches.values())


@dataclass
class AnswerRow:
    answer: LunchAnswer
    author: str
    partner: str
    needs: list[str]
    note_text: str | None          # None: no note, or one the organizers may not read


@dataclass
class EventReport:
    rows: list[AnswerRow]
    seated: int
    helped_share: float | None
    unanswered: list[str]


def seated_ids(event_id: int) -> set[int]:
    run = db.session.scalar(select(PairingRun.id).where(PairingRun.event_id == event_id,
                                                        PairingRun.published_at.is_not(None)))
    if run is None:
        return set()
    return set(db.session.scalars(select(PairingSeat.user_id).join(PairingTable)
                                  .where(PairingTable.run_id == run)))


def event_answers(event_id: int) -> list[LunchAnswer]:
    return list(db.session.scalars(
        select(LunchAnswer).where(LunchAnswer.event_id == event_id)
        .options(selectinload(LunchAnswer.needs), selectinload(LunchAnswer.author), selectinload(LunchAnswer.partner))
        .order_by(LunchAnswer.author_id, LunchAnswer.partner_id)))


def helped_share(event_id: int, seated: set[int], rows: list[LunchAnswer]) -> float | None:
    """The share of seated attendees (members, not guests) who said someone helped them."""
    if not seated:
        return None
    helped = {a.author_id for a in rows if a.helped in follow.POSITIVE and a.author_id in seated}
    return round(len(helped) / len(seated), 4)


def event_report(event: Event, viewer: Membership) -> EventReport:
    rows = event_answers(event.id)
    seated = seated_ids(event.id)
    in_group = set(db.session.scalars(select(Membership.user_id).where(Membership.group_id == event.group_id,
                                                                       Membership.user_id.in_(seated))))
    out = []
    for a in rows:
        if not follow.may_read_answer(a, viewer):
            continue
        out.append(AnswerRow(a, a.author.name, a.partner.name if a.partner else "a former member",
                             [n.title for n in a.needs], a.note if follow.note_visible_to(a, viewer) else None))
    answered = {a.author_id for a in rows}
    names = dict(db.session.execute(select(User.id, User.name).where(User.id.in_(in_group - answered))).all())
    return EventReport(out, len(in_group), helped_share(event.id, in_group, rows),
                       sorted(names.values(), key=str.lower))


def need_titles(need_ids) -> dict[int, str]:
    ids = list(need_ids)
    return dict(db.session.execute(select(Need.id, Need.title).where(Need.id.in_(ids))).all()) if ids else {}

