"""Questions asked of a plan: which tasks match, everything about one task, targets, units.

Pure functions from a `Plan`, a date and a few choices to facts; the CLI (`cli_query`) prints
them and `query_views` turns them into tables and JSON. Every date-dependent answer is computed
"as of" a day through `status.task_state`, so progress recorded later does not count yet.

Filters combine with AND; the values of one `--status` option combine with OR. Free text is
matched without regard to diacritics, case or Unicode normal form (`text.fold`), every word must
match, except a word written like a task id (`3.đ`, `III.2`), which matches that task's id
exactly so that `3.d` never finds `3.đ`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from .diagnostics import UsageError
from .ids import resolve_id
from .i18n import _
from .model import ALL_UNITS, Evidence, Plan, ProgressEntry, Target, TargetKind, Task
from .periods import ReportPeriod, deliverables, next_period, period_bounds, report_period
from .status import State, TargetMark, TaskState, target_mark, task_state
from .text import DUTY_ID_RE, TASK_ID_RE, fold, nfc, task_sort_key

SORT_KEYS = ("area", "due", "progress", "unit")

def duties_area(plan: Plan) -> str:
    """The number of the plan's section of organisation duties (`III`, or what `duties_section` says)."""
    return plan.duties_section.number


# --- tasks ------------------------------------------------------------------------------------


@dataclass
class TaskFilter:
    """What `cchc tasks` is asked for. Every field that is set must hold (AND)."""

    area: int | str | None = None  # an area number, or the duties' section number (`duties_area`)
    unit: str | None = None  # a registry key: lead or supporting (ALL included) ...
    lead_only: bool = False  # ... or lead only
    states: set[State] = field(default_factory=set)  # any of these
    due_within: int | None = None  # days: open tasks whose next deliverable is at most this far
    due_before: dt.date | None = None  # open tasks whose next deliverable is on or before this day
    late: bool = False
    no_evidence: bool = False
    text: str = ""  # free text: every word must match


def task_areas(plan: Plan) -> dict[str, int | str]:
    """Each task id with its area number (the duties' section number, `III`, for the duties)."""
    out: dict[str, int | str] = {}
    for area in plan.areas:
        for task in area.tasks:
            out.setdefault(task.id, area.number)
    for task in plan.duties:
        out.setdefault(task.id, duties_area(plan))
    return out


def search_text(task: Task) -> str:
    """The folded text free-text search looks in: id, title, output, progress notes, evidence."""
    parts = [task.id, task.title, task.output]
    parts += [e.note for e in task.progress]
    parts += [f"{e.text} {e.number} {e.title}" for e in task.evidence]
    return "\n".join(fold(p) for p in parts if p)


def _looks_like_id(word: str) -> bool:
    return bool(TASK_ID_RE.match(word) or DUTY_ID_RE.match(word))


def matches_text(task: Task, query: str) -> bool:
    """Whether every word of `query` is in the task's text (diacritics, case, NFC/NFD ignored).

    A word shaped like a task id matches only that exact id, so `3.d` and `3.đ` stay apart.
    """
    haystack = None
    for word in nfc(query).split():
        if _looks_like_id(word):
            if task.id != word:
                return False
            continue
        haystack = haystack if haystack is not None else search_text(task)
        if fold(word) not in haystack:
            return False
    return True


def is_open(s: TaskState) -> bool:
    """Not done and not late: the tasks that are still 'due' (as in `cchc status`)."""
    return s.state in (State.in_progress, State.not_started)


def _unit_matches(task: Task, unit: str, lead_only: bool) -> bool:
    if task.lead == unit:
        return True
    return not lead_only and (unit in task.support or ALL_UNITS in task.support)


def due_date(s: TaskState) -> dt.date:
    """The date a listing sorts an item by: its next deliverable while open, else its final deadline."""
    return s.next_due if is_open(s) and s.next_due else s.deadline


