"""Unit update forms: one spreadsheet per unit with its unfinished tasks and the targets it reports.

The office sends each unit a form before a report's cut-off; the unit fills the yellow cells and
sends it back, and `cchc.collect` applies the answers through the recording commands. A form is a
document for the units, so its words are Vietnamese whatever `--lang` says (as in `export`).

What a form holds:
- sheet "Nhiệm vụ": the tasks the unit leads or supports that are not done by the period's
  cut-off, as the dated log has them on that day; read-only columns (id, title, deadline, current
  percent, last note) and editable ones (new percent, date, note, evidence, done yes/no);
- sheet "Chỉ tiêu", when the unit reports targets (`owner` in the plan);
- a very hidden sheet "cchc" with the form's payload (plan, unit, period, every read-only value as
  sent, a fingerprint of each task and target) and its SHA-256. The digest is an integrity check,
  not a secret: it tells an edited payload, a form of another plan and a form collected before.

openpyxl is imported only by the functions that write.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .diagnostics import Refused, UsageError
from .export import REPORT_VI, deadline_text
from .i18n import _
from .model import Plan, Target, TargetKind, Task
from .periods import ReportPeriod, format_date, report_period
from .query import TaskFilter, filter_tasks
from .status import State, TaskState, target_mark
from .text import format_number

FORMAT = 1
TASK_SHEET = "Nhiệm vụ"
TARGET_SHEET = "Chỉ tiêu"
DATA_SHEET = "cchc"
FILLED_BY_CELL = "B4"
FORM_ID_CELL = "D4"
HEADER_ROW = 6
FIRST_ROW = 7
CHUNK = 30_000  # characters of the payload per hidden cell (Excel holds 32,767)

# (heading, width, editable); the letters follow from the order: A B C D E | F G H I J.
TASK_COLUMNS = [
    ("Mã", 7, False), ("Nhiệm vụ", 60, False), ("Thời hạn", 13, False), ("Tiến độ hiện nay (%)", 11, False),
    ("Ghi chú gần nhất", 32, False), ("Tiến độ mới (%)", 11, True), ("Ngày (dd/mm/yyyy)", 13, True),
    ("Ghi chú", 36, True), ("Tài liệu kiểm chứng (số, ngày văn bản)", 36, True), ("Hoàn thành (có/không)", 12, True),
]
TARGET_COLUMNS = [
    ("Mã", 12, False), ("Chỉ tiêu", 44, False), ("Mục tiêu", 12, False), ("Kết quả gần nhất", 18, False),
    ("Kết quả kỳ này", 12, True), ("Nguồn số liệu", 32, True), ("Ghi chú", 32, True),
]
TASK_READONLY = 5
TARGET_READONLY = 4
YES, NO = "có", "không"
GOAL_VI = {TargetKind.percent: "{n}%", TargetKind.rank: "hạng {n}", TargetKind.group: "nhóm {n}",
           TargetKind.count: "{n}"}


@dataclass
class FormRow:
    """One task or target as sent: its read-only cells and the fingerprint of what it was."""

    id: str
    cells: list[Any]
    fingerprint: str
    key: str = ""  # a target's measurement period: the report's (`2023-Q1`), or the year for ranks and groups
    had: float | None = None  # the value already recorded for that period


@dataclass
class Form:
    """Everything one unit's form says, before it becomes a spreadsheet."""

    plan_key: dict
    version: str
    unit: str
    unit_name: str
    period: ReportPeriod
    tasks: list[FormRow] = field(default_factory=list)
    targets: list[FormRow] = field(default_factory=list)
    plan_title: str = ""

    def payload(self) -> dict:
        return {
            "format": FORMAT, "plan": self.plan_key, "version": self.version, "unit": self.unit,
            "period": self.period.key, "cutoff": self.period.end.isoformat(),
            "tasks": [[r.id, r.cells, r.fingerprint] for r in self.tasks],
            "targets": [[r.id, r.cells, r.fingerprint, r.key, r.had] for r in self.targets],
        }

    @property
    def digest(self) -> str:
        return payload_digest(self.payload())

    @property
    def id(self) -> str:
        return form_id(self.unit, self.period.key, self.digest)

    def is_empty(self) -> bool:
        return not self.tasks and not self.targets


# --- what goes in a form ----------------------------------------------------------------------

def plan_key(plan: Plan) -> dict:
    """What identifies a plan across its versions: who issued it, for which year."""
    return {"issuer": plan.plan.issuer, "year": plan.plan.year}


