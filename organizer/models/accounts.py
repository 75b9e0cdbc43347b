"""Accounts: users, their signed-in sessions, set-password links."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from organizer.extensions import Model
from organizer.models.base import UTCDateTime, utcnow

if TYPE_CHECKING:
    from organizer.models.groups import Membership


class User(Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower case
    name: Mapped[str] = mapped_column(String(120))
    # None: no usable password yet (imported, or created for an organizer by the CLI).
    password_hash: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The group whose organizer created this account (CSV import or walk-in), if any. Its
    # organizers may issue set-password links only while the account has never had a password
    # (nothing ever clears a password, so "no password now" means "never had one").
    created_by_group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="SET NULL"))
    # A stand-in seated at one lunch for someone whose email already had an account: it has the
    # name typed at the door, a reserved address, never a password, and no link to that account.
    lunch_guest_event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"))

    # Profile, shown to the groups the user belongs to.
    headline: Mapped[str] = mapped_column(String(160), default="")
    industry: Mapped[str] = mapped_column(String(120), default="")
    city: Mapped[str] = mapped_column(String(120), default="")
    bio: Mapped[str] = mapped_column(Text, default="")
    # How to reach me: shown only to a lunch partner and organizers.
    contact: Mapped[str] = mapped_column(String(500), default="")

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )
    sessions: Mapped[list[UserSession]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    # What Flask-Login asks of a user. Which browser is signed in is checked
    # separately, against UserSession (see auth.service.session_user).
    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        return str(self.id)

    @property
    def has_password(self) -> bool:
        return self.password_hash is not None

    @property
    def is_lunch_guest(self) -> bool:
        return self.lunch_guest_event_id is not None

    @property
    def reachable_email(self) -> str:
        """The address to list in exports: none for a lunch's stand-in (its address is reserved)."""
        return "" if self.is_lunch_guest else self.email

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class UserSession(Model):
    """One signed-in browser. The cookie holds a token whose hash is kept here;
    logging out or changing the password deletes the row, so a copied cookie dies with it."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Last request seen with this session (updated at most once a minute): the idle timeout.
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    user: Mapped[User] = relationship(back_populates="sessions")


class SetPasswordToken(Model):
    """A one-time, expiring link to set a password (issued by an organizer or the CLI)."""

    __tablename__ = "set_password_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(foreign_keys=[user_id])
