"""Follow-up after a lunch: "Did your lunch with Raj help?" and its mirror, "Did you help Nadia
with something?", one answer per partner, and what follows from it.

* An attendee seated at a table of the event's published pairing answers about each table
  mate, from the moment the event is done or the day after its start, whichever comes first.
* An answer can be changed for ``CHANGE_DAYS`` days after it was first given, then it is
  frozen for the ledger.
* "Yes" or "a little" is the receiving side's confirmation: the ledger lines partner -> author
  (one per need named, or one without a need) count from then on (``service.record_help``).
  The mirror ("I gave Nadia an introduction") writes an unconfirmed line, counted once Nadia
  confirms.
* Needs named in a helpful answer are marked met or in progress as the author chooses
  (``service.mark_need``): a met need leaves the matching.
* Help newly confirmed sends ``signals.help_confirmed`` (from the ledger), a first note
  ``signals.lunch_note_written``: the partner is emailed (the messages feature).
* Who may read: the two people and the group's organizers; the note's text only the two, and
  organizers when its author allowed it (``note_visible_to``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Row, bindparam, exists, or_, select
from sqlalchemy.orm import selectinload

from organizer import signals
from organizer.database import read_rows
from organizer.errors import ActionRefused
from organizer.extensions import db
from organizer.models import (
    Event,
    EventStatus,
    GaveKind,
    Helped,
    HelpGiven,
    HelpSource,
    LunchAnswer,
    Membership,
    Need,
    NeedStatus,
    PairingRun,
    PairingSeat,
    PairingTable,
    User,
)
from organizer.outcomes import service as ledger
from organizer.pairing.reasons import MEMBER, visible_reasons

CHANGE_DAYS = 30
OPENS_AFTER_START = timedelta(days=1)
NOTE_MAX = 1000
POSITIVE = (Helped.YES.value, Helped.A_LITTLE.value)

HELPED_WORDS = {"yes": "Yes", "a-little": "A little", "not-yet": "Not yet", "did-not-meet": "We didn't meet"}
GAVE_WORDS = {"lead": "a lead", "introduction": "an introduction", "advice": "advice", "resource": "a resource",
              "other": "something else"}


def follow_up_open(event: Event, now: datetime) -> bool:
    return event.status != EventStatus.CANCELLED and (
        event.status == EventStatus.DONE or now >= event.starts_at + OPENS_AFTER_START)


def frozen(answer: LunchAnswer | None, now: datetime) -> bool:
    return answer is not None and now > answer.created_at + timedelta(days=CHANGE_DAYS)


def table_mates(event_id: int, user_id: int) -> dict[int, PairingTable]:
    """Who sat with ``user_id`` at the event's published pairing, with the table (any round)."""
    mine = (select(PairingSeat.table_id).join(PairingTable).join(PairingRun)
            .where(PairingRun.event_id == event_id, PairingRun.published_at.is_not(None),
                   PairingSeat.user_id == user_id))
    tables = {t.id: t for t in db.session.scalars(select(PairingTable).where(PairingTable.id.in_(mine)))}
    mates: dict[int, PairingTable] = {}
    for table_id, other in db.session.execute(select(PairingSeat.table_id, PairingSeat.user_id).where(
            PairingSeat.table_id.in_(list(tables)), PairingSeat.user_id != user_id)):
        mates.setdefault(other, tables[table_id])
    return mates


def members_among(group_id: int, user_ids) -> dict[int, User]:
    ids = list(user_ids)
    if not ids:
        return {}
    return {u.id: u for u in db.session.scalars(select(User).join(Membership, Membership.user_id == User.id)
                                                 .where(Membership.group_id == group_id, User.id.in_(ids)))}


# --- what an attendee sees -----------------------------------------------------------

@dataclass
class FollowUp:
    event: Event
    partner: User
    answer: LunchAnswer | None            # mine about the partner
    theirs: LunchAnswer | None            # the partner's about me
    my_needs: list[Need]                  # what I may name: my needs not met (and those this answer named)
    suggested: list[str] = field(default_factory=list)   # what the pairing said they could help me with
    frozen: bool = False


def _my_needs(member: Membership, answer: LunchAnswer | None) -> list[Need]:
    named = [n.id for n in answer.needs] if answer else []
    return list(db.session.scalars(select(Need).where(
        Need.membership_id == member.id,
        or_(Need.status != NeedStatus.MET, Need.id.in_(named))).order_by(Need.created_at, Need.id)))


