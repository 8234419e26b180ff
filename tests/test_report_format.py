"""The report's format against Nghị định 30/2020 (../shared/reference/document-format.md).

Every check reads the rendered .docx with python-docx and resolves a property the way Word does:
the run first, then the paragraph style and the styles it is based on, then the document defaults.
"""

from __future__ import annotations

import pytest
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Length
from docx.text.paragraph import Paragraph

from test_report_content import SECTION_HEADINGS, blocks, render, table_with_header, tables

TNR = "Times New Roman"
SCRIPTS = ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs")
# A theme font attribute, where present, wins over the explicit name beside it.
THEME_ATTRS = {"w:ascii": "w:asciiTheme", "w:hAnsi": "w:hAnsiTheme", "w:eastAsia": "w:eastAsiaTheme",
               "w:cs": "w:cstheme"}


@pytest.fixture(scope="module")
def doc(tmp_path_factory):
    return render(tmp_path_factory.mktemp("format"), 2)


def mm(length: Length) -> float:
    # Word stores margins in twentieths of a point: 15 mm is kept as 14.993 mm.
    return round(length / 36000, 1)


def cm(length: Length) -> float:
    return length / 360000


# --- resolving effective properties -------------------------------------------------------------

def _styles_of(paragraph):
    style = paragraph.style
    while style is not None:
        yield style
        style = style.base_style


def _doc_defaults(document):
    return document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))


def effective_fonts(run, paragraph, document) -> dict[str, str | None]:
    found: dict[str, str | None] = {s: None for s in SCRIPTS}
    sources = [run._element.rPr] + [s.element.rPr for s in _styles_of(paragraph)] + [_doc_defaults(document)]
    for rpr in sources:
        rfonts = rpr.find(qn("w:rFonts")) if rpr is not None else None
        if rfonts is None:
            continue
        for script in SCRIPTS:
            if found[script] is None:
                theme = rfonts.get(qn(THEME_ATTRS[script]))
                found[script] = f"theme:{theme}" if theme else rfonts.get(qn(script))
    return found


def effective(run, paragraph, attr: str):
    value = getattr(run.font, attr)
    if value is not None:
        return value
    for style in _styles_of(paragraph):
        value = getattr(style.font, attr)
        if value is not None:
            return value
    return None


def size_pt(run, paragraph) -> float:
    size = effective(run, paragraph, "size")
    assert size is not None, f"no size for {run.text!r}"
    return size.pt


def text_runs(paragraph):
    return [r for r in paragraph.runs if r.text.strip()]


def assert_runs(paragraph, sizes: tuple[float, float], bold: bool, italic: bool = False) -> None:
    runs = text_runs(paragraph)
    assert runs, paragraph.text
    for run in runs:
        assert sizes[0] <= size_pt(run, paragraph) <= sizes[1], (paragraph.text, size_pt(run, paragraph))
        assert bool(effective(run, paragraph, "bold")) is bold, paragraph.text
        assert bool(effective(run, paragraph, "italic")) is italic, paragraph.text


def paragraph_with(container_paragraphs, text: str) -> Paragraph:
    return next(p for p in container_paragraphs if p.text == text)


def all_paragraphs(document):
    """Every paragraph of the body (tables included) and of every header and footer."""
    parts = [(document.element.body, document._body)]
    for section in document.sections:
        for hf in (section.header, section.first_page_header, section.footer, section.first_page_footer):
            if not hf.is_linked_to_previous:
                parts.append((hf._element, hf))
    for element, parent in parts:
        for p in element.iter(qn("w:p")):
            yield Paragraph(p, parent)


# --- page ---------------------------------------------------------------------------------------

def test_a4_pages_and_margins(doc):
    sections = list(doc.sections)
    assert len(sections) == 2  # the report, then the annex on its own landscape section
    first, annex = sections
    assert first.orientation == WD_ORIENT.PORTRAIT
    assert (round(mm(first.page_width)), round(mm(first.page_height))) == (210, 297)
    assert annex.orientation == WD_ORIENT.LANDSCAPE
    assert (round(mm(annex.page_width)), round(mm(annex.page_height))) == (297, 210)
    for section in sections:
        assert 20 <= mm(section.top_margin) <= 25
        assert 20 <= mm(section.bottom_margin) <= 25
        assert 30 <= mm(section.left_margin) <= 35
        assert 15 <= mm(section.right_margin) <= 20


def test_every_run_is_times_new_roman_for_every_script(doc):
    checked = 0
    for paragraph in all_paragraphs(doc):
        for run in paragraph.runs:
            fonts = effective_fonts(run, paragraph, doc)
            assert fonts == {s: TNR for s in SCRIPTS}, (run.text, fonts)
            checked += 1
    assert checked > 200


