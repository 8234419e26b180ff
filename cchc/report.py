"""The periodic CCHC report: a plain "report context" built from the plan, rendered through a Word template.

`build_context` is a pure function from a `Plan`, a report number (1-4) and a date to dicts, lists,
strings and numbers, every value already written the Vietnamese way ("87,5%", "20/03/2023"). It holds
no sentence of the report: all wording, headings and layout live in the template
(templates/bao-cao-cchc.docx, built by templates/build_report_template.py), which the office may edit.
The keys of the context are the names a template can use; templates/README.md documents each one.

`render_report` fills the template with docxtpl inside Jinja's immutable sandbox, with autoescaping
(a note with `&` or `<` cannot break the document's XML) and undefined names as errors. docx, docxtpl
and jinja2 are imported only inside the functions that need them, so importing this module is cheap.

Period semantics (reporting.md): the data of report N run from `period.start` to `period.end`; the
report is truthful as of its own date, so facts are cut at `cut = min(period.end, as_of)`:
- done in the period: completed on a day in [period.start, cut];
- under way: not done by `cut`, with a progress entry on or before `cut`, final deadline not passed;
- late: final deadline before `cut` and not done by `cut` (with the last note written by `cut`);
- next period's tasks: not done by `cut`, with a deliverable in the next period (the next report's
  data period; after the third-quarter report, up to 31/12); after the annual report, every task
  not done, carried over to the next year.
"""

from __future__ import annotations

import datetime as dt
import html
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .diagnostics import CchcError, NotFound, UsageError
from .i18n import _
from .model import ALL_UNITS, Plan, Recurrence, Task
from .periods import ReportPeriod, deliverables, format_date, format_date_long, next_period, report_period
from .status import State, task_state
from .submissions import report_submission
from .text import fold, format_number, int_to_roman, nfc, task_sort_key

TEMPLATE_NAME = "bao-cao-cchc.docx"
TEMPLATE_DIR = "templates"

# Values shown for a deadline that recurs instead of a date.
RECURRENCE_TEXT = {
    Recurrence.monthly: "Hằng tháng",
    Recurrence.quarterly: "Hằng quý",
    Recurrence.half_yearly: "6 tháng một lần",
    Recurrence.year_round: "Thường xuyên",
}
ALL_UNITS_TEXT = "Các phòng, đơn vị"

# The measurement periods (keys of `targets[].measurements[].period`) that count as "this period".
_MEASUREMENT_KEYS = {1: ("Q1",), 2: ("Q2", "H1"), 3: ("Q3",), 4: ("Q4", "")}

# C0 controls other than tab and newline, and the two non-characters: not allowed in XML 1.0.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b-\x1f\x7f\ufffe\uffff]")


# --- the report context ------------------------------------------------------------------------

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


def _percent(value: float) -> str:
    return f"{format_number(value)}%"


def _unit(plan: Plan, key: str) -> str:
    if key == ALL_UNITS:
        return ALL_UNITS_TEXT
    return _clean(plan.units.get(key, key))


def _deadline_text(task: Task) -> str:
    if isinstance(task.deadline, Recurrence):
        return RECURRENCE_TEXT[task.deadline]
    return format_date(task.deadline)


def _task(plan: Plan, task: Task, cut: dt.date) -> dict:
    state = task_state(task, plan.plan.year, cut)
    last = state.last_entry
    notes = [e for e in task.progress if e.date <= cut and e.note.strip()]
    evidence = [_clause(e.text) for e in task.evidence if e.text.strip() and (e.date is None or e.date <= cut)]
    support = [_unit(plan, key) for key in task.support]
    return {
        "id": _clean(task.id),
        "title": _clause(task.title),
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
        "done_on": format_date(state.done_on) if state.done_on and state.done_on != dt.date.min else "",
        "last_note": _clause(notes[-1].note) if notes else "",
        "last_note_date": format_date(notes[-1].date) if notes else "",
        "last_update": format_date(last.date) if last else "",
        "evidence": evidence,
        "evidence_text": "; ".join(evidence),
        "due": "",
        "_done_on": state.done_on,
        "_state": state.state,
    }


