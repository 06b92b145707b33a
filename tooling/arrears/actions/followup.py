"""When a recorded reminder brings the case back, and whether the same reminder was already recorded today.

`remind --record` writes the note's `follow_up` so the agenda shows the
case again on the day something should have happened: the deadline a firm
or final message gives, or for a gentle one the next sensible check (see
docs/agenda-and-messages.md, "After a reminder").
"""

from __future__ import annotations

from datetime import date, timedelta

from arrears.ledger.figures import CaseFigures
from arrears.records.model import Note

GENTLE_CHECK_DAYS = 7  # a gentle reminder about overdue money: look again a week later


def follow_up(figures: CaseFigures, deadline: date | None) -> date:
    """The day the case should come back on the agenda after this reminder.

    The deadline the message states, if it states one. A gentle reminder about
    money already overdue: a week on, time for a payment to arrive. A gentle
    reminder ahead of a due date: the day after that date, to see it was paid
    (but never later than a week after a first reminder would have been due).
    """
    if deadline is not None:
        return deadline
    week = figures.as_of + timedelta(days=GENTLE_CHECK_DAYS)
    if figures.overdue <= 0 and figures.next_due is not None and figures.next_due.date >= figures.as_of:
        return figures.next_due.date + timedelta(days=1)
    return week


def already_recorded(notes: tuple[Note, ...] | list[Note], day: date, kind: str, tone: str) -> Note | None:
    """A reminder of this tone by this channel already recorded on `day` (sending it twice is usually a slip)."""
    for note in notes:
        if note.date == day and note.kind == kind and "reminder" in note.tags and tone in note.tags:
            return note
    return None
