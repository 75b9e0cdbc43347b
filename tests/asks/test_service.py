"""Between lunches (issue 14): the asks board, offers of help, introductions, follow-ups, the
organizers' view and the abuse limits, through the pages and the services."""

from datetime import timedelta

import pytest

from organizer.asks import report, service
from organizer.extensions import db
from organizer.help import service as help_model
from organizer.models import (
    HelpLink,
    HelpOffer,
    HelpOfferState,
    Introduction,
    LinkKind,
    Need,
    utcnow,
)
from organizer.outcomes.service import ledger_counts
from tests.event_factories import make_event
from tests.factories import make_group, make_member, make_need, make_offer, make_user, membership_of
from tests.security.test_defects import publish_pairs


@pytest.fixture
def club(app):
    organizer = make_user(name="Olga Organizer", email="olga@example.org")
    group = make_group(organizer=organizer, name="Job Club")
    nadia = make_member(group, name="Nadia Haddad", email="nadia@example.org", headline="CFO in transition")
    raj = make_member(group, name="Raj Patel", email="raj@example.org", headline="Recruiter")
    sam = make_member(group, name="Sam Lee", email="sam@example.org")
    for user, contact in ((nadia, "Call me on 555-0101"), (raj, "raj.patel on LinkedIn"), (sam, "555-0199")):
        user.contact = contact
    db.session.commit()
    return group, organizer, nadia, raj, sam


def board(client, group, **args) -> str:
    query = "&".join(f"{k}={v}" for k, v in args.items())
    return client.get(f"/groups/{group.slug}/asks/?{query}").get_data(as_text=True)


def offer(client, group, need, kind="lead", message="My brother-in-law is an electrician in Oakville"):
    return client.post(f"/groups/{group.slug}/asks/needs/{need.id}/help", data={"kind": kind, "message": message})


def answer(client, group, help_offer_id, value):
    return client.post(f"/groups/{group.slug}/asks/offers/{help_offer_id}/answer", data={"answer": value})


def only_offer() -> HelpOffer:
    return db.session.scalars(db.select(HelpOffer)).one()


# --- the board ---------------------------------------------------------------------------------

def test_board_shows_the_open_needs_shared_with_me_and_never_the_hidden_ones(club, client, auth):
    group, organizer, nadia, raj, sam = club
    make_need(group, nadia, title="A good electrician in Oakville")
    make_need(group, nadia, title="Quiet: a new job before my boss knows", visibility="organizers")
    make_need(group, nadia, title="For my lunch partner: a divorce lawyer", visibility="partner")
    make_need(group, nadia, title="Already met: a plumber", status="met")
    make_need(group, raj, title="My own need for a new laptop")
    auth.login("raj@example.org")
    page = board(client, group)
    assert "A good electrician in Oakville" in page and "Nadia Haddad" in page and "CFO in transition" in page
    for hidden in ("Quiet: a new job", "divorce lawyer", "a plumber", "My own need for a new laptop"):
        assert hidden not in page
    assert "1 ask." in page


def test_a_lunch_partner_sees_partner_needs_on_the_board(club, client, auth):
    group, organizer, nadia, raj, sam = club
    make_need(group, nadia, title="For my lunch partner: a divorce lawyer", visibility="partner")
    publish_pairs(make_event(group, starts_in=timedelta(days=2)), (nadia, raj))
    auth.login("raj@example.org")
    assert "a divorce lawyer" in board(client, group)
    auth.logout()
    auth.login("sam@example.org")
    assert "a divorce lawyer" not in board(client, group)


def test_board_puts_urgent_then_newest_first_and_filters_by_tag(club, client, auth):
    group, organizer, nadia, raj, sam = club
    older = make_need(group, nadia, title="Older normal need", tags="books")
    make_need(group, nadia, title="Newer normal need")
    make_need(group, raj, title="Urgent need", priority="high", tags="books")
    older.created_at = utcnow() - timedelta(days=3)
    db.session.commit()
    auth.login("sam@example.org")
    page = board(client, group)
    assert page.index("Urgent need") < page.index("Newer normal need") < page.index("Older normal need")
    assert "open for 3 days" in page
    tagged = board(client, group, tag="Books")
    assert "Urgent need" in tagged and "Older normal need" in tagged and "Newer normal need" not in tagged


