"""Random sequences of recording commands on a copy of a plan (hypothesis).

After every command: the plan still validates; everything it held before is unchanged except what the
command may change; the lines it removed are only the kinds an edit may rewrite; and saving without a
change gives the same bytes. A refused command leaves the file byte-for-byte as it was.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from cchc import edit as edits
from cchc import writer
from cchc.diagnostics import CchcError
from cchc.planfile import load
from cchc.yamledit import TextEdit
from conftest import PLAN_2023, PROGRESS_PLAN

NASTY = Path(__file__).parent / "fixtures" / "roundtrip_nasty.yaml"

ALPHABET = list("abcdđeghiklmnopqrstuvxyĐÂĂÊÔƠƯàáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"
                "ABC 0123456789:#-'\"{}[],&*!%@`|>?\\/.\t") + ["  ", ": ", " #", "- ", "yes", "null", "2023-01-01"]
texts = st.lists(st.sampled_from(ALPHABET), max_size=20).map("".join)
multiline = st.lists(texts, min_size=1, max_size=4).map("\n".join)
dates = st.dates(min_value=dt.date(2023, 1, 1), max_value=dt.date(2023, 12, 31))
percents = st.one_of(st.integers(0, 100), st.integers(0, 1000).map(lambda n: n / 10))
SECTIONS = ["achievements", "shortcomings", "causes", "proposals", "uu-diem", "han-che", "nguyen-nhan", "de-xuat"]
PERIODS = ["2023-Q1", "2023-Q2", "2023-Q3", "2023-Q4", "2023-H1", "2023", "Q3"]
# Lines an edit may rewrite in place; every other line of the file is kept.
REWRITABLE = re.compile(r"^\s*(- )?(status|value|source|note|achievements|shortcomings|causes|proposals): |"
                        r": (\[\]|\{\})\s*(#.*)?$|\[\{|\{.*\}\s*$")


def rewritten_heads(removed: list[str]) -> list[str]:
    """The removed lines less the body lines of a removed block scalar (`proposals: |-` and the text
    under it): a narrative written on several lines is replaced whole, and its key line is the one
    REWRITABLE judges."""
    heads, block = [], None
    for line in removed:
        indent = len(line) - len(line.lstrip())
        if block is not None and (not line.strip() or indent > block):
            continue
        block = indent if re.search(r": [|>][-+]?\s*$", line) else None
        heads.append(line)
    return heads


def command(data, plan):
    tasks = [t.id for t in plan.all_tasks()]
    targets = [t.id for t in plan.targets]
    kind = data.draw(st.sampled_from(["update", "update", "done", "evidence", "kpi", "note", "reopen"]))
    task = data.draw(st.sampled_from(tasks))
    if kind == "update":
        return kind, dict(task_id=task, percent=data.draw(percents), note=data.draw(texts),
                          date=data.draw(dates), by=data.draw(texts))
    if kind == "done":
        proof = data.draw(st.one_of(st.none(), texts))
        return kind, dict(task_id=task, evidence=proof, no_evidence=proof is None, date=data.draw(dates), by="An")
    if kind == "evidence":
        return kind, dict(task_id=task, text=data.draw(texts) + " số 1/BC-SKHCN")
    if kind == "kpi":
        return kind, dict(target_id=data.draw(st.sampled_from(targets)), value=data.draw(st.integers(1, 100)),
                          period=data.draw(st.sampled_from(PERIODS)), source=data.draw(texts),
                          replace=data.draw(st.booleans()))
    if kind == "note":
        return kind, dict(period=data.draw(st.sampled_from(PERIODS[:4])), section=data.draw(st.sampled_from(SECTIONS)),
                          text=data.draw(st.one_of(texts, multiline)))
    done = [t.id for t in plan.all_tasks() if t.status.value == "done"]
    task = data.draw(st.sampled_from(done)) if done else task
    return kind, dict(task_id=task, reason=data.draw(texts) + "lý do", date=data.draw(dates), by="An")


RUN = {
    "update": edits.record_progress,
    "done": edits.mark_done,
    "evidence": edits.add_evidence,
    "kpi": edits.record_measurement,
    "note": edits.set_narrative,
    "reopen": edits.reopen,
}


def dump_without(plan, kind: str, args: dict) -> dict:
    """The plan's data, less what `kind` may change (new log entries, status, one measurement, one narrative)."""
    data = plan.model_dump(mode="json")
    for task in [*(t for a in data["areas"] for t in a["tasks"]), *data["duties"]]:
        if task["id"] == args.get("task_id"):
            task["status"] = None
            task["progress"] = len(task["progress"])
            task["evidence"] = len(task["evidence"])
    for target in data["targets"]:
        if target["id"] == args.get("target_id"):
            target["measurements"] = {m["period"] for m in target["measurements"]}
    if kind == "note":
        data["narratives"] = None
    return data


