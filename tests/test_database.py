"""SQLite is set up for concurrent use; both databases take concurrent writes without errors."""

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import psycopg
import pytest
from sqlalchemy import func, select, text

from organizer.database import among, datetime_of_json, json_rows, read_rows, rows_of_json
from organizer.extensions import db
from organizer.models import Membership, User
from tests.factories import make_group, make_user


def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite settings")
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


def test_foreign_keys_are_enforced(app):
    group = make_group()
    db.session.execute(text("DELETE FROM users WHERE id = :id"), {"id": group.memberships[0].user_id})
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Membership)) == 0  # ON DELETE CASCADE ran


def test_concurrent_signups_and_joins_all_succeed(app):
    group = make_group()
    code = group.invite_code
    db.session.commit()

    def sign_up_and_join(n: int) -> tuple[int, int]:
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"192.0.2.{n}"  # one visitor each, under the rate limits
        signed = client.post(
            "/auth/signup",
            data={"name": f"Person {n}", "email": f"p{n}@example.org",
                  "password": "long enough password", "confirm": "long enough password"},
        ).status_code
        joined = client.post(f"/groups/join/{code}").status_code
        return signed, joined

    with ThreadPoolExecutor(max_workers=12) as pool:
        results = list(pool.map(sign_up_and_join, range(36)))
    assert results == [(302, 302)] * 36
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(User)) == 37
    assert db.session.scalar(select(func.count()).select_from(Membership).where(Membership.group_id == group.id)) == 37


def test_a_transaction_commits_everything_the_services_flushed_when_it_ends(app):
    from organizer.database import transaction

    with transaction():
        db.session.add(User(name="Kept", email="kept@example.org"))
        db.session.flush()
    db.session.rollback()  # nothing left to roll back: it was committed
    assert db.session.scalar(select(func.count()).select_from(User).where(User.email == "kept@example.org")) == 1


def test_a_refusal_rolls_back_the_steps_before_it(app):
    from organizer.database import transaction
    from organizer.errors import ActionRefused

    with pytest.raises(ActionRefused), transaction():
        db.session.add(User(name="First step", email="first@example.org"))
        db.session.flush()
        raise ActionRefused("the second step is refused")
    assert db.session.scalar(select(func.count()).select_from(User).where(User.email == "first@example.org")) == 0


def test_an_inner_transaction_joins_the_outer_one(app):
    from organizer.database import transaction

    with pytest.raises(RuntimeError), transaction():
        with transaction():
            db.session.add(User(name="Inner", email="inner@example.org"))
        raise RuntimeError("the outer block fails after the inner one ended")
    assert db.session.scalar(select(func.count()).select_from(User).where(User.email == "inner@example.org")) == 0


def test_writing_refuses_to_drop_changes_of_a_read_transaction(app):
    from organizer.database import writing

    if db.engine.dialect.name != "sqlite":
        pytest.skip("only SQLite begins a read transaction without the write lock")
    db.session.scalar(select(func.count()).select_from(User))  # a read transaction is open
    db.session.add(User(name="Unsaved", email="unsaved@example.org"))
    db.session.flush()
    with pytest.raises(RuntimeError, match="holds changes"), writing():
        pass
    db.session.rollback()


def test_writing_ends_a_read_only_transaction_and_begins_with_the_write_lock(app):
    from organizer.database import writing

    if db.engine.dialect.name != "sqlite":
        pytest.skip("the write lock is SQLite's")
    db.session.scalar(select(func.count()).select_from(User))
    assert db.session.connection().info["write_lock"] is False
    with writing():
        db.session.scalar(select(func.count()).select_from(User))
        assert db.session.connection().info["write_lock"] is True
    db.session.rollback()


def _autocommit() -> bool:
    """Whether the session's connection runs each statement in its own transaction (psycopg)."""
    return db.session.connection().connection.dbapi_connection.autocommit


def _users_named(email: str) -> int:
    with db.engine.connect() as conn:  # another connection: what was committed
        return conn.scalar(select(func.count()).select_from(User).where(User.email == email))


