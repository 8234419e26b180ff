"""Writes racing other programs: an editor session, an edit just before the rename, Ctrl-C after it.

Each stress test runs a bounded number of trials, each child under a timeout; the deterministic
tests put the outside event exactly in the window the issue names.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from cchc import outputs, writer
from cchc.diagnostics import CchcError
from cchc.edit import record_progress, set_narrative
from cchc.planfile import load
from conftest import PLAN_2023, PROGRESS_PLAN, ROOT, run

posix_only = pytest.mark.skipif(os.name != "posix", reason="needs POSIX signals")
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}

sys.path.insert(0, str(ROOT / "bench"))
import gen_plan  # noqa: E402


@pytest.fixture
def plan(tmp_path) -> Path:
    path = tmp_path / "plan_2023.yaml"
    path.write_bytes(PROGRESS_PLAN.read_bytes())
    return path


def notes(path: Path, task_id: str) -> list[str]:
    return [e.note for e in load(path).plan.task(task_id).progress]


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(outputs.TMP_SUFFIX))


# --- 2. editor sessions -------------------------------------------------------------------------------

EDITOR = textwrap.dedent("""
    import os, sys
    sys.path.insert(0, {root!r})
    from cchc.edit import record_progress, set_narrative
    plan, mode, typed = os.environ["TEST_PLAN"], os.environ["TEST_MODE"], os.environ["TEST_TYPED"]
    # while the user types, a colleague writes the same plan
    if mode == "elsewhere":
        record_progress(plan, "2.a", 45, note=typed + " (đồng nghiệp)", date="2023-06-01", by="Đồng nghiệp")
    elif mode == "same":
        set_narrative(plan, "2023-Q1", "achievements", "Đồng nghiệp viết " + typed)
    with open(sys.argv[1], "w", encoding="utf-8") as f:
        f.write(typed + "\\n")
""")


def test_editor_sessions_keep_every_colleagues_write(plan, tmp_path):
    editor = tmp_path / "editor.py"
    editor.write_text(EDITOR.format(root=str(ROOT)), encoding="utf-8")
    trials = 8  # bounded: each trial is two short cchc runs in child processes
    started = time.monotonic()
    for i in range(trials):
        mode = ("elsewhere", "same", "none")[i % 3]
        typed = f"Ưu điểm lần {i}"
        env = {"EDITOR": f"{sys.executable} {editor}", "VISUAL": "", "TEST_PLAN": str(plan), "TEST_MODE": mode,
               "TEST_TYPED": typed}
        result = run("note", "--period", "2023-Q1", "--section", "uu-diem", "--plan", plan, env=env)
        after = load(plan).plan
        if mode == "same":
            kept = plan.parent / "cchc-note-2023-Q1-achievements.txt"
            if i > 1:
                kept = kept.with_name(f"cchc-note-2023-Q1-achievements-{i // 3 + 1}.txt")
            assert result.exit_code == 1, result.stderr
            assert result.stderr.splitlines() == [
                f"lỗi: {plan}: trong lúc soạn, phần “ưu điểm” kỳ 2023-Q1 đã được sửa ở nơi khác; không ghi đè. "
                f"Nội dung vừa gõ được giữ trong {kept}; xem lại rồi chạy lại lệnh"]
            assert kept.read_text(encoding="utf-8") == typed + "\n"
            assert after.narratives["2023-Q1"].achievements == "Đồng nghiệp viết " + typed  # the colleague's
        else:
            assert result.exit_code == 0, result.stderr
            assert after.narratives["2023-Q1"].achievements == typed
            if mode == "elsewhere":
                assert notes(plan, "2.a")[-1] == typed + " (đồng nghiệp)"  # kept, not overwritten
                assert result.stderr.splitlines()[0].startswith(
                    "lưu ý: trong lúc soạn, tệp kế hoạch đã được sửa ở chỗ khác; các thay đổi đó được giữ nguyên")
    assert time.monotonic() - started < 120
    assert leftovers(plan.parent) == []


def test_set_narrative_refuses_when_the_section_changed(plan):
    set_narrative(plan, "2023-Q1", "achievements", "Bản của đồng nghiệp")
    raw = plan.read_bytes()
    with pytest.raises(CchcError, match="đã được sửa ở nơi khác; không ghi đè"):
        set_narrative(plan, "2023-Q1", "achievements", "Bản của tôi", expected="")
    assert plan.read_bytes() == raw


# --- 3. the window before the rename -----------------------------------------------------------------

@pytest.mark.skipif(not outputs._linux_renameat2(), reason="the atomic exchange closing the window is Linux's")
@pytest.mark.parametrize("style", ["in-place", "rename"])
def test_an_edit_landing_between_the_check_and_the_rename_is_kept(plan, monkeypatch, style):
    real_exchange, real_replace = outputs.exchange, os.replace
    saved: list = []
    outside = plan.read_bytes() + b"# saved by an editor at the worst moment\n"

    def editor_saves():
        if style == "in-place":
            with open(plan, "r+b") as f:
                f.write(outside)
        else:
            side = plan.with_name("editor-save.tmp")
            side.write_bytes(outside)
            real_replace(side, plan)

    def late_exchange(a, b):
        if not saved:
            saved.append(True)
            editor_saves()  # after cchc's last check, before its rename
        return real_exchange(a, b)

    def late_replace(a, b):
        if Path(b) == plan:
            editor_saves()
        return real_replace(a, b)

    monkeypatch.setattr(outputs, "exchange", late_exchange)
    monkeypatch.setattr(os, "replace", late_replace)
    with pytest.raises(CchcError) as e:
        record_progress(plan, "2.a", 45, note="cchc", date="2023-06-01", by="An")
    assert str(e.value).startswith(f"{plan}: tệp đã bị sửa bởi chương trình khác trong lúc ghi")
    assert plan.read_bytes() == outside
    assert leftovers(plan.parent) == []


STRESS_WRITER = textwrap.dedent("""
    import sys
    sys.path.insert(0, {root!r})
    from cchc.diagnostics import CchcError
    from cchc.edit import record_progress
    ok = 0
    for i in range(int(sys.argv[2])):
        try:
            record_progress(sys.argv[1], "2.a", i % 100, note=f"w{{i}}", date="2023-03-01", by="W")
            ok += 1
        except CchcError:
            pass  # refused because an editor saved meanwhile: the expected outcome of a lost race
    print(ok)
