"""What a periodic report lacks: one `Gap` per hole a reader of the signed document would find.

`report_gaps` is pure. `cchc report` prints one warning line per gap (and `--strict` exits 1 on any);
`cchc check` reports the same gaps of the periods already closed, with the same stable codes, at the
line of the plan where each one is to be filled.

| code | gap |
| --- | --- |
| empty-narrative | one narrative part (ưu điểm, hạn chế, nguyên nhân, đề xuất) of the period is empty |
| missing-measurement | a target has no measurement for the period (ranks and groups: only the annual report) |
| done-without-evidence | a task done by the report's cut-off has no evidence |
| empty-direction | no area of the plan is marked `direction: true`, so part I has nothing to report |
| report-date-outside-year | the report is dated outside the plan's year |
| report-before-cutoff | the report is dated before its period's data cut-off, so the period is not over |
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .i18n import N_, _
from .model import Plan, Target, TargetKind
from .periods import ReportPeriod, format_date, key_name, report_period
from .report_context import measurement_for, narrative_for
from .status import State, task_state

GAP_CODES = ("empty-narrative", "missing-measurement", "done-without-evidence", "empty-direction",
             "report-date-outside-year", "report-before-cutoff")

# The narrative parts as the report's headings name them, and the `cchc note --section` word for each.
NARRATIVE_PARTS = {
    "achievements": (N_("Ưu điểm"), "uu-diem"),
    "shortcomings": (N_("Tồn tại, hạn chế"), "han-che"),
    "causes": (N_("Nguyên nhân"), "nguyen-nhan"),
    "proposals": (N_("Đề xuất, kiến nghị"), "de-xuat"),
}


@dataclass(frozen=True)
class Gap:
    code: str
    message: str
    path: tuple = ()  # where in the plan the missing thing belongs (for `cchc check`)
    key: bool = False  # point at the key rather than its value


def expects_measurement(target: Target, period: ReportPeriod) -> bool:
    """Ranks and groups (PAR INDEX, PAPI…) are published once a year: only the annual report expects them."""
    if target.kind in (TargetKind.rank, TargetKind.group):
        return period.quarter == 4
    return True


def narrative_gaps(plan: Plan, period: ReportPeriod) -> list[Gap]:
    key, narrative = narrative_for(plan, period)
    gaps = []
    for name, (label, section) in NARRATIVE_PARTS.items():
        if narrative is not None and getattr(narrative, name).strip():
            continue
        if narrative is not None and name in narrative.model_fields_set:
            path, on_key = ("narratives", key, name), False
        else:
            path, on_key = (("narratives", key) if narrative is not None else ("narratives",)), True
        gaps.append(Gap("empty-narrative", _(
            "phần “{label}” của báo cáo {name} còn trống; viết bằng lệnh: cchc note --period {key} --section "
            "{section} “…”").format(label=_(label), name=period.name, key=key, section=section), path, on_key))
    return gaps


def measurement_gaps(plan: Plan, period: ReportPeriod) -> list[Gap]:
    gaps = []
    for i, target in enumerate(plan.targets):
        if not expects_measurement(target, period):
            continue
        found, own = measurement_for(target, period)
        if own:
            continue
        path = ("targets", i, "measurements")
        if found is None:
            message = _("chỉ tiêu {id} chưa có số liệu kỳ {key} ({name}); ghi bằng lệnh: cchc kpi record {id} "
                        "GIÁ-TRỊ --period {key}").format(id=target.id, key=period.key, name=period.name)
        else:
            message = _("chỉ tiêu {id} chưa có số liệu kỳ {key} ({name}); báo cáo dùng số liệu {other} "
                        "({period})").format(id=target.id, key=period.key, name=period.name,
                                             other=key_name(found.period), period=found.period)
        gaps.append(Gap("missing-measurement", message, path, True))
    return gaps


def direction_gaps(plan: Plan) -> list[Gap]:
    if any(a.direction for a in plan.areas):
        return []
    return [Gap("empty-direction", _(
        "kế hoạch chưa chỉ ra lĩnh vực nào báo cáo ở mục I “Công tác chỉ đạo, điều hành” (ghi direction: true "
        "cho lĩnh vực đó), nên mục I của báo cáo chỉ có dòng đánh dấu cần viết"), ("areas",), True)]


def report_gaps(plan: Plan, quarter: int, as_of: dt.date, calendar: bool = False) -> list[Gap]:
    """Every gap of report `quarter` of `plan` dated `as_of`, in the order the report reads."""
    year = plan.plan.year
    period = report_period(year, quarter, calendar)
    cut = min(period.end, as_of)
    gaps: list[Gap] = []
    if as_of.year != year:
        gaps.append(Gap("report-date-outside-year", _(
            "báo cáo ghi ngày {date}, ngoài năm kế hoạch {year}; chọn ngày bằng --as-of").format(
            date=format_date(as_of), year=year)))
    if as_of < period.end:
        gaps.append(Gap("report-before-cutoff", _(
            "báo cáo ghi ngày {date}, trước ngày chốt số liệu {end} của kỳ {name}: số liệu mới tính đến ngày {date}"
        ).format(date=format_date(as_of), end=format_date(period.end), name=period.name)))
    gaps += direction_gaps(plan)
    paths = plan.task_paths()
    for task in plan.all_tasks():
        s = task_state(task, year, cut)
        if s.state is State.done and not any(e.text.strip() and (e.date is None or e.date <= cut)
                                             for e in task.evidence):
            gaps.append(Gap("done-without-evidence", _(
                "nhiệm vụ {id} hoàn thành ngày {date} nhưng chưa có tài liệu kiểm chứng; báo cáo ghi rõ là chưa có "
                "kiểm chứng").format(id=task.id, date=format_date(s.done_on)), paths[task.id] + ("evidence",), True))
    gaps += measurement_gaps(plan, period)
    gaps += narrative_gaps(plan, period)
    return gaps
