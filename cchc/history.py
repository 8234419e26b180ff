"""The plan's history in git: versions of the plan file at revisions, and the commits that touched it.

Everything runs the system `git` from the plan file's own folder and addresses the file by its
path inside the repository, so a plan kept in a subfolder (or run from elsewhere with `--plan`)
works. A version is parsed and validated like a file on disk; an invalid or missing version is
reported in one line rather than as the diagnostics of a file the user cannot open.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from .diagnostics import CchcError, NotFound, PlanInvalid, Refused
from .i18n import _
from .text import nfc

WORKTREE = None  # a revision of None means the file as it is on disk


@dataclass(frozen=True)
class PlanRepo:
    """Where the plan file sits in its git repository."""

    root: Path
    relpath: str  # POSIX path of the plan file inside the repository
    file: Path  # the plan file as the user named it


@dataclass
class Commit:
    sha: str
    short: str
    author: str
    email: str
    date: str  # author date, ISO 8601 with the author's offset
    subject: str
    path: str  # the plan file's path in this commit (it may have been renamed since)
    changes: list = field(default_factory=list)
    problem: str = ""  # set when this commit's version could not be read

    @property
    def day(self) -> str:
        return self.date[:10]

    def as_dict(self) -> dict:
        """The `cchc log --json` shape of this commit."""
        return {"commit": self.sha, "short": self.short, "date": self.date, "author": self.author,
                "email": self.email, "subject": self.subject, "path": self.path, "problem": self.problem or None,
                "changes": [fact.as_dict() for fact, _line in self.changes]}

    def lines(self) -> list[str]:
        """What `cchc log` prints for this commit: its changes, else why none can be shown."""
        if self.problem:
            return [self.problem]
        return [line for _fact, line in self.changes] or [_("(không đổi nội dung kế hoạch)")]


def _git_exe() -> str:
    exe = shutil.which("git")
    if exe is None:
        raise NotFound(_("không tìm thấy lệnh git; hãy cài git để xem lịch sử kế hoạch"))
    return exe


def git(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    # Git's own messages stay out of the user's way: each failure is turned into one sentence.
    env = {**os.environ, "LC_ALL": "C", "GIT_PAGER": "cat", "GIT_TERMINAL_PROMPT": "0"}
    proc = subprocess.run([_git_exe(), "-c", "core.quotepath=off", *args], cwd=cwd, capture_output=True,
                          env=env)
    if check and proc.returncode != 0:
        lines = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise CchcError(_("git báo lỗi: {detail}").format(detail=lines[-1] if lines else proc.returncode))
    return proc


def default_by(folder: Path | None = None) -> str:
    """Who records a change: `git config user.name`, else the login name, else ""."""
    try:
        out = subprocess.run(["git", "config", "user.name"], cwd=folder or None, capture_output=True, text=True,
                             encoding="utf-8", timeout=3)
        if out.returncode == 0 and out.stdout.strip():
            return nfc(out.stdout.strip())
    except (OSError, subprocess.SubprocessError, ValueError):
        pass
    try:
        import getpass

        return nfc(getpass.getuser())
    except Exception:  # noqa: BLE001 - no login name on this system: leave `by` empty
        return ""


def locate(file: Path) -> PlanRepo:
    """The repository holding `file` and the file's path inside it."""
    folder = file.parent if str(file.parent) else Path(".")
    if not folder.is_dir():
        raise NotFound(_("{path}: thư mục chứa tệp kế hoạch không tồn tại").format(path=file))
    proc = git(folder, "rev-parse", "--show-toplevel", "--show-prefix", check=False)
    if proc.returncode != 0:
        raise NotFound(_("{path}: tệp kế hoạch không nằm trong một kho git").format(path=file))
    lines = proc.stdout.decode("utf-8").splitlines()
    root = Path(lines[0])
    prefix = lines[1] if len(lines) > 1 else ""
    return PlanRepo(root=root, relpath=prefix + file.name, file=file)


def resolve(repo: PlanRepo, rev: str) -> str:
    """The commit id of `rev`; an unknown revision is a usage error."""
    proc = git(repo.root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}", check=False)
    if proc.returncode != 0:
        if rev == "HEAD" and git(repo.root, "rev-parse", "--verify", "--quiet", "HEAD", check=False).returncode:
            raise Refused(_("kho git chưa có commit nào; hãy commit tệp kế hoạch trước"))
        raise NotFound(_("không có phiên bản “{rev}” trong kho git").format(rev=rev))
    return proc.stdout.decode().strip()


def show(repo: PlanRepo, rev: str, path: str | None = None) -> str | None:
    """The text of the plan file at `rev`, or None if the file does not exist there."""
    sha = resolve(repo, rev)
    proc = git(repo.root, "show", f"{sha}:{path or repo.relpath}", check=False)
    if proc.returncode != 0:
        return None
    return proc.stdout.decode("utf-8", "replace").removeprefix("\ufeff")


