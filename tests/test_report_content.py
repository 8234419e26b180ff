"""`cchc report`: what the Word report says for each of the four periods, read back with python-docx.

Facts of tests/fixtures/plan_progress.yaml (see its top comment): 1.a done 10/03, 3.đ done 20/03,
5.b done 15/08; 2.a at 30% with deadline 31/05; 3.d 40% on 05/04 then 60% on 01/07; 4.a 25% on
01/06 (with a hostile note); 6.a 20% on 01/09; 6.đ due 31/03 and 7.đ due 31/10, never started.
"""

from __future__ import annotations

import re
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph

from conftest import PROGRESS_PLAN, run

SECTION_HEADINGS = [
    "I. CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CCHC",
    "II. KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ CCHC",
    "III. ĐÁNH GIÁ CHUNG",
    "IV. PHƯƠNG HƯỚNG, NHIỆM VỤ TRỌNG TÂM KỲ TỚI",
    "V. ĐỀ XUẤT, KIẾN NGHỊ",
]

# Report the data as of 20/12/2023, after every cut-off, so each report shows its whole period.
AFTER_YEAR_END = "20/12/2023"


# --- helpers shared by the other report tests ----------------------------------------------------

def render(out_dir: Path, quarter: int, *extra: str, plan: Path = PROGRESS_PLAN, as_of: str = AFTER_YEAR_END,
           name: str | None = None):
    out = Path(out_dir) / (name or f"q{quarter}.docx")
    result = run("report", "--quarter", str(quarter), "-p", plan, "--as-of", as_of, "-o", out, *extra)
    assert result.exit_code == 0, result.stderr
    assert out.is_file()
    return docx.Document(str(out))


def blocks(doc) -> list:
    """Top-level paragraphs and tables of the body, in document order."""
    out = []
    for element in doc.element.body.iterchildren():
        if element.tag == qn("w:p"):
            out.append(Paragraph(element, doc._body))
        elif element.tag == qn("w:tbl"):
            out.append(Table(element, doc._body))
    return out


def body_texts(doc) -> list[str]:
    return [b.text for b in blocks(doc) if isinstance(b, Paragraph)]


def tables(doc) -> list[Table]:
    return [b for b in blocks(doc) if isinstance(b, Table)]


def table_with_header(doc, first: str, second: str) -> Table:
    for table in tables(doc):
        cells = [c.text for c in table.rows[0].cells]
        if cells[:2] == [first, second]:
            return table
    raise AssertionError(f"no table with header {first} | {second}")


def section(texts: list[str], heading: str) -> list[str]:
    """The paragraphs after `heading` up to the next roman-numbered section heading."""
    start = texts.index(heading) + 1
    end = next((i for i in range(start, len(texts))
                if re.match(r"^(I|II|III|IV|V)\. ", texts[i]) and texts[i] == texts[i].upper()), len(texts))
    return texts[start:end]


def task_titles(plan_path: Path = PROGRESS_PLAN) -> dict[str, str]:
    from cchc.planfile import load

    return {t.id: t.title.rstrip(" .;,:") for t in load(plan_path).plan.all_tasks()}


LIST_HEADS = {"- Nhiệm vụ đã hoàn thành": "done", "- Nhiệm vụ đang thực hiện": "ongoing",
              "- Nhiệm vụ chậm tiến độ": "late", "- Nhiệm vụ chưa triển khai": "not_started"}


def listed_tasks(doc, plan_path: Path = PROGRESS_PLAN) -> dict[str, set[str]]:
    """Ids of the tasks each list of sections I-II names: done, ongoing (under way), late (not_started apart)."""
    titles = task_titles(plan_path)
    found: dict[str, set[str]] = {kind: set() for kind in LIST_HEADS.values()}
    texts = body_texts(doc)
    kind = None
    for text in texts[texts.index(SECTION_HEADINGS[0]):texts.index(SECTION_HEADINGS[2])]:
        head = next((k for h, k in LIST_HEADS.items() if text.startswith(h)), None)
        if head:
            kind = head
        elif text.startswith("+ ") and kind:
            m = re.search(r" \(nhiệm vụ (\S+); chủ trì: ", text)
            assert m and text.startswith(f"+ {titles[m[1]]} (nhiệm vụ {m[1]}; chủ trì: "), text
            found[kind].add(m[1])
        else:
            kind = None
    return found


