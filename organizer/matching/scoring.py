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
        for t in {normalize_tag(t) for t in tags if normalize_tag(t)}:
            rows.append(r)
            cols.append(vocab.setdefault(t, len(vocab)))
    return sparse.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(len(tag_lists), max(1, len(vocab))))


@dataclass(frozen=True, eq=False)
class HelpScores:
    """``matrix[i, j]`` = help(attendees[i] -> attendees[j]); the links kept sparsely.

    One row per counted link (a helper's best link for a need), sorted by (helper, helped):
    ``match_offer`` is -1 when no offer is behind it, ``match_source`` the index (in
    ``needs``) of the helper's own need behind a two-sided link, else -1, ``match_topic``
    an index into ``topics`` or -1.
    """

    attendees: tuple[Attendee, ...]
    matrix: np.ndarray
    needs: tuple[tuple[int, Need], ...]  # (owner index, need)
    offers: tuple[tuple[int, Offer], ...]
    match_helper: np.ndarray
    match_helped: np.ndarray
    match_need: np.ndarray
    match_offer: np.ndarray
    match_similarity: np.ndarray  # the link's confidence
    match_score: np.ndarray
    match_via: np.ndarray | None = None  # index into LINK_KINDS
    match_topic: np.ndarray | None = None
    match_source: np.ndarray | None = None
    topics: tuple[str, ...] = ()
    texts: tuple[str, ...] = ()  # organizers' own words for links they added (match_topic -2 - k)

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
        n = len(self.attendees)
        sure = self.match_similarity >= confidence - 1e-6
        cells = self.match_helper[sure] * n + self.match_helped[sure]
        return np.bincount(cells, weights=self.match_score[sure], minlength=n * n).reshape(n, n)

    def reasons(self, helper_id: int, helped_id: int) -> list[Match]:
        """The links behind help(helper -> helped), best first."""
        i, j = self.index(helper_id), self.index(helped_id)
        n = len(self.attendees)
        keys = self.__dict__.get("_keys")
        if keys is None:
            keys = self.match_helper * n + self.match_helped
            object.__setattr__(self, "_keys", keys)
        lo, hi = np.searchsorted(keys, [i * n + j, i * n + j + 1])
        found = [self._match(k, helper_id, helped_id) for k in range(lo, hi)]
        return sorted(found, key=lambda m: -m.score)

    def _match(self, k: int, helper_id: int, helped_id: int) -> Match:
        kind = LINK_KINDS[int(self.match_via[k])] if self.match_via is not None else "offer"
        via = "need" if kind == "need_client" else kind
        side = {"need_client": "client", "need": "worker"}.get(kind, "")
        offer_index = int(self.match_offer[k])
        topic_index = int(self.match_topic[k]) if self.match_topic is not None else -1
        source_index = int(self.match_source[k]) if self.match_source is not None else -1
        if topic_index >= 0:
            topic = self.topics[topic_index]
        elif topic_index <= -2:
            topic = self.texts[-2 - topic_index]
        else:
            topic = ""
        helper = self.attendees[self.match_helper[k]]
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
            need=self.needs[self.match_need[k]][1],
            offer=self.offers[offer_index][1] if offer_index >= 0 else None,
            similarity=float(self.match_similarity[k]),
            score=float(self.match_score[k]),
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


