""""My needs and offers": every item's edit form, whose fields are rendered once per process for
the same values (members.views.item_fields) and posted with a CSRF token of their own."""

import re

import pytest

from organizer.extensions import db
from organizer.members.forms import NeedForm
from tests.conftest import csrf_token_from
from tests.factories import DEFAULT_PASSWORD, make_group, make_member, make_need, make_offer, make_user
from tests.members.test_service import need_data


def field_value(html: str, field_id: str) -> str:
    match = re.search(rf'<input [^>]*id="{field_id}"[^>]*value="([^"]*)"', html)
    assert match, f"no {field_id} on the page"
    return match.group(1)


def textarea(html: str, field_id: str) -> str:
    match = re.search(rf'<textarea [^>]*id="{field_id}"[^>]*>\r?\n?(.*?)</textarea>', html, re.S)
    assert match, f"no {field_id} on the page"
    return match.group(1)


@pytest.fixture
def ann_and_bob(app):
    group = make_group(organizer=make_user(email="olga@example.org"), name="Job Club")
    ann = make_member(group, name="Ann Lee", email="ann@example.org")
    bob = make_member(group, name="Bob Brown", email="bob@example.org")
    return group, ann, bob


def test_each_edit_form_shows_the_items_values_after_every_change(client, auth, ann_and_bob):
    group, ann, _ = ann_and_bob
    need = make_need(group, ann, title="A publisher", tags="books", details="Non-fiction")
    offer = make_offer(group, ann, title="Resume reviews", kind="advice")
    auth.login("ann@example.org")
    page = client.get(f"/groups/{group.slug}/members/me").get_data(as_text=True)
    assert field_value(page, f"need-{need.id}-title") == "A publisher"
    assert field_value(page, f"need-{need.id}-tags") == "books" and textarea(page, f"need-{need.id}-details") == "Non-fiction"
    assert field_value(page, f"offer-{offer.id}-title") == "Resume reviews"
    client.post(f"/groups/{group.slug}/members/me/needs/{need.id}", data=need_data(
        prefix=f"need-{need.id}", title='A "literary" agent', tags="agents", details="Fiction <now>", priority="high",
        visibility="organizers"))
    page = client.get(f"/groups/{group.slug}/members/me").get_data(as_text=True)
    assert field_value(page, f"need-{need.id}-title") == "A &#34;literary&#34; agent"
    assert field_value(page, f"need-{need.id}-tags") == "agents"
    assert textarea(page, f"need-{need.id}-details") == "Fiction &lt;now&gt;"
    assert re.search(rf'id="need-{need.id}-priority".*?<option value="high" selected>', page)
    assert re.search(rf'id="need-{need.id}-visibility".*?<option value="organizers" selected>', page)
    assert "A publisher" not in page


def test_the_same_values_in_two_members_forms_keep_each_forms_own_names(client, auth, ann_and_bob):
    group, ann, bob = ann_and_bob
    ann_need, bob_need = make_need(group, ann, title="Same words"), make_need(group, bob, title="Same words")
    for email, mine, theirs in (("ann@example.org", ann_need, bob_need), ("bob@example.org", bob_need, ann_need)):
        auth.login(email)
        page = client.get(f"/groups/{group.slug}/members/me").get_data(as_text=True)
        assert f'name="need-{mine.id}-title"' in page and f'need-{theirs.id}' not in page
        auth.logout()


def test_a_new_cool_down_changes_the_visibility_hint_of_every_form(client, auth, ann_and_bob):
    group, ann, _ = ann_and_bob
    need = make_need(group, ann)
    auth.login("ann@example.org")
    hint = re.compile(rf'id="need-{need.id}-visibility-help">A lunch partner sees it once the pairs are published, until (\d+) weeks')
    before = int(hint.search(client.get(f"/groups/{group.slug}/members/me").get_data(as_text=True)).group(1))
    group.repeat_cooldown_weeks = before + 3
    db.session.commit()
    page = client.get(f"/groups/{group.slug}/members/me").get_data(as_text=True)
    assert int(hint.search(page).group(1)) == before + 3
    assert f"until {before + 3} weeks after the lunch" in page.split('id="new-need-visibility-help">')[1][:200]


