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
import pickle
import secrets
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
from arrears.git.history import BuildInfo, History, build_info, history_at
from arrears.ledger.compute import collect, compute_case
from arrears.records import files as record_files
from arrears.records.load import ATTACHMENT, Tree, _assemble_case, _read_into
from arrears.problems import Verdict, verdict
from arrears.workers import worker_count as _worker_count, worker_pool
from arrears.problems import Problem, sort_problems
from arrears.records.model import Portfolio, Settings
from arrears.views.report import case_csv, case_json, csv_document, json_document
from arrears.records.settings import PATH as SETTINGS_PATH
from arrears.records.settings import parse_settings
from arrears.ledger.summary import CaseSummary, summarize
from arrears.site import cache, pages
from arrears.site import fingerprint as fingerprints
from arrears.site.fingerprint import fields as _fields
from arrears.site import attachments as published
from arrears.site.agenda_page import agenda_context, agenda_item, agenda_pages
from arrears.site import case_index, paging
from arrears.site import search
from arrears.site.build import ASSETS, _site, _write, case_page, search_page, statement_page
from arrears.site.publish import MARKER, check_output, publish, remove_stale, replace_file, scratch_prefix, swap_folder
from arrears.site.insight_page import insight_page
from arrears.ledger.insight import Contribution, combine, contribution
from arrears.site.markdown import parser, remembering
from arrears.site.templates import compiled_cache, environment


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
    """What a long-running caller (`arrears serve`) keeps between builds: the index and the
    unpickled listing data of every case, in memory."""

    index: cache.Index | None = None
    listed: dict[str, tuple[str, object]] = field(default_factory=dict)  # case -> (listing hash, _Listed)
    env: object = None  # the Jinja environment, kept while the templates are unchanged
    history: dict = field(default_factory=dict)  # the Git history at the last commit seen (see `cache.history`)
    templates: str = ""


def _listed(job: _Job, entries: dict[str, cache.CaseEntry], session: Session | None) -> list[_Listed]:
    """Every case's listing data, in case order: from the store, or from `serve`'s memory of it."""
    known = session.listed if session is not None else {}
    found = {name: known[name][1] for name, entry in entries.items()
             if name in known and known[name][0] == entry.listing_hash}
    wanted = {name: entry.listing_hash for name, entry in entries.items() if name not in found}
    with cache.gc_paused():
        for name, data in job.store.listings(wanted):
            found[name] = pickle.loads(data)
    missing = set(entries) - set(found)
    if missing:
        raise RuntimeError(f"the build cache lost the listing data of {len(missing)} cases")
    if session is not None:
        session.listed = {name: (entries[name].listing_hash, found[name]) for name in entries}
    return [found[name] for name in sorted(entries)]  # type: ignore[misc]


class _Refused(Exception):
    """Raised inside a full build's writer so that `publish` discards the half-built folder."""


