"""Hostile or broken plan files and paths: one Vietnamese line, the right exit code, the file unchanged.

Each class of the issue ("nothing hangs, nothing crashes") has a test here; the bombs also run as
child processes whose peak memory and CPU time are measured with resource.getrusage.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import PROGRESS_PLAN, run

posix_only = pytest.mark.skipif(os.name != "posix", reason="needs FIFOs, devices and file modes")

READ_COMMANDS = [("validate",), ("status",), ("tasks",), ("check",), ("kpi",)]


def one_line(result) -> str:
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def billion_laughs(levels: int = 12) -> str:
    text = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n"
    for i in range(1, levels):
        text += f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]\n"
    return text


def plan_with(tmp_path: Path, tail: str, name: str = "plan_2023.yaml") -> Path:
    path = tmp_path / name
    path.write_bytes(PROGRESS_PLAN.read_bytes() + tail.encode("utf-8"))
    return path


# --- 6. alias expansion ------------------------------------------------------------------------------

@pytest.mark.parametrize("command", READ_COMMANDS + [("update", "2.a", "--percent", "40")])
def test_billion_laughs_is_refused_at_the_alias(tmp_path, command):
    path = tmp_path / "plan_2023.yaml"
    path.write_text(billion_laughs(), encoding="utf-8")
    raw = path.read_bytes()
    assert len(raw) < 1024
    flag = "--plan"
    result = run(*command, flag, path)
    assert result.exit_code == 1
    expected = (f"{path}:5:35: lỗi [alias-expansion] bí danh YAML (*a3) mở rộng thành quá nhiều giá trị (hơn 50000); hãy viết giá trị ra "
                "thay vì dùng bí danh lồng nhau")
    if command[0] == "update":  # a refused write names the problems after its one-line reason
        assert result.stderr.splitlines() == [
            f"lỗi: {path}: tệp kế hoạch đang có lỗi nên không ghi thay đổi nào; sửa các lỗi sau rồi chạy lại lệnh",
            expected]
    else:
        assert (one_line(result) if command[0] != "validate" else result.stdout.strip()) == expected
    assert path.read_bytes() == raw
    assert not (tmp_path / "plan_2023.yaml.lock").exists()


def test_a_few_aliases_still_work(tmp_path):
    # aliases as such are allowed (the builder keeps matching ruamel's composer); only expansion is bounded
    path = plan_with(tmp_path, "")
    text = path.read_text(encoding="utf-8").replace("units:\n", "units: &units\n", 1)
    assert "&units" in text
    path.write_text(text, encoding="utf-8")
    assert run("validate", path).exit_code == 0


CHILD = textwrap.dedent("""
    import resource, subprocess, sys
    done = subprocess.run([sys.executable, "-m", "cchc", *sys.argv[1:]], capture_output=True)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(done.returncode, usage.ru_maxrss, usage.ru_utime + usage.ru_stime)
