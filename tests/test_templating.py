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
