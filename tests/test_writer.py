"""The safe write path: lock, content check, validation before writing, atomic replacement."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from cchc import writer
from cchc.diagnostics import CchcError
from cchc.edit import record_progress
from cchc.planfile import load
from conftest import PLAN_2023, PROGRESS_PLAN, ROOT

posix_only = pytest.mark.skipif(os.name != "posix", reason="needs POSIX signals and file modes")


@pytest.fixture
def plan_file(tmp_path) -> Path:
    path = tmp_path / "plan_2023.yaml"
    path.write_bytes(PLAN_2023.read_bytes())
    return path


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(writer.TMP_SUFFIX))


def progress_notes(path: Path, task_id: str) -> list[str]:
    return [e.note for e in load(path).plan.task(task_id).progress]


def test_a_change_that_would_make_the_plan_invalid_is_refused(plan_file):
    raw = plan_file.read_bytes()

    def bad(loaded, edit):
        edit.set_scalar(loaded.plan.task_paths()["3.đ"] + ("status",), "xong")

    with pytest.raises(CchcError) as e:
        writer.edit_plan(plan_file, bad)
    assert "thay đổi này làm tệp kế hoạch không hợp lệ; không ghi" in str(e.value)
    assert "giá trị xong không hợp lệ" in str(e.value)
    assert plan_file.read_bytes() == raw


def test_a_change_refused_by_the_edit_writes_nothing(plan_file):
    raw = plan_file.read_bytes()
    mtime = plan_file.stat().st_mtime_ns

    def refuse(loaded, edit):
        edit.set_scalar(loaded.plan.task_paths()["3.đ"] + ("status",), "done")
        raise CchcError("không")

    with pytest.raises(CchcError):
        writer.edit_plan(plan_file, refuse)
    assert plan_file.read_bytes() == raw and plan_file.stat().st_mtime_ns == mtime


def test_no_edit_no_write(plan_file):
    mtime = plan_file.stat().st_mtime_ns
    raw = plan_file.read_bytes()
    assert writer.edit_plan(plan_file, lambda loaded, edit: "nothing") == "nothing"
    assert plan_file.read_bytes() == raw and plan_file.stat().st_mtime_ns == mtime


@posix_only
def test_mode_is_kept(plan_file):
    plan_file.chmod(0o640)
    record_progress(plan_file, "3.đ", 10, date="01/02/2023", by="An")
    assert stat.S_IMODE(plan_file.stat().st_mode) == 0o640


@posix_only
def test_symlinked_plan_stays_a_link(tmp_path, plan_file):
    link = tmp_path / "link.yaml"
    link.symlink_to(plan_file)
    record_progress(link, "3.đ", 10, date="01/02/2023", by="An")
    assert link.is_symlink()
    assert progress_notes(plan_file, "3.đ") == [""]


def test_crlf_and_bom_are_kept(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + PROGRESS_PLAN.read_bytes().replace(b"\n", b"\r\n"))
    record_progress(path, "3.d", 70, note="CRLF", date="01/08/2023", by="An")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.count(b"\n") == raw.count(b"\r\n")  # no bare LF added
    assert b"\r\n            note: CRLF\r\n" in raw
    assert progress_notes(path, "3.d")[-1] == "CRLF"


def test_file_without_final_newline(tmp_path):
    from cchc.edit import set_narrative

    path = tmp_path / "plan.yaml"
    path.write_bytes(PLAN_2023.read_bytes().rstrip(b"\n"))
    set_narrative(path, "2023-Q4", "proposals", "Đề xuất cuối năm")  # the last line, replaced in place
    assert path.read_text(encoding="utf-8").endswith('    causes: ""\n    proposals: Đề xuất cuối năm')
    set_narrative(path, "2023-H1", "causes", "Nguyên nhân")  # new lines after the last one
    assert path.read_text(encoding="utf-8").endswith(
        '    proposals: Đề xuất cuối năm\n  2023-H1:\n    causes: Nguyên nhân\n')
    assert load(path).plan.narratives["2023-H1"].causes == "Nguyên nhân"


def test_failed_rename_leaves_the_old_file_and_no_temporary(plan_file, monkeypatch):
    raw = plan_file.read_bytes()

    def fail(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    monkeypatch.setattr(writer.outputs, "exchange", fail)
    with pytest.raises(CchcError) as e:
        record_progress(plan_file, "3.đ", 10, date="01/02/2023", by="An")
    assert "không ghi được tệp (ổ đĩa đã đầy); tệp vẫn giữ nguyên như trước" in str(e.value)
    assert plan_file.read_bytes() == raw
    assert leftovers(plan_file.parent) == []


def test_lock_held_elsewhere_times_out(plan_file):
    from filelock import FileLock

    raw = plan_file.read_bytes()
    with FileLock(str(writer.lock_path(plan_file))):
        with pytest.raises(CchcError) as e:
            writer.edit_plan(plan_file, lambda loaded, edit: None, lock_timeout=0.2)
    assert "một lệnh cchc khác đang ghi tệp này" in str(e.value)
    assert plan_file.read_bytes() == raw


WRITER_LOOP = textwrap.dedent("""
    import sys
    sys.path.insert(0, {root!r})
    from cchc.edit import record_progress
    path, tag, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    for i in range(count):
        record_progress(path, "3.đ", i % 100, note=f"{{tag}}{{i}}", date="2023-03-01", by=tag)
