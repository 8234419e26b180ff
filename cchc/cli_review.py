"""Commands for reviewing and sharing the plan: diff, log, schema, export, new.

Thin wrappers: `plandiff` and `history` compute, `export`, `schema` and `newyear` write; here
options are parsed, library calls made and results printed.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Optional

import typer

from . import output
from .cmdoptions import AsOfOpt, ForceOpt, JsonOpt, PlanOpt, plan_on, plan_path
from .diagnostics import CchcError, UsageError
from .i18n import _


def diff(
    rev: Annotated[Optional[str], typer.Argument(
        metavar=_("[PHIÊN_BẢN]"), help=_("Phiên bản cũ (mặc định: HEAD, commit gần nhất)."), show_default=False)] = None,
    rev2: Annotated[Optional[str], typer.Argument(
        metavar=_("[PHIÊN_BẢN_MỚI]"), help=_("Phiên bản mới (mặc định: tệp đang sửa)."), show_default=False)] = None,
    plan: PlanOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Những gì đã thay đổi trong kế hoạch giữa hai phiên bản git, mỗi thay đổi một dòng."""
    from .history import WORKTREE, locate, plan_at
    from .plandiff import describe_all, diff_plans

    repo = locate(plan_path(plan))
    old_rev = rev or "HEAD"
    new_rev = rev2 if rev2 else WORKTREE
    old = plan_at(repo, old_rev)
    new = plan_at(repo, new_rev)
    changes = diff_plans(old, new)
    if json_out:
        output.print_json([c.as_dict() for c in changes])
        return
    for line in describe_all(changes, new, old):
        typer.echo(line)
    if not changes:
        output.message(_("Không có thay đổi nào trong kế hoạch giữa {old} và {new}.").format(
            old=old_rev, new=new_rev or _("tệp đang sửa")))


