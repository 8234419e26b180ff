"""Benchmark harness: whole `cchc` processes on plans of several sizes, against the import floor and Taskwarrior.

    python bench/run.py            # the full run (about 5 minutes on 2 cores)
    python bench/run.py --quick    # 1 warm-up round + 3 rounds, for development
    python bench/run.py --sizes real,2000 --only status,update

Every figure is the wall time of a fresh process. The commands run in alternating rounds: each
round runs every command once, in the same order, so a burst of load from another process on a
shared machine hits every command of that round rather than all runs of one command. The first
round is a warm-up and is not counted. A command's figure is the median over the rounds; a ratio
(cchc command / reference) is the median of the per-round ratios, each taken from two runs a few
seconds apart, which is what makes the ratios comparable between loaded and quiet runs.

References measured in the same rounds:
- the import floor `python -c "import typer, pydantic, rich, ruamel.yaml"`;
- Taskwarrior, when `task` is on PATH (`apt-get install taskwarrior`; nothing is installed by
  this script): a temporary TASKDATA/TASKRC holding the same shape of data as the 2,000-task plan
  (2,000 tasks with 10 annotations each), timed for `task list`, a filtered list and
  `task N annotate` (its data restored before every annotate, as the plan is before every update).

Plans: plan_2023.yaml itself ("real") and seeded synthetic plans from bench/gen_plan.py: 500 tasks,
2,000 tasks and 10,000 tasks with 10 progress entries each (3.4 MB and 17 MB). "cold": the cache of
validated plans is emptied before the run; "warm": the file is unchanged since the last run;
"after update": an `update` ran on the file just before (untimed); `update` itself runs on a
copy restored and read once with `status` before each run (untimed), as a user's plan usually
has been read since it last changed. Peak memory is the max RSS of
each timed process (from wait4), the highest over the rounds; it includes this harness's own
peak (about 15 MB: a vfork'd child starts with its parent's), which is why plans are generated in
a child process.

At the end the harness prints the targets of issue 13, each with its figure and whether it is met.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
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

SIZES = {
    # name: (tasks, progress entries per task or None for 0-3 at random); "real" is plan_2023.yaml
    "real": None,
    "500": (500, None),
    "2000": (2000, 10),
    "10000": (10000, 10),
}
# The big plan only for what its row of the targets measures: a full round of every command on
# 17 MB would take minutes.
BIG_ONLY = {"validate", "status (cold)", "status (warm)"}
TW_TASKS, TW_ANNOTATIONS = 2000, 10
PEAK_MB_TARGET = 400


@dataclass
class Bench:
    size: str
    label: str
    argv: list[str]
    prepare: list[list[str]] = field(default_factory=list)  # run before every timed run, untimed
    env: dict[str, str] | None = None
    times: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    peak_mb: float = 0.0
    note: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return (self.size, self.label)

    @property
    def median(self) -> float | None:
        return statistics.median(self.times) if self.times else None


@dataclass(frozen=True)
class Target:
    """One row of issue 13's table: `size label` over a reference (None: absolute seconds)."""

    title: str
    measured: tuple[str, str]
    reference: tuple[str, str] | None
    limit: float
    memory_mb: float | None = None


TARGETS = [
    Target("`status`, real plan, warm / import floor", ("real", "status (warm)"), ("-", "floor"), 1.0),
    Target("`status`, 2,000 tasks, warm / `task list`", ("2000", "status (warm)"), ("tw", "task list"), 1.5),
    Target("`update`, 2,000 tasks / `task annotate`", ("2000", "update"), ("tw", "task N annotate"), 3.0),
    Target("`status` right after an `update`, 2,000 tasks / `task list`", ("2000", "status (after update)"),
           ("tw", "task list"), 1.5),
    Target("`status`, 10,000 tasks, cold", ("10000", "status (cold)"), None, 3.5, PEAK_MB_TARGET),
    Target("`report --quarter 1`, real plan / import floor", ("real", "report -q 1"), ("-", "floor"), 2.5),
]


def cchc_exe() -> list[str]:
    """The installed `cchc` script next to this Python, else `python -m cchc`."""
    script = Path(PY).with_name("cchc")
    if script.exists():
        return [str(script)]
    found = shutil.which("cchc")
    return [found] if found else [PY, "-m", "cchc"]


def make_plans(workdir: Path, sizes: list[str]) -> dict[str, Path]:
    plans = {}
    for size in sizes:
        target = workdir / f"plan_{size}.yaml"
        if SIZES[size] is None:
            shutil.copyfile(ROOT / "plan_2023.yaml", target)
        else:
            # In a child process: the peak memory of a command started from this one includes this
            # process's own peak (vfork/exec keeps it in the child's max RSS), so this one stays small.
            tasks, progress = SIZES[size]
            extra = ["--progress", str(progress)] if progress is not None else []
            subprocess.run([PY, str(HERE / "gen_plan.py"), str(tasks), *extra, "-o", str(target)], check=True)
        plans[size] = target
    return plans


