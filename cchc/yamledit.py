"""Text-level edits of a plan file: new lines are spliced into the text, the document is never re-dumped.

A round trip through ruamel.yaml's round-trip mode would also keep comments, but it re-emits the
whole file (re-indenting, re-quoting, moving comments that follow a block's last item) and takes
about 9 s on a 3 MB plan. Here the fast safe parse of `planfile.parse_document` gives the position
of every value; an edit renders only the lines it adds (scalars quoted by ruamel.yaml's emitter, so
quoting is right) and splices them in at the right line with the file's indentation. Everything
else keeps its bytes, so saving without an edit is byte-identical by construction.

`TextEdit` also applies each change to the plain data it was parsed into (`expected`); the writer
parses the new text and refuses to write unless it reads back as exactly that data, so a splice
in the wrong place can never reach the disk.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from itertools import chain
from pathlib import Path
from typing import Any

from .diagnostics import CchcError
from .i18n import _
from .planfile import PlanDocument, Span

_BREAK = re.compile(r"\r\n|[\n\r]")
# libyaml counts these as line breaks and ruamel's pure-Python reader does not, so positions would
# depend on the parser; a file holding one is not edited (they never occur in a typed plan).
_ODD_BREAKS = ("\x85", "\u2028", "\u2029")
_NODE_PROPERTIES = re.compile(r"(?:[&!][^\s]*[ \t]+)*")  # an anchor or tag before a node's content
_ANCHOR = re.compile(r"(?:^|[\s\[{,])[&*][^\s,\[\]{}]")  # an anchor or alias: a region is then not alone


def _line_starts(text: str) -> list[int]:
    """Offset of each line's first character, with the parsers' line breaks (\n, \r\n, \r)."""
    if "\r" in text:
        return [0] + [m.end() for m in _BREAK.finditer(text)]
    # A find loop rather than split(): a 17 MB plan's 400,000 lines are never all copied at once.
    starts, find = [0], text.find
    i = find("\n")
    while i != -1:
        starts.append(i + 1)
        i = find("\n", i + 1)
    return starts


def plain(value: Any) -> Any:
    """`value` as `parse_document` reads it back: dates are text, tuples are lists."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def clean_text(text: str, multiline: bool = True) -> str:
    """User text as stored: line breaks as \\n, no other control characters (refused), trailing space off."""
    import unicodedata

    text = unicodedata.normalize("NFC", text)
    text = re.sub(r"\r\n|[\r\x85\u2028\u2029]", "\n", text)
    for ch in text:
        if (ch < " " and ch not in "\n\t") or ch == "\x7f":
            raise CchcError(_("văn bản có ký tự điều khiển U+{code:04X}, không ghi được vào tệp kế hoạch").format(
                code=ord(ch)))
    text = text.strip()
    if not multiline:
        text = " ".join(text.split("\n"))
    return text


