"""A target's measurements over the periods as a small SVG line chart, drawn on the server.

No JavaScript and no chart library: the page works with scripts off and prints as it shows. The
dashed line is the target; each point is labelled with its value as `cchc kpi ID` writes it.
"""

from __future__ import annotations

from html import escape

from ..i18n import _
from ..model import TargetKind
from ..query import TargetRow
from ..views import measured_value, target_goal

WIDTH, HEIGHT = 360, 170
LEFT, RIGHT, TOP, BOTTOM = 36, 16, 18, 30


def target_chart(row: TargetRow) -> str:
    """The SVG markup (a complete `<svg>` element, text escaped) for one target's measurements."""
    t = row.target
    values = [m.value for m in row.measurements]
    title = _("{name}: kết quả theo kỳ, mục tiêu {goal}").format(name=t.name, goal=target_goal(t))
    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}" '
             f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>']
    if t.kind is TargetKind.percent:
        low, high = 0.0, 100.0
    else:
        low = min([0.0, *values, float(t.target)])
        high = max([*values, float(t.target)]) * 1.15 or 1.0
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
    parts.append(f'<text class="goal-label" x="{WIDTH - RIGHT}" y="{goal_y - 4:.1f}" text-anchor="end">'
                 f'{escape(_("mục tiêu {goal}").format(goal=target_goal(t)))}</text>')
    if not values:
        parts.append(f'<text class="empty" x="{WIDTH / 2}" y="{TOP + inner_h / 2}" text-anchor="middle">'
                     f'{escape(_("Chưa có số liệu đo nào."))}</text>')
    else:
        step = inner_w / max(len(values) - 1, 1)
        points = [(LEFT + (i * step if len(values) > 1 else inner_w / 2), y(v)) for i, v in enumerate(values)]
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
