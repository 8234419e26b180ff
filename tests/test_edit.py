"""The recording commands: the exact lines each one adds or changes, and every refusal.

Each command runs through the CLI on a copy of a plan; the unified diff of the file before and after
is compared line by line (with one line of context, which pins where the new lines went).
"""

from __future__ import annotations

import difflib
import hashlib
import subprocess
import unicodedata
from pathlib import Path

import pytest

from cchc import edit
from cchc.planfile import load
from conftest import PLAN_2023, PROGRESS_PLAN, run, warm_cache

FIXTURES = Path(__file__).parent / "fixtures"
NASTY = FIXTURES / "roundtrip_nasty.yaml"


def diff(before: str, after: str) -> list[str]:
    """The unified diff's body lines (` ` context, `-` removed, `+` added), hunk headers left out."""
    lines = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=1)
    return [line for line in lines if not line.startswith(("---", "+++", "@@"))]


def changed(before: str, after: str) -> list[str]:
    return [line for line in diff(before, after) if line[:1] in "+-"]


@pytest.fixture
def plan(tmp_path, monkeypatch):
    """A copy of a plan as plan_2023.yaml in a fresh working folder, and a runner of cchc on it."""
    monkeypatch.chdir(tmp_path)

    class Plan:
        def __init__(self, source: Path = PLAN_2023):
            self.path = tmp_path / "plan_2023.yaml"
            self.path.write_bytes(source.read_bytes())
            warm_cache(self.path)
            self.before = self.text

        @property
        def text(self) -> str:
            return self.path.read_text(encoding="utf-8")

        def run(self, *args: str):
            return run(*args)

        def ok(self, *args: str) -> list[str]:
            """Run a command that must succeed; the diff it made."""
            before = self.text
            result = run(*args)
            assert result.exit_code == 0, result.stderr
            assert load(self.path).plan  # still valid
            return diff(before, self.text)

        def refused(self, *args: str, exit_code: int = 1) -> str:
            """Run a command that must be refused: exit 1 (2: bad usage), file byte-for-byte unchanged; its stderr."""
            raw = self.path.read_bytes()
            result = run(*args)
            assert result.exit_code == exit_code, (result.exit_code, result.stderr)
            assert self.path.read_bytes() == raw
            return result.stderr

    return Plan


# --- what each command writes -----------------------------------------------------------------

def test_update_not_started_task(plan):
    p = plan()
    lines = p.ok("update", "3.đ", "--percent", "40", "--note", "Đã trình dự thảo Đề án", "--date", "20/03/2023",
                 "--by", "Trần Thị Bình")
    assert lines[0].startswith("         output: Báo cáo kết quả triển khai Đề án phân cấp")  # the line above
    assert lines[1:-1] == [
        "-        status: not_started",
        "-        progress: []",
        "+        status: in_progress",
        "+        progress:",
        "+          - date: 2023-03-20",
        "+            percent: 40",
        "+            note: Đã trình dự thảo Đề án",
        "+            by: Trần Thị Bình",
    ]
    assert lines[-1] == "         evidence: []"


def test_update_task_with_progress_adds_only_the_entry(plan):
    p = plan(PROGRESS_PLAN)
    lines = p.ok("update", "3.d", "--percent", "75", "--note", "Đã niêm yết quy trình", "--date", "2023-08-01",
                 "--by", "Trần Thị Bình")
    assert lines == [
        "             by: Trần Thị Bình",
        "+          - date: 2023-08-01",
        "+            percent: 75",
        "+            note: Đã niêm yết quy trình",
        "+            by: Trần Thị Bình",
        "         evidence: []",
    ]


def test_update_writes_percent_as_typed(plan):
    p = plan(PROGRESS_PLAN)
    assert changed(p.before, p.text) == []
    lines = p.ok("update", "3.d", "--percent", "62,5", "--date", "2023-08-01", "--by", "")
    assert [line for line in lines if line.startswith("+")] == [
        "+          - date: 2023-08-01",
        "+            percent: 62.5",
    ]


