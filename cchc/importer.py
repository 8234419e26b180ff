"""`cchc import`: from a plan as issued (Word, or text from a PDF) to a plan file that validates.

`import_document(path)` reads the document (importer_source), cuts it into the parts of a plan
(importer_structure), turns each part into the schema's fields here, and renders the file
(importer_emit). What the document says is copied verbatim; what cchc had to choose or convert
(owners and deadlines when there is no annex, unit keys, names printed in capitals, targets read
out of sentences) is marked with a comment ending in "kiểm tra lại" and counted, and every
paragraph that fits nowhere is listed with its number. `write_new_plan` writes the result.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .diagnostics import PlanInvalid, Refused
from .i18n import _
from .importer_annex import (AnnexArea, AnnexRow, annex_rows, guess_deadline, is_everyone, read_deadline,
                             split_owners, unit_key)
from .importer_emit import Noted, render
from .importer_header import (PROMULGATION, acronym, basis_clauses, is_upper, name_from_capitals, parse_basis,
                              parse_letterhead, parse_signature, province_of, title_from_capitals)
from .importer_source import ImportRefused, read_blocks
from .importer_structure import AreaText, Outline, TaskText, letter_after, outline
from .importer_targets import find_targets, slug
from .text import LETTERS, fold, letter_rank

MODELINE = "# yaml-language-server: $schema=schema/plan.schema.json"
MAX_TASKS = 3000  # a plan has tens of tasks; more is not a plan cchc should guess its way through
_ORG_BEFORE_LEAD = re.compile(
    r"(?P<unit>(?:Văn phòng|Phòng|Thanh tra|Trung tâm|Chi cục|Ban|Công an|Ủy ban nhân dân|UBND)"
    r"(?:\s[^,;.()]{1,60}?)?)\s+(?:chủ trì|có trách nhiệm chủ trì)")
MAX_SHOWN_PROBLEMS = 10
_FUZZY_BUDGET = 5_000  # title comparisons when matching annex rows to tasks (bounded time)

__all__ = ["ImportRefused", "Imported", "import_document", "write_new_plan"]


@dataclass
class Imported:
    """An imported plan: its YAML text and what the user is told about it."""

    source: Path
    text: str
    year: int
    areas: int
    tasks: int
    targets: int
    guesses: int
    unplaced: list[tuple[int, str]] = field(default_factory=list)

    def default_name(self) -> str:
        return f"plan_{self.year}.yaml"


class _Units:
    """The unit registry built from the owners' names, in the order they are met."""

    def __init__(self) -> None:
        self.by_name: dict[str, str] = {}
        self.where: dict[str, str] = {}

    def key(self, name: str, where: str) -> str:
        folded = fold(name)
        for known, key in self.by_name.items():
            if fold(known) == folded:
                return key
        key = unit_key(name, set(self.by_name.values()))
        self.by_name[name] = key
        self.where[key] = where
        return key

    def data(self) -> dict[str, Any]:
        return {key: Noted(name, f"mã {key} do cchc đặt cho “{name}” ({self.where[key]})")
                for name, key in self.by_name.items()}