def _public(task: dict) -> dict:
    return {k: v for k, v in task.items() if not k.startswith("_")}


def _group(number: int | str, title: str, tasks: list[dict], period: ReportPeriod, cut: dt.date) -> dict:
    done = [t for t in tasks if t["_state"] is State.done and t["_done_on"] and period.start <= t["_done_on"] <= cut]
    return {
        "number": number,
        "title": _clause(title),
        "total": len(tasks),
        "tasks": [_public(t) for t in tasks],
        "done": [_public(t) for t in done],
        "ongoing": [_public(t) for t in tasks if t["_state"] is State.in_progress],
        "late": [_public(t) for t in tasks if t["_state"] is State.late],
        "not_started": [_public(t) for t in tasks if t["_state"] is State.not_started],
    }


def _target_rows(plan: Plan, period: ReportPeriod) -> list[dict]:
    from .views import measured_value, target_goal

    keys = {f"{period.year}-{part}" if part else str(period.year) for part in _MEASUREMENT_KEYS[period.quarter]}
    rows = []
    for i, target in enumerate(plan.targets, start=1):
        found = [m for m in target.measurements if m.period in keys]
        m = found[-1] if found else None
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


def _next_tasks(plan: Plan, tasks: list[dict], by_id: dict[str, Task], period: ReportPeriod, cut: dt.date) -> dict:
    open_tasks = [t for t in tasks if t["_state"] is not State.done]
    if period.quarter == 4:
        return {"name": _next_name(period), "start": "", "end": "",
                "tasks": [_public(t) for t in open_tasks]}
    nxt = next_period(period)
    assert nxt is not None
    start, end = nxt.start, nxt.end
    if nxt.quarter == 4:
        # The annual report's cut-off (14/12) comes before the year-end deliverables: the last quarter's
        # work runs to 31/12.
        end = max(end, dt.date(period.year, 12, 31))
    listed = []
    for t in open_tasks:
        due = next((d for d in deliverables(by_id[t["id"]], plan.plan.year) if start <= d <= end), None)
        if due is not None:
            listed.append({**_public(t), "due": format_date(due)})
    return {"name": _next_name(period), "start": format_date(start), "end": format_date(end), "tasks": listed}


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
    with _VietnameseValues():
        return _build_context(plan, quarter, as_of, calendar)


def _build_context(plan: Plan, quarter: int, as_of: dt.date, calendar: bool) -> dict:
    info = plan.plan
    period = report_period(info.year, quarter, calendar)
    cut = min(period.end, as_of)

    all_tasks = plan.all_tasks()
    by_id = {nfc(t.id): t for t in all_tasks}
    facts = {t.id: _task(plan, t, cut) for t in all_tasks}
    areas = [_group(a.number, a.title, [facts[t.id] for t in a.tasks], period, cut) for a in plan.areas]
    duties = _group("III", "Tổ chức thực hiện", [facts[t.id] for t in plan.duties], period, cut)
    ordered = sorted(facts.values(), key=lambda t: task_sort_key(t["id"]))
    narrative = plan.narratives.get(period.key)
    fields = ("achievements", "shortcomings", "causes", "proposals")
    narrative_ctx: dict[str, Any] = {f: _paragraphs(getattr(narrative, f) if narrative else "") for f in fields}
    narrative_ctx["empty"] = not any(narrative_ctx[f] for f in fields)
    name = _clean(period.name)
    signer = info.signer

    return {
        "report": {
            "quarter": quarter,
            "key": period.key,
            "name": name,
            "name_upper": name.upper(),
            "calendar": calendar,
            "annual": quarter == 4,
            "year": info.year,
            "start": format_date(period.start),
            "end": format_date(period.end),
            "data_end": format_date(cut),
            "as_of": format_date(as_of),
            "date_long": _clean(format_date_long(as_of)),
        },
        "org": {
            "parent": _clean(info.parent),
            "parent_upper": _clean(info.parent).upper(),
            "issuer": _clean(info.issuer),
            "issuer_upper": _clean(info.issuer).upper(),
            "issuer_short": _clean(info.issuer_short),
            "place": _clean(info.place),
            "report_to": _clean(info.report_to),
        },
        "plan": {
            "title": _clause(info.title),
            "year": info.year,
            "number": _clean(info.number),
            "date": format_date(info.date) if info.date else "",
        },
        "signer": {
            "name": _clean(signer.name),
            "title": _clean(signer.title),
            "title_upper": _clean(signer.title).upper(),
            "authority": _clean(signer.authority),
            "authority_upper": _clean(signer.authority).upper(),
        },
        "recipients": _recipients(plan),
        "areas": areas,
        "duties": duties,
        "tasks": [_public(t) for t in ordered],
        "late_tasks": [_public(t) for t in ordered if t["_state"] is State.late],
        "targets": _target_rows(plan, period),
        "narrative": narrative_ctx,
        "next": _next_tasks(plan, ordered, by_id, period, cut),
        "submission": report_submission(plan, period, as_of),
    }


