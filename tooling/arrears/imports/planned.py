"""What an import will write, and the state it plans against: shared by `plan` and `reconcile`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from arrears import money
from arrears.imports.entries import Entry, Skipped
from arrears.imports.index import ZERO, CaseIndex, HandPayment, Known
from arrears.imports.notes import Draft, note_text
from arrears.imports.values import file_safe
from arrears.problems import Problem


@dataclass(frozen=True, slots=True)
class PlannedNote:
    case: str
    id: str
    what: str  # invoice | credit | payment | correction | void | reconciled
    draft: Draft
    line: int

    @property
    def text(self) -> str:
        return note_text(self.draft)


@dataclass(frozen=True, slots=True)
class PlannedCase:
    id: str
    name: str
    text: str


@dataclass
class ImportPlan:
    cases: list[PlannedCase] = field(default_factory=list)
    notes: list[PlannedNote] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    unmatched: list[tuple[Entry, str]] = field(default_factory=list)  # payments, and why
    notices: list[tuple[int, str]] = field(default_factory=list)  # (line, what the user should look at)
    problems: list[Problem] = field(default_factory=list)
    unchanged: int = 0

    def counts(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for note in self.notes:
            found[note.what] = found.get(note.what, 0) + 1
        return found


@dataclass
class CaseState:
    """A case as this import sees it: the index plus what this import has planned so far."""

    id: str
    currency: str
    taken: set[str]
    by_source: dict[tuple[str, str], Known]
    invoices: dict[str, Known]
    paid: dict[str, Decimal]
    hand: list[HandPayment]
    unapplied: Decimal = ZERO
    reported: dict[str, Decimal] = field(default_factory=dict)
    reconciled: dict[str, Decimal] = field(default_factory=dict)
    warned: bool = False


@dataclass(frozen=True, slots=True)
class Options:
    path: str  # the CSV as the user named it, for messages
    file_name: str
    today: date  # --date: corrections and payments without a date of their own
    currency: str  # arrears.toml's
    create_cases: bool = False
    not_after: date | None = None  # entries dated later have not happened yet: skipped


def case_state(index: CaseIndex) -> CaseState:
    """The state of a case the import has not touched yet: its index, copied."""
    return CaseState(index.id, index.currency, {name.casefold() for name in index.note_ids}, dict(index.by_source),
                  dict(index.invoices), dict(index.paid), list(index.hand_payments), index.unapplied,
                  dict(index.reported), dict(index.reconciled))


def add_note(plan: ImportPlan, state: CaseState, what: str, draft: Draft, entry: Entry, subject: str) -> PlannedNote:
    stem = f"{draft.date.isoformat()}-{draft.kind}-{file_safe(subject)}"
    note_id, number = stem, 1
    while note_id.casefold() in state.taken:
        number += 1
        note_id = f"{stem}-{number}"
    state.taken.add(note_id.casefold())
    planned = PlannedNote(state.id, note_id, what, draft, entry.line)
    plan.notes.append(planned)
    return planned


def show(amount: Decimal, currency: str) -> str:
    return money.display(amount, currency)