def test_matches_what_i_offer_lists_my_offers_matches_first(club, client, auth):
    group, organizer, nadia, raj, sam = club
    make_offer(group, sam, title="Licensed electrical work", tags="electrician")
    make_need(group, nadia, title="A good electrician for my kitchen")
    make_need(group, raj, title="A publisher for my memoir")
    auth.login("sam@example.org")
    page = board(client, group, matching=1)
    assert "A good electrician for my kitchen" in page
    assert "A publisher for my memoir" not in page
    assert "your offer “Licensed electrical work”" in page
    assert "A publisher for my memoir" in board(client, group)


def test_matches_do_not_read_needs_hidden_from_me(club, client, auth):
    group, organizer, nadia, raj, sam = club
    make_offer(group, sam, title="Licensed electrical work", tags="electrician")
    make_need(group, nadia, title="A good electrician for my kitchen", visibility="organizers")
    auth.login("sam@example.org")
    assert "electrician for my kitchen" not in board(client, group, matching=1)


# --- offers of help ------------------------------------------------------------------------------

def test_offer_accept_shares_contacts_then_met_counts_and_feeds_the_help_model(club, client, auth):
    group, organizer, nadia, raj, sam = club
    need = make_need(group, nadia, title="A good electrician in Oakville")
    auth.login("raj@example.org")
    assert offer(client, group, need).status_code == 302
    mine = client.get(f"/groups/{group.slug}/asks/mine").get_data(as_text=True)
    assert "waiting for Nadia Haddad" in mine and "555-0101" not in mine
    auth.logout()

    auth.login("nadia@example.org")
    needs_page = client.get(f"/groups/{group.slug}/members/me").get_data(as_text=True)
    assert "1 offer of help on this need, 1 waiting for your answer" in needs_page
    page = client.get(f"/groups/{group.slug}/asks/mine").get_data(as_text=True)
    assert "Raj Patel" in page and "electrician in Oakville" in page and "raj.patel on LinkedIn" not in page
    help_offer = only_offer()
    answer(client, group, help_offer.id, "accept")
    page = client.get(f"/groups/{group.slug}/asks/mine").get_data(as_text=True)
    assert "raj.patel on LinkedIn" in page and "raj@example.org" in page
    link = db.session.scalars(db.select(HelpLink).where(HelpLink.kind == LinkKind.CONFIRMED.value)).one()
    assert (link.helper_id, link.helped_id, link.need_id) == (raj.id, nadia.id, need.id)
    assert any(m.kind == "organizer" and m.helper == raj.id
               for m in help_model.model_links(group.id, [raj.id, nadia.id]))
    answer(client, group, help_offer.id, "met")
    db.session.expire_all()
    assert only_offer().state == HelpOfferState.DONE
    assert db.session.get(Need, need.id).status == "met"
    assert db.session.get(Need, need.id).helped_by_id == raj.id
    assert ledger_counts(group.id, raj.id).people_helped == 1
    assert ledger_counts(group.id, nadia.id).helped_by == 1
    auth.logout()

    auth.login("raj@example.org")
    mine = client.get(f"/groups/{group.slug}/asks/mine").get_data(as_text=True)
    assert "it helped" in mine and "555-0101" in mine and "You have helped 1 person in this group" in mine


