"""`cchc show`, `cchc kpi`/`targets` and `cchc units` on tests/fixtures/query_plan.yaml (20/07/2023)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest

from conftest import FIXTURES, PROGRESS_PLAN, run

QUERY_PLAN = FIXTURES / "query_plan.yaml"
AS_OF = "2023-07-20"


def show_json(task_id: str, as_of: str = AS_OF, plan=QUERY_PLAN) -> dict:
    result = run("show", task_id, "-p", plan, "--as-of", as_of, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def line_of(text: str, path=QUERY_PLAN) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    matches = [i + 1 for i, line in enumerate(lines) if line.strip() == text]
    assert len(matches) == 1, text
    return matches[0]


# --- show -------------------------------------------------------------------------------------


def test_show_d_and_dd_are_different_tasks():
    d = run("show", "3.d", "-p", QUERY_PLAN, "--as-of", AS_OF)
    dd = run("show", "3.đ", "-p", QUERY_PLAN, "--as-of", AS_OF)
    assert d.exit_code == dd.exit_code == 0
    assert d.stdout.splitlines()[0] == "Nhiệm vụ 3.d"
    assert "Thực hiện hiệu quả cơ chế một cửa" in d.stdout and "Đề án phân cấp" not in d.stdout
    assert dd.stdout.splitlines()[0] == "Nhiệm vụ 3.đ"
    assert "Đề án phân cấp" in dd.stdout and "Thực hiện hiệu quả" not in dd.stdout


def test_show_plain_text_has_every_part():
    out = run("show", "3.g", "-p", QUERY_PLAN, "--as-of", AS_OF).stdout
    lines = out.splitlines()
    for title in ("Nhiệm vụ 3.g", "Diễn biến tiến độ", "Tài liệu kiểm chứng", "Trong các kỳ báo cáo"):
        assert title in lines
    assert any(line.startswith("Chủ trì ") and "TTTT — Trung tâm Thông tin" in line for line in lines)
    assert any(line.startswith("Phối hợp ") and "CCTĐC — Chi cục" in line for line in lines)
    assert any(line.startswith("Vị trí trong tệp ") and line.endswith(f"query_plan.yaml:{line_of('- id: 3.g')}")
               for line in lines)
    # The timeline is in date order even though the file has 01/03 before 20/02.
    timeline = [line for line in lines if line[:10] in ("20/02/2023", "01/03/2023")]
    assert [line[:10] for line in timeline] == ["20/02/2023", "01/03/2023"]
    assert any("query_evidence/so-hoa.txt" in line and "tệp đã bị thay đổi" in line for line in lines)


def test_show_unknown_id_exits_1_with_a_suggestion():
    result = run("show", "3.x", "-p", QUERY_PLAN)
    assert result.exit_code == 1
    assert result.stdout == ""
    [line] = result.stderr.strip().splitlines()
    assert "3.x" in line and "có phải" in line


def test_show_never_confuses_d_with_dd_when_one_is_missing(tmp_path):
    # A plan with 3.đ but no 3.d: asking for 3.d must fail (and may suggest 3.đ), never show 3.đ.
    text = QUERY_PLAN.read_text(encoding="utf-8")
    start = text.index("      - id: 3.d\n")
    end = text.index("      - id: 3.e\n")
    plan = tmp_path / "plan.yaml"
    plan.write_text(text[:start] + text[end:], encoding="utf-8")
    result = run("show", "3.d", "-p", plan)
    assert result.exit_code == 1 and result.stdout == ""
    assert "“3.d”" in result.stderr


def test_show_accepts_another_case_for_duties():
    assert show_json("iii.2")["id"] == "III.2"


def test_show_json_shape_and_evidence_checks():
    data = show_json("3.g")
    for key in ("id", "area", "title", "lead", "support", "deadline", "output", "status", "state", "percent",
                "next_due", "done_on", "area_title", "final_deadline", "deliverables", "file", "line", "progress",
                "evidence", "periods"):
        assert key in data, key
    assert data["line"] == line_of("- id: 3.g")
    assert [e["date"] for e in data["progress"]] == ["2023-02-20", "2023-03-01"]
    assert data["evidence"][0]["file_state"] == "changed"
    states = {tid: [e["file_state"] for e in show_json(tid)["evidence"]] for tid in ("1.a", "3.a", "3.e", "III.1")}
    assert states == {"1.a": ["ok"], "3.a": ["unverified"], "3.e": ["missing"], "III.1": ["no-file"]}


def test_show_deliverables_of_a_recurring_task():
    data = show_json("1.d")
    assert data["deadline"] == "quarterly"
    assert data["deliverables"] == ["2023-03-31", "2023-06-30", "2023-09-30", "2023-12-31"]
    assert data["next_due"] == "2023-09-30"


def test_show_report_periods():
    periods = show_json("3.d")["periods"]
    assert [p["key"] for p in periods] == ["2023-Q1", "2023-Q2", "2023-Q3", "2023-Q4"]
    q1, q2, q3, q4 = periods
    assert (q1["state"], q1["percent"], q1["partial"]) == ("in_progress", 40, False)
    # The six-month report lists 3.d among the tasks due in the next period (deadline 15/08).
    assert (q2["state"], q2["due_next"]) == ("in_progress", ["2023-08-15"])
    assert (q3["state"], q3["done_on"], q3["due"], q3["partial"]) == ("done", "2023-07-10", ["2023-08-15"], True)
    assert q4["state"] == "done"


def test_show_periods_not_begun_and_entries_after_as_of():
    data = show_json("3.d", as_of="2023-03-01")
    q3 = data["periods"][2]
    assert (q3["state"], q3["due"]) == (None, ["2023-08-15"])
    assert [(e["date"], e["counted"]) for e in data["progress"]] == [("2023-02-01", True), ("2023-07-10", False)]
    assert data["state"] == "in_progress" and data["percent"] == 40
    out = run("show", "3.d", "-p", QUERY_PLAN, "--as-of", "01/03/2023").stdout
    assert any(line.startswith("10/07/2023") and "(sau ngày tính)" in line for line in out.splitlines())
    assert any(line.startswith("quý III năm 2023") and "chưa đến kỳ" in line for line in out.splitlines())


def test_show_late_and_done_in_earlier_period():
    late = show_json("6.b")["periods"]
    assert [p["state"] for p in late] == ["not_started", "late", "late", "late"]
    done = show_json("III.1")["periods"]  # done 20/02: in the Q1 report; Q3 covers 15/06-14/09 alone
    assert [p["state"] for p in done] == ["done"] * 4
    out = run("show", "III.1", "-p", QUERY_PLAN, "--as-of", AS_OF).stdout
    assert any(line.startswith("quý III năm 2023") and "đã hoàn thành từ trước kỳ (20/02/2023)" in line
               for line in out.splitlines())


def test_show_on_the_progress_fixture():
    # plan_progress.yaml: 3.đ done on 20/03, after the Q1 cut-off, so it belongs to the six-month report.
    periods = show_json("3.đ", as_of="2023-12-20", plan=PROGRESS_PLAN)["periods"]
    assert [(p["state"], p["done_on"]) for p in periods[:2]] == [("not_started", None), ("done", "2023-03-20")]


# --- kpi / targets ----------------------------------------------------------------------------


def kpi_json(*args: str) -> list | dict:
    result = run("kpi", "-p", QUERY_PLAN, "--as-of", AS_OF, "--json", *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_kpi_json_shape_marks_and_trends():
    data = kpi_json()
    assert [t["id"] for t in data] == ["hai-long", "dvctt", "so-hoa", "par-index"]
    keys = {"id", "name", "kind", "target", "unit", "deadline", "scope", "note", "measurements", "period", "value",
            "mark", "trend"}
    assert all(set(t) == keys for t in data)
    by_id = {t["id"]: t for t in data}
    hai_long = by_id["hai-long"]
    assert [(m["period"], m["value"], m["reached"]) for m in hai_long["measurements"]] == \
        [("2023-Q1", 85, False), ("2023-H1", 88.5, True)]
    assert (hai_long["period"], hai_long["value"], hai_long["mark"], hai_long["trend"]) == \
        ("2023-H1", 88.5, "reached", "better")
    assert (by_id["so-hoa"]["mark"], by_id["so-hoa"]["trend"]) == ("not_yet", "worse")  # 40 then 35
    assert (by_id["dvctt"]["mark"], by_id["dvctt"]["trend"]) == ("not_yet", None)
    assert (by_id["par-index"]["mark"], by_id["par-index"]["trend"], by_id["par-index"]["value"]) == \
        ("no_data", None, None)


def test_kpi_one_target_prints_one_object():
    data = kpi_json("so-hoa")
    assert isinstance(data, dict) and data["id"] == "so-hoa"
    assert [m["period"] for m in data["measurements"]] == ["2023-Q1", "2023-Q2"]


def test_kpi_as_of_hides_later_measurements():
    result = run("kpi", "hai-long", "-p", QUERY_PLAN, "--as-of", "2022-12-01", "--json")
    data = json.loads(result.stdout)
    assert (data["measurements"], data["mark"]) == ([], "no_data")


def test_targets_is_the_same_command():
    a = run("kpi", "-p", QUERY_PLAN, "--as-of", AS_OF)
    b = run("targets", "-p", QUERY_PLAN, "--as-of", AS_OF)
    assert a.exit_code == b.exit_code == 0 and a.stdout == b.stdout


def test_kpi_table():
    lines = run("kpi", "-p", QUERY_PLAN, "--as-of", AS_OF).stdout.splitlines()
    assert lines[0] == "Chỉ tiêu — tính đến ngày 20/07/2023"
    header = lines[1].split()
    assert header[header.index("tiêu", 4) + 1:][:3] == ["2023-Q1", "2023-H1", "2023-Q2"]  # after "Mục tiêu"
    row = next(line for line in lines if line.startswith("hai-long "))
    assert "≥ 87%" in row and "85%" in row and "88,5%" in row and "↑ tốt lên" in row and row.endswith("đạt")
    row = next(line for line in lines if line.startswith("par-index "))
    assert "top 10" in row and row.endswith("chưa có số liệu")


def test_kpi_one_target_table_and_csv():
    lines = run("kpi", "so-hoa", "-p", QUERY_PLAN, "--as-of", AS_OF).stdout.splitlines()
    assert lines[0] == "Chỉ tiêu so-hoa — tính đến ngày 20/07/2023"
    assert any(line.startswith("Kết quả mới nhất") and "35 hồ sơ (kỳ 2023-Q2)" in line for line in lines)
    rows = list(csv.reader(io.StringIO(run("kpi", "-p", QUERY_PLAN, "--as-of", AS_OF, "--csv").stdout)))
    assert rows[0][:3] == ["Mã", "Chỉ tiêu", "Mục tiêu"] and [r[0] for r in rows[1:]] == \
        ["hai-long", "dvctt", "so-hoa", "par-index"]


def test_kpi_unknown_target_suggests():
    result = run("kpi", "hai-lon", "-p", QUERY_PLAN)
    assert result.exit_code == 1
    assert "hai-lon" in result.stderr and "hai-long" in result.stderr


def test_trend_of_a_rank_lower_is_better():
    from cchc.model import Measurement, Target
    from cchc.query import _trend

    target = Target(id="par", name="PAR INDEX", kind="rank", target=10, deadline="2023-12-31")
    assert _trend(target, [Measurement(period="2022", value=12), Measurement(period="2023", value=9)]) == "better"
    assert _trend(target, [Measurement(period="2022", value=9), Measurement(period="2023", value=12)]) == "worse"
    assert _trend(target, [Measurement(period="2023", value=9)]) is None


# --- units ------------------------------------------------------------------------------------


def units_json(as_of: str = AS_OF) -> dict:
    result = run("units", "-p", QUERY_PLAN, "--as-of", as_of, "--json")
    assert result.exit_code == 0, result.stderr
    return {u["key"]: u for u in json.loads(result.stdout)}


def test_units_json():
    units = units_json()
    assert list(units) == ["VP", "TTRA", "KHTC", "QLKH", "TTTT", "CCTĐC"]  # registry order
    assert all(set(u) == {"key", "name", "lead", "support", "late", "late_support"} for u in units.values())
    assert units["VP"]["lead"] == {"total": 6, "done": 3, "in_progress": 2, "not_started": 1, "late": 0}
    assert units["VP"]["support"] == 3  # 1.b (ALL), 1.c, 3.a
    assert units["VP"]["late_support"] == ["1.c"]
    assert (units["TTRA"]["late"], units["KHTC"]["late"]) == (["1.c"], ["6.b"])
    assert units["KHTC"]["support"] == 3  # 1.b (ALL), 3.a, III.2
    assert units["TTTT"]["support"] == 0  # ALL on 1.b does not count the lead itself
    assert units["CCTĐC"]["name"] == "Chi cục Tiêu chuẩn Đo lường Chất lượng"


def test_units_follow_as_of():
    units = units_json("2023-03-01")
    assert units["KHTC"]["late"] == [] and units["TTRA"]["late"] == []


def test_units_table_and_csv():
    lines = run("units", "-p", QUERY_PLAN, "--as-of", AS_OF).stdout.splitlines()
    assert lines[0] == "Đơn vị — tính đến ngày 20/07/2023"
    row = next(line for line in lines if line.startswith("KHTC "))
    assert row.split()[-7:] == ["1", "0", "0", "0", "1", "3", "6.b"]
    rows = list(csv.reader(io.StringIO(run("units", "-p", QUERY_PLAN, "--as-of", AS_OF, "--csv").stdout)))
    assert rows[0][0] == "Mã" and [r[0] for r in rows[1:]] == ["VP", "TTRA", "KHTC", "QLKH", "TTTT", "CCTĐC"]


@pytest.mark.parametrize("command", ["kpi", "units"])
def test_json_and_csv_together_is_a_usage_error(command):
    assert run(command, "-p", QUERY_PLAN, "--json", "--csv").exit_code == 2


def test_report_presence_is_a_library_function():
    from cchc.planfile import load_plan
    from cchc.query import report_presence

    plan = load_plan(QUERY_PLAN)
    presence = report_presence(plan.task("1.c"), 2023, dt.date(2023, 7, 20))
    assert [p.state.value for p in presence] == ["not_started", "in_progress", "late", "late"]
