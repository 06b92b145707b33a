"""Invariants of the ledger, over generated cases (hypothesis, at most 100 examples each).

Cases are built as records in memory (no files) so each example is fast;
the worked examples in the other test_ledger_* files pin down the rules,
these make sure the rules never contradict each other.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.ledger.figures import CaseFigures
from arrears.ledger.compute import compute_case, plan_basis
from arrears.records.model import (
    Case, Credit, Debtor, Discount, Fee, Invoice, Note, Payment, Plan, Promise, Schedule, Settings, Source,
)

START = date(2026, 1, 1)
SETTINGS = Settings()
EXAMPLES = settings(max_examples=100, deadline=None)


def _money(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


@st.composite
def notes(draw, first: int = 0, last: int = 200, prefix: str = "n") -> list[Note]:
    """Invoices, fees, payments and credits on days `first`..`last` after START, some with promises."""
    found: list[Note] = []
    for n in range(draw(st.integers(0, 12))):
        kind = draw(st.sampled_from(["invoice", "invoice", "fee", "payment", "payment", "credit"]))
        day = START + timedelta(days=draw(st.integers(first, last)))
        amount = _money(draw(st.integers(1, 200_000)))
        note_id = f"{prefix}{n:02d}"
        refs = [x.detail.ref for x in found if isinstance(x.detail, Invoice)]
        if kind == "invoice":
            detail = Invoice(f"{prefix}R{n}", amount, day + timedelta(days=draw(st.integers(0, 60))), day)
        elif kind == "fee":
            detail = Fee(amount, "Fee")
        elif kind == "payment":
            applies_to = draw(st.sampled_from(refs)) if refs and draw(st.booleans()) else None
            detail = Payment(amount, applies_to=applies_to)
        else:
            detail = Credit(amount, "goodwill")
        promise = None
        if draw(st.integers(0, 4)) == 0:
            promise = Promise(_money(draw(st.integers(1, 100_000))), day + timedelta(days=draw(st.integers(0, 30))))
        found.append(Note(note_id, "c", kind, day, None, detail, Source(f"{note_id}.md"), promise=promise))
    return found


@st.composite
def corrections(draw, targets: list[Note], last: int = 200) -> list[Note]:
    found = []
    for n, target in enumerate(draw(st.lists(st.sampled_from(targets), max_size=2, unique_by=lambda t: t.id))
                               if targets else []):
        day = target.date + timedelta(days=draw(st.integers(0, 30)))
        if (day - START).days > last:
            continue
        found.append(Note(f"x{n}", "c", "note", day, None, None, Source(f"x{n}.md"), corrects=target.id))
    return found


@st.composite
def plans(draw, first: int = 0, last: int = 200) -> list[Plan]:
    found = []
    for n in range(draw(st.integers(0, 2))):
        agreed = START + timedelta(days=draw(st.integers(first, last)))
        every = draw(st.sampled_from(["week", "fortnight", "month", "quarter"]))
        start = agreed + timedelta(days=draw(st.integers(0, 40)))
        if draw(st.booleans()):
            rule = Schedule(start, every, count=draw(st.integers(1, 8)))
        else:
            rule = Schedule(start, every, installment=_money(draw(st.integers(1_000, 100_000))))
        discount = None
        if draw(st.integers(0, 2)) == 0:
            discount = Discount(agreed + timedelta(days=draw(st.integers(0, 90))),
                                percent=Decimal(draw(st.integers(1, 20))))
        found.append(Plan(f"p{n}", "c", agreed, Source(f"p{n}.md"), schedule=rule, discount=discount,
                          grace_days=draw(st.integers(0, 10)), broken_after=draw(st.integers(1, 3))))
    return found


@st.composite
def cases(draw) -> Case:
    found = draw(notes())
    found += draw(corrections(found))
    return _case(found, draw(plans()))


def _case(found: list[Note], plan_list: list[Plan]) -> Case:
    return Case("c", Debtor("Debtor", "business"), "GBP", START, Source("case.md"),
                notes=tuple(sorted(found, key=lambda n: n.sort_key)),
                plans=tuple(sorted(plan_list, key=lambda p: p.sort_key)))


def _as_of(draw) -> date:
    return START + timedelta(days=draw(st.integers(0, 260)))


def _without_case(figures: CaseFigures) -> CaseFigures:
    return replace(figures, case=None)  # type: ignore[arg-type]


@EXAMPLES
@given(case=cases(), data=st.data())
def test_balance_is_invoiced_plus_fees_minus_credits_minus_paid(case, data):
    f = compute_case(case, SETTINGS, _as_of(data.draw))
    t = f.totals
    assert t.balance == t.invoiced + t.fees - t.credits - t.paid
    assert not f.history or f.history[-1].balance == t.balance


@EXAMPLES
@given(case=cases(), data=st.data())
def test_aging_buckets_sum_to_the_unsettled_total_which_is_the_balance_owed(case, data):
    f = compute_case(case, SETTINGS, _as_of(data.draw))
    unsettled = sum((i.unsettled for i in f.items), Decimal(0))
    assert sum(f.aging.values(), Decimal(0)) == unsettled
    assert unsettled == max(f.balance, Decimal(0))
    assert all(0 <= i.settled <= i.amount for i in f.items)
    assert f.overdue == sum((i.unsettled for i in f.items if i.due < f.as_of), Decimal(0))


@EXAMPLES
@given(case=cases(), data=st.data())
def test_installments_sum_to_the_plan_amount(case, data):
    f = compute_case(case, SETTINGS, _as_of(data.draw))
    if f.plan is not None:
        assert sum((i.amount for i in f.plan.installments), Decimal(0)) == f.plan.amount
        assert f.plan.amount == max(f.plan.basis, Decimal(0))


@EXAMPLES
@given(found=notes(last=120), later=notes(first=121, last=300, prefix="z"), plan_list=plans(last=120),
       later_plans=plans(first=121, last=300), data=st.data())
def test_nothing_dated_after_d_changes_a_result(found, later, plan_list, later_plans, data):
    as_of = START + timedelta(days=120)
    later += data.draw(corrections(found + later, last=300))
    later = [n for n in later if n.date > as_of]
    later_plans = [replace(p, id=f"later-{p.id}") for p in later_plans]
    plain = compute_case(_case(found, plan_list), SETTINGS, as_of)
    more = compute_case(_case(found + later, plan_list + later_plans), SETTINGS, as_of)
    assert _without_case(plain) == _without_case(more)


@EXAMPLES
@given(case=cases(), seed=st.integers(0, 2**32), data=st.data())
def test_file_order_never_matters(case, seed, data):
    as_of = _as_of(data.draw)
    shuffled_notes, shuffled_plans = list(case.notes), list(case.plans)
    random.Random(seed).shuffle(shuffled_notes)
    random.Random(seed).shuffle(shuffled_plans)
    shuffled = replace(case, notes=tuple(shuffled_notes), plans=tuple(shuffled_plans))
    assert _without_case(compute_case(case, SETTINGS, as_of)) == _without_case(compute_case(shuffled, SETTINGS, as_of))


@EXAMPLES
@given(found=notes(), data=st.data())
def test_a_plan_for_part_of_the_balance_covers_exactly_that_part(found, data):
    agreed = START + timedelta(days=data.draw(st.integers(0, 200)))
    plan = Plan("p", "c", agreed, Source("p.md"), schedule=Schedule(agreed, "month", count=3))
    case = _case(found, [plan])
    basis = plan_basis(case, plan, agreed)
    if basis <= 0:
        return
    share = (basis * data.draw(st.integers(1, 100)) / 100).quantize(Decimal("0.01"))
    part = replace(plan, amount=max(share, Decimal("0.01")))
    f = compute_case(_case(found, [part]), SETTINGS, START + timedelta(days=260))
    assert f.plan.basis == basis and f.plan.amount == part.amount
    debts = f.totals.invoiced + f.totals.fees
    assert sum((i.amount for i in f.items if i.kind != "installment"), Decimal(0)) == debts - part.amount
    assert sum((i.unsettled for i in f.items), Decimal(0)) == max(f.balance, Decimal(0))
