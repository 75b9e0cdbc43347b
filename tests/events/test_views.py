"""The events pages: organizers create and run events, members answer; exports and access."""

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import icalendar
import pytest

from organizer.events import service
from organizer.extensions import db
from organizer.models import Event, EventStatus, RsvpState, utcnow
from tests.conftest import csrf_token_from
from tests.event_factories import make_event, make_rsvp
from tests.factories import make_group, make_member, make_user


@pytest.fixture
def club(app):
    organizer = make_user(name="Maria Coach", email="coach@example.org")
    group = make_group(organizer=organizer, name="Job Club", time_zone="America/Toronto")
    member = make_member(group, name="Dave Okafor", email="dave@example.org")
    return group, organizer, member


def event_url(event, suffix=""):
    return f"/groups/{event.group.slug}/events/{event.id}/{suffix}"


def new_event_form(**overrides):
    data = {"title": "December lunch", "starts_at": "2030-12-05T12:00", "ends_at": "", "venue_name": "Luigi's",
            "venue_address": "1 Main St", "capacity": "", "rounds": "2", "rsvp_deadline": "", "description": ""}
    data.update(overrides)
    return data


# --- Organizers create and edit -----------------------------------------------------------------

def test_organizer_creates_an_event_open_for_rsvp(client, auth, club):
    group, _, _ = club
    auth.login("coach@example.org")
    response = client.post(f"/groups/{group.slug}/events/new", data=new_event_form())
    event = db.session.scalar(db.select(Event))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/events/{event.id}/")
    assert (event.title, event.status, event.rounds) == ("December lunch", EventStatus.OPEN, 2)
    assert event.starts_at == datetime(2030, 12, 5, 17, 0, tzinfo=UTC)


def test_save_as_draft_creates_a_draft(client, auth, club):
    group, _, _ = club
    auth.login("coach@example.org")
    client.post(f"/groups/{group.slug}/events/new", data={**new_event_form(), "save_draft": "1"})
    assert db.session.scalar(db.select(Event.status)) == EventStatus.DRAFT


def test_a_nonexistent_local_time_is_explained_on_the_form(client, auth, club):
    group, _, _ = club
    auth.login("coach@example.org")
    response = client.post(f"/groups/{group.slug}/events/new", data=new_event_form(starts_at="2031-03-09T02:30"))
    assert response.status_code == 200
    assert "clocks go forward" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(Event)) is None


def test_edit_form_shows_times_in_the_groups_zone(client, auth, club):
    group, _, _ = club
    event = make_event(group, starts_at=datetime(2030, 12, 5, 17, 0, tzinfo=UTC))
    auth.login("coach@example.org")
    html = client.get(event_url(event, "edit")).get_data(as_text=True)
    assert 'value="2030-12-05T12:00"' in html


def test_organizer_edits_an_event(client, auth, club):
    group, _, _ = club
    event = make_event(group, starts_at=datetime(2030, 12, 5, 17, 0, tzinfo=UTC))
    auth.login("coach@example.org")
    client.post(event_url(event, "edit"), data=new_event_form(title="New title", capacity="12"))
    db.session.refresh(event)
    assert (event.title, event.capacity) == ("New title", 12)


def test_a_member_cannot_open_the_new_event_page(client, auth, club):
    group, _, _ = club
    auth.login("dave@example.org")
    assert client.get(f"/groups/{group.slug}/events/new").status_code == 403


def test_members_do_not_see_drafts(client, auth, club):
    group, _, _ = club
    event = make_event(group, title="Secret plan", status=EventStatus.DRAFT)
    auth.login("dave@example.org")
    assert "Secret plan" not in client.get(f"/groups/{group.slug}/events/").get_data(as_text=True)
    assert client.get(event_url(event)).status_code == 404


def test_an_event_of_another_group_is_not_found(client, auth, club):
    group, _, _ = club
    other = make_event(make_group())
    auth.login("coach@example.org")
    assert client.get(f"/groups/{group.slug}/events/{other.id}/").status_code == 404