def test_a_declined_offer_shares_nothing(club, client, auth):
    group, organizer, nadia, raj, sam = club
    need = make_need(group, nadia, title="A good electrician in Oakville")
    auth.login("raj@example.org")
    offer(client, group, need)
    auth.logout()
    auth.login("nadia@example.org")
    answer(client, group, only_offer().id, "decline")
    assert "raj.patel on LinkedIn" not in client.get(f"/groups/{group.slug}/asks/mine").get_data(as_text=True)
    auth.logout()
    auth.login("raj@example.org")
    assert "555-0101" not in client.get(f"/groups/{group.slug}/asks/mine").get_data(as_text=True)
    assert db.session.scalar(db.select(HelpLink.id)) is None
    assert ledger_counts(group.id, raj.id).people_helped == 0


def test_only_the_owner_answers_an_offer(club, client, auth):
    group, organizer, nadia, raj, sam = club
    need = make_need(group, nadia, title="A good electrician in Oakville")
    auth.login("raj@example.org")
    offer(client, group, need)
    help_offer = only_offer()
    answer(client, group, help_offer.id, "accept")
    auth.logout()
    auth.login("sam@example.org")
    response = answer(client, group, help_offer.id, "accept")
    assert response.status_code == 302
    db.session.expire_all()
    assert only_offer().state == HelpOfferState.PENDING


@pytest.mark.parametrize("visibility", ["organizers", "partner"])
def test_no_offer_of_help_on_a_hidden_need(club, client, auth, visibility):
    group, organizer, nadia, raj, sam = club
    need = make_need(group, nadia, title="Quiet: a new job", visibility=visibility)
    auth.login("raj@example.org")
    assert client.get(f"/groups/{group.slug}/asks/needs/{need.id}/help").status_code == 404
    assert offer(client, group, need).status_code == 404
    assert db.session.scalar(db.select(HelpOffer.id)) is None
    with pytest.raises(Exception, match="not shared with you"):
        service.offer_help(membership_of(raj, group), need.id, "lead", "hello", partner_ids=frozenset(),
                           now=utcnow(), per_day=10)


def test_a_need_hidden_after_the_offer_no_longer_shows_to_the_helper(club, client, auth):
    group, organizer, nadia, raj, sam = club
    need = make_need(group, nadia, title="A good electrician in Oakville")
    auth.login("raj@example.org")
    offer(client, group, need)
    need = db.session.get(Need, need.id)
    need.visibility = "organizers"
    db.session.commit()
    page = client.get(f"/groups/{group.slug}/asks/mine").get_data(as_text=True)
    assert "A good electrician in Oakville" not in page and "a need no longer shared with you" in page


def test_the_help_offer_text_is_escaped(club, client, auth):
    group, organizer, nadia, raj, sam = club
    need = make_need(group, nadia, title="A good electrician in Oakville")
    auth.login("raj@example.org")
    offer(client, group, need, message="<script>alert(1)</script>")
    auth.logout()
    auth.login("nadia@example.org")
    page = client.get(f"/groups/{group.slug}/asks/mine").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page


def test_an_empty_or_unknown_offer_is_refused_with_a_message(club, client, auth):
    group, organizer, nadia, raj, sam = club
    need = make_need(group, nadia, title="A good electrician in Oakville")
    auth.login("raj@example.org")
    response = client.post(f"/groups/{group.slug}/asks/needs/{need.id}/help", data={"kind": "bribe", "message": ""})
    assert response.status_code == 400
    assert "Say in a few words how you can help" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(HelpOffer.id)) is None


# --- abuse limits --------------------------------------------------------------------------------

def test_offers_and_introductions_are_limited_per_member_and_day(club, client, auth, app):
    group, organizer, nadia, raj, sam = club
    app.config["ASKS_PER_DAY"] = 2
    try:
        needs = [make_need(group, nadia, title=f"Need number {i}") for i in range(3)]
        auth.login("raj@example.org")
        offer(client, group, needs[0])
        offer(client, group, needs[1])
        response = offer(client, group, needs[2])
        assert "the most the site allows" in response.get_data(as_text=True)
        assert db.session.scalar(db.select(db.func.count()).select_from(HelpOffer)) == 2
        response = client.post(f"/groups/{group.slug}/asks/introductions/new", follow_redirects=True,
                               data={"first": "Nadia Haddad", "second": "Sam Lee", "reason": "Meet"})
        assert "the most the site allows" in response.get_data(as_text=True)
    finally:
        app.config["ASKS_PER_DAY"] = 10


