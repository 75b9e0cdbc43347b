"""The give-first ledger and a need's status: the functions other features write through.

Contract (other features call these; they only add and flush, the caller's boundary commits):

``record_help(group_id, giver_id, receiver_id, *, source, source_id, what, now, need_id=None,
note="", confirmed=False) -> HelpGiven``
    One line of the ledger: ``giver`` helped ``receiver``. ``source`` is ``"lunch"`` (source_id:
    the Event; written by ``outcomes.answers`` from both sides' answers), ``"offer"`` or
    ``"introduction"`` (source_id: that feature's own row id); ``what`` is lead / introduction / advice / resource / other. The same (group, giver,
    receiver, source, source_id, need) is one line: recording it again updates ``what`` and
    ``note``, and ``confirmed=True`` sets ``confirmed_at`` (once; it is never unset here).
    A line counts only once the receiving side confirmed it: record it unconfirmed when the
    giver says so, confirmed when the receiver says so. A line confirmed for the first time sends
    ``signals.help_confirmed`` (the giver is thanked by email). Refuses (ActionRefused) when either is
    not a member of the group, when they are the same person, or when the need is not the
    receiver's in this group.

``withdraw_help(group_id, source, source_id, *, keep=()) -> int``
    Removes the lines of one source (but the ids in ``keep``), when its author changes their
    answer; returns how many went.

``mark_need(need, status, helper_id, now, note="") -> NeedChange | None``
    Sets a need's status (``NeedStatus``: open / in_progress / met), records who helped
    (``helper_id``, may be None) and when, as a line of the need's history. A met need leaves
    the matching (``help.service.matching_attendees`` reads needs that are not met). Nothing is
    written when the status and helper are already those.

``ledger_counts(group_id, user_id) -> LedgerCounts``
    Confirmed help only: how many distinct people the member helped and how many helped them,
    the lines each way, and thank-you notes sent and received. For the member's own page and
    the organizer's dashboard; never for a list of others (no public leaderboard).

``need_history(need_ids) -> {need_id: [NeedChange, ...]}`` oldest first.

A member who leaves the group: their lines lose their name (``forget_member``, run on the
``member_left`` signal), so the others' counts stay and nothing of theirs shows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, bindparam, delete, func, or_, select, update

from organizer import signals
from organizer.database import among, changed_rows
from organizer.errors import ActionRefused
from organizer.extensions import db
from organizer.models import (
    GaveKind,
    HelpGiven,
    HelpSource,
    LunchAnswer,
    Membership,
    Need,
    NeedChange,
    NeedStatus,
)

NOTE_MAX = 300


def _members(group_id: int, user_ids: Iterable[int]) -> set[int]:
    return set(db.session.scalars(select(Membership.user_id).where(
        Membership.group_id == group_id, Membership.user_id.in_(list(user_ids)))))


def record_help(group_id: int, giver_id: int, receiver_id: int, *, source: str, source_id: int | None,
                what: str, now: datetime, need_id: int | None = None, note: str = "",
                confirmed: bool = False) -> HelpGiven:
    try:
        source = HelpSource(source).value
        what = GaveKind(what).value
    except ValueError:
        raise ActionRefused("Say what kind of help it was: a lead, an introduction, advice, a resource "
                            "or something else.") from None
    if giver_id == receiver_id:
        raise ActionRefused("Help is given to someone else.")
    if _members(group_id, [giver_id, receiver_id]) != {giver_id, receiver_id}:
        raise ActionRefused("Both people must be members of this group.")
    if need_id is not None:
        owner = db.session.scalar(select(Membership.user_id).join(Need, Need.membership_id == Membership.id)
                                  .where(Need.id == need_id, Membership.group_id == group_id))
        if owner != receiver_id:
            raise ActionRefused("That need is not the receiver's.")
    line = db.session.scalar(select(HelpGiven).where(
        HelpGiven.group_id == group_id, HelpGiven.giver_id == giver_id, HelpGiven.receiver_id == receiver_id,
        HelpGiven.source == source,
        HelpGiven.source_id.is_(None) if source_id is None else HelpGiven.source_id == source_id,
        HelpGiven.need_id.is_(None) if need_id is None else HelpGiven.need_id == need_id))
    if line is None:
        line = HelpGiven(group_id=group_id, giver_id=giver_id, receiver_id=receiver_id, need_id=need_id,
                         source=source, source_id=source_id, created_at=now)
        db.session.add(line)
    line.what = what
    line.note = " ".join(note.split())[:NOTE_MAX]
    newly_confirmed = confirmed and line.confirmed_at is None
    if newly_confirmed:
        line.confirmed_at = now
    db.session.flush()
    if newly_confirmed:
        signals.help_confirmed.send(line, now=now)
    return line


def withdraw_help(group_id: int, source: str, source_id: int, *, keep: Iterable[int] = ()) -> int:
    keep = list(keep)
    query = delete(HelpGiven).where(HelpGiven.group_id == group_id, HelpGiven.source == source,
                                    HelpGiven.source_id == source_id)
    if keep:
        query = query.where(HelpGiven.id.not_in(keep))
    count = changed_rows(query)
    db.session.flush()
    return count


def mark_need(need: Need, status: str, helper_id: int | None, now: datetime, note: str = "") -> NeedChange | None:
    try:
        new_status = NeedStatus(status)
    except ValueError:
        raise ActionRefused("A need is open, in progress or met.") from None
    if need.status == new_status and (helper_id is None or need.helped_by_id == helper_id):
        return None
    need.status = new_status
    if helper_id is not None:
        need.helped_by_id = helper_id
    change = NeedChange(need_id=need.id, group_id=need.membership.group_id, status=new_status, helper_id=helper_id,
                        note=" ".join(note.split())[:160], changed_at=now)
    db.session.add(change)
    db.session.flush()
    return change


_NEED_HISTORY = (select(NeedChange).where(NeedChange.need_id.in_(bindparam("need_ids", expanding=True)))
                 .order_by(NeedChange.changed_at, NeedChange.id))  # built once: "my needs and offers" shows it


def need_history(need_ids: Iterable[int]) -> dict[int, list[NeedChange]]:
    ids = list(need_ids)
    out: dict[int, list[NeedChange]] = {}
    if not ids:
        return out
    for change in db.session.scalars(_NEED_HISTORY, {"need_ids": ids}):
        out.setdefault(change.need_id, []).append(change)
    return out


@dataclass(frozen=True)
class LedgerCounts:
    people_helped: int     # distinct people this member helped (confirmed by them)
    helped_by: int         # distinct people who helped this member (confirmed by this member)
    given: int             # confirmed lines given
    received: int          # confirmed lines received
    notes_sent: int
    notes_received: int


def _distinct(column, key):
    # A member who left is None on the line; each such line counts as one person.
    return func.count(func.distinct(func.coalesce(column, -key)))


def ledger_counts(group_id: int, user_id: int) -> LedgerCounts:
    confirmed = and_(HelpGiven.group_id == group_id, HelpGiven.confirmed_at.is_not(None))
    given = db.session.execute(select(_distinct(HelpGiven.receiver_id, HelpGiven.id), func.count())
                               .where(confirmed, HelpGiven.giver_id == user_id)).one()
    received = db.session.execute(select(_distinct(HelpGiven.giver_id, HelpGiven.id), func.count())
                                  .where(confirmed, HelpGiven.receiver_id == user_id)).one()
    has_note = and_(LunchAnswer.group_id == group_id, LunchAnswer.note != "")
    sent = db.session.scalar(select(func.count()).select_from(LunchAnswer)
                             .where(has_note, LunchAnswer.author_id == user_id)) or 0
    got = db.session.scalar(select(func.count()).select_from(LunchAnswer)
                            .where(has_note, LunchAnswer.partner_id == user_id)) or 0
    return LedgerCounts(given[0], received[0], given[1], received[1], sent, got)


def giver_counts(group_id: int, user_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
    """Per member: (people they helped, people who helped them), confirmed help only."""
    ids = list(user_ids)
    out = {uid: (0, 0) for uid in ids}
    if not ids:
        return out
    confirmed = and_(HelpGiven.group_id == group_id, HelpGiven.confirmed_at.is_not(None))
    for uid, n in db.session.execute(
            select(HelpGiven.giver_id, _distinct(HelpGiven.receiver_id, HelpGiven.id))
            .where(confirmed, among(HelpGiven.giver_id, ids)).group_by(HelpGiven.giver_id)):
        out[uid] = (n, out[uid][1])
    for uid, n in db.session.execute(
            select(HelpGiven.receiver_id, _distinct(HelpGiven.giver_id, HelpGiven.id))
            .where(confirmed, among(HelpGiven.receiver_id, ids)).group_by(HelpGiven.receiver_id)):
        out[uid] = (out[uid][0], n)
    return out


def forget_member(group_id: int, user_id: int) -> None:
    """A member left: nothing of theirs stays visible in the group; the ledger keeps counts."""
    db.session.execute(update(HelpGiven).where(HelpGiven.group_id == group_id, HelpGiven.giver_id == user_id)
                       .values(giver_id=None, note=""))
    db.session.execute(update(HelpGiven).where(HelpGiven.group_id == group_id, HelpGiven.receiver_id == user_id)
                       .values(receiver_id=None, note=""))
    # Their own answers and notes go; the partners' answers about them stay the partners' own,
    # without the name (and without a note addressed to someone no longer there).
    db.session.execute(delete(LunchAnswer).where(LunchAnswer.group_id == group_id, LunchAnswer.author_id == user_id))
    db.session.execute(update(LunchAnswer).where(LunchAnswer.group_id == group_id, LunchAnswer.partner_id == user_id)
                       .values(partner_id=None))
    db.session.execute(update(NeedChange).where(NeedChange.group_id == group_id, NeedChange.helper_id == user_id)
                       .values(helper_id=None))
    in_group = select(Membership.id).where(Membership.group_id == group_id).scalar_subquery()
    db.session.execute(update(Need).where(Need.membership_id.in_(in_group), Need.helped_by_id == user_id)
                       .values(helped_by_id=None))
    db.session.flush()


def lines_of(group_id: int, user_id: int) -> list[HelpGiven]:
    """The member's own confirmed and unconfirmed lines, given and received, newest first."""
    return list(db.session.scalars(select(HelpGiven).where(
        HelpGiven.group_id == group_id, or_(HelpGiven.giver_id == user_id, HelpGiven.receiver_id == user_id))
        .order_by(HelpGiven.created_at.desc(), HelpGiven.id.desc())))