def test_update_prints_one_line_with_the_diff_command(plan):
    p = plan()
    result = run("update", "3.đ", "--percent", "40", "--date", "20/03/2023", "--by", "An")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == ("Đã ghi tiến độ 40% cho nhiệm vụ 3.đ vào plan_2023.yaml; "
                             "xem thay đổi: git diff -- plan_2023.yaml\n")
    assert p.path.exists()


def test_update_by_defaults_to_git_user_name(plan, tmp_path):
    p = plan()
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    subprocess.run(["git", "config", "user.name", "Nguyễn Văn An"], cwd=tmp_path, check=True)
    lines = p.ok("update", "3.đ", "--percent", "10", "--date", "01/02/2023")
    assert "+            by: Nguyễn Văn An" in lines


def test_by_falls_back_to_the_login_name(tmp_path, monkeypatch):
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "none"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setattr("getpass.getuser", lambda: "canbo")
    assert edit.default_by(tmp_path) == "canbo"


def test_text_is_stored_nfc(plan):
    p = plan()
    note = unicodedata.normalize("NFD", "Đã trình Lãnh đạo Sở")
    assert note != unicodedata.normalize("NFC", note)
    lines = p.ok("update", "3.đ", "--percent", "10", "--note", note, "--date", "01/02/2023", "--by", "An")
    assert "+            note: Đã trình Lãnh đạo Sở" in lines


def test_done_with_evidence(plan):
    p = plan()
    lines = p.ok("done", "3.đ", "--evidence", "Báo cáo số 45/BC-SKHCN ngày 20/3/2023", "--date", "20/03/2023",
                 "--by", "Trần Thị Bình")
    assert changed(p.before, p.text) == [
        "-        status: not_started",
        "-        progress: []",
        "-        evidence: []",
        "+        status: done",
        "+        progress:",
        "+          - date: 2023-03-20",
        "+            percent: 100",
        "+            by: Trần Thị Bình",
        "+            event: done",
        "+        evidence:",
        "+          - text: Báo cáo số 45/BC-SKHCN ngày 20/3/2023",
        "+            number: 45/BC-SKHCN",
        "+            date: 2023-03-20",
    ]
    assert lines[0].startswith("         output: ")


def test_done_with_evidence_file(plan, tmp_path):
    p = plan()
    folder = tmp_path / "kiem-chung"
    folder.mkdir()
    pdf = folder / "bao cao 45.pdf"
    pdf.write_bytes(b"%PDF-1.4 test")
    digest = hashlib.sha256(b"%PDF-1.4 test").hexdigest()
    p.ok("done", "1.a", "--evidence", "Kế hoạch số 12/KH-SKHCN ngày 10/3/2023", "--attach", str(pdf),
         "--date", "10/03/2023", "--by", "An")
    added = [line for line in changed(p.before, p.text) if line.startswith("+")]
    assert added[-5:] == [
        "+          - text: Kế hoạch số 12/KH-SKHCN ngày 10/3/2023",
        "+            number: 12/KH-SKHCN",
        "+            date: 2023-03-10",
        "+            file: kiem-chung/bao cao 45.pdf",
        f"+            sha256: {digest}",
    ]
    task = load(p.path).plan.task("1.a")
    assert task.evidence[0].file == "kiem-chung/bao cao 45.pdf"


def test_done_no_evidence_is_allowed_and_says_so(plan):
    p = plan()
    result = run("done", "3.đ", "--no-evidence", "--date", "20/03/2023", "--by", "An")
    assert result.exit_code == 0
    assert "CHƯA có tài liệu kiểm chứng" in result.stderr
    assert "cchc check" in result.stderr
    assert changed(p.before, p.text) == [
        "-        status: not_started",
        "-        progress: []",
        "+        status: done",
        "+        progress:",
        "+          - date: 2023-03-20",
        "+            percent: 100",
        "+            by: An",
        "+            event: done",
    ]


