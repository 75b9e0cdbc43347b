"""Flask commands of the after-the-lunch feature (registered by organizer.cli):

    record-feedback EVENT_ID --from EMAIL --about EMAIL --helped yes|a-little|not-yet|did-not-meet
                    [--need "NEED TITLE"]... [--gave lead|introduction|advice|resource|other]... [--note TEXT]
    outcomes EVENT_ID [--json]
"""

import json
from typing import Any

import click
from sqlalchemy import select

from organizer.auth.service import user_by_email
from organizer.database import transaction
from organizer.errors import ActionRefused
from organizer.extensions import db
from organizer.groups.memberships import membership
from organizer.models import Event, GaveKind, Helped, Need, NeedStatus, utcnow
from organizer.outcomes import answers, history

HELPED = [h.value for h in Helped]
GAVE = [g.value for g in GaveKind]


def _event(event_id: str) -> Event:
    try:
        event = db.session.get(Event, int(event_id))
    except ValueError:
        event = None
    if event is None:
        raise ActionRefused(f"No event with id {event_id!r}.")
    return event


def _member(event: Event, email: str, option: str):
    user = user_by_email(email)
    member = membership(event.group_id, user.id) if user else None
    if member is None:
        raise ActionRefused(f"{option} {email}: no member of this event's group has that email.")
    return member


@click.command("record-feedback")
@click.argument("event_id")
@click.option("--from", "from_email", required=True, metavar="EMAIL", help="Who answers.")
@click.option("--about", "about_email", required=True, metavar="EMAIL", help="The table mate the answer is about.")
@click.option("--helped", required=True, metavar="|".join(HELPED), help="Did the lunch help?")
@click.option("--need", "needs", multiple=True, metavar="NEED TITLE", help="A need of theirs it helped with (repeatable).")
@click.option("--gave", multiple=True, metavar="|".join(GAVE), help="What the partner gave (repeatable).")
@click.option("--note", default="", metavar="TEXT", help="A thank-you note to the partner.")
def record_feedback_command(event_id, from_email, about_email, helped, needs, gave, note) -> None:
    """Record one attendee's answer about a table mate, as the member would on the page."""
    try:
        if helped not in HELPED:
            raise ActionRefused(f"--helped takes one of {', '.join(HELPED)}, not {helped!r}.")
        for kind in gave:
            if kind not in GAVE:
                raise ActionRefused(f"--gave takes one of {', '.join(GAVE)}, not {kind!r}.")
        with transaction():
            event = _event(event_id)
            author = _member(event, from_email, "--from")
            about = _member(event, about_email, "--about")
            need_ids = []
            for title in needs:
                need = db.session.scalar(select(Need).where(
                    Need.membership_id == author.id, Need.status != NeedStatus.MET,
                    Need.title.ilike(title.strip())).limit(1))
                if need is None:
                    raise ActionRefused(f"--need {title!r}: {author.user.email} has no open need with that title.")
                need_ids.append(need.id)
            answers.save_answer(author, event, about.user_id, answers.AnswerInput(
                helped=helped, need_ids=need_ids, gave=list(gave), note=note), utcnow(), at_the_lunch=True)
    except ActionRefused as refusal:
        raise click.ClickException(str(refusal)) from None
    click.echo(f"Recorded: {from_email} about {about_email}: {helped}.")


@click.command("outcomes")
@click.argument("event_id")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def outcomes_command(event_id, as_json) -> None:
    """Print the answers given after lunch EVENT_ID (never the notes' text)."""
    try:
        event = _event(event_id)
    except ActionRefused as refusal:
        raise click.ClickException(str(refusal)) from None
    rows = history.event_answers(event.id)
    seated = history.seated_ids(event.id)
    members = set(answers.members_among(event.group_id, seated))
    share = history.helped_share(event.id, members, rows)
    data: list[dict[str, Any]] = [
        {"from": a.author.email, "about": a.partner.email if a.partner else None, "helped": a.helped,
         "needs": [n.title for n in a.needs], "gave": list(a.gave), "note": bool(a.note)} for a in rows]
    if as_json:
        click.echo(json.dumps({"event": event.id, "answers": data, "helped_share": share}))
        return
    click.echo(f"{event.title} (event {event.id}): {len(data)} answers; "
               + (f"{round(share * 100)}% of {len(members)} seated said someone helped them."
                  if share is not None else "no published pairing."))
    for row in data:
        extra = "; ".join(filter(None, [", ".join(row["needs"]), ", ".join(row["gave"]),
                                        "a note" if row["note"] else ""]))
        click.echo(f"  {row['from']} about {row['about'] or 'a former member'}: {row['helped'] or '-'}"
                   + (f" ({extra})" if extra else ""))


commands = [record_feedback_command, outcomes_command]
