"""Build `bao-cao-cchc.docx`, the Word template of the periodic CCHC report, with python-docx.

Run from the repository root after changing this file, and commit both files:

    python templates/build_report_template.py            # writes templates/bao-cao-cchc.docx
    python templates/build_report_template.py OUT.docx   # somewhere else

The template holds all the report's wording and formatting; cchc fills its Jinja tags (docxtpl) with
the "report context" documented in templates/README.md. Keeping the template as this script makes
every change reviewable in git; an office may instead edit the .docx in Word (see the README).

Format rules (Nghị định 30/2020/NĐ-CP, ../shared/reference/document-format.md): A4; margins top and
bottom 20 mm, left 30 mm, right 15 mm; Times New Roman for every script; page numbers centred in the
top margin from page 2; justified body with a 1.27 cm first-line indent and 6 pt after paragraphs.
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT, WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor

FONT = "Times New Roman"
LANG = "vi-VN"
OUT = Path(__file__).resolve().parent / "bao-cao-cchc.docx"

# Page geometry (mm). The text block of a portrait page is 210 - 30 - 15 = 165 mm wide.
MARGINS = {"top": 20, "bottom": 20, "left": 30, "right": 15}
TEXT_WIDTH_CM = 16.5
LANDSCAPE_TEXT_WIDTH_CM = 25.2

BODY_SIZE = 14
FIRST_LINE_INDENT = Cm(1.27)

# The report's number: the submitted one (cchc submit) once known, else blank for the office to fill in.
NUMBER = "{% if submission.number %}{{ submission.number }}{% else %}     /BC-{{ org.issuer_short }}{% endif %}"
# A visible mark where the plan has no text yet, so nobody signs a report with a hole in it.
PLACEHOLDER = ("[Chưa có nội dung phần “%s”. Viết bằng lệnh cchc note --period {{ report.narrative_key }} "
               "--section %s “…” rồi lập lại báo cáo, hoặc viết thẳng vào đây.]")
DIRECTION_PLACEHOLDER = ("[Chưa có nội dung. Nêu các kế hoạch, văn bản chỉ đạo, điều hành công tác cải cách hành "
                         "chính đã ban hành trong kỳ, công tác tuyên truyền, kiểm tra, tự đánh giá; hoặc viết thẳng "
                         "vào đây.]")
NARRATIVE_SECTIONS = {"achievements": ("Ưu điểm", "uu-diem"), "shortcomings": ("Tồn tại, hạn chế", "han-che"),
                      "causes": ("Nguyên nhân", "nguyen-nhan"), "proposals": ("Đề xuất, kiến nghị", "de-xuat")}


# --- low-level helpers --------------------------------------------------------------------------

def _fonts(rpr) -> None:
    """Times New Roman for every script; python-docx's font.name sets only ascii and hAnsi."""
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in list(rfonts.attrib):
        if attr.endswith("Theme") or attr.endswith("theme"):
            del rfonts.attrib[attr]  # a theme font would win over the explicit name
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), FONT)


def _lang(rpr) -> None:
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), LANG)
    lang.set(qn("w:eastAsia"), LANG)


def _style(doc, name: str, size: float = BODY_SIZE, bold: bool = False, italic: bool = False,
           align=WD_ALIGN_PARAGRAPH.JUSTIFY, first_line=None, before: float = 0, after: float = 0,
           line: float | None = 1.0, keep_next: bool = False, outline: int | None = None,
           table: bool = False):
    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = doc.styles["Normal"]
    style.quick_style = True
    font = style.font
    font.name = FONT
    font.size = Pt(size)
    font.bold = bold
    font.italic = italic
    font.color.rgb = RGBColor(0, 0, 0)
    _fonts(style.element.get_or_add_rPr())
    _lang(style.element.get_or_add_rPr())
    fmt = style.paragraph_format
    fmt.alignment = align
    fmt.first_line_indent = first_line
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(after)
    if line is not None:
        fmt.line_spacing = line
    fmt.keep_with_next = keep_next
    fmt.widow_control = True
    if outline is not None:
        ppr = style.element.get_or_add_pPr()
        lvl = OxmlElement("w:outlineLvl")
        lvl.set(qn("w:val"), str(outline))
        ppr.append(lvl)
    return style


