"""The pairing workflow: generate, adjust, publish.

A generation is claim, snapshot, solve, save:
1. `claim_run` adds a new version in state `running` with a claim that expires
   (a second claim while one is alive is refused: `AlreadyRunning`);
2. `execute_run` reads a snapshot of the attendees, ends the transaction, solves
   outside any transaction with the pure `organizer.matching` library, then saves
   the tables in one transaction, only if the run is still the claimed one;
3. a version computed for attendees who changed meanwhile is marked so, and is
   published only when the organizer confirms it.
A failed or timed-out solve marks its version failed and leaves the published one alone.

Needs marked "organizers only" never enter the matching: the reasons are printed on
table cards and shown to partners.
"""

import dataclasses
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from organizer import matching, signals
from organizer.database import transaction
from organizer.errors import ActionRefused
from organizer.events import service as events
from organizer.extensions import db
from organizer.help import service as help_model
from organizer.members.service import blocked_pairs, member_from_label
from organizer.models import (
    AttendeeSource,
    Event,
    EventStatus,
    Group,
    Membership,
    PairingRun,
    PairingSeat,
    PairingTable,
    RunStatus,
    User,
    utcnow,
)
from organizer.outcomes import learning
from organizer.paging import Page, clamp
from organizer.pairing import stability
from organizer.pairing.compute import in_process, score

CLAIM_MARGIN = timedelta(seconds=60)


class AlreadyRunning(ActionRefused):
    def __init__(self, run: PairingRun):
        super().__init__(f"A pairing is already being computed (version {run.version}). Wait for it to finish.")
        self.run = run


# --- who is at the lunch -------------------------------------------------------------

def event_in_group(group: Group, event_id: int, viewer: Membership | None = None) -> Event | None:
    """The event, or None; with `viewer`, None also where the event's page is hidden from them (a draft)."""
    event = events.event_in_group(group, event_id)
    if event is None or (viewer is not None and not events.visible_to(event, viewer)):
        return None
    return event


def default_source(event: Event) -> AttendeeSource:
    """At the door, who checked in; before the event, who answered yes."""
    return AttendeeSource.CHECKED_IN if events.anyone_checked_in(event) else AttendeeSource.GOING


def present_user_ids(event: Event, source: str) -> list[int]:
    """Members present (or going), and the lunch's stand-in guests (seated by name only)."""
    checked_in = source == AttendeeSource.CHECKED_IN
    return events.attendee_user_ids(event, checked_in) + events.lunch_guest_ids(event, checked_in=checked_in)


def attendee_ids_for(event: Event, source: str, inputs: dict) -> list[int]:
    ids = set(present_user_ids(event, source)) | set(inputs.get("added", []))
    return sorted(ids - set(inputs.get("excluded", [])))


def fingerprint(user_ids: Iterable[int]) -> str:
    return hashlib.sha256(",".join(map(str, sorted(user_ids))).encode()).hexdigest()


# --- the problem the solver gets ---------------------------------------------------------

@dataclass
class Snapshot:
    problem: matching.Problem
    names: dict[int, str]
    emails: dict[int, str]
    attendees: dict[int, matching.Attendee]
    learned: list[dict] = field(default_factory=list)  # what earlier lunches changed (outcomes.learning)


def past_meetings(event: Event, user_ids: list[int]) -> list[matching.Meeting]:
    """Who sat together at this group's earlier lunches (published versions only)."""
    present = set(user_ids)
    rows = db.session.execute(
        select(PairingTable.id, PairingSeat.user_id, Event.starts_at)
        .join(PairingSeat, PairingSeat.table_id == PairingTable.id)
        .join(PairingRun, PairingRun.id == PairingTable.run_id)
        .join(Event, Event.id == PairingRun.event_id)
        .where(Event.group_id == event.group_id, Event.id != event.id,
               PairingRun.published_at.is_not(None), Event.starts_at < event.starts_at,
               PairingSeat.user_id.in_(present)))
    tables: dict[int, tuple[list[int], datetime]] = {}
    for table_id, user_id, starts_at in rows:
        tables.setdefault(table_id, ([], starts_at))[0].append(user_id)
    meetings = []
    for members, met_on in tables.values():
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                meetings.append(matching.Meeting(a, b, met_on))
    return meetings


