"""The records already in the repository, read once and indexed for the importer.

What an import must know about each case: who the debtor is (names and
e-mails to match rows by), its currency, the note ids taken, the imported
notes by `extra.source_id`, its invoices by ref, and what has been paid
against each invoice (by anyone: imported or typed by hand). Corrected
notes no longer count, exactly as in the ledger.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from arrears.imports.values import name_key
from arrears.records.model import Case, Credit, Invoice, Payment, Settings

ZERO = Decimal(0)
PAID_SUFFIX = "/paid"  # the source_id of a payment written from an invoice export's paid amount


@dataclass(frozen=True, slots=True)
class Known:
    """An invoice or credit note as the records hold it now (the latest of its corrections)."""

    note_id: str
    kind: str  # invoice | credit | void (a `kind: note` that corrects it)
    date: date
    amount: Decimal = ZERO
    ref: str | None = None
    due: date | None = None
    issued: date | None = None


@dataclass(frozen=True, slots=True)
class HandPayment:
    note_id: str
    date: date
    amount: Decimal
    applies_to: str | None


@dataclass(frozen=True, slots=True)
class CaseIndex:
    id: str
    name: str
    names: tuple[str, ...]  # name_key of debtor.name and extra.source_names
    emails: tuple[str, ...]
    currency: str
    note_ids: frozenset[str]
    by_source: dict[tuple[str, str], Known] = field(default_factory=dict)
    invoices: dict[str, Known] = field(default_factory=dict)  # by ref, uncorrected
    paid: dict[str, Decimal] = field(default_factory=dict)  # applies_to ref -> sum of uncorrected payments
    imported_payments: frozenset[tuple[str, str]] = frozenset()  # (source, source_id) of payment notes
    hand_payments: tuple[HandPayment, ...] = ()  # payments with no extra.source
    unapplied: Decimal = ZERO  # payments that name no invoice (applies_to): an import cannot tell what they paid
    reported: dict[str, Decimal] = field(default_factory=dict)  # ref -> paid written from an invoice export
    reconciled: dict[str, Decimal] = field(default_factory=dict)  # ref -> bank payments matched to `reported`


def index_case(case: Case, settings: Settings | None = None) -> CaseIndex:
    """One case's index (runs in the loader's worker processes for large portfolios)."""
    corrected = {note.corrects for note in case.notes if note.corrects}
    by_source: dict[tuple[str, str], Known] = {}
    invoices: dict[str, Known] = {}
    paid: dict[str, Decimal] = {}
    imported: set[tuple[str, str]] = set()
    hand: list[HandPayment] = []
    unapplied = ZERO
    reported: dict[str, Decimal] = {}
    reconciled: dict[str, Decimal] = {}
    for note in case.notes:
        origin = _origin(note.extra)
        if note.id in corrected:
            continue
        detail = note.detail
        if isinstance(detail, Invoice):
            known = Known(note.id, "invoice", note.date, detail.amount, detail.ref, detail.due, detail.issued)
            invoices[detail.ref] = known
        elif isinstance(detail, Credit):
            known = Known(note.id, "credit", note.date, detail.amount)
        elif isinstance(detail, Payment):
            if detail.applies_to:
                paid[detail.applies_to] = paid.get(detail.applies_to, ZERO) + detail.amount
            else:
                unapplied += detail.amount
            if origin:
                imported.add(origin)
                if origin[1].endswith(PAID_SUFFIX) and detail.applies_to:
                    reported[detail.applies_to] = reported.get(detail.applies_to, ZERO) + detail.amount
            else:
                hand.append(HandPayment(note.id, note.date, detail.amount, detail.applies_to))
            continue
        elif note.kind == "note" and note.corrects:
            known = Known(note.id, "void", note.date)
        elif note.kind == "note" and origin and isinstance(note.extra, dict) and note.extra.get("reconciles"):
            imported.add(origin)
            ref = str(note.extra["reconciles"])
            reconciled[ref] = reconciled.get(ref, ZERO) + _decimal(note.extra.get("amount"))
            continue
        else:
            continue
        if origin:
            by_source[origin] = known
    extra = case.extra or {}
    source_names = extra.get("source_names") if isinstance(extra, dict) else None
    if isinstance(source_names, str):
        source_names = [source_names]
    names = [case.debtor.name] + [str(name) for name in (source_names or []) if name]
    return CaseIndex(
        id=case.id, name=case.debtor.name, names=tuple(dict.fromkeys(name_key(n) for n in names)),
        emails=tuple(c.value.strip().casefold() for c in case.debtor.contacts if c.channel == "email"),
        currency=case.currency, note_ids=frozenset(n.id for n in case.notes) | case.unreadable,
        by_source=by_source, invoices=invoices, paid=paid, imported_payments=frozenset(imported),
        hand_payments=tuple(hand), unapplied=unapplied, reported=reported, reconciled=reconciled)


def _decimal(value) -> Decimal:
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return ZERO


def _origin(extra) -> tuple[str, str] | None:
    if isinstance(extra, dict) and extra.get("source") and extra.get("source_id") is not None:
        return str(extra["source"]), str(extra["source_id"])
    return None


def load_index(root: Path):
    """(settings, case indexes sorted by id, problems) for the repository at `root`, in one pass."""
    from arrears.pipeline import map_each_case

    settings, results, problems = map_each_case(root, index_case)
    return settings, [index for _, index in results], problems
