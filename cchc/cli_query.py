"""Commands that ask the plan questions: tasks, show, kpi (targets), units, check.

Thin wrappers over `query`, `checks` and `query_views`. The commands are defined inside
`register(app)` because they use `cli`'s shared options and `cli` imports this module while it
is being built; the completion callbacks stay at module level so tests and other modules can use
them without building the app. JSON shapes are documented in `query_views` and `checks`.
"""

# No `from __future__ import annotations`: the commands are defined inside `register`, and Typer
# must evaluate their annotations against names imported there, not the module's globals.
from pathlib import Path
from typing import Any

from .i18n import _

# --- shell completion -------------------------------------------------------------------------


def _completion_plan(ctx: Any):
    """The plan the command line being completed names (`--file`, else the usual search), or None.

    Completion runs on every TAB: any problem (no plan, an invalid one) just means no suggestions.
    """
    try:
        from .planfile import find_plan, load

        file = None
        while ctx is not None and file is None:
            file = (getattr(ctx, "params", None) or {}).get("file")
            ctx = getattr(ctx, "parent", None)
        return load(find_plan(file)).plan
    except Exception:  # noqa: BLE001 - a completion must never fail
        return None


def _matching(candidates: list[tuple[str, str]], incomplete: str) -> list[tuple[str, str]]:
    from .text import nfc

    prefix = nfc(incomplete or "")
    return [(value, help_text) for value, help_text in candidates if value.startswith(prefix)]


def complete_task_id(ctx: Any, incomplete: str) -> list[tuple[str, str]]:
    """Task ids of the plan starting with `incomplete`, each with its title; [] on any problem."""
    try:
        plan = _completion_plan(ctx)
        if plan is None:
            return []
        from .text import task_sort_key

        tasks = sorted(plan.all_tasks(), key=lambda t: task_sort_key(t.id))
        return _matching([(t.id, t.title) for t in tasks], incomplete)
    except Exception:  # noqa: BLE001
        return []


def complete_unit(ctx: Any, incomplete: str) -> list[tuple[str, str]]:
    """Unit keys of the plan's registry starting with `incomplete`, each with its name."""
    try:
        plan = _completion_plan(ctx)
        return [] if plan is None else _matching(list(plan.units.items()), incomplete)
    except Exception:  # noqa: BLE001
        return []


def complete_target_id(ctx: Any, incomplete: str) -> list[tuple[str, str]]:
    """Target ids of the plan starting with `incomplete`, each with its name."""
    try:
        plan = _completion_plan(ctx)
        return [] if plan is None else _matching([(t.id, t.name) for t in plan.targets], incomplete)
    except Exception:  # noqa: BLE001
        return []


def complete_area(ctx: Any, incomplete: str) -> list[tuple[str, str]]:
    """Area numbers (and III for the duties) starting with `incomplete`, each with its title."""
    try:
        plan = _completion_plan(ctx)
        if plan is None:
            return []
        items = [(str(a.number), a.title) for a in plan.areas]
        if plan.duties:
            items.append((plan.duties_section.number, plan.duties_section.title))
        return _matching(items, incomplete)
    except Exception:  # noqa: BLE001
        return []


def complete_status(incomplete: str) -> list[tuple[str, str]]:
    """The short English aliases of `--status` (Vietnamese words have spaces, awkward in a shell)."""
    from .status import State

    items = [("done", State.done.label), ("doing", State.in_progress.label),
             ("todo", State.not_started.label), ("late", State.late.label)]
    return _matching(items, incomplete)


def complete_sort(incomplete: str) -> list[str]:
    from .query import SORT_KEYS

    return [k for k in SORT_KEYS if k.startswith(incomplete or "")]


# --- helpers ----------------------------------------------------------------------------------


def display_path(path: Path | str) -> str:
    """The plan's path as the user would type it: relative when it lies under the current folder."""
    p = Path(path)
    if p.is_absolute():
        try:
            return str(p.relative_to(Path.cwd()))
        except ValueError:
            pass
    return str(p)


def _exclusive_formats(json_out: bool, csv_out: bool) -> None:
    from .diagnostics import CchcError

    if json_out and csv_out:
        raise CchcError(_("chỉ chọn một trong --json và --csv"), exit_code=2)


# --- commands ---------------------------------------------------------------------------------