def item(doc, task_id: str, plan_path: Path = PROGRESS_PLAN) -> str:
    """The text of the section I-II item that names `task_id`."""
    title = task_titles(plan_path)[task_id]
    return next(t for t in body_texts(doc) if t.startswith(f"+ {title} (nhiệm vụ {task_id}; chủ trì:"))


# --- the four reports ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[int, object]:
    out = tmp_path_factory.mktemp("reports")
    return {q: render(out, q) for q in (1, 2, 3, 4)}


EXPECTED = {
    1: {"name": "quý I năm 2023", "done": {"1.a"}, "ongoing": {"2.a"}, "late": set()},
    # 3.đ was finished on 20/03, after the first report's cut-off (14/03): it belongs here.
    2: {"name": "6 tháng đầu năm 2023", "done": {"1.a", "3.đ"}, "ongoing": {"3.d", "4.a"}, "late": {"2.a", "6.đ"}},
    # The third-quarter report covers 15/06-14/09 only: tasks finished earlier are not repeated.
    3: {"name": "quý III năm 2023", "done": {"5.b"}, "ongoing": {"3.d", "4.a", "6.a"}, "late": {"2.a", "6.đ"}},
    4: {"name": "năm 2023", "done": {"1.a", "3.đ", "5.b"}, "ongoing": {"3.d", "4.a", "6.a"},
        "late": {"2.a", "6.đ", "7.đ"}},
}


@pytest.mark.parametrize("quarter", [1, 2, 3, 4])
def test_title_names_the_period(reports, quarter):
    texts = body_texts(reports[quarter])
    assert "BÁO CÁO" in texts
    summary = texts[texts.index("BÁO CÁO") + 1]
    assert summary == f"Kết quả thực hiện công tác cải cách hành chính {EXPECTED[quarter]['name']}"


@pytest.mark.parametrize("quarter", [1, 2, 3, 4])
def test_letterhead_and_signer_in_every_report(reports, quarter):
    doc = reports[quarter]
    header = tables(doc)[0]
    assert [p.text for p in header.rows[0].cells[0].paragraphs if p.text] == \
        ["UBND TỈNH BÀ RỊA - VŨNG TÀU", "SỞ KHOA HỌC VÀ CÔNG NGHỆ"]
    assert header.rows[1].cells[1].text == "Bà Rịa - Vũng Tàu, ngày 20 tháng 12 năm 2023"
    closing = tables(doc)[-2]
    assert [p.text for p in closing.rows[0].cells[1].paragraphs if p.text] == ["GIÁM ĐỐC", "Phạm Quang Nhật"]


@pytest.mark.parametrize("quarter", [1, 2, 3, 4])
def test_section_headings_in_order(reports, quarter):
    texts = body_texts(reports[quarter])
    positions = [texts.index(h) for h in SECTION_HEADINGS]
    assert positions == sorted(positions)


@pytest.mark.parametrize("quarter", [1, 2, 3, 4])
def test_tasks_done_under_way_and_late_in_the_period(reports, quarter):
    listed = listed_tasks(reports[quarter])
    expected = EXPECTED[quarter]
    assert {k: listed[k] for k in ("done", "ongoing", "late")} == \
        {"done": expected["done"], "ongoing": expected["ongoing"], "late": expected["late"]}
    # Every other task of the plan is listed as not started: nothing is left out of part I-II.
    # (The third-quarter report leaves out 1.a and 3.đ, done before its period; duties go to the annex.)
    assert len(set().union(*listed.values())) == 34 - (2 if quarter == 3 else 0)


def test_first_quarter_report_excludes_task_finished_on_20_march(reports):
    assert "3.đ" not in listed_tasks(reports[1])["done"]
    assert "3.đ" in listed_tasks(reports[2])["done"]


