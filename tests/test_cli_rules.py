"""One vocabulary and one error policy on every command, checked over a table of all of them.

`REQUIRED` gives each command the arguments it cannot run without; a command missing from it
fails `test_every_command_is_in_the_table`, so a new command is held to the same rules: `--plan/-p`
names the plan, a malformed date is exit 2, a missing plan file exit 2 and an invalid one exit 1
with `FILE:LINE:COL: mức [mã] nội dung` lines, `--json` wherever data is printed.
"""

from __future__ import annotations

import json
import re
import shlex

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from cchc.diagnostics import CchcError, NotFound, PlanFileNotFound, PlanInvalid, Refused, UsageError
from conftest import FIXTURES, PLAN_2023, run

# Each command with the arguments it needs besides the plan (run in an empty working folder).
REQUIRED: dict[str, list[str]] = {
    "validate": [], "status": [], "tasks": [], "show": ["3.đ"], "kpi": [], "targets": [], "units": [],
    "check": [], "report": ["--quarter", "1"], "diff": [], "log": [], "schema": [],
    "export": ["--xlsx", "out.xlsx"], "new": ["2024"], "update": ["3.đ", "--percent", "10"],
    "done": ["3.đ", "--no-evidence"], "note": ["--quarter", "1", "--section", "uu-diem", "Nội dung"],
    "reopen": ["1.a", "--reason", "Bổ sung"], "evidence add": ["3.đ", "Báo cáo số 1/BC"],
    "kpi record": ["hai-long", "80", "--quarter", "1"],
    "import": [str(FIXTURES / "seed" / "ke-hoach-cchc-2023-so-khcn.txt"), "-o", "imported.yaml"],
    "submit": ["--quarter", "1", "--number", "45/BC-SKHCN", "--date", "15/03/2023"],
    "serve": ["--host", "0.0.0.0"],  # refused without accounts (exit 2) once the plan is read: it never serves here
    "forms": ["--quarter", "1"], "collect": ["tien-do-VP-2023-Q1.xlsx"],
}
READS_NO_PLAN = {"schema": "prints the schema of every plan; reads none",
                 "import": "reads a plan document and writes a new plan file; reads no plan file"}
# Commands that print a confirmation or write files, not data.
PRINTS_NO_DATA = {"update", "done", "note", "reopen", "evidence add", "kpi record", "export", "schema", "serve",
                  "forms", "collect"}
# diff and log read the plan from git revisions: outside a repository they stop before reading it.
READS_GIT = {"diff", "log"}
WITH_PERIOD = {"report", "note", "kpi record", "submit", "forms"}
WITH_TASK_ID = {"show", "update", "done", "reopen", "evidence add"}


def commands() -> dict[str, object]:
    """Every command the user can type, by its words (`evidence add`), as Click commands."""
    from cchc import cli_edit
    from cchc.cli import app

    out: dict[str, object] = {"kpi record": get_command(cli_edit.KPI_RECORD)}  # dispatched by `kpi` itself

    def walk(group, prefix: str) -> None:
        for name, cmd in group.commands.items():
            path = f"{prefix} {name}".strip()
            if hasattr(cmd, "commands"):
                walk(cmd, path)
            else:
                out[path] = cmd

    walk(get_command(app), "")
    return out


def option_names(cmd) -> set[str]:
    return {name for p in cmd.params for name in [*p.opts, *p.secondary_opts] if name.startswith("-")}


def date_options(cmd) -> list[str]:
    return [p.opts[0] for p in cmd.params if p.opts[0] in ("--as-of", "--date", "--due-before")]


COMMANDS = commands()


def test_every_command_is_in_the_table():
    assert set(COMMANDS) == set(REQUIRED)


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_vocabulary(name):
    opts = option_names(COMMANDS[name])
    if name not in READS_NO_PLAN:
        assert {"--plan", "-p"} <= opts
    assert not opts & {"--file", "-f", "--context"}, "old names live on only as renamed aliases"
    assert ("--json" in opts) == (name not in PRINTS_NO_DATA)
    assert ({"--period", "--quarter"} <= opts) == (name in WITH_PERIOD)
    assert ("--attach" in opts) == (name in {"done", "evidence add", "submit"})  # submit: the signed copy
    if name == "tasks":
        assert "--without-evidence" in opts and "--no-evidence" not in opts  # a filter
    if name == "done":
        assert "--no-evidence" in opts  # a permission


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "plan_2023.yaml").write_bytes(PLAN_2023.read_bytes())
    return tmp_path


@pytest.mark.parametrize("name, option", [(n, o) for n in sorted(REQUIRED) for o in date_options(COMMANDS[n])])
def test_malformed_date_is_exit_2(folder, name, option):
    before = (folder / "plan_2023.yaml").read_bytes()
    result = run(*name.split(), *REQUIRED[name], option, "31/02/2023")
    assert result.exit_code == 2, result.stderr
    assert "ngày “31/02/2023” không hợp lệ" in result.stderr
    assert (folder / "plan_2023.yaml").read_bytes() == before


def test_date_options_are_found():
    assert {n for n in REQUIRED if date_options(COMMANDS[n])} >= {"status", "tasks", "update", "report"}


