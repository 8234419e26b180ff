"""`cchc diff`: what changed between two versions of the plan, one line per fact, from real commits."""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import MINIMAL_PLAN, PLAN_2023, require_tool, run

AN = ("Nguyễn Văn An", "an@skhcn.gov.vn")
BINH = ("Trần Thị Bình", "binh@skhcn.gov.vn")
EVIDENCE = "Báo cáo số 45/BC-SKHCN ngày 20/3/2023"


@dataclass
class Repo:
    root: Path
    plan: Path  # ke-hoach/plan_2023.yaml: the plan sits in a subfolder of the repository

    def git(self, *args: str, author: tuple[str, str] = AN, date: str = "2023-01-05T09:00:00+07:00") -> str:
        env = {**os.environ, "GIT_AUTHOR_NAME": author[0], "GIT_AUTHOR_EMAIL": author[1],
               "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
        proc = subprocess.run(["git", "-c", "commit.gpgsign=false", *args], cwd=self.root, env=env,
                              capture_output=True, text=True, check=True)
        return proc.stdout.strip()

    def commit(self, message: str, author: tuple[str, str] = AN, date: str = "2023-01-05T09:00:00+07:00") -> str:
        self.git("add", "-A", author=author, date=date)
        self.git("commit", "-q", "-m", message, author=author, date=date)
        return self.git("rev-parse", "--short", "HEAD")

    def cchc(self, *args: str):
        return run(*args, "-p", self.plan)


def new_repo(root: Path, folder: str = "ke-hoach") -> Repo:
    require_tool("git")
    root.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "config", "user.name", AN[0]], cwd=root, check=True)
    subprocess.run(["git", "config", "user.email", AN[1]], cwd=root, check=True)
    plan = root / folder / "plan_2023.yaml" if folder else root / "plan_2023.yaml"
    plan.parent.mkdir(parents=True, exist_ok=True)
    return Repo(root, plan)


# --- recording -------------------------------------------------------------------------------
# What a user types to record work: the recording commands write the plan file, then git commits it.

def record(repo: Repo, *args: str) -> None:
    result = run(*args, "--plan", repo.plan)
    assert result.exit_code == 0, result.stdout + result.stderr


def update(repo: Repo, task: str, percent: int, note: str, date: str, by: str = BINH[0]) -> None:
    record(repo, "update", task, "--percent", str(percent), "--note", note, "--date", date, "--by", by)


def done(repo: Repo, task: str, evidence: str, date: str, by: str = AN[0]) -> None:
    record(repo, "done", task, "--evidence", evidence, "--date", date, "--by", by)


def kpi(repo: Repo, target: str, value: str, period: str) -> None:
    record(repo, "kpi", "record", target, value, "--period", period)


def edit(repo: Repo, old: str, new: str, after: str = "") -> None:
    """A hand edit of the YAML, as a user does in an editor: replace `old` (after `after`) once."""
    text = repo.plan.read_text(encoding="utf-8")
    start = text.index(after) if after else 0
    i = text.index(old, start)
    repo.plan.write_text(text[:i] + new + text[i + len(old):], encoding="utf-8")


def task_block(task_id: str) -> str:
    return f"      - id: {task_id}\n"


@pytest.fixture
def history(tmp_path) -> tuple[Repo, dict[str, str]]:
    """A repository whose plan went through a quarter of recording, one commit per step."""
    repo = new_repo(tmp_path / "repo")
    (repo.root / "README.md").write_text("Kế hoạch CCHC\n", encoding="utf-8")
    shas = {"readme": repo.commit("README", date="2023-01-02T08:00:00+07:00")}
    repo.plan.write_bytes(PLAN_2023.read_bytes())
    shas["plan"] = repo.commit("Kế hoạch CCHC năm 2023", date="2023-01-05T09:00:00+07:00")
    update(repo, "3.đ", 40, "Đã lập dự thảo", "2023-02-15")
    shas["40"] = repo.commit("3.đ: 40%", author=BINH, date="2023-02-15T16:30:00+07:00")
    update(repo, "3.đ", 60, "Đã trình dự thảo", "2023-03-01")
    kpi(repo, "hai-long", "88,2", "2023-Q1")
    shas["60"] = repo.commit("3.đ: 60%, hài lòng quý I", author=BINH, date="2023-03-01T10:00:00+07:00")
    done(repo, "3.đ", EVIDENCE, "2023-03-20")
    shas["done"] = repo.commit("3.đ hoàn thành", author=AN, date="2023-03-20T15:00:00+07:00")
    return repo, shas


def lines(result) -> list[str]:
    assert result.exit_code == 0, result.stdout + result.stderr
    return result.stdout.splitlines()


