"""Locked periods: after a submission every write dated in its period is refused, unless it is an amendment
with a reason, which is recorded in the plan and shown by `cchc log`, `cchc check` and the next report."""

from __future__ import annotations

import datetime as dt
import json
import re

import docx
import pytest

from cchc.periods import format_date
from test_edit import changed
from test_submit import AN, Office
from test_submit_verify import office, submitted  # noqa: F401 - fixtures: the first quarter submitted

Q1 = "báo cáo quý I năm 2023 số 45/BC-SKHCN (nộp ngày 15/03/2023)"
REASON = "Sở Nội vụ yêu cầu bổ sung tiến độ ngày 10/3"


def refused(submitted: Office, *args: str) -> str:
    before = submitted.plan.read_bytes()
    result = submitted.cchc(*args)
    assert result.exit_code == 1, result.stdout + result.stderr
    assert submitted.plan.read_bytes() == before
    assert len(result.stderr.splitlines()) == 1
    return result.stderr


def refusal(fact: str) -> str:
    return (f"lỗi: {'ke-hoach/plan_2023.yaml'}: {fact} thuộc {Q1} nên không ghi; nếu thật cần sửa số liệu đã báo "
            "cáo, chạy lại lệnh với --amend-submitted “lý do”\n")


def test_back_dated_progress_is_refused_naming_the_report(submitted):
    # 14/03 is the first quarter's cut-off: still the submitted report's data.
    assert refused(submitted, "update", "2.a", "--percent", "50", "--date", "14/03/2023") == \
        refusal("2.a: tiến độ ngày 14/03/2023")


@pytest.mark.parametrize("args, fact", [
    (("done", "2.a", "--evidence", "Công văn số 5/VP ngày 12/3/2023", "--date", "12/03/2023"),
     "2.a: tiến độ ngày 12/03/2023"),
    (("evidence", "add", "1.a", "Báo cáo số 3/BC-VP ngày 12/3/2023"),
     "1.a: tài liệu kiểm chứng “Báo cáo số 3/BC-VP ngày 12/3/2023”"),
    # Undated evidence of a task completed in the period belongs to that period's report.
    (("evidence", "add", "1.a", "Tin bài trên cổng thông tin"),
     "1.a: tài liệu kiểm chứng “Tin bài trên cổng thông tin”"),
    (("kpi", "record", "so-hoa", "50", "--period", "2023-Q1"), "chỉ tiêu so-hoa kỳ 2023-Q1"),
    (("kpi", "record", "hai-long", "90", "--period", "2023-Q1", "--replace"), "chỉ tiêu hai-long kỳ 2023-Q1"),
    (("note", "--period", "2023-Q1", "--section", "uu-diem", "Viết lại"), "phần “ưu điểm” kỳ 2023-Q1"),
    (("reopen", "1.a", "--reason", "Thiếu phụ lục", "--date", "13/03/2023"), "1.a: tiến độ ngày 13/03/2023"),
])
def test_every_kind_of_write_into_the_period_is_refused(submitted, args, fact):
    assert refused(submitted, *args) == refusal(fact)


@pytest.mark.parametrize("args", [
    ("update", "2.a", "--percent", "50", "--date", "15/03/2023"),
    ("evidence", "add", "2.a", "Công văn số 5/VP ngày 20/3/2023"),
    ("kpi", "record", "so-hoa", "50", "--period", "2023-Q2"),
    ("note", "--period", "2023-Q2", "--section", "uu-diem", "Quý II"),
    ("reopen", "1.a", "--reason", "Thiếu phụ lục", "--date", "20/03/2023"),
])
def test_writes_after_the_cut_off_go_through(submitted, args):
    before = submitted.text
    submitted.ok(*args)
    assert "amendments" not in submitted.text and submitted.text != before


def test_amendment_is_recorded_with_its_reason(submitted):
    before = submitted.text
    result = submitted.ok("update", "2.a", "--percent", "50", "--note", "Bổ sung", "--date", "10/03/2023",
                       "--amend-submitted", REASON)
    lines = changed(before, submitted.text)
    assert lines[:4] == [
        "+          - date: 2023-03-10",
        "+            percent: 50",
        "+            note: Bổ sung",
        f"+            by: {AN[0]}",
    ]
    assert lines[4:10] == [
        "+    amendments:",
        f"+      - date: {dt.date.today().isoformat()}",
        f"+        by: {AN[0]}",
        f"+        reason: {REASON}",
        "+        change: \"2.a: 30% → 50% (Bổ sung)\"",
        "+        facts:",
    ]
    assert re.fullmatch(r"\+          2\.a progress 2023-03-10: [0-9a-f]{16}", lines[10]) and len(lines) == 11
    assert result.stderr.endswith("Đã ghi tiến độ 50% cho nhiệm vụ 2.a vào plan_2023.yaml; xem thay đổi: "
                                  "git diff -- ke-hoach/plan_2023.yaml\n")


