"""Page throughput: the app's busiest pages against a bare Flask app, at 20 and 400 members.

Seeds one group per size (N members, each with three needs and three offers drawn from 16
topics, all of them going to one lunch and checked in, with a computed pairing version) into
one scratch SQLite database (or, with --database-url, an empty PostgreSQL database, emptied
first), serves the app with gunicorn (--workers sync workers, like production) and a bare
Flask "hello" app served the same way, and loads each page with a bounded load generator
(--clients threads, each sending one request at a time on a fresh connection), signed in as
each group's organizer. Like a browser, the load keeps the session cookie a page's first answer
sets (the group last visited, the CSRF token), so the figures are those of a returning visit.

The machine may be shared, so the measurements are interleaved: in each of --rounds rounds,
every page is loaded for --seconds on the bare app, then the small group, then the large one,
back to back; the figures are medians over the rounds, and each page's ratio to the bare app
uses the bare app measured just before it. Prints requests/s, p50, p95, the page size, the
server's CPU time per request (user + system of the gunicorn processes: what the page costs,
whatever else the machine runs) and the ratio to the bare app's requests/s.

Targets (issue 16): every page at N = 400 within 2x of its p50 at N = 20; the group home
at least 25% of the bare app's requests/s and every other page at least 10%; the pairing
review with 400 attendees under 40 ms p50. Prints whether each is met; asserts nothing.

    .venv/bin/python bench/pages.py [--sizes 20 400] [--seconds 2] [--rounds 3] [--clients 4]
                                    [--workers 2] [--database-url URL]
"""

import argparse
import http.client
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.door import TOPICS, analyze  # noqa: E402  (the same members as the door benchmark)

BARE_APP = '''from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello():
    return "Hello, World!"
'''

# (label, path template, target share of the bare app's requests/s)
PAGES = [
    ("group home", "/groups/{slug}/", 0.25),
    ("event page", "/groups/{slug}/events/{event}/", 0.10),
    ("directory", "/groups/{slug}/members/", 0.10),
    ("directory search", "/groups/{slug}/members/?q=publishing", 0.10),
    ("my needs and offers", "/groups/{slug}/members/me", 0.10),
    ("check-in", "/groups/{slug}/events/{event}/check-in", 0.10),
    ("pairing review", "/groups/{slug}/events/{event}/pairing/", 0.10),
]
REVIEW_P50_GOAL_S = 0.040


