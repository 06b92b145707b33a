"""`arrears build` that redoes only what changed: case pages by content hash, on every core.

A case page depends on the case's own files, its Git history and what every
page shares (settings, templates, the as-of date, the code, the commit built
from). Each worker scans the case folders given to it, hashes what changed
since the last build (files whose size and times are unchanged keep their
hash, as in Git's index), and rebuilds a page only when its fingerprint
moved. Only a small summary of each case travels back; the dashboard, the
agenda and due.json/due.csv are rendered from those summaries, and only
when one of them changed.

Two ways to publish:

- full (no usable cache, a shared input changed, or `--at` a commit): every
  page is written into a new folder that replaces the old one atomically;
- incremental: rebuilt case folders are written beside the site and each is
  renamed into place, deleted cases are removed, and the listing pages are
  replaced file by file (write, then rename). A reader may for a moment see
  a new dashboard beside an older case page, never a half-written file.

Both give the same bytes (the tests compare them, and compare a Git working
tree's site with `--at HEAD`'s), because both render every page from the same
functions. This is the only build: there is no other way to make the site.
"""

from __future__ import annotations

import marshal
import os
import shutil
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, NamedTuple

from arrears.git.history import BuildInfo, History, build_info, history_at
from arrears.records import files as record_files
from arrears.problems import Problem, Verdict, sort_problems, verdict
from arrears.workers import parts, worker_count as _worker_count, worker_pool
from arrears.records.model import Settings
from arrears.records.settings import PATH as SETTINGS_PATH
from arrears.records.settings import parse_settings
from arrears.site import cache
from arrears.site import fingerprint as fingerprints
from arrears.site import paging, search
from arrears.template_errors import reported
from arrears.site.publish import ASSETS, MARKER, check_output, publish, remove_stale, scratch_prefix, swap_folder

if TYPE_CHECKING:
    from arrears.site.listings import Met  # the rendering code is imported once a build renders


@dataclass(frozen=True, slots=True)
class Built:
    """What a build did. With an error in `problems` nothing was published."""

    out: Path
    full: bool  # a whole new site swapped in (else only what changed was replaced)
    pages: int  # pages in the site
    files: int  # attachments copied beside the case pages
    written: tuple[str, ...]  # paths in the site written by this build
    removed: tuple[str, ...]  # case folders removed (their case is gone)
    problems: tuple[Problem, ...]  # every problem `arrears check` reports (cases with errors are left out)
    published: bool = True  # False: refused for repository-wide errors, the site is as it was
    rendered: int = 0  # pages rendered by this build (case and statement pages, and the dashboard and agenda when they changed)
    reused: int = 0  # case pages kept from the last build without rendering

    @property
    def verdict(self) -> Verdict:
        return verdict(self.problems)


@dataclass
class Session:
    """What a long-running caller (`arrears serve`) keeps between builds, in memory: the index, the
    Jinja environment, the Git history. (The listing pages' sums are the store's: `listings`.)"""

    index: cache.Index | None = None
    env: object = None  # the Jinja environment, kept while the templates are unchanged
    history: dict = field(default_factory=dict)  # the Git history at the last commit seen (see `cache.history`)
    templates: str = ""
    search_follows: bool = False
    """Rebuild the search index after every build that changed a case page, as `arrears build` does
    (the build server); `serve` leaves it as it was when serve started, so that edits stay instant."""


class _Refused(Exception):
    """Raised inside a full build's writer so that `publish` discards the half-built folder."""


