"""The templates' link building: remembered links are the links url_for builds."""

from flask import url_for

from organizer.templating import page_url


def test_a_remembered_link_is_the_link_url_for_builds(app):
    with app.test_request_context("/"):
        for endpoint, values in [("groups.detail", {"slug": "book-club"}),
                                 ("members.detail", {"slug": "book-club", "user_id": 7}),
                                 ("members.index", {"slug": "book-club", "q": "cv", "tag": None}),
                                 ("static", {"filename": "css/site.css"})]:
            first, again = page_url(endpoint, **values), page_url(endpoint, **values)
            assert first == again == url_for(endpoint, **values)


def test_each_row_gets_its_own_link(app):
    with app.test_request_context("/"):
        links = {page_url("members.detail", slug="book-club", user_id=uid) for uid in (1, 2, 3)}
        assert links == {f"/groups/book-club/members/{uid}" for uid in (1, 2, 3)}


def test_an_app_mounted_under_a_path_gets_links_under_it(app):
    with app.test_request_context("/"):
        assert page_url("groups.detail", slug="book-club") == "/groups/book-club/"
    with app.test_request_context("/", base_url="http://localhost/lunches"):
        assert page_url("groups.detail", slug="book-club") == "/lunches/groups/book-club/"


def test_links_with_options_are_built_as_asked(app):
    with app.test_request_context("/"):
        assert page_url("groups.detail", slug="book-club", _anchor="events") == "/groups/book-club/#events"
        assert page_url("groups.detail", slug="book-club", _external=True).startswith("http://localhost/")
        assert page_url("members.index", slug="book-club", q=["a", "b"]) == "/groups/book-club/members/?q=a&q=b"


def test_fields_render_the_attributes_wtforms_renders():
    from markupsafe import Markup

    from organizer.forms import WTFORMS_HTML_PARAMS, html_params

    cases = [{}, {"id": "title", "name": "title", "value": 'Say "hi" & <b>'}, {"checked": True, "readonly": False},
             {"class_": "field", "for_": "x", "data_names_url": "/a?b=1&c=2", "aria_describedby": "x-help"},
             {"value": Markup('<i class="q">safe</i>')}, {"value": 0, "maxlength": 200, "required": True},
             {"value": None}, {"<odd key>": "v"}]
    for attributes in cases:
        assert html_params(**attributes) == WTFORMS_HTML_PARAMS(**attributes)
        assert isinstance(html_params(**attributes), Markup)


def test_the_forms_use_the_faster_attributes(app):
    from wtforms import widgets

    from organizer.forms import html_params

    assert widgets.html_params is html_params and widgets.core.html_params is html_params
    assert widgets.TextInput.html_params is html_params and widgets.SubmitInput.html_params is html_params


def test_an_icon_is_the_sprite_link_with_its_name_escaped(app):
    from organizer.templating import icon

    with app.test_request_context("/"):
        assert icon("house") == ('<svg class="icon" aria-hidden="true" focusable="false">'
                                 '<use href="/static/vendor/icons.svg#house"></use></svg>')
        assert icon("lock", label='Locked "A"', size="sm") == (
            '<svg class="icon icon--sm" role="img" aria-label="Locked &#34;A&#34;">'
            '<use href="/static/vendor/icons.svg#lock"></use></svg>')


# The field macro form_field replaced, kept as the reference its output is held to.
FIELD_MACRO = """{% macro field(f, autocomplete=None, inputmode=None, autofocus=False, list=None, rows=None) %}
  {% set described = [] %}
  {% if f.description %}{% set _ = described.append(f.id ~ '-help') %}{% endif %}
  {% if f.errors %}{% set _ = described.append(f.id ~ '-error') %}{% endif %}
  <div class="field{% if f.errors %} field--error{% endif %}">
    {{ f.label() }}
    {% set attrs = {} %}
    {% if autocomplete %}{% set _ = attrs.update({'autocomplete': autocomplete}) %}{% endif %}
    {% if inputmode %}{% set _ = attrs.update({'inputmode': inputmode}) %}{% endif %}
    {% if autofocus %}{% set _ = attrs.update({'autofocus': True}) %}{% endif %}
    {% if list %}{% set _ = attrs.update({'list': list}) %}{% endif %}
    {% if rows %}{% set _ = attrs.update({'rows': rows}) %}{% endif %}
    {% if described %}{% set _ = attrs.update({'aria-describedby': described|join(' ')}) %}{% endif %}
    {% if f.errors %}{% set _ = attrs.update({'aria-invalid': 'true'}) %}{% endif %}
    {% if f.type == 'SelectField' %}
      <select id="{{ f.id }}" name="{{ f.name }}"{% for k, v in attrs.items() %} {{ k }}="{{ v }}"{% endfor %}>
        {%- set current = f.data|string if f.data is not none else '' -%}
        {%- for choice in f.choices %}<option value="{{ choice.value }}"{% if choice.value|string == current %} selected{% endif %}>{{ choice.label }}</option>{% endfor -%}
      </select>
    {% else %}
      {{ f(**attrs) }}
    {% endif %}
    {% if f.description %}<p class="hint" id="{{ f.id }}-help">{{ f.description }}</p>{% endif %}
    {% if f.errors %}
      <p class="error" id="{{ f.id }}-error">{{ f.errors|join(' ') }}</p>
    {% endif %}
  </div>
{% endmacro %}"""


