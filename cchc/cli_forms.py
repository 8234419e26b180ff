"""Commands for unit update forms: `cchc forms` writes them (or reminders), `cchc collect` reads them back.

Thin wrappers over `cchc.forms` and `cchc.collect`; openpyxl is imported only when they run.
"""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from . import output
from .cli_edit import AmendOpt
from .cmdoptions import AsOfOpt, PeriodOpt, PlanOpt, QuarterOpt, open_plan, period_choice, plan_on
from .completion import complete_unit
from .diagnostics import NotFound, UsageError
from .i18n import _


def forms(
    unit: Annotated[Optional[list[str]], typer.Option(
        "--unit", "-u", metavar=_("MÃ_ĐƠN_VỊ"), autocompletion=complete_unit, show_default=False,
        help=_("Mã đơn vị (lặp lại để chọn nhiều đơn vị); mặc định mọi đơn vị có nhiệm vụ."))] = None,
    period: PeriodOpt = None,
    quarter: QuarterOpt = None,
    out_dir: Annotated[str, typer.Option(
        "--output", "-o", metavar=_("THƯ_MỤC"), help=_("Thư mục ghi biểu mẫu."))] = "bieu-mau",
    force: Annotated[bool, typer.Option("--force", help=_("Ghi đè biểu mẫu đã có."))] = False,
    remind: Annotated[bool, typer.Option(
        "--remind", help=_("Không ghi biểu mẫu: in lời nhắc cho từng đơn vị (dán vào thư điện tử)."))] = False,
    as_of: AsOfOpt = None,
    plan: PlanOpt = None,
) -> None:
    """Ghi biểu mẫu cập nhật tiến độ (.xlsx) cho từng đơn vị, hoặc in lời nhắc trước ngày chốt số liệu."""
    from .forms import reminder_text, reminders, write_forms

    loaded, day = plan_on(plan, as_of)
    chosen = period_choice(period, quarter)
    if remind:
        found = reminders(loaded.plan, day, unit, chosen)
        typer.echo(("\n\n" + "-" * 40 + "\n\n").join(reminder_text(r) for r in found), nl=bool(found))
        if not found:
            output.message(_("Không có đơn vị nào cần nhắc."))
        return
    written, skipped = write_forms(loaded, unit, chosen, out_dir, force=force, as_of=day)
    for form in written:
        output.message(_("Đã ghi {path}: {tasks} nhiệm vụ, {targets} chỉ tiêu").format(
            path=form.path, tasks=form.tasks, targets=form.targets))
    if skipped:
        output.message(_("Không ghi biểu mẫu cho đơn vị không có nhiệm vụ chưa hoàn thành: {units}").format(
            units=", ".join(skipped)))


def collect(
    files: Annotated[list[str], typer.Argument(
        metavar=_("TỆP.xlsx"), help=_("Biểu mẫu các đơn vị gửi lại."), show_default=False)],
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help=_("Chỉ in những gì sẽ thay đổi (như cchc diff), không ghi gì."))] = False,
    amend_submitted: AmendOpt = None,
    plan: PlanOpt = None,
) -> None:
    """Thu biểu mẫu các đơn vị gửi lại: ghi từng dòng đã điền vào kế hoạch, mỗi biểu mẫu một lần ghi."""
    from .collect import FormRefused, collect_form
    from .diagnostics import CchcError
    from .submissions import amending

    target = open_plan(plan).path  # an invalid plan is reported, with its findings, before any form is read
    refused = False
    for name in files:
        try:
            with amending(amend_submitted):
                result = collect_form(target, name, dry_run=dry_run)
        except FormRefused as e:
            refused = True
            for line in e.lines:
                output.message(line)
            output.message(_("{file}: không ghi gì từ biểu mẫu này").format(file=name))
            continue
        except (UsageError, NotFound):
            raise
        except CchcError as e:
            refused = True
            output.message(_("{file}: {message}").format(file=name, message=e))
            continue
        _say(result, name, target, dry_run)
    if refused:
        raise typer.Exit(1)


def _say(result, name: str, target, dry_run: bool) -> None:
    """What collecting one form did: the changes on stdout (as `cchc diff`), the outcome on stderr."""
    from .edit import EditResult
    from .periods import format_date

    if result.already is not None:
        output.message(_("{file}: biểu mẫu {id} đã được thu ngày {date}; lần này không ghi thêm gì").format(
            file=name, id=result.form_id, date=format_date(result.already.date)))
    elif not result.changed:
        output.message(_("{file}: biểu mẫu {id} chưa có dòng nào được điền; không ghi gì").format(
            file=name, id=result.form_id))
    else:
        for warning in result.warnings:
            output.message(warning)
        for line in result.lines:
            typer.echo(line)
        if dry_run:
            output.message(_("{file}: chạy thử, chưa ghi gì vào {plan}").format(file=name, plan=target.name))
        else:
            output.message(EditResult(target, _("Đã ghi {rows} dòng của biểu mẫu {id}").format(
                rows=result.rows, id=result.form_id)).line())


def register(app: typer.Typer) -> None:
    app.command()(forms)
    app.command()(collect)
