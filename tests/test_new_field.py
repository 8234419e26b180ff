"""A field added to the task schema shows in `cchc diff` and survives `cchc new` with no change to either.

The field is a test-only extension of `Task` (a `priority`); the plans hold tasks of that class,
as they would once the field is written in `cchc/model.py`.
"""

from __future__ import annotations

from pydantic import Field, create_model

from cchc import plandiff
from cchc.model import Task
from cchc.newyear import carry_over
from cchc.planfile import load_plan
from conftest import PROGRESS_PLAN

PriorityTask = create_model("Task", __base__=Task,
                            priority=(str, Field("", description="Mức ưu tiên: cao, trung bình hoặc thấp")))


def with_priority(plan, values: dict[str, str]):
    """`plan` with every task a PriorityTask, `values` giving some of them a priority."""
    def convert(task):
        data = {name: getattr(task, name) for name in task.model_fields_set}
        if task.id in values:
            data["priority"] = values[task.id]
        return PriorityTask.model_construct(_fields_set=set(data), **data)

    areas = [a.model_copy(update={"tasks": [convert(t) for t in a.tasks]}) for a in plan.areas]
    return plan.model_copy(update={"areas": areas, "duties": [convert(t) for t in plan.duties]})


def test_diff_shows_the_new_field(monkeypatch):
    monkeypatch.setattr(plandiff, "Task", PriorityTask)  # what writing the field in model.Task does
    plan = load_plan(PROGRESS_PLAN)
    old, new = with_priority(plan, {"1.b": "thấp"}), with_priority(plan, {"1.b": "cao"})
    changes = plandiff.diff_plans(old, new)
    assert [c.as_dict() for c in changes] == [
        {"id": "1.b", "kind": "task", "field": "priority", "old": "thấp", "new": "cao", "note": ""}]
    assert plandiff.describe_all(changes, new, old) == ["1.b: Mức ưu tiên “thấp” → “cao”"]


def test_new_year_keeps_the_new_field():
    plan = with_priority(load_plan(PROGRESS_PLAN), {"1.b": "cao"})
    carried = {t["id"]: t for area in carry_over(plan, 2024).data["areas"] for t in area["tasks"]}
    assert carried["1.b"]["priority"] == "cao"
    assert "priority" not in carried[next(i for i in carried if i != "1.b")]  # unset stays unwritten


def test_show_and_json_give_the_new_field():
    import datetime as dt

    from cchc.query import task_detail
    from cchc.query_views import show_tables, task_json

    plan = with_priority(load_plan(PROGRESS_PLAN), {"1.b": "cao"})
    detail = task_detail(plan, "1.b", dt.date(2023, 6, 20), PROGRESS_PLAN.parent)
    info = show_tables(plan, detail, "plan.yaml:1")[0]
    assert ["Mức ưu tiên", "cao"] in info.rows
    assert task_json(detail.state, 1)["priority"] == "cao"
