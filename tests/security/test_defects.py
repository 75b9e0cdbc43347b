"""The numbered defects of the security review (issue 9), one or more tests each.

Each test states the attack, then asserts the site's answer. Read as a checklist:
2 partner access ends, 4 drafts stay hidden, 7 bad input is a clear 4xx, 8 links never
come from the Host header, 9 no-store, 11 limits, 12 formula escaping.
"""

import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import icalendar
import pytest
from werkzeug.routing.converters import NumberConverter

from organizer.extensions import db
from organizer.models import EventStatus, Group, Need, utcnow
from organizer.spreadsheet import safe_cell, unescape_cell
from tests.event_factories import make_event, make_pairing_run
from tests.factories import make_group, make_member, make_need, make_offer, make_user

TOO_BIG_IDS = (2**31, 2**63, 2**64)


@pytest.fixture
def club(app):
    organizer = make_user(name="Olga Organizer", email="olga@example.org")
    group = make_group(organizer=organizer, name="Job Club", time_zone="America/Toronto")
    alice = make_member(group, name="Alice Example", email="alice@example.org")
    dave = make_member(group, name="Dave Example", email="dave@example.org")
    return group, organizer, alice, dave


def publish_pairs(event, *pairs, published_at=None):
    """A published version of `event`'s pairs, written directly (no solve needed)."""
    return make_pairing_run(event, 1, pairs, published_at=published_at or utcnow())


# --- 2: "partner" access ends -------------------------------------------------------------------

def partner_view(client, group, owner, event):
    """What a partner reads of `owner`: the member page, the directory and the lunch page."""
    return (client.get(f"/groups/{group.slug}/members/{owner.id}").get_data(as_text=True)
            + client.get(f"/groups/{group.slug}/members/?q=quiet").get_data(as_text=True)
            + client.get(f"/groups/{group.slug}/events/{event.id}/pairing/mine").get_data(as_text=True))


@pytest.mark.parametrize("ended_weeks_ago,status,sees", [
    (-1, EventStatus.OPEN, True),       # upcoming
    (7, EventStatus.DONE, True),        # within the 8-week cool-down
    (9, EventStatus.DONE, False),       # past it
    (104, EventStatus.DONE, False),
    (-1, EventStatus.CANCELLED, False),
])
def test_partner_access_lasts_from_publication_to_the_end_of_the_cool_down(
        club, client, auth, ended_weeks_ago, status, sees):
    group, organizer, alice, dave = club
    assert group.repeat_cooldown_weeks == 8
    event = make_event(group, starts_at=utcnow() - timedelta(weeks=ended_weeks_ago, hours=2), status=status)
    publish_pairs(event, (alice, dave))
    from organizer.members.service import update_profile
    update_profile(dave, contact="dave phone 555-0199")
    make_need(group, dave, title="A quiet word about agents", visibility="partner")  # written after the lunch
    auth.login("alice@example.org")
    page = partner_view(client, group, dave, event)
    assert ("A quiet word about agents" in page) is sees
    assert ("555-0199" in page) is sees
    auth.logout()
    auth.login("olga@example.org")  # organizers always see it
    assert "A quiet word about agents" in client.get(f"/groups/{group.slug}/members/{dave.id}").get_data(as_text=True)


def test_the_needs_page_says_how_long_a_partner_sees_a_need(club, client, auth):
    group, organizer, alice, dave = club
    auth.login("alice@example.org")
    page = client.get(f"/groups/{group.slug}/members/me").get_data(as_text=True)
    assert "until 8 weeks after the lunch" in page
    profile = client.get(f"/groups/{group.slug}/members/me/profile").get_data(as_text=True)
    assert "until 8 weeks after the lunch" in profile


# --- 4: a draft's pairing pages are as hidden as the draft ------------------------------------

