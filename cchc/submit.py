"""Recording a submitted report (`cchc submit`) and proving later that what it said still stands.

`record_submission` adds one entry to the plan's `submissions` (through `writer.edit_plan`, like
every write): the report's number and date, its period, who recorded it, the plan's content hash
at that moment (`submissions.content_sha256`) and the signed copy's SHA-256. A signed copy outside
the plan's folder is copied into `bao-cao-da-nop/` beside the plan, so it travels with the plan in
git. With `commit=True` the plan (and that copy) are committed and an annotated tag
(`bao-cao-2023-q1`) marks the submitted version.

`verify_submissions` recomputes, for each submission, the facts of its period from the version of
the plan that was submitted (the tag, else the commit whose content hash is the recorded one) and
compares them with the plan now: a fact changed by hand is an error at its line, a change made
with `--amend-submitted` a warning at the amendment.
"""

from __future__ import annotations

import datetime as dt
import os
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from .diagnostics import CchcError, Diagnostic, NotFound, Refused, UsageError
from .i18n import _
from .model import Plan, Submission
from .periods import format_date, parse_user_date, report_period
from .submissions import (PLAN_KEYS, FactChange, amended_prints, changed_facts, content_sha256, fingerprint,
                          plan_facts, report_title, submission_of, submission_period)

SIGNED_DIR = "bao-cao-da-nop"  # beside the plan: signed copies of the reports sent

CHANGED, AMENDED = "changed-after-submission", "amended-after-submission"
FILE_MISSING, FILE_CHANGED = "submitted-file-missing", "submitted-file-changed"
UNVERIFIABLE = "submission-unverifiable"
SUBMISSION_CODES = (CHANGED, AMENDED, FILE_MISSING, FILE_CHANGED, UNVERIFIABLE)


def tag_name(year: int, quarter: int) -> str:
    """The git tag of a submitted report: `bao-cao-2023-q1`."""
    return f"bao-cao-{year}-q{quarter}"


@dataclass
class SubmitResult:
    path: Path
    summary: str
    tag: str = ""
    commit: str = ""
    message: str = ""  # of the commit and the tag

    def line(self) -> str:
        if self.commit:
            return _("{summary}; đã commit {commit} và gắn thẻ {tag}").format(
                summary=self.summary, commit=self.commit, tag=self.tag)
        from .edit import EditResult

        return EditResult(self.path, self.summary).line()


# --- recording ------------------------------------------------------------------------------------

def record_submission(path: str | os.PathLike, quarter: int, number: str, date: str | dt.date | None = None,
                      attach: str | os.PathLike | None = None, by: str | None = None,
                      commit: bool = False) -> SubmitResult:
    """Record that report `quarter` (1-4) was sent as `number` on `date` (default today)."""
    from .edit import _who
    from .writer import edit_plan
    from .yamledit import clean_text

    path = Path(path)
    if quarter not in (1, 2, 3, 4):
        raise UsageError(_("--quarter phải là 1, 2, 3 hoặc 4, không phải {n}").format(n=quarter))
    number = clean_text(number or "", multiline=False)
    if not number:
        raise UsageError(_("cần số, ký hiệu của báo cáo đã nộp: --number “45/BC-SKHCN”"))
    day = _submission_day(date)
    who = _who(by, path)
    signed = _signed_file(Path(attach), path.parent) if attach else None
    copied: list[Path] = []

    def change(loaded, edit) -> SubmitResult:
        plan: Plan = loaded.plan
        period = report_period(plan.plan.year, quarter)
        existing = submission_of(plan, period.key)
        if existing is not None:
            raise Refused(_("{path}: {report} đã được ghi; không ghi lại").format(
                path=path, report=report_title(plan, existing)))
        if day < period.start or day.year > plan.plan.year + 1:
            raise UsageError(_("ngày nộp {date} không hợp với kỳ {name} (số liệu từ {start} đến {end})").format(
                date=format_date(day), name=period.name, start=format_date(period.start),
                end=format_date(period.end)))
        tag = tag_name(plan.plan.year, quarter) if commit else ""
        if commit:
            _check_can_commit(path, tag)
        entry = {"period": period.key, "number": number, "date": day, "by": who,
                 "plan_sha256": content_sha256(plan)}
        if signed is not None:
            entry["file"], entry["sha256"] = signed.relpath, signed.sha256
        if tag:
            entry["tag"] = tag
        edit.append_item(("submissions",), {k: v for k, v in entry.items() if v != ""}, PLAN_KEYS)
        if signed is not None and signed.copy_from is not None:
            copied.extend(_copy_new(signed.copy_from, path.parent / signed.relpath))
        facts = {"name": period.name, "number": number, "date": format_date(day)}
        result = SubmitResult(path, _("Đã ghi nộp báo cáo {name} số {number} ngày {date}").format(**facts), tag=tag)
        result.message = _("Nộp báo cáo {name} số {number} ngày {date}").format(**facts)
        return result

    try:
        result = edit_plan(path, change)
    except BaseException:
        for made in reversed(copied):  # a refused submission leaves no copy behind
            (made.rmdir if made.is_dir() else made.unlink)()
        raise
    if commit:
        files = [path] + ([path.parent / signed.relpath] if signed is not None else [])
        result.commit = _commit(path, files, result.message, result.tag)
    return result


