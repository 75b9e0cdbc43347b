"""Members of a group: profiles, needs and offers with their tags, who may see what,
the directory search, and do-not-pair rules.

Visibility of a need, for a viewer in the same group:
- the owner and the group's organizers see every need;
- other members see needs marked "group";
- a "partner" need is also seen by the owner's lunch partners, whom the pairing
  feature passes in (`partner_ids`) once a pairing is published, and only while that
  lunch is upcoming or ended less than the group's repeat cool-down ago (a partner from
  an old lunch does not keep the access for ever); contact details follow the same rule.
Offers are seen by the whole group while active; a paused offer only by its owner
and organizers.
"""

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import and_, bindparam, delete, func, literal, or_, select, union_all
from sqlalchemy.orm import aliased, selectinload

from organizer.database import changed_rows, read_rows
from organizer.errors import ActionRefused
from organizer.extensions import db
from organizer.groups import versions
from organizer.groups.memberships import membership
from organizer.matching import normalize_tag
from organizer.models import (
    DoNotPair,
    Event,
    EventStatus,
    Group,
    Membership,
    Need,
    NeedChange,
    NeedStatus,
    Offer,
    OfferKind,
    PairingRun,
    PairingSeat,
    PairingTable,
    Priority,
    Tag,
    User,
    Visibility,
    need_tags,
    offer_tags,
    utcnow,
)
from organizer.paging import like_escape

MAX_TAGS = 8
# Per member and group: enough for anyone's real list, and one member cannot skew the
# matching or fill the database.
MAX_NEEDS = 20
MAX_OFFERS = 20
TAG_MAX_LENGTH = 40
TITLE_MAX_LENGTH = 120
DETAILS_MAX_LENGTH = 2000


# --- tags -------------------------------------------------------------------

def parse_tags(text: str | Iterable[str]) -> list[str]:
    """Tags from "Publishing, Books ;#writing": trimmed, lower case, unique, in order."""
    parts = re.split(r"[,;\n]", text) if isinstance(text, str) else list(text)
    tags: list[str] = []
    for part in parts:
        tag = normalize_tag(part)
        if tag and tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise ActionRefused(f"At most {MAX_TAGS} tags.")
    for tag in tags:
        if len(tag) > TAG_MAX_LENGTH:
            raise ActionRefused(f"A tag has at most {TAG_MAX_LENGTH} characters: '{tag[:50]}'.")
    return tags


def tags_for(group_id: int, names: list[str]) -> list[Tag]:
    """The group's Tag rows for these names, creating the missing ones (no commit)."""
    if not names:
        return []
    existing = {t.name: t for t in db.session.scalars(
        select(Tag).where(Tag.group_id == group_id, Tag.name.in_(names)))}
    for name in names:
        if name not in existing:
            existing[name] = Tag(group_id=group_id, name=name)
            db.session.add(existing[name])
    return [existing[name] for name in names]


_tag_counts = versions.SharedCache(max_entries=2048)


def tag_suggestions(viewer: Membership, limit: int = 30) -> list[str]:
    """Tags already used in the group on items this viewer may see, most used first (counted
    by the database, then kept until the group's data changes: organizer.groups.versions).

    What a viewer may see here depends on whether they organize the group (everything) and,
    for a member, on their own items: kept per organizer role or per member, never shared
    between two members."""
    audience = "organizers" if viewer.is_organizer else viewer.id
    key = ("tag suggestions", viewer.group_id, versions.current(viewer.group_id), audience, limit)
    return list(_tag_counts.get(key, lambda: tuple(_count_tags(viewer, limit))))


def _count_tags(viewer: Membership, limit: int) -> list[str]:
    counts: Counter[str] = Counter()
    for model, links, key, visible in (
        (Need, need_tags, need_tags.c.need_id, need_visibility_clause(viewer)),
        (Offer, offer_tags, offer_tags.c.offer_id, offer_visibility_clause(viewer)),
    ):
        rows = db.session.execute(
            select(Tag.name, func.count()).select_from(model)
            .join(Membership, model.membership_id == Membership.id)
            .join(links, key == model.id).join(Tag, Tag.id == links.c.tag_id)
            .where(visible).group_by(Tag.name))
        counts.update({name: count for name, count in rows})
    return [name for name, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]]


# --- profile ----------------------------------------------------------------

PROFILE_LIMITS = {"name": 120, "headline": 160, "industry": 120, "city": 120, "bio": 2000, "contact": 500}


