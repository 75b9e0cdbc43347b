"""A member's overview: the new member's checklist and a link to a published lunch partner."""

from datetime import timedelta

from organizer.database import transaction
from organizer.extensions import db
from organizer.models import utcnow
from organizer.pairing import publishing, runs
from tests.event_factories import make_event, make_rsvp
from tests.factories import make_group, make_member, make_need, make_offer, make_user


def test_the_overview_names_a_published_partner_with_a_link(client, auth, app):
    group = make_group(organizer=make_user(email="olga@example.org"), name="Job Club")
    event = make_event(group, title="December lunch")
    ann = make_member(group, name="Ann Lee", email="ann@example.org")
    bob = make_member(group, name="Bob Stone", email="bob@example.org")
    for user in (ann, bob):
        make_rsvp(event, user, checked_in=True)
    auth.login("ann@example.org")
    before = client.get(f"/groups/{group.slug}/").get_data(as_text=True)
    assert "Your lunch partner" not in before
    db.session.commit()  # the test's own rows; execute_run opens transactions of its own
    with transaction():
        run_id = runs.claim_run(event, None, utcnow(), 10.0).id
    run = runs.execute_run(run_id, 10.0)
    with transaction():
        publishing.publish(run, utcnow())
    page = client.get(f"/groups/{group.slug}/").get_data(as_text=True)
    assert "Your lunch partner for December lunch" in page and "Bob Stone" in page
    assert f"/groups/{group.slug}/events/{event.id}/pairing/mine" in page


def test_the_checklist_ticks_what_the_new_member_has_done(client, auth, app):
    group = make_group(name="Job Club")
    ann = make_member(group, name="Ann Lee", email="ann@example.org", headline="Accountant")
    auth.login("ann@example.org")
    page = client.get(f"/groups/{group.slug}/").get_data(as_text=True)
    assert "1 of 4 done" in page
    make_need(group, ann, title="A first job in Canada")
    make_offer(group, ann, title="Bookkeeping advice")
    make_rsvp(make_event(group), ann)
    assert "Get started" not in client.get(f"/groups/{group.slug}/").get_data(as_text=True)


def test_the_overview_reads_its_checklist_counts_and_what_lists_to_read_in_one_statement(app):
    from organizer.asks import service as asks
    from organizer.groups import pages
    from tests.factories import membership_of
    from tests.statements import statements_sent

    group = make_group(name="Job Club")
    ann = make_member(group, name="Ann Lee", email="ann@example.org")
    bob = make_member(group, name="Bob Stone", email="bob@example.org")
    need = make_need(group, ann, title="A first job in Canada")
    make_rsvp(make_event(group), ann)
    now = utcnow()
    with transaction():
        asks.offer_help(membership_of(bob, group), need.id, "advice", "Happy to help", partner_ids=frozenset(),
                        now=now, per_day=10)
    db.session.expire_all()
    member = membership_of(ann, group)
    db.session.get(type(ann), ann.id)  # the signed-in user is in the session already on the page
    with statements_sent() as sent:
        facts = pages.facts(member, now)
    assert len(sent) == 1
    assert [(s.key, s.done) for s in facts.steps] == [("profile", False), ("need", True), ("offer", False),
                                                      ("rsvp", True)]
    assert (facts.waiting.offers, facts.waiting.introductions, facts.waiting.follow_ups) == (1, 0, 0)
    assert not (facts.seated_at_a_started_lunch or facts.note_received or facts.seated_at_a_lunch_ahead)
    assert not pages.facts(membership_of(bob, group), now).waiting.any


def test_the_overview_knows_when_a_published_lunch_seats_the_member_ahead_or_started(app):
    from organizer.groups import pages
    from organizer.models import LunchAnswer
    from tests.event_factories import make_pairing_run
    from tests.factories import membership_of

    group = make_group(name="Job Club")
    ann, bob, cy = (make_member(group, name=n) for n in ("Ann Lee", "Bob Stone", "Cy Young"))
    now = utcnow()
    ahead, started = make_event(group, title="Ahead"), make_event(group, title="Started", starts_in=-timedelta(days=2))
    make_pairing_run(ahead, 1, [[ann, bob]], published_at=now)
    make_pairing_run(started, 1, [[bob, cy]], published_at=now)
    make_pairing_run(make_event(group, title="Draft only"), 1, [[cy, ann]])  # not published: not counted
    facts = {u.name: pages.facts(membership_of(u, group), now) for u in (ann, bob, cy)}
    assert [(f.seated_at_a_lunch_ahead, f.seated_at_a_started_lunch) for f in facts.values()] == [
        (True, False), (True, True), (False, True)]
    db.session.add(LunchAnswer(group_id=group.id, event_id=started.id, author_id=cy.id, partner_id=bob.id,
                               helped="yes", note="Thank you!"))
    db.session.commit()
    assert pages.facts(membership_of(bob, group), now).note_received
    assert not pages.facts(membership_of(bob, group), now + timedelta(days=40)).note_received
    assert not pages.facts(membership_of(cy, group), now).note_received
