"""The architecture's rules, checked on the code itself (DESIGN.md, "Architecture" and
"Conventions"): the engine knows nothing of the web, one module drives `transitions`, one function
changes states, no machine keeps a row attached, and everything public says what it is for.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

from tests.factories import at, notice_in, receipts_of, reports_of
from workflow import commands as c
from workflow import lifecycle
from workflow.states import NoticeState as NS

ROOT = Path(__file__).resolve().parents[1]
ENGINE = ROOT / "workflow"
ADVANCE = ENGINE / "commands" / "_advance.py"
LIFECYCLE = ENGINE / "lifecycle.py"
WEB_PACKAGES = ("flask", "wtforms", "werkzeug")


def engine_files() -> list[Path]:
    files = sorted(ENGINE.rglob("*.py"))
    assert len(files) > 10, files  # the walk found the engine
    return files


def parsed(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(ROOT)}:{node.lineno}"


# ------------------------------------------------------------------------------------------------
# Dependencies.

IMPORT_EVERYTHING = """
import importlib, json, pkgutil, sys
import workflow
names = ["workflow"] + [m.name for m in pkgutil.walk_packages(workflow.__path__, "workflow.")]
for name in names:
    importlib.import_module(name)
print(json.dumps({"imported": names, "modules": sorted(sys.modules)}))
"""


def test_importing_every_engine_module_loads_nothing_of_the_web():
    done = subprocess.run([sys.executable, "-c", IMPORT_EVERYTHING], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert {"workflow.lifecycle", "workflow.commands", "workflow.commands._advance",
            "workflow.models"} <= set(result["imported"])
    web = [m for m in result["modules"]
           if m.split(".")[0] in WEB_PACKAGES or m.startswith("flask_")]
    assert web == []


def _imported_modules(tree: ast.Module) -> list[tuple[str, ast.AST]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, node))
    return found


def test_only_the_lifecycle_module_imports_transitions():
    importers = {
        path for path in engine_files()
        for module, _ in _imported_modules(parsed(path))
        if module.split(".")[0] == "transitions"
    }
    assert importers == {LIFECYCLE}


def test_no_engine_module_imports_the_web_layer():
    offending = [
        f"{where(path, node)} imports {module}"
        for path in engine_files()
        for module, node in _imported_modules(parsed(path))
        if module.split(".")[0] in (*WEB_PACKAGES, "webui") or module.startswith("flask_")
    ]
    assert offending == []


# ------------------------------------------------------------------------------------------------
# One choke point for states.


def _assigns_state(node: ast.AST) -> bool:
    targets = []
    if isinstance(node, ast.Assign):
        targets = node.targets
    elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
        targets = [node.target]
    flat = []
    while targets:
        target = targets.pop()
        if isinstance(target, (ast.Tuple, ast.List)):
            targets.extend(target.elts)
        else:
            flat.append(target)
    return any(isinstance(t, ast.Attribute) and t.attr == "state" for t in flat)


def _setattr_state(node: ast.AST) -> bool:
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id == "setattr" and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant) and node.args[1].value == "state")


def _values_with_state(node: ast.AST) -> bool:
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == "values"):
        return False
    if any(k.arg == "state" for k in node.keywords):
        return True
    return any(isinstance(a, ast.Dict) and any(
        isinstance(k, ast.Constant) and k.value == "state" for k in a.keys) for a in node.args)


def test_no_state_is_assigned_outside_the_choke_point_and_the_lifecycle():
    offending = [
        where(path, node)
        for path in engine_files() if path not in (ADVANCE, LIFECYCLE)
        for node in ast.walk(parsed(path))
        if _assigns_state(node) or _setattr_state(node)
    ]
    assert offending == []


def test_only_the_choke_point_updates_states_in_bulk():
    updaters = {
        path for path in engine_files() for node in ast.walk(parsed(path))
        if _values_with_state(node)
    }
    assert updaters <= {ADVANCE}
    assert updaters, "the cascades in _advance.py update states in bulk"


def test_the_checks_would_see_a_state_assignment():
    """The detectors above are not vacuous."""
    sample = ast.parse("notice.state = X\nr.version, r.state = 1, Y\n"
                       "setattr(n, 'state', Z)\nupdate(T).values(state=S)\n")
    nodes = list(ast.walk(sample))
    assert sum(_assigns_state(n) for n in nodes) == 2
    assert sum(_setattr_state(n) for n in nodes) == 1
    assert sum(_values_with_state(n) for n in nodes) == 1


# ------------------------------------------------------------------------------------------------
# No machine keeps a row.


def test_after_a_full_story_no_machine_has_a_row_attached(world, session):
    w, s = world, session
    notice = notice_in(w, NS.ISSUED)
    receipts = {r.unit_id: r for r in receipts_of(w, notice)}
    reports = {r.unit_id: r for r in reports_of(w, notice)}
    d1, d2, _ = w.districts
    c.acknowledge(s, w.receiver1, receipt_id=receipts[d1.id].id, now=at(1.5))
    c.submit_report(s, w.receiver1, report_id=reports[d1.id].id, text="初稿", now=at(2))
    c.return_report(s, w.supervisor, report_id=reports[d1.id].id, reason="缺数据", now=at(3))
    c.submit_report(s, w.receiver1, report_id=reports[d1.id].id, text="定稿", now=at(4))
    c.accept_report(s, w.supervisor, report_id=reports[d1.id].id, now=at(5))
    c.reject(s, w.receiver2, receipt_id=receipts[d2.id].id, reason="误送", now=at(5))
    c.close(s, w.supervisor, notice_id=notice.id, reason="提前办结", now=at(6))
    c.archive(s, w.clerk, notice_id=notice.id, retention="Y10", now=at(7))
    notice_in(w, NS.ABOLISHED)
    notice_in(w, NS.CANCELLED)
    s.commit()

    assert notice.state == NS.ARCHIVED
    assert {name: lc.machine.models for name, lc in lifecycle.LIFECYCLES.items()} == {
        "notice": [], "receipt": [], "report": [], "incoming": [], "circulation": []}


# ------------------------------------------------------------------------------------------------
# Everything public says what it is for.


def test_every_public_function_of_the_commands_has_a_docstring():
    missing = [
        f"{where(path, node)} {node.name}"
        for path in sorted((ENGINE / "commands").glob("*.py"))
        for node in parsed(path).body
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        and not node.name.startswith("_") and not ast.get_docstring(node)
    ]
    assert missing == []
    exported = [name for name in c.__all__ if callable(getattr(c, name))]
    assert [name for name in exported if not getattr(c, name).__doc__] == []


def test_every_engine_module_has_a_module_docstring():
    missing = [str(path.relative_to(ROOT)) for path in engine_files()
               if not ast.get_docstring(parsed(path))]
    assert missing == []


DB_MODULE = ENGINE / "db.py"
DIALECT_CALLS = {"with_for_update", "on_conflict_do_nothing", "on_conflict_do_update", "prefix_with"}


def dialect_specific(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, what) for every dialect-specific import or call in a parsed module."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                "sqlalchemy.dialects"):
            found.append((node.lineno, f"imports {node.module}"))
        elif isinstance(node, ast.Attribute) and node.attr in DIALECT_CALLS:
            found.append((node.lineno, f"calls .{node.attr}"))
        elif isinstance(node, ast.keyword) and node.arg == "skip_locked":
            found.append((node.value.lineno, "asks for SKIP LOCKED"))
    return found


def test_dialect_specific_sql_is_chosen_in_one_place():
    """Row locks, ON CONFLICT, SKIP LOCKED and dialect imports live in workflow/db.py only."""
    found = [f"{path.relative_to(ROOT)}:{line} {what}"
             for path in engine_files() if path != DB_MODULE
             for line, what in dialect_specific(parsed(path))]
    assert found == []


def test_the_dialect_check_would_see_a_row_lock_and_a_dialect_import():
    module = ast.parse("from sqlalchemy.dialects.postgresql import insert\n"
                       "q = select(Notice).with_for_update(skip_locked=True)\n")
    assert {what for _, what in dialect_specific(module)} == {
        "imports sqlalchemy.dialects.postgresql", "calls .with_for_update", "asks for SKIP LOCKED"}
    assert dialect_specific(parsed(DB_MODULE)) != []  # and it reads the module that may


# ------------------------------------------------------------------------------------------------
# Private names stay private; the choke point holds nothing else.

WEB = ROOT / "webui"


def private_imports(path: Path) -> list[str]:
    """`from x import _name` of a first-party module: a private name used across modules. The
    choke point is the one exception, named `_advance` by the design."""
    return [
        f"{where(path, node)} {alias.name}"
        for node in ast.walk(parsed(path))
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in (
            "workflow", "webui")
        for alias in node.names
        if alias.name.startswith("_") and alias.name != "_advance"
    ]


def test_no_private_name_is_imported_across_modules():
    files = engine_files() + sorted(WEB.rglob("*.py"))
    assert [hit for path in files for hit in private_imports(path)] == []


def test_the_private_import_check_would_see_one(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("from workflow.commands.drafting import _secret, public\n"
                      "from workflow.commands._advance import _advance\n", encoding="utf-8")
    global ROOT
    old, ROOT = ROOT, tmp_path
    try:
        assert [hit.split()[-1] for hit in private_imports(sample)] == ["_secret"]
    finally:
        ROOT = old


def test_the_choke_point_module_defines_only_the_choke_point():
    defined = {node.name for node in parsed(ADVANCE).body
               if isinstance(node, ast.FunctionDef | ast.ClassDef)}
    assert defined == {"_advance", "_cascade"}


# ------------------------------------------------------------------------------------------------
# The engine never commits: the caller owns the transaction.


def commits(tree: ast.AST) -> list[int]:
    """The lines of every `.commit(...)` call in a parsed module (a session's, a connection's)."""
    return [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == "commit"]


def test_no_engine_module_commits():
    found = [f"{path.relative_to(ROOT)}:{line}"
             for path in engine_files() for line in commits(parsed(path))]
    assert found == []


def test_the_commit_check_would_see_a_commit():
    module = ast.parse("with Session(engine) as session:\n    session.commit()\n"
                       "db.session.commit()\nconnection.commit()\ncommitted = record.commit\n")
    assert sorted(commits(module)) == [2, 3, 4]


# ------------------------------------------------------------------------------------------------
# Every right is named in permissions.py: nothing else decides that someone may not.

# Logging in is not a right but proof of who one is: its refusals (a wrong password, a wrong code)
# come from the login commands.
AUTHENTICATION = ENGINE / "commands" / "accounts.py"
PERMISSIONS = ENGINE / "permissions.py"


def forbidden_raised(tree: ast.AST) -> list[int]:
    """The lines that build a Forbidden refusal."""
    return [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id == "Forbidden"]


def test_only_the_permissions_module_refuses_a_right():
    found = [f"{path.relative_to(ROOT)}:{line}"
             for path in engine_files() if path not in (PERMISSIONS, AUTHENTICATION)
             for line in forbidden_raised(parsed(path))]
    assert found == []


def test_the_refusal_check_would_see_one():
    tree = ast.parse("if not ok:\n    raise Forbidden('只有督办可以催办')\n")
    assert forbidden_raised(tree) == [2]


def test_no_command_asks_a_role_itself():
    """`actor.holds(Role.X)` in a command is a right decided outside the table."""
    commands_dir = ENGINE / "commands"
    found = [where(path, node) for path in sorted(commands_dir.glob("*.py"))
             for node in ast.walk(parsed(path))
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
             and node.func.attr == "holds"]
    assert found == []
