"""The pairing review page (pairing.index): what it reads and what it shows."""

from organizer.extensions import db
from tests.event_factories import make_event, make_pairing_run, make_rsvp
from tests.factories import make_group, make_member, make_user
from tests.statements import statements_sent


def review_url(group, event, query: str = "") -> str:
    return f"/groups/{group.slug}/events/{event.id}/pairing/{query}"


def lunch_with_versions(count: int):
    """A group, its lunch with four checked-in members and `count` versions seating them."""
    group = make_group(organizer=make_user(email="olga@example.org"), name="Job Club")
    ann, bob, cy, di = (make_member(group, name=name) for name in ("Ann Lee", "Bob Stone", "Cy Young", "Di Park"))
    event = make_event(group)
    for user in (ann, bob, cy, di):
        make_rsvp(event, user, checked_in=True)
    for version in range(1, count + 1):
        make_pairing_run(event, version, [[ann, bob], [cy, di]] if version % 2 else [[ann, cy], [bob, di]])
    db.session.commit()
    return group, event


def test_the_review_reads_the_seats_of_its_page_of_tables_only(client, auth):
    """A version made after another is shown without reading every seat of both."""
    group, event = lunch_with_versions(2)
    auth.login("olga@example.org")
    assert client.get(review_url(group, event)).status_code == 200
    with statements_sent() as seen:
        assert client.get(review_url(group, event)).status_code == 200
    assert len([s for s in seen if "pairing_seats" in s]) == 1, "\n".join(seen)
