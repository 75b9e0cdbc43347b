"""Sign up, create a group, copy the invite link, and join it as a second user in another browser."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE

pytestmark = pytest.mark.browser


def sign_up(page, site, name, email, password="a long enough secret"):
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Password again").fill(password)
    page.get_by_role("button", name="Create my account").click()


def test_organizer_creates_a_group_and_a_second_user_joins_by_invite_link(site, new_page):
    organizer = new_page()
    errors = []
    organizer.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    organizer.goto(site + "/")
    organizer.get_by_role("link", name="Sign up").first.click()
    sign_up(organizer, site, "Maria Coach", "maria@example.org")
    expect(organizer.get_by_text("Welcome to Give First, Maria Coach.")).to_be_visible()

    organizer.get_by_role("link", name="Create a group").click()
    organizer.get_by_label("Group name").fill("Oakville Job Club")
    organizer.get_by_label("Time zone").select_option("America/Toronto")
    organizer.get_by_role("button", name="Create group").click()
    expect(organizer.get_by_role("heading", name="Oakville Job Club")).to_be_visible()

    organizer.get_by_role("button", name="Copy link").click()
    expect(organizer.get_by_role("button", name="Copied")).to_be_visible()
    invite_link = organizer.get_by_label("Invite link").input_value()
    assert invite_link.startswith(site + "/groups/join/")

    joiner = new_page(**PHONE)
    joiner.goto(invite_link)
    expect(joiner.get_by_role("heading", name="Join Oakville Job Club")).to_be_visible()
    joiner.get_by_role("link", name="Sign up and join").click()
    expect(joiner.get_by_role("heading", name="Sign up to join Oakville Job Club")).to_be_visible()
    sign_up(joiner, site, "Dave Okafor", "dave@example.org")  # and joins, in one step
    expect(joiner.get_by_text("Welcome to Oakville Job Club.")).to_be_visible()
    expect(joiner.get_by_text("You are a member of this group")).to_be_visible()
    expect(joiner.get_by_role("heading", name="Get started")).to_be_visible()  # the new member's checklist

    organizer.get_by_role("link", name="Members and roles").click()
    expect(organizer.get_by_role("cell", name="Dave Okafor", exact=True)).to_be_visible()
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_logged_out_browser_cannot_reuse_its_old_cookie(site, new_page, app):
    from tests.factories import make_user

    make_user(email="eve@example.org")
    page = new_page()
    page.goto(site + "/auth/login")
    page.get_by_label("Email").fill("eve@example.org")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    cookies = page.context.cookies()

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_text("You are logged out.")).to_be_visible()

    replay = new_page()
    replay.context.add_cookies(cookies)
    replay.goto(site + "/auth/password")
    expect(replay.get_by_role("heading", name="Log in")).to_be_visible()
