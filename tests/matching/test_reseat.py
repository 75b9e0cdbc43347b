"""Re-seating with the fewest changes (``Problem.keep``): its optimum equals a brute-force oracle
over every seating, lexicographic (kept tables first, then the total weight)."""

import itertools

import numpy as np
import pytest

from organizer.matching import Attendee, Lock, MatchingError, Problem, solve, violations


def seatings(people, allowed, trio_left):
    """Every seating of ``people``: pairs, and one trio when ``trio_left`` (an odd count)."""
    if not people:
        yield []
        return
    first, rest = people[0], people[1:]
    for k, partner in enumerate(rest):
        if not allowed(first, partner):
            continue
        others = rest[:k] + rest[k + 1:]
        for seating in seatings(others, allowed, trio_left):
            yield [(first, partner)] + seating
        if trio_left:
            for j, third in enumerate(others):
                if allowed(first, third) and allowed(partner, third):
                    remaining = others[:j] + others[j + 1:]
                    for seating in seatings(remaining, allowed, False):
                        yield [(first, partner, third)] + seating


def value(tables, weight, together):
    """(kept, weight) as the rules count them: a pair its value, the trio half its three pairs."""
    kept = total = 0.0
    for t in tables:
        pairs = list(itertools.combinations(t, 2))
        share = 1 if len(t) == 2 else 0.5
        kept += share * sum(together(a, b) for a, b in pairs)
        total += share * sum(weight[a, b] for a, b in pairs)
    return kept, total


def oracle(n, weight, forbidden, keep, locks=()):
    table_of = {x: t for t in keep for x in t}

    def together(a, b):
        return 2 if table_of.get(a) is not None and table_of.get(a) == table_of.get(b) else 0

    def allowed(a, b):
        return (min(a, b), max(a, b)) not in forbidden

    best = None
    for tables in seatings(list(range(n)), allowed, n % 2 == 1):
        seat = {x: t for t in tables for x in t}
        if any(seat[a] != seat[b] for a, b in locks):
            continue
        v = value(tables, weight, together)
        best = v if best is None or v > best else best
    return best, together


def random_case(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.choice([4, 5, 6, 7, 8, 9]))
    weight = np.zeros((n, n))
    rows = []
    for a, b in itertools.combinations(range(n), 2):
        w = int(rng.integers(0, 20))
        weight[a, b] = weight[b, a] = w
        rows.append((a, b, w))
    # the published seating of the people present before: a random seating of a random subset
    before = [int(x) for x in rng.permutation(n)[: int(rng.integers(2, n + 1))]]
    keep, k = [], 0
    while len(before) - k >= 2:
        size = 3 if len(before) - k == 3 else 2
        keep.append(tuple(before[k:k + size]))
        k += size
    forbidden = {tuple(sorted(map(int, rng.choice(n, 2, replace=False)))) for _ in range(int(rng.integers(0, 3)))}
    keep = [t for t in keep if not any((min(a, b), max(a, b)) in forbidden for a, b in itertools.combinations(t, 2))]
    return n, weight, rows, forbidden, keep


@pytest.mark.parametrize("seed", range(80))
def test_the_re_seating_equals_the_brute_force_optimum(seed):
    n, weight, rows, forbidden, keep = random_case(seed)
    best, together = oracle(n, weight, forbidden, keep)
    problem = Problem(tuple(Attendee(i) for i in range(n)), weights=tuple(rows), blocked=frozenset(forbidden),
                      keep=tuple(keep))
    if best is None:
        with pytest.raises(MatchingError):
            solve(problem)
        return
    pairing = solve(problem)
    assert violations(problem, pairing) == []
    assert pairing.proven_optimal
    got = value([g.members for g in pairing.rounds[0].groups], weight, together)
    assert got[0] == best[0]                      # as many kept tables as possible
    assert got[1] == pytest.approx(best[1])       # then the heaviest among those


def test_a_late_arrival_joins_a_kept_table_and_nobody_moves():
    # 0-1 and 2-3 were published; 4 arrives and helps 2 and 3 the most.
    rows = [(0, 1, 5), (2, 3, 5), (0, 2, 9), (1, 3, 9), (4, 2, 3), (4, 3, 3), (4, 0, 1)]
    problem = Problem(tuple(Attendee(i) for i in range(5)), weights=tuple(rows), keep=((0, 1), (2, 3)))
    tables = {g.members for g in solve(problem).rounds[0].groups}
    assert tables == {(0, 1), (2, 3, 4)}
    # without keep, the heavier 0-2 and 1-3 would be chosen: the kept tier is what holds them
    fresh = {g.members for g in solve(Problem(tuple(Attendee(i) for i in range(5)), weights=tuple(rows))).rounds[0].groups}
    assert (0, 1) not in fresh


def test_locked_pairs_hold_in_a_re_seating():
    rows = [(0, 1, 1), (2, 3, 1), (0, 2, 9), (1, 3, 9), (4, 5, 1), (0, 4, 50)]
    problem = Problem(tuple(Attendee(i) for i in range(6)), weights=tuple(rows), keep=((0, 2), (1, 3)),
                      locked=(Lock(4, 5),))
    tables = {g.members for g in solve(problem).rounds[0].groups}
    assert (4, 5) in tables and (0, 2) in tables and (1, 3) in tables


def test_keep_is_for_one_round_and_one_table_per_person():
    people = tuple(Attendee(i) for i in range(4))
    with pytest.raises(MatchingError):
        Problem(people, keep=((0, 1),), rounds=2)
    with pytest.raises(MatchingError):
        Problem(people, keep=((0, 1), (1, 2)))


@pytest.mark.parametrize("seed", range(3))
def test_a_walk_in_keeps_every_table_and_the_even_bound_prices_its_extra_attendee_at_once(seed):
    """An odd re-seating: 150 kept pairs and one newcomer, tied weights (few topics). The even
    bound's problem adds an attendee who could sit with almost anyone; the assignment's pricing
    takes all of one such row's negative arcs in a round (16 a round took 9 rounds here)."""
    from organizer.matching import solve_matrix

    n = 301
    rng = np.random.default_rng(700 + seed)
    topic = rng.integers(0, 5, n)
    W = (topic[:, None] != topic[None, :]) * rng.integers(0, 3, (n, n)) * 1000 + rng.integers(0, 50, (n, n))
    W = np.triu(W, 1)
    W = W + W.T
    together = np.zeros((n, n), dtype=np.int64)
    perm = rng.permutation(n - 1)
    kept = [(int(perm[k]), int(perm[k + 1])) for k in range(0, n - 1, 2)]
    for a, b in kept:
        together[a, b] = together[b, a] = 2
    result = solve_matrix(W, ~np.eye(n, dtype=bool), helped=together, time_limit_s=30)
    assert result.proven_optimal
    tables = result.rounds[0].groups
    assert all(any(a in t and b in t for t in tables) for a, b in kept)
    assert sum(len(t) == 3 and n - 1 in t for t in tables) == 1  # the newcomer joins a kept pair
    assert result.rounds[0].stats["even_bound"]["pricing_rounds"] <= 3
