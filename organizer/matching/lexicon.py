"""The concept lexicon: which topics a text is about, and which topics a headline makes
someone able to help with.

The lexicon is data (``data/lexicon.toml``, described at its top); this module reads it once
and matches its phrases against texts.  Matching works on normalised words: lower case,
accents folded, apostrophes dropped, hyphens and other punctuation split ("voice-over" =
"voice over"), and a light plural stemmer ("clients" = "client", "parties" = "party").  A
phrase word ending in ``*`` matches any word starting with it; ``~`` between two words lets up
to three other words sit between them.  A topic's ``unless`` phrases, found in the same text,
cancel the topic there (a "furnace" in a text about glass-blowing is not about heating).

Organizers' own terms (``Term(phrase, meaning)``: "PSC test" means "a French oral test") join
the lexicon for one scoring call: the phrase becomes a term of every topic found in the meaning,
or of a topic of its own when the meaning names none.

Everything here is pure: the data file is read from the package, never from the network.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from organizer.matching.types import Term

GAP = 3  # how many words "~" lets sit between two phrase words
GAP_MARK = "~"

_APOSTROPHES = str.maketrans({"’": "", "'": "", "`": "", "‘": ""})
_WORD = re.compile(r"[a-z0-9&]+")
_KEEP_S = ("ss", "us", "is", "ics", "news", "series", "sales", "diabetes", "lbs", "gas", "yes", "this", "its", "plus", "always", "ms")


def stem(word: str) -> str:
    """A light plural stemmer, the same for lexicon phrases and texts.

    >>> [stem(w) for w in ("clients", "parties", "boss", "news", "guards", "is", "taxes", "coaches")]
    ['client', 'party', 'boss', 'news', 'guard', 'is', 'tax', 'coach']
    """
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("xes", "ches", "shes", "sses", "zzes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(_KEEP_S):
        return word[:-1]
    return word


def raw_words(text: str) -> list[str]:
    """Lower-cased words with accents folded and apostrophes dropped ("Café's" -> "cafes")."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _WORD.findall(folded.lower().translate(_APOSTROPHES))


def words(text: str) -> list[str]:
    return [stem(w) for w in raw_words(text)]


@dataclass(frozen=True)
class Topic:
    key: str
    label: str
    broad: bool = False
    work: bool = False


@dataclass(frozen=True)
class Found:
    """A topic found in a text, with the phrase of the text that showed it."""

    topic: Topic
    phrase: str
    start: int = 0  # word position of the phrase in the text
    end: int = 0


@dataclass
class _Phrase:
    topic: str
    parts: tuple[tuple[str, bool, bool], ...]  # (word, is_prefix, gap_before)
    text: str


