"""Issue 9: an organizer adds a walk-in whose email already has an account; the owner sees the
invitation at their next log-in, in a real browser, and joins only by accepting it."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, log_in
from tests.event_factories import make_event
from tests.factories import make_group, make_user

pytestmark = pytest.mark.browser


def test_a_walk_in_with_an_existing_account_is_invited_and_joins_by_accepting(site, new_page, app):
    organizer = make_user(name="Olga Organizer", email="olga@example.org")
    group = make_group(organizer=organizer, name="Door Club")
    event = make_event(group, title="Door lunch")
    owner = make_user(name="Vera Owner", email="vera@example.org")
    make_group(organizer=owner, name="Vera's own club")

    door = new_page(**PHONE)
    log_in(door, site, "olga@example.org")
    door.goto(f"{site}/groups/{group.slug}/events/{event.id}/check-in")
    door.get_by_label("Name", exact=True).fill("Vera at the door")
    door.get_by_label("Email").fill("vera@example.org")
    door.get_by_role("button", name="Add new person as walk-in").click()
    expect(door.get_by_text("Arrived: Vera at the door, checked in as a walk-in.", exact=False)).to_be_visible()

    page = new_page()
    log_in(page, site, "vera@example.org")
    page.goto(site + "/")
    expect(page.get_by_role("heading", name="Invitations")).to_be_visible()
    expect(page.get_by_text("Door Club", exact=True)).to_be_visible()
    page.get_by_role("button", name="Accept the invitation to Door Club").click()
    expect(page.get_by_text("Welcome to Door Club.")).to_be_visible()
    expect(page.get_by_role("heading", name="Door Club")).to_be_visible()
    page.goto(site + "/groups/")
    expect(page.get_by_role("heading", name="Invitations")).to_have_count(0)