def seed(url: str, secret_key: str, sizes: list[int], seed_value: int) -> dict[int, dict]:
    """Builds one group per size in `url` (emptied first) and returns, per size, what the
    load needs: the slug, the event id and a session cookie of the group's organizer."""
    from organizer import create_app
    from organizer.auth.service import log_in
    from organizer.database import transaction
    from organizer.extensions import db
    from organizer.groups.service import add_member, create_group
    from organizer.members.service import tags_for
    from organizer.models import Event, EventStatus, Need, Offer, Rsvp, RsvpState, User, utcnow
    from organizer.pairing import compute, runs, snapshots

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": secret_key, "TESTING": False,
                      "SESSION_COOKIE_SECURE": False, "RATELIMIT_ENABLED": False})
    rng = random.Random(seed_value)
    out = {}
    with app.app_context():
        db.drop_all()
        db.create_all()
        for n in sizes:
            now = utcnow()
            organizer = User(name="Bench Organizer", email=f"organizer-{n}@bench.example", password_hash=None)
            db.session.add(organizer)
            group = create_group(organizer, f"Bench group {n}", "America/Toronto", slug=f"bench-{n}")
            event = Event(group=group, title="Bench lunch", starts_at=now, ends_at=now,
                          status=EventStatus.OPEN)
            db.session.add(event)
            people = [(organizer, None)]
            for i in range(n):
                user = User(name=f"Member {i:03d}", email=f"m{n}-{i}@bench.example", password_hash=None,
                            headline=f"Headline of member {i}", city="Oakville")
                people.append((user, add_member(group, user)))
                db.session.add(Rsvp(event=event, user=user, state=RsvpState.GOING, checked_in_at=now))
            db.session.flush()
            people[0] = (organizer, next(m for m in group.memberships if m.user_id == organizer.id))
            for _, member in people:
                for need_text, _, tag in rng.sample(TOPICS, 3):
                    db.session.add(Need(membership=member, title=need_text.capitalize(),
                                        tags=tags_for(group.id, [tag]), priority=rng.choice(["high", "normal", "low"])))
                for _, offer_text, tag in rng.sample(TOPICS, 3):
                    db.session.add(Offer(membership=member, title=offer_text.capitalize(), tags=tags_for(group.id, [tag])))
            db.session.commit()
            with transaction():  # the boundary commits the claim before the job reads it
                run = runs.claim_run(event, organizer, utcnow(), 60.0)
            snap = snapshots.snapshot(event, run.inputs["attendees"], [], utcnow(), 60.0)
            db.session.rollback()  # the job's read transaction ends before the solve
            runs._save(run.id, snap, compute.in_process(snap.problem))
            with transaction():
                token = log_in(organizer)
            out[n] = {"slug": group.slug, "event": event.id, "user": organizer.id, "token": token}
        analyze(db)
        db.session.remove()
        db.engine.dispose()
    for data in out.values():
        client = app.test_client()
        with client.session_transaction() as browser:
            browser["_user_id"] = str(data["user"])
            browser["auth_token"] = data["token"]
            browser["_fresh"] = True
        cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
        data["cookie"] = f"{cookie.key}={cookie.value}"
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn serving `app_spec` from `directory` on a free port, until stopped."""

    def __init__(self, app_spec: str, directory: Path, workers: int, env: dict):
        self.port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--worker-class", "sync",
             "--bind", f"127.0.0.1:{self.port}", "--chdir", str(directory), "--log-level", "warning",
             app_spec],
            env={**os.environ, **env}, stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn for {app_spec} exited with {self.process.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise SystemExit(f"gunicorn for {app_spec} did not start within 60 s")

    def cpu_seconds(self) -> float:
        """User + system CPU time of the gunicorn master and its workers so far."""
        total = 0.0
        tick = os.sysconf("SC_CLK_TCK")
        pids = [self.process.pid]
        try:
            children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
            pids += [int(c) for c in children]
        except OSError:
            pass
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
        return total

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def get(port: int, path: str, cookie: str | None) -> tuple[int, int, str | None]:
    """Status, body size and the session cookie the answer sets (None: unchanged)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = connection.getresponse()
        body = response.read()
        set_cookie = response.getheader("Set-Cookie")
        return response.status, len(body), set_cookie.split(";", 1)[0] if set_cookie else None
    finally:
        connection.close()


def load(server: "Server", path: str, cookie: str | None, seconds: float, clients: int) -> tuple[dict, str | None]:
    """`clients` threads send requests back to back for `seconds`; returns the figures and the
    cookie as a browser would hold it after the first visit (it keeps what the answers set)."""
    port = server.port
    for _ in range(3):  # warm-up, and a check that the page answers
        status, size, new_cookie = get(port, path, cookie)
        if status != 200:
            raise SystemExit(f"GET {path} answered {status}, expected 200")
        cookie = new_cookie or cookie
    latencies: list[float] = []
    failures: list[int] = []
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def client() -> None:
        mine, bad = [], []
        while time.perf_counter() < stop_at:
            t0 = time.perf_counter()
            code, _, _ = get(port, path, cookie)
            mine.append(time.perf_counter() - t0)
            if code != 200:
                bad.append(code)
        with lock:
            latencies.extend(mine)
            failures.extend(bad)

    started, cpu_before = time.perf_counter(), server.cpu_seconds()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    cpu = server.cpu_seconds() - cpu_before
    if failures:
        raise SystemExit(f"GET {path}: {len(failures)} answers were not 200 (e.g. {failures[0]})")
    latencies.sort()
    return {"rps": len(latencies) / elapsed, "p50": statistics.median(latencies),
            "p95": latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))],
            "size": size, "count": len(latencies), "cpu_ms": cpu * 1000 / max(1, len(latencies))}, cookie


