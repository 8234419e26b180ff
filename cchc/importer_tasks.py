"""The tasks of an imported plan: ids from the document's lettering, owners and deadlines.

From the annex table when the plan has one (each row matched to its task by letter, else by its
text; a row with no task in the body becomes one), else chosen by cchc from the task's wording
and the unit the plan puts in charge of following it up, always under a "kiểm tra lại" comment.
Owner names become the unit registry (`Units`) with generated keys.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any

from .i18n import _
from .importer_annex import (ORG_WORDS, AnnexArea, AnnexRow, annex_rows, guess_deadline, is_everyone, read_deadline,
                             split_owners, unit_key)
from .importer_emit import Noted
from .importer_source import ImportRefused
from .importer_structure import AreaText, Outline, TaskText, letter_after
from .text import LETTERS, fold, letter_rank

MAX_TASKS = 3000  # a plan has tens of tasks; more is not a plan cchc should guess its way through
_ORG_BEFORE_LEAD = re.compile(
    rf"(?<!\w)(?P<unit>{ORG_WORDS}(?:\s[^,;.()]{{1,60}}?)?)\s+(?:chủ trì|có trách nhiệm chủ trì)")
_FUZZY_BUDGET = 5_000  # title comparisons when matching annex rows to tasks (bounded time)


class Units:
    """The unit registry built from the owners' names, in the order they are met."""

    def __init__(self) -> None:
        self.by_name: dict[str, str] = {}
        self.where: dict[str, str] = {}
        self._by_folded: dict[str, str] = {}
        self._keys: set[str] = set()

    def key(self, name: str, where: str) -> str:
        """The key of the unit `name` (the same for "Phòng Nội vụ" and "phòng nội vụ"), made on first use."""
        folded = fold(name)
        if folded not in self._by_folded:
            key = unit_key(name, self._keys)
            self.add(name, key, where)
        return self._by_folded[folded]

    def add(self, name: str, key: str, where: str) -> None:
        self.by_name[name] = key
        self.where[key] = where
        self._by_folded[fold(name)] = key
        self._keys.add(key)

    def data(self) -> dict[str, Any]:
        return {key: Noted(name, f"mã {key} do cchc đặt cho “{name}” ({self.where[key]})")
                for name, key in self.by_name.items()}


def check_size(source: Path, doc: Outline) -> None:
    """Refuse, before any work on them, more tasks than a plan has."""
    count = sum(len(a.tasks) for a in doc.areas) + len(doc.duties) + sum(len(t.rows) for t in doc.annexes)
    if count > MAX_TASKS:
        raise ImportRefused(_("{path}: có hơn {n} nhiệm vụ, không phải một kế hoạch cchc nhập được; không ghi tệp "
                              "nào").format(path=source, n=MAX_TASKS))


class TaskBuilder:
    """Areas, tasks and duties of `doc` as the schema's data, the units they name added to `units`."""

    def __init__(self, source: Path, doc: Outline, units: Units, year: int, unplaced: list[tuple[int, str]]) -> None:
        self.source = source
        self.doc = doc
        self.units = units
        self.year = year
        self.unplaced = unplaced
        self.default_lead = ""
        self._letters_for: tuple[tuple, list[str]] = ((), [])

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
            self.units.add(issuer or key, key, "cơ quan ban hành; bản gốc không nêu đơn vị nào")
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
                if key == "ALL":
                    notes.append(f"phụ lục ghi phối hợp “{n}”: ALL (mọi đơn vị)")
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
