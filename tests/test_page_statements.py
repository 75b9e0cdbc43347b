"""Pages whose cost does not grow with the group: the same number of SQL statements for a
group of a few members as for one several pages long (issue 16). Statements are counted
with an event listener on the engine while the page is requested."""

import random

import pytest
from sqlalchemy import event as sa_event

from organizer.extensions import db
from organizer.groups.service import add_member
from organizer.members.service import tags_for
from organizer.models import Need, Offer, PairingSeat, Rsvp, RsvpState, User, utcnow
from organizer.pairing import publishing, queries, runs
from tests.event_factories import make_event
from tests.factories import make_group, make_user
from tests.statements import rows_fetched_one_by_one, statements_sent

TOPICS = [("A publisher for my book", "Introduction to my literary agent", "publishing"),
          ("A good electrician", "Licensed electrical work", "electrician"),
          ("Resume reviews", "Resume reviews from a hiring manager", "resume"),
          ("Interview practice", "Mock interviews for managers", "interviews"),
          ("A website for my shop", "I build simple websites", "websites")]
SMALL, LARGE = 6, 60  # LARGE is past one page of every paged list

PAGES = {
    "group home": "/groups/{slug}/",
    "event page": "/groups/{slug}/events/{event}/",
    "directory": "/groups/{slug}/members/",
    "directory search": "/groups/{slug}/members/?q=publishing",
    "directory tag": "/groups/{slug}/members/?tag=resume",
    "directory page 2": "/groups/{slug}/members/?page=2",
    "my needs and offers": "/groups/{slug}/members/me",
    "check-in": "/groups/{slug}/events/{event}/check-in",
    "check-in search": "/groups/{slug}/events/{event}/check-in?q=member",
    "pairing review": "/groups/{slug}/events/{event}/pairing/",
    "asks board": "/groups/{slug}/asks/",
    "asks board tag": "/groups/{slug}/asks/?tag=resume",
    "asks board matches": "/groups/{slug}/asks/?matching=1",
    "asks board page 2": "/groups/{slug}/asks/?page=2",
    "my help and introductions": "/groups/{slug}/asks/mine",
    "asks organizer view": "/groups/{slug}/asks/report",
    "roles": "/groups/{slug}/roles",
    "roles search": "/groups/{slug}/roles?q=member",
    "do-not-pair rules": "/groups/{slug}/members/do-not-pair",
    "my do-not-pair": "/groups/{slug}/members/me/do-not-pair",
    "help model page": "/groups/{slug}/help/",
    "events": "/groups/{slug}/events/",
    "dashboard": "/groups/{slug}/outcomes/dashboard",
}
# Pages whose forms name a member: typed, with names searched as you type, never a list of everyone.
PERSON_FORM_PAGES = ["do-not-pair rules", "my do-not-pair", "help model page"]


def grow(group, lunch, rng, count: int) -> None:
    """Adds `count` members, each with two needs and two offers, going to the lunch and checked in."""
    now = utcnow()
    start = len(group.memberships)
    for i in range(start, start + count):
        user = User(name=f"Member {i:03d}", email=f"grown{i}@example.org", password_hash=None)
        member = add_member(group, user)
        for need_title, _, tag in rng.sample(TOPICS, 2):
            db.session.add(Need(membership=member, title=need_title, tags=tags_for(group.id, [tag])))
        for _, offer_title, tag in rng.sample(TOPICS, 2):
            db.session.add(Offer(membership=member, title=offer_title, tags=tags_for(group.id, [tag])))
        db.session.add(Rsvp(event=lunch, user=user, state=RsvpState.GOING, checked_in_at=now))
        db.session.flush()
    db.session.commit()
    pair(lunch)


def pair(lunch) -> None:
    run = runs.claim_run(lunch, None, utcnow(), 10.0)
    db.session.commit()  # the claim, as the boundary commits it
    runs.execute_run(run.id, 10.0)


