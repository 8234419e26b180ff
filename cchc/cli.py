"""The `cchc` command line: a thin layer that parses options, calls library functions, prints.

Every failure a user can cause surfaces as one line on stderr and an exit code: 0 ok, 1 a finding
or refused change, 2 bad usage or a missing file. Command modules register themselves on `app`;
they import heavy libraries inside the command that needs them so start-up stays fast.
"""

from __future__ import annotations

import datetime as dt
import importlib
import os
from pathlib import Path
from typing import Annotated, Optional

import typer
from typer.core import TyperGroup

from . import output
from . import commands as _commands
from .diagnostics import CchcError, PlanInvalid
from .i18n import _, set_language

# Modules that add commands to `app` through a `register(app)` function (see cchc/commands.py).
COMMAND_MODULES: tuple[str, ...] = tuple(_commands.COMMAND_MODULES)


def _hoist_lang(args: list[str]) -> list[str]:
    """Move `--lang X` / `--lang=X` to the front, where the app's own options are parsed."""
    front: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            rest.extend(args[i:])
            break
        if arg == "--lang" and i + 1 < len(args):
            front += args[i:i + 2]
            i += 2
            continue
        if arg.startswith("--lang="):
            front.append(arg)
        else:
            rest.append(arg)
        i += 1
    return front + rest


def _not_utf8(arg: str) -> bool:
    try:
        arg.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _shown(arg: str) -> str:
    """The argument as typed, its stray bytes as \\xNN."""
    try:
        return arg.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:
        return arg.encode("utf-8", "backslashreplace").decode("utf-8")


class CchcGroup(TyperGroup):
    """Turns every known error into one line and an exit code, for the console and for tests."""

    def parse_args(self, ctx, args):
        # `--lang` belongs to `cchc` itself, but users type it after the command too
        # (`cchc status --lang en`), so every command accepts it wherever it is written.
        # Bytes that are not UTF-8 reach Python as lone surrogates, which no file or message can hold.
        ctx.meta["cchc.not_utf8"] = next((a for a in args if _not_utf8(a)), None)
        return super().parse_args(ctx, _hoist_lang(list(args)))

    def invoke(self, ctx):
        from .outputs import landed

        written = len(landed)
        try:
            bad = ctx.meta.get("cchc.not_utf8")
            if bad is not None:
                raise CchcError(_("đối số dòng lệnh “{arg}” không phải văn bản UTF-8; hãy gõ lại bằng bảng mã UTF-8"
                                  ).format(arg=_shown(bad)),
                                exit_code=2)
            return super().invoke(ctx)
        except PlanInvalid as e:
            for d in e.diagnostics:
                output.message(str(d))
            raise typer.Exit(e.exit_code) from None
        except CchcError as e:
            output.message(_("lỗi: {message}").format(message=str(e)))
            raise typer.Exit(e.exit_code) from None
        except KeyboardInterrupt:
            from .outputs import landed

            if len(landed) > written:  # the new plan is in place: stopping now would invite a retry
                output.message(_("{path}: thay đổi đã được ghi xong trước khi dừng; xem thay đổi: git diff -- {path}"
                                 ).format(path=landed[-1]))
                raise typer.Exit(0) from None
            output.message(_("đã dừng theo yêu cầu"))
            raise typer.Exit(130) from None
        except Exception as e:  # noqa: BLE001 - the last line of defence against a traceback
            # Typer's own exits and usage errors (its bundled Click) pass through untouched.
            if type(e).__module__.startswith(("typer", "click")) or os.environ.get("CCHC_DEBUG"):
                raise
            output.message(_("lỗi không mong đợi: {kind}: {detail} (đặt CCHC_DEBUG=1 để xem chi tiết)").format(
                kind=type(e).__name__, detail=e))
            raise typer.Exit(1) from None


