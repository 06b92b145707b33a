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

- full (no usable cache, or a shared input changed): every page is written
  into a new folder that replaces the old one atomically, as `build_site`;
- incremental: rebuilt case folders are written beside the site and each is
  renamed into place, deleted cases are removed, and the listing pages are
  replaced file by file (write, then rename). A reader may for a moment see
  a new dashboard beside an older case page, never a half-written file.

Both give the same bytes as each other and as `build_site` (the tests compare
them), because both render every page from the same functions.
"""

from __future__ import annotations

import hashlib
import importlib.util
import marshal
import os
import pickle
import shutil
import tempfile
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Callable, Iterable, NamedTuple

from markupsafe import Markup

from arrears.views import messages
from arrears.actions.agenda import AgendaItem, SetApartCase, assemble, entry as agenda_entry, start_of_day
from arrears.rules.check import check_case
from arrears.ledger.figures import CaseFigures, PortfolioFigures
from arrears.git.history import BuildInfo, History, build_info
from arrears.ledger.compute import collect, compute_case
from arrears.records.load import (ATTACHMENT, Tree, _assemble_case, _follow_link, _is_ignored, _read_into, _worker_count,
                    is_record_file, unreadable)
from arrears.problems import Problem, sort_problems
from arrears.records.model import Portfolio, Settings
from arrears.views.report import case_csv, case_json, csv_document, json_document
from arrears.records.settings import PATH as SETTINGS_PATH
from arrears.records.settings import parse_settings
from arrears.ledger.summary import summarize
from arrears.site import cache, pages
from arrears.site import attachments as published
from arrears.site.agenda_page import agenda_context, agenda_item
from arrears.site.build import ASSETS, MARKER, _site, _write, attachments, case_page, check_output, publish
from arrears.site.markdown import parser, remembering
from arrears.site.templates import compiled_cache, environment, search_path


@dataclass(frozen=True, slots=True)
class Built:
    """What a build did. With an error in `problems` nothing was published."""

    out: Path
    full: bool  # a whole new site swapped in (else only what changed was replaced)
    pages: int  # pages in the site
    files: int  # attachments copied beside the case pages
    written: tuple[str, ...]  # paths in the site written by this build
    removed: tuple[str, ...]  # case folders removed (their case is gone)
    problems: tuple[Problem, ...]  # loading problems: what `arrears build` refuses on
    checks: tuple[Problem, ...]  # the rest of `arrears check`'s findings
    published: bool = True  # False: refused for errors, the site is as it was


@dataclass
class Session:
    """What a long-running caller (`arrears serve`) keeps between builds: the index and the
    unpickled listing data of every case, in memory."""

    index: cache.Index | None = None
    listed: dict[str, tuple[str, object]] = field(default_factory=dict)  # case -> (listing hash, _Listed)
    env: object = None  # the Jinja environment, kept while the templates are unchanged
    history: dict = field(default_factory=dict)  # the Git history at the last commit seen (see `cache.history`)
    templates: str = ""


def _unpickled(name: str, entry: cache.CaseEntry, session: Session | None) -> _Listed:
    if session is not None:
        known = session.listed.get(name)
        if known is not None and known[0] == entry.listing_hash:
            return known[1]  # type: ignore[return-value]
    listed = cache.unpickle(entry.listing)
    if session is not None:
        session.listed[name] = (entry.listing_hash, listed)
    return listed


class _Refused(Exception):
    """Raised inside a full build's writer so that `publish` discards the half-built folder."""


