"""`cchc new 2024`: next year's plan, validated, with exactly what should carry over."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from cchc.newyear import retitle, shift_date
from cchc.planfile import load
from conftest import MINIMAL_PLAN, PROGRESS_PLAN, run

FINISHED = {"1.a", "3.đ", "5.b"}  # done in the fixture


@pytest.fixture
def new_plan(plan_copy):
    source = plan_copy(PROGRESS_PLAN)
    result = run("new", "2024", "--from", source)
    assert result.exit_code == 0, result.stderr
    target = source.parent / "plan_2024.yaml"
    return source, target, result


def test_output_validates(new_plan):
    _source, target, result = new_plan
    assert result.stderr.splitlines() == [
        f"Đã tạo {target}: chuyển tiếp 34 nhiệm vụ chưa hoàn thành, không chép 3 nhiệm vụ đã hoàn thành, "
        "giữ 11 chỉ tiêu (chưa có số liệu).",
        f"Hãy rà soát các mục ghi ở đầu tệp trước khi ban hành, rồi chạy: cchc validate {target}",
    ]
    check = run("validate", target)
    assert check.exit_code == 0, check.stdout
    assert check.stderr == f"{target}: hợp lệ\n"


def test_unfinished_tasks_carried_over_with_their_ids_and_cleared(new_plan):
    source, target, _result = new_plan
    old = load(source).plan
    new = load(target).plan
    assert [t.id for t in new.all_tasks()] == [t.id for t in old.all_tasks() if t.id not in FINISHED]
    for task in new.all_tasks():
        assert (task.status.value, task.progress, task.evidence) == ("not_started", [], [])
        before = old.task(task.id)
        assert (task.title, task.lead, task.support, task.output) == \
            (before.title, before.lead, before.support, before.output)
    # Fixed deadlines move to the same day next year; recurring ones stay recurring.
    assert new.task("2.a").deadline == dt.date(2024, 5, 31)
    assert new.task("7.đ").deadline == dt.date(2024, 10, 31)
    assert new.task("3.d").deadline.value == "year-round"
    assert new.task("III.3").deadline.value == "quarterly"
    assert [a.number for a in new.areas] == [a.number for a in old.areas]


def test_carried_tasks_are_marked_in_the_file(new_plan):
    _source, target, _result = new_plan
    lines = target.read_text(encoding="utf-8").splitlines()

    def note_of(task_id: str) -> str:
        i = next(i for i, line in enumerate(lines) if line.strip() == f"- id: {task_id}")
        return lines[i + 1]

    assert note_of("3.d") == "        # (chuyển tiếp từ 2023; năm 2023 đạt 60%)"
    assert note_of("4.a") == "        # (chuyển tiếp từ 2023; năm 2023 đạt 25%)"
    assert note_of("7.đ") == "        # (chuyển tiếp từ 2023; năm 2023 chưa thực hiện)"
    assert note_of("III.3") == "    # (chuyển tiếp từ 2023; năm 2023 chưa thực hiện)"
    assert sum("(chuyển tiếp từ 2023;" in line for line in lines) == 34


def test_plan_units_legal_bases_targets_and_narratives(new_plan):
    source, target, _result = new_plan
    old = load(source).plan
    new = load(target).plan
    assert new.plan.year == 2024
    assert new.plan.title == "Kế hoạch công tác cải cách hành chính năm 2024"
    assert (new.plan.number, new.plan.date) == ("", None)
    assert (new.plan.signer, new.plan.recipients, new.plan.report_to) == \
        (old.plan.signer, old.plan.recipients, old.plan.report_to)
    assert new.plan.legal_bases == old.plan.legal_bases
    assert new.units == old.units
    assert [t.id for t in new.targets] == [t.id for t in old.targets]
    hai_long = new.target("hai-long")
    assert (hai_long.target, hai_long.deadline, hai_long.measurements) == (87, dt.date(2024, 12, 31), [])
    assert all(t.measurements == [] for t in new.targets)
    assert list(new.narratives) == ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"]
    assert all(n.is_empty() for n in new.narratives.values())
    assert new.objectives == old.objectives and new.requirements == old.requirements


def test_header_says_what_to_review(new_plan):
    _source, target, _result = new_plan
    text = target.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == "# yaml-language-server: $schema=schema/plan.schema.json"
    assert lines[1] == ("# Kế hoạch CCHC năm 2024, tạo bằng `cchc new 2024` từ plan_2023.yaml. "
                        "CẦN RÀ SOÁT trước khi ban hành:")
    assert "# - plan.legal_bases: căn cứ của năm 2023 được giữ lại; bổ sung kế hoạch CCHC năm 2024 của tỉnh;" in lines
    assert "schema_version: 1" in lines
    assert '  number: ""' in lines and "    measurements: []" in lines and '    unit: "%"' in lines


def test_refuses_to_overwrite(new_plan):
    source, target, _result = new_plan
    before = target.read_bytes()
    again = run("new", "2024", "--from", source)
    assert again.exit_code == 1
    assert again.stderr == (f"lỗi: {target} đã có; không ghi đè. Xóa tệp đó hoặc chọn tệp khác bằng --output\n")
    assert target.read_bytes() == before


def test_year_must_follow_the_source(plan_copy):
    source = plan_copy(PROGRESS_PLAN)
    result = run("new", "2023", "--from", source)
    assert result.exit_code == 2
    assert result.stderr == "lỗi: năm mới phải sau năm của kế hoạch nguồn (2023)\n"
    assert sorted(p.name for p in source.parent.iterdir()) == ["plan_2023.yaml"]


def test_area_with_every_task_done_is_kept_empty(tmp_path):
    text = MINIMAL_PLAN.read_text(encoding="utf-8")
    text = text.replace("        deadline: 2023-06-30\n", "        deadline: 2023-06-30\n        status: done\n")
    text = text.replace("        deadline: quarterly\n", "        deadline: quarterly\n        status: done\n")
    source = tmp_path / "plan_2023.yaml"
    source.write_text(text, encoding="utf-8")
    out = tmp_path / "next" / "ke-hoach-2024.yaml"
    out.parent.mkdir()
    result = run("new", "2024", "--from", source, "--output", out, "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {"file": str(out), "year": 2024, "from": str(source), "carried": [],
                                         "finished": ["3.d", "3.đ"], "targets": ["hai-long"]}
    new = load(out).plan
    assert [(a.number, a.tasks) for a in new.areas] == [(3, [])]
    assert "    # mọi nhiệm vụ năm 2023 đã hoàn thành; bổ sung nhiệm vụ năm 2024" in out.read_text(encoding="utf-8")


def test_schema_line_follows_the_new_file(tmp_path):
    (tmp_path / "schema").mkdir()
    (tmp_path / "schema" / "plan.schema.json").write_text("{}", encoding="utf-8")
    source = tmp_path / "plan_2023.yaml"
    source.write_text("# yaml-language-server: $schema=schema/plan.schema.json\n"
                      + MINIMAL_PLAN.read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "2024" / "plan_2024.yaml"
    out.parent.mkdir()
    assert run("new", "2024", "--from", source, "-o", out).exit_code == 0
    assert out.read_text(encoding="utf-8").splitlines()[0] == \
        "# yaml-language-server: $schema=../schema/plan.schema.json"


def test_dates_and_titles():
    assert shift_date(dt.date(2024, 2, 29), 1) == dt.date(2025, 2, 28)
    assert shift_date(dt.date(2023, 3, 31), 1) == dt.date(2024, 3, 31)
    assert retitle("Kế hoạch CCHC năm 2023", 2023, 2024) == "Kế hoạch CCHC năm 2024"
    assert retitle("Kế hoạch CCHC", 2023, 2024) == "Kế hoạch CCHC năm 2024"
    assert retitle("Kế hoạch 12023", 2023, 2024) == "Kế hoạch 12023 năm 2024"
