"""`cchc collect`: returned forms land row by row through the recording commands, all or nothing."""

from __future__ import annotations

import datetime as dt
import difflib
import json
import zipfile

import openpyxl
import pytest

from cchc import collect as collect_module
from cchc import load_plan
from cchc.diagnostics import CchcError
from cchc.edit import edit_together, record_progress
from cchc.forms import DATA_SHEET, FIRST_ROW, TASK_SHEET
from conftest import run
from forms_helpers import fill, forms_plan, row_of, write

TODAY = dt.date.today().isoformat()


def changed_lines(before: str, after: str) -> list[str]:
    """The lines a `git diff` would show, without context: `-old` and `+new`."""
    return [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


@pytest.fixture
def sent(tmp_path):
    """A plan and the Q1 forms of TTRA (with the target so-hoa) and KHTC."""
    plan = forms_plan(tmp_path)
    forms = write(plan, ["TTRA", "KHTC"], tmp_path / "gui-di")
    return plan, forms


def test_two_units_forms_collected_one_refused_one_applied(sent, tmp_path):
    plan, forms = sent
    khtc = fill(forms["KHTC"], tmp_path / "tien-do-KHTC.xlsx", tasks={
        "6.a": {"F": 120, "G": dt.datetime(2023, 3, 10)},            # out of range
        "6.b": {"B": "Sửa tên nhiệm vụ cho gọn"},                    # a read-only column edited
        "6.c": {"F": 30, "G": "12/03/2023", "H": "Đang lấy ý kiến"},  # fine, but the form is refused
    })
    wb = openpyxl.load_workbook(khtc)
    ws = wb[TASK_SHEET]
    extra = ws.max_row + 1
    ws[f"A{extra}"], ws[f"F{extra}"] = "7.b", 50                    # a task KHTC neither leads nor supports
    wb.save(khtc)
    rows = {ident: row_of(ws, ident) for ident in ("6.a", "6.b")}
    before = plan.read_bytes()

    refused = run("collect", khtc, "-p", plan)
    assert refused.exit_code == 1
    assert refused.stdout == ""
    title = load_plan(plan).task("6.b").title
    clipped = title[:59].rstrip() + "…"  # long values are clipped in messages
    lines = refused.stderr.splitlines()
    assert lines == [
        f"{khtc}:Nhiệm vụ!F{rows['6.a']}: phần trăm phải từ 0 đến 100, không phải 120",
        f"{khtc}:Nhiệm vụ!B{rows['6.b']}: cột “Nhiệm vụ” chỉ để xem, không được sửa: biểu mẫu gửi đi ghi "
        f"“{clipped}”, nay là “Sửa tên nhiệm vụ cho gọn”",
        f"{khtc}:Nhiệm vụ!A{extra}: nhiệm vụ 7.b không do Phòng Kế hoạch - Tài chính (KHTC) chủ trì hoặc phối "
        "hợp; không ghi",
        f"{khtc}: không ghi gì từ biểu mẫu này",
    ]
    assert plan.read_bytes() == before  # the refused form changed nothing

    ttra = fill(forms["TTRA"], tmp_path / "tien-do-TTRA.xlsx", cells={"Nhiệm vụ!B4": "Lê Văn Tâm"}, tasks={
        "1.d": {"F": 40, "G": dt.datetime(2023, 3, 10), "H": "Đã ban hành kế hoạch kiểm tra"},
        "5.đ": {"I": "Báo cáo số 20/BC-TTRA ngày 1/3/2023"},
        "6.đ": {"J": "có", "I": "Chương trình số 15/CTr-SKHCN ngày 8/3/2023", "G": "08/03/2023"},
    }, targets={"so-hoa": {"E": 35, "F": "Hệ thống một cửa điện tử"}})
    text_before = plan.read_text(encoding="utf-8")
    applied = run("collect", ttra, "-p", plan)
    assert applied.exit_code == 0, applied.stderr
    form_id = openpyxl.load_workbook(ttra)[TASK_SHEET]["D4"].value
    assert applied.stdout.splitlines() == [
        "1.d: 0% → 40% (Đã ban hành kế hoạch kiểm tra)",
        "5.đ: thêm tài liệu kiểm chứng: Báo cáo số 20/BC-TTRA ngày 1/3/2023",
        "6.đ: hoàn thành, tài liệu kiểm chứng: Chương trình số 15/CTr-SKHCN ngày 8/3/2023",
        "chỉ tiêu so-hoa 2023-Q1: 35% (mới)",
        f"biểu mẫu {form_id}: đã thu (đơn vị TTRA, tệp tien-do-TTRA.xlsx)",
    ]
    assert applied.stderr == (f"Đã ghi 4 dòng của biểu mẫu {form_id} vào plan_2023.yaml; xem thay đổi: git diff -- "
                              f"{plan}\n")
    assert changed_lines(text_before, plan.read_text(encoding="utf-8")) == [
        "-    measurements: []",
        "+    measurements:",
        "+      - period: 2023-Q1",
        "+        value: 35",
        "+        source: Hệ thống một cửa điện tử",
        "-        status: not_started",
        "-        progress: []",
        "+        status: in_progress",
        "+        progress:",
        "+          - date: 2023-03-10",
        "+            percent: 40",
        "+            note: Đã ban hành kế hoạch kiểm tra",
        "+            by: Lê Văn Tâm",
        "-        evidence: []",
        "+        evidence:",
        "+          - text: Báo cáo số 20/BC-TTRA ngày 1/3/2023",
        "+            number: 20/BC-TTRA",
        "+            date: 2023-03-01",
        "-        status: not_started",
        "-        progress: []",
        "-        evidence: []",
        "+        status: done",
        "+        progress:",
        "+          - date: 2023-03-08",
        "+            percent: 100",
        "+            by: Lê Văn Tâm",
        "+            event: done",
        "+        evidence:",
        "+          - text: Chương trình số 15/CTr-SKHCN ngày 8/3/2023",
        "+            number: 15/CTr-SKHCN",
        "+            date: 2023-03-08",
        "+collected_forms:",
        f"+  - id: {form_id}",
        "+    unit: TTRA",
        "+    period: 2023-Q1",
        f"+    date: {TODAY}",
        "+    by: Lê Văn Tâm",
        "+    file: tien-do-TTRA.xlsx",
    ]
    assert run("validate", plan).exit_code == 0

    # Both again in one run: the collected one adds nothing and says so, the refused one is refused again.
    after = plan.read_bytes()
    again = run("collect", ttra, khtc, "-p", plan)
    assert again.exit_code == 1
    assert f"{ttra}: biểu mẫu {form_id} đã được thu ngày {dt.date.today():%d/%m/%Y}; lần này không ghi thêm gì" \
        in again.stderr.splitlines()
    assert f"{khtc}: không ghi gì từ biểu mẫu này" in again.stderr.splitlines()
    assert again.stdout == ""
    assert plan.read_bytes() == after


def test_collecting_twice_adds_nothing_and_says_so(sent, tmp_path):
    plan, forms = sent
    form = fill(forms["KHTC"], tmp_path / "tra-lai.xlsx", tasks={
        "6.c": {"F": 30, "G": "12/03/2023", "I": "Công văn số 3/SKHCN-KHTC ngày 2/3/2023"}})
    first = run("collect", form, "-p", plan)
    assert first.exit_code == 0, first.stderr
    text = plan.read_text(encoding="utf-8")
    # Progress and evidence of one task in one write; without a "Người điền", `by` is the unit's name.
    assert ("        status: in_progress\n        progress:\n          - date: 2023-03-12\n            percent: 30\n"
            "            by: Phòng Kế hoạch - Tài chính\n        evidence:\n          - text: Công văn số "
            "3/SKHCN-KHTC ngày 2/3/2023\n") in text
    second = run("collect", form, "-p", plan)
    assert second.exit_code == 0
    assert second.stdout == ""
    form_id = openpyxl.load_workbook(form)[TASK_SHEET]["D4"].value
    assert second.stderr == f"{form}: biểu mẫu {form_id} đã được thu ngày {dt.date.today():%d/%m/%Y}; lần này không " \
                            "ghi thêm gì\n"
    assert plan.read_text(encoding="utf-8") == text


def test_dry_run_prints_the_changes_and_writes_nothing(sent, tmp_path):
    plan, forms = sent
    form = fill(forms["TTRA"], tmp_path / "f.xlsx", tasks={"1.b": {"F": 45, "G": "01/03/2023", "H": "Đang rà soát"}})
    before = plan.read_bytes()
    result = run("collect", form, "--dry-run", "-p", plan)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == "1.b: 0% → 45% (Đang rà soát)"
    assert result.stderr == f"{form}: chạy thử, chưa ghi gì vào plan_2023.yaml\n"
    assert plan.read_bytes() == before
    assert run("collect", form, "-p", plan).exit_code == 0  # and the form can still be collected


def test_a_task_changed_since_the_form_was_sent_is_shown_not_overwritten(sent, tmp_path):
    plan, forms = sent
    record_progress(plan, "1.d", 20, note="Văn phòng ghi trước", date="05/03/2023", by="Văn thư")
    form = fill(forms["TTRA"], tmp_path / "f.xlsx", tasks={"1.d": {"F": 40, "G": "10/03/2023", "H": "Xong bước 1"}})
    row = row_of(openpyxl.load_workbook(form)[TASK_SHEET], "1.d")
    before = plan.read_bytes()
    result = run("collect", form, "-p", plan)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"{form}:Nhiệm vụ!A{row}: nhiệm vụ 1.d đã thay đổi trong kế hoạch từ khi gửi biểu mẫu (nay: 20% 05/03/2023 "
        "“Văn phòng ghi trước”); không ghi đè. Biểu mẫu ghi: 40% 10/03/2023 “Xong bước 1”. Hãy xem lại rồi ghi bằng "
        "cchc update, hoặc gửi biểu mẫu mới: cchc forms --unit TTRA --period 2023-Q1")
    assert plan.read_bytes() == before


