"""What the ledger computes for a case as of a date: the figures every view shows.

These frozen values are the contract between the ledger (which fills them)
and the views (due, show, site, agenda, remind, export), so views never
recompute money themselves. Field names follow records-v1 section 8.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

from arrears.pickled import fast_pickle
from arrears.records.model import Case, Plan

if TYPE_CHECKING:
    from arrears.ledger.summary import CaseSummary

AGING_BUCKETS = ("current", "1-30", "31-60", "61-90", "90+")
STATES = ("closed", "settled", "breathing-space", "disputed", "on-hold", "plan-broken", "plan-behind", "in-plan", "overdue", "current")

InstallmentState = Literal["paid", "upcoming", "due", "missed"]
PlanStatus = Literal["on-track", "behind", "broken", "completed"]
PromiseStatus = Literal["pending", "kept", "broken"]


@fast_pickle
@dataclass(frozen=True, slots=True)
class Totals:
    invoiced: Decimal
    fees: Decimal
    credits: Decimal  # credit notes plus earned plan discounts
    paid: Decimal
    balance: Decimal  # invoiced + fees + interest + compensation - credits - paid; negative: in credit
    interest: Decimal = Decimal(0)  # interest to D, each debt's rounded once (records-v1 section 10)
    compensation: Decimal = Decimal(0)  # fixed sums per invoice owed by D


@dataclass(frozen=True, slots=True)
class Item:
    """One debt as of D: an invoice, a fee, a plan installment, or interest or compensation on a debt."""

    kind: Literal["invoice", "fee", "installment", "interest", "compensation"]
    label: str  # invoice ref, fee reason, "Installment 3 of 6", or "Interest on INV-1"
    due: date
    amount: Decimal
    settled: Decimal
    source: str  # the note id or plan id it comes from
    covered: Decimal = Decimal(0)  # the part handed to the active plan (already taken out of `amount`)

    @property
    def unsettled(self) -> Decimal:
        return self.amount - self.settled


@dataclass(frozen=True, slots=True)
class InstallmentFigures:
    number: int  # 1-based
    due: date
    amount: Decimal
    paid: Decimal
    state: InstallmentState  # paid | upcoming (before due) | due (within grace) | missed
    settled_on: date | None = None  # the date it became fully paid


@dataclass(frozen=True, slots=True)
class PlanFigures:
    plan: Plan
    amount: Decimal  # what the plan covers
    status: PlanStatus
    installments: tuple[InstallmentFigures, ...]
    missed: int
    paid: int  # installments fully paid
    discount: Decimal = Decimal(0)  # the early-settlement discount earned (0 if none)
    discount_on: date | None = None  # the day the discount was earned
    basis: Decimal = Decimal(0)  # the balance from everything dated before `agreed`

    @property
    def id(self) -> str:
        return self.plan.id

    @property
    def total(self) -> int:
        return len(self.installments)


@fast_pickle
@dataclass(frozen=True, slots=True)
class PromiseFigures:
    note_id: str
    made: date
    amount: Decimal
    by: date
    paid: Decimal  # payments dated made..by
    status: PromiseStatus


@fast_pickle
@dataclass(frozen=True, slots=True)
class NextDue:
    date: date
    amount: Decimal


@dataclass(frozen=True, slots=True)
class BalancePoint:
    """The balance right after the events of one day, for the balance-over-time chart."""

    date: date
    balance: Decimal
    paid: Decimal  # payments received that day (0 if none)


@dataclass(frozen=True, slots=True)
class CaseFigures:
    case: Case
    as_of: date
    state: str  # one of STATES
    totals: Totals
    overdue: Decimal
    days_past_due: int
    next_due: NextDue | None
    aging: dict[str, Decimal]  # keys in AGING_BUCKETS order
    items: tuple[Item, ...]
    plan: PlanFigures | None  # the active plan, if any
    superseded: tuple[Plan, ...]  # earlier plans, ended when a later one was agreed
    promises: tuple[PromiseFigures, ...]
    follow_up: date | None
    disputed: bool
    corrected_by: dict[str, str]  # note id -> id of the note that corrects it (effective by D)
    history: tuple[BalancePoint, ...]
    interest_daily: Decimal = Decimal(0)  # what accrues on D itself, rounded half up
    charges: tuple = ()  # interest.Charge per debt and invoice: the workings (principal, from, to, days, rate)
    spaces: tuple = ()  # holds.Space: the breathing spaces that count on D (section 11)
    claim_window: object = None  # claim.Window: a letter of claim whose 30-day reply period D falls in

    @property
    def breathing_space(self):
        """The breathing space D falls inside (a holds.Space), or None."""
        return next((s for s in reversed(self.spaces) if s.covers(self.as_of, self.as_of)), None)

    @property
    def currency(self) -> str:
        return self.case.currency

    @property
    def balance(self) -> Decimal:
        return self.totals.balance

    @property
    def follow_up_due(self) -> bool:
        """A follow-up on or before D is an action only while the case is still being chased.

        A settled or closed case keeps its last follow-up date (spec 8), but
        nobody should be told it is late.
        """
        return follow_up_is_due(self.follow_up, self.as_of, self.state)


def follow_up_is_due(follow_up: date | None, as_of: date, state: str) -> bool:
    """The one rule behind `follow_up_due`, for the full figures and for a case's summary alike."""
    return follow_up is not None and follow_up <= as_of and state not in ("settled", "closed")


@dataclass(frozen=True, slots=True)
class PortfolioFigures:
    as_of: date
    cases: tuple[CaseFigures, ...] | tuple[CaseSummary, ...]  # sorted by case id (summaries: see `summary`)
    totals: dict[str, dict[str, Decimal]]  # currency -> {"balance": ..., "overdue": ...}