def update_profile(user: User, **fields: str) -> None:
    for key, value in fields.items():
        if key not in PROFILE_LIMITS:
            raise ValueError(f"not a profile field: {key}")
        value = (value or "").strip()
        if len(value) > PROFILE_LIMITS[key]:
            raise ActionRefused(f"The {key} has at most {PROFILE_LIMITS[key]} characters.")
        if key == "name" and not value:
            raise ActionRefused("A name is required.")
        setattr(user, key, value)
    db.session.flush()


# --- needs and offers ---------------------------------------------------------

def _check_text(title: str, details: str) -> tuple[str, str]:
    title, details = title.strip(), (details or "").strip()
    if not title:
        raise ActionRefused("A title is required.")
    if len(title) > TITLE_MAX_LENGTH:
        raise ActionRefused(f"A title has at most {TITLE_MAX_LENGTH} characters.")
    if len(details) > DETAILS_MAX_LENGTH:
        raise ActionRefused(f"The details have at most {DETAILS_MAX_LENGTH} characters.")
    return title, details


@dataclass
class NeedInput:
    title: str
    details: str = ""
    tags: str | list[str] = field(default_factory=list)  # a typed line, or the tags
    priority: str = Priority.NORMAL.value
    status: str = NeedStatus.OPEN
    visibility: str = Visibility.GROUP.value
    helped_by_id: int | None = None
    helped_by_note: str = ""


@dataclass
class OfferInput:
    title: str
    details: str = ""
    tags: str | list[str] = field(default_factory=list)  # a typed line, or the tags
    kind: str = OfferKind.ADVICE.value
    active: bool = True


def _apply_need(need: Need, owner: Membership, data: NeedInput) -> None:
    need.title, need.details = _check_text(data.title, data.details)
    need.priority = Priority(data.priority).value
    need.status = NeedStatus(data.status)
    need.visibility = Visibility(data.visibility).value
    if data.helped_by_id is not None and membership(owner.group_id, data.helped_by_id) is None:
        raise ActionRefused("The person who helped is not a member of this group.")
    need.helped_by_id = data.helped_by_id
    need.helped_by_note = data.helped_by_note.strip()[:120]
    need.tags = tags_for(owner.group_id, parse_tags(data.tags))


def count_items(owner: Membership) -> tuple[int, int]:
    """How many needs and offers the member has in this group."""
    needs = db.session.scalar(select(func.count()).select_from(Need).where(Need.membership_id == owner.id))
    offers = db.session.scalar(select(func.count()).select_from(Offer).where(Offer.membership_id == owner.id))
    return needs or 0, offers or 0


def too_many_message(kind: str, limit: int) -> str:
    return (f"You already have {limit} {kind}s in this group, the most one member can keep. "
            "Remove one, or edit one you no longer need, before adding another.")


def add_need(owner: Membership, data: NeedInput) -> Need:
    if count_items(owner)[0] >= MAX_NEEDS:
        raise ActionRefused(too_many_message("need", MAX_NEEDS))
    need = Need(membership=owner)
    _apply_need(need, owner, data)
    db.session.add(need)
    db.session.flush()
    return need


def update_need(need: Need, data: NeedInput) -> None:
    status_before = need.status
    _apply_need(need, need.membership, data)
    if need.status != status_before:  # the need's history (shown under it, counted on the dashboard)
        db.session.add(NeedChange(need_id=need.id, group_id=need.membership.group_id, status=need.status,
                                  helper_id=need.helped_by_id, note=need.helped_by_note[:160], changed_at=utcnow()))
    db.session.flush()


def remove_need(need: Need) -> None:
    db.session.delete(need)
    db.session.flush()


def _apply_offer(offer: Offer, owner: Membership, data: OfferInput) -> None:
    offer.title, offer.details = _check_text(data.title, data.details)
    offer.kind = OfferKind(data.kind).value
    offer.active = bool(data.active)
    offer.tags = tags_for(owner.group_id, parse_tags(data.tags))


def add_offer(owner: Membership, data: OfferInput) -> Offer:
    if count_items(owner)[1] >= MAX_OFFERS:
        raise ActionRefused(too_many_message("offer", MAX_OFFERS))
    offer = Offer(membership=owner)
    _apply_offer(offer, owner, data)
    db.session.add(offer)
    db.session.flush()
    return offer


def update_offer(offer: Offer, data: OfferInput) -> None:
    _apply_offer(offer, offer.membership, data)
    db.session.flush()


def remove_offer(offer: Offer) -> None:
    db.session.delete(offer)
    db.session.flush()


def own_need(owner: Membership, need_id: int) -> Need | None:
    return db.session.scalar(select(Need).where(Need.id == need_id, Need.membership_id == owner.id))


