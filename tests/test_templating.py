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
