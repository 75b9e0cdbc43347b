"""organizer/matching imports only the stdlib, numpy, scipy, ortools, rustworkx and itself."""

import ast
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "organizer" / "matching"
ALLOWED_THIRD_PARTY = {"numpy", "scipy", "ortools", "rustworkx"}


def imported_roots(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                yield "organizer.matching"  # relative import stays inside the package
            else:
                yield node.module


def is_allowed(name):
    root = name.split(".")[0]
    if root in sys.stdlib_module_names or root in ALLOWED_THIRD_PARTY:
        return True
    return name == "organizer.matching" or name.startswith("organizer.matching.")


def test_the_package_has_modules_to_check():
    assert len(list(PACKAGE.glob("*.py"))) >= 6


def test_matching_imports_nothing_outside_stdlib_numpy_scipy_ortools_rustworkx_and_itself():
    bad = [(p.name, name) for p in sorted(PACKAGE.glob("*.py")) for name in imported_roots(p) if not is_allowed(name)]
    assert bad == []


def test_the_checker_would_catch_flask_and_sqlalchemy():
    assert not is_allowed("flask")
    assert not is_allowed("sqlalchemy.orm")
    assert not is_allowed("organizer.models")
    assert is_allowed("ortools.sat.python")