def test_evidence_add(plan):
    p = plan(PROGRESS_PLAN)
    lines = p.ok("evidence", "add", "1.a", "Công văn số 30/SKHCN-VP ngày 15/3/2023 về tuyên truyền CCHC")
    assert [line for line in lines if line[:1] in "+-"] == [
        "+          - text: Công văn số 30/SKHCN-VP ngày 15/3/2023 về tuyên truyền CCHC",
        "+            number: 30/SKHCN-VP",
        "+            date: 2023-03-15",
    ]
    # right after the existing evidence entry, before the next task
    assert lines[-1] == "       - id: 1.b"


def test_kpi_record_and_replace(plan):
    p = plan()
    lines = p.ok("kpi", "record", "hai-long", "88,2", "--period", "2023-Q1", "--source", "Khảo sát SIPAS quý I")
    assert [line for line in lines if line[:1] in "+-"] == [
        "-    measurements: []",
        "+    measurements:",
        "+      - period: 2023-Q1",
        "+        value: 88.2",
        "+        source: Khảo sát SIPAS quý I",
    ]
    before = p.text
    result = run("kpi", "record", "hai-long", "89", "--period", "2023-Q1", "--replace")
    assert result.exit_code == 0, result.stderr
    assert changed(before, p.text) == ["-        value: 88.2", "+        value: 89"]


def test_kpi_listing_still_works_beside_record(plan):
    plan(PROGRESS_PLAN)
    result = run("kpi", "hai-long")
    assert result.exit_code == 0, result.stderr
    assert "88,2" in result.stdout


def test_note_single_and_multi_line(plan):
    p = plan()
    lines = p.ok("note", "--period", "2023-Q1", "--section", "uu-diem",
                 "Đã ban hành kế hoạch tuyên truyền.\nTỷ lệ hồ sơ đúng hạn đạt 99,1%.")
    assert [line for line in lines if line[:1] in "+-"] == [
        '-    achievements: ""',
        "+    achievements: |-",
        "+      Đã ban hành kế hoạch tuyên truyền.",
        "+      Tỷ lệ hồ sơ đúng hạn đạt 99,1%.",
    ]
    assert load(p.path).plan.narratives["2023-Q1"].achievements == \
        "Đã ban hành kế hoạch tuyên truyền.\nTỷ lệ hồ sơ đúng hạn đạt 99,1%."
    before = p.text
    assert run("note", "--period", "Q2", "--section", "đề xuất", "Tập huấn: nghiệp vụ").exit_code == 0
    assert changed(before, p.text) == ['-    proposals: ""', '+    proposals: "Tập huấn: nghiệp vụ"']


def test_note_opens_the_editor_on_the_current_text(plan, tmp_path, monkeypatch):
    p = plan(PROGRESS_PLAN)
    script = tmp_path / "editor.py"
    script.write_text("import sys\np = sys.argv[1]\nt = open(p, encoding='utf-8').read()\n"
                      "open(p, 'w', encoding='utf-8').write(t.replace('99,1%', '99,2%') + 'Dòng thêm.\\n')\n",
                      encoding="utf-8")
    import sys

    monkeypatch.setenv("VISUAL", f'"{sys.executable}" "{script}"')
    lines = p.ok("note", "--period", "2023-Q1", "--section", "achievements")
    text = load(p.path).plan.narratives["2023-Q1"].achievements
    assert text.endswith("vượt chỉ tiêu đề ra.\nDòng thêm.")
    assert "99,2%" in text
    assert "+    achievements: |-" in lines


def test_reopen(plan):
    p = plan(PROGRESS_PLAN)
    lines = p.ok("reopen", "1.a", "--reason", "Thiếu phụ lục kèm theo", "--date", "2023-04-01", "--by", "Lê Minh Châu")
    assert [line for line in lines if line[:1] in "+-"] == [
        "-        status: done",
        "+        status: in_progress",
        "+          - date: 2023-04-01",
        "+            percent: 50",
        "+            note: Thiếu phụ lục kèm theo",
        "+            by: Lê Minh Châu",
        "+            event: reopened",
    ]
    task = load(p.path).plan.task("1.a")
    assert task.status.value == "in_progress" and task.percent == 50


