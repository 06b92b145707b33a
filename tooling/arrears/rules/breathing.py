"""Check rules for a breathing space (records-v1 section 11).

Inside a Debt Respite Scheme space the creditor may add no fees and must not
ask for payment. A fee dated inside is an error (it would be money the law
says cannot be charged, so no figure is computed from it until a note voids
it); every outbound call, e-mail, SMS or letter dated inside is a warning,
since some (an acknowledgement of the hold, an answer the debtor asked for)
may be fine and only the user knows which.
"""

from __future__ import annotations

from typing import Iterable, Iterator

from arrears.ledger import holds as holding
from arrears.problems import Problem
from arrears.records.model import Case, Contacting, Fee
from arrears.rules.contact import counted_notes
from arrears.words import long_date

OUTBOUND_KINDS = ("call", "email", "sms", "letter")


def _spaces(case: Case, today) -> tuple[holding.Space, ...]:
    """Every space the records declare, as they will stand once every note counts."""
    last = max([today, *(n.date for n in case.notes)])
    return holding.spaces(counted_notes(case), last, case.notes)


def _inside(spaces: Iterable[holding.Space], day, today) -> holding.Space | None:
    return next((s for s in spaces if s.covers(day, max(today, day))), None)


def no_fees_inside(case: Case, context) -> Iterator[Problem]:
    """A fee dated inside a breathing space is an error: no fees accrue inside one."""
    spaces = _spaces(case, context.today)
    for note in counted_notes(case):
        if isinstance(note.detail, Fee):
            space = _inside(spaces, note.date, context.today)
            if space is not None:
                yield note.source.problem("date", "fee-in-breathing-space",
                                          f"a fee dated {long_date(note.date)} falls inside the breathing space "
                                          f"from {long_date(space.start)} ({space.note}): no fees may be added "
                                          f"then; void it with a note that corrects it")


def no_contact_inside(case: Case, context) -> Iterator[Problem]:
    """A warning for every outbound call, e-mail, SMS or letter dated inside a breathing space."""
    spaces = _spaces(case, context.today)
    for note in counted_notes(case):
        detail = note.detail
        if note.kind in OUTBOUND_KINDS and isinstance(detail, Contacting) and detail.direction == "out":
            space = _inside(spaces, note.date, context.today)
            if space is not None:
                yield note.source.problem("date", "contact-in-breathing-space",
                                          f"an outbound {note.kind} dated {long_date(note.date)} falls inside the "
                                          f"breathing space from {long_date(space.start)} ({space.note}): no "
                                          f"contact asking for payment is allowed then", "warning")


__all__ = ["no_fees_inside", "no_contact_inside"]
