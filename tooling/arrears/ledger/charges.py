"""A case's interest and compensation: the principal settled, then the charges on it worked out and settled.

`interest` does the arithmetic for one debt; this module runs it over a
case's debts and installments as section 10 orders it: under a plan, what
was owed before `agreed` first (it counts in the plan's default amount),
then everything up to D, then the charges settled last by the money the
principal did not need.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Iterable, Sequence

from arrears import money
from arrears.ledger.figures import Item
from arrears.ledger.holds import Holds
from arrears.ledger.interest import DAY, ZERO, Charge, Terms, Window, broken_windows, compensation_on, interest_on
from arrears.ledger.settle import Settlement, Track, settle


@dataclass(frozen=True, slots=True)
class Assessed:
    """The principal settlement and the charges on top of it, as of D."""

    settlement: Settlement
    charges: tuple[Charge, ...]  # settlement order
    items: tuple[Item, ...]  # the charges as ledger Items (what is left after any plan took part of them over)
    unapplied: Decimal  # money left once the charges are settled too
    daily: Decimal  # today's accrual, rounded half up


def assess(terms: Terms, debts: Sequence, money_in: Sequence, plan, currency: str, as_of: date,
           holds: Holds, superseded: Sequence = ()) -> Assessed:
    """Settle the principal, then work out and settle the interest and compensation on it.

    Under a plan, the interest and compensation owed before `agreed` are
    worked out first from what stood then: the plan's default amount counts
    them and may take them over (after all principal), so the settlement is
    run with them. Charges are settled last, by whatever money the principal
    did not need, oldest first (interest before compensation on the same day).
    """
    earlier: dict[str, date] = {}
    for old in superseded:  # a plan that covered an invoice by its compensation day rules compensation out
        window = settle([d for d in debts if d.dated < old.agreed], [m for m in money_in if m.dated < old.agreed],
                        old, currency)
        for track in window.tracks:
            if track.kind == "invoice" and track.covered > 0:
                earlier[track.source] = min(old.agreed, earlier.get(track.source, old.agreed))
    before: list[Charge] = []
    if plan is not None:
        pre = settle([d for d in debts if d.dated < plan.agreed], [m for m in money_in if m.dated < plan.agreed],
                     None, currency)
        before = sorted(_charges(terms, pre.tracks, plan.agreed - DAY, holds, None, None, None, earlier),
                        key=lambda c: c.key)
    settlement = settle(debts, money_in, plan, currency, [c.amount for c in before], holds)
    covered: dict[tuple[str, str], Decimal] = {}
    if settlement.plan is not None:
        covered = {(c.kind, c.source): part for c, part in zip(before, settlement.plan.charges_covered) if part}
    broken = None
    if settlement.plan is not None and plan.interest == "frozen":
        summary = settlement.plan
        parts = [(part.due, part.settled_on) for part in summary.installments]
        done = [part.settled_on for part in summary.installments]
        completed = summary.discount_on
        if done and all(done):
            completed = min(filter(None, (completed, max(done))))  # type: ignore[type-var]
        broken = broken_windows(parts, plan.grace_days, plan.broken_after, completed, plan.agreed, as_of)
    found = _charges(terms, settlement.tracks, as_of, holds, plan.agreed if plan else None, broken, covered, earlier,
                     _accruing_parts(settlement))
    charges = tuple(sorted(found, key=lambda c: c.key))
    available = settlement.unapplied
    items = []
    for charge in charges:
        standing = charge.amount - charge.covered
        if standing <= 0:
            continue
        used = min(available, standing)
        available -= used
        items.append(Item(charge.kind, charge.label, charge.due, standing, used, charge.source, covered=charge.covered))
    daily = money.round_half_up(sum((c.daily for c in charges), ZERO), currency)
    return Assessed(settlement, charges, tuple(items), available, daily)


def charges_of(terms: Terms, tracks: Iterable[Track], as_of: date, holds: Holds) -> list[Charge]:
    """The interest and compensation on settled debts with no plan in force, up to D."""
    return _charges(terms, tracks, as_of, holds, None, None, None)


def _accruing_parts(settlement: Settlement) -> dict[str, Decimal]:
    """How much of each installment stands for invoice principal (by the installment's label).

    A plan covers unsettled parts in settlement order: invoices and fees,
    oldest first, then interest and compensation already owed (section 10's
    reading of the plan amount); its installments pay that coverage off in
    due order. Fees and charges never earn interest (no compounding), so an
    installment accrues only on the invoice principal its slice stands for.
    """
    summary = settlement.plan
    if summary is None:
        return {}
    coverage = [[track.kind == "invoice", track.covered] for track in settlement.tracks
                if track.kind != "installment" and track.covered > 0]
    coverage += [[False, part] for part in summary.charges_covered if part > 0]
    found: dict[str, Decimal] = {}
    position = 0
    for track in settlement.tracks:
        if track.kind != "installment":
            continue
        need, accruing = track.amount, ZERO
        while need > 0 and position < len(coverage):
            accrues, left = coverage[position]
            take = min(need, left)
            accruing += take if accrues else ZERO
            need -= take
            coverage[position][1] = left - take
            if coverage[position][1] <= 0:
                position += 1
        found[track.label] = accruing
    return found


def _share_of(track: Track, accruing: Decimal | None) -> Track | None:
    """The installment as far as it stands for invoice principal (None: not at all)."""
    if accruing is None or accruing >= track.amount:
        return track
    if accruing <= 0:
        return None
    share = accruing / track.amount
    return replace(track, amount=accruing, pieces=tuple((day, part * share) for day, part in track.pieces))


def _charges(terms: Terms, tracks: Iterable[Track], as_of: date, holds: Holds, agreed: date | None,
             broken: Sequence[Window] | None, covered: dict | None, earlier: dict | None = None,
             accruing: dict[str, Decimal] | None = None) -> list[Charge]:
    found = []
    for track in tracks:
        if track.kind == "fee":
            continue
        if track.kind == "installment":
            standing = _share_of(track, (accruing or {}).get(track.label))
            charge = interest_on(standing, terms, as_of, holds, None, broken) if standing is not None else None
        else:
            charge = interest_on(track, terms, as_of, holds, agreed)
        for item in (charge, compensation_on(track, terms, as_of, holds, agreed, earlier)):
            if item is None:
                continue
            part = (covered or {}).get((item.kind, item.source), ZERO)
            found.append(replace(item, covered=part) if part else item)
    return found


__all__ = ["Assessed", "assess", "charges_of"]