def build(root: Path, as_of: date, out: Path, *, workers: int | None = None, changed: Iterable[str] | None = None,
          session: Session | None = None, full: bool = False, strict: bool = False,
          cases_done: Callable[[list[str]], None] | None = None) -> Built:
    """Publish the site of the records at `root` into `out`, reusing the last build where it still holds.

    `changed` (paths under the root, from a file watcher) limits the scan to
    the case folders they name; without it every case folder is scanned.
    `full` ignores the cache. Errors in loading refuse the build; with
    `strict`, so do the errors only `arrears check` finds (as `due` refuses).
    An incremental build calls `cases_done` with the case pages it replaced
    as soon as they are in place, before the listing pages (so `serve` can
    reload the page being edited without waiting for the dashboard).
    """
    out = Path(os.path.abspath(out))
    check_output(out, root)
    real_root = root.resolve()
    settings_path = root / SETTINGS_PATH
    settings_bytes = settings_path.read_bytes() if settings_path.is_file() else None
    settings, settings_problems = parse_settings(settings_bytes)
    top_problems: list[Problem] = []
    names = _case_folders(root, real_root, top_problems)
    top_problems += settings_problems
    in_git = _in_git(real_root)
    history = cache.history(root, session.history if session is not None else None) if in_git else None
    built_from = build_info(root) if in_git else None
    templates = _templates(root)
    inputs = _inputs(as_of, settings_bytes, f"{templates}\0strict={strict}")
    if session is not None and session.env is not None and session.templates == templates:
        env = session.env  # its compiled templates are still right: keep them
    else:
        env = environment(root, cache.folder(root) / "compiled" / "site")
        if session is not None:
            session.env, session.templates = env, templates

    index = session.index if session is not None and session.index is not None else cache.load_index(root, out)
    reuse = (not full and index.inputs == inputs and index.out == str(out) and (out / MARKER).is_file()
             and _inode(out) == index.out_inode)
    if reuse and changed is not None:
        touched = {_case_of(path, root) for path in changed} - {None}
        todo = [name for name in names if name in touched or name not in index.cases]
    else:
        todo = names
    messages.environment.cache_clear()  # a template added since the last build is found
    messages.environment(root).bytecode_cache = compiled_cache(cache.folder(root) / "compiled" / "messages")
    job = _Job(root, real_root, settings, as_of, start_of_day(as_of, settings), inputs, _code(),
               Path(), index.cases if reuse else {}, reuse, history, built_from, env, strict)
    cache.ensure(root)

    if reuse:
        return _update(job, out, names, todo, index, top_problems, workers, session, cases_done)
    return _rebuild(job, out, names, top_problems, workers, session)


# --- the two ways to publish -------------------------------------------------------------------


def _rebuild(job: _Job, out: Path, names: list[str], top_problems: list[Problem], workers: int | None,
             session: Session | None) -> Built:
    found: dict[str, _Outcome] = {}
    written: list[str] = []

    def write(folder: Path) -> None:
        job.target = folder
        found.update(_run(job, names, workers))
        if _refused(job, top_problems, found.values(), {}):
            raise _Refused
        entries = {name: outcome.entry for name, outcome in found.items() if outcome.entry is not None}
        written.extend(f"cases/{name}/index.html" for name in entries)
        written.extend(_listing(job, folder, entries, atomic=False, session=session))
        for name in ASSETS:
            source, _, _ = job.env.loader.get_source(job.env, f"site/{name}")  # type: ignore[union-attr]
            _write(folder, f"assets/{name}", source)
            written.append(f"assets/{name}")

    try:
        publish(out, write, job.root)
    except _Refused:
        return _report(out, True, {}, [], [], top_problems, found.values(), refused=True)
    entries = {name: outcome.entry for name, outcome in found.items() if outcome.entry is not None}
    index = cache.Index(job.inputs, str(out), _inode(out), _listing_hash(entries, job.built_from), entries)
    _save(job.root, index, session)
    return _report(out, True, entries, written, [], top_problems, found.values())


def _update(job: _Job, out: Path, names: list[str], todo: list[str], index: cache.Index,
            top_problems: list[Problem], workers: int | None, session: Session | None,
            cases_done: Callable[[list[str]], None] | None = None) -> Built:
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.staging-", dir=out.parent))
    try:
        job.target = staging
        found = _run(job, todo, workers)
        same = {name for name, outcome in found.items() if outcome.entry is None and not outcome.rebuilt}
        found = {name: outcome for name, outcome in found.items() if name not in same}
        kept = {name: index.cases[name] for name in names if name not in found and name in index.cases}
        if _refused(job, top_problems, found.values(), kept):
            return _report(out, False, {}, [], [], top_problems, found.values(), kept, refused=True)
        entries = dict(kept)
        entries.update({name: outcome.entry for name, outcome in found.items() if outcome.entry is not None})
        written = []
        for name, outcome in sorted(found.items()):
            if outcome.rebuilt:
                _swap_folder(staging / "cases" / name, out / "cases" / name)
                written.append(f"cases/{name}/index.html")
        for name in set(index.cases) - set(entries):
            cache.drop_markdown(job.root, name)
        removed = sorted(_tidy(out, entries))
        if cases_done is not None and (written or removed):
            cases_done(written + removed)
        listing_hash = _listing_hash(entries, job.built_from)
        if listing_hash != index.listing_hash:
            written += _listing(job, out, entries, atomic=True, session=session)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    if found or removed or set(entries) != set(index.cases) or listing_hash != index.listing_hash:
        _save(job.root, cache.Index(job.inputs, str(out), _inode(out), listing_hash, entries), session)
    elif session is not None:
        session.index = index
    return _report(out, False, entries, written, removed, top_problems,
                   found.values(), kept)