def _run(paragraph, text: str, size: float | None = None, bold: bool | None = None,
         italic: bool | None = None, highlight=None, color: RGBColor | None = None):
    # Every run names its font and size itself as well as through its style, so a paragraph
    # pasted into another document keeps the legal format.
    run = paragraph.add_run(text)
    style_font = paragraph.style.font
    run.font.name = FONT
    run.font.size = Pt(size) if size else style_font.size
    run.font.bold = style_font.bold if bold is None else bold
    run.font.italic = style_font.italic if italic is None else italic
    run.font.color.rgb = color or RGBColor(0, 0, 0)
    if highlight is not None:
        run.font.highlight_color = highlight
    _fonts(run._element.get_or_add_rPr())
    return run


def _para(container, text: str = "", style: str = "CCHC Body", **run_kw):
    paragraph = container.add_paragraph(style=style)
    if text:
        _run(paragraph, text, **run_kw)
    return paragraph


def _cell_para(cell, text: str = "", style: str = "CCHC Cell", first: bool = False, **run_kw):
    """A paragraph in a table cell; the first call reuses the empty paragraph every cell starts with."""
    if first:
        paragraph = cell.paragraphs[0]
        paragraph.style = cell.part.document.styles[style]
        if text:
            _run(paragraph, text, **run_kw)
        return paragraph
    return _para(cell, text, style, **run_kw)


def _tag(container, tag: str):
    """A paragraph holding only a `{%p ... %}` tag: docxtpl removes the whole paragraph when rendering.

    Grey and small in the template so an editor tells the logic from the wording at a glance.
    """
    paragraph = container.add_paragraph(style="CCHC Tag")
    _run(paragraph, tag, color=RGBColor(0x80, 0x80, 0x80))
    return paragraph


def _rule(container, width_cm: float, column_cm: float, style: str = "CCHC Rule", first: bool = False):
    """A centred horizontal rule `width_cm` long: the bottom border of an empty, indented paragraph."""
    paragraph = _cell_para(container, "", style, first=True) if first else container.add_paragraph(style=style)
    side = max((column_cm - width_cm) / 2, 0)
    paragraph.paragraph_format.left_indent = Cm(side)
    paragraph.paragraph_format.right_indent = Cm(side)
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    # pBdr must precede spacing/ind/jc in CT_PPr.
    anchor = next((ppr.find(qn(t)) for t in ("w:shd", "w:tabs", "w:spacing", "w:ind", "w:jc")
                   if ppr.find(qn(t)) is not None), None)
    if anchor is not None:
        anchor.addprevious(borders)
    else:
        ppr.append(borders)
    return paragraph


def _table(doc, rows: int, widths_cm: list[float], borders: bool, style: str | None = None):
    table = doc.add_table(rows=rows, cols=len(widths_cm))
    if style:
        table.style = doc.styles[style]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    tbl_pr = table._tbl.tblPr  # `autofit = False` above already wrote <w:tblLayout w:type="fixed"/>
    width = OxmlElement("w:tblW")
    width.set(qn("w:w"), str(int(sum(widths_cm) * 567)))
    width.set(qn("w:type"), "dxa")
    existing = tbl_pr.find(qn("w:tblW"))
    if existing is not None:
        tbl_pr.remove(existing)
    tbl_pr.insert(1 if tbl_pr.find(qn("w:tblStyle")) is not None else 0, width)
    if not borders:
        tbl_borders = OxmlElement("w:tblBorders")
        for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
            element = OxmlElement(f"w:{side}")
            element.set(qn("w:val"), "nil")
            tbl_borders.append(element)
        # Word rejects a document whose table properties are out of schema order.
        anchor = next((tbl_pr.find(qn(t)) for t in ("w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook")
                       if tbl_pr.find(qn(t)) is not None), None)
        if anchor is not None:
            anchor.addprevious(tbl_borders)
        else:
            tbl_pr.append(tbl_borders)
    for i, w in enumerate(widths_cm):
        table.columns[i].width = Cm(w)
        for cell in table.columns[i].cells:
            cell.width = Cm(w)
    return table


