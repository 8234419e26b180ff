"""The plan's health before a report: what would lose points, each finding at its line.

`check_plan` is pure apart from reading evidence files (to check that they exist and still match
their recorded sha256). Each finding is a `Diagnostic` with a stable kebab-case code and a
severity; `cchc check` exits 1 when any finding is an error.

| code | severity | finding | points at |
| --- | --- | --- | --- |
| done-without-evidence | error | a task done on the date with no evidence entry | its `status` |
| late-task | error | final deadline passed and not done on the date | its `deadline` |
| evidence-file-missing | error | an evidence `file` that does not exist (relative to the plan's folder) | the `file` |
| evidence-file-changed | error | an evidence file whose sha256 differs from the recorded one | the `sha256` |
| evidence-hash-missing | warning | an evidence file with no sha256 recorded, so a change would go unseen | the `file` |
| stale-progress | warning | in progress with no progress entry for 60 days | the last entry's `date` |
| missing-measurement | warning | a target with no measurement for the last closed report period | its `measurements` key |
| empty-narrative | warning | one empty narrative part of a closed report period (one finding per part) | the part, else the period's key |
| empty-direction | warning | no area is marked `direction: true`, so the report's part I is empty | `areas` |
| status-inconsistent | warning | `status` says done but the last entry is below 100%, or the other way round | its `status` |
| progress-out-of-order | warning | a progress entry dated before the one above it | that entry's `date` |
| changed-after-submission | error | a fact of a submitted report that differs from the submitted version | the fact |
| amended-after-submission | warning | a submitted report's data changed with `--amend-submitted` | its `reason` |
| submitted-file-missing | error | a submission's signed copy that does not exist | the `file` |
| submitted-file-changed | error | a signed copy whose sha256 differs from the recorded one | the `sha256` |
| submission-unverifiable | warning | no committed version of the plan has the submission's content hash | its `plan_sha256` |

A fixed deadline outside the plan year is refused when the plan is loaded (`date-outside-year` in
`model.semantic_problems`), and a recurring deadline always expands inside the year, so no check
here repeats it.

missing-measurement, empty-narrative and empty-direction are the gaps `cchc report` warns about
(`report_gaps`), with the same codes and messages. Targets that are ranks or groups (PAR INDEX,
PAPI…) are published once a year, so they are expected only for the annual report; percentages and
counts for every report.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .diagnostics import Diagnostic
from .finding_codes import CHECK, ERROR, WARNING, codes_of
from .i18n import _
from .model import Plan, Status, Task
from .periods import ReportPeriod, format_date, report_period
from .report_gaps import direction_gaps, measurement_gaps, narrative_gaps
from .status import State, completion_date, entries_until, task_state
from .text import format_number

STALE_DAYS = 60

# Every code `check_plan` can report, with its severity (the registry in `finding_codes` holds both).
CHECK_CODES: dict[str, str] = {c.code: c.severity for c in codes_of(CHECK)}

EVIDENCE_FILE_CODES = ("evidence-file-missing", "evidence-file-changed")


def evidence_file_findings(loaded, hashes=None) -> list[Diagnostic]:
    """Evidence files that vanished or changed since they were recorded, as warnings.

    `cchc validate` reports these without failing: the plan itself is still valid, and a clone
    may lack the evidence folder; `cchc check` treats them as errors before a report. `hashes`
    (an `evidence.FileHashes`) may be shared by several plans, so a file is read once.
    """
    import dataclasses

    return [dataclasses.replace(d, severity=WARNING)
            for d in check_plan(loaded, dt.date.today(), submissions=False, hashes=hashes)
            if d.code in EVIDENCE_FILE_CODES]


def has_errors(findings: list[Diagnostic]) -> bool:
    return any(d.severity == ERROR for d in findings)


def closed_periods(year: int, as_of: dt.date) -> list[ReportPeriod]:
    """The year's report periods that ended before `as_of` (their report can be written)."""
    return [p for p in (report_period(year, q) for q in (1, 2, 3, 4)) if p.end < as_of]


def check_plan(loaded, as_of: dt.date, stale_days: int = STALE_DAYS, submissions: bool = True,
               hashes=None) -> list[Diagnostic]:
    """Every finding of `CHECK_CODES` in a loaded plan on `as_of`, ordered by line.

    `loaded` is a `planfile.LoadedPlan`: its document gives each finding its line and column, and
    its folder is where evidence files are looked for; each of them is hashed once (`hashes`, an
    `evidence.FileHashes`, by default a fresh one). With `submissions`, the submitted reports
    are verified against the plan's git history (`submit.verify_submissions`).
    """
    from .evidence import FileHashes

    hashes = hashes or FileHashes()
    plan: Plan = loaded.plan
    doc = loaded.doc
    base_dir = Path(doc.path).parent
    findings: list[Diagnostic] = []

    def add(path: tuple, code: str, message: str, key: bool = False) -> None:
        findings.append(doc.diagnostic(path, message, code, key=key, severity=CHECK_CODES[code]))

    def field_path(path: tuple, name: str) -> tuple:
        # A field left at its default has no line of its own: point at the task's id instead.
        return path + (name,) if path + (name,) in doc.spans else path + ("id",)

    paths = plan.task_paths()
    for task in plan.all_tasks():
        path = paths[task.id]
        _check_task(task, path, plan.plan.year, as_of, stale_days, base_dir, add, field_path, hashes)

    # The gaps a report would print (report_gaps): every empty narrative part of each closed period, the
    # measurements of the last closed one, and a plan whose part I has no area.
    closed = closed_periods(plan.plan.year, as_of)
    gaps = direction_gaps(plan)
    if closed:
        gaps += measurement_gaps(plan, closed[-1])
    for period in closed:
        gaps += narrative_gaps(plan, period)
    for gap in gaps:
        path, key = gap.path, gap.key
        while path not in doc.spans and len(path) > 1:
            path, key = path[:-1], True
        add(path, gap.code, gap.message, key=key)
    if submissions and plan.submissions:
        from .submit import verify_submissions

        findings += verify_submissions(loaded)
    return sorted(findings, key=lambda d: (d.line, d.column, d.code))


