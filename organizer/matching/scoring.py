"""The help model: how much attendee i can help attendee j, with the reasons.

``help(i -> j) = boost(j) * sum over j's needs n of priority(n) * confidence(i, n)``, where
``confidence(i, n)`` (0..1) is that of the best link showing that i can help with n.  Each
link keeps why it counts (``Match.via``, ``topic``, the offer or text of i behind it):

* **offer**: one of i's offers is about a topic of the need (0.85);
* **headline**: i's headline or industry makes i able to help with it (an HR manager and a
  resume, a dentist and a cracked molar), whatever i's offers say (0.75);
* **need**, two-sided needs (0.70): j wants clients, work or a job for what j does ("more
  translation clients", "data engineering roles") and i's own need asks for exactly that
  (i needs a translation); or j asks for something that i's own need offers to do (i wants
  work as a narrator, j needs a narrator);
* **text**: only shared words between one of i's offers and the need (character n-gram
  TF-IDF, below): the fallback for needs the lexicon does not understand, never more than
  0.6 and only for needs where no topic was found;
* **wish** and **organizer** (1.0): people's own word, which outranks the model; a "wrong"
  mark removes a link.

Topics come from the concept lexicon (``lexicon.py`` and ``data/lexicon.toml``) plus the
group's own terms.  A topic marked broad ("Spanish", "the job search") counts 0.6 times; a
link that two or more topics support gains 0.1 per extra topic.  Decoys that share a word
but not a meaning ("Java beans" and a Java developer job, "networking tips" and a network
engineer, a glass furnace and a furnace check) fall apart because topics are phrases with
their contexts, not single words.

Reasons at or above ``Options.show_confidence`` are the ones members see; the rest are
"possible" links for organizers.

The text signal: ``min(1, cosine(tfidf(offer), tfidf(need)) + tag_weight * shared_tags /
need_tags)``, TF-IDF over character 3- and 4-grams of each word after dropping function
words, so "Postgres" is close to "PostgreSQL" and typos survive.  Everything is vectorised
with numpy / scipy.sparse; memory stays bounded (the offers x needs similarity is computed in
column blocks, and topic links are built topic by topic).
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse

from organizer.matching.lexicon import Found, Lexicon, default_lexicon, raw_words, stem
from organizer.matching.types import LINK_KINDS, Attendee, Link, Match, Need, Offer, Options, Term

Rows = tuple[np.ndarray, ...]  # link rows as parallel arrays: (helper, need, confidence, via, offer, source, topic)
NeedRows = Sequence[tuple[int, Need]]  # (owner's position, need), owner by owner
OfferRows = Sequence[tuple[int, Offer]]  # (owner's position, offer), owner by owner

NGRAM_SIZES = (3, 4)
BLOCK = 1024

STOPWORDS = frozenset(
    """
    a about after again all also am an and any anyone anything are as at be been being but by can could did do does
    doing for from get getting had has have having he her here hers him his how i if in into is it its just like me
    more most my myself need needs needed no nor not now of off on once one only or other our out over own please know
    really same she should so some someone something such than that the their them then there these they this those
    through to too under until up us very want wanted was we were what when where which while who whom why will with
    would you your yours looking seeking help helps helping offer offering find finding someone
    """.split()
)
"""Function words and the filler of asking ("someone who can help with"): dropped from texts
before they are compared, and from the directory's searches."""

_WORD = re.compile(r"[a-z0-9]+")


def content_words(text: str) -> list[str]:
    """The words of a text, lower case, without STOPWORDS (not stemmed: see lexicon.words)."""
    return [w for w in _WORD.findall(text.lower()) if w not in STOPWORDS]


def _grams(text: str) -> list[str]:
    out = []
    for w in content_words(text):
        padded = f" {w} "
        for size in NGRAM_SIZES:
            if len(padded) <= size:
                out.append(padded)
                break
            out.extend(padded[k : k + size] for k in range(len(padded) - size + 1))
    return out


@functools.lru_cache(maxsize=4096)  # a group's few hundred tags, normalised for every need and offer
def normalize_tag(tag: str) -> str:
    """The one rule for a tag, as stored and as compared: trimmed, a leading "#" dropped, runs
    of white space as one space, lower case ("C#" and "job-search" keep their marks).

    >>> [normalize_tag(t) for t in ("  #Job   Search ", "C#", "job-search")]
    ['job search', 'c#', 'job-search']
    """
    return re.sub(r"\s+", " ", tag.strip().lstrip("#").strip()).lower()


def tfidf(texts: list[str]) -> sparse.csr_matrix:
    """Rows: L2-normalised TF-IDF vectors of character n-grams (sublinear tf)."""
    unique: dict[str, int] = {}
    row_of = np.fromiter((unique.setdefault(t, len(unique)) for t in texts), dtype=np.int64, count=len(texts))
    vocab: dict[str, int] = {}
    indptr = [0]
    indices: list[int] = []
    data: list[float] = []
    for text in unique:
        counts: dict[int, int] = {}
        for g in _grams(text):
            k = vocab.setdefault(g, len(vocab))
            counts[k] = counts.get(k, 0) + 1
        indices.extend(counts.keys())
        data.extend(counts.values())
        indptr.append(len(indices))
    X = sparse.csr_matrix(
        (np.asarray(data, dtype=float), np.asarray(indices, dtype=np.int64), np.asarray(indptr, dtype=np.int64)),
        shape=(len(unique), max(1, len(vocab))),
    )
    X = X[row_of]
    X.data = 1.0 + np.log(X.data)
    df = np.bincount(X.indices, minlength=X.shape[1])
    idf = np.log((1.0 + len(texts)) / (1.0 + df)) + 1.0
    X = X @ sparse.diags(idf)
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.csr_matrix(sparse.diags(1.0 / norms) @ X).astype(np.float32)


def _tag_matrix(tag_lists: list[tuple[str, ...]], vocab: dict[str, int]) -> sparse.csr_matrix:
    rows, cols = [], []
    for r, tags in enumerate(tag_lists):
        for t in {normalize_tag(t) for t in tags} - {""}:
            rows.append(r)
            cols.append(vocab.setdefault(t, len(vocab)))
    return sparse.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(len(tag_lists), max(1, len(vocab))))


