"""What is due, as of a date D: records in, figures out (records-v1 section 7).

Pure functions: no files, no clock. `compute_case` takes a case and a date
and returns the `CaseFigures` every view shows, so the terminal, the site,
the agenda and the exports can never disagree about money. Only what is
dated on or before D counts; a note corrected by a note dated on or before D
stops counting. Allocation of money to debts lives in `settle`; this module
decides what counts and derives the figures a credit controller reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal
from typing import Iterable

from arrears.ledger.figures import (
    AGING_BUCKETS,
    BalancePoint,
    CaseFigures,
    InstallmentFigures,
    Item,
    NextDue,
    PlanFigures,
    PortfolioFigures,
    PromiseFigures,
    Totals,
)
from arrears.records.model import Case, Credit, Dispute, Fee, Invoice, Note, Payment, Plan, Portfolio, Settings
from arrears.ledger.settle import Debt, Money, PlanSettlement, Settlement, settle
from arrears.ledger import charges as charging, claim, holds as holding, interest, rates

ZERO = Decimal(0)
_LAST_MOMENT = time(23, 59, 59, 999999)


@dataclass(frozen=True, slots=True)
class View:
    """A case as it stands on D: the notes that count, and which notes are corrected by whom."""

    case: Case
    as_of: date
    notes: tuple[Note, ...]  # dated on or before D and not corrected by then, chronological
    corrected_by: dict[str, str]


def view(case: Case, as_of: date) -> View:
    """The notes that count on D.

    A note X stops counting entirely (money, promise, dispute, follow-up)
    once a note dated on or before D says `corrects: X`; when several do, the
    latest is named. A corrected correction still replaces what it corrected:
    the chain never brings an earlier note back.
    """
    ordered = sorted((n for n in case.notes if n.date <= as_of), key=lambda n: n.sort_key)
    corrected_by = {n.corrects: n.id for n in ordered if n.corrects}
    notes = tuple(n for n in ordered if n.id not in corrected_by)
    return View(case, as_of, notes, corrected_by)


def compute_portfolio(portfolio: Portfolio, as_of: date) -> PortfolioFigures:
    """Every case's figures as of D, sorted by case id, with balance and overdue totals per currency."""
    return collect(as_of, (compute_case(case, portfolio.settings, as_of) for case in portfolio.cases))


def collect(as_of: date, computed: Iterable) -> PortfolioFigures:
    """Case figures computed one by one (perhaps in worker processes), sorted by case id and totalled."""
    cases = tuple(sorted(computed, key=lambda f: f.case.id))
    totals: dict[str, dict[str, Decimal]] = {}
    for figures in cases:
        add_to_totals(totals, figures)
    return PortfolioFigures(as_of, cases, dict(sorted(totals.items())))


def add_to_totals(totals: dict[str, dict[str, Decimal]], figures, sign: int = 1) -> None:
    """Add one case (its figures or summary) to `PortfolioFigures.totals`: its currency's balance,
    overdue, interest and compensation (for callers that meet the cases one at a time too);
    `sign` -1 takes out a case added before."""
    entry = totals.setdefault(figures.currency, {"balance": ZERO, "overdue": ZERO, "interest": ZERO,
                                                 "compensation": ZERO})
    for key, amount in (("balance", figures.balance), ("overdue", figures.overdue),
                        ("interest", figures.totals.interest), ("compensation", figures.totals.compensation)):
        entry[key] += sign * amount


def compute_case(case: Case, settings: Settings, as_of: date, holds: holding.Holds | None = None) -> CaseFigures:
    """Everything `arrears due` and `arrears show` report for one case as of D.

    `settings` gives the reference rate tables interest may need (plan
    defaults such as grace days are already resolved when plans are read).
    `holds` (inclusive date ranges in which nothing accrues) are derived from
    the notes unless given.
    """
    ledger = _ledger(case, settings, as_of, holds)
    seen, plans, settlement, items, totals = ledger.seen, ledger.plans, ledger.settlement, ledger.items, ledger.totals
    held = ledger.held
    overdue_items = [i for i in items if i.due < as_of and i.unsettled > 0]
    overdue = sum((i.unsettled for i in overdue_items), ZERO)
    plan = _plan_figures(settlement.plan, as_of) if settlement.plan else None
    disputed = _disputed(seen.notes)
    return CaseFigures(
        case=case,
        as_of=as_of,
        state=_state(case, totals, disputed, plan, overdue, holding.inside(as_of, held)),
        totals=totals,
        overdue=overdue,
        days_past_due=(as_of - min(i.due for i in overdue_items)).days if overdue_items else 0,
        next_due=_next_due(items, as_of),
        aging=aging(items, as_of),
        items=items,
        plan=plan,
        superseded=tuple(plans[:-1]),
        promises=tuple(_promises(seen.notes, as_of, held)),
        follow_up=next((n.follow_up for n in reversed(seen.notes) if n.follow_up), None),
        disputed=disputed,
        corrected_by=seen.corrected_by,
        history=_with_charges(history(case, as_of, ledger.discounts), as_of, totals),
        interest_daily=ledger.daily,
        charges=ledger.charges,
        spaces=holding.spaces(seen.notes, as_of, case.notes),
        claim_window=claim.open_window(seen.notes, as_of),
    )


