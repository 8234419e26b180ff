"""What changed between two versions of a plan, in plan terms: one fact per change.

A git diff of the YAML shows lines; a reviewer wants "3.đ: 40% → 60% (Đã trình dự thảo)". The diff
here compares two validated `Plan`s and returns `Change` facts (JSON-ready values, ids as keys),
and `describe` turns one fact into the Vietnamese line `cchc diff` and `cchc log` print. Pure:
no files, no git.

Progress is compared as a log: entries appended to a task's progress each become one fact (a
new percentage, a completion, a reopening); a log that was rewritten rather than appended to is
reported once as edited. Status changes that those entries already explain are not repeated.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass
from typing import Any, Callable

from .i18n import N_, _
from .labels import field_label, recurrence_label
from .model import (Evidence, Measurement, Narrative, Plan, PlanInfo, Recurrence, Status, Submission, Target,
                    TargetKind, Task)
from .periods import format_date
from .text import format_number, nfc, task_sort_key

TITLE_WIDTH = 80  # long titles are clipped in lines; JSON keeps them whole


@dataclass(frozen=True)
class Change:
    """One fact: `kind` of change to the thing `id` (task, target, unit, period…), at `field`."""

    id: str
    kind: str
    field: str | None = None
    old: Any = None
    new: Any = None
    note: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


# --- comparing ------------------------------------------------------------------------------

def diff_plans(old: Plan | None, new: Plan) -> list[Change]:
    """Every fact that turns `old` into `new`; `old` None means the plan was created."""
    if old is None:
        return [Change("", "created", None, None, new.plan.title,
                       _("{tasks} nhiệm vụ, {targets} chỉ tiêu").format(
                           tasks=len(new.all_tasks()), targets=len(new.targets)))]
    changes: list[Change] = []
    changes += _plan_info(old, new)
    changes += _units(old, new)
    changes += _areas(old, new)
    changes += _tasks(old, new)
    changes += _targets(old, new)
    changes += _narratives(old, new)
    changes += _submissions(old, new)
    changes += _collected_forms(old, new)
    return changes


def changes_of(old: Plan | None, new: Plan, ident: str) -> list[Change]:
    """The facts about one task, target, unit or period (`cchc log ID`).

    Against no previous version, everything `new` holds counts as added, so the commit that
    created the plan shows the thing being added rather than the whole plan being created.
    """
    ident = nfc(ident)
    return [c for c in diff_plans(old if old is not None else _empty_like(new), new) if c.id == ident]


def _empty_like(plan: Plan) -> Plan:
    return plan.model_copy(update={"units": {}, "targets": [], "areas": [], "duties": [], "narratives": {},
                                  "submissions": []})


def _json(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (Recurrence, Status, TargetKind)):
        return value.value
    if isinstance(value, list):
        return [_json(v) for v in value]
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    return value


def fields_of(model: type, *apart: str) -> tuple[str, ...]:
    """The fields of a schema model compared one by one: all of them but those compared `apart`.

    Taken from the model, so a field added to the schema shows in `cchc diff` without a change here.
    """
    return tuple(name for name in model.model_fields if name not in apart)


_PLAN_FIELDS = fields_of(PlanInfo, "legal_bases")


def _plan_info(old: Plan, new: Plan) -> list[Change]:
    out = []
    for name in _PLAN_FIELDS:
        a, b = getattr(old.plan, name), getattr(new.plan, name)
        if a != b:
            out.append(Change("plan", "plan", name, _json(a), _json(b)))
    before = {(b.type, b.number): b for b in old.plan.legal_bases}
    after = {(b.type, b.number): b for b in new.plan.legal_bases}
    for key, basis in after.items():
        if key not in before:
            out.append(Change("plan", "legal-basis-added", "legal_bases", None, _json(basis)))
        elif before[key] != basis:
            out.append(Change("plan", "legal-basis-changed", "legal_bases", _json(before[key]), _json(basis)))
    for key, basis in before.items():
        if key not in after:
            out.append(Change("plan", "legal-basis-removed", "legal_bases", _json(basis), None))
    for name in ("objectives", "requirements"):
        a, b = getattr(old, name), getattr(new, name)
        if a != b:
            out.append(Change("plan", "text", name, list(a), list(b)))
    return out


def _units(old: Plan, new: Plan) -> list[Change]:
    out = []
    for key, name in new.units.items():
        if key not in old.units:
            out.append(Change(key, "unit-added", "name", None, name))
        elif old.units[key] != name:
            out.append(Change(key, "unit", "name", old.units[key], name))
    out += [Change(key, "unit-removed", "name", name, None) for key, name in old.units.items()
            if key not in new.units]
    return out


_TARGET_FIELDS = fields_of(Target, "id", "measurements")


def _targets(old: Plan, new: Plan) -> list[Change]:
    out = []
    before = {t.id: t for t in old.targets}
    after = {t.id: t for t in new.targets}
    for tid, target in after.items():
        previous = before.get(tid)
        if previous is None:
            out.append(Change(tid, "target-added", None, None, target.name))
            out += _measurements(Target.model_construct(**{**dict(target), "measurements": []}), target)
            continue
        for name in _TARGET_FIELDS:
            a, b = getattr(previous, name), getattr(target, name)
            if a != b:
                out.append(Change(tid, "target", name, _json(a), _json(b)))
        out += _measurements(previous, target)
    out += [Change(tid, "target-removed", None, t.name, None) for tid, t in before.items() if tid not in after]
    return out


def _measurements(old: Target, new: Target) -> list[Change]:
    out = []
    before: dict[str, Measurement] = {m.period: m for m in old.measurements}
    after: dict[str, Measurement] = {m.period: m for m in new.measurements}
    for period, m in after.items():
        previous = before.get(period)
        if previous is None:
            out.append(Change(new.id, "measurement", period, None, m.value, m.note or m.source))
        elif previous != m:
            out.append(Change(new.id, "measurement", period, previous.value, m.value, m.note or m.source))
    out += [Change(new.id, "measurement", period, m.value, None) for period, m in before.items()
            if period not in after]
    return out


def _areas(old: Plan, new: Plan) -> list[Change]:
    out = []
    before = {a.number: a for a in old.areas}
    after = {a.number: a for a in new.areas}
    for number, area in after.items():
        if number not in before:
            out.append(Change(str(number), "area-added", "title", None, area.title))
        elif before[number].title != area.title:
            out.append(Change(str(number), "area", "title", before[number].title, area.title))
    out += [Change(str(n), "area-removed", "title", a.title, None) for n, a in before.items() if n not in after]
    return out


def _tasks(old: Plan, new: Plan) -> list[Change]:
    before = {t.id: t for t in old.all_tasks()}
    after = {t.id: t for t in new.all_tasks()}
    out = []
    for task_id in sorted(before.keys() | after.keys(), key=task_sort_key):
        a, b = before.get(task_id), after.get(task_id)
        if a is None:
            out.append(Change(task_id, "task-added", None, None, b.title))
        elif b is None:
            out.append(Change(task_id, "task-removed", None, a.title, None))
        else:
            out += _task(a, b)
    return out


_TASK_APART = ("id", "status", "progress", "evidence")  # the last three are compared as a log, below


def _task(old: Task, new: Task) -> list[Change]:
    out = []
    for name in fields_of(type(new), *_TASK_APART):
        a, b = getattr(old, name, None), getattr(new, name)
        if a != b:
            out.append(Change(new.id, "task", name, _json(a), _json(b)))
    explained = False  # a status change the new progress entries already tell
    n = len(old.progress)
    if new.progress[:n] == old.progress:
        percent = old.percent
        added_evidence = [e for e in new.evidence if e not in old.evidence]
        for entry in new.progress[n:]:
            if entry.event == "done":
                if added_evidence:
                    # The evidence is what a reviewer checks; it is the new value of this fact.
                    out.append(Change(new.id, "done", "evidence", None, _evidence_note(added_evidence),
                                      entry.note))
                else:
                    out.append(Change(new.id, "done", "status", old.status.value, Status.done.value, entry.note))
                added_evidence = []
                explained = True
            elif entry.event == "reopened":
                out.append(Change(new.id, "reopened", "status", Status.done.value, new.status.value, entry.note))
                explained = True
            else:
                out.append(Change(new.id, "progress", "percent", percent, entry.percent, entry.note))
                explained = explained or new.status is not Status.done
            percent = entry.percent
    else:
        added_evidence = [e for e in new.evidence if e not in old.evidence]
        out.append(Change(new.id, "progress-edited", "progress", old.percent, new.percent))
    if old.status != new.status and not explained:
        out.append(Change(new.id, "status", "status", old.status.value, new.status.value))
    out += [Change(new.id, "evidence-added", "evidence", None, e.text) for e in added_evidence]
    out += [Change(new.id, "evidence-removed", "evidence", e.text, None) for e in old.evidence
            if e not in new.evidence]
    return out


def _evidence_note(evidence: list[Evidence]) -> str:
    return "; ".join(e.text for e in evidence)


_NARRATIVE_FIELDS = tuple(Narrative.model_fields)


def _narratives(old: Plan, new: Plan) -> list[Change]:
    out = []
    empty = Narrative()
    for period in sorted(old.narratives.keys() | new.narratives.keys()):
        a, b = old.narratives.get(period, empty), new.narratives.get(period, empty)
        for name in _NARRATIVE_FIELDS:
            if getattr(a, name) != getattr(b, name):
                out.append(Change(period, "narrative", name, getattr(a, name), getattr(b, name)))
    return out


_SUBMISSION_FIELDS = fields_of(Submission, "period", "amendments", "by", "plan_sha256")  # bookkeeping, not news


def _submissions(old: Plan, new: Plan) -> list[Change]:
    out = []
    before = {s.period: s for s in old.submissions}
    for s in new.submissions:
        previous = before.pop(s.period, None)
        if previous is None:
            out.append(Change(s.period, "submitted", "number", None, s.number, s.date.isoformat()))
            continue
        for name in _SUBMISSION_FIELDS:
            a, b = getattr(previous, name), getattr(s, name)
            if a != b:
                out.append(Change(s.period, "submission", name, _json(a), _json(b)))
        out += [Change(s.period, "amended", "amendments", None, a.reason, s.number)
                for a in s.amendments[len(previous.amendments):]]
    out += [Change(period, "submission-removed", "number", s.number, None) for period, s in before.items()]
    return out


def _collected_forms(old: Plan, new: Plan) -> list[Change]:
    before = {f.id for f in old.collected_forms}
    return [Change(f.id, "form-collected", "collected_forms", None, f.unit, f.file) for f in new.collected_forms
            if f.id not in before]


# --- describing -----------------------------------------------------------------------------

def _clip(text: str, width: int = TITLE_WIDTH) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[:width - 1].rstrip() + "…"


def _quoted(value: Any) -> str:
    return "—" if value in (None, "") else f"“{_clip(value)}”"


def _percent(value: float) -> str:
    return f"{format_number(value)}%"


_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _deadline(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, str) and _ISO.match(value):
        return format_date(dt.date.fromisoformat(value))
    try:
        return recurrence_label(Recurrence(value))
    except ValueError:
        return str(value)


def _status(value: str | None) -> str:
    from .status import STATE_LABELS, State

    return STATE_LABELS[State(value)]() if value else "—"


def _units_text(value: list | None) -> str:
    return ", ".join(value) if value else "—"


def _basis(value: dict) -> str:
    day = format_date(dt.date.fromisoformat(value["date"]))
    return _("{type} số {number} ngày {date}").format(type=value["type"], number=value["number"], date=day)


def _target_value(kind: str | None, unit: str, value: float) -> str:
    from .views import measured_value

    if kind is None:
        return format_number(value)
    return measured_value(Target.model_construct(kind=TargetKind(kind), unit=unit), value)


def _plan_value(name: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if name == "date":
        return format_date(dt.date.fromisoformat(value))
    if name == "signer":
        authority = value.get("authority")
        authority = " / ".join(authority) if isinstance(authority, list) else authority
        return _clip(" ".join(p for p in (authority, value.get("title"), value.get("name")) if p))
    if name == "recipients":
        return _clip(" ".join(value))
    return _quoted(value) if isinstance(value, str) else str(value)


def _plan_label(name: str) -> str:
    return {
        "year": _("năm"), "title": _("tên kế hoạch"), "issuer": _("cơ quan ban hành"),
        "issuer_short": _("tên viết tắt"), "parent": _("cơ quan chủ quản"), "place": _("địa danh"),
        "number": _("số ký hiệu"), "date": _("ngày ban hành"), "signer": _("người ký"),
        "report_to": _("nơi nhận báo cáo"), "recipients": _("nơi nhận"),
        "objectives": _("mục tiêu"), "requirements": _("yêu cầu"),
    }.get(name, name)


_TARGET_LABELS = {"name": N_("tên"), "kind": N_("loại"), "target": N_("mục tiêu"), "unit": N_("đơn vị tính"),
                  "deadline": N_("thời hạn"), "scope": N_("phạm vi"), "note": N_("ghi chú")}


def narrative_label(name: str) -> str:
    """A narrative section's name as the report says it ("ưu điểm")."""
    return {
        "achievements": _("ưu điểm"), "shortcomings": _("tồn tại, hạn chế"), "causes": _("nguyên nhân"),
        "proposals": _("đề xuất, kiến nghị"),
    }.get(name, name)