def _present_locks(locks: list[tuple[int, ...]], present: set[int]) -> list[matching.Lock]:
    """Stored locks (``[*user_ids, round]``, a pair or a trio) as the engine's, for the people
    still present: a locked trio that lost someone keeps the other two as a locked pair."""
    out = []
    for *people, r in locks:
        here = [uid for uid in people if uid in present]
        if len(here) >= 2:
            out.append(matching.Lock(here[0], here[1], r, here[2] if len(here) == 3 else None))
    return out


def snapshot(event: Event, user_ids: list[int], locks: list[tuple[int, ...]],
             now: datetime, time_limit_s: float, keep: list[list[int]] = ()) -> Snapshot:
    group = event.group
    attendees = help_model.matching_attendees(group.id, user_ids, event.id)
    present = set(attendees)
    blocked = {tuple(sorted(p)) for p in blocked_pairs(group.id) if p <= present}
    problem = matching.Problem(
        attendees=[attendees[uid] for uid in sorted(attendees)],
        blocked=frozenset(blocked),
        locked=_present_locks(locks, present),
        meetings=past_meetings(event, list(present)),
        rounds=event.rounds,
        now=now,
        options=matching.Options(cooldown_weeks=float(group.repeat_cooldown_weeks),
                                 time_limit_s=time_limit_s, seed=0),
        terms=help_model.model_terms(group.id),
        links=help_model.model_links(group.id, present),
        keep=[kept for kept in (tuple(x for x in t if x in present) for t in keep) if len(kept) >= 2],
    )
    problem, learned = learning.adjust(problem, group.id, event)
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(present)))}
    return Snapshot(problem, {uid: u.name for uid, u in users.items()},
                    {uid: u.email for uid, u in users.items()}, attendees, learned)


# --- claiming and running a version ------------------------------------------------------

def _next_version(event_id: int) -> int:
    return (db.session.scalar(select(func.max(PairingRun.version)).where(PairingRun.event_id == event_id)) or 0) + 1


def running_run(event_id: int) -> PairingRun | None:
    return db.session.scalar(select(PairingRun).where(
        PairingRun.event_id == event_id, PairingRun.status == RunStatus.RUNNING.value))


def _expire_dead_claims(event_id: int, now: datetime) -> None:
    for run in db.session.scalars(select(PairingRun).where(
            PairingRun.event_id == event_id, PairingRun.status == RunStatus.RUNNING.value,
            PairingRun.claimed_until <= now)):
        run.status = RunStatus.FAILED.value
        run.error = "The computation stopped before finishing (its worker was stopped); generate again."
        run.finished_at = now


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
        inputs.setdefault("locks", [[*(s.user_id for s in t.seats), t.round - 1] for t in based_on.tables
                                    if t.locked])
    attendees = attendee_ids_for(event, source, inputs)
    if len(attendees) < 2:
        raise ActionRefused("At least two attendees are needed to pair: "
                            + ("check people in first." if source == AttendeeSource.CHECKED_IN
                               else "nobody else has answered yes yet."))
    inputs["attendees"] = attendees
    run = PairingRun(event_id=event.id, version=_next_version(event.id), status=RunStatus.RUNNING.value,
                     action=action, based_on_id=based_on.id if based_on else None, source=source,
                     rounds=event.rounds, requested_by_id=requested_by.id if requested_by else None,
                     created_at=now, claimed_until=now + timedelta(seconds=time_limit_s) + CLAIM_MARGIN,
                     inputs=inputs, fingerprint=fingerprint(attendees))
    db.session.add(run)
    db.session.flush()
    return run


