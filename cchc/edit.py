"""Recording what happened: progress, completion, evidence, measurements, report narratives.

Each function changes one plan file through `writer.edit_plan` (locked, validated, atomic, only the
lines it must) and returns an `EditResult` saying what changed. A refusal raises CchcError (a malformed
value such as a date: UsageError) and leaves the file byte-for-byte as it was.

    from cchc.edit import record_progress
    record_progress("plan_2023.yaml", "3.đ", 40, note="Đã trình dự thảo", date="20/03/2023")
"""

from __future__ import annotations

import contextvars
import datetime as dt
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, TypeVar

from .diagnostics import CchcError, NotFound, Refused, UsageError
from .history import default_by
from .i18n import _
from .model import PERIOD_RE, Measurement, Narrative, Plan, Status, Target, TargetKind, Task
from .oserror import reason
from .periods import format_date, parse_user_date
from .text import fold, format_number
from .yamledit import TextEdit, clean_text

# The schema's field order: a key a task lacks is added where the schema puts it.
TASK_KEYS = tuple(Task.model_fields)
TARGET_KEYS = tuple(Target.model_fields)
MEASUREMENT_KEYS = tuple(Measurement.model_fields)
NARRATIVE_KEYS = tuple(Narrative.model_fields)

# Section names accepted by `set_narrative`, with the Vietnamese words of the report's outline.
# Compared folded, with spaces and underscores as hyphens: "ưu điểm", "uu_diem" and "Uu-Diem" are one.
SECTION_ALIASES: dict[str, str] = {
    "achievements": "achievements", "uu-diem": "achievements", "ket-qua": "achievements",
    "shortcomings": "shortcomings", "han-che": "shortcomings", "ton-tai": "shortcomings",
    "ton-tai-han-che": "shortcomings",
    "causes": "causes", "nguyen-nhan": "causes",
    "proposals": "proposals", "de-xuat": "proposals", "kien-nghi": "proposals", "de-xuat-kien-nghi": "proposals",
}
SECTION_LABELS = {
    "achievements": lambda: _("ưu điểm"),
    "shortcomings": lambda: _("tồn tại, hạn chế"),
    "causes": lambda: _("nguyên nhân"),
    "proposals": lambda: _("đề xuất, kiến nghị"),
}


@dataclass
class EditResult:
    """What an edit did: one line for the user, and whether the file changed."""

    path: Path
    summary: str
    changed: bool = True
    warnings: list[str] = field(default_factory=list)

    def line(self) -> str:
        """`Đã ghi … vào plan_2023.yaml; xem thay đổi: git diff -- plan_2023.yaml`."""
        if not self.changed:
            return self.summary
        return _("{summary} vào {name}; xem thay đổi: git diff -- {path}").format(
            summary=self.summary, name=self.path.name, path=_shell_path(self.path))


def _shell_path(path: Path) -> str:
    """The plan's path as the user would type it in this folder, quoted for the shell if need be."""
    if path.is_absolute():
        try:
            path = path.relative_to(Path.cwd())
        except ValueError:
            pass
    text = path.as_posix() if os.name != "nt" else str(path)
    return text if re.fullmatch(r"[\w./\\:+-]+", text) else "'" + text.replace("'", "'\\''") + "'"


# --- lookups ----------------------------------------------------------------------------------

def resolve_task(plan: Plan, task_id: str) -> tuple[Task, tuple]:
    """The task `task_id` (found as every command finds it, `query.find_task`) and its path in the document."""
    from .query import find_task

    task = find_task(plan, task_id)
    return task, plan.task_paths()[task.id]


def resolve_target(plan: Plan, target_id: str) -> tuple[Target, int]:
    """The target `target_id` and its index in `targets`."""
    from .query import find_target

    target = find_target(plan, target_id)
    return target, [t.id for t in plan.targets].index(target.id)


def parse_period(value: str, year: int) -> str:
    """`2023-Q1`, `2023-q1`, `Q1` (the plan's year), `2023-H1` or `2023`; must be in the plan's year."""
    text = value.strip().upper().replace(" ", "")
    if re.fullmatch(r"Q[1-4]|H1", text):
        text = f"{year}-{text}"
    if not PERIOD_RE.match(text):
        raise UsageError(_("kỳ “{value}” không hợp lệ; hãy nhập dạng {year}-Q1, {year}-H1 hoặc {year}").format(
            value=value, year=year))
    if int(text[:4]) != year:
        raise CchcError(_("kỳ {period} nằm ngoài năm kế hoạch {year}").format(period=text, year=year))
    return text


