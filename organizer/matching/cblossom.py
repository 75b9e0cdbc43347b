"""The project's compiled maximum-weight matching (``_blossom.c``), through ctypes.

Edmonds' primal-dual blossom algorithm, the one rustworkx and networkx run, on flat C arrays:
on the tied, sparse graphs the solver's exact steps give it (a few pairs per attendee) it runs
several times faster than rustworkx's, whose per-call graph objects and maps dominate there
(``bench/matching.py``).  ``make install`` compiles it (``cc``, no other dependency); where it
is not built, or reports an inconsistency, the caller uses rustworkx instead, so the library
stays pure Python plus wheels.
"""

from __future__ import annotations

import ctypes
import os
from pathlib import Path
from typing import NamedTuple

import numpy as np

LIBRARY = Path(__file__).with_name("_blossom.so.1")  # (a plain ".so" would pass for a Python extension module)
DISABLE_ENV = "GIVEFIRST_NO_CBLOSSOM"  # set (to anything) to use rustworkx only, as without the build

WEIGHT_MAX = 2**60  # its duals and slacks (up to four times a weight) stay inside int64

_lib: ctypes.CDLL | None = None
_loaded = False


def _load() -> ctypes.CDLL | None:
    global _lib, _loaded
    if _loaded:
        return _lib
    _loaded = True
    if os.environ.get(DISABLE_ENV) or not LIBRARY.exists():
        return None
    try:
        lib = ctypes.CDLL(str(LIBRARY))
    except OSError:
        return None
    fn = lib.gf_max_weight_matching
    i32p = np.ctypeslib.ndpointer(dtype=np.int32, flags="C_CONTIGUOUS")
    i64p = np.ctypeslib.ndpointer(dtype=np.int64, flags="C_CONTIGUOUS")
    fn.argtypes = [ctypes.c_int, ctypes.c_int, i32p, i32p, i64p, ctypes.c_int, i32p, ctypes.c_void_p, ctypes.c_void_p]
    fn.restype = ctypes.c_int
    _lib = lib
    return _lib


def available() -> bool:
    """Whether the compiled matching is built and loads."""
    return _load() is not None


def max_weight_matching(n: int, li: np.ndarray, lj: np.ndarray, w: np.ndarray, max_cardinality: bool
                        ) -> np.ndarray | None:
    """Each node's partner (-1: none) in a maximum-weight matching of nodes ``0..n-1`` with the
    pairs (li[k], lj[k]) of integer weight w[k] (each pair once, no loops); with
    ``max_cardinality`` the heaviest of those with most pairs.  None when the library is not
    available or reports an inconsistency (then rustworkx answers)."""
    lib = _load()
    if lib is None or (len(w) and max(int(np.max(w)), -int(np.min(w))) > WEIGHT_MAX):
        return None
    mate = np.empty(n, dtype=np.int32)
    rc = lib.gf_max_weight_matching(
        int(n), len(li), np.ascontiguousarray(li, dtype=np.int32), np.ascontiguousarray(lj, dtype=np.int32),
        np.ascontiguousarray(w, dtype=np.int64), int(bool(max_cardinality)), mate, None, None)
    return mate if rc == 0 else None


class Duals(NamedTuple):
    """The optimal duals ``max_weight_matching_duals`` ends with: ``Y`` per node, and the odd sets
    (blossoms) as node arrays with their ``Z``, such that every pair {i, j} has
    ``Y[i] + Y[j] + sum(Z of the sets holding both) - 2 w >= 0`` (0 on the matched pairs), and
    (any number of pairs) ``Y = 0`` on every unmatched node: ``2 * weight(any matching) <=
    sum(Y) + sum(Z[S] * (len(S) - 1) / 2)``, with equality for the one returned."""

    Y: np.ndarray
    sets: list[np.ndarray]
    Z: np.ndarray


def max_weight_matching_duals(n: int, li: np.ndarray, lj: np.ndarray, w: np.ndarray
                              ) -> tuple[np.ndarray, Duals] | None:
    """``max_weight_matching`` (any number of pairs) with the duals that prove it (``Duals``), or
    None as there."""
    lib = _load()
    if lib is None or (len(w) and max(int(np.max(w)), -int(np.min(w))) > WEIGHT_MAX):
        return None
    mate = np.empty(n, dtype=np.int32)
    dual = np.empty(2 * n, dtype=np.int64)
    parent = np.empty(2 * n, dtype=np.int32)
    rc = lib.gf_max_weight_matching(
        int(n), len(li), np.ascontiguousarray(li, dtype=np.int32), np.ascontiguousarray(lj, dtype=np.int32),
        np.ascontiguousarray(w, dtype=np.int64), 0, mate, dual.ctypes.data, parent.ctypes.data)
    if rc != 0:
        return None
    # each node's enclosing blossoms of positive dual (the library skips those of dual 0 in
    # ``parent``: tied weights nest blossoms 30 deep), a level of nesting at a time
    nodes, holders = [], []
    v = np.arange(n)
    up = parent[:n].astype(np.int64)
    while True:
        inside = up >= 0
        if not inside.any():
            break
        v, up = v[inside], up[inside]
        nodes.append(v)
        holders.append(up)
        up = parent[up].astype(np.int64)
    sets: list[np.ndarray] = []
    Z = np.zeros(0, dtype=np.int64)
    if nodes:
        node, holder = np.concatenate(nodes), np.concatenate(holders)
        keep = dual[holder] > 0
        node, holder = node[keep], holder[keep]
        order = np.argsort(holder, kind="stable")
        node, holder = node[order], holder[order]
        starts = np.flatnonzero(np.concatenate(([True], holder[1:] != holder[:-1]))) if len(holder) else np.zeros(0, dtype=np.int64)
        sets = np.split(node, starts[1:]) if len(starts) else []
        Z = 2 * dual[holder[starts]]
    return mate, Duals(dual[:n].copy(), sets, np.asarray(Z, dtype=np.int64))