def test_done_task_shows_its_date_and_evidence(reports):
    text = item(reports[1], "1.a")
    assert "hoàn thành ngày 10/03/2023" in text
    assert "Tài liệu kiểm chứng: Kế hoạch số 12/KH-SKHCN ngày 10/3/2023" in text
    assert "Văn phòng Sở" in text and "(chủ trì: VP" not in text  # unit names, not keys


def test_under_way_task_shows_progress_of_the_period(reports):
    assert "đạt 40%" in item(reports[2], "3.d")
    assert "Đã rà soát quy trình nội bộ tại Bộ phận một cửa" in item(reports[2], "3.d")
    assert "đạt 60%" in item(reports[3], "3.d")


def test_late_task_shows_deadline_percent_and_last_note(reports):
    text = item(reports[2], "2.a")
    assert "thời hạn: 31/05/2023" in text
    assert "đạt 30%" in text
    assert "Chờ ý kiến góp ý của các phòng" in text
    assert "chưa triển khai" in item(reports[2], "6.đ")  # late without ever starting


def test_area_headings_come_from_the_plan(reports):
    from cchc.planfile import load

    plan = load(PROGRESS_PLAN).plan
    texts = section(body_texts(reports[1]), SECTION_HEADINGS[1])
    headings = [t for t in texts if re.match(r"^\d+\. ", t)]
    # Area 1 is marked `direction: true` (part I); the others keep the plan's numbers, as in the annex.
    reform = [a for a in plan.areas if not a.direction]
    assert [a.number for a in reform] == [2, 3, 4, 5, 6, 7]
    assert headings[:len(reform)] == [f"{a.number}. {a.title}" for a in reform]
    assert headings[len(reform)] == "8. Kết quả thực hiện các chỉ tiêu của Kế hoạch"


def target_rows(doc) -> dict[str, list[str]]:
    table = table_with_header(doc, "STT", "Chỉ tiêu")
    return {row.cells[1].text: [c.text for c in row.cells[2:]] for row in table.rows[1:]}


def test_target_table_values_and_marks(reports):
    q1, q2, q3, q4 = (target_rows(reports[q]) for q in (1, 2, 3, 4))
    assert q1["Tỷ lệ hài lòng của người dân"] == ["≥ 87%", "88,2%", "Đạt"]
    assert q1["Tỷ lệ hồ sơ giải quyết đúng hạn"] == ["≥ 98%", "99,1%", "Đạt"]
    assert q1["Tỷ lệ sử dụng dịch vụ công trực tuyến"] == ["≥ 70%", "65%", "Chưa đạt"]
    assert q2["Tỷ lệ hài lòng của người dân"] == ["≥ 87%", "86,5%", "Chưa đạt"]
    assert q2["Tỷ lệ hồ sơ giải quyết đúng hạn"] == ["≥ 98%", "97,5%", "Chưa đạt"]
    assert q3["Tỷ lệ hài lòng của người dân"] == ["≥ 87%", "—", "Chưa có số liệu"]
    assert q4["Chỉ số PCI (Top 10 tỉnh, thành)"] == ["top 10", "hạng 8", "Đạt"]
    papi = next(v for k, v in q4.items() if k.startswith("Chỉ số PAPI"))
    assert papi == ["nhóm 2", "nhóm 3", "Chưa đạt"]
    assert q1["Chỉ số PCI (Top 10 tỉnh, thành)"][1:] == ["—", "Chưa có số liệu"]  # annual figure: Q4 only


def test_target_table_header_names_the_period(reports):
    header = [c.text for c in table_with_header(reports[2], "STT", "Chỉ tiêu").rows[0].cells]
    assert header == ["STT", "Chỉ tiêu", "Mục tiêu năm 2023", "Kết quả 6 tháng đầu năm 2023", "Đánh giá"]


