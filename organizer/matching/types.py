"""Plain frozen dataclasses in and out of the matching engine.

Everything here is data: no I/O, no clock.  Collections are stored as tuples or
frozensets so a value can be hashed and shared; the constructors accept lists
too (``Attendee(1, "Ann", needs=[Need("a job")])``) and convert them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import cast

Pair = tuple[int, int]


class MatchingError(ValueError):
    """Base class for every error the matching engine raises on purpose."""


class InfeasibleError(MatchingError):
    """No seating obeys the rules (for example the only two attendees are a forbidden pair)."""


class SolveTimeoutError(MatchingError):
    """The time limit ran out before any seating was found (never raised when one was)."""


def _set(obj: object, name: str, value: object) -> None:
    object.__setattr__(obj, name, value)


def _pair(value: object, what: str) -> Pair:
    a: object
    b: object
    try:
        a, b = value  # type: ignore[misc]  # any pair-like value; checked below
    except (TypeError, ValueError):
        raise MatchingError(f"{what} must be a pair of attendee ids, got {value!r}") from None
    if not isinstance(a, int) or not isinstance(b, int) or isinstance(a, bool) or isinstance(b, bool):
        raise MatchingError(f"{what} must be a pair of integer ids, got {value!r}")
    if a == b:
        raise MatchingError(f"{what} pairs an attendee with themselves: {value!r}")
    return (a, b) if a < b else (b, a)


def normalise_pair(a: int, b: int) -> Pair:
    return (a, b) if a < b else (b, a)


@dataclass(frozen=True)
class Need:
    """Something an attendee needs right now.  ``priority`` weights it (1 = normal).

    ``id`` is the caller's id for the need (a database id), carried into the reasons so a
    caller can check, when it shows a reason, who may see the need.
    """

    text: str
    tags: tuple[str, ...] = ()
    priority: float = 1.0
    id: int | None = None

    def __post_init__(self) -> None:
        _set(self, "tags", tuple(self.tags))
        if not (isinstance(self.priority, (int, float)) and math.isfinite(self.priority) and self.priority >= 0):
            raise MatchingError(f"need priority must be a finite number >= 0, got {self.priority!r}")


@dataclass(frozen=True)
class Offer:
    """A way an attendee can help.  ``kind`` is free text such as "introduction", "advice", "skill"."""

    text: str
    tags: tuple[str, ...] = ()
    kind: str = "help"
    id: int | None = None

    def __post_init__(self) -> None:
        _set(self, "tags", tuple(self.tags))


@dataclass(frozen=True)
class Attendee:
    """One person at the event.  ``id`` is the caller's id (a database id: any int).

    ``boost`` multiplies the help this person receives (members who gave a lot
    and received little can be boosted; 1 = no boost).  ``headline`` and
    ``industry`` are what the person does ("HR manager", "Dentist, own practice"):
    expertise counts even where no offer names it.
    """

    id: int
    name: str = ""
    needs: tuple[Need, ...] = ()
    offers: tuple[Offer, ...] = ()
    boost: float = 1.0
    headline: str = ""
    industry: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.id, int) or isinstance(self.id, bool):
            raise MatchingError(f"attendee id must be an int, got {self.id!r}")
        _set(self, "needs", tuple(self.needs))
        _set(self, "offers", tuple(self.offers))
        if not (math.isfinite(self.boost) and self.boost >= 0):
            raise MatchingError(f"boost must be a finite number >= 0, got {self.boost!r}")

    @property
    def label(self) -> str:
        return self.name or f"#{self.id}"


@dataclass(frozen=True)
class Meeting:
    """Two attendees met (at an earlier lunch) on ``met_on``."""

    a: int
    b: int
    met_on: datetime | date


@dataclass(frozen=True)
class Lock:
    """Keep ``a`` and ``b`` (and ``c``, a locked trio) at the same table in round ``round`` (0-based)."""

    a: int
    b: int
    round: int = 0
    c: int | None = None

    @property
    def people(self) -> tuple[int, ...]:
        """The two or three attendees kept together."""
        return (self.a, self.b) if self.c is None else (self.a, self.b, self.c)

    def __str__(self) -> str:
        return f"locked {'trio' if self.c is not None else 'pair'} ({', '.join(map(str, self.people))})"


@dataclass(frozen=True)
class Options:
    """Knobs of scoring and solving.  The defaults are the product's defaults.

    fairness: first maximise how many attendees receive some help from a table
        mate, then the total weight (lexicographic).
    time_limit_s: for the whole solve (all rounds).  When it runs out the best
        seating found is returned with its bound.
    seed: read by nothing: the solver is deterministic (same problem, same seating).
        Kept so stored problems and JSON files that name a seed still load.
    cooldown_weeks: pairs that met less than this long before ``Problem.now`` are
        forbidden.
    repeat_penalty / repeat_half_life_weeks: a past meeting (outside the
        cool-down) costs ``repeat_penalty * 0.5 ** (weeks_ago / half_life)``.
    reciprocity_bonus: added times ``min(help(i->j), help(j->i))``.
    min_similarity: a text-only (offer, need) match below this similarity counts as
        nothing (the lexical fallback of the help model, see ``scoring.py``).
    tag_weight: how much a fully shared tag set adds to the text similarity.
    show_confidence: a reason is for members' eyes (pages, cards) only at or above
        this confidence; weaker links are "possible" ones for organizers.  At 0.72 an
        offer (0.85) or a headline (0.75) that names the topic shows; a two-sided link
        (0.70), a broad topic, a topic named only as context, and shared words alone show
        only when a second topic supports them.  Measured on the labelled groups in
        bench/quality.py: fewer links shown, and more of them right.
    """

    fairness: bool = True
    time_limit_s: float = 10.0
    seed: int = 0
    cooldown_weeks: float = 0.0
    repeat_penalty: float = 1.0
    repeat_half_life_weeks: float = 26.0
    reciprocity_bonus: float = 0.25
    min_similarity: float = 0.2
    tag_weight: float = 0.5
    show_confidence: float = 0.72

    def __post_init__(self) -> None:
        if not (self.time_limit_s > 0 and math.isfinite(self.time_limit_s)):
            raise MatchingError(f"time_limit_s must be a positive number, got {self.time_limit_s!r}")


@dataclass(frozen=True)
class Problem:
    """What to seat.

    attendees: everyone at the event (their ids must be distinct).
    weights: optional explicit pair weights ``(a, b, w)`` by id; when given,
        needs and offers are not scored and missing pairs weigh 0.
    help: optional explicit directed help ``(helper, helped, h)`` used by the
        fairness rule with explicit weights (default: a pair with positive
        weight helps both sides).
    blocked: do-not-pair pairs (either side blocked the other): forbidden.
    locked: tables to keep together: ``(a, b)`` for round 0, ``Lock(a, b, round)``, or a
        locked trio ``Lock(a, b, round, c=c)``.  A locked trio is a table of three whatever the
        count: the rest of the round is seated around it (in pairs, plus one trio if they are odd).
    excluded: attendee ids to leave out (not seated at all).
    meetings: past meetings, for the cool-down and the repeat penalty.
    rounds: how many rounds to seat; no pair meets twice across rounds.
    now: the reference time for ``meetings`` (required when there are any).
    terms: the group's own terms for the help model (``Term``).
    links: members' wishes and organizers' corrections (``Link``), which outrank the model.
    keep: the tables people have already seen (a published seating's first round), as tuples
        of attendee ids.  When given, the seating is a re-seating with the fewest changes,
        lexicographic: first keep as many of these tables together as possible (each pair of
        former table mates still seated together counts; in the trio, as its pairs count, half),
        then the best total weight; fairness is not a tier then.  One round only.  Ids of
        attendees no longer present are ignored.  See ``weights.kept_together``.
    """

    attendees: tuple[Attendee, ...]
    weights: tuple[tuple[int, int, float], ...] | None = None
    help: tuple[tuple[int, int, float], ...] | None = None
    blocked: frozenset[Pair] = frozenset()
    locked: tuple[Lock, ...] = ()
    excluded: frozenset[int] = frozenset()
    meetings: tuple[Meeting, ...] = ()
    rounds: int = 1
    now: datetime | date | None = None
    options: Options = field(default_factory=Options)
    terms: tuple[Term, ...] = ()
    links: tuple[Link, ...] = ()
    keep: tuple[tuple[int, ...], ...] = ()

    def __post_init__(self) -> None:
        attendees = tuple(self.attendees)
        _set(self, "attendees", attendees)
        ids = [a.id for a in attendees]
        if len(set(ids)) != len(ids):
            raise MatchingError("attendee ids must be distinct")
        known = set(ids)

        def check(pair: Pair, what: str) -> Pair:
            for x in pair:
                if x not in known:
                    raise MatchingError(f"{what} names unknown attendee {x}")
            return pair

        if self.weights is not None:
            rows = []
            for row in self.weights:
                a, b, w = row
                a, b = check(_pair((a, b), "a weight"), "a weight")
                if not math.isfinite(float(w)):
                    raise MatchingError(f"weight of pair ({a}, {b}) is not finite")
                rows.append((a, b, float(w)))
            _set(self, "weights", tuple(rows))
        if self.help is not None:
            rows = []
            for row in self.help:
                a, b, h = row
                check(_pair((a, b), "a help entry"), "a help entry")
                rows.append((a, b, float(h)))
            _set(self, "help", tuple(rows))
        _set(self, "blocked", frozenset(check(_pair(p, "a blocked pair"), "a blocked pair") for p in self.blocked))
        locks = []
        for lock in self.locked:
            if not isinstance(lock, Lock):
                a, b = _pair(lock, "a locked pair")
                lock = Lock(a, b, 0)
            a, b = check(_pair((lock.a, lock.b), "a locked pair"), "a locked pair")
            c = lock.c
            if c is not None:
                if not isinstance(c, int) or isinstance(c, bool):
                    raise MatchingError(f"a locked trio must name integer ids, got {c!r}")
                check((c, c), "a locked trio")
                if c in (a, b):
                    raise MatchingError(f"a locked trio names attendee {c} twice")
            if not (isinstance(lock.round, int) and 0 <= lock.round < self.rounds):
                raise MatchingError(f"{lock} names round {lock.round}, outside 0..{self.rounds - 1}")
            locks.append(Lock(a, b, lock.round, c))
        _set(self, "locked", tuple(locks))
        _set(self, "excluded", frozenset(self.excluded))
        meetings = tuple(self.meetings)
        for m in meetings:
            check(_pair((m.a, m.b), "a past meeting"), "a past meeting")
        _set(self, "meetings", meetings)
        if meetings and self.now is None:
            raise MatchingError("now is required when past meetings are given")
        if not (isinstance(self.rounds, int) and self.rounds >= 1):
            raise MatchingError(f"rounds must be an int >= 1, got {self.rounds!r}")
        _set(self, "terms", tuple(self.terms))
        links = tuple(self.links)
        for link in links:
            check(_pair((link.helper, link.helped), "a link"), "a link")
        _set(self, "links", links)
        keep = tuple(tuple(table) for table in self.keep)
        if keep and self.rounds != 1:
            raise MatchingError("a re-seating that keeps tables (keep) is for one round only")
        kept: set[int] = set()
        for table in keep:
            if len(table) not in (2, 3) or len(set(table)) != len(table):
                raise MatchingError(f"a kept table seats two or three different attendees, got {table!r}")
            if kept & set(table):
                raise MatchingError(f"an attendee sits at two kept tables: {table!r}")
            kept |= set(table)
        _set(self, "keep", keep)

    @classmethod
    def from_weights(
        cls,
        n: int,
        weights: Iterable[Sequence[float]],
        *,
        forbidden: Iterable[Sequence[int]] = (),
        locked: Iterable[Lock | Sequence[int]] = (),
        rounds: int = 1,
        options: Options | None = None,
        help: Iterable[Sequence[float]] | None = None,
    ) -> Problem:
        """A problem on attendees ``0..n-1`` with explicit pair weights (the JSON command line's shape)."""
        return cls(
            attendees=tuple(Attendee(i) for i in range(n)),
            # the shapes are checked by __post_init__ (a clear MatchingError, not a type)
            weights=tuple(cast("tuple[int, int, float]", tuple(w)) for w in weights),
            help=None if help is None else tuple(cast("tuple[int, int, float]", tuple(h)) for h in help),
            blocked=frozenset(cast("Pair", tuple(p)) for p in forbidden),
            locked=tuple(p if isinstance(p, Lock) else Lock(*p) for p in locked),
            rounds=rounds,
            options=options or Options(fairness=False),
        )

    @property
    def seated_attendees(self) -> tuple[Attendee, ...]:
        return tuple(a for a in self.attendees if a.id not in self.excluded)


VIAS = ("offer", "headline", "need", "text", "wish", "organizer")
# Internal codes of the help model's link kinds; "need_client" is a two-sided link where the
# helper would be a client of the helped (reported as via "need").
LINK_KINDS = VIAS + ("need_client",)


@dataclass(frozen=True)
class Match:
    """One counted link: ``helper`` can help ``helped`` with ``need``.

    via: what shows it: "offer" (one of the helper's offers), "headline" (the helper's
        work), "need" (the helper's own need is the other side of this one: a counsellor
        needs clients and the helper needs counselling), "text" (only shared words between
        an offer and the need: the weakest kind), "wish" (the helped member asked to meet
        the helper about it) or "organizer" (added by an organizer).
    offer: the helper's offer behind it (via "offer" or "text"), else None.
    similarity: the confidence of the link, 0..1.
    score: what it adds to help(helper -> helped): priority * confidence * boost.
    topic: what connects the two, in words ("health insurance"), when known.
    source: the helper's text that shows it when not an offer (their headline, or
        their own need).
    side: for via "need": "client" when the helper would be the helped's client (the
        helped wants clients or work), "worker" when the helper wants to do this work.
    """

    helper: int
    helped: int
    need: Need
    offer: Offer | None
    similarity: float
    score: float
    via: str = "offer"
    topic: str = ""
    source: str = ""
    side: str = ""
    source_id: int | None = None  # the caller's id of the helper's own need behind a via-"need" link

    @property
    def confidence(self) -> float:
        return self.similarity


@dataclass(frozen=True)
class Term:
    """An organizer's own term for their group: ``phrase`` means ``meaning``
    ("PSC test" means "a French oral test")."""

    phrase: str
    meaning: str


@dataclass(frozen=True)
class Link:
    """A person's word on one link, which outranks the model.

    kind "wish": ``helped`` asked to meet ``helper`` about the need ``need_id``.
    kind "organizer": an organizer said ``helper`` can help ``helped`` (with ``need_id``,
        or with ``text`` in their words when no need is named).
    kind "wrong": the link stops counting (an organizer marked the reason wrong, or the
        helped member said "not helpful"); ``need_id`` None means every need of ``helped``.
    """

    helper: int
    helped: int
    kind: str
    need_id: int | None = None
    text: str = ""

    def __post_init__(self) -> None:
        if self.kind not in ("wish", "organizer", "wrong"):
            raise MatchingError(f"a link's kind must be wish, organizer or wrong, got {self.kind!r}")


@dataclass(frozen=True)
class Group:
    """A table: two attendee ids, or three for the one trio of an odd count.

    ``weight`` is the group's value in the objective (a pair's weight; for the
    trio half the sum of its three pair weights).  ``reasons`` are the counted
    matches between its members, best first.
    """

    members: tuple[int, ...]
    weight: float
    reasons: tuple[Match, ...] = ()


@dataclass(frozen=True)
class Round:
    groups: tuple[Group, ...]
    objective: float
    bound: float
    proven_optimal: bool


@dataclass(frozen=True)
class Pairing:
    """The answer.

    objective: total weight over all rounds (pairs count their weight; the trio
        half the sum of its three pair weights).
    bound: an upper bound on the objective of any seating that helps at least
        as many attendees (fairness on) or of any seating (fairness off), with
        rounds solved in order (see ``organizer.matching``).
    proven_optimal: every round proven optimal given the rounds before it.
    helped: how many (attendee, round) seats receive some help from a table mate.
    status: "optimal", "feasible" (time ran out: see ``gap``) .
    """

    rounds: tuple[Round, ...]
    objective: float
    bound: float
    proven_optimal: bool
    seconds: float
    helped: int = 0
    status: str = "optimal"

    @property
    def gap(self) -> float:
        """Relative gap between bound and objective (0 when proven)."""
        if self.proven_optimal:
            return 0.0
        return (self.bound - self.objective) / max(1e-9, abs(self.bound))

    def pairs(self, round_index: int = 0) -> list[tuple[int, ...]]:
        return [g.members for g in self.rounds[round_index].groups]
