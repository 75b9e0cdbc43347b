"""Reading pairings: an event's versions, one page of a version's tables, who sits where, and
how a version differs from the one before it."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import func, inspect, select
from sqlalchemy.orm import selectinload

from organizer.database import among
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


def review_run(event: Event, version: int | None = None) -> PairingRun | None:
    """run_of_event without loading its tables: the review shows one page of them (tables_page)."""
    query = select(PairingRun).where(PairingRun.event_id == event.id)
    if version is not None:
        return db.session.scalar(query.where(PairingRun.version == version))
    return db.session.scalar(query.where(PairingRun.status == RunStatus.DONE)
                             .order_by(PairingRun.version.desc()).limit(1))


def tables_page(run: PairingRun, number: int, size: int) -> Page:
    """One page of the version's tables (by round, then number), with their seats and people."""
    total = db.session.scalar(select(func.count()).select_from(PairingTable)
                              .where(PairingTable.run_id == run.id)) or 0
    number = clamp(number, total, size)
    rows = list(db.session.scalars(
        select(PairingTable).where(PairingTable.run_id == run.id)
        .order_by(PairingTable.round, PairingTable.number)
        .options(selectinload(PairingTable.seats).selectinload(PairingSeat.user))
        .limit(size).offset((number - 1) * size)))
    return Page(rows, total, number, size)


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


def round_table_count(run: PairingRun, round_: int = 1) -> int:
    return db.session.scalar(select(func.count()).select_from(PairingTable).where(
        PairingTable.run_id == run.id, PairingTable.round == round_)) or 0


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


def round_seating(run: PairingRun, round_: int) -> dict[int, list[int]]:
    """One round's tables: number -> the user ids seated there, in one statement."""
    tables: dict[int, list[int]] = {}
    for number, user_id in db.session.execute(
            select(PairingTable.number, PairingSeat.user_id).join(PairingSeat, PairingSeat.table_id == PairingTable.id)
            .where(PairingTable.run_id == run.id, PairingTable.round == round_)
            .order_by(PairingTable.number, PairingSeat.position)):
        tables.setdefault(number, []).append(user_id)
    return tables


def pairs_by_round(run: PairingRun) -> list[set[frozenset[int]]]:
    tables: dict[int, tuple[int, set[int]]] = {}
    for table_id, round_, user_id in db.session.execute(
            select(PairingTable.id, PairingTable.round, PairingSeat.user_id)
            .join(PairingSeat, PairingSeat.table_id == PairingTable.id).where(PairingTable.run_id == run.id)):
        tables.setdefault(table_id, (round_, set()))[1].add(user_id)
    rounds: list[set[frozenset[int]]] = [set() for _ in range(run.rounds)]
    for round_, members in tables.values():
        rounds[round_ - 1].add(frozenset(members))
    return rounds


@dataclass
class Difference:
    compared_with: int | None
    kept: int = 0
    new_tables: list[frozenset[int]] = field(default_factory=list)
    gone_tables: list[frozenset[int]] = field(default_factory=list)


def difference(run: PairingRun) -> Difference:
    """How this version differs from the one before it (the one it was based on, else the previous)."""
    previous = run.based_on or db.session.scalar(
        select(PairingRun).where(PairingRun.event_id == run.event_id, PairingRun.version < run.version,
                                 PairingRun.status == RunStatus.DONE)
        .order_by(PairingRun.version.desc()).limit(1))
    if previous is None or previous.status != RunStatus.DONE:
        return Difference(compared_with=None)
    mine, theirs = pairs_by_round(run), pairs_by_round(previous)
    diff = Difference(compared_with=previous.version)
    for now_tables, then_tables in zip(mine, theirs, strict=False):
        diff.kept += len(now_tables & then_tables)
        diff.new_tables.extend(now_tables - then_tables)
        diff.gone_tables.extend(then_tables - now_tables)
    return diff


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
