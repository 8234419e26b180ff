"""Click's own words in the user's language: usage lines, help pages and usage errors.

Typer's bundled Click writes fixed English ("Usage:", "Options:", "Error: No such option").
`localize` gives every command of the app the methods of `LocalizedHelp`, which write one
help layout for every page — usage, description, arguments, options, commands, epilog — with
headings, `[mặc định: …]` and metavars in Vietnamese, or in English under `--lang en`; command
descriptions and option help are translated when the page is written, so `--lang` reaches them
too. `show_usage_error` is the Vietnamese `Error:` block, used by the app's group.
"""

from __future__ import annotations

import re
import sys
import types
from typing import Any

from .i18n import N_, _

# Typer's and Click's English help strings, as Vietnamese msgids.
CLICK_TEXT = {
    "Show this message and exit.": N_("Hiện trang trợ giúp này rồi thoát."),
    "Install completion for the current shell.": N_("Cài gợi ý khi gõ Tab cho shell đang dùng."),
    "Show completion for the current shell, to copy it or customize the installation.": N_(
        "In đoạn mã gợi ý Tab của shell đang dùng, để chép hoặc tự cài."),
}
SHORT_HELP = 60  # characters of a command's description in a group's list of commands


def text(value: str | None) -> str:
    """A help string in the current language (Vietnamese msgids, and Click's English through CLICK_TEXT)."""
    return _(CLICK_TEXT.get(value, value)) if value else ""


def _metavar(param) -> str:
    if param.metavar:
        return _(param.metavar)
    return (param.name or "").upper()


def _is_flag(param) -> bool:
    return bool(getattr(param, "is_flag", False)) or getattr(param, "count", False)


def _usage_piece(argument) -> str:
    name = _metavar(argument)
    if argument.nargs == -1 and not name.endswith("..."):
        name += "..."
    if not argument.required and not name.startswith("["):
        name = f"[{name}]"
    return name


def _extras(param, ctx) -> str:
    parts = []
    envvar = getattr(param, "envvar", None)
    if envvar and getattr(param, "show_envvar", False):
        parts.append(_("biến môi trường: {name}").format(name=envvar if isinstance(envvar, str) else envvar[0]))
    default = param.get_default(ctx, call=False)
    if getattr(param, "show_default", True) not in (False, None) and default not in (None, False, "", [], ()) \
            and not _is_flag(param):
        parts.append(_("mặc định: {value}").format(value=default))
    if param.required:
        parts.append(_("bắt buộc"))
    return "  [" + "; ".join(parts) + "]" if parts else ""


def _option_record(param, ctx) -> tuple[str, str]:
    names = sorted(param.opts, key=lambda n: (n.startswith("--"), param.opts.index(n)))
    shown = ", ".join(names)
    if param.secondary_opts:
        shown += " / " + ", ".join(param.secondary_opts)
    if not _is_flag(param):
        shown += " " + _metavar(param)
    return shown, text(param.help) + _extras(param, ctx)


class LocalizedHelp:
    """The help-writing methods every command of the app gets (`localize`): one layout, the user's language."""

    def collect_usage_pieces(self, ctx) -> list[str]:
        pieces = [_("[TÙY_CHỌN]")]
        pieces += [_usage_piece(p) for p in self.get_params(ctx) if p.param_type_name == "argument"]
        if hasattr(self, "commands"):
            pieces.append(_("LỆNH [THAM_SỐ]..."))
        return pieces

    def format_usage(self, ctx, formatter) -> None:
        formatter.write_usage(ctx.command_path, " ".join(self.collect_usage_pieces(ctx)), prefix=_("Cách dùng: "))

    def format_help(self, ctx, formatter) -> None:
        self.format_usage(ctx, formatter)
        if self.help:
            formatter.write_paragraph()
            with formatter.indentation():
                formatter.write_text(text(self.help))
        params = [p for p in self.get_params(ctx) if not getattr(p, "hidden", False)]
        arguments = [(_metavar(p), text(getattr(p, "help", None))) for p in params
                     if p.param_type_name == "argument"]
        options = [_option_record(p, ctx) for p in params if p.param_type_name == "option"]
        commands = [(name, _short(cmd)) for name, cmd in getattr(self, "commands", {}).items() if not cmd.hidden]
        for title, rows in ((_("Đối số"), arguments), (_("Tùy chọn"), options), (_("Lệnh"), commands)):
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)
        if self.epilog:
            formatter.write_paragraph()
            with formatter.indentation():
                formatter.write_text(text(self.epilog))


