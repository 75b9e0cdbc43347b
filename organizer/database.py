"""Database engine settings that make SQLite safe for concurrent use.

SQLite (the default): WAL so readers never wait for a writer, foreign keys on,
a busy timeout instead of an immediate "database is locked", and every
transaction of a write request opened with BEGIN IMMEDIATE, so that it takes the
write lock before it reads what it will change (an RSVP counting seats cannot
overbook). Read requests begin deferred and run side by side.

PostgreSQL needs none of this; services lock rows where they must. There a read
request's connection runs in autocommit (no BEGIN, no COMMIT: two round trips fewer per
page), and its writes go through transaction() as everywhere.
"""

import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, cast

import psycopg
from flask import Flask, g, has_app_context, has_request_context, request
from sqlalchemy import ColumnElement, Integer, Select, any_, bindparam, event, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import CursorResult, Engine, Result
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable
from sqlalchemy.sql.dml import Delete, Update
from sqlalchemy.sql.visitors import InternalTraversal

from organizer.extensions import db

SQLITE_BUSY_TIMEOUT_MS = 15_000
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
AUTOCOMMIT_READS = "autocommit_reads"  # a connection's info key: a read request's PostgreSQL connection


def changed_rows(statement: Update | Delete) -> int:
    """Runs an UPDATE or DELETE in the session and returns how many rows it changed."""
    return cast(CursorResult, db.session.execute(statement)).rowcount or 0


def read_rows(statement: Executable, values: dict | None = None) -> Result:
    """A statement that selects columns (no entities) run on the session's connection, in its
    transaction: the ORM's part of ``db.session.execute`` (its compile state, events and result
    wrapping) cost twice the rest of a small statement, and rows of plain values need none of it.
    Changes pending in the session are flushed first, as before any query of the session.
    Take its rows with ``.all()`` (``.scalars().all()``, ``.one()``...), never by iterating the
    result: psycopg then fetches them one Python call per row (tests/test_page_statements.py
    checks that no page's one-by-one rows grow with the group)."""
    session = db.session()
    if session.autoflush and (session.new or session.dirty or session.deleted):
        session.flush()
    return session.connection().execute(statement, values)


def among(column: Any, ids: Iterable[int]) -> ColumnElement[bool]:
    """``column IN (ids)`` sent as one bound parameter, however many ids: a PostgreSQL array
    (``= ANY(:ids)``), or in SQLite a JSON list read by ``json_each``. A plain ``IN`` sends one
    parameter per id, which the driver and the database parse again each time: at the door,
    with 1,000 attendees, the same lists go out a dozen times per re-solve."""
    values = [int(i) for i in ids]
    if db.session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, values, type_=ARRAY(Integer)))
    listed = func.json_each(json.dumps(values)).table_valued("value")
    return column.in_(select(listed.c.value))


class _PerDialect(ColumnElement[Any]):
    """One of two expressions, chosen when the statement is compiled: PostgreSQL's or SQLite's."""

    inherit_cache = True
    _traverse_internals = [("postgresql", InternalTraversal.dp_clauseelement),
                           ("sqlite", InternalTraversal.dp_clauseelement)]

    def __init__(self, postgresql: ColumnElement[Any], sqlite: ColumnElement[Any]) -> None:
        self.postgresql, self.sqlite = postgresql, sqlite
        self.type = sqlite.type


@compiles(_PerDialect)
def _compile_sqlite(element: _PerDialect, compiler: Any, **kw: Any) -> str:
    return cast(str, compiler.process(element.sqlite, **kw))


@compiles(_PerDialect, "postgresql")
def _compile_postgresql(element: _PerDialect, compiler: Any, **kw: Any) -> str:
    return cast(str, compiler.process(element.postgresql, **kw))


def json_rows(query: Select) -> ColumnElement[Any]:
    """A column holding every row of ``query`` (a few: a list a page shows beside other facts) as a
    JSON array of arrays, so that the page reads them in the statement it reads its facts with;
    ``rows_of_json`` reads it back. Each statement a page sends costs its worker as much CPU as a
    small page's template (PostgreSQL: driver, result and a round trip). The rows come in no
    promised order: sort them after reading."""
    rows = query.subquery()
    return _PerDialect(
        select(func.json_agg(func.json_build_array(*rows.c))).scalar_subquery(),  # NULL for no rows
        select(func.json_group_array(func.json_array(*rows.c))).scalar_subquery())


