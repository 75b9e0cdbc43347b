"""The pairing computation (scores, seating, validation), in this process or in a child process.

The web process's thread jobs run it in a child (``isolated``) under an address-space cap, so
a solver crash, a runaway memory use or a kill by the kernel fails that pairing alone: the
web worker lives on, the version is marked failed and the published version stays.  The RQ
worker and the command line are processes of their own and compute in place (``in_process``).
"""

from __future__ import annotations

import multiprocessing
import resource
import time

from organizer import matching

Result = tuple[matching.HelpScores, matching.Pairing, list[str]]


def score(problem: matching.Problem) -> matching.HelpScores:
    """The help model on a problem, with the group's own terms and people's links."""
    return matching.score(problem.attendees, problem.options, problem.terms, problem.links)


def in_process(problem: matching.Problem) -> Result:
    """Scores and seats ``problem`` within its time limit, scoring included."""
    start = time.perf_counter()
    scores = score(problem)
    pairing = matching.solve(problem, scores, started=start)  # the seating gets what scoring left
    return scores, pairing, matching.violations(problem, pairing)


def _child(conn, problem: matching.Problem, memory_mb: int) -> None:
    try:
        cap = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        conn.send(("ok", in_process(problem)))
    except MemoryError:
        conn.send(("error", matching.MatchingError(f"the computation needed more than {memory_mb} MB of memory")))
    except matching.MatchingError as error:
        conn.send(("error", error))
    finally:
        conn.close()


def isolated(problem: matching.Problem, memory_mb: int, wait_s: float) -> Result:
    """``in_process`` in a fresh child process (spawned: no locks or connections inherited) whose
    address space is capped at ``memory_mb``.  Raises MatchingError when the child fails,
    dies or is still running after ``wait_s`` seconds (then it is ended)."""
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(send, problem, memory_mb), name="pairing-compute", daemon=True)
    child.start()
    send.close()
    try:
        if not receive.poll(wait_s):
            raise matching.MatchingError(f"the computation did not finish within {wait_s:g} seconds")
        kind, payload = receive.recv()
    except EOFError:
        child.join(5)
        raise matching.MatchingError(f"the computation stopped unexpectedly (exit code {child.exitcode})") from None
    finally:
        receive.close()
        if child.is_alive():
            child.kill()
        child.join(5)
    if kind == "error":
        raise payload
    return payload
