"""The plan's schema: plain Pydantic data types and nothing else.

The YAML keys are the field names. Every model forbids unknown keys, so a misspelt field is an
error rather than silently ignored data. Cross-references (unit keys, duplicate ids, lettering,
dates inside the plan year) are checked by `semantic_problems`, which returns the path of each
offending value so the loader can point at its line.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import Enum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema, field_validator

from .i18n import N_, _
from .text import DUTY_ID_RE, TASK_ID_RE, letter_rank, nfc

SCHEMA_VERSION = 1
ALL_UNITS = "ALL"  # in `support`: every unit of the registry

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
PERIOD_RE = re.compile(r"^(?P<year>\d{4})(-(?P<part>Q[1-4]|H1))?$")
REPORT_KEY_RE = re.compile(r"^\d{4}-Q[1-4]$")  # the key of one of the four periodic reports


def _iso_date(value: Any) -> Any:
    # Pydantic's lax mode reads numbers as Unix timestamps; a date in the plan must be written
    # as an ISO date, so anything else is refused before Pydantic sees it.
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.match(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(_("ngày không tồn tại: {value}").format(value=value)) from None
    raise ValueError(_("cần một ngày dạng YYYY-MM-DD"))


def _nfc_text(value: Any) -> Any:
    return nfc(value) if isinstance(value, str) else value


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]
Text = Annotated[str, BeforeValidator(_nfc_text)]


def _lines(value: Any) -> Any:
    # One line may be written as a plain string; "" means none.
    if isinstance(value, str):
        return [value] if value.strip() else []
    return value


# Lines of a letterhead or signature block: a string for one line, a list for several.
Lines = Annotated[list[Text], BeforeValidator(_lines), WithJsonSchema({
    "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]})]
DEFAULT_ALL_UNITS_TEXT = "Các phòng, đơn vị"
DEFAULT_DUTIES_NUMBER = "III"


class Recurrence(str, Enum):
    """A deadline that recurs; it expands to dated deliverables (see `periods.deliverables`)."""

    monthly = "monthly"
    quarterly = "quarterly"
    half_yearly = "half-yearly"
    year_round = "year-round"  # "thường xuyên", "cả năm": one deliverable at the end of the year


def _deadline(value: Any) -> Any:
    if isinstance(value, Recurrence):
        return value
    if isinstance(value, str) and not _ISO_DATE.match(value):
        try:
            return Recurrence(value)
        except ValueError:
            choices = ", ".join(r.value for r in Recurrence)
            raise ValueError(
                _("thời hạn phải là một ngày YYYY-MM-DD hoặc một trong: {choices}").format(choices=choices)
            ) from None
    return _iso_date(value)


Deadline = Annotated[dt.date | Recurrence, BeforeValidator(_deadline)]


class Status(str, Enum):
    not_started = "not_started"
    in_progress = "in_progress"
    done = "done"


class TargetKind(str, Enum):
    percent = "percent"  # reach at least `target` %
    rank = "rank"  # reach rank `target` or better (top 10)
    group = "group"  # be in group `target` or better (PAPI group 2)
    count = "count"  # reach at least `target`


class Strict(BaseModel):
    # allow_inf_nan: `.nan`, `.inf` and 1e309 are not amounts anyone measured (and crash the reports).
    # defer_build: a model's validator is built when it first validates, which a command reading
    # the plan from the cache never does (cchc/cache.py rebuilds trusted models without it).
    model_config = ConfigDict(extra="forbid", use_enum_values=False, validate_default=False, defer_build=True,
                              allow_inf_nan=False)


class Signer(Strict):
    name: Text
    title: Text = Field(description="Chức vụ người ký, ví dụ: Giám đốc")
    authority: Lines = Field([], description=(
        "Thẩm quyền ký, mỗi dòng một phần tử, ví dụ: KT. GIÁM ĐỐC; hoặc TM. ỦY BAN NHÂN DÂN, KT. CHỦ TỊCH"))


class LegalBasis(Strict):
    type: Text = Field(description="Loại văn bản: Quyết định, Nghị định, Kế hoạch…")
    number: Text
    date: IsoDate
    issuer: Text
    title: Text


class PlanInfo(Strict):
    year: int = Field(ge=2000, le=2100)
    title: Text
    issuer: Text = Field(description="Cơ quan ban hành, ví dụ: Sở Khoa học và Công nghệ")
    issuer_lines: Lines = Field([], description=(
        "Tên cơ quan ban hành như in ở góc trái văn bản, mỗi dòng một phần tử, ví dụ: ỦY BAN NHÂN DÂN, "
        "HUYỆN XUYÊN MỘC (mặc định: issuer trên một dòng)"))
    issuer_short: Text = Field(description="Chữ viết tắt tên cơ quan trong số ký hiệu, ví dụ: SKHCN")
    parent: Text = Field("", description="Cơ quan chủ quản, ví dụ: UBND tỉnh Bà Rịa - Vũng Tàu (bỏ trống nếu không có)")
    all_units_text: Text = Field(DEFAULT_ALL_UNITS_TEXT, description=(
        "Chữ in trong báo cáo thay cho mã ALL (tất cả đơn vị), ví dụ: Các cơ quan, đơn vị; UBND các xã, thị trấn"))
    place: Text = Field(description="Địa danh ghi ở dòng ngày tháng")
    number: Text = ""
    date: IsoDate | None = None
    signer: Signer
    report_to: Text = Field(description="Cơ quan nhận báo cáo định kỳ, ví dụ: Sở Nội vụ")
    recipients: list[Text] = Field(description="Nơi nhận")
    legal_bases: list[LegalBasis] = []


class ProgressEntry(Strict):
    date: IsoDate
    percent: float = Field(ge=0, le=100)
    note: Text = ""
    by: Text = ""
    event: Literal["done", "reopened"] | None = None


class Evidence(Strict):
    text: Text = Field(description="Tài liệu kiểm chứng như người dùng nhập")
    number: Text = ""
    date: IsoDate | None = None
    issuer: Text = ""
    title: Text = ""
    file: Text = Field("", description="Đường dẫn tệp, tương đối so với tệp kế hoạch")
    sha256: str = ""
    url: str = ""

    @field_validator("sha256")
    @classmethod
    def _hex(cls, value: str) -> str:
        return _sha256_hex(value)


def _sha256_hex(value: str) -> str:
    if value and not re.fullmatch(r"[0-9a-f]{64}", value):
        raise ValueError(_("sha256 phải gồm 64 chữ số hệ 16"))
    return value


class Task(Strict):
    id: Text
    title: Text
    lead: Text = Field(description="Mã đơn vị chủ trì")
    support: list[Text] = Field([], description="Mã các đơn vị phối hợp; ALL là tất cả")
    deadline: Deadline
    due_day: int | None = Field(None, ge=1, le=31, description=(
        "Với thời hạn lặp lại: hạn là ngày này của tháng (monthly), của tháng cuối quý (quarterly), của tháng 6 "
        "và 12 (half-yearly) hoặc của tháng 12 (year-round); ngày quá cuối tháng thành ngày cuối tháng"))
    output: Text = Field("", description="Sản phẩm")
    status: Status = Status.not_started
    progress: list[ProgressEntry] = []
    evidence: list[Evidence] = []

    @property
    def percent(self) -> float:
        return self.progress[-1].percent if self.progress else 0.0

    def units(self) -> list[str]:
        return [self.lead, *self.support]


class Area(Strict):
    number: int = Field(ge=1)
    title: Text
    direction: bool = Field(False, description=(
        "true: báo cáo các nhiệm vụ của lĩnh vực này ở mục I “Công tác chỉ đạo, điều hành”, không ở mục II"))
    tasks: list[Task]


class DutiesSection(Strict):
    number: Text = Field(DEFAULT_DUTIES_NUMBER, description="Số mục của phần tổ chức thực hiện trong kế hoạch (III, IV…)")
    title: Text = Field("Tổ chức thực hiện", description="Tên mục đó")

    @field_validator("number")
    @classmethod
    def _roman(cls, value: str) -> str:
        if not re.fullmatch(r"[IVXLC]+", value):
            raise ValueError(_("số mục phải là số La Mã viết hoa, ví dụ III hoặc IV"))
        return value


class Measurement(Strict):
    period: str = Field(description="Kỳ đo: 2023-Q1, 2023-H1 hoặc 2023")
    value: float
    source: Text = ""
    note: Text = ""

    @field_validator("period", mode="before")
    @classmethod
    def _period(cls, value: Any) -> Any:
        if isinstance(value, int):
            value = str(value)
        if not isinstance(value, str) or not PERIOD_RE.match(value):
            raise ValueError(_("kỳ phải có dạng NĂM-Q1, NĂM-H1 hoặc NĂM (NĂM là năm kế hoạch)"))
        return value


class Target(Strict):
    id: str
    name: Text
    kind: TargetKind
    target: float
    unit: Text = ""
    deadline: IsoDate
    scope: Text = Field("", description="Ai đo: tỉnh hay Sở")
    owner: Text = Field("", description="Mã đơn vị báo cáo số liệu (nhận chỉ tiêu trong biểu mẫu cchc forms)")
    note: Text = ""
    measurements: list[Measurement] = []

    def reached(self, value: float) -> bool:
        if self.kind in (TargetKind.rank, TargetKind.group):
            return value <= self.target
        return value >= self.target


class Narrative(Strict):
    achievements: Text = Field("", description="Ưu điểm")
    shortcomings: Text = Field("", description="Tồn tại, hạn chế")
    causes: Text = Field("", description="Nguyên nhân")
    proposals: Text = Field("", description="Đề xuất, kiến nghị")

    def is_empty(self) -> bool:
        return not any(getattr(self, f).strip() for f in Narrative.model_fields)


class Amendment(Strict):
    """A change to data of a submitted report, made on purpose with `--amend-submitted`."""

    date: IsoDate = Field(description="Ngày sửa")
    by: Text = ""
    reason: Text = Field(description="Lý do sửa số liệu đã báo cáo")
    change: Text = Field("", description="Những gì đã sửa")
    facts: dict[str, str] = Field({}, description="Dấu của từng dữ kiện sau khi sửa, để cchc submit --verify "
                                                  "phân biệt với sửa tay")


class Submission(Strict):
    """A periodic report signed and sent: its period is closed from then on (cchc submit)."""

    period: str = Field(description="Kỳ báo cáo đã nộp: 2023-Q1, 2023-Q2, 2023-Q3 hoặc 2023-Q4")
    number: Text = Field(description="Số, ký hiệu của báo cáo, ví dụ: 45/BC-SKHCN")
    date: IsoDate = Field(description="Ngày nộp báo cáo")
    by: Text = Field("", description="Người ghi việc nộp")
    plan_sha256: str = Field(description="SHA-256 nội dung kế hoạch lúc nộp (không kể mục submissions)")
    file: Text = Field("", description="Bản đã ký, đường dẫn tương đối so với tệp kế hoạch")
    sha256: str = Field("", description="SHA-256 của bản đã ký")
    tag: str = Field("", description="Thẻ git đánh dấu phiên bản đã nộp, ví dụ: bao-cao-2023-q1")
    amendments: list[Amendment] = Field([], description="Các lần sửa số liệu của kỳ sau khi nộp")

    @field_validator("period")
    @classmethod
    def _period(cls, value: str) -> str:
        if not REPORT_KEY_RE.match(value):
            raise ValueError(_("kỳ báo cáo phải có dạng NĂM-Q1 … NĂM-Q4 (NĂM là năm kế hoạch)"))
        return value

    @field_validator("plan_sha256", "sha256")
    @classmethod
    def _hex(cls, value: str) -> str:
        return _sha256_hex(value)


class CollectedForm(Strict):
    """A unit's returned form (`cchc collect`), recorded so that the same form is never applied twice."""

    id: str = Field(description="Mã biểu mẫu, ví dụ VP-2023-Q1-3fa2b1c9d0")
    unit: Text = Field(description="Mã đơn vị điền biểu mẫu")
    period: str = Field(description="Kỳ báo cáo của biểu mẫu, ví dụ 2023-Q1")
    date: IsoDate = Field(description="Ngày thu biểu mẫu")
    by: Text = Field("", description="Người điền")
    file: Text = Field("", description="Tên tệp biểu mẫu đã thu")


