"""The worked example of docs/ledger.md, so the documentation cannot drift from the code; and a yen plan."""

from datetime import date

from ledger_helpers import D, figures, invoice, payment, spec_example


def test_as_of_1_may_in_plan_on_track(records):
    spec_example(records)
    f = figures(records, "2026-05-01", "acme-bakery")
    assert (f.state, f.balance, f.overdue, f.next_due.date, f.next_due.amount) == (
        "in-plan", D("850.00"), 0, date(2026, 5, 1), D("200.00"))
    assert [i.due for i in f.plan.installments] == [
        date(2026, 4, 3), date(2026, 4, 17), date(2026, 5, 1), date(2026, 5, 15), date(2026, 5, 29),
        date(2026, 6, 12)]


def test_as_of_16_may_one_installment_missed(records):
    spec_example(records)
    f = figures(records, "2026-05-16", "acme-bakery")
    assert (f.state, f.plan.status, f.plan.missed) == ("plan-behind", "behind", 1)
    assert [i.state for i in f.plan.installments[2:4]] == ["missed", "due"]
    assert (f.overdue, f.days_past_due) == (D("400.00"), 15)
    assert (f.aging["1-30"], f.aging["current"]) == (D("400.00"), D("450.00"))
    assert (f.next_due.date, f.next_due.amount) == (date(2026, 5, 20), D("50.00"))


def test_a_payment_on_18_may_catches_up_in_due_order(records):
    spec_example(records)
    payment(records, "2026-05-18-payment", "2026-05-18", "450.00", case_id="acme-bakery")
    f = figures(records, "2026-05-18", "acme-bakery")
    assert [i.paid for i in f.plan.installments] == [D("200.00")] * 4 + [D("50.00"), D("0")]
    assert (f.plan.status, f.state, f.overdue, f.balance) == ("on-track", "in-plan", 0, D("400.00"))
    (inv2,) = [i for i in f.items if i.label == "INV-2"]
    assert inv2.settled == 0


def test_applies_to_a_debt_outside_the_plan_pays_it_first(records):
    spec_example(records)
    payment(records, "2026-05-18-payment", "2026-05-18", "450.00", "applies_to: INV-2", case_id="acme-bakery")
    f = figures(records, "2026-05-18", "acme-bakery")
    (inv2,) = [i for i in f.items if i.label == "INV-2"]
    assert inv2.unsettled == 0
    assert [i.paid for i in f.plan.installments] == [D("200.00")] * 4 + [D("0")] * 2


def test_a_yen_plan_splits_whole_yen_and_the_last_takes_the_remainder(records):
    records.case("tanaka", """
        debtor: {name: Tanaka Shoten, kind: business}
        currency: JPY
        opened: 2026-01-15
    """)
    invoice(records, "i1", "2026-01-15", "T-1", "100000", "2026-02-14", case_id="tanaka")
    records.plan("tanaka", "plan", """
        agreed: 2026-03-01
        schedule: {start: 2026-03-31, every: month, count: 3}
        discount: {percent: 2.5, if_paid_by: 2026-03-31}
    """)
    f = figures(records, "2026-03-01", "tanaka")
    assert [(i.due, str(i.amount)) for i in f.plan.installments] == [
        (date(2026, 3, 31), "33333"), (date(2026, 4, 30), "33333"), (date(2026, 5, 31), "33334")]
    payment(records, "p", "2026-03-31", "97500", case_id="tanaka")  # 2.5% of 100,000 yen = 2,500 yen
    f = figures(records, "2026-03-31", "tanaka")
    assert (str(f.plan.discount), f.plan.status, f.balance) == ("2500", "completed", 0)