def test_a_form_with_errors_shows_what_was_typed_and_the_others_their_values(client, auth, ann_and_bob):
    group, ann, _ = ann_and_bob
    first, second = make_need(group, ann, title="First need"), make_need(group, ann, title="Second need")
    auth.login("ann@example.org")
    client.get(f"/groups/{group.slug}/members/me")
    response = client.post(f"/groups/{group.slug}/members/me/needs/{first.id}",
                           data=need_data(prefix=f"need-{first.id}", title="x" * 121))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert field_value(page, f"need-{first.id}-title") == "x" * 121
    assert f'id="need-{first.id}-title-error"' in page and f'<li class="item" id="need-{first.id}">\n          <details open>' in page
    assert field_value(page, f"need-{second.id}-title") == "Second need"
    assert f'id="need-{second.id}-title-error"' not in page


def test_a_csrf_field_is_what_the_forms_hidden_tag_renders(app, csrf_on):
    from organizer.forms import csrf_field

    with app.test_request_context("/"):
        token_field = csrf_field("need-7")
        assert token_field == NeedForm(prefix="need-7", formdata=None).hidden_tag()
        assert 'name="need-7-csrf_token"' in token_field
    app.config["WTF_CSRF_ENABLED"] = False
    with app.test_request_context("/"):
        assert csrf_field("need-7") == NeedForm(prefix="need-7", formdata=None).hidden_tag() == ""


def test_an_edit_form_posts_with_its_own_token_and_not_without(client, auth, ann_and_bob, csrf_on):
    group, ann, _ = ann_and_bob
    need = make_need(group, ann, title="A publisher")
    login = client.get("/auth/login").get_data(as_text=True)
    client.post("/auth/login", data={"email": "ann@example.org", "password": DEFAULT_PASSWORD,
                                     "csrf_token": csrf_token_from(login)})
    page = client.get(f"/groups/{group.slug}/members/me").get_data(as_text=True)
    token = field_value(page, f"need-{need.id}-csrf_token")
    url = f"/groups/{group.slug}/members/me/needs/{need.id}"
    refused = client.post(url, data=need_data(prefix=f"need-{need.id}", title="Changed without a token"))
    assert refused.status_code == 400
    db.session.refresh(need)
    assert need.title == "A publisher"
    saved = client.post(url, data={**need_data(prefix=f"need-{need.id}", title="Changed"), f"need-{need.id}-csrf_token": token})
    assert saved.status_code == 302
    db.session.refresh(need)
    assert need.title == "Changed"


def test_own_items_are_the_members_needs_and_offers_with_their_own_tags_in_name_order(app, ann_and_bob):
    from organizer.members import service
    from tests.factories import membership_of

    group, ann, bob = ann_and_bob
    need = make_need(group, ann, title="A publisher", tags="zeta, alpha, Mid")
    helped = make_need(group, ann, title="An editor", status="met")
    helped.helped_by_id = bob.id
    offer = make_offer(group, ann, title="Resume reviews", tags="beta")
    untagged = make_offer(group, ann, title="Car tips", active=False)
    make_need(group, bob, title="Not Ann's", tags="alpha")
    db.session.commit()
    needs, offers = service.own_items(membership_of(ann, group))
    assert [(n.id, n.title, n.tags) for n in needs] == [(need.id, "A publisher", ("alpha", "mid", "zeta")),
                                                        (helped.id, "An editor", ())]
    assert needs[1].helper_name == "Bob Brown" and needs[1].helped_by_id == bob.id and needs[1].status == "met"
    assert needs[0].helper_name is None and needs[0].priority == "normal" and needs[0].visibility == "group"
    assert [(o.id, o.tags, o.active) for o in offers] == [(offer.id, ("beta",), True), (untagged.id, (), False)]
    # what the objects say, item by item
    assert [tuple(t.name for t in n.tags) for n in service.needs_of(membership_of(ann, group))] == [n.tags for n in needs]
