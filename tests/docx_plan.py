"""A district People's Committee's CCHC plan for 2024 as a Word document, built with python-docx.

It has what issued plans have and the bundled seed lacks: a letterhead table, a signature table
beside "Nơi nhận", an annex table of tasks (with a two-row header and a merged area row), a
section cchc has no field for, a line break (Shift+Enter) inside a task, and Word's automatic
numbering: area 1's tasks are lettered by a list definition ("%1)"), the duties by the "List
Number" style, so their "a)" and "1." exist only as Word draws them.
"""

from __future__ import annotations

from pathlib import Path

LETTERHEAD = (["ỦY BAN NHÂN DÂN", "HUYỆN CHÂU ĐỨC", "", "Số: 25/KH-UBND"],
              ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "",
               "Châu Đức, ngày 15 tháng 01 năm 2024"])

BODY = [
    "KẾ HOẠCH",
    "Cải cách hành chính huyện Châu Đức năm 2024",
    "Căn cứ Quyết định số 4120/QĐ-UBND ngày 28/12/2023 của UBND tỉnh Bà Rịa - Vũng Tàu ban hành Kế hoạch cải "
    "cách hành chính nhà nước tỉnh Bà Rịa - Vũng Tàu năm 2024;",
    "Căn cứ Nghị quyết số 76/NQ-CP ngày 15/7/2021 của Chính phủ ban hành Chương trình tổng thể cải cách hành "
    "chính nhà nước giai đoạn 2021-2030;",
    "Ủy ban nhân dân huyện ban hành Kế hoạch cải cách hành chính năm 2024 như sau:",
    "I. MỤC ĐÍCH, YÊU CẦU",
    "1. Mục đích",
    "- Nâng cao chất lượng phục vụ người dân, doanh nghiệp; tỷ lệ hồ sơ giải quyết đúng hạn đạt tỷ lệ 98%.",
    "- Phấn đấu chỉ số CCHC của huyện xếp Top 3 các huyện, thị xã, thành phố.",
    "2. Yêu cầu",
    "- Các cơ quan, đơn vị triển khai đúng tiến độ, có tài liệu kiểm chứng.",
    "II. NHIỆM VỤ TRỌNG TÂM",
    "1. Cải cách thể chế",
    "#letter Rà soát, hệ thống hóa văn bản quy phạm pháp luật do HĐND, UBND huyện ban hành.",
    "#letter Kiểm tra việc thi hành pháp luật về xử lý vi phạm hành chính.",
    "2. Cải cách thủ tục hành chính",
    "a) Niêm yết công khai, đầy đủ thủ tục hành chính tại Bộ phận một cửa.",
    "b) Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính.",
    "c) Tiếp nhận, xử lý phản ánh, kiến nghị\nvề quy định hành chính.",
    "d) Rút ngắn thời gian giải quyết thủ tục hành chính.",
    "đ) Khảo sát sự hài lòng của người dân, doanh nghiệp.",
    "e) Đơn giản hóa thủ tục hành chính nội bộ.",
    "III. KINH PHÍ THỰC HIỆN",
    "Kinh phí thực hiện từ ngân sách huyện năm 2024.",
    "IV. TỔ CHỨC THỰC HIỆN",
    "#number Phòng Nội vụ chủ trì theo dõi, đôn đốc, tổng hợp báo cáo kết quả thực hiện Kế hoạch này.",
    "#number Các cơ quan, đơn vị căn cứ Kế hoạch này triển khai thực hiện.",
]

CLOSING = (["Nơi nhận:", "- Sở Nội vụ tỉnh (B/c);", "- TT Huyện ủy, TT HĐND huyện;", "- Các cơ quan, đơn vị;",
            "- Lưu: VT."],
           ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "", "", "Nguyễn Thị Minh Hà"])

ANNEX_HEADER = (["STT", "Nội dung nhiệm vụ", "Đơn vị thực hiện", "Đơn vị thực hiện", "Thời gian hoàn thành",
                 "Sản phẩm"],
                ["STT", "Nội dung nhiệm vụ", "Chủ trì", "Phối hợp", "Thời gian hoàn thành", "Sản phẩm"])
