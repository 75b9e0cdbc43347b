"""Issue 9, the takeover chain: a stranger who knows someone's email must not get their account.

The attack, step by step: sign up, create a group and an event, (1) add a walk-in with the
victim's email, or (2) import a CSV naming it, then (3) issue a set-password link for the
"member" and set a password. Each step is checked to fail; (4) nothing of the victim's
profile changes; (5) the owner is asked instead, and only they can answer; (6) the pages
say the same thing whether or not an email has an account.
"""

import io
import re

import pytest
from sqlalchemy import func, select

from organizer.extensions import db
from organizer.models import GroupInvitation, Membership, Message, SetPasswordToken, User, utcnow
from organizer.pairing import publishing, runs
from tests.conftest import csrf_token_from
from tests.event_factories import make_event, make_rsvp
from tests.factories import DEFAULT_PASSWORD, make_group, make_member, make_user, membership_of

VICTIM_EMAIL = "victim@example.org"
PROFILE = dict(name="Vera Victim", headline="CFO", industry="Finance", city="Toronto")


@pytest.fixture
def victim(app):
    """Someone with an account, a password and a group of their own."""
    user = make_user(name=PROFILE["name"], email=VICTIM_EMAIL)
    user.headline, user.industry, user.city = PROFILE["headline"], PROFILE["industry"], PROFILE["city"]
    make_group(organizer=user, name="Victim's own club")
    db.session.commit()
    return user


@pytest.fixture
def stranger(app, client):
    """A stranger who signed up and runs a group with an open event (steps 1-2 of the attack)."""
    organizer = make_user(name="Mallory", email="mallory@example.org")
    group = make_group(organizer=organizer, name="Mallory's club")
    event = make_event(group, title="Bait lunch")
    client.post("/auth/login", data={"email": "mallory@example.org", "password": DEFAULT_PASSWORD})
    return group, event


def profile_of(user: User) -> dict:
    db.session.refresh(user)
    return dict(name=user.name, headline=user.headline, industry=user.industry, city=user.city)


def walk_in(client, group, event, name, email):
    return client.post(f"/groups/{group.slug}/events/{event.id}/walk-ins/new",
                       data={"name": name, "email": email}, follow_redirects=True)


def flashes(page) -> list[str]:
    return re.findall(r'class="flash[^"]*"[^>]*>(.*?)</', page.get_data(as_text=True), re.S)


def pending_invitations(user: User) -> list[GroupInvitation]:
    return list(db.session.scalars(select(GroupInvitation).where(
        GroupInvitation.user_id == user.id, GroupInvitation.state == "pending")))


# --- step 1: a walk-in with the victim's email ------------------------------------------------

def test_a_walk_in_with_the_victims_email_neither_joins_nor_changes_their_account(client, victim, stranger):
    group, event = stranger
    page = walk_in(client, group, event, "HACKED-BY-MALLORY", VICTIM_EMAIL)
    assert page.status_code == 200
    assert membership_of(victim, group) is None
    assert profile_of(victim) == PROFILE
    assert [i.group_id for i in pending_invitations(victim)] == [group.id]
    # Seated at this lunch by the typed name only: a stand-in, not the victim's account.
    assert db.session.scalar(select(func.count()).select_from(SetPasswordToken)) == 0
    db.session.refresh(event)
    assert [(r.user.name, r.user.is_lunch_guest, r.user_id != victim.id) for r in event.rsvps] == [
        ("HACKED-BY-MALLORY", True, True)]


def test_the_walk_in_message_is_the_same_whether_or_not_the_email_has_an_account(client, victim, stranger):
    group, event = stranger
    known = flashes(walk_in(client, group, event, "Pat Doe", VICTIM_EMAIL))
    unknown = flashes(walk_in(client, group, event, "Pat Doe", "nobody-yet@example.org"))
    assert known and known == unknown


