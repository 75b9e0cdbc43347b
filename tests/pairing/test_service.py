"""The pairing workflow: generate, review, adjust, publish, and its failure cases."""

import json
import threading
from datetime import timedelta

import icalendar
import pytest
from sqlalchemy import func, select

from organizer.database import transaction
from organizer.errors import ActionRefused
from organizer.events import service as events
from organizer.extensions import db
from organizer.matching import violations
from organizer.models import PairingRun, RunStatus, utcnow
from organizer.pairing import edits, publishing, queries, runs, snapshots
from tests.conftest import run_on_rq
from tests.event_factories import make_event, make_rsvp
from tests.factories import make_group, make_member, make_need, make_offer, make_user

TIME_LIMIT = 10.0


@pytest.fixture
def lunch(app):
    """A group with an organizer and six members with needs and offers that fit in pairs, all checked in."""
    organizer = make_user(name="Olga Organizer", email="olga@example.org")
    group = make_group(organizer=organizer, name="Job Club")
    people = {}
    for name, need, offer in [
        ("Alice", "A publisher for my book", "Resume reviews"),
        ("Dave", "Resume reviews for a career change", "Introduction to my literary agent and publisher"),
        ("Tom", "Promote my running class", "Licensed electrician work in Oakville"),
        ("Sofia", "A good electrician in Oakville", "Marketing plan for a running class"),
        ("Priya", "Intro to a CFO in life sciences", "Car-buying negotiation tips"),
        ("Sam", "Negotiation tips for buying a car", "I know CFOs at life-science companies"),
    ]:
        user = make_member(group, name=f"{name} Example", email=f"{name.lower()}@example.org")
        make_need(group, user, title=need)
        make_offer(group, user, title=offer)
        people[name] = user
    event = make_event(group, title="December lunch")
    for user in people.values():
        make_rsvp(event, user, checked_in=True)
    return group, organizer, event, people


def generate(event, **kwargs):
    db.session.commit()  # the test's own changes; execute_run opens transactions of its own
    with transaction():
        run = runs.claim_run(event, None, utcnow(), TIME_LIMIT, **kwargs)
    return runs.execute_run(run.id, TIME_LIMIT)


def swap(run, first_id, second_id, round_, by):
    scored = edits.swap_scores(run, first_id, second_id, round_, utcnow(), TIME_LIMIT)
    scored.score()
    return edits.swap(run, first_id, second_id, round_, by, utcnow(), scored)


def seated(run):
    return sorted(s.user_id for t in run.tables if t.round == 1 for s in t.seats)


def table_of(run, user_id, round_=1):
    return next(t for t in run.tables if t.round == round_ and user_id in [s.user_id for s in t.seats])


def test_generate_seats_every_checked_in_attendee_in_mutually_helpful_pairs(lunch):
    group, organizer, event, p = lunch
    run = generate(event)
    assert run.status == RunStatus.DONE and run.version == 1 and run.proven_optimal
    assert seated(run) == sorted(u.id for u in p.values())
    partners = {frozenset(s.user_id for s in t.seats) for t in run.tables}
    assert frozenset({p["Alice"].id, p["Dave"].id}) in partners
    assert frozenset({p["Tom"].id, p["Sofia"].id}) in partners
    assert frozenset({p["Priya"].id, p["Sam"].id}) in partners
    reasons = table_of(run, p["Alice"].id).reasons
    about_book = [r for r in reasons if r["helper"] == p["Dave"].id and r["helped"] == p["Alice"].id]
    assert about_book and about_book[0]["need"] == "A publisher for my book" and about_book[0]["shown"]
    assert about_book[0]["text"].startswith("Dave Example can help Alice Example with publishing a book")


def test_an_odd_count_makes_exactly_one_trio(lunch):
    group, organizer, event, p = lunch
    extra = make_member(group, name="Extra Person")
    make_rsvp(event, extra, checked_in=True)
    run = generate(event)
    sizes = sorted(len(t.seats) for t in run.tables)
    assert sizes == [2, 2, 3]
    assert len(seated(run)) == 7