# Built once (the group's overview asks on every visit; building a statement costs as much
# as running it): the latest events of the group, already started, whose published pairs
# seat the member. Their ids first, as rows: most visits find none, and an empty read of
# events costs three times as much through the ORM.
_SEATED_EVENT_IDS = (
    select(Event.id).where(
        Event.group_id == bindparam("group_id"),
        Event.id.in_(select(PairingRun.event_id).join(PairingTable).join(PairingSeat).where(
            PairingSeat.user_id == bindparam("user_id"), PairingRun.published_at.is_not(None))),
        Event.status != EventStatus.CANCELLED, Event.starts_at <= bindparam("now"))
    .order_by(Event.starts_at.desc()).limit(bindparam("limit")))
# Whether _SEATED_EVENT_IDS has any row: the overview asks it with its checklist, and reads the
# follow-ups only then (most visits find none).
SEATED_AT_A_STARTED_LUNCH = exists().where(
    PairingSeat.user_id == bindparam("user_id"), PairingSeat.table_id == PairingTable.id,
    PairingTable.run_id == PairingRun.id, PairingRun.published_at.is_not(None), PairingRun.event_id == Event.id,
    Event.group_id == bindparam("group_id"), Event.status != EventStatus.CANCELLED, Event.starts_at <= bindparam("now"))
_EVENTS_LATEST_FIRST = (select(Event).where(Event.id.in_(bindparam("ids", expanding=True)))
                        .order_by(Event.starts_at.desc()))


def follow_ups(member: Membership, now: datetime, event: Event | None = None,
               unanswered_only: bool = False, limit_events: int = 3) -> list[FollowUp]:
    """The follow-up forms the member sees: for one event (its page), or the latest events
    whose follow-up is open (the overview; only those not answered yet with ``unanswered_only``)."""
    if event is not None:
        events = [event] if follow_up_open(event, now) else []
    else:
        ids = read_rows(_SEATED_EVENT_IDS, {
            "group_id": member.group_id, "user_id": member.user_id, "now": now, "limit": limit_events}).scalars().all()
        candidates: Iterable[Event] = db.session.scalars(_EVENTS_LATEST_FIRST, {"ids": ids}) if ids else ()
        events = [e for e in candidates if follow_up_open(e, now)]
    out = []
    for ev in events:
        mates = table_mates(ev.id, member.user_id)
        people = members_among(member.group_id, mates)
        answers = {(a.author_id, a.partner_id): a for a in db.session.scalars(
            select(LunchAnswer).where(LunchAnswer.event_id == ev.id, or_(
                LunchAnswer.author_id == member.user_id, LunchAnswer.partner_id == member.user_id))
            .options(selectinload(LunchAnswer.needs)))}
        for partner_id, table in sorted(mates.items(), key=lambda kv: (kv[1].round, kv[0])):
            partner = people.get(partner_id)
            if partner is None:  # a stand-in guest, or someone who left the group
                continue
            mine = answers.get((member.user_id, partner_id))
            if unanswered_only and mine is not None:
                continue
            readable = visible_reasons(member.group_id, [table], MEMBER, member.user_id,
                                       frozenset({partner_id}))[table.id]
            suggested = [f"{r.get('offer') or r.get('topic') or 'their experience'} (for your need: {r['need']})"
                         for r in readable if r["helper"] == partner_id and r["helped"] == member.user_id]
            out.append(FollowUp(ev, partner, mine, answers.get((partner_id, member.user_id)),
                                _my_needs(member, mine), suggested, frozen(mine, now)))
    return out


# --- answering --------------------------------------------------------------------------

@dataclass
class AnswerInput:
    helped: str | None = None                 # a Helped value, or None (only the mirror answered)
    need_ids: list[int] = field(default_factory=list)
    something_else: str = ""
    gave: list[str] = field(default_factory=list)
    note: str = ""
    note_for_organizers: bool = False
    mark: str = NeedStatus.MET          # what the named needs become: met, in_progress, or "" (as they are)
    gave_partner: list[str] = field(default_factory=list)
    gave_partner_text: str = ""


def _clean(text: str, limit: int) -> str:
    return " ".join((text or "").split())[:limit]


