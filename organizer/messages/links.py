"""Links in messages that act without a login (unsubscribe, RSVP): signed with the site's
key, for one purpose each, and expiring. The payload is a small JSON list; nothing secret
is in it (it is only signed, not encrypted)."""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

UNSUBSCRIBE = "unsubscribe"   # [user_id, group_id, kind]
RSVP = "rsvp"                 # [event_id, user_id, "yes"|"no"]

MAX_AGE_S = {
    UNSUBSCRIBE: 60 * 60 * 24 * 365,  # a year: an old message's link must still stop the mail
    RSVP: 60 * 60 * 24 * 60,          # answers close at the lunch anyway
}


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"givefirst-messages-{purpose}")


def sign(purpose: str, payload: list) -> str:
    return _serializer(purpose).dumps(payload)


def unsign(purpose: str, signed: str) -> list | None:
    """The payload, or None when the link is forged, altered or expired."""
    try:
        payload = _serializer(purpose).loads(signed, max_age=MAX_AGE_S[purpose])
    except (BadSignature, SignatureExpired):
        return None
    return payload if isinstance(payload, list) else None