def test_organizer_opens_a_draft(client, auth, club):
    group, _, _ = club
    event = make_event(group, status=EventStatus.DRAFT)
    auth.login("coach@example.org")
    client.post(event_url(event, "open"))
    db.session.refresh(event)
    assert event.status == EventStatus.OPEN


# --- Members see and answer ---------------------------------------------------------------------

def test_events_page_lists_upcoming_and_past_events(client, auth, club):
    group, _, _ = club
    make_event(group, title="Next lunch")
    make_event(group, title="Old lunch", starts_in=timedelta(days=-30))
    auth.login("dave@example.org")
    html = client.get(f"/groups/{group.slug}/events/").get_data(as_text=True)
    assert html.index("Next lunch") < html.index("Past events") < html.index("Old lunch")


def test_past_events_come_ten_a_page_latest_first(client, auth, club):
    """A group that meets every week has fifty more a year: the past ones come a page at a time."""
    group, _, _ = club
    for week in range(1, 26):
        make_event(group, title=f"Lunch of week -{week:02d}", starts_in=timedelta(weeks=-week))
    make_event(group, title="Next lunch")
    auth.login("dave@example.org")

    def titles(html: str) -> list[str]:
        return re.findall(r"Lunch of week -\d\d", html)

    first = client.get(f"/groups/{group.slug}/events/").get_data(as_text=True)
    assert "Next lunch" in first and titles(first) == [f"Lunch of week -{w:02d}" for w in range(1, 11)]
    assert "Page 1 of 3" in first
    last = client.get(f"/groups/{group.slug}/events/?page=3").get_data(as_text=True)
    assert "Next lunch" in last and titles(last) == [f"Lunch of week -{w:02d}" for w in range(21, 26)]
    assert titles(client.get(f"/groups/{group.slug}/events/?page=9").get_data(as_text=True)) == titles(last)


def test_event_page_shows_the_time_in_the_groups_zone(client, auth, club):
    group, _, _ = club
    event = make_event(group, starts_at=datetime(2030, 12, 5, 17, 0, tzinfo=UTC))
    auth.login("dave@example.org")
    html = client.get(event_url(event)).get_data(as_text=True)
    assert "Thursday 05 December 2030, 12:00 to 13:30 EST" in html


def test_member_answers_yes(client, auth, club):
    group, _, member = club
    event = make_event(group)
    auth.login("dave@example.org")
    response = client.post(event_url(event, "rsvp"), data={"answer": "yes"}, follow_redirects=True)
    assert "You are in." in response.get_data(as_text=True)
    assert service.rsvp_of(event.id, member.id).state == RsvpState.GOING


def test_member_on_a_full_event_is_told_their_waitlist_number(client, auth, club):
    group, organizer, member = club
    event = make_event(group, capacity=1)
    make_rsvp(event, organizer)
    auth.login("dave@example.org")
    html = client.post(event_url(event, "rsvp"), data={"answer": "yes"}, follow_redirects=True).get_data(as_text=True)
    assert "number 1 on the waitlist" in html


def test_member_cannot_change_the_answer_after_the_deadline(client, auth, club):
    group, _, member = club
    event = make_event(group, rsvp_deadline=utcnow() - timedelta(hours=1))
    make_rsvp(event, member)
    auth.login("dave@example.org")
    html = client.post(event_url(event, "rsvp"), data={"answer": "no"}, follow_redirects=True).get_data(as_text=True)
    assert "Answers closed on" in html
    assert service.rsvp_of(event.id, member.id).state == RsvpState.GOING


def promote(group, organizer, member):
    event = make_event(group, capacity=1)
    t = utcnow()
    service.answer(event, organizer, True, t)
    service.answer(event, member, True, t + timedelta(seconds=1))
    service.answer(event, organizer, False, t + timedelta(seconds=2))
    return event


