"""The `cchc` console script: registers only the invoked command's module, then runs the app.

Start-up and exit are kept short (cchc/startup.py): option values are converted without Typer's
Pydantic adapters, and the process ends without tearing down its heap once the app returned.
"""

from __future__ import annotations

import os
import sys

from .command_modules import select_for
from .startup import finish, light_options


def main() -> None:
    # Shell completion asks about every command; give it all of them.
    if not any(k.startswith("_CCHC_COMPLETE") for k in os.environ):
        select_for(sys.argv[1:])
    # Pydantic looks for plugins through every installed package's entry points when the first
    # model is built (~10 ms of each command); cchc uses none. A value set by the user is kept.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    light_options()
    from .cli import app
    from .outputs import landed

    try:
        app(prog_name="cchc")
    except SystemExit as e:
        finish(exit_status(e.code))
    except KeyboardInterrupt:  # after the command returned: its work is done (a plan written) or not begun
        finish(0 if landed else 130)
    finish(0)


def exit_status(code: object) -> int:
    """The status `sys.exit(code)` would end with (a message is printed, and is status 1)."""
    if code is None or isinstance(code, int):
        return code or 0
    print(code, file=sys.stderr)
    return 1