""")


@posix_only
def test_outside_saves_are_never_lost_under_stress(tmp_path):
    path = tmp_path / "plan_2023.yaml"
    path.write_text(gen_plan.generate(600, 2, seed=3), encoding="utf-8")  # about 1 MB: a write takes a while
    script = tmp_path / "writer.py"
    script.write_text(STRESS_WRITER.format(root=str(ROOT)), encoding="utf-8")
    writes = 25
    child = subprocess.Popen([sys.executable, str(script), str(path), str(writes)], stdout=subprocess.PIPE, env=ENV)
    rng = random.Random(11)
    saved = 0
    deadline = time.monotonic() + 120
    while child.poll() is None and time.monotonic() < deadline:
        # an editor that does not take cchc's lock: read, append a marker line, save (half by rename)
        data = path.read_bytes() + f"# editor save {saved}\n".encode()
        if saved % 2:
            side = tmp_path / "side.tmp"
            side.write_bytes(data)
            os.replace(side, path)
        else:
            with open(path, "r+b") as f:
                f.write(data)
        saved += 1
        time.sleep(rng.uniform(0, 0.4))
    out, _err = child.communicate(timeout=60)
    text = path.read_text(encoding="utf-8")
    missing = [k for k in range(saved) if f"# editor save {k}\n" not in text]
    landed = int(out)
    print(f"{saved} editor saves, {landed} of {writes} cchc writes landed, lost saves: {missing}")
    assert missing == []  # no save of the editor was overwritten by cchc
    assert load(path).plan  # and the plan is whole and valid
    assert leftovers(tmp_path) == []


# --- 5. Ctrl-C after the rename --------------------------------------------------------------------------

INTERRUPTED = textwrap.dedent("""
    import os, signal, sys
    sys.path.insert(0, {root!r})
    from cchc import cli_edit, console, outputs
    where = sys.argv[1]
    if where == "after-rename":
        real = outputs.fsync_dir
        def interrupted(folder):  # runs right after the rename, inside the writer
            os.kill(os.getpid(), signal.SIGINT)
            real(folder)
        outputs.fsync_dir = interrupted
    else:
        def interrupted(write, amend):  # the write returned; Ctrl-C before the line is printed
            write()
            raise KeyboardInterrupt
        cli_edit._report = interrupted
    sys.argv = ["cchc", *sys.argv[2:]]
    console.main()
