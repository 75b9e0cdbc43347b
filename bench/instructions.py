"""Instructions per request: the busiest pages counted by valgrind's callgrind, beside a bare Flask app.

bench/pages.py times the pages under load, against a bare Flask app served the same way; on a
shared machine both move with whatever else runs (the same code measured 1.8 and 4.4 ms of CPU per
group home on two days), so a change of a few percent cannot be seen there. This script counts
instead what a request costs: callgrind counts the instructions the process executes while it
serves --requests requests to a page, in process (Flask's test client, signed in as the group's
organizer, on the groups bench/pages.py seeds: N members with three needs and three offers, all
going to one lunch, with a computed pairing), and only those: a small C helper, built with the
machine's compiler, turns the counting on and off around the requests (valgrind's client
requests). The same count, with the same database, gives the same figure to a few parts in ten
thousand. A bare Flask "hello" app read through the test client the same way is the reference.

Counted in process, a figure holds the app's work and the test client's, not gunicorn's; the
database server's work is not counted (PostgreSQL: its own processes). Valgrind runs the program
about fifty times slower: each page takes about half a minute.

Needs valgrind (Debian: valgrind, with its headers) and a C compiler. Prints figures; asserts nothing.

    .venv/bin/python bench/instructions.py [--pages "group home" "event page"] [--sizes 20 400]
                                           [--requests 50] [--database-url URL]
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pages import BARE_APP, PAGES  # noqa: E402  (the same pages and reference as the load benchmark)

HELPER_C = """#include <valgrind/callgrind.h>
void count_on(void) { CALLGRIND_ZERO_STATS; CALLGRIND_START_INSTRUMENTATION; CALLGRIND_TOGGLE_COLLECT; }
void count_off(void) { CALLGRIND_TOGGLE_COLLECT; CALLGRIND_STOP_INSTRUMENTATION; }
"""
WARM_UP = 30


def build_helper(directory: Path) -> Path:
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        raise SystemExit("No C compiler found (cc or gcc): the counting helper cannot be built.")
    source, library = directory / "count.c", directory / "libcount.so"
    source.write_text(HELPER_C)
    done = subprocess.run([compiler, "-O0", "-shared", "-fPIC", "-o", str(library), str(source)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"Building the counting helper failed (valgrind's headers missing?):\n{done.stderr}")
    return library


def child(args: argparse.Namespace) -> None:
    """Under valgrind: warms the page up, then serves --requests requests with counting on."""
    import ctypes

    helper = ctypes.CDLL(args.helper)
    if args.bare:
        sys.path.insert(0, str(Path(args.helper).parent))
        from bare import app  # type: ignore[import-not-found]  # written by main() into the scratch directory
    else:
        from organizer import create_app

        app = create_app({"SQLALCHEMY_DATABASE_URI": os.environ["DATABASE_URL"], "SECRET_KEY": os.environ["SECRET_KEY"],
                          "TESTING": False, "SESSION_COOKIE_SECURE": False, "RATELIMIT_ENABLED": False})
    client = app.test_client()
    if args.cookie:
        name, _, value = args.cookie.partition("=")
        client.set_cookie(name, value)
    for _ in range(WARM_UP):
        status = client.get(args.path).status_code
        if status != 200:
            raise SystemExit(f"GET {args.path} answered {status}, expected 200")
    helper.count_on()
    for _ in range(args.requests):
        client.get(args.path)
    helper.count_off()


def count(scratch: Path, helper: Path, path: str, requests: int, env: dict, cookie: str | None = None,
          bare: bool = False) -> float:
    """Instructions per request of `path`, counted by callgrind in a child process."""
    command = ["valgrind", "--tool=callgrind", "--instr-atstart=no", "--collect-atstart=no",
               f"--callgrind-out-file={scratch}/callgrind.%p", sys.executable, __file__, "--child",
               "--helper", str(helper), "--path", path, "--requests", str(requests)]
    if cookie:
        command += ["--cookie", cookie]
    if bare:
        command.append("--bare")
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, **env}, cwd=ROOT)
    found = re.search(r"Collected\s*:\s*(\d+)", done.stderr)
    if done.returncode != 0 or found is None:
        raise SystemExit(f"Counting GET {path} failed:\n{done.stderr[-3000:]}")
    return int(found.group(1)) / requests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--helper", help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    parser.add_argument("--cookie", help=argparse.SUPPRESS)
    parser.add_argument("--bare", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--pages", nargs="+", default=[label for label, _, _ in PAGES],
                        help="pages to count, by bench/pages.py's labels (default: all)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[20, 400], help="members in each group")
    parser.add_argument("--requests", type=int, default=50, help="requests counted per page and size")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default=None,
                        help="an empty PostgreSQL database, emptied first (default: a scratch SQLite file)")
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    templates = {label: template for label, template, _ in PAGES}
    unknown = [label for label in args.pages if label not in templates]
    if unknown:
        raise SystemExit(f"Unknown page {unknown[0]!r}: choose among {', '.join(templates)}")
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (Debian: apt-get install valgrind).")

    scratch = Path(tempfile.mkdtemp(prefix="givefirst-instructions-"))
    secret_key = "bench-instructions-" + os.urandom(8).hex()
    # a quiet outbox thread: callgrind counts every thread of the process while counting is on
    env = {"GIVEFIRST_ENV": "development", "SECRET_KEY": secret_key, "GIVEFIRST_INSTANCE_PATH": str(scratch),
           "PAIRING_TIME_LIMIT_S": "20", "OUTBOX_TICK_S": "86400", "PYTHONHASHSEED": "0"}
    os.environ.update(env)
    from bench.pages import seed
    from config import database_url

    url = database_url(args.database_url or f"sqlite:///{scratch}/instructions.sqlite3")
    dialect = url.split(":", 1)[0].split("+", 1)[0]
    print(f"Seeding groups of {', '.join(map(str, args.sizes))} members ({dialect})...", file=sys.stderr, flush=True)
    data = seed(url, secret_key, args.sizes, args.seed)
    env["DATABASE_URL"] = url
    helper = build_helper(scratch)
    (scratch / "bare.py").write_text(BARE_APP)
    try:
        bare = count(scratch, helper, "/", args.requests, env, bare=True)
        print(f"Instructions per request ({dialect}; in process through Flask's test client, {args.requests} "
              f"requests counted after {WARM_UP}; signed in as the organizer):")
        print(f"  {'page':<20} {'N':>5} {'millions':>9} {'x bare':>7}")
        print(f"  {'bare Flask app':<20} {'':>5} {bare / 1e6:9.3f} {1:7.1f}")
        for label in args.pages:
            for n in args.sizes:
                path = templates[label].format(slug=data[n]["slug"], event=data[n]["event"])
                figure = count(scratch, helper, path, args.requests, env, cookie=data[n]["cookie"])
                print(f"  {label:<20} {n:>5} {figure / 1e6:9.3f} {figure / bare:7.1f}", flush=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
