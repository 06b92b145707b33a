"""Invariants of interest and compensation over generated cases (hypothesis).

The worked examples in test_interest.py pin the rules down; these check the
rules never contradict each other or section 7.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from arrears.ledger.compute import compute_case
from arrears.records.model import Interest, Note, Payment, Source
from test_ledger_properties import EXAMPLES, SETTINGS, START, _case, _without_case, corrections, notes, plans

RULES = [Interest("simple", Decimal("8")), Interest("late-payment-act"), Interest("simple", Decimal("12.5")),
         Interest("late-payment-act", start=START + timedelta(days=40)), Interest("late-payment-act", compensation=False)]
rules = st.sampled_from(RULES)
FAR = START + timedelta(days=400)


def _with(case, interest: Interest):
    return replace(case, interest=interest)


def _no_money(found: list[Note]) -> list[Note]:
    return [n for n in found if n.kind not in ("payment", "credit")]


@EXAMPLES
@given(found=notes(), plan_list=plans(), rule=rules, data=st.data())
def test_without_payments_interest_never_decreases_as_d_grows(found, plan_list, rule, data):
    case = _with(_case(_no_money(found), plan_list), rule)
    first = START + timedelta(days=data.draw(st.integers(0, 300)))
    later = first + timedelta(days=data.draw(st.integers(0, 100)))
    a, b = compute_case(case, SETTINGS, first), compute_case(case, SETTINGS, later)
    # a plan agreed in between takes interest over (it stays counted), never gives it back
    assert a.totals.interest <= b.totals.interest
    assert a.totals.compensation <= b.totals.compensation


@EXAMPLES
@given(found=notes(), plan_list=plans(), rule=rules, data=st.data())
def test_a_payment_never_increases_interest(found, plan_list, rule, data):
    """Under a plan, or with none. A payment dated before a plan's `agreed` is another matter: it
    lowers the plan's default amount (the balance from everything dated before `agreed`), while
    the money may settle an item dated on or after `agreed` that falls due sooner (section 7's
    oldest-due-first order), so the plan can cover less of what is left and an invoice it no
    longer covers earns compensation or interest (found by hypothesis; section 10 reads so)."""
    case = _with(_case(found, plan_list), rule)
    earliest = max((p.agreed for p in plan_list), default=START)
    day = max(START + timedelta(days=data.draw(st.integers(0, 300))), earliest)
    amount = Decimal(data.draw(st.integers(1, 500_000))).scaleb(-2)
    paid = Note("zz-pay", "c", "payment", day, None, Payment(amount), Source("zz-pay.md"))
    more = _with(_case(found + [paid], plan_list), rule)
    as_of = day + timedelta(days=data.draw(st.integers(0, 200)))
    before, after = compute_case(case, SETTINGS, as_of), compute_case(more, SETTINGS, as_of)
    assert after.totals.interest <= before.totals.interest
    assert after.totals.compensation <= before.totals.compensation


@EXAMPLES
@given(found=notes(), plan_list=plans(), data=st.data())
def test_the_interest_path_at_no_rate_changes_no_figure_of_section_7(found, plan_list, data):
    found += data.draw(corrections(found))
    case = _case(found, plan_list)
    as_of = START + timedelta(days=data.draw(st.integers(0, 300)))
    plain = compute_case(case, SETTINGS, as_of)
    zero = compute_case(_with(case, Interest("simple", Decimal("0"), compensation=False)), SETTINGS, as_of)
    assert _without_case(plain) == _without_case(zero)
    assert (plain.totals.interest, plain.totals.compensation, plain.charges) == (0, 0, ())


@EXAMPLES
@given(found=notes(last=120), later=notes(first=121, last=300, prefix="z"), plan_list=plans(last=120),
       later_plans=plans(first=121, last=300), rule=rules, data=st.data())
def test_events_after_d_change_nothing_as_of_d(found, later, plan_list, later_plans, rule, data):
    as_of = START + timedelta(days=120)
    later += data.draw(corrections(found + later, last=300))
    later = [n for n in later if n.date > as_of]
    later_plans = [replace(p, id=f"later-{p.id}") for p in later_plans]
    plain = compute_case(_with(_case(found, plan_list), rule), SETTINGS, as_of)
    more = compute_case(_with(_case(found + later, plan_list + later_plans), rule), SETTINGS, as_of)
    assert _without_case(plain) == _without_case(more)


@EXAMPLES
@given(found=notes(), plan_list=plans(), rule=rules, data=st.data())
def test_balance_is_invoiced_plus_fees_plus_interest_plus_compensation_minus_credits_minus_paid(
        found, plan_list, rule, data):
    found += data.draw(corrections(found))
    f = compute_case(_with(_case(found, plan_list), rule), SETTINGS, START + timedelta(days=data.draw(
        st.integers(0, 400))))
    t = f.totals
    assert t.balance == t.invoiced + t.fees + t.interest + t.compensation - t.credits - t.paid
    assert t.interest == sum((c.amount for c in f.charges if c.kind == "interest"), Decimal(0))
    unsettled = sum((i.unsettled for i in f.items), Decimal(0))
    assert unsettled == max(f.balance, Decimal(0))
    assert all(0 <= i.settled <= i.amount for i in f.items)
    assert f.overdue == sum((i.unsettled for i in f.items if i.due < f.as_of), Decimal(0))
    if f.plan is not None:
        assert f.plan.amount == max(f.plan.basis, Decimal(0))