@dataclass(frozen=True, eq=False)
class HelpScores:
    """``matrix[i, j]`` = help(attendees[i] -> attendees[j]), and the links behind it.

    The links (a helper's best link for a need, one per (helper, need)) are not all kept:
    a group whose needs repeat a few topics has tens of millions at 5,000 attendees.  They
    are listed again, exactly as the matrix counted them, for the pairs asked about
    (``reasons``), from the model's per-topic tables (``_Model``); a small group keeps
    them all (``match_*``, computed on first use for a large one).  ``covered[k]``: some
    attendee has a link to ``needs[k]``.
    """

    attendees: tuple[Attendee, ...]
    matrix: np.ndarray
    needs: tuple[tuple[int, Need], ...]  # (owner index, need)
    offers: tuple[tuple[int, Offer], ...]
    covered: np.ndarray
    topics: tuple[str, ...] = ()
    texts: tuple[str, ...] = ()  # organizers' own words for links they added (match_topic -2 - k)
    model: _Model | None = None
    kept: Rows | None = None  # every link (helper, need, confidence, via, offer, source, topic), when few
    sure: dict[float, np.ndarray] = dataclasses.field(default_factory=dict)  # sure_matrix, computed while scoring

    def index(self, attendee_id: int) -> int:
        return self._index()[attendee_id]

    def _index(self) -> dict[int, int]:
        cached = self.__dict__.get("_index_cache")
        if cached is None:
            cached = {a.id: k for k, a in enumerate(self.attendees)}
            object.__setattr__(self, "_index_cache", cached)
        return cached

    def help(self, helper_id: int, helped_id: int) -> float:
        return float(self.matrix[self.index(helper_id), self.index(helped_id)])

    def sure_matrix(self, confidence: float) -> np.ndarray:
        """Like ``matrix``, counting only links at or above ``confidence``."""
        for level, matrix in self.sure.items():
            if abs(level - confidence) < 1e-9:
                return matrix
        n = len(self.attendees)
        out = np.zeros((n, n))
        for a, b, rows, contribution in self._blocks():
            sure = rows[2] >= confidence - 1e-6
            cells = (rows[0][sure] - a) * n + self.needs_owner[rows[1][sure]]
            out[a:b] = np.bincount(cells, weights=contribution[sure], minlength=(b - a) * n).reshape(b - a, n)
        self.sure[confidence] = out
        return out

    @property
    def needs_owner(self) -> np.ndarray:
        cached = self.__dict__.get("_owner_cache")
        if cached is None:
            cached = np.fromiter((k for k, _ in self.needs), dtype=np.int64, count=len(self.needs))
            object.__setattr__(self, "_owner_cache", cached)
        return cached

    def _blocks(self) -> Iterator[tuple[int, int, Rows, np.ndarray]]:
        """(first helper, end, links, their contributions) for every block of helpers."""
        if self.kept is not None or self.model is None:
            rows = self.kept if self.kept is not None else _no_rows()
            yield 0, len(self.attendees), rows, self.model_contribution(rows)
            return
        for a, b in self.model.blocks():
            rows = self.model.rows(a, b)
            yield a, b, rows, self.model_contribution(rows)

    def model_contribution(self, rows: Rows) -> np.ndarray:
        """What each link adds to help(helper -> helped)."""
        if self.model is None:
            return np.zeros(len(rows[0]))
        return self.model.contribution(rows)

    def _all(self) -> Rows:
        cached = self.__dict__.get("_all_cache")
        if cached is None:
            blocks = [rows for _, _, rows, _ in self._blocks()]
            cached = tuple(np.concatenate([r[c] for r in blocks]) for c in range(7)) if blocks else _no_rows()
            object.__setattr__(self, "_all_cache", cached)
        return cached

    # every link, sorted by (helper, helped) (held in memory: for small groups and tests)
    @property
    def match_helper(self) -> np.ndarray:
        return self._all()[0]

    @property
    def match_need(self) -> np.ndarray:
        return self._all()[1]

    @property
    def match_helped(self) -> np.ndarray:
        return self.needs_owner[self._all()[1]]

    @property
    def match_similarity(self) -> np.ndarray:
        return self._all()[2]

    @property
    def match_score(self) -> np.ndarray:
        return self.model_contribution(self._all())

    def reasons(self, helper_id: int, helped_id: int) -> list[Match]:
        """The links behind help(helper -> helped), best first."""
        i, j = self.index(helper_id), self.index(helped_id)
        if self.kept is not None:
            keys = self.__dict__.get("_keys")
            if keys is None:
                keys = self.kept[0] * len(self.attendees) + self.needs_owner[self.kept[1]]
                object.__setattr__(self, "_keys", keys)
            lo, hi = np.searchsorted(keys, [i * len(self.attendees) + j, i * len(self.attendees) + j + 1])
            rows: Rows = tuple(x[lo:hi] for x in self.kept)
        elif self.model is None:
            return []
        else:
            cached = self._cache().get((i, j))
            if cached is not None:
                return list(cached)
            rows = self.model.rows(i, i + 1, np.arange(self.model.need_start[j], self.model.need_start[j + 1]))
        contribution = self.model_contribution(rows)
        found = [self._match(rows, k, float(contribution[k]), helper_id, helped_id) for k in range(len(rows[0]))]
        return sorted(found, key=lambda m: -m.score)

    def _cache(self) -> dict[tuple[int, int], list[Match]]:
        cached = self.__dict__.get("_reasons_cache")
        if cached is None:
            cached = {}
            object.__setattr__(self, "_reasons_cache", cached)
        return cached

    def prefetch(self, pairs: Iterable[tuple[int, int]]) -> None:
        """Lists the links of these (helper id, helped id) pairs at once (a seating's tables), so
        that ``reasons`` on them costs a look-up: a block of helpers at a time, against only
        their partners' needs."""
        if self.kept is not None or self.model is None:
            return
        index, n, cache = self._index(), len(self.attendees), self._cache()
        cells = np.array(sorted({(index[a], index[b]) for a, b in pairs} - set(cache)), dtype=np.int64).reshape(-1, 2)
        for start in range(0, len(cells), PREFETCH_BLOCK):
            block = cells[start:start + PREFETCH_BLOCK]
            a, b = int(block[0, 0]), int(block[-1, 0]) + 1
            wanted = np.unique(block[:, 1])
            needs = _entries(self.model.need_start, wanted)
            rows = self.model.rows(a, b, needs)
            cell = rows[0] * n + self.model.need_owner[rows[1]]
            keep = np.isin(cell, block[:, 0] * n + block[:, 1])
            rows = tuple(x[keep] for x in rows)
            contribution = self.model_contribution(rows)
            found: dict[tuple[int, int], list[Match]] = {(int(i), int(j)): [] for i, j in block}
            for k, (i, j) in enumerate(zip(rows[0].tolist(), self.model.need_owner[rows[1]].tolist())):
                found[(i, j)].append(self._match(rows, k, float(contribution[k]), self.attendees[i].id,
                                                 self.attendees[j].id))
            for key, matches in found.items():
                cache[key] = sorted(matches, key=lambda m: -m.score)

    def _match(self, rows: Rows, k: int, score: float, helper_id: int, helped_id: int) -> Match:
        kind = LINK_KINDS[int(rows[3][k])]
        via = "need" if kind == "need_client" else kind
        side = {"need_client": "client", "need": "worker"}.get(kind, "")
        offer_index = int(rows[4][k])
        source_index = int(rows[5][k])
        topic_index = int(rows[6][k])
        if topic_index >= 0:
            topic = self.topics[topic_index]
        elif topic_index <= -2:
            topic = self.texts[-2 - topic_index]
        else:
            topic = ""
        helper = self.attendees[int(rows[0][k])]
        source_id = None
        if source_index >= 0:
            source = self.needs[source_index][1].text
            source_id = self.needs[source_index][1].id
        elif via == "headline":
            source = helper.headline or helper.industry
        else:
            source = ""
        return Match(
            helper=helper_id,
            helped=helped_id,
            need=self.needs[int(rows[1][k])][1],
            offer=self.offers[offer_index][1] if offer_index >= 0 else None,
            similarity=float(rows[2][k]),
            score=score,
            via=via,
            topic=topic,
            source=source,
            side=side,
            source_id=source_id,
        )


def best_offers(offer_vecs: Any, need_vecs: Any, offer_tags: Any, need_tags: Any, need_tag_counts: np.ndarray,
                offer_starts: np.ndarray, offer_owner_of_start: np.ndarray, need_owner: np.ndarray, tag_weight: float,
                threshold: float) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """Yield (helper, need, offer, similarity) arrays: each helper's best offer per need, at or above threshold.

    Offers must be grouped by owner: ``offer_starts`` are the first rows of each
    owner's offers, ``offer_owner_of_start`` the owners.  Works in column blocks
    of needs so the dense similarity block stays small.
    """
    ends = np.r_[offer_starts[1:], offer_vecs.shape[0]]
    most = int((ends - offer_starts).max())
    for start in range(0, need_vecs.shape[0], BLOCK):
        stop = min(start + BLOCK, need_vecs.shape[0])
        sim = (offer_vecs @ need_vecs[start:stop].T).toarray()
        if tag_weight:
            shared = (offer_tags @ need_tags[start:stop].T).toarray()
            sim += np.float32(tag_weight) * shared / np.maximum(need_tag_counts[start:stop], 1).astype(np.float32)[None, :]
        np.minimum(sim, 1.0, out=sim)
        best = np.full((len(offer_starts), stop - start), -np.inf, dtype=np.float32)
        arg = np.zeros(best.shape, dtype=np.int32)
        for k in range(most):
            rows = offer_starts + k
            valid = rows < ends
            cand = sim[np.where(valid, rows, 0)]
            cand[~valid] = -np.inf
            better = cand > best
            best = np.where(better, cand, best)
            arg = np.where(better, rows[:, None], arg)
        h, nd = np.nonzero(best >= threshold)
        helper = offer_owner_of_start[h]
        keep = helper != need_owner[nd + start]
        h, nd, helper = h[keep], nd[keep], helper[keep]
        value = best[h, nd].astype(float)
        offer = arg[h, nd].astype(np.int64)
        yield helper, nd + start, offer, value