class _Listed(NamedTuple):
    """What the listing pages need of one case, made by the worker that parsed it."""

    summary: CaseFigures  # see `summary.summarize`
    agenda: AgendaItem | SetApartCase | None
    json: str  # its object in due.json
    csv: str  # its row in due.csv
    row: str  # its row in the dashboard's table (partials/case_row.html)
    action: str | None  # its action on the agenda, if any (partials/agenda_item.html)


def _listing(job: _Job, folder: Path, entries: dict[str, cache.CaseEntry], atomic: bool,
             session: Session | None = None) -> list[str]:
    """The pages that list every case, from the summaries: dashboard, agenda, due.json, due.csv."""
    with cache.gc_paused():
        listed = [_unpickled(name, entries[name], session) for name in sorted(entries)]
    if session is not None:
        session.listed = {name: session.listed[name] for name in entries}
    figures = collect(job.as_of, (case.summary for case in listed))
    portfolio = Portfolio(job.settings, (), (), root=job.root)
    site = _site(portfolio, figures, job.built_from)
    texts = {
        "index.html": job.env.get_template("site/dashboard.html").render(
            site=site, **pages.dashboard(portfolio, figures, {case.summary.case.id: Markup(case.row) for case in listed})),
        "agenda.html": job.env.get_template("site/agenda.html").render(
            site=site, **agenda_context(assemble(job.as_of, job.now, None, (case.agenda for case in listed)),
                                        {case.summary.case.id: Markup(case.action) for case in listed if case.action})),
        "due.json": json_document(figures, [case.json for case in listed]),
        "due.csv": csv_document([case.csv for case in listed]),
    }
    written = []
    for path, text in texts.items():
        if not atomic:
            _write(folder, path, text)
            written.append(path)
        elif _replace(folder, path, text):
            written.append(path)
    return written


# --- the work on each case, in the worker processes -----------------------------------------------


@dataclass
class _Job:
    """What every worker needs; set before the workers fork, so none of it is pickled."""

    root: Path
    real_root: Path
    settings: Settings
    as_of: date
    now: datetime
    inputs: str
    code: str
    target: Path  # where rebuilt case folders are written
    previous: dict[str, cache.CaseEntry]
    reuse: bool
    history: History | None
    built_from: BuildInfo | None
    env: object = field(repr=False, default=None)
    strict: bool = False  # check's errors refuse the build too


class _Outcome(NamedTuple):
    entry: cache.CaseEntry | None  # None: unchanged (the index has it), or did not load (see problems)
    rebuilt: bool
    problems: list[Problem]  # loading problems of a rebuilt case


_JOB: _Job | None = None


def _run(job: _Job, names: list[str], workers: int | None) -> dict[str, _Outcome]:
    """Scan and, where needed, rebuild these cases: on every core when there are enough of them."""
    global _JOB
    count = _worker_count(len(names), workers)
    _JOB = job
    try:
        if count == 1:
            return dict(_cases(names))
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        parts = count if job.reuse else count * 8  # rebuilding pages: smaller parts keep every core busy
        if not job.reuse:
            _compile_templates(job)
        with ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("fork")) as pool:
            return {name: outcome for part in pool.map(_cases, [names[i::parts] for i in range(parts)])
                    for name, outcome in part}
    finally:
        _JOB = None


def _compile_templates(job: _Job) -> None:
    """Compile the templates once, before the workers fork, rather than once in each of them."""
    for name in job.env.list_templates(filter_func=lambda name: name.startswith("site/") and name.endswith(".html")):
        job.env.get_template(name)
    parser()  # and the Markdown parser, before the workers fork
    drafts = messages.environment(job.root)
    for name in drafts.list_templates(filter_func=lambda name: name.endswith(".txt")):
        drafts.get_template(name)


def _cases(names: list[str]) -> list[tuple[str, _Outcome]]:
    assert _JOB is not None
    return [(name, _case(_JOB, name)) for name in names]


