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
from typing import TYPE_CHECKING

from arrears.views import messages
from arrears.actions.agenda import AgendaItem, entry as agenda_entry, start_of_day
from arrears.rules.check import check_case
from arrears.ledger.figures import PortfolioFigures
from arrears.ledger.compute import compute_case
from arrears.records import files as record_files
from arrears.records.load import ATTACHMENT, Tree, _assemble_case, _read_into
from arrears.problems import Problem
from arrears.records.model import Portfolio
from arrears.views.report import case_csv, case_json
from arrears.ledger.summary import summarize
from arrears.site import cache, case_index, pages
from arrears.site.fingerprint import fields as _fields
from arrears.site import attachments as published
from arrears.site.agenda_page import agenda_item
from arrears.site.build import ASSETS, _site, _write, case_page, statement_page
from arrears.site.listings import Listed, Met, listing_pages  # noqa: F401  (listing_pages: the build calls it here)
from arrears.ledger.insight import contribution
from arrears.site.markdown import remembering
from arrears.site.templates import environment, keep_compiled_templates

from arrears.site.incremental import Outcome

if TYPE_CHECKING:
    from arrears.site.incremental import Job


def prepare(job: Job) -> None:
    """The Jinja environments a rendering build needs (kept by `serve` while the templates are unchanged)."""
    session, templates = job.session, job.templates
    if session is not None and session.env is not None and session.templates == templates:
        job.env = session.env  # its compiled templates are still right: keep them
    else:
        job.env = environment(job.root, keep_compiled=True)
        if session is not None:
            session.env, session.templates = job.env, templates
    job.now = start_of_day(job.as_of, job.settings)
    messages.environment.cache_clear()  # a template added or changed since the last build is found
    keep_compiled_templates(messages.environment(job.root), job.root)


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


def compile_templates(job: Job) -> None:
    """Compile the templates once, before the workers fork, rather than once in each of them.

    Not the Markdown parser: most bodies are plain prose (`markdown.plain_prose`), so a worker
    makes one only when a body needs it (0.09 s, all of it before the workers could start).
    """
    _compile_all(job.env, messages.environment(job.root))


def precompile(root: Path) -> None:
    """Compile every template a build of `root` uses into the user's cache, as a first build would
    (the benchmarks do this before any clock starts, as they compile the Python code)."""
    drafts = messages.environment(root)
    keep_compiled_templates(drafts, root)
    _compile_all(environment(root, keep_compiled=True), drafts)


def _compile_all(site, drafts) -> None:
    for name in site.list_templates(filter_func=lambda name: name.startswith("site/") and name.endswith(".html")):
        site.get_template(name)
    for name in drafts.list_templates(filter_func=lambda name: name.endswith(".txt")):
        drafts.get_template(name)


def render_case(job: Job, name: str, files: dict[str, bytes | None], problems: list[Problem],
                fingerprint: str, scanned: bytes, rows: list[tuple], listings: list[tuple[str, str, bytes]],
                met: Met | None = None) -> Outcome:
    """Parse, check and compute one case from its files' bytes, write its pages, and make its listing
    data (added up in `met` too, when given)."""
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
    listed = Listed(summary, found, contribution(case, job.settings, job.as_of, figures))
    data = pickle.dumps(listed, protocol=pickle.HIGHEST_PROTOCOL)
    if met is not None:
        met.add(name, listed)
    pieces = (data, row, action, case_json(summary), case_csv(summary), case_index.piece(summary, job.as_of))
    listing_hash = cache.digest(b"\0".join(piece.encode() if isinstance(piece, str) else piece or b""
                                           for piece in pieces))
    entry = cache.CaseEntry(listing_hash, tuple(_fields(p) for p in problems), len(names))
    listings.append((name, entry.listing_hash, *pieces))
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
