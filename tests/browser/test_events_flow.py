"""An organizer creates an event, two members answer yes, and at the door the organizer
checks one in and adds a walk-in, on a phone."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, log_in
from tests.factories import make_group, make_member, make_user

pytestmark = pytest.mark.browser


def watch_console(page, errors):
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)


def answer_yes(page, site, email, slug):
    log_in(page, site, email)
    page.goto(f"{site}/groups/{slug}/events/")
    page.get_by_role("link", name="December lunch").click()
    page.get_by_role("button", name="Yes, I will come").click()
    expect(page.get_by_text("You are in.")).to_be_visible()
    expect(page.get_by_text("You are going.")).to_be_visible()


def test_organizer_creates_an_event_members_answer_and_the_door_checks_in(site, new_page, app):
    organizer = make_user(name="Maria Coach", email="coach@example.org")
    group = make_group(organizer=organizer, name="Oakville Job Club", time_zone="America/Toronto")
    make_member(group, name="Ann Lee", email="ann@example.org")
    make_member(group, name="Bob Stone", email="bob@example.org")
    slug = group.slug
    errors = []

    desk = new_page()
    watch_console(desk, errors)
    log_in(desk, site, "coach@example.org")
    desk.goto(f"{site}/groups/{slug}/events/")
    desk.get_by_role("link", name="New event").click()
    desk.get_by_label("Title").fill("December lunch")
    desk.get_by_label("Starts").fill("2030-12-05T12:00")
    desk.get_by_label("Venue").fill("Luigi's, upstairs")
    desk.get_by_label("Capacity").fill("10")
    desk.get_by_role("button", name="Create and open for RSVP").click()
    expect(desk.get_by_text("December lunch is created and open for RSVP.")).to_be_visible()
    expect(desk.get_by_text("Thursday 05 December 2030, 12:00 to 13:30 EST")).to_be_visible()

    ann = new_page(**PHONE)
    watch_console(ann, errors)
    answer_yes(ann, site, "ann@example.org", slug)
    bob = new_page()
    watch_console(bob, errors)
    answer_yes(bob, site, "bob@example.org", slug)

    door = new_page(**PHONE)
    watch_console(door, errors)
    log_in(door, site, "coach@example.org")
    door.goto(f"{site}/groups/{slug}/events/")
    door.get_by_role("link", name="December lunch").click()
    door.get_by_role("link", name="Check-in at the door").click()
    door.wait_for_load_state("load")  # the filter script has run (it also applies what was typed before it)
    expect(door.locator("#count-yes")).to_have_text("2")
    door.get_by_label("Search by name").fill("ann")
    expect(door.get_by_role("button", name="Check in Bob Stone")).to_be_hidden()  # filtered as typed
    door.get_by_role("button", name="Check in Ann Lee").click()
    expect(door.get_by_text("Arrived: Ann Lee.")).to_be_visible()
    expect(door.locator("#count-checked-in")).to_have_text("1")
    expect(door.locator("#count-not-arrived")).to_have_text("1")

    door.get_by_label("Name", exact=True).fill("Nora Quinn")
    door.get_by_label("Email").fill("nora@example.org")
    door.get_by_role("button", name="Add new person as walk-in").click()
    expect(door.get_by_text("Arrived: Nora Quinn, checked in as a walk-in.", exact=False)).to_be_visible()
    expect(door.locator("#count-walk-ins")).to_have_text("1")
    expect(door.locator("#count-checked-in")).to_have_text("2")
    expect(door.get_by_role("button", name="Undo check-in of Nora Quinn")).to_be_visible()

    desk.reload()
    expect(desk.get_by_text("Answered yes: 2 · Checked in: 2 · Walk-ins: 1")).to_be_visible()
    assert not [e for e in errors if "Content Security Policy" in e], errors
