"""What people tell the help model, and what it tells them.

* the attendees as the help model reads them (open needs shared beyond organizers, active
  offers, headline and industry), for the pairing and for suggestions;
* a group's own terms ("PSC test" means "a French oral test"), kept by organizers;
* members' wishes ("I'd like to meet Raj about this") and "not helpful" marks on their own
  needs, and organizers' corrections (a link marked wrong, or added by hand);
* suggestions: on a member's own needs, the people in the group who may help, with only what
  the member may see of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.orm import aliased, joinedload

from organizer import matching
from organizer.database import among, read_rows
from organizer.errors import ActionRefused
from organizer.extensions import db
from organizer.groups import versions
from organizer.models import (
    HelpLink,
    HelpTerm,
    LinkKind,
    Membership,
    Need,
    NeedStatus,
    Offer,
    Tag,
    User,
    Visibility,
)
from organizer.models import need_tags as need_tags_table
from organizer.models import offer_tags as offer_tags_table
from organizer.paging import Page, counted_page

PRIORITY_WEIGHT = {"high": 2.0, "normal": 1.0, "low": 0.5}
MAX_TERMS = 200
SUGGESTIONS_PER_NEED = 5


# --- the attendees as the help model reads them -------------------------------------------

def item_text(title: str, details: str) -> str:
    """The text the help model reads: the title on the first line, then the details."""
    return title + ("\n" + details if details else "")


def title_of(text: str) -> str:
    """The title of a need or offer as the member wrote it (the first line of its text)."""
    return text.split("\n", 1)[0]


def matching_attendees(group_id: int, user_ids: Iterable[int]) -> dict[int, matching.Attendee]:
    """Members with their open needs (not those for organizers only: reasons are printed and
    shown to partners) and active offers, in plain column queries (the whole group's are kept
    per data version for the pairing and the suggestions: `lunch_model`)."""
    user_ids = list(user_ids)
    members = dict(db.session.execute(
        select(Membership.id, Membership.user_id).where(Membership.group_id == group_id,
                                                        among(Membership.user_id, user_ids))).all())
    people = {row.id: row for row in db.session.execute(
        select(User.id, User.name, User.headline, User.industry).where(among(User.id, members.values())))}
    member_ids = list(members)
    open_needs = (among(Need.membership_id, member_ids), Need.status != NeedStatus.MET,
                  Need.visibility != Visibility.ORGANIZERS.value)
    active_offers = (among(Offer.membership_id, member_ids), Offer.active.is_(True))
    need_rows = db.session.execute(
        select(Need.id, Need.membership_id, Need.title, Need.details, Need.priority)
        .where(*open_needs).order_by(Need.id)).all()
    offer_rows = db.session.execute(
        select(Offer.id, Offer.membership_id, Offer.title, Offer.details, Offer.kind)
        .where(*active_offers).order_by(Offer.id)).all()
    # the tags of the same needs and offers, chosen by the same conditions (not by a list of
    # thousands of ids sent back to the database)
    need_tags = _tag_names(need_tags_table, need_tags_table.c.need_id, select(Need.id).where(*open_needs)) \
        if need_rows else {}
    offer_tags = _tag_names(offer_tags_table, offer_tags_table.c.offer_id, select(Offer.id).where(*active_offers)) \
        if offer_rows else {}
    needs: dict[int, list[matching.Need]] = {}
    for row in need_rows:
        needs.setdefault(row.membership_id, []).append(matching.Need(
            item_text(row.title, row.details), need_tags.get(row.id, ()), PRIORITY_WEIGHT.get(row.priority, 1.0),
            id=row.id))
    offers: dict[int, list[matching.Offer]] = {}
    for row in offer_rows:
        offers.setdefault(row.membership_id, []).append(matching.Offer(
            item_text(row.title, row.details), offer_tags.get(row.id, ()), row.kind, id=row.id))
    attendees = {uid: matching.Attendee(uid, people[uid].name, tuple(needs.get(mid, ())), tuple(offers.get(mid, ())),
                                        headline=people[uid].headline or "", industry=people[uid].industry or "")
                 for mid, uid in members.items()}
    return attendees


def _tag_names(table, key, ids) -> dict[int, tuple[str, ...]]:
    """Tag names per item, for the items ``ids`` (a list or a select of ids)."""
    names: dict[int, list[str]] = {}
    for item_id, name in db.session.execute(
            select(key, Tag.name).join(Tag, Tag.id == table.c.tag_id).where(key.in_(ids)).order_by(Tag.name)):
        names.setdefault(item_id, []).append(name)
    return {k: tuple(v) for k, v in names.items()}


def model_terms(group_id: int) -> tuple[matching.Term, ...]:
    return tuple(matching.Term(t.phrase, t.meaning) for t in terms_of(group_id))


def model_links(group_id: int, user_ids: Iterable[int]) -> tuple[matching.Link, ...]:
    """People's word on links between these people, for the help model."""
    present = list(user_ids)
    rows = db.session.scalars(select(HelpLink).where(
        HelpLink.group_id == group_id, among(HelpLink.helper_id, present), among(HelpLink.helped_id, present)))
    # A confirmed offer of help or introduction (between lunches) is people's word, as an
    # organizer's link is: the model reads it as one, in the words stored with it.
    return tuple(matching.Link(r.helper_id, r.helped_id,
                               LinkKind.ORGANIZER.value if r.kind == LinkKind.CONFIRMED else r.kind,
                               r.need_id, r.text) for r in rows)