def test_before_the_event_it_pairs_those_who_answered_yes(app):
    group = make_group()
    event = make_event(group)
    for _ in range(4):
        make_rsvp(event, make_member(group))
    run = generate(event)
    assert run.source == "going" and len(seated(run)) == 4


def test_do_not_pair_choices_are_respected(lunch):
    from organizer.members.service import add_do_not_pair

    group, organizer, event, p = lunch
    add_do_not_pair(group, p["Alice"].id, p["Dave"].id, by_organizer=False, created_by=p["Alice"])
    run = generate(event)
    assert p["Dave"].id not in [s.user_id for s in table_of(run, p["Alice"].id).seats]


def test_pairs_that_met_within_the_cooldown_are_not_paired_again(lunch):
    group, organizer, event, p = lunch
    first = generate(event)
    publishing.publish(first, utcnow())
    later = make_event(group, title="January lunch", starts_in=timedelta(days=21))
    for user in p.values():
        make_rsvp(later, user, checked_in=True)
    second = generate(later)
    assert not ({frozenset(s.user_id for s in t.seats) for t in first.tables}
                & {frozenset(s.user_id for s in t.seats) for t in second.tables})


def test_several_rounds_never_repeat_a_pair(lunch):
    group, organizer, event, p = lunch
    event.rounds = 3
    db.session.commit()
    run = generate(event)
    pairs = [frozenset(s.user_id for s in t.seats) for t in run.tables]
    assert len(pairs) == 9 and len(set(pairs)) == 9


def test_needs_for_organizers_only_never_enter_the_reasons(lunch):
    group, organizer, event, p = lunch
    make_need(group, p["Sam"], title="Secret: leaving Acme for a CFO role", visibility="organizers")
    run = generate(event)
    assert "Secret" not in json.dumps([t.reasons for t in run.tables])
    assert "Secret" not in json.dumps(run.summary)


def test_review_lists_uncovered_needs_and_unhelped_people(lunch):
    group, organizer, event, p = lunch
    make_need(group, p["Tom"], title="A submarine captain's license")
    run = generate(event)
    assert {"user": p["Tom"].id, "need": "A submarine captain's license"} in run.summary["uncovered_needs"]
    assert run.summary["unhelped"] == []


def test_a_second_generate_while_one_runs_is_refused_with_409(lunch, client, auth):
    group, organizer, event, p = lunch
    running = runs.claim_run(event, None, utcnow(), TIME_LIMIT)
    db.session.commit()  # the claim, as the boundary commits it
    auth.login("olga@example.org")
    response = client.post(f"/groups/{group.slug}/events/{event.id}/pairing/generate",
                           data={"source": "checked_in"}, headers={"Accept": "application/json"})
    assert response.status_code == 409
    assert response.get_json()["run"] == running.id
    assert "already" in response.get_json()["error"]
    html = client.post(f"/groups/{group.slug}/events/{event.id}/pairing/generate", data={"source": "checked_in"},
                       follow_redirects=True)
    assert b"already being computed" in html.data


def test_a_dead_workers_claim_expires_and_generation_goes_on(lunch):
    group, organizer, event, p = lunch
    long_ago = utcnow() - timedelta(hours=1)
    dead = runs.claim_run(event, None, long_ago, TIME_LIMIT)  # never executed: its worker died
    db.session.commit()  # the claim, as the boundary commits it
    run = generate(event)
    db.session.refresh(dead)
    assert dead.status == RunStatus.FAILED and "stopped before finishing" in dead.error
    assert run.status == RunStatus.DONE and run.version == 2