def test_between_two_commits(history):
    repo, shas = history
    assert lines(repo.cchc("diff", shas["40"], shas["60"])) == [
        "3.đ: 40% → 60% (Đã trình dự thảo)",
        "chỉ tiêu hai-long 2023-Q1: 88,2% (mới)",
    ]
    assert lines(repo.cchc("diff", shas["plan"], shas["40"])) == ["3.đ: 0% → 40% (Đã lập dự thảo)"]
    assert lines(repo.cchc("diff", shas["60"], shas["done"])) == [
        f"3.đ: hoàn thành, tài liệu kiểm chứng: {EVIDENCE}"]
    assert lines(repo.cchc("diff", "HEAD~3", "HEAD")) == [
        "3.đ: 0% → 40% (Đã lập dự thảo)",
        "3.đ: 40% → 60% (Đã trình dự thảo)",
        f"3.đ: hoàn thành, tài liệu kiểm chứng: {EVIDENCE}",
        "chỉ tiêu hai-long 2023-Q1: 88,2% (mới)",
    ]


def test_default_is_last_commit_against_the_working_tree(history):
    repo, _shas = history
    result = repo.cchc("diff")
    assert result.exit_code == 0 and result.stdout == ""
    assert result.stderr == "Không có thay đổi nào trong kế hoạch giữa HEAD và tệp đang sửa.\n"
    # Uncommitted hand edits: another owner and deadline for 3.d, a unit renamed, a task removed.
    edit(repo, "        lead: VP\n", "        lead: TTRA\n", after=task_block("3.d"))
    edit(repo, "        deadline: year-round\n", "        deadline: 2023-09-30\n", after=task_block("3.d"))
    edit(repo, "  KHTC: Phòng Kế hoạch - Tài chính\n", "  KHTC: Phòng Kế hoạch, Tài chính\n")
    edit(repo, "          - ALL\n", "          - VP\n          - KHTC\n", after=task_block("3.e"))
    assert lines(repo.cchc("diff")) == [
        "đơn vị KHTC: tên “Phòng Kế hoạch - Tài chính” → “Phòng Kế hoạch, Tài chính”",
        "3.d: đơn vị chủ trì VP → TTRA",
        "3.d: thời hạn thường xuyên → 30/09/2023",
        "3.e: đơn vị phối hợp ALL → VP, KHTC",
    ]
    # One revision: that revision against the working tree.
    assert lines(repo.cchc("diff", "HEAD~1")) == [
        "đơn vị KHTC: tên “Phòng Kế hoạch - Tài chính” → “Phòng Kế hoạch, Tài chính”",
        "3.d: đơn vị chủ trì VP → TTRA",
        "3.d: thời hạn thường xuyên → 30/09/2023",
        f"3.đ: hoàn thành, tài liệu kiểm chứng: {EVIDENCE}",
        "3.e: đơn vị phối hợp ALL → VP, KHTC",
    ]


def test_tasks_added_and_removed(history):
    repo, _shas = history
    text = repo.plan.read_text(encoding="utf-8")
    start = text.index(task_block("7.đ"))
    end = text.index("duties:")
    removed = text[start:end]
    added = removed.replace("- id: 7.đ", "- id: 7.e").replace("        status: not_started\n", "")
    repo.plan.write_text(text[:start] + added + text[end:], encoding="utf-8")
    out = lines(repo.cchc("diff"))
    assert len(out) == 2
    assert out[0].startswith("7.đ: xóa nhiệm vụ “") and out[1].startswith("7.e: thêm nhiệm vụ “")
    assert out[0][len("7.đ: xóa "):] == out[1][len("7.e: thêm "):]
    assert len(out[0]) <= len("7.đ: xóa nhiệm vụ “”") + 80  # a long title is clipped in the line


def test_json(history):
    repo, shas = history
    result = repo.cchc("diff", shas["40"], shas["done"], "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == [
        {"id": "3.đ", "kind": "progress", "field": "percent", "old": 40, "new": 60, "note": "Đã trình dự thảo"},
        {"id": "3.đ", "kind": "done", "field": "evidence", "old": None, "new": EVIDENCE, "note": ""},
        {"id": "hai-long", "kind": "measurement", "field": "2023-Q1", "old": None, "new": 88.2, "note": ""},
    ]
    assert json.loads(repo.cchc("diff", "--json").stdout) == []


def test_from_inside_the_subfolder_without_file_option(history, monkeypatch):
    repo, shas = history
    monkeypatch.chdir(repo.plan.parent)
    assert lines(run("diff", shas["60"], shas["done"])) == [f"3.đ: hoàn thành, tài liệu kiểm chứng: {EVIDENCE}"]


