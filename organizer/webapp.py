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
        serializers = self._serializers
        if keys in serializers:
            return serializers[keys]
        serializer = super().get_signing_serializer(app)
        self._serializers = {keys: serializer}  # only the latest keys
        return serializer


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
        if func in self._plain:  # (False for what no weak reference can point to)
            return func
        sync = super().ensure_sync(func)
        if sync is func:
            try:
                self._plain.add(func)
            except TypeError:  # no weak reference can point to it: asked each time, as by Flask
                pass
        return sync
