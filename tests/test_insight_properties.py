"""Invariants of the insight figures over generated cases (hypothesis), with the ledger's strategies."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from arrears.ledger.compute import compute_case
from arrears.ledger.insight import combine, contribution
from arrears.ledger.periods import Dates
from arrears.ledger.timeline import positions
from arrears.records.model import Interest, Note, Payment, Source

from test_ledger_properties import EXAMPLES, SETTINGS, START, _case, cases, corrections, notes, plans


def _as_of(draw) -> date:
    return START + timedelta(days=draw(st.integers(0, 260)))


def _insight(case, as_of: date):
    return combine(as_of, [contribution(case, SETTINGS, as_of)])


def _days(value) -> Decimal:
    """DSO as a number to compare: ">365" is more than any count of days."""
    return Decimal("Infinity") if value == ">365" else value


@EXAMPLES
@given(case=cases(), data=st.data())
def test_scheduled_is_at_least_expected_which_is_at_least_zero(case, data):
    as_of = _as_of(data.draw)
    for week in _insight(case, as_of).currencies["GBP"].forecast:
        assert week.scheduled >= week.expected >= 0


@EXAMPLES
@given(case=cases(), data=st.data())
def test_adding_a_payment_never_raises_dso(case, data):
    as_of = _as_of(data.draw)
    day = START + timedelta(days=data.draw(st.integers(0, (as_of - START).days)))
    cents = data.draw(st.integers(1, 500_000))
    paid = Note("zz-pay", "c", "payment", day, None, Payment(Decimal(cents).scaleb(-2)), Source("zz-pay.md"))
    more = replace(case, notes=tuple(sorted((*case.notes, paid), key=lambda n: n.sort_key)))
    before, after = _insight(case, as_of).currencies["GBP"], _insight(more, as_of).currencies["GBP"]
    assert _days(after.dso_count_back) <= _days(before.dso_count_back)
    assert (after.dso_standard is None) == (before.dso_standard is None)
    if before.dso_standard is not None:
        assert after.dso_standard <= before.dso_standard


@EXAMPLES
@given(found=notes(last=120), later=notes(first=121, last=300, prefix="z"), plan_list=plans(last=120),
       later_plans=plans(first=121, last=300), data=st.data())
def test_figures_as_of_d_ignore_events_after_d(found, later, plan_list, later_plans, data):
    as_of = START + timedelta(days=120)
    later += data.draw(corrections(found + later, last=300))
    later = [n for n in later if n.date > as_of]
    later_plans = [replace(p, id=f"later-{p.id}") for p in later_plans]
    plain = _insight(_case(found, plan_list), as_of)
    more = _insight(_case(found + later, plan_list + later_plans), as_of)
    assert plain == more


@EXAMPLES
@given(case=cases(), interest=st.booleans(), data=st.data())
def test_the_walk_along_the_dates_gives_what_the_ledger_gives_at_each_date(case, interest, data):
    """Computing once per change of the money records is exact: the same as computing at every date
    (and a case accruing interest, whose items grow by the day, is computed at every date)."""
    if interest:
        case = replace(case, interest=Interest("simple", Decimal(8)))
    as_of = _as_of(data.draw)
    days = Dates.of(as_of).balances
    walked = positions(case, SETTINGS, days, compute_case(case, SETTINGS, as_of))
    for day in days:
        figures = compute_case(case, SETTINGS, day)
        position = walked[day]
        assert (position.balance, position.overdue, position.aging, position.items) == (
            figures.balance, figures.overdue, figures.aging, figures.items)
