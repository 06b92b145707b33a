"""`arrears import`: a thin command around `imports.run.import_file`."""

from __future__ import annotations

import sys
from collections import Counter
from datetime import date
from pathlib import Path

import click

from arrears.cli.app import DATE, locate_root, root_option

PROGRESS_FROM_BYTES = 100_000  # about 1,500 rows: smaller files are done before a bar would draw


@click.command("import")
@root_option
@click.argument("csv_file", metavar="FILE", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--from", "profile", required=True, metavar="SOURCE",
              help="What made FILE: xero, quickbooks, freeagent, or rules:FILE.rules for any other CSV.")
@click.option("--date", "today", type=DATE, default=None,
              help="The date of corrections, and of payments the source gives no date for. Default: today.")
@click.option("--date-format", default=None, metavar="FORMAT",
              help="How FILE writes dates, when not as its source usually does: e.g. %m/%d/%Y for a US Xero "
                   "export (Xero's default here is %d/%m/%Y; codes %d %m %Y %y %b %B).")
@click.option("--create-cases", is_flag=True, help="Open a case for each debtor not yet in cases/.")
@click.option("--dry-run", is_flag=True, help="Print the notes that would be written; write nothing.")
def import_(root: Path | None, csv_file: Path, profile: str, today: date | None, date_format: str | None,
            create_cases: bool, dry_run: bool) -> None:
    """Bring invoices, credit notes and payments in from an accounting export.

    Every invoice becomes an invoice note, every credit note a credit note,
    every amount paid a payment note (applies_to the invoice) for what the
    records do not hold yet. Each note names its origin in
    extra: {source, source_id}, so importing the same file again writes
    nothing, and a changed amount or due date writes a note that corrects
    the earlier one. Nothing is ever edited or deleted.

    \b
    All or nothing: if any row is not understood, or a debtor matches no
    case (by debtor.name, a contact e-mail or extra.source_names), nothing
    is written and each problem names its place:
      invoices.csv:17:5: error: DueDate: '31/02/2026' is not a real calendar date [bad-row]

    \b
    Examples:
      arrears import Invoices.csv --from xero --dry-run
      arrears import Invoices.csv --from xero --create-cases
      arrears import "A_R Aging Detail.csv" --from quickbooks --date 2026-04-01
      arrears import invoices.csv --from freeagent
      arrears import statement.csv --from rules:barclays.rules

    \b
    A bank statement (a rules file with `kind payment`) records each payment
    whose reference names exactly one invoice on that invoice's case; the
    others are listed, never guessed. See docs/import.md for how to export
    from each system and how to write a rules file.

    Exit status: 0 imported (or nothing to do), 1 nothing written because of
    the problems printed, 2 wrong usage.
    """
    from arrears import clock
    from arrears.imports.run import ProfileError, import_file
    from arrears.imports.write import WriteError
    from arrears.problems import format_text
    from arrears.records.load import load_settings

    found = locate_root(root)
    now = clock.today(load_settings(found))
    day = today or now
    bar = _Progress(csv_file)
    try:
        outcome = import_file(found, csv_file, profile, day, create_cases, dry_run, bar.update,
                              shown_path=click.format_filename(csv_file), now=now, date_format=date_format)
    except ProfileError as error:
        raise click.UsageError(str(error)) from None
    except WriteError as error:
        click.echo(f"arrears import: {error}", err=True)
        sys.exit(1)
    finally:
        bar.close()
    plan = outcome.plan
    if outcome.problems:
        click.echo(format_text(outcome.problems), err=True, nl=False)
        errors = len(outcome.problems)
        in_records = any(p.path.startswith(("cases/", "arrears.toml")) for p in outcome.problems)
        hint = " Fix the records first (arrears check): an import must read every note it could duplicate." \
            if in_records else ""
        click.echo(f"arrears import: {errors} problem{'s' if errors != 1 else ''}; nothing was written.{hint}",
                   err=True)
        sys.exit(1)
    if dry_run:
        _table(plan)
    _summary(outcome, csv_file)


class _Progress:
    """A progress bar on stderr for large files (and only on a terminal)."""

    def __init__(self, path: Path):
        self.large = path.stat().st_size > PROGRESS_FROM_BYTES and sys.stderr.isatty()
        self.bar = None
        self.stage = None
        self.done = 0

    def update(self, stage: str, done: int, total: int) -> None:
        if not self.large:
            return
        if stage != self.stage:
            self.close()
            self.bar = click.progressbar(length=total, label=stage.capitalize(), file=sys.stderr)
            self.bar.__enter__()
            self.stage, self.done = stage, 0
        if done - self.done >= 500 or done == total:
            self.bar.update(done - self.done)
            self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def _table(plan) -> None:
    from arrears import money

    rows = [("case", "note", "what", "amount", "date")]
    for case in plan.cases:
        rows.append((case.id, "case.md", "new case", "", ""))
    for note in plan.notes:
        draft = note.draft
        amount = money.plain(draft.amount, draft.currency) if draft.amount is not None else ""
        rows.append((note.case, f"notes/{note.id}.md", note.what, amount, draft.date.isoformat()))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    for row in rows:
        click.echo("  ".join(cell.rjust(widths[i]) if i == 3 else cell.ljust(widths[i])
                             for i, cell in enumerate(row)).rstrip())


def _summary(outcome, csv_file: Path) -> None:
    plan = outcome.plan
    counts = plan.counts()
    words = {"invoice": "invoice", "credit": "credit note", "payment": "payment", "correction": "correction",
             "void": "void note", "reconciled": "reconciliation"}
    parts = [f"{counts[kind]} {words[kind]}{'s' if counts[kind] != 1 else ''}" for kind in words if counts.get(kind)]
    click.echo(f"{click.format_filename(csv_file)}: {outcome.reading.rows} rows read")
    click.echo(f"  cases {'to create' if outcome.dry_run else 'created'}: {len(plan.cases)}"
               + (f" ({', '.join(c.id for c in plan.cases[:10])}{', ...' if len(plan.cases) > 10 else ''})"
                  if plan.cases else ""))
    click.echo(f"  notes {'to write' if outcome.dry_run else 'written'}: "
               f"{len(plan.notes)}" + (f" ({', '.join(parts)})" if parts else ""))
    click.echo(f"  already in the records, unchanged: {plan.unchanged}")
    if plan.skipped:
        reasons = Counter(skip.reason.split(" (")[0] for skip in plan.skipped)
        click.echo(f"  rows skipped: {len(plan.skipped)} ("
                   + ", ".join(f"{count} {reason}" for reason, count in sorted(reasons.items())) + ")")
        for skip in plan.skipped[:50]:
            click.echo(f"    line {skip.line}: {skip.what}: {skip.reason}")
        if len(plan.skipped) > 50:
            click.echo(f"    ... and {len(plan.skipped) - 50} more")
    if plan.unmatched:
        click.echo(f"  payments not matched to an invoice, not written: {len(plan.unmatched)}")
        for entry, why in plan.unmatched:
            click.echo(f"    line {entry.line}: {why}")
    for line, notice in plan.notices:
        click.echo(f"  look at line {line}: {notice}")
    if outcome.dry_run:
        click.echo("Dry run: nothing was written.")
