"""The day of the lunch in a real browser: the door checks people in without a reload, a walk-in's
need counts in the pairing at once, and a late arrival after publishing moves only the people
the review names while locked pairs keep their tables."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from organizer.database import transaction
from organizer.extensions import db
from organizer.models import PairingRun, utcnow
from organizer.pairing import runs
from tests.browser.conftest import PHONE, log_in
from tests.event_factories import make_event, make_rsvp
from tests.factories import make_group, make_member, make_need, make_offer, make_user

pytestmark = pytest.mark.browser

PEOPLE = [
    ("Alice Nguyen", "A publisher for my book", "Resume reviews"),
    ("Dave Okafor", "Resume reviews for a career change", "Introduction to my literary agent and publisher"),
    ("Tom Becker", "Promote my running class", "Licensed electrician work in Oakville"),
    ("Priya Raman", "Intro to a CFO in life sciences", "Car-buying negotiation tips"),
    ("Sam Lee", "Negotiation tips for buying a car", "I know CFOs at life-science companies"),
]


def run_version(event, version):
    db.session.rollback()  # see what the live server committed
    return db.session.scalar(select(PairingRun).where(PairingRun.event_id == event.id, PairingRun.version == version))


def tables_of(run):
    return {t.number: {s.user.name for s in t.seats} for t in run.tables}, {t.number for t in run.tables if t.locked}


def test_the_door_checks_in_without_a_reload_and_a_walk_ins_need_counts_at_once(site, new_page, app):
    group = make_group(organizer=make_user(name="Maria Coach", email="coach@example.org"), name="Job Club")
    event = make_event(group, title="December lunch")
    for name, need, offer in PEOPLE:
        user = make_member(group, name=name, email=name.split()[0].lower() + "@example.org")
        make_need(group, user, title=need)
        make_offer(group, user, title=offer)
        make_rsvp(event, user, checked_in=name != "Tom Becker")
    for n in range(25):  # a list long enough to scroll on a phone
        make_rsvp(event, make_member(group, name=f"Zed Guest {n:02d}", email=f"zed{n}@example.org"))

    door = new_page(**PHONE)
    log_in(door, site, "coach@example.org")
    door.goto(f"{site}/groups/{group.slug}/events/{event.id}/check-in")
    row = door.locator("#door-list li", has_text="Zed Guest 12")
    row.scroll_into_view_if_needed()
    door.evaluate("window.scrollBy(0, 120); window.__samePage = true")
    before = door.evaluate("window.scrollY")
    row_top = row.evaluate("(el) => el.getBoundingClientRect().top")
    assert before > 600
    row.get_by_role("button", name="Check in Zed Guest 12").click()
    expect(door.get_by_text("Arrived: Zed Guest 12.")).to_be_visible()
    expect(row.get_by_role("button", name="Undo check-in of Zed Guest 12")).to_be_visible()
    assert door.evaluate("window.__samePage === true"), "the page reloaded"
    assert abs(door.evaluate("window.scrollY") - before) <= 2, "the page scrolled"
    assert abs(row.evaluate("(el) => el.getBoundingClientRect().top") - row_top) <= 2, "the list jumped"
    expect(door.locator("#count-checked-in")).to_have_text("5")

    door.get_by_role("link", name="Not arrived yet").click()
    expect(door.locator("#door-list li", has_text="Tom Becker")).to_be_visible()
    expect(door.locator("#door-list li", has_text="Alice Nguyen")).to_have_count(0)
    door.get_by_role("button", name="Check in Tom Becker").click()
    expect(door.get_by_text("Arrived: Tom Becker.")).to_be_visible()

    door.evaluate("window.scrollTo(0, 0)")
    door.get_by_label("Name", exact=True).fill("Ken Watanabe")
    door.get_by_label("Email").fill("ken@example.org")
    door.get_by_label("One thing they need right now").fill("A licensed electrician in Oakville")
    door.get_by_label("One way they can help others").fill("Marketing plan for a running class")
    door.get_by_role("button", name="Add new person as walk-in").click()
    expect(door.get_by_text("Arrived: Ken Watanabe", exact=False)).to_be_visible()

    # Only those checked in are paired: the six above (the Zed guests but one stayed away).
    door.goto(f"{site}/groups/{group.slug}/events/{event.id}/pairing/")
    door.get_by_role("button", name="Generate pairs").click()
    expect(door.get_by_role("heading", name="Version 1")).to_be_visible(timeout=20_000)
    ken = door.locator(".table-card", has_text="Ken Watanabe")
    expect(ken).to_contain_text("Tom Becker")
    ken.get_by_text("Why they sit together").click()
    expect(ken.locator(".reasons")).to_contain_text("electrician")


def test_a_late_arrival_after_publishing_moves_only_the_people_the_review_names(site, new_page, app):
    group = make_group(organizer=make_user(name="Maria Coach", email="coach@example.org"), name="Job Club")
    event = make_event(group, title="December lunch")
    people = {}
    for name, need, offer in PEOPLE + [("Sofia Marquez", "A good electrician in Oakville", "Marketing plan for a running class")]:
        user = make_member(group, name=name, email=name.split()[0].lower() + "@example.org")
        make_need(group, user, title=need)
        make_offer(group, user, title=offer)
        make_rsvp(event, user, checked_in=True)
        people[name] = user
    ken = make_member(group, name="Ken Watanabe", email="ken@example.org")
    make_need(group, ken, title="Resume reviews before an interview")
    db.session.commit()  # the test's own rows; execute_run opens transactions of its own
    with transaction():
        run_id = runs.claim_run(event, None, utcnow(), 10.0).id
    run = runs.execute_run(run_id, 10.0)

    page = new_page()
    log_in(page, site, "coach@example.org")
    page.goto(f"{site}/groups/{group.slug}/events/{event.id}/pairing/?version={run.version}")
    card = page.locator(".table-card", has=page.get_by_role("button", name="Lock this pair")).first
    card.get_by_role("button", name="Lock this pair").click()
    expect(page.get_by_role("heading", name="Version 2")).to_be_visible()
    page.get_by_role("button", name="Publish version 2").click()
    expect(page.get_by_text("Version 2 is published")).to_be_visible()
    before, locked_before = tables_of(run_version(event, 2))
    assert locked_before

    make_rsvp(event, ken, checked_in=True)  # arrives late
    page.reload()
    expect(page.get_by_text("Arrived since this version: Ken Watanabe.")).to_be_visible()
    page.get_by_role("button", name="Seat them, moving as few people as possible").click()
    expect(page.get_by_role("heading", name="Version 3")).to_be_visible(timeout=20_000)
    named = page.locator(".moves li").all_inner_texts()
    after, locked_after = tables_of(run_version(event, 3))

    moved = {name for number, names in after.items() for name in names if name not in before.get(number, set())}
    assert {text.split(" joins")[0].split(" moves")[0].split(" sits")[0] for text in named} == moved
    assert moved == {"Ken Watanabe"}                        # seven people: Ken joins a pair, nobody moves
    assert locked_after == locked_before                    # the locked pair keeps its table number
    for number in locked_before:
        assert before[number] <= after[number]
    for number, names in before.items():                    # every published table is still there
        assert names <= after[number]

    page.get_by_role("button", name="Publish version 3").click()
    expect(page.get_by_text("changes tables people have already seen")).to_be_visible()
    page.get_by_label("Yes, change the tables people have already seen").check()
    page.get_by_role("button", name="Publish version 3").click()
    expect(page.get_by_text("Version 3 is published")).to_be_visible()
