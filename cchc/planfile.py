"""Reading a plan file: YAML with the position of every value, validated into a `Plan`.

The document is composed (not constructed) with ruamel.yaml's safe C parser when installed, or its
pure-Python parser otherwise (`CCHC_PURE_YAML=1` forces it), and turned into plain data by our own
walk over the nodes. That walk is where positions are recorded, duplicate keys are caught with
their line, and any tag other than YAML's core types is refused, so no object can be constructed.
Every problem in the file is collected and raised together as `PlanInvalid`.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .diagnostics import Diagnostic, PlanFileNotFound, PlanInvalid
from .i18n import _

DEFAULT_PLAN_GLOB = "plan_*.yaml"
CONFLICT_RE = re.compile(r"^(<{7}|={7}|>{7}|\|{7})(?: |$)", re.MULTILINE)

_CORE = "tag:yaml.org,2002:"


@dataclass(frozen=True)
class Span:
    """Where a value sits: its key (if in a mapping) and its value, 0-based lines and columns."""

    line: int
    column: int
    end_line: int
    end_column: int
    key_line: int | None = None
    key_column: int | None = None


@dataclass
class PlanDocument:
    """The raw document: text, plain data, and the span of every value by its path."""

    path: Path
    text: str
    data: Any
    spans: dict[tuple, Span] = field(default_factory=dict)

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
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise PlanFileNotFound(_("{path}: không tìm thấy tệp kế hoạch").format(path=path)) from None
    except IsADirectoryError:
        raise PlanFileNotFound(_("{path}: là một thư mục, không phải tệp kế hoạch").format(path=path)) from None
    except OSError as e:
        raise PlanFileNotFound(_("{path}: không đọc được tệp ({reason})").format(path=path, reason=e.strerror)) from None
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
    """Compose YAML `text` into plain data with spans. Raises PlanInvalid on syntax problems."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError
    from ruamel.yaml.reader import ReaderError

    markers = conflict_markers(path, text)
    if markers:
        raise PlanInvalid(markers)
    yaml = YAML(typ="safe", **_parser_mode())
    try:
        root = yaml.compose(text)
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
    doc = PlanDocument(path=path, text=text, data=None)
    problems: list[Diagnostic] = []
    if root is None:
        raise PlanInvalid([Diagnostic(str(path), 1, 1, _("tệp kế hoạch trống"), "empty")])
    doc.data = _walk(root, (), doc, problems, None)
    if problems:
        raise PlanInvalid(problems)
    return doc


def _walk(node: Any, path: tuple, doc: PlanDocument, problems: list[Diagnostic], key_node: Any) -> Any:
    sm, em = node.start_mark, node.end_mark
    doc.spans[path] = Span(sm.line, sm.column, em.line, em.column,
                           key_node.start_mark.line if key_node is not None else None,
                           key_node.start_mark.column if key_node is not None else None)
    tag = str(node.tag)
    kind = node.id
    if kind == "mapping":
        if tag != _CORE + "map":
            problems.append(_bad_tag(doc, node, tag))
        out: dict = {}
        for k_node, v_node in node.value:
            key = _scalar(k_node, doc, problems) if k_node.id == "scalar" else None
            if not isinstance(key, (str, int)) or isinstance(key, bool):
                problems.append(Diagnostic(str(doc.path), k_node.start_mark.line + 1, k_node.start_mark.column + 1,
                                           _("khóa phải là một chuỗi văn bản"), "bad-key"))
                continue
            key = str(key)
            if key in out:
                first = doc.spans[path + (key,)]
                problems.append(Diagnostic(str(doc.path), k_node.start_mark.line + 1, k_node.start_mark.column + 1,
                                           _("khóa “{key}” bị lặp lại (đã có ở dòng {line})").format(
                                               key=key, line=first.key_line + 1), "duplicate-key"))
                continue
            out[key] = _walk(v_node, path + (key,), doc, problems, k_node)
        return out
    if kind == "sequence":
        if tag != _CORE + "seq":
            problems.append(_bad_tag(doc, node, tag))
        return [_walk(item, path + (i,), doc, problems, None) for i, item in enumerate(node.value)]
    return _scalar(node, doc, problems)


def _bad_tag(doc: PlanDocument, node: Any, tag: str) -> Diagnostic:
    return Diagnostic(str(doc.path), node.start_mark.line + 1, node.start_mark.column + 1,
                      _("thẻ YAML {tag} không được phép trong tệp kế hoạch").format(tag=tag), "bad-tag")


def _scalar(node: Any, doc: PlanDocument, problems: list[Diagnostic]) -> Any:
    tag = str(node.tag)
    value = node.value
    if not tag.startswith(_CORE):
        problems.append(_bad_tag(doc, node, tag))
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
    problems.append(_bad_tag(doc, node, tag))
    return value


# --- validation -----------------------------------------------------------------------------

_TYPE_MESSAGES = {
    "int_type": "cần một số nguyên",
    "int_parsing": "cần một số nguyên",
    "int_from_float": "cần một số nguyên",
    "float_type": "cần một số",
    "float_parsing": "cần một số",
    "string_type": "cần một chuỗi văn bản",
    "list_type": "cần một danh sách",
    "dict_type": "cần một bảng khóa: giá trị",
    "model_type": "cần một bảng khóa: giá trị",
    "model_attributes_type": "cần một bảng khóa: giá trị",
    "bool_type": "cần true hoặc false",
    "bool_parsing": "cần true hoặc false",
    "date_type": "cần một ngày dạng YYYY-MM-DD",
    "date_from_datetime_parsing": "ngày không hợp lệ",
    "date_parsing": "ngày không hợp lệ",
    "string_too_short": "không được để trống",
    "too_short": "không được để trống",
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

    diagnostics = [doc.diagnostic(p.path, p.message, p.code, key=p.key) for p in semantic_problems(doc.data)]
    plan = None
    try:
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
    text = read_text(p)
    doc = parse_document(p, text)
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


def find_plan(explicit: str | None = None, cwd: Path | None = None) -> Path:
    """The plan file: `--file`, then $CCHC_PLAN, then the only plan_*.yaml of the current folder."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("CCHC_PLAN")
    if env:
        return Path(env)
    cwd = cwd or Path.cwd()
    candidates = sorted(cwd.glob(DEFAULT_PLAN_GLOB))
    if len(candidates) == 1:
        return candidates[0]
    if len(candidates) > 1:
        names = ", ".join(c.name for c in candidates)
        raise PlanFileNotFound(_(
            "có nhiều tệp kế hoạch trong thư mục này ({names}); chọn một bằng --file TỆP hoặc biến môi trường CCHC_PLAN"
        ).format(names=names))
    raise PlanFileNotFound(_(
        "không tìm thấy tệp kế hoạch (plan_*.yaml) trong {cwd}; chỉ ra tệp bằng --file TỆP "
        "hoặc đặt biến môi trường CCHC_PLAN"
    ).format(cwd=cwd))