def register(app) -> None:
    """Add tasks, show, kpi/targets, units and check to the Typer `app`."""
    from typing import Annotated, Optional

    import typer

    from . import output
    from .cli import AsOfOpt, JsonOpt, PlanOpt, as_of_date, open_plan

    CsvOpt = Annotated[bool, typer.Option("--csv", help=_("In danh sách dạng CSV (mở được bằng Excel)."))]

    @app.command("tasks")
    def tasks(
        query: Annotated[Optional[list[str]], typer.Argument(
            metavar="[TỪ_KHÓA]...", help=_("Tìm theo chữ trong mã, tên, sản phẩm, ghi chú tiến độ, tài liệu kiểm chứng; không cần gõ dấu, "
                   "mọi từ đều phải có."), show_default=False)] = None,
        area: Annotated[Optional[str], typer.Option(
            "--area", "-a", help=_("Chỉ lĩnh vực số N (III: tổ chức thực hiện)."), autocompletion=complete_area,
            show_default=False)] = None,
        unit: Annotated[Optional[str], typer.Option(
            "--unit", "-u", help=_("Chỉ nhiệm vụ của đơn vị này (chủ trì hoặc phối hợp)."),
            autocompletion=complete_unit, show_default=False)] = None,
        lead: Annotated[bool, typer.Option("--lead", help=_("Với --unit: chỉ nhiệm vụ đơn vị chủ trì."))] = False,
        status: Annotated[Optional[list[str]], typer.Option(
            "--status", "-s", help=_("Trạng thái: chưa bắt đầu, đang thực hiện, hoàn thành, quá hạn (có dấu hoặc "
                                     "không; hoặc todo, doing, done, late). Lặp lại để chọn nhiều."),
            autocompletion=complete_status, show_default=False)] = None,
        due_within: Annotated[Optional[str], typer.Option(
            "--due-within", help=_("Chưa xong và có hạn kế tiếp trong khoảng này từ ngày tính: 30d, 2w, 1m."),
            show_default=False)] = None,
        due_before: Annotated[Optional[str], typer.Option(
            "--due-before", help=_("Chưa xong và có hạn kế tiếp không muộn hơn ngày này (dd/mm/yyyy)."),
            show_default=False)] = None,
        late: Annotated[bool, typer.Option("--late", help=_("Chỉ nhiệm vụ quá hạn."))] = False,
        no_evidence: Annotated[bool, typer.Option(
            "--no-evidence", help=_("Chỉ nhiệm vụ chưa có tài liệu kiểm chứng."))] = False,
        sort: Annotated[str, typer.Option(
            "--sort", help=_("Sắp xếp: area (lĩnh vực, mặc định), due (hạn), progress (tiến độ), unit (đơn vị)."),
            autocompletion=complete_sort)] = "area",
        file: PlanOpt = None,
        as_of: AsOfOpt = None,
        json_out: JsonOpt = False,
        csv_out: CsvOpt = False,
        fail_if_any: Annotated[bool, typer.Option(
            "--fail-if-any", help=_("Thoát với mã 1 nếu có ít nhất một nhiệm vụ khớp (dùng trong script)."))] = False,
    ) -> None:
        """Liệt kê nhiệm vụ, lọc theo lĩnh vực, đơn vị, trạng thái, hạn, hoặc tìm theo chữ."""
        from .periods import parse_user_date
        from .query import TaskFilter, filter_tasks, parse_duration, parse_states, resolve_area, resolve_unit
        from .query_views import tasks_json, tasks_table

        _exclusive_formats(json_out, csv_out)
        if lead and unit is None:
            from .diagnostics import CchcError

            raise CchcError(_("--lead chỉ dùng cùng --unit, ví dụ: --unit VP --lead"), exit_code=2)
        loaded = open_plan(file)
        plan = loaded.plan
        day = as_of_date(as_of)
        filt = TaskFilter(
            area=resolve_area(plan, area) if area is not None else None,
            unit=resolve_unit(plan, unit) if unit is not None else None,
            lead_only=lead,
            states=parse_states(status),
            due_within=parse_duration(due_within) if due_within is not None else None,
            due_before=_user_date(parse_user_date, due_before) if due_before is not None else None,
            late=late,
            no_evidence=no_evidence,
            text=" ".join(query or []),
        )
        states = filter_tasks(plan, filt, day, sort=sort)
        if json_out:
            output.print_json(tasks_json(plan, states))
        elif csv_out:
            output.print_csv(tasks_table(states, day))
        elif states:
            output.print_tables([tasks_table(states, day)])
        else:
            output.message(_("Không có nhiệm vụ nào khớp với điều kiện đã chọn."))
        if fail_if_any and states:
            raise typer.Exit(1)

    @app.command("show")
    def show(
        task_id: Annotated[str, typer.Argument(
            metavar="ID", help=_("Mã nhiệm vụ, ví dụ 3.đ hoặc III.2."), autocompletion=complete_task_id)],
        file: PlanOpt = None,
        as_of: AsOfOpt = None,
        json_out: JsonOpt = False,
    ) -> None:
        """Mọi thông tin về một nhiệm vụ: đơn vị, thời hạn, diễn biến tiến độ, tài liệu kiểm chứng, các kỳ báo cáo."""
        from .query import task_detail
        from .query_views import show_json, show_tables

        loaded = open_plan(file)
        detail = task_detail(loaded.plan, task_id, as_of_date(as_of), Path(loaded.path).parent)
        line, _col = loaded.doc.locate(detail.path)
        where = display_path(loaded.path)
        if json_out:
            output.print_json(show_json(detail, where, line))
        else:
            output.print_tables(show_tables(loaded.plan, detail, f"{where}:{line}"))

    def kpi(
        target_id: Annotated[Optional[str], typer.Argument(
            metavar="[ID]", help=_("Mã chỉ tiêu; bỏ trống để xem tất cả."), autocompletion=complete_target_id,
            show_default=False)] = None,
        file: PlanOpt = None,
        as_of: AsOfOpt = None,
        json_out: JsonOpt = False,
        csv_out: CsvOpt = False,
    ) -> None:
        """Các chỉ tiêu: mục tiêu, kết quả từng kỳ, xu hướng và đánh giá đạt hay chưa."""
        from .query import target_rows
        from .query_views import target_row_json, target_tables, targets_table

        _exclusive_formats(json_out, csv_out)
        loaded = open_plan(file)
        day = as_of_date(as_of)
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

    app.command("kpi")(kpi)
    app.command("targets", help=_("Các chỉ tiêu (tên khác của lệnh kpi)."))(kpi)

    @app.command("units")
    def units(
        file: PlanOpt = None,
        as_of: AsOfOpt = None,
        json_out: JsonOpt = False,
        csv_out: CsvOpt = False,
    ) -> None:
        """Từng đơn vị: số nhiệm vụ chủ trì theo trạng thái, số nhiệm vụ phối hợp, nhiệm vụ quá hạn."""
        from .query import unit_summary
        from .query_views import units_json, units_table

        _exclusive_formats(json_out, csv_out)
        loaded = open_plan(file)
        day = as_of_date(as_of)
        summary = unit_summary(loaded.plan, day)
        if json_out:
            output.print_json(units_json(summary))
        elif csv_out:
            output.print_csv(units_table(summary, day))
        else:
            output.print_tables([units_table(summary, day)])

    @app.command("check")
    def check(
        file: PlanOpt = None,
        as_of: AsOfOpt = None,
        json_out: JsonOpt = False,
    ) -> None:
        """Rà soát kế hoạch trước khi báo cáo; thoát với mã 1 nếu có lỗi (dùng được trong git hook, CI)."""
        from .checks import ERROR, WARNING, check_plan, finding_json, format_finding, has_errors

        loaded = open_plan(file)
        findings = check_plan(loaded, as_of_date(as_of))
        where = display_path(loaded.path)
        if json_out:
            output.print_json([finding_json(d, where) for d in findings])
        else:
            for d in findings:
                typer.echo(format_finding(d, where))
            errors = sum(d.severity == ERROR for d in findings)
            warnings = sum(d.severity == WARNING for d in findings)
            if findings:
                output.message(_("{path}: {errors} lỗi, {warnings} cảnh báo").format(
                    path=where, errors=errors, warnings=warnings))
            else:
                output.message(_("{path}: không phát hiện vấn đề nào").format(path=where))
        if has_errors(findings):
            raise typer.Exit(1)


def _user_date(parse, value: str):
    from .diagnostics import CchcError

    try:
        return parse(value)
    except ValueError as e:
        raise CchcError(str(e), exit_code=2) from None

