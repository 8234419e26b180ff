"""What `cchc tasks/show/kpi/units` show: query facts turned into `output.Table`s and JSON.

JSON field names are the YAML's wherever the value is one of the file's; computed values have
names of their own (`state`, `next_due`, `mark`, `trend`…). Shapes (stable; new fields may be
added, none removed or renamed):

`cchc tasks --json`: an array of
    {"id", "area" (number, or the duties' section number, "III" unless the plan says otherwise), "title", "lead", "support" (list of keys),
     "deadline" (ISO date, or monthly / quarterly / half-yearly / year-round), "due_day" (the day of
     the month a recurring deadline falls on, or null: the month's last day), "output",
     "status" (the file's: not_started / in_progress / done), "state" (computed on --as-of:
     not_started / in_progress / done / late), "percent", "next_due" (ISO date or null),
     "done_on" (ISO date or null)}
`cchc show ID --json`: one such object plus "area_title", "final_deadline", "deliverables"
    (ISO dates), "file", "line", "progress" (the YAML entries, each with "counted": false when
    dated after --as-of), "evidence" (the YAML entries, each with "file_state": ok / unverified /
    missing / changed / no-file) and "periods" (one per periodic report: "key", "name", "start",
    "end", "state" (null before the period), "percent", "done_on", "due", "due_next", "partial").
`cchc kpi --json`: an array of
    {"id", "name", "kind", "target", "unit", "deadline", "scope", "note", "measurements" (the
     YAML entries, each with "reached"), "period" and "value" (the latest measurement),
     "mark" (reached / not_yet / no_data), "trend" (better / worse / same / null)};
    `cchc kpi ID --json` prints one such object.
`cchc units --json`: an array of
    {"key", "name", "lead": {"total", "done", "in_progress", "not_started", "late"},
     "support" (how many tasks it supports, ALL included), "late" (ids of late tasks it leads),
     "late_support" (ids of late tasks it supports)}
"""

from __future__ import annotations

import datetime as dt

from .i18n import _
from .labels import field_label, other_fields, recurrence_label, value_text
from .model import ALL_UNITS, Plan, Task
from .output import Column, Table, bar
from .periods import due_day_text, format_date
from .query import FILE_STATE_LABELS, PeriodPresence, TargetRow, TaskDetail, UnitSummary, \
    measurement_key, task_areas
from .status import MARK_LABELS, State, TaskState
from .views import measured_value, percent_text, target_goal

TREND_LABELS = {
    "better": lambda: _("↑ tốt lên"),
    "worse": lambda: _("↓ kém đi"),
    "same": lambda: _("→ không đổi"),
    None: lambda: "—",
}


def deadline_text(task: Task, next_due: dt.date | None = None) -> str:
    """A deadline as a user reads it: `30/06/2023`, or `hằng quý (31/03/2023)` with the next one."""
    d = task.deadline
    if isinstance(d, dt.date):
        return format_date(d)
    label = recurrence_label(d) + due_day_text(task)
    return f"{label} ({format_date(next_due)})" if next_due else label


def deadline_json(task: Task) -> str:
    d = task.deadline
    return d.isoformat() if isinstance(d, dt.date) else d.value


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def support_text(task: Task) -> str:
    if ALL_UNITS in task.support:
        return _("tất cả các đơn vị")
    return ", ".join(task.support) or "—"


def unit_names(plan: Plan, keys: list[str]) -> str:
    if ALL_UNITS in keys:
        return plan.plan.all_units_text
    return "; ".join(f"{k} — {plan.units.get(k, '?')}" for k in keys) or "—"


def state_text(s: TaskState) -> str:
    return s.state.label


# --- tasks ------------------------------------------------------------------------------------


def tasks_table(states: list[TaskState], as_of: dt.date) -> Table:
    table = Table(
        title=_("Nhiệm vụ — tính đến ngày {date}: {n} nhiệm vụ").format(date=format_date(as_of), n=len(states)),
        columns=[Column(_("Mã")), Column(_("Nhiệm vụ"), max_width=60), Column(_("Chủ trì")),
                 Column(_("Phối hợp"), max_width=24, optional=True), Column(_("Thời hạn")), Column(_("Trạng thái")),
                 Column(_("Tiến độ"), "right")],
    )
    for s in states:
        table.rows.append([s.task.id, s.task.title, s.task.lead, support_text(s.task),
                           deadline_text(s.task, s.next_due if s.state is not State.done else None),
                           state_text(s), percent_text(s.percent)])
    return table


# The task fields these views write themselves; any other field of the schema is shown (and put in
# the JSON) under its own key and the schema's description, so a new field needs no change here.
SHOWN_FIELDS = frozenset({"id", "title", "lead", "support", "deadline", "due_day", "output", "status", "progress",
                          "evidence"})


def task_json(s: TaskState, area: int | str) -> dict:
    t = s.task
    return {
        "id": t.id, "area": area, "title": t.title, "lead": t.lead, "support": list(t.support),
        "deadline": deadline_json(t), "due_day": t.due_day, "output": t.output, "status": t.status.value, "state": s.state.value,
        "percent": s.percent, "next_due": _iso(s.next_due), "done_on": _iso(s.done_on),
        **{name: _field_json(getattr(t, name)) for name in other_fields(t, SHOWN_FIELDS)},
    }


