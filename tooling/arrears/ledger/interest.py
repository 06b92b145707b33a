"""Interest and compensation: what the law or the contract lets a creditor claim (records-v1 section 10).

Pure and exact. Interest accrues day by day on a debt's unsettled principal,
from the day after it fell due, at a rate a year over 365 days (leap years
too), never compounding. Rather than walk the days, each debt's time is cut
into periods over which neither the unsettled amount nor the rate changes
(cut where money settled it, where the plan took it over, where a half-year
or a hold begins or ends); a period accrues principal x rate x days / 36500.
The periods are the workings a court claim asks for. Each item's exact sum
is rounded half up once, by `money`.

Compensation is a fixed sum per invoice, owed once on the day after it fell
due if any of it is still unsettled then and no plan agreed by then covers it.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Iterable, Literal, NamedTuple, Sequence

from arrears import money
from arrears.ledger import holds as holding
from arrears.ledger.holds import Holds
from arrears.ledger.rates import RateTable
from arrears.ledger.settle import Track
from arrears.records.model import Interest

ZERO = Decimal(0)
DAY = timedelta(days=1)
STATUTORY_MARGIN = Decimal(8)  # both the 1998 Act and Directive 2011/7/EU: reference rate + 8 points
DAYS_A_YEAR = 365
RULE_TABLE = {"late-payment-act": "bank_of_england", "eu-late-payment": "ecb"}
LAW = {
    "simple": "the agreed terms",
    "late-payment-act": "the Late Payment of Commercial Debts (Interest) Act 1998",
    "eu-late-payment": "Directive 2011/7/EU on combating late payment in commercial transactions",
}
Window = tuple[date, date]  # inclusive


class Period(NamedTuple):
    """One line of the workings: `principal` unsettled from `start` to `end` at `rate` percent a year.

    A named tuple, not a dataclass: a large portfolio makes one per debt and
    money event, and tuples are built several times faster.
    """

    principal: Decimal
    start: date
    end: date
    days: int
    rate: Decimal
    numerator: Decimal  # principal x rate x days, exact; the amount is this / 36500

    @property
    def amount(self) -> Decimal:
        return self.numerator / (100 * DAYS_A_YEAR)

    @property
    def daily(self) -> Decimal:
        return self.principal * self.rate / 100 / DAYS_A_YEAR


@dataclass(frozen=True, slots=True)
class Charge:
    """Interest on one debt, or compensation on one invoice, as of D."""

    kind: Literal["interest", "compensation"]
    debt: str  # the invoice ref, fee reason or installment label it is charged on
    source: str  # that debt's note id (or plan id)
    due: date  # interest: its first accruing day; compensation: the day it became owed
    amount: Decimal  # rounded; includes any part a plan took over
    periods: tuple[Period, ...] = ()
    daily: Decimal = ZERO  # exact accrual on D itself
    covered: Decimal = ZERO  # the part the active plan took over
    rate_dates: tuple[date, ...] = ()  # the reference-rate dates the periods read (statutory rules)
    principal: Decimal = ZERO  # the debt's amount (an invoice's amount for compensation)

    @property
    def label(self) -> str:
        return f"{'Interest' if self.kind == 'interest' else 'Compensation'} on {self.debt}"

    @property
    def key(self) -> tuple:
        """Settlement order: oldest first; on the same day interest before compensation."""
        return (self.due, 0 if self.kind == "interest" else 1, self.debt, self.source)


@dataclass(frozen=True, slots=True)
class Terms:
    """A case's interest rule with the reference table it needs, resolved once per case."""

    rule: str
    currency: str
    rate: Decimal | None = None  # `simple`
    start: date | None = None  # `from`
    compensation: bool = True
    table: RateTable | None = None

    @classmethod
    def of(cls, interest: Interest, currency: str, tables: dict[str, RateTable]) -> "Terms":
        table = tables.get(RULE_TABLE.get(interest.rule, ""))
        return cls(interest.rule, currency, interest.rate, interest.start, interest.compensation, table)

    @property
    def active(self) -> bool:
        return self.rule != "none"

    @property
    def law(self) -> str:
        return LAW.get(self.rule, "")


# --- rates ---------------------------------------------------------------------


def half_year_start(day: date) -> date:
    return date(day.year, 1 if day.month <= 6 else 7, 1)


def act_reference_date(first_day: date) -> date:
    """Late Payment Act: the base rate on 30 June fixes interest starting in July-December, 31 December the rest."""
    return date(first_day.year, 6, 30) if first_day.month >= 7 else date(first_day.year - 1, 12, 31)