# --- refusals: message, exit 1, file unchanged ------------------------------------------------

def test_refused_unknown_id_suggests_the_closest(plan):
    p = plan(NASTY)
    err = p.refused("update", "2.d", "--percent", "10", "--date", "01/02/2023", "--by", "An")
    assert "không có nhiệm vụ mã “2.d”; có phải 2.đ" in err
    err = p.refused("update", "9.z", "--percent", "10", "--date", "01/02/2023", "--by", "An")
    assert "không có nhiệm vụ mã “9.z”" in err


def test_ids_match_after_nfc(plan):
    p = plan()
    # targets may carry Vietnamese ids; one typed in NFD is the same id
    p.path.write_text(p.text.replace("id: hai-long", "id: hài-lòng"), encoding="utf-8")
    nfd = unicodedata.normalize("NFD", "hài-lòng")
    assert nfd != "hài-lòng"
    lines = p.ok("kpi", "record", nfd, "90", "--period", "2023-Q1")
    assert "+        value: 90" in lines


def test_refused_percent_out_of_range(plan):
    p = plan()
    err = p.refused("update", "3.đ", "--percent", "120", "--date", "01/02/2023", "--by", "An")
    assert "phần trăm phải từ 0 đến 100, không phải 120" in err
    assert "không phải một số" in p.refused("update", "3.đ", "--percent", "bốn mươi", "--date", "01/02/2023")


@pytest.mark.parametrize("date, message, exit_code", [
    ("31/02/2023", "ngày “31/02/2023” không hợp lệ", 2),  # a malformed date is bad usage
    ("hôm qua", "ngày “hôm qua” không hợp lệ", 2),
    ("15/01/2024", "ngày 15/01/2024 nằm ngoài năm kế hoạch 2023", 1),  # a real day the plan refuses
])
def test_refused_bad_date(plan, date, message, exit_code):
    p = plan()
    err = p.refused("update", "3.đ", "--percent", "10", "--date", date, "--by", "An", exit_code=exit_code)
    assert message in err


def test_default_date_outside_the_plan_year_is_refused(plan):
    import datetime as dt

    p = plan()
    if dt.date.today().year == 2023:
        pytest.skip("today is inside the plan year")
    err = p.refused("update", "3.đ", "--percent", "10", "--by", "An")
    assert "nằm ngoài năm kế hoạch 2023" in err and "--date" in err


def test_refused_done_without_evidence(plan):
    p = plan()
    err = p.refused("done", "3.đ", "--date", "20/03/2023", "--by", "An")
    assert "đánh dấu hoàn thành cần tài liệu kiểm chứng" in err
    assert "--no-evidence" in err


def test_refused_done_twice_and_reopen_of_open_task(plan):
    p = plan(PROGRESS_PLAN)
    assert "đã hoàn thành rồi" in p.refused("done", "1.a", "--evidence", "x", "--date", "01/05/2023")
    assert "chưa hoàn thành nên không cần mở lại" in p.refused("reopen", "3.d", "--reason", "x",
                                                               "--date", "01/05/2023")
    assert "đã hoàn thành; muốn ghi tiếp tiến độ" in p.refused("update", "1.a", "--percent", "10",
                                                              "--date", "01/05/2023")


def test_refused_missing_evidence_file(plan):
    p = plan()
    raw = p.path.read_bytes()
    result = run("evidence", "add", "3.đ", "Báo cáo", "--attach", "khong-co.pdf")
    assert result.exit_code == 2 and p.path.read_bytes() == raw  # a path that cannot be read
    err = result.stderr
    assert "không tìm thấy tệp tài liệu kiểm chứng khong-co.pdf" in err