""")


def test_two_processes_each_append_fifty(plan_file, tmp_path):
    script = tmp_path / "loop.py"
    script.write_text(WRITER_LOOP.format(root=str(ROOT)), encoding="utf-8")
    procs = [subprocess.Popen([sys.executable, str(script), str(plan_file), tag, "50"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for tag in ("A", "B")]
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err.decode("utf-8", "replace")
    notes = progress_notes(plan_file, "3.đ")  # load() validates
    assert len(notes) == 100
    assert sorted(notes) == sorted([f"A{i}" for i in range(50)] + [f"B{i}" for i in range(50)])
    # each writer's entries are in its own order
    assert [n for n in notes if n[0] == "A"] == [f"A{i}" for i in range(50)]
    assert leftovers(plan_file.parent) == []


KILLED_WRITER = textwrap.dedent("""
    import os, sys, time
    sys.path.insert(0, {root!r})
    from cchc import writer
    from cchc.edit import record_progress
    real_fsync = os.fsync
    def slow_fsync(fd):
        # the temporary file is written, not yet renamed: say so, then wait to be killed
        open(sys.argv[2], "w").close()
        time.sleep(60)
    os.fsync = slow_fsync
    record_progress(sys.argv[1], "3.đ", 40, note="killed", date="2023-03-01", by="X")
""")


@posix_only
def test_writer_killed_mid_write_leaves_the_old_file(plan_file, tmp_path):
    raw = plan_file.read_bytes()
    script = tmp_path / "killed.py"
    script.write_text(KILLED_WRITER.format(root=str(ROOT)), encoding="utf-8")
    marker = tmp_path / "in-write"
    child = subprocess.Popen([sys.executable, str(script), str(plan_file), str(marker)])
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert child.poll() is None, "the writer ended before writing"
            assert time.monotonic() < deadline
            time.sleep(0.02)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    assert plan_file.read_bytes() == raw  # the old version, whole
    assert len(leftovers(tmp_path)) == 1  # its temporary file, with the new version
    # the next write (the dead writer's lock was released by the OS) cleans up and succeeds
    record_progress(plan_file, "3.đ", 50, note="after", date="2023-03-02", by="Y")
    assert progress_notes(plan_file, "3.đ") == ["after"]
    assert leftovers(tmp_path) == []


@posix_only
def test_writer_killed_at_random_moments_never_leaves_a_mixture(plan_file, tmp_path):
    script = tmp_path / "loop.py"
    script.write_text(WRITER_LOOP.format(root=str(ROOT)), encoding="utf-8")
    expected = [f"K{i}" for i in range(1000)]
    written = []
    for delay in (0.9, 1.3, 1.7):
        child = subprocess.Popen([sys.executable, str(script), str(plan_file), "K", "1000"])
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        notes = progress_notes(plan_file, "3.đ")  # parses and validates: never a mixture
        assert notes == expected[:len(notes)]
        written.append(len(notes))
        plan_file.write_bytes(PLAN_2023.read_bytes())
    print("entries written before each kill:", written)
    assert any(written)  # the kills did land in the middle of the writing


@pytest.mark.parametrize("action", ["update", "done", "kpi", "note"])
def test_the_whole_plan_is_parsed_and_validated_once(tmp_path, monkeypatch, action):
    """After an edit only the edited node is parsed and validated again (a 3 MB plan must stay fast)."""
    from cchc import edit as edits

    path = tmp_path / "plan.yaml"
    path.write_bytes(PROGRESS_PLAN.read_bytes())
    size = len(path.read_text(encoding="utf-8"))
    parsed, validated = [], []
    parse, validate = writer.parse_document, writer.validate_document
    monkeypatch.setattr(writer, "parse_document", lambda p, text: parsed.append(len(text)) or parse(p, text))
    monkeypatch.setattr(writer, "validate_document", lambda doc: validated.append(1) or validate(doc))
    {
        "update": lambda: edits.record_progress(path, "3.d", 70, date="2023-08-01", by="An"),
        "done": lambda: edits.mark_done(path, "3.d", evidence="Báo cáo số 9/BC", date="2023-08-01", by="An"),
        "kpi": lambda: edits.record_measurement(path, "dvctt", 71, "2023-Q2", source="x"),
        "note": lambda: edits.set_narrative(path, "2023-Q2", "causes", "a\nb"),
    }[action]()
    assert [n for n in parsed if n >= size] == [size]  # the file before the edit; after it, only a part
    assert len(parsed) == 2 and parsed[1] < size / 5
    assert validated == [1]
