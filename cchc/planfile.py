"""Reading a plan file: YAML with the position of every value, validated into a `Plan`.

The document is parsed (never constructed) by ruamel.yaml's C parser (libyaml, from
ruamel.yaml.clib) when installed, or its pure-Python parser otherwise (`CCHC_PURE_YAML=1` forces
it), and its event stream is turned into plain data by our own builder (`_Builder`). The builder
is where positions are recorded, duplicate keys are caught with their line, and any tag other
than YAML's core types is refused, so no object can be constructed. Both parsers feed the same
builder, so both give the same data and the same diagnostics (tests/test_read_paths.py).
Every problem in the file is collected and raised together as `PlanInvalid`.
"""

from __future__ import annotations

import gc
import hashlib
import itertools
import os
import re
import stat
from contextlib import contextmanager
from sys import intern
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from .diagnostics import Diagnostic, PlanFileNotFound, PlanInvalid
from .i18n import N_, _

DEFAULT_PLAN_GLOB = "plan_*.yaml"
CONFLICT_RE = re.compile(r"^(<{7}|={7}|>{7}|\|{7})(?: |$)", re.MULTILINE)

_CORE = "tag:yaml.org,2002:"


class Span(NamedTuple):
    """Where a value sits: its key (if in a mapping) and its value, 0-based lines and columns.

    A tuple: a plan has a span for each of its values (750,000 in a 10,000-task plan), and a
    tuple takes a third of the memory of an object with an attribute dict.
    """

    line: int
    column: int
    end_line: int
    end_column: int
    key_line: int | None = None
    key_column: int | None = None


def _span(line: int, column: int, end_line: int, end_column: int, key_line: int | None = None,
          key_column: int | None = None, _new=tuple.__new__) -> Span:
    # tuple.__new__ directly: NamedTuple's own __new__ is a Python function, twice the time.
    return _new(Span, (line, column, end_line, end_column, key_line, key_column))


