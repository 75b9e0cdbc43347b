"""Publishing a version (one at a time per event) and taking it back; members are told
through signals (organizer.signals.pairing_published / pairing_unpublished)."""

from datetime import datetime

from sqlalchemy import select

from organizer import signals
from organizer.errors import ActionRefused
from organizer.events import service as events
from organizer.extensions import db
from organizer.models import (
    Event,
    EventStatus,
    PairingRun,
    RunStatus,
    utcnow,
)
from organizer.pairing.queries import Version
from organizer.pairing.snapshots import attendee_ids_for


def attendee_changes(event: Event, run: Version) -> dict[str, list[int]]:
    """Who arrived or left since the event's version ``run`` (its ``source`` and ``inputs``) was computed."""
    now_ids = set(attendee_ids_for(event, run.source, run.inputs))
    then_ids = set(run.inputs.get("attendees", []))
    return {"arrived": sorted(now_ids - then_ids), "left": sorted(then_ids - now_ids)}


def publish(run: PairingRun, now: datetime, confirm_changed: bool = False) -> None:
    event = events.lock_event(run.event_id)
    db.session.refresh(run)
    if run.status != RunStatus.DONE:
        raise ActionRefused("Only a finished version can be published.")
    if event.status == EventStatus.CANCELLED:
        raise ActionRefused("The event is cancelled.")
    changes = attendee_changes(event, run)
    if (changes["arrived"] or changes["left"]) and not confirm_changed:
        raise ActionRefused(
            f"The attendees changed since version {run.version} was computed "
            f"({len(changes['arrived'])} arrived, {len(changes['left'])} left). "
            "Re-solve, or confirm that you want to publish it anyway.")
    previous = None
    for other in db.session.scalars(select(PairingRun).where(
            PairingRun.event_id == event.id, PairingRun.published_at.is_not(None), PairingRun.id != run.id)):
        other.published_at = None
        previous = other
    db.session.flush()  # the one-published index holds at every step
    run.published_at = now
    if event.status in (EventStatus.DRAFT, EventStatus.OPEN):
        event.status = EventStatus.PUBLISHED
    db.session.flush()
    signals.pairing_published.send(run, event=event, previous=previous, now=now)


def unpublish(event: Event) -> None:
    event = events.lock_event(event.id)
    for run in db.session.scalars(select(PairingRun).where(
            PairingRun.event_id == event.id, PairingRun.published_at.is_not(None))):
        run.published_at = None
    if event.status == EventStatus.PUBLISHED:
        event.status = EventStatus.OPEN
    db.session.flush()
    signals.pairing_unpublished.send(event, now=utcnow())
