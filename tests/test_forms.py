"""`cchc forms`: one spreadsheet per unit, as LibreOffice Calc shows it, protected and validated; reminders."""

from __future__ import annotations

import csv
import json
import subprocess

import openpyxl
import pytest

from cchc.forms import DATA_SHEET, FIRST_ROW, HEADER_ROW, TARGET_SHEET, TASK_SHEET, payload_digest
from conftest import require_tool, run
from forms_helpers import fill, forms_plan, write

TTRA_TASKS = ["1.b", "1.c", "1.d", "1.đ", "1.e", "2.a", "2.b", "2.c", "2.d", "3.a", "3.c", "3.d", "3.đ", "3.e", "3.g",
              "4.a", "4.b", "5.a", "5.b", "5.d", "5.đ", "6.c", "6.d", "6.đ", "7.d", "III.1", "III.2"]
HEADINGS = ["Mã", "Nhiệm vụ", "Thời hạn", "Tiến độ hiện nay (%)", "Ghi chú gần nhất", "Tiến độ mới (%)",
            "Ngày (dd/mm/yyyy)", "Ghi chú", "Tài liệu kiểm chứng (số, ngày văn bản)", "Hoàn thành (có/không)"]


def test_form_lists_the_units_unfinished_tasks_on_the_cut_off(tmp_path):
    plan = forms_plan(tmp_path)
    forms = write(plan, ["TTRA", "KHTC"], tmp_path / "out")
    assert sorted(p.name for p in forms.values()) == ["tien-do-KHTC-2023-Q1.xlsx", "tien-do-TTRA-2023-Q1.xlsx"]
    ws = openpyxl.load_workbook(forms["TTRA"])[TASK_SHEET]
    ids = [ws.cell(r, 1).value for r in range(FIRST_ROW, ws.max_row + 1) if ws.cell(r, 1).value]
    # Leads or supports (ALL included); 1.a was done on 10/03, before the cut-off 14/03, so it is left
    # out; 3.đ (done 20/03) and 5.b (done in August) were not done by then and are in.
    assert ids == TTRA_TASKS
    row = [c.value for c in ws[FIRST_ROW + ids.index("2.a")]][:5]
    assert row == ["2.a", row[1], "31/05/2023", 30, "Chờ ý kiến góp ý của các phòng"]
    assert [c.value for c in ws[HEADER_ROW]] == HEADINGS
    assert ws["A3"].value == ("Đơn vị: Thanh tra Sở (TTRA) — Kỳ báo cáo: quý I năm 2023, số liệu đến hết "
                              "ngày 14/03/2023")
    assert ws["D4"].value.startswith("TTRA-2023-Q1-")


def test_form_is_protected_validated_and_signed(tmp_path):
    plan = forms_plan(tmp_path)
    wb = openpyxl.load_workbook(write(plan, ["TTRA"], tmp_path / "out")["TTRA"])
    ws = wb[TASK_SHEET]
    assert ws.protection.sheet is True
    last = FIRST_ROW + len(TTRA_TASKS) - 1
    assert all(ws[f"{c}{r}"].protection.locked for c in "ABCDE" for r in (HEADER_ROW, FIRST_ROW, last))
    assert all(ws[f"{c}{HEADER_ROW}"].protection.locked for c in "FGHIJ")
    assert not any(ws[f"{c}{r}"].protection.locked for c in "FGHIJ" for r in (FIRST_ROW, last))
    assert not ws["B4"].protection.locked  # "Người điền"
    rules = {(dv.type, dv.operator, dv.formula1, dv.formula2, str(dv.sqref))
             for dv in ws.data_validations.dataValidation}
    assert rules == {
        ("decimal", "between", "0", "100", f"F{FIRST_ROW}:F{last}"),
        ("date", "between", "DATE(2023,1,1)", "DATE(2023,12,31)", f"G{FIRST_ROW}:G{last}"),
        ("list", None, '"có,không"', None, f"J{FIRST_ROW}:J{last}"),
    }
    targets = wb[TARGET_SHEET]
    assert [targets.cell(FIRST_ROW, c).value for c in range(1, 5)] == [
        "so-hoa", "Tỷ lệ số hóa kết quả giải quyết TTHC tiếp nhận mới", "100%", None]
    assert [(dv.type, dv.formula1, dv.formula2, str(dv.sqref)) for dv in targets.data_validations.dataValidation] \
        == [("decimal", "0", "100", f"E{FIRST_ROW}")]
    data = wb[DATA_SHEET]
    assert data.sheet_state == "veryHidden"
    payload = json.loads(data["A1"].value)
    assert data["B1"].value == payload_digest(payload)
    assert payload["unit"] == "TTRA" and payload["period"] == "2023-Q1"
    assert payload["plan"] == {"issuer": "Sở Khoa học và Công nghệ", "year": 2023}
    assert [t[0] for t in payload["tasks"]] == TTRA_TASKS
    assert ws["D4"].value == f"TTRA-2023-Q1-{data['B1'].value[:10]}"


