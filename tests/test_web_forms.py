"""The web forms write exactly what the recording commands write, and refuse what they refuse.

Each form is posted through Flask's test client to a plan; the same change is made with the CLI
on a twin copy, and the two files must be byte-for-byte equal (the diff lines themselves are pinned
in tests/test_edit.py). Every refusal leaves the file's bytes unchanged and shows the typed values.
"""

from __future__ import annotations

import hashlib

import pytest
from urllib.parse import unquote

from cchc.web import create_app
from conftest import PLAN_2023, PROGRESS_PLAN, run
from web_support import hidden, plan_in_repo, session_token, submit, text

TASK = "/tasks/3.đ?as_of=20/03/2023"


@pytest.fixture
def site(tmp_path, monkeypatch):
    """A plan in a git repository, its web app, and a twin plan for the CLI."""

    class Site:
        def __init__(self, source=PLAN_2023, **options):
            self.path = plan_in_repo(tmp_path / "web", source)
            self.twin = plan_in_repo(tmp_path / "cli", source)
            self.app = create_app(self.path, **options)
            self.client = self.app.test_client()

        def cli(self, *args: str) -> None:
            monkeypatch.chdir(self.twin.parent)
            result = run(*args, "--plan", str(self.twin))
            assert result.exit_code == 0, result.stderr

        def same_as_cli(self, *args: str) -> None:
            self.cli(*args)
            assert self.path.read_bytes() == self.twin.read_bytes()

    return Site


def test_progress_form_writes_what_cchc_update_writes(site):
    s = site()
    before = s.path.read_bytes()
    r = submit(s.client, TASK, "/tasks/3.đ/progress",
               {"percent": "40", "note": "Đã trình dự thảo Đề án", "date": "20/03/2023", "by": "Trần Thị Bình"})
    assert r.status_code == 303 and unquote(r.headers["Location"]) == TASK
    s.same_as_cli("update", "3.đ", "--percent", "40", "--note", "Đã trình dự thảo Đề án", "--date", "20/03/2023",
                  "--by", "Trần Thị Bình")
    assert s.path.read_bytes() != before
    page = text(s.client.get(TASK))
    assert "Đã ghi tiến độ 40% cho nhiệm vụ 3.đ vào plan_2023.yaml; xem thay đổi: git diff --" in page
    assert "3.đ: 0% → 40% (Đã trình dự thảo Đề án)" in page  # what changed, in plan terms
    assert "20/03/2023 40% Đã trình dự thảo Đề án Trần Thị Bình" in page  # the new timeline row
    assert "Xem git diff của thay đổi này" in page


def test_after_a_write_the_diff_page_shows_the_yaml_lines(site):
    s = site()
    submit(s.client, TASK, "/tasks/3.đ/progress", {"percent": "40", "note": "Đã trình", "date": "20/03/2023",
                                                  "by": "An"})
    page = text(s.client.get("/diff"))
    assert "git diff -- plan_2023.yaml" in page
    assert "- status: not_started" in page and "+ status: in_progress" in page
    assert "+ note: Đã trình" in page and "+ by: An" in page


def test_done_form_with_evidence_text(site):
    s = site()
    r = submit(s.client, TASK, "/tasks/3.đ/done",
               {"evidence": "Báo cáo số 45/BC-SKHCN ngày 20/3/2023", "date": "20/03/2023", "by": "Trần Thị Bình",
                "note": ""})
    assert r.status_code == 303
    s.same_as_cli("done", "3.đ", "--evidence", "Báo cáo số 45/BC-SKHCN ngày 20/3/2023", "--date", "20/03/2023",
                  "--by", "Trần Thị Bình")
    page = text(s.client.get(TASK))
    assert "Đã ghi hoàn thành nhiệm vụ 3.đ ngày 20/03/2023 (kèm tài liệu kiểm chứng)" in page
    assert "Báo cáo số 45/BC-SKHCN ngày 20/3/2023" in page


