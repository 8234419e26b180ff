"""Commands that ask the plan questions: tasks, show, kpi (targets), units, check.

Thin wrappers over `query`, `checks` and `query_views`: JSON shapes are documented in
`query_views` and `checks`, completion of ids and keys is in `completion`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Optional

import typer

from . import output
from .cmdoptions import (AsOfOpt, CsvOpt, JsonOpt, PlanOpt, display_path, parse_date_option,
                         plan_on)
from .completion import complete_area, complete_sort, complete_status, complete_target_id, complete_task_id, complete_unit
from .diagnostics import UsageError
from .i18n import _


# The options of `tasks`, apart from the shared ones.
WordsArg = Annotated[Optional[list[str]], typer.Argument(
    metavar=_("[TỪ_KHÓA]..."), show_default=False, help=_(
        "Tìm theo chữ trong mã, tên, sản phẩm, ghi chú tiến độ, tài liệu kiểm chứng; không cần gõ dấu, "
        "mọi từ đều phải có."))]
AreaOpt = Annotated[Optional[str], typer.Option(
    "--area", "-a", metavar=_("SỐ"), help=_("Chỉ lĩnh vực số N (III: tổ chức thực hiện)."), autocompletion=complete_area,
    show_default=False)]
UnitOpt = Annotated[Optional[str], typer.Option(
    "--unit", "-u", metavar=_("MÃ"), help=_("Chỉ nhiệm vụ của đơn vị này (chủ trì hoặc phối hợp)."),
    autocompletion=complete_unit, show_default=False)]
LeadOpt = Annotated[bool, typer.Option("--lead", help=_("Với --unit: chỉ nhiệm vụ đơn vị chủ trì."))]
StatusOpt = Annotated[Optional[list[str]], typer.Option(
    "--status", "-s", metavar=_("TRẠNG_THÁI"), help=_("Trạng thái: chưa bắt đầu, đang thực hiện, hoàn thành, quá hạn (có dấu hoặc "
                             "không; hoặc todo, doing, done, late). Lặp lại để chọn nhiều."),
    autocompletion=complete_status, show_default=False)]
DueWithinOpt = Annotated[Optional[str], typer.Option(
    "--due-within", metavar=_("KHOẢNG"), help=_("Chưa xong và có hạn kế tiếp trong khoảng này từ ngày tính: 30d, 2w, 1m."),
    show_default=False)]
DueBeforeOpt = Annotated[Optional[dt.date], typer.Option(
    "--due-before", metavar=_("NGÀY"), parser=parse_date_option, show_default=False,
    help=_("Chưa xong và có hạn kế tiếp không muộn hơn ngày này (dd/mm/yyyy)."))]
LateOpt = Annotated[bool, typer.Option("--late", help=_("Chỉ nhiệm vụ quá hạn."))]
WithoutEvidenceOpt = Annotated[bool, typer.Option(
    "--without-evidence", help=_("Chỉ nhiệm vụ chưa có tài liệu kiểm chứng."))]
SortOpt = Annotated[str, typer.Option(
    "--sort", metavar=_("KIỂU"), help=_("Sắp xếp: area (lĩnh vực, mặc định), due (hạn), progress (tiến độ), unit (đơn vị)."),
    autocompletion=complete_sort)]
FailIfAnyOpt = Annotated[bool, typer.Option(
    "--fail-if-any", help=_("Thoát với mã 1 nếu có ít nhất một nhiệm vụ khớp (dùng trong script)."))]


def tasks(
    query: WordsArg = None,
    area: AreaOpt = None,
    unit: UnitOpt = None,
    lead: LeadOpt = False,
    status: StatusOpt = None,
    due_within: DueWithinOpt = None,
    due_before: DueBeforeOpt = None,
    late: LateOpt = False,
    without_evidence: WithoutEvidenceOpt = False,
    sort: SortOpt = "area",
    plan: PlanOpt = None,
    as_of: AsOfOpt = None,
    json_out: JsonOpt = False,
    csv_out: CsvOpt = False,
    fail_if_any: FailIfAnyOpt = False,
) -> None:
    """Liệt kê nhiệm vụ, lọc theo lĩnh vực, đơn vị, trạng thái, hạn, hoặc tìm theo chữ."""
    from .query import TaskFilter, filter_tasks
    from .userinput import parse_duration, parse_states, resolve_area, resolve_unit
    from .query_views import tasks_json, tasks_table

    if lead and unit is None:
        raise UsageError(_("--lead chỉ dùng cùng --unit, ví dụ: --unit VP --lead"))
    loaded, day = plan_on(plan, as_of, json_out, csv_out)
    the_plan = loaded.plan
    filt = TaskFilter(
        area=resolve_area(the_plan, area) if area is not None else None,
        unit=resolve_unit(the_plan, unit) if unit is not None else None,
        lead_only=lead,
        states=parse_states(status),
        due_within=parse_duration(due_within) if due_within is not None else None,
        due_before=due_before,
        late=late,
        no_evidence=without_evidence,
        text=" ".join(query or []),
    )
    states = filter_tasks(the_plan, filt, day, sort=sort)
    if json_out:
        output.print_json(tasks_json(the_plan, states))
    elif csv_out:
        output.print_csv(tasks_table(states, day))
    elif states:
        output.print_tables([tasks_table(states, day)])
    else:
        output.message(_("Không có nhiệm vụ nào khớp với điều kiện đã chọn."))
    if fail_if_any and states:
        raise typer.Exit(1)


def show(
    task_id: Annotated[str, typer.Argument(
        metavar=_("MÃ"), help=_("Mã nhiệm vụ, ví dụ 3.đ hoặc III.2."), autocompletion=complete_task_id)],
    plan: PlanOpt = None,
    as_of: AsOfOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Mọi thông tin về một nhiệm vụ: đơn vị, thời hạn, diễn biến tiến độ, tài liệu kiểm chứng, các kỳ báo cáo."""
    from .query import task_detail
    from .query_views import show_json, show_tables

    loaded, day = plan_on(plan, as_of)
    detail = task_detail(loaded.plan, task_id, day, Path(loaded.path).parent)
    line, _col = loaded.doc.locate(detail.path)
    where = display_path(loaded.path)
    if json_out:
        output.print_json(show_json(detail, where, line))
    else:
        output.print_tables(show_tables(loaded.plan, detail, f"{where}:{line}"))


