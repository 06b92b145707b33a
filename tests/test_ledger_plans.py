"""Spec 7.3 and 7.4 worked by hand: what a plan covers, installments due and missed, plan status."""

from datetime import date

from ledger_helpers import D, figures, invoice, payment


def _monthly_plan(records, grace: int = 7, broken_after: int = 2):
    """1,000.00 owed since February; a plan of 4 x 250.00 from 1 April, agreed 10 March."""
    records.case("acme")
    invoice(records, "i1", "2026-01-20", "INV-1", "1000.00", "2026-02-19")
    records.plan("acme", "2026-03-10-plan", f"""
        agreed: 2026-03-10
        schedule: {{start: 2026-04-01, every: month, count: 4}}
        grace_days: {grace}
        broken_after: {broken_after}
    """)


def test_plan_replaces_the_debts_it_covers(records):
    _monthly_plan(records)
    f = figures(records, "2026-03-20")
    assert f.plan.amount == D("1000.00") and f.plan.basis == D("1000.00")
    assert [(i.kind, i.label, i.due, i.amount) for i in f.items] == [
        ("installment", "Installment 1 of 4", date(2026, 4, 1), D("250.00")),
        ("installment", "Installment 2 of 4", date(2026, 5, 1), D("250.00")),
        ("installment", "Installment 3 of 4", date(2026, 6, 1), D("250.00")),
        ("installment", "Installment 4 of 4", date(2026, 7, 1), D("250.00")),
    ]
    # the invoice was overdue before the plan; under the plan nothing is
    assert figures(records, "2026-03-09").overdue == D("1000.00")
    assert f.overdue == 0 and f.aging["current"] == D("1000.00")
    assert (f.state, f.plan.status) == ("in-plan", "on-track")
    assert f.next_due.date == date(2026, 4, 1) and f.next_due.amount == D("250.00")


def test_grace_day_boundary(records):
    _monthly_plan(records, grace=7)
    on_due = figures(records, "2026-04-01").plan
    last_grace_day = figures(records, "2026-04-08").plan
    after_grace = figures(records, "2026-04-09").plan
    assert on_due.installments[0].state == "due" and on_due.status == "on-track"
    assert last_grace_day.installments[0].state == "due" and last_grace_day.missed == 0
    assert after_grace.installments[0].state == "missed" and after_grace.status == "behind"
    assert figures(records, "2026-04-09").state == "plan-behind"
    assert figures(records, "2026-03-31").plan.installments[0].state == "upcoming"


def test_grace_days_zero_misses_the_day_after(records):
    _monthly_plan(records, grace=0)
    assert figures(records, "2026-04-01").plan.missed == 0
    assert figures(records, "2026-04-02").plan.missed == 1


def test_behind_then_broken_then_recovered(records):
    _monthly_plan(records)
    assert figures(records, "2026-04-09").plan.status == "behind"
    broken = figures(records, "2026-05-09")
    assert (broken.plan.missed, broken.plan.status, broken.state) == (2, "broken", "plan-broken")
    payment(records, "catch-up", "2026-05-10", "400.00")  # installment 1 in full, 150 of installment 2
    partly = figures(records, "2026-05-10")
    assert [i.state for i in partly.plan.installments] == ["paid", "missed", "upcoming", "upcoming"]
    assert partly.plan.installments[0].settled_on == date(2026, 5, 10)
    assert partly.plan.installments[1].paid == D("150.00")
    assert (partly.plan.status, partly.state) == ("behind", "plan-behind")
    payment(records, "rest", "2026-05-12", "100.00")  # installment 2 now paid in full: no longer missed
    recovered = figures(records, "2026-05-12")
    assert (recovered.plan.missed, recovered.plan.paid, recovered.plan.status) == (0, 2, "on-track")
    assert recovered.state == "in-plan"


def test_completed_plan(records):
    _monthly_plan(records)
    for n, day in enumerate(["2026-04-01", "2026-05-01", "2026-06-01", "2026-07-01"]):
        payment(records, f"p{n}", day, "250.00")
    f = figures(records, "2026-07-01")
    assert (f.plan.status, f.plan.paid, f.plan.total, f.state, f.balance) == ("completed", 4, 4, "settled", 0)


def test_money_before_agreed_settles_debts_and_lowers_what_the_plan_covers(records):
    _monthly_plan(records)
    payment(records, "early", "2026-03-01", "200.00")
    f = figures(records, "2026-03-10")
    assert f.plan.basis == D("800.00") and f.plan.amount == D("800.00")
    assert [i.amount for i in f.plan.installments] == [D("200.00")] * 4
    assert f.plan.installments[0].paid == 0


