"""Small SVG chart renderer: cumulative line charts with reference lines, and horizontal bar charts.

Coordinates are computed with integers and Fractions and written with one decimal; values are
integers (cents, counts). Labels are escaped. Colours meet 3:1 contrast against white.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from hashlib import sha1

from markupsafe import Markup, escape

PALETTE = ["#0b4f8a", "#c2410c", "#15803d", "#7c3aed", "#a16207", "#be123c"]


@dataclass(frozen=True)
class Series:
    label: str
    points: Sequence[tuple[date, int]]
    dashed: bool = False


def _ident(prefix: str, title: str) -> str:
    """A stable element id per chart, so that several charts on one page keep unique ids."""
    return f"{prefix}-{sha1(title.encode('utf-8')).hexdigest()[:8]}"  # noqa: S324 - an id, not security


def _fmt(value: Fraction | int) -> str:
    return f"{float(value):.1f}"  # SVG coordinates only; never money


def nice_scale(value: int, intervals: int = 5) -> tuple[int, int]:
    """(step, top) of a value axis: the smallest step of 1, 2, 2.5 or 5 × 10^k with at most ``intervals``
    steps up to ``value``; top = the first multiple of the step at or above it (e.g. 2.3 Mio. → 0.5, 2.5 Mio.).
    So the ticks are round and the axis ends just above the data, not at twice its maximum."""
    if value <= 0:
        return 1, 1
    magnitude = 1
    while True:
        for step in (magnitude, 2 * magnitude, 5 * magnitude // 2, 5 * magnitude):
            if step and step * intervals >= value:
                return step, -(-value // step) * step
        magnitude *= 10


def line_chart(series: Sequence[Series], *, title: str, value_label=lambda v: str(v), width: int = 720,
               height: int = 300, markers: Sequence[tuple[date, str]] = ()) -> Markup:
    """Lines over dates (e.g. cumulative spend vs. the straight line to the deadline and the forecast)."""
    points = [p for s in series for p in s.points]
    if not points:
        return Markup(f'<p class="muted">{escape(title)}: keine Daten.</p>')
    left, right, top, bottom = 90, 20, 20, 40
    first = min(p[0] for p in points)
    last = max([p[0] for p in points] + [m[0] for m in markers])
    span = max((last - first).days, 1)
    step, top_value = nice_scale(max(p[1] for p in points))
    plot_w, plot_h = width - left - right, height - top - bottom

    def x(day: date) -> Fraction:
        return left + Fraction((day - first).days * plot_w, span)

    def y(value: int) -> Fraction:
        return top + plot_h - Fraction(value * plot_h, top_value)

    ident = _ident("chart", title)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
             f'class="chart" aria-labelledby="{ident}"><title id="{ident}">{escape(title)}</title>']
    for value in range(0, top_value + 1, step):
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{_fmt(y(value))}" y2="{_fmt(y(value))}" '
                     f'stroke="#d0d5dc"/><text x="{left - 6}" y="{_fmt(y(value) + 4)}" text-anchor="end" '
                     f'font-size="11">{escape(value_label(value))}</text>')
    for year in range(first.year, last.year + 1):
        tick = date(year, 1, 1)
        if first <= tick <= last:
            parts.append(f'<line x1="{_fmt(x(tick))}" x2="{_fmt(x(tick))}" y1="{top}" y2="{top + plot_h}" '
                         f'stroke="#eef1f5"/><text x="{_fmt(x(tick))}" y="{height - 22}" font-size="11" '
                         f'text-anchor="middle">{year}</text>')
    for day, label in markers:
        parts.append(f'<line x1="{_fmt(x(day))}" x2="{_fmt(x(day))}" y1="{top}" y2="{top + plot_h}" '
                     f'stroke="#a4161a" stroke-dasharray="4 3"/><text x="{_fmt(x(day) - 4)}" y="{top + 12}" '
                     f'font-size="11" text-anchor="end" fill="#a4161a">{escape(label)}</text>')
    for index, one in enumerate(series):
        if not one.points:
            continue
        colour = PALETTE[index % len(PALETTE)]
        path = " ".join(f"{'M' if i == 0 else 'L'}{_fmt(x(d))},{_fmt(y(v))}" for i, (d, v) in enumerate(one.points))
        dash = ' stroke-dasharray="6 4"' if one.dashed else ""
        parts.append(f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>')
        legend_x = left + 10 + index * 200
        parts.append(f'<rect x="{legend_x}" y="{height - 12}" width="14" height="4" fill="{colour}"/>'
                     f'<text x="{legend_x + 20}" y="{height - 7}" font-size="11">{escape(one.label)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def bar_chart(bars: Sequence[tuple[str, int]], *, title: str, value_label=lambda v: str(v), width: int = 720,
              bar_height: int = 16, highlight: set[str] | None = None, line_at: int | None = None,
              line_label: str = "") -> Markup:
    """Horizontal bars (e.g. ceilings per Kommune, score distribution with the funding line)."""
    if not bars:
        return Markup(f'<p class="muted">{escape(title)}: keine Daten.</p>')
    left, right, gap = 220, 110, 4
    height = len(bars) * (bar_height + gap) + 30
    top_value = max(max(v for _, v in bars), line_at or 0, 1)
    plot_w = width - left - right
    ident = _ident("bar", title)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" class="chart" '
             f'aria-labelledby="{ident}"><title id="{ident}">{escape(title)}</title>']
    for i, (label, value) in enumerate(bars):
        y = 10 + i * (bar_height + gap)
        length = Fraction(max(value, 0) * plot_w, top_value)
        colour = "#c2410c" if highlight and label in highlight else PALETTE[0]
        parts.append(f'<text x="{left - 6}" y="{y + bar_height - 4}" text-anchor="end" font-size="11">'
                     f'{escape(label)}</text><rect x="{left}" y="{y}" width="{_fmt(length)}" height="{bar_height}" '
                     f'fill="{colour}"/><text x="{_fmt(left + length + 4)}" y="{y + bar_height - 4}" '
                     f'font-size="11">{escape(value_label(value))}</text>')
    if line_at is not None:
        x = left + Fraction(line_at * plot_w, top_value)
        parts.append(f'<line x1="{_fmt(x)}" x2="{_fmt(x)}" y1="4" y2="{height - 20}" stroke="#a4161a" '
                     f'stroke-dasharray="4 3"/><text x="{_fmt(x)}" y="{height - 6}" font-size="11" '
                     f'text-anchor="middle" fill="#a4161a">{escape(line_label)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
