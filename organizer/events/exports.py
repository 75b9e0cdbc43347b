"""Files made from an event: the calendar file (.ics) and the attendee list (CSV)."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import icalendar
from icalendar.enums import STATUS

from organizer.events.service import rsvps_of_event
from organizer.models import Event, EventStatus, RsvpState
from organizer.spreadsheet import safe_cell
from organizer.timezones import SORTABLE, in_zone, local_time

PRODID = "-//Give First//Events//EN"


def event_uid(event: Event, domain: str) -> str:
    """Stable for the life of the event, so a calendar updates the entry instead of adding one."""
    return f"event-{event.id}@{domain}"


def ics(event: Event, *, uid: str, summary: str, stamp: datetime, sequence: int, prodid: str = PRODID,
        description: str | None = None, status: STATUS | None = None, method: str | None = None,
        url: str | None = None, created: datetime | None = None, calendar_uid: str | None = None,
        name: str | None = None) -> bytes:
    """The one builder of the app's iCalendar files: one entry at the event's place and times in
    the group's time zone, with that zone's VTIMEZONE for the years around the event (not the
    default 1970-2038 window). ``sequence`` must grow with every change, so calendar programs
    take the newer copy; METHOD:CANCEL with status CANCELLED takes the entry out of calendars."""
    location = ", ".join(part for part in (event.venue_name, event.venue_address) if part)
    vevent = icalendar.Event.new(
        uid=uid,
        summary=summary,
        description=description,
        location=location or None,
        start=in_zone(event.starts_at, event.group.time_zone),
        end=in_zone(event.ends_at, event.group.time_zone),
        stamp=stamp,
        created=created,
        last_modified=stamp if created else None,
        sequence=max(sequence, 0),
        status=status,
        url=url,
    )
    calendar = icalendar.Calendar.new(
        prodid=prodid, method=method, uid=calendar_uid,
        name=" ".join(name.split()) if name else None,  # the library refuses a line break in NAME
        subcomponents=[vevent],
    )
    calendar.add_missing_timezones(
        first_date=date(event.starts_at.year - 1, 1, 1), last_date=date(event.ends_at.year + 2, 1, 1)
    )
    return calendar.to_ical()


def calendar_file(event: Event, domain: str, url: str, method: str = "PUBLISH") -> bytes:
    """The event's own calendar file (METHOD:CANCEL, as emailed when the event is cancelled,
    takes it out of calendars)."""
    return ics(
        event,
        uid=event_uid(event, domain),
        summary=event.title,
        description=event.description or None,
        stamp=event.updated_at,
        created=event.created_at,
        # Grows with every edit.
        sequence=int((event.updated_at - event.created_at).total_seconds()),
        status=STATUS.CANCELLED if event.status == EventStatus.CANCELLED else STATUS.CONFIRMED,
        method=method,
        url=url,
        calendar_uid=f"calendar-{event_uid(event, domain)}",
        name=event.title,
    )


ATTENDEE_COLUMNS = [
    "Name", "Email", "Going", "Waitlisted", "Waitlist position", "Checked in", "Checked in at",
    "Walk-in", "Answered at",
]


def attendee_csv(event: Event) -> str:
    """Everyone with a seat or on the waitlist, times in the group's zone (UTF-8 with a BOM)."""
    def yes(flag: bool) -> str:
        return "yes" if flag else "no"

    out = io.StringIO()
    out.write("\ufeff")  # byte-order mark: spreadsheet programs then read names with accents right
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(ATTENDEE_COLUMNS)
    position = 0
    for rsvp in rsvps_of_event(event):
        if rsvp.state == RsvpState.DECLINED:
            continue
        waitlisted = rsvp.state == RsvpState.WAITLISTED
        position += waitlisted
        writer.writerow([
            safe_cell(rsvp.user.name),
            safe_cell(rsvp.user.reachable_email),
            yes(rsvp.state == RsvpState.GOING),
            yes(waitlisted),
            str(position) if waitlisted else "",
            yes(rsvp.checked_in_at is not None),
            local_time(rsvp.checked_in_at, event.group.time_zone, SORTABLE),
            yes(rsvp.walk_in),
            local_time(rsvp.answered_at, event.group.time_zone, SORTABLE),
        ])
    return out.getvalue()