def parse_section(value: str) -> str:
    key = "-".join(fold(value).replace("_", " ").replace(",", " ").split())
    if key in SECTION_ALIASES:
        return SECTION_ALIASES[key]
    choices = ", ".join(f"{name} ({SECTION_LABELS[name]()})" for name in Narrative.model_fields)
    raise CchcError(_("mục “{value}” không có; chọn một trong: {choices}").format(value=value, choices=choices))


# --- values typed by the user -----------------------------------------------------------------

def edit_date(value: str | dt.date | None, year: int) -> dt.date:
    """`--date`: dd/mm/yyyy or ISO, default today; it must fall in the plan's year."""
    if value is None:
        day = dt.date.today()
    elif isinstance(value, dt.date):
        day = value
    else:
        try:
            day = parse_user_date(value, year)
        except ValueError as e:
            raise UsageError(str(e)) from None
    if day.year != year:
        raise CchcError(_("ngày {date} nằm ngoài năm kế hoạch {year}; ghi ngày trong năm {year} bằng --date "
                          "dd/mm/{year}").format(date=format_date(day), year=year))
    return day


def number(value: float | int | str) -> int | float:
    """A number as typed (`87,5` or `87.5`), written as an int when whole (40, not 40.0)."""
    if isinstance(value, str):
        text = value.strip().replace(" ", "").rstrip("%")
        if re.fullmatch(r"[-+]?\d{1,3}(\.\d{3})+(,\d+)?", text):  # 1.234,5
            text = text.replace(".", "")
        text = text.replace(",", ".")
        try:
            value = float(text)
        except ValueError:
            raise CchcError(_("“{value}” không phải một số").format(value=value)) from None
    value = float(value)
    if math.isnan(value) or math.isinf(value):
        raise CchcError(_("cần một số hữu hạn"))
    return int(value) if value.is_integer() else value


def check_percent(value: float | int | str) -> int | float:
    percent = number(value)
    if not 0 <= percent <= 100:
        raise CchcError(_("phần trăm phải từ 0 đến 100, không phải {value}").format(value=format_number(percent)))
    return percent