class TextEdit:
    """Splices against one parsed document; `result()` is the new text, `expected` its data."""

    def __init__(self, doc: PlanDocument, starts: list[int] | None = None):
        text = doc.text
        for ch in _ODD_BREAKS:
            if ch in text:
                line = text.count("\n", 0, text.index(ch)) + 1
                raise CchcError(_(
                    "{path}:{line}: tệp có ký tự ngắt dòng đặc biệt U+{code:04X}; hãy thay bằng dấu xuống dòng "
                    "thường rồi chạy lại lệnh (không ghi thay đổi nào)").format(path=doc.path, line=line, code=ord(ch)))
        self.doc = doc
        self.text = text
        self.spans: dict[tuple, Span] = doc.spans
        self.expected: Any = doc.data  # mutated as edits are made: what the new text must read back as
        first_break = _BREAK.search(text)
        self.newline = first_break.group() if first_break and first_break.group() != "\r" else "\n"
        self._starts = _line_starts(text) if starts is None else starts  # (the caller's, of this text)
        self._splices: list[tuple[int, int, int, str]] = []
        self._touched: list[tuple | None] = []  # the existing nodes each edit changed; None: not in block style

    # --- the result ---------------------------------------------------------------------------

    @property
    def changed(self) -> bool:
        return bool(self._splices)

    def result(self) -> str:
        """The text with every splice applied (splices never overlap; equal offsets keep their order)."""
        pieces: list[str] = []
        pos = 0
        for start, end, _seq, new in sorted(self._splices, key=lambda s: (s[0], s[2])):
            if start < pos:
                raise AssertionError("overlapping edits")  # a bug in an edit, never the user's input
            pieces += [self.text[pos:start], new]
            pos = end
        pieces.append(self.text[pos:])
        return "".join(pieces)

    def region(self) -> tuple[tuple, str, Any] | None:
        """The smallest block node holding every edit, as (path, its new text, what it must read as).

        The node's text runs from its entry line (`- …` or `key:`) to its last content line. Outside
        it the new text is the old one, and a block node's extent depends only on its own lines
        being indented deeper than its entry, so if its new text, parsed alone, reads back as
        expected, the whole new text reads back as `expected`: the writer checks that instead of
        parsing a large plan again. None when that cannot be shown (flow style, anchors, directives):
        the whole text is parsed then.
        """
        if not self._touched or None in self._touched or self.text.startswith("%") or "\n%" in self.text:
            return None  # (a directive could change how the node alone is read)
        path = self._touched[0]
        for other in self._touched[1:]:
            n = 0
            while n < min(len(path), len(other)) and path[n] == other[n]:
                n += 1
            path = path[:n]
        while path:
            bounds = self._entry_bounds(path)
            if bounds is not None:
                break
            path = path[:-1]
        else:
            return None
        start, end = bounds
        if any(s < start or e > end for s, e, _seq, _new in self._splices):
            return None
        old = self.text[start:end]
        if _ANCHOR.search(old):
            return None
        pieces: list[str] = []
        pos = start
        for s, e, _seq, new in sorted(self._splices, key=lambda x: (x[0], x[2])):
            pieces += [self.text[pos:s], new]
            pos = e
        pieces.append(self.text[pos:end])
        value = self.value(path)
        return path, "".join(pieces), ([value] if isinstance(path[-1], int) else {path[-1]: value})

    def _entry_bounds(self, path: tuple) -> tuple[int, int] | None:
        """Offsets of a block node's lines, from its `- ` or `key:` line to its last content line."""
        value = self.value(path)
        span = self.spans.get(path)
        if span is None or not isinstance(value, (dict, list)) or self._first_char(span) in ("[", "{", ""):
            return None
        if isinstance(path[-1], int):
            line = span.line
            if not re.fullmatch(r" *- +", self.text[self._starts[line]:self.offset(line, span.column)]):
                return None
        else:
            line = span.key_line
            if line is None or self.text[self._starts[line]:self.offset(line, span.key_column)].strip(" "):
                return None
        last = self.last_line(path)
        end = self._starts[last + 1] if last + 1 < len(self._starts) else len(self.text)
        return self._starts[line], end

    def _splice(self, start: int, end: int, new: str) -> None:
        self._splices.append((start, end, len(self._splices), new))

    # --- positions ----------------------------------------------------------------------------

    def offset(self, line: int, column: int) -> int:
        return self._starts[line] + column

    def line_content_end(self, line: int) -> int:
        """Offset of the end of `line`'s content, before its line break."""
        end = self._starts[line + 1] if line + 1 < len(self._starts) else len(self.text)
        while end > self._starts[line] and self.text[end - 1] in "\r\n":
            end -= 1
        return end

    def _line(self, line: int) -> str:
        return self.text[self._starts[line]:self.line_content_end(line)]

    def _content_start(self, span: Span) -> int:
        """Offset of a node's first character after any anchor or tag."""
        start = self.offset(span.line, span.column)
        return _NODE_PROPERTIES.match(self.text, start).end()

    def _first_char(self, span: Span) -> str:
        start = self._content_start(span)
        return self.text[start:start + 1]

    def _is_block_scalar(self, span: Span) -> bool:
        return self._first_char(span) in ("|", ">")

    def value(self, path: tuple) -> Any:
        node = self.expected
        for part in path:
            node = node[part]
        return node

    def last_line(self, path: tuple) -> int:
        """The last line holding content of the node at `path` (not a trailing comment or blank line).

        A block collection's end mark lies past the comments and blank lines that follow it, so the
        last line is found through its last child; a block scalar's end mark is past its trailing
        blank lines.
        """
        value = self.value(path)
        while isinstance(value, (dict, list)) and self._first_char(self.spans[path]) not in ("[", "{"):
            # The last child that was in the file (`expected` may already hold new ones after it).
            keys = reversed(value) if isinstance(value, dict) else range(len(value) - 1, -1, -1)
            last = next((k for k in keys if path + (k,) in self.spans), None)
            if last is None:
                break
            path, value = path + (last,), value[last]
        span = self.spans[path]
        return self._block_scalar_last_line(span) if self._is_block_scalar(span) else span.end_line

    def _scalar_range(self, span: Span) -> tuple[int, int, int]:
        """(start, end, last line) of a scalar's text; a block scalar ends with its last content line."""
        start = self.offset(span.line, span.column)
        if self._is_block_scalar(span):
            last = self._block_scalar_last_line(span)
            return start, self.line_content_end(last), last
        return start, self.offset(span.end_line, span.end_column), span.end_line

    def _block_scalar_last_line(self, span: Span) -> int:
        line = span.end_line
        if line >= len(self._starts) or not self.text[self._starts[line]:self.offset(line, span.end_column)].strip():
            line -= 1
        while line > span.line and not self._line(line).strip():
            line -= 1
        return line

    # --- the file's style ---------------------------------------------------------------------

    def style(self, path: tuple) -> tuple[int, int]:
        """(dash offset, mapping indent) for new block collections inside the mapping at `path`.

        Taken from the nearest keyed block collections: the mapping's own children first, then its
        ancestors' (plan_2023.yaml puts a dash 2 right of its key; a hand-written file may put it
        under the key), then anywhere in the file; 2 and 2 when the file has none.
        """
        def nearby():
            for depth in range(len(path), -1, -1):
                node = self._data_at(path[:depth])
                if isinstance(node, dict):
                    yield from ((path[:depth] + (key,), value) for key, value in node.items())

        found: dict[str, int] = {}
        for p, value in chain(nearby(), ((p, self._data_at(p)) for p in self.spans)):
            kind = self._keyed_block(p, value)
            if kind is not None:
                found.setdefault(*kind)
                if len(found) == 2:
                    break
        return found.get("seq", 2), found.get("map", 2)

    def _keyed_block(self, path: tuple, value: Any) -> tuple[str, int] | None:
        """("seq" or "map", its offset right of its key) for a block collection below its key."""
        span = self.spans.get(path)
        if span is None or span.key_line is None or span.line == span.key_line:
            return None
        ch = self._first_char(span)
        if ch == "-":
            return "seq", span.column - span.key_column
        if isinstance(value, dict) and value and ch not in ("[", "{") and span.column > span.key_column:
            return "map", span.column - span.key_column
        return None

    def _data_at(self, path: tuple) -> Any:
        try:
            return self.value(path)
        except (KeyError, IndexError, TypeError):
            return None

    def _in_flow(self, path: tuple) -> bool:
        """Whether the node at `path` or one of its ancestors is written in flow style (`[…]`, `{…}`)."""
        return any(self._first_char(self.spans[path[:depth]]) in ("[", "{") for depth in range(len(path) + 1)
                   if self.spans.get(path[:depth]) is not None)

    # --- edits --------------------------------------------------------------------------------

    def append_item(self, seq_path: tuple, item: Any, order: tuple[str, ...] = ()) -> None:
        """Append `item` to the sequence at `seq_path` (a key of a mapping), creating the key if missing.

        A missing key goes before the first existing key that follows it in `order` (the schema's
        field order), else after the mapping's last line.
        """
        parent_path, key = seq_path[:-1], seq_path[-1]
        parent = self.value(parent_path)
        if key not in parent:
            self._insert_key(parent_path, key, [item], order)
            parent[key] = [plain(item)]
            return
        seq = parent[key]
        if not isinstance(seq, list):
            raise CchcError(_("“{key}” không phải một danh sách nên không thêm được").format(key=key))
        span = self.spans[seq_path]
        if self._first_char(span) == "[":
            start = self._content_start(span)
            end = self.offset(span.end_line, span.end_column)
            if not seq and span.key_line == span.line and not self._in_flow(parent_path):
                # `key: []` becomes `key:` with the item as a block below it
                while start > 0 and self.text[start - 1] in " \t":
                    start -= 1
                self._splice(start, end, "")
                dash, indent = self.style(parent_path)
                self._insert_lines(span.end_line, self.render_item(item, span.key_column + dash, dash, indent))
                self._touched.append(seq_path)
            else:
                # a flow sequence stays one: the item goes in flow style before its `]`
                self._splice(end - 1, end - 1, (", " if seq else "") + render_flow(item))
                self._touched.append(None)
        else:
            dash, indent = self.style(parent_path)
            self._insert_lines(self.last_line(seq_path), self.render_item(item, span.column, dash, indent))
            self._touched.append(seq_path)
        seq.append(plain(item))

    def set_value(self, path: tuple, value: Any, order: tuple[str, ...] = ()) -> None:
        """Set the scalar at `path` (keys of mappings), creating missing mappings on the way."""
        node = self.expected
        for i, key in enumerate(path[:-1]):
            if key not in node:
                nested = value
                for k in reversed(path[i + 1:]):
                    nested = {k: nested}
                self._insert_key(path[:i], key, nested)
                node[key] = plain(nested)
                return
            node = node[key]
        self.set_scalar(path, value, order)

    def set_scalar(self, path: tuple, value: Any, order: tuple[str, ...] = ()) -> None:
        """Replace the scalar at `path` in place (or add its key, placed as in `append_item`)."""
        parent_path, key = path[:-1], path[-1]
        parent = self.value(parent_path)
        if key not in parent:
            self._insert_key(parent_path, key, value, order)
            parent[key] = plain(value)
            return
        if isinstance(parent[key], (dict, list)):
            raise CchcError(_("“{key}” không phải một giá trị đơn nên không sửa được").format(key=key))
        span = self.spans[path]
        start, end, end_line = self._scalar_range(span)
        key_column = span.key_column if span.key_column is not None else span.column
        if self._in_flow(parent_path):
            self._splice(start, end, render_flow(value))
            self._touched.append(None)
        else:
            rendered = render_scalar(value, key_column + self.style(parent_path)[1])
            if isinstance(rendered, str):
                self._splice(start, end, rendered)
            else:
                header, lines = rendered
                self._splice(start, end, header)
                self._insert_lines(end_line, lines)
            self._touched.append(path)
        parent[key] = plain(value)

    def _insert_key(self, mapping_path: tuple, key: str, value: Any, order: tuple[str, ...] = ()) -> None:
        mapping = self.value(mapping_path)
        span = self.spans[mapping_path]
        if self._first_char(span) == "{":
            start = self._content_start(span)
            end = self.offset(span.end_line, span.end_column)
            if not mapping and span.key_line == span.line and not self._in_flow(mapping_path[:-1]):
                while start > 0 and self.text[start - 1] in " \t":
                    start -= 1
                self._splice(start, end, "")
                dash, indent = self.style(mapping_path)
                self._insert_lines(span.end_line, self.render_mapping({key: value}, span.key_column + indent,
                                                                      dash, indent))
                self._touched.append(mapping_path)
            else:
                pair = f"{render_key(key)}: {render_flow(value)}"
                self._splice(end - 1, end - 1, (", " if mapping else "") + pair)
                self._touched.append(None)
            return
        self._touched.append(mapping_path)
        column = span.column if mapping_path else 0
        dash, indent = self.style(mapping_path)
        lines = self.render_mapping({key: value}, column, dash, indent)
        before = self._line_before_later_key(mapping_path, key, order)
        self._insert_lines(self.last_line(mapping_path) if before is None else before - 1, lines)

    def _line_before_later_key(self, mapping_path: tuple, key: str, order: tuple[str, ...]) -> int | None:
        """The line to insert `key` before: the first key that `order` puts after it, above its comments."""
        if key not in order:
            return None
        mapping = self.value(mapping_path)
        later = [self.spans[mapping_path + (k,)] for k in order[order.index(key) + 1:]
                 if k in mapping and mapping_path + (k,) in self.spans]
        # Only a key alone on its line: the first key of a sequence item shares the dash's line.
        later = [s for s in later if s.key_line is not None
                 and not self.text[self._starts[s.key_line]:self.offset(s.key_line, s.key_column)].strip(" ")]
        if not later:
            return None
        span = min(later, key=lambda s: s.key_line)
        line = span.key_line
        comment = re.compile(" " * span.key_column + "#")  # a comment above the key, at its indentation
        while line > 0 and comment.match(self._line(line - 1)):
            line -= 1
        return line

    def _insert_lines(self, after_line: int, lines: list[str]) -> None:
        nl = self.newline
        if after_line + 1 < len(self._starts):
            self._splice(self._starts[after_line + 1], self._starts[after_line + 1], nl.join(lines) + nl)
        else:  # the last line of a file that does not end with a line break
            self._splice(len(self.text), len(self.text), nl + nl.join(lines) + nl)

    # --- rendering ----------------------------------------------------------------------------

    def render_mapping(self, mapping: dict, indent: int, dash: int = 2, step: int = 2) -> list[str]:
        """Block lines of `mapping` with its keys at column `indent`; a nested sequence's dashes sit
        `dash` right of their key, a nested mapping's keys `step` right."""
        pad = " " * indent
        lines: list[str] = []
        for key, value in mapping.items():
            head = f"{pad}{render_key(key)}:"
            if isinstance(value, dict):
                if value:
                    lines += [head, *self.render_mapping(value, indent + step, dash, step)]
                else:
                    lines.append(head + " {}")
            elif isinstance(value, (list, tuple)):
                if value:
                    lines.append(head)
                    for item in value:
                        lines += self.render_item(item, indent + dash, dash, step)
                else:
                    lines.append(head + " []")
            else:
                rendered = render_scalar(value, indent + step)
                if isinstance(rendered, str):
                    lines.append(f"{head} {rendered}")
                else:
                    lines += [f"{head} {rendered[0]}", *rendered[1]]
        return lines

    def render_item(self, item: Any, indent: int, dash: int = 2, step: int = 2) -> list[str]:
        """A block sequence item with its dash at column `indent`."""
        pad = " " * indent
        if isinstance(item, dict) and item:
            lines = self.render_mapping(item, indent + 2, dash, step)
            lines[0] = pad + "- " + lines[0][indent + 2:]
            return lines
        rendered = render_scalar(item, indent + 2)
        if isinstance(rendered, str):
            return [f"{pad}- {rendered}"]
        return [f"{pad}- {rendered[0]}", *rendered[1]]


