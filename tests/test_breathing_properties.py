"""Invariants of a breathing space over generated cases (hypothesis), with the hold passed in directly.

However the records look, a breathing space only ever takes interest and
compensation away, never moves the money recorded (invoiced, fees, paid),
and makes the state `breathing-space` exactly when D is inside it and the
case is neither closed nor settled.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from arrears.ledger.compute import compute_case
from test_interest_properties import RULES
from test_ledger_properties import EXAMPLES, SETTINGS, START, _case, notes, plans


@EXAMPLES
@given(found=notes(), plan_list=plans(), rule=st.sampled_from(RULES), data=st.data())
def test_a_hold_never_adds_interest_and_never_moves_recorded_money(found, plan_list, rule, data):
    case = replace(_case(found, plan_list), interest=rule)
    start = START + timedelta(days=data.draw(st.integers(0, 200)))
    end = start + timedelta(days=data.draw(st.integers(0, 90)))
    as_of = START + timedelta(days=data.draw(st.integers(0, 320)))
    free = compute_case(case, SETTINGS, as_of, holds=())
    held = compute_case(case, SETTINGS, as_of, holds=((start, end),))
    assert held.totals.interest <= free.totals.interest
    assert held.totals.compensation <= free.totals.compensation
    assert (held.totals.invoiced, held.totals.fees, held.totals.paid) == (
        free.totals.invoiced, free.totals.fees, free.totals.paid)
    inside = start <= as_of <= end
    if free.state not in ("closed", "settled") and held.state not in ("closed", "settled"):
        assert (held.state == "breathing-space") == inside
    if inside:
        assert held.interest_daily == 0
