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

from .i18n import _
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
    """The dated deliverables of a task: its deadline, or its recurrence expanded over `year`."""
    d = task.deadline
    if isinstance(d, dt.date):
        return [d]
    if d is Recurrence.monthly:
        return [_month_end(year, m) for m in range(1, 13)]
    if d is Recurrence.quarterly:
        return [_month_end(year, m) for m in (3, 6, 9, 12)]
    if d is Recurrence.half_yearly:
        return [_month_end(year, m) for m in (6, 12)]
    return [dt.date(year, 12, 31)]


def final_deadline(task: Task, year: int) -> dt.date:
    return deliverables(task, year)[-1]


def next_deliverable(task: Task, year: int, as_of: dt.date) -> dt.date | None:
    return next((d for d in deliverables(task, year) if d >= as_of), None)


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


_DMY = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$")


def parse_user_date(text: str) -> dt.date:
    """A date typed by a user: `dd/mm/yyyy` (Vietnamese order) or ISO `yyyy-mm-dd`."""
    m = _DMY.match(text)
    try:
        if m:
            return dt.date(int(m[3]), int(m[2]), int(m[1]))
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(_("ngày “{text}” không hợp lệ; hãy nhập dd/mm/yyyy, ví dụ 20/03/2023").format(text=text)) \
            from None


def format_date(day: dt.date) -> str:
    """Vietnamese short date: 05/03/2023."""
    return day.strftime("%d/%m/%Y")


def format_date_long(day: dt.date) -> str:
    """The place-and-date line's form (Nghị định 30): days < 10 and months 1, 2 get a leading zero."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return _("ngày {d:02d} tháng {m} năm {y}").format(d=day.day, m=month, y=day.year)
