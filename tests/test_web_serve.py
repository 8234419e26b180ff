"""`cchc serve` as a user starts it: a real process, its address printed, pages served, Ctrl-C stops it."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import urllib.request

import pytest

from conftest import PLAN_2023


@pytest.mark.skipif(os.name == "nt", reason="SIGINT and SIGTERM to a child process are POSIX")
@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM] if os.name != "nt" else [])
def test_serve_prints_its_address_serves_pages_and_stops_on_ctrl_c(tmp_path, stop):
    plan = tmp_path / "plan_2023.yaml"
    plan.write_bytes(PLAN_2023.read_bytes())
    proc = subprocess.Popen([sys.executable, "-m", "cchc", "serve", "--port", "0", "--plan", str(plan)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
    try:
        line = proc.stderr.readline()
        m = re.fullmatch(r"cchc serve: (http://127\.0\.0\.1:\d+/) — kế hoạch .*plan_2023\.yaml; nhấn Ctrl-C để dừng\n",
                         line)
        assert m, line
        with urllib.request.urlopen(m.group(1) + "tasks?q=tuyen+truyen&as_of=20/03/2023", timeout=30) as r:
            page = r.read().decode("utf-8")
        assert r.status == 200 and "Đẩy mạnh công tác tuyên truyền" in page
        assert "Set-Cookie" in r.headers and "HttpOnly" in r.headers["Set-Cookie"]
        proc.send_signal(stop)
        _out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0
    assert err.strip().splitlines()[-1] == "Đã dừng máy chủ."
    assert "Traceback" not in err


def test_serve_refuses_a_port_in_use_in_one_line(tmp_path):
    import socket

    from conftest import run

    plan = tmp_path / "plan_2023.yaml"
    plan.write_bytes(PLAN_2023.read_bytes())
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run("serve", "--plan", str(plan), "--port", str(port))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"lỗi: không mở được máy chủ trên 127.0.0.1:{port} (")
    assert result.stderr.count("\n") == 1


def test_serve_does_not_slow_down_other_commands():
    # Flask and waitress are imported by `serve` only.
    code = "import sys; import cchc.cli; print(any(m in sys.modules for m in ('flask', 'waitress', 'werkzeug')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