def test_a_form_for_another_plan_is_refused(sent, tmp_path):
    plan, _forms = sent
    other_dir = tmp_path / "khac"
    other_dir.mkdir()
    other = forms_plan(other_dir)
    other.write_text(other.read_text(encoding="utf-8").replace("  issuer: Sở Khoa học và Công nghệ\n",
                                                               "  issuer: Sở Tư pháp\n", 1), encoding="utf-8")
    form = fill(write(other, ["TTRA"], other_dir / "out")["TTRA"], tmp_path / "f.xlsx", tasks={"1.d": {"F": 10}})
    before = plan.read_bytes()
    result = run("collect", form, "-p", plan)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"{form}:Nhiệm vụ!A2: biểu mẫu của kế hoạch khác (Sở Tư pháp năm 2023), không phải của kế hoạch này "
        "(Sở Khoa học và Công nghệ năm 2023)")
    assert plan.read_bytes() == before


def test_an_edited_hidden_payload_is_refused(sent, tmp_path):
    plan, forms = sent
    wb = openpyxl.load_workbook(forms["TTRA"])
    data = wb[DATA_SHEET]
    payload = json.loads(data["A1"].value)
    payload["tasks"][0][1][3] = 90  # pretend the task stood at 90%
    data["A1"] = json.dumps(payload, ensure_ascii=False)
    form = tmp_path / "sua.xlsx"
    wb.save(form)
    result = run("collect", form, "-p", plan)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"{form}:cchc!B1: phần dữ liệu ẩn của biểu mẫu đã bị sửa (mã kiểm tra không khớp); hãy dùng biểu mẫu gốc "
        "hoặc tạo biểu mẫu mới")