def build(root: Path, as_of: date | None, out: Path, *, workers: int | None = None, changed: Iterable[str] | None = None,
          session: Session | None = None, full: bool = False,
          cases_done: Callable[[list[str]], None] | None = None, at: str | None = None, search_index: bool = True
          ) -> Built:
    """Publish the site of the records at `root` into `out`, reusing the last build where it still holds.

    `changed` (paths under the root, from a file watcher) limits the scan to
    the case folders they name, unless the Git history moved since the last
    build; without it every case folder is scanned.
    `full` ignores the cache. A case with errors (from loading or from any of
    `check`'s rules) is left out of every page and listed on the dashboard and
    the agenda (see `pipeline`); repository-wide errors refuse the build.
    An incremental build calls `cases_done` with the case pages it replaced
    as soon as they are in place, before the listing pages (so `serve` can
    reload the page being edited without waiting for the dashboard).

    `at` (a Git revision) builds the records as committed there, attachments
    included, through the same path with nothing cached (a full build that
    leaves the index alone); GitError for no repository or an unknown revision.
    """
    out = Path(os.path.abspath(out))
    check_output(out, root)
    remove_stale(out)  # scratch folders of builds that were killed
    real_root = root.resolve()
    committed = _committed(root, at) if at is not None else None
    git = None
    if committed is None and _in_git(real_root):  # Git's processes run on the idle core while this goes on
        git = ThreadPoolExecutor(2, thread_name_prefix="arrears-git")
        history_read = git.submit(cache.history, root, session.history if session is not None else None)
        info_read = git.submit(build_info, root)
    if committed is not None:
        settings_bytes, top_problems = committed.settings, list(committed.problems)
        names, stray = sorted(committed.cases), committed.stray
    else:
        settings_bytes, top_problems = record_files.read_settings(root, SETTINGS_PATH)
        names, stray = record_files.case_folders(root, real_root, top_problems)
    settings, settings_problems = parse_settings(settings_bytes)
    if as_of is None:  # today where the records (as committed, with `at`) say they are
        from arrears import clock

        as_of = clock.today(settings)
    top_problems += [Problem(f"cases/{name}", 1, 1, "warning", "stray-file",
                             "files directly under cases/ are ignored: each case is a folder") for name in stray]
    top_problems += settings_problems + record_files.template_problems(root)
    templates = fingerprints.templates(root)
    inputs = fingerprints.inputs(as_of, settings_bytes, f"{templates}\0checked")
    store = cache.Store(root, out)
    if committed is not None:
        index, full = cache.Index(), True
    else:
        index = session.index if session is not None and session.index is not None else store.index()
    reuse = (not full and index.inputs == inputs and index.out == str(out) and (out / MARKER).is_file()
             and _inode(out) == index.out_inode)
    if committed is not None:
        history, built_from = history_at(root, at), build_info(root, at)
    elif git is not None:
        if not reuse:
            from arrears.site import render  # noqa: F401  (every page is rendered: imported while Git runs)
        history, built_from = history_read.result(), info_read.result()
        git.shutdown()  # its threads gone before any worker is forked
    else:
        history = built_from = None
    history_kept = reuse and index.history == cache.history_key(history)
    if history_kept and changed is not None:
        # (a new commit may change any case's history on its page: then every case is looked at)
        touched = {_case_of(path, root) for path in changed} - {None}
        todo = [name for name in names if name in touched or name not in index.cases]
    else:
        todo = names
    job = Job(root, real_root, settings, as_of, inputs, fingerprints.code(), Path(), store, os.urandom(8).hex(),
              reuse, history, built_from, committed, search_index, session, templates,
              history_kept=history_kept)
    cache.ensure(root)
    try:
        with reported(root):  # a records repository's own template that fails: said with its file and line
            if reuse:
                return _update(job, out, names, todo, index, top_problems, workers, session, cases_done)
            return _rebuild(job, out, names, top_problems, workers, session)
    finally:
        store.close()


# --- the two ways to publish -------------------------------------------------------------------


def _rebuild(job: Job, out: Path, names: list[str], top_problems: list[Problem], workers: int | None,
             session: Session | None) -> Built:
    found: dict[str, Outcome] = {}
    written: list[str] = []
    extra: set[str] = set()
    state: dict[str, bytes] = {}

    def write(folder: Path) -> None:
        job.target = folder
        render = _renderer(job)
        outcomes, met = _run(job, names, workers)
        found.update(outcomes)
        if _refused(top_problems):
            raise _Refused
        entries = {name: outcome.entry for name, outcome in found.items() if outcome.entry is not None}
        written.extend(f"cases/{name}/index.html" for name in entries)
        excluded = _excluded(top_problems, found.values(), {})
        listing = render.listing_pages(job, folder, entries, excluded, atomic=False, met=met)
        written.extend(listing.written)
        extra.update(listing.extra)
        state.update(listing.state)
        written.extend(render.write_assets(job, folder))
        if job.search_index:
            search.index_site(folder)

    try:
        publish(out, write, job.root)
    except _Refused:
        job.store.discard(job.token)
        return _report(out, True, {}, [], [], top_problems, found.values(), refused=True)
    except BaseException:
        job.store.discard(job.token)
        raise
    entries = {name: outcome.entry for name, outcome in found.items() if outcome.entry is not None}
    if job.committed is None:  # a past commit's site is not what the working tree's next build starts from
        index = cache.Index(job.inputs, str(out), _inode(out),
                            fingerprints.listing_hash(entries, job.built_from, _excluded(top_problems, found.values(), {})),
                            entries, history=job.history_key, listing_state=state)
        _save(job, index, session, full=True)
    else:
        job.store.discard(job.token)
    return _report(out, True, entries, written, [], top_problems, found.values(), cases_rendered=len(entries),
                   listings_rendered=True, extra=extra)