def reference_dates(terms: Terms, due: date, first: date, last: date) -> list[date]:
    """The dates whose reference rate the accrual from `first` to `last` on a debt due on `due` reads."""
    if terms.rule == "late-payment-act":
        return [act_reference_date(due + DAY)]
    if terms.rule == "eu-late-payment":
        found, day = [], half_year_start(first)
        while day <= last:
            found.append(day)
            day = date(day.year, 7, 1) if day.month == 1 else date(day.year + 1, 1, 1)
        return found
    return []


def _plus_margin(table: RateTable | None, day: date) -> Decimal | None:
    base = table.on(day) if table is not None else None
    return None if base is None else base + STATUTORY_MARGIN


def rate_spans(terms: Terms, due: date, first: date, last: date) -> list[tuple[date, date, Decimal | None]]:
    """The rate over [first, last] for a debt due on `due`, as inclusive spans of one rate each."""
    if terms.rule == "simple":
        return [(first, last, terms.rate)]
    if terms.rule == "late-payment-act":
        return [(first, last, _plus_margin(terms.table, act_reference_date(due + DAY)))]
    spans = []
    for start in reference_dates(terms, due, first, last):
        end = date(start.year, 6, 30) if start.month == 1 else date(start.year, 12, 31)
        spans.append((max(start, first), min(end, last), _plus_margin(terms.table, start)))
    return spans


# --- windows: the days that may accrue ----------------------------------------


def windows(first: date, last: date, terms: Terms, holds: Holds) -> list[Window]:
    """[first, last] without the days before `from` and the days inside a hold."""
    if terms.start is not None:
        first = max(first, terms.start)
    found: list[Window] = []
    cursor = first
    for start, end in holds:
        if end < cursor or start > last:
            continue
        if start > cursor:
            found.append((cursor, start - DAY))
        cursor = max(cursor, end + DAY)
    if cursor <= last:
        found.append((cursor, last))
    return found


def intersect(a: Sequence[Window], b: Sequence[Window]) -> list[Window]:
    found, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        start, end = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if start <= end:
            found.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return found


def broken_windows(parts: Sequence[tuple[date, date | None]], grace_days: int, broken_after: int,
                   completed_on: date | None, first: date, last: date) -> list[Window]:
    """The days in [first, last] on which a plan is broken as of that day.

    `parts` are the installments' (due, settled_on). An installment is missed
    on day d when d > due + grace and it is not fully settled by d; the plan
    is broken while at least `broken_after` are missed and it is not
    completed (all settled, or its discount earned).
    """
    events: dict[date, int] = {}
    for due, settled_on in parts:
        start = due + timedelta(days=grace_days + 1)
        if settled_on is not None and settled_on <= start:
            continue
        events[start] = events.get(start, 0) + 1
        if settled_on is not None:
            events[settled_on] = events.get(settled_on, 0) - 1
    if completed_on is not None:
        last = min(last, completed_on - DAY)
    found: list[Window] = []
    missed, opened = 0, None
    for day in sorted(events):
        before = missed >= broken_after
        missed += events[day]
        after = missed >= broken_after
        if after and not before:
            opened = day
        elif before and not after and opened is not None:
            found.append((opened, day - DAY))
            opened = None
    if opened is not None:
        found.append((opened, date.max))
    return intersect(found, [(first, last)]) if first <= last else []


# --- accrual ---------------------------------------------------------------------


def steps(track: Track, agreed: date | None) -> tuple[list[date], list[Decimal]]:
    """Unsettled principal as a step function: on day d it is the last value whose day is <= d."""
    if not track.pieces and not (track.covered and agreed is not None):
        return [], []
    changes: dict[date, Decimal] = {}
    for day, amount in track.pieces:
        changes[day] = changes.get(day, ZERO) - amount
    if track.covered and agreed is not None:
        changes[agreed] = changes.get(agreed, ZERO) - track.covered
    days, values, value = [], [], track.amount
    for day in sorted(changes):
        value += changes[day]
        days.append(day)
        values.append(value)
    return days, values


def _unsettled(days: list[date], values: list[Decimal], base: Decimal, day: date) -> Decimal:
    index = bisect_right(days, day)
    return values[index - 1] if index else base


