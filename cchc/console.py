"""The `cchc` console script: registers only the invoked command's module, then runs the app."""

from __future__ import annotations

import os
import sys

from .command_modules import select_for


def main() -> None:
    # Shell completion asks about every command; give it all of them.
    if not any(k.startswith("_CCHC_COMPLETE") for k in os.environ):
        select_for(sys.argv[1:])
    # Pydantic looks for plugins through every installed package's entry points when the first
    # model is built (~10 ms of each command); cchc uses none. A value set by the user is kept.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    from .cli import app

    app(prog_name="cchc")
