"""`cchc import`: from a plan as issued (Word, or text from a PDF) to a plan file that validates.

`import_document(path)` reads the document (importer_source), cuts it into the parts of a plan
(importer_structure), turns the plan's own fields and targets into the schema's data here and
the tasks in importer_tasks, and renders the file (importer_emit). What the document says is copied verbatim; what cchc had to choose or convert
(owners and deadlines when there is no annex, unit keys, names printed in capitals, targets read
out of sentences) is marked with a comment ending in "kiểm tra lại" and counted, and every
paragraph that fits nowhere is listed with its number. `write_new_plan` writes the result.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .diagnostics import NotFound, PlanInvalid, Refused
from .i18n import _
from .importer_annex import annex_rows
from .importer_emit import Noted, render
from .importer_header import (PROMULGATION, acronym, basis_clauses, is_upper, name_from_capitals, parse_basis,
                              parse_letterhead, parse_signature, province_of, title_from_capitals)
from .importer_source import ImportRefused, read_blocks
from .importer_structure import Outline, outline
from .importer_targets import find_targets, slug
from .importer_tasks import TaskBuilder, Units, check_size
from .text import fold

MODELINE = "# yaml-language-server: $schema=schema/plan.schema.json"
MAX_SHOWN_PROBLEMS = 10

__all__ = ["ImportRefused", "Imported", "import_document", "write_new_plan"]


@dataclass
class Imported:
    """An imported plan: its YAML text and what the user is told about it."""

    source: Path
    text: str
    year: int
    areas: int
    tasks: int
    targets: int
    guesses: int
    unplaced: list[tuple[int, str]] = field(default_factory=list)

    def default_name(self) -> str:
        return f"plan_{self.year}.yaml"


class _Builder:
    """The plan's own fields (`plan:`) and its targets, from the parts of the document."""

    def __init__(self, source: Path, doc: Outline) -> None:
        self.source = source
        self.doc = doc
        self.unplaced = list(doc.unplaced)
        self.year = 0

    # --- plan: -------------------------------------------------------------------------------

    def plan_info(self) -> dict[str, Any]:
        doc = self.doc
        head = parse_letterhead(doc.head_lines)
        subtitle = " ".join(doc.title_lines)
        title_part, _sep, of_part = subtitle.partition(" của ")
        info = self.title_and_year(head, subtitle, title_part)
        info.update(self.issuer(head, of_part.strip()))
        province = province_of(doc.all_text())
        if len(head.bodies) >= 2:
            info["parent"] = Noted(name_from_capitals(head.bodies[0]), f"từ quốc hiệu “{head.bodies[0]}”, đổi chữ in hoa")
        elif province:
            info["parent"] = Noted(f"UBND tỉnh {province}", "cơ quan chủ quản do cchc suy ra từ tên tỉnh trong văn bản")
        else:
            info["parent"] = Noted("", "không tìm thấy cơ quan chủ quản; điền vào")
        info["place"] = head.place if head.place else Noted(province, "địa danh do cchc suy ra từ tên tỉnh")
        number = head.number if re.search(r"\d", head.number or "") else ""
        info["number"] = Noted(number, "số ký hiệu, ngày ban hành đọc từ phần đầu văn bản", guess=False) if number \
            else Noted("", "Số ký hiệu và ngày ban hành: bản gốc chưa ghi; điền khi ban hành (date: YYYY-MM-DD).",
                       guess=False)
        if head.date:
            info["date"] = head.date
        info["signer"] = self.signer()
        info["report_to"] = self.report_to()
        info["recipients"] = Noted(list(doc.recipients), "Nơi nhận, đúng như bản gốc", guess=False) \
            if doc.recipients else Noted([], "không tìm thấy “Nơi nhận”")
        info["legal_bases"] = self.legal_bases()
        return info

    def title_and_year(self, head, subtitle: str, title_part: str) -> dict[str, Any]:
        if is_upper(title_part):
            title_part = name_from_capitals(title_part)  # "CẢI CÁCH HÀNH CHÍNH NĂM 2024"
        year_match = re.search(r"\bnăm (\d{4})\b", subtitle, re.I) or re.search(r"\bnăm (\d{4})\b",
                                                                                self.doc.promulgation, re.I)
        if year_match:
            self.year = int(year_match[1])
        elif head.date:
            self.year = head.date.year
        else:
            raise ImportRefused(_("{path}: không tìm thấy năm của kế hoạch (“… năm 2024” trong tiêu đề); không ghi tệp "
                                  "nào").format(path=self.source))
        info: dict[str, Any] = {"year": Noted(self.year, "năm đọc từ tiêu đề", guess=False)}
        if title_part:
            first = title_part.split(" ", 1)[0]
            lowered = title_part if first.isupper() and len(first) > 1 else title_part[:1].lower() + title_part[1:]
            info["title"] = Noted(f"Kế hoạch {lowered}", f"ghép từ “KẾ HOẠCH” và dòng “{subtitle}”")
        else:
            info["title"] = Noted(f"Kế hoạch cải cách hành chính năm {self.year}",
                                  "bản gốc không có tiêu đề đọc được; cchc đặt")
        return info

    def issuer(self, head, of_part: str) -> dict[str, Any]:
        """Who issues the plan: "… của X" in the title, "X ban hành Kế hoạch …", else the letterhead."""
        promulgating = PROMULGATION.search(self.doc.promulgation)
        subject = self.doc.promulgation[:promulgating.start()].strip() if promulgating else ""
        issuer: Any
        if of_part:
            issuer = of_part
        elif subject and not fold(subject).endswith(("huyen", "tinh", "so", "xa", "quan", "phuong", "thanh pho")):
            issuer = subject
        elif head.bodies:
            issuer = Noted(name_from_capitals(head.bodies[-1]), f"từ quốc hiệu “{head.bodies[-1]}”, đổi chữ in hoa")
        else:
            issuer = Noted(subject, "không tìm thấy tên cơ quan ban hành")
        name = issuer.value if isinstance(issuer, Noted) else issuer
        short = re.search(r"/[A-ZĐ]+-(?P<short>[A-ZĐ0-9&]+)$", head.number or "")
        return {"issuer": issuer,
                "issuer_short": Noted(short["short"], f"lấy từ số ký hiệu {head.number}", guess=False) if short
                else Noted(acronym(name), f"chữ viết tắt do cchc ghép từ “{name}”")}

    def signer(self) -> dict[str, Any]:
        block = parse_signature(self.doc.signature)
        title: Any = block.title
        if block.title:
            converted = title_from_capitals(block.title)
            if converted != block.title:
                title = Noted(converted, f"chức vụ viết lại từ “{block.title}”")
        else:
            title = Noted("", "không tìm thấy chức vụ người ký")
        name: Any = block.name if block.name else Noted("", "không tìm thấy tên người ký")
        return {"name": name, "title": title, "authority": block.authority}

    def report_to(self) -> Any:
        for line in self.doc.recipients:
            if re.search(r"\((?:B/c|báo cáo)\)", line, re.I):
                name = re.sub(r"\s*\(.*$", "", line).strip(" ;,.")
                return Noted(name, f"cơ quan nhận báo cáo suy ra từ Nơi nhận “{line}”")
        return Noted("Sở Nội vụ", "cơ quan nhận báo cáo CCHC thường là Sở Nội vụ; bản gốc không ghi")

    def legal_bases(self) -> list[dict[str, Any]]:
        out = []
        for para in self.doc.bases:
            for clause in basis_clauses(para.text):
                basis = parse_basis(clause)
                if basis is None or basis.date is None:
                    self.unplaced.append((para.n, clause))
                    continue
                out.append({"type": basis.type, "number": basis.number, "date": basis.date,
                            "issuer": basis.issuer, "title": basis.title})
        return out

    # --- units, areas, tasks, duties ----------------------------------------------------------

    def targets(self) -> list[Any]:
        out: list[Any] = []
        taken: set[str] = set()
        seen: set[tuple] = set()
        paras = [*self.doc.objectives, *self.doc.requirements]
        texts = [(p.n, p.text) for p in paras]
        texts += [(t.n, t.title) for a in self.doc.areas for t in a.tasks] + [(d.n, d.title) for d in self.doc.duties]
        for n, text in texts:
            for found in find_targets(text):
                key = (fold(found.name), found.kind, found.value)
                if key in seen:
                    continue
                seen.add(key)
                unit = {"percent": "%", "rank": "hạng", "group": "nhóm"}[found.kind]
                entry = {"id": slug(found.name, taken), "name": found.name, "kind": found.kind,
                         "target": found.value, "unit": unit, "deadline": dt.date(self.year, 12, 31),
                         "scope": "", "note": found.sentence, "measurements": []}
                out.append(Noted(entry, f"chỉ tiêu cchc đọc ra từ câu ghi ở note (¶{n}); tên, mã, loại, mức và thời "
                                        "hạn (cuối năm) do cchc đặt"))
        return out