def test_a_form_field_renders_what_the_field_macro_rendered(app):
    import re

    from flask import render_template_string
    from flask_wtf import FlaskForm
    from wtforms import SelectField, StringField, TextAreaField
    from wtforms.fields.choices import SelectChoice
    from wtforms.validators import DataRequired, Length

    from organizer.templating import form_field

    class Sample(FlaskForm):
        class Meta:
            csrf = False

        title = StringField('Title "main"', validators=[DataRequired(), Length(max=20)], description="Say <what>.")
        details = TextAreaField("Details", validators=[Length(max=5)])
        kind = SelectField("Kind", choices=[SelectChoice("a", "A & co"), SelectChoice(2, "<Two>")], default=2)

    def squeeze(html: str) -> str:
        return re.sub(r">\s+<", "><", re.sub(r"\s*\n\s*", "\n", html)).replace("\n", "")

    options = [{}, {"autocomplete": "off", "list": "names"}, {"inputmode": "numeric", "autofocus": True},
               {"rows": 3}, {"autofocus": False, "autocomplete": None}]
    with app.test_request_context("/", method="POST", data={"title": 'x" onmouseover="y', "details": "<too long>",
                                                            "kind": "a"}):
        for form in (Sample(formdata=None), Sample()):
            form.validate()
            for f in (form.title, form.details, form.kind):
                for opts in options:
                    expected = render_template_string(FIELD_MACRO + "{{ field(f, **opts) }}", f=f, opts=opts)
                    html = str(form_field(f, **opts))
                    assert squeeze(html) == squeeze(expected)
                    assert 'onmouseover="' not in html and "<too long>" not in html and "<Two>" not in html


def test_a_form_fields_error_naming_what_was_typed_is_escaped(app):
    # form_field joins the errors as markup: an error that repeats the typed text (as "No member of
    # this group is called ..." does) must come out escaped, like the value itself
    from flask_wtf import FlaskForm
    from wtforms import StringField

    from organizer.templating import form_field

    class Sample(FlaskForm):
        class Meta:
            csrf = False

        who = StringField("Who")

    typed = '<img src=x onerror="alert(1)">'
    with app.test_request_context("/", method="POST", data={"who": typed}):
        form = Sample()
        form.validate()
        form.who.errors = [f"No member of this group is called {typed}.", "<b>second</b>"]
        html = str(form_field(form.who))
    assert "<img" not in html and "<b>" not in html
    assert "No member of this group is called &lt;img src=x onerror=&#34;alert(1)&#34;&gt;." in html
    assert "&lt;b&gt;second&lt;/b&gt;" in html


def test_a_requests_links_are_the_links_url_for_builds(app):
    from organizer.templating import request_page_url

    with app.test_request_context("/", base_url="http://localhost/lunches"):
        link = request_page_url()
        for endpoint, values in [("groups.detail", {"slug": "book-club"}), ("groups.detail", {"slug": "other"}),
                                 ("members.index", {"slug": "book-club", "q": "cv", "tag": None}),
                                 ("members.index", {"tag": None, "q": "cv", "slug": "book-club"}),
                                 ("groups.detail", {"slug": "book-club", "_anchor": "events"}),
                                 ("members.index", {"slug": "book-club", "q": ["a", "b"]})]:
            assert link(endpoint, **values) == link(endpoint, **values) == url_for(endpoint, **values)
        assert link("groups.detail", slug="book-club") == "/lunches/groups/book-club/"


