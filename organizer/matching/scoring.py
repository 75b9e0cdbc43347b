"""Help scores: how much attendee i can help attendee j, with the reasons.

``help(i -> j) = boost(j) * sum over j's needs n of priority(n) * best_o sim(o, n)``
where ``o`` runs over i's offers and a similarity below ``min_similarity``
counts as 0.  The (offer, need) match that gives each need its best offer is
kept as a reason.

Similarity of an offer and a need:
``min(1, cosine(tfidf(offer), tfidf(need)) + tag_weight * shared_tags / need_tags)``.
The text vectors are TF-IDF over character 3- and 4-grams of each word (with
the word padded by spaces), after dropping common function words; that makes
"Postgres" close to "PostgreSQL", "electrician" close to "electrical work", and
survives most typos.  IDF is computed over the texts being scored (needs and
offers together), so words everybody uses count little.

Everything is vectorised with numpy / scipy.sparse; the offers x needs
similarity is computed in column blocks so memory stays bounded, and only
matches above the threshold are kept (sparse reasons).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from organizer.matching.types import Attendee, Match, Need, Offer, Options

NGRAM_SIZES = (3, 4)
BLOCK = 1024

STOPWORDS = frozenset(
    """
    a about after again all also am an and any anyone anything are as at be been being but by can could did do does
    doing for from get getting had has have having he her here hers him his how i if in into is it its just like me
    more most my myself need needs needed no nor not now of off on once one only or other our out over own please
    really same she should so some someone something such than that the their them then there these they this those
    through to too under until up us very want wanted was we were what when where which while who whom why will with
    would you your yours looking seeking help helping offer offering find finding someone
    """.split()
)

_WORD = re.compile(r"[a-z0-9]+")


def words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if w not in STOPWORDS]


def _grams(text: str) -> list[str]:
    out = []
    for w in words(text):
        padded = f" {w} "
        for size in NGRAM_SIZES:
            if len(padded) <= size:
                out.append(padded)
                break
            out.extend(padded[k : k + size] for k in range(len(padded) - size + 1))
    return out


def normalise_tag(tag: str) -> str:
    return " ".join(re.split(r"[\s_\-#]+", tag.lower())).strip()


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
        for t in {normalise_tag(t) for t in tags if normalise_tag(t)}:
            rows.append(r)
            cols.append(vocab.setdefault(t, len(vocab)))
    return sparse.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(len(tag_lists), max(1, len(vocab))))


@dataclass(frozen=True, eq=False)
class HelpScores:
    """``matrix[i, j]`` = help(attendees[i] -> attendees[j]); reasons kept sparsely."""

    attendees: tuple[Attendee, ...]
    matrix: np.ndarray
    needs: tuple[tuple[int, Need], ...]  # (owner index, need)
    offers: tuple[tuple[int, Offer], ...]
    # one row per counted match (a helper's best offer for a need), sorted by (helper, helped)
    match_helper: np.ndarray
    match_helped: np.ndarray
    match_need: np.ndarray
    match_offer: np.ndarray
    match_similarity: np.ndarray
    match_score: np.ndarray

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

    def reasons(self, helper_id: int, helped_id: int) -> list[Match]:
        """The matches behind help(helper -> helped), best first."""
        i, j = self.index(helper_id), self.index(helped_id)
        n = len(self.attendees)
        keys = self.__dict__.get("_keys")
        if keys is None:
            keys = self.match_helper * n + self.match_helped
            object.__setattr__(self, "_keys", keys)
        lo, hi = np.searchsorted(keys, [i * n + j, i * n + j + 1])
        found = [
            Match(
                helper=helper_id,
                helped=helped_id,
                need=self.needs[self.match_need[k]][1],
                offer=self.offers[self.match_offer[k]][1],
                similarity=float(self.match_similarity[k]),
                score=float(self.match_score[k]),
            )
            for k in range(lo, hi)
        ]
        return sorted(found, key=lambda m: -m.score)


def best_offers(offer_vecs, need_vecs, offer_tags, need_tags, need_tag_counts, offer_starts, offer_owner_of_start, need_owner, tag_weight, threshold):
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


def score(attendees, options: Options | None = None) -> HelpScores:
    """Help scores for ``attendees`` (their order is the matrix order)."""
    options = options or Options()
    attendees = tuple(attendees)
    n = len(attendees)
    needs = tuple((k, need) for k, a in enumerate(attendees) for need in a.needs)
    offers = tuple((k, offer) for k, a in enumerate(attendees) for offer in a.offers)
    matrix = np.zeros((n, n))
    empty = np.zeros(0, dtype=np.int64)
    if not needs or not offers:
        return HelpScores(attendees, matrix, needs, offers, empty, empty, empty, empty, np.zeros(0), np.zeros(0))
    X = tfidf([o.text for _, o in offers] + [nd.text for _, nd in needs])
    offer_vecs, need_vecs = X[: len(offers)], X[len(offers) :]
    tag_vocab: dict[str, int] = {}
    offer_tags = _tag_matrix([o.tags for _, o in offers], tag_vocab)
    need_tags = _tag_matrix([nd.tags for _, nd in needs], tag_vocab)
    width = max(1, len(tag_vocab))
    offer_tags.resize((offer_tags.shape[0], width))
    need_tags.resize((need_tags.shape[0], width))
    need_tag_counts = np.asarray(need_tags.sum(axis=1)).ravel()
    offer_owner = np.fromiter((k for k, _ in offers), dtype=np.int64, count=len(offers))
    need_owner = np.fromiter((k for k, _ in needs), dtype=np.int64, count=len(needs))
    priority = np.fromiter((nd.priority for _, nd in needs), dtype=float, count=len(needs))
    boost = np.fromiter((a.boost for a in attendees), dtype=float, count=n)

    offer_starts = np.flatnonzero(np.r_[True, offer_owner[1:] != offer_owner[:-1]])
    parts = list(
        best_offers(offer_vecs, need_vecs, offer_tags, need_tags, need_tag_counts, offer_starts, offer_owner[offer_starts], need_owner, options.tag_weight, options.min_similarity)
    )
    helper = np.concatenate([p[0] for p in parts])
    nd = np.concatenate([p[1] for p in parts])
    o = np.concatenate([p[2] for p in parts])
    sim = np.concatenate([p[3] for p in parts])
    helped = need_owner[nd]
    contribution = priority[nd] * sim * boost[helped]
    matrix = np.bincount(helper * n + helped, weights=contribution, minlength=n * n).reshape(n, n)
    order = np.argsort(helper * n + helped, kind="stable")
    return HelpScores(
        attendees,
        matrix,
        needs,
        offers,
        helper[order],
        helped[order],
        nd[order],
        o[order],
        sim[order],
        contribution[order],
    )