def _narratives(year: int) -> dict[str, Any]:
    empty = {"achievements": "", "shortcomings": "", "causes": "", "proposals": ""}
    return {f"{year}-Q{q}": dict(empty) for q in range(1, 5)}


def import_document(path: str | Path) -> Imported:
    """Read the plan document at `path` (.docx or .txt) and make the plan file's text.

    Raises ImportRefused (one line) for a document that is too big, damaged, or not a plan.
    The text is validated before it is returned: a result that would not validate is refused too.
    """
    from .planfile import parse_document, validate_document

    source = Path(path)
    blocks = read_blocks(source)
    doc = outline(blocks)
    check_size(source, doc)
    if not any(a.tasks for a in doc.areas) and not any(annex_rows(t) for t in doc.annexes):
        raise ImportRefused(_("{path}: không phải một kế hoạch CCHC (không thấy mục nhiệm vụ có các lĩnh vực 1., 2., … "
                              "và nhiệm vụ a), b), …); không ghi tệp nào").format(path=source))
    build = _Builder(source, doc)
    info = build.plan_info()
    units = Units()
    tasks = TaskBuilder(source, doc, units, build.year, build.unplaced)
    tasks.find_default_lead()
    annex = tasks.annex_index()
    issuer = info["issuer"].value if isinstance(info["issuer"], Noted) else info["issuer"]
    tasks.fallback_lead(issuer, info["issuer_short"].value)
    areas = tasks.areas(annex)
    duties = tasks.duties()
    targets = build.targets()
    data: dict[str, Any] = {"schema_version": 1, "plan": info}
    data["objectives"] = _titled(doc, "objectives", [p.text for p in doc.objectives])
    data["requirements"] = _titled(doc, "requirements", [p.text for p in doc.requirements])
    data["units"] = units.data()
    data["targets"] = targets
    data["areas"] = Noted(areas, _areas_note(doc), guess=False)
    if duties and doc.duties_section != "III":
        # The plan's own section number (IV…): its duties are IV.1, IV.2, and every report says IV.
        heading = doc.duties_heading.split(". ", 1)[-1].strip() or "Tổ chức thực hiện"
        data["duties_section"] = {"number": doc.duties_section,
                                  "title": heading.capitalize() if heading.isupper() else heading}
    data["duties"] = Noted(duties, doc.duties_heading or "Tổ chức thực hiện", guess=False) if duties else []
    data["narratives"] = Noted(_narratives(build.year), "Phần tự đánh giá của từng kỳ báo cáo; để trống đến khi "
                                                       "viết báo cáo.", guess=False)
    header = _header(source, info, build.unplaced)
    text, guesses = render(data, header, MODELINE)
    try:
        validate_document(parse_document(Path(f"plan_{build.year}.yaml"), text))
    except PlanInvalid as e:
        shown = [str(d) for d in e.diagnostics[:MAX_SHOWN_PROBLEMS]]
        if len(e.diagnostics) > MAX_SHOWN_PROBLEMS:
            shown.append(_("… và {n} lỗi khác").format(n=len(e.diagnostics) - MAX_SHOWN_PROBLEMS))
        raise ImportRefused("\n".join([_("{path}: tệp kế hoạch tạo ra từ văn bản này không hợp lệ; không ghi tệp nào"
                                         ).format(path=source), *shown])) from None
    return Imported(source=source, text=text, year=build.year, areas=len(areas),
                    tasks=sum(len(a["tasks"]) for a in areas), targets=len(targets), guesses=guesses,
                    unplaced=sorted(build.unplaced))


