#!/usr/bin/env python3
"""Refresh the English message catalogue: extract, merge, compile, and list what needs translating.

Every user-facing message in cchc is Vietnamese wrapped in `_()`. This script extracts them from
cchc/*.py with Babel (see babel.cfg), merges them into cchc/locale/en/LC_MESSAGES/cchc.po (new
messages get an empty translation, messages no longer in the code are dropped, existing
translations are kept), and compiles cchc.mo next to it. It then lists every message whose
English translation is missing, so the .po can be completed by hand and the script run again.

    python scripts/update_catalogue.py           # update .po and .mo; exit 1 if any msgstr is empty
    python scripts/update_catalogue.py --check   # change nothing; exit 1 if the .po or .mo is stale

tests/test_i18n.py fails on the same conditions, so CI catches a message added without a translation.
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "cchc" / "locale" / "en" / "LC_MESSAGES" / "cchc.po"
MO = PO.with_suffix(".mo")
KEYWORDS = {"_": None, "N_": None}
HEADER = """\
# English messages of cchc. The msgids are the Vietnamese source messages (cchc/*.py);
# maintained by scripts/update_catalogue.py, translations written by hand."""  # N_() marks a message translated later, as gettext_noop does


def extract():
    """A catalogue template with every `_()` message of the package, in source order."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    with open(ROOT / "babel.cfg", encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f)
    template = Catalog(project="cchc", msgid_bugs_address="", charset="utf-8", fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
            ROOT, method_map, options_map, keywords=KEYWORDS, comment_tags=("TRANSLATORS:",)):
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    for filename, lineno, message in command_descriptions():
        template.add(message, None, [(filename, lineno)])
    return template


def command_descriptions():
    """Each command's description, which Typer takes from its function's docstring where `_()` cannot mark it."""
    import inspect

    from typer.main import get_command

    sys.path.insert(0, str(ROOT))
    from cchc.cli import app
    from cchc.cli_edit import KPI_RECORD

    def walk(command):
        for sub in getattr(command, "commands", {}).values():
            yield from walk(sub)
        callback = getattr(command, "callback", None)
        if command.help and callback is not None and callback.__module__.startswith("cchc."):
            source = Path(inspect.getsourcefile(callback)).relative_to(ROOT).as_posix()
            yield source, inspect.getsourcelines(callback)[1], command.help

    yield from walk(get_command(app))
    yield from walk(get_command(KPI_RECORD))


def merged(template):
    """The current .po updated with the template's messages (and nothing else)."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po

    if PO.exists():
        with open(PO, "rb") as f:
            catalog = read_po(f, locale="en", domain="cchc")
    else:
        catalog = Catalog(locale="en", domain="cchc", project="cchc", version="", charset="utf-8", fuzzy=False,
                          header_comment=HEADER, last_translator="cchc", language_team="cchc")
    # No fuzzy matching: a guessed translation of a similar Vietnamese sentence is worse than
    # none, because an empty msgstr falls back to the Vietnamese and the test reports it. The
    # dates stay as they are so that re-running the script changes the files only when a
    # message changes.
    catalog.update(template, no_fuzzy_matching=True, update_header_comment=False, update_creation_date=False)
    catalog.obsolete.clear()
    catalog.fuzzy = False
    catalog.project, catalog.version, catalog.msgid_bugs_address = "cchc", "1", "-"
    catalog.revision_date = catalog.creation_date
    return catalog


def po_bytes(catalog) -> bytes:
    from babel.messages.pofile import write_po

    buf = io.BytesIO()
    write_po(buf, catalog, width=100, omit_header=False, include_lineno=False, sort_output=False,
             ignore_obsolete=True)
    return buf.getvalue()


def mo_bytes(catalog) -> bytes:
    from babel.messages.mofile import write_mo

    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    return buf.getvalue()


def untranslated(catalog) -> list[str]:
    return [m.id for m in catalog if m.id and (not m.string or m.fuzzy)]


def _shown(path: Path) -> str:
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing; fail if the catalogue is stale")
    args = parser.parse_args(argv)
    catalog = merged(extract())
    po, mo = po_bytes(catalog), mo_bytes(catalog)
    missing = untranslated(catalog)
    if args.check:
        stale = [_shown(p) for p, data in ((PO, po), (MO, mo))
                 if not p.exists() or p.read_bytes() != data]
        for name in stale:
            print(f"{name} is out of date: run python scripts/update_catalogue.py", file=sys.stderr)
    else:
        stale = []
        PO.parent.mkdir(parents=True, exist_ok=True)
        PO.write_bytes(po)
        MO.write_bytes(mo)
        print(f"{_shown(PO)}: {len(catalog)} messages, {len(missing)} without an English translation")
    for msgid in missing:
        print(f"untranslated: {msgid!r}", file=sys.stderr)
    return 1 if missing or stale else 0


if __name__ == "__main__":
    sys.exit(main())
