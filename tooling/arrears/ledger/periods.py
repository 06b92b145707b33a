"""The dates the insight figures are read at (records-v1 section 13's notation).

*k months before D* moves D's month back k, clamping the day to the month's
end, and keeps a month-end a month-end, so windows between month-ends are
calendar months. Windows are (a, b]: they start the day after a.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from arrears.ledger.schedule import add_months

WINDOWS = 12  # count-back looks back 12 months
MONTHS = 12  # trends, roll rates and plan outcomes cover 12 month-ends
WEEKS = 13  # the forecast's horizon


def is_month_end(day: date) -> bool:
    return day.day == calendar.monthrange(day.year, day.month)[1]


def months_before(day: date, k: int) -> date:
    """D with its month moved back k, clamped to the month's end; a month-end stays a month-end.

    So windows between month-ends are calendar months: 31 May, 30 Apr, 31 Mar ...
    """
    moved = add_months(day, -k)
    if is_month_end(day):
        return moved.replace(day=calendar.monthrange(moved.year, moved.month)[1])
    return moved


def month_ends(as_of: date, count: int = MONTHS) -> tuple[date, ...]:
    """The `count` month-ends on or before D (D itself when it is one), oldest first."""
    latest = as_of if is_month_end(as_of) else as_of.replace(day=1) - timedelta(days=1)
    return tuple(months_before(latest, k) for k in range(count - 1, -1, -1))


@lru_cache(maxsize=64)
def windows(day: date) -> tuple[date, ...]:
    """The count-back windows' bounds: window k is (bounds[k], bounds[k-1]], bounds[0] = the day."""
    return tuple(months_before(day, k) for k in range(WINDOWS + 1))


def weeks(as_of: date) -> tuple[tuple[date, date], ...]:
    """Forecast week w is [D + 7(w-1), D + 7w - 1], w = 1..13."""
    return tuple((as_of + timedelta(days=7 * w), as_of + timedelta(days=7 * w + 6)) for w in range(WEEKS))


@dataclass(frozen=True, slots=True)
class Dates:
    """Every date the figures as of D are read at."""

    as_of: date
    before: date  # 1 month before D: the start of CEI's month
    ends: tuple[date, ...]  # the 12 month-ends on or before D, oldest first
    previous: date  # the month-end before the oldest of them (roll rates and CEI start from it)

    @classmethod
    @lru_cache(maxsize=8)
    def of(cls, as_of: date) -> Dates:
        ends = month_ends(as_of)
        return cls(as_of, months_before(as_of, 1), ends, months_before(ends[0], 1))

    @property
    def balances(self) -> tuple[date, ...]:
        """The days whose balance or aging some figure needs."""
        return tuple(sorted({self.as_of, self.before, self.previous, *self.ends}))

    @property
    def counted(self) -> tuple[date, ...]:
        """The days some DSO or CEI is computed at (each needs the amounts issued before it)."""
        return tuple(sorted({self.as_of, *self.ends}))


__all__ = ["Dates", "is_month_end", "month_ends", "months_before", "weeks", "windows"]
