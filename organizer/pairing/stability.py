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


def moves(run: queries.Version, reference: queries.Version | None, round_: int = 1) -> list[Move]:
    """Who sits elsewhere than in ``reference``, in words: "Ken Watanabe joins table 4",
    "Sam Lee moves from table 4 to table 9", "Dave Okafor leaves table 2"."""
    if reference is None:
        return []
    seated = [queries.round_seating(version, round_) for version in (reference, run)]
    names = queries.names_of({uid for tables in seated for people in tables.values() for uid in people})
    before, after = ({uid: (number, names[uid]) for number, people in tables.items() for uid in people}
                     for tables in seated)
    numbers_before = {n for n, _ in before.values()}
    out = []
    for uid, (number, name) in sorted(after.items(), key=lambda item: (item[1][0], item[1][1])):
        if uid not in before:
            verb = "joins" if number in numbers_before else "sits at new"
            out.append(Move(name, f"{name} {verb} table {number}", "joins" if verb == "joins" else "new"))
        elif before[uid][0] != number:
            out.append(Move(name, f"{name} moves from table {before[uid][0]} to table {number}", "moves"))
    for uid, (number, name) in sorted(before.items(), key=lambda item: (item[1][0], item[1][1])):
        if uid not in after:
            out.append(Move(name, f"{name} leaves table {number}", "leaves"))
    return out


def changes_seen_tables(run: queries.Version, published: queries.Version | None = None) -> bool:
    """Publishing ``run`` would change a table that people have already seen (``published``:
    the published version, when the caller has it; else it is read: ``run`` is then an object)."""
    if published is None:
        published = queries.published_run(run.event, with_tables=False)
    if published is None or published.id == run.id:
        return False
    return bool(moves(run, published)) or any(
        True for r in range(1, run.rounds + 1) if _tables(run, r) != _tables(published, r))


def _tables(run: queries.Version, round_: int) -> set[tuple[int, frozenset[int]]]:
    return {(number, frozenset(people)) for number, people in queries.round_seating(run, round_).items()}