def execute_run(run_id: int, time_limit_s: float, now: datetime | None = None, compute=None) -> PairingRun:
    """Computes a claimed version: the job runner, so it is a boundary of its own. It reads in
    one transaction, solves outside any transaction (no lock is held while the solver runs),
    then saves in another, only if the run is still the claimed one. Call it with no
    transaction open (after the claim is committed).

    ``compute``: how the scores and seating are computed (default ``compute.in_process``; the
    web process's jobs pass ``compute.isolated`` so a failing solve fails alone)."""
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
        scores, pairing, broken = (compute or in_process)(snap.problem)
    except matching.InfeasibleError as error:
        return _fail(run_id, f"No seating obeys the rules: {error}")
    except matching.SolveTimeoutError:
        return _fail(run_id, f"No seating was found within {time_limit_s:g} seconds.")
    except matching.MatchingError as error:
        return _fail(run_id, f"The pairing could not be computed: {error}")
    if broken:
        return _fail(run_id, "The computed seating broke a rule, so it was not saved: " + "; ".join(broken))
    summary = review_summary(snap, scores, pairing)
    return _save(run_id, snap, scores, pairing, summary)


def _fail(run_id: int, message: str) -> PairingRun:
    """Marks a running version failed, in a transaction of its own (the job runner's)."""
    with transaction():
        run = db.session.get(PairingRun, run_id)
        if run.status == RunStatus.RUNNING:
            run.status = RunStatus.FAILED.value
            run.error = message
            run.finished_at = utcnow()
            run.claimed_until = None
    return run


REASONS_PER_TABLE = 6


def _reason_rows(matches: Iterable[matching.Match], names: dict[int, str], show_at: float,
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
                     "topic": match.topic, "source": _title(match.source) if match.source else "",
                     "source_need_id": match.source_id,
                     "confidence": round(match.confidence, 3),
                     "shown": match.confidence >= show_at,
                     "text": matching.describe(short, names)})
        if len(rows) >= limit:
            break
    return rows


_title = help_model.title_of


def _short(match: matching.Match) -> matching.Match:
    """The link with titles only (details are for the member's page, not a one-line reason)."""
    offer = match.offer
    if offer is not None:
        offer = matching.Offer(_title(offer.text), offer.tags, offer.kind, id=offer.id)
    need = matching.Need(_title(match.need.text), match.need.tags, match.need.priority, id=match.need.id)
    return dataclasses.replace(match, need=need, offer=offer,
                               source=_title(match.source) if match.source else "")


def table_reasons(scores: matching.HelpScores, members: tuple[int, ...], names: dict[int, str],
                  show_at: float) -> list[dict]:
    matches = []
    for a in members:
        for b in members:
            if a != b:
                matches.extend(scores.reasons(a, b))
    matches.sort(key=lambda m: -m.score)
    return _reason_rows(matches, names, show_at)


def review_summary(snap: Snapshot, scores: matching.HelpScores, pairing: matching.Pairing) -> dict:
    """What the organizer reviews besides the tables: needs nobody present can help with,
    and who receives no help from their table, per round."""
    covered = set(scores.match_need.tolist())  # each row: some helper's best offer for that need
    uncovered = [{"user": scores.attendees[owner].id, "need": _title(need.text)}
                 for k, (owner, need) in enumerate(scores.needs) if k not in covered]
    unhelped = []
    for r, round_ in enumerate(pairing.rounds, start=1):
        for group in round_.groups:
            for member in group.members:
                if all(scores.help(other, member) <= 0 for other in group.members if other != member):
                    unhelped.append({"round": r, "user": member})
    return {"uncovered_needs": uncovered, "unhelped": unhelped, "helped": pairing.helped,
            "status": pairing.status, "gap": pairing.gap, "learned": snap.learned}


