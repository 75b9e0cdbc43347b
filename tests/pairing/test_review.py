"""The pairing review page (pairing.index): what it reads and what it shows."""

import re

from sqlalchemy import select

from organizer.extensions import db
from organizer.groups.service import add_member
from organizer.models import Role, utcnow
from organizer.pairing import queries
from tests.event_factories import make_event, make_pairing_run, make_rsvp
from tests.factories import make_group, make_member, make_user
from tests.statements import statements_sent


def review_url(group, event, query: str = "") -> str:
    return f"/groups/{group.slug}/events/{event.id}/pairing/{query}"


def lunch_with_versions(count: int):
    """A group, its lunch with four checked-in members and `count` versions seating them."""
    group = make_group(organizer=make_user(email="olga@example.org"), name="Job Club")
    ann, bob, cy, di = (make_member(group, name=name) for name in ("Ann Lee", "Bob Stone", "Cy Young", "Di Park"))
    event = make_event(group)
    for user in (ann, bob, cy, di):
        make_rsvp(event, user, checked_in=True)
    for version in range(1, count + 1):
        make_pairing_run(event, version, [[ann, bob], [cy, di]] if version % 2 else [[ann, cy], [bob, di]])
    db.session.commit()
    return group, event


def test_the_review_reads_the_seats_of_its_page_of_tables_only(client, auth):
    """A version made after another is shown without reading every seat of both."""
    group, event = lunch_with_versions(2)
    auth.login("olga@example.org")
    assert client.get(review_url(group, event)).status_code == 200
    with statements_sent() as seen:
        assert client.get(review_url(group, event)).status_code == 200
    assert len([s for s in seen if "pairing_seats" in s]) == 1, "\n".join(seen)


def log_in_with_token(client, email: str) -> None:
    from tests.conftest import csrf_token_from
    from tests.factories import DEFAULT_PASSWORD

    login = client.get("/auth/login").get_data(as_text=True)
    client.post("/auth/login", data={"email": email, "password": DEFAULT_PASSWORD,
                                     "csrf_token": csrf_token_from(login)})


TOKEN_INPUT = re.compile(r'name="((?:[a-z]+-)?csrf_token)" type="hidden" value="([^"]+)"')


def test_the_review_forms_post_with_each_sessions_own_token(client, app, csrf_on):
    group, event = lunch_with_versions(1)
    run_id = queries.runs_of(event)[0].id
    other_organizer = make_user(email="otto@example.org")
    add_member(group, other_organizer, role=Role.ORGANIZER)
    db.session.commit()
    log_in_with_token(client, "olga@example.org")
    page = client.get(review_url(group, event)).get_data(as_text=True)
    fields = TOKEN_INPUT.findall(page)
    token = fields[0][1]  # the layout's log-out form
    assert {value for _, value in fields} == {token} and "csrf-token/" not in page
    assert {"exclude-csrf_token", "add-csrf_token"} <= {name for name, _ in fields}
    base = review_url(group, event, f"{run_id}/")
    nobody = {"first": "Nobody", "second": "Nobody", "round": "1"}
    assert client.post(f"{base}swap", data=nobody).status_code == 400
    assert client.post(f"{base}swap", data={**nobody, "csrf_token": token}).status_code == 302
    assert client.post(f"{base}exclude", data={"exclude-user": "Nobody", "exclude-csrf_token": token}).status_code == 302
    # another organizer's visit: their own token in every form, never the first one's
    other = app.test_client()
    log_in_with_token(other, "otto@example.org")
    other_page = other.get(review_url(group, event)).get_data(as_text=True)
    other_tokens = {value for _, value in TOKEN_INPUT.findall(other_page)}
    assert len(other_tokens) == 1 and token not in other_tokens and token not in other_page
    # the buttons that only post the token, such as "Unpublish"
    published = queries.runs_of(event)[0]
    published.published_at = utcnow()
    db.session.commit()
    page = client.get(review_url(group, event)).get_data(as_text=True)
    unpublish = page.split(f'action="{review_url(group, event)}unpublish"', 1)[1].split("</form>", 1)[0]
    token = TOKEN_INPUT.findall(page)[0][1]
    assert TOKEN_INPUT.findall(unpublish) == [("csrf_token", token)]
    assert client.post(f"{review_url(group, event)}unpublish").status_code == 400
    assert client.post(f"{review_url(group, event)}unpublish", data={"csrf_token": token}).status_code == 302
    assert queries.runs_of(event)[0].published_at is None


def test_a_visit_builds_none_of_the_review_forms(client, auth, monkeypatch):
    """The review's forms are always shown empty: rendered once, not built on every visit (and its
    buttons post the token without a ConfirmForm of their own)."""
    from flask_wtf import FlaskForm

    group, event = lunch_with_versions(1)
    auth.login("olga@example.org")
    assert client.get(review_url(group, event)).status_code == 200
    built = []
    original = FlaskForm.__init__

    def counting(self, *args, **kwargs):
        built.append(type(self).__name__)
        original(self, *args, **kwargs)

    monkeypatch.setattr(FlaskForm, "__init__", counting)
    assert client.get(review_url(group, event)).status_code == 200
    assert built == []