def test_done_form_without_evidence_warns_like_the_command(site):
    s = site()
    submit(s.client, TASK, "/tasks/3.đ/done", {"no_evidence": "1", "date": "20/03/2023", "by": "An"})
    s.same_as_cli("done", "3.đ", "--no-evidence", "--date", "20/03/2023", "--by", "An")
    page = text(s.client.get(TASK))
    assert "(CHƯA có tài liệu kiểm chứng)" in page
    assert "cảnh báo: nhiệm vụ 3.đ hoàn thành mà chưa có tài liệu kiểm chứng" in page


def test_evidence_form_with_an_upload_stores_the_file_and_its_sha256(site):
    s = site()
    data = b"%PDF-1.4 bao cao 45"
    import io

    r = submit(s.client, TASK, "/tasks/3.đ/evidence",
               {"text": "Báo cáo số 45/BC-SKHCN ngày 20/3/2023", "file": (io.BytesIO(data), "Báo cáo số 45.pdf")},
               content_type="multipart/form-data")
    assert r.status_code == 303
    stored = s.path.parent / "kiem-chung" / "3-dd" / "bao-cao-so-45.pdf"
    assert stored.read_bytes() == data
    # The CLI given the same file at the same place writes the same entry.
    twin_file = s.twin.parent / "kiem-chung" / "3-dd" / "bao-cao-so-45.pdf"
    twin_file.parent.mkdir(parents=True)
    twin_file.write_bytes(data)
    s.same_as_cli("evidence", "add", "3.đ", "Báo cáo số 45/BC-SKHCN ngày 20/3/2023", "--file", str(twin_file))
    yaml = s.path.read_text(encoding="utf-8")
    assert "file: kiem-chung/3-dd/bao-cao-so-45.pdf" in yaml
    assert f"sha256: {hashlib.sha256(data).hexdigest()}" in yaml
    assert "tệp khớp mã băm" in text(s.client.get(TASK))


def test_done_form_with_only_a_file(site):
    s = site()
    import io

    submit(s.client, TASK, "/tasks/3.đ/done", {"date": "20/03/2023", "by": "An", "file": (io.BytesIO(b"x"), "kq.docx")},
           content_type="multipart/form-data")
    task_yaml = s.path.read_text(encoding="utf-8")
    assert "- text: kq.docx\n" in task_yaml and "file: kiem-chung/3-dd/kq.docx\n" in task_yaml


def test_measurement_form_writes_what_kpi_record_writes(site):
    s = site()
    r = submit(s.client, "/targets", "/targets/measurements",
               {"target": "hai-long", "value": "88,2", "period": "2023-Q1", "source": "Khảo sát SIPAS quý I",
                "note": ""})
    assert r.status_code == 303 and r.headers["Location"] == "/targets"
    s.same_as_cli("kpi", "record", "hai-long", "88,2", "--period", "2023-Q1", "--source", "Khảo sát SIPAS quý I")
    page = text(s.client.get("/targets?as_of=20/06/2023"))
    assert "Đã ghi kết quả 88,2 kỳ 2023-Q1 cho chỉ tiêu hai-long" in page
    assert "88,2%" in page


def test_measurement_again_needs_replace(site):
    s = site()
    submit(s.client, "/targets", "/targets/measurements", {"target": "hai-long", "value": "88", "period": "2023-Q1"})
    raw = s.path.read_bytes()
    r = submit(s.client, "/targets", "/targets/measurements", {"target": "hai-long", "value": "90", "period": "2023-Q1"})
    assert r.status_code == 422
    assert s.path.read_bytes() == raw
    page = text(r)
    assert "chỉ tiêu hai-long đã có kết quả kỳ 2023-Q1 (88); muốn thay thì thêm --replace" in page
    assert 'value="90"' in r.get_data(as_text=True)  # typed value kept
    r = submit(s.client, "/targets", "/targets/measurements",
               {"target": "hai-long", "value": "90", "period": "2023-Q1", "replace": "1"})
    assert r.status_code == 303
    s.cli("kpi", "record", "hai-long", "88", "--period", "2023-Q1")
    s.same_as_cli("kpi", "record", "hai-long", "90", "--period", "2023-Q1", "--replace")


