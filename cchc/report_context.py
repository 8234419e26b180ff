"""The periodic report's data: a pure function from a plan, a report number and a date to plain values.

`build_context` returns dicts, lists, strings, numbers and booleans, every value already written the
Vietnamese way ("87,5%", "20/03/2023"). It holds no sentence of the report: the wording, headings and
layout live in the Word template (templates/bao-cao-cchc.docx), which `report.render_report` fills.
The keys are the names a template can use; templates/README.md documents each one. Nothing here
reads a file or imports docx/jinja2.

The report's shape comes from the plan, never from the bundled plan_2023.yaml:
- part I "Công tác chỉ đạo, điều hành" draws on the areas marked `direction: true`; part II on the
  others, under the plan's own area numbers (so "2. Cải cách thể chế" matches the annex's 2.a, 2.b);
- the duties are the plan's section `duties_section` (number and title, III by default);
- `ALL` in `support` prints as the plan's `all_units_text`;
- the letterhead and signature lines are the plan's `parent`, `issuer_lines`, `signer.authority`.

Period semantics (reporting.md): the data of report N run from `period.start` to `period.end`; the
report is truthful as of its own date, so facts are cut at `cut = min(period.end, as_of)`, and every
task state is `status.task_state(task, year, cut)`, from the dated log alone:
- done in the period: completed on a day in [period.start, cut], listed apart when it has no evidence;
- under way: not done by `cut`, with a progress entry on or before `cut`, final deadline not passed;
- late: final deadline before `cut` and not done by `cut` (with the last note written by `cut`);
- not started: no entry by `cut`, deadline not passed;
- next period's tasks: not done by `cut`, with a deliverable in the next period (the next report's
  data period; after the third-quarter report, up to 31/12); after the annual report, every task
  not done, carried over to the next year.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from .diagnostics import UsageError
from .i18n import _
from .model import ALL_UNITS, Measurement, Narrative, Plan, Recurrence, Target, Task
from .periods import (ReportPeriod, deliverables, due_day_text, format_date, format_date_long, key_name,
                      key_quarter, next_period, period_bounds, report_keys, report_period)
from .status import State, task_state
from .submissions import report_submission
from .text import fold, format_number, int_to_roman, nfc, task_sort_key

# Values shown for a deadline that recurs instead of a date.
RECURRENCE_TEXT = {
    Recurrence.monthly: "Hằng tháng",
    Recurrence.quarterly: "Hằng quý",
    Recurrence.half_yearly: "6 tháng một lần",
    Recurrence.year_round: "Thường xuyên",
}
NARRATIVE_FIELDS = ("achievements", "shortcomings", "causes", "proposals")
# Part IV lists one line per task: titles longer than this are cut at a word and end in "…".
SHORT_TITLE = 110

# C0 controls other than tab and newline, and the two non-characters: not allowed in XML 1.0.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b-\x1f\x7f\ufffe\uffff]")


def _clean(text: str | None, multiline: bool = False) -> str:
    """NFC text that is safe in a Word XML part (escaping happens later, in the template).

    A value is one line unless `multiline`: line breaks and tabs become spaces, so the rendered XML
    needs no post-processing of control characters (docxtpl's slow "listing" pass is skipped).
    """
    if not text:
        return ""
    text = _XML_ILLEGAL.sub("", nfc(text).replace("\r\n", "\n").replace("\r", "\n").replace("\t", " "))
    if multiline:
        return text.strip()
    return " ".join(part.strip() for part in text.split("\n") if part.strip())


def _clause(text: str | None) -> str:
    # The template puts its own punctuation after a title, note or evidence; a trailing one from the
    # plan would double it ("… 2023..").
    return _clean(text).rstrip(" .;,:")


def _paragraphs(text: str | None) -> list[str]:
    return [line.strip() for line in _clean(text, multiline=True).split("\n") if line.strip()]


def _lines(values: list[str]) -> list[str]:
    return [line for line in (_clean(v) for v in values) if line]


def shorten(text: str, width: int = SHORT_TITLE) -> str:
    """`text` cut at the last word that fits in `width` characters, with "…"; whole if it fits."""
    if len(text) <= width:
        return text
    cut = text[:width - 1]
    if " " in cut:
        cut = cut[:cut.rindex(" ")]
    return cut.rstrip(" ,;:.-–") + "…"


def _percent(value: float) -> str:
    return f"{format_number(value)}%"


def _unit(plan: Plan, key: str) -> str:
    if key == ALL_UNITS:
        return _clean(plan.plan.all_units_text)
    return _clean(plan.units.get(key, key))


def _deadline_text(task: Task) -> str:
    if isinstance(task.deadline, Recurrence):
        return RECURRENCE_TEXT[task.deadline] + due_day_text(task)
    return format_date(task.deadline)


def _task(plan: Plan, task: Task, cut: dt.date) -> dict:
    state = task_state(task, plan.plan.year, cut)
    last = state.last_entry
    notes = [e for e in task.progress if e.date <= cut and e.note.strip()]
    notes.sort(key=lambda e: e.date)
    evidence = [_clause(e.text) for e in task.evidence if e.text.strip() and (e.date is None or e.date <= cut)]
    support = [_unit(plan, key) for key in task.support]
    title = _clause(task.title)
    return {
        "id": _clean(task.id),
        "title": title,
        "short_title": shorten(title),
        "lead": _unit(plan, task.lead),
        "lead_key": task.lead,
        "support": support,
        "support_text": ", ".join(support),
        "deadline": _deadline_text(task),
        "deadline_kind": task.deadline.value if isinstance(task.deadline, Recurrence) else "date",
        "final_deadline": format_date(state.deadline),
        "output": _clause(task.output),
        "state": state.state.value,
        "is_done": state.state is State.done,
        "is_ongoing": state.state is State.in_progress,
        "is_late": state.state is State.late,
        "is_not_started": state.state is State.not_started,
        "percent": _percent(state.percent),
        "percent_value": state.percent,
        "done_on": format_date(state.done_on) if state.done_on else "",
        "last_note": _clause(notes[-1].note) if notes else "",
        "last_note_date": format_date(notes[-1].date) if notes else "",
        "last_update": format_date(last.date) if last else "",
        "evidence": evidence,
        "evidence_text": "; ".join(evidence),
        "has_evidence": bool(evidence),
        "due": "",
        "_done_on": state.done_on,
        "_state": state.state,
    }


def _public(task: dict) -> dict:
    return {k: v for k, v in task.items() if not k.startswith("_")}


def _group(number: int | str, title: str, tasks: list[dict], period: ReportPeriod, cut: dt.date,
           direction: bool = False) -> dict:
    done = [t for t in tasks if t["_state"] is State.done and period.start <= t["_done_on"] <= cut]
    return {
        "number": number,
        "title": _clause(title),
        "label": f"{number}. {_clause(title)}",
        "direction": direction,
        "total": len(tasks),
        "tasks": [_public(t) for t in tasks],
        "done": [_public(t) for t in done if t["has_evidence"]],
        "done_no_evidence": [_public(t) for t in done if not t["has_evidence"]],
        "done_count": len(done),
        "ongoing": [_public(t) for t in tasks if t["_state"] is State.in_progress],
        "late": [_public(t) for t in tasks if t["_state"] is State.late],
        "not_started": [_public(t) for t in tasks if t["_state"] is State.not_started],
    }


def narrative_for(plan: Plan, period: ReportPeriod) -> tuple[str, Narrative | None]:
    """The key and narrative a report uses: the first of its keys (`2023-Q2`, `2023-H1`) holding text,
    else the first present, else (the period's key, None)."""
    present = [k for k in report_keys(period.year, period.quarter) if k in plan.narratives]
    for key in present:
        if not plan.narratives[key].is_empty():
            return key, plan.narratives[key]
    if present:
        return present[0], plan.narratives[present[0]]
    return period.key, None


def measurement_for(target: Target, period: ReportPeriod) -> tuple[Measurement | None, bool]:
    """The measurement a report shows for `target`, and whether it is the report's own period's.

    A measurement keyed with one of the report's keys (`periods.report_keys`), the preferred key
    first. The annual report falls back on the latest measurement of the year (a six-month value when
    no annual one exists yet), saying which period it is from. None when there is nothing to show.
    """
    by_key = {m.period: m for m in target.measurements}
    for key in report_keys(period.year, period.quarter):
        if key in by_key:
            return by_key[key], True
    if period.quarter == 4:
        year = [m for m in target.measurements if key_quarter(m.period)[0] == period.year]
        if year:
            return max(year, key=lambda m: (period_bounds(m.period)[1], period_bounds(m.period)[0])), False
    return None, False


def _target_rows(plan: Plan, period: ReportPeriod) -> list[dict]:
    from .views import measured_value, target_goal

    rows = []
    for i, target in enumerate(plan.targets, start=1):
        m, own = measurement_for(target, period)
        value = m.value if m else None
        rows.append({
            "index": i,
            "id": target.id,
            "name": _clean(target.name),
            "goal": _clean(target_goal(target)),
            "value": _clean(measured_value(target, value)),
            "value_number": value,
            "has_value": value is not None,
            "reached": value is not None and target.reached(value),
            "period": m.period if m else "",
            "period_name": _clean(key_name(m.period)) if m else "",
            "other_period": m is not None and not own,
            "source": _clean(m.source) if m else "",
            "measurement_note": _clean(m.note) if m else "",
            "unit": _clean(target.unit),
            "scope": _clean(target.scope),
            "note": _clean(target.note),
            "deadline": format_date(target.deadline),
        })
    return rows


def _recipients(plan: Plan) -> list[str]:
    lines = [re.sub(r"^[-–—]\s*", "", _clean(r)) for r in plan.plan.recipients]
    lines = [line for line in lines if line]
    report_to = _clean(plan.plan.report_to)
    if report_to:
        first = next((i for i, line in enumerate(lines) if fold(line).startswith(fold(report_to))), None)
        if first is None:
            lines.insert(0, f"{report_to};")
        else:
            lines.insert(0, lines.pop(first))
    return lines


def _next_name(period: ReportPeriod) -> str:
    if period.quarter == 4:
        return f"năm {period.year + 1}"
    return f"quý {int_to_roman(period.quarter + 1)} năm {period.year}"


def _next_tasks(plan: Plan, groups: list[dict], by_id: dict[str, Task], period: ReportPeriod) -> dict:
    """Part IV: the open tasks with a deliverable in the next period, one line each, grouped by area."""
    start = end = None
    if period.quarter != 4:
        nxt = next_period(period)
        assert nxt is not None
        start, end = nxt.start, nxt.end
        if nxt.quarter == 4:
            # The annual report's cut-off (14/12) comes before the year-end deliverables: the last
            # quarter's work runs to 31/12.
            end = max(end, dt.date(period.year, 12, 31))
    out_groups, listed = [], []
    for group in groups:
        tasks = []
        for t in group["tasks"]:
            if t["is_done"]:
                continue
            if start is None:
                tasks.append(t)
                continue
            due = next((d for d in deliverables(by_id[t["id"]], plan.plan.year) if start <= d <= end), None)
            if due is not None:
                tasks.append({**t, "due": format_date(due)})
        if tasks:
            out_groups.append({"number": group["number"], "title": group["title"], "label": group["label"],
                               "tasks": tasks})
            listed += tasks
    return {"name": _next_name(period), "start": format_date(start) if start else "",
            "end": format_date(end) if end else "", "groups": out_groups, "tasks": listed}


def build_context(plan: Plan, quarter: int, as_of: dt.date | None = None, calendar: bool = False) -> dict:
    """The data of report `quarter` (1-4) of `plan`, dated `as_of` (default today); see the module doc.

    Raises UsageError for a quarter outside 1-4 or a report dated before its period starts.
    """
    as_of = as_of or dt.date.today()
    if quarter not in (1, 2, 3, 4):
        raise UsageError(_("--quarter phải là 1, 2, 3 hoặc 4, không phải {n}").format(n=quarter))
    period = report_period(plan.plan.year, quarter, calendar)
    if as_of < period.start:
        raise UsageError(_(
            "ngày báo cáo {date} ở trước kỳ báo cáo {name} (bắt đầu {start}); chọn ngày khác bằng --as-of"
        ).format(date=format_date(as_of), name=period.name, start=format_date(period.start)))
    with vietnamese_values():
        return _build_context(plan, quarter, as_of, calendar)


def _build_context(plan: Plan, quarter: int, as_of: dt.date, calendar: bool) -> dict:
    info = plan.plan
    period = report_period(info.year, quarter, calendar)
    cut = min(period.end, as_of)

    all_tasks = plan.all_tasks()
    by_id = {nfc(t.id): t for t in all_tasks}
    facts = {t.id: _task(plan, t, cut) for t in all_tasks}
    areas = [_group(a.number, a.title, [facts[t.id] for t in a.tasks], period, cut, a.direction)
             for a in plan.areas]
    section = plan.duties_section
    duties = _group(section.number, section.title, [facts[t.id] for t in plan.duties], period, cut)
    groups = areas + ([duties] if plan.duties else [])
    results = [a for a in areas if not a["direction"]]
    ordered = sorted(facts.values(), key=lambda t: task_sort_key(t["id"]))
    narrative_key, narrative = narrative_for(plan, period)
    narrative_ctx: dict[str, Any] = {f: _paragraphs(getattr(narrative, f) if narrative else "")
                                     for f in NARRATIVE_FIELDS}
    narrative_ctx["empty"] = not any(narrative_ctx[f] for f in NARRATIVE_FIELDS)
    return {
        "report": {**_report_part(period, cut, as_of), "narrative_key": narrative_key},
        "org": _org_part(plan),
        "plan": {
            "title": _clause(info.title),
            "year": info.year,
            "number": _clean(info.number),
            "date": format_date(info.date) if info.date else "",
        },
        "signer": _signer_part(plan),
        "recipients": _recipients(plan),
        "areas": areas,
        "direction": [a for a in areas if a["direction"]],
        "results": results,
        "targets_number": max((a["number"] for a in results), default=0) + 1,
        "duties": duties,
        "groups": groups,
        "tasks": [_public(t) for t in ordered],
        "late_tasks": [_public(t) for t in ordered if t["_state"] is State.late],
        "targets": _target_rows(plan, period),
        "narrative": narrative_ctx,
        "next": _next_tasks(plan, groups, by_id, period),
        "submission": report_submission(plan, period, as_of),
    }


def _report_part(period: ReportPeriod, cut: dt.date, as_of: dt.date) -> dict:
    name = _clean(period.name)
    return {
        "quarter": period.quarter,
        "key": period.key,
        "name": name,
        "name_upper": name.upper(),
        "calendar": period.calendar,
        "annual": period.quarter == 4,
        "year": period.year,
        "start": format_date(period.start),
        "end": format_date(period.end),
        "data_end": format_date(cut),
        "as_of": format_date(as_of),
        "date_long": _clean(format_date_long(as_of)),
    }


def _org_part(plan: Plan) -> dict:
    info = plan.plan
    issuer_lines = _lines(info.issuer_lines) or [_clean(info.issuer)]
    return {
        "parent": _clean(info.parent),
        "parent_upper": _clean(info.parent).upper(),
        "issuer": _clean(info.issuer),
        "issuer_upper": _clean(info.issuer).upper(),
        "issuer_lines": [line.upper() for line in issuer_lines],
        "issuer_short": _clean(info.issuer_short),
        "place": _clean(info.place),
        "report_to": _clean(info.report_to),
        "all_units": _clean(info.all_units_text),
    }


def _signer_part(plan: Plan) -> dict:
    signer = plan.plan.signer
    authority = _lines(signer.authority)
    return {
        "name": _clean(signer.name),
        "title": _clean(signer.title),
        "title_upper": _clean(signer.title).upper(),
        "authority_lines": [line.upper() for line in authority],
        "authority": " ".join(authority),
        "authority_upper": " ".join(authority).upper(),
    }


def vietnamese_values():
    """Values that cchc formats through `_()` (period names, dates) stay Vietnamese whatever --lang says."""
    from .i18n import in_language

    return in_language("vi")
