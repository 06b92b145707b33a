"""The pages that list every case, assembled from the build cache one case at a time.

The dashboard, the case list's pages, the agenda's pages, the Insight page,
due.json, due.csv and cases.js list every case, but each case's piece of
them (its table row, its agenda action, its due.json object, its CSV row,
its cases.js entry) was rendered by the worker that built the case and is
kept in the store (`cache.Store`, see `cache.LISTING`). Here the main
process

1. reads every case's figures (`Listed`) once, in case order, adding up
   what the dashboard totals (`pages.Tally`) and the Insight page's sums,
   and keeping of each agenda action only its place in the agenda's order
   (and the worklist's first twelve in full);
2. writes each page from the pieces of the cases it shows, read back for
   that page alone, and the long files (due.json, due.csv, cases.js) piece
   by piece.

So what the main process holds grows by a few hundred bytes a case, not by
every case's figures and pages (17 KB a case at 2,500 cases before), and a
rebuild renders no case's piece again. Under `serve` the figures read in
step 1 are kept in memory between builds (`Session.listed`).
"""

from __future__ import annotations

import pickle
from contextlib import closing
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator, NamedTuple

from markupsafe import Markup

from arrears.actions.agenda import Agenda, AgendaItem, SetApartCase, order
from arrears.ledger.figures import PortfolioFigures
from arrears.ledger.insight import Contribution, Sums
from arrears.ledger.summary import CaseSummary
from arrears.problems import Problem
from arrears.records.model import Portfolio
from arrears.site import cache, case_index, pages, paging
from arrears.site.agenda_page import agenda_page
from arrears.site.build import _site, _write, search_page
from arrears.site.insight_page import insight_page
from arrears.site.publish import replace_chunks, replace_file, write_chunks
from arrears.views.report import csv_chunks, json_chunks

if TYPE_CHECKING:
    from arrears.site.incremental import Job, Session


class Listed(NamedTuple):
    """What the listing pages compute from one case, made by the worker that parsed it (its
    rendered pieces are kept beside it in the store: `cache.LISTING`)."""

    summary: CaseSummary  # see `ledger.summary`
    agenda: AgendaItem | SetApartCase | None
    insight: Contribution  # what it adds to the Insight page's sums (ledger.insight)


class _Cases:
    """Every case's `Listed`, from `serve`'s memory of the last build or the store, by name."""

    def __init__(self, job: Job, entries: dict[str, cache.CaseEntry], session: Session | None):
        self.store = job.store
        self.entries = entries
        self.memory = session.listed if session is not None else None
        self.kept: dict[str, tuple[str, Listed]] = {}

    def each(self) -> Iterator[tuple[str, Listed]]:
        """Every case in name order (remembered for `serve` when there is a session)."""
        memory = self.memory or {}
        names = sorted(self.entries)
        missing = [name for name in names
                   if name not in memory or memory[name][0] != self.entries[name].listing_hash]
        if len(missing) < len(names) // 2:  # mostly remembered: read the others by name
            fetched: Iterator = self.store.listed("data", missing)
        else:  # read them all in one pass, in name order
            fetched = self.store.listed("data", None)
        wanted = set(missing)
        with cache.gc_paused(), closing(fetched):
            for name in names:
                if name in wanted:
                    found, data = next(fetched, (None, None))
                    while found is not None and found < name:  # a remembered case, in a full pass
                        found, data = next(fetched, (None, None))
                    if found != name:
                        raise RuntimeError(f"the build cache lost the listing data of {name}")
                    listed = pickle.loads(data)
                else:
                    listed = memory[name][1]
                if self.memory is not None:
                    self.kept[name] = (self.entries[name].listing_hash, listed)
                yield name, listed

    def some(self, names: list[str]) -> list[Listed]:
        """These cases (one page's), in the order given."""
        memory = self.kept or self.memory or {}
        found = {name: memory[name][1] for name in names
                 if name in memory and memory[name][0] == self.entries[name].listing_hash}
        missing = [name for name in names if name not in found]
        with cache.gc_paused():
            found.update((name, pickle.loads(data)) for name, data in self.store.listed("data", missing))
        return [found[name] for name in names]


class _Counted(NamedTuple):
    """Step 1's result: what the listing pages add up over every case."""

    tally: pages.Tally
    insight: Sums
    actions: list[str]  # the cases with an action, in the agenda's order
    apart: list[SetApartCase]  # in case order


def _count(job: Job, cases: _Cases) -> _Counted:
    tally, sums = pages.Tally(), Sums(job.as_of)
    keys: list[tuple] = []
    apart = []
    for name, listed in cases.each():
        tally.add(listed.summary)
        sums.add(listed.insight)
        found = listed.agenda
        if isinstance(found, AgendaItem):
            keys.append((order(found), name))
        elif found is not None:
            apart.append(found)
    keys.sort()
    return _Counted(tally, sums, [name for _, name in keys], apart)


