"""`cchc tasks`: every filter, their combinations, search without diacritics, sorting, output forms.

Most tests use tests/fixtures/query_plan.yaml on 20/07/2023; its top comment lists the facts
asserted here (which task is done, late, in progress, where “tuyên truyền” appears).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import subprocess
import sys
import unicodedata

import pytest

from conftest import FIXTURES, PROGRESS_PLAN, ROOT, run

QUERY_PLAN = FIXTURES / "query_plan.yaml"
AS_OF = "2023-07-20"
ALL_IDS = ["1.a", "1.b", "1.c", "1.d", "3.a", "3.d", "3.đ", "3.e", "3.g", "6.a", "6.b", "III.1", "III.2"]


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def ids(*args: str, plan=QUERY_PLAN, as_of: str = AS_OF) -> list[str]:
    """Ids listed by `cchc tasks ARGS --json` (exit 0 required)."""
    result = run("tasks", "-p", plan, "--as-of", as_of, "--json", *args)
    assert result.exit_code == 0, result.stderr
    return [t["id"] for t in json.loads(result.stdout)]


# --- the pure layer ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def plan():
    from cchc.planfile import load_plan

    return load_plan(QUERY_PLAN)


def test_filter_tasks_library_call(plan):
    from cchc.query import TaskFilter, filter_tasks
    from cchc.status import State

    states = filter_tasks(plan, TaskFilter(area=3, states={State.in_progress}), dt.date(2023, 7, 20),
                          sort="progress")
    assert [(s.task.id, s.percent) for s in states] == [("3.g", 30), ("3.e", 50), ("3.a", 60)]


def test_matches_text_folds_diacritics_case_and_normal_form(plan):
    from cchc.query import matches_text

    task = plan.task("1.b")  # "Đẩy mạnh công tác tuyên truyền về cải cách hành chính"
    for query in ("tuyen truyen", "TUYÊN TRUYỀN", nfd("tuyên truyền"), "day manh", "cai cach hanh chinh"):
        assert matches_text(task, query), query
    assert not matches_text(task, "tuyen truyen phan anh")  # every word must match
    assert not matches_text(task, "3.e")


@pytest.mark.parametrize("text, state", [
    ("quá hạn", "late"), ("qua han", "late"), ("QUA HAN", "late"), (nfd("quá hạn"), "late"), ("late", "late"),
    ("overdue", "late"), ("hoàn thành", "done"), ("hoan thanh", "done"), ("done", "done"),
    ("đang thực hiện", "in_progress"), ("dang thuc hien", "in_progress"), ("doing", "in_progress"),
    ("in-progress", "in_progress"), ("in_progress", "in_progress"), ("chưa bắt đầu", "not_started"),
    ("chua bat dau", "not_started"), ("todo", "not_started"), ("not-started", "not_started"),
])
def test_parse_state_accepts_vietnamese_and_aliases(text, state):
    from cchc.userinput import parse_state

    assert parse_state(text).value == state


@pytest.mark.parametrize("text, days", [("30d", 30), ("30", 30), ("30 ngày", 30), ("2w", 14), ("2 tuần", 14),
                                        ("1m", 30), ("1 tháng", 30)])
def test_parse_duration(text, days):
    from cchc.userinput import parse_duration

    assert parse_duration(text) == days


# --- filters ----------------------------------------------------------------------------------


def test_default_listing_is_sorted_by_area_and_vietnamese_lettering():
    # The fixture writes 3.đ before 3.d: the listing still follows a b c d đ e g.
    assert ids() == ALL_IDS


@pytest.mark.parametrize("area, expected", [
    ("1", ["1.a", "1.b", "1.c", "1.d"]),
    ("3", ["3.a", "3.d", "3.đ", "3.e", "3.g"]),
    ("III", ["III.1", "III.2"]),
    ("iii", ["III.1", "III.2"]),
])
def test_area(area, expected):
    assert ids("--area", area) == expected


def test_unknown_area_is_a_usage_error_listing_the_areas():
    result = run("tasks", "-p", QUERY_PLAN, "--area", "9")
    assert result.exit_code == 2
    assert "1, 3, 6, III" in result.stderr and result.stdout == ""


def test_unit_includes_supporting_and_all():
    # KHTC leads 6.b, supports 3.a and III.2, and 1.b is supported by ALL units.
    assert ids("--unit", "KHTC") == ["1.b", "3.a", "6.b", "III.2"]
    assert ids("--unit", "KHTC", "--lead") == ["6.b"]
    assert ids("--unit", "TTRA") == ["1.b", "1.c", "3.d"]
    assert ids("--unit", "TTRA", "--lead") == ["1.c"]


def test_lead_without_unit_is_a_usage_error():
    result = run("tasks", "-p", QUERY_PLAN, "--lead")
    assert result.exit_code == 2 and "--unit" in result.stderr


def test_unit_key_with_diacritics_typed_in_nfd_or_lower_case():
    expected = ["1.b", "3.đ", "3.g"]
    assert ids("--unit", "CCTĐC") == expected
    assert ids("--unit", nfd("CCTĐC")) == expected
    assert ids("--unit", "cctđc") == expected


def test_unknown_unit_exits_2_with_the_known_keys():
    result = run("tasks", "-p", QUERY_PLAN, "--unit", "PHONG-X")
    assert result.exit_code == 2
    assert "PHONG-X" in result.stderr
    assert "VP, TTRA, KHTC, QLKH, TTTT, CCTĐC" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("status, expected", [
    ("quá hạn", ["1.c", "6.a", "6.b"]),
    ("qua han", ["1.c", "6.a", "6.b"]),
    (nfd("quá hạn"), ["1.c", "6.a", "6.b"]),
    ("late", ["1.c", "6.a", "6.b"]),
    ("hoàn thành", ["1.a", "3.d", "III.1"]),
    ("done", ["1.a", "3.d", "III.1"]),
    ("đang thực hiện", ["1.b", "3.a", "3.e", "3.g", "III.2"]),
    ("doing", ["1.b", "3.a", "3.e", "3.g", "III.2"]),
    ("chua bat dau", ["1.d", "3.đ"]),
    ("todo", ["1.d", "3.đ"]),
])
def test_status(status, expected):
    assert ids("--status", status) == expected


def test_several_statuses_combine_with_or():
    assert ids("--status", "late", "--status", "todo") == ["1.c", "1.d", "3.đ", "6.a", "6.b"]
    assert ids("--status", "late,todo") == ["1.c", "1.d", "3.đ", "6.a", "6.b"]


def test_bad_status_is_a_usage_error():
    result = run("tasks", "-p", QUERY_PLAN, "--status", "xong roi")
    assert result.exit_code == 2
    assert "quá hạn" in result.stderr and "late" in result.stderr


def test_late_follows_as_of():
    assert ids("--late") == ["1.c", "6.a", "6.b"]
    assert ids("--late", as_of="2023-03-31") == []  # 6.b is due that day, not yet late
    assert ids("--late", as_of="01/04/2023") == ["6.b"]


def test_due_within_lists_open_tasks_by_next_deliverable():
    # Next deliverables on 20/07: 3.e 31/07 (monthly); 1.d, 3.a, III.2 30/09; 3.g 15/12; 1.b, 3.đ 31/12.
    # 3.d (due 15/08) is done and 1.c, 6.b are late: none of them is "due".
    assert ids("--due-within", "30d") == ["3.e"]
    assert ids("--due-within", "2w") == ["3.e"]
    assert ids("--due-within", "11d") == ["3.e"]
    assert ids("--due-within", "10d") == []
    assert ids("--due-within", "72d") == ["1.d", "3.a", "3.e", "III.2"]
    assert ids("--due-within", "30 ngày") == ["3.e"]


def test_due_before_is_inclusive_and_takes_vietnamese_dates():
    assert ids("--due-before", "30/09/2023") == ["1.d", "3.a", "3.e", "III.2"]
    assert ids("--due-before", "2023-09-29") == ["3.e"]


@pytest.mark.parametrize("option, value", [("--due-within", "soon"), ("--due-before", "31/02/2023"),
                                           ("--sort", "priority")])
def test_bad_values_are_usage_errors(option, value):
    result = run("tasks", "-p", QUERY_PLAN, option, value)
    assert result.exit_code == 2, result.stdout
    assert value in result.stderr or "sort" in result.stderr


def test_no_evidence():
    assert ids("--no-evidence") == ["1.b", "1.c", "1.d", "3.d", "3.đ", "6.b", "III.2"]
    # Done without evidence: what loses points.
    assert ids("--status", "done", "--no-evidence") == ["3.d"]


@pytest.mark.parametrize("query", ["tuyen truyen", "tuyên truyền", "Tuyên Truyền", nfd("tuyên truyền"),
                                   "TUYEN TRUYEN"])
def test_free_text_ignores_diacritics_case_and_normal_form(query):
    # 1.b and 3.e by title, III.2 by a progress note written in capitals.
    assert ids(query) == ["1.b", "3.e", "III.2"]


def test_free_text_words_are_and_and_may_be_separate_arguments():
    assert ids("tuyen truyen phan anh") == ["3.e"]
    assert ids("tuyen", "truyen", "phan", "anh") == ["3.e"]
    assert ids("tuyen truyen khong-co-tu-nay") == []


def test_free_text_searches_output_notes_and_evidence():
    assert ids("tin bai") == ["1.b"]  # output and note
    assert ids("12/KH-SKHCN") == ["1.a"]  # note and evidence
    assert ids("30/QĐ-SKHCN") == ["III.1"]  # evidence number
    assert ids("30/qd-skhcn") == ["III.1"]
    assert ids("ket qua giai quyet") == ["3.g"]
    # Words match anywhere (AND of substrings), so short syllables also match inside longer ones:
    # "so hoa" finds "số hóa" (3.g) but also "kế hoạch số" (1.a) and "kế hoạch kiểm soát" (3.a).
    assert ids("so hoa") == ["1.a", "3.a", "3.g"]


def test_task_ids_in_free_text_keep_d_and_dd_apart():
    assert ids("3.d") == ["3.d"]
    assert ids("3.đ") == ["3.đ"]
    assert ids("III.2") == ["III.2"]


def test_filters_combine():
    assert ids("tuyen truyen", "--unit", "VP") == ["1.b", "3.e", "III.2"]  # 1.b through ALL
    assert ids("tuyen truyen", "--unit", "VP", "--lead") == ["3.e", "III.2"]
    assert ids("--area", "3", "--unit", "VP") == ["3.a", "3.d", "3.e"]
    assert ids("--area", "3", "--unit", "VP", "--status", "done") == ["3.d"]
    assert ids("--unit", "VP", "--lead", "--due-within", "75d") == ["1.d", "3.e", "III.2"]
    assert ids("--late", "--unit", "VP") == ["1.c"]
    assert ids("--late", "--unit", "VP", "--lead") == []


# --- sorting ----------------------------------------------------------------------------------


def test_sort_due_puts_late_first_then_next_deliverable_then_done():
    assert ids("--sort", "due") == [
        "6.b", "6.a", "1.c",  # late, by deadline
        "3.e", "1.d", "3.a", "III.2", "3.g", "1.b", "3.đ",  # open, by next deliverable
        "1.a", "III.1", "3.d",  # done, by deadline
    ]


def test_sort_progress_least_first():
    assert ids("--sort", "progress") == [
        "1.d", "3.đ", "6.b", "3.g", "1.b", "1.c", "3.e", "III.2", "3.a", "6.a", "1.a", "3.d", "III.1"]


def test_sort_unit_follows_the_registry_order():
    assert ids("--sort", "unit") == [
        "1.a", "1.d", "3.d", "3.e", "III.1", "III.2",  # VP
        "1.c",  # TTRA
        "6.b",  # KHTC
        "3.a",  # QLKH
        "1.b", "3.g", "6.a",  # TTTT
        "3.đ",  # CCTĐC
    ]


# --- output forms -----------------------------------------------------------------------------


def test_json_shape():
    result = run("tasks", "-p", QUERY_PLAN, "--as-of", AS_OF, "--json")
    data = json.loads(result.stdout)
    assert isinstance(data, list) and len(data) == len(ALL_IDS)
    keys = {"id", "area", "title", "lead", "support", "deadline", "due_day", "output", "status", "state", "percent",
            "next_due", "done_on"}
    assert all(set(item) == keys for item in data)
    by_id = {t["id"]: t for t in data}
    assert by_id["3.đ"] == {
        "id": "3.đ", "area": 3, "title": "Triển khai Đề án phân cấp giải quyết TTHC", "lead": "CCTĐC",
        "support": [], "deadline": "half-yearly", "due_day": None, "output": "", "status": "not_started", "state": "not_started",
        "percent": 0.0, "next_due": "2023-12-31", "done_on": None,
    }
    assert (by_id["1.a"]["deadline"], by_id["1.a"]["state"], by_id["1.a"]["done_on"]) == \
        ("2023-01-31", "done", "2023-01-10")
    # The file says in_progress; on 20/07 the deadline has passed: the computed state says late.
    assert (by_id["1.c"]["status"], by_id["1.c"]["state"], by_id["1.c"]["percent"]) == ("in_progress", "late", 50)
    assert by_id["III.2"]["area"] == "III" and by_id["1.b"]["support"] == ["ALL"]


def test_csv_has_a_header_and_one_row_per_task():
    result = run("tasks", "-p", QUERY_PLAN, "--as-of", AS_OF, "--csv", "--area", "3")
    assert result.exit_code == 0
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["Mã", "Nhiệm vụ", "Chủ trì", "Phối hợp", "Thời hạn", "Trạng thái", "Tiến độ"]
    assert [r[0] for r in rows[1:]] == ["3.a", "3.d", "3.đ", "3.e", "3.g"]
    assert rows[3] == ["3.đ", "Triển khai Đề án phân cấp giải quyết TTHC", "CCTĐC", "—",
                       "6 tháng một lần (31/12/2023)", "chưa bắt đầu", "0%"]


def test_json_and_csv_together_is_a_usage_error():
    assert run("tasks", "-p", QUERY_PLAN, "--json", "--csv").exit_code == 2


def test_plain_table_lines():
    result = run("tasks", "-p", QUERY_PLAN, "--as-of", "20/07/2023", "--late")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "Nhiệm vụ — tính đến ngày 20/07/2023: 3 nhiệm vụ"
    assert lines[1].split() == ["Mã", "Nhiệm", "vụ", "Chủ", "trì", "Phối", "hợp", "Thời", "hạn", "Trạng", "thái",
                                "Tiến", "độ"]
    assert lines[3].startswith("1.c  ") and "TTRA" in lines[3] and "30/06/2023" in lines[3]
    assert re.search(r"  quá hạn +50%$", lines[3])
    assert lines[4].startswith("6.a  ")
    assert lines[5].startswith("6.b  ")


def test_piped_output_has_no_ansi_escapes():
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "200"}
    env.pop("NO_COLOR", None)
    for args in (["tasks"], ["show", "3.đ"], ["kpi"], ["units"], ["check"]):
        proc = subprocess.run([sys.executable, "-m", "cchc", *args, "-p", str(QUERY_PLAN), "--as-of", AS_OF],
                              capture_output=True, env=env, cwd=ROOT)
        out = proc.stdout.decode("utf-8")
        assert out.strip(), args
        assert "\x1b" not in out and "\x1b" not in proc.stderr.decode("utf-8"), args


def test_empty_result_says_so_and_exits_0():
    result = run("tasks", "-p", QUERY_PLAN, "--as-of", AS_OF, "--late", "--status", "done")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "Không có nhiệm vụ nào khớp" in result.stderr
    result = run("tasks", "-p", QUERY_PLAN, "--as-of", AS_OF, "--late", "--status", "done", "--json")
    assert (result.exit_code, json.loads(result.stdout)) == (0, [])


def test_fail_if_any_exits_1_only_when_something_matches():
    late = run("tasks", "-p", QUERY_PLAN, "--as-of", AS_OF, "--late", "--fail-if-any")
    assert late.exit_code == 1 and "1.c" in late.stdout
    none = run("tasks", "-p", QUERY_PLAN, "--as-of", "2023-03-01", "--late", "--fail-if-any")
    assert none.exit_code == 0


def test_missing_plan_is_one_line_exit_2(tmp_path):
    result = run("tasks", "-p", tmp_path / "khong-co.yaml")
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


# --- the shared progress fixture (plan_progress.yaml, facts in its top comment) -------------------


def test_progress_fixture_filters():
    assert ids("--late", plan=PROGRESS_PLAN, as_of="2023-06-20") == ["2.a", "6.đ"]
    assert ids("--status", "done", plan=PROGRESS_PLAN, as_of="2023-06-20") == ["1.a", "3.đ"]
    assert ids("--status", "done", plan=PROGRESS_PLAN, as_of="2023-12-31") == ["1.a", "3.đ", "5.b"]
    assert ids("--status", "doing", plan=PROGRESS_PLAN, as_of="2023-09-30") == ["3.d", "4.a", "6.a"]
    # The letter đ sorts after d in area 3, and each id matches only itself.
    area3 = ids("--area", "3", plan=PROGRESS_PLAN)
    assert area3.index("3.d") + 1 == area3.index("3.đ")
    assert ids("3.d", plan=PROGRESS_PLAN) == ["3.d"]
    assert ids("3.đ", plan=PROGRESS_PLAN) == ["3.đ"]
    # Free text reaches the progress note "Dự thảo kế hoạch tuyên truyền" and evidence "45/BC-SKHCN".
    assert "1.a" in ids("du thao ke hoach", plan=PROGRESS_PLAN)
    assert ids("45/bc-skhcn", plan=PROGRESS_PLAN) == ["3.đ"]
