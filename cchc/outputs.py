"""Every file cchc writes goes through here: where it may land, and how it lands.

Where: an output (report, spreadsheet, calendar, schema, a new plan) never lands on a plan file or
inside a `.git` folder, and never on an existing file unless the user said `--force`
(`check_output`). How: the bytes go to a temporary file beside the target (created with the
user's umask, like any file a program creates), are fsynced, and the temporary file is renamed
onto the target, so a reader or a crash sees the old file or the new one, never half of one
(`write_output`, `replace_file`). A temporary file left by a killed process carries the
process's id in its name and is removed by the next cchc command that opens the plan of that
folder (`remove_leftovers`).
"""

from __future__ import annotations

import errno
import fnmatch
import os
import stat
import time
from contextlib import suppress
from pathlib import Path
from typing import Callable

from .diagnostics import CchcError, NotFound, Refused, UsageError
from .i18n import _
from .oserror import reason

TMP_SUFFIX = ".cchc-tmp"
PLAN_GLOB = "plan_*.yaml"
STALE_SECONDS = 3600  # a temporary file this old is a leftover whatever its process id says
_REPORTS_DIR = "reports"

# Plan files this process has replaced, in order: once a change is in place, an interrupt still
# reports it done (cli.CchcGroup), so the user does not record it twice.
landed: list[Path] = []


class OutputRefused(Refused):
    """An output that would land on a file it may not replace (exit 1, nothing written)."""


def check_output(target: str | os.PathLike, force: bool = False, plan: str | os.PathLike | None = None,
                 new_plan: bool = False) -> Path:
    """`target` if cchc may write it; raises OutputRefused (exit 1) or CchcError (exit 2) otherwise.

    Never a plan file (named plan_*.yaml, the plan in use, or a YAML file that starts like a plan),
    never inside `.git`, and an existing file only with `force`. `new_plan` allows creating a
    plan file that does not exist yet (`cchc new`).
    """
    target = Path(target)
    real = _real(target)
    if ".git" in real.parts or ".git" in target.parts:
        raise OutputRefused(_("{path}: nằm trong thư mục .git của kho; cchc không bao giờ ghi vào đó").format(
            path=target))
    try:
        st = os.stat(real)
    except (FileNotFoundError, NotADirectoryError):
        st = None  # nothing there; a folder that cannot be made is reported by the write
    except OSError as e:
        raise NotFound(_("{path}: không dùng được đường dẫn này ({reason})").format(path=target, reason=reason(e))
                       ) from None
    is_plan = fnmatch.fnmatch(target.name, PLAN_GLOB) or fnmatch.fnmatch(real.name, PLAN_GLOB)
    if plan is not None and st is not None:
        with suppress(OSError):
            is_plan = is_plan or os.path.samestat(st, os.stat(plan))
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise UsageError(_("{path}: là một thư mục; hãy ghi tên tệp").format(path=target))
    if st is not None and not is_plan and real.suffix.lower() in (".yaml", ".yml"):
        is_plan = _looks_like_plan(real)
    if is_plan and not (new_plan and st is None):
        raise OutputRefused(_("{path}: là tệp kế hoạch; cchc không ghi kết quả đè lên kế hoạch (kể cả với --force). "
                              "Hãy chọn tên tệp khác").format(path=target))
    if st is not None and not force:
        raise OutputRefused(_("{path}: tệp đã có; không ghi đè. Chọn tên khác, hoặc thêm --force để thay tệp "
                              "đó").format(path=target))
    return target


def _real(path: Path) -> Path:
    try:
        return Path(os.path.realpath(path))
    except (OSError, RuntimeError, ValueError):
        return path.absolute()


