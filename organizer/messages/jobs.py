"""Where the outbox is delivered: a thread of the web process by default, an RQ worker
(queue "messages") when REDIS_URL is set, or `flask send-outbox` run by cron or a service.
Any number of them may run at once: each message is claimed by one (see delivery).

The web process starts a delivery when a transaction that queued messages commits (the
session's after_commit), so a message leaves within seconds of the change that caused it.
Its thread also wakes every OUTBOX_TICK_S to queue reminders and digests and to retry what
failed, as `send-outbox` does.
"""

from __future__ import annotations

import logging
import threading

from flask import Flask, current_app, has_request_context
from sqlalchemy import event

from organizer.extensions import db
from organizer.messages.service import PENDING_FLAG

log = logging.getLogger(__name__)
QUEUE_NAME = "messages"
worker_app: Flask | None = None

_thread_lock = threading.Lock()
_wake = threading.Event()
_stop = threading.Event()
_thread: threading.Thread | None = None


_registered = False


def register(app: Flask) -> None:
    """Starts a delivery after each commit that queued messages (OUTBOX_AUTOSEND); the
    listeners are on the one scoped session, so they are added once whatever the apps."""
    global _registered
    if _registered:
        return
    _registered = True

    @event.listens_for(db.session, "after_commit")
    def deliver_after_commit(session):
        if session.in_nested_transaction():  # a savepoint was released: the outer transaction goes on
            return
        if session.info.pop(PENDING_FLAG, False):
            app = current_app._get_current_object()
            # Web requests only: a command's process may end before a thread finishes (its
            # messages wait for send-outbox, which is the worker of commands and cron).
            if app.config.get("OUTBOX_AUTOSEND") and has_request_context():
                start(app)

    @event.listens_for(db.session, "after_rollback")
    def forget_pending(session):
        if not session.in_nested_transaction():
            session.info.pop(PENDING_FLAG, None)


def start(app: Flask) -> None:
    redis_url = app.config.get("REDIS_URL")
    if redis_url:
        try:
            queue(redis_url).enqueue(run_job, job_timeout=600)
        except Exception:  # noqa: BLE001 (the messages wait in the outbox for the next run)
            log.exception("could not queue the outbox delivery; send-outbox will deliver it")
        return
    wake_thread(app)


def queue(redis_url: str):
    from redis import Redis
    from rq import Queue

    return Queue(QUEUE_NAME, connection=Redis.from_url(redis_url))


def wake_thread(app: Flask) -> None:
    global _thread
    with _thread_lock:
        if _thread is None or not _thread.is_alive():
            _thread = threading.Thread(target=_loop, args=(app,), daemon=True, name="outbox-delivery")
            _thread.start()
    _wake.set()


def _loop(app: Flask) -> None:
    from organizer.messages.periodic import run_once

    while not _stop.is_set():
        _wake.clear()
        with app.app_context():
            try:
                run_once()
            except Exception:  # a bug or a database outage: logged, tried again next tick
                log.exception("outbox delivery failed")
                db.session.rollback()
            finally:
                db.session.remove()
        _wake.wait(timeout=app.config["OUTBOX_TICK_S"])


def stop_thread(timeout: float = 10) -> None:
    """Ends the delivery thread after its current round (tests; a process exit ends it too)."""
    global _thread
    with _thread_lock:
        thread, _thread = _thread, None
    if thread is not None:
        _stop.set()
        _wake.set()
        thread.join(timeout)
        _stop.clear()


def run_job() -> None:
    """The RQ entry point: the worker process builds the app from its environment."""
    from organizer import create_app
    from organizer.messages.periodic import run_once

    app = worker_app or create_app()
    with app.app_context():
        try:
            run_once()
        finally:
            db.session.remove()
