"""Checks that need more than one record: references, duplicates, suspicious dates.

Each rule is a small function `(case, context) -> problems`; `check` runs them
all and adds the problems found while loading, so one run shows everything.
`RULES`, at the end, lists every rule explicitly, so what `check` enforces has
one home (the contact rules live in `contact` and are named there too).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Callable, Iterable, Iterator

from arrears import money
from arrears.ledger.compute import plan_basis
from arrears.records.model import MAX_INSTALLMENTS
from arrears.rules import breathing, claim, interest
from arrears.rules.contact import contact_problems
from arrears.rules.scaffolding import untouched_scaffold_text

from arrears.problems import Problem, sort_problems
from arrears.records.model import Case, Invoice, Payment, Dispute, Portfolio, Settings


@dataclass(frozen=True, slots=True)
class Context:
    settings: Settings
    today: date


Rule = Callable[[Case, Context], Iterable[Problem]]


def check(portfolio: Portfolio, today: date) -> list[Problem]:
    """Every problem in the portfolio, sorted: load problems plus every rule's findings."""
    found = list(portfolio.problems)
    for case in portfolio.cases:
        found += check_case(case, portfolio.settings, today)
    return sort_problems(found)


def check_case(case: Case, settings: Settings, today: date) -> list[Problem]:
    """Every rule's findings for one case (runs in a worker process for large portfolios)."""
    context = Context(settings, today)
    return [problem for case_rule in RULES for problem in case_rule(case, context)]


def _invoices(case: Case) -> Iterator[tuple]:
    for note in case.notes:
        if isinstance(note.detail, Invoice):
            yield note, note.detail


def unique_invoice_refs(case: Case, context: Context) -> Iterator[Problem]:
    """An invoice number names one invoice; a correcting invoice keeps its number (spec 4), so an
    invoice that another note corrects does not take part."""
    corrected = {note.corrects for note in case.notes if note.corrects}
    seen: dict[str, str] = {}
    for note, invoice in _invoices(case):
        if note.id in corrected:
            continue
        if invoice.ref in seen:
            yield note.source.problem("ref", "duplicate-ref",
                                      f"invoice ref {invoice.ref!r} is already used by note {seen[invoice.ref]}")
        else:
            seen[invoice.ref] = note.id


def references_resolve(case: Case, context: Context) -> Iterator[Problem]:
    refs = {invoice.ref for _, invoice in _invoices(case)}
    note_ids = {note.id for note in case.notes} | case.unreadable
    plan_ids = {plan.id for plan in case.plans} | case.unreadable
    for note in case.notes:
        detail = note.detail
        if isinstance(detail, Payment) and detail.applies_to and detail.applies_to not in refs:
            yield note.source.problem("applies_to", "unknown-ref",
                                      f"applies_to {detail.applies_to!r} names no invoice in this case")
        if isinstance(detail, Dispute) and detail.ref and detail.ref not in refs:
            yield note.source.problem("ref", "unknown-ref", f"ref {detail.ref!r} names no invoice in this case")
        if note.corrects:
            if note.corrects == note.id:
                yield note.source.problem("corrects", "unknown-note", "a note cannot correct itself")
            elif note.corrects not in note_ids:
                yield note.source.problem("corrects", "unknown-note",
                                          f"corrects {note.corrects!r} names no note in cases/{case.id}/notes/")
    for plan in case.plans:
        if plan.supersedes and (plan.supersedes not in plan_ids or plan.supersedes == plan.id):
            yield plan.source.problem("supersedes", "unknown-plan",
                                      f"supersedes {plan.supersedes!r} names no other plan in cases/{case.id}/plans/")


def corrections_come_later(case: Case, context: Context) -> Iterator[Problem]:
    """A correction dated before what it corrects. A day without a time means "some time that day", so a
    correction dated the same day as a timed note is not before it (docs/records.md, "Corrections")."""
    for note in case.notes:
        target = case.note(note.corrects) if note.corrects else None
        if target and (note.date < target.date or (note.date == target.date and note.time and target.time
                                                   and note.time < target.time)):
            yield note.source.problem("corrects", "correction-before-note",
                                      f"this correction is dated before the note it corrects ({target.id})", "warning")


