"""The group directory, one page at a time: who is in the group, and who can help with what.

Pages come from the group's search index: every member with their needs and offers and what
decides who may see them, read once per version of the group's data (organizer.groups.versions)
and shared by every viewer; each page keeps only what its viewer may see. Everyone is listed by
name. A search drops the filler words the help model drops (``matching.STOPWORDS``) and looks
for every other word in the names, profiles, visible needs and offers and their tags: at the
start of a word, as a search prefix (the help model's plural stem, then -ing, -er, -ed:
'publishing' finds 'publisher'), or, for a word of three letters or more, anywhere. A member
scores 2 per word found in one of their offers, 1 per word found only in a need or their
profile; higher scores first, then by name. The tests hold it to the same search written in
SQL."""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select

from organizer.extensions import db
from organizer.groups import versions
from organizer.matching import STOPWORDS, normalize_tag, stem
from organizer.models import Membership, Need, Offer, Role, Tag, User, Visibility, need_tags, offer_tags
from organizer.paging import Page

PAGE_SIZE = 25
MAX_TERMS = 8


# --- the words of a search ------------------------------------------------------

def search_terms(query: str) -> list[str]:
    """The words looked for ("c++", "c#" and ".net" kept whole), without filler words."""
    words = (w.strip(".'-") for w in re.findall(r"[\w'+#.-]+", query.lower()))
    return [w for w in words if w and w not in STOPWORDS]


def search_prefix(term: str) -> str:
    """What a word of the text must start with to match ``term``: 'publishing', 'publisher',
    'published' and 'publishers' all look for 'publish'.

    >>> [search_prefix(w) for w in ("publishers", "publishing", "taxes", "coaching", "cv")]
    ['publish', 'publish', 'tax', 'coach', 'cv']
    """
    root = stem(term)
    for suffix in ("ing", "er", "ed"):
        if len(root) - len(suffix) >= 4 and root.endswith(suffix):
            return root[: -len(suffix)]
    return root


@dataclass
class DirectoryEntry:
    member: "IndexedMember"
    needs: list["IndexedItem"]
    offers: list["IndexedItem"]
    matched_needs: list["IndexedItem"] = field(default_factory=list)
    matched_offers: list["IndexedItem"] = field(default_factory=list)


def _mark_matches(entry: DirectoryEntry, terms: list[str]) -> None:
    """Which of the shown needs and offers the words were found in (the page highlights them)."""
    if entry.matched_needs or entry.matched_offers:  # a tag chose them
        return
    words = [_Word.of(term) for term in terms]
    entry.matched_needs = [n for n in entry.needs if any(n.matches(word) for word in words)]
    entry.matched_offers = [o for o in entry.offers if any(o.matches(word) for word in words)]