def _topic_links(attendees: Sequence[Attendee], needs: NeedRows, offers: OfferRows, lexicon: Lexicon,
                 scored: np.ndarray) -> tuple[Rows | None, list[str]]:
    """(helper, need, confidence, via, offer, source, topic) arrays from the lexicon."""
    topic_keys = list(lexicon.topics)
    topic_index = {k: n for n, k in enumerate(topic_keys)}
    broad = np.array([lexicon.topics[k].broad for k in topic_keys], dtype=bool)
    # what each attendee can provide: rows (attendee, confidence, via, offer, source need) in one
    # table; per topic the rows that provide it
    prov_rows: list[tuple[int, float, int, int, int]] = []
    providers: dict[str, list[int]] = {}

    def provide(k: int, topic: str, via: str, offer: int = -1, source: int = -1) -> None:
        providers.setdefault(topic, []).append(len(prov_rows))
        prov_rows.append((k, CONFIDENCE[via], LINK_KINDS.index(via), offer, source))

    own: list[set[str]] = []  # what each attendee sells: their headline's and offers' specific topics
    for k, a in enumerate(attendees):
        topics = {f.topic.key for f in lexicon.expertise(f"{a.headline} . {a.industry}")}
        for t in topics:
            provide(k, t, "headline")
        own.append({t for t in topics if not lexicon.topics[t].broad})
    for o, (k, an_offer) in enumerate(offers):
        for f in lexicon.find(an_offer.text + " . " + " . ".join(an_offer.tags)):
            provide(k, f.topic.key, "offer", offer=o)
            if not f.topic.broad:
                own[k].add(f.topic.key)
    readings: list[_NeedReading] = []
    consumers: dict[str, list[tuple[int, int, bool]]] = {}  # topic -> (attendee, their need, asks for a person)
    for n, (k, a_need) in enumerate(needs):
        reading = _read_need(a_need.text + " . " + " . ".join(a_need.tags), lexicon)
        if reading.from_own:
            reading = dataclasses.replace(reading, sell={t: None for t in own[k]}, seek={
                t: f for t, f in reading.seek.items() if t not in own[k]})
        readings.append(reading)
        if reading.consumer:
            for t in reading.seek:
                consumers.setdefault(t, []).append((k, n, reading.person))
        for t, sold in reading.sell.items():
            if sold is not None:  # work they want: they can provide it
                provide(k, t, "need", source=n)
    need_owner = np.fromiter((k for k, _ in needs), dtype=np.int64, count=len(needs))
    prov = np.array(prov_rows, dtype=float).reshape(-1, 5)
    seekers: dict[str, list[tuple[int, float]]] = {}
    sellers: dict[str, list[tuple[int, bool]]] = {}
    for n, reading in enumerate(readings):
        if not scored[n]:
            continue
        for t in reading.seek:
            seekers.setdefault(t, []).append((n, CONTEXT_FACTOR if t in reading.context else 1.0))
        for t in reading.sell:
            sellers.setdefault(t, []).append((n, reading.sell_kind == "job"))
    # rows: (helper, need, confidence, code); code >= 0 is a provider row, code < 0 the two-sided
    # row -code - 1 of ``client_rows`` (consumer attendee, their need)
    client_rows: list[tuple[int, int]] = []
    parts = []
    for t in set(seekers) | set(sellers):
        tid = topic_index[t]
        factor = BROAD_FACTOR if broad[tid] else 1.0
        if t in seekers and t in providers:
            rows = np.array(providers[t], dtype=np.int64)
            rows = rows[np.lexsort((-prov[rows, 1], prov[rows, 0]))]
            rows = rows[np.r_[True, prov[rows[1:], 0] != prov[rows[:-1], 0]]]  # best way per attendee
            sought = np.array(seekers[t], dtype=float)
            parts.append(_outer(prov[rows, 0].astype(np.int64), prov[rows, 1], rows,
                                sought[:, 0].astype(np.int64), sought[:, 1] * factor, need_owner, tid))
        if t in sellers and t in consumers:
            cons = np.array(consumers[t], dtype=np.int64)  # (attendee, need, person)
            in_own = np.fromiter((t in own[k] for k in cons[:, 0]), dtype=bool, count=len(cons))
            # a job needs an employer's need for a person; clients who sell the same thing
            # themselves are peers, not clients
            ok_for = {True: cons[:, 2].astype(bool), False: ~in_own}
            code0 = len(client_rows)
            client_rows.extend(zip(cons[:, 0].tolist(), cons[:, 1].tolist()))
            codes = -1 - np.arange(code0, code0 + len(cons))
            for job in (True, False):
                sell_needs = np.array([n for n, j in sellers[t] if j == job], dtype=np.int64)
                ok = ok_for[job]
                if len(sell_needs) and ok.any():
                    c = cons[ok]
                    parts.append(_outer(c[:, 0], np.full(len(c), CONFIDENCE["need"]), codes[ok], sell_needs,
                                        np.full(len(sell_needs), factor), need_owner, tid))
    # hires and job seekers whose words meet though no topic of the lexicon does
    extra_prov, extra_clients = _work_by_words(attendees, needs, readings, need_owner, len(prov), len(client_rows),
                                               topic_keys, parts, scored)
    if extra_prov:
        prov = np.vstack([prov, np.array(extra_prov, dtype=float).reshape(-1, 5)]) if len(prov) else \
            np.array(extra_prov, dtype=float).reshape(-1, 5)
    client_rows.extend(extra_clients)
    if not parts:
        return None, topic_keys
    # best row per (helper, need); each topic gives one row per (helper, need), so the rows of a
    # key count the topics that support it.  One sort on (helper, need, -confidence).
    all_helpers = np.concatenate([p[0] for p in parts])
    all_needs = np.concatenate([p[1] for p in parts])
    key = all_helpers * np.int64(max(1, len(needs)) * 1024)
    key += all_needs * np.int64(1024)
    conf = np.concatenate([p[2] for p in parts])
    key += 1023 - (conf * np.float32(1000)).astype(np.int64)  # confidence <= 1: at most 1000
    order = np.argsort(key)
    sorted_key = key[order] >> 10
    first = np.flatnonzero(np.r_[True, sorted_key[1:] != sorted_key[:-1]])
    picked = order[first]
    if len(first) == len(key):  # every (helper, need) has one topic: no support to add
        confidence = np.minimum(np.float32(1.0), conf[picked])
    else:
        support = np.diff(np.r_[first, len(sorted_key)]).astype(np.float32)
        confidence = np.minimum(np.float32(1.0), conf[picked] + np.float32(EXTRA_TOPIC) * (support - 1))
    helper = all_helpers[picked]
    need = all_needs[picked]
    code = np.concatenate([p[3] for p in parts])[picked]
    topic = np.concatenate([p[4] for p in parts])[picked]
    # a two-sided row's code is negative: it takes the first provider row's kind, offer and
    # source, overwritten below (one table lookup instead of three masked assignments)
    prov_int = prov.astype(np.int64) if len(prov) else np.zeros((1, 5), dtype=np.int64)
    is_prov = code >= 0
    rows = prov_int[np.where(is_prov, code, 0)]
    via, offer, source = rows[:, 2], rows[:, 3], rows[:, 4]
    client = ~is_prov
    via[client] = LINK_KINDS.index("need_client")
    offer[client] = -1
    source[client] = -1
    if client_rows:
        clients = np.array(client_rows, dtype=np.int64)
        source[~is_prov] = clients[-1 - code[~is_prov], 1]
    return (helper.astype(np.int64), need.astype(np.int64), confidence, via, offer, source, topic), topic_keys


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


