"""The parts of a plan around its body: letterhead, title, "Căn cứ" clauses, signer, names.

Pure functions on cleaned text (see importer_text). Each returns what it read verbatim; where it
has to change the text (a name printed in capitals), the caller marks the field as a guess.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .text import fold

DOC_TYPES = ("Nghị quyết", "Nghị định", "Quyết định", "Thông tư liên tịch", "Thông tư", "Chỉ thị", "Kế hoạch",
             "Kết luận", "Quy định", "Quy chế", "Hướng dẫn", "Công văn", "Văn bản", "Chương trình", "Đề án",
             "Luật", "Pháp lệnh", "Thông báo")
_TYPE = "|".join(re.escape(t) for t in DOC_TYPES)
_BASIS = re.compile(
    rf"^(?:Căn cứ\s+)?(?P<type>{_TYPE})\s+(?P<mid>.*?)\s*ngày\s+(?P<date>\d{{1,2}}\s*/\s*\d{{1,2}}\s*/\s*\d{{4}})"
    r"\s*(?P<rest>.*)$",
    re.S,
)
_NUMBER = re.compile(r"^(?:số\s+)?(?P<number>[\w.&-]*\d[\w.&-]*(?:/[\w.&-]+)+|số\s+\S+)\s*(?P<name>.*)$")
_TITLE_START = re.compile(r"\s(?=(?:ban hành|về|quy định|phê duyệt|hướng dẫn|sửa đổi|triển khai|thực hiện|"
                          r"tổ chức|tăng cường|đẩy mạnh)\b)")
# "Sở Khoa học và Công nghệ ban hành Kế hoạch … như sau:": who issues the plan, before the verb
PROMULGATION = re.compile(r"\s(?:ban hành|xây dựng|triển khai)\s+(?:Kế hoạch|kế hoạch)\b")
_DATE_LINE = re.compile(r"^(?P<place>[^,]{2,60}),\s*ngày\s*(?P<d>\d{1,2})?\s*tháng\s*(?P<m>\d{1,2})?\s*năm\s*(?P<y>\d{4})")
_NUMBER_LINE = re.compile(r"^Số\s*:\s*(?P<number>\S*)")
_AUTHORITY = re.compile(r"^(?:KT|TM|TL|TUQ|Q|PP)\.\s", re.I)
_ADMIN_WORDS = ("THÀNH PHỐ", "THỊ XÃ", "THỊ TRẤN", "TỈNH", "HUYỆN", "QUẬN", "XÃ", "PHƯỜNG")
_ACRONYMS = {"UBND", "HĐND", "KH&CN", "KHCN", "CCHC", "TTHC", "MTTQ", "VH-TT", "TN&MT", "GD&ĐT", "LĐ-TB&XH"}
_TITLES = {"giam doc": "Giám đốc", "pho giam doc": "Phó Giám đốc", "chu tich": "Chủ tịch",
           "pho chu tich": "Phó Chủ tịch", "chanh van phong": "Chánh Văn phòng", "truong ban": "Trưởng ban",
           "pho truong ban": "Phó Trưởng ban", "cuc truong": "Cục trưởng", "pho cuc truong": "Phó Cục trưởng",
           "chi cuc truong": "Chi cục trưởng", "truong phong": "Trưởng phòng", "thu truong": "Thủ trưởng"}


@dataclass
class Basis:
    type: str
    number: str
    date: dt.date | None
    issuer: str
    title: str


def vn_date(text: str) -> dt.date | None:
    """A date written dd/mm/yyyy, or None if there is none or it does not exist."""
    m = re.search(r"(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4})", text)
    if not m:
        return None
    try:
        return dt.date(int(m[3]), int(m[2]), int(m[1]))
    except ValueError:
        return None


def basis_clauses(text: str) -> list[str]:
    """The clauses of a "Căn cứ …" passage: one per cited document, separated by ";"."""
    clauses = []
    for part in re.split(r";\s*", text):
        part = part.strip().rstrip(",.;").strip()
        if part:
            clauses.append(part)
    return clauses


def parse_basis(clause: str) -> Basis | None:
    """"Căn cứ Quyết định số 4655/QĐ-UBND ngày 08/12/2021 của Chủ tịch UBND tỉnh ban hành …" split up."""
    m = _BASIS.match(clause)
    if not m:
        return None
    number, name = "", m["mid"].strip()
    if n := _NUMBER.match(name):
        number, name = n["number"].removeprefix("số").strip(), n["name"].strip()
    rest = m["rest"].strip()
    issuer, title = "", rest
    if rest.startswith("của "):
        split = _TITLE_START.search(rest)
        if split:
            issuer, title = rest[4:split.start()].strip(), rest[split.end():].strip()
        else:
            issuer, title = rest[4:].strip(), ""
    title = " ".join(p for p in (name, title) if p)
    return Basis(type=m["type"], number=number, date=vn_date(m["date"]), issuer=issuer, title=title)


@dataclass
class Letterhead:
    bodies: list[str]  # organisation lines, in capitals, parent first
    number: str = ""
    place: str = ""
    date: dt.date | None = None


def parse_letterhead(lines: list[str]) -> Letterhead:
    """The lines above the title: organisation names, "Số: …", "Nơi, ngày … tháng … năm …"."""
    head = Letterhead(bodies=[])
    for line in lines:
        folded = fold(line)
        if folded.startswith(("cong hoa xa hoi", "doc lap")) or folded == "viet nam" or not any(
                c.isalnum() for c in line):
            continue
        if m := _NUMBER_LINE.match(line):
            head.number = m["number"].rstrip(".,")
        elif m := _DATE_LINE.match(line):
            head.place = m["place"].strip()
            try:  # a draft leaves the day blank: "ngày    tháng 01 năm 2024"
                head.date = dt.date(int(m["y"]), int(m["m"]), int(m["d"])) if m["d"] and m["m"] else None
            except ValueError:
                head.date = None
        elif is_upper(line):
            if head.bodies and fold(head.bodies[-1]) in ("uy ban nhan dan", "hoi dong nhan dan"):
                head.bodies[-1] = f"{head.bodies[-1]} {line}"  # "ỦY BAN NHÂN DÂN" / "HUYỆN CHÂU ĐỨC"
            else:
                head.bodies.append(line)
    return head


def is_upper(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def name_from_capitals(name: str) -> str:
    """ "UBND TỈNH BÀ RỊA - VŨNG TÀU" → "UBND tỉnh Bà Rịa - Vũng Tàu"; "SỞ KHOA HỌC VÀ CÔNG NGHỆ" →
    "Sở Khoa học và Công nghệ". A best effort (Vietnamese capitalisation follows meaning): marked as a guess."""
    name = re.sub(r"^(ỦY|UỶ) BAN NHÂN DÂN\b", "UBND", name.strip())
    for word in _ADMIN_WORDS:
        m = re.search(rf"(?<!\w){word}\s+", name)
        if m:
            head, place = name[:m.start()].strip(), name[m.end():]
            proper = " ".join(w[:1] + w[1:].lower() for w in place.split(" "))
            head = _sentence_case(head) if head else ""
            return " ".join(p for p in (head, word.lower(), proper) if p)
    return _sentence_case(name)


def _sentence_case(text: str) -> str:
    words = text.split(" ")
    out = []
    capital_next = True
    for w in words:
        if w in _ACRONYMS or (len(w) <= 5 and w.isupper() and not any(c in "AEIOUYĂÂÊÔƠƯ" for c in fold(w).upper())):
            out.append(w)
        elif capital_next:
            out.append(w[:1] + w[1:].lower())
        else:
            out.append(w.lower())
        capital_next = w.upper() in ("VÀ", "-", "SỞ", "PHÒNG", "BAN", "CỤC", "TÂM")
    return " ".join(out)


def title_from_capitals(title: str) -> str:
    """ "PHÓ GIÁM ĐỐC" → "Phó Giám đốc" (the usual spelling of the usual titles)."""
    return _TITLES.get(fold(title), title[:1] + title[1:].lower())


@dataclass
class SignatureBlock:
    authority: str | list[str] = ""  # several lines ("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH") stay a list
    title: str = ""
    name: str = ""


def parse_signature(lines: list[str]) -> SignatureBlock:
    """ "KT. GIÁM ĐỐC" / "PHÓ GIÁM ĐỐC" / (signature) / "Nguyễn Văn A"."""
    block = SignatureBlock()
    authority, titles = [], []
    for line in lines:
        line = line.strip()
        if not line or line.startswith("(") or fold(line).startswith("da ky"):
            continue
        if _AUTHORITY.match(line):
            authority.append(line)
        elif is_upper(line):
            titles.append(line)
        else:
            block.name = line
    block.authority = authority if len(authority) > 1 else "".join(authority)
    block.title = titles[-1] if titles else ""
    return block


def proper_name_after(text: str, word: str) -> list[str]:
    """Every proper name written after `word` ("tỉnh Bà Rịa - Vũng Tàu năm 2023" → "Bà Rịa - Vũng Tàu")."""
    names = []
    for m in re.finditer(rf"(?<!\w){word} ", text):
        taken: list[str] = []
        for token in text[m.end():].split(" "):
            bare = token.rstrip(",.;:)")
            if token == "-" and taken:
                taken.append(token)
            elif bare and bare[0].isupper() and bare.replace("-", "").isalpha():
                taken.append(bare)
                if bare != token:
                    break
            else:
                break
        while taken and taken[-1] == "-":
            taken.pop()
        if taken:
            names.append(" ".join(taken))
    return names


def province_of(texts: list[str]) -> str:
    """The province a plan is about: the "tỉnh X" (X capitalised) it names most often."""
    counts: dict[str, int] = {}
    for text in texts:
        for name in proper_name_after(text, "tỉnh"):
            counts[name] = counts.get(name, 0) + 1
    return max(counts, key=lambda k: (counts[k], len(k))) if counts else ""


def acronym(name: str) -> str:
    """ "Sở Khoa học và Công nghệ" → "SKHCN" (the usual short form in document numbers)."""
    words = [w for w in re.split(r"[\s\-–]+", name) if w and w.lower() not in ("và", "các", "của")]
    out = []
    for w in words:
        out.append(w if w.isupper() and len(w) > 1 else w[:1].upper())
    return "".join(out)
