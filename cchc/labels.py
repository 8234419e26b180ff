"""The words for cchc's fixed values, in the language the caller asks for.

Each label is a Vietnamese msgid; `lang=None` follows --lang (the terminal), `lang="vi"` keeps the
Vietnamese of a document handed to the office (a report, an export) whatever --lang says.
"""

from __future__ import annotations

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
