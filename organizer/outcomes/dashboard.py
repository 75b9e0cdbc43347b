"""The organizers' dashboard: does the group's lunches help? Figures per event and per month,
each drawn on the server as an SVG plot (matplotlib, pinned) with a text alternative and the
same numbers as a table under it, and exported as CSV.

Plots read well in print and in large type: the Okabe-Ito colour-blind-safe palette, bars
with value labels (colour never carries meaning alone), large text kept as text in the SVG,
no math parsing of event titles (a "$" in a title stays a "$").
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from organizer.extensions import db
from organizer.models import (
    Event,
    EventStatus,
    Group,
    LunchAnswer,
    Membership,
    NeedChange,
    NeedStatus,
    PairingRun,
    PairingSeat,
    PairingTable,
    User,
)
from organizer.outcomes.history import helped_share
from organizer.outcomes.service import giver_counts
from organizer.paging import Page, page_of
from organizer.spreadsheet import safe_cell
from organizer.timezones import local_time

EVENTS_SHOWN = 12
MONTHS_SHOWN = 12
BLUE, ORANGE, GREEN = "#0072B2", "#E69F00", "#009E73"  # Okabe-Ito


@dataclass
class Figure:
    name: str            # used in the URL of its plot
    title: str
    unit: str            # what a value counts
    labels: list[str]
    values: list[float]
    percent: bool = False
    colour: str = BLUE
    axis: str = ""       # the y axis's short label

    @property
    def alt(self) -> str:
        if not self.labels:
            return f"{self.title}: no data yet."
        shown = [f"{label}: {self.display(v)}" for label, v in zip(self.labels, self.values, strict=True)]
        return f"{self.title} ({self.unit}). " + "; ".join(shown) + "."

    def display(self, value: float) -> str:
        return f"{round(value * 100)}%" if self.percent else f"{value:g}"

    @property
    def rows(self) -> list[tuple[str, str]]:
        return [(label, self.display(v)) for label, v in zip(self.labels, self.values, strict=True)]


def _past_events(group: Group, now: datetime) -> list[Event]:
    published = select(PairingRun.event_id).where(PairingRun.published_at.is_not(None))
    events = db.session.scalars(select(Event).where(
        Event.group_id == group.id, Event.status != EventStatus.CANCELLED, Event.starts_at <= now,
        Event.id.in_(published)).order_by(Event.starts_at.desc()).limit(EVENTS_SHOWN))
    return list(reversed(list(events)))


def _label(event: Event, time_zone: str) -> str:
    return f"{local_time(event.starts_at, time_zone, '%d %b %Y')} {event.title}"[:40]


def _seats(event_ids: list[int]) -> dict[int, list[tuple[int, int]]]:
    """Per event: (table id, user id) of its published pairing."""
    out: dict[int, list[tuple[int, int]]] = {e: [] for e in event_ids}
    if not event_ids:
        return out
    for event_id, table_id, user_id in db.session.execute(
            select(PairingRun.event_id, PairingTable.id, PairingSeat.user_id)
            .join(PairingTable, PairingTable.run_id == PairingRun.id)
            .join(PairingSeat, PairingSeat.table_id == PairingTable.id)
            .where(PairingRun.event_id.in_(event_ids), PairingRun.published_at.is_not(None))):
        out[event_id].append((table_id, user_id))
    return out


def figures(group: Group, now: datetime) -> list[Figure]:
    events = _past_events(group, now)
    ids = [e.id for e in events]
    labels = [_label(e, group.time_zone) for e in events]
    seats = _seats(ids)
    answers: dict[int, list[LunchAnswer]] = {e: [] for e in ids}
    for a in db.session.scalars(select(LunchAnswer).where(LunchAnswer.event_id.in_(ids))) if ids else []:
        answers[a.event_id].append(a)
    attendance: list[float] = [len({u for _, u in seats[e]}) for e in ids]
    shares = [helped_share(e, {u for _, u in seats[e]}, answers[e]) or 0.0 for e in ids]
    notes: list[float] = [sum(1 for a in answers[e] if a.note) for e in ids]
    repeats: list[float] = []
    met: set[frozenset[int]] = set()
    for e in ids:
        tables: dict[int, list[int]] = {}
        for table_id, user_id in seats[e]:
            tables.setdefault(table_id, []).append(user_id)
        pairs = {frozenset((a, b)) for people in tables.values() for i, a in enumerate(people) for b in people[i + 1:]}
        repeats.append(len(pairs & met))
        met |= pairs
    months: Counter[str] = Counter()
    for changed_at in db.session.scalars(select(NeedChange.changed_at).where(
            NeedChange.group_id == group.id, NeedChange.status == NeedStatus.MET)):
        months[local_time(changed_at, group.time_zone, "%Y-%m")] += 1
    month_keys = sorted(months)[-MONTHS_SHOWN:]
    return [
        Figure("attendance", "Attendance per lunch", "people seated", labels, attendance, axis="people"),
        Figure("helped", "Share of attendees who said a lunch helped", "of those seated", labels, shares,
               percent=True, colour=GREEN, axis="% of those seated"),
        Figure("needs-met", "Needs met per month", "needs marked met", month_keys, [float(months[m]) for m in month_keys],
               colour=ORANGE, axis="needs"),
        Figure("notes", "Thank-you notes per lunch", "notes written", labels, notes, axis="notes"),
        Figure("repeats", "Repeat pairs per lunch", "pairs who had lunched together before", labels, repeats,
               colour=ORANGE, axis="pairs"),
    ]


def svg(figure: Figure) -> bytes:
    """The figure as a bar chart in SVG (text kept as text, so it prints and zooms sharp)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    from matplotlib.ticker import MaxNLocator

    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "givefirst", "text.parse_math": False,
                                "font.size": 14, "axes.titlesize": 16, "axes.spines.top": False,
                                "axes.spines.right": False}):
        fig, ax = plt.subplots(figsize=(9, 4.5), layout="constrained")
        try:
            positions = list(range(len(figure.labels)))
            values = [v * 100 if figure.percent else v for v in figure.values]
            bars = ax.bar(positions, values, color=figure.colour, edgecolor="#000000", linewidth=0.8)
            ax.bar_label(bars, labels=[figure.display(v) for v in figure.values], padding=2)
            ax.set_xticks(positions, labels=figure.labels, rotation=30, ha="right")
            ax.set_title(figure.title)
            ax.set_ylabel(figure.axis or figure.unit)
            if figure.percent:
                ax.set_ylim(0, 110)
            else:
                ax.yaxis.set_major_locator(MaxNLocator(integer=True))
                ax.set_ylim(0, max([1.0, *values]) * 1.15)
            if not figure.labels:
                ax.text(0.5, 0.5, "No data yet", ha="center", va="center", transform=ax.transAxes)
            out = io.StringIO()
            fig.savefig(out, format="svg", metadata={"Date": None})
        finally:
            plt.close(fig)
    return out.getvalue().encode()


