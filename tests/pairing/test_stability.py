"""Table numbers a re-seating keeps, against the rule as first written (every new table tried
against every old table in order), on random seatings with locks."""

import random

from organizer.pairing.stability import kept_numbers


def kept_numbers_by_scan(tables, old, locked=None):
    if not old:
        return list(range(1, len(tables) + 1))
    claimed = {}
    for k in sorted(range(len(tables)), key=lambda k: not (locked and locked[k])):
        members = set(tables[k])
        for seats, number in old.items():
            if len(members & seats) >= 2 and number not in claimed.values():
                claimed[k] = number
                break
    taken = set(claimed.values())
    free = (n for n in range(1, len(tables) + len(taken) + 2) if n not in taken)
    return [claimed.get(k) or next(free) for k in range(len(tables))]


def random_tables(rng, people):
    if len(people) < 2:
        return []
    rng.shuffle(people)
    tables = [people[i:i + 2] for i in range(0, len(people) - len(people) % 2, 2)]
    if len(people) % 2:
        tables[-1].append(people[-1])
    return tables


def test_kept_numbers_agree_with_the_scan_on_random_reseatings():
    rng = random.Random(7)
    for case in range(300):
        n = rng.randint(2, 40)
        people = list(range(1, n + 1))
        before = random_tables(rng, people[:])
        numbers = rng.sample(range(1, 3 * len(before) + 1), len(before))  # numbers need not be 1..T
        old = {frozenset(t): number for t, number in zip(before, numbers)}
        # a re-seating: most tables kept, some people moved, some gone, a few new
        now = [p for p in people if rng.random() > 0.1] + [n + k for k in range(rng.randint(0, 3))]
        after = [t[:] for t in before if rng.random() < 0.7]
        placed = {p for t in after for p in t}
        rest = [p for p in now if p not in placed]
        after = [[p for p in t if p in now] for t in after]
        after = [t for t in after if len(t) >= 2] + random_tables(rng, rest)[:max(0, len(rest) // 2)]
        locked = [rng.random() < 0.2 for _ in after]
        assert kept_numbers(after, old, locked) == kept_numbers_by_scan(after, old, locked), case
        assert kept_numbers(after, old) == kept_numbers_by_scan(after, old), case
