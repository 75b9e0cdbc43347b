"""Pairing runs: each generation or change of an event's lunch pairs is a new,
numbered version, never overwritten. At most one version per event is published.

A run is also the job that computes it: created `running` with a claim that
expires, then `done` (its tables filled in) or `failed` (with the reason).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from organizer.extensions import Model
from organizer.models.accounts import User
from organizer.models.base import UTCDateTime, status_column, utcnow
from organizer.models.events import Event


class RunStatus(enum.StrEnum):
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class AttendeeSource(enum.StrEnum):
    CHECKED_IN = "checked_in"   # at the door: who is there
    GOING = "going"             # before the event: who answered yes


class PairingRun(Model):
    __tablename__ = "pairing_runs"
    __table_args__ = (
        UniqueConstraint("event_id", "version"),
        # One published version per event, held by the database itself.
        Index("ix_pairing_runs_published_event", "event_id", unique=True,
              sqlite_where=text("published_at IS NOT NULL"),
              postgresql_where=text("published_at IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column()
    status: Mapped[RunStatus] = mapped_column(status_column(RunStatus), default=RunStatus.RUNNING)
    # What made this version: "generate", "re-solve", "lock", "unlock", "swap", "exclude", "command line".
    action: Mapped[str] = mapped_column(String(40), default="generate")
    based_on_id: Mapped[int | None] = mapped_column(ForeignKey("pairing_runs.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(12), default=AttendeeSource.CHECKED_IN.value)
    rounds: Mapped[int] = mapped_column(default=1)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The job's claim: past this moment a running job counts as dead.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    error: Mapped[str] = mapped_column(Text, default="")
    # The attendees this version was computed for, and the organizer's adjustments:
    # {"attendees": [user ids], "excluded": [...], "added": [...]}.
    inputs: Mapped[dict] = mapped_column(JSON, default=dict)
    fingerprint: Mapped[str] = mapped_column(String(64), default="")
    objective: Mapped[float | None] = mapped_column()
    bound: Mapped[float | None] = mapped_column()
    proven_optimal: Mapped[bool] = mapped_column(default=False)
    solve_seconds: Mapped[float | None] = mapped_column()
    # Review figures kept with the version: needs nobody present can help with, people left unhelped.
    summary: Mapped[dict] = mapped_column(JSON, default=dict)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    event: Mapped[Event] = relationship()
    requested_by: Mapped[User | None] = relationship()
    based_on: Mapped[PairingRun | None] = relationship(remote_side=[id])
    tables: Mapped[list[PairingTable]] = relationship(
        back_populates="run", cascade="all, delete-orphan",
        order_by="(PairingTable.round, PairingTable.number)")


class PairingTable(Model):
    """A lunch table in one round: a pair, or the one trio."""

    __tablename__ = "pairing_tables"
    __table_args__ = (UniqueConstraint("run_id", "round", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("pairing_runs.id", ondelete="CASCADE"), index=True)
    round: Mapped[int] = mapped_column()          # 1-based
    number: Mapped[int] = mapped_column()         # table number within the round, 1-based
    score: Mapped[float] = mapped_column(default=0.0)
    locked: Mapped[bool] = mapped_column(default=False)
    # Plain-language reasons, each {"helper": id, "helped": id, "need": str, "offer": str, "text": str}.
    reasons: Mapped[list] = mapped_column(JSON, default=list)

    run: Mapped[PairingRun] = relationship(back_populates="tables")
    seats: Mapped[list[PairingSeat]] = relationship(
        back_populates="table", cascade="all, delete-orphan", order_by="PairingSeat.position")


class PairingSeat(Model):
    __tablename__ = "pairing_seats"
    __table_args__ = (UniqueConstraint("table_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    table_id: Mapped[int] = mapped_column(ForeignKey("pairing_tables.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)

    table: Mapped[PairingTable] = relationship(back_populates="seats")
    user: Mapped[User] = relationship()


class SheetStatus(enum.StrEnum):
    RUNNING = "running"   # being made
    READY = "ready"
    FAILED = "failed"


class SheetFile(Model):
    """A PDF of a version's print sheets, made in the background (WeasyPrint takes seconds per
    hundred attendees, which no web request should wait for) and kept a short while for the
    organizer who asked for it to download (``organizer.pairing.printing``)."""

    __tablename__ = "sheet_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("pairing_runs.id", ondelete="CASCADE"), index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    part: Mapped[str] = mapped_column(String(10), default="all")
    large: Mapped[bool] = mapped_column(default=False)
    status: Mapped[SheetStatus] = mapped_column(status_column(SheetStatus), default=SheetStatus.RUNNING)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    error: Mapped[str] = mapped_column(Text, default="")
    size: Mapped[int | None] = mapped_column()  # bytes
    # the group's data version it was made from (organizer.groups.versions): a change to what
    # members share since makes it stale, never served
    data_version: Mapped[int | None] = mapped_column()
    # the file itself, read only by its download
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)

    run: Mapped[PairingRun] = relationship()