def _current_links(html: str, nav_class: str) -> list[str]:
    """The labels of the links marked current in the page's nav of that class."""
    import re

    nav = re.search(rf'<nav aria-label="[^"]*" class="{nav_class}">(.*?)</nav>', html, re.S)
    assert nav, f"no {nav_class} on the page"
    return re.findall(r'aria-current="page">(?:<svg.*?</svg>)?([^<]+)</a>', nav.group(1))


def test_the_tabs_mark_the_section_of_each_page_for_each_role(client, auth, app):
    from tests.factories import make_group, make_member, make_user

    group = make_group(organizer=make_user(email="olga@example.org"), name="Job <Club>")
    make_member(group, email="ann@example.org")
    pages = {"": "Overview", "members/me": "Me", "members/": "Directory", "events/": "Events", "asks/": "Asks"}
    for email, organizer in (("olga@example.org", True), ("ann@example.org", False), ("olga@example.org", True)):
        auth.login(email)
        for path, current in pages.items():
            html = client.get(f"/groups/{group.slug}/{path}").get_data(as_text=True)
            assert _current_links(html, "tabs") == [current]
            assert 'aria-label="Job &lt;Club&gt;" class="tabs"' in html
            assert ("Members and roles</a>" in html) is organizer and ("Outbox</a>" in html) is organizer
            assert ('>Settings</a>' in html) is not organizer
        me = client.get(f"/groups/{group.slug}/members/me").get_data(as_text=True)
        assert _current_links(me, "subnav") == ["My needs and offers"]
        directory = client.get(f"/groups/{group.slug}/members/").get_data(as_text=True)
        assert ('aria-label="Directory tools"' in directory) is organizer
        if organizer:
            assert _current_links(directory, "subnav") == ["Directory"]
        auth.logout()


def test_a_renamed_group_shows_its_new_name_in_its_tabs(client, auth, app):
    from organizer.extensions import db
    from tests.factories import make_group, make_user

    group = make_group(organizer=make_user(email="olga@example.org"), name="Job Club")
    auth.login("olga@example.org")
    assert 'aria-label="Job Club" class="tabs"' in client.get(f"/groups/{group.slug}/").get_data(as_text=True)
    group.name = "Career Club"
    db.session.commit()
    assert 'aria-label="Career Club" class="tabs"' in client.get(f"/groups/{group.slug}/").get_data(as_text=True)


def test_a_fragment_is_rendered_once_for_the_same_values(app):
    from organizer.templating import fragment

    values = {"group_name": "Job Club", "slug": "job-club", "organizer": False, "endpoint": "groups.detail",
              "blueprint": "groups"}
    with app.test_request_context("/"):
        first = fragment("groups/_tabs.html", **values)
        assert fragment("groups/_tabs.html", **values) is first
        other = fragment("groups/_tabs.html", **{**values, "endpoint": "members.index", "blueprint": "members"})
        assert other != first and _current_links(str(other), "tabs") == ["Directory"]
    with app.test_request_context("/", base_url="http://localhost/lunches"):
        mounted = fragment("groups/_tabs.html", **values)
        assert 'href="/lunches/groups/job-club/"' in mounted and 'href="/groups/job-club/"' not in mounted


def test_a_fragment_that_names_a_value_it_was_not_given_fails(app):
    import pytest
    from jinja2 import UndefinedError

    from organizer.templating import fragment

    with app.test_request_context("/"), pytest.raises(UndefinedError):
        fragment("groups/_tabs.html", group_name="Job Club", slug="job-club", organizer=False)


def test_a_fragment_cannot_name_what_belongs_to_one_request(app):
    """A fragment is remembered for every visitor: the token, the session, the request and the
    flashed messages are undefined there (an error), while the app's own helpers stay."""
    import pytest
    from jinja2 import UndefinedError

    env = app.extensions["fragment_env"]
    with app.test_request_context("/"):
        for source in ("{{ csrf_token() }}", "{{ session.get('group_id') }}", "{{ request.path }}",
                       "{{ get_flashed_messages() }}", "{{ g }}"):
            with pytest.raises(UndefinedError):
                env.from_string(source).render()
        assert "icon" in env.from_string("{{ icon('house') }}").render()
        assert "csrf_token" in app.jinja_env.globals, "the app's own templates keep every global"


