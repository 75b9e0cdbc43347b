"""Groups and who belongs to them, with which role."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from organizer.extensions import Model
from organizer.models.base import UTCDateTime, status_column, utcnow

if TYPE_CHECKING:
    from organizer.models.accounts import User


class Role(enum.StrEnum):
    ORGANIZER = "organizer"
    MEMBER = "member"


class Group(Model):
    __tablename__ = "groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    invite_code: Mapped[str] = mapped_column(String(32), unique=True)
    # Two members who lunched together are not paired again within this many weeks.
    repeat_cooldown_weeks: Mapped[int] = mapped_column(default=8)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Which account created it on the site (None from the command line), to count the groups
    # one account may create per day. A plain id, not a foreign key: users already point at
    # groups (created_by_group_id), and a key back would make the tables a cycle.
    created_by_id: Mapped[int | None] = mapped_column(index=True)
    # Counts the commits that changed what the group's shared read caches are built from (its
    # members and their profiles, needs, offers, tags, help terms and links):
    # organizer.groups.versions keeps it, the caches compare it.
    data_version: Mapped[int] = mapped_column(default=0, server_default="0")

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="group", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Group {self.slug}>"


class Membership(Model):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "group_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20), default=Role.MEMBER.value)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")
    group: Mapped[Group] = relationship(back_populates="memberships")

    @property
    def is_organizer(self) -> bool:
        return self.role == Role.ORGANIZER


class InvitationState(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class GroupInvitation(Model):
    """An organizer named someone who already has an account (walk-in or CSV import): the
    owner is asked on their next visit, and joins only by accepting."""

    __tablename__ = "group_invitations"
    __table_args__ = (Index("ix_group_invitations_user_id_state", "user_id", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    via: Mapped[str] = mapped_column(String(20))  # "walk-in" or "import"
    state: Mapped[InvitationState] = mapped_column(status_column(InvitationState), default=InvitationState.PENDING)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    group: Mapped[Group] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