def test_narrative_form_writes_what_note_writes(site):
    s = site()
    body = "Hoàn thành đúng hạn các nhiệm vụ quý I.\nTuyên truyền được đẩy mạnh."
    r = submit(s.client, "/reports", "/reports/narrative", {"period": "2023-Q1", "section": "achievements",
                                                           "text": body})
    assert r.status_code == 303
    s.same_as_cli("note", "--period", "2023-Q1", "--section", "uu-diem", body)
    page = text(s.client.get("/reports"))
    assert "Đã ghi phần “ưu điểm” của báo cáo kỳ 2023-Q1" in page
    assert "Tuyên truyền được đẩy mạnh." in page


# --- refusals: the file is unchanged, the typed values are kept ------------------------------------------

def test_bad_percent_is_refused_with_the_commands_message(site):
    s = site()
    raw = s.path.read_bytes()
    r = submit(s.client, TASK, "/tasks/3.đ/progress", {"percent": "120", "note": "Gõ nhầm", "date": "20/03/2023",
                                                      "by": "An"})
    assert r.status_code == 422
    assert s.path.read_bytes() == raw
    assert "phần trăm phải từ 0 đến 100, không phải 120" in text(r)
    page = r.get_data(as_text=True)
    assert 'value="120"' in page and 'value="Gõ nhầm"' in page


def test_date_outside_the_plan_year_is_refused(site):
    s = site()
    raw = s.path.read_bytes()
    r = submit(s.client, TASK, "/tasks/3.đ/progress", {"percent": "10", "date": "05/01/2024", "by": "An"})
    assert r.status_code == 422 and s.path.read_bytes() == raw
    assert "ngày 05/01/2024 nằm ngoài năm kế hoạch 2023" in text(r)


def test_a_plan_changed_since_the_page_was_loaded_is_refused_and_values_kept(site):
    s = site()
    page = s.client.get(TASK).get_data(as_text=True)
    csrf, sha = hidden(page, "csrf"), hidden(page, "plan_sha")
    s.path.write_bytes(s.path.read_bytes().replace(b"# ", b"#  ", 1))  # someone saved the file in an editor
    raw = s.path.read_bytes()
    r = s.client.post("/tasks/3.đ/progress", data={"csrf": csrf, "plan_sha": sha, "percent": "40",
                                                   "note": "Đã trình", "date": "20/03/2023", "by": "An"})
    assert r.status_code == 409
    assert s.path.read_bytes() == raw
    body = r.get_data(as_text=True)
    assert "Kế hoạch vừa được người khác (hoặc một lệnh cchc) thay đổi sau khi bạn mở trang này" in text(r)
    assert 'value="40"' in body and 'value="Đã trình"' in body
    # The page came back with the new hash: sending it again works.
    r = s.client.post("/tasks/3.đ/progress", data={"csrf": csrf, "plan_sha": hidden(body, "plan_sha"),
                                                   "percent": "40", "note": "Đã trình", "date": "20/03/2023",
                                                   "by": "An"})
    assert r.status_code == 303 and s.path.read_bytes() != raw


def test_post_without_csrf_token_is_refused(site):
    s = site()
    raw = s.path.read_bytes()
    r = submit(s.client, TASK, "/tasks/3.đ/progress", {"percent": "40", "date": "20/03/2023"}, csrf=False)
    assert r.status_code == 403
    assert "mã xác thực (CSRF)" in text(r)
    assert s.path.read_bytes() == raw


def test_post_with_another_sessions_token_is_refused(site):
    s = site()
    raw = s.path.read_bytes()
    other = s.app.test_client()
    token = hidden(other.get(TASK).get_data(as_text=True), "csrf")
    page = s.client.get(TASK).get_data(as_text=True)
    r = s.client.post("/tasks/3.đ/progress", data={"csrf": token, "plan_sha": hidden(page, "plan_sha"),
                                                   "percent": "40", "date": "20/03/2023"})
    assert r.status_code == 403 and s.path.read_bytes() == raw