def _titled(doc: Outline, bucket: str, items: list[str]) -> Any:
    heading = doc.goal_headings.get(bucket)
    return Noted(items, heading, guess=False) if heading and items else items


def _areas_note(doc: Outline) -> str:
    parts = [doc.tasks_heading or "Nội dung, nhiệm vụ"]
    if doc.annex_heading and not doc.annexes:
        parts.append(f"Bản gốc có phụ lục (¶{doc.annex_heading[0]}) nhưng không đọc được thành bảng; đơn vị chủ trì, "
                     "phối hợp, thời hạn do cchc chọn tạm (nhập bản .docx để lấy từ phụ lục)")
    elif doc.annex_note and not doc.annexes:
        parts.append(f"Bản gốc ghi “{doc.annex_note}” nhưng tệp nhập không có bảng phụ lục")
    elif doc.annexes:
        parts.append("đơn vị chủ trì, phối hợp, thời hạn, sản phẩm đọc từ bảng phụ lục")
    return ". ".join(parts) + "."


def _header(source: Path, info: dict[str, Any], unplaced: list[tuple[int, str]]) -> list[str]:
    def value(key: str) -> str:
        v = info[key]
        return v.value if isinstance(v, Noted) else v

    lines = [
        f"{value('title')} của {value('issuer')}, nhập bằng `cchc import` từ {source.name}.",
        "Nội dung chép nguyên văn từ bản gốc; những chỗ cchc tự chọn hoặc tự suy ra có chú thích kết thúc bằng "
        "“kiểm tra lại”: rà soát từng chỗ, sửa nếu cần, xóa chú thích, rồi chạy `cchc validate`.",
    ]
    if unplaced:
        lines.append(f"{len(unplaced)} đoạn của bản gốc chưa xếp được vào tệp này (xem danh sách khi chạy lệnh): "
                     + ", ".join(f"¶{n}" for n, _t in sorted(unplaced)) + ".")
    lines.append("This file was generated by `cchc import`; review every comment marked “kiểm tra lại”.")
    return lines


def write_new_plan(imported: Imported, target: str | Path) -> Path:
    """Write the imported plan to `target`, which must not exist yet (atomic; never overwrites)."""
    from .outputs import OutputRefused, write_output

    target = Path(target)
    exists = Refused(_("{path} đã có; không ghi đè. Xóa tệp đó hoặc chọn tệp khác bằng --output").format(path=target))
    if os.path.lexists(target):
        raise exists
    if not target.parent.is_dir():
        raise NotFound(_("{path}: không có thư mục {folder}").format(path=target, folder=target.parent))
    try:
        write_output(target, imported.text.encode("utf-8"), new_plan=True)
    except OutputRefused:  # it appeared while the plan was written: never replaced
        raise exists from None
    return target
