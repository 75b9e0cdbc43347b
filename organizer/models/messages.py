"""Messages: the outbox every email goes through, what each member chose to receive, and
invitations sent to an address that has no account yet."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from organizer.extensions import Model
from organizer.models.accounts import User
from organizer.models.base import UTCDateTime, status_column, utcnow
from organizer.models.groups import Group


class MessageStatus(enum.StrEnum):
    QUEUED = "queued"      # waiting for its first try, or for the next after a failed one
    SENDING = "sending"    # claimed by a worker until `claimed_until` (a dead worker's claim expires)
    SENT = "sent"          # the mail server accepted it
    KEPT = "kept"          # no mail server configured: kept for the outbox page (the embedded default)
    FAILED = "failed"      # gave up after the last try; `last_error` says why
    CANCELLED = "cancelled"  # not sent: the member left the group before it went


class Message(Model):
    """One email to one address, written in the same transaction as the change that causes
    it and delivered later by a worker. `dedupe_key` is unique: the same message (the same
    announcement to the same member) is never queued twice, whoever asks again."""

    __tablename__ = "messages"
    __table_args__ = (
        Index("ix_messages_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_messages_user_id_created_at", "user_id", "created_at"),
        Index("ix_messages_group_id_created_at", "group_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    to_email: Mapped[str] = mapped_column(String(254))
    to_name: Mapped[str] = mapped_column(String(120), default="")
    subject: Mapped[str] = mapped_column(String(200))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    # [{"filename", "content_type", "content"}]: text attachments (calendar files).
    attachments: Mapped[list] = mapped_column(JSON, default=list)
    # Extra headers (List-Unsubscribe ...), already checked for line breaks.
    headers: Mapped[dict] = mapped_column(JSON, default=dict)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    # The Message-ID header, fixed when queued: a retry sends the very same message.
    message_id: Mapped[str] = mapped_column(String(250))
    status: Mapped[MessageStatus] = mapped_column(status_column(MessageStatus), default=MessageStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    group: Mapped[Group | None] = relationship()
    user: Mapped[User | None] = relationship()


class MessagePreference(Model):
    """A member's choice for one kind of message in one group (no row: the kind's default)."""

    __tablename__ = "message_preferences"
    __table_args__ = (UniqueConstraint("user_id", "group_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    enabled: Mapped[bool] = mapped_column()
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class EmailInvitation(Model):
    """An organizer invited an address to the group by email. The link in that email (its
    token's hash is kept) lets the owner of the address join with one click, signing up if
    they have no account yet; it works once, until it expires."""

    __tablename__ = "email_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    group: Mapped[Group] = relationship()