def worth_meeting(scores: matching.HelpScores, tables: list[tuple[int, tuple[int, ...]]]) -> dict[str, int]:
    """Per table of the first round (by number), one more person in the room worth meeting: the
    attendee at another table who can help, or be helped by, the people at this table the most.
    Saved with the version, so the sheets print it without scoring again."""
    ids = [a.id for a in scores.attendees]
    if len(ids) < 3:
        return {}
    best = {}
    for number, members in tables:
        candidates = [(sum(scores.help(x, m) + scores.help(m, x) for m in members), x)
                      for x in ids if x not in members]
        top = max(candidates, default=(0, None))
        if top[0] > 0:
            best[str(number)] = top[1]
    return best


def _save(run_id: int, snap: Snapshot, scores: matching.HelpScores, pairing: matching.Pairing,
          summary: dict) -> PairingRun:
    with transaction():
        return _save_tables(run_id, snap, scores, pairing, summary)


def _save_tables(run_id: int, snap: Snapshot, scores: matching.HelpScores, pairing: matching.Pairing,
                 summary: dict) -> PairingRun:
    run = db.session.get(PairingRun, run_id)
    events.lock_event(run.event_id)
    db.session.refresh(run)
    if run.status != RunStatus.RUNNING:  # the claim expired and someone moved on: discard
        return run
    _fill_tables(run, pairing.rounds, snap.names, scores, snap.problem.options.show_confidence, locked_pairs={
        (frozenset(lock.people), lock.round + 1) for lock in snap.problem.locked})
    stability.renumber(run, stability.reference_of(run))
    run.objective, run.bound = pairing.objective, pairing.bound
    run.proven_optimal, run.solve_seconds = pairing.proven_optimal, pairing.seconds
    run.summary = {**summary, "worth_meeting": worth_meeting(
        scores, [(t.number, tuple(s.user_id for s in t.seats)) for t in run.tables if t.round == 1])}
    run.status, run.finished_at, run.claimed_until = RunStatus.DONE.value, utcnow(), None
    db.session.flush()
    return run


def _fill_tables(run: PairingRun, rounds, names, scores, show_at: float, locked_pairs=frozenset()) -> None:
    for r, round_ in enumerate(rounds, start=1):
        groups = sorted(round_.groups, key=lambda g: (-g.weight, min(g.members)))
        for number, group in enumerate(groups, start=1):
            members = tuple(group.members)
            table = PairingTable(round=r, number=number, score=round(float(group.weight), 4),
                                 locked=(frozenset(members), r) in locked_pairs,
                                 reasons=table_reasons(scores, members, names, show_at))
            table.seats = [PairingSeat(user_id=uid, position=p) for p, uid in enumerate(members)]
            run.tables.append(table)


# --- changes that make a new version without solving -----------------------------------