def own_offer(owner: Membership, offer_id: int) -> Offer | None:
    return db.session.scalar(select(Offer).where(Offer.id == offer_id, Offer.membership_id == owner.id))


class OwnNeed(NamedTuple):
    """A member's need as their "my needs and offers" page shows it (and fills its edit form)."""
    id: int
    title: str
    details: str
    priority: str
    status: NeedStatus
    visibility: str
    helped_by_id: int | None
    helper_name: str | None  # the member who helped, when one did
    tags: tuple[str, ...]    # by name


class OwnOffer(NamedTuple):
    id: int
    title: str
    details: str
    kind: str
    active: bool
    tags: tuple[str, ...]


# Built once: "my needs and offers" reads them on every visit (building a statement costs as much
# as running it); rows of what the page shows, the tags of both lists in one statement.
_OWN_NEEDS = (select(Need.id, Need.title, Need.details, Need.priority, Need.status, Need.visibility, Need.helped_by_id,
                     User.name).outerjoin(User, User.id == Need.helped_by_id)
              .where(Need.membership_id == bindparam("membership_id")).order_by(Need.created_at, Need.id))
_OWN_OFFERS = (select(Offer.id, Offer.title, Offer.details, Offer.kind, Offer.active)
               .where(Offer.membership_id == bindparam("membership_id")).order_by(Offer.created_at, Offer.id))
_OWN_TAGS = union_all(
    select(literal("need").label("kind"), need_tags.c.need_id.label("item_id"), Tag.name.label("name"))
    .join(Tag, Tag.id == need_tags.c.tag_id).join(Need, Need.id == need_tags.c.need_id)
    .where(Need.membership_id == bindparam("membership_id")),
    select(literal("offer"), offer_tags.c.offer_id, Tag.name)
    .join(Tag, Tag.id == offer_tags.c.tag_id).join(Offer, Offer.id == offer_tags.c.offer_id)
    .where(Offer.membership_id == bindparam("membership_id")),
).order_by("name")  # as Need.tags and Offer.tags are


def own_items(owner: Membership) -> tuple[list[OwnNeed], list[OwnOffer]]:
    """The member's needs and offers in this group, oldest first, with their tags: three
    statements of rows, however many items (the page shows each with its edit form)."""
    values = {"membership_id": owner.id}
    tags: dict[tuple[str, int], list[str]] = {}
    for kind, item_id, name in read_rows(_OWN_TAGS, values).all():
        tags.setdefault((kind, item_id), []).append(name)
    needs = [OwnNeed._make((*row, tuple(tags.get(("need", row[0]), ())))) for row in read_rows(_OWN_NEEDS, values).all()]
    offers = [OwnOffer._make((*row, tuple(tags.get(("offer", row[0]), ())))) for row in read_rows(_OWN_OFFERS, values).all()]
    return needs, offers


# Built once, as above: the needs and offers as objects, with their tags (and who helped).
_NEEDS_OF = (select(Need).where(Need.membership_id == bindparam("membership_id"))
             .options(selectinload(Need.tags), selectinload(Need.helped_by)).order_by(Need.created_at, Need.id))
_OFFERS_OF = (select(Offer).where(Offer.membership_id == bindparam("membership_id"))
              .options(selectinload(Offer.tags)).order_by(Offer.created_at, Offer.id))


def needs_of(owner: Membership) -> list[Need]:
    return list(db.session.scalars(_NEEDS_OF, {"membership_id": owner.id}))


def offers_of(owner: Membership) -> list[Offer]:
    return list(db.session.scalars(_OFFERS_OF, {"membership_id": owner.id}))


# --- visibility ---------------------------------------------------------------

def need_visibility_clause(viewer: Membership, partner_ids: frozenset[int] = frozenset()):
    """A SQL condition on Need (joined with its Membership) for what `viewer` may see."""
    if viewer.is_organizer:
        return Membership.group_id == viewer.group_id
    seen = [Need.visibility == Visibility.GROUP.value, Need.membership_id == viewer.id]
    if partner_ids:
        seen.append(and_(Need.visibility == Visibility.PARTNER.value, Membership.user_id.in_(partner_ids)))
    return and_(Membership.group_id == viewer.group_id, or_(*seen))


def offer_visibility_clause(viewer: Membership):
    if viewer.is_organizer:
        return Membership.group_id == viewer.group_id
    return and_(Membership.group_id == viewer.group_id,
                or_(Offer.active.is_(True), Offer.membership_id == viewer.id))


