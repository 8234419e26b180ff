"""The command → module table behind lazy registration matches what the modules register."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest
import typer
from typer.main import get_command

from cchc import command_modules as commands
from conftest import PROGRESS_PLAN


def registered_names(module: str) -> set[str]:
    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        pass

    importlib.import_module(f"cchc.{module}").register(app)
    return set(get_command(app).commands)


@pytest.mark.parametrize("module", list(commands.COMMAND_MODULES))
def test_table_lists_exactly_what_each_module_registers(module):
    assert registered_names(module) == set(commands.COMMAND_MODULES[module])


@pytest.mark.parametrize("argv, word", [
    (["status", "--as-of", "x"], "status"),
    (["--lang", "en", "tasks"], "tasks"),
    (["--lang=en", "kpi", "record"], "kpi"),
    (["--help"], None),
    ([], None),
    (["-h", "status"], None),
])
def test_command_word(argv, word):
    assert commands.command_word(argv) == word


def test_modules_for_each_command():
    assert commands.modules_for("status") == ("cli_plan",)
    assert commands.modules_for("kpi") == ("cli_query", "cli_edit")
    assert commands.modules_for("report") == ("cli_report",)
    assert commands.modules_for("nonsense") == tuple(commands.COMMAND_MODULES)
    assert commands.modules_for(None) == tuple(commands.COMMAND_MODULES)


def run_script(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "cchc", *map(str, args)], capture_output=True, text=True,
                          encoding="utf-8", cwd=cwd)


def test_console_script_runs_commands_of_each_module(tmp_path):
    plan = tmp_path / "plan_2023.yaml"
    plan.write_bytes(PROGRESS_PLAN.read_bytes())
    assert run_script("tasks", "--area", "1", "-p", plan).returncode == 0
    proc = run_script("kpi", "record", "dvctt", "71", "--period", "2023-Q2", "-p", plan)
    assert proc.returncode == 0, proc.stderr
    assert "period: 2023-Q2\n        value: 71" in plan.read_text(encoding="utf-8")
    assert '"id": "dvctt"' in run_script("kpi", "dvctt", "-p", plan, "--json").stdout


def test_help_lists_every_command():
    out = run_script("--help").stdout
    for names in commands.COMMAND_MODULES.values():
        for name in names:
            assert f"\n  {name} " in out, name
