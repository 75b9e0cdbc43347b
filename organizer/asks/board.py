"""The asks board: the open needs of the group that the viewer may see, most urgent and newest
first, one page at a time.

Who may see a need is the members feature's rule (`need_visibility_clause`, partners of a
published lunch included), applied in SQL: a need the viewer may not see is never read.
The viewer's own needs and met needs are left out.

"Matches what I offer" asks the help model which of these needs the viewer can help with
(their offers, headline and industry, and their own needs where they are the other side),
and lists the needs an offer of theirs answers first. The model reads at most
`MATCH_WINDOW` needs, the newest, so the page costs the same in a group of any size.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from organizer import matching
from organizer.asks.rules import NEED_IS_OPEN
from organizer.extensions import db
from organizer.help import service as help_model
from organizer.matching import normalize_tag
from organizer.members.service import need_visibility_clause
from organizer.models import HelpOffer, HelpOfferState, Membership, Need, Priority, Tag, User, need_tags
from organizer.paging import Page, clamp

PAGE_SIZE = 20
MATCH_WINDOW = 1000
PRIORITY_RANK = case({Priority.HIGH.value: 0, Priority.NORMAL.value: 1}, value=Need.priority, else_=2)


@dataclass
class BoardItem:
    need: Need
    owner: User
    why: str = ""            # "matches what I offer": what of the viewer's answers it
    my_offer: HelpOffer | None = None  # the viewer's live offer of help on it, if any


def _visible_open(viewer: Membership, partner_ids: frozenset[int], tag: str):
    query = (select(Need.id).join(Membership, Need.membership_id == Membership.id)
             .where(need_visibility_clause(viewer, partner_ids), NEED_IS_OPEN,
                    Need.membership_id != viewer.id))
    if tag:
        query = query.where(select(need_tags.c.need_id).join(Tag, Tag.id == need_tags.c.tag_id)
                            .where(need_tags.c.need_id == Need.id, Tag.name == tag).exists())
    return query


def board_page(viewer: Membership, *, partner_ids: frozenset[int], tag: str = "", matching_only: bool = False,
               number: int = 1, size: int = PAGE_SIZE) -> Page:
    tag = normalize_tag(tag)[:40]
    visible = _visible_open(viewer, partner_ids, tag)
    if matching_only:
        ordered, why = matches(viewer, visible)
        total = len(ordered)
        number = clamp(number, total, size)
        ids = ordered[(number - 1) * size:number * size]
    else:
        total = db.session.scalar(select(func.count()).select_from(visible.subquery())) or 0
        number = clamp(number, total, size)
        ids = list(db.session.scalars(visible.order_by(PRIORITY_RANK, Need.created_at.desc(), Need.id.desc())
                                      .limit(size).offset((number - 1) * size)))
        why = {}
    return Page(items(viewer, ids, why), total, number, size)


def items(viewer: Membership, ids: list[int], why: dict[int, str]) -> list[BoardItem]:
    """The board's rows for these needs, in this order (three statements whatever the page)."""
    if not ids:
        return []
    needs = {n.id: n for n in db.session.scalars(
        select(Need).where(Need.id.in_(ids))
        .options(selectinload(Need.tags), selectinload(Need.membership).selectinload(Membership.user)))}
    mine = {o.need_id: o for o in db.session.scalars(select(HelpOffer).where(
        HelpOffer.need_id.in_(ids), HelpOffer.helper_id == viewer.user_id,
        HelpOffer.state.in_([HelpOfferState.PENDING, HelpOfferState.ACCEPTED])))}
    return [BoardItem(needs[i], needs[i].membership.user, why.get(i, ""), mine.get(i)) for i in ids if i in needs]


def matches(viewer: Membership, visible) -> tuple[list[int], dict[int, str]]:
    """The visible needs the viewer can help with, by the help model: the ones an offer of theirs
    answers first, then the others it finds (headline, their own needs), each most urgent and
    newest first; with a few words on why."""
    rows = db.session.execute(
        select(Need.id, Membership.user_id, Need.title, Need.details, Need.priority, Need.created_at)
        .join(Membership, Need.membership_id == Membership.id)
        .where(Need.id.in_(visible.scalar_subquery()))
        .order_by(Need.created_at.desc(), Need.id.desc()).limit(MATCH_WINDOW)).all()
    if not rows:
        return [], {}
    tags: dict[int, list[str]] = {}
    for need_id, name in db.session.execute(
            select(need_tags.c.need_id, Tag.name).join(Tag, Tag.id == need_tags.c.tag_id)
            .where(need_tags.c.need_id.in_([r.id for r in rows])).order_by(Tag.name)):
        tags.setdefault(need_id, []).append(name)
    me = help_model.matching_attendees(viewer.group_id, [viewer.user_id])[viewer.user_id]
    others: dict[int, list[matching.Need]] = {}
    for r in rows:
        others.setdefault(r.user_id, []).append(matching.Need(
            help_model.item_text(r.title, r.details), tuple(tags.get(r.id, ())),
            help_model.PRIORITY_WEIGHT.get(r.priority, 1.0), id=r.id))
    # The others come with the needs the viewer may see and nothing else: only the viewer helps.
    people = [me] + [matching.Attendee(uid, "", tuple(needs), ()) for uid, needs in others.items() if uid != me.id]
    links = help_model.model_links(viewer.group_id, [a.id for a in people])
    scores = matching.score(people, None, help_model.model_terms(viewer.group_id), links,
                            frozenset(others) - {me.id})
    shown_at = matching.Options().show_confidence
    found: dict[int, tuple[int, str]] = {}
    for other in others:
        if other == me.id:
            continue
        for match in scores.reasons(me.id, other):
            if match.confidence < shown_at or match.need.id is None or match.need.id in found:
                continue
            if match.offer is not None:
                found[match.need.id] = (0, f"your offer “{help_model.title_of(match.offer.text)}”")
            elif match.via == "headline":
                found[match.need.id] = (1, "your work")
            elif match.via == "need":
                found[match.need.id] = (1, "one of your own needs")
            else:
                found[match.need.id] = (1, "people's word on the help model")
    rank = {Priority.HIGH.value: 0, Priority.NORMAL.value: 1}
    ordered = sorted((r for r in rows if r.id in found),
                     key=lambda r: (found[r.id][0], rank.get(r.priority, 2), -_stamp(r.created_at), -r.id))
    return [r.id for r in ordered], {r.id: found[r.id][1] for r in ordered}


def _stamp(value: datetime) -> float:
    return value.timestamp()