def kpi(
    target_id: Annotated[Optional[str], typer.Argument(
        metavar=_("[MÃ]"), help=_("Mã chỉ tiêu; bỏ trống để xem tất cả."), autocompletion=complete_target_id,
        show_default=False)] = None,
    plan: PlanOpt = None,
    as_of: AsOfOpt = None,
    json_out: JsonOpt = False,
    csv_out: CsvOpt = False,
) -> None:
    """Các chỉ tiêu: mục tiêu, kết quả từng kỳ, xu hướng và đánh giá đạt hay chưa."""
    from .query import target_rows
    from .query_views import target_row_json, target_tables, targets_table

    loaded, day = plan_on(plan, as_of, json_out, csv_out)
    rows = target_rows(loaded.plan, day, target_id)
    if json_out:
        data = [target_row_json(r) for r in rows]
        output.print_json(data[0] if target_id is not None else data)
    elif csv_out:
        output.print_csv(targets_table(rows, day) if target_id is None else target_tables(rows[0], day)[1])
    elif not rows:
        output.message(_("Kế hoạch chưa có chỉ tiêu nào."))
    elif target_id is not None:
        output.print_tables(target_tables(rows[0], day))
    else:
        output.print_tables([targets_table(rows, day)])


def units(
    plan: PlanOpt = None,
    as_of: AsOfOpt = None,
    json_out: JsonOpt = False,
    csv_out: CsvOpt = False,
) -> None:
    """Từng đơn vị: số nhiệm vụ chủ trì theo trạng thái, số nhiệm vụ phối hợp, nhiệm vụ quá hạn."""
    from .query import unit_summary
    from .query_views import units_json, units_table

    loaded, day = plan_on(plan, as_of, json_out, csv_out)
    summary = unit_summary(loaded.plan, day)
    if json_out:
        output.print_json(units_json(summary))
    elif csv_out:
        output.print_csv(units_table(summary, day))
    else:
        output.print_tables([units_table(summary, day)])


def check(
    plan: PlanOpt = None,
    as_of: AsOfOpt = None,
    json_out: JsonOpt = False,
    list_codes: Annotated[bool, typer.Option(
        "--list-codes", help=_("In danh sách mọi mã mà validate và check báo, với mức và ý nghĩa."))] = False,
) -> None:
    """Rà soát kế hoạch trước khi báo cáo; thoát với mã 1 nếu có lỗi (dùng được trong git hook, CI)."""
    from .checks import check_plan, has_errors
    from .finding_codes import ERROR, WARNING

    if list_codes:
        print_codes(json_out)
        return
    loaded, day = plan_on(plan, as_of)
    findings = check_plan(loaded, day)
    where = display_path(loaded.path)
    print_findings(findings, where, json_out)
    if not json_out:
        errors = sum(d.severity == ERROR for d in findings)
        warnings = sum(d.severity == WARNING for d in findings)
        if findings:
            output.message(_("{path}: {errors} lỗi, {warnings} cảnh báo").format(
                path=where, errors=errors, warnings=warnings))
        else:
            output.message(_("{path}: không phát hiện vấn đề nào").format(path=where))
    if has_errors(findings):
        raise typer.Exit(1)


def print_findings(findings: list, where: str, json_out: bool) -> None:
    """Findings on stdout, one `FILE:LINE:COL: mức [mã] …` line each, or as one JSON array."""
    from .finding_codes import finding_json, format_finding

    if json_out:
        output.print_json([finding_json(d, where) for d in findings])
        return
    for d in findings:
        typer.echo(format_finding(d, where))


def print_codes(json_out: bool) -> None:
    """`check --list-codes`: the registry of finding codes as a table (or JSON)."""
    from .finding_codes import REGISTRY, severity_label
    from .output import Column, Table

    if json_out:
        output.print_json([c.as_dict() for c in REGISTRY])
        return
    table = Table(title=_("Mã phát hiện của cchc validate và cchc check"), columns=[
        Column(_("Mã")), Column(_("Mức")), Column(_("Lệnh")), Column(_("Ý nghĩa"), max_width=60)])
    table.rows = [[c.code, severity_label(c.severity), c.command, c.explanation()] for c in REGISTRY]
    output.print_tables([table])


def register(app: typer.Typer) -> None:
    app.command()(tasks)
    app.command()(show)
    app.command("kpi")(kpi)
    app.command("targets", help=_("Các chỉ tiêu (tên khác của lệnh kpi)."))(kpi)
    app.command()(units)
    app.command()(check)
