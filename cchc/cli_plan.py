"""Commands about the plan file as a whole: `validate` and `status`.

Thin wrappers: `planfile` and `checks` find the problems, `status` computes the facts and
`views` turns them into tables and JSON.
"""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from . import output
from .cmdoptions import AsOfOpt, JsonOpt, PlanOpt, plan_on, plan_path
from .diagnostics import PlanInvalid
from .i18n import _


def validate(
    paths: Annotated[Optional[list[str]], typer.Argument(
        metavar=_("[TỆP]..."), help=_("Tệp kế hoạch cần kiểm tra."), show_default=False)] = None,
    plan: PlanOpt = None,
    json_out: JsonOpt = False,
    verify_files: Annotated[bool, typer.Option("--verify-files", help=_(
        "Tính lại mã SHA-256 của mọi tệp kiểm chứng, kể cả tệp không đổi kích thước và thời gian sửa."))] = False,
) -> None:
    """Kiểm tra tệp kế hoạch: in mọi lỗi và cảnh báo, mỗi dòng TỆP:DÒNG:CỘT: mức [mã] nội dung."""
    from .checks import evidence_file_findings
    from .evidence import FileHashes
    from .finding_codes import finding_json, format_finding
    from .planfile import load

    # Several files: a pre-commit hook passes every staged plan file at once.
    targets = [plan_path(p) for p in paths] if paths else [plan_path(plan)]
    results = []
    hashes = FileHashes(trust_record=not verify_files)  # a file named by several entries or plans: read once
    for target in targets:
        try:
            results.append((target, [], evidence_file_findings(load(target), hashes)))
        except PlanInvalid as e:
            results.append((target, e.diagnostics, []))
    hashes.save()
    if json_out:
        data = [{"file": str(t), "valid": not problems, "problems": [p.as_dict() for p in problems],
                 "warnings": [finding_json(w) for w in warnings]}
                for t, problems, warnings in results]
        output.print_json(data[0] if len(data) == 1 else data)
    else:
        for target, problems, warnings in results:
            for finding in [*problems, *warnings]:
                typer.echo(format_finding(finding))
            if not problems:
                output.message(_("{path}: hợp lệ").format(path=target))
    if any(problems for _t, problems, _w in results):
        raise typer.Exit(1)


def status(
    plan: PlanOpt = None,
    as_of: AsOfOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Tình hình thực hiện kế hoạch: từng lĩnh vực, các chỉ tiêu, nhiệm vụ quá hạn và sắp đến hạn."""
    from .status import plan_status
    from .views import status_json, status_tables

    loaded, day = plan_on(plan, as_of)
    year = loaded.plan.plan.year
    if as_of is None and day.year != year:
        # Run in another year, every unfinished task shows as late: say why, and how to look back.
        output.message(_("Lưu ý: hôm nay nằm ngoài năm kế hoạch {year}; xem tình hình tại một ngày trong năm "
                         "bằng --as-of, ví dụ --as-of 14/06/{year}").format(year=year))
    facts = plan_status(loaded.plan, day)
    if json_out:
        output.print_json(status_json(loaded.plan, facts))
    else:
        output.print_tables(status_tables(loaded.plan, facts))


def register(app: typer.Typer) -> None:
    app.command()(validate)
    app.command()(status)
