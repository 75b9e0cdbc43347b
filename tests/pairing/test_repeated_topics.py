"""The "401-attendee case" at a test's size: a group whose needs and offers repeat a few topics,
with an odd count, pairs through ``flask pair --json`` (bench/matching.py runs it at 401)."""

import json
import random

from tests.event_factories import make_event, make_rsvp
from tests.factories import make_group, make_member, make_need, make_offer, make_user

TOPICS = ["a job in marketing", "resume review", "interview practice", "networking", "LinkedIn profile",
          "salary negotiation", "starting a business", "career change"]


def test_a_group_repeating_eight_topics_with_an_odd_count_pairs_through_the_command(app, runner):
    rng = random.Random(401)
    group = make_group(organizer=make_user(name="Olga Organizer", email="olga@example.org"), name="Big Club")
    event = make_event(group, title="Big lunch")
    attendees = 61
    for k in range(attendees):
        user = make_member(group, name=f"Member {k}", email=f"m{k}@example.org")
        for topic in rng.sample(TOPICS, rng.randint(1, 2)):
            make_need(group, user, title=topic)
        for topic in rng.sample(TOPICS, rng.randint(1, 2)):
            make_offer(group, user, title=topic)
        make_rsvp(event, user, checked_in=True)
    result = runner.invoke(args=["pair", str(event.id), "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    tables = document["rounds"][0]
    emails = sorted(m["email"] for t in tables for m in t["members"])
    assert emails == sorted(f"m{k}@example.org" for k in range(attendees))
    assert sorted(len(t["members"]) for t in tables) == [2] * (attendees // 2 - 1) + [3]
    assert document["objective"] > 0
