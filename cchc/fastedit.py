"""Edits without parsing the whole plan: the cached positions of each task and target.

A write normally parses and validates the whole file before its splice (a second on a 3 MB
plan). When the cache holds a trusted entry for the file's exact bytes (cchc/cache.py), the plan
is already known valid and the entry says which lines hold each task and target (planindex.py).
`attempt` then parses only the lines of the one task or target the command names, lets the
command make its splice on that block (`BlockEdit`, a `TextEdit` that sees only those lines),
parses the edited node alone to check it reads back as intended, and validates only the changed
task or target plus the cross-field rules it takes part in (unit references, its id's lettering,
dates in the plan year: `semantic_problems` on a plan holding just that node). The new plan and
index are stored in the cache, so the next command is warm too.

The result is the full path's, byte for byte, or nothing: whenever the fast path cannot show
that (no trusted entry, anchors or directives in the file, a node outside the block touched, the
new node invalid, a rule across the whole plan) it returns None or raises `NotShown` and the
writer takes the full path, which also gives the refusal's exact messages.
tests/test_fastedit.py runs every write command through both paths and compares the bytes and
the refusals.
"""

from __future__ import annotations

from typing import Any, Callable

from .diagnostics import CchcError, PlanInvalid
from .planfile import LoadedPlan, PlanDocument, Span, _span, parse_document
from .planindex import index_of, shifted, styles_key
from .yamledit import TextEdit, _line_starts

# Which part of a plan an edit works on: ("task", id) or ("target", id).
Scope = tuple[str, str]


class NotShown(Exception):
    """The fast path cannot show its result equals the full path's: take the full path."""


# --- a block as a document --------------------------------------------------------------------

class BlockEdit(TextEdit):
    """A `TextEdit` on one task's or target's lines; above them it knows only the stored style."""

    def __init__(self, doc: PlanDocument, starts: list[int], holder: tuple, outer_style: tuple):
        super().__init__(doc, starts)
        self.holder, self.outer_style = holder, outer_style

    def style(self, path: tuple) -> tuple[int, int]:
        # As TextEdit.style: the nearest mappings' keys first, from `path` up; above the block the
        # stored answer for the levels that the block does not hold (see `index_of`).
        if path[:len(self.holder)] != self.holder:
            raise NotShown("style asked outside the block")
        found: dict[str, int] = {}
        for depth in range(len(path), len(self.holder) - 1, -1):
            node = self._data_at(path[:depth])
            for key, value in node.items() if isinstance(node, dict) else ():
                kind = self._keyed_block(path[:depth] + (key,), value)
                if kind is not None:
                    found.setdefault(*kind)
        for kind, offset in self.outer_style:
            found.setdefault(kind, offset)
        return found.get("seq", 2), found.get("map", 2)

    def value(self, path: tuple) -> Any:
        try:
            return super().value(path)
        except (KeyError, IndexError, TypeError):
            raise NotShown(f"{path} is outside the block") from None


def block_document(path, text: str, starts: list[int], holder: tuple, first: int, end: int) -> PlanDocument:
    """The plan's text with the data and spans of only the node at `holder` (lines first..end)."""
    lines_from = starts[first] if first < len(starts) else len(text)
    lines_to = starts[end] if end < len(starts) else len(text)
    # Blank lines before the block keep every line number as in the whole file.
    try:
        part = parse_document(path, "\n" * first + text[lines_from:lines_to])
    except PlanInvalid:
        raise NotShown("the block does not parse alone") from None
    if not isinstance(part.data, list) or len(part.data) != 1 or not isinstance(part.data[0], dict):
        raise NotShown("the block is not one mapping")
    spans: dict[tuple, Span] = {}
    for p, span in part.spans.items():
        if p and span is not None:
            spans[holder + p[1:]] = span if p != (0,) else _span(span.line, span.column, span.end_line,
                                                                    span.end_column)
    data: Any = part.data[0]
    for key in reversed(holder):
        data = {key: data}  # int keys work as indexes for TextEdit.value
    return PlanDocument(path=path, text=text, data=data, spans=spans)


# --- the fast edit ----------------------------------------------------------------------------

def resolve(plan: Any, scope: Scope) -> tuple | None:
    """The document path of the task or target `scope` names exactly, else None."""
    from .text import nfc

    kind, wanted = scope
    if kind == "task":
        return plan.task_paths().get(nfc(wanted))
    if kind == "target":
        return next((("targets", i) for i, t in enumerate(plan.targets) if t.id == wanted), None)
    return None


def model_at(holder: tuple):
    from .model import Target, Task

    return Target if holder[0] == "targets" else Task


def _node(plan: Any, holder: tuple) -> Any:
    if holder[0] == "areas":
        return plan.areas[holder[1]].tasks[holder[3]]
    return getattr(plan, holder[0])[holder[1]]


def replaced(plan: Any, holder: tuple, model: Any) -> Any:
    """`plan` with the task or target at `holder` replaced by `model` (nothing else copied)."""
    if holder[0] == "areas":
        areas = list(plan.areas)
        tasks = list(areas[holder[1]].tasks)
        tasks[holder[3]] = model
        areas[holder[1]] = areas[holder[1]].model_copy(update={"tasks": tasks})
        return plan.model_copy(update={"areas": areas})
    items = list(getattr(plan, holder[0]))
    items[holder[1]] = model
    return plan.model_copy(update={holder[0]: items})


