"""Give First's matching engine: help scores with reasons, and an exact seating solver.

Pure library: stdlib, numpy, scipy, OR-Tools and rustworkx only (plus our own compiled
matching, ``_blossom.c`` through ctypes, where built); plain frozen dataclasses
in and out; no clock (``now`` is passed in), no I/O except the command line in
``__main__``.

Public API (all importable from ``organizer.matching``)
-------------------------------------------------------
Types (``types.py``)::

    Need(text, tags=(), priority=1.0, id=None)                 # id: the caller's, carried into reasons
    Offer(text, tags=(), kind="help", id=None)
    Attendee(id, name="", needs=(), offers=(), boost=1.0, headline="", industry="")
    Term(phrase, meaning)                                       # a group's own word: "PSC test" = "a French oral test"
    Link(helper, helped, kind, need_id=None, text="")           # kind: "wish", "organizer" or "wrong"
    Meeting(a, b, met_on)                                       # met_on: datetime or date
    Lock(a, b, round=0, c=None)                                 # keep a and b (and c) together in that round
    Options(fairness=True, time_limit_s=10.0, seed=0, cooldown_weeks=0.0,
            repeat_penalty=1.0, repeat_half_life_weeks=26.0, reciprocity_bonus=0.25,
            min_similarity=0.2, tag_weight=0.5)
    Problem(attendees, weights=None, help=None, blocked=frozenset(), locked=(),
            excluded=frozenset(), meetings=(), rounds=1, now=None, options=Options(), keep=())
                                                                # keep: published tables; a re-seating with the fewest changes
    Problem.from_weights(n, [(i, j, w), ...], forbidden=(), locked=(), rounds=1, options=None, help=None)
    Pairing(rounds: tuple[Round], objective, bound, proven_optimal, seconds, helped, status); .gap; .pairs(r)
    Round(groups: tuple[Group], objective, bound, proven_optimal)
    Group(members: tuple[int, ...], weight, reasons: tuple[Match])
    Match(helper, helped, need, offer, similarity, score, via, topic, source, side, source_id)
                                                                # similarity is the link's confidence
    MatchingError(ValueError) > InfeasibleError, SolveTimeoutError

Functions::

    solve(problem, scores=None, *, started=None) -> Pairing    # the time limit covers scoring too
    score(attendees, options=None, terms=(), links=()) -> HelpScores
                                                       # .matrix[i, j] = help(i -> j); .help(a, b); .reasons(a, b)
    violations(problem, pairing) -> list[str]          # empty: safe to save
    describe(match, names) -> str                      # "Dave can help Alice with ...: Dave offers “...”."
    explain(group, names, limit=3) -> list[str]
    forbidden_pairs(problem) -> set[(a, b)]            # blocked + met within the cool-down
    table_weight(scores, problem, members) -> float    # a table's value as the solver counts it
    normalize_tag(text) -> str                         # the one tag rule, as stored and as compared
    STOPWORDS, stem(word)                              # the words dropped from texts and searches; the plural stem
    solve_matrix(weights, allowed=None, locks=(), rounds=1, helped=None, time_limit_s=10,
                 solver_options=None)
                                                       # index-level solver (the JSON command line's core)

A typical call from the web layer::

    problem = Problem(
        attendees=[Attendee(m.id, m.name, needs=[Need(n.text, n.tags, n.priority) for n in m.needs],
                            offers=[Offer(o.text, o.tags, o.kind) for o in m.offers]) for m in members],
        blocked={(a, b), ...}, locked=[Lock(a, b, 0)], excluded={...},
        meetings=[Meeting(a, b, met_on) for ...], rounds=event.rounds, now=now,
        options=Options(cooldown_weeks=group.cooldown_weeks, time_limit_s=20),
    )
    pairing = solve(problem)
    assert not violations(problem, pairing)
    for group in pairing.rounds[0].groups:
        sentences = explain(group, names)

Rules and definitions
---------------------
* Help: ``help(i -> j) = boost(j) * sum over j's needs of priority * confidence``
  of i's best link to that need: i's offers, i's headline and industry, i's own
  needs where they are the other side of j's need (clients, hires), read through
  a concept lexicon (``lexicon.py``, ``data/lexicon.toml``) plus the group's own
  terms; shared words alone (character n-gram TF-IDF) only where the lexicon
  finds no topic; members' wishes and organizers' links count fully, "wrong"
  marks remove a link.  Links at or above ``Options.show_confidence`` are shown
  to members.  See ``scoring.py``.
* Pair weight: ``help(i->j) + help(j->i) + reciprocity_bonus * min(both)
  - repeat penalty`` fading with a half-life; pairs that met within
  ``cooldown_weeks`` and blocked pairs are forbidden.  See ``weights.py``.
* **Trio**: an odd count seats exactly one trio, nobody is dropped.  A trio is
  worth **half the sum of its three pair weights** (each member splits the
  lunch between two partners, so each of the three pairs gets half a lunch).
  This rule makes a seating a cycle cover of the doubled graph, which is what
  lets the solver prove optimality; see ``solver.py``.
* Locks sit as pairs, or as a trio (``Lock(a, b, round, c=c)``); when exactly one
  unlocked attendee is left, they join the locked pair that makes the best trio.
  The others are seated around the locks (so a locked trio in an even count makes
  a second trio).  A locked table with a forbidden pair, or a person locked to two
  tables, is an error.
* Re-seating (``Problem.keep``, one round): lexicographic, first as many of the kept
  tables (pairs of former table mates still together; in the trio half, as its pairs
  count) as any seating keeps, then the total weight; see ``weights.kept_together``.
* Excluded attendees are not seated at all.
* Forbidden pairs are never used.  When no seating avoids them (say the only
  two attendees blocked each other) ``solve`` raises ``InfeasibleError`` with
  the reason; nothing is seated.
* Rounds are solved in order; each is a full seating, and pairs (trio pairs
  too) from earlier rounds are forbidden in later ones.  Round r is optimal
  given rounds before it; ``proven_optimal`` means every round was proven so.
* Fairness (on by default in ``Options``; off in the JSON command line unless
  ``"fairness": true``): lexicographic, first the number of attendees who get
  some help from their partner (in the trio each helping partner counts half),
  then the total weight.
* Time limit: every step checks it; when it runs out, the best seating found
  so far is returned with ``proven_optimal=False``, ``status="feasible"``, its
  ``bound`` and ``gap``.  The first seating is always found before the limit is
  looked at (milliseconds); ``SolveTimeoutError`` only when an odd count's
  forbidden pairs leave the first seating nothing to stand on and no trio
  found a seating before the limit.
* Exactness: weights are rounded to integers (largest ~1e9) for the solver:
  exact for integer weights, else to ~9 significant digits.

Solver
------
Primal-dual, per round (details and proofs in ``solver.py``): a first seating in
milliseconds from a maximum-weight matching (Edmonds' blossom algorithm, compiled:
``cblossom`` below) on each attendee's few best pairs; for an odd count, a bound from one
even problem (an added attendee paired with each at their best trio gain); the assignment relaxation on the
doubled bipartite graph (OR-Tools ``linear_sum_assignment`` on a sparse core,
pricing every left-out pair) gives a bound and reduced costs; where those keep
too much, the matching LP with odd-set (blossom) cuts, solved by GLOP (its duals
refined once more on their own reduced costs), gives an exact integer bound and tighter reduced costs (``blossom.py``).  Reduced-cost
fixing keeps only the pairs (and, for an odd count, the trios) that could beat
the best seating, and exact matchings on what is kept prove the
optimum; the trio is found by trying the candidate trios, cheapest first, so no
model ever holds all trios.  Tied groups where everyone can sit with a best partner are
settled by a cycle cover of those pairs (SciPy's Hopcroft-Karp), which the best-partner bound
proves; even counts whose positive pairs are few and tied by one heaviest matching.  The tuning constants are named, with a
reason each, in ``solver.SolverOptions`` (``solve_matrix(..., solver_options=)``).
Every maximum-weight matching runs our C rendering of that algorithm (``_blossom.c``,
loaded by ``cblossom.py``; ``make install`` compiles it with the system's C compiler):
on flat arrays, with the heaviest pairs as a warm start, it is 3 to 10 times faster than
rustworkx's on the sparse, tied graphs the exact steps hand over (sparse N = 200: 0.3-0.7
against 1.0-2.4 ms over three seeds; N = 1,000: 14 against 142 ms), which decides the sparse family's target.
Where it is not built (no compiler) the solver uses rustworkx's, pinned in
requirements.txt: the fastest maintained weighted-matching code on PyPI (Rust, wheels
for every platform we run).  OR-Tools keeps the assignment and the LP.

Command line
------------
``python -m organizer.matching solve PROBLEM.json`` (or ``-``); see ``__main__.py``.
"""

