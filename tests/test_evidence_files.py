"""Evidence files: only from the plan's tree (unless --outside-ok), never through a symlink out of it,
each file hashed once per run, and `validate` skips unchanged files unless --verify-files."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

import pytest

from cchc import evidence
from cchc.planfile import load
from conftest import PROGRESS_PLAN, run

posix_only = pytest.mark.skipif(os.name != "posix", reason="symlinks and /proc")


@pytest.fixture
def plan(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "repo" / "ke-hoach"
    folder.mkdir(parents=True)
    path = folder / "plan_2023.yaml"
    path.write_bytes(PROGRESS_PLAN.read_bytes())
    monkeypatch.chdir(folder)
    return path


def add(path: Path, file, *extra: str):
    return run("evidence", "add", "3.đ", "Báo cáo số 45/BC-SKHCN ngày 20/3/2023", "--attach", file, "--plan", path,
               *extra)


def outside_line(file, tree: Path, via: str = "") -> str:
    return (f"lỗi: {file}{via} nằm ngoài thư mục của kế hoạch ({tree}); tài liệu kiểm chứng cần nằm cùng kho với kế "
            "hoạch để người khác mở được. Nếu đúng là muốn ghi tệp này, thêm --outside-ok")


def test_a_file_outside_the_plans_folder_needs_outside_ok(plan, tmp_path):
    elsewhere = tmp_path / "elsewhere.pdf"
    elsewhere.write_bytes(b"%PDF outside")
    raw = plan.read_bytes()
    result = add(plan, elsewhere)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [outside_line(elsewhere, plan.parent.resolve())]
    assert plan.read_bytes() == raw
    result = add(plan, elsewhere, "--outside-ok")
    assert result.exit_code == 0, result.stderr
    assert load(plan).plan.task("3.đ").evidence[-1].file == "../../elsewhere.pdf"


@posix_only
def test_etc_passwd_is_refused(plan):
    raw = plan.read_bytes()
    result = run("done", "2.a", "--evidence", "x", "--attach", "/etc/passwd", "--date", "01/03/2023", "--plan", plan)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [outside_line("/etc/passwd", plan.parent.resolve())]
    assert plan.read_bytes() == raw


@posix_only
def test_a_symlink_out_of_the_tree_is_judged_by_where_it_leads(plan, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("not evidence")
    link = plan.parent / "kiem-chung.pdf"
    link.symlink_to(secret)
    raw = plan.read_bytes()
    result = add(plan, "kiem-chung.pdf")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        outside_line("kiem-chung.pdf", plan.parent.resolve(), f" (liên kết tới {secret.resolve()})")]
    assert plan.read_bytes() == raw


@posix_only
@pytest.mark.parametrize("outside_ok", [False, True])
def test_proc_files_are_never_evidence(plan, outside_ok):
    raw = plan.read_bytes()
    result = add(plan, "/proc/self/status", *(["--outside-ok"] if outside_ok else []))
    assert result.exit_code == 2
    line = result.stderr.splitlines()
    assert len(line) == 1 and line[0].startswith("lỗi: /proc/self/status là tệp của hệ thống (/proc/")
    assert line[0].endswith("), không phải tài liệu kiểm chứng")
    assert plan.read_bytes() == raw


def test_the_git_work_tree_is_the_plans_tree(plan, tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path / "repo")], check=True)
    docs = tmp_path / "repo" / "tai-lieu"
    docs.mkdir()
    (docs / "bc.pdf").write_bytes(b"%PDF in the repository")
    result = add(plan, docs / "bc.pdf")
    assert result.exit_code == 0, result.stderr
    assert load(plan).plan.task("3.đ").evidence[-1].file == "../tai-lieu/bc.pdf"


@pytest.mark.parametrize("kind", ["folder", "loop", "unreadable"])
def test_an_evidence_file_that_cannot_be_read_is_one_line(plan, kind, monkeypatch):
    raw = plan.read_bytes()
    if kind == "folder":
        (plan.parent / "ho-so").mkdir()
        name, expected = "ho-so", ("lỗi: ho-so không phải một tệp thông thường (thư mục, thiết bị hoặc ống FIFO); "
                                   "tài liệu kiểm chứng phải là một tệp")
    elif kind == "loop":
        if os.name != "posix":
            pytest.skip("symlinks")
        (plan.parent / "a.pdf").symlink_to("b.pdf")
        (plan.parent / "b.pdf").symlink_to("a.pdf")
        name, expected = "a.pdf", ("lỗi: không đọc được tệp tài liệu kiểm chứng a.pdf "
                                   "(vòng lặp liên kết tượng trưng (symlink))")
    else:
        (plan.parent / "bc.pdf").write_bytes(b"%PDF")

        def denied(path):
            raise PermissionError(13, "Permission denied", str(path))

        # as root, chmod 000 still reads: the refusal of the file system is simulated
        monkeypatch.setattr(evidence, "file_sha256", denied)
        name, expected = "bc.pdf", "lỗi: không đọc được tệp tài liệu kiểm chứng bc.pdf (không có quyền truy cập)"
    result = add(plan, name)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [expected]
    assert plan.read_bytes() == raw


# --- hashing once, and not again while nothing changed -------------------------------------------------

def plan_naming_one_file(plan: Path, entries: int) -> Path:
    big = plan.parent / "ho-so.bin"
    big.write_bytes(os.urandom(1 << 16))
    digest = hashlib.sha256(big.read_bytes()).hexdigest()
    block = "".join(f"          - text: Biên bản {i}\n            file: ho-so.bin\n            sha256: {digest}\n"
                    for i in range(entries))
    text = plan.read_text(encoding="utf-8").replace("        evidence: []\n", "        evidence:\n" + block, 1)
    plan.write_text(text, encoding="utf-8")
    return big


@pytest.fixture
def hash_count(monkeypatch):
    calls = []
    real = evidence.file_sha256

    def counting(path):
        calls.append(Path(path).name)
        return real(path)

    monkeypatch.setattr(evidence, "file_sha256", counting)
    return calls


def test_six_hundred_entries_naming_one_file_hash_it_once(plan, hash_count):
    plan_naming_one_file(plan, 600)
    for command in (("validate", plan), ("check", "-p", plan, "--as-of", "20/06/2023", "--json")):
        hash_count.clear()
        result = run(*command)
        assert "evidence-file-changed" not in result.stdout
        assert hash_count == ["ho-so.bin"], command


def test_validate_skips_unchanged_files_unless_verify_files(plan, hash_count):
    big = plan_naming_one_file(plan, 3)
    raw = plan.read_bytes()
    assert run("validate", plan).exit_code == 0
    assert hash_count == ["ho-so.bin"]  # first run: hashed and recorded
    hash_count.clear()
    assert run("validate", plan).exit_code == 0
    assert hash_count == []  # same size and mtime as recorded: not read
    assert run("validate", plan, "--verify-files").exit_code == 0
    assert hash_count == ["ho-so.bin"]
    # a change of content is seen by the size or time, and then the hash tells
    hash_count.clear()
    big.write_bytes(b"tampered")
    result = run("validate", plan)
    assert result.exit_code == 0  # validate warns; check fails
    assert hash_count == ["ho-so.bin"]
    assert "tệp kiểm chứng ho-so.bin đã bị thay đổi sau khi ghi (mã sha256 không khớp)" in result.stdout
    assert plan.read_bytes() == raw


def test_check_always_reads_the_files(plan, hash_count):
    plan_naming_one_file(plan, 2)
    assert run("validate", plan).exit_code == 0
    hash_count.clear()
    run("check", "-p", plan, "--as-of", "20/06/2023")
    assert hash_count == ["ho-so.bin"]  # the report check trusts no record


def test_a_forged_record_is_not_believed(plan, hash_count):
    """The record validate trusts is signed: an edited one is ignored and the file hashed again."""
    import json

    from cchc import cache

    big = plan_naming_one_file(plan, 2)
    assert run("validate", plan).exit_code == 0
    record = cache.cache_dir() / "evidence-hashes.json"
    mac, _nl, files = record.read_bytes().partition(b"\n")
    big.write_bytes(b"tampered!")  # changed after it was hashed...
    st = big.stat()
    forged = {path: [st.st_size, st.st_mtime_ns, digest] for path, (_s, _m, digest) in json.loads(files).items()}
    record.write_bytes(mac + b"\n" + json.dumps(forged, sort_keys=True).encode())  # ...and the record "updated"
    hash_count.clear()
    result = run("validate", plan)
    assert hash_count == ["ho-so.bin"]
    assert "tệp kiểm chứng ho-so.bin đã bị thay đổi sau khi ghi (mã sha256 không khớp)" in result.stdout
