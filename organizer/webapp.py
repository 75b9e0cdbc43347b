"""The application's class: Flask's own, with what it would make again on every request (the
coroutine check per function, the session cookie's serializer, the reading of a cookie it read
before) made once."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from weakref import WeakSet

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature, URLSafeTimedSerializer

READ_COOKIES_KEPT = 4096
_PLAIN_VALUES = (str, int, float, bool, type(None))


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the signing serializer made once per set of keys rather
    than twice a request (reading the cookie, then writing it), and the cookies it read kept: a
    browser sends the same cookie on every visit until a page changes the session, and checking
    its signature and decoding it again cost 3% of the group home's instructions. A cookie is
    kept only with when it was signed (past the session's lifetime it is read again, as before,
    and refused) and only when its values are plain (text, numbers): each visit gets a
    session of its own to change, and nothing one page puts in a list reaches the next visit."""

    def __init__(self) -> None:
        self._serializers: dict[tuple, URLSafeTimedSerializer | None] = {}
        self._read: dict[str, tuple[int, dict]] = {}  # cookie -> (signed at, its values), for the latest keys

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        serializers = self._serializers
        if keys in serializers:
            return serializers[keys]
        serializer = super().get_signing_serializer(app)
        self._serializers = {keys: serializer}  # only the latest keys
        self._read = {}  # read with the keys before
        return serializer

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        serializer = self.get_signing_serializer(app)
        value = request.cookies.get(self.get_cookie_name(app))
        if serializer is None or not value:
            return super().open_session(app, request)
        max_age = int(app.permanent_session_lifetime.total_seconds())
        known = self._read.get(value)
        if known is not None and 0 <= int(time.time()) - known[0] <= max_age:  # itsdangerous's own test
            return self.session_class(known[1])
        try:
            values, signed_at = serializer.loads(value, max_age=max_age, return_timestamp=True)
        except BadSignature:  # a bad or expired cookie: Flask's own answer
            return self.session_class()
        if all(isinstance(v, _PLAIN_VALUES) for v in values.values()):
            if len(self._read) >= READ_COOKIES_KEPT:
                self._read = {}
            self._read[value] = (int(signed_at.timestamp()), dict(values))
        return self.session_class(values)


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
