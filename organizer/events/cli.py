"""Flask commands of the events feature (registered by organizer.cli)."""

from datetime import datetime
from typing import overload

import click

from organizer.database import transaction
from organizer.errors import ActionRefused
from organizer.events import service
from organizer.groups.service import group_by_slug
from organizer.models import EventStatus, utcnow


@overload
def _local_time(value: str, option: str) -> datetime: ...
@overload
def _local_time(value: None, option: str) -> None: ...
def _local_time(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise ActionRefused(f"{option} takes a date and time like 2026-12-03T12:00, not {value!r}.") from None


@overload
def _whole_number(value: str, option: str) -> int: ...
@overload
def _whole_number(value: None, option: str) -> None: ...
def _whole_number(value: str | None, option: str) -> int | None:
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        raise ActionRefused(f"{option} takes a whole number, not {value!r}.") from None


# Numbers and times are read as text and checked here, so that bad input gets one line
# of explanation (click's own type errors print a usage block).
@click.command("create-event")
@click.argument("group_slug")
@click.argument("title")
@click.option("--starts-at", required=True, metavar="YYYY-MM-DDTHH:MM",
              help="Start, in the group's time zone.")
@click.option("--ends-at", metavar="YYYY-MM-DDTHH:MM", help="End, in the group's time zone [default: 90 minutes after the start].")
@click.option("--capacity", metavar="N", help="Seats [default: no limit].")
@click.option("--rounds", metavar="N", default="1", show_default=True, help="Pairing rounds, 1 to 6.")
@click.option("--venue-name", default="", help="Where.")
@click.option("--venue-address", default="", help="The venue's address.")
@click.option("--rsvp-deadline", metavar="YYYY-MM-DDTHH:MM", help="Answers close then [default: at the start].")
@click.option("--draft", is_flag=True, help="Create it as a draft instead of open for RSVP.")
@click.option("--all-members-attending", is_flag=True,
              help="Answer yes for every member of the group (capacity and waitlist apply).")
def create_event_command(group_slug, title, starts_at, ends_at, capacity, rounds, venue_name,
                         venue_address, rsvp_deadline, draft, all_members_attending) -> None:
    """Create an event of group GROUP_SLUG called TITLE, open for RSVP; print its id."""
    try:
        if draft and all_members_attending:
            raise ActionRefused("A draft takes no answers: leave out --draft or --all-members-attending.")
        details = service.EventDetails(
            title=title,
            starts_at=_local_time(starts_at, "--starts-at"),
            ends_at=_local_time(ends_at, "--ends-at"),
            venue_name=venue_name,
            venue_address=venue_address,
            capacity=_whole_number(capacity, "--capacity"),
            rounds=_whole_number(rounds, "--rounds"),
            rsvp_deadline=_local_time(rsvp_deadline, "--rsvp-deadline"),
        )
        with transaction():
            group = group_by_slug(group_slug)
            if group is None:
                raise ActionRefused(f"No group with the short name {group_slug!r}.")
            now = utcnow()
            status = EventStatus.DRAFT if draft else EventStatus.OPEN
            event = service.create_event(group, details, now, status)
            event_id = event.id
            if all_members_attending:
                going, waitlisted = service.answer_for_all_members(event, now)
    except ActionRefused as refusal:
        raise click.ClickException(str(refusal)) from None
    click.echo(event_id)
    if all_members_attending:
        click.echo(f"{going} going, {waitlisted} on the waitlist.", err=True)


commands = [create_event_command]