def balance_and_items(case: Case, settings: Settings, as_of: date) -> tuple[Decimal, tuple[Item, ...]]:
    """The balance and the items of `compute_case` as of D, without the rest of its figures
    (state, plan, promises, the chart's history, the claim window): what the insight walk
    needs at each month-end, for a third less work."""
    ledger = _ledger(case, settings, as_of, None)
    return ledger.totals.balance, ledger.items


@dataclass(frozen=True, slots=True)
class _Ledger:
    """What the rules make of a case's money as of D: the settlement, its items, the totals."""

    seen: View
    plans: list[Plan]
    held: holding.Holds
    settlement: Settlement
    items: tuple[Item, ...]
    totals: Totals
    discounts: list
    charges: tuple
    daily: Decimal


def _ledger(case: Case, settings: Settings, as_of: date, holds: holding.Holds | None) -> _Ledger:
    seen = view(case, as_of)
    plans = sorted((p for p in case.plans if p.agreed <= as_of), key=lambda p: p.sort_key)
    active = plans[-1] if plans else None
    debts = _debts(seen.notes)
    money_in = _money(seen.notes)
    prior = _prior_discounts(debts, money_in, plans, case.currency)
    charges: tuple = ()
    daily = ZERO
    held = holding.normalize(holds if holds is not None else holding.from_notes(seen.notes, as_of, case.notes))
    if case.interest.rule == "none":
        settlement = settle(debts, money_in + prior, active, case.currency, holds=held)
        items = settlement.items
    else:
        terms = interest.Terms.of(case.interest, case.currency, rates.tables(settings.rates))
        assessed = charging.assess(terms, debts, money_in + prior, active, case.currency, as_of, held, plans[:-1])
        settlement, charges, daily = assessed.settlement, assessed.charges, assessed.daily
        items = _ordered(settlement.items + assessed.items)
    discounts = prior + _discount_money(settlement.plan)
    totals = _totals(seen.notes, discounts, charges)
    return _Ledger(seen, plans, held, settlement, items, totals, discounts, charges, daily)


_ITEM_ORDER = {"installment": 0, "invoice": 1, "fee": 2, "interest": 3, "compensation": 4}


def _ordered(items: Iterable[Item]) -> tuple[Item, ...]:
    return tuple(sorted(items, key=lambda item: (item.due, _ITEM_ORDER[item.kind], item.label, item.source)))


def _with_charges(points: tuple[BalancePoint, ...], as_of: date, totals: Totals) -> tuple[BalancePoint, ...]:
    """The balance chart ends on D with the interest and compensation owed by then (they accrue daily)."""
    charged = totals.interest + totals.compensation
    if not charged:
        return points
    if points and points[-1].date == as_of:
        last = points[-1]
        return points[:-1] + (BalancePoint(as_of, last.balance + charged, last.paid),)
    before = points[-1].balance if points else ZERO
    return points + (BalancePoint(as_of, before + charged, ZERO),)


def accruing_dues(case: Case, as_of: date) -> list[date]:
    """Due dates of the debts (invoices, installments) not fully settled by their due date, as of D.

    The debts interest may accrue on, found from the principal settlement
    alone (cheap): `check` asks which reference rates they need.
    """
    seen = view(case, as_of)
    plans = sorted((p for p in case.plans if p.agreed <= as_of), key=lambda p: p.sort_key)
    debts = _debts(seen.notes)
    money_in = _money(seen.notes)
    settlement = settle(debts, money_in + _prior_discounts(debts, money_in, plans, case.currency),
                        plans[-1] if plans else None, case.currency,
                        holds=holding.from_notes(seen.notes, as_of, case.notes))
    found = []
    for track in settlement.tracks:
        if track.kind == "fee" or track.due >= as_of:
            continue
        unpaid = track.amount - sum((amount for day, amount in track.pieces if day <= track.due), ZERO)
        taken_over_in_time = track.covered >= unpaid and plans and plans[-1].agreed <= track.due + timedelta(days=1)
        if unpaid > 0 and not taken_over_in_time:
            found.append(track.due)
    return found