def test_a_failed_solve_leaves_the_published_version_in_place(lunch):
    from organizer.members.service import add_do_not_pair

    group, organizer, event, p = lunch
    published = generate(event)
    publishing.publish(published, utcnow())
    others = [u for u in p.values()]
    for i, a in enumerate(others):  # nobody may sit with anybody: no seating exists
        for b in others[i + 1:]:
            add_do_not_pair(group, a.id, b.id, by_organizer=True, created_by=organizer)
    failed = generate(event)
    assert failed.status == RunStatus.FAILED and "No seating obeys the rules" in failed.error
    assert queries.published_run(event).id == published.id


def test_a_version_for_attendees_who_changed_is_not_published_silently(lunch):
    group, organizer, event, p = lunch
    run = generate(event)
    latecomer = make_member(group, name="Late Larry")
    make_rsvp(event, latecomer, checked_in=True)
    with pytest.raises(ActionRefused, match="attendees changed"):
        publishing.publish(run, utcnow())
    assert queries.published_run(event) is None
    publishing.publish(run, utcnow(), confirm_changed=True)
    assert queries.published_run(event).id == run.id


def test_thread_job_from_the_page_computes_and_shows_the_result(lunch, client, auth):
    group, organizer, event, p = lunch
    auth.login("olga@example.org")
    response = client.post(f"/groups/{group.slug}/events/{event.id}/pairing/generate",
                           data={"source": "checked_in"}, headers={"Accept": "application/json"})
    assert response.status_code == 202
    run_id = response.get_json()["run"]
    for thread in threading.enumerate():
        if thread.name == f"pairing-run-{run_id}":
            thread.join(timeout=30)
    status = client.get(f"/groups/{group.slug}/events/{event.id}/pairing/status.json").get_json()
    assert status["status"] == "done" and status["proven_optimal"] is True
    page = client.get(f"/groups/{group.slug}/events/{event.id}/pairing/").get_data(as_text=True)
    assert "Version 1" in page and "best possible seating (proven)" in page
    assert "can help Alice Example with" in page


def test_lock_then_re_solve_keeps_the_locked_pair(lunch):
    group, organizer, event, p = lunch
    run = generate(event)
    # Lock a pair the optimum would not choose, by swapping first.
    swapped = swap(run, p["Dave"].id, p["Sofia"].id, 1, organizer)
    assert swapped.version == 2 and not swapped.proven_optimal
    alice_table = table_of(swapped, p["Alice"].id)
    assert sorted(s.user_id for s in alice_table.seats) == sorted([p["Alice"].id, p["Sofia"].id])
    assert alice_table.locked
    resolved = generate(event, based_on=swapped, action="re-solve")
    assert sorted(s.user_id for s in table_of(resolved, p["Alice"].id).seats) == sorted([p["Alice"].id, p["Sofia"].id])
    assert table_of(resolved, p["Alice"].id).locked
    unlocked = edits.set_locked(resolved, table_of(resolved, p["Alice"].id).id, False, organizer, utcnow())
    unlocked = edits.set_locked(unlocked, table_of(unlocked, p["Dave"].id).id, False, organizer, utcnow())
    again = generate(event, based_on=unlocked, action="re-solve")
    assert p["Dave"].id in [s.user_id for s in table_of(again, p["Alice"].id).seats]
    assert [r.version for r in queries.runs_of(event)] == [6, 5, 4, 3, 2, 1]  # nothing overwritten


def _trio(run):
    return next(t for t in run.tables if t.round == 1 and len(t.seats) == 3)


