"""After the lunch: what each attendee said about each partner, the give-first ledger, the
history of a need's status, and the group's rules for what the next pairing learns.

See ``organizer.outcomes.service`` for who may read what and how rows are written.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Column, ForeignKey, Index, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from organizer.extensions import Model, db
from organizer.models.accounts import User
from organizer.models.base import UTCDateTime, status_column, utcnow
from organizer.models.events import Event
from organizer.models.members import Need, NeedStatus


class Helped(enum.StrEnum):
    """"Did your lunch with Raj help?"."""

    YES = "yes"
    A_LITTLE = "a-little"
    NOT_YET = "not-yet"
    DID_NOT_MEET = "did-not-meet"


class GaveKind(enum.StrEnum):
    """"What did Raj give?"."""

    LEAD = "lead"
    INTRODUCTION = "introduction"
    ADVICE = "advice"
    RESOURCE = "resource"
    OTHER = "other"


class HelpSource(enum.StrEnum):
    LUNCH = "lunch"                # source_id: the Event (both sides' answers about that lunch)
    OFFER = "offer"                # source_id: the offer answered between lunches (issue 14)
    INTRODUCTION = "introduction"  # source_id: the introduction made between lunches (issue 14)


lunch_answer_needs = Table(
    "lunch_answer_needs",
    db.metadata,
    Column("answer_id", ForeignKey("lunch_answers.id", ondelete="CASCADE"), primary_key=True),
    Column("need_id", ForeignKey("needs.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class LunchAnswer(Model):
    """One attendee's word on one partner after a lunch, both ways: how the partner helped them
    ("Did your lunch with Raj help?", with which of their needs, what Raj gave, a thank-you
    note) and the mirror, whether they helped the partner ("Did you help Nadia with
    something?"). Seen by the two and the group's organizers; the note's text by the two only,
    and by organizers when its author allows it. Changeable until ``frozen_after``."""

    __tablename__ = "lunch_answers"
    __table_args__ = (
        UniqueConstraint("event_id", "author_id", "partner_id"),
        Index("ix_lunch_answers_group_partner", "group_id", "partner_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # The partner; None once they left the group (the author's own words stay theirs).
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # How the partner helped the author: a Helped value, or None when only the mirror is answered.
    helped: Mapped[str | None] = mapped_column(String(16))
    something_else: Mapped[str] = mapped_column(String(160), default="")   # "with something else", in words
    gave: Mapped[list] = mapped_column(JSON, default=list)                   # GaveKind values the partner gave
    note: Mapped[str] = mapped_column(Text, default="")                      # the thank-you note
    note_for_organizers: Mapped[bool] = mapped_column(default=False)
    # The mirror: what the author gave the partner (GaveKind values; empty: nothing), in words too.
    gave_partner: Mapped[list] = mapped_column(JSON, default=list)
    gave_partner_text: Mapped[str] = mapped_column(String(160), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    event: Mapped[Event] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    partner: Mapped[User | None] = relationship(foreign_keys=[partner_id])
    needs: Mapped[list[Need]] = relationship(secondary=lunch_answer_needs, order_by=Need.id)


class HelpGiven(Model):
    """A line of the give-first ledger: ``giver`` helped ``receiver`` (with ``need``, when
    named). Counted only once the receiving side confirmed it (``confirmed_at``). A member who
    leaves the group loses their name on it (giver or receiver set to None, note emptied): the
    others' counts stay."""

    __tablename__ = "help_given"
    __table_args__ = (
        Index("ix_help_given_group_giver", "group_id", "giver_id"),
        Index("ix_help_given_group_receiver", "group_id", "receiver_id"),
        Index("ix_help_given_source", "source", "source_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    giver_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    receiver_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    need_id: Mapped[int | None] = mapped_column(ForeignKey("needs.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(16))          # HelpSource
    source_id: Mapped[int | None] = mapped_column()
    what: Mapped[str] = mapped_column(String(16), default=GaveKind.OTHER.value)  # GaveKind
    note: Mapped[str] = mapped_column(String(300), default="")
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    giver: Mapped[User | None] = relationship(foreign_keys=[giver_id])
    receiver: Mapped[User | None] = relationship(foreign_keys=[receiver_id])
    need: Mapped[Need | None] = relationship()


class NeedChange(Model):
    """A need's history: each change of status, with who helped and when ("Raj: intro to a
    CFO, 3 Dec")."""

    __tablename__ = "need_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    status: Mapped[NeedStatus] = mapped_column(status_column(NeedStatus))
    helper_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(String(160), default="")
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    need: Mapped[Need] = relationship()
    helper: Mapped[User | None] = relationship(foreign_keys=[helper_id])


class OutcomeRules(Model):
    """A group's rules for what the next pairing learns from the answers (one row per group,
    the defaults until an organizer changes them)."""

    __tablename__ = "outcome_rules"

    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True)
    # A member whose help others confirmed and whom nobody has helped yet receives help weighted
    # 1 + boost_per_person * (people helped), at most max_boost.
    boost_per_person: Mapped[float] = mapped_column(default=0.25)
    max_boost: Mapped[float] = mapped_column(default=2.0)
    # A pair that answered "not yet" or "we didn't meet" may be seated again this many weeks
    # after that lunch (instead of the group's cool-down); None keeps the cool-down.
    rematch_weeks: Mapped[int | None] = mapped_column()  # the default (2) is set by outcomes.learning.rules_of
    # Confirmed help strengthens that kind of offer for that kind of need; "it did not help"
    # weakens the link its reason named.
    learn_links: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
