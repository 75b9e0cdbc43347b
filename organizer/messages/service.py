"""Messages: queue an email in the outbox, in the caller's transaction (add and flush, never
commit). A worker delivers it later (organizer.messages.delivery).

The API other features use (stable; it is only ever extended):

    from organizer.messages import kinds
    from organizer.messages.service import queue_message

    queue_message(kind: str, to: User, group: Group | None, subject: str, template: str,
                  context: dict, *, dedupe_key: str, now: datetime,
                  attachments: Sequence[Attachment] = ()) -> Message | None

* ``kind``: one of organizer.messages.kinds.KINDS (account_recovery, invitation,
  event_announcement, event_update, event_reminder, waitlist_promoted, partner_ready,
  table_changed, weekly_digest, after_lunch_followup, thank_you_note); add new kinds there.
* ``template``: the name under templates/email/, without extension: both
  ``email/<template>.txt`` (plain text) and ``email/<template>.html`` (autoescaped) are
  rendered now, with ``context`` plus ``recipient`` (the User), ``group``, ``link(endpoint,
  **values)`` (an absolute URL from BASE_URL), ``unsubscribe_url`` and ``preferences_url``.
* ``subject``: plain text; line breaks and control characters are removed (no header
  injection), and it is cut to 200 characters.
* ``dedupe_key``: the idempotency key: a message with the same key is never queued again
  (the call returns None), e.g. f"announce:{event.id}:{user.id}".
* Returns None, and queues nothing, when the recipient turned the kind off for the group,
  unsubscribed, already got MESSAGES_PER_DAY capped messages in the last 24 hours, or is a
  lunch's stand-in guest (no real address). Security kinds ignore preferences and the cap.

``queue_to_address(...)`` does the same for an address without an account (an invitation).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from organizer.extensions import db
from organizer.groups.memberships import membership
from organizer.messages import kinds, links
from organizer.models import Group, Message, MessagePreference, MessageStatus, User
from organizer.urls import base_domain, external_url

SUBJECT_MAX = 200
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")
# Set on the session when a message is queued: the app starts a delivery once it commits.
PENDING_FLAG = "outbox_pending"


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str   # "text/calendar; method=PUBLISH"
    content: str


def one_line(text: str, limit: int = SUBJECT_MAX) -> str:
    """Text safe for an email header: no line breaks or control characters, bounded."""
    cleaned = " ".join(_CONTROL.sub(" ", text or "").split())
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1].rstrip() + "…"


# --- preferences ------------------------------------------------------------------------------

def wants(user_id: int, group_id: int | None, kind_name: str) -> bool:
    """Whether the member receives this kind from this group (security kinds: always)."""
    kind = kinds.kind(kind_name)
    if not kind.optional or group_id is None:
        return True
    chosen = db.session.scalar(select(MessagePreference.enabled).where(
        MessagePreference.user_id == user_id, MessagePreference.group_id == group_id,
        MessagePreference.kind == kind_name))
    return kind.default_on if chosen is None else chosen


def preferences_of(user_id: int, group_id: int) -> dict[str, bool]:
    chosen = dict(db.session.execute(select(MessagePreference.kind, MessagePreference.enabled).where(
        MessagePreference.user_id == user_id, MessagePreference.group_id == group_id)).all())
    return {k.name: chosen.get(k.name, k.default_on) for k in kinds.choosable()}


def set_preference(user_id: int, group_id: int, kind_name: str, enabled: bool, now: datetime) -> None:
    """Records a member's choice (no commit). Security kinds cannot be turned off."""
    kind = kinds.kind(kind_name)
    if not kind.optional:
        return
    row = db.session.scalar(select(MessagePreference).where(
        MessagePreference.user_id == user_id, MessagePreference.group_id == group_id,
        MessagePreference.kind == kind_name))
    if row is None:
        db.session.add(MessagePreference(user_id=user_id, group_id=group_id, kind=kind_name,
                                         enabled=enabled, changed_at=now))
    elif row.enabled != enabled:
        row.enabled, row.changed_at = enabled, now
    db.session.flush()


def unsubscribe_token(user_id: int, group_id: int, kind_name: str) -> str:
    return links.sign(links.UNSUBSCRIBE, [user_id, group_id, kind_name])


def unsubscribe_target(token: str) -> tuple[User, Group, kinds.Kind] | None:
    """Who and what a signed unsubscribe link is about, or None when it is not valid."""
    payload = links.unsign(links.UNSUBSCRIBE, token)
    if not payload or len(payload) != 3:
        return None
    user_id, group_id, kind_name = payload
    kind = kinds.KINDS.get(kind_name) if isinstance(kind_name, str) else None
    if kind is None or not kind.optional or not isinstance(user_id, int) or not isinstance(group_id, int):
        return None
    user, group = db.session.get(User, user_id), db.session.get(Group, group_id)
    if user is None or group is None:
        return None
    return user, group, kind