def test_the_stand_in_is_seated_by_the_pairing_without_the_victims_account(client, victim, stranger):
    group, event = stranger
    walk_in(client, group, event, "Door Guest", VICTIM_EMAIL)
    other = make_member(group, name="Regular Member")
    make_rsvp(event, other, checked_in=True)
    run = runs.claim_run(event, None, utcnow(), 10.0)
    db.session.commit()  # the claim, as the boundary commits it
    run = runs.execute_run(run.id, 10.0)
    seats = [s for t in run.tables for s in t.seats]
    assert sorted(s.user.name for s in seats) == ["Door Guest", "Regular Member"]
    assert victim.id not in {s.user_id for s in seats}


def test_a_stand_in_can_never_log_in_nor_be_given_a_password(client, victim, stranger):
    group, event = stranger
    walk_in(client, group, event, "Door Guest", VICTIM_EMAIL)
    guest = db.session.scalar(select(User).where(User.lunch_guest_event_id == event.id))
    assert guest.password_hash is None and guest.email.endswith(".invalid")
    assert membership_of(guest, group) is None
    response = client.post(f"/groups/{group.slug}/roles/{guest.id}/set-password-link")
    assert response.status_code == 404  # not a member: nothing to issue
    assert db.session.scalar(select(func.count()).select_from(SetPasswordToken)) == 0


# --- step 2: an import naming the victim's email ------------------------------------------------

def csv_naming(email: str) -> bytes:
    return (f"name,email,headline,industry,city,needs\r\n"
            f"HACKED-BY-MALLORY,{email},Pwned,Crime,Nowhere,Give me your money\r\n").encode()


def import_preview(client, group, data: bytes):
    return client.post(f"/groups/{group.slug}/members/import",
                       data={"file": (io.BytesIO(data), "members.csv")}, content_type="multipart/form-data")


def test_an_import_naming_the_victim_invites_them_and_writes_nothing_of_theirs(client, victim, stranger):
    group, _ = stranger
    preview = import_preview(client, group, csv_naming(VICTIM_EMAIL))
    content = re.search(r'name="content" type="hidden" value="([^"]+)"', preview.get_data(as_text=True)).group(1)
    done = client.post(f"/groups/{group.slug}/members/import/confirm", data={"content": content})
    assert done.status_code == 200
    assert "exists: invited, profile left as the owner wrote it" in done.get_data(as_text=True)
    assert "/auth/set-password/" not in done.get_data(as_text=True)
    assert profile_of(victim) == PROFILE
    assert membership_of(victim, group) is None
    assert [i.group_id for i in pending_invitations(victim)] == [group.id]
    victim_groups = db.session.scalars(select(Membership).where(Membership.user_id == victim.id)).all()
    assert len(victim_groups) == 1  # their own club, untouched


def test_an_import_never_rewrites_a_members_profile_in_any_group(runner, victim):
    # The issue's report: an organizer of group B renamed a member of group A.
    group_b = make_group(name="Group B")
    make_member(group_b, email="bob@example.org")
    membership = db.session.scalar(select(Membership).where(Membership.user_id == victim.id))
    db.session.add(Membership(user_id=victim.id, group_id=group_b.id))  # victim is in B too
    db.session.commit()
    result = runner.invoke(args=["import-members", group_b.slug, "-"], input=csv_naming(VICTIM_EMAIL))
    assert result.exit_code == 0, result.output
    assert profile_of(victim) == PROFILE
    assert membership is not None


def test_the_import_preview_is_the_same_whether_or_not_the_email_has_an_account(client, victim, stranger):
    group, _ = stranger
    known = import_preview(client, group, csv_naming(VICTIM_EMAIL)).get_data(as_text=True)
    unknown = import_preview(client, group, csv_naming("nobody-yet@example.org")).get_data(as_text=True)

    def visible(page: str) -> str:
        page = re.sub(r'name="(content|csrf_token)" type="hidden" value="[^"]+"', "", page)
        return page.replace(VICTIM_EMAIL, "EMAIL").replace("nobody-yet@example.org", "EMAIL")

    assert visible(known) == visible(unknown)


