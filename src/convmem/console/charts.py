"""Small charts drawn on the server as inline SVG: no script, no style attribute (the
Content-Security-Policy allows neither inline), every label escaped."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def bar_chart(title: str, bars: Sequence[tuple[str, int]], *, width: int = 600, height: int = 140,
              label_every: int = 1) -> Markup:
    """Vertical bars with a caption; each bar has a <title> (hover and screen readers)."""
    top, bottom, left = 16, 22, 4
    plot = height - top - bottom
    peak = max((v for _, v in bars), default=0) or 1
    step = (width - left) / max(len(bars), 1)
    bar_width = max(step * 0.75, 1.0)
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
             f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
             f'<text x="{left}" y="11" class="chart-peak">max {peak}</text>',
             f'<line x1="0" y1="{top + plot}" x2="{width}" y2="{top + plot}" class="chart-axis"/>']
    for n, (label, value) in enumerate(bars):
        h = plot * value / peak
        x = left + n * step
        parts.append(f'<rect x="{_num(x)}" y="{_num(top + plot - h)}" width="{_num(bar_width)}" '
                     f'height="{_num(h)}" class="chart-bar"><title>{escape(label)}: {value}</title></rect>')
        if n % label_every == 0:
            parts.append(f'<text x="{_num(x)}" y="{height - 6}" class="chart-label">{escape(label)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def horizontal_bars(title: str, bars: Sequence[tuple[str, int]], *, width: int = 600) -> Markup:
    """One labelled horizontal bar per value (outcome counts)."""
    row, label_width = 24, 110
    height = row * max(len(bars), 1) + 4
    peak = max((v for _, v in bars), default=0) or 1
    room = width - label_width - 60
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
             f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>']
    for n, (label, value) in enumerate(bars):
        y = 2 + n * row
        w = room * value / peak
        parts.append(f'<text x="0" y="{y + 15}" class="chart-label">{escape(label)}</text>'
                     f'<rect x="{label_width}" y="{y + 3}" width="{_num(max(w, 0.5))}" height="{row - 8}" '
                     f'class="chart-bar chart-{escape(label)}"><title>{escape(label)}: {value}</title></rect>'
                     f'<text x="{_num(label_width + w + 6)}" y="{y + 15}" class="chart-value">{value}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def score_bar(score: float | None, *, width: int = 160) -> Markup:
    """A Recall score (0..1) as a bar with its value."""
    if score is None:
        return Markup('<span class="muted">no score (recency order)</span>')
    clamped = min(max(score, 0.0), 1.0)
    return Markup(f'<svg class="score" viewBox="0 0 {width} 12" width="{width}" height="12" role="img" '
                  f'aria-label="score {score:.3f}" xmlns="http://www.w3.org/2000/svg">'
                  f'<rect x="0" y="0" width="{width}" height="12" class="score-track"/>'
                  f'<rect x="0" y="0" width="{_num(width * clamped)}" height="12" class="score-fill"/></svg>'
                  f' <span class="score-value">{score:.3f}</span>')