CONFIDENCE = {"offer": 0.85, "headline": 0.75, "need": 0.70}
BROAD_FACTOR = 0.6       # a topic so general that sharing it is weak evidence
EXTRA_TOPIC = 0.10       # each further topic supporting the same link
TEXT_FACTOR = 0.7        # a text-only link: similarity times this (at most 0.7)
WISH_WEIGHT = 3.0        # a member's wish counts three confident links: it should decide a close seating
CONTEXT_FACTOR = 0.7     # a topic named only as context of the need's head ("a narrator for TRAINING MODULES")
CONTEXT_WORDS = frozenset("for of at about on".split())

# A need is "two-sided" (the person wants clients, work or a job for what they do) when one of
# these words comes early in it; topics named just before it are what they sell ("translation
# clients", "design work"); when it names none, the person's own headline and offers say it.
CLIENT_WORDS = frozenset(stem(w) for w in """client customer referral booking patient buyer borrower retainer
    order subscriber signup tenant renter lead user try""".split())
# ... unless the words around it give it another sense: "work permit", "conflict at work",
# "a referral to a dermatologist".
NOT_SELLING_AFTER = frozenset("permit visa permits visas to".split())
NOT_SELLING_BEFORE = frozenset("at to from after before my our of".split())
# "my tenant says there's mice", "new patients say they can't find us": the clients are the
# subject of a sentence about something else
NOT_SELLING_VERBS = frozenset(stem(w) for w in """say says said keep keeps kept is are was were dont don't cant can't
    wont won't want wants need needs think complain complains call calls never always just keep can could will would
    get gets got""".split())
JOB_WORDS = frozenset(stem(w) for w in "contract project work role job gig position internship post".split())
# ... and after these, the topics named are the work they want ("a way into corporate training").
SELL_BEFORE = ("way into", "way out of", "break into", "get into", "move into", "moving into", "moving up",
               "transition into", "switch into", "career in", "job in", "jobs in", "work in", "role in",
               "roles in", "position in", "internship in", "internship at", "post at", "teaching post",
               "working with", "work with")
# Work that is employment (so the other side is an employer's need for a person) rather than
# clients' projects ("alteration work", "renovation projects": any client will do).
EMPLOYMENT_WORDS = frozenset(stem(w) for w in "role job position internship post full part salary employment hire".split())
SELL_EARLY = 4  # words from the start of the need within which such a word makes it two-sided
# A need that asks for a person (a hire, a volunteer, a subcontractor) is the other side of a
# job seeker's need; a need for a service ("my furnace bangs") is not.
PERSON_WORDS = frozenset(stem(w) for w in """someone somebody person people anyone hire hiring hired staff staffing
    crew team help helper helpers hand hands employee worker assistant associate apprentice intern volunteer mentor
    subcontractor contractor freelancer partner cofounder presenter speaker instructor teacher tutor trainer coach
    narrator musician singer dj interpreter translator writer editor designer developer programmer engineer analyst
    accountant bookkeeper technician tech mechanic electrician plumber carpenter welder painter roofer landscaper
    cleaner driver mover guard supervisor manager coordinator receptionist rep representative agent nurse psw
    caregiver aide hygienist stylist barber cook chef server cashier baker dishwasher nanny babysitter""".split())


@dataclass(frozen=True)
class _NeedReading:
    seek: dict[str, Found]          # topics the need asks help with (head first)
    sell: dict[str, Found | None]   # topics it wants clients or work for (None: from the owner's profile)
    sell_kind: str = ""             # "client" or "job" when two-sided
    person: bool = False            # the need asks for a person
    consumer: bool = True           # the owner would be a client of someone selling these topics
    context: frozenset[str] = frozenset()  # seek topics named only as context of the head
    from_own: bool = False          # two-sided, naming no topic: it sells the owner's own trade


def _context(found: tuple[Found, ...], raw: list[str]) -> frozenset[str]:
    """Topics named after "for", "of" ... that follows the first topic: context, not the head."""
    if len(found) < 2:
        return frozenset()
    head = min(found, key=lambda f: f.start)
    cut = next((k for k in range(head.end, len(raw)) if raw[k] in CONTEXT_WORDS), None)
    if cut is None:
        return frozenset()
    before = {f.topic.key for f in found if f.start < cut}
    return frozenset(f.topic.key for f in found if f.start > cut and f.topic.key not in before)


def _read_need(text: str, lexicon: Lexicon) -> _NeedReading:
    """How a need reads (cached per text); ``from_own`` when what it sells is the owner's trade."""
    cached = lexicon.readings.get(text)
    if not isinstance(cached, _NeedReading):
        cached = lexicon.readings[text] = _parse_need(text, lexicon)
    return cached


def _parse_need(text: str, lexicon: Lexicon) -> _NeedReading:
    found = lexicon.find(text)
    raw = raw_words(text)
    stemmed = [stem(w) for w in raw]
    lowered = " ".join(raw)
    person = any(w in PERSON_WORDS for w in stemmed)
    before = [p for p in SELL_BEFORE if f" {p} " in f" {lowered} "]
    if before:
        pivot = min(lowered.find(p) for p in before)
        pivot_word = len(lowered[:pivot].split())
        sell: dict[str, Found | None] = {f.topic.key: f for f in found if f.start >= pivot_word}
        seek = {f.topic.key: f for f in found if f.topic.key not in sell}
        return _NeedReading(seek, sell, "job", person)
    work = {f.topic.key: f for f in found if f.topic.work}
    if work and not person:  # "I'd like to volunteer": looking for a place that needs volunteers
        return _NeedReading({f.topic.key: f for f in found if f.topic.key not in work}, dict(work), "job", person)
    sell_at = next((k for k, w in enumerate(stemmed[:SELL_EARLY]) if (w in CLIENT_WORDS or w in JOB_WORDS)
                    and stemmed[k + 1: k + 2] not in [[x] for x in NOT_SELLING_AFTER]
                    and not (k and stemmed[k - 1] in NOT_SELLING_BEFORE)
                    and not (stemmed[k + 1: k + 2] and stemmed[k + 1] in NOT_SELLING_VERBS)), None)
    kind = ""
    if sell_at is not None:
        employment = stemmed[sell_at] in JOB_WORDS and any(w in EMPLOYMENT_WORDS for w in stemmed)
        kind = "job" if employment else "client"
        if stemmed[sell_at + 1: sell_at + 2] in (["from"], ["by"]):  # "referrals from trainers": a seek
            return _NeedReading({f.topic.key: f for f in found}, {}, person=person, consumer=False)
    elif stemmed[:1] == ["more"]:
        sell_at, kind = 0, "client"
    if sell_at is None:
        return _NeedReading({f.topic.key: f for f in found}, {}, person=person, context=_context(found, raw))
    named: dict[str, Found | None] = {f.topic.key: f for f in found if f.end <= sell_at + 1}
    if stemmed[sell_at + 1: sell_at + 3] in (["for", "my"], ["for", "our"]):  # "clients for my bakery"
        named.update({f.topic.key: f for f in found if f.start > sell_at})
    seek = {f.topic.key: f for f in found if f.topic.key not in named}
    return _NeedReading(seek, named, kind, person, from_own=not named)

