"""Counting the SQL statements a piece of work sends (for tests that hold a page's or a job's
statements equal at two sizes)."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event as sa_event

from organizer.extensions import db


@contextmanager
def statements_sent() -> Iterator[list[str]]:
    """The statements sent to the database inside the block, in order."""
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    engine = db.engine
    sa_event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        sa_event.remove(engine, "before_cursor_execute", count)


@contextmanager
def rows_fetched_one_by_one() -> Iterator[list[int]]:
    """How many rows the block's results fetched one call per row (iterating a Core result): with
    psycopg each such call is Python code per row, where ``.all()`` fetches them in one call."""
    from sqlalchemy.engine.cursor import CursorFetchStrategy

    fetched = [0]
    original = CursorFetchStrategy.fetchone

    def fetchone(self, result, dbapi_cursor, hard_close=False):
        row = original(self, result, dbapi_cursor, hard_close)
        if row is not None:
            fetched[0] += 1
        return row

    CursorFetchStrategy.fetchone = fetchone  # type: ignore[method-assign]
    try:
        yield fetched
    finally:
        CursorFetchStrategy.fetchone = original  # type: ignore[method-assign]
