"""`cchc submit`: record a signed and sent report, closing its period; `--verify` proves it still holds.

A thin layer over `cchc.submit` (recording, git, verification) and `cchc.submissions` (the rules).
"""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from . import output
from .cli import JsonOpt, PlanOpt, open_plan, plan_path
from .diagnostics import CchcError
from .i18n import _


def submit(
    quarter: Annotated[Optional[int], typer.Option(
        "--quarter", "-q", help=_("Kỳ báo cáo đã nộp: 1 quý I, 2 sáu tháng đầu năm, 3 quý III, 4 cả năm."),
        show_default=False)] = None,
    number: Annotated[Optional[str], typer.Option(
        "--number", "-n", metavar="SỐ", help=_("Số, ký hiệu của báo cáo, ví dụ 45/BC-SKHCN."),
        show_default=False)] = None,
    date: Annotated[Optional[str], typer.Option(
        "--date", "-d", metavar="NGÀY", help=_("Ngày nộp (dd/mm/yyyy hoặc yyyy-mm-dd); mặc định hôm nay."),
        show_default=False)] = None,
    attach: Annotated[Optional[str], typer.Option(
        "--attach", metavar="TỆP", help=_("Bản đã ký (PDF); tệp ngoài thư mục kế hoạch được chép vào "
                                          "bao-cao-da-nop/ cạnh tệp kế hoạch."), show_default=False)] = None,
    commit: Annotated[bool, typer.Option(
        "--commit", help=_("Commit kế hoạch (và bản đã ký) rồi gắn thẻ git bao-cao-NĂM-qN."))] = False,
    by: Annotated[Optional[str], typer.Option(
        "--by", metavar="TÊN", help=_("Người ghi; mặc định tên trong git config user.name, rồi tên đăng nhập."),
        show_default=False)] = None,
    verify: Annotated[bool, typer.Option(
        "--verify", help=_("Kiểm chứng các báo cáo đã nộp: số liệu của kỳ đã nộp có bị sửa không, bản đã ký "
                           "còn nguyên không."))] = False,
    file: PlanOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Ghi báo cáo định kỳ đã ký và gửi đi; từ đó số liệu của kỳ đó không sửa được nữa nếu không ghi lý do."""
    if verify:
        if any(v is not None for v in (quarter, number, date, attach, by)) or commit:
            raise CchcError(_("--verify không đi cùng --quarter, --number, --date, --attach, --by, --commit"),
                            exit_code=2)
        _verify(file, json_out)
        return
    if quarter is None or number is None:
        raise CchcError(_("cần --quarter N và --number “SỐ/BC-…”, ví dụ: cchc submit --quarter 1 "
                          "--number 45/BC-SKHCN --date 15/03/2023"), exit_code=2)
    from .submit import record_submission

    result = record_submission(plan_path(file), quarter, number, date=date, attach=attach, by=by, commit=commit)
    if json_out:
        output.print_json({"summary": result.summary, "file": str(result.path), "tag": result.tag or None,
                           "commit": result.commit or None})
        return
    output.message(result.line())


def _verify(file: Optional[str], json_out: bool) -> None:
    from .checks import ERROR
    from .cli_query import display_path, print_findings
    from .submit import UNVERIFIABLE, verify_submissions

    loaded = open_plan(file)
    where = display_path(loaded.path)
    if not loaded.plan.submissions:
        raise CchcError(_("{path}: chưa có báo cáo nào được ghi là đã nộp (cchc submit --quarter N --number …)")
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