def _prepare(attendees: Sequence[Attendee], needs: NeedRows, offers: OfferRows, lexicon: Lexicon, scored: np.ndarray,
             options: Options, links: tuple[Link, ...], texts: list[str]) -> tuple[_Model, list[str]]:
    """The model's tables (see ``_Model``) for these attendees, and the topic keys."""
    n, n_needs = len(attendees), len(needs)
    topic_keys = list(lexicon.topics)
    topic_index = {k: t for t, k in enumerate(topic_keys)}
    broad = np.array([lexicon.topics[k].broad for k in topic_keys], dtype=bool)
    # what each attendee can provide: rows (attendee, topic, confidence, via, offer, source need)
    prov_rows: list[tuple[int, int, float, int, int, int]] = []

    def provide(k: int, topic: str, via: str, offer: int = -1, source: int = -1) -> None:
        prov_rows.append((k, topic_index[topic], CONFIDENCE[via], LINK_KINDS.index(via), offer, source))

    own: list[set[str]] = []  # what each attendee sells: their headline's and offers' specific topics
    for k, a in enumerate(attendees):
        topics = {f.topic.key for f in lexicon.expertise(f"{a.headline} . {a.industry}")}
        for t in sorted(topics, key=topic_index.__getitem__):
            provide(k, t, "headline")
        own.append({t for t in topics if not lexicon.topics[t].broad})
    for o, (k, an_offer) in enumerate(offers):
        for f in lexicon.find(an_offer.text + " . " + " . ".join(an_offer.tags)):
            provide(k, f.topic.key, "offer", offer=o)
            if not f.topic.broad:
                own[k].add(f.topic.key)
    readings: list[_NeedReading] = []
    consumer_rows: list[tuple[int, int, int, bool, bool]] = []  # (attendee, topic, their need, person, not their trade)
    for m, (k, a_need) in enumerate(needs):
        reading = _read_need(a_need.text + " . " + " . ".join(a_need.tags), lexicon)
        if reading.from_own:
            reading = dataclasses.replace(reading, sell={t: None for t in own[k]}, seek={
                t: f for t, f in reading.seek.items() if t not in own[k]})
        readings.append(reading)
        if reading.consumer:
            for t in reading.seek:
                consumer_rows.append((k, topic_index[t], m, reading.person, t not in own[k]))
        for t, sold in reading.sell.items():
            if sold is not None:  # work they want: they can provide it
                provide(k, t, "need", source=m)
    need_owner = np.fromiter((k for k, _ in needs), dtype=np.int64, count=n_needs)
    seek_rows, sell_rows = [], []
    for m, reading in enumerate(readings):
        if not scored[m]:
            continue
        for t in reading.seek:
            tid = topic_index[t]
            seek_rows.append((m, tid, (CONTEXT_FACTOR if t in reading.context else 1.0)
                              * (BROAD_FACTOR if broad[tid] else 1.0)))
        for t in reading.sell:
            tid = topic_index[t]
            sell_rows.append((m, tid, reading.sell_kind == "job", BROAD_FACTOR if broad[tid] else 1.0))
    # providers: each attendee's best way per topic (the first of the most confident)
    prov = np.array([r[1:] for r in prov_rows], dtype=float).reshape(-1, 5)
    p_att = np.array([r[0] for r in prov_rows], dtype=np.int64)
    p_topic = prov[:, 0].astype(np.int64)
    order = np.lexsort((np.arange(len(p_att)), -prov[:, 1], p_topic, p_att))
    if len(order):
        order = order[np.r_[True, (p_att[order][1:] != p_att[order][:-1]) | (p_topic[order][1:] != p_topic[order][:-1])]]
    p_att, p_topic, p_conf, p_code = p_att[order], p_topic[order], prov[order, 1].astype(np.float32), order.astype(np.int64)
    s = np.array(seek_rows, dtype=float).reshape(-1, 3)
    cons = np.array(consumer_rows, dtype=np.int64).reshape(-1, 5)
    cons_order = np.argsort(cons[:, 0], kind="stable")
    sell = np.array(sell_rows, dtype=float).reshape(-1, 4)
    # hires and job seekers whose words meet though no topic of the lexicon does
    x_parts: list[Rows] = []
    extra_prov, extra_clients = _work_by_words(attendees, needs, readings, need_owner, len(prov_rows),
                                               len(cons), topic_keys, x_parts, scored)
    prov_table = prov[:, 2:].astype(np.int64)
    if extra_prov:
        prov_table = np.vstack([prov_table, np.array(extra_prov, dtype=float).reshape(-1, 5)[:, 2:].astype(np.int64)])
    clients = np.vstack([cons[cons_order][:, [0, 2]],
                         np.array(extra_clients, dtype=np.int64).reshape(-1, 2)]) if len(cons) or extra_clients \
        else np.zeros((0, 2), dtype=np.int64)
    x: tuple[np.ndarray, ...] = tuple(np.zeros(0, dtype=d) for d in (np.int64, np.int64, np.float32, np.int64, np.int64))
    if x_parts and len(x_parts[0][0]):
        xh, xn, xc, xcode, xt = x_parts[0]
        xo = np.lexsort((xn, xh))  # stable: the order found within a (helper, need)
        x = (xh[xo].astype(np.int64), xn[xo].astype(np.int64), xc[xo].astype(np.float32), xcode[xo].astype(np.int64),
             xt[xo].astype(np.int64))
    c_sorted = cons[cons_order]
    sell_topic = sell[:, 1].astype(np.int64)
    expected = 0
    if len(p_topic) and len(s):
        expected += int(np.bincount(p_topic, minlength=len(topic_keys)) @ np.bincount(s[:, 1].astype(np.int64), minlength=len(topic_keys)))
    if len(cons) and len(sell):
        expected += int(np.bincount(cons[:, 1], minlength=len(topic_keys)) @ np.bincount(sell_topic, minlength=len(topic_keys)))
    model = _Model(
        n=n, n_needs=n_needs, need_owner=need_owner, need_start=_csr_start(need_owner, n),
        priority=np.fromiter((nd.priority for _, nd in needs), dtype=float, count=n_needs),
        boost=np.fromiter((a.boost for a in attendees), dtype=float, count=n),
        p_att=p_att, p_topic=p_topic, p_conf=p_conf, p_code=p_code, p_start=_csr_start(p_att, n),
        s_need=s[:, 0].astype(np.int64), s_topic=s[:, 1].astype(np.int64), s_factor=s[:, 2].astype(np.float32),
        s_start=_csr_start(s[:, 0].astype(np.int64), n_needs),
        c_att=c_sorted[:, 0], c_topic=c_sorted[:, 1], c_code=-1 - np.arange(len(cons), dtype=np.int64),
        c_job=c_sorted[:, 3].astype(bool), c_client=c_sorted[:, 4].astype(bool), c_start=_csr_start(c_sorted[:, 0], n),
        l_need=sell[:, 0].astype(np.int64), l_topic=sell_topic, l_job=sell[:, 2].astype(bool),
        l_conf=np.float32(CONFIDENCE["need"]) * sell[:, 3].astype(np.float32),
        l_start=_csr_start(sell[:, 0].astype(np.int64), n_needs),
        x=x, prov=prov_table, clients=clients, text=None, word=_no_rows(),
        wrong_needs=np.zeros(0, dtype=np.int64), wrong_pairs=np.zeros(0, dtype=np.int64), expected=expected)
    # shared words only for the needs no topic reaches (all of them: before people's word)
    reached = model.reached()
    understood = ~scored | reached
    text = None
    if offers and not understood.all():
        # merged into the topic links' float32 column when there are some, as always counted
        text = dataclasses.replace(_TextModel.build(n, needs, offers, options, ~understood),
                                   single=bool(reached.any()) and not links)
    wrong_needs, wrong_pairs, word = _people_word(attendees, needs, links, texts)
    return dataclasses.replace(model, text=text, word=word, wrong_needs=wrong_needs, wrong_pairs=wrong_pairs), topic_keys


WORK_MIN_SIMILARITY = 0.2   # hires and job seekers: shared words (TF-IDF cosine) that count
WORK_TOPIC = "__work__"