def log(
    ident: Annotated[Optional[str], typer.Argument(
        metavar=_("[MÃ]"), help=_("Mã nhiệm vụ (hoặc mã chỉ tiêu) cần xem lịch sử; bỏ trống để xem cả kế hoạch."),
        show_default=False)] = None,
    plan: PlanOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Lịch sử của kế hoạch hoặc của một nhiệm vụ qua các commit: ngày, người sửa, commit, thay đổi."""
    from .history import log as plan_log
    from .output import Column, Table
    from .periods import format_date

    repo, commits = plan_log(plan_path(plan), ident)
    if json_out:
        output.print_json([c.as_dict() for c in commits])
        return
    title = (_("Lịch sử của {id} trong {path}").format(id=ident, path=repo.relpath) if ident
             else _("Lịch sử của {path}").format(path=repo.relpath))
    table = Table(title=title, columns=[Column(_("Ngày")), Column(_("Người sửa")), Column(_("Commit")),
                                        Column(_("Thay đổi"))])
    for c in commits:
        for i, line in enumerate(c.lines()):
            head = [format_date(dt.date.fromisoformat(c.day)), c.author, c.short] if i == 0 else ["", "", ""]
            table.rows.append([*head, line])
    if not commits:
        table.caption = _("Tệp kế hoạch chưa có trong commit nào.")
    output.print_tables([table])


def schema(
    out: Annotated[Optional[str], typer.Option(
        "--output", "-o", metavar=_("TỆP"), help=_("Ghi vào tệp này thay vì in ra (ví dụ schema/plan.schema.json)."),
        show_default=False)] = None,
    check: Annotated[bool, typer.Option(
        "--check", help=_("Chỉ kiểm tra tệp --output có đúng với mẫu hiện tại không."))] = False,
    force: ForceOpt = False,
) -> None:
    """Mẫu JSON Schema của tệp kế hoạch, để trình soạn thảo (VS Code) gợi ý và báo lỗi khi gõ."""
    from .outputs import write_output
    from .schema import render

    text = render()
    if out is None:
        if check:
            raise UsageError(_("--check cần --output TỆP"))
        typer.echo(text, nl=False)
        return
    target = Path(out)
    if check:
        try:
            current = target.read_text(encoding="utf-8")
        except OSError:
            current = None
        if current != text:
            raise CchcError(_("{path} chưa khớp với mẫu kế hoạch hiện tại; chạy: cchc schema -o {path} --force").format(
                path=target))
        output.message(_("{path}: khớp với mẫu kế hoạch").format(path=target))
        return
    write_output(target, text.encode("utf-8"), force=force)
    output.message(_("Đã ghi {path}").format(path=target))


def export(
    xlsx: Annotated[Optional[str], typer.Option(
        "--xlsx", metavar=_("TỆP"), help=_("Ghi bảng tính Excel: nhiệm vụ, tiến độ, chỉ tiêu."), show_default=False)] = None,
    ics: Annotated[Optional[str], typer.Option(
        "--ics", metavar=_("TỆP"), help=_("Ghi lịch iCalendar các thời hạn và hạn chốt số liệu báo cáo (Outlook, Thunderbird)."),
        show_default=False)] = None,
    plan: PlanOpt = None,
    as_of: AsOfOpt = None,
    force: ForceOpt = False,
) -> None:
    """Xuất kế hoạch cho người không dùng dòng lệnh: bảng tính Excel (.xlsx) và lịch (.ics)."""
    from .export import write_ics, write_xlsx
    from .outputs import check_output, write_output

    if not xlsx and not ics:
        raise UsageError(_("chọn tệp cần xuất: --xlsx TỆP và/hoặc --ics TỆP"))
    loaded, day = plan_on(plan, as_of)
    for name in (xlsx, ics):  # both refused before either is written
        if name:
            check_output(name, force=force, plan=loaded.path)
    if xlsx:
        target = write_output(xlsx, lambda tmp: write_xlsx(loaded.plan, tmp, day), force=force, plan=loaded.path)
        output.message(_("Đã ghi bảng tính {path}").format(path=target))
    if ics:
        counted = []
        target = write_output(ics, lambda tmp: counted.append(write_ics(loaded.plan, tmp)), force=force,
                              plan=loaded.path)
        count = counted[0]
        output.message(_("Đã ghi lịch {path} ({n} sự kiện)").format(path=target, n=count))


def new(
    year: Annotated[int, typer.Argument(metavar=_("NĂM"), help=_("Năm của kế hoạch mới."))],
    source: Annotated[Optional[str], typer.Option(
        "--plan", "-p", "--from", metavar=_("TỆP"), show_default=False,
        help=_("Kế hoạch năm trước (mặc định: $CCHC_PLAN, rồi plan_*.yaml ở thư mục hiện tại)."))] = None,
    out: Annotated[Optional[str], typer.Option(
        "--output", "-o", metavar=_("TỆP"), help=_("Tệp kế hoạch mới (mặc định: plan_NĂM.yaml cạnh kế hoạch cũ)."),
        show_default=False)] = None,
    json_out: JsonOpt = False,
) -> None:
    """Tạo kế hoạch năm mới từ kế hoạch năm trước: chuyển tiếp nhiệm vụ chưa hoàn thành, giữ đơn vị, chỉ tiêu."""
    from .newyear import create_plan

    src = plan_path(source)
    target, result = create_plan(src, year, Path(out) if out else None)
    if json_out:
        output.print_json({"file": str(target), "year": year, "from": str(src),
                           "carried": [t.id for t in result.carried], "finished": [t.id for t in result.dropped],
                           "targets": [t["id"] for t in result.data["targets"]]})
    output.message(_("Đã tạo {path}: chuyển tiếp {carried} nhiệm vụ chưa hoàn thành, không chép {done} nhiệm vụ "
                     "đã hoàn thành, giữ {targets} chỉ tiêu (chưa có số liệu).").format(
        path=target, carried=len(result.carried), done=len(result.dropped), targets=len(result.data["targets"])))
    output.message(_("Hãy rà soát các mục ghi ở đầu tệp trước khi ban hành, rồi chạy: cchc validate {path}").format(
        path=target))


def register(app: typer.Typer) -> None:
    app.command()(diff)
    app.command()(log)
    app.command()(schema)
    app.command()(export)
    app.command()(new)
