"""Insight (records-v1 section 13): the KPIs a credit team is judged by, their trend, and a forecast.

Two steps, so a portfolio's figures never need every case in memory at once:

1. `contribution(case, ...)`: what one case adds to each sum the figures are
   made of (balances at each month-end, amounts issued in each window,
   promises and installments kept, roll-rate amounts, forecast per week).
   Small, picklable and additive: the site's build caches it per case, so
   one changed note recomputes one case's history, not the portfolio's.
2. `combine(as_of, contributions)`: the sums per currency turned into the
   figures (DSO, ADD, CEI, rates), where the divisions happen. Only here is
   anything divided; a zero denominator gives None (null), never an error.

Pure: no files, no clock.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Iterable, Union

from arrears.pickled import fast_pickle
from arrears import money
from arrears.ledger.compute import compute_case
from arrears.ledger.figures import CaseFigures
from arrears.ledger.periods import WEEKS, WINDOWS, Dates, months_before, weeks, windows
from arrears.ledger.timeline import installments_kept, plan_end, plan_lives, positions
from arrears.records.model import Case, Fee, Invoice, Settings

ZERO = Decimal(0)
ROLLING = ("current", "1-30", "31-60", "61-90")  # the buckets an item can roll out of (into the next one)
NEXT = {"current": "1-30", "1-30": "31-60", "31-60": "61-90", "61-90": "90+"}
STANDARD_DAYS = 90
OUTCOMES = ("completed", "broken", "superseded")
OVER_A_YEAR = ">365"

Days = Union[Decimal, str, None]  # a number of days, ">365", or None (nothing to divide by)


# --- one case's contribution -------------------------------------------------------------------


@fast_pickle
@dataclass(frozen=True, slots=True)
class Contribution:
    """What one case adds to its currency's sums, packed small: the site caches one per case.

    A sparse vector over `layout(D)`: `sums` maps a key's position in the
    layout to an integer (money in the currency's minor units, counts as
    counts); zeros are left out. Integers keyed by position pickle and add up
    several times faster than Decimals keyed by dates, and the layout is the
    same for every case as of the same D (only those are ever added together).
    """

    currency: str
    sums: dict[int, int]


@lru_cache(maxsize=4)
def layout(as_of: date) -> tuple[tuple, ...]:
    """Every sum a contribution as of D may hold, in a fixed order. The keys:

    ("ar", day), ("current", day), ("overdue", day) for each day in Dates.balances;
    ("issued", day, k) for each day in Dates.counted and count-back window k = 1..12;
    ("issued90",): issued in (D - 90 days, D];
    ("promises", "kept"|"broken", "count"|"amount"): promises with `by` in (D - 90 days, D];
    ("plans", outcome): plans ended in the last 12 months;
    ("roll", month_end, bucket, "from"|"to"): roll-rate denominators and numerators;
    ("scheduled", week), ("expected", week) for week = 1..13.
    """
    dates = Dates.of(as_of)
    keys: list[tuple] = []
    for day in dates.balances:
        keys += [("ar", day), ("current", day), ("overdue", day)]
    for day in dates.counted:
        keys += [("issued", day, k) for k in range(1, WINDOWS + 1)]
    keys.append(("issued90",))
    keys += [("promises", status, what) for status in ("kept", "broken") for what in ("count", "amount")]
    keys += [("plans", outcome) for outcome in OUTCOMES]
    keys += [("roll", end, bucket, side) for end in dates.ends for bucket in ROLLING for side in ("from", "to")]
    keys += [(name, week) for week in range(1, WEEKS + 1) for name in ("scheduled", "expected")]
    return tuple(keys)


@lru_cache(maxsize=4)
def _positions(as_of: date) -> dict[tuple, int]:
    return {key: n for n, key in enumerate(layout(as_of))}


def _is_count(key: tuple) -> bool:
    return key[0] == "plans" or key[-1] == "count"


def _pack(sums: dict[tuple, Decimal], as_of: date, currency: str) -> dict[int, int]:
    where = _positions(as_of)
    return {where[key]: int(value) if _is_count(key) else money.to_minor_int(value, currency)
            for key, value in sums.items() if value}


def _unpack(totals: list[int], as_of: date, currency: str) -> dict[tuple, Decimal]:
    found: dict[tuple, Decimal] = defaultdict(Decimal)
    for key, value in zip(layout(as_of), totals):
        if value:
            found[key] = Decimal(value) if _is_count(key) else money.from_minor_int(value, currency)
    return found


def contribution(case: Case, settings: Settings, as_of: date, figures: CaseFigures | None = None) -> Contribution:
    """What this case adds to the insight figures as of D (`figures`: its figures as of D, if at hand)."""
    if figures is None:
        figures = compute_case(case, settings, as_of)
    dates = Dates.of(as_of)
    sums: dict[tuple, Decimal] = defaultdict(Decimal)
    at = positions(case, settings, dates.balances, figures)
    for day, position in at.items():
        sums["ar", day] += position.balance
        sums["current", day] += position.aging["current"]
        sums["overdue", day] += position.overdue
    _issued(case, dates, sums)
    _rolls(at, dates, sums)
    for promise in figures.promises:
        if promise.status != "pending" and as_of - timedelta(days=STANDARD_DAYS) < promise.by <= as_of:
            sums["promises", promise.status, "count"] += 1
            sums["promises", promise.status, "amount"] += promise.amount
    lives = plan_lives(case, settings, as_of, figures)
    year_ago = months_before(as_of, 12)
    for life in lives:
        ended = plan_end(life)
        if ended is not None and year_ago < ended[1] <= as_of:
            sums["plans", ended[0]] += 1
    _forecast(figures, lives, sums)
    return Contribution(case.currency, _pack(sums, as_of, case.currency))


def _issued(case: Case, dates: Dates, sums: dict) -> None:
    """Invoices (by `issued`) and fees (by date) in each window, with the records as they stood each day."""
    corrected: dict[str, date] = {}
    for note in case.notes:
        if note.corrects:
            corrected[note.corrects] = min(note.date, corrected.get(note.corrects, note.date))
    charges = []
    for note in case.notes:
        if isinstance(note.detail, Invoice):
            charges.append((note.date, corrected.get(note.id), note.detail.issued, note.detail.amount))
        elif isinstance(note.detail, Fee):
            charges.append((note.date, corrected.get(note.id), note.date, note.detail.amount))
    if not charges:
        return
    standard_from = dates.as_of - timedelta(days=STANDARD_DAYS)
    for day in dates.counted:
        bounds = windows(day)[::-1]  # oldest first: window k is (bounds[12-k], bounds[13-k]]
        for dated, corrected_on, issued, amount in charges:
            if dated > day or (corrected_on is not None and corrected_on <= day):
                continue
            if bounds[0] < issued <= day:
                k = WINDOWS + 1 - bisect_left(bounds, issued)
                sums["issued", day, k] += amount
            if day == dates.as_of and standard_from < issued <= day:
                sums["issued90",] += amount


def _rolls(at: dict, dates: Dates, sums: dict) -> None:
    """For each month-end M: per bucket at M-1, the amount there, and what of it is in the next bucket at M."""
    ends = (dates.previous, *dates.ends)
    buckets = {day: _buckets(at[day].items, day) for day in ends}
    for before, end in zip(ends, ends[1:]):
        later = buckets[end]
        for key, (bucket, unsettled) in buckets[before].items():
            if bucket not in NEXT:
                continue
            sums["roll", end, bucket, "from"] += unsettled
            moved = later.get(key)
            if moved is not None and moved[0] == NEXT[bucket]:
                sums["roll", end, bucket, "to"] += moved[1]


def _buckets(items, day: date) -> dict[tuple, tuple[str, Decimal]]:
    """Each unsettled item by its identity (kind, note or plan, position): its aging bucket and amount."""
    found: dict[tuple, tuple[str, Decimal]] = {}
    seen: dict[tuple, int] = defaultdict(int)
    for item in sorted(items, key=lambda i: (i.kind, i.source, i.due, i.label)):
        place = (item.kind, item.source)
        seen[place] += 1
        if item.unsettled <= 0:
            continue
        days = (day - item.due).days
        bucket = ("current" if days <= 0 else "1-30" if days <= 30 else "31-60" if days <= 60
                  else "61-90" if days <= 90 else "90+")
        found[(*place, seen[place])] = (bucket, item.unsettled)
    return found


def _forecast(figures: CaseFigures, lives, sums: dict) -> None:
    """Scheduled: the larger of pending promises and the plan's installments per week; expected: that
    times the debtor's track record, rounded half up per week."""
    as_of, currency = figures.as_of, figures.currency
    promised = [ZERO] * WEEKS
    for promise in figures.promises:
        if promise.status == "pending":
            week = (promise.by - as_of).days // 7
            if 0 <= week < WEEKS:
                promised[week] += max(ZERO, promise.amount - promise.paid)
    planned = [ZERO] * WEEKS
    plan = figures.plan
    if plan is not None and plan.status != "broken":
        for part in plan.installments:
            week = (part.due - as_of).days // 7
            if 0 <= week < WEEKS:
                planned[week] += max(ZERO, part.amount - part.paid)
    kept, counted = installments_kept(lives, as_of)
    fell_due = [p for p in figures.promises if p.by < as_of]
    kept += sum(1 for p in fell_due if p.status == "kept")
    counted += len(fell_due)
    for week in range(WEEKS):
        scheduled = max(promised[week], planned[week])
        if scheduled:
            expected = scheduled if counted == 0 else money.round_money(scheduled * kept / counted, currency)
            sums["scheduled", week + 1] += scheduled
            sums["expected", week + 1] += expected