def median_figures(runs: list[dict]) -> dict:
    return {key: statistics.median(r[key] for r in runs) for key in runs[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs=2, default=[20, 400], help="members in the small and large group")
    parser.add_argument("--seconds", type=float, default=2.0, help="load per page, server and round")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (medians are printed)")
    parser.add_argument("--clients", type=int, default=4, help="concurrent requests")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers per server")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default=None,
                        help="an empty PostgreSQL database, emptied first (default: a scratch SQLite file)")
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="givefirst-pages-"))
    secret_key = "bench-pages-" + os.urandom(8).hex()
    env = {"GIVEFIRST_ENV": "development", "SECRET_KEY": secret_key, "GIVEFIRST_INSTANCE_PATH": str(scratch),
           "PAIRING_TIME_LIMIT_S": "20"}
    os.environ.update(env)
    from config import database_url

    url = database_url(args.database_url or f"sqlite:///{scratch}/pages.sqlite3")
    dialect = url.split(":", 1)[0].split("+", 1)[0]
    small, large = args.sizes
    print(f"Seeding groups of {small} and {large} members ({dialect})...", file=sys.stderr, flush=True)
    data = seed(url, secret_key, args.sizes, args.seed)
    load_before = os.getloadavg()

    (scratch / "bare.py").write_text(BARE_APP)
    bare = Server("bare:app", scratch, args.workers, {})
    server = None
    runs: dict[tuple[str, int], list[dict]] = {}
    try:
        server = Server("app:app", ROOT, args.workers, {"DATABASE_URL": url})
        for _ in range(args.rounds):
            for label, template, _ in PAGES:
                runs.setdefault((label, 0), []).append(load(bare, "/", None, args.seconds, args.clients)[0])
                for n in args.sizes:
                    path = template.format(slug=data[n]["slug"], event=data[n]["event"])
                    figures, data[n]["cookie"] = load(server, path, data[n]["cookie"], args.seconds, args.clients)
                    runs.setdefault((label, n), []).append(figures)
    finally:
        bare.stop()
        if server is not None:
            server.stop()
    load_after = os.getloadavg()

    print(f"Pages under load ({dialect}; gunicorn, {args.workers} sync workers; {args.clients} clients; "
          f"{args.rounds} interleaved rounds of {args.seconds:g} s per page and server, medians; signed in as "
          f"the organizer; load average {load_before[0]:.2f} before, {load_after[0]:.2f} after):")
    print(f"  {'page':<20} {'N':>4} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'KB':>6} {'CPU ms':>7} {'vs bare':>8}")
    figures: dict[tuple[str, int], dict] = {}
    shares: dict[tuple[str, int], float] = {}
    for label, _, _ in PAGES:
        bare_runs = runs[(label, 0)]
        b = median_figures(bare_runs)
        print(f"  {'bare Flask app':<20} {'':>4} {b['rps']:7.0f} {b['p50'] * 1000:7.1f} {b['p95'] * 1000:7.1f} "
              f"{b['size'] / 1024:6.1f} {b['cpu_ms']:7.2f} {'100%':>8}")
        for n in args.sizes:
            r = figures[(label, n)] = median_figures(runs[(label, n)])
            shares[(label, n)] = statistics.median(
                page["rps"] / bare_run["rps"] for page, bare_run in zip(runs[(label, n)], bare_runs))
            print(f"  {label:<20} {n:>4} {r['rps']:7.0f} {r['p50'] * 1000:7.1f} {r['p95'] * 1000:7.1f} "
                  f"{r['size'] / 1024:6.1f} {r['cpu_ms']:7.2f} {shares[(label, n)]:8.1%}")

    print("Targets:")
    all_met = True

    def verdict(ok: bool, text: str) -> None:
        nonlocal all_met
        all_met &= ok
        print(f"  {'met    ' if ok else 'NOT met'}  {text}")

    for label, _, share in PAGES:
        ratio = figures[(label, large)]["p50"] / figures[(label, small)]["p50"]
        verdict(ratio <= 2.0, f"{label}: p50 at N = {large} is {ratio:.2f}x its p50 at N = {small} (goal <= 2x)")
        got = shares[(label, large)]
        verdict(got >= share, f"{label}: {got:.1%} of the bare app's requests/s at N = {large} (goal >= {share:.0%})")
    review = figures[("pairing review", large)]["p50"]
    verdict(review <= REVIEW_P50_GOAL_S,
            f"pairing review with {large} attendees: p50 {review * 1000:.1f} ms (goal < {REVIEW_P50_GOAL_S * 1000:.0f} ms)")
    print(f"All targets met: {'yes' if all_met else 'no'}")


if __name__ == "__main__":
    main()