def _case(job: _Job, name: str) -> _Outcome:
    """Rebuild one case's folder in the site if its fingerprint moved; only a small result goes back."""
    base = job.real_root / "cases" / name
    previous = job.previous.get(name)
    known = marshal.loads(previous.stats) if previous is not None else {}
    read: dict[str, bytes] = {}
    stats, settled = _scan(base, known, read)
    if previous is not None and settled and previous.fingerprint and stats == known and job.history is None:
        return _Outcome(None, False, [])  # in Git, a commit may have changed what the page lists
    fingerprint = _fingerprint(job, name, stats) if settled else ""
    if previous is not None and fingerprint and fingerprint == previous.fingerprint:
        return _Outcome(None, False, []) if stats == known else _Outcome(
            previous._replace(stats=marshal.dumps(stats)), False, [])
    if settled:
        files, problems = _files(base, stats, read)
    else:  # links to follow (or refuse): `load`'s own walk decides
        tree = Tree()
        _read_into(tree, base, f"cases/{name}", job.real_root)
        files, problems = {path.split("/", 2)[2]: data for path, data in tree.files.items()}, tree.problems
    case, more = _assemble_case(name, files, job.settings)
    problems = problems + more
    if case is None or any(p.is_error for p in problems):
        return _Outcome(None, True, problems)
    figures = compute_case(case, job.settings, job.as_of)
    portfolio = Portfolio(job.settings, (case,), (), root=job.root)
    names = attachments(job.root, name)
    memory = _Bodies(cache.load_markdown(job.root, name, job.code))
    with remembering(memory):
        page = case_page(portfolio, figures, names, job.history)
        html = job.env.get_template(page.template).render(  # type: ignore[attr-defined]
            site=_site(portfolio, PortfolioFigures(job.as_of, (), {}), None), **page.context)
    if memory.changed:
        cache.save_markdown(job.root, name, job.code, dict(memory))
    _write(job.target, page.path, html)
    for attachment in names:
        published.copy(job.root / "cases" / name / "files" / attachment, attachment, job.target / "cases" / name / "files")
    summary = summarize(figures)
    found = agenda_entry(figures, job.settings, job.now)
    if found is not None:
        found = replace(found, figures=summary)
    row = job.env.get_template("site/partials/case_row.html").render(pages.case_row(summary, job.as_of))
    action = (job.env.get_template("site/partials/agenda_item.html").render(agenda_item(found))
              if isinstance(found, AgendaItem) else None)
    listing = pickle.dumps(_Listed(summary, found, case_json(summary), case_csv(summary), row, action),
                           protocol=pickle.HIGHEST_PROTOCOL)
    entry = cache.CaseEntry(fingerprint, marshal.dumps(stats), listing, cache.digest(listing),
                            tuple(_fields(p) for p in problems),
                            tuple(_fields(p) for p in check_case(case, job.settings, job.as_of)) if job.strict else (),
                            len(names))
    return _Outcome(entry, True, problems)


class _Bodies(dict):
    """A case's rendered bodies: those used by this build, taken from the last one when there."""

    def __init__(self, previous: dict):
        super().__init__()
        self.previous = previous
        self.changed = False

    def get(self, key, default=None):
        if key not in self and key in self.previous:
            dict.__setitem__(self, key, self.previous[key])
        return super().get(key, default)

    def __setitem__(self, key, value) -> None:
        self.changed = True
        super().__setitem__(key, value)


def _files(base: Path, stats: dict[str, cache.Stat], read: dict[str, bytes]) -> tuple[dict[str, bytes | None], list[Problem]]:
    """A scanned case folder as `load` would read it: records' bytes (those the scan read, the rest
    now), attachments listed but not read, in `load`'s order (sorted folder by folder)."""
    files: dict[str, bytes | None] = {}
    problems: list[Problem] = []
    for relative in sorted(stats, key=lambda path: path.split("/")):
        if not is_record_file(relative):
            files[relative] = ATTACHMENT
            continue
        data = read.get(relative)
        if data is None:
            try:
                data = (base / relative).read_bytes()
            except OSError as error:
                problems.append(unreadable(f"cases/{base.name}/{relative}", error))
                continue
        files[relative] = data
    return files, problems


