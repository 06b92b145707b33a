"""`arrears build` and `arrears serve`: thin commands around `site.incremental`, registered on the main group."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from arrears import words
from arrears.cli.app import as_of_option, at_option, finish, locate_root, resolve_as_of, root_option, stop_if_fatal


@click.command()
@root_option
@click.option("--out", type=click.Path(path_type=Path), default=None, metavar="DIR",
              help="Where to publish the site. Default: site/ under the records. A folder not built "
                   "by arrears is never replaced.")
@as_of_option
@at_option
@click.option("--full", is_flag=True, help="Rebuild every page, ignoring the build cache (.arrears-cache/).")
@click.option("--no-search", is_flag=True,
              help="Leave the search index as it is (Pagefind reindexes the whole site, about 15 s at 2,500 "
                   "cases); the next build without this flag brings it up to date.")
def build(root: Path | None, out: Path | None, as_of: date | None, at: str | None, full: bool,
          no_search: bool) -> None:
    """Publish the internal static site: a dashboard, one page per case, due.json and due.csv.

    A case with errors is left out (the dashboard and the agenda name it) and
    the exit status is 1; errors outside every case publish nothing.

    The site is built beside the output folder and swapped in when complete; the
    same records and --as-of give a byte-identical site. After the first build,
    only the pages whose records changed are rebuilt (the cache is kept in
    .arrears-cache/, safe to delete; --full ignores it). The search index
    (Pagefind) is rebuilt whenever a case page changed, unless --no-search.
    """
    _build_here(root, out, as_of, full, at, not no_search)


def _build_here(root: Path | None, out: Path | None, as_of: date | None, full: bool, at: str | None,
                search_index: bool = True) -> None:
    """The site, rebuilding only what changed since the last build (see site.incremental); with `at`,
    every page of the records as committed there, through the same build with nothing cached."""
    from arrears.git.history import GitError
    from arrears.records.load import load_settings
    from arrears.site.publish import SiteError
    from arrears.site.incremental import build as build_changed

    found = locate_root(root)
    day = as_of if at is not None else resolve_as_of(as_of, load_settings(found))
    try:
        built = build_changed(found, day, out if out is not None else found / "site", full=full, at=at,
                              search_index=search_index)
    except SiteError as error:
        click.echo(f"arrears: {error}", err=True)
        sys.exit(2)
    except GitError as error:
        raise click.UsageError(str(error)) from None
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