def _field_label(model: type, name: str, labels: dict[str, str]) -> str:
    """A field's name for a reader: cchc's own word, else the schema's (a field added since)."""
    return _(labels[name]) if name in labels else field_label(model, name)


_TASK_LABELS = {"title": N_("tên nhiệm vụ"), "lead": N_("đơn vị chủ trì"), "support": N_("đơn vị phối hợp"),
                "deadline": N_("thời hạn"), "output": N_("sản phẩm")}


def _field_value(name: str, value: Any) -> str:
    if name == "deadline":
        return _deadline(value)
    if isinstance(value, list):
        return _units_text(value)
    if isinstance(value, bool) or value is None:
        return "—" if value is None else str(value)
    if isinstance(value, (int, float)):
        return format_number(value)
    return str(value) if name == "lead" else _quoted(value)


def _describe_task(c: Change, targets) -> str:
    return _("{id}: {label} {old} → {new}").format(id=c.id, label=_field_label(Task, c.field, _TASK_LABELS),
                                                   old=_field_value(c.field, c.old), new=_field_value(c.field, c.new))


def _with_note(line: str, c: Change) -> str:
    return f"{line} ({c.note})" if c.note else line


def _describe_done(c: Change, targets) -> str:
    if c.field == "evidence":
        return _with_note(_("{id}: hoàn thành, tài liệu kiểm chứng: {evidence}").format(id=c.id, evidence=c.new), c)
    return _with_note(_("{id}: hoàn thành").format(id=c.id), c)