def test_a_loaded_template_holds_every_global_in_a_plain_dict(app):
    """organizer.templating.Environment: a template's globals are the environment's, copied into
    a dict when it loads (no ChainMap walked on every render), its own added on top; a fragment's
    template still lacks what belongs to one request."""
    with app.test_request_context("/"):
        page = app.jinja_env.get_template("base.html")
        assert type(page.globals) is dict
        assert page.globals.keys() == app.jinja_env.globals.keys()
        assert page.globals["csrf_token"] is app.jinja_env.globals["csrf_token"]
        own = app.jinja_env.from_string("{{ greeting }} {{ icon('house') }}", globals={"greeting": "Hi & bye"})
        assert own.render().startswith("Hi &amp; bye <svg")
        assert "greeting" not in app.jinja_env.globals
        fragment_page = app.extensions["fragment_env"].get_template("groups/_tabs.html")
        assert type(fragment_page.globals) is dict
        assert "csrf_token" not in fragment_page.globals and "session" not in fragment_page.globals
        assert "icon" in fragment_page.globals


def test_a_remembered_icon_follows_where_the_app_is_mounted(app):
    from organizer.templating import icon

    with app.test_request_context("/"):
        assert icon("house") is icon("house")
        assert 'href="/static/vendor/icons.svg#house"' in icon("house")
    with app.test_request_context("/", base_url="http://localhost/lunches"):
        assert 'href="/lunches/static/vendor/icons.svg#house"' in icon("house")
        assert 'aria-label="Ann &amp; Ben"' in icon("lock", label="Ann & Ben")


# The macros of _macros.html that organizer.templating's functions replaced (button_form, person, badge,
# link_button, flashes, csrf_input), kept as the reference their markup is held to.
LIST_MACROS = """{% macro button_form(action, label, form, css='button', confirm=None, icon=None, name=None) %}
  <form method="post" action="{{ action }}" class="inline-form"{% if confirm %} data-confirm="{{ confirm }}"{% endif %}>
    {% if form.csrf_token %}<input name="csrf_token" type="hidden" value="{{ form.csrf_token.current_token }}">{% endif %}
    <button type="submit" class="{{ css }}"{% if name %} aria-label="{{ name }}"{% endif %}>{% if icon %}{{ _icon(icon) }}{% endif %}{{ label }}</button>
  </form>
{% endmacro %}
{% macro person(name, size='sm') -%}
  <span class="person">{{ avatar(name, size) }}<span>{{ name }}</span></span>
{%- endmacro %}
{% macro badge(text, tone=None, title=None, icon_name=None) -%}
  <span class="badge{% if tone %} badge--{{ tone }}{% endif %}"{% if title %} title="{{ title }}"{% endif %}>{% if icon_name %}{{ _icon(icon_name, size='sm') }}{% endif %}{{ text }}</span>
{%- endmacro %}
{% macro link_button(href, label, css='button', icon=None) -%}
  <a class="{{ css }}" href="{{ href }}">{% if icon %}{{ _icon(icon) }}{% endif %}{{ label }}</a>
{%- endmacro %}
{% macro flashes() %}
  {% with messages = get_flashed_messages(with_categories=true) %}
    <div class="flashes" id="messages" role="status" aria-live="polite"{% if messages %} tabindex="-1" data-focus-on-load{% endif %}>
      {% for category, message in messages %}
        <p class="flash flash--{{ category }}">{{ message }}</p>
      {% endfor %}
    </div>
  {% endwith %}
{% endmacro %}
{% macro csrf_input(form) %}{% if form.csrf_token %}<input name="csrf_token" type="hidden" value="{{ form.csrf_token.current_token }}">{% endif %}{% endmacro %}"""


def _between(html: str) -> str:
    return html.split("[[", 1)[1].rsplit("]]", 1)[0]


