"""Starting next year's plan from this year's: what carries over, and the file that says so.

`carry_over` is pure (a `Plan` in, the next year's data and what was carried out); `render` emits
the new file with ruamel.yaml, the one place cchc writes a whole plan file rather than editing
one in place. The file is meant to be reviewed before it is issued, so it says what to review in
a header comment, and each carried-over task says where it came from in a comment of its own.
The file's words (comments, titles) are plan content and stay Vietnamese.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .model import Plan, Status, Task
from .text import format_number, task_sort_key

PERIODS = ("Q1", "Q2", "Q3", "Q4")


@dataclass
class NewYear:
    """The next year's plan as plain data, and what was brought over from the source."""

    year: int
    source_year: int
    data: dict[str, Any]
    carried: list[Task] = field(default_factory=list)  # unfinished tasks carried over
    dropped: list[Task] = field(default_factory=list)  # finished tasks left behind
    empty_areas: list[int] = field(default_factory=list)  # areas whose every task was finished


def shift_date(day: dt.date, years: int) -> dt.date:
    """The same day `years` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def retitle(title: str, old_year: int, new_year: int) -> str:
    if re.search(rf"(?<!\d){old_year}(?!\d)", title):
        return re.sub(rf"(?<!\d){old_year}(?!\d)", str(new_year), title)
    return f"{title} năm {new_year}"


def _deadline(value: Any, years: int) -> Any:
    return shift_date(value, years) if isinstance(value, dt.date) else value.value


# What a carried-over task starts the year with; every other field is copied from the model, so a
# field added to the schema survives `cchc new` without a change here.
_FRESH = {"status": Status.not_started.value, "progress": [], "evidence": []}
_ALWAYS = ("support", "output")  # written even when empty, as the plan files write them


def _task(task: Task, years: int) -> dict[str, Any]:
    written = task.model_dump(mode="json", exclude_unset=True)
    full = task.model_dump(mode="json")
    out: dict[str, Any] = {}
    for name in type(task).model_fields:
        if name in _FRESH:
            out[name] = list(_FRESH[name]) if isinstance(_FRESH[name], list) else _FRESH[name]
        elif name == "deadline":
            out[name] = _deadline(task.deadline, years)
        elif name in written or name in _ALWAYS:
            out[name] = full[name]
    return out


def create_plan(source: Path, year: int, target: Path | None = None) -> tuple[Path, NewYear]:
    """`cchc new`: write next year's plan from the plan at `source`; the file written and what it carries.

    The new file goes beside the source as `plan_YEAR.yaml` unless `target` is given; it is
    validated before it is written and never lands on an existing file.
    """
    from .diagnostics import CchcError, UsageError
    from .i18n import _
    from .outputs import write_output
    from .planfile import load, parse_document, validate_document

    loaded = load(source)
    old_year = loaded.plan.plan.year
    if not old_year < year <= 2100:
        raise UsageError(_("năm mới phải sau năm của kế hoạch nguồn ({year})").format(year=old_year))
    target = target or source.parent / f"plan_{year}.yaml"
    if target.exists():
        raise CchcError(_("{path} đã có; không ghi đè. Xóa tệp đó hoặc chọn tệp khác bằng --output").format(
            path=target))
    result = carry_over(loaded.plan, year)
    text = render(result, source.name, modeline_for(loaded.doc.text, source, target))
    # The file is generated: check it is a valid plan before anyone is asked to review it.
    validate_document(parse_document(target, text))
    write_output(target, text.encode("utf-8"), new_plan=True)
    return target, result


def carry_over(plan: Plan, year: int) -> NewYear:
    """Next year's plan: same units and areas, legal bases and targets kept for review (targets
    without measurements), unfinished tasks carried over with progress cleared, fixed deadlines
    moved by the same number of years, empty narratives, no number or date of issue."""
    source = plan.plan
    years = year - source.year
    result = NewYear(year=year, source_year=source.year, data={})
    info: dict[str, Any] = {
        "year": year,
        "title": retitle(source.title, source.year, year),
        "issuer": source.issuer,
        "issuer_short": source.issuer_short,
        "parent": source.parent,
        "place": source.place,
        "number": "",
        "signer": source.signer.model_dump(),
        "report_to": source.report_to,
        "recipients": list(source.recipients),
        "legal_bases": [b.model_dump() for b in source.legal_bases],
    }

    def keep(tasks: list[Task]) -> list[dict]:
        out = []
        for task in sorted(tasks, key=lambda t: task_sort_key(t.id)):
            if task.status is Status.done:
                result.dropped.append(task)
            else:
                result.carried.append(task)
                out.append(_task(task, years))
        return out

    areas = []
    for area in plan.areas:
        tasks = keep(area.tasks)
        if not tasks:
            result.empty_areas.append(area.number)
        areas.append({"number": area.number, "title": area.title, "tasks": tasks})
    targets = []
    for t in plan.targets:
        target = t.model_dump(mode="python")
        target["kind"] = t.kind.value
        target["deadline"] = shift_date(t.deadline, years)
        target["measurements"] = []
        targets.append(target)
    result.data = {
        "schema_version": 1,
        "plan": info,
        "objectives": list(plan.objectives),
        "requirements": list(plan.requirements),
        "units": dict(plan.units),
        "targets": targets,
        "areas": areas,
        "duties": keep(plan.duties),
        "narratives": {f"{year}-{p}": {"achievements": "", "shortcomings": "", "causes": "", "proposals": ""}
                       for p in PERIODS},
    }
    return result


def carried_note(task: Task, source_year: int) -> str:
    if task.percent:
        return f"(chuyển tiếp từ {source_year}; năm {source_year} đạt {format_number(task.percent, lang='vi')}%)"
    return f"(chuyển tiếp từ {source_year}; năm {source_year} chưa thực hiện)"


def header(new: NewYear, source_name: str) -> str:
    y, s = new.year, new.source_year
    return "\n".join([
        f"Kế hoạch CCHC năm {y}, tạo bằng `cchc new {y}` từ {source_name}. CẦN RÀ SOÁT trước khi ban hành:",
        "- plan: tên kế hoạch, số ký hiệu và ngày ban hành (điền khi ban hành), người ký, nơi nhận;",
        f"- plan.legal_bases: căn cứ của năm {s} được giữ lại; bổ sung kế hoạch CCHC năm {y} của tỉnh;",
        "- objectives, requirements: chép nguyên từ kế hoạch cũ, sửa theo năm mới;",
        f"- targets: chỉ tiêu giữ nguyên mức, chưa có số liệu, thời hạn dời sang năm {y};",
        f"- areas, duties: {len(new.carried)} nhiệm vụ chưa hoàn thành chuyển tiếp từ năm {s} (giữ nguyên mã,"
        " tiến độ đã xóa), đánh dấu “chuyển tiếp”;",
        f"  thời hạn cố định dời sang cùng ngày năm {y}; bổ sung nhiệm vụ mới của năm {y}.",
        "This file was generated by `cchc new`; review the items above before issuing it.",
    ])


class _Styler:
    """Gives plain data the plan file's own style: "" and [] for empty values, double quotes
    where quotes are needed, whole numbers without `.0`."""

    def __init__(self) -> None:
        from ruamel.yaml.emitter import Emitter
        from ruamel.yaml.resolver import VersionedResolver

        self._emitter = Emitter(None, allow_unicode=True)
        self._resolver = VersionedResolver()

    def _needs_quotes(self, text: str) -> bool:
        from ruamel.yaml.nodes import ScalarNode

        if text == "":
            return True
        analysis = self._emitter.analyze_scalar(text)
        if not analysis.allow_block_plain or analysis.multiline:
            return True
        return self._resolver.resolve(ScalarNode, text, (True, False)) != "tag:yaml.org,2002:str"

    def __call__(self, value: Any) -> Any:
        from ruamel.yaml.comments import CommentedMap, CommentedSeq
        from ruamel.yaml.scalarstring import DoubleQuotedScalarString

        if isinstance(value, dict):
            out = CommentedMap()
            for k, v in value.items():
                out[k] = self(v)
            return out
        if isinstance(value, list):
            seq = CommentedSeq(self(v) for v in value)
            if not value:
                seq.fa.set_flow_style()
            return seq
        if isinstance(value, str):
            return DoubleQuotedScalarString(value) if self._needs_quotes(value) else value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return value


def render(new: NewYear, source_name: str, modeline: str | None = None) -> str:
    """The new plan file's text: header comment, then the data, every carried task marked."""
    import io

    from ruamel.yaml import YAML

    doc = _Styler()(new.data)
    doc.yaml_set_start_comment(header(new, source_name))
    carried = {t.id: t for t in new.carried}
    for section, indent in (("areas", 8), ("duties", 4)):
        groups = [area["tasks"] for area in doc["areas"]] if section == "areas" else [doc["duties"]]
        for tasks in groups:
            for task in tasks:
                source = carried[task["id"]]
                task.yaml_set_comment_before_after_key("title", before=carried_note(source, new.source_year),
                                                       indent=indent)
    for area in doc["areas"]:
        if not area["tasks"]:
            area.yaml_set_comment_before_after_key(
                "tasks", before=f"mọi nhiệm vụ năm {new.source_year} đã hoàn thành; bổ sung nhiệm vụ năm {new.year}",
                indent=4)
    yaml = YAML()
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096
    yaml.allow_unicode = True
    buf = io.StringIO()
    yaml.dump(doc, buf)
    text = buf.getvalue()
    return (modeline + "\n" + text) if modeline else text


def modeline_for(source_text: str, source: Path, target: Path) -> str | None:
    """The source's `yaml-language-server` line, its schema path rewritten for the new file's folder."""
    first = source_text.split("\n", 1)[0]
    m = re.match(r"^#\s*yaml-language-server:\s*\$schema=(\S+)\s*$", first)
    if not m:
        return None
    schema = m.group(1)
    if re.match(r"^[a-z][a-z0-9+.-]*://", schema, re.I) or os.path.isabs(schema):
        return first
    schema_path = (source.parent / schema).resolve()
    if not schema_path.is_file():
        return first  # already pointing elsewhere than a file next to the source: leave it be
    rel = os.path.relpath(schema_path, target.parent.resolve())
    return f"# yaml-language-server: $schema={Path(rel).as_posix()}"