@dataclass
class PlanDocument:
    """The raw document: text, plain data, and the span of every value by its path."""

    path: Path
    text: str
    data: Any
    spans: dict[tuple, Span] = field(default_factory=dict)

    @classmethod
    def deferred(cls, path: Path, text: str) -> PlanDocument:
        """A document of an already validated `text` whose `data` and `spans` are parsed on first use.

        A plan loaded from the cache needs neither for most commands (`status` reads only the
        `Plan`), so they cost nothing unless a command asks for a position or the raw data.
        """
        doc = cls.__new__(cls)
        doc.path, doc.text = path, text
        return doc

    def __getattr__(self, name: str) -> Any:
        # Reached only for attributes not set yet, i.e. `data`/`spans` of a deferred document.
        if name in ("data", "spans"):
            parsed = parse_document(self.path, self.text)
            self.data, self.spans = parsed.data, parsed.spans
            return self.__dict__[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def locate(self, path: tuple, key: bool = False) -> tuple[int, int]:
        """1-based (line, column) of the value at `path`, or of its nearest existing parent."""
        path = tuple(path)
        while path not in self.spans and path:
            path = path[:-1]
        span = self.spans.get(path)
        if span is None:
            return (1, 1)
        if key and span.key_line is not None:
            return (span.key_line + 1, span.key_column + 1)
        return (span.line + 1, span.column + 1)

    def diagnostic(self, path: tuple, message: str, code: str = "invalid", key: bool = False,
                   severity: str = "error") -> Diagnostic:
        line, col = self.locate(path, key=key)
        return Diagnostic(str(self.path), line, col, message, code, severity)


def _parser_mode() -> dict:
    if os.environ.get("CCHC_PURE_YAML"):
        return {"pure": True}
    return {}


def read_text(path: Path) -> str:
    """Read a plan file as UTF-8 text; a missing file is a usage error, bad bytes a finding."""
    return decode_text(path, read_bytes(path))


MAX_PLAN_BYTES = 64 * 1024 * 1024  # a 2,000-task plan is about 3.4 MB; beyond this, not a plan


def read_bytes(path: Path) -> bytes:
    """The plan file's bytes; anything but a readable regular file up to 64 MB is PlanFileNotFound (exit 2).

    A FIFO, a device (/dev/zero), a folder, a symlink loop or a huge file is refused before it is
    read, so no path makes a command hang or fill the memory. Opening a plan also sweeps its
    folder for temporary files of killed cchc processes (outputs.remove_leftovers_near).
    """
    from .outputs import remove_leftovers_near
    from .oserror import reason

    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused just below.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise PlanFileNotFound(_("{path}: không tìm thấy tệp kế hoạch").format(path=path)) from None
    except OSError as e:
        if os.path.isdir(path):  # Windows cannot open a folder
            raise PlanFileNotFound(_("{path}: là một thư mục, không phải tệp kế hoạch").format(path=path)) from None
        raise PlanFileNotFound(_("{path}: không đọc được tệp ({reason})").format(path=path, reason=reason(e))) from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise PlanFileNotFound(_("{path}: là một thư mục, không phải tệp kế hoạch").format(path=path))
        if not stat.S_ISREG(st.st_mode):
            raise PlanFileNotFound(_("{path}: không phải một tệp thông thường (là thiết bị, ống FIFO hoặc socket); "
                                     "không đọc").format(path=path))
        chunks, size = [], 0
        while size <= MAX_PLAN_BYTES:
            chunk = os.read(fd, min(1 << 24, MAX_PLAN_BYTES + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as e:
        raise PlanFileNotFound(_("{path}: không đọc được tệp ({reason})").format(path=path, reason=reason(e))) from None
    finally:
        os.close(fd)
    if size > MAX_PLAN_BYTES:
        raise PlanFileNotFound(_("{path}: tệp lớn hơn {limit} MB, không phải một tệp kế hoạch; không đọc").format(
            path=path, limit=MAX_PLAN_BYTES >> 20))
    remove_leftovers_near(Path(path))
    return b"".join(chunks)


def decode_text(path: Path, raw: bytes) -> str:
    """The plan's bytes as text, without a byte-order mark; bytes that are not UTF-8 are a finding."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        col = e.start - (raw.rfind(b"\n", 0, e.start) + 1) + 1
        raise PlanInvalid([Diagnostic(str(path), line, col, _(
            "tệp không phải văn bản UTF-8 (byte 0x{byte:02x} không hợp lệ); hãy lưu lại tệp với bảng mã UTF-8"
        ).format(byte=raw[e.start]), "not-utf8")]) from None
    return text.removeprefix("\ufeff")


def conflict_markers(path: Path, text: str) -> list[Diagnostic]:
    out = []
    for m in CONFLICT_RE.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        out.append(Diagnostic(str(path), line, 1, _(
            "còn dấu xung đột khi gộp của git ({marker}); hãy giải quyết xung đột trước"
        ).format(marker=m.group(1)), "merge-conflict"))
    return out


def parse_document(path: Path, text: str) -> PlanDocument:
    """Parse YAML `text` into plain data with spans. Raises PlanInvalid on syntax problems."""
    from ruamel.yaml.error import MarkedYAMLError
    from ruamel.yaml.reader import ReaderError

    markers = conflict_markers(path, text)
    if markers:
        raise PlanInvalid(markers)
    doc = PlanDocument(path=path, text=text, data=None)
    problems: list[Diagnostic] = []
    try:
        with _no_gc():
            found, data = _Builder(doc, problems, _event_source(text)).document()
    except _LimitError as e:
        raise PlanInvalid([Diagnostic(str(path), e.mark.line + 1, e.mark.column + 1, e.message, e.code)]) from None
    except _ComposeError as e:
        raise PlanInvalid([Diagnostic(str(path), e.mark.line + 1, e.mark.column + 1,
                                      _("lỗi cú pháp YAML: {detail}").format(detail=e.detail), "yaml-syntax")]) from None
    except MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        detail = e.problem or e.context or ""
        raise PlanInvalid([Diagnostic(str(path), line, col, _("lỗi cú pháp YAML: {detail}").format(detail=detail),
                                      "yaml-syntax")]) from None
    except ReaderError as e:
        # Control characters: the reader knows only the character's index.
        line = text.count("\n", 0, e.position) + 1
        col = e.position - (text.rfind("\n", 0, e.position) + 1) + 1
        raise PlanInvalid([Diagnostic(str(path), line, col, _(
            "ký tự điều khiển {char} không được phép trong tệp YAML").format(char=f"U+{e.character:04X}"
                                                                          if isinstance(e.character, int)
                                                                          else repr(e.character)),
            "yaml-syntax")]) from None
    if not found:
        raise PlanInvalid([Diagnostic(str(path), 1, 1, _("tệp kế hoạch trống"), "empty")])
    doc.data = data
    if problems:
        raise PlanInvalid(problems)
    return doc


@contextmanager
def _no_gc():
    """Pause the cycle collector while building many acyclic objects.

    A 3 MB plan makes some 400,000 objects (events, values, spans), and each 700 allocations
    start a collection that walks the young ones again: a fifth of the parse time, for nothing,
    since plain data and spans hold no reference cycles.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _event_source(text: str):
    """A function returning the next YAML event of `text`: libyaml's C parser, else ruamel's own."""
    if not _parser_mode().get("pure"):
        try:
            from _ruamel_yaml import CParser  # ruamel.yaml.clib; the same parser YAML(typ="safe") uses
        except ImportError:
            CParser = None
        if CParser is not None:
            return CParser(text).get_event
    from ruamel.yaml import YAML

    return YAML(typ="safe", pure=True).parse(text).__next__


# Bounds on what a small file can make the loader build (issue: a 1 KB "billion laughs" file of
# nested aliases expanded to gigabytes; 500 brackets exhausted the recursion limit).
MAX_DEPTH = 64  # a plan nests 8 levels deep
MAX_ALIAS_NODES = 50_000  # values copied by aliases, in all; a plan uses few aliases, if any
MAX_INT_DIGITS = 40  # Python refuses to read ints beyond 4,300 digits; no plan needs 40


class _LimitError(Exception):
    """A file beyond one of the loader's bounds, refused at the place it crosses it."""

    def __init__(self, message: str, mark: Any, code: str):
        super().__init__(message)
        self.message, self.mark, self.code = message, mark, code


class _ComposeError(Exception):
    """A structural error found while building the document (ruamel's composer raises the same)."""

    def __init__(self, detail: str, mark: Any):
        super().__init__(detail)
        self.detail, self.mark = detail, mark


def _implicit_resolvers() -> dict[str, tuple]:
    # ruamel.yaml's own YAML 1.2 table (the version its loader uses), keyed by first character, so a
    # plain scalar resolves to exactly the type ruamel's composer gave it.
    from ruamel.yaml.resolver import implicit_resolvers

    table: dict[str, list] = {}
    for versions, tag, regexp, first in implicit_resolvers:
        if (1, 2) in versions:
            for ch in first or [None]:
                # RegExp is a lazy wrapper whose every attribute access costs a Python call.
                match = getattr(regexp, "lazy_self", lambda: regexp)().match
                table.setdefault(ch, []).append((tag[len(_CORE):] if tag.startswith(_CORE) else tag, match))
    # Rules without a first character apply to every scalar (ruamel's 1.2 table has none today).
    extra = table.pop(None, [])
    rules = {ch: tuple(r + extra) for ch, r in table.items()}
    rules[None] = tuple(extra)
    return rules


class _Builder:
    """Turns the parser's event stream into plain data, the span of every value, and problems.

    Working on events rather than on ruamel's composed node tree is what makes loading fast: the
    composer resolves each scalar's type through a slow generic resolver and allocates a node and a
    tag object per value. Here each plain scalar is matched against the same YAML 1.2 rules once.
    The result (data, spans, problems, their order, and the errors for aliases and extra
    documents) is the same as walking the composed tree; tests/test_read_paths.py checks it and
    lists the three deliberate differences (the pure-Python path now reports reused anchors and
    undefined aliases as the C path does and ignores a `%YAML 1.1` directive as the C path does;
    a cyclic alias is a diagnostic instead of an endless recursion).
    """

    _rules: dict | None = None

    def __init__(self, doc: PlanDocument, problems: list[Diagnostic], next_event):
        from ruamel.yaml import events

        if _Builder._rules is None:
            _Builder._rules = _implicit_resolvers()
        self.rules = _Builder._rules
        self.doc, self.file, self.problems, self.next = doc, str(doc.path), problems, next_event
        self.spans = doc.spans
        self.anchors: dict[str, tuple] = {}
        self.pending: set[str] = set()  # anchors of the collections being built
        self.expanded = 0  # values copied by aliases so far (MAX_ALIAS_NODES)
        self.Scalar, self.MapStart, self.MapEnd = events.ScalarEvent, events.MappingStartEvent, events.MappingEndEvent
        self.SeqStart, self.SeqEnd, self.Alias = events.SequenceStartEvent, events.SequenceEndEvent, events.AliasEvent
        self.StreamEnd = events.StreamEndEvent

    def document(self) -> tuple[bool, Any]:
        """(whether the stream holds a document, its data); one document only, as in `compose`."""
        nxt = self.next
        nxt()  # stream start
        event = nxt()
        if event.__class__ is self.StreamEnd:
            return False, None
        data = self.node(nxt(), (), None, None)  # after the document start
        nxt()  # document end
        event = nxt()
        if event.__class__ is not self.StreamEnd:
            raise _ComposeError("but found another document", event.start_mark)
        return True, data

    def node(self, event: Any, path: tuple, key_line: int | None, key_column: int | None) -> Any:
        cls = event.__class__
        if cls is self.Scalar:
            sm, em = event.start_mark, event.end_mark
            self.spans[path] = _span(sm.line, sm.column, em.line, em.column, key_line, key_column)
            if event.anchor is None:
                return self.scalar(event)
            self.check_anchor(event)
            mark = (len(self.spans) - 1, len(self.problems))
            value = self.scalar(event)
            self.remember(event.anchor, path, mark, value)
            return value
        if cls is self.Alias:
            return self.alias(event, path, key_line, key_column)
        if len(path) > MAX_DEPTH:
            raise _LimitError(_("dữ liệu lồng nhau quá sâu (hơn {n} cấp); tệp kế hoạch không cần sâu như vậy").format(
                n=MAX_DEPTH), event.start_mark, "too-deep")
        anchor = event.anchor
        if anchor is not None:
            self.check_anchor(event)
            self.pending.add(anchor)
            mark = (len(self.spans), len(self.problems))
        sm = event.start_mark
        self.spans[path] = None  # keeps the parent before its children, as the tree walk did
        tag = event.ctag
        if cls is self.MapStart:
            if tag is not None and self.tag_text(tag) not in ("!", _CORE + "map"):
                self.problems.append(self.bad_tag(sm, self.tag_text(tag)))
            value = self.mapping(path)
        else:
            if tag is not None and self.tag_text(tag) not in ("!", _CORE + "seq"):
                self.problems.append(self.bad_tag(sm, self.tag_text(tag)))
            value = self.sequence(path)
        em = self.end_mark
        self.spans[path] = _span(sm.line, sm.column, em.line, em.column, key_line, key_column)
        if anchor is not None:
            self.pending.discard(anchor)
            self.remember(anchor, path, mark, value)
        return value

    def sequence(self, path: tuple) -> list:
        out: list = []
        nxt, node, spans, scalar_cls = self.next, self.node, self.spans, self.Scalar
        end, rules, other = self.SeqEnd, self.rules, self.rules[None]
        event = nxt()
        while event.__class__ is not end:
            if event.__class__ is scalar_cls and event.ctag is None and event.anchor is None:
                sm, em = event.start_mark, event.end_mark  # as in `mapping`: the common case inline
                spans[path + (len(out),)] = _span(sm.line, sm.column, em.line, em.column)
                value = event.value
                out.append(self.scalar(event) if event.implicit[0] and (rules.get(value[:1]) or other) else value)
            else:
                out.append(node(event, path + (len(out),), None, None))
            event = nxt()
        self.end_mark = event.end_mark
        return out

    def check_anchor(self, event: Any) -> None:
        # The C composer refuses a reused anchor name, so the fast path always did; both paths do.
        if event.anchor in self.anchors or event.anchor in self.pending:
            raise _ComposeError("second occurrence", event.start_mark)

    def mapping(self, path: tuple) -> dict:
        out: dict = {}
        nxt, node, spans, problems = self.next, self.node, self.spans, self.problems
        end, scalar_cls = self.MapEnd, self.Scalar
        rules, other = self.rules, self.rules[None]
        event = nxt()
        while event.__class__ is not end:
            k_mark = event.start_mark
            key: Any = None
            if event.__class__ is scalar_cls:
                value = event.value
                if event.ctag is None and event.implicit[0] and not (rules.get(value[:1]) or other):
                    # A plain key that no YAML 1.2 rule turns into another type; interned, since a
                    # large plan repeats a few key names hundreds of thousands of times.
                    key = intern(value)
                else:
                    key = self.scalar(event)
                if event.anchor is not None:
                    # An anchored key is still a node of its own; remember it for later aliases.
                    self.check_anchor(event)
                    self.key_anchor(event, key)
            elif event.__class__ is self.Alias:
                key, k_mark = self.alias_key(event)
            else:
                self.skip(event)
            if key.__class__ is not str and (not isinstance(key, (str, int)) or isinstance(key, bool)):
                problems.append(Diagnostic(self.file, k_mark.line + 1, k_mark.column + 1,
                                           _("khóa phải là một chuỗi văn bản"), "bad-key"))
                self.skip(nxt())
                event = nxt()
                continue
            if key.__class__ is not str:
                key = str(key)
            if key in out:
                first = spans[path + (key,)]
                problems.append(Diagnostic(self.file, k_mark.line + 1, k_mark.column + 1,
                                           _("khóa “{key}” bị lặp lại (đã có ở dòng {line})").format(
                                               key=key, line=first.key_line + 1), "duplicate-key"))
                self.skip(nxt())
                event = nxt()
                continue
            event = nxt()
            if event.__class__ is scalar_cls and event.ctag is None and event.anchor is None:
                # The bulk of a plan: an untagged scalar value, handled here without a call to
                # `node` (this loop runs some 100,000 times for a 2,000-task plan).
                sm, em = event.start_mark, event.end_mark
                spans[path + (key,)] = _span(sm.line, sm.column, em.line, em.column, k_mark.line, k_mark.column)
                value = event.value
                out[key] = self.scalar(event) if event.implicit[0] and (rules.get(value[:1]) or other) else value
            else:
                out[key] = node(event, path + (key,), k_mark.line, k_mark.column)
            event = nxt()
        self.end_mark = event.end_mark
        return out

    def skip(self, event: Any) -> None:
        """Consume a node that is not part of the data (a complex or duplicate key, or its value).

        The tree walk never looked inside such nodes, so nothing is recorded, but anchors defined in
        them stay usable, exactly as they are for ruamel's composer.
        """
        spans, problems = self.spans, self.problems
        self.spans, self.problems = {}, []
        try:
            self.node(event, ("\0skipped",), None, None)
        finally:
            self.spans, self.problems = spans, problems

    def remember(self, anchor: str, path: tuple, mark: tuple[int, int], value: Any) -> None:
        # The spans recorded since `mark`, taken from the end: copying the whole table for each
        # anchor would make a file of many anchors quadratic.
        spans = list(itertools.islice(reversed(self.spans.items()), len(self.spans) - mark[0]))[::-1]
        cut = len(path)
        self.anchors[anchor] = (value, [(p[cut:], s) for p, s in spans], self.problems[mark[1]:])

    def key_anchor(self, event: Any, key: Any) -> None:
        sm, em = event.start_mark, event.end_mark
        problems_before = len(self.problems)
        self.scalar(event)  # only to collect the same problems again on use
        found = self.problems[problems_before:]
        del self.problems[problems_before:]
        self.anchors[event.anchor] = (key, [((), _span(sm.line, sm.column, em.line, em.column))], found)

    def lookup(self, event: Any) -> tuple:
        entry = self.anchors.get(event.anchor)
        if entry is None:
            # Worded as the C composer words it (the pure-Python one adds the name); an alias to a
            # collection that is still open (a cycle) is reported the same way.
            raise _ComposeError("found undefined alias", event.start_mark)
        return entry

    def alias(self, event: Any, path: tuple, key_line: int | None, key_column: int | None) -> Any:
        # An alias is the anchored node again: same data (a fresh copy, as a second walk made),
        # spans at the anchored text, problems reported again.
        value, spans, problems = self.lookup(event)
        self.expanded += len(spans)
        if self.expanded > MAX_ALIAS_NODES:
            raise _LimitError(_("bí danh YAML (*{name}) mở rộng thành quá nhiều giá trị (hơn {n}); hãy viết giá trị "
                                "ra thay vì dùng bí danh lồng nhau").format(name=event.anchor, n=MAX_ALIAS_NODES),
                              event.start_mark, "alias-expansion")
        for rel, span in spans:
            if not rel:
                span = _span(span.line, span.column, span.end_line, span.end_column, key_line, key_column)
            self.spans[path + rel] = span
        self.problems.extend(problems)
        return _copy(value)

    def alias_key(self, event: Any) -> tuple[Any, Any]:
        value, spans, problems = self.lookup(event)
        root = spans[0][1]
        mark = _Mark(root.line, root.column)
        if isinstance(value, (dict, list)):
            return None, mark
        self.problems.extend(problems)
        return value, mark

    def tag_text(self, tag: Any) -> str:
        from ruamel.yaml.tag import Tag

        return str(tag if isinstance(tag, Tag) else Tag(suffix=tag))

    def bad_tag(self, mark: Any, tag: str) -> Diagnostic:
        return Diagnostic(self.file, mark.line + 1, mark.column + 1,
                          _("thẻ YAML {tag} không được phép trong tệp kế hoạch").format(tag=tag), "bad-tag")

    def scalar(self, event: Any) -> Any:
        value = event.value
        tag = event.ctag
        if tag is None:
            # The common case, kept short: a plain scalar is text unless a YAML 1.2 rule for its
            # first character matches; a quoted one is always text.
            if not event.implicit[0]:
                return value
            rules = self.rules.get(value[:1]) or self.rules[None]
            if not rules:
                return value
            for kind, match in rules:
                if match(value):
                    break
            else:
                return value
        elif self.tag_text(tag) == "!":
            kind = "str"
            if event.implicit[0]:
                for rule, match in self.rules.get(value[:1]) or self.rules[None]:
                    if match(value):
                        kind = rule
                        break
        else:
            tag = self.tag_text(tag)
            if not tag.startswith(_CORE):
                self.problems.append(self.bad_tag(event.start_mark, tag))
                return value
            kind = tag[len(_CORE):]
        if kind == "str" or kind == "timestamp":
            # Dates stay text here; the schema parses them, so an impossible date is reported
            # at its own position instead of as a bare ValueError from the YAML library.
            return value
        if kind == "null":
            return None
        if kind == "bool":
            return value.lower() == "true"
        if kind == "int":
            if len(value) > MAX_INT_DIGITS:
                self.problems.append(Diagnostic(self.file, event.start_mark.line + 1, event.start_mark.column + 1, _(
                    "số nguyên quá lớn ({n} chữ số); kế hoạch không dùng số lớn như vậy").format(n=len(value)),
                    "number-too-large"))
                return value
            try:
                return int(value.replace("_", ""), 0)
            except ValueError:
                return int(value.replace("_", ""), 10)
        if kind == "float":
            lowered = value.lower().replace("_", "")
            if lowered in (".inf", "+.inf"):
                return float("inf")
            if lowered == "-.inf":
                return float("-inf")
            if lowered == ".nan":
                return float("nan")
            return float(lowered)
        self.problems.append(self.bad_tag(event.start_mark, _CORE + kind))
        return value


@dataclass(frozen=True)
class _Mark:
    line: int
    column: int


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


# --- validation -----------------------------------------------------------------------------

_TYPE_MESSAGES = {
    "int_type": N_("cần một số nguyên"),
    "int_parsing": N_("cần một số nguyên"),
    "int_from_float": N_("cần một số nguyên"),
    "float_type": N_("cần một số"),
    "float_parsing": N_("cần một số"),
    "finite_number": N_("cần một số hữu hạn"),
    "string_type": N_("cần một chuỗi văn bản"),
    "list_type": N_("cần một danh sách"),
    "dict_type": N_("cần một bảng khóa: giá trị"),
    "model_type": N_("cần một bảng khóa: giá trị"),
    "model_attributes_type": N_("cần một bảng khóa: giá trị"),
    "bool_type": N_("cần true hoặc false"),
    "bool_parsing": N_("cần true hoặc false"),
    "date_type": N_("cần một ngày dạng YYYY-MM-DD"),
    "date_from_datetime_parsing": N_("ngày không hợp lệ"),
    "date_parsing": N_("ngày không hợp lệ"),
    "string_too_short": N_("không được để trống"),
    "too_short": N_("không được để trống"),
}


def _message(err: dict, model_fields: list[str]) -> tuple[str, str]:
    """Vietnamese message and stable code for one Pydantic error."""
    etype = err["type"]
    ctx = err.get("ctx") or {}
    loc = err["loc"]
    field_name = str(loc[-1]) if loc else ""
    if etype == "missing":
        parent = next((str(p) for p in reversed(loc[:-1]) if isinstance(p, str)), "")
        if parent:
            return _("“{parent}” thiếu trường bắt buộc “{field}”").format(parent=parent, field=field_name), \
                "missing-field"
        return _("thiếu trường bắt buộc “{field}”").format(field=field_name), "missing-field"
    if etype == "extra_forbidden":
        import difflib  # only for this hint; not loaded by commands reading a valid plan

        close = difflib.get_close_matches(field_name, model_fields, n=1)
        hint = _(" (có phải “{near}”?)").format(near=close[0]) if close else ""
        return _("trường “{field}” không có trong mẫu kế hoạch{hint}").format(field=field_name, hint=hint), \
            "unknown-field"
    if etype in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        if field_name == "percent":
            return _("phần trăm phải từ 0 đến 100, không phải {value}").format(
                value=_fmt_input(err.get("input"))), "bad-percent"
        bound = ctx.get("ge", ctx.get("le", ctx.get("gt", ctx.get("lt"))))
        sign = {"greater_than_equal": "≥", "less_than_equal": "≤", "greater_than": ">", "less_than": "<"}[etype]
        return _("giá trị phải {sign} {bound}").format(sign=sign, bound=bound), "out-of-range"
    if etype in ("enum", "literal_error"):
        expected = ctx.get("expected", "")
        return _("giá trị {value} không hợp lệ; chọn một trong: {expected}").format(
            value=_fmt_input(err.get("input")), expected=expected), "bad-choice"
    if etype == "value_error":
        return str(ctx.get("error", err["msg"])), "bad-value"
    if etype in _TYPE_MESSAGES:
        return _(_TYPE_MESSAGES[etype]), "wrong-type"
    return _("giá trị không hợp lệ ({detail})").format(detail=err["msg"]), "invalid"


def _fmt_input(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _model_fields_at(loc: tuple) -> list[str]:
    """Field names of the model that holds `loc`, for 'did you mean' hints."""
    from . import model

    cls: Any = model.Plan
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        info = cls.model_fields.get(part) if hasattr(cls, "model_fields") else None
        if info is None:
            return []
        ann = info.annotation
        args = getattr(ann, "__args__", ())
        nxt = next((a for a in (ann, *args) if isinstance(a, type) and hasattr(a, "model_fields")), None)
        if nxt is None:
            inner = [a for arg in args for a in getattr(arg, "__args__", (arg,))]
            nxt = next((a for a in inner if isinstance(a, type) and hasattr(a, "model_fields")), None)
        if nxt is None:
            return []
        cls = nxt
    return list(getattr(cls, "model_fields", {}))


def validate_document(doc: PlanDocument):
    """Validate a composed document into a `Plan`, or raise PlanInvalid listing every problem."""
    from pydantic import ValidationError

    from .model import Plan, semantic_problems

    with _no_gc():
        problems = semantic_problems(doc.data)
    diagnostics = [doc.diagnostic(p.path, p.message, p.code, key=p.key) for p in problems]
    plan = None
    try:
        with _no_gc():
            plan = Plan.model_validate(doc.data)
    except ValidationError as e:
        for err in e.errors(include_url=False):
            loc = _yaml_loc(err["loc"], doc)
            message, code = _message(err, _model_fields_at(loc) if err["type"] == "extra_forbidden" else [])
            # An unknown key is shown at the key; a missing one at the key of the mapping that lacks it.
            diagnostics.append(doc.diagnostic(loc, message, code, key=err["type"] in ("extra_forbidden", "missing")))
    if diagnostics:
        raise PlanInvalid(_sorted(diagnostics))
    return plan


def _yaml_loc(loc: tuple, doc: PlanDocument) -> tuple:
    # Pydantic adds the names of union members and validators to `loc` ("function-before[...]",
    # "date"); keep only the parts that are keys or indexes of the document.
    out: list = []
    node = doc.data
    for part in loc:
        if isinstance(node, dict) and part in node:
            out.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            out.append(part)
            node = node[part]
        elif isinstance(node, dict) and isinstance(part, str) and not out[-1:] == [part]:
            out.append(part)  # a missing or extra key: located at its parent or at the key itself
            node = None
        else:
            continue
    return tuple(out)


def _sorted(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    return sorted(dict.fromkeys(diagnostics), key=lambda d: (d.line, d.column))


@dataclass
class LoadedPlan:
    """A validated plan with the document it came from (text, spans, content hash)."""

    plan: Any
    doc: PlanDocument

    @property
    def path(self) -> Path:
        return self.doc.path


def load(path: str | os.PathLike) -> LoadedPlan:
    """Read, parse and validate a plan file. Raises PlanFileNotFound or PlanInvalid."""
    p = Path(path)
    return load_document(p, read_text(p))


def load_document(path: Path, text: str) -> LoadedPlan:
    """Parse and validate `text`, the content of the plan file at `path`. Raises PlanInvalid."""
    doc = parse_document(path, text)
    return LoadedPlan(plan=validate_document(doc), doc=doc)


def load_plan(path: str | os.PathLike):
    """Load and validate the plan at `path` and return the `Plan` (the library's entry point)."""
    return load(path).plan


def validate_file(path: str | os.PathLike) -> list[Diagnostic]:
    """Every problem of the plan at `path`, [] if it is valid. A missing file raises PlanFileNotFound."""
    try:
        load(path)
    except PlanInvalid as e:
        return e.diagnostics
    return []


def plan_candidates(cwd: Path | None = None) -> list[Path]:
    """The plan_*.yaml files of a folder (default the current one), by name."""
    return sorted((cwd or Path.cwd()).glob(DEFAULT_PLAN_GLOB))


def newest_plan(candidates: list[Path]) -> Path | None:
    """The plan_YYYY.yaml of the latest year among `candidates`, or None if no name carries a year."""
    dated = [(int(m[1]), p) for p in candidates if (m := re.fullmatch(r"plan_(\d{4})\.yaml", p.name))]
    return max(dated)[1] if dated else None


def find_plan(explicit: str | None = None, cwd: Path | None = None, newest: bool = False) -> Path:
    """The plan file: `--plan`, then $CCHC_PLAN, then the only plan_*.yaml of the current folder.

    With `newest` (read commands), a folder holding several plans (after `cchc new 2024`) gives the
    newest year's; otherwise several plans are an error asking for --plan.
    """
    if explicit:
        return Path(explicit)
    env = os.environ.get("CCHC_PLAN")
    if env:
        return Path(env)
    cwd = cwd or Path.cwd()
    candidates = plan_candidates(cwd)
    if len(candidates) == 1:
        return candidates[0]
    chosen = newest_plan(candidates) if newest else None
    if chosen is not None:
        return chosen
    if len(candidates) > 1:
        names = ", ".join(c.name for c in candidates)
        raise PlanFileNotFound(_(
            "có nhiều tệp kế hoạch trong thư mục này ({names}); chọn một bằng --plan TỆP hoặc biến môi trường CCHC_PLAN"
        ).format(names=names))
    raise PlanFileNotFound(_(
        "không tìm thấy tệp kế hoạch (plan_*.yaml) trong {cwd}; chỉ ra tệp bằng --plan TỆP "
        "hoặc đặt biến môi trường CCHC_PLAN"
    ).format(cwd=cwd))