def _copy_run(base: PairingRun, action: str, requested_by: User | None, now: datetime) -> PairingRun:
    run = PairingRun(event_id=base.event_id, version=_next_version(base.event_id), status=RunStatus.DONE.value,
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


# --- publishing -----------------------------------------------------------------------

def attendee_changes(run: PairingRun) -> dict[str, list[int]]:
    """Who arrived or left since the version was computed."""
    now_ids = set(attendee_ids_for(run.event, run.source, run.inputs))
    then_ids = set(run.inputs.get("attendees", []))
    return {"arrived": sorted(now_ids - then_ids), "left": sorted(then_ids - now_ids)}


def publish(run: PairingRun, now: datetime, confirm_changed: bool = False) -> None:
    event = events.lock_event(run.event_id)
    db.session.refresh(run)
    if run.status != RunStatus.DONE:
        raise ActionRefused("Only a finished version can be published.")
    if event.status == EventStatus.CANCELLED:
        raise ActionRefused("The event is cancelled.")
    changes = attendee_changes(run)
    if (changes["arrived"] or changes["left"]) and not confirm_changed:
        raise ActionRefused(
            f"The attendees changed since version {run.version} was computed "
            f"({len(changes['arrived'])} arrived, {len(changes['left'])} left). "
            "Re-solve, or confirm that you want to publish it anyway.")
    previous = None
    for other in db.session.scalars(select(PairingRun).where(
            PairingRun.event_id == event.id, PairingRun.published_at.is_not(None), PairingRun.id != run.id)):
        other.published_at = None
        previous = other
    db.session.flush()  # the one-published index holds at every step
    run.published_at = now
    if event.status in (EventStatus.DRAFT, EventStatus.OPEN):
        event.status = EventStatus.PUBLISHED.value
    db.session.flush()
    signals.pairing_published.send(run, event=event, previous=previous, now=now)


def unpublish(event: Event) -> None:
    event = events.lock_event(event.id)
    for run in db.session.scalars(select(PairingRun).where(
            PairingRun.event_id == event.id, PairingRun.published_at.is_not(None))):
        run.published_at = None
    if event.status == EventStatus.PUBLISHED:
        event.status = EventStatus.OPEN.value
    db.session.flush()
    signals.pairing_unpublished.send(event, now=utcnow())


# --- reading ----------------------------------------------------------------------------

def runs_of(event: Event) -> list[PairingRun]:
    return list(db.session.scalars(
        select(PairingRun).where(PairingRun.event_id == event.id).order_by(PairingRun.version.desc())))


def run_of_event(event: Event, version: int | None = None) -> PairingRun | None:
    """The version asked for, else the newest finished one."""
    query = select(PairingRun).where(PairingRun.event_id == event.id).options(
        selectinload(PairingRun.tables).selectinload(PairingTable.seats).selectinload(PairingSeat.user))
    if version is not None:
        return db.session.scalar(query.where(PairingRun.version == version))
    return db.session.scalar(query.where(PairingRun.status == RunStatus.DONE.value)
                             .order_by(PairingRun.version.desc()).limit(1))


def review_run(event: Event, version: int | None = None) -> PairingRun | None:
    """run_of_event without loading its tables: the review shows one page of them (tables_page)."""
    query = select(PairingRun).where(PairingRun.event_id == event.id)
    if version is not None:
        return db.session.scalar(query.where(PairingRun.version == version))
    return db.session.scalar(query.where(PairingRun.status == RunStatus.DONE.value)
                             .order_by(PairingRun.version.desc()).limit(1))


def tables_page(run: PairingRun, number: int, size: int) -> Page:
    """One page of the version's tables (by round, then number), with their seats and people."""
    total = db.session.scalar(select(func.count()).select_from(PairingTable)
                              .where(PairingTable.run_id == run.id)) or 0
    number = clamp(number, total, size)
    rows = list(db.session.scalars(
        select(PairingTable).where(PairingTable.run_id == run.id)
        .order_by(PairingTable.round, PairingTable.number)
        .options(selectinload(PairingTable.seats).selectinload(PairingSeat.user))
        .limit(size).offset((number - 1) * size)))
    return Page(rows, total, number, size)


def seated_names(run: PairingRun) -> dict[int, str]:
    """Everyone seated in the version's first round (every round seats everyone), by name."""
    return {user_id: name for user_id, name in db.session.execute(
        select(PairingSeat.user_id, User.name).join(PairingTable, PairingTable.id == PairingSeat.table_id)
        .join(User, User.id == PairingSeat.user_id)
        .where(PairingTable.run_id == run.id, PairingTable.round == 1)
        .order_by(func.lower(User.name), User.id))}


def round_table_count(run: PairingRun, round_: int = 1) -> int:
    return db.session.scalar(select(func.count()).select_from(PairingTable).where(
        PairingTable.run_id == run.id, PairingTable.round == round_)) or 0


def latest_run(event: Event) -> PairingRun | None:
    return db.session.scalar(select(PairingRun).where(PairingRun.event_id == event.id)
                             .order_by(PairingRun.version.desc()).limit(1))


def published_run(event: Event) -> PairingRun | None:
    return db.session.scalar(
        select(PairingRun).where(PairingRun.event_id == event.id, PairingRun.published_at.is_not(None))
        .options(selectinload(PairingRun.tables).selectinload(PairingTable.seats).selectinload(PairingSeat.user)))


def pairs_by_round(run: PairingRun) -> list[set[frozenset[int]]]:
    tables: dict[int, tuple[int, set[int]]] = {}
    for table_id, round_, user_id in db.session.execute(
            select(PairingTable.id, PairingTable.round, PairingSeat.user_id)
            .join(PairingSeat, PairingSeat.table_id == PairingTable.id).where(PairingTable.run_id == run.id)):
        tables.setdefault(table_id, (round_, set()))[1].add(user_id)
    rounds: list[set[frozenset[int]]] = [set() for _ in range(run.rounds)]
    for round_, members in tables.values():
        rounds[round_ - 1].add(frozenset(members))
    return rounds


@dataclass
class Difference:
    compared_with: int | None
    kept: int = 0
    new_tables: list[frozenset[int]] = field(default_factory=list)
    gone_tables: list[frozenset[int]] = field(default_factory=list)


def difference(run: PairingRun) -> Difference:
    """How this version differs from the one before it (the one it was based on, else the previous)."""
    previous = run.based_on or db.session.scalar(
        select(PairingRun).where(PairingRun.event_id == run.event_id, PairingRun.version < run.version,
                                 PairingRun.status == RunStatus.DONE.value)
        .order_by(PairingRun.version.desc()).limit(1))
    if previous is None or previous.status != RunStatus.DONE:
        return Difference(compared_with=None)
    mine, theirs = pairs_by_round(run), pairs_by_round(previous)
    diff = Difference(compared_with=previous.version)
    for now_tables, then_tables in zip(mine, theirs, strict=False):
        diff.kept += len(now_tables & then_tables)
        diff.new_tables.extend(now_tables - then_tables)
        diff.gone_tables.extend(then_tables - now_tables)
    return diff


@dataclass
class Seat:
    round: int
    table: PairingTable
    partners: list[User]


def my_seats(run: PairingRun, user_id: int) -> list[Seat]:
    seats = []
    for table in run.tables:
        ids = [s.user_id for s in table.seats]
        if user_id in ids:
            seats.append(Seat(table.round, table, [s.user for s in table.seats if s.user_id != user_id]))
    return sorted(seats, key=lambda s: s.round)


def unseated_member(run: PairingRun, group: Group, typed: str) -> Membership:
    """The member a typed choice names ("Name (#id)" from the list, an id, or a name only one
    member has), who has no seat in this version; ActionRefused with the reason otherwise."""
    member = member_from_label(group.id, typed)
    if member is None:
        raise ActionRefused("Choose a member of the group who is not seated yet.")
    if any(s.user_id == member.user_id for t in run.tables for s in t.seats):
        raise ActionRefused(f"{member.user.name} already has a seat in this version.")
    return member


def names_of(user_ids: Iterable[int]) -> dict[int, str]:
    ids = list(user_ids)
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())


def fail_unexpectedly(run_id: int) -> PairingRun:
    return _fail(run_id, "The computation hit an unexpected error; nothing was published. Try again.")


def add_walk_in(run: PairingRun, user_id: int, now: datetime) -> dict:
    """Checks a member in at the door (if not yet) and returns the inputs of a re-solve that seats them."""
    if events.rsvp_of(run.event_id, user_id) is None or events.rsvp_of(run.event_id, user_id).checked_in_at is None:
        events.add_walk_in(run.event, user_id, now)
    excluded = [u for u in run.inputs.get("excluded", []) if u != user_id]
    added = sorted(set(run.inputs.get("added", [])) | {user_id})
    return {"added": added, "excluded": excluded}
