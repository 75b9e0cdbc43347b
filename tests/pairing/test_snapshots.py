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
    guest_id = next(uid for uid in events.lunch_guest_ids(event, checked_in=True))
    assert guest_id != outsider.id
    two = [p["Alice"].id, p["Dave"].id]
    snapshot = snap(event, [*two, guest_id, outsider.id])
    people = {a.id: a for a in snapshot.problem.attendees}
    assert sorted(people) == sorted([*two, guest_id])  # the outsider's own account is not seated
    assert people[guest_id].name == "Gina at the door" and people[guest_id].needs == ()
