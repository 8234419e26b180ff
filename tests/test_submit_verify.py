"""Proof: `cchc submit --verify` and `cchc check` compare the submitted version with the plan now, the
report carries the submitted number, and `diff`/`log` tell a submission in plan terms."""

from __future__ import annotations

import hashlib
import json

import docx
import pytest

from test_submit import NUMBER, SIGNED, Office

Q1 = "báo cáo quý I năm 2023 số 45/BC-SKHCN (nộp ngày 15/03/2023)"
PLAN = "ke-hoach/plan_2023.yaml"


@pytest.fixture
def office(tmp_path, monkeypatch) -> Office:
    office = Office(tmp_path / "van-phong")
    monkeypatch.chdir(office.root)
    return office


@pytest.fixture
def submitted(office, tmp_path) -> Office:
    """The first quarter submitted with its signed copy, committed and tagged."""
    signed = tmp_path / "bc-45.pdf"
    signed.write_bytes(SIGNED)
    office.submit("--attach", signed, "--commit")
    return office


def hand_edit(office: Office, old: str, new: str, after: str) -> tuple[int, int]:
    """Change `old` (the first after `after`) to `new` in a text editor; the 1-based line and column of `new`."""
    text = office.text
    i = text.index(old, text.index(after))
    office.plan.write_text(text[:i] + new + text[i + len(old):], encoding="utf-8")
    line = text.count("\n", 0, i) + 1
    return line, i - text.rfind("\n", 0, i)


def verify(office: Office, code: int) -> list[str]:
    result = office.cchc("submit", "--verify")
    assert result.exit_code == code, result.stdout + result.stderr
    return result.stdout.splitlines()


def test_verify_passes_on_the_submitted_plan(submitted):
    assert verify(submitted, 0) == []
    assert submitted.cchc("submit", "--verify").stderr == f"{PLAN}: 1 báo cáo đã nộp khớp với kế hoạch hiện tại\n"


def test_changed_after_submission(submitted):
    # 2.a's entry of 01/02/2023 was in the first quarter's report as 30%; someone makes it 35% in an editor.
    line, column = hand_edit(submitted, "percent: 30", "percent: 35", "- id: 2.a")
    expected = (f"{PLAN}:{line}:{column + len('percent: ')}: lỗi [changed-after-submission] 2.a: tiến độ ngày "
                f"01/02/2023 khác với {Q1}: đã báo cáo 30%, nay là 35%")
    assert verify(submitted, 1) == [expected]
    check = submitted.cchc("check", "--as-of", "20/03/2023")
    assert check.exit_code == 1 and expected in check.stdout.splitlines()


def line_of(office: Office, row: str, after: str = "") -> int:
    lines = office.text.splitlines()
    start = next(i for i, text in enumerate(lines) if after in text) if after else 0
    return next(i for i, text in enumerate(lines) if i >= start and text == row) + 1


def test_removed_and_added_facts_of_the_period_are_listed(submitted):
    hand_edit(submitted, "      - period: 2023-Q1\n        value: 88.2\n        source: Khảo sát SIPAS quý I\n",
              "", "- id: hai-long")
    hand_edit(submitted, "evidence: []", "evidence:\n          - text: Công văn số 9/VP ngày 1/3/2023\n"
              "            date: 2023-03-01", "- id: 2.a")
    assert verify(submitted, 1) == [
        f"{PLAN}:{line_of(submitted, '      - period: 2023-Q2', 'id: hai-long')}:7: lỗi [changed-after-submission] "
        f"chỉ tiêu hai-long kỳ 2023-Q1 bị xóa sau khi nộp {Q1}",
        f"{PLAN}:{line_of(submitted, '          - text: Công văn số 9/VP ngày 1/3/2023')}:13: lỗi "
        f"[changed-after-submission] 2.a: tài liệu kiểm chứng “Công văn số 9/VP ngày 1/3/2023” được thêm sau khi "
        f"nộp {Q1}",
    ]


def test_later_periods_and_layout_may_change(submitted):
    hand_edit(submitted, "percent: 30\n", "percent: 30  # số liệu quý I\n", "- id: 2.a")  # a comment
    submitted.ok("update", "2.a", "--percent", "60", "--date", "20/04/2023")
    hand_edit(submitted, "value: 86.5", "value: 86.9", "- id: hai-long")  # the second quarter's: not submitted
    assert verify(submitted, 0) == []


def test_amended_facts_are_not_hand_changes_until_edited_again(submitted):
    submitted.ok("update", "2.a", "--percent", "50", "--date", "10/03/2023", "--amend-submitted", "Bổ sung")
    out = verify(submitted, 0)
    assert len(out) == 1 and "[amended-after-submission]" in out[0]
    hand_edit(submitted, "percent: 50", "percent: 55", "- date: 2023-03-10")
    assert verify(submitted, 1) == [
        f"{PLAN}:{line_of(submitted, '          - date: 2023-03-10', 'id: 2.a')}:13: lỗi [changed-after-submission] "
        f"2.a: tiến độ ngày 10/03/2023 được thêm sau khi nộp {Q1}",
        out[0],
    ]


def test_submitted_file_changed(submitted):
    copy = submitted.plan.parent / "bao-cao-da-nop" / "bc-45.pdf"
    copy.write_bytes(b"%PDF-1.4 another text\n")
    line = next(i for i, row in enumerate(submitted.text.splitlines(), 1) if row.startswith("    sha256: "))
    assert verify(submitted, 1) == [
        f"{PLAN}:{line}:13: lỗi [submitted-file-changed] bản đã ký bao-cao-da-nop/bc-45.pdf của {Q1} đã bị thay đổi "
        "sau khi nộp (mã sha256 không khớp)"]
    assert hashlib.sha256(SIGNED).hexdigest() in submitted.text


