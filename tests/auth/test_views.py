from datetime import timedelta

import pytest
from sqlalchemy import select

from organizer.auth import service
from organizer.extensions import db
from organizer.models import User, UserSession, utcnow
from tests.factories import DEFAULT_PASSWORD, make_group, make_member, make_user


def signup(client, name="Alice Nguyen", email="alice@example.org", password="a long enough secret", confirm=None, next=None):
    data = {"name": name, "email": email, "password": password, "confirm": confirm or password}
    if next is not None:
        data["next"] = next
    return client.post("/auth/signup", data=data)


def is_logged_in(client) -> bool:
    return client.get("/auth/password").status_code == 200


def test_signup_creates_account_with_argon2id_hash_and_logs_in(client, app):
    response = signup(client, email="Alice@Example.ORG")
    assert response.status_code == 302
    user = db.session.scalar(select(User))
    assert user.email == "alice@example.org"
    assert user.password_hash.startswith("$argon2id$")
    assert "a long enough secret" not in user.password_hash
    assert is_logged_in(client)


@pytest.mark.parametrize("length, accepted", [(11, False), (12, True), (128, True), (129, False)])
def test_signup_password_must_have_12_to_128_characters(client, app, length, accepted):
    response = signup(client, password="p" * length)
    assert (response.status_code == 302) is accepted
    if not accepted:
        assert b"Use 12 to 128 characters." in response.data
    assert (db.session.scalar(select(User)) is not None) is accepted


def test_signup_refuses_an_email_already_used_in_any_case(client, app):
    make_user(email="alice@example.org")
    response = signup(client, email="ALICE@example.org")
    assert response.status_code == 200
    assert b"already exists" in response.data


def test_signup_refuses_mismatched_confirmation(client, app):
    response = signup(client, password="a long enough secret", confirm="another long secret")
    assert b"The passwords differ." in response.data


def test_login_with_wrong_password_is_refused(client, auth, app):
    make_user(email="bob@example.org")
    response = auth.login("bob@example.org", "wrong password here", follow_redirects=True)
    assert b"do not match an account" in response.data
    assert not is_logged_in(client)


def test_login_is_case_insensitive_on_email(client, auth, app):
    make_user(email="bob@example.org")
    assert auth.login("BOB@example.org").status_code == 302
    assert is_logged_in(client)


def test_account_without_password_cannot_log_in(client, auth, app):
    make_user(email="imported@example.org", password=None)
    auth.login("imported@example.org", "anything at all, really")
    assert not is_logged_in(client)


