"""The pairing computation (scores, seating, validation, what the review needs of the scores),
in this process or in a child process.

The web process's thread jobs run it in a child (``isolated``) under an address-space cap, so
a solver crash, a runaway memory use or a kill by the kernel fails that pairing alone: the
web worker lives on, the version is marked failed and the published version stays.  The child
is kept warm between computations (its imports and the lexicon are loaded once, not at every
re-pairing at the door) and is replaced after any failure.  The RQ worker and the command line
are processes of their own and compute in place (``in_process``).

What crosses back is what the version saves: the seating (with each table's reasons), the
review's facts and who is worth meeting, not the n x n score matrices.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import resource
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from organizer import matching, settle_startup_objects
from organizer.help.service import title_of

# idle children kept per web process; a child whose resident memory grew past the cap below is
# ended rather than kept (a 5,000-attendee solve's memory need not stay with the web process)
IDLE_CHILDREN = 1
IDLE_MEMORY_MB = 512


REASONS_PER_TABLE = 6


@dataclass(frozen=True)
class Computed:
    """One computation's result, as the version saves it: the seating (its groups without
    their matches: those are ``reasons``), the rules it broke (none, unless a bug), each table's
    reasons as stored (by round, in the seating's order), the review's facts (uncovered needs,
    who receives no help, status) and, per first-round table, the person worth meeting."""
    pairing: matching.Pairing
    broken: list[str]
    reasons: list[list[list[dict]]] = field(default_factory=list)
    review: dict = field(default_factory=dict)
    worth: dict[tuple[int, ...], int] = field(default_factory=dict)


def score(problem: matching.Problem) -> matching.HelpScores:
    """The help model on a problem, with the group's own terms and people's links."""
    return matching.score(problem.attendees, problem.options, problem.terms, problem.links)


def in_process(problem: matching.Problem) -> Computed:
    """Scores and seats ``problem`` within its time limit, scoring included."""
    start = time.perf_counter()
    scores = score(problem)
    pairing = matching.solve(problem, scores, started=start)  # the seating gets what scoring left
    return computed(problem, scores, pairing, matching.violations(problem, pairing))


def computed(problem: matching.Problem, scores: matching.HelpScores, pairing: matching.Pairing,
             broken: list[str]) -> Computed:
    names = {a.id: a.name for a in problem.attendees}
    show_at = problem.options.show_confidence
    reasons = [[reason_rows(group.reasons, names, show_at) for group in round_.groups] for round_ in pairing.rounds]
    tables = [group.members for group in pairing.rounds[0].groups] if pairing.rounds else []
    lean = dataclasses.replace(pairing, rounds=tuple(
        dataclasses.replace(round_, groups=tuple(dataclasses.replace(g, reasons=()) for g in round_.groups))
        for round_ in pairing.rounds))
    return Computed(lean, broken, reasons, review_facts(scores, pairing), worth_meeting(scores, tables))


def reason_rows(matches: Iterable[matching.Match], names: dict[int, str], show_at: float,
                limit: int = REASONS_PER_TABLE) -> list[dict]:
    """The table's links as stored: which need and offer each is about (by id, so who may
    see them is checked whenever they are shown), how it was found, how sure the model is,
    and whether members see it. At most one per (helper, need), best first."""
    rows = []
    seen = set()
    for match in matches:
        key = (match.helper, match.need.id, match.need.text)
        if key in seen:
            continue
        seen.add(key)
        short = _short(match)
        rows.append({"helper": match.helper, "helped": match.helped,
                     "need": short.need.text, "need_id": match.need.id,
                     "offer": short.offer.text if short.offer else None,
                     "offer_id": match.offer.id if match.offer else None,
                     "via": "offer" if match.via == "text" else match.via,
                     "topic": match.topic, "source": title_of(match.source) if match.source else "",
                     "source_need_id": match.source_id,
                     "confidence": round(match.confidence, 3),
                     "shown": match.confidence >= show_at,
                     "text": matching.describe(short, names)})
        if len(rows) >= limit:
            break
    return rows


def _short(match: matching.Match) -> matching.Match:
    """The link with titles only (details are for the member's page, not a one-line reason);
    the link itself when its texts are titles already (most are: a copy costs 20 us, and a
    seating of 1,000 lists about 3,000 links)."""
    offer, need, source = match.offer, match.need, match.source
    if offer is not None and "\n" in offer.text:
        offer = matching.Offer(title_of(offer.text), offer.tags, offer.kind, id=offer.id)
    if "\n" in need.text:
        need = matching.Need(title_of(need.text), need.tags, need.priority, id=need.id)
    if source and "\n" in source:
        source = title_of(source)
    if offer is match.offer and need is match.need and source == match.source:
        return match
    return dataclasses.replace(match, need=need, offer=offer, source=source or "")


def table_reasons(scores: matching.HelpScores, members: tuple[int, ...], names: dict[int, str],
                  show_at: float) -> list[dict]:
    """A table's reasons as stored, for a table made by hand (a swap)."""
    matches = []
    for a in members:
        for b in members:
            if a != b:
                matches.extend(scores.reasons(a, b))
    matches.sort(key=lambda m: -m.score)
    return reason_rows(matches, names, show_at)


def review_facts(scores: matching.HelpScores, pairing: matching.Pairing) -> dict:
    """What the organizer reviews besides the tables: needs nobody present can help with,
    and who receives no help from their table, per round."""
    uncovered = [{"user": scores.attendees[scores.needs[k][0]].id, "need": title_of(scores.needs[k][1].text)}
                 for k in np.flatnonzero(~scores.covered).tolist()]
    unhelped = []
    for r, round_ in enumerate(pairing.rounds, start=1):
        for group in round_.groups:
            at = [scores.index(member) for member in group.members]
            received = scores.matrix[np.ix_(at, at)]  # [helper, helped] within the table
            np.fill_diagonal(received, 0.0)
            for member, best in zip(group.members, received.max(axis=0).tolist()):
                if best <= 0:
                    unhelped.append({"round": r, "user": member})
    return {"uncovered_needs": uncovered, "unhelped": unhelped, "helped": pairing.helped,
            "status": pairing.status, "gap": pairing.gap}


def worth_meeting(scores: matching.HelpScores, tables: list[tuple[int, ...]]) -> dict[tuple[int, ...], int]:
    """Per table of the first round (by its members), one more person in the room worth
    meeting: the attendee at another table who can help, or be helped by, the people at this
    table the most. Saved with the version (by table number), so the sheets print it without
    scoring again."""
    ids = np.array([a.id for a in scores.attendees], dtype=np.int64)
    if len(ids) < 3:
        return {}
    matrix = scores.matrix
    best: dict[tuple[int, ...], int] = {}
    for members in tables:
        worth = np.zeros(len(ids))  # for every attendee x: help(x -> m) + help(m -> x), summed over m
        at = [scores.index(m) for m in members]
        for k in at:
            worth += matrix[:, k] + matrix[k, :]
        worth[at] = -np.inf  # not someone at this table
        top = worth.max()
        if top > 0:  # the most worth; among equals, the highest id (as max() over (worth, id) picks)
            best[tuple(members)] = int(ids[worth == top].max())
    return best


# --- the child process ---------------------------------------------------------------------

def _serve(conn) -> None:
    """A child's loop: one problem at a time, under the address-space cap it comes with; ends
    when the web process closes its end (or dies), or after a failure it reported."""
    settle_startup_objects()
    while True:
        try:
            problem, memory_mb = conn.recv()
        except (EOFError, OSError):
            return
        cap = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (cap, resource.RLIM_INFINITY))
        try:
            result = in_process(problem)
        except MemoryError:
            conn.send(("failed", matching.MatchingError(f"the computation needed more than {memory_mb} MB of memory")))
            return
        except matching.MatchingError as error:
            conn.send(("error", error))  # the solver's answer ("no seating obeys the rules"): the child is fine
            continue
        resource.setrlimit(resource.RLIMIT_AS, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
        conn.send(("ok", result, _resident_mb()))


def _resident_mb() -> float:
    try:
        with open(f"/proc/{os.getpid()}/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return 0.0


class _Child:
    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")  # no locks or connections inherited
        self.conn, child_end = context.Pipe(duplex=True)
        self.process = context.Process(target=_serve, args=(child_end,), name="pairing-compute", daemon=True)
        self.process.start()
        child_end.close()
        self.pid = os.getpid()  # the web process that started it (a forked copy must not share it)

    def end(self) -> None:
        self.conn.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)


_idle: list[_Child] = []
_idle_lock = threading.Lock()


def _take() -> _Child:
    with _idle_lock:
        while _idle:
            child = _idle.pop()
            if child.pid == os.getpid() and child.process.is_alive():
                return child
            if child.pid == os.getpid():
                child.end()
    return _Child()


def _give_back(child: _Child, resident_mb: float) -> None:
    with _idle_lock:
        if len(_idle) < IDLE_CHILDREN and resident_mb <= IDLE_MEMORY_MB:
            _idle.append(child)
            return
    child.end()


def isolated(problem: matching.Problem, memory_mb: int, wait_s: float) -> Computed:
    """``in_process`` in a child process (spawned, and kept for the next computation while it
    is well) whose address space is capped at ``memory_mb``.  Raises MatchingError when the
    child fails, dies or is still running after ``wait_s`` seconds (then it is ended)."""
    child = _take()
    kept = False
    try:
        try:
            child.conn.send((problem, memory_mb))
            if not child.conn.poll(wait_s):
                raise matching.MatchingError(f"the computation did not finish within {wait_s:g} seconds")
            answer = child.conn.recv()
        except (EOFError, OSError):
            child.process.join(5)
            raise matching.MatchingError(
                f"the computation stopped unexpectedly (exit code {child.process.exitcode})") from None
        kind, payload = answer[0], answer[1]
        if kind == "ok":
            kept = True
            _give_back(child, answer[2])
            return payload
        kept = kind == "error"
        if kept:
            _give_back(child, 0.0)
        raise payload
    finally:
        if not kept:
            child.end()