class Plan(Strict):
    schema_version: Literal[1] = Field(description="Phiên bản định dạng tệp kế hoạch")
    plan: PlanInfo
    objectives: list[Text] = []
    requirements: list[Text] = []
    units: dict[str, Text] = Field(description="Danh mục đơn vị: mã → tên đầy đủ")
    targets: list[Target] = []
    areas: list[Area]
    # A factory, not an instance: building a model at import time would load pydantic's plugins on every start.
    duties_section: DutiesSection = Field(default_factory=DutiesSection,
                                          description="Số và tên mục chứa các nhiệm vụ `duties`")
    duties: list[Task] = Field([], description="Nhiệm vụ tổ chức thực hiện (mục III, hoặc số trong duties_section)")
    narratives: dict[str, Narrative] = Field({}, description="Phần tự đánh giá theo kỳ báo cáo")
    # Before `submissions`: a form collected with --amend-submitted adds its entry here and the
    # amendment at the end of `submissions`; the two must not be spliced at the same place.
    collected_forms: list[CollectedForm] = Field([], description="Biểu mẫu của các đơn vị đã thu (cchc collect)")
    submissions: list[Submission] = Field([], description="Các báo cáo định kỳ đã nộp (cchc submit)")

    def all_tasks(self) -> list[Task]:
        return [t for a in self.areas for t in a.tasks] + list(self.duties)

    def task_paths(self) -> dict[str, tuple]:
        """Each task id with its path in the document (for positions and edits)."""
        paths: dict[str, tuple] = {}
        for ai, area in enumerate(self.areas):
            for ti, task in enumerate(area.tasks):
                paths.setdefault(task.id, ("areas", ai, "tasks", ti))
        for di, task in enumerate(self.duties):
            paths.setdefault(task.id, ("duties", di))
        return paths

    def task(self, task_id: str) -> Task | None:
        task_id = nfc(task_id)
        for t in self.all_tasks():
            if t.id == task_id:
                return t
        return None

    def target(self, target_id: str) -> Target | None:
        return next((t for t in self.targets if t.id == target_id), None)


