import importlib

import pytest

import config
from organizer import create_app, instance_secret_key


def test_secret_key_is_generated_once_into_the_instance_folder(tmp_path):
    first = instance_secret_key(tmp_path)
    second = instance_secret_key(tmp_path)
    assert first == second and len(first) >= 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_app_without_secret_key_uses_the_instance_key(tmp_path, monkeypatch):
    monkeypatch.setenv("GIVEFIRST_INSTANCE_PATH", str(tmp_path))
    app = create_app({"SECRET_KEY": None, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["SECRET_KEY"] == (tmp_path / "secret_key").read_text().strip()


@pytest.mark.parametrize(
    "given, expected",
    [
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
    ],
)
def test_database_url_uses_psycopg3_for_postgres(given, expected):
    assert config.database_url(given) == expected


def test_default_database_is_an_sqlite_file_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "INSTANCE_DIR", tmp_path)
    assert config.database_url(None) == f"sqlite:///{tmp_path}/givefirst.sqlite3"
    assert config.database_url("") == f"sqlite:///{tmp_path}/givefirst.sqlite3"


@pytest.mark.parametrize("environment, secure", [(None, True), ("production", True), ("development", False)])
def test_session_cookie_is_secure_outside_development(monkeypatch, environment, secure):
    if environment is None:
        monkeypatch.delenv("GIVEFIRST_ENV", raising=False)
    else:
        monkeypatch.setenv("GIVEFIRST_ENV", environment)
    reloaded = importlib.reload(config)
    try:
        assert reloaded.Config.SESSION_COOKIE_SECURE is secure
        assert reloaded.Config.SESSION_COOKIE_HTTPONLY is True
        assert reloaded.Config.SESSION_COOKIE_SAMESITE == "Lax"
    finally:
        monkeypatch.delenv("GIVEFIRST_ENV", raising=False)
        importlib.reload(config)


def test_rate_limit_storage_defaults_to_memory(monkeypatch):
    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    try:
        assert importlib.reload(config).Config.RATELIMIT_STORAGE_URI == "memory://"
        monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")
        assert importlib.reload(config).Config.RATELIMIT_STORAGE_URI == "redis://127.0.0.1:6379/0"
    finally:
        monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
        importlib.reload(config)


def test_the_entry_point_sets_its_start_up_objects_out_of_the_collectors_way(tmp_path):
    """app.py (the web workers, every `flask` command) freezes what start-up made: a full
    collection then walks only what the process made since (tens of milliseconds less each)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    probe = "import gc; import app; frozen = gc.get_freeze_count(); gc.collect(); print(frozen, len(gc.get_objects()))"
    env = {**os.environ, "GIVEFIRST_INSTANCE_PATH": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3"}
    done = subprocess.run([sys.executable, "-c", probe], cwd=root, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    frozen, tracked = done.stdout.split()
    assert int(frozen) > 50_000  # the modules, the app and its extensions
    assert int(tracked) < int(frozen) // 10  # what a full collection still walks


def test_the_app_asks_once_whether_each_view_and_hook_is_a_coroutine(app, client, monkeypatch):
    """organizer.webapp.App keeps ensure_sync's answers: a second request asks nothing."""
    import flask.app

    client.get("/")
    asked: list = []
    check = flask.app.iscoroutinefunction
    monkeypatch.setattr(flask.app, "iscoroutinefunction", lambda func: asked.append(func) or check(func))
    assert client.get("/").status_code == 200
    assert asked == []


def test_a_function_made_for_one_request_is_not_kept_after_it(app):
    import gc
    import operator
    import weakref

    def made_for_one_request():
        return None

    assert app.ensure_sync(made_for_one_request) is made_for_one_request
    assert made_for_one_request in app._plain
    gone = weakref.ref(made_for_one_request)
    del made_for_one_request
    gc.collect()
    assert gone() is None  # the set held it only weakly
    getter = operator.itemgetter(0)  # a callable no weak reference can point to
    assert app.ensure_sync(getter) is getter and app.ensure_sync(getter) is getter


def test_the_session_cookies_serializer_is_made_once_per_set_of_keys(app, auth, client, monkeypatch):
    from tests.factories import make_user

    make_user(email="kim@example.org")
    auth.login("kim@example.org")
    serializer = app.session_interface.get_signing_serializer(app)
    assert client.get("/auth/password").status_code == 200
    assert app.session_interface.get_signing_serializer(app) is serializer
    old_key = app.secret_key
    monkeypatch.setattr(app, "secret_key", "another secret key, after a rotation")
    monkeypatch.setitem(app.config, "SECRET_KEY_FALLBACKS", [old_key])
    assert client.get("/auth/password").status_code == 200  # the old key still reads the cookie
    assert app.session_interface.get_signing_serializer(app) is not serializer
    monkeypatch.setitem(app.config, "SECRET_KEY_FALLBACKS", [])
    assert client.get("/auth/password").status_code == 302  # and without it, the cookie is refused


def _open_session(app, cookie: str):
    from werkzeug.test import EnvironBuilder

    environ = EnvironBuilder("/", headers={"Cookie": f"{app.config['SESSION_COOKIE_NAME']}={cookie}"}).get_environ()
    return app.session_interface.open_session(app, app.request_class(environ))


def test_a_session_cookie_read_before_is_not_checked_and_decoded_again(app, monkeypatch):
    """A browser sends the same cookie until a page changes the session: the second visit takes
    its values as read the first time, each visit a session of its own to change."""
    serializer = app.session_interface.get_signing_serializer(app)
    cookie = serializer.dumps({"_user_id": "7", "group_id": 3, "_fresh": True})
    first = _open_session(app, cookie)
    reads: list = []
    loads = serializer.loads
    monkeypatch.setattr(serializer, "loads", lambda *a, **k: reads.append(a) or loads(*a, **k))
    second = _open_session(app, cookie)
    assert reads == [] and dict(second) == dict(first) == {"_user_id": "7", "group_id": 3, "_fresh": True}
    second["group_id"] = 4
    assert _open_session(app, cookie)["group_id"] == 3  # a change of one visit is not the next one's
    assert dict(_open_session(app, cookie + "x")) == {}  # a cookie that is not the signed one: a new session
    with_list = serializer.dumps({"_user_id": "7", "_flashes": [["info", "Saved."]]})
    _open_session(app, with_list)
    _open_session(app, with_list)
    assert len(reads) == 3  # a session holding a list is read each time (a page may change it in place)


def test_a_session_cookie_read_before_still_expires_with_the_sessions_lifetime(app, monkeypatch):
    import time

    serializer = app.session_interface.get_signing_serializer(app)
    cookie = serializer.dumps({"_user_id": "7"})
    assert dict(_open_session(app, cookie)) == {"_user_id": "7"}
    later = time.time() + app.permanent_session_lifetime.total_seconds() + 5
    monkeypatch.setattr(time, "time", lambda: later)
    assert dict(_open_session(app, cookie)) == {}  # signed too long ago, as itsdangerous says