def test_values_out_of_range_and_malformed_cells_each_get_their_cell(sent, tmp_path):
    plan, forms = sent
    form = fill(forms["TTRA"], tmp_path / "f.xlsx", tasks={
        "1.b": {"F": -5},
        "1.c": {"F": 10, "G": "31/02/2023"},
        "1.đ": {"F": 10, "G": "05/01/2024"},
        "1.e": {"J": "xong"},
        "2.b": {"J": "có"},                     # done without evidence
        "2.c": {"J": "có", "F": 80, "I": "Báo cáo số 1/BC-TTRA"},
        "2.d": {"H": "chỉ có ghi chú"},
    }, targets={"so-hoa": {"E": "nhiều"}})
    ws = openpyxl.load_workbook(form)[TASK_SHEET]
    r = {i: row_of(ws, i) for i in ("1.b", "1.c", "1.đ", "1.e", "2.b", "2.c", "2.d")}
    before = plan.read_bytes()
    result = run("collect", form, "-p", plan)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{form}:Nhiệm vụ!F{r['1.b']}: phần trăm phải từ 0 đến 100, không phải -5",
        f"{form}:Nhiệm vụ!G{r['1.c']}: ngày “31/02/2023” không hợp lệ; hãy ghi dd/mm/yyyy, ví dụ 20/03/2023",
        f"{form}:Nhiệm vụ!G{r['1.đ']}: ngày 05/01/2024 nằm ngoài năm kế hoạch 2023",
        f"{form}:Nhiệm vụ!J{r['1.e']}: ô “Hoàn thành” chỉ nhận “có” hoặc “không”, không phải “xong”",
        f"{form}:Nhiệm vụ!I{r['2.b']}: hoàn thành cần tài liệu kiểm chứng: ghi số, ngày văn bản vào cột “Tài liệu "
        "kiểm chứng”",
        f"{form}:Nhiệm vụ!F{r['2.c']}: đã chọn hoàn thành thì để trống tiến độ mới hoặc ghi 100, không phải 80",
        f"{form}:Nhiệm vụ!F{r['2.d']}: có ghi chú nhưng chưa ghi tiến độ mới (%)",
        f"{form}:Chỉ tiêu!E{FIRST_ROW}: “nhiều” không phải một số",
        f"{form}: không ghi gì từ biểu mẫu này",
    ]
    assert plan.read_bytes() == before