def entries(plan, args: dict) -> tuple[list, list]:
    task = plan.task(args["task_id"])
    return task.progress, task.evidence


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), source=st.sampled_from([PROGRESS_PLAN, NASTY, PLAN_2023]))
def test_random_commands_keep_the_plan_valid_and_the_rest_unchanged(data, source):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "plan_2023.yaml"
        path.write_bytes(source.read_bytes())
        for _step in range(data.draw(st.integers(1, 6), label="steps")):
            before_raw = path.read_bytes()
            before = load(path).plan
            kind, args = command(data, before)
            try:
                RUN[kind](path, **args)
            except CchcError:
                assert path.read_bytes() == before_raw  # a refusal changes nothing
                event(f"refused {kind}")
                continue
            event(f"applied {kind}")
            loaded = load(path)  # still valid
            after = loaded.plan
            # everything the command may not touch is unchanged
            old = dump_without(before, kind, args)
            new = dump_without(after, kind, args)
            if kind in ("update", "done", "evidence", "reopen"):
                old_progress, old_evidence = entries(before, args)
                new_progress, new_evidence = entries(after, args)
                assert new_progress[:len(old_progress)] == old_progress  # earlier entries unchanged
                assert new_evidence[:len(old_evidence)] == old_evidence
                for d in (old, new):
                    for task in [*(t for a in d["areas"] for t in a["tasks"]), *d["duties"]]:
                        if task["id"] == args["task_id"]:
                            task["progress"] = task["evidence"] = None
                if kind != "evidence":
                    assert len(new_progress) == len(old_progress) + 1
                    assert new_progress[-1].date == args["date"]
            if kind == "kpi":
                period = edits.parse_period(args["period"], 2023)
                was = {m.period: m for m in before.target(args["target_id"]).measurements}
                now = {m.period: m for m in after.target(args["target_id"]).measurements}
                assert set(now) == set(was) | {period}
                for key, m in was.items():
                    if key != period:
                        assert now[key] == m  # other periods unchanged
                assert now[period].value == args["value"]
                assert period not in was or args["replace"]
                for d in (old, new):
                    for t in d["targets"]:
                        if t["id"] == args["target_id"]:
                            t["measurements"] = None
            if kind == "note":
                section = edits.parse_section(args["section"])
                period = edits.parse_period(args["period"], 2023)
                assert getattr(after.narratives[period], section) == edits.clean_text(args["text"])
                for key, narrative in before.narratives.items():
                    for name in ("achievements", "shortcomings", "causes", "proposals"):
                        if (key, name) != (period, section):
                            assert getattr(after.narratives[key], name) == getattr(narrative, name)
            assert old == new
            # only rewritable lines were removed
            text_before = before_raw.decode("utf-8")
            text_after = path.read_bytes().decode("utf-8")
            removed = [line[1:] for line in difflib.unified_diff(text_before.splitlines(), text_after.splitlines(),
                                                                 lineterm="", n=0)
                       if line.startswith("-") and not line.startswith("---")]
            assert all(REWRITABLE.search(line) for line in rewritten_heads(removed)), removed
            # a no-op save is byte-identical
            assert TextEdit(loaded.doc).result() == text_after
            raw = path.read_bytes()
            writer.edit_plan(path, lambda loaded, edit: None)
            assert path.read_bytes() == raw
