"""solve(problem) -> Pairing: the product entry point, and reason sentences."""

from __future__ import annotations

import re
import time

import numpy as np

from organizer.matching.scoring import HelpScores, score
from organizer.matching.seating import solve_matrix
from organizer.matching.types import Group, Match, MatchingError, Need, Offer, Pairing, Problem, Round  # noqa: F401 (doctest)
from organizer.matching.weights import explicit_weights, group_weight, helped_counts, kept_together, pair_weights

FAIRNESS_CONFIDENCE = 0.6  # weaker links (shared words only, a broad topic) add weight but make nobody "helped"
# The time limit covers the whole solve: scoring, the weights, the seating and the reasons. The
# seating gets what is left after scoring and the weights, less this share kept for the tables'
# reasons (listed in one pass over the seated pairs: well under 1% of the limit at N = 2,001)...
EXPLAIN_SHARE = 0.02
# ...and never less than this share of the limit (the solver returns a first seating within a few
# per cent of its own limit, so a solve whose scoring took the whole limit still seats everyone).
MIN_SOLVE_SHARE = 0.05


def solve(problem: Problem, scores: HelpScores | None = None, *, started: float | None = None) -> Pairing:
    """Seat ``problem``'s attendees (minus the excluded) for ``problem.rounds`` rounds.

    ``scores`` may be passed when already computed (they must be for
    ``problem.seated_attendees`` in that order); ``started`` is then the
    ``time.perf_counter()`` moment the time limit began (before that scoring),
    so the limit covers it too.  Raises MatchingError (bad problem),
    InfeasibleError (no seating obeys the rules) or SolveTimeoutError (time ran
    out before any seating was found).
    """
    started = time.perf_counter() if started is None else started
    seated = problem.seated_attendees
    index = {a.id: k for k, a in enumerate(seated)}
    opts = problem.options
    if problem.weights is not None:
        weights, allowed, help_matrix = explicit_weights(problem, index)
    else:
        if scores is None:
            scores = score(seated, opts, problem.terms, problem.links)
        elif [a.id for a in scores.attendees] != list(index):
            raise MatchingError("scores were computed for other attendees")
        weights, allowed, help_matrix = pair_weights(scores.matrix, problem, index)
        # fairness counts an attendee as helped only by a link the model is fairly sure of
        help_matrix = scores.sure_matrix(FAIRNESS_CONFIDENCE)
    locks: list[tuple[int, ...]] = []
    locked_in_round: set[tuple[int, int]] = set()
    for lock in problem.locked:
        for x in lock.people:
            if x not in index:
                raise MatchingError(f"{lock} includes excluded attendee {x}")
            if (x, lock.round) in locked_in_round:
                raise MatchingError(f"attendee {x} is locked to two tables in round {lock.round + 1}")
            locked_in_round.add((x, lock.round))
        locks.append((*(index[x] for x in lock.people), lock.round))
    result = solve_matrix(
        weights,
        allowed,
        locks=locks,
        rounds=problem.rounds,
        helped=_first_tier(problem, index, help_matrix),
        time_limit_s=seating_time(opts.time_limit_s, time.perf_counter() - started),
    )
    ids = [a.id for a in seated]
    if scores is not None:  # the tables' links listed at once, not pair by pair
        scores.prefetch((ids[u], ids[v]) for r in result.rounds for g in r.groups for u in g for v in g if u != v)
    rounds = []
    helped_seats = 0
    for r in result.rounds:
        groups = []
        for g in r.groups:
            members = tuple(sorted(ids[v] for v in g))
            reasons = []
            if scores is not None:
                for a in members:
                    for b in members:
                        if a != b:
                            reasons.extend(scores.reasons(a, b))
                reasons.sort(key=lambda m: -m.score)
            groups.append(Group(members, group_weight(weights, g), tuple(reasons)))
            helped_seats += sum(any(help_matrix[u, v] > 0 for u in g if u != v) for v in g)
        rounds.append(Round(tuple(groups), r.objective, r.bound, r.proven))
    return Pairing(
        rounds=tuple(rounds),
        objective=result.objective,
        bound=result.bound,
        proven_optimal=result.proven_optimal,
        seconds=result.seconds,
        helped=helped_seats,
        status=result.status,
    )


def seating_time(limit_s: float, spent_s: float) -> float:
    """What the seating may take of a solve's ``limit_s`` once ``spent_s`` is gone (see above).

    >>> seating_time(20.0, 1.0)
    18.6
    >>> seating_time(20.0, 25.0)
    1.0
    """
    return round(max(limit_s * MIN_SOLVE_SHARE, limit_s * (1 - EXPLAIN_SHARE) - spent_s), 9)