def plan_version(text: str) -> str:
    """The id of one version of the plan file: the start of its text's SHA-256."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def payload_digest(payload: dict) -> str:
    return hashlib.sha256(b"cchc-form\n" + canonical(payload).encode("utf-8")).hexdigest()


def canonical(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def form_id(unit: str, period: str, digest: str) -> str:
    return f"{unit}-{period}-{digest[:10]}"


def task_fingerprint(task: Task) -> str:
    """What a unit's answer depends on; an evidence entry added meanwhile does not count."""
    data = task.model_dump(mode="json", include={"title", "lead", "support", "deadline", "status", "progress"})
    return hashlib.sha256(canonical(data).encode("utf-8")).hexdigest()[:16]


def target_fingerprint(target: Target) -> str:
    data = target.model_dump(mode="json", include={"name", "kind", "target", "unit", "owner", "measurements"})
    return hashlib.sha256(canonical(data).encode("utf-8")).hexdigest()[:16]


def parse_form_period(value: str, year: int) -> ReportPeriod:
    """`2023-Q1` or `Q1` (the plan's year): the report period whose cut-off the form is for."""
    from .edit import parse_period

    key = parse_period(value, year)
    m = re.fullmatch(r"\d{4}-Q([1-4])", key)
    if not m:
        raise UsageError(_("biểu mẫu theo kỳ báo cáo quý: {year}-Q1, {year}-Q2, {year}-Q3 hoặc {year}-Q4").format(
            year=year))
    return report_period(year, int(m[1]))


def next_period(year: int, as_of: dt.date) -> ReportPeriod | None:
    """The first report period of `year` whose cut-off is on or after `as_of`."""
    return next((p for p in (report_period(year, q) for q in (1, 2, 3, 4)) if p.end >= as_of), None)


def choose_period(plan: Plan, period: str | None, as_of: dt.date) -> ReportPeriod:
    year = plan.plan.year
    if period:
        return parse_form_period(period, year)
    found = next_period(year, as_of) if as_of.year == year else None
    if found is None:
        raise UsageError(_("hôm nay ({date}) không có kỳ báo cáo sắp tới của năm kế hoạch {year}; chọn kỳ bằng "
                           "--period, ví dụ --period {year}-Q1").format(date=format_date(as_of), year=year))
    return found


def measurement_key(target: Target, period: ReportPeriod) -> str | None:
    """The measurement a form asks for: ranks and groups are published yearly (annual form only)."""
    if target.kind in (TargetKind.rank, TargetKind.group):
        return str(period.year) if period.quarter == 4 else None
    return period.key


def unit_tasks(plan: Plan, unit: str, cutoff: dt.date) -> list[TaskState]:
    """Tasks `unit` leads or supports (ALL included) that are not done on `cutoff`."""
    return [s for s in filter_tasks(plan, TaskFilter(unit=unit), cutoff) if s.state is not State.done]


def task_cells(s: TaskState) -> list[Any]:
    from .edit import number

    last = s.last_entry
    return [s.task.id, s.task.title, deadline_text(s.task), number(s.percent), last.note if last else ""]


def target_cells(target: Target, cutoff: dt.date) -> list[Any]:
    mark = target_mark(target, cutoff)
    latest = ""  # an empty cell: openpyxl reads it back as None, which compares equal to ""
    if mark.value is not None:
        latest = f"{_measured(target, mark.value)} ({mark.period})"
    return [target.id, target.name, GOAL_VI[target.kind].format(n=format_number(target.target, 2)), latest]


def _measured(target: Target, value: float) -> str:
    return GOAL_VI[target.kind].format(n=format_number(value, 2)) if target.kind is not TargetKind.count \
        else f"{format_number(value, 2)} {target.unit}".strip()


def build_form(plan: Plan, version: str, unit: str, period: ReportPeriod) -> Form:
    """The form of `unit` for `period`, as the plan stands on the period's cut-off."""
    form = Form(plan_key(plan), version, unit, plan.units[unit], period, plan_title=plan.plan.title)
    for s in unit_tasks(plan, unit, period.end):
        form.tasks.append(FormRow(s.task.id, task_cells(s), task_fingerprint(s.task)))
    for target in plan.targets:
        key = measurement_key(target, period)
        if target.owner != unit or key is None:
            continue
        had = next((m.value for m in target.measurements if m.period == key), None)
        form.targets.append(FormRow(target.id, target_cells(target, period.end), target_fingerprint(target), key,
                                    had))
    return form


def form_filename(unit: str, period: ReportPeriod) -> str:
    safe = re.sub(r"[^\w-]+", "-", unit).strip("-") or "don-vi"
    return f"tien-do-{safe}-{period.key}.xlsx"


