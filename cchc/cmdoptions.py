"""What every command module shares (after pip's `cmdoptions`): options, opening the plan, exit codes.

One vocabulary for the whole command line: `--plan/-p TỆP` names the plan on every command,
`--as-of NGÀY` the day of a question, `--json`/`--csv` the output, `--period KỲ` or `--quarter N`
a reporting period, `--attach TỆP` an evidence file. Dates are parsed here, so a malformed one is
a usage error (exit 2) on every command. Library functions raise the typed errors of
`diagnostics`; `exit_code_for` is the one place that turns them into exit codes.

Command modules import this at the top; it imports no command module, so there is no cycle.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Annotated, Optional

import typer

from .diagnostics import CchcError, NotFound, UsageError
from .i18n import _

# --- values typed on the command line -----------------------------------------------------------


def parse_date_option(value: str | dt.date | None) -> dt.date | None:
    """A `dd/mm/yyyy` or ISO date option; a malformed one is Click's usage error (exit 2)."""
    from .periods import parse_user_date

    if value is None or isinstance(value, dt.date):
        return value
    try:
        return parse_user_date(value)
    except ValueError as e:
        raise typer.BadParameter(str(e)) from None


def _date_option(*names: str, help: str) -> typer.models.OptionInfo:
    return typer.Option(*names, metavar=_("NGÀY"), parser=parse_date_option, help=help, show_default=False)


# --- the options ---------------------------------------------------------------------------------

PlanOpt = Annotated[Optional[str], typer.Option(
    "--plan", "-p", metavar=_("TỆP"), show_default=False,
    help=_("Tệp kế hoạch (mặc định: $CCHC_PLAN, rồi plan_*.yaml ở thư mục hiện tại)."))]
AsOfOpt = Annotated[Optional[dt.date], _date_option(
    "--as-of", help=_("Tính tại ngày này (dd/mm/yyyy hoặc yyyy-mm-dd); mặc định hôm nay."))]
DateOpt = Annotated[Optional[dt.date], _date_option(
    "--date", "-d", help=_("Ngày (dd/mm/yyyy hoặc yyyy-mm-dd); mặc định hôm nay. Phải nằm trong năm kế hoạch."))]
JsonOpt = Annotated[bool, typer.Option("--json", help=_("In kết quả dạng JSON."))]
CsvOpt = Annotated[bool, typer.Option("--csv", help=_("In danh sách dạng CSV (mở được bằng Excel)."))]
AttachOpt = Annotated[Optional[str], typer.Option(
    "--attach", metavar=_("TỆP"), show_default=False,
    help=_("Tệp tài liệu kiểm chứng; lưu đường dẫn tương đối so với tệp kế hoạch và mã SHA-256."))]
PeriodOpt = Annotated[Optional[str], typer.Option(
    "--period", metavar=_("KỲ"), show_default=False,
    help=_("Kỳ báo cáo: NĂM-Q1 … NĂM-Q4, NĂM-H1 hoặc NĂM; Q1 là quý I của năm kế hoạch."))]
ForceOpt = Annotated[bool, typer.Option("--force", help=_(
    "Thay tệp kết quả đã có (không bao giờ ghi đè tệp kế hoạch hay tệp trong .git)."))]
OutsideOkOpt = Annotated[bool, typer.Option("--outside-ok", help=_(
    "Cho phép tệp kiểm chứng nằm ngoài thư mục (kho git) của kế hoạch."))]
QuarterOpt = Annotated[Optional[int], typer.Option(
    "--quarter", "-q", metavar="1-4", show_default=False,
    help=_("Kỳ báo cáo của năm kế hoạch: 1 quý I, 2 sáu tháng đầu năm, 3 quý III, 4 cả năm."))]


# --- the plan and the day ------------------------------------------------------------------------


def plan_path(plan: Optional[str]) -> Path:
    """The plan file `--plan` names, else $CCHC_PLAN, else the only plan_*.yaml of the folder."""
    from .planfile import find_plan

    return find_plan(plan)


def read_plan_path(plan: Optional[str]) -> Path:
    """The plan a read command uses: as `plan_path`, but among several plan_*.yaml the newest year's,
    said in one line on stderr (writes still ask for --plan: an edit must not guess its file)."""
    import os

    from . import output
    from .planfile import find_plan, plan_candidates

    path = find_plan(plan, newest=True)
    if not plan and not os.environ.get("CCHC_PLAN") and len(plan_candidates()) > 1:
        output.message(_("Thư mục có nhiều tệp kế hoạch; dùng {name} (năm mới nhất), chọn tệp khác bằng --plan TỆP"
                         ).format(name=path.name))
    return path


def open_plan(plan: Optional[str]):
    """Find and load the plan, through the cache of validated plans (an unchanged file is not parsed again)."""
    from .cache import load_cached

    return load_cached(read_plan_path(plan))


def as_of_date(value: dt.date | None) -> dt.date:
    return value or dt.date.today()


