"""`cchc report`: the periodic CCHC report as a Word document (and PDF), from the plan and a template."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from . import output
from .cmdoptions import AsOfOpt, ForceOpt, PeriodOpt, PlanOpt, QuarterOpt, plan_on, report_quarter
from .i18n import _


def report(
    quarter: QuarterOpt = None,
    period: PeriodOpt = None,
    calendar: Annotated[bool, typer.Option(
        "--calendar", help=_("Dùng quý theo lịch (01/01-31/3…) thay cho kỳ số liệu 15/12-14/3… của Bộ Nội vụ."))
    ] = False,
    plan: PlanOpt = None,
    as_of: AsOfOpt = None,
    out: Annotated[Optional[str], typer.Option(
        "--output", "-o", metavar=_("TỆP"), show_default=False,
        help=_("Tệp .docx cần ghi (mặc định reports/bao-cao-cchc-NĂM-qN.docx)."))] = None,
    template: Annotated[Optional[str], typer.Option(
        "--template", metavar=_("TỆP"), show_default=False,
        help=_("Mẫu Word riêng (mặc định: templates/bao-cao-cchc.docx cạnh tệp kế hoạch, rồi mẫu của cchc)."))
    ] = None,
    pdf: Annotated[bool, typer.Option("--pdf", help=_("Ghi thêm bản PDF (cần LibreOffice)."))] = False,
    strict: Annotated[bool, typer.Option(
        "--strict", help=_("Thoát mã 1 nếu báo cáo còn thiếu gì (mỗi chỗ thiếu một dòng cảnh báo), cho CI."))
    ] = False,
    json_out: Annotated[bool, typer.Option(
        "--json", help=_("In dữ liệu điền vào mẫu (các tên dùng được trong mẫu) dạng JSON, không ghi tệp."))
    ] = False,
    force: ForceOpt = False,
) -> None:
    """Lập báo cáo định kỳ công tác CCHC (quý I, 6 tháng, quý III, năm) thành tệp Word sẵn sàng trình ký."""
    from .report import build_context, default_output, find_template, render_report

    loaded, day = plan_on(plan, as_of)
    the_plan = loaded.plan
    chosen_quarter = report_quarter(period, quarter, the_plan.plan.year)
    if json_out:
        output.print_json(build_context(the_plan, chosen_quarter, day, calendar))
        return
    chosen = find_template(template, loaded.path)
    target = out or default_output(the_plan, chosen_quarter, calendar)
    result = render_report(the_plan, chosen_quarter, target, template=chosen, as_of=day, pdf=pdf, calendar=calendar,
                           force=force)
    name = result.context["report"]["name"]
    output.message(_("Đã ghi báo cáo {name}: {path}").format(name=name, path=result.docx))
    typer.echo(str(result.docx))
    if result.pdf:
        output.message(_("Đã ghi bản PDF: {path}").format(path=result.pdf))
        typer.echo(str(result.pdf))
    for gap in result.gaps:
        output.message(_("Lưu ý [{code}]: {text}").format(code=gap.code, text=gap.message))
    if strict and result.gaps:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command()(report)
