"""`cchc log [ID]`: the plan's history, or one task's, across real commits: date, author, commit, facts."""

from __future__ import annotations

import json

from conftest import MINIMAL_PLAN, PLAN_2023, run
from test_diff import AN, BINH, EVIDENCE, edit, history, new_repo, update  # noqa: F401 - `history` is a fixture

HEADER = ["Ngày        Người sửa      Commit   Thay đổi",
          "----------  -------------  -------  "]
TITLE = "Kế hoạch công tác cải cách hành chính năm 2023"


def row(date: str, author: str, sha: str, text: str) -> str:
    # Both authors' names are 13 characters wide, as is the author column.
    return f"{date:<10}  {author:<13}  {sha:<7}  {text}"


def cont(text: str) -> str:
    return row("", "", "", text)


def table(result) -> list[str]:
    assert result.exit_code == 0, result.stdout + result.stderr
    out = result.stdout.splitlines()
    assert out[1] == HEADER[0] and out[2].startswith(HEADER[1])
    return [out[0]] + out[3:]


def test_log_of_the_plan(history):
    repo, shas = history
    assert table(repo.cchc("log")) == [
        "Lịch sử của ke-hoach/plan_2023.yaml",
        row("20/03/2023", AN[0], shas["done"], f"3.đ: hoàn thành, tài liệu kiểm chứng: {EVIDENCE}"),
        row("01/03/2023", BINH[0], shas["60"], "3.đ: 40% → 60% (Đã trình dự thảo)"),
        cont("chỉ tiêu hai-long 2023-Q1: 88,2% (mới)"),
        row("15/02/2023", BINH[0], shas["40"], "3.đ: 0% → 40% (Đã lập dự thảo)"),
        row("05/01/2023", AN[0], shas["plan"], f"tạo kế hoạch “{TITLE}” (37 nhiệm vụ, 11 chỉ tiêu)"),
    ]


def test_log_of_one_task(history):
    repo, shas = history
    out = table(repo.cchc("log", "3.đ"))
    assert out[:4] == [
        "Lịch sử của 3.đ trong ke-hoach/plan_2023.yaml",
        row("20/03/2023", AN[0], shas["done"], f"3.đ: hoàn thành, tài liệu kiểm chứng: {EVIDENCE}"),
        row("01/03/2023", BINH[0], shas["60"], "3.đ: 40% → 60% (Đã trình dự thảo)"),
        row("15/02/2023", BINH[0], shas["40"], "3.đ: 0% → 40% (Đã lập dự thảo)"),
    ]
    # The commit that created the plan added the task; its long title is clipped.
    assert out[4:] == [row("05/01/2023", AN[0], shas["plan"], "3.đ: thêm nhiệm vụ “Triển khai Đề án phân cấp giải "
                                                            "quyết TTHC, Đề án đổi mới việc thực hiện cơ chế…”")]
    # 3.d is a different task from 3.đ: nothing happened to it since.
    assert table(repo.cchc("log", "3.d"))[1:] == [
        row("05/01/2023", AN[0], shas["plan"], "3.d: thêm nhiệm vụ “Tiếp tục thực hiện hiệu quả cơ chế một cửa, "
                                              "một cửa liên thông trong giải quyết…”")]


def test_log_of_a_target(history):
    repo, shas = history
    assert table(repo.cchc("log", "hai-long")) == [
        "Lịch sử của hai-long trong ke-hoach/plan_2023.yaml",
        row("01/03/2023", BINH[0], shas["60"], "chỉ tiêu hai-long 2023-Q1: 88,2% (mới)"),
        row("05/01/2023", AN[0], shas["plan"], "chỉ tiêu hai-long: thêm “Tỷ lệ hài lòng của người dân”"),
    ]


def test_unknown_id(history):
    repo, _shas = history
    result = repo.cchc("log", "3.x")
    assert result.exit_code == 1
    assert result.stderr == "lỗi: không có thay đổi nào về “3.x” trong lịch sử của ke-hoach/plan_2023.yaml\n"


