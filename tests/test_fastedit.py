"""Edits on a plan the cache proves (cchc/fastedit.py) give the full path's bytes and refusals, exactly.

Every write command runs twice from the same file: once where the cache holds a trusted entry
(only the named task or target is parsed and validated) and once with CCHC_FULL_PATH=1 (the
whole plan is parsed and validated). The files must end byte-for-byte equal after every command,
a refusal must be the same refusal, and the cache entry left behind must hold exactly the plan
and the positions a full parse of the new file gives.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cchc import cache, planindex, writer
from cchc import edit as edits
from cchc.diagnostics import CchcError
from cchc.planfile import load
from conftest import PLAN_2023, PROGRESS_PLAN, ROOT
from test_edit_property import NASTY, RUN, command

sys.path.insert(0, str(ROOT / "bench"))
import gen_plan  # noqa: E402


@pytest.fixture(autouse=True)
def _both_paths_available(monkeypatch):
    monkeypatch.delenv("CCHC_FULL_PATH", raising=False)  # this module chooses the path itself


def _crlf_bom(text: str) -> bytes:
    return b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8")


SOURCES = {
    "plan_2023": lambda: PLAN_2023.read_bytes(),
    "progress": lambda: PROGRESS_PLAN.read_bytes(),
    "progress-crlf-bom": lambda: _crlf_bom(PROGRESS_PLAN.read_text(encoding="utf-8")),
    "nasty": lambda: NASTY.read_bytes(),
    "generated": lambda: gen_plan.generate(60, 3, seed=5).encode("utf-8"),
}

# (command, arguments): successes and refusals of every write command that names a task or target.
STEPS = [
    ("update", dict(task_id="3.đ", percent=40, note="Đã trình dự thảo", date="05/04/2023", by="An")),
    ("update", dict(task_id="1.a", percent="12,5", note="", date="2023-02-01", by="")),
    ("update", dict(task_id="1.b", percent=5, note="Bắt đầu: “họp” # không phải chú thích", date="01/03/2023", by="Bình")),
    ("update", dict(task_id="III.1", percent=30, note="Nhiệm vụ tổ chức thực hiện", date="02/03/2023", by="An")),
    ("update", dict(task_id="3.d", percent=50, note="gõ 3.d", date="02/03/2023", by="An")),
    ("update", dict(task_id="9.z", percent=50, date="02/03/2023", by="An")),  # no such task: refused
    ("done", dict(task_id="1.a", evidence="Kế hoạch số 12/KH-SKHCN ngày 10/3/2023", date="10/03/2023", by="An")),
    ("done", dict(task_id="1.a", evidence="lần hai", date="11/03/2023", by="An")),  # already done: refused
    ("update", dict(task_id="1.a", percent=50, date="12/03/2023", by="An")),  # done: refused
    ("evidence", dict(task_id="1.b", text="Báo cáo số 45/BC-SKHCN ngày 20/3/2023")),
    ("evidence", dict(task_id="1.b", text="Báo cáo số 45/BC-SKHCN ngày 20/3/2023")),  # the same again: refused
    ("done", dict(task_id="1.b", no_evidence=True, date="21/03/2023", by="An")),
    ("reopen", dict(task_id="1.a", reason="Sở Nội vụ yêu cầu bổ sung", date="01/04/2023", by="An")),
    ("reopen", dict(task_id="1.a", reason="lần hai", date="02/04/2023", by="An")),  # not done: refused
    ("kpi", dict(target_id="hai-long", value="88,2", period="2023-Q2", source="Khảo sát SIPAS quý II")),
    ("kpi", dict(target_id="hai-long", value=90, period="2023-Q2")),  # same period: refused
    ("kpi", dict(target_id="hai-long", value=91, period="Q2", source="đo lại", replace=True)),
    ("kpi", dict(target_id="dvctt", value=71, period="2023-Q1", note="lần đầu")),
    ("kpi", dict(target_id="dvctt", value=171, period="2023-Q3")),  # a percent over 100: refused
]


def _apply(kind: str, path: Path, args: dict) -> tuple[str, str]:
    try:
        RUN[kind](path, **args)
    except CchcError as e:
        return type(e).__name__, str(e).replace(str(path), "PLAN")
    return "ok", ""


def _counting_full_loads(monkeypatch) -> list[int]:
    loads: list[int] = []
    real = writer._load_before
    monkeypatch.setattr(writer, "_load_before", lambda *a: loads.append(1) or real(*a))
    return loads


def _check_entry(path: Path) -> None:
    """The entry a write left holds the plan and the positions a full parse of the new file gives."""
    raw = path.read_bytes()
    entry = cache.lookup(path, raw)
    assert entry is not None, "the write did not leave a trusted entry: the next read would be cold"
    full = load(path)
    assert entry.plan == full.plan
    assert entry.index == planindex.index_of(full.doc)


def _twins(tmp_path: Path, raw: bytes) -> tuple[Path, Path]:
    fast, full = tmp_path / "fast" / "plan_2023.yaml", tmp_path / "full" / "plan_2023.yaml"
    for p in (fast, full):
        p.parent.mkdir()
        p.write_bytes(raw)
    cache.load_cached(fast)
    return fast, full


@pytest.mark.parametrize("source", SOURCES)
def test_every_write_command_gives_the_same_bytes_and_refusals_on_both_paths(source, tmp_path, monkeypatch):
    fast, full = _twins(tmp_path, SOURCES[source]())
    tasks = {t.id for t in load(fast).plan.all_tasks()}
    targets = {t.id for t in load(fast).plan.targets}
    fast_writes = 0
    for kind, args in STEPS:
        if "task_id" in args and args["task_id"] not in tasks | {"9.z", "3.d"} \
                or "target_id" in args and args["target_id"] not in targets:
            continue
        loads = _counting_full_loads(monkeypatch)
        before = fast.read_bytes()
        got_fast = _apply(kind, fast, args)
        took_fast = not loads
        monkeypatch.setenv("CCHC_FULL_PATH", "1")
        got_full = _apply(kind, full, args)
        monkeypatch.delenv("CCHC_FULL_PATH")
        assert got_fast == got_full, (kind, args)
        assert fast.read_bytes() == full.read_bytes(), (kind, args)
        if got_fast[0] == "ok" and fast.read_bytes() != before:
            fast_writes += took_fast
            _check_entry(fast)
    # Files with an anchor or a directive always take the full path; these have none.
    assert fast_writes >= 5


def test_a_change_the_node_cannot_take_is_refused_as_on_the_full_path(tmp_path, monkeypatch):
    fast, full = _twins(tmp_path, PLAN_2023.read_bytes())

    def bad(loaded, edit):
        edit.set_scalar(loaded.plan.task_paths()["3.đ"] + ("status",), "xong")

    def unknown_unit(loaded, edit):
        edit.set_scalar(loaded.plan.task_paths()["3.đ"] + ("lead",), "PKH")

    for change in (bad, unknown_unit):
        refusals = []
        for path, forced in ((fast, False), (full, True)):
            if forced:
                monkeypatch.setenv("CCHC_FULL_PATH", "1")
            with pytest.raises(CchcError) as e:
                writer.edit_plan(path, change, scope=("task", "3.đ"))
            refusals.append(str(e.value).replace(str(path), "PLAN"))
            monkeypatch.delenv("CCHC_FULL_PATH", raising=False)
        assert refusals[0] == refusals[1]
        assert fast.read_bytes() == full.read_bytes() == PLAN_2023.read_bytes()
    assert "không có đơn vị mã PKH" in refusals[0]


def test_a_change_outside_its_scope_takes_the_full_path(tmp_path, monkeypatch):
    fast, _full = _twins(tmp_path, PLAN_2023.read_bytes())
    loads = _counting_full_loads(monkeypatch)

    def two_tasks(loaded, edit):
        for task_id in ("3.đ", "1.a"):
            edit.set_scalar(loaded.plan.task_paths()[task_id] + ("status",), "in_progress")

    writer.edit_plan(fast, two_tasks, scope=("task", "3.đ"))
    assert loads == [1]
    plan = load(fast).plan
    assert plan.task("3.đ").status.value == plan.task("1.a").status.value == "in_progress"


def test_a_wrong_index_never_reaches_the_disk(tmp_path, monkeypatch):
    # An entry whose positions point at another task's lines (as a bug would): the lines do not
    # hold the cached task, so the full path runs and writes the right task.
    fast, full = _twins(tmp_path, PLAN_2023.read_bytes())
    entry = cache.lookup(fast, fast.read_bytes())
    paths = entry.plan.task_paths()
    entry.index["blocks"][paths["3.đ"]] = entry.index["blocks"][paths["3.e"]]
    cache.store(fast, fast.read_bytes(), entry.plan, entry.index)
    loads = _counting_full_loads(monkeypatch)
    args = dict(task_id="3.đ", percent=40, date="05/04/2023", by="An")
    edits.record_progress(fast, **args)
    assert loads == [1]
    monkeypatch.setenv("CCHC_FULL_PATH", "1")
    edits.record_progress(full, **args)
    assert fast.read_bytes() == full.read_bytes()


def test_a_file_with_anchors_takes_the_full_path(tmp_path, monkeypatch):
    text = PROGRESS_PLAN.read_text(encoding="utf-8")
    text = text.replace("  VP: Văn phòng Sở", "  VP: &vp Văn phòng Sở", 1)
    fast, full = _twins(tmp_path, text.encode("utf-8"))
    assert cache.lookup(fast, fast.read_bytes()).index is None
    loads = _counting_full_loads(monkeypatch)
    edits.record_progress(fast, "3.d", 40, date="05/04/2023", by="An")
    assert loads == [1]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(data=st.data(), source=st.sampled_from([PROGRESS_PLAN, NASTY, PLAN_2023]))
def test_random_command_sequences_agree_on_both_paths(data, source, tmp_path_factory, monkeypatch):
    fast, full = _twins(tmp_path_factory.mktemp("twins"), source.read_bytes())
    for _ in range(data.draw(st.integers(1, 4))):
        kind, args = command(data, load(fast).plan)
        if kind == "note":
            continue  # `note` names no task or target: it always takes the full path
        got_fast = _apply(kind, fast, args)
        monkeypatch.setenv("CCHC_FULL_PATH", "1")
        got_full = _apply(kind, full, args)
        monkeypatch.delenv("CCHC_FULL_PATH")
        assert got_fast == got_full
        assert fast.read_bytes() == full.read_bytes()


def test_status_right_after_a_write_reads_the_entry_the_write_stored(plan_copy, monkeypatch):
    path = plan_copy(PROGRESS_PLAN)
    edits.record_progress(path, "3.d", 40, date=dt.date(2023, 9, 5), by="An")

    def no_parse(*args, **kwargs):
        raise AssertionError("the plan was parsed again")

    monkeypatch.setattr(cache, "parse_document", no_parse)
    assert cache.load_cached(path).plan.task("3.d").progress[-1].percent == 40
