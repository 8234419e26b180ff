"""`cchc report` safety: hostile text prints literally, bad templates fail cleanly, no half-written files."""

from __future__ import annotations

import zipfile
from pathlib import Path

import docx
import pytest

from conftest import PROGRESS_PLAN, run
from test_report_content import body_texts, render, table_with_header

HOSTILE_NOTE = 'Đào tạo & Bồi dưỡng <2025> "quý" {{ x }} {% for %}'  # task 4.a, in the fixture


def all_text(doc) -> str:
    parts = body_texts(doc)
    for table in doc.tables:
        for row in table.rows:
            parts.extend(c.text for c in row.cells)
    return "\n".join(parts)


def test_fixture_hostile_note_printed_literally(tmp_path):
    doc = render(tmp_path, 2)
    texts = body_texts(doc)
    assert any(t.endswith(f"đạt 25%. {HOSTILE_NOTE}.") for t in texts)
    annex = table_with_header(doc, "STT", "Nội dung nhiệm vụ")
    row = next(r for r in annex.rows if r.cells[0].text == "4.a")
    assert row.cells[7].text == HOSTILE_NOTE


def hostile_plan(tmp_path: Path) -> Path:
    text = PROGRESS_PLAN.read_text(encoding="utf-8")
    replacements = [
        ("    - GĐ, PGĐ Sở;\n", '    - "Phòng A & B <b>đậm</b> {{ org.issuer }};"\n'),
        ("            note: Chờ ý kiến góp ý của các phòng\n",
         "            note: \"Chờ ý kiến <i>nghiêng</i> & 'nháy' \\x01 {% if x %}y{% endif %}\"\n"),
        ("          - text: Kế hoạch số 12/KH-SKHCN ngày 10/3/2023\n",
         "          - text: \"Kế hoạch số 12/KH-SKHCN ]]> <![CDATA[ &amp; {#\"\n"),
        ("    name: Phạm Quang Nhật\n", "    name: \"Phạm <Quang> & Nhật\"\n"),
    ]
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / "plan_2023.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_hostile_values_everywhere_print_literally(tmp_path):
    plan = hostile_plan(tmp_path)
    doc = render(tmp_path, 2, plan=plan)
    text = all_text(doc)
    assert "- Phòng A & B <b>đậm</b> {{ org.issuer }};" in text
    assert "Chờ ý kiến <i>nghiêng</i> & 'nháy'  {% if x %}y{% endif %}" in text  # the control character dropped
    assert "Kế hoạch số 12/KH-SKHCN ]]> <![CDATA[ &amp; {#" in text
    assert "Phạm <Quang> & Nhật" in text
    # The markup-looking text is text: no run turned bold or italic by it.
    recipients = next(p for t in doc.tables for row in t.rows for c in row.cells for p in c.paragraphs
                      if p.text.startswith("- Phòng A & B"))
    assert not any(r.bold for r in recipients.runs)


def test_hostile_values_leave_well_formed_xml(tmp_path):
    from lxml import etree

    plan = hostile_plan(tmp_path)
    render(tmp_path, 4, plan=plan, name="r.docx")
    with zipfile.ZipFile(tmp_path / "r.docx") as z:
        for name in z.namelist():
            if name.endswith(".xml"):
                etree.fromstring(z.read(name))  # raises on malformed XML


# --- templates that go wrong ---------------------------------------------------------------------------

def make_template(path: Path, *paragraphs: str) -> Path:
    doc = docx.Document()
    for text in paragraphs:
        doc.add_paragraph(text)
    doc.save(str(path))
    return path


def report_with(tmp_path: Path, template: Path, out: Path | None = None):
    out = out or tmp_path / "out" / "r.docx"
    return run("report", "-q", "1", "-p", PROGRESS_PLAN, "--as-of", "20/12/2023", "-o", out, "--template", template), out


def _single_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


