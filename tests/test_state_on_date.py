"""A task's state on a date comes from its dated log alone (issue 10, point 1).

1.a of the progress fixture was done on 10/03/2023. Reopened on 15/03, it is still done on every
date up to 14/03 — in the Q1 report (data to 14/03), `show --as-of`, `tasks --status done --as-of`,
`check --as-of`, `status --json` and the xlsx export — and under way from 15/03.
"""

from __future__ import annotations

import datetime as dt
import json

import docx

from conftest import run


def reopened_plan(plan_copy):
    plan = plan_copy()
    result = run("reopen", "1.a", "--reason", "Sở Nội vụ yêu cầu bổ sung", "--date", "15/03/2023", "-p", plan)
    assert result.exit_code == 0, result.stderr
    return plan


def test_reopened_task_is_done_in_the_q1_report(plan_copy, tmp_path):
    plan = reopened_plan(plan_copy)
    out = tmp_path / "q1.docx"
    result = run("report", "-q", "1", "-p", plan, "--as-of", "20/03/2023", "-o", out)
    assert result.exit_code == 0, result.stderr
    text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    assert "hoàn thành ngày 10/03/2023" in text
    annex = docx.Document(str(out)).tables[-1]
    row = next(r for r in annex.rows if r.cells[0].text == "1.a")
    assert row.cells[5].text == "Đã hoàn thành ngày 10/03/2023"
    assert "Đang thực hiện" not in row.cells[5].text


def test_reopened_task_on_each_command_before_and_after_the_reopening(plan_copy):
    plan = reopened_plan(plan_copy)
    before = run("show", "1.a", "-p", plan, "--as-of", "14/03/2023")
    assert "hoàn thành ngày 10/03/2023" in before.stdout
    after = run("show", "1.a", "-p", plan, "--as-of", "16/03/2023", "--json")
    shown = json.loads(after.stdout)
    assert (shown["state"], shown["percent"], shown["done_on"]) == ("in_progress", 50.0, None)

    def done_ids(day: str) -> list[str]:
        listed = run("tasks", "-p", plan, "--status", "done", "--as-of", day, "--json")
        return [t["id"] for t in json.loads(listed.stdout)]

    assert done_ids("14/03/2023") == ["1.a"]
    assert done_ids("16/03/2023") == []
    status = json.loads(run("status", "-p", plan, "--as-of", "14/03/2023", "--json").stdout)
    assert status["totals"]["done"] == 1
    units = json.loads(run("units", "-p", plan, "--as-of", "14/03/2023", "--json").stdout)
    assert next(u for u in units if u["key"] == "VP")["lead"]["done"] == 1
    check = json.loads(run("check", "-p", plan, "--as-of", "14/03/2023", "--json").stdout)
    assert not [f for f in check if "1.a" in f["message"]]


def test_reopened_task_in_the_xlsx_export(plan_copy):
    from cchc.export import task_rows
    from cchc.planfile import load_plan

    plan = load_plan(reopened_plan(plan_copy))
    row = next(r for r in task_rows(plan, dt.date(2023, 3, 14)) if r[0] == "1.a")
    assert row[8] == "hoàn thành" and row[9] == 100
    row = next(r for r in task_rows(plan, dt.date(2023, 3, 16)) if r[0] == "1.a")
    assert row[8] == "đang thực hiện" and row[9] == 50


def test_status_field_alone_never_makes_a_task_done(plan_copy):
    # `status: done` written by hand with no completion in the log: no date such as 01/01/1 anywhere,
    # and the task is what its log says (here: never started, so late after its deadline).
    plan = plan_copy()
    raw = plan.read_text(encoding="utf-8")
    start = raw.index("      - id: 6.đ")
    end = raw.index("status: not_started", start)
    plan.write_text(raw[:end] + "status: done" + raw[end + len("status: not_started"):], encoding="utf-8")
    shown = run("show", "6.đ", "-p", plan, "--as-of", "20/12/2023")
    assert shown.exit_code == 0, shown.stderr
    assert "01/01/1" not in shown.stdout and "0001" not in shown.stdout
    assert "quá hạn" in shown.stdout
    listed = json.loads(run("tasks", "-p", plan, "--as-of", "20/12/2023", "--json").stdout)
    entry = next(t for t in listed if t["id"] == "6.đ")
    assert (entry["status"], entry["state"], entry["done_on"]) == ("done", "late", None)
    check = run("check", "-p", plan, "--as-of", "20/12/2023")
    assert "[status-inconsistent] nhiệm vụ 6.đ ghi trạng thái hoàn thành" in check.stdout
