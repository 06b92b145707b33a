"""`arrears export`: the books as CSV, JSON, an hledger journal or a beancount ledger.

Thin: load, check and compute through `pipeline`, on every core as `due` does
(a case with errors is left out and listed, exit 1, so the books never show
figures `due` would not): each worker sends back the transactions (or the
table rows) of the cases it parsed, never the cases; then `export` writes the text, print it or write it to --output (never over an
existing file without --force, so a hand-edited journal is never lost).
"""

from __future__ import annotations

import os
from datetime import date
from functools import partial
from pathlib import Path

import click

from arrears import pipeline
from arrears.views import export as exporting
from arrears.cli.app import (as_of_option, finish, format_option, locate_root, no_such_case, resolve_as_of, root_option,
                             stop_if_fatal)
from arrears.records.load import load_settings
from arrears.records.model import Case, Settings


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
    parquet = _parquet() if output_format == "parquet" else None
    if parquet is not None:
        _check_folder(parquet, output, force)
    found = locate_root(root)
    day = resolve_as_of(as_of, load_settings(found))
    settings, results, verdict = pipeline.map_accepted(
        found, day, partial(_exported, as_of=day, output_format=output_format, wanted=frozenset(case_ids)))
    stop_if_fatal(verdict)
    known = {case_id for case_id, _ in results} | set(verdict.excluded)
    unknown = sorted(set(case_ids) - known)
    if unknown:
        raise click.UsageError(no_such_case(unknown, known))
    parts = [part for _, part in results if part is not None]
    if parquet is not None:
        _write_parquet(parquet, parquet.tables_of(parts), output)  # type: ignore[arg-type]
        finish(verdict)
        return
    if output_format == "json":  # rendered in the workers, transaction by transaction
        ordered = sorted((piece for found in parts for piece in found), key=lambda piece: piece[0])  # type: ignore[attr-defined]
        text = exporting.json_of_pieces([text for _, text in ordered], day)
    else:
        text = exporting.render_booked(exporting.in_order(parts), day, settings, output_format)  # type: ignore[arg-type]
    if output is None:
        click.echo(text, nl=False)
        finish(verdict)
        return
    try:
        with open(output, "w" if force else "x", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
    except FileExistsError:
        raise click.UsageError(f"{output} already exists: choose another file, or pass --force to replace it") from None
    except OSError as error:
        raise click.UsageError(f"cannot write {output}: {error.strerror or error}") from None
    click.echo(f"wrote {os.fspath(output)}", err=True)
    finish(verdict)


def _exported(case: Case, settings: Settings, as_of: date, output_format: str, wanted: frozenset[str]
              ) -> tuple[str, object]:
    """In the worker that parsed the case: its transactions, or its rows of the tables (None: not asked for)."""
    if wanted and case.id not in wanted:
        return case.id, None
    if output_format == "parquet":
        from arrears.views import parquet

        return case.id, parquet.case_rows(case, settings, as_of)
    booked = exporting.booked_case(case, settings, as_of)
    if output_format == "json":
        return case.id, [(t.sort_key, exporting.json_piece(t)) for t in booked]
    return case.id, booked


def _parquet():
    try:
        from arrears.views import parquet
    except ImportError:
        raise click.UsageError("--format parquet needs pyarrow: pip install 'arrears[parquet]'") from None
    return parquet


def _check_folder(parquet, folder: Path | None, force: bool) -> None:
    """Parquet is binary and several files: it goes into a folder, never to a terminal."""
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


def _write_parquet(parquet, tables: dict, folder: Path) -> None:
    try:
        written = parquet.write_tables(tables, folder)
    except OSError as error:
        raise click.UsageError(f"cannot write {folder}: {error.strerror or error}") from None
    click.echo(f"wrote {len(written)} tables to {os.fspath(folder)}", err=True)