def test_the_generate_form_chooses_who_checked_in_once_someone_has(client, auth):
    group = make_group(organizer=make_user(email="olga@example.org"), name="Job Club")
    ann = make_member(group, name="Ann Lee")
    event = make_event(group)
    rsvp = make_rsvp(event, ann)
    auth.login("olga@example.org")
    before = client.get(review_url(group, event)).get_data(as_text=True)
    assert '<option value="going" selected>' in before and '<option value="checked_in">' in before
    rsvp.checked_in_at = utcnow()
    db.session.commit()
    after = client.get(review_url(group, event)).get_data(as_text=True)
    assert '<option value="checked_in" selected>' in after and '<option value="going">' in after


def test_the_publish_form_asks_to_confirm_once_the_attendees_changed(client, auth):
    group, event = lunch_with_versions(1)
    auth.login("olga@example.org")
    confirm = 'name="confirm_changed"'
    assert confirm not in client.get(review_url(group, event)).get_data(as_text=True)
    make_rsvp(event, make_member(group, name="Eve Late"), checked_in=True)
    page = client.get(review_url(group, event)).get_data(as_text=True)
    assert confirm in page and "Arrived since this version: Eve Late." in page


def test_the_page_of_tables_comes_with_their_people_and_counts_in_one_statement(client, auth, monkeypatch):
    from organizer.models import PairingTable
    from organizer.pairing import views

    group, event = lunch_with_versions(1)
    run = queries.runs_of(event)[0]
    run.rounds = 2
    for number in (1, 2):  # round 2 seats the same people: the lunch has two tables, the version four
        run.tables.append(PairingTable(round=2, number=number, score=1.0, reasons=[]))
    db.session.commit()
    monkeypatch.setattr(views, "TABLES_PER_PAGE", 3)
    auth.login("olga@example.org")
    assert client.get(review_url(group, event)).status_code == 200
    with statements_sent() as seen:
        page = client.get(review_url(group, event)).get_data(as_text=True)
    assert len([s for s in seen if "pairing_tables" in s or "pairing_seats" in s]) == 1, "\n".join(seen)
    assert "<dt>Tables</dt><dd>2</dd>" in page and "Table 1: Ann Lee &amp; Bob Stone" in page and "Page 1 of 2" in page and page.count('<li class="table-card') == 3
    past_the_end = client.get(review_url(group, event, "?page=7")).get_data(as_text=True)
    assert "Page 2 of 2" in past_the_end and past_the_end.count('<li class="table-card') == 1


def page_and_loaded(client, url: str, model) -> tuple[str, list]:
    """The page at `url`, and every object of `model` the ORM loaded while serving it."""
    from sqlalchemy import event as sa_event

    loaded: list = []

    def count(target, context):
        loaded.append(target)

    sa_event.listen(model, "load", count)
    try:
        return client.get(url).get_data(as_text=True), loaded
    finally:
        sa_event.remove(model, "load", count)


def test_the_review_reads_the_versions_as_rows_not_objects(client, auth):
    """The versions are read as rows of what the page shows: a draft compared with the published
    version shows its moves and asks to confirm changing tables people have seen."""

    from organizer.models import PairingRun

    group, event = lunch_with_versions(2)
    published = queries.runs_of(event)[1]
    published.published_at = utcnow()
    db.session.commit()
    auth.login("olga@example.org")
    page, loaded = page_and_loaded(client, review_url(group, event), PairingRun)
    assert loaded == []
    assert "Compared with the published version 1" in page and "Cy Young moves from table 2 to table 1" in page
    assert 'name="confirm_seen"' in page and "Version 2</h3>" in page


def test_the_wishes_and_corrections_among_the_attendees_are_read_as_rows(client, auth):

    from organizer.models import HelpLink, LinkKind, User
    from tests.factories import make_need

    group, event = lunch_with_versions(1)
    ann, bob, cy, di = (db.session.scalar(select(User).where(User.name == name))
                        for name in ("Ann Lee", "Bob Stone", "Cy Young", "Di Park"))
    ed = make_member(group, name="Ed <Away>")  # not at this lunch
    need = make_need(group, ann, title="A <b>publisher</b>")
    for kind, helper, helped, need_id, text in ((LinkKind.WISH, bob, ann, need.id, ""),
                                                (LinkKind.ORGANIZER, cy, di, None, "knows <i>CFOs</i>"),
                                                (LinkKind.WRONG, di, ann, need.id, ""),
                                                (LinkKind.WISH, ed, ann, need.id, "")):
        db.session.add(HelpLink(group_id=group.id, kind=kind.value, helper_id=helper.id, helped_id=helped.id,
                                need_id=need_id, text=text))
        db.session.commit()
    auth.login("olga@example.org")
    page, loaded = page_and_loaded(client, review_url(group, event), HelpLink)
    assert loaded == []
    wishes = page.split('id="wishes-heading"', 1)[1].split("</ul>", 1)[0]
    assert [" ".join(line.split()) for line in re.findall(r"<li>(.*?)</li>", wishes, re.S)] == [
        "Di Park does not help Ann Lee with “A &lt;b&gt;publisher&lt;/b&gt;”.",
        "Cy Young can help Di Park: knows &lt;i&gt;CFOs&lt;/i&gt; (an organizer's link).",
        "Ann Lee would like to meet Bob Stone about “A &lt;b&gt;publisher&lt;/b&gt;”.",
    ]


