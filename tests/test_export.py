"""`cchc export`: the workbook read back with openpyxl, the calendar with the icalendar library."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import icalendar
import openpyxl
import pytest

from conftest import PROGRESS_PLAN, run


@pytest.fixture(scope="module")
def workbook(tmp_path_factory):
    path = tmp_path_factory.mktemp("xlsx") / "ke-hoach.xlsx"
    result = run("export", "-p", PROGRESS_PLAN, "--xlsx", path, "--as-of", "20/06/2023")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == f"Đã ghi bảng tính {path}\n"
    return openpyxl.load_workbook(path)


def rows_by_id(ws) -> dict[str, dict]:
    headers = [c.value for c in ws[1]]
    return {row[0]: dict(zip(headers, row)) for row in ws.iter_rows(min_row=2, values_only=True)}


def test_sheets_headers_widths_and_frozen_header(workbook):
    assert workbook.sheetnames == ["Nhiệm vụ", "Tiến độ", "Chỉ tiêu", "Số liệu chỉ tiêu"]
    tasks = workbook["Nhiệm vụ"]
    assert [c.value for c in tasks[1]] == [
        "Mã", "Lĩnh vực", "Nhiệm vụ", "Chủ trì", "Phối hợp", "Thời hạn", "Hạn cuối", "Sản phẩm", "Trạng thái",
        "Tiến độ (%)", "Cập nhật lần cuối", "Ghi chú gần nhất", "Tài liệu kiểm chứng"]
    assert [c.value for c in workbook["Tiến độ"][1]] == [
        "Mã", "Nhiệm vụ", "Ngày", "Tiến độ (%)", "Sự kiện", "Ghi chú", "Người cập nhật"]
    assert [c.value for c in workbook["Chỉ tiêu"][1]][:4] == ["Mã", "Chỉ tiêu", "Loại", "Mục tiêu"]
    for ws in workbook.worksheets:
        assert ws.freeze_panes == "A2"
        assert all(c.font.bold for c in ws[1])
    assert tasks.column_dimensions["A"].width == 7
    assert tasks.column_dimensions["C"].width == 60
    assert tasks["C2"].alignment.wrap_text


def test_task_rows(workbook):
    tasks = rows_by_id(workbook["Nhiệm vụ"])
    assert len(tasks) == 37
    ids = list(tasks)
    assert ids.index("3.d") + 1 == ids.index("3.đ") and ids[-3:] == ["III.1", "III.2", "III.3"]
    done = tasks["3.đ"]
    assert (done["Lĩnh vực"], done["Chủ trì"], done["Phối hợp"]) == \
        ("3. Cải cách TTHC; thực hiện cơ chế một cửa, một cửa liên thông", "Văn phòng Sở", "Các phòng, đơn vị")
    assert (done["Trạng thái"], done["Tiến độ (%)"], done["Cập nhật lần cuối"]) == \
        ("hoàn thành", 100, dt.datetime(2023, 3, 20))
    assert done["Tài liệu kiểm chứng"] == "Báo cáo số 45/BC-SKHCN ngày 20/3/2023"
    late = tasks["2.a"]  # deadline moved to 31/05 and still at 30% on 20/06
    assert (late["Thời hạn"], late["Hạn cuối"], late["Trạng thái"], late["Tiến độ (%)"]) == \
        ("31/05/2023", dt.datetime(2023, 5, 31), "quá hạn", 30)
    assert late["Ghi chú gần nhất"] == "Chờ ý kiến góp ý của các phòng"
    recurring = tasks["3.d"]
    assert (recurring["Thời hạn"], recurring["Hạn cuối"], recurring["Tiến độ (%)"]) == \
        ("thường xuyên", dt.datetime(2023, 12, 31), 40)  # the 60% entry is dated 01/07
    assert tasks["III.3"]["Thời hạn"] == "hằng quý"
    assert workbook["Nhiệm vụ"]["G2"].number_format == "DD/MM/YYYY"


def test_progress_rows(workbook):
    rows = list(workbook["Tiến độ"].iter_rows(min_row=2, values_only=True))
    assert [r[2:] for r in rows if r[0] == "3.d"] == [
        (dt.datetime(2023, 4, 5), 40, None, "Đã rà soát quy trình nội bộ tại Bộ phận một cửa", "Trần Thị Bình"),
        (dt.datetime(2023, 7, 1), 60, None, None, "Trần Thị Bình"),
    ]
    assert all(r[1].startswith("Tiếp tục thực hiện hiệu quả cơ chế một cửa") for r in rows if r[0] == "3.d")
    [done] = [r for r in rows if r[0] == "3.đ"]
    assert (done[2], done[3], done[4]) == (dt.datetime(2023, 3, 20), 100, "hoàn thành")
    assert Counter(r[0] for r in rows) == {"1.a": 2, "5.b": 2, "3.d": 2, "3.đ": 1, "2.a": 1, "4.a": 1, "6.a": 1}


def test_target_rows(workbook):
    targets = rows_by_id(workbook["Chỉ tiêu"])
    hai_long = targets["hai-long"]
    assert (hai_long["Mục tiêu"], hai_long["Đơn vị tính"], hai_long["Thời hạn"]) == (87, "%", dt.datetime(2023, 12, 31))
    assert (hai_long["Kỳ gần nhất"], hai_long["Kết quả gần nhất"], hai_long["Đánh giá"]) == \
        ("2023-Q2", 86.5, "chưa đạt")
    assert (targets["pci"]["Loại"], targets["pci"]["Kết quả gần nhất"], targets["pci"]["Đánh giá"]) == \
        ("thứ hạng", 8, "đạt")
    assert targets["dti"]["Đánh giá"] == "chưa có số liệu"
    measured = [r for r in workbook["Số liệu chỉ tiêu"].iter_rows(min_row=2, values_only=True)]
    assert ("hai-long", "Tỷ lệ hài lòng của người dân", "2023-Q1", 88.2, "Khảo sát SIPAS quý I", None) in measured
    assert len(measured) == 7  # hai-long 2, dung-han 2, dvctt, pci, papi


@pytest.fixture(scope="module")
def calendar(tmp_path_factory):
    path = tmp_path_factory.mktemp("ics") / "han.ics"
    result = run("export", "-p", PROGRESS_PLAN, "--ics", path)
    assert result.exit_code == 0, result.stderr
    cal = icalendar.Calendar.from_ical(path.read_bytes())
    assert result.stderr == f"Đã ghi lịch {path} ({len(cal.walk('VEVENT'))} sự kiện)\n"
    return path, cal


def events(cal) -> list:
    return cal.walk("VEVENT")


def by_summary_prefix(cal, prefix: str) -> list:
    return sorted((e for e in events(cal) if str(e["SUMMARY"]).startswith(prefix)), key=lambda e: e.decoded("DTSTART"))


def test_one_all_day_event_per_deliverable(calendar):
    _path, cal = calendar
    assert str(cal["VERSION"]) == "2.0"
    [fixed] = by_summary_prefix(cal, "[1.a]")
    assert fixed.decoded("DTSTART") == dt.date(2023, 3, 31)
    assert fixed.decoded("DTEND") == dt.date(2023, 4, 1)
    assert not isinstance(fixed.decoded("DTSTART"), dt.datetime)  # all-day
    assert str(fixed["SUMMARY"]).startswith("[1.a] Hạn: Đẩy mạnh công tác tuyên truyền")
    description = str(fixed["DESCRIPTION"])
    assert "Chủ trì: Văn phòng Sở" in description and "Phối hợp: Các phòng, đơn vị" in description
    quarterly = by_summary_prefix(cal, "[III.3]")
    assert [e.decoded("DTSTART") for e in quarterly] == [dt.date(2023, 3, 31), dt.date(2023, 6, 30),
                                                          dt.date(2023, 9, 30), dt.date(2023, 12, 31)]
    assert str(quarterly[1]["SUMMARY"]).startswith("[III.3] Hạn (2/4): Giao Văn phòng Sở")
    assert [e.decoded("DTSTART") for e in by_summary_prefix(cal, "[2.a]")] == [dt.date(2023, 5, 31)]
    yearly = by_summary_prefix(cal, "[3.d]")
    assert [e.decoded("DTSTART") for e in yearly] == [dt.date(2023, 12, 31)]


def test_report_cutoff_events(calendar):
    _path, cal = calendar
    cutoffs = by_summary_prefix(cal, "Hạn chốt số liệu báo cáo")
    assert [(e.decoded("DTSTART"), str(e["SUMMARY"])) for e in cutoffs] == [
        (dt.date(2023, 3, 14), "Hạn chốt số liệu báo cáo CCHC quý I năm 2023"),
        (dt.date(2023, 6, 14), "Hạn chốt số liệu báo cáo CCHC 6 tháng đầu năm 2023"),
        (dt.date(2023, 9, 14), "Hạn chốt số liệu báo cáo CCHC quý III năm 2023"),
        (dt.date(2023, 12, 14), "Hạn chốt số liệu báo cáo CCHC năm 2023"),
    ]


def test_event_count(calendar):
    _path, cal = calendar
    per_task = Counter(str(e["SUMMARY"]).split("]")[0] + "]" for e in events(cal) if str(e["SUMMARY"])[0] == "[")
    # The fixture's 37 tasks: two quarterly (1.đ, III.3) with four deliverables, every other one with one.
    assert len(per_task) == 37
    assert {k: n for k, n in per_task.items() if n != 1} == {"[1.đ]": 4, "[III.3]": 4}
    assert len(events(cal)) == 35 + 2 * 4 + 4


def test_uids_are_unique_and_stable(calendar, tmp_path):
    path, cal = calendar
    uids = [str(e["UID"]) for e in events(cal)]
    assert len(set(uids)) == len(uids)
    assert "cchc-2023-3.d-20231231@so-khoa-hoc-va-cong-nghe-5080e5ef.cchc" in uids
    assert "cchc-2023-3.%C4%91-20231231@so-khoa-hoc-va-cong-nghe-5080e5ef.cchc" in uids  # 3.đ, not confused with 3.d
    assert "cchc-2023-report-Q1-20230314@so-khoa-hoc-va-cong-nghe-5080e5ef.cchc" in uids
    again = tmp_path / "again.ics"
    assert run("export", "-p", PROGRESS_PLAN, "--ics", again).exit_code == 0
    assert [str(e["UID"]) for e in events(icalendar.Calendar.from_ical(again.read_bytes()))] == uids


def test_export_needs_a_target():
    result = run("export", "-p", PROGRESS_PLAN)
    assert result.exit_code == 2
    assert result.stderr == "lỗi: chọn tệp cần xuất: --xlsx TỆP và/hoặc --ics TỆP\n"


def test_unwritable_target_is_one_line(tmp_path):
    (tmp_path / "not-a-folder").write_text("x")  # a missing folder is created; one that cannot be, is refused
    result = run("export", "-p", PROGRESS_PLAN, "--ics", tmp_path / "not-a-folder" / "han.ics")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"lỗi: {tmp_path / 'not-a-folder' / 'han.ics'}: không ghi được tệp (")
    assert len(result.stderr.splitlines()) == 1