def filter_tasks(plan: Plan, filt: TaskFilter, as_of: dt.date, sort: str = "area") -> list[TaskState]:
    """The tasks (areas' tasks and duties) that pass `filt` on `as_of`, sorted by `sort`.

    `due_within` and `due_before` select open tasks (in progress or not started, as `cchc status`
    counts "due soon"); late tasks are asked for with `late` or a `late` state. `sort` is one of
    SORT_KEYS: `area` (area, then Vietnamese lettering: 3.d < 3.đ < 3.e), `due` (open tasks by
    their next deliverable, late ones first, done ones last), `progress` (least first), `unit`
    (lead unit in registry order).
    """
    year = plan.plan.year
    areas = task_areas(plan)
    horizon = as_of + dt.timedelta(days=filt.due_within) if filt.due_within is not None else None
    out = []
    for task in plan.all_tasks():
        if filt.area is not None and areas.get(task.id) != filt.area:
            continue
        if filt.unit is not None and not _unit_matches(task, filt.unit, filt.lead_only):
            continue
        if filt.no_evidence and task.evidence:
            continue
        if filt.text and not matches_text(task, filt.text):
            continue
        s = task_state(task, year, as_of)
        if filt.states and s.state not in filt.states:
            continue
        if filt.late and s.state is not State.late:
            continue
        if horizon is not None and not (is_open(s) and s.next_due is not None and s.next_due <= horizon):
            continue
        if filt.due_before is not None and not (is_open(s) and s.next_due is not None
                                                and s.next_due <= filt.due_before):
            continue
        out.append(s)
    return sort_states(plan, out, sort)


def sort_states(plan: Plan, states: list[TaskState], sort: str = "area") -> list[TaskState]:
    """Order task states by one of SORT_KEYS; ties fall back to area and lettering."""
    if sort not in SORT_KEYS:
        raise UsageError(_("không sắp xếp được theo “{sort}”; chọn một trong: {keys}").format(
            sort=sort, keys=", ".join(SORT_KEYS)))
    unit_rank = {k: i for i, k in enumerate(plan.units)}

    def key(s: TaskState) -> tuple:
        base = task_sort_key(s.task.id)
        if sort == "due":
            return (s.state is State.done, s.state is not State.late, due_date(s), base)
        if sort == "progress":
            return (s.percent, base)
        if sort == "unit":
            return (unit_rank.get(s.task.lead, len(unit_rank)), s.task.lead, base)
        return base

    return sorted(states, key=key)


# --- one task ---------------------------------------------------------------------------------


def find_task(plan: Plan, task_id: str) -> Task:
    """The task with id `task_id` (NFC, exact; case ignored only if that is unambiguous).

    Raises Refused with the nearest ids as a suggestion. `3.d` never resolves to `3.đ`.
    """
    return plan.task(resolve_id(task_id, [t.id for t in plan.all_tasks()],
                                _("không có nhiệm vụ mã “{id}”{hint}")))


def find_target(plan: Plan, target_id: str) -> Target:
    """The target with id `target_id`; Refused with a suggestion if there is none."""
    return plan.target(resolve_id(target_id, [t.id for t in plan.targets], _("không có chỉ tiêu mã “{id}”{hint}")))


@dataclass(frozen=True)
class EvidenceCheck:
    """An evidence entry and the state of its file: see `evidence_file_state`."""

    evidence: Evidence
    index: int
    file_state: str
    path: Path | None


FILE_STATE_LABELS = {
    "ok": lambda: _("tệp khớp mã băm"),
    "unverified": lambda: _("có tệp, chưa ghi mã băm"),
    "missing": lambda: _("không tìm thấy tệp"),
    "changed": lambda: _("tệp đã bị thay đổi"),
    "no-file": lambda: _("không kèm tệp"),
}


@dataclass(frozen=True)
class PeriodPresence:
    """How a task stands in one periodic report (see reporting.md).

    `state` is None for a report whose period had not begun on `as_of`. `due` are the task's
    deliverables inside the period; `due_next` those inside the next report's period while the
    task is not done (the report's "next period" section lists them).
    """

    period: ReportPeriod
    state: State | None
    percent: float
    done_on: dt.date | None
    due: list[dt.date]
    due_next: list[dt.date]
    partial: bool  # the period had begun but not ended on as_of: the state is as of that day


@dataclass
class TaskDetail:
    """Everything `cchc show` says about one task."""

    task: Task
    area_number: int | str
    area_title: str
    state: TaskState
    deliverables: list[dt.date]
    timeline: list[tuple[ProgressEntry, bool]]  # (entry, counted on as_of)
    evidence: list[EvidenceCheck]
    periods: list[PeriodPresence]
    path: tuple  # of the task in the document


