"""python -m organizer.matching solve: JSON in, JSON out, one-line errors."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.matching.conftest import oracle

ROOT = Path(__file__).resolve().parents[2]


def run(args, stdin=None):
    return subprocess.run(
        [sys.executable, "-m", "organizer.matching", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def test_solve_from_stdin_prints_the_documented_answer():
    problem = {
        "n": 7,
        "weights": [[0, 1, 3], [2, 3, 1.5], [1, 4, 2], [0, 4, 7], [5, 6, 1]],
        "forbidden": [[0, 4]],
        "locked": [],
        "rounds": 2,
        "time_limit_s": 5,
    }
    done = run(["solve", "-"], json.dumps(problem))
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert {"rounds", "objective", "bound", "proven_optimal", "seconds"} <= set(answer)
    assert len(answer["rounds"]) == 2
    for seating in answer["rounds"]:
        assert sorted(v for g in seating for v in g) == list(range(7))
        assert sorted(len(g) for g in seating) == [2, 2, 3]
        assert [0, 4] not in [sorted(g) for g in seating]
    assert answer["proven_optimal"] is True
    assert answer["bound"] == pytest.approx(answer["objective"])


def test_solve_from_a_file_matches_the_oracle(tmp_path):
    import numpy as np

    rng = np.random.default_rng(3)
    n = 8
    W = np.triu(rng.integers(0, 9, (n, n)), 1)
    W = W + W.T
    rows = [[i, j, int(W[i, j])] for i in range(n) for j in range(i + 1, n) if W[i, j]]
    path = tmp_path / "problem.json"
    path.write_text(json.dumps({"n": n, "weights": rows}))
    done = run(["solve", str(path)])
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["objective"] == pytest.approx(oracle(W.astype(float), ~np.eye(n, dtype=bool)))


@pytest.mark.parametrize(
    "text, message",
    [
        ("not json", "not valid JSON"),
        ('{"weights": []}', 'missing "n"'),
        ('{"n": 3, "weights": [[0, 5, 1]]}', "outside 0..2"),
        ('{"n": 3, "weights": [[0, 1]]}', "must be a list of 3"),
        ('{"n": 3, "weights": [[0, 1, "x"]]}', "finite number"),
        ('{"n": 3, "rounds": 0}', '"rounds" must be >= 1'),
        ('{"n": 3, "time_limit": 5}', "unknown key(s) time_limit"),
        ('{"n": 4, "weights": [[0, 1, 1], [1, 0, 2]]}', "more than one weight"),
    ],
)
def test_bad_input_gives_one_line_error_and_exit_2(text, message):
    done = run(["solve", "-"], text)
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0]
    assert "Traceback" not in done.stderr


def test_unseatable_problem_gives_one_line_error_and_exit_1():
    done = run(["solve", "-"], '{"n": 2, "forbidden": [[0, 1]]}')
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == ["error: round 1: the only two attendees may not be paired"]


def test_missing_file_and_bad_usage_fail_cleanly(tmp_path):
    done = run(["solve", str(tmp_path / "nope.json")])
    assert done.returncode == 2 and done.stderr.startswith("error: cannot read")
    done = run(["pair"])
    assert done.returncode == 2 and "usage:" in done.stderr


def test_a_locked_trio_is_given_as_people_and_round():
    problem = {"n": 7, "weights": [[0, 1, 9], [2, 3, 9], [4, 5, 1]], "locked": [{"people": [0, 2, 6], "round": 0}, [3, 4]]}
    done = run(["solve", "-"], json.dumps(problem))
    assert done.returncode == 0, done.stderr
    seating = [sorted(g) for g in json.loads(done.stdout)["rounds"][0]]
    assert [0, 2, 6] in seating and [3, 4] in seating and [1, 5] in seating


def test_a_bad_locked_trio_is_one_line_on_stderr():
    done = run(["solve", "-"], json.dumps({"n": 4, "locked": [{"people": [0, 1, 9]}]}))
    assert done.returncode == 2
    assert done.stderr.strip() == 'error: "locked"[0] names attendee 9, outside 0..3'


def test_a_bad_locked_pair_after_a_trio_is_named_by_its_own_place():
    done = run(["solve", "-"], json.dumps({"n": 5, "locked": [{"people": [0, 1, 2]}, [3, 9]]}))
    assert done.returncode == 2
    assert done.stderr.strip() == 'error: "locked"[1] names attendee 9, outside 0..4'