def test_a_read_request_reads_in_autocommit_and_writes_only_in_a_transaction(app):
    """PostgreSQL: a GET's statements run without BEGIN and COMMIT (two round trips of five on
    the group home); what it writes goes through transaction(), which still commits all or
    nothing; a change flushed outside it is refused, not committed statement by statement."""
    from organizer.database import transaction

    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite begins its read transactions deferred instead")
    db.session.remove()
    with app.test_request_context("/", method="GET"):
        app.preprocess_request()
        db.session.scalar(select(func.count()).select_from(User))
        assert _autocommit() is True
        with transaction():
            assert _autocommit() is False
            db.session.add(User(name="Kept", email="kept@example.org"))
        assert _users_named("kept@example.org") == 1
        with pytest.raises(RuntimeError, match="second step"), transaction():
            db.session.add(User(name="First", email="first@example.org"))
            db.session.flush()
            raise RuntimeError("the second step fails")
        assert _users_named("first@example.org") == 0  # all or nothing, as on a POST
        assert _autocommit() is True  # reads after the transaction are back in autocommit
        db.session.add(User(name="Stray", email="stray@example.org"))
        with pytest.raises(RuntimeError, match="outside writing"):
            db.session.flush()
        db.session.rollback()
        assert _users_named("stray@example.org") == 0
    db.session.remove()
    assert _autocommit() is False  # the pool's connection is reset: a job or command begins as usual
    db.session.remove()
    with app.test_request_context("/", method="POST"):
        app.preprocess_request()
        assert _autocommit() is False
    db.session.remove()


def test_among_selects_the_listed_ids_with_one_parameter(app):
    """``among`` is ``IN`` on both databases: the listed rows, none for an empty list, duplicates
    and ids of no row harmless; and the statement carries one parameter, not one per id."""
    users = [make_user(f"Among {i}") for i in range(5)]
    db.session.commit()
    ids = [u.id for u in users]
    chosen = [ids[0], ids[3], ids[3], max(ids) + 1000]
    statement = select(User.id).where(among(User.id, chosen))
    assert sorted(db.session.scalars(statement)) == sorted({ids[0], ids[3]})
    assert list(db.session.scalars(select(User.id).where(among(User.id, [])))) == []
    def parameters(statement) -> int:  # as sent, after IN lists are expanded
        return len(statement.compile(bind=db.session.get_bind(), compile_kwargs={"render_postcompile": True}).params)

    assert parameters(statement) == 1
    assert parameters(select(User.id).where(among(User.id, range(1, 3000)))) == 1
    assert parameters(select(User.id).where(User.id.in_(range(1, 3000)))) == 2999  # what among avoids


def test_read_rows_reads_in_the_sessions_transaction_after_its_pending_changes(app):
    from organizer.database import read_rows

    user = make_user(name="Ann Lee")
    user.name = "Ann Stone"  # pending: read_rows flushes it first, as a query of the session would
    db.session.add(User(name="Bob Brown", email="bob@example.org", password_hash=None))
    names = read_rows(select(User.name).order_by(User.name)).scalars().all()
    assert names == ["Ann Stone", "Bob Brown"]
    db.session.rollback()  # the same transaction: nothing of it was committed
    assert read_rows(select(User.name)).scalars().all() == ["Ann Lee"]
    with db.session.no_autoflush:
        user.name = "Ann Again"
        assert read_rows(select(User.name)).scalars().all() == ["Ann Lee"]


def test_read_requests_keep_postgresql_prepared_statements(app, client):
    """psycopg prepares a statement run five times and forgets them all on a ROLLBACK: a read
    request ends without one (its connection is in autocommit, and neither the end of the request
    nor the pool's reset sends anything), so the statements prepared by earlier visits are still
    on the server after the next. Read on the pooled connection as it comes back from each visit."""
    from sqlalchemy import event

    from tests.factories import DEFAULT_PASSWORD

    if db.engine.dialect.name != "postgresql":
        pytest.skip("psycopg's prepared statements")
    make_user(email="reader@example.org")
    db.session.commit()
    client.post("/auth/login", data={"email": "reader@example.org", "password": DEFAULT_PASSWORD})
    prepared: dict[int, list[int]] = {}  # per pooled connection, after each visit it served

    def count(dbapi_connection, connection_record):
        if dbapi_connection.autocommit:  # a read request's connection, before the pool resets it
            found = dbapi_connection.execute("SELECT count(*) FROM pg_prepared_statements").fetchone()[0]
            prepared.setdefault(id(dbapi_connection), []).append(found)

    # one pooled connection, as a quiet worker has: the pool hands its idle connections out in
    # turn, and the connections earlier tests left in it would share the visits below (five each
    # prepare a statement: with four or more of them, none is run five times on one)
    db.session.remove()
    db.engine.dispose()
    event.listen(db.engine, "checkin", count, insert=True)
    try:
        for _ in range(16):
            assert client.get("/groups/").status_code == 200
    finally:
        event.remove(db.engine, "checkin", count)
    assert sum(len(counts) for counts in prepared.values()) == 16
    assert max(max(counts) for counts in prepared.values()) > 0, prepared
    for counts in prepared.values():
        assert counts == sorted(counts), prepared  # never forgotten by a later visit


