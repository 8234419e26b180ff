"""The cache of validated plans: used only for the exact same file and code, plain data only, believed
only when its HMAC proves cchc wrote it for these bytes (a forged entry changes nothing a user sees)."""

from __future__ import annotations

import hashlib
import hmac
import marshal
import os
import stat
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


@pytest.fixture(autouse=True)
def _cache_on(monkeypatch):
    monkeypatch.delenv("CCHC_FULL_PATH", raising=False)  # these tests are about the cache itself


def entries() -> list[Path]:
    folder = cache.cache_dir() / "plans"
    return sorted(folder.glob("*.bin")) if folder.is_dir() else []


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

    monkeypatch.setattr(cache, "parse_document", no_parse)
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


def _split(raw: bytes) -> tuple[bytes, bytes, bytes]:
    """(header line, MAC, body) of an entry."""
    head, rest = raw.split(b"\n", 1)
    mac, body = rest.split(b"\n", 1)
    return head + b"\n", mac, body


def _plain(value) -> bool:
    if isinstance(value, bytes):  # an area's data, itself plain data in marshal format
        return _plain(marshal.loads(value))
    if isinstance(value, dict):
        return all(_plain(k) and _plain(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return all(_plain(v) for v in value)
    return value is None or type(value) in (str, int, float, bool)


def test_entry_is_plain_data_never_code_or_objects(plan_copy):
    path = plan_copy(PROGRESS_PLAN)
    cache.load_cached(path)
    (entry,) = entries()
    head, mac, body = _split(entry.read_bytes())
    assert head.startswith(b"cchc-plan-cache 2 ") and head.rstrip().endswith(hashlib.sha256(path.read_bytes()).hexdigest().encode())
    assert len(mac) == 64 and b"\x80" not in body[:2]  # no pickle stream (protocol 2+ starts with 0x80)
    assert _plain(marshal.loads(body))


def test_changed_file_is_reparsed_and_entry_rewritten(plan_copy):
    path = plan_copy(PROGRESS_PLAN)
    cache.load_cached(path)
    (entry,) = entries()
    before = _split(entry.read_bytes())[0]
    path.write_text(path.read_text(encoding="utf-8").replace("percent: 50", "percent: 55", 1), encoding="utf-8")
    loaded = cache.load_cached(path)
    assert loaded.plan == load(path).plan
    assert loaded.plan.task("1.a").progress[0].percent == 55
    assert _split(entry.read_bytes())[0] != before
    assert len(entries()) == 1


@pytest.mark.parametrize("damage", [
    pytest.param(lambda raw: b"", id="empty"),
    pytest.param(lambda raw: raw[: len(raw) // 2], id="truncated"),
    pytest.param(lambda raw: b"\x80\x04\x95garbage.", id="pickle-bytes"),
    pytest.param(lambda raw: raw[:-40] + bytes([raw[-40] ^ 1]) + raw[-39:], id="one-bit-flipped"),
    pytest.param(lambda raw: raw + b"\x00", id="trailing-junk"),
    pytest.param(lambda raw: raw.replace(b" ", b"  ", 1), id="header-changed"),
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


def _forge(entry: Path, change, mac: str) -> None:
    """Rewrite `entry` with the real header, a body changed by `change`, and a MAC made as `mac` says."""
    head, real_mac, body = _split(entry.read_bytes())
    stored = marshal.loads(body)
    change(stored["parts"])
    forged = marshal.dumps(stored)
    sign = {
        "copied": real_mac,
        "other-key": hmac.new(os.urandom(32), head + forged, hashlib.sha256).hexdigest().encode(),
        "body-hash": hashlib.sha256(forged).hexdigest().encode(),
    }[mac]
    entry.write_bytes(head + sign + b"\n" + forged)


def _invent(parts: dict) -> None:
    """The plan as a forger would like it: another title, and late task 2.a done with evidence."""
    parts["head"]["plan"]["title"] = "Kế hoạch GIẢ MẠO"
    area = marshal.loads(parts["areas"][1])
    task = next(t for t in area["tasks"] if t["id"] == "2.a")
    task["status"] = "done"
    task["progress"].append({"date": "2023-05-01", "percent": 100.0, "note": "giả", "by": "", "event": "done"})
    task["evidence"].append({**dict.fromkeys(("number", "issuer", "title", "file", "sha256", "url"), ""),
                             "text": "Báo cáo giả", "date": None})
    parts["areas"][1] = marshal.dumps(area)


@pytest.mark.parametrize("mac", ["copied", "other-key", "body-hash"])
def test_forged_entry_changes_nothing_a_user_sees(plan_copy, tmp_path, mac):
    path = plan_copy(PROGRESS_PLAN)
    cache.load_cached(path)
    (entry,) = entries()
    real = {
        "status": run("status", "-f", path, "--as-of", "2023-06-20").stdout,
        "check": run("check", "-f", path, "--as-of", "2023-06-20"),
    }
    assert "Kế hoạch công tác cải cách hành chính năm 2023" in real["status"]
    assert real["check"].exit_code == 1 and "[late-task] nhiệm vụ 2.a" in real["check"].stdout
    for command in ("status", "check", "report"):
        _forge(entry, _invent, mac)
        if command == "status":
            result = run("status", "-f", path, "--as-of", "2023-06-20")
            assert result.stdout == real["status"]
        elif command == "check":
            result = run("check", "-f", path, "--as-of", "2023-06-20")
            assert (result.exit_code, result.stdout) == (1, real["check"].stdout)
        else:
            out = tmp_path / "q2.docx"
            result = run("report", "--quarter", "2", "-f", path, "--as-of", "20/06/2023", "-o", out)
            assert result.exit_code == 0, result.stderr
            import docx

            text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
            assert "GIẢ MẠO" not in text and "Báo cáo giả" not in text
            assert "Kế hoạch công tác cải cách hành chính năm 2023" in text or "cải cách hành chính" in text
        assert "GIẢ MẠO" not in result.stdout
        assert cache.lookup(path, path.read_bytes()).plan == load(path).plan  # rebuilt from the file


def test_key_is_private_and_a_readable_key_is_replaced(plan_copy):
    path = plan_copy(PROGRESS_PLAN)
    cache.load_cached(path)
    key = cache.key_path()
    if os.name == "posix":
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
        old = key.read_bytes()
        key.chmod(0o644)  # anyone could now sign a forged entry with it
        assert cache.lookup(path, path.read_bytes()) is None
        assert cache.load_cached(path).plan == load(path).plan
        assert stat.S_IMODE(key.stat().st_mode) == 0o600 and key.read_bytes() != old
        assert cache.lookup(path, path.read_bytes()) is not None
    key.unlink()
    assert cache.lookup(path, path.read_bytes()) is None  # no key: nothing is trusted


def test_a_trusted_entry_is_not_validated_again(plan_copy, monkeypatch):
    path = plan_copy(PROGRESS_PLAN)
    cache.load_cached(path)
    from pydantic import BaseModel

    monkeypatch.setattr(BaseModel, "model_validate", classmethod(lambda *a, **k: pytest.fail("validated")))
    monkeypatch.setattr(BaseModel, "model_validate_json", classmethod(lambda *a, **k: pytest.fail("validated")))
    assert cache.load_cached(path).plan.task("1.a").progress[0].percent == 50


def test_entry_of_another_cchc_is_ignored(plan_copy, monkeypatch):
    path = plan_copy(PROGRESS_PLAN)
    cache.load_cached(path)
    monkeypatch.setattr(cache, "code_fingerprint", lambda: "another-version")
    calls = []
    real = cache.parse_document
    monkeypatch.setattr(cache, "parse_document", lambda *a: calls.append(a) or real(*a))
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
def test_stored_plan_reads_back_exactly(source, tmp_path):
    # The cache is only correct if a plan read back from its entry is the validated plan, down
    # to the type of every value (a date, an enum, a float).
    if source == "generated":
        source = tmp_path / "plan_gen.yaml"
        source.write_text(gen_plan.generate(60, 4, seed=7), encoding="utf-8")
    plan = load(source).plan
    back = cache._plan_of(marshal.loads(marshal.dumps(cache.plan_parts(plan))))
    assert back == plan
    assert repr(back) == repr(plan)


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
    assert len(list((target / "plans").glob("*.bin"))) == 1
    assert os.listdir(target / "plans")[0].endswith(".bin")