def plan_on(plan: Optional[str], as_of: dt.date | None, json_out: bool = False, csv_out: bool = False):
    """The loaded plan `--plan` names and the day `--as-of` asks about (default today).

    A listing passes its `--json` and `--csv` too: both at once is a usage error, said first.
    """
    exclusive_formats(json_out, csv_out)
    return open_plan(plan), as_of_date(as_of)


def display_path(path: Path | str) -> str:
    """The plan's path as the user would type it: relative when it lies under the current folder."""
    p = Path(path)
    if p.is_absolute():
        try:
            return str(p.relative_to(Path.cwd()))
        except ValueError:
            pass
    return str(p)


def exclusive_formats(json_out: bool, csv_out: bool) -> None:
    if json_out and csv_out:
        raise UsageError(_("chỉ chọn một trong --json và --csv"))


# --- reporting periods -----------------------------------------------------------------------------

_REPORT_KEY = re.compile(r"^(?:(\d{4})-?)?(Q[1-4]|H1)$|^(\d{4})$")


def period_choice(period: Optional[str], quarter: Optional[int]) -> Optional[str]:
    """`--period` as typed, or `--quarter N` as `QN` (the plan's year); None when neither is given."""
    if period is not None and quarter is not None:
        raise UsageError(_("chỉ chọn một trong --period và --quarter"))
    if quarter is None:
        return period
    if quarter not in (1, 2, 3, 4):
        raise UsageError(_("--quarter phải là 1, 2, 3 hoặc 4, không phải {n}").format(n=quarter))
    return f"Q{quarter}"


def report_quarter(period: Optional[str], quarter: Optional[int], year: int) -> int:
    """The report (1-4) that `--period` or `--quarter` asks for in a plan of `year`.

    `2023-Q2` and `2023-H1` are the six-month report, `2023-Q4` and `2023` the annual one.
    """
    chosen = period_choice(period, quarter)
    if chosen is None:
        raise UsageError(_("cần chọn kỳ báo cáo: --quarter 1, 2, 3 hoặc 4 (hoặc --period {year}-Q1 …)").format(
            year=year))
    m = _REPORT_KEY.match(chosen.strip().upper())
    if not m:
        raise UsageError(_("kỳ “{value}” không hợp lệ; hãy nhập dạng {year}-Q1 … {year}-Q4, {year}-H1 hoặc "
                           "{year}").format(value=chosen, year=year))
    typed_year = m[1] or m[3]
    if typed_year and int(typed_year) != year:
        raise UsageError(_("kỳ {period} nằm ngoài năm kế hoạch {year}").format(period=chosen, year=year))
    if m[3]:
        return 4
    return 2 if m[2] == "H1" else int(m[2][1])


# --- renamed options -------------------------------------------------------------------------------

# Old names kept for one release, per command path; each use prints a one-line note.
RENAMED_OPTIONS: dict[str, dict[str, str]] = {
    "done": {"--file": "--attach"},
    "evidence add": {"--file": "--attach"},
    "tasks": {"--no-evidence": "--without-evidence"},
    "report": {"--context": "--json"},
}
# Everywhere else `--file/-f` was the plan (the read commands took it before `--plan`).
PLAN_ALIASES = {"--file": "--plan", "-f": "--plan"}


def rename_options(command: str, args: list[str], notes: list[str] | None = None) -> list[str]:
    """`args` of `command` (`"evidence add"`) with each renamed option spelt the new way.

    A note per old name used is appended to `notes`. Nothing after `--` is touched.
    """
    table = {**PLAN_ALIASES, **RENAMED_OPTIONS.get(command, {})}
    out: list[str] = []
    for i, arg in enumerate(args):
        if arg == "--":
            return out + args[i:]
        name, eq, value = arg.partition("=")
        new = table.get(name)
        if new is None:
            out.append(arg)
            continue
        out.append(new + eq + value)
        note = _("lưu ý: {old} đã đổi thành {new}; tên cũ sẽ bỏ ở phiên bản sau").format(old=name, new=new)
        if notes is not None and note not in notes:
            notes.append(note)
    return out


# --- errors → exit codes ---------------------------------------------------------------------------

# Most specific first: usage and missing paths are 2, a refusal, a finding or an invalid plan 1.
EXIT_CODES: tuple[tuple[type[CchcError], int], ...] = ((UsageError, 2), (NotFound, 2), (CchcError, 1))


def exit_code_for(error: CchcError) -> int:
    return next(code for kind, code in EXIT_CODES if isinstance(error, kind))


def error_lines(error: CchcError) -> list[str]:
    """What the user reads for `error`: each problem of an invalid plan, else one line."""
    from .diagnostics import PlanInvalid
    from .finding_codes import format_finding

    if isinstance(error, PlanInvalid):
        return [format_finding(d) for d in error.diagnostics]
    return [_("lỗi: {message}").format(message=str(error))]