def test_the_list_helpers_render_what_their_macros_rendered(app, csrf_on):
    from flask import flash, render_template_string
    from markupsafe import Markup

    from organizer.forms import ConfirmForm
    from organizer.templating import badge, button_form, csrf_input, flashes, link_button, person

    hostile = '"><script>x</script>'
    macros = "{% set _icon = icon %}" + LIST_MACROS
    with app.test_request_context("/"):
        form = ConfirmForm()
        app.config["WTF_CSRF_ENABLED"] = False
        no_csrf = ConfirmForm()
        app.config["WTF_CSRF_ENABLED"] = True
        calls = [
            ("button_form", button_form, ("/a?b=1&c=2", "Remove", form), {}),
            ("button_form", button_form, ("/x", Markup("<em>Go</em>"), no_csrf),
             {"css": "button button--danger", "confirm": hostile, "icon": "lock", "name": hostile}),
            ("button_form", button_form, ("/x", hostile, form), {"icon": None, "name": "", "confirm": ""}),
            ("badge", badge, (hostile,), {}),
            ("badge", badge, ("locked", "private"), {"icon_name": "lock", "title": hostile}),
            ("badge", badge, (3,), {"tone": None, "title": None}),
            ("link_button", link_button, ("/a?b=1&c=2", hostile), {}),
            ("link_button", link_button, ("/a", "PDF"), {"css": "button button--small", "icon": "download"}),
            ("person", person, (hostile,), {}),
            ("person", person, ("Ann Lee", "lg"), {}),
            ("csrf_input", csrf_input, (form,), {}),
            ("csrf_input", csrf_input, (no_csrf,), {}),
        ]
        for name, function, args, kwargs in calls:
            expected = _between(render_template_string(macros + "[[{{ " + name + "(*args, **kwargs) }}]]", args=args,
                                                       kwargs=kwargs))
            assert str(function(*args, **kwargs)) == expected, (name, args, kwargs)
            assert "<script>" not in str(function(*args, **kwargs))
    for messages in ([], [("success", "Saved."), ("error", hostile)]):
        with app.test_request_context("/"):
            for category, message in messages:
                flash(message, category)
            expected = _between(render_template_string(macros + "[[{{ flashes() }}]]"))
        with app.test_request_context("/"):
            for category, message in messages:
                flash(message, category)
            assert str(flashes()) == expected


def _card(**changes):
    from types import SimpleNamespace

    from organizer.templating import table_card

    values = {"table": SimpleNamespace(id=7, round=1, number=3, locked=False, score=2.5),
              "people": [SimpleNamespace(name="Ann Lee"), SimpleNamespace(name="Bob Stone")],
              "reasons": [{"text": "Bob can help Ann", "helper": 2, "helped": 1, "need_id": 9}],
              "hl": 4, "slug": "job-club", "event_id": 5, "run_id": 6, "correct_url": "/groups/job-club/help/corrections"}
    values.update(changes)
    return str(table_card(**values))


def test_a_table_card_follows_its_table_people_and_reasons(app, csrf_on):
    from types import SimpleNamespace

    from flask_wtf.csrf import generate_csrf

    with app.test_request_context("/"):
        token = generate_csrf()
        card = _card()
        assert card == _card() and card.count(f'value="{token}"') == 2  # the "Wrong" form and the lock form
        assert "<csrf-token/>" not in card and "Table 3: Ann Lee &amp; Bob Stone" in card and "help score 2.50" in card
        locked = _card(table=SimpleNamespace(id=7, round=1, number=3, locked=True, score=2.5))
        assert "table-card--locked" in locked and "/tables/7/unlock" in locked and "/tables/7/lock" not in locked
        trio = _card(people=[SimpleNamespace(name=n) for n in ("Ann Lee", "Bob Stone", "Cy Young")])
        assert "trio</span>" in trio and 'aria-label="Lock this trio: Ann Lee &amp; Bob Stone &amp; Cy Young"' in trio
        hidden = _card(reasons=[{"text": "A guess", "helper": 2, "helped": 1, "shown": False}])
        assert ">possible</span>" in hidden and 'name="need"' not in hidden and "Bob can help Ann" not in hidden
        assert "No match between their needs and offers" in _card(reasons=[])
        hostile = _card(people=[SimpleNamespace(name="<csrf-token/>"), SimpleNamespace(name='"><b>x</b>')])
        assert "&lt;csrf-token/&gt;" in hostile and "<b>" not in hostile and hostile.count(token) == 2
    with app.test_request_context("/"):
        from flask import g

        g.pop("csrf_token", None)  # another browser's session (the test's app context keeps g)
        other_token = generate_csrf()
        assert other_token != token and _card().count(f'value="{other_token}"') == 2 and token not in _card()


