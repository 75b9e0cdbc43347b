"""The import rules of ../shared/STYLE.md, checked on the source."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "organizer"


def imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
            modules.update(f"{node.module}.{alias.name}" for alias in node.names)
    return modules


def imported_names(path: Path, module: str) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module == module:
            names.update(alias.name for alias in node.names)
    return names


def files(pattern: str) -> list[Path]:
    found = sorted(PACKAGE.glob(pattern))
    assert found, f"no files match {pattern}"
    return found


def test_services_take_request_state_as_arguments():
    for path in files("*/service.py"):
        forbidden = imported_names(path, "flask") & {"request", "session", "g", "current_user"}
        forbidden |= imported_names(path, "flask_login") & {"current_user"}
        assert not forbidden, f"{path.relative_to(PACKAGE)} imports {forbidden}"


def test_forms_do_not_touch_models_or_the_database():
    for path in files("*/forms.py"):
        bad = {m for m in imported_modules(path) if m.startswith(("organizer.models", "organizer.extensions", "sqlalchemy"))}
        assert not bad, f"{path.relative_to(PACKAGE)} imports {bad}"


def test_models_import_only_sqlalchemy_and_extensions():
    for path in files("models/*.py"):
        modules = imported_modules(path)
        bad = {m for m in modules if m.startswith("organizer")
               and not m.startswith(("organizer.extensions", "organizer.models"))}
        bad |= {m for m in modules if m.startswith(("flask", "wtforms"))}
        assert not bad, f"{path.name} imports {bad}"


def test_views_do_not_import_matching_or_other_features_views():
    for path in files("*/views.py"):
        feature = path.parent.name
        for module in imported_modules(path):
            assert not module.startswith("organizer.matching"), f"{path} imports {module}"
            if module.startswith("organizer.") and module.endswith(".views"):
                assert module == f"organizer.{feature}.views", f"{path} imports {module}"


@pytest.mark.parametrize("path", sorted((PACKAGE / "matching").glob("*.py")) or [None])
def test_matching_is_a_pure_library(path):
    if path is None:
        pytest.skip("organizer/matching is not there yet")
    allowed_third_party = ("numpy", "scipy", "ortools", "rustworkx")
    import sys

    for module in imported_modules(path):
        top = module.split(".")[0]
        if top == "organizer":
            assert module.startswith("organizer.matching"), f"{path.name} imports {module}"
        elif top not in sys.stdlib_module_names:
            assert top in allowed_third_party, f"{path.name} imports {module}"
