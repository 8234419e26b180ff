"""Submitted reports close their periods: which facts a report rested on, and which writes may change them.

Pure: plans in, facts and decisions out (git and files are in `cchc.submit`).

A *fact* is one dated thing a periodic report is built from: a task's progress entry, an evidence
entry, a target's measurement for a period, one section of a period's self-assessment. Its day is
the entry's date; the evidence document's date (undated evidence: the day its task was completed);
or, for a measurement or narrative, the cut-off of the report its period key belongs to. Once the
report of a period is submitted (`plan.submissions`), every fact dated on or before that period's
cut-off is *locked*: `guard_submitted` refuses an edit that changes one unless the write runs under
`amending(reason)`, and then records the amendment, with a fingerprint of each fact it changed, in
the submission. `changed_facts` is the one comparison both the guard and `cchc submit --verify` use.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any, Iterator

from .diagnostics import Refused
from .i18n import _, in_language
from .model import Narrative, Plan, Submission
from .periods import ReportPeriod, format_date, key_quarter, report_period

SUBMISSION_KEYS = tuple(Submission.model_fields)
PLAN_KEYS = tuple(Plan.model_fields)

_AMENDMENT: contextvars.ContextVar[str | None] = contextvars.ContextVar("cchc_amendment", default=None)


@contextlib.contextmanager
def amending(reason: str | None) -> Iterator[None]:
    """Writes inside this block may change facts of submitted reports; each is recorded with `reason`.

    `None` (no `--amend-submitted`) leaves the lock in force.
    """
    token = _AMENDMENT.set(reason.strip() if reason and reason.strip() else None)
    try:
        yield
    finally:
        _AMENDMENT.reset(token)


# --- periods ------------------------------------------------------------------------------------

def submission_period(submission: Submission) -> ReportPeriod:
    return report_period(int(submission.period[:4]), int(submission.period[-1]))


def key_cutoff(year: int, key: str) -> dt.date | None:
    """The cut-off of the report a measurement or narrative key (`2023-H1`, `2023`) of the plan's year belongs to."""
    key_year, quarter = key_quarter(key)
    return report_period(year, quarter).end if key_year == year else None


def submission_covering(plan: Plan, day: dt.date) -> Submission | None:
    """The earliest submitted report whose data period closed on or after `day`: the report that said it."""
    found = [(submission_period(s).end, i) for i, s in enumerate(plan.submissions)
             if submission_period(s).end >= day]
    return plan.submissions[min(found)[1]] if found else None


def locked_until(plan: Plan) -> dt.date | None:
    """The latest cut-off of a submitted report: facts dated on or before it are locked."""
    return max((submission_period(s).end for s in plan.submissions), default=None)


def submission_of(plan: Plan, period_key: str) -> Submission | None:
    return next((s for s in plan.submissions if s.period == period_key), None)


def content_sha256(plan: Plan) -> str:
    """SHA-256 of what the plan says, apart from its submissions: comments, layout and quoting aside.

    Fields left at their defaults are left out, so a field added to the schema later does not
    change the hash of a plan that does not use it.
    """
    data = plan.model_dump(mode="json", exclude={"submissions"}, exclude_defaults=True)
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- facts --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Fact:
    """One dated fact a report rests on; `key` names it the same way in every version of the plan."""

    kind: str  # progress, evidence, measurement, narrative
    owner: str  # task id, target id or period key
    detail: str  # the entry's date, the evidence text, the measurement period, the narrative section
    occurrence: int  # 1, or 2, 3… for facts that share owner, kind and detail
    day: dt.date
    fields: tuple[str, ...]
    value: tuple
    path: tuple  # where it is in the document

    @property
    def key(self) -> str:
        key = f"{self.owner} {self.kind} {self.detail}"
        return key if self.occurrence == 1 else f"{key} #{self.occurrence}"

    def label(self) -> str:
        """The fact in the user's words: "3.đ: tiến độ ngày 10/03/2023"."""
        if self.kind == "progress":
            return _("{id}: tiến độ ngày {date}").format(id=self.owner, date=format_date(self.day))
        if self.kind == "evidence":
            return _("{id}: tài liệu kiểm chứng “{text}”").format(id=self.owner, text=self.detail)
        if self.kind == "measurement":
            return _("chỉ tiêu {id} kỳ {period}").format(id=self.owner, period=self.detail)
        from .plandiff import narrative_label

        return _("phần “{label}” kỳ {period}").format(label=narrative_label(self.detail), period=self.owner)


