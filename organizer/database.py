"""Database engine settings that make SQLite safe for concurrent use.

SQLite (the default): WAL so readers never wait for a writer, foreign keys on,
a busy timeout instead of an immediate "database is locked", and every
transaction of a write request opened with BEGIN IMMEDIATE, so that it takes the
write lock before it reads what it will change (an RSVP counting seats cannot
overbook). Read requests begin deferred and run side by side.

PostgreSQL needs none of this; services lock rows where they must.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, g, has_app_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

from organizer.extensions import db

SQLITE_BUSY_TIMEOUT_MS = 15_000
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def configure_database(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        configure_sqlite(engine)
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
        connection.exec_driver_sql("BEGIN IMMEDIATE" if wants_write_lock() else "BEGIN")


def mark_write_request() -> None:
    if request.method in WRITE_METHODS:
        g.database_writes = True


def wants_write_lock() -> bool:
    return has_app_context() and g.get("database_writes", False)


@contextmanager
def writing() -> Iterator[None]:
    """Outside a request (CLI, background jobs): open the next transactions for writing."""
    db.session.rollback()  # a transaction begun for reading cannot take the write lock safely
    previous = g.get("database_writes", False)
    g.database_writes = True
    try:
        yield
    finally:
        g.database_writes = previous


@contextmanager
def transaction() -> Iterator[None]:
    """The one commit of an action (a request's write, a CLI command, a job): everything the
    services added and flushed inside the block commits together when it ends, and all of it
    rolls back when the block raises (ActionRefused included), so no action is left half done."""
    with writing():
        try:
            yield
        except BaseException:
            db.session.rollback()
            raise
        db.session.commit()
