"""What people tell the help model: a group's own words, members' wishes and "not helpful"
marks, and organizers' corrections. The help model (``organizer.matching``) reads them at
every pairing; see ``matching.types.Term`` and ``matching.types.Link``."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from organizer.extensions import Model
from organizer.models.accounts import User
from organizer.models.base import UTCDateTime, utcnow
from organizer.models.members import Need


class HelpTerm(Model):
    """A group's own term: ``phrase`` means ``meaning`` ("PSC test" means "a French oral test")."""

    __tablename__ = "help_terms"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    phrase: Mapped[str] = mapped_column(String(80))
    meaning: Mapped[str] = mapped_column(String(160))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class LinkKind(enum.StrEnum):
    WISH = "wish"             # the helped member would like to meet the helper about a need
    ORGANIZER = "organizer"   # an organizer says the helper can help
    WRONG = "wrong"           # the link must not count (a member's "not helpful", an organizer's "wrong")
    CONFIRMED = "confirmed"   # the helped member accepted the helper's offer of help or introduction about a need


class HelpLink(Model):
    """A person's word on one link (helper -> helped, about a need), which outranks the model.

    A link about a need goes with the need (deleted with it; not read once it is met or
    hidden, since the pairing reads open, shared needs only)."""

    __tablename__ = "help_links"
    __table_args__ = (Index("ix_help_links_group_helped", "group_id", "helped_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(12))
    helper_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    helped_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    need_id: Mapped[int | None] = mapped_column(ForeignKey("needs.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(String(160), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    helper: Mapped[User] = relationship(foreign_keys=[helper_id])
    helped: Mapped[User] = relationship(foreign_keys=[helped_id])
    need: Mapped[Need | None] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
