"""The committed migration chain builds the whole schema on an empty SQLite and PostgreSQL database."""

import os
import uuid

import pytest
from flask_migrate import check, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from config import database_url
from organizer import create_app
from organizer.extensions import db

pytestmark = pytest.mark.database  # (no app fixture, but a database: CI's PostgreSQL pass runs it)

POSTGRES_URL = database_url(
    os.environ.get("TEST_DATABASE_URL", "")
    if os.environ.get("TEST_DATABASE_URL", "").startswith("postgres")
    else os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
)


def upgrade_and_check(url: str, tmp_path) -> set[str]:
    os.environ["GIVEFIRST_INSTANCE_PATH"] = str(tmp_path)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        check()  # raises if the models and the migrated schema differ
        tables = set(inspect(db.engine).get_table_names())
        db.engine.dispose()
    return tables


def expected_tables() -> set[str]:
    return set(db.metadata.tables) | {"alembic_version"}


def test_migrations_upgrade_an_empty_sqlite_database(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    assert upgrade_and_check(url, tmp_path) == expected_tables()


@pytest.fixture
def empty_postgres_database():
    admin_url = make_url(POSTGRES_URL)
    try:
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        admin.connect().close()
    except Exception as error:  # noqa: BLE001 - any connection failure means no server here
        if os.environ.get("CI") or os.environ.get("TEST_DATABASE_URL", "").startswith("postgres"):
            raise
        pytest.skip(f"PostgreSQL not reachable at {admin_url.render_as_string()}: {error}")
    name = f"givefirst_migrations_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield admin_url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_migrations_upgrade_an_empty_postgresql_database(empty_postgres_database, tmp_path):
    assert upgrade_and_check(empty_postgres_database, tmp_path) == expected_tables()
