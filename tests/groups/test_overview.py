"""A member's overview: the new member's checklist and a link to a published lunch partner."""

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
