"""Server-side SVG charts for the toolkit's pages.

Each chart is a picture of a table the page also shows: the SVG is marked
``role="img"`` with a title naming that table, so screen-reader users read
the numbers from the table and no JavaScript is needed."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

BAR_H, GAP, LABEL_W, WIDTH = 22, 8, 260, 720
COLOURS = ("#1d70b8", "#00703c", "#f47738", "#d4351c", "#4c2c92", "#505a5f")


def _trim(text: str, n: int = 38) -> str:
    text = str(text)
    return text if len(text) <= n else text[: n - 1] + "…"


def hbar(
    items: Sequence[tuple[str, float]],
    *,
    title: str,
    fmt=lambda v: f"{v:,.0f}",
    maximum: float | None = None,
) -> SafeString:
    """Horizontal bars, one per ``(label, value)``; values below zero are drawn as zero."""
    top = maximum if maximum is not None else max([v for _, v in items] + [0.0])
    plot_w = WIDTH - LABEL_W - 90
    height = max(1, len(items)) * (BAR_H + GAP) + GAP
    rows = []
    for i, (label, value) in enumerate(items):
        y = GAP + i * (BAR_H + GAP)
        w = 0 if top <= 0 else max(0.0, min(1.0, value / top)) * plot_w
        rows.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="end" font-size="14">{}</text>'
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"></rect>'
                '<text x="{}" y="{}" font-size="14">{}</text>',
                LABEL_W - 8,
                y + 16,
                _trim(label),
                LABEL_W,
                y,
                f"{w:.1f}",
                BAR_H,
                COLOURS[0],
                f"{LABEL_W + w + 6:.1f}",
                y + 16,
                fmt(value),
            )
        )
    return format_html(
        '<svg class="ob-chart" viewBox="0 0 {} {}" width="100%" role="img" aria-label="{}" '
        'xmlns="http://www.w3.org/2000/svg" font-family="Arial, sans-serif"><title>{}</title>{}</svg>',
        WIDTH,
        height,
        title,
        title,
        mark_safe("".join(rows)),
    )


def stacked(
    rows: Sequence[tuple[str, Sequence[float]]],
    series: Sequence[str],
    *,
    title: str,
) -> SafeString:
    """Horizontal 100 % stacked bars: each row's values as shares of the row's total, with a legend."""
    plot_w = WIDTH - LABEL_W - 20
    legend_h = 28
    height = legend_h + max(1, len(rows)) * (BAR_H + GAP) + GAP
    parts = [
        format_html(
            '<rect x="{}" y="4" width="14" height="14" fill="{}"></rect><text x="{}" y="16" font-size="13">{}</text>',
            LABEL_W + i * 150,
            COLOURS[i % len(COLOURS)],
            LABEL_W + i * 150 + 18,
            _trim(name, 18),
        )
        for i, name in enumerate(series)
    ]
    for r, (label, values) in enumerate(rows):
        y = legend_h + GAP + r * (BAR_H + GAP)
        total = sum(values)
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="end" font-size="14">{}</text>', LABEL_W - 8, y + 16, _trim(label)
            )
        )
        x = float(LABEL_W)
        for i, v in enumerate(values):
            w = plot_w * v / total if total else 0
            if w > 0:
                parts.append(
                    format_html(
                        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"></rect>',
                        f"{x:.1f}",
                        y,
                        f"{w:.1f}",
                        BAR_H,
                        COLOURS[i % len(COLOURS)],
                    )
                )
            x += w
    return format_html(
        '<svg class="ob-chart" viewBox="0 0 {} {}" width="100%" role="img" aria-label="{}" '
        'xmlns="http://www.w3.org/2000/svg" font-family="Arial, sans-serif"><title>{}</title>{}</svg>',
        WIDTH,
        height,
        title,
        title,
        mark_safe("".join(parts)),
    )


def line(points: Sequence[tuple[str, float | None]], *, title: str, maximum: float = 1.0, fmt=lambda v: f"{v:.0%}"):
    """A line through the points that have values (gaps where None)."""
    h, left, bottom, top_pad = 260, 60, 40, 16
    plot_w, plot_h = WIDTH - left - 20, h - bottom - top_pad
    n = max(1, len(points) - 1)
    coords = []
    labels = []
    for i, (label, v) in enumerate(points):
        x = left + plot_w * i / n
        labels.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="middle" font-size="12">{}</text>',
                f"{x:.1f}",
                h - 14,
                _trim(label, 12),
            )
        )
        if v is not None:
            y = top_pad + plot_h * (1 - (v / maximum if maximum else 0))
            coords.append((x, y, v))
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in coords)
    dots = format_html_join(
        "", '<circle cx="{}" cy="{}" r="4" fill="#1d70b8"></circle>', ((f"{x:.1f}", f"{y:.1f}") for x, y, _ in coords)
    )
    axis = format_html(
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#0b0c0c"></line>'
        '<text x="{}" y="{}" text-anchor="end" font-size="12">{}</text>'
        '<text x="{}" y="{}" text-anchor="end" font-size="12">{}</text>',
        left,
        top_pad + plot_h,
        left + plot_w,
        top_pad + plot_h,
        left - 6,
        top_pad + 4,
        fmt(maximum),
        left - 6,
        top_pad + plot_h,
        fmt(0),
    )
    poly = (
        format_html('<polyline points="{}" fill="none" stroke="#1d70b8" stroke-width="3"></polyline>', path)
        if path
        else ""
    )
    return format_html(
        '<svg class="ob-chart" viewBox="0 0 {} {}" width="100%" role="img" aria-label="{}" '
        'xmlns="http://www.w3.org/2000/svg" font-family="Arial, sans-serif"><title>{}</title>{}{}{}{}</svg>',
        WIDTH,
        h,
        title,
        title,
        axis,
        poly,
        dots,
        mark_safe("".join(labels)),
    )


__all__ = ["hbar", "stacked", "line", "escape"]
