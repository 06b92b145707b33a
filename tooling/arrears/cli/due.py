"""`arrears due` and `arrears show`: thin commands around the ledger, registered in cli.py.

Both go through `pipeline`: a case with errors (including those only `check`
finds, such as a plan covering more than was owed) is left out and listed,
every other case is shown, and the exit status is 1 while any case is left out.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import click

from arrears import pipeline
from arrears.views import report
from arrears.cli.app import (as_of_option, at_option, finish, format_option, load_checked, locate_root,
                             no_such_case, refuse_excluded, refuse_unknown, resolve_as_of, root_option,
                             stop_if_fatal)
from arrears.ledger.figures import PortfolioFigures
from arrears.git.history import history_at
from arrears.ledger.compute import collect, compute_case, compute_portfolio
from arrears.records.load import load_settings
from arrears.views.statement import statement

FORMATS = {"table": report.due_table, "json": report.due_json, "csv": report.due_csv}


@click.command()
@root_option
@as_of_option
@at_option
@format_option("table", "json", "csv")
@click.argument("cases", nargs=-1, metavar="[CASE]...")
def due(root: Path | None, as_of: date | None, at: str | None, output_format: str, cases: tuple[str, ...]) -> None:
    """What is due per case as of a date: balance, overdue, next due, plan, promises.

    Name CASEs to show only those. JSON and CSV give money as plain strings
    with the currency's minor-unit digits; the table totals per currency.

    \b
    Columns:
      STATE      where the case stands (below)
      BALANCE    everything owed now: invoices and fees (and interest)
                 less payments and credits
      OVERDUE    the part of it past its due date (for a plan: installments
                 past due)
      DAYS       days since the oldest overdue amount fell due
      NEXT DUE   the next date something falls due, and how much
      FOLLOW-UP  the latest follow_up a note set
      INTEREST   interest and compensation included in the balance
    A * after the debtor: vulnerable, gentle tone only.

    \b
    States (the first that holds):
      closed       status: closed in case.md
      settled      nothing is owed
      breathing-space  inside a Debt Respite Scheme breathing space: no
                   interest, fees or demands until it ends
      disputed     an open dispute: not chased until resolved
      on-hold      status: on-hold in case.md
      plan-broken  a plan with [plans] broken_after installments missed
      plan-behind  a plan with an installment missed
      in-plan      a plan being kept to
      overdue      money past its due date, and no active plan
      current      owed, but nothing past due yet
    """
    if at is None:
        figures, verdict = _due_here(root, as_of, cases)
    else:
        found, day = load_checked(root, as_of, at)
        refuse_unknown(found, cases)
        portfolio, verdict = found.portfolio, found.verdict
        if cases:
            portfolio = replace(portfolio, cases=tuple(c for c in portfolio.cases if c.id in set(cases)))
        figures = compute_portfolio(portfolio, day)
    click.echo(FORMATS[output_format](figures), nl=False)
    finish(verdict)


def _due_here(root: Path | None, as_of: date | None, cases: tuple[str, ...]
              ) -> tuple[PortfolioFigures, pipeline.Verdict]:
    """The working tree's figures, computed on every core where each case is parsed (see `pipeline.summaries`)."""
    found = locate_root(root)
    day = resolve_as_of(as_of, load_settings(found))
    done = pipeline.summaries(found, day)
    stop_if_fatal(done.verdict)
    known = {f.case.id for f in done.figures.cases} | set(done.verdict.excluded)
    unknown = [case_id for case_id in cases if case_id not in known]
    if unknown:
        raise click.UsageError(no_such_case(unknown, known))
    figures = done.figures
    if cases:
        figures = collect(day, (f for f in figures.cases if f.case.id in set(cases)))
    return figures, done.verdict


@click.command()
@root_option
@as_of_option
@at_option
@click.argument("case_id", metavar="CASE")
def show(root: Path | None, as_of: date | None, at: str | None, case_id: str) -> None:
    """A statement of account for one case: contacts, totals, plan, promises, last notes.

    In a Git repository each note also says when, by whom and in which commit it
    was recorded.
    """
    found, day = load_checked(root, as_of, at)
    refuse_unknown(found, [case_id])
    refuse_excluded(found.verdict, case_id)
    portfolio = found.portfolio
    case = portfolio.case(case_id)
    assert case is not None  # a case folder without errors always loads
    history = history_at(portfolio.root, at) if portfolio.root is not None else None
    recorded = {note.id: history.note_recorded(case.id, note.id) for note in case.notes} if history else None
    click.echo(statement(compute_case(case, portfolio.settings, day), recorded=recorded), nl=False)
    finish(found.verdict)
