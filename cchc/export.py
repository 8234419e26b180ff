"""Exports for people who do not use the terminal: an Excel workbook and an iCalendar file.

Both are documents handed to the office, like the periodic reports, so their words stay
Vietnamese whatever `--lang` says; that is why the labels here are plain constants rather than
`_()` messages. openpyxl and icalendar are imported inside the functions that write.
"""

from __future__ import annotations

import datetime as dt
import re
import urllib.parse
from pathlib import Path

from .labels import recurrence_label
from .model import ALL_UNITS, Plan, TargetKind, Task
from .output import FORMULA_START
from .periods import deliverables, due_day_text, format_date
from .status import State, target_mark, task_state
from .text import fold, nfc, task_sort_key

STATE_VI = {
    State.done: "hoàn thành",
    State.in_progress: "đang thực hiện",
    State.not_started: "chưa bắt đầu",
    State.late: "quá hạn",
}
MARK_VI = {"reached": "đạt", "not_yet": "chưa đạt", "no_data": "chưa có số liệu"}
KIND_VI = {TargetKind.percent: "tỷ lệ", TargetKind.rank: "thứ hạng", TargetKind.group: "nhóm",
           TargetKind.count: "số lượng"}
REPORT_VI = {1: "quý I năm {year}", 2: "6 tháng đầu năm {year}", 3: "quý III năm {year}", 4: "năm {year}"}

# (header, width in characters, kind) per sheet; kind picks the cell format.
TASK_COLUMNS = [
    ("Mã", 7, "text"), ("Lĩnh vực", 28, "wrap"), ("Nhiệm vụ", 60, "wrap"), ("Chủ trì", 24, "wrap"),
    ("Phối hợp", 24, "wrap"), ("Thời hạn", 14, "text"), ("Hạn cuối", 12, "date"), ("Sản phẩm", 40, "wrap"),
    ("Trạng thái", 15, "text"), ("Tiến độ (%)", 11, "percent"), ("Cập nhật lần cuối", 14, "date"),
    ("Ghi chú gần nhất", 36, "wrap"), ("Tài liệu kiểm chứng", 40, "wrap"),
]
PROGRESS_COLUMNS = [
    ("Mã", 7, "text"), ("Nhiệm vụ", 60, "wrap"), ("Ngày", 12, "date"), ("Tiến độ (%)", 11, "percent"),
    ("Sự kiện", 14, "text"), ("Ghi chú", 48, "wrap"), ("Người cập nhật", 22, "text"),
]
TARGET_COLUMNS = [
    ("Mã", 12, "text"), ("Chỉ tiêu", 44, "wrap"), ("Loại", 10, "text"), ("Mục tiêu", 10, "number"),
    ("Đơn vị tính", 10, "text"), ("Thời hạn", 12, "date"), ("Phạm vi", 12, "text"), ("Kỳ gần nhất", 12, "text"),
    ("Kết quả gần nhất", 14, "number"), ("Đánh giá", 16, "text"), ("Ghi chú", 40, "wrap"),
]
MEASUREMENT_COLUMNS = [
    ("Mã chỉ tiêu", 12, "text"), ("Chỉ tiêu", 44, "wrap"), ("Kỳ", 10, "text"), ("Giá trị", 10, "number"),
    ("Nguồn", 36, "wrap"), ("Ghi chú", 40, "wrap"),
]
SHEETS = ("Nhiệm vụ", "Tiến độ", "Chỉ tiêu", "Số liệu chỉ tiêu")


def deadline_text(task: Task) -> str:
    d = task.deadline
    return format_date(d) if isinstance(d, dt.date) else recurrence_label(d, "vi") + due_day_text(task, translate=str)


def _areas_of(plan: Plan) -> dict[str, str]:
    out = {t.id: f"{a.number}. {a.title}" for a in plan.areas for t in a.tasks}
    section = plan.duties_section
    out.update({t.id: f"{section.number}. {section.title}" for t in plan.duties})
    return out


def _unit(plan: Plan, key: str) -> str:
    return plan.units.get(key, key)


