"""The plan-exceeds-balance check: a plan may not cover more than was owed before it was agreed."""

from datetime import date

from arrears.rules.check import check
from arrears.records.load import load

from ledger_helpers import invoice, payment

TODAY = date(2026, 6, 1)


def _codes(records):
    return [(p.path, p.line, p.column, p.severity, p.message) for p in check(load(records.root), TODAY)
            if p.code == "plan-exceeds-balance"]


def _owed(records):
    records.case("acme")
    invoice(records, "i1", "2026-01-20", "INV-1", "1000.00", "2026-02-19")
    payment(records, "p1", "2026-03-01", "100.00")
    invoice(records, "i2", "2026-03-10", "INV-2", "500.00", "2026-04-09")  # dated on agreed: not before it


def test_amount_above_the_balance_before_agreed_is_an_error_at_the_amount(records):
    _owed(records)
    records.plan("acme", "plan", """
        agreed: 2026-03-10
        amount: 900.01
        schedule: {start: 2026-04-01, every: month, count: 3}
    """)
    assert _codes(records) == [("cases/acme/plans/plan.md", 3, 9, "error",
                                "the plan covers 900.01 but the balance from everything dated before "
                                "2026-03-10 is 900.00")]


def test_amount_equal_to_the_balance_is_fine(records):
    _owed(records)
    records.plan("acme", "plan", """
        agreed: 2026-03-10
        amount: 900.00
        schedule: {start: 2026-04-01, every: month, count: 3}
    """)
    assert _codes(records) == []


def test_an_explicit_list_without_amount_is_judged_by_its_total(records):
    _owed(records)
    records.plan("acme", "plan", """
        agreed: 2026-03-10
        installments:
          - {due: 2026-04-01, amount: 600}
          - {due: 2026-05-01, amount: 600}
    """)
    ((path, line, column, _, message),) = _codes(records)
    assert (line, column) == (4, 3) and "covers 1200.00" in message and "is 900.00" in message


def test_a_correction_after_agreed_does_not_make_an_old_plan_wrong_before_today(records):
    _owed(records)
    records.plan("acme", "plan", "agreed: 2026-03-10\namount: 900\nschedule: {start: 2026-04-01, every: week, count: 3}")
    assert _codes(records) == []
    records.note("acme", "void-pay", "date: 2026-03-02\nkind: note\ncorrects: p1")
    assert _codes(records) == []  # the balance before agreed is now 1000.00
