"""`arrears export`: the books as CSV, JSON, an hledger journal or a beancount ledger.

Thin: load and check through `pipeline` (a case with errors is left out and
listed, exit 1, as `due` does, so the books never show figures `due` would not), compute the figures as of D, let
`export` write the text, print it or write it to --output (never over an
existing file without --force, so a hand-edited journal is never lost).
"""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import date
from pathlib import Path

import click

from arrears.views import export as exporting
from arrears.cli.app import as_of_option, finish, format_option, load_checked, refuse_unknown, root_option
from arrears.ledger.compute import compute_portfolio


@click.command()
@root_option
@format_option(*exporting.FORMATS, "parquet")
@as_of_option
@click.option("--output", "-o", type=click.Path(path_type=Path), default=None, metavar="PATH",
              help="Write to this file instead of standard output (for parquet: the folder to write the tables into).")
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists (for parquet: replace its tables).")
@click.argument("case_ids", nargs=-1, metavar="[CASE]...")
def export(root: Path | None, output_format: str, as_of: date | None, output: Path | None, force: bool,
           case_ids: tuple[str, ...]) -> None:
    """Every invoice, fee, payment, credit and earned discount up to --as-of as double-entry books.

    Each case has its own receivable account (Assets:Receivable:Acme-bakery),
    so its balance in hledger or beancount is the balance `arrears due` shows.
    A corrected note is reversed on the correcting note's date. Give case ids
    to export only those cases.

    \b
    --format parquet --output DIR writes the portfolio as Parquet tables
    (cases, figures, items, events, installments, promises; schema in
    docs/export.md) for DuckDB, Spark or Trino, e.g.
      arrears export --format parquet -o exports/client-a
      duckdb -c "SELECT currency, sum(balance) FROM 'exports/*/figures.parquet' GROUP BY 1"
    """
    found, as_of = load_checked(root, as_of)
    portfolio = found.portfolio
    refuse_unknown(found, case_ids)
    if case_ids:
        portfolio = replace(portfolio, cases=tuple(c for c in portfolio.cases if c.id in set(case_ids)))
    figures = compute_portfolio(portfolio, as_of)
    if output_format == "parquet":
        _write_parquet(figures, output, force)
        finish(found.verdict)
        return
    text = exporting.render(figures, portfolio.settings, output_format)
    if output is None:
        click.echo(text, nl=False)
        finish(found.verdict)
        return
    try:
        with open(output, "w" if force else "x", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
    except FileExistsError:
        raise click.UsageError(f"{output} already exists: choose another file, or pass --force to replace it") from None
    except OSError as error:
        raise click.UsageError(f"cannot write {output}: {error.strerror or error}") from None
    click.echo(f"wrote {os.fspath(output)}", err=True)
    finish(found.verdict)


def _write_parquet(figures, folder: Path | None, force: bool) -> None:
    """Parquet is binary and several files: it goes into a folder, never to a terminal."""
    try:
        from arrears.views import parquet
    except ImportError:
        raise click.UsageError("--format parquet needs pyarrow: pip install 'arrears[parquet]'") from None

    if folder is None:
        raise click.UsageError("--format parquet writes several files: name a folder with --output DIR")
    if folder.exists() and not folder.is_dir():
        raise click.UsageError(f"{folder} exists and is not a folder: --format parquet writes a folder of tables")
    existing = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
    if existing and not force:
        raise click.UsageError(f"{folder} is not empty: choose a new folder, or pass --force to replace its tables")
    ours = {f"{name}.parquet" for name in parquet.SCHEMAS}
    if existing and not set(existing) <= ours:
        raise click.UsageError(f"{folder} holds files that are not arrears tables "
                               f"({', '.join(sorted(set(existing) - ours))}): choose another folder")
    try:
        written = parquet.write(figures, folder)
    except OSError as error:
        raise click.UsageError(f"cannot write {folder}: {error.strerror or error}") from None
    click.echo(f"wrote {len(written)} tables to {os.fspath(folder)}", err=True)
