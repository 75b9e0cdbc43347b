"""What the site tells people, one function per occasion: who receives it, what it says
(templates/email/), what is attached. Each adds to the outbox through
service.queue_message, in the transaction of the change that causes it (the receivers in
organizer.messages.reactions call these), never committing.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from organizer.database import changed_rows
from organizer.events.exports import calendar_file
from organizer.events.service import has_calendar_file
from organizer.extensions import db
from organizer.groups.memberships import membership, memberships_among
from organizer.messages import kinds, links
from organizer.messages.service import Attachment, Draft, queue_many, queue_message
from organizer.models import (
    Event,
    Group,
    GroupInvitation,
    Membership,
    MessageStatus,
    Need,
    NeedStatus,
    PairingRun,
    PairingSeat,
    PairingTable,
    Rsvp,
    RsvpState,
    User,
    Visibility,
)
from organizer.models import Message as OutboxMessage
from organizer.pairing import sheets
from organizer.timezones import SHORT_DAY_AND_TIME, local_time, when_text
from organizer.urls import base_domain, external_url


def _members(group_id: int) -> list[User]:
    return list(db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.group_id == group_id, User.lunch_guest_event_id.is_(None)).order_by(User.id)))


def _answered(event: Event, states: tuple[RsvpState, ...]) -> list[User]:
    return list(db.session.scalars(
        select(User).join(Rsvp, Rsvp.user_id == User.id)
        .join(Membership, (Membership.user_id == User.id) & (Membership.group_id == event.group_id))
        .where(Rsvp.event_id == event.id, Rsvp.state.in_([s.value for s in states])).order_by(User.id)))


def _event_calendar(event: Event, method: str = "PUBLISH") -> list[Attachment]:
    if not has_calendar_file(event):
        return []
    url = external_url("events.detail", slug=event.group.slug, event_id=event.id)
    body = calendar_file(event, domain=base_domain(), url=url, method=method).decode()
    return [Attachment(f"{event.group.slug}-event-{event.id}.ics", f"text/calendar; method={method}", body)]


def _event_context(event: Event) -> dict:
    return {"event": event, "when": when_text(event),
            "event_url": external_url("events.detail", slug=event.group.slug, event_id=event.id)}


def rsvp_url(event: Event, user: User, answer: str) -> str:
    return external_url("messages.rsvp", rsvp_token=links.sign(links.RSVP, [event.id, user.id, answer]))


# --- events -------------------------------------------------------------------------------------

def announce_event(event: Event, now: datetime) -> int:
    """A new lunch is open for RSVP: every member, with yes/no buttons and the calendar file."""
    attachments = _event_calendar(event)
    queued = 0
    for user in _members(event.group_id):
        context = {**_event_context(event), "yes_url": rsvp_url(event, user, "yes"),
                   "no_url": rsvp_url(event, user, "no")}
        queued += queue_message(
            kinds.EVENT_ANNOUNCEMENT, user, event.group, f"{event.group.name}: {event.title}, "
            f"{local_time(event.starts_at, event.group.time_zone, SHORT_DAY_AND_TIME)}",
            "event_announcement", context, dedupe_key=f"announce:{event.id}:{user.id}", now=now,
            attachments=attachments) is not None
    return queued


def _version_of(event: Event) -> str:
    """What a member was told about the event, as a short fingerprint: an edit that changes
    nothing they see sends nothing."""
    seen = "|".join(str(v) for v in (event.title, event.description, event.starts_at, event.ends_at,
                                    event.venue_name, event.venue_address, event.status))
    return hashlib.sha256(seen.encode()).hexdigest()[:16]


def tell_event_changed(event: Event, now: datetime) -> int:
    """Time, place or details changed: those who said yes or wait, with the calendar entry
    updated (same UID, higher SEQUENCE)."""
    if event.status not in ("open", "published"):
        return 0
    attachments = _event_calendar(event)
    version = _version_of(event)
    queued = 0
    for user in _answered(event, (RsvpState.GOING, RsvpState.WAITLISTED)):
        queued += queue_message(
            kinds.EVENT_UPDATE, user, event.group, f"Changed: {event.title}", "event_changed",
            _event_context(event), dedupe_key=f"changed:{event.id}:{user.id}:{version}", now=now,
            attachments=attachments) is not None
    return queued


def tell_event_cancelled(event: Event, now: datetime) -> int:
    """Cancelled: those who said yes or wait, with a calendar cancellation (METHOD:CANCEL) of
    the event and, for those seated in published pairs, of their lunch entry too."""
    attachments = _event_calendar(event, method="CANCEL")
    run = db.session.scalar(select(PairingRun).where(PairingRun.event_id == event.id,
                                                     PairingRun.published_at.is_not(None)))
    seated = _seating(run) if run is not None and attachments else {}
    queued = 0
    for user in _answered(event, (RsvpState.GOING, RsvpState.WAITLISTED)):
        files = list(attachments)
        viewer = membership(event.group_id, user.id) if user.id in seated else None
        if viewer is not None and run is not None:
            files.append(Attachment(f"lunch-{event.id}.ics", "text/calendar; method=CANCEL",
                                    sheets.member_ics(event.group, event, run, viewer, base_domain(), cancel=True)
                                    .decode()))
        queued += queue_message(
            kinds.EVENT_UPDATE, user, event.group, f"Cancelled: {event.title}", "event_cancelled",
            _event_context(event), dedupe_key=f"cancelled:{event.id}:{user.id}", now=now,
            attachments=files) is not None
    return queued


def tell_promoted(event: Event, rsvps: list[Rsvp], now: datetime) -> int:
    attachments = _event_calendar(event)
    queued = 0
    for rsvp in rsvps:
        stamp = (rsvp.promoted_at or now).strftime("%Y%m%dT%H%M%S")
        queued += queue_message(
            kinds.WAITLIST_PROMOTED, rsvp.user, event.group, f"You have a seat: {event.title}",
            "waitlist_promoted", _event_context(event),
            dedupe_key=f"promoted:{rsvp.id}:{stamp}", now=now, attachments=attachments) is not None
    return queued


def remind(event: Event, now: datetime) -> int:
    """The reminder before a lunch, to those who said yes (once per start time)."""
    stamp = event.starts_at.strftime("%Y%m%dT%H%M")
    queued = 0
    for user in _answered(event, (RsvpState.GOING,)):
        queued += queue_message(
            kinds.EVENT_REMINDER, user, event.group,
            f"Reminder: {event.title}, {local_time(event.starts_at, event.group.time_zone, SHORT_DAY_AND_TIME)}",
            "event_reminder", _event_context(event),
            dedupe_key=f"reminder:{event.id}:{user.id}:{stamp}", now=now) is not None
    return queued


def queue_reminders(now: datetime, hours: float) -> int:
    """Reminders for every lunch starting within `hours` that has not started yet."""
    events = db.session.scalars(select(Event).where(
        Event.status.in_(["open", "published"]), Event.starts_at > now,
        Event.starts_at <= now + timedelta(hours=hours)).options(selectinload(Event.group)))
    return sum(remind(event, now) for event in events)


# --- pairing ------------------------------------------------------------------------------------

def _seating(run: PairingRun) -> dict[int, tuple]:
    """Per member: their (round, table number, partners) in the version."""
    seats: dict[int, list] = {}
    for table in run.tables:
        ids = sorted(s.user_id for s in table.seats)
        for user_id in ids:
            seats.setdefault(user_id, []).append((table.round, table.number, tuple(i for i in ids if i != user_id)))
    return {user_id: tuple(sorted(rows)) for user_id, rows in seats.items()}


def _load_seating(run_ids: list[int]) -> None:
    """The versions' tables, seats and seated people, read together (not a table at a time)."""
    db.session.scalars(select(PairingRun).where(PairingRun.id.in_(run_ids)).options(
        selectinload(PairingRun.tables).selectinload(PairingTable.seats).selectinload(PairingSeat.user))).all()