def _work_by_words(attendees: Sequence[Attendee], needs: NeedRows, readings: list[_NeedReading], need_owner: np.ndarray,
                   prov_start: int, client_start: int, topic_keys: list[str], parts: list[Rows],
                   scored: np.ndarray) -> tuple[list[list[float]], list[tuple[int, int]]]:
    """Links between needs that ask for a person (a hire, a volunteer) and needs for a job, where
    their words meet (with the owners' headlines: "need prep cooks" and a cook who wants a
    restaurant job) though no topic of the lexicon joins them. Appends rows to ``parts``;
    returns the provider rows and client rows the new codes point to."""
    hires = [n for n, r in enumerate(readings) if r.person and not r.sell]
    jobs = [n for n, r in enumerate(readings) if r.sell_kind == "job"]
    if not hires or not jobs:
        return [], []
    def text(n: int) -> str:
        owner = attendees[needs[n][0]]
        return f"{needs[n][1].text} {owner.headline}"
    vectors = _word_vectors([text(n) for n in hires] + [text(n) for n in jobs])
    sim = (vectors[: len(hires)] @ vectors[len(hires):].T).toarray()
    hire_at, job_at = np.nonzero(sim >= WORK_MIN_SIMILARITY)
    if WORK_TOPIC not in topic_keys:
        topic_keys.append(WORK_TOPIC)
    tid = topic_keys.index(WORK_TOPIC)
    hire_need, job_need = np.asarray(hires)[hire_at], np.asarray(jobs)[job_at]
    employer, seeker = need_owner[hire_need], need_owner[job_need]
    keep = employer != seeker
    hire_need, job_need, employer, seeker = hire_need[keep], job_need[keep], employer[keep], seeker[keep]
    conf = np.minimum(CONFIDENCE["need"], 0.45 + sim[hire_at[keep], job_at[keep]]).astype(np.float32)
    m = len(conf)
    if not m:
        return [], []
    # the employer helps the job seeker (as a client of their work), and the job seeker answers the hire
    client_codes = -1 - (client_start + np.arange(m))
    prov_codes = prov_start + np.arange(m)
    helper, need = np.r_[employer, seeker].astype(np.int32), np.r_[job_need, hire_need].astype(np.int32)
    wanted = scored[need]
    parts.append((helper[wanted], need[wanted], np.r_[conf, conf][wanted],
                  np.r_[client_codes, prov_codes].astype(np.int64)[wanted], np.full(int(wanted.sum()), tid, dtype=np.int32)))
    prov_rows = np.column_stack([seeker, conf, np.full(m, LINK_KINDS.index("need")), np.full(m, -1), job_need]).tolist()
    client_rows = list(zip(employer.tolist(), hire_need.tolist()))
    return prov_rows, client_rows


def _word_vectors(texts: list[str]) -> sparse.csr_matrix:
    """L2-normalised TF-IDF rows over stemmed words (function words dropped)."""
    vocab: dict[str, int] = {}
    rows, cols = [], []
    for r, t in enumerate(texts):
        for w in {stem(w) for w in content_words(t) if len(w) > 2}:
            rows.append(r)
            cols.append(vocab.setdefault(w, len(vocab)))
    X = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(texts), max(1, len(vocab))))
    df = np.bincount(X.indices, minlength=X.shape[1])
    X = X @ sparse.diags(np.log((1.0 + len(texts)) / (1.0 + df)) + 1.0)
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.csr_matrix(sparse.diags(1.0 / norms) @ X)

def score(attendees: Iterable[Attendee], options: Options | None = None, terms: tuple[Term, ...] = (),
          links: tuple[Link, ...] = (), helped: frozenset[int] | None = None) -> HelpScores:
    """Help scores for ``attendees`` (their order is the matrix order).

    ``terms`` are the group's own terms; ``links`` members' wishes and organizers'
    corrections (see ``Link``); ``helped``: attendee ids whose needs alone are scored (who
    may help *them*; everyone else's needs still count as the other side of theirs).

    The links are listed a block of helpers at a time (``_Model.rows``): each block adds its
    rows of the matrix (and of ``sure_matrix`` at ``SURE_LEVELS``), so memory stays bounded
    however many links there are."""
    options = options or Options()
    people = tuple(attendees)
    n = len(people)
    needs = tuple((k, need) for k, a in enumerate(people) for need in a.needs)
    offers = tuple((k, offer) for k, a in enumerate(people) for offer in a.offers)
    lexicon = default_lexicon().with_terms(tuple(terms))
    scored = np.ones(len(needs), dtype=bool) if helped is None else np.fromiter(
        (people[k].id in helped for k, _ in needs), dtype=bool, count=len(needs))
    texts: list[str] = []
    model, topic_keys = _prepare(people, needs, offers, lexicon, scored, options, links if needs else (), texts)
    matrix = np.zeros((n, n))
    sure = {level: np.zeros((n, n)) for level in SURE_LEVELS}
    covered = np.zeros(len(needs), dtype=bool)
    text_links = len(model.text.picked) * n if model.text is not None else 0
    if model.expected + text_links > KEEP_LINKS:  # many links: counted on dense blocks, listed when asked
        _dense_scores(model, matrix, sure, covered)
        return HelpScores(people, matrix, needs, offers, covered, _labels(lexicon, topic_keys), tuple(texts), model,
                          None, sure)
    kept: list[Rows] = []
    for a, b in model.blocks():
        rows = model.rows(a, b)
        helper, need, conf = rows[0], rows[1], rows[2]
        contribution = model.contribution(rows)
        # rows sorted by (helper, need), needs numbered owner by owner: sorted by cell too
        cell = (helper - a) * n + model.need_owner[need]
        matrix[a:b] = np.bincount(cell, weights=contribution, minlength=(b - a) * n).reshape(b - a, n)
        for level, out in sure.items():
            at = conf >= level - 1e-6
            out[a:b] = np.bincount(cell[at], weights=contribution[at], minlength=(b - a) * n).reshape(b - a, n)
        covered[need] = True
        kept.append(rows)
    all_rows = tuple(np.concatenate([r[c] for r in kept]) for c in range(7)) if kept else _no_rows()
    return HelpScores(people, matrix, needs, offers, covered, _labels(lexicon, topic_keys), tuple(texts), model,
                      all_rows, sure)


DENSE_CELLS = 2_000_000  # (helper, need) cells counted at once on a large group (about 25 bytes each)


