"""The tight seating (``solver.tight_seating``: everyone with a best partner, proven by the
best-partner bound) against independent oracles, on tied instances where it is what settles them.

Even n: networkx's maximum-weight perfect matching.  Odd n: every allowed trio plus rustworkx's
best perfect matching of the others.
"""

import numpy as np
import pytest

from organizer.matching import solve_matrix
from tests.matching.conftest import oracle, random_instance
from tests.matching.test_solver_families import NO_DENSE, assert_valid, sparse_with_ties, trio_oracle


def tied_instance(seed, sizes):
    """Weights 0..high-1 with high 2 to 4 (many pairs at each one's best), some pairs forbidden."""
    rng = np.random.default_rng(5000 + seed)
    n = int(rng.choice(sizes))
    W, allowed = random_instance(rng, n, low=0, high=int(rng.choice([2, 3, 4])), forbid=float(rng.choice([0, 0.2, 0.4])))
    return W, allowed


def solved(W, allowed, options=None):
    result = solve_matrix(W, allowed, time_limit_s=30, solver_options=options)
    assert result.proven_optimal
    assert_valid(W, allowed, result.rounds[0].groups)
    return result


@pytest.mark.parametrize("options", [None, NO_DENSE], ids=["default", "no dense"])
@pytest.mark.parametrize("seed", range(40))
def test_even_tied_instances_match_networkx(seed, options):
    W, allowed = tied_instance(seed, [8, 12, 20, 30])
    assert solved(W, allowed, options).objective == oracle(W, allowed)


@pytest.mark.parametrize("options", [None, NO_DENSE], ids=["default", "no dense"])
@pytest.mark.parametrize("seed", range(30))
def test_odd_tied_instances_match_every_trio_with_rustworkx(seed, options):
    W, allowed = tied_instance(seed, [9, 15, 21, 25])
    assert solved(W, allowed, options).objective == trio_oracle(W, allowed)


@pytest.mark.parametrize("n", [200, 201])
def test_sparse_with_ties_at_two_hundred_matches_the_references(n):
    W, allowed = sparse_with_ties(np.random.default_rng(77 + n), n)
    result = solved(W, allowed)
    if n % 2 == 0:
        assert result.objective == oracle(W, allowed)
    else:  # a tight seating reaches the best-partner bound, which no seating can pass
        best = np.where(allowed, W, -1).max(axis=1)
        assert 2 * result.objective <= best.sum()


def test_the_tight_seating_settles_most_of_those_instances_through_each_of_its_steps():
    # guards the tests above: the tight seating proves them, odd cycles are joined by alternating
    # paths, and the trio comes from odd cycles longer than three too
    stats = [solved(*tied_instance(seed, [8, 12, 20, 30]), NO_DENSE).rounds[0].stats for seed in range(40)]
    stats += [solved(*tied_instance(seed, [9, 15, 21, 25]), NO_DENSE).rounds[0].stats for seed in range(30)]
    assert sum(bool(s.get("tight_seating")) for s in stats) >= 35
    assert sum(s.get("tight_seating", False) and s.get("tight_odd_cycles", 0) > 0 for s in stats) >= 2
    assert sum(s.get("tight_seating", False) and s.get("tight_trio_cycle", 3) > 3 for s in stats) >= 2


def test_a_seating_of_tight_pairs_is_refused_where_someone_has_no_tight_partner():
    # 0's best partner is 1 (weight 5), but 1's best is 2 (weight 9): 0 has no tight pair, so the
    # tight seating gives up and the solve goes on (the answer is still the optimum)
    W = np.zeros((4, 4))
    for a, b, w in [(0, 1, 5), (1, 2, 9), (2, 3, 1), (0, 3, 1)]:
        W[a, b] = W[b, a] = w
    allowed = ~np.eye(4, dtype=bool)
    result = solved(W, allowed)
    assert not result.rounds[0].stats.get("tight_seating")
    assert result.objective == oracle(W, allowed)
