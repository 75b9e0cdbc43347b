"""What other features' pages show of this one (the overview, an event's page): the follow-up
forms and the thank-you notes received lately. Their views call ``page_context``."""

from __future__ import annotations

from datetime import datetime

from wtforms.fields.choices import SelectChoice

from organizer.models import Event, Membership
from organizer.outcomes import answers
from organizer.outcomes.forms import AnswerForm


def answer_form(follow_up: answers.FollowUp, formdata=None) -> AnswerForm:
    """The form of one follow-up, filled with the member's answer (prefixed: several on a page)."""
    a = follow_up.answer
    data = {}
    if a is not None:
        data = {"helped": a.helped, "needs": [n.id for n in a.needs], "something_else": a.something_else,
                "gave": a.gave, "note": a.note, "note_for_organizers": a.note_for_organizers,
                "gave_partner": a.gave_partner, "gave_partner_text": a.gave_partner_text, "mark": ""}
    return AnswerForm(formdata=formdata, data=data, prefix=f"p{follow_up.event.id}-{follow_up.partner.id}",
                      needs=[SelectChoice(n.id, n.title) for n in follow_up.my_needs])


def page_context(member: Membership, now: datetime, event: Event | None = None, *,
                 seated_at_a_started_lunch: bool = True, note_received: bool = True) -> dict:
    """The overview (no event): follow-ups not answered yet and notes received in the last 30
    days; an event's page: every follow-up of that lunch, answered or not. The overview tells
    what it knows is empty (answers.SEATED_AT_A_STARTED_LUNCH, answers.NOTE_RECEIVED_SINCE,
    asked with its checklist): nothing is read for it."""
    ups = answers.follow_ups(member, now, event=event, unanswered_only=event is None) \
        if event is not None or seated_at_a_started_lunch else []
    notes = answers.latest_notes_received(member, since=answers.notes_since(now)) \
        if event is None and note_received else []
    return {"follow_ups": [(f, answer_form(f)) for f in ups], "notes_received": notes}