def score_group(group_id: int, user_ids: Iterable[int], options: matching.Options | None = None,
                helped: frozenset[int] | None = None):
    """The help model on these members of the group, with the group's terms and people's links
    (only for the needs of ``helped`` when given)."""
    user_ids = list(user_ids)
    attendees = matching_attendees(group_id, user_ids)
    people = [attendees[u] for u in sorted(attendees)]
    return matching.score(people, options, model_terms(group_id), model_links(group_id, attendees), helped)


# --- the group's own terms -----------------------------------------------------------------

def terms_of(group_id: int) -> list[HelpTerm]:
    return list(db.session.scalars(select(HelpTerm).where(HelpTerm.group_id == group_id)
                                   .order_by(HelpTerm.phrase, HelpTerm.id)))


def add_term(group_id: int, phrase: str, meaning: str, by: User) -> HelpTerm:
    phrase, meaning = " ".join(phrase.split()), " ".join(meaning.split())
    if not phrase or not meaning:
        raise ActionRefused("Write the term and what it means.")
    if len(terms_of(group_id)) >= MAX_TERMS:
        raise ActionRefused(f"A group keeps at most {MAX_TERMS} terms; remove one first.")
    if any(t.phrase.lower() == phrase.lower() for t in terms_of(group_id)):
        raise ActionRefused(f"“{phrase}” is already one of the group's terms.")
    term = HelpTerm(group_id=group_id, phrase=phrase[:80], meaning=meaning[:160], created_by_id=by.id)
    db.session.add(term)
    db.session.flush()
    return term


def remove_term(group_id: int, term_id: int) -> None:
    term = db.session.scalar(select(HelpTerm).where(HelpTerm.id == term_id, HelpTerm.group_id == group_id))
    if term is None:
        raise ActionRefused("That term is not in this group.")
    db.session.delete(term)
    db.session.flush()


# --- wishes, "not helpful", corrections ------------------------------------------------------

def _member_ids(group_id: int, user_ids: Iterable[int]) -> set[int]:
    return set(db.session.scalars(select(Membership.user_id).where(
        Membership.group_id == group_id, Membership.user_id.in_(list(user_ids)))))


def mark_own_need(viewer: Membership, need: Need, helper_id: int, kind: LinkKind) -> HelpLink:
    """A member's wish to meet ``helper_id`` about their own need, or their "not helpful"."""
    if need.membership_id != viewer.id:
        raise ActionRefused("You can only do this for your own needs.")
    if kind not in (LinkKind.WISH, LinkKind.WRONG):
        raise ActionRefused("Choose “I'd like to meet them” or “not helpful”.")
    if helper_id == viewer.user_id or helper_id not in _member_ids(viewer.group_id, [helper_id]):
        raise ActionRefused("Choose someone else in this group.")
    db.session.execute(delete(HelpLink).where(
        HelpLink.group_id == viewer.group_id, HelpLink.helped_id == viewer.user_id,
        HelpLink.helper_id == helper_id, HelpLink.need_id == need.id,
        HelpLink.kind.in_([LinkKind.WISH.value, LinkKind.WRONG.value])))
    link = HelpLink(group_id=viewer.group_id, kind=kind.value, helper_id=helper_id, helped_id=viewer.user_id,
                    need_id=need.id, created_by_id=viewer.user_id)
    db.session.add(link)
    db.session.flush()
    return link


