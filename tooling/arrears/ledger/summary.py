"""What a listing needs of a case: the small value workers send back and the build cache keeps.

`due`, the site's dashboard, due.json/due.csv and the agenda list every case
but show only its totals, state, plan status, promises and contact details.
Workers that parsed a case compute its figures and send back a `CaseSummary`,
never the whole case: pickling 50,000 notes costs more than parsing them.

A summary is its own type, not a `CaseFigures` with fields emptied: a view
that reaches for a case's notes, items or balance history fails loudly on a
summary instead of silently showing nothing. It answers the names listings
use (`case.id`, `balance`, `plan.status`, `follow_up_due`, ...) the same way
`CaseFigures` does, so a template renders either.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from arrears.pickled import fast_pickle
from arrears.ledger.compute import compute_case
from arrears.ledger.figures import CaseFigures, NextDue, PlanStatus, PromiseFigures, Totals, follow_up_is_due
from arrears.records.model import Case, Contact, Debtor, Settings


@fast_pickle
@dataclass(frozen=True, slots=True)
class CaseCard:
    """A case as a listing shows it: who owes, in what currency, who handles it; none of its records."""

    id: str
    debtor: Debtor
    currency: str
    opened: date
    owner: str | None
    status: str
    tags: tuple[str, ...]
    circumstances: tuple[str, ...]
    vulnerable: bool
    do_not_contact: tuple[str, ...]

    @property
    def preferred_contact(self) -> Contact | None:
        """As `Case.preferred_contact`."""
        allowed = [c for c in self.debtor.contacts if c.channel not in self.do_not_contact]
        return next((c for c in allowed if c.preferred), allowed[0] if allowed else None)


@fast_pickle
@dataclass(frozen=True, slots=True)
class PlanSummary:
    """The active plan's standing: which plan, how it is going, how many installments are paid."""

    id: str
    agreed: date
    amount: Decimal
    status: PlanStatus
    missed: int
    paid: int
    total: int


@fast_pickle
@dataclass(frozen=True, slots=True)
class CaseSummary:
    """A case's figures as of a date, without its records' text or per-event detail."""

    case: CaseCard
    as_of: date
    state: str
    totals: Totals
    overdue: Decimal
    days_past_due: int
    next_due: NextDue | None
    aging: dict[str, Decimal]
    plan: PlanSummary | None
    promises: tuple[PromiseFigures, ...]
    follow_up: date | None
    disputed: bool
    interest_daily: Decimal = Decimal(0)

    @property
    def currency(self) -> str:
        return self.case.currency

    @property
    def balance(self) -> Decimal:
        return self.totals.balance

    @property
    def follow_up_due(self) -> bool:
        """As `CaseFigures.follow_up_due`."""
        return follow_up_is_due(self.follow_up, self.as_of, self.state)


def card(case: Case) -> CaseCard:
    return CaseCard(case.id, case.debtor, case.currency, case.opened, case.owner, case.status, case.tags,
                    case.circumstances, case.vulnerable, case.do_not_contact)


def summarize(figures: CaseFigures) -> CaseSummary:
    """The figures a listing needs, with the records' text and per-event detail left out."""
    plan = figures.plan
    standing = None if plan is None else PlanSummary(plan.plan.id, plan.plan.agreed, plan.amount, plan.status,
                                                     plan.missed, plan.paid, plan.total)
    return CaseSummary(card(figures.case), figures.as_of, figures.state, figures.totals, figures.overdue,
                       figures.days_past_due, figures.next_due, figures.aging, standing, figures.promises,
                       figures.follow_up, figures.disputed, figures.interest_daily)


def summarize_case(case: Case, settings: Settings, as_of: date) -> CaseSummary:
    """A case's figures as of `as_of`, summarized (in the worker that parsed it)."""
    return summarize(compute_case(case, settings, as_of))


Listed = CaseFigures | CaseSummary
"""What a listing renders a case from: its full figures (`build --at`, `show`) or its summary."""
