"""`cchc validate`: every class of mistake reported at its exact FILE:LINE:COL, in Vietnamese."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from cchc.finding_codes import BY_CODE
from cchc.planfile import validate_file
from conftest import MINIMAL_PLAN, run

BASE = MINIMAL_PLAN.read_text(encoding="utf-8")


def mutated(tmp_path, *replacements: tuple[str, str], name: str = "plan.yaml") -> str:
    text = BASE
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


# `FILE:LINE:COL: mức [mã] nội dung`, the shape of every finding of validate and check.
FINDING = re.compile(r"^(\d+:\d+): lỗi \[([a-z0-9-]+)\] (.*)$")


def only_problem(path: str) -> str:
    """The one problem validate prints for `path`, as `LINE:COL: message` once its level and code are checked."""
    result = run("validate", path)
    assert result.exit_code == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(path + ":")
    m = FINDING.match(lines[0][len(path) + 1:])
    assert m and m[2] in BY_CODE, lines[0]
    return f"{m[1]}: {m[3]}"


def test_fixture_is_valid():
    result = run("validate", MINIMAL_PLAN)
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "hợp lệ" in result.stderr


@pytest.mark.parametrize("replacements, expected", [
    pytest.param([("    kind: percent\n", "    kind: percent\n    unit [\n")],
                 "25:5: lỗi cú pháp YAML", id="yaml-syntax"),
    pytest.param([("  TTRA: Thanh tra Sở\n", "  TTRA: Thanh tra Sở\n  VP: Văn phòng\n")],
                 "20:3: khóa “VP” bị lặp lại (đã có ở dòng 18)", id="duplicate-key"),
    pytest.param([("    title: Giám đốc\n", "    title: Giám đốc\n    chuc_vu: x\n")],
                 "13:5: trường “chuc_vu” không có trong mẫu kế hoạch", id="unknown-field"),
    pytest.param([("        lead: VP\n        support", "        lead: VP\n        outptu: Kế hoạch\n        support")],
                 "35:9: trường “outptu” không có trong mẫu kế hoạch (có phải “output”?)", id="misspelt-field"),
    pytest.param([("    target: 87\n", "    target: tám mươi\n")],
                 "24:13: cần một số", id="wrong-type"),
    pytest.param([("deadline: 2023-06-30", "deadline: 2023-02-30")],
                 "36:19: ngày không tồn tại: 2023-02-30", id="impossible-date"),
    pytest.param([("deadline: 2023-06-30", "deadline: 20230630")],
                 "36:19: cần một ngày dạng YYYY-MM-DD", id="date-as-number"),
    pytest.param([("percent: 40", "percent: 120")],
                 "39:22: phần trăm phải từ 0 đến 100, không phải 120", id="percent-over-100"),
    pytest.param([("percent: 40", "percent: -5")],
                 "39:22: phần trăm phải từ 0 đến 100, không phải -5", id="percent-negative"),
    pytest.param([("support: [TTRA]", "support: [TTR]")],
                 "35:19: không có đơn vị mã TTR trong danh mục units", id="unknown-unit-support"),
    pytest.param([("      - id: 3.đ\n        title: Triển khai Đề án phân cấp giải quyết TTHC\n        lead: VP\n",
                   "      - id: 3.đ\n        title: Triển khai Đề án phân cấp giải quyết TTHC\n        lead: PKH\n")],
                 "44:15: không có đơn vị mã PKH trong danh mục units", id="unknown-unit-lead"),
    pytest.param([("      - id: 3.đ", "      - id: 3.d")],
                 "42:13: mã nhiệm vụ 3.d bị trùng", id="duplicate-task-id"),
    pytest.param([("      - id: 3.đ", "      - id: 3.f")],
                 "42:13: “f” không phải chữ cái đánh số theo tiếng Việt (a b c d đ e g h i k…)", id="lettering-f"),
    pytest.param([("      - id: 3.đ", "      - id: 4.a")],
                 "42:13: mã nhiệm vụ 4.a phải có dạng 3.a", id="id-of-other-area"),
    pytest.param([("          - date: 2023-02-01", "          - date: 2022-12-20")],
                 "38:19: tiến độ ghi ngày 2022-12-20, ngoài năm kế hoạch 2023", id="progress-outside-year"),
    pytest.param([("deadline: 2023-06-30", "deadline: 2024-01-15")],
                 "36:19: thời hạn 2024-01-15 nằm ngoài năm kế hoạch 2023", id="deadline-outside-year"),
    pytest.param([("deadline: quarterly", "deadline: hằng quý")],
                 "45:19: thời hạn phải là một ngày YYYY-MM-DD hoặc một trong: monthly, quarterly", id="bad-recurrence"),
    pytest.param([("    kind: percent\n", "    kind: phần trăm\n")],
                 "23:11: giá trị phần trăm không hợp lệ; chọn một trong:", id="bad-enum"),
    pytest.param([("    name: Phạm Quang Nhật\n", "")],
                 "10:3: “signer” thiếu trường bắt buộc “name”", id="missing-field"),
    pytest.param([("    unit: \"%\"\n", "    unit: !!python/object:os.system x\n")],
                 "25:11: thẻ YAML tag:yaml.org,2002:python/object:os.system không được phép", id="unsafe-tag"),
])
def test_each_mistake_at_its_line(tmp_path, replacements, expected):
    assert only_problem(mutated(tmp_path, *replacements)).startswith(expected)


def test_merge_conflict_markers(tmp_path):
    path = mutated(tmp_path, ("            percent: 40\n",
                              "<<<<<<< HEAD\n            percent: 40\n=======\n            percent: 60\n>>>>>>> other\n"))
    result = run("validate", path)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{path}:39:1: lỗi [merge-conflict] còn dấu xung đột khi gộp của git (<<<<<<<); hãy giải quyết xung đột trước",
        f"{path}:41:1: lỗi [merge-conflict] còn dấu xung đột khi gộp của git (=======); hãy giải quyết xung đột trước",
        f"{path}:43:1: lỗi [merge-conflict] còn dấu xung đột khi gộp của git (>>>>>>>); hãy giải quyết xung đột trước",
    ]


def test_not_utf8(tmp_path):
    path = tmp_path / "plan.yaml"
    # "Cải" saved in a legacy Vietnamese code page (0xe1 for á) instead of UTF-8.
    path.write_bytes(BASE.encode("utf-8").replace("Cải cách TTHC".encode(), b"C\xe1i c\xe1ch TTHC"))
    result = run("validate", str(path))
    assert result.exit_code == 1
    assert result.stdout == (f"{path}:30:13: lỗi [not-utf8] tệp không phải văn bản UTF-8 (byte 0xe1 không hợp lệ); "
                             "hãy lưu lại tệp với bảng mã UTF-8\n")


def test_all_problems_in_one_run(tmp_path):
    path = mutated(tmp_path,
                   ("    title: Giám đốc\n", "    titel: Giám đốc\n"),
                   ("    target: 87\n", "    target: abc\n"),
                   ("support: [TTRA]", "support: [XX]"),
                   ("deadline: 2023-06-30", "deadline: 2023-02-30"),
                   ("percent: 40", "percent: 140"),
                   ("      - id: 3.đ", "      - id: 3.f"))
    result = run("validate", path)
    assert result.exit_code == 1
    positions = [line[len(path) + 1:].split(": ")[0] for line in result.stdout.splitlines()]
    assert positions == ["10:3", "12:5", "24:13", "35:19", "36:19", "39:22", "42:13"]


def test_missing_file_is_exit_2(tmp_path):
    result = run("validate", str(tmp_path / "none.yaml"))
    assert result.exit_code == 2
    assert "không tìm thấy tệp kế hoạch" in result.stderr
    assert result.stdout == ""


def test_json_output(tmp_path):
    import json

    path = mutated(tmp_path, ("percent: 40", "percent: 120"))
    result = run("validate", path, "--json")
    data = json.loads(result.stdout)
    assert result.exit_code == 1
    assert data["valid"] is False
    assert data["problems"] == [{"file": path, "line": 39, "column": 22, "code": "bad-percent", "severity": "error",
                                 "message": "phần trăm phải từ 0 đến 100, không phải 120"}]


@pytest.mark.parametrize("content", ["", "- a\n- b\n", "plan: [\n", "\x00\x01", "schema_version: 2\n"])
def test_no_traceback_for_any_input(tmp_path, content):
    path = tmp_path / "plan.yaml"
    path.write_text(content, encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "cchc", "validate", str(path)], capture_output=True, text=True)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr + proc.stdout
    assert (proc.stdout + proc.stderr).strip().startswith(str(path))


def test_library_api_matches_cli(tmp_path):
    path = mutated(tmp_path, ("percent: 40", "percent: 120"))
    [d] = validate_file(path)
    assert (d.line, d.column, d.code) == (39, 22, "bad-percent")


def test_validate_warns_about_changed_or_vanished_evidence_files(tmp_path):
    from conftest import PROGRESS_PLAN

    plan = tmp_path / "plan_2023.yaml"
    plan.write_bytes(PROGRESS_PLAN.read_bytes())
    proof = tmp_path / "bc-45.txt"
    proof.write_text("Báo cáo số 45\n", encoding="utf-8")
    assert run("evidence", "add", "3.đ", "Báo cáo số 45/BC-SKHCN ngày 20/3/2023", "--attach", proof,
               "-p", plan).exit_code == 0
    line = next(i for i, text in enumerate(plan.read_text(encoding="utf-8").splitlines(), 1)
                if "file: bc-45.txt" in text)

    assert run("validate", plan).stdout == ""
    proof.write_text("Báo cáo số 45, đã sửa\n", encoding="utf-8")
    changed = run("validate", plan)
    assert changed.exit_code == 0
    assert changed.stdout.startswith(f"{plan}:{line + 1}:")
    assert "cảnh báo [evidence-file-changed]" in changed.stdout
    proof.unlink()
    vanished = run("validate", plan, "--json")
    assert vanished.exit_code == 0
    import json

    [warning] = json.loads(vanished.stdout)["warnings"]
    assert (warning["code"], warning["line"], warning["severity"]) == ("evidence-file-missing", line, "warning")
