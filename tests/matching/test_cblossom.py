"""The compiled maximum-weight matching (organizer/matching/_blossom.c through cblossom) against
networkx's and rustworkx's, and the solver's fallback to rustworkx without it."""

import networkx as nx
import numpy as np
import pytest
import rustworkx as rx

from organizer.matching import cblossom, solve_matrix
from organizer.matching.solver import Context, _matching


def test_the_compiled_matching_is_built():
    # `make install` builds it (the README's test command runs that first): the solver's speed on
    # sparse groups depends on it, so a missing build fails here rather than only slowing down
    assert cblossom.LIBRARY.exists(), "run `make install`: it compiles organizer/matching/_blossom.c"
    assert cblossom.available()


def _graph(rng, n, density, kind):
    iu, ju = np.triu_indices(n, 1)
    keep = rng.random(len(iu)) < density
    iu, ju = iu[keep], ju[keep]
    if kind == "ties":
        w = rng.integers(1, 4, len(iu))
    elif kind == "wide":
        w = rng.integers(0, 10**6, len(iu))
    else:  # negative weights too (a matching leaves those out unless most pairs are asked for)
        w = rng.integers(-20, 30, len(iu))
    return iu, ju, w.astype(np.int64)


def _check(n, iu, ju, w, max_cardinality):
    mate = cblossom.max_weight_matching(n, iu, ju, w, max_cardinality)
    assert mate is not None
    weight = {(int(a), int(b)): int(c) for a, b, c in zip(iu, ju, w)}
    pairs = [(v, int(mate[v])) for v in range(n) if mate[v] > v]
    assert all(mate[mate[v]] == v for v in range(n) if mate[v] >= 0)  # a matching
    assert all(p in weight for p in pairs)  # on the given pairs only
    G = nx.Graph()
    G.add_nodes_from(range(n))
    G.add_weighted_edges_from((a, b, c) for (a, b), c in weight.items())
    M = nx.max_weight_matching(G, maxcardinality=max_cardinality)
    assert sum(weight[p] for p in pairs) == sum(G[a][b]["weight"] for a, b in M)
    if max_cardinality:
        assert len(pairs) == len(M)


@pytest.mark.parametrize("seed", range(40))
def test_the_compiled_matching_matches_networkx(seed):
    rng = np.random.default_rng(5100 + seed)
    for _ in range(10):
        n = int(rng.integers(2, 36))
        kind = ["ties", "wide", "signed"][int(rng.integers(3))]
        iu, ju, w = _graph(rng, n, float(rng.choice([0.08, 0.25, 0.6, 1.0])), kind)
        for max_cardinality in (False, True):
            _check(n, iu, ju, w, max_cardinality)


@pytest.mark.parametrize("seed", range(4))
def test_the_compiled_matching_matches_rustworkx_on_larger_tied_graphs(seed):
    # sparse with ties (the family rustworkx was slowest on) and clustered: nested blossoms,
    # expansions and the warm start from the heaviest pairs all happen at these sizes
    rng = np.random.default_rng(5200 + seed)
    n = 150
    iu, ju, w = _graph(rng, n, 0.06, "ties")
    cluster = rng.integers(0, 8, n)
    same = cluster[iu] == cluster[ju]
    wc = np.where(same, rng.integers(50, 101, len(iu)), rng.integers(0, 11, len(iu)))
    for weights in (w, wc.astype(np.int64)):
        G = rx.PyGraph()
        G.add_nodes_from(range(n))
        G.add_edges_from(list(zip(iu.tolist(), ju.tolist(), weights.tolist())))
        for max_cardinality in (False, True):
            mate = cblossom.max_weight_matching(n, iu, ju, weights, max_cardinality)
            ours = sum(int(weights[k]) for k in range(len(iu)) if mate[iu[k]] == ju[k])
            M = rx.max_weight_matching(G, max_cardinality=max_cardinality, weight_fn=int)
            lookup = {(int(a), int(b)): int(c) for a, b, c in zip(iu, ju, weights)}
            assert ours == sum(lookup[(min(a, b), max(a, b))] for a, b in M)
            if max_cardinality:
                assert int((mate >= 0).sum()) == 2 * len(M)


