"""`cchc submit`: record a signed and sent report, closing its period; `--verify` proves it still holds.

A thin layer over `cchc.submit` (recording, git, verification) and `cchc.submissions` (the rules).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Optional

import typer

from . import output
from .cmdoptions import (JsonOpt, PeriodOpt, PlanOpt, QuarterOpt, display_path, open_plan, parse_date_option,
                         report_quarter)
from .diagnostics import Refused, UsageError
from .i18n import _


def submit(
    quarter: QuarterOpt = None,
    period: PeriodOpt = None,
    number: Annotated[Optional[str], typer.Option(
        "--number", "-n", metavar=_("SỐ"), help=_("Số, ký hiệu của báo cáo, ví dụ 45/BC-SKHCN."),
        show_default=False)] = None,
    date: Annotated[Optional[dt.date], typer.Option(
        "--date", "-d", metavar=_("NGÀY"), parser=parse_date_option, show_default=False,
        help=_("Ngày nộp (dd/mm/yyyy hoặc yyyy-mm-dd); mặc định hôm nay."))] = None,
    attach: Annotated[Optional[str], typer.Option(
        "--attach", metavar=_("TỆP"), help=_("Bản đã ký (PDF); tệp ngoài thư mục kế hoạch được chép vào "
                                          "bao-cao-da-nop/ cạnh tệp kế hoạch."), show_default=False)] = None,
    commit: Annotated[bool, typer.Option(
        "--commit", help=_("Commit kế hoạch (và bản đã ký) rồi gắn thẻ git bao-cao-NĂM-qN."))] = False,
    by: Annotated[Optional[str], typer.Option(
        "--by", metavar=_("TÊN"), help=_("Người ghi; mặc định tên trong git config user.name, rồi tên đăng nhập."),
        show_default=False)] = None,
    verify: Annotated[bool, typer.Option(
        "--verify", help=_("Kiểm chứng các báo cáo đã nộp: số liệu của kỳ đã nộp có bị sửa không, bản đã ký "
                           "còn nguyên không."))] = False,
    plan: PlanOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Ghi báo cáo định kỳ đã ký và gửi đi; từ đó số liệu của kỳ đó không sửa được nữa nếu không ghi lý do."""
    if verify:
        if any(v is not None for v in (quarter, period, number, date, attach, by)) or commit:
            raise UsageError(_("--verify không đi cùng --quarter, --period, --number, --date, --attach, --by, "
                               "--commit"))
        _verify(plan, json_out)
        return
    if number is None:
        raise UsageError(_("cần số của báo cáo đã nộp: --number “SỐ/BC-…”, ví dụ: cchc submit --quarter 1 "
                           "--number SỐ/BC-… --date dd/mm/yyyy"))
    from .submit import record_submission

    loaded = open_plan(plan)  # the plan's year says which report --period names; an invalid plan stops here
    report = report_quarter(period, quarter, loaded.plan.plan.year)
    result = record_submission(loaded.path, report, number, date=date, attach=attach, by=by, commit=commit)
    if json_out:
        output.print_json({"summary": result.summary, "file": str(result.path), "tag": result.tag or None,
                           "commit": result.commit or None})
        return
    output.message(result.line())


def _verify(plan: Optional[str], json_out: bool) -> None:
    from .cli_query import print_findings
    from .finding_codes import ERROR
    from .submit import UNVERIFIABLE, verify_submissions

    loaded = open_plan(plan)
    where = display_path(loaded.path)
    if not loaded.plan.submissions:
        raise Refused(_("{path}: chưa có báo cáo nào được ghi là đã nộp (cchc submit --quarter N --number …)")
                      .format(path=where))
    findings = sorted(verify_submissions(loaded), key=lambda d: (d.line, d.column, d.code))
    print_findings(findings, where, json_out)
    if not json_out:
        errors = sum(d.severity == ERROR for d in findings)
        unverified = sum(d.code == UNVERIFIABLE for d in findings)
        if errors:
            output.message(_("{path}: {n} chỗ khác với các báo cáo đã nộp").format(path=where, n=errors))
        elif unverified:
            output.message(_("{path}: {n} báo cáo đã nộp chưa kiểm chứng được").format(path=where, n=unverified))
        else:
            output.message(_("{path}: {n} báo cáo đã nộp khớp với kế hoạch hiện tại").format(
                path=where, n=len(loaded.plan.submissions)))
    if any(d.severity == ERROR for d in findings):
        raise typer.Exit(1)


def register(app) -> None:
    """Add `submit` to the Typer `app`."""
    app.command("submit")(submit)
