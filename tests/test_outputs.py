"""Output files: never over a plan, inside .git or an existing file without --force; atomic; the user's mode.

Every test checks the exit code, the one line printed and that the plan's bytes are unchanged.
"""

from __future__ import annotations

import csv
import io
import os
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import openpyxl
import pytest

from cchc import outputs
from conftest import PROGRESS_PLAN, ROOT, require_tool, run

posix_only = pytest.mark.skipif(os.name != "posix", reason="needs POSIX modes and signals")


@pytest.fixture
def plan(tmp_path) -> Path:
    path = tmp_path / "plan_2023.yaml"
    path.write_bytes(PROGRESS_PLAN.read_bytes())
    return path


def umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


WRITERS = {
    "xlsx": lambda plan, out, *more: ("export", "-p", plan, "--xlsx", out, "--as-of", "20/06/2023", *more),
    "ics": lambda plan, out, *more: ("export", "-p", plan, "--ics", out, *more),
    "schema": lambda plan, out, *more: ("schema", "-o", out, *more),
    "report": lambda plan, out, *more: ("report", "-q", "1", "-p", plan, "--as-of", "20/06/2023", "-o", out, *more),
}
SUFFIX = {"xlsx": ".xlsx", "ics": ".ics", "schema": ".json", "report": ".docx"}


@pytest.mark.parametrize("kind", sorted(WRITERS))
def test_the_plan_is_never_written_over_even_with_force(plan, kind):
    raw = plan.read_bytes()
    if kind == "report":  # a report must end in .docx: the plan under that name, through a link
        target = plan.parent / "plan_2023.docx"
        target.symlink_to(plan.name)
    else:
        target = plan
    for extra in ((), ("--force",)):
        result = run(*WRITERS[kind](plan, target, *extra))
        assert result.exit_code == 1, result.output
        assert result.stderr.splitlines() == [
            f"lỗi: {target}: là tệp kế hoạch; cchc không ghi kết quả đè lên kế hoạch (kể cả với --force). "
            "Hãy chọn tên tệp khác"]
        assert plan.read_bytes() == raw


def test_a_plan_under_another_name_is_recognised(plan, tmp_path):
    other = tmp_path / "ke-hoach.yaml"
    other.write_bytes(plan.read_bytes())
    result = run("export", "-p", plan, "--ics", other, "--force")
    assert result.exit_code == 1
    assert "là tệp kế hoạch" in result.stderr and other.read_bytes() == plan.read_bytes()
    # the plan in use, whatever its name, through CCHC_PLAN
    result = run("export", "--xlsx", other, "--force", env={"CCHC_PLAN": str(other)})
    assert result.exit_code == 1 and "là tệp kế hoạch" in result.stderr


@pytest.mark.parametrize("kind", sorted(WRITERS))
def test_nothing_is_written_inside_git(plan, tmp_path, kind):
    git = tmp_path / ".git"
    git.mkdir()
    target = git / f"config{SUFFIX[kind]}"
    result = run(*WRITERS[kind](plan, target, "--force"))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"lỗi: {target}: nằm trong thư mục .git của kho; cchc không bao giờ ghi vào đó"]
    assert not target.exists()


@pytest.mark.parametrize("kind", sorted(WRITERS))
def test_an_existing_file_needs_force(plan, tmp_path, kind):
    raw = plan.read_bytes()
    target = tmp_path / f"out{SUFFIX[kind]}"
    target.write_bytes(b"colleague's file")
    result = run(*WRITERS[kind](plan, target))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"lỗi: {target}: tệp đã có; không ghi đè. Chọn tên khác, hoặc thêm --force để thay tệp đó"]
    assert target.read_bytes() == b"colleague's file" and plan.read_bytes() == raw
    result = run(*WRITERS[kind](plan, target, "--force"))
    assert result.exit_code == 0, result.stderr
    assert target.read_bytes() != b"colleague's file"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(outputs.TMP_SUFFIX)] == []


@posix_only
@pytest.mark.parametrize("kind", sorted(WRITERS))
def test_every_output_gets_the_users_umask_mode(plan, tmp_path, kind):
    target = tmp_path / f"out{SUFFIX[kind]}"
    result = run(*WRITERS[kind](plan, target))
    assert result.exit_code == 0, result.stderr
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask()  # 0644 here; reports were 0600


@posix_only
def test_report_pdf_gets_the_same_mode_and_needs_force(plan, tmp_path):
    require_tool("soffice")
    out = tmp_path / "bao-cao.docx"
    result = run(*WRITERS["report"](plan, out, "--pdf"))
    assert result.exit_code == 0, result.stderr
    pdf = out.with_suffix(".pdf")
    assert stat.S_IMODE(pdf.stat().st_mode) == stat.S_IMODE(out.stat().st_mode) == 0o666 & ~umask()
    out.unlink()  # the .docx may be new, but the PDF beside it is refused before anything is written
    result = run(*WRITERS["report"](plan, out, "--pdf"))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"lỗi: {pdf}: tệp đã có; không ghi đè. Chọn tên khác, hoặc thêm --force để thay tệp đó"]
    assert not out.exists()


def test_a_folder_as_output_is_a_usage_error(plan, tmp_path):
    result = run("export", "-p", plan, "--ics", tmp_path, "--force")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [f"lỗi: {tmp_path}: là một thư mục; hãy ghi tên tệp"]


