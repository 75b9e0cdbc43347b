"""Events (a group's lunches) and members' answers to them."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from organizer.extensions import Model
from organizer.models.accounts import User
from organizer.models.base import UTCDateTime, status_column, utcnow
from organizer.models.groups import Group


class EventStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"                # open for RSVP
    PUBLISHED = "published"      # pairings published
    DONE = "done"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        """The status on a badge: "Open for RSVP"."""
        return _STATUS_WORDS[self][0]

    @property
    def phrase(self) -> str:
        """The status in a sentence, after "This event is": "open for RSVP"."""
        return _STATUS_WORDS[self][1]


# The one place an event's status is put in words (badges, refusals, the door).
_STATUS_WORDS = {
    EventStatus.DRAFT: ("Draft", "a draft"),
    EventStatus.OPEN: ("Open for RSVP", "open for RSVP"),
    EventStatus.PUBLISHED: ("Pairings published", "paired (pairings are published)"),
    EventStatus.DONE: ("Done", "over"),
    EventStatus.CANCELLED: ("Cancelled", "cancelled"),
}


class RsvpState(enum.StrEnum):
    GOING = "going"
    WAITLISTED = "waitlisted"
    DECLINED = "declined"


class Event(Model):
    __tablename__ = "events"
    __table_args__ = (Index("ix_events_group_id_starts_at", "group_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    venue_name: Mapped[str] = mapped_column(String(160), default="")
    venue_address: Mapped[str] = mapped_column(String(300), default="")
    capacity: Mapped[int | None] = mapped_column()
    rounds: Mapped[int] = mapped_column(default=1)
    rsvp_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[EventStatus] = mapped_column(status_column(EventStatus), default=EventStatus.DRAFT)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    group: Mapped[Group] = relationship()
    rsvps: Mapped[list[Rsvp]] = relationship(back_populates="event", cascade="all, delete-orphan")

    @property
    def status_label(self) -> str:
        return EventStatus(self.status).label

    @property
    def status_phrase(self) -> str:
        return EventStatus(self.status).phrase


class Rsvp(Model):
    """A member's answer to an event, and what happened at the door."""

    __tablename__ = "rsvps"
    __table_args__ = (
        UniqueConstraint("event_id", "user_id"),
        Index("ix_rsvps_event_id_state", "event_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    state: Mapped[RsvpState] = mapped_column(status_column(RsvpState))
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Order on the waitlist: the time the member joined it.
    waitlisted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Moved up from the waitlist; told on the next visit, then `promotion_seen_at` is set.
    promoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    promotion_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    walk_in: Mapped[bool] = mapped_column(default=False)

    event: Mapped[Event] = relationship(back_populates="rsvps")
    user: Mapped[User] = relationship()