def _support(plan: Plan, task: Task) -> str:
    # ALL reads as the plan's own words for every unit ("Các cơ quan, đơn vị; UBND các xã, thị trấn").
    if ALL_UNITS in task.support:
        return plan.plan.all_units_text
    return ", ".join(_unit(plan, k) for k in task.support)


def task_rows(plan: Plan, as_of: dt.date) -> list[list]:
    areas = _areas_of(plan)
    rows = []
    for task in sorted(plan.all_tasks(), key=lambda t: task_sort_key(t.id)):
        s = task_state(task, plan.plan.year, as_of)
        last = task.progress[-1] if task.progress else None
        support = _support(plan, task)
        rows.append([
            task.id, areas[task.id], task.title, _unit(plan, task.lead), support, deadline_text(task), s.deadline,
            task.output, STATE_VI[s.state], s.percent, last.date if last else None, last.note if last else "",
            "\n".join(e.text for e in task.evidence),
        ])
    return rows


def progress_rows(plan: Plan) -> list[list]:
    rows = []
    for task in sorted(plan.all_tasks(), key=lambda t: task_sort_key(t.id)):
        for e in task.progress:
            event = {"done": "hoàn thành", "reopened": "mở lại"}.get(e.event or "", "")
            rows.append([task.id, task.title, e.date, e.percent, event, e.note, e.by])
    return rows


def target_rows(plan: Plan, as_of: dt.date | None) -> list[list]:
    rows = []
    for t in plan.targets:
        m = target_mark(t, as_of)
        rows.append([t.id, t.name, KIND_VI[t.kind], t.target, t.unit, t.deadline, t.scope, m.period or "",
                     m.value, MARK_VI[m.mark], t.note])
    return rows


def measurement_rows(plan: Plan) -> list[list]:
    return [[t.id, t.name, m.period, m.value, m.source, m.note] for t in plan.targets for m in t.measurements]


