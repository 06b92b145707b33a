"""Check rule for the letter of claim's reply window (records-v1 section 11, `ledger/claim.py`).

The Pre-Action Protocol gives the debtor 30 days to reply to a letter of
claim; escalating meanwhile (a note tagged court, agency, legal or
escalation, or a final reminder) defeats its purpose, so `check` warns. A
warning, not an error: the debtor may have replied early and agreed it.
"""

from __future__ import annotations

from typing import Iterator

from arrears.ledger import claim
from arrears.problems import Problem
from arrears.records.model import Case
from arrears.rules.contact import counted_notes
from arrears.words import long_date


def no_escalation_while_awaiting_reply(case: Case, context) -> Iterator[Problem]:
    notes = counted_notes(case)
    last = max([context.today, *(n.date for n in notes)])
    windows = claim.letters(notes, last)
    for note in notes:
        if not claim.is_escalation(note):
            continue
        window = next((w for w in windows if w.covers(note.date) and w.note != note.id), None)
        if window is not None:
            yield note.source.problem("tags", "escalation-in-reply-window",
                                      f"this note escalates (tags: {', '.join(note.tags)}) on "
                                      f"{long_date(note.date)}, inside the 30 days the letter of claim of "
                                      f"{long_date(window.sent)} ({window.note}) gives the debtor to reply "
                                      f"(until {long_date(window.until)})", "warning")


__all__ = ["no_escalation_while_awaiting_reply"]