def _py(code: str) -> list[str]:
    return [PY, "-c", code]


def cchc_benches(sizes: list[str], plans: dict[str, Path], workdir: Path, cache: Path) -> list[Bench]:
    exe = cchc_exe()
    clear = _py(f"import shutil; shutil.rmtree({str(cache)!r}, ignore_errors=True)")
    out = [Bench("-", "--help", [*exe, "--help"])]
    for size in sizes:
        plan = str(plans[size])
        copy = str(workdir / f"update_{size}.yaml")
        docx = str(workdir / f"report_{size}.docx")
        restore = _py(f"import shutil; shutil.copyfile({plan!r}, {copy!r})")
        look = [*exe, "status", "-p", copy]
        update = [*exe, "update", "1.a", "--percent", "60", "--note", "Đã họp triển khai (benchmark)",
                  "--date", "28/12/2023", "--by", "Bench", "-p", copy]
        rows = [
            Bench(size, "validate", [*exe, "validate", plan]),
            Bench(size, "status (cold)", [*exe, "status", "-p", plan], prepare=[clear]),
            Bench(size, "status (warm)", [*exe, "status", "-p", plan]),
            Bench(size, "tasks --unit VP (warm)", [*exe, "tasks", "--unit", "VP", "-p", plan]),
            # A user's plan has usually been read (`status`) since it last changed, so the copy
            # is restored and read once before each timed `update`.
            Bench(size, "update", update, prepare=[restore, look]),
            Bench(size, "status (after update)", [*exe, "status", "-p", copy], prepare=[restore, look, update]),
            # The report is removed first: writing over an existing file may need --force.
            Bench(size, "report -q 1", [*exe, "report", "--quarter", "1", "-p", plan, "-o", docx],
                  prepare=[_py(f"import os; os.path.exists({docx!r}) and os.unlink({docx!r})")]),
        ]
        if size == "10000":
            rows = [b for b in rows if b.label in BIG_ONLY]
        out += rows
    return out


def taskwarrior_benches(workdir: Path) -> tuple[list[Bench], str]:
    """`task list`, a filtered list and `task N annotate` on 2,000 tasks × 10 annotations, or why not."""
    task = shutil.which("task")
    if task is None:
        return [], "Taskwarrior not found (`apt-get install taskwarrior`): its rows are left out"
    home = workdir / "taskwarrior"
    data = home / "data"
    data.mkdir(parents=True)
    rc = home / "taskrc"
    # Output and behaviour as a script sees them: no questions, no hooks, no colour, no messages.
    rc.write_text(f"data.location={data}\nconfirmation=off\nverbose=nothing\nhooks=off\ncolor=off\n"
                  "recurrence=off\nnews.version=99\n", encoding="utf-8")
    env = {"TASKRC": str(rc), "TASKDATA": str(data)}
    source = home / "tasks.json"
    # Built in a child process, like the plans, to keep this process's peak memory small.
    subprocess.run([PY, __file__, "--taskwarrior-json", str(source)], check=True)
    proc = subprocess.run([task, "import", str(source)], env={**os.environ, **env}, capture_output=True, text=True)
    if proc.returncode != 0:
        return [], f"Taskwarrior import failed: {proc.stderr.strip()[-200:]}"
    saved = home / "saved"
    shutil.copytree(data, saved)
    restore = _py(f"import shutil; shutil.rmtree({str(data)!r}); shutil.copytree({str(saved)!r}, {str(data)!r})")
    version = subprocess.run([task, "--version"], capture_output=True, text=True).stdout.strip()
    return [
        Bench("tw", "task list", [task, "list"], env=env),
        Bench("tw", "task project:area3 list", [task, "project:area3", "list"], env=env),
        Bench("tw", "task N annotate", [task, "1", "annotate", "Đã họp triển khai (benchmark)"],
              prepare=[restore], env=env),
    ], f"Taskwarrior {version}: {TW_TASKS} tasks × {TW_ANNOTATIONS} annotations in {data}"