def directory_page(viewer: Membership, query: str = "", tag: str = "", number: int = 1,
                   partner_ids: frozenset[int] = frozenset(), size: int = PAGE_SIZE) -> Page:
    """One page of DirectoryEntry for `viewer`: everyone by name, or a search's matches by score
    (a page past the end shows the last page)."""
    tag = normalize_tag(tag)
    terms = search_terms(query)[:MAX_TERMS]
    index = search_index(viewer.group_id)
    ranked = index.ranked(viewer, terms, tag, partner_ids) if (terms or tag) else list(index.by_name)
    total = len(ranked)
    start = min((number - 1) * size, (total - 1) // size * size if total else 0)
    members = ranked[start:start + size]
    return Page(entries(viewer, members, terms, tag, partner_ids), total, start // size + 1, size)


# --- the search in Python, on the group's index --------------------------------------

@dataclass(frozen=True)
class _Word:
    """A word of a search in a text: the search prefix at the start of a word (of the text, or
    after a space), or, for a word of three letters or more, anywhere. The ranking and the
    highlighting both use it."""
    prefix: str
    word_start: str
    anywhere: str | None

    @classmethod
    def of(cls, term: str) -> "_Word":
        prefix = search_prefix(term)
        return cls(prefix, f" {prefix}", term if len(term) >= 3 else None)

    def found_in(self, text: str) -> bool:  # `text` lower case
        return (text.startswith(self.prefix) or self.word_start in text
                or (self.anywhere is not None and self.anywhere in text))

    def found_in_any(self, texts: "_Texts") -> bool:
        """``found_in`` one of the texts joined in ``texts``: each of them starts after a NUL."""
        joined = texts.joined
        return (f"{SEPARATOR}{self.prefix}" in joined or self.word_start in joined
                or (self.anywhere is not None and self.anywhere in joined))


# Between the texts of a member's items, so that one `in` looks through them all: no text
# holds a NUL (the input guard refuses it on every form, PostgreSQL cannot store it), and no
# search word does, so a word is never found across two texts.
SEPARATOR = "\0"


@dataclass(frozen=True)
class _Texts:
    """Some of a member's needs or offers for the ranking: their texts and tags joined, and their tags."""
    joined: str
    tags: frozenset[str]

    @classmethod
    def of(cls, items: "Iterable[IndexedItem]") -> "_Texts":
        items = list(items)
        texts = [text for item in items for text in (item.text, *item.tags)]
        return cls("".join(f"{SEPARATOR}{text}" for text in texts), frozenset(t for i in items for t in i.tags))


@dataclass(frozen=True)
class IndexedItem:
    id: int
    title: str
    text: str               # title and details, lower case
    tags: tuple[str, ...]
    visibility: str         # a need's; "" for an offer
    active: bool            # an offer's; True for a need
    status: str             # a need's; "" for an offer

    def matches(self, word: _Word) -> bool:
        return word.found_in(self.text) or any(word.found_in(t) for t in self.tags)


@dataclass(frozen=True)
class IndexedMember:
    id: int                 # membership id
    user_id: int
    name: str
    headline: str
    city: str
    is_organizer: bool
    sort_name: str          # lower case
    profile: str            # name, headline, industry and city, lower case
    needs: tuple[IndexedItem, ...]
    offers: tuple[IndexedItem, ...]
    # for the ranking, by who may see them (see visible_to): every need and offer (organizers,
    # the member), the needs shared with the group, with a lunch partner, the active offers
    all_needs: _Texts = field(init=False, repr=False, compare=False)
    all_offers: _Texts = field(init=False, repr=False, compare=False)
    group_needs: _Texts = field(init=False, repr=False, compare=False)
    partner_needs: _Texts = field(init=False, repr=False, compare=False)
    active_offers: _Texts = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        texts = {"all_needs": _Texts.of(self.needs), "all_offers": _Texts.of(self.offers),
                 "group_needs": _Texts.of(n for n in self.needs if n.visibility == Visibility.GROUP.value),
                 "partner_needs": _Texts.of(n for n in self.needs if n.visibility == Visibility.PARTNER.value),
                 "active_offers": _Texts.of(o for o in self.offers if o.active)}
        for name, value in texts.items():
            object.__setattr__(self, name, value)  # frozen: set once, here

    def _access(self, viewer: Membership, partner_ids: frozenset[int]) -> str:
        """How much of this member's lists `viewer` may see, by the rules of
        members.service.need_visible and offer_visible (and the SQL clauses they mirror): "all"
        (organizers, the member), "partner" (a lunch partner: needs shared with partners too), or
        "group" (needs shared with the group); others see active offers only."""
        if viewer.is_organizer or self.id == viewer.id:
            return "all"
        return "partner" if self.user_id in partner_ids else "group"

    def visible_to(self, viewer: Membership, partner_ids: frozenset[int]) -> tuple[list[IndexedItem], list[IndexedItem]]:
        """The needs and offers `viewer` may see (``_access``)."""
        access = self._access(viewer, partner_ids)
        if access == "all":
            return list(self.needs), list(self.offers)
        shown = {Visibility.GROUP.value} | ({Visibility.PARTNER.value} if access == "partner" else set())
        return [n for n in self.needs if n.visibility in shown], [o for o in self.offers if o.active]

    def visible_texts(self, viewer: Membership, partner_ids: frozenset[int]) -> tuple[_Texts, tuple[_Texts, ...]]:
        """What ``visible_to`` keeps, as joined texts (the offers, and the needs in one or two
        parts): one ``in`` per search word looks through them all."""
        access = self._access(viewer, partner_ids)
        if access == "all":
            return self.all_offers, (self.all_needs,)
        if access == "partner":
            return self.active_offers, (self.group_needs, self.partner_needs)
        return self.active_offers, (self.group_needs,)


@dataclass(frozen=True)
class SearchIndex:
    """What the directory reads of a group, every item with what decides who may see it: shared
    by every viewer, each page keeps only what its viewer may see."""
    members: tuple[IndexedMember, ...]   # by name

    @property
    def by_name(self) -> tuple[IndexedMember, ...]:
        return self.members

    def ranked(self, viewer: Membership, terms: list[str], tag: str,
               partner_ids: frozenset[int]) -> list[IndexedMember]:
        """The members a search finds, best first: a member scores 2 per word found in one of
        their offers, 1 per word found only in a need or their profile (with a tag and no
        words: 2 when an offer has it, plus 1 when a need has it); then by name."""
        words = [_Word.of(term) for term in terms]
        found = []
        for position, member in enumerate(self.members):
            offers, needs = member.visible_texts(viewer, partner_ids)
            score = 0
            if tag:
                offer_has_tag = tag in offers.tags
                need_has_tag = any(tag in n.tags for n in needs)
                if not (offer_has_tag or need_has_tag):
                    continue
                if not terms:
                    score = 2 * offer_has_tag + need_has_tag
            for word in words:
                if word.found_in_any(offers):
                    score += 2
                elif any(word.found_in_any(n) for n in needs) or word.found_in(member.profile):
                    score += 1
            if terms and score <= 0:
                continue
            found.append((-score, position))
        found.sort()
        return [self.members[position] for _, position in found]


_indexes = versions.SharedCache(max_entries=64)


def search_index(group_id: int) -> SearchIndex:
    """The group's search index, read anew when the group's data changed (organizer.groups.versions)."""
    return _indexes.get(("directory search", group_id, versions.current(group_id)), lambda: _read_index(group_id))


def _read_index(group_id: int) -> SearchIndex:
    tags: dict[tuple[str, int], list[str]] = {}
    for kind, links, key in (("need", need_tags, need_tags.c.need_id), ("offer", offer_tags, offer_tags.c.offer_id)):
        for item_id, name in db.session.execute(
                select(key, Tag.name).join(Tag, Tag.id == links.c.tag_id)
                .where(Tag.group_id == group_id).order_by(Tag.name)):
            tags.setdefault((kind, item_id), []).append(name)
    needs: dict[int, list[IndexedItem]] = {}
    for row in db.session.execute(
            select(Need.id, Need.membership_id, Need.title, Need.details, Need.visibility, Need.status)
            .join(Membership, Need.membership_id == Membership.id).where(Membership.group_id == group_id)
            .order_by(Need.created_at, Need.id)):
        needs.setdefault(row.membership_id, []).append(IndexedItem(
            row.id, row.title, f"{row.title} {row.details}".lower(), tuple(tags.get(("need", row.id), ())),
            row.visibility, True, str(row.status)))
    offers: dict[int, list[IndexedItem]] = {}
    for offer in db.session.execute(
            select(Offer.id, Offer.membership_id, Offer.title, Offer.details, Offer.active)
            .join(Membership, Offer.membership_id == Membership.id).where(Membership.group_id == group_id)
            .order_by(Offer.created_at, Offer.id)):
        offers.setdefault(offer.membership_id, []).append(IndexedItem(
            offer.id, offer.title, f"{offer.title} {offer.details}".lower(), tuple(tags.get(("offer", offer.id), ())),
            "", offer.active, ""))
    members = [
        IndexedMember(row.id, row.user_id, row.name, row.headline or "", row.city or "",
                      row.role == Role.ORGANIZER, row.name.lower(),
                      " ".join([row.name, row.headline or "", row.industry or "", row.city or ""]).lower(),
                      tuple(needs.get(row.id, ())), tuple(offers.get(row.id, ())))
        for row in db.session.execute(
            select(Membership.id, Membership.user_id, Membership.role, User.name, User.headline,
                   User.industry, User.city)
            .join(User, User.id == Membership.user_id).where(Membership.group_id == group_id))]
    members.sort(key=lambda m: (m.sort_name, m.id))
    return SearchIndex(tuple(members))


def entries(viewer: Membership, members: list[IndexedMember], terms: list[str], tag: str,
            partner_ids: frozenset[int]) -> list[DirectoryEntry]:
    """The entries of these members, in this order, with what the viewer may see of them."""
    result = []
    for member in members:
        entry = DirectoryEntry(member, *member.visible_to(viewer, partner_ids))
        if tag:
            entry.matched_needs = [n for n in entry.needs if tag in n.tags]
            entry.matched_offers = [o for o in entry.offers if tag in o.tags]
        if terms:
            _mark_matches(entry, terms)
        result.append(entry)
    return result