def test_a_member_blocks_someone_from_offering_and_introducing(club, client, auth):
    group, organizer, nadia, raj, sam = club
    need = make_need(group, nadia, title="A good electrician in Oakville")
    auth.login("nadia@example.org")
    client.post(f"/groups/{group.slug}/asks/blocks", data={"member": "Raj Patel"})
    assert "Raj Patel" in client.get(f"/groups/{group.slug}/asks/blocks").get_data(as_text=True)
    auth.logout()
    auth.login("raj@example.org")
    response = offer(client, group, need)
    assert "You cannot offer help on this need" in response.get_data(as_text=True)
    client.post(f"/groups/{group.slug}/asks/introductions/new",
                data={"first": "Sam Lee", "second": "Nadia Haddad", "reason": "Meet"})
    assert db.session.scalar(db.select(HelpOffer.id)) is None
    assert db.session.scalar(db.select(Introduction.id)) is None
    auth.logout()
    auth.login("sam@example.org")
    offer(client, group, need)
    assert only_offer().helper_id == sam.id  # only Raj is blocked


def test_an_organizer_blocks_a_member_and_removes_an_offer(club, client, auth):
    group, organizer, nadia, raj, sam = club
    need = make_need(group, nadia, title="A good electrician in Oakville")
    auth.login("sam@example.org")
    offer(client, group, need, message="Spam spam spam")
    auth.logout()
    auth.login("olga@example.org")
    page = client.get(f"/groups/{group.slug}/asks/report").get_data(as_text=True)
    assert "Spam spam spam" in page
    client.post(f"/groups/{group.slug}/asks/offers/{only_offer().id}/remove")
    client.post(f"/groups/{group.slug}/asks/report", data={"member": "Sam Lee"})
    db.session.expire_all()
    assert only_offer().state == HelpOfferState.REMOVED
    auth.logout()
    auth.login("nadia@example.org")
    assert "Spam spam spam" not in client.get(f"/groups/{group.slug}/asks/mine").get_data(as_text=True)
    auth.logout()
    auth.login("sam@example.org")
    other = make_need(group, raj, title="A publisher for my memoir")
    assert "You cannot offer help" in offer(client, group, other).get_data(as_text=True)


def test_a_member_cannot_remove_an_offer(club, client, auth):
    group, organizer, nadia, raj, sam = club
    need = make_need(group, nadia, title="A good electrician in Oakville")
    auth.login("sam@example.org")
    offer(client, group, need)
    auth.logout()
    auth.login("nadia@example.org")
    assert client.post(f"/groups/{group.slug}/asks/offers/{only_offer().id}/remove").status_code == 403


# --- introductions -------------------------------------------------------------------------------

def introduce(client, group, **data):
    data.setdefault("reason", "Nadia, meet Raj: Raj knows CFOs at three life-science companies.")
    return client.post(f"/groups/{group.slug}/asks/introductions/new", data=data)


def intro_page(client, group, intro_id) -> str:
    return client.get(f"/groups/{group.slug}/asks/introductions/{intro_id}").get_data(as_text=True)


def answer_intro(client, group, intro_id, value):
    return client.post(f"/groups/{group.slug}/asks/introductions/{intro_id}/answer", data={"answer": value})