def visible_needs_query(viewer: Membership, owner: Membership | None,
                        partner_ids: frozenset[int] = frozenset(),
                        membership_ids: list[int] | None = None) -> list[Need]:
    query = (select(Need).join(Membership, Need.membership_id == Membership.id)
             .where(need_visibility_clause(viewer, partner_ids))
             .options(selectinload(Need.tags), selectinload(Need.helped_by))
             .order_by(Need.created_at, Need.id))
    if owner is not None:
        query = query.where(Need.membership_id == owner.id)
    if membership_ids is not None:
        query = query.where(Need.membership_id.in_(membership_ids))
    return list(db.session.scalars(query))


def visible_offers_query(viewer: Membership, owner: Membership | None,
                         membership_ids: list[int] | None = None) -> list[Offer]:
    query = (select(Offer).join(Membership, Offer.membership_id == Membership.id)
             .where(offer_visibility_clause(viewer))
             .options(selectinload(Offer.tags)).order_by(Offer.created_at, Offer.id))
    if owner is not None:
        query = query.where(Offer.membership_id == owner.id)
    if membership_ids is not None:
        query = query.where(Offer.membership_id.in_(membership_ids))
    return list(db.session.scalars(query))


# --- choosing a member by name ------------------------------------------------------

LABEL_ID = re.compile(r"\(#(\d{1,9})\)\s*$")


def person_label(user: User) -> str:
    """How a member is offered in a typed choice: their name and user id, "Bob Brown (#12)"."""
    return f"{user.name} (#{user.id})"


def members_named(group_id: int, text: str, limit: int = 10) -> list[Membership]:
    """Members of the group whose name contains `text` (any case), by name: at most `limit`."""
    pattern = f"%{like_escape(text.strip().lower())}%"
    return list(db.session.scalars(
        select(Membership).join(User, User.id == Membership.user_id)
        .where(Membership.group_id == group_id, func.lower(User.name).like(pattern, escape="\\"))
        .options(selectinload(Membership.user)).order_by(func.lower(User.name), User.id).limit(limit)))


def member_from_label(group_id: int, text: str) -> Membership | None:
    """The member a typed choice names: a label from `person_label`, a user id, or a name only one
    member has. None for an empty choice; ActionRefused when it names nobody or several."""
    text = text.strip()
    if not text:
        return None
    number = LABEL_ID.search(text) or re.fullmatch(r"#?(\d{1,9})", text)
    if number:
        member = membership(group_id, int(number.group(1)))
    else:
        found = list(db.session.scalars(
            select(Membership).join(User, User.id == Membership.user_id)
            .where(Membership.group_id == group_id, func.lower(User.name) == text.lower()).limit(2)))
        if len(found) > 1:
            raise ActionRefused(f"Several members are called {text}: choose one from the list.")
        member = found[0] if found else None
    if member is None:
        raise ActionRefused(f"No member of this group is called {text[:80]}.")
    return member


def partner_access_ends_after(group: Group) -> timedelta:
    """How long after a lunch its partners still see each other's partner-only needs and
    contact details: the group's repeat cool-down (the time they are not paired again)."""
    return timedelta(weeks=group.repeat_cooldown_weeks)


# The published pairings whose partners still see each other (joined with PairingRun and Event),
# with the group and the cut-off as values (``_partner_access_values``): one rule for both reads below.
_PARTNER_ACCESS_OPEN = (Event.group_id == bindparam("group_id"), PairingRun.published_at.is_not(None),
                        Event.status.not_in([EventStatus.DRAFT, EventStatus.CANCELLED]),
                        Event.ends_at >= bindparam("ended_after"))


def _partner_access_values(group: Group, now: datetime) -> dict:
    return {"group_id": group.id, "ended_after": now - partner_access_ends_after(group)}


# Built once: the directory asks on every page (building a statement costs as much as running it).
_PUBLISHED_PARTNER_IDS = select(PairingSeat.user_id).where(
    PairingSeat.table_id.in_(
        select(PairingSeat.table_id).join(PairingTable).join(PairingRun).join(Event).where(
            PairingSeat.user_id == bindparam("user_id"), *_PARTNER_ACCESS_OPEN)),
    PairingSeat.user_id != bindparam("user_id"))


def published_partner_ids(viewer: Membership, now: datetime) -> frozenset[int]:
    """Everyone who shares a table with the viewer in the published pairing of an event of this
    group that is upcoming or ended within the cool-down (not a draft, not cancelled)."""
    return frozenset(db.session.scalars(_PUBLISHED_PARTNER_IDS, {
        "user_id": viewer.user_id, **_partner_access_values(viewer.group, now)}))


