"""The read-only pages. Each computes its facts with the function the matching command uses.

| URL | command | facts from |
| --- | --- | --- |
| `/` | `cchc status` | `status.plan_status`, `views.status_tables` |
| `/tasks` | `cchc tasks` | `query.filter_tasks`, `query_views.tasks_table` |
| `/tasks/<id>` | `cchc show ID`, `cchc log ID` | `query.task_detail`, `query_views.show_tables`, `history.history` |
| `/units`, `/units/<key>` | `cchc units`, `cchc tasks --unit` | `query.unit_summary`, `query.filter_tasks` |
| `/targets` | `cchc kpi` | `query.target_rows`, `query_views.target_tables` |
| `/reports` | `cchc report` | `report.render_report` |
| `/check` | `cchc check` | `checks.check_plan` |
| `/diff` | `git diff -- plan` | `gitops.plan_diff` |

Every page takes `?as_of=dd/mm/yyyy` (default today). Tables are the commands' own `output.Table`s,
so a page and the terminal say the same thing in the same words.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..diagnostics import CchcError, UsageError
from ..i18n import _
from ..status import State
from .app import as_of, loaded_plan, may_write, render, web

STATE_ORDER = (State.late, State.in_progress, State.not_started, State.done)  # a unit page: late first
HISTORY_CACHE = 64


def task_links(ids) -> dict:
    from flask import url_for

    return {i: url_for("task", task_id=i) for i in ids}


def out_of_year_notice(plan) -> str | None:
    """The note `cchc status` prints when today is outside the plan's year (everything looks late)."""
    from flask import g

    if not g.get("as_of_text") and as_of().year != plan.plan.year:
        return _("Lưu ý: hôm nay nằm ngoài năm kế hoạch {year}; xem tình hình tại một ngày trong năm "
                 "bằng ô “Tính đến ngày”, ví dụ 14/06/{year}").format(year=plan.plan.year)
    return None