class _VietnameseValues:
    """Values that cchc formats through `_()` (period names, dates) stay Vietnamese whatever --lang says."""

    def __enter__(self):
        from . import i18n

        self._saved = (i18n._lang, i18n._translation)
        i18n.set_language("vi")

    def __exit__(self, *exc):
        from . import i18n

        i18n._lang, i18n._translation = self._saved
        return False


# --- finding the template --------------------------------------------------------------------------

def default_template() -> Path:
    """The template shipped with cchc: templates/ of a source checkout, else the installed package data."""
    import cchc

    source = Path(cchc.__file__).resolve().parent.parent / TEMPLATE_DIR / TEMPLATE_NAME
    if source.is_file():
        return source
    from importlib.resources import files

    return Path(str(files("cchc.templates") / TEMPLATE_NAME))


def find_template(explicit: str | os.PathLike | None = None, plan_path: str | os.PathLike | None = None) -> Path:
    """Which template to use: `--template`, else templates/bao-cao-cchc.docx beside the plan, else cchc's own."""
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise NotFound(_("không tìm thấy mẫu báo cáo {path}").format(path=path))
        return path
    if plan_path:
        beside = Path(plan_path).resolve().parent / TEMPLATE_DIR / TEMPLATE_NAME
        if beside.is_file():
            return beside
    return default_template()


def default_output(plan: Plan, quarter: int, calendar: bool = False) -> Path:
    suffix = "-lich" if calendar else ""
    return Path("reports") / f"bao-cao-cchc-{plan.plan.year}-q{quarter}{suffix}.docx"


# --- rendering -------------------------------------------------------------------------------------

def _environment():
    # Bounds on what a template may build or spend (cchc/sandbox.py), so a typo or a hostile
    # template cannot exhaust memory or time.
    from .sandbox import ReportEnvironment

    return ReportEnvironment()


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _template_line(exc: BaseException) -> int | None:
    lineno = getattr(exc, "lineno", None)
    if lineno:
        return lineno
    # Runtime errors carry no line; Jinja rewrites the traceback so template frames show theirs.
    tb, found = exc.__traceback__, None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            found = tb.tb_lineno
        tb = tb.tb_next
    return found


def _snippet(source: str | None, lineno: int | None) -> str:
    if not source or not lineno:
        return ""
    lines = re.sub(r"<w:p([ >])", r"\n<w:p\1", source).splitlines()
    if not 0 < lineno <= len(lines):
        return ""
    text = html.unescape(re.sub(r"<[^>]+>", "", lines[lineno - 1])).strip()
    return text if len(text) <= 90 else text[:87] + "…"