def test_new_year_plan_is_created_but_never_over_an_existing_one(plan, tmp_path):
    result = run("new", "2024", "--from", plan)
    assert result.exit_code == 0, result.stderr
    created = tmp_path / "plan_2024.yaml"
    raw = created.read_bytes()
    result = run("new", "2024", "--from", plan)
    assert result.exit_code == 1 and created.read_bytes() == raw


def test_a_file_appearing_during_the_write_is_not_clobbered(tmp_path, monkeypatch):
    target = tmp_path / "out.ics"

    def produce(tmp: Path) -> None:
        tmp.write_bytes(b"ours")
        target.write_bytes(b"theirs")  # someone saves a file of that name while cchc renders

    with pytest.raises(outputs.OutputRefused):
        outputs.write_output(target, produce)
    assert target.read_bytes() == b"theirs"
    assert [p.name for p in tmp_path.iterdir()] == ["out.ics"]


# --- formula injection (OWASP: CSV injection) -------------------------------------------------------

HOSTILE = ["=HYPERLINK(\"http://x.invalid\",\"bấm\")", "+1+2", "-2+3", "@SUM(A1)", "\tTab", "\rCR"]


@pytest.fixture
def hostile_plan(plan) -> Path:
    import json
    import re

    titles = iter(HOSTILE)
    # the first task titles become hostile ones, JSON-quoted (valid YAML) so they read back exactly
    text = re.sub(r"(?m)^(        title: ).*$", lambda m: m[1] + json.dumps(next(titles, None) or m[0][15:]),
                  plan.read_text(encoding="utf-8"))
    plan.write_text(text, encoding="utf-8")
    assert run("validate", plan).exit_code == 0
    return plan


def test_xlsx_cells_that_look_like_formulas_are_text(hostile_plan, tmp_path):
    out = tmp_path / "k.xlsx"
    assert run("export", "-p", hostile_plan, "--xlsx", out, "--as-of", "20/06/2023").exit_code == 0
    ws = openpyxl.load_workbook(out)["Nhiệm vụ"]
    cells = {c.value: c for row in ws.iter_rows(min_row=2) for c in row if c.value in HOSTILE}
    assert set(cells) == set(HOSTILE)
    assert all(c.data_type == "s" and c.quotePrefix for c in cells.values())
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)


def test_xlsx_formulas_stay_text_in_libreoffice(hostile_plan, tmp_path):
    soffice = require_tool("soffice")
    out = tmp_path / "k.xlsx"
    assert run("export", "-p", hostile_plan, "--xlsx", out, "--as-of", "20/06/2023").exit_code == 0
    subprocess.run([soffice, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                    "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1", "--outdir", str(tmp_path), str(out)], check=True, capture_output=True,
                   timeout=180)
    text = (tmp_path / "k.csv").read_text(encoding="utf-8", errors="replace")
    assert "=HYPERLINK" in text and "bấm" in text  # the formula's text, not its evaluated result


def test_csv_cells_that_look_like_formulas_get_a_quote(hostile_plan):
    result = run("tasks", "-p", hostile_plan, "--as-of", "20/06/2023", "--csv")
    assert result.exit_code == 0
    cells = [c for row in csv.reader(io.StringIO(result.stdout)) for c in row]
    for title in HOSTILE:
        assert "'" + title.replace("\r", "\n") in cells
    assert not any(c.startswith(outputs_formula_start()) for c in cells)


def outputs_formula_start() -> tuple[str, ...]:
    from cchc.output import FORMULA_START

    return FORMULA_START


# --- leftovers of killed processes --------------------------------------------------------------------

KILLED_REPORT = textwrap.dedent("""
    import os, sys, time
    sys.path.insert(0, {root!r})
    from cchc import outputs
    def produce(tmp):
        tmp.write_bytes(b"half")
        open(sys.argv[2], "w").close()
        time.sleep(60)
    outputs.write_output(sys.argv[1], produce)
""")


@posix_only
def test_leftovers_of_a_killed_process_are_removed_by_the_next_command(plan, tmp_path):
    reports = tmp_path / "reports"
    script = tmp_path / "killed.py"
    script.write_text(KILLED_REPORT.format(root=str(ROOT)), encoding="utf-8")
    marker = tmp_path / "in-write"
    child = subprocess.Popen([sys.executable, str(script), str(reports / "q1.docx"), str(marker)])
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert child.poll() is None and time.monotonic() < deadline
        time.sleep(0.02)
    live = [p.name for p in reports.iterdir()]
    assert len(live) == 1 and live[0].endswith(outputs.TMP_SUFFIX)
    # a command run while the writer lives leaves its temporary file alone
    outputs._swept.clear()
    assert run("status", "-p", plan, "--as-of", "20/06/2023").exit_code == 0
    assert [p.name for p in reports.iterdir()] == live
    child.kill()
    child.wait(timeout=30)
    # a plan temporary file left by a killed writer, too (named as cchc names them, a dead pid)
    dead = plan.parent / f".plan_2023.yaml.{2 ** 22 + 1}-00000000{outputs.TMP_SUFFIX}"
    dead.write_bytes(b"half")
    raw = plan.read_bytes()
    outputs._swept.clear()
    result = run("tasks", "-p", plan, "--as-of", "20/06/2023", "--json")  # a read command, not a write
    assert result.exit_code == 0
    assert list(reports.iterdir()) == [] and not dead.exists()
    assert plan.read_bytes() == raw
