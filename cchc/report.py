"""The periodic CCHC report rendered: a Word template filled with the report context, and its PDF.

`report_context.build_context` computes what the report says (pure data); this module only finds the
template, fills it with docxtpl inside Jinja's immutable sandbox, with autoescaping (a note with `&`
or `<` cannot break the document's XML) and undefined names as errors, writes the file atomically and
converts it to PDF with LibreOffice. docx, docxtpl and jinja2 are imported only inside the functions
that need them, so importing this module is cheap.
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

from .diagnostics import CchcError, NotFound, UsageError
from .i18n import _
from .model import Plan
from .report_context import build_context
from .report_gaps import Gap, report_gaps

__all__ = ["ReportResult", "build_context", "convert_to_pdf", "default_output", "default_template",
           "find_soffice", "find_template", "render_report"]

TEMPLATE_NAME = "bao-cao-cchc.docx"
TEMPLATE_DIR = "templates"


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
    gaps: list[Gap] = field(default_factory=list)  # what the report lacks, one warning line each

    @property
    def warnings(self) -> list[str]:
        """The gaps as sentences, one each (the web page shows them under "Lưu ý")."""
        return [g.message for g in self.gaps]


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
    result.gaps = report_gaps(plan, quarter, as_of or dt.date.today(), calendar)
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
