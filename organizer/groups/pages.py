"""What the group's overview reads first, in one statement, from several features: its
checklist (groups.overview), what the member is asked to answer (asks), the upcoming lunches it
lists (events), and whether the lists of lunches and notes it shows hold anything (outcomes,
groups.overview). A part of the views (it may read any feature), so the features' services need
not depend on one another."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from organizer.asks import service as asks
from organizer.database import read_rows
from organizer.events import service as events
from organizer.groups import overview
from organizer.models import Membership
from organizer.outcomes import answers

# Built once: the overview is the busiest page (building a statement costs as much as running it).
# Organizers' list of upcoming lunches holds the drafts too.
_FACTS = {drafts: select(*overview.STEPS_DONE, *asks.WAITING_COUNTS, answers.SEATED_AT_A_STARTED_LUNCH,
                         answers.NOTE_RECEIVED_SINCE, overview.SEATED_AT_A_LUNCH_AHEAD, events.UPCOMING_JSON[drafts])
          for drafts in (False, True)}


@dataclass
class Facts:
    """The checklist; what the member is asked to answer between lunches; whether any lunch
    whose pairs are published seats them (started: its follow-ups; ahead: their partners) and
    whether a thank-you note came lately (the overview reads those lists only when they hold
    something); the first upcoming lunches."""
    steps: list[overview.Step]
    waiting: asks.Waiting
    seated_at_a_started_lunch: bool
    note_received: bool
    seated_at_a_lunch_ahead: bool
    upcoming: list[events.UpcomingEvent]


def facts(member: Membership, now: datetime) -> Facts:
    needs, offers, answered, *waiting, started, noted, ahead, upcoming = read_rows(_FACTS[member.is_organizer], {
        "membership_id": member.id, "group_id": member.group_id, **asks.waiting_values(member, now), "now": now,
        "since": answers.notes_since(now)}).one()
    return Facts(overview.checklist(member, needs, offers, answered), asks.waiting_from(waiting), bool(started),
                 bool(noted), bool(ahead), events.upcoming_of_json(upcoming))
