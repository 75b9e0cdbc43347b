"""A member keeps both lists from a phone-sized window."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, log_in
from tests.factories import make_group, make_member, make_user

pytestmark = pytest.mark.browser




def test_member_keeps_needs_and_offers_on_a_phone(site, new_page, app, tmp_path):
    group = make_group(organizer=make_user(email="olga@example.org"), name="Job Club")
    make_member(group, name="Alice Nguyen", email="alice@example.org")
    page = new_page(**PHONE)
    log_in(page, site, "alice@example.org")
    page.goto(f"{site}/groups/{group.slug}/members/me")
    expect(page.get_by_role("heading", name="What do you need right now?")).to_be_visible()

    needs = page.locator("#needs")
    needs.get_by_label("What do you need?").fill("A publisher for my book")
    needs.get_by_label("Tags").fill("Publishing, Books")
    needs.get_by_label("Priority").select_option("high")
    needs.get_by_label("Who may see it").select_option("partner")
    needs.get_by_role("button", name="Add need").click()
    expect(page.get_by_text("Need added.")).to_be_visible()

    offers = page.locator("#offers")
    offers.get_by_label("How can you help?").fill("Car-buying negotiation tips")
    offers.get_by_label("Kind").select_option("advice")
    # From the keyboard: focus the last field and press Enter to submit.
    offers.get_by_label("Tags").fill("cars")
    offers.get_by_label("Tags").press("Enter")
    expect(page.get_by_text("Offer added.")).to_be_visible()

    item = page.locator(".item", has_text="A publisher for my book")
    expect(item.get_by_text("partner and organizers", exact=True)).to_be_visible()
    item.locator("summary").click()
    item.get_by_label("What do you need?").fill("A publisher for my novel")
    item.get_by_label("Status").select_option("in_progress")
    item.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Need saved.")).to_be_visible()
    expect(page.locator(".item", has_text="A publisher for my novel").get_by_text("in progress", exact=True)).to_be_visible()

    page.on("dialog", lambda dialog: dialog.accept())
    offer = page.locator(".item", has_text="Car-buying negotiation tips")
    offer.locator("summary").click()
    offer.get_by_role("button", name="Remove").click()
    expect(page.get_by_text("Offer removed.")).to_be_visible()
    expect(page.locator(".item", has_text="Car-buying negotiation tips")).to_have_count(0)

    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    page.screenshot(path="/tmp/mine.png", full_page=True)
