"""Message translation. Vietnamese is the source language of every user-facing string.

`_()` marks a message for extraction (Babel) and translates it when another language is chosen
with `--lang` or `CCHC_LANG`. The catalogue is loaded lazily, so start-up pays nothing for it.
"""

from __future__ import annotations

import contextlib
import gettext
import os
from pathlib import Path
from typing import Iterator

LOCALE_DIR = Path(__file__).with_name("locale")
DOMAIN = "cchc"
_translation: gettext.NullTranslations | None = None
_lang: str | None = None


def set_language(lang: str | None) -> None:
    """Choose the language of messages: 'vi' (default) or a language with a compiled catalogue."""
    global _translation, _lang
    _lang = lang
    _translation = None


@contextlib.contextmanager
def in_language(lang: str) -> Iterator[None]:
    """Messages in `lang` inside the block, e.g. text written into the plan, which stays Vietnamese."""
    global _translation, _lang
    saved = _lang, _translation
    set_language(lang)
    try:
        yield
    finally:
        _lang, _translation = saved


def current_language() -> str:
    return (_lang or os.environ.get("CCHC_LANG") or "vi").split(".")[0].split("_")[0].lower()


def _catalogue() -> gettext.NullTranslations:
    global _translation
    if _translation is None:
        lang = current_language()
        if lang == "vi":
            _translation = gettext.NullTranslations()
        else:
            _translation = gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True)
    return _translation


def _(message: str) -> str:
    return _catalogue().gettext(message)


_by_language: dict[str, gettext.NullTranslations] = {}


def translate(message: str, lang: str | None = None) -> str:
    """`message` in `lang`, chosen by the caller (None: the language of --lang); "vi" is the message itself.

    For text whose language is fixed whatever --lang says — a report, an export, a new plan file —
    without switching the whole program's language.
    """
    if lang is None:
        return _(message)
    if lang == "vi":
        return message
    if lang not in _by_language:
        _by_language[lang] = gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True)
    return _by_language[lang].gettext(message)


def N_(message: str) -> str:
    """Mark a message for extraction where it is defined; translate it later with `_()`."""
    return message
