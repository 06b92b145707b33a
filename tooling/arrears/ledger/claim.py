"""The letter of claim and its 30-day reply window (records-v1 section 11).

The Pre-Action Protocol for Debt Claims asks a creditor to send an
individual (or a sole trader) a letter of claim and to give them 30 days to
reply before starting court proceedings. A recorded letter of claim is a
`letter` note tagged `letter-of-claim`. Its window runs from the letter's
date L to L + 30 inclusive: on L + 30 (day 30) the reply period is still
open, on L + 31 (day 31) it has ended. The reply date printed in the letter
is L + 30.

An *escalation* note is what the protocol asks the creditor to hold back
while the debtor may still reply: a note tagged `court`, `agency`,
`legal` or `escalation`, or a final reminder (a note tagged `final`, as
`arrears remind --tone final --record` writes).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Iterable

from arrears.records.model import Case, Note

TAG = "letter-of-claim"
REPLY_DAYS = 30
ESCALATION_TAGS = ("court", "agency", "legal", "escalation", "final")


def protocol_applies(case: Case) -> bool:
    """The protocol covers individuals and sole traders, never a company or partnership as such."""
    return case.debtor.kind == "individual" or case.sole_trader


def reply_by(sent: date) -> date:
    """The last day of the reply period: 30 days after the letter's date."""
    return sent + timedelta(days=REPLY_DAYS)


@dataclass(frozen=True, slots=True)
class Window:
    """A recorded letter of claim: sent on `sent`; the debtor may reply through `until` (inclusive)."""

    note: str
    sent: date
    until: date

    def covers(self, day: date) -> bool:
        return self.sent <= day <= self.until


def letters(notes: Iterable[Note], as_of: date) -> tuple[Window, ...]:
    """Every letter of claim recorded on or before D (among the notes that count), oldest first."""
    return tuple(Window(n.id, n.date, reply_by(n.date)) for n in sorted(notes, key=lambda n: n.sort_key)
                 if n.kind == "letter" and TAG in n.tags and n.date <= as_of)


def open_window(notes: Iterable[Note], as_of: date) -> Window | None:
    """The latest letter of claim whose reply period D falls in, if any."""
    found = [w for w in letters(notes, as_of) if w.covers(as_of)]
    return found[-1] if found else None


def is_escalation(note: Note) -> bool:
    return TAG not in note.tags and any(tag in ESCALATION_TAGS for tag in note.tags)


__all__ = ["TAG", "REPLY_DAYS", "ESCALATION_TAGS", "Window", "protocol_applies", "reply_by", "letters",
           "open_window", "is_escalation"]
