"""The notices whose cost must not grow with the group: publishing pairs tells every seated
member in the same number of SQL statements for 6 members as for 16 (issue 16 review), and
the weekly digest skips subscribers it already wrote to this week."""

from datetime import timedelta

from sqlalchemy import func, select

from organizer.database import transaction, writing
from organizer.extensions import db
from organizer.messages import kinds, notices
from organizer.messages.service import set_preference
from organizer.models import Message, PairingRun, utcnow
from tests.event_factories import make_event, make_pairing_run
from tests.factories import make_group, make_member, make_need, make_offer, make_user
from tests.statements import statements_sent


def seated_group(n: int):
    organizer = make_user(name="Olga Organizer", email=f"olga{n}@example.org")
    group = make_group(organizer=organizer, name=f"Lunch Club {n}")
    members = [make_member(group, name=f"Member {i:02d}", email=f"m{n}-{i}@example.org") for i in range(n)]
    for i, user in enumerate(members):
        make_need(group, user, title=f"Need {i} for the group", visibility="group")
        make_need(group, user, title=f"Need {i} for a partner", visibility="partner")
        make_need(group, user, title=f"Need {i} for organizers", visibility="organizers")
        make_offer(group, user, title=f"Offer {i}")
        make_offer(group, user, title=f"Paused offer {i}", active=False)
    return group, members




def statements_of_publishing(n: int) -> tuple[int, int]:
    """Publishes a first version and a second that moves everyone; returns the statements of the
    second publication and how many messages it queued."""
    from organizer.pairing import publishing

    group, members = seated_group(n)
    event = make_event(group, title="Pairs lunch")
    pairs = [members[i:i + 2] for i in range(0, n, 2)]
    with writing():
        publishing.publish(make_pairing_run(event, 1, pairs), utcnow(), confirm_changed=True)
    db.session.commit()
    shifted = members[1:] + members[:1]
    second = make_pairing_run(event, 2, [shifted[i:i + 2] for i in range(0, n, 2)])
    db.session.expire_all()  # as in a new request: nothing read before is reused
    before = db.session.scalar(select(func.count()).select_from(Message))
    with statements_sent() as seen, writing():
        publishing.publish(db.session.get(PairingRun, second.id), utcnow(), confirm_changed=True)
    db.session.commit()
    queued = db.session.scalar(select(func.count()).select_from(Message)) - before
    return len(seen), queued


def test_the_statements_of_a_publication_are_the_same_for_6_and_16_members(app):
    small, small_queued = statements_of_publishing(6)
    large, large_queued = statements_of_publishing(16)
    assert (small_queued, large_queued) == (6, 16)  # everyone moved: each is told once
    assert large == small, f"{small} statements for 6 members, {large} for 16"


def digest_tick_statements(n: int) -> int:
    """`n` members of a group ask for the digest and get this week's; the statements of the
    next tick in the same week."""
    organizer = make_user(name="Olga Organizer", email=f"olga-digest{n}@example.org")
    group = make_group(organizer=organizer, name=f"Digest Club {n}")
    members = [make_member(group, name=f"Reader {i:02d}", email=f"d{n}-{i}@example.org") for i in range(n)]
    make_need(group, organizer, title="A mentor in nursing", visibility="group")
    now = utcnow()
    with transaction():
        for user in members:
            set_preference(user.id, group.id, kinds.WEEKLY_DIGEST, True, now)
    with transaction():
        assert notices.queue_digests(now) == n
    with statements_sent() as seen, transaction():
        assert notices.queue_digests(now + timedelta(minutes=1)) == 0   # once a week
    return len(seen)


def test_a_tick_after_the_weeks_digests_skips_their_subscribers_in_the_same_statements_for_2_or_7(app):
    small = digest_tick_statements(2)
    large = digest_tick_statements(7)   # the first group's subscribers are skipped too
    assert large == small, f"{small} statements with 2 subscribers, {large} with 2 + 7"