def check_node(plan: Any, holder: tuple, node: dict) -> Any:
    """The validated model of the new `node` at `holder`, if the plan around it stays valid; else NotShown.

    The rest of the plan is unchanged and was valid, so the node's own schema and the rules that
    connect it to the rest decide it: those run on a plan holding only this node, with the
    plan's year and units (and, for a task, its area's number). Its id must stay the same (the
    plan-wide uniqueness of ids is then unchanged).
    """
    from pydantic import ValidationError

    from .model import Area, Plan, semantic_problems

    if any(cls.__pydantic_decorators__.model_validators or cls.__pydantic_decorators__.field_validators
           for cls in (Plan, Area)):
        raise NotShown("a rule across nodes")
    old = _node(plan, holder)
    if node.get("id") != old.id:
        raise NotShown("the id changed")
    try:
        model = model_at(holder).model_validate(node)
    except ValidationError:
        raise NotShown("the node is not valid") from None
    alone: dict[str, Any] = {"plan": {"year": plan.plan.year}, "units": dict(plan.units), "areas": []}
    if holder[0] == "areas":
        alone["areas"] = [{"number": plan.areas[holder[1]].number, "tasks": [node]}]
    else:
        alone[holder[0]] = [node]
    if semantic_problems(alone):
        raise NotShown("a cross-field rule fails")
    return model


def attempt(shown, raw: bytes, text: str, change: Callable, scope: Scope | None):
    """Run `change` on the named block only, if the cache proves the file; None means: take the full path.

    Returns (what `change` returned, the new text or None if it made no edit, a function storing
    the new cache entry given the bytes written). CchcError from `change` propagates: it is the
    same refusal the full path gives, decided on the same (validated) plan.
    """
    from . import cache

    if scope is None:
        return None
    entry = cache.lookup(shown, raw)
    if entry is None or not entry.index:
        return None
    holder = resolve(entry.plan, scope)
    bounds = entry.index["blocks"].get(holder) if holder else None
    outer = entry.index["styles"].get(styles_key(holder)) if holder else None
    if bounds is None or outer is None:
        return None
    try:
        starts = _line_starts(text)
        doc = block_document(shown, text, starts, holder, *bounds)
        # The lines must hold exactly the cached node: a wrong index can never reach the disk.
        if model_at(holder).model_validate(doc.data[holder[0]][holder[1]] if len(holder) == 2 else
                                           doc.data["areas"][holder[1]]["tasks"][holder[3]]) != _node(entry.plan,
                                                                                                     holder):
            return None
        edit = BlockEdit(doc, starts, holder, outer)
        loaded = LoadedPlan(plan=entry.plan, doc=doc)
        result = change(loaded, edit)
        if not edit.changed:
            return result, None, None
        from .submissions import guard_submitted

        guard_submitted(loaded, edit)  # as the full path; an amendment lands outside the block: NotShown
        new_text = edit.result()
        _check_region(shown, edit, holder)
        model = check_node(entry.plan, holder, edit.value(holder))
    except NotShown:
        return None
    except Exception as e:  # noqa: BLE001 - anything unexpected: the full path decides
        if isinstance(e, CchcError):
            raise
        return None
    new_plan = replaced(entry.plan, holder, model)
    new_index = shifted(entry.index, holder, _line_delta(edit))
    parts = cache.plan_parts(new_plan, entry.parts, holder)
    return result, new_text, lambda written: cache.store(shown, written, new_plan, new_index, parts)


def _check_region(shown, edit: TextEdit, holder: tuple) -> None:
    """The edited node, parsed alone, reads back as intended, and lies inside the block (see TextEdit.region)."""
    region = edit.region()
    if region is None or region[0][:len(holder)] != holder:
        raise NotShown("no region inside the block")
    _path, text, expected = region
    try:
        if parse_document(shown, text).data != expected:
            raise NotShown("the region reads back differently")
    except PlanInvalid:
        raise NotShown("the region does not parse") from None


def _line_delta(edit: TextEdit) -> int:
    """How many lines the splices add (an edit writes the file's own line breaks)."""
    def lines(text: str) -> int:
        return text.count("\n") + text.count("\r") - text.count("\r\n")

    return sum(lines(new) - lines(edit.text[start:end]) for start, end, _seq, new in edit._splices)


def after_full_edit(shown, loaded: LoadedPlan, edit: TextEdit, new_text: str, scope: Scope | None):
    """For an edit made by the full path: a function storing the new entry, or None.

    The full path validated the new plan (its edited node, or all of it); the new plan is the old
    one with that node replaced, and the index is the old one shifted, exactly as after `attempt`.
    """
    from . import cache

    if scope is None or cache.full_path_forced():
        return None
    try:
        holder = resolve(loaded.plan, scope)
        index = index_of(loaded.doc)
        if holder is None or index is None or holder not in index["blocks"]:
            return None
        first, end = index["blocks"][holder]
        starts = edit._starts
        low, high = starts[first], starts[end] if end < len(starts) else len(edit.text)
        if any(s < low or e > high for s, e, _seq, _new in edit._splices):
            return None
        model = model_at(holder).model_validate(edit.value(holder))
    except Exception:  # noqa: BLE001 - then the next read is simply cold
        return None
    new_plan = replaced(loaded.plan, holder, model)
    new_index = shifted(index, holder, _line_delta(edit))
    return lambda written: cache.store(shown, written, new_plan, new_index)
