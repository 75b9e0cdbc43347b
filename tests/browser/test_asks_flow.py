"""Between lunches in a real browser: a lead offered from the asks board, accepted, contact
details shared, the need met; then an introduction that shows contact details only once both
people said yes."""

import pytest
from playwright.sync_api import expect

from organizer.extensions import db
from organizer.models import Need
from organizer.outcomes.service import ledger_counts
from tests.browser.conftest import PHONE, log_in
from tests.factories import make_group, make_member, make_need, make_user

pytestmark = pytest.mark.browser


def test_a_lead_from_the_board_and_an_introduction_with_both_sides_consent(site, new_page, app):
    group = make_group(organizer=make_user(email="olga@example.org"), name="Job Club")
    nadia = make_member(group, name="Nadia Haddad", email="nadia@example.org", headline="CFO in transition")
    raj = make_member(group, name="Raj Patel", email="raj@example.org")
    make_member(group, name="Sam Lee", email="sam@example.org")
    nadia.contact, raj.contact = "Nadia: call 555-0101", "Raj: raj.patel on LinkedIn"
    db.session.commit()
    need = make_need(group, nadia, title="A good electrician in Oakville", priority="high")
    asks = f"{site}/groups/{group.slug}/asks"

    # Raj offers a lead from the asks board.
    raj_page = new_page()
    log_in(raj_page, site, "raj@example.org")
    raj_page.goto(f"{site}/groups/{group.slug}/")
    raj_page.get_by_role("link", name="Asks", exact=True).click()
    card = raj_page.locator(".card", has_text="A good electrician in Oakville")
    expect(card.get_by_text("CFO in transition")).to_be_visible()
    card.get_by_role("link", name="I can help with this").click()
    raj_page.get_by_label("What kind of help?").select_option("lead")
    raj_page.get_by_label("How can you help, in a few words?").fill("My brother-in-law wires houses in Oakville.")
    raj_page.get_by_role("button", name="Offer help").click()
    expect(raj_page.get_by_text("Nadia Haddad will see your offer of help")).to_be_visible()
    expect(raj_page.get_by_text("Nadia: call 555-0101")).to_have_count(0)

    # Nadia sees it on her needs page, says yes please: both see each other's contact details.
    nadia_page = new_page(**PHONE)
    log_in(nadia_page, site, "nadia@example.org")
    nadia_page.goto(f"{site}/groups/{group.slug}/members/me")
    nadia_page.get_by_role("link", name="1 offer of help on this need, 1 waiting for your answer").click()
    offer = nadia_page.locator("#offers-received .item", has_text="Raj Patel")
    expect(offer.get_by_text("My brother-in-law wires houses in Oakville.")).to_be_visible()
    expect(offer.get_by_text("Raj: raj.patel on LinkedIn")).to_have_count(0)
    offer.get_by_role("button", name="Yes please").click()
    expect(nadia_page.get_by_text("Raj: raj.patel on LinkedIn")).to_be_visible()
    raj_page.goto(f"{asks}/mine")
    expect(raj_page.get_by_text("Nadia: call 555-0101")).to_be_visible()

    # The lead worked: the need is met and Raj's help counts.
    nadia_page.locator("#offers-received .item", has_text="Raj Patel").get_by_role(
        "button", name="It helped: my need is met").click()
    expect(nadia_page.get_by_text("Your need is met, and Raj Patel's help is counted.")).to_be_visible()
    db.session.rollback()  # end the test's own read transaction: read what the server wrote
    assert db.session.get(Need, need.id).status == "met"
    assert ledger_counts(group.id, raj.id).people_helped == 1
    raj_page.reload()
    expect(raj_page.locator("#offers-made .badge", has_text="it helped")).to_be_visible()
    expect(raj_page.locator("#ledger")).to_contain_text("You have helped 1 person in this group")

    # Sam introduces Nadia and Raj; nothing is shared until both say yes.
    sam_page = new_page()
    log_in(sam_page, site, "sam@example.org")
    sam_page.goto(f"{asks}/introductions/new")
    sam_page.get_by_label("Introduce").fill("Nadia Haddad")
    sam_page.get_by_label("to this member").fill("Raj Patel")
    sam_page.get_by_label("Why should they meet?").fill("Nadia, meet Raj: Raj knows CFOs at three life-science companies.")
    sam_page.get_by_role("button", name="Propose the introduction").click()
    expect(sam_page.get_by_text("waiting for answers")).to_be_visible()
    introduction_url = sam_page.url

    nadia_page.goto(introduction_url)
    expect(nadia_page.get_by_text("Raj knows CFOs at three life-science companies")).to_be_visible()
    nadia_page.get_by_role("button", name="Yes, introduce us").click()
    expect(nadia_page.get_by_text("Thank you: your yes is noted.")).to_be_visible()
    expect(nadia_page.locator(".contact-card")).to_have_count(0)

    raj_page.goto(introduction_url)
    expect(raj_page.locator(".contact-card")).to_have_count(0)
    raj_page.get_by_role("button", name="Yes, introduce us").click()
    expect(raj_page.locator(".contact-card", has_text="Nadia: call 555-0101")).to_be_visible()
    nadia_page.reload()
    expect(nadia_page.locator(".contact-card", has_text="Raj: raj.patel on LinkedIn")).to_be_visible()
    sam_page.reload()
    expect(sam_page.get_by_text("both said yes")).to_be_visible()
    width = nadia_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the introduction page scrolls sideways on a phone ({width}px)"