def test_a_percentage_typed_with_a_percent_sign(sent, tmp_path):
    plan, forms = sent
    wb = openpyxl.load_workbook(forms["TTRA"])
    ws = wb[TASK_SHEET]
    r = row_of(ws, "1.b")
    ws[f"F{r}"], ws[f"G{r}"] = 0.55, "01/03/2023"
    ws[f"F{r}"].number_format = "0%"  # what Excel and Calc make of "55%"
    form = tmp_path / "f.xlsx"
    wb.save(form)
    result = run("collect", form, "-p", plan)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == "1.b: 0% → 55%"


def test_a_refusal_from_the_recording_functions_points_at_its_cell(sent, tmp_path):
    plan, forms = sent
    # 3.đ was done on 20/03, after the cut-off, so the form lists it; recording progress is refused.
    form = fill(forms["TTRA"], tmp_path / "f.xlsx", tasks={"3.đ": {"F": 50, "G": "01/03/2023"}})
    r = row_of(openpyxl.load_workbook(form)[TASK_SHEET], "3.đ")
    result = run("collect", form, "-p", plan)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"{form}:Nhiệm vụ!F{r}: nhiệm vụ 3.đ đã hoàn thành; muốn ghi tiếp tiến độ thì mở lại trước: cchc reopen 3.đ "
        "--reason “…”")


def test_oversized_files_and_zip_bombs_are_refused_before_openpyxl(sent, tmp_path, monkeypatch):
    plan, forms = sent

    def no_openpyxl(*args, **kwargs):
        raise AssertionError("openpyxl must not open this file")

    monkeypatch.setattr(openpyxl, "load_workbook", no_openpyxl)
    monkeypatch.setattr(collect_module, "MAX_FORM_BYTES", 1000)
    big = run("collect", forms["TTRA"], "-p", plan)
    assert big.exit_code == 1
    assert big.stderr.splitlines()[0].startswith(f"{forms['TTRA']}: tệp quá lớn cho một biểu mẫu (")
    monkeypatch.setattr(collect_module, "MAX_FORM_BYTES", 20 * 2**20)
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        with z.open("xl/worksheets/sheet1.xml", "w") as f:
            for _ in range(210):
                f.write(bytes(2**20))  # 210 MB of zeros, about 200 kB compressed
    assert bomb.stat().st_size < 1_000_000
    result = run("collect", bomb, "-p", plan)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (f"{bomb}: tệp nén chứa quá nhiều dữ liệu cho một biểu mẫu (210 MB khi "
                                             "giải nén); không mở")
    text = tmp_path / "not.xlsx"
    text.write_text("hello", encoding="utf-8")
    assert run("collect", text, "-p", plan).stderr.splitlines()[0] == f"{text}: không phải tệp bảng tính .xlsx"
    missing = run("collect", tmp_path / "none.xlsx", "-p", plan)
    assert missing.exit_code == 2


def test_edit_together_lands_all_edits_or_none(sent):
    plan, _forms = sent
    before = plan.read_bytes()

    def two_edits(loaded, edit):
        record_progress(plan, "1.b", 10, date="01/03/2023", by="A")
        record_progress(plan, "1.c", 200, date="01/03/2023", by="A")

    with pytest.raises(CchcError, match="phần trăm phải từ 0 đến 100"):
        edit_together(plan, two_edits)
    assert plan.read_bytes() == before

    def both(loaded, edit):
        return [record_progress(plan, "1.b", 10, date="01/03/2023", by="A"),
                record_progress(plan, "1.c", 20, date="01/03/2023", by="A")]

    results = edit_together(plan, both)
    assert [r.summary for r in results] == ["Đã ghi tiến độ 10% cho nhiệm vụ 1.b", "Đã ghi tiến độ 20% cho nhiệm vụ 1.c"]
    text = plan.read_text(encoding="utf-8")
    assert text.count("            percent: 10\n            by: A\n") == 1
    assert text.count("            percent: 20\n            by: A\n") == 1


