"""Every page of `cchc serve`, through Flask's test client: what a user reads on it.

The facts are the commands' own: each page is compared with what `cchc status`, `tasks`, `show`,
`log`, `units`, `kpi`, `check` and `report` say about the same plan on the same date.
"""

from __future__ import annotations

import json
import re
import zipfile

import pytest

from cchc.web import create_app
from conftest import PROGRESS_PLAN, require_tool, run
from web_support import git, plan_in_repo, session_token, text

DAY = "as_of=20/06/2023"


@pytest.fixture
def client(tmp_path):
    path = plan_in_repo(tmp_path / "plan", PROGRESS_PLAN)
    app = create_app(path)
    return app.test_client()


def cli_json(*args: str):
    result = run(*args, "-f", str(PROGRESS_PLAN), "--as-of", "20/06/2023", "--json")
    assert result.exit_code in (0, 1), result.stderr
    return json.loads(result.stdout)


def test_dashboard_shows_what_status_shows(client):
    r = client.get(f"/?{DAY}")
    assert r.status_code == 200 and r.mimetype == "text/html"
    page = text(r)
    assert "Tình hình thực hiện — tính đến ngày 20/06/2023" in page
    body = r.get_data(as_text=True)
    for area in cli_json("status")["areas"]:
        row = re.search(r'<tr data-area="%s">(.*?)</tr>' % area["number"], body, re.S).group(1)
        cells = [c for c in re.sub(r"<[^>]+>", "|", row).split("|") if c.strip()]
        assert cells[1:5] == [str(area[k]) for k in ("done", "in_progress", "not_started", "late")], cells
        assert f'<rect class="fill" width="{area["percent"]:.1f}"' in row  # the bar
    assert "Tổng cộng 2 3 30 2" in page
    assert "Tỷ lệ hài lòng của người dân ≥ 87% 2023-Q2 86,5% chưa đạt" in page
    assert "Chỉ số PCI (Top 10 tỉnh, thành) top 10 2023 hạng 8 đạt" in page
    late = page[page.index("Nhiệm vụ quá hạn"):page.index("Nhiệm vụ đến hạn trong 30 ngày")]
    assert re.findall(r"\b(\d\.\w)\b", late) == ["2.a", "6.đ"]
    assert 'href="/tasks/2.a?as_of=20/06/2023"' in body  # links keep the date
    assert "1.đ" in page[page.index("Nhiệm vụ đến hạn trong 30 ngày"):]


def test_dashboard_outside_the_plan_year_says_why_everything_is_late(client):
    page = text(client.get("/"))
    assert "Lưu ý: hôm nay nằm ngoài năm kế hoạch 2023" in page


def test_a_bad_as_of_date_is_said_and_today_used(client):
    r = client.get("/?as_of=31/02/2023")
    assert r.status_code == 200
    assert "ngày “31/02/2023” không hợp lệ; hãy nhập dd/mm/yyyy, ví dụ 20/03/2023" in text(r)


def test_task_list_finds_without_diacritics_like_cchc_tasks(client):
    page = text(client.get(f"/tasks?q=tuyen+truyen&{DAY}"))
    expected = [t["id"] for t in cli_json("tasks", "tuyen truyen")]
    assert expected == ["1.a"]
    assert "Nhiệm vụ — tính đến ngày 20/06/2023: 1 nhiệm vụ" in page
    assert "1.a Đẩy mạnh công tác tuyên truyền" in page


@pytest.mark.parametrize("query, cli_args", [
    ("area=3", ["--area", "3"]),
    ("unit=TTRA&lead=1", ["--unit", "TTRA", "--lead"]),
    ("status=late", ["--status", "late"]),
    ("status=done&status=doing", ["--status", "done", "--status", "doing"]),
    ("due_within=30d", ["--due-within", "30d"]),
    ("due_before=30/06/2023&sort=due", ["--due-before", "30/06/2023", "--sort", "due"]),
    ("no_evidence=1&area=1", ["--no-evidence", "--area", "1"]),
    ("sort=progress", ["--sort", "progress"]),
    ("sort=unit", ["--sort", "unit"]),
])
def test_task_list_filters_and_sorts_like_cchc_tasks(client, query, cli_args):
    body = client.get(f"/tasks?{query}&{DAY}").get_data(as_text=True)
    table = body[body.index('id="task-table"'):body.index("</table>")]
    shown = re.findall(r'<td class="left"><a href="/tasks/[^"]+">([^<]+)</a>', table)
    assert shown == [t["id"] for t in cli_json("tasks", *cli_args)]


def test_task_list_headers_sort_and_keep_the_filters(client):
    body = client.get(f"/tasks?area=3&{DAY}").get_data(as_text=True)
    assert 'href="/tasks?area=3&amp;as_of=20/06/2023&amp;sort=progress"' in body


def test_task_list_reports_a_bad_filter_in_one_line(client):
    r = client.get(f"/tasks?unit=XYZ&{DAY}")
    assert r.status_code == 200
    assert "không có đơn vị mã “XYZ” trong danh mục; các mã có: VP, TTRA" in text(r)


