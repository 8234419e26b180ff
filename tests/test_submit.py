"""`cchc submit`: the exact lines a submission adds, the signed copy, the commit and its tag, and refusals."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import pytest

from cchc.planfile import load
from cchc.submissions import content_sha256
from conftest import PROGRESS_PLAN, require_tool, run
from test_edit import changed, diff

AN = ("Nguyễn Văn An", "an@skhcn.gov.vn")
NUMBER = "45/BC-SKHCN"
SIGNED = b"%PDF-1.4 signed report of the first quarter\n"


class Office:
    """A plan in a git repository (the plan in a subfolder), as an office keeps it, and cchc run on it."""

    def __init__(self, root: Path, source: Path = PROGRESS_PLAN):
        require_tool("git")
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q")
        self.git("config", "user.name", AN[0])
        self.git("config", "user.email", AN[1])
        self.git("config", "commit.gpgsign", "false")
        self.git("config", "tag.gpgsign", "false")
        self.plan = root / "ke-hoach" / "plan_2023.yaml"
        self.plan.parent.mkdir()
        self.plan.write_bytes(source.read_bytes())
        (root / ".gitignore").write_text("*.yaml.lock\n", encoding="utf-8")
        self.git("add", "-A")
        self.git("commit", "-q", "-m", "Kế hoạch CCHC năm 2023")

    def git(self, *args: str) -> str:
        return subprocess.run(["git", *args], cwd=self.root, capture_output=True, text=True, check=True).stdout

    @property
    def text(self) -> str:
        return self.plan.read_text(encoding="utf-8")

    def cchc(self, *args: str):
        # The plan as a user names it: relative to the folder they are in, when it is below it.
        plan = self.plan.relative_to(Path.cwd()) if self.plan.is_relative_to(Path.cwd()) else self.plan
        return run(*args, "--plan", plan)

    def ok(self, *args: str):
        result = self.cchc(*args)
        assert result.exit_code == 0, result.stdout + result.stderr
        return result

    def submit(self, *extra: str, quarter: int = 1, number: str = NUMBER, date: str = "15/03/2023"):
        return self.ok("submit", "--quarter", str(quarter), "--number", number, "--date", date, *extra)


@pytest.fixture
def office(tmp_path) -> Office:
    return Office(tmp_path / "van-phong")


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_submission_adds_these_lines_at_the_end(office):
    before = office.text
    plan_hash = content_sha256(load(office.plan).plan)
    result = office.submit("--by", "Trần Thị Bình")
    assert changed(before, office.text) == [
        "+submissions:",
        "+  - period: 2023-Q1",
        f"+    number: {NUMBER}",
        "+    date: 2023-03-15",
        "+    by: Trần Thị Bình",
        f"+    plan_sha256: {plan_hash}",
    ]
    assert office.text.startswith(before)  # appended: nothing above moves
    assert result.stderr == ("Đã ghi nộp báo cáo quý I năm 2023 số 45/BC-SKHCN ngày 15/03/2023 vào plan_2023.yaml; "
                             f"xem thay đổi: git diff -- {office.plan.as_posix()}\n")


def test_second_submission_goes_below_the_first_and_by_defaults_to_git_user(office):
    office.submit()
    before = office.text
    office.submit(quarter=2, number="88/BC-SKHCN", date="16/06/2023")
    lines = diff(before, office.text)
    assert [line for line in lines if line[:1] == "+"][:5] == [
        "+  - period: 2023-Q2",
        "+    number: 88/BC-SKHCN",
        "+    date: 2023-06-16",
        f"+    by: {AN[0]}",
        f"+    plan_sha256: {content_sha256(load(office.plan).plan)}",
    ]


def test_signed_copy_outside_the_plan_folder_is_copied_beside_the_plan(office, tmp_path):
    signed = tmp_path / "Downloads" / "bc-45-da-ky.pdf"
    signed.parent.mkdir()
    signed.write_bytes(SIGNED)
    before = office.text
    office.submit("--attach", signed)
    copy = office.plan.parent / "bao-cao-da-nop" / "bc-45-da-ky.pdf"
    assert copy.read_bytes() == SIGNED
    assert changed(before, office.text)[-3:] == [
        f"+    plan_sha256: {content_sha256(load(office.plan).plan)}",
        "+    file: bao-cao-da-nop/bc-45-da-ky.pdf",
        f"+    sha256: {sha(SIGNED)}",
    ]


def test_signed_copy_inside_the_plan_folder_is_referenced(office):
    signed = office.plan.parent / "van-ban" / "bc-45.pdf"
    signed.parent.mkdir()
    signed.write_bytes(SIGNED)
    office.submit("--attach", signed)
    assert "    file: van-ban/bc-45.pdf\n" in office.text
    assert not (office.plan.parent / "bao-cao-da-nop").exists()


def test_commit_makes_a_commit_and_an_annotated_tag(office, tmp_path):
    signed = tmp_path / "bc-45.pdf"
    signed.write_bytes(SIGNED)
    result = office.submit("--attach", signed, "--commit")
    assert office.git("status", "--porcelain") == ""  # the plan and the signed copy are committed
    head = office.git("rev-parse", "--short", "HEAD").strip()
    assert result.stderr == (f"Đã ghi nộp báo cáo quý I năm 2023 số 45/BC-SKHCN ngày 15/03/2023; đã commit {head} "
                             "và gắn thẻ bao-cao-2023-q1\n")
    assert office.git("cat-file", "-t", "bao-cao-2023-q1").strip() == "tag"  # annotated, not lightweight
    assert office.git("rev-parse", "bao-cao-2023-q1^{commit}") == office.git("rev-parse", "HEAD")
    assert office.git("show", "-s", "--format=%s", "HEAD").strip() == \
        "Nộp báo cáo quý I năm 2023 số 45/BC-SKHCN ngày 15/03/2023"
    assert sorted(office.git("show", "--name-only", "--format=", "HEAD").split()) == [
        "ke-hoach/bao-cao-da-nop/bc-45.pdf", "ke-hoach/plan_2023.yaml"]
    assert "    tag: bao-cao-2023-q1\n" in office.text


def refused(office: Office, *args: str, code: int = 1) -> str:
    before = office.plan.read_bytes()
    result = office.cchc(*args)
    assert result.exit_code == code, result.stdout + result.stderr
    assert office.plan.read_bytes() == before
    assert len(result.stderr.splitlines()) == 1
    return result.stderr


def test_a_period_is_submitted_once(office):
    office.submit()
    message = refused(office, "submit", "--quarter", "1", "--number", "46/BC-SKHCN", "--date", "16/03/2023")
    assert message == (f"lỗi: {office.plan}: báo cáo quý I năm 2023 số 45/BC-SKHCN (nộp ngày 15/03/2023) đã được "
                       "ghi; không ghi lại\n")


def test_refusals_leave_every_file_unchanged(office, tmp_path):
    assert "chưa đến" in refused(office, "submit", "-q", "1", "-n", NUMBER, "--date", "15/03/2999", code=2)
    assert refused(office, "submit", "-q", "2", "-n", NUMBER, "--date", "10/12/2022", code=2) == (
        "lỗi: ngày nộp 10/12/2022 không hợp với kỳ 6 tháng đầu năm 2023 (số liệu từ 15/12/2022 đến 14/06/2023)\n")
    assert "cần chọn kỳ báo cáo" in refused(office, "submit", "--number", NUMBER, code=2)
    assert "cần số của báo cáo đã nộp" in refused(office, "submit", "--quarter", "1", code=2)
    assert "không tìm thấy tệp báo cáo đã ký" in refused(office, "submit", "-q", "1", "-n", NUMBER, "--attach",
                                                         tmp_path / "khong-co.pdf", code=2)
    office.git("tag", "-a", "bao-cao-2023-q1", "-m", "thẻ có sẵn")
    signed = tmp_path / "bc.pdf"
    signed.write_bytes(SIGNED)
    message = refused(office, "submit", "-q", "1", "-n", NUMBER, "--date", "15/03/2023", "--attach", signed,
                      "--commit")
    assert message == "lỗi: kho git đã có thẻ bao-cao-2023-q1; không ghi gì\n"
    assert not (office.plan.parent / "bao-cao-da-nop").exists()  # the refused submission copied nothing


def test_a_different_signed_file_of_the_same_name_is_not_overwritten(office, tmp_path):
    kept = office.plan.parent / "bao-cao-da-nop" / "bc.pdf"
    kept.parent.mkdir()
    kept.write_bytes(b"another report\n")
    signed = tmp_path / "bc.pdf"
    signed.write_bytes(SIGNED)
    message = refused(office, "submit", "-q", "1", "-n", NUMBER, "--date", "15/03/2023", "--attach", signed)
    assert "đã có một tệp khác cùng tên" in message
    assert kept.read_bytes() == b"another report\n"


def test_english_messages(office):
    result = office.ok("submit", "-q", "1", "-n", NUMBER, "--date", "15/03/2023", "--lang", "en")
    assert result.stderr.startswith("Recorded the submission of the report for the first quarter of 2023 no. "
                                    "45/BC-SKHCN on 15/03/2023 in plan_2023.yaml")
