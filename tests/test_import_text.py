"""The pieces of `cchc import`: PDF lines back into paragraphs, "Căn cứ" clauses, targets, deadlines, keys."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cchc.importer import import_document
from cchc.importer_annex import read_deadline, split_owners, unit_key
from cchc.importer_header import name_from_capitals, parse_basis
from cchc.importer_targets import find_targets
from cchc.importer_text import join_lines
from cchc.planfile import load


def paragraphs(text: str) -> list[tuple[int, str]]:
    return [(p.n, p.text) for p in join_lines(text.split("\n"))]


def test_lines_are_joined_into_sentences_across_page_numbers_and_hyphens():
    text = ("a) Thực hiện theo Quyết định số 1046/QĐ-\n"
            "TTg ngày 06/9/2022 của Thủ tướng Chính phủ về phát triển kinh tế\n"
            "- xã hội của địa phương trong giai đoạn 2021- 2025, bảo đảm tiến độ được giao cho từng\n"
            "\n"
            "- 3 -\n"
            "\n"
            "   đơn vị  trong năm ( theo lộ trình ) .\n"
            "b) Việc tiếp theo.\n")
    assert paragraphs(text) == [
        (1, "a) Thực hiện theo Quyết định số 1046/QĐ-TTg ngày 06/9/2022 của Thủ tướng Chính phủ về phát triển kinh "
            "tế - xã hội của địa phương trong giai đoạn 2021-2025, bảo đảm tiến độ được giao cho từng đơn vị trong "
            "năm (theo lộ trình)."),
        (8, "b) Việc tiếp theo."),
    ]


def test_a_short_line_ends_a_paragraph_and_capitals_stand_alone():
    full = "x" * 70
    text = (f"KẾ HOẠCH\nCải cách hành chính năm 2024\nCăn cứ {full}\n{full}\nnăm 2023,\nỦy ban nhân dân huyện ban hành.\n"
            "GIÁM ĐỐC\nNguyễn Văn A")
    assert [n for n, _t in paragraphs(text)] == [1, 2, 3, 6, 7, 8]


def test_two_columns_on_one_line_are_split():
    text = "Nơi nhận:                                  KT. GIÁM ĐỐC\n- Sở Nội vụ;                       PHÓ GIÁM ĐỐC"
    assert [t for _n, t in paragraphs(text)] == ["Nơi nhận:", "KT. GIÁM ĐỐC", "- Sở Nội vụ;", "PHÓ GIÁM ĐỐC"]


@pytest.mark.parametrize("clause, parts", [
    ("Căn cứ Luật Tổ chức chính quyền địa phương ngày 19/6/2015",
     ("Luật", "", dt.date(2015, 6, 19), "", "Tổ chức chính quyền địa phương")),
    ("Nghị định số 61/2018/NĐ-CP ngày 23/4/2018 của Chính phủ về thực hiện cơ chế một cửa",
     ("Nghị định", "61/2018/NĐ-CP", dt.date(2018, 4, 23), "Chính phủ", "về thực hiện cơ chế một cửa")),
    ("Căn cứ Kế hoạch số 178/KH-UBND ngày 30/9/2022 của UBND tỉnh về thực hiện khâu đột phá",
     ("Kế hoạch", "178/KH-UBND", dt.date(2022, 9, 30), "UBND tỉnh", "về thực hiện khâu đột phá")),
])
def test_legal_basis_split_into_its_parts(clause, parts):
    basis = parse_basis(clause)
    assert (basis.type, basis.number, basis.date, basis.issuer, basis.title) == parts


def test_a_clause_without_a_date_is_not_a_basis():
    assert parse_basis("Căn cứ tình hình thực tế của địa phương") is None


def test_targets_in_a_sentence():
    found = find_targets("Phấn đấu tỷ lệ hồ sơ trực tuyến đạt 80%, giảm từ 35-40% thời gian; chỉ số SIPAS "
                         "(Top 5 tỉnh); PAPI nhóm 1.")
    assert [(t.name, t.kind, t.value) for t in found] == [
        ("Tỷ lệ hồ sơ trực tuyến", "percent", 80), ("Chỉ số SIPAS", "rank", 5), ("Chỉ số PAPI", "group", 1)]


@pytest.mark.parametrize("text, value", [
    ("Quý I/2024", dt.date(2024, 3, 31)), ("Trong quý III", dt.date(2024, 9, 30)),
    ("Tháng 2/2024", dt.date(2024, 2, 29)), ("Trước 15/10/2024", dt.date(2024, 10, 15)),
    ("Thường xuyên", "year-round"), ("Hàng tháng", "monthly"), ("6 tháng đầu năm", "half-yearly"),
    ("Năm 2024", dt.date(2024, 12, 31)), ("Khi có yêu cầu", None),
])
def test_deadlines_written_in_words(text, value):
    assert read_deadline(text, 2024) == value


def test_owner_cells_and_unit_keys():
    assert split_owners("Phòng Nội vụ, UBND các xã, thị trấn;\nCác phòng, đơn vị") == \
        ["Phòng Nội vụ", "UBND các xã, thị trấn", "Các phòng, đơn vị"]
    taken: set[str] = set()
    assert [unit_key(n, taken) for n in ("Văn phòng Sở", "Thanh tra Sở", "Phòng Tài chính - Kế hoạch",
                                         "Phòng Tư pháp", "Phòng Thông tin và Truyền thông", "Phòng Tài nguyên")] == \
        ["VP", "TTRA", "TCKH", "TP", "TTTT", "TN"]
    assert unit_key("Phòng Tư pháp", taken) == "TP2"


def test_names_in_capitals():
    assert name_from_capitals("SỞ GIÁO DỤC VÀ ĐÀO TẠO") == "Sở Giáo dục và Đào tạo"
    assert name_from_capitals("UBND TỈNH BÀ RỊA - VŨNG TÀU") == "UBND tỉnh Bà Rịa - Vũng Tàu"


def test_latin_lettering_and_repeated_area_numbers_are_put_right(tmp_path):
    source = tmp_path / "ke-hoach.txt"
    source.write_text("KẾ HOẠCH\nCải cách hành chính năm 2025\nII. NHIỆM VỤ\n1. Thể chế\na) Một.\nb) Hai.\nc) Ba.\n"
                      "d) Bốn.\ne) Năm.\nf) Sáu.\n1. Tổ chức bộ máy\na) Bảy.\n", encoding="utf-8")
    imported = import_document(source)
    target = tmp_path / "plan_2025.yaml"
    target.write_text(imported.text, encoding="utf-8")
    plan = load(target).plan
    assert [[t.id for t in a.tasks] for a in plan.areas] == [["1.a", "1.b", "1.c", "1.d", "1.e", "1.g"], ["2.a"]]
    lines = imported.text.splitlines()
    assert lines[lines.index("      - id: 1.g") + 1] == "        # bản gốc đánh “1.f”, cchc đặt mã 1.g; kiểm tra lại"
    assert lines[lines.index("  - number: 2") - 1] == \
        "    # bản gốc đánh số 1 (trùng lĩnh vực trước), cchc đặt số 2; kiểm tra lại"


def test_a_short_text_plan_with_its_letterhead_in_lines(tmp_path):
    source = tmp_path / "ke-hoach.txt"
    source.write_text(
        "UBND TỈNH ĐỒNG NAI\nSỞ TÀI NGUYÊN VÀ MÔI TRƯỜNG\nSố: 15/KH-STNMT\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
        "Độc lập - Tự do - Hạnh phúc\nĐồng Nai, ngày 05 tháng 01 năm 2025\nKẾ HOẠCH\nCẢI CÁCH HÀNH CHÍNH NĂM 2025\n"
        "Sở Tài nguyên và Môi trường xây dựng Kế hoạch cải cách hành chính năm 2025 như sau:\nI. MỤC TIÊU\n"
        "Hoàn thành 100% nhiệm vụ được giao.\nII. NHIỆM VỤ\n1. Cải cách thủ tục hành chính\n"
        "- Rà soát thủ tục hành chính.\n- Công khai thủ tục hành chính.\n", encoding="utf-8")
    target = tmp_path / "plan.yaml"
    target.write_text(import_document(source).text, encoding="utf-8")
    info = load(target).plan.plan
    assert (info.title, info.issuer, info.issuer_short, info.parent, info.number, info.place, info.date) == (
        "Kế hoạch cải cách hành chính năm 2025", "Sở Tài nguyên và Môi trường", "STNMT", "UBND tỉnh Đồng Nai",
        "15/KH-STNMT", "Đồng Nai", dt.date(2025, 1, 5))
    plan = load(target).plan
    assert [(t.id, t.title) for t in plan.all_tasks()] == [("1.a", "Rà soát thủ tục hành chính."),
                                                            ("1.b", "Công khai thủ tục hành chính.")]
    assert plan.objectives == ["Hoàn thành 100% nhiệm vụ được giao."]
    # no unit named anywhere: the issuer itself owns the tasks, to be confirmed
    assert plan.units == {"STNMT": "Sở Tài nguyên và Môi trường"} and plan.task("1.a").lead == "STNMT"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40))
def test_every_text_reads_back_as_itself(text):
    from pathlib import Path

    from cchc.importer_emit import scalar
    from cchc.planfile import parse_document

    assert parse_document(Path("t.yaml"), f"k: {scalar(text)}\n").data == {"k": text}


def test_comments_sit_above_their_field_and_never_split_the_marker():
    from cchc.importer_emit import Noted, render

    text, guesses = render({"plan": {"title": Noted("Tên", "chú thích " + "rất dài " * 30), "year": 2024},
                            "units": Noted({"VP": "Văn phòng"}, "danh mục", guess=False)}, ["đầu tệp"], "# modeline")
    lines = text.splitlines()
    assert lines[:3] == ["# modeline", "# đầu tệp", "plan:"]
    assert lines[-3:] == ["units:", "  # danh mục", "  VP: Văn phòng"]
    assert guesses == 1 and sum("kiểm tra lại" in line for line in lines) == 1
    assert lines[lines.index("  title: Tên") - 1].endswith("kiểm tra lại")


def test_a_draft_letterhead_without_number_or_day():
    from cchc.importer_header import parse_letterhead

    head = parse_letterhead(["UBND TỈNH BÀ RỊA - VŨNG TÀU", "SỞ KHOA HỌC VÀ CÔNG NGHỆ", "Số:      /KH-SKHCN",
                             "CỘNG HÒA XÃ HỘI CHỦ NGHĨA", "VIỆT NAM", "Bà Rịa - Vũng Tàu, ngày      tháng 01 năm 2024"])
    assert (head.bodies, head.number, head.place, head.date) == (
        ["UBND TỈNH BÀ RỊA - VŨNG TÀU", "SỞ KHOA HỌC VÀ CÔNG NGHỆ"], "/KH-SKHCN", "Bà Rịa - Vũng Tàu", None)


def test_control_characters_in_a_document_do_not_break_the_file(tmp_path):
    source = tmp_path / "ke-hoach.txt"
    source.write_text("KẾ HOẠCH\nCải cách hành chính năm 2024\u0085của Sở\x1bTư pháp\nII. NHIỆM VỤ\n"
                      "1. Thể chế\u2028mới\na) Rà\x7f soát.\n", encoding="utf-8")
    imported = import_document(source)  # validated: it would be refused if the text did not read back
    assert "Rà soát." in imported.text and "\x7f" not in imported.text