def _repeat_header(row) -> None:
    """Repeat this row at the top of every page the table runs onto (w:tblHeader)."""
    tr_pr = row._tr.get_or_add_trPr()
    for name in ("w:cantSplit", "w:tblHeader"):
        element = OxmlElement(name)
        element.set(qn("w:val"), "true")
        tr_pr.append(element)


def _keep_row(row) -> None:
    """A row that never splits across pages (w:cantSplit): a task is read on one page."""
    element = OxmlElement("w:cantSplit")
    element.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(element)


def _page_number(doc, header) -> None:
    paragraph = header.paragraphs[0]
    paragraph.style = doc.styles["CCHC Page Number"]
    _run(paragraph, "")
    run = paragraph.runs[0]

    def field_char(kind: str):
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        return element

    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = " PAGE "
    text = OxmlElement("w:t")
    text.text = "2"
    for element in (field_char("begin"), instr, field_char("separate"), text, field_char("end")):
        run._r.append(element)


def _page(section, landscape: bool = False, restart_numbering: bool = False) -> None:
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))
    section.top_margin = Mm(MARGINS["top"])
    section.bottom_margin = Mm(MARGINS["bottom"])
    section.left_margin = Mm(MARGINS["left"])
    section.right_margin = Mm(MARGINS["right"])
    section.header_distance = Mm(10)
    section.footer_distance = Mm(10)
    section.different_first_page_header_footer = True  # no page number on the first page
    if restart_numbering:
        # Each annex is numbered on its own (Nghị định 30).
        sect_pr = section._sectPr
        numbering = OxmlElement("w:pgNumType")
        numbering.set(qn("w:start"), "1")
        anchor = next((sect_pr.find(qn(t)) for t in ("w:cols", "w:formProt", "w:vAlign", "w:noEndnote",
                                                      "w:titlePg", "w:textDirection", "w:docGrid")
                       if sect_pr.find(qn(t)) is not None), None)
        if anchor is not None:
            anchor.addprevious(numbering)
        else:
            sect_pr.append(numbering)


# --- document-wide setup ---------------------------------------------------------------------------

def _setup_styles(doc) -> None:
    styles_el = doc.styles.element
    defaults = styles_el.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _fonts(rpr)
    _lang(rpr)
    for size_tag in ("w:sz", "w:szCs"):
        rpr.find(qn(size_tag)).set(qn("w:val"), str(BODY_SIZE * 2))
    ppr_default = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
    spacing = ppr_default.find(qn("w:spacing"))
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), "240")
    # No theme font anywhere: a theme attribute overrides an explicit font name.
    for rfonts in styles_el.iter(qn("w:rFonts")):
        _fonts(rfonts.getparent())

    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_SIZE)
    _fonts(normal.element.get_or_add_rPr())
    _lang(normal.element.get_or_add_rPr())
    for name in ("Header", "Footer", "Table Grid"):
        _fonts(doc.styles[name].element.get_or_add_rPr())

    center, left = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.LEFT
    _style(doc, "CCHC Body", first_line=FIRST_LINE_INDENT, after=6, line=1.15)
    _style(doc, "CCHC Heading 1", bold=True, first_line=FIRST_LINE_INDENT, before=6, after=6, line=1.15,
           keep_next=True, outline=0)
    _style(doc, "CCHC Heading 2", bold=True, first_line=FIRST_LINE_INDENT, after=6, line=1.15, keep_next=True,
           outline=1)
    _style(doc, "CCHC Heading 3", italic=True, first_line=FIRST_LINE_INDENT, after=6, line=1.15, keep_next=True,
           outline=2)
    _style(doc, "CCHC Doc Type", bold=True, align=center, before=12, keep_next=True)
    _style(doc, "CCHC Summary", bold=True, align=center, keep_next=True)
    _style(doc, "CCHC Letterhead", size=13, align=center)
    _style(doc, "CCHC Rule", size=2, align=center, line=None)
    _style(doc, "CCHC Recipients Title", size=12, bold=True, italic=True, align=left)
    _style(doc, "CCHC Recipients", size=11, align=left)
    _style(doc, "CCHC Signer", bold=True, align=center)
    _style(doc, "CCHC Annex Label", bold=True, align=center)
    _style(doc, "CCHC Annex Title", bold=True, align=center, keep_next=True)
    _style(doc, "CCHC Annex Note", italic=True, align=center, after=6)
    _style(doc, "CCHC Cell", size=12, align=left, before=2, after=2)
    _style(doc, "CCHC Cell Head", size=12, bold=True, align=center, before=2, after=2)
    _style(doc, "CCHC Page Number", size=14, align=center)
    _style(doc, "CCHC Tag", size=9, align=left)
    # The rule paragraph's own line is tiny so the rule sits close under the text above it.
    rule = doc.styles["CCHC Rule"].paragraph_format
    rule.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    rule.line_spacing = Pt(2)


