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


def test_the_app_asks_once_whether_each_view_and_hook_is_a_coroutine(app, client):
    """organizer.webapp.App keeps ensure_sync's answers: a second request asks nothing new."""
    client.get("/")
    kept = set(app._plain)
    hooks = [hook for hook in app.before_request_funcs[None]]
    assert app.view_functions["home.index"] in kept and all(hook in kept for hook in hooks)
    client.get("/")
    assert set(app._plain) == kept


def test_the_session_cookies_serializer_is_made_once_per_secret_key(app, auth, client):
    from tests.factories import make_user

    make_user(email="kim@example.org")
    auth.login("kim@example.org")
    serializer = app.session_interface.get_signing_serializer(app)
    assert client.get("/auth/password").status_code == 200
    assert app.session_interface.get_signing_serializer(app) is serializer
    app.secret_key = "another secret key, after a rotation"  # the cookie signed before is refused
    assert client.get("/auth/password").status_code == 302
    assert app.session_interface.get_signing_serializer(app) is not serializer


def test_a_function_made_for_one_request_is_not_kept_after_it(app):
    import gc

    def made_for_one_request():
        return None

    assert app.ensure_sync(made_for_one_request) is made_for_one_request
    assert made_for_one_request in app._plain
    count = len(app._plain)
    del made_for_one_request
    gc.collect()
    assert len(app._plain) == count - 1
