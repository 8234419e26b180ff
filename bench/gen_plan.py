"""Seeded synthetic plans for the benchmark: the real plan's header, many generated areas and tasks.

    python bench/gen_plan.py 2000 --progress 10 -o /tmp/plan_2000.yaml

The same size, progress count and seed always give the same bytes, so figures taken before and
after a change are measured on identical input. The plan info, units and targets are copied from
plan_2023.yaml (so unit VP exists and `cchc tasks --unit VP` finds work); the areas are generated.
Vietnamese legal lettering has only 23 letters, so a large plan has many areas of up to 20 tasks
each (100 areas × 20 tasks for 2,000), which keeps every id a valid `N.letter`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "plan_2023.yaml"

LETTERS = ("a", "b", "c", "d", "đ", "e", "g", "h", "i", "k", "l", "m", "n", "o", "p", "q", "r", "s", "t", "u",
           "v", "x", "y")
TASKS_PER_AREA = 20
RECURRENCES = ("monthly", "quarterly", "half-yearly", "year-round")
YEAR = 2023

# Plain words only (no ':' or '#'), so every generated text is a valid unquoted YAML scalar.
VERBS = ("Triển khai", "Tổ chức", "Rà soát", "Kiểm tra", "Tuyên truyền", "Hướng dẫn", "Đánh giá", "Cập nhật",
         "Xây dựng", "Theo dõi", "Tham mưu", "Tổng hợp")
OBJECTS = ("thủ tục hành chính", "văn bản quy phạm pháp luật", "dịch vụ công trực tuyến", "vị trí việc làm",
           "quy trình nội bộ", "bộ phận một cửa", "chỉ số CCHC", "hồ sơ công việc", "chữ ký số",
           "hệ thống quản lý chất lượng", "cơ sở dữ liệu chuyên ngành", "kế hoạch kiểm tra công vụ")
TAILS = ("trên địa bàn tỉnh", "của Sở", "theo quy định", "năm 2023", "đúng thời hạn", "có tài liệu kiểm chứng",
         "gắn với chuyển đổi số", "phục vụ người dân, doanh nghiệp")
PEOPLE = ("Nguyễn Văn An", "Trần Thị Bình", "Lê Minh Châu", "Phạm Thị Dung", "Võ Văn Hùng", "Đặng Thu Hà")
NOTES = ("Đã dự thảo văn bản", "Đang lấy ý kiến các phòng", "Đã trình Lãnh đạo Sở", "Đã tổ chức họp triển khai",
         "Chờ ý kiến góp ý", "Đã hoàn thiện hồ sơ", "Đã rà soát danh mục", "Đã gửi báo cáo")


def _header_and_footer() -> tuple[str, str]:
    """The real plan's text before `areas:` and from `duties:` on (plan info, units, targets, duties)."""
    text = SOURCE.read_text(encoding="utf-8")
    head, rest = text.split("\nareas:\n", 1)
    footer = rest[rest.index("\nduties:\n") + 1:]
    return head + "\n", footer


def _units() -> list[str]:
    units, inside = [], False
    for line in SOURCE.read_text(encoding="utf-8").splitlines():
        if line == "units:":
            inside = True
        elif inside and line.startswith("  ") and not line.lstrip().startswith("#"):
            units.append(line.strip().split(":", 1)[0])
        elif inside and not line.startswith(" "):
            break
    return units


def _sentence(rng: random.Random, words: int = 1) -> str:
    parts = [f"{rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(TAILS)}" for _ in range(words)]
    return ", ".join(parts)


def _progress(rng: random.Random, count: int, done: bool) -> list[str]:
    if count == 0:
        return ["        progress: []"]
    # Distinct, ordered dates inside the plan year; percents rise to 100 when the task is done.
    days = sorted(rng.sample(range(5, 350), count))
    percents = sorted(rng.randint(5, 95) for _ in range(count))
    if done:
        percents[-1] = 100
    lines = ["        progress:"]
    for i, (day, pct) in enumerate(zip(days, percents)):
        date = dt.date(YEAR, 1, 1) + dt.timedelta(days=day)
        lines.append(f"          - date: {date.isoformat()}")
        lines.append(f"            percent: {pct}")
        lines.append(f"            note: {rng.choice(NOTES)}")
        lines.append(f"            by: {rng.choice(PEOPLE)}")
        if done and i == count - 1:
            lines.append("            event: done")
    return lines


def generate(tasks: int, progress: int | None = None, seed: int = 2023) -> str:
    """YAML text of a valid plan with `tasks` tasks; `progress` entries per task (None: 0 to 3 at random)."""
    rng = random.Random(seed)
    head, footer = _header_and_footer()
    units = _units()
    per_area = TASKS_PER_AREA if tasks > 7 * 6 else 6
    out = [head.rstrip("\n"), "areas:",
           f"  # Synthetic plan for the benchmark: {tasks} tasks, seed {seed} (bench/gen_plan.py)."]
    number, left = 0, tasks
    while left > 0:
        number += 1
        count = min(per_area, left)
        left -= count
        out += [f"  - number: {number}", f"    title: Lĩnh vực {number} — {_sentence(rng)}", "    tasks:"]
        for i in range(count):
            lead = rng.choice(units)
            support = rng.sample([u for u in units if u != lead], rng.randint(0, 2))
            if rng.random() < 0.15:
                support = ["ALL"]
            if rng.random() < 0.3:
                deadline = rng.choice(RECURRENCES)
            else:
                deadline = (dt.date(YEAR, 1, 31) + dt.timedelta(days=rng.randint(0, 330))).isoformat()
            entries = progress if progress is not None else rng.choice((0, 0, 1, 2, 3))
            done = entries > 0 and rng.random() < 0.3
            status = "done" if done else "in_progress" if entries else "not_started"
            out += [f"      - id: {number}.{LETTERS[i]}",
                    f"        title: {_sentence(rng, 2)}.",
                    f"        lead: {lead}"]
            out += ["        support:", *(f"          - {u}" for u in support)] if support else ["        support: []"]
            out += [f"        deadline: {deadline}",
                    f"        output: Báo cáo kết quả {rng.choice(OBJECTS)}",
                    f"        status: {status}",
                    *_progress(rng, entries, done),
                    "        evidence: []"]
    return "\n".join(out) + "\n" + footer


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("tasks", type=int)
    ap.add_argument("--progress", type=int, default=None, help="progress entries per task (default: 0-3)")
    ap.add_argument("--seed", type=int, default=2023)
    ap.add_argument("-o", "--output", type=Path, default=None)
    args = ap.parse_args(argv)
    text = generate(args.tasks, args.progress, args.seed)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