def _setup_settings(doc) -> None:
    settings = doc.settings.element
    lang = settings.find(qn("w:themeFontLang"))
    if lang is not None:
        lang.set(qn("w:val"), LANG)
        lang.set(qn("w:eastAsia"), LANG)
    props = doc.core_properties
    props.title = "Báo cáo kết quả thực hiện công tác cải cách hành chính"
    props.subject = "Báo cáo định kỳ công tác cải cách hành chính"
    props.author = ""
    props.last_modified_by = ""
    props.comments = ""
    props.keywords = "CCHC"
    props.language = LANG


# --- the report --------------------------------------------------------------------------------------

def _letterhead(doc) -> None:
    # 17.6 cm, centred: 5.5 mm into each margin so a parent body like "UBND TỈNH BÀ RỊA - VŨNG TÀU" (13 pt),
    # an issuing body like "SỞ KHOA HỌC VÀ CÔNG NGHỆ" (13 pt bold, about 7.5 cm as LibreOffice sets it) and
    # the national title (12 pt bold, about 9 cm) each fit on one line.
    left_w, right_w = 8.0, 9.6
    table = _table(doc, 2, [left_w, right_w], borders=False)
    parent, national = table.rows[0].cells
    number, date = table.rows[1].cells
    # No parent body (a district People's Committee): the issuing body's lines start at the top, and
    # no empty line is left where the parent would be.
    _cell_para(parent, "{%p if org.parent_upper %}", "CCHC Tag", first=True, color=RGBColor(0x80, 0x80, 0x80))
    _cell_para(parent, "{{ org.parent_upper }}", "CCHC Letterhead", size=13, bold=False)
    _tag(parent, "{%p endif %}")
    _tag(parent, "{%p for line in org.issuer_lines %}")
    _cell_para(parent, "{{ line }}", "CCHC Letterhead", size=13, bold=True)
    _tag(parent, "{%p endfor %}")
    _rule(parent, 2.8, left_w)  # 1/3 to 1/2 of the issuing body's name
    _cell_para(national, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "CCHC Letterhead", first=True, size=12, bold=True)
    _cell_para(national, "Độc lập - Tự do - Hạnh phúc", "CCHC Letterhead", size=13, bold=True)
    _rule(national, 5.6, right_w)  # as long as the motto (13 pt bold: 5.6 cm)
    numbering = _cell_para(number, "Số: " + NUMBER, "CCHC Letterhead", first=True, size=13)
    numbering.paragraph_format.space_before = Pt(6)
    dated = _cell_para(date, "{{ org.place }}, {{ report.date_long }}", "CCHC Letterhead", first=True, size=13,
                       italic=True)
    dated.paragraph_format.space_before = Pt(6)
    for cell in (parent, national, number, date):
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP


def _task_lists(doc, group: str) -> None:
    """One area's tasks in the period as reporting.md asks: done (with evidence, then without), under
    way with progress, late and not started with their last note. `group` names the loop variable."""
    g = group
    who = "nhiệm vụ {{ t.id }}; chủ trì: {{ t.lead }}"
    _tag(doc, "{%%p if %s.done_count %%}" % g)
    _para(doc, "- Nhiệm vụ đã hoàn thành trong kỳ: {{ %s.done_count }}/{{ %s.total }} nhiệm vụ." % (g, g))
    _tag(doc, "{%%p for t in %s.done %%}" % g)
    _para(doc, "+ {{ t.title }} (" + who + "; hoàn thành ngày {{ t.done_on }}). Tài liệu kiểm chứng: "
               "{{ t.evidence_text }}.")
    _tag(doc, "{%p endfor %}")
    _tag(doc, "{%%p for t in %s.done_no_evidence %%}" % g)
    _para(doc, "+ {{ t.title }} (" + who + "; hoàn thành ngày {{ t.done_on }}): chưa có tài liệu kiểm chứng.")
    _tag(doc, "{%p endfor %}")
    _tag(doc, "{%p endif %}")
    _listed(doc, g, "ongoing", "- Nhiệm vụ đang thực hiện: {{ %s.ongoing|length }} nhiệm vụ.",
            "+ {{ t.title }} (" + who + "): đạt {{ t.percent }}{% if t.last_note %}. {{ t.last_note }}{% endif %}.")
    _listed(doc, g, "late", "- Nhiệm vụ chậm tiến độ so với kế hoạch: {{ %s.late|length }} nhiệm vụ.",
            "+ {{ t.title }} (" + who + "; thời hạn: {{ t.deadline }})"
            "{% if t.percent_value %}: đạt {{ t.percent }}{% else %}: chưa triển khai{% endif %}"
            "{% if t.last_note %}. Lý do, ghi chú: {{ t.last_note }}{% else %}. Chưa ghi lý do{% endif %}.")
    _listed(doc, g, "not_started", "- Nhiệm vụ chưa triển khai (chưa đến hạn): {{ %s.not_started|length }} nhiệm vụ.",
            "+ {{ t.title }} (" + who + "; thời hạn: {{ t.deadline }})"
            "{% if t.last_note %}. Ghi chú: {{ t.last_note }}{% endif %}.")
    _tag(doc, "{%%p if not %s.total %%}" % g)
    _para(doc, "- Lĩnh vực này không có nhiệm vụ trong Kế hoạch.")
    _tag(doc, "{%p endif %}")


def _listed(doc, group: str, kind: str, head: str, line: str) -> None:
    """A count line and one line per task of `group.kind`, shown only when there is one."""
    _tag(doc, "{%%p if %s.%s %%}" % (group, kind))
    _para(doc, head % group)
    _tag(doc, "{%%p for t in %s.%s %%}" % (group, kind))
    _para(doc, line)
    _tag(doc, "{%p endfor %}")
    _tag(doc, "{%p endif %}")


def _narrative(doc, field: str) -> None:
    _tag(doc, "{%%p for text in narrative.%s %%}" % field)
    _para(doc, "{{ text }}")
    _tag(doc, "{%p endfor %}")
    _tag(doc, "{%%p if not narrative.%s %%}" % field)
    _para(doc, PLACEHOLDER % NARRATIVE_SECTIONS[field], italic=True, highlight=WD_COLOR_INDEX.YELLOW)
    _tag(doc, "{%p endif %}")