def test_unknown_name_is_reported_with_template_and_line(tmp_path):
    template = make_template(tmp_path / "mau.docx", "Kính gửi {{ org.report_to }}", "Dòng hai",
                             "Số liệu: {{ so_lieu_khong_co }}")
    result, out = report_with(tmp_path, template)
    assert result.exit_code == 1
    line = _single_line(result.stderr)
    assert "mau.docx:" in line
    where = line.split("mau.docx:", 1)[1].split(":", 1)[0]
    assert where.isdigit() and 1 <= int(where) <= 5
    assert "so_lieu_khong_co" in line
    assert "Số liệu: {{ so_lieu_khong_co }}" in line  # the paragraph, to find it in Word
    assert not out.exists()
    assert list(out.parent.iterdir()) == []  # no temporary file left behind


def test_unknown_field_is_an_error(tmp_path):
    template = make_template(tmp_path / "mau.docx", "{{ org.ten_sai }}")
    result, out = report_with(tmp_path, template)
    assert result.exit_code == 1
    assert "ten_sai" in _single_line(result.stderr) and not out.exists()


def test_syntax_error_is_reported_with_line(tmp_path):
    template = make_template(tmp_path / "mau.docx", "Mở đầu", "{% for area in areas %}", "{{ area.title }}")
    result, out = report_with(tmp_path, template)
    assert result.exit_code == 1
    line = _single_line(result.stderr)
    assert "mau.docx:" in line and "Jinja" in line
    assert not out.exists()


def test_failed_render_keeps_the_previous_report(tmp_path):
    out = tmp_path / "r.docx"
    out.write_bytes(b"previous report")
    template = make_template(tmp_path / "mau.docx", "{{ khong_co }}")
    result = run("report", "-q", "1", "-f", PROGRESS_PLAN, "--as-of", "20/12/2023", "-o", out, "--template", template,
                 "--force")  # asked to replace it, and still the old one stays when the render fails
    assert result.exit_code == 1
    assert out.read_bytes() == b"previous report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mau.docx", "r.docx"]


@pytest.mark.parametrize("expression", [
    "{{ org.issuer.__class__.__mro__ }}",  # reaching Python internals
    "{{ recipients.append('x') }}",  # changing the data
    "{{ 'a' * 100000000 }}",  # a huge string
    "{{ 10 ** 100000 }}",  # a huge number
])
def test_sandbox_refuses_unsafe_expressions(tmp_path, expression):
    template = make_template(tmp_path / "mau.docx", "Mở đầu", expression)
    result, out = report_with(tmp_path, template)
    assert result.exit_code == 1
    assert "mau.docx:" in _single_line(result.stderr)
    assert not out.exists()


def test_template_that_is_not_a_docx(tmp_path):
    template = tmp_path / "mau.docx"
    template.write_text("không phải tệp Word", encoding="utf-8")
    result, out = report_with(tmp_path, template)
    assert result.exit_code == 1
    assert "mau.docx" in _single_line(result.stderr) and not out.exists()


# --- usage errors ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("args", [
    ["--quarter", "5"],
    ["--quarter", "0"],
    [],  # no quarter at all
    ["--quarter", "1", "-o", "bao-cao.pdf"],
    ["--quarter", "1", "--template", "khong-co.docx"],
    ["--quarter", "3", "--as-of", "01/06/2023"],  # before the third-quarter period starts (15/06)
    ["--quarter", "1", "--as-of", "31/02/2023"],
])
def test_bad_usage_exits_2_with_one_line(tmp_path, monkeypatch, args):
    monkeypatch.chdir(tmp_path)
    result = run("report", "-p", PROGRESS_PLAN, *args)
    assert result.exit_code == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "reports").exists()


def test_default_output_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("report", "-q", "2", "-p", PROGRESS_PLAN, "--as-of", "20/12/2023")
    assert result.exit_code == 0, result.stderr
    out = Path("reports") / "bao-cao-cchc-2023-q2.docx"
    assert (tmp_path / out).is_file()
    assert result.stdout.strip() == str(out)
    assert "Đã ghi báo cáo 6 tháng đầu năm 2023" in result.stderr
    # The empty assessment is pointed out, one line per part, with the command that fills it.
    assert "Lưu ý [empty-narrative]: phần “Ưu điểm” của báo cáo 6 tháng đầu năm 2023 còn trống; viết bằng lệnh: " \
        "cchc note --period 2023-Q2 --section uu-diem “…”" in result.stderr