def periods(base: Decimal, days: list[date], values: list[Decimal], allowed: Sequence[Window],
            spans: Sequence[tuple[date, date, Decimal | None]]) -> list[Period]:
    """Cut the allowed days into periods of constant principal and rate; drop those that accrue nothing."""
    found: list[Period] = []
    for span_start, span_end, rate in spans:
        if not rate:
            continue
        for window_start, window_end in allowed:
            start, end = max(span_start, window_start), min(span_end, window_end)
            if start > end:
                continue
            index = bisect_right(days, start)
            cursor = start
            while True:
                upto = days[index] - DAY if index < len(days) and days[index] <= end else end
                principal = values[index - 1] if index else base
                if principal > 0:
                    _add(found, principal, cursor, upto, rate)
                if upto >= end:
                    break
                cursor = upto + DAY
                index += 1
    return found


def _add(found: list[Period], principal: Decimal, start: date, end: date, rate: Decimal) -> None:
    if found and found[-1].principal == principal and found[-1].rate == rate and found[-1].end + DAY == start:
        start = found.pop().start
    days = (end - start).days + 1
    found.append(Period(principal, start, end, days, rate, principal * rate * days))


def total(found: Iterable[Period], currency: str) -> Decimal:
    """The item's interest: the exact sum of its periods, rounded half up once."""
    numerator = sum((p.numerator for p in found), ZERO)
    return money.round_half_up(numerator / (100 * DAYS_A_YEAR), currency)


def interest_on(track: Track, terms: Terms, as_of: date, holds: Holds, agreed: date | None = None,
                only: Sequence[Window] | None = None) -> Charge | None:
    """Interest on one debt or installment up to D; `only` narrows the days (a frozen plan's broken days)."""
    first = track.due + DAY
    if first > as_of:
        return None
    allowed = windows(first, as_of, terms, holds)
    if only is not None:
        allowed = intersect(allowed, only)
    if not allowed:
        return None
    days, values = steps(track, agreed)
    spans = rate_spans(terms, track.agreed_due, allowed[0][0], allowed[-1][1])
    found = periods(track.amount, days, values, allowed, spans)
    if not found:
        return None
    amount = total(found, terms.currency)
    last = found[-1]
    daily = last.daily if last.end == as_of else ZERO
    if amount <= 0 and not daily:
        return None
    dates = tuple(reference_dates(terms, track.agreed_due, found[0].start, found[-1].end))
    return Charge("interest", track.label, track.source, found[0].start, amount, tuple(found), daily, ZERO, dates,
                  track.amount)


def needed_rate_dates(terms: Terms, due: date, as_of: date, holds: Holds = ()) -> list[date]:
    """The reference dates interest on a debt due on `due` reads up to D (for check: missing or stale rates)."""
    first = due + DAY
    allowed = windows(first, as_of, terms, holds) if first <= as_of else []
    if not allowed or terms.rule not in RULE_TABLE:
        return []
    return reference_dates(terms, due, allowed[0][0], allowed[-1][1])


# --- compensation ---------------------------------------------------------------


def compensation_amount(terms: Terms, invoice_amount: Decimal) -> Decimal:
    """The fixed sum per invoice: £40 / £70 / £100 by the invoice amount (1998 Act); €40 (2011/7/EU)."""
    if terms.rule == "late-payment-act":
        if invoice_amount < 1000:
            return Decimal(40)
        return Decimal(70) if invoice_amount < 10000 else Decimal(100)
    if terms.rule == "eu-late-payment":
        return Decimal(40)
    return ZERO


def compensation_day(due: date, holds: Holds) -> date:
    """The day after `due`, or the first day after the hold it falls in."""
    return holding.first_day_outside(due + DAY, holds)


def compensation_on(track: Track, terms: Terms, as_of: date, holds: Holds,
                    plan_agreed: date | None, earlier: dict[str, date] | None = None) -> Charge | None:
    """Compensation on one invoice, if owed by D: unsettled on its day, and no plan agreed by then covers it.

    `earlier` maps an invoice's note id to the day an earlier (since
    superseded) plan that covered part of it was agreed.
    """
    fixed = compensation_amount(terms, track.amount)
    if track.kind != "invoice" or not terms.compensation or not fixed:
        return None
    day = compensation_day(track.due, holds)
    if day > as_of:
        return None
    if plan_agreed is not None and plan_agreed <= day and track.covered > 0:
        return None
    if earlier and track.source in earlier and earlier[track.source] <= day:
        return None
    paid = sum((amount for when, amount in track.pieces if when <= day), ZERO)
    if paid >= track.amount:
        return None
    return Charge("compensation", track.ref or track.label, track.source, day, money.to_minor(fixed, terms.currency),
                  principal=track.amount)


__all__ = ["Charge", "Period", "Terms", "LAW", "act_reference_date", "broken_windows", "compensation_amount",
           "compensation_day", "compensation_on", "interest_on", "rate_spans", "reference_dates", "windows"]