def _looks_like_plan(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            head = f.read(16384)
    except OSError:
        return False
    return any(line.startswith(b"schema_version:") for line in head.splitlines())


def write_output(target: str | os.PathLike, content: bytes | Callable[[Path], None], force: bool = False,
                 plan: str | os.PathLike | None = None, new_plan: bool = False) -> Path:
    """Write an output file after `check_output`; `content` is the bytes or a function writing a path.

    Without `force` the final rename refuses to replace a file that appeared meanwhile (no file
    is ever clobbered, even by a race). Raises CchcError with one line on any failure; the
    temporary file never stays behind.
    """
    target = check_output(target, force=force, plan=plan, new_plan=new_plan)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise CchcError(write_failure(target, e)) from None
    remove_leftovers(target.parent)
    tmp = _new_temporary(target)
    try:
        if callable(content):
            content(tmp)
        else:
            tmp.write_bytes(content)
        _fsync_file(tmp)
        if force:
            os.replace(tmp, target)
        else:
            rename_no_replace(tmp, target)
    except FileExistsError:
        raise OutputRefused(_("{path}: tệp đã có; không ghi đè. Chọn tên khác, hoặc thêm --force để thay tệp "
                              "đó").format(path=target)) from None
    except OSError as e:
        raise CchcError(write_failure(target, e)) from None
    finally:
        with suppress(OSError):
            os.unlink(tmp)
    fsync_dir(target.parent)
    return target


def write_failure(target: Path, e: OSError) -> str:
    if isinstance(e, PermissionError):
        return _("không ghi được {path}: tệp đang mở trong chương trình khác (Word, Excel) hoặc không có quyền "
                 "ghi; đóng tệp rồi chạy lại").format(path=target)
    return _("{path}: không ghi được tệp ({reason})").format(path=target, reason=reason(e))


def temporary_name(target: Path) -> Path:
    """A fresh temporary name beside `target`, carrying this process's id (see `remove_leftovers`)."""
    return target.with_name(f".{target.name}.{os.getpid()}-{os.urandom(4).hex()}{TMP_SUFFIX}")


def _new_temporary(target: Path, mode: int = 0o666) -> Path:
    # O_EXCL with mode 0o666: the kernel applies the user's umask, as for any file an editor
    # creates (tempfile.mkstemp would give 0600, and reports nobody else in the office can open).
    # A private file (0600) is private from its creation, never readable by others for a moment.
    for _attempt in range(100):
        tmp = temporary_name(target)
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), mode)
        except FileExistsError:
            continue
        except OSError as e:
            raise CchcError(_("{path}: không tạo được tệp tạm trong {folder} ({reason})").format(
                path=target, folder=target.parent, reason=reason(e))) from None
        os.close(fd)
        return tmp
    raise CchcError(_("{path}: không tạo được tệp tạm trong {folder}").format(path=target, folder=target.parent))


def replace_file(target: Path, data: bytes | tuple[bytes, ...], mode: int | None = None,
                 owner: tuple[int, int] | None = None, commit: Callable[[Path, Path], None] | None = None,
                 durable: bool = True) -> None:
    """Replace `target` by `data` (bytes, or chunks) through a temporary file; raises OSError, leaving none.

    `mode`/`owner` are given to the new file before it takes the target's place (a plan keeps its
    own); `commit(tmp, target)` does the final rename (default `os.replace`). `durable=False`
    skips the fsyncs, for a cache that is rebuilt if a crash loses it.
    """
    tmp = _new_temporary(target, 0o666 if mode is None else mode)
    try:
        if mode is not None:  # the exact mode, whatever the umask took away at creation
            os.chmod(tmp, mode)
        with open(tmp, "wb") as f:
            for chunk in (data,) if isinstance(data, bytes) else data:
                f.write(chunk)
            f.flush()
            if durable:
                os.fsync(f.fileno())
        if owner is not None and hasattr(os, "chown") and owner != (os.getuid(), os.getgid()):
            with suppress(OSError):  # keep the owner when root edits a user's file; best effort
                os.chown(tmp, *owner)
        (commit or os.replace)(tmp, target)
    finally:
        with suppress(OSError):
            os.unlink(tmp)
    if durable:
        fsync_dir(target.parent)


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(folder: Path) -> None:
    # Makes the rename itself durable on POSIX; Windows cannot open a folder for fsync.
    if os.name != "posix":
        return
    with suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# --- renames that do not clobber ----------------------------------------------------------------