def test_a_locked_trio_stays_together_and_keeps_its_number(lunch):
    group, organizer, event, p = lunch
    seventh = make_member(group, name="Ken Example")
    make_rsvp(event, seventh, checked_in=True)
    run = generate(event)
    trio = _trio(run)
    people = sorted(s.user_id for s in trio.seats)
    locked = edits.set_locked(run, trio.id, True, organizer, utcnow())
    assert _trio(locked).locked and not locked.proven_optimal
    resolved = generate(event, based_on=locked, action="re-solve")
    assert sorted(s.user_id for s in _trio(resolved).seats) == people
    assert _trio(resolved).locked and _trio(resolved).number == trio.number
    # an eighth person: the locked trio stays, the other five sit around it (one more trio)
    eighth = make_member(group, name="Lea Example")
    make_rsvp(event, eighth, checked_in=True)
    grown = generate(event, based_on=resolved, action="re-solve")
    trios = [sorted(s.user_id for s in t.seats) for t in grown.tables if len(t.seats) == 3]
    assert people in trios and len(trios) == 2
    assert sorted(s.user_id for s in next(t for t in grown.tables if
                                            sorted(s.user_id for s in t.seats) == people).seats) == people
    # one of the trio leaves: the other two stay together, still locked
    left = generate(event, based_on=grown, action="re-solve", inputs={"excluded": [people[0]]})
    still = table_of(left, people[1])
    assert people[2] in [s.user_id for s in still.seats] and still.locked
    assert people[0] not in seated(left) and len(seated(left)) == 7


def test_the_review_page_locks_a_trio_by_its_button(lunch, client, auth):
    group, organizer, event, p = lunch
    make_rsvp(event, make_member(group, name="Ken Example"), checked_in=True)
    run = generate(event)
    trio = _trio(run)
    auth.login("olga@example.org")
    base = f"/groups/{group.slug}/events/{event.id}/pairing/"
    page = client.get(base).get_data(as_text=True)
    names = " &amp; ".join(s.user.name for s in trio.seats)
    assert f'aria-label="Lock this trio: {names}"' in page
    response = client.post(f"{base}{run.id}/tables/{trio.id}/lock")
    assert response.status_code in (302, 303)
    newest = queries.runs_of(event)[0]
    assert newest.version == 2 and _trio(newest).locked


def test_a_swap_that_moves_someone_out_of_a_locked_trio_is_refused(lunch):
    group, organizer, event, p = lunch
    make_rsvp(event, make_member(group, name="Ken Example"), checked_in=True)
    run = generate(event)
    trio = _trio(run)
    locked = edits.set_locked(run, trio.id, True, organizer, utcnow())
    inside = trio.seats[0].user_id
    outside = next(s.user_id for t in locked.tables if len(t.seats) == 2 for s in t.seats)
    with pytest.raises(ActionRefused, match="locked table"):
        swap(locked, inside, outside, 1, organizer)


def test_a_swap_into_a_do_not_pair_is_refused(lunch):
    from organizer.members.service import add_do_not_pair

    group, organizer, event, p = lunch
    run = generate(event)
    partner_of_alice = next(s.user_id for s in table_of(run, p["Alice"].id).seats if s.user_id != p["Alice"].id)
    other = next(u for u in p.values() if u.id not in (p["Alice"].id, partner_of_alice))
    add_do_not_pair(group, p["Alice"].id, other.id, by_organizer=False, created_by=p["Alice"])
    db.session.commit()
    with pytest.raises(ActionRefused, match="must not be paired"), transaction():
        swap(run, partner_of_alice, other.id, 1, organizer)
    assert db.session.scalar(select(func.count()).select_from(PairingRun)) == 1


def test_a_walk_in_added_from_the_pairing_page_is_not_checked_in_when_the_re_solve_is_refused(
        lunch, client, auth):
    group, organizer, event, p = lunch
    run = generate(event)
    walk_in = make_member(group, name="Walk In")
    with transaction():
        runs.claim_run(event, None, utcnow(), TIME_LIMIT)  # a computation is already running
    auth.login("olga@example.org")
    page = client.post(f"/groups/{group.slug}/events/{event.id}/pairing/{run.id}/add",
                       data={"add-user": f"Walk In (#{walk_in.id})"}, follow_redirects=True)
    assert "already being computed" in page.get_data(as_text=True)
    db.session.expire_all()
    assert events.rsvp_of(event.id, walk_in.id) is None  # the check-in rolled back with the claim


