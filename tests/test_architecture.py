"""The import rules of ../shared/STYLE.md, checked on the source of every module of the package.

Each module has a role, from where it sits: the matching library, a model, a view, a form, a
command, the web plumbing (WEB below), or else a service module (a feature's writes, queries
and what they compute: service.py, queries.py, sheets.py, ...). A module added anywhere gets
the rules of its role without a line here.
"""

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "organizer"
# The app's web plumbing: it may read the request (the boundary's helpers, the access check).
WEB = {"__init__.py", "access.py", "actions.py", "database.py", "errorhandlers.py", "templating.py",
       "urls.py", "cli_helpers.py", "auth/throttle.py", "webapp.py"}
# Modules that run jobs (pairing, the outbox's delivery and periodic mail): a boundary of their own (read, solve outside any
# transaction, save), so they open transactions like a view or a command.
JOB_RUNNERS = {"pairing/jobs.py", "pairing/runs.py", "pairing/printing.py", "messages/delivery.py", "messages/periodic.py"}
REQUEST_STATE = {"request", "session", "g", "current_user"}
MATCHING_LIBRARIES = ("numpy", "scipy", "ortools", "rustworkx")


def all_modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def name(path: Path) -> str:
    return path.relative_to(PACKAGE).as_posix()


def role(path: Path) -> str:
    relative = name(path)
    if relative.startswith("matching/"):
        return "library"
    if relative.startswith("models/"):
        return "model"
    if relative in WEB:
        return "web"
    # pages.py: what a feature's pages share (forms filled for a template), a part of its views.
    return {"views.py": "view", "pages.py": "view", "forms.py": "form", "cli.py": "command"}.get(path.name, "service")


def tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(), str(path))


def imports(path: Path, top_level_only: bool = False) -> list[ast.Import | ast.ImportFrom]:
    nodes = tree(path).body if top_level_only else ast.walk(tree(path))
    return [n for n in nodes if isinstance(n, ast.Import | ast.ImportFrom)]


def imported_modules(path: Path, top_level_only: bool = False) -> set[str]:
    modules = set()
    for node in imports(path, top_level_only):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif node.module and node.level == 0:
            modules.add(node.module)
            modules.update(f"{node.module}.{alias.name}" for alias in node.names)
    return modules


def imported_names(path: Path, module: str) -> set[str]:
    return {alias.name for node in imports(path) if isinstance(node, ast.ImportFrom) and node.module == module
            for alias in node.names}


def modules_of(kind: str) -> list[Path]:
    found = [p for p in all_modules() if role(p) == kind]
    assert found, f"no {kind} modules"
    return found


def test_the_web_plumbing_named_here_exists():
    assert {name(p) for p in all_modules()} >= WEB


@pytest.mark.parametrize("path", modules_of("service"), ids=name)
def test_services_take_request_state_as_arguments(path):
    forbidden = (imported_names(path, "flask") | imported_names(path, "flask_login")) & REQUEST_STATE
    assert not forbidden, f"{name(path)} imports {forbidden}"
    web = {m for m in imported_modules(path) if m.startswith("organizer.")
           and (m.rsplit(".", 1)[-1] in {"views", "forms", "cli", "actions", "access"})}
    assert not web, f"{name(path)} imports the web layer: {web}"


@pytest.mark.parametrize("path", modules_of("form"), ids=name)
def test_forms_do_not_touch_models_or_the_database(path):
    bad = {m for m in imported_modules(path) if m.startswith(("organizer.models", "organizer.extensions", "sqlalchemy"))}
    assert not bad, f"{name(path)} imports {bad}"


@pytest.mark.parametrize("path", modules_of("model"), ids=name)
def test_models_import_only_sqlalchemy_and_extensions(path):
    modules = imported_modules(path)
    bad = {m for m in modules if m.startswith("organizer")
           and not m.startswith(("organizer.extensions", "organizer.models"))}
    bad |= {m for m in modules if m.startswith(("flask", "wtforms"))}
    assert not bad, f"{name(path)} imports {bad}"