def test_the_versions_say_whether_anyone_is_checked_in_for_the_generate_form(client, auth):
    """With versions to show, the generate form's default comes with them, not in a statement of its own."""
    from organizer.models import Rsvp

    group, event = lunch_with_versions(1)
    for rsvp in db.session.scalars(select(Rsvp).where(Rsvp.event_id == event.id)):
        rsvp.checked_in_at = None
    db.session.commit()
    auth.login("olga@example.org")
    assert '<option value="going" selected>' in client.get(review_url(group, event)).get_data(as_text=True)
    rsvp = db.session.scalars(select(Rsvp).where(Rsvp.event_id == event.id)).first()
    rsvp.checked_in_at = utcnow()
    db.session.commit()
    with statements_sent() as seen:
        page = client.get(review_url(group, event)).get_data(as_text=True)
    assert '<option value="checked_in" selected>' in page
    rsvp_reads = [s for s in seen if s.startswith(("SELECT rsvps", "SELECT EXISTS"))]
    assert len(rsvp_reads) == 1, "\n".join(seen)  # who is present


def test_the_needs_and_links_the_review_names_are_kept_until_the_group_changes(client, auth):
    """The needs its reasons name and the wishes it lists are kept under the group's data version:
    a repeat visit does not read them, and any change in the group shows on the next one."""
    from organizer.members.service import remove_need
    from organizer.models import HelpLink, LinkKind, User
    from tests.factories import make_need

    group, event = lunch_with_versions(1)
    ann, bob = (db.session.scalar(select(User).where(User.name == name)) for name in ("Ann Lee", "Bob Stone"))
    need = make_need(group, ann, title="A publisher")
    run = queries.runs_of(event)[0]
    run.tables[0].reasons = [{"text": "Bob can help Ann with publishing", "helper": bob.id, "helped": ann.id,
                              "need_id": need.id}]
    db.session.add(HelpLink(group_id=group.id, kind=LinkKind.WISH.value, helper_id=bob.id, helped_id=ann.id,
                            need_id=need.id))
    db.session.commit()
    auth.login("olga@example.org")
    first = client.get(review_url(group, event)).get_data(as_text=True)
    assert "Bob can help Ann with publishing" in first and "Ann Lee would like to meet Bob Stone" in first
    with statements_sent() as seen:
        assert client.get(review_url(group, event)).get_data(as_text=True) == first
    assert not [s for s in seen if "FROM needs" in s or "FROM help_links" in s], "\n".join(seen)

    bob = db.session.get(User, bob.id)
    bob.name = "Robert Stone"  # a member's name
    db.session.commit()
    assert "Ann Lee would like to meet Robert Stone" in client.get(review_url(group, event)).get_data(as_text=True)
    db.session.add(HelpLink(group_id=group.id, kind=LinkKind.ORGANIZER.value, helper_id=ann.id, helped_id=bob.id,
                            text="knows agents"))  # a new link
    db.session.commit()
    assert "Ann Lee can help Robert Stone: knows agents" in client.get(review_url(group, event)).get_data(as_text=True)
    remove_need(db.session.merge(need))  # the reason's need (and the wish about it) are gone
    db.session.commit()
    gone = client.get(review_url(group, event)).get_data(as_text=True)
    assert "Bob can help Ann with publishing" not in gone and "would like to meet" not in gone


def test_a_draft_after_publishing_reads_each_versions_seats_once(client, auth):
    """Who moves and whether publishing changes seen tables come from one reading of each version's
    seats (and the names of those who move only)."""
    group, event = lunch_with_versions(2)
    queries.runs_of(event)[1].published_at = utcnow()
    db.session.commit()
    auth.login("olga@example.org")
    assert client.get(review_url(group, event)).status_code == 200
    with statements_sent() as seen:
        page = client.get(review_url(group, event)).get_data(as_text=True)
    assert "Cy Young moves from table 2 to table 1" in page and 'name="confirm_seen"' in page
    seats = [s for s in seen if "pairing_seats" in s]
    assert len(seats) == 3, "\n".join(seats)  # the page of tables, and every seat of each version once