def _check(data: AnswerInput) -> AnswerInput:
    if data.helped is not None and data.helped not in {h.value for h in Helped}:
        raise ActionRefused("Choose yes, a little, not yet or we didn't meet.")
    kinds = {g.value for g in GaveKind}
    if not set(data.gave) <= kinds or not set(data.gave_partner) <= kinds:
        raise ActionRefused("Choose a lead, an introduction, advice, a resource or something else.")
    if data.mark not in ("", NeedStatus.MET, NeedStatus.IN_PROGRESS):
        raise ActionRefused("A need you were helped with is met or in progress.")
    note = (data.note or "").strip()
    if len(note) > NOTE_MAX:
        raise ActionRefused(f"A thank-you note has at most {NOTE_MAX} characters.")
    if data.helped is None and not data.gave_partner and not note:
        raise ActionRefused("Say whether the lunch helped you, or what you gave.")
    if data.helped not in POSITIVE and (data.need_ids or data.something_else.strip()):
        raise ActionRefused("Name a need only when the lunch helped you with it.")
    return AnswerInput(data.helped, list(dict.fromkeys(data.need_ids)), _clean(data.something_else, 160),
                       list(dict.fromkeys(data.gave)), note, bool(data.note_for_organizers), data.mark,
                       list(dict.fromkeys(data.gave_partner)), _clean(data.gave_partner_text, 160))


def save_answer(member: Membership, event: Event, partner_id: int, data: AnswerInput, now: datetime,
                at_the_lunch: bool = False) -> LunchAnswer:
    """Records (or changes) the member's answer about one table mate, and what follows from it.
    ``at_the_lunch``: answers collected on paper at the lunch (the command line) are taken as soon
    as the pairing is published."""
    if event.group_id != member.group_id:
        raise ActionRefused("That lunch is not in this group.")
    if event.status == EventStatus.CANCELLED:
        raise ActionRefused("That lunch was cancelled.")
    if not at_the_lunch and not follow_up_open(event, now):
        raise ActionRefused("You can say how the lunch went once it has taken place.")
    if partner_id not in table_mates(event.id, member.user_id) or not members_among(member.group_id, [partner_id]):
        raise ActionRefused("You did not sit with that person at this lunch (or its pairing is not published).")
    data = _check(data)
    answer = db.session.scalar(select(LunchAnswer).where(
        LunchAnswer.event_id == event.id, LunchAnswer.author_id == member.user_id,
        LunchAnswer.partner_id == partner_id))
    if frozen(answer, now):
        raise ActionRefused(f"Answers can be changed for {CHANGE_DAYS} days; this one is kept as it is.")
    allowed = {n.id: n for n in _my_needs(member, answer)}
    if not set(data.need_ids) <= set(allowed):
        raise ActionRefused("Choose among your own needs.")
    first_note = bool(data.note) and not (answer.note if answer is not None else "")
    if answer is None:
        answer = LunchAnswer(group_id=member.group_id, event_id=event.id, author_id=member.user_id,
                             partner_id=partner_id, created_at=now)
        db.session.add(answer)
    answer.helped = data.helped
    answer.needs = [allowed[i] for i in data.need_ids]
    answer.something_else = data.something_else
    answer.gave = data.gave
    answer.note = data.note
    answer.note_for_organizers = data.note_for_organizers
    answer.gave_partner = data.gave_partner
    answer.gave_partner_text = data.gave_partner_text
    answer.updated_at = now
    db.session.flush()
    theirs = db.session.scalar(select(LunchAnswer).where(
        LunchAnswer.event_id == event.id, LunchAnswer.author_id == partner_id,
        LunchAnswer.partner_id == member.user_id))
    if data.helped in POSITIVE and data.mark:
        for need in answer.needs:
            ledger.mark_need(need, data.mark, partner_id, now, note=_gave_text(answer.gave))
    # The lines after the needs: a line newly confirmed thanks the partner by email
    # (signals.help_confirmed), and the note says which needs are met.
    sync_lines(member.group_id, event.id, giver_id=partner_id, receiver_id=member.user_id,
               received=answer, claimed=theirs, now=now)
    sync_lines(member.group_id, event.id, giver_id=member.user_id, receiver_id=partner_id,
               received=theirs, claimed=answer, now=now)
    if first_note:  # the partner is sent the note (with the thank-you when this answer confirmed help)
        signals.lunch_note_written.send(answer, now=now)
    return answer


def _gave_text(kinds: list[str]) -> str:
    return ", ".join(GAVE_WORDS[k] for k in kinds if k in GAVE_WORDS)


