"""What the site tells people after a lunch (the after-lunch feature, organizer.outcomes):

* the **follow-up**: once a lunch is over (marked done, or the day after its start, as the
  follow-up forms open), each attendee who sat with someone gets one message naming who they
  met, with a link to say how it went about each of them (``tell_after_lunch``, on the
  ``event_done`` signal and on every round of the outbox worker for lunches that nobody marked
  done: ``queue_after_lunch``). One per member and lunch, whatever runs it how often.
* the **thank-you note**: when the receiving side confirms help ("it helped", after a lunch, an
  offer of help or an introduction), the helper is told who thanked them, for which need only
  when the helper may see that need, and with the thanker's note after a lunch (``tell_thanked``,
  on the ``help_confirmed`` signal). One per thank-you. A note written after a lunch without
  confirming help ("we didn't meet, but thank you") goes to the partner too, once
  (``tell_note``, on ``lunch_note_written``).

Both go through service.queue_message: preferences, unsubscribe, the daily cap apply. Adds and
flushes; the caller commits.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from organizer.extensions import db
from organizer.groups.memberships import membership
from organizer.members.service import published_partner_ids, visible_needs_query
from organizer.messages import kinds
from organizer.messages.service import queue_message
from organizer.models import (
    Event,
    EventStatus,
    Group,
    HelpGiven,
    HelpSource,
    LunchAnswer,
    Message,
    Need,
    NeedStatus,
    PairingRun,
    User,
)
from organizer.outcomes import answers, history
from organizer.timezones import local_time, when_text
from organizer.urls import external_url

# Lunches that ended longer ago than this get no follow-up from the periodic pass (a site that
# starts sending, or a worker back after a long stop, does not write about old lunches).
FOLLOW_UP_WITHIN = timedelta(days=7)


# --- the follow-up ------------------------------------------------------------------------------

def _key(event_id: int, user_id: int) -> str:
    return f"after-lunch:{event_id}:{user_id}"


def tell_after_lunch(event: Event, now: datetime) -> int:
    """To each attendee of the lunch's published pairs who sat with a member: who they met and
    where to say whether it helped (only the partners they have not answered about yet)."""
    if not answers.follow_up_open(event, now):
        return 0
    group = event.group
    seated = sorted(history.seated_ids(event.id))
    # Those already told are skipped before any work (the worker runs this every round).
    told = set(db.session.scalars(select(Message.dedupe_key).where(
        Message.dedupe_key.in_([_key(event.id, user_id) for user_id in seated]))))
    waiting = [user_id for user_id in seated if _key(event.id, user_id) not in told]
    if not waiting:
        return 0
    people = answers.members_among(group.id, seated)  # no stand-ins, nobody who left
    answered: dict[int, set[int | None]] = {}
    for author_id, partner_id in db.session.execute(select(LunchAnswer.author_id, LunchAnswer.partner_id).where(
            LunchAnswer.event_id == event.id, LunchAnswer.author_id.in_(waiting))):
        answered.setdefault(author_id, set()).add(partner_id)
    queued = 0
    for user_id in waiting:
        user = people.get(user_id)
        if user is None or user.is_lunch_guest:
            continue
        mates = answers.table_mates(event.id, user_id)
        partners: list[dict[str, Any]] = [
            {"user": people[partner_id], "table": table,
             "answer_url": external_url("outcomes.answer", slug=group.slug, event_id=event.id, user_id=partner_id)}
            for partner_id, table in sorted(mates.items(), key=lambda kv: (kv[1].round, kv[1].number, kv[0]))
            if partner_id in people and partner_id not in answered.get(user_id, set())]
        if not partners:
            continue
        names = " and ".join(p["user"].name for p in partners[:2]) + (" and others" if len(partners) > 2 else "")
        context = {"event": event, "when": when_text(event), "partners": partners,
                   "event_url": external_url("events.detail", slug=group.slug, event_id=event.id),
                   "lunches_url": external_url("outcomes.lunches", slug=group.slug),
                   "change_days": answers.CHANGE_DAYS}
        queued += queue_message(
            kinds.AFTER_LUNCH_FOLLOWUP, user, group, f"Did your lunch with {names} help?", "after_lunch",
            context, dedupe_key=_key(event.id, user_id), now=now) is not None
    return queued


def queue_after_lunch(now: datetime) -> int:
    """The follow-up of every lunch of the last FOLLOW_UP_WITHIN whose answers are open (done, or
    the day after its start) and whose pairs were published; already told members are skipped
    (the idempotency key), so running it again sends nothing more."""
    published = select(PairingRun.event_id).where(PairingRun.published_at.is_not(None))
    events = db.session.scalars(select(Event).where(
        Event.id.in_(published), Event.status.in_([EventStatus.OPEN, EventStatus.PUBLISHED,
                                                   EventStatus.DONE]),
        Event.starts_at <= now, Event.ends_at > now - FOLLOW_UP_WITHIN)
        .options(selectinload(Event.group)).order_by(Event.starts_at, Event.id))
    return sum(tell_after_lunch(event, now) for event in events if answers.follow_up_open(event, now))


# --- the thank-you note -------------------------------------------------------------------------

def _needs_the_helper_sees(needs: list[Need], helper_id: int, group_id: int, now: datetime) -> list[Need]:
    """Those of the needs the helper may see now (each owner chose who sees each need: the group,
    lunch partners, organizers), in one query; the message names no other need."""
    if not needs:
        return []
    helper = membership(group_id, helper_id)
    if helper is None:
        return []
    visible = {n.id for n in visible_needs_query(helper, None, published_partner_ids(helper, now),
                                                 membership_ids=sorted({n.membership_id for n in needs}))}
    return [n for n in needs if n.id in visible]


def tell_thanked(line: HelpGiven, now: datetime) -> bool:
    """The giver of a line just confirmed by its receiver: who thanked them, for what they may
    see, with the receiver's note after a lunch."""
    if line.giver_id is None or line.receiver_id is None:
        return False
    helper, thanker = db.session.get(User, line.giver_id), db.session.get(User, line.receiver_id)
    if helper is None or thanker is None:
        return False
    group = db.session.get_one(Group, line.group_id)
    needs: list[Need] = [line.need] if line.need is not None else []
    note, event, page_url = "", None, external_url("outcomes.mine", slug=group.slug)
    if line.source == HelpSource.LUNCH.value and line.source_id is not None:
        event = db.session.get(Event, line.source_id)
        said = db.session.scalar(select(LunchAnswer).where(
            LunchAnswer.event_id == line.source_id, LunchAnswer.author_id == thanker.id,
            LunchAnswer.partner_id == helper.id).options(selectinload(LunchAnswer.needs)))
        if said is not None:
            needs, note = list(said.needs), said.note
        page_url = external_url("outcomes.lunches", slug=group.slug)
        key = _lunch_thanks_key(line.source_id, thanker.id, helper.id)
    elif line.source == HelpSource.INTRODUCTION.value:
        page_url = external_url("asks.introduction", slug=group.slug, introduction_id=line.source_id)
        key = f"thanks:introduction:{line.source_id}:{thanker.id}"
    else:
        page_url = external_url("asks.mine", slug=group.slug)
        key = f"thanks:{line.source}:{line.source_id}:{thanker.id}:{helper.id}"
    shown = _needs_the_helper_sees(needs, helper.id, group.id, now)
    context = {"thanker": thanker, "needs": shown, "met": [n for n in shown if n.status == NeedStatus.MET],
               "note": note, "event": event, "source": line.source, "page_url": page_url,
               "when": local_time(event.starts_at, group.time_zone, "%A %d %B") if event is not None else ""}
    return queue_message(kinds.THANK_YOU_NOTE, helper, group, f"{thanker.name} says thank you",
                         "thank_you_note", context, dedupe_key=key, now=now) is not None


