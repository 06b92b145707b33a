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

    With a build server running for the same records, the build is handed to
    it and takes a fraction of a second (not with --at). On Linux a build of
    500 cases or more that finds none leaves one running, which stops after two
    hours without a build; ARREARS_BUILD_SERVER=manual only uses one started
    with `arrears build-server`, =off never (see `arrears build-server --help`).
    """
    found = locate_root(root)
    starting = None
    if at is None:
        from arrears.serve import build_client

        chosen = build_client.mode()
        answer = build_client.ask(found, out, as_of, full, not no_search) if chosen != "off" else None
        if isinstance(answer, build_client.Answer):
            sys.stdout.write(answer.stdout)
            sys.stderr.write(answer.stderr)
            sys.exit(answer.status)
        if (answer is None or answer.stale) and build_client.should_start(found, chosen):
            starting = _server_starter(found, build_client.request(out, as_of, False, not no_search),
                                       stale=answer is not None)
    _build_here(found, out, as_of, full, at, not no_search, on_built=starting)


def _server_starter(found: Path, prime: dict, stale: bool):
    """What to do once this build is done: leave a build server running (in place of one running
    older code), primed with this build, so that the next build is quick. Said on a terminal only:
    a script reads what it always read."""

    def start(built) -> None:
        from arrears.serve import build_client

        if stale:
            build_client.stop(found)
        if build_client.start(found, prime) and sys.stderr.isatty():
            click.echo("arrears: a build server now keeps this book's builds quick; it stops after "
                       f"{build_client.IDLE_MINUTES // 60} hours without a build "
                       "(arrears build-server --help says more)", err=True)

    return start


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
@click.option("--idle", type=click.FloatRange(min=0, min_open=True), default=None, metavar="MINUTES",
              help="Stop after MINUTES without a build, or when the records folder is gone. "
                   "Default: run until stopped.")
@click.option("--stop", "stop_running", is_flag=True,
              help="Stop the build server running for these records (one started by hand or by "
                   "arrears build), wait until it has, and exit.")
@click.option("--ready-fd", type=int, default=None, hidden=True)  # arrears build's end: told once listening
@click.option("--prime", default=None, hidden=True)  # arrears build's request (JSON), rebuilt first
def build_server(root: Path | None, idle: float | None, stop_running: bool, ready_fd: int | None,
                 prime: str | None) -> None:
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
    One server per records repository; only your own user can reach it.

    \b
    `arrears build` starts one itself, in the background, when a build of 500
    cases or more finds none (not under CI); that one stops after two hours
    without a build, or when the records folder is gone. Its log is
    .arrears-cache/build-server.log. ARREARS_BUILD_SERVER chooses:
      auto     (the default) as above
      always   start one whatever the size of the book
      manual   use one started by hand, never start one
      off      neither (as ARREARS_NO_BUILD_SERVER=1)
    `arrears build --at REV` always builds by itself.
    """
    import threading

    from arrears.serve.build_server import BuildServer, ServerError
    from arrears.serve.stopping import Stop, end_workers

    found = locate_root(root)
    if stop_running:
        from arrears.serve import build_client

        stopped = build_client.stop(found)
        if stopped is None:
            click.echo(f"no build server is running for {found}", err=True)
        else:
            click.echo(f"stopped the build server for {found} (process {stopped})", err=True)
        return
    stop = Stop()  # first: a signal during start-up is not lost
    try:
        server = BuildServer(found, echo=lambda line: click.echo(line, err=True),
                             listening=lambda: _tell_ready(ready_fd))
    except ServerError as error:
        click.echo(f"arrears: {error}", err=True)
        sys.exit(2)

    def answer_until_stopped() -> None:
        try:
            if prime is not None:
                server.prime(prime)
            server.serve_forever(idle * 60 if idle is not None else None)
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


def _tell_ready(handle: int | None) -> None:
    """Tell the `arrears build` that started this server that it listens (its wait ends)."""
    if handle is None:
        return
    try:
        os.write(handle, b"ready\n")
        os.close(handle)
    except OSError:
        pass
