"""Git around the web server: keeping the accounts file out of git, the diff of a write, a commit per write.

Every call runs the system `git` through `history.git` (one-line errors, no pager, no prompt). A
plan outside any repository, or a machine without git, simply has no diff to offer and no
commits; `cchc serve --commit` checks for a repository before it starts.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from ..diagnostics import Refused
from ..i18n import _

MAX_DIFF_BYTES = 512 * 1024  # a diff page stays small even after a large rewrite


def _git(folder: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess | None:
    """`git args` in `folder`; None when git is not installed."""
    exe = shutil.which("git")
    if exe is None:
        return None
    full_env = {**os.environ, "LC_ALL": "C", "GIT_PAGER": "cat", "GIT_TERMINAL_PROMPT": "0", **(env or {})}
    return subprocess.run([exe, "-c", "core.quotepath=off", *args], cwd=folder, capture_output=True,
                          env=full_env, timeout=60)


def in_repository(path: Path) -> bool:
    proc = _git(path.parent, "rev-parse", "--is-inside-work-tree")
    return proc is not None and proc.returncode == 0 and proc.stdout.strip() == b"true"


def is_tracked(path: Path) -> bool:
    """Whether git tracks `path` (False outside a repository or without git)."""
    if not path.parent.is_dir() or not in_repository(path):
        return False
    proc = _git(path.parent, "ls-files", "--error-unmatch", "--", path.name)
    return proc is not None and proc.returncode == 0


def ensure_ignored(path: Path) -> Path | None:
    """Make git ignore `path`: the `.gitignore` it added a line to, or None if nothing was needed."""
    if not in_repository(path):
        return None
    proc = _git(path.parent, "check-ignore", "-q", "--", path.name)
    if proc is None or proc.returncode == 0:
        return None
    gitignore = path.parent / ".gitignore"
    existing = gitignore.read_bytes() if gitignore.exists() else b""
    line = f"/{path.name}\n".encode("utf-8")
    with open(gitignore, "ab") as f:
        f.write((b"\n" if existing and not existing.endswith(b"\n") else b"") + line)
    return gitignore


def plan_diff(plan_path: Path, commit: str | None = None) -> str | None:
    """`git diff` of the plan file (or `git show` of one commit's change to it); None outside git."""
    if not in_repository(plan_path):
        return None
    args = ["show", "--format=%h %an %ad%n%s%n", "--date=format:%d/%m/%Y %H:%M", commit, "--"] if commit \
        else ["diff", "--"]
    proc = _git(plan_path.parent, *args, plan_path.name)
    if proc is None or proc.returncode != 0:
        return None
    out = proc.stdout[:MAX_DIFF_BYTES].decode("utf-8", "replace")
    if len(proc.stdout) > MAX_DIFF_BYTES:
        out += "\n" + _("… (còn nữa; xem đầy đủ bằng lệnh git diff)")
    return out


def commit_write(plan_path: Path, extra: list[Path], message: str, author: str) -> str:
    """Commit the plan file (and new evidence files) with `message`, authored by `author`; the short id."""
    folder = plan_path.parent
    names = [plan_path.name] + [os.path.relpath(p, folder) for p in extra]
    env = {"GIT_AUTHOR_NAME": author or "cchc serve", "GIT_AUTHOR_EMAIL": "cchc-serve@localhost"}
    who = _git(folder, "config", "user.name")
    if who is None:
        raise Refused(_("không tìm thấy lệnh git; không commit được"))
    if who.returncode != 0 or not who.stdout.strip():
        env.update(GIT_COMMITTER_NAME="cchc serve", GIT_COMMITTER_EMAIL="cchc-serve@localhost")
    for args in (["add", "--", *names], ["commit", "--quiet", "--no-verify", "-m", message, "--", *names],
                 ["rev-parse", "--short", "HEAD"]):
        proc = _git(folder, *args, env=env)
        if proc.returncode != 0:
            lines = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            raise Refused(_("đã ghi kế hoạch nhưng git commit không thành công: {detail}").format(
                detail=lines[-1] if lines else proc.returncode))
    return proc.stdout.decode().strip()
