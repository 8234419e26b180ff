"""`cchc import` of the seed: the Department's 2023 plan as text extracted from its PDF."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from cchc.importer import import_document
from cchc.planfile import load
from cchc.text import TASK_ID_RE
from conftest import FIXTURES, PLAN_2023, run

SEED = FIXTURES / "seed" / "ke-hoach-cchc-2023-so-khcn.txt"


def squash(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    folder = tmp_path_factory.mktemp("import")
    target = folder / "plan_2023.yaml"
    result = run("import", SEED, "-o", target)
    assert result.exit_code == 0, result.stderr
    return target, result, load(target).plan


def test_the_written_plan_validates_through_the_cli(imported):
    target, _result, _plan = imported
    check = run("validate", target)
    assert (check.exit_code, check.stderr) == (0, f"{target}: hợp lệ\n")


def test_areas_and_their_lettered_tasks_as_in_the_seed(imported):
    _target, _result, plan = imported
    assert [len(a.tasks) for a in plan.areas] == [6, 4, 7, 2, 5, 5, 5]
    assert [t.id for t in plan.areas[2].tasks] == ["3.a", "3.b", "3.c", "3.d", "3.đ", "3.e", "3.g"]
    assert [t.id for t in plan.areas[4].tasks] == ["5.a", "5.b", "5.c", "5.d", "5.đ"]
    bundled = load(PLAN_2023).plan
    assert [(a.number, a.title) for a in plan.areas] == [(a.number, a.title) for a in bundled.areas]


def test_task_titles_equal_the_hand_made_plan_one_by_one(imported):
    _target, _result, plan = imported
    bundled = load(PLAN_2023).plan
    ours = {t.id: t.title for t in plan.all_tasks()}
    theirs = {t.id: t.title for t in bundled.all_tasks()}
    assert list(ours) == list(theirs)
    for task_id, title in theirs.items():
        assert squash(ours[task_id]) == squash(title), task_id
    # sentences re-joined across the page break (3.g continues on page 4), no page number left in
    assert ours["3.g"].endswith("đảm bảo 40% trên tổng số TTHC, trong đó thời gian rút ngắn của từng TTHC phải "
                                "giảm từ 35-40% thời gian giải quyết TTHC.")


def test_three_duties_legal_bases_recipients_and_signer(imported):
    _target, _result, plan = imported
    bundled = load(PLAN_2023).plan
    assert [d.id for d in plan.duties] == ["III.1", "III.2", "III.3"]
    assert plan.plan.legal_bases == bundled.plan.legal_bases
    assert [(b.number, b.date) for b in plan.plan.legal_bases] == [
        ("4655/QĐ-UBND", dt.date(2021, 12, 8)), ("4047/QĐ-UBND", dt.date(2022, 12, 30))]
    assert plan.plan.recipients == ["Sở Nội vụ (B/c);", "GĐ, PGĐ Sở;", "Các phòng, đơn vị;", "Lưu: VT_nnp."]
    assert plan.plan.signer == bundled.plan.signer
    assert (plan.plan.year, plan.plan.title, plan.plan.issuer) == \
        (2023, bundled.plan.title, bundled.plan.issuer)
    assert plan.objectives == bundled.objectives and plan.requirements == bundled.requirements


def test_targets_found_in_the_text_with_their_sentence(imported):
    target, _result, plan = imported
    found = {(t.name, t.kind.value, t.target) for t in plan.targets}
    assert {("Tỷ lệ hài lòng của người dân", "percent", 87), ("Tỷ lệ hồ sơ giải quyết đúng hạn", "percent", 98),
            ("Tỷ lệ sử dụng dịch vụ công trực tuyến", "percent", 70), ("Chỉ số PCI", "rank", 10),
            ("Chỉ số POBI", "rank", 10), ("Chỉ số PAR INDEX", "rank", 15), ("Chỉ số PAPI", "group", 2),
            ("Chỉ số DTI", "rank", 20), ("Tỷ lệ số hóa kết quả giải quyết TTHC tiếp nhận mới", "percent", 100),
            } <= found
    digitised = next(t for t in plan.targets if t.target == 100)
    assert digitised.note.startswith("Phấn đấu đến hết năm 2023, việc số hóa kết quả giải quyết TTHC tiếp nhận mới "
                                      "đạt tỷ lệ 100%")
    # each target entry sits under its own "kiểm tra lại" comment
    lines = target.read_text(encoding="utf-8").splitlines()
    for t in plan.targets:
        i = lines.index(f"  - id: {t.id}")
        assert lines[i - 1].startswith("  # ") and lines[i - 1].endswith("kiểm tra lại"), t.id


def test_chosen_owners_and_deadlines_are_marked_to_confirm(imported):
    target, _result, plan = imported
    lines = target.read_text(encoding="utf-8").splitlines()
    assert plan.units == {"VP": "Văn phòng Sở"}
    assert lines[lines.index("  VP: Văn phòng Sở") - 1] == \
        "  # mã VP do cchc đặt cho “Văn phòng Sở” (¶378); kiểm tra lại"
    for task in plan.all_tasks():
        i = next(i for i, line in enumerate(lines) if line.strip() == f"- id: {task.id}")
        lead = next(j for j in range(i, len(lines)) if lines[j].strip().startswith("lead:"))
        assert lines[lead - 1].strip().endswith("kiểm tra lại"), task.id
    assert plan.task("1.b").deadline.value == "year-round"  # "Tiếp tục …"
    assert plan.task("1.đ").deadline.value == "quarterly"  # "Định kỳ …"
    assert plan.task("1.a").deadline == dt.date(2023, 12, 31)


def test_summary_counts_and_the_passage_it_could_not_place(imported):
    target, result, plan = imported
    text = target.read_text(encoding="utf-8")
    guesses = len(re.findall(r"kiểm tra lại$", text, re.M))
    assert result.stderr.splitlines() == [
        f"Đã tạo {target} từ {SEED.name}: 7 lĩnh vực, 34 nhiệm vụ, {len(plan.targets)} chỉ tiêu, {guesses} chỗ cần "
        "xác nhận (có chú thích “kiểm tra lại” trong tệp).",
        "1 đoạn chưa xếp được vào kế hoạch (hãy xem và tự chép vào nếu cần):",
        f"{SEED}:¶384: Trong quá trình thực hiện nếu có khó khăn, vướng mắc, các phòng, đơn vị chủ động báo cáo Lãnh "
        "đạo Sở xem xét, chỉ đạo thực hiện./.",
        f"Rà soát các chỗ đánh dấu rồi chạy: cchc validate {target}",
    ]
    assert SEED.read_text(encoding="utf-8").splitlines()[383].startswith("Trong quá trình thực hiện")


def test_file_starts_with_the_schema_line_and_keeps_the_plan_layout(imported):
    target, _result, _plan = imported
    lines = target.read_text(encoding="utf-8").splitlines()
    assert lines[0] == PLAN_2023.read_text(encoding="utf-8").splitlines()[0]
    assert "schema_version: 1" in lines and "areas:" in lines
    assert "      - id: 3.đ" in lines
    assert all(TASK_ID_RE.match(line.split(": ")[1]) for line in lines if line.startswith("      - id: "))


def test_library_call_gives_the_same_text(imported):
    target, _result, _plan = imported
    assert import_document(SEED).text == target.read_text(encoding="utf-8")


def test_default_name_is_plan_of_the_year_and_never_overwritten(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    first = run("import", SEED)
    assert first.exit_code == 0, first.stderr
    written = (tmp_path / "plan_2023.yaml").read_bytes()
    again = run("import", SEED)
    assert (again.exit_code, again.stderr) == (
        1, "lỗi: plan_2023.yaml đã có; không ghi đè. Xóa tệp đó hoặc chọn tệp khác bằng --output\n")
    assert (tmp_path / "plan_2023.yaml").read_bytes() == written
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan_2023.yaml"]  # no temporary file left


def test_json_summary(tmp_path):
    import json

    result = run("import", SEED, "-o", tmp_path / "p.yaml", "--json")
    data = json.loads(result.stdout)
    assert (data["areas"], data["tasks"], data["year"]) == (7, 34, 2023)
    assert data["unplaced"] == [{"paragraph": 384, "text": data["unplaced"][0]["text"]}]