def plan_basis(case: Case, plan: Plan, as_of: date, settings: Settings | None = None) -> Decimal:
    """The balance from everything dated before the plan's `agreed`, as the records stand on `as_of`.

    What a plan may cover at most (the `plan-exceeds-balance` check). Earlier
    plans' earned discounts count: they are credits dated before `agreed`;
    so do the interest and compensation owed by then (records-v1 section 10),
    given the settings that hold the rate tables.
    """
    day = plan.agreed - timedelta(days=1)
    seen = view(case, max(as_of, day))
    notes = tuple(n for n in seen.notes if n.date <= day)
    plans = sorted((p for p in case.plans if p.sort_key < plan.sort_key), key=lambda p: p.sort_key)
    debts = _debts(notes)
    prior = _prior_discounts(debts, _money(notes), [*plans, plan], case.currency)
    charges: list = []
    if case.interest.rule != "none" and settings is not None:
        terms = interest.Terms.of(case.interest, case.currency, rates.tables(settings.rates))
        held = holding.normalize(holding.from_notes(notes, day, case.notes))
        pre = settle(debts, _money(notes) + prior, None, case.currency)
        charges = charging.charges_of(terms, pre.tracks, day, held)
    totals = _totals(notes, prior, charges)
    return totals.balance


# --- what counts ---------------------------------------------------------------


def _debts(notes: Iterable[Note]) -> list[Debt]:
    debts = []
    for note in notes:
        detail = note.detail
        if isinstance(detail, Invoice):
            debts.append(Debt("invoice", detail.ref, note.date, detail.due, detail.amount, note.id, detail.ref))
        elif isinstance(detail, Fee):
            debts.append(Debt("fee", detail.reason or "Fee", note.date, note.date, detail.amount, note.id))
    return debts


def _money(notes: Iterable[Note]) -> list[Money]:
    found = []
    for note in notes:
        detail = note.detail
        if isinstance(detail, (Payment, Credit)):
            kind = "payment" if isinstance(detail, Payment) else "credit"
            applies_to = detail.applies_to if isinstance(detail, Payment) else None
            found.append(Money(kind, note.date, (note.date, 0, note.time or time(0), note.id), detail.amount,
                               note.id, applies_to))
    return found


def _discount_money(summary: PlanSettlement | None) -> list[Money]:
    if summary is None or summary.discount_on is None:
        return []
    day = summary.discount_on
    return [Money("discount", day, (day, 1, _LAST_MOMENT, summary.plan.id), summary.discount, summary.plan.id)]


def _prior_discounts(debts: list[Debt], money: list[Money], plans: list[Plan], currency: str) -> list[Money]:
    """Discounts earned under earlier plans while each was active: credits that outlive the plan.

    An earlier plan is active from its `agreed` to the day before the next
    plan's; whatever it earned in that window stays earned.
    """
    found: list[Money] = []
    for plan, successor in zip(plans, plans[1:]):
        end = successor.agreed - timedelta(days=1)
        if end < plan.agreed:
            continue
        window = settle([d for d in debts if d.dated <= end], [m for m in money if m.dated <= end] + found,
                        plan, currency)
        found += _discount_money(window.plan)
    return found


def _totals(notes: Iterable[Note], discounts: Iterable[Money], charges: Iterable = ()) -> Totals:
    sums = {"invoice": ZERO, "fee": ZERO, "credit": ZERO, "payment": ZERO, "interest": ZERO, "compensation": ZERO}
    for note in notes:
        if note.kind in sums and note.amount is not None:
            sums[note.kind] += note.amount
    for charge in charges:
        sums[charge.kind] += charge.amount
    credits = sums["credit"] + sum((d.amount for d in discounts), ZERO)
    balance = sums["invoice"] + sums["fee"] + sums["interest"] + sums["compensation"] - credits - sums["payment"]
    return Totals(sums["invoice"], sums["fee"], credits, sums["payment"], balance, sums["interest"],
                  sums["compensation"])


# --- derived figures -------------------------------------------------------------


def _plan_figures(summary: PlanSettlement, as_of: date) -> PlanFigures:
    """Each installment's state on D, and the plan's status (spec 7.4)."""
    plan = summary.plan
    parts = []
    for number, part in enumerate(summary.installments, start=1):
        if part.settled >= part.amount:
            state = "paid"
        elif as_of < part.due:
            state = "upcoming"
        elif as_of > part.due + timedelta(days=plan.grace_days):
            state = "missed"
        else:
            state = "due"
        parts.append(InstallmentFigures(number, part.due, part.amount, part.settled, state, part.settled_on))
    missed = sum(1 for p in parts if p.state == "missed")
    paid = sum(1 for p in parts if p.state == "paid")
    if paid == len(parts) or summary.discount_on is not None:
        status = "completed"
    elif missed >= plan.broken_after:
        status = "broken"
    elif missed:
        status = "behind"
    else:
        status = "on-track"
    return PlanFigures(plan, summary.amount, status, tuple(parts), missed, paid, summary.discount,
                       summary.discount_on, summary.basis)


