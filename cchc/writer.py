"""The one way cchc writes a plan file: locked, checked, validated, atomic.

`edit_plan(path, change)`:
1. reads the file and refuses to touch it if it is not a regular file, is read-only, or is no
   plan at all, before any lock file is created;
2. takes a lock beside the file (`plan_2023.yaml.lock`), so cchc commands writing the same plan
   at once queue instead of overwriting each other; the lock covers read → edit → write. Under
   it the file is read again and refused if it has merge-conflict markers or is invalid (a lock
   file this command created is then removed); when the cache proves the file, only the edited
   node is parsed (cchc/fastedit.py);
3. lets `change` splice its edit into the text (`yamledit.TextEdit`), and refuses an edit that
   changes what a submitted report said unless it is an amendment (`submissions.guard_submitted`);
4. parses the new text, checks it reads back as exactly the intended data, and validates it:
   a change that would leave an invalid plan is refused, the file untouched;
5. writes a temporary file in the same folder (flush, fsync, the original's mode) and, right
   before the rename, checks the file is still the one read under the lock (device, inode, size,
   times): an editor's save meanwhile is not overwritten;
6. puts the new file in place. On Linux the rename is an atomic exchange, so the file it replaced
   is still there to be looked at: if an edit slipped in between the check and the rename, it is
   swapped back and the write refused (no window where an edit is lost). Elsewhere it is
   `os.replace`, right after the check. Then the folder is fsynced: a reader or a crash sees the old
   plan or the new one, never a mixture. From the rename on, Ctrl-C no longer interrupts: the
   change is in place, so the command reports it done.
"""

from __future__ import annotations

import os
import re
import signal
import stat
import threading
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Callable, TypeVar

from . import outputs
from .diagnostics import CchcError, PlanFileNotFound, PlanInvalid
from .finding_codes import format_finding
from .i18n import _
from .oserror import reason
from .outputs import TMP_SUFFIX  # noqa: F401 - the temporary files' suffix, as tests and docs name it
from .planfile import LoadedPlan, PlanDocument, decode_text, parse_document, read_bytes, validate_document
from .yamledit import TextEdit

T = TypeVar("T")

LOCK_TIMEOUT = 60.0  # seconds to wait for another cchc command writing the same plan
_BOM = b"\xef\xbb\xbf"


class PlanNotWritten(CchcError):
    """A refused write: the plan file is left exactly as it was (exit 1)."""


class _InvalidTarget(PlanNotWritten):
    """The file to write is not a valid plan (conflict markers, errors, not a plan at all)."""


# A plan's first key, at the start of a line: a file without it is no plan and gets no lock file.
_PLAN_START = re.compile(r"^schema_version\s*:", re.MULTILINE)


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
    # What can be known without the lock is checked first: a path that is not a plan (/etc/passwd,
    # a folder, a FIFO) is refused without leaving a PATH.lock behind.
    raw = read_bytes(target)
    _check_writable(shown, target)
    text = decode_text(shown, raw)
    if not _PLAN_START.search(text):
        _load_before(shown, text)  # not a plan: refused with its problems (else, oddly laid out: go on)
    lock = FileLock(str(lock_path(target)), timeout=lock_timeout)
    created = not os.path.lexists(lock_path(target))
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
        outputs.remove_leftovers(target.parent, only=target.name, everything=True)  # safe: we hold the lock
        raw, identity = _read(target)
        try:
            result, new_text, store = _make_change(shown, raw, decode_text(shown, raw), change, scope)
        except (_InvalidTarget, PlanInvalid):
            if created:  # a lock cchc made beside a file that is no valid plan: not left behind
                _drop(lock_path(target))
            raise
        if new_text is None or dry_run:
            return result
        data = new_text.encode("utf-8")
        data = _BOM + data if raw.startswith(_BOM) else data
        with _interrupts_deferred() as landed:
            _replace(shown, target, data, identity, landed)
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
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop before Python 3.13; read_bytes says so
        return path


def _drop(lock: Path) -> None:
    # Unlinked while still held: a writer waiting on this inode sees it gone (filelock checks the
    # link count) and takes a new one, so the lock still excludes.
    with suppress(OSError):
        os.unlink(lock)


def _identity(st: os.stat_result) -> tuple:
    # What changes when any program writes the file, in place or by renaming another file onto it.
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _read(target: Path) -> tuple[bytes, tuple]:
    """The file's bytes and the identity they belong to (read again if it changed while reading)."""
    for _attempt in range(3):
        before = _stat(target)
        raw = read_bytes(target)
        after = _stat(target)
        if before == after:
            return raw, after
    return raw, after


