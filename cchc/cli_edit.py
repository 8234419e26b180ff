"""Commands that change the plan: update, done, evidence add, kpi record, note, reopen.

Each is a thin layer over `cchc.edit`: it finds the plan, calls one function, and prints on stderr
the one line saying what changed and how to review it. Refusals are CchcError (exit 1, the file
unchanged); a malformed command line is a usage error (exit 2).

The plan is chosen with `--plan` (or $CCHC_PLAN, or the only plan_*.yaml of the folder), an
evidence file with `--attach` (`--file` still works for one release, see `cmdoptions.RENAMED_OPTIONS`).
"""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from .cmdoptions import (AttachOpt, DateOpt, OutsideOkOpt, PeriodOpt, PlanOpt, QuarterOpt, open_plan, period_choice,
                         plan_path)
from .completion import complete_target_id, complete_task_id
from .diagnostics import CchcError, UsageError
from .i18n import _


ByOpt = Annotated[Optional[str], typer.Option(
    "--by", metavar=_("TÊN"), help=_("Người ghi; mặc định tên trong git config user.name, rồi tên đăng nhập."),
    show_default=False)]
AmendOpt = Annotated[Optional[str], typer.Option(
    "--amend-submitted", metavar=_("LÝ_DO"), help=_(
        "Sửa số liệu của kỳ đã nộp báo cáo (cchc submit); lý do được ghi lại và hiện trong cchc check và báo cáo "
        "kỳ sau."), show_default=False)]
TaskArg = Annotated[str, typer.Argument(metavar=_("MÃ"), help=_("Mã nhiệm vụ, ví dụ 3.đ hoặc III.2."),
                                        autocompletion=complete_task_id, show_default=False)]


def _report(write, amend: Optional[str]) -> None:
    """Run `write()` (allowed to change a submitted report's data when `amend` gives a reason) and say what it did."""
    from . import output
    from .submissions import amending

    with amending(amend):
        result = write()
    for warning in result.warnings:
        output.message(warning)
    output.message(result.line())


def update(
    task_id: TaskArg,
    percent: Annotated[str, typer.Option("--percent", metavar=_("PHẦN_TRĂM"), help=_("Phần trăm hoàn thành, từ 0 đến 100."),
                                         show_default=False)],
    note: Annotated[str, typer.Option("--note", "-m", metavar=_("GHI_CHÚ"), help=_("Ghi chú ngắn về công việc đã làm."))] = "",
    date: DateOpt = None,
    by: ByOpt = None,
    amend_submitted: AmendOpt = None,
    plan: PlanOpt = None,
) -> None:
    """Ghi tiến độ của một nhiệm vụ (thêm một dòng có ngày vào nhật ký tiến độ)."""
    from .edit import record_progress

    _report(lambda: record_progress(plan_path(plan), task_id, percent, note=note, date=date, by=by), amend_submitted)


def done(
    task_id: TaskArg,
    evidence: Annotated[Optional[str], typer.Option(
        "--evidence", "-e", metavar=_("VĂN_BẢN"), help=_("Tài liệu kiểm chứng như trên văn bản, ví dụ “Báo cáo số …/BC-… ngày "
                                   "dd/mm/yyyy”."), show_default=False)] = None,
    attach: AttachOpt = None,
    no_evidence: Annotated[bool, typer.Option(
        "--no-evidence", help=_("Đánh dấu hoàn thành khi chưa có tài liệu kiểm chứng (cchc check sẽ nhắc)."))] = False,
    note: Annotated[str, typer.Option("--note", "-m", metavar=_("GHI_CHÚ"), help=_("Ghi chú."))] = "",
    date: DateOpt = None,
    by: ByOpt = None,
    amend_submitted: AmendOpt = None,
    plan: PlanOpt = None,
    outside_ok: OutsideOkOpt = False,
) -> None:
    """Đánh dấu một nhiệm vụ đã hoàn thành, kèm tài liệu kiểm chứng."""
    from .edit import mark_done

    _report(lambda: mark_done(plan_path(plan), task_id, evidence=evidence, file=attach, date=date, by=by,
                              no_evidence=no_evidence, note=note, outside_ok=outside_ok), amend_submitted)


def evidence_add(
    task_id: TaskArg,
    text: Annotated[str, typer.Argument(metavar=_("NỘI_DUNG"), help=_(
        "Tài liệu kiểm chứng: loại, số, ngày, trích yếu như trên văn bản."), show_default=False)],
    attach: AttachOpt = None,
    amend_submitted: AmendOpt = None,
    plan: PlanOpt = None,
    outside_ok: OutsideOkOpt = False,
) -> None:
    """Thêm tài liệu kiểm chứng cho một nhiệm vụ."""
    from .edit import add_evidence

    _report(lambda: add_evidence(plan_path(plan), task_id, text, file=attach, outside_ok=outside_ok), amend_submitted)


