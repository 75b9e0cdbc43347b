"""The group directory, one page at a time: who is in the group, and who can help with what.

Filtering, ranking and counting happen in SQL, so a page costs the same few statements and
loads the same number of rows whatever the size of the group. A search keeps the rules of
`service.search_terms`: filler words dropped, every other word looked for in the names,
profiles, visible needs and offers and their tags (at the start of a word, as a crude stem:
'publishing' finds 'publisher'; a word of three letters or more anywhere). A member scores 2
per word found in one of their offers, 1 per word found only in a need or their profile;
higher scores first, then by name.
"""

from sqlalchemy import ColumnElement, Select, case, exists, func, literal, or_, select
from sqlalchemy.orm import selectinload

from organizer.extensions import db
from organizer.members.service import (
    DirectoryEntry,
    _score_entry,
    _stem,
    need_visibility_clause,
    normalize_tag,
    offer_visibility_clause,
    search_terms,
    visible_needs_query,
    visible_offers_query,
)
from organizer.models import Membership, Need, Offer, Tag, User, need_tags, offer_tags
from organizer.paging import Page, clamp

PAGE_SIZE = 25
MAX_TERMS = 8


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _text_matches(text: ColumnElement, term: str) -> ColumnElement:
    """SQL for service._matches: the stem at the start of a word, or the term anywhere."""
    stem = _escape(_stem(term))
    conditions = [text.like(f"{stem}%", escape="\\"), text.like(f"% {stem}%", escape="\\")]
    if len(term) >= 3:
        conditions.append(text.like(f"%{_escape(term)}%", escape="\\"))
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


def directory_page(viewer: Membership, query: str = "", tag: str = "", number: int = 1,
                   partner_ids: frozenset[int] = frozenset(), size: int = PAGE_SIZE) -> Page:
    """One page of DirectoryEntry for `viewer`: everyone by name, or a search's matches by score."""
    tag = normalize_tag(tag)
    terms = search_terms(query)[:MAX_TERMS]
    ranked = _ranked(viewer, terms, tag, partner_ids).subquery()
    found = select(ranked.c.id).where(ranked.c.score > 0) if terms else select(ranked.c.id)
    total = db.session.scalar(select(func.count()).select_from(found.subquery())) or 0
    number = clamp(number, total, size)
    ordered = (select(ranked.c.id).where(ranked.c.score > 0) if terms else select(ranked.c.id)) \
        .order_by(ranked.c.score.desc() if (terms or tag) else ranked.c.name, ranked.c.name, ranked.c.id) \
        .limit(size).offset((number - 1) * size)
    ids = list(db.session.scalars(ordered))
    return Page(entries(viewer, ids, terms, tag, partner_ids), total, number, size)


def entries(viewer: Membership, ids: list[int], terms: list[str], tag: str,
            partner_ids: frozenset[int]) -> list[DirectoryEntry]:
    """The entries of these members, in this order, with what the viewer may see of them."""
    if not ids:
        return []
    members = {m.id: m for m in db.session.scalars(
        select(Membership).where(Membership.id.in_(ids)).options(selectinload(Membership.user)))}
    needs: dict[int, list[Need]] = {}
    for need in visible_needs_query(viewer, None, partner_ids, membership_ids=ids):
        needs.setdefault(need.membership_id, []).append(need)
    offers: dict[int, list[Offer]] = {}
    for offer in visible_offers_query(viewer, None, membership_ids=ids):
        offers.setdefault(offer.membership_id, []).append(offer)
    result = []
    for member_id in ids:
        entry = DirectoryEntry(members[member_id], needs.get(member_id, []), offers.get(member_id, []))
        if tag:
            entry.matched_needs = [n for n in entry.needs if tag in {t.name for t in n.tags}]
            entry.matched_offers = [o for o in entry.offers if tag in {t.name for t in o.tags}]
        if terms:
            _score_entry(entry, terms)  # which of the shown items the words were found in
        result.append(entry)
    return result