ANNEX_ROWS = [
    ["1", "Cải cách thể chế", "", "", "", ""],
    ["a", "Rà soát, hệ thống hóa văn bản quy phạm pháp luật", "Phòng Tư pháp", "Các cơ quan, đơn vị",
     "Quý II/2024", "Báo cáo kết quả rà soát"],
    ["b", "Kiểm tra việc thi hành pháp luật về xử lý vi phạm hành chính", "Phòng Tư pháp", "Phòng Nội vụ",
     "30/11/2024", "Kết luận kiểm tra"],
    ["merged", "2. Cải cách thủ tục hành chính"],
    ["a", "Niêm yết công khai, đầy đủ thủ tục hành chính tại Bộ phận một cửa",
     "Văn phòng HĐND và UBND huyện", "UBND các xã, thị trấn", "Thường xuyên", "Danh mục TTHC được niêm yết"],
    ["b", "Số hóa hồ sơ, kết quả giải quyết TTHC", "Văn phòng HĐND và UBND huyện",
     "Phòng Nội vụ, UBND các xã, thị trấn", "Hằng quý", "Báo cáo số hóa"],
    ["c", "Tiếp nhận, xử lý phản ánh, kiến nghị về quy định hành chính", "Văn phòng HĐND và UBND huyện", "",
     "Tháng 6/2024", ""],
    ["d", "Rút ngắn thời gian giải quyết TTHC", "Phòng Nội vụ; Văn phòng HĐND và UBND huyện", "", "Năm 2024",
     "Danh mục TTHC rút ngắn thời gian"],
    ["đ", "Khảo sát sự hài lòng của người dân, doanh nghiệp", "Phòng Nội vụ", "", "Quý IV/2024",
     "Báo cáo kết quả khảo sát"],
    ["g", "Tập huấn nghiệp vụ kiểm soát thủ tục hành chính", "Phòng Nội vụ", "", "Tháng 9/2024", "Hội nghị tập huấn"],
]


def _cell_lines(cell, lines: list[str]) -> None:
    cell.paragraphs[0].text = lines[0]
    for line in lines[1:]:
        cell.add_paragraph(line)


def _letter_list(document) -> str:
    """A list definition lettering its items a) b) c) …, as Word's Numbering button makes one."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    numbering = document.part.numbering_part.element
    numbering.insert(0, parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90"><w:lvl w:ilvl="0"><w:start w:val="1"/>'
        '<w:numFmt w:val="lowerLetter"/><w:lvlText w:val="%1)"/></w:lvl></w:abstractNum>'))
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    return "90"


def _number_with(paragraph, num_id: str) -> None:
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    paragraph._p.get_or_add_pPr().append(parse_xml(
        f'<w:numPr {nsdecls("w")}><w:ilvl w:val="0"/><w:numId w:val="{num_id}"/></w:numPr>'))


def build(path: Path) -> Path:
    import docx

    document = docx.Document()
    letters = _letter_list(document)
    head = document.add_table(rows=1, cols=2)
    for cell, lines in zip(head.rows[0].cells, LETTERHEAD):
        _cell_lines(cell, lines)
    for text in BODY:
        paragraph = document.add_paragraph()
        if text.startswith("#letter "):
            text = text.removeprefix("#letter ")
            _number_with(paragraph, letters)
        elif text.startswith("#number "):
            text = text.removeprefix("#number ")
            paragraph.style = document.styles["List Number"]
        for i, line in enumerate(text.split("\n")):
            if i:
                paragraph.add_run().add_break()
            paragraph.add_run(line)
    closing = document.add_table(rows=1, cols=2)
    for cell, lines in zip(closing.rows[0].cells, CLOSING):
        _cell_lines(cell, lines)
    document.add_paragraph("PHỤ LỤC CÁC NHIỆM VỤ CẢI CÁCH HÀNH CHÍNH NĂM 2024")
    document.add_paragraph("(Kèm theo Kế hoạch số 25/KH-UBND ngày 15/01/2024 của UBND huyện Châu Đức)")
    annex = document.add_table(rows=0, cols=6)
    header = [annex.add_row() for _ in ANNEX_HEADER]
    for row, texts in zip(header, ANNEX_HEADER):
        for cell, text in zip(row.cells, texts):
            cell.text = text
    header[0].cells[2].merge(header[0].cells[3]).text = "Đơn vị thực hiện"
    for texts in ANNEX_ROWS:
        row = annex.add_row()
        if texts[0] == "merged":
            row.cells[0].merge(row.cells[5]).text = texts[1]
        else:
            for cell, text in zip(row.cells, texts):
                cell.text = text
    document.save(str(path))
    return path
