"""Evidence files: which ones a plan may name, and their SHA-256, each file hashed once per run.

A file recorded as evidence must be inside the plan's folder, or the git work tree holding it,
unless the user says `--outside-ok`; a symlink is judged by where it leads, so a link inside the
tree to /etc/passwd is outside. `FileHashes` hashes every file at most once (600 entries naming
one 200 MB file cost one read) and, for `cchc validate` (the pre-commit hook), can skip a file
whose size and modification time match the ones recorded when it was last hashed, in the user's
cache folder; `--verify-files` hashes them all again. The record carries an HMAC under the
cache's per-user key: a record anyone else wrote or edited is ignored, never believed.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from contextlib import suppress
from pathlib import Path

from .diagnostics import NotFound, Refused
from .i18n import _
from .oserror import reason

_SPECIAL_ROOTS = ("/proc", "/sys", "/dev")  # files that are not documents, whatever --outside-ok says
_RECORD_NAME = "evidence-hashes.json"


def plan_tree(plan_dir: Path) -> Path:
    """The git work tree holding the plan's folder, else that folder (resolved)."""
    folder = Path(os.path.realpath(plan_dir))
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    return folder


def checked_file(file: str | os.PathLike, plan_dir: Path, outside_ok: bool = False) -> Path:
    """The evidence file `file` as given, if cchc may record it; CchcError (one line) otherwise.

    Exit 2 for a path that cannot be read (missing, a loop, not a regular file); exit 1 for a
    file outside the plan's tree without `outside_ok`.
    """
    source = Path(file)
    try:
        real = source.resolve(strict=True)
    except FileNotFoundError:
        raise NotFound(_("không tìm thấy tệp tài liệu kiểm chứng {file}").format(file=file)) from None
    except (OSError, RuntimeError) as e:
        raise NotFound(_("không đọc được tệp tài liệu kiểm chứng {file} ({reason})").format(
            file=file, reason=reason(e))) from None
    if any(real == Path(root) or Path(root) in real.parents for root in _SPECIAL_ROOTS if os.name == "posix"):
        raise NotFound(_("{file} là tệp của hệ thống ({real}), không phải tài liệu kiểm chứng").format(
            file=file, real=real))
    try:
        mode = os.stat(real).st_mode
    except OSError as e:
        raise NotFound(_("không đọc được tệp tài liệu kiểm chứng {file} ({reason})").format(
            file=file, reason=reason(e))) from None
    if not stat.S_ISREG(mode):
        raise NotFound(_("{file} không phải một tệp thông thường (thư mục, thiết bị hoặc ống FIFO); tài liệu "
                         "kiểm chứng phải là một tệp").format(file=file))
    tree = plan_tree(plan_dir)
    if not outside_ok and tree != real and tree not in real.parents:
        via = "" if Path(os.path.abspath(source)) == real else _(" (liên kết tới {real})").format(real=real)
        raise Refused(_("{file}{via} nằm ngoài thư mục của kế hoạch ({tree}); tài liệu kiểm chứng cần nằm cùng kho "
                        "với kế hoạch để người khác mở được. Nếu đúng là muốn ghi tệp này, thêm --outside-ok").format(
            file=file, via=via, tree=tree))
    return source


def file_sha256(path: str | os.PathLike) -> str:
    """The SHA-256 of a file's bytes, read in blocks."""
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


class FileHashes:
    """SHA-256 of evidence files for one run: each file is read at most once.

    With `trust_record`, a file whose size and modification time match the record kept in the
    user's cache folder is not read at all (the record is updated whenever a file is hashed).
    """

    def __init__(self, trust_record: bool = False):
        self.trust_record = trust_record
        self.done: dict[str, str | None] = {}  # real path → digest, None if unreadable
        self.hashed = 0  # files actually read (for tests and the benchmark)
        self._record: dict | None = None
        self._record_changed = False

    def sha256(self, path: Path) -> str | None:
        """The file's digest, or None if it cannot be read."""
        real = os.path.realpath(path)
        if real in self.done:
            return self.done[real]
        try:
            st = os.stat(real)
        except OSError:
            self.done[real] = None
            return None
        stamp = [st.st_size, st.st_mtime_ns]
        record = self._load_record()
        known = record.get(real)
        if self.trust_record and known and known[:2] == stamp:
            digest = known[2]
        else:
            try:
                digest = file_sha256(real) if stat.S_ISREG(st.st_mode) else None
            except OSError:
                digest = None
            self.hashed += 1
            if digest is not None and known != [*stamp, digest]:
                record[real] = [*stamp, digest]
                self._record_changed = True
        self.done[real] = digest
        return digest

    def save(self) -> None:
        """Keep what was hashed for the next run, signed; a cache, so any failure is ignored."""
        if not self._record_changed:
            return
        from . import outputs
        from .cache import signing_key

        key = signing_key()
        if key is None:
            return
        files = json.dumps(self._record, ensure_ascii=False, sort_keys=True).encode("utf-8")
        path = _record_path()
        with suppress(Exception):
            path.parent.mkdir(parents=True, exist_ok=True)
            outputs.replace_file(path, (_mac(key, files).encode("ascii"), b"\n", files), durable=False)
            self._record_changed = False

    def _load_record(self) -> dict:
        if self._record is None:
            self._record = _read_record()
        return self._record


def _mac(key: bytes, data: bytes) -> str:
    import hmac

    return hmac.new(key, data, hashlib.sha256).hexdigest()


def _read_record() -> dict:
    """The signed record of size, mtime and SHA-256 per file; {} if missing, unsigned or forged."""
    import hmac

    from .cache import signing_key

    try:
        mac, _nl, files = _record_path().read_bytes().partition(b"\n")
    except OSError:
        return {}
    key = signing_key()
    if key is None or not hmac.compare_digest(mac.decode("ascii", "replace"), _mac(key, files)):
        return {}
    with suppress(ValueError):
        data = json.loads(files)
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if isinstance(v, list) and len(v) == 3 and isinstance(v[2], str)}
    return {}


def _record_path() -> Path:
    from .cache import cache_dir

    return cache_dir() / _RECORD_NAME


def evidence_path(evidence, base_dir: Path) -> Path | None:
    """Where an evidence entry's file is, relative to the plan's folder (either slash works)."""
    if not evidence.file:
        return None
    return base_dir / evidence.file.replace("\\", "/")


def evidence_file_state(evidence, base_dir: Path, hashes: FileHashes | None = None) -> str:
    """`no-file` (none given), `missing`, `unverified` (no sha256 recorded), `ok`, or `changed`."""
    path = evidence_path(evidence, base_dir)
    if path is None:
        return "no-file"
    if not path.is_file():
        return "missing"
    if not evidence.sha256:
        return "unverified"
    actual = (hashes or FileHashes()).sha256(path)
    if actual is None:
        return "missing"
    return "ok" if actual == evidence.sha256 else "changed"
