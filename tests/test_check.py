"""`cchc check`: one test per finding code (code, line, column, severity, exit status), output forms.

Each code is first shown alone in a small plan written for the test, with the offending line
marked `# <-`, so the exit status is that code's own. Then tests/fixtures/query_plan.yaml, whose
lines carry `# check: CODE` comments, must be reported at exactly those lines.
"""

from __future__ import annotations

import hashlib
import json
import re

import pytest

from conftest import FIXTURES, PLAN_2023, PROGRESS_PLAN, run

QUERY_PLAN = FIXTURES / "query_plan.yaml"

HEADER = """\
schema_version: 1
plan:
  year: 2023
  title: Kế hoạch công tác cải cách hành chính năm 2023
  issuer: Sở Khoa học và Công nghệ
  issuer_short: SKHCN
  parent: UBND tỉnh Bà Rịa - Vũng Tàu
  place: Bà Rịa - Vũng Tàu
  signer:
    name: Phạm Quang Nhật
    title: Giám đốc
  report_to: Sở Nội vụ
  recipients:
    - Sở Nội vụ (B/c);
units:
  VP: Văn phòng Sở
"""

TARGET_MEASURED = """\
targets:
  - id: hai-long
    name: Tỷ lệ hài lòng
    kind: percent
    target: 87
    unit: "%"
    deadline: 2023-12-31
    measurements:
      - period: 2023-Q1
        value: 88
"""

NARRATIVE_PARTS = """\
    achievements: Hoàn thành các nhiệm vụ quý I.
    shortcomings: Còn chậm số hóa hồ sơ.
    causes: Thiếu nhân lực.
    proposals: Đề nghị tập huấn.
"""
NARRATIVE_Q1 = "narratives:\n  2023-Q1:\n" + NARRATIVE_PARTS

CLEAN_TASK = """\
      - id: 1.a
        title: Ban hành kế hoạch
        lead: VP
        deadline: 2023-12-31
        status: in_progress
        progress:
          - date: 2023-03-01
            percent: 20
"""


def plan_text(task: str = CLEAN_TASK, targets: str = TARGET_MEASURED, narratives: str = NARRATIVE_Q1) -> str:
    return (HEADER + targets + "areas:\n  - number: 1\n    title: Chỉ đạo, điều hành\n    direction: true\n    tasks:\n"
            + task + narratives)


def marked_line(text: str) -> int:
    [line] = [i + 1 for i, row in enumerate(text.splitlines()) if row.rstrip().endswith("# <-")]
    return line


def check(tmp_path, text: str, as_of: str):
    plan = tmp_path / "plan_2023.yaml"
    plan.write_text(text, encoding="utf-8")
    result = run("check", "-p", plan, "--as-of", as_of, "--json")
    return result, json.loads(result.stdout)


def assert_only(tmp_path, text: str, as_of: str, code: str, severity: str, exit_code: int) -> dict:
    result, findings = check(tmp_path, text, as_of)
    assert [f["code"] for f in findings] == [code], findings
    finding = findings[0]
    assert finding["line"] == marked_line(text)
    assert finding["severity"] == severity
    assert result.exit_code == exit_code
    # The column points at the value (or, for a key, at the key) on that line.
    row = text.splitlines()[finding["line"] - 1]
    assert row[finding["column"] - 1] not in " -:#"
    return finding


def test_a_clean_plan_has_no_findings(tmp_path):
    result, findings = check(tmp_path, plan_text(), "2023-04-01")
    assert (findings, result.exit_code) == ([], 0)


def test_done_without_evidence(tmp_path):
    task = """\
      - id: 1.a
        title: Ban hành kế hoạch
        lead: VP
        deadline: 2023-12-31
        status: done  # <-
        progress:
          - date: 2023-03-01
            percent: 100
            event: done
"""
    finding = assert_only(tmp_path, plan_text(task), "2023-04-01", "done-without-evidence", "error", 1)
    assert "1.a" in finding["message"] and "kiểm chứng" in finding["message"]
    # Before the day it was done, it is not done yet: nothing to prove.
    assert check(tmp_path, plan_text(task), "2023-02-28")[1] == []
    # With evidence, nothing to report.
    with_evidence = task.replace("  # <-", "") + "        evidence:\n          - text: Kế hoạch số 12/KH-SKHCN\n"
    assert check(tmp_path, plan_text(with_evidence), "2023-04-01")[1] == []


