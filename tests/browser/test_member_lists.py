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


def test_a_member_keeps_someone_away_by_typing_their_name_on_a_phone(site, new_page, app):
    """The do-not-pair form lists nobody: typing fills the suggestions from the server, ten at a
    time, and the chosen one is saved (issue 16: a list of everyone grows with the group)."""
    from sqlalchemy import select

    from organizer.extensions import db
    from organizer.models import DoNotPair

    group = make_group(organizer=make_user(email="olga@example.org"), name="Job Club")
    alice = make_member(group, name="Alice Nguyen", email="alice@example.org")
    bob = make_member(group, name="Bob Brown", email="bob@example.org")
    for i in range(30):
        make_member(group, name=f"Member {i:02d}")
    page = new_page(**PHONE)
    log_in(page, site, "alice@example.org")
    page.goto(f"{site}/groups/{group.slug}/members/me/do-not-pair")
    assert page.locator("#member-names option").count() == 0
    person = page.get_by_label("Person")
    person.press_sequentially("bob", delay=30)
    expect(page.locator("#member-names option")).to_have_count(1)
    assert page.locator("#member-names option").first.get_attribute("value") == f"Bob Brown (#{bob.id})"
    person.fill(f"Bob Brown (#{bob.id})")
    page.get_by_role("button", name="Add").click()
    expect(page.get_by_text("You will not be seated with that person")).to_be_visible()
    expect(page.locator(".items")).to_contain_text("Bob Brown")
    db.session.rollback()  # end the test's own read transaction: read what the server wrote
    rule = db.session.scalar(select(DoNotPair))
    assert (rule.user_id, rule.other_user_id) == (alice.id, bob.id)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["viewport"]["width"]
