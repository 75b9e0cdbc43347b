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
    fn.argtypes = [ctypes.c_int, ctypes.c_int, i32p, i32p, i64p, ctypes.c_int, i32p]
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
        np.ascontiguousarray(w, dtype=np.int64), int(bool(max_cardinality)), mate)
    return mate if rc == 0 else None
