"""What every URL shares: ids the database can hold, and absolute links from BASE_URL."""

from urllib.parse import urlsplit

from flask import abort, current_app, request
from werkzeug.routing import IntegerConverter

# Every id column is an SQL INTEGER: PostgreSQL refuses a larger number with an error (and
# SQLite one past 2**63), so such an id is "no such page" before any query runs.
MAX_ID = 2**31 - 1


class DatabaseIdConverter(IntegerConverter):
    """`<int:...>` in every route: 0 to MAX_ID, anything larger does not match (404)."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = MAX_ID,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def id_arg(name: str) -> int | None:
    """An id from the query string; absent is None, anything but an id the database can hold is 404."""
    value = request.args.get(name)
    if value is None or value == "":
        return None
    if not value.isascii() or not value.isdigit() or int(value) > MAX_ID:
        abort(404)
    return int(value)


def external_url(endpoint: str, **values) -> str:
    """An absolute link, built from the BASE_URL setting and never from the request's Host
    header (which the client chooses): links in calendar files, invites, set-password pages."""
    base = urlsplit(current_app.config["BASE_URL"].rstrip("/"))
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https")
    return adapter.build(endpoint, values, force_external=True)


def base_domain() -> str:
    """The host name of BASE_URL, for calendar UIDs."""
    return urlsplit(current_app.config["BASE_URL"]).hostname or "givefirst"


def safe_next_url(target: str | None) -> str | None:
    """Only a path on this site: never another host, scheme or a protocol-relative URL."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(c in target for c in "\\\r\n\t"):
        return None
    return target
