"""What commands show: facts turned into `output.Table`s and JSON-ready dicts.

No terminal code here: the same views feed rich tables, plain text, CSV and JSON.
"""

from __future__ import annotations

from .i18n import _
from .model import Plan, Target, TargetKind
from .output import Column, Table, bar
from .periods import format_date
from .status import MARK_LABELS, PlanStatus, State, TargetMark, TaskState
from .text import format_number


def target_goal(target: Target) -> str:
    value = format_number(target.target)
    if target.kind is TargetKind.rank:
        return _("top {n}").format(n=value)
    if target.kind is TargetKind.group:
        return _("nhóm {n}").format(n=value)
    unit = target.unit if target.unit == "%" else f" {target.unit}" if target.unit else ""
    return f"≥ {value}{unit}"


def measured_value(target: Target, value: float | None) -> str:
    if value is None:
        return "—"
    text = format_number(value)
    if target.kind is TargetKind.percent:
        return f"{text}%"
    if target.kind is TargetKind.rank:
        return _("hạng {n}").format(n=text)
    if target.kind is TargetKind.group:
        return _("nhóm {n}").format(n=text)
    return f"{text} {target.unit}".strip()


def percent_text(value: float) -> str:
    return f"{format_number(value)}%"


def _unit_name(plan: Plan, key: str) -> str:
    return key if key in plan.units else f"{key}?"


def status_tables(plan: Plan, facts: PlanStatus) -> list[Table]:
    info = plan.plan
    areas = Table(
        title=_("{title} — {issuer} — tính đến ngày {date}").format(
            title=info.title, issuer=info.issuer, date=format_date(facts.as_of)),
        columns=[Column(_("Lĩnh vực"), max_width=52), Column(_("Hoàn thành"), "right"),
                 Column(_("Đang thực hiện"), "right"), Column(_("Chưa bắt đầu"), "right"),
                 Column(_("Quá hạn"), "right"), Column(_("Tiến độ"), wrap=False)],
    )
    for a in facts.areas:
        areas.rows.append([f"{a.number}. {a.title}", str(a.counts[State.done]), str(a.counts[State.in_progress]),
                           str(a.counts[State.not_started]), str(a.counts[State.late]),
                           f"{bar(a.percent)} {percent_text(round(a.percent))}"])
    t = facts.totals
    areas.rows.append([_("Tổng cộng"), str(t[State.done]), str(t[State.in_progress]), str(t[State.not_started]),
                       str(t[State.late]), ""])

    targets = Table(
        title=_("Chỉ tiêu"),
        columns=[Column(_("Chỉ tiêu"), max_width=52), Column(_("Mục tiêu")), Column(_("Kỳ")),
                 Column(_("Kết quả"), "right"), Column(_("Đánh giá"))],
    )
    for m in facts.targets:
        targets.rows.append([m.target.name, target_goal(m.target), m.period or "—",
                             measured_value(m.target, m.value), MARK_LABELS[m.mark]()])

    tables = [areas, targets]
    tables.append(_task_table(plan, _("Nhiệm vụ quá hạn"), facts.late, due_header=_("Thời hạn"),
                              empty=_("Không có nhiệm vụ quá hạn.")))
    tables.append(_task_table(plan, _("Nhiệm vụ đến hạn trong 30 ngày"), facts.upcoming, due_header=_("Hạn"),
                              empty=_("Không có nhiệm vụ đến hạn trong 30 ngày tới."), upcoming=True))
    return tables


def _task_table(plan: Plan, title: str, states: list[TaskState], due_header: str, empty: str,
                upcoming: bool = False) -> Table:
    table = Table(title=title, columns=[Column(_("Mã")), Column(_("Nhiệm vụ"), max_width=60),
                                        Column(_("Chủ trì")), Column(due_header), Column(_("Tiến độ"), "right")])
    for s in states:
        due = s.next_due if upcoming and s.next_due else s.deadline
        table.rows.append([s.task.id, s.task.title, _unit_name(plan, s.task.lead), format_date(due),
                           percent_text(s.percent)])
    if not states:
        table.caption = empty
    return table


def target_json(m: TargetMark) -> dict:
    t = m.target
    return {"id": t.id, "name": t.name, "kind": t.kind.value, "target": t.target, "unit": t.unit,
            "period": m.period, "value": m.value, "mark": m.mark}


def task_state_json(s: TaskState) -> dict:
    return {
        "id": s.task.id, "title": s.task.title, "lead": s.task.lead, "support": list(s.task.support),
        "state": s.state.value, "percent": s.percent, "deadline": s.deadline.isoformat(),
        "next_due": s.next_due.isoformat() if s.next_due else None,
        "done_on": s.done_on.isoformat() if s.done_on else None,
        "last_note": s.last_entry.note if s.last_entry else None,
    }


def status_json(plan: Plan, facts: PlanStatus) -> dict:
    return {
        "as_of": facts.as_of.isoformat(),
        "plan": {"year": plan.plan.year, "title": plan.plan.title, "issuer": plan.plan.issuer},
        "areas": [{"number": a.number, "title": a.title, "total": a.total, "percent": round(a.percent, 1),
                   **{s.value: a.counts[s] for s in State}} for a in facts.areas],
        "totals": {s.value: n for s, n in facts.totals.items()},
        "targets": [target_json(m) for m in facts.targets],
        "late": [task_state_json(s) for s in facts.late],
        "upcoming": [task_state_json(s) for s in facts.upcoming],
    }
