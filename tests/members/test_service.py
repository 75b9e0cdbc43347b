import pytest
from sqlalchemy import select

from organizer.extensions import db
from organizer.members import directory, service
from organizer.models import DoNotPair, Need, Offer, Tag
from tests.factories import make_group, make_member, make_need, make_offer, make_user, membership_of


@pytest.fixture
def group_of_three(app):
    organizer = make_user(name="Olga Organizer", email="olga@example.org")
    group = make_group(organizer=organizer, name="Job Club")
    alice = make_member(group, name="Alice Nguyen", email="alice@example.org")
    bob = make_member(group, name="Bob Brown", email="bob@example.org")
    return group, organizer, alice, bob


def need_data(prefix="new-need", **fields):
    data = {f"{prefix}-title": "A publisher for my book", f"{prefix}-details": "", f"{prefix}-tags": "",
            f"{prefix}-priority": "normal", f"{prefix}-status": "open", f"{prefix}-visibility": "group",
            f"{prefix}-helped_by": ""}
    data.update({f"{prefix}-{k}": v for k, v in fields.items()})
    return data


def offer_data(prefix="new-offer", **fields):
    data = {f"{prefix}-title": "Resume reviews", f"{prefix}-details": "", f"{prefix}-tags": "",
            f"{prefix}-kind": "advice", f"{prefix}-active": "y"}
    data.update({f"{prefix}-{k}": v for k, v in fields.items()})
    return {k: v for k, v in data.items() if v is not None}


def test_member_adds_a_need_with_normalised_tags(client, auth, group_of_three):
    group, _, alice, _ = group_of_three
    auth.login("alice@example.org")
    response = client.post(f"/groups/{group.slug}/members/me/needs",
                           data=need_data(tags=" Publishing , BOOKS;#publishing ", priority="high"))
    assert response.status_code == 302
    need = db.session.scalar(select(Need))
    assert need.title == "A publisher for my book" and need.priority == "high"
    assert [t.name for t in need.tags] == ["books", "publishing"]
    assert need.membership.user_id == alice.id


def test_a_need_takes_at_most_eight_tags_and_120_characters(client, auth, group_of_three):
    group, *_ = group_of_three
    auth.login("alice@example.org")
    too_many = client.post(f"/groups/{group.slug}/members/me/needs", data=need_data(tags=",".join(f"t{i}" for i in range(9))))
    assert too_many.status_code == 400 and b"At most 8 tags." in too_many.data
    too_long = client.post(f"/groups/{group.slug}/members/me/needs", data=need_data(title="x" * 121))
    assert too_long.status_code == 400
    assert db.session.scalar(select(Need)) is None


def test_member_edits_and_removes_own_need(client, auth, group_of_three):
    group, _, alice, _ = group_of_three
    need = make_need(group, alice)
    auth.login("alice@example.org")
    client.post(f"/groups/{group.slug}/members/me/needs/{need.id}",
                data=need_data(prefix=f"need-{need.id}", title="An electrician in Oakville", status="met"))
    db.session.refresh(need)
    assert need.title == "An electrician in Oakville" and need.status == "met"
    client.post(f"/groups/{group.slug}/members/me/needs/{need.id}/remove")
    assert db.session.scalar(select(Need)) is None


def test_member_cannot_edit_someone_elses_need(client, auth, group_of_three):
    group, _, alice, bob = group_of_three
    need = make_need(group, bob)
    auth.login("alice@example.org")
    assert client.post(f"/groups/{group.slug}/members/me/needs/{need.id}",
                       data=need_data(prefix=f"need-{need.id}", title="Hijacked")).status_code == 404
    assert client.post(f"/groups/{group.slug}/members/me/needs/{need.id}/remove").status_code == 404
    db.session.refresh(need)
    assert need.title == "A publisher for my book"


def test_need_can_record_who_helped(client, auth, group_of_three):
    group, _, alice, bob = group_of_three
    need = make_need(group, alice)
    auth.login("alice@example.org")
    client.post(f"/groups/{group.slug}/members/me/needs/{need.id}",
                data=need_data(prefix=f"need-{need.id}", status="met", helped_by=str(bob.id)))
    db.session.refresh(need)
    assert need.helped_by_id == bob.id
    page = client.get(f"/groups/{group.slug}/members/{alice.id}").get_data(as_text=True)
    assert "Helped by Bob Brown" in page