def test_refused_kpi_same_period_without_replace(plan):
    p = plan(PROGRESS_PLAN)
    err = p.refused("kpi", "record", "hai-long", "90", "--period", "2023-Q1")
    assert "chỉ tiêu hai-long đã có kết quả kỳ 2023-Q1 (88,2); muốn thay thì thêm --replace" in err
    assert "kỳ 2024-Q1 nằm ngoài năm kế hoạch 2023" in p.refused("kpi", "record", "hai-long", "90",
                                                                 "--period", "2024-Q1")
    assert "từ 0 đến 100" in p.refused("kpi", "record", "hai-long", "190", "--period", "2023-Q3")


def test_refused_concurrent_outside_edit(plan, monkeypatch):
    p = plan()
    resolve = edit.resolve_task

    def editor_saves_meanwhile(*args, **kwargs):
        # while cchc works on the change (after reading the file, on either write path)
        p.path.write_text(p.text.replace("Sở Nội vụ (B/c);", "Sở Nội vụ (để báo cáo);"), encoding="utf-8")
        return resolve(*args, **kwargs)

    monkeypatch.setattr(edit, "resolve_task", editor_saves_meanwhile)
    result = run("update", "3.đ", "--percent", "10", "--date", "01/02/2023", "--by", "An")
    assert result.exit_code == 1
    assert "tệp đã bị sửa bởi chương trình khác" in result.stderr
    # the editor's change is kept, ours is not written
    assert p.text == p.before.replace("Sở Nội vụ (B/c);", "Sở Nội vụ (để báo cáo);")


def test_refused_conflict_markers(plan):
    p = plan()
    p.path.write_text(p.before.replace("  report_to: Sở Nội vụ\n",
                                       "<<<<<<< HEAD\n  report_to: Sở Nội vụ\n=======\n  report_to: UBND tỉnh\n"
                                       ">>>>>>> nhanh-khac\n"), encoding="utf-8")
    err = p.refused("update", "3.đ", "--percent", "10", "--date", "01/02/2023", "--by", "An")
    assert "tệp còn dấu xung đột khi gộp của git" in err
    assert "plan_2023.yaml:21:1: lỗi [merge-conflict] còn dấu xung đột khi gộp của git (<<<<<<<)" in err


def test_refused_invalid_plan(plan):
    p = plan(PROGRESS_PLAN)
    p.path.write_text(p.before.replace("percent: 40\n", "percent: 140\n", 1), encoding="utf-8")
    err = p.refused("update", "3.d", "--percent", "70", "--date", "01/08/2023", "--by", "An")
    assert "tệp kế hoạch đang có lỗi nên không ghi thay đổi nào" in err
    assert "phần trăm phải từ 0 đến 100, không phải 140" in err


def test_usage_errors_exit_2(plan):
    p = plan()
    raw = p.path.read_bytes()
    assert run("update", "3.đ").exit_code == 2  # no --percent
    assert run("kpi", "record", "hai-long").exit_code == 2  # no value
    assert run("reopen", "3.đ").exit_code == 2  # no --reason
    assert p.path.read_bytes() == raw


def test_no_plan_hint_names_plan_option(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("update", "3.đ", "--percent", "10")
    assert result.exit_code == 2
    assert "--plan" in result.stderr


def test_note_from_standard_input(plan):
    p = plan()
    result = run("note", "--period", "2023-Q3", "--section", "nguyên nhân", "-", input="Dòng 1\r\nDòng 2\n")
    assert result.exit_code == 0, result.stderr
    assert load(p.path).plan.narratives["2023-Q3"].causes == "Dòng 1\nDòng 2"


def test_done_with_only_a_file_uses_its_name(plan, tmp_path):
    p = plan()
    (tmp_path / "QD 15.pdf").write_bytes(b"x")
    p.ok("done", "3.đ", "--attach", "QD 15.pdf", "--date", "20/03/2023", "--by", "An")
    evidence = load(p.path).plan.task("3.đ").evidence
    assert [(e.text, e.file) for e in evidence] == [("QD 15.pdf", "QD 15.pdf")]