def test_runs_name_the_east_asian_font_themselves(doc):
    # The run-level attribute, not only the style's: text copied elsewhere keeps its font.
    runs = [r for p in all_paragraphs(doc) for r in p.runs if r.text.strip()]
    assert runs
    for run in runs:
        rfonts = run._element.rPr.find(qn("w:rFonts"))
        assert rfonts is not None and rfonts.get(qn("w:eastAsia")) == TNR, run.text
        assert run.font.name == TNR


def test_normal_style_fonts_and_vietnamese_language(doc):
    normal = doc.styles["Normal"].element.rPr
    rfonts = normal.find(qn("w:rFonts"))
    assert {s: rfonts.get(qn(s)) for s in SCRIPTS} == {s: TNR for s in SCRIPTS}
    assert normal.find(qn("w:lang")).get(qn("w:val")) == "vi-VN"
    defaults = _doc_defaults(doc).find(qn("w:rFonts"))
    assert not [a for a in defaults.attrib if "heme" in a]  # no theme font can override the name


def test_body_paragraphs_justified_with_first_line_indent(doc):
    body = [b for b in blocks(doc) if isinstance(b, Paragraph) and b.text.startswith(("- ", "+ ", "Thực hiện "))]
    assert len(body) > 10
    for paragraph in body:
        fmt = paragraph.paragraph_format
        style = paragraph.style.paragraph_format
        alignment = fmt.alignment if fmt.alignment is not None else style.alignment
        indent = fmt.first_line_indent if fmt.first_line_indent is not None else style.first_line_indent
        after = fmt.space_after if fmt.space_after is not None else style.space_after
        line = fmt.line_spacing if fmt.line_spacing is not None else style.line_spacing
        assert alignment == WD_ALIGN_PARAGRAPH.JUSTIFY, paragraph.text
        assert 1.0 <= cm(indent) <= 1.27 + 1e-6, paragraph.text
        assert after.pt >= 6
        assert 1.0 <= line <= 1.5
        for run in text_runs(paragraph):
            assert 13 <= size_pt(run, paragraph) <= 14
            assert not effective(run, paragraph, "bold") and not effective(run, paragraph, "italic")


# --- header, title, headings, closing --------------------------------------------------------------

