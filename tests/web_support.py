"""Helpers for the web tests: a plan in a fresh git repository, forms filled like a browser does."""

from __future__ import annotations

import html
import re
import subprocess
from pathlib import Path

from conftest import PLAN_2023

GIT_ENV = {"GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "Test",
           "GIT_COMMITTER_EMAIL": "t@example.org"}


def git(folder: Path, *args: str) -> str:
    import os

    out = subprocess.run(["git", *args], cwd=folder, check=True, capture_output=True, text=True,
                         env={**os.environ, **GIT_ENV})
    return out.stdout


def plan_in_repo(folder: Path, source: Path = PLAN_2023, commit: bool = True) -> Path:
    """`source` copied to folder/plan_2023.yaml, in a new git repository (committed unless told not to)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "plan_2023.yaml"
    path.write_bytes(Path(source).read_bytes())
    git(folder, "init", "-q")
    git(folder, "config", "user.name", "Văn thư")
    git(folder, "config", "user.email", "vt@example.org")
    if commit:
        git(folder, "add", "plan_2023.yaml")
        git(folder, "commit", "-q", "-m", "Kế hoạch 2023")
    return path


def hidden(page: str, name: str) -> str:
    m = re.search(r'name="%s" value="([^"]*)"' % re.escape(name), page)
    assert m, f"no hidden field {name}"
    return html.unescape(m.group(1))


def text(response) -> str:
    """The visible text of a page, tags removed and spaces collapsed."""
    body = response.get_data(as_text=True)
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", body, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def submit(client, page_url: str, action: str, data: dict, sha: str | None = None, csrf: bool = True, **kw):
    """Open `page_url`, then post `data` to `action` with the page's CSRF token and plan hash."""
    page = client.get(page_url)
    assert page.status_code == 200, page.status_code
    body = page.get_data(as_text=True)
    form = dict(data)
    if csrf:
        form["csrf"] = hidden(body, "csrf")
    form.setdefault("plan_sha", sha if sha is not None else hidden(body, "plan_sha"))
    form.setdefault("back", page_url)
    return client.post(action, data=form, **kw)


def session_token(client) -> str:
    """The CSRF token of the client's session (for pages that show no form)."""
    with client.session_transaction() as session:
        return session["csrf"]