def test_promoted_member_is_told_on_every_visit_and_reading_writes_nothing(client, auth, club):
    group, organizer, member = club
    event = promote(group, organizer, member)
    auth.login("dave@example.org")
    first = client.get(f"/groups/{group.slug}/events/").get_data(as_text=True)
    second = client.get(f"/groups/{group.slug}/").get_data(as_text=True)
    assert "you moved up from the waitlist" in first
    assert "you moved up from the waitlist" in second
    assert service.rsvp_of(event.id, member.id).promotion_seen_at is None


def test_promoted_member_is_not_told_again_once_they_press_got_it(client, auth, club):
    group, organizer, member = club
    event = promote(group, organizer, member)
    auth.login("dave@example.org")
    back = f"/groups/{group.slug}/events/"
    response = client.post(f"/groups/{group.slug}/events/promotions/seen", data={"next": back})
    assert response.headers["Location"] == back
    assert "you moved up from the waitlist" not in client.get(back).get_data(as_text=True)
    assert service.rsvp_of(event.id, member.id).promotion_seen_at is not None


def test_members_see_a_cancelled_event_is_cancelled_and_no_answer_buttons(client, auth, club):
    group, _, _ = club
    event = make_event(group, status=EventStatus.CANCELLED)
    auth.login("dave@example.org")
    html = client.get(event_url(event)).get_data(as_text=True)
    assert "This event is cancelled" in html
    assert "Yes, I will come" not in html


def test_organizer_cancels_an_event(client, auth, club):
    group, _, _ = club
    event = make_event(group)
    auth.login("coach@example.org")
    client.post(event_url(event, "cancel"))
    db.session.refresh(event)
    assert event.status == EventStatus.CANCELLED


def test_user_typed_text_is_escaped(client, auth, club):
    group, _, _ = club
    make_event(group, title="<script>alert(1)</script>")
    auth.login("dave@example.org")
    html = client.get(f"/groups/{group.slug}/events/").get_data(as_text=True)
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html


def test_rsvp_with_the_pages_csrf_token_is_accepted(client, auth, club, csrf_on, app):
    group, _, member = club
    event = make_event(group)
    app.config["WTF_CSRF_ENABLED"] = False
    auth.login("dave@example.org")
    app.config["WTF_CSRF_ENABLED"] = True
    token = csrf_token_from(client.get(event_url(event)).get_data(as_text=True))
    client.post(event_url(event, "rsvp"), data={"csrf_token": token, "answer": "yes"})
    assert service.rsvp_of(event.id, member.id).state == RsvpState.GOING


# --- The door -------------------------------------------------------------------------------------

def test_check_in_page_filters_by_name_without_javascript(client, auth, club):
    group, _, _ = club
    event = make_event(group)
    make_rsvp(event, make_member(group, name="Ann Lee"))
    make_rsvp(event, make_member(group, name="Bob Stone"))
    auth.login("coach@example.org")
    html = client.get(event_url(event, "check-in?q=ann")).get_data(as_text=True)
    assert "Ann Lee" in html and "Bob Stone" not in html


def test_organizer_checks_someone_in_from_the_door_page(client, auth, club):
    group, _, member = club
    event = make_event(group)
    make_rsvp(event, member)
    auth.login("coach@example.org")
    html = client.post(event_url(event, f"check-in/{member.id}"), follow_redirects=True).get_data(as_text=True)
    assert "Arrived: Dave Okafor." in html
    assert service.rsvp_of(event.id, member.id).checked_in_at is not None


