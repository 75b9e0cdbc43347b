"""Capacity under concurrency: N members answer yes at the same moment for S seats.

Starts the real app (production config, CSRF on, migrations applied to a fresh database) on a
threaded server bound to 127.0.0.1, logs every member in over HTTP, then releases all their
"yes" answers at once from as many threads and prints what happened:

    .venv/bin/python bench/rsvp_concurrency.py                       # SQLite, 300 for 50 seats
    .venv/bin/python bench/rsvp_concurrency.py --database-url postgresql://postgres@127.0.0.1:5432/postgres

With PostgreSQL it creates a scratch database on that server and drops it afterwards.
Exits with 1 unless exactly SEATS members are in, the rest waitlisted, and no request failed.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from http.cookiejar import CookieJar
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PASSWORD = "bench password, not secret"
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
REQUEST_TIMEOUT = 60


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=300)
    parser.add_argument("--seats", type=int, default=50)
    parser.add_argument("--database-url", help="a PostgreSQL server URL (a scratch database is made on it); "
                        "default: a fresh SQLite file")
    parser.add_argument("--login-threads", type=int, default=32)
    args = parser.parse_args()
    if not (1 <= args.seats <= args.members <= 2000):
        parser.error("need 1 <= seats <= members <= 2000")
    return args


@contextmanager
def scratch_postgres(server_url: str):
    import psycopg

    name = f"givefirst_rsvp_bench_{secrets.token_hex(4)}"
    admin_url = server_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    parts = urllib.parse.urlsplit(admin_url)
    try:
        yield urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def configure_environment(instance: str, database_url: str | None) -> None:
    """Settings are read from the environment when config.py is imported, so set them first."""
    os.environ["GIVEFIRST_INSTANCE_PATH"] = instance
    os.environ["GIVEFIRST_ENV"] = "development"        # session cookie over plain http
    os.environ["SECRET_KEY"] = secrets.token_hex(32)
    os.environ["LOGIN_RATE_LIMIT"] = "100000 per minute"  # hundreds of logins from one address
    os.environ["PASSWORD_HASH_PROFILE"] = "CHEAPEST"    # still argon2id; 300 x 64 MiB would not fit
    os.environ["RATELIMIT_STORAGE_URI"] = "memory://"
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)


def prepare(app, members: int, seats: int) -> tuple[str, int, list[str]]:
    """Migrates the fresh database; adds a group, its members and an event. Returns slug, event id, emails."""
    from datetime import datetime, timedelta

    from flask_migrate import upgrade

    from organizer.auth.service import hash_password
    from organizer.database import transaction
    from organizer.events import service
    from organizer.extensions import db
    from organizer.groups.service import create_group
    from organizer.models import Membership, User, utcnow

    with app.app_context():
        upgrade()
        with transaction():
            password_hash = hash_password(PASSWORD)
            organizer = User(name="Bench Organizer", email="organizer@bench.example.org", password_hash=password_hash)
            db.session.add(organizer)
            group = create_group(organizer, "Bench Club", "America/Toronto", slug="bench-club")
            emails = [f"member{i}@bench.example.org" for i in range(members)]
            db.session.add_all(
                Membership(group=group, user=User(name=f"Member {i}", email=email, password_hash=password_hash))
                for i, email in enumerate(emails)
            )
            starts = (datetime.now() + timedelta(days=30)).replace(hour=12, minute=0, second=0, microsecond=0)
            event = service.create_event(
                group, service.EventDetails(title="Bench lunch", starts_at=starts, capacity=seats), utcnow()
            )
            return group.slug, event.id, emails


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Member:
    """One member's browser: its own cookies, and the CSRF token of the page it last read."""

    def __init__(self, base: str, email: str):
        self.base, self.email = base, email
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()), NoRedirect())
        self.token = ""

    def get(self, path: str) -> int:
        with self.opener.open(self.base + path, timeout=REQUEST_TIMEOUT) as response:
            match = CSRF.search(response.read().decode())
            self.token = match.group(1) if match else ""
            return response.status

    def post(self, path: str, data: dict) -> int:
        body = urllib.parse.urlencode({"csrf_token": self.token, **data}).encode()
        try:
            with self.opener.open(self.base + path, data=body, timeout=REQUEST_TIMEOUT) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def log_in(self) -> int:
        self.get("/auth/login")
        return self.post("/auth/login", {"email": self.email, "password": PASSWORD})


def run(args: argparse.Namespace, database_url: str | None) -> int:
    with tempfile.TemporaryDirectory(prefix="givefirst-bench-") as instance:
        configure_environment(instance, database_url)
        import logging

        from werkzeug.serving import make_server

        from organizer import create_app
        from organizer.extensions import db
        from organizer.models import Rsvp, RsvpState

        app = create_app()
        for noisy in ("werkzeug", "alembic"):
            logging.getLogger(noisy).setLevel(logging.WARNING)
        slug, event_id, emails = prepare(app, args.members, args.seats)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        base = f"http://127.0.0.1:{server.server_port}"
        try:
            members = [Member(base, email) for email in emails]
            started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=args.login_threads) as pool:
                logins = Counter(pool.map(Member.log_in, members))
            login_seconds = time.perf_counter() - started
            if logins != Counter({302: len(members)}):
                print(f"logins failed: {dict(logins)}")
                return 1
            event_path = f"/groups/{slug}/events/{event_id}/"
            with ThreadPoolExecutor(max_workers=args.login_threads) as pool:
                list(pool.map(lambda m: m.get(event_path), members))  # each holds its page's CSRF token

            start_line = threading.Barrier(len(members), timeout=60)
            finished: list[float] = []

            def answer_yes(member: Member) -> int | str:
                start_line.wait()
                try:
                    return member.post(event_path + "rsvp", {"answer": "yes"})
                except OSError as error:  # refused or reset connection, timeout
                    return type(error).__name__
                finally:
                    finished.append(time.perf_counter())

            with ThreadPoolExecutor(max_workers=len(members)) as pool:
                released = time.perf_counter()
                statuses = Counter(pool.map(answer_yes, members))
            seconds = max(finished) - released

            with app.app_context():
                states = Counter(dict(db.session.execute(
                    db.select(Rsvp.state, db.func.count()).where(Rsvp.event_id == event_id).group_by(Rsvp.state)
                ).all()))
                db.session.remove()
                db.engine.dispose()
        finally:
            server.shutdown()
            thread.join(timeout=10)

    going, waitlisted = states[RsvpState.GOING], states[RsvpState.WAITLISTED]
    errors = sum(n for status, n in statuses.items() if status != 302)
    database = "PostgreSQL" if database_url else "SQLite"
    print(f"{database}: {len(members)} members answered yes at once for {args.seats} seats")
    print(f"  in: {going}  waitlisted: {waitlisted}  errors: {errors}  seconds: {seconds:.2f}"
          f"  ({len(members) / seconds:.0f} answers/s; logins took {login_seconds:.1f} s)")
    if errors:
        print(f"  responses: {dict(statuses)}")
    ok = going == args.seats and waitlisted == len(members) - args.seats and errors == 0
    print("  capacity held" if ok else "  CAPACITY DID NOT HOLD")
    return 0 if ok else 1


def main() -> int:
    args = parse_args()
    if args.database_url:
        if not args.database_url.startswith(("postgresql://", "postgres://", "postgresql+psycopg://")):
            print("--database-url takes a PostgreSQL URL; SQLite is the default", file=sys.stderr)
            return 2
        with scratch_postgres(args.database_url.replace("postgres://", "postgresql://", 1)) as url:
            return run(args, url)
    return run(args, None)


if __name__ == "__main__":
    sys.exit(main())
