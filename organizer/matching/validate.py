"""violations(problem, pairing): every broken rule, in words.  Independent of the solver."""

from __future__ import annotations

from itertools import combinations

from organizer.matching.types import Pairing, Problem, normalise_pair
from organizer.matching.weights import forbidden_pairs


def violations(problem: Problem, pairing: Pairing) -> list[str]:
    """Human-readable broken rules; an empty list means the pairing may be saved.

    Checks: the number of rounds; groups of two (three for the one trio of an
    odd count); nobody unseated, seated twice, unknown or excluded; at most one
    trio per round and none when the count is even; no forbidden pair (blocked,
    or met within the cool-down) at a table; no pair at a table in two rounds;
    every locked pair or trio at one table in its round (a locked trio does not
    count as the round's one trio).
    """
    names = {a.id: a.label for a in problem.attendees}
    known = set(names)

    def who(x: int) -> str:
        return names.get(x, f"#{x}")

    out: list[str] = []
    if len(pairing.rounds) != problem.rounds:
        out.append(f"expected {problem.rounds} round(s), got {len(pairing.rounds)}")
    expected = {a.id for a in problem.seated_attendees}
    forbidden = forbidden_pairs(problem)
    first_round_of: dict[tuple[int, int], int] = {}
    for r, rnd in enumerate(pairing.rounds):
        where = f"round {r + 1}"
        seen: dict[int, int] = {}
        trios = 0
        together: set[tuple[int, int]] = set()
        for group in rnd.groups:
            members = tuple(group.members)
            if len(members) not in (2, 3):
                out.append(f"{where}: a table of {len(members)} ({', '.join(who(x) for x in members)}); tables seat two, or three once")
            if len(members) == 3:
                trios += 1
            for x in members:
                if x not in known:
                    out.append(f"{where}: unknown attendee #{x} is seated")
                elif x in problem.excluded:
                    out.append(f"{where}: {who(x)} is excluded but seated")
                seen[x] = seen.get(x, 0) + 1
            for a, b in combinations(members, 2):
                if a == b:
                    continue
                pair = normalise_pair(a, b)
                together.add(pair)
                if pair in forbidden:
                    out.append(f"{where}: {who(pair[0])} and {who(pair[1])} may not be seated together")
                if pair in first_round_of and first_round_of[pair] != r:
                    out.append(f"{where}: {who(pair[0])} and {who(pair[1])} already met in round {first_round_of[pair] + 1}")
        for pair in together:
            first_round_of.setdefault(pair, r)
        for x, count in sorted(seen.items()):
            if count > 1:
                out.append(f"{where}: {who(x)} is seated {count} times")
        for x in sorted(expected - set(seen)):
            out.append(f"{where}: {who(x)} is not seated")
        locked_trios = [lock for lock in problem.locked if lock.round == r and lock.c is not None]
        in_locked_trio = {x for lock in locked_trios for x in lock.people}
        free_trios = trios - len(locked_trios)
        if free_trios > 1:
            besides = " besides locked trios" if locked_trios else ""
            out.append(f"{where}: {trios} trios; at most one is allowed{besides}")
        if free_trios > 0 and len(expected - in_locked_trio) % 2 == 0:
            out.append(f"{where}: a trio although an even number of attendees can all sit in pairs")
        for lock in problem.locked:
            if lock.round != r:
                continue
            if not all(normalise_pair(a, b) in together for a, b in combinations(lock.people, 2)):
                what = "pair" if lock.c is None else "trio"
                out.append(f"{where}: locked {what} {' and '.join(who(x) for x in lock.people)} is not at the same table")
    return out