def test_a_plan_covering_part_of_the_balance_leaves_the_rest_on_its_own_due_date(records):
    records.case("acme")
    invoice(records, "i1", "2026-01-02", "INV-1", "600.00", "2026-02-01")
    invoice(records, "i2", "2026-02-01", "INV-2", "400.00", "2026-03-01")
    records.plan("acme", "plan", """
        agreed: 2026-03-10
        amount: 700.00
        schedule: {start: 2026-04-01, every: month, installment: 350}
    """)
    payment(records, "p1", "2026-04-01", "350.00")
    f = figures(records, "2026-04-15")
    # the plan takes INV-1 (600) and the oldest 100 of INV-2; 300 of INV-2 stays due on 1 March
    (left,) = [i for i in f.items if i.kind == "invoice"]
    assert (left.label, left.due, left.amount, left.covered, left.unsettled) == (
        "INV-2", date(2026, 3, 1), D("300.00"), D("100.00"), D("300.00"))
    assert f.overdue == D("300.00") and f.days_past_due == 45
    assert [i.state for i in f.plan.installments] == ["paid", "upcoming"]
    assert f.state == "in-plan" and f.balance == D("650.00")
    payment(records, "p2", "2026-05-01", "450.00")  # 350 to the plan, then 100 to INV-2
    f = figures(records, "2026-05-01")
    assert f.plan.status == "completed" and f.overdue == D("200.00") and f.state == "overdue"


def test_debts_dated_on_or_after_agreed_stay_items_and_wait_for_the_plan(records):
    _monthly_plan(records)
    records.note("acme", "fee", "date: 2026-03-10\nkind: fee\namount: 30\nreason: Plan set-up fee")
    payment(records, "p1", "2026-04-01", "280.00")  # the plan first: 250 to installment 1, 30 to installment 2
    f = figures(records, "2026-03-10")
    assert f.plan.amount == D("1000.00")
    assert [i.label for i in f.items if i.kind == "fee"] == ["Plan set-up fee"]
    f = figures(records, "2026-04-01")
    assert [i.paid for i in f.plan.installments[:2]] == [D("250.00"), D("30.00")]
    assert f.overdue == D("30.00") and f.days_past_due == 22 and f.state == "in-plan"


def test_money_after_agreed_pays_installments_in_due_order_even_when_paid_ahead(records):
    _monthly_plan(records)
    payment(records, "big", "2026-03-15", "600.00")
    f = figures(records, "2026-03-15")
    assert [i.paid for i in f.plan.installments] == [D("250.00"), D("250.00"), D("100.00"), D("0")]
    assert [i.state for i in f.plan.installments] == ["paid", "paid", "upcoming", "upcoming"]
    assert f.plan.paid == 2 and f.plan.status == "on-track"


def test_explicit_installments_with_a_payment_holiday(records):
    records.case("acme")
    invoice(records, "i1", "2026-01-20", "INV-1", "500.00", "2026-02-19")
    records.plan("acme", "plan", """
        agreed: 2026-03-10
        installments:
          - {due: 2026-04-01, amount: 100}
          - {due: 2026-06-01, amount: 400}
    """)
    f = figures(records, "2026-05-20")
    assert [(i.due, i.amount, i.state) for i in f.plan.installments] == [
        (date(2026, 4, 1), D("100.00"), "missed"), (date(2026, 6, 1), D("400.00"), "upcoming")]
    assert f.plan.amount == D("500.00")


def test_a_later_plan_supersedes_an_earlier_one_from_its_agreed_date(records):
    _monthly_plan(records)
    payment(records, "p1", "2026-04-01", "250.00")
    records.plan("acme", "2026-05-20-plan", """
        agreed: 2026-05-20
        supersedes: 2026-03-10-plan
        schedule: {start: 2026-06-15, every: fortnight, count: 5}
    """)
    before = figures(records, "2026-05-19")
    assert before.plan.plan.id == "2026-03-10-plan" and before.plan.status == "behind"
    after = figures(records, "2026-05-20")
    assert after.plan.plan.id == "2026-05-20-plan"
    assert [p.id for p in after.superseded] == ["2026-03-10-plan"]
    assert after.plan.amount == D("750.00")
    assert [(i.due, i.amount) for i in after.plan.installments] == [
        (date(2026, 6, 15) + (date(2026, 6, 29) - date(2026, 6, 15)) * n, D("150.00")) for n in range(5)]
    assert (after.plan.status, after.state, after.overdue) == ("on-track", "in-plan", 0)


def test_plans_agreed_the_same_day_are_ordered_by_file_name(records):
    _monthly_plan(records)
    records.plan("acme", "2026-03-10-zz-revised", """
        agreed: 2026-03-10
        schedule: {start: 2026-04-15, every: week, count: 2}
    """)
    f = figures(records, "2026-03-10")
    assert f.plan.plan.id == "2026-03-10-zz-revised" and [p.id for p in f.superseded] == ["2026-03-10-plan"]
    assert [i.amount for i in f.plan.installments] == [D("500.00"), D("500.00")]


def test_a_plan_agreed_after_d_does_not_count(records):
    _monthly_plan(records)
    f = figures(records, "2026-03-09")
    assert f.plan is None and f.state == "overdue"
