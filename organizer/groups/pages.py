"""What the group's overview reads first, in one statement, from several features: its
checklist (groups.overview), what the member is asked to answer (asks), and whether the lists
of lunches and notes it shows hold anything (outcomes, groups.overview). A part of the views
(it may read any feature), so the features' services need not depend on one another."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from organizer.asks import service as asks
from organizer.database import read_rows
from organizer.groups import overview
from organizer.models import Membership
from organizer.outcomes import answers

# Built once: the overview is the busiest page (building a statement costs as much as running it).
_FACTS = select(*overview.STEPS_DONE, *asks.WAITING_COUNTS, answers.SEATED_AT_A_STARTED_LUNCH,
                answers.NOTE_RECEIVED_SINCE, overview.SEATED_AT_A_LUNCH_AHEAD)


@dataclass
class Facts:
    """The checklist; what the member is asked to answer between lunches; whether any lunch
    whose pairs are published seats them (started: its follow-ups; ahead: their partners) and
    whether a thank-you note came lately. The overview reads those lists only when they hold
    something."""
    steps: list[overview.Step]
    waiting: asks.Waiting
    seated_at_a_started_lunch: bool
    note_received: bool
    seated_at_a_lunch_ahead: bool


def facts(member: Membership, now: datetime) -> Facts:
    needs, offers, answered, *waiting, started, noted, ahead = read_rows(_FACTS, {
        "membership_id": member.id, **asks.waiting_values(member, now), "now": now,
        "since": answers.notes_since(now)}).one()
    return Facts(overview.checklist(member, needs, offers, answered), asks.waiting_from(waiting), bool(started),
                 bool(noted), bool(ahead))
