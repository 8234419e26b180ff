"""Measurable targets written into a plan's sentences: "(87%)", "đạt tỷ lệ 100%", "Top 10", "nhóm 2".

Each one found becomes a target with the sentence it came from, so a person can check the
reading: the name is the phrase before the figure, the id a slug of it. Ranges ("35-40%") and
figures that are not targets (years, numbers of documents) are left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .text import fold

_PERCENT_IN_BRACKETS = re.compile(r"\((?P<value>\d{1,3}(?:[.,]\d+)?)\s*%\)")
_PERCENT_REACHED = re.compile(
    r"(?P<lead>\b(?:đạt|đảm bảo|bảo đảm|tối thiểu|ít nhất|trên)\s+(?:tỷ lệ\s+|mức\s+)?)(?<![\d-])"
    r"(?P<value>\d{1,3}(?:[.,]\d+)?)\s*%")
_RANK = re.compile(r"\bTop\s+(?P<value>\d{1,3})\b", re.I)
_GROUP = re.compile(r"\bnhóm\s+(?P<value>\d)\b", re.I)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZĐÀ-Ỹ(])")
_CLAUSE_SEP = re.compile(r"[;:]|\)\s|,\s|\svà\s")
_ACRONYM = re.compile(r"^[A-Z][A-Z0-9 &-]*[A-Z0-9]$")
_LEADING = re.compile(r"^(?:các|việc|và|là|của|về|thì|phấn đấu|đạt|duy trì)\s+", re.I)
_TRAILING = re.compile(r"\s+(?:xếp hạng|xếp|đạt|trong|thuộc|vào|ở|là|nằm trong|duy trì)$", re.I)


@dataclass
class FoundTarget:
    name: str
    kind: str  # percent | rank | group
    value: float
    sentence: str


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def _phrase_before(text: str) -> str:
    """The noun phrase just before a figure: back to the previous clause break, at most 12 words."""
    text = text.rstrip(" (,;")
    coarse = re.split(r"[;:]|\)\s", text)[-1].strip()
    if re.fullmatch(r"[A-Z0-9 &-]+(?:,\s*[A-Z0-9 &-]+)+", coarse):
        return coarse  # "PCI, POBI": several indices share the figure
    cut = 0
    for m in _CLAUSE_SEP.finditer(text):
        if m.end() < len(text):
            cut = m.end()
    phrase = text[cut:].strip(" ,;:(")
    while (stripped := _TRAILING.sub("", _LEADING.sub("", phrase))) != phrase:
        phrase = stripped
    return " ".join(phrase.split(" ")[-12:])


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _named(phrase: str, kind: str) -> list[str]:
    """Names for a phrase: "PCI, POBI" is two indices; "tỷ lệ …" keeps its words."""
    parts = [p.strip() for p in re.split(r",\s*|\s+và\s+", phrase) if p.strip()]
    if len(parts) > 1 and all(_ACRONYM.match(p) for p in parts):
        return [f"Chỉ số {p}" for p in parts]
    if _ACRONYM.match(phrase):
        return [f"Chỉ số {phrase}"]
    if kind == "percent" and not fold(phrase).startswith("ty le"):
        return [f"Tỷ lệ {phrase[:1].lower()}{phrase[1:]}" if phrase[:2] != phrase[:2].upper() else f"Tỷ lệ {phrase}"]
    return [_capitalised(phrase)]


def find_targets(text: str) -> list[FoundTarget]:
    """The targets stated in one paragraph, in the order they are written."""
    found: list[FoundTarget] = []
    for sentence in sentences(text):
        hits: list[tuple[int, str, float, str]] = []
        for kind, pattern in (("percent", _PERCENT_IN_BRACKETS), ("percent", _PERCENT_REACHED),
                              ("rank", _RANK), ("group", _GROUP)):
            for m in pattern.finditer(sentence):
                before = sentence[:m.start()]
                if kind in ("rank", "group"):
                    # "PAPI (Top 10 …)": the name is before the bracket the figure sits in
                    bracket = before.rfind("(")
                    if bracket > before.rfind(")"):
                        before = before[:bracket]
                elif pattern is _PERCENT_REACHED:
                    before = sentence[:m.start("value")].removesuffix(m["lead"])
                hits.append((m.start(), kind, float(m["value"].replace(",", ".")), _phrase_before(before)))
        for _pos, kind, value, phrase in sorted(hits):
            if len(phrase) < 2:
                continue
            for name in _named(phrase, kind):
                found.append(FoundTarget(name=name, kind=kind, value=value, sentence=sentence))
    return found


def slug(name: str, taken: set[str]) -> str:
    """A short id from a target's name ("Chỉ số PAR INDEX" → "par-index"), unique among `taken`."""
    words = [w for w in re.split(r"[^a-z0-9]+", fold(name)) if w]
    for prefix in (["ty", "le"], ["chi", "so"]):
        if words[:2] == prefix and len(words) > 2:
            words = words[2:]
    words = [w for w in words if w not in ("cua", "cac", "va", "doi", "voi", "duoc")][:4] or ["chi-tieu"]
    base = "-".join(words)
    candidate, i = base, 2
    while candidate in taken:
        candidate, i = f"{base}-{i}", i + 1
    taken.add(candidate)
    return candidate