@pytest.mark.parametrize(
    "next_url, expected",
    [
        ("/groups/", "/groups/"),
        ("https://evil.example/", "/"),
        ("//evil.example/path", "/"),
        ("/\\evil.example", "/"),
        ("http:/evil.example", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_login_next_parameter_never_leaves_the_site(client, app, next_url, expected):
    make_user(email="carol@example.org")
    response = client.post(
        "/auth/login",
        data={"email": "carol@example.org", "password": DEFAULT_PASSWORD, "next": next_url},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_cookie_copied_before_logout_is_refused_after_it(app, auth, client):
    make_user(email="dave@example.org")
    auth.login("dave@example.org")
    stolen = client.get_cookie("session").value
    assert is_logged_in(client)

    auth.logout()
    assert not is_logged_in(client)

    thief = app.test_client()
    thief.set_cookie("session", stolen)
    response = thief.get("/auth/password")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_change_password_ends_other_sessions_and_keeps_this_one(app, auth, client):
    user = make_user(email="erin@example.org")
    auth.login("erin@example.org")
    other_browser = app.test_client()
    other_browser.post("/auth/login", data={"email": "erin@example.org", "password": DEFAULT_PASSWORD})
    copied = client.get_cookie("session").value
    assert is_logged_in(other_browser)

    response = client.post(
        "/auth/password",
        data={"current_password": DEFAULT_PASSWORD, "password": "a brand new password", "confirm": "a brand new password"},
    )
    assert response.status_code == 302
    assert is_logged_in(client)
    assert not is_logged_in(other_browser)
    replay = app.test_client()
    replay.set_cookie("session", copied)
    assert not is_logged_in(replay)
    db.session.refresh(user)
    assert service.authenticate("erin@example.org", "a brand new password") is not None


def test_change_password_needs_the_current_one(client, auth, app):
    make_user(email="fay@example.org")
    auth.login("fay@example.org")
    response = client.post(
        "/auth/password",
        data={"current_password": "not my password!", "password": "a brand new password", "confirm": "a brand new password"},
    )
    assert b"The current password is not right." in response.data
    assert service.authenticate("fay@example.org", DEFAULT_PASSWORD) is not None


def test_login_attempts_are_rate_limited(client, app):
    make_user(email="gus@example.org")
    codes = [
        client.post("/auth/login", data={"email": "gus@example.org", "password": "wrong password number"}).status_code
        for _ in range(12)
    ]
    assert codes[:10] == [200] * 10
    assert codes[10:] == [429, 429]
    assert b"Too many attempts" in client.post("/auth/login", data={"email": "x@example.org", "password": "y" * 12}).data


def test_the_limiter_runs_on_writes_and_skips_reads(client, app):
    """Reads skip the limiter's request hooks (every limit is a decorated POST, which checks its
    own limits); writes still go through them: a limited POST answers with its headers, a GET of
    a page without limits is never looked at."""
    from flask import request

    from organizer.extensions import limiter

    seen: list[str] = []

    def spy() -> bool:  # Flask-Limiter asks its request filters whenever it looks at a request
        seen.append(f"{request.method} {request.path}")
        return False

    limiter.request_filter(spy)
    try:
        assert client.get("/").status_code == 200
        response = client.post("/auth/login", data={"email": "nobody@example.org", "password": "wrong password number"})
    finally:
        limiter._request_filters.remove(spy)  # the limiter outlives this test's app
    limit = app.config["LOGIN_RATE_LIMIT"].split()[0]
    assert response.status_code == 200 and response.headers["X-RateLimit-Limit"] == limit
    assert "GET /" not in seen and "POST /auth/login" in seen


def test_a_read_of_a_view_with_a_limit_still_goes_through_the_limiter(tmp_path):
    """A limit on a GET (none yet) keeps the limiter's hooks on that view: refused past the limit,
    with its headers."""
    from organizer import create_app
    from organizer.extensions import limiter

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/limited.sqlite3"})

    @limiter.limit("2 per minute")
    def limited_read():
        return "read"

    app.add_url_rule("/limited-read", "limited_read", limited_read)
    client = app.test_client()
    answers = [client.get("/limited-read") for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[0].headers["X-RateLimit-Limit"] == "2" and answers[1].headers["X-RateLimit-Remaining"] == "0"


def test_organizer_has_a_one_time_set_password_link_emailed_to_the_owner(app, auth, client):
    from organizer.models import Message

    organizer = make_user(email="org@example.org")
    group = make_group(organizer=organizer)
    member = make_member(group, email="forgot@example.org", password=None)
    member.created_by_group_id = group.id  # imported or a walk-in: the group created it
    auth.login("org@example.org")
    page = client.post(f"/groups/{group.slug}/roles/{member.id}/set-password-link", follow_redirects=True)
    assert page.status_code == 200
    assert "/auth/set-password/" not in page.get_data(as_text=True)  # never shown to the organizer
    (message,) = db.session.scalars(select(Message).where(Message.kind == "welcome"))
    assert message.to_email == "forgot@example.org"
    path = message.body_text.split("http://localhost", 1)[1].split()[0]
    assert path.startswith("/auth/set-password/")
    auth.logout()

    member_browser = app.test_client()
    assert member_browser.get(path).status_code == 200
    response = member_browser.post(path, data={"password": "my new password!", "confirm": "my new password!"})
    assert response.status_code == 302
    assert is_logged_in(member_browser)
    assert service.authenticate("forgot@example.org", "my new password!") is not None
    assert app.test_client().get(path).status_code == 404  # used once, gone


def test_expired_set_password_link_does_not_work(app, client):
    user = make_user()
    token = service.issue_set_password_token(user, None, timedelta(hours=1), now=utcnow() - timedelta(hours=2))
    db.session.commit()
    assert client.get(f"/auth/set-password/{token}").status_code == 404
    response = client.post(f"/auth/set-password/{token}", data={"password": "p" * 20, "confirm": "p" * 20})
    assert response.status_code == 404
    assert service.authenticate(user.email, "p" * 20) is None


def test_organizer_cannot_issue_link_for_someone_outside_the_group(app, auth, client):
    organizer = make_user(email="org@example.org")
    group = make_group(organizer=organizer)
    outsider = make_member(make_group())
    auth.login("org@example.org")
    assert client.post(f"/groups/{group.slug}/roles/{outsider.id}/set-password-link").status_code == 404


def test_member_cannot_issue_set_password_links(app, auth, client):
    group = make_group()
    make_member(group, email="m@example.org")
    other = make_member(group)
    auth.login("m@example.org")
    assert client.post(f"/groups/{group.slug}/roles/{other.id}/set-password-link").status_code == 403


def test_logout_removes_only_this_browsers_session(app, auth, client):
    user = make_user(email="hal@example.org")
    auth.login("hal@example.org")
    app.test_client().post("/auth/login", data={"email": "hal@example.org", "password": DEFAULT_PASSWORD})
    assert len(db.session.scalars(select(UserSession).where(UserSession.user_id == user.id)).all()) == 2
    auth.logout()
    db.session.expire_all()
    assert len(db.session.scalars(select(UserSession).where(UserSession.user_id == user.id)).all()) == 1


REDIS_LIMIT_SCRIPT = r"""
import os, sys, uuid
from organizer import create_app
from organizer.extensions import db
app = create_app({
    "SQLALCHEMY_DATABASE_URI": "sqlite://",
    "RATELIMIT_STORAGE_URI": sys.argv[1],
    "RATELIMIT_KEY_PREFIX": uuid.uuid4().hex,
    "WTF_CSRF_ENABLED": False,
})
with app.app_context():
    db.create_all()
codes = []
for _ in range(12):
    with app.app_context():
        codes.append(app.test_client().post("/auth/login", data={"email": "a@example.org", "password": "x" * 12}).status_code)
print(",".join(map(str, codes)))
"""


def test_login_rate_limit_works_with_redis_storage(tmp_path):
    import os
    import subprocess
    import sys

    from tests.conftest import redis_url_or_skip

    url = redis_url_or_skip(15)
    env = {**os.environ, "GIVEFIRST_INSTANCE_PATH": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", REDIS_LIMIT_SCRIPT, url], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    codes = done.stdout.strip().split(",")
    assert codes[:10] == ["200"] * 10 and codes[10:] == ["429", "429"]