def test_submitted_file_missing(submitted):
    (submitted.plan.parent / "bao-cao-da-nop" / "bc-45.pdf").unlink()
    line = next(i for i, row in enumerate(submitted.text.splitlines(), 1) if row.startswith("    file: "))
    assert verify(submitted, 1) == [
        f"{PLAN}:{line}:11: lỗi [submitted-file-missing] không tìm thấy bản đã ký bao-cao-da-nop/bc-45.pdf của {Q1}"]


def test_submission_unverifiable(office):
    # Recorded, submitted without --commit, edited again and committed: no version shows what was sent.
    office.ok("update", "2.a", "--percent", "40", "--date", "01/03/2023")
    office.submit()
    office.ok("update", "2.a", "--percent", "60", "--date", "20/04/2023")
    office.git("commit", "-q", "-am", "quý I và tiến độ tháng 4")
    line = next(i for i, row in enumerate(office.text.splitlines(), 1) if row.startswith("    plan_sha256: "))
    result = office.cchc("submit", "--verify")
    assert result.exit_code == 0  # a warning: nothing shows a change, nothing shows there was none
    assert result.stderr == f"{PLAN}: 1 báo cáo đã nộp chưa kiểm chứng được\n"
    assert result.stdout.splitlines() == [f"{PLAN}:{line}:18: cảnh báo [submission-unverifiable] không tìm thấy trong lịch sử git phiên bản "
                   f"kế hoạch lúc nộp {Q1}, nên không kiểm chứng được số liệu đã báo cáo; hãy nộp bằng cchc submit "
                   "--commit, hoặc commit tệp kế hoạch ngay sau khi nộp"]


def test_amended_after_submission(submitted):
    submitted.ok("kpi", "record", "so-hoa", "52", "--period", "2023-Q1", "--amend-submitted", "Số liệu bị thiếu")
    [finding] = json.loads(submitted.cchc("submit", "--verify", "--json").stdout)
    assert (finding["code"], finding["severity"]) == ("amended-after-submission", "warning")
    assert finding["message"].endswith(": Số liệu bị thiếu")


def test_submission_committed_by_hand_is_found_by_its_content_hash(office):
    office.submit()
    office.git("commit", "-q", "-am", "Nộp báo cáo quý I")
    line, column = hand_edit(office, "percent: 30", "percent: 35", "- id: 2.a")
    assert [row.split(": lỗi ")[0] for row in verify(office, 1)] == [f"{PLAN}:{line}:{column + 9}"]


def test_verify_usage(office):
    assert office.cchc("submit", "--verify", "--quarter", "1").exit_code == 2
    result = office.cchc("submit", "--verify")
    assert result.exit_code == 1
    assert result.stderr == (f"lỗi: {PLAN}: chưa có báo cáo nào được ghi là đã nộp "
                             "(cchc submit --quarter N --number …)\n")


# --- the report, diff and log -------------------------------------------------------------------

def letterhead_and_annex(path) -> tuple[str, str]:
    document = docx.Document(str(path))
    number = next(c.text for t in document.tables for r in t.rows for c in r.cells if c.text.startswith("Số:"))
    annex = next(p.text for p in document.paragraphs if p.text.startswith("(Kèm theo"))
    return number, annex


def test_report_number_after_submission(office, tmp_path):
    out = tmp_path / "q1.docx"
    office.ok("report", "--quarter", "1", "--as-of", "15/03/2023", "-o", out)
    assert letterhead_and_annex(out) == (
        "Số:      /BC-SKHCN",
        "(Kèm theo Báo cáo số      /BC-SKHCN ngày 15 tháng 3 năm 2023 của Sở Khoa học và Công nghệ)")
    office.submit()
    office.ok("report", "--quarter", "1", "--as-of", "15/03/2023", "-o", out, "--force")
    assert letterhead_and_annex(out) == (
        f"Số: {NUMBER}", f"(Kèm theo Báo cáo số {NUMBER} ngày 15 tháng 3 năm 2023 của Sở Khoa học và Công nghệ)")
    office.ok("report", "--quarter", "2", "--as-of", "15/06/2023", "-o", out, "--force")  # not submitted: blank
    assert letterhead_and_annex(out)[0] == "Số:      /BC-SKHCN"


def test_diff_and_log_describe_the_submission(office):
    office.submit()
    assert office.ok("diff").stdout == "nộp báo cáo quý I: 45/BC-SKHCN\n"
    office.git("commit", "-q", "-am", "Nộp báo cáo quý I")
    log = office.ok("log").stdout.splitlines()
    assert log[3].endswith("  nộp báo cáo quý I: 45/BC-SKHCN")
    assert office.ok("log", "2023-Q1").stdout.splitlines()[3].endswith("  nộp báo cáo quý I: 45/BC-SKHCN")
    assert office.ok("diff", "HEAD~1", "HEAD", "--lang", "en").stdout == \
        "report for the first quarter submitted: 45/BC-SKHCN\n"


def test_a_deleted_tag_falls_back_to_the_commit_with_the_recorded_content(submitted):
    submitted.git("tag", "-d", "bao-cao-2023-q1")
    line, column = hand_edit(submitted, "percent: 30", "percent: 35", "- id: 2.a")
    assert [row.split(": lỗi ")[0] for row in verify(submitted, 1)] == [f"{PLAN}:{line}:{column + 9}"]
