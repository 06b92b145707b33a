"""Holds: the days on which nothing accrues (records-v1 sections 10 and 11).

A hold is an inclusive date range (a breathing space under the Debt Respite
Scheme). Interest never accrues on a day inside one, and compensation that
falls due inside one waits for the first day after it. This module is the
one place holds are derived from the records; the breathing-space note kind
(issue #15) will fill `from_notes`, and everything downstream already takes
the ranges as plain data, so tests can pass them in directly.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Iterable

from arrears.records.model import Note

Hold = tuple[date, date]  # first and last day inside, inclusive
Holds = tuple[Hold, ...]


def from_notes(notes: Iterable[Note], as_of: date) -> Holds:
    """The holds the notes that count on D declare (none until the breathing-space kind exists)."""
    return ()


def normalize(holds: Iterable[Hold]) -> Holds:
    """Sorted, with overlapping or touching ranges merged, so a day's membership is one scan."""
    merged: list[list[date]] = []
    for start, end in sorted(holds):
        if end < start:
            continue
        if merged and start <= merged[-1][1] + timedelta(days=1):
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return tuple((start, end) for start, end in merged)


def inside(day: date, holds: Holds) -> bool:
    return any(start <= day <= end for start, end in holds)


def first_day_outside(day: date, holds: Holds) -> date:
    """`day` itself, or the day after the (merged) hold it falls in."""
    for start, end in holds:
        if start <= day <= end:
            return end + timedelta(days=1)
    return day


__all__ = ["Hold", "Holds", "from_notes", "normalize", "inside", "first_day_outside"]
