"""The give-first ledger and need status: the contract other features write through."""

import pytest

from organizer.database import transaction
from organizer.errors import ActionRefused
from organizer.extensions import db
from organizer.groups.service import remove_member
from organizer.models import HelpGiven, Need, NeedChange, NeedStatus, utcnow
from organizer.outcomes import service as ledger
from tests.factories import make_group, make_member, make_need, make_user


@pytest.fixture
def trio(app):
    group = make_group()
    raj, nadia, priya = (make_member(group, name=n) for n in ("Raj", "Nadia", "Priya"))
    return group, raj, nadia, priya


def test_help_counts_only_once_the_receiver_confirms(trio):
    group, raj, nadia, _ = trio
    now = utcnow()
    with transaction():
        ledger.record_help(group.id, raj.id, nadia.id, source="introduction", source_id=7, what="introduction",
                           now=now, note="intro to an editor")
    assert ledger.ledger_counts(group.id, raj.id).people_helped == 0
    with transaction():
        ledger.record_help(group.id, raj.id, nadia.id, source="introduction", source_id=7, what="introduction",
                           now=now, confirmed=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(HelpGiven)) == 1  # the same line
    assert ledger.ledger_counts(group.id, raj.id).people_helped == 1
    assert ledger.ledger_counts(group.id, nadia.id).helped_by == 1
    assert ledger.ledger_counts(group.id, nadia.id).people_helped == 0


def test_distinct_people_are_counted_not_lines(trio):
    group, raj, nadia, priya = trio
    now = utcnow()
    for source_id in (1, 2):
        ledger.record_help(group.id, raj.id, nadia.id, source="offer", source_id=source_id, what="advice",
                           now=now, confirmed=True)
    ledger.record_help(group.id, raj.id, priya.id, source="offer", source_id=3, what="lead", now=now, confirmed=True)
    db.session.commit()
    counts = ledger.ledger_counts(group.id, raj.id)
    assert (counts.people_helped, counts.given) == (2, 3)


@pytest.mark.parametrize("change", ["self", "outsider", "someone_elses_need", "bad_kind", "bad_source"])
def test_record_help_refuses_what_does_not_fit(trio, change):
    group, raj, nadia, priya = trio
    outsider = make_user()
    priya_need = make_need(group, priya, title="A mentor")
    args = {"giver_id": raj.id, "receiver_id": nadia.id, "source": "offer", "what": "advice", "need_id": None}
    args.update({"self": {"receiver_id": raj.id}, "outsider": {"receiver_id": outsider.id},
                 "someone_elses_need": {"need_id": priya_need.id}, "bad_kind": {"what": "money"},
                 "bad_source": {"source": "raffle"}}[change])
    with pytest.raises(ActionRefused):
        ledger.record_help(group.id, source_id=1, now=utcnow(), **args)


def test_mark_need_keeps_its_history_and_met_needs_leave_the_matching(trio):
    from organizer.help.service import matching_attendees

    group, raj, nadia, _ = trio
    need = make_need(group, nadia, title="An introduction to a CFO")
    now = utcnow()
    with transaction():
        ledger.mark_need(need, NeedStatus.IN_PROGRESS, raj.id, now, note="intro to a CFO")
    with transaction():
        ledger.mark_need(db.session.get(Need, need.id), NeedStatus.MET, raj.id, now)
    history = ledger.need_history([need.id])[need.id]
    assert [c.status for c in history] == ["in_progress", "met"]
    assert history[0].helper_id == raj.id and history[0].note == "intro to a CFO"
    assert db.session.get(Need, need.id).helped_by_id == raj.id
    assert matching_attendees(group.id, [nadia.id])[nadia.id].needs == ()
    assert ledger.mark_need(db.session.get(Need, need.id), NeedStatus.MET, raj.id, now) is None  # no change


def test_a_member_who_leaves_keeps_only_counts(trio):
    group, raj, nadia, _ = trio
    need = make_need(group, nadia, title="An introduction to a CFO")
    ledger.record_help(group.id, raj.id, nadia.id, source="lunch", source_id=1, what="introduction",
                       now=utcnow(), need_id=need.id, note="the CFO intro", confirmed=True)
    ledger.mark_need(need, NeedStatus.MET, raj.id, utcnow())
    db.session.commit()
    remove_member(group, raj.id, leaving=True)
    assert ledger.ledger_counts(group.id, nadia.id).helped_by == 1
    line = db.session.scalar(db.select(HelpGiven))
    assert line.giver_id is None and line.note == ""
    assert db.session.scalar(db.select(NeedChange)).helper_id is None