app = typer.Typer(
    name="cchc",
    cls=CchcGroup,
    help=_("Theo dõi kế hoạch cải cách hành chính (CCHC): kiểm tra, tra cứu, ghi tiến độ, lập báo cáo."),
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    add_completion=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def _main(
    lang: Annotated[Optional[str], typer.Option("--lang", help=_("Ngôn ngữ thông báo: vi (mặc định) hoặc en."),
                                                envvar="CCHC_LANG")] = None,
) -> None:
    output.setup_streams()
    if lang:
        set_language(lang)


# --- options shared by commands ---------------------------------------------------------------

def _as_of(value: Optional[str]) -> Optional[dt.date]:
    from .periods import parse_user_date

    if value is None:
        return None
    try:
        return parse_user_date(value)
    except ValueError as e:
        raise typer.BadParameter(str(e)) from None


# `--plan/-p` everywhere; the read commands also take `--file/-f` (the recording commands keep
# `--file` for an evidence file).
PlanOpt = Annotated[Optional[str], typer.Option(
    "--plan", "-p", "--file", "-f", help=_("Tệp kế hoạch (mặc định: $CCHC_PLAN, rồi plan_*.yaml ở thư mục hiện tại)."),
    show_default=False)]
AsOfOpt = Annotated[Optional[str], typer.Option(
    "--as-of", help=_("Tính tại ngày này (dd/mm/yyyy hoặc yyyy-mm-dd); mặc định hôm nay."), show_default=False)]
JsonOpt = Annotated[bool, typer.Option("--json", help=_("In kết quả dạng JSON."))]
ForceOpt = Annotated[bool, typer.Option("--force", help=_(
    "Thay tệp kết quả đã có (không bao giờ ghi đè tệp kế hoạch hay tệp trong .git)."))]


def plan_path(file: Optional[str]) -> Path:
    from .planfile import find_plan

    return find_plan(file)


def open_plan(file: Optional[str]):
    """Find and load the plan named by `--file`, $CCHC_PLAN or the current folder.

    Through the cache of validated plans (cchc/cache.py): an unchanged file is not parsed again.
    """
    from .cache import load_cached

    return load_cached(plan_path(file))


def as_of_date(value: Optional[str]) -> dt.date:
    return _as_of(value) or dt.date.today()


# --- validate, status ------------------------------------------------------------------------

@app.command()
def validate(
    paths: Annotated[Optional[list[str]], typer.Argument(
        metavar="[PATH]...", help=_("Tệp kế hoạch cần kiểm tra."), show_default=False)] = None,
    file: PlanOpt = None,
    json_out: JsonOpt = False,
    verify_files: Annotated[bool, typer.Option("--verify-files", help=_(
        "Tính lại mã SHA-256 của mọi tệp kiểm chứng, kể cả tệp không đổi kích thước và thời gian sửa."))] = False,
) -> None:
    """Kiểm tra tệp kế hoạch: in mọi lỗi, mỗi lỗi một dòng TỆP:DÒNG:CỘT: nội dung."""
    from .checks import evidence_file_findings, finding_json, format_finding
    from .evidence import FileHashes
    from .planfile import load

    # Several files: a pre-commit hook passes every staged plan file at once.
    targets = [plan_path(p) for p in paths] if paths else [plan_path(file)]
    results = []
    hashes = FileHashes(trust_record=not verify_files)
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
            for p in problems:
                typer.echo(str(p))
            for w in warnings:
                typer.echo(format_finding(w))
            if not problems:
                output.message(_("{path}: hợp lệ").format(path=target))
    if any(problems for _t, problems, _w in results):
        raise typer.Exit(1)


@app.command()
def status(
    file: PlanOpt = None,
    as_of: AsOfOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Tình hình thực hiện kế hoạch: từng lĩnh vực, các chỉ tiêu, nhiệm vụ quá hạn và sắp đến hạn."""
    from .status import plan_status
    from .views import status_json, status_tables

    loaded = open_plan(file)
    day = as_of_date(as_of)
    if as_of is None and day.year != loaded.plan.plan.year:
        # Run in another year, every unfinished task shows as late: say why, and how to look back.
        output.message(_("Lưu ý: hôm nay nằm ngoài năm kế hoạch {year}; xem tình hình tại một ngày trong năm "
                         "bằng --as-of, ví dụ --as-of 14/06/{year}").format(year=loaded.plan.plan.year))
    facts = plan_status(loaded.plan, day)
    if json_out:
        output.print_json(status_json(loaded.plan, facts))
    else:
        output.print_tables(status_tables(loaded.plan, facts))


for _module in _commands.selected_modules():
    importlib.import_module(f"cchc.{_module}").register(app)


def main() -> None:
    # Pydantic looks for plugins through every installed package's entry points when the first
    # model is built (~10 ms of each command); cchc uses none. A value set by the user is kept.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    from .outputs import landed

    try:
        app(prog_name="cchc")
    except KeyboardInterrupt:  # after CchcGroup.invoke returned: the command's work is done or not begun
        raise SystemExit(0 if landed else 130) from None
    finally:
        if landed:  # a plan was written and reported: an interrupt now changes nothing
            import signal

            signal.signal(signal.SIGINT, signal.SIG_IGN)