def test_an_introduction_shares_contacts_only_when_both_say_yes(club, client, auth):
    group, organizer, nadia, raj, sam = club
    auth.login("sam@example.org")
    assert introduce(client, group, first="Nadia Haddad", second=f"Raj Patel (#{raj.id})").status_code == 302
    intro = db.session.scalars(db.select(Introduction)).one()
    auth.logout()
    auth.login("nadia@example.org")
    page = intro_page(client, group, intro.id)
    assert "Raj knows CFOs" in page and "raj.patel on LinkedIn" not in page
    answer_intro(client, group, intro.id, "yes")
    assert "raj.patel on LinkedIn" not in intro_page(client, group, intro.id)
    auth.logout()
    auth.login("raj@example.org")
    assert "555-0101" not in intro_page(client, group, intro.id)
    answer_intro(client, group, intro.id, "yes")
    page = intro_page(client, group, intro.id)
    assert "555-0101" in page and "nadia@example.org" in page
    auth.logout()
    auth.login("nadia@example.org")
    assert "raj.patel on LinkedIn" in intro_page(client, group, intro.id)
    auth.logout()
    auth.login("sam@example.org")
    page = intro_page(client, group, intro.id)
    assert "both said yes" in page and "555-0101" not in page  # the introducer is told, and sees no contacts


def test_a_declined_introduction_shares_nothing_and_the_introducer_is_told(club, client, auth):
    group, organizer, nadia, raj, sam = club
    auth.login("sam@example.org")
    introduce(client, group, first="Nadia Haddad", second="Raj Patel")
    intro = db.session.scalars(db.select(Introduction)).one()
    auth.logout()
    auth.login("raj@example.org")
    answer_intro(client, group, intro.id, "no")
    auth.logout()
    auth.login("nadia@example.org")
    answer_intro(client, group, intro.id, "yes")
    assert "raj.patel on LinkedIn" not in intro_page(client, group, intro.id)
    auth.logout()
    auth.login("sam@example.org")
    assert "not going ahead" in intro_page(client, group, intro.id)


def test_an_outside_introduction_gives_the_introducer_ready_to_send_texts(club, client, auth):
    group, organizer, nadia, raj, sam = club
    auth.login("sam@example.org")
    introduce(client, group, first="Nadia Haddad", outside_name="Dana Cho", outside_contact="dana@cho.example",
              reason="Dana runs finance at a biotech.")
    intro = db.session.scalars(db.select(Introduction)).one()
    page = intro_page(client, group, intro.id)
    assert "Hi Dana Cho" in page and "Dana runs finance at a biotech." in page and "555-0101" not in page
    auth.logout()
    auth.login("nadia@example.org")
    assert "dana@cho.example" not in intro_page(client, group, intro.id)
    answer_intro(client, group, intro.id, "yes")
    assert "dana@cho.example" not in intro_page(client, group, intro.id)
    auth.logout()
    auth.login("sam@example.org")
    answer_intro(client, group, intro.id, "yes")  # the introducer records Dana's answer
    page = intro_page(client, group, intro.id)
    assert "pass on the details" in page and "555-0101" in page
    auth.logout()
    auth.login("nadia@example.org")
    assert "dana@cho.example" in intro_page(client, group, intro.id)


def test_only_the_people_concerned_and_organizers_see_an_introduction(club, client, auth):
    group, organizer, nadia, raj, sam = club
    stranger = make_member(group, name="Zoe Stranger", email="zoe@example.org")
    assert stranger
    auth.login("sam@example.org")
    introduce(client, group, first="Nadia Haddad", second="Raj Patel")
    intro = db.session.scalars(db.select(Introduction)).one()
    auth.logout()
    auth.login("zoe@example.org")
    assert client.get(f"/groups/{group.slug}/asks/introductions/{intro.id}").status_code == 404
    assert answer_intro(client, group, intro.id, "yes").status_code == 404
    auth.logout()
    auth.login("olga@example.org")
    assert client.get(f"/groups/{group.slug}/asks/introductions/{intro.id}").status_code == 200


def test_an_introduction_cannot_name_a_hidden_need(club, client, auth):
    group, organizer, nadia, raj, sam = club
    hidden = make_need(group, nadia, title="Quiet: a new job", visibility="organizers")
    auth.login("sam@example.org")
    response = introduce(client, group, first="Nadia Haddad", second="Raj Patel", need_id=hidden.id)
    assert "not one of theirs that you may see" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(Introduction.id)) is None
    page = client.get(f"/groups/{group.slug}/asks/introductions/new?first={nadia.id}&need={hidden.id}")
    assert "Quiet: a new job" not in page.get_data(as_text=True)


