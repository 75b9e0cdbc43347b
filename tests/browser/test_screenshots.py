"""Screenshots of the main pages at a phone's width (390 px) and a desktop's (1280 px), written to
tests/browser/screenshots/ (not committed, not compared pixel by pixel) so anyone can look at them.
Each page is also held to two rules a person would notice at once: nothing wider than the phone
(no sideways scrolling) and axe-core finds no violation (the new_page fixture)."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from organizer.extensions import db
from organizer.models import utcnow
from organizer.pairing import publishing, runs
from tests.browser.conftest import PHONE, log_in
from tests.event_factories import make_event, make_rsvp
from tests.factories import make_group, make_member, make_need, make_offer, make_user

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).parent / "screenshots"
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PEOPLE = [
    ("Alice Nguyen", "A publisher for my book", "Resume reviews"),
    ("Dave Okafor", "Resume reviews for a career change", "Introduction to my literary agent and publisher"),
    ("Tom Becker", "Promote my running class", "Licensed electrician work in Oakville"),
    ("Sofia Marquez", "A good electrician in Oakville", "Marketing plan for a running class"),
    ("Priya Raman", "Intro to a CFO in life sciences", "Car-buying negotiation tips"),
    ("Sam Lee", "Negotiation tips for buying a car", "I know CFOs at life-science companies"),
    ("Ken Watanabe", "Practice for a job interview in English", "Japanese lessons"),
]


@pytest.fixture
def lunch(app):
    group = make_group(organizer=make_user(name="Maria Coach", email="coach@example.org"), name="Job Club")
    event = make_event(group, title="December lunch", venue_name="Café Centrale")
    for name, need, offer in PEOPLE:
        user = make_member(group, name=name, email=name.split()[0].lower() + "@example.org",
                           headline="Career changer")
        make_need(group, user, title=need)
        make_offer(group, user, title=offer)
        make_rsvp(event, user, checked_in=name != "Ken Watanabe")
    run = runs.claim_run(event, None, utcnow(), 10.0)
    db.session.commit()  # the claim, as the boundary commits it
    run = runs.execute_run(run.id, 10.0)
    publishing.publish(run, utcnow())
    db.session.commit()
    return group, event


def shoot(page, name: str, width_name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.wait_for_load_state("load")
    page.screenshot(path=str(SHOTS / f"{name}-{width_name}.png"), full_page=True)
    if width_name == "phone":
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= 390, f"{name} is {wide} px wide on a 390 px phone"


@pytest.mark.parametrize("width_name", ["phone", "desktop"])
def test_main_pages_at_phone_and_desktop_widths(site, new_page, lunch, width_name):
    group, event = lunch
    options = PHONE if width_name == "phone" else DESKTOP
    base = f"{site}/groups/{group.slug}"

    visitor = new_page(**options)
    visitor.goto(site + "/")
    shoot(visitor, "welcome", width_name)
    visitor.goto(site + "/auth/login")
    shoot(visitor, "login", width_name)

    organizer = new_page(**options)
    log_in(organizer, site, "coach@example.org")
    for name, path in [("overview", "/"), ("events", "/events/"), ("event", f"/events/{event.id}/"),
                       ("door", f"/events/{event.id}/check-in"), ("review", f"/events/{event.id}/pairing/"),
                       ("directory", "/members/"), ("roles", "/roles"), ("settings", "/settings")]:
        organizer.goto(base + path)
        expect(organizer.locator("h1")).to_be_visible()
        shoot(organizer, name, width_name)
    organizer.goto(f"{base}/events/{event.id}/pairing/")
    organizer.get_by_role("link", name="Print view").click()
    shoot(organizer, "print", width_name)
    organizer.get_by_role("button", name="PDF").click()  # made in the background, then offered
    expect(organizer.get_by_text("The PDF is ready")).to_be_visible(timeout=30_000)
    shoot(organizer, "print-pdf", width_name)

    member = new_page(**options)
    log_in(member, site, "alice@example.org")
    for name, path in [("member-overview", "/"), ("my-lists", "/members/me"),
                       ("my-lunch", f"/events/{event.id}/pairing/mine")]:
        member.goto(base + path)
        shoot(member, name, width_name)
