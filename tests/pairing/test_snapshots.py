"""The snapshot a pairing solves: the members' part comes from the group's help model kept per
data version (help.service.lunch_model), so what it reads must follow every committed change."""

from organizer.events import service as events
from organizer.extensions import db
from organizer.models import NeedStatus, User, utcnow
from organizer.pairing import snapshots
from tests.factories import make_need, make_offer, make_user
from tests.pairing.test_service import TIME_LIMIT, lunch  # noqa: F401 (a fixture)


def snap(event, user_ids):
    snapshot = snapshots.snapshot(event, sorted(user_ids), [], utcnow(), TIME_LIMIT)
    db.session.rollback()  # as the job's read transaction ends
    return snapshot


def test_a_snapshot_reads_what_changed_in_the_group_since_the_last_one(lunch):  # noqa: F811
    group, organizer, event, p = lunch
    present = [u.id for u in p.values()]
    alice, sam = p["Alice"].id, p["Sam"].id
    before = snap(event, present)
    assert [n.text for n in before.problem.attendees[0].needs] == ["A publisher for my book"]

    need = make_need(group, p["Alice"], title="Interview practice for a sales role")  # committed
    make_offer(group, p["Sam"], title="Mock interviews for sales roles")
    after = snap(event, present)
    people = {a.id: a for a in after.problem.attendees}
    assert {n.text for n in people[alice].needs} == {"A publisher for my book", "Interview practice for a sales role"}
    assert "Mock interviews for sales roles" in {o.text for o in people[sam].offers}

    need = db.session.merge(need)
    need.status = NeedStatus.MET.value
    db.session.commit()
    met = {a.id: a for a in snap(event, present).problem.attendees}
    assert [n.text for n in met[alice].needs] == ["A publisher for my book"]

    renamed = db.session.get(User, sam)
    renamed.name = "Samuel Example"
    db.session.commit()
    again = snap(event, present)
    assert {a.id: a.name for a in again.problem.attendees}[sam] == "Samuel Example"
    assert again.names[sam] == "Samuel Example"


def test_a_snapshot_seats_only_the_people_asked_for_and_the_lunchs_stand_in_guests(lunch):  # noqa: F811
    group, organizer, event, p = lunch
    outsider = make_user(name="Gina Outsider", email="gina@example.org")  # an account of no group member
    events.add_walk_in_guest(event, "Gina at the door", "gina@example.org", utcnow(), organizer.id)
    db.session.commit()
    guest_id = next(uid for uid in snapshots.present_user_ids(event, "checked_in") if uid != organizer.id
                    and db.session.get(User, uid).lunch_guest_event_id == event.id)
    assert guest_id != outsider.id
    two = [p["Alice"].id, p["Dave"].id]
    snapshot = snap(event, [*two, guest_id, outsider.id])
    people = {a.id: a for a in snapshot.problem.attendees}
    assert sorted(people) == sorted([*two, guest_id])  # the outsider's own account is not seated
    assert people[guest_id].name == "Gina at the door" and people[guest_id].needs == ()


def test_present_user_ids_reads_members_with_that_answer_and_the_lunchs_guests_only(lunch):  # noqa: F811
    from sqlalchemy import select

    from organizer.groups.service import remove_member
    from organizer.models import Rsvp, RsvpState
    from tests.event_factories import make_event, make_rsvp
    from tests.factories import make_member

    group, organizer, event, p = lunch
    remove_member(group, p["Tom"].id)  # a removed member's answer no longer counts
    db.session.commit()
    going = make_member(group, name="Gus Going", email="gus@example.org")
    make_rsvp(event, going)  # answered yes, not here yet
    make_rsvp(event, make_member(group, name="Nora No", email="nora@example.org"), RsvpState.DECLINED)
    make_rsvp(event, make_member(group, name="Wes Waiting", email="wes@example.org"), RsvpState.WAITLISTED)
    make_user(name="Gina Outsider", email="gina@example.org")  # accounts of no member: stand-ins sit for them
    make_user(name="Ole Outsider", email="ole@example.org")
    events.add_walk_in_guest(event, "Gina at the door", "gina@example.org", utcnow(), organizer.id)
    other = make_event(group, title="January lunch")
    events.add_walk_in_guest(other, "Ole elsewhere", "ole@example.org", utcnow(), organizer.id)
    guest = db.session.scalar(select(User).where(User.lunch_guest_event_id == event.id))
    other_guest = db.session.scalar(select(User).where(User.lunch_guest_event_id == other.id))
    db.session.add(Rsvp(event=event, user=other_guest, state=RsvpState.GOING, checked_in_at=utcnow()))
    db.session.commit()
    here = {p[name].id for name in ("Alice", "Dave", "Sofia", "Priya", "Sam")} | {guest.id}
    assert set(snapshots.present_user_ids(event, "checked_in")) == here
    assert set(snapshots.present_user_ids(event, "going")) == here | {going.id}
    assert snapshots.present_user_ids(event, "checked_in") == sorted(here)
