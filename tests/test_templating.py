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
