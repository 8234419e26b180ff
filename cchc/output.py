"""Printing for the CLI: one table model, three renderings (rich, plain text, CSV) plus JSON.

A rich table goes to a terminal; plain aligned text goes to a pipe or when NO_COLOR is set, so
scripts never see ANSI escapes. JSON is written directly with `json.dumps` (rich would wrap it).
Rich is imported only when a terminal will show its output.
"""

from __future__ import annotations

import csv
import datetime as dt
import enum
import json
import os
import sys
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Iterable


def use_rich(stream=None) -> bool:
    stream = stream or sys.stdout
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


def setup_streams() -> None:
    # Windows consoles and pipes default to the ANSI code page; Vietnamese needs UTF-8.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure") and (stream.encoding or "").lower().replace("-", "") != "utf8":
            try:
                stream.reconfigure(encoding="utf-8")
            except (ValueError, OSError):
                pass


@dataclass
class Column:
    header: str
    justify: str = "left"  # "left" | "right" | "center"
    max_width: int | None = None


@dataclass
class Table:
    title: str
    columns: list[Column]
    rows: list[list[str]] = field(default_factory=list)
    caption: str = ""


class _CharWidths(dict):
    """Terminal cells of each character, computed once per distinct character.

    Combining marks take no cell; NFC text has few, but a user's NFD input may. A status of a
    2,000-task plan measures some 100,000 cells of text, so the per-character lookups are cached.
    """

    def __missing__(self, ch: str) -> int:
        width = 0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        self[ch] = width
        return width


_CHAR_WIDTHS = _CharWidths()


def _width(text: str) -> int:
    if text.isascii():
        return len(text)  # every ASCII character is one cell
    return sum(map(_CHAR_WIDTHS.__getitem__, text))


def _clip(text: str, width: int | None) -> str:
    if width is None or _width(text) <= width:
        return text
    out, used = [], 0
    for ch in text:
        w = _CHAR_WIDTHS[ch]
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


def plain_table(table: Table) -> str:
    rows = [[_clip(str(c), col.max_width) for c, col in zip(row, table.columns)] for row in table.rows]
    headers = [c.header for c in table.columns]
    widths = [max([_width(h)] + [_width(r[i]) for r in rows]) for i, h in enumerate(headers)]

    def line(cells: list[str]) -> str:
        parts = []
        for cell, col, w in zip(cells, table.columns, widths):
            pad = " " * (w - _width(cell))
            parts.append(pad + cell if col.justify == "right" else cell + pad)
        return "  ".join(parts).rstrip()

    out = []
    if table.title:
        out.append(table.title)
    out.append(line(headers))
    out.append("  ".join("-" * w for w in widths))
    out.extend(line(r) for r in rows)
    if table.caption:
        out.append(table.caption)
    return "\n".join(out) + "\n"


def print_tables(tables: Iterable[Table]) -> None:
    tables = list(tables)
    if use_rich():
        from rich import box
        from rich.console import Console
        from rich.table import Table as RichTable

        console = Console()
        for t in tables:
            rt = RichTable(title=t.title or None, caption=t.caption or None, box=box.SIMPLE_HEAVY,
                           title_justify="left", title_style="bold",
                           expand=any(c.max_width for c in t.columns))
            for c in t.columns:
                # One line per row, as in plain text: on an 80-column console the long text columns
                # (those with a max_width) end in "…" and give up their room; the short ones (ids,
                # counts, dates, percentages) keep their full width, only their header may wrap.
                if c.max_width:
                    rt.add_column(c.header, justify=c.justify, overflow="ellipsis", no_wrap=True,
                                  ratio=c.max_width)
                else:
                    i = t.columns.index(c)
                    widest = max([_width(str(r[i])) for r in t.rows] + [_width(w) for w in c.header.split()])
                    rt.add_column(c.header, justify=c.justify, min_width=widest, max_width=widest)
            for row in t.rows:
                rt.add_row(*[str(x) for x in row])
            console.print(rt)
    else:
        sys.stdout.write("\n".join(plain_table(t) for t in tables))


# A spreadsheet reads a cell starting with one of these as a formula (OWASP, "CSV injection"):
# a task title typed as `=HYPERLINK(…)` must stay text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """`value` for a CSV cell: text that a spreadsheet would run as a formula gets a leading `'`.

    A carriage return becomes a newline, which the csv module quotes (a lone CR it leaves bare,
    splitting the row for every reader).
    """
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_START):
        value = "'" + value
    return value.replace("\r\n", "\n").replace("\r", "\n") if "\r" in value else value


def print_csv(table: Table) -> None:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow([csv_cell(c.header) for c in table.columns])
    writer.writerows([csv_cell(v) for v in row] for row in table.rows)


def _default(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=_default) + "\n")


def message(text: str) -> None:
    """A human message (confirmation, hint, error) on stderr, so stdout stays machine-readable."""
    sys.stderr.write(text.rstrip("\n") + "\n")


def bar(percent: float, width: int = 10) -> str:
    filled = round(percent / 100 * width)
    return "█" * filled + "░" * (width - filled)
