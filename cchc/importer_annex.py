"""The annex table of tasks, deadlines in words, owners' names and the unit keys made from them.

An annex ("Phụ lục các nhiệm vụ cụ thể") is a table with columns STT, nội dung, đơn vị chủ trì,
phối hợp, thời hạn, sản phẩm; its header may take two rows ("Đơn vị thực hiện" over "Chủ trì",
"Phối hợp") and rows spanning the table name an area. Where a plan gives no owner or deadline,
`guess_deadline` proposes one from the task's wording, always to be confirmed.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from .importer_header import vn_date
from .importer_source import Table
from .text import fold, roman_to_int

_HEADERS = {
    "stt": ("stt", "tt", "so tt", "so thu tu"),
    "content": ("noi dung", "nhiem vu", "ten nhiem vu", "cong viec", "noi dung nhiem vu", "noi dung cong viec"),
    "lead": ("chu tri", "don vi chu tri", "co quan chu tri"),
    "support": ("phoi hop", "don vi phoi hop", "co quan phoi hop"),
    "deadline": ("thoi han", "thoi gian", "thoi gian hoan thanh", "thoi han hoan thanh", "tien do"),
    "output": ("san pham", "ket qua", "san pham dau ra", "hinh thuc san pham"),
}
_ROMAN = re.compile(r"^[IVXLC]+\.?$")
# The words a unit's name starts with ("Phòng Nội vụ", "Tổ Văn phòng", "UBND các xã").
ORG_WORDS = (r"(?:Văn phòng|Phòng|Thanh tra|Trung tâm|Chi cục|Ban|UBND|HĐND|Ủy ban nhân dân|Ủy ban|Công an|Sở|Đội|"
             r"Hội|Đài|Bảo hiểm|Kho bạc|Chi nhánh|Cục|Viện|Trường|Bệnh viện|Bộ phận|Tổ)")
_ORG_START = re.compile(rf"^{ORG_WORDS}\b")
_EVERYONE = re.compile(r"^(?:cac|tat ca(?: cac)?) (?:phong|co quan|don vi|ban|bo phan)\b")
_QUARTER = re.compile(r"\bquy\s+(i{1,3}|iv|[1-4])\b")
_MONTH = re.compile(r"\bthang\s+(\d{1,2})(?:\s*/\s*(\d{4}))?")
_RECURRING = (("hang thang", "monthly"), ("hang quy", "quarterly"), ("6 thang", "half-yearly"),
              ("sau thang", "half-yearly"), ("thuong xuyen", "year-round"), ("ca nam", "year-round"),
              ("trong nam", "year-round"), ("dinh ky", "quarterly"))


@dataclass
class AnnexRow:
    n: int
    stt: str
    content: str
    lead: str = ""
    support: str = ""
    deadline: str = ""
    output: str = ""


@dataclass
class AnnexArea:
    n: int
    number: int | None
    title: str


def _column_of(text: str) -> str | None:
    folded = fold(text).strip(" .:")
    for column, names in _HEADERS.items():
        if folded in names:
            return column
    for column, names in _HEADERS.items():
        if any(name in folded for name in names if len(name) >= 6):
            return column
    return None


def annex_columns(table: Table) -> tuple[dict[str, int], int] | None:
    """The column of each field and the number of header rows, if `table` is a task annex."""
    header_rows = 0
    columns: dict[str, int] = {}
    for row in table.rows[:3]:
        found = {i: _column_of(text) for i, text in enumerate(row.cells)}
        distinct = {text.strip() for text in row.cells if text.strip()}
        named = {row.cells[i].strip() for i, column in found.items() if column}
        if not named or len(named) * 2 < len(distinct):
            break  # a row of data, not of column names
        header_rows += 1
        for i, column in found.items():
            if column:
                columns.setdefault(column, i)
    if "content" in columns and ("lead" in columns or "deadline" in columns):
        return columns, header_rows
    return None


def annex_rows(table: Table) -> list[AnnexRow | AnnexArea]:
    """The annex's rows: areas (rows across the table, or numbered headings) and tasks."""
    found = annex_columns(table)
    if found is None:
        return []
    columns, header_rows = found
    out: list[AnnexRow | AnnexArea] = []
    for row in table.rows[header_rows:]:
        cell = {name: (row.cells[i].strip() if i < len(row.cells) else "") for name, i in columns.items()}
        texts = [c.strip() for c in row.cells if c.strip()]
        if not texts:
            continue
        stt, content = cell.get("stt", ""), cell.get("content", "")
        spans = len(set(texts)) == 1 and len(row.cells) > 1
        if spans or (_ROMAN.match(stt) or re.fullmatch(r"\d{1,2}\.?", stt)) and not (cell.get("lead") or
                                                                                     cell.get("deadline")):
            out.append(_area_row(row.n, stt, content or texts[0]))
            continue
        out.append(AnnexRow(n=row.n, stt=stt, content=" ".join(content.split()),
                            lead=cell.get("lead", ""), support=cell.get("support", ""),
                            deadline=" ".join(cell.get("deadline", "").split()),
                            output=" ".join(cell.get("output", "").split())))
    return out