def _update(job: Job, out: Path, names: list[str], todo: list[str], index: cache.Index,
            top_problems: list[Problem], workers: int | None, session: Session | None,
            cases_done: Callable[[list[str]], None] | None = None) -> Built:
    staging = Path(tempfile.mkdtemp(prefix=scratch_prefix(out, "staging"), dir=out.parent))
    try:
        job.target = staging
        found, changed = _scan(job, todo, workers)
        met = None
        if changed:
            outcomes, met = _run(job, changed, workers)
            found.update(outcomes)
        kept = {name: index.cases[name] for name in names if name not in found and name in index.cases}
        if _refused(top_problems):
            job.store.discard(job.token)
            return _report(out, False, {}, [], [], top_problems, found.values(), kept, refused=True)
        entries = dict(kept)
        entries.update({name: outcome.entry for name, outcome in found.items() if outcome.entry is not None})
        written = []
        for name, outcome in sorted(found.items()):
            if outcome.rebuilt and outcome.entry is not None:
                swap_folder(staging / "cases" / name, out / "cases" / name)
                written.append(f"cases/{name}/index.html")
        for name in set(index.cases) - set(entries):
            cache.drop_markdown(job.root, name)
        extra = paging.extra_pages_present(out)  # the last build's, until the listing is rendered again
        removed = sorted(_tidy(out, entries, extra))
        if cases_done is not None and (written or removed):
            cases_done(written + removed)
        excluded = _excluded(top_problems, found.values(), kept)
        listing_hash = fingerprints.listing_hash(entries, job.built_from, excluded)
        cases_rendered = sum(1 for outcome in found.values() if outcome.rebuilt and outcome.entry is not None)
        listings_rendered = listing_hash != index.listing_hash
        state: dict[str, bytes] = {}
        if listings_rendered:
            listing = _renderer(job).listing_pages(job, out, entries, excluded, atomic=True,
                                                   previous=index.cases, met=met)
            written += listing.written
            extra, state = listing.extra, listing.state
            removed += sorted(_tidy(out, entries, extra))  # pages past the new last page of a list
        stale = any(path.startswith("cases/") for path in written + removed)
        follows = session is None or session.search_follows
        if job.search_index and (follows and (stale or search.is_stale(out))
                                 or not (out / search.FOLDER).is_dir()):
            # A case page changed: the index follows (Pagefind indexes whole sites: ~15 s at 2,500 cases).
            # Under `serve` (a session) edits stay instant and search keeps the index serve started with.
            search.index_site(out)
    except BaseException:
        job.store.discard(job.token)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    if (found or removed or set(entries) != set(index.cases) or listing_hash != index.listing_hash
            or job.history_key != index.history):
        _save(job, cache.Index(job.inputs, str(out), _inode(out), listing_hash, entries, job.history_key, state),
              session, full=False)
    elif session is not None:
        session.index = index
    return _report(out, False, entries, written, removed, top_problems, found.values(), kept,
                   cases_rendered=cases_rendered, listings_rendered=listings_rendered, extra=extra)


# --- the work on each case, in the worker processes -----------------------------------------------


