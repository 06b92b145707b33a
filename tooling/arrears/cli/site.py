"""`arrears build`: a thin command around `site.build`, registered on the main group in cli.py."""

from __future__ import annotations

import sys
from contextlib import nullcontext
from datetime import date
from pathlib import Path
from typing import Sequence

import click

from arrears import words
from arrears.cli.app import (as_of_option, at_option, finish, load_checked, locate_root, resolve_as_of, root_option,
                             stop_if_fatal)

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
@click.option("--full", is_flag=True, help="Rebuild every page, ignoring the build cache (.arrears-cache/).")
def build(root: Path | None, out: Path | None, as_of: date | None, at: str | None, full: bool) -> None:
    """Publish the internal static site: a dashboard, one page per case, due.json and due.csv.

    A case with errors is left out (the dashboard and the agenda name it) and
    the exit status is 1; errors outside every case publish nothing.

    The site is built beside the output folder and swapped in when complete; the
    same records and --as-of give a byte-identical site. After the first build,
    only the pages whose records changed are rebuilt (the cache is kept in
    .arrears-cache/, safe to delete; --full ignores it).
    """
    from arrears.site.build import SiteError, build_site

    if at is None:
        _build_here(root, out, as_of, full)
        return
    found, day = load_checked(root, as_of, at)
    portfolio = found.portfolio
    target = out if out is not None else portfolio.root / "site"  # type: ignore[operator]
    try:
        report = build_site(portfolio, day, target, progress=progress_bar, at=at, excluded=found.verdict.excluded)
    except SiteError as error:
        click.echo(f"arrears: {error}", err=True)
        sys.exit(2)
    files = words.count(report.files, "attachment")
    click.echo(f"built {words.count(report.pages, 'page')} with {files} into {report.out}", err=True)
    finish(found.verdict)


def _build_here(root: Path | None, out: Path | None, as_of: date | None, full: bool) -> None:
    """The working tree's site, rebuilding only what changed since the last build (see site.incremental)."""
    from arrears.records.load import load_settings
    from arrears.site.build import SiteError
    from arrears.site.incremental import build as build_changed

    found = locate_root(root)
    settings = load_settings(found)
    try:
        built = build_changed(found, resolve_as_of(as_of, settings), out if out is not None else found / "site",
                              full=full)
    except SiteError as error:
        click.echo(f"arrears: {error}", err=True)
        sys.exit(2)
    stop_if_fatal(built.verdict)
    files = words.count(built.files, "attachment")
    how = "" if built.full else f" (rewrote {len(built.written)}, the rest unchanged)"
    click.echo(f"built {words.count(built.pages, 'page')} with {files} into {built.out}{how}", err=True)
    finish(built.verdict)


@click.command()
@root_option
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port on 127.0.0.1 (0: any free port, printed at start).")
@as_of_option
def serve(root: Path | None, port: int, as_of: date | None) -> None:
    """Build the site and serve it on http://127.0.0.1:PORT, rebuilding as you edit.

    Watches cases/, templates/ and arrears.toml; open pages reload after each
    rebuild. A case with errors is left out of the site (as `arrears build`
    does) and its problems show over every page and here; errors outside every
    case keep the last good site served. Only this computer can connect.
    Ctrl-C stops.
    """
    import errno

    from arrears.serve.preview import Preview, serve_forever, site_builder
    from arrears.serve.stopping import Stop

    stop = Stop()  # first: a signal during start-up is not lost
    found = locate_root(root)
    out = found / ".arrears-cache" / "serve" / "site"
    try:
        preview = Preview(found, port, site_builder(found, out, as_of), out,
                          echo=lambda line: click.echo(line, err=True))
    except OSError as error:
        if error.errno in (errno.EADDRINUSE, errno.EACCES):
            reason = "is already in use" if error.errno == errno.EADDRINUSE else "needs privileges"
            click.echo(f"arrears: port {port} on 127.0.0.1 {reason}; choose another with --port "
                       "(or --port 0 for any free one)", err=True)
            sys.exit(2)
        raise
    serve_forever(preview, stop)