def rows_of_json(value: Any) -> list[list[Any]]:
    """The rows of a ``json_rows`` column (the driver may have parsed the JSON already)."""
    if value is None:
        return []  # PostgreSQL's json_agg of no rows
    return cast(list, json.loads(value) if isinstance(value, str | bytes) else value)


def datetime_of_json(value: str) -> datetime:
    """A UTC datetime read from JSON: PostgreSQL writes it with its offset, SQLite as stored (UTC,
    no zone; see ``models.base.UTCDateTime``)."""
    moment = datetime.fromisoformat(value)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def configure_database(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        configure_sqlite(engine)
    else:  # PostgreSQL: keep psycopg's prepared statements (SQLite has none; its rollback costs less)
        app.teardown_appcontext(end_read_transaction)  # runs before Flask-SQLAlchemy's (registered earlier)
        configure_postgresql_reads(engine)
        configure_postgresql_cursors(engine)
    app.before_request(mark_write_request)


def configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, connection_record):
        # Leave BEGIN to us (below) instead of the sqlite3 module's own guesswork.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        write_lock = wants_write_lock()
        connection.info["write_lock"] = write_lock  # read by writing()
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write_lock else "BEGIN")


def configure_postgresql_reads(engine: Engine) -> None:
    """A read request's connection runs in autocommit: each statement is its own transaction,
    so psycopg sends no BEGIN before the first and no COMMIT after the last, two round trips
    of the group home's five (the session's user, the page's two statements). A connection
    taken for writing (a POST, or writing() and transaction() inside a GET) begins as usual:
    writing() ends the read connection first (``write_lock`` False, as SQLite's read
    transactions), and a GET that flushes changes outside them raises rather than have each
    statement commit on its own (``refuse_autocommitted_writes``)."""

    @event.listens_for(engine, "checkout")
    def on_checkout(dbapi_connection, connection_record, connection_proxy):
        if has_request_context() and not wants_write_lock():
            dbapi_connection.autocommit = True
            connection_record.info["write_lock"] = False
            connection_record.info[AUTOCOMMIT_READS] = True

    @event.listens_for(engine, "checkin")
    def on_checkin(dbapi_connection, connection_record):
        if connection_record.info.pop(AUTOCOMMIT_READS, False):
            connection_record.info.pop("write_lock", None)
            if dbapi_connection is not None:
                dbapi_connection.autocommit = False


class _Description(Sequence[Any]):
    """A psycopg cursor's ``description``, its columns built when first read. SQLAlchemy reads
    the description of every statement but, for a statement whose result it has seen before
    (every statement of a page after the first request), only asks whether it is None;
    psycopg built one Column per result column each time (about 6% of the group home's
    instructions on PostgreSQL, for its 37 columns). Read after the cursor moved to another
    result, it raises rather than describe the wrong one."""

    __slots__ = ("_cursor", "_result", "_columns")

    def __init__(self, cursor: psycopg.Cursor, result: Any) -> None:
        self._cursor, self._result = cursor, result
        self._columns: list[psycopg.Column] | None = None

    def _built(self) -> list[psycopg.Column]:
        if self._columns is None:
            if self._cursor.pgresult is not self._result:
                raise RuntimeError("a cursor's description read after the cursor moved to another result")
            self._columns = _EAGER_DESCRIPTION(self._cursor) or []
        return self._columns

    def __bool__(self) -> bool:
        return self._result.nfields > 0  # psycopg's list: empty for a result of no columns

    def __len__(self) -> int:
        return len(self._built())

    def __getitem__(self, index: Any) -> Any:
        return self._built()[index]

    def __iter__(self) -> Iterator[psycopg.Column]:
        return iter(self._built())


_EAGER_DESCRIPTION = cast(Any, psycopg.Cursor.description).fget


