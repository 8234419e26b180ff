"""Vietnamese text helpers: NFC normalisation, diacritic-free folding, legal lettering.

Pure functions with no dependencies, so every layer (schema, queries, CLI) can share them.
"""

from __future__ import annotations

import re
import unicodedata

# Vietnamese legal texts letter items a) b) c) d) đ) e) g) h) i) k) l) m) n) ...: `đ` follows `d`,
# and there is no f, j, w or z.
LETTERS: tuple[str, ...] = (
    "a", "b", "c", "d", "đ", "e", "g", "h", "i", "k", "l", "m", "n", "o", "p", "q", "r", "s", "t", "u",
    "v", "x", "y",
)
_LETTER_RANK = {letter: i for i, letter in enumerate(LETTERS)}

TASK_ID_RE = re.compile(r"^(?P<area>[1-9][0-9]*)\.(?P<letter>[^\W\d_]{1,2})$")
DUTY_ID_RE = re.compile(r"^(?P<section>[IVXLC]+)\.(?P<number>[1-9][0-9]*)$")


def nfc(text: str) -> str:
    """Return `text` in Unicode NFC, the one form cchc stores and compares."""
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Fold `text` for search: no diacritics, no case, any normal form ("Tuyên" -> "tuyen")."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


def letter_rank(letter: str) -> int | None:
    """Position of a Vietnamese legal letter (a=0, đ=4), or None if it is not one."""
    return _LETTER_RANK.get(nfc(letter).lower())


def task_sort_key(task_id: str) -> tuple:
    """Sort key that orders `3.d` < `3.đ` < `3.e` < `3.g` < `10.a`, duties (`III.1`) after tasks."""
    task_id = nfc(task_id)
    m = TASK_ID_RE.match(task_id)
    if m:
        rank = letter_rank(m["letter"])
        return (0, int(m["area"]), rank if rank is not None else 99, task_id)
    m = DUTY_ID_RE.match(task_id)
    if m:
        return (1, roman_to_int(m["section"]), int(m["number"]), task_id)
    return (2, 0, 0, task_id)


def roman_to_int(roman: str) -> int:
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
    total = 0
    for i, ch in enumerate(roman):
        v = values[ch]
        total += -v if i + 1 < len(roman) and values[roman[i + 1]] > v else v
    return total


def int_to_roman(number: int) -> str:
    out = []
    for value, numeral in ((100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"),
                           (5, "V"), (4, "IV"), (1, "I")):
        while number >= value:
            out.append(numeral)
            number -= value
    return "".join(out)


def format_number(value: float, decimals: int = 1, lang: str | None = None) -> str:
    """A number as `lang` writes it (default: the language chosen by --lang), no trailing zero decimal.

    Vietnamese: decimal comma, dot for thousands (87,5 / 1.234); English: 87.5 / 1,234. Text that
    stays Vietnamese whatever --lang says (the report, a new plan file) passes `lang="vi"`.
    """
    if lang is None:
        from .i18n import current_language

        lang = current_language()
    text = f"{int(value):,}" if value == int(value) else f"{value:,.{decimals}f}".rstrip("0").rstrip(".")
    if lang == "en":
        return text
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")