# --- the spreadsheet ----------------------------------------------------------------------------

def form_bytes(form: Form) -> bytes:
    """The .xlsx of `form`: headings, protected read-only cells, validation, the signed payload."""
    from openpyxl import Workbook
    from openpyxl.workbook.protection import WorkbookProtection

    wb = Workbook()
    wb.remove(wb.active)
    period_name = REPORT_VI[form.period.quarter].format(year=form.period.year)
    ws = _sheet(wb, TASK_SHEET, TASK_COLUMNS, form, "BIỂU MẪU CẬP NHẬT TIẾN ĐỘ NHIỆM VỤ CẢI CÁCH HÀNH CHÍNH", 20)
    _task_validation(ws, form)
    if form.targets:
        ws = _sheet(wb, TARGET_SHEET, TARGET_COLUMNS, form, "BIỂU MẪU BÁO CÁO SỐ LIỆU CHỈ TIÊU", 0)
        keys = ", ".join(dict.fromkeys(r.key for r in form.targets))
        _text(ws["A5"], f"Ghi kết quả của kỳ {keys} vào cột “Kết quả kỳ này” (tỷ lệ: số từ 0 đến "
                        "100) và nguồn số liệu; các cột khác chỉ để xem.")
        for i, row in enumerate(form.targets):
            _validate(ws, f"E{FIRST_ROW + i}", type="decimal", operator="between", formula1="0",
                      formula2="100" if row.cells[2].endswith("%") else "1000000000",
                      errorTitle="Kết quả", error="Kết quả là một số.")
    data = wb.create_sheet(DATA_SHEET)
    encoded = canonical(form.payload())
    for i in range(0, max(len(encoded), 1), CHUNK):
        _text(data.cell(i // CHUNK + 1, 1), encoded[i:i + CHUNK])
    _text(data["B1"], form.digest)
    data.sheet_state = "veryHidden"
    wb.active = 0
    wb.security = WorkbookProtection(lockStructure=True)  # no unhiding, renaming or adding sheets
    wb.properties.title = f"Biểu mẫu cập nhật tiến độ — {form.unit_name} — {period_name}"
    wb.properties.creator = "cchc"
    wb.properties.identifier = form.id
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _text(cell, value: Any) -> None:
    # A text starting with = + - @ stays text: a title never runs as a formula (OWASP).
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"


def _styles(wb) -> dict:
    """Named styles, registered once: a cell then takes one style instead of five objects (2,000 rows fast)."""
    from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Protection, Side

    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(vertical="top", wrap_text=True)
    edit = PatternFill("solid", fgColor="FFF2CC")
    unlocked = Protection(locked=False)
    styles = {
        "header": NamedStyle("Tiêu đề cột", font=Font(bold=True), fill=PatternFill("solid", fgColor="DDEBF7"),
                             border=border, alignment=Alignment(vertical="center", wrap_text=True)),
        "readonly": NamedStyle("Ô chỉ xem", border=border, alignment=wrap),
        "edit": NamedStyle("Ô điền", border=border, alignment=wrap, fill=edit, protection=unlocked),
        "edit-date": NamedStyle("Ô điền ngày", border=border, alignment=wrap, fill=edit, protection=unlocked,
                                number_format="DD/MM/YYYY"),
        "open": NamedStyle("Ô mở", protection=unlocked),
    }
    if "Ô điền" not in wb.style_names:
        for style in styles.values():
            wb.add_named_style(style)
    return {key: style.name for key, style in styles.items()}


def _sheet(wb, title: str, columns: list, form: Form, heading: str, fill_rows: int):
    """One protected sheet: the form's heading lines, the column headings, the rows, the editable cells."""
    from openpyxl.utils import get_column_letter

    st = _styles(wb)
    ws = wb.create_sheet(title)
    rows = form.tasks if title == TASK_SHEET else form.targets
    _head(ws, form, heading, get_column_letter(len(columns)), st)
    for c, (heading_text, width, _editable) in enumerate(columns, start=1):
        cell = ws.cell(HEADER_ROW, c)
        _text(cell, heading_text)
        cell.style = st["header"]
        ws.column_dimensions[get_column_letter(c)].width = width
    ws.row_dimensions[HEADER_ROW].height = 45
    kinds = [st["edit-date"] if heading_text.startswith("Ngày") else st["edit"] if editable else st["readonly"]
             for heading_text, _w, editable in columns]
    for i, row in enumerate(rows):
        r = FIRST_ROW + i
        for c, value in enumerate(row.cells, start=1):
            _text(ws.cell(r, c), value)
        for c, kind in enumerate(kinds, start=1):
            ws.cell(r, c).style = kind
        # Calc and Excel do not grow a row written by openpyxl to fit wrapped text: give the height.
        lines = max(-(-len(str(v or "")) // int(columns[c][1] * 1.15)) for c, v in enumerate(row.cells))
        ws.row_dimensions[r].height = 15 * max(lines, 1) + 2
    # Cells below the rows stay editable too: a unit that adds a row gets a clear refusal, not a lock.
    for r in range(FIRST_ROW + len(rows), FIRST_ROW + len(rows) + fill_rows):
        for c in range(1, len(columns) + 1):
            ws.cell(r, c).style = st["open"]
    ws.freeze_panes = f"C{FIRST_ROW}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0  # all columns on the page, as many pages as needed
    ws.protection.sheet = True
    ws.protection.formatColumns = False  # widths and heights may still be changed
    ws.protection.formatRows = False
    return ws


def _head(ws, form: Form, heading: str, last: str, st: dict) -> None:
    """Rows 1-5: title, plan, unit and period, "Người điền" and the form's id, how to fill it in."""
    from openpyxl.styles import Alignment, Font

    period_name = REPORT_VI[form.period.quarter].format(year=form.period.year)
    lines = [
        heading,
        f"Kế hoạch: {form.plan_title} — {form.plan_key['issuer']}",
        f"Đơn vị: {form.unit_name} ({form.unit}) — Kỳ báo cáo: {period_name}, số liệu đến hết ngày "
        f"{format_date(form.period.end)}",
    ]
    for r, line in enumerate(lines, start=1):
        _text(ws.cell(r, 1), line)
        ws.cell(r, 1).font = Font(bold=True, size=13 if r == 1 else 11)
        ws.merge_cells(f"A{r}:{last}{r}")
    _text(ws["A4"], "Người điền:")
    _text(ws["C4"], "Mã biểu mẫu:")
    ws["A4"].font = ws["C4"].font = Font(bold=True)
    ws[FILLED_BY_CELL].style = st["edit"]
    _text(ws[FORM_ID_CELL], form.id)
    _text(ws["A5"], "Chỉ điền vào các ô nền vàng; các cột khác chỉ để xem. Ngày ghi dd/mm/yyyy. "
                    "Hoàn thành: chọn “có” và ghi tài liệu kiểm chứng (số, ngày văn bản).")
    ws["A5"].alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells(f"A5:{last}5")
    ws.row_dimensions[5].height = 30


def _validate(ws, sqref: str, **kwargs) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    dv = DataValidation(allow_blank=True, showErrorMessage=True, errorStyle="stop", **kwargs)
    dv.add(sqref)
    ws.add_data_validation(dv)


def _task_validation(ws, form: Form) -> None:
    """Percent 0-100, a date in the plan year (shown dd/mm/yyyy), done “có”/“không”."""
    year = form.period.year
    end = FIRST_ROW + max(len(form.tasks), 1) - 1
    _validate(ws, f"F{FIRST_ROW}:F{end}", type="decimal", operator="between", formula1="0", formula2="100",
              errorTitle="Tiến độ", error="Tiến độ là một số từ 0 đến 100.")
    _validate(ws, f"G{FIRST_ROW}:G{end}", type="date", operator="between", formula1=f"DATE({year},1,1)",
              formula2=f"DATE({year},12,31)", errorTitle="Ngày", error=f"Ngày trong năm {year}, dạng dd/mm/yyyy.")
    _validate(ws, f"J{FIRST_ROW}:J{end}", type="list", formula1=f'"{YES},{NO}"', errorTitle="Hoàn thành",
              error=f"Chọn “{YES}” hoặc “{NO}”.")


# --- writing the forms --------------------------------------------------------------------------

@dataclass
class WrittenForm:
    unit: str
    path: Path
    tasks: int
    targets: int


def write_forms(loaded, units: list[str] | None, period: str | None, out_dir: str | os.PathLike,
                force: bool = False, as_of: dt.date | None = None) -> tuple[list[WrittenForm], list[str]]:
    """Write one form per unit (all units by default) into `out_dir`; (forms written, units skipped).

    Units with nothing to report are skipped. An existing file is never replaced without `force`:
    then nothing at all is written.
    """
    from .userinput import resolve_unit

    plan: Plan = loaded.plan
    chosen = choose_period(plan, period, as_of or dt.date.today())
    keys = [resolve_unit(plan, u) for u in units] if units else list(plan.units)
    version = plan_version(loaded.doc.text)
    out = Path(out_dir)
    forms = [(key, build_form(plan, version, key, chosen)) for key in dict.fromkeys(keys)]
    skipped = [key for key, form in forms if form.is_empty()]
    todo = [(key, form, out / form_filename(key, chosen)) for key, form in forms if not form.is_empty()]
    existing = [p for _k, _f, p in todo if p.exists()]
    if existing and not force:
        raise Refused(_("đã có {files}; không ghi đè. Thêm --force để ghi đè, hoặc chọn thư mục khác bằng -o")
                        .format(files=", ".join(str(p) for p in existing)))
    from .outputs import write_output

    written = []
    for key, form, path in todo:
        write_output(path, form_bytes(form), force=force)  # temporary file, rename; never over a plan or .git
        written.append(WrittenForm(key, path, len(form.tasks), len(form.targets)))
    return written, skipped


# --- reminders ----------------------------------------------------------------------------------

REMINDER_DAYS = (7, 3, 1)


@dataclass
class Reminder:
    """What one unit is asked for before the next cut-off."""

    unit: str
    unit_name: str
    period: ReportPeriod
    as_of: dt.date
    late: list[TaskState]
    due: list[TaskState]  # due by the cut-off
    not_updated: list[TaskState]  # open, no progress recorded in the period yet
    targets: list[Target]

    @property
    def days_left(self) -> int:
        return (self.period.end - self.as_of).days

    @property
    def stage(self) -> int | None:
        """Which reminder this is: 7, 3 or 1 day(s) before the cut-off; None earlier."""
        return next((d for d in reversed(REMINDER_DAYS) if self.days_left <= d), None)


def reminders(plan: Plan, as_of: dt.date, units: list[str] | None = None,
              period: str | None = None) -> list[Reminder]:
    """Per unit, what is due by the next cut-off after `as_of` (or `period`'s): units with nothing are left out."""
    from .userinput import resolve_unit

    chosen = choose_period(plan, period, as_of)
    keys = [resolve_unit(plan, u) for u in units] if units else list(plan.units)
    out = []
    for key in dict.fromkeys(keys):
        late, due, not_updated = [], [], []
        for s in unit_tasks(plan, key, as_of):
            if s.state is State.late:
                late.append(s)
            elif s.next_due is not None and s.next_due <= chosen.end:
                due.append(s)
            elif not any(chosen.start <= e.date <= as_of for e in s.task.progress):
                not_updated.append(s)
        wanted = [t for t in plan.targets if t.owner == key and measurement_key(t, chosen) is not None
                  and not any(m.period == measurement_key(t, chosen) for m in t.measurements)]
        if late or due or not_updated or wanted:
            out.append(Reminder(key, plan.units[key], chosen, as_of, late, due, not_updated, wanted))
    return out


def reminder_text(r: Reminder) -> str:
    """The reminder as plain Vietnamese text to paste into an e-mail or the document system."""
    cutoff = format_date(r.period.end)
    name = REPORT_VI[r.period.quarter].format(year=r.period.year)
    if r.days_left < 0:
        when = f"đã qua ngày chốt {cutoff}"
    elif r.days_left == 0:
        when = f"hôm nay ({cutoff}) là ngày chốt số liệu"
    else:
        when = f"còn {r.days_left} ngày đến ngày chốt số liệu {cutoff}"
    stage = {7: "Nhắc lần 1 (trước 7 ngày)", 3: "Nhắc lần 2 (trước 3 ngày)", 1: "Nhắc lần cuối (trước 1 ngày)"}
    lines = [f"Kính gửi: {r.unit_name}",
             f"{stage[r.stage] + ': ' if r.stage else ''}Báo cáo cải cách hành chính {name}: {when}.",
             f"Đề nghị {r.unit_name} cập nhật tiến độ vào biểu mẫu {form_filename(r.unit, r.period)} và gửi lại "
             f"trước ngày {cutoff}."]

    def section(title: str, states: list[TaskState]) -> None:
        if not states:
            return
        lines.extend(["", title])
        for s in states:
            due = format_date(s.next_due or s.deadline)
            lines.append(f"- {s.task.id} {s.task.title} (hạn {due}; hiện {format_number(s.percent)}%)")

    section("Nhiệm vụ đã quá hạn:", r.late)
    section(f"Nhiệm vụ đến hạn trước ngày chốt {cutoff}:", r.due)
    section("Nhiệm vụ chưa cập nhật tiến độ trong kỳ:", r.not_updated)
    if r.targets:
        lines.extend(["", "Chỉ tiêu cần báo cáo số liệu:"])
        lines += [f"- {t.id} {t.name}" for t in r.targets]
    return "\n".join(lines)