class Problem(BaseModel):
    """One thing wrong in a plan: where (a path of keys and indexes), what, and a stable code."""

    model_config = ConfigDict(defer_build=True)  # as Strict: not built by a command that never needs it
    path: tuple
    code: str
    message: str
    key: bool = False  # point at the key rather than its value


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _as_dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _date_or_none(value: Any) -> dt.date | None:
    try:
        return _iso_date(value)
    except ValueError:
        return None


def semantic_problems(data: Any) -> list[Problem]:
    """Checks that span fields: unit references, ids, lettering, dates inside the plan year.

    They run on the raw document rather than on a validated `Plan`, so a file with a wrong type
    in one place still has its unknown units and bad letters reported in the same run. Values of
    the wrong type are skipped here: the schema reports those.
    """
    check = _CrossChecks(_as_dict(data))
    check.areas_and_tasks()
    check.targets()
    check.narratives_and_submissions()
    return check.problems


class _CrossChecks:
    """The state of one `semantic_problems` run: the plan's year and units, the ids seen, the problems."""

    def __init__(self, data: dict) -> None:
        self.data = data
        year = _as_dict(data.get("plan")).get("year")
        self.year = year if isinstance(year, int) and not isinstance(year, bool) else None
        self.units = set(_as_dict(data.get("units")))
        section = _as_dict(data.get("duties_section")).get("number", DEFAULT_DUTIES_NUMBER)
        self.section = nfc(section) if isinstance(section, str) else DEFAULT_DUTIES_NUMBER
        self.seen: set[str] = set()
        self.problems: list[Problem] = []

    def add(self, path: tuple, code: str, message: str, key: bool = False) -> None:
        self.problems.append(Problem(path=path, code=code, message=message, key=key))

    def unit(self, path: tuple, key: Any, allow_all: bool = False) -> None:
        if isinstance(key, str) and key and nfc(key) not in self.units and not (allow_all and key == ALL_UNITS):
            self.add(path, "unknown-unit", _("không có đơn vị mã {key} trong danh mục units").format(key=key))

    def in_year(self, path: tuple, period: str, message: str) -> None:
        if self.year and int(period[:4]) != self.year:
            self.add(path, "date-outside-year", _(message).format(period=period, year=self.year))

    def areas_and_tasks(self) -> None:
        area_numbers: set[int] = set()
        for ai, area in enumerate(_as_list(self.data.get("areas"))):
            area = _as_dict(area)
            number = area.get("number")
            if isinstance(number, int):
                if number in area_numbers:
                    self.add(("areas", ai, "number"), "duplicate-id", _("lĩnh vực số {n} bị trùng").format(n=number))
                area_numbers.add(number)
            for ti, task in enumerate(_as_list(area.get("tasks"))):
                self.task(_as_dict(task), ("areas", ai, "tasks", ti), number if isinstance(number, int) else "?")
        for di, task in enumerate(_as_list(self.data.get("duties"))):
            self.task(_as_dict(task), ("duties", di), None)

    def task(self, task: dict, path: tuple, area: Any) -> None:
        task_id = task.get("id")
        if isinstance(task_id, str):
            self.task_id(nfc(task_id), path, area)
        self.unit(path + ("lead",), task.get("lead"))
        for i, key in enumerate(_as_list(task.get("support"))):
            self.unit(path + ("support", i), key, allow_all=True)
        deadline = _date_or_none(task.get("deadline"))
        if deadline and task.get("due_day") is not None:
            self.add(path + ("due_day",), "due-day-with-date", _(
                "due_day chỉ dùng với thời hạn lặp lại (monthly, quarterly, half-yearly, year-round); "
                "thời hạn ở đây đã là một ngày"))
        if self.year and deadline and deadline.year != self.year:
            self.add(path + ("deadline",), "date-outside-year", _("thời hạn {date} nằm ngoài năm kế hoạch {year}").format(
                date=deadline.isoformat(), year=self.year))
        for i, entry in enumerate(_as_list(task.get("progress"))):
            day = _date_or_none(_as_dict(entry).get("date"))
            if self.year and day and day.year != self.year:
                self.add(path + ("progress", i, "date"), "date-outside-year",
                         _("tiến độ ghi ngày {date}, ngoài năm kế hoạch {year}").format(
                             date=day.isoformat(), year=self.year))

    def task_id(self, task_id: str, path: tuple, area: Any) -> None:
        if task_id in self.seen:
            self.add(path + ("id",), "duplicate-id", _("mã nhiệm vụ {id} bị trùng").format(id=task_id))
        self.seen.add(task_id)
        if isinstance(area, int):
            m = TASK_ID_RE.match(task_id)
            if not m or int(m["area"]) != area:
                self.add(path + ("id",), "bad-id", _(
                    "mã nhiệm vụ {id} phải có dạng {area}.a (số lĩnh vực, dấu chấm, chữ cái)"
                ).format(id=task_id, area=area))
            elif letter_rank(m["letter"]) is None:
                self.add(path + ("id",), "bad-letter", _(
                    "“{letter}” không phải chữ cái đánh số theo tiếng Việt (a b c d đ e g h i k…)"
                ).format(letter=m["letter"]))
        elif area is None:
            m = DUTY_ID_RE.match(task_id)
            if not m or m["section"] != self.section:
                self.add(path + ("id",), "bad-id", _("mã nhiệm vụ tổ chức thực hiện {id} phải có dạng {section}.1").format(
                    id=task_id, section=self.section))

    def targets(self) -> None:
        target_ids: set[str] = set()
        for i, target in enumerate(_as_list(self.data.get("targets"))):
            target = _as_dict(target)
            tid = target.get("id")
            self.unit(("targets", i, "owner"), target.get("owner"))
            if isinstance(tid, str):
                if tid in target_ids:
                    self.add(("targets", i, "id"), "duplicate-id", _("mã chỉ tiêu {id} bị trùng").format(id=tid))
                target_ids.add(tid)
            periods: set[str] = set()
            for j, m in enumerate(_as_list(target.get("measurements"))):
                period = _as_dict(m).get("period")
                period = str(period) if isinstance(period, (str, int)) else None
                if not period or not PERIOD_RE.match(period):
                    continue
                path = ("targets", i, "measurements", j, "period")
                if period in periods:
                    self.add(path, "duplicate-period", _("kỳ {period} được ghi hai lần").format(period=period))
                periods.add(period)
                self.in_year(path, period, N_("kỳ {period} nằm ngoài năm kế hoạch {year}"))

    def narratives_and_submissions(self) -> None:
        for key in _as_dict(self.data.get("narratives")):
            if not PERIOD_RE.match(str(key)):
                self.add(("narratives", key), "bad-period", _("kỳ phải có dạng NĂM-Q1, NĂM-H1 hoặc NĂM (NĂM là năm kế hoạch)"), key=True)
        submitted: set[str] = set()
        for i, submission in enumerate(_as_list(self.data.get("submissions"))):
            period = _as_dict(submission).get("period")
            if not isinstance(period, str) or not REPORT_KEY_RE.match(period):
                continue
            if period in submitted:
                self.add(("submissions", i, "period"), "duplicate-period",
                         _("kỳ {period} được ghi hai lần").format(period=period))
            submitted.add(period)
            self.in_year(("submissions", i, "period"), period, N_("kỳ {period} nằm ngoài năm kế hoạch {year}"))
