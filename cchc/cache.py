"""A cache of validated plans, so commands on an unchanged file skip parsing and validation.

Parsing and validating a 3 MB plan takes about a second; reading its cache entry back takes a
twentieth of that. Each plan file has one entry in the user's cache directory
(`platformdirs.user_cache_dir("cchc")`, or `$CCHC_CACHE_DIR`), named after the file's path. An
entry holds the SHA-256 of the plan file's bytes, a fingerprint of the code that validates (the
bytes of its modules, cchc's and Python's versions), the validated plan, and an index of where
each task and target sits in the file (cchc/planindex.py, for edits that parse only one).

An entry is believed only if it proves where it came from: it carries an HMAC-SHA256 of all of
the above, keyed with a random per-user key kept beside the entries (`key`, mode 0600, refused
and replaced if anyone else can read it). Someone who can write the cache folder but not read the
key cannot make cchc show, report or check anything but the plan file's real content: an entry
with a forged body, a copied header or a key that is not private fails the check and is ignored
and rebuilt from the file. A trusted entry holds a plan this exact code validated from these
exact bytes, so its models are rebuilt without running the validators again (`_thaw`).

The body is Python's `marshal` format of plain data (dicts, lists, text, numbers): it cannot
construct objects or run code, unlike pickle, and it is read only after the HMAC has verified.
Only a plan that validated is ever stored, so the cache cannot hide a problem: an invalid file
always goes through the full load and reports every diagnostic. `CCHC_FULL_PATH=1` bypasses the
cache entirely (reads and writes take the full path; the test suite runs both ways).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import marshal
import os
import sys
import types
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from . import __version__
from .planfile import (LoadedPlan, PlanDocument, _no_gc, decode_text, load_document, parse_document, read_bytes,
                       validate_document)

ENTRY_FORMAT = 2
MAGIC = b"cchc-plan-cache"
# Modules whose code decides what a valid plan is and what a stored entry means.
_CODE_FILES = ("model.py", "planfile.py", "text.py", "cache.py", "planindex.py", "yamledit.py")
_KEY_BYTES = 32


def full_path_forced() -> bool:
    """`CCHC_FULL_PATH=1`: never use the cache nor the edit fast path (for tests and comparison)."""
    return bool(os.environ.get("CCHC_FULL_PATH"))


def cache_dir() -> Path:
    """Where entries live: $CCHC_CACHE_DIR, else the platform's user cache directory for cchc."""
    env = os.environ.get("CCHC_CACHE_DIR")
    if env:
        return Path(env)
    if sys.platform.startswith("linux"):
        # What platformdirs answers on Linux (XDG), without importing it into every command.
        xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
        return Path(xdg if os.path.isabs(xdg) else os.path.expanduser("~/.cache")) / "cchc"
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("cchc", appauthor=False))


def entry_path(plan_path: Path) -> Path:
    """The entry of one plan file: one per file, named after its absolute path."""
    try:
        key = str(plan_path.resolve())
    except OSError:
        key = str(plan_path.absolute())
    return cache_dir() / "plans" / (hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()[:32] + ".bin")


_fingerprint: str | None = None


def code_fingerprint() -> str:
    """A digest of the bytes of the modules that validate, with cchc's, the schema's and Python's versions.

    The bytes rather than a version number: while cchc is developed from a checkout, a new rule in
    model.py must not be skipped because a plan validated under the old one is in the cache.
    """
    global _fingerprint
    if _fingerprint is None:
        from .model import SCHEMA_VERSION

        digest = hashlib.sha256(f"cchc={__version__};schema={SCHEMA_VERSION};entry={ENTRY_FORMAT};"
                                f"python={sys.version}".encode())
        here = Path(__file__).parent
        for name in _CODE_FILES:
            try:
                digest.update(name.encode() + b"\0" + (here / name).read_bytes())
            except OSError:
                digest.update(name.encode() + b"\0?")
        _fingerprint = digest.hexdigest()[:32]
    return _fingerprint


# --- the key ----------------------------------------------------------------------------------

def key_path() -> Path:
    return cache_dir() / "key"


def signing_key() -> bytes | None:
    """The per-user key that proves what cchc stored (made on first use); None if none can be kept."""
    return _read_key() or _new_key()


