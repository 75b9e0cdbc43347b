"""Reasons of a pairing: structured in `pair --json`, and read only by those who may see the
needs they name, as those needs are now (not as they were when the pairing was computed)."""

import json
import subprocess

import pytest

from organizer.extensions import db
from organizer.members.service import remove_need
from organizer.models import Need, utcnow
from organizer.pairing import publishing, runs
from tests.event_factories import make_event, make_rsvp
from tests.factories import make_group, make_member, make_need, make_offer, make_user
from tests.pairing.test_printing import make_pdf

TIME_LIMIT = 10.0


@pytest.fixture
def pair(app):
    """Two members who help each other, one need shared with a lunch partner only."""
    organizer = make_user(name="Olga Organizer", email="olga@example.org")
    group = make_group(organizer=organizer, name="Job Club")
    ann = make_member(group, name="Ann Author", email="ann@example.org")
    bo = make_member(group, name="Bo Builder", email="bo@example.org", headline="Licensed electrician")
    secret = make_need(group, ann, title="Bad wiring in the old garage before we sell", visibility="partner")
    make_offer(group, ann, title="An introduction to my literary agent")
    make_need(group, bo, title="A publisher for my memoir")
    event = make_event(group, title="December lunch")
    for user in (ann, bo):
        make_rsvp(event, user, checked_in=True)
    run = runs.claim_run(event, None, utcnow(), TIME_LIMIT)
    db.session.commit()  # the claim, as the boundary commits it
    run = runs.execute_run(run.id, TIME_LIMIT)
    publishing.publish(run, utcnow())
    db.session.commit()
    return group, event, run, ann, bo, secret


def urls(group, event, run):
    base = f"/groups/{group.slug}/events/{event.id}/pairing"
    return {"mine": f"{base}/mine", "print": f"{base}/{run.id}/print",
            "review": f"{base}/?version={run.version}", "csv": f"{base}/pairs.csv"}


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "sheets.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_each_reason_names_its_need_and_offer_by_id_and_says_how_it_was_found(pair):
    group, event, run, ann, bo, secret = pair
    reasons = run.tables[0].reasons
    by_helper = {r["helper"]: r for r in reasons}
    assert by_helper[bo.id]["need_id"] == secret.id and by_helper[bo.id]["via"] == "headline"
    assert by_helper[bo.id]["offer"] is None and by_helper[bo.id]["shown"] is True
    assert by_helper[ann.id]["via"] == "offer" and by_helper[ann.id]["offer"] == "An introduction to my literary agent"
    assert 0 < by_helper[ann.id]["confidence"] <= 1


def test_the_partner_sees_a_partner_only_need_in_the_reason(pair, client, auth):
    group, event, run, ann, bo, secret = pair
    auth.login("bo@example.org")
    assert "Bad wiring in the old garage" in client.get(urls(group, event, run)["mine"]).get_data(as_text=True)


def test_a_need_hidden_after_the_pairing_leaves_the_members_page_cards_and_pdf(pair, client, auth, tmp_path):
    group, event, run, ann, bo, secret = pair
    auth.login("olga@example.org")
    assert "Bad wiring" in pdf_text(client.get(make_pdf(client, group, event, run) + ".pdf").data, tmp_path)
    auth.logout()
    secret.visibility = "organizers"
    db.session.commit()
    auth.login("bo@example.org")
    assert "Bad wiring" not in client.get(urls(group, event, run)["mine"]).get_data(as_text=True)
    auth.logout()
    auth.login("olga@example.org")
    assert "Bad wiring" not in client.get(urls(group, event, run)["print"]).get_data(as_text=True)
    assert "Bad wiring" not in pdf_text(client.get(make_pdf(client, group, event, run) + ".pdf").data, tmp_path)
    assert "Bad wiring" not in client.get(urls(group, event, run)["csv"]).get_data(as_text=True)


def test_a_deleted_need_leaves_every_reason(pair, client, auth):
    group, event, run, ann, bo, secret = pair
    auth.login("bo@example.org")
    assert "Bad wiring" in client.get(urls(group, event, run)["mine"]).get_data(as_text=True)
    remove_need(secret)
    db.session.commit()
    assert "Bad wiring" not in client.get(urls(group, event, run)["mine"]).get_data(as_text=True)
    auth.logout()
    auth.login("olga@example.org")
    assert "Bad wiring" not in client.get(urls(group, event, run)["review"]).get_data(as_text=True)


def test_the_master_sheet_shows_only_what_the_whole_group_may_see(pair, client, auth):
    group, event, run, ann, bo, secret = pair
    auth.login("olga@example.org")
    page = client.get(urls(group, event, run)["print"]).get_data(as_text=True)
    master, _, table_cards = page.partition('class="tent-sheet')
    assert "Bad wiring" not in master, "a partner-only need on the sheet the whole room reads"
    assert "Bad wiring" in table_cards, "the table card is for the partners, who may read it"


def test_a_version_saved_before_reasons_named_their_needs_hides_a_hidden_need_too(pair, client, auth):
    group, event, run, ann, bo, secret = pair
    table = run.tables[0]
    table.reasons = [{k: v for k, v in r.items() if k not in ("need_id", "source_need_id")} for r in table.reasons]
    db.session.commit()
    auth.login("bo@example.org")
    assert "Bad wiring" in client.get(urls(group, event, run)["mine"]).get_data(as_text=True)
    db.session.get(Need, secret.id).visibility = "organizers"
    db.session.commit()
    assert "Bad wiring" not in client.get(urls(group, event, run)["mine"]).get_data(as_text=True)


def test_a_reason_naming_another_groups_need_shows_nothing_of_it(pair, client, auth):
    """The needs are read by id; a need of another group never passes for one of this group's."""
    group, event, run, ann, bo, secret = pair
    other_owner = make_user(name="Oscar Other", email="oscar@example.org")
    other = make_group(organizer=other_owner, name="Other Club")
    foreign = make_need(other, other_owner, title="Foreign secret about a lawsuit", visibility="group")
    table = run.tables[0]
    table.reasons = [{**r, "need_id": foreign.id, "need": foreign.title} for r in table.reasons]
    db.session.commit()
    from organizer.pairing import reasons as reading
    shown = reading.visible_reasons(group.id, [table], reading.ORGANIZERS)
    assert shown[table.id] == []
    assert reading.visible_reasons(other.id, [table], reading.ORGANIZERS)[table.id], "the same reasons, read as the other group's"
    auth.login("olga@example.org")
    assert "Foreign secret" not in client.get(urls(group, event, run)["review"]).get_data(as_text=True)


def test_pair_json_lists_structured_help_per_table(pair, runner):
    group, event, run, ann, bo, secret = pair
    result = runner.invoke(args=["pair", str(event.id), "--json"])
    assert result.exit_code == 0, result.output
    table = json.loads(result.output)["rounds"][0][0]
    assert set(table) >= {"table", "members", "score", "reasons", "help"}
    help_ = {(h["helper"], h["helped"]): h for h in table["help"]}
    electrician = help_[("bo@example.org", "ann@example.org")]
    assert electrician == {"helper": "bo@example.org", "helped": "ann@example.org",
                           "need": "Bad wiring in the old garage before we sell", "via": "headline", "offer": None,
                           "confidence": electrician["confidence"], "shown": True}
    agent = help_[("ann@example.org", "bo@example.org")]
    assert agent["via"] == "offer" and agent["offer"] == "An introduction to my literary agent"
    assert all(isinstance(h["confidence"], float) and 0 <= h["confidence"] <= 1 for h in table["help"])