def register(app) -> None:
    from flask import abort, request, send_file, url_for

    @app.route("/")
    def dashboard():
        from ..status import plan_status
        from ..views import status_tables

        loaded = loaded_plan()
        plan = loaded.plan
        facts = plan_status(plan, as_of())
        tables = status_tables(plan, facts)
        ids = [s.task.id for s in facts.late + facts.upcoming]
        return render("dashboard.html", plan=plan, facts=facts, targets=tables[1], late=tables[2],
                      upcoming=tables[3], links={0: task_links(ids)}, notice=out_of_year_notice(plan),
                      State=State)

    @app.route("/tasks")
    def tasks():
        from ..periods import parse_user_date
        from ..query import SORT_KEYS, TaskFilter, filter_tasks
        from ..userinput import area_numbers, parse_duration, parse_states, resolve_area, resolve_unit
        from ..query_views import tasks_table

        plan = loaded_plan().plan
        args = request.args
        wanted = {
            "q": args.get("q", "")[:200], "area": args.get("area", ""), "unit": args.get("unit", ""),
            "lead": bool(args.get("lead")), "status": args.getlist("status")[:8],
            "due_within": args.get("due_within", "")[:20], "due_before": args.get("due_before", "")[:20],
            "late": bool(args.get("late")), "no_evidence": bool(args.get("no_evidence")),
            "sort": args.get("sort", "area") if args.get("sort", "area") in SORT_KEYS else "area",
        }
        error = None
        try:
            due_before = None
            if wanted["due_before"]:
                try:
                    due_before = parse_user_date(wanted["due_before"], plan.plan.year)
                except ValueError as e:
                    raise UsageError(str(e)) from None
            filt = TaskFilter(
                area=resolve_area(plan, wanted["area"]) if wanted["area"] else None,
                unit=resolve_unit(plan, wanted["unit"]) if wanted["unit"] else None,
                lead_only=wanted["lead"] and bool(wanted["unit"]),
                states=parse_states(wanted["status"]),
                due_within=parse_duration(wanted["due_within"]) if wanted["due_within"] else None,
                due_before=due_before, late=wanted["late"], no_evidence=wanted["no_evidence"],
                text=wanted["q"])
            states = filter_tasks(plan, filt, as_of(), sort=wanted["sort"])
        except CchcError as e:
            error, states = str(e), []
        table = tasks_table(states, as_of())
        sort_links = {}
        for column, key in ((0, "area"), (2, "unit"), (4, "due"), (6, "progress")):
            params = {k: v for k, v in request.args.lists() if k not in ("sort", "rows")}
            sort_links[column] = url_for("tasks", **params, sort=key)
        template = "tasks_rows.html" if args.get("rows") else "tasks.html"
        return render(template, plan=plan, table=table, links={0: task_links(s.task.id for s in states)},
                      wanted=wanted, error=error, sort_links=sort_links, areas=area_numbers(plan),
                      notice=out_of_year_notice(plan), state_choices=[
                          ("todo", State.not_started.label), ("doing", State.in_progress.label),
                          ("done", State.done.label), ("late", State.late.label)])

    @app.route("/tasks/<task_id>")
    def task(task_id: str):
        return task_page(task_id)

    @app.route("/units")
    def units():
        from ..query import unit_summary
        from ..query_views import units_table

        plan = loaded_plan().plan
        summary = unit_summary(plan, as_of())
        return render("units.html", plan=plan, table=units_table(summary, as_of()),
                      links={0: {u.key: url_for("unit", key=u.key) for u in summary}})

    @app.route("/units/<key>")
    def unit(key: str):
        from ..query import TaskFilter, filter_tasks, unit_summary
        from ..userinput import resolve_unit
        from ..query_views import tasks_table

        plan = loaded_plan().plan
        try:
            key = resolve_unit(plan, key)
        except CchcError as e:
            abort(404, str(e))
        states = filter_tasks(plan, TaskFilter(unit=key), as_of(), sort="due")
        groups = []
        for state in STATE_ORDER:
            chosen = [s for s in states if s.state is state]
            if chosen:
                table = tasks_table(chosen, as_of())
                table.title = f"{state.label} ({len(chosen)})"
                groups.append((state, table))
        summary = next(u for u in unit_summary(plan, as_of()) if u.key == key)
        return render("unit.html", plan=plan, key=key, name=plan.units[key], summary=summary, groups=groups,
                      links={0: task_links(s.task.id for s in states)}, State=State)

    @app.route("/targets")
    def targets():
        return targets_page()

    @app.route("/check")
    def check():
        from ..checks import check_plan
        from ..finding_codes import ERROR, WARNING, format_finding

        loaded = loaded_plan()
        findings = check_plan(loaded, as_of())
        name = web().plan.name
        places = finding_places(loaded)
        rows = []
        for d in findings:
            url = next((url for (first, last), url in places if first <= d.line <= last), None)
            rows.append((d, format_finding(d, name), url))
        errors = sum(d.severity == ERROR for d in findings)
        warnings = sum(d.severity == WARNING for d in findings)
        summary = (_("{path}: {errors} lỗi, {warnings} cảnh báo").format(path=name, errors=errors, warnings=warnings)
                   if findings else _("{path}: không phát hiện vấn đề nào").format(path=name))
        return render("check.html", plan=loaded.plan, rows=rows, summary=summary, ERROR=ERROR)

    @app.route("/diff")
    def diff():
        from .gitops import plan_diff

        commit = request.args.get("commit", "")
        if commit and not (4 <= len(commit) <= 40 and all(c in "0123456789abcdef" for c in commit)):
            abort(404)
        text = plan_diff(web().plan, commit or None)
        return render("diff.html", plan=loaded_plan().plan, text=text, commit=commit)

    @app.route("/reports")
    def reports():
        return reports_page()

    @app.route("/tasks/<task_id>/evidence/<int:number>")
    def evidence_file(task_id: str, number: int):
        """The file of a task's evidence entry `number` (1-based), only if it lies in the plan's folder."""
        import os

        from ..evidence import evidence_path
        from ..query import find_task

        try:
            task = find_task(loaded_plan().plan, task_id)
        except CchcError as e:
            abort(404, str(e))
        if not 1 <= number <= len(task.evidence):
            abort(404)
        folder = Path(os.path.realpath(web().plan.parent))
        path = evidence_path(task.evidence[number - 1], folder)
        real = Path(os.path.realpath(path)) if path else None
        if real is None or folder not in real.parents or not real.is_file():
            abort(404)
        return send_file(real, as_attachment=True, download_name=real.name)

    @app.route("/reports/files/<token>/<name>")
    def report_file(token: str, name: str):
        found = web().reports.get(token)
        files = {p.name: p for p in (found["docx"], found["pdf"]) if p} if found else {}
        if name not in files or not files[name].is_file():
            abort(404)
        return send_file(files[name], as_attachment=True, download_name=name)


def finding_places(loaded) -> list[tuple[tuple[int, int], str]]:
    """The lines (1-based, first and last) of each task, target and narrative, with the page that shows it.

    A finding of `cchc check` links to the page of whatever its line falls in.
    """
    from flask import url_for

    spans = loaded.doc.spans
    plan = loaded.plan
    places = [(tuple(path), url_for("task", task_id=task_id)) for task_id, path in plan.task_paths().items()]
    places += [(("targets", i), url_for("targets", _anchor=f"target-{t.id}")) for i, t in enumerate(plan.targets)]
    places += [(("narratives", key), url_for("reports")) for key in plan.narratives]
    out = []
    for path, url in places:
        span = spans.get(path)
        if span is not None:
            out.append(((span.line + 1, span.end_line + 1), url))
    return out


