"""What members need and offer in a group, the tags on them, and do-not-pair rules.

Needs and offers belong to a membership: a member of two groups may share a
confidential job search with one and not the other.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from organizer.extensions import Model, db
from organizer.models.accounts import User
from organizer.models.base import UTCDateTime, status_column, utcnow
from organizer.models.groups import Group, Membership


class Priority(enum.StrEnum):
    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"


class NeedStatus(enum.StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    MET = "met"


class Visibility(enum.StrEnum):
    GROUP = "group"            # every member of the group
    PARTNER = "partner"        # a lunch partner (once pairings are published) and organizers
    ORGANIZERS = "organizers"  # organizers only


class OfferKind(enum.StrEnum):
    ADVICE = "advice"          # advice or a skill
    INTRODUCTION = "introduction"
    RESOURCE = "resource"      # a resource or a discount
    JOB_LEAD = "job_lead"


need_tags = Table(
    "need_tags",
    db.metadata,
    Column("need_id", ForeignKey("needs.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True),
)

offer_tags = Table(
    "offer_tags",
    db.metadata,
    Column("offer_id", ForeignKey("offers.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Tag(Model):
    """A normalised tag (trimmed, lower case), one row per group and name."""

    __tablename__ = "tags"
    __table_args__ = (UniqueConstraint("group_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(40))


class Need(Model):
    __tablename__ = "needs"

    id: Mapped[int] = mapped_column(primary_key=True)
    membership_id: Mapped[int] = mapped_column(ForeignKey("memberships.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    details: Mapped[str] = mapped_column(Text, default="")
    priority: Mapped[str] = mapped_column(String(10), default=Priority.NORMAL.value)
    status: Mapped[NeedStatus] = mapped_column(status_column(NeedStatus), default=NeedStatus.OPEN)
    visibility: Mapped[str] = mapped_column(String(12), default=Visibility.GROUP.value)
    # Who helped, when known: a member of the group, or a name typed in.
    helped_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    helped_by_note: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    membership: Mapped[Membership] = relationship()
    tags: Mapped[list[Tag]] = relationship(secondary=need_tags, order_by=Tag.name)
    helped_by: Mapped[User | None] = relationship(foreign_keys=[helped_by_id])


class Offer(Model):
    __tablename__ = "offers"

    id: Mapped[int] = mapped_column(primary_key=True)
    membership_id: Mapped[int] = mapped_column(ForeignKey("memberships.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    details: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(16), default=OfferKind.ADVICE.value)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    membership: Mapped[Membership] = relationship()
    tags: Mapped[list[Tag]] = relationship(secondary=offer_tags, order_by=Tag.name)


class DoNotPair(Model):
    """Two members who are not to be seated together.

    A member's own choice (`by_organizer` false) is private to that member: nobody
    else sees it, not even the other person. An organizer's rule is seen by organizers.
    """

    __tablename__ = "do_not_pair"
    __table_args__ = (
        UniqueConstraint("group_id", "user_id", "other_user_id", "by_organizer"),
        Index("ix_do_not_pair_group_id_other_user_id", "group_id", "other_user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    other_user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    by_organizer: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    group: Mapped[Group] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    other_user: Mapped[User] = relationship(foreign_keys=[other_user_id])
