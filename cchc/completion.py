"""Shell completion from the plan: task ids, unit keys, target ids, areas, `--status` and `--sort` words.

Each callback gets Click's context of the command line being completed and the word typed so
far; it finds the plan the line names (`--plan/-p`, else $CCHC_PLAN or the folder's plan) and
offers the matching values with a description. Completion runs on every TAB, so any problem
(no plan, an invalid one) just means no suggestions, never an error.
"""

from __future__ import annotations

from typing import Any



def _completion_plan(ctx: Any):
    """The plan the command line being completed names (`--plan`, else the usual search), or None.

    Completion runs on every TAB: any problem (no plan, an invalid one) just means no suggestions.
    """
    try:
        from .planfile import find_plan, load

        plan = None
        while ctx is not None and plan is None:
            plan = (getattr(ctx, "params", None) or {}).get("plan")
            ctx = getattr(ctx, "parent", None)
        return load(find_plan(plan)).plan
    except Exception:  # noqa: BLE001 - a completion must never fail
        return None


def _matching(candidates: list[tuple[str, str]], incomplete: str) -> list[tuple[str, str]]:
    from .text import nfc

    prefix = nfc(incomplete or "")
    return [(value, help_text) for value, help_text in candidates if value.startswith(prefix)]


def complete_task_id(ctx: Any, incomplete: str) -> list[tuple[str, str]]:
    """Task ids of the plan starting with `incomplete`, each with its title; [] on any problem."""
    try:
        plan = _completion_plan(ctx)
        if plan is None:
            return []
        from .text import task_sort_key

        tasks = sorted(plan.all_tasks(), key=lambda t: task_sort_key(t.id))
        return _matching([(t.id, t.title) for t in tasks], incomplete)
    except Exception:  # noqa: BLE001
        return []


def complete_unit(ctx: Any, incomplete: str) -> list[tuple[str, str]]:
    """Unit keys of the plan's registry starting with `incomplete`, each with its name."""
    try:
        plan = _completion_plan(ctx)
        return [] if plan is None else _matching(list(plan.units.items()), incomplete)
    except Exception:  # noqa: BLE001
        return []


def complete_target_id(ctx: Any, incomplete: str) -> list[tuple[str, str]]:
    """Target ids of the plan starting with `incomplete`, each with its name."""
    try:
        plan = _completion_plan(ctx)
        return [] if plan is None else _matching([(t.id, t.name) for t in plan.targets], incomplete)
    except Exception:  # noqa: BLE001
        return []


def complete_area(ctx: Any, incomplete: str) -> list[tuple[str, str]]:
    """Area numbers (and III for the duties) starting with `incomplete`, each with its title."""
    try:
        plan = _completion_plan(ctx)
        if plan is None:
            return []
        items = [(str(a.number), a.title) for a in plan.areas]
        if plan.duties:
            items.append((plan.duties_section.number, plan.duties_section.title))
        return _matching(items, incomplete)
    except Exception:  # noqa: BLE001
        return []


def complete_status(incomplete: str) -> list[tuple[str, str]]:
    """The short English aliases of `--status` (Vietnamese words have spaces, awkward in a shell)."""
    from .status import State

    items = [("done", State.done.label), ("doing", State.in_progress.label),
             ("todo", State.not_started.label), ("late", State.late.label)]
    return _matching(items, incomplete)


def complete_sort(incomplete: str) -> list[str]:
    from .query import SORT_KEYS

    return [k for k in SORT_KEYS if k.startswith(incomplete or "")]