def correct(organizer: Membership, helper_id: int, helped_id: int, need_id: int | None, kind: LinkKind,
            text: str = "") -> HelpLink:
    """An organizer's correction: a link marked wrong (it stops counting in this group), or a
    link added by hand ("Ken can help Sue with hotel owners")."""
    if not organizer.is_organizer:
        raise ActionRefused("Only organizers correct the help model.")
    if kind not in (LinkKind.ORGANIZER, LinkKind.WRONG):
        raise ActionRefused("Choose to add a link or mark one wrong.")
    if helper_id == helped_id or _member_ids(organizer.group_id, [helper_id, helped_id]) != {helper_id, helped_id}:
        raise ActionRefused("Choose two different members of this group.")
    text = " ".join(text.split())[:160]
    if need_id is not None:
        owner = db.session.scalar(select(Membership.user_id).join(Need, Need.membership_id == Membership.id)
                                  .where(Need.id == need_id, Membership.group_id == organizer.group_id))
        if owner != helped_id:
            raise ActionRefused("That need is not the helped member's.")
    elif kind == LinkKind.ORGANIZER and not text:
        raise ActionRefused("Say what they can help with.")
    link = HelpLink(group_id=organizer.group_id, kind=kind.value, helper_id=helper_id, helped_id=helped_id,
                    need_id=need_id, text=text, created_by_id=organizer.user_id)
    db.session.add(link)
    db.session.flush()
    return link


def remove_link(viewer: Membership, link_id: int) -> None:
    """Withdraws a wish or mark (its author, or an organizer of the group)."""
    link = db.session.scalar(select(HelpLink).where(HelpLink.id == link_id, HelpLink.group_id == viewer.group_id))
    if link is None or not (viewer.is_organizer or link.created_by_id == viewer.user_id):
        raise ActionRefused("That is not yours to withdraw.")
    db.session.delete(link)
    db.session.flush()


# The people and the need named with each link come in the same statement. Built once (building
# it cost more than running it on an empty list).
_LINKS_OF_GROUP = (
    select(HelpLink).where(HelpLink.group_id == bindparam("group_id"))
    .options(joinedload(HelpLink.helper), joinedload(HelpLink.helped), joinedload(HelpLink.need))
    .order_by(HelpLink.created_at.desc(), HelpLink.id.desc()))


LINKS_PAGE_SIZE = 25
_LINKS_COUNT = select(func.count()).select_from(HelpLink).where(HelpLink.group_id == bindparam("group_id"))
_LINKS_PAGE = (_LINKS_OF_GROUP.add_columns(_LINKS_COUNT.scalar_subquery().label("total"))  # counted once
               .limit(bindparam("size")).offset(bindparam("skip")))


def links_page(group_id: int, number: int = 1, size: int = LINKS_PAGE_SIZE) -> Page:
    """One page of the group's wishes and corrections (HelpLink), newest first: they add up with
    every lunch, so the help page shows them a page at a time (a page past the end: the last)."""
    rows, total, shown = counted_page(_LINKS_PAGE, _LINKS_COUNT, {"group_id": group_id}, number, size)
    return Page([row[0] for row in rows], total, shown, size)


def links_of_group(group_id: int, user_ids: Iterable[int] | None = None) -> list[HelpLink]:
    """Wishes and corrections in the group (among ``user_ids`` when given), newest first."""
    # the attendees are picked here rather than in two lists of hundreds of ids sent to the database
    links = list(db.session.scalars(_LINKS_OF_GROUP, {"group_id": group_id}))
    if user_ids is None:
        return links
    ids = set(user_ids)
    return [link for link in links if link.helper_id in ids and link.helped_id in ids]


