"""What users type for a question, turned into values: task states, durations, unit keys, areas.

`tasks --status "quá hạn" --due-within 2w --unit vp --area III` on the command line, and the same
filters on the web pages, go through these; each refuses a value it cannot read with a
`UsageError` that lists what it accepts. Words are compared without diacritics or case (`text.fold`).
"""

from __future__ import annotations

import re

from .diagnostics import UsageError
from .i18n import _
from .model import Plan
from .query import duties_area
from .status import State
from .text import fold, nfc

_STATE_WORDS: dict[str, State] = {
    "hoan thanh": State.done, "done": State.done, "xong": State.done, "finished": State.done,
    "dang thuc hien": State.in_progress, "in progress": State.in_progress, "doing": State.in_progress,
    "dang lam": State.in_progress,
    "chua bat dau": State.not_started, "not started": State.not_started, "todo": State.not_started,
    "to do": State.not_started,
    "qua han": State.late, "tre han": State.late, "late": State.late, "overdue": State.late,
}


def parse_state(text: str) -> State:
    """A task state as a user types it: Vietnamese with or without diacritics, or an English alias.

    Raises UsageError listing the accepted words when `text` is none of them.
    """
    key = fold(text).replace("-", " ").replace("_", " ")
    state = _STATE_WORDS.get(" ".join(key.split()))
    if state is None:
        choices = ", ".join(s.label for s in State)
        raise UsageError(_("trạng thái “{text}” không hợp lệ; chọn một trong: {choices} "
                          "(hoặc done, doing, todo, late)").format(text=nfc(text), choices=choices))
    return state


def parse_states(values: list[str] | None) -> set[State]:
    """States from repeated and/or comma-separated `--status` values."""
    out: set[State] = set()
    for value in values or []:
        for part in value.split(","):
            if part.strip():
                out.add(parse_state(part))
    return out


_DURATION = re.compile(r"^(\d+)\s*(d|ngay|w|tuan|m|thang)?$")


def parse_duration(text: str) -> int:
    """A number of days from `30d`, `30`, `30 ngày`, `2w`, `2 tuần`, `1m` or `1 tháng` (30 days)."""
    m = _DURATION.match(fold(text))
    if not m:
        raise UsageError(_("khoảng thời gian “{text}” không hợp lệ; ví dụ: 30d (30 ngày), 2w (2 tuần), "
                          "1m (1 tháng)").format(text=nfc(text)))
    n, unit = int(m[1]), m[2] or "d"
    return n * {"d": 1, "ngay": 1, "w": 7, "tuan": 7, "m": 30, "thang": 30}[unit]


def resolve_unit(plan: Plan, key: str) -> str:
    """The registry key a user meant (exact, else the one key equal ignoring case and diacritics).

    Raises UsageError with the known keys when there is none.
    """
    key = nfc(key.strip())
    if key in plan.units:
        return key
    near = [k for k in plan.units if fold(k) == fold(key)]
    if len(near) == 1:
        return near[0]
    raise UsageError(_("không có đơn vị mã “{key}” trong danh mục; các mã có: {keys}").format(
        key=key, keys=", ".join(plan.units)))


def area_numbers(plan: Plan) -> list[str]:
    """The values `--area` accepts: each area's number, then the duties' section (`III`) if there are duties."""
    out = [str(a.number) for a in plan.areas]
    if plan.duties:
        out.append(duties_area(plan))
    return out


def resolve_area(plan: Plan, value: str) -> int | str:
    """An area number from `--area` (`3`, or `III` for the organisation duties). UsageError if unknown."""
    value = nfc(value.strip()).upper()
    known = area_numbers(plan)
    if value not in known:
        raise UsageError(_("không có lĩnh vực “{value}” trong kế hoạch; các lĩnh vực có: {known}").format(
            value=value, known=", ".join(known)))
    return value if value == duties_area(plan) else int(value)
