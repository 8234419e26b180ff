"""Reading a plan as issued: a Word document (.docx) or text extracted from a PDF (.txt).

Both become the same list of blocks in document order: paragraphs and tables (rows of cell
texts), each numbered so a passage can be pointed at (`¶N`: the line of a .txt, the paragraph of
a .docx counting the paragraphs inside tables). The input is untrusted: its size is checked
before it is read, and a .docx's zip directory before python-docx inflates anything.
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from .diagnostics import NotFound, Refused, UsageError
from .i18n import _
from .importer_text import MARKER, Para, clean, is_capitals, join_lines
from .text import format_number

# A CCHC plan is 10–50 pages: about 20 KB of text, a few hundred KB as .docx (more with a scanned
# seal). The limits leave a wide margin and keep memory within a few hundred MB.
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_TEXT_BYTES = 5 * 1024 * 1024
MAX_DOCX_UNPACKED = 100 * 1024 * 1024
MAX_DOCX_XML = 25 * 1024 * 1024  # word/document.xml, which python-docx parses into a tree
MAX_DOCX_PARTS = 2000
MAX_BLOCKS = 20_000  # paragraphs and tables; the seed has about a hundred


class ImportRefused(Refused):
    """A document cchc will not read or that is not a plan: one line, exit 1, nothing written."""


@dataclass
class Row:
    n: int
    cells: list[str]


@dataclass
class Table:
    n: int
    rows: list[Row] = field(default_factory=list)


Block = Para | Table


def read_blocks(path: Path) -> list[Block]:
    """The document's paragraphs and tables in order; refuses what is too big or not a document."""
    suffix = path.suffix.lower()
    if suffix not in (".docx", ".txt"):
        hint = ""
        if suffix == ".pdf":
            hint = _("; chuyển PDF sang văn bản trước: pdftotext -enc UTF-8 {name}").format(name=path.name)
        elif suffix == ".doc":
            hint = _("; mở tệp bằng Word hoặc LibreOffice và lưu lại dạng .docx")
        raise UsageError(_("{path}: chỉ nhập được tệp .docx (Word) hoặc .txt (văn bản lấy từ PDF){hint}").format(
            path=path, hint=hint))
    try:
        size = os.stat(path).st_size
    except FileNotFoundError:
        raise NotFound(_("{path}: không tìm thấy tệp").format(path=path)) from None
    except OSError as e:
        raise NotFound(_("{path}: không đọc được tệp ({reason})").format(path=path, reason=e.strerror or e)) from None
    limit = MAX_FILE_BYTES if suffix == ".docx" else MAX_TEXT_BYTES
    if size > limit:
        raise ImportRefused(_("{path}: tệp quá lớn cho một kế hoạch ({size} MB, tối đa {limit} MB); không đọc").format(
            path=path, size=_mb(size), limit=_mb(limit)))
    blocks = _read_docx(path) if suffix == ".docx" else _read_text(path)
    if len(blocks) > MAX_BLOCKS:
        raise ImportRefused(_("{path}: văn bản quá dài cho một kế hoạch ({n} đoạn, tối đa {limit}); không đọc").format(
            path=path, n=len(blocks), limit=MAX_BLOCKS))
    return blocks


def _mb(size: int) -> str:
    return format_number(round(size / (1024 * 1024), 1))


def _read_text(path: Path) -> list[Block]:
    try:
        raw = path.read_bytes()[:MAX_TEXT_BYTES + 1]
    except OSError as e:
        raise NotFound(_("{path}: không đọc được tệp ({reason})").format(path=path, reason=e.strerror or e)) from None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    else:
        encoding = "utf-8-sig"
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError:
        raise ImportRefused(_("{path}: tệp không phải văn bản UTF-8; lưu lại với bảng mã UTF-8 (pdftotext -enc UTF-8)"
                              ).format(path=path)) from None
    if "\x00" in text:
        raise ImportRefused(_("{path}: tệp không phải văn bản").format(path=path))
    return list(join_lines(text.replace("\r\n", "\n").replace("\r", "\n").split("\n")))


def _check_zip(path: Path) -> None:
    """Refuse a .docx whose parts would inflate beyond the limits, before anything is inflated."""
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ImportRefused(_("{path}: không phải tệp Word .docx hợp lệ").format(path=path)) from None
    total = sum(i.file_size for i in infos)
    xml = sum(i.file_size for i in infos if i.filename == "word/document.xml")
    if len(infos) > MAX_DOCX_PARTS or total > MAX_DOCX_UNPACKED or xml > MAX_DOCX_XML:
        raise ImportRefused(_(
            "{path}: tệp .docx giải nén ra quá lớn ({size} MB, tối đa {limit} MB) hoặc quá nhiều phần; không đọc"
        ).format(path=path, size=_mb(total), limit=_mb(MAX_DOCX_UNPACKED)))


def _read_docx(path: Path) -> list[Block]:
    _check_zip(path)
    import docx
    from docx.table import Table as DocxTable

    from .importer_numbering import Numbering

    try:
        document = docx.Document(str(path))
        items = list(document.iter_inner_content())
        numbering = Numbering(document)
    except Exception:  # noqa: BLE001 - python-docx raises many kinds on a damaged file
        raise ImportRefused(_("{path}: không phải tệp Word .docx hợp lệ").format(path=path)) from None
    blocks: list[Block] = []
    n = 0
    for item in items:
        if isinstance(item, DocxTable):
            table = Table(n + 1)
            for row in item.rows:
                row_n = n + 1
                cells, seen = [], set()
                # One text per grid column: a merged cell is repeated in each column it spans (so
                # columns line up with the header), and its paragraphs are counted once.
                for cell in row.cells:
                    cells.append("\n".join(p.text for p in cell.paragraphs))
                    if id(cell._tc) not in seen:
                        seen.add(id(cell._tc))
                        n += max(1, len(cell.paragraphs))
                table.rows.append(Row(row_n, cells))
            blocks.append(table)
        else:
            n += 1
            label = numbering.label(item)
            text = f"{label} {item.text}" if label else item.text
            blocks.extend(Para(n, piece) for piece in split_soft_breaks(text))
    return blocks


def split_soft_breaks(text: str) -> list[str]:
    """A Word paragraph's lines (Shift+Enter): separate where a new item or a heading starts."""
    pieces: list[str] = []
    prev_capitals = False
    for line in text.split("\n"):
        line = clean(line)
        if not line:
            continue
        capitals = is_capitals(line)
        if not pieces or capitals or prev_capitals or MARKER.match(line):
            pieces.append(line)
        else:
            pieces[-1] = f"{pieces[-1]} {line}"
        prev_capitals = capitals
    return pieces