def statements_for(client, path: str, one_by_one: list[int] | None = None) -> list[str]:
    """The statements the page sends; ``one_by_one`` gets how many rows came one call per row."""
    assert client.get(path).status_code == 200  # once to settle what a first visit does
    with statements_sent() as seen, rows_fetched_one_by_one() as fetched:
        response = client.get(path)
    assert response.status_code == 200, path
    if one_by_one is not None:
        one_by_one.append(fetched[0])
    return seen


@pytest.fixture
def growing_group(app):
    organizer = make_user(name="Olga Organizer", email="olga@example.org")
    group = make_group(organizer=organizer, name="Growing club")
    lunch = make_event(group, title="Lunch")
    return group, lunch


@pytest.mark.parametrize("page", list(PAGES))
def test_statements_per_page_do_not_grow_with_the_group(page, growing_group, client, auth):
    group, lunch = growing_group
    rng = random.Random(7)
    path = PAGES[page].format(slug=group.slug, event=lunch.id)
    grow(group, lunch, rng, SMALL)
    pair(lunch)  # the review compares with the previous version, as it will at the larger size
    auth.login("olga@example.org")
    one_by_one: list[int] = []
    small = statements_for(client, path, one_by_one)
    grow(group, lunch, rng, LARGE - SMALL)
    large = statements_for(client, path, one_by_one)
    assert len(large) == len(small), "\n".join(["small:", *small, "large:", *large])
    # and a list's rows come in one call (.all()), not a Python call per row as the list grows
    assert one_by_one[1] == one_by_one[0], one_by_one


@pytest.mark.parametrize("page", PERSON_FORM_PAGES)
def test_a_page_that_names_a_member_does_not_grow_with_the_group(page, growing_group, client, auth):
    group, lunch = growing_group
    path = PAGES[page].format(slug=group.slug, event=lunch.id)
    rng = random.Random(7)
    auth.login("olga@example.org")
    grow(group, lunch, rng, SMALL)
    small = client.get(path).get_data(as_text=True)
    grow(group, lunch, rng, LARGE - SMALL)
    large = client.get(path).get_data(as_text=True)
    assert "Member 059" not in large
    assert abs(len(large) - len(small)) < 100, (len(small), len(large))


def at_both_sizes(group, lunch, rng, prepare, measure):
    """``measure()`` with the group grown to SMALL members, then to LARGE, ``prepare()`` after each growth."""
    grow(group, lunch, rng, SMALL)
    prepare()
    small = measure()
    grow(group, lunch, rng, LARGE - SMALL)
    prepare()
    return small, measure()


def seats_loaded_for(client, path: str) -> int:
    """How many seats (a table's people) the page loads."""
    assert client.get(path).status_code == 200
    loaded = []

    def count(target, context):
        loaded.append(target)

    sa_event.listen(PairingSeat, "load", count)
    try:
        assert client.get(path).status_code == 200, path
    finally:
        sa_event.remove(PairingSeat, "load", count)
    return len(loaded)


@pytest.mark.parametrize("path", ["/groups/{slug}/events/{event}/pairing/mine",
                                  "/groups/{slug}/events/{event}/pairing/mine.ics"])
def test_a_members_lunch_page_reads_their_own_tables_not_the_whole_lunch(path, growing_group, client, auth):
    """At the lunch everyone opens their seat at once: the page (and its calendar entry) reads
    the member's own table, whatever the size of the lunch."""
    group, lunch = growing_group
    mia = make_user(name="Mia Member", email="mia@example.org")
    add_member(group, mia)
    db.session.add(Rsvp(event=lunch, user=mia, state=RsvpState.GOING, checked_in_at=utcnow()))
    db.session.commit()
    rng = random.Random(3)
    path = path.format(slug=group.slug, event=lunch.id)

    def publish_latest() -> None:
        publishing.publish(queries.latest_run(lunch), utcnow(), confirm_changed=True)
        db.session.commit()

    auth.login("mia@example.org")
    small, large = at_both_sizes(group, lunch, rng, publish_latest, lambda: seats_loaded_for(client, path))
    assert 0 < small <= 3  # Mia's table: a pair, or the trio
    assert large <= 3