# --- step 3: a set-password link for the victim ------------------------------------------------

def test_no_set_password_link_for_an_account_the_group_did_not_create(client, victim, stranger):
    group, _ = stranger
    db.session.add(Membership(user_id=victim.id, group_id=group.id))  # even once they joined
    db.session.commit()
    response = client.post(f"/groups/{group.slug}/roles/{victim.id}/set-password-link", follow_redirects=True)
    assert "only its owner can change it" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(SetPasswordToken)) == 0
    roles = client.get(f"/groups/{group.slug}/roles").get_data(as_text=True)
    assert f"/roles/{victim.id}/set-password-link" not in roles


def test_no_set_password_link_once_the_owner_has_set_a_password(app, client, stranger, runner):
    group, _ = stranger
    runner.invoke(args=["import-members", group.slug, "-"], input=csv_naming("newbie@example.org"))
    newbie = db.session.scalar(select(User).where(User.email == "newbie@example.org"))
    assert newbie.created_by_group_id == group.id
    first = client.post(f"/groups/{group.slug}/roles/{newbie.id}/set-password-link", follow_redirects=True)
    assert "on its way to" in first.get_data(as_text=True)  # allowed while the group looks after the account
    assert "/auth/set-password/" not in first.get_data(as_text=True)  # emailed to the owner, never shown
    newest = db.session.scalars(select(Message).where(Message.kind == "welcome", Message.user_id == newbie.id)
                                .order_by(Message.id.desc())).first()
    link = re.search(r"http://localhost(/auth/set-password/\S+)", newest.body_text).group(1)
    owner = app.test_client()
    owner.post(link, data={"password": "the owner's own secret", "confirm": "the owner's own secret"})
    again = client.post(f"/groups/{group.slug}/roles/{newbie.id}/set-password-link", follow_redirects=True)
    assert "only its owner can change it" in again.get_data(as_text=True)
    db.session.refresh(newbie)
    assert db.session.scalar(select(func.count()).select_from(SetPasswordToken)
                             .where(SetPasswordToken.used_at.is_(None))) == 0


def test_a_group_cannot_issue_links_for_an_account_another_group_created(client, stranger, runner):
    group, _ = stranger
    other = make_group(name="Other club")
    runner.invoke(args=["import-members", other.slug, "-"], input=csv_naming("theirs@example.org"))
    theirs = db.session.scalar(select(User).where(User.email == "theirs@example.org"))
    db.session.add(Membership(user_id=theirs.id, group_id=group.id))
    db.session.commit()
    client.post(f"/groups/{group.slug}/roles/{theirs.id}/set-password-link")
    assert db.session.scalar(select(func.count()).select_from(SetPasswordToken)
                             .where(SetPasswordToken.used_at.is_(None))) == 1  # only the import's own


# --- the owner decides: invitations --------------------------------------------------------------

def test_the_invitee_sees_the_invitation_on_their_next_visit_and_joins_only_by_accepting(app, victim, stranger):
    group, event = stranger
    mallory = app.test_client()
    mallory.post("/auth/login", data={"email": "mallory@example.org", "password": DEFAULT_PASSWORD})
    walk_in(mallory, group, event, "Vera", VICTIM_EMAIL)
    invitation = pending_invitations(victim)[0]

    owner = app.test_client()
    owner.post("/auth/login", data={"email": VICTIM_EMAIL, "password": DEFAULT_PASSWORD})
    home = owner.get("/", follow_redirects=True).get_data(as_text=True)
    assert "Invitations" in home and "Mallory&#39;s club" in home
    assert membership_of(victim, group) is None

    # Nobody else can answer it: not the organizer who sent it, not another user.
    assert mallory.post(f"/groups/invitations/{invitation.id}/accept").status_code == 404
    assert membership_of(victim, group) is None

    assert owner.post(f"/groups/invitations/{invitation.id}/accept").status_code == 302
    assert membership_of(victim, group) is not None
    assert profile_of(victim) == PROFILE
    assert owner.post(f"/groups/invitations/{invitation.id}/decline").status_code == 404  # answered


