"""The organizers' dashboard: figures, plots drawn on the server, tables and the CSV export."""

import csv
import io

import pytest

from organizer.database import transaction
from organizer.groups.memberships import membership
from organizer.models import utcnow
from organizer.outcomes import answers, dashboard
from tests.outcomes.helpers import first_lunch, need_of


@pytest.fixture
def lunch(app):
    group, organizer, event, people = first_lunch()
    with transaction():
        event.title = "=cmd|' /C calc'!A0 lunch $5 $x$"  # a title a spreadsheet would run, and a "$" for matplotlib's math
        answers.save_answer(membership(group.id, people["Alice"].id), event, people["Dave"].id,
                            answers.AnswerInput(helped="yes", need_ids=[need_of(group, people["Alice"]).id],
                                                note="Thanks"), utcnow())
        answers.save_answer(membership(group.id, people["Tom"].id), event, people["Sofia"].id,
                            answers.AnswerInput(helped="did-not-meet"), utcnow())
    return group, organizer, event, people


def test_figures_count_attendance_helped_share_needs_met_and_notes(lunch):
    group, _, event, _ = lunch
    figures = {f.name: f for f in dashboard.figures(group, utcnow())}
    assert figures["attendance"].values == [4]
    assert figures["helped"].values == [0.25] and figures["helped"].rows[0][1] == "25%"
    assert sum(figures["needs-met"].values) == 1
    assert figures["notes"].values == [1]
    assert figures["repeats"].values == [0]
    assert "Attendance per lunch (people seated)." in figures["attendance"].alt


def test_the_dashboard_shows_plots_with_text_alternatives_and_tables(lunch, client, auth):
    group, organizer, _, people = lunch
    auth.login(organizer.email)
    page = client.get(f"/groups/{group.slug}/outcomes/dashboard").get_data(as_text=True)
    assert f'src="/groups/{group.slug}/outcomes/dashboard/helped.svg"' in page
    assert 'alt="Share of attendees who said a lunch helped (of those seated).' in page
    assert "<td>25%</td>" in page
    assert "Dave: helped 1 person" in page  # gave, not helped yet
    svg = client.get(f"/groups/{group.slug}/outcomes/dashboard/helped.svg")
    assert svg.mimetype == "image/svg+xml" and b"<svg" in svg.data and b"25%" in svg.data
    assert client.get(f"/groups/{group.slug}/outcomes/dashboard/nothing.svg").status_code == 404


def test_the_dashboards_lists_of_members_come_a_page_at_a_time(lunch, client, auth):
    """Lists that grow with the group (issue 16): 25 a page each, and each list's pages keep the
    page the other lists show."""
    import re

    from organizer.extensions import db
    from organizer.models import HelpGiven
    from tests.factories import make_member

    group, organizer, _, people = lunch
    receiver = people["Sofia"]
    for i in range(30):  # thirty givers, none of them helped
        giver = make_member(group, name=f"Giver {i:02d}")
        db.session.add(HelpGiven(group_id=group.id, giver_id=giver.id, receiver_id=receiver.id, source="test",
                                 confirmed_at=utcnow()))
    db.session.commit()
    auth.login(organizer.email)

    def givers(page: str) -> list[str]:
        return re.findall(r"<li>(Giver \d\d|Dave): helped", page)

    def ledger(page: str) -> list[str]:
        return re.findall(r"<tr><td>([^<]+)</td><td>\d+</td><td>\d+</td></tr>", page)

    first = client.get(f"/groups/{group.slug}/outcomes/dashboard").get_data(as_text=True)
    assert givers(first) == ["Dave", *(f"Giver {i:02d}" for i in range(24))]  # by name among equals
    assert ledger(first) == ["Alice", "Dave", *(f"Giver {i:02d}" for i in range(23))]
    assert first.count("Page 1 of 2") == 2
    second = client.get(f"/groups/{group.slug}/outcomes/dashboard?givers=2&ledger=2").get_data(as_text=True)
    assert givers(second) == [f"Giver {i:02d}" for i in range(24, 30)]
    assert ledger(second) == [*(f"Giver {i:02d}" for i in range(23, 30)), "Sofia"]
    assert f'href="/groups/{group.slug}/outcomes/dashboard?givers=2&amp;ledger=1#ledger-heading"' in second


def test_the_csv_export_escapes_formulas(lunch, client, auth):
    group, organizer, _, _ = lunch
    auth.login(organizer.email)
    response = client.get(f"/groups/{group.slug}/outcomes/dashboard.csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["figure", "label", "value", "unit"]
    assert ["Share of attendees who said a lunch helped"] == [r[0] for r in rows if r[2] == "0.25"]
    labels = [r[1] for r in rows[1:] if r[0] == "Attendance per lunch"]
    assert labels and not any(label.startswith(("=", "+", "-", "@")) for label in labels)


def test_members_see_no_dashboard_and_no_one_elses_counts(lunch, client, auth):
    group, _, _, _ = lunch
    auth.login("alice@example.org")
    assert client.get(f"/groups/{group.slug}/outcomes/dashboard").status_code == 403
    ledger_page = client.get(f"/groups/{group.slug}/outcomes/ledger").get_data(as_text=True)
    assert "You have helped 0 people; 1 has helped you." in ledger_page
    assert "Tom" not in ledger_page and "Sofia" not in ledger_page


def test_organizers_set_the_learning_rules(lunch, client, auth):
    from organizer.outcomes.learning import rules_of

    group, organizer, _, _ = lunch
    auth.login(organizer.email)
    response = client.post(f"/groups/{group.slug}/outcomes/rules", data={
        "boost_per_person": "50", "max_boost": "150", "rematch": "no", "rematch_weeks": "", "learn_links": ""})
    assert response.status_code == 302
    rules = rules_of(group.id)
    assert (rules.boost_per_person, rules.max_boost, rules.rematch_weeks, rules.learn_links) == (0.5, 2.5, None, False)
    bad = client.post(f"/groups/{group.slug}/outcomes/rules", data={"boost_per_person": "-5", "max_boost": "x",
                                                                   "rematch": "yes"})
    assert bad.status_code == 200 and "Number must be between" in bad.get_data(as_text=True)