def test_a_made_introduction_that_helped_marks_the_need_met(club, client, auth):
    group, organizer, nadia, raj, sam = club
    need = make_need(group, nadia, title="An intro to a life-science CFO")
    auth.login("sam@example.org")
    introduce(client, group, first="Nadia Haddad", second="Raj Patel", need_id=need.id)
    intro = db.session.scalars(db.select(Introduction)).one()
    for email in ("nadia@example.org", "raj@example.org"):
        auth.logout()
        auth.login(email)
        answer_intro(client, group, intro.id, "yes")
    link = db.session.scalars(db.select(HelpLink).where(HelpLink.kind == LinkKind.CONFIRMED.value)).one()
    assert (link.helper_id, link.helped_id) == (raj.id, nadia.id)
    auth.logout()
    auth.login("nadia@example.org")
    client.post(f"/groups/{group.slug}/asks/introductions/{intro.id}/helped", data={"answer": "met"})
    db.session.expire_all()
    assert db.session.get(Need, need.id).status == "met"
    assert db.session.get(Introduction, intro.id).first_helped_at is not None
    assert ledger_counts(group.id, sam.id).people_helped == 1  # the introducer's ledger
    assert ledger_counts(group.id, raj.id).people_helped == 0


@pytest.mark.parametrize("data,message", [
    ({"first": "Nadia Haddad", "second": "Nadia Haddad"}, "two different people"),
    ({"first": "Sam Lee", "second": "Raj Patel"}, "already know yourself"),
    ({"first": "Nobody Atall", "second": "Raj Patel"}, "No member of this group is called"),
    ({"first": "Nadia Haddad"}, "name the person outside the group"),
    ({"first": "Nadia Haddad", "outside_name": "Dana Cho"}, "how to reach the outside person"),
])
def test_a_bad_introduction_is_refused_with_a_message(club, client, auth, data, message):
    group, organizer, nadia, raj, sam = club
    auth.login("sam@example.org")
    response = introduce(client, group, **data)
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(db.select(Introduction.id)) is None


# --- follow-ups and the organizers' view -----------------------------------------------------------

def accepted_offer(group, need, helper, owner, days_ago: int) -> HelpOffer:
    now = utcnow()
    made = service.offer_help(membership_of(helper, group), need.id, "lead", "I know an electrician",
                              partner_ids=frozenset(), now=now - timedelta(days=days_ago), per_day=10)
    service.answer(membership_of(owner, group), made, "accept", now - timedelta(days=days_ago))
    db.session.commit()
    return made


def test_three_weeks_after_accepted_help_the_owner_is_asked_and_the_helper_sees_the_answer(club, client, auth):
    group, organizer, nadia, raj, sam = club
    need = make_need(group, nadia, title="A good electrician in Oakville")
    recent = make_need(group, nadia, title="A publisher for my memoir")
    old = accepted_offer(group, need, raj, nadia, days_ago=22)
    accepted_offer(group, recent, sam, nadia, days_ago=5)
    auth.login("nadia@example.org")
    page = client.get(f"/groups/{group.slug}/asks/mine").get_data(as_text=True)
    assert "Did Raj Patel's lead work out?" in page and "Did Sam Lee's" not in page
    client.post(f"/groups/{group.slug}/asks/offers/{old.id}/follow-up", data={"answer": "open"})
    assert "Did Raj Patel's lead work out?" not in client.get(f"/groups/{group.slug}/asks/mine").get_data(as_text=True)
    auth.logout()
    auth.login("raj@example.org")
    assert "the need is still open" in client.get(f"/groups/{group.slug}/asks/mine").get_data(as_text=True)