def test_narrative_filled_for_q1_and_placeholder_when_empty(reports):
    q1 = body_texts(reports[1])
    assessment = section(q1, SECTION_HEADINGS[2])
    assert any(t.startswith("Sở đã ban hành kịp thời Kế hoạch tuyên truyền CCHC năm 2023") for t in assessment)
    assert any(t.startswith("Một bộ phận người dân, doanh nghiệp chưa quen") for t in assessment)
    assert not any("[Chưa có nội dung" in t for t in q1)
    proposals = section(q1, SECTION_HEADINGS[4])
    assert proposals[0].startswith("Đề nghị Sở Nội vụ tổ chức tập huấn")

    q2 = body_texts(reports[2])
    placeholders = [t for t in q2 if t.startswith("[Chưa có nội dung")]
    assert len(placeholders) == 4  # achievements, shortcomings, causes, proposals
    assert placeholders[0] == ("[Chưa có nội dung phần “Ưu điểm”. Viết bằng lệnh cchc note --period 2023-Q2 "
                               "--section uu-diem “…” rồi lập lại báo cáo, hoặc viết thẳng vào đây.]")
    assert not any("›" in t or "narratives" in t for t in placeholders)  # a sentence, never a YAML key path
    assert any("--section de-xuat" in t for t in section(q2, SECTION_HEADINGS[4]))


def test_placeholder_is_highlighted(reports):
    paragraph = next(b for b in blocks(reports[3]) if isinstance(b, Paragraph) and b.text.startswith("[Chưa có"))
    assert all(r.font.highlight_color is not None for r in paragraph.runs if r.text.strip())


def test_next_period_tasks(reports):
    titles = task_titles()
    from cchc.report_context import shorten

    q1_next = section(body_texts(reports[1]), SECTION_HEADINGS[3])
    assert q1_next[0].startswith("Trong quý II năm 2023, Sở Khoa học và Công nghệ")
    # One line per task: id, a title cut at a word to a readable length, lead, deadline; grouped by area.
    line = f"- 2.a: {shorten(titles['2.a'])} (Văn phòng Sở; hạn 31/05/2023)."
    assert len(titles["2.a"]) > 110 and line.count("…") == 1 and len(line) < 160
    heading = q1_next.index("2. Cải cách thể chế")
    assert q1_next[heading + 1] == line
    assert any(t.startswith("- 6.đ: ") and "31/03/2023" in t for t in q1_next)
    assert not any(t.startswith("- 1.a:") for t in q1_next)  # done already
    assert not any(t.startswith("- 3.e:") for t in q1_next)  # due 31/12, not next quarter

    q4_next = section(body_texts(reports[4]), SECTION_HEADINGS[3])
    assert q4_next[0].startswith("Các nhiệm vụ chưa hoàn thành trong năm 2023, tiếp tục thực hiện trong năm 2024")
    assert any(t.startswith("- 7.đ: ") and t.endswith("; hạn 31/10/2023).") for t in q4_next)
    assert not any(t.startswith("- 5.b:") for t in q4_next)


def test_late_tasks_repeated_in_next_period_section(reports):
    titles = task_titles()
    q2_next = section(body_texts(reports[2]), SECTION_HEADINGS[3])
    from cchc.report_context import shorten

    start = q2_next.index("Khẩn trương hoàn thành các nhiệm vụ còn chậm tiến độ:")
    assert f"- 2.a: {shorten(titles['2.a'])} (Văn phòng Sở; hạn 31/05/2023)." in q2_next[start:]


def test_letterhead_texts(tmp_path):
    doc = render(tmp_path, 1, as_of="05/03/2023")
    header = tables(doc)[0]
    left = [p.text for p in header.rows[0].cells[0].paragraphs if p.text]
    right = [p.text for p in header.rows[0].cells[1].paragraphs if p.text]
    assert left == ["UBND TỈNH BÀ RỊA - VŨNG TÀU", "SỞ KHOA HỌC VÀ CÔNG NGHỆ"]
    assert right == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    assert re.fullmatch(r"Số: {3,}/BC-SKHCN", header.rows[1].cells[0].text)
    # Days below 10 get a leading zero; the month 3 does not.
    assert header.rows[1].cells[1].text == "Bà Rịa - Vũng Tàu, ngày 05 tháng 3 năm 2023"