def test_the_review_of_a_draft_after_publishing_sends_as_many_statements_at_both_sizes(growing_group, client, auth):
    """The review compares a draft with the published version table by table: both versions'
    tables are read in a few statements, not one per table."""
    group, lunch = growing_group
    rng = random.Random(5)
    path = PAGES["pairing review"].format(slug=group.slug, event=lunch.id)

    def publish_then_draft() -> None:
        publishing.publish(queries.latest_run(lunch), utcnow(), confirm_changed=True)
        db.session.commit()
        pair(lunch)

    auth.login("olga@example.org")
    small, large = at_both_sizes(group, lunch, rng, publish_then_draft, lambda: statements_for(client, path))
    assert len(large) == len(small), "\n".join(["small:", *small, "large:", *large])


def test_a_signed_in_page_reads_the_user_and_their_groups_in_one_statement(growing_group, client, auth):
    group, _ = growing_group
    auth.login("olga@example.org")
    seen = statements_for(client, f"/groups/{group.slug}/")
    session_reads = [s for s in seen if "user_sessions" in s]
    assert len(session_reads) == 1 and "memberships" in session_reads[0]
    assert not [s for s in seen if "ORDER BY groups.name" in s and "user_sessions" not in s]


def test_the_group_home_reads_its_facts_and_lunches_in_one_statement(growing_group, client, auth):
    """The busiest page: the session's user and groups, then everything the overview shows of a
    group without published pairs, upcoming lunches included (as JSON rows), in one statement."""
    group, _ = growing_group
    auth.login("olga@example.org")
    seen = [s for s in statements_for(client, f"/groups/{group.slug}/") if s != "BEGIN"]  # SQLite's read transaction
    assert len(seen) == 2, seen
    assert "user_sessions" in seen[0]
    assert "json_group_array" in seen[1] or "json_agg" in seen[1]  # the lunches' rows, as JSON


def test_the_group_home_statements_are_never_rendered_again(growing_group, client, auth):
    """No expanding parameter (an IN of a list) in the busiest page's statements: SQLAlchemy would
    render such a statement's text again on every visit (asks.rules.NEED_IS_OPEN)."""
    group, _ = growing_group
    auth.login("olga@example.org")
    client.get(f"/groups/{group.slug}/")
    expanded: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany):
        compiled = getattr(context, "compiled", None)
        if compiled is not None and compiled.post_compile_params:
            expanded.append(statement)

    sa_event.listen(db.engine, "before_cursor_execute", note)
    try:
        assert client.get(f"/groups/{group.slug}/").status_code == 200
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", note)
    assert expanded == []


@pytest.mark.parametrize("page", ["event page", "check-in"])
def test_a_page_of_answers_comes_with_their_count_in_one_statement(page, growing_group, client, auth):
    """The organizer's list of answers (the event page) and the door list read a page of rows and
    the list's length together: the count is a column of the rows' statement, not one of its own."""
    group, lunch = growing_group
    grow(group, lunch, random.Random(3), SMALL)
    auth.login("olga@example.org")
    seen = statements_for(client, PAGES[page].format(slug=group.slug, event=lunch.id))
    counted = [s for s in seen if "count(*)" in s.lower()]
    assert len(counted) == 1 and "users.name" in counted[0], counted


@pytest.mark.parametrize("page", ["pairing review", "directory search", "my needs and offers", "asks board matches"])
def test_a_pages_shared_caches_take_the_groups_version_from_the_groups_already_read(page, growing_group, client, auth):
    """Every signed-in page reads the visitor's groups first, with the session: the shared caches'
    version (groups.versions.current) comes from there, not from a statement of its own."""
    group, lunch = growing_group
    grow(group, lunch, random.Random(3), SMALL)
    auth.login("olga@example.org")
    seen = statements_for(client, PAGES[page].format(slug=group.slug, event=lunch.id))
    assert [s for s in seen if "data_version" in s and "user_sessions" not in s] == []
