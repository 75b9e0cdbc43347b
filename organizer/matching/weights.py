"""Pair weights from help scores, past meetings and blocks.

``w(i, j) = help(i->j) + help(j->i) + reciprocity_bonus * min(help(i->j), help(j->i))
            - sum over past meetings of repeat_penalty * 0.5 ** (weeks_ago / half_life)``

Pairs that met less than ``cooldown_weeks`` before ``now``, and pairs that
either side blocked, are forbidden.  ``now`` is always passed in: the clock is
never read here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Protocol

import numpy as np

from organizer.matching.types import Attendee, MatchingError, Pair, Problem, normalise_pair


class HasScores(Protocol):
    """What ``table_weight`` reads of the help scores (``HelpScores`` has both)."""

    @property
    def attendees(self) -> Sequence[Attendee]: ...

    @property
    def matrix(self) -> np.ndarray: ...


def _as_datetime(value: datetime | date) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.combine(value, time())


def weeks_between(earlier: datetime | date, later: datetime | date) -> float:
    a, b = _as_datetime(earlier), _as_datetime(later)
    if (a.tzinfo is None) != (b.tzinfo is None):
        raise MatchingError("past meetings and now must be all timezone-aware or all naive")
    return (b - a).total_seconds() / (7 * 24 * 3600)


def forbidden_pairs(problem: Problem) -> set[Pair]:
    """Blocked pairs plus pairs that met within the cool-down (ids, smaller first)."""
    out = set(problem.blocked)
    cooldown = problem.options.cooldown_weeks
    if cooldown > 0 and problem.now is not None:  # Problem requires now when meetings are given
        for m in problem.meetings:
            if weeks_between(m.met_on, problem.now) < cooldown:
                out.add(normalise_pair(m.a, m.b))
    return out


def repeat_penalties(problem: Problem, index: dict[int, int]) -> np.ndarray:
    n = len(index)
    penalty = np.zeros((n, n))
    opts = problem.options
    if problem.now is None:  # Problem requires now when meetings are given
        return penalty
    for m in problem.meetings:
        if m.a not in index or m.b not in index:
            continue
        weeks = max(0.0, weeks_between(m.met_on, problem.now))
        p = opts.repeat_penalty * 0.5 ** (weeks / opts.repeat_half_life_weeks)
        i, j = index[m.a], index[m.b]
        penalty[i, j] += p
        penalty[j, i] += p
    return penalty


def pair_weights(help_matrix: np.ndarray, problem: Problem, index: dict[int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(weights, allowed, help) for the seated attendees in ``index`` order."""
    H = np.asarray(help_matrix, dtype=float)
    opts = problem.options
    weights = H + H.T + opts.reciprocity_bonus * np.minimum(H, H.T) - repeat_penalties(problem, index)
    np.fill_diagonal(weights, 0.0)
    allowed = forbidden_mask(problem, index)
    return weights, allowed, H


def group_weight(weights: np.ndarray, group: Sequence[int]) -> float:
    """A table's value from the pair weights (rows of ``weights``): a pair's weight, a trio
    half the sum of its three pairs' (each member sits with two others)."""
    if len(group) == 2:
        return float(weights[group[0], group[1]])
    a, b, c = group
    return 0.5 * float(weights[a, b] + weights[b, c] + weights[a, c])


def table_weight(scores: HasScores, problem: Problem, members: Sequence[int]) -> float:
    """A table's value as the solver counts it: a pair's weight, a trio half its three pair weights.

    ``scores``: the ``HelpScores`` of ``problem``'s attendees (any order; only its
    ``attendees`` and ``matrix`` are read); ``members``: two or three attendee ids.  Uses the
    same options (reciprocity bonus, repeat penalty) as ``solve``.

    >>> from types import SimpleNamespace
    >>> from organizer.matching import Attendee, Problem
    >>> people = (Attendee(1), Attendee(2), Attendee(3))
    >>> H = np.array([[0, 2.0, 0], [1.0, 0, 0], [0, 3.0, 0]])  # H[i, j] = help(i -> j)
    >>> scores = SimpleNamespace(attendees=people, matrix=H)
    >>> table_weight(scores, Problem(people), (1, 2))  # 2 + 1 + 0.25 * min(2, 1)
    3.25
    >>> table_weight(scores, Problem(people), (1, 2, 3))  # (3.25 + 0 + 3) / 2
    3.125
    """
    position = {a.id: k for k, a in enumerate(scores.attendees)}
    try:
        rows = [position[m] for m in members]
    except KeyError as missing:
        raise MatchingError(f"attendee {missing.args[0]} has no help scores") from None
    if len(rows) not in (2, 3):
        raise MatchingError("a table seats two or three attendees")
    H = np.asarray(scores.matrix, dtype=float)[np.ix_(rows, rows)]
    weights, _, _ = pair_weights(H, problem, {m: k for k, m in enumerate(members)})
    return group_weight(weights, range(len(rows)))


def forbidden_mask(problem: Problem, index: dict[int, int]) -> np.ndarray:
    n = len(index)
    allowed = np.ones((n, n), dtype=bool)
    np.fill_diagonal(allowed, False)
    for a, b in forbidden_pairs(problem):
        if a in index and b in index:
            allowed[index[a], index[b]] = allowed[index[b], index[a]] = False
    return allowed


def explicit_weights(problem: Problem, index: dict[int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(weights, allowed, help) from ``problem.weights`` (missing pairs weigh 0).

    The directed help comes from ``problem.help``; without it a pair with a
    positive weight counts as helping both ways.
    """
    n = len(index)
    weights = np.zeros((n, n))
    seen = set()
    for a, b, w in problem.weights or ():
        key = normalise_pair(a, b)
        if key in seen:
            raise MatchingError(f"pair ({key[0]}, {key[1]}) has more than one weight")
        seen.add(key)
        if a in index and b in index:
            weights[index[a], index[b]] = weights[index[b], index[a]] = w
    weights -= repeat_penalties(problem, index)
    np.fill_diagonal(weights, 0.0)
    allowed = forbidden_mask(problem, index)
    if problem.help is not None:
        H = np.zeros((n, n))
        for a, b, h in problem.help:
            if a in index and b in index:
                H[index[a], index[b]] = h
    else:
        H = (weights > 0).astype(float)
    return weights, allowed, H


def helped_counts(H: np.ndarray) -> np.ndarray:
    """How many of the two directions between i and j carry help (0, 1 or 2)."""
    return (H > 0).astype(np.int64) + (H.T > 0).astype(np.int64)


def kept_together(problem: Problem, index: dict[int, int]) -> np.ndarray:
    """The stability tier of a re-seating (``Problem.keep``): 2 for two seated attendees who sat
    at one kept table, else 0 (a symmetric int matrix in ``index`` order).

    The solver maximises this tier first and the total weight second (it is passed where the
    fairness tier goes, see ``seating``), so the answer keeps every kept table it can and is,
    among those seatings, the heaviest; both proven as any solve is.

    >>> from organizer.matching import Attendee, Problem
    >>> p = Problem(tuple(Attendee(i) for i in (1, 2, 3, 4)), keep=((1, 2), (3, 9)))
    >>> kept_together(p, {1: 0, 2: 1, 3: 2, 4: 3}).tolist()
    [[0, 2, 0, 0], [2, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]
    """
    n = len(index)
    together = np.zeros((n, n), dtype=np.int64)
    for table in problem.keep:
        present = [index[x] for x in table if x in index]
        for i in present:
            for j in present:
                if i != j:
                    together[i, j] = 2
    return together
