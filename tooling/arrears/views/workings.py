"""The interest workings, in words and figures: what a court claim (and a firm letter) asks for.

One place turns the ledger's charges into lines a person reads, so `show`,
the case page and every letter say the same thing: per item the principal,
from, to, days, rate and amount, the daily rate, and the Act or term the
claim rests on. Only formats what the ledger computed (money by `money`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from arrears import money
from arrears.ledger.figures import CaseFigures
from arrears.ledger.interest import LAW, STATUTORY_MARGIN, Charge, half_year_start

REFERENCE = {"late-payment-act": "Bank of England base rate", "eu-late-payment": "ECB main refinancing rate"}


@dataclass(frozen=True, slots=True)
class Line:
    principal: str
    start: date
    end: date
    days: int
    rate: str  # "12.25%"
    amount: str  # this period's share, shown rounded (the item total is rounded once from the exact sum)


@dataclass(frozen=True, slots=True)
class WorkedItem:
    kind: str  # interest | compensation
    label: str  # "Interest on INV-1"
    debt: str
    amount: str
    lines: tuple[Line, ...]
    basis: str  # how the rate or the fixed sum was found
    daily: str  # interest accruing a day now ("" for compensation)
    in_plan: str  # the part a payment plan took over ("" if none)


@dataclass(frozen=True, slots=True)
class Workings:
    rule: str
    law: str  # "the Late Payment of Commercial Debts (Interest) Act 1998", "the agreed terms"
    items: tuple[WorkedItem, ...]
    interest: str
    compensation: str
    daily: str  # "£0.34"
    as_of: date
    accruing: bool  # interest still accrues (the daily rate is above zero)

    @property
    def has_compensation(self) -> bool:
        return any(item.kind == "compensation" for item in self.items)


def workings(figures: CaseFigures) -> Workings | None:
    """The case's workings as of D, or None when its rule is `none` or nothing has been charged."""
    rule = figures.case.interest.rule
    if rule == "none" or not figures.charges:
        return None
    currency = figures.currency
    show = lambda amount: money.display(amount, currency)  # noqa: E731
    items = tuple(_item(charge, rule, currency) for charge in figures.charges)
    return Workings(rule, LAW[rule], items, show(figures.totals.interest), show(figures.totals.compensation),
                    show(figures.interest_daily), figures.as_of, figures.interest_daily > 0)


def _item(charge: Charge, rule: str, currency: str) -> WorkedItem:
    show = lambda amount: money.display(amount, currency)  # noqa: E731
    in_plan = show(charge.covered) if charge.covered else ""
    if charge.kind == "compensation":
        basis = (f"fixed sum for an invoice of {show(charge.principal)}"
                 + (" (£40 below £1,000, £70 to £9,999.99, £100 from £10,000)" if rule == "late-payment-act" else ""))
        return WorkedItem("compensation", charge.label, charge.debt, show(charge.amount), (), basis, "", in_plan)
    lines = tuple(Line(show(p.principal), p.start, p.end, p.days, _percent(p.rate),
                       money.display(money.round_half_up(p.amount, currency), currency)) for p in charge.periods)
    daily = money.display(money.round_half_up(charge.daily, currency), currency) if charge.daily else ""
    return WorkedItem("interest", charge.label, charge.debt, show(charge.amount), lines,
                      rate_basis(charge, rule), daily, in_plan)


def rate_basis(charge: Charge, rule: str) -> str:
    """`Bank of England base rate in force on 30 June 2025 (4.25%) + 8`, or `8% a year, as agreed`."""
    if rule == "simple":
        rates = sorted({p.rate for p in charge.periods})
        return " / ".join(_percent(r) for r in rates) + " a year, as agreed"
    parts = []
    for day in charge.rate_dates:
        rate = _rate_read_on(charge, rule, day)
        if rate is not None:
            parts.append(f"on {_day(day)} ({_percent(rate - STATUTORY_MARGIN)})")
    return f"{REFERENCE[rule]} in force " + ", ".join(parts) + f" + {STATUTORY_MARGIN} points"


def _rate_read_on(charge: Charge, rule: str, day: date) -> Decimal | None:
    if rule == "late-payment-act":
        return charge.periods[0].rate if charge.periods else None
    return next((p.rate for p in charge.periods if half_year_start(p.start) == day), None)


def text(found: Workings | None, day=str) -> str:
    """The workings as plain text lines, for `show` and letters (`day` formats the dates)."""
    if found is None:
        return ""
    lines = []
    for item in found.items:
        head = f"{item.label}: {item.amount}" + (f" ({item.in_plan} of it in the plan)" if item.in_plan else "")
        lines.append(head)
        lines.append(f"  {item.basis}")
        for line in item.lines:
            lines.append(f"  {line.principal} from {day(line.start)} to {day(line.end)}, {line.days} day"
                         f"{'' if line.days == 1 else 's'} at {line.rate}: {line.amount}")
        if item.daily:
            lines.append(f"  accruing {item.daily} a day")
    return "\n".join(lines)


def _percent(rate: Decimal) -> str:
    return f"{rate.normalize():f}%" if rate != rate.to_integral() else f"{rate.to_integral()}%"


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


__all__ = ["Workings", "WorkedItem", "Line", "workings", "text", "rate_basis"]