def test_json(history):
    repo, shas = history
    result = repo.cchc("log", "3.đ", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert [(c["short"], c["date"], c["author"], c["email"], c["subject"]) for c in data] == [
        (shas["done"], "2023-03-20T15:00:00+07:00", AN[0], AN[1], "3.đ hoàn thành"),
        (shas["60"], "2023-03-01T10:00:00+07:00", BINH[0], BINH[1], "3.đ: 60%, hài lòng quý I"),
        (shas["40"], "2023-02-15T16:30:00+07:00", BINH[0], BINH[1], "3.đ: 40%"),
        (shas["plan"], "2023-01-05T09:00:00+07:00", AN[0], AN[1], "Kế hoạch CCHC năm 2023"),
    ]
    assert data[1]["changes"] == [
        {"id": "3.đ", "kind": "progress", "field": "percent", "old": 40, "new": 60, "note": "Đã trình dự thảo"}]
    assert len(data[0]["commit"]) == 40 and data[0]["path"] == "ke-hoach/plan_2023.yaml"


def test_history_follows_a_renamed_file_and_survives_a_broken_commit(tmp_path):
    repo = new_repo(tmp_path / "repo", folder="")
    repo.plan.write_bytes(MINIMAL_PLAN.read_bytes())
    first = repo.commit("plan", date="2023-01-05T09:00:00+07:00")
    edit(repo, "percent: 40", "percent: 140")
    broken = repo.commit("broken", author=BINH, date="2023-02-01T09:00:00+07:00")
    edit(repo, "percent: 140", "percent: 40")
    edit(repo, "support: [TTRA]", "support: []")
    fixed = repo.commit("fixed", author=BINH, date="2023-02-02T09:00:00+07:00")
    (repo.root / "ke-hoach").mkdir()
    repo.git("mv", "plan_2023.yaml", "ke-hoach/plan_2023.yaml")
    moved = repo.commit("move", date="2023-02-03T09:00:00+07:00")
    repo.plan = repo.root / "ke-hoach" / "plan_2023.yaml"
    assert table(repo.cchc("log")) == [
        "Lịch sử của ke-hoach/plan_2023.yaml",
        row("03/02/2023", AN[0], moved, "(không đổi nội dung kế hoạch)"),
        row("02/02/2023", BINH[0], fixed, "3.d: đơn vị phối hợp TTRA → —"),
        row("01/02/2023", BINH[0], broken, f"lỗi: tệp plan_2023.yaml ở phiên bản {broken} không hợp lệ: 39:22: "
                                           "phần trăm phải từ 0 đến 100, không phải 140"[len("lỗi: "):]),
        row("05/01/2023", AN[0], first, f"tạo kế hoạch “{TITLE}” (2 nhiệm vụ, 1 chỉ tiêu)"),
    ]


def test_file_without_commits(tmp_path):
    repo = new_repo(tmp_path / "repo")
    repo.plan.write_bytes(PLAN_2023.read_bytes())
    result = repo.cchc("log")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == ["Lịch sử của ke-hoach/plan_2023.yaml", "Ngày  Người sửa  Commit  Thay đổi",
                                          "----  ---------  ------  --------",
                                          "Tệp kế hoạch chưa có trong commit nào."]


def test_log_with_recording_between_commits(history):
    # Uncommitted work is not history: log shows commits only.
    repo, shas = history
    update(repo, "3.d", 20, "Bắt đầu", "2023-03-25")
    assert table(repo.cchc("log"))[1] == row("20/03/2023", AN[0], shas["done"],
                                             f"3.đ: hoàn thành, tài liệu kiểm chứng: {EVIDENCE}")
    assert len(table(run("log", "-p", repo.plan, "3.d"))) == 2  # title and the commit that added 3.d
