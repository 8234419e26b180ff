"""A cache of validated plans, so read commands on an unchanged file skip parsing and validation.

Parsing and validating a 3 MB plan takes about a second; reading the validated plan back as JSON
takes a tenth of that. Each plan file has one entry in the user's cache directory
(`platformdirs.user_cache_dir("cchc")`, or `$CCHC_CACHE_DIR`), named after the file's path and
holding the SHA-256 of the file's bytes, the cchc and schema versions, a fingerprint of the code
that validates, and the plan as JSON. An entry is used only when all of these match; anything else
(another file content, another cchc, an unreadable or tampered entry) is ignored and rewritten.

The entry is plain JSON read back with Pydantic's `model_validate_json`: loading it can never run
code, unlike pickle. Only a file that validated is ever stored, so the cache cannot hide a problem:
an invalid file always goes through the full load and reports every diagnostic.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from . import __version__
from .planfile import LoadedPlan, PlanDocument, _no_gc, decode_text, load_document, read_bytes

ENTRY_FORMAT = 1
# Files whose code decides what a valid plan is and what the stored JSON means.
_CODE_FILES = ("model.py", "planfile.py", "text.py", "cache.py")


def cache_dir() -> Path:
    """Where entries live: $CCHC_CACHE_DIR, else the platform's user cache directory for cchc."""
    env = os.environ.get("CCHC_CACHE_DIR")
    if env:
        return Path(env)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("cchc", appauthor=False))


def entry_path(plan_path: Path) -> Path:
    """The entry of one plan file: one per file, named after its absolute path."""
    try:
        key = str(plan_path.resolve())
    except OSError:
        key = str(plan_path.absolute())
    return cache_dir() / "plans" / (hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()[:32] + ".json")


def code_fingerprint() -> str:
    """cchc's version, the schema version, and the size and time of the files that validate.

    The version alone is not enough while cchc is developed from a checkout: a new rule in
    model.py must not be skipped because a plan validated under the old one is in the cache.
    """
    from .model import SCHEMA_VERSION

    here = Path(__file__).parent
    parts = [f"cchc={__version__}", f"schema={SCHEMA_VERSION}", f"entry={ENTRY_FORMAT}"]
    for name in _CODE_FILES:
        try:
            st = (here / name).stat()
            parts.append(f"{name}={st.st_size}:{st.st_mtime_ns}")
        except OSError:
            parts.append(f"{name}=?")
    return hashlib.sha256(";".join(parts).encode()).hexdigest()[:16]


def _header(digest: str, fingerprint: str) -> str:
    # The entry starts with this exact text, so a stale entry is recognised from its first bytes
    # without parsing the plan it holds.
    return '{"format":%d,"cchc":%s,"code":"%s","sha256":"%s","plan":' % (
        ENTRY_FORMAT, json.dumps(__version__), fingerprint, digest)


def load_cached(path: str | os.PathLike) -> LoadedPlan:
    """Load and validate the plan at `path` like `planfile.load`, through the cache.

    Raises PlanFileNotFound or PlanInvalid exactly as `load` does. The returned document parses
    its data and positions only if a command asks for them.
    """
    p = Path(path)
    raw = read_bytes(p)
    digest = hashlib.sha256(raw).hexdigest()
    fingerprint = code_fingerprint()
    entry = entry_path(p)
    plan = _read_entry(entry, _header(digest, fingerprint))
    if plan is not None:
        return LoadedPlan(plan=plan, doc=PlanDocument.deferred(p, decode_text(p, raw)))
    loaded = load_document(p, decode_text(p, raw))  # raises PlanInvalid: nothing is stored
    _write_entry(entry, _header(digest, fingerprint), loaded.plan)
    return loaded


def _read_entry(entry: Path, header: str):
    """The plan stored in `entry` if it belongs to this exact file content and code, else None."""
    try:
        data = entry.read_bytes()
    except OSError:
        return None
    head = header.encode("utf-8")
    if not data.startswith(head) or not data.endswith(b"}"):
        return None
    from pydantic import ValidationError

    from .model import Plan

    try:
        # The plan is re-validated from JSON: a corrupt or edited entry fails here and is ignored.
        with _no_gc():  # tens of thousands of acyclic model objects; see planfile._no_gc
            return Plan.model_validate_json(data[len(head):-1])
    except (ValidationError, ValueError):
        return None


def _write_entry(entry: Path, header: str, plan) -> None:
    """Store `plan` atomically; any failure (read-only home, full disk) is ignored: it is a cache."""
    try:
        body = header.encode("utf-8") + plan.model_dump_json().encode("utf-8") + b"}"
        entry.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=entry.parent, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(body)
            os.replace(tmp, entry)  # readers see the old entry or the new one, never half of one
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
    except Exception:  # noqa: BLE001 - the cache is an optimisation and must never fail a command
        pass


def clear() -> int:
    """Remove every cache entry; returns how many were removed."""
    removed = 0
    folder = cache_dir() / "plans"
    for item in folder.glob("*.json") if folder.is_dir() else ():
        try:
            item.unlink()
            removed += 1
        except OSError:
            pass
    return removed