def test_postgresql_cursors_describe_their_columns_when_read(app):
    """The description psycopg builds column by column is built only when read: it is the same
    columns (names, type codes, slices), None without a result and empty for no columns, and a
    description read after its cursor moved to another result raises instead of describing that one."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("psycopg's cursors")
    make_user(email="described@example.org")
    db.session.commit()
    assert db.session.execute(text("SELECT id, email FROM users")).keys() == ["id", "email"]
    dbapi_connection = db.session.connection().connection.dbapi_connection
    cursor = dbapi_connection.cursor()
    assert cursor.description is None  # nothing run yet
    cursor.execute("SELECT 1 AS one, 'a'::text AS letter, now() AS moment")
    lazy = cursor.description
    assert lazy and len(lazy) == 3
    plain = psycopg.ClientCursor(dbapi_connection)
    plain.execute("SELECT 1 AS one, 'a'::text AS letter, now() AS moment")
    assert [(c.name, c.type_code) for c in lazy] == [(c.name, c.type_code) for c in plain.description]
    assert lazy[-1][0] == "moment" and [c.name for c in lazy[-2:]] == ["letter", "moment"]
    assert cursor.fetchall()[0][:2] == (1, "a")
    cursor.execute("SELECT")
    assert cursor.description == [] and not cursor.description
    cursor.execute("SELECT 2 AS two")
    unread = cursor.description
    cursor.execute("SELECT 3 AS three")
    with pytest.raises(RuntimeError, match="moved to another result"):
        list(unread)
    assert [c.name for c in cursor.description] == ["three"]
    cursor.close()
    plain.close()


@pytest.mark.parametrize("flush", [False, True])
def test_the_end_of_a_request_never_commits_a_change_it_did_not_commit_itself(app, flush):
    from organizer.database import end_read_transaction

    user = make_user(name="Ann Lee")
    db.session.commit()
    assert user.name == "Ann Lee"  # read: the request's transaction has begun
    user.name = "Ann Stone"  # changed by a view, never committed
    if flush:
        db.session.flush()
    end_read_transaction(None)
    db.session.rollback()  # what the session's removal does next
    assert db.session.scalar(select(User.name)) == "Ann Lee"


def test_the_end_of_a_failed_request_does_not_commit(app):
    from organizer.database import end_read_transaction

    db.session.add(User(name="Ann Lee", email="ann@example.org", password_hash=None))
    db.session.flush()
    db.session.info["flushed"] = False  # as if only read: still, a failed request is left to roll back
    end_read_transaction(RuntimeError("the view failed"))
    assert db.session().in_transaction()
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_datetimes_read_from_json_are_utc_whatever_the_offset_written():
    # PostgreSQL writes the offset of its session's time zone; SQLite the stored UTC, without zone
    assert datetime_of_json("2026-01-02T03:04:05.123456+05:30") == datetime(2026, 1, 1, 21, 34, 5, 123456, tzinfo=UTC)
    assert datetime_of_json("2026-01-02T03:04:05-05:00") == datetime(2026, 1, 2, 8, 4, 5, tzinfo=UTC)
    assert datetime_of_json("2026-01-02 03:04:05.123456") == datetime(2026, 1, 2, 3, 4, 5, 123456, tzinfo=UTC)


def test_json_rows_reads_back_rows_and_their_times_on_this_database(app):
    first, second = make_user(name="Ann <b>"), make_user(name="Bob")
    if db.session.get_bind().dialect.name == "postgresql":  # a session zone far from UTC, this transaction only
        db.session.execute(text("SET LOCAL TIME ZONE 'Asia/Kolkata'"))
    column = json_rows(select(User.id, User.name, User.created_at).where(User.id.in_([first.id, second.id])))
    rows = rows_of_json(read_rows(select(column)).scalar())
    read = sorted((int(i), name, datetime_of_json(at)) for i, name, at in rows)
    assert read == [(first.id, "Ann <b>", first.created_at), (second.id, "Bob", second.created_at)]
    nothing = rows_of_json(read_rows(select(json_rows(select(User.id).where(User.id == -1)))).scalar())
    assert nothing == []
    db.session.rollback()