def show_many(repo: PlanRepo, specs: list[tuple[str, str]]) -> list[str | None]:
    """The texts of several (commit, path) versions in one `git cat-file --batch`; None when missing."""
    if not specs:
        return []
    request = "".join(f"{sha}:{path}\n" for sha, path in specs).encode("utf-8")
    proc = subprocess.run([_git_exe(), "cat-file", "--batch"], cwd=repo.root, input=request, capture_output=True)
    if proc.returncode != 0:
        return [show(repo, sha, path) for sha, path in specs]
    data, pos, out = proc.stdout, 0, []
    for _spec in specs:
        end = data.index(b"\n", pos)
        header = data[pos:end].split()
        pos = end + 1
        if len(header) != 3 or header[1] != b"blob":
            out.append(None)
            continue
        size = int(header[2])
        out.append(data[pos:pos + size].decode("utf-8", "replace").removeprefix("\ufeff"))
        pos += size + 1
    return out


def plan_at(repo: PlanRepo, rev: str | None):
    """The validated `Plan` at `rev` (None: the file on disk). Raises CchcError in one line."""
    from .planfile import load

    if rev is WORKTREE:
        return load(repo.file).plan
    text = show(repo, rev)
    if text is None:
        raise CchcError(_("tệp {path} không có trong phiên bản {rev}").format(path=repo.relpath, rev=rev))
    return parse_version(text, repo.relpath, rev)


def parse_version(text: str, path: str, rev: str):
    from .planfile import parse_document, validate_document

    try:
        return validate_document(parse_document(Path(f"{rev}:{path}"), text))
    except PlanInvalid as e:
        first = e.diagnostics[0]
        more = len(e.diagnostics) - 1
        detail = f"{first.line}:{first.column}: {first.message}" if first.line else first.message
        if more:
            detail += _(" (và {n} lỗi khác)").format(n=more)
        raise CchcError(_("tệp {path} ở phiên bản {rev} không hợp lệ: {detail}").format(
            path=path, rev=rev, detail=detail)) from None


_SEP_RECORD, _SEP_FIELD = "\x1e", "\x1f"


def commits(repo: PlanRepo) -> list[Commit]:
    """The commits that changed the plan file, newest first, following renames."""
    fmt = _SEP_RECORD + _SEP_FIELD.join(("%H", "%h", "%an", "%ae", "%aI", "%s"))
    proc = git(repo.root, "log", "--follow", "--name-only", f"--format={fmt}", "--", repo.relpath, check=False)
    if proc.returncode != 0:
        # A repository without commits has no history; anything else is git's own problem.
        if git(repo.root, "rev-parse", "--verify", "--quiet", "HEAD", check=False).returncode:
            return []
        git(repo.root, "log", "--follow", "--", repo.relpath)
    out = []
    for record in proc.stdout.decode("utf-8", "replace").split(_SEP_RECORD)[1:]:
        header, _nl, rest = record.partition("\n")
        sha, short, author, email, date, subject = header.split(_SEP_FIELD)
        paths = [line for line in rest.splitlines() if line.strip()]
        out.append(Commit(sha, short, author, email, date, subject, paths[-1] if paths else repo.relpath))
    return out


def log(plan_file: Path, ident: str | None = None) -> tuple[PlanRepo, list[Commit]]:
    """`cchc log [ID]`: the plan's repository and its history (of `ident` only, if given).

    Refused when `ident` names nothing that any commit changed.
    """
    repo = locate(plan_file)
    ident = nfc(ident) if ident else None
    found = history(repo, ident)
    if ident and not any(c.changes for c in found):
        raise Refused(_("không có thay đổi nào về “{id}” trong lịch sử của {path}").format(id=ident, path=repo.relpath))
    return repo, found


def history(repo: PlanRepo, task_id: str | None = None) -> list[Commit]:
    """Commits that changed the plan (or the task, target, unit `task_id`), newest first, each with its facts.

    Each version is compared with the previous commit that touched the file. A version that
    does not validate is kept with `problem` set, and the next one is compared with the last
    version that did, so one broken commit does not hide the rest of the history.
    """
    from .plandiff import changes_of, describe_all, diff_plans

    log = list(reversed(commits(repo)))
    texts = show_many(repo, [(c.sha, c.path) for c in log])
    previous = None
    kept: list[Commit] = []
    for commit, text in zip(log, texts):
        if text is None:  # the commit deleted the file
            commit.problem = _("tệp kế hoạch bị xóa trong commit này")
            previous = None
            kept.append(commit)
            continue
        try:
            plan = parse_version(text, commit.path, commit.short)
        except CchcError as e:
            commit.problem = str(e)
            kept.append(commit)
            continue
        facts = changes_of(previous, plan, task_id) if task_id else diff_plans(previous, plan)
        commit.changes = list(zip(facts, describe_all(facts, plan, previous)))
        previous = plan
        if facts or not task_id:
            kept.append(commit)
    return list(reversed(kept))
