"""Reference rates for statutory interest: the Bank of England base rate and the ECB refinancing rate.

Both ship as dated tables of changes (`rates/*.txt`, one `DATE RATE # source`
line per change) so a figure can always be traced to a published decision.
`arrears.toml` may add or correct rows (`[interest.rates.bank_of_england]`,
`[interest.rates.ecb]`); a row there wins over the shipped row of the same
date. The rate in force on a day is the latest change dated on or before it.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

TABLES = ("bank_of_england", "ecb")
TITLES = {"bank_of_england": "Bank of England base rate", "ecb": "ECB main refinancing rate"}
STALE_AFTER_DAYS = 184  # a table whose last row is older than this on a needed date may be missing a change
_DATA = Path(__file__).with_name("rates")

Overrides = tuple[tuple[str, tuple[tuple[date, Decimal], ...]], ...]


@dataclass(frozen=True, slots=True)
class RateTable:
    """The changes of one reference rate, oldest first."""

    name: str
    days: tuple[date, ...]
    rates: tuple[Decimal, ...]

    def on(self, day: date) -> Decimal | None:
        """The rate in force on `day` (None before the table's first row)."""
        index = bisect_right(self.days, day)
        return self.rates[index - 1] if index else None

    @property
    def last(self) -> date | None:
        return self.days[-1] if self.days else None

    def stale_on(self, day: date) -> bool:
        """Whether `day` is too long after the last row to trust that no change is missing."""
        return self.last is None or day > self.last + timedelta(days=STALE_AFTER_DAYS)


def parse_table(name: str, text: str) -> RateTable:
    """A shipped table: `YYYY-MM-DD  RATE  # source` per line; blank lines and `#` comments skipped."""
    rows: dict[date, Decimal] = {}
    for line in text.splitlines():
        content = line.split("#", 1)[0].split()
        if not content:
            continue
        day, rate = content
        rows[date.fromisoformat(day)] = Decimal(rate)
    return _table(name, rows)


def _table(name: str, rows: dict[date, Decimal]) -> RateTable:
    ordered = sorted(rows.items())
    return RateTable(name, tuple(day for day, _ in ordered), tuple(rate for _, rate in ordered))


@lru_cache(maxsize=None)
def shipped(name: str) -> RateTable:
    return parse_table(name, (_DATA / f"{name}.txt").read_text(encoding="utf-8"))


@lru_cache(maxsize=64)
def tables(overrides: Overrides = ()) -> dict[str, RateTable]:
    """The shipped tables with `arrears.toml`'s rows merged in (same date: the settings win)."""
    extra = dict(overrides)
    merged = {}
    for name in TABLES:
        base = shipped(name)
        rows = dict(zip(base.days, base.rates))
        rows.update(dict(extra.get(name, ())))
        merged[name] = _table(name, rows)
    return merged


__all__ = ["RateTable", "TABLES", "TITLES", "STALE_AFTER_DAYS", "parse_table", "shipped", "tables"]
