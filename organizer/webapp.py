"""The application's class: Flask's own, with what it would make again on every request (the
coroutine check per function, the session cookie's serializer) made once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from weakref import WeakSet

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer


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
    its CPU). The functions are the same on every request, so the ones found plain are kept, in a
    weak set: a function made for one request leaves it with that request."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.session_interface = SessionInterface()
        self._plain: WeakSet[Callable] = WeakSet()

    def ensure_sync(self, func: Callable) -> Callable:
        try:
            if func in self._plain:
                return func
        except TypeError:  # not weakly referable
            return super().ensure_sync(func)
        sync = super().ensure_sync(func)
        if sync is func:
            self._plain.add(func)
        return sync
