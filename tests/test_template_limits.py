"""Report templates that would exhaust memory or time: refused with `TEMPLATE:LINE: …`, exit 1, in seconds.

The bombs run in the report command in-process (message, exit code, no file), and the heaviest ones
again in a child process whose peak memory and CPU time are measured with resource.getrusage.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import docx
import pytest

from cchc import sandbox
from conftest import PROGRESS_PLAN, ROOT, run

TOO_LONG = "mẫu tạo ra chuỗi quá dài (hơn 2000000 ký tự)"
TOO_BIG = "mẫu tạo ra số quá lớn"
BOMBS = {
    "center": ("{{ 'x'|center(10**9) }}", TOO_LONG),
    "center-method": ("{{ 'x'.center(10**9) }}", TOO_LONG),
    "ljust-method": ("{{ 'x'.ljust(10**9) }}", TOO_LONG),
    "format-filter": ("{{ '%999999999s'|format('x') }}", TOO_LONG),
    "format-method": ("{{ '{:>999999999}'.format('x') }}", TOO_LONG),
    "format-nested-width": ("{{ '{:{}}'.format('x', 10**9) }}", TOO_LONG),
    "percent": ("{{ '%999999999d' % 1 }}", TOO_LONG),
    "percent-star": ("{{ '%*d' % (10**9, 1) }}", TOO_LONG),
    "indent": ("{{ (('x' * 100 ~ '\\n') * 10000) | indent(1000) }}", TOO_LONG),
    "concat": ("{% set a = 'x' * 100000 %}{% set b = a ~ a ~ a ~ a ~ a ~ a ~ a ~ a %}{% set c = b ~ b ~ b ~ b %}"
               "{{ c }}", TOO_LONG),
    "plus": ("{% set a = 'x' * 1500000 %}{{ a + a }}", TOO_LONG),
    "namespace-doubling": ("{% set ns = namespace(s='xx') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}"
                           "{% endfor %}{{ ns.s }}", TOO_LONG),
    "replace-filter": ("{{ ('x' * 100000)|replace('x', 'y' * 100) }}", TOO_LONG),
    "replace-method": ("{{ ('x' * 100000).replace('x', 'y' * 1000) }}", TOO_LONG),
    "wordwrap": ("{{ ('x ' * 500000)|wordwrap(1, true, 'z' * 100000) }}", TOO_LONG),
    "join": ("{{ range(100000)|map('string')|map('center', 1000)|join(',') }}", TOO_LONG),
    "lipsum": ("{{ lipsum(100000) }}", TOO_LONG),
    "list-multiply": ("{{ ([1] * 100001)|length }}", TOO_LONG),
    "batch": ("{{ [1]|batch(1000000000, 'x')|list }}", "mẫu tạo ra danh sách quá dài (hơn 100000 phần tử)"),
    "power": ("{{ 10 ** 1000000 }}", TOO_BIG),
    "power-chain": ("{% set a = 10 ** 100 %}{{ a * a * a * a * a * a * a * a * a * a * a * a * a * a * a * a * a * a * a"
                    " * a * a * a * a * a * a * a * a * a * a * a * a * a * a * a * a * a * a * a * a * a * a }}",
                    TOO_BIG),
    "nested-range": ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
                     "mẫu chạy quá nhiều vòng lặp (hơn 1000000 bước)"),
    "recursive-loop": ("{% for i in range(100000) recursive %}{% if loop.depth < 3 %}{{ loop(range(100000)) }}"
                       "{% endif %}{% endfor %}", "mẫu chạy quá nhiều vòng lặp (hơn 1000000 bước)"),
    "macro-memory": ("{% macro m() %}{% for i in range(100000) %}{{ 'y' * 100000 }}{% endfor %}{% endmacro %}"
                     "{{ m()|length }}", "mẫu dùng quá 150 MB bộ nhớ"),
}
OUTPUT_BOMB = "{% set a = 'x' * 1000000 %}{% for i in range(100000) %}{{ a }}{% endfor %}"


def template(tmp_path: Path, expression: str) -> Path:
    path = tmp_path / "mau.docx"
    doc = docx.Document()
    doc.add_paragraph("Mở đầu")
    doc.add_paragraph(expression)
    doc.save(str(path))
    return path


def render(tmp_path: Path, template_path: Path):
    out = tmp_path / "out" / "r.docx"
    result = run("report", "-q", "1", "-p", PROGRESS_PLAN, "--as-of", "20/06/2023", "-o", out, "--template",
                 template_path)
    return result, out


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_template_bombs_are_refused_with_the_line(tmp_path, name, monkeypatch):
    monkeypatch.chdir(tmp_path)
    expression, reason = BOMBS[name]
    raw = PROGRESS_PLAN.read_bytes()
    result, out = render(tmp_path, template(tmp_path, expression))
    assert result.exit_code == 1, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"lỗi: mau.docx:3: mẫu dùng thao tác không được phép: {reason} — gần đoạn “")
    assert not out.exists() and not any(out.parent.iterdir())
    assert PROGRESS_PLAN.read_bytes() == raw


def test_a_template_writing_too_much_text_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result, out = render(tmp_path, template(tmp_path, OUTPUT_BOMB))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "lỗi: mau.docx: mẫu dùng thao tác không được phép: mẫu tạo ra văn bản quá dài (hơn 32000000 ký tự)"]
    assert not out.exists()


def test_ordinary_uses_of_the_same_operations_still_work(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    expression = ("{{ 'Sở'|center(20) }}|{{ '%05d'|format(42) }}|{{ '{:,}'.format(1500000000) }}|"
                  "{{ ('a' ~ 'b') * 3 }}|{{ 'x-y'.replace('-', ' – ') }}|{{ [1, 2] + [3] }}|{{ 2 ** 10 }}|"
                  "{% for t in tasks %}{% if loop.first %}{{ t.id }}{% endif %}{% endfor %}")
    result, out = render(tmp_path, template(tmp_path, expression))
    assert result.exit_code == 0, result.stderr
    text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    assert "Sở".center(20) + "|00042|1,500,000,000|ababab|x – y|[1, 2, 3]|1024|1.a" in text


def test_the_built_in_report_of_a_large_plan_stays_far_below_the_step_bound(tmp_path):
    import datetime as dt

    sys.path.insert(0, str(ROOT / "bench"))
    import gen_plan

    from cchc.planfile import load_document
    from cchc.report import render_report

    plan = load_document(tmp_path / "plan_2023.yaml", gen_plan.generate(2000, 1, seed=2)).plan
    environments = []
    real = sandbox.ReportEnvironment.__init__

    def remember(self):
        real(self)
        environments.append(self)

    sandbox.ReportEnvironment.__init__ = remember
    try:
        render_report(plan, 4, tmp_path / "r.docx", as_of=dt.date(2023, 12, 20))
    finally:
        sandbox.ReportEnvironment.__init__ = real
    print("steps for a 2,000-task report:", environments[0].steps)
    assert 0 < environments[0].steps * 10 < sandbox.MAX_STEPS


CHILD = textwrap.dedent("""
    import resource, subprocess, sys
    done = subprocess.run([sys.executable, "-m", "cchc", *sys.argv[1:]], capture_output=True)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(done.returncode, usage.ru_maxrss, usage.ru_utime + usage.ru_stime)
""")


@pytest.mark.skipif(os.name != "posix", reason="resource.getrusage")
@pytest.mark.parametrize("name", ["center", "format-method", "concat", "join", "power-chain", "nested-range",
                                  "recursive-loop", "macro-memory", "output"])
def test_template_bombs_peak_memory_and_time(tmp_path, name):
    expression = OUTPUT_BOMB if name == "output" else BOMBS[name][0]
    out = subprocess.run([sys.executable, "-c", CHILD, "report", "-q", "1", "-p", str(PROGRESS_PLAN), "--as-of",
                          "20/06/2023", "-o", str(tmp_path / "r.docx"), "--template",
                          str(template(tmp_path, expression))], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    code, rss, cpu = out.stdout.split()
    rss_mb = int(rss) // (1024 * 1024 if sys.platform == "darwin" else 1024)
    print(f"{name}: exit {code}, peak {rss_mb} MB, {float(cpu):.2f} s CPU")
    assert code == "1"
    assert rss_mb < 300 and float(cpu) < 2