def test_a_walk_in_added_from_the_pairing_page_is_checked_in_and_seated(lunch, client, auth):
    group, organizer, event, p = lunch
    run = generate(event)
    walk_in = make_member(group, name="Walk In")
    auth.login("olga@example.org")
    client.post(f"/groups/{group.slug}/events/{event.id}/pairing/{run.id}/add",
                data={"add-user": f"Walk In (#{walk_in.id})"})
    for thread in threading.enumerate():
        if thread.name.startswith("pairing-run-"):
            thread.join(timeout=30)
    db.session.expire_all()
    assert events.rsvp_of(event.id, walk_in.id).checked_in_at is not None
    assert queries.latest_run(event).version == 2


def test_exclude_and_add_a_walk_in_make_new_versions(lunch):
    group, organizer, event, p = lunch
    run = generate(event)
    without = generate(event, based_on=run, action="exclude", inputs={"excluded": [p["Sam"].id], "added": []})
    assert p["Sam"].id not in seated(without) and len(seated(without)) == 5
    walk_in = make_member(group, name="Walk In")
    inputs = edits.add_walk_in(without, walk_in.id, utcnow())
    with_walk_in = generate(event, based_on=without, action="add walk-in", inputs=inputs)
    assert walk_in.id in seated(with_walk_in) and p["Sam"].id not in seated(with_walk_in)


def test_publish_then_members_see_partner_and_partner_only_needs(lunch, client, auth):
    group, organizer, event, p = lunch
    make_need(group, p["Dave"], title="Partner-only: a quiet word about agents", visibility="partner")
    make_need(group, p["Dave"], title="Organizers-only: salary talks", visibility="organizers")
    from organizer.members.service import update_profile
    update_profile(p["Dave"], contact="dave phone 555-0199")
    run = generate(event)
    auth.login("alice@example.org")
    mine = f"/groups/{group.slug}/events/{event.id}/pairing/mine"
    assert "not published yet" in client.get(mine).get_data(as_text=True)
    assert "Partner-only" not in client.get(f"/groups/{group.slug}/members/{p['Dave'].id}").get_data(as_text=True)
    publishing.publish(run, utcnow())
    page = client.get(mine).get_data(as_text=True)
    assert "Table" in page and "Dave Example" in page
    assert "Partner-only: a quiet word about agents" in page and "555-0199" in page
    assert "Organizers-only" not in page
    assert "Partner-only" in client.get(f"/groups/{group.slug}/members/{p['Dave'].id}").get_data(as_text=True)
    calendar = icalendar.Calendar.from_ical(client.get(mine + ".ics").data)
    vevent = calendar.walk("VEVENT")[0]
    assert "Dave Example" in str(vevent["SUMMARY"])
    auth.logout()
    auth.login("tom@example.org")
    assert "Partner-only" not in client.get(f"/groups/{group.slug}/members/{p['Dave'].id}").get_data(as_text=True)
    publishing.unpublish(event)
    assert "not published yet" in client.get(mine).get_data(as_text=True)


def test_print_view_and_pairs_csv(lunch, client, auth):
    group, organizer, event, p = lunch
    run = generate(event)
    auth.login("olga@example.org")
    page = client.get(f"/groups/{group.slug}/events/{event.id}/pairing/{run.id}/print?large=1").get_data(as_text=True)
    assert 'class="sheets large"' in page and "Alice Example" in page
    assert client.get(f"/groups/{group.slug}/events/{event.id}/pairing/pairs.csv").status_code == 404
    publishing.publish(run, utcnow())
    csv_text = client.get(f"/groups/{group.slug}/events/{event.id}/pairing/pairs.csv").get_data(as_text=True)
    assert csv_text.splitlines()[0] == "Round,Table,Name,Email,Partners,Score,Reason"
    assert len(csv_text.strip().splitlines()) == 1 + 6


