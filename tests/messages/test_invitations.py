"""Recovery by email and invitations by email: links that are credentials go to the
address itself, work once, expire, and the pages say the same whoever asks."""

import re
from datetime import timedelta

from sqlalchemy import select

from organizer.extensions import db
from organizer.messages import delivery, kinds
from organizer.models import EmailInvitation, GroupInvitation, Membership, Message, utcnow
from tests.conftest import without_csrf_tokens
from tests.factories import make_group, make_member, make_user
from tests.mail_server import body
from tests.messages.test_service import smtp  # noqa: F401 (the fixture)

OWNER = "owner@example.org"


def reset_link(text: str) -> str:
    return re.search(r"http://localhost(/auth/set-password/\S+)", text).group(1)


def test_a_reset_link_goes_to_the_address_works_once_and_ends_other_sessions(app, client, smtp):  # noqa: F811
    make_user(name="Owner", email=OWNER)
    for email in (OWNER, "nobody@example.org"):
        assert client.post("/auth/forgot-password", data={"email": email}).status_code == 200
    delivery.deliver_due()
    assert [rcpts for _, rcpts, _ in smtp.received] == [[OWNER]]
    parsed = smtp.received[0][2]
    assert parsed["List-Unsubscribe"] is None  # a security message: cannot be turned off
    path = reset_link(body(parsed, "plain"))
    assert client.get(path).status_code == 200
    new = {"password": "a brand new password", "confirm": "a brand new password"}
    assert client.post(path, data=new).status_code == 302
    client.post("/auth/logout")
    assert client.get(path).status_code == 404          # one use
    assert client.post("/auth/login", data={"email": OWNER, "password": "a brand new password"}).status_code == 302


def test_a_reset_link_expires(app, client):
    make_user(email=OWNER)
    client.post("/auth/forgot-password", data={"email": OWNER})
    (message,) = db.session.scalars(select(Message))
    path = reset_link(message.body_text)
    from organizer.models import SetPasswordToken
    token = db.session.scalars(select(SetPasswordToken)).one()
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.get(path).status_code == 404


def test_resets_per_account_are_limited_and_the_page_still_says_the_same(app, client):
    make_user(email=OWNER)
    pages = {client.post("/auth/forgot-password", data={"email": OWNER}).get_data(as_text=True)
             for _ in range(app.config["PASSWORD_RESETS_PER_HOUR"] + 2)}
    assert len({without_csrf_tokens(p) for p in pages}) == 1
    sent = db.session.scalars(select(Message).where(Message.kind == kinds.ACCOUNT_RECOVERY)).all()
    assert len(sent) == app.config["PASSWORD_RESETS_PER_HOUR"]


def test_organizers_invite_by_email_and_the_page_never_says_who_has_an_account(app, client, auth):
    organizer = make_user(name="Olga", email="olga@example.org")
    group = make_group(organizer=organizer, name="Lunch Club")
    make_user(name="Existing", email="existing@example.org")
    make_user(name="Existing 2", email="existing2@example.org")
    member = make_member(group, email="member@example.org")
    auth.login(organizer.email)
    answer = client.post(f"/groups/{group.slug}/invitations", follow_redirects=True,
                         data={"emails": "new@example.org, existing@example.org\nmember@example.org not-an-email"})
    page = answer.get_data(as_text=True)
    assert "Invitation sent to 3 addresses" in page and "not-an-email" in page
    one = client.post(f"/groups/{group.slug}/invitations", data={"emails": "existing2@example.org"},
                      follow_redirects=True).get_data(as_text=True)
    other = client.post(f"/groups/{group.slug}/invitations", data={"emails": "new2@example.org"},
                        follow_redirects=True).get_data(as_text=True)
    assert "Invitation sent to 1 address." in one and without_csrf_tokens(one) == without_csrf_tokens(other)
    to = {m.to_email: m for m in db.session.scalars(select(Message))}
    assert set(to) == {"new@example.org", "existing@example.org", "new2@example.org", "existing2@example.org"}
    assert "/m/join/" in to["new@example.org"].body_text
    assert db.session.scalar(select(GroupInvitation.via)) == "email"
    assert member.email not in to


def test_the_join_link_signs_up_and_joins_with_one_click_once(app, client, auth):
    organizer = make_user(name="Olga", email="olga@example.org")
    group = make_group(organizer=organizer, name="Lunch Club")
    auth.login(organizer.email)
    client.post(f"/groups/{group.slug}/invitations", data={"emails": "new@example.org"})
    auth.logout()
    message = db.session.scalars(select(Message)).one()
    path = re.search(r"http://localhost(/m/join/\S+)", message.body_text).group(1)
    page = client.get(path).get_data(as_text=True)
    assert "Sign up and join" in page
    assert db.session.scalar(select(EmailInvitation.accepted_at)) is None   # opening it changes nothing
    client.post("/auth/signup", data={"name": "Newbie", "email": "new@example.org",
                                      "password": "a long enough password", "confirm": "a long enough password"})
    joined = client.post(path)
    assert joined.status_code == 302 and f"/groups/{group.slug}" in joined.headers["Location"]
    user_ids = db.session.scalars(select(Membership.user_id).where(Membership.group_id == group.id)).all()
    assert len(user_ids) == 2
    assert client.get(path).status_code == 404   # used