_RENAME_NOREPLACE, _RENAME_EXCHANGE = 1, 2
_renameat2 = None


def _linux_renameat2():
    """glibc's renameat2 through ctypes (Python has no binding), or None where it does not exist."""
    global _renameat2
    if _renameat2 is None:
        _renameat2 = False
        if os.name == "posix" and os.uname().sysname == "Linux":
            import ctypes
            import ctypes.util

            with suppress(OSError, AttributeError):
                libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
                func = libc.renameat2
                func.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
                func.restype = ctypes.c_int
                _renameat2 = (func, ctypes)
    return _renameat2 or None


def _renameat2_call(src: Path, dst: Path, flags: int) -> bool:
    """True if done; False if this system or file system cannot; raises OSError for a real failure."""
    found = _linux_renameat2() if os.name == "posix" else None
    if not found:
        return False
    func, ctypes = found
    at_fdcwd = -100
    if func(at_fdcwd, os.fsencode(src), at_fdcwd, os.fsencode(dst), flags) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(dst))


def rename_no_replace(src: Path, dst: Path) -> None:
    """Rename `src` to `dst`, raising FileExistsError instead of replacing an existing `dst`."""
    if os.name == "nt":
        os.rename(src, dst)  # Windows' rename never replaces
        return
    if _renameat2_call(src, dst, _RENAME_NOREPLACE):
        return
    try:
        os.link(src, dst)  # atomic "create if absent" where renameat2 is missing (macOS, BSD)
    except FileExistsError:
        raise
    except OSError:
        # No hard links (FAT, some network shares): the check and the rename are two steps.
        if os.path.lexists(dst):
            raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(dst)) from None
        os.rename(src, dst)
        return
    os.unlink(src)


def exchange(a: Path, b: Path) -> bool:
    """Swap two names atomically (Linux); False where the system cannot, nothing done then."""
    return _renameat2_call(a, b, _RENAME_EXCHANGE)


# --- leftovers ------------------------------------------------------------------------------------

_swept: set[str] = set()


def remove_leftovers(folder: Path, only: str | None = None, everything: bool = False) -> None:
    """Remove temporary files of cchc processes that died before renaming them.

    A name carries its writer's process id: one whose process is gone (or that is over an hour
    old) is a leftover; a live writer's file is left alone. `only` limits the sweep to the
    temporary files of one target name; `everything` removes them all (the caller holds the
    lock that every writer of that target takes). Each folder is swept once per process.
    """
    key = f"{folder}\0{only}\0{everything}"
    if key in _swept and not everything:
        return
    _swept.add(key)
    prefix = f".{only}." if only else "."
    now = time.time()
    with suppress(OSError):
        with os.scandir(folder) as entries:
            for entry in entries:
                name = entry.name
                if not (name.startswith(prefix) and name.endswith(TMP_SUFFIX)):
                    continue
                if everything or _abandoned(name, entry, now):
                    with suppress(OSError):
                        os.unlink(entry.path)


def remove_leftovers_near(plan: Path) -> None:
    """The sweep every command makes when it opens a plan: its folder and the reports folder in it."""
    folder = plan.parent
    remove_leftovers(folder)
    reports = folder / _REPORTS_DIR
    if reports.is_dir():
        remove_leftovers(reports)


def _abandoned(name: str, entry: os.DirEntry, now: float) -> bool:
    try:
        if now - entry.stat(follow_symlinks=False).st_mtime > STALE_SECONDS:
            return True
    except OSError:
        return False
    pid_text = name[:-len(TMP_SUFFIX)].rsplit(".", 1)[-1].split("-", 1)[0]
    if not pid_text.isdigit() or os.name != "posix":
        return False  # Windows: os.kill would end the process; the age alone decides there
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OverflowError):
        return False
    return False