def _promises(notes: tuple[Note, ...], as_of: date, held: holding.Holds = ()) -> Iterable[PromiseFigures]:
    """A promise on day p of A by B is kept when payments dated p..B reach A (spec 7.7).

    A promise falling due inside a breathing space is due the day after it
    ends (section 11): B moves there, so it cannot break inside.
    """
    payments = [n for n in notes if isinstance(n.detail, Payment)]
    for note in notes:
        promise = note.promise
        if promise is None:
            continue
        by = holding.first_day_outside(promise.by, held)
        paid = sum((p.detail.amount for p in payments if note.date <= p.date <= by), ZERO)  # type: ignore[union-attr]
        if paid >= promise.amount:
            status = "kept"
        elif as_of > by:
            status = "broken"
        else:
            status = "pending"
        yield PromiseFigures(note.id, note.date, promise.amount, by, paid, status)  # type: ignore[arg-type]


def _disputed(notes: Iterable[Note]) -> bool:
    """Whether a dispute is open: the latest word per invoice ref (or the case) decides.

    A `resolved` note without a ref resolves every open dispute in the case.
    """
    open_refs: set[str | None] = set()
    for note in notes:
        detail = note.detail
        if isinstance(detail, Dispute):
            if detail.state == "open":
                open_refs.add(detail.ref)
            elif detail.ref is None:
                open_refs.clear()
            else:
                open_refs.discard(detail.ref)
    return bool(open_refs)


def _state(case: Case, totals: Totals, disputed: bool, plan: PlanFigures | None, overdue: Decimal,
           breathing: bool = False) -> str:
    """The first state that holds, in the order of spec 7.8 (breathing-space right after settled, section 11)."""
    if case.status == "closed":
        return "closed"
    if totals.balance <= 0:
        return "settled"
    if breathing:
        return "breathing-space"
    if disputed:
        return "disputed"
    if case.status == "on-hold":
        return "on-hold"
    if plan is not None and plan.status == "broken":
        return "plan-broken"
    if plan is not None and plan.status == "behind":
        return "plan-behind"
    if plan is not None and plan.status != "completed":
        return "in-plan"
    if overdue > 0:
        return "overdue"
    return "current"


def aging(items: Iterable[Item], as_of: date) -> dict[str, Decimal]:
    """Unsettled parts by days past due: current (not yet due), 1-30, 31-60, 61-90, 90+."""
    buckets = {name: ZERO for name in AGING_BUCKETS}
    for item in items:
        if item.unsettled <= 0:
            continue
        days = (as_of - item.due).days
        name = ("current" if days <= 0 else "1-30" if days <= 30 else "31-60" if days <= 60
                else "61-90" if days <= 90 else "90+")
        buckets[name] += item.unsettled
    return buckets


def _next_due(items: Iterable[Item], as_of: date) -> NextDue | None:
    upcoming = [i for i in items if i.due >= as_of and i.unsettled > 0]
    if not upcoming:
        return None
    day = min(i.due for i in upcoming)
    return NextDue(day, sum((i.unsettled for i in upcoming if i.due == day), ZERO))


def history(case: Case, as_of: date, discounts: Iterable[Money]) -> tuple[BalancePoint, ...]:
    """The balance after each day's events up to D, for the balance-over-time chart.

    Each note counts from its own date until the date of the first note that
    corrects it, so the chart shows what was known each day; earned
    discounts appear on the day they were earned.
    """
    corrections: dict[str, date] = {}
    for note in case.notes:
        if note.corrects and note.date <= as_of:
            corrections[note.corrects] = min(note.date, corrections.get(note.corrects, note.date))
    change: dict[date, Decimal] = {}
    paid: dict[date, Decimal] = {}
    for note in case.notes:
        amount = note.amount
        if amount is None or note.date > as_of:
            continue
        sign = 1 if note.kind in ("invoice", "fee") else -1
        end = corrections.get(note.id)
        if end is not None and end <= note.date:
            continue
        change[note.date] = change.get(note.date, ZERO) + sign * amount
        if note.kind == "payment":
            paid[note.date] = paid.get(note.date, ZERO) + amount
        if end is not None:
            change[end] = change.get(end, ZERO) - sign * amount
    for discount in discounts:
        change[discount.dated] = change.get(discount.dated, ZERO) - discount.amount
    points, balance = [], ZERO
    for day in sorted(change):
        balance += change[day]
        points.append(BalancePoint(day, balance, paid.get(day, ZERO)))
    return tuple(points)


__all__ = ["accruing_dues", "compute_case", "compute_portfolio", "plan_basis", "view", "aging", "history"]
