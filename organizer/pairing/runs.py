"""Generating a version: claim, snapshot, solve, save.

1. `claim_run` adds a new version in state `running` with a claim that expires
   (a second claim while one is alive is refused: `AlreadyRunning`);
2. `execute_run` reads a snapshot of the attendees, ends the transaction, solves
   outside any transaction with the pure `organizer.matching` library, then saves
   the tables in one transaction, only if the run is still the claimed one;
3. a version computed for attendees who changed meanwhile is marked so, and is
   published only when the organizer confirms it (`publishing`).
A failed or timed-out solve marks its version failed and leaves the published one alone.
`execute_run` is a job runner: it opens its own transactions.
"""

from datetime import datetime, timedelta

from sqlalchemy import func, insert, select

from organizer import matching
from organizer.database import transaction
from organizer.errors import ActionRefused
from organizer.events import service as events
from organizer.extensions import db
from organizer.models import (
    AttendeeSource,
    Event,
    EventStatus,
    PairingRun,
    PairingSeat,
    PairingTable,
    RunStatus,
    User,
    utcnow,
)
from organizer.pairing import stability
from organizer.pairing.compute import Computed, in_process
from organizer.pairing.snapshots import Snapshot, attendee_ids_for, default_source, fingerprint, snapshot

CLAIM_MARGIN = timedelta(seconds=60)


class AlreadyRunning(ActionRefused):
    def __init__(self, run: PairingRun):
        super().__init__(f"A pairing is already being computed (version {run.version}). Wait for it to finish.")
        self.run = run


def next_version(event_id: int) -> int:
    return (db.session.scalar(select(func.max(PairingRun.version)).where(PairingRun.event_id == event_id)) or 0) + 1


def running_run(event_id: int) -> PairingRun | None:
    return db.session.scalar(select(PairingRun).where(
        PairingRun.event_id == event_id, PairingRun.status == RunStatus.RUNNING))


def _expire_dead_claims(event_id: int, now: datetime) -> None:
    for run in db.session.scalars(select(PairingRun).where(
            PairingRun.event_id == event_id, PairingRun.status == RunStatus.RUNNING,
            PairingRun.claimed_until <= now)):
        run.status = RunStatus.FAILED
        run.error = "The computation stopped before finishing (its worker was stopped); generate again."
        run.finished_at = now


def locked_tables(run: PairingRun) -> list[list[int]]:
    """The version's locked tables as stored in a claim's inputs: ``[*user_ids, round - 1]``."""
    tables: dict[int, list[int]] = {}
    for table_id, round_, user_id in db.session.execute(
            select(PairingTable.id, PairingTable.round, PairingSeat.user_id)
            .join(PairingSeat, PairingSeat.table_id == PairingTable.id)
            .where(PairingTable.run_id == run.id, PairingTable.locked.is_(True))
            .order_by(PairingTable.round, PairingTable.number, PairingSeat.position)):
        tables.setdefault(table_id, [round_ - 1]).append(user_id)
    return [[*people[1:], people[0]] for people in tables.values()]


def claim_run(event: Event, requested_by: User | None, now: datetime, time_limit_s: float, *,
              action: str = "generate", based_on: PairingRun | None = None,
              source: str | None = None, inputs: dict | None = None) -> PairingRun:
    """Adds a running version for the event, or refuses while another one is alive. The
    boundary commits it before the job starts (execute_run reads it in a transaction of its own)."""
    event = events.lock_event(event.id)
    if event.status == EventStatus.CANCELLED:
        raise ActionRefused("The event is cancelled.")
    _expire_dead_claims(event.id, now)
    alive = running_run(event.id)
    if alive is not None:
        raise AlreadyRunning(alive)
    inputs = dict(inputs or {})
    source = source or (based_on.source if based_on else default_source(event).value)
    if based_on is not None:
        inputs.setdefault("excluded", list(based_on.inputs.get("excluded", [])))
        inputs.setdefault("added", list(based_on.inputs.get("added", [])))
        inputs.setdefault("locks", locked_tables(based_on))
    attendees = attendee_ids_for(event, source, inputs)
    if len(attendees) < 2:
        raise ActionRefused("At least two attendees are needed to pair: "
                            + ("check people in first." if source == AttendeeSource.CHECKED_IN
                               else "nobody else has answered yes yet."))
    inputs["attendees"] = attendees
    run = PairingRun(event_id=event.id, version=next_version(event.id), status=RunStatus.RUNNING,
                     action=action, based_on_id=based_on.id if based_on else None, source=source,
                     rounds=event.rounds, requested_by_id=requested_by.id if requested_by else None,
                     created_at=now, claimed_until=now + timedelta(seconds=time_limit_s) + CLAIM_MARGIN,
                     inputs=inputs, fingerprint=fingerprint(attendees))
    db.session.add(run)
    db.session.flush()
    return run