def test_read_only_shows_no_form_and_refuses_writes(site):
    s = site(read_only=True)
    raw = s.path.read_bytes()
    page = s.client.get(TASK).get_data(as_text=True)
    assert "<form method=\"post\" action=\"/tasks/3.%C4%91/progress\"" not in page
    assert "Ghi tiến độ" not in page and "chỉ xem" in page
    r = s.client.post("/tasks/3.đ/progress", data={"csrf": session_token(s.client), "plan_sha": "x", "percent": "40"})
    assert r.status_code == 403 and "chế độ chỉ xem (--read-only)" in text(r)
    assert s.path.read_bytes() == raw
    assert "Ghi kết quả đo" not in text(s.client.get("/targets"))
    assert "Viết phần tự đánh giá" not in text(s.client.get("/reports"))


def test_unknown_task_is_404_with_the_suggestion(site):
    s = site()
    r = s.client.get("/tasks/3.f")
    assert r.status_code == 404
    s.client.get("/")
    r = s.client.post("/tasks/9.z/progress", data={"csrf": session_token(s.client)})
    assert r.status_code == 404 and "không có nhiệm vụ mã “9.z”" in text(r)


def test_upload_too_large_is_refused_and_nothing_is_stored(site):
    import io

    s = site(max_upload_mb=1)
    raw = s.path.read_bytes()
    r = submit(s.client, TASK, "/tasks/3.đ/evidence",
               {"text": "Báo cáo", "file": (io.BytesIO(b"x" * (1024 * 1024 + 1)), "lon.pdf")},
               content_type="multipart/form-data")
    assert r.status_code == 422 and "tệp tải lên lớn hơn giới hạn 1 MB" in text(r)
    r = submit(s.client, TASK, "/tasks/3.đ/evidence",
               {"text": "Báo cáo", "file": (io.BytesIO(b"x" * (2 * 1024 * 1024)), "lon.pdf")},
               content_type="multipart/form-data")
    assert r.status_code == 413 and "Tệp tải lên hoặc biểu mẫu quá lớn (tối đa 1 MB)." in text(r)
    assert s.path.read_bytes() == raw
    folder = s.path.parent / "kiem-chung"
    assert not folder.exists() or not any(p.is_file() for p in folder.rglob("*"))


def test_refused_evidence_removes_the_uploaded_file(site):
    import io

    s = site()
    submit(s.client, TASK, "/tasks/3.đ/evidence", {"text": "Báo cáo 1", "file": (io.BytesIO(b"a"), "a.pdf")},
           content_type="multipart/form-data")
    raw = s.path.read_bytes()
    # The same text and file again is refused by add_evidence; the reused file stays, nothing new appears.
    r = submit(s.client, TASK, "/tasks/3.đ/evidence", {"text": "Báo cáo 1", "file": (io.BytesIO(b"a"), "a.pdf")},
               content_type="multipart/form-data")
    assert r.status_code == 422 and "đã có tài liệu kiểm chứng này" in text(r)
    assert s.path.read_bytes() == raw
    assert sorted(p.name for p in (s.path.parent / "kiem-chung" / "3-dd").iterdir()) == ["a.pdf"]
    # A file whose edit is refused (the plan changed meanwhile) is not left behind.
    r = submit(s.client, TASK, "/tasks/3.đ/evidence", {"text": "Báo cáo 2", "file": (io.BytesIO(b"b"), "b.pdf")},
               sha="0" * 64, content_type="multipart/form-data")
    assert r.status_code == 409
    assert sorted(p.name for p in (s.path.parent / "kiem-chung" / "3-dd").iterdir()) == ["a.pdf"]


def test_long_fields_are_cut(site):
    s = site()
    submit(s.client, TASK, "/tasks/3.đ/progress", {"percent": "5", "note": "x" * 50_000, "date": "20/03/2023",
                                                  "by": "An"})
    assert "x" * 2000 + "\n" in s.path.read_text(encoding="utf-8")
    assert "x" * 2001 not in s.path.read_text(encoding="utf-8")