def fingerprint(fact: Fact | None) -> str:
    """A short digest of a fact's value ("-" for a fact that was removed), kept in an amendment."""
    if fact is None:
        return "-"
    text = json.dumps([_plain(v) for v in fact.value], ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def plan_facts(plan: Plan) -> dict[str, Fact]:
    """Every dated fact of `plan`, by key."""
    from .status import task_state

    year = plan.plan.year
    facts: dict[str, Fact] = {}

    def add(kind: str, owner: str, detail: str, day: dt.date | None, fields: tuple, value: tuple, path: tuple):
        if day is None:
            return
        n = 1
        while Fact(kind, owner, detail, n, day, (), (), ()).key in facts:
            n += 1
        fact = Fact(kind, owner, detail, n, day, fields, value, path)
        facts[fact.key] = fact

    progress_fields = ("date", "percent", "note", "by", "event")
    evidence_fields = ("text", "number", "date", "issuer", "title", "file", "sha256", "url")
    paths = plan.task_paths()
    for task in plan.all_tasks():
        task_id, path = task.id, paths[task.id]
        for i, entry in enumerate(task.progress):
            add("progress", task_id, entry.date.isoformat(), entry.date, progress_fields,
                tuple(getattr(entry, f) for f in progress_fields), path + ("progress", i))
        done_on = task_state(task, year, dt.date(year, 12, 31)).done_on if task.evidence else None
        done_on = done_on if done_on and done_on != dt.date.min else None
        for i, ev in enumerate(task.evidence):
            add("evidence", task_id, ev.text, ev.date or done_on, evidence_fields,
                tuple(getattr(ev, f) for f in evidence_fields), path + ("evidence", i))
    measurement_fields = ("value", "source", "note")
    for i, target in enumerate(plan.targets):
        for j, m in enumerate(target.measurements):
            add("measurement", target.id, m.period, key_cutoff(year, m.period), measurement_fields,
                tuple(getattr(m, f) for f in measurement_fields), ("targets", i, "measurements", j))
    for key, narrative in plan.narratives.items():
        for name in Narrative.model_fields:
            add("narrative", key, name, key_cutoff(year, key), (name,), (getattr(narrative, name),),
                ("narratives", key, name))
    return facts


@dataclass(frozen=True)
class FactChange:
    """A locked fact that differs between two versions: `old` or `new` is None when it is absent there."""

    old: Fact | None
    new: Fact | None

    @property
    def fact(self) -> Fact:
        return self.new or self.old

    @property
    def day(self) -> dt.date:
        return min(f.day for f in (self.old, self.new) if f is not None)

    def field(self) -> str | None:
        """The first field whose value differs, when the fact is in both versions."""
        if self.old is None or self.new is None:
            return None
        return next((f for f, a, b in zip(self.new.fields, self.old.value, self.new.value) if a != b), None)

    def shown_old(self) -> str:
        return self._shown(self.old)

    def shown_new(self) -> str:
        return self._shown(self.new)

    def _shown(self, fact: Fact | None) -> str:
        """The differing field's value in `fact`, written for a reader ("40", "“Đã trình dự thảo”")."""
        name = self.field()
        if fact is None or name is None:
            return format_date(fact.day) if fact is not None else "—"
        value = _shown(fact.value[fact.fields.index(name)])
        return f"{value}%" if name == "percent" else value


def _shown(value: Any) -> str:
    from .text import format_number

    if value in (None, ""):
        return "—"
    if isinstance(value, dt.date):
        return format_date(value)
    if isinstance(value, (int, float)):
        return format_number(value, 2)
    text = " ".join(str(value).split())
    return f"“{text if len(text) <= 60 else text[:59] + '…'}”"


def changed_facts(old: dict[str, Fact], new: dict[str, Fact], until: dt.date) -> list[FactChange]:
    """Facts dated on or before `until` (in either version) that differ between `old` and `new`."""
    out = []
    for key in list(old) + [k for k in new if k not in old]:
        a, b = old.get(key), new.get(key)
        if not any(f is not None and f.day <= until for f in (a, b)):
            continue
        if a is None or b is None or a.value != b.value or a.day != b.day:
            out.append(FactChange(a, b))
    return out


# --- the guard on every write -----------------------------------------------------------------------

def report_title(plan: Plan, submission: Submission) -> str:
    """"báo cáo quý I năm 2023 số 45/BC-SKHCN (nộp ngày 15/03/2023)"."""
    return _("báo cáo {name} số {number} (nộp ngày {date})").format(
        name=submission_period(submission).name, number=submission.number, date=format_date(submission.date))


def guard_submitted(loaded, edit) -> None:
    """Refuse an edit that changes a fact of a submitted report, or record it as an amendment.

    Called by `writer.edit_plan` for every write, before the new text is validated, so the
    amendment lands in the same atomic write as the change it explains.
    """
    plan: Plan = loaded.plan
    until = locked_until(plan)
    if until is None:
        return
    new_plan = edited_plan(plan, edit)
    if new_plan is None:
        return  # the writer refuses the invalid result with its own messages
    changes = changed_facts(plan_facts(plan), plan_facts(new_plan), until)
    if not changes:
        return
    first = min(changes, key=lambda c: c.day)
    submission = submission_covering(plan, first.day)
    reason = _AMENDMENT.get()
    if reason is None:
        raise Refused(_(
            "{path}: {fact} thuộc {report} nên không ghi; nếu thật cần sửa số liệu đã báo cáo, chạy lại lệnh với "
            "--amend-submitted “lý do”").format(path=loaded.path, fact=first.fact.label(),
                                               report=report_title(plan, submission)))
    _record_amendment(plan, new_plan, edit, submission, changes, reason, loaded.path.parent)


def edited_plan(plan: Plan, edit) -> Plan | None:
    """The plan after `edit`, or None if it is not valid.

    An edit confined to one task, target or period's narrative (`TextEdit.region`) validates that
    node alone and puts it into a copy of `plan`, so a write to a large plan does not validate all
    of it once more; anything else validates the whole new data.
    """
    from pydantic import ValidationError

    region = edit.region()
    try:
        if region is not None:
            replaced = _with_node(plan, region[0], edit.expected)
            if replaced is not None:
                return replaced
        return Plan.model_validate(edit.expected)
    except ValidationError:
        return None


def _with_node(plan: Plan, path: tuple, data: dict) -> Plan | None:
    from .model import Target, Task

    if path[:1] == ("submissions",):
        return plan  # no fact lives there
    if len(path) >= 4 and path[0] == "areas" and path[2] == "tasks":
        ai, ti = path[1], path[3]
        tasks = list(plan.areas[ai].tasks)
        tasks[ti] = Task.model_validate(data["areas"][ai]["tasks"][ti])
        areas = list(plan.areas)
        areas[ai] = areas[ai].model_copy(update={"tasks": tasks})
        return plan.model_copy(update={"areas": areas})
    if len(path) >= 2 and path[0] == "duties":
        duties = list(plan.duties)
        duties[path[1]] = Task.model_validate(data["duties"][path[1]])
        return plan.model_copy(update={"duties": duties})
    if len(path) >= 2 and path[0] == "targets":
        targets = list(plan.targets)
        targets[path[1]] = Target.model_validate(data["targets"][path[1]])
        return plan.model_copy(update={"targets": targets})
    if len(path) >= 2 and path[0] == "narratives":
        narratives = dict(plan.narratives)
        narratives[path[1]] = Narrative.model_validate(data["narratives"][path[1]])
        return plan.model_copy(update={"narratives": narratives})
    return None


def _record_amendment(plan: Plan, new_plan: Plan, edit, submission: Submission, changes: list[FactChange],
                      reason: str, folder) -> None:
    from .history import default_by
    from .plandiff import describe_all, diff_plans
    from .yamledit import clean_text

    index = plan.submissions.index(submission)
    with in_language("vi"):  # the plan's own words, whatever --lang the command was run with
        what = "; ".join(describe_all(diff_plans(plan, new_plan), new_plan, plan))
    entry: dict[str, Any] = {"date": dt.date.today(), "by": default_by(folder),
                             "reason": clean_text(reason, multiline=False), "change": what,
                             "facts": {c.fact.key: fingerprint(c.new) for c in changes}}
    if not entry["by"]:
        del entry["by"]
    edit.append_item(("submissions", index, "amendments"), entry, SUBMISSION_KEYS)


def amended_prints(plan: Plan) -> dict[str, set[str]]:
    """Each amended fact's recorded fingerprints: a fact now equal to one of them was changed on purpose."""
    prints: dict[str, set[str]] = {}
    for s in plan.submissions:
        for a in s.amendments:
            for key, value in a.facts.items():
                prints.setdefault(key, set()).add(value)
    return prints


# --- what a report shows ----------------------------------------------------------------------------

def report_submission(plan: Plan, period: ReportPeriod, as_of: dt.date) -> dict:
    """`submission` in a report's context: its number once submitted, and the amendments made to
    earlier reports since the last of them was sent (the notes of the annex)."""
    own = None if period.calendar else submission_of(plan, period.key)
    earlier = [s for s in plan.submissions if submission_period(s).end < period.end]
    since = max((s.date for s in earlier), default=None)
    notes = []
    for s in sorted(earlier, key=lambda s: s.period):
        for a in s.amendments:
            if a.date <= as_of and (since is None or a.date > since):
                notes.append({"number": s.number, "period": submission_period(s).name,
                              "date": format_date(a.date), "reason": a.reason, "change": a.change})
    return {"number": own.number if own else "", "date": format_date(own.date) if own else "",
            "amendments": notes}
