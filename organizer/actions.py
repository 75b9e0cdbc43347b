"""The boundary of a write request: one transaction per action, a refusal shown to the user.

    with attempt() as action:
        event = service.create_event(group, details, now)
    if action.ok:
        flash(...)
        return redirect(...)

Everything the services add and flush inside the block commits when it ends. An ActionRefused
raised inside rolls the whole action back (the first step of two included), is flashed (or
kept in `action.refusal` for a form's own errors, with ``flash_refusal=False``), and the rest
of the block does not run. Any other exception rolls back and goes on to the error page.
"""

from __future__ import annotations

from types import TracebackType

from flask import flash

from organizer.database import transaction
from organizer.errors import ActionRefused


class attempt:  # noqa: N801 (used like a function: `with attempt() as action`)
    def __init__(self, flash_refusal: bool = True):
        self.flash_refusal = flash_refusal
        self.refusal: ActionRefused | None = None
        self._transaction = transaction()

    @property
    def ok(self) -> bool:
        return self.refusal is None

    def __enter__(self) -> attempt:
        self._transaction.__enter__()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> bool:
        self._transaction.__exit__(kind, error, traceback)  # commits, or rolls back
        if isinstance(error, ActionRefused):
            self.refusal = error
            if self.flash_refusal:
                flash(str(error), "error")
            return True
        return False