def kpi_record(
    target_id: Annotated[str, typer.Argument(metavar=_("MÃ_CHỈ_TIÊU"), help=_("Mã chỉ tiêu, ví dụ hai-long."),
                                             autocompletion=complete_target_id, show_default=False)],
    value: Annotated[str, typer.Argument(metavar=_("GIÁ_TRỊ"), help=_("Kết quả đo, ví dụ 88,2."), show_default=False)],
    period: PeriodOpt = None,
    quarter: QuarterOpt = None,
    source: Annotated[str, typer.Option("--source", metavar=_("NGUỒN"), help=_("Nguồn số liệu."))] = "",
    note: Annotated[str, typer.Option("--note", "-m", metavar=_("GHI_CHÚ"), help=_("Ghi chú."))] = "",
    replace: Annotated[bool, typer.Option("--replace", help=_("Thay kết quả đã ghi của kỳ này."))] = False,
    amend_submitted: AmendOpt = None,
    plan: PlanOpt = None,
) -> None:
    """Ghi kết quả đo của một chỉ tiêu cho một kỳ báo cáo."""
    from .edit import record_measurement

    chosen = _required_period(period, quarter)
    _report(lambda: record_measurement(plan_path(plan), target_id, value, chosen, source=source, note=note,
                                       replace=replace), amend_submitted)


def note(
    section: Annotated[str, typer.Option("--section", metavar=_("PHẦN"), help=_(
        "Phần: achievements (uu-diem), shortcomings (han-che), causes (nguyen-nhan), proposals (de-xuat)."),
        show_default=False)],
    text: Annotated[Optional[str], typer.Argument(metavar=_("[NỘI_DUNG]"), help=_(
        "Nội dung; bỏ trống để sửa trong trình soạn thảo ($VISUAL, $EDITOR); - để đọc từ đầu vào chuẩn."),
        show_default=False)] = None,
    period: PeriodOpt = None,
    quarter: QuarterOpt = None,
    amend_submitted: AmendOpt = None,
    plan: PlanOpt = None,
) -> None:
    """Viết phần tự đánh giá của báo cáo định kỳ: ưu điểm, hạn chế, nguyên nhân, đề xuất."""
    import sys

    from . import output
    from .edit import SectionChanged, narrative_text, parse_section, set_narrative

    path = plan_path(plan)
    period = _required_period(period, quarter)
    parse_section(section)
    if text == "-":
        text = sys.stdin.read()
    elif text is None:
        # The guard spans the whole session: what the section said when the editor opened must
        # still be there when the text is written (set_narrative re-reads the plan under its lock).
        loaded = open_plan(str(path))
        current = narrative_text(loaded.plan, period, section)
        typed = edit_in_editor(current)
        if typed is None:
            output.message(_("Không có thay đổi (trình soạn thảo đóng mà không lưu)."))
            return
        try:
            _report(lambda: set_narrative(path, period, section, typed, expected=current,
                                          read_sha256=loaded.doc.sha256), amend_submitted)
        except SectionChanged as e:
            kept = keep_typed_text(path, period, section, typed)
            raise SectionChanged(_("{reason}. Nội dung vừa gõ được giữ trong {kept}; xem lại rồi chạy lại lệnh").format(
                reason=e, kept=kept)) from None
        return
    _report(lambda: set_narrative(path, period, section, text), amend_submitted)


def _required_period(period: Optional[str], quarter: Optional[int]) -> str:
    chosen = period_choice(period, quarter)
    if chosen is None:
        raise UsageError(_("cần chọn kỳ: --period (ví dụ Q1, NĂM-Q1, NĂM-H1) hoặc --quarter 1 … 4"))
    return chosen


def keep_typed_text(plan_file, period: str, section: str, text: str):
    """Save text typed in an editor session that could not be written, beside the plan; its path."""
    from .edit import parse_section
    from .outputs import write_output

    folder = plan_file.parent
    for n in range(1, 1000):
        name = f"cchc-note-{period}-{parse_section(section)}" + (f"-{n}" if n > 1 else "") + ".txt"
        try:
            return write_output(folder / name, text.encode("utf-8"))
        except CchcError:
            if not (folder / name).exists():
                raise
    raise CchcError(_("không giữ được nội dung vừa gõ trong {folder}").format(folder=folder))