def _targets(doc) -> None:
    _tag(doc, "{%p if targets %}")
    widths = [1.2, 6.0, 2.8, 3.4, 3.1]
    table = _table(doc, 4, widths, borders=True, style="Table Grid")
    heads = ["STT", "Chỉ tiêu", "Mục tiêu năm {{ plan.year }}", "Kết quả {{ report.name }}", "Đánh giá"]
    for cell, text in zip(table.rows[0].cells, heads):
        _cell_para(cell, text, "CCHC Cell Head", first=True)
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    _repeat_header(table.rows[0])
    _cell_para(table.rows[1].cells[0], "{%tr for t in targets %}", "CCHC Cell", first=True)
    row = table.rows[2].cells
    _cell_para(row[0], "{{ t.index }}", "CCHC Cell Head", first=True, bold=False)
    _cell_para(row[1], "{{ t.name }}", "CCHC Cell", first=True)
    _cell_para(row[2], "{{ t.goal }}", "CCHC Cell Head", first=True, bold=False)
    _cell_para(row[3], "{{ t.value }}{% if t.other_period %} (số liệu {{ t.period_name }}){% endif %}",
               "CCHC Cell Head", first=True, bold=False)
    _cell_para(row[4], "{% if t.reached %}Đạt{% elif t.has_value %}Chưa đạt{% else %}Chưa có số liệu{% endif %}",
               "CCHC Cell Head", first=True, bold=False)
    _cell_para(table.rows[3].cells[0], "{%tr endfor %}", "CCHC Cell", first=True)
    _tag(doc, "{%p else %}")
    _para(doc, "Kế hoạch không đặt chỉ tiêu định lượng.")
    _tag(doc, "{%p endif %}")


def _closing(doc) -> None:
    left_w, right_w = 7.8, 8.7
    _para(doc, "", "CCHC Body")  # a blank line between the last sentence and the signature block
    table = _table(doc, 1, [left_w, right_w], borders=False)
    recipients, signer = table.rows[0].cells
    _cell_para(recipients, "Nơi nhận:", "CCHC Recipients Title", first=True)
    _tag(recipients, "{%p for line in recipients %}")
    _para(recipients, "- {{ line }}", "CCHC Recipients")
    _tag(recipients, "{%p endfor %}")
    signer.paragraphs[0]._p.getparent().remove(signer.paragraphs[0]._p)
    _tag(signer, "{%p for line in signer.authority_lines %}")
    _para(signer, "{{ line }}", "CCHC Signer")
    _tag(signer, "{%p endfor %}")
    _para(signer, "{{ signer.title_upper }}", "CCHC Signer")
    for _ in range(4):
        _para(signer, "", "CCHC Signer")
    _para(signer, "{{ signer.name }}", "CCHC Signer")