def _first_tier(problem: Problem, index: dict[int, int], help_matrix: np.ndarray) -> np.ndarray | None:
    """What the solver maximises before the total weight: tables kept (a re-seating), else
    attendees helped (fairness), else nothing."""
    if problem.keep:
        return kept_together(problem, index)
    return helped_counts(help_matrix) if problem.options.fairness else None


_NEED_LEAD = re.compile(r"^(i\s+need\s+(to\s+)?|i'?m\s+looking\s+for\s+|i\s+am\s+looking\s+for\s+|looking\s+for\s+|need\s+(to\s+)?|seeking\s+)", re.I)


_FIRST_WORD = re.compile(r"^[^\s]+")


def need_phrase(text: str) -> str:
    """"I need a publisher" -> "a publisher", so it reads after "help Alice with".

    A leading ordinary word is lower-cased ("A publisher for my book" -> "a
    publisher for my book"); a first word with another capital in it is kept
    ("CFO intro", "PostgreSQL tuning", "LinkedIn profile", "I/O").

    >>> need_phrase("A publisher for my book.")
    'a publisher for my book'
    >>> need_phrase("CFO intro")
    'CFO intro'
    """
    phrase = _NEED_LEAD.sub("", text.strip().rstrip(".")).strip()
    first = _FIRST_WORD.match(phrase)
    if first:
        word = first.group(0)
        ordinary = not any(ch.isupper() for ch in word[1:]) and (len(word) > 1 or word == "A")
        if word[:1].isupper() and ordinary:
            phrase = word[0].lower() + phrase[1:]
    return phrase or text.strip()


def _quote(text: str) -> str:
    return "“" + text.strip().rstrip(".") + "”"


def describe(match: Match, names: dict[int, str] | None = None, headline: str = "") -> str:
    """One plain sentence for a link, in the third person; ``names`` maps attendee ids to names.

    The members' own words are quoted, never pasted into the sentence as if they were ours,
    and no pronoun is guessed.

    >>> need = Need("Finding a publisher")
    >>> offer = Offer("An introduction to my editor", kind="introduction")
    >>> describe(Match(2, 1, need, offer, 0.9, 0.9), {1: "Alice", 2: "Dave"})
    'Dave can help Alice with finding a publisher: Dave offers “An introduction to my editor”.'
    >>> print(describe(Match(2, 1, Need("Is 14 weeks' pay fair?"), None, 0.75, 0.75, via="headline",
    ...                topic="employment law", source="Employment lawyer"), {1: "Alice", 2: "Dave"}))
    Dave can help Alice with employment law (Alice asks “Is 14 weeks' pay fair?”): Dave knows it from work (“Employment lawyer”).
    """
    names = names or {}
    helper = names.get(match.helper, f"#{match.helper}")
    helped = names.get(match.helped, f"#{match.helped}")
    need = match.need.text.strip()
    about = match.topic or need_phrase(need)
    asks = f"{about} ({helped} asks {_quote(need)})" if match.topic else about
    if match.offer is not None and match.via in ("offer", "text"):
        if not match.topic:
            return f"{helper} can help {helped} with {about}: {helper} offers {_quote(match.offer.text)}."
        return f"{helper} can help {helped} with {asks}: {helper} offers {_quote(match.offer.text)}."
    if match.via == "headline":
        return f"{helper} can help {helped} with {asks}: {helper} knows it from work ({_quote(match.source or headline)})."
    if match.via == "need" and match.side == "client":
        return (f"{helper} and {helped} can do business: {helped} asks {_quote(need)}, "
                f"and {helper} needs help with {about} ({_quote(match.source)}).")
    if match.via == "need":
        return (f"{helper} can help {helped} with {asks}: it is the work {helper} is looking for "
                f"({_quote(match.source)}).")
    if match.via == "wish":
        return f"{helped} asked to meet {helper} about {_quote(need)}."
    return f"{helper} can help {helped} with {_quote(need)}" + (f": {match.topic}." if match.topic else " (an organizer's note).")


def explain(group: Group, names: dict[int, str] | None = None, limit: int = 3) -> list[str]:
    """The group's best reasons as sentences (at most ``limit`` per direction)."""
    out = []
    per_direction: dict[tuple[int, int], int] = {}
    for m in group.reasons:
        key = (m.helper, m.helped)
        if per_direction.get(key, 0) < limit:
            per_direction[key] = per_direction.get(key, 0) + 1
            out.append(describe(m, names))
    return out