def test_letterhead_sizes_and_weights(doc):
    header = tables(doc)[0]
    left, right = header.rows[0].cells
    assert_runs(paragraph_with(left.paragraphs, "UBND TỈNH BÀ RỊA - VŨNG TÀU"), (12, 13), bold=False)
    assert_runs(paragraph_with(left.paragraphs, "SỞ KHOA HỌC VÀ CÔNG NGHỆ"), (12, 13), bold=True)
    assert_runs(paragraph_with(right.paragraphs, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"), (12, 13), bold=True)
    assert_runs(paragraph_with(right.paragraphs, "Độc lập - Tự do - Hạnh phúc"), (13, 14), bold=True)
    number = header.rows[1].cells[0].paragraphs[0]
    assert_runs(number, (13, 13), bold=False)
    assert_runs(header.rows[1].cells[1].paragraphs[0], (13, 14), bold=False, italic=True)


def _rule_after(paragraphs, text: str) -> Paragraph:
    paragraphs = list(paragraphs)
    i = next(i for i, p in enumerate(paragraphs) if p.text == text)
    return paragraphs[i + 1]


def _rule_length_cm(paragraph, column_cm: float) -> float:
    ppr = paragraph._p.pPr
    assert ppr.find(qn("w:pBdr")).find(qn("w:bottom")).get(qn("w:val")) == "single"
    fmt = paragraph.paragraph_format
    return column_cm - cm(fmt.left_indent or 0) - cm(fmt.right_indent or 0)


def test_rules_under_issuer_motto_and_summary(doc):
    header = tables(doc)[0]
    left, right = header.rows[0].cells
    issuer_rule = _rule_length_cm(_rule_after(left.paragraphs, "SỞ KHOA HỌC VÀ CÔNG NGHỆ"), cm(left.width))
    motto_rule = _rule_length_cm(_rule_after(right.paragraphs, "Độc lập - Tự do - Hạnh phúc"), cm(right.width))
    # The issuing body's name at 13 pt bold is about 7 cm wide; the motto about 5.6 cm (measured in LibreOffice).
    assert 7.0 / 3 <= issuer_rule <= 7.0 / 2
    assert 5.2 <= motto_rule <= 6.0
    body = [b for b in blocks(doc) if isinstance(b, Paragraph)]
    summary = _rule_after(body, "Kết quả thực hiện công tác cải cách hành chính 6 tháng đầu năm 2023")
    assert 2 <= _rule_length_cm(summary, 16.5) <= 8


def test_letterhead_and_closing_tables_have_no_borders(doc):
    for table in (tables(doc)[0], tables(doc)[-2]):
        borders = table._tbl.tblPr.find(qn("w:tblBorders"))
        assert borders is not None
        assert {b.get(qn("w:val")) for b in borders} <= {"nil", "none"}
        assert len(table.columns) == 2


def test_title_and_headings(doc):
    body = [b for b in blocks(doc) if isinstance(b, Paragraph)]
    title = paragraph_with(body, "BÁO CÁO")
    summary = paragraph_with(body, "Kết quả thực hiện công tác cải cách hành chính 6 tháng đầu năm 2023")
    for paragraph in (title, summary):
        assert_runs(paragraph, (13, 14), bold=True)
        alignment = paragraph.paragraph_format.alignment or paragraph.style.paragraph_format.alignment
        assert alignment == WD_ALIGN_PARAGRAPH.CENTER
    for heading in SECTION_HEADINGS:
        paragraph = paragraph_with(body, heading)
        assert paragraph.text == paragraph.text.upper()
        assert_runs(paragraph, (13, 14), bold=True)
    assert_runs(paragraph_with(body, "2. Cải cách thể chế"), (13, 14), bold=True)
    assert_runs(paragraph_with(body, "1. Ưu điểm"), (13, 14), bold=True)


def test_closing_block_sizes(doc):
    closing = tables(doc)[-2]
    left, right = closing.rows[0].cells
    assert_runs(paragraph_with(left.paragraphs, "Nơi nhận:"), (12, 12), bold=True, italic=True)
    for paragraph in left.paragraphs[1:]:
        if paragraph.text:
            assert paragraph.text.startswith("- ")
            assert_runs(paragraph, (11, 11), bold=False)
    assert_runs(paragraph_with(right.paragraphs, "GIÁM ĐỐC"), (13, 14), bold=True)
    assert_runs(paragraph_with(right.paragraphs, "Phạm Quang Nhật"), (13, 14), bold=True)
    blank = [p for p in right.paragraphs if not p.text]
    assert len(blank) >= 3  # room for the signature and seal


def test_annex_heading_format(doc):
    body = [b for b in blocks(doc) if isinstance(b, Paragraph)]
    assert_runs(paragraph_with(body, "Phụ lục"), (14, 14), bold=True)
    title = next(p for p in body if p.text.startswith("KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ"))
    assert_runs(title, (13, 14), bold=True)
    note = next(p for p in body if p.text.startswith("(Kèm theo Báo cáo số"))
    assert_runs(note, (13, 14), bold=False, italic=True)


# --- page numbers and tables -----------------------------------------------------------------------

def _has_page_field(header) -> bool:
    return any((i.text or "").strip() == "PAGE" for i in header._element.iter(qn("w:instrText")))


def test_page_numbers_centred_at_top_except_first_page(doc):
    first, annex = doc.sections
    assert first.different_first_page_header_footer
    assert _has_page_field(first.header)
    assert not _has_page_field(first.first_page_header)
    number = next(p for p in first.header.paragraphs if p._p.find(".//" + qn("w:instrText")) is not None)
    alignment = number.paragraph_format.alignment or number.style.paragraph_format.alignment
    assert alignment == WD_ALIGN_PARAGRAPH.CENTER
    for run in number.runs:
        assert 13 <= size_pt(run, number) <= 14
        assert not effective(run, number, "italic") and not effective(run, number, "bold")
    assert not _has_page_field(first.footer)


def test_annex_numbered_on_its_own(doc):
    annex = doc.sections[1]
    numbering = annex._sectPr.find(qn("w:pgNumType"))
    assert numbering is not None and numbering.get(qn("w:start")) == "1"
    assert annex.different_first_page_header_footer


@pytest.mark.parametrize("header", [("STT", "Nội dung nhiệm vụ"), ("STT", "Chỉ tiêu")])
def test_table_header_rows_repeat_on_each_page(doc, header):
    table = table_with_header(doc, *header)
    tr_pr = table.rows[0]._tr.trPr
    assert tr_pr is not None and tr_pr.find(qn("w:tblHeader")) is not None
    assert all(row._tr.trPr is None or row._tr.trPr.find(qn("w:tblHeader")) is None for row in table.rows[1:])
    borders = table.style.element.find(qn("w:tblPr")).find(qn("w:tblBorders"))
    assert borders is not None and borders.find(qn("w:insideH")).get(qn("w:val")) == "single"
