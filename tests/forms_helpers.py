"""Helpers shared by the form tests: a plan whose targets have owners, writing and filling forms."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from cchc.forms import FIRST_ROW, TASK_SHEET, write_forms
from cchc.planfile import load
from conftest import PROGRESS_PLAN

SO_HOA = "    note: Phấn đấu đến hết năm 2023 (mục II.3.e)\n    measurements: []\n"


def forms_plan(folder: Path) -> Path:
    """plan_progress.yaml with `owner: TTRA` on the target so-hoa (no measurement yet)."""
    text = PROGRESS_PLAN.read_text(encoding="utf-8")
    assert text.count(SO_HOA) == 1
    plan = folder / "plan_2023.yaml"
    plan.write_text(text.replace(SO_HOA, "    owner: TTRA\n" + SO_HOA), encoding="utf-8", newline="\n")
    return plan


def write(plan: Path, units: list[str], out: Path, period: str = "2023-Q1") -> dict[str, Path]:
    written, _skipped = write_forms(load(plan), units, period, out)
    return {w.unit: w.path for w in written}


def row_of(ws, ident: str) -> int:
    for r in range(FIRST_ROW, ws.max_row + 1):
        if ws.cell(r, 1).value == ident:
            return r
    raise AssertionError(f"{ident} not in the form")


def fill(form: Path, out: Path, tasks: dict | None = None, targets: dict | None = None,
         cells: dict | None = None) -> Path:
    """Fill a form as a user would in a spreadsheet program and save it as `out`.

    `tasks`/`targets`: id → {column letter: value}; `cells`: "Sheet!B4" → value, for anything else.
    """
    wb = openpyxl.load_workbook(form)
    for sheet, rows in ((TASK_SHEET, tasks or {}), ("Chỉ tiêu", targets or {})):
        for ident, values in rows.items():
            ws = wb[sheet]
            r = row_of(ws, ident)
            for column, value in values.items():
                ws[f"{column}{r}"] = value
    for ref, value in (cells or {}).items():
        sheet, cell = ref.split("!")
        wb[sheet][cell] = value
    wb.save(out)
    return out