def test_who_helped_is_typed_by_name_and_the_page_lists_no_member(client, auth, group_of_three):
    group, _, alice, bob = group_of_three
    need = make_need(group, alice)
    auth.login("alice@example.org")
    page = client.get(f"/groups/{group.slug}/members/me").get_data(as_text=True)
    assert "Bob Brown" not in page  # names come ten at a time from names.json, not in every form
    client.post(f"/groups/{group.slug}/members/me/needs/{need.id}",
                data=need_data(prefix=f"need-{need.id}", status="met", helped_by="bob brown"))
    db.session.refresh(need)
    assert need.helped_by_id == bob.id
    page = client.get(f"/groups/{group.slug}/members/me").get_data(as_text=True)
    assert f'value="Bob Brown (#{bob.id})"' in page


def test_who_helped_names_nobody_or_several_with_a_message(client, auth, group_of_three):
    group, _, alice, bob = group_of_three
    make_member(group, name="Bob Brown", email="bob2@example.org")
    outsider = make_user(name="Olivia Outsider")
    need = make_need(group, alice)
    auth.login("alice@example.org")
    url = f"/groups/{group.slug}/members/me/needs/{need.id}"
    for typed, message in [("Bob Brown", "Several members are called Bob Brown"),
                           ("Nobody <b>Here</b>", "No member of this group is called Nobody &lt;b&gt;Here&lt;/b&gt;"),
                           (f"Olivia Outsider (#{outsider.id})", "No member of this group is called Olivia")]:
        response = client.post(url, data=need_data(prefix=f"need-{need.id}", status="met", helped_by=typed))
        assert message in response.get_data(as_text=True), typed
        db.session.refresh(need)
        assert need.helped_by_id is None


def test_member_names_are_searched_as_you_type(client, auth, group_of_three):
    group, _, alice, bob = group_of_three
    make_member(group, name="Bobby 100%_Tables", email="bobby@example.org")
    auth.login("alice@example.org")
    names = client.get(f"/groups/{group.slug}/members/names.json?q=BOB").get_json()
    assert names == [f"Bob Brown (#{bob.id})", names[1]] and names[1].startswith("Bobby 100%_Tables (#")
    assert len(client.get(f"/groups/{group.slug}/members/names.json?q=%25_").get_json()) == 1
    assert client.get(f"/groups/{group.slug}/members/names.json?q=zzz").get_json() == []


def test_member_adds_pauses_and_removes_an_offer(client, auth, group_of_three):
    group, *_ = group_of_three
    auth.login("alice@example.org")
    client.post(f"/groups/{group.slug}/members/me/offers", data=offer_data(kind="introduction", tags="Publishing"))
    offer = db.session.scalar(select(Offer))
    assert offer.kind == "introduction" and offer.active
    client.post(f"/groups/{group.slug}/members/me/offers/{offer.id}", data=offer_data(prefix=f"offer-{offer.id}", active=None))
    db.session.refresh(offer)
    assert not offer.active
    client.post(f"/groups/{group.slug}/members/me/offers/{offer.id}/remove")
    assert db.session.scalar(select(Offer)) is None


def test_my_page_lists_both_questions_and_my_items(client, auth, group_of_three):
    group, _, alice, _ = group_of_three
    make_need(group, alice, title="Keynote speaking gigs")
    make_offer(group, alice, title="Car-buying negotiation tips")
    auth.login("alice@example.org")
    page = client.get(f"/groups/{group.slug}/members/me").get_data(as_text=True)
    assert "What do you need right now?" in page and "How can you help others?" in page
    assert "Keynote speaking gigs" in page and "Car-buying negotiation tips" in page


def test_tag_suggestions_come_from_the_group_and_skip_hidden_needs(client, auth, group_of_three):
    group, _, alice, bob = group_of_three
    make_need(group, bob, tags="publishing")
    make_need(group, bob, title="Secret job search", tags="secret-employer", visibility="organizers")
    other_group = make_group(members=[alice])
    make_offer(other_group, alice, tags="other-group-tag")
    viewer = membership_of(alice, group)
    assert service.tag_suggestions(viewer) == ["publishing"]
    assert "secret-employer" in service.tag_suggestions(membership_of(group_of_three[1], group))


HIDDEN = "Confidential move from Acme Corp"


@pytest.fixture
def hidden_needs(group_of_three):
    group, organizer, alice, bob = group_of_three
    make_need(group, bob, title=HIDDEN, tags="acme-exit", visibility="organizers", details="quietly looking")
    make_need(group, bob, title="Partner-only: intro to a CFO", tags="cfo-secret", visibility="partner")
    make_need(group, bob, title="Public: a good electrician", tags="electrician")
    return group_of_three