def test_a_not_helpful_follow_up_turns_the_link_wrong(club, client, auth):
    group, organizer, nadia, raj, sam = club
    need = make_need(group, nadia, title="A good electrician in Oakville")
    old = accepted_offer(group, need, raj, nadia, days_ago=30)
    auth.login("nadia@example.org")
    client.post(f"/groups/{group.slug}/asks/offers/{old.id}/follow-up", data={"answer": "not_helpful"})
    kinds = set(db.session.scalars(db.select(HelpLink.kind)))
    assert kinds == {LinkKind.WRONG.value}


def test_send_follow_ups_tells_each_owner_once(club):
    group, organizer, nadia, raj, sam = club
    need = make_need(group, nadia, title="A good electrician in Oakville")
    accepted_offer(group, need, raj, nadia, days_ago=22)
    assert service.send_follow_ups(utcnow()) == 1
    assert service.send_follow_ups(utcnow()) == 0


def test_the_organizer_view_counts_offer_rate_speed_and_unanswered_needs(club, client, auth):
    group, organizer, nadia, raj, sam = club
    answered = make_need(group, nadia, title="A good electrician in Oakville")
    make_need(group, raj, title="Nobody answered this one")
    make_need(group, sam, title="Organizers only: quiet", visibility="organizers")
    answered.created_at = utcnow() - timedelta(hours=10)
    db.session.commit()
    service.offer_help(membership_of(sam, group), answered.id, "lead", "I know one", partner_ids=frozenset(),
                       now=utcnow(), per_day=10)
    db.session.commit()
    figures = report.figures(group.id, utcnow())
    assert (figures.asks, figures.answered, figures.offers) == (2, 1, 1)
    assert 9.9 < figures.median_hours < 10.1
    auth.login("olga@example.org")
    page = client.get(f"/groups/{group.slug}/asks/report").get_data(as_text=True)
    unanswered = page[page.index("Needs nobody has answered yet"):page.index("Recent offers of help")]
    assert "Nobody answered this one" in unanswered
    assert "A good electrician" not in unanswered and "Organizers only: quiet" not in unanswered
    assert "50%" in page and "10.0 hours" in page


def test_a_member_who_leaves_keeps_nothing_visible_in_the_group(club, client, auth):
    group, organizer, nadia, raj, sam = club
    need = make_need(group, nadia, title="A good electrician in Oakville")
    accepted_offer(group, need, raj, nadia, days_ago=1)
    auth.login("sam@example.org")
    introduce(client, group, first="Nadia Haddad", second="Raj Patel")
    auth.logout()
    auth.login("raj@example.org")
    client.post(f"/groups/{group.slug}/leave")
    assert db.session.scalar(db.select(db.func.count()).select_from(HelpOffer)) == 0
    assert db.session.scalar(db.select(db.func.count()).select_from(Introduction)) == 0
    auth.logout()
    auth.login("nadia@example.org")
    assert "raj.patel on LinkedIn" not in client.get(f"/groups/{group.slug}/asks/mine").get_data(as_text=True)


def test_the_follow_up_command_tells_each_owner_once(club, runner):
    group, organizer, nadia, raj, sam = club
    need = make_need(group, nadia, title="A good electrician in Oakville")
    accepted_offer(group, need, raj, nadia, days_ago=22)
    assert runner.invoke(args=["asks-follow-ups"]).output == "1 follow-up sent.\n"
    assert runner.invoke(args=["asks-follow-ups"]).output == "0 follow-ups sent.\n"


def test_the_group_overview_says_what_waits_for_an_answer(club, client, auth):
    group, organizer, nadia, raj, sam = club
    need = make_need(group, nadia, title="A good electrician in Oakville")
    auth.login("raj@example.org")
    offer(client, group, need)
    introduce(client, group, first="Nadia Haddad", second="Sam Lee")
    auth.logout()
    auth.login("nadia@example.org")
    page = client.get(f"/groups/{group.slug}/").get_data(as_text=True)
    assert "1 offer of help on your needs" in page and "1 introduction to say yes or no to" in page
    auth.logout()
    auth.login("raj@example.org")
    assert "Waiting for your answer" not in client.get(f"/groups/{group.slug}/").get_data(as_text=True)


