"""The cache of validated plans: used only for the exact same file and code, JSON only, never trusted."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from cchc import cache
from cchc.diagnostics import PlanInvalid
from cchc.model import Plan
from cchc.planfile import load
from conftest import MINIMAL_PLAN, PLAN_2023, PROGRESS_PLAN, ROOT, run

sys.path.insert(0, str(ROOT / "bench"))
import gen_plan  # noqa: E402


def entries() -> list[Path]:
    folder = cache.cache_dir() / "plans"
    return sorted(folder.glob("*.json")) if folder.is_dir() else []


def test_cache_dir_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("CCHC_CACHE_DIR", str(tmp_path / "c"))
    assert cache.cache_dir() == tmp_path / "c"
    monkeypatch.delenv("CCHC_CACHE_DIR")
    assert cache.cache_dir().name in ("cchc", "Cache")  # platformdirs' user cache directory


def test_hit_returns_the_same_plan_without_parsing(plan_copy, monkeypatch):
    path = plan_copy(PROGRESS_PLAN)
    first = cache.load_cached(path)
    assert first.plan == load(path).plan
    assert len(entries()) == 1

    def no_parse(*args, **kwargs):
        raise AssertionError("the cache was not used")

    monkeypatch.setattr(cache, "load_document", no_parse)
    second = cache.load_cached(path)
    assert second.plan == first.plan
    assert second.doc.text == first.doc.text
    assert second.path == path


def test_deferred_document_has_the_same_data_and_positions(plan_copy):
    path = plan_copy(PROGRESS_PLAN)
    fresh = cache.load_cached(path)
    cached = cache.load_cached(path)
    assert "spans" not in vars(cached.doc)  # not parsed until asked for
    assert cached.doc.locate(("areas", 2, "tasks", 4, "id")) == fresh.doc.locate(("areas", 2, "tasks", 4, "id"))
    assert cached.doc.spans == fresh.doc.spans
    assert cached.doc.data == fresh.doc.data
    assert cached.doc.sha256 == fresh.doc.sha256


def test_entry_is_json_never_pickle(plan_copy):
    path = plan_copy(PROGRESS_PLAN)
    cache.load_cached(path)
    (entry,) = entries()
    raw = entry.read_bytes()
    assert raw[:1] == b"{" and b"\x80" not in raw[:2]  # pickle streams start with 0x80 (protocol 2+)
    data = json.loads(raw)
    assert data["sha256"] and data["cchc"] and data["code"]
    assert Plan.model_validate(data["plan"]) == load(path).plan


def test_changed_file_is_reparsed_and_entry_rewritten(plan_copy):
    path = plan_copy(PROGRESS_PLAN)
    cache.load_cached(path)
    (entry,) = entries()
    before = json.loads(entry.read_bytes())["sha256"]
    path.write_text(path.read_text(encoding="utf-8").replace("percent: 50", "percent: 55", 1), encoding="utf-8")
    loaded = cache.load_cached(path)
    assert loaded.plan == load(path).plan
    assert loaded.plan.task("1.a").progress[0].percent == 55
    assert json.loads(entry.read_bytes())["sha256"] != before
    assert len(entries()) == 1


@pytest.mark.parametrize("damage", [
    pytest.param(lambda raw: b"", id="empty"),
    pytest.param(lambda raw: raw[: len(raw) // 2], id="truncated"),
    pytest.param(lambda raw: b"\x80\x04\x95garbage.", id="pickle-bytes"),
    pytest.param(lambda raw: raw.replace(b'"percent":50.0', b'"percent":500.0', 1), id="invalid-plan"),
    pytest.param(lambda raw: raw.replace(b'"title":', b'"titel":', 1), id="unknown-field"),
    pytest.param(lambda raw: raw[:-1] + b',"x":1}', id="trailing-junk"),
])
def test_corrupt_entry_is_ignored_and_rewritten(plan_copy, damage):
    path = plan_copy(PROGRESS_PLAN)
    cache.load_cached(path)
    (entry,) = entries()
    good = entry.read_bytes()
    assert damage(good) != good
    entry.write_bytes(damage(good))
    loaded = cache.load_cached(path)
    assert loaded.plan == load(path).plan
    assert entry.read_bytes() == good


def test_entry_of_another_cchc_is_ignored(plan_copy, monkeypatch):
    path = plan_copy(PROGRESS_PLAN)
    cache.load_cached(path)
    monkeypatch.setattr(cache, "code_fingerprint", lambda: "another-version")
    calls = []
    real = cache.load_document
    monkeypatch.setattr(cache, "load_document", lambda *a: calls.append(a) or real(*a))
    cache.load_cached(path)
    assert len(calls) == 1


def test_invalid_file_is_never_cached(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_text(MINIMAL_PLAN.read_text(encoding="utf-8").replace("percent: 40", "percent: 140"),
                    encoding="utf-8")
    with pytest.raises(PlanInvalid) as cached_error:
        cache.load_cached(path)
    assert entries() == []
    with pytest.raises(PlanInvalid) as direct_error:
        load(path)
    assert cached_error.value.diagnostics == direct_error.value.diagnostics


def test_cache_never_hides_a_file_that_became_invalid(plan_copy):
    path = plan_copy(MINIMAL_PLAN)
    cache.load_cached(path)
    assert len(entries()) == 1
    path.write_text(path.read_text(encoding="utf-8").replace("percent: 40", "percent: 140"), encoding="utf-8")
    with pytest.raises(PlanInvalid) as e:
        cache.load_cached(path)
    assert [d.code for d in e.value.diagnostics] == ["bad-percent"]


def test_unwritable_cache_is_ignored(plan_copy, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("CCHC_CACHE_DIR", str(blocker / "cache"))
    path = plan_copy(PROGRESS_PLAN)
    assert cache.load_cached(path).plan == load(path).plan
    assert cache.load_cached(path).plan == load(path).plan


def test_no_temporary_files_are_left(plan_copy):
    path = plan_copy(PROGRESS_PLAN)
    cache.load_cached(path)
    cache.load_cached(path)
    assert [p.name for p in (cache.cache_dir() / "plans").iterdir()] == [entries()[0].name]


def test_clear_removes_entries(plan_copy):
    cache.load_cached(plan_copy(PROGRESS_PLAN))
    cache.load_cached(plan_copy(MINIMAL_PLAN, name="plan_b.yaml"))
    assert len(entries()) == 2
    assert cache.clear() == 2
    assert entries() == []


def test_missing_file_is_still_a_usage_error(tmp_path):
    from cchc.diagnostics import PlanFileNotFound

    with pytest.raises(PlanFileNotFound):
        cache.load_cached(tmp_path / "none.yaml")


@pytest.mark.parametrize("source", [PLAN_2023, PROGRESS_PLAN, MINIMAL_PLAN, "generated"])
def test_json_round_trip_is_exact(source, tmp_path):
    # The cache is only correct if a plan read back from its JSON equals the validated plan.
    if source == "generated":
        source = tmp_path / "plan_gen.yaml"
        source.write_text(gen_plan.generate(60, 4, seed=7), encoding="utf-8")
    plan = load(source).plan
    assert Plan.model_validate_json(plan.model_dump_json()) == plan


def test_generated_plans_are_reproducible_and_valid(tmp_path):
    text = gen_plan.generate(120, 3, seed=11)
    assert text == gen_plan.generate(120, 3, seed=11)
    path = tmp_path / "plan_gen.yaml"
    path.write_text(text, encoding="utf-8")
    plan = load(path).plan
    assert len(plan.all_tasks()) == 120 + len(plan.duties)
    assert all(len(t.progress) == 3 for a in plan.areas for t in a.tasks)
    assert any(t.lead == "VP" or "VP" in t.support for t in plan.all_tasks())


def test_status_through_the_cache_prints_the_same(plan_copy):
    path = plan_copy(PROGRESS_PLAN)
    first = run("status", "-p", path, "--as-of", "2023-06-20", "--json")
    assert len(entries()) == 1
    second = run("status", "-p", path, "--as-of", "2023-06-20", "--json")
    assert first.exit_code == second.exit_code == 0
    assert first.stdout == second.stdout


def test_cli_writes_its_cache_where_told(plan_copy, tmp_path):
    target = tmp_path / "elsewhere"
    path = plan_copy(PROGRESS_PLAN)
    result = run("status", "-p", path, env={"CCHC_CACHE_DIR": str(target)})
    assert result.exit_code == 0
    assert len(list((target / "plans").glob("*.json"))) == 1
    assert os.listdir(target / "plans")[0].endswith(".json")