_helper, _helped = aliased(User), aliased(User)
# Built once: the pairing review asks on every visit.
_LINK_LINES = (
    select(HelpLink.kind, HelpLink.helper_id, HelpLink.helped_id, HelpLink.text,
           _helper.name.label("helper_name"), _helped.name.label("helped_name"), Need.title.label("need_title"))
    .join(_helper, _helper.id == HelpLink.helper_id).join(_helped, _helped.id == HelpLink.helped_id)
    .outerjoin(Need, Need.id == HelpLink.need_id)
    .where(HelpLink.group_id == bindparam("group_id"))
    .order_by(HelpLink.created_at.desc(), HelpLink.id.desc()))


class LinkLine(NamedTuple):
    kind: str
    helper_id: int
    helped_id: int
    text: str
    helper_name: str
    helped_name: str
    need_title: str | None  # None: the link names no need


LINK_CACHE_GROUPS = 64
_link_lines = versions.SharedCache(max_entries=LINK_CACHE_GROUPS)


def link_lines(group_id: int, user_ids: Iterable[int]) -> list[LinkLine]:
    """``links_of_group`` among ``user_ids`` as what the pairing review says of each, newest
    first: the group's are kept per process under its data version (its links, its members'
    names and needs make it), as the review asks on every visit."""
    version = versions.current(group_id)  # read before the links: a change between the two only reads again
    lines = _link_lines.get(("link lines", group_id, version), lambda: tuple(
        LinkLine(*row) for row in read_rows(_LINK_LINES, {"group_id": group_id}).all()))
    ids = set(user_ids)
    return [line for line in lines if line.helper_id in ids and line.helped_id in ids]


# --- suggestions on a member's own needs ----------------------------------------------------

@dataclass(frozen=True)
class Suggestion:
    user_id: int
    name: str
    why: str                 # what the member may see of the reason
    mark: str | None         # "wish", "wrong" or "confirmed" when the member already said so


# The group's help model inputs (every member's open needs, offers, headline; the terms and
# links) are shared by all its members' pages and read anew only when one of them changed: kept
# per process under the group's data version (organizer.groups.versions: one statement, however
# large the group). The links to one member's needs that they may see are kept the same way, so
# a member's page scores again only after something in the group changed.
MODEL_CACHE_GROUPS = 64
MODEL_CACHE_VIEWERS = 4096  # members' links, across groups


@dataclass
class _GroupModel:
    attendees: tuple[matching.Attendee, ...]
    terms: tuple[matching.Term, ...]
    links: tuple[matching.Link, ...]
    names: dict[int, str] = field(default_factory=dict)


_group_models = versions.SharedCache(max_entries=MODEL_CACHE_GROUPS)
_member_links = versions.SharedCache(max_entries=MODEL_CACHE_VIEWERS)


def _read_group_model(group_id: int) -> _GroupModel:
    attendees = matching_attendees(group_id, list(db.session.scalars(
        select(Membership.user_id).where(Membership.group_id == group_id).order_by(Membership.user_id))))
    return _GroupModel(tuple(attendees[u] for u in sorted(attendees)), model_terms(group_id),
                       model_links(group_id, attendees), {uid: a.name for uid, a in attendees.items()})


def lunch_model(group_id: int, user_ids: Iterable[int], event_id: int) -> tuple[
        dict[int, matching.Attendee], tuple[matching.Term, ...], tuple[matching.Link, ...]]:
    """The help model's inputs for the people at a lunch: the attendees (as `matching_attendees`
    reads them), the group's terms and people's links among them. The members' part is the
    group's model as of its data version (shared with the suggestions), so a re-pairing at the
    door after a check-in reads it again only when something in the group changed; the
    event's stand-in guests are read each time."""
    version = versions.current(group_id)  # read before the inputs: a change between the two only reloads
    model = _group_models.get(("help model", group_id, version), lambda: _read_group_model(group_id))
    present = set(user_ids)
    attendees = {a.id: a for a in model.attendees if a.id in present}
    guests = db.session.execute(select(User.id, User.name).where(
        among(User.id, [uid for uid in present if uid not in attendees]), User.lunch_guest_event_id == event_id))
    for uid, name in guests:
        attendees[uid] = matching.Attendee(uid, name, (), ())
    links = tuple(link for link in model.links if link.helper in present and link.helped in present)
    return attendees, model.terms, links


