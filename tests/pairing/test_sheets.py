"""What prints on the day: each PDF has its own file name, "find your table" lists everyone
alphabetically with their table, large type is at least 18 pt, the print view has a Print button."""

import re
import subprocess

import pytest
from flask import current_app

from organizer.database import transaction
from organizer.extensions import db
from organizer.models import utcnow
from organizer.pairing import publishing, runs, sheets
from tests.event_factories import make_event, make_rsvp
from tests.factories import make_group, make_member, make_need, make_offer, make_user

TIME_LIMIT = 10.0


@pytest.fixture
def published(app):
    group = make_group(organizer=make_user(name="Olga Organizer", email="olga@example.org"), name="Job Club")
    event = make_event(group, title="December lunch")
    for name, need, offer in [
        ("Zoe Walker", "A publisher for my book", "Resume reviews"),
        ("Adam Brook", "Resume reviews for a career change", "Introduction to my literary agent and publisher"),
        ("Mia Chen", "Promote my running class", "Licensed electrician work in Oakville"),
        ("Bo Diaz", "A good electrician in Oakville", "Marketing plan for a running class"),
        ("Kim Ito", "Negotiation tips for buying a car", "Car-buying negotiation tips"),
    ]:
        user = make_member(group, name=name)
        make_need(group, user, title=need)
        make_offer(group, user, title=offer)
        make_rsvp(event, user, checked_in=True)
    db.session.commit()  # the test's own rows; execute_run opens transactions of its own
    with transaction():
        run_id = runs.claim_run(event, None, utcnow(), TIME_LIMIT).id
    run = runs.execute_run(run_id, TIME_LIMIT)
    with transaction():
        publishing.publish(run, utcnow())
    return group, event, run


def url(group, event, run, what):
    return f"/groups/{group.slug}/events/{event.id}/pairing/{run.id}/{what}"


def sheet_pdf(group, event, run, query=""):
    """The PDF the site makes of ``query``'s part and type (its layout: how it is made and
    delivered is tests/pairing/test_printing's), rendered here as the background job does."""
    args = dict(pair.split("=") for pair in query.lstrip("?").split("&") if pair)
    with current_app.test_request_context():
        return sheets.pdf(group, event, run, utcnow(), large=args.get("large") == "1", part=args.get("part", "all"))


def pdf_words(tmp_path, data, name="sheet.pdf"):
    """(word, height in points) of every word, read back with poppler's pdftotext -bbox."""
    path = tmp_path / name
    path.write_bytes(data)
    html = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return [(m.group(5), float(m.group(4)) - float(m.group(2)))
            for m in re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', html)]


def test_each_pdf_has_its_own_file_name(published):
    group, event, run = published
    names = {sheets.filename(event, run, part, large) for part in sheets.PARTS for large in (False, True)}
    assert len(names) == 2 * len(sheets.PARTS)
    assert f"event-{event.id}-v{run.version}-cards.pdf" in names
    assert f"event-{event.id}-v{run.version}-find-your-table-large.pdf" in names


def test_find_your_table_lists_everyone_alphabetically_with_their_table(published, client, auth, tmp_path):
    group, event, run = published
    auth.login("olga@example.org")
    data = sheet_pdf(group, event, run, "?part=finder&large=1")  # one column
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
    seated = {s.user.name: t.number for t in run.tables for s in t.seats}
    lines = [line.split() for line in text.splitlines() if any(name in line for name in seated)]
    found = {" ".join(words[:2]): int(words[-1]) for words in lines}
    assert found == seated
    assert [" ".join(words[:2]) for words in lines] == sorted(seated, key=str.casefold)


def test_large_type_is_at_least_18_points(published, client, auth, tmp_path):
    group, event, run = published
    auth.login("olga@example.org")
    normal = dict(pdf_words(tmp_path, sheet_pdf(group, event, run, "?part=master"), "n.pdf"))
    large = dict(pdf_words(tmp_path, sheet_pdf(group, event, run, "?part=master&large=1"), "l.pdf"))
    # "Names" is a header word of body size; a glyph box is a little taller than the font size
    assert large["Names"] >= 18 and normal["Names"] < 18


def test_the_print_view_has_a_print_button_and_every_part(published, client, auth):
    group, event, run = published
    auth.login("olga@example.org")
    page = client.get(url(group, event, run, "print")).get_data(as_text=True)
    assert 'data-print' in page and ">Print</button>" in page
    assert "Master sheet" in page and "Find your table" in page and "tent-sheet" in page
    cards_only = client.get(url(group, event, run, "print") + "?part=cards").get_data(as_text=True)
    assert "tent-sheet" in cards_only and "master-table" not in cards_only


def test_the_pdfs_styles_avoid_what_weasyprint_draws_slowly():
    """WeasyPrint lays flex boxes out several times over and draws a dotted border dot by dot: with
    them the PDF of 400 attendees took 27 s and weighed 6 MB (a web worker's time limit is 30 s);
    with tables and solid or dashed lines, 7 s and 0.4 MB. The screen's print view may use flex."""
    from organizer.pairing.sheets import PRINT_CSS

    css = PRINT_CSS.read_text()
    printed = re.sub(r"@media screen \{.*\n\}", "", css, flags=re.S)  # the last block: the screen's rules
    assert "@media screen" in css and "@media screen" not in printed
    assert "flex" not in printed and "dotted" not in printed
    assert re.search(r"\.master-table \{[^}]*table-layout: fixed", printed)  # no cell measured first


def test_each_tent_card_is_half_a_sheet_on_one_page_whatever_it_holds(app, client, auth, tmp_path):
    """Three tables (an odd number of cards) with long asks and offers, in large type: every pair
    of cards prints on one sheet, and the last card alone keeps half of it (a card split over two
    sheets, or stretched across one, cannot be folded)."""
    group = make_group(organizer=make_user(name="Olga Organizer", email="olga@example.org"), name="Job Club")
    event = make_event(group, title="December lunch")
    long = "with a long explanation of what exactly would help, who to ask and where to find them " * 2
    for i in range(7):
        user = make_member(group, name=f"Person {i} With A Rather Long Name")
        make_need(group, user, title=f"A publisher for my book {long}"[:120], details=long)
        make_offer(group, user, title=f"Introductions to publishers and editors {long}"[:120], details=long)
        make_rsvp(event, user, checked_in=True)
    db.session.commit()
    with transaction():
        run_id = runs.claim_run(event, None, utcnow(), TIME_LIMIT).id
    run = runs.execute_run(run_id, TIME_LIMIT)
    auth.login("olga@example.org")
    data = sheet_pdf(group, event, run, "?part=cards&large=1")
    path = tmp_path / "cards.pdf"
    path.write_bytes(data)
    html = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    pages = re.findall(r'<page width="([\d.]+)" height="[\d.]+">(.*?)</page>', html, flags=re.S)
    assert len(run.tables) == 3 and len(pages) == 2
    width, last = float(pages[-1][0]), pages[-1][1]
    right_edges = [float(x) for x in re.findall(r'<word xMin="[\d.]+" yMin="[\d.]+" xMax="([\d.]+)"', last)]
    assert right_edges and max(right_edges) < width / 2