def _dense_scores(model: _Model, matrix: np.ndarray, sure: dict[float, np.ndarray], covered: np.ndarray) -> None:
    """Fills ``matrix``, ``sure`` and ``covered`` a block of helpers at a time from ``_Model.dense``.
    Each cell of the matrix adds its helped's needs in order, as the rows' bincount does."""
    n, n_needs = model.n, model.n_needs
    per_owner = np.diff(model.need_start)
    boost = model.boost[model.need_owner][None, :]
    size = max(1, DENSE_CELLS // max(1, n_needs))
    slots = [(np.flatnonzero(per_owner > k), k) for k in range(int(per_owner.max(initial=0)))]
    for a in range(0, n, size):
        b = min(n, a + size)
        conf, has, wish = model.dense(a, b)
        contribution = conf * model.priority[None, :]  # priority * confidence * boost (* a wish's weight)
        contribution *= boost
        if wish.any():
            contribution *= np.where(wish, WISH_WEIGHT, 1.0)
        outs = [(matrix, contribution)] + [(out, np.where(conf >= level - 1e-6, contribution, 0.0))
                                           for level, out in sure.items()]
        for out, values in outs:
            rows = out[a:b]  # zeros: each helped's needs added in order, first to last
            for owners, k in slots:
                added = np.take(values, model.need_start[owners] + k, axis=1)  # (helpers, owners)
                if len(owners) == n:
                    rows += added
                else:
                    rows[:, owners] += added
        covered |= has.any(axis=0)


SURE_LEVELS = (0.6,)  # the confidence at which pairing.FAIRNESS_CONFIDENCE counts someone helped


def _labels(lexicon: Lexicon, keys: list[str]) -> tuple[str, ...]:
    return tuple(lexicon.topics[k].label if k in lexicon.topics else "work" for k in keys)


def _no_rows() -> Rows:
    i = np.zeros(0, dtype=np.int64)
    return (i, i, np.zeros(0), i, i, i, i)


PREFETCH_BLOCK = 64         # pairs whose links are listed together (their helpers x their partners' needs: small blocks list few links that no pair asked for)
ROWS_PER_BLOCK = 1_000_000  # links listed at once while scoring (memory: about 100 bytes each)
KEEP_LINKS = 300_000        # a group with at most about this many links keeps them all


def _csr_start(owner: np.ndarray, count: int) -> np.ndarray:
    """First index of each owner's entries (entries sorted by owner), and the end."""
    return np.searchsorted(owner, np.arange(count + 1)).astype(np.int64)


def _join(left_topic: np.ndarray, right_topic: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs (l, r) of entries with the same topic: r ascending, then l in its order."""
    order = np.argsort(left_topic, kind="stable")
    lt = left_topic[order]
    lo = np.searchsorted(lt, right_topic, "left")
    count = np.searchsorted(lt, right_topic, "right") - lo
    total = int(count.sum())
    r = np.repeat(np.arange(len(right_topic), dtype=np.int64), count)
    offset = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(count) - count, count)
    return order[np.repeat(lo, count) + offset], r


@dataclass(frozen=True, eq=False)
class _Model:
    """The help model's tables, from which the links of any range of helpers to any range of
    needs are listed (``rows``), the same links whatever the range.

    Topic links join, on the topic, what helpers provide (``p_*``: each attendee's best way
    to provide each topic: headline, offer or their own need, by attendee) with what needs
    ask for (``s_*``, by need), and, for two-sided needs, who would be a client (``c_*``:
    an attendee's need seeking the topic, by attendee) with what needs sell (``l_*``, by
    need).  ``x``: links found by words between hires and job seekers; ``text``: shared-words
    links for needs no topic reached; ``word``: wishes and organizers' links; ``wrong_*``:
    (helper, need) and (helper, helped) keys marked wrong."""

    n: int
    n_needs: int
    need_owner: np.ndarray
    need_start: np.ndarray
    priority: np.ndarray
    boost: np.ndarray
    p_att: np.ndarray
    p_topic: np.ndarray
    p_conf: np.ndarray
    p_code: np.ndarray
    p_start: np.ndarray
    s_need: np.ndarray
    s_topic: np.ndarray
    s_factor: np.ndarray
    s_start: np.ndarray
    c_att: np.ndarray
    c_topic: np.ndarray
    c_code: np.ndarray
    c_job: np.ndarray    # the consumer's need asks for a person: a job seeker can answer it
    c_client: np.ndarray  # the consumer does not sell this topic: a client of those who do
    c_start: np.ndarray
    l_need: np.ndarray
    l_topic: np.ndarray
    l_job: np.ndarray
    l_conf: np.ndarray
    l_start: np.ndarray
    x: tuple[np.ndarray, ...]  # (helper, need, confidence, code, topic), by (helper, need)
    prov: np.ndarray      # (rows, 3): via, offer, source of each way to provide
    clients: np.ndarray   # (rows, 2): attendee and need behind each two-sided code -1 - k
    text: _TextModel | None
    word: Rows
    wrong_needs: np.ndarray  # sorted keys helper * n_needs + need
    wrong_pairs: np.ndarray  # sorted keys helper * n + helped
    expected: int            # how many topic rows there are in all (for the block size)

    def blocks(self) -> Iterator[tuple[int, int]]:
        """Ranges of helpers whose links are listed together while scoring."""
        per_helper = max(1.0, self.expected / max(1, self.n))
        size = max(1, int(ROWS_PER_BLOCK / per_helper))
        for a in range(0, self.n, size):
            yield a, min(self.n, a + size)

    def contribution(self, rows: Rows) -> np.ndarray:
        need, conf, via = rows[1], rows[2], rows[3]
        out: np.ndarray = (self.priority[need] * conf * self.boost[self.need_owner[need]]
                           * np.where(via == LINK_KINDS.index("wish"), WISH_WEIGHT, 1.0))
        return out

    def rows(self, a: int, b: int, needs: np.ndarray | None = None) -> Rows:
        """The links of helpers a..b-1 (to ``needs`` only, a sorted array, when given), one per
        (helper, need), sorted by helper then need: (helper, need, confidence, via, offer,
        source, topic)."""
        topic = self._topic_rows(a, b, needs)
        text = self.text.rows(a, b, needs) if self.text is not None else _no_rows()
        word = _slice(self.word, a, b, needs)
        if len(self.wrong_needs) or len(self.wrong_pairs):
            topic, text = self._drop_wrong(topic), self._drop_wrong(text)
        if not len(text[0]) and not len(word[0]):
            return topic
        if not len(word[0]):  # text links are for needs no topic reached: insert them in order
            at = np.searchsorted(topic[0] * self.n_needs + topic[1], text[0] * self.n_needs + text[1])
            at += np.arange(len(at))
            mine = np.ones(len(topic[0]) + len(at), dtype=bool)
            mine[at] = False
            out = []
            for x, y in zip(topic, text):
                column = np.empty(len(mine), dtype=np.result_type(x, y))
                column[mine] = x
                column[at] = y
                out.append(column)
            return tuple(out)
        merged = tuple(np.concatenate([p[c] for p in (topic, text, word)]) for c in range(7))
        key = merged[0] * self.n_needs + merged[1]
        order = np.lexsort((-merged[2], key))  # one link per (helper, need): the most confident
        keep = order[np.r_[True, key[order][1:] != key[order][:-1]]]
        return tuple(x[keep] for x in merged)

    def by_topic(self) -> dict[str, Any]:
        """Seekers' and sellers' entries grouped by topic (computed once)."""
        cached = self.__dict__.get("_by_topic")
        if cached is None:
            width = int(max(self.p_topic.max(initial=0), self.c_topic.max(initial=0), self.s_topic.max(initial=0),
                            self.l_topic.max(initial=0))) + 1
            s_order = np.argsort(self.s_topic, kind="stable")
            l_order = np.argsort(self.l_topic, kind="stable")
            cached = {"width": width, "s_order": s_order,
                      "s_start": np.searchsorted(self.s_topic[s_order], np.arange(width + 1)),
                      "l_order": l_order, "l_start": np.searchsorted(self.l_topic[l_order], np.arange(width + 1))}
            object.__setattr__(self, "_by_topic", cached)
        return cached

    def dense(self, a: int, b: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For helpers a..b-1 and every need: each link's confidence (0: none), whether there
        is one, and whether it is a wish; the same links as ``rows(a, b)`` lists, computed on
        dense arrays topic by topic (what scoring a large group costs)."""
        size, width = b - a, self.n_needs
        best = np.zeros((size, width), dtype=np.float32)
        count = np.zeros((size, width), dtype=np.int32)
        groups = self.by_topic()
        # helpers' ways to provide a topic x needs that ask for it (one per helper and topic)
        p0, p1 = int(self.p_start[a]), int(self.p_start[b])
        order = p0 + np.argsort(self.p_topic[p0:p1], kind="stable")
        topics, starts = np.unique(self.p_topic[order], return_index=True)
        ends = np.r_[starts[1:], len(order)]
        for t, lo, hi in zip(topics.tolist(), starts.tolist(), ends.tolist()):
            seek = groups["s_order"][groups["s_start"][t]:groups["s_start"][t + 1]]
            if not len(seek):
                continue
            entries = order[lo:hi]
            cells = np.ix_(self.p_att[entries] - a, self.s_need[seek])
            best[cells] = np.maximum(best[cells], self.p_conf[entries][:, None] * self.s_factor[seek][None, :])
            count[cells] += 1
        # helpers who would be clients x needs that sell the topic (a row per consumer's need)
        c0, c1 = int(self.c_start[a]), int(self.c_start[b])
        if c1 > c0 and len(self.l_need):
            order = c0 + np.argsort(self.c_topic[c0:c1], kind="stable")
            topics, starts = np.unique(self.c_topic[order], return_index=True)
            ends = np.r_[starts[1:], len(order)]
            for t, lo, hi in zip(topics.tolist(), starts.tolist(), ends.tolist()):
                sell = groups["l_order"][groups["l_start"][t]:groups["l_start"][t + 1]]
                if not len(sell):
                    continue
                entries = order[lo:hi]
                for job in (True, False):
                    needs = sell[self.l_job[sell] == job]
                    ok = entries[self.c_job[entries] if job else self.c_client[entries]]
                    if not len(needs) or not len(ok):
                        continue
                    helpers, times = np.unique(self.c_att[ok] - a, return_counts=True)
                    cells = np.ix_(helpers, self.l_need[needs])
                    best[cells] = np.maximum(best[cells], self.l_conf[needs][None, :])
                    count[cells] += times[:, None].astype(np.int32)
        # not one's own needs
        own = _entries(self.need_start, np.arange(a, b))
        own_rows = np.repeat(np.arange(size), np.diff(self.need_start[a:b + 1]))
        best[own_rows, own] = 0
        count[own_rows, own] = 0
        # links found by words (continuous confidences): as rows(), the most confident first
        # (a topic link first among equal thousandths), each one counting as support
        x = _slice(self.x, a, b, None)
        if len(x[0]):
            h, nd = x[0] - a, x[1]
            q = (x[2] * np.float32(1000)).astype(np.int64)
            key = h * width + nd
            order = np.lexsort((-q, key))
            first = order[np.r_[True, key[order][1:] != key[order][:-1]]]
            topic_q = np.where(count[h[first], nd[first]] > 0,
                               (best[h[first], nd[first]] * np.float32(1000)).astype(np.int64), -1)
            better = q[first] > topic_q
            best[h[first][better], nd[first][better]] = x[2][first][better]
            np.add.at(count, (h, nd), 1)
        has = count > 0
        conf32 = np.minimum(np.float32(1.0), best + np.float32(EXTRA_TOPIC) * (count - 1).astype(np.float32))
        conf = np.where(has, conf32, np.float32(0)).astype(float)
        if len(self.wrong_needs) or len(self.wrong_pairs):
            keys = (np.arange(a, b)[:, None] * self.n_needs + np.arange(width)[None, :])
            wrong = np.isin(keys, self.wrong_needs)
            wrong |= np.isin(np.arange(a, b)[:, None] * self.n + self.need_owner[None, :], self.wrong_pairs)
            has &= ~wrong
            conf[wrong] = 0.0
        text = self.text.rows(a, b) if self.text is not None else _no_rows()
        if len(text[0]) and (len(self.wrong_needs) or len(self.wrong_pairs)):
            text = self._drop_wrong(text)
        conf[text[0] - a, text[1]] = text[2]
        has[text[0] - a, text[1]] = True
        wish = np.zeros((size, width), dtype=bool)
        word = _slice(self.word, a, b, None)
        if len(word[0]):
            h, nd = word[0] - a, word[1]
            key = h * width + nd
            first = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])  # sorted, stable: the first of each
            h, nd, kind = h[first], nd[first], word[3][first]
            wins = ~(has[h, nd] & (conf[h, nd] >= 1.0))  # equally confident: the model's link stays
            conf[h[wins], nd[wins]] = 1.0
            has[h[wins], nd[wins]] = True
            wish[h[wins], nd[wins]] = kind[wins] == LINK_KINDS.index("wish")
        return conf, has, wish

    def _drop_wrong(self, rows: Rows) -> Rows:
        helper, need = rows[0], rows[1]
        drop = np.isin(helper * self.n_needs + need, self.wrong_needs)
        drop |= np.isin(helper * self.n + self.need_owner[need], self.wrong_pairs)
        return tuple(x[~drop] for x in rows) if drop.any() else rows

    def _topic_rows(self, a: int, b: int, subset: np.ndarray | None) -> Rows:
        # Rows come helper by helper (a run of ascending needs per topic), so the stable sort
        # below merges a few runs.  ``rank``: the order among rows of one (helper, need) equally
        # confident: the need's own topics first, in the order it names them, then what it
        # sells, then links found by words.
        helpers: list[np.ndarray] = []
        needs: list[np.ndarray] = []
        confs: list[np.ndarray] = []
        codes: list[np.ndarray] = []
        topics: list[np.ndarray] = []
        ranks: list[np.ndarray] = []
        # helpers' ways to provide a topic x needs that ask for it
        p = slice(int(self.p_start[a]), int(self.p_start[b]))
        s = _entries(self.s_start, subset)
        right, left = _join(self.s_topic[s], self.p_topic[p])
        left += p.start
        right = s[right]
        helper, need = self.p_att[left], self.s_need[right]
        ok = helper != self.need_owner[need]
        left, right = left[ok], right[ok]
        helpers.append(helper[ok])
        needs.append(need[ok])
        confs.append(self.p_conf[left] * self.s_factor[right])
        codes.append(self.p_code[left])
        topics.append(self.s_topic[right])
        ranks.append(np.minimum(right - self.s_start[self.s_need[right]], 31))
        # helpers who would be clients x needs that sell the topic
        c = slice(int(self.c_start[a]), int(self.c_start[b]))
        sl = _entries(self.l_start, subset)
        if c.stop > c.start and len(sl):
            right, left = _join(self.l_topic[sl], self.c_topic[c])
            left += c.start
            right = sl[right]
            helper, need = self.c_att[left], self.l_need[right]
            ok = (helper != self.need_owner[need]) & np.where(self.l_job[right], self.c_job[left], self.c_client[left])
            left, right = left[ok], right[ok]
            helpers.append(helper[ok])
            needs.append(need[ok])
            confs.append(self.l_conf[right])
            codes.append(self.c_code[left])
            topics.append(self.l_topic[right])
            ranks.append(32 + np.minimum(right - self.l_start[self.l_need[right]], 30))
        x = _slice(self.x, a, b, subset)
        helpers.append(x[0])
        needs.append(x[1])
        confs.append(x[2])
        codes.append(x[3])
        topics.append(x[4])
        ranks.append(np.full(len(x[0]), 63, dtype=np.int64))
        helper, need = np.concatenate(helpers), np.concatenate(needs)
        if not len(helper):
            return _no_rows()
        conf = np.concatenate(confs).astype(np.float32)
        code, topic = np.concatenate(codes), np.concatenate(topics)
        # best row per (helper, need); each topic gives one row per (helper, need) and way, so
        # the rows of a key count what supports it.  One stable sort on (helper, need,
        # -confidence, rank).
        key = helper * self.n_needs + need
        full = key * 1024 + (1023 - (conf * np.float32(1000)).astype(np.int64))
        full *= 64
        full += np.concatenate(ranks)
        order = np.argsort(full, kind="stable")
        sorted_key = key[order]
        first = np.flatnonzero(np.r_[True, sorted_key[1:] != sorted_key[:-1]])
        picked = order[first]
        support = np.diff(np.r_[first, len(sorted_key)]).astype(np.float32)
        confidence = np.minimum(np.float32(1.0), conf[picked] + np.float32(EXTRA_TOPIC) * (support - 1))
        code = code[picked]
        is_prov = code >= 0
        found = self.prov[np.where(is_prov, code, 0)] if len(self.prov) else np.zeros((len(code), 3), dtype=np.int64)
        via, offer, source = found[:, 0].copy(), found[:, 1].copy(), found[:, 2].copy()
        client = ~is_prov
        if client.any():
            via[client] = LINK_KINDS.index("need_client")
            offer[client] = -1
            source[client] = self.clients[-1 - code[client], 1]
        return (helper[picked], need[picked], confidence.astype(float), via, offer, source, topic[picked])

    def reached(self) -> np.ndarray:
        """Per need: some attendee (not its owner) has a topic link to it."""
        out = np.zeros(self.n_needs, dtype=bool)
        width = int(max(self.p_topic.max(initial=0), self.c_topic.max(initial=0), self.s_topic.max(initial=0),
                        self.l_topic.max(initial=0))) + 1
        if len(self.s_need) and len(self.p_att):
            per_topic = np.bincount(self.p_topic, minlength=width)
            owners_too = np.isin(self.need_owner[self.s_need] * width + self.s_topic, self.p_att * width + self.p_topic)
            out[self.s_need[per_topic[self.s_topic] - owners_too > 0]] = True
        if len(self.l_need) and len(self.c_att):
            for flag, l_mask in ((self.c_job, self.l_job), (self.c_client, ~self.l_job)):
                keys = self.c_att[flag] * width + self.c_topic[flag]
                per_topic = np.bincount(self.c_topic[flag], minlength=width)
                unique, counts = np.unique(keys, return_counts=True)
                need, topic = self.l_need[l_mask], self.l_topic[l_mask]
                own_keys = self.need_owner[need] * width + topic
                if len(unique):
                    at = np.minimum(np.searchsorted(unique, own_keys), len(unique) - 1)
                    owners = np.where(unique[at] == own_keys, counts[at], 0)
                else:
                    owners = np.zeros(len(need), dtype=np.int64)
                out[need[per_topic[topic] - owners > 0]] = True
        out[self.x[1]] = True
        return out