def dates_make_sense(case: Case, context: Context) -> Iterator[Problem]:
    for note in case.notes:
        if note.date > context.today:
            yield note.source.problem("date", "future-date",
                                      f"dated {note.date}, after today ({context.today}): typo, or not yet happened?",
                                      "warning")
        if note.promise and note.promise.by < note.date:
            yield note.source.problem("promise.by", "promise-in-past",
                                      "the promise's 'by' date is before the note's own date", "warning")
        if isinstance(note.detail, Invoice) and note.detail.due < note.detail.issued:
            yield note.source.problem("due", "due-before-issued", "the invoice falls due before it was issued",
                                      "warning")
    for plan in case.plans:
        if plan.agreed > context.today:
            yield plan.source.problem("agreed", "future-date",
                                      f"agreed {plan.agreed}, after today ({context.today})", "warning")


def newer_plans_name_what_they_replace(case: Case, context: Context) -> Iterator[Problem]:
    for earlier, later in zip(case.plans, case.plans[1:]):
        if later.supersedes is None:
            yield later.source.problem("agreed", "plan-no-supersedes",
                                       f"this plan replaces {earlier.id}: say so with 'supersedes: {earlier.id}'",
                                       "warning")


def no_promises_on_closed_cases(case: Case, context: Context) -> Iterator[Problem]:
    if case.status != "closed":
        return
    for note in case.notes:
        if note.promise and note.promise.by >= note.date:
            yield note.source.problem("promise", "promise-on-closed",
                                      "a promise recorded on a closed case: reopen the case (status: active) "
                                      "or leave the promise out", "warning")


def plans_cover_no_more_than_is_owed(case: Case, context: Context) -> Iterator[Problem]:
    """A plan's amount may not exceed the balance from everything dated before `agreed` (spec 5)."""
    for plan in case.plans:
        covers = plan.amount if plan.amount is not None else (
            sum((part.amount for part in plan.installments), Decimal(0)) if plan.installments else None)
        if covers is None:
            size = plan.schedule.installment if plan.schedule else None
            basis = plan_basis(case, plan, context.today, context.settings)
            if size and basis / size > MAX_INSTALLMENTS:
                yield plan.source.problem("schedule.installment", "bad-number",
                                          f"installment {money.plain(size, case.currency)} would split the balance "
                                          f"of {money.plain(basis, case.currency)} into more than "
                                          f"{MAX_INSTALLMENTS} parts")
            continue
        basis = plan_basis(case, plan, context.today, context.settings)
        if covers > basis:
            key = "amount" if plan.amount is not None else "installments"
            yield plan.source.problem(key, "plan-exceeds-balance",
                                      f"the plan covers {money.plain(covers, case.currency)} but the balance "
                                      f"from everything dated before {plan.agreed} is "
                                      f"{money.plain(basis, case.currency)}")


def contact_rules(case: Case, context: Context) -> Iterable[Problem]:
    """A warning for each recorded contact that broke a contact rule at the time (see `contact`)."""
    return contact_problems(case, context.settings)


RULES: tuple[Rule, ...] = (
    unique_invoice_refs,
    references_resolve,
    corrections_come_later,
    dates_make_sense,
    newer_plans_name_what_they_replace,
    no_promises_on_closed_cases,
    plans_cover_no_more_than_is_owed,
    contact_rules,
    interest.rule_fits_the_case,
    interest.rates_are_known,
    breathing.no_fees_inside,
    breathing.no_contact_inside,
    claim.no_escalation_while_awaiting_reply,
    untouched_scaffold_text,
)
"""Every rule `check` runs on each case, in order: listed here, as beancount lists its validations.
To add one, write a function `(case, context) -> problems` above and name it here."""
