"""The pure planner: entries + indexes -> notes and cases, without touching a disk."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from arrears.imports.entries import Entry
from arrears.imports.index import index_case
from arrears.imports.plan import Options, plan_import
from arrears.records.load import load

OPTIONS = Options("x.csv", "x.csv", date(2026, 4, 20), "GBP", create_cases=True)


def _invoice(contact: str, ref: str, amount: str = "100.00", day: int = 2, **more) -> Entry:
    return Entry("invoice", "xero", ref, 2, date(2026, 3, day), Decimal(amount), contact, ref=ref,
                 due=date(2026, 4, 1), **more)


def test_new_case_ids_are_unique_and_do_not_depend_on_row_order(records):
    records.case("a-and-b-ltd", "debtor: {name: Someone Else, kind: business}\nopened: 2026-01-01")
    indexes = [index_case(case) for case in load(records.root).cases]
    entries = [_invoice("A&B Ltd", "INV-1"), _invoice("A and B Ltd", "INV-2"), _invoice("Zed", "INV-3")]
    for order in (entries, entries[::-1]):
        plan = plan_import(order, indexes, OPTIONS)
        # Taken ids get -2, -3 in the order of the names as compared ("a and b ltd" < "a&b ltd").
        assert [(case.id, case.name) for case in plan.cases] == [
            ("a-and-b-ltd-2", "A and B Ltd"), ("a-and-b-ltd-3", "A&B Ltd"), ("zed", "Zed")]


def test_note_names_are_file_safe_and_unique_even_on_a_case_insensitive_disk():
    plan = plan_import([_invoice("Acme", "INV/1"), _invoice("Acme", "INV-1"), _invoice("Acme", "inv-1")], [],
                       OPTIONS)
    assert sorted(note.id for note in plan.notes) == [
        "2026-03-02-invoice-INV-1", "2026-03-02-invoice-INV-1-2", "2026-03-02-invoice-inv-1-3"]


def test_a_correction_is_never_dated_before_the_note_it_corrects(records):
    records.case("acme", "debtor: {name: Acme, kind: business}\nopened: 2026-01-01")
    records.note("acme", "n", "date: 2026-05-02\nkind: invoice\nref: INV-1\namount: 100\ndue: 2026-06-01\n"
                              "extra: {source: xero, source_id: INV-1}")
    indexes = [index_case(case) for case in load(records.root).cases]
    plan = plan_import([_invoice("Acme", "INV-1", "120.00")], indexes, OPTIONS)  # --date 2026-04-20
    [note] = plan.notes
    assert (note.what, note.draft.date, note.draft.corrects, note.draft.issued) == \
        ("correction", date(2026, 5, 2), "n", date(2026, 5, 2))


def test_a_changed_credit_note_is_corrected_and_an_unchanged_one_is_left_alone(records):
    records.case("acme", "debtor: {name: Acme, kind: business}\nopened: 2026-01-01")
    records.note("acme", "c", "date: 2026-03-02\nkind: credit\namount: 20\nextra: {source: xero, source_id: credit/CN-1}")
    indexes = [index_case(case) for case in load(records.root).cases]
    credit = Entry("credit", "xero", "credit/CN-1", 3, date(2026, 3, 2), Decimal("20.00"), "Acme", ref="CN-1")
    assert plan_import([credit], indexes, OPTIONS).notes == []
    [note] = plan_import([Entry("credit", "xero", "credit/CN-1", 3, date(2026, 3, 2), Decimal("25.00"), "Acme",
                                ref="CN-1")], indexes, OPTIONS).notes
    assert (note.what, note.draft.amount, note.draft.corrects) == ("correction", Decimal("25.00"), "c")


def test_more_paid_in_the_records_than_in_the_source_writes_nothing_and_says_so(records):
    records.case("acme", "debtor: {name: Acme, kind: business}\nopened: 2026-01-01")
    records.note("acme", "i", "date: 2026-03-02\nkind: invoice\nref: INV-1\namount: 100\ndue: 2026-04-01")
    records.note("acme", "p", "date: 2026-03-09\nkind: payment\namount: 80\napplies_to: INV-1")
    indexes = [index_case(case) for case in load(records.root).cases]
    plan = plan_import([_invoice("Acme", "INV-1", paid=Decimal("50.00"))], indexes, OPTIONS)
    assert plan.notes == []
    assert plan.notices == [(2, "acme: the records hold £80.00 paid on INV-1 but Xero says £50.00: nothing "
                                "written; check the payments")]


def test_a_corrected_payment_no_longer_counts_as_paid(records):
    records.case("acme", "debtor: {name: Acme, kind: business}\nopened: 2026-01-01")
    records.note("acme", "i", "date: 2026-03-02\nkind: invoice\nref: INV-1\namount: 100\ndue: 2026-04-01")
    records.note("acme", "p", "date: 2026-03-09\nkind: payment\namount: 80\napplies_to: INV-1")
    records.note("acme", "v", "date: 2026-03-10\nkind: note\ncorrects: p")
    indexes = [index_case(case) for case in load(records.root).cases]
    [note] = plan_import([_invoice("Acme", "INV-1", paid=Decimal("50.00"))], indexes, OPTIONS).notes
    assert (note.what, note.draft.amount, note.draft.applies_to) == ("payment", Decimal("50.00"), "INV-1")


def test_two_cases_with_one_name_are_an_error_never_a_guess(records):
    records.case("acme-1", "debtor: {name: Acme, kind: business}\nopened: 2026-01-01")
    records.case("acme-2", "debtor: {name: ACME, kind: business}\nopened: 2026-01-01")
    indexes = [index_case(case) for case in load(records.root).cases]
    plan = plan_import([_invoice("Acme", "INV-1")], indexes, OPTIONS)
    assert plan.notes == [] and [p.code for p in plan.problems] == ["ambiguous-debtor"]
    assert "several cases (acme-1, acme-2)" in plan.problems[0].message


def test_what_is_dated_after_today_is_skipped_until_it_has_happened():
    later = _invoice("Acme", "INV-9", day=28)
    options = Options("x.csv", "x.csv", date(2026, 3, 20), "GBP", create_cases=True, not_after=date(2026, 3, 27))
    plan = plan_import([_invoice("Acme", "INV-1"), later], [], options)
    assert [note.draft.ref for note in plan.notes] == ["INV-1"]
    assert [(skip.what, skip.reason.split(",")[0]) for skip in plan.skipped] == [("INV-9", "dated 2026-03-28")]


def test_a_payment_naming_no_invoice_is_pointed_out_when_paid_amounts_are_imported(records):
    records.case("acme", "debtor: {name: Acme, kind: business}\nopened: 2026-01-01")
    records.note("acme", "p", "date: 2026-03-09\nkind: payment\namount: 50")
    indexes = [index_case(case) for case in load(records.root).cases]
    plan = plan_import([_invoice("Acme", "INV-1", paid=Decimal("50.00"))], indexes, OPTIONS)
    assert [note.what for note in plan.notes] == ["invoice", "payment"]
    assert len(plan.notices) == 1 and "£50.00 of payments that name no invoice" in plan.notices[0][1]