def amend(submitted: Office) -> None:
    submitted.ok("update", "2.a", "--percent", "50", "--note", "Bổ sung", "--date", "10/03/2023",
              "--amend-submitted", REASON)
    submitted.git("commit", "-q", "-am", "Sửa tiến độ 2.a quý I")


def test_amendment_in_the_log(submitted):
    amend(submitted)
    out = submitted.ok("log").stdout.splitlines()
    assert any(line.endswith("2.a: 30% → 50% (Bổ sung)") for line in out)
    assert any(line.endswith(f"sửa số liệu báo cáo quý I đã nộp (45/BC-SKHCN): {REASON}") for line in out)
    assert any(line.endswith("nộp báo cáo quý I: 45/BC-SKHCN") for line in out)


def test_amendment_in_check(submitted):
    amend(submitted)
    result = submitted.cchc("check", "--as-of", "20/03/2023", "--json")
    findings = [f for f in json.loads(result.stdout) if "submission" in f["code"]]
    line = next(i for i, row in enumerate(submitted.text.splitlines(), 1) if row.strip() == f"reason: {REASON}")
    assert findings == [{
        "file": "ke-hoach/plan_2023.yaml", "line": line, "column": 17, "severity": "warning",
        "code": "amended-after-submission",
        "message": f"{Q1} được sửa sau khi nộp, ngày {format_date(dt.date.today())} ({AN[0]}): {REASON}",
    }]
    assert result.exit_code == 0  # an amendment is a warning: it was made on purpose, with its reason


def annex_notes(path) -> list[str]:
    texts = [p.text for p in docx.Document(str(path)).paragraphs]
    return texts[texts.index("Phụ lục"):]


def test_amendment_in_the_next_report_only(submitted, tmp_path):
    amend(submitted)
    today = format_date(dt.date.today())
    q2 = tmp_path / "q2.docx"
    submitted.ok("report", "--quarter", "2", "--as-of", today, "-o", q2)
    assert annex_notes(q2)[-2:] == [
        "Ghi chú: số liệu các báo cáo đã gửi được điều chỉnh như sau:",
        f"- Báo cáo số 45/BC-SKHCN (quý I năm 2023), điều chỉnh ngày {today}: 2.a: 30% → 50% (Bổ sung). "
        f"Lý do: {REASON}.",
    ]
    # The report of the amended period itself, and a report dated before the amendment, say nothing of it.
    q1 = tmp_path / "q1.docx"
    submitted.ok("report", "--quarter", "1", "--as-of", today, "-o", q1)
    submitted.ok("report", "--quarter", "2", "--as-of", "20/06/2023", "-o", q2, "--force")
    for path in (q1, q2):
        assert not any("điều chỉnh" in text for text in annex_notes(path))


def test_library_writes_are_guarded_the_same_way(submitted):
    from cchc.diagnostics import Refused
    from cchc.edit import record_measurement
    from cchc.submissions import amending

    before = submitted.plan.read_bytes()
    with pytest.raises(Refused, match="chỉ tiêu so-hoa kỳ 2023-Q1 thuộc báo cáo quý I năm 2023"):
        record_measurement(submitted.plan, "so-hoa", 52, "2023-Q1")
    assert submitted.plan.read_bytes() == before
    with amending("Số liệu bị thiếu"):
        record_measurement(submitted.plan, "so-hoa", 52, "2023-Q1")
    assert "        reason: Số liệu bị thiếu\n" in submitted.text


def test_the_amendment_is_written_in_vietnamese_whatever_the_language(submitted):
    submitted.ok("evidence", "add", "1.a", "Báo cáo số 3/BC-VP ngày 12/3/2023", "--amend-submitted", "Bổ sung",
                 "--lang", "en")
    assert "        change: \"1.a: thêm tài liệu kiểm chứng: Báo cáo số 3/BC-VP ngày 12/3/2023\"\n" in submitted.text
