"""Reporting periods and dated deliverables: pure date arithmetic over the plan year.

The four periodic CCHC reports cut their data on the 14th of the period's last month, counting
from the 15th of the month before the period starts (reporting.md). Quarters 1, 2 and 4 are
cumulative from 15/12 of the previous year; quarter 3 covers the quarter alone.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from .i18n import N_, _
from .model import Recurrence, Task


@dataclass(frozen=True)
class ReportPeriod:
    year: int
    quarter: int  # 1..4: Q1 report, six-month report, Q3 report, annual report
    start: dt.date
    end: dt.date
    calendar: bool = False

    @property
    def key(self) -> str:
        """The key of this report's narratives and measurements in the plan file (`2023-Q2`)."""
        return f"{self.year}-Q{self.quarter}"

    @property
    def name(self) -> str:
        """Vietnamese name of the report's period, as in its title ("6 tháng đầu năm 2023")."""
        if self.calendar:
            return _("quý {q} năm {year}").format(q=_ROMAN[self.quarter], year=self.year)
        return {
            1: _("quý I năm {year}"),
            2: _("6 tháng đầu năm {year}"),
            3: _("quý III năm {year}"),
            4: _("năm {year}"),
        }[self.quarter].format(year=self.year)

    @property
    def short_name(self) -> str:
        """The report's name without the year, as in "nộp báo cáo quý I"."""
        if self.calendar:
            return _("quý {q}").format(q=_ROMAN[self.quarter])
        return {1: _("quý I"), 2: _("6 tháng đầu năm"), 3: _("quý III"), 4: _("năm")}[self.quarter]

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


def report_period(year: int, quarter: int, calendar_quarters: bool = False) -> ReportPeriod:
    """The data period of report `quarter` (1-4) of `year`."""
    if quarter not in (1, 2, 3, 4):
        raise ValueError(_("quý phải là 1, 2, 3 hoặc 4"))
    if calendar_quarters:
        first_month = 3 * (quarter - 1) + 1
        last_month = first_month + 2
        return ReportPeriod(year, quarter, dt.date(year, first_month, 1),
                            dt.date(year, last_month, calendar.monthrange(year, last_month)[1]), True)
    end = dt.date(year, 3 * quarter, 14)
    start = dt.date(year, 6, 15) if quarter == 3 else dt.date(year - 1, 12, 15)
    return ReportPeriod(year, quarter, start, end)


def key_quarter(key: str) -> tuple[int, int]:
    """Which periodic report a narrative or measurement key belongs to: (year, report number 1-4).

    `2023-Q1` is the first-quarter report's; `2023-Q2` and `2023-H1` the six-month report's; `2023-Q3`
    the third-quarter report's; `2023-Q4` and a bare `2023` the annual report's. `check`, `report` and
    `kpi` all ask this, so a key means the same report everywhere.
    """
    year, part = int(key[:4]), key[5:]
    if part == "H1":
        return year, 2
    if part.startswith("Q"):
        return year, int(part[1])
    return year, 4


def report_keys(year: int, quarter: int) -> tuple[str, ...]:
    """The keys of report `quarter`'s narratives and measurements, the preferred one first."""
    return {1: (f"{year}-Q1",), 2: (f"{year}-Q2", f"{year}-H1"), 3: (f"{year}-Q3",),
            4: (str(year), f"{year}-Q4")}[quarter]


def key_name(key: str) -> str:
    """The Vietnamese name of the period a key stands for: "6 tháng đầu năm 2023" for `2023-H1`."""
    return report_period(*key_quarter(key)).name