def reopen(
    task_id: TaskArg,
    reason: Annotated[str, typer.Option("--reason", metavar=_("LÝ_DO"), help=_("Lý do mở lại (ghi vào nhật ký tiến độ)."),
                                        show_default=False)],
    percent: Annotated[Optional[str], typer.Option(
        "--percent", metavar=_("PHẦN_TRĂM"), help=_("Tiến độ sau khi mở lại; mặc định tiến độ trước khi hoàn thành."),
        show_default=False)] = None,
    date: DateOpt = None,
    by: ByOpt = None,
    amend_submitted: AmendOpt = None,
    plan: PlanOpt = None,
) -> None:
    """Mở lại một nhiệm vụ đã hoàn thành (giữ lại trong nhật ký)."""
    from .edit import reopen as reopen_task

    _report(lambda: reopen_task(plan_path(plan), task_id, reason, date=date, by=by, percent=percent),
            amend_submitted)


def edit_in_editor(current: str) -> str | None:
    """Open $VISUAL / $EDITOR on `current`; the saved text, or None if the file was not saved."""
    import os
    import shlex
    import subprocess
    import tempfile

    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or ("notepad" if os.name == "nt" else "vi")
    fd, name = tempfile.mkstemp(prefix="cchc-", suffix=".txt")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(current + ("\n" if current else ""))
        before = os.stat(name).st_mtime_ns
        try:
            code = subprocess.call([*shlex.split(editor, posix=os.name != "nt"), name])
        except OSError as e:
            raise CchcError(_("không mở được trình soạn thảo “{editor}” ({reason}); đặt biến VISUAL hoặc EDITOR, "
                              "hoặc ghi nội dung ngay trên dòng lệnh").format(editor=editor, reason=e.strerror)) from None
        if code != 0:
            raise CchcError(_("trình soạn thảo “{editor}” kết thúc với mã {code}; không ghi gì").format(
                editor=editor, code=code))
        with open(name, encoding="utf-8") as f:
            text = f.read()
        if os.stat(name).st_mtime_ns == before and text.rstrip("\n") == current:
            return None
        return text
    finally:
        try:
            os.unlink(name)
        except OSError:
            pass


# `cchc kpi record …`, run by the `kpi` command when its first word is `record` (see `_with_record`).
KPI_RECORD = typer.Typer(add_completion=False)
KPI_RECORD.command("record")(kpi_record)


def register(app) -> None:
    """Add update, done, evidence add, kpi record, note and reopen to the Typer `app`."""
    app.command("update")(update)
    app.command("done")(done)
    app.command("note")(note)
    app.command("reopen")(reopen)

    evidence_app = typer.Typer(help=_("Tài liệu kiểm chứng của nhiệm vụ."), no_args_is_help=True)
    evidence_app.command("add")(evidence_add)
    app.add_typer(evidence_app, name="evidence")

    existing = next((c for c in app.registered_commands if c.name == "kpi"), None)
    if existing is None:
        kpi_app = typer.Typer(help=_("Các chỉ tiêu của kế hoạch."), no_args_is_help=True)
        kpi_app.command("record")(kpi_record)
        app.add_typer(kpi_app, name="kpi")
    else:
        # `cchc kpi [ID]` lists targets (cli_query); `cchc kpi record …` is dispatched here.
        from typer.core import TyperCommand

        existing.cls = _with_record(existing.cls or TyperCommand, KPI_RECORD)
        existing.epilog = (existing.epilog + "\n\n" if existing.epilog else "") + _(
            "Ghi kết quả đo: cchc kpi record MÃ_CHỈ_TIÊU GIÁ_TRỊ --quarter 1 (hoặc --period NĂM-H1, NĂM) [--source …] [--replace]")


def _with_record(base: type, record_app) -> type:
    """A `kpi` command class that runs `kpi record …` when its first argument is `record`."""

    class KpiCommand(base):
        def parse_args(self, ctx, args):
            if args and args[0] == "record":
                ctx.meta["cchc.kpi.record"] = list(args[1:])
                return []
            return super().parse_args(ctx, args)

        def invoke(self, ctx):
            rest = ctx.meta.pop("cchc.kpi.record", None)
            if rest is None:
                return super().invoke(ctx)
            from .clihelp import localize

            command = localize(typer.main.get_command(record_app))
            # Usage lines read `cchc kpi record …`, without the listing's [ID].
            with command.make_context(f"{ctx.info_name} record", rest, parent=ctx.parent) as sub:
                return command.invoke(sub)

    return KpiCommand