class _Builder:
    def __init__(self, source: Path, doc: Outline) -> None:
        self.source = source
        self.doc = doc
        self.units = _Units()
        self.unplaced = list(doc.unplaced)
        self.year = 0
        self.default_lead = ""
        self.task_count = 0
        self._letters_for: tuple[tuple, list[str]] = ((), [])

    # --- plan: -------------------------------------------------------------------------------

    def plan_info(self) -> dict[str, Any]:
        doc = self.doc
        head = parse_letterhead(doc.head_lines)
        subtitle = " ".join(doc.title_lines)
        title_part, _sep, of_part = subtitle.partition(" của ")
        info = self.title_and_year(head, subtitle, title_part)
        info.update(self.issuer(head, of_part.strip()))
        province = province_of(doc.all_text())
        if len(head.bodies) >= 2:
            info["parent"] = Noted(name_from_capitals(head.bodies[0]), f"từ quốc hiệu “{head.bodies[0]}”, đổi chữ in hoa")
        elif province:
            info["parent"] = Noted(f"UBND tỉnh {province}", "cơ quan chủ quản do cchc suy ra từ tên tỉnh trong văn bản")
        else:
            info["parent"] = Noted("", "không tìm thấy cơ quan chủ quản; điền vào")
        info["place"] = head.place if head.place else Noted(province, "địa danh do cchc suy ra từ tên tỉnh")
        number = head.number if re.search(r"\d", head.number or "") else ""
        info["number"] = Noted(number, "số ký hiệu, ngày ban hành đọc từ phần đầu văn bản", guess=False) if number \
            else Noted("", "Số ký hiệu và ngày ban hành: bản gốc chưa ghi; điền khi ban hành (date: YYYY-MM-DD).",
                       guess=False)
        if head.date:
            info["date"] = head.date
        info["signer"] = self.signer()
        info["report_to"] = self.report_to()
        info["recipients"] = Noted(list(doc.recipients), "Nơi nhận, đúng như bản gốc", guess=False) \
            if doc.recipients else Noted([], "không tìm thấy “Nơi nhận”")
        info["legal_bases"] = self.legal_bases()
        return info

    def title_and_year(self, head, subtitle: str, title_part: str) -> dict[str, Any]:
        if is_upper(title_part):
            title_part = name_from_capitals(title_part)  # "CẢI CÁCH HÀNH CHÍNH NĂM 2024"
        year_match = re.search(r"\bnăm (\d{4})\b", subtitle, re.I) or re.search(r"\bnăm (\d{4})\b",
                                                                                self.doc.promulgation, re.I)
        if year_match:
            self.year = int(year_match[1])
        elif head.date:
            self.year = head.date.year
        else:
            raise ImportRefused(_("{path}: không tìm thấy năm của kế hoạch (“… năm 2024” trong tiêu đề); không ghi tệp "
                                  "nào").format(path=self.source))
        info: dict[str, Any] = {"year": Noted(self.year, "năm đọc từ tiêu đề", guess=False)}
        if title_part:
            first = title_part.split(" ", 1)[0]
            lowered = title_part if first.isupper() and len(first) > 1 else title_part[:1].lower() + title_part[1:]
            info["title"] = Noted(f"Kế hoạch {lowered}", f"ghép từ “KẾ HOẠCH” và dòng “{subtitle}”")
        else:
            info["title"] = Noted(f"Kế hoạch cải cách hành chính năm {self.year}",
                                  "bản gốc không có tiêu đề đọc được; cchc đặt")
        return info

    def issuer(self, head, of_part: str) -> dict[str, Any]:
        """Who issues the plan: "… của X" in the title, "X ban hành Kế hoạch …", else the letterhead."""
        promulgating = PROMULGATION.search(self.doc.promulgation)
        subject = self.doc.promulgation[:promulgating.start()].strip() if promulgating else ""
        issuer: Any
        if of_part:
            issuer = of_part
        elif subject and not fold(subject).endswith(("huyen", "tinh", "so", "xa", "quan", "phuong", "thanh pho")):
            issuer = subject
        elif head.bodies:
            issuer = Noted(name_from_capitals(head.bodies[-1]), f"từ quốc hiệu “{head.bodies[-1]}”, đổi chữ in hoa")
        else:
            issuer = Noted(subject, "không tìm thấy tên cơ quan ban hành")
        name = issuer.value if isinstance(issuer, Noted) else issuer
        short = re.search(r"/[A-ZĐ]+-(?P<short>[A-ZĐ0-9&]+)$", head.number or "")
        return {"issuer": issuer,
                "issuer_short": Noted(short["short"], f"lấy từ số ký hiệu {head.number}", guess=False) if short
                else Noted(acronym(name), f"chữ viết tắt do cchc ghép từ “{name}”")}

    def signer(self) -> dict[str, Any]:
        block = parse_signature(self.doc.signature)
        title: Any = block.title
        if block.title:
            converted = title_from_capitals(block.title)
            if converted != block.title:
                title = Noted(converted, f"chức vụ viết lại từ “{block.title}”")
        else:
            title = Noted("", "không tìm thấy chức vụ người ký")
        name: Any = block.name if block.name else Noted("", "không tìm thấy tên người ký")
        return {"name": name, "title": title, "authority": block.authority}

    def report_to(self) -> Any:
        for line in self.doc.recipients:
            if re.search(r"\((?:B/c|báo cáo)\)", line, re.I):
                name = re.sub(r"\s*\(.*$", "", line).strip(" ;,.")
                return Noted(name, f"cơ quan nhận báo cáo suy ra từ Nơi nhận “{line}”")
        return Noted("Sở Nội vụ", "cơ quan nhận báo cáo CCHC thường là Sở Nội vụ; bản gốc không ghi")

    def legal_bases(self) -> list[dict[str, Any]]:
        out = []
        for para in self.doc.bases:
            for clause in basis_clauses(para.text):
                basis = parse_basis(clause)
                if basis is None or basis.date is None:
                    self.unplaced.append((para.n, clause))
                    continue
                out.append({"type": basis.type, "number": basis.number, "date": basis.date,
                            "issuer": basis.issuer, "title": basis.title})
        return out

    # --- units, areas, tasks, duties ----------------------------------------------------------

    def find_default_lead(self) -> None:
        """The unit the plan puts in charge of following it up, else the first unit it names."""
        named: list[tuple[int, str, str]] = []
        for duty in self.doc.duties:
            for m in _ORG_BEFORE_LEAD.finditer(duty.title):
                folded = fold(duty.title)
                weight = 0 if ("theo doi" in folded or "don doc" in folded or "tong hop" in folded) else 1
                named.append((weight, m["unit"].removeprefix("Giao ").strip(), f"¶{duty.n}"))
        if named:
            _w, name, where = min(named, key=lambda x: x[0])
            self.default_lead = self.units.key(name, where)

    def fallback_lead(self, issuer: str, short: str) -> str:
        """The lead for tasks no one is named for: the plan's follow-up unit, the annex's first, or the issuer."""
        if not self.default_lead and self.units.by_name:
            self.default_lead = next(iter(self.units.by_name.values()))
        if not self.default_lead:
            key = re.sub(r"[^A-Z0-9]", "", fold(short).upper()) or "DV"
            self.units.by_name[issuer or key] = key
            self.units.where[key] = "cơ quan ban hành; bản gốc không nêu đơn vị nào"
            self.default_lead = key
        return self.default_lead

    def annex_index(self) -> dict[str, AnnexRow]:
        """Annex rows by the id of the task they describe; rows that match none are created or reported."""
        matched: dict[str, AnnexRow] = {}
        budget = _FUZZY_BUDGET
        for table in self.doc.annexes:
            area: AreaText | None = None
            for row in annex_rows(table):
                if isinstance(row, AnnexArea):
                    area = self.annex_area(row)
                    continue
                task_id, budget = self.match_row(row, area, budget)
                if task_id is None and area is not None and row.content:
                    task_id = self.annex_only_task(area, row)
                if task_id is None:
                    self.unplaced.append((row.n, " | ".join(x for x in (row.stt, row.content, row.lead, row.deadline)
                                                            if x)))
                else:
                    matched.setdefault(task_id, row)
        return matched

    def annex_area(self, row: AnnexArea) -> AreaText | None:
        for area in self.doc.areas:
            if row.number == area.number or (row.title and fold(row.title) == fold(area.title)):
                return area
        if row.number is not None and row.title:
            area = AreaText(row.n, row.number, row.title)
            self.doc.areas.append(area)
            return area
        return None

    def match_row(self, row: AnnexRow, area: AreaText | None, budget: int) -> tuple[str | None, int]:
        stt = row.stt.strip().rstrip(".)")
        m = re.fullmatch(r"(?:(\d{1,2})\.?)?([a-zđ])", stt)
        if m:
            number = int(m[1]) if m[1] else (area.number if area else None)
            for a in self.doc.areas:
                if a.number == number:
                    for i, task in enumerate(a.tasks):
                        if self.letter_of(a, i) == m[2]:
                            return f"{a.number}.{m[2]}", budget
        # A letter that names no task of the area: the row is its own task unless its text is the same.
        threshold = 0.85 if m else 0.6
        want = fold(row.content)[:300]
        best, best_id = 0.0, None
        pool = [area] if area else self.doc.areas
        for a in pool:
            for i, task in enumerate(a.tasks):
                if budget <= 0:
                    break
                budget -= 1
                have = fold(task.title)[:300]
                if have.startswith(want) or want.startswith(have):
                    return f"{a.number}.{self.letter_of(a, i)}", budget
                matcher = difflib.SequenceMatcher(None, want, have, autojunk=False)
                if matcher.real_quick_ratio() > best and matcher.quick_ratio() > best:
                    ratio = matcher.ratio()
                    if ratio > best:
                        best, best_id = ratio, f"{a.number}.{self.letter_of(a, i)}"
        return (best_id if best >= threshold else None), budget

    def annex_only_task(self, area: AreaText, row: AnnexRow) -> str:
        area.tasks.append(TaskText(row.n, row.content, written="phụ lục"))
        return f"{area.number}.{self.letter_of(area, len(area.tasks) - 1)}"

    def letter_of(self, area: AreaText, index: int) -> str:
        """The letter of the task at `index`: as written when it follows on, else the next free one."""
        key = (id(area), len(area.tasks))
        if self._letters_for[0] != key:
            self._letters_for = (key, self._letters(area))
        return self._letters_for[1][index]

    @staticmethod
    def _letters(area: AreaText) -> list[str]:
        out: list[str] = []
        for task in area.tasks:
            previous = out[-1] if out else None
            expected = letter_after(previous)
            written = task.letter
            if written and letter_rank(written) is not None and written not in out and (
                    previous is None or letter_rank(written) > letter_rank(previous)):
                out.append(written)
            else:
                out.append(expected or f"{LETTERS[-1]}{len(out)}")
        return out

    def owners(self, row: AnnexRow | None, title: str, where: str) -> tuple[Any, list[str], Any, str]:
        """lead (possibly Noted), support keys, deadline (possibly Noted), output for one task."""
        lead: Any = None
        support: list[str] = []
        notes: list[str] = []
        if row is not None:
            leads = split_owners(row.lead)
            keys = ["ALL" if is_everyone(n) else self.units.key(n, f"phụ lục {where}") for n in leads]
            keys = [k for k in keys if k != "ALL"] + (["ALL"] if "ALL" in keys else [])
            if keys and keys[0] != "ALL":
                lead = keys[0]
                support += keys[1:]
                if len(keys) > 1:
                    notes.append(f"phụ lục ghi nhiều đơn vị chủ trì “{row.lead}”: đơn vị đầu là chủ trì")
            for n in split_owners(row.support):
                key = "ALL" if is_everyone(n) else self.units.key(n, f"phụ lục {where}")
                if key not in support and key != lead:
                    support.append(key)
        deadline: Any = None
        if row is not None and row.deadline:
            value = read_deadline(row.deadline, self.year)
            if value is not None:
                deadline = value
                if not re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", row.deadline):
                    deadline = Noted(value, f"thời hạn trong phụ lục: “{row.deadline}”")
        guessed = []
        if lead is None:
            lead = self.default_lead
            if not support:
                support = ["ALL"]
            guessed.append("đơn vị chủ trì, phối hợp")
        reason = ""
        if deadline is None:
            value, reason = guess_deadline(title, self.year)
            deadline = value
            guessed.append("thời hạn")
        if guessed:
            why = f" ({reason})" if reason else ""
            note = f"cchc chọn tạm {' và '.join(guessed)}{why}; bản gốc không ghi"
            lead = Noted(lead, "; ".join([*notes, note]))
        elif notes:
            lead = Noted(lead, "; ".join(notes))
        return lead, support, deadline, row.output if row is not None else ""

    def task(self, task_id: str, text: TaskText, row: AnnexRow | None, written_id: str) -> dict[str, Any]:
        self.task_count += 1
        if self.task_count > MAX_TASKS:
            raise ImportRefused(_("{path}: có hơn {n} nhiệm vụ, không phải một kế hoạch cchc nhập được; không ghi tệp "
                                  "nào").format(path=self.source, n=MAX_TASKS))
        lead, support, deadline, output = self.owners(row, text.title, f"¶{row.n}" if row else "")
        entry: dict[str, Any] = {"id": task_id}
        notes = []
        if text.written == "phụ lục":
            notes.append(f"nhiệm vụ chỉ có trong phụ lục (¶{text.n}), cchc đặt mã {task_id}")
        elif written_id != task_id:
            notes.append(f"bản gốc đánh “{written_id}”, cchc đặt mã {task_id}")
        if text.joined:
            notes.append(f"gộp {text.joined} ý gạch đầu dòng vào nội dung")
        entry["title"] = Noted(text.title, "; ".join(notes)) if notes else text.title
        entry.update({"lead": lead, "support": support, "deadline": deadline, "output": output,
                      "status": "not_started", "progress": [], "evidence": []})
        return entry

    def areas(self, annex: dict[str, AnnexRow]) -> list[dict[str, Any]]:
        out = []
        for area in self.doc.areas:
            tasks = []
            for i, text in enumerate(area.tasks):
                letter = self.letter_of(area, i)
                task_id = f"{area.number}.{letter}"
                written = f"{area.number}.{text.letter}" if text.letter else \
                    ("gạch đầu dòng" if text.written == "-" else text.written)
                tasks.append(self.task(task_id, text, annex.get(task_id), written))
            number: Any = area.number
            if area.written is not None:
                number = Noted(area.number, f"bản gốc đánh số {area.written} (trùng lĩnh vực trước), cchc đặt số "
                                            f"{area.number}")
            out.append({"number": number, "title": area.title, "tasks": tasks})
        return out

    def duties(self) -> list[dict[str, Any]]:
        out = []
        roman = self.doc.duties_section
        for i, duty in enumerate(self.doc.duties, 1):
            duty_id = f"{roman}.{i}"
            names = [m["unit"].removeprefix("Giao ").strip() for m in _ORG_BEFORE_LEAD.finditer(duty.title)]
            entry = self.task(duty_id, duty, None, duty_id if duty.written == str(i) else duty.written)
            if names:
                key = self.units.key(names[0], f"¶{duty.n}")
                deadline, reason = guess_deadline(duty.title, self.year)
                entry["lead"] = Noted(key, f"đơn vị chủ trì đọc từ nội dung (“{names[0]} chủ trì”); cchc chọn tạm "
                                           f"phối hợp và thời hạn ({reason})")
                entry["support"] = ["ALL"] if "phoi hop" in fold(duty.title) else []
                entry["deadline"] = deadline
            out.append(entry)
        return out

    def targets(self) -> list[Any]:
        out: list[Any] = []
        taken: set[str] = set()
        seen: set[tuple] = set()
        paras = [*self.doc.objectives, *self.doc.requirements]
        texts = [(p.n, p.text) for p in paras]
        texts += [(t.n, t.title) for a in self.doc.areas for t in a.tasks] + [(d.n, d.title) for d in self.doc.duties]
        for n, text in texts:
            for found in find_targets(text):
                key = (fold(found.name), found.kind, found.value)
                if key in seen:
                    continue
                seen.add(key)
                unit = {"percent": "%", "rank": "hạng", "group": "nhóm"}[found.kind]
                entry = {"id": slug(found.name, taken), "name": found.name, "kind": found.kind,
                         "target": found.value, "unit": unit, "deadline": dt.date(self.year, 12, 31),
                         "scope": "", "note": found.sentence, "measurements": []}
                out.append(Noted(entry, f"chỉ tiêu cchc đọc ra từ câu ghi ở note (¶{n}); tên, mã, loại, mức và thời "
                                        "hạn (cuối năm) do cchc đặt"))
        return out


