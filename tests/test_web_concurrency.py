"""Writes from the browser and from the command line at the same moment queue; none is lost.

Three browser sessions (Flask test clients in threads) and six `cchc update` processes record on
the same task at once. A web form sent after someone else's write is refused with "the plan
changed" and sent again, as a user would; in the end every entry is in the file exactly once.
"""

from __future__ import annotations

import subprocess
import sys
import threading

from cchc.planfile import load
from cchc.web import create_app
from web_support import hidden, plan_in_repo

TASK = "/tasks/3.đ?as_of=20/03/2023"


def test_browser_and_cli_writes_queue_and_lose_nothing(tmp_path):
    path = plan_in_repo(tmp_path / "so", commit=False)
    app = create_app(path)
    outcomes: list[int] = []
    errors: list[str] = []

    def browser(n: int) -> None:
        client = app.test_client()
        for i in range(2):
            note = f"web-{n}-{i}"
            for _attempt in range(50):
                page = client.get(TASK).get_data(as_text=True)
                r = client.post("/tasks/3.đ/progress", data={
                    "csrf": hidden(page, "csrf"), "plan_sha": hidden(page, "plan_sha"), "percent": "40",
                    "note": note, "date": "20/03/2023", "by": "web"})
                outcomes.append(r.status_code)
                if r.status_code == 303:
                    break
                if r.status_code != 409:
                    errors.append(f"{note}: {r.status_code}")
                    break

    cli = [subprocess.Popen([sys.executable, "-m", "cchc", "update", "3.đ", "--percent", "50", "--note", f"cli-{k}",
                             "--date", "20/03/2023", "--by", "cli", "--plan", str(path)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE) for k in range(6)]
    threads = [threading.Thread(target=browser, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for p in cli:
        _out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err.decode()
    assert errors == []
    notes = [e.note for e in load(path).plan.task("3.đ").progress]
    assert sorted(notes) == sorted([f"web-{n}-{i}" for n in range(3) for i in range(2)] +
                                   [f"cli-{k}" for k in range(6)])
    assert outcomes.count(303) == 6 and set(outcomes) <= {303, 409}
