"""Reading pairings: an event's versions, one page of a version's tables, who sits where."""

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from sqlalchemy import Row, Text, bindparam, cast, func, inspect, select
from sqlalchemy.orm import selectinload

from organizer.database import among, read_rows
from organizer.events import service as events
from organizer.extensions import db
from organizer.models import (
    Event,
    Group,
    Membership,
    PairingRun,
    PairingSeat,
    PairingTable,
    RunStatus,
    User,
)
from organizer.paging import Page, clamp, like_escape


def event_in_group(group: Group, event_id: int, viewer: Membership | None = None) -> Event | None:
    """The event, or None; with `viewer`, None also where the event's page is hidden from them (a draft)."""
    event = events.event_in_group(group, event_id)
    if event is None or (viewer is not None and not events.visible_to(event, viewer)):
        return None
    return event


def runs_of(event: Event) -> list[PairingRun]:
    return list(db.session.scalars(
        select(PairingRun).where(PairingRun.event_id == event.id).order_by(PairingRun.version.desc())))


def run_of_event(event: Event, version: int | None = None) -> PairingRun | None:
    """The version asked for, else the newest finished one."""
    query = select(PairingRun).where(PairingRun.event_id == event.id).options(
        selectinload(PairingRun.tables).selectinload(PairingTable.seats).selectinload(PairingSeat.user))
    if version is not None:
        return db.session.scalar(query.where(PairingRun.version == version))
    return db.session.scalar(query.where(PairingRun.status == RunStatus.DONE)
                             .order_by(PairingRun.version.desc()).limit(1))


# Built once: the review reads it on every visit, with whether anyone is checked in (the default of
# its generate form) on every row.
_VERSIONS = (select(PairingRun.id, PairingRun.version, PairingRun.status, PairingRun.action, PairingRun.source,
                    PairingRun.rounds, PairingRun.created_at, PairingRun.error, PairingRun.inputs,
                    PairingRun.objective, PairingRun.proven_optimal, PairingRun.solve_seconds, PairingRun.summary,
                    PairingRun.published_at, events.ANYONE_CHECKED_IN.label("anyone_checked_in"))
             .where(PairingRun.event_id == bindparam("event_id")).order_by(PairingRun.version.desc()))


# A version as an object (runs_of, run_of_event, ...) or as a row of its columns (versions_of):
# what reads only its id, rounds, source or inputs takes either.
Version = PairingRun | Row


def versions_of(event: Event) -> list[Row]:
    """The event's versions, newest first, as rows of what the review shows of them (their
    columns but the claim, the requester and the version they were based on, and
    ``anyone_checked_in`` on each), not objects to change (``runs_of``)."""
    return list(read_rows(_VERSIONS, {"event_id": event.id}).all())


def review_run(runs: Sequence[Version], version: int | None = None) -> Version | None:
    """Among an event's versions (newest first: ``versions_of`` or ``runs_of``), the one asked
    for, else the newest finished one; without its tables (the review shows one page of them:
    tables_page)."""
    if version is not None:
        return next((r for r in runs if r.version == version), None)
    return next((r for r in runs if r.status == RunStatus.DONE), None)


# Built once: the review reads them on every visit (building a statement costs as much as running it).
# A page of tables with the people at them, in one statement: a row per seat (a table without seats
# has one, with no person), the table's reasons as their JSON text, decoded once per table. The
# counts come with the rows, as subqueries run once (only a page past the end asks again).
_counted = PairingTable.__table__.alias("counted")
_TABLE_COUNT = select(func.count()).select_from(_counted).where(_counted.c.run_id == bindparam("run_id"))
_TABLE_COUNTS = select(_TABLE_COUNT.scalar_subquery().label("total"),
                       _TABLE_COUNT.where(_counted.c.round == 1).scalar_subquery().label("first_round"))
_PAGE = (select(PairingTable.id, PairingTable.round, PairingTable.number, PairingTable.score, PairingTable.locked,
                cast(PairingTable.reasons, Text).label("reasons"), *_TABLE_COUNTS.selected_columns)
         .where(PairingTable.run_id == bindparam("run_id"))
         .order_by(PairingTable.round, PairingTable.number).limit(bindparam("size")).offset(bindparam("skip"))
         .subquery("page"))
_TABLES = (select(_PAGE, PairingSeat.user_id, User.name)
           .select_from(_PAGE.outerjoin(PairingSeat, PairingSeat.table_id == _PAGE.c.id)
                        .outerjoin(User, User.id == PairingSeat.user_id))
           .order_by(_PAGE.c.round, _PAGE.c.number, PairingSeat.position))


class TableRow(NamedTuple):
    """A table of a page of the review: its columns (``reasons`` as stored: see reasons.py)."""
    id: int
    round: int
    number: int
    score: float
    locked: bool
    reasons: list


class SeatedPerson(NamedTuple):
    user_id: int
    name: str


@dataclass
class TablesPage(Page):
    first_round: int = 0  # how many tables the version's first round has (every round seats everyone)
    seated: dict[int, list[SeatedPerson]] = field(default_factory=dict)  # by table id, in their seats' order