def _outer(helpers: np.ndarray, confs: np.ndarray, codes: np.ndarray, needs: np.ndarray, factors: np.ndarray,
           need_owner: np.ndarray, tid: int) -> Rows:
    """Every helper of a topic with every need that asks for it (not their own):
    (helper, need, confidence, code, topic) arrays."""
    p, q = len(helpers), len(needs)
    helper = np.repeat(helpers.astype(np.int32), q)
    need = np.tile(needs.astype(np.int32), p)
    keep = helper != need_owner[need]
    conf = (np.repeat(confs.astype(np.float32), q) * np.tile(factors.astype(np.float32), p))[keep]
    return (helper[keep], need[keep], conf, np.repeat(codes.astype(np.int32), q)[keep],
            np.full(int(keep.sum()), tid, dtype=np.int32))


def score(attendees: Iterable[Attendee], options: Options | None = None, terms: tuple[Term, ...] = (),
          links: tuple[Link, ...] = (), helped: frozenset[int] | None = None) -> HelpScores:
    """Help scores for ``attendees`` (their order is the matrix order).

    ``terms`` are the group's own terms; ``links`` members' wishes and organizers'
    corrections (see ``Link``); ``helped``: attendee ids whose needs alone are scored (who
    may help *them*; everyone else's needs still count as the other side of theirs)."""
    options = options or Options()
    people = tuple(attendees)
    n = len(people)
    needs = tuple((k, need) for k, a in enumerate(people) for need in a.needs)
    offers = tuple((k, offer) for k, a in enumerate(people) for offer in a.offers)
    lexicon = default_lexicon().with_terms(tuple(terms))
    empty_i, empty_f = np.zeros(0, dtype=np.int64), np.zeros(0)
    parts: list[Rows] = []  # (helper, need, confidence, via, offer, source, topic)
    topic_keys: list[str] = list(lexicon.topics)
    if needs:
        scored = np.ones(len(needs), dtype=bool) if helped is None else np.fromiter(
            (people[k].id in helped for k, _ in needs), dtype=bool, count=len(needs))
        found, topic_keys = _topic_links(people, needs, offers, lexicon, scored)
        if found is not None:
            parts.append(found)
        understood = ~scored
        if found is not None:
            understood[found[1]] = True
        if offers and not understood.all():
            parts.append(_text_links(people, needs, offers, options, ~understood))
    texts: list[str] = []
    if links and needs:
        parts = _apply_links(parts, people, needs, links, texts)
    parts = [p for p in parts if len(p[0])]
    if not parts:
        return HelpScores(people, np.zeros((n, n)), needs, offers, empty_i, empty_i, empty_i, empty_i,
                          empty_f, empty_f, empty_i, empty_i, empty_i, _labels(lexicon, topic_keys))
    if len(parts) == 1:  # the topic links alone are one per (helper, need) already
        merged = parts[0]
    elif len(parts) == 2 and not links:
        merged = _merge(parts[0], parts[1], len(needs))
    else:
        helper, need, conf, via, offer, source, topic = (np.concatenate([p[c] for p in parts]) for c in range(7))
        # one link per (helper, need): the most confident
        key = helper * len(needs) + need
        order = np.lexsort((-conf, key))
        keep = order[np.r_[True, key[order][1:] != key[order][:-1]]]
        merged = tuple(x[keep] for x in (helper, need, conf, via, offer, source, topic))
    helper, need, conf, via, offer, source, topic = merged
    conf = conf.astype(float)
    need_owner = np.fromiter((k for k, _ in needs), dtype=np.int64, count=len(needs))
    priority = np.fromiter((nd.priority for _, nd in needs), dtype=float, count=len(needs))
    boost = np.fromiter((a.boost for a in people), dtype=float, count=n)
    helped_of = need_owner[need]
    contribution = priority[need] * conf * boost[helped_of] * np.where(via == LINK_KINDS.index("wish"), WISH_WEIGHT, 1.0)
    cell = helper * n + helped_of
    matrix = np.bincount(cell, weights=contribution, minlength=n * n).reshape(n, n)
    # needs are numbered owner by owner, so links sorted by (helper, need) are sorted by cell too
    if not np.all(cell[1:] >= cell[:-1]):
        order = np.argsort(cell, kind="stable")
        helper, helped_of, need, offer, conf, contribution, via, topic, source = (
            x[order] for x in (helper, helped_of, need, offer, conf, contribution, via, topic, source))
    return HelpScores(
        people, matrix, needs, offers,
        helper, helped_of, need, offer, conf, contribution,
        via, topic, source,
        _labels(lexicon, topic_keys), tuple(texts),
    )