def test_late_task(tmp_path):
    task = CLEAN_TASK.replace("deadline: 2023-12-31", "deadline: 2023-03-31  # <-")
    finding = assert_only(tmp_path, plan_text(task), "2023-04-01", "late-task", "error", 1)
    assert "31/03/2023" in finding["message"] and "(1 ngày)" in finding["message"]
    assert check(tmp_path, plan_text(task), "2023-03-31")[1] == []  # due that day: not late yet


def done_task_with_evidence(lines: str) -> str:
    return """\
      - id: 1.a
        title: Ban hành kế hoạch
        lead: VP
        deadline: 2023-12-31
        status: done
        progress:
          - date: 2023-03-01
            percent: 100
            event: done
        evidence:
          - text: Kế hoạch số 12/KH-SKHCN
""" + lines


def test_evidence_file_missing(tmp_path):
    task = done_task_with_evidence("            file: minh-chung/kh-12.pdf  # <-\n")
    finding = assert_only(tmp_path, plan_text(task), "2023-04-01", "evidence-file-missing", "error", 1)
    assert "minh-chung/kh-12.pdf" in finding["message"]


def test_evidence_file_changed(tmp_path):
    folder = tmp_path / "minh-chung"
    folder.mkdir()
    (folder / "kh-12.txt").write_bytes("Kế hoạch số 12, bản đã sửa".encode("utf-8"))
    recorded = hashlib.sha256("Kế hoạch số 12".encode("utf-8")).hexdigest()
    task = done_task_with_evidence(f"            file: minh-chung/kh-12.txt\n            sha256: {recorded}  # <-\n")
    assert_only(tmp_path, plan_text(task), "2023-04-01", "evidence-file-changed", "error", 1)


def test_evidence_file_intact(tmp_path):
    folder = tmp_path / "minh-chung"
    folder.mkdir()
    (folder / "kh-12.txt").write_bytes("Kế hoạch số 12, bản đã sửa".encode("utf-8"))
    # A file with its true hash is fine with its true hash is fine, whichever slash the path uses (Windows users type \).
    actual = hashlib.sha256((folder / "kh-12.txt").read_bytes()).hexdigest()
    for path in ("minh-chung/kh-12.txt", "minh-chung\\\\kh-12.txt"):
        intact = done_task_with_evidence(f'            file: "{path}"\n            sha256: {actual}\n')
        result, findings = check(tmp_path, plan_text(intact), "2023-04-01")
        assert (findings, result.exit_code) == ([], 0), path


def test_evidence_hash_missing(tmp_path):
    (tmp_path / "kh-12.txt").write_text("Kế hoạch", encoding="utf-8")
    task = done_task_with_evidence("            file: kh-12.txt  # <-\n")
    assert_only(tmp_path, plan_text(task), "2023-04-01", "evidence-hash-missing", "warning", 0)


def test_stale_progress(tmp_path):
    task = CLEAN_TASK.replace("- date: 2023-03-01", "- date: 2023-03-01  # <-")
    finding = assert_only(tmp_path, plan_text(task), "2023-04-30", "stale-progress", "warning", 0)
    assert "60 ngày" in finding["message"] and "01/03/2023" in finding["message"]
    assert check(tmp_path, plan_text(task), "2023-04-29")[1] == []  # 59 days


def test_missing_measurement(tmp_path):
    targets = TARGET_MEASURED.replace("    measurements:\n      - period: 2023-Q1\n        value: 88\n",
                                      "    measurements: []  # <-\n")
    finding = assert_only(tmp_path, plan_text(targets=targets), "2023-03-15", "missing-measurement", "warning", 0)
    assert "hai-long" in finding["message"] and "2023-Q1" in finding["message"]
    # Before the Q1 report's cut-off (14/03) no period is closed.
    assert check(tmp_path, plan_text(targets=targets), "2023-03-14")[1] == []