def _describe_measurement(c: Change, targets) -> str:
    target = (targets or {}).get(c.id)
    kind, unit = (target.kind.value, target.unit) if target else (None, "")
    where = _("chỉ tiêu {id} {period}").format(id=c.id, period=c.field)
    if c.old is None:
        return _("{where}: {value} (mới)").format(where=where, value=_target_value(kind, unit, c.new))
    if c.new is None:
        return _("{where}: xóa số liệu {value}").format(where=where, value=_target_value(kind, unit, c.old))
    return f"{where}: {_target_value(kind, unit, c.old)} → {_target_value(kind, unit, c.new)}"


def _describe_target(c: Change, targets) -> str:
    def value(v: Any) -> str:
        return _deadline(v) if c.field == "deadline" else format_number(v) if isinstance(v, (int, float)) \
            else _quoted(v)
    return _("chỉ tiêu {id}: {label} {old} → {new}").format(
        id=c.id, label=_field_label(Target, c.field, _TARGET_LABELS), old=value(c.old), new=value(c.new))


def _describe_narrative(c: Change, targets) -> str:
    label = narrative_label(c.field)
    if not str(c.old or "").strip():
        return _("tự đánh giá {period}: viết phần {label}").format(period=c.id, label=label)
    if not str(c.new or "").strip():
        return _("tự đánh giá {period}: xóa phần {label}").format(period=c.id, label=label)
    return _("tự đánh giá {period}: sửa phần {label}").format(period=c.id, label=label)


