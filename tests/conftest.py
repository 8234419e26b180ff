"""Shared test helpers: paths, a CLI runner, and a required-tool guard for CI."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
PLAN_2023 = ROOT / "plan_2023.yaml"
PROGRESS_PLAN = FIXTURES / "plan_progress.yaml"
MINIMAL_PLAN = FIXTURES / "minimal.yaml"


def require_tool(name: str) -> str:
    """Path of an external tool; in CI (CCHC_REQUIRE_TOOLS=1) a missing tool fails the test."""
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CCHC_REQUIRE_TOOLS"):
            pytest.fail(f"required tool {name!r} is not installed (CCHC_REQUIRE_TOOLS=1)")
        pytest.skip(f"{name} not installed")
    return path


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch, tmp_path_factory):
    # Tests must not see the developer's plan, language, terminal width or cache.
    for var in ("CCHC_PLAN", "CCHC_LANG", "NO_COLOR", "CCHC_DEBUG", "COLUMNS"):
        monkeypatch.delenv(var, raising=False)
    # GNU readline (loaded for pytest's debugger) exports COLUMNS into the process environment
    # behind os.environ's back; a cchc started by a test would fit its tables to it.
    os.unsetenv("COLUMNS")
    monkeypatch.setenv("CCHC_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    from cchc import i18n

    i18n.set_language(None)
    yield
    i18n.set_language(None)  # nor does the next module's fixture see the language a test chose


def run(*args: str, env: dict | None = None, input: str | None = None):
    """Run the CLI in-process; returns click's Result with separate .stdout and .stderr.

    With the option conversion the console script uses (cchc/startup.py), so every test of a
    command line also tests it.
    """
    from cchc.cli import app
    from cchc.startup import light_options

    light_options()
    return CliRunner().invoke(app, [str(a) for a in args], env=env, input=input, catch_exceptions=False)


# The suite runs twice (README, .ci/run): as users run cchc, and with CCHC_FULL_PATH=1, where no
# command uses the cache of validated plans or the edit fast path (cchc/cache.py, cchc/fastedit.py).
FULL_PATH = bool(os.environ.get("CCHC_FULL_PATH"))


@pytest.fixture
def plan_copy(tmp_path):
    """A function that copies a plan fixture into tmp_path and returns its path.

    The copy is read once through the cache (`warm_cache`), as a user's plan usually has been
    before a write: so every write command in the tests takes the fast path when it can, and
    the full path in the CCHC_FULL_PATH=1 run.
    """

    def copy(source: Path = PROGRESS_PLAN, name: str = "plan_2023.yaml") -> Path:
        target = tmp_path / name
        target.write_bytes(Path(source).read_bytes())
        warm_cache(target)
        return target

    return copy


def warm_cache(path: Path) -> None:
    """Read `path` through the cache (unless the full path is forced), as `cchc status` would."""
    if not FULL_PATH:
        from cchc.cache import load_cached
        from cchc.diagnostics import CchcError

        try:
            load_cached(path)
        except CchcError:
            pass  # an invalid plan is never cached