def _field_json(value):
    return value.isoformat() if isinstance(value, dt.date) else getattr(value, "value", value)


def tasks_json(plan: Plan, states: list[TaskState]) -> list[dict]:
    areas = task_areas(plan)
    return [task_json(s, areas[s.task.id]) for s in states]


# --- one task ---------------------------------------------------------------------------------


def _presence_text(p: PeriodPresence) -> str:
    if p.state is None:
        if p.due:
            return _("chưa đến kỳ; có hạn trong kỳ: {dates}").format(dates=", ".join(format_date(d) for d in p.due))
        return _("chưa đến kỳ")
    if p.state is State.done and p.done_on is not None:
        if p.done_on < p.period.start:
            text = _("đã hoàn thành từ trước kỳ ({date})").format(date=format_date(p.done_on))
        else:
            text = _("hoàn thành ({date})").format(date=format_date(p.done_on))
    elif p.state in (State.in_progress, State.late):
        text = f"{p.state.label} ({percent_text(p.percent)})"
    else:
        text = p.state.label
    if p.partial:
        text += _(" — kỳ chưa kết thúc")
    return text


def show_tables(plan: Plan, detail: TaskDetail, location: str) -> list[Table]:
    t, s = detail.task, detail.state
    area = f"{detail.area_number}. {detail.area_title}"
    if isinstance(t.deadline, dt.date):
        deadline = format_date(t.deadline)
    else:
        deadline = _("{label}: {dates}").format(label=recurrence_label(t.deadline) + due_day_text(t),
                                                 dates=", ".join(format_date(d) for d in detail.deliverables))
    state = s.state.label
    if s.done_on:
        state = _("{state} ngày {date}").format(state=state, date=format_date(s.done_on))
    info = Table(title=_("Nhiệm vụ {id}").format(id=t.id),
                 columns=[Column(_("Mục")), Column(_("Nội dung"), max_width=90)])
    info.rows = [
        [_("Nội dung"), t.title],
        [_("Lĩnh vực"), area],
        [_("Chủ trì"), unit_names(plan, [t.lead])],
        [_("Phối hợp"), unit_names(plan, list(t.support))],
        [_("Thời hạn"), deadline],
        [_("Sản phẩm"), t.output or "—"],
        [_("Trạng thái"), state],
        [_("Tiến độ"), f"{bar(s.percent)} {percent_text(s.percent)}"],
        [_("Hạn kế tiếp"), format_date(s.next_due) if s.next_due and s.state is not State.done else "—"],
        *[[field_label(type(t), name), value_text(getattr(t, name))] for name in other_fields(t, SHOWN_FIELDS)],
        [_("Vị trí trong tệp"), location],
    ]

    timeline = Table(title=_("Diễn biến tiến độ"),
                     columns=[Column(_("Ngày")), Column(_("Tiến độ"), "right"), Column(_("Sự kiện")),
                              Column(_("Ghi chú"), max_width=60), Column(_("Người ghi"))])
    events = {"done": _("hoàn thành"), "reopened": _("mở lại")}
    for entry, counted in detail.timeline:
        event = events.get(entry.event or "", "")
        if not counted:
            event = (event + " " if event else "") + _("(sau ngày tính)")
        timeline.rows.append([format_date(entry.date), percent_text(entry.percent), event, entry.note or "",
                              entry.by or ""])
    if not detail.timeline:
        timeline.caption = _("Chưa có lần cập nhật tiến độ nào.")

    evidence = Table(title=_("Tài liệu kiểm chứng"),
                     columns=[Column("#", "right"), Column(_("Tài liệu"), max_width=60), Column(_("Tệp")),
                              Column(_("Kiểm tra tệp"))])
    for check in detail.evidence:
        ev = check.evidence
        evidence.rows.append([str(check.index + 1), ev.text, ev.file or ev.url or "—",
                              FILE_STATE_LABELS[check.file_state]()])
    if not detail.evidence:
        evidence.caption = _("Chưa có tài liệu kiểm chứng.")

    periods = Table(title=_("Trong các kỳ báo cáo"),
                    columns=[Column(_("Kỳ báo cáo")), Column(_("Thời gian")), Column(_("Tình trạng")),
                             Column(_("Đến hạn kỳ sau"))])
    for p in detail.periods:
        periods.rows.append([p.period.name, f"{format_date(p.period.start)} – {format_date(p.period.end)}",
                             _presence_text(p), ", ".join(format_date(d) for d in p.due_next) or "—"])
    return [info, timeline, evidence, periods]