def test_declining_leaves_the_account_out_of_the_group(app, victim, stranger):
    group, event = stranger
    mallory = app.test_client()
    mallory.post("/auth/login", data={"email": "mallory@example.org", "password": DEFAULT_PASSWORD})
    walk_in(mallory, group, event, "Vera", VICTIM_EMAIL)
    invitation = pending_invitations(victim)[0]
    owner = app.test_client()
    owner.post("/auth/login", data={"email": VICTIM_EMAIL, "password": DEFAULT_PASSWORD})
    assert owner.post(f"/groups/invitations/{invitation.id}/decline").status_code == 302
    assert membership_of(victim, group) is None
    assert pending_invitations(victim) == []
    walk_in(mallory, group, event, "Vera again", VICTIM_EMAIL)  # no asking again and again
    assert pending_invitations(victim) == []


def test_answering_an_invitation_needs_the_csrf_token(app, victim, stranger, csrf_on):
    group, _ = stranger
    from organizer.groups.memberships import invite_to_group

    invitation = invite_to_group(group, victim, None, via="import")
    db.session.commit()
    owner = app.test_client()
    login_page = owner.get("/auth/login").get_data(as_text=True)
    owner.post("/auth/login", data={"email": VICTIM_EMAIL, "password": DEFAULT_PASSWORD,
                                    "csrf_token": csrf_token_from(login_page)})
    assert owner.post(f"/groups/invitations/{invitation.id}/accept").status_code == 400
    assert membership_of(victim, group) is None
    page = owner.get("/groups/").get_data(as_text=True)
    assert owner.post(f"/groups/invitations/{invitation.id}/accept",
                      data={"csrf_token": csrf_token_from(page)}).status_code == 302
    assert membership_of(victim, group) is not None


def test_the_full_chain_no_longer_gives_the_stranger_the_account(app, client, victim, stranger):
    """Walk-in, then a set-password link, then setting a password: each step leaves the victim alone."""
    group, event = stranger
    walk_in(client, group, event, "Vera", VICTIM_EMAIL)
    client.post(f"/groups/{group.slug}/roles/{victim.id}/set-password-link")
    assert db.session.scalar(select(func.count()).select_from(SetPasswordToken)) == 0
    owner = app.test_client()
    response = owner.post("/auth/login", data={"email": VICTIM_EMAIL, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302  # the owner's password still works, their session too


def test_the_stand_ins_partner_sees_the_typed_name_and_no_address_is_exported(app, client, victim, stranger):
    group, event = stranger
    walk_in(client, group, event, "Door Guest", VICTIM_EMAIL)
    partner = make_member(group, name="Regular Member", email="regular@example.org")
    make_rsvp(event, partner, checked_in=True)
    claimed = runs.claim_run(event, None, utcnow(), 10.0)
    db.session.commit()  # the claim, as the boundary commits it
    run = runs.execute_run(claimed.id, 10.0)
    publishing.publish(run, utcnow())
    base = f"/groups/{group.slug}/events/{event.id}"
    pairs_csv = client.get(f"{base}/pairing/pairs.csv").get_data(as_text=True)
    attendees_csv = client.get(f"{base}/attendees.csv").get_data(as_text=True)
    for text in (pairs_csv, attendees_csv):
        assert "Door Guest" in text
        assert "lunch-guest.invalid" not in text and VICTIM_EMAIL not in text and "Vera" not in text
    member = app.test_client()
    member.post("/auth/login", data={"email": "regular@example.org", "password": DEFAULT_PASSWORD})
    page = member.get(f"{base}/pairing/mine").get_data(as_text=True)
    assert re.search(r"Table 1, with\s+Door Guest</h2>", page)
    assert "Vera" not in page and "CFO" not in page