def figures_csv(figures_: list[Figure]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["figure", "label", "value", "unit"])
    for f in figures_:
        for label, value in zip(f.labels, f.values, strict=True):
            writer.writerow([safe_cell(f.title), safe_cell(label), value, safe_cell(f.unit)])
    return out.getvalue()


@dataclass
class PersonRow:
    name: str
    helped: int
    helped_by: int


LIST_PAGE_SIZE = 25


@dataclass
class People:
    """The dashboard's lists of members, each shown a page at a time (they grow with the group)."""
    givers: Page
    """Members who gave and were not helped yet (PersonRow), who helped most first."""
    gone: Page
    """Names of those who came once and never came back (``never_came_back``)."""
    ledger: Page
    """Every member's counts (PersonRow) where there are some, by name: for organizers only
    (never shown to members: no leaderboard)."""


def people(group: Group, givers_page: int = 1, gone_page: int = 1, ledger_page: int = 1,
           size: int = LIST_PAGE_SIZE) -> People:
    members = dict(db.session.execute(select(User.id, User.name).join(Membership, Membership.user_id == User.id)
                                      .where(Membership.group_id == group.id)).all())
    # by name, then by id: two members of one name keep their places from one page to the next
    rows = [PersonRow(members[uid], gave, got)
            for uid, (gave, got) in sorted(giver_counts(group.id, members).items(), key=lambda i: (members[i[0]].lower(), i[0]))]
    givers = sorted((r for r in rows if r.helped > 0 and r.helped_by == 0), key=lambda r: -r.helped)  # stable: by name
    ledger = [r for r in rows if r.helped or r.helped_by]
    return People(page_of(givers, givers_page, size), page_of(never_came_back(group), gone_page, size),
                  page_of(ledger, ledger_page, size))


def never_came_back(group: Group) -> list[str]:
    """Members who sat at exactly one lunch and at none of the group's later lunches."""
    rows = db.session.execute(
        select(PairingSeat.user_id, func.count(func.distinct(PairingRun.event_id)), func.max(Event.starts_at))
        .join(PairingTable, PairingTable.id == PairingSeat.table_id)
        .join(PairingRun, PairingRun.id == PairingTable.run_id).join(Event, Event.id == PairingRun.event_id)
        .join(Membership, (Membership.user_id == PairingSeat.user_id) & (Membership.group_id == group.id))
        .where(Event.group_id == group.id, PairingRun.published_at.is_not(None),
               Event.status != EventStatus.CANCELLED)
        .group_by(PairingSeat.user_id)).all()
    latest = db.session.scalar(select(func.max(Event.starts_at)).join(PairingRun, PairingRun.event_id == Event.id)
                               .where(Event.group_id == group.id, PairingRun.published_at.is_not(None),
                                      Event.status != EventStatus.CANCELLED))
    once = [uid for uid, count, last in rows if count == 1 and latest is not None and last < latest]
    names = list(db.session.scalars(select(User.name).where(User.id.in_(once)))) if once else []
    return sorted(names, key=str.lower)