def _narratives(year: int) -> dict[str, Any]:
    empty = {"achievements": "", "shortcomings": "", "causes": "", "proposals": ""}
    return {f"{year}-Q{q}": dict(empty) for q in range(1, 5)}


def import_document(path: str | Path) -> Imported:
    """Read the plan document at `path` (.docx or .txt) and make the plan file's text.

    Raises ImportRefused (one line) for a document that is too big, damaged, or not a plan.
    The text is validated before it is returned: a result that would not validate is refused too.
    """
    from .planfile import parse_document, validate_document

    source = Path(path)
    blocks = read_blocks(source)
    doc = outline(blocks)
    if not any(a.tasks for a in doc.areas) and not any(annex_rows(t) for t in doc.annexes):
        raise ImportRefused(_("{path}: không phải một kế hoạch CCHC (không thấy mục nhiệm vụ có các lĩnh vực 1., 2., … "
                              "và nhiệm vụ a), b), …); không ghi tệp nào").format(path=source))
    build = _Builder(source, doc)
    info = build.plan_info()
    build.find_default_lead()
    annex = build.annex_index()
    issuer = info["issuer"].value if isinstance(info["issuer"], Noted) else info["issuer"]
    build.fallback_lead(issuer, info["issuer_short"].value)
    areas = build.areas(annex)
    duties = build.duties()
    targets = build.targets()
    data: dict[str, Any] = {"schema_version": 1, "plan": info}
    data["objectives"] = _titled(doc, "objectives", [p.text for p in doc.objectives])
    data["requirements"] = _titled(doc, "requirements", [p.text for p in doc.requirements])
    data["units"] = build.units.data()
    data["targets"] = targets
    data["areas"] = Noted(areas, _areas_note(doc), guess=False)
    if duties and doc.duties_section != "III":
        # The plan's own section number (IV…): its duties are IV.1, IV.2, and every report says IV.
        heading = doc.duties_heading.split(". ", 1)[-1].strip() or "Tổ chức thực hiện"
        data["duties_section"] = {"number": doc.duties_section,
                                  "title": heading.capitalize() if heading.isupper() else heading}
    data["duties"] = Noted(duties, doc.duties_heading or "Tổ chức thực hiện", guess=False) if duties else []
    data["narratives"] = Noted(_narratives(build.year), "Phần tự đánh giá của từng kỳ báo cáo; để trống đến khi "
                                                       "viết báo cáo.", guess=False)
    header = _header(source, info, build.unplaced)
    text, guesses = render(data, header, MODELINE)
    try:
        validate_document(parse_document(Path(f"plan_{build.year}.yaml"), text))
    except PlanInvalid as e:
        shown = [str(d) for d in e.diagnostics[:MAX_SHOWN_PROBLEMS]]
        if len(e.diagnostics) > MAX_SHOWN_PROBLEMS:
            shown.append(_("… và {n} lỗi khác").format(n=len(e.diagnostics) - MAX_SHOWN_PROBLEMS))
        raise ImportRefused("\n".join([_("{path}: tệp kế hoạch tạo ra từ văn bản này không hợp lệ; không ghi tệp nào"
                                         ).format(path=source), *shown])) from None
    return Imported(source=source, text=text, year=build.year, areas=len(areas),
                    tasks=sum(len(a["tasks"]) for a in areas), targets=len(targets), guesses=guesses,
                    unplaced=sorted(build.unplaced))


