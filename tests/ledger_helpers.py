"""Small helpers for ledger tests: load an inline records tree and compute one case."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from arrears.ledger.figures import CaseFigures
from arrears.ledger.compute import compute_case
from arrears.records.load import load


def figures(records, as_of: str, case_id: str = "acme") -> CaseFigures:
    """The figures of `case_id` as of `as_of`, failing loudly if the records have problems."""
    portfolio = load(records.root)
    errors = [p for p in portfolio.problems if p.is_error]
    assert not errors, errors
    case = portfolio.case(case_id)
    assert case is not None
    return compute_case(case, portfolio.settings, date.fromisoformat(as_of))


def D(text: str) -> Decimal:
    return Decimal(text)


def invoice(records, note_id: str, day: str, ref: str, amount: str, due: str, case_id: str = "acme") -> None:
    records.note(case_id, note_id, f"""
        date: {day}
        kind: invoice
        ref: {ref}
        amount: {amount}
        due: {due}
    """)


def payment(records, note_id: str, day: str, amount: str, extra: str = "", case_id: str = "acme") -> None:
    records.note(case_id, note_id, f"date: {day}\nkind: payment\namount: {amount}\n{extra}")


def money_of(figures: CaseFigures) -> dict[str, str]:
    """The totals as plain strings, for compact asserts."""
    t = figures.totals
    return {"invoiced": str(t.invoiced), "fees": str(t.fees), "credits": str(t.credits), "paid": str(t.paid),
            "balance": str(t.balance)}


def spec_example(records):
    """Records that give the figures of records-v1 section 8, as of 2026-05-01."""
    records.case("acme-bakery", """
        debtor: {name: Acme Bakery Ltd, kind: business}
        opened: 2026-02-01
    """)
    records.note("acme-bakery", "2026-02-01-invoice", """
        date: 2026-02-01
        kind: invoice
        ref: INV-1
        amount: 1200.00
        due: 2026-03-01
    """)
    records.note("acme-bakery", "2026-03-10-call", """
        date: 2026-03-10T11:00
        kind: call
        outcome: spoke
        promise: {amount: 200, by: 2026-04-03}
    """)
    records.plan("acme-bakery", "2026-03-10-plan", """
        agreed: 2026-03-10
        schedule: {start: 2026-04-03, every: fortnight, count: 6}
    """)
    for day in ("2026-04-03", "2026-04-17"):
        records.note("acme-bakery", f"{day}-payment", f"date: {day}\nkind: payment\namount: 200.00")
    records.note("acme-bakery", "2026-04-20-invoice", """
        date: 2026-04-20
        kind: invoice
        ref: INV-2
        amount: 50.00
        due: 2026-05-20
        follow_up: 2026-05-03
    """)
