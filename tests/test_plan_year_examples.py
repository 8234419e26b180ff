"""No message or example shows a year other than the plan's: another agency's 2024 plan never reads 2023."""

from __future__ import annotations

import pytest

from conftest import FIXTURES, run
from cchc.command_modules import COMMAND_MODULES

DISTRICT = FIXTURES / "plan_district_2024.yaml"


def test_a_bad_date_is_explained_with_a_date_of_the_plans_year(tmp_path):
    plan = tmp_path / "plan_2024.yaml"
    plan.write_bytes(DISTRICT.read_bytes())
    before = plan.read_bytes()
    from cchc.diagnostics import UsageError
    from cchc.edit import record_progress

    with pytest.raises(UsageError) as refused:
        record_progress(plan, "1.b", 70, date="31/02/2024", by="An")
    assert str(refused.value) == "ngày “31/02/2024” không hợp lệ; hãy nhập dd/mm/yyyy, ví dụ 20/03/2024"
    # On the command line the date is read before the plan, so the example names no year at all.
    result = run("update", "1.b", "--percent", "70", "--date", "31/02/2024", "-p", plan, "--by", "An")
    assert result.exit_code == 2
    assert "ngày “31/02/2024” không hợp lệ; hãy nhập ngày/tháng/năm dạng dd/mm/yyyy" in result.stderr
    assert "2023" not in result.stderr
    assert plan.read_bytes() == before


def test_a_bad_as_of_date_names_no_year():
    result = run("status", "-p", DISTRICT, "--as-of", "32/01/2024")
    assert result.exit_code == 2
    assert "hãy nhập ngày/tháng/năm dạng dd/mm/yyyy" in result.stderr
    assert "2023" not in result.stderr


@pytest.mark.parametrize("command", sorted({c for names in COMMAND_MODULES.values() for c in names}
                                           | {"validate", "status"}))
def test_no_help_page_shows_a_year(command):
    result = run(command, "-h")
    assert result.exit_code == 0
    assert "2023" not in result.stdout, command
