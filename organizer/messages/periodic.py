"""One round of the outbox worker: queue what time makes due (reminders, the weekly digest,
the follow-up of a lunch nobody marked done), then deliver what is due. `flask send-outbox` runs
it in a loop (or once with --once), the web process's delivery thread every OUTBOX_TICK_S, an RQ
job once."""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from organizer.database import transaction
from organizer.messages import after_lunch, delivery, notices
from organizer.models import utcnow


def queue_timed(now: datetime) -> int:
    """Reminders, digests and after-lunch follow-ups that are due now (one transaction). Returns
    how many were queued."""
    with transaction():
        queued = notices.queue_reminders(now, current_app.config["EVENT_REMINDER_HOURS"])
        queued += notices.queue_digests(now)
        queued += after_lunch.queue_after_lunch(now)
    return queued


def run_once(now: datetime | None = None) -> delivery.Delivered:
    queue_timed(now or utcnow())
    return delivery.deliver_due(now)
