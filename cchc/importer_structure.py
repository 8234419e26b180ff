"""Which part of a plan each paragraph is: the outline every CCHC plan follows.

Letterhead, "KẾ HOẠCH" and its subtitle, the "Căn cứ …" clauses, section I (objectives and
requirements), section II (areas numbered 1., 2., … with tasks lettered a) b) … đ) e) g)), the
implementation section (duties 1., 2., …), "Nơi nhận:" and the signature. A paragraph that fits
nowhere is kept in `unplaced` with its number, so the user is told rather than left to find out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .importer_annex import annex_columns
from .importer_source import Block, Row, Table
from .importer_text import MARKER, Para, is_capitals
from .importer_header import DOC_TYPES, PROMULGATION
from .text import LETTERS, fold

_ANNEX_NOTE = re.compile(r"^\(?\s*(?:Kèm theo|Chi tiết (?:tại|theo)|Có|Theo) Phụ lục", re.I)
_SUBTASK = re.compile(r"^(?P<area>\d{1,2})\.(?P<item>\d{1,2})\.?\s+")
_LETTER_ITEM = re.compile(r"^(?P<letter>[a-zđ])\)\s*")


@dataclass
class TaskText:
    n: int
    title: str
    letter: str = ""  # as written; empty when the document numbers or bullets it
    written: str = ""  # the marker the document used when it is not a letter ("1.1", "-")
    joined: int = 0  # bullet points folded into the title


@dataclass
class AreaText:
    n: int
    number: int
    title: str
    tasks: list[TaskText] = field(default_factory=list)
    written: int | None = None  # the number in the document when it repeats an earlier area's


@dataclass
class Outline:
    """The document cut into the parts of a plan, still as text."""

    head_lines: list[str] = field(default_factory=list)
    title_lines: list[str] = field(default_factory=list)
    bases: list[Para] = field(default_factory=list)
    promulgation: str = ""
    objectives: list[Para] = field(default_factory=list)
    requirements: list[Para] = field(default_factory=list)
    goal_headings: dict[str, str] = field(default_factory=dict)  # "objectives" → "I.1. Mục tiêu"
    areas: list[AreaText] = field(default_factory=list)
    tasks_heading: str = ""
    duties: list[TaskText] = field(default_factory=list)
    duties_section: str = "III"
    duties_heading: str = ""
    recipients: list[str] = field(default_factory=list)
    signature: list[str] = field(default_factory=list)
    annexes: list[Table] = field(default_factory=list)
    annex_note: str = ""
    annex_heading: tuple[int, str] | None = None
    unplaced: list[tuple[int, str]] = field(default_factory=list)

    def all_text(self) -> list[str]:
        texts = [*self.title_lines, self.promulgation, *(p.text for p in self.bases)]
        texts += [p.text for p in self.objectives + self.requirements]
        texts += [t.title for a in self.areas for t in a.tasks] + [d.title for d in self.duties]
        return texts


def _section_kind(heading: str) -> str:
    folded = fold(heading)
    if "to chuc thuc hien" in folded:
        return "duties"
    if "nhiem vu" in folded or "noi dung" in folded:
        return "tasks"
    if "muc tieu" in folded or "muc dich" in folded or "yeu cau" in folded:
        return "goals"
    return "other"


def _goal_bucket(heading: str) -> str | None:
    folded = fold(heading)
    if folded.startswith(("muc tieu", "muc dich")):
        return "objectives"
    if folded.startswith("yeu cau"):
        return "requirements"
    return None


class _Reader:
    def __init__(self) -> None:
        self.out = Outline()
        self.state = "head"
        self.section = ""  # the roman numeral of the current section
        self.kind = ""
        self.bucket: str | None = None
        self.area: AreaText | None = None

    def unplaced(self, n: int, text: str) -> None:
        self.out.unplaced.append((n, text))

    # --- tables -----------------------------------------------------------------------------

    def table(self, table: Table) -> None:
        if annex_columns(table):
            self.out.annexes.append(table)
            return
        cells = [c for row in table.rows for c in row.cells]
        if any(fold(c).startswith("noi nhan") for c in cells):
            self.closing_table(table)
        elif self.state == "head" or any("cong hoa xa hoi" in fold(c) for c in cells):
            for row in table.rows:
                for cell in _distinct(row):
                    self.out.head_lines += [line.strip() for line in cell.split("\n") if line.strip()]
        else:
            for row in table.rows:
                self.unplaced(row.n, " | ".join(c.strip() for c in _distinct(row) if c.strip()))

    def closing_table(self, table: Table) -> None:
        for row in table.rows:
            for cell in _distinct(row):
                lines = [line.strip() for line in cell.split("\n") if line.strip()]
                if lines and fold(lines[0]).startswith("noi nhan"):
                    first = lines[0].split(":", 1)[1].strip() if ":" in lines[0] else ""
                    self.out.recipients += [_undash(x) for x in [first, *lines[1:]] if x]
                else:
                    self.out.signature += lines
        self.state = "closing"

    # --- paragraphs -------------------------------------------------------------------------

    def para(self, p: Para) -> None:
        text = p.text
        marker = MARKER.match(text)
        if marker and marker["recipients"]:
            self.state = "closing"
            rest = text[marker.end():].strip()
            if rest:
                self.out.recipients.append(_undash(rest))
            return
        if fold(text[:8]).startswith("phu luc") and is_capitals(text[:7]):
            self.state = "annex"  # the annex's title and "(Kèm theo Kế hoạch số …)": its table is read
            self.out.annex_heading = (p.n, text)
            return
        if self.state == "annex":
            return
        if self.state == "closing":
            if marker and marker["dash"]:
                self.out.recipients.append(_undash(text))
            else:
                self.out.signature.append(text)
            return
        if marker and marker["roman"] and (is_capitals(text[marker.end():]) or self.state != "head"):
            self.start_section(p, marker["roman"], text[marker.end():])
            return
        if self.state in ("head", "title", "preamble"):
            self.front(p, marker)
            return
        getattr(self, f"in_{self.kind}")(p, marker)

    def front(self, p: Para, marker) -> None:
        text = p.text
        folded = fold(text)
        if self.state == "head":
            if folded.startswith("ke hoach") and is_capitals(text[:8]):
                self.state = "title"
                rest = text[8:].strip()
                if rest:
                    self.out.title_lines.append(rest)
                return
            if not (marker and marker["basis"]):
                self.out.head_lines.append(text)
                return
        if marker and marker["basis"] or (self.out.bases and text.startswith(DOC_TYPES)
                                          and not self.out.promulgation):
            bases, promulgation = _split_promulgation(text)
            self.out.bases.append(Para(p.n, bases))
            self.out.promulgation = promulgation or self.out.promulgation
            self.state = "preamble"
        elif PROMULGATION.search(text) and (text.endswith(":") or "nhu sau" in folded):
            self.out.promulgation = text
            self.state = "preamble"
        elif self.state == "title" and len(self.out.title_lines) < 3 and not re.fullmatch(r"[-_=*. ]+", text):
            self.out.title_lines.append(text)
        elif not re.fullmatch(r"[-_=*. ]+", text):
            self.unplaced(p.n, text)

    def start_section(self, p: Para, roman: str, heading: str) -> None:
        self.state = "body"
        self.section = roman
        self.kind = _section_kind(heading)
        self.bucket = None
        self.area = None
        if self.kind == "goals":
            self.bucket = "requirements" if _goal_bucket(heading) == "requirements" else "objectives"
        elif self.kind == "tasks":
            self.out.tasks_heading = f"{roman}. {heading}"
        elif self.kind == "duties":
            self.out.duties_section = roman
            self.out.duties_heading = f"{roman}. {heading}"
        else:
            self.unplaced(p.n, p.text)

    def in_goals(self, p: Para, marker) -> None:
        text = p.text
        body = text[marker.end():] if marker else text
        if marker and marker["number"]:
            head, _colon, rest = body.partition(":")
            bucket = _goal_bucket(head)
            if bucket:
                self.bucket = bucket
                self.out.goal_headings[bucket] = f"{self.section}.{marker['number']}. {head.strip()}"
                if rest.strip():
                    getattr(self.out, bucket).append(Para(p.n, rest.strip()))
                return
        getattr(self.out, self.bucket or "objectives").append(Para(p.n, body.strip()))

    def in_tasks(self, p: Para, marker) -> None:
        text = p.text
        if m := _SUBTASK.match(text):
            self.ensure_area(p, int(m["area"]))
            if self.area:
                self.area.tasks.append(TaskText(p.n, text[m.end():].strip(), written=f"{m['area']}.{m['item']}"))
            return
        if marker and marker["number"] and "." not in marker["number"]:
            number = int(marker["number"])
            used = {a.number for a in self.out.areas}
            self.area = AreaText(p.n, number, text[marker.end():].strip().rstrip(":").strip())
            if number in used or number == 0:
                self.area.number, self.area.written = max(used | {0}) + 1, number
            self.out.areas.append(self.area)
            return
        if _ANNEX_NOTE.match(text):
            self.out.annex_note = text
            return
        if self.area is None:
            self.unplaced(p.n, text)
            return
        if marker and marker["letter"]:
            self.area.tasks.append(TaskText(p.n, text[marker.end():].strip(), letter=marker["letter"]))
        elif marker and marker["dash"]:
            item = text[marker.end():].strip()
            last = self.area.tasks[-1] if self.area.tasks else None
            if last is not None and last.letter:
                _join(last, item)
            else:
                self.area.tasks.append(TaskText(p.n, item, written="-"))
        else:
            self.unplaced(p.n, text)

    def ensure_area(self, p: Para, number: int) -> None:
        if self.area is None or self.area.number != number:
            self.area = next((a for a in self.out.areas if a.number == number), None)
            if self.area is None:
                self.unplaced(p.n, p.text)

    def in_duties(self, p: Para, marker) -> None:
        text = p.text
        if marker and marker["number"] and "." not in marker["number"]:
            self.out.duties.append(TaskText(p.n, text[marker.end():].strip(), written=marker["number"]))
        elif marker and (marker["dash"] or marker["letter"]):
            item = text[marker.end():].strip()
            if self.out.duties:
                _join(self.out.duties[-1], item)
            else:
                self.out.duties.append(TaskText(p.n, item, written="-"))
        else:
            self.unplaced(p.n, text)

    def in_other(self, p: Para, marker) -> None:
        self.unplaced(p.n, p.text)


def _split_promulgation(text: str) -> tuple[str, str]:
    """ "Căn cứ …; X ban hành Kế hoạch … như sau:" run together by a line break: the bases, the sentence."""
    parts = re.split(r"(?<=[;,])\s+", text)
    last = parts[-1]
    if len(parts) > 1 and PROMULGATION.search(last) and (last.endswith(":") or "nhu sau" in fold(last)):
        return text[:len(text) - len(last)].rstrip(), last
    return text, ""


def _distinct(row: Row) -> list[str]:
    out: list[str] = []
    for cell in row.cells:
        if not out or cell != out[-1]:
            out.append(cell)
    return out


def _undash(text: str) -> str:
    return re.sub(r"^[-–—+•]\s*", "", text.strip())


def _join(task: TaskText, item: str) -> None:
    task.title = f"{task.title.rstrip()} {item}" if task.title.rstrip().endswith((":", ";", ",")) \
        else f"{task.title.rstrip()}; {item}"
    task.joined += 1


def outline(blocks: list[Block]) -> Outline:
    """Cut the document's blocks into the parts of a plan."""
    reader = _Reader()
    for block in blocks:
        if isinstance(block, Table):
            reader.table(block)
        else:
            reader.para(block)
    out = reader.out
    if out.annex_heading and not out.annexes:
        out.unplaced.append(out.annex_heading)  # an annex as lines of text (from a PDF): not read as a table
    return out


def letter_after(previous: str | None) -> str | None:
    """The Vietnamese letter after `previous` (None: the first one, "a")."""
    if previous is None:
        return LETTERS[0]
    i = LETTERS.index(previous)
    return LETTERS[i + 1] if i + 1 < len(LETTERS) else None
