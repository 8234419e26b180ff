"""Shell completion of task ids, unit keys, target ids and areas from the plan.

The callbacks are tested directly with a prefix, then once through Typer's own completion
machinery (as bash and zsh call it) to prove they are wired to the right parameters.
"""

from __future__ import annotations

import shlex
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

from conftest import FIXTURES

QUERY_PLAN = FIXTURES / "query_plan.yaml"
PLAN_ARG = shlex.quote(str(QUERY_PLAN))  # the checkout may live in a folder with spaces


def ctx(file=QUERY_PLAN, parent=None):
    """A stand-in for click's Context: completion reads only `params` and `parent`."""
    return SimpleNamespace(params={"plan": str(file) if file else None}, parent=parent)


def values(items) -> list[str]:
    return [item[0] for item in items]


def test_task_ids_by_prefix_in_lettering_order():
    from cchc.completion import complete_task_id

    assert values(complete_task_id(ctx(), "3.")) == ["3.a", "3.d", "3.đ", "3.e", "3.g"]
    assert values(complete_task_id(ctx(), "3.đ")) == ["3.đ"]
    assert values(complete_task_id(ctx(), "3.d")) == ["3.d"]
    assert values(complete_task_id(ctx(), "III")) == ["III.1", "III.2"]
    assert values(complete_task_id(ctx(), "9")) == []
    assert dict(complete_task_id(ctx(), "3.đ"))["3.đ"] == "Triển khai Đề án phân cấp giải quyết TTHC"
    assert len(complete_task_id(ctx(), "")) == 13


def test_unit_keys_and_target_ids():
    from cchc.completion import complete_area, complete_target_id, complete_unit

    assert values(complete_unit(ctx(), "")) == ["VP", "TTRA", "KHTC", "QLKH", "TTTT", "CCTĐC"]
    assert complete_unit(ctx(), "CC") == [("CCTĐC", "Chi cục Tiêu chuẩn Đo lường Chất lượng")]
    assert values(complete_unit(ctx(), "T")) == ["TTRA", "TTTT"]
    assert values(complete_target_id(ctx(), "")) == ["hai-long", "dvctt", "so-hoa", "par-index"]
    assert values(complete_target_id(ctx(), "p")) == ["par-index"]
    assert values(complete_area(ctx(), "")) == ["1", "3", "6", "III"]


def test_plan_found_through_parent_context_or_environment(monkeypatch, tmp_path):
    from cchc.completion import complete_unit

    child = SimpleNamespace(params={}, parent=ctx())
    assert values(complete_unit(child, "K")) == ["KHTC"]
    monkeypatch.setenv("CCHC_PLAN", str(QUERY_PLAN))
    assert values(complete_unit(ctx(file=None), "Q")) == ["QLKH"]
    assert values(complete_unit(None, "Q")) == ["QLKH"]


@pytest.mark.parametrize("setup", ["missing", "invalid", "none-in-folder", "two-in-folder", "binary"])
def test_never_raises_returns_nothing(setup, tmp_path, monkeypatch):
    from cchc.completion import complete_target_id, complete_task_id, complete_unit

    monkeypatch.chdir(tmp_path)
    file = None
    if setup == "missing":
        file = tmp_path / "khong-co.yaml"
    elif setup == "invalid":
        file = tmp_path / "plan_2023.yaml"
        file.write_text("schema_version: 1\nunits: [\n", encoding="utf-8")
    elif setup == "two-in-folder":
        for name in ("plan_2023.yaml", "plan_2024.yaml"):
            (tmp_path / name).write_bytes(QUERY_PLAN.read_bytes())
    elif setup == "binary":
        file = tmp_path / "plan_2023.yaml"
        file.write_bytes(b"\xff\xfe\x00garbage")
    for complete in (complete_task_id, complete_unit, complete_target_id):
        assert complete(ctx(file), "") == []


def test_plan_in_the_current_folder_is_used(tmp_path, monkeypatch):
    from cchc.completion import complete_task_id

    (tmp_path / "plan_2023.yaml").write_bytes(QUERY_PLAN.read_bytes())
    monkeypatch.chdir(tmp_path)
    assert values(complete_task_id(ctx(file=None), "6")) == ["6.a", "6.b"]


def complete_through_typer(shell_env: dict) -> str:
    from cchc.cli import app

    env = {"_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1", **shell_env}
    result = CliRunner().invoke(app, [], prog_name="cchc", env=env)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_bash_completes_show_ids():
    out = complete_through_typer({"_CCHC_COMPLETE": "complete_bash",
                                  "COMP_WORDS": f"cchc show -p {PLAN_ARG} 3.", "COMP_CWORD": "4"})
    assert out.split() == ["3.a", "3.d", "3.đ", "3.e", "3.g"]


def test_bash_completes_kpi_ids_and_tasks_unit():
    out = complete_through_typer({"_CCHC_COMPLETE": "complete_bash",
                                  "COMP_WORDS": f"cchc kpi -p {PLAN_ARG} s", "COMP_CWORD": "4"})
    assert out.split() == ["so-hoa"]
    out = complete_through_typer({"_CCHC_COMPLETE": "complete_bash",
                                  "COMP_WORDS": f"cchc tasks -p {PLAN_ARG} --unit T", "COMP_CWORD": "5"})
    assert out.split() == ["TTRA", "TTTT"]


def test_zsh_gets_names_as_descriptions():
    out = complete_through_typer({"_CCHC_COMPLETE": "complete_zsh",
                                  "_TYPER_COMPLETE_ARGS": f"cchc tasks -p {PLAN_ARG} --unit CC"})
    assert '"CCTĐC":"Chi cục Tiêu chuẩn Đo lường Chất lượng"' in out