def test_date_line_pads_january_and_february(tmp_path):
    doc = render(tmp_path, 1, as_of="07/02/2023")
    assert tables(doc)[0].rows[1].cells[1].text == "Bà Rịa - Vũng Tàu, ngày 07 tháng 02 năm 2023"


def test_report_is_truthful_on_its_own_date(tmp_path):
    # On 05/03 task 1.a (done 10/03) is not yet done, and the intro says up to when data run.
    doc = render(tmp_path, 1, as_of="05/03/2023")
    assert "1.a" not in listed_tasks(doc)["done"]
    assert any("(số liệu tính từ ngày 15/12/2022 đến ngày 05/03/2023)" in t for t in body_texts(doc))


def test_intro_states_the_data_period(reports):
    texts = body_texts(reports[3])
    assert any("(số liệu tính từ ngày 15/06/2023 đến ngày 14/09/2023)" in t for t in texts)


def test_calendar_quarters(tmp_path):
    doc = render(tmp_path, 1, "--calendar")
    texts = body_texts(doc)
    assert "Kết quả thực hiện công tác cải cách hành chính quý I năm 2023" in texts
    assert any("(số liệu tính từ ngày 01/01/2023 đến ngày 31/03/2023)" in t for t in texts)
    assert "3.đ" in listed_tasks(doc)["done"]  # 20/03 is inside the calendar quarter


def test_closing_block_recipients_and_signer(reports):
    closing = tables(reports[1])[-2]  # the last table before the annex
    recipients = [p.text for p in closing.rows[0].cells[0].paragraphs if p.text]
    assert recipients[0] == "Nơi nhận:"
    assert recipients[1] == "- Sở Nội vụ (B/c);"
    assert recipients[-1] == "- Lưu: VT_nnp."
    signer = [p.text for p in closing.rows[0].cells[1].paragraphs if p.text]
    assert signer == ["GIÁM ĐỐC", "Phạm Quang Nhật"]


def test_signer_authority_and_missing_report_to(tmp_path):
    text = PROGRESS_PLAN.read_text(encoding="utf-8")
    text = text.replace("    title: Giám đốc\n    authority: \"\"\n",
                        "    title: Phó Giám đốc\n    authority: KT. Giám đốc\n", 1)
    text = text.replace("    - Sở Nội vụ (B/c);\n", "", 1)
    assert "KT. Giám đốc" in text and "Sở Nội vụ (B/c)" not in text
    plan = tmp_path / "plan_2023.yaml"
    plan.write_text(text, encoding="utf-8")
    closing = tables(render(tmp_path, 1, plan=plan))[-2]
    signer = [p.text for p in closing.rows[0].cells[1].paragraphs if p.text]
    assert signer == ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Phạm Quang Nhật"]
    recipients = [p.text for p in closing.rows[0].cells[0].paragraphs if p.text]
    assert recipients[1] == "- Sở Nội vụ;"  # report_to is always the first recipient


def annex_table(doc) -> Table:
    return table_with_header(doc, "STT", "Nội dung nhiệm vụ")


def test_annex_heading_and_note(reports):
    texts = body_texts(reports[2])
    start = texts.index("Phụ lục")
    assert texts[start + 1] == "KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ CẢI CÁCH HÀNH CHÍNH 6 THÁNG ĐẦU NĂM 2023"
    assert re.fullmatch(r"\(Kèm theo Báo cáo số +/BC-SKHCN ngày 20 tháng 12 năm 2023 "
                        r"của Sở Khoa học và Công nghệ\)", texts[start + 2])


