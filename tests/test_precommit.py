"""The pre-commit hooks: run as pre-commit runs them (entry + staged file names), on good and broken plans."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys

import pytest
from ruamel.yaml import YAML

from conftest import MINIMAL_PLAN, ROOT

HOOKS = ROOT / ".pre-commit-hooks.yaml"
CONFIG = ROOT / ".pre-commit-config.yaml"


def manifest() -> dict[str, dict]:
    return {h["id"]: h for h in YAML(typ="safe").load(HOOKS.read_text(encoding="utf-8"))}


def local_hooks() -> dict[str, dict]:
    config = YAML(typ="safe").load(CONFIG.read_text(encoding="utf-8"))
    [repo] = config["repos"]
    assert repo["repo"] == "local"
    return {h["id"]: h for h in repo["hooks"]}


def command(entry: str) -> list[str]:
    # pre-commit installs the package and runs `entry` from its environment; the same console
    # script is `cchc` on PATH after `pip install`, or `python -m cchc` from this interpreter.
    argv = shlex.split(entry)
    assert argv[0] == "cchc"
    exe = shutil.which("cchc")
    return ([exe] if exe else [sys.executable, "-m", "cchc"]) + argv[1:]


def run_hook(hook: dict, files: list[str], cwd) -> subprocess.CompletedProcess:
    matching = [f for f in files if re.search(hook["files"], f)]
    argv = command(hook["entry"]) + (matching if hook.get("pass_filenames", True) else [])
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, encoding="utf-8")


@pytest.fixture
def repo(tmp_path):
    (tmp_path / "ke-hoach").mkdir()
    good = MINIMAL_PLAN.read_text(encoding="utf-8")
    (tmp_path / "plan_2023.yaml").write_text(good, encoding="utf-8")
    broken = good.replace("percent: 40", "percent: 140").replace("support: [TTRA]", "support: [TTR]")
    (tmp_path / "ke-hoach" / "plan_2023.yaml").write_text(broken, encoding="utf-8")
    return tmp_path


def test_validate_hook_fails_on_a_broken_plan(repo):
    hook = manifest()["cchc-validate"]
    result = run_hook(hook, ["README.md", "plan_2023.yaml", "ke-hoach/plan_2023.yaml"], repo)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "ke-hoach/plan_2023.yaml:35:19: lỗi [unknown-unit] không có đơn vị mã TTR trong danh mục units",
        "ke-hoach/plan_2023.yaml:39:22: lỗi [bad-percent] phần trăm phải từ 0 đến 100, không phải 140",
    ]
    assert "plan_2023.yaml: hợp lệ" in result.stderr
    assert "Traceback" not in result.stderr


def test_validate_hook_passes_on_valid_plans(repo):
    hook = manifest()["cchc-validate"]
    result = run_hook(hook, ["plan_2023.yaml"], repo)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


def test_check_hook_runs_check_on_the_staged_plan(repo):
    hook = manifest()["cchc-check"]
    # A hand-set `status: done` with no completion in the log: the report would not count it.
    plan = repo / "plan_2023.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace(
        "        deadline: quarterly\n", "        deadline: quarterly\n        status: done\n"), encoding="utf-8")
    result = run_hook(hook, ["plan_2023.yaml"], repo)
    assert result.returncode == 1
    assert any(line.startswith("plan_2023.yaml:46:17: ") and "[status-inconsistent]" in line
               for line in result.stdout.splitlines()), result.stdout


def test_hooks_only_run_on_plan_files():
    for hook in manifest().values():
        pattern = re.compile(hook["files"])
        assert pattern.search("plan_2023.yaml") and pattern.search("ke-hoach/plan_2023.yaml")
        assert not pattern.search("README.md") and not pattern.search(".pre-commit-config.yaml")
        assert not pattern.search("schema/plan.schema.json") and not pattern.search("plans/other.yaml")
        assert hook["language"] == "python"


def test_this_repository_uses_the_published_hook():
    published = manifest()["cchc-validate"]
    local = local_hooks()["cchc-validate"]
    for key in ("entry", "files", "pass_filenames"):
        assert local[key] == published[key], key
    assert local["exclude"] == "^tests/"  # fixtures broken on purpose


def test_schema_hook_passes_on_this_repository():
    hook = local_hooks()["cchc-schema"]
    result = run_hook(hook, ["cchc/model.py"], ROOT)
    assert result.returncode == 0, result.stderr