@dataclass
class Job:
    """What every worker needs; set before the workers fork, so none of it is pickled."""

    root: Path
    real_root: Path
    settings: Settings
    as_of: date
    inputs: str
    code: str
    target: Path  # where rebuilt case folders are written
    store: cache.Store  # the last build's file stats and fingerprints, and where this build's are recorded
    token: str  # this build's rows in the store's `pending` table
    reuse: bool  # the last build's fingerprints still hold (else every page is rendered)
    history: History | None
    built_from: BuildInfo | None
    committed: _Commit | None = None  # `--at`: the records as committed, instead of the working tree
    search_index: bool = True  # rebuild the Pagefind index when case pages changed (`build --no-search`: not now)
    session: Session | None = field(repr=False, default=None)
    templates: str = ""  # the templates' fingerprint
    env: object = field(repr=False, default=None)  # the site's Jinja environment, once something is to be rendered
    now: datetime | None = None  # the agenda's "now": the start of the calling hours on the as-of day
    history_kept: bool = False  # the same as the last build's: a case whose files kept their stats is unchanged

    @property
    def history_key(self) -> str:
        """Which Git history this build reads (`cache.history_key`)."""
        return cache.history_key(self.history)

    @property
    def cases_folder(self) -> str:
        """The real path of cases/, with a slash (a case's folder is this and its name)."""
        return f"{self.real_root}/cases/"


@dataclass(frozen=True)
class _Commit:
    """The records at a Git revision, read in one pass before the workers fork (see `gittree`)."""

    settings: bytes | None
    problems: tuple[Problem, ...]  # outside every case folder
    stray: tuple[str, ...]  # files directly under cases/
    cases: dict[str, tuple[dict[str, bytes | None], tuple[Problem, ...]]]  # case -> (files under its folder, problems)
    attachments: dict[str, bytes]  # cases/<id>/files/... -> bytes


def _committed(root: Path, at: str) -> _Commit:
    from arrears.problems import case_of
    from arrears.records.gittree import attachments_at, read_tree_at

    tree = read_tree_at(root, at)
    cases: dict[str, tuple[dict, list]] = {}
    stray = []
    for relative in sorted(tree.files):
        parts = relative.split("/")
        if parts[0] == "cases" and len(parts) >= 3:
            cases.setdefault(parts[1], ({}, []))[0]["/".join(parts[2:])] = tree.files[relative]
        elif parts[0] == "cases" and len(parts) == 2:
            stray.append(parts[1])
    top = []
    for problem in tree.problems:
        name = case_of(problem)
        if name is None:
            top.append(problem)
        else:
            cases.setdefault(name, ({}, []))[1].append(problem)
    return _Commit(tree.files.get(SETTINGS_PATH), tuple(top), tuple(stray),
                   {name: (files, tuple(problems)) for name, (files, problems) in cases.items()},
                   attachments_at(root, at))


class Outcome(NamedTuple):
    entry: cache.CaseEntry | None  # None: unchanged (the index has it), or left out for errors (see problems)
    rebuilt: bool
    problems: list[Problem]  # what `check` finds in a rebuilt case


_JOB: Job | None = None


def _renderer(job: Job):
    """The rendering code (see `render`), imported and set up only once a build has something to render."""
    from arrears.site import render

    if job.env is None:
        render.prepare(job)
    return render


def _scan(job: Job, names: list[str], workers: int | None) -> tuple[dict[str, Outcome], list[str]]:
    """Which of these cases changed since the last build: those whose files only got new times (their
    outcome) and those to render again (their names). On every core when there are enough of them,
    the main process importing the rendering code meanwhile, in case one has changed."""
    global _JOB
    count = _worker_count(len(names), workers)
    job.store.close()  # each worker opens its own connection
    _JOB = job
    try:
        if count == 1:
            judged = _judge_part(names)
        else:
            with worker_pool(count) as pool:
                halves: list[Future] = [pool.submit(_judge_part, names[i::count]) for i in range(count)]
                from arrears.site import render  # noqa: F401  (while the workers scan)
                judged = [pair for half in halves for pair in half.result()]
    finally:
        _JOB = None
    found = {name: outcome for name, outcome in judged if outcome is not None and outcome.entry is not None}
    return found, sorted(name for name, outcome in judged if outcome is None)


