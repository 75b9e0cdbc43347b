"""Between lunches: offers of help on a member's need, double opt-in introductions, and who
may not offer or introduce to whom.

An offer of help and an introduction keep the people by user id within one group; contact
details are never copied here: the pages show each person's own profile, and only once
both sides said yes.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from organizer.extensions import Model
from organizer.models.accounts import User
from organizer.models.base import UTCDateTime, status_column, utcnow
from organizer.models.groups import Group
from organizer.models.members import Need


class HelpKind(enum.StrEnum):
    LEAD = "lead"
    INTRODUCTION = "introduction"
    ADVICE = "advice"
    RESOURCE = "resource"


class HelpOfferState(enum.StrEnum):
    PENDING = "pending"        # the need's owner has not answered yet
    ACCEPTED = "accepted"      # "yes please": the two see each other's contact details
    DECLINED = "declined"
    DONE = "done"              # the owner confirmed the help was given (counted in the ledger)
    WITHDRAWN = "withdrawn"    # by the helper
    REMOVED = "removed"        # by an organizer


class FollowUpAnswer(enum.StrEnum):
    MET = "met"
    STILL_OPEN = "open"
    NOT_HELPFUL = "not_helpful"


class HelpOffer(Model):
    """"I can help with this": a member's offer of help on another member's need."""

    __tablename__ = "help_offers"
    __table_args__ = (
        Index("ix_help_offers_group_id_created_at", "group_id", "created_at"),
        Index("ix_help_offers_helper_id_created_at", "helper_id", "created_at"),
        Index("ix_help_offers_owner_id_state", "owner_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id", ondelete="CASCADE"), index=True)
    helper_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))  # the need's owner
    kind: Mapped[str] = mapped_column(String(16))
    message: Mapped[str] = mapped_column(String(500), default="")
    state: Mapped[HelpOfferState] = mapped_column(status_column(HelpOfferState), default=HelpOfferState.PENDING)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())   # accepted or declined
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The three-week follow-up: asked on the owner's pages (and by message) when the need is
    # still open that long after the owner accepted; answered once.
    follow_up_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    follow_up_answer: Mapped[str] = mapped_column(String(12), default="")
    follow_up_answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    group: Mapped[Group] = relationship()
    need: Mapped[Need] = relationship()
    helper: Mapped[User] = relationship(foreign_keys=[helper_id])
    owner: Mapped[User] = relationship(foreign_keys=[owner_id])


class IntroductionState(enum.StrEnum):
    PENDING = "pending"        # waiting for one side or both
    MADE = "made"              # both said yes: contact details exchanged
    DECLINED = "declined"      # one side said no
    WITHDRAWN = "withdrawn"    # by the introducer
    REMOVED = "removed"        # by an organizer


class Answer(enum.StrEnum):
    WAITING = ""
    YES = "yes"
    NO = "no"


class Introduction(Model):
    """A member proposes to introduce two people: two members of the group, or one member and
    a contact of the introducer's outside it (who hears only from the introducer: the site
    writes them a ready-to-send text, and the introducer records their answer)."""

    __tablename__ = "introductions"
    __table_args__ = (
        Index("ix_introductions_group_id_created_at", "group_id", "created_at"),
        Index("ix_introductions_introducer_id_created_at", "introducer_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    introducer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    first_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # The second side: a member, or someone outside the group named by the introducer.
    second_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    outside_name: Mapped[str] = mapped_column(String(120), default="")
    outside_contact: Mapped[str] = mapped_column(String(300), default="")  # shown only once both said yes
    reason: Mapped[str] = mapped_column(Text, default="")    # "Nadia, meet Raj: Raj knows CFOs ..."
    need_id: Mapped[int | None] = mapped_column(ForeignKey("needs.id", ondelete="SET NULL"), index=True)
    first_answer: Mapped[str] = mapped_column(String(4), default=Answer.WAITING.value)
    first_answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    second_answer: Mapped[str] = mapped_column(String(4), default=Answer.WAITING.value)
    second_answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    state: Mapped[IntroductionState] = mapped_column(status_column(IntroductionState), default=IntroductionState.PENDING)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Each member side may confirm afterwards that it helped (the introducer's ledger counts it).
    first_helped_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    second_helped_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    group: Mapped[Group] = relationship()
    introducer: Mapped[User] = relationship(foreign_keys=[introducer_id])
    first: Mapped[User] = relationship(foreign_keys=[first_id])
    second: Mapped[User | None] = relationship(foreign_keys=[second_id])
    need: Mapped[Need | None] = relationship()

    @property
    def is_outside(self) -> bool:
        return self.second_id is None

    @property
    def second_name(self) -> str:
        return self.second.name if self.second is not None else self.outside_name


class AskBlock(Model):
    """`blocked_id` may not offer help on `user_id`'s needs nor introduce anyone to them
    (a member's own choice, seen by nobody else); with `user_id` None, an organizer's block:
    `blocked_id` may not offer help nor introduce anyone in the group."""

    __tablename__ = "ask_blocks"
    __table_args__ = (
        UniqueConstraint("group_id", "user_id", "blocked_id"),
        Index("ix_ask_blocks_group_id_blocked_id", "group_id", "blocked_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    blocked_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    blocked: Mapped[User] = relationship(foreign_keys=[blocked_id])