class _Row(NamedTuple):
    """A case in a listing page's table: its row comes rendered (partials/case_row.html, in the
    build's workers), so the table's loop needs only `f.case.id` to place it."""

    case: _Id


class _Id(NamedTuple):
    id: str


class _Names:
    """Every case, for the templates: counted (`cases|length`), read from the store if iterated."""

    def __init__(self, names: list[str], cases: _Cases):
        self.names, self.cases = names, cases

    def __len__(self) -> int:
        return len(self.names)

    def __iter__(self) -> Iterator[CaseSummary]:
        for start in range(0, len(self.names), 500):
            yield from (listed.summary for listed in self.cases.some(self.names[start:start + 500]))


def listing_pages(job: Job, folder: Path, entries: dict[str, cache.CaseEntry],
                  excluded: dict[str, tuple[Problem, ...]], atomic: bool, session: Session | None = None
                  ) -> tuple[list[str], set[str]]:
    """The pages that list every case: dashboard, agenda, insight, search, due.json, due.csv, and
    for a large portfolio the case list's and the agenda's further pages and cases.js (see `paging`).

    The cases left out for errors are named on the dashboard and the agenda. Returns the paths
    written and the extra listing files this portfolio has (`paging.extra_pages`), for `_tidy`.
    """
    store = job.store
    store.want({name: entry.listing_hash for name, entry in entries.items()})
    cases = _Cases(job, entries, session)
    counted = _count(job, cases)
    if session is not None:
        session.listed = cases.kept
    names = sorted(entries)
    figures = PortfolioFigures(job.as_of, (), counted.tally.totals())
    portfolio = Portfolio(job.settings, (), (), root=job.root)
    site = _site(portfolio, figures, job.built_from)
    insight = counted.insight.insight()
    every = _Names(names, cases)
    written: list[str] = []

    def emit(path: str, text: str | Iterable[str]) -> None:
        if isinstance(text, str):
            if not atomic:
                _write(folder, path, text)
            elif not replace_file(folder, path, text):
                return
        elif not atomic:
            write_chunks(folder, path, text)
        elif not replace_chunks(folder, path, text):
            return
        written.append(path)

    tables = paging.split(names, paging.CASES_PER_PAGE)
    table_pagers = paging.pagers(len(tables), paging.case_href)
    first = [listed.agenda for listed in cases.some(counted.actions[:pages.WORKLIST])]
    board = None
    stream = store.listed("row")  # the table's order is the cases' order: one pass over every row
    for table, pager in zip(tables, table_pagers):
        shown = [_Row(_Id(name)) for name in table]
        rows = {name: Markup(row) for name, row in islice(stream, len(table))}
        if list(rows) != list(table):
            raise RuntimeError(f"the build cache lost the listing data of a case from {table[0]} to {table[-1]}")
        if board is None:  # the dashboard: the table's first page
            board = pages.dashboard(counted.tally, job.as_of, first, len(counted.actions), every, shown, rows,
                                    insight=insight, pager=pager)
            emit("index.html", job.env.get_template("site/dashboard.html").render(
                site=site, excluded=excluded, **board))
        else:  # cases-2.html, ...
            emit(pager.hrefs[pager.number - 1], job.env.get_template("site/cases.html").render(
                site=site, **pages.case_list({**board, "rows": rows}, shown, pager)))
    if len(tables) > 1:
        emit(paging.INDEX, case_index.chunks(text for _, text in store.listed("entry")))
    emit("insight.html", job.env.get_template("site/insight.html").render(site=site, **insight_page(insight)))
    actions = paging.split(counted.actions, paging.ACTIONS_PER_PAGE)
    stream = store.listed_in_order("action", counted.actions)
    for number, (part, pager) in enumerate(zip(actions, paging.pagers(len(actions), paging.agenda_href)), start=1):
        agenda = Agenda(job.as_of, job.now, None, (), tuple(counted.apart) if number == 1 else ())
        rendered = [Markup(action) for _, action in islice(stream, len(part))]
        if len(rendered) != len(part):
            raise RuntimeError("the build cache lost the listing data of a case on the agenda")
        emit(paging.agenda_href(number), job.env.get_template("site/agenda.html").render(
            site=site, excluded=excluded, **agenda_page(agenda, rendered, pager, len(counted.actions))))
    emit("search.html", job.env.get_template("site/search.html").render(site=site, **search_page()))
    emit("due.json", json_chunks(figures, (text for _, text in store.listed("json"))))
    emit("due.csv", csv_chunks(text for _, text in store.listed("csv")))
    return written, paging.extra_pages(len(tables), len(actions))
