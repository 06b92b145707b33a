"""`arrears serve`: a thin watch-and-rebuild loop around the site build, with live reload.

The site is built into a private folder (`.arrears-cache/serve/site`, never
the published `site/`) and served on 127.0.0.1 only. A watcher on `cases/`,
`templates/` and `arrears.toml` collects changes until 200 ms pass quietly
(editors write a file in several steps), then rebuilds once. Records with
errors do not replace the site: the problems go to the terminal and, as an
overlay, to every open page, which keeps showing the last good build.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable

from arrears import words
from arrears.records.files import is_ignored
from arrears.serve.live import LiveServer, LiveState
from arrears.serve.stopping import Stop, end_workers
from arrears.template_errors import TemplateFailure

DEBOUNCE = 0.1
"""Seconds of quiet after the last change before rebuilding: an editor's save (a test file, a backup,
the write, a rename) takes a few milliseconds, a `git checkout` sends its events back to back."""
WATCHED = ("cases", "templates")


def is_relevant(root: Path, path: str) -> bool:
    """A change the site depends on: under cases/ or templates/, or arrears.toml; never an editor's scratch file."""
    try:
        parts = Path(path).relative_to(root).parts
    except ValueError:
        return False
    if not parts or parts == ("arrears.toml",):
        return bool(parts)
    if parts[0] not in WATCHED:
        return False
    return not any(_is_scratch(part) for part in parts)


def reflog(root: Path) -> Path | None:
    """The file Git appends to at every commit, checkout or reset of the repository holding `root`
    (None outside Git): serve watches it so that the site names the new commit and its history."""
    from arrears.git.command import GitError, run_git

    try:
        found = run_git(root, ("rev-parse", "--absolute-git-dir"), check=False)
    except GitError:
        return None
    folder = found.stdout.decode("utf-8", "replace").strip()
    return Path(folder) / "logs" / "HEAD" if found.returncode == 0 and folder else None


def _is_scratch(name: str) -> bool:
    return is_ignored(name)


@dataclass
class Outcome:
    """What one rebuild did: the site's paths written, or the problems that stopped it (text lines)."""

    seconds: float
    written: list[str] = field(default_factory=list)
    full: bool = False  # a whole new site: every page may have changed
    problems: list[str] = field(default_factory=list)
    summary: str = ""
    excluded: tuple[str, ...] | None = None  # published without these cases (None: not published)


Builder = Callable[[set[str] | None, Callable[[list[str]], None]], Outcome]
"""Rebuild after these changed paths (None: everything), calling back early with the case pages
already in place; report what happened."""


def site_builder(root: Path, out: Path, as_of: date | None) -> Builder:
    """Check the records and build the site into `out`, redoing only what the changes touched.

    A case with errors (those only `arrears check` finds too) is left out of the
    site, as `arrears build` does, and its problems are shown over every page;
    repository-wide errors refuse the rebuild, so `out` keeps the last good site.
    """
    from arrears.clock import today
    from arrears.records.load import load_settings
    from arrears.problems import format_text, summary
    from arrears.site.incremental import Session, build

    session = Session()
    commits = reflog(root)

    def rebuild(changed: set[str] | None, cases_done: Callable[[list[str]], None]) -> Outcome:
        started = time.perf_counter()
        if changed is not None and commits is not None and str(commits) in changed:
            changed = None  # a commit may have changed any case's history: look at every case
        day = as_of or today(load_settings(root))
        built = build(root, day, out, changed=changed, session=session, cases_done=cases_done)
        errors = [p for p in built.problems if p.is_error]
        if not built.published:
            return Outcome(time.perf_counter() - started, problems=format_text(errors).splitlines(),
                           summary=summary(errors))
        return Outcome(time.perf_counter() - started, [*built.written, *built.removed], built.full,
                       format_text(errors).splitlines(), summary(errors) if errors else "",
                       excluded=tuple(built.verdict.excluded))

    return rebuild


class Debouncer:
    """Collects changed paths and calls `action` once they stop coming for `quiet` seconds."""

    def __init__(self, action: Callable[[set[str]], None], quiet: float = DEBOUNCE):
        self.action = action
        self.quiet = quiet
        self._paths: set[str] = set()
        self._last = 0.0
        self._lock = threading.Condition()
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="arrears-rebuild", daemon=True)
        self._thread.start()

    def add(self, path: str) -> None:
        with self._lock:
            self._paths.add(path)
            self._last = time.monotonic()
            self._lock.notify()

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            self._lock.notify()

    def _run(self) -> None:
        while True:
            with self._lock:
                self._lock.wait_for(lambda: self._paths or self._stopped)
                while not self._stopped and (wait := self._last + self.quiet - time.monotonic()) > 0:
                    self._lock.wait(wait)
                if self._stopped:
                    return
                paths, self._paths = self._paths, set()
            self.action(paths)


