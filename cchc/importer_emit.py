"""The imported plan as YAML text, each field that was not read verbatim under a comment.

The text is written here rather than dumped by ruamel.yaml so every comment sits exactly above
the field it is about, in the plan file's own layout (2-space indent, "" and [] for empty
values, double quotes only where needed). Scalars are plain only when they cannot mean anything
but themselves; the result is parsed back and validated before it is written.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import textwrap
from dataclasses import dataclass
from typing import Any

CONFIRM = "kiểm tra lại"
WIDTH = 110

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")
_UNPRINTABLE = re.compile(r"[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")


@dataclass
class Noted:
    """A value with the comment to write above it; `guess` adds "kiểm tra lại" and is counted."""

    value: Any
    note: str
    guess: bool = True


def _plain_ok(text: str) -> bool:
    from ruamel.yaml.nodes import ScalarNode

    if not text or text != text.strip() or _CONTROL.search(text) or ":" in text or "#" in text:
        return False
    if not (text[0].isalnum() or text[0] in "(“‘"):
        return False
    return _resolver().resolve(ScalarNode, text, (True, False)) == "tag:yaml.org,2002:str"


_RESOLVER = None


def _resolver():
    global _RESOLVER
    if _RESOLVER is None:
        from ruamel.yaml.resolver import VersionedResolver

        _RESOLVER = VersionedResolver()
    return _RESOLVER


def scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    if _plain_ok(text):
        return text
    # JSON's escapes are YAML's; YAML also refuses DEL, C1 controls and the odd line separators raw.
    return _UNPRINTABLE.sub(lambda m: f"\\u{ord(m[0]):04x}", json.dumps(text, ensure_ascii=False))


class Emitter:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.guesses = 0

    def comment(self, indent: int, text: str) -> None:
        # Comments quote the document: no control character may end the comment line early.
        # "kiểm tra lại" is never cut across two lines, so each marked guess is found with one grep.
        glued = _CONTROL.sub(" ", text).replace(CONFIRM, CONFIRM.replace(" ", "\x00"))
        for line in textwrap.wrap(glued, WIDTH - indent - 2, break_long_words=False, break_on_hyphens=False) or [""]:
            self.lines.append(f"{' ' * indent}# {line}".replace("\x00", " ").rstrip())

    def _note(self, indent: int, value: Any) -> Any:
        if isinstance(value, Noted):
            note = value.note
            if value.guess:
                self.guesses += 1
                note = f"{note}; {CONFIRM}"
            self.comment(indent, note)
            return value.value
        return value

    def mapping(self, data: dict, indent: int) -> None:
        pad = " " * indent
        for key, value in data.items():
            head = f"{pad}{scalar(key)}:"
            inner = value.value if isinstance(value, Noted) else value
            if indent == 0 and isinstance(inner, (dict, list)) and inner:
                # a top-level section's comment goes under its key, as in the bundled plan file
                self.lines.append(head)
                value = self._note(indent + 2, value)
            else:
                value = self._note(indent, value)
                if isinstance(value, (dict, list)) and value:
                    self.lines.append(head)
            if isinstance(value, dict):
                if value:
                    self.mapping(value, indent + 2)
                else:
                    self.lines.append(head + " {}")
            elif isinstance(value, list):
                if value:
                    self.sequence(value, indent + 2)
                else:
                    self.lines.append(head + " []")
            else:
                self.lines.append(f"{head} {scalar(value)}")

    def sequence(self, items: list, indent: int) -> None:
        pad = " " * indent
        for item in items:
            item = self._note(indent, item)
            if isinstance(item, dict) and item:
                start = len(self.lines)
                self.mapping(item, indent + 2)
                # the item's first key line (after any comment lines) takes the dash
                first = next(i for i in range(start, len(self.lines)) if not self.lines[i].lstrip().startswith("#"))
                self.lines[first] = f"{pad}- {self.lines[first][indent + 2:]}"
            else:
                self.lines.append(f"{pad}- {scalar(item)}")


def render(data: dict, header: list[str], modeline: str) -> tuple[str, int]:
    """The plan file's text and the number of guesses it marks."""
    emitter = Emitter()
    emitter.lines.append(modeline)
    for line in header:
        emitter.comment(0, line)
    emitter.mapping(data, 0)
    return "\n".join(emitter.lines) + "\n", emitter.guesses