""")


@posix_only
@pytest.mark.parametrize("where", ["after-rename", "before-the-message"])
def test_ctrl_c_once_the_file_is_in_place_reports_success(plan, tmp_path, where):
    script = tmp_path / "interrupted.py"
    script.write_text(INTERRUPTED.format(root=str(ROOT)), encoding="utf-8")
    done = subprocess.run([sys.executable, str(script), where, "update", "2.a", "--percent", "45", "--note", "một lần",
                           "--date", "01/06/2023", "--by", "An", "--plan", str(plan)], capture_output=True,
                          timeout=60, env=ENV)
    lines = done.stderr.decode("utf-8").splitlines()
    assert done.returncode == 0, lines
    assert notes(plan, "2.a").count("một lần") == 1
    if where == "after-rename":
        assert lines[-1] == f"Đã ghi tiến độ 45% cho nhiệm vụ 2.a vào plan_2023.yaml; xem thay đổi: git diff -- {plan}"
    else:
        assert lines == [f"{plan}: thay đổi đã được ghi xong trước khi dừng; xem thay đổi: git diff -- {plan}"]


@posix_only
def test_ctrl_c_at_random_moments_never_says_stopped_after_writing(plan):
    trials = 16
    rng = random.Random(5)
    outcomes = {0: 0, 130: 0}
    for i in range(trials):
        before = notes(plan, "2.a")
        child = subprocess.Popen([sys.executable, "-m", "cchc", "update", "2.a", "--percent", str(40 + i),
                                  "--note", f"lần {i}", "--date", "01/06/2023", "--by", "An", "--plan", str(plan)],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV)
        time.sleep(rng.uniform(0.2, 1.2))
        child.send_signal(signal.SIGINT)
        _out, err = child.communicate(timeout=60)
        after = notes(plan, "2.a")
        written = after == before + [f"lần {i}"]
        assert written or after == before
        # exit 0 exactly when the entry landed; 130 ("đã dừng") only when nothing was written, or
        # -SIGINT when the signal came before Python's own handler was in place
        code = 130 if child.returncode == -signal.SIGINT else child.returncode
        assert code == (0 if written else 130), (child.returncode, err.decode("utf-8"))
        outcomes[code] += 1
    print("exit codes over", trials, "interrupts:", outcomes)
    assert leftovers(plan.parent) == []


# --- 2 × 50 concurrent writers ----------------------------------------------------------------------------

def test_writer_refuses_a_read_only_plan_before_locking(plan):
    plan.chmod(0o444)
    try:
        with pytest.raises(writer.PlanNotWritten, match="chỉ cho phép đọc"):
            record_progress(plan, "2.a", 45, date="2023-06-01", by="An")
        assert not writer.lock_path(plan).exists()
    finally:
        plan.chmod(0o644)


def test_two_writers_of_fifty_give_exactly_one_hundred_entries(tmp_path):
    # the same check as test_writer.py's, with every entry's author counted on a plan of 2023
    path = tmp_path / "plan_2023.yaml"
    path.write_bytes(PLAN_2023.read_bytes())
    script = tmp_path / "loop.py"
    script.write_text(textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(ROOT)!r})
        from cchc.edit import record_progress
        for i in range(50):
            record_progress(sys.argv[1], "3.đ", i % 100, note=f"{{sys.argv[2]}}{{i}}", date="2023-03-01",
                            by=sys.argv[2])
    """), encoding="utf-8")
    procs = [subprocess.Popen([sys.executable, str(script), str(path), tag], env=ENV) for tag in "AB"]
    for p in procs:
        assert p.wait(timeout=300) == 0
    entries = load(path).plan.task("3.đ").progress
    assert len(entries) == 100
    assert sorted(e.by for e in entries) == ["A"] * 50 + ["B"] * 50
    assert leftovers(tmp_path) == []