def _slice(rows: tuple[np.ndarray, ...], a: int, b: int, needs: np.ndarray | None) -> tuple[np.ndarray, ...]:
    """Rows sorted by (helper, need) with helper in a..b-1 (and need in ``needs`` when given)."""
    if not len(rows[0]):
        return rows
    start, stop = np.searchsorted(rows[0], [a, b])
    part = tuple(x[start:stop] for x in rows)
    if needs is None:
        return part
    keep = np.isin(part[1], needs)
    return tuple(x[keep] for x in part)


def _entries(start: np.ndarray, owners: np.ndarray | None) -> np.ndarray:
    """The entries (numbered owner by owner, ``start`` as from _csr_start) of ``owners`` (all: None)."""
    if owners is None:
        return np.arange(int(start[-1]), dtype=np.int64)
    first, count = start[owners], start[owners + 1] - start[owners]
    total = int(count.sum())
    return np.repeat(first - (np.cumsum(count) - count), count) + np.arange(total, dtype=np.int64)


def _text_links(attendees: Sequence[Attendee], needs: NeedRows, offers: OfferRows, options: Options,
                only: np.ndarray) -> Rows:
    """Shared-words links (character n-gram TF-IDF) for the needs in ``only`` (a mask), sorted by
    (helper, need)."""
    return _TextModel.build(len(attendees), needs, offers, options, only).rows(0, len(attendees))


