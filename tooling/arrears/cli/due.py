"""`arrears due` and `arrears show`: thin commands around the ledger, registered in cli.py.

Both refuse to compute from records with errors (exit 1): figures from
half-understood records would be worse than none. That includes errors only
`check` finds, such as a plan covering more than was owed.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import click

from arrears.rules import check as checking
from arrears.views import report
from arrears.cli.app import (as_of_option, at_option, exit_for_errors, format_option, locate_root, open_portfolio,
                  resolve_as_of, root_option)
from arrears.ledger.figures import PortfolioFigures
from arrears.git.history import history_at
from arrears.ledger.compute import collect, compute_case, compute_portfolio
from arrears.records.load import load_settings
from arrears.records.model import Portfolio
from arrears.ledger.summary import summaries
from arrears.views.statement import statement

FORMATS = {"table": report.due_table, "json": report.due_json, "csv": report.due_csv}


def _known(portfolio: Portfolio, case_id: str, at: str | None = None) -> bool:
    """A case that loaded, or a case folder whose records have errors (reported next, exit 1)."""
    if portfolio.case(case_id) is not None:
        return True
    if at is not None:  # --at: the folder on disk says nothing about the commit
        return any(p.path.startswith(f"cases/{case_id}/") for p in portfolio.problems)
    return portfolio.root is not None and "/" not in case_id and (portfolio.root / "cases" / case_id).is_dir()


def _checked(portfolio: Portfolio, as_of: date) -> None:
    exit_for_errors(replace(portfolio, problems=tuple(checking.check(portfolio, as_of))))


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
    """
    if at is None:
        figures = _due_here(root, as_of, cases)
    else:
        portfolio = open_portfolio(root, at)
        _refuse_unknown([case_id for case_id in cases if not _known(portfolio, case_id, at)])
        day = resolve_as_of(as_of, portfolio)
        _checked(portfolio, day)
        if cases:
            portfolio = replace(portfolio, cases=tuple(c for c in portfolio.cases if c.id in set(cases)))
        figures = compute_portfolio(portfolio, day)
    click.echo(FORMATS[output_format](figures), nl=False)


def _due_here(root: Path | None, as_of: date | None, cases: tuple[str, ...]) -> PortfolioFigures:
    """The working tree's figures, computed on every core where each case is parsed (see `summaries`)."""
    found = locate_root(root)
    settings = load_settings(found)
    day = resolve_as_of(as_of, settings)
    figures, problems = summaries(found, day)
    loaded = {f.case.id for f in figures.cases}
    _refuse_unknown([case_id for case_id in cases if case_id not in loaded
                     and ("/" in case_id or not (found / "cases" / case_id).is_dir())])
    exit_for_errors(Portfolio(settings, (), tuple(problems), root=found))
    if cases:
        figures = collect(day, (f for f in figures.cases if f.case.id in set(cases)))
    return figures


def _refuse_unknown(unknown: list[str]) -> None:
    if unknown:
        raise click.UsageError(f"no such case: {', '.join(unknown)} (cases are the folders under cases/)")


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
    portfolio = open_portfolio(root, at)
    if not _known(portfolio, case_id, at):
        raise click.UsageError(f"no such case: {case_id} (cases are the folders under cases/)")
    day = resolve_as_of(as_of, portfolio)
    _checked(portfolio, day)
    case = portfolio.case(case_id)
    assert case is not None  # a case folder without errors always loads
    history = history_at(portfolio.root, at) if portfolio.root is not None else None
    recorded = {note.id: history.note_recorded(case.id, note.id) for note in case.notes} if history else None
    click.echo(statement(compute_case(case, portfolio.settings, day), recorded=recorded), nl=False)