def write_xlsx(plan: Plan, path: Path, as_of: dt.date) -> None:
    """Tasks, progress log, targets and measurements, one sheet each, ready to filter and print."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    header_font = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    top_wrap = Alignment(vertical="top", wrap_text=True)
    top = Alignment(vertical="top")
    formats = {"date": "DD/MM/YYYY", "percent": 'General"%"'}
    for title, columns, rows in (
        (SHEETS[0], TASK_COLUMNS, task_rows(plan, as_of)),
        (SHEETS[1], PROGRESS_COLUMNS, progress_rows(plan)),
        (SHEETS[2], TARGET_COLUMNS, target_rows(plan, as_of)),
        (SHEETS[3], MEASUREMENT_COLUMNS, measurement_rows(plan)),
    ):
        ws = wb.create_sheet(title)
        ws.append([c[0] for c in columns])
        for cell in ws[1]:
            cell.font, cell.fill = header_font, header_fill
            cell.alignment = Alignment(vertical="center", wrap_text=True)
        for row in rows:
            ws.append(row)
            for cell in ws[ws.max_row]:
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
                    # Text, never a formula (openpyxl makes "=…" one), and kept text when edited in Excel.
                    cell.data_type = "s"
                    cell.quotePrefix = True
        for i, (_header, width, kind) in enumerate(columns, start=1):
            letter = get_column_letter(i)
            ws.column_dimensions[letter].width = width
            for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                cell.alignment = top_wrap if kind == "wrap" else top
                if kind in formats:
                    cell.number_format = formats[kind]
        # The header stays in view while scrolling, and every column can be filtered.
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(1, len(rows) + 1)}"
        ws.print_title_rows = "1:1"
    wb.properties.title = plan.plan.title
    wb.properties.creator = "cchc"
    wb.save(path)


# --- iCalendar ------------------------------------------------------------------------------

def report_cutoffs(year: int) -> list[tuple[int, dt.date]]:
    """The data cut-off day of each periodic report (reporting.md): the 14th of months 3, 6, 9, 12."""
    return [(q, dt.date(year, 3 * q, 14)) for q in (1, 2, 3, 4)]


def agency_id(plan: Plan) -> str:
    """The agency in an event's UID: its name folded to ASCII words, and a digest of the exact names.

    Two agencies' calendars imported together must never collide, even when both are "UBND" with
    task 1.a due the same day; the digest tells apart names that fold alike.
    """
    import hashlib

    info = plan.plan
    names = nfc(f"{info.parent}|{info.issuer}")
    slug = re.sub(r"[^a-z0-9]+", "-", fold(info.issuer)).strip("-")[:40] or "cq"
    return f"{slug}-{hashlib.sha256(names.encode('utf-8')).hexdigest()[:8]}"


def event_uid(plan: Plan, key: str, day: dt.date) -> str:
    # Stable across exports, so a calendar re-importing the file updates events instead of
    # adding copies. Task ids may hold Vietnamese letters (3.đ); quoting keeps the UID ASCII
    # without folding 3.đ onto 3.d.
    return f"cchc-{plan.plan.year}-{urllib.parse.quote(key, safe='.-')}-{day:%Y%m%d}@{agency_id(plan)}.cchc"


def _clip(text: str, width: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width - 1].rstrip() + "…"


def calendar_events(plan: Plan, as_of: dt.date | None = None) -> list[dict]:
    """One all-day event per deliverable of every task and per report cut-off, as plain data.

    A deliverable falls on the day `periods.deliverables` gives (a recurrence's `due_day` included);
    a task done by `as_of` (default today), by its dated log, says so in its description.
    """
    year = plan.plan.year
    as_of = as_of or dt.date.today()
    events = []
    for task in sorted(plan.all_tasks(), key=lambda t: task_sort_key(t.id)):
        days = deliverables(task, year)
        support = _support(plan, task)
        for n, day in enumerate(days, start=1):
            step = f" ({n}/{len(days)})" if len(days) > 1 else ""
            lines = [task.title, "", f"Chủ trì: {_unit(plan, task.lead)}"]
            if support:
                lines.append(f"Phối hợp: {support}")
            if task.output:
                lines.append(f"Sản phẩm: {task.output}")
            lines.append(f"Thời hạn: {deadline_text(task)}")
            if task_state(task, year, as_of).state is State.done:
                lines.append("Trạng thái: hoàn thành")
            events.append({
                "uid": event_uid(plan, task.id, day), "day": day,
                "summary": f"[{task.id}] Hạn{step}: {_clip(task.title)}",
                "description": "\n".join(lines), "categories": ["CCHC", plan.plan.issuer_short],
            })
    for quarter, day in report_cutoffs(year):
        name = REPORT_VI[quarter].format(year=year)
        events.append({
            "uid": event_uid(plan, f"report-Q{quarter}", day), "day": day,
            "summary": f"Hạn chốt số liệu báo cáo CCHC {name}",
            "description": f"Chốt số liệu báo cáo cải cách hành chính {name} gửi {plan.plan.report_to}.",
            "categories": ["CCHC", plan.plan.issuer_short],
        })
    return events


def write_ics(plan: Plan, path: Path, now: dt.datetime | None = None) -> int:
    """Write the deadlines as an iCalendar file; returns the number of events."""
    from icalendar import Calendar, Event

    stamp = now or dt.datetime.now(dt.timezone.utc)
    cal = Calendar()
    cal.add("prodid", "-//cchc//Ke hoach CCHC//VI")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"{plan.plan.title} — {plan.plan.issuer}")
    events = calendar_events(plan)
    for e in events:
        ev = Event()
        ev.add("uid", e["uid"])
        ev.add("dtstamp", stamp)
        # A date (not a datetime) makes an all-day event; DTEND is exclusive, the next day.
        ev.add("dtstart", e["day"])
        ev.add("dtend", e["day"] + dt.timedelta(days=1))
        ev.add("summary", e["summary"])
        ev.add("description", e["description"])
        ev.add("categories", e["categories"])
        ev.add("transp", "TRANSPARENT")
        cal.add_component(ev)
    path.write_bytes(cal.to_ical())
    return len(events)

