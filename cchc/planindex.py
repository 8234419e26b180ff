"""Where each task and target sits in a plan file, for edits that parse only that part (cchc/fastedit.py).

`index_of` runs on a fully parsed plan and is stored with its cache entry (cchc/cache.py): the
lines of every task and target, and what `TextEdit.style` finds above them. A file with a YAML
directive or an anchor/alias gets no index: a part of it may not read alone as it does in the file.
"""

from __future__ import annotations

import re

from .diagnostics import CchcError
from .planfile import PlanDocument
from .yamledit import TextEdit

_DASH = re.compile(r" *- +")


def index_of(doc: PlanDocument) -> dict | None:
    """Where each task and target of a parsed plan sits; None if edits of this file must take the full path.

    {"blocks": {path: (first line, end line)}, "styles": {holder: ((kind, offset), ...)}}: a
    block's lines run from its `- ` line to its last content line (0-based, end exclusive);
    `styles` holds what `TextEdit.style` finds above the block (the area's keys, then the
    document's), which the block alone cannot see.
    """
    text = doc.text
    if text.startswith("%") or "\n%" in text or _has_anchor(text):
        return None  # a directive or an alias: a block may not read alone as it does in the file
    try:
        edit = TextEdit(doc)
    except CchcError:
        return None
    data = doc.data
    root = _outer_style(edit, [()])
    if root is None:
        return None
    blocks: dict[tuple, tuple[int, int]] = {}
    styles: dict[tuple, tuple] = {(): root}
    for ai, area in enumerate(data.get("areas") or ()):
        area_style = _outer_style(edit, [("areas", ai), ()])
        if area_style is not None:
            styles[("areas", ai)] = area_style
            for ti in range(len(area.get("tasks") or ())):
                _add_block(edit, ("areas", ai, "tasks", ti), blocks)
    for di in range(len(data.get("duties") or ())):
        _add_block(edit, ("duties", di), blocks)
    for i in range(len(data.get("targets") or ())):
        _add_block(edit, ("targets", i), blocks)
    return {"blocks": blocks, "styles": styles}


def _has_anchor(text: str) -> bool:
    """Whether `text` may hold an anchor or alias, as yamledit._ANCHOR says, fast over a whole plan.

    `str.find` skips to each `&` or `*` at memory speed (a regex search walks every character);
    a hit counts when it starts the text or follows whitespace, `[`, `{` or `,`, and is followed by
    a character that can start a name.
    """
    for mark in "&*":
        i = text.find(mark)
        while i != -1:
            after = text[i + 1:i + 2]
            if (i == 0 or text[i - 1].isspace() or text[i - 1] in "[{,") and after and not after.isspace() \
                    and after not in ",[]{}":
                return True
            i = text.find(mark, i + 1)
    return False


def _outer_style(edit: TextEdit, levels: list[tuple]) -> tuple | None:
    """The first keyed block sequence and mapping among the keys of the mappings at `levels`.

    None when one of the two is not found there: `TextEdit.style` would then look through the
    whole file, which a block edit cannot do exactly.
    """
    found: dict[str, int] = {}
    for level in levels:
        node = edit._data_at(level)
        for key, value in node.items() if isinstance(node, dict) else ():
            kind = edit._keyed_block(level + (key,), value)
            if kind is not None:
                found.setdefault(*kind)
    return tuple(found.items()) if len(found) == 2 else None


def _add_block(edit: TextEdit, path: tuple, blocks: dict) -> None:
    span = edit.spans.get(path)
    if span is None or edit._first_char(span) in ("[", "{", ""):
        return
    if not _DASH.fullmatch(edit.text[edit._starts[span.line]:edit.offset(span.line, span.column)]):
        return
    blocks[path] = (span.line, edit.last_line(path) + 1)


def styles_key(holder: tuple) -> tuple:
    """Which stored style a node at `holder` uses: its area's, or the document's."""
    return holder[:2] if holder[0] == "areas" else ()


def shifted(index: dict, holder: tuple, delta: int) -> dict:
    """The index after an edit inside `holder`'s block changed the file's line count by `delta`."""
    first, end = index["blocks"][holder]
    blocks = {}
    for path, (a, b) in index["blocks"].items():
        if path == holder:
            blocks[path] = (a, b + delta)
        elif a >= end:
            blocks[path] = (a + delta, b + delta)
        else:
            blocks[path] = (a, b)
    return {"blocks": blocks, "styles": index["styles"]}