def test_a_title_starting_with_equals_stays_text(tmp_path):
    plan = forms_plan(tmp_path)
    lines = plan.read_text(encoding="utf-8").splitlines(keepends=True)
    i = next(i for i, line in enumerate(lines) if line.startswith("        title: Tăng cường kiểm tra việc"))
    lines[i] = "        title: " + json.dumps("=1+1 " + lines[i].split(": ", 1)[1].strip(), ensure_ascii=False) + "\n"
    plan.write_text("".join(lines), encoding="utf-8")
    ws = openpyxl.load_workbook(write(plan, ["TTRA"], tmp_path / "out")["TTRA"])[TASK_SHEET]
    cell = ws.cell(FIRST_ROW + TTRA_TASKS.index("1.d"), 2)
    assert cell.data_type == "s" and cell.value.startswith("=1+1 Tăng cường")


def libreoffice_csv(xlsx, tmp_path, sheet: int = 1) -> list[list[str]]:
    soffice = require_tool("soffice")
    out = tmp_path / f"csv{sheet}"
    # 44 comma, 34 quote, 76 UTF-8, line 1, …, the 12th token: which sheet (LibreOffice ≥ 7.2).
    filt = f"csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,{sheet}"
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}", "--headless",
                    "--convert-to", filt, "--outdir", str(out), str(xlsx)],
                   check=True, capture_output=True, timeout=180)
    (result,) = out.glob("*.csv")
    with open(result, encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def test_forms_open_in_libreoffice_calc(tmp_path):
    plan = forms_plan(tmp_path)
    forms = write(plan, ["TTRA"], tmp_path / "out")
    rows = libreoffice_csv(forms["TTRA"], tmp_path)
    assert rows[0][0] == "BIỂU MẪU CẬP NHẬT TIẾN ĐỘ NHIỆM VỤ CẢI CÁCH HÀNH CHÍNH"
    assert rows[2][0].startswith("Đơn vị: Thanh tra Sở (TTRA) — Kỳ báo cáo: quý I năm 2023")
    assert rows[3][:3] == ["Người điền:", "", "Mã biểu mẫu:"] and rows[3][3].startswith("TTRA-2023-Q1-")
    assert rows[HEADER_ROW - 1] == HEADINGS
    assert [r[0] for r in rows[FIRST_ROW - 1:] if r and r[0]] == TTRA_TASKS
    two_a = next(r for r in rows if r[0] == "2.a")
    assert two_a[2:5] == ["31/05/2023", "30", "Chờ ý kiến góp ý của các phòng"]
    targets = libreoffice_csv(forms["TTRA"], tmp_path, sheet=2)
    assert targets[0][0] == "BIỂU MẪU BÁO CÁO SỐ LIỆU CHỈ TIÊU"
    assert targets[HEADER_ROW - 1] == ["Mã", "Chỉ tiêu", "Mục tiêu", "Kết quả gần nhất", "Kết quả kỳ này",
                                       "Nguồn số liệu", "Ghi chú"]
    assert targets[FIRST_ROW - 1][:3] == ["so-hoa", "Tỷ lệ số hóa kết quả giải quyết TTHC tiếp nhận mới", "100%"]


def test_validation_and_protection_survive_saving_in_calc(tmp_path):
    soffice = require_tool("soffice")
    plan = forms_plan(tmp_path)
    form = write(plan, ["TTRA"], tmp_path / "out")["TTRA"]
    saved = tmp_path / "saved"
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}", "--headless",
                    "--convert-to", "xlsx", "--outdir", str(saved), str(form)],
                   check=True, capture_output=True, timeout=180)
    ws = openpyxl.load_workbook(saved / form.name)[TASK_SHEET]
    assert ws.protection.sheet and ws["A7"].protection.locked and not ws["F7"].protection.locked
    assert {dv.type for dv in ws.data_validations.dataValidation} == {"decimal", "date", "list"}
    result = run("collect", saved / form.name, "--dry-run", "-p", plan)
    assert result.exit_code == 0, result.stderr
    assert "chưa có dòng nào được điền" in result.stderr
    # A form saved by Calc is still this plan's form, untouched: filled in, it lands.
    filled = fill(saved / form.name, tmp_path / "tra-lai.xlsx", tasks={"1.b": {"F": 35, "G": "01/03/2023"}})
    landed = run("collect", filled, "-p", plan)
    assert landed.exit_code == 0, landed.stderr
    assert landed.stdout.splitlines()[0] == "1.b: 0% → 35%"


