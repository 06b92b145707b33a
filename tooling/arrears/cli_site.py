"""`arrears build`: a thin command around `site.build`, registered on the main group in cli.py."""

from __future__ import annotations

import sys
from contextlib import nullcontext
from datetime import date
from pathlib import Path
from typing import Sequence

import click

from .cli import as_of_option, at_option, exit_for_errors, open_portfolio, resolve_as_of, root_option

PROGRESS_FROM = 50
"""Show a progress bar from this many cases on (and only when stderr is a terminal)."""


def progress_bar(items: Sequence, label: str):
    """A progress bar on stderr for large portfolios; nothing when piped or small."""
    if len(items) < PROGRESS_FROM or not sys.stderr.isatty():
        return nullcontext(items)
    return click.progressbar(items, label=label, file=sys.stderr, show_pos=True)


@click.command()
@root_option
@click.option("--out", type=click.Path(path_type=Path), default=None, metavar="DIR",
              help="Where to publish the site. Default: site/ under the records. A folder not built "
                   "by arrears is never replaced.")
@as_of_option
@at_option
def build(root: Path | None, out: Path | None, as_of: date | None, at: str | None) -> None:
    """Publish the internal static site: a dashboard, one page per case, due.json and due.csv.

    The site is built beside the output folder and swapped in when complete; the
    same records and --as-of give a byte-identical site.
    """
    from .site.build import SiteError, build_site

    portfolio = open_portfolio(root, at)
    exit_for_errors(portfolio)
    target = out if out is not None else portfolio.root / "site"  # type: ignore[operator]
    try:
        report = build_site(portfolio, resolve_as_of(as_of, portfolio), target, progress=progress_bar, at=at)
    except SiteError as error:
        click.echo(f"arrears: {error}", err=True)
        sys.exit(2)
    files = f"{report.files} attachment{'' if report.files == 1 else 's'}"
    click.echo(f"built {report.pages} pages with {files} into {report.out}", err=True)