def watch(root: Path, on_change: Callable[[str], None]):
    """Start a watchdog observer on cases/, templates/, the root itself (for arrears.toml) and,
    in Git, the folder of the reflog (for commits)."""
    from watchdog import events
    from watchdog.observers import Observer

    # Changes only: a build reads every record, and opens and reads would flood the kernel's queue.
    changes = [events.FileCreatedEvent, events.FileModifiedEvent, events.FileDeletedEvent, events.FileMovedEvent,
               events.FileClosedEvent, events.DirCreatedEvent, events.DirDeletedEvent, events.DirMovedEvent]

    class Relay(events.FileSystemEventHandler):
        def on_any_event(self, event) -> None:
            if event.event_type in ("opened", "closed_no_write") or (event.is_directory and event.event_type == "modified"):
                return
            for path in (event.src_path, getattr(event, "dest_path", "")):
                if path and (is_relevant(root, os.fsdecode(path)) or os.fsdecode(path) == str(commits)):
                    on_change(os.fsdecode(path))
            if event.is_directory and event.event_type == "created" and Path(os.fsdecode(event.src_path)).parent == root:
                watch_folder(Path(os.fsdecode(event.src_path)))

    observer = Observer()
    relay = Relay()
    watched: set[Path] = set()

    def watch_folder(folder: Path) -> None:
        if folder.name in WATCHED and folder.is_dir() and folder not in watched:
            watched.add(folder)
            observer.schedule(relay, str(folder), recursive=True, event_filter=changes)

    observer.schedule(relay, str(root), recursive=False, event_filter=changes)
    for name in WATCHED:
        watch_folder(root / name)
    commits = reflog(root)
    if commits is not None and commits.parent.is_dir():  # Git makes it at the first commit
        observer.schedule(relay, str(commits.parent), recursive=False, event_filter=changes)
    observer.start()
    return observer


class Preview:
    """The running preview: a server, a watcher and the rebuild loop, stopped together."""

    def __init__(self, root: Path, port: int, builder: Builder, out: Path,
                 echo: Callable[[str], None] = print):
        self.root = root
        self.builder = builder
        self.echo = echo
        self.state = LiveState(out)
        self.server = LiveServer(port, self.state)  # raises OSError when the port is taken
        self.observer = None
        self.debouncer: Debouncer | None = None
        self._lock = threading.Lock()
        self._stopping = False
        self.building = 0  # rebuilds running (the first one, or the rebuild loop's)

    @property
    def url(self) -> str:
        return self.server.url

    def start(self) -> None:
        """Build once, then serve and watch (unless `stop` came first: a signal during the first build)."""
        self.rebuild(None)
        with self._lock:
            if self._stopping:
                return
            self.server.start()
            self.debouncer = Debouncer(self.rebuild)
            self.observer = watch(self.root, self.debouncer.add)

    def rebuild(self, changed: set[str] | None) -> None:
        """Rebuild, then tell the pages: those among the case pages replaced first reload at once,
        the rest (the dashboard and other listings) when the whole rebuild is done."""
        announced: list[str] = []

        def cases_done(paths: list[str]) -> None:
            announced.extend(paths)
            self.state.published(paths)

        self.building += 1
        try:
            outcome = self.builder(changed, cases_done)
        except TemplateFailure as error:  # a template of the records' own: said where, and the last site stays
            outcome = Outcome(0.0, problems=[f"build failed: cannot render the site template {error}"],
                              summary="1 error")
        except Exception as error:  # a full disk, say: said, and the last site stays
            outcome = Outcome(0.0, problems=[f"build failed: {type(error).__name__}: {error}"], summary="1 error")
        finally:
            self.building -= 1
        if self._stopping:  # stopped mid-build (its workers were ended): nothing to tell
            return
        if outcome.problems and outcome.excluded is None:
            self.state.failed(outcome.problems)
            self.echo("\n".join(outcome.problems))
            self.echo(f"not rebuilt: the records have {outcome.summary}; still serving the last good site")
            return
        rest = [path for path in outcome.written if path not in announced]
        if outcome.full or changed is None:
            self.state.published(None, outcome.problems)
        elif rest or not announced or outcome.problems != list(self.state.snapshot.problems):
            self.state.published(rest, outcome.problems)
        if outcome.excluded:
            self.echo("\n".join(outcome.problems))
            self.echo(f"left out {_count(len(outcome.excluded), 'case')} for errors ({', '.join(outcome.excluded)}); "
                      "the other cases are rebuilt")
        what = "built" if changed is None else f"rebuilt after {_count(changed, 'change')}"
        self.echo(f"{what}: {_count(len(outcome.written), 'file')} written in {outcome.seconds:.2f} s")

    def stop(self) -> None:
        """Stop serving, watching and rebuilding, without waiting for a build in progress."""
        with self._lock:
            self._stopping = True
        if self.observer is not None:
            self.observer.stop()
        if self.debouncer is not None:
            self.debouncer.stop()
        self.state.close()
        if self.server.running:
            self.server.shutdown()
        self.server.server_close()
        if self.observer is not None:
            self.observer.join(timeout=1)


def _count(number: int | set, word: str) -> str:
    value = len(number) if isinstance(number, set) else number
    return words.count(value, word)


def serve_forever(preview: Preview, stop: Stop | None = None) -> None:
    """Run until `stop` (SIGINT or SIGTERM), then stop everything, a build in progress included.

    The first build runs off the main thread, so a signal is acted on at once
    even then; the build's worker processes are ended with it.
    """
    stop = stop or Stop()
    failed: list[BaseException] = []

    def start() -> None:
        try:
            preview.start()
        except Exception as error:  # the watcher could not start, say: said, and serve stops
            failed.append(error)
            preview.echo(f"arrears: serve could not start: {type(error).__name__}: {error}")
            stop.event.set()
            return
        if not stop.event.is_set() and not preview._stopping:
            preview.echo(f"serving {preview.root} on {preview.url} (Ctrl-C to stop)")

    starter = threading.Thread(target=start, name="arrears-start", daemon=True)
    try:
        starter.start()
        stop.wait()
    finally:
        preview.stop()
        end_workers()
        stop.restore()
        preview.echo("stopped")
        if preview.building:  # a build thread is still rendering in this process: do not wait for it
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(1 if failed else 0)
    if failed:
        sys.exit(1)