def test_a_member_cannot_read_a_draft_events_title_through_its_pairing_pages(club, client, auth):
    group, organizer, alice, dave = club
    draft = make_event(group, title="Secret reorganisation lunch", status=EventStatus.DRAFT)
    publish_pairs(draft, (alice, dave))
    auth.login("alice@example.org")
    base = f"/groups/{group.slug}/events/{draft.id}"
    assert client.get(base + "/").status_code == 404
    for url in (base + "/pairing/mine", base + "/pairing/mine.ics"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert b"Secret reorganisation" not in response.data, url
    auth.logout()
    auth.login("olga@example.org")
    assert b"Secret reorganisation" in client.get(base + "/pairing/mine").data


# --- 7: bad input is a clear 4xx, never a server error ------------------------------------------

def test_ids_beyond_the_databases_integers_are_404_in_every_url(club, client, auth, app):
    group, organizer, alice, dave = club
    make_event(group)
    auth.login("olga@example.org")
    rules = [r for r in app.url_map.iter_rules()
             if any(isinstance(c, NumberConverter) for c in r._converters.values())]
    assert len(rules) >= 30
    for rule in rules:
        for big in TOO_BIG_IDS:
            url = rule.rule
            for name in rule.arguments:
                value = group.slug if name == "slug" else str(big)
                url = url.replace(f"<{name}>", value).replace(f"<int:{name}>", value)
            for method in sorted(rule.methods & {"GET", "POST"}):
                response = client.open(url, method=method)
                assert response.status_code == 404, f"{method} {url}: {response.status_code}"


@pytest.mark.parametrize("big", TOO_BIG_IDS)
def test_an_out_of_range_version_in_the_query_is_404(club, client, auth, big):
    group, organizer, alice, dave = club
    event = make_event(group)
    auth.login("olga@example.org")
    response = client.get(f"/groups/{group.slug}/events/{event.id}/pairing/?version={big}")
    assert response.status_code == 404


def event_form(**overrides):
    data = {"title": "Lunch", "starts_at": "2030-12-05T12:00", "ends_at": "", "venue_name": "",
            "venue_address": "", "capacity": "", "rounds": "1", "rsvp_deadline": "", "description": ""}
    data.update(overrides)
    return data


@pytest.mark.parametrize("time_zone", ["Pacific/Kiritimati", "UTC", "Pacific/Pago_Pago"])
@pytest.mark.parametrize("field,value", [
    ("starts_at", "0001-01-01T00:30"), ("starts_at", "9999-12-31T23:30"),
    ("ends_at", "9999-12-31T23:59"), ("rsvp_deadline", "0001-01-01T00:00"),
])
def test_dates_at_the_ends_of_the_calendar_are_refused_with_a_message(app, client, auth, time_zone, field, value):
    organizer = make_user(email="olga@example.org")
    group = make_group(organizer=organizer, time_zone=time_zone)
    event = make_event(group)
    auth.login("olga@example.org")
    for url in (f"/groups/{group.slug}/events/new", f"/groups/{group.slug}/events/{event.id}/edit"):
        response = client.post(url, data=event_form(**{field: value}))
        assert response.status_code in (200, 400), f"{url}: {response.status_code}"
        assert "between the years" in response.get_data(as_text=True), url


@pytest.mark.parametrize("value", ["0001-01-01T00:30", "9999-12-31T23:30"])
def test_create_event_command_refuses_calendar_end_dates_in_one_line(app, runner, value):
    for zone in ("Pacific/Kiritimati", "Pacific/Pago_Pago"):
        group = make_group(time_zone=zone)
        result = runner.invoke(args=["create-event", group.slug, "Lunch", "--starts-at", value])
        assert result.exit_code == 1, result.output
        assert "between the years" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("year", [1, 9999])
def test_an_event_whose_calendar_file_cannot_be_written_gets_a_clear_answer(club, client, auth, year):
    group, organizer, alice, dave = club
    starts_at = datetime(year, 6, 1, 12, 0, tzinfo=UTC)
    event = make_event(group, starts_at=starts_at)
    publish_pairs(event, (alice, dave))
    auth.login("alice@example.org")
    for url in (f"/groups/{group.slug}/events/{event.id}/event.ics",
                f"/groups/{group.slug}/events/{event.id}/pairing/mine.ics"):
        response = client.get(url)
        if response.status_code == 200:
            assert icalendar.Calendar.from_ical(response.data).walk("VEVENT"), url
        else:
            assert response.status_code == 404, url
            assert "calendar" in response.get_data(as_text=True), url


def test_a_post_over_the_size_limit_when_signed_in_is_413_with_the_usual_headers(club, client, auth, app):
    group, organizer, alice, dave = club
    auth.login("olga@example.org")
    body = b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    for url in (f"/groups/{group.slug}/members/import", f"/groups/{group.slug}/members/me/needs"):
        response = client.post(url, data=body, content_type="application/x-www-form-urlencoded")
        assert response.status_code == 413, url
        assert b"larger than this site accepts" in response.data
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["Cache-Control"] == "no-store"
        assert b"Olga Organizer" in response.data or b"Log out" in response.data  # the signed-in layout


# --- 12: formula escaping -----------------------------------------------------------------------

@pytest.mark.parametrize("lead", ["=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20"])
def test_every_formula_lead_is_escaped_and_reads_back(lead):
    value = f"{lead}HYPERLINK(\"http://x\")"
    escaped = safe_cell(value)
    assert escaped.startswith("'"), repr(lead)
    assert unescape_cell(escaped) == value


# --- 8: absolute links come from BASE_URL, never from the Host header ----------------------------

EVIL_HOST = "evil.example"


def test_links_in_calendar_files_invites_and_import_results_ignore_the_host_header(club, client, auth, app):
    group, organizer, alice, dave = club
    event = make_event(group)
    publish_pairs(event, (alice, dave))
    base = app.config["BASE_URL"].rstrip("/")
    evil = {"Host": EVIL_HOST}
    auth.login("olga@example.org")
    session_cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    client.set_cookie(session_cookie.key, session_cookie.value, domain=EVIL_HOST)  # the attacker's proxy
    ics = client.get(f"/groups/{group.slug}/events/{event.id}/event.ics", headers=evil)
    vevent = icalendar.Calendar.from_ical(ics.data).walk("VEVENT")[0]
    assert str(vevent["URL"]) == f"{base}/groups/{group.slug}/events/{event.id}/"
    assert str(vevent["UID"]).endswith("@localhost")
    mine = client.get(f"/groups/{group.slug}/events/{event.id}/pairing/mine.ics", headers=evil)
    assert mine.status_code == 200
    settings = client.get(f"/groups/{group.slug}/settings", headers=evil).get_data(as_text=True)
    assert f"{base}/groups/join/{group.invite_code}" in settings
    preview = client.post(f"/groups/{group.slug}/members/import", headers=evil, content_type="multipart/form-data",
                          data={"file": (io.BytesIO(b"name,email\nNew Person,new.person@example.org\n"), "m.csv")})
    content = re.search(r'name="content" type="hidden" value="([^"]+)"', preview.get_data(as_text=True)).group(1)
    done = client.post(f"/groups/{group.slug}/members/import/confirm", data={"content": content}, headers=evil)
    from organizer.models import Message
    (welcome,) = db.session.scalars(db.select(Message).where(Message.kind == "welcome"))
    assert f"{base}/auth/set-password/" in welcome.body_text and EVIL_HOST not in welcome.body_html
    for response in (ics, mine, done):
        assert EVIL_HOST.encode() not in response.data
    assert EVIL_HOST not in settings


def test_no_view_builds_an_absolute_link_from_the_request():
    """`url_for(..., _external=True)` and `request.host_url` take the host from the client."""
    package = Path(__file__).resolve().parents[2] / "organizer"
    offenders = []
    for path in package.rglob("*.py"):
        text = path.read_text()
        if path.name != "urls.py" and ("_external=True" in text or "host_url" in text or "url_root" in text):
            offenders.append(str(path.relative_to(package)))
    assert offenders == []


# --- 9: nothing personal is kept in a browser's or a proxy's cache -------------------------------

def test_files_and_pages_with_contact_details_or_pairings_are_no_store(club, client, auth, app):
    group, organizer, alice, dave = club
    event = make_event(group)
    run = publish_pairs(event, (alice, dave))
    auth.login("olga@example.org")
    base = f"/groups/{group.slug}"
    urls = [f"{base}/events/{event.id}/attendees.csv", f"{base}/members/export.csv",
            f"{base}/events/{event.id}/pairing/pairs.csv", f"{base}/events/{event.id}/pairing/{run.id}/sheets.pdf",
            f"{base}/events/{event.id}/pairing/{run.id}/print", f"{base}/events/{event.id}/event.ics",
            f"{base}/events/{event.id}/pairing/mine.ics", f"{base}/members/{dave.id}", f"{base}/settings",
            f"{base}/roles", "/auth/login", "/no/such/page"]
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 302, 404), url
        assert response.headers.get("Cache-Control") == "no-store", url
    with client.get("/static/css/site.css") as static:
        assert "no-store" not in static.headers.get("Cache-Control", "")