def test_hidden_needs_never_reach_another_member(client, auth, hidden_needs):
    group, organizer, alice, bob = hidden_needs
    auth.login("alice@example.org")
    pages = [
        client.get(f"/groups/{group.slug}/members/"),
        client.get(f"/groups/{group.slug}/members/{bob.id}"),
        client.get(f"/groups/{group.slug}/members/?q=acme"),
        client.get(f"/groups/{group.slug}/members/?q=confidential+move"),
        client.get(f"/groups/{group.slug}/members/?q=cfo"),
        client.get(f"/groups/{group.slug}/members/?tag=acme-exit"),
        client.get(f"/groups/{group.slug}/members/?tag=cfo-secret"),
        client.get(f"/groups/{group.slug}/members/me"),
        client.get(f"/groups/{group.slug}/members/export.csv"),
    ]
    assert pages[-1].status_code == 403
    for response in pages:
        text = response.get_data(as_text=True)
        url = response.request.url
        for secret in (HIDDEN, "quietly looking", "Partner-only", "acme-exit", "cfo-secret"):
            if secret not in url:  # a search echoes its own words back, nothing more
                assert secret not in text, (url, secret)
    assert "Public: a good electrician" in pages[1].get_data(as_text=True)
    assert "0 members match" in pages[2].get_data(as_text=True)


def test_organizers_see_hidden_needs(client, auth, hidden_needs):
    group, organizer, alice, bob = hidden_needs
    auth.login("olga@example.org")
    page = client.get(f"/groups/{group.slug}/members/{bob.id}").get_data(as_text=True)
    assert HIDDEN in page and "Partner-only: intro to a CFO" in page
    assert "Bob Brown" in client.get(f"/groups/{group.slug}/members/?q=acme").get_data(as_text=True)
    assert HIDDEN in client.get(f"/groups/{group.slug}/members/export.csv").get_data(as_text=True)


def test_partner_needs_are_visible_to_a_published_partner_only(hidden_needs):
    group, organizer, alice, bob = hidden_needs
    viewer = membership_of(alice, group)
    owner = membership_of(bob, group)
    titles = {n.title for n in service.visible_needs_query(viewer, owner)}
    assert "Partner-only: intro to a CFO" not in titles
    as_partner = {n.title for n in service.visible_needs_query(viewer, owner, partner_ids=frozenset({bob.id}))}
    assert "Partner-only: intro to a CFO" in as_partner and HIDDEN not in as_partner


def test_directory_search_finds_who_can_help(client, auth, group_of_three):
    group, organizer, alice, bob = group_of_three
    make_offer(group, bob, title="Introduction to my literary agent", tags="publishing, books")
    make_need(group, alice, title="Find a publisher for my book", tags="publishing")
    carol = make_member(group, name="Carol Chef", email="carol@example.org")
    make_offer(group, carol, title="Cooking classes")
    auth.login("olga@example.org")
    page = client.get(f"/groups/{group.slug}/members/?q=who+can+help+with+publishing%3F").get_data(as_text=True)
    assert "2 members match" in page
    assert page.index("Bob Brown") < page.index("Alice Nguyen")  # an offer ranks above a need
    assert "Carol Chef" not in page


def test_a_search_drops_the_words_the_help_model_drops_and_keeps_cplusplus():
    assert directory.search_terms("Who can help with C++ publishing?") == ["c++", "publishing"]


@pytest.mark.parametrize("word", ["publishing", "publisher", "publishers", "published"])
def test_a_search_word_looks_for_its_root_at_the_start_of_a_word(word):
    assert directory.search_prefix(word) == "publish"


def test_a_tag_is_stored_by_the_rule_the_help_model_compares_by():
    assert service.parse_tags(" #Job   Search, C#; job search") == ["job search", "c#"]


def test_directory_tag_filter(client, auth, group_of_three):
    group, organizer, alice, bob = group_of_three
    make_offer(group, bob, title="Trades contacts", tags="electrician")
    make_offer(group, alice, title="Resume reviews", tags="resume")
    auth.login("alice@example.org")
    page = client.get(f"/groups/{group.slug}/members/?tag=Electrician").get_data(as_text=True)
    assert "Bob Brown" in page and "Trades contacts" in page
    assert "Resume reviews" not in page


def test_paused_offers_are_hidden_from_other_members(client, auth, group_of_three):
    group, organizer, alice, bob = group_of_three
    make_offer(group, bob, title="Paused hot tub deal", active=False)
    auth.login("alice@example.org")
    assert "Paused hot tub deal" not in client.get(f"/groups/{group.slug}/members/{bob.id}").get_data(as_text=True)


