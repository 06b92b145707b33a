"""Which debts the money has paid: allocation of payments and credits (spec 7.2, 7.3, 7.5).

Money is allocated as it arrives, in date order. Without a plan each
payment or credit first settles the invoice it `applies_to`, then the debts
oldest due date first. Under a plan the debts before `agreed` are settled
by the money before `agreed`; the plan then takes over the oldest unsettled
parts up to its amount, and money from `agreed` on goes to its installments
in due order, then to the other debts. An early-settlement discount, once
earned, is a credit on the day it was earned and settles like one.

Everything here is exact: amounts are only added and compared, never
rounded (the split into installments and the percent of a discount are
`money`'s job, through `schedule`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Iterable, Sequence

from arrears import money
from arrears.ledger import schedule
from arrears.ledger.figures import Item
from arrears.ledger.holds import Holds, first_day_outside
from arrears.records.model import Installment, Plan

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Debt:
    """An invoice or fee that counts as of D."""

    kind: str  # invoice | fee
    label: str
    dated: date  # the note's date: decides whether a plan covers it
    due: date
    amount: Decimal
    source: str  # note id
    ref: str | None = None  # invoice ref, for applies_to


@dataclass(frozen=True, slots=True)
class Money:
    """A payment, credit or earned discount that counts as of D."""

    kind: str  # payment | credit | discount
    dated: date
    order: tuple  # chronological key, never file order
    amount: Decimal
    source: str  # note id, or plan id for a discount
    applies_to: str | None = None


@dataclass(frozen=True, slots=True)
class Settled:
    """One installment after allocation: how much is settled and when it was completed."""

    due: date
    amount: Decimal
    settled: Decimal
    settled_on: date | None


@dataclass(frozen=True, slots=True)
class Track:
    """One debt or installment after allocation, with each sum of money that settled it and when.

    What the interest calculation reads: unsettled on day d is `amount`
    less the pieces dated on or before d (less `covered` from the plan's
    `agreed` on).
    """

    kind: str  # invoice | fee | installment
    label: str
    source: str
    ref: str | None
    dated: date
    due: date
    amount: Decimal
    covered: Decimal
    pieces: tuple[tuple[date, Decimal], ...]
    rate_due: date | None = None  # the due date the rate is read from, when a breathing space moved `due`

    @property
    def agreed_due(self) -> date:
        """The due date as agreed: the half-year of the rate never moves with a breathing space (section 10)."""
        return self.rate_due or self.due


@dataclass(frozen=True, slots=True)
class PlanSettlement:
    plan: Plan
    basis: Decimal  # the balance from everything dated before `agreed`
    amount: Decimal  # what the plan covers
    covered: Decimal  # the debts it took over (less than `amount` only in records `check` rejects)
    installments: tuple[Settled, ...]
    discount: Decimal  # earned early-settlement discount, 0 if none
    discount_on: date | None  # the day it was earned
    charges_covered: tuple[Decimal, ...] = ()  # per charge passed to `settle`, the part the plan took over


@dataclass(frozen=True, slots=True)
class Settlement:
    items: tuple[Item, ...]  # standing debts and installments, by due date
    plan: PlanSettlement | None
    unapplied: Decimal  # money with no debt left to settle: the debtor's credit
    tracks: tuple[Track, ...] = ()  # every debt and installment, with the money that settled it


class _Open:
    """A debt while money is being allocated to it (mutable, private to one allocation)."""

    __slots__ = ("kind", "label", "dated", "due", "amount", "source", "ref", "settled", "covered", "settled_on", "key",
                 "pieces", "rate_due")

    def __init__(self, kind: str, label: str, dated: date, due: date, amount: Decimal, source: str,
                 ref: str | None, key: tuple):
        self.kind, self.label, self.dated, self.due = kind, label, dated, due
        self.amount, self.source, self.ref, self.key = amount, source, ref, key
        self.settled = ZERO
        self.covered = ZERO
        self.settled_on: date | None = None
        self.pieces: list[tuple[date, Decimal]] = []
        self.rate_due: date | None = None

    @property
    def open(self) -> Decimal:
        return self.amount - self.covered - self.settled

    def take(self, available: Decimal, day: date) -> Decimal:
        """Settle what `available` can of this debt; return what is left of `available`."""
        used = min(available, self.open)
        if used <= 0:
            return available
        self.settled += used
        self.pieces.append((day, used))
        if self.open == 0:
            self.settled_on = day
        return available - used

    def track(self) -> Track:
        return Track(self.kind, self.label, self.source, self.ref, self.dated, self.due, self.amount, self.covered,
                     tuple(self.pieces), self.rate_due)

    def item(self) -> Item:
        return Item(self.kind, self.label, self.due, self.amount - self.covered, self.settled, self.source,
                    covered=self.covered)


def _fill(available: Decimal, targets: Iterable[_Open], day: date) -> Decimal:
    for target in targets:
        if available <= 0:
            break
        available = target.take(available, day)
    return available


def _oldest(debts: Iterable[_Open]) -> list[_Open]:
    return sorted(debts, key=lambda debt: debt.key)


def _applied(money_in: Money, debts: Sequence[_Open]) -> list[_Open]:
    """The invoice a payment names with `applies_to`, if it still stands on its own."""
    if money_in.applies_to is None:
        return []
    return [debt for debt in debts if debt.ref == money_in.applies_to][:1]


def _open(debts: Iterable[Debt]) -> list[_Open]:
    return [_Open(d.kind, d.label, d.dated, d.due, d.amount, d.source, d.ref, (d.due, d.dated, d.source))
            for d in debts]


def settle(debts: Iterable[Debt], money_in: Iterable[Money], plan: Plan | None, currency: str,
           charges: Sequence[Decimal] = (), holds: Holds = ()) -> Settlement:
    """Allocate the money to the debts, under `plan` when there is an active one.

    The caller passes only what counts as of D (dated on or before it, not
    corrected), so nothing after D can change the result. `charges` are the
    interest and compensation owed before the plan's `agreed`, in settlement
    order: they count in the plan's default amount, and the plan covers them
    after every principal debt (records-v1 section 10). Money is never
    allocated to them here: what is left over (`unapplied`) settles them.
    An installment falling due inside a hold (`holds`, merged ranges) is due
    on the day after it ends (records-v1 section 11).
    """
    opened = _oldest(_open(debts))
    incoming = sorted(money_in, key=lambda m: m.order)
    if plan is None:
        unapplied = ZERO
        for m in incoming:
            rest = _fill(m.amount, _applied(m, opened), m.dated)
            unapplied += _fill(rest, opened, m.dated)
        return Settlement(_items(opened, ()), None, unapplied, _tracks(opened, ()))
    return _settle_under_plan(opened, incoming, plan, currency, charges, holds)


def _settle_under_plan(opened: list[_Open], incoming: list[Money], plan: Plan, currency: str,
                       charges: Sequence[Decimal] = (), holds: Holds = ()) -> Settlement:
    before = [debt for debt in opened if debt.dated < plan.agreed]
    early = [m for m in incoming if m.dated < plan.agreed]
    late = [m for m in incoming if m.dated >= plan.agreed]
    leftovers: list[tuple[Money, Decimal]] = []
    for m in early:
        rest = _fill(_fill(m.amount, _applied(m, before), m.dated), before, m.dated)
        if rest > 0:
            leftovers.append((m, rest))
    basis = sum((d.amount for d in before), ZERO) - sum((m.amount for m in early), ZERO) + sum(charges, ZERO)
    amount = schedule.plan_amount(plan, basis)
    rest = _cover(before, amount)
    charges_covered = []
    for charge in charges:
        part = min(charge, max(rest, ZERO))
        charges_covered.append(part)
        rest -= part
    covered = amount - rest
    agreed_parts = schedule.installments(plan, amount, currency)
    parts = [Installment(first_day_outside(part.due, holds), part.amount) for part in agreed_parts]
    count = len(parts)
    installments = [
        _Open("installment", f"Installment {n} of {count}", plan.agreed, part.due, part.amount, plan.id, None,
              (part.due, n))
        for n, part in enumerate(parts, start=1)
    ]
    for opened_part, agreed in zip(installments, agreed_parts):
        if agreed.due != opened_part.due:
            opened_part.rate_due = agreed.due
    others = opened  # what the plan did not cover, plus everything dated on or after `agreed`
    unapplied = ZERO
    for m, rest in leftovers:
        rest = _fill(_fill(rest, _applied(m, others), m.dated), others, m.dated)
        unapplied += _fill(rest, installments, m.dated)

    discount = _discount_value(plan, amount, currency)
    threshold = amount - discount
    toward = ZERO
    discount_on: date | None = None
    if discount and threshold <= 0:
        discount_on = plan.agreed
        unapplied += _fill(_fill(discount, installments, plan.agreed), others, plan.agreed)
    for m in late:
        rest = _fill(m.amount, _applied(m, others), m.dated)
        before_plan = rest
        rest = _fill(rest, installments, m.dated)
        if discount and discount_on is None and plan.discount and m.dated <= plan.discount.if_paid_by:
            toward += before_plan - rest
            if toward >= threshold:
                discount_on = m.dated
                rest += _fill(discount, installments, m.dated)
        unapplied += _fill(rest, others, m.dated)
    earned = discount if discount_on is not None else ZERO
    settled = tuple(Settled(i.due, i.amount, i.settled, i.settled_on) for i in installments)
    summary = PlanSettlement(plan, basis, amount, covered, settled, earned, discount_on, tuple(charges_covered))
    return Settlement(_items(others, installments), summary, unapplied, _tracks(others, installments))


def _tracks(others: Iterable[_Open], installments: Iterable[_Open]) -> tuple[Track, ...]:
    return tuple(debt.track() for debt in (*others, *installments))


def _cover(debts: list[_Open], amount: Decimal) -> Decimal:
    """Hand the oldest unsettled parts, up to `amount`, to the plan; return what could not be covered."""
    remaining = amount
    for debt in debts:
        if remaining <= 0:
            break
        part = min(debt.open, remaining)
        if part > 0:
            debt.covered += part
            remaining -= part
    return remaining


def _discount_value(plan: Plan, amount: Decimal, currency: str) -> Decimal:
    """The early-settlement discount on `amount`: a percent rounded half up, or a fixed sum (at most `amount`)."""
    terms = plan.discount
    if terms is None or amount <= 0:
        return ZERO
    if terms.percent is not None:
        return money.percent_of(amount, terms.percent, currency)
    return min(terms.amount or ZERO, amount)


def _items(others: Iterable[_Open], installments: Iterable[_Open]) -> tuple[Item, ...]:
    standing = [debt.item() for debt in others if debt.amount - debt.covered > 0]
    standing += [part.item() for part in installments]
    order = {"installment": 0, "invoice": 1, "fee": 2}
    return tuple(sorted(standing, key=lambda item: (item.due, order[item.kind], item.label, item.source)))
