"""Checks for `interest:` in case.md (records-v1 section 10): a rule that fits the case, and rates that are known.

Plain functions `(case, context) -> problems`. The statutory rules fit only
business debts in their own currency; their reference-rate tables must hold
a rate for every date the interest reads, and a table whose last row is more
than 184 days before such a date may be missing a change.
"""

from __future__ import annotations

from typing import Iterator

from arrears.ledger import rates
from arrears.ledger.compute import accruing_dues
from arrears.ledger.interest import RULE_TABLE, Terms, needed_rate_dates
from arrears.problems import Problem
from arrears.records.model import Case

FITS = {"late-payment-act": ("GBP", "the Late Payment of Commercial Debts (Interest) Act 1998"),
        "eu-late-payment": ("EUR", "Directive 2011/7/EU")}


def rule_fits_the_case(case: Case, context) -> Iterator[Problem]:
    """late-payment-act: business debts in GBP; eu-late-payment: business debts in EUR."""
    rule = case.interest.rule
    if rule not in FITS:
        return
    currency, law = FITS[rule]
    if case.debtor.kind != "business":
        yield case.source.problem("interest.rule", "interest-rule-mismatch",
                                  f"interest rule {rule} ({law}) applies only between businesses, and the "
                                  f"debtor is kind: {case.debtor.kind}: use rule simple with the agreed rate, or none")
    if case.currency != currency:
        yield case.source.problem("interest.rule", "interest-rule-mismatch",
                                  f"interest rule {rule} ({law}) is for debts in {currency}, and this case is in "
                                  f"{case.currency}")


def rates_are_known(case: Case, context) -> Iterator[Problem]:
    """Every reference date the interest needs has a rate, from a table that is not stale on that date."""
    table_name = RULE_TABLE.get(case.interest.rule)
    if table_name is None or case.unreadable:
        return
    table = rates.tables(context.settings.rates)[table_name]
    terms = Terms.of(case.interest, case.currency, {table_name: table})
    needed = set()
    for due in set(accruing_dues(case, context.today)):
        needed.update(needed_rate_dates(terms, due, context.today))
    title = rates.TITLES[table_name]
    missing = sorted(day for day in needed if table.on(day) is None)
    if missing:
        yield case.source.problem("interest.rule", "rate-unknown",
                                  f"the {title} table has no rate in force on {missing[0]}: add it to "
                                  f"arrears.toml under [interest.rates.{table_name}]")
    stale = sorted(day for day in needed if table.on(day) is not None and table.stale_on(day))
    if stale:
        yield case.source.problem("interest.rule", "rate-table-stale",
                                  f"interest needs the {title} on {stale[-1]}, more than {rates.STALE_AFTER_DAYS} "
                                  f"days after the table's last row ({table.last}): add any change since to "
                                  f"arrears.toml under [interest.rates.{table_name}] (a row with the unchanged rate "
                                  "confirms it)", "warning")


__all__ = ["rule_fits_the_case", "rates_are_known"]
