"""The `cchc` Typer app and its group, which turns every error into one line and an exit code.

Commands live in the `cli_*` modules; each adds its commands to `app` through `register(app)`
(`command_modules` says which module defines which command, so a run registers only the one it
needs). Their shared options and `open_plan` are in `cmdoptions`.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Annotated, Optional

import typer
from typer import Abort
from typer._click.exceptions import ClickException, UsageError
from typer.core import TyperGroup

from . import command_modules, output
from .clihelp import localize, show_usage_error
from .cmdoptions import error_lines, exit_code_for, rename_options
from .diagnostics import CchcError
from .diagnostics import UsageError as BadUsage  # Click has its own UsageError
from .i18n import _, set_language


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


def _landed_line(path) -> str:
    return _("{path}: thay đổi đã được ghi xong trước khi dừng; xem thay đổi: git diff -- {path}").format(path=path)


class CchcGroup(TyperGroup):
    """Turns every known error into one line and an exit code, for the console and for tests.

    Its commands, and Click's own words in help pages and usage errors, speak the user's language
    (`clihelp`).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        localize(self)

    def main(self, *args, standalone_mode: bool = True, **kwargs):
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        from .outputs import landed

        written = len(landed)
        try:
            code = super().main(*args, standalone_mode=False, **kwargs)
        except UsageError as e:
            show_usage_error(e)
            sys.exit(e.exit_code)
        except ClickException as e:
            output.message(_("lỗi: {message}").format(message=e.format_message()))
            sys.exit(e.exit_code)
        except Abort:  # Click's word for a Ctrl-C it caught
            if len(landed) > written:
                output.message(_landed_line(landed[-1]))
                sys.exit(0)
            output.message(_("đã dừng theo yêu cầu"))
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)

    def parse_args(self, ctx, args):
        # `--lang` belongs to `cchc` itself, but users type it after the command too
        # (`cchc status --lang en`), so every command accepts it wherever it is written.
        # Bytes that are not UTF-8 reach Python as lone surrogates, which no file or message can hold.
        ctx.meta["cchc.not_utf8"] = next((a for a in args if _not_utf8(a)), None)
        return super().parse_args(ctx, _hoist_lang(list(args)))

    def resolve_command(self, ctx, args):
        # Options renamed for one vocabulary (`--file` → `--plan`/`--attach`…) still work, with a note.
        name, cmd, rest = super().resolve_command(ctx, args)
        path = f"{name} {rest[0]}" if isinstance(cmd, TyperGroup) and rest else name
        notes: list[str] = []
        rest = rename_options(path or "", list(rest), notes)
        if not ctx.resilient_parsing:
            for note in notes:
                output.message(note)
        return name, cmd, rest

    def invoke(self, ctx):
        from .outputs import landed

        written = len(landed)
        try:
            bad = ctx.meta.get("cchc.not_utf8")
            if bad is not None:
                raise BadUsage(_("đối số dòng lệnh “{arg}” không phải văn bản UTF-8; hãy gõ lại bằng bảng mã UTF-8"
                                 ).format(arg=_shown(bad)))
            return super().invoke(ctx)
        except CchcError as e:
            for line in error_lines(e):
                output.message(line)
            raise typer.Exit(exit_code_for(e)) from None
        except KeyboardInterrupt:
            if len(landed) > written:  # the new plan is in place: stopping now would invite a retry
                output.message(_landed_line(landed[-1]))
                raise typer.Exit(0) from None
            output.message(_("đã dừng theo yêu cầu"))
            raise typer.Exit(130) from None
        except BrokenPipeError:
            # The reader stopped early (`cchc tasks | head -1`): what it wanted was written.
            output.silence_stdout()
            raise typer.Exit(0) from None
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


def _choose_language(lang: Optional[str]) -> Optional[str]:
    # Eager, so that `cchc --lang en -h` already writes the help page in English.
    if lang:
        set_language(lang)
    return lang


@app.callback()
def _main(
    lang: Annotated[Optional[str], typer.Option(
        "--lang", metavar=_("NGÔN_NGỮ"), help=_("Ngôn ngữ thông báo: vi (mặc định) hoặc en."), envvar="CCHC_LANG",
        is_eager=True, callback=_choose_language)] = None,
) -> None:
    output.setup_streams()


for _module in command_modules.selected_modules():
    importlib.import_module(f"cchc.{_module}").register(app)

