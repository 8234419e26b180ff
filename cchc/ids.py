"""Resolving the task and target ids users type, with suggestions for the ones that do not exist."""

from __future__ import annotations

import difflib

from .diagnostics import Refused
from .i18n import _
from .text import fold, nfc


def suggest(wanted: str, ids: list[str]) -> str:
    """"; có phải 3.đ?": ids equal once diacritics are folded (`3.d` ~ `3.đ`) first, then close ones."""
    key = fold(wanted)
    near = [i for i in ids if fold(i) == key]
    near += [i for i in difflib.get_close_matches(wanted, ids, n=3, cutoff=0.6) if i not in near]
    if not near:
        return ""
    return _("; có phải {ids}?").format(ids=", ".join(near[:3]))


def resolve_id(typed: str, ids: list[str], unknown: str) -> str:
    """The id among `ids` that `typed` names: exactly after NFC, else the only one equal ignoring case.

    `3.d` never resolves to `3.đ` (they are different tasks); it is only suggested. `unknown` is
    the refusal message, with `{id}` and `{hint}` placeholders.
    """
    wanted = nfc(typed.strip())
    if wanted in ids:
        return wanted
    same = [i for i in ids if i.casefold() == wanted.casefold()]
    if len(same) == 1:
        return same[0]
    raise Refused(unknown.format(id=wanted, hint=suggest(wanted, ids)))