def _annex(doc) -> None:
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    _page(section, landscape=True, restart_numbering=True)
    _para(doc, "Phụ lục", "CCHC Annex Label")
    _para(doc, "KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ CẢI CÁCH HÀNH CHÍNH {{ report.name_upper }}", "CCHC Annex Title")
    _para(doc, "(Kèm theo Báo cáo số " + NUMBER + " {{ report.date_long }} của {{ org.issuer }})", "CCHC Annex Note")
    widths = [1.2, 6.8, 2.6, 3.0, 2.5, 2.9, 3.8, 2.4]  # 25.2 cm: the landscape text block
    table = _table(doc, 7, widths, borders=True, style="Table Grid")
    heads = ["STT", "Nội dung nhiệm vụ", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời hạn", "Tiến độ / kết quả",
             "Sản phẩm / tài liệu kiểm chứng", "Ghi chú"]
    for cell, text in zip(table.rows[0].cells, heads):
        _cell_para(cell, text, "CCHC Cell Head", first=True)
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    _repeat_header(table.rows[0])
    _cell_para(table.rows[1].cells[0], "{%tr for g in groups %}", "CCHC Cell", first=True)
    # Each area opens with a row across the table: its number and title, as in the plan.
    group = table.rows[2].cells[0].merge(table.rows[2].cells[-1])
    _cell_para(group, "{{ g.label }}", "CCHC Cell", first=True, bold=True)
    _keep_row(table.rows[2])
    _cell_para(table.rows[3].cells[0], "{%tr for t in g.tasks %}", "CCHC Cell", first=True)
    row = table.rows[4].cells
    _cell_para(row[0], "{{ t.id }}", "CCHC Cell Head", first=True, bold=False)
    _cell_para(row[1], "{{ t.title }}", "CCHC Cell", first=True)
    _cell_para(row[2], "{{ t.lead }}", "CCHC Cell", first=True)
    _cell_para(row[3], "{{ t.support_text }}", "CCHC Cell", first=True)
    _cell_para(row[4], "{{ t.deadline }}", "CCHC Cell Head", first=True, bold=False)
    _cell_para(row[5], "{% if t.is_done %}Đã hoàn thành ngày {{ t.done_on }}"
                       "{% if not t.has_evidence %} (chưa có tài liệu kiểm chứng){% endif %}"
                       "{% elif t.is_late %}Chậm tiến độ, "
                       "{% if t.percent_value %}đạt {{ t.percent }}{% else %}chưa triển khai{% endif %}"
                       "{% elif t.is_ongoing %}Đang thực hiện, đạt {{ t.percent }}"
                       "{% else %}Chưa triển khai{% endif %}", "CCHC Cell", first=True)
    _cell_para(row[6], "{{ t.output }}{% if t.output and t.evidence %}. {% endif %}"
                       "{% if t.evidence %}Kiểm chứng: {{ t.evidence_text }}{% endif %}", "CCHC Cell", first=True)
    _cell_para(row[7], "{{ t.last_note }}", "CCHC Cell", first=True)
    _keep_row(table.rows[4])
    _cell_para(table.rows[5].cells[0], "{%tr endfor %}", "CCHC Cell", first=True)
    _cell_para(table.rows[6].cells[0], "{%tr endfor %}", "CCHC Cell", first=True)
    # Changes made with --amend-submitted to reports already sent are told in the next report.
    _tag(doc, "{%p if submission.amendments %}")
    _para(doc, "Ghi chú: số liệu các báo cáo đã gửi được điều chỉnh như sau:", "CCHC Body")
    _tag(doc, "{%p for a in submission.amendments %}")
    _para(doc, "- Báo cáo số {{ a.number }} ({{ a.period }}), điều chỉnh ngày {{ a.date }}: {{ a.change }}. "
               "Lý do: {{ a.reason }}.", "CCHC Body")
    _tag(doc, "{%p endfor %}")
    _tag(doc, "{%p endif %}")