# --- scalars ----------------------------------------------------------------------------------

_yaml = None


def _emitter():
    global _yaml
    if _yaml is None:
        from ruamel.yaml import YAML

        _yaml = YAML(typ="rt")
        _yaml.width = 1 << 30  # never fold a long Vietnamese line
        _yaml.allow_unicode = True  # Vietnamese as it is, no \u escapes
    return _yaml


def _dump_item(value: Any) -> str:
    import io

    buf = io.StringIO()
    _emitter().dump([value], buf)
    return buf.getvalue()


def render_key(key: str) -> str:
    rendered = render_scalar(str(key), 0)
    if not isinstance(rendered, str):
        raise CchcError(_("khóa “{key}” không được có nhiều dòng").format(key=key))
    return rendered


def render_scalar(value: Any, indent: int) -> str | tuple[str, list[str]]:
    """YAML text of a scalar: one line, or a literal block `(header, content lines at `indent`)`.

    Text is plain when YAML reads it back as the same text, else double-quoted as the plan file
    does ("" for empty, "Lưu: VT."); ruamel.yaml's emitter decides what needs quotes.
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if not isinstance(value, str):
        raise TypeError(f"cannot render {type(value).__name__}")
    if "\n" in value:
        from ruamel.yaml.scalarstring import LiteralScalarString

        dumped = _dump_item(LiteralScalarString(value)).split("\n")  # "- |-", "  line", ...
        if dumped[-1] == "":
            dumped.pop()
        header, body = dumped[0][2:], dumped[1:]
        # A header with an indentation indicator (`|2-`, for text that starts with a space) would
        # tie the content to one indentation: such text is written double-quoted instead.
        if header in ("|", "|-", "|+") and _reads_back(f"k: {header}\n" + "\n".join(body) + "\n", value):
            pad = " " * (indent - 2)
            return header, [pad + line if line else "" for line in body]
        return json.dumps(value, ensure_ascii=False)
    if value == "":
        return '""'
    dumped = _dump_item(value)
    single = dumped[2:].rstrip("\n")
    if "\n" not in single:
        if single.startswith("'") and '"' not in value and "\\" not in value:
            single = f'"{value}"'  # the plan file's quoting style
        if _reads_back(f"k: {single}\n", value):
            return single
    return json.dumps(value, ensure_ascii=False)


def _reads_back(fragment: str, value: str) -> bool:
    from .diagnostics import PlanInvalid
    from .planfile import parse_document

    try:
        return parse_document(Path("<fragment>"), fragment).data == {"k": value}
    except PlanInvalid:
        return False


def render_flow(value: Any) -> str:
    """A value in flow style (`{a: 1, b: "x"}`), for the rare plan that writes lists as `[...]`."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{render_key(k)}: {render_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(render_flow(v) for v in value) + "]"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    rendered = render_scalar(value, 0)
    assert isinstance(rendered, str)
    return rendered