def _submission_day(value: str | dt.date | None) -> dt.date:
    if value is None:
        return dt.date.today()
    try:
        day = value if isinstance(value, dt.date) else parse_user_date(value)
    except ValueError as e:
        raise UsageError(str(e)) from None
    if day > dt.date.today():
        raise UsageError(_("ngày nộp {date} chưa đến; chỉ ghi báo cáo đã nộp").format(date=format_date(day)))
    return day


@dataclass(frozen=True)
class _Signed:
    relpath: str  # from the plan's folder, with `/`
    sha256: str
    copy_from: Path | None  # set when the file is outside the plan's folder and must be copied in


def _signed_file(source: Path, plan_dir: Path) -> _Signed:
    from .evidence import file_sha256

    if not source.is_file():
        raise NotFound(_("không tìm thấy tệp báo cáo đã ký {file}").format(file=source))
    digest = file_sha256(source)
    try:
        rel = Path(os.path.relpath(os.path.abspath(source), os.path.abspath(plan_dir))).as_posix()
    except ValueError:  # another drive on Windows
        rel = "../"
    if not rel.startswith("../"):
        return _Signed(rel, digest, None)
    target = Path(SIGNED_DIR) / source.name
    existing = plan_dir / target
    if existing.exists():
        if existing.is_file() and file_sha256(existing) == digest:
            return _Signed(target.as_posix(), digest, None)
        raise Refused(_("{path}: đã có một tệp khác cùng tên; đổi tên tệp đã ký rồi chạy lại lệnh").format(
            path=existing))
    return _Signed(target.as_posix(), digest, source)


def _copy_new(source: Path, target: Path) -> list[Path]:
    """Copy `source` to `target`, which must not exist; the paths created, for undoing."""
    import shutil

    from .outputs import write_output

    made = [] if target.parent.exists() else [target.parent]
    try:
        # A temporary file beside the target, renamed without replacing a file that appeared meanwhile.
        write_output(target, lambda tmp: shutil.copyfile(source, tmp))
    except CchcError as e:
        for p in made:
            with suppress(OSError):
                p.rmdir()
        raise Refused(_("{path}: không chép được tệp đã ký ({reason}); không ghi gì").format(
            path=target, reason=e)) from None
    return made + [target]


def _check_can_commit(path: Path, tag: str) -> None:
    """Refuse --commit before anything is written when git could not commit or tag."""
    from .history import git, locate

    repo = locate(path)
    if git(repo.root, "var", "GIT_COMMITTER_IDENT", check=False).returncode != 0:
        raise Refused(_("git chưa biết tên người commit; đặt git config user.name và user.email rồi chạy lại"))
    if git(repo.root, "rev-parse", "--quiet", "--verify", f"refs/tags/{tag}", check=False).returncode == 0:
        raise Refused(_("kho git đã có thẻ {tag}; không ghi gì").format(tag=tag))


def _commit(path: Path, files: list[Path], message: str, tag: str) -> str:
    from .history import git, locate

    repo = locate(path)
    rels = [os.path.relpath(os.path.abspath(f), repo.root) for f in files]
    try:
        git(repo.root, "add", "--", *rels)
        git(repo.root, "commit", "-q", "-m", message, "--", *rels)
        git(repo.root, "tag", "-a", tag, "-m", message)
    except CchcError as e:
        raise Refused(_("đã ghi vào {path} nhưng chưa commit được ({detail}); hãy tự commit và gắn thẻ {tag}").format(
            path=path.name, detail=e, tag=tag)) from None
    return git(repo.root, "rev-parse", "--short", "HEAD").stdout.decode().strip()


# --- verifying --------------------------------------------------------------------------------------

@dataclass
class Basis:
    """The version of the plan a submission was made from, and where it was found."""

    plan: Plan
    source: str  # "" (the plan has not changed since), a tag, or a commit id