def build(path: Path = OUT) -> Path:
    doc = Document()
    _setup_styles(doc)
    _setup_settings(doc)
    first = doc.sections[0]
    _page(first)
    _page_number(doc, first.header)
    first.first_page_header.paragraphs[0].style = doc.styles["CCHC Page Number"]

    _letterhead(doc)
    _para(doc, "BÁO CÁO", "CCHC Doc Type")
    _para(doc, "Kết quả thực hiện công tác cải cách hành chính {{ report.name }}", "CCHC Summary")
    _rule(doc, 4.0, TEXT_WIDTH_CM)
    intro = _para(doc, "Thực hiện {{ plan.title }}{% if plan.number %} số {{ plan.number }}{% endif %}"
                       "{% if plan.date %} ngày {{ plan.date }}{% endif %} của {{ org.issuer }}, "
                       "{{ org.issuer }} báo cáo kết quả thực hiện công tác cải cách hành chính {{ report.name }} "
                       "(số liệu tính từ ngày {{ report.start }} đến ngày {{ report.data_end }}) như sau:")
    intro.paragraph_format.space_before = Pt(12)

    # Part I draws on the areas the plan marks `direction: true`; part II on the others, under the plan's
    # own numbers, so a heading "2. Cải cách thể chế" matches the annex's 2.a, 2.b.
    _para(doc, "I. CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CCHC", "CCHC Heading 1")
    _tag(doc, "{%p for area in direction %}")
    _tag(doc, "{%p if direction|length > 1 %}")
    _para(doc, "{{ loop.index }}. {{ area.title }}", "CCHC Heading 2")
    _tag(doc, "{%p endif %}")
    _task_lists(doc, "area")
    _tag(doc, "{%p endfor %}")
    _tag(doc, "{%p if not direction %}")
    _para(doc, DIRECTION_PLACEHOLDER, italic=True, highlight=WD_COLOR_INDEX.YELLOW)
    _tag(doc, "{%p endif %}")

    _para(doc, "II. KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ CCHC", "CCHC Heading 1")
    _tag(doc, "{%p for area in results %}")
    _para(doc, "{{ area.number }}. {{ area.title }}", "CCHC Heading 2")
    _task_lists(doc, "area")
    _tag(doc, "{%p endfor %}")
    _para(doc, "{{ targets_number }}. Kết quả thực hiện các chỉ tiêu của Kế hoạch", "CCHC Heading 2")
    _targets(doc)

    _para(doc, "III. ĐÁNH GIÁ CHUNG", "CCHC Heading 1")
    _para(doc, "1. Ưu điểm", "CCHC Heading 2")
    _narrative(doc, "achievements")
    _para(doc, "2. Tồn tại, hạn chế và nguyên nhân", "CCHC Heading 2")
    _para(doc, "a) Tồn tại, hạn chế", "CCHC Heading 3")
    _narrative(doc, "shortcomings")
    _para(doc, "b) Nguyên nhân", "CCHC Heading 3")
    _narrative(doc, "causes")

    _para(doc, "IV. PHƯƠNG HƯỚNG, NHIỆM VỤ TRỌNG TÂM KỲ TỚI", "CCHC Heading 1")
    _tag(doc, "{%p if report.annual %}")
    _para(doc, "Các nhiệm vụ chưa hoàn thành trong năm {{ plan.year }}, tiếp tục thực hiện trong {{ next.name }}:")
    _tag(doc, "{%p else %}")
    _para(doc, "Trong {{ next.name }}, {{ org.issuer }} tập trung thực hiện các nhiệm vụ sau:")
    _tag(doc, "{%p endif %}")
    # One line per task (id, shortened title, deadline), grouped by area: a list to act on, not the plan again.
    _tag(doc, "{%p for g in next.groups %}")
    _para(doc, "{{ g.label }}", "CCHC Heading 3")
    _tag(doc, "{%p for t in g.tasks %}")
    _para(doc, "- {{ t.id }}: {{ t.short_title }} ({{ t.lead }}; hạn {% if t.due %}{{ t.due }}"
               "{% else %}{{ t.deadline }}{% endif %}).")
    _tag(doc, "{%p endfor %}")
    _tag(doc, "{%p endfor %}")
    _tag(doc, "{%p if not next.tasks %}")
    _para(doc, "- Tiếp tục thực hiện các nhiệm vụ thường xuyên theo Kế hoạch.")
    _tag(doc, "{%p endif %}")
    _tag(doc, "{%p if late_tasks and not report.annual %}")
    _para(doc, "Khẩn trương hoàn thành các nhiệm vụ còn chậm tiến độ:")
    _tag(doc, "{%p for t in late_tasks %}")
    _para(doc, "- {{ t.id }}: {{ t.short_title }} ({{ t.lead }}; hạn {{ t.final_deadline }}).")
    _tag(doc, "{%p endfor %}")
    _tag(doc, "{%p endif %}")

    _para(doc, "V. ĐỀ XUẤT, KIẾN NGHỊ", "CCHC Heading 1")
    _narrative(doc, "proposals")
    _para(doc, "Trên đây là báo cáo kết quả thực hiện công tác cải cách hành chính {{ report.name }} "
               "của {{ org.issuer }}./.")
    _closing(doc)
    _annex(doc)
    doc.save(str(path))
    return path


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else OUT
    build(out)
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