def tell_pairs_published(run: PairingRun, event: Event, previous: PairingRun | None, now: datetime) -> int:
    """Published pairs: "your lunch partner is ready" for those newly seated, "your table
    changed" for those whose seats differ from the version published before; each as the
    member's lunch page shows it (only what they may see), with their calendar entry. The
    statements do not grow with the attendees: the versions, the members, their partners'
    needs and offers are read once, and the messages are queued together."""
    _load_seating([run.id] + ([previous.id] if previous is not None else []))
    now_seats = _seating(run)
    before = _seating(previous) if previous is not None else {}
    stamp = now.strftime("%Y%m%dT%H%M%S")
    members = memberships_among(event.group_id, now_seats)
    viewers = [members[user_id] for user_id, seats in now_seats.items()
               if before.get(user_id) != seats and user_id in members and not members[user_id].user.is_lunch_guest]
    group = event.group
    lunches = sheets.member_lunches(group, event, run, viewers, now)
    calendar = has_calendar_file(event)
    lunch_url = external_url("pairing.mine", slug=group.slug, event_id=event.id)
    drafts = []
    for viewer in viewers:
        user_id = viewer.user_id
        changed = user_id in before
        attachments = []
        if calendar:
            attachments.append(Attachment(f"lunch-{event.id}.ics", "text/calendar; method=PUBLISH",
                                          sheets.member_ics(group, event, run, viewer, base_domain()).decode()))
        context = {**_event_context(event), "lunch": lunches[user_id], "changed": changed, "lunch_url": lunch_url}
        if changed:
            drafts.append(Draft(kinds.TABLE_CHANGED, viewer.user, group, f"Your table changed: {event.title}",
                                "partner_ready", context, f"table:{run.id}:{user_id}:{stamp}", attachments))
        else:
            drafts.append(Draft(kinds.PARTNER_READY, viewer.user, group, f"Your lunch partner is ready: {event.title}",
                                "partner_ready", context, f"partner:{run.id}:{user_id}:{stamp}", attachments))
    return queue_many(drafts, now)