def test_task_list_rows_alone_for_the_live_filter(client):
    r = client.get(f"/tasks?q=tuyen+truyen&rows=1&{DAY}")
    body = r.get_data(as_text=True)
    assert body.lstrip().startswith('<div class="table-wrap">') and "<html" not in body
    assert "1.a" in body and "sort=progress" in body and "rows=1" not in body
    assert "Không có nhiệm vụ nào khớp" in client.get(f"/tasks?q=khong+co+dau&rows=1&{DAY}").get_data(as_text=True)


def test_task_page_shows_everything_show_shows(client):
    page = text(client.get(f"/tasks/3.d?{DAY}"))
    shown = cli_json("show", "3.d")
    assert f"3.d {shown['title']}" in page
    assert shown["percent"] == 40 and "40% — đang thực hiện" in page
    assert "Chủ trì VP — Văn phòng Sở" in page and "Vị trí trong tệp plan_2023.yaml:" in page
    for entry in shown["progress"]:
        day = "/".join(reversed(entry["date"].split("-")))
        assert f"{day} {entry['percent']:g}%" in page
    assert "Trong các kỳ báo cáo" in page and "quý I năm 2023 15/12/2022 – 14/03/2023" in page
    assert "Tài liệu kiểm chứng" in page
    assert "Ghi tiến độ" in page and "Đánh dấu hoàn thành" in page and "Thêm tài liệu kiểm chứng" in page


def test_task_page_history_is_cchc_log(client, tmp_path):
    folder = tmp_path / "plan"
    path = folder / "plan_2023.yaml"
    run("update", "3.d", "--percent", "70", "--note", "Bước hai", "--date", "01/07/2023", "--by", "An",
        "--plan", str(path))
    git(folder, "commit", "-qam", "Cập nhật 3.d")
    page = text(client.get(f"/tasks/3.d?{DAY}"))
    history = page[page.index("Lịch sử trong git"):]
    assert "Test" in history  # the author of both commits (web_support.GIT_ENV)
    assert "3.d: 60% → 70% (Bước hai)" in history
    assert "Cập nhật" not in history  # changes in plan terms, not commit subjects


def test_task_page_outside_git_says_there_is_no_history(tmp_path):
    path = tmp_path / "plan_2023.yaml"
    path.write_bytes(PROGRESS_PLAN.read_bytes())
    page = text(create_app(path).test_client().get(f"/tasks/3.d?{DAY}"))
    assert "tệp kế hoạch không nằm trong một kho git" in page


def test_unit_page_lists_its_tasks_late_first(client):
    body = client.get(f"/units/VP?{DAY}").get_data(as_text=True)
    page = text(client.get(f"/units/VP?{DAY}"))
    assert "VP — Văn phòng Sở" in page
    headings = re.findall(r"<h2>([^<]+)</h2>", body)
    assert [h.split(" (")[0] for h in headings] == ["quá hạn", "đang thực hiện", "chưa bắt đầu", "hoàn thành"]
    late = body[body.index("<h2>quá hạn"):body.index("<h2>đang thực hiện")]
    assert re.findall(r'<a href="/tasks/[^"]+">([^<]+)</a>', late) == ["2.a"]
    summary = next(u for u in cli_json("units") if u["key"] == "VP")
    assert f"Chủ trì {summary['lead']['total']} nhiệm vụ" in page
    assert client.get("/units/NOPE").status_code == 404


def test_units_page_is_cchc_units(client):
    page = text(client.get(f"/units?{DAY}"))
    assert "Đơn vị — tính đến ngày 20/06/2023" in page
    for u in cli_json("units"):
        assert f"{u['key']} {u['name']} {u['lead']['total']}" in page


def test_targets_page_has_a_chart_per_target(client):
    r = client.get(f"/targets?{DAY}")
    body = r.get_data(as_text=True)
    page = text(r)
    targets = cli_json("kpi")
    assert body.count('<svg class="chart"') == len(targets)
    chart = body[body.index('id="target-hai-long"'):body.index('id="target-dung-han"')]
    assert re.findall(r'class="value"[^>]*>([^<]+)<', chart) == ["88,2%", "86,5%"]
    assert re.findall(r'class="period"[^>]*>([^<]+)<', chart) == ["2023-Q1", "2023-Q2"]
    assert "mục tiêu ≥ 87%" in chart and 'class="point reached"' in chart and 'class="point not-yet"' in chart
    assert "Kết quả mới nhất 86,5% (kỳ 2023-Q2)" in page and "↓ kém đi" in page
    assert "Chưa có số liệu đo nào." in page  # so-hoa


