"""Spec 7.5 worked by hand: the early-settlement discount on its if_paid_by day and the day after."""

from datetime import date

from ledger_helpers import D, figures, invoice, payment


def _plan_with_discount(records, discount: str):
    """1,000.00 owed; 4 monthly payments from 1 April, or less if settled early."""
    records.case("acme")
    invoice(records, "i1", "2026-01-20", "INV-1", "1000.00", "2026-02-19")
    records.plan("acme", "plan", f"""
        agreed: 2026-03-10
        schedule: {{start: 2026-04-01, every: month, count: 4}}
        discount: {discount}
    """)


def test_paid_on_the_if_paid_by_day_earns_the_discount(records):
    _plan_with_discount(records, "{percent: 5, if_paid_by: 2026-04-30}")
    payment(records, "p1", "2026-04-01", "250.00")
    payment(records, "p2", "2026-04-30", "700.00")  # 950 = 1000 - 5%
    f = figures(records, "2026-04-30")
    assert (f.plan.status, f.plan.discount, f.plan.discount_on) == ("completed", D("50.00"), date(2026, 4, 30))
    assert (f.totals.credits, f.totals.paid, f.balance, f.state) == (D("50.00"), D("950.00"), 0, "settled")
    assert [i.state for i in f.plan.installments] == ["paid"] * 4
    assert f.history[-1].balance == 0 and f.history[-1].paid == D("700.00")


def test_paid_the_day_after_earns_nothing(records):
    _plan_with_discount(records, "{percent: 5, if_paid_by: 2026-04-30}")
    payment(records, "p1", "2026-04-01", "250.00")
    payment(records, "p2", "2026-05-01", "700.00")
    f = figures(records, "2026-05-01")
    assert (f.plan.discount, f.plan.discount_on, f.totals.credits) == (0, None, 0)
    assert f.plan.status == "on-track" and f.balance == D("50.00")
    assert [i.paid for i in f.plan.installments] == [D("250.00")] * 3 + [D("200.00")]


def test_the_discount_is_not_earned_before_d_reaches_the_payment(records):
    _plan_with_discount(records, "{percent: 5, if_paid_by: 2026-04-30}")
    payment(records, "p", "2026-04-20", "950.00")
    assert figures(records, "2026-04-19").plan.discount == 0
    assert figures(records, "2026-04-20").plan.discount == D("50.00")


def test_percent_is_rounded_half_up_to_minor_units(records):
    records.case("acme")
    invoice(records, "i1", "2026-01-20", "INV-1", "1000.10", "2026-02-19")
    records.plan("acme", "plan", """
        agreed: 2026-03-10
        schedule: {start: 2026-04-01, every: month, count: 2}
        discount: {percent: 7.5, if_paid_by: 2026-04-30}
    """)
    payment(records, "p", "2026-04-10", "925.09")  # 1000.10 - 75.01 (7.5% = 75.0075, half up)
    f = figures(records, "2026-04-30")
    assert f.plan.discount == D("75.01") and f.balance == 0
    payment(records, "p", "2026-04-10", "925.08")
    assert figures(records, "2026-04-30").plan.discount == 0


def test_a_fixed_discount_amount(records):
    _plan_with_discount(records, "{amount: 100, if_paid_by: 2026-04-30}")
    payment(records, "p", "2026-04-10", "900")
    f = figures(records, "2026-06-01")
    assert (f.plan.discount, f.plan.status, f.balance, f.state) == (D("100.00"), "completed", 0, "settled")


def test_credits_since_agreed_count_towards_the_discount_and_money_before_agreed_does_not(records):
    _plan_with_discount(records, "{percent: 10, if_paid_by: 2026-04-30}")
    payment(records, "early", "2026-03-01", "100.00")  # before agreed: the plan covers 900
    records.note("acme", "credit", "date: 2026-03-20\nkind: credit\namount: 10\nreason: goodwill")
    payment(records, "p", "2026-04-30", "800.00")  # 800 + 10 = 810 = 900 - 90
    f = figures(records, "2026-04-30")
    assert f.plan.amount == D("900.00") and f.plan.discount == D("90.00") and f.balance == 0


def test_paying_more_than_needed_leaves_the_debtor_in_credit_by_the_overpayment(records):
    _plan_with_discount(records, "{percent: 5, if_paid_by: 2026-04-30}")
    payment(records, "p", "2026-04-10", "1000.00")
    f = figures(records, "2026-04-30")
    assert f.plan.discount == D("50.00") and f.balance == D("-50.00") and f.state == "settled"


def test_a_discount_earned_under_a_superseded_plan_stays_earned(records):
    _plan_with_discount(records, "{percent: 5, if_paid_by: 2026-04-30}")
    payment(records, "p", "2026-04-10", "950.00")
    invoice(records, "i2", "2026-05-02", "INV-2", "300.00", "2026-06-01")
    records.plan("acme", "plan2", """
        agreed: 2026-06-10
        supersedes: plan
        schedule: {start: 2026-07-01, every: month, count: 3}
    """)
    f = figures(records, "2026-06-10")
    assert f.plan.plan.id == "plan2" and f.plan.amount == D("300.00")
    assert f.totals.credits == D("50.00") and f.balance == D("300.00")
