"""The application's class: Flask's own, with one check per function kept rather than made on
every request."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask

_KEPT_AT_MOST = 10_000  # views and hooks: a few hundred; a bound on what could go wrong


class App(Flask):
    """Flask asks, for every view and request hook it calls, whether the function is a coroutine
    (``ensure_sync`` runs ``inspect.iscoroutinefunction``: 19 times for the group home, 3% of
    its CPU). The functions are the same on every request, so each answer is kept."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._as_sync: dict[Callable, Callable] = {}

    def ensure_sync(self, func: Callable) -> Callable:
        try:
            return self._as_sync[func]
        except KeyError:
            sync = super().ensure_sync(func)
            if len(self._as_sync) < _KEPT_AT_MOST:
                self._as_sync[func] = sync
            return sync
        except TypeError:  # an unhashable callable
            return super().ensure_sync(func)