def test_weights_too_large_for_its_integers_are_left_to_rustworkx():
    iu, ju = np.array([0, 1]), np.array([1, 2])
    assert cblossom.max_weight_matching(3, iu, ju, np.array([1, 2**61], dtype=np.int64), False) is None
    assert cblossom.max_weight_matching(3, iu, ju, np.array([1, 2**40], dtype=np.int64), False) is not None


def test_the_solver_falls_back_to_rustworkx_without_the_build(monkeypatch):
    # as on a machine where `make install` could not compile it: the same optima, by rustworkx
    rng = np.random.default_rng(77)
    n = 60
    W = np.triu(np.where(rng.random((n, n)) < 0.1, rng.integers(1, 4, (n, n)), 0), 1)
    W = W + W.T
    pi, pj = np.nonzero(np.triu(W > 0, 1))
    with_c = _matching(W, pi, pj, Context(float("inf")), max_cardinality=False)
    solved_c = solve_matrix(W, time_limit_s=10)
    V = np.triu(np.where(rng.random((61, 61)) < 0.05, rng.integers(1, 4, (61, 61)), 0), 1)
    V = V + V.T  # sparse and odd
    odd_c = solve_matrix(V, time_limit_s=10)  # the matching's duals: its own bound, or the even bound's
    stats_c = odd_c.rounds[0].stats
    assert stats_c.get("sparse_shortcut") or stats_c["even_bound"].get("matching_duals") is True
    calls = []
    real = rx.max_weight_matching
    monkeypatch.setattr(cblossom, "_lib", None)
    monkeypatch.setattr(cblossom, "_loaded", True)
    monkeypatch.setattr(rx, "max_weight_matching", lambda *a, **k: calls.append(1) or real(*a, **k))
    assert not cblossom.available()
    without = _matching(W, pi, pj, Context(float("inf")), max_cardinality=False)
    assert calls  # rustworkx answered
    assert sum(int(W[a, b]) for a, b in without) == sum(int(W[a, b]) for a, b in with_c)
    solved_rx = solve_matrix(W, time_limit_s=10)
    assert solved_rx.proven_optimal and solved_c.proven_optimal
    assert solved_rx.objective == solved_c.objective
    odd_rx = solve_matrix(V, time_limit_s=10)  # the even bound by the even path
    assert "matching_duals" not in odd_rx.rounds[0].stats["even_bound"] and "sparse_shortcut" not in odd_rx.rounds[0].stats
    assert odd_rx.proven_optimal and odd_c.proven_optimal and odd_rx.objective == odd_c.objective


@pytest.mark.parametrize("seed", range(20))
def test_the_compiled_matchings_duals_prove_it(seed):
    # feasible (every pair's slack >= 0 with the blossoms holding both), odd sets, nothing on an
    # unmatched node, and a bound equal to twice the matching's weight: the even bound's trio
    # step prices trios with them (solver._matching_with_duals)
    rng = np.random.default_rng(5300 + seed)
    for _ in range(15):
        n = int(rng.integers(2, 45))
        iu, ju, w = _graph(rng, n, float(rng.choice([0.1, 0.3, 1.0])), ["ties", "wide"][int(rng.integers(2))])
        mate, duals = cblossom.max_weight_matching_duals(n, iu, ju, w)
        held = np.zeros((n, n), dtype=np.int64)
        for S, z in zip(duals.sets, duals.Z.tolist()):
            assert len(S) % 2 == 1 and z > 0
            held[np.ix_(S, S)] += z
        slack = duals.Y[iu] + duals.Y[ju] + held[iu, ju] - 2 * w
        assert slack.min(initial=0) >= 0 and (duals.Y >= 0).all()
        matched = mate[iu] == ju
        assert (slack[matched] == 0).all()
        assert (duals.Y[mate < 0] == 0).all()
        bound = int(duals.Y.sum()) + sum(z * (len(S) - 1) // 2 for S, z in zip(duals.sets, duals.Z.tolist()))
        assert bound == 2 * int(w[matched].sum())
        assert int(w[matched].sum()) == int(w[cblossom.max_weight_matching(n, iu, ju, w, False)[iu] == ju].sum())
