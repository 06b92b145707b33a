"""What a source says, in the importer's words: entries, skipped rows, problems at a CSV line.

Every source profile turns its rows into the same few values, so matching and
planning never need to know which accounting system a file came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from arrears.problems import Problem

ENTRY_KINDS = ("invoice", "credit", "payment", "void")


@dataclass(frozen=True, slots=True)
class Entry:
    """One invoice, credit note, payment or voided invoice, as the source file states it.

    `source_id` identifies it in the source (an invoice number, a bank row's
    fingerprint): it is written into every note as `extra.source_id`, which is
    what makes a second import of the same file write nothing. `columns` maps
    a field name to its column number, so errors can point at the cell.
    """

    kind: str
    source: str
    source_id: str
    line: int
    date: date
    amount: Decimal = Decimal(0)
    contact: str | None = None
    email: str | None = None
    ref: str | None = None
    due: date | None = None
    paid: Decimal | None = None
    paid_date: date | None = None
    currency: str | None = None
    description: str | None = None
    columns: dict[str, int] = field(default_factory=dict, compare=False, hash=False)

    def column(self, name: str) -> int:
        return self.columns.get(name, 1)


@dataclass(frozen=True, slots=True)
class Skipped:
    """A row understood but deliberately not imported (a draft, a bill, money paid out...)."""

    line: int
    what: str  # e.g. "INV-1001"
    reason: str  # e.g. "draft"


@dataclass
class Reading:
    """All a source file gave: its entries, the rows skipped and why, and the problems found."""

    path: str
    entries: list[Entry] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notices: list[tuple[int, str]] = field(default_factory=list)  # (line, something to look at by hand)
    rows: int = 0

    def error(self, line: int, column: int, message: str, code: str = "bad-row") -> None:
        self.problems.append(Problem(self.path, line, column, "error", code, message))
