"""Small server-side SVG bar charts. Each chart has a title and description
for assistive technology and is always shown beside a table of the same
figures; every label is escaped."""

from __future__ import annotations

from html import escape

# GOV.UK Frontend colours: blue bars, black text, mid-grey axis
BAR = "#1d70b8"
TEXT = "#0b0c0c"
AXIS = "#b1b4b6"


def _svg(width: int, height: int, title: str, desc: str, body: list[str], ident: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="{ident}-title {ident}-desc" class="ob-svg-chart" font-family="Arial,sans-serif">'
        f'<title id="{ident}-title">{escape(title)}</title><desc id="{ident}-desc">{escape(desc)}</desc>'
        + "".join(body)
        + "</svg>"
    )


def column_chart(points: list[tuple[str, float]], *, title: str, desc: str, ident: str = "chart") -> str:
    """Vertical bars, one per (label, value), labels along the bottom."""
    width, height, left, bottom, top = 720, 260, 40, 50, 20
    n = max(1, len(points))
    peak = max([v for _, v in points] + [1])
    plot_w, plot_h = width - left - 10, height - bottom - top
    slot = plot_w / n
    body = [f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 10}" y2="{top + plot_h}" stroke="{AXIS}"/>']
    for i, (label, value) in enumerate(points):
        h = plot_h * (value / peak)
        x = left + i * slot + slot * 0.15
        y = top + plot_h - h
        body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{h:.1f}" fill="{BAR}"/>')
        cx = left + i * slot + slot / 2
        body.append(
            f'<text x="{cx:.1f}" y="{y - 4:.1f}" text-anchor="middle" font-size="12" fill="{TEXT}">{escape(_num(value))}</text>'
        )
        body.append(
            f'<text x="{cx:.1f}" y="{top + plot_h + 16}" text-anchor="end" font-size="11" fill="{TEXT}" '
            f'transform="rotate(-40 {cx:.1f} {top + plot_h + 16})">{escape(label)}</text>'
        )
    return _svg(width, height, title, desc, body, ident)


def bar_chart(points: list[tuple[str, float]], *, title: str, desc: str, ident: str = "chart") -> str:
    """Horizontal bars, one row per (label, value), labels on the left."""
    row, label_w, width = 28, 260, 720
    height = max(1, len(points)) * row + 10
    peak = max([v for _, v in points] + [1])
    plot_w = width - label_w - 50
    body = []
    for i, (label, value) in enumerate(points):
        y = 5 + i * row
        w = plot_w * (value / peak)
        short = label if len(label) <= 40 else label[:39] + "…"
        body.append(
            f'<text x="{label_w - 8}" y="{y + row * 0.6:.1f}" text-anchor="end" font-size="13" fill="{TEXT}">{escape(short)}</text>'
        )
        body.append(f'<rect x="{label_w}" y="{y + 4}" width="{w:.1f}" height="{row - 10}" fill="{BAR}"/>')
        body.append(
            f'<text x="{label_w + w + 6:.1f}" y="{y + row * 0.6:.1f}" font-size="13" fill="{TEXT}">{escape(_num(value))}</text>'
        )
    return _svg(width, height, title, desc, body, ident)


def _num(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