def tables_page(run: Version, number: int, size: int) -> TablesPage:
    """One page of the version's tables (by round, then number, as ``TableRow``) and the people
    at them (``seated``: names, not a seat and a user object per person). A page past the end
    shows the last one."""
    rows = _tables(run, number, size)
    if rows:
        total, first_round = rows[0].total, rows[0].first_round
    else:
        total, first_round = read_rows(_TABLE_COUNTS, {"run_id": run.id}).one()
    shown = clamp(number, total, size)
    if shown != number:
        rows = _tables(run, shown, size)
    tables: list[TableRow] = []
    seated: dict[int, list[SeatedPerson]] = {}
    for row in rows:
        if row.id not in seated:
            tables.append(TableRow(row.id, row.round, row.number, row.score, row.locked, json.loads(row.reasons)))
            seated[row.id] = []
        if row.user_id is not None:
            seated[row.id].append(SeatedPerson(row.user_id, row.name))
    return TablesPage(tables, total, shown, size, first_round=first_round, seated=seated)


def _tables(run: Version, number: int, size: int) -> list[Row]:
    return list(read_rows(_TABLES, {"run_id": run.id, "size": size, "skip": (number - 1) * size}).all())


def seated_named(run: PairingRun, text: str, limit: int = 10) -> dict[int, str]:
    """Those seated in the version's first round whose name contains ``text`` (any case), by
    name: at most ``limit`` (the review's typed choices, so its page never lists everyone)."""
    pattern = f"%{like_escape(text.strip().lower())}%"
    return {user_id: name for user_id, name in db.session.execute(
        select(PairingSeat.user_id, User.name).join(PairingTable, PairingTable.id == PairingSeat.table_id)
        .join(User, User.id == PairingSeat.user_id)
        .where(PairingTable.run_id == run.id, PairingTable.round == 1,
               func.lower(User.name).like(pattern, escape="\\"))
        .order_by(func.lower(User.name), User.id).limit(limit))}


def seated_names(run: PairingRun) -> dict[int, str]:
    """Everyone seated in the version's first round (every round seats everyone), by name."""
    return {user_id: name for user_id, name in db.session.execute(
        select(PairingSeat.user_id, User.name).join(PairingTable, PairingTable.id == PairingSeat.table_id)
        .join(User, User.id == PairingSeat.user_id)
        .where(PairingTable.run_id == run.id, PairingTable.round == 1)
        .order_by(func.lower(User.name), User.id))}


def latest_run(event: Event) -> PairingRun | None:
    return db.session.scalar(select(PairingRun).where(PairingRun.event_id == event.id)
                             .order_by(PairingRun.version.desc()).limit(1))


def published_run(event: Event, *, with_tables: bool = True) -> PairingRun | None:
    """The published version, with every table, seat and person loaded (the sheets, the
    review's moves), or alone (``with_tables=False``: a member's own lunch reads only their
    tables, see ``seats_of``)."""
    statement = select(PairingRun).where(PairingRun.event_id == event.id, PairingRun.published_at.is_not(None))
    if with_tables:
        statement = statement.options(
            selectinload(PairingRun.tables).selectinload(PairingTable.seats).selectinload(PairingSeat.user))
    return db.session.scalar(statement)


def seating(run: Version) -> dict[int, dict[int, list[int]]]:
    """Every round's tables in one statement: round -> number -> the user ids seated there."""
    return _by_round(read_rows(_SEATING, {"run_id": run.id}).all())


def round_seating(run: Version, round_: int) -> dict[int, list[int]]:
    """One round's tables: number -> the user ids seated there, in one statement."""
    return _by_round(read_rows(_ROUND_SEATING, {"run_id": run.id, "round": round_}).all()).get(round_, {})


def _by_round(rows: Iterable[Row]) -> dict[int, dict[int, list[int]]]:
    rounds: dict[int, dict[int, list[int]]] = {}
    for round_, number, user_id in rows:
        rounds.setdefault(round_, {}).setdefault(number, []).append(user_id)
    return rounds


_SEATING = (select(PairingTable.round, PairingTable.number, PairingSeat.user_id)
            .join(PairingSeat, PairingSeat.table_id == PairingTable.id)
            .where(PairingTable.run_id == bindparam("run_id"))
            .order_by(PairingTable.round, PairingTable.number, PairingSeat.position))
_ROUND_SEATING = _SEATING.where(PairingTable.round == bindparam("round"))


@dataclass
class Seat:
    round: int
    table: PairingTable
    partners: list[User]


def my_seats(run: PairingRun, user_id: int) -> list[Seat]:
    return seats_of(run, [user_id])[user_id]


def seats_of(run: PairingRun, user_ids: Iterable[int]) -> dict[int, list[Seat]]:
    """Each of these people's seats in the version, by round. When the version's tables are
    not loaded, only these people's tables are read (with their seats and people: three
    statements, however large the lunch); when they are (a publication tells everyone), they
    are looked through once."""
    wanted = set(user_ids)
    if "tables" in inspect(run).unloaded:
        tables: Iterable[PairingTable] = db.session.scalars(
            select(PairingTable).where(PairingTable.run_id == run.id, PairingTable.id.in_(
                select(PairingSeat.table_id).where(among(PairingSeat.user_id, wanted))))
            .order_by(PairingTable.round, PairingTable.number)
            .options(selectinload(PairingTable.seats).selectinload(PairingSeat.user))).all()
    else:
        tables = run.tables
    out: dict[int, list[Seat]] = {uid: [] for uid in wanted}
    for table in tables:
        for uid in {s.user_id for s in table.seats} & wanted:
            out[uid].append(Seat(table.round, table, [s.user for s in table.seats if s.user_id != uid]))
    for seats in out.values():
        seats.sort(key=lambda s: s.round)
    return out


def names_of(user_ids: Iterable[int]) -> dict[int, str]:
    ids = list(user_ids)
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())