def test_forms_command_never_writes_over_a_file(tmp_path):
    plan = forms_plan(tmp_path)
    out = tmp_path / "out"
    result = run("forms", "--unit", "TTRA", "--unit", "KHTC", "--period", "2023-Q1", "-o", out, "-p", plan)
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines() == [
        f"Đã ghi {out / 'tien-do-TTRA-2023-Q1.xlsx'}: 27 nhiệm vụ, 1 chỉ tiêu",
        f"Đã ghi {out / 'tien-do-KHTC-2023-Q1.xlsx'}: 25 nhiệm vụ, 0 chỉ tiêu",
    ]
    (out / "tien-do-KHTC-2023-Q1.xlsx").write_bytes(b"not mine")
    before = (out / "tien-do-TTRA-2023-Q1.xlsx").read_bytes()
    (out / "tien-do-TTRA-2023-Q1.xlsx").unlink()
    again = run("forms", "-u", "TTRA", "-u", "KHTC", "--period", "2023-Q1", "-o", out, "-p", plan)
    assert again.exit_code == 1
    assert again.stderr == (f"lỗi: đã có {out / 'tien-do-KHTC-2023-Q1.xlsx'}; không ghi đè. Thêm --force để ghi "
                            "đè, hoặc chọn thư mục khác bằng -o\n")
    assert (out / "tien-do-KHTC-2023-Q1.xlsx").read_bytes() == b"not mine"
    assert not (out / "tien-do-TTRA-2023-Q1.xlsx").exists()  # nothing at all was written
    forced = run("forms", "-u", "TTRA", "-u", "KHTC", "--period", "2023-Q1", "-o", out, "-p", plan, "--force")
    assert forced.exit_code == 0, forced.stderr
    assert openpyxl.load_workbook(out / "tien-do-KHTC-2023-Q1.xlsx")[TASK_SHEET]["A7"].value == "1.b"
    assert len(before) > 0 and sorted(p.name for p in out.iterdir()) == [
        "tien-do-KHTC-2023-Q1.xlsx", "tien-do-TTRA-2023-Q1.xlsx"]  # no temporary file left


def test_period_is_required_outside_the_plan_year_and_must_be_a_quarter(tmp_path):
    plan = forms_plan(tmp_path)
    result = run("forms", "-p", plan, "-o", tmp_path / "out", "--as-of", "05/01/2024")
    assert result.exit_code == 2
    assert result.stderr == ("lỗi: hôm nay (05/01/2024) không có kỳ báo cáo sắp tới của năm kế hoạch 2023; chọn kỳ "
                             "bằng --period, ví dụ --period 2023-Q1\n")
    half = run("forms", "-p", plan, "-o", tmp_path / "out", "--period", "2023-H1")
    assert half.exit_code == 2 and "2023-Q1, 2023-Q2, 2023-Q3 hoặc 2023-Q4" in half.stderr
    default = run("forms", "-p", plan, "-o", tmp_path / "out", "--as-of", "20/03/2023", "-u", "TTRA")
    assert default.exit_code == 0 and "tien-do-TTRA-2023-Q2.xlsx" in default.stderr