class _History:
    """The plan's committed versions, read once per verification and only if needed."""

    def __init__(self, path: Path):
        self.path = path
        self._versions: list[tuple[str, Plan]] | None = None

    def repo(self):
        from .history import locate

        try:
            return locate(self.path)
        except CchcError:
            return None

    def at(self, rev: str) -> Plan | None:
        from .history import parse_version, show

        repo = self.repo()
        if repo is None:
            return None
        try:
            text = show(repo, rev)
            return parse_version(text, repo.relpath, rev) if text is not None else None
        except CchcError:
            return None

    def versions(self) -> list[tuple[str, Plan]]:
        """(short commit id, plan) of every valid committed version, oldest first."""
        from .history import commits, parse_version, show_many

        if self._versions is None:
            self._versions = []
            repo = self.repo()
            log = list(reversed(commits(repo))) if repo is not None else []
            for c, text in zip(log, show_many(repo, [(c.sha, c.path) for c in log]) if log else []):
                try:
                    if text is not None:
                        self._versions.append((c.short, parse_version(text, c.path, c.short)))
                except CchcError:
                    continue
        return self._versions


def submitted_basis(plan: Plan, submission: Submission, history: _History) -> Basis | None:
    """The plan as it was when `submission` was recorded, or None if no version can be shown to be it."""
    if content_sha256(plan) == submission.plan_sha256:
        return Basis(plan, "")
    if submission.tag:
        tagged = history.at(submission.tag)
        if tagged is not None and content_sha256(tagged) == submission.plan_sha256:
            return Basis(tagged, submission.tag)
    for short, version in history.versions():
        if content_sha256(version) == submission.plan_sha256:
            return Basis(version, short)
    return None


def verify_submissions(loaded) -> list[Diagnostic]:
    """Findings about every submission of `loaded`: hand changes to its facts, amendments, its signed file."""
    from .finding_codes import severity
    from .evidence import evidence_file_state

    plan: Plan = loaded.plan
    doc = loaded.doc
    findings: list[Diagnostic] = []

    def add(path: tuple, code: str, message: str) -> None:
        findings.append(doc.diagnostic(path, message, code, severity=severity(code)))

    history = _History(Path(doc.path))
    now = plan_facts(plan)
    prints = amended_prints(plan)
    reported: set[str] = set()
    order = sorted(range(len(plan.submissions)), key=lambda i: submission_period(plan.submissions[i]).end)
    for i in order:
        s = plan.submissions[i]
        report = report_title(plan, s)
        where = ("submissions", i)
        state = evidence_file_state(s, Path(doc.path).parent)
        if state == "missing":
            add(where + ("file",), FILE_MISSING, _("không tìm thấy bản đã ký {file} của {report}").format(
                file=s.file, report=report))
        elif state == "changed":
            add(where + ("sha256",), FILE_CHANGED, _(
                "bản đã ký {file} của {report} đã bị thay đổi sau khi nộp (mã sha256 không khớp)").format(
                file=s.file, report=report))
        for j, a in enumerate(s.amendments):
            by = f" ({a.by})" if a.by else ""
            add(where + ("amendments", j, "reason"), AMENDED, _(
                "{report} được sửa sau khi nộp, ngày {date}{by}: {reason}").format(
                report=report, date=format_date(a.date), by=by, reason=a.reason))
        basis = submitted_basis(plan, s, history)
        if basis is None:
            add(where + ("plan_sha256",), UNVERIFIABLE, _(
                "không tìm thấy trong lịch sử git phiên bản kế hoạch lúc nộp {report}, nên không kiểm chứng được "
                "số liệu đã báo cáo; hãy nộp bằng cchc submit --commit, hoặc commit tệp kế hoạch ngay sau khi "
                "nộp").format(report=report))
            continue
        for change in changed_facts(plan_facts(basis.plan), now, submission_period(s).end):
            key = change.fact.key
            if key in reported:
                continue
            reported.add(key)
            if fingerprint(change.new) in prints.get(key, ()):
                continue  # amended on purpose: the amendment's warning says so
            add(_location(change, doc), CHANGED, change_message(change, report))
    return findings


def _location(change: FactChange, doc) -> tuple:
    if change.new is None:
        return change.old.path[:-1]
    name = change.field()
    return change.new.path + (name,) if name and change.new.path + (name,) in doc.spans else change.new.path


def change_message(change: FactChange, report: str) -> str:
    fact = change.fact.label()
    if change.old is None:
        return _("{fact} được thêm sau khi nộp {report}").format(fact=fact, report=report)
    if change.new is None:
        return _("{fact} bị xóa sau khi nộp {report}").format(fact=fact, report=report)
    return _("{fact} khác với {report}: đã báo cáo {old}, nay là {new}").format(
        fact=fact, report=report, old=change.shown_old(), new=change.shown_new())