def test_door_page_shows_the_counts(client, auth, club):
    group, _, member = club
    event = make_event(group)
    make_rsvp(event, member, checked_in=True)
    make_rsvp(event, make_member(group))
    auth.login("coach@example.org")
    html = client.get(event_url(event, "check-in")).get_data(as_text=True)
    assert re.search(r'id="count-yes">2<', html) and re.search(r'id="count-checked-in">1<', html)
    assert re.search(r'id="count-not-arrived">1<', html)
    # a search that finds nobody, or a page past the end, shows the same counts
    for query in ("?q=nobody-at-all", "?waiting=1&page=7"):
        html = client.get(event_url(event, "check-in") + query).get_data(as_text=True)
        assert re.search(r'id="count-yes">2<', html) and re.search(r'id="count-checked-in">1<', html), query
    page = client.get(event_url(event)).get_data(as_text=True)  # the organizer's event page: the same counts
    assert "2 going, no limit" in page and "Answered yes: 2 · Checked in: 1 ·" in page
    auth.logout()
    auth.login(member.email)
    assert "2 going, no limit" in client.get(event_url(event)).get_data(as_text=True)  # a member's


def test_organizer_adds_a_new_person_as_walk_in(client, auth, club):
    group, _, _ = club
    event = make_event(group)
    auth.login("coach@example.org")
    client.post(event_url(event, "walk-ins/new"), data={"name": "Nora Quinn", "email": "nora@example.org"})
    counts = service.attendance_counts(event)
    assert (counts.walk_ins, counts.checked_in) == (1, 1)


def test_a_walk_in_with_a_bad_email_is_refused_with_the_reason(client, auth, club):
    group, _, _ = club
    event = make_event(group)
    auth.login("coach@example.org")
    html = client.post(event_url(event, "walk-ins/new"), data={"name": "Nora", "email": "not-an-email"},
                       follow_redirects=True).get_data(as_text=True)
    assert "Not a valid email address" in html
    assert service.attendance_counts(event).walk_ins == 0


def test_organizer_adds_an_existing_member_as_walk_in(client, auth, club):
    group, _, member = club
    event = make_event(group)
    auth.login("coach@example.org")
    client.post(event_url(event, "walk-ins"), data={"user_id": str(member.id)})
    assert service.rsvp_of(event.id, member.id).walk_in


def test_a_member_cannot_check_anyone_in(client, auth, club):
    group, organizer, _ = club
    event = make_event(group)
    make_rsvp(event, organizer)
    auth.login("dave@example.org")
    assert client.post(event_url(event, f"check-in/{organizer.id}")).status_code == 403
    assert service.rsvp_of(event.id, organizer.id).checked_in_at is None


# --- Calendar file ----------------------------------------------------------------------------------

def test_ics_parses_back_with_the_local_time_and_zone(client, auth, club):
    group, _, _ = club
    event = make_event(group, starts_at=datetime(2030, 12, 5, 17, 0, tzinfo=UTC))
    auth.login("dave@example.org")
    response = client.get(event_url(event, "event.ics"))
    assert response.mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(response.data)
    vevent = calendar.events[0]
    assert vevent["DTSTART"].params["TZID"] == "America/Toronto"
    assert vevent.start.replace(tzinfo=None) == datetime(2030, 12, 5, 12, 0)
    assert vevent.start == datetime(2030, 12, 5, 17, 0, tzinfo=UTC)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["America/Toronto"]


def test_ics_uid_is_stable_across_edits(client, auth, club):
    group, _, _ = club
    event = make_event(group)
    auth.login("coach@example.org")
    first = icalendar.Calendar.from_ical(client.get(event_url(event, "event.ics")).data).events[0]
    event.title = "Renamed"
    db.session.commit()
    second = icalendar.Calendar.from_ical(client.get(event_url(event, "event.ics")).data).events[0]
    assert first["UID"] == second["UID"] == f"event-{event.id}@localhost"


def test_ics_text_with_commas_semicolons_and_line_breaks_survives(client, auth, club):
    group, _, _ = club
    text = "Bring CVs, cards; and smiles.\nSecond line"
    event = make_event(group, title="Lunch; with, punctuation", description=text, venue_name="Luigi's, upstairs")
    auth.login("dave@example.org")
    vevent = icalendar.Calendar.from_ical(client.get(event_url(event, "event.ics")).data).events[0]
    assert str(vevent["SUMMARY"]) == "Lunch; with, punctuation"
    assert str(vevent["DESCRIPTION"]) == text
    assert str(vevent["LOCATION"]) == "Luigi's, upstairs"


