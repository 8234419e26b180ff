"""`cchc import` of a Word document: a district UBND's 2024 plan with letterhead, annex and signature tables."""

from __future__ import annotations

import datetime as dt

import pytest

from cchc.planfile import load
from conftest import run
from docx_plan import build


@pytest.fixture(scope="module")
def district(tmp_path_factory):
    folder = tmp_path_factory.mktemp("district")
    document = build(folder / "ke-hoach-cchc-2024.docx")
    target = folder / "plan_2024.yaml"
    result = run("import", document, "-o", target)
    assert result.exit_code == 0, result.stderr
    return document, target, result, load(target).plan


def test_validates_and_reads_the_letterhead(district):
    _document, target, _result, plan = district
    assert run("validate", target).exit_code == 0
    info = plan.plan
    assert (info.year, info.number, info.date, info.place) == (2024, "25/KH-UBND", dt.date(2024, 1, 15), "Châu Đức")
    assert (info.issuer, info.issuer_short, info.parent) == \
        ("UBND huyện Châu Đức", "UBND", "UBND tỉnh Bà Rịa - Vũng Tàu")
    assert info.title == "Kế hoạch cải cách hành chính huyện Châu Đức năm 2024"
    assert [(b.type, b.number, b.date, b.issuer) for b in info.legal_bases] == [
        ("Quyết định", "4120/QĐ-UBND", dt.date(2023, 12, 28), "UBND tỉnh Bà Rịa - Vũng Tàu"),
        ("Nghị quyết", "76/NQ-CP", dt.date(2021, 7, 15), "Chính phủ")]


def test_signature_table_beside_the_recipients(district):
    plan = district[3]
    assert plan.plan.recipients == ["Sở Nội vụ tỉnh (B/c);", "TT Huyện ủy, TT HĐND huyện;", "Các cơ quan, đơn vị;",
                                    "Lưu: VT."]
    signer = plan.plan.signer
    assert (signer.authority, signer.title, signer.name) == \
        (["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH"], "Phó Chủ tịch", "Nguyễn Thị Minh Hà")
    assert plan.plan.report_to == "Sở Nội vụ tỉnh"


def test_tasks_owners_and_deadlines_from_the_annex(district):
    plan = district[3]
    assert [t.id for t in plan.all_tasks()] == ["1.a", "1.b", "2.a", "2.b", "2.c", "2.d", "2.đ", "2.e", "2.g",
                                                "IV.1", "IV.2"]
    assert plan.task("2.c").title == "Tiếp nhận, xử lý phản ánh, kiến nghị về quy định hành chính."  # Shift+Enter
    rows = {t.id: (t.lead, t.support, t.deadline if isinstance(t.deadline, dt.date) else t.deadline.value, t.output)
            for t in plan.all_tasks()}
    assert rows["1.a"] == ("TP", ["ALL"], dt.date(2024, 6, 30), "Báo cáo kết quả rà soát")
    assert rows["1.b"] == ("TP", ["NV"], dt.date(2024, 11, 30), "Kết luận kiểm tra")
    assert rows["2.a"] == ("VPHU", ["UBNDXTT"], "year-round", "Danh mục TTHC được niêm yết")
    assert rows["2.b"] == ("VPHU", ["NV", "UBNDXTT"], "quarterly", "Báo cáo số hóa")
    assert rows["2.c"] == ("VPHU", [], dt.date(2024, 6, 30), "")
    assert rows["2.d"] == ("NV", ["VPHU"], dt.date(2024, 12, 31), "Danh mục TTHC rút ngắn thời gian")
    assert rows["2.đ"] == ("NV", [], dt.date(2024, 12, 31), "Báo cáo kết quả khảo sát")
    # in the body but not in the annex: chosen by cchc; in the annex only: added as the next letter
    assert rows["2.e"] == ("NV", ["ALL"], dt.date(2024, 12, 31), "")
    assert rows["2.g"] == ("NV", [], dt.date(2024, 9, 30), "Hội nghị tập huấn")
    assert rows["IV.1"][0] == "NV"