# --- groups -------------------------------------------------------------------------------------

def tell_invited(group: Group, invitation: GroupInvitation, now: datetime) -> int:
    """An organizer named an existing account (walk-in, import, or by email): its owner is
    asked to accept on their groups page, after logging in."""
    context = {"inviter": db.session.get(User, invitation.invited_by_id) if invitation.invited_by_id else None,
               "accept_url": external_url("groups.index")}
    return queue_message(
        kinds.INVITATION, invitation.user, group, f"You are invited to join {group.name}", "invitation_existing",
        context, dedupe_key=f"invited:{invitation.id}", now=now) is not None


def forget_queued_for(group_id: int, user_id: int) -> int:
    """A member left or was removed: what was still waiting for them from the group is not sent."""
    return changed_rows(
        update(OutboxMessage).where(OutboxMessage.group_id == group_id, OutboxMessage.user_id == user_id,
                                    OutboxMessage.status == MessageStatus.QUEUED)
        .values(status=MessageStatus.CANCELLED).execution_options(synchronize_session=False))


# --- the weekly digest --------------------------------------------------------------------------

DIGEST_KEYS_PER_STATEMENT = 500


def _digest_key(group_id: int, user_id: int, year: int, week: int) -> str:
    return f"digest:{group_id}:{user_id}:{year}-W{week:02d}"


def queue_digests(now: datetime) -> int:
    """Once per ISO week: to each member who asked for it, the group's needs opened in the last
    seven days that every member may see (shared with the whole group), not their own. Those
    already written to this week are skipped first, in a statement per 500 subscribers: a tick
    after the week's digests went out reads nothing more per subscriber."""
    from organizer.models import MessagePreference

    year, week, _ = now.isocalendar()
    wanted = db.session.execute(
        select(MessagePreference.user_id, MessagePreference.group_id).where(
            MessagePreference.kind == kinds.WEEKLY_DIGEST, MessagePreference.enabled.is_(True))).all()
    keys = [_digest_key(group_id, user_id, year, week) for user_id, group_id in wanted]
    sent: set[str] = set()
    for start in range(0, len(keys), DIGEST_KEYS_PER_STATEMENT):
        sent.update(db.session.scalars(select(OutboxMessage.dedupe_key).where(
            OutboxMessage.dedupe_key.in_(keys[start:start + DIGEST_KEYS_PER_STATEMENT]))))
    queued = 0
    for (user_id, group_id), key in zip(wanted, keys, strict=True):
        if key in sent:
            continue
        member = membership(group_id, user_id)
        if member is None:
            continue
        needs = list(db.session.scalars(
            select(Need).join(Membership, Need.membership_id == Membership.id)
            .where(Membership.group_id == group_id, Need.membership_id != member.id,
                   Need.visibility == Visibility.GROUP.value, Need.status == NeedStatus.OPEN,
                   Need.created_at > now - timedelta(days=7))
            .options(selectinload(Need.membership).selectinload(Membership.user))
            .order_by(Need.created_at.desc(), Need.id.desc()).limit(30)))
        if not needs:
            continue
        context = {"needs": needs, "offer_url": external_url("members.mine", slug=member.group.slug),
                   "directory_url": external_url("members.index", slug=member.group.slug)}
        queued += queue_message(
            kinds.WEEKLY_DIGEST, member.user, member.group, f"This week's asks in {member.group.name}: can you help?",
            "weekly_digest", context, dedupe_key=key, now=now) is not None
    return queued
