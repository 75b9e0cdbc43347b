"""Forms shared by every feature."""

from flask import current_app, g, session
from flask_wtf import FlaskForm
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape
from wtforms import widgets as wtforms_widgets
from wtforms.widgets import core as wtforms_widgets_core
from wtforms.widgets.core import clean_key

WTFORMS_HTML_PARAMS = wtforms_widgets_core.html_params  # kept: the tests compare it with ours


class ConfirmForm(FlaskForm):
    """A button that only posts its CSRF token (log out, remove, rotate...)."""


SIGNED_TOKENS_MAX = 4096


def _signed_tokens() -> dict[str, str] | None:
    """This app's signed CSRF tokens by the session's raw token, or None when they may not be
    remembered: a token signed once is valid as long as the session only when no age is checked
    (``WTF_CSRF_TIME_LIMIT`` None, config.py); with an age limit each request signs its own."""
    if current_app.config.get("WTF_CSRF_TIME_LIMIT", 3600) is not None:
        return None
    return current_app.extensions.setdefault("signed_csrf_tokens", {})


def _field_name() -> str:
    return str(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))


def _raw_token() -> tuple[str, str | None]:
    field = _field_name()
    raw = session.get(field)
    return field, raw if isinstance(raw, str) else None


def csrf_token() -> str:
    """Flask-WTF's ``generate_csrf`` (this request's signed CSRF token), remembered per app and
    process for each session's raw token (``_signed_tokens``): signing it (JSON, zlib, base64,
    HMAC) cost 5% of the group home, and every page signs it for the log-out form. Bounded:
    cleared when full (a bound, not an eviction policy). The request's token is kept in ``g``,
    where Flask-WTF keeps it: ``take_remembered_csrf_token`` puts a remembered one there."""
    field = _field_name()
    if field not in g:
        take_remembered_csrf_token()  # already done before the request, unless it ran outside one
    if field not in g:
        generate_csrf()  # signs the session's raw token (made now if there is none) and keeps it in g
        _remember(str(g.get(field)))
    return str(g.get(field))


def _remember(token: str) -> None:
    _, raw = _raw_token()
    signed = _signed_tokens()
    if raw is None or signed is None:
        return
    if len(signed) >= SIGNED_TOKENS_MAX:
        signed.clear()
    signed[raw] = token


def take_remembered_csrf_token() -> None:
    """Before each request: the session's remembered signed token (``csrf_token``) put where
    Flask-WTF keeps the request's token (``g``), so that every form the request builds (a
    FlaskForm's CSRF field calls ``generate_csrf``, which reads it there) writes it without
    signing it again. Nothing for a session without a token yet: no session is started here."""
    field, raw = _raw_token()
    signed = _signed_tokens()
    token = signed.get(raw) if raw is not None and signed is not None else None
    if token is not None:
        setattr(g, field, token)


def csrf_field(prefix: str) -> Markup:
    """What ``hidden_tag()`` renders for a FlaskForm made with this prefix and no other hidden
    field: its CSRF token field (nothing when CSRF protection is off, as in most tests). For a
    page that shows a form's fields without building the form (members.views.item_fields)."""
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return Markup("")
    name = escape(f"{prefix}-{current_app.config.get('WTF_CSRF_FIELD_NAME', 'csrf_token')}")
    # every value is escaped
    return Markup(f'<input id="{name}" name="{name}" type="hidden" value="{escape(csrf_token())}">')  # nosec B704


def html_params(**kwargs) -> Markup:
    """WTForms' ``html_params`` (the attributes of every rendered field), the same output built
    with plain string operations: WTForms formats each attribute through ``Markup.format``
    (Python's string.Formatter), which took a third of the time of a page of forms.

    Keys and values are escaped as WTForms does: ``True`` gives the bare key, ``False`` nothing,
    a value's double quotes (even in Markup) become ``&quot;``."""
    params: list[str] = []
    for key, value in sorted(kwargs.items()):
        name = escape(clean_key(key))
        if value is True:
            params.append(name)
        elif value is not False:
            params.append(f'{name}="{escape(value).replace(QUOTE, ESCAPED_QUOTE)}"')
    # every key and value is escaped above
    return Markup(" ".join(params))  # nosec B704


QUOTE, ESCAPED_QUOTE = Markup('"'), Markup("&quot;")


def use_fast_html_params() -> None:
    """Puts ``html_params`` above in place of WTForms' own, wherever WTForms calls it (the
    module function and the widgets' copies of it). Once per process; the tests compare both."""
    for module in (wtforms_widgets_core, wtforms_widgets):  # the labels call wtforms.widgets.html_params
        if module.html_params is WTFORMS_HTML_PARAMS:
            module.html_params = html_params
    for widget in vars(wtforms_widgets_core).values():  # Input and Button keep their own copy
        own = widget.__dict__.get("html_params") if isinstance(widget, type) else None
        if isinstance(own, staticmethod) and own.__func__ is WTFORMS_HTML_PARAMS:
            widget.html_params = staticmethod(html_params)