# --- the portfolio's figures -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Trend:
    """The figures at one month-end."""

    day: date
    ar: Decimal
    overdue: Decimal
    dso_count_back: Days
    cei: Decimal | None


@dataclass(frozen=True, slots=True)
class Week:
    number: int
    start: date
    end: date
    scheduled: Decimal
    expected: Decimal


@dataclass(frozen=True, slots=True)
class CurrencyInsight:
    """Every section 13 figure for one currency. Days and percents have 2 places; None: nothing to divide by."""

    currency: str
    ar: Decimal
    current: Decimal
    overdue: Decimal
    dso_count_back: Days
    dso_standard: Decimal | None
    add: Decimal | None
    cei: Decimal | None
    cei_from: date  # CEI's month is (cei_from, as_of]
    promises: dict[str, tuple[int, Decimal]]  # kept | broken -> (count, promised amount), `by` in the last 90 days
    promise_kept_rate: tuple[Decimal | None, Decimal | None]  # by count, by amount
    plan_outcomes: dict[str, int]  # completed | broken | superseded -> plans, in the last 12 months
    roll_rates: dict[date, dict[str, Decimal | None]]  # month-end -> bucket -> percent rolled into the next
    trends: tuple[Trend, ...]  # oldest first
    forecast: tuple[Week, ...]

    def scheduled_within(self, weeks: int = WEEKS) -> Decimal:
        return sum((w.scheduled for w in self.forecast[:weeks]), ZERO)

    def expected_within(self, weeks: int = WEEKS) -> Decimal:
        """What should arrive in the first `weeks` weeks (the dashboard shows 4)."""
        return sum((w.expected for w in self.forecast[:weeks]), ZERO)


