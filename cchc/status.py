"""Where the plan stands on a given day: pure functions from a `Plan` and a date to facts.

A task's state is rebuilt from its dated progress log, so the same plan answers "as of 15/03"
and "as of today" truthfully: entries dated after `as_of` do not count yet.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import Enum

from .i18n import _
from .model import Plan, ProgressEntry, Target, Task
from .periods import final_deadline, next_deliverable, period_bounds
from .text import task_sort_key


class State(str, Enum):
    done = "done"
    in_progress = "in_progress"
    not_started = "not_started"
    late = "late"

    @property
    def label(self) -> str:
        return STATE_LABELS[self]()


STATE_LABELS = {
    State.done: lambda: _("hoàn thành"),
    State.in_progress: lambda: _("đang thực hiện"),
    State.not_started: lambda: _("chưa bắt đầu"),
    State.late: lambda: _("quá hạn"),
}


@dataclass(frozen=True)
class TaskState:
    task: Task
    state: State
    percent: float
    done_on: dt.date | None
    deadline: dt.date  # the final deliverable
    next_due: dt.date | None
    last_entry: ProgressEntry | None


def entries_until(task: Task, as_of: dt.date) -> list[ProgressEntry]:
    """The log as it stood on `as_of`: entries dated on or before it, in date order.

    Entries written out of order (a warning in `cchc check`) are put back in date order; entries of
    the same day keep the order they were written in.
    """
    return sorted((e for e in task.progress if e.date <= as_of), key=lambda e: e.date)


def completes(entry: ProgressEntry) -> bool:
    """Whether a log entry says the work is finished: a `done` event, or 100% not marked `reopened`."""
    return entry.event == "done" or (entry.percent >= 100 and entry.event != "reopened")


def completion_date(entries: list[ProgressEntry]) -> dt.date | None:
    """The day the task became done, if the last of `entries` (date order) still says done.

    A `reopened` entry, or any later entry below 100%, undoes a completion; a completion after that
    counts from its own day.
    """
    done_on = None
    for entry in entries:
        if completes(entry):
            done_on = done_on or entry.date
        else:
            done_on = None
    return done_on


def task_state(task: Task, year: int, as_of: dt.date) -> TaskState:
    """The one answer to "how does this task stand on `as_of`", from its dated log alone.

    Every command (status, tasks, show, kpi, units, check, report, export) asks this function, so a
    task reopened on 15/03 is still done on 14/03 everywhere. The task's `status` field is never read:
    it says how the task stands today, and `cchc check` reports when it disagrees with the log.
    """
    entries = entries_until(task, as_of)
    last = entries[-1] if entries else None
    finished = completion_date(entries)
    deadline = final_deadline(task, year)
    if finished is not None:
        state, percent = State.done, 100.0
    else:
        percent = last.percent if last else 0.0
        if deadline < as_of:
            state = State.late
        elif last is None:
            state = State.not_started
        else:
            state = State.in_progress
    return TaskState(task, state, percent, finished, deadline, next_deliverable(task, year, as_of), last)


def task_states(plan: Plan, as_of: dt.date) -> list[TaskState]:
    year = plan.plan.year
    states = [task_state(t, year, as_of) for t in plan.all_tasks()]
    return sorted(states, key=lambda s: task_sort_key(s.task.id))


@dataclass
class AreaSummary:
    number: int | str
    title: str
    counts: dict[State, int] = field(default_factory=lambda: {s: 0 for s in State})
    percent: float = 0.0  # mean progress of the area's tasks

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class TargetMark:
    target: Target
    period: str | None
    value: float | None

    @property
    def mark(self) -> str:
        """'reached', 'not_yet' or 'no_data'."""
        if self.value is None:
            return "no_data"
        return "reached" if self.target.reached(self.value) else "not_yet"


MARK_LABELS = {
    "reached": lambda: _("đạt"),
    "not_yet": lambda: _("chưa đạt"),
    "no_data": lambda: _("chưa có số liệu"),
}


def target_mark(target: Target, as_of: dt.date | None = None) -> TargetMark:
    """The latest measurement of `target` whose period had begun by `as_of`, against its goal."""
    measured = [m for m in target.measurements if as_of is None or period_bounds(m.period)[0] <= as_of]
    if not measured:
        return TargetMark(target, None, None)
    latest = max(measured, key=lambda m: period_bounds(m.period)[1])
    return TargetMark(target, latest.period, latest.value)


@dataclass
class PlanStatus:
    as_of: dt.date
    areas: list[AreaSummary]
    targets: list[TargetMark]
    late: list[TaskState]
    upcoming: list[TaskState]
    totals: dict[State, int]


def plan_status(plan: Plan, as_of: dt.date, horizon_days: int = 30) -> PlanStatus:
    """The facts `cchc status` shows: per-area counts, targets, late tasks, tasks due soon."""
    states = task_states(plan, as_of)
    by_id = {s.task.id: s for s in states}
    summaries = []
    for area in plan.areas:
        summary = AreaSummary(area.number, area.title)
        for task in area.tasks:
            summary.counts[by_id[task.id].state] += 1
        if area.tasks:
            summary.percent = sum(by_id[t.id].percent for t in area.tasks) / len(area.tasks)
        summaries.append(summary)
    if plan.duties:
        summary = AreaSummary(plan.duties_section.number, plan.duties_section.title)
        for task in plan.duties:
            summary.counts[by_id[task.id].state] += 1
        summary.percent = sum(by_id[t.id].percent for t in plan.duties) / len(plan.duties)
        summaries.append(summary)
    horizon = as_of + dt.timedelta(days=horizon_days)
    late = [s for s in states if s.state is State.late]
    upcoming = sorted(
        (s for s in states if s.state in (State.in_progress, State.not_started)
         and s.next_due is not None and s.next_due <= horizon),
        key=lambda s: (s.next_due, task_sort_key(s.task.id)))
    totals = {st: sum(a.counts[st] for a in summaries) for st in State}
    return PlanStatus(as_of, summaries, [target_mark(t, as_of) for t in plan.targets], late, upcoming, totals)