def test_table_cards_name_the_person_worth_meeting_that_the_computation_saved(lunch, client, auth):
    group, organizer, event, p = lunch
    make_need(group, p["Alice"], title="A licensed electrician for my kitchen in Oakville")  # Tom, at another table
    run = generate(event)
    table = table_of(run, p["Alice"].id)
    assert p["Tom"].id not in [s.user_id for s in table.seats]
    assert run.summary["worth_meeting"][str(table.number)] == p["Tom"].id
    other = p["Tom"]
    auth.login("olga@example.org")
    page = client.get(f"/groups/{group.slug}/events/{event.id}/pairing/{run.id}/print").get_data(as_text=True)
    assert f"worth meeting today: <strong>{other.name}</strong>" in page


def test_members_cannot_reach_organizer_pairing_pages(lunch, client, auth):
    group, organizer, event, p = lunch
    run = generate(event)
    auth.login("alice@example.org")
    base = f"/groups/{group.slug}/events/{event.id}/pairing"
    for url in ("/", "/status.json", f"/{run.id}/print", f"/{run.id}/sheets.pdf"):
        assert client.get(base + url).status_code == 403
    assert client.post(base + "/generate", data={"source": "checked_in"}).status_code == 403


def test_pair_command_prints_the_documented_json(lunch, runner):
    group, organizer, event, p = lunch
    result = runner.invoke(args=["pair", str(event.id), "--json", "--publish"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert set(document) >= {"event", "version", "objective", "proven_optimal", "rounds"}
    assert document["event"] == event.id and document["version"] == 1 and document["proven_optimal"] is True
    table = document["rounds"][0][0]
    assert table["table"] == 1 and set(table) >= {"members", "score", "reasons"}
    assert set(table["members"][0]) == {"email", "name"}
    emails = sorted(m["email"] for t in document["rounds"][0] for m in t["members"])
    assert emails == sorted(u.email for u in p.values())
    assert queries.published_run(event).version == 1


def test_sheets_command_writes_the_published_pdf(lunch, runner, tmp_path):
    group, organizer, event, p = lunch
    out = tmp_path / "cards.pdf"
    refused = runner.invoke(args=["sheets", str(event.id), "--out", str(out)])
    assert refused.exit_code != 0 and "no published pairs" in refused.output
    runner.invoke(args=["pair", str(event.id), "--publish"])
    result = runner.invoke(args=["sheets", str(event.id), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF")


def test_pair_command_errors_are_one_line(runner, app):
    result = runner.invoke(args=["pair", "999"])
    assert result.exit_code != 0 and "No event with id 999" in result.output and "Traceback" not in result.output


def test_saved_pairings_pass_the_validator(lunch):
    group, organizer, event, p = lunch
    event.rounds = 2
    db.session.commit()
    run = generate(event)
    snap = snapshots.snapshot(event, run.inputs["attendees"], [], utcnow(), TIME_LIMIT)
    from organizer.matching import Group, Pairing, Round
    rounds = tuple(Round(tuple(Group(tuple(s.user_id for s in t.seats), 0) for t in run.tables if t.round == r), 0, 0, True)
                   for r in (1, 2))
    assert violations(snap.problem, Pairing(rounds, 0, 0, True, 0)) == []


def test_rq_worker_runs_the_job_when_redis_is_configured(lunch, app):
    from organizer.pairing import jobs

    group, organizer, event, p = lunch
    run = runs.claim_run(event, None, utcnow(), TIME_LIMIT)
    db.session.commit()  # the claim, as the boundary commits it
    run_id = run.id
    assert run_on_rq(app, 14, lambda: jobs.start(run_id)) == 1
    db.session.commit()  # the test's read began before the job wrote: the next one sees it
    assert db.session.get(PairingRun, run_id).status == RunStatus.DONE


def test_review_shows_tables_a_page_at_a_time_and_one_list_of_the_seated_as_you_type(lunch, client, auth, monkeypatch):
    from organizer.pairing import views

    group, organizer, event, p = lunch
    run = generate(event)
    monkeypatch.setattr(views, "TABLES_PER_PAGE", 2)
    auth.login("olga@example.org")
    url = f"/groups/{group.slug}/events/{event.id}/pairing/"
    first = client.get(url).get_data(as_text=True)
    second = client.get(f"{url}?version={run.version}&page=2").get_data(as_text=True)
    assert first.count('<li class="table-card') == 2 and second.count('<li class="table-card') == 1
    assert "Page 1 of 2" in first and "Page 2 of 2" in second
    # One list of the seated people serves both swap fields and "leave out", filled as the
    # organizer types (seated.json): the page itself names no one as a choice.
    assert first.count(f"Alice Example (#{p['Alice'].id})") == 0
    assert first.count('list="seated-people"') == 3


def test_swap_and_leave_out_take_typed_names_and_refuse_others_with_a_message(lunch, client, auth):
    group, organizer, event, p = lunch
    run = generate(event)
    auth.login("olga@example.org")
    base = f"/groups/{group.slug}/events/{event.id}/pairing/{run.id}"
    refused = client.post(f"{base}/exclude", data={"exclude-user": "Nobody <i>here</i>"}, follow_redirects=True)
    assert refused.status_code == 200
    assert "Choose a seated person from the list to leave out." in refused.get_data(as_text=True)
    assert queries.latest_run(event).version == 1
    client.post(f"{base}/swap", data={"first": "alice example", "second": f"Sofia Example (#{p['Sofia'].id})",
                                      "round": "1"})
    swapped = queries.run_of_event(event)
    assert swapped.version == 2
    assert p["Tom"].id in [s.user_id for s in table_of(swapped, p["Alice"].id).seats]


def test_add_a_walk_in_by_typed_name_refuses_someone_already_seated(lunch, client, auth):
    group, organizer, event, p = lunch
    run = generate(event)
    auth.login("olga@example.org")
    base = f"/groups/{group.slug}/events/{event.id}/pairing/{run.id}"
    html = client.post(f"{base}/add", data={"add-user": "Alice Example"}, follow_redirects=True).get_data(as_text=True)
    assert "Alice Example already has a seat in this version." in html
    assert queries.latest_run(event).version == 1


def test_kept_tables_keep_their_numbers_and_the_others_take_the_smallest_free():
    from organizer.pairing.stability import kept_numbers

    old = {frozenset({1, 2}): 1, frozenset({3, 4}): 2, frozenset({5, 6, 7}): 3}
    # a late arrival joins 5 and 6 (two of table 3), 3 and 4 stay, 1 and 2 split up
    assert kept_numbers([[1, 8], [3, 4], [5, 6, 9], [2, 7]], old) == [1, 2, 3, 4]
    assert kept_numbers([[5, 6], [3, 4], [1, 9], [2, 8]], old) == [3, 2, 1, 4]
    assert kept_numbers([[10, 11], [3, 4]], old) == [1, 2]
    assert kept_numbers([[10, 11], [12, 13]], {}) == [1, 2]


def test_the_review_offers_the_seated_as_you_type_not_in_the_page(lunch, client, auth):
    group, organizer, event, p = lunch
    run = generate(event)
    auth.login(organizer.email)
    page = client.get(f"/groups/{group.slug}/events/{event.id}/pairing/").get_data(as_text=True)
    assert 'id="seated-people" data-names-url=' in page and "<option" not in page.split('id="seated-people"')[1][:200]
    url = f"/groups/{group.slug}/events/{event.id}/pairing/{run.id}/seated.json"
    someone = next(iter(p.values()))
    names = client.get(f"{url}?q={someone.name.split()[0].upper()}").get_json()
    assert f"{someone.name} (#{someone.id})" in names and len(names) <= 10
    assert client.get(f"{url}?q=%25_zz").get_json() == []