# --- queueing ---------------------------------------------------------------------------------

def sent_today(user_id: int, now: datetime) -> int:
    capped = [k.name for k in kinds.KINDS.values() if k.capped]
    return db.session.scalar(select(func.count()).select_from(Message).where(
        Message.user_id == user_id, Message.kind.in_(capped),
        Message.created_at > now - timedelta(days=1))) or 0


def queue_message(kind: str, to: User, group: Group | None, subject: str, template: str, context: dict,
                  *, dedupe_key: str, now: datetime, attachments: Sequence[Attachment] = ()) -> Message | None:
    """Queues one email to a user (see the module docstring). Adds and flushes; no commit."""
    spec = kinds.kind(kind)
    if to.is_lunch_guest:
        return None
    if not wants(to.id, group.id if group else None, kind):
        return None
    if _already_queued(dedupe_key):
        return None
    if spec.capped and sent_today(to.id, now) >= current_app.config["MESSAGES_PER_DAY"]:
        return None
    return _add(spec, to.email, to.name, to, group, subject, template, context, dedupe_key, now, attachments)


def queue_to_address(kind: str, email: str, group: Group | None, subject: str, template: str, context: dict,
                     *, dedupe_key: str, now: datetime, attachments: Sequence[Attachment] = ()) -> Message | None:
    """Queues one email to an address that has no account (an invitation). No commit."""
    spec = kinds.kind(kind)
    if _already_queued(dedupe_key):
        return None
    return _add(spec, email, "", None, group, subject, template, context, dedupe_key, now, attachments)


def _already_queued(dedupe_key: str) -> bool:
    return db.session.scalar(select(Message.id).where(Message.dedupe_key == dedupe_key)) is not None


def _add(spec: kinds.Kind, email: str, name: str, user: User | None, group: Group | None, subject: str,
         template: str, context: dict, dedupe_key: str, now: datetime,
         attachments: Sequence[Attachment]) -> Message | None:
    message = Message(**_values(spec, email, name, user, group, subject, template, context, dedupe_key, now,
                                attachments))
    try:
        with db.session.begin_nested():  # a concurrent twin with the same key: keep theirs
            db.session.add(message)
    except IntegrityError:
        return None
    db.session.info[PENDING_FLAG] = True
    return message


def _values(spec: kinds.Kind, email: str, name: str, user: User | None, group: Group | None, subject: str,
            template: str, context: dict, dedupe_key: str, now: datetime,
            attachments: Sequence[Attachment]) -> dict:
    """The columns of one queued message, its bodies rendered."""
    headers = {}
    unsubscribe_url = preferences_url = None
    if user is not None and group is not None and spec.optional:
        unsubscribe_url = external_url("messages.unsubscribe", unsubscribe_token=unsubscribe_token(user.id, group.id, spec.name))
        preferences_url = external_url("messages.preferences", slug=group.slug)
        headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    values = {**context, "recipient": user, "recipient_name": name, "group": group, "link": external_url,
              "unsubscribe_url": unsubscribe_url, "preferences_url": preferences_url, "kind": spec}
    return dict(
        kind=spec.name, group_id=group.id if group else None, user_id=user.id if user else None,
        to_email=one_line(email, 254), to_name=one_line(name, 120), subject=one_line(subject),
        body_text=render_email(f"email/{template}.txt", values),
        body_html=render_email(f"email/{template}.html", values),
        attachments=[{"filename": one_line(a.filename, 100), "content_type": one_line(a.content_type, 100),
                      "content": a.content} for a in attachments],
        headers=headers, dedupe_key=dedupe_key[:200], message_id=message_id_for(dedupe_key),
        status=MessageStatus.QUEUED, attempts=0, next_attempt_at=now, created_at=now,
    )


@dataclass(frozen=True)
class Draft:
    """One message of queue_many: queue_message's arguments."""

    kind: str
    to: User
    group: Group
    subject: str
    template: str
    context: dict
    dedupe_key: str
    attachments: Sequence[Attachment] = ()