# --- 11: limits on what one member or account can add ---------------------------------------------

def test_a_member_keeps_at_most_20_needs_and_20_offers_per_group(club, client, auth):
    group, organizer, alice, dave = club
    for n in range(20):
        make_need(group, alice, title=f"Need {n}")
        make_offer(group, alice, title=f"Offer {n}")
    auth.login("alice@example.org")
    base = f"/groups/{group.slug}/members/me"
    need = client.post(base + "/needs", data={"new-need-title": "One too many", "new-need-priority": "normal",
                                              "new-need-status": "open", "new-need-visibility": "group"})
    offer = client.post(base + "/offers", data={"new-offer-title": "One too many", "new-offer-kind": "advice",
                                                "new-offer-active": "y"})
    for response in (need, offer):
        assert response.status_code == 400
        assert "the most one member can keep" in response.get_data(as_text=True)
    page = client.get(base).get_data(as_text=True)
    assert "One too many" not in page and "up to 20 needs in this group (20 now)" in page
    other = make_group(organizer=organizer)  # the limit is per group
    from organizer.groups.service import add_member
    add_member(other, alice)
    db.session.commit()
    assert client.post(f"/groups/{other.slug}/members/me/needs", data={
        "new-need-title": "A first need elsewhere", "new-need-priority": "normal", "new-need-status": "open",
        "new-need-visibility": "group"}).status_code == 302