def _read_key() -> bytes | None:
    """The per-user key, if it exists and only its owner can read or write it."""
    try:
        fd = os.open(key_path(), os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(f.fileno())
        if os.name == "posix" and (st.st_mode & 0o077 or st.st_uid != os.geteuid()):
            return None  # others can read it (and so forge entries): not a secret any more
        key = f.read(_KEY_BYTES + 1)
    return key if len(key) == _KEY_BYTES else None


def _new_key() -> bytes | None:
    """A fresh random key, written with mode 0600 (replacing one that was not private)."""
    from .outputs import replace_file

    key = os.urandom(_KEY_BYTES)
    try:
        cache_dir().mkdir(parents=True, exist_ok=True)
        replace_file(key_path(), key, mode=0o600, durable=False)  # private from its creation
    except OSError:
        return None
    return key


# --- entries ----------------------------------------------------------------------------------

@dataclass
class Entry:
    """A trusted entry: the validated plan of the file's exact bytes, and where its parts sit."""

    plan: Any
    index: dict | None
    parts: dict  # the stored form (see plan_parts), reused when a write stores the next entry


def _header(digest: str) -> bytes:
    # A stale entry (another file content, another cchc) is recognised from its first bytes,
    # before anything else is read or checked.
    return b"%s %d %s %s\n" % (MAGIC, ENTRY_FORMAT, code_fingerprint().encode(), digest.encode())


def file_digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def plan_parts(plan: Any, reuse: dict | None = None, changed: tuple | None = None) -> dict:
    """The stored form of `plan`: its dump without tasks, then each area's and the duties' dump apart.

    Apart, so that a write changing one task stores the next entry by dumping one area again and
    reusing the bytes of the others (`reuse`, with `changed` the path of the changed node).
    """
    def area(i: int) -> bytes:
        return marshal.dumps(plan.areas[i].model_dump(mode="json"))

    def head() -> dict:
        return plan.model_dump(mode="json", exclude={"areas", "duties"})

    def duties() -> bytes:
        return marshal.dumps([d.model_dump(mode="json") for d in plan.duties])

    if reuse is None or changed is None:
        return {"head": head(), "areas": [area(i) for i in range(len(plan.areas))], "duties": duties()}
    parts = dict(reuse)
    if changed[0] == "areas":
        parts["areas"] = list(reuse["areas"])
        parts["areas"][changed[1]] = area(changed[1])
    elif changed[0] == "duties":
        parts["duties"] = duties()
    else:
        parts["head"] = head()
    return parts


def _plan_of(parts: dict) -> Any:
    from .model import Plan

    head = parts["head"]
    tasks = {"areas": [marshal.loads(blob) for blob in parts["areas"]], "duties": marshal.loads(parts["duties"])}
    # In the fields' order, as validation makes it (iterating a model follows it).
    data = {name: tasks[name] if name in tasks else head[name] for name in Plan.model_fields}
    return _list_thawer(Plan)([data])[0]


def lookup(path: Path, raw: bytes | str) -> Entry | None:
    """The trusted entry for the plan file at `path` whose bytes are `raw` (or their `file_digest`), or None."""
    if full_path_forced():
        return None
    try:
        data = entry_path(Path(path)).read_bytes()
    except OSError:
        return None
    head = _header(raw if isinstance(raw, str) else file_digest(raw))
    mac_end = len(head) + 64
    if not data.startswith(head) or data[mac_end:mac_end + 1] != b"\n":
        return None
    key = _read_key()
    if key is None:
        return None
    body = memoryview(data)[mac_end + 1:]
    signer = hmac.new(key, head, hashlib.sha256)
    signer.update(body)
    expected = signer.hexdigest().encode()
    if not hmac.compare_digest(expected, data[len(head):mac_end]):
        return None  # forged, damaged, or written under another key
    try:
        with _no_gc():  # tens of thousands of acyclic objects; see planfile._no_gc
            stored = marshal.loads(body)
            # The head is thawed in place, so the parts kept for the next write get a copy.
            parts = {**stored["parts"], "head": marshal.loads(marshal.dumps(stored["parts"]["head"]))}
            return Entry(plan=_plan_of(stored["parts"]), index=stored["index"], parts=parts)
    except Exception:  # noqa: BLE001 - an entry this code cannot read back is simply not used
        return None


def store(path: Path, raw: bytes | str, plan: Any, index: dict | None, parts: dict | None = None) -> None:
    """Store the validated `plan` of the file at `path` whose bytes are `raw` (or their digest); failures ignored."""
    if full_path_forced():
        return
    try:
        from .outputs import replace_file

        key = signing_key()
        if key is None:
            return
        head = _header(raw if isinstance(raw, str) else file_digest(raw))
        body = marshal.dumps({"parts": parts if parts is not None else plan_parts(plan), "index": index})
        signer = hmac.new(key, head, hashlib.sha256)
        signer.update(body)  # (not head + body: a large plan's body is not copied again)
        mac = signer.hexdigest().encode()
        entry = entry_path(Path(path))
        entry.parent.mkdir(parents=True, exist_ok=True)
        # Readers see the old entry or the new one, never half of one.
        replace_file(entry, (head + mac + b"\n", body), durable=False)
    except Exception:  # noqa: BLE001 - the cache is an optimisation and must never fail a command
        pass


def load_cached(path: str | os.PathLike) -> LoadedPlan:
    """Load and validate the plan at `path` like `planfile.load`, through the cache.

    Raises PlanFileNotFound or PlanInvalid exactly as `load` does. The returned document parses
    its data and positions only if a command asks for them.
    """
    p = Path(path)
    raw = read_bytes(p)
    if full_path_forced():
        return load_document(p, decode_text(p, raw))
    digest, text = file_digest(raw), decode_text(p, raw)
    del raw  # a large plan's bytes are not kept beside its text, data and positions
    found = lookup(p, digest)
    if found is not None:
        return LoadedPlan(plan=found.plan, doc=PlanDocument.deferred(p, text))
    from .planindex import index_of

    doc = parse_document(p, text)
    del text
    index = index_of(doc)
    # The positions are needed only to point at problems; dropped now, they are parsed again if
    # the plan turns out invalid (PlanDocument re-parses what it lacks), and the peak memory of a
    # large plan's first read is its data and positions, or its data and model, never all three.
    del doc.spans
    plan = validate_document(doc)  # raises PlanInvalid: nothing is stored
    del doc.data  # the model holds everything now; a command asking for the raw data parses again
    store(p, digest, plan, index)
    return LoadedPlan(plan=plan, doc=doc)


def clear() -> int:
    """Remove every cache entry; returns how many were removed."""
    removed = 0
    folder = cache_dir() / "plans"
    for item in folder.iterdir() if folder.is_dir() else ():
        if item.suffix in (".bin", ".json"):
            try:
                item.unlink()
                removed += 1
            except OSError:
                pass
    return removed


# --- rebuilding models from a trusted entry ---------------------------------------------------

# The stored plan is `model_dump(mode="json")` of the validated plan: every field present, dates
# as ISO text, enums as their values. A trusted entry was validated by this same code, so each
# model is rebuilt by converting those few types back and setting its fields directly (what
# pydantic's `model_construct` does, without its per-field bookkeeping): a third of the time of
# validating the entry again, and the same model objects (tests/test_cache.py compares them).
_thawers: dict[type, Any] = {}


def _converter(annotation: Any):
    """A function turning the dumped value of a field back into the field's value; None if unchanged."""
    from pydantic import BaseModel

    origin = get_origin(annotation)
    if origin is Annotated:
        return _converter(get_args(annotation)[0])
    if origin is Union or origin is types.UnionType:
        options = [a for a in get_args(annotation) if a is not type(None)]
        converters = [_converter(a) for a in options]
        if all(c is None for c in converters):
            return None
        if len(converters) == 1:
            inner = converters[0]
            return lambda v: None if v is None else inner(v)

        def first_that_fits(value, converters=converters):
            if value is None:
                return None
            for convert in converters:  # e.g. a deadline: a Recurrence name, else an ISO date
                try:
                    return value if convert is None else convert(value)
                except ValueError:
                    continue
            raise ValueError(value)

        return first_that_fits
    if origin is list:
        (item,) = get_args(annotation)
        if isinstance(item, type) and issubclass(item, BaseModel):
            return _list_thawer(item)
        inner = _converter(item)
        return None if inner is None else (lambda v: [inner(x) for x in v])
    if origin is dict:
        inner = _converter(get_args(annotation)[1])
        return None if inner is None else (lambda v: {k: inner(x) for k, x in v.items()})
    if origin is Literal:
        return None
    if annotation is dt.date:
        return dt.date.fromisoformat
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return annotation
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        many = _list_thawer(annotation)
        return lambda v: many([v])[0]
    return None


def _list_thawer(cls: type):
    """A function rebuilding a list of `cls` models from their dumped dicts (which it reuses)."""
    found = _thawers.get(cls)
    if found is not None:
        return found
    from pydantic import BaseModel

    slots = BaseModel.__dict__
    set_dict = slots["__dict__"].__set__
    set_fields = slots["__pydantic_fields_set__"].__set__
    set_extra = slots["__pydantic_extra__"].__set__
    set_private = slots["__pydantic_private__"].__set__
    new = cls.__new__
    converters: list[tuple[str, Any]] = []

    def thaw(items: list) -> list:
        out = []
        append = out.append
        for values in items:
            for name, convert in converters:
                values[name] = convert(values[name])
            obj = new(cls)
            set_dict(obj, values)
            set_fields(obj, set(values))
            set_extra(obj, None)
            set_private(obj, None)
            append(obj)
        return out

    _thawers[cls] = thaw  # before the fields: a model may (indirectly) contain itself
    for name, info in cls.model_fields.items():
        convert = _converter(info.annotation)
        if convert is not None:
            converters.append((name, convert))
    return thaw
