"""Server-side SVG charts (no JavaScript, no CDN): stacked vertical bars and horizontal bars.

Every label is escaped; the SVG is safe to embed with ``|safe``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

PALETTE = ["#2e7d32", "#f29d0b", "#d32f2f", "#8e44ad", "#6a1b9a", "#1f6feb", "#7c8597",
           "#b0b7c3", "#00897b", "#455a64", "#c2185b", "#5d4037"]
OUTCOME_COLORS = {
    "completed": "#2e7d32", "problem_case": "#f29d0b", "compliance_flag": "#d32f2f",
    "refused": "#8e44ad", "do_not_call": "#6a1b9a", "callback_later": "#1f6feb",
    "wrong_person": "#7c8597", "not_reached": "#b0b7c3", "escalated": "#00897b",
    "no_answer": "#455a64", "interrupted": "#c2185b",
}


@dataclass(frozen=True)
class Series:
    name: str
    values: list[float]
    color: str


@dataclass(frozen=True)
class Chart:
    svg: str
    legend: list[tuple[str, str]]  # (name, colour)


def color_for(name: str, index: int) -> str:
    return OUTCOME_COLORS.get(name, PALETTE[index % len(PALETTE)])


TICKS = 4


def _nice_max(value: float, counts: bool = True) -> float:
    """A round axis top ≥ value whose quarters are round steps (1, 2, 2.5, 5 × 10^k);
    whole-number steps for counts."""
    if value <= 0:
        return float(TICKS)
    raw = max(value / TICKS, 1.0) if counts else value / TICKS
    power = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        step = m * power
        if step >= raw and (not counts or float(step).is_integer()):
            return step * TICKS
    return 10 * power * TICKS


def _fmt(v: float) -> str:
    return f"{v:.0f}" if v >= 10 or float(v).is_integer() else f"{v:.1f}"


def stacked_bars(categories: list[str], series: list[Series], *, width: int = 640,
                 height: int = 260, label: str = "") -> Chart:
    """Vertical bars, one per category, stacked by series."""
    left, right, top, bottom = 40, 10, 10, 46
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = [sum(s.values[i] for s in series) for i in range(len(categories))]
    top_value = _nice_max(max(totals, default=0))
    out = [f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="{escape(label)}">']
    for k in range(TICKS + 1):  # grid and y labels
        v = top_value * k / TICKS
        y = top + plot_h - plot_h * k / TICKS
        out.append(f'<line class="grid" x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{_fmt(v)}</text>')
    n = max(1, len(categories))
    slot = plot_w / n
    bar = max(2.0, min(48.0, slot * 0.7))
    every = max(1, math.ceil(n / (plot_w / 60)))  # thin out x labels when crowded
    for i, cat in enumerate(categories):
        x = left + slot * i + (slot - bar) / 2
        y = top + plot_h
        for s in series:
            v = s.values[i]
            if v <= 0:
                continue
            h = plot_h * v / top_value
            y -= h
            out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                       f'fill="{s.color}"><title>{escape(cat)} · {escape(s.name)}: {_fmt(v)}'
                       f'</title></rect>')
        if i % every == 0:
            out.append(f'<text x="{x + bar / 2:.1f}" y="{top + plot_h + 16}" '
                       f'text-anchor="middle">{escape(cat)}</text>')
        if totals[i] > 0 and n <= 16:
            out.append(f'<text x="{x + bar / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle">'
                       f'{_fmt(totals[i])}</text>')
    out.append(f'<line class="axis" x1="{left}" x2="{width - right}" y1="{top + plot_h}" '
               f'y2="{top + plot_h}"/></svg>')
    return Chart("".join(out), [(s.name, s.color) for s in series])


def horizontal_bars(labels: list[str], series: list[Series], *, width: int = 640,
                    row: int = 26, label: str = "") -> Chart:
    """One horizontal bar per label, stacked by series (e.g. problem items by question)."""
    left, right, top = 170, 40, 6
    height = top * 2 + row * max(1, len(labels))
    plot_w = width - left - right
    totals = [sum(s.values[i] for s in series) for i in range(len(labels))]
    top_value = _nice_max(max(totals, default=0))
    out = [f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="{escape(label)}">']
    for i, name in enumerate(labels):
        y = top + row * i
        out.append(f'<text x="{left - 8}" y="{y + row / 2 + 4:.1f}" text-anchor="end">'
                   f'{escape(name)}</text>')
        x = float(left)
        for s in series:
            v = s.values[i]
            if v <= 0:
                continue
            w = plot_w * v / top_value
            out.append(f'<rect x="{x:.1f}" y="{y + 4}" width="{w:.1f}" height="{row - 8}" '
                       f'fill="{s.color}"><title>{escape(name)} · {escape(s.name)}: {_fmt(v)}'
                       f'</title></rect>')
            x += w
        out.append(f'<text x="{x + 5:.1f}" y="{y + row / 2 + 4:.1f}">{_fmt(totals[i])}</text>')
    out.append(f'<line class="axis" x1="{left}" x2="{left}" y1="{top}" y2="{height - top}"/></svg>')
    return Chart("".join(out), [(s.name, s.color) for s in series])
