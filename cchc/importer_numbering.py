"""Word's automatic numbering, shown as text: the "a)" or "1." that Word draws but does not store.

A paragraph numbered by Word (Home › Numbering, or a numbered style) holds only a reference to a
list definition; `Numbering.label(paragraph)` gives the label Word displays for it, counting the
paragraphs of the same list as Word does (a level's counter restarts below a higher level).
"""

from __future__ import annotations

from docx.oxml.ns import qn

from .text import int_to_roman

_LATIN = "abcdefghijklmnopqrstuvwxyz"


def _val(element, tag: str) -> str | None:
    child = element.find(qn(tag)) if element is not None else None
    return child.get(qn("w:val")) if child is not None else None


class Numbering:
    def __init__(self, document) -> None:
        self.levels: dict[tuple[str, int], tuple[str, str, int]] = {}  # (numId, ilvl) → (format, text, start)
        self.counters: dict[str, list[int]] = {}
        self.styles: dict[str, tuple] = {}  # styleId → (its numPr or None, the style it is based on)
        for style in document.styles.element.findall(qn("w:style")):
            style_ppr = style.find(qn("w:pPr"))
            self.styles[style.get(qn("w:styleId"))] = (
                style_ppr.find(qn("w:numPr")) if style_ppr is not None else None, _val(style, "w:basedOn"))
        try:
            numbering = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        abstract = {a.get(qn("w:abstractNumId")): a for a in numbering.findall(qn("w:abstractNum"))}
        for num in numbering.findall(qn("w:num")):
            definition = abstract.get(_val(num, "w:abstractNumId"))
            if definition is None:
                continue
            for lvl in definition.findall(qn("w:lvl")):
                start = _val(lvl, "w:start")
                self.levels[(num.get(qn("w:numId")), int(lvl.get(qn("w:ilvl"), "0")))] = (
                    _val(lvl, "w:numFmt") or "decimal", _val(lvl, "w:lvlText") or "", int(start or 1))

    def _num_pr(self, paragraph):
        p_pr = paragraph._p.pPr
        num_pr = p_pr.find(qn("w:numPr")) if p_pr is not None else None
        style_id = _val(p_pr, "w:pStyle") if p_pr is not None else None
        seen = set()
        while num_pr is None and style_id in self.styles and style_id not in seen:
            seen.add(style_id)  # a style's numbering, through its basedOn chain
            num_pr, style_id = self.styles[style_id]
        return num_pr

    def label(self, paragraph) -> str:
        """The label Word shows before `paragraph` ("a)", "2.", "-"), or "" if it is not numbered."""
        num_pr = self._num_pr(paragraph)
        if num_pr is None:
            return ""
        num_id, ilvl = _val(num_pr, "w:numId"), int(_val(num_pr, "w:ilvl") or 0)
        level = self.levels.get((num_id, ilvl))
        if level is None or num_id in (None, "0") or not 0 <= ilvl < 9:
            return ""
        fmt, text, _start = level
        counters = self.counters.setdefault(num_id, [0] * 9)
        counters[ilvl] += 1
        for deeper in range(ilvl + 1, 9):
            counters[deeper] = 0
        if fmt == "bullet":
            return "-"
        for i in range(ilvl + 1):
            lvl = self.levels.get((num_id, i))
            value = (lvl[2] if lvl else 1) + max(counters[i], 1) - 1
            text = text.replace(f"%{i + 1}", _format(lvl[0] if lvl else "decimal", value))
        return text


def _format(fmt: str, value: int) -> str:
    if fmt == "lowerLetter":
        return _LATIN[(value - 1) % 26] * ((value - 1) // 26 + 1)
    if fmt == "upperLetter":
        return _LATIN[(value - 1) % 26].upper() * ((value - 1) // 26 + 1)
    if fmt == "upperRoman":
        return int_to_roman(value)
    if fmt == "lowerRoman":
        return int_to_roman(value).lower()
    return str(value)
