"""The print sheets' PDF, made in the background.

WeasyPrint lays out a 400-attendee lunch's sheets in about 6 s, a 1,000-attendee one's in about
16 s (``bench/sheets.py``). A web worker that waited for it would be taken from everyone else
for that long on the lunch day, and a large enough lunch would outlast the worker's time limit.
So an organizer's PDF button asks for a file (``request_file``); a job makes it (``make_file``:
the page the print view prints, laid out by WeasyPrint in a child process or in the RQ worker,
see ``organizer.pairing.jobs``); the page the button leads to reloads until it can be
downloaded.

A file shows what members let organizers see when it was made. It is served only to the
organizer who asked for it, for ``SHEETS_KEEP_MINUTES`` after it was made, and only while the
group's shared data is as it was then (its data version, ``organizer.groups.versions``: a need
hidden or a name changed since makes it stale). Files past their time are deleted whenever a
file is asked for or finished.
"""

from __future__ import annotations

import multiprocessing
import resource
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import ColumnElement, delete, func, select

from organizer.database import transaction
from organizer.errors import ActionRefused
from organizer.extensions import db
from organizer.groups import versions
from organizer.models import PairingRun, SheetFile, SheetStatus, User, utcnow
from organizer.pairing import queries, sheets

# a file still being made a minute past SHEETS_WAIT_S is taken as lost (a restarted server)
LOST_MARGIN = timedelta(minutes=1)
# files one organizer may have being made at once (each is a process laying out pages)
AT_ONCE = 3


class SheetsError(Exception):
    """The PDF could not be made (said to the organizer as it is)."""


def keep_for() -> timedelta:
    return timedelta(minutes=current_app.config["SHEETS_KEEP_MINUTES"])


def lost_after() -> timedelta:
    return timedelta(seconds=current_app.config["SHEETS_WAIT_S"]) + LOST_MARGIN


def _being_made(now: datetime) -> ColumnElement[bool]:
    """A file still being made, not yet taken as lost."""
    return (SheetFile.status == SheetStatus.RUNNING) & (SheetFile.created_at > now - lost_after())


def _delete_old(now: datetime) -> None:
    """Files past their time: made (or failed) longer than SHEETS_KEEP_MINUTES ago, or lost."""
    db.session.execute(delete(SheetFile).where(
        (SheetFile.finished_at < now - keep_for())
        | (SheetFile.finished_at.is_(None) & (SheetFile.created_at < now - lost_after() - keep_for()))))


def request_file(run: PairingRun, user: User, part: str, large: bool, now: datetime) -> tuple[SheetFile, bool]:
    """A file to make of ``run``'s sheets (``part`` as the print view names it) for ``user``,
    and whether it is new: the one already being made when the same was asked twice (a double
    click) is not. Refused while ``AT_ONCE`` of theirs are being made. Files past their time are
    deleted here."""
    part = part if part in sheets.PARTS else "all"
    # one request of theirs at a time past this line (PostgreSQL; SQLite's writes are one at a time)
    db.session.execute(select(User.id).where(User.id == user.id).with_for_update())
    _delete_old(now)
    same = db.session.scalar(select(SheetFile).where(
        SheetFile.run_id == run.id, SheetFile.requested_by_id == user.id, SheetFile.part == part,
        SheetFile.large == large, _being_made(now)).limit(1))
    if same is not None:
        return same, False
    busy = db.session.scalar(select(func.count()).select_from(SheetFile).where(
        SheetFile.requested_by_id == user.id, _being_made(now))) or 0
    if busy >= AT_ONCE:
        raise ActionRefused(f"{AT_ONCE} PDFs you asked for are still being made: wait until one of them is ready.")
    file = SheetFile(run_id=run.id, requested_by_id=user.id, part=part, large=large, created_at=now)
    db.session.add(file)
    db.session.flush()
    return file, True


def file_of(run: PairingRun, user: User, file_id: int) -> SheetFile | None:
    """``user``'s file ``file_id`` of ``run`` (None for anyone else's, or another version's)."""
    return db.session.scalar(select(SheetFile).where(
        SheetFile.id == file_id, SheetFile.run_id == run.id, SheetFile.requested_by_id == user.id))