def test_missing_measurement_waits_for_the_annual_report_for_ranks(tmp_path):
    rank = """\
targets:
  - id: par-index
    name: Chỉ số CCHC
    kind: rank
    target: 10
    deadline: 2023-12-31
    measurements: []
"""
    narratives = NARRATIVE_Q1 + "".join(f"  2023-Q{q}:\n" + NARRATIVE_PARTS for q in (2, 3, 4))
    task = "      - id: 1.a\n        title: Ban hành kế hoạch\n        lead: VP\n        deadline: 2023-12-31\n"
    assert check(tmp_path, plan_text(task, rank, narratives), "2023-12-14")[1] == []
    _, findings = check(tmp_path, plan_text(task, rank, narratives), "2023-12-15")
    assert [(f["code"], "2023-Q4" in f["message"]) for f in findings] == [("missing-measurement", True)]


def test_empty_narrative(tmp_path):
    # One finding per empty part, also when the other parts are written; the same line `cchc report` prints.
    narratives = NARRATIVE_Q1.replace("    shortcomings: Còn chậm số hóa hồ sơ.\n", "    shortcomings: \"\"  # <-\n")
    finding = assert_only(tmp_path, plan_text(narratives=narratives), "2023-03-15", "empty-narrative", "warning", 0)
    assert finding["message"] == ("phần “Tồn tại, hạn chế” của báo cáo quý I năm 2023 còn trống; viết bằng lệnh: "
                                  "cchc note --period 2023-Q1 --section han-che “…”")


def test_empty_narrative_when_the_period_has_no_entry(tmp_path):
    text = plan_text(narratives="narratives: {}  # <-\n")
    result, findings = check(tmp_path, text, "2023-03-15")
    assert [(f["code"], f["line"]) for f in findings] == [("empty-narrative", marked_line(text))] * 4
    assert ["uu-diem" in f["message"] for f in findings] == [True, False, False, False]


def test_empty_direction(tmp_path):
    text = plan_text().replace("    direction: true\n", "").replace("areas:\n", "areas:  # <-\n")
    finding = assert_only(tmp_path, text, "2023-04-01", "empty-direction", "warning", 0)
    assert "mục I “Công tác chỉ đạo, điều hành”" in finding["message"]


def test_status_inconsistent(tmp_path):
    # The log (20% on 01/03) is what every report counts; a hand-set `status: done` is flagged.
    task = CLEAN_TASK.replace("status: in_progress", "status: done  # <-")
    finding = assert_only(tmp_path, plan_text(task), "2023-04-01", "status-inconsistent", "warning", 0)
    assert "20%" in finding["message"] and "không tính là hoàn thành" in finding["message"]


def test_progress_out_of_order(tmp_path):
    task = CLEAN_TASK + "          - date: 2023-02-20  # <-\n            percent: 15\n"
    finding = assert_only(tmp_path, plan_text(task), "2023-04-01", "progress-out-of-order", "warning", 0)
    assert "20/02/2023" in finding["message"] and "01/03/2023" in finding["message"]


def test_every_code_has_a_test_above():
    from cchc.checks import CHECK_CODES

    import test_submit_verify  # the findings about submitted reports, which need a git repository

    names = [*globals(), *vars(test_submit_verify)]
    tested = {name[len("test_"):].replace("_", "-") for name in names if name.startswith("test_")}
    assert set(CHECK_CODES) <= tested


# --- the query fixture: every marked line, and nothing else -----------------------------------


def markers(path=QUERY_PLAN) -> list[tuple[int, str]]:
    out = []
    for number, row in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        m = re.search(r"# check: ([a-z-]+)$", row)
        if m:
            out.append((number, m[1]))
    return out


