import re

from sqlalchemy import func, select

from organizer.auth.service import authenticate
from organizer.demo import DEMO_PASSWORD, DEMO_SLUG
from organizer.extensions import db
from organizer.models import Event, Group, Membership, Need, Role, User, utcnow
from tests.factories import make_group, make_user


def test_seed_demo_creates_a_group_with_an_organizer_and_twenty_members(runner, app):
    result = runner.invoke(args=["seed-demo", "--force"])
    assert result.exit_code == 0, result.output
    group = db.session.scalar(select(Group).where(Group.slug == DEMO_SLUG))
    roles = [m.role for m in group.memberships]
    assert roles.count(Role.ORGANIZER) == 1 and roles.count(Role.MEMBER) == 20
    assert "coach@example.org" in result.output and DEMO_PASSWORD in result.output
    assert result.output.count("@example.org") == 21
    assert authenticate("alice@example.org", DEMO_PASSWORD) is not None
    event = db.session.scalar(select(Event).where(Event.group_id == group.id))
    assert event.status == "open" and event.starts_at > utcnow()
    assert sorted({r.state for r in event.rsvps}) == ["going"] and len(event.rsvps) == 21
    alice = db.session.scalar(select(User).where(User.email == "alice@example.org"))
    assert db.session.scalar(select(func.count()).select_from(Need).join(Membership)
                             .where(Membership.user_id == alice.id)) >= 2


def test_the_demo_lunch_is_the_first_thursday_of_next_month_at_noon_local():
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from organizer.demo import next_first_thursday_noon

    starts = next_first_thursday_noon(datetime(2026, 11, 21, 15, tzinfo=UTC), "America/Toronto")
    local = starts.astimezone(ZoneInfo("America/Toronto"))
    assert (local.year, local.month, local.day, local.hour, local.strftime("%A")) == (2026, 12, 3, 12, "Thursday")
    january = next_first_thursday_noon(datetime(2026, 12, 20, tzinfo=UTC), "America/Toronto")
    assert january.astimezone(ZoneInfo("America/Toronto")).date().isoformat() == "2027-01-07"


def test_seed_demo_if_empty_leaves_existing_data_alone_but_prints_logins(runner, app):
    runner.invoke(args=["seed-demo", "--force"])
    result = runner.invoke(args=["seed-demo", "--if-empty", "--force"])
    assert result.exit_code == 0
    assert "coach@example.org" in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 21


def test_seed_demo_if_empty_does_nothing_on_a_database_with_other_data(runner, app):
    make_user()
    result = runner.invoke(args=["seed-demo", "--if-empty", "--force"])
    assert "not loaded" in result.output
    assert db.session.scalar(select(Group)) is None


def test_create_group_creates_the_organizer_and_prints_a_working_set_password_link(runner, app, client):
    result = runner.invoke(args=["create-group", "job-club", "Oakville Job Club", "--organizer-email", "Coach@Example.org"])
    assert result.exit_code == 0, result.output
    group = db.session.scalar(select(Group).where(Group.slug == "job-club"))
    organizer = db.session.scalar(select(User).where(User.email == "coach@example.org"))
    assert group.name == "Oakville Job Club"
    assert db.session.scalar(select(Membership.role).where(Membership.user_id == organizer.id)) == Role.ORGANIZER
    assert organizer.password_hash is None
    link = re.search(r"(/auth/set-password/\S+)", result.output).group(1)
    response = client.post(link, data={"password": "organizer password", "confirm": "organizer password"})
    assert response.status_code == 302
    assert authenticate("coach@example.org", "organizer password") is not None


def test_create_group_with_an_existing_account_prints_no_link(runner, app):
    make_user(email="coach@example.org")
    result = runner.invoke(args=["create-group", "job-club", "Job Club", "--organizer-email", "coach@example.org"])
    assert result.exit_code == 0
    assert "set-password" not in result.output


def test_create_group_refuses_a_taken_slug_with_a_message(runner, app):
    group = make_group()
    result = runner.invoke(args=["create-group", group.slug, "Another", "--organizer-email", "x@example.org"])
    assert result.exit_code != 0
    assert "already exists" in result.output
    assert "Traceback" not in result.output
    assert db.session.scalar(select(User).where(User.email == "x@example.org")) is None


def test_create_group_refuses_a_bad_slug_and_a_bad_email(runner, app):
    bad_slug = runner.invoke(args=["create-group", "Bad Slug!", "Name", "--organizer-email", "x@example.org"])
    assert bad_slug.exit_code != 0 and "short name" in bad_slug.output
    bad_email = runner.invoke(args=["create-group", "good-slug", "Name", "--organizer-email", "not-an-email"])
    assert bad_email.exit_code != 0 and "Not a valid email" in bad_email.output
    assert db.session.scalar(select(Group)) is None