def test_contact_details_show_only_to_organizers_and_self(client, auth, group_of_three):
    group, organizer, alice, bob = group_of_three
    service.update_profile(bob, contact="bob.phone 555-0100")
    auth.login("alice@example.org")
    assert "555-0100" not in client.get(f"/groups/{group.slug}/members/{bob.id}").get_data(as_text=True)
    auth.logout()
    auth.login("olga@example.org")
    assert "555-0100" in client.get(f"/groups/{group.slug}/members/{bob.id}").get_data(as_text=True)


def test_member_edits_profile(client, auth, group_of_three):
    group, organizer, alice, bob = group_of_three
    auth.login("alice@example.org")
    response = client.post(f"/groups/{group.slug}/members/me/profile", data={
        "name": "Alice N.", "headline": "Marketing VP in transition", "industry": "Consumer goods",
        "city": "Oakville", "bio": "Loves books.", "contact": "alice@home"})
    assert response.status_code == 302
    db.session.refresh(alice)
    assert (alice.name, alice.headline, alice.city) == ("Alice N.", "Marketing VP in transition", "Oakville")


def test_member_directory_of_another_group_is_404(client, auth, group_of_three):
    group, organizer, alice, bob = group_of_three
    other = make_group(name="Elsewhere")
    stranger = make_member(other)
    auth.login("alice@example.org")
    assert client.get(f"/groups/{group.slug}/members/{stranger.id}").status_code == 404
    assert client.get(f"/groups/{other.slug}/members/").status_code == 404


def test_do_not_pair_choice_is_private(client, auth, group_of_three):
    group, organizer, alice, bob = group_of_three
    auth.login("alice@example.org")
    client.post(f"/groups/{group.slug}/members/me/do-not-pair", data={"other": str(bob.id), "note": "ex-colleague"})
    rule = db.session.scalar(select(DoNotPair))
    assert (rule.user_id, rule.other_user_id, rule.by_organizer) == (alice.id, bob.id, False)
    assert "Bob Brown" in client.get(f"/groups/{group.slug}/members/me/do-not-pair").get_data(as_text=True)
    auth.logout()
    auth.login("bob@example.org")
    assert "ex-colleague" not in client.get(f"/groups/{group.slug}/members/me/do-not-pair").get_data(as_text=True)
    assert client.post(f"/groups/{group.slug}/members/me/do-not-pair/{rule.id}/remove").status_code == 404
    auth.logout()
    auth.login("olga@example.org")
    assert "ex-colleague" not in client.get(f"/groups/{group.slug}/members/do-not-pair").get_data(as_text=True)
    assert frozenset({alice.id, bob.id}) in service.blocked_pairs(group.id)


def test_organizer_adds_a_do_not_pair_rule_between_two_members(client, auth, group_of_three):
    group, organizer, alice, bob = group_of_three
    auth.login("olga@example.org")
    client.post(f"/groups/{group.slug}/members/do-not-pair", data={"first": str(bob.id), "second": str(alice.id), "note": "same company"})
    assert service.blocked_pairs(group.id) == {frozenset({alice.id, bob.id})}
    assert "same company" in client.get(f"/groups/{group.slug}/members/do-not-pair").get_data(as_text=True)
    rule = db.session.scalar(select(DoNotPair))
    client.post(f"/groups/{group.slug}/members/do-not-pair/{rule.id}/remove")
    assert service.blocked_pairs(group.id) == set()


