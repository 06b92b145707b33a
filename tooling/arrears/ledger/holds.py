"""Holds: the days on which nothing accrues (records-v1 sections 10 and 11).

A hold is an inclusive date range (a breathing space under the Debt Respite
Scheme). Interest never accrues on a day inside one, and compensation that
falls due inside one waits for the first day after it. This module is the
one place holds are derived from the records (`spaces`, `from_notes`);
everything downstream takes the ranges as plain data, so tests can pass
them in directly.

Readings (section 11): a standard space ends on its 60th day counting
`start` as the first (start + 59 days); a mental-health space stays open
through D until a later note gives its `end`. A correcting breathing-space
note (`corrects:`) replaces the space it names and keeps that space's
`start`, `type` and `ref` unless it gives its own, so "it ended early on
the 20th" needs only `end`. A `kind: note` correction voids the space.
Once a note counts (its date <= D) all its days count, even those before
the note was written: the hold is known late, not applied late.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Iterable, Mapping

from arrears.records.model import BreathingSpace, Note

Hold = tuple[date, date]  # first and last day inside, inclusive
Holds = tuple[Hold, ...]


STANDARD_DAYS = 60  # the standard scheme's length, counting the first day


@dataclass(frozen=True, slots=True)
class Space:
    """A breathing space as it stands on D: its first day, its last (None: open-ended), and its note."""

    note: str  # the id of the note that declares it (after corrections)
    type: str  # standard | mental-health
    start: date
    end: date | None
    ref: str | None = None

    def last_day(self, as_of: date) -> date:
        """The last day inside as of D: an open space runs through D."""
        return self.end if self.end is not None else as_of

    def covers(self, day: date, as_of: date) -> bool:
        return self.start <= day <= self.last_day(as_of)


def spaces(notes: Iterable[Note], as_of: date, everything: Iterable[Note] = ()) -> tuple[Space, ...]:
    """The breathing spaces the notes that count on D declare, by start.

    `everything` is every note of the case, where a correcting note finds
    the space it corrects (to keep its start, type and ref).
    """
    by_id: Mapping[str, Note] = {n.id: n for n in everything}
    found = []
    for note in notes:
        if note.date > as_of or not isinstance(note.detail, BreathingSpace):
            continue
        found.append(_resolve(note, by_id))
    return tuple(sorted(found, key=lambda s: (s.start, s.note)))


def _resolve(note: Note, by_id: Mapping[str, Note], depth: int = 0) -> Space:
    detail = note.detail
    assert isinstance(detail, BreathingSpace)
    earlier = by_id.get(note.corrects) if note.corrects else None
    base = (_resolve(earlier, by_id, depth + 1)
            if earlier is not None and isinstance(earlier.detail, BreathingSpace) and depth < 50 else None)
    start = detail.start or (base.start if base else note.date)
    space_type = detail.type or (base.type if base else "standard")
    end = detail.end
    if end is None and space_type == "standard":
        end = start + timedelta(days=STANDARD_DAYS - 1)
    return Space(note.id, space_type, start, end, detail.ref or (base.ref if base else None))


def from_notes(notes: Iterable[Note], as_of: date, everything: Iterable[Note] = ()) -> Holds:
    """The holds (inclusive ranges, merged) the notes that count on D declare."""
    return normalize((s.start, s.last_day(as_of)) for s in spaces(notes, as_of, everything))


def current(found: Iterable[Space], as_of: date) -> Space | None:
    """The space D falls inside, if any (the latest-starting, should two overlap)."""
    inside_now = [s for s in found if s.covers(as_of, as_of)]
    return inside_now[-1] if inside_now else None


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


__all__ = ["Hold", "Holds", "Space", "spaces", "current", "from_notes", "normalize", "inside", "first_day_outside"]
