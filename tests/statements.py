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
