"""The Insight page's charts, inline SVG as in `charts`: trend lines over month-ends, forecast bars.

Same rules as `charts`: Decimal geometry printed with one decimal place (the
same figures give the same bytes), colours from site.css classes, a title for
screen readers, and a table of the same figures beside every chart, so the
page reads without the drawing (and without JavaScript, which it never uses).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Sequence

from markupsafe import Markup

from arrears.site.charts import _n

WIDTH, HEIGHT = 760, 220
LEFT, RIGHT, TOP, BOTTOM = 12, 12, 12, 12


@dataclass(frozen=True, slots=True)
class Series:
    """One line: its name (for the legend and the titles), a CSS class, and a value per point (None: a gap)."""

    name: str
    css: str
    values: tuple[Decimal | None, ...]
    texts: tuple[str, ...]  # each value as shown in the point's title


def line_chart(series: Sequence[Series], labels: Sequence[str], title: str, title_id: str) -> Markup:
    """Lines over evenly spaced points (month-ends), from zero (or the lowest value) to the highest.

    A missing value breaks its line rather than pretending to be zero.
    """
    values = [v for s in series for v in s.values if v is not None]
    high = max([*values, Decimal(0)])
    low = min([*values, Decimal(0)])
    span = high - low or Decimal(1)
    count = max(1, len(labels) - 1)
    plot_w, plot_h = Decimal(WIDTH - LEFT - RIGHT), Decimal(HEIGHT - TOP - BOTTOM)

    def x(index: int) -> Decimal:
        return LEFT + plot_w * index / count

    def y(value: Decimal) -> Decimal:
        return TOP + plot_h * (high - value) / span

    parts = [
        Markup('<svg class="line-chart" viewBox="0 0 {w} {h}" role="img" aria-labelledby="{tid}">').format(
            w=WIDTH, h=HEIGHT, tid=title_id),
        Markup('<title id="{tid}">{title}</title>').format(tid=title_id, title=title),
        Markup('<line class="grid" x1="{l}" x2="{r}" y1="{y}" y2="{y}"></line>').format(
            l=LEFT, r=WIDTH - RIGHT, y=_n(y(high))),
        Markup('<line class="axis" x1="{l}" x2="{r}" y1="{y}" y2="{y}"></line>').format(
            l=LEFT, r=WIDTH - RIGHT, y=_n(y(Decimal(0)))),
    ]
    for line in series:
        path, pen_down = [], False
        for index, value in enumerate(line.values):
            if value is None:
                pen_down = False
                continue
            path.append(f"{'L' if pen_down else 'M'}{_n(x(index))} {_n(y(value))}")
            pen_down = True
        if path:
            parts.append(Markup('<path class="series {css}" d="{d}"></path>').format(css=line.css, d=" ".join(path)))
        for index, (value, text) in enumerate(zip(line.values, line.texts)):
            if value is not None:
                parts.append(Markup(
                    '<circle class="point {css}" cx="{cx}" cy="{cy}" r="4"><title>{label}: {name} {text}</title></circle>'
                ).format(css=line.css, cx=_n(x(index)), cy=_n(y(value)), label=labels[index], name=line.name,
                         text=text))
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


def paired_bars(pairs: Sequence[tuple[Decimal, Decimal]], labels: Sequence[str], texts: Sequence[tuple[str, str]],
                title: str, title_id: str) -> Markup:
    """Two bars per label side by side (scheduled, expected), scaled to the largest of all."""
    high = max([v for pair in pairs for v in pair] + [Decimal(0)]) or Decimal(1)
    slot = Decimal(WIDTH - LEFT - RIGHT) / max(1, len(pairs))
    width = slot * Decimal("0.36")
    plot_h = Decimal(HEIGHT - TOP - BOTTOM)
    base = TOP + plot_h
    parts = [
        Markup('<svg class="forecast-chart" viewBox="0 0 {w} {h}" role="img" aria-labelledby="{tid}">').format(
            w=WIDTH, h=HEIGHT, tid=title_id),
        Markup('<title id="{tid}">{title}</title>').format(tid=title_id, title=title),
        Markup('<line class="axis" x1="{l}" x2="{r}" y1="{y}" y2="{y}"></line>').format(
            l=LEFT, r=WIDTH - RIGHT, y=_n(base)),
    ]
    for index, ((scheduled, expected), label, (s_text, e_text)) in enumerate(zip(pairs, labels, texts)):
        left = LEFT + slot * index + slot * Decimal("0.14")
        for offset, value, css, name, text in ((0, scheduled, "scheduled", "scheduled", s_text),
                                               (1, expected, "expected", "expected", e_text)):
            height = plot_h * value / high
            parts.append(Markup(
                '<rect class="{css}" x="{x}" y="{y}" width="{w}" height="{h}"><title>{label}: {name} {text}</title></rect>'
            ).format(css=css, x=_n(left + offset * width), y=_n(base - height), w=_n(width), h=_n(height),
                     label=label, name=name, text=text))
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)