def test_word_automatic_numbering_is_read_as_word_shows_it(district):
    import docx

    document, _target, _result, plan = district
    texts = [p.text for p in docx.Document(str(document)).paragraphs]
    assert "Rà soát, hệ thống hóa văn bản quy phạm pháp luật do HĐND, UBND huyện ban hành." in texts  # no "a)"
    assert "Phòng Nội vụ chủ trì theo dõi, đôn đốc, tổng hợp báo cáo kết quả thực hiện Kế hoạch này." in texts
    assert plan.task("1.a").title.startswith("Rà soát") and plan.task("IV.1").title.startswith("Phòng Nội vụ")


def test_owner_names_become_units_marked_to_confirm(district):
    _document, target, _result, plan = district
    assert plan.units == {"NV": "Phòng Nội vụ", "TP": "Phòng Tư pháp", "VPHU": "Văn phòng HĐND và UBND huyện",
                          "UBNDXTT": "UBND các xã, thị trấn"}
    lines = target.read_text(encoding="utf-8").splitlines()
    for key, name in plan.units.items():
        comment = lines[lines.index(f"  {key}: {name}") - 1]
        assert comment.startswith(f"  # mã {key} do cchc đặt cho “{name}”") and comment.endswith("kiểm tra lại")


def test_what_was_converted_is_commented(district):
    _document, target, _result, _plan = district
    lines = target.read_text(encoding="utf-8").splitlines()

    def comment_above(line: str) -> str:
        return lines[lines.index(line) - 1]

    assert comment_above("  issuer: UBND huyện Châu Đức") == \
        "  # từ quốc hiệu “ỦY BAN NHÂN DÂN HUYỆN CHÂU ĐỨC”, đổi chữ in hoa; kiểm tra lại"
    assert comment_above("    title: Phó Chủ tịch") == "    # chức vụ viết lại từ “PHÓ CHỦ TỊCH”; kiểm tra lại"
    assert comment_above("        deadline: 2024-06-30").endswith("“Quý II/2024”; kiểm tra lại")
    assert comment_above("        lead: TP") == "        # phụ lục ghi phối hợp “Các cơ quan, đơn vị”: ALL (mọi đơn vị); kiểm tra lại"
    # read verbatim: no comment
    assert not comment_above("        deadline: 2024-11-30").lstrip().startswith("#")
    assert not comment_above("  place: Châu Đức").lstrip().startswith("#")


def test_sections_without_a_field_are_reported_with_paragraph_numbers(district):
    document, target, result, _plan = district
    err = result.stderr.splitlines()
    assert err[1] == "2 đoạn chưa xếp được vào kế hoạch (hãy xem và tự chép vào nếu cần):"
    assert err[2:4] == [f"{document}:¶31: III. KINH PHÍ THỰC HIỆN",
                        f"{document}:¶32: Kinh phí thực hiện từ ngân sách huyện năm 2024."]
    import docx

    paragraphs = [p.text for p in docx.Document(str(document)).paragraphs]
    # ¶ counts the letterhead table's 8 paragraphs first, then the body's paragraphs
    assert paragraphs[31 - 8 - 1] == "III. KINH PHÍ THỰC HIỆN"
    assert "¶31, ¶32" in target.read_text(encoding="utf-8").splitlines()[5]