def task_detail(plan: Plan, task_id: str, as_of: dt.date, base_dir: Path) -> TaskDetail:
    """Everything about one task on `as_of`; `base_dir` is the plan's folder (for evidence files).

    Raises Refused (with a suggestion) for an unknown id.
    """
    task = find_task(plan, task_id)
    year = plan.plan.year
    number = task_areas(plan)[task.id]
    if number == duties_area(plan):
        title = plan.duties_section.title
    else:
        title = next(a.title for a in plan.areas if a.number == number)
    timeline = sorted(((e, e.date <= as_of) for e in task.progress), key=lambda pair: pair[0].date)
    from .evidence import FileHashes, evidence_file_state, evidence_path

    hashes = FileHashes()  # a file named by two entries is read once
    evidence = [EvidenceCheck(e, i, evidence_file_state(e, base_dir, hashes), evidence_path(e, base_dir))
                for i, e in enumerate(task.evidence)]
    return TaskDetail(task, number, title, task_state(task, year, as_of), deliverables(task, year), timeline,
                      evidence, report_presence(task, year, as_of), plan.task_paths()[task.id])


def report_presence(task: Task, year: int, as_of: dt.date) -> list[PeriodPresence]:
    """The task in each of the year's four periodic reports, as far as `as_of` knows."""
    dates = deliverables(task, year)
    out = []
    for quarter in (1, 2, 3, 4):
        period = report_period(year, quarter)
        nxt = next_period(period)
        due = [d for d in dates if period.contains(d)]
        if period.start > as_of:
            out.append(PeriodPresence(period, None, 0.0, None, due, [], False))
            continue
        cut = min(period.end, as_of)
        s = task_state(task, year, cut)
        due_next = [d for d in dates if nxt and nxt.contains(d)] if s.state is not State.done else []
        out.append(PeriodPresence(period, s.state, s.percent, s.done_on, due, due_next, cut < period.end))
    return out


# --- targets ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TargetRow:
    """A target with its measurements (period order), latest mark and trend on `as_of`.

    `trend` compares the last two measurements: `better`, `worse`, `same`, or None with fewer
    than two. For ranks and groups a smaller number is better.
    """

    target: Target
    measurements: list  # model.Measurement, ordered by the end of their period
    mark: TargetMark
    trend: str | None


def measurement_key(period: str) -> tuple:
    start, end = period_bounds(period)
    return (end, start)


def target_rows(plan: Plan, as_of: dt.date, target_id: str | None = None) -> list[TargetRow]:
    """Every target (or only `target_id`, Refused with a suggestion if unknown) on `as_of`."""
    targets = [find_target(plan, target_id)] if target_id is not None else list(plan.targets)
    rows = []
    for t in targets:
        measured = sorted((m for m in t.measurements if period_bounds(m.period)[0] <= as_of),
                          key=lambda m: measurement_key(m.period))
        rows.append(TargetRow(t, measured, target_mark(t, as_of), _trend(t, measured)))
    return rows


def _trend(target: Target, measured: list) -> str | None:
    if len(measured) < 2:
        return None
    before, last = measured[-2].value, measured[-1].value
    if last == before:
        return "same"
    lower_is_better = target.kind in (TargetKind.rank, TargetKind.group)
    return "better" if (last < before) == lower_is_better else "worse"


# --- units ------------------------------------------------------------------------------------


@dataclass
class UnitSummary:
    """One unit's load on `as_of`: its lead tasks by state, how many it supports, who is late."""

    key: str
    name: str
    lead: dict[State, int] = field(default_factory=lambda: {s: 0 for s in State})
    support: int = 0
    late: list[str] = field(default_factory=list)  # ids of late tasks it leads
    late_support: list[str] = field(default_factory=list)  # ids of late tasks it supports

    @property
    def lead_total(self) -> int:
        return sum(self.lead.values())


def unit_summary(plan: Plan, as_of: dt.date) -> list[UnitSummary]:
    """Each unit of the registry, in registry order; `ALL` in `support` counts for every unit."""
    from .status import task_states

    out = {key: UnitSummary(key, name) for key, name in plan.units.items()}
    for s in task_states(plan, as_of):
        task = s.task
        lead = out.get(task.lead)
        if lead is not None:
            lead.lead[s.state] += 1
            if s.state is State.late:
                lead.late.append(task.id)
        supporters = (plan.units if ALL_UNITS in task.support else task.support)
        for key in dict.fromkeys(supporters):
            if key == task.lead or key not in out:
                continue
            out[key].support += 1
            if s.state is State.late:
                out[key].late_support.append(task.id)
    return list(out.values())