def test_fixture_findings_are_exactly_the_marked_lines():
    from cchc.checks import CHECK_CODES

    result = run("check", "-p", QUERY_PLAN, "--as-of", "2023-07-20", "--json")
    findings = json.loads(result.stdout)
    assert sorted((f["line"], f["code"]) for f in findings) == sorted(markers())
    from cchc.submit import SUBMISSION_CODES

    # The fixture shows every code but those about submitted reports, which need a git history
    # (tests/test_submit_verify.py).
    assert {f["code"] for f in findings} == set(CHECK_CODES) - set(SUBMISSION_CODES)
    assert all(f["severity"] == CHECK_CODES[f["code"]] for f in findings)
    assert result.exit_code == 1


def test_json_shape():
    result = run("check", "-p", QUERY_PLAN, "--as-of", "2023-07-20", "--json")
    findings = json.loads(result.stdout)
    assert isinstance(findings, list) and findings
    assert all(list(f) == ["file", "line", "column", "severity", "code", "message"] for f in findings)
    assert all(f["severity"] in ("error", "warning") for f in findings)
    assert [(f["line"], f["column"]) for f in findings] == sorted((f["line"], f["column"]) for f in findings)


def test_line_shape_relative_path_and_summary(monkeypatch):
    monkeypatch.chdir(FIXTURES)
    result = run("check", "-p", QUERY_PLAN, "--as-of", "20/07/2023")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    late = [line for line in lines if "[late-task]" in line]
    line_1c = next(n for n, code in markers() if code == "late-task")
    assert late[0] == f"query_plan.yaml:{line_1c}:19: lỗi [late-task] nhiệm vụ 1.c quá hạn từ 30/06/2023 " \
                      "(20 ngày), tiến độ 50%"
    assert all(re.match(r"^query_plan\.yaml:\d+:\d+: (lỗi|cảnh báo) \[[a-z-]+\] \S", line) for line in lines)
    assert result.stderr.strip() == "query_plan.yaml: 6 lỗi, 12 cảnh báo"


def test_warnings_only_exit_0(tmp_path):
    text = plan_text(narratives="narratives:\n  2023-Q1:\n    causes: \"\"\n")
    result, findings = check(tmp_path, text, "2023-03-20")
    assert [f["severity"] for f in findings] == ["warning"] * 4 and result.exit_code == 0
    plain = run("check", "-p", tmp_path / "plan_2023.yaml", "--as-of", "2023-03-20")
    assert plain.exit_code == 0 and "cảnh báo [empty-narrative]" in plain.stdout


def test_fresh_plan_2023_has_no_errors_on_15_january():
    result = run("check", "-p", PLAN_2023, "--as-of", "2023-01-15", "--json")
    assert result.exit_code == 0, result.stdout
    findings = json.loads(result.stdout)
    assert [f for f in findings if f["severity"] == "error"] == []
    plain = run("check", "-p", PLAN_2023, "--as-of", "15/01/2023")
    assert plain.exit_code == 0 and "lỗi [" not in plain.stdout


def test_progress_fixture_late_tasks_in_june():
    # plan_progress.yaml: 2.a is late from 01/06, 6.đ from 01/04; nothing else is late on 20/06.
    result = run("check", "-p", PROGRESS_PLAN, "--as-of", "2023-06-20", "--json")
    findings = json.loads(result.stdout)
    late = [f["message"].split()[2] for f in findings if f["code"] == "late-task"]
    assert late == ["2.a", "6.đ"] and result.exit_code == 1


def test_invalid_plan_is_reported_like_validate(tmp_path):
    plan = tmp_path / "plan_2023.yaml"
    plan.write_text(plan_text().replace("lead: VP", "lead: XX"), encoding="utf-8")
    result = run("check", "-p", plan)
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert re.search(r"plan_2023\.yaml:\d+:\d+: .*XX", result.stderr)


@pytest.mark.parametrize("code", ["done-without-evidence", "late-task", "evidence-file-missing",
                                  "evidence-file-changed"])
def test_error_codes_are_errors(code):
    from cchc.checks import CHECK_CODES

    assert CHECK_CODES[code] == "error"
