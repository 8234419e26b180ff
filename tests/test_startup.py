"""The console script's start-up and exit (cchc/startup.py): fewer imports, same values, whole output."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import PROGRESS_PLAN, run

# Libraries a warm read command has no use for: Typer's Pydantic adapters and Pydantic's plugin
# loader (cchc converts options itself; trusted models are not validated, so no validator is
# built), rich when the output is a pipe, ruamel.yaml when the plan comes from the cache.
NOT_IMPORTED = ("typer._adapters", "pydantic.plugin._loader", "importlib.metadata", "rich", "ruamel.yaml")


def imported_modules(*args: str, env: dict) -> tuple[set[str], subprocess.CompletedProcess]:
    code = "import sys; sys.argv = ['cchc', *sys.argv[1:]]; from cchc.console import main; main()"
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", code, *args], capture_output=True,
                          text=True, encoding="utf-8", env={**os.environ, **env})
    names = {line.rsplit("|", 1)[1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}
    return names, proc


def test_warm_status_imports_only_what_it_uses(plan_copy, monkeypatch):
    from cchc.cache import load_cached

    path = plan_copy(PROGRESS_PLAN)
    monkeypatch.delenv("CCHC_FULL_PATH", raising=False)  # about the warm path, in both runs of the suite
    env = {"CCHC_CACHE_DIR": os.environ["CCHC_CACHE_DIR"], "NO_COLOR": "1"}
    load_cached(path)  # the cache entry
    names, proc = imported_modules("status", "-p", str(path), "--as-of", "20/06/2023", env=env)
    assert proc.returncode == 0, proc.stderr[-500:]
    assert "cchc.status" in names and "typer" in names
    assert not {n for n in names for m in NOT_IMPORTED if n == m or n.startswith(m + ".")}
    assert "Tổng cộng" in proc.stdout


def test_piped_output_is_complete_and_exit_codes_kept(plan_copy):
    path = plan_copy(PROGRESS_PLAN)
    expected = run("tasks", "-p", path, "--as-of", "20/06/2023", "--json").stdout
    script = [sys.executable, "-c", "from cchc.console import main; main()"]
    proc = subprocess.run([*script, "tasks", "-p", str(path), "--as-of", "20/06/2023", "--json"],
                          capture_output=True, text=True, encoding="utf-8")
    assert (proc.returncode, proc.stdout) == (0, expected)
    missing = subprocess.run([*script, "status", "-p", str(path) + ".none"], capture_output=True, text=True)
    assert missing.returncode == 2 and "không tìm thấy tệp kế hoạch" in missing.stderr
    bad = subprocess.run([*script, "status", "--as-of", "31/02/2023", "-p", str(path)], capture_output=True, text=True)
    assert bad.returncode == 2


@pytest.mark.parametrize("value", ["3", "+3", "003", "-1", " 3", "1_0", "x", "3.0", ""])
def test_whole_numbers_convert_as_typer_converts_them(value):
    # The light conversion takes the plain forms and leaves the rest to Typer: same value, same error.
    import typer
    from typer import core
    from typer._coercion import resolve_type_descriptor
    from typer.models import OptionInfo

    from cchc.startup import light_options

    light_options()
    descriptor = resolve_type_descriptor(int, OptionInfo())
    light, typers = core.build_runtime_param(descriptor), core.build_runtime_param.__wrapped__(descriptor)
    param = type("P", (), {"multiple": False, "nargs": 1})()
    outcomes = []
    for runtime in (light, typers):
        try:
            outcomes.append(runtime._coerce_value(value, param=param, ctx=None))
        except typer.BadParameter as e:
            outcomes.append(("refused", e.message))
    assert outcomes[0] == outcomes[1]