def test_a_table_card_without_csrf_protection_has_no_token_field(app):
    with app.test_request_context("/"):
        card = _card()
        assert 'name="csrf_token"' not in card and "<csrf-token/>" not in card and "/tables/7/lock" in card


def test_the_review_forms_post_with_the_token_of_the_organizers_session(client, app, csrf_on):
    import re

    from organizer.extensions import db
    from organizer.pairing import queries
    from tests.conftest import csrf_token_from
    from tests.event_factories import make_event, make_pairing_run
    from tests.factories import DEFAULT_PASSWORD, make_group, make_member, make_need, make_user

    group = make_group(organizer=make_user(email="olga@example.org"), name="Job Club")
    ann, bob = make_member(group, name="Ann Lee"), make_member(group, name="Bob Stone")
    need = make_need(group, ann, title="A publisher")
    event = make_event(group)
    run = make_pairing_run(event, 1, [[ann, bob]])
    run.tables[0].reasons = [{"text": "Bob can help Ann with publishing", "helper": bob.id, "helped": ann.id,
                              "need_id": need.id}]
    db.session.commit()
    table_id = run.tables[0].id
    login = client.get("/auth/login").get_data(as_text=True)
    client.post("/auth/login", data={"email": "olga@example.org", "password": DEFAULT_PASSWORD,
                                     "csrf_token": csrf_token_from(login)})
    base = f"/groups/{group.slug}/events/{event.id}/pairing/"
    page = client.get(base).get_data(as_text=True)
    token = csrf_token_from(page)  # the layout's log-out form
    card = page.split('id="table-1-1"', 1)[1].split("\n            </li>", 1)[0]
    assert re.findall(r'name="csrf_token" type="hidden" value="([^"]+)"', card) == [token, token]
    assert "Bob can help Ann with publishing" in card
    assert client.post(f"{base}{run.id}/tables/{table_id}/lock").status_code == 400
    assert client.post(f"{base}{run.id}/tables/{table_id}/lock", data={"csrf_token": token}).status_code in (302, 303)
    assert queries.runs_of(event)[0].version == 2


def _header(html: str) -> str:
    return html.split('<header class="site-header">', 1)[1].split("</header>", 1)[0]


def test_the_header_shows_each_visitor_their_group_pages_and_log_out_form(client, auth, app):
    from tests.factories import make_group, make_member, make_user

    olga = make_user(email="olga@example.org")
    first = make_group(organizer=olga, name="Job <Club>")
    second = make_group(organizer=olga, name="Book Club")
    make_member(first, email="ann@example.org")
    anonymous = _header(client.get("/auth/login").get_data(as_text=True))
    assert "Log in" in anonymous and "Sign up" in anonymous and "Log out" not in anonymous
    assert 'name="csrf_token"' not in anonymous
    for email, groups_label in (("olga@example.org", "Switch group"), ("ann@example.org", "Groups")):
        auth.login(email)
        page = client.get(f"/groups/{first.slug}/members/me").get_data(as_text=True)
        header = _header(page)
        assert '<span class="nav__label">Job &lt;Club&gt;</span>' in header and "Book Club" not in header
        assert f'<span class="nav__label">{groups_label}</span>' in header and "Log in" not in header
        assert header.count('aria-current="page"') == 1  # "Me"
        assert _header(client.get(f"/groups/{first.slug}/").get_data(as_text=True)).count('aria-current="page"') == 0
        auth.logout()
    auth.login("olga@example.org")
    client.get(f"/groups/{second.slug}/")
    assert '<span class="nav__label">Book Club</span>' in _header(client.get("/groups/").get_data(as_text=True))


def test_the_headers_log_out_form_posts_the_sessions_token(client, app, csrf_on):
    import re

    from tests.conftest import csrf_token_from
    from tests.factories import DEFAULT_PASSWORD, make_group, make_user

    group = make_group(organizer=make_user(email="olga@example.org"), name="Job Club")
    login = client.get("/auth/login").get_data(as_text=True)
    client.post("/auth/login", data={"email": "olga@example.org", "password": DEFAULT_PASSWORD,
                                     "csrf_token": csrf_token_from(login)})
    page = client.get(f"/groups/{group.slug}/").get_data(as_text=True)
    tokens = re.findall(r'name="csrf_token" type="hidden" value="([^"]+)"', _header(page))
    assert len(tokens) == 1 and "<csrf-token/>" not in page
    assert client.post("/auth/logout").status_code == 400  # no token: refused, still signed in
    assert client.get(f"/groups/{group.slug}/").status_code == 200
    assert client.post("/auth/logout", data={"csrf_token": tokens[0]}).status_code == 302
    assert client.get(f"/groups/{group.slug}/").status_code == 302  # to the log-in page


