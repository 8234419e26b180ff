"""Reading returned unit forms (`cchc.forms`) and applying them to the plan, one form per write.

`collect_form(plan, form)`:
1. reads the .xlsx within bounds (file size, uncompressed size and members checked before openpyxl
   opens it; read-only mode);
2. under the plan's lock, checks the form against the plan: its payload's digest, the plan it was
   written for, whether it was collected before, every read-only cell as sent, every row's task
   (known, the unit's, unchanged since the form was written) and every typed value;
3. applies each filled row through `edit.record_progress`, `mark_done`, `add_evidence` and
   `record_measurement`, inside `edit.edit_together`: all rows of the form land in one validated,
   atomic write, or none does. The form's id goes in the plan's `collected_forms`.

Every problem is one line `FILE:Sheet!CELL: message`; any problem refuses the whole form.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .diagnostics import CchcError, NotFound, PlanInvalid, Refused
from .forms import (DATA_SHEET, FILLED_BY_CELL, FIRST_ROW, FORMAT, NO, TARGET_COLUMNS,
                    TARGET_READONLY, TARGET_SHEET, TASK_COLUMNS, TASK_READONLY, TASK_SHEET, YES, form_id,
                    payload_digest, plan_key, target_fingerprint, task_fingerprint)
from .i18n import _
from .model import Plan
from .periods import format_date, parse_user_date
from .text import fold, format_number, nfc

MAX_FORM_BYTES = 20 * 1024 * 1024  # a form of 2,000 tasks is well under 1 MB
MAX_UNZIPPED = 200 * 1024 * 1024
MAX_MEMBERS = 500
MAX_ROWS = 20_000
MAX_PAYLOAD = 10 * 1024 * 1024
PLAN_KEYS = tuple(Plan.model_fields)


class FormRefused(Refused):
    """A form that cannot be applied; `lines` holds one `FILE:Sheet!CELL: message` per problem."""

    def __init__(self, lines: list[str]):
        self.lines = lines
        super().__init__("\n".join(lines))


@dataclass
class Cell:
    value: Any  # None, str (NFC, stripped), int/float, dt.date
    number_format: str = "General"


@dataclass
class ReturnedForm:
    """What a returned .xlsx holds, read without trusting any of it yet."""

    path: Path
    payload: Any
    digest: str
    sheets: dict[str, list[list[Cell]]]  # sheet → rows from row 1, cells from column A

    def cell(self, sheet: str, row: int, column: int) -> Cell:
        rows = self.sheets.get(sheet, [])
        if row - 1 < len(rows) and column - 1 < len(rows[row - 1]):
            return rows[row - 1][column - 1]
        return Cell(None)


@dataclass
class CollectResult:
    form: Path
    form_id: str
    lines: list[str] = field(default_factory=list)  # the changes, as `cchc diff` prints them
    warnings: list[str] = field(default_factory=list)
    rows: int = 0  # rows applied
    already: Any = None  # the `CollectedForm` recorded before, when the form was collected already
    changed: bool = False


# --- reading the file -------------------------------------------------------------------------

def read_form(path: str | os.PathLike) -> ReturnedForm:
    """The cells of a returned form; refuses files that are too large or not spreadsheets."""
    path = Path(path)
    _check_archive(path)
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # noqa: BLE001 - openpyxl raises many kinds for a damaged file
        raise FormRefused([_("{file}: không đọc được bảng tính ({reason})").format(file=path, reason=e)]) from None
    try:
        if DATA_SHEET not in wb.sheetnames:
            raise FormRefused([_("{file}: không phải biểu mẫu của cchc (không có trang dữ liệu “{sheet}”)").format(
                file=path, sheet=DATA_SHEET)])
        payload, digest = _payload(wb[DATA_SHEET])
        sheets = {}
        for title, columns in ((TASK_SHEET, TASK_COLUMNS), (TARGET_SHEET, TARGET_COLUMNS)):
            if title in wb.sheetnames:
                sheets[title] = [[_cell(c) for c in row]
                                 for row in wb[title].iter_rows(max_row=MAX_ROWS, max_col=len(columns))]
    finally:
        wb.close()
    return ReturnedForm(path, payload, digest, sheets)


def _check_archive(path: Path) -> None:
    """Refuse a file too large, not a zip, or inflating to too much, before openpyxl opens it."""
    try:
        size = path.stat().st_size
    except OSError as e:
        raise NotFound(_("{file}: không đọc được tệp ({reason})").format(file=path, reason=e.strerror or e)) \
            from None
    if size > MAX_FORM_BYTES:
        raise FormRefused([_("{file}: tệp quá lớn cho một biểu mẫu ({size} MB, tối đa {limit} MB)").format(
            file=path, size=format_number(size / 2**20), limit=MAX_FORM_BYTES // 2**20)])
    try:
        with zipfile.ZipFile(path) as z:
            members = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise FormRefused([_("{file}: không phải tệp bảng tính .xlsx").format(file=path)]) from None
    unzipped = sum(m.file_size for m in members)
    if len(members) > MAX_MEMBERS or unzipped > MAX_UNZIPPED:
        # zipfile never inflates a member past its declared size, so this bounds what openpyxl reads.
        raise FormRefused([_("{file}: tệp nén chứa quá nhiều dữ liệu cho một biểu mẫu ({size} MB khi giải nén); "
                             "không mở").format(file=path, size=format_number(unzipped / 2**20))])


def _payload(sheet) -> tuple[Any, str]:
    """The hidden sheet's payload (column A, in chunks) and the digest beside it (B1)."""
    chunks, digest = [], ""
    for i, row in enumerate(sheet.iter_rows(max_row=MAX_PAYLOAD // 30_000 + 1, max_col=2, values_only=True)):
        if row and isinstance(row[0], str):
            chunks.append(row[0])
        if i == 0 and len(row) > 1 and isinstance(row[1], str):
            digest = row[1]
    text = "".join(chunks)
    try:
        return (json.loads(text) if len(text) <= MAX_PAYLOAD else None), digest
    except ValueError:
        return None, digest


def _cell(cell) -> Cell:
    value = getattr(cell, "value", None)
    if isinstance(value, dt.datetime):
        value = value.date()
    elif isinstance(value, str):
        value = nfc(value.strip()) or None
    elif isinstance(value, bool):
        value = YES if value else NO
    return Cell(value, getattr(cell, "number_format", None) or "General")


# --- checking and applying --------------------------------------------------------------------

def collect_form(plan_path: str | os.PathLike, form_path: str | os.PathLike, dry_run: bool = False,
                 today: dt.date | None = None) -> CollectResult:
    """Apply one returned form to the plan in one write (nothing with `dry_run`).

    Raises FormRefused, with one line per problem, when any part of the form cannot be applied:
    the plan file is then unchanged.
    """
    from .edit import edit_together

    returned = read_form(form_path)
    return edit_together(plan_path, lambda loaded, edit: _apply(loaded, edit, returned, Path(plan_path),
                                                                today or dt.date.today()), dry_run=dry_run)


def _where(returned: ReturnedForm, sheet: str | None = None, cell: str | None = None) -> str:
    return f"{returned.path}:{sheet}!{cell}" if sheet else str(returned.path)


def _letter(column: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(column)


def _header(returned: ReturnedForm, plan: Plan) -> tuple[dict, str]:
    """The payload and the form's id, once the form is known to be this plan's, untouched."""
    payload = returned.payload
    where = _where(returned)
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise FormRefused([_("{where}: không phải biểu mẫu của cchc, hoặc biểu mẫu của phiên bản cchc khác").format(
            where=where)])
    digest = payload_digest(payload)
    if returned.digest != digest:
        raise FormRefused([_("{where}: phần dữ liệu ẩn của biểu mẫu đã bị sửa (mã kiểm tra không khớp); hãy dùng "
                             "biểu mẫu gốc hoặc tạo biểu mẫu mới").format(where=_where(returned, DATA_SHEET, "B1"))])
    try:
        theirs = payload["plan"]
        unit, period = str(payload["unit"]), str(payload["period"])
        if not isinstance(payload["tasks"], list) or not isinstance(payload["targets"], list):
            raise TypeError
    except (KeyError, TypeError):
        raise FormRefused([_("{where}: không phải biểu mẫu của cchc").format(where=where)]) from None
    ours = plan_key(plan)
    if theirs != ours:
        raise FormRefused([_("{where}: biểu mẫu của kế hoạch khác ({theirs}), không phải của kế hoạch này ({ours})")
                           .format(where=_where(returned, TASK_SHEET, "A2"), theirs=_plan_name(theirs),
                                   ours=_plan_name(ours))])
    if unit not in plan.units:
        raise FormRefused([_("{where}: đơn vị {unit} của biểu mẫu không còn trong danh mục đơn vị của kế hoạch")
                           .format(where=_where(returned, TASK_SHEET, "A3"), unit=unit)])
    return payload, form_id(unit, period, digest)


def _plan_name(key: Any) -> str:
    if isinstance(key, dict):
        return _("{issuer} năm {year}").format(issuer=key.get("issuer", "?"), year=key.get("year", "?"))
    return str(key)


def _shown(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, dt.date):
        return format_date(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return format_number(value, 2)
    return str(value)


def _clip(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[:width - 1].rstrip() + "…"


def _same(sent: Any, now: Any) -> bool:
    if isinstance(sent, (int, float)) and isinstance(now, (int, float)):
        return float(sent) == float(now)
    # A spreadsheet program may turn line breaks into CR LF or trim spaces: neither is an edit.
    return " ".join(nfc(_shown(sent)).split()) == " ".join(nfc(_shown(now)).split())


@dataclass
class _Row:
    """One filled row, checked: what to record and where each value came from."""

    sheet: str
    row: int
    id: str
    percent: Any = None
    date: dt.date | None = None
    note: str = ""
    evidence: str = ""
    done: bool = False
    value: Any = None
    period: str = ""  # a target's measurement period
    source: str = ""
    replace: bool = False


def _apply(loaded, edit, returned: ReturnedForm, plan_path: Path, today: dt.date) -> CollectResult:
    plan: Plan = loaded.plan
    payload, fid = _header(returned, plan)
    result = CollectResult(returned.path, fid)
    result.already = next((f for f in plan.collected_forms if f.id == fid), None)
    if result.already is not None:
        return result
    form = _Collection(returned, plan, payload)
    form.check_tasks()
    form.check_targets()
    if form.problems:
        raise form.refusal()
    if not form.rows:
        return result  # nothing filled in: nothing to record, and the form can still come back filled
    from openpyxl.utils.cell import coordinate_to_tuple

    filled_by = _shown(returned.cell(TASK_SHEET, *coordinate_to_tuple(FILLED_BY_CELL)).value)
    result.warnings = form.record(plan_path, today, filled_by or form.unit_name)
    if form.problems:
        raise form.refusal()
    entry = {"id": fid, "unit": form.unit, "period": payload["period"], "date": today}
    if filled_by:
        entry["by"] = filled_by
    entry["file"] = returned.path.name
    edit.append_item(("collected_forms",), entry, PLAN_KEYS)
    result.rows, result.changed = len(form.rows), True
    result.lines = _changes(plan, edit, plan_path)
    return result


class _Collection:
    """One form checked against one plan: the problems found (with their cells), the rows to record."""

    def __init__(self, returned: ReturnedForm, plan: Plan, payload: dict):
        self.returned, self.plan, self.payload = returned, plan, payload
        self.unit = payload["unit"]
        self.unit_name = plan.units[self.unit]
        self.problems: list[tuple] = []
        self.rows: list[_Row] = []

    def refuse(self, sheet: str, row: int, column: int, message: str) -> None:
        where = _where(self.returned, sheet, f"{_letter(column)}{row}")
        self.problems.append((sheet != TASK_SHEET, row, column, len(self.problems), f"{where}: {message}"))

    def refusal(self) -> FormRefused:
        return FormRefused([p[-1] for p in sorted(self.problems)])

    def check_tasks(self) -> None:
        tasks = {t.id: t for t in self.plan.all_tasks()}
        sent = _rows(self.payload["tasks"], 3)
        _check_sheet(self.returned, TASK_SHEET, TASK_COLUMNS, TASK_READONLY, sent, self.refuse,
                     lambda task_id: _task_problem(tasks.get(task_id), task_id, self.unit, self.unit_name))
        for i, (task_id, _cells, fingerprint) in enumerate(sent):
            r = FIRST_ROW + i
            filled = _task_row(self.returned, r, self.plan.plan.year, self.refuse)
            if filled is None:
                continue
            filled.id = task_id
            task = tasks.get(task_id)
            if task is None:
                self.refuse(TASK_SHEET, r, 1, _("nhiệm vụ {id} không còn trong kế hoạch; không ghi dòng này").format(
                    id=task_id))
            elif task_fingerprint(task) != fingerprint:
                self.refuse(TASK_SHEET, r, 1, _(
                    "nhiệm vụ {id} đã thay đổi trong kế hoạch từ khi gửi biểu mẫu (nay: {now}); không ghi đè. Biểu "
                    "mẫu ghi: {wanted}. Hãy xem lại rồi ghi bằng cchc update, hoặc gửi biểu mẫu mới: cchc forms "
                    "--unit {unit} --period {period}").format(id=task_id, now=_task_now(task), wanted=_wanted(filled),
                                                              unit=self.unit, period=self.payload["period"]))
            else:
                self.rows.append(filled)

    def check_targets(self) -> None:
        targets = {t.id: t for t in self.plan.targets}
        sent = _rows(self.payload["targets"], 5)
        if sent or TARGET_SHEET in self.returned.sheets:
            _check_sheet(self.returned, TARGET_SHEET, TARGET_COLUMNS, TARGET_READONLY, sent, self.refuse,
                         lambda target_id: _target_problem(targets.get(target_id), target_id, self.unit,
                                                           self.unit_name))
        for i, (target_id, _cells, fingerprint, key, had) in enumerate(sent):
            r = FIRST_ROW + i
            filled = _target_row(self.returned, r, self.refuse)
            if filled is None:
                continue
            filled.id, filled.period, filled.replace = target_id, str(key), had is not None
            target = targets.get(target_id)
            if target is None or target_fingerprint(target) != fingerprint:
                self.refuse(TARGET_SHEET, r, 1, _(
                    "chỉ tiêu {id} đã thay đổi trong kế hoạch từ khi gửi biểu mẫu; không ghi đè kết quả {value}. Hãy "
                    "xem lại rồi ghi bằng cchc kpi record, hoặc gửi biểu mẫu mới").format(
                    id=target_id, value=_shown(filled.value)))
            elif not (had is not None and _same(had, filled.value) and not filled.source and not filled.note):
                self.rows.append(filled)

    def record(self, plan_path: Path, today: dt.date, by: str) -> list[str]:
        """Each row through the recording functions, inside the caller's `edit_together`; their warnings."""
        from .edit import add_evidence, mark_done, record_measurement, record_progress

        warnings = []
        for row in self.rows:
            date = row.date or today
            if row.sheet == TARGET_SHEET:
                steps = [(5, lambda: record_measurement(plan_path, row.id, row.value, row.period, source=row.source,
                                                        note=row.note, replace=row.replace))]
            elif row.done:
                steps = [(10, lambda: mark_done(plan_path, row.id, evidence=row.evidence, date=date, by=by,
                                                note=row.note))]
            else:
                steps = [(6, lambda: record_progress(plan_path, row.id, row.percent, note=row.note, date=date, by=by))
                         ] if row.percent is not None else []
                if row.evidence:
                    steps.append((9, lambda: add_evidence(plan_path, row.id, row.evidence)))
            for column, step in steps:
                try:
                    warnings += [f"{row.id}: {w}" for w in step().warnings]
                except CchcError as e:
                    self.refuse(row.sheet, row.row, column, str(e))
        return warnings


def _rows(sent: list, width: int) -> list[tuple]:
    out = []
    for item in sent:
        if not isinstance(item, list) or len(item) != width or not isinstance(item[1], list):
            raise FormRefused([_("dữ liệu ẩn của biểu mẫu không đúng dạng")])
        out.append(tuple(item))
    return out


def _check_sheet(returned: ReturnedForm, sheet: str, columns: list, readonly: int, sent: list, refuse,
                 id_problem) -> None:
    """Read-only cells as sent; rows added below the sent ones refused, each with its reason."""
    for i, (item_id, cells, *_rest) in enumerate(sent):
        r = FIRST_ROW + i
        for c in range(1, readonly + 1):
            now = returned.cell(sheet, r, c).value
            before = cells[c - 1] if c - 1 < len(cells) else None
            if _same(before, now):
                continue
            problem = id_problem(_shown(now)) if c == 1 and now else None
            refuse(sheet, r, c, problem or _(
                "cột “{heading}” chỉ để xem, không được sửa: biểu mẫu gửi đi ghi “{sent}”, nay là “{now}”").format(
                heading=columns[c - 1][0], sent=_clip(_shown(before)), now=_clip(_shown(now))))
    rows = returned.sheets.get(sheet, [])
    sent_rows = {item[0]: FIRST_ROW + i for i, item in enumerate(sent)}
    for r in range(FIRST_ROW + len(sent), len(rows) + 1):
        values = [c.value for c in rows[r - 1]]
        if not any(v not in (None, "") for v in values):
            continue
        item_id = _shown(values[0])
        if item_id in sent_rows:
            problem = _("“{id}” đã có ở dòng {row}; ghi vào dòng đó, không thêm dòng mới").format(
                id=item_id, row=sent_rows[item_id])
        elif item_id:
            problem = id_problem(item_id) or _(
                "“{id}” không có trong biểu mẫu gửi đi; không nhận dòng thêm — ghi bằng lệnh cchc, hoặc tạo biểu "
                "mẫu mới").format(id=item_id)
        else:
            problem = _("dòng {row} không có trong biểu mẫu gửi đi; không nhận dòng thêm").format(row=r)
        refuse(sheet, r, 1, problem)


def _task_problem(task, task_id: str, unit: str, unit_name: str) -> str | None:
    from .model import ALL_UNITS

    if task is None:
        return _("không có nhiệm vụ mã “{id}” trong kế hoạch").format(id=task_id)
    if task.lead != unit and unit not in task.support and ALL_UNITS not in task.support:
        return _("nhiệm vụ {id} không do {name} ({unit}) chủ trì hoặc phối hợp; không ghi").format(
            id=task.id, name=unit_name, unit=unit)
    return None


def _target_problem(target, target_id: str, unit: str, unit_name: str) -> str | None:
    if target is None:
        return _("không có chỉ tiêu mã “{id}” trong kế hoạch").format(id=target_id)
    if target.owner != unit:
        return _("chỉ tiêu {id} không do {name} ({unit}) báo cáo; không ghi").format(
            id=target.id, name=unit_name, unit=unit)
    return None


def _task_row(returned: ReturnedForm, r: int, year: int, refuse) -> _Row | None:
    """The editable cells F–J of a task row, checked; None when the row was left empty."""
    percent_cell, date_cell, note_cell, evidence_cell, done_cell = (
        returned.cell(TASK_SHEET, r, c) for c in range(6, 11))
    if all(c.value is None for c in (percent_cell, date_cell, note_cell, evidence_cell, done_cell)):
        return None
    row = _Row(TASK_SHEET, r, "", note=_shown(note_cell.value), evidence=_shown(evidence_cell.value))
    problems: list[tuple[int, str]] = []
    row.percent = _percent(percent_cell, problems)
    row.date = _day(date_cell, year, problems)
    done = fold(_shown(done_cell.value))
    row.done = done in ("co", "x", "yes", "y")
    if not row.done and done not in ("", "khong", "no", "n"):
        problems.append((10, _("ô “Hoàn thành” chỉ nhận “{yes}” hoặc “{no}”, không phải “{value}”").format(
            yes=YES, no=NO, value=_shown(done_cell.value))))
    if row.done and row.percent is not None and row.percent != 100:
        problems.append((6, _("đã chọn hoàn thành thì để trống tiến độ mới hoặc ghi 100, không phải {value}")
                         .format(value=format_number(row.percent))))
    if row.done and not row.evidence:
        problems.append((9, _("hoàn thành cần tài liệu kiểm chứng: ghi số, ngày văn bản vào cột “Tài liệu kiểm "
                              "chứng”")))
    if not problems and not row.done and row.percent is None and row.note:
        problems.append((6, _("có ghi chú nhưng chưa ghi tiến độ mới (%)")))
    for column, message in problems:
        refuse(TASK_SHEET, r, column, message)
    if not problems and not (row.done or row.percent is not None or row.evidence):
        return None  # only a date: nothing to record
    return row


def _percent(cell: Cell, problems: list) -> Any:
    from .edit import check_percent

    value = cell.value
    if value is None:
        return None
    if isinstance(value, (int, float)) and "%" in cell.number_format:
        value = value * 100  # typed as "60%" in a cell Excel or Calc turned into a percentage
    try:
        return check_percent(value if not isinstance(value, dt.date) else _shown(value))
    except CchcError as e:
        problems.append((6, str(e)))
        return None


def _day(cell: Cell, year: int, problems: list) -> dt.date | None:
    if cell.value is None:
        return None
    day = _date(cell.value)
    if day is None:
        problems.append((7, _("ngày “{value}” không hợp lệ; hãy ghi dd/mm/yyyy, ví dụ 20/03/{year}").format(
            value=_shown(cell.value), year=year)))
    elif day.year != year:
        problems.append((7, _("ngày {date} nằm ngoài năm kế hoạch {year}").format(date=format_date(day), year=year)))
        return None
    return day


def _target_row(returned: ReturnedForm, r: int, refuse) -> _Row | None:
    from .edit import number

    value_cell, source_cell, note_cell = (returned.cell(TARGET_SHEET, r, c) for c in range(5, 8))
    if all(c.value is None for c in (value_cell, source_cell, note_cell)):
        return None
    row = _Row(TARGET_SHEET, r, "", source=_shown(source_cell.value), note=_shown(note_cell.value))
    if value_cell.value is None:
        refuse(TARGET_SHEET, r, 5, _("chưa ghi kết quả kỳ này"))
        return row
    try:
        row.value = number(value_cell.value if not isinstance(value_cell.value, dt.date) else _shown(value_cell.value))
    except CchcError as e:
        refuse(TARGET_SHEET, r, 5, str(e))
    return row


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return parse_user_date(value)
        except ValueError:
            return None
    return None


def _task_now(task) -> str:
    last = task.progress[-1] if task.progress else None
    if last is None:
        return _("chưa có tiến độ")
    text = f"{format_number(last.percent)}% {format_date(last.date)}"
    return f"{text} “{last.note}”" if last.note else text


def _wanted(row: _Row) -> str:
    if row.done:
        text = _("hoàn thành")
    elif row.percent is not None:
        text = f"{format_number(row.percent)}%"
    else:
        text = _("tài liệu kiểm chứng")
    if row.date:
        text += " " + format_date(row.date)
    if row.note:
        text += f" “{row.note}”"
    if row.evidence:
        text += f" [{row.evidence}]"
    return text


def _changes(old: Plan, edit, plan_path: Path) -> list[str]:
    """The edit's changes as `cchc diff` describes them."""
    from .planfile import PlanDocument, validate_document
    from .plandiff import describe_all, diff_plans

    try:
        # The data the new text must read back as (the writer checks that it does): no second YAML parse.
        new = validate_document(PlanDocument(path=plan_path, text="", data=edit.expected))
    except PlanInvalid:
        return []  # the writer refuses it next, with the reasons
    return describe_all(diff_plans(old, new), new, old)
