"""One case's money at many dates: the ledger walked along a case's history for the insight figures.

The trends and roll rates need a case's balance and items at a dozen month-ends.
The ledger's items depend only on which money records count (invoices, fees,
payments, credits, plans), never on the date they are looked at, so the
walk computes the ledger once per change of those records and re-ages the
same items at every later date until the next change: a case whose last
payment was in March is computed once for April to December. A case whose
items may move with the date alone (it accrues interest, or holds a kind of
note this walk does not know, such as a breathing space) is computed at
every date.

`compute_case` stays the one place that knows the rules (`balance_and_items` is its
first half); this module only decides when they must be asked again.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Iterable

from arrears.ledger.compute import aging, balance_and_items, compute_case
from arrears.ledger.figures import CaseFigures, Item, PlanFigures
from arrears.records.model import CONTACT_KINDS, MONEY_KINDS, Case, Plan, Settings

ZERO = Decimal(0)
_NO_ITEMS = (*CONTACT_KINDS, "note", "dispute")  # kinds that never change a debt (their corrections are counted)


@dataclass(frozen=True, slots=True)
class Position:
    """A case as it stood at the end of one day: what the insight figures read of it."""

    day: date
    balance: Decimal
    overdue: Decimal
    aging: dict[str, Decimal]
    items: tuple[Item, ...]


def positions(case: Case, settings: Settings, days: Iterable[date], known: CaseFigures | None = None
              ) -> dict[date, Position]:
    """The case's position at each day, computing the ledger only where its money records changed.

    `known` (the figures at one of the days, already computed by the caller)
    is used as it is.
    """
    money_dates = sorted(n.date for n in case.notes if n.kind in MONEY_KINDS)
    correction_dates = sorted(n.date for n in case.notes if n.corrects)
    plan_dates = sorted(p.agreed for p in case.plans)
    accrues = (getattr(case.interest, "rule", "none") != "none"
               or any(n.kind not in MONEY_KINDS and n.kind not in _NO_ITEMS for n in case.notes))
    found: dict[date, Position] = {}
    computed: dict[tuple, tuple[Decimal, tuple[Item, ...]]] = {}
    if known is not None:
        computed[_key(known.as_of, money_dates, correction_dates, plan_dates, accrues)] = (known.balance, known.items)
    for day in sorted(set(days)):
        key = _key(day, money_dates, correction_dates, plan_dates, accrues)
        ledger = computed.get(key)
        if ledger is None:
            ledger = computed[key] = balance_and_items(case, settings, day)
        if known is not None and known.as_of == day:
            found[day] = Position(day, known.balance, known.overdue, known.aging, known.items)
        else:
            balance, items = ledger
            overdue = sum((i.unsettled for i in items if i.due < day and i.unsettled > 0), ZERO)
            found[day] = Position(day, balance, overdue, aging(items, day), items)
    return found


def _key(day: date, money: list[date], corrections: list[date], plans: list[date], accrues: bool) -> tuple:
    """What decides the ledger's items on `day`: how many money records, corrections and plans count.

    Records count from their own date on, so a count identifies the set.
    """
    if accrues:
        return (day,)
    return (bisect_right(money, day), bisect_right(corrections, day), bisect_right(plans, day))


# --- plans over their whole life ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlanLife:
    """One plan from its `agreed` to the day it stopped being the active plan (or D)."""

    plan: Plan
    last: date  # the last day it was active: the day before its successor's `agreed`, else D
    successor: Plan | None
    figures: PlanFigures | None  # its figures on `last` (None: replaced the day it was agreed)


def plan_lives(case: Case, settings: Settings, as_of: date, known: CaseFigures | None = None) -> list[PlanLife]:
    """Every plan agreed by D, with its figures on the last day it was active.

    A superseded plan is judged with the records as they stood the day before
    its successor was agreed; the active one with those of D.
    """
    plans = sorted((p for p in case.plans if p.agreed <= as_of), key=lambda p: p.sort_key)
    lives = []
    for plan, successor in zip(plans, [*plans[1:], None]):
        last = successor.agreed - timedelta(days=1) if successor is not None else as_of
        figures = None
        if last >= plan.agreed:
            at_last = known if known is not None and known.as_of == last else compute_case(case, settings, last)
            figures = at_last.plan
        lives.append(PlanLife(plan, last, successor, figures))
    return lives


def plan_end(life: PlanLife) -> tuple[str, date] | None:
    """How and when a plan ended: completed, broken or superseded, whichever came first; None if it runs on.

    Completed: the day its last installment was settled (or its discount
    earned). Broken: the first day of the stretch of broken days it was in on
    its last active day (paying missed installments can bring a plan back).
    Superseded: the next plan's `agreed`, when it was neither of those then.
    """
    figures = life.figures
    if figures is not None and figures.status == "completed":
        if figures.discount_on is not None:
            return "completed", figures.discount_on
        days = [part.settled_on for part in figures.installments if part.settled_on is not None]
        return "completed", max([life.plan.agreed, *days])
    if figures is not None and figures.status == "broken":
        return "broken", broken_since(figures, life.last)
    if life.successor is not None:
        return "superseded", life.successor.agreed
    return None


def broken_since(figures: PlanFigures, last: date) -> date:
    """The day a plan broken on `last` became broken, from when each installment was missed and paid."""
    grace = timedelta(days=figures.plan.grace_days)
    changes = sorted({d for part in figures.installments
                      for d in (part.due + grace + timedelta(days=1), part.settled_on) if d is not None and d <= last})
    since = last
    broken = False
    for day in changes:
        missed = sum(1 for part in figures.installments
                     if day > part.due + grace and (part.settled_on is None or part.settled_on > day))
        now = missed >= figures.plan.broken_after
        if now and not broken:
            since = day
        broken = now
    return since


def installments_kept(lives: Iterable[PlanLife], as_of: date) -> tuple[int, int]:
    """(settled by due + grace, fallen due) over the installments whose grace ended before D.

    Only installments due while their plan was the active one count: a plan
    replaced before an installment fell due never asked for it.
    """
    kept = counted = 0
    for life in lives:
        if life.figures is None:
            continue
        grace = timedelta(days=life.figures.plan.grace_days)
        for part in life.figures.installments:
            if not life.plan.agreed <= part.due <= life.last or part.due + grace >= as_of:
                continue
            counted += 1
            if part.settled_on is not None and part.settled_on <= part.due + grace:
                kept += 1
    return kept, counted
