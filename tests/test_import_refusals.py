"""What `cchc import` refuses: one line, an exit code, and nothing written."""

from __future__ import annotations

import zipfile

import pytest

from cchc import importer_source
from conftest import FIXTURES, run

SEED = FIXTURES / "seed" / "ke-hoach-cchc-2023-so-khcn.txt"


def refused(tmp_path, document, code=1):
    target = tmp_path / "out" / "plan.yaml"
    target.parent.mkdir(exist_ok=True)
    result = run("import", document, "-o", target)
    assert result.exit_code == code, result.stderr
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert not any(target.parent.iterdir())
    return result.stderr.strip()


def test_a_document_that_is_not_a_plan(tmp_path):
    letter = tmp_path / "cong-van.txt"
    letter.write_text("CÔNG VĂN\n\nVề việc cử cán bộ dự tập huấn\n\nKính gửi: Các phòng, đơn vị.\n\n"
                      "Sở Nội vụ đề nghị các đơn vị cử cán bộ tham dự lớp tập huấn.\n", encoding="utf-8")
    assert refused(tmp_path, letter) == (
        f"lỗi: {letter}: không phải một kế hoạch CCHC (không thấy mục nhiệm vụ có các lĩnh vực 1., 2., … và nhiệm vụ "
        "a), b), …); không ghi tệp nào")


def test_a_word_document_that_is_not_a_plan(tmp_path):
    import docx

    path = tmp_path / "bao-cao.docx"
    document = docx.Document()
    document.add_paragraph("BÁO CÁO")
    document.add_paragraph("Kết quả công tác tháng 3 năm 2024")
    document.save(str(path))
    assert "không phải một kế hoạch CCHC" in refused(tmp_path, path)


def test_an_existing_output_is_left_alone(tmp_path):
    target = tmp_path / "plan_2023.yaml"
    target.write_bytes(b"# my plan\n")
    result = run("import", SEED, "-o", target)
    assert (result.exit_code, result.stderr) == (
        1, f"lỗi: {target} đã có; không ghi đè. Xóa tệp đó hoặc chọn tệp khác bằng --output\n")
    assert target.read_bytes() == b"# my plan\n"


def test_text_over_the_size_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(importer_source, "MAX_TEXT_BYTES", 1024 * 1024)
    big = tmp_path / "ke-hoach.txt"
    big.write_bytes(SEED.read_bytes() * 93)  # 1.5 MB
    assert refused(tmp_path, big) == f"lỗi: {big}: tệp quá lớn cho một kế hoạch (1,5 MB, tối đa 1 MB); không đọc"


def test_a_docx_zip_bomb_is_refused_before_it_is_inflated(tmp_path, monkeypatch):
    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        with z.open("word/document.xml", "w") as member:
            chunk = b"\0" * (1 << 20)
            for _ in range(120):  # 120 MB of zeros, about 120 KB on disk
                member.write(chunk)
    assert bomb.stat().st_size < 1_000_000

    def never(*_args, **_kwargs):
        raise AssertionError("python-docx opened the bomb")

    import docx

    monkeypatch.setattr(docx, "Document", never)
    assert refused(tmp_path, bomb) == (f"lỗi: {bomb}: tệp .docx giải nén ra quá lớn (120 MB, tối đa 100 MB) hoặc quá "
                                      "nhiều phần; không đọc")


@pytest.mark.parametrize("content", [b"PK\x03\x04 not really a zip", b"plain text"])
def test_a_damaged_docx(tmp_path, content):
    path = tmp_path / "hong.docx"
    path.write_bytes(content)
    assert refused(tmp_path, path) == f"lỗi: {path}: không phải tệp Word .docx hợp lệ"


def test_text_that_is_not_utf8(tmp_path):
    path = tmp_path / "ke-hoach.txt"
    path.write_bytes(b"K\xc3 HO\xc3CH n\xe3m 2024")  # Vietnamese in a Windows code page
    assert "không phải văn bản UTF-8" in refused(tmp_path, path)


def test_other_kinds_of_file_are_a_usage_error(tmp_path):
    pdf = tmp_path / "ke-hoach.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    assert refused(tmp_path, pdf, code=2) == (
        f"lỗi: {pdf}: chỉ nhập được tệp .docx (Word) hoặc .txt (văn bản lấy từ PDF); chuyển PDF sang văn bản trước: "
        "pdftotext -enc UTF-8 ke-hoach.pdf")
    old_word = tmp_path / "ke-hoach.doc"
    old_word.write_bytes(b"\xd0\xcf\x11\xe0")
    assert refused(tmp_path, old_word, code=2).endswith("; mở tệp bằng Word hoặc LibreOffice và lưu lại dạng .docx")
    assert refused(tmp_path, tmp_path / "none.txt", code=2) == f"lỗi: {tmp_path / 'none.txt'}: không tìm thấy tệp"


def test_english_messages(tmp_path):
    letter = tmp_path / "x.txt"
    letter.write_text("Xin chào\n", encoding="utf-8")
    result = run("import", letter, "-o", tmp_path / "p.yaml", "--lang", "en")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {letter}: not a CCHC plan")


def test_an_output_folder_that_does_not_exist(tmp_path):
    target = tmp_path / "khong-co" / "plan.yaml"
    result = run("import", SEED, "-o", target)
    assert (result.exit_code, result.stderr) == (2, f"lỗi: {target}: không có thư mục {target.parent}\n")


def test_text_with_more_paragraphs_than_a_plan(tmp_path, monkeypatch):
    monkeypatch.setattr(importer_source, "MAX_BLOCKS", 50)
    assert refused(tmp_path, SEED) == f"lỗi: {SEED}: văn bản quá dài cho một kế hoạch (69 đoạn, tối đa 50); không đọc"


def test_a_file_that_appears_while_writing_is_not_replaced(tmp_path, monkeypatch):
    from cchc import importer, outputs

    target = tmp_path / "plan_2023.yaml"
    imported = importer.import_document(SEED)
    target.write_bytes(b"# written by someone else meanwhile\n")
    # as if it appeared after every check, just before the rename
    monkeypatch.setattr(importer.os.path, "lexists", lambda _path: False)
    monkeypatch.setattr(outputs, "check_output", lambda path, **_kwargs: path)
    with pytest.raises(importer.Refused):
        importer.write_new_plan(imported, target)
    assert target.read_bytes() == b"# written by someone else meanwhile\n"
    assert [p.name for p in tmp_path.iterdir()] == ["plan_2023.yaml"]  # the temporary file is gone


def test_a_new_plan_gets_the_usual_permissions(tmp_path):
    import os
    import stat

    from cchc import importer

    umask = os.umask(0o022)
    try:
        importer.write_new_plan(importer.import_document(SEED), tmp_path / "plan_2023.yaml")
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "plan_2023.yaml").stat().st_mode) == 0o644
