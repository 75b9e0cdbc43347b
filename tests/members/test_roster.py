"""CSV import and export of a group's members."""

import io
import re

import pytest
from sqlalchemy import func, select

from organizer.extensions import db
from organizer.models import Membership, Need, Offer, User
from tests.factories import make_group, make_member, make_need, make_offer, make_user, membership_of

GOOD = (
    "name,email,headline,industry,city,needs,offers\r\n"
    'Alice Nguyen,Alice@Example.org,"Author, former HR director",Human resources,Oakville,'
    '"Find a publisher for my book\nA good electrician in Oakville",Resume reviews\r\n'
    "Dave Okafor,dave@example.org,Editor,Publishing,Mississauga,Keynote speaking gigs;Healthcare intros,"
    "Introduction to my literary agent\r\n"
)


def snapshot(group):
    """Everything an import could change, as plain data."""
    members = db.session.scalars(select(Membership).where(Membership.group_id == group.id)).all()
    return sorted(
        (m.user.email, m.user.name, m.user.headline, m.user.industry, m.user.city, m.role,
         tuple(sorted(n.title for n in db.session.scalars(select(Need).where(Need.membership_id == m.id)))),
         tuple(sorted(o.title for o in db.session.scalars(select(Offer).where(Offer.membership_id == m.id)))))
        for m in members
    )


def run_import(runner, group, content: bytes | str, *extra):
    data = content.encode() if isinstance(content, str) else content
    return runner.invoke(args=["import-members", group.slug, "-", *extra], input=data)


@pytest.fixture
def group(app):
    return make_group(organizer=make_user(email="olga@example.org", name="Olga"), name="Job Club")


def welcome_links(to_email: str | None = None) -> list[str]:
    """The set-password links of the welcome emails queued (to one address, or to anyone)."""
    from organizer.models import Message

    query = select(Message).where(Message.kind == "welcome").order_by(Message.id)
    if to_email is not None:
        query = query.where(Message.to_email == to_email)
    return [re.search(r"http://localhost(/auth/set-password/\S+)", m.body_text).group(1)
            for m in db.session.scalars(query)]


def test_a_good_file_creates_members_with_needs_offers_and_emails_their_set_password_links(runner, group, client):
    result = run_import(runner, group, GOOD)
    assert result.exit_code == 0, result.output
    alice = db.session.scalar(select(User).where(User.email == "alice@example.org"))
    assert alice.password_hash is None and alice.headline == "Author, former HR director"
    needs = db.session.scalars(select(Need).where(Need.membership_id == membership_of(alice, group).id)).all()
    assert sorted(n.title for n in needs) == ["A good electrician in Oakville", "Find a publisher for my book"]
    assert all(n.visibility == "partner" for n in needs)
    dave = db.session.scalar(select(User).where(User.email == "dave@example.org"))
    assert sorted(n.title for n in db.session.scalars(select(Need).where(Need.membership_id == membership_of(dave, group).id))) == [
        "Healthcare intros", "Keynote speaking gigs"]
    assert "/auth/set-password/" not in result.output  # the links go to their owners only
    assert "alice@example.org  new account: welcome email" in result.output
    links = welcome_links("alice@example.org") + welcome_links("dave@example.org")
    assert len(links) == 2
    assert client.get(links[0]).status_code == 200


def test_importing_the_same_file_twice_changes_nothing(runner, group):
    run_import(runner, group, GOOD)
    before = snapshot(group)
    result = run_import(runner, group, GOOD)
    assert result.exit_code == 0
    assert "0 created" in result.output and "2 unchanged" in result.output
    assert snapshot(group) == before
    assert db.session.scalar(select(func.count()).select_from(User)) == 3


def test_export_then_import_is_a_no_op(runner, group):
    bob = make_member(group, name="=SUM(A1) Bob", email="bob@example.org")
    make_need(group, bob, title="-minus first; with a semicolon")
    make_need(group, bob, title="Secret search", visibility="organizers")
    make_offer(group, bob, title="@mention offer")
    run_import(runner, group, GOOD)
    exported = runner.invoke(args=["export-members", group.slug]).output
    assert "Secret search" in exported
    assert "'=SUM(A1)" in exported and "'-minus" in exported and "'@mention" in exported
    before = snapshot(group)
    result = run_import(runner, group, exported)
    assert result.exit_code == 0, result.output
    assert snapshot(group) == before


def test_one_bad_row_saves_nothing_and_names_every_bad_row(runner, group):
    bad = GOOD + "Eve,not-an-email,,,,,\r\nFrank,,,,,,\r\nGina,alice@example.org,,,,,\r\n" + "Hal,hal@example.org," + "x" * 161 + ",,,,\r\n"
    result = run_import(runner, group, bad)
    assert result.exit_code == 1
    output = result.output
    # Alice's row spans lines 2 and 3 (a cell with a line break), so Eve's is line 5.
    assert "line 5: 'not-an-email' is not a valid email address" in output
    assert "line 6: the email is missing" in output
    assert "line 7: alice@example.org already appears on line 2" in output
    assert "line 8: the headline is longer than 160 characters" in output
    assert db.session.scalar(select(func.count()).select_from(User)) == 1  # only the organizer