@pytest.mark.parametrize("quarter", [1, 2, 3, 4])
def test_annex_has_one_row_per_task(reports, quarter):
    from cchc.planfile import load

    plan = load(PROGRESS_PLAN).plan
    table = annex_table(reports[quarter])
    assert [c.text for c in table.rows[0].cells] == [
        "STT", "Nội dung nhiệm vụ", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời hạn", "Tiến độ / kết quả",
        "Sản phẩm / tài liệu kiểm chứng", "Ghi chú"]
    rows = table.rows[1:]
    ids = [row.cells[0].text for row in rows if len({c._tc for c in row.cells}) > 1]
    assert len(ids) == len(plan.all_tasks()) == 37  # 34 tasks of the areas + 3 duties
    # Vietnamese lettering kept: đ after d.
    assert ids.index("3.d") + 1 == ids.index("3.đ") and ids.index("3.đ") + 1 == ids.index("3.e")
    assert ids[-3:] == ["III.1", "III.2", "III.3"]
    # Each area opens with one row across the table, its number and title as in the plan.
    groups = [row.cells[0].text for row in rows if len({c._tc for c in row.cells}) == 1]
    assert groups == [f"{a.number}. {a.title}" for a in plan.areas] + ["III. Tổ chức thực hiện"]
    assert rows[0].cells[0].text == groups[0] and rows[1].cells[0].text == "1.a"


def test_annex_rows_show_state_units_and_evidence(reports):
    rows = {row.cells[0].text: [c.text for c in row.cells] for row in annex_table(reports[2]).rows[1:]}
    assert rows["1.a"][5] == "Đã hoàn thành ngày 10/03/2023"
    assert "Kế hoạch số 12/KH-SKHCN ngày 10/3/2023" in rows["1.a"][6]
    assert rows["2.a"][4] == "31/05/2023"
    assert rows["2.a"][5] == "Chậm tiến độ, đạt 30%"
    assert rows["2.a"][7] == "Chờ ý kiến góp ý của các phòng"
    assert rows["3.d"][5] == "Đang thực hiện, đạt 40%"
    assert rows["3.d"][4] == "Thường xuyên"
    assert rows["5.b"][5] == "Chưa triển khai"  # started only on 20/06, after this report's cut-off
    assert rows["6.a"][2] == "Phòng Kế hoạch - Tài chính"
    assert rows["III.1"][3] == "Các phòng, đơn vị"


def test_report_stays_vietnamese_with_another_message_language(tmp_path, monkeypatch):
    import gettext

    from cchc import i18n

    class English(gettext.NullTranslations):
        def gettext(self, message):
            return "[en] " + message

    # Any message catalogue: CLI messages change language, the document does not.
    monkeypatch.setattr(i18n.gettext, "translation", lambda *args, **kwargs: English())
    out = tmp_path / "r.docx"
    result = run("--lang", "en", "report", "-q", "2", "-p", PROGRESS_PLAN, "--as-of", AFTER_YEAR_END, "-o", out)
    assert result.exit_code == 0, result.stderr
    assert "[en]" in result.stderr
    doc = docx.Document(out)
    assert "Kết quả thực hiện công tác cải cách hành chính 6 tháng đầu năm 2023" in body_texts(doc)
    assert tables(doc)[0].rows[1].cells[1].text == "Bà Rịa - Vũng Tàu, ngày 20 tháng 12 năm 2023"
    assert target_rows(doc)["Chỉ số PCI (Top 10 tỉnh, thành)"][0] == "top 10"


def test_multiline_narrative_becomes_paragraphs_and_notes_stay_one_line(tmp_path):
    text = PROGRESS_PLAN.read_text(encoding="utf-8")
    old_note = "            note: Chờ ý kiến góp ý của các phòng\n"
    old_q2 = "  2023-Q2:\n    achievements: \"\"\n"
    assert old_note in text and old_q2 in text
    text = text.replace(old_note, "            note: \"Chờ ý kiến\\ncủa các phòng\\tvà đơn vị\"\n", 1)
    text = text.replace(old_q2, "  2023-Q2:\n    achievements: |\n      Dòng thứ nhất.\n\n      Dòng thứ hai.\n", 1)
    plan = tmp_path / "plan_2023.yaml"
    plan.write_text(text, encoding="utf-8")
    doc = render(tmp_path, 2, plan=plan)
    texts = body_texts(doc)
    start = texts.index("1. Ưu điểm")
    assert texts[start + 1:start + 3] == ["Dòng thứ nhất.", "Dòng thứ hai."]
    assert item(doc, "2.a", plan).endswith("Lý do, ghi chú: Chờ ý kiến của các phòng và đơn vị.")
