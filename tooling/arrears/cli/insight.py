"""`arrears insight`: a thin command around `ledger.insight`, registered in cli/app.py's COMMANDS."""

from __future__ import annotations

from datetime import date
from functools import partial
from pathlib import Path

import click

from arrears.cli.app import as_of_option, finish, format_option, locate_root, resolve_as_of, root_option, stop_if_fatal


@click.command()
@root_option
@as_of_option
@format_option("text", "json", "csv")
def insight(root: Path | None, as_of: date | None, output_format: str) -> None:
    """KPIs, 12-month trends and a 13-week forecast.

    What a credit team is judged by, how it moved over the last 12
    month-ends, and when the money should arrive.

    \b
    Per currency, as of --as-of (closed cases included: their money is real):
      AR, current          what is owed, and the part not yet due
      DSO                  days of sales owed: count-back (month by month
                           back from D) and standard (AR / last 90 days' sales x 90)
      ADD                  average days delinquent: DSO beyond what is not yet due
      CEI                  collection effectiveness for the month ending D, in %
      promises kept        of those due in the last 90 days, by count and by amount
      plan outcomes        plans completed, broken or superseded in 12 months
      roll rates           % of each aging bucket that moved to the next one
                           between consecutive month-ends
      trends               AR, overdue, DSO and CEI at the last 12 month-ends
      forecast             per week for 13 weeks: what is scheduled (promises,
                           installments) and what is expected given each
                           debtor's track record
    Every definition, with a worked example: docs/insight.md.

    \b
    JSON and CSV give money with the currency's minor-unit digits, days and
    percents with 2 places, as strings; null (an empty cell) where there is
    nothing to divide by. Records with errors are refused (exit 1), as `due` does.

    \b
    Example (the demo portfolio):
      $ arrears insight --as-of 2026-05-31 --format json | jq '.currencies.GBP.dso_count_back'
      "111.70"
    """
    from arrears import pipeline
    from arrears.ledger.insight import combine
    from arrears.records.load import load_settings
    from arrears.views import insight as views

    found = locate_root(root)
    day = resolve_as_of(as_of, load_settings(found))
    _, parts, verdict = pipeline.map_accepted(found, day, partial(_contribution, as_of=day))
    stop_if_fatal(verdict)
    formats = {"text": views.insight_text, "json": views.insight_json, "csv": views.insight_csv}
    click.echo(formats[output_format](combine(day, parts)), nl=False)
    finish(verdict)


def _contribution(case, settings, as_of: date):
    from arrears.ledger.insight import contribution

    return contribution(case, settings, as_of)