def test_line_numbers_count_multi_line_cells(runner, group):
    content = 'name,email,needs\n"Ann","ann@example.org","one\ntwo\nthree"\n"Bob","bad email",""\n'
    result = run_import(runner, group, content)
    assert "line 5:" in result.output


def test_byte_order_mark_semicolons_and_eventbrite_headers(runner, group):
    content = ("\ufeffOrder #;First Name;Last Name;Email;Ticket Type;Needs\r\n"
               '1001;Ann;Lee;ann@example.org;General;"Interview practice\r\nResume reviews"\r\n'
               "1002;Bo;Chen;BO@example.org;VIP;\r\n").encode("utf-8")
    result = run_import(runner, group, content)
    assert result.exit_code == 0, result.output
    assert "Ignored columns: Order #, Ticket Type" in result.output
    ann = db.session.scalar(select(User).where(User.email == "ann@example.org"))
    assert ann.name == "Ann Lee"
    assert sorted(n.title for n in db.session.scalars(select(Need).where(Need.membership_id == membership_of(ann, group).id))) == [
        "Interview practice", "Resume reviews"]
    assert db.session.scalar(select(User).where(User.email == "bo@example.org")).name == "Bo Chen"


def test_existing_account_is_invited_and_left_as_its_owner_wrote_it(runner, group):
    # Issue 9: an import used to rewrite an existing account's profile and add it to the group.
    existing = make_user(name="Alice Old", email="alice@example.org")
    result = run_import(runner, group, GOOD)
    assert "1 created, 1 invited" in result.output
    assert "alice@example.org  exists: invited, profile left as the owner wrote it" in result.output
    db.session.refresh(existing)
    assert (existing.name, existing.headline, existing.industry, existing.city) == ("Alice Old", "", "", "")
    assert existing.password_hash is not None
    assert membership_of(existing, group) is None
    assert db.session.scalar(select(func.count()).select_from(User).where(User.email == "alice@example.org")) == 1


def test_dry_run_saves_nothing(runner, group):
    result = run_import(runner, group, GOOD, "--dry-run")
    assert result.exit_code == 0 and "2 not in the group yet" in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "The file is empty."),
        (b"name,headline\nAnn,x\n", "no 'email' column"),
        (b"email,city\nann@example.org,x\n", "'name' column"),
        ("name,email\nAnn,ann@example.org\n".encode("utf-16"), "not UTF-8"),
        (b"name,email\n" + b"a" * (2 * 1024 * 1024), "larger than 2 MB"),
        (b"name,email\n" + b"".join(b"P%d,p%d@example.org\n" % (i, i) for i in range(5001)), "more than 5000 rows"),
    ],
)
def test_unreadable_files_are_refused_with_a_clear_message(runner, group, content, message):
    result = run_import(runner, group, content)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_unknown_group_is_refused(runner, app):
    result = runner.invoke(args=["import-members", "nope", "-"], input=GOOD)
    assert result.exit_code != 0 and "No group" in result.output


def test_import_page_previews_then_saves(client, auth, group):
    auth.login("olga@example.org")
    preview = client.post(f"/groups/{group.slug}/members/import",
                          data={"file": (io.BytesIO(GOOD.encode()), "members.csv")}, content_type="multipart/form-data")
    assert preview.status_code == 200
    page = preview.get_data(as_text=True)
    assert "Alice Nguyen" in page and "added, or invited if they already have an account" in page
    assert db.session.scalar(select(func.count()).select_from(User)) == 1  # nothing saved yet
    content = re.search(r'name="content" type="hidden" value="([^"]+)"', page).group(1)
    done = client.post(f"/groups/{group.slug}/members/import/confirm", data={"content": content})
    assert done.status_code == 200
    assert "/auth/set-password/" not in done.get_data(as_text=True)  # emailed to each owner, shown to nobody
    assert "Alice Nguyen (alice@example.org)" in done.get_data(as_text=True)
    assert len(welcome_links()) == 2
    assert db.session.scalar(select(func.count()).select_from(User)) == 3


def test_import_page_with_a_bad_row_shows_the_line_and_offers_no_confirm(client, auth, group):
    auth.login("olga@example.org")
    response = client.post(f"/groups/{group.slug}/members/import",
                           data={"file": (io.BytesIO(b"name,email\nAnn,not-an-email\n"), "m.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Line 2: &#39;not-an-email&#39; is not a valid email address" in page
    assert "Nothing was saved" in page and "import/confirm" not in page


def test_members_cannot_import_or_export(client, auth, group):
    make_member(group, email="m@example.org")
    auth.login("m@example.org")
    assert client.get(f"/groups/{group.slug}/members/import").status_code == 403
    assert client.get(f"/groups/{group.slug}/members/export.csv").status_code == 403


def test_export_download_matches_the_command(client, auth, runner, group):
    run_import(runner, group, GOOD)
    auth.login("olga@example.org")
    response = client.get(f"/groups/{group.slug}/members/export.csv")
    assert response.mimetype == "text/csv"
    command_output = runner.invoke(args=["export-members", group.slug]).output
    assert response.get_data(as_text=True).replace("\r\n", "\n") == command_output.replace("\r\n", "\n")
    assert "Find a publisher for my book" in command_output