@dataclass(frozen=True)
class FileState:
    status: str               # "running", "ready", "expired", "changed" or "failed"
    message: str = ""         # why it failed
    until: datetime | None = None  # a ready file: downloadable until then


def state_of(file: SheetFile, now: datetime, data_version: int) -> FileState:
    """What the file is to its organizer now, the group's data being at ``data_version``."""
    if file.status == SheetStatus.RUNNING:
        if file.created_at > now - lost_after():
            return FileState("running")
        return FileState("failed", "It was not finished: the server may have restarted meanwhile.")
    if file.status == SheetStatus.READY and file.finished_at is not None:
        until = file.finished_at + keep_for()
        if now >= until:
            return FileState("expired")
        return FileState("ready", until=until) if file.data_version == data_version else FileState("changed")
    return FileState("failed", file.error or "It could not be made.")


def make_file(file_id: int, to_pdf: Callable[[str], bytes]) -> None:
    """The job: the page the PDF prints (as its run's tables and its members' choices of who
    sees what stand now), then ``to_pdf`` outside any transaction, then the file saved."""
    file = db.session.get(SheetFile, file_id)
    if file is None or file.status != SheetStatus.RUNNING:
        return
    event = file.run.event
    data_version = versions.current(event.group_id)[1]  # read before the data it stands for
    run = queries.run_of_event(event, file.run.version)  # with its tables
    if run is None:
        return
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"].rstrip("/")):
        html = sheets.pdf_html(event.group, event, run, file.created_at, large=file.large, part=file.part)
    db.session.rollback()  # the read ends here: the layout takes seconds
    try:
        data, error = to_pdf(html), ""
    except SheetsError as failure:
        data, error = b"", str(failure)
    with transaction():
        file = db.session.get(SheetFile, file_id)
        if file is None:
            return
        file.finished_at = utcnow()
        _delete_old(file.finished_at)
        if error:
            file.status, file.error = SheetStatus.FAILED, error
        else:
            file.status, file.pdf, file.size, file.data_version = SheetStatus.READY, data, len(data), data_version


def fail(file_id: int, error: str) -> None:
    """A job that broke (a bug): its file says so instead of staying "being made"."""
    with transaction():
        file = db.session.get(SheetFile, file_id)
        if file is not None and file.status == SheetStatus.RUNNING:
            file.status, file.error, file.finished_at = SheetStatus.FAILED, error, utcnow()


def pdf_data(file: SheetFile) -> bytes:
    return db.session.scalar(select(SheetFile.pdf).where(SheetFile.id == file.id)) or b""


# ---------------------------------------------------------------- the layout in a child process


def in_child(html: str, memory_mb: int, wait_s: float) -> bytes:
    """``sheets.html_to_pdf`` in a child process of its own (spawned: the web process's threads
    and database connections stay behind) whose address space is capped at ``memory_mb``: a
    layout that runs away fails its file alone, and a web worker's threads keep the processor."""
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(html, sender, memory_mb), name="print-sheets", daemon=True)
    try:
        child.start()
    except BaseException:
        receiver.close()
        raise
    finally:
        sender.close()
    try:
        if not receiver.poll(wait_s):
            raise SheetsError(f"The PDF took longer than {wait_s:g} seconds.")
        kind, payload = receiver.recv()
    except (EOFError, OSError):
        child.join(5)
        raise SheetsError(f"The PDF maker stopped unexpectedly (exit code {child.exitcode}).") from None
    finally:
        if child.is_alive():
            child.kill()
        child.join(5)
        receiver.close()
    if kind != "ok":
        raise SheetsError(payload)
    return payload


def _child(html: str, sender, memory_mb: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory_mb * 1024 * 1024, memory_mb * 1024 * 1024))
    try:
        sender.send(("ok", sheets.html_to_pdf(html)))
    except MemoryError:
        sender.send(("error", f"The PDF needed more than {memory_mb:,} MB of memory."))
    except Exception as error:  # noqa: BLE001  (said to the organizer; the web process lives on)
        sender.send(("error", f"The PDF could not be made: {type(error).__name__}."))
    finally:
        sender.close()
