"""The application's class: Flask's own, with what it would make again on every request (the
coroutine check per function, the session cookie's serializer) made once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer

_KEPT_AT_MOST = 10_000  # views and hooks: a few hundred; a bound on what could go wrong


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the signing serializer made once per set of keys rather
    than twice a request (reading the cookie, then writing it)."""

    def __init__(self) -> None:
        self._serializers: dict[tuple, URLSafeTimedSerializer | None] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        if keys not in self._serializers:
            self._serializers = {keys: super().get_signing_serializer(app)}  # only the latest keys
        return self._serializers[keys]


class App(Flask):
    """Flask asks, for every view and request hook it calls, whether the function is a coroutine
    (``ensure_sync`` runs ``inspect.iscoroutinefunction``: 19 times for the group home, 3% of
    its CPU). The functions are the same on every request, so each answer is kept."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.session_interface = SessionInterface()
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