def _short(cmd) -> str:
    help_text = text(cmd.short_help or cmd.help).split("\n\n")[0].replace("\n", " ")
    return help_text if len(help_text) <= SHORT_HELP else help_text[:SHORT_HELP - 1].rsplit(" ", 1)[0] + "…"


def localize(command) -> Any:
    """Give `command` and every command below it the `LocalizedHelp` methods; returns `command`.

    Bound on the objects rather than mixed into their classes: Typer builds each command from a
    class of its own choosing (`TyperCommand`, `TyperGroup` or a command module's subclass).
    """
    for name in ("collect_usage_pieces", "format_usage", "format_help"):
        setattr(command, name, types.MethodType(getattr(LocalizedHelp, name), command))
    for sub in getattr(command, "commands", {}).values():
        localize(sub)
    return command


# --- usage errors ---------------------------------------------------------------------------------

_MESSAGES: list[tuple[re.Pattern, str]] = [
    (re.compile(r"^Got unexpected extra argument(?:s|\(s\))? \((?P<args>.*)\)$"), N_("thừa đối số: {args}")),
    (re.compile(r"^No such command '(?P<name>[^']*)'\.(?: Did you mean (?P<near>.*)\?)?$"),
     N_("không có lệnh “{name}”")),
    (re.compile(r"^Missing command\.$"), N_("thiếu tên lệnh")),
    (re.compile(r"^Option '(?P<name>[^']*)' requires an argument\.$"), N_("tùy chọn {name} cần một giá trị")),
    (re.compile(r"^Option '(?P<name>[^']*)' requires (?P<n>\d+) arguments\.$"),
     N_("tùy chọn {name} cần {n} giá trị")),
    (re.compile(r"^Option '(?P<name>[^']*)' does not take a value\.$"), N_("tùy chọn {name} không nhận giá trị")),
]
_PYDANTIC_INT = re.compile(r"^Input should be a valid integer")


def _param_name(param, ctx) -> str:
    if param.param_type_name == "argument":
        return _metavar(param)
    return " / ".join(param.opts)


def error_message(e) -> str:
    """The message of Click usage error `e`, in the current language."""
    from typer._click import exceptions as ce

    param = getattr(e, "param", None)
    if isinstance(e, ce.MissingParameter) and param is not None:
        kind = _("đối số") if param.param_type_name == "argument" else _("tùy chọn")
        return _("thiếu {kind} {name}").format(kind=kind, name=_param_name(param, e.ctx))
    if isinstance(e, ce.NoSuchOption):
        message = _("không có tùy chọn {name}").format(name=e.option_name)
        if e.possibilities:
            message += _("; có phải {names}?").format(names=", ".join(sorted(e.possibilities)))
        return message
    if isinstance(e, ce.BadParameter):
        detail = _("cần một số nguyên") if _PYDANTIC_INT.match(e.message) else e.message
        if param is None:
            return _("giá trị không hợp lệ: {detail}").format(detail=detail)
        return _("giá trị không hợp lệ cho {name}: {detail}").format(name=_param_name(param, e.ctx), detail=detail)
    for pattern, msgid in _MESSAGES:
        m = pattern.match(e.message)
        if m:
            message = _(msgid).format(**m.groupdict())
            if m.groupdict().get("near"):
                message += _("; có phải {names}?").format(names=m["near"].replace("'", ""))
            return message
    return e.message


def show_usage_error(e) -> None:
    """Click's `Usage: … / Try '… -h' for help. / Error: …` block, in the current language."""
    from typer._click import exceptions as ce

    if isinstance(e, ce.NoArgsIsHelpError):
        sys.stderr.write(e.format_message().rstrip("\n") + "\n")
        return
    ctx = getattr(e, "ctx", None)
    if ctx is not None:
        sys.stderr.write(ctx.get_usage() + "\n")
        sys.stderr.write(_("Xem “{command} -h” để biết cách dùng.").format(command=ctx.command_path) + "\n\n")
    sys.stderr.write(_("Lỗi: {message}").format(message=error_message(e)) + "\n")
