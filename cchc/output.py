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
    max_width: int | None = None  # a long text column: in a pipe cut to this width; in a narrow window it wraps
    wrap: bool = True  # False: its cells never break (a progress bar and its percentage)
    optional: bool = False  # left out in a narrow window rather than squeeze the long text (shown by `show`)


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


def terminal_width() -> int | None:
    """The width to fit tables in: $COLUMNS (also in a pipe), else the terminal's; None in a pipe without it."""
    try:
        columns = int(os.environ.get("COLUMNS", ""))
    except ValueError:
        columns = 0
    if columns > 0:
        return columns
    if getattr(sys.stdout, "isatty", lambda: False)():
        import shutil

        return shutil.get_terminal_size().columns
    return None


GAP = 2  # spaces between columns; 1 in a narrow window
FLEX_FLOOR = 40  # cells the main text column keeps before short columns wrap their headers or columns go
NARROWEST = 8


@dataclass
class Layout:
    shown: list[int]  # indexes of the columns printed
    widths: list[int]  # of every column (those not shown too)
    gap: int = GAP


def _words(text: str) -> int:
    return max([_width(w) for w in text.split()] or [0])


def _shrink(widths: list[int], targets: dict[int, int], over: int) -> int:
    """Narrow the columns of `targets` towards their target, largest slack first, until `over` cells are saved."""
    for i in sorted(targets, key=lambda i: targets[i] - widths[i]):
        saved = min(max(widths[i] - targets[i], 0), max(over, 0))
        widths[i] -= saved
        over -= saved
    return over


def fit(table: Table, width: int | None) -> Layout:
    """Column widths that fit `width`, giving the main text column (the widest `max_width`) the room.

    In order, until the table fits: long text columns shrink to two thirds of their `max_width`,
    short columns wrap their cells at spaces, other long text columns shrink to a word, the main one
    to FLEX_FLOOR, short columns wrap their headers, columns get 1 space apart, optional columns go,
    and last the long text columns shrink further. Every cell wraps rather than being cut. Without a
    width (a pipe without $COLUMNS) each row stays one line, long text cut at its `max_width`.
    """
    cols = table.columns
    rows = [[str(c) for c in row] for row in table.rows]
    natural = [max([_width(c.header)] + [_width(r[i]) for r in rows]) for i, c in enumerate(cols)]
    if width is None:
        return Layout(list(range(len(cols))), [min(n, c.max_width) if c.max_width else n for n, c in zip(natural, cols)])
    words = [max([_words(r[i]) for r in rows] or [0]) if c.wrap else natural[i] for i, c in enumerate(cols)]
    flex = [i for i, c in enumerate(cols) if c.max_width]
    main = max(flex, key=lambda i: cols[i].max_width, default=None)
    fixed = [i for i in range(len(cols)) if i not in flex]
    layout = Layout(list(range(len(cols))), natural[:])

    def over() -> int:
        return sum(layout.widths[i] for i in layout.shown) + layout.gap * (len(layout.shown) - 1) - width

    def shrink(targets: dict[int, int]):
        return lambda: _shrink(layout.widths, {i: t for i, t in targets.items() if i in layout.shown}, over())

    def drop_optional() -> None:
        layout.shown = [i for i in layout.shown if not cols[i].optional]

    steps = [
        shrink({i: min(natural[i], 2 * cols[i].max_width // 3) for i in flex}),
        shrink({i: max(words[i], _width(cols[i].header)) for i in fixed}),
        shrink({i: max(words[i], _words(cols[i].header), NARROWEST) for i in flex if i != main}),
        shrink({i: min(natural[i], FLEX_FLOOR) for i in flex if i == main}),
        shrink({i: max(words[i], _words(cols[i].header)) for i in fixed}),
        lambda: setattr(layout, "gap", 1),
        drop_optional,
        shrink({i: max(_words(cols[i].header), NARROWEST) for i in flex}),
    ]
    for step in steps:
        if over() <= 0:
            break
        step()
    return layout


def wrap(text: str, width: int) -> list[str]:
    """`text` in lines of at most `width` cells, broken at spaces (a longer word is broken where it must)."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        while _width(word) > width:
            head = _clip(word, width + 1)[:-1] if width > 1 else word[:1]
            lines += [line] if line else []
            lines.append(head)
            line, word = "", word[len(head):]
        candidate = f"{line} {word}" if line else word
        if _width(candidate) <= width:
            line = candidate
        else:
            lines.append(line)
            line = word
    return lines + [line] if line or not lines else lines


def _cell_lines(text: str, width: int, fits: bool) -> list[str]:
    if _width(text) <= width:
        return [text]
    return wrap(text, width) if fits else [_clip(text, width)]


def plain_table(table: Table, width: int | None = None) -> str:
    """The table as aligned text fitting `width` (cells wrapped), or one line per row when `width` is None."""
    layout = fit(table, width)
    wraps = width is not None
    sep = " " * layout.gap

    def lines(cells: list[str]) -> list[str]:
        parts = {i: _cell_lines(str(cells[i]), layout.widths[i], wraps) for i in layout.shown}
        out = []
        for k in range(max(len(p) for p in parts.values())):
            row = []
            for i in layout.shown:
                cell = parts[i][k] if k < len(parts[i]) else ""
                pad = " " * (layout.widths[i] - _width(cell))
                row.append(pad + cell if table.columns[i].justify == "right" else cell + pad)
            out.append(sep.join(row).rstrip())
        return out

    out = []
    if table.title:
        out.extend(wrap(table.title, width) if wraps else [table.title])
    out.extend(lines([c.header for c in table.columns]))
    out.append(sep.join("-" * layout.widths[i] for i in layout.shown))
    for r in table.rows:
        out.extend(lines(r))
    if table.caption:
        out.extend(wrap(table.caption, width) if wraps else [table.caption])
    return "\n".join(out) + "\n"


def print_tables(tables: Iterable[Table]) -> None:
    tables = list(tables)
    if use_rich():
        _print_rich(tables)
    else:
        width = terminal_width()
        sys.stdout.write("\n".join(plain_table(t, width) for t in tables))


def _print_rich(tables: list[Table]) -> None:
    from rich import box
    from rich.console import Console
    from rich.table import Table as RichTable

    console = Console()
    for t in tables:
        # The layout of plain text: rich only draws it. Its box puts one space between columns, the
        # padding the rest of the gap; no edges, so the widths add up as in plain text.
        layout = fit(t, console.width)
        rt = RichTable(title=t.title or None, caption=t.caption or None, box=box.SIMPLE_HEAVY, title_justify="left",
                       title_style="bold", show_edge=False, pad_edge=False, padding=(0, layout.gap - 1, 0, 0))
        for i in layout.shown:
            c, w = t.columns[i], layout.widths[i]
            rt.add_column(c.header, justify=c.justify, width=w, min_width=w, max_width=w, overflow="fold",
                          no_wrap=not c.wrap)
        for row in t.rows:
            rt.add_row(*[str(row[i]) for i in layout.shown])
        console.print(rt)


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


def silence_stdout() -> None:
    """Point stdout at the null device, so that flushing it at exit raises no second BrokenPipeError."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def message(text: str) -> None:
    """A human message (confirmation, hint, error) on stderr, so stdout stays machine-readable."""
    sys.stderr.write(text.rstrip("\n") + "\n")


def bar(percent: float, width: int = 10) -> str:
    filled = round(percent / 100 * width)
    return "█" * filled + "░" * (width - filled)
