"""`cchc report`: the periodic CCHC report as a Word document (and PDF), from the plan and a template."""

# No `from __future__ import annotations`: Typer reads the option annotations at run time, and the
# shared options (PlanOpt…) are local names of `register`.

from typing import Annotated, Optional

import typer

from .diagnostics import CchcError
from .i18n import _


def register(app: typer.Typer) -> None:
    # cchc.cli imports this module while it is being set up: take its shared options here, not at top.
    from . import output
    from .cli import AsOfOpt, PlanOpt, as_of_date, open_plan

    @app.command()
    def report(
        quarter: Annotated[Optional[int], typer.Option(
            "--quarter", "-q", show_default=False,
            help=_("Kỳ báo cáo: 1 quý I, 2 sáu tháng đầu năm, 3 quý III, 4 cả năm."))] = None,
        calendar: Annotated[bool, typer.Option(
            "--calendar", help=_("Dùng quý theo lịch (01/01-31/3…) thay cho kỳ số liệu 15/12-14/3… của Bộ Nội vụ."))
        ] = False,
        file: PlanOpt = None,
        as_of: AsOfOpt = None,
        out: Annotated[Optional[str], typer.Option(
            "--output", "-o", show_default=False,
            help=_("Tệp .docx cần ghi (mặc định reports/bao-cao-cchc-NĂM-qN.docx)."))] = None,
        template: Annotated[Optional[str], typer.Option(
            "--template", show_default=False,
            help=_("Mẫu Word riêng (mặc định: templates/bao-cao-cchc.docx cạnh tệp kế hoạch, rồi mẫu của cchc)."))
        ] = None,
        pdf: Annotated[bool, typer.Option("--pdf", help=_("Ghi thêm bản PDF (cần LibreOffice)."))] = False,
        strict: Annotated[bool, typer.Option(
            "--strict", help=_("Thoát mã 1 nếu báo cáo còn thiếu gì (mỗi chỗ thiếu một dòng cảnh báo), cho CI."))
        ] = False,
        show_context: Annotated[bool, typer.Option(
            "--context", help=_("In dữ liệu điền vào mẫu (các tên dùng được trong mẫu) dạng JSON, không ghi tệp."))
        ] = False,
    ) -> None:
        """Lập báo cáo định kỳ công tác CCHC (quý I, 6 tháng, quý III, năm) thành tệp Word sẵn sàng trình ký."""
        from .report import build_context, default_output, find_template, render_report

        if quarter is None:
            raise CchcError(_("cần chọn kỳ báo cáo: --quarter 1, 2, 3 hoặc 4"), exit_code=2)
        if quarter not in (1, 2, 3, 4):
            raise CchcError(_("--quarter phải là 1, 2, 3 hoặc 4, không phải {n}").format(n=quarter), exit_code=2)
        day = as_of_date(as_of)
        loaded = open_plan(file)
        plan = loaded.plan
        if show_context:
            output.print_json(build_context(plan, quarter, day, calendar))
            return
        chosen = find_template(template, loaded.path)
        target = out or default_output(plan, quarter, calendar)
        result = render_report(plan, quarter, target, template=chosen, as_of=day, pdf=pdf, calendar=calendar)
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