def _labels(lexicon: Lexicon, keys: list[str]) -> tuple[str, ...]:
    return tuple(lexicon.topics[k].label if k in lexicon.topics else "work" for k in keys)


def _merge(sorted_part: Rows, other: Rows, needs: int) -> Rows:
    """``other``'s rows inserted into ``sorted_part`` (sorted by helper, then need) keeping the
    order; the two never share a (helper, need) (text links are only for needs no topic reached)."""
    key = sorted_part[0].astype(np.int64) * needs + sorted_part[1]
    other_key = other[0].astype(np.int64) * needs + other[1]
    order = np.argsort(other_key, kind="stable")
    # where each of other's rows lands in the merged arrays (what np.insert would compute, once
    # for all seven arrays): before the sorted rows with a larger key
    at = np.searchsorted(key, other_key[order]) + np.arange(len(order))
    from_sorted = np.ones(len(key) + len(order), dtype=bool)
    from_sorted[at] = False
    merged = []
    for a, b in zip(sorted_part, other):
        out = np.empty(len(from_sorted), dtype=a.dtype)  # as np.insert: the sorted part's type
        out[from_sorted] = a
        out[at] = b[order]
        merged.append(out)
    return tuple(merged)


def _text_links(attendees: Sequence[Attendee], needs: NeedRows, offers: OfferRows, options: Options,
                only: np.ndarray) -> Rows:
    """Shared-words links (character n-gram TF-IDF) for the needs in ``only`` (a mask)."""
    picked = np.flatnonzero(only)
    X = tfidf([o.text for _, o in offers] + [needs[k][1].text for k in picked.tolist()])
    offer_vecs, need_vecs = X[: len(offers)], X[len(offers):]
    tag_vocab: dict[str, int] = {}
    offer_tags = _tag_matrix([o.tags for _, o in offers], tag_vocab)
    need_tags = _tag_matrix([needs[k][1].tags for k in picked.tolist()], tag_vocab)
    width = max(1, len(tag_vocab))
    offer_tags.resize((offer_tags.shape[0], width))
    need_tags.resize((need_tags.shape[0], width))
    need_tag_counts = np.asarray(need_tags.sum(axis=1)).ravel()
    offer_owner = np.fromiter((k for k, _ in offers), dtype=np.int64, count=len(offers))
    need_owner = np.fromiter((needs[k][0] for k in picked.tolist()), dtype=np.int64, count=len(picked))
    offer_starts = np.flatnonzero(np.r_[True, offer_owner[1:] != offer_owner[:-1]])
    parts = list(best_offers(offer_vecs, need_vecs, offer_tags, need_tags, need_tag_counts, offer_starts,
                             offer_owner[offer_starts], need_owner, options.tag_weight, options.min_similarity))
    helper = np.concatenate([p[0] for p in parts])
    need = picked[np.concatenate([p[1] for p in parts])]
    offer = np.concatenate([p[2] for p in parts])
    sim = np.concatenate([p[3] for p in parts])
    m = len(helper)
    return (helper, need, np.minimum(1.0, sim) * TEXT_FACTOR, np.full(m, LINK_KINDS.index("text"), dtype=np.int64),
            offer, np.full(m, -1, dtype=np.int64), np.full(m, -1, dtype=np.int64))


