"""plan_2023.yaml holds the whole seed plan, and the progress fixture is a valid plan.

The seed is the Department's CCHC plan as text (tests/fixtures/seed/, a byte-identical copy of the
project's shared/seed/, so a fresh clone tests itself). Its lines are hard-wrapped with blank lines between them, so texts are compared after collapsing whitespace and
rejoining numbers split at a hyphen ("4655/QĐ-\\n\\nUBND" → "4655/QĐ-UBND").
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from pathlib import Path

import pytest

from cchc.planfile import load, validate_file
from cchc.text import letter_rank

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "tests/fixtures/seed/ke-hoach-cchc-2023-so-khcn.txt"
PLAN = REPO / "plan_2023.yaml"
FIXTURE = REPO / "tests/fixtures/plan_progress.yaml"

AREA_LETTERS = {
    1: "a b c d đ e",
    2: "a b c d",
    3: "a b c d đ e g",
    4: "a b",
    5: "a b c d đ",
    6: "a b c d đ",
    7: "a b c d đ",
}


def flatten(text: str) -> str:
    """NFC, hyphen line-breaks rejoined, every run of whitespace one space."""
    text = unicodedata.normalize("NFC", text)
    text = re.sub(r"(?<=\S-)[ \t]*\n\s*", "", text)
    return " ".join(text.split())


@pytest.fixture(scope="module")
def seed() -> str:
    assert SEED.is_file(), f"seed plan missing: {SEED}"
    return flatten(SEED.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def plan():
    return load(PLAN).plan


def test_plan_validates():
    assert validate_file(PLAN) == []


def test_plan_first_line_and_style():
    text = PLAN.read_text(encoding="utf-8")
    assert text.splitlines()[0] == "# yaml-language-server: $schema=schema/plan.schema.json"
    assert text == unicodedata.normalize("NFC", text)
    assert "\r" not in text and "\t" not in text


@pytest.mark.parametrize("path", [PLAN, FIXTURE], ids=["plan", "fixture"])
def test_round_trips_byte_identically(path):
    from ruamel.yaml import YAML

    yaml = YAML()
    yaml.width = 4096
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    text = path.read_text(encoding="utf-8")
    out = io.StringIO()
    yaml.dump(yaml.load(text), out)
    assert out.getvalue() == text


def test_areas_and_task_lettering(plan):
    assert [a.number for a in plan.areas] == [1, 2, 3, 4, 5, 6, 7]
    assert [len(a.tasks) for a in plan.areas] == [6, 4, 7, 2, 5, 5, 5]
    assert sum(len(a.tasks) for a in plan.areas) == 34
    for area in plan.areas:
        ids = [t.id for t in area.tasks]
        assert ids == [f"{area.number}.{x}" for x in AREA_LETTERS[area.number].split()]
        ranks = [letter_rank(i.split(".")[1]) for i in ids]
        assert ranks == sorted(ranks)
    assert [t.id for t in plan.areas[2].tasks] == ["3.a", "3.b", "3.c", "3.d", "3.đ", "3.e", "3.g"]


def test_area_titles_from_seed(plan, seed):
    for area in plan.areas:
        assert f"{area.number}. {flatten(area.title)}" in seed


def test_task_titles_are_seed_words(plan, seed):
    for area in plan.areas:
        for task in area.tasks:
            letter = task.id.split(".")[1]
            title = flatten(task.title)
            assert title in seed, task.id
            assert f"{letter}) {title}" in seed, task.id


def test_every_lettered_item_of_section_ii_is_a_task(plan, seed):
    section = seed[seed.index("II. NỘI DUNG, NHIỆM VỤ CỤ THỂ"):seed.index("III. TỔ CHỨC THỰC HIỆN")]
    items = re.findall(r"(?:^| )(a|b|c|d|đ|e|g)\) ", section)
    assert len(items) == 34
    assert len(plan.all_tasks()) == 37


def test_tasks_are_fresh_and_owned(plan):
    keys = set(plan.units)
    for task in plan.all_tasks():
        assert task.status.value == "not_started"
        assert task.progress == [] and task.evidence == []
        assert task.lead in keys
        assert all(s in keys or s == "ALL" for s in task.support)
        assert task.output.strip(), task.id


def test_owner_choices_are_marked_to_be_confirmed():
    text = PLAN.read_text(encoding="utf-8")
    assert text.count("# owner and deadline chosen by cchc from the seed") == 34


def test_units(plan):
    assert list(plan.units) == ["VP", "TTRA", "KHTC", "QLKH", "QLCN", "QLCNN", "CCTC", "TTUD"]
    assert plan.units["VP"] == "Văn phòng Sở"
    assert plan.units["KHTC"] == "Phòng Kế hoạch - Tài chính"


TARGETS = {
    # id: (kind, target, unit, scope)
    "hai-long": ("percent", 87, "%", "Sở"),
    "dung-han": ("percent", 98, "%", "Sở"),
    "dvctt": ("percent", 70, "%", "Sở"),
    "so-hoa": ("percent", 100, "%", "Sở"),
    "rut-ngan": ("percent", 40, "%", "Sở"),
    "pci": ("rank", 10, "hạng", "tỉnh"),
    "pobi": ("rank", 10, "hạng", "tỉnh"),
    "par-index": ("rank", 15, "hạng", "tỉnh"),
    "papi": ("group", 2, "nhóm", "tỉnh"),
    "dti": ("rank", 20, "hạng", "tỉnh"),
    "xep-hang-cchc": ("group", 1, "nhóm", "Sở"),
}


def test_targets(plan):
    assert [t.id for t in plan.targets] == list(TARGETS)
    for t in plan.targets:
        kind, target, unit, scope = TARGETS[t.id]
        assert (t.kind.value, t.target, t.unit, t.scope) == (kind, target, unit, scope), t.id
        assert t.deadline == dt.date(2023, 12, 31)
        assert t.measurements == []
        assert t.name.strip()
    assert "35-40%" in plan.target("rut-ngan").note
    assert "nhóm 2 - điểm số trung bình cao" in plan.target("papi").name
    assert "nhóm dẫn đầu khối sở, ban ngành cấp tỉnh" in plan.target("xep-hang-cchc").note


def test_target_figures_are_in_the_seed(seed):
    for figure in ["(87%)", "(98%)", "(70%)", "Top 10 tỉnh, thành", "Top 15 tỉnh, thành phố",
                   "nhóm 2", "Top 20 tỉnh, thành", "đạt tỷ lệ 100%", "đảm bảo 40% trên tổng số TTHC",
                   "35-40%", "nhóm dẫn đầu khối sở, ban ngành cấp tỉnh"]:
        assert figure in seed, figure


def test_plan_info(plan, seed):
    info = plan.plan
    assert info.year == 2023
    assert info.title == "Kế hoạch công tác cải cách hành chính năm 2023"
    assert (info.issuer, info.issuer_short) == ("Sở Khoa học và Công nghệ", "SKHCN")
    assert info.parent == "UBND tỉnh Bà Rịa - Vũng Tàu"
    assert info.place == "Bà Rịa - Vũng Tàu"
    assert info.number == "" and info.date is None
    assert (info.signer.name, info.signer.title, info.signer.authority) == ("Phạm Quang Nhật", "Giám đốc", [])
    assert "GIÁM ĐỐC Phạm Quang Nhật" in seed
    assert info.report_to == "Sở Nội vụ"


def test_recipients(plan, seed):
    recipients = plan.plan.recipients
    assert recipients == ["Sở Nội vụ (B/c);", "GĐ, PGĐ Sở;", "Các phòng, đơn vị;", "Lưu: VT_nnp."]
    block = seed[seed.index("Nơi nhận:"):]
    for r in recipients:
        assert f"- {r}" in block


def test_legal_bases(plan, seed):
    bases = plan.plan.legal_bases
    assert [(b.type, b.number, b.date, b.issuer) for b in bases] == [
        ("Quyết định", "4655/QĐ-UBND", dt.date(2021, 12, 8), "Chủ tịch UBND tỉnh"),
        ("Quyết định", "4047/QĐ-UBND", dt.date(2022, 12, 30), "Chủ tịch UBND tỉnh"),
    ]
    for b in bases:
        day = f"{b.date.day:02d}/{b.date.month:02d}/{b.date.year}"
        assert f"Quyết định số {b.number} ngày {day} của {b.issuer}" in seed
    assert "2021-2025" in bases[0].title and "Bà Rịa - Vũng Tàu" in bases[0].title
    assert bases[1].title in seed


def test_objectives_and_requirements(plan, seed):
    assert len(plan.objectives) == 4
    assert len(plan.requirements) == 3
    for text in plan.objectives + plan.requirements:
        assert f"- {flatten(text)}" in seed
    assert "4655/QĐ-UBND" in plan.objectives[2]


def test_duties(plan, seed):
    duties = {d.id: d for d in plan.duties}
    assert list(duties) == ["III.1", "III.2", "III.3"]
    for n, duty in enumerate(plan.duties, 1):
        assert f"{n}. {flatten(duty.title)}" in seed
        assert duty.lead == "VP"
    assert duties["III.1"].support == ["ALL"]
    assert duties["III.2"].support in (["ALL"], ["KHTC"])
    assert duties["III.3"].deadline.value == "quarterly"
    assert duties["III.3"].output == "Báo cáo định kỳ quý I, 6 tháng, quý III, năm gửi Sở Nội vụ"


def test_narratives(plan):
    assert list(plan.narratives) == ["2023-Q1", "2023-Q2", "2023-Q3", "2023-Q4"]
    assert all(n.is_empty() for n in plan.narratives.values())


def test_fixture_validates():
    assert validate_file(FIXTURE) == []


def test_fixture_is_the_plan_with_progress(plan):
    fx = load(FIXTURE).plan
    assert fx.units == plan.units
    assert [t.id for t in fx.targets] == [t.id for t in plan.targets]
    assert [(t.id, t.title, t.lead) for t in fx.all_tasks()] == [(t.id, t.title, t.lead) for t in plan.all_tasks()]
    statuses = {t.id: t.status.value for t in fx.all_tasks() if t.status.value != "not_started"}
    assert statuses == {"1.a": "done", "3.đ": "done", "5.b": "done",
                        "2.a": "in_progress", "3.d": "in_progress", "4.a": "in_progress", "6.a": "in_progress"}
    assert fx.task("2.a").deadline == dt.date(2023, 5, 31)
    assert fx.task("7.đ").deadline == dt.date(2023, 10, 31)
    assert fx.task("4.a").progress[0].note == 'Đào tạo & Bồi dưỡng <2025> "quý" {{ x }} {% for %}'
    assert fx.task("1.a").evidence[0].number == "12/KH-SKHCN"
    assert [(m.period, m.value) for m in fx.target("hai-long").measurements] == [("2023-Q1", 88.2), ("2023-Q2", 86.5)]
    assert not fx.narratives["2023-Q1"].is_empty()
    assert all(fx.narratives[p].is_empty() for p in ("2023-Q2", "2023-Q3", "2023-Q4"))