def _links_to(model: _GroupModel, user_id: int) -> list[matching.Match]:
    """The links members may see from others to ``user_id``'s needs (only these few are kept,
    not the scores)."""
    if user_id not in model.names:
        return []
    scores = matching.score(model.attendees, None, model.terms, model.links, frozenset({user_id}))
    shown_at = matching.Options().show_confidence
    return [match for other in scores.attendees if other.id != user_id
            for match in scores.reasons(other.id, user_id)
            if match.confidence >= shown_at and match.need.id is not None]


def _matches_for(group_id: int, user_id: int) -> tuple[dict[int, str], list[matching.Match]]:
    """Everyone's names in the group, and the links members may see from others to
    ``user_id``'s needs (cached, see above)."""
    version = versions.current(group_id)  # read before the inputs: a change between the two only reloads
    model = _group_models.get(("help model", group_id, version), lambda: _read_group_model(group_id))
    return model.names, _member_links.get(("links to", group_id, version, user_id), lambda: _links_to(model, user_id))


# Built once: "my needs and offers" asks on every visit (building a statement costs as much as
# running it). The viewer's own marks on who may help them, and which of the helpers' needs
# named by a suggestion the whole group may see.
_MARKS_TO = select(HelpLink.need_id, HelpLink.helper_id, HelpLink.kind).where(
    HelpLink.group_id == bindparam("group_id"), HelpLink.helped_id == bindparam("user_id"),
    HelpLink.kind.in_([LinkKind.WISH.value, LinkKind.WRONG.value, LinkKind.CONFIRMED.value]))
_SHARED_NEEDS = select(Need.id).where(Need.id.in_(bindparam("ids", expanding=True)),
                                      Need.visibility == Visibility.GROUP.value)


def suggestions(viewer: Membership) -> dict[int, list[Suggestion]]:
    """Per open need of the viewer: the people in the group who may help, best first, said with
    only what the viewer may see (their offer, their headline, or their own need when it is
    shared with the whole group)."""
    names, matches_to_me = _matches_for(viewer.group_id, viewer.user_id)
    if viewer.user_id not in names:
        return {}
    marks = {(need_id, helper_id): kind for need_id, helper_id, kind in read_rows(
        _MARKS_TO, {"group_id": viewer.group_id, "user_id": viewer.user_id}).all()}
    source_ids = set()
    found: dict[int, list[matching.Match]] = {}
    for match in matches_to_me:
        if match.need.id is None:  # not kept in the cache; said for the type checker
            continue
        found.setdefault(match.need.id, []).append(match)
        if match.source_id is not None:
            source_ids.add(match.source_id)
    shared = set(read_rows(_SHARED_NEEDS, {"ids": sorted(source_ids)}).scalars().all()) if source_ids else set()
    out: dict[int, list[Suggestion]] = {}
    for need_id, matches in found.items():
        rows = []
        for match in sorted(matches, key=lambda m: -m.confidence):
            mark = marks.get((need_id, match.helper))
            why = "you accepted their offer of help" if mark == LinkKind.CONFIRMED else _why(match, shared)
            if why is None:
                continue
            rows.append(Suggestion(match.helper, names[match.helper], why, mark))
        out[need_id] = rows[:SUGGESTIONS_PER_NEED]
    return out


def _why(match: matching.Match, shared_needs: set[int]) -> str | None:
    if match.via in ("offer", "text") and match.offer is not None:
        return f"offers “{title_of(match.offer.text)}”"
    if match.via == "headline":
        return f"works as {match.source}" if match.source else "knows it from work"
    if match.via == "need":
        if match.source_id not in shared_needs:
            return None  # their own need is not shared with the whole group: say nothing of it
        if match.side == "client":
            return f"is looking for {match.topic}: “{title_of(match.source)}”"
        return f"is looking for this kind of work: “{title_of(match.source)}”"
    if match.via == "organizer":
        return "an organizer says so"
    if match.via == "wish":
        return "you asked to meet them about this"
    return None
