"""After the lunch: a member says on a phone that the partner helped with a named need and
thanks them; the partner sees it; the need is met; both ledgers count it; the next event's
pairing review shows the giver's priority; the dashboard's plot and table show the figures."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, log_in
from tests.outcomes.helpers import first_lunch, next_lunch

pytestmark = pytest.mark.browser


def test_a_thank_you_after_the_lunch_counts_everywhere_and_the_next_pairing_learns(site, new_page, app):
    group, organizer, event, people = first_lunch()
    upcoming = next_lunch(group, people)

    phone = new_page(**PHONE)
    log_in(phone, site, "alice@example.org")
    phone.goto(f"{site}/groups/{group.slug}/")
    card = phone.locator(".follow-up", has_text="Did your lunch with Dave help?")
    card.get_by_label("Yes").check()                       # tap 1
    card.get_by_label("A publisher for my book").check()   # tap 2
    card.get_by_text("More: something else").click()
    card.get_by_label("Thank-you note to Dave (optional)").fill(
        "Your intro to the editor at the Toronto publishing house got me a meeting")
    card.get_by_role("button", name="Send").click()        # tap 3 (the note is the extra)
    expect(phone.get_by_text("Thank you: your answer about Dave is saved. Your note goes to them.")).to_be_visible()
    phone.goto(f"{site}/groups/{group.slug}/members/me")
    expect(phone.locator("#needs .item", has_text="A publisher for my book").locator(".badge", has_text="met")).to_be_visible()
    expect(phone.get_by_text(re.compile(r"met, Dave"))).to_be_visible()
    phone.goto(f"{site}/groups/{group.slug}/outcomes/ledger")
    expect(phone.get_by_text("You have helped 0 people; 1 has helped you.")).to_be_visible()

    partner = new_page()
    log_in(partner, site, "dave@example.org")
    partner.goto(f"{site}/groups/{group.slug}/")
    expect(partner.get_by_text(
        "Alice thanked you: Your intro to the editor at the Toronto publishing house got me a meeting")).to_be_visible()
    partner.goto(f"{site}/groups/{group.slug}/outcomes/ledger")
    expect(partner.get_by_text("You have helped 1 person; 0 have helped you.")).to_be_visible()
    partner.goto(f"{site}/groups/{group.slug}/outcomes/lunches")
    expect(partner.get_by_text("Alice said: it helped, with “A publisher for my book”.")).to_be_visible()

    coach = new_page()
    log_in(coach, site, organizer.email)
    coach.goto(f"{site}/groups/{group.slug}/events/{upcoming.id}/pairing/")
    coach.get_by_role("button", name="Generate pairs").click()
    expect(coach.get_by_role("heading", name="Version 1")).to_be_visible(timeout=20_000)
    expect(coach.get_by_text("Dave gets priority: they have helped 1 person and not been helped yet")).to_be_visible()

    coach.goto(f"{site}/groups/{group.slug}/outcomes/dashboard")
    plot = coach.get_by_role("img", name=re.compile(r"^Share of attendees who said a lunch helped"))
    expect(plot).to_be_visible()
    assert coach.evaluate("img => img.complete && img.naturalWidth > 0", plot.element_handle())
    table = coach.locator("#table-helped")
    expect(table.get_by_role("cell", name="25%")).to_be_visible()  # Alice of the four seated
    expect(coach.locator("#table-attendance").get_by_role("cell", name="4", exact=True)).to_be_visible()
    expect(coach.get_by_text("Dave: helped 1 person")).to_be_visible()