_DOC_NUMBER = re.compile(r"(?<![\w/])\d+(?:/\d{4})?/[^\W\d_][\w]*(?:-[\w]+)*", re.UNICODE)
_DOC_DATE = re.compile(r"(?<!\d)(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4})(?!\d)|"
                       r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", re.IGNORECASE)


def evidence_entry(text: str, file: str | os.PathLike | None, plan_dir: Path, outside_ok: bool = False) -> dict[str, Any]:
    """An evidence entry: the text as typed, its document number and date when they can be read,
    and a file's path relative to the plan's folder (with `/`) and its SHA-256.

    The file must be inside the plan's folder or git work tree unless `outside_ok` (evidence.checked_file).
    """
    from .evidence import checked_file, file_sha256

    text = clean_text(text or "", multiline=False)
    entry: dict[str, Any] = {"text": text}
    m = _DOC_NUMBER.search(text)
    if m:
        entry["number"] = m.group()
    for m in _DOC_DATE.finditer(text):
        d, mo, y = (m.group(1), m.group(2), m.group(3)) if m.group(1) else (m.group(4), m.group(5), m.group(6))
        try:
            entry["date"] = dt.date(int(y), int(mo), int(d))
            break
        except ValueError:
            continue
    if file:
        source = checked_file(file, plan_dir, outside_ok)
        try:
            rel = Path(os.path.relpath(os.path.abspath(source), os.path.abspath(plan_dir))).as_posix()
        except ValueError:  # another drive on Windows
            rel = Path(os.path.abspath(source)).as_posix()
        if not text:
            entry["text"] = source.name
        entry["file"] = rel
        try:
            entry["sha256"] = file_sha256(source)
        except OSError as e:
            raise NotFound(_("không đọc được tệp tài liệu kiểm chứng {file} ({reason})").format(
                file=file, reason=reason(e))) from None
    if not entry["text"]:
        raise CchcError(_("tài liệu kiểm chứng cần một nội dung, ví dụ: “Báo cáo số …/BC-… ngày dd/mm/yyyy”"))
    return entry


def _same_evidence(task: Task, entry: dict) -> bool:
    return any(e.text == entry["text"] and e.file == entry.get("file", "") for e in task.evidence)


def _progress_entry(day: dt.date, percent: int | float, note: str, by: str, event: str | None = None) -> dict:
    entry: dict[str, Any] = {"date": day, "percent": percent}
    if note:
        entry["note"] = note
    if by:
        entry["by"] = by
    if event:
        entry["event"] = event
    return entry


def _who(by: str | None, path: Path) -> str:
    return clean_text(default_by(path.parent) if by is None else by, multiline=False)


def _log(edit: TextEdit, task: Task, where: tuple, entry: dict, status: Status) -> list[str]:
    """Append `entry` to the task's progress log and set its status; warnings for the user."""
    if task.status is not status:
        edit.set_scalar(where + ("status",), status.value, TASK_KEYS)  # first: a missing key goes above
    edit.append_item(where + ("progress",), entry, TASK_KEYS)
    if task.progress and entry["date"] < task.progress[-1].date:
        return [_("cảnh báo: ngày {date} sớm hơn lần cập nhật gần nhất ({last})").format(
            date=format_date(entry["date"]), last=format_date(task.progress[-1].date))]
    return []


# --- one write for several edits ---------------------------------------------------------------

T = TypeVar("T")
_together: contextvars.ContextVar = contextvars.ContextVar("cchc_edit_together", default=None)


def _write(path: Path, change, scope: tuple[str, str] | None = None):
    """`writer.edit_plan` (`scope`: the task or target `change` edits), or, inside `edit_together`,
    the change spliced into the shared edit."""
    shared = _together.get()
    if shared is None:
        from .writer import edit_plan

        return edit_plan(path, change, scope=scope)
    return change(*shared)


def edit_together(path: str | os.PathLike, steps: Callable[[Any, TextEdit], T], dry_run: bool = False) -> T:
    """Several of this module's edits as ONE locked, validated, atomic write: all land or none.

    `steps(loaded, edit)` calls `record_progress`, `mark_done`, `add_evidence`, … on `path`; each
    splices into the same edit instead of writing, and each sees the plan as it was before the
    batch (so give each task or target one edit of each kind). A CchcError escaping `steps`, or a
    result that is not a valid plan, writes nothing. `dry_run` checks everything and writes nothing.
    """
    from .writer import edit_plan

    def change(loaded, edit: TextEdit) -> T:
        token = _together.set((loaded, edit))
        try:
            return steps(loaded, edit)
        finally:
            _together.reset(token)

    return edit_plan(path, change, dry_run=dry_run)


# --- the edits --------------------------------------------------------------------------------

def _open_task(loaded, task_id: str, date: str | dt.date | None, done_refusal: str) -> tuple[Task, tuple, dt.date]:
    """The task a progress or completion entry goes to, and its date; a task already done refuses it."""
    task, where = resolve_task(loaded.plan, task_id)
    if task.status is Status.done:
        raise CchcError(done_refusal.format(id=task.id))
    return task, where, edit_date(date, loaded.plan.plan.year)



def record_progress(path: str | os.PathLike, task_id: str, percent: float | int | str, note: str = "",
                    date: str | dt.date | None = None, by: str | None = None) -> EditResult:
    """Append a dated progress entry to a task (and mark a not-started task in progress)."""
    path = Path(path)
    percent = check_percent(percent)
    note = clean_text(note or "", multiline=False)
    who = _who(by, path)

    def change(loaded, edit: TextEdit) -> EditResult:
        task, where, day = _open_task(loaded, task_id, date, _(
            "nhiệm vụ {id} đã hoàn thành; muốn ghi tiếp tiến độ thì mở lại trước: cchc reopen {id} --reason “…”"))
        warnings = _log(edit, task, where, _progress_entry(day, percent, note, who), Status.in_progress)
        if percent >= 100:
            warnings.append(_("tiến độ 100%: đánh dấu hoàn thành kèm tài liệu kiểm chứng bằng "
                              "cchc done {id} --evidence “…”").format(id=task.id))
        return EditResult(path, _("Đã ghi tiến độ {percent}% cho nhiệm vụ {id}").format(
            percent=format_number(percent), id=task.id), warnings=warnings)

    return _write(path, change, scope=("task", task_id))


def mark_done(path: str | os.PathLike, task_id: str, evidence: str | None = None,
              file: str | os.PathLike | None = None, date: str | dt.date | None = None, by: str | None = None,
              no_evidence: bool = False, note: str = "", outside_ok: bool = False) -> EditResult:
    """Mark a task done: a 100% entry with event `done`, status done, and its evidence."""
    path = Path(path)
    if not (evidence or file) and not no_evidence:
        raise CchcError(_("đánh dấu hoàn thành cần tài liệu kiểm chứng: thêm --evidence “Báo cáo số …/BC-… "
                          "ngày …” (và --attach TỆP nếu có), hoặc --no-evidence nếu chưa có"))
    proof = evidence_entry(evidence or "", file, path.parent, outside_ok) if (evidence or file) else None
    note = clean_text(note or "", multiline=False)
    who = _who(by, path)

    def change(loaded, edit: TextEdit) -> EditResult:
        task, where, day = _open_task(loaded, task_id, date, _(
            "nhiệm vụ {id} đã hoàn thành rồi; thêm tài liệu bằng cchc evidence add {id} “…”, "
            "hoặc mở lại bằng cchc reopen {id} --reason “…”"))
        warnings = _log(edit, task, where, _progress_entry(day, 100, note, who, "done"), Status.done)
        if proof is not None:
            if not _same_evidence(task, proof):
                edit.append_item(where + ("evidence",), proof, TASK_KEYS)
            summary = _("Đã ghi hoàn thành nhiệm vụ {id} ngày {date} (kèm tài liệu kiểm chứng)")
        else:
            summary = _("Đã ghi hoàn thành nhiệm vụ {id} ngày {date} (CHƯA có tài liệu kiểm chứng)")
            if not task.evidence:
                warnings.append(_("cảnh báo: nhiệm vụ {id} hoàn thành mà chưa có tài liệu kiểm chứng; cchc check "
                                  "sẽ báo cho đến khi thêm bằng cchc evidence add {id} “…”").format(id=task.id))
        return EditResult(path, summary.format(id=task.id, date=format_date(day)), warnings=warnings)

    return _write(path, change, scope=("task", task_id))


def add_evidence(path: str | os.PathLike, task_id: str, text: str, file: str | os.PathLike | None = None,
                 outside_ok: bool = False) -> EditResult:
    """Add an evidence entry (with a file's relative path and SHA-256) to any task."""
    path = Path(path)
    proof = evidence_entry(text, file, path.parent, outside_ok)

    def change(loaded, edit: TextEdit) -> EditResult:
        task, where = resolve_task(loaded.plan, task_id)
        if _same_evidence(task, proof):
            raise CchcError(_("nhiệm vụ {id} đã có tài liệu kiểm chứng này: {text}").format(
                id=task.id, text=proof["text"]))
        edit.append_item(where + ("evidence",), proof, TASK_KEYS)
        return EditResult(path, _("Đã thêm tài liệu kiểm chứng “{text}” cho nhiệm vụ {id}").format(
            text=proof["text"], id=task.id))

    return _write(path, change, scope=("task", task_id))


def record_measurement(path: str | os.PathLike, target_id: str, value: float | int | str, period: str,
                       source: str = "", note: str = "", replace: bool = False) -> EditResult:
    """Record a target's value for a period; the same period again needs `replace=True`."""
    path = Path(path)
    measured = number(value)
    source = clean_text(source or "", multiline=False)
    note = clean_text(note or "", multiline=False)

    def change(loaded, edit: TextEdit) -> EditResult:
        target, index = resolve_target(loaded.plan, target_id)
        key = parse_period(period, loaded.plan.plan.year)
        _check_measurement(target, measured)
        where = ("targets", index, "measurements")
        found = next((j for j, m in enumerate(target.measurements) if m.period == key), None)
        shown = format_number(measured, 2)
        if found is None:
            entry: dict[str, Any] = {"period": key, "value": measured}
            if source:
                entry["source"] = source
            if note:
                entry["note"] = note
            edit.append_item(where, entry, TARGET_KEYS)
            return EditResult(path, _("Đã ghi kết quả {value} kỳ {period} cho chỉ tiêu {id}").format(
                value=shown, period=key, id=target.id))
        old = target.measurements[found]
        if not replace:
            raise CchcError(_("chỉ tiêu {id} đã có kết quả kỳ {period} ({value}); muốn thay thì thêm --replace").format(
                id=target.id, period=key, value=format_number(old.value, 2)))
        if old.value != measured:
            edit.set_scalar(where + (found, "value"), measured)
        if source and source != old.source:
            edit.set_scalar(where + (found, "source"), source, MEASUREMENT_KEYS)
        if note and note != old.note:
            edit.set_scalar(where + (found, "note"), note, MEASUREMENT_KEYS)
        if not edit.changed:
            return EditResult(path, _("Chỉ tiêu {id} kỳ {period} đã có đúng kết quả này; không có gì thay đổi").format(
                id=target.id, period=key), changed=False)
        return EditResult(path, _("Đã ghi kết quả mới {value} (thay cho {old}) kỳ {period} cho chỉ tiêu {id}").format(
            period=key, id=target.id, old=format_number(old.value, 2), value=shown))

    return _write(path, change, scope=("target", target_id))


def _check_measurement(target: Target, value: int | float) -> None:
    if target.kind is TargetKind.percent and not 0 <= value <= 100:
        raise CchcError(_("chỉ tiêu {id} tính bằng phần trăm: kết quả phải từ 0 đến 100, không phải {value}").format(
            id=target.id, value=format_number(value, 2)))
    if target.kind in (TargetKind.rank, TargetKind.group) and (value < 1 or not float(value).is_integer()):
        raise CchcError(_("chỉ tiêu {id} là thứ hạng/nhóm: kết quả phải là số nguyên từ 1, không phải {value}").format(
            id=target.id, value=format_number(value, 2)))
    if target.kind is TargetKind.count and value < 0:
        raise CchcError(_("chỉ tiêu {id}: kết quả không được âm").format(id=target.id))


def narrative_text(plan: Plan, period: str, section: str) -> str:
    """The current text of one narrative section ("" if the period has none yet)."""
    key = parse_period(period, plan.plan.year)
    narrative = plan.narratives.get(key)
    return getattr(narrative, parse_section(section)) if narrative else ""


class SectionChanged(Refused):
    """The section was changed by someone else since the text replacing it was read (exit 1)."""


def set_narrative(path: str | os.PathLike, period: str, section: str, text: str, expected: str | None = None,
                  read_sha256: str | None = None) -> EditResult:
    """Write one narrative section of a period's report; text with several lines becomes a `|-` block.

    `expected` is the section's text when the user started writing (an editor session): if the
    section no longer has it, SectionChanged is raised and nothing is written. A change elsewhere
    in the plan since `read_sha256` is kept, the section written over it, with a warning.
    """
    path = Path(path)
    name = parse_section(section)
    text = clean_text(text or "")

    def change(loaded, edit: TextEdit) -> EditResult:
        key = parse_period(period, loaded.plan.plan.year)
        narrative = loaded.plan.narratives.get(key)
        label = SECTION_LABELS[name]()
        now = getattr(narrative, name) if narrative is not None else ""
        if expected is not None and now != clean_text(expected):
            raise SectionChanged(_("{path}: trong lúc soạn, phần “{label}” kỳ {period} đã được sửa ở nơi khác; không "
                                   "ghi đè").format(path=path, label=label, period=key))
        warnings = []
        if read_sha256 is not None and loaded.doc.sha256 != read_sha256:
            warnings.append(_("lưu ý: trong lúc soạn, tệp kế hoạch đã được sửa ở chỗ khác; các thay đổi đó được giữ "
                              "nguyên, phần “{label}” không bị ai sửa nên đã ghi").format(label=label))
        if narrative is not None and getattr(narrative, name) == text:
            return EditResult(path, _("Phần “{label}” kỳ {period} không thay đổi").format(label=label, period=key),
                              changed=False)
        edit.set_value(("narratives", key, name), text, NARRATIVE_KEYS)
        return EditResult(path, _("Đã ghi phần “{label}” của báo cáo kỳ {period}").format(label=label, period=key),
                          warnings=warnings)

    return _write(path, change)


def reopen(path: str | os.PathLike, task_id: str, reason: str, date: str | dt.date | None = None,
           by: str | None = None, percent: float | int | str | None = None) -> EditResult:
    """Undo a "done": an entry with event `reopened` (the reason as its note), status back in progress."""
    path = Path(path)
    reason = clean_text(reason or "", multiline=False)
    if not reason:
        raise CchcError(_("cần ghi lý do mở lại: --reason “…”"))
    wanted = None if percent is None else check_percent(percent)
    if wanted is not None and wanted >= 100:
        raise CchcError(_("nhiệm vụ mở lại phải có tiến độ dưới 100%"))
    who = _who(by, path)

    def change(loaded, edit: TextEdit) -> EditResult:
        task, where = resolve_task(loaded.plan, task_id)
        if task.status is not Status.done:
            raise CchcError(_("nhiệm vụ {id} chưa hoàn thành nên không cần mở lại").format(id=task.id))
        day = edit_date(date, loaded.plan.plan.year)
        # Back to where the work stood before it was marked done.
        pct = wanted if wanted is not None else next(
            (number(e.percent) for e in reversed(task.progress) if e.percent < 100), 0)
        warnings = _log(edit, task, where, _progress_entry(day, pct, reason, who, "reopened"), Status.in_progress)
        return EditResult(path, _("Đã ghi mở lại nhiệm vụ {id} (tiến độ {percent}%)").format(
            id=task.id, percent=format_number(pct)), warnings=warnings)

    return _write(path, change, scope=("task", task_id))