def test_the_same_plan_printed_to_pdf_and_extracted_as_text(tmp_path):
    """What users do with a PDF: LibreOffice prints the Word plan, pdftotext extracts it, cchc imports the text."""
    import subprocess

    from conftest import require_tool

    soffice, pdftotext = require_tool("soffice"), require_tool("pdftotext")
    document = build(tmp_path / "ke-hoach.docx")
    subprocess.run([soffice, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(document)],
                   check=True, capture_output=True, timeout=180)
    text = tmp_path / "ke-hoach.txt"
    subprocess.run([pdftotext, "-enc", "UTF-8", str(tmp_path / "ke-hoach.pdf"), str(text)], check=True, timeout=60)
    target = tmp_path / "plan_2024.yaml"
    result = run("import", text, "-o", target)
    assert result.exit_code == 0, result.stderr
    plan = load(target).plan
    assert [t.id for t in plan.all_tasks()] == ["1.a", "1.b", "2.a", "2.b", "2.c", "2.d", "2.đ", "2.e", "IV.1", "IV.2"]
    assert plan.task("1.a").title == "Rà soát, hệ thống hóa văn bản quy phạm pháp luật do HĐND, UBND huyện ban hành."
    assert [(b.number, b.date) for b in plan.plan.legal_bases] == [("4120/QĐ-UBND", dt.date(2023, 12, 28)),
                                                                   ("76/NQ-CP", dt.date(2021, 7, 15))]
    signer = plan.plan.signer
    assert (signer.authority, signer.title, signer.name) == \
        (["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH"], "Phó Chủ tịch", "Nguyễn Thị Minh Hà")
    assert plan.plan.recipients[-1] == "Lưu: VT."
    assert (plan.plan.number, plan.plan.date) == ("25/KH-UBND", dt.date(2024, 1, 15))
    # the annex printed as lines of text is not guessed at: its heading is reported, owners are chosen
    unplaced = [line for line in result.stderr.splitlines() if line.startswith(f"{text}:¶")]
    assert [line.split(": ", 1)[1] for line in unplaced] == [
        "III. KINH PHÍ THỰC HIỆN", "Kinh phí thực hiện từ ngân sách huyện năm 2024.",
        "PHỤ LỤC CÁC NHIỆM VỤ CẢI CÁCH HÀNH CHÍNH NĂM 2024"]


def test_tasks_given_only_in_the_annex(tmp_path):
    import docx

    document = docx.Document()
    for text in ("KẾ HOẠCH", "Cải cách hành chính năm 2024 của Phòng Giáo dục và Đào tạo", "I. MỤC ĐÍCH",
                 "- Thực hiện tốt công tác CCHC.", "II. NHIỆM VỤ", "Chi tiết tại Phụ lục kèm theo.",
                 "III. TỔ CHỨC THỰC HIỆN", "1. Tổ Văn phòng chủ trì theo dõi, tổng hợp."):
        document.add_paragraph(text)
    table = document.add_table(rows=0, cols=5)
    for texts in (["TT", "Nhiệm vụ", "Chủ trì", "Phối hợp", "Thời hạn"], ["I", "Cải cách thể chế", "", "", ""],
                  ["1", "Rà soát văn bản", "Tổ Văn phòng", "", "Quý II"],
                  ["2", "Tuyên truyền pháp luật", "Tổ Văn phòng", "Các trường", "Thường xuyên"],
                  ["II", "Cải cách TTHC", "", "", ""], ["1", "Công khai TTHC", "Bộ phận một cửa", "", "31/3/2024"]):
        for cell, text in zip(table.add_row().cells, texts):
            cell.text = text
    source = tmp_path / "ke-hoach.docx"
    document.save(str(source))
    result = run("import", source, "-o", tmp_path / "plan.yaml")
    assert result.exit_code == 0, result.stderr
    assert "chưa xếp được" not in result.stderr  # "Chi tiết tại Phụ lục" is understood
    plan = load(tmp_path / "plan.yaml").plan
    assert [(a.number, a.title) for a in plan.areas] == [(1, "Cải cách thể chế"), (2, "Cải cách TTHC")]
    assert [(t.id, t.title, t.lead, t.support) for t in plan.all_tasks()] == [
        ("1.a", "Rà soát văn bản", "TVP", []), ("1.b", "Tuyên truyền pháp luật", "TVP", ["T"]),
        ("2.a", "Công khai TTHC", "BPM", []), ("III.1", "Tổ Văn phòng chủ trì theo dõi, tổng hợp.", "TVP", [])]
    assert [plan.task(i).deadline for i in ("1.a", "2.a")] == [dt.date(2024, 6, 30), dt.date(2024, 3, 31)]