def _judge_part(names: list[str]) -> list[tuple[str, Outcome | None]]:
    """`_judge` for a part of the cases, recording the new file times of those that only got them."""
    assert _JOB is not None
    rows: list[tuple] = []
    previous = _JOB.store.previous_of(names) if _JOB.reuse else {}
    judged = [(name, _judge(_JOB, name, rows, previous.get(name))[0]) for name in names]
    _JOB.store.record(_JOB.token, rows, [])
    return judged


def _run(job: Job, names: list[str], workers: int | None) -> tuple[dict[str, Outcome], Met]:
    """Scan and render these cases: on every core when there are enough of them. With their
    outcomes, what the listing pages add up of the cases rendered (see `listings.Met`)."""
    global _JOB
    count = _worker_count(len(names), workers)
    render = _renderer(job)
    job.store.close()  # each worker opens its own connection
    _JOB = job
    try:
        if count == 1:
            done, met = _cases(names)
            return dict(done), met
        render.compile_templates(job)
        found: dict[str, Outcome] = {}
        met = render.Met.empty(job.as_of)
        with worker_pool(count) as pool:
            for done, part in pool.map(_cases, parts(names, count)):
                found.update(done)
                met.merge(part)
        return found, met
    finally:
        _JOB = None


def _cases(names: list[str]) -> tuple[list[tuple[str, Outcome]], Met]:
    """A part of the cases, and what is to be recorded of them in the store, in one transaction;
    with what the listing pages add up of those rendered, so the parent need not read them back."""
    from arrears.site import render

    assert _JOB is not None
    rows: list[tuple] = []
    listings: list[tuple[str, str, bytes]] = []
    met = render.Met.empty(_JOB.as_of)
    previous = _JOB.store.previous_of(names) if _JOB.reuse else {}
    with reported(_JOB.root):  # here, in the worker: the traceback that says where does not cross to the parent
        done = [(name, _case(_JOB, name, rows, listings, previous.get(name), met)) for name in names]
    _JOB.store.record(_JOB.token, rows, listings)
    return done, met


class _Scanned(NamedTuple):
    """A case folder as scanned: its files' stats, its folders' (see `records.files.scan`)."""

    stats: dict[str, cache.Stat]
    folders: dict[str, tuple]
    settled: bool
    read: dict[str, bytes]  # the bytes the scan read (records whose stats moved)
    fingerprint: str


def _judge(job: Job, name: str, rows: list[tuple], previous: tuple | None) -> tuple[Outcome | None, _Scanned]:
    """Has this case changed since the last build (`previous`: the store's row of it, see
    `Store.previous_of`)? An outcome when its page still holds (with an entry when only its files'
    times moved: that row is added to `rows`), None when it is to be rendered again; and the scan,
    for rendering it."""
    known, known_folders = marshal.loads(previous[1]) if previous is not None else ({}, {})
    read: dict[str, bytes] = {}
    stats, folders, settled = record_files.scan(job.cases_folder + name, known, read, known_folders)
    unchanged = settled and stats == known and folders == known_folders
    if previous is not None and previous[0] and unchanged and (job.history is None or job.history_kept):
        return Outcome(None, False, []), _Scanned(stats, folders, settled, read, previous[0])
    fingerprint = fingerprints.case_fingerprint(job.inputs, name, stats, job.history) if settled else ""
    scanned = _Scanned(stats, folders, settled, read, fingerprint)
    if previous is not None and fingerprint and fingerprint == previous[0]:
        if unchanged:
            return Outcome(None, False, []), scanned  # in Git: no commit touched it since
        _, _, listing_hash, problems, count = previous
        rows.append((name, fingerprint, marshal.dumps((stats, folders)), listing_hash, problems, count))
        return Outcome(cache.CaseEntry(listing_hash, marshal.loads(problems), count), False, []), scanned
    return None, scanned


def _case(job: Job, name: str, rows: list[tuple], listings: list[tuple[str, str, bytes]],
          previous: tuple | None, met: Met) -> Outcome:
    """Render one case's folder in the site if its fingerprint moved; only a small result goes back,
    and what the store keeps of the case is added to `rows` and `listings`."""
    from arrears.site import render

    if job.committed is not None:
        files, problems = job.committed.cases[name]
        return render.render_case(job, name, files, list(problems), "", b"", rows, listings, met)
    outcome, scanned = _judge(job, name, rows, previous)
    if outcome is not None:
        return outcome
    files, problems = render.read_case(job, name, scanned.stats, scanned.read, scanned.settled)
    return render.render_case(job, name, files, problems, scanned.fingerprint,
                              marshal.dumps((scanned.stats, scanned.folders)), rows, listings, met)


