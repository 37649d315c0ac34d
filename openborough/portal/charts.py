"""Server-side SVG charts: a bar or line chart of one value per group.

The page shows the SVG and the same figures as a table, so the chart needs
no JavaScript and screen-reader users get the numbers."""

from __future__ import annotations

import math
from dataclasses import dataclass

from . import formatting

WIDTH, HEIGHT = 760, 420
LEFT, RIGHT, TOP, BOTTOM = 80, 20, 20, 120
#: axis labels that fit side by side at 12 px
MAX_LABELS = 40


@dataclass
class Bar:
    x: float
    y: float
    w: float
    h: float
    label: str
    value: float
    label_x: float


@dataclass
class Chart:
    kind: str
    width: int
    height: int
    bars: list[Bar]
    line_points: str
    ticks: list[tuple[float, str]]
    baseline: float
    left: int
    right_edge: int
    #: write every n-th group's label under the axis (all of them are in the table)
    label_every: int = 1


def nice_ticks(top: float, count: int = 5) -> list[float]:
    if top <= 0:
        return [0.0]
    raw = top / count
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    return [step * i for i in range(0, int(math.ceil(top / step)) + 1)]


def fmt(v: float, money: bool = False, axis: bool = False) -> str:
    """A chart figure: "1,234", "1,234.57", "£1,234.50" (on an axis, whole pounds as "£1,000")."""
    if money and not (axis and v == int(v)):
        return formatting.money(v)
    if money:
        return formatting.money(v)[:-3]
    return formatting.number(v, places=None if v == int(v) else 2)


def build(kind: str, points: list[tuple[str, float]], money: bool = False) -> Chart:
    """Geometry for ``points`` [(label, value)] (negative values are drawn from zero downwards)."""
    values = [v for _, v in points] or [0.0]
    hi, lo = max(0.0, max(values)), min(0.0, min(values))
    ticks_hi = nice_ticks(hi) if hi > 0 else [0.0]
    ticks_lo = [-t for t in nice_ticks(-lo)][1:] if lo < 0 else []
    top, bottom = ticks_hi[-1], (ticks_lo[-1] if ticks_lo else 0.0)
    span = (top - bottom) or 1.0
    plot_h = HEIGHT - TOP - BOTTOM
    plot_w = WIDTH - LEFT - RIGHT

    def y_of(v: float) -> float:
        return TOP + (top - v) / span * plot_h

    n = max(1, len(points))
    slot = plot_w / n
    bars = []
    for i, (label, v) in enumerate(points):
        x = LEFT + i * slot + slot * 0.1
        y0, y1 = y_of(max(v, 0)), y_of(min(v, 0))
        bars.append(Bar(x, y0, slot * 0.8, max(y1 - y0, 0.5), label, v, LEFT + i * slot + slot / 2))
    line = " ".join(f"{b.label_x:.1f},{y_of(b.value):.1f}" for b in bars)
    ticks = [(y_of(t), fmt(t, money, axis=True)) for t in sorted(set(ticks_lo + ticks_hi))]
    every = max(1, math.ceil(len(points) / MAX_LABELS))
    return Chart(kind, WIDTH, HEIGHT, bars, line, ticks, y_of(0), LEFT, WIDTH - RIGHT, every)