def _titled(doc: Outline, bucket: str, items: list[str]) -> Any:
    heading = doc.goal_headings.get(bucket)
    return Noted(items, heading, guess=False) if heading and items else items


def _areas_note(doc: Outline) -> str:
    parts = [doc.tasks_heading or "Nội dung, nhiệm vụ"]
    if doc.annex_note and not doc.annexes:
        parts.append(f"Bản gốc ghi “{doc.annex_note}” nhưng tệp nhập không có bảng phụ lục")
    elif doc.annexes:
        parts.append("đơn vị chủ trì, phối hợp, thời hạn, sản phẩm đọc từ bảng phụ lục")
    return ". ".join(parts) + "."


def _header(source: Path, info: dict[str, Any], unplaced: list[tuple[int, str]]) -> list[str]:
    def value(key: str) -> str:
        v = info[key]
        return v.value if isinstance(v, Noted) else v

    lines = [
        f"{value('title')} của {value('issuer')}, nhập bằng `cchc import` từ {source.name}.",
        "Nội dung chép nguyên văn từ bản gốc; những chỗ cchc tự chọn hoặc tự suy ra có chú thích kết thúc bằng "
        "“kiểm tra lại”: rà soát từng chỗ, sửa nếu cần, xóa chú thích, rồi chạy `cchc validate`.",
    ]
    if unplaced:
        lines.append(f"{len(unplaced)} đoạn của bản gốc chưa xếp được vào tệp này (xem danh sách khi chạy lệnh): "
                     + ", ".join(f"¶{n}" for n, _t in sorted(unplaced)) + ".")
    lines.append("This file was generated by `cchc import`; review every comment marked “kiểm tra lại”.")
    return lines


def write_new_plan(imported: Imported, target: str | Path) -> Path:
    """Write the imported plan to `target`, which must not exist yet (atomic; never overwrites)."""
    from .writer import atomic_create

    target = Path(target)
    try:
        atomic_create(target, imported.text.encode("utf-8"))
    except FileExistsError:
        raise Refused(_("{path} đã có; không ghi đè. Xóa tệp đó hoặc chọn tệp khác bằng --output").format(
            path=target)) from None
    except OSError as e:
        raise Refused(_("{path}: không ghi được tệp ({reason})").format(path=target, reason=e.strerror or e)) from None
    return target