def test_revision_without_the_file(history):
    repo, shas = history
    result = repo.cchc("diff", shas["readme"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == f"lỗi: tệp ke-hoach/plan_2023.yaml không có trong phiên bản {shas['readme']}\n"


def test_unknown_revision_is_a_usage_error(history):
    repo, _shas = history
    result = repo.cchc("diff", "v9.9")
    assert result.exit_code == 2
    assert result.stderr == "lỗi: không có phiên bản “v9.9” trong kho git\n"


def test_invalid_revision_is_one_line(tmp_path):
    repo = new_repo(tmp_path / "repo", folder="")
    repo.plan.write_bytes(MINIMAL_PLAN.read_bytes())
    repo.commit("plan")
    edit(repo, "support: [TTRA]", "support: [TTR]")
    edit(repo, "percent: 40", "percent: 140")
    repo.commit("broken")
    edit(repo, "support: [TTR]", "support: [TTRA]")
    edit(repo, "percent: 140", "percent: 40")
    result = repo.cchc("diff")
    assert result.exit_code == 1
    assert result.stderr == ("lỗi: tệp plan_2023.yaml ở phiên bản HEAD không hợp lệ: 35:19: không có đơn vị mã TTR "
                             "trong danh mục units (và 1 lỗi khác)\n")
    # The versions on either side of the broken commit still compare.
    assert (repo.cchc("diff", "HEAD~1").exit_code, repo.cchc("diff", "HEAD~1").stdout) == (0, "")


def test_not_a_git_repository(tmp_path):
    require_tool("git")
    plan = tmp_path / "plan_2023.yaml"
    plan.write_bytes(PLAN_2023.read_bytes())
    result = run("diff", "-p", plan, env={"GIT_CEILING_DIRECTORIES": str(tmp_path.parent)})
    assert result.exit_code == 2
    assert result.stderr == f"lỗi: {plan}: tệp kế hoạch không nằm trong một kho git\n"


# --- the facts themselves, on plans changed in memory -------------------------------------------

def _facts(change) -> list[str]:
    from cchc.planfile import load
    from cchc.plandiff import describe_all, diff_plans

    old = load(MINIMAL_PLAN).plan
    new = old.model_copy(deep=True)
    change(new)
    return describe_all(diff_plans(old, new), new, old)


def test_reopening_evidence_and_plain_status_changes():
    from cchc.model import Evidence, ProgressEntry, Status

    def reopen(plan):
        task = plan.task("3.d")
        task.progress.append(ProgressEntry(date="2023-03-01", percent=100, event="done"))
        task.progress.append(ProgressEntry(date="2023-03-05", percent=80, event="reopened", note="Thiếu phụ lục"))
        task.status = Status.in_progress
        plan.task("3.đ").evidence.append(Evidence(text="Công văn số 7/SKHCN-VP"))
        plan.task("3.đ").status = Status.in_progress

    assert _facts(reopen) == [
        "3.d: hoàn thành",
        "3.d: mở lại (Thiếu phụ lục)",
        "3.đ: trạng thái chưa bắt đầu → đang thực hiện",
        "3.đ: thêm tài liệu kiểm chứng: Công văn số 7/SKHCN-VP",
    ]


def test_rewritten_progress_log_is_one_fact():
    def rewrite(plan):
        plan.task("3.d").progress[0].percent = 50

    assert _facts(rewrite) == ["3.d: nhật ký tiến độ được sửa (40% → 50%)"]


def test_targets_measurements_and_narratives():
    from cchc.model import Measurement

    def change(plan):
        target = plan.target("hai-long")
        target.target = 90
        target.measurements.append(Measurement(period="2023-Q1", value=86.5))
        plan.narratives["2023-Q1"].achievements = "Hoàn thành đúng hạn các báo cáo."

    assert _facts(change) == [
        "chỉ tiêu hai-long: mục tiêu 87 → 90",
        "chỉ tiêu hai-long 2023-Q1: 86,5% (mới)",
        "tự đánh giá 2023-Q1: viết phần ưu điểm",
    ]
    from cchc.planfile import load
    from cchc.plandiff import Change, describe_all, diff_plans

    before = load(MINIMAL_PLAN).plan
    before.target("hai-long").measurements.append(Measurement(period="2023-Q1", value=86.5))
    after = before.model_copy(deep=True)
    after.target("hai-long").measurements[0].value = 88.2
    assert describe_all(diff_plans(before, after), after) == ["chỉ tiêu hai-long 2023-Q1: 86,5% → 88,2%"]
    assert diff_plans(after, load(MINIMAL_PLAN).plan) == [
        Change("hai-long", "measurement", "2023-Q1", 88.2, None)]


def test_plan_information():
    import datetime as dt

    def issue(plan):
        plan.plan.number = "12/KH-SKHCN"
        plan.plan.date = dt.date(2023, 1, 10)

    assert _facts(issue) == ["kế hoạch: số ký hiệu — → “12/KH-SKHCN”", "kế hoạch: ngày ban hành — → 10/01/2023"]


def test_reopened_and_new_evidence(history):
    repo, _shas = history
    record(repo, "reopen", "3.đ", "--reason", "Thiếu phụ lục kèm theo", "--date", "2023-03-25")
    record(repo, "evidence", "add", "3.d", "Công văn số 7/SKHCN-VP ngày 24/3/2023")
    result = repo.cchc("diff")
    out = lines(result)
    assert out[0] == "3.d: thêm tài liệu kiểm chứng: Công văn số 7/SKHCN-VP ngày 24/3/2023"
    assert out[1] == "3.đ: mở lại (Thiếu phụ lục kèm theo)"
    assert len(out) == 2