def task_history(task_id: str):
    """`cchc log ID` for the task page: (commits, None), or ([], why there is no history)."""
    from ..history import git, history, locate

    state = web()
    try:
        repo = locate(state.plan)
        head = git(repo.root, "rev-parse", "--verify", "--quiet", "HEAD", check=False).stdout.strip()
        # Reading every version costs; the answer changes only with a new commit.
        key = (head, task_id)
        if key not in state.history:
            state.history[key] = history(repo, task_id)
            while len(state.history) > HISTORY_CACHE:
                state.history.popitem(last=False)
        return state.history[key], None
    except CchcError as e:
        return [], str(e)


def default_date(plan) -> str:
    """The date a form proposes: today inside the plan's year, else the page's date if it is inside."""
    from ..periods import format_date

    for day in (dt.date.today(), as_of()):
        if day.year == plan.plan.year:
            return format_date(day)
    return ""


def task_page(task_id: str, form: dict | None = None, error: str | None = None, status: int = 200):
    """The task page; after a refused form, with the typed values and the reason."""
    from flask import url_for

    from ..edit import default_by
    from ..query import task_detail
    from ..query_views import show_tables

    loaded = loaded_plan()
    plan = loaded.plan
    try:
        detail = task_detail(plan, task_id, as_of(), Path(loaded.path).parent)
    except CchcError as e:
        from flask import abort

        abort(404, str(e))
    line, _col = loaded.doc.locate(detail.path)
    tables = show_tables(plan, detail, f"{web().plan.name}:{line}")
    info = tables[0]
    info.rows = [row for row in info.rows if row[0] != _("Tiến độ")]  # the page draws the bar itself
    commits, no_history = task_history(detail.task.id)
    values = {"date": default_date(plan), "by": default_by(web().plan.parent), "percent": "", "note": ""}
    values.update(form or {})
    files = {c.evidence.file: url_for("evidence_file", task_id=detail.task.id, number=c.index + 1)
             for c in detail.evidence if c.evidence.file and c.file_state != "missing"}
    return render("task.html", status, plan=plan, detail=detail, tables=tables, commits=commits, files={2: files},
                  no_history=no_history, form=values, error=error, sha=loaded.doc.sha256,
                  can_write=may_write(detail.task),
                  task_url=url_for("task", task_id=detail.task.id))


def targets_page(form: dict | None = None, error: str | None = None, status: int = 200):
    from ..query import target_rows
    from ..query_views import target_tables
    from .chart import target_chart

    loaded = loaded_plan()
    plan = loaded.plan
    rows = target_rows(plan, as_of())
    items = [(row, target_tables(row, as_of()), target_chart(row)) for row in rows]
    values = {"target": "", "value": "", "period": "", "source": "", "note": "", "replace": False}
    values.update(form or {})
    return render("targets.html", status, plan=plan, items=items, form=values, error=error,
                  sha=loaded.doc.sha256, can_write=may_write(), periods=period_choices(plan))


def period_choices(plan) -> list[tuple[str, str]]:
    from ..periods import report_period

    year = plan.plan.year
    out = [(f"{year}-Q{q}", f"{year}-Q{q} — {report_period(year, q).name}") for q in (1, 2, 3, 4)]
    return out + [(f"{year}-H1", f"{year}-H1"), (str(year), str(year))]


def reports_page(form: dict | None = None, error: str | None = None, status: int = 200, ready: dict | None = None):
    from flask import request

    from ..edit import SECTION_LABELS
    from ..model import Narrative
    from ..periods import report_period
    from ..report import find_soffice

    loaded = loaded_plan()
    plan = loaded.plan
    if ready is None and request.args.get("ready"):
        ready = web().reports.get(request.args["ready"])
    values = {"period": f"{plan.plan.year}-Q1", "section": "achievements", "text": ""}
    values.update(form or {})
    sections = [(name, SECTION_LABELS[name]()) for name in Narrative.model_fields]
    narratives = [(key, [(SECTION_LABELS[name](), getattr(n, name)) for name in Narrative.model_fields])
                  for key, n in plan.narratives.items()]
    return render("reports.html", status, plan=plan, ready=ready, form=values, error=error,
                  sha=loaded.doc.sha256, can_write=may_write(), soffice=find_soffice() is not None,
                  periods=period_choices(plan)[:4], sections=sections, narratives=narratives,
                  quarters=[(q, report_period(plan.plan.year, q).name) for q in (1, 2, 3, 4)])
