"""Helpers for the matching tests: random instances and a networkx oracle."""

import itertools

import networkx as nx
import numpy as np
import pytest


def random_instance(rng, n, *, low=0, high=10, forbid=0.0, zero_share=0.0):
    W = rng.integers(low, high, (n, n)).astype(float)
    if zero_share:
        W[rng.random((n, n)) < zero_share] = 0
    W = np.triu(W, 1)
    W = W + W.T
    allowed = rng.random((n, n)) >= forbid
    allowed = np.triu(allowed, 1)
    allowed = allowed | allowed.T
    return W, allowed


def _best_perfect(W, allowed, vertices):
    """Max weight of a perfect matching of ``vertices`` (networkx), or None."""
    if not vertices:
        return 0.0
    G = nx.Graph()
    G.add_nodes_from(vertices)
    shift = float(np.abs(W).max()) * len(W) + 1  # maxcardinality picks a perfect matching first anyway
    for a, b in itertools.combinations(vertices, 2):
        if allowed[a, b]:
            G.add_edge(a, b, weight=float(W[a, b]) + shift)
    M = nx.max_weight_matching(G, maxcardinality=True)
    if 2 * len(M) < len(vertices):
        return None
    return float(sum(W[a, b] for a, b in M))


def oracle(W, allowed):
    """Best seating value with the trio rule (half the trio's three pair weights); None if none exists.

    Even n: networkx max_weight_matching(maxcardinality=True).  Odd n: every
    allowed trio, networkx for the rest.
    """
    n = len(W)
    everyone = list(range(n))
    if n % 2 == 0:
        return _best_perfect(W, allowed, everyone)
    best = None
    for a, b, c in itertools.combinations(everyone, 3):
        if not (allowed[a, b] and allowed[a, c] and allowed[b, c]):
            continue
        rest = _best_perfect(W, allowed, [v for v in everyone if v not in (a, b, c)])
        if rest is None:
            continue
        value = rest + 0.5 * (W[a, b] + W[a, c] + W[b, c])
        best = value if best is None else max(best, value)
    return best


@pytest.fixture
def rng():
    return np.random.default_rng(20240605)
