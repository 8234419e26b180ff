"""Tables that fit: wrapped rather than cut in a narrow window, $COLUMNS respected in a pipe too."""

from __future__ import annotations

import datetime as dt

import pytest

from cchc import output
from cchc.planfile import load_plan
from cchc.status import plan_status
from cchc.views import status_tables
from conftest import PLAN_2023, PROGRESS_PLAN, run


def spans(rule: str, mark: str) -> list[tuple[int, int]]:
    """The columns of a table from its rule line (`-----  ---`): start and end of each run of `mark`."""
    out, start = [], None
    for i, ch in enumerate(rule + " "):
        if ch == mark and start is None:
            start = i
        elif ch != mark and start is not None:
            out.append((start, i))
            start = None
    return out


def column_texts(lines: list[str], rule_at: int, column: int, first: int = 0) -> dict[str, str]:
    """Each row's text in `column` (its wrapped lines joined), by the row's text in column `first`."""
    start, end = spans(lines[rule_at], "-")[column]
    key_start, key_end = spans(lines[rule_at], "-")[first]
    rows: dict[str, list[str]] = {}
    key = None
    for line in lines[rule_at + 1:]:
        if not line.strip():
            break
        if line[key_start:key_end].strip():
            key = line[key_start:key_end].strip()
            rows[key] = []
        rows[key].append(line[start:end].strip())
    return {k: " ".join(p for p in parts if p) for k, parts in rows.items()}


@pytest.mark.parametrize("columns", [80, 100, 60])
def test_tasks_in_a_pipe_fit_columns_and_show_every_title(monkeypatch, columns):
    monkeypatch.setenv("COLUMNS", str(columns))
    result = run("tasks", "-p", PLAN_2023, "--as-of", "01/06/2023")
    lines = result.stdout.splitlines()
    assert max(output._width(line) for line in lines) <= columns
    rule = next(i for i, line in enumerate(lines) if line.startswith("---"))
    title_start, title_end = spans(lines[rule], "-")[1]
    if columns >= 80:
        assert title_end - title_start >= 40
    titles = column_texts(lines, rule, 1)
    plan = load_plan(PLAN_2023)
    assert titles == {t.id: " ".join(t.title.split()) for t in plan.all_tasks()}  # wrapped, never cut


def test_status_headers_on_one_line_at_100_columns(monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    lines = run("status", "-p", PLAN_2023, "--as-of", "01/06/2023").stdout.splitlines()
    assert lines[1].split("  ")[0] == "Lĩnh vực" and lines[2].startswith("---")
    assert [h.strip() for h in lines[1].split("  ") if h.strip()] == [
        "Lĩnh vực", "Hoàn thành", "Đang thực hiện", "Chưa bắt đầu", "Quá hạn", "Tiến độ"]
    assert max(output._width(line) for line in lines) <= 100


def test_without_columns_a_pipe_gets_one_line_per_row():
    lines = run("tasks", "-p", PLAN_2023, "--as-of", "01/06/2023").stdout.splitlines()
    rows = [line for line in lines[3:] if line]
    assert len(rows) == len(load_plan(PLAN_2023).all_tasks())
    assert any(line.split("  ")[1].endswith("…") for line in rows)


def test_rich_status_fits_80_columns_and_wraps_long_names(monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setattr(output, "use_rich", lambda stream=None: True)
    plan = load_plan(PROGRESS_PLAN)
    output.print_tables(status_tables(plan, plan_status(plan, dt.date(2023, 6, 20))))
    lines = capsys.readouterr().out.splitlines()
    assert max(output._width(line.rstrip()) for line in lines) <= 80
    text = " ".join(" ".join(lines).split())
    for area in plan.areas:
        assert all(word in text for word in area.title.split())
    assert any("Tỷ lệ hài lòng của người dân" in line for line in lines) and "86,5%" in text


def test_rich_tasks_give_the_title_40_cells_at_80_columns(monkeypatch, capsys):
    from cchc.query import TaskFilter, filter_tasks
    from cchc.query_views import tasks_table

    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setattr(output, "use_rich", lambda stream=None: True)
    plan = load_plan(PLAN_2023)
    output.print_tables([tasks_table(filter_tasks(plan, TaskFilter(), dt.date(2023, 6, 1)), dt.date(2023, 6, 1))])
    lines = capsys.readouterr().out.splitlines()
    assert max(output._width(line.rstrip()) for line in lines) <= 80
    first = next(line for line in lines if line.startswith("1.a "))
    assert first[4:].lstrip().startswith(plan.task("1.a").title[:40])


def test_wrap_breaks_at_spaces_and_long_words():
    assert output.wrap("tất cả các đơn vị", 8) == ["tất cả", "các đơn", "vị"]
    assert output.wrap("abcdefghij", 4) == ["abcd", "efgh", "ij"]
    assert output.wrap("", 5) == [""]


def test_plain_table_aligns_vietnamese_text():
    table = output.Table("", [output.Column("Mã"), output.Column("Tiến độ", "right")], [["3.đ", "40%"], ["10.a", "5%"]])
    assert output.plain_table(table).splitlines() == ["Mã    Tiến độ", "----  -------", "3.đ       40%", "10.a       5%"]


@pytest.mark.parametrize("fmt", [[], ["--json"], ["--csv"]])
def test_a_reader_that_stops_early_ends_cchc_quietly(tmp_path, fmt):
    import subprocess
    import sys

    sys.path.insert(0, str(PLAN_2023.parent / "bench"))
    import gen_plan

    plan = tmp_path / "plan_2023.yaml"
    plan.write_text(gen_plan.generate(1500, 1), encoding="utf-8")  # far more than a pipe's buffer
    proc = subprocess.Popen([sys.executable, "-m", "cchc", "tasks", "-p", str(plan), "--as-of", "01/06/2023", *fmt],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.readline()
    proc.stdout.close()  # `| head -1`
    assert proc.stderr.read() == b"" and proc.wait() == 0