from organizer.matching.lexicon import stem
from organizer.matching.pairing import describe, explain, need_phrase, solve
from organizer.matching.scoring import STOPWORDS, HelpScores, normalize_tag, score
from organizer.matching.seating import MatrixPairing, solve_matrix
from organizer.matching.types import (
    Attendee,
    Group,
    InfeasibleError,
    Link,
    Lock,
    Match,
    MatchingError,
    Meeting,
    Need,
    Offer,
    Options,
    Pair,
    Pairing,
    Problem,
    Round,
    SolveTimeoutError,
    Term,
)
from organizer.matching.validate import violations
from organizer.matching.weights import forbidden_pairs, table_weight

__all__ = [
    "STOPWORDS",
    "Attendee",
    "Group",
    "HelpScores",
    "InfeasibleError",
    "Link",
    "Lock",
    "Match",
    "MatchingError",
    "MatrixPairing",
    "Meeting",
    "Need",
    "Offer",
    "Options",
    "Pair",
    "Pairing",
    "Problem",
    "Round",
    "SolveTimeoutError",
    "Term",
    "describe",
    "explain",
    "forbidden_pairs",
    "need_phrase",
    "normalize_tag",
    "score",
    "solve",
    "solve_matrix",
    "stem",
    "table_weight",
    "violations",
]
