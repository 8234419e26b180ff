"""The one way cchc writes a plan file: locked, checked, validated, atomic.

`edit_plan(path, change)`:
1. takes a lock beside the file (`plan_2023.yaml.lock`), so cchc commands writing the same plan
   at once queue instead of overwriting each other; the lock covers read → edit → write;
2. reads the file and refuses to touch it if it has merge-conflict markers or is invalid;
3. lets `change` splice its edit into the text (`yamledit.TextEdit`), and refuses an edit that
   changes what a submitted report said unless it is an amendment (`submissions.guard_submitted`);
4. parses the new text, checks it reads back as exactly the intended data, and validates it:
   a change that would leave an invalid plan is refused, the file untouched;
5. checks that the file still has the content it had at step 2 (an editor may have saved it
   meanwhile: its change is not overwritten);
6. writes a temporary file in the same folder (flush, fsync, the original's mode), renames it over
   the plan (atomic on POSIX and Windows) and fsyncs the folder: a reader or a crash sees the old
   plan or the new one, never a mixture.
"""

from __future__ import annotations

import os
import stat
from contextlib import suppress
from pathlib import Path
from typing import Callable, TypeVar

from .diagnostics import CchcError, PlanInvalid
from .finding_codes import format_finding
from .i18n import _
from .planfile import LoadedPlan, PlanDocument, decode_text, parse_document, read_bytes, validate_document
from .yamledit import TextEdit

T = TypeVar("T")

LOCK_TIMEOUT = 60.0  # seconds to wait for another cchc command writing the same plan
TMP_SUFFIX = ".cchc-tmp"
_BOM = b"\xef\xbb\xbf"


class PlanNotWritten(CchcError):
    """A refused write: the plan file is left exactly as it was (exit 1)."""


def lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


def edit_plan(path: str | os.PathLike, change: Callable[[LoadedPlan, TextEdit], T],
              lock_timeout: float = LOCK_TIMEOUT, dry_run: bool = False, scope: tuple[str, str] | None = None) -> T:
    """Apply `change` to the plan at `path` and write the result safely; returns what `change` returns.

    `change(loaded, edit)` makes its edit through `edit` (nothing is written if it makes none) and
    raises CchcError to refuse. Every refusal leaves the file byte-for-byte as it was. `dry_run`
    checks the result as for a write, then writes nothing. `scope`, ("task", id) or ("target", id),
    names the one node `change` edits: when the cache proves the file, only that node is parsed
    and validated (cchc/fastedit.py), with the same result.
    """
    # filelock: a small, well-kept, cross-platform lock (fcntl.flock on POSIX, msvcrt on Windows),
    # released by the OS if the process dies, so a crashed writer never leaves the plan locked.
    from filelock import FileLock, Timeout

    shown = Path(path)
    target = _real_path(shown)
    lock = FileLock(str(lock_path(target)), timeout=lock_timeout)
    try:
        lock.acquire()
    except Timeout:
        raise PlanNotWritten(_(
            "{path}: một lệnh cchc khác đang ghi tệp này (khóa {lock}); hãy thử lại sau").format(
            path=shown, lock=lock_path(target).name)) from None
    except OSError as e:
        raise PlanNotWritten(_("{path}: không tạo được tệp khóa {lock} ({reason}); không ghi thay đổi nào").format(
            path=shown, lock=lock_path(target), reason=e.strerror or e)) from None
    try:
        _remove_leftovers(target)
        raw = read_bytes(target)
        text = decode_text(shown, raw)
        result, new_text, store = _make_change(shown, raw, text, change, scope)
        if new_text is None or dry_run:
            return result
        if read_bytes(target) != raw:  # the same test as comparing SHA-256 digests, without hashing
            raise PlanNotWritten(_(
                "{path}: tệp đã bị sửa bởi chương trình khác trong lúc ghi (có thể là trình soạn thảo); "
                "không ghi đè. Hãy lưu tệp trong trình soạn thảo rồi chạy lại lệnh").format(path=shown))
        data = new_text.encode("utf-8")
        data = _BOM + data if raw.startswith(_BOM) else data
        try:
            atomic_write(target, data)
        except OSError as e:
            raise PlanNotWritten(_("{path}: không ghi được tệp ({reason}); tệp vẫn giữ nguyên như trước").format(
                path=shown, reason=e.strerror or e)) from None
        if store is not None:
            store(data)  # the new plan is validated: the next command reads it warm
        return result
    finally:
        lock.release()


def _make_change(shown: Path, raw: bytes, text: str, change: Callable, scope: tuple[str, str] | None):
    """(what `change` returns, the new text or None if no edit, a function storing its cache entry or None)."""
    from . import fastedit

    fast = fastedit.attempt(shown, raw, text, change, scope)
    if fast is not None:
        return fast
    loaded = _load_before(shown, text)
    edit = TextEdit(loaded.doc)
    result = change(loaded, edit)
    if not edit.changed:
        return result, None, None
    from .submissions import guard_submitted

    guard_submitted(loaded, edit)  # a submitted report's facts: refused, or recorded as an amendment
    new_text = edit.result()
    _check_after(shown, edit, new_text)
    return result, new_text, fastedit.after_full_edit(shown, loaded, edit, new_text, scope)


def _real_path(path: Path) -> Path:
    # A symlinked plan is written where it really is, so the link stays a link.
    try:
        return path.resolve(strict=True)
    except OSError:
        return path