def period_bounds(key: str) -> tuple[dt.date, dt.date]:
    """The span of data a measurement key covers, to order measurements and hide those not begun yet.

    `2023-Q2` covers 15/03 → 14/06 (its quarter; data cut on the 14th, reporting.md), though it counts
    for the six-month report (`key_quarter`); `2023-H1` covers 15/12 → 14/06; a bare year the calendar year.
    """
    year, part = int(key[:4]), key[5:]
    if part.startswith("Q"):
        quarter = int(part[1])
        start = dt.date(year - 1, 12, 15) if quarter == 1 else dt.date(year, 3 * quarter - 3, 15)
        return start, dt.date(year, 3 * quarter, 14)
    if part == "H1":
        return dt.date(year - 1, 12, 15), dt.date(year, 6, 14)
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def next_period(period: ReportPeriod) -> ReportPeriod | None:
    """The period after `period` in the same plan year, or None after the annual report."""
    if period.quarter == 4:
        return None
    nxt = report_period(period.year, period.quarter + 1, period.calendar)
    if not period.calendar:
        # The next period's work starts after this cut-off, even when its report is cumulative.
        return ReportPeriod(nxt.year, nxt.quarter, period.end + dt.timedelta(days=1), nxt.end)
    return nxt


def deliverables(task: Task, year: int) -> list[dt.date]:
    """The dated deliverables of a task: its deadline, or its recurrence expanded over `year`.

    A recurrence falls on the last day of its months, or on `task.due_day` of them (the 20th of each
    month, the 15th of each quarter's last month); a day past a month's end is that month's last day
    (30 → 28/02, or 29/02 in a leap year).
    """
    d = task.deadline
    if isinstance(d, dt.date):
        return [d]
    months = RECURRENCE_MONTHS[d]
    return [_day_of_month(year, m, task.due_day) for m in months]


# What follows a recurrence's name when it has a day ("hằng tháng, hạn ngày 20").
DUE_DAY_TEXT = {
    Recurrence.monthly: N_(", hạn ngày {day}"),
    Recurrence.quarterly: N_(", hạn ngày {day} tháng cuối quý"),
    Recurrence.half_yearly: N_(", hạn ngày {day} tháng 6 và tháng 12"),
    Recurrence.year_round: N_(", hạn ngày {day} tháng 12"),
}


def due_day_text(task: Task, translate=_) -> str:
    """The day of a recurring deadline as words to put after its name, "" if it has none.

    `translate=str` keeps the Vietnamese whatever --lang says (for documents handed to the office).
    """
    if task.due_day is None or isinstance(task.deadline, dt.date):
        return ""
    return translate(DUE_DAY_TEXT[task.deadline]).format(day=task.due_day)


RECURRENCE_MONTHS = {
    Recurrence.monthly: tuple(range(1, 13)),
    Recurrence.quarterly: (3, 6, 9, 12),
    Recurrence.half_yearly: (6, 12),
    Recurrence.year_round: (12,),
}


def final_deadline(task: Task, year: int) -> dt.date:
    return deliverables(task, year)[-1]


def next_deliverable(task: Task, year: int, as_of: dt.date) -> dt.date | None:
    return next((d for d in deliverables(task, year) if d >= as_of), None)


def _day_of_month(year: int, month: int, day: int | None) -> dt.date:
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day or last, last))


_DMY = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$")


def parse_user_date(text: str, year: int | None = None) -> dt.date:
    """A date typed by a user: `dd/mm/yyyy` (Vietnamese order) or ISO `yyyy-mm-dd`.

    `year` is the plan's: the refusal's example is a date of that year, never of another agency's plan.
    """
    m = _DMY.match(text)
    try:
        if m:
            return dt.date(int(m[3]), int(m[2]), int(m[1]))
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        if year is None:
            raise ValueError(_("ngày “{text}” không hợp lệ; hãy nhập ngày/tháng/năm dạng dd/mm/yyyy").format(
                text=text)) from None
        raise ValueError(_("ngày “{text}” không hợp lệ; hãy nhập dd/mm/yyyy, ví dụ 20/03/{year}").format(
            text=text, year=year)) from None


def format_date(day: dt.date) -> str:
    """Vietnamese short date: 05/03/2023."""
    return day.strftime("%d/%m/%Y")


def format_date_long(day: dt.date) -> str:
    """The place-and-date line's form (Nghị định 30): days < 10 and months 1, 2 get a leading zero."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return _("ngày {d:02d} tháng {m} năm {y}").format(d=day.day, m=month, y=day.year)
