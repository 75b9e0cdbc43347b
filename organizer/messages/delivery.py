"""Delivering the outbox: claim what is due, send it, record what happened.

Each message goes through three short transactions, so a worker that dies loses nothing:

1. claim: due messages (queued and due, or a claim that expired: its worker died) become
   `sending` with `claimed_until`, and their try is counted. On PostgreSQL the rows are
   locked with SKIP LOCKED, so several workers share the work without taking the same row.
2. send: outside any transaction, one SMTP transaction per message, with its fixed
   Message-ID (the idempotency key).
3. record: `sent` (or `kept` with no mail server), or back to `queued` with the next try
   after an exponential back-off, or `failed` after OUTBOX_MAX_ATTEMPTS with the error.
   Only the worker holding the claim records (the row must still be `sending` with its
   claim), so a slow worker whose claim expired cannot overwrite a newer try.

A worker killed before the server accepted a message leaves a claim that expires
(OUTBOX_CLAIM_S), and the message is tried again. The one moment a message can go twice is
a kill after the server's "250 OK" and before step 3 commits; it then goes again with the
same Message-ID, which mail programs use to show it once.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.mime.text import MIMEText

from flask import current_app
from flask_mailman import EmailMultiAlternatives
from sqlalchemy import or_, select, update

from organizer.database import changed_rows, transaction
from organizer.extensions import db, mail
from organizer.models import Message, MessageStatus, utcnow

log = logging.getLogger(__name__)
BATCH = 20


@dataclass
class Delivered:
    sent: int = 0
    kept: int = 0
    retried: int = 0
    failed: int = 0

    @property
    def total(self) -> int:
        return self.sent + self.kept + self.retried + self.failed

    def __add__(self, other: Delivered) -> Delivered:
        return Delivered(self.sent + other.sent, self.kept + other.kept,
                         self.retried + other.retried, self.failed + other.failed)


def mail_configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def back_off(attempts: int) -> timedelta:
    """Wait before the next try: base, 4x base, 16x base ..., at most an hour."""
    base = current_app.config["OUTBOX_RETRY_BASE_S"]
    return timedelta(seconds=min(base * 4 ** max(attempts - 1, 0), 3600))


def _due(now: datetime):
    return or_(
        (Message.status == MessageStatus.QUEUED) & (Message.next_attempt_at <= now),
        (Message.status == MessageStatus.SENDING) & (Message.claimed_until < now),
    )


def claim(now: datetime, limit: int = BATCH) -> list[tuple[int, datetime]]:
    """Claims up to `limit` due messages (one committed transaction): (id, claimed_until) each."""
    claimed_until = now + timedelta(seconds=current_app.config["OUTBOX_CLAIM_S"])
    # Distinct per claim, so that a worker recognises its own claim when it records.
    claimed_until += timedelta(microseconds=secrets.randbelow(1000))
    with transaction():
        rows = list(db.session.scalars(
            select(Message).where(_due(now)).order_by(Message.next_attempt_at, Message.id)
            .limit(limit).with_for_update(skip_locked=True)))
        for message in rows:
            message.status = MessageStatus.SENDING
            message.claimed_until = claimed_until
            message.attempts += 1
        claims = [(m.id, claimed_until) for m in rows]
    return claims


def _record(message_id: int, claimed_until: datetime, **values) -> bool:
    with transaction():
        changed = changed_rows(
            update(Message).where(Message.id == message_id, Message.status == MessageStatus.SENDING,
                                  Message.claimed_until == claimed_until)
            .values(claimed_until=None, **values).execution_options(synchronize_session=False))
    return changed > 0


def build_email(message: Message, connection=None) -> EmailMultiAlternatives:
    """The email for an outbox row: text and HTML parts, attachments, fixed headers."""
    sender = current_app.config.get("MAIL_DEFAULT_SENDER") or "Give First <no-reply@localhost>"
    to = f"{message.to_name} <{message.to_email}>" if message.to_name else message.to_email
    headers = {"Message-ID": message.message_id, **(message.headers or {})}
    email = EmailMultiAlternatives(message.subject, message.body_text, sender, [to],
                                   headers=headers, connection=connection)
    email.attach_alternative(message.body_html, "text/html")
    for attachment in message.attachments or []:
        main, _, params = attachment["content_type"].partition(";")
        subtype = main.split("/", 1)[1].strip()
        part = MIMEText(attachment["content"], subtype, "utf-8")
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key and value:
                part.set_param(key, value)
        part.add_header("Content-Disposition", "attachment", filename=attachment["filename"])
        email.attach(part)
    return email


def deliver_due(now: datetime | None = None, limit: int | None = None) -> Delivered:
    """Sends every message due now (at most `limit`), batch by batch. Returns the counts."""
    total = Delivered()
    while limit is None or total.total < limit:
        moment = now or utcnow()
        claims = claim(moment, BATCH if limit is None else min(BATCH, limit - total.total))
        if not claims:
            break
        total = total + _deliver(claims, moment)
    return total


def _deliver(claims: list[tuple[int, datetime]], now: datetime) -> Delivered:
    done = Delivered()
    max_attempts = current_app.config["OUTBOX_MAX_ATTEMPTS"]
    configured = mail_configured()
    connection = smtp_connection() if configured else None
    if connection is not None:
        try:
            connection.open()  # one connection for the batch; a failure shows on each send below
        except Exception:  # noqa: BLE001 (reported per message)
            connection.connection = None
    # The batch read in one statement and kept as read: no transaction held while the server answers.
    messages = {m.id: m for m in db.session.scalars(select(Message).where(Message.id.in_([c[0] for c in claims])))}
    for read in messages.values():
        db.session.expunge(read)
    db.session.rollback()
    try:
        for message_id, claimed_until in claims:
            message = messages.get(message_id)
            if message is None:
                continue
            if not configured:
                _keep(message)
                if _record(message_id, claimed_until, status=MessageStatus.KEPT, sent_at=utcnow(),
                           last_error=""):
                    done.kept += 1
                continue
            try:
                build_email(message, connection).send()
            except Exception as error:  # the server refused, is down, or timed out: try later
                _drop(connection)
                reason = f"{type(error).__name__}: {error}"[:1000]
                log.warning("message %s not sent (try %s): %s", message_id, message.attempts, reason)
                if message.attempts >= max_attempts:
                    if _record(message_id, claimed_until, status=MessageStatus.FAILED, last_error=reason):
                        done.failed += 1
                elif _record(message_id, claimed_until, status=MessageStatus.QUEUED, last_error=reason,
                             next_attempt_at=utcnow() + back_off(message.attempts)):
                    done.retried += 1
            else:
                if _record(message_id, claimed_until, status=MessageStatus.SENT, sent_at=utcnow(),
                           last_error=""):
                    done.sent += 1
    finally:
        if connection is not None:
            _drop(connection)
    return done


def _drop(connection) -> None:
    try:
        connection.close()
    except Exception:  # noqa: BLE001 (a broken connection is dropped; the next send opens a new one)
        connection.connection = None


def smtp_connection():
    """A connection to the configured server, from the settings as they are now."""
    config = current_app.config
    return mail.get_connection(
        backend="smtp", host=config["MAIL_SERVER"], port=config["MAIL_PORT"],
        username=config.get("MAIL_USERNAME") or "", password=config.get("MAIL_PASSWORD") or "",
        use_tls=config.get("MAIL_USE_TLS", False), use_ssl=config.get("MAIL_USE_SSL", False),
        timeout=config.get("MAIL_TIMEOUT"))


def _keep(message: Message) -> None:
    """The embedded default (no MAIL_SERVER): the message stays on the group's outbox page,
    and in development it is printed to the console as well."""
    if current_app.config.get("ENVIRONMENT") == "development":
        print(build_email(message).message().as_string(), flush=True)  # noqa: T201 (the console is the point)


def next_due_at() -> datetime | None:
    """When the next queued message is due (for a worker deciding how long to sleep)."""
    return db.session.scalar(select(Message.next_attempt_at).where(
        Message.status.in_([MessageStatus.QUEUED, MessageStatus.SENDING]))
        .order_by(Message.next_attempt_at).limit(1))
