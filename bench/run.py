"""Benchmark harness: whole `cchc` processes on plans of several sizes, against the import floor.

    python bench/run.py            # the full run (about 3 minutes on 2 cores)
    python bench/run.py --quick    # 1 warm-up + 2 runs each, for development
    python bench/run.py --sizes real,2000 --only status,tasks

Every figure is the wall time of a fresh process (`hyperfine` where installed, else our own loop),
after a warm-up, as the median of several runs with the spread (min-max). Each command's median is
also printed as a ratio to the floor `python -c "import typer, pydantic, rich, ruamel.yaml"`,
measured in the same run, so figures from different machines and loads can be compared. Peak
memory (max RSS) comes from one extra run of each command under a small wrapper process.

Plans: plan_2023.yaml itself ("real") and seeded synthetic plans from bench/gen_plan.py: 40 tasks,
500 tasks, and 2,000 tasks with 10 progress entries each (about 3 MB). A command that `cchc` does
not have yet is printed as "n/a (command not available)", so the harness runs before every
command exists and measures it once it does.

`cchc status` and `cchc tasks` are measured twice: "cold", with the cache of validated plans
emptied before each run (the first run after the file changed), and "warm" (file unchanged).
`cchc update` runs on a copy of the plan that is restored before each run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import gen_plan  # noqa: E402

PY = sys.executable
FLOOR = [PY, "-c", "import typer, pydantic, rich, ruamel.yaml"]
# Not a target, a reference: the same imports plus the smallest Typer command with one option and
# one Pydantic model validated, which is what any cchc read command does at the very least.
TYPER_FLOOR = [PY, "-c", "\n".join([
    "import typer, pydantic, rich, ruamel.yaml",
    "from typing import Annotated, Optional",
    "class M(pydantic.BaseModel):",
    "    x: int",
    "app = typer.Typer()",
    "@app.command()",
    "def status(file: Annotated[Optional[str], typer.Option('--file', '-f')] = None) -> None:",
    "    M.model_validate({'x': 1})",
    "@app.command()",
    "def other() -> None: ...",
    "app()",
]), "status", "-f", "plan.yaml"]

SIZES = {
    # name: (tasks, progress entries per task or None for 0-3 at random)
    "real": None,
    "40": (40, None),
    "500": (500, None),
    "2000": (2000, 10),
}

# Targets of issue 7, in seconds or as a ratio to the floor ("x"): (size, label) -> (limit, unit).
TARGETS = {
    ("real", "status (warm)"): (1.5, "x"),
    ("real", "status (cold)"): (1.5, "x"),
    ("-", "--help"): (1.2, "x"),
    ("real", "report -q 1"): (1.0, "s"),
    ("2000", "status (cold)"): (2.0, "s"),
    ("2000", "tasks --unit VP (cold)"): (2.0, "s"),
    ("2000", "status (warm)"): (0.6, "s"),
    ("2000", "tasks --unit VP (warm)"): (0.6, "s"),
    ("2000", "update"): (1.5, "s"),
    ("2000", "report -q 2"): (6.0, "s"),
}
PEAK_MB_TARGET = 400


@dataclass
class Bench:
    size: str
    label: str
    command: str  # the cchc command name that must exist
    argv: list[str]
    prepare: list[str] | None = None  # run before every timed run (not timed)
    times: list[float] = field(default_factory=list)
    cpu: float | None = None  # mean user + system CPU seconds per run: steadier than wall time on a busy machine
    peak_mb: float | None = None
    note: str = ""

    @property
    def median(self) -> float | None:
        return statistics.median(self.times) if self.times else None


def cchc_exe() -> list[str]:
    """The installed `cchc` script next to this Python, else `python -m cchc`."""
    script = Path(PY).with_name("cchc")
    if script.exists():
        return [str(script)]
    found = shutil.which("cchc")
    return [found] if found else [PY, "-m", "cchc"]


def available_commands() -> set[str]:
    """The commands `cchc --help` lists, read from the Typer app itself."""
    code = ("import typer.main, cchc.cli as c; "
            "print('\\n'.join(typer.main.get_command(c.app).commands))")
    proc = subprocess.run([PY, "-c", code], capture_output=True, text=True)
    return set(proc.stdout.split()) if proc.returncode == 0 else set()


def command_params(name: str) -> dict[str, list[str]]:
    """Option names and argument names of one cchc command (to build a valid `update` call)."""
    code = ("import json, typer.main, cchc.cli as c; cmd = typer.main.get_command(c.app).commands[%r]; "
            "print(json.dumps({p.name: [*p.opts] for p in cmd.params} | "
            "{'__args__': [p.name for p in cmd.params if p.param_type_name == 'argument']}))" % name)
    proc = subprocess.run([PY, "-c", code], capture_output=True, text=True)
    return json.loads(proc.stdout) if proc.returncode == 0 else {}


def update_argv(exe: list[str], plan: Path) -> list[str] | None:
    """`cchc update <task> --percent N --note …` on a task of the plan, as far as its options allow."""
    params = command_params("update")
    if not params:
        return None
    argv = [*exe, "update"]
    args = params.get("__args__", [])
    if args:
        argv.append("1.a")  # every plan here has task 1.a
        if len(args) > 1:
            argv.append("60")  # `update TASK PERCENT`
    for name, value in (("percent", "60"), ("note", "Đã họp triển khai (benchmark)"), ("date", "2023-12-28"),
                        ("by", "Bench"), ("yes", None), ("no_commit", None)):
        if name in params and name not in args:
            opt = next((o for o in params[name] if o.startswith("--")), params[name][0])
            argv += [opt] if value is None else [opt, value]
    file_opt = params.get("file") or params.get("plan") or ["--file"]
    argv += [next((o for o in file_opt if o.startswith("--")), file_opt[0]), str(plan)]
    return argv


def make_plans(workdir: Path, sizes: list[str]) -> dict[str, Path]:
    plans = {}
    for size in sizes:
        target = workdir / f"plan_{size}.yaml"
        if SIZES[size] is None:
            shutil.copyfile(ROOT / "plan_2023.yaml", target)
        else:
            tasks, progress = SIZES[size]
            target.write_text(gen_plan.generate(tasks, progress), encoding="utf-8")
        plans[size] = target
    return plans


def benches(sizes: list[str], plans: dict[str, Path], workdir: Path, cache: Path, only: set[str] | None) -> list[Bench]:
    exe = cchc_exe()
    clear = [PY, "-c", f"import shutil; shutil.rmtree({str(cache)!r}, ignore_errors=True)"]
    out = [Bench("-", "floor (import typer, pydantic, rich, ruamel.yaml)", "", FLOOR),
           Bench("-", "reference: minimal Typer command + 1 Pydantic model", "", TYPER_FLOOR),
           Bench("-", "--help", "", [*exe, "--help"])]
    for size in sizes:
        plan = plans[size]
        docx = str(workdir / f"report_{size}.docx")
        copy = workdir / f"update_{size}.yaml"
        restore = [PY, "-c", f"import shutil; shutil.copyfile({str(plan)!r}, {str(copy)!r})"]
        out += [
            Bench(size, "validate", "validate", [*exe, "validate", str(plan)]),
            Bench(size, "status (cold)", "status", [*exe, "status", "-f", str(plan)], prepare=clear),
            Bench(size, "status (warm)", "status", [*exe, "status", "-f", str(plan)]),
            Bench(size, "tasks --unit VP (cold)", "tasks", [*exe, "tasks", "--unit", "VP", "-f", str(plan)],
                  prepare=clear),
            Bench(size, "tasks --unit VP (warm)", "tasks", [*exe, "tasks", "--unit", "VP", "-f", str(plan)]),
            Bench(size, "update", "update", ["<update>", str(copy)], prepare=restore),
            Bench(size, "report -q 2", "report", [*exe, "report", "--quarter", "2", "-f", str(plan), "-o", docx]),
        ]
        if size == "real":
            out.append(Bench(size, "report -q 1", "report",
                             [*exe, "report", "--quarter", "1", "-f", str(plan), "-o", docx]))
    if only:
        # The floor and the reference always run: every ratio needs them.
        out = [b for b in out if b.command in only or (b.label == "--help" and "help" in only)
               or (not b.command and b.label != "--help")]
    return out


def run_once(argv: list[str]) -> tuple[float, int, str, float]:
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, proc.returncode, proc.stderr, cpu


def peak_memory_mb(argv: list[str]) -> float | None:
    """Max RSS of one run, from a fresh wrapper process whose only child is the command."""
    code = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, "
            "stderr=subprocess.DEVNULL); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    try:
        proc = subprocess.run([PY, "-c", code, *argv], capture_output=True, text=True)
        value = int(proc.stdout.strip())
    except (ValueError, OSError):
        return None
    # Linux reports KiB, macOS bytes.
    return value / (1024 * 1024) if sys.platform == "darwin" else value / 1024


def time_bench(b: Bench, warmup: int, runs: int, hyperfine: str | None) -> None:
    if b.prepare:
        subprocess.run(b.prepare, check=False)
    first, code, err, _cpu = run_once(b.argv)
    if code != 0:
        lines = [line for line in err.strip().splitlines() if line.strip()]
        b.note = f"failed (exit {code}): {lines[-1][:100] if lines else ''}"
        return
    if first > 3.0:
        runs = min(runs, 3)  # a slow command: fewer runs keep the whole harness under 5 minutes
    if hyperfine:
        export = Path(tempfile.mktemp(suffix=".json"))
        cmd = [hyperfine, "-N", "--style", "none", "--warmup", str(max(warmup - 1, 0)), "--runs", str(runs),
               "--export-json", str(export)]
        if b.prepare:
            cmd += ["--prepare", shlex.join(b.prepare)]
        cmd.append(shlex.join(b.argv))
        proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if proc.returncode == 0:
            result = json.loads(export.read_text())["results"][0]
            b.times = result["times"]
            b.cpu = result["user"] + result["system"]
            export.unlink(missing_ok=True)
        else:
            b.note = "hyperfine failed: " + proc.stderr.strip()[-100:]
    else:
        for _ in range(max(warmup - 1, 0)):
            if b.prepare:
                subprocess.run(b.prepare, check=False)
            run_once(b.argv)
        cpus = []
        for _ in range(runs):
            if b.prepare:
                subprocess.run(b.prepare, check=False)
            wall, _code, _err, cpu = run_once(b.argv)
            b.times.append(wall)
            cpus.append(cpu)
        b.cpu = statistics.mean(cpus)
    if b.prepare:
        subprocess.run(b.prepare, check=False)
    b.peak_mb = peak_memory_mb(b.argv)


def verdict(b: Bench, floor: float | None) -> str:
    target = TARGETS.get((b.size, b.label))
    if target is None or b.median is None:
        return ""
    limit, unit = target
    value = b.median / floor if unit == "x" and floor else b.median
    ok = value <= limit
    mem_ok = b.peak_mb is None or b.peak_mb <= PEAK_MB_TARGET
    mark = "met" if ok and mem_ok else "NOT met"
    return f"{mark} (≤ {limit}{'×' if unit == 'x' else ' s'})"


def table(results: list[Bench], floor: float | None) -> str:
    rows = ["| plan | command | median (s) | spread min–max (s) | runs | × floor | CPU (s) | peak MB | target |",
            "|---|---|---:|---:|---:|---:|---:|---:|---|"]
    for b in results:
        if b.median is None:
            rows.append(f"| {b.size} | {b.label} | {b.note or 'n/a'} | | | | | | {verdict(b, floor)} |")
            continue
        ratio = f"{b.median / floor:.2f}" if floor else ""
        peak = f"{b.peak_mb:.0f}" if b.peak_mb is not None else "?"
        rows.append(f"| {b.size} | {b.label} | {b.median:.3f} | {min(b.times):.3f}–{max(b.times):.3f} | "
                    f"{len(b.times)} | {ratio} | {b.cpu:.3f} | {peak} | {verdict(b, floor)} |")
    return "\n".join(rows)


def machine() -> str:
    return (f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Time cchc commands on plans of several sizes.")
    ap.add_argument("--runs", type=int, default=5, help="timed runs per command (default 5; 3 if one run > 3 s)")
    ap.add_argument("--warmup", type=int, default=1, help="untimed runs first (default 1)")
    ap.add_argument("--quick", action="store_true", help="1 warm-up and 2 runs: a quick check while developing")
    ap.add_argument("--sizes", default=",".join(SIZES), help=f"plans to use, of {','.join(SIZES)}")
    ap.add_argument("--only", default="", help="only these commands (comma-separated: status,tasks,…)")
    ap.add_argument("--no-hyperfine", action="store_true", help="time with our own loop even if hyperfine exists")
    ap.add_argument("--no-compile", action="store_true",
                    help="do not byte-compile cchc first (see PYTHONDONTWRITEBYTECODE below)")
    ap.add_argument("--json", type=Path, help="also write the raw figures to this JSON file")
    ap.add_argument("--keep", type=Path, help="keep the generated plans in this folder")
    args = ap.parse_args(argv)
    if args.quick:
        args.runs, args.warmup = 2, 1
    sizes = [s for s in args.sizes.split(",") if s]
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        ap.error(f"unknown size {unknown}; choose from {','.join(SIZES)}")
    started = time.perf_counter()

    # A pip-installed cchc has its bytecode compiled at install time; a checkout run with
    # PYTHONDONTWRITEBYTECODE=1 would recompile every module in every process and measure that
    # instead. Compile once so the figures are those of an installed cchc.
    if not args.no_compile:
        import cchc

        subprocess.run([PY, "-m", "compileall", "-q", str(Path(cchc.__file__).parent)],
                       stdout=subprocess.DEVNULL, check=False)

    workdir = args.keep or Path(tempfile.mkdtemp(prefix="cchc-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    cache = workdir / "cache"
    # The commands see only the benchmark's own cache, plans and plain-text output.
    os.environ["CCHC_CACHE_DIR"] = str(cache)
    for var in ("CCHC_PLAN", "CCHC_LANG", "CCHC_PURE_YAML", "CCHC_DEBUG"):
        os.environ.pop(var, None)
    os.environ["NO_COLOR"] = "1"
    os.environ.setdefault("TZ", "Asia/Ho_Chi_Minh")

    plans = make_plans(workdir, sizes)
    commands = available_commands()
    hyperfine = None if args.no_hyperfine else shutil.which("hyperfine")
    only = {c.strip() for c in args.only.split(",") if c.strip()} or None
    results = benches(sizes, plans, workdir, cache, only)

    print(f"cchc benchmark — {dt.datetime.now().isoformat(timespec='minutes')} — {machine()}")
    print(f"timer: {'hyperfine ' + hyperfine if hyperfine else 'own loop'}; {args.warmup} warm-up, "
          f"{args.runs} runs; plans in {workdir}")
    for size, plan in plans.items():
        print(f"  plan {size}: {plan.stat().st_size / 1e6:.2f} MB")
    sys.stdout.flush()
    for b in results:
        if b.command and b.command not in commands:
            b.note = "n/a (command not available)"
        else:
            if b.argv[0] == "<update>":
                argv = update_argv(cchc_exe(), Path(b.argv[1]))
                if argv is None:
                    b.note = "n/a (command not available)"
                    print(f"{b.size:>5} {b.label:<28} {b.note}", flush=True)
                    continue
                b.argv = argv
            time_bench(b, args.warmup, args.runs, hyperfine)
        shown = f"{b.median:.3f} s" if b.median is not None else b.note
        print(f"{b.size:>5} {b.label:<28} {shown}", flush=True)

    floor = results[0].median
    print()
    print(table(results, floor))
    missing = [f"{s} {label}" for (s, label) in TARGETS
               if (s in sizes or s == "-") and not any(b.size == s and b.label == label and b.median for b in results)]
    print(f"\nfloor median {floor:.3f} s; targets without a figure: {', '.join(missing) or 'none'}")
    print(f"peak memory target ≤ {PEAK_MB_TARGET} MB; total harness time {time.perf_counter() - started:.0f} s")
    if args.json:
        args.json.write_text(json.dumps({
            "date": dt.datetime.now().isoformat(timespec="minutes"), "machine": machine(), "floor": floor,
            "results": [{"size": b.size, "label": b.label, "argv": b.argv, "times": b.times, "median": b.median, "cpu": b.cpu,
                         "peak_mb": b.peak_mb, "note": b.note} for b in results]}, ensure_ascii=False, indent=1))
    if not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