def _jinja_message(exc: BaseException) -> str:
    from jinja2 import TemplateSyntaxError, UndefinedError
    from jinja2.sandbox import SecurityError

    text = str(getattr(exc, "message", None) or exc)
    if isinstance(exc, UndefinedError):
        m = re.search(r"'([^']+)' is undefined", text)
        if m:
            return _("tên “{name}” không có trong dữ liệu báo cáo (xem danh sách tên trong templates/README.md)"
                     ).format(name=m[1])
        m = re.search(r"has no attribute '([^']+)'", text)
        if m:
            return _("dữ liệu báo cáo không có trường “{name}” (xem danh sách tên trong templates/README.md)"
                     ).format(name=m[1])
        return _("tên không có trong dữ liệu báo cáo: {detail}").format(detail=text)
    if isinstance(exc, TemplateSyntaxError):
        return _("lỗi cú pháp Jinja: {detail}").format(detail=text)
    if isinstance(exc, SecurityError):
        return _("mẫu dùng thao tác không được phép: {detail}").format(detail=text)
    return _("lỗi khi điền mẫu: {kind}: {detail}").format(kind=type(exc).__name__, detail=text)


def _render_docx(template: Path, context: dict, target: Path) -> None:
    from docxtpl import DocxTemplate
    from jinja2 import TemplateError

    class Template(DocxTemplate):
        # Keep the XML being rendered so a template error can quote the paragraph it is in.
        def render_xml_part(self, src_xml, part, context, jinja_env=None):
            self.cchc_source = (src_xml, getattr(part, "partname", ""))
            return super().render_xml_part(src_xml, part, context, jinja_env)

        def resolve_listing(self, xml):
            # Context values carry no tab, newline or other control character (see _clean), so
            # docxtpl's pass that turns them into Word breaks has nothing to do; it is the slowest
            # step on a large plan.
            return xml

    name = _display(template)
    tpl = Template(str(template))
    try:
        tpl.init_docx()
    except Exception as e:  # PackageNotFoundError, BadZipFile, lxml errors: an unreadable file all the same
        raise CchcError(_("{template}: không mở được mẫu báo cáo: không phải tệp Word .docx hợp lệ ({detail})").format(
            template=name, detail=e)) from None
    tpl.cchc_source = (None, "")
    try:
        tpl.render(context, jinja_env=_environment())
    except Exception as exc:
        from lxml.etree import XMLSyntaxError

        if isinstance(exc, XMLSyntaxError):
            raise CchcError(_("{template}: điền mẫu tạo ra văn bản Word hỏng ({detail}); kiểm tra mỗi dòng "
                              "{{%p …%}} đứng riêng một đoạn và mỗi {{%tr …%}} đứng riêng một hàng bảng").format(
                template=name, detail=exc)) from None
        line = _template_line(exc)
        if not isinstance(exc, TemplateError) and line is None:
            raise
        source, part = tpl.cchc_source
        where = f"{name}:{line}" if line else name
        if part and not str(part).endswith("/document.xml"):
            where += f" ({str(part).lstrip('/')})"
        snippet = _snippet(source, line)
        near = _(" — gần đoạn “{text}”").format(text=snippet) if snippet else ""
        raise CchcError(f"{where}: {_jinja_message(exc)}{near}") from None
    tpl.save(str(target))


@dataclass
class ReportResult:
    docx: Path
    template: Path
    context: dict
    pdf: Path | None = None
    warnings: list[str] = field(default_factory=list)