def build(root: Path, as_of: date | None, out: Path, *, workers: int | None = None, changed: Iterable[str] | None = None,
          session: Session | None = None, full: bool = False,
          cases_done: Callable[[list[str]], None] | None = None, at: str | None = None, search_index: bool = True
          ) -> Built:
    """Publish the site of the records at `root` into `out`, reusing the last build where it still holds.

    `changed` (paths under the root, from a file watcher) limits the scan to
    the case folders they name; without it every case folder is scanned.
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
    in_git = committed is not None or _in_git(real_root)
    if committed is not None:
        history, built_from = history_at(root, at), build_info(root, at)
    else:
        history = cache.history(root, session.history if session is not None else None) if in_git else None
        built_from = build_info(root) if in_git else None
    templates = fingerprints.templates(root)
    inputs = fingerprints.inputs(as_of, settings_bytes, f"{templates}\0checked")
    if session is not None and session.env is not None and session.templates == templates:
        env = session.env  # its compiled templates are still right: keep them
    else:
        env = environment(root, cache.folder(root) / "compiled" / "site")
        if session is not None:
            session.env, session.templates = env, templates

    store = cache.Store(root, out)
    if committed is not None:
        index, full = cache.Index(), True
    else:
        index = session.index if session is not None and session.index is not None else store.index()
    reuse = (not full and index.inputs == inputs and index.out == str(out) and (out / MARKER).is_file()
             and _inode(out) == index.out_inode)
    if reuse and changed is not None:
        touched = {_case_of(path, root) for path in changed} - {None}
        todo = [name for name in names if name in touched or name not in index.cases]
    else:
        todo = names
    messages.environment.cache_clear()  # a template added since the last build is found
    messages.environment(root).bytecode_cache = compiled_cache(cache.folder(root) / "compiled" / "messages")
    job = _Job(root, real_root, settings, as_of, start_of_day(as_of, settings), inputs, fingerprints.code(),
               Path(), store, secrets.token_hex(8), reuse, history, built_from, env, committed, search_index)
    cache.ensure(root)
    try:
        if reuse:
            return _update(job, out, names, todo, index, top_problems, workers, session, cases_done)
        return _rebuild(job, out, names, top_problems, workers, session)
    finally:
        store.close()


# --- the two ways to publish -------------------------------------------------------------------


def _rebuild(job: _Job, out: Path, names: list[str], top_problems: list[Problem], workers: int | None,
             session: Session | None) -> Built:
    found: dict[str, _Outcome] = {}
    written: list[str] = []
    extra: set[str] = set()

    def write(folder: Path) -> None:
        job.target = folder
        found.update(_run(job, names, workers))
        if _refused(top_problems):
            raise _Refused
        entries = {name: outcome.entry for name, outcome in found.items() if outcome.entry is not None}
        written.extend(f"cases/{name}/index.html" for name in entries)
        excluded = _excluded(top_problems, found.values(), {})
        listed, more = _listing(job, folder, entries, excluded, atomic=False, session=session)
        written.extend(listed)
        extra.update(more)
        for name in ASSETS:
            source, _, _ = job.env.loader.get_source(job.env, f"site/{name}")  # type: ignore[union-attr]
            _write(folder, f"assets/{name}", source)
            written.append(f"assets/{name}")
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
                            entries)
        _save(job, index, session, full=True)
    else:
        job.store.discard(job.token)
    return _report(out, True, entries, written, [], top_problems, found.values(), cases_rendered=len(entries),
                   listings_rendered=True, extra=extra)


def _update(job: _Job, out: Path, names: list[str], todo: list[str], index: cache.Index,
            top_problems: list[Problem], workers: int | None, session: Session | None,
            cases_done: Callable[[list[str]], None] | None = None) -> Built:
    staging = Path(tempfile.mkdtemp(prefix=scratch_prefix(out, "staging"), dir=out.parent))
    try:
        job.target = staging
        found = _run(job, todo, workers)
        same = {name for name, outcome in found.items() if outcome.entry is None and not outcome.rebuilt}
        found = {name: outcome for name, outcome in found.items() if name not in same}
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
        if listings_rendered:
            listed, extra = _listing(job, out, entries, excluded, atomic=True, session=session)
            written += listed
            removed += sorted(_tidy(out, entries, extra))  # pages past the new last page of a list
        stale = any(path.startswith("cases/") for path in written + removed)
        if job.search_index and (session is None and (stale or search.is_stale(out))
                                 or not (out / search.FOLDER).is_dir()):
            # A case page changed: the index follows (Pagefind indexes whole sites: ~15 s at 2,500 cases).
            # Under `serve` (a session) edits stay instant and search keeps the index serve started with.
            search.index_site(out)
    except BaseException:
        job.store.discard(job.token)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    if found or removed or set(entries) != set(index.cases) or listing_hash != index.listing_hash:
        _save(job, cache.Index(job.inputs, str(out), _inode(out), listing_hash, entries), session, full=False)
    elif session is not None:
        session.index = index
    return _report(out, False, entries, written, removed, top_problems, found.values(), kept,
                   cases_rendered=cases_rendered, listings_rendered=listings_rendered, extra=extra)


class _Listed(NamedTuple):
    """What the listing pages need of one case, made by the worker that parsed it."""

    summary: CaseSummary  # see `ledger.summary`
    agenda: AgendaItem | SetApartCase | None
    json: str  # its object in due.json
    csv: str  # its row in due.csv
    row: str  # its row in the dashboard's table (partials/case_row.html)
    action: str | None  # its action on the agenda, if any (partials/agenda_item.html)
    insight: Contribution  # what it adds to the Insight page's sums (ledger.insight)


def _listing(job: _Job, folder: Path, entries: dict[str, cache.CaseEntry],
             excluded: dict[str, tuple[Problem, ...]], atomic: bool, session: Session | None = None
             ) -> tuple[list[str], set[str]]:
    """The pages that list every case, from the summaries: dashboard, agenda, due.json, due.csv, and
    for a large portfolio the case list's and the agenda's further pages (see `paging`).

    The cases left out for errors are named on the dashboard and the agenda. Returns the paths
    written and the extra listing files this portfolio has (`paging.extra_pages`), for `_tidy`.
    """
    listed = _listed(job, entries, session)
    figures = collect(job.as_of, (case.summary for case in listed))
    portfolio = Portfolio(job.settings, (), (), root=job.root)
    site = _site(portfolio, figures, job.built_from)
    agenda = assemble(job.as_of, job.now, None, (case.agenda for case in listed))
    insight = combine(job.as_of, (case.insight for case in listed))
    rows = {case.summary.case.id: Markup(case.row) for case in listed}
    tables = paging.split(figures.cases, paging.CASES_PER_PAGE)
    table_pagers = paging.pagers(len(tables), paging.case_href)
    board = pages.dashboard(portfolio, figures, agenda, rows, insight=insight, table=tables[0], pager=table_pagers[0])
    agendas = agenda_pages(agenda_context(
        agenda, {case.summary.case.id: Markup(case.action) for case in listed if case.action}))
    texts = {
        "index.html": job.env.get_template("site/dashboard.html").render(site=site, excluded=excluded, **board),
        "insight.html": job.env.get_template("site/insight.html").render(site=site, **insight_page(insight)),
        "agenda.html": job.env.get_template("site/agenda.html").render(site=site, excluded=excluded, **agendas[0]),
        "search.html": job.env.get_template("site/search.html").render(site=site, **search_page()),
        "due.json": json_document(figures, [case.json for case in listed]),
        "due.csv": csv_document([case.csv for case in listed]),
    }
    for table, pager in list(zip(tables, table_pagers))[1:]:  # a paged case list: cases-2.html, ...
        texts[pager.hrefs[pager.number - 1]] = job.env.get_template("site/cases.html").render(
            site=site, **pages.case_list(board, table, pager))
    if len(tables) > 1:
        texts[paging.INDEX] = case_index.script(figures.cases, job.as_of)
    for context in agendas[1:]:  # a paged agenda: agenda-2.html, ...
        texts[context["pager"].hrefs[context["pager"].number - 1]] = job.env.get_template("site/agenda.html").render(
            site=site, excluded=excluded, **context)
    written = []
    for path, text in texts.items():
        if not atomic:
            _write(folder, path, text)
            written.append(path)
        elif replace_file(folder, path, text):
            written.append(path)
    return written, paging.extra_pages(len(tables), len(agendas))


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
    store: cache.Store  # the last build's file stats and fingerprints, and where this build's are recorded
    token: str  # this build's rows in the store's `pending` table
    reuse: bool  # the last build's fingerprints still hold (else every page is rendered)
    history: History | None
    built_from: BuildInfo | None
    env: object = field(repr=False, default=None)
    committed: _Commit | None = None  # `--at`: the records as committed, instead of the working tree
    search_index: bool = True  # rebuild the Pagefind index when case pages changed (`build --no-search`: not now)


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


class _Outcome(NamedTuple):
    entry: cache.CaseEntry | None  # None: unchanged (the index has it), or left out for errors (see problems)
    rebuilt: bool
    problems: list[Problem]  # what `check` finds in a rebuilt case


_JOB: _Job | None = None


def _run(job: _Job, names: list[str], workers: int | None) -> dict[str, _Outcome]:
    """Scan and, where needed, rebuild these cases: on every core when there are enough of them."""
    global _JOB
    count = _worker_count(len(names), workers)
    job.store.close()  # each worker opens its own connection
    _JOB = job
    try:
        if count == 1:
            return dict(_cases(names))
        parts = count if job.reuse else count * 8  # rebuilding pages: smaller parts keep every core busy
        if not job.reuse:
            _compile_templates(job)
        with worker_pool(count) as pool:
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
    """A part of the cases, and what is to be recorded of them in the store, in one transaction."""
    assert _JOB is not None
    rows: list[tuple] = []
    listings: list[tuple[str, str, bytes]] = []
    done = [(name, _case(_JOB, name, rows, listings)) for name in names]
    _JOB.store.record(_JOB.token, rows, listings)
    return done


def _case(job: _Job, name: str, rows: list[tuple], listings: list[tuple[str, str, bytes]]) -> _Outcome:
    """Rebuild one case's folder in the site if its fingerprint moved; only a small result goes back,
    and what the store keeps of the case is added to `rows` and `listings`."""
    if job.committed is not None:
        files, problems = job.committed.cases[name]
        return _render_case(job, name, files, list(problems), "", {}, rows, listings)
    base = job.real_root / "cases" / name
    previous = job.store.previous(name) if job.reuse else None
    known = marshal.loads(previous[1]) if previous is not None else {}
    read: dict[str, bytes] = {}
    stats, settled = record_files.scan(base, known, read)
    if previous is not None and settled and previous[0] and stats == known and job.history is None:
        return _Outcome(None, False, [])  # in Git, a commit may have changed what the page lists
    fingerprint = fingerprints.case_fingerprint(job.inputs, name, stats, job.history) if settled else ""
    if previous is not None and fingerprint and fingerprint == previous[0]:
        if stats == known:
            return _Outcome(None, False, [])
        _, _, listing_hash, problems, count = previous
        rows.append((name, fingerprint, marshal.dumps(stats), listing_hash, problems, count))
        return _Outcome(cache.CaseEntry(listing_hash, marshal.loads(problems), count), False, [])
    if settled:
        files, problems = _files(base, stats, read)
    else:  # links to follow (or refuse): `load`'s own walk decides
        tree = Tree()
        _read_into(tree, base, f"cases/{name}", job.real_root)
        files, problems = {path.split("/", 2)[2]: data for path, data in tree.files.items()}, tree.problems
    return _render_case(job, name, files, problems, fingerprint, stats, rows, listings)


def _render_case(job: _Job, name: str, files: dict[str, bytes | None], problems: list[Problem],
                 fingerprint: str, stats: dict, rows: list[tuple], listings: list[tuple[str, str, bytes]]
                 ) -> _Outcome:
    """Parse, check and compute one case from its files' bytes, write its pages, and make its listing data."""
    case, more = _assemble_case(name, files, job.settings)
    problems = problems + more
    if case is not None:
        problems += check_case(case, job.settings, job.as_of)
    if case is None or any(p.is_error for p in problems):
        return _Outcome(None, True, problems)  # left out of every page (see `pipeline`)
    figures = compute_case(case, job.settings, job.as_of)
    portfolio = Portfolio(job.settings, (case,), (), root=job.root)
    names = _attachments(job, name)
    memory = _Bodies(cache.load_markdown(job.root, name, job.code))
    with remembering(memory):
        page = case_page(portfolio, figures, names, job.history)
        html = job.env.get_template(page.template).render(  # type: ignore[attr-defined]
            site=_site(portfolio, PortfolioFigures(job.as_of, (), {}), None), **page.context)
    if memory.changed:
        cache.save_markdown(job.root, name, job.code, dict(memory))
    _write(job.target, page.path, html)
    printable = statement_page(portfolio, figures)
    _write(job.target, printable.path, job.env.get_template(printable.template).render(**printable.context))
    for attachment in names:
        if job.committed is not None:
            published.write(job.committed.attachments[f"cases/{name}/files/{attachment}"], attachment,
                            job.target / "cases" / name / "files")
        else:
            published.copy(job.root / "cases" / name / "files" / attachment, attachment,
                           job.target / "cases" / name / "files")
    summary = summarize(figures)
    found = agenda_entry(figures, job.settings, job.now)
    if found is not None:
        found = replace(found, figures=summary)
    row = job.env.get_template("site/partials/case_row.html").render(pages.case_row(summary, job.as_of))
    action = (job.env.get_template("site/partials/agenda_item.html").render(agenda_item(found, page.context["draft"]))
              if isinstance(found, AgendaItem) else None)
    listing = pickle.dumps(_Listed(summary, found, case_json(summary), case_csv(summary), row, action,
                                   contribution(case, job.settings, job.as_of, figures)),
                           protocol=pickle.HIGHEST_PROTOCOL)
    entry = cache.CaseEntry(cache.digest(listing), tuple(_fields(p) for p in problems), len(names))
    listings.append((name, entry.listing_hash, listing))
    rows.append((name, fingerprint, marshal.dumps(stats), entry.listing_hash, marshal.dumps(entry.problems),
                 entry.files))
    return _Outcome(entry, True, problems)


