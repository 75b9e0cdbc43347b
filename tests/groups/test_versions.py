"""A group's data version changes with every commit that changed its shared data, and the
caches keyed by it show every change on the next request, to those allowed to see it."""

from sqlalchemy import delete

from organizer.extensions import db
from organizer.groups import versions
from organizer.members.service import NeedInput, tag_suggestions, update_need, update_profile
from organizer.models import HelpLink, Rsvp, RsvpState
from tests.event_factories import make_event
from tests.factories import make_group, make_member, make_need, make_offer, make_user, membership_of


def test_each_kind_of_change_commits_a_new_version(app):
    owner = make_user(name="Olga Owner", email="olga@example.org")
    group = make_group(organizer=owner, name="Book club")
    other = make_group(organizer=make_user(name="Otto", email="otto@example.org"), name="Other club")
    seen = [versions.current(group.id)]

    def changed() -> bool:
        seen.append(versions.current(group.id))
        return seen[-1] != seen[-2]

    ann = make_member(group, name="Ann Example", email="ann@example.org")
    assert changed(), "a member joined"
    need = make_need(group, ann, title="A publisher", tags="publishing")
    assert changed(), "a need added"
    update_need(need, NeedInput(title="A publisher", tags="books", visibility="group"))
    db.session.commit()
    assert changed(), "a need's tags changed"
    make_offer(group, ann, title="Resume reviews")
    assert changed(), "an offer added"
    update_profile(ann, headline="Editor")
    db.session.commit()
    assert changed(), "a member's profile changed"
    db.session.execute(delete(HelpLink).where(HelpLink.group_id == group.id))
    db.session.commit()
    assert changed(), "a bulk statement on a tracked table"
    other_before = versions.current(other.id)
    make_need(group, ann, title="Interview practice")
    assert changed() and versions.current(other.id) == other_before, "only the group changed"


def test_a_rolled_back_change_or_an_unrelated_one_keeps_the_version(app):
    group = make_group(organizer=make_user(name="Olga Owner", email="olga@example.org"), name="Book club")
    ann = make_member(group, name="Ann Example", email="ann@example.org")
    before = versions.current(group.id)
    update_profile(ann, headline="Editor")
    db.session.flush()
    db.session.rollback()
    db.session.commit()
    assert versions.current(group.id) == before
    db.session.add(Rsvp(event=make_event(group), user=ann, state=RsvpState.GOING))
    db.session.commit()
    assert versions.current(group.id) == before


def test_a_new_tag_is_suggested_on_the_next_request(app, client, auth):
    group = make_group(organizer=make_user(name="Olga Owner", email="olga@example.org"), name="Book club")
    ann = make_member(group, name="Ann Example", email="ann@example.org")
    auth.login("ann@example.org")
    directory = f"/groups/{group.slug}/members/"
    assert "origami" not in client.get(directory).get_data(as_text=True)
    make_offer(group, ann, title="Folding lessons", tags="origami")
    assert "origami" in client.get(directory).get_data(as_text=True)


def test_tags_a_viewer_may_not_see_are_never_suggested_to_them(app):
    olga = make_user(name="Olga Owner", email="olga@example.org")
    group = make_group(organizer=olga, name="Book club")
    ann = make_member(group, name="Ann Example", email="ann@example.org")
    bob = make_member(group, name="Bob Example", email="bob@example.org")
    make_need(group, ann, title="A therapist", tags="therapy", visibility="organizers")
    # the organizer and the owner look first (their answers are kept), then another member
    assert "therapy" in tag_suggestions(membership_of(olga, group))
    assert "therapy" in tag_suggestions(membership_of(ann, group))
    assert "therapy" not in tag_suggestions(membership_of(bob, group))


def test_the_version_is_read_once_per_transaction_and_anew_after_a_commit(app):
    from tests.statements import statements_sent

    group = make_group(organizer=make_user(name="Olga Owner", email="olga@example.org"), name="Book club")
    ann = make_member(group, name="Ann Example", email="ann@example.org")
    group_id = group.id
    with statements_sent() as seen:
        first, again = versions.current(group_id), versions.current(group_id)
    # at most once: none when this transaction has loaded the group already (versions._loaded_version)
    assert first == again and len([s for s in seen if "data_version" in s]) <= 1
    update_profile(ann, headline="Editor")
    assert versions.current(group_id) == first  # not committed yet: the same number
    db.session.commit()
    after = versions.current(group_id)
    assert after != first
    db.session.rollback()  # a transaction's end, whichever way, forgets what it read
    with statements_sent() as seen:
        assert versions.current(group_id) == after
    assert len([s for s in seen if "data_version" in s]) == 1


def test_the_version_of_a_group_this_transaction_loaded_is_read_from_it_and_anew_after_its_end(app):
    from tests.statements import statements_sent

    group = make_group(organizer=make_user(name="Olga Owner", email="olga@example.org"), name="Book club")
    ann = make_member(group, name="Ann Example", email="ann@example.org")
    group_id = group.id
    db.session.commit()
    assert group.name == "Book club"  # loads the group in the new transaction
    with statements_sent() as seen:
        first = versions.current(group_id)
    assert seen == [] and first == (group.created_at, group.data_version)
    update_profile(ann, headline="Editor")
    db.session.commit()  # expires the group: its number is read from the database
    with statements_sent() as seen:
        after = versions.current(group_id)
    assert after == (first[0], first[1] + 1) and len([s for s in seen if "data_version" in s]) == 1