def render_report(plan: Plan, quarter: int, out_path: str | os.PathLike, template: str | os.PathLike | None = None,
                  as_of: dt.date | None = None, pdf: bool = False, calendar: bool = False,
                  force: bool = False) -> ReportResult:
    """Write report `quarter` of `plan` to `out_path` (.docx), and beside it a PDF if `pdf`.

    The file appears whole or not at all (`outputs.write_output`), and replaces an existing one
    only with `force`. Errors are CchcError with a one-line Vietnamese message.
    """
    from .outputs import check_output, write_output

    context = build_context(plan, quarter, as_of, calendar)
    template_path = Path(template) if template else default_template()
    if not template_path.is_file():
        raise NotFound(_("không tìm thấy mẫu báo cáo {path}").format(path=template_path))
    out = Path(out_path)
    if out.suffix.lower() != ".docx":
        raise UsageError(_("tệp báo cáo phải có đuôi .docx: {path} (dùng --pdf để có thêm bản PDF)").format(path=out))
    if pdf:
        check_output(out.with_suffix(".pdf"), force=force)
    write_output(out, lambda tmp: _render_docx(template_path, context, tmp), force=force)
    result = ReportResult(out, template_path, context)
    if context["narrative"]["empty"]:
        result.warnings.append(_(
            "phần đánh giá của kỳ {key} (narratives › {key} trong tệp kế hoạch) còn trống: báo cáo có các chỗ "
            "đánh dấu [Chưa có nội dung…] cần viết trước khi trình ký").format(key=context["report"]["key"]))
    if pdf:
        result.pdf = convert_to_pdf(out, force=force)
    return result


# --- PDF -----------------------------------------------------------------------------------------------

PDF_TIMEOUT = 180  # seconds; a first start of LibreOffice with a fresh profile takes a while


def find_soffice() -> str | None:
    """LibreOffice's command: $CCHC_SOFFICE, `soffice`/`libreoffice` on PATH, or the usual install folders."""
    explicit = os.environ.get("CCHC_SOFFICE")
    if explicit:
        return explicit if Path(explicit).is_file() or shutil.which(explicit) else None
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    candidates = []
    if sys.platform == "win32":
        for var in ("PROGRAMFILES", "PROGRAMFILES(X86)"):
            base = os.environ.get(var)
            if base:
                candidates.append(Path(base) / "LibreOffice" / "program" / "soffice.exe")
    elif sys.platform == "darwin":
        candidates.append(Path("/Applications/LibreOffice.app/Contents/MacOS/soffice"))
    return next((str(c) for c in candidates if c.is_file()), None)


def convert_to_pdf(docx_path: str | os.PathLike, timeout: int = PDF_TIMEOUT, force: bool = False) -> Path:
    """Convert a .docx to PDF beside it with LibreOffice headless; returns the PDF's path."""
    from .outputs import check_output, write_output

    docx_path = Path(docx_path)
    soffice = find_soffice()
    if soffice is None:
        raise CchcError(_(
            "đã ghi {path} nhưng chưa xuất được PDF vì máy chưa có LibreOffice (soffice); "
            "cài LibreOffice: sudo apt install libreoffice-writer (Linux) / tải tại libreoffice.org (Windows, macOS)"
        ).format(path=docx_path))
    target = check_output(docx_path.with_suffix(".pdf"), force=force)
    with tempfile.TemporaryDirectory(prefix="cchc-pdf-") as work:
        # A private profile: LibreOffice refuses to run twice on one profile, e.g. while the user has it open.
        profile = Path(work) / "profile"
        outdir = Path(work) / "out"
        command = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                   "--nologo", "--convert-to", "pdf", "--outdir", str(outdir), str(docx_path.resolve())]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                                  stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise CchcError(_("LibreOffice không chuyển xong {path} sang PDF sau {seconds} giây").format(
                path=docx_path, seconds=timeout)) from None
        except OSError as e:
            raise CchcError(_("không chạy được LibreOffice ({command}): {detail}").format(
                command=soffice, detail=e.strerror or e)) from None
        produced = outdir / (docx_path.stem + ".pdf")
        if not produced.is_file():
            detail = (done.stderr or done.stdout or "").strip().splitlines()
            raise CchcError(_("LibreOffice không chuyển được {path} sang PDF").format(path=docx_path)
                            + (f": {detail[-1]}" if detail else ""))
        # Copied next to the target first so the final move is atomic even across file systems.
        return write_output(target, lambda tmp: shutil.copyfile(produced, tmp), force=force)
