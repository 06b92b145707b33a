"""Installments from a plan: dates by calendar rules, amounts split exactly."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.records.model import Installment, Plan, Schedule, Source
from arrears.ledger.schedule import add_months, from_rule, installments, nth_date, plan_amount


def _plan(**fields) -> Plan:
    return Plan(id="p", case="c", agreed=date(2026, 1, 10), source=Source("p.md"), **fields)


def _dates(start: date, every: str, count: int) -> list[date]:
    return [part.due for part in from_rule(Schedule(start, every, count=count), Decimal("100"), "GBP")]


def test_monthly_from_the_31st_clamps_to_each_months_end_and_returns_to_the_31st():
    assert _dates(date(2026, 1, 31), "month", 5) == [
        date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30), date(2026, 5, 31)]


def test_monthly_from_the_31st_in_a_leap_year_gives_the_29th_of_february():
    assert _dates(date(2028, 1, 31), "month", 3) == [date(2028, 1, 31), date(2028, 2, 29), date(2028, 3, 31)]


def test_monthly_from_the_30th_and_29th():
    assert _dates(date(2026, 1, 30), "month", 3) == [date(2026, 1, 30), date(2026, 2, 28), date(2026, 3, 30)]
    assert _dates(date(2026, 1, 29), "month", 3) == [date(2026, 1, 29), date(2026, 2, 28), date(2026, 3, 29)]
    assert _dates(date(2028, 1, 29), "month", 2) == [date(2028, 1, 29), date(2028, 2, 29)]


def test_monthly_crosses_the_year_end():
    assert _dates(date(2026, 11, 30), "month", 4) == [
        date(2026, 11, 30), date(2026, 12, 30), date(2027, 1, 30), date(2027, 2, 28)]


def test_weekly_fortnightly_and_quarterly():
    assert _dates(date(2026, 2, 26), "week", 3) == [date(2026, 2, 26), date(2026, 3, 5), date(2026, 3, 12)]
    assert _dates(date(2028, 2, 22), "fortnight", 3) == [date(2028, 2, 22), date(2028, 3, 7), date(2028, 3, 21)]
    assert _dates(date(2026, 11, 30), "quarter", 4) == [
        date(2026, 11, 30), date(2027, 2, 28), date(2027, 5, 30), date(2027, 8, 30)]


def test_count_splits_equally_and_the_last_takes_the_remainder():
    parts = from_rule(Schedule(date(2026, 4, 1), "month", count=3), Decimal("100.00"), "GBP")
    assert [p.amount for p in parts] == [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]


def test_count_in_yen_splits_whole_yen():
    parts = from_rule(Schedule(date(2026, 4, 1), "month", count=3), Decimal("10000"), "JPY")
    assert [str(p.amount) for p in parts] == ["3333", "3333", "3334"]


def test_installment_size_repeats_until_covered_and_the_last_is_smaller():
    parts = from_rule(Schedule(date(2026, 4, 1), "week", installment=Decimal("200.00")), Decimal("850.00"), "GBP")
    assert [p.amount for p in parts] == [Decimal("200.00")] * 4 + [Decimal("50.00")]
    assert parts[-1].due == date(2026, 4, 29)


def test_installment_size_that_divides_exactly_has_no_stub():
    parts = from_rule(Schedule(date(2026, 4, 1), "week", installment=Decimal("200")), Decimal("600.00"), "GBP")
    assert [p.amount for p in parts] == [Decimal("200.00")] * 3


def test_explicit_list_is_used_in_due_order_and_covers_its_total_without_amount():
    listed = (Installment(date(2026, 5, 1), Decimal("300")), Installment(date(2026, 4, 1), Decimal("100")))
    plan = _plan(installments=listed)
    assert plan_amount(plan, Decimal("999")) == Decimal("400")
    assert [p.due for p in installments(plan, Decimal("400"), "GBP")] == [date(2026, 4, 1), date(2026, 5, 1)]


def test_rule_without_amount_covers_the_balance_before_agreed_and_never_below_zero():
    plan = _plan(schedule=Schedule(date(2026, 4, 1), "month", count=2))
    assert plan_amount(plan, Decimal("500.00")) == Decimal("500.00")
    assert plan_amount(plan, Decimal("-20.00")) == 0
    assert installments(plan, Decimal(0), "GBP") == ()
    assert plan_amount(_plan(amount=Decimal("300"), schedule=plan.schedule), Decimal("500")) == Decimal("300")


def test_unknown_period_is_a_bug_not_a_date():
    with pytest.raises(ValueError):
        nth_date(date(2026, 1, 1), "year", 1)


@settings(max_examples=100)
@given(start=st.dates(date(2000, 1, 1), date(2090, 12, 31)), months=st.integers(0, 240))
def test_add_months_keeps_the_day_or_the_months_last_day(start, months):
    moved = add_months(start, months)
    assert (moved.year * 12 + moved.month) - (start.year * 12 + start.month) == months
    assert moved.day == start.day or (moved.day < start.day and (moved + timedelta(days=1)).day == 1)


@settings(max_examples=100)
@given(
    cents=st.integers(1, 10_000_000),
    count=st.integers(1, 60),
    size_cents=st.integers(1, 1_000_000),
    every=st.sampled_from(["week", "fortnight", "month", "quarter"]),
    currency=st.sampled_from(["GBP", "JPY"]),
)
def test_installments_sum_to_the_plan_amount_in_due_order(cents, count, size_cents, every, currency):
    exponent = -2 if currency == "GBP" else 0
    amount = Decimal(cents).scaleb(exponent)
    size = Decimal(size_cents).scaleb(exponent)
    for rule in (Schedule(date(2026, 1, 31), every, count=count),
                 Schedule(date(2026, 1, 31), every, installment=size)):
        if rule.installment is not None and amount / size > 500:
            continue
        parts = from_rule(rule, amount, currency)
        assert sum(p.amount for p in parts) == amount
        assert all(p.amount > 0 or amount < count for p in parts)
        assert [p.due for p in parts] == sorted(p.due for p in parts)
        assert len({p.due for p in parts}) == len(parts)
