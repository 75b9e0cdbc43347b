"""Where a pairing computation, and a print sheets PDF, runs: a thread of the web process by
default (the solve, or the PDF's layout, in a child process with a memory cap), or an RQ worker
when REDIS_URL is set (so several web processes share the work).

Either way the job's state lives in the database (the PairingRun row, or the SheetFile row),
and a job that dies leaves a claim that expires (a file left being made counts as lost); see
organizer.pairing.runs and organizer.pairing.printing.
"""

import logging
import threading
from collections.abc import Callable

from flask import Flask, current_app

from organizer.pairing.compute import isolated

log = logging.getLogger(__name__)
QUEUE_NAME = "pairing"
SHEETS_QUEUE_NAME = "sheets"  # after the pairing queue: a re-seating at the door never waits for a PDF
# layouts at once per web process (each a child process): more wait their turn
SHEETS_AT_ONCE = 2
_sheets_turns = threading.BoundedSemaphore(SHEETS_AT_ONCE)
# The app a worker runs jobs with: set by `flask pairing-worker`; a plain `rq worker`
# builds one from the environment.
worker_app: Flask | None = None


def start(run_id: int) -> None:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    time_limit = app.config["PAIRING_TIME_LIMIT_S"]
    redis_url = app.config.get("REDIS_URL")
    if redis_url:
        queue(redis_url).enqueue(run_job, run_id, time_limit, job_timeout=int(time_limit) + 120)
    else:
        threading.Thread(target=_run_in_thread, args=(app, run_id, time_limit), daemon=True,
                         name=f"pairing-run-{run_id}").start()


def worker_queues(redis_url: str) -> list:
    """What a pairing worker listens to, in order: pairing jobs first, then print sheets."""
    return [queue(redis_url), queue(redis_url, SHEETS_QUEUE_NAME)]


def queue(redis_url: str, name: str = QUEUE_NAME):
    from redis import Redis
    from rq import Queue

    return Queue(name, connection=Redis.from_url(redis_url))


def _run_in_thread(app: Flask, run_id: int, time_limit: float) -> None:
    """A thread of the web process: the computation itself runs in a child process (see
    ``organizer.pairing.compute``), so its crash or memory use cannot take the web worker."""
    memory_mb = app.config["PAIRING_MEMORY_LIMIT_MB"]
    wait_s = 2 * time_limit + 30  # the solver ends near its limit; this catches one that does not

    def compute(problem):
        return isolated(problem, memory_mb, wait_s)

    with app.app_context():
        execute(run_id, time_limit, compute)


def execute(run_id: int, time_limit: float, compute=None) -> None:
    """The job: execute_run commits its own transactions (read, then save, the solve between)."""
    from organizer.extensions import db
    from organizer.pairing.runs import execute_run, fail_unexpectedly

    try:
        execute_run(run_id, time_limit, compute=compute)
    except Exception:  # a bug must not leave the version "running" until its claim expires
        log.exception("pairing run %s failed", run_id)
        db.session.rollback()
        fail_unexpectedly(run_id)
    finally:
        db.session.remove()


def _worker_app() -> Flask:
    """The app an RQ job runs with: the one `flask pairing-worker` set, else one built from the
    environment (a plain `rq worker`)."""
    from organizer import create_app

    return worker_app or create_app()


def run_job(run_id: int, time_limit: float) -> None:
    """The RQ entry point of a pairing computation."""
    with _worker_app().app_context():
        execute(run_id, time_limit)


# ---------------------------------------------------------------- the print sheets' PDF

def start_sheets(file_id: int) -> None:
    """Makes the print sheets' PDF ``file_id`` (see organizer.pairing.printing) where the
    pairing computations run: a thread of the web process (the layout in a child process), or
    the RQ worker with REDIS_URL."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    wait_s = app.config["SHEETS_WAIT_S"]
    redis_url = app.config.get("REDIS_URL")
    if redis_url:
        queue(redis_url, SHEETS_QUEUE_NAME).enqueue(sheets_job, file_id, job_timeout=int(wait_s) + 60)
    else:
        threading.Thread(target=_sheets_in_thread, args=(app, file_id), daemon=True,
                         name=f"print-sheets-{file_id}").start()


def _sheets_in_thread(app: Flask, file_id: int) -> None:
    from organizer.pairing.printing import in_child

    memory_mb, wait_s = app.config["PAIRING_MEMORY_LIMIT_MB"], app.config["SHEETS_WAIT_S"]

    def to_pdf(html: str) -> bytes:
        with _sheets_turns:
            return in_child(html, memory_mb, wait_s)

    with app.app_context():
        make_sheets(file_id, to_pdf)


def make_sheets(file_id: int, to_pdf: Callable[[str], bytes]) -> None:
    from rq.timeouts import JobTimeoutException

    from organizer.extensions import db
    from organizer.pairing.printing import fail, make_file

    try:
        make_file(file_id, to_pdf)
    except Exception as error:  # a bug must not leave the file "being made" until it counts as lost
        db.session.rollback()
        if isinstance(error, JobTimeoutException):  # RQ's, at the job's timeout
            fail(file_id, "It took longer than the time allowed.")
        else:
            log.exception("print sheets %s failed", file_id)
            fail(file_id, "It could not be made (an error on our side).")
    finally:
        db.session.remove()


def sheets_job(file_id: int) -> None:
    """The RQ entry point of a PDF: the worker is a process of its own, so the layout runs in it."""
    from organizer.pairing.sheets import html_to_pdf

    with _worker_app().app_context():
        make_sheets(file_id, html_to_pdf)
