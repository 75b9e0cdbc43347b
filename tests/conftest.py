"""Fixtures: one app and database for the session, emptied after every test.

SQLite by default (a file, so a live server thread shares it); PostgreSQL when
TEST_DATABASE_URL is set.
"""

import contextvars
import os
import re
import threading

import pytest
from flask.testing import FlaskClient
from sqlalchemy import text
from werkzeug.serving import make_server

from config import database_url

DATABASE_TESTS_ONLY_ENV = "GIVEFIRST_DATABASE_TESTS_ONLY"


def pytest_collection_modifyitems(config, items):
    """With ``GIVEFIRST_DATABASE_TESTS_ONLY`` set (CI's PostgreSQL pass, after the whole suite ran
    on SQLite), only the tests that reach the database: those on the app (every fixture that
    touches it starts from ``_session_app``) and those marked ``database`` (the migrations on an
    empty database).  The solver's, the scoring's and the other pure tests would run the same
    code again."""
    if not os.environ.get(DATABASE_TESTS_ONLY_ENV):
        return
    keep, drop = [], []
    for item in items:
        uses = "_session_app" in getattr(item, "fixturenames", ()) or item.get_closest_marker("database")
        (keep if uses else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(scope="session")
def _session_app(tmp_path_factory):
    from organizer import create_app
    from organizer.extensions import db

    instance = tmp_path_factory.mktemp("instance")
    client_class = IsolatedClient
    os.environ["GIVEFIRST_INSTANCE_PATH"] = str(instance)
    url = database_url(os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{instance / 'test.sqlite3'}")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False})
    app.test_client_class = client_class
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def empty_database() -> None:
    from organizer.extensions import db

    db.session.rollback()
    tables = db.metadata.sorted_tables
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in reversed(tables):
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def app(_session_app):
    """The app with an app context pushed (as in a shell); the database is emptied afterwards."""
    from organizer.extensions import db, limiter

    with _session_app.app_context():
        yield _session_app
        db.session.remove()
    with _session_app.app_context():
        empty_database()
        db.session.remove()
    limiter.reset()
    _session_app.config["WTF_CSRF_ENABLED"] = False


class IsolatedClient(FlaskClient):
    """Each request runs in its own app context, as in production, not in the test's.

    The test's own transaction ends first, so the test reads what the request wrote.
    """

    def open(self, *args, **kwargs):
        from flask import has_app_context

        from organizer.extensions import db

        if has_app_context():  # not when following a redirect, already inside the request's context
            db.session.commit()
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def csrf_on(app):
    """Turns CSRF protection on for one test (it is off for the rest of the functional tests)."""
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, email, password=None, follow_redirects=False):
        from tests.factories import DEFAULT_PASSWORD

        return self._client.post(
            "/auth/login",
            data={"email": email, "password": password or DEFAULT_PASSWORD},
            follow_redirects=follow_redirects,
        )

    def logout(self):
        return self._client.post("/auth/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def without_csrf_tokens(html: str) -> str:
    """The page without its CSRF inputs: a token carries its signing second, so two pages served
    a second apart differ there and nowhere else."""
    return re.sub(r'name="csrf_token"[^>]*>', "", html)


def _buffered(app):
    """The app with each response read whole (and its iterable closed) before the server writes
    it. Werkzeug's development server closes a response's iterable only when the connection
    lives until the end: a browser that drops a connection while the server drains it (a
    favicon's 304) leaves a static file open, and its ResourceWarning, raised whenever the
    garbage collector runs, fails whichever test runs then. The pages hold no streams."""
    def serve(environ, start_response):
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()
    return serve


@pytest.fixture(scope="session")
def live_server(_session_app):
    """The session's app served by a threaded server on a free loopback port."""
    server = make_server("127.0.0.1", 0, _buffered(_session_app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


def redis_url_or_skip(database: int) -> str:
    """A reachable Redis for a test (TEST_REDIS_URL, else the local one); in CI its absence fails."""
    import redis

    url = os.environ.get("TEST_REDIS_URL", f"redis://127.0.0.1:6379/{database}")
    try:
        redis.Redis.from_url(url).ping()
    except redis.exceptions.ConnectionError as error:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"Redis not reachable at {url}: {error}")
    return url


def run_on_rq(app, database: int, start) -> int:
    """``start()`` (a jobs.start...) with REDIS_URL set, as the web process calls it, then one
    burst of a real RQ worker on the queues ``flask pairing-worker`` listens to: how many jobs
    it queued."""
    from rq import SimpleWorker

    from organizer.pairing import jobs

    url = redis_url_or_skip(database)
    queues = jobs.worker_queues(url)
    for queue in queues:
        queue.empty()
    app.config["REDIS_URL"] = url
    jobs.worker_app = app  # as `flask pairing-worker` sets it
    try:
        with app.test_request_context():
            start()
        queued = sum(queue.count for queue in queues)
        SimpleWorker(queues, connection=queues[0].connection).work(burst=True)
    finally:
        app.config["REDIS_URL"] = None
        jobs.worker_app = None
    return queued
