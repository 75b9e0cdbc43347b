"""What every template may use: the signed-in user's groups, local times."""

from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any, NamedTuple

from flask import Flask, current_app, get_flashed_messages, has_request_context, request, session, url_for
from flask.templating import Environment as FlaskEnvironment
from flask_login import current_user
from jinja2 import StrictUndefined
from markupsafe import Markup, escape
from wtforms.csrf.core import CSRF
from wtforms.validators import ValidationError

from organizer.access import my_memberships
from organizer.forms import csrf_field, csrf_token, use_fast_html_params
from organizer.timezones import local_time

AVATAR_COLOURS = 8


class Environment(FlaskEnvironment):
    """Flask's template environment, whose templates keep their globals in a plain dict, copied
    from the environment's when the template is loaded, rather than Jinja's ``ChainMap`` over
    them: every render copies a template's globals into its context and every ``{% from ... import
    %}`` compares key sets, and a ``ChainMap`` makes each of those a Python loop over its maps
    (the group home: 0.1 ms of 1.5, 7%). The globals are all registered while the app is built
    (``register`` and the extensions' ``init_app``), before any template loads, so nothing is
    missed; a global added later would reach only the templates loaded after it."""

    def make_globals(self, d: Any) -> Any:  # Jinja types it MutableMapping; a dict is one
        return {**self.globals, **(d or {})}


def initials(name: str | None) -> str:
    """Up to two letters for an avatar: first and last word ("Ken Watanabe" -> "KW")."""
    words = [w for w in (name or "").replace("-", " ").split() if w[:1].isalnum()]
    if not words:
        return "?"
    letters = words[0][0] + (words[-1][0] if len(words) > 1 else "")
    return letters.upper()


def avatar_colour(name: str | None) -> int:
    """A stable colour index for a name (the same person has the same colour on every page)."""
    return sum((name or "").encode("utf-8")) % AVATAR_COLOURS


