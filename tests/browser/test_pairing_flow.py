"""An organizer generates pairs, locks one, re-solves, publishes and downloads the PDF;
a member then sees their partner on a phone."""

import subprocess

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, log_in
from tests.event_factories import make_event, make_rsvp
from tests.factories import make_group, make_member, make_need, make_offer, make_user

pytestmark = pytest.mark.browser

PEOPLE = [
    ("Alice Nguyen", "A publisher for my book", "Resume reviews"),
    ("Dave Okafor", "Resume reviews for a career change", "Introduction to my literary agent and publisher"),
    ("Tom Becker", "Promote my running class", "Licensed electrician work in Oakville"),
    ("Sofia Marquez", "A good electrician in Oakville", "Marketing plan for a running class"),
    ("Priya Raman", "Intro to a CFO in life sciences", "Car-buying negotiation tips"),
]




def test_organizer_pairs_the_lunch_and_a_member_sees_the_partner(site, new_page, app, tmp_path):
    group = make_group(organizer=make_user(name="Maria Coach", email="coach@example.org"), name="Job Club")
    event = make_event(group, title="December lunch")
    for name, need, offer in PEOPLE:
        user = make_member(group, name=name, email=name.split()[0].lower() + "@example.org")
        make_need(group, user, title=need)
        make_offer(group, user, title=offer)
        make_rsvp(event, user, checked_in=True)

    page = new_page()
    log_in(page, site, "coach@example.org")
    page.goto(f"{site}/groups/{group.slug}/events/{event.id}/pairing/")
    page.get_by_role("button", name="Generate pairs").click()
    expect(page.get_by_role("heading", name="Version 1")).to_be_visible(timeout=20_000)
    expect(page.get_by_text("best possible seating (proven)", exact=True)).to_be_visible()
    expect(page.locator(".tables > li")).to_have_count(2)  # five people: a pair and the one trio
    expect(page.get_by_text("trio", exact=True)).to_have_count(1)

    pair = page.locator(".table-card", has=page.get_by_role("button", name="Lock this pair"))
    heading = pair.locator("h4").inner_text()
    first, partner = [name for name, *_ in PEOPLE if name in heading]
    pair.get_by_role("button", name="Lock this pair").click()
    expect(page.get_by_text("Version 2: table locked.")).to_be_visible()
    expect(page.locator(".table-card--locked", has_text=first)).to_be_visible()

    page.get_by_role("button", name="Re-solve (keep locked tables)").click()
    expect(page.get_by_role("heading", name="Version 3")).to_be_visible(timeout=20_000)
    expect(page.locator(".table-card--locked", has_text=first)).to_contain_text(partner)

    page.get_by_role("button", name="Publish version 3").click()
    expect(page.get_by_text("Version 3 is published")).to_be_visible()

    page.get_by_role("button", name="Download PDF").click()  # made in the background: its page offers it when ready
    expect(page.get_by_text("The PDF is ready")).to_be_visible(timeout=30_000)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the PDF").click()
    pdf_path = tmp_path / "cards.pdf"
    download_info.value.save_as(pdf_path)
    text = subprocess.run(["pdftotext", str(pdf_path), "-"], capture_output=True, text=True, check=True).stdout
    for name, *_ in PEOPLE:
        assert name in text

    member = new_page(**PHONE)
    log_in(member, site, first.split()[0].lower() + "@example.org")
    member.goto(f"{site}/groups/{group.slug}/events/{event.id}/pairing/mine")
    expect(member.get_by_role("heading", name=f"with {partner}")).to_be_visible()
    expect(member.get_by_text('Start with: "How can I help you?"')).to_be_visible()
    partner_offer = next(offer for name, _, offer in PEOPLE if name == partner)
    expect(member.get_by_text(partner_offer).first).to_be_visible()
    assert member.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_pdf_page_stops_waiting_when_its_file_is_gone(site, new_page, app):
    """The page of a PDF being made asks for its status every second; when the file is gone (a
    404 to the status request) it reloads once and shows why, rather than asking forever."""
    from organizer.extensions import db
    from organizer.models import SheetFile, utcnow
    from organizer.pairing import printing, runs

    organizer = make_user(name="Maria Coach", email="coach@example.org")
    group = make_group(organizer=organizer, name="Job Club")
    event = make_event(group, title="December lunch")
    for name, *_ in PEOPLE[:2]:
        user = make_member(group, name=name, email=name.split()[0].lower() + "@example.org")
        make_rsvp(event, user, checked_in=True)
    run = runs.claim_run(event, None, utcnow(), 10.0)
    db.session.commit()
    run = runs.execute_run(run.id, 10.0)
    file, _ = printing.request_file(run, organizer, "cards", False, utcnow())  # no job: it stays "being made"
    db.session.commit()

    page = new_page(**PHONE)
    log_in(page, site, "coach@example.org")
    page.goto(f"{site}/groups/{group.slug}/events/{event.id}/pairing/{run.id}/sheets/{file.id}")
    expect(page.get_by_text("Making the PDF…")).to_be_visible()
    db.session.delete(db.session.get(SheetFile, file.id))
    db.session.commit()
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible(timeout=10_000)
