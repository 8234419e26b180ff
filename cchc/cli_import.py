"""`cchc import`: a thin wrapper over `importer.import_document` and `importer.write_new_plan`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from . import output
from .cmdoptions import JsonOpt
from .diagnostics import Refused
from .i18n import _

PASSAGE_CHARS = 160  # of an unplaced passage shown in the summary; the file keeps nothing of it


def import_(
    document: Annotated[str, typer.Argument(
        metavar="DOCUMENT", help=_("Kế hoạch đã ban hành: tệp Word .docx hoặc văn bản .txt lấy từ PDF."))],
    out: Annotated[Optional[str], typer.Option(
        "--output", "-o", help=_("Tệp kế hoạch sẽ tạo (mặc định: plan_NĂM.yaml ở thư mục hiện tại); không ghi đè."),
        show_default=False)] = None,
    json_out: JsonOpt = False,
) -> None:
    """Tạo tệp kế hoạch từ văn bản kế hoạch đã ban hành (.docx, hoặc .txt lấy từ PDF)."""
    from .importer import import_document, write_new_plan

    source = Path(document)
    target = Path(out) if out else None
    if target is not None and target.exists():
        raise Refused(_("{path} đã có; không ghi đè. Xóa tệp đó hoặc chọn tệp khác bằng --output").format(
            path=target))
    imported = import_document(source)
    target = write_new_plan(imported, target or Path(imported.default_name()))
    if json_out:
        output.print_json({"file": str(target), "source": str(source), "year": imported.year,
                           "areas": imported.areas, "tasks": imported.tasks, "targets": imported.targets,
                           "guesses": imported.guesses,
                           "unplaced": [{"paragraph": n, "text": text} for n, text in imported.unplaced]})
    output.message(_("Đã tạo {path} từ {source}: {areas} lĩnh vực, {tasks} nhiệm vụ, {targets} chỉ tiêu, {guesses} chỗ "
                     "cần xác nhận (có chú thích “kiểm tra lại” trong tệp).").format(
        path=target, source=source.name, areas=imported.areas, tasks=imported.tasks, targets=imported.targets,
        guesses=imported.guesses))
    if imported.unplaced:
        output.message(_("{n} đoạn chưa xếp được vào kế hoạch (hãy xem và tự chép vào nếu cần):").format(
            n=len(imported.unplaced)))
        for n, text in imported.unplaced:
            shown = text if len(text) <= PASSAGE_CHARS else text[:PASSAGE_CHARS - 1].rstrip() + "…"
            output.message(f"{source}:¶{n}: {shown}")
    output.message(_("Rà soát các chỗ đánh dấu rồi chạy: cchc validate {path}").format(path=target))


def register(app: typer.Typer) -> None:
    app.command("import")(import_)