# --- small helpers ---------------------------------------------------------------------------------


def _in_git(folder: Path) -> bool:
    """Could Git know this folder? (Asking git itself costs a few processes on every build.)

    As Git looks: up from the folder for a `.git`, but never into a folder
    of GIT_CEILING_DIRECTORIES or above it (records kept under a folder that
    is not theirs to search, say a larger repository's ignored scratch space).
    """
    if "GIT_DIR" in os.environ:
        return True
    ceilings = {os.path.normpath(path) for path in os.environ.get("GIT_CEILING_DIRECTORIES", "").split(os.pathsep)
                if os.path.isabs(path)}
    for parent in (folder, *folder.parents):
        if parent != folder and str(parent) in ceilings:
            return False
        if (parent / ".git").exists():
            return True
    return False


def _case_of(path: str, root: Path) -> str | None:
    try:
        parts = Path(path).resolve().relative_to(root.resolve()).parts if os.path.isabs(path) else Path(path).parts
    except ValueError:
        return None
    return parts[1] if len(parts) >= 2 and parts[0] == "cases" else None


def _tidy(out: Path, entries: dict[str, cache.CaseEntry], extra: set[str]) -> set[str]:
    """Remove what a full build would not have written: pages of deleted cases, stray files, and the like.

    `extra`: the further pages of a paged case list or agenda (see `paging.extra_pages`); a page
    past a list's new last page goes.
    """
    expected = {"": {"index.html", "agenda.html", "insight.html", "search.html", "due.json", "due.csv", "assets",
                     "cases", search.FOLDER, MARKER, *extra},
                "assets": set(ASSETS), "cases": set(entries)}
    removed = set()
    for where, wanted in expected.items():
        try:
            found = list(os.scandir(out / where))
        except OSError:
            continue
        for item in found:
            if item.name not in wanted:
                path = Path(item.path)
                if item.is_dir(follow_symlinks=False):
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)
                removed.add(f"{where}/{item.name}".lstrip("/"))
    return removed


def _inode(folder: Path) -> int:
    try:
        return os.stat(folder).st_ino
    except OSError:
        return 0


def _problems(top: list[Problem], found: Iterable[Outcome], kept: dict[str, cache.CaseEntry]) -> list[Problem]:
    problems = list(top)
    for outcome in found:
        if outcome.rebuilt:
            problems += outcome.problems
        elif outcome.entry is not None:
            problems += [Problem(*p) for p in outcome.entry.problems]
    for entry in kept.values():
        problems += [Problem(*p) for p in entry.problems]
    return problems


def _refused(top: list[Problem]) -> bool:
    """Repository-wide errors (arrears.toml, cases/ itself) refuse the whole build."""
    return bool(verdict(top).fatal)


def _excluded(top: list[Problem], found: Iterable[Outcome], kept: dict[str, cache.CaseEntry]
              ) -> dict[str, tuple[Problem, ...]]:
    return verdict(_problems(top, found, kept)).excluded


def _report(out: Path, full: bool, entries: dict[str, cache.CaseEntry], written: list[str], removed: list[str],
            top: list[Problem], found: Iterable[Outcome], kept: dict[str, cache.CaseEntry] | None = None,
            refused: bool = False, cases_rendered: int = 0, listings_rendered: bool = False,
            extra: set[str] = frozenset()) -> Built:
    found = list(found)
    problems = sort_problems(_problems(top, found, kept or {}))
    listings = 3 + sum(1 for name in extra if paging.is_page(name))  # dashboard, agenda, insight, further pages
    count = 0 if refused else 2 * len(entries) + listings  # per case its page and its statement
    return Built(out, full, count, sum(e.files for e in entries.values()),
                 tuple(sorted(written)), tuple(removed), tuple(problems), not refused,
                 2 * cases_rendered + (listings if listings_rendered else 0), len(entries) - cases_rendered)


def _save(job: Job, index: cache.Index, session: Session | None, full: bool) -> None:
    job.store.save(job.token, index, full)
    if session is not None:
        session.index = index