""")


def measured(*args: str) -> tuple[int, int, float]:
    """(exit code, peak RSS in MB, CPU seconds) of `cchc ARGS` run alone in a fresh child process."""
    # A wrapper process, so RUSAGE_CHILDREN covers this one command, not every child the tests ran.
    out = subprocess.run([sys.executable, "-c", CHILD, *args], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])})
    code, rss, cpu = out.stdout.split()
    return int(code), int(rss) // (1024 if sys.platform != "darwin" else 1024 * 1024), float(cpu)


@pytest.mark.skipif(os.name != "posix", reason="resource.getrusage")
def test_billion_laughs_peak_memory_and_time(tmp_path):
    path = tmp_path / "plan_2023.yaml"
    path.write_text(billion_laughs(), encoding="utf-8")
    code, rss, cpu = measured("validate", str(path))
    print(f"billion laughs: exit {code}, peak {rss} MB, {cpu:.2f} s CPU")
    assert code == 1
    assert rss < 300 and cpu < 2


# --- 7. not a regular file, too large ---------------------------------------------------------------

@posix_only
@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "dev-urandom", "folder", "root", "symlink-loop"])
@pytest.mark.parametrize("command", READ_COMMANDS + [("update", "2.a", "--percent", "40")])
def test_only_regular_files_are_read(tmp_path, kind, command):
    if kind == "fifo":
        path = tmp_path / "plan_2023.yaml"
        os.mkfifo(path)
        expected = f"lỗi: {path}: không phải một tệp thông thường (là thiết bị, ống FIFO hoặc socket); không đọc"
    elif kind.startswith("dev-"):
        path = Path("/dev/" + kind[4:])
        expected = f"lỗi: {path}: không phải một tệp thông thường (là thiết bị, ống FIFO hoặc socket); không đọc"
    elif kind in ("folder", "root"):
        path = tmp_path if kind == "folder" else Path("/")
        expected = f"lỗi: {path}: là một thư mục, không phải tệp kế hoạch"
    else:
        path = tmp_path / "plan_2023.yaml"
        other = tmp_path / "b.yaml"
        path.symlink_to(other)
        other.symlink_to(path)
        expected = f"lỗi: {path}: không đọc được tệp (vòng lặp liên kết tượng trưng (symlink))"
    flag = "--plan"
    result = run(*command, flag, path)
    assert result.exit_code == 2
    assert one_line(result) == expected
    assert not list(tmp_path.glob("*.lock"))


@pytest.mark.parametrize("command", [("status",), ("validate",)])
def test_cchc_plan_set_to_root(command):
    result = run(*command, env={"CCHC_PLAN": "/"})
    assert result.exit_code == 2
    assert one_line(result) == "lỗi: /: là một thư mục, không phải tệp kế hoạch"


def test_a_plan_over_64_mb_is_refused_unread(tmp_path):
    path = tmp_path / "plan_2023.yaml"
    with open(path, "wb") as f:
        f.write(PROGRESS_PLAN.read_bytes())
        f.truncate(64 * 1024 * 1024 + 1)  # sparse: no 64 MB written to the test disk
    result = run("validate", path)
    assert result.exit_code == 2
    assert one_line(result) == f"lỗi: {path}: tệp lớn hơn 64 MB, không phải một tệp kế hoạch; không đọc"


# --- 10. crashes that become one line -------------------------------------------------------------

@pytest.mark.parametrize("command", READ_COMMANDS)
def test_an_integer_beyond_pythons_digit_limit(tmp_path, command):
    path = plan_with(tmp_path, "")
    text = path.read_text(encoding="utf-8")
    at = text.index("value: 88.2") + len("value: ")
    line, col = text[:at].count("\n") + 1, at - text.rfind("\n", 0, at)
    path.write_text(text.replace("value: 88.2", "value: " + "9" * 5000, 1), encoding="utf-8")
    raw = path.read_bytes()
    result = run(*command, "-p", path)
    assert result.exit_code == 1
    shown = result.stdout.strip() if command[0] == "validate" else one_line(result)
    assert shown == f"{path}:{line}:{col}: lỗi [number-too-large] số nguyên quá lớn (5000 chữ số); kế hoạch không dùng số lớn như vậy"
    assert path.read_bytes() == raw


@pytest.mark.parametrize("command", READ_COMMANDS)
def test_nesting_beyond_the_recursion_limit(tmp_path, command):
    path = tmp_path / "plan_2023.yaml"
    path.write_text("a: " + "[" * 500 + "]" * 500 + "\n", encoding="utf-8")
    assert path.stat().st_size < 1100
    result = run(*command, "-p", path)
    assert result.exit_code == 1
    shown = result.stdout.strip() if command[0] == "validate" else one_line(result)
    assert shown == f"{path}:1:68: lỗi [too-deep] dữ liệu lồng nhau quá sâu (hơn 64 cấp); tệp kế hoạch không cần sâu như vậy"


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf", "1e309", ".NaN"])
@pytest.mark.parametrize("command", READ_COMMANDS + [("report", "-q", "1", "--as-of", "20/06/2023")])
def test_nan_and_infinity_are_rejected_by_the_schema(tmp_path, value, command):
    path = plan_with(tmp_path, "")
    text = path.read_text(encoding="utf-8")
    at = text.index("value: 88.2") + len("value: ")
    line, col = text[:at].count("\n") + 1, at - text.rfind("\n", 0, at)
    path.write_text(text.replace("value: 88.2", f"value: {value}", 1), encoding="utf-8")
    raw = path.read_bytes()
    result = run(*command, "-p", path)
    assert result.exit_code == 1
    shown = result.stdout.strip() if command[0] == "validate" else one_line(result)
    assert shown == f"{path}:{line}:{col}: lỗi [wrong-type] cần một số hữu hạn"
    assert path.read_bytes() == raw
    assert not (tmp_path / "reports").exists()


@pytest.mark.parametrize("args", [
    ("update", "2.a", "--percent", "40", "--note", "ab\udcffcd", "--date", "01/03/2023"),
    ("tasks", "\udcff"),
    ("status", "-p", "plan\udcfe.yaml"),
])
def test_command_line_bytes_that_are_not_utf8(tmp_path, args):
    path = plan_with(tmp_path, "")
    raw = path.read_bytes()
    result = run(*args, env={"CCHC_PLAN": str(path)})
    assert result.exit_code == 2
    bad = next(a for a in args if any(0xdc80 <= ord(c) <= 0xdcff for c in a))
    shown = bad.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    assert one_line(result) == f"lỗi: đối số dòng lệnh “{shown}” không phải văn bản UTF-8; hãy gõ lại bằng bảng mã UTF-8"
    assert path.read_bytes() == raw


@posix_only
def test_non_utf8_bytes_from_a_real_shell(tmp_path):
    path = plan_with(tmp_path, "")
    raw = path.read_bytes()
    done = subprocess.run([sys.executable, "-m", "cchc", "update", "2.a", "--percent", "40", "--note",
                           os.fsdecode(b"ab\xffcd"), "--plan", str(path)], capture_output=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])})
    assert done.returncode == 2
    assert done.stderr.decode("utf-8").splitlines() == [
        "lỗi: đối số dòng lệnh “ab\\xffcd” không phải văn bản UTF-8; hãy gõ lại bằng bảng mã UTF-8"]
    assert path.read_bytes() == raw


# --- 11. no stray lock, read-only plans ------------------------------------------------------------

@pytest.mark.parametrize("content", ["root:x:0:0:root:/root:/bin/bash\n", "a: [\n", "- 1\n- 2\n",
                                     "schema_version: 1\nplan: 3\n"])
def test_a_write_aimed_at_something_that_is_not_a_plan_leaves_no_lock(tmp_path, content):
    path = tmp_path / "passwd"
    path.write_text(content, encoding="utf-8")
    result = run("update", "2.a", "--percent", "40", env={"CCHC_PLAN": str(path)})
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"lỗi: {path}: tệp kế hoạch đang có lỗi nên không ghi thay đổi nào; sửa các lỗi sau rồi chạy lại lệnh")
    assert path.read_text(encoding="utf-8") == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["passwd"]


@posix_only
def test_a_read_only_plan_is_not_rewritten(tmp_path):
    path = plan_with(tmp_path, "")
    raw = path.read_bytes()
    path.chmod(0o444)
    try:
        result = run("update", "2.a", "--percent", "40", "--date", "01/03/2023", "--plan", path)
        assert result.exit_code == 1
        assert one_line(result) == (f"lỗi: {path}: tệp chỉ cho phép đọc (read-only) nên cchc không ghi; nếu đúng là "
                                    f"cần ghi, bỏ thuộc tính chỉ đọc trước (chmod u+w {path})")
        assert path.read_bytes() == raw
        assert sorted(p.name for p in tmp_path.iterdir()) == ["plan_2023.yaml"]
    finally:
        path.chmod(0o644)
