"""`arrears build`, `arrears serve` and `arrears build-server`: thin commands around `site.incremental`
and `serve/`, registered on the main group."""

from __future__ import annotations

import os
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

    With `arrears build-server` running for the same records, the build is
    handed to it and takes a fraction of a second (not with --at).
    """
    found = locate_root(root)
    if at is None:
        from arrears.serve import build_client

        answer = build_client.ask(found, out, as_of, full, not no_search)
        if answer is not None:
            sys.stdout.write(answer.stdout)
            sys.stderr.write(answer.stderr)
            sys.exit(answer.status)
    _build_here(found, out, as_of, full, at, not no_search)


def _build_here(found: Path, out: Path | None, as_of: date | None, full: bool, at: str | None,
                search_index: bool = True, *, session=None, changed: set[str] | None = None,
                on_built=None) -> None:
    """The site, rebuilding only what changed since the last build (see site.incremental); with `at`,
    every page of the records as committed there, through the same build with nothing cached.

    The build server passes its `session`, the paths its journal saw `changed`
    (None: scan every case) and `on_built`, told of the build before any exit."""
    from arrears.git.history import GitError
    from arrears.records.load import load_settings
    from arrears.site.publish import SiteError
    from arrears.site.incremental import build as build_changed
    from arrears.template_errors import TemplateFailure

    day = as_of if at is not None else resolve_as_of(as_of, load_settings(found))
    try:
        built = build_changed(found, day, out if out is not None else found / "site", full=full, at=at,
                              search_index=search_index, session=session, changed=changed)
    except SiteError as error:
        click.echo(f"arrears: {error}", err=True)
        sys.exit(2)
    except TemplateFailure as error:
        click.echo(f"arrears: cannot render the site template {error}; the last site stays as it was", err=True)
        sys.exit(1)
    except GitError as error:
        raise click.UsageError(str(error)) from None
    if on_built is not None:
        on_built(built)
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


@click.command("build-server")
@root_option
def build_server(root: Path | None) -> None:
    """Keep a builder running, so that each `arrears build` takes a fraction of a second.

    \b
    Run it in a terminal of its own and leave it:
      arrears build-server          (Ctrl-C stops it)
    and in another, as often as you like:
      arrears build                 answered by the server

    The server keeps the last build in memory and learns from the system which
    files changed (Linux's inotify), instead of starting afresh and looking at
    every file: a one-note rebuild of 10,000 cases takes about 0.1 s instead
    of 0.75 s. The site and the output are exactly those of a build without it.
    `arrears build --at REV` and ARREARS_NO_BUILD_SERVER=1 build without it.
    One server per records repository; only your own user can reach it.
    """
    import threading

    from arrears.serve.build_server import BuildServer, ServerError
    from arrears.serve.stopping import Stop, end_workers

    stop = Stop()  # first: a signal during start-up is not lost
    found = locate_root(root)
    try:
        server = BuildServer(found, echo=lambda line: click.echo(line, err=True))
    except ServerError as error:
        click.echo(f"arrears: {error}", err=True)
        sys.exit(2)

    def answer_until_stopped() -> None:
        try:
            server.serve_forever()
        finally:
            stop.event.set()  # the loop ended: so does the process, rather than leave callers waiting

    loop = threading.Thread(target=answer_until_stopped, name="arrears-build-server", daemon=True)
    loop.start()
    click.echo(f"build server ready for {found}: arrears build there is now answered here (Ctrl-C to stop)",
               err=True)
    try:
        stop.wait()
    finally:
        building = server.building
        server.close()
        end_workers()
        stop.restore()
        click.echo("build server stopped", err=True)
        if building:  # a build thread is still at work in this process: do not wait for it
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(0)
