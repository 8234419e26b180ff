"""Another agency's plan shapes its own report (issue 10, point 2): tests/fixtures/plan_district_2024.yaml.

A district People's Committee: no parent body, its name on two lines, six areas none of which is
"chỉ đạo, điều hành", area 2 lettered up to n, duties numbered IV, a deputy signing for the committee,
recurring deadlines on a day of the month, and a leap day (facts in the fixture's top comment).
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess

import docx
import pytest

from conftest import FIXTURES, PLAN_2023, require_tool, run
from test_report_content import body_texts, section, tables

DISTRICT = FIXTURES / "plan_district_2024.yaml"
HEADINGS = ["I. CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CCHC", "II. KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ CCHC", "III. ĐÁNH GIÁ CHUNG",
            "IV. PHƯƠNG HƯỚNG, NHIỆM VỤ TRỌNG TÂM KỲ TỚI", "V. ĐỀ XUẤT, KIẾN NGHỊ"]
AREAS = ["1. Cải cách thể chế", "2. Cải cách thủ tục hành chính", "3. Cải cách tổ chức bộ máy hành chính nhà nước",
         "4. Cải cách chế độ công vụ", "5. Cải cách tài chính công",
         "6. Xây dựng và phát triển Chính quyền điện tử, Chính quyền số"]


def district():
    from cchc.planfile import load_plan

    return load_plan(DISTRICT)


@pytest.fixture(scope="module")
def q1(tmp_path_factory):
    out = tmp_path_factory.mktemp("district") / "q1.docx"
    result = run("report", "-q", "1", "-p", DISTRICT, "--as-of", "20/03/2024", "-o", out)
    assert result.exit_code == 0, result.stderr
    return out


def test_letterhead_has_no_parent_line_and_the_issuer_on_two_lines(q1):
    header = tables(docx.Document(str(q1)))[0]
    left = [p.text for p in header.rows[0].cells[0].paragraphs]
    # The issuing body starts at the top: no empty line where a parent body would be; then only the rule.
    assert left[:2] == ["ỦY BAN NHÂN DÂN", "HUYỆN XUYÊN MỘC"] and all(not t for t in left[2:])
    assert len(left) == 3
    assert all(r.bold for p in header.rows[0].cells[0].paragraphs[:2] for r in p.runs if r.text)
    assert header.rows[1].cells[0].text.replace(" ", "") == "Số:/BC-UBND"
    assert header.rows[1].cells[1].text == "Xuyên Mộc, ngày 20 tháng 3 năm 2024"


def test_signature_block_has_every_authority_line(q1):
    closing = tables(docx.Document(str(q1)))[-2]
    signer = [p.text for p in closing.rows[0].cells[1].paragraphs if p.text]
    assert signer == ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Trần Văn Bình"]
    recipients = [p.text for p in closing.rows[0].cells[0].paragraphs if p.text]
    assert recipients[1] == "- Sở Nội vụ tỉnh Bà Rịa - Vũng Tàu (B/c);"


def test_sections_follow_the_plan(q1):
    texts = body_texts(docx.Document(str(q1)))
    assert [texts.index(h) for h in HEADINGS] == sorted(texts.index(h) for h in HEADINGS)
    # No area is part I's: part I says what to write, part II keeps the plan's numbers 1-6, then targets as 7.
    part1 = section(texts, HEADINGS[0])
    assert len(part1) == 1 and part1[0].startswith("[Chưa có nội dung. Nêu các kế hoạch, văn bản chỉ đạo")
    part2 = section(texts, HEADINGS[1])
    numbered = [t for t in part2 if t[:2] in {f"{n}." for n in range(1, 10)}]
    assert numbered == AREAS + ["7. Kết quả thực hiện các chỉ tiêu của Kế hoạch"]
    # Area 2 runs a … n; the late ones and the others are each listed once with their id.
    area2 = part2[part2.index(AREAS[1]) + 1:part2.index(AREAS[2])]
    ids = [t.split("(nhiệm vụ ")[1].split(";")[0] for t in area2 if t.startswith("+ ")]
    assert sorted(ids) == sorted(f"2.{c}" for c in "a b c d đ e g h i k l m n".split())
    assert "- Nhiệm vụ chậm tiến độ so với kế hoạch: 2 nhiệm vụ." in area2  # 2.b due 28/02, 2.n due 28/01


def test_leap_day_completion_and_evidence_in_part_two(q1):
    texts = body_texts(docx.Document(str(q1)))
    line = next(t for t in texts if "(nhiệm vụ 1.a;" in t)
    assert line.endswith("(nhiệm vụ 1.a; chủ trì: Phòng Tư pháp; hoàn thành ngày 29/02/2024). Tài liệu kiểm chứng: "
                         "Quyết định số 15/QĐ-UBND ngày 29/02/2024 ban hành Kế hoạch rà soát văn bản.")
    no_evidence = next(t for t in texts if "(nhiệm vụ 5.a;" in t)
    assert no_evidence.endswith("hoàn thành ngày 05/03/2024): chưa có tài liệu kiểm chứng.")


def test_annex_groups_duties_as_section_iv_and_all_as_the_plan_says(q1):
    annex = tables(docx.Document(str(q1)))[-1]
    groups = [r.cells[0].text for r in annex.rows[1:] if len({c._tc for c in r.cells}) == 1]
    assert groups == AREAS + ["IV. Tổ chức thực hiện"]
    rows = {r.cells[0].text: [c.text for c in r.cells] for r in annex.rows[1:] if len({c._tc for c in r.cells}) > 1}
    assert rows["IV.1"][3] == "Các cơ quan, đơn vị; UBND các xã, thị trấn"
    assert rows["IV.1"][4] == "Hằng quý, hạn ngày 15 tháng cuối quý"
    assert rows["2.a"][4] == "Hằng tháng, hạn ngày 20"
    assert rows["5.a"][5] == "Đã hoàn thành ngày 05/03/2024 (chưa có tài liệu kiểm chứng)"
    assert rows["3.a"][5] == "Chậm tiến độ, chưa triển khai"


def test_next_period_lists_recurring_deliverables_on_their_day(q1):
    part4 = section(body_texts(docx.Document(str(q1))), HEADINGS[3])
    assert part4[0] == "Trong quý II năm 2024, Ủy ban nhân dân huyện Xuyên Mộc tập trung thực hiện các nhiệm vụ sau:"
    groups = [t for t in part4 if not t.startswith("- ") and t != part4[0]]
    assert groups[:3] == [AREAS[1], AREAS[5], "IV. Tổ chức thực hiện"]
    assert any(t.startswith("- 2.a: ") and t.endswith("; hạn 20/03/2024).") for t in part4)
    assert any(t.startswith("- 6.a: ") and t.endswith("; hạn 30/03/2024).") for t in part4)
    assert any(t.startswith("- IV.1: ") and t.endswith("(Phòng Nội vụ; hạn 15/03/2024).") for t in part4)


def test_duties_section_number_in_every_command():
    status = json.loads(run("status", "-p", DISTRICT, "--as-of", "20/03/2024", "--json").stdout)
    assert status["areas"][-1]["number"] == "IV" and status["areas"][-1]["title"] == "Tổ chức thực hiện"
    listed = run("tasks", "-p", DISTRICT, "--area", "IV", "--as-of", "20/03/2024", "--json")
    assert [t["id"] for t in json.loads(listed.stdout)] == ["IV.1", "IV.2"]
    assert {t["area"] for t in json.loads(listed.stdout)} == {"IV"}
    assert run("tasks", "-p", DISTRICT, "--area", "III").exit_code == 2
    shown = run("show", "IV.1", "-p", DISTRICT, "--as-of", "20/03/2024")
    assert "IV. Tổ chức thực hiện" in shown.stdout
    assert "Các cơ quan, đơn vị; UBND các xã, thị trấn" in shown.stdout
    from cchc.export import task_rows

    row = next(r for r in task_rows(district(), dt.date(2024, 3, 20)) if r[0] == "IV.1")
    assert row[1] == "IV. Tổ chức thực hiện" and row[4] == "Các cơ quan, đơn vị; UBND các xã, thị trấn"


def test_duty_ids_follow_the_plan_section_number(tmp_path):
    plan = tmp_path / "plan_2024.yaml"
    plan.write_text(DISTRICT.read_text(encoding="utf-8").replace("  - id: IV.2\n", "  - id: III.2\n"),
                    encoding="utf-8")
    result = run("validate", plan)
    assert result.exit_code == 1
    assert "mã nhiệm vụ tổ chức thực hiện III.2 phải có dạng IV.1" in result.stdout


def test_recurring_deadlines_fall_on_their_day_and_drive_lateness():
    from cchc.periods import deliverables
    from cchc.status import task_state

    plan = district()
    assert deliverables(plan.task("2.a"), 2024)[:3] == [dt.date(2024, 1, 20), dt.date(2024, 2, 20),
                                                        dt.date(2024, 3, 20)]
    assert deliverables(plan.task("6.a"), 2024)[1:3] == [dt.date(2024, 2, 29), dt.date(2024, 3, 30)]
    assert deliverables(plan.task("IV.1"), 2024) == [dt.date(2024, m, 15) for m in (3, 6, 9, 12)]
    # Late from the day after the last deliverable, 20/12 for "monthly by the 20th", not from 31/12.
    assert task_state(plan.task("2.a"), 2024, dt.date(2024, 12, 20)).state.value == "not_started"
    assert task_state(plan.task("2.a"), 2024, dt.date(2024, 12, 21)).state.value == "late"
    soon = json.loads(run("status", "-p", DISTRICT, "--as-of", "16/03/2024", "--json").stdout)["upcoming"]
    assert next(t for t in soon if t["id"] == "2.a")["next_due"] == "2024-03-20"


def test_ics_events_on_the_day_of_month_and_uids_disjoint_across_agencies(tmp_path):
    from cchc.export import calendar_events
    from cchc.planfile import load_plan

    events = calendar_events(district(), dt.date(2024, 3, 20))
    days = [e["day"] for e in events if e["summary"].startswith("[6.a]")]
    assert dt.date(2024, 2, 29) in days and len(days) == 12
    assert [e["day"] for e in events if e["summary"].startswith("[IV.1]")] == [dt.date(2024, m, 15)
                                                                               for m in (3, 6, 9, 12)]
    # Another district with the same tasks and dates, and the Department's plan: no UID in common.
    other = tmp_path / "plan_2024.yaml"
    other.write_text(DISTRICT.read_text(encoding="utf-8").replace("huyện Xuyên Mộc", "huyện Đất Đỏ")
                     .replace("HUYỆN XUYÊN MỘC", "HUYỆN ĐẤT ĐỎ"), encoding="utf-8")
    uids = {e["uid"] for e in events}
    other_uids = {e["uid"] for e in calendar_events(load_plan(other), dt.date(2024, 3, 20))}
    department = {e["uid"] for e in calendar_events(load_plan(PLAN_2023), dt.date(2023, 3, 20))}
    assert len(uids) == len(events) and len(other_uids) == len(uids)
    assert not uids & other_uids and not uids & department
    assert all(u.endswith(".cchc") and u.isascii() for u in uids)


def test_rendered_pdf_has_the_headings_in_the_plan_order(q1, tmp_path):
    # LibreOffice converts the report; its text has the letterhead lines and the plan's sections in order.
    require_tool("soffice")
    pdftotext = require_tool("pdftotext")
    docx_copy = tmp_path / "q1.docx"
    docx_copy.write_bytes(q1.read_bytes())
    from cchc.report import convert_to_pdf

    pdf = convert_to_pdf(docx_copy)
    text = subprocess.run([pdftotext, "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True,
                          timeout=60).stdout.decode("utf-8")
    lines = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
    assert lines[:2] == ["ỦY BAN NHÂN DÂN", "HUYỆN XUYÊN MỘC"]
    flat = [line.replace(" ", "") for line in lines]
    order = HEADINGS[:2] + AREAS + ["7.KếtquảthựchiệncácchỉtiêucủaKếhoạch"] + HEADINGS[2:] + ["Phụlục"]
    positions = [next(i for i, line in enumerate(flat) if line.startswith(h.replace(" ", ""))) for h in order]
    assert positions == sorted(positions)
    assert any(line.replace(" ", "") == "KT.CHỦTỊCH" for line in lines)


def test_annex_fills_the_landscape_width_and_its_rows_never_split(q1):
    from docx.oxml.ns import qn

    annex = tables(docx.Document(str(q1)))[-1]
    width = int(annex._tbl.tblPr.find(qn("w:tblW")).get(qn("w:w")))
    assert abs(width - 25.2 * 567) < 20  # 297 mm less the 30 mm and 15 mm margins, in twips
    assert abs(sum(int(c.get(qn("w:w"))) for c in annex._tbl.tblGrid.findall(qn("w:gridCol"))) - width) < 8
    for row in annex.rows[1:]:
        assert row._tr.trPr is not None and row._tr.trPr.find(qn("w:cantSplit")) is not None
    group = next(r for r in annex.rows[1:] if len({c._tc for c in r.cells}) == 1)
    assert group.cells[0]._tc.tcPr.find(qn("w:gridSpan")).get(qn("w:val")) == "8"