def test_an_import_that_would_pass_the_limits_is_refused_line_by_line(club, runner, tmp_path):
    group, organizer, alice, dave = club
    first = tmp_path / "first.csv"
    needs = "\n".join(f"Need {n}" for n in range(18))
    first.write_text(f'name,email,needs\nNew Person,new.person@example.org,"{needs}"\n')
    assert runner.invoke(args=["import-members", group.slug, str(first)]).exit_code == 0
    many = "\n".join(f"Offer {n}" for n in range(21))
    second = tmp_path / "second.csv"
    second.write_text('name,email,needs,offers\n'
                      'New Person,new.person@example.org,"Need 1;New A;New B;New C",\n'
                      f'Other Person,other.person@example.org,,"{many}"\n')
    result = runner.invoke(args=["import-members", group.slug, str(second)])
    assert result.exit_code == 1
    assert "line 2: new.person@example.org would have 21 needs in this group; a member keeps at most 20" in result.output
    assert "line 3: 21 offers: a member keeps at most 20 offers" in result.output
    assert db.session.scalar(db.select(db.func.count()).select_from(Need)) == 18


def test_one_account_creates_a_limited_number_of_groups_per_day(app, client, auth):
    make_user(email="spammer@example.org")
    auth.login("spammer@example.org")
    limit = app.config["GROUPS_PER_DAY"]
    assert 1 <= limit <= 20
    for n in range(limit):
        response = client.post("/groups/new", data={"name": f"Club {n}", "time_zone": "UTC", "repeat_cooldown_weeks": "8"})
        assert response.status_code == 302, n
    refused = client.post("/groups/new", data={"name": "One more", "time_zone": "UTC", "repeat_cooldown_weeks": "8"})
    assert "the most one account may" in refused.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Group)) == limit
    older = utcnow() - timedelta(days=1, minutes=1)
    db.session.execute(db.update(Group).values(created_at=older))  # a day later, the count starts again
    db.session.commit()
    again = client.post("/groups/new", data={"name": "Next day", "time_zone": "UTC", "repeat_cooldown_weeks": "8"})
    assert again.status_code == 302


NUL = "\x00"


def test_a_nul_character_in_any_form_field_or_query_is_refused_with_a_message(club, client, auth, app):
    group, organizer, alice, dave = club
    auth.login("alice@example.org")
    attempts = [
        ("POST", f"/groups/{group.slug}/members/me/needs", {"new-need-title": f"A{NUL}B", "new-need-priority": "normal",
                                                            "new-need-status": "open", "new-need-visibility": "group"}),
        ("POST", f"/groups/{group.slug}/members/me/profile", {"name": "Alice", "bio": f"x{NUL}"}),
        ("GET", f"/groups/{group.slug}/members/?q=a{NUL}b", None),
        ("POST", "/groups/new", {"name": f"Club{NUL}", "time_zone": "UTC", "repeat_cooldown_weeks": "8"}),
    ]
    for method, url, data in attempts:
        response = client.open(url, method=method, data=data)
        assert response.status_code == 400, url
        assert "NUL character" in response.get_data(as_text=True), url
    auth.logout()
    login = client.post("/auth/login", data={"email": f"alice{NUL}@example.org", "password": "x"})
    assert login.status_code == 400 and "NUL character" in login.get_data(as_text=True)
    assert client.get(f"/groups/{group.slug}%00/").status_code == 404
    db.session.refresh(alice)
    assert alice.name == "Alice Example"


def test_a_nul_character_in_an_imported_file_is_refused_with_its_line(club, runner, client, auth, tmp_path):
    group, organizer, alice, dave = club
    path = tmp_path / "members.csv"
    path.write_bytes(b"name,email\nAnn,ann@example.org\nBo\x00b,bob@example.org\n")
    result = runner.invoke(args=["import-members", group.slug, str(path)])
    assert result.exit_code == 1 and "Line 3 holds a NUL character" in result.output
    auth.login("olga@example.org")
    page = client.post(f"/groups/{group.slug}/members/import", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(path.read_bytes()), "m.csv")})
    assert page.status_code == 400 and "Line 3 holds a NUL character" in page.get_data(as_text=True)


@pytest.mark.parametrize("command", [["pair"], ["sheets", "--out", "x.pdf"]])
@pytest.mark.parametrize("big", TOO_BIG_IDS)
def test_an_event_id_too_big_for_the_database_on_the_command_line_is_one_line(app, runner, command, big):
    result = runner.invoke(args=[command[0], str(big), *command[1:]])
    assert result.exit_code == 1
    assert f"No event with id {big}." in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