def test_ics_of_a_cancelled_event_says_cancelled(client, auth, club):
    group, _, _ = club
    event = make_event(group, status=EventStatus.CANCELLED)
    auth.login("dave@example.org")
    vevent = icalendar.Calendar.from_ical(client.get(event_url(event, "event.ics")).data).events[0]
    assert vevent["STATUS"] == "CANCELLED"


# --- Attendee CSV -------------------------------------------------------------------------------------

def read_csv(response):
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))


def test_attendee_csv_has_going_waitlisted_checked_in_and_walk_in_columns(client, auth, club):
    group, organizer, member = club
    event = make_event(group, capacity=1)
    make_rsvp(event, member, checked_in=True)
    make_rsvp(event, organizer, RsvpState.WAITLISTED)
    walk_in = make_member(group, name="Walker")
    service.add_walk_in(event, walk_in.id, utcnow())
    auth.login("coach@example.org")
    rows = {r["Name"]: r for r in read_csv(client.get(event_url(event, "attendees.csv")))}
    assert rows["Dave Okafor"]["Going"] == "yes" and rows["Dave Okafor"]["Checked in"] == "yes"
    assert rows["Maria Coach"]["Waitlisted"] == "yes" and rows["Maria Coach"]["Waitlist position"] == "1"
    assert rows["Walker"]["Walk-in"] == "yes"


def test_attendee_csv_leaves_out_those_who_said_no(client, auth, club):
    group, _, member = club
    event = make_event(group)
    make_rsvp(event, member, RsvpState.DECLINED)
    auth.login("coach@example.org")
    assert read_csv(client.get(event_url(event, "attendees.csv"))) == []


@pytest.mark.parametrize("name", ["=HYPERLINK(\"http://evil\")", "+1+2", "-3", "@SUM(A1)"])
def test_attendee_csv_defuses_formulas(client, auth, club, name):
    group, _, _ = club
    event = make_event(group)
    make_rsvp(event, make_member(group, name=name))
    auth.login("coach@example.org")
    (row,) = read_csv(client.get(event_url(event, "attendees.csv")))
    assert row["Name"] == "'" + name


def test_a_member_cannot_download_the_attendee_list(client, auth, club):
    group, _, _ = club
    event = make_event(group)
    auth.login("dave@example.org")
    assert client.get(event_url(event, "attendees.csv")).status_code == 403


def test_event_pages_carry_no_inline_script_or_style(client, auth, club):
    group, _, member = club
    event = make_event(group)
    make_rsvp(event, member)
    auth.login("coach@example.org")
    for url in (f"/groups/{group.slug}/events/", f"/groups/{group.slug}/events/new", event_url(event),
                event_url(event, "edit"), event_url(event, "check-in")):
        html = client.get(url).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), url
        assert "<style" not in html and " style=" not in html, url


def test_walk_in_form_without_a_chosen_member_changes_nothing(client, auth, club):
    group, _, _ = club
    event = make_event(group)
    auth.login("coach@example.org")
    html = client.post(event_url(event, "walk-ins"), data={"user_id": ""}, follow_redirects=True).get_data(as_text=True)
    assert "Choose a member of the group." in html
    assert service.attendance_counts(event).walk_ins == 0


def test_undo_after_a_search_returns_to_the_same_search(client, auth, club):
    group, _, member = club
    event = make_event(group)
    make_rsvp(event, member, checked_in=True)
    auth.login("coach@example.org")
    response = client.post(event_url(event, f"check-in/{member.id}/undo?q=dav"))
    assert response.headers["Location"].endswith(f"/check-in?q=dav#person-{member.id}")


def test_attendee_csv_starts_with_a_byte_order_mark_for_spreadsheets(client, auth, club):
    group, _, _ = club
    event = make_event(group)
    auth.login("coach@example.org")
    assert client.get(event_url(event, "attendees.csv")).data.startswith("\ufeffName,Email".encode())


