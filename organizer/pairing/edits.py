"""Changes that make a new version of a pairing without solving: locking a table, swapping two
people (read and scored outside any transaction first, see `swap_scores`), and the inputs of a
re-solve that seats a walk-in.
"""

from dataclasses import dataclass
from datetime import datetime

from organizer import matching
from organizer.errors import ActionRefused
from organizer.events import service as events
from organizer.extensions import db
from organizer.members.service import member_from_label
from organizer.models import (
    Group,
    Membership,
    PairingRun,
    PairingSeat,
    PairingTable,
    RunStatus,
    User,
)
from organizer.pairing import queries
from organizer.pairing.compute import score, table_reasons
from organizer.pairing.runs import next_version
from organizer.pairing.snapshots import Snapshot, snapshot


def _copy_run(base: PairingRun, action: str, requested_by: User | None, now: datetime) -> PairingRun:
    run = PairingRun(event_id=base.event_id, version=next_version(base.event_id), status=RunStatus.DONE,
                     action=action, based_on_id=base.id, source=base.source, rounds=base.rounds,
                     requested_by_id=requested_by.id if requested_by else None, created_at=now, finished_at=now,
                     inputs=dict(base.inputs), fingerprint=base.fingerprint, objective=base.objective,
                     bound=base.bound, proven_optimal=False, solve_seconds=0.0, summary=dict(base.summary))
    for table in base.tables:
        copy = PairingTable(round=table.round, number=table.number, score=table.score, locked=table.locked,
                            reasons=list(table.reasons))
        copy.seats = [PairingSeat(user_id=s.user_id, position=s.position) for s in table.seats]
        run.tables.append(copy)
    db.session.add(run)
    return run


def _require_done(run: PairingRun) -> None:
    if run.status != RunStatus.DONE:
        raise ActionRefused("Only a finished version can be changed.")


def set_locked(run: PairingRun, table_id: int, locked: bool, requested_by: User, now: datetime) -> PairingRun:
    _require_done(run)
    events.lock_event(run.event_id)
    table = next((t for t in run.tables if t.id == table_id), None)
    if table is None:
        raise ActionRefused("That table is not in this version.")
    new = _copy_run(run, "lock" if locked else "unlock", requested_by, now)
    target = next(t for t in new.tables if (t.round, t.number) == (table.round, table.number))
    target.locked = locked
    new.proven_optimal = run.proven_optimal and not locked
    db.session.flush()
    return new


@dataclass
class SwapScores:
    """What a swap re-scores its two tables with: read in one transaction, scored outside any
    (the boundary ends the read first, so no lock is held while scoring)."""

    snapshot: Snapshot
    scores: matching.HelpScores | None = None

    def score(self) -> None:
        self.scores = score(self.snapshot.problem)


def swap_scores(run: PairingRun, first_id: int, second_id: int, round_number: int, now: datetime,
                time_limit_s: float) -> SwapScores:
    """Checks that the swap can be made and reads what scoring it needs (reads only)."""
    _check_swap(run, first_id, second_id, round_number)
    return SwapScores(snapshot(run.event, run.inputs["attendees"], [], now, time_limit_s))


def _check_swap(run: PairingRun, first_id: int, second_id: int, round_number: int) -> None:
    _require_done(run)
    if first_id == second_id:
        raise ActionRefused("Choose two different people.")
    tables = [t for t in run.tables if t.round == round_number]
    seat_of = {s.user_id: t for t in tables for s in t.seats}
    if first_id not in seat_of or second_id not in seat_of:
        raise ActionRefused("Both people must be seated in that round.")
    if seat_of[first_id] is seat_of[second_id]:
        raise ActionRefused("They already sit at the same table.")
    for person in (first_id, second_id):
        if seat_of[person].locked:
            name = next(s.user.name for s in seat_of[person].seats if s.user_id == person)
            raise ActionRefused(f"{name} sits at a locked table (table {seat_of[person].number}): "
                                "unlock it first if they should move.")


def swap(run: PairingRun, first_id: int, second_id: int, round_number: int, requested_by: User,
         now: datetime, scored: SwapScores) -> PairingRun:
    """Exchanges two people's seats in one round; both tables are locked afterwards.
    `scored`: swap_scores() of the same swap, scored."""
    events.lock_event(run.event_id)
    db.session.refresh(run)
    _check_swap(run, first_id, second_id, round_number)  # again, under the lock
    snap, scores = scored.snapshot, scored.scores
    if scores is None:
        raise RuntimeError("score the swap (SwapScores.score) before making it")
    new = _copy_run(run, "swap", requested_by, now)
    changed = []
    for table in new.tables:
        if table.round != round_number:
            continue
        for seat in table.seats:
            if seat.user_id in (first_id, second_id):
                seat.user_id = second_id if seat.user_id == first_id else first_id
                changed.append(table)
    broken = matching.violations(snap.problem, _pairing_from_tables(new))
    if broken:
        raise ActionRefused("That swap would seat together two people who must not be paired "
                            "(a do-not-pair choice, or they lunched together recently).")
    for table in changed:
        members = tuple(s.user_id for s in table.seats)
        table.score = round(matching.table_weight(scores, snap.problem, members), 4)
        table.reasons = table_reasons(scores, members, snap.names, snap.problem.options.show_confidence)
        table.locked = True
    new.objective = round(sum(t.score for t in new.tables), 4)
    new.proven_optimal = False
    db.session.flush()
    return new


def _pairing_from_tables(run: PairingRun) -> matching.Pairing:
    rounds = []
    for r in range(1, run.rounds + 1):
        groups = tuple(matching.Group(tuple(s.user_id for s in t.seats), 0.0)
                       for t in run.tables if t.round == r)
        rounds.append(matching.Round(groups, 0.0, 0.0, False))
    return matching.Pairing(tuple(rounds), 0.0, 0.0, False, 0.0)


def unseated_member(run: PairingRun, group: Group, typed: str) -> Membership:
    """The member a typed choice names ("Name (#id)" from the list, an id, or a name only one
    member has), who has no seat in this version; ActionRefused with the reason otherwise."""
    member = member_from_label(group.id, typed)
    if member is None:
        raise ActionRefused("Choose a member of the group who is not seated yet.")
    if queries.seats_of(run, [member.user_id])[member.user_id]:
        raise ActionRefused(f"{member.user.name} already has a seat in this version.")
    return member


def add_walk_in(run: PairingRun, user_id: int, now: datetime) -> dict:
    """Checks a member in at the door (if not yet) and returns the inputs of a re-solve that seats them."""
    rsvp = events.rsvp_of(run.event_id, user_id)
    if rsvp is None or rsvp.checked_in_at is None:
        events.add_walk_in(run.event, user_id, now)
    excluded = [u for u in run.inputs.get("excluded", []) if u != user_id]
    added = sorted(set(run.inputs.get("added", [])) | {user_id})
    return {"added": added, "excluded": excluded}
