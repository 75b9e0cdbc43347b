"""The security baseline: CSRF on every POST, headers on every response, group isolation."""

import re
from datetime import timedelta

import pytest

import organizer.home.views
from organizer.auth.service import issue_set_password_token
from organizer.extensions import db
from organizer.models import Role
from tests.conftest import csrf_token_from
from tests.event_factories import make_event
from tests.factories import make_group, make_member, make_user, membership_of


def url_for_rule(rule, values):
    """The rule's URL with the world's values; any other id is 1 (access is checked before it is read)."""
    url = rule.rule
    for name in rule.arguments:
        value = str(values.get(name, 1))
        url = url.replace(f"<{name}>", value).replace(f"<int:{name}>", value)
    assert "<" not in url, f"a converter the test does not know in {rule.rule}"
    return url


@pytest.fixture
def world(app):
    """An organizer's group B, and a member of another group A who must see nothing of B."""
    organizer = make_user(email="org-b@example.org")
    group_b = make_group(organizer=organizer, name="Group B")
    member_b = make_member(group_b, email="member-b@example.org")
    group_a = make_group(name="Group A")
    outsider = make_member(group_a, role=Role.ORGANIZER, email="org-a@example.org")
    token = issue_set_password_token(member_b, organizer, timedelta(hours=1))
    db.session.commit()
    event = make_event(group_b)
    return {
        "group": group_b,
        "organizer": organizer,
        "member": member_b,
        "outsider": outsider,
        "values": {"slug": group_b.slug, "user_id": member_b.id, "code": group_b.invite_code, "token": token,
                   "event_id": event.id,
                   "filename": "css/site.css"},
    }


# Routes whose POST carries no CSRF token by design, each with its reason:
# - messages.unsubscribe: RFC 8058 one-click unsubscribe, posted by the mail program with no
#   page; the signed link is the credential, and it can only turn that one kind of mail off.
CSRF_EXEMPT = {"messages.unsubscribe"}


def test_a_csrf_exempt_route_needs_its_signed_link(app, client, csrf_on):
    assert client.post("/m/unsubscribe/forged.link.value").status_code == 404


def post_rules(app):
    return [r for r in app.url_map.iter_rules() if "POST" in r.methods]


def test_every_post_without_a_csrf_token_is_refused(app, client, auth, world, csrf_on):
    app.config["WTF_CSRF_ENABLED"] = False
    auth.login("org-b@example.org")
    app.config["WTF_CSRF_ENABLED"] = True
    rules = post_rules(app)
    assert len(rules) >= 12
    for rule in rules:
        if rule.endpoint in CSRF_EXEMPT:
            continue
        response = client.post(url_for_rule(rule, world["values"]), data={"role": "organizer", "code": "x"})
        assert response.status_code == 400, rule.rule
        assert b"security token" in response.data
    assert membership_of(world["member"], world["group"]).role == Role.MEMBER


def test_a_post_with_the_pages_csrf_token_is_accepted(app, client, csrf_on):
    page = client.get("/auth/signup").get_data(as_text=True)
    response = client.post(
        "/auth/signup",
        data={"csrf_token": csrf_token_from(page), "name": "Ann", "email": "ann@example.org",
              "password": "long enough password", "confirm": "long enough password"},
    )
    assert response.status_code == 302


def group_rules(app):
    return [r for r in app.url_map.iter_rules() if "slug" in r.arguments]


def test_a_member_of_group_a_gets_403_or_404_on_every_page_of_group_b(app, client, auth, world):
    auth.login("org-a@example.org")
    rules = group_rules(app)
    assert len(rules) >= 8
    for rule in rules:
        url = url_for_rule(rule, world["values"])
        for method in sorted(rule.methods & {"GET", "POST"}):
            response = client.open(url, method=method, data={"role": "organizer", "name": "Hacked", "time_zone": "UTC", "repeat_cooldown_weeks": "1"})
            assert response.status_code in (403, 404), f"{method} {url}: {response.status_code}"
            assert b"Group B" not in response.data
    db.session.refresh(world["group"])
    assert world["group"].name == "Group B"
    assert membership_of(world["outsider"], world["group"]) is None


def test_every_group_route_checks_membership_on_the_server(app):
    for rule in group_rules(app):
        view = app.view_functions[rule.endpoint]
        assert hasattr(view, "group_access_role"), f"{rule.endpoint} is not wrapped in group_access"


def test_a_member_gets_403_on_every_organizer_page(app, client, auth, world):
    auth.login("member-b@example.org")
    organizer_only = [r for r in group_rules(app)
                      if app.view_functions[r.endpoint].group_access_role == Role.ORGANIZER]
    assert len(organizer_only) >= 6
    for rule in organizer_only:
        url = url_for_rule(rule, world["values"])
        for method in sorted(rule.methods & {"GET", "POST"}):
            assert client.open(url, method=method).status_code == 403, f"{method} {url}"


EXPECTED_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def assert_security_headers(response):
    for name, value in EXPECTED_HEADERS.items():
        assert response.headers.get(name) == value, name
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert re.search(r"script-src 'self'(;|$)", csp), "no inline script allowed"
    assert "unsafe-inline" not in csp


def test_security_headers_on_every_kind_of_response(app, client, monkeypatch):
    make_user(email="u@example.org")
    assert_security_headers(client.get("/"))
    with client.get("/static/css/site.css") as static:
        assert_security_headers(static)
    assert_security_headers(client.get("/no/such/page"))
    assert_security_headers(client.post("/auth/login", data={"email": "u@example.org", "password": "correct horse battery"}))

    def broken(*args, **kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(organizer.home.views, "memberships_of", broken)
    response = client.get("/")
    assert response.status_code == 500
    assert b"Something went wrong" in response.data
    assert b"database on fire" not in response.data and b"Traceback" not in response.data
    assert_security_headers(response)


def test_404_page_uses_the_site_layout(client, app):
    response = client.get("/nowhere")
    assert response.status_code == 404
    assert b"Page not found" in response.data and b'<main id="content"' in response.data


def test_session_cookie_is_httponly_and_samesite_lax(client, auth, app):
    make_user(email="c@example.org")
    response = auth.login("c@example.org")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_pages_carry_no_inline_script_or_external_assets(client, auth, app):
    organizer = make_user(email="o@example.org")
    group = make_group(organizer=organizer)
    auth.login("o@example.org")
    for url in ("/", "/auth/signup", f"/groups/{group.slug}/settings", f"/groups/{group.slug}/roles", "/groups/"):
        html = client.get(url, follow_redirects=True).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), url
        assert not re.search(r"""(src|href)=["']https?://""", html), url
        assert " on" + "click=" not in html
