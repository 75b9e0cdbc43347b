"""seating.py: the integer weights built a block at a time, and the quick answer a limit too close
for anything else gets (locks and rounds honoured, a valid bound)."""

import math
import time

import numpy as np
import pytest

from organizer.matching import solve_matrix
from organizer.matching.seating import integer_weights
from tests.matching.conftest import random_instance


def reference_integer_weights(weights, helped):
    """The conversion as one whole-matrix expression (what the blocks must reproduce)."""
    n = len(weights)
    biggest = max(float(weights.max()), -float(weights.min()))
    limit = min(10**9, 2**50 // (4 * (n + 3))) if helped is None else min(10**9, 2**50 // (16 * (n + 3) ** 2))
    if biggest <= limit and np.array_equal(np.rint(weights), weights):
        W, scale = weights.astype(np.int64), 1.0
    else:
        scale = limit / biggest
        W = np.round(weights * scale).astype(np.int64)
    if helped is None:
        return W, scale, 0
    M = 2 * (n + 3) * int(np.abs(W).max()) + 1
    return M * helped + W, scale, M


@pytest.mark.parametrize("kind", ["float", "integral float", "int", "big int", "negative float"])
@pytest.mark.parametrize("fair", [False, True])
def test_integer_weights_by_blocks_equal_the_whole_matrix_expression(kind, fair):
    rng = np.random.default_rng(7)
    n = 700  # several blocks of rows
    if kind == "float":
        w = rng.random((n, n)) * 13.7
    elif kind == "integral float":
        w = rng.integers(0, 50, (n, n)).astype(float)
    elif kind == "int":
        w = rng.integers(-5, 50, (n, n))
    elif kind == "big int":
        w = rng.integers(0, 10**12, (n, n))
    else:
        w = rng.random((n, n)) - 0.7
    w = np.triu(w, 1)
    w = w + w.T
    helped = rng.integers(0, 3, (n, n)) if fair else None
    W, scale, M = integer_weights(w, helped)
    W0, scale0, M0 = reference_integer_weights(w, helped)
    assert (scale, M) == (scale0, M0)
    assert np.array_equal(W, W0)


def test_integer_weights_give_up_at_the_deadline():
    w = np.random.default_rng(1).random((600, 600))
    assert integer_weights(w, None, deadline=time.perf_counter() - 1) is None
    assert integer_weights(w, None, deadline=math.inf) is not None


def assert_valid(n, allowed, groups, odd=None):
    seated = sorted(v for g in groups for v in g)
    assert seated == list(range(n))
    for g in groups:
        assert len(g) in (2, 3)
        for a in g:
            for b in g:
                assert a == b or allowed[a, b]


@pytest.mark.parametrize("n", [300, 301])
def test_a_limit_too_close_for_the_solver_returns_the_quick_seating_with_a_valid_bound(n):
    rng = np.random.default_rng(n)
    W, allowed = random_instance(rng, n, high=1000, forbid=0.2)
    W = W + 0.25  # float weights: the integer matrix would have to be built
    np.fill_diagonal(W, 0)
    quick = solve_matrix(W, allowed, time_limit_s=1e-6)
    assert quick.rounds[0].stats.get("quick_only")
    assert not quick.proven_optimal
    assert_valid(n, allowed, quick.rounds[0].groups)
    assert sum(len(g) == 3 for g in quick.rounds[0].groups) == n % 2
    full = solve_matrix(W, allowed, time_limit_s=30)
    assert full.proven_optimal
    assert quick.objective <= full.objective <= quick.bound + 1e-6


def test_the_quick_answer_keeps_locks_and_never_repeats_a_pair_across_rounds():
    rng = np.random.default_rng(3)
    n = 41
    W, allowed = random_instance(rng, n, high=100, forbid=0.1)
    W = W / 7  # floats
    locks = [(0, 1, 0), (2, 3, 4, 0), (5, 10, 1), (7, 14, 2)]  # not index neighbours, whom the quick seating pairs
    for lock in locks:
        people = lock[:-1]
        for x in people:
            for y in people:
                allowed[x, y] = x != y
    result = solve_matrix(W, allowed, locks=locks, rounds=3, time_limit_s=1e-6)
    met = set()
    for r, rnd in enumerate(result.rounds):
        assert rnd.stats.get("quick_only")
        assert_valid(n, allowed, rnd.groups)
        for lock in locks:
            if lock[-1] == r:
                assert tuple(sorted(lock[:-1])) in rnd.groups
        for g in rnd.groups:
            for a in g:
                for b in g:
                    if a < b:
                        assert (a, b) not in met
                        met.add((a, b))
    # the bound is a bound: the proven rounds of a full solve, round by round, stay under it
    full = solve_matrix(W, allowed, locks=locks, rounds=1, time_limit_s=30)
    assert full.proven_optimal
    assert full.rounds[0].objective <= result.rounds[0].bound + 1e-9


def test_integer_weights_are_not_copied_when_they_fit():
    w = np.triu(np.random.default_rng(2).integers(0, 100, (50, 50)), 1)
    w = w + w.T
    W, scale, M = integer_weights(w, None)
    assert W is w or np.shares_memory(W, w)
    assert (scale, M) == (1.0, 0)