def queue_many(drafts: Sequence[Draft], now: datetime) -> int:
    """queue_message for many recipients of one group (a publication tells every attendee), in
    a number of statements that does not grow with them: the preferences, the keys already
    queued and the day's counts are read once, and the messages are inserted together. The
    same rules as queue_message, draft by draft, in order. Inserts; no commit. Returns how many
    were queued."""
    drafts = [d for d in drafts if not d.to.is_lunch_guest]
    if not drafts:
        return 0
    user_ids = {d.to.id for d in drafts}
    chosen = {(user_id, group_id, kind): enabled for user_id, group_id, kind, enabled in db.session.execute(
        select(MessagePreference.user_id, MessagePreference.group_id, MessagePreference.kind,
               MessagePreference.enabled).where(MessagePreference.user_id.in_(user_ids),
                                                MessagePreference.kind.in_({d.kind for d in drafts})))}
    keys = [d.dedupe_key for d in drafts]
    queued_keys = set(db.session.scalars(select(Message.dedupe_key).where(Message.dedupe_key.in_(keys))))
    capped = [k.name for k in kinds.KINDS.values() if k.capped]
    sent = dict(db.session.execute(select(Message.user_id, func.count()).where(
        Message.user_id.in_(user_ids), Message.kind.in_(capped), Message.created_at > now - timedelta(days=1))
        .group_by(Message.user_id)).all())
    limit = current_app.config["MESSAGES_PER_DAY"]
    rows = []
    for draft in drafts:
        spec = kinds.kind(draft.kind)
        if spec.optional and not chosen.get((draft.to.id, draft.group.id, draft.kind), spec.default_on):
            continue
        if draft.dedupe_key in queued_keys:
            continue
        if spec.capped and sent.get(draft.to.id, 0) >= limit:
            continue
        queued_keys.add(draft.dedupe_key)
        if spec.capped:
            sent[draft.to.id] = sent.get(draft.to.id, 0) + 1
        rows.append(_values(spec, draft.to.email, draft.to.name, draft.to, draft.group, draft.subject,
                            draft.template, draft.context, draft.dedupe_key, now, draft.attachments))
    if not rows:
        return 0
    try:
        with db.session.begin_nested():  # one executemany; a concurrent twin of one: each on its own, as queue_message
            db.session.execute(insert(Message), rows)
    except IntegrityError:
        return sum(queue_message(d.kind, d.to, d.group, d.subject, d.template, d.context, dedupe_key=d.dedupe_key,
                                 now=now, attachments=d.attachments) is not None for d in drafts)
    db.session.info[PENDING_FLAG] = True
    return len(rows)


def render_email(name: str, values: dict) -> str:
    """A message's template, with only the values given: no request, no signed-in user, no
    page context processors (the recipient is not whoever caused the message). HTML
    templates are autoescaped like every page."""
    return current_app.jinja_env.get_template(name).render(**values)


def message_id_for(dedupe_key: str) -> str:
    """The Message-ID header, derived from the idempotency key: every try sends the same one."""
    digest = hashlib.sha256(dedupe_key.encode()).hexdigest()[:40]
    return f"<{digest}@{base_domain()}>"


# --- reading ------------------------------------------------------------------------------------

def outbox_query(group_id: int, failed_only: bool = False):
    query = select(Message).where(Message.group_id == group_id)
    if failed_only:
        query = query.where(Message.status == MessageStatus.FAILED)
    return query.order_by(Message.created_at.desc(), Message.id.desc())


def outbox_count(group_id: int, failed_only: bool = False) -> int:
    return db.session.scalar(select(func.count()).select_from(outbox_query(group_id, failed_only).subquery())) or 0


def outbox_page(group_id: int, offset: int, size: int, failed_only: bool = False) -> list[Message]:
    return list(db.session.scalars(outbox_query(group_id, failed_only).limit(size).offset(offset)))


def status_counts(group_id: int) -> dict[str, int]:
    return dict(db.session.execute(select(Message.status, func.count()).where(Message.group_id == group_id)
                                   .group_by(Message.status)).all())


# Links that act for the recipient (unsubscribe, RSVP, join, set a password): the outbox page
# shows organizers the message without them, since whoever holds one acts as its owner.
_PERSONAL_LINK = re.compile(r"https?://\S*?/(?:m|auth/set-password)/\S+")


def redact_personal_links(text: str) -> str:
    return _PERSONAL_LINK.sub("[personal link: only the recipient has it]", text)


def rsvp_target(token: str):
    """(event, user, going) of a signed RSVP link, or None when it is not valid (or the
    member has left the group, or the event is a draft)."""
    from organizer.models import Event

    payload = links.unsign(links.RSVP, token)
    if not payload or len(payload) != 3 or payload[2] not in ("yes", "no"):
        return None
    event_id, user_id, answer = payload
    if not isinstance(event_id, int) or not isinstance(user_id, int):
        return None
    event, user = db.session.get(Event, event_id), db.session.get(User, user_id)
    if event is None or user is None or event.status == "draft":
        return None
    if membership(event.group_id, user.id) is None:
        return None
    return event, user, answer == "yes"