def sync_lines(group_id: int, event_id: int, *, giver_id: int, receiver_id: int, received: LunchAnswer | None,
               claimed: LunchAnswer | None, now: datetime) -> None:
    """The ledger lines giver -> receiver of this lunch, from both sides' answers: confirmed
    lines when the receiver said it helped (one per need named, or one without), else one
    unconfirmed line when the giver says they gave something."""
    old = list(db.session.scalars(select(HelpGiven).where(
        HelpGiven.group_id == group_id, HelpGiven.source == HelpSource.LUNCH.value,
        HelpGiven.source_id == event_id, HelpGiven.giver_id == giver_id, HelpGiven.receiver_id == receiver_id)))
    confirmed_before = {line.need_id: line.confirmed_at for line in old if line.confirmed_at}
    claim = claimed.gave_partner if claimed is not None else []
    keep = []
    if received is not None and received.helped in POSITIVE:
        what = (received.gave or claim or [GaveKind.OTHER.value])[0]
        note = (claimed.gave_partner_text if claimed is not None else "") or received.something_else
        need_ids: list[int | None] = [n.id for n in received.needs] or [None]
        for need_id in need_ids:
            line = ledger.record_help(group_id, giver_id, receiver_id, source=HelpSource.LUNCH.value,
                                      source_id=event_id, what=what, now=now, need_id=need_id, note=note,
                                      confirmed=True)
            line.confirmed_at = confirmed_before.get(need_id, line.confirmed_at)
            keep.append(line.id)
    elif claim:
        line = ledger.record_help(group_id, giver_id, receiver_id, source=HelpSource.LUNCH.value, source_id=event_id,
                                  what=claim[0], now=now, note=claimed.gave_partner_text if claimed else "")
        line.confirmed_at = None
        keep.append(line.id)
    for line in old:
        if line.id not in keep:
            db.session.delete(line)
    db.session.flush()


# --- who may read ---------------------------------------------------------------------------

def may_read_answer(answer: LunchAnswer, viewer: Membership) -> bool:
    return answer.group_id == viewer.group_id and (
        viewer.is_organizer or viewer.user_id in (answer.author_id, answer.partner_id))


def note_visible_to(answer: LunchAnswer, viewer: Membership) -> bool:
    if answer.group_id != viewer.group_id or not answer.note:
        return False
    return viewer.user_id in (answer.author_id, answer.partner_id) or (
        viewer.is_organizer and answer.note_for_organizers)


_NOTES_RECEIVED = (
    select(LunchAnswer).where(LunchAnswer.group_id == bindparam("group_id"),
                              LunchAnswer.partner_id == bindparam("user_id"), LunchAnswer.note != "")
    .order_by(LunchAnswer.updated_at.desc(), LunchAnswer.id.desc()).limit(bindparam("limit"))
    .options(selectinload(LunchAnswer.author), selectinload(LunchAnswer.event)))  # built once, as above


def notes_received(member: Membership, limit: int = 50) -> list[LunchAnswer]:
    values = {"group_id": member.group_id, "user_id": member.user_id, "limit": limit}
    return list(db.session.scalars(_NOTES_RECEIVED, values))


_LATEST_NOTES_RECEIVED = (  # built once, as above; rows of what the overview shows
    select(User.name.label("author_name"), LunchAnswer.note).join(User, User.id == LunchAnswer.author_id)
    .where(LunchAnswer.group_id == bindparam("group_id"), LunchAnswer.partner_id == bindparam("user_id"),
           LunchAnswer.note != "", LunchAnswer.updated_at >= bindparam("since"))
    .order_by(LunchAnswer.updated_at.desc(), LunchAnswer.id.desc()).limit(bindparam("limit")))


# Whether _LATEST_NOTES_RECEIVED has any row (asked with the overview's checklist, as above).
NOTE_RECEIVED_SINCE = exists().where(
    LunchAnswer.group_id == bindparam("group_id"), LunchAnswer.partner_id == bindparam("user_id"),
    LunchAnswer.note != "", LunchAnswer.updated_at >= bindparam("since"))


def notes_since(now: datetime) -> datetime:
    """Since when the overview shows the thank-you notes received."""
    return now - timedelta(days=CHANGE_DAYS)


def latest_notes_received(member: Membership, since: datetime, limit: int = 5) -> list[Row]:
    """The notes received since `since`, newest first: rows of the author's name and the note."""
    return list(read_rows(_LATEST_NOTES_RECEIVED, {
        "group_id": member.group_id, "user_id": member.user_id, "since": since, "limit": limit}).all())


def notes_sent(member: Membership, limit: int = 50) -> list[LunchAnswer]:
    return list(db.session.scalars(
        select(LunchAnswer).where(LunchAnswer.group_id == member.group_id, LunchAnswer.author_id == member.user_id,
                                  LunchAnswer.note != "")
        .order_by(LunchAnswer.updated_at.desc(), LunchAnswer.id.desc()).limit(limit)
        .options(selectinload(LunchAnswer.partner), selectinload(LunchAnswer.event))))

