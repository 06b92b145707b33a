"""Charts drawn on the server as inline SVG: no chart library, no script, no network.

Geometry is computed with Decimal and printed with one decimal place, so the
same figures always give the same bytes. Colours come from CSS classes in
site.css (inline styles would be blocked by the Content-Security-Policy).
Every chart carries a text equivalent for screen readers and printouts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Sequence

from markupsafe import Markup, escape

from arrears import money, words
from arrears.ledger.figures import BalancePoint

_TENTH = Decimal("0.1")


def _n(value: Decimal | int) -> str:
    """A coordinate as text: one decimal place, no exponent, no `-0.0`."""
    text = f"{Decimal(value).quantize(_TENTH, rounding=ROUND_HALF_UP):f}"
    text = text[:-2] if text.endswith(".0") else text
    return "0" if text == "-0" else text


@dataclass(frozen=True, slots=True)
class Bar:
    """One row of a bar chart: its label, its size, how to show the size, and a CSS class."""

    label: str
    value: Decimal
    text: str
    css: str = ""


def bar(value: Decimal, largest: Decimal, css: str = "") -> Markup:
    """A single horizontal bar, `value / largest` of the available width.

    The bar is a tiny SVG that stretches to its cell, so labels and figures stay
    HTML text that reflows on a phone and reads out in order.
    """
    width = Decimal(0) if largest <= 0 or value <= 0 else max(Decimal(1), 100 * value / largest)
    return Markup(
        f'<svg class="bar {escape(css)}" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" '
        'focusable="false"><rect class="track" x="0" y="0" width="100" height="10" rx="2"></rect>'
        f'<rect class="fill" x="0" y="0" width="{_n(width)}" height="10" rx="2"></rect></svg>')


def bars(rows: Sequence[Bar]) -> list[tuple[Bar, Markup]]:
    """Each row with its bar, scaled to the largest row."""
    largest = max((row.value for row in rows), default=Decimal(0))
    return [(row, bar(row.value, largest, row.css)) for row in rows]


# --- balance over time ------------------------------------------------------------------

WIDTH, HEIGHT = 760, 240
LEFT, RIGHT, TOP, BOTTOM = 8, 8, 10, 10


@dataclass(frozen=True, slots=True)
class BalanceChart:
    """The drawing and its labels; labels stay HTML so they keep their size on a phone."""

    svg: Markup
    high: str  # the top of the scale, as money
    low: str | None  # the bottom of the scale when the debtor went into credit
    start: date
    end: date


def balance_chart(history: Sequence[BalancePoint], currency: str, start: date, as_of: date,
                  title_id: str = "balance-chart-title") -> BalanceChart | None:
    """A step line of the balance from `start` to `as_of`, with a dot on each payment day.

    The balance holds its value between events, so the line moves only on days
    something happened: flat, then a vertical step.
    """
    points = [p for p in history if p.date <= as_of]
    if not points:
        return None
    first = min(start, points[0].date)
    days = max(1, (as_of - first).days)
    values = [p.balance for p in points]
    high = max(max(values), Decimal(0))
    low = min(min(values), Decimal(0))
    span = high - low or Decimal(1)
    plot_w = Decimal(WIDTH - LEFT - RIGHT)
    plot_h = Decimal(HEIGHT - TOP - BOTTOM)

    def x(day: date) -> Decimal:
        return LEFT + plot_w * (day - first).days / days

    def y(value: Decimal) -> Decimal:
        return TOP + plot_h * (high - value) / span

    path = [f"M{_n(x(first))} {_n(y(Decimal(0)))}"]
    for point in points:
        path.append(f"H{_n(x(point.date))}")
        path.append(f"V{_n(y(point.balance))}")
    path.append(f"H{_n(x(as_of))}")
    line = " ".join(path)

    last = points[-1].balance
    tid, zero = escape(title_id), _n(y(Decimal(0)))
    parts = [  # f-strings: Markup.format's escaping formatter was 2-3 % of a cold build; every
        # interpolated text is escaped, the coordinates (`_n`: digits, '.', '-') need not be
        f'<svg class="balance-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{tid}">',
        f'<title id="{tid}">Balance from {_day(first)} to {_day(as_of)}: now {escape(money.display(last, currency))}, '
        f'highest {escape(money.display(high, currency))}</title>',
        f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{_n(y(high))}" y2="{_n(y(high))}"></line>',
        f'<path class="area" d="{line} V{zero} Z"></path>',
        f'<line class="axis" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{zero}" y2="{zero}"></line>',
        f'<path class="line" d="{line}"></path>',
    ]
    for point in points:
        if point.paid > 0:
            parts.append(f'<circle class="payment" cx="{_n(x(point.date))}" cy="{_n(y(point.balance))}" r="6"><title>'
                         f'{_day(point.date)}: paid {escape(money.display(point.paid, currency))}</title></circle>')
    parts.append("</svg>")
    return BalanceChart(
        svg=Markup("".join(parts)),
        high=money.display(high, currency),
        low=money.display(low, currency) if low < 0 else None,
        start=first,
        end=as_of,
    )


def _day(day: date) -> str:
    return escape(words.short_date(day))
