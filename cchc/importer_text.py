"""Plan text as paragraphs: whitespace cleaned, and PDF lines joined back into sentences.

Text extracted from a PDF has one line per printed line, page numbers between pages, words cut
at a hyphen and stray spaces. `join_lines` rebuilds the paragraphs from three signs a printed
paragraph leaves: a new paragraph starts with a marker (`I.`, `1.`, `a)`, `-`, `Căn cứ`), is a
heading in capitals, or follows a line that ended well short of the margin and starts with a
capital. Everything else continues the paragraph above.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .text import nfc

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")  # tab and line feed are spaces below
_SPACES = re.compile(r"[ \t\u00a0\u2002-\u200a\u202f\u3000]+")
_SPACE_BEFORE_PUNCT = re.compile(r" +(?=[,;.:!?)\]])")
_SPACE_AFTER_OPEN = re.compile(r"(?<=[(\[]) +")
_CUT_RANGE = re.compile(r"(?<=\d)- (?=\d)")  # "2021- 2025": a range cut by the PDF's spacing
_COLUMN_GAP = re.compile(r"\S( {8,}|\t+ *)\S")  # two columns side by side (Nơi nhận | signer)

MARKER = re.compile(
    r"^(?:(?P<roman>[IVXLC]+)\.|(?P<number>\d{1,2}(?:\.\d{1,2})*)\.|(?P<letter>[a-zđ])\)|(?P<dash>[-–—+•*])"
    r"|(?P<basis>Căn cứ)\b|(?P<recipients>Nơi nhận)\s*:)\s*"
)
# Letterhead lines that stand alone however long the lines around them are.
_STANDALONE = re.compile(r"^(?:Độc lập\s*-\s*Tự do|Số\s*:|[^,]{2,40},\s*ngày\s+(?:\d{1,2}\s+)?tháng\s+(?:\d{1,2}\s+)?năm\s+\d{4})")
_PAGE_NUMBER = re.compile(r"^(?:-\s*)?\d{1,3}(?:\s*-)?$|^Trang \d{1,3}(?:\s*/\s*\d{1,3})?$")
_ENDS_SENTENCE_OR_CLAUSE = re.compile(r"[.;:,!?)]$")


@dataclass
class Para:
    """One paragraph of the document and where it starts (a line or paragraph number)."""

    n: int
    text: str


def clean(text: str) -> str:
    """NFC, one space between words, none before punctuation or inside brackets."""
    text = _CONTROLS.sub(" ", nfc(text).translate(_INVISIBLE))
    text = _SPACES.sub(" ", text).strip()
    text = _SPACE_BEFORE_PUNCT.sub("", text)
    text = _SPACE_AFTER_OPEN.sub("", text)
    return _CUT_RANGE.sub("-", text)


def is_capitals(text: str) -> bool:
    """A heading or signature line written in capitals ("KẾ HOẠCH", "GIÁM ĐỐC")."""
    if any(c.islower() for c in text):  # stops at the first small letter: most lines are not capitals
        return False
    return sum(c.isalpha() for c in text) >= 2


def _opens_capital(text: str) -> bool:
    # "(Kèm theo Phụ lục …)" opens with a bracket; its first letter decides.
    first = next((c for c in text if c.isalpha() or c.isdigit()), "")
    return first.isupper()


def _columns(line: str) -> list[str]:
    # pdftotext -layout puts "Nơi nhận:" and the signer on one line, far apart.
    parts, start = [], 0
    for m in _COLUMN_GAP.finditer(line):
        parts.append(line[start:m.start(1)])
        start = m.end(1)
    parts.append(line[start:])
    return parts


def join_lines(raw_lines: list[str]) -> list[Para]:
    """Paragraphs of a text extracted from a PDF, each numbered by the line it starts on (1-based)."""
    lines: list[tuple[int, str]] = []
    for n, raw in enumerate(raw_lines, 1):
        for part in _columns(raw.replace("\f", " ")):
            text = clean(part)
            if text and not _PAGE_NUMBER.match(text):
                lines.append((n, text))
    widths = sorted(len(t) for _n, t in lines)
    # The width of a full line: near the longest, since tables and headings add many short lines.
    full = widths[(len(widths) * 19) // 20] if widths else 0
    paras: list[Para] = []
    prev = ""
    prev_capitals = True
    lines_in_para = 0
    for n, text in lines:
        capitals = is_capitals(text) or _STANDALONE.match(text) is not None
        short = len(prev) < 0.65 * full
        marker = MARKER.match(text)
        if (marker and marker["dash"] and not short and not _ENDS_SENTENCE_OR_CLAUSE.search(prev)
                and (lines_in_para > 1 or text[marker.end():marker.end() + 1].islower())):
            marker = None  # "kinh tế" / "- xã hội", "Bà Rịa" / "- Vũng Tàu": a hyphen the line break put first
        cut_word = re.search(r"\w-$", prev) is not None  # "1046/QĐ-" / "TTg": one word across two lines
        # "a)" alone on its line: Word's automatic numbering printed to PDF, the item's text follows
        bare = paras and (m := MARKER.match(paras[-1].text)) is not None and m.end() == len(paras[-1].text)
        starts = (not paras or marker is not None or capitals or prev_capitals
                  or (short and not cut_word and not bare and _opens_capital(text)))
        if starts:
            paras.append(Para(n, text))
            lines_in_para = 0
        else:
            joint = "" if cut_word else " "
            paras[-1].text = clean(paras[-1].text + joint + text)
        prev, prev_capitals = text, capitals
        lines_in_para += 1
    return paras