def test_do_not_pair_people_are_typed_not_chosen_from_a_list_of_everyone(client, auth, group_of_three):
    """A choice list of every member grows with the group (issue 16): the person is typed, with
    names searched as you type, and a name that fits nobody (or several) is said so under the field,
    with what was typed kept."""
    group, organizer, alice, bob = group_of_three
    zed = make_member(group, name="Zed Zimmer", email="zed@example.org")
    make_member(group, name="Bob Brown", email="bob2@example.org")  # a second Bob Brown
    auth.login("alice@example.org")
    page = client.get(f"/groups/{group.slug}/members/me/do-not-pair").get_data(as_text=True)
    assert "Zed Zimmer" not in page and "Bob Brown" not in page  # nobody listed who is not on the list
    assert 'list="member-names"' in page and "/members/names.json" in page

    unknown = client.post(f"/groups/{group.slug}/members/me/do-not-pair", data={"other": "Zelda", "note": "from work"})
    text = unknown.get_data(as_text=True)
    assert "No member of this group is called Zelda." in text and 'value="from work"' in text and 'value="Zelda"' in text
    typed = client.post(f"/groups/{group.slug}/members/me/do-not-pair", data={"other": "<b>Zed</b>"}).get_data(as_text=True)
    assert "<b>Zed</b>" not in typed and "called &lt;b&gt;Zed&lt;/b&gt;." in typed  # echoed in the error, escaped
    several = client.post(f"/groups/{group.slug}/members/me/do-not-pair", data={"other": "bob brown", "note": ""})
    assert "Several members are called bob brown" in several.get_data(as_text=True)
    assert db.session.scalar(select(DoNotPair)) is None

    client.post(f"/groups/{group.slug}/members/me/do-not-pair", data={"other": "zed zimmer"})  # a name one member has
    client.post(f"/groups/{group.slug}/members/me/do-not-pair", data={"other": f"Bob Brown (#{bob.id})"})  # a picked label
    assert {(r.user_id, r.other_user_id) for r in db.session.scalars(select(DoNotPair))} == {(alice.id, zed.id), (alice.id, bob.id)}
    myself = client.post(f"/groups/{group.slug}/members/me/do-not-pair", data={"other": "Alice Nguyen"})
    assert "Choose two different people." in myself.get_data(as_text=True)

    auth.logout()
    auth.login("olga@example.org")
    rule = client.post(f"/groups/{group.slug}/members/do-not-pair",
                       data={"first": "Alice Nguyen", "second": "Zed", "note": "same company"})
    text = rule.get_data(as_text=True)
    assert "No member of this group is called Zed." in text and 'value="Alice Nguyen"' in text and 'value="same company"' in text
    client.post(f"/groups/{group.slug}/members/do-not-pair", data={"first": "Alice Nguyen", "second": f"#{zed.id}", "note": "same company"})
    assert [(r.user_id, r.other_user_id, r.note) for r in db.session.scalars(select(DoNotPair).where(DoNotPair.by_organizer))] == [
        (alice.id, zed.id, "same company")]


def test_do_not_pair_refuses_self_and_outsiders(group_of_three):
    group, organizer, alice, bob = group_of_three
    outsider = make_user()
    with pytest.raises(service.ActionRefused):
        service.add_do_not_pair(group, alice.id, alice.id, by_organizer=False, created_by=alice)
    with pytest.raises(service.ActionRefused):
        service.add_do_not_pair(group, alice.id, outsider.id, by_organizer=False, created_by=alice)


def test_tags_are_shared_within_a_group_not_across(group_of_three):
    group, organizer, alice, bob = group_of_three
    make_need(group, alice, tags="Publishing")
    make_offer(group, bob, tags="publishing ")
    make_offer(make_group(members=[alice]), alice, tags="publishing")
    assert len(db.session.scalars(select(Tag).where(Tag.group_id == group.id)).all()) == 1
    assert len(db.session.scalars(select(Tag)).all()) == 2


def test_need_visible_and_offer_visible_say_in_python_what_the_sql_clauses_say(app):
    """The publication's notices filter needs and offers read once for every attendee with these
    predicates: they must agree with the queries the pages use, for every viewer."""
    organizer = make_user(name="Olga Organizer", email="olga@example.org")
    group = make_group(organizer=organizer, name="Visible club")
    other_group = make_group(organizer=make_user(name="Other", email="other@example.org"), name="Other club")
    owner_user = make_member(group, name="Owner", email="owner@example.org")
    viewer_user = make_member(group, name="Viewer", email="viewer@example.org")
    outsider_user = make_member(other_group, name="Outsider", email="outsider@example.org")
    for visibility in ("group", "partner", "organizers"):
        make_need(group, owner_user, title=f"Owner's {visibility} need", visibility=visibility)
    make_offer(group, owner_user, title="Active offer")
    make_offer(group, owner_user, title="Paused offer", active=False)
    owner = membership_of(owner_user, group)
    for viewer in (membership_of(viewer_user, group), membership_of(organizer, group), owner,
                   membership_of(outsider_user, other_group)):
        for partners in (frozenset(), frozenset({owner_user.id})):
            in_sql = {n.id for n in service.visible_needs_query(viewer, owner, partners)}
            in_python = {n.id for n in service.needs_of(owner) if service.need_visible(viewer, n, owner, partners)}
            assert in_python == in_sql, (viewer.user.name, partners)
        in_sql = {o.id for o in service.visible_offers_query(viewer, owner)}
        in_python = {o.id for o in service.offers_of(owner) if service.offer_visible(viewer, o, owner)}
        assert in_python == in_sql, viewer.user.name
    assert len({n.id for n in service.needs_of(owner)
                if service.need_visible(membership_of(viewer_user, group), n, owner, frozenset())}) == 1