@dataclass
class Lexicon:
    topics: dict[str, Topic] = field(default_factory=dict)
    # kind ("terms", "experts", "unless") -> first word -> phrases starting with it
    _exact: dict[str, dict[str, list[_Phrase]]] = field(default_factory=dict)
    _prefix: dict[str, dict[str, list[_Phrase]]] = field(default_factory=dict)
    _cache: dict[tuple[str, str], tuple[Found, ...]] = field(default_factory=dict)
    readings: dict[str, object] = field(default_factory=dict)  # the help model's reading of each need text (scoring's)
    _word_cache: dict[tuple[str, str], list[_Phrase]] = field(default_factory=dict)

    @classmethod
    def from_mapping(cls, data: dict[str, Any]) -> Lexicon:
        lexicon = cls()
        for key, entry in data.get("topics", {}).items():
            lexicon.add_topic(key, entry.get("label", key.replace("_", " ")), bool(entry.get("broad", False)),
                              bool(entry.get("work", False)))
            for kind in ("terms", "experts", "unless"):
                for phrase in entry.get(kind, ()):
                    lexicon.add_phrase(kind, key, phrase)
        return lexicon

    def add_topic(self, key: str, label: str, broad: bool = False, work: bool = False) -> None:
        self.topics[key] = Topic(key, label, broad, work)

    def add_phrase(self, kind: str, topic: str, phrase: str) -> None:
        parts = []
        gap = False
        for piece in phrase.split():
            if piece == GAP_MARK:
                gap = True
                continue
            prefix = piece.endswith("*")
            for k, w in enumerate(raw_words(piece.rstrip("*"))):
                last = k == len(raw_words(piece.rstrip("*"))) - 1
                parts.append((w if (prefix and last) else stem(w), prefix and last, gap and k == 0))
            gap = False
        if not parts:
            return
        entry = _Phrase(topic, tuple(parts), phrase)
        first, is_prefix, _ = parts[0]
        index = self._prefix if is_prefix else self._exact
        index.setdefault(kind, {}).setdefault(first, []).append(entry)
        self._cache.clear()
        self.readings.clear()
        self._word_cache.clear()

    def with_terms(self, terms: tuple[Term, ...]) -> Lexicon:
        """A copy of this lexicon with a group's own terms added."""
        if not terms:
            return self
        copy = Lexicon(dict(self.topics),
                       {k: {w: list(v) for w, v in d.items()} for k, d in self._exact.items()},
                       {k: {w: list(v) for w, v in d.items()} for k, d in self._prefix.items()})
        for n, term in enumerate(terms):
            found = [f.topic.key for f in copy.find(term.meaning)] + [f.topic.key for f in copy.find(term.phrase)]
            keys = list(dict.fromkeys(found))
            if not keys:
                key = f"group_term_{n}"
                copy.add_topic(key, term.meaning.strip() or term.phrase.strip())
                copy.add_phrase("terms", key, term.meaning)
                keys = [key]
            for key in keys:
                copy.add_phrase("terms", key, term.phrase)
        return copy

    def find(self, text: str) -> tuple[Found, ...]:
        """Topics a text is about (best evidence first: longest phrase)."""
        return self._match("terms", text)

    def expertise(self, headline: str) -> tuple[Found, ...]:
        """Topics a headline makes its owner able to help with."""
        return self._match("experts", headline)

    def _match(self, kind: str, text: str) -> tuple[Found, ...]:
        cached = self._cache.get((kind, text))
        if cached is not None:
            return cached
        raw = raw_words(text)
        stemmed = [stem(w) for w in raw]
        hits: dict[str, tuple[str, int, int]] = {}
        for phrase, start, end in self._phrases(kind, raw, stemmed):
            span = " ".join(raw[start:end])
            if len(span) > len(hits.get(phrase.topic, ("",))[0]):
                hits[phrase.topic] = (span, start, end)
        if hits:
            cancelled = {p.topic for p, _, _ in self._phrases("unless", raw, stemmed)}
            hits = {t: h for t, h in hits.items() if t not in cancelled}
        found = tuple(Found(self.topics[t], *h) for t, h in sorted(hits.items(), key=lambda kv: -len(kv[1][0])))
        if len(self._cache) > 200_000:
            self._cache.clear()
        self._cache[(kind, text)] = found
        return found

    def _candidates(self, kind: str, raw_word: str, stemmed_word: str) -> list[_Phrase]:
        """Phrases that may start at a word (memoised: a group's words repeat)."""
        key = (kind, raw_word)
        found = self._word_cache.get(key)
        if found is None:
            found = list(self._exact.get(kind, {}).get(stemmed_word, ()))
            prefix = self._prefix.get(kind, {})
            if prefix:
                for k in range(2, len(raw_word) + 1):
                    found.extend(prefix.get(raw_word[:k], ()))
            self._word_cache[key] = found
        return found

    def _phrases(self, kind: str, raw: list[str], stemmed: list[str]) -> Iterator[tuple[_Phrase, int, int]]:
        for start, word in enumerate(stemmed):
            for phrase in self._candidates(kind, raw[start], word):
                end = _match_at(phrase.parts, raw, stemmed, start)
                if end is not None:
                    yield phrase, start, end


def _match_at(parts: tuple[tuple[str, bool, bool], ...], raw: list[str], stemmed: list[str], start: int) -> int | None:
    """End index of ``parts`` matched from ``start`` (the first word already matched), or None."""
    pos = start + 1
    for word, is_prefix, gap in parts[1:]:
        limit = min(len(raw), pos + (GAP + 1 if gap else 1))
        for k in range(pos, limit):
            if (raw[k].startswith(word) if is_prefix else stemmed[k] == word):
                pos = k + 1
                break
        else:
            return None
    return pos


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    """The lexicon shipped with the package."""
    data = resources.files("organizer.matching").joinpath("data/lexicon.toml").read_bytes()
    return Lexicon.from_mapping(tomllib.loads(data.decode("utf-8")))