def _plain(msgid: str, value: Callable[[Change], dict]) -> Callable[[Change, Any], str]:
    return lambda c, targets: _(msgid).format(**value(c))


_DESCRIBE: dict[str, Callable[[Change, Any], str]] = {
    "created": _plain(N_("tạo kế hoạch {title} ({summary})"), lambda c: {"title": _quoted(c.new), "summary": c.note}),
    "task-added": _plain(N_("{id}: thêm nhiệm vụ {title}"), lambda c: {"id": c.id, "title": _quoted(c.new)}),
    "task-removed": _plain(N_("{id}: xóa nhiệm vụ {title}"), lambda c: {"id": c.id, "title": _quoted(c.old)}),
    "task": _describe_task,
    "progress": lambda c, t: _with_note(f"{c.id}: {_percent(c.old)} → {_percent(c.new)}", c),
    "progress-edited": _plain(N_("{id}: nhật ký tiến độ được sửa ({old} → {new})"),
                              lambda c: {"id": c.id, "old": _percent(c.old), "new": _percent(c.new)}),
    "done": _describe_done,
    "reopened": lambda c, t: _with_note(_("{id}: mở lại").format(id=c.id), c),
    "status": _plain(N_("{id}: trạng thái {old} → {new}"),
                     lambda c: {"id": c.id, "old": _status(c.old), "new": _status(c.new)}),
    "evidence-added": _plain(N_("{id}: thêm tài liệu kiểm chứng: {text}"), lambda c: {"id": c.id, "text": c.new}),
    "evidence-removed": _plain(N_("{id}: bỏ tài liệu kiểm chứng: {text}"), lambda c: {"id": c.id, "text": c.old}),
    "measurement": _describe_measurement,
    "target-added": _plain(N_("chỉ tiêu {id}: thêm {name}"), lambda c: {"id": c.id, "name": _quoted(c.new)}),
    "target-removed": _plain(N_("chỉ tiêu {id}: xóa {name}"), lambda c: {"id": c.id, "name": _quoted(c.old)}),
    "target": _describe_target,
    "unit-added": _plain(N_("đơn vị {id}: thêm {name}"), lambda c: {"id": c.id, "name": _quoted(c.new)}),
    "unit-removed": _plain(N_("đơn vị {id}: xóa {name}"), lambda c: {"id": c.id, "name": _quoted(c.old)}),
    "unit": _plain(N_("đơn vị {id}: tên {old} → {new}"),
                   lambda c: {"id": c.id, "old": _quoted(c.old), "new": _quoted(c.new)}),
    "area-added": _plain(N_("lĩnh vực {id}: thêm {title}"), lambda c: {"id": c.id, "title": _quoted(c.new)}),
    "area-removed": _plain(N_("lĩnh vực {id}: xóa {title}"), lambda c: {"id": c.id, "title": _quoted(c.old)}),
    "area": _plain(N_("lĩnh vực {id}: tên {old} → {new}"),
                   lambda c: {"id": c.id, "old": _quoted(c.old), "new": _quoted(c.new)}),
    "plan": _plain(N_("kế hoạch: {label} {old} → {new}"), lambda c: {
        "label": _plan_label(c.field), "old": _plan_value(c.field, c.old), "new": _plan_value(c.field, c.new)}),
    "legal-basis-added": _plain(N_("căn cứ: thêm {basis}"), lambda c: {"basis": _basis(c.new)}),
    "legal-basis-removed": _plain(N_("căn cứ: bỏ {basis}"), lambda c: {"basis": _basis(c.old)}),
    "legal-basis-changed": _plain(N_("căn cứ: sửa {basis}"), lambda c: {"basis": _basis(c.new)}),
    "text": _plain(N_("kế hoạch: sửa phần {label}"), lambda c: {"label": _plan_label(c.field)}),
    "form-collected": _plain(N_("biểu mẫu {id}: đã thu (đơn vị {unit}, tệp {file})"),
                             lambda c: {"id": c.id, "unit": c.new, "file": c.note or "—"}),
    "narrative": _describe_narrative,
    **dict.fromkeys(("submitted", "submission", "amended", "submission-removed"), lambda c, t: _describe_submission(c)),
}