def _load_before(shown: Path, text: str) -> LoadedPlan:
    try:
        doc = parse_document(shown, text)
        return LoadedPlan(plan=validate_document(doc), doc=doc)
    except PlanInvalid as e:
        conflict = any(d.code == "merge-conflict" for d in e.diagnostics)
        head = _("{path}: tệp còn dấu xung đột khi gộp của git; giải quyết xung đột trước, không ghi thay đổi nào") \
            if conflict else _("{path}: tệp kế hoạch đang có lỗi nên không ghi thay đổi nào; sửa các lỗi sau "
                               "rồi chạy lại lệnh")
        raise PlanNotWritten("\n".join([head.format(path=shown), *(format_finding(d) for d in e.diagnostics)])) from None


def _check_after(shown: Path, edit: TextEdit, new_text: str) -> None:
    """Refuse unless the new text reads back as exactly the intended data, and that data is valid."""
    region = edit.region()
    reads_back = False
    if region is not None:
        # Only the edited node is parsed again (see TextEdit.region): a 3 MB plan is not re-read.
        _path, text, expected = region
        try:
            reads_back = parse_document(shown, text).data == expected
        except PlanInvalid:
            reads_back = False
    if not reads_back:
        try:
            reads_back = parse_document(shown, new_text).data == edit.expected
        except PlanInvalid as e:
            raise PlanNotWritten("\n".join([_("{path}: thay đổi này làm hỏng cú pháp YAML của tệp; không ghi").format(
                path=shown), *(d.message for d in e.diagnostics)])) from None
    if not reads_back:
        # A splice that read back as something else: an internal error, caught before the disk.
        raise PlanNotWritten(_("{path}: lỗi nội bộ: nội dung sau khi sửa không đúng như dự định; không ghi "
                               "(hãy báo lỗi này cho người phát triển cchc)").format(path=shown))
    if region is not None and reads_back and _node_is_valid(region[0], edit.expected):
        return
    try:
        validate_document(PlanDocument(path=shown, text=new_text, data=edit.expected))
    except PlanInvalid as e:
        raise PlanNotWritten("\n".join([_("{path}: thay đổi này làm tệp kế hoạch không hợp lệ; không ghi").format(
            path=shown), *(d.message for d in e.diagnostics)])) from None


def _node_is_valid(path: tuple, data) -> bool:
    """Whether the plan, valid before an edit confined to the node at `path`, is valid after it.

    The rest of the plan is unchanged, so the checks that span the plan (`semantic_problems`, a
    few milliseconds) and the schema of the task, target or narrative holding the node decide it,
    instead of validating a large plan again. False means "not shown": the caller then validates
    the whole plan, which also gives the messages.
    """
    from pydantic import ValidationError

    from .model import Area, Plan, semantic_problems

    if any(cls.__pydantic_decorators__.model_validators or cls.__pydantic_decorators__.field_validators
           for cls in (Plan, Area)):
        return False  # a rule across nodes: only the whole plan can tell
    holder = next((n for n in range(len(path), 0, -1) if _model_at(path[:n]) is not None), None)
    if holder is None or semantic_problems(data):
        return False
    node = data
    for part in path[:holder]:
        node = node[part]
    try:
        _model_at(path[:holder]).model_validate(node)
    except ValidationError:
        return False
    return True


def _model_at(path: tuple):
    """The schema model of the node at `path` if it is a task, a target or a period's narrative."""
    from .model import Narrative, Target, Task

    if len(path) == 4 and path[0] == "areas" and path[2] == "tasks" or len(path) == 2 and path[0] == "duties":
        return Task
    if len(path) == 2 and path[0] == "targets":
        return Target
    if len(path) == 2 and path[0] == "narratives":
        return Narrative
    return None


def atomic_write(target: Path, data: bytes) -> None:
    """Replace `target` by `data`: temporary file beside it, fsync, same mode, rename, fsync the folder."""
    st = os.stat(target)
    tmp = _write_temp(target, data)
    try:
        os.chmod(tmp, stat.S_IMODE(st.st_mode))
        if hasattr(os, "chown") and (st.st_uid, st.st_gid) != (os.getuid(), os.getgid()):
            with suppress(OSError):  # keep the owner when root edits a user's plan; best effort
                os.chown(tmp, st.st_uid, st.st_gid)
        os.replace(tmp, target)
    except BaseException:
        with suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(target.parent)


def atomic_create(target: Path, data: bytes) -> None:
    """Write a new file `target` whole or not at all; FileExistsError if it exists, even if it
    appears while writing (the file is hard-linked into place, which never replaces a file)."""
    if os.path.lexists(target):
        raise FileExistsError(target)
    tmp = _write_temp(target, data)
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        try:
            os.link(tmp, target)
        except FileExistsError:
            raise
        except OSError:
            # No hard links here (FAT, some network shares): rename, which Windows refuses
            # over an existing file; on POSIX the check above is the guard.
            if os.path.lexists(target):
                raise FileExistsError(target) from None
            os.rename(tmp, target)
    finally:
        with suppress(OSError):
            os.unlink(tmp)
    _fsync_dir(target.parent)


def _write_temp(target: Path, data: bytes) -> str:
    import tempfile

    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=TMP_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        with suppress(OSError):
            os.unlink(tmp)
        raise
    return tmp


def _fsync_dir(folder: Path) -> None:
    # Makes the rename itself durable on POSIX; Windows cannot open a folder for fsync.
    if os.name != "posix":
        return
    with suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _remove_leftovers(target: Path) -> None:
    """Temporary files of a writer that was killed mid-write (safe: we hold the lock)."""
    prefix = f".{target.name}."
    with suppress(OSError):
        for name in os.listdir(target.parent):
            if name.startswith(prefix) and name.endswith(TMP_SUFFIX):
                with suppress(OSError):
                    os.unlink(target.parent / name)
