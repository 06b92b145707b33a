"""Small helpers for ledger tests: load an inline records tree and compute one case."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from arrears.figures import CaseFigures
from arrears.ledger import compute_case
from arrears.load import load


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
