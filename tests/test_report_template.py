"""The report template: reproducible from its script, uses only documented names, and an office can change it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import pytest

from conftest import MINIMAL_PLAN, PLAN_2023, PROGRESS_PLAN, ROOT, run
from test_report_content import SECTION_HEADINGS, body_texts, render

TEMPLATE = ROOT / "templates" / "bao-cao-cchc.docx"
README = ROOT / "templates" / "README.md"


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()
                if n.startswith("word/") and n.endswith(".xml") or n == "[Content_Types].xml"}


def test_checked_in_template_is_what_the_script_builds(tmp_path):
    from cchc.templates.build_report_template import build

    built = build(tmp_path / "built.docx")
    # Zip timestamps differ on every save: compare the XML parts.
    assert _parts(built) == _parts(TEMPLATE), "run: python templates/build_report_template.py"


def test_template_uses_only_names_of_the_context():
    import datetime as dt

    from docxtpl import DocxTemplate

    from cchc.planfile import load
    from cchc.report import _environment, build_context

    context = build_context(load(PROGRESS_PLAN).plan, 2, dt.date(2023, 12, 20))
    names = DocxTemplate(str(TEMPLATE)).get_undeclared_template_variables(jinja_env=_environment())
    assert names and names <= set(context)


def test_readme_documents_every_context_key():
    import datetime as dt

    from cchc.planfile import load
    from cchc.report import build_context

    context = build_context(load(PROGRESS_PLAN).plan, 2, dt.date(2023, 12, 20))
    readme = README.read_text(encoding="utf-8")
    documented = set(re.findall(r"`([a-z_]+(?:\.[a-z_]+)*)`", readme))

    def keys(prefix: str, value) -> list[str]:
        if isinstance(value, dict):
            out = []
            for k, v in value.items():
                out += [f"{prefix}{k}"] + keys(f"{prefix}{k}.", v)
            return out
        return []

    task_keys = set(context["tasks"][0])
    missing = [k for k in keys("", context) if k not in documented]
    missing += [f"t.{k}" for k in task_keys if f"t.{k}" not in documented]
    missing += [f"t.{k}" for k in context["targets"][0] if f"t.{k}" not in documented]
    missing += [f"area.{k}" for k in context["areas"][0] if f"area.{k}" not in documented]
    assert not missing


def test_context_is_plain_data(tmp_path):
    result = run("report", "-q", "1", "-p", PROGRESS_PLAN, "--as-of", "20/12/2023", "--context")
    assert result.exit_code == 0, result.stderr
    context = json.loads(result.stdout)
    assert context["report"]["name"] == "quý I năm 2023"
    assert context["org"]["issuer_upper"] == "SỞ KHOA HỌC VÀ CÔNG NGHỆ"
    assert [a["number"] for a in context["areas"]] == [1, 2, 3, 4, 5, 6, 7]
    assert context["areas"][0]["done"][0]["id"] == "1.a"
    assert context["targets"][0]["value"] == "88,2%"


def test_template_beside_the_plan_overrides_the_packaged_one(tmp_path, plan_copy):
    plan = plan_copy()
    (tmp_path / "templates").mkdir()
    own = docx.Document()
    own.add_paragraph("MẪU CỦA VĂN PHÒNG: {{ org.issuer }} — {{ report.name }}")
    own.save(str(tmp_path / "templates" / "bao-cao-cchc.docx"))
    doc = render(tmp_path / "out", 1, plan=plan)
    assert body_texts(doc) == ["MẪU CỦA VĂN PHÒNG: Sở Khoa học và Công nghệ — quý I năm 2023"]

    # --template wins over both.
    explicit = tmp_path / "khac.docx"
    other = docx.Document()
    other.add_paragraph("MẪU KHÁC {{ plan.year }}")
    other.save(str(explicit))
    doc = render(tmp_path / "out", 1, "--template", str(explicit), plan=plan, name="k.docx")
    assert body_texts(doc) == ["MẪU KHÁC 2023"]


def test_packaged_template_used_when_the_plan_has_none(tmp_path, plan_copy):
    doc = render(tmp_path / "out", 1, plan=plan_copy())
    assert SECTION_HEADINGS[0] in body_texts(doc)


def test_office_changes_wording_and_recipients_without_python(tmp_path):
    """The README's example: edit the template's text in Word (here with python-docx), render, see the change."""
    template = docx.Document(str(TEMPLATE))
    for paragraph in template.paragraphs:
        if paragraph.text == "V. ĐỀ XUẤT, KIẾN NGHỊ":
            paragraph.runs[0].text = "V. KIẾN NGHỊ VỚI CẤP TRÊN"
        if paragraph.text.startswith("Trên đây là báo cáo"):
            paragraph.runs[0].text = "Kính báo cáo {{ org.report_to }} xem xét./."
    closing = template.tables[-2]
    cell = closing.rows[0].cells[0]
    line = next(p for p in cell.paragraphs if p.text == "- {{ line }}")
    line.runs[0].text = "- {{ line }} (bản điện tử)"
    edited = tmp_path / "mau-moi.docx"
    template.save(str(edited))

    doc = render(tmp_path, 2, "--template", str(edited))
    texts = body_texts(doc)
    assert "V. KIẾN NGHỊ VỚI CẤP TRÊN" in texts and "V. ĐỀ XUẤT, KIẾN NGHỊ" not in texts
    assert "Kính báo cáo Sở Nội vụ xem xét./." in texts
    recipients = [p.text for p in doc.tables[-2].rows[0].cells[0].paragraphs if p.text.startswith("- ")]
    assert recipients[0] == "- Sở Nội vụ (B/c); (bản điện tử)"


def test_installed_package_finds_its_template(monkeypatch, tmp_path):
    # Without a source checkout, the template comes from the `cchc.templates` package data.
    import cchc
    from cchc import report

    monkeypatch.setattr(cchc, "__file__", str(tmp_path / "site-packages" / "cchc" / "__init__.py"))
    found = report.default_template()
    assert found.name == "bao-cao-cchc.docx" and found.is_file()
    assert found.resolve() == TEMPLATE.resolve()  # editable install: the package data is templates/


def test_report_on_real_and_minimal_plans(tmp_path):
    doc = render(tmp_path, 1, plan=PLAN_2023, as_of="10/03/2023")
    assert "Kết quả thực hiện công tác cải cách hành chính quý I năm 2023" in body_texts(doc)
    doc = render(tmp_path, 4, plan=MINIMAL_PLAN, name="min.docx")
    texts = body_texts(doc)
    assert all(h in texts for h in SECTION_HEADINGS)


def test_heavy_libraries_are_not_imported_by_status_or_report_module():
    code = ("import sys, cchc.cli, cchc.report, cchc.status; "
            "print(sorted(m for m in ('docx', 'docxtpl', 'jinja2', 'lxml') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"