class DescribedWhenRead(psycopg.Cursor):
    """psycopg's cursor with a ``description`` built only when its columns are read."""

    @property
    def description(self) -> Any:
        result = self.pgresult
        if result is not None and result.nfields:
            return _Description(self, result)
        return _EAGER_DESCRIPTION(self)  # no columns: psycopg's own answer (None, or [] for "SELECT ;")


def configure_postgresql_cursors(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, connection_record):
        dbapi_connection.cursor_factory = DescribedWhenRead


@event.listens_for(Session, "before_flush")
def refuse_autocommitted_writes(session, flush_context, instances) -> None:
    if session.connection().info.get(AUTOCOMMIT_READS):
        raise RuntimeError("a read request flushed changes outside writing() or transaction(): "
                           "open the transaction before changing anything")


def end_read_transaction(exc: BaseException | None) -> None:
    """Ends a transaction that only read with COMMIT rather than the ROLLBACK the session's
    removal would send. Both end it the same way, but psycopg forgets its prepared statements
    on every ROLLBACK: with one at the end of each request, no statement ever ran prepared, and
    PostgreSQL planned each one again on every request (the group home's first facts: 0.8 ms to
    plan, 0.2 ms to run). A transaction that holds changes, or a request that failed, still
    rolls back, in Flask-SQLAlchemy's teardown. (A read request's connection has no transaction
    to end, and the ORM's commit, which expires what the request loaded, is left out: about
    0.3 ms of the group home's 2.3 in the worker.) PostgreSQL only: on SQLite the ORM's commit
    costs 0.14 ms more than its rollback per request (7% of the group home) and gains nothing."""
    if exc is not None or not db.session.registry.has():
        return
    session = db.session()
    if not session.in_transaction() or holds_changes(session):
        return
    if session.connection().info.get(AUTOCOMMIT_READS):
        return  # no transaction on the server to end: the removal only returns the connection
    try:
        session.commit()
    except Exception:  # the connection broke: the removal's rollback cleans up, nothing was written
        session.rollback()


def mark_write_request() -> None:
    if request.method in WRITE_METHODS:
        g.database_writes = True


def wants_write_lock() -> bool:
    return has_app_context() and g.get("database_writes", False)


@event.listens_for(Session, "after_begin")
def _transaction_begun(session, transaction, connection) -> None:
    session.info["flushed"] = False


@event.listens_for(Session, "after_flush")
def _flushed(session, flush_context) -> None:
    session.info["flushed"] = True


def holds_changes(session) -> bool:
    """Whether the session's transaction has changes, flushed or not, that a rollback would lose."""
    return bool(session.new or session.dirty or session.deleted or session.info.get("flushed"))


@contextmanager
def writing() -> Iterator[None]:
    """Open the transactions begun inside the block for writing (SQLite: BEGIN IMMEDIATE).

    A write request's transaction already is one, and so is a transaction begun inside
    writing(): they are kept. A read transaction still open (SQLite, begun without the write
    lock) cannot take the lock safely, so it is ended first; that loses nothing but reads.
    One that already holds changes is a bug of the caller (it wrote before it asked to
    write) and raises instead of losing them: open the transaction before reading.
    PostgreSQL has no such lock; its services lock the rows they change."""
    previous = g.get("database_writes", False)
    g.database_writes = True  # from here, a connection the session takes begins for writing
    try:
        session = db.session()  # the scoped session's Session
        if session.in_transaction() and not session.connection().info.get("write_lock", True):
            if holds_changes(session):
                raise RuntimeError("writing() inside a read transaction that holds changes: "
                                   "open the transaction (writing() or transaction()) before reading")
            session.rollback()
        yield
    finally:
        g.database_writes = previous


@contextmanager
def transaction() -> Iterator[None]:
    """The one commit of an action (a request's write, a CLI command, a job): everything the
    services added and flushed inside the block commits together when it ends, and all of it
    rolls back when the block raises (ActionRefused included), so no action is left half done.

    Inside another transaction() block it joins that one: the outermost block commits."""
    if g.get("database_action"):
        yield
        return
    with writing():
        g.database_action = True
        try:
            yield
        except BaseException:
            db.session.rollback()
            raise
        else:
            db.session.commit()
        finally:
            g.database_action = False
