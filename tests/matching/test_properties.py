"""Property tests: any instance gives a valid seating whose value equals the oracle's."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from organizer.matching import InfeasibleError, Problem, solve, violations
from tests.matching.conftest import oracle


@st.composite
def instances(draw):
    n = draw(st.integers(min_value=2, max_value=11))
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
    weights = draw(st.lists(st.integers(min_value=-3, max_value=8), min_size=len(pairs), max_size=len(pairs)))
    forbidden = draw(st.lists(st.sampled_from(pairs), max_size=n, unique=True))
    return n, [(i, j, w) for (i, j), w in zip(pairs, weights)], forbidden


@settings(max_examples=120, deadline=None, derandomize=True)
@given(instances())
def test_seating_is_valid_and_optimal(instance):
    n, rows, forbidden = instance
    W = np.zeros((n, n))
    for i, j, w in rows:
        W[i, j] = W[j, i] = w
    allowed = ~np.eye(n, dtype=bool)
    for i, j in forbidden:
        allowed[i, j] = allowed[j, i] = False
    problem = Problem.from_weights(n, rows, forbidden=forbidden)
    expected = oracle(W, allowed)
    try:
        pairing = solve(problem)
    except InfeasibleError:
        assert expected is None
        return
    assert violations(problem, pairing) == []
    assert pairing.proven_optimal
    assert pairing.objective == pytest.approx(expected)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.integers(min_value=4, max_value=9), st.integers(min_value=1, max_value=3), st.integers(min_value=0, max_value=10**6))
def test_rounds_are_valid_whenever_solved(n, rounds, seed):
    rng = np.random.default_rng(seed)
    rows = [(i, j, int(rng.integers(0, 10))) for i in range(n) for j in range(i + 1, n)]
    problem = Problem.from_weights(n, rows, rounds=rounds)
    try:
        pairing = solve(problem)
    except InfeasibleError as exc:
        assert "earlier rounds" in str(exc)
        return
    assert violations(problem, pairing) == []
    assert len(pairing.rounds) == rounds