def write_taskwarrior_json(path: Path) -> None:
    """Tasks for `task import`: the plan's shape (2,000 tasks, 10 dated notes each), Vietnamese text."""
    rng = random.Random(2023)
    start = dt.datetime(2023, 1, 2, 8, 0)
    tasks = []
    for i in range(TW_TASKS):
        entry = start + dt.timedelta(days=rng.randint(0, 300))
        stamps = sorted(entry + dt.timedelta(days=rng.randint(0, 60), minutes=k) for k in range(TW_ANNOTATIONS))
        tasks.append({
            "uuid": "%08x-0000-4000-8000-%012x" % (i, rng.getrandbits(48)),
            "description": gen_plan._sentence(rng, 2),
            "status": "pending",
            "entry": entry.strftime("%Y%m%dT%H%M%SZ"),
            "project": f"area{i // gen_plan.TASKS_PER_AREA + 1}",
            "due": (entry + dt.timedelta(days=rng.randint(10, 60))).strftime("%Y%m%dT%H%M%SZ"),
            "annotations": [{"entry": s.strftime("%Y%m%dT%H%M%SZ"), "description": rng.choice(gen_plan.NOTES)}
                            for s in stamps],
        })
    path.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")


def run_once(b: Bench) -> tuple[float, float, float, int, str]:
    """(wall s, CPU s, max RSS MB, exit code, stderr) of one run of `b`."""
    env = {**os.environ, **b.env} if b.env else None
    for step in b.prepare:
        subprocess.run(step, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    err = tempfile.TemporaryFile()
    start = time.perf_counter()
    proc = subprocess.Popen(b.argv, env=env, stdout=subprocess.DEVNULL, stderr=err)
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err.seek(0)
    text = err.read().decode("utf-8", "replace")
    err.close()
    # Linux reports KiB, macOS bytes.
    rss = usage.ru_maxrss / (1024 * 1024) if sys.platform == "darwin" else usage.ru_maxrss / 1024
    return wall, usage.ru_utime + usage.ru_stime, rss, proc.returncode, text


def run_rounds(results: list[Bench], rounds: int, warmup: int) -> None:
    for r in range(warmup + rounds):
        counted = r >= warmup
        for b in results:
            if b.note:
                continue
            wall, cpu, rss, code, err = run_once(b)
            if code != 0:
                lines = [line for line in err.strip().splitlines() if line.strip()]
                b.note = f"failed (exit {code}): {lines[-1][:120] if lines else ''}"
                continue
            b.peak_mb = max(b.peak_mb, rss)
            if counted:
                b.times.append(wall)
                b.cpu.append(cpu)
        print(f"  round {r + 1}/{warmup + rounds}{'' if counted else ' (warm-up)'} done", file=sys.stderr, flush=True)


def paired_ratio(results: dict[tuple, Bench], measured: tuple, reference: tuple) -> float | None:
    """Median over the rounds of measured / reference, both timed in the same round."""
    a, b = results.get(measured), results.get(reference)
    if not a or not b or not a.times or len(a.times) != len(b.times):
        return None
    return statistics.median(x / y for x, y in zip(a.times, b.times))


def table(results: list[Bench], by_key: dict[tuple, Bench]) -> str:
    tw = ("tw", "task list") in by_key
    rows = ["| plan | command | median (s) | spread min–max (s) | rounds | × floor |" + (" × task list |" if tw else "")
            + " CPU (s) | peak MB |",
            "|---|---|---:|---:|---:|---:|" + ("---:|" if tw else "") + "---:|---:|"]
    for b in results:
        if b.median is None:
            rows.append(f"| {b.size} | {b.label} | {b.note or 'n/a'} | | | |" + (" |" if tw else "") + " | |")
            continue
        floor = paired_ratio(by_key, b.key, ("-", "floor"))
        ratio_tw = paired_ratio(by_key, b.key, ("tw", "task list"))
        rows.append(f"| {b.size} | {b.label} | {b.median:.3f} | {min(b.times):.3f}–{max(b.times):.3f} | "
                    f"{len(b.times)} | {floor:.2f} |" + (f" {ratio_tw:.2f} |" if tw else "")
                    + f" {statistics.median(b.cpu):.3f} | {b.peak_mb:.0f} |")
    return "\n".join(rows)


def targets_table(by_key: dict[tuple, Bench]) -> str:
    rows = ["| target (issue 13) | figure | limit | met? |", "|---|---:|---:|---|"]
    for t in TARGETS:
        b = by_key.get(t.measured)
        if b is None or b.median is None:
            why = b.note if b is not None and b.note else "not measured in this run"
            rows.append(f"| {t.title} | {why} | | no figure |")
            continue
        if t.reference is None:
            ok = b.median <= t.limit and (t.memory_mb is None or b.peak_mb <= t.memory_mb)
            figure = f"{b.median:.2f} s, {b.peak_mb:.0f} MB"
            limit = f"≤ {t.limit} s" + (f", ≤ {t.memory_mb:.0f} MB" if t.memory_mb else "")
        else:
            ratio = paired_ratio(by_key, t.measured, t.reference)
            ref = by_key.get(t.reference)
            if ratio is None:
                rows.append(f"| {t.title} | {ref.note if ref and ref.note else 'no reference'} | | no figure |")
                continue
            ok = ratio <= t.limit
            figure = f"{ratio:.2f} × ({b.median:.3f} s / {ref.median:.3f} s)"
            limit = f"≤ {t.limit} ×"
        rows.append(f"| {t.title} | {figure} | {limit} | {'met' if ok else 'NOT met'} |")
    return "\n".join(rows)


def machine() -> str:
    try:
        load = " load average %.2f %.2f %.2f" % os.getloadavg()
    except OSError:
        load = ""
    return (f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()};{load}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Time cchc commands on plans of several sizes, in alternating rounds.")
    ap.add_argument("--rounds", type=int, default=7, help="counted rounds (default 7)")
    ap.add_argument("--warmup", type=int, default=1, help="uncounted rounds first (default 1)")
    ap.add_argument("--quick", action="store_true", help="1 warm-up and 3 rounds, while developing")
    ap.add_argument("--sizes", default=",".join(SIZES), help=f"plans to use, of {','.join(SIZES)}")
    ap.add_argument("--only", default="", help="only commands whose label starts with one of these (status,update,…)")
    ap.add_argument("--no-compile", action="store_true",
                    help="do not byte-compile cchc first (see PYTHONDONTWRITEBYTECODE below)")
    ap.add_argument("--json", type=Path, help="also write the raw figures to this JSON file")
    ap.add_argument("--keep", type=Path, help="keep the generated plans and data in this folder")
    ap.add_argument("--taskwarrior-json", type=Path, help=argparse.SUPPRESS)  # the child writing Taskwarrior's data
    args = ap.parse_args(argv)
    if args.taskwarrior_json:
        write_taskwarrior_json(args.taskwarrior_json)
        return 0
    if args.quick:
        args.rounds, args.warmup = 3, 1
    sizes = [s for s in args.sizes.split(",") if s]
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        ap.error(f"unknown size {unknown}; choose from {','.join(SIZES)}")
    started = time.perf_counter()

    # A pip-installed cchc has its bytecode compiled at install time; a checkout run with
    # PYTHONDONTWRITEBYTECODE=1 would recompile every module in every process and measure that
    # instead. Compile once so the figures are those of an installed cchc.
    if not args.no_compile:
        subprocess.run([PY, "-c", "import compileall, pathlib, cchc; "
                        "compileall.compile_dir(pathlib.Path(cchc.__file__).parent, quiet=1)"],
                       stdout=subprocess.DEVNULL, check=False)

    workdir = args.keep or Path(tempfile.mkdtemp(prefix="cchc-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    cache = workdir / "cache"
    # The commands see only the benchmark's own cache, plans and plain-text output.
    os.environ["CCHC_CACHE_DIR"] = str(cache)
    for var in ("CCHC_PLAN", "CCHC_LANG", "CCHC_PURE_YAML", "CCHC_DEBUG", "CCHC_FULL_PATH"):
        os.environ.pop(var, None)
    os.environ["NO_COLOR"] = "1"
    os.environ.setdefault("TZ", "Asia/Ho_Chi_Minh")

    plans = make_plans(workdir, sizes)
    results = [Bench("-", "floor", FLOOR), *cchc_benches(sizes, plans, workdir, cache)]
    tw, tw_note = taskwarrior_benches(workdir)
    results += tw
    only = [c.strip() for c in args.only.split(",") if c.strip()]
    if only:  # the references always run: every ratio needs them
        results = [b for b in results if b.size in ("-", "tw") and b.label != "--help"
                   or any(b.label.startswith(o) for o in only)]

    print(f"cchc benchmark — {dt.datetime.now(dt.timezone.utc).isoformat(timespec='minutes')} — {machine()}")
    print(f"{args.warmup} warm-up round(s) + {args.rounds} counted rounds, alternating; data in {workdir}")
    for size, plan in plans.items():
        print(f"  plan {size}: {plan.stat().st_size / 1e6:.2f} MB")
    print(f"  {tw_note}")
    sys.stdout.flush()
    run_rounds(results, args.rounds, args.warmup)

    by_key = {b.key: b for b in results}
    print()
    print(table(results, by_key))
    print()
    print(targets_table(by_key))
    floor = by_key[("-", "floor")].median
    print(f"\nfloor median {floor:.3f} s; total harness time {time.perf_counter() - started:.0f} s; "
          f"load average at the end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.json:
        args.json.write_text(json.dumps({
            "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="minutes"), "machine": machine(),
            "results": [{"size": b.size, "label": b.label, "argv": b.argv, "times": b.times, "cpu": b.cpu,
                         "peak_mb": b.peak_mb, "note": b.note} for b in results]}, ensure_ascii=False, indent=1))
    if not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