def test_a_submitted_period_is_refused_unless_amended(sent, tmp_path):
    plan, forms = sent
    submitted = run("submit", "--quarter", "1", "--number", "45/BC-SKHCN", "--date", "15/03/2023", "-p", plan)
    assert submitted.exit_code == 0, submitted.stderr
    form = fill(forms["TTRA"], tmp_path / "f.xlsx", tasks={"1.d": {"F": 40, "G": "10/03/2023"},
                                                           "1.b": {"F": 10, "G": "20/03/2023"}})
    before = plan.read_bytes()
    refused = run("collect", form, "-p", plan)
    assert refused.exit_code == 1
    assert refused.stderr.startswith(f"{form}: {plan}: ") and "--amend-submitted" in refused.stderr
    assert plan.read_bytes() == before  # not even 1.b, dated after the cut-off, landed
    amended = run("collect", form, "-p", plan, "--amend-submitted", "Thanh tra gửi biểu mẫu muộn")
    assert amended.exit_code == 0, amended.stderr
    text = plan.read_text(encoding="utf-8")
    assert "reason: Thanh tra gửi biểu mẫu muộn" in text and "collected_forms:" in text
    assert text.index("collected_forms:") < text.index("submissions:")
    assert run("validate", plan).exit_code == 0


def test_rows_added_below_the_form_are_refused_with_their_reason(sent, tmp_path):
    plan, forms = sent
    wb = openpyxl.load_workbook(forms["TTRA"])
    ws = wb[TASK_SHEET]
    last = ws.max_row
    ws[f"A{last + 1}"], ws[f"F{last + 1}"] = "1.d", 30        # already on its own row
    ws[f"A{last + 2}"], ws[f"F{last + 2}"] = "9.z", 30        # no such task
    ws[f"H{last + 3}"] = "một ghi chú lạc chỗ"                # no id at all
    form = tmp_path / "them-dong.xlsx"
    wb.save(form)
    row_1d = row_of(ws, "1.d")
    before = plan.read_bytes()
    result = run("collect", form, "-p", plan)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{form}:Nhiệm vụ!A{last + 1}: “1.d” đã có ở dòng {row_1d}; ghi vào dòng đó, không thêm dòng mới",
        f"{form}:Nhiệm vụ!A{last + 2}: không có nhiệm vụ mã “9.z” trong kế hoạch",
        f"{form}:Nhiệm vụ!A{last + 3}: dòng {last + 3} không có trong biểu mẫu gửi đi; không nhận dòng thêm",
        f"{form}: không ghi gì từ biểu mẫu này",
    ]
    assert plan.read_bytes() == before


def test_annual_form_records_ranks_for_the_year_and_rates_for_the_quarter(tmp_path):
    plan = forms_plan(tmp_path)
    text = plan.read_text(encoding="utf-8")
    pci = "  - id: pci\n    name: Chỉ số PCI (Top 10 tỉnh, thành)\n"
    assert text.count(pci) == 1
    plan.write_text(text.replace(pci, pci + "    owner: TTRA\n"), encoding="utf-8")
    q4 = write(plan, ["TTRA"], tmp_path / "q4", period="2023-Q4")["TTRA"]
    sheet = openpyxl.load_workbook(q4)["Chỉ tiêu"]
    assert [sheet.cell(r, 1).value for r in (FIRST_ROW, FIRST_ROW + 1)] == ["so-hoa", "pci"]
    assert sheet.cell(FIRST_ROW + 1, 4).value == "hạng 8 (2023)"
    assert sheet["A5"].value.startswith("Ghi kết quả của kỳ 2023-Q4, 2023 vào cột")
    form = fill(q4, tmp_path / "f.xlsx", targets={"so-hoa": {"E": 60},
                                                  "pci": {"E": 7, "F": "VCCI, PCI 2023 (bản chính thức)"}})
    before = plan.read_text(encoding="utf-8")
    result = run("collect", form, "-p", plan)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[:2] == ["chỉ tiêu so-hoa 2023-Q4: 60% (mới)", "chỉ tiêu pci 2023: hạng 8 → hạng 7"]
    assert changed_lines(before, plan.read_text(encoding="utf-8"))[:9] == [
        "-    measurements: []",
        "+    measurements:",
        "+      - period: 2023-Q4",
        "+        value: 60",
        "-        value: 8",
        "-        source: VCCI, PCI 2023",
        "+        value: 7",
        "+        source: VCCI, PCI 2023 (bản chính thức)",
        "+collected_forms:",
    ]
    # A quarter's form leaves ranks out: they are published once a year.
    q3 = openpyxl.load_workbook(write(plan, ["TTRA"], tmp_path / "q3", period="2023-Q3")["TTRA"])["Chỉ tiêu"]
    assert [q3.cell(r, 1).value for r in range(FIRST_ROW, q3.max_row + 1) if q3.cell(r, 1).value] == ["so-hoa"]
