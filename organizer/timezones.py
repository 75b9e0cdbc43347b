"""Times are stored in UTC and entered and shown in the group's time zone: every conversion
and every way a local time is written, in one place (pages, emails, sheets, files, commands).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, available_timezones

from organizer.errors import ActionRefused

if TYPE_CHECKING:
    from organizer.models import Event

# How local times are written (strftime formats); a template names one by its value.
DAY_AND_TIME = "%a %d %b %Y, %H:%M"                 # Thu 03 Dec 2026, 12:00
DAY_TIME_AND_ZONE = "%a %d %b %Y, %H:%M %Z"         # Thu 03 Dec 2026, 12:00 EST
SHORT_DAY_AND_TIME = "%a %d %b, %H:%M"              # Thu 03 Dec, 12:00 (email subjects)
LONG_DAY_AND_TIME = "%A %d %B %Y, %H:%M"            # Thursday 03 December 2026, 12:00
STAMP = "%d %b %Y %H:%M %Z"                         # 03 Dec 2026 12:00 EST (a sheet's "printed")
SORTABLE = "%Y-%m-%d %H:%M"                         # 2026-12-03 12:00 (CSV, the command line)
TIME_OF_DAY = "%H:%M %Z"                            # 12:00 EST (within the hour: a download's end)

# Times an organizer may enter. Far inside what datetime, the databases and calendar files
# can hold, so that no time zone pushes a time past year 1 or 9999.
MIN_YEAR, MAX_YEAR = 1900, 2999


def time_zone_names() -> list[str]:
    """The zones a group may choose (the IANA names this machine knows)."""
    return sorted(available_timezones() - {"localtime", "Factory"})


def is_time_zone(name: str) -> bool:
    return name in available_timezones()


def zone_label(time_zone: str) -> str:
    """A zone's name for people: "America/New York"."""
    return time_zone.replace("_", " ")


def in_zone(value: datetime, time_zone: str) -> datetime:
    """A stored (UTC) time as an aware time in the group's zone."""
    return value.astimezone(ZoneInfo(time_zone))


def local_time(value: datetime | None, time_zone: str, fmt: str = DAY_AND_TIME) -> str:
    """A stored time written in the group's zone ("" for none): the one formatter of local
    times, also the templates' ``local_time`` filter."""
    if value is None:
        return ""
    return in_zone(value, time_zone).strftime(fmt)


def when_text(event: Event) -> str:
    """'Thursday 03 December 2026, 12:00 to 13:30 EST', with the end's date when it differs."""
    starts, ends = in_zone(event.starts_at, event.group.time_zone), in_zone(event.ends_at, event.group.time_zone)
    end_format = "%H:%M %Z" if starts.date() == ends.date() else f"{LONG_DAY_AND_TIME} %Z"
    return f"{starts.strftime(LONG_DAY_AND_TIME)} to {ends.strftime(end_format)}"


def to_local(value: datetime | None, time_zone: str) -> datetime | None:
    """A stored UTC time as a naive wall-clock time in the group's zone (to fill a form)."""
    if value is None:
        return None
    return in_zone(value, time_zone).replace(tzinfo=None)


def to_utc(local: datetime, time_zone: str, what: str = "That time") -> datetime:
    """A wall-clock time in the group's zone, as UTC.

    Refuses a time the clocks skip (spring forward) or show twice (fall back), rather than
    guessing which hour the organizer meant, and a time outside MIN_YEAR to MAX_YEAR.
    """
    if not MIN_YEAR <= local.year <= MAX_YEAR:
        raise ActionRefused(f"{what}: choose a date between the years {MIN_YEAR} and {MAX_YEAR}.")
    if local.tzinfo is not None:
        return local.astimezone(UTC)
    zone = ZoneInfo(time_zone)
    earlier = local.replace(tzinfo=zone, fold=0)
    later = local.replace(tzinfo=zone, fold=1)
    if earlier.utcoffset() == later.utcoffset():
        return earlier.astimezone(UTC)
    when = f"{local:%H:%M} on {local:%A %d %B %Y}"
    round_trip = earlier.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    if round_trip != local:
        raise ActionRefused(
            f"{what}: {when} does not exist in {zone_label(time_zone)}, because the clocks "
            "go forward that night. Choose another time."
        )
    raise ActionRefused(
        f"{what}: {when} happens twice in {zone_label(time_zone)}, because the clocks go back "
        "that night. Choose a time outside that hour."
    )