def _log_in_with_csrf(client, email: str) -> None:
    from tests.conftest import csrf_token_from
    from tests.factories import DEFAULT_PASSWORD

    login = client.get("/auth/login").get_data(as_text=True)
    response = client.post("/auth/login", data={"email": email, "password": DEFAULT_PASSWORD,
                                                "csrf_token": csrf_token_from(login)})
    assert response.status_code == 302


def test_a_session_signs_its_csrf_token_once_and_each_form_of_its_pages_posts_it(app, csrf_on):
    # the signed token is remembered per session (forms.csrf_token): the pages of one session
    # carry one token, in every form of a page, and it is accepted; another browser gets its own
    import re

    from tests.factories import make_group, make_user

    group = make_group(organizer=make_user(email="olga@example.org"), name="Job Club")
    make_user(email="ann@example.org")
    first, second = app.test_client(), app.test_client()
    _log_in_with_csrf(first, "olga@example.org")
    _log_in_with_csrf(second, "olga@example.org")
    tokens = {}
    for name, client in (("first", first), ("second", second)):
        pages = [client.get(f"/groups/{group.slug}/{page}").get_data(as_text=True)
                 for page in ("", "settings", "roles", "")]
        found = {token for page in pages for token in re.findall(r'name="csrf_token" type="hidden" value="([^"]+)"', page)}
        assert len(found) == 1, found  # the header's log-out form and the settings' and roles' forms
        tokens[name] = found.pop()
    assert tokens["first"] != tokens["second"]
    assert first.post(f"/groups/{group.slug}/invite/rotate").status_code == 400  # no token
    assert first.post(f"/groups/{group.slug}/invite/rotate", data={"csrf_token": tokens["second"]}).status_code == 400
    assert first.post(f"/groups/{group.slug}/invite/rotate", data={"csrf_token": tokens["first"]}).status_code == 302


def test_a_csrf_token_with_an_age_limit_is_signed_on_each_request(app, csrf_on):
    # with an age limit a remembered token would grow old: each request signs its own
    from flask import g, session
    from flask_wtf.csrf import validate_csrf

    from organizer.forms import csrf_token

    raw = "raw-token-of-one-session"
    tokens = []
    for limit in (3600, None, None):  # an age limit, then none (config.py's)
        app.config["WTF_CSRF_TIME_LIMIT"] = limit
        with app.test_request_context("/"):
            g.pop("csrf_token", None)  # a new request (the test's app context keeps g)
            session["csrf_token"] = raw
            tokens.append(csrf_token())
            assert (raw in app.extensions.get("signed_csrf_tokens", {})) is (limit is None)
            validate_csrf(tokens[-1])
    assert tokens[1] == tokens[2]  # remembered, not signed again (a second later it would differ)


def test_the_forms_a_view_builds_write_the_sessions_remembered_token(app, csrf_on):
    # a FlaskForm built in the view (the group's settings) signs nothing: before the request its
    # CSRF field finds the session's remembered token where Flask-WTF keeps the request's
    import re

    from tests.factories import make_group, make_user

    group = make_group(organizer=make_user(email="olga@example.org"), name="Job Club")
    client = app.test_client()
    _log_in_with_csrf(client, "olga@example.org")
    for _ in range(2):  # the first page after the log-in starts the session's raw token; the next remembers it
        client.get(f"/groups/{group.slug}/")
    with client.session_transaction() as browser:
        raw = browser["csrf_token"]
    remembered = app.extensions["signed_csrf_tokens"]
    signed = remembered[raw]
    remembered[raw] = "the-remembered-token"  # a stand-in: shows which token the forms write
    try:
        page = client.get(f"/groups/{group.slug}/settings").get_data(as_text=True)
    finally:
        remembered[raw] = signed
    assert 'name="name"' in page  # the settings form is on the page
    assert set(re.findall(r'name="csrf_token" type="hidden" value="([^"]+)"', page)) == {"the-remembered-token"}
    assert client.post(f"/groups/{group.slug}/invite/rotate", data={"csrf_token": signed}).status_code == 302
