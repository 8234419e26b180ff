"""Languages: Vietnamese by default, English with --lang en or CCHC_LANG=en, a complete catalogue."""

from __future__ import annotations

import gettext
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from babel.messages.pofile import read_po

from conftest import MINIMAL_PLAN, PROGRESS_PLAN, ROOT, run

PO = ROOT / "cchc" / "locale" / "en" / "LC_MESSAGES" / "cchc.po"
MO = PO.with_suffix(".mo")
sys.path.insert(0, str(ROOT / "scripts"))
import update_catalogue  # noqa: E402


def status(*args, env=None):
    result = run("status", "-p", PROGRESS_PLAN, "--as-of", "20/06/2023", *args, env=env)
    assert result.exit_code == 0, result.stderr
    return result.stdout.splitlines()


def test_status_in_english_with_lang_after_the_command():
    out = status("--lang", "en")
    assert out[0] == ("Kế hoạch công tác cải cách hành chính năm 2023 — Sở Khoa học và Công nghệ — "
                      "as of 20/06/2023")
    assert out[1].split() == ["Area", "Done", "In", "progress", "Not", "started", "Late", "Progress"]
    # The duties section's title is the plan's own text, like the areas' titles: not translated.
    assert out[10].startswith("III. Tổ chức thực hiện ") and out[11].startswith("Total ")
    assert "Late tasks" in out and "Tasks due within 30 days" in out
    assert any(line.startswith("Tỷ lệ hài lòng của người dân") and line.endswith("86.5%  not reached")  # English number style
               for line in out)


def test_english_with_the_environment_or_before_the_command():
    english = status("--lang", "en")
    assert status(env={"CCHC_LANG": "en"}) == english
    result = run("--lang", "en", "status", "-p", PROGRESS_PLAN, "--as-of", "20/06/2023")
    assert result.stdout.splitlines() == english


def test_vietnamese_is_the_default():
    out = status()
    assert out[1].split()[:2] == ["Lĩnh", "vực"]
    assert "Nhiệm vụ quá hạn" in out
    assert status("--lang", "vi") == out


def test_errors_in_english(tmp_path):
    broken = tmp_path / "plan.yaml"
    broken.write_text(MINIMAL_PLAN.read_text(encoding="utf-8").replace("percent: 40", "percent: 120"),
                      encoding="utf-8")
    result = run("validate", broken, "--lang", "en")
    assert result.exit_code == 1
    assert result.stdout == f"{broken}:39:22: error [bad-percent] a percentage must be between 0 and 100, not 120\n"
    missing = run("status", "-p", tmp_path / "none.yaml", "--lang", "en")
    assert (missing.exit_code, missing.stderr) == (2, f"error: {tmp_path / 'none.yaml'}: plan file not found\n")


def test_english_in_a_fresh_process():
    # The catalogue is found where the package is installed, not only in the test process.
    proc = subprocess.run([sys.executable, "-m", "cchc", "status", "-p", str(PROGRESS_PLAN), "--as-of",
                           "20/06/2023", "--lang", "en"], capture_output=True, text=True, encoding="utf-8")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[1].startswith("Area ")


def test_exports_stay_vietnamese(tmp_path):
    path = tmp_path / "ke-hoach.xlsx"
    assert run("export", "-p", PROGRESS_PLAN, "--xlsx", path, "--lang", "en").exit_code == 0
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[0] == "Nhiệm vụ"
    assert wb["Nhiệm vụ"]["I1"].value == "Trạng thái"
    assert wb["Nhiệm vụ"]["I2"].value == "hoàn thành"  # 1.a


# --- the catalogue ------------------------------------------------------------------------------

def source_msgids() -> list[str]:
    return [m.id for m in update_catalogue.extract() if m.id]


def catalogue():
    with open(PO, "rb") as f:
        return read_po(f, locale="en", domain="cchc")


def test_every_message_has_an_english_translation():
    po = {m.id: m for m in catalogue() if m.id}
    problems = []
    for msgid in source_msgids():
        entry = po.get(msgid)
        if entry is None:
            problems.append(f"missing from cchc.po: {msgid!r}")
        elif not entry.string or entry.fuzzy:
            problems.append(f"no English translation: {msgid!r}")
    assert not problems, ("run `python scripts/update_catalogue.py` and translate:\n" + "\n".join(problems))


def test_translations_keep_the_placeholders():
    field = re.compile(r"{([^{}:!]*)[^{}]*}")
    wrong = [f"{m.id!r} → {m.string!r}" for m in catalogue()
             if m.id and m.string and sorted(field.findall(m.id)) != sorted(field.findall(m.string))]
    assert not wrong, "\n".join(wrong)


def test_compiled_catalogue_matches_the_po():
    with open(MO, "rb") as f:
        compiled = gettext.GNUTranslations(f)
    for m in catalogue():
        if m.id:
            assert compiled.gettext(m.id) == m.string, m.id
    assert MO.read_bytes() == update_catalogue.mo_bytes(catalogue())


def test_catalogue_check_detects_a_missing_message(tmp_path, monkeypatch, capsys):
    stale = catalogue()
    stale.delete("{path}: hợp lệ")
    po = tmp_path / "cchc.po"
    po.write_bytes(update_catalogue.po_bytes(stale))
    before = po.read_bytes()
    monkeypatch.setattr(update_catalogue, "PO", po)
    monkeypatch.setattr(update_catalogue, "MO", po.with_suffix(".mo"))
    assert update_catalogue.main(["--check"]) == 1
    assert "untranslated: '{path}: hợp lệ'" in capsys.readouterr().err
    assert po.read_bytes() == before  # --check changes nothing
    # Without --check the message is merged in, untranslated, and the script still fails.
    assert update_catalogue.main([]) == 1
    entry = {m.id: m for m in update_catalogue.merged(update_catalogue.extract())}["{path}: hợp lệ"]
    assert entry.string == ""


@pytest.mark.parametrize("path", [PO, MO])
def test_catalogue_is_packaged(path):
    assert path.is_file()
    assert Path("cchc/locale/en/LC_MESSAGES") in {p.parent.relative_to(ROOT) for p in (PO, MO)}


def test_numbers_follow_the_language():
    from cchc.text import format_number

    assert [format_number(v, lang="vi") for v in (88.2, 1234, 1234.5)] == ["88,2", "1.234", "1.234,5"]
    assert [format_number(v, lang="en") for v in (88.2, 1234, 1234.5)] == ["88.2", "1,234", "1,234.5"]
    result = run("kpi", "-p", PROGRESS_PLAN, "--as-of", "20/06/2023", "--lang", "en")
    assert "86.5%" in result.stdout and "86,5" not in result.stdout


def test_labels_in_the_language_asked_for():
    from cchc import i18n
    from cchc.labels import recurrence_label
    from cchc.model import Recurrence

    assert recurrence_label(Recurrence.quarterly, "vi") == "hằng quý"
    assert recurrence_label(Recurrence.quarterly, "en") == "quarterly"
    i18n.set_language("en")
    assert recurrence_label(Recurrence.quarterly) == "quarterly"
    assert recurrence_label(Recurrence.quarterly, "vi") == "hằng quý"  # a document keeps its Vietnamese