@dataclass(frozen=True, slots=True)
class Insight:
    as_of: date
    currencies: dict[str, CurrencyInsight]  # sorted by code


def portfolio_insight(cases: Iterable[Case], settings: Settings, as_of: date) -> Insight:
    """The figures from whole cases (the CLI and the full build go through `contribution` per case)."""
    return combine(as_of, (contribution(case, settings, as_of) for case in cases))


def combine(as_of: date, contributions: Iterable[Contribution]) -> Insight:
    """Add the cases' contributions up per currency and work out the figures."""
    sums = Sums(as_of)
    for part in contributions:
        sums.add(part)
    return sums.insight()


class Sums:
    """The running sums of `combine`, for a caller that meets the cases one at a time. Every sum
    is an integer, so a case can be taken out again exactly (`remove`)."""

    def __init__(self, as_of: date):
        self.as_of = as_of
        self.size = len(layout(as_of))
        self.totals: dict[str, list[int]] = {}
        self.cases: dict[str, int] = {}  # currency -> the cases that added to it

    def add(self, part: Contribution, sign: int = 1) -> None:
        sums = self.totals.get(part.currency)
        if sums is None:
            if sign < 0:
                raise KeyError(f"no case in {part.currency} to take out")
            sums = self.totals[part.currency] = [0] * self.size
            self.cases[part.currency] = 0
        for position, value in part.sums.items():
            sums[position] += sign * value
        self.cases[part.currency] += sign
        if not self.cases[part.currency]:  # as if no case in it had been met
            del self.totals[part.currency], self.cases[part.currency]

    def remove(self, part: Contribution) -> None:
        """Take out a case `add` met before."""
        self.add(part, -1)

    def merge(self, other: Sums) -> None:
        """Add in the sums of other cases (met elsewhere, a worker's part of a build)."""
        if other.as_of != self.as_of:
            raise ValueError(f"sums as of {other.as_of} cannot join sums as of {self.as_of}")
        for currency, sums in other.totals.items():
            mine = self.totals.setdefault(currency, [0] * self.size)
            for position, value in enumerate(sums):
                mine[position] += value
            self.cases[currency] = self.cases.get(currency, 0) + other.cases[currency]

    def insight(self) -> Insight:
        dates = Dates.of(self.as_of)
        return Insight(self.as_of, {currency: _figures(currency, _unpack(self.totals[currency], self.as_of, currency), dates)
                                    for currency in sorted(self.totals)})


