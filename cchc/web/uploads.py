"""Evidence files uploaded through the web: where they go, under which name, how big.

An upload for task `3.đ` is stored in `kiem-chung/3-dd/` beside the plan (đ is written `dd`, so
the folders of 3.d and 3.đ stay apart), under its own name made safe for Windows and Linux
(diacritics folded as in search, only letters, digits, `.`, `-` and `_`, at most 80 characters). A file already
there is never replaced: the same bytes reuse it, different bytes get `-2`, `-3`… The recorded
evidence entry then carries the path relative to the plan and the SHA-256, as `cchc evidence add
--file` records them.
"""

from __future__ import annotations

import filecmp
import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ..diagnostics import Refused
from ..i18n import _
from ..text import fold, nfc

EVIDENCE_DIR = "kiem-chung"
MAX_UPLOAD_MB = 20
MAX_NAME = 80
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}


@dataclass(frozen=True)
class StoredFile:
    path: Path
    created: bool  # False when an identical file was already there
    sha256: str


def task_folder(task_id: str) -> str:
    ascii_id = fold(nfc(task_id).replace("đ", "dd").replace("Đ", "DD"))
    return re.sub(r"[^a-z0-9]+", "-", ascii_id).strip("-") or "nhiem-vu"


def safe_name(filename: str) -> str:
    """A file name that is safe on every system, keeping the extension: `Báo cáo 45.pdf` → `bao-cao-45.pdf`."""
    base = re.split(r"[\\/]", filename or "")[-1]
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, ""
    stem = re.sub(r"[^a-z0-9_-]+", "-", fold(nfc(stem))).strip("-_") or "tai-lieu"
    ext = re.sub(r"[^a-z0-9]+", "", fold(nfc(ext)))[:10]
    if stem in _WINDOWS_RESERVED:
        stem += "-1"
    stem = stem[:MAX_NAME - len(ext) - 1]
    return f"{stem}.{ext}" if ext else stem


def store_upload(stream: BinaryIO, filename: str, plan_dir: Path, task_id: str, limit: int) -> StoredFile:
    """Copy an upload into the evidence folder of `task_id`, at most `limit` bytes; never over another file."""
    folder = plan_dir / EVIDENCE_DIR / task_folder(task_id)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".upload-", suffix=".tmp")
    except OSError as e:
        raise Refused(_("không tạo được thư mục {folder} để lưu tệp ({reason})").format(
            folder=folder, reason=e.strerror or e)) from None
    digest, size = hashlib.sha256(), 0
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(1 << 16):
                size += len(chunk)
                if size > limit:
                    raise Refused(_("tệp tải lên lớn hơn giới hạn {mb} MB").format(mb=limit // (1024 * 1024)))
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if size == 0:
            raise Refused(_("tệp tải lên rỗng (0 byte)"))
        sha = digest.hexdigest()
        name = safe_name(filename)
        stem, dot, ext = name.rpartition(".")
        if not dot:
            stem, ext = name, ""
        for n in range(1, 1000):
            candidate = folder / (name if n == 1 else f"{stem}-{n}{'.' + ext if ext else ''}")
            if candidate.exists():
                if filecmp.cmp(candidate, tmp, shallow=False):
                    return StoredFile(candidate, False, sha)
                continue
            if _place(Path(tmp), candidate):
                return StoredFile(candidate, True, sha)
        raise Refused(_("thư mục {folder} đã có quá nhiều tệp cùng tên {name}").format(folder=folder, name=name))
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _place(tmp: Path, target: Path) -> bool:
    """Move `tmp` to `target` unless something is there already (checked atomically)."""
    try:
        if os.name == "nt":
            os.rename(tmp, target)  # never replaces on Windows
        else:
            os.link(tmp, target)  # fails if the name exists, even if it appeared a moment ago
    except FileExistsError:
        return False
    return True
