"""The forms that record, each through exactly the `cchc.edit` function its command uses.

| form (POST) | command | function |
| --- | --- | --- |
| `/tasks/<id>/progress` | `cchc update` | `edit.record_progress` |
| `/tasks/<id>/done` | `cchc done` | `edit.mark_done` |
| `/tasks/<id>/evidence` | `cchc evidence add` | `edit.add_evidence` |
| `/targets/measurements` | `cchc kpi record` | `edit.record_measurement` |
| `/reports/narrative` | `cchc note` | `edit.set_narrative` |
| `/reports` | `cchc report` | `report.render_report` (writes no plan) |

Before the edit: the visitor may write (not `--read-only`; a unit account only on tasks its unit
leads or supports, plan-wide items only for `office`), and the plan still has the SHA-256 it had
when the page was drawn (hidden field `plan_sha`); otherwise the page comes back with the typed
values and the reason, the file untouched. The edit function then validates, locks, checks the
file did not change under it and writes atomically; its one-line message (and any warning) is
shown, with what changed in plan terms (`plandiff`, as `cchc diff` says it) and a link to the diff.
Web writes are serialised in this process; the lock file queues them with the CLI.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from ..diagnostics import CchcError
from ..i18n import _
from .app import MAX_FIELD, MAX_TEXT, SHA_FIELD, as_of, current_account, field, loaded_plan, may_write, web

KEEP_REPORTS = 10


def _stale() -> str:
    return _("Kế hoạch vừa được người khác (hoặc một lệnh cchc) thay đổi sau khi bạn mở trang này; chưa ghi gì. "
             "Xem lại thông tin mới bên dưới rồi bấm ghi lại — nội dung bạn đã gõ vẫn còn.")


def _who() -> str | None:
    """`by` of a web write: the account's name; without login, the name typed (else git's user)."""
    account = current_account()
    if account is not None:
        return account.name
    return field("by", 200).strip() or None


def apply_write(call, refuse, extra: Path | None = None, created: bool = False):
    """Run `call()` (one edit function) under the web lock and answer the browser.

    `refuse(message, status)` draws the form's page again with the typed values. `extra` is an
    uploaded evidence file to remove if the edit is refused (`created`: this request stored it).
    """
    from flask import flash, g, redirect, request, url_for

    from ..cache import load_cached
    from ..plandiff import describe_all, diff_plans

    state = web()
    with state.write_lock:
        try:
            before = load_cached(state.plan)
            if request.form.get(SHA_FIELD, "") != before.doc.sha256:
                raise _Stale
            result = call()
        except (_Stale, CchcError) as e:
            if created and extra is not None:
                extra.unlink(missing_ok=True)
            g.pop("loaded", None)
            if isinstance(e, _Stale):
                return refuse(_stale(), 409)
            return refuse(str(e), 422)
        after = load_cached(state.plan)
        changes = describe_all(diff_plans(before.plan, after.plan), after.plan, before.plan)
        commit = None
        if state.commit and result.changed:
            from .gitops import commit_write

            try:
                message = "\n\n".join([changes[0] if changes else result.summary, "\n".join(changes[1:])]).strip()
                commit = commit_write(state.plan, [extra] if extra is not None and created else [], message,
                                      _who() or "")
            except CchcError as e:
                flash(str(e), "error")
    for warning in result.warnings:
        flash(warning, "warning")
    flash(result.line(), "done")
    for line in changes:
        flash(line, "change")
    if result.changed:
        flash(url_for("diff", commit=commit) if commit else url_for("diff"), "diff")
    from .auth import safe_next

    return redirect(safe_next(request.form.get("back")), 303)


class _Stale(Exception):
    pass


def _typed(*names: str, limit: int = MAX_FIELD) -> dict:
    return {name: field(name, limit) for name in names}


def register(app) -> None:
    from flask import abort, request, url_for

    from . import pages

    def task_or_404(task_id: str):
        from ..query import find_task

        try:
            return find_task(loaded_plan().plan, task_id)
        except CchcError as e:
            abort(404, str(e))

    def guard_task(task) -> None:
        if web().read_only:
            abort(403, _("Máy chủ đang chạy ở chế độ chỉ xem (--read-only); không ghi được."))
        if not may_write(task):
            account = current_account()
            abort(403, _("Tài khoản {name} ({unit}) chỉ ghi được nhiệm vụ mà đơn vị mình chủ trì hoặc phối hợp; "
                         "nhiệm vụ {id} do {lead} chủ trì.").format(
                name=account.name, unit=account.unit, id=task.id, lead=task.lead) if account and task
                  else _("Chỉ tài khoản của văn phòng (office) ghi được mục này."))

    def upload(task):
        """The uploaded file of this form stored in the evidence folder: (path, created) or (None, False)."""
        from .uploads import store_upload

        sent = request.files.get("file")
        if sent is None or not sent.filename:
            return None, False
        stored = store_upload(sent.stream, sent.filename, web().plan.parent, task.id, web().max_upload)
        return stored.path, stored.created

    @app.route("/tasks/<task_id>/progress", methods=["POST"])
    def record_progress(task_id: str):
        from ..edit import record_progress as record

        task = task_or_404(task_id)
        guard_task(task)
        typed = _typed("percent", "note", "date", "by")
        return apply_write(
            lambda: record(web().plan, task.id, typed["percent"], note=typed["note"], date=typed["date"] or None,
                           by=_who()),
            lambda message, status: pages.task_page(task.id, {"form": "progress", **typed}, message, status))

    @app.route("/tasks/<task_id>/done", methods=["POST"])
    def mark_done(task_id: str):
        from ..edit import mark_done as done

        task = task_or_404(task_id)
        guard_task(task)
        typed = _typed("evidence", "note", "date", "by")
        no_evidence = bool(request.form.get("no_evidence"))

        def refuse(message, status):
            return pages.task_page(task.id, {"form": "done", "done_evidence": typed["evidence"],
                                             "done_note": typed["note"], "date": typed["date"], "by": typed["by"],
                                             "no_evidence": no_evidence}, message, status)

        try:
            path, created = upload(task)
        except CchcError as e:
            return refuse(str(e), 422)
        return apply_write(
            lambda: done(web().plan, task.id, evidence=typed["evidence"] or None, file=path,
                         date=typed["date"] or None, by=_who(), no_evidence=no_evidence, note=typed["note"]),
            refuse, path, created)

    @app.route("/tasks/<task_id>/evidence", methods=["POST"])
    def add_evidence(task_id: str):
        from ..edit import add_evidence as add

        task = task_or_404(task_id)
        guard_task(task)
        text = field("text")

        def refuse(message, status):
            return pages.task_page(task.id, {"form": "evidence", "evidence_text": text}, message, status)

        try:
            path, created = upload(task)
        except CchcError as e:
            return refuse(str(e), 422)
        return apply_write(lambda: add(web().plan, task.id, text, file=path), refuse, path, created)

    @app.route("/targets/measurements", methods=["POST"])
    def record_measurement():
        from ..edit import record_measurement as record

        guard_task(None)
        typed = _typed("target", "value", "period", "source", "note")
        replace = bool(request.form.get("replace"))
        return apply_write(
            lambda: record(web().plan, typed["target"], typed["value"], typed["period"], source=typed["source"],
                           note=typed["note"], replace=replace),
            lambda message, status: pages.targets_page({**typed, "replace": replace}, message, status))

    @app.route("/reports/narrative", methods=["POST"])
    def set_narrative():
        from ..edit import set_narrative as write

        guard_task(None)
        typed = {**_typed("period", "section"), "text": field("text", MAX_TEXT)}
        return apply_write(
            lambda: write(web().plan, typed["period"], typed["section"], typed["text"]),
            lambda message, status: pages.reports_page(typed, message, status))

    @app.route("/reports", methods=["POST"])
    def generate_report():
        from flask import redirect

        from ..report import default_output, find_template, render_report

        state = web()
        plan = loaded_plan().plan
        typed = _typed("quarter", limit=2)
        want_pdf = bool(request.form.get("pdf"))
        calendar = bool(request.form.get("calendar"))
        if typed["quarter"] not in ("1", "2", "3", "4"):
            return pages.reports_page(error=_("--quarter phải là 1, 2, 3 hoặc 4, không phải {n}").format(
                n=typed["quarter"] or "—"), status=422)
        from .app import reports_dir

        token = secrets.token_urlsafe(12)
        folder = reports_dir() / token
        folder.mkdir()
        name = default_output(plan, int(typed["quarter"]), calendar).name
        try:
            with state.report_lock:  # one LibreOffice at a time
                result = render_report(plan, int(typed["quarter"]), folder / name,
                                       template=find_template(None, state.plan), as_of=as_of(), pdf=want_pdf,
                                       calendar=calendar)
        except CchcError as e:
            return pages.reports_page(error=str(e), status=422)
        state.reports[token] = {"docx": result.docx, "pdf": result.pdf, "warnings": result.warnings,
                                "name": result.context["report"]["name"], "token": token}
        while len(state.reports) > KEEP_REPORTS:
            _old, gone = state.reports.popitem(last=False)
            for p in (gone["docx"], gone["pdf"]):
                if p:
                    p.unlink(missing_ok=True)
        return redirect(url_for("reports", ready=token), 303)