def test_ids_past_what_the_database_holds_are_refused_cleanly(club, client, auth):
    group, organizer, nadia, raj, sam = club
    auth.login("sam@example.org")
    assert client.get(f"/groups/{group.slug}/asks/introductions/new?first=99999999999&need=1").status_code == 404
    response = introduce(client, group, first="Nadia Haddad", second="Raj Patel", need_id="99999999999")
    assert response.status_code == 400
    assert db.session.scalar(db.select(Introduction.id)) is None


def test_accepted_help_counts_in_the_next_pairing_scores(club):
    group, organizer, nadia, raj, sam = club
    need = make_need(group, nadia, title="Someone to water my orchids in August")
    people = [nadia.id, raj.id, sam.id]
    assert help_model.score_group(group.id, people).help(raj.id, nadia.id) == 0
    made = service.offer_help(membership_of(raj, group), need.id, "resource", "My neighbour does it",
                              partner_ids=frozenset(), now=utcnow(), per_day=10)
    service.answer(membership_of(nadia, group), made, "accept", utcnow())
    db.session.commit()
    scores = help_model.score_group(group.id, people)
    assert scores.help(raj.id, nadia.id) > 0
    assert any("Nadia Haddad said yes to their offer of a resource" in m.topic for m in scores.reasons(raj.id, nadia.id))


def test_the_directory_and_member_page_offer_help_on_others_open_needs_only(club, client, auth):
    group, organizer, nadia, raj, sam = club
    theirs = make_need(group, nadia, title="A good electrician in Oakville")
    met = make_need(group, nadia, title="A plumber", status="met")
    mine = make_need(group, raj, title="A new laptop")
    auth.login("raj@example.org")
    link = f"/groups/{group.slug}/asks/needs/{{}}/help"
    for page in (client.get(f"/groups/{group.slug}/members/").get_data(as_text=True),
                 client.get(f"/groups/{group.slug}/members/{nadia.id}").get_data(as_text=True)
                 + client.get(f"/groups/{group.slug}/members/{raj.id}").get_data(as_text=True)):
        assert link.format(theirs.id) in page
        assert link.format(met.id) not in page and link.format(mine.id) not in page


# --- by email (the messages feature) ----------------------------------------------------------

def test_an_offer_of_help_emails_the_owner_escaped_and_once(club, client, auth):
    from organizer.models import Message

    group, organizer, nadia, raj, sam = club
    need = make_need(group, nadia, title="A good electrician\r\nBcc: x@evil.example in Oakville")
    auth.login("raj@example.org")
    offer(client, group, need, message="<b>My brother-in-law</b> is an electrician")
    offer(client, group, need, message="again")  # refused: one offer per need, so one message
    sent = db.session.scalars(db.select(Message).where(Message.kind == "between_lunches")).all()
    assert [m.to_email for m in sent] == ["nadia@example.org"]
    assert "\n" not in sent[0].subject and "\r" not in sent[0].subject and "Raj Patel offered" in sent[0].subject
    assert "&lt;b&gt;My brother-in-law&lt;/b&gt;" in sent[0].body_html and "<b>My" not in sent[0].body_html
    assert f"/groups/{group.slug}/asks/mine" in sent[0].body_text


def test_no_email_about_offers_to_a_member_who_turned_them_off(club, client, auth):
    from organizer.messages.service import set_preference
    from organizer.models import Message

    group, organizer, nadia, raj, sam = club
    set_preference(nadia.id, group.id, "between_lunches", False, utcnow())
    db.session.commit()
    need = make_need(group, nadia, title="A good electrician in Oakville")
    auth.login("raj@example.org")
    offer(client, group, need)
    assert only_offer() is not None
    assert db.session.scalars(db.select(Message).where(Message.kind == "between_lunches")).all() == []
