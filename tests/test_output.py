"""Terminal rendering: rich tables keep one line per row on an 80-column console."""

from __future__ import annotations

import datetime as dt

from cchc import output
from cchc.planfile import load_plan
from cchc.status import plan_status
from cchc.views import status_tables
from conftest import PROGRESS_PLAN


def test_rich_status_fits_80_columns_one_line_per_row(monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setattr(output, "use_rich", lambda stream=None: True)
    plan = load_plan(PROGRESS_PLAN)
    output.print_tables(status_tables(plan, plan_status(plan, dt.date(2023, 6, 20))))
    lines = capsys.readouterr().out.splitlines()
    assert max(output._width(line) for line in lines) <= 80
    first = next(i for i, line in enumerate(lines) if line.lstrip().startswith("1. "))
    # Each area on one line: no title wrapped onto the lines below it.
    assert [lines[first + k].lstrip()[:3] for k in range(8)] == ["1. ", "2. ", "3. ", "4. ", "5. ", "6. ", "7. ", "III"]
    assert any("Tỷ lệ hài lòng của người d" in line and "86,5%" in line for line in lines)


def test_plain_table_aligns_vietnamese_text():
    table = output.Table("", [output.Column("Mã"), output.Column("Tiến độ", "right")], [["3.đ", "40%"], ["10.a", "5%"]])
    assert output.plain_table(table).splitlines() == ["Mã    Tiến độ", "----  -------", "3.đ       40%", "10.a       5%"]