def _figures(currency: str, sums: dict[tuple, Decimal], dates: Dates) -> CurrencyInsight:
    as_of = dates.as_of
    ar, current = sums["ar", as_of], sums["current", as_of]
    issued90 = sums["issued90",]
    kept = (int(sums["promises", "kept", "count"]), sums["promises", "kept", "amount"])
    broken = (int(sums["promises", "broken", "count"]), sums["promises", "broken", "amount"])
    ends = dates.ends
    trends = tuple(
        Trend(day, sums["ar", day], sums["overdue", day], count_back(sums, day),
              cei(sums, day, months_before(day, 1)))
        for day in ends)
    rolls = {end: {bucket: percent(sums["roll", end, bucket, "to"], sums["roll", end, bucket, "from"])
                   for bucket in ROLLING} for end in ends}
    forecast = tuple(Week(n, start, end, sums["scheduled", n], sums["expected", n])
                     for n, (start, end) in enumerate(weeks(as_of), start=1))
    return CurrencyInsight(
        currency=currency,
        ar=ar,
        current=current,
        overdue=sums["overdue", as_of],
        dso_count_back=count_back(sums, as_of),
        dso_standard=_days(ar * STANDARD_DAYS, issued90),
        add=_days((ar - current) * STANDARD_DAYS, issued90),
        cei=cei(sums, as_of, dates.before),
        cei_from=dates.before,
        promises={"kept": kept, "broken": broken},
        promise_kept_rate=(percent(Decimal(kept[0]), Decimal(kept[0] + broken[0])),
                           percent(kept[1], kept[1] + broken[1])),
        plan_outcomes={outcome: int(sums["plans", outcome]) for outcome in OUTCOMES},
        roll_rates=rolls,
        trends=trends,
        forecast=forecast,
    )


def count_back(sums: dict[tuple, Decimal], day: date) -> Days:
    """DSO by the count-back method as of `day`: how many days of the latest sales the balance is.

    Walk back month by month: a month's sales wholly inside what is still owed
    add its days; the month that holds the rest adds its share of days.
    """
    remaining = sums["ar", day]
    if remaining <= 0:
        return money.two_places(ZERO)
    bounds = windows(day)
    total = ZERO
    for k in range(1, WINDOWS + 1):
        length = (bounds[k - 1] - bounds[k]).days
        issued = sums["issued", day, k]
        if remaining >= issued:
            total += length
            remaining -= issued
            if remaining == 0:
                return money.two_places(total)
        else:
            return money.two_places(total + remaining / issued * length)
    return OVER_A_YEAR


def cei(sums: dict[tuple, Decimal], day: date, start: date) -> Decimal | None:
    """Collection effectiveness for the month (start, day]: what was collected of what could have been."""
    opening = sums["ar", start] + sums["issued", day, 1]
    return percent(opening - sums["ar", day], opening - sums["current", day])


def percent(part: Decimal, whole: Decimal) -> Decimal | None:
    return None if whole == 0 else money.two_places(part * 100 / whole)


def _days(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    return None if denominator == 0 else money.two_places(numerator / denominator)