def _scan(base: Path, known: dict[str, cache.Stat], read: dict[str, bytes] | None = None
          ) -> tuple[dict[str, cache.Stat], bool]:
    """Every file under a case folder with its content hash (re-read only when size or times moved).

    The bytes it had to read are kept in `read`, so a case rebuilt next reads each file once.

    The second value is False when the folder holds a symbolic link: such a
    case is rebuilt every time rather than trusted to a hash of what the link
    pointed at. This loop runs for every file of every case on each build, so
    it is written for speed (the names skipped are `load`'s ignored ones).
    """
    stats: dict[str, cache.Stat] = {}
    settled = not base.is_symlink()
    pending = [(str(base), "")]
    while pending:
        folder, prefix = pending.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            return stats, False
        for item in entries:
            name = item.name
            if name[0] in _IGNORED_FIRST or name.endswith(_IGNORED_LAST):
                continue
            if item.is_dir(follow_symlinks=False):
                pending.append((item.path, f"{prefix}{name}/"))
                continue
            if item.is_symlink():
                settled = False
                continue
            if not item.is_file(follow_symlinks=False):
                continue  # a socket or a pipe: never a record, and opening a pipe would wait forever
            relative = prefix + name
            try:
                seen = item.stat(follow_symlinks=False)
            except OSError:
                settled = False
                continue
            old = known.get(relative)
            if (old is not None and old[0] == seen.st_size and old[1] == seen.st_mtime_ns
                    and old[2] == seen.st_ctime_ns and old[3] == seen.st_ino):
                stats[relative] = old
                continue
            try:
                with open(item.path, "rb") as handle:
                    data = handle.read()
            except OSError:
                settled = False
                continue
            content = cache.digest(data)
            if read is not None:
                read[relative] = data
            stats[relative] = (seen.st_size, seen.st_mtime_ns, seen.st_ctime_ns, seen.st_ino, content)
    return stats, settled


_IGNORED_FIRST = ".#~"
_IGNORED_LAST = ("~", ".swp", ".swx", ".tmp", ".bak")
assert all(_is_ignored(f"{first}x") for first in _IGNORED_FIRST) and all(_is_ignored(f"x{last}") for last in _IGNORED_LAST)


def _fingerprint(job: _Job, name: str, stats: dict[str, cache.Stat]) -> str:
    parts = [job.inputs, name]
    parts += [f"{path}\0{stats[path][4]}" for path in sorted(stats)]
    if job.history is not None:
        parts += [commit.hash for commit in job.history.touching(name)]
    return cache.digest("\n".join(parts).encode())


# --- what every page shares ------------------------------------------------------------------------


_CODE: str | None = None


def _code() -> str:
    """A hash of arrears' own code and the versions of the libraries that shape a page."""
    global _CODE
    if _CODE is None:
        package = Path(__file__).resolve().parents[1]
        hasher = hashlib.blake2b(digest_size=16)
        for path in sorted(package.rglob("*.py")):
            hasher.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes())
        for library in ("jinja2", "markupsafe", "markdown_it", "yaml"):
            hasher.update(_library(library).encode())
        _CODE = hasher.hexdigest()
    return _CODE


def _library(name: str) -> str:
    """Which copy of a library shapes the pages: where it is installed and its entry file's size and
    time (an upgrade replaces the file), found without importing it (markdown-it costs 20 ms)."""
    spec = importlib.util.find_spec(name)
    origin = spec.origin if spec is not None else None
    if not origin:
        return f"{name}=(none)"
    found = os.stat(origin)
    return f"{name}={origin}\0{found.st_size}\0{found.st_mtime_ns}"


def _inputs(as_of: date, settings: bytes | None, templates: str) -> str:
    """A hash of everything every page depends on, besides its own case (and, for the listing
    pages, the commit built from: see `_listing_hash`)."""
    hasher = hashlib.blake2b(digest_size=16)
    hasher.update(f"{cache.FORMAT}\0{_code()}\0{as_of.isoformat()}\0{templates}\0".encode())
    hasher.update(b"settings\0" + (settings if settings is not None else b"(none)"))
    return hasher.hexdigest()


def _templates(root: Path) -> str:
    """A hash of every template a page may use: the records' overrides and the package's own."""
    hasher = hashlib.blake2b(digest_size=16)
    for folder in search_path(root):
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            hasher.update(f"\0{path.relative_to(folder)}\0".encode() + path.read_bytes())
    return hasher.hexdigest()


def build_fields(built_from: BuildInfo | None) -> str:
    if built_from is None:
        return "(none)"
    return repr(built_from.as_dict())


def _listing_hash(entries: dict[str, cache.CaseEntry], built_from: BuildInfo | None) -> str:
    """What the listing pages are made of: every case's summary, and the commit they name."""
    lines = [build_fields(built_from), *(f"{name}\0{entries[name].listing_hash}" for name in sorted(entries))]
    return cache.digest("\n".join(lines).encode())


# --- small helpers ---------------------------------------------------------------------------------


