"""`cchc schema`: the editor schema is the models' schema, is checked in, and is what plan files name."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from cchc.planfile import parse_document
from cchc.schema import MODELINE, SCHEMA_FILE, render
from conftest import MINIMAL_PLAN, PLAN_2023, PROGRESS_PLAN, ROOT, run

CHECKED_IN = ROOT / SCHEMA_FILE


def validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads(CHECKED_IN.read_text(encoding="utf-8")),
                                           format_checker=jsonschema.FormatChecker())


def editor_errors(text: str) -> list[str]:
    # yaml-language-server reads YAML 1.2, where 2023-03-20 is a string, as cchc's own loader does.
    data = parse_document(Path("plan.yaml"), text).data
    return ["/".join(map(str, e.absolute_path)) + ": " + e.message for e in validator().iter_errors(data)]


def test_checked_in_schema_equals_the_models_output():
    assert CHECKED_IN.read_text(encoding="utf-8") == render(), \
        "schema/plan.schema.json is stale: run `cchc schema -o schema/plan.schema.json`"


def test_schema_command_prints_it_and_writes_it(tmp_path):
    printed = run("schema")
    assert printed.exit_code == 0
    assert printed.stdout == CHECKED_IN.read_text(encoding="utf-8")
    data = json.loads(printed.stdout)
    assert data["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert data["title"] == "Kế hoạch cải cách hành chính (cchc)"
    assert data["required"] == ["schema_version", "plan", "units", "areas"]
    assert data["$defs"]["Task"]["properties"]["lead"]["description"] == "Mã đơn vị chủ trì"
    out = tmp_path / "sub" / "plan.schema.json"
    written = run("schema", "--output", out)
    assert written.exit_code == 0
    assert out.read_text(encoding="utf-8") == printed.stdout
    assert run("schema", "--check", "-o", out).exit_code == 0


def test_schema_check_fails_on_a_stale_file(tmp_path):
    stale = tmp_path / "plan.schema.json"
    stale.write_text("{}\n", encoding="utf-8")
    result = run("schema", "--check", "-o", stale)
    assert result.exit_code == 1
    assert result.stderr == (f"lỗi: {stale} chưa khớp với mẫu kế hoạch hiện tại; "
                             f"chạy: cchc schema -o {stale} --force\n")


def test_schema_is_a_valid_json_schema():
    jsonschema.Draft202012Validator.check_schema(json.loads(CHECKED_IN.read_text(encoding="utf-8")))


@pytest.mark.parametrize("plan", [PLAN_2023, PROGRESS_PLAN, MINIMAL_PLAN], ids=lambda p: p.name)
def test_valid_plans_raise_no_squiggles(plan):
    assert editor_errors(plan.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("old, new, expected", [
    ("        lead: VP\n        support: [TTRA]", "        lead: VP\n        outptu: x\n        support: [TTRA]",
     "areas/0/tasks/0: Additional properties are not allowed ('outptu' was unexpected)"),
    ("percent: 40", "percent: 120", "areas/0/tasks/0/progress/0/percent: 120 is greater than the maximum of 100"),
    ("deadline: quarterly", "deadline: hằng quý", "areas/0/tasks/1/deadline: 'hằng quý' is not valid under any"),
    ("  2023-Q1:\n", "  quy-1:\n", "narratives: 'quy-1' does not match"),
], ids=["unknown-key", "percent", "recurrence", "period-key"])
def test_mistakes_cchc_refuses_are_underlined_in_the_editor(old, new, expected):
    text = MINIMAL_PLAN.read_text(encoding="utf-8")
    assert text.count(old) == 1
    errors = editor_errors(text.replace(old, new))
    assert len(errors) == 1 and errors[0].startswith(expected), errors


def test_a_year_written_as_a_number_is_accepted_as_cchc_accepts_it():
    text = MINIMAL_PLAN.read_text(encoding="utf-8").replace(
        "    measurements: []\n", "    measurements:\n      - period: 2023\n        value: 88.2\n", 1)
    assert editor_errors(text) == []


def test_plan_files_point_editors_at_the_checked_in_schema():
    for plan in (PLAN_2023, PROGRESS_PLAN):
        assert plan.read_text(encoding="utf-8").splitlines()[0] == MODELINE
    assert MODELINE == "# yaml-language-server: $schema=schema/plan.schema.json"
    # The line is relative to the plan file: from the repository root it names the checked-in file.
    assert (PLAN_2023.parent / MODELINE.split("=", 1)[1]).resolve() == CHECKED_IN