def show_json(detail: TaskDetail, file: str, line: int) -> dict:
    s = detail.state
    out = task_json(s, detail.area_number)
    out.update({
        "area_title": detail.area_title,
        "final_deadline": s.deadline.isoformat(),
        "deliverables": [d.isoformat() for d in detail.deliverables],
        "file": file,
        "line": line,
        "progress": [{**e.model_dump(mode="json"), "counted": counted} for e, counted in detail.timeline],
        "evidence": [{**c.evidence.model_dump(mode="json"), "file_state": c.file_state} for c in detail.evidence],
        "periods": [{
            "key": p.period.key, "name": p.period.name, "start": p.period.start.isoformat(),
            "end": p.period.end.isoformat(), "state": p.state.value if p.state else None, "percent": p.percent,
            "done_on": _iso(p.done_on),
            "due": [d.isoformat() for d in p.due], "due_next": [d.isoformat() for d in p.due_next],
            "partial": p.partial,
        } for p in detail.periods],
    })
    return out


# --- targets ----------------------------------------------------------------------------------


def targets_table(rows: list[TargetRow], as_of: dt.date) -> Table:
    periods = sorted({m.period for r in rows for m in r.measurements}, key=measurement_key)
    table = Table(
        title=_("Chỉ tiêu — tính đến ngày {date}").format(date=format_date(as_of)),
        columns=[Column(_("Mã")), Column(_("Chỉ tiêu"), max_width=48), Column(_("Mục tiêu")),
                 *[Column(p, "right") for p in periods], Column(_("Xu hướng")), Column(_("Đánh giá"))],
    )
    for r in rows:
        by_period = {m.period: m.value for m in r.measurements}
        table.rows.append([r.target.id, r.target.name, target_goal(r.target),
                           *[measured_value(r.target, by_period.get(p)) for p in periods],
                           TREND_LABELS[r.trend](), MARK_LABELS[r.mark.mark]()])
    return table


def target_tables(row: TargetRow, as_of: dt.date) -> list[Table]:
    t = row.target
    info = Table(title=_("Chỉ tiêu {id} — tính đến ngày {date}").format(id=t.id, date=format_date(as_of)),
                 columns=[Column(_("Mục")), Column(_("Nội dung"), max_width=90)])
    latest = measured_value(t, row.mark.value)
    if row.mark.period:
        latest = _("{value} (kỳ {period})").format(value=latest, period=row.mark.period)
    info.rows = [
        [_("Chỉ tiêu"), t.name],
        [_("Mục tiêu"), target_goal(t)],
        [_("Thời hạn"), format_date(t.deadline)],
        [_("Phạm vi đo"), t.scope or "—"],
        [_("Ghi chú"), t.note or "—"],
        [_("Kết quả mới nhất"), latest],
        [_("Xu hướng"), TREND_LABELS[row.trend]()],
        [_("Đánh giá"), MARK_LABELS[row.mark.mark]()],
    ]
    measurements = Table(title=_("Các kỳ đo"),
                         columns=[Column(_("Kỳ")), Column(_("Kết quả"), "right"), Column(_("Đạt")),
                                  Column(_("Nguồn"), max_width=40), Column(_("Ghi chú"), max_width=40)])
    for m in row.measurements:
        measurements.rows.append([m.period, measured_value(t, m.value), _("đạt") if t.reached(m.value) else
                                  _("chưa đạt"), m.source or "", m.note or ""])
    if not row.measurements:
        measurements.caption = _("Chưa có số liệu đo nào.")
    return [info, measurements]


def target_row_json(row: TargetRow) -> dict:
    t = row.target
    return {
        "id": t.id, "name": t.name, "kind": t.kind.value, "target": t.target, "unit": t.unit,
        "deadline": t.deadline.isoformat(), "scope": t.scope, "note": t.note,
        "measurements": [{**m.model_dump(mode="json"), "reached": t.reached(m.value)} for m in row.measurements],
        "period": row.mark.period, "value": row.mark.value, "mark": row.mark.mark, "trend": row.trend,
    }


# --- units ------------------------------------------------------------------------------------


def units_table(units: list[UnitSummary], as_of: dt.date) -> Table:
    table = Table(
        title=_("Đơn vị — tính đến ngày {date}").format(date=format_date(as_of)),
        columns=[Column(_("Mã")), Column(_("Đơn vị"), max_width=44), Column(_("Chủ trì"), "right"),
                 Column(_("Hoàn thành"), "right"), Column(_("Đang thực hiện"), "right"),
                 Column(_("Chưa bắt đầu"), "right"), Column(_("Quá hạn"), "right"), Column(_("Phối hợp"), "right"),
                 Column(_("Nhiệm vụ chủ trì quá hạn"))],
    )
    for u in units:
        table.rows.append([u.key, u.name, str(u.lead_total), str(u.lead[State.done]), str(u.lead[State.in_progress]),
                           str(u.lead[State.not_started]), str(u.lead[State.late]), str(u.support),
                           ", ".join(u.late) or "—"])
    return table


def units_json(units: list[UnitSummary]) -> list[dict]:
    return [{
        "key": u.key, "name": u.name,
        "lead": {"total": u.lead_total, **{s.value: u.lead[s] for s in State}},
        "support": u.support, "late": list(u.late), "late_support": list(u.late_support),
    } for u in units]