# --- --commit ------------------------------------------------------------------------------------------

def test_commit_makes_one_commit_per_write_named_after_the_change(site):
    from web_support import git

    s = site(PROGRESS_PLAN, commit=True)
    submit(s.client, "/tasks/3.d?as_of=20/06/2023", "/tasks/3.d/progress",
           {"percent": "75", "note": "Đã niêm yết", "date": "01/08/2023", "by": "Trần Thị Bình"})
    log = git(s.path.parent, "log", "--format=%an|%s").splitlines()
    assert log[0] == "Trần Thị Bình|3.d: 60% → 75% (Đã niêm yết)"
    assert len(log) == 2
    assert git(s.path.parent, "status", "--porcelain") == "?? plan_2023.yaml.lock\n"  # git-ignored in real repos
    page = text(s.client.get("/tasks/3.d?as_of=20/06/2023"))
    assert "Xem git diff của thay đổi này" in page
    sha = git(s.path.parent, "rev-parse", "HEAD").strip()
    shown = text(s.client.get(f"/diff?commit={sha}"))
    assert "3.d: 60% → 75% (Đã niêm yết)" in shown and "+ percent: 75" in shown


def test_commit_of_an_upload_takes_the_file_along(site):
    import io

    from web_support import git

    s = site(commit=True)
    submit(s.client, TASK, "/tasks/3.đ/evidence", {"text": "Báo cáo số 45/BC-SKHCN ngày 20/3/2023",
                                                  "file": (io.BytesIO(b"%PDF-1.4"), "bc45.pdf")},
           content_type="multipart/form-data")
    assert git(s.path.parent, "log", "-1", "--format=%s").strip() == \
        "3.đ: thêm tài liệu kiểm chứng: Báo cáo số 45/BC-SKHCN ngày 20/3/2023"
    assert git(s.path.parent, "show", "--name-only", "--format=", "HEAD").split() == \
        ["kiem-chung/3-dd/bc45.pdf", "plan_2023.yaml"]


def test_a_form_with_too_many_fields_is_refused(site):
    s = site()
    raw = s.path.read_bytes()
    s.client.get(TASK)
    fields = {f"f{i}": "x" for i in range(100)}
    r = s.client.post("/tasks/3.đ/progress", data={"csrf": session_token(s.client), **fields},
                      content_type="multipart/form-data")
    assert r.status_code == 413 and s.path.read_bytes() == raw


def test_an_uploaded_file_can_be_downloaded_from_the_task_page(site):
    import io
    import re

    s = site()
    submit(s.client, TASK, "/tasks/3.đ/evidence", {"text": "Báo cáo 45", "file": (io.BytesIO(b"%PDF-1.4 45"), "bc.pdf")},
           content_type="multipart/form-data")
    body = s.client.get(TASK).get_data(as_text=True)
    link = re.search(r'<a href="([^"]+)">kiem-chung/3-dd/bc.pdf</a>', body).group(1)
    r = s.client.get(link)
    assert r.status_code == 200 and r.data == b"%PDF-1.4 45"
    assert s.client.get("/tasks/3.đ/evidence/9").status_code == 404


def test_evidence_outside_the_plans_folder_is_not_served(site, tmp_path):
    from cchc.planfile import load

    s = site()
    (tmp_path / "secret.txt").write_text("x", encoding="utf-8")  # beside the plan's folder, not in it
    (s.path.parent / "inside.txt").write_text("y", encoding="utf-8")
    text_plan = s.path.read_text(encoding="utf-8").replace(
        "        evidence: []\n", "        evidence:\n          - text: Ngoài\n            file: ../secret.txt\n"
        "          - text: Trong\n            file: inside.txt\n", 1)
    s.path.write_text(text_plan, encoding="utf-8")
    assert [e.file for e in load(s.path).plan.task("1.a").evidence] == ["../secret.txt", "inside.txt"]
    assert s.client.get("/tasks/1.a/evidence/1").status_code == 404
    assert s.client.get("/tasks/1.a/evidence/2").data == b"y"
