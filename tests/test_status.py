"""`cchc status`: counts, marks and lists as of a date, as a table, plain text and JSON."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import PLAN_2023, PROGRESS_PLAN, ROOT, run


def status_json(*args) -> dict:
    result = run("status", "-p", PROGRESS_PLAN, "--json", *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_counts_as_of_end_of_q1():
    data = status_json("--as-of", "14/03/2023")
    areas = {a["number"]: a for a in data["areas"]}
    assert [a["number"] for a in data["areas"]] == [1, 2, 3, 4, 5, 6, 7, "III"]
    # 1.a was done on 10/03; 2.a at 30% since 01/02; 3.đ is only done on 20/03.
    assert (areas[1]["done"], areas[1]["in_progress"], areas[1]["not_started"], areas[1]["late"]) == (1, 0, 5, 0)
    assert (areas[2]["done"], areas[2]["in_progress"]) == (0, 1)
    assert areas[3]["done"] == 0
    assert data["totals"] == {"done": 1, "in_progress": 1, "not_started": 35, "late": 0}


def test_counts_as_of_mid_june_include_late_tasks():
    data = status_json("--as-of", "2023-06-20")
    assert data["totals"] == {"done": 2, "in_progress": 3, "not_started": 30, "late": 2}
    assert [t["id"] for t in data["late"]] == ["2.a", "6.đ"]
    late = data["late"][0]
    assert late["percent"] == 30 and late["deadline"] == "2023-05-31"
    assert late["last_note"] == "Chờ ý kiến góp ý của các phòng"
    assert [t["id"] for t in data["upcoming"]] == ["1.đ", "III.3"]
    assert data["upcoming"][0]["next_due"] == "2023-06-30"


def test_progress_after_as_of_date_does_not_count():
    before = {a["number"]: a for a in status_json("--as-of", "2023-03-19")["areas"]}
    after = {a["number"]: a for a in status_json("--as-of", "2023-03-20")["areas"]}
    assert before[3]["done"] == 0 and after[3]["done"] == 1  # 3.đ done on 20/03


def test_target_marks():
    marks = {t["id"]: t for t in status_json("--as-of", "2023-06-20")["targets"]}
    assert (marks["hai-long"]["period"], marks["hai-long"]["value"], marks["hai-long"]["mark"]) == \
        ("2023-Q2", 86.5, "not_yet")
    assert marks["pci"]["mark"] == "reached"  # rank 8, goal top 10
    assert marks["papi"]["mark"] == "not_yet"  # group 3, goal group 2
    assert marks["dti"]["mark"] == "no_data"
    q1 = {t["id"]: t for t in status_json("--as-of", "2023-03-01")["targets"]}
    assert (q1["hai-long"]["value"], q1["hai-long"]["mark"]) == (88.2, "reached")


def test_plain_output_shows_areas_targets_and_marks():
    result = run("status", "-p", PROGRESS_PLAN, "--as-of", "20/06/2023")
    assert result.exit_code == 0
    out = result.stdout
    assert "\x1b[" not in out
    assert "tính đến ngày 20/06/2023" in out
    for n in range(1, 8):
        assert f"\n{n}. " in out
    assert "Tỷ lệ hài lòng của người dân" in out and "86,5%" in out and "chưa đạt" in out
    assert "hạng 8" in out and "đạt" in out
    assert "Nhiệm vụ quá hạn" in out and "2.a" in out


def test_bundled_plan_status_shows_seven_areas_and_targets(monkeypatch):
    monkeypatch.chdir(ROOT)
    result = run("status", "--as-of", "2023-01-15")
    assert result.exit_code == 0, result.stderr
    assert "Cải cách thể chế" in result.stdout
    assert "Chỉ số PAR INDEX" in result.stdout
    assert "Không có nhiệm vụ quá hạn." in result.stdout


def test_plan_found_through_environment(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("status", "--json", env={"CCHC_PLAN": str(PLAN_2023)})
    assert result.exit_code == 0
    assert json.loads(result.stdout)["plan"]["year"] == 2023


def test_no_plan_found_says_how_to_point_at_one(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("status")
    assert result.exit_code == 2
    assert "--plan" in result.stderr and "CCHC_PLAN" in result.stderr


def test_bad_as_of_is_usage_error():
    result = run("status", "-p", PROGRESS_PLAN, "--as-of", "31/02/2023")
    assert result.exit_code == 2


def test_piped_subprocess_has_no_ansi_and_respects_no_color():
    proc = subprocess.run([sys.executable, "-m", "cchc", "status", "-p", str(PROGRESS_PLAN)],
                          capture_output=True, text=True, encoding="utf-8")
    assert proc.returncode == 0
    assert "\x1b[" not in proc.stdout
    assert "Tổng cộng" in proc.stdout


def test_status_outside_the_plan_year_says_how_to_look_back():
    import datetime as dt

    result = run("status", "-p", PROGRESS_PLAN)
    assert result.exit_code == 0
    if dt.date.today().year != 2023:
        assert "nằm ngoài năm kế hoạch 2023" in result.stderr and "--as-of 14/06/2023" in result.stderr
    assert "nằm ngoài năm kế hoạch" not in run("status", "-p", PROGRESS_PLAN, "--as-of", "01/05/2023").stderr
