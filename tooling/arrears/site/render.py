"""Rendering, in the build's workers: one case's pages and listing data, and the listing pages.

Everything here needs the whole core (load, check, the ledger, the agenda,
Jinja and Markdown), so `incremental` imports it only once it knows that
something is to be rendered: a build that finds nothing changed never pays
for it, and one that finds a case changed imports it while its workers are
still scanning (see `incremental._update`).
"""

from __future__ import annotations

import marshal
import pickle
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from markupsafe import Markup

from arrears.views import messages
from arrears.actions.agenda import AgendaItem, SetApartCase, assemble, entry as agenda_entry, start_of_day
from arrears.rules.check import check_case
from arrears.ledger.figures import PortfolioFigures
from arrears.ledger.compute import collect, compute_case
from arrears.records import files as record_files
from arrears.records.load import ATTACHMENT, Tree, _assemble_case, _read_into
from arrears.problems import Problem
from arrears.records.model import Portfolio
from arrears.views.report import case_csv, case_json, csv_document, json_document
from arrears.ledger.summary import CaseSummary, summarize
from arrears.site import cache, pages
from arrears.site.fingerprint import fields as _fields
from arrears.site import attachments as published
from arrears.site.agenda_page import agenda_context, agenda_item, agenda_pages
from arrears.site import case_index, paging
from arrears.site.build import ASSETS, _site, _write, case_page, search_page, statement_page
from arrears.site.publish import replace_file
from arrears.site.insight_page import insight_page
from arrears.ledger.insight import Contribution, combine, contribution
from arrears.site.markdown import parser, remembering
from arrears.site.templates import compiled_cache, environment

from arrears.site.incremental import Outcome

if TYPE_CHECKING:
    from arrears.site.incremental import Job, Session


def prepare(job: Job, session: Session | None, templates: str) -> None:
    """The Jinja environments a rendering build needs (kept by `serve` while the templates are unchanged)."""
    if session is not None and session.env is not None and session.templates == templates:
        job.env = session.env  # its compiled templates are still right: keep them
    else:
        job.env = environment(job.root, cache.folder(job.root) / "compiled" / "site")
        if session is not None:
            session.env, session.templates = job.env, templates
    job.now = start_of_day(job.as_of, job.settings)
    messages.environment.cache_clear()  # a template added since the last build is found
    messages.environment(job.root).bytecode_cache = compiled_cache(cache.folder(job.root) / "compiled" / "messages")


def write_assets(job: Job, folder: Path) -> list[str]:
    """The stylesheets, script and icon, from the templates (a records repository may override them)."""
    written = []
    for name in ASSETS:
        source, _, _ = job.env.loader.get_source(job.env, f"site/{name}")  # type: ignore[union-attr]
        _write(folder, f"assets/{name}", source)
        written.append(f"assets/{name}")
    return written


def read_case(job: Job, name: str, stats: dict, read: dict[str, bytes], settled: bool
              ) -> tuple[dict[str, bytes | None], list[Problem]]:
    """A scanned case folder's files as `load` reads them (links to follow or refuse: `load`'s own walk)."""
    base = job.real_root / "cases" / name
    if settled:
        return _files(base, stats, read)
    tree = Tree()
    _read_into(tree, base, f"cases/{name}", job.real_root)
    return {path.split("/", 2)[2]: data for path, data in tree.files.items()}, tree.problems


class Listed(NamedTuple):
    """What the listing pages need of one case, made by the worker that parsed it."""

    summary: CaseSummary  # see `ledger.summary`
    agenda: AgendaItem | SetApartCase | None
    json: str  # its object in due.json
    csv: str  # its row in due.csv
    row: str  # its row in the dashboard's table (partials/case_row.html)
    action: str | None  # its action on the agenda, if any (partials/agenda_item.html)
    insight: Contribution  # what it adds to the Insight page's sums (ledger.insight)


def listed_cases(job: Job, entries: dict[str, cache.CaseEntry], session: Session | None) -> list[Listed]:
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


def listing_pages(job: Job, folder: Path, entries: dict[str, cache.CaseEntry],
                  excluded: dict[str, tuple[Problem, ...]], atomic: bool, session: Session | None = None
                  ) -> tuple[list[str], set[str]]:
    """The pages that list every case, from the summaries: dashboard, agenda, due.json, due.csv, and
    for a large portfolio the case list's and the agenda's further pages (see `paging`).

    The cases left out for errors are named on the dashboard and the agenda. Returns the paths
    written and the extra listing files this portfolio has (`paging.extra_pages`), for `_tidy`.
    """
    listed = listed_cases(job, entries, session)
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


def compile_templates(job: Job) -> None:
    """Compile the templates once, before the workers fork, rather than once in each of them."""
    for name in job.env.list_templates(filter_func=lambda name: name.startswith("site/") and name.endswith(".html")):
        job.env.get_template(name)
    parser()  # and the Markdown parser, before the workers fork
    drafts = messages.environment(job.root)
    for name in drafts.list_templates(filter_func=lambda name: name.endswith(".txt")):
        drafts.get_template(name)


def render_case(job: Job, name: str, files: dict[str, bytes | None], problems: list[Problem],
                fingerprint: str, scanned: bytes, rows: list[tuple], listings: list[tuple[str, str, bytes]]
                ) -> Outcome:
    """Parse, check and compute one case from its files' bytes, write its pages, and make its listing data."""
    case, more = _assemble_case(name, files, job.settings)
    problems = problems + more
    if case is not None:
        problems += check_case(case, job.settings, job.as_of)
    if case is None or any(p.is_error for p in problems):
        return Outcome(None, True, problems)  # left out of every page (see `pipeline`)
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
    listing = pickle.dumps(Listed(summary, found, case_json(summary), case_csv(summary), row, action,
                                   contribution(case, job.settings, job.as_of, figures)),
                           protocol=pickle.HIGHEST_PROTOCOL)
    entry = cache.CaseEntry(cache.digest(listing), tuple(_fields(p) for p in problems), len(names))
    listings.append((name, entry.listing_hash, listing))
    rows.append((name, fingerprint, scanned, entry.listing_hash, marshal.dumps(entry.problems),
                 entry.files))
    return Outcome(entry, True, problems)


def _attachments(job: Job, name: str) -> list[str]:
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