@pytest.mark.parametrize("name", sorted(set(REQUIRED) - set(READS_NO_PLAN)))
def test_missing_plan_file_is_exit_2(folder, name):
    result = run(*name.split(), *REQUIRED[name], "-p", folder / "khong-co" / "plan_2023.yaml")
    assert result.exit_code == 2, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("name", sorted(set(REQUIRED) - set(READS_NO_PLAN) - READS_GIT))
def test_invalid_plan_is_exit_1_with_each_finding(folder, name):
    plan = folder / "plan_2023.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("  year: 2023", "  year: hai nghìn", 1), encoding="utf-8")
    before = plan.read_bytes()
    result = run(*name.split(), *REQUIRED[name], "-p", plan)
    assert result.exit_code == 1, result.stderr
    out = result.stdout if name == "validate" else result.stderr
    assert re.search(r"plan_2023\.yaml:9:9: lỗi \[wrong-type\] ", out), out
    assert plan.read_bytes() == before


@pytest.mark.parametrize("error, code", [
    (UsageError("x"), 2), (NotFound("x"), 2), (PlanFileNotFound("x"), 2), (Refused("x"), 1), (CchcError("x"), 1),
    (PlanInvalid([]), 1),
])
def test_each_error_type_has_one_exit_code(error, code):
    from cchc.cmdoptions import exit_code_for

    assert exit_code_for(error) == code


# --- renamed options ------------------------------------------------------------------------------

def test_file_still_names_the_plan_on_read_commands_with_a_note(folder):
    result = run("tasks", "-f", folder / "plan_2023.yaml", "--area", "1", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)[0]["id"] == "1.a"
    assert result.stderr == "lưu ý: -f đã đổi thành --plan; tên cũ sẽ bỏ ở phiên bản sau\n"


def test_file_still_attaches_evidence_with_a_note(folder):
    (folder / "bc.pdf").write_bytes(b"%PDF-1.4 bao cao")
    result = run("evidence", "add", "3.đ", "Báo cáo số 45/BC", "--file", "bc.pdf")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.startswith("lưu ý: --file đã đổi thành --attach; tên cũ sẽ bỏ ở phiên bản sau\n")
    assert "file: bc.pdf" in (folder / "plan_2023.yaml").read_text(encoding="utf-8")


def test_old_filter_and_context_names(folder):
    old = run("tasks", "--no-evidence", "--json", "--as-of", "30/06/2023")
    new = run("tasks", "--without-evidence", "--json", "--as-of", "30/06/2023")
    assert old.stdout == new.stdout and "--without-evidence" in old.stderr
    old = run("report", "--quarter", "1", "--context", "--as-of", "20/03/2023")
    new = run("report", "--quarter", "1", "--json", "--as-of", "20/03/2023")
    assert old.exit_code == 0 and json.loads(old.stdout) == json.loads(new.stdout)
    assert "--context đã đổi thành --json" in old.stderr


# --- periods ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("period, quarter", [("2023-Q1", "1"), ("Q1", "1"), ("2023-H1", "2"), ("2023-Q2", "2"),
                                             ("2023-Q3", "3"), ("2023", "4")])
def test_report_period_as_period_or_quarter(folder, period, quarter):
    by_period = run("report", "--period", period, "--json", "--as-of", "20/12/2023")
    by_quarter = run("report", "--quarter", quarter, "--json", "--as-of", "20/12/2023")
    assert by_period.exit_code == 0, by_period.stderr
    assert json.loads(by_period.stdout) == json.loads(by_quarter.stdout)


@pytest.mark.parametrize("args, message", [
    (["--period", "2024-Q1"], "kỳ 2024-Q1 nằm ngoài năm kế hoạch 2023"),
    (["--period", "quý 1"], "kỳ “quý 1” không hợp lệ"),
    (["--quarter", "5"], "--quarter phải là 1, 2, 3 hoặc 4"),
    (["--quarter", "1", "--period", "2023-Q1"], "chỉ chọn một trong --period và --quarter"),
    ([], "cần chọn kỳ báo cáo"),
])
def test_report_period_mistakes_are_exit_2(folder, args, message):
    result = run("report", *args, "--json")
    assert result.exit_code == 2 and message in result.stderr, result.stderr


def test_quarter_on_the_recording_commands(folder):
    plan = folder / "plan_2023.yaml"
    assert run("kpi", "record", "hai-long", "81,5", "--quarter", "3").exit_code == 0
    assert run("note", "--quarter", "3", "--section", "han-che", "Còn chậm").exit_code == 0
    data = __import__("cchc.planfile", fromlist=["load"]).load(plan).plan
    assert any(m.period == "2023-Q3" and m.value == 81.5 for m in data.target("hai-long").measurements)
    assert data.narratives["2023-Q3"].shortcomings == "Còn chậm"
    result = run("kpi", "record", "hai-long", "80", "--quarter", "2", "--period", "2023-Q2")
    assert result.exit_code == 2


# --- completion with -p --------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(WITH_TASK_ID))
def test_task_ids_complete_after_dash_p(name):
    plan = shlex.quote(str(FIXTURES / "query_plan.yaml"))
    from cchc.cli import app

    words = f"cchc {name} -p {plan} 3."
    env = {"_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1", "_CCHC_COMPLETE": "complete_bash",
           "COMP_WORDS": words, "COMP_CWORD": str(len(shlex.split(words)) - 1)}
    result = CliRunner().invoke(app, [], prog_name="cchc", env=env)
    assert result.stdout.split() == ["3.a", "3.d", "3.đ", "3.e", "3.g"]
