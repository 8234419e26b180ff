"""A target's measurements over the periods as a small SVG line chart, drawn on the server.

No JavaScript and no chart library: the page works with scripts off and prints as it shows. The
dashed line is the target; each point is labelled with its value as `cchc kpi ID` writes it.
"""

from __future__ import annotations

import math
from html import escape

from ..i18n import _
from ..model import TargetKind
from ..query import TargetRow
from ..views import measured_value, target_goal

WIDTH, HEIGHT = 360, 180
LEFT, RIGHT, TOP, BOTTOM = 40, 16, 30, 30
INSET = 28  # the first and last points stay clear of the axis labels


def target_chart(row: TargetRow) -> str:
    """The SVG markup (a complete `<svg>` element, text escaped) for one target's measurements."""
    t = row.target
    values = [m.value for m in row.measurements]
    title = _("{name}: kết quả theo kỳ, mục tiêu {goal}").format(name=t.name, goal=target_goal(t))
    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}" '
             f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>']
    seen = [*values, float(t.target)]
    if t.kind is TargetKind.percent:
        # Close to the values, so 86,5% and 88,2% do not look alike; in steps of 5 within 0–100.
        low = max(0.0, math.floor((min(seen) - 5) / 5) * 5)
        high = min(100.0, math.ceil((max(seen) + 5) / 5) * 5)
    else:
        low = min([0.0, *seen])
        high = max(seen) * 1.15 or 1.0
    span = (high - low) or 1.0
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def y(value: float) -> float:
        return TOP + inner_h * (1 - (value - low) / span)

    parts.append(f'<line class="axis" x1="{LEFT}" y1="{TOP + inner_h}" x2="{WIDTH - RIGHT}" y2="{TOP + inner_h}"/>')
    for tick in (low, (low + high) / 2, high):
        parts.append(f'<text class="tick" x="{LEFT - 4}" y="{y(tick) + 4:.1f}" text-anchor="end">'
                     f'{escape(_number(tick))}</text>')
    goal_y = y(float(t.target))
    parts.append(f'<line class="goal" x1="{LEFT}" y1="{goal_y:.1f}" x2="{WIDTH - RIGHT}" y2="{goal_y:.1f}"/>')
    # The legend of the dashed line sits above the plot, where no point or value can cover it.
    parts.append(f'<line class="goal" x1="{WIDTH - RIGHT - 150}" y1="12" x2="{WIDTH - RIGHT - 130}" y2="12"/>')
    parts.append(f'<text class="goal-label" x="{WIDTH - RIGHT - 126}" y="16">'
                 f'{escape(_("mục tiêu {goal}").format(goal=target_goal(t)))}</text>')
    if not values:
        parts.append(f'<text class="empty" x="{WIDTH / 2}" y="{TOP + inner_h / 2}" text-anchor="middle">'
                     f'{escape(_("Chưa có số liệu đo nào."))}</text>')
    else:
        step = (inner_w - 2 * INSET) / max(len(values) - 1, 1)
        points = [(LEFT + (INSET + i * step if len(values) > 1 else inner_w / 2), y(v)) for i, v in enumerate(values)]
        if len(points) > 1:
            parts.append('<polyline class="line" points="{}"/>'.format(
                " ".join(f"{px:.1f},{py:.1f}" for px, py in points)))
        for (px, py), m in zip(points, row.measurements):
            reached = "reached" if t.reached(m.value) else "not-yet"
            parts.append(f'<circle class="point {reached}" cx="{px:.1f}" cy="{py:.1f}" r="4"/>')
            parts.append(f'<text class="value" x="{px:.1f}" y="{py - 8:.1f}" text-anchor="middle">'
                         f'{escape(measured_value(t, m.value))}</text>')
            parts.append(f'<text class="period" x="{px:.1f}" y="{HEIGHT - 10}" text-anchor="middle">'
                         f'{escape(m.period)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _number(value: float) -> str:
    from ..text import format_number

    return format_number(value, 0)