def execute_run(run_id: int, time_limit_s: float, now: datetime | None = None, compute=None) -> PairingRun | None:
    """Computes a claimed version: the job runner, so it is a boundary of its own. It reads in
    one transaction, solves outside any transaction (no lock is held while the solver runs),
    then saves in another, only if the run is still the claimed one. Call it with no
    transaction open (after the claim is committed).

    ``compute``: how the scores and seating are computed (default ``compute.in_process``; the
    web process's jobs pass ``compute.isolated`` so a failing solve fails alone); it returns
    a ``compute.Computed``."""
    now = now or utcnow()
    with transaction():
        run = db.session.get(PairingRun, run_id)
        if run is None or run.status != RunStatus.RUNNING:
            return run
        locks = [tuple(lock) for lock in run.inputs.get("locks", [])]
        try:
            snap = snapshot(run.event, run.inputs["attendees"], locks, now, time_limit_s, run.inputs.get("keep", []))
        except matching.MatchingError as error:
            snap = None
            failure = f"The attendees could not be prepared for pairing: {error}"
    if snap is None:
        return _fail(run_id, failure)
    try:
        result = (compute or in_process)(snap.problem)
    except matching.InfeasibleError as error:
        return _fail(run_id, f"No seating obeys the rules: {error}")
    except matching.SolveTimeoutError:
        return _fail(run_id, f"No seating was found within {time_limit_s:g} seconds.")
    except matching.MatchingError as error:
        return _fail(run_id, f"The pairing could not be computed: {error}")
    if result.broken:
        return _fail(run_id, "The computed seating broke a rule, so it was not saved: " + "; ".join(result.broken))
    return _save(run_id, snap, result)


def _fail(run_id: int, message: str) -> PairingRun:
    """Marks a running version failed, in a transaction of its own (the job runner's)."""
    with transaction():
        run = db.session.get_one(PairingRun, run_id)
        if run.status == RunStatus.RUNNING:
            run.status = RunStatus.FAILED
            run.error = message
            run.finished_at = utcnow()
            run.claimed_until = None
    return run


def _save(run_id: int, snap: Snapshot, result: Computed) -> PairingRun:
    """Saves a computed version (its tables' reasons, review facts and who is worth meeting
    were worked out with it, so the write transaction is short: at the door, check-ins wait
    for it)."""
    summary = {**result.review, "learned": snap.learned}
    with transaction():
        return _save_tables(run_id, snap, result.pairing, summary, result.reasons, result.worth)


def _save_tables(run_id: int, snap: Snapshot, pairing: matching.Pairing, summary: dict,
                 reasons: list[list[list[dict]]], worth: dict[tuple[int, ...], int]) -> PairingRun:
    run = db.session.get_one(PairingRun, run_id)
    events.lock_event(run.event_id)
    db.session.refresh(run)
    if run.status != RunStatus.RUNNING:  # the claim expired and someone moved on: discard
        return run
    locked_pairs = {(frozenset(lock.people), lock.round + 1) for lock in snap.problem.locked}
    first_round = _insert_tables(run, pairing.rounds, reasons, locked_pairs, stability.reference_of(run))
    run.objective, run.bound = pairing.objective, pairing.bound
    run.proven_optimal, run.solve_seconds = pairing.proven_optimal, pairing.seconds
    run.summary = {**summary, "worth_meeting": {str(number): worth[members] for number, members in first_round
                                                if members in worth}}
    run.status, run.finished_at, run.claimed_until = RunStatus.DONE, utcnow(), None
    db.session.flush()
    return run


def _insert_tables(run: PairingRun, rounds, reasons: list[list[list[dict]]], locked_pairs,
                   reference: PairingRun | None) -> list[tuple[int, tuple[int, ...]]]:
    """Adds the version's tables (with ``reasons``, by round and group) and seats in two
    statements (a re-pairing at the door writes hundreds of each), numbered as the reference
    numbered them where kept (see stability); returns round 1's (number, members)."""
    table_rows, numbered, seated, first_round = [], [], [], []
    for r, (round_, round_reasons) in enumerate(zip(rounds, reasons), start=1):
        order = sorted(range(len(round_.groups)),
                       key=lambda k: (-round_.groups[k].weight, min(round_.groups[k].members)))
        members_of = [tuple(round_.groups[k].members) for k in order]
        locked = [(frozenset(members), r) in locked_pairs for members in members_of]
        numbers = stability.kept_numbers([list(m) for m in members_of], stability.reference_tables(reference, r),
                                         locked=locked)
        for k, members, number, is_locked in zip(order, members_of, numbers, locked):
            table_rows.append({"run_id": run.id, "round": r, "number": number,
                               "score": round(float(round_.groups[k].weight), 4),
                               "locked": is_locked, "reasons": round_reasons[k]})
            numbered.append((r, number))
            seated.append(members)
            if r == 1:
                first_round.append((number, members))
    if table_rows:
        # inserted without RETURNING (SQLite would send that one row at a time), then read back
        # by (round, number), which is unique within a version
        db.session.execute(insert(PairingTable), table_rows)
        ids = {(r, number): table_id for table_id, r, number in db.session.execute(
            select(PairingTable.id, PairingTable.round, PairingTable.number).where(PairingTable.run_id == run.id))}
        table_ids = [ids[key] for key in numbered]
        db.session.execute(insert(PairingSeat), [
            {"table_id": table_id, "user_id": uid, "position": p}
            for table_id, members in zip(table_ids, seated) for p, uid in enumerate(members)])
    db.session.expire(run, ["tables"])
    return first_round


def fail_unexpectedly(run_id: int) -> PairingRun:
    return _fail(run_id, "The computation hit an unexpected error; nothing was published. Try again.")