def test_check_page_is_cchc_check_with_links(client):
    r = client.get(f"/check?{DAY}")
    body, page = r.get_data(as_text=True), text(r)
    assert "plan_2023.yaml: 2 lỗi, 8 cảnh báo" in page
    findings = cli_json("check")
    assert body.count("<li class=") == len(findings)
    assert re.search(r'<li class="error"><a href="/tasks/2.a\?as_of=20/06/2023">plan_2023.yaml:\d+:\d+: lỗi '
                     r'\[late-task\] nhiệm vụ 2.a quá hạn', body)
    assert re.search(r'<li class="warning"><a href="/targets\?as_of=20/06/2023#target-dvctt">plan_2023.yaml:\d+:\d+: '
                     r'cảnh báo \[missing-measurement\] chỉ tiêu dvctt', body)
    assert re.search(r'<li class="warning"><a href="/reports\?as_of=20/06/2023">plan_2023.yaml:\d+:\d+: '
                     r'cảnh báo \[empty-narrative\]', body)


def test_report_is_generated_and_downloaded_with_its_warnings(client):
    client.get("/reports")
    r = client.post(f"/reports?{DAY}", data={"csrf": session_token(client), "quarter": "1"})
    assert r.status_code == 303
    page = client.get(r.headers["Location"])
    assert "Đã lập báo cáo quý I năm 2023" in text(page)
    link = re.search(r'href="(/reports/files/[^"]+/bao-cao-cchc-2023-q1.docx)', page.get_data(as_text=True)).group(1)
    doc = client.get(link)
    assert doc.status_code == 200
    assert "attachment" in doc.headers["Content-Disposition"]
    import io

    with zipfile.ZipFile(io.BytesIO(doc.data)) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    assert "BÁO CÁO" in xml and "quý I năm 2023" in xml
    assert client.get("/reports/files/nope/x.docx").status_code == 404


def test_report_warnings_are_shown(client):
    client.get("/reports")
    r = client.post(f"/reports?{DAY}", data={"csrf": session_token(client), "quarter": "2"})
    page = text(client.get(r.headers["Location"]))
    assert ("Lưu ý: phần “Ưu điểm” của báo cáo 6 tháng đầu năm 2023 còn trống; viết bằng lệnh: cchc note "
            "--period 2023-Q2 --section uu-diem “…”") in page


def test_report_as_pdf_with_libreoffice(client):
    require_tool("soffice")
    client.get("/reports")
    r = client.post(f"/reports?{DAY}", data={"csrf": session_token(client), "quarter": "1", "pdf": "1"})
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    link = re.search(r'href="(/reports/files/[^"]+/bao-cao-cchc-2023-q1.pdf)', page).group(1)
    assert client.get(link).data.startswith(b"%PDF")


def test_report_with_a_bad_quarter_is_refused(client):
    client.get("/reports")
    r = client.post("/reports", data={"csrf": session_token(client), "quarter": "5"})
    assert r.status_code == 422 and "--quarter phải là 1, 2, 3 hoặc 4" in text(r)


def test_diff_page_without_changes(client):
    page = text(client.get("/diff"))
    assert "git diff -- plan_2023.yaml" in page and "Không có thay đổi nào chưa commit." in page
    assert client.get("/diff?commit=../../etc").status_code == 404


def test_an_invalid_plan_shows_its_errors_not_a_traceback(tmp_path):
    path = tmp_path / "plan_2023.yaml"
    path.write_text(PROGRESS_PLAN.read_text(encoding="utf-8").replace("percent: 60", "percent: 160", 1),
                    encoding="utf-8")
    r = create_app(path).test_client().get("/")
    assert r.status_code == 503
    page = text(r)
    assert "Tệp kế hoạch đang có lỗi" in page
    assert re.search(r"plan_2023.yaml:\d+:\d+: phần trăm phải từ 0 đến 100, không phải 160", page)
    assert "Traceback" not in page


def test_pages_in_english_with_lang_en(client):
    from cchc import i18n

    i18n.set_language("en")
    try:
        r = client.get(f"/?{DAY}")
        form = text(client.get(f"/tasks/3.d?{DAY}"))
    finally:
        i18n.set_language(None)
    page = text(r)
    assert '<html lang="en">' in r.get_data(as_text=True)
    assert "Progress — as of 20/06/2023" in page and "Late tasks" in page and "Overview" in page
    assert "Record progress" in form and "Percent done (0–100)" in form
    assert "Tổng quan" in text(client.get("/"))  # Vietnamese again by default


def test_static_files_ship_with_the_package_and_no_remote_resource(client):
    assert client.get("/static/style.css").status_code == 200
    js = client.get("/static/app.js")
    assert js.status_code == 200 and js.mimetype == "text/javascript"
    body = client.get(f"/?{DAY}").get_data(as_text=True)
    assert "http://" not in body and "https://" not in body
    assert "default-src 'self'" in client.get("/").headers["Content-Security-Policy"]


def test_session_cookie_is_httponly_and_samesite(client):
    r = client.get("/")
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_without_accounts_only_this_computers_names_are_answered(client):
    assert client.get("/", headers={"Host": "127.0.0.1:8765"}).status_code == 200
    assert client.get("/", headers={"Host": "[::1]:8765"}).status_code == 200
    r = client.get("/", headers={"Host": "evil.example:8765"})  # a DNS-rebinding page
    assert r.status_code == 400
    assert "Máy chủ này chỉ trả lời các địa chỉ của chính máy này" in text(r)