def test_reminder_text_per_unit(tmp_path):
    plan = forms_plan(tmp_path)
    result = run("forms", "--remind", "--as-of", "11/06/2023", "-u", "KHTC", "-u", "TTRA", "-p", plan)
    assert result.exit_code == 0, result.stderr
    blocks = result.stdout.split("\n" + "-" * 40 + "\n")
    khtc = blocks[0].strip().splitlines()
    assert khtc[:3] == [
        "Kính gửi: Phòng Kế hoạch - Tài chính",
        "Nhắc lần 2 (trước 3 ngày): Báo cáo cải cách hành chính 6 tháng đầu năm 2023: còn 3 ngày đến ngày chốt số "
        "liệu 14/06/2023.",
        "Đề nghị Phòng Kế hoạch - Tài chính cập nhật tiến độ vào biểu mẫu tien-do-KHTC-2023-Q2.xlsx và gửi lại trước "
        "ngày 14/06/2023.",
    ]
    late = khtc[khtc.index("Nhiệm vụ đã quá hạn:") + 1:]
    assert late[0].startswith("- 2.a ") and late[0].endswith("(hạn 31/05/2023; hiện 30%)")
    assert late[1].startswith("- 6.đ ") and late[1].endswith("(hạn 31/03/2023; hiện 0%)")
    assert "Nhiệm vụ chưa cập nhật tiến độ trong kỳ:" in khtc
    assert any(line.startswith("- 6.a ") for line in khtc)
    ttra = blocks[1].strip().splitlines()
    assert ttra[0] == "Kính gửi: Thanh tra Sở"
    assert ttra[-2:] == ["Chỉ tiêu cần báo cáo số liệu:", "- so-hoa Tỷ lệ số hóa kết quả giải quyết TTHC tiếp nhận mới"]
    early = run("forms", "--remind", "--as-of", "01/05/2023", "-u", "KHTC", "-p", plan)
    assert early.stdout.splitlines()[1] == ("Báo cáo cải cách hành chính 6 tháng đầu năm 2023: còn 44 ngày đến ngày "
                                            "chốt số liệu 14/06/2023.")
    last = run("forms", "--remind", "--as-of", "13/06/2023", "-u", "KHTC", "-p", plan)
    assert last.stdout.splitlines()[1].startswith("Nhắc lần cuối (trước 1 ngày): ")
    week = run("forms", "--remind", "--as-of", "07/06/2023", "-u", "KHTC", "-p", plan)
    assert week.stdout.splitlines()[1].startswith("Nhắc lần 1 (trước 7 ngày): ")
    assert not list(tmp_path.glob("**/*.xlsx"))  # reminders write nothing


def test_target_owner_is_optional_and_checked(tmp_path):
    plan = forms_plan(tmp_path)
    assert run("validate", plan).exit_code == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text(plan.read_text(encoding="utf-8").replace("owner: TTRA", "owner: PKH"), encoding="utf-8")
    result = run("validate", bad)
    assert result.exit_code == 1
    line = plan.read_text(encoding="utf-8").splitlines().index("    owner: TTRA") + 1
    assert result.stdout == f"{bad}:{line}:12: lỗi [unknown-unit] không có đơn vị mã PKH trong danh mục units\n"


def test_forms_state_comes_from_the_log_on_the_cut_off(tmp_path):
    plan = forms_plan(tmp_path)
    ws = openpyxl.load_workbook(write(plan, ["TTRA"], tmp_path / "q3", period="2023-Q3")["TTRA"])[TASK_SHEET]
    rows = {ws.cell(r, 1).value: [ws.cell(r, c).value for c in range(1, 6)] for r in range(FIRST_ROW, ws.max_row + 1)}
    assert "5.b" not in rows  # done on 15/08, before the Q3 cut-off 14/09
    assert rows["3.d"][3:] == [60, None]  # 60% on 01/07, no note
    assert "3.đ" not in rows  # done 20/03
    q1 = openpyxl.load_workbook(write(plan, ["TTRA"], tmp_path / "q1")["TTRA"])[TASK_SHEET]
    q1_rows = {q1.cell(r, 1).value: q1.cell(r, 4).value for r in range(FIRST_ROW, q1.max_row + 1)}
    assert q1_rows["3.d"] == 0  # 40% came on 05/04, after the Q1 cut-off


@pytest.mark.parametrize("lang, expected", [("en", "Wrote"), ("vi", "Đã ghi")])
def test_messages_follow_the_language(tmp_path, lang, expected):
    plan = forms_plan(tmp_path)
    result = run("forms", "-u", "TTRA", "--period", "2023-Q1", "-o", tmp_path / "out", "-p", plan, "--lang", lang)
    assert result.exit_code == 0 and result.stderr.startswith(expected)
