"""The words for cchc's fixed values, in the language the caller asks for.

Each label is a Vietnamese msgid; `lang=None` follows --lang (the terminal), `lang="vi"` keeps the
Vietnamese of a document handed to the office (a report, an export) whatever --lang says.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from typing import Any

from .i18n import N_, translate
from .model import Recurrence

RECURRENCE = {
    Recurrence.monthly: N_("hằng tháng"),
    Recurrence.quarterly: N_("hằng quý"),
    Recurrence.half_yearly: N_("6 tháng một lần"),
    Recurrence.year_round: N_("thường xuyên"),
}


def recurrence_label(value: Recurrence, lang: str | None = None) -> str:
    """A recurring deadline in words: "hằng quý" (or "quarterly" under --lang en)."""
    return translate(RECURRENCE[value], lang)


def field_label(model: type, name: str) -> str:
    """A schema field's name for a reader, from its description ("Mức ưu tiên: …" → "Mức ưu tiên"), else its key.

    How a field added to the schema is named where no view knows it yet (`cchc show`, `cchc diff`).
    """
    info = model.model_fields.get(name)
    return re.split(r"[,;:(]", info.description)[0].strip() if info is not None and info.description else name


def other_fields(obj: Any, known: set[str] | frozenset[str]) -> list[str]:
    """The schema fields of `obj` that a view does not write itself, in the schema's order."""
    return [name for name in type(obj).model_fields if name not in known]


def value_text(value: Any) -> str:
    """Any field's value for a reader: a date dd/mm/yyyy, a list joined, an empty value "—"."""
    from .periods import format_date
    from .text import format_number

    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, dt.date):
        return format_date(value)
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, (list, tuple)):
        return ", ".join(value_text(v) for v in value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return format_number(value)
    return str(value)
