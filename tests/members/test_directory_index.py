"""The directory's search in Python (the group's search index) finds what the SQL search finds,
for every kind of viewer, and follows every change on the next request."""

import random

from sqlalchemy import ColumnElement, Select, case, exists, func, literal, or_, select
from sqlalchemy.orm import InstrumentedAttribute

from organizer.extensions import db
from organizer.members import directory
from organizer.members.service import (
    NeedInput,
    OfferInput,
    need_visibility_clause,
    offer_visibility_clause,
    update_need,
    update_offer,
)
from organizer.models import Membership, Need, Offer, Tag, User, need_tags, offer_tags
from organizer.paging import like_escape
from tests.factories import make_group, make_member, make_need, make_offer, make_user, membership_of

WORDS = ["publishing", "publisher", "book", "resume", "interview", "electrician", "wiring", "cfo",
         "tax", "taxes", "coaching", "coach", "web", "website", "c++", "agent", "acme", "oakville"]
TAGS = ["publishing", "resume", "tax", "websites", "job search", "c++"]


# --- the reference: the same search in SQL, on the visibility clauses the pages use ----------

def _text_matches(text: ColumnElement | InstrumentedAttribute[str], term: str) -> ColumnElement:
    """The search prefix at the start of a word, or the term anywhere (``directory._Word`` in SQL)."""
    prefix = like_escape(directory.search_prefix(term))
    conditions = [text.like(f"{prefix}%", escape="\\"), text.like(f"% {prefix}%", escape="\\")]
    if len(term) >= 3:
        conditions.append(text.like(f"%{like_escape(term)}%", escape="\\"))
    return or_(*conditions)


def _need_exists(viewer: Membership, partner_ids: frozenset[int], condition) -> ColumnElement:
    """A visible need of the outer query's member meets `condition`."""
    return exists().where(Need.membership_id == Membership.id,
                          need_visibility_clause(viewer, partner_ids), condition)


def _offer_exists(viewer: Membership, condition) -> ColumnElement:
    return exists().where(Offer.membership_id == Membership.id, offer_visibility_clause(viewer), condition)


def _need_tagged(condition) -> ColumnElement:
    return exists().where(need_tags.c.need_id == Need.id, need_tags.c.tag_id == Tag.id, condition)


def _offer_tagged(condition) -> ColumnElement:
    return exists().where(offer_tags.c.offer_id == Offer.id, offer_tags.c.tag_id == Tag.id, condition)


def _item_matches(model, tagged, term: str) -> ColumnElement:
    text = func.lower(model.title + " " + model.details)
    return or_(_text_matches(text, term), tagged(_text_matches(Tag.name, term)))


def _term_score(viewer: Membership, partner_ids: frozenset[int], term: str) -> ColumnElement:
    profile = func.lower(User.name + " " + User.headline + " " + User.industry + " " + User.city)
    return case(
        (_offer_exists(viewer, _item_matches(Offer, _offer_tagged, term)), 2),
        (or_(_need_exists(viewer, partner_ids, _item_matches(Need, _need_tagged, term)),
             _text_matches(profile, term)), 1),
        else_=0,
    )


def _ranked(viewer: Membership, terms: list[str], tag: str, partner_ids: frozenset[int]) -> Select:
    """(membership id, score, name) of every member the search finds, unordered."""
    score: ColumnElement = literal(0)
    query = select(Membership.id.label("id"), func.lower(User.name).label("name")) \
        .join(User, User.id == Membership.user_id).where(Membership.group_id == viewer.group_id)
    if tag:
        need_has_tag = _need_exists(viewer, partner_ids, _need_tagged(Tag.name == tag))
        offer_has_tag = _offer_exists(viewer, _offer_tagged(Tag.name == tag))
        query = query.where(or_(need_has_tag, offer_has_tag))
        if not terms:
            score = case((offer_has_tag, 2), else_=0) + case((need_has_tag, 1), else_=0)
    for term in terms:
        score = score + _term_score(viewer, partner_ids, term)
    return query.add_columns(score.label("score"))


def sql_scores(viewer, terms, tag, partner_ids) -> dict[int, int]:
    """The SQL search's members and scores (the reference)."""
    ranked = _ranked(viewer, terms, tag, partner_ids).subquery()
    query = select(ranked.c.id, ranked.c.score)
    if terms:
        query = query.where(ranked.c.score > 0)
    return {row.id: row.score for row in db.session.execute(query)}