def published_partner_ids_of(group: Group, user_ids: Iterable[int], now: datetime) -> dict[int, frozenset[int]]:
    """published_partner_ids of several members of the group, by user id: one statement."""
    ids = set(user_ids)
    if not ids:
        return {}
    mine, other = aliased(PairingSeat), aliased(PairingSeat)
    partners: dict[int, set[int]] = {}
    for user_id, partner_id in db.session.execute(
            select(mine.user_id, other.user_id).join(other, other.table_id == mine.table_id)
            .join(PairingTable, PairingTable.id == mine.table_id).join(PairingRun).join(Event)
            .where(mine.user_id.in_(ids), other.user_id != mine.user_id, *_PARTNER_ACCESS_OPEN),
            _partner_access_values(group, now)):
        partners.setdefault(user_id, set()).add(partner_id)
    return {user_id: frozenset(partners.get(user_id, ())) for user_id in ids}


def need_visible(viewer: Membership, need: Need, owner: Membership, partner_ids: frozenset[int] = frozenset()) -> bool:
    """In Python, what need_visibility_clause is in SQL (`owner`: the need's membership)."""
    if owner.group_id != viewer.group_id:
        return False
    if viewer.is_organizer:
        return True
    return (need.visibility == Visibility.GROUP.value or need.membership_id == viewer.id
            or (need.visibility == Visibility.PARTNER.value and owner.user_id in partner_ids))


def offer_visible(viewer: Membership, offer: Offer, owner: Membership) -> bool:
    """In Python, what offer_visibility_clause is in SQL."""
    if owner.group_id != viewer.group_id:
        return False
    return viewer.is_organizer or offer.active or offer.membership_id == viewer.id


def can_see_contact(viewer: Membership, owner: Membership, partner_ids: frozenset[int] = frozenset()) -> bool:
    return viewer.is_organizer or viewer.id == owner.id or owner.user_id in partner_ids


# --- do-not-pair ----------------------------------------------------------------

def add_do_not_pair(group: Group, user_id: int, other_user_id: int, *, by_organizer: bool,
                    created_by: User, note: str = "") -> DoNotPair:
    if user_id == other_user_id:
        raise ActionRefused("Choose two different people.")
    for uid in (user_id, other_user_id):
        if membership(group.id, uid) is None:
            raise ActionRefused("Both people must be members of this group.")
    if by_organizer and other_user_id < user_id:
        user_id, other_user_id = other_user_id, user_id  # an organizer's rule has no direction
    existing = db.session.scalar(select(DoNotPair).where(
        DoNotPair.group_id == group.id, DoNotPair.user_id == user_id,
        DoNotPair.other_user_id == other_user_id, DoNotPair.by_organizer.is_(by_organizer)))
    if existing is not None:
        return existing
    rule = DoNotPair(group_id=group.id, user_id=user_id, other_user_id=other_user_id,
                     by_organizer=by_organizer, created_by_id=created_by.id, note=note.strip()[:200])
    db.session.add(rule)
    db.session.flush()
    return rule


def remove_do_not_pair(group: Group, rule_id: int, *, user_id: int | None = None,
                       by_organizer: bool) -> None:
    """Removes a member's own choice (`user_id` given) or an organizer's rule."""
    query = delete(DoNotPair).where(DoNotPair.id == rule_id, DoNotPair.group_id == group.id,
                                    DoNotPair.by_organizer.is_(by_organizer))
    if user_id is not None:
        query = query.where(DoNotPair.user_id == user_id)
    if changed_rows(query) == 0:
        raise ActionRefused("That rule does not exist.")
    db.session.flush()


def my_do_not_pair(group: Group, user_id: int) -> list[DoNotPair]:
    """A member's own private choices."""
    return list(db.session.scalars(
        select(DoNotPair).where(DoNotPair.group_id == group.id, DoNotPair.user_id == user_id,
                                DoNotPair.by_organizer.is_(False))
        .options(selectinload(DoNotPair.other_user)).order_by(DoNotPair.created_at)))


def organizer_do_not_pair(group: Group) -> list[DoNotPair]:
    return list(db.session.scalars(
        select(DoNotPair).where(DoNotPair.group_id == group.id, DoNotPair.by_organizer.is_(True))
        .options(selectinload(DoNotPair.user), selectinload(DoNotPair.other_user))
        .order_by(DoNotPair.created_at)))


def blocked_pairs(group_id: int) -> set[frozenset[int]]:
    """Every pair of user ids not to be seated together, for the pairing feature."""
    rows = db.session.execute(
        select(DoNotPair.user_id, DoNotPair.other_user_id).where(DoNotPair.group_id == group_id))
    return {frozenset(row) for row in rows}