@dataclass(frozen=True, eq=False)
class _TextModel:
    """What lists the shared-words links of a range of helpers to a range of needs: the TF-IDF
    rows of every offer and of the needs no topic reached (``picked``), and their tags."""

    offer_vecs: Any
    need_vecs: Any
    offer_tags: Any
    need_tags: Any
    need_tag_counts: np.ndarray
    offer_owner: np.ndarray
    offer_start: np.ndarray  # first offer of each attendee, and the end
    picked: np.ndarray       # the needs, sorted
    picked_owner: np.ndarray
    tag_weight: float
    threshold: float
    single: bool = False     # confidences as float32 (counted in the topic links' column)

    @classmethod
    def build(cls, n: int, needs: NeedRows, offers: OfferRows, options: Options, only: np.ndarray) -> _TextModel:
        picked = np.flatnonzero(only)
        X = tfidf([o.text for _, o in offers] + [needs[k][1].text for k in picked.tolist()])
        tag_vocab: dict[str, int] = {}
        offer_tags = _tag_matrix([o.tags for _, o in offers], tag_vocab)
        need_tags = _tag_matrix([needs[k][1].tags for k in picked.tolist()], tag_vocab)
        width = max(1, len(tag_vocab))
        offer_tags.resize((offer_tags.shape[0], width))
        need_tags.resize((need_tags.shape[0], width))
        offer_owner = np.fromiter((k for k, _ in offers), dtype=np.int64, count=len(offers))
        return cls(X[: len(offers)], X[len(offers):], offer_tags, need_tags,
                   np.asarray(need_tags.sum(axis=1)).ravel(), offer_owner, _csr_start(offer_owner, n), picked,
                   np.fromiter((needs[k][0] for k in picked.tolist()), dtype=np.int64, count=len(picked)),
                   options.tag_weight, options.min_similarity)

    def rows(self, a: int, b: int, needs: np.ndarray | None = None) -> Rows:
        o0, o1 = int(self.offer_start[a]), int(self.offer_start[b])
        if needs is None:
            at: Any = slice(0, len(self.picked))
        else:
            found = np.minimum(np.searchsorted(self.picked, needs), max(0, len(self.picked) - 1))
            at = found[self.picked[found] == needs] if len(self.picked) else found[:0]
        picked = self.picked[at]
        if o1 <= o0 or not len(picked):
            return _no_rows()
        owner = self.offer_owner[o0:o1]
        starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
        parts = list(best_offers(self.offer_vecs[o0:o1], self.need_vecs[at], self.offer_tags[o0:o1],
                                 self.need_tags[at], self.need_tag_counts[at], starts, owner[starts],
                                 self.picked_owner[at], self.tag_weight, self.threshold))
        helper = np.concatenate([p[0] for p in parts])
        need = picked[np.concatenate([p[1] for p in parts])]
        offer = o0 + np.concatenate([p[2] for p in parts])
        sim = np.concatenate([p[3] for p in parts])
        m = len(helper)
        conf = np.minimum(1.0, sim) * TEXT_FACTOR
        if self.single:
            conf = conf.astype(np.float32).astype(float)
        order = np.lexsort((need, helper))
        return (helper[order], need[order], conf[order], np.full(m, LINK_KINDS.index("text"), dtype=np.int64),
                offer[order], np.full(m, -1, dtype=np.int64), np.full(m, -1, dtype=np.int64))


def _people_word(attendees: Sequence[Attendee], needs: NeedRows, links: tuple[Link, ...],
                 texts: list[str]) -> tuple[np.ndarray, np.ndarray, Rows]:
    """People's word on links: the (helper, need) and (helper, helped) keys marked wrong, and
    the wishes and organizers' links (at full confidence) as rows sorted by (helper, need)."""
    n, n_needs = len(attendees), len(needs)
    index = {a.id: k for k, a in enumerate(attendees)}
    need_ids: dict[tuple[int, int], int] = {}
    for m, (k, a_need) in enumerate(needs):
        if a_need.id is not None:
            need_ids[(k, a_need.id)] = m
    wrong_pairs, wrong_needs = set(), set()
    rows = []
    for link in links:
        if link.helper not in index or link.helped not in index:
            continue
        i, j = index[link.helper], index[link.helped]
        row = need_ids.get((j, link.need_id)) if link.need_id is not None else None
        if link.kind == "wrong":
            if link.need_id is None:
                wrong_pairs.add(i * n + j)
            elif row is not None:
                wrong_needs.add(i * n_needs + row)
            continue
        if row is None:
            if link.need_id is not None or not link.text:
                continue  # the need is gone (met, hidden): the link goes with it
            # an organizer's link in their own words is attached to the helped member's first need
            first = [m for m, (k, _) in enumerate(needs) if k == j]
            if not first:
                continue
            row = first[0]
        topic = -1
        if link.text:
            texts.append(link.text)
            topic = -1 - len(texts)
        rows.append((i, row, LINK_KINDS.index(link.kind), topic))
    word = _no_rows()
    if rows:
        r = np.array(rows, dtype=np.int64)
        order = np.lexsort((r[:, 1], r[:, 0]))  # stable: the links' order within a (helper, need)
        r = r[order]
        m = len(r)
        word = (r[:, 0], r[:, 1], np.ones(m), r[:, 2], np.full(m, -1, dtype=np.int64), np.full(m, -1, dtype=np.int64),
                r[:, 3])
    return (np.array(sorted(wrong_needs), dtype=np.int64), np.array(sorted(wrong_pairs), dtype=np.int64), word)