def _case_folders(root: Path, real_root: Path, problems: list[Problem]) -> list[str]:
    """The case folders under cases/, sorted, with `load`'s rules for ignored names and links."""
    try:
        entries = sorted(os.scandir(root / "cases"), key=lambda e: e.name)
    except FileNotFoundError:
        return []
    except OSError as error:
        problems.append(Problem("cases", 1, 1, "error", "unreadable", f"cannot list folder: {error.strerror}"))
        return []
    names = []
    for item in entries:
        if _is_ignored(item.name):
            continue
        if item.is_symlink():
            problem = _follow_link(Path(item.path), f"cases/{item.name}", real_root)[1]
            if problem:
                problems.append(problem)
                continue
        if item.is_dir():
            names.append(item.name)
        else:
            problems.append(Problem(f"cases/{item.name}", 1, 1, "warning", "stray-file",
                                    "files directly under cases/ are ignored: each case is a folder"))
    return names


def _in_git(folder: Path) -> bool:
    """Could Git know this folder? (Asking git itself costs a few processes on every build.)"""
    return "GIT_DIR" in os.environ or any((parent / ".git").exists() for parent in (folder, *folder.parents))


def _case_of(path: str, root: Path) -> str | None:
    try:
        parts = Path(path).resolve().relative_to(root.resolve()).parts if os.path.isabs(path) else Path(path).parts
    except ValueError:
        return None
    return parts[1] if len(parts) >= 2 and parts[0] == "cases" else None


def _tidy(out: Path, entries: dict[str, cache.CaseEntry]) -> set[str]:
    """Remove what a full build would not have written: pages of deleted cases, stray files, and the like."""
    expected = {"": {"index.html", "agenda.html", "due.json", "due.csv", "assets", "cases", MARKER},
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


def _fields(problem: Problem) -> tuple:
    return (problem.path, problem.line, problem.column, problem.severity, problem.code, problem.message)


def _problems(top: list[Problem], found: Iterable[_Outcome], kept: dict[str, cache.CaseEntry]) -> list[Problem]:
    problems = list(top)
    for outcome in found:
        if outcome.rebuilt:
            problems += outcome.problems
        elif outcome.entry is not None:
            problems += [Problem(*p) for p in outcome.entry.problems]
    for entry in kept.values():
        problems += [Problem(*p) for p in entry.problems]
    return problems


def _refused(job: _Job, top: list[Problem], found: Iterable[_Outcome], kept: dict[str, cache.CaseEntry]) -> bool:
    found = list(found)
    if any(p.is_error for p in _problems(top, found, kept)):
        return True
    return job.strict and any(p.is_error for p in _checks(found, kept))


def _checks(found: Iterable[_Outcome], kept: dict[str, cache.CaseEntry]) -> list[Problem]:
    entries = [*kept.values(), *(outcome.entry for outcome in found if outcome.entry is not None)]
    return [Problem(*p) for entry in entries for p in entry.checks]


def _report(out: Path, full: bool, entries: dict[str, cache.CaseEntry], written: list[str], removed: list[str],
            top: list[Problem], found: Iterable[_Outcome], kept: dict[str, cache.CaseEntry] | None = None,
            refused: bool = False) -> Built:
    found = list(found)
    problems = sort_problems(_problems(top, found, kept or {}))
    return Built(out, full, 0 if refused else len(entries) + 2, sum(e.files for e in entries.values()),
                 tuple(sorted(written)), tuple(removed), tuple(problems), tuple(sort_problems(_checks(found, kept or {}))),
                 not refused)


def _save(root: Path, index: cache.Index, session: Session | None) -> None:
    cache.save_index(root, index)
    if session is not None:
        session.index = index


def _replace(folder: Path, relative: str, text: str) -> bool:
    """Write a file beside its final place, then rename it there: never seen half-written.

    A file that already holds these bytes is left alone (False).
    """
    path = folder / relative
    data = text.encode("utf-8")
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(handle, "wb") as stream:
        stream.write(data)
    os.chmod(temporary, 0o666 & ~_umask())
    os.replace(temporary, path)
    return True


def _swap_folder(new: Path, old: Path) -> None:
    """Put a rebuilt case folder in place of the old one (each rename is atomic)."""
    old.parent.mkdir(parents=True, exist_ok=True)
    aside = None
    if old.exists():
        aside = Path(tempfile.mkdtemp(prefix=f".{old.name}.old-", dir=old.parent))
        os.rmdir(aside)
        os.rename(old, aside)
    os.rename(new, old)
    if aside is not None:
        shutil.rmtree(aside, ignore_errors=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