def _attachments(job: _Job, name: str) -> list[str]:
    """The case's attachments, by name under its files/ folder (as committed, with `--at`)."""
    if job.committed is None:
        return record_files.attachments(job.root, name)
    prefix = f"cases/{name}/files/"
    return [path[len(prefix):] for path in job.committed.attachments if path.startswith(prefix)]


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
        if not record_files.is_record(relative):
            files[relative] = ATTACHMENT
            continue
        data = read.get(relative)
        if data is None:
            data, problem = record_files.read_regular(base / relative, f"cases/{base.name}/{relative}")
            if problem is not None:
                problems.append(problem)
                continue
        files[relative] = data
    return files, problems


# --- small helpers ---------------------------------------------------------------------------------


def _in_git(folder: Path) -> bool:
    """Could Git know this folder? (Asking git itself costs a few processes on every build.)"""
    return "GIT_DIR" in os.environ or any((parent / ".git").exists() for parent in (folder, *folder.parents))


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


def _refused(top: list[Problem]) -> bool:
    """Repository-wide errors (arrears.toml, cases/ itself) refuse the whole build."""
    return bool(verdict(top).fatal)


def _excluded(top: list[Problem], found: Iterable[_Outcome], kept: dict[str, cache.CaseEntry]
              ) -> dict[str, tuple[Problem, ...]]:
    return verdict(_problems(top, found, kept)).excluded


def _report(out: Path, full: bool, entries: dict[str, cache.CaseEntry], written: list[str], removed: list[str],
            top: list[Problem], found: Iterable[_Outcome], kept: dict[str, cache.CaseEntry] | None = None,
            refused: bool = False, cases_rendered: int = 0, listings_rendered: bool = False,
            extra: set[str] = frozenset()) -> Built:
    found = list(found)
    problems = sort_problems(_problems(top, found, kept or {}))
    listings = 3 + sum(1 for name in extra if paging.is_page(name))  # dashboard, agenda, insight, further pages
    count = 0 if refused else 2 * len(entries) + listings  # per case its page and its statement
    return Built(out, full, count, sum(e.files for e in entries.values()),
                 tuple(sorted(written)), tuple(removed), tuple(problems), not refused,
                 2 * cases_rendered + (listings if listings_rendered else 0), len(entries) - cases_rendered)


def _save(job: _Job, index: cache.Index, session: Session | None, full: bool) -> None:
    job.store.save(job.token, index, full)
    if session is not None:
        session.index = index
