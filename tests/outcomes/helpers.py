"""A group whose first lunch has taken place, with a real pairing published, for the outcome tests."""

from datetime import timedelta

from organizer.extensions import db
from organizer.models import EventStatus, utcnow
from organizer.pairing import publishing, runs
from tests.event_factories import make_event, make_rsvp
from tests.factories import make_group, make_member, make_need, make_offer, make_user

TIME_LIMIT = 10.0
PEOPLE = [
    ("Alice", "A publisher for my book", "Resume reviews", "advice"),
    ("Dave", "Resume reviews for a career change", "Introduction to my literary agent and publisher", "introduction"),
    ("Tom", "Promote my running class", "Licensed electrician work in Oakville", "advice"),
    ("Sofia", "A good electrician in Oakville", "Marketing plan for a running class", "advice"),
]


def generate_and_publish(event, now=None):
    run = runs.claim_run(event, None, utcnow(), TIME_LIMIT)
    db.session.commit()  # the claim, as the boundary commits it
    run = runs.execute_run(run.id, TIME_LIMIT, now=now)
    publishing.publish(run, utcnow())
    return run


def first_lunch(started_ago=timedelta(weeks=3)):
    """Four members at a lunch that started ``started_ago`` (done), paired for real and published:
    Alice with Dave, Tom with Sofia."""
    organizer = make_user(name="Olga Organizer", email="olga@example.org")
    group = make_group(organizer=organizer, name="Job Club")
    people = {}
    for name, need, offer, kind in PEOPLE:
        user = make_member(group, name=name, email=f"{name.lower()}@example.org")
        make_need(group, user, title=need)
        make_offer(group, user, title=offer, kind=kind)
        people[name] = user
    event = make_event(group, title="October lunch", starts_at=(utcnow() - started_ago).replace(second=0, microsecond=0))
    for user in people.values():
        make_rsvp(event, user, checked_in=True)
    run = generate_and_publish(event, now=event.starts_at)
    event.status = EventStatus.DONE
    db.session.commit()
    tables = {frozenset(s.user_id for s in t.seats) for t in run.tables}
    assert frozenset((people["Alice"].id, people["Dave"].id)) in tables, "the lexicon pairs Alice with Dave"
    return group, organizer, event, people


def next_lunch(group, people, starts_in=timedelta(days=7), extra=()):
    event = make_event(group, title="November lunch", starts_in=starts_in)
    for user in [*people.values(), *extra]:
        make_rsvp(event, user, checked_in=True)
    return event


def need_of(group, user):
    from organizer.groups.memberships import membership
    from organizer.members.service import needs_of

    return needs_of(membership(group.id, user.id))[0]


__all__ = ["first_lunch", "next_lunch", "generate_and_publish", "need_of", "make_member", "make_need", "make_offer"]