def test_door_list_comes_a_page_at_a_time_and_the_search_looks_at_every_page(client, auth, club):
    group, _, _ = club
    event = make_event(group)
    size = service.DOOR_PAGE_SIZE
    for i in range(size + 5):
        make_rsvp(event, make_member(group, name=f"Guest {i:03d}", password=None))
    auth.login("coach@example.org")
    first = client.get(event_url(event, "check-in")).get_data(as_text=True)
    last, past = f"Guest {size - 1:03d}", f"Guest {size + 4:03d}"
    assert "Check in<span class=\"visually-hidden\"> Guest 000" in first and last in first
    assert past not in first and "Page 1 of 2" in first
    second = client.get(event_url(event, "check-in?page=2")).get_data(as_text=True)
    assert past in second and "Guest 000" not in second and last not in second
    found = client.get(event_url(event, f"check-in?q=uest+{size + 4:03d}")).get_data(as_text=True)
    assert past in found and f"Guest {size + 3:03d}" not in found and "Page 1 of" not in found
    # the count comes with the rows: a page past the end shows the last one, and a no is not counted
    make_rsvp(event, make_member(group, name="Guest zz declined", password=None), RsvpState.DECLINED)
    beyond = client.get(event_url(event, "check-in?page=9")).get_data(as_text=True)
    assert past in beyond and "Page 2 of 2" in beyond and "Guest zz declined" not in beyond
    assert "Page 2 of 2" in client.get(event_url(event, "check-in?page=9&q=guest")).get_data(as_text=True)


def test_walk_in_member_is_typed_by_name(client, auth, club):
    group, _, member = club
    event = make_event(group)
    auth.login("coach@example.org")
    page = client.get(event_url(event, "check-in")).get_data(as_text=True)
    assert "Dave Okafor" not in page  # member names come from names.json as the organizer types
    client.post(event_url(event, "walk-ins"), data={"user_id": "dave okafor"})
    assert service.rsvp_of(event.id, member.id).walk_in
    html = client.post(event_url(event, "walk-ins"), data={"user_id": "Nobody Known"},
                       follow_redirects=True).get_data(as_text=True)
    assert "No member of this group is called Nobody Known." in html


def test_organizer_sees_the_answers_a_page_at_a_time(client, auth, club):
    group, _, _ = club
    event = make_event(group)
    for i in range(service.ANSWERS_PAGE_SIZE + 3):
        make_rsvp(event, make_member(group, name=f"Guest {i:03d}", password=None))
    late = make_member(group, name="Aaron Late", password=None)
    make_rsvp(event, late, RsvpState.WAITLISTED)
    make_rsvp(event, make_member(group, name="Abe Not", password=None), RsvpState.DECLINED)
    auth.login("coach@example.org")
    first = client.get(event_url(event)).get_data(as_text=True)
    assert f"Going ({service.ANSWERS_PAGE_SIZE + 3})" in first and "Guest 000" in first
    assert "Guest 102" not in first and "Aaron Late" not in first and "Page 1 of 2" in first
    second = client.get(event_url(event, "?page=2")).get_data(as_text=True)
    assert "Guest 102" in second and "Guest 000" not in second
    assert "Waitlist (1), first in line first" in second and '<ol class="people" start="1">' in second
    # each answer under its own heading, in the page's order: seats, the waitlist, the noes
    assert second.index("Guest 102") < second.index("Waitlist (1)") < second.index("Aaron Late")
    assert second.index("Aaron Late") < second.index("Not coming (1)") < second.index("Abe Not")
    assert "Abe Not" not in first
    # the count comes with the rows: a page past the end shows the last one, every answer counted
    beyond = client.get(event_url(event, "?page=9")).get_data(as_text=True)
    assert "Guest 102" in beyond and "Abe Not" in beyond and "Guest 000" not in beyond and "Page 2 of 2" in beyond