def _check_task(task: Task, path: tuple, year: int, as_of: dt.date, stale_days: int, base_dir: Path,
                add, field_path, hashes) -> None:
    from .evidence import evidence_file_state

    s = task_state(task, year, as_of)
    if s.state is State.done and not task.evidence:
        add(field_path(path, "status"), "done-without-evidence", _(
            "nhiệm vụ {id} đã hoàn thành nhưng chưa có tài liệu kiểm chứng, nên không được tính điểm").format(
            id=task.id))
    if s.state is State.late:
        add(field_path(path, "deadline"), "late-task", _(
            "nhiệm vụ {id} quá hạn từ {date} ({days} ngày), tiến độ {percent}%").format(
            id=task.id, date=format_date(s.deadline), days=(as_of - s.deadline).days,
            percent=format_number(s.percent)))
    if s.state is State.in_progress and s.last_entry is not None:
        # The latest date, not the last line: an entry written out of order must not hide a fresh one.
        index, latest = max(((i, e) for i, e in enumerate(task.progress) if e.date <= as_of),
                            key=lambda pair: (pair[1].date, pair[0]))
        idle = (as_of - latest.date).days
        if idle >= stale_days:
            add(path + ("progress", index, "date"), "stale-progress", _(
                "nhiệm vụ {id} đang thực hiện nhưng {days} ngày chưa cập nhật tiến độ (lần cuối {date})").format(
                id=task.id, days=idle, date=format_date(latest.date)))

    for i, ev in enumerate(task.evidence):
        state = evidence_file_state(ev, base_dir, hashes)
        where = path + ("evidence", i)
        if state == "missing":
            add(where + ("file",), "evidence-file-missing", _(
                "nhiệm vụ {id}: không tìm thấy tệp kiểm chứng {file} (đường dẫn tính từ thư mục của tệp kế hoạch)"
            ).format(id=task.id, file=ev.file))
        elif state == "changed":
            add(where + ("sha256",), "evidence-file-changed", _(
                "nhiệm vụ {id}: tệp kiểm chứng {file} đã bị thay đổi sau khi ghi (mã sha256 không khớp)").format(
                id=task.id, file=ev.file))
        elif state == "unverified":
            add(where + ("file",), "evidence-hash-missing", _(
                "nhiệm vụ {id}: tệp kiểm chứng {file} chưa ghi mã sha256, nên không phát hiện được nếu tệp bị "
                "thay đổi").format(id=task.id, file=ev.file))

    for i in range(1, len(task.progress)):
        before, entry = task.progress[i - 1], task.progress[i]
        if entry.date < before.date:
            add(path + ("progress", i, "date"), "progress-out-of-order", _(
                "nhiệm vụ {id}: lần cập nhật ngày {date} được ghi sau lần ngày {before}; hãy xếp theo thứ tự ngày"
            ).format(id=task.id, date=format_date(entry.date), before=format_date(before.date)))

    problem = _status_problem(task)
    if problem:
        add(field_path(path, "status"), "status-inconsistent", problem)


def _status_problem(task: Task) -> str | None:
    """Why the recorded `status` disagrees with the progress log, or None.

    The log is the truth every report uses (`status.task_state`); this says when the file's
    `status` field tells a different story, so a hand edit does not go unseen.
    """
    log = entries_until(task, dt.date.max)
    done_in_log = completion_date(log) is not None
    last = log[-1] if log else None
    if task.status is Status.done and not done_in_log:
        if last is None:
            return _("nhiệm vụ {id} ghi trạng thái hoàn thành nhưng nhật ký tiến độ không có ngày hoàn thành nào, "
                     "nên báo cáo không tính là hoàn thành; ghi bằng cchc done {id} --date NGÀY").format(id=task.id)
        return _("nhiệm vụ {id} ghi trạng thái hoàn thành nhưng tiến độ cuối cùng là {percent}%, nên báo cáo "
                 "không tính là hoàn thành").format(id=task.id, percent=format_number(last.percent))
    if task.status is not Status.done and done_in_log:
        return _("nhiệm vụ {id} đạt tiến độ 100% nên báo cáo tính là hoàn thành, nhưng trạng thái trong tệp chưa "
                 "là hoàn thành; ghi bằng cchc done {id}").format(id=task.id)
    if task.status is Status.not_started and task.progress:
        return _("nhiệm vụ {id} ghi trạng thái chưa bắt đầu nhưng đã có {n} lần cập nhật tiến độ").format(
            id=task.id, n=len(task.progress))
    return None
