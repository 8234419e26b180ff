"""Which module defines which command, so a run imports only the module it needs.

Typer turns every registered command into a Click command before it runs one; with all of them
that is a good share of `cchc status`'s start-up. The console script (`cchc.console`) therefore
looks at the command word first (`select_for`) and `cchc.cli` registers only that command's module. Help,
completion, an unknown word or a library import get every command. `tests/test_commands.py`
keeps this table equal to what the modules really register.
"""

from __future__ import annotations

# In registration order: cli_edit comes after cli_query because it adds `kpi record` to the `kpi`
# command that cli_query defines.
COMMAND_MODULES: dict[str, tuple[str, ...]] = {
    "cli_plan": ("validate", "status"),
    "cli_query": ("tasks", "show", "kpi", "targets", "units", "check"),
    "cli_report": ("report",),
    "cli_review": ("diff", "log", "schema", "export", "new"),
    "cli_edit": ("update", "done", "evidence", "kpi", "note", "reopen"),
    "cli_import": ("import",),
    "cli_submit": ("submit",),
    "cli_serve": ("serve",),
    "cli_forms": ("forms", "collect"),
}
_APP_OPTIONS_WITH_VALUE = ("--lang",)

_selected: tuple[str, ...] | None = None


def command_word(argv: list[str]) -> str | None:
    """The subcommand named on a command line, skipping the app's own options."""
    skip = False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg in _APP_OPTIONS_WITH_VALUE:
            skip = True
            continue
        if arg.startswith("-"):
            if arg in ("-h", "--help", "--install-completion", "--show-completion"):
                return None
            continue
        return arg
    return None


def modules_for(command: str | None) -> tuple[str, ...]:
    chosen = tuple(m for m, names in COMMAND_MODULES.items() if command in names)
    return chosen or tuple(COMMAND_MODULES)


def select_for(argv: list[str]) -> None:
    """Register only what `argv` runs, when cchc.cli is imported next."""
    global _selected
    _selected = modules_for(command_word(argv))


def selected_modules() -> tuple[str, ...]:
    return tuple(COMMAND_MODULES) if _selected is None else _selected

