"""Stable tables on the day: table numbers that survive from one version to the next, the
tables a re-seating keeps, and who moves (in names, for the review).

A version's *reference* is the version people have seen: the published one, else the version
it was based on. A table of the new version that shares at least two people with a table of
the reference keeps that table's number (a kept pair, a pair that a late arrival joined, a trio
that lost one); every other table gets the smallest number still free, best tables first.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from organizer.models import PairingRun, RunStatus
from organizer.pairing import queries


def reference_of(run: PairingRun) -> PairingRun | None:
    """What the people in the room have seen (the published version), else what this version
    was made from; never the version itself."""
    published = queries.published_run(run.event, with_tables=False)  # its tables: reference_tables
    if published is not None and published.id != run.id:
        return published
    based_on = run.based_on
    if based_on is not None and based_on.status == RunStatus.DONE and based_on.id != run.id:
        return based_on
    return None


def kept_tables(run: PairingRun) -> list[list[int]]:
    """Round 1's tables of a version, as lists of user ids (what a re-seating keeps)."""
    return list(queries.round_seating(run, 1).values())


def reference_tables(reference: PairingRun | None, round_: int) -> dict[frozenset[int], int]:
    """The reference's tables of one round: their people and number."""
    if reference is None:
        return {}
    return {frozenset(people): number for number, people in queries.round_seating(reference, round_).items()}


def kept_numbers(tables: list[list[int]], old: dict[frozenset[int], int], locked: list[bool] | None = None) -> list[int]:
    """The numbers of one round's ``tables`` (their people, in their order) given the
    reference's ``old`` tables: a kept table's old number (locked tables claim theirs first),
    else the smallest one free."""
    if not old:
        return list(range(1, len(tables) + 1))
    rank = {seats: i for i, seats in enumerate(old)}  # among several old tables, the first listed
    table_of = {uid: seats for seats in old for uid in seats}
    claimed: dict[int, int] = {}
    taken: set[int] = set()
    for k in sorted(range(len(tables)), key=lambda k: not (locked and locked[k])):
        shared = Counter(table_of[uid] for uid in set(tables[k]) if uid in table_of)
        kept = [seats for seats, count in shared.items() if count >= 2 and old[seats] not in taken]
        if kept:
            claimed[k] = old[min(kept, key=rank.__getitem__)]
            taken.add(claimed[k])
    free = (n for n in range(1, len(tables) + len(taken) + 2) if n not in taken)
    return [claimed.get(k) or next(free) for k in range(len(tables))]


@dataclass
class Move:
    name: str
    sentence: str
    kind: str            # "joins", "moves", "leaves", "new"


def _moves(then: dict[int, list[int]], now: dict[int, list[int]]) -> list[Move]:
    """Who sits elsewhere in ``now`` than in ``then``, two seatings of a round (number -> user
    ids); only the movers' names are read."""
    before, after = ({uid: number for number, people in tables.items() for uid in people} for tables in (then, now))
    arriving = [uid for uid in after if before.get(uid) != after[uid]]
    leaving = [uid for uid in before if uid not in after]
    names = queries.names_of({*arriving, *leaving})
    numbers_before = set(before.values())
    out = []
    for uid in sorted(arriving, key=lambda uid: (after[uid], names[uid])):
        number, name = after[uid], names[uid]
        if uid not in before:
            verb = "joins" if number in numbers_before else "sits at new"
            out.append(Move(name, f"{name} {verb} table {number}", "joins" if verb == "joins" else "new"))
        else:
            out.append(Move(name, f"{name} moves from table {before[uid]} to table {number}", "moves"))
    for uid in sorted(leaving, key=lambda uid: (before[uid], names[uid])):
        out.append(Move(names[uid], f"{names[uid]} leaves table {before[uid]}", "leaves"))
    return out


def compared_with_published(run: queries.Version, published: queries.Version | None) -> tuple[list[Move], bool]:
    """Against the event's ``published`` version (none, or ``run`` itself: nothing to compare): who
    moves in round 1, in words ("Ken Watanabe joins table 4", "Sam Lee moves from table 4 to table
    9", "Dave Okafor leaves table 2"), and whether publishing ``run`` changes a table people have
    already seen; every table of both versions read once (one statement each)."""
    if published is None or published.id == run.id:
        return [], False
    then, now = queries.seating(published), queries.seating(run)
    moved = _moves(then.get(1, {}), now.get(1, {}))
    return moved, bool(moved) or any(_table_set(now.get(r, {})) != _table_set(then.get(r, {}))
                                     for r in range(1, run.rounds + 1))


def _table_set(tables: dict[int, list[int]]) -> set[tuple[int, frozenset[int]]]:
    return {(number, frozenset(people)) for number, people in tables.items()}