def _apply_links(parts: list[Rows], attendees: Sequence[Attendee], needs: NeedRows, links: tuple[Link, ...],
                 texts: list[str]) -> list[Rows]:
    """People's word on links: wishes and organizers' links added at full confidence, wrong ones removed."""
    index = {a.id: k for k, a in enumerate(attendees)}
    need_ids: dict[tuple[int, int], int] = {}
    for n, (k, a_need) in enumerate(needs):
        if a_need.id is not None:
            need_ids[(k, a_need.id)] = n
    wrong_pairs, wrong_needs = set(), set()
    rows = []
    for link in links:
        if link.helper not in index or link.helped not in index:
            continue
        i, j = index[link.helper], index[link.helped]
        row = need_ids.get((j, link.need_id)) if link.need_id is not None else None
        if link.kind == "wrong":
            if link.need_id is None:
                wrong_pairs.add((i, j))
            elif row is not None:
                wrong_needs.add((i, row))
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
        rows.append((i, row, link.kind, topic))
    kept = []
    need_owner = np.fromiter((k for k, _ in needs), dtype=np.int64, count=len(needs))
    for p in parts:
        helper, need = p[0], p[1]
        drop = np.zeros(len(helper), dtype=bool)
        for i, n in wrong_needs:
            drop |= (helper == i) & (need == n)
        for i, j in wrong_pairs:
            drop |= (helper == i) & (need_owner[need] == j)
        kept.append(tuple(x[~drop] for x in p))
    if rows:
        m = len(rows)
        kept.append((np.array([r[0] for r in rows], dtype=np.int64), np.array([r[1] for r in rows], dtype=np.int64),
                     np.ones(m), np.array([LINK_KINDS.index(r[2]) for r in rows], dtype=np.int64),
                     np.full(m, -1, dtype=np.int64), np.full(m, -1, dtype=np.int64),
                     np.array([r[3] for r in rows], dtype=np.int64)))
    return kept
