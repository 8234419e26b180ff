"""The code's own shape: no import cycle, short functions, one registry of finding codes."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from cchc.finding_codes import BY_CODE, CHECK, REGISTRY, REPORT, VALIDATE
from conftest import ROOT, run

PACKAGE = ROOT / "cchc"
MODULES = sorted(PACKAGE.glob("*.py"))
MAX_LINES = 60
# Functions allowed to be longer, and why (the README's development notes say the same).
LONG_FUNCTIONS = {
    "model.py:semantic_problems": "one pass over the raw plan, one rule a few lines each",
    "plandiff.py:describe": "one sentence per kind of change",
}


def imports_of(path: Path) -> set[str]:
    """The cchc modules `path` imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            found |= {node.module.split(".")[0]} if node.module else {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("cchc."):
            found.add(node.module.split(".")[1])
    return {name for name in found if (PACKAGE / f"{name}.py").exists()}


def test_no_import_cycle():
    graph = {p.stem: imports_of(p) for p in MODULES}
    cycles = []

    def visit(module: str, path: list[str], done: set[str]) -> None:
        for dep in sorted(graph[module]):
            if dep in path:
                cycles.append(path[path.index(dep):] + [dep])
            elif dep not in done:
                done.add(dep)
                visit(dep, path + [dep], done)

    for module in graph:
        visit(module, [module], set())
    assert cycles == []


def test_walker_sees_lazy_imports():
    assert "cli" in imports_of(PACKAGE / "console.py")  # imported inside main()


def test_functions_are_short():
    long = {}
    for path in MODULES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_LINES:
                    long[f"{path.name}:{node.name}"] = lines
    assert set(long) <= set(LONG_FUNCTIONS), long


# --- the registry of finding codes --------------------------------------------------------------

CODE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)+$")
NOT_CODES = {"utf-8", "half-yearly", "year-round"}  # kebab-case strings that are values, not codes


@pytest.mark.parametrize("module", ["planfile.py", "model.py", "checks.py"])
def test_every_code_in_the_source_is_registered(module):
    tree = ast.parse((PACKAGE / module).read_text(encoding="utf-8"))
    written = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
               and CODE.match(n.value)} - NOT_CODES
    assert written and written <= set(BY_CODE)


def test_registry_has_each_code_once_with_a_severity_and_meaning():
    assert len(BY_CODE) == len(REGISTRY)
    for c in REGISTRY:
        assert c.severity in ("error", "warning") and c.command in (VALIDATE, CHECK, REPORT) and c.meaning


def readme_codes() -> list[tuple[str, ...]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"^\| `([a-z0-9-]+)` \| (lỗi|cảnh báo) \| (validate|check|report) \| (.+) \|$", text, re.M)


def test_readme_table_is_the_registry():
    from cchc.finding_codes import severity_label

    assert readme_codes() == [(c.code, severity_label(c.severity), c.command, c.meaning) for c in REGISTRY]


def test_check_lists_codes():
    import json

    result = run("check", "--list-codes", "--json")
    assert result.exit_code == 0
    assert [c["code"] for c in json.loads(result.stdout)] == [c.code for c in REGISTRY]
    plain = run("check", "--list-codes").stdout
    assert all(c.code in plain for c in REGISTRY)
    english = run("--lang", "en", "check", "--list-codes", "--json").stdout
    assert json.loads(english)[0]["meaning"] == "the file is not UTF-8 text"


def test_readme_module_map_lists_every_module():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (`cchc/[^|]+`) \| [^|]+ \|$", text, re.M)
    listed = [name.strip("`") for cell in rows for name in cell.split(", ")]
    assert sorted(listed) == sorted(f"cchc/{p.name}" for p in MODULES)


def test_every_lazy_import_names_something_that_exists():
    """Imports inside functions run only when the function does: check each name is really there."""
    import importlib

    missing = []
    for path in [*MODULES, *sorted((PACKAGE / "web").glob("*.py"))]:
        package = "cchc.web" if path.parent.name == "web" else "cchc"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level and node.module:
                base = package if node.level == 1 else package.rsplit(".", node.level - 1)[0]
                module = importlib.import_module(f"{base}.{node.module}")
                missing += [f"{path.name}: {node.module}.{a.name}" for a in node.names
                            if not hasattr(module, a.name) and not _is_submodule(module, a.name)]
    assert missing == []


def _is_submodule(module, name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(f"{module.__name__}.{name}") is not None if hasattr(module, "__path__") else False