def time_since(value: datetime | None, now: datetime) -> str:
    """How long ago, in the largest whole unit: "2 hours", "3 days", "5 weeks"."""
    if value is None:
        return ""
    seconds = max(0, int((now - value).total_seconds()))
    for unit, size in (("week", 7 * 86400), ("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return "less than a minute"


def icon_sprite_url() -> str:
    """The icons' file (every icon on a page links to it)."""
    return page_url("static", filename="vendor/icons.svg")


ICON_CACHE_SIZE = 1024
_icons: dict[tuple, Markup] = {}


def icon(name: str, label: str | None = None, size: str | None = None) -> Markup:
    """An icon from the lucide set vendored in static/vendor/icons.svg (tools/vendor_static.py
    lists them): decorative unless `label` is given, then announced as an image with that name.

    A function rather than a template macro: the layout alone shows a dozen icons on every page,
    and a macro call costs ten times as much. Remembered per process and place the app is mounted
    at: a page shows the same few icons many times."""
    if not has_request_context():  # an email
        return _icon(name, label, size, icon_sprite_url())
    key = (request.script_root, name, label, size)
    found = _icons.get(key)
    if found is None:
        found = _icon(name, label, size, icon_sprite_url())
        if len(_icons) >= ICON_CACHE_SIZE:
            _icons.clear()  # rare (labels name people): a bound, not an eviction policy
        _icons[key] = found
    return found


_icon_of = icon


def _icon(name: str, label: str | None, size: str | None, sprite_url: str) -> Markup:
    size_class = f" icon--{escape(size)}" if size else ""
    role = f' role="img" aria-label="{escape(label)}"' if label else ' aria-hidden="true" focusable="false"'
    # every value is escaped
    return Markup(  # nosec B704
        f'<svg class="icon{size_class}"{role}><use href="{escape(sprite_url)}#{escape(name)}"></use></svg>')


def avatar(name: str | None, size: str | None = None) -> Markup:
    """A person's initials in a circle, coloured by their name; decorative (put the name beside
    it). A function, like `icon`: lists show one per row."""
    size_class = f" avatar--{escape(size)}" if size else ""
    # every value is escaped (the colour is a number)
    return Markup(  # nosec B704
        f'<span class="avatar avatar--c{avatar_colour(name)}{size_class}" aria-hidden="true">{escape(initials(name))}</span>')


def form_field(f: Any, autocomplete: str | None = None, inputmode: str | None = None, autofocus: bool = False,
               list: str | None = None, rows: int | None = None) -> Markup:  # noqa: A002 (the HTML attribute's name)
    """A form field with its label, hint and errors (``field`` in _macros.html). A function, like
    ``icon``: a page of forms shows dozens of fields, and the macro's logic cost more than the
    fields. A select is written here rather than by WTForms (ten times faster on a long list; no
    list of the group's members is a select any more: members are typed, ``person_field``)."""
    errors = f.errors
    described = ([f"{f.id}-help"] if f.description else []) + ([f"{f.id}-error"] if errors else [])
    attrs: dict[str, Any] = {}
    for name, value in (("autocomplete", autocomplete), ("inputmode", inputmode), ("autofocus", autofocus),
                        ("list", list), ("rows", rows)):
        if value:
            attrs[name] = True if name == "autofocus" else value
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if errors:
        attrs["aria-invalid"] = "true"
    parts = [f'<div class="field{" field--error" if errors else ""}">', str(f.label())]
    if f.type == "SelectField":
        current = str(f.data) if f.data is not None else ""
        options = "".join(
            f'<option value="{escape(c.value)}"{" selected" if str(c.value) == current else ""}>{escape(c.label)}</option>'
            for c in f.choices)
        attributes = "".join(f' {escape(k)}="{escape(v)}"' for k, v in attrs.items())
        parts.append(f'<select id="{escape(f.id)}" name="{escape(f.name)}"{attributes}>{options}</select>')
    else:
        parts.append(str(f(**attrs)))
    if f.description:
        parts.append(f'<p class="hint" id="{escape(f.id)}-help">{escape(f.description)}</p>')
    if errors:
        parts.append(f'<p class="error" id="{escape(f.id)}-error">{Markup(" ").join(errors)}</p>')
    parts.append("</div>")
    # every value is escaped where it is written; the label and the input are WTForms' markup
    return Markup("\n".join(parts))  # nosec B704


def csrf_input(form: Any) -> Markup:
    """A form's CSRF token as a hidden input (nothing when the form has none: CSRF off). The
    ``csrf_input`` macro it replaced is kept in tests/test_templating.py as its reference; like
    the macros below, a function because a list shows one per row."""
    token_field = _field_of(form, "csrf_token")
    if not token_field:
        return Markup("")
    # every value is escaped
    return Markup(f'<input name="csrf_token" type="hidden" value="{escape(token_field.current_token)}">')  # nosec B704


def _field_of(form: Any, name: str) -> Any:
    """``form.<name>`` as a template reads it: the attribute, else the item, else nothing."""
    try:
        return getattr(form, name)
    except AttributeError:
        try:
            return form[name]
        except (KeyError, TypeError, AttributeError):
            return None


def button_form(action: str, label: str, form: Any, css: str = "button", confirm: str | None = None,
                icon: str | None = None, name: str | None = None) -> Markup:
    """A one-button POST form with the form's CSRF token. `icon` names an icon; `name` is the
    button's accessible name when the visible label alone would be ambiguous."""
    confirm_attr = f' data-confirm="{escape(confirm)}"' if confirm else ""
    name_attr = f' aria-label="{escape(name)}"' if name else ""
    icon_html = _icon_of(icon) if icon else ""
    # every value is escaped (the icon and the token input are markup built escaped)
    return Markup(  # nosec B704
        f'\n  <form method="post" action="{escape(action)}" class="inline-form"{confirm_attr}>\n'
        f'    {csrf_input(form)}\n'
        f'    <button type="submit" class="{escape(css)}"{name_attr}>{icon_html}{escape(label)}</button>\n'
        f'  </form>\n')


def badge(text: str, tone: str | None = None, title: str | None = None, icon_name: str | None = None) -> Markup:
    """A small label: tone is one of ok, private, warning, danger, info (or none)."""
    tone_class = f" badge--{escape(tone)}" if tone else ""
    title_attr = f' title="{escape(title)}"' if title else ""
    icon_html = _icon_of(icon_name, size="sm") if icon_name else ""
    # every value is escaped
    return Markup(f'<span class="badge{tone_class}"{title_attr}>{icon_html}{escape(text)}</span>')  # nosec B704


def link_button(href: str, label: str, css: str = "button", icon: str | None = None) -> Markup:
    """A link styled as a button, with an optional icon."""
    icon_html = _icon_of(icon) if icon else ""
    # every value is escaped
    return Markup(f'<a class="{escape(css)}" href="{escape(href)}">{icon_html}{escape(label)}</a>')  # nosec B704


def person(name: str, size: str = "sm") -> Markup:
    """An avatar and the name beside it."""
    # every value is escaped
    return Markup(f'<span class="person">{avatar(name, size)}<span>{escape(name)}</span></span>')  # nosec B704


def flashes() -> Markup:
    """The messages flashed for this page, in a live region (focused on load when there are some)."""
    messages: list[tuple[str, str]] = get_flashed_messages(with_categories=True)  # type: ignore[assignment]
    focus = ' tabindex="-1" data-focus-on-load' if messages else ""
    items = "".join(f'\n        <p class="flash flash--{escape(category)}">{escape(message)}</p>\n      '
                    for category, message in messages)
    # every value is escaped
    return Markup(  # nosec B704
        f'\n  \n    <div class="flashes" id="messages" role="status" aria-live="polite"{focus}>\n      {items}\n'
        f'    </div>\n  \n')


URL_CACHE_SIZE = 4096


def page_url(endpoint: str, **values: Any) -> str:
    """``url_for`` for the templates, remembered per app: a page with a list builds the same
    few kinds of link for every row, and building one costs more than the rest of the row.

    A path depends only on the endpoint, the values and where the app is mounted (the script
    root), never on who asks, so one answer serves every request. Links with options (an
    external URL, an anchor, a method) or values that cannot be a key are built every time."""
    if not has_request_context() or endpoint.startswith("."):  # an email; a blueprint's own name
        return url_for(endpoint, **values)
    return _remembered(current_app.extensions["page_urls"], request.script_root, endpoint, values)


def _remembered(cache: dict, script_root: str, endpoint: str, values: dict) -> str:
    try:
        key = (script_root, endpoint, *values.items())  # in the order given: url_for's own answer for it
        found = cache.get(key)
    except TypeError:  # a list or dict among the values
        return url_for(endpoint, **values)
    if found is None:
        if any(name.startswith("_") for name in values):
            return url_for(endpoint, **values)
        found = url_for(endpoint, **values)
        if len(cache) >= URL_CACHE_SIZE:
            cache.clear()  # rare: a bound, not an eviction policy
        cache[key] = found
    return found


def request_page_url() -> Callable[..., str]:
    """page_url for the templates of this request, with where the app is mounted and the cache
    looked up once (a page builds dozens of links; each lookup of the request costs more than
    the cache). Given to the templates as ``url_for`` by the context processor below."""
    cache, script_root = current_app.extensions["page_urls"], request.script_root

    def link(endpoint: str, **values: Any) -> str:
        if endpoint.startswith("."):  # a blueprint's own name
            return url_for(endpoint, **values)
        return _remembered(cache, script_root, endpoint, values)

    return link


FRAGMENT_CACHE_SIZE = 4096

# Template globals that read the request (Flask's, Flask-WTF's token, and helpers that write the
# token or the flashed messages): a fragment rendered once for every visitor must not name them.
REQUEST_GLOBALS = frozenset({"request", "session", "g", "get_flashed_messages", "csrf_token", "csrf_field",
                             "flashes_function"})


class _FragmentGlobals(Mapping[str, Any]):
    """The app's template globals as they are now, less ``REQUEST_GLOBALS``: in a fragment, such a
    name is undefined (an error), so one visitor's token or session can never be remembered."""

    def __init__(self, source: Mapping[str, Any]) -> None:
        self._source = source

    def __getitem__(self, key: str) -> Any:
        if key in REQUEST_GLOBALS:
            raise KeyError(key)
        return self._source[key]

    def __iter__(self) -> Iterator[str]:
        return (key for key in self._source if key not in REQUEST_GLOBALS)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def fragment(name: str, **values: Any) -> Markup:
    """The template `name` rendered with `values` alone, remembered per process for each set of
    values (and place the app is mounted at): for the parts every page of a group shows the same
    way, such as its tabs. Such a template reads nothing but its values and the globals (links,
    icons); anything else it names is an error, not an empty string, so a tab cannot silently
    show another request's state."""
    try:
        key = (name, *values.items())
        hash(key)
    except TypeError:  # a value that cannot be a key
        return render_alone(name, values)
    return render_once(key, name, lambda: values)


def render_alone(name: str, values: dict) -> Markup:
    """The template `name` rendered with `values` alone (no request, session or user), in the
    app's environment made strict on undefined names; autoescaped like every template."""
    return Markup(current_app.extensions["fragment_env"].get_template(name).render(values))  # nosec B704


def render_once(key: tuple, name: str, values: Callable[[], dict]) -> Markup:
    """``render_alone(name, values())``, remembered per process under `key` (and the place the app
    is mounted at): `key` holds everything the values show, so equal keys give equal markup."""
    cache = current_app.extensions["fragments"]
    full_key = (request.script_root, *key)
    found = cache.get(full_key)
    if found is None:
        found = render_alone(name, values())
        if len(cache) >= FRAGMENT_CACHE_SIZE:
            cache.clear()  # rare: a bound, not an eviction policy
        cache[full_key] = found
    return found


# Where the CSRF token goes in a fragment rendered once for every request: a raw "<" cannot come
# from a value (every value is escaped), so the token's place is found without doubt.
_TOKEN_PLACE = Markup("<csrf-token/>")


class _TokenField:
    def __init__(self, token: str) -> None:
        self.current_token = token


class _TokenForm:
    """What ``button_form`` and ``csrf_input`` read of a form with CSRF protection: its token."""

    def __init__(self, token: str) -> None:
        self.csrf_token = _TokenField(token)


class _NoTokenForm:
    """A form without CSRF protection (it is off: most tests)."""


class _TokenPlaceCSRF(CSRF):
    """The CSRF token field of a FlaskForm built for a fragment (``FRAGMENT_FORM``): it holds the
    token's place, so the form's ``hidden_tag()`` is its usual markup with this request's token
    put in. Such a form is only rendered, never validated."""

    def generate_csrf_token(self, csrf_token_field: Any) -> str:
        return _TOKEN_PLACE

    def validate_csrf_token(self, form: Any, field: Any) -> None:
        raise ValidationError("A form rendered in a fragment is never submitted.")


# The meta of a FlaskForm a fragment shows (``fragment_with_token``'s ``forms``), built with ``formdata=None``.
FRAGMENT_FORM = {"csrf_class": _TokenPlaceCSRF}


def fragment_with_token(name: str, forms: Callable[[], dict] | None = None, **values: Any) -> Markup:
    """``fragment`` for a template whose forms post this request's CSRF token: it is rendered once
    with the token's place marked, and the token is put in on each request. The template writes
    ``token`` (the token, whether CSRF protection is on or not, like ``csrf_token()``), or hands
    ``token_form`` to ``button_form`` and writes ``token_input`` (the form's hidden input, nothing
    when the protection is off, like a FlaskForm's).

    ``forms``: makes the FlaskForms the template renders (fields and ``hidden_tag()``), only when
    it is rendered; built empty (``formdata=None``) with ``FRAGMENT_FORM`` as their meta, and
    showing nothing that `values`, which make the key, do not hold."""
    csrf_on = bool(current_app.config.get("WTF_CSRF_ENABLED", True))
    token_form = _TokenForm(_TOKEN_PLACE) if csrf_on else _NoTokenForm()
    html = render_once((name, csrf_on, *values.items()), name, lambda: {
        **values, **(forms() if forms is not None else {}), "token": _TOKEN_PLACE, "token_form": token_form,
        "token_input": csrf_input(token_form)})
    if _TOKEN_PLACE not in html:
        return html
    # the token is escaped; the rest is the rendered template's markup
    return Markup(str(html).replace(_TOKEN_PLACE, str(escape(csrf_token()))))  # nosec B704


def token_form() -> Any:
    """What ``button_form`` and ``csrf_input`` read of a ConfirmForm (a form that only posts its
    CSRF token) of this request, without building one: for a page that shows several such buttons
    (``forms.csrf_token`` keeps the token for the request)."""
    return _TokenForm(csrf_token()) if current_app.config.get("WTF_CSRF_ENABLED", True) else _NoTokenForm()


def site_header(current_group: Any, nav_memberships: list) -> Markup:
    """The site's header (_header.html): the brand, and the visitor's group, pages and log-out
    form, or the log-in and sign-up links."""
    signed_in = current_user.is_authenticated
    return fragment_with_token(
        "_header.html", signed_in=signed_in, group_slug=current_group.slug if current_group else None,
        group_name=current_group.name if current_group else None, endpoint=request.endpoint,
        several_groups=len(nav_memberships) > 1)


class _Reason(NamedTuple):
    text: str | None
    shown: bool
    helper: int | None
    helped: int | None
    need_id: int | None


def table_card(table: Any, people: Iterable[Any], reasons: Iterable[dict], hl: int, slug: str, event_id: int,
               run_id: int, correct_url: str) -> Markup:
    """One table of the pairing review (pairing/_table_card.html): its number, people, score,
    lock, and the reasons organizers see now, each with its "Wrong" form. Rendered once per
    process for the same table, names and reasons: a review shows ten, and an organizer at the
    door reloads it between changes."""
    return fragment_with_token(
        "pairing/_table_card.html", table_id=table.id, table_round=table.round, number=table.number,
        locked=bool(table.locked), score=f"{table.score:.2f}", names=tuple(person.name for person in people),
        reasons=tuple(_Reason(r.get("text"), r.get("shown", True), r.get("helper"), r.get("helped"), r.get("need_id"))
                      for r in reasons),
        hl=hl, slug=slug, event_id=event_id, run_id=run_id, correct_url=correct_url)


def group_tabs(group: Any, member: Any) -> Markup:
    """The group's tabs (groups/_tabs.html), the current one marked: the same for every member
    with the same role on the same page."""
    return fragment("groups/_tabs.html", group_name=group.name, slug=group.slug, organizer=member.is_organizer,
                    endpoint=request.endpoint, blueprint=request.blueprint)


def overview_upcoming(group: Any, upcoming: list) -> Markup:
    """The overview's upcoming lunches and the links to the lists (groups/_overview_upcoming.html):
    the same for every member who sees the same lunches."""
    return fragment("groups/_overview_upcoming.html", slug=group.slug, time_zone=group.time_zone,
                    upcoming=tuple(upcoming))


def overview_steps(group: Any, steps: list) -> Markup:
    """The overview's "Get started" checklist (groups/_overview_steps.html), nothing once every
    step is done: the same for every member with the same steps done."""
    return fragment("groups/_overview_steps.html", slug=group.slug, steps=tuple(steps))


def members_subnav(group: Any, member: Any) -> Markup:
    """The second-level links under "Me" and the directory (members/_subnav.html)."""
    return fragment("members/_subnav.html", slug=group.slug, organizer=member.is_organizer, endpoint=request.endpoint)


def register(app: Flask) -> None:
    use_fast_html_params()
    app.extensions["page_urls"] = {}
    app.extensions["fragments"] = {}
    fragment_env = app.jinja_env.overlay(undefined=StrictUndefined)
    fragment_env.globals = _FragmentGlobals(app.jinja_env.globals)  # type: ignore[assignment]
    app.extensions["fragment_env"] = fragment_env
    app.jinja_env.globals["url_for"] = page_url
    app.jinja_env.globals["icon_sprite_url"] = icon_sprite_url
    app.jinja_env.globals["icon"] = icon
    app.jinja_env.globals["avatar"] = avatar
    app.jinja_env.globals["form_field"] = form_field
    app.jinja_env.globals["group_tabs"] = group_tabs
    app.jinja_env.globals["csrf_field"] = csrf_field
    for helper in (csrf_input, button_form, badge, link_button, person, flashes):  # the macros they replaced
        app.jinja_env.globals[f"{helper.__name__}_function"] = helper
    app.jinja_env.globals["members_subnav"] = members_subnav
    app.jinja_env.globals["overview_upcoming"] = overview_upcoming
    app.jinja_env.globals["overview_steps"] = overview_steps
    app.jinja_env.globals["table_card"] = table_card
    app.jinja_env.globals["site_header"] = site_header
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["initials"] = initials
    app.jinja_env.filters["avatar_colour"] = avatar_colour
    app.jinja_env.filters["time_since"] = time_since

    @app.context_processor
    def navigation():
        links = request_page_url() if has_request_context() else page_url
        if not current_user.is_authenticated:
            return {"nav_memberships": [], "current_group": None, "url_for": links}
        memberships = my_memberships()
        current = next(
            (m.group for m in memberships if m.group_id == session.get("group_id")), None
        )
        return {"nav_memberships": memberships, "current_group": current, "url_for": links}
