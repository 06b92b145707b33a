"""A correcting invoice keeps its invoice number (spec 4): `duplicate-ref` skips invoices another note corrects."""

from __future__ import annotations

from datetime import date

from arrears.records.load import load
from arrears.rules.check import check

TODAY = date(2026, 6, 1)


def _codes(records) -> list[str]:
    return [p.code for p in check(load(records.root), TODAY)]


def test_a_correcting_invoice_may_keep_the_number_of_the_one_it_corrects(records):
    records.case()
    records.note("acme", "2026-03-02-invoice-INV-1", "date: 2026-03-02\nkind: invoice\nref: INV-1\namount: 100\ndue: 2026-04-01")
    records.note("acme", "2026-04-10-invoice-INV-1", "date: 2026-04-10\nkind: invoice\nref: INV-1\namount: 120\n"
                 "due: 2026-04-01\nissued: 2026-03-02\ncorrects: 2026-03-02-invoice-INV-1")
    assert "duplicate-ref" not in _codes(records)


def test_two_invoices_with_one_number_are_still_a_duplicate(records):
    records.case()
    records.note("acme", "a", "date: 2026-03-02\nkind: invoice\nref: INV-1\namount: 100\ndue: 2026-04-01")
    records.note("acme", "b", "date: 2026-03-03\nkind: invoice\nref: INV-1\namount: 120\ndue: 2026-04-01")
    assert _codes(records).count("duplicate-ref") == 1


def test_a_correction_of_something_else_does_not_excuse_a_duplicate(records):
    records.case()
    records.note("acme", "a", "date: 2026-03-02\nkind: invoice\nref: INV-1\namount: 100\ndue: 2026-04-01")
    records.note("acme", "b", "date: 2026-03-03\nkind: invoice\nref: INV-1\namount: 120\ndue: 2026-04-01")
    records.note("acme", "c", "date: 2026-03-04\nkind: call\ncorrects: d")
    records.note("acme", "d", "date: 2026-03-01\nkind: call")
    assert _codes(records).count("duplicate-ref") == 1