def _area_row(n: int, stt: str, text: str) -> AnnexArea:
    text = " ".join(text.split())
    m = re.match(r"^(?P<num>[IVXLC]+|\d{1,2})[.)]\s*(?P<title>.*)$", text)
    if m:
        stt, text = m["num"], m["title"]
    stt = stt.rstrip(".")
    number = None
    if stt.isdigit():
        number = int(stt)
    elif stt and _ROMAN.match(stt):
        number = roman_to_int(stt)
    return AnnexArea(n=n, number=number, title=text)


def split_owners(text: str) -> list[str]:
    """Unit names in a cell: one per line or ";", or after a comma when a new name starts there."""
    names: list[str] = []
    for part in re.split(r"[;\n]+", text):
        part = part.strip().lstrip("-–+• ").strip().rstrip(".,")
        if not part:
            continue
        pieces = re.split(r",\s*", part)
        current = pieces[0]
        for piece in pieces[1:]:
            if _ORG_START.match(piece):
                names.append(current.strip())
                current = piece
            else:
                current = f"{current}, {piece}"
        names.append(current.strip())
    return [n for n in names if n]


def is_everyone(name: str) -> bool:
    """ "Các phòng, đơn vị", "các cơ quan, đơn vị": every unit (ALL)."""
    return bool(_EVERYONE.match(fold(name)))


def unit_key(name: str, taken: set[str]) -> str:
    """A short key for a unit ("Phòng Nội vụ" → "NV", "Văn phòng Sở" → "VP"), unique among `taken`."""
    words = [w for w in re.split(r"[^A-Za-z0-9&]+", fold(name).upper()) if w]
    prefix = ""
    for head, short in ((["VAN", "PHONG"], "VP"), (["THANH", "TRA"], "TTRA"), (["TRUNG", "TAM"], "TT"),
                        (["CHI", "CUC"], "CC"), (["UY", "BAN", "NHAN", "DAN"], "UBND"), (["UBND"], "UBND"),
                        (["PHONG"], ""), (["BAN"], "B")):
        if words[:len(head)] == head:
            prefix, words = short, words[len(head):]
            break
    rest = [w for w in words if w not in ("VA", "CAC", "CUA", "SO", "HUYEN", "TINH", "THUOC", "&")]
    base = (prefix + "".join(w[0] for w in rest))[:8] or "DV"
    candidate, i = base, 2
    while candidate in taken:
        candidate, i = f"{base}{i}", i + 1
    taken.add(candidate)
    return candidate


def _end_of_month(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def read_deadline(text: str, year: int) -> str | dt.date | None:
    """A deadline written in words: "Quý I/2024" → 2024-03-31, "Thường xuyên" → year-round, a date."""
    folded = fold(text)
    if not folded:
        return None
    day = vn_date(text)
    if day:
        return day
    if m := _QUARTER.search(folded):
        q = {"i": 1, "ii": 2, "iii": 3, "iv": 4}.get(m[1], None) or int(m[1])
        return _end_of_month(year, q * 3)
    if m := _MONTH.search(folded):
        month = int(m[1])
        if 1 <= month <= 12:
            return _end_of_month(int(m[2]) if m[2] else year, month)
    for words, recurrence in _RECURRING:
        if words in folded:
            return recurrence
    if re.search(rf"\bnam {year}\b", folded) or folded in ("nam", "cuoi nam"):
        return dt.date(year, 12, 31)
    return None


def guess_deadline(title: str, year: int) -> tuple[str | dt.date, str]:
    """A deadline for a task that has none, from its wording, and why (for the comment)."""
    folded = fold(title)
    for words, recurrence, why in (("hang thang", "monthly", "“hằng tháng”"), ("hang quy", "quarterly", "“hằng quý”"),
                                   ("dinh ky", "quarterly", "“định kỳ”"), ("tiep tuc", "year-round", "“tiếp tục”"),
                                   ("thuong xuyen", "year-round", "“thường xuyên”")):
        if folded.startswith(words) or f" {words} " in f" {folded} ":
            return recurrence, f"{why} → {recurrence}"
    stated = read_deadline(title, year) if re.search(r"\b(?:truoc|trong|den het)\b", folded) else None
    if isinstance(stated, dt.date) and stated.year == year:
        return stated, "thời hạn nêu trong nội dung"
    return dt.date(year, 12, 31), "cuối năm kế hoạch"