def test_the_search_index_finds_what_the_sql_search_finds(app):
    rng = random.Random(16)
    olga = make_user(name="Olga Owner", email="olga@example.org")
    group = make_group(organizer=olga, name="Book club")
    people = [make_member(group, name=f"Person {i} {rng.choice(['Acme', 'Smith', 'Web'])}",
                          email=f"p{i}@example.org", headline=rng.choice(["", "Tax coach", "Publisher at Acme"]),
                          industry=rng.choice(["", "Oakville realty", "Toronto tech"])) for i in range(14)]
    for person in people:
        for _ in range(rng.randint(0, 3)):
            make_need(group, person, title=f"Need {' '.join(rng.sample(WORDS, 2))}",
                      details=rng.choice(["", "self-publishing help", "an e-book", "two lines:\ntax help"]),
                      tags=", ".join(rng.sample(TAGS, rng.randint(0, 2))),
                      visibility=rng.choice(["group", "partner", "organizers"]))
        for _ in range(rng.randint(0, 3)):
            make_offer(group, person, title=f"Offer {' '.join(rng.sample(WORDS, 2))}",
                       tags=", ".join(rng.sample(TAGS, rng.randint(0, 2))), active=rng.random() < 0.7)
    viewers = [(membership_of(olga, group), frozenset()), (membership_of(people[0], group), frozenset()),
               (membership_of(people[1], group), frozenset({people[2].id, people[3].id}))]
    found = 0
    for query in ["publishing", "tax coach", "C++", "book web", "oakville", "acme", "e-book", "nothing"]:
        for tag in ["", "tax", "publishing"]:
            terms = directory.search_terms(query)
            for viewer, partners in viewers:
                expected = sql_scores(viewer, terms, tag, partners)
                ids = [m.id for m in directory.search_index(group.id).ranked(viewer, terms, tag, partners)]
                assert set(ids) == set(expected), (query, tag, viewer.id)
                scores = [expected[i] for i in ids]
                assert scores == sorted(scores, reverse=True), "best first"
                found += len(ids)
    assert found > 100  # the searches found people, not only nobody


def test_a_search_sees_a_change_on_the_next_request(client, auth, app):
    olga = make_user(name="Olga Owner", email="olga@example.org")
    group = make_group(organizer=olga, name="Book club")
    ann = make_member(group, name="Ann Example", email="ann@example.org")
    bob = make_member(group, name="Bob Example", email="bob@example.org")
    need = make_need(group, ann, title="Find a publisher", visibility="organizers")
    offer = make_offer(group, bob, title="Wiring and electrical work")
    auth.login("bob@example.org")
    search = f"/groups/{group.slug}/members/?q="
    assert "Ann Example" not in client.get(search + "publisher").get_data(as_text=True)  # not shown to Bob
    update_need(db.session.get(Need, need.id), NeedInput(title="Find a publisher", visibility="group"))
    db.session.commit()
    assert "Ann Example" in client.get(search + "publisher").get_data(as_text=True)
    assert "Bob Example" in client.get(search + "wiring").get_data(as_text=True)
    update_offer(db.session.get(Offer, offer.id), OfferInput(title="Garden design", active=True))
    db.session.commit()
    assert "Bob Example" not in client.get(search + "wiring").get_data(as_text=True)
    assert "Bob Example" in client.get(search + "garden").get_data(as_text=True)


def test_an_organizer_s_search_is_not_served_to_a_member(client, auth, app):
    olga = make_user(name="Olga Owner", email="olga@example.org")
    group = make_group(organizer=olga, name="Book club")
    ann = make_member(group, name="Ann Example", email="ann@example.org")
    make_member(group, name="Bob Example", email="bob@example.org")
    make_need(group, ann, title="A therapist", visibility="organizers")
    auth.login("olga@example.org")
    assert "Ann Example" in client.get(f"/groups/{group.slug}/members/?q=therapist").get_data(as_text=True)
    auth.logout()
    auth.login("bob@example.org")
    assert "Ann Example" not in client.get(f"/groups/{group.slug}/members/?q=therapist").get_data(as_text=True)