def _stat(target: Path) -> tuple:
    try:
        return _identity(os.stat(target))
    except OSError:
        return ()  # read_bytes reports the reason


def _check_writable(shown: Path, target: Path) -> None:
    """A read-only plan (mode 444, or Windows' read-only attribute) is refused, as an editor asks first."""
    try:
        mode = os.stat(target).st_mode
    except OSError as e:
        raise PlanFileNotFound(_("{path}: không đọc được tệp ({reason})").format(
            path=shown, reason=reason(e))) from None
    if not mode & stat.S_IWUSR or not os.access(target, os.W_OK):
        raise PlanNotWritten(_("{path}: tệp chỉ cho phép đọc (read-only) nên cchc không ghi; nếu đúng là cần ghi, "
                               "bỏ thuộc tính chỉ đọc trước (chmod u+w {path})").format(path=shown))


def _changed_meanwhile(shown: Path) -> PlanNotWritten:
    return PlanNotWritten(_(
        "{path}: tệp đã bị sửa bởi chương trình khác trong lúc ghi (có thể là trình soạn thảo); "
        "không ghi đè. Hãy lưu tệp trong trình soạn thảo rồi chạy lại lệnh").format(path=shown))


def _replace(shown: Path, target: Path, data: bytes, identity: tuple, landed: list) -> None:
    st = os.stat(target)

    def commit(tmp: Path, dest: Path) -> None:
        if _stat(dest) != identity:
            raise _changed_meanwhile(shown)
        ours = _stat(tmp)[:4]
        if outputs.exchange(tmp, dest):
            # `tmp` now names the file that was in place: the one read under the lock, or not
            # (the rename itself changed its ctime, hence [:4]).
            if _stat(tmp)[:4] != identity[:4]:
                outputs.exchange(tmp, dest)
                if _stat(tmp)[:4] != ours:  # a third write landed meanwhile: keep both, name ours
                    kept = dest.with_name(dest.name + f".cchc-{os.getpid()}.new")
                    os.rename(tmp, kept)
                    raise PlanNotWritten(_("{path}: tệp bị chương trình khác sửa đúng lúc ghi; không ghi đè. Bản "
                                           "của cchc để ở {kept}").format(path=shown, kept=kept))
                raise _changed_meanwhile(shown)
        else:
            os.replace(tmp, dest)
        landed.append(shown)
        outputs.landed.append(shown)

    try:
        outputs.replace_file(target, data, mode=stat.S_IMODE(st.st_mode), owner=(st.st_uid, st.st_gid),
                             commit=commit)
    except CchcError:
        raise
    except OSError as e:
        if landed:
            return  # in place; only the folder's fsync or the cleanup failed
        raise PlanNotWritten(_("{path}: không ghi được tệp ({reason}); tệp vẫn giữ nguyên như trước").format(
            path=shown, reason=reason(e))) from None


@contextmanager
def _interrupts_deferred():
    """Ctrl-C is ignored once the new file is in place (the list given is non-empty), until the end.

    Before that an interrupt stops the write as usual, leaving the old file; after it, stopping
    would only make the user believe nothing was written and record the change twice.
    """
    landed: list = []
    if threading.current_thread() is not threading.main_thread():
        yield landed
        return
    pending: list = []
    previous = signal.getsignal(signal.SIGINT)

    def handler(signum, frame):
        if landed:
            pending.append(signum)
        elif callable(previous):
            previous(signum, frame)
        else:
            raise KeyboardInterrupt

    signal.signal(signal.SIGINT, handler)
    try:
        yield landed
    finally:
        signal.signal(signal.SIGINT, previous)


def _load_before(shown: Path, text: str) -> LoadedPlan:
    try:
        doc = parse_document(shown, text)
        return LoadedPlan(plan=validate_document(doc), doc=doc)
    except PlanInvalid as e:
        conflict = any(d.code == "merge-conflict" for d in e.diagnostics)
        head = _("{path}: tệp còn dấu xung đột khi gộp của git; giải quyết xung đột trước, không ghi thay đổi nào") \
            if conflict else _("{path}: tệp kế hoạch đang có lỗi nên không ghi thay đổi nào; sửa các lỗi sau "
                               "rồi chạy lại lệnh")
        raise _InvalidTarget("\n".join([head.format(path=shown), *(format_finding(d) for d in e.diagnostics)])) from None


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