@pytest.mark.parametrize("path", modules_of("view"), ids=name)
def test_views_do_not_import_matching_or_other_features_views(path):
    feature = path.parent.name
    for module in imported_modules(path):
        assert not module.startswith("organizer.matching"), f"{name(path)} imports {module}"
        if module.startswith("organizer.") and module.endswith(".views"):
            assert module == f"organizer.{feature}.views", f"{name(path)} imports {module}"


@pytest.mark.parametrize("path", modules_of("library"), ids=name)
def test_matching_is_a_pure_library(path):
    for module in imported_modules(path):
        top = module.split(".")[0]
        if top == "organizer":
            assert module.startswith("organizer.matching"), f"{name(path)} imports {module}"
        elif top not in sys.stdlib_module_names:
            assert top in MATCHING_LIBRARIES, f"{name(path)} imports {module}"


def matching_api() -> set[str]:
    for node in tree(PACKAGE / "matching" / "__init__.py").body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "__all__" for t in node.targets):
            return set(ast.literal_eval(node.value))
    raise AssertionError("organizer/matching/__init__.py has no __all__")


@pytest.mark.parametrize("path", [p for p in all_modules() if role(p) != "library"], ids=name)
def test_the_app_uses_the_matching_library_through_its_public_names_only(path):
    api = matching_api()
    for node in imports(path):
        if isinstance(node, ast.ImportFrom) and node.module == "organizer.matching":
            assert {a.name for a in node.names} <= api, f"{name(path)} imports private {node.module} names"
        modules = [node.module] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
        for module in modules:
            assert not (module or "").startswith("organizer.matching."), f"{name(path)} imports {module}"
    if "organizer.matching" in imported_modules(path):  # `from organizer import matching`
        used = {n.attr for n in ast.walk(tree(path))
                if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == "matching"}
        assert used <= api, f"{name(path)} uses matching.{sorted(used - api)}, not in matching.__all__"


def test_no_two_modules_import_each_other_even_through_others():
    """Top-level imports only (the app factory imports inside functions on purpose)."""
    graph = {}
    for path in all_modules():
        module = "organizer." + name(path).removesuffix(".py").replace("/", ".").removesuffix(".__init__")
        graph[module] = {m for m in imported_modules(path, top_level_only=True) if m.startswith("organizer.")}
    known = set(graph)
    graph = {m: {d for d in deps if d in known and d != m} for m, deps in graph.items()}
    visiting, done = [], set()

    def visit(module):
        if module in visiting:
            raise AssertionError("import cycle: " + " -> ".join(visiting[visiting.index(module):] + [module]))
        if module in done:
            return
        visiting.append(module)
        for dependency in sorted(graph[module]):
            visit(dependency)
        visiting.pop()
        done.add(module)

    for module in sorted(graph):
        visit(module)


@pytest.mark.parametrize("path", all_modules(), ids=name)
def test_only_the_boundary_commits(path):
    """Services add and flush; a view, a command or the job runner commits once, through
    organizer.database.transaction (the one place with commit())."""
    commits = [n.lineno for n in ast.walk(tree(path)) if isinstance(n, ast.Call)
               and isinstance(n.func, ast.Attribute) and n.func.attr == "commit"]
    if name(path) != "database.py":
        assert not commits, f"{name(path)} commits at lines {commits}"
    if role(path) == "service" and name(path) not in JOB_RUNNERS:
        opened = imported_names(path, "organizer.database") & {"transaction", "writing"}
        assert not opened, f"{name(path)} opens a transaction: leave it to the boundary"


def test_features_do_not_depend_on_each_other_in_a_circle():
    """Between features' service modules (views may read any feature): groups uses events or
    events uses groups, not both; a reaction the other way goes through organizer.signals."""
    features = {p.parent.name for p in all_modules() if p.parent != PACKAGE and p.parent.name not in ("models", "matching")}
    graph: dict[str, set[str]] = {f: set() for f in features}
    for path in all_modules():
        if role(path) != "service" or path.parent.name not in features:
            continue
        for module in imported_modules(path):
            parts = module.split(".")
            if parts[0] == "organizer" and len(parts) > 1 and parts[1] in features and parts[1] != path.parent.name:
                graph[path.parent.name].add(parts[1])
    for feature, uses in graph.items():
        for other in uses:
            assert feature not in reachable(graph, other), f"{feature} and {other} depend on each other"


def reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen, stack = set(), [start]
    while stack:
        for nxt in graph[stack.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen


# --- one of each --------------------------------------------------------------------

# Helpers that were written two or three times with different signatures and rules, now one:
# the name that stays, where it lives. A second definition of any of these names fails.
ONE_OF_EACH = {
    "membership": "groups/memberships.py",      # (group_id, user_id), the one order
    "normalize_tag": "matching/scoring.py",     # stored and compared by the same rule
    "blocked_pairs": "members/service.py",      # the group's do-not-pair rules
    "forbidden_pairs": "matching/weights.py",   # the solver's: blocked plus the cool-down
    "group_weight": "matching/weights.py",
    "like_escape": "paging.py",
    "ics": "events/exports.py",                 # every .ics the app sends or serves
}
GONE = {"group_membership", "members_of_group", "members_of", "normalise_tag", "_status_word", "_like_escape", "_stem"}


def top_level_functions(path: Path) -> set[str]:
    return {n.name for n in tree(path).body if isinstance(n, ast.FunctionDef)}


def test_each_merged_helper_is_defined_once_where_it_belongs():
    defined: dict[str, list[str]] = {}
    for path in all_modules():
        for function in top_level_functions(path) & (set(ONE_OF_EACH) | GONE):
            defined.setdefault(function, []).append(name(path))
    assert not {f: where for f, where in defined.items() if f in GONE}, "a merged helper came back"
    assert {f: where for f, where in defined.items()} == {f: [home] for f, home in ONE_OF_EACH.items()}


def _compared_columns(call: ast.Call) -> set[str]:
    return {ast.unparse(n.left) for arg in call.args for n in ast.walk(arg)
            if isinstance(n, ast.Compare) and isinstance(n.ops[0], ast.Eq)}


def _selects_membership(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Call) and ast.unparse(n.func) == "select"
               and n.args and ast.unparse(n.args[0]).startswith("Membership") for n in ast.walk(node))


@pytest.mark.parametrize("path", [p for p in all_modules() if name(p) != "groups/memberships.py"], ids=name)
def test_one_membership_lookup(path):
    """Whether a user is in a group is asked through groups.memberships.membership only."""
    for node in ast.walk(tree(path)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "where":
            columns = _compared_columns(node)
            if {"Membership.group_id", "Membership.user_id"} <= columns and _selects_membership(node.func.value):
                raise AssertionError(f"{name(path)}:{node.lineno} looks a membership up: use groups.memberships.membership")


@pytest.mark.parametrize("path", [p for p in all_modules() if name(p) != "timezones.py"], ids=name)
def test_local_times_are_made_in_organizer_timezones_only(path):
    """One place turns UTC into the group's zone and writes it (organizer/timezones.py)."""
    assert "zoneinfo" not in imported_modules(path), f"{name(path)} imports zoneinfo: use organizer.timezones"


TESTS = Path(__file__).resolve().parent
# Test modules about the whole app rather than one module: the import rules here, the statements per page,
# the migrations (migrations/) and the configuration (config.py).
WHOLE_APP_TESTS = {"test_architecture.py", "test_page_statements.py", "test_migrations.py", "test_config.py"}
# Test folders that are not a package's mirror: the real-browser tests and the attacker's view across features.
CROSS_CUTTING_TEST_FOLDERS = {"browser", "security"}


def test_test_files_mirror_the_package():
    """Tests for organizer/X/Y.py live in tests/X/; a top-level test names a top-level module."""
    misplaced = []
    for path in sorted(TESTS.rglob("test_*.py")):
        relative = path.relative_to(TESTS)
        if len(relative.parts) == 1:
            module = relative.name.removeprefix("test_")
            if relative.name not in WHOLE_APP_TESTS and not (PACKAGE / module).exists():
                misplaced.append(relative.as_posix())
        elif relative.parts[0] not in CROSS_CUTTING_TEST_FOLDERS and not (PACKAGE / relative.parts[0]).is_dir():
            misplaced.append(relative.as_posix())
    assert misplaced == []