def _lunch_thanks_key(event_id: int, author_id: int, partner_id: int) -> str:
    return f"thanks:lunch:{event_id}:{author_id}:{partner_id}"


def tell_note(answer: LunchAnswer, now: datetime) -> bool:
    """A first note about a table mate: to that partner, unless the thank-you queued by this very
    answer (same moment) already carries it. Names no need."""
    if answer.partner_id is None or not answer.note:
        return False
    carried = db.session.scalar(select(Message.created_at).where(
        Message.dedupe_key == _lunch_thanks_key(answer.event_id, answer.author_id, answer.partner_id)))
    if carried is not None and carried == now:
        return False
    partner, author = db.session.get(User, answer.partner_id), db.session.get(User, answer.author_id)
    event, group = db.session.get(Event, answer.event_id), db.session.get(Group, answer.group_id)
    if partner is None or author is None or event is None or group is None:
        return False
    context = {"thanker": author, "needs": [], "met": [], "note": answer.note, "event": event, "source": "note",
               "page_url": external_url("outcomes.lunches", slug=group.slug),
               "when": local_time(event.starts_at, group.time_zone, "%A %d %B")}
    return queue_message(kinds.THANK_YOU_NOTE, partner, group, f"{author.name} wrote you a note", "thank_you_note",
                         context, dedupe_key=f"note:lunch:{answer.event_id}:{answer.author_id}:{answer.partner_id}",
                         now=now) is not None