def describe(change: Change, targets: dict[str, Target] | None = None) -> str:
    """The line a reviewer reads for one fact. `targets` (by id) formats measured values."""
    c = change
    if c.kind in _DESCRIBE:
        return _DESCRIBE[c.kind](c, targets)
    return f"{c.id}: {c.kind} {c.field or ''} {c.old!r} → {c.new!r}".strip()


def _describe_submission(c: Change) -> str:
    from .periods import report_period

    name = report_period(int(c.id[:4]), int(c.id[-1])).short_name
    if c.kind == "submitted":
        return _("nộp báo cáo {name}: {number}").format(name=name, number=c.new)
    if c.kind == "submission-removed":
        return _("bỏ ghi nộp báo cáo {name}: {number}").format(name=name, number=c.old)
    if c.kind == "amended":
        return _("sửa số liệu báo cáo {name} đã nộp ({number}): {reason}").format(
            name=name, number=c.note, reason=c.new)
    label = {"number": _("số"), "date": _("ngày nộp"), "file": _("bản đã ký"), "sha256": _("mã sha256 bản đã ký"),
             "tag": _("thẻ git")}.get(c.field, c.field)
    value = _deadline if c.field == "date" else (lambda v: "—" if v in (None, "") else str(v))
    return _("báo cáo {name} đã nộp: {label} {old} → {new}").format(
        name=name, label=label, old=value(c.old), new=value(c.new))


def describe_all(changes: list[Change], *plans: Plan | None) -> list[str]:
    """Lines for `changes`; `plans` (newest first) say how each target's values are written."""
    targets = {t.id: t for plan in reversed(plans) if plan for t in plan.targets}
    return [describe(c, targets) for c in changes]
