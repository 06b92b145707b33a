"""The pages that list every case, assembled from the build cache one case at a time.

The dashboard, the case list's pages, the agenda's pages, the Insight page,
due.json, due.csv and cases.js list every case, but each case's piece of
them (its table row, its agenda action, its due.json object, its CSV row,
its cases.js entry) was rendered by the worker that built the case and is
kept in the store (`cache.Store`, see `cache.LISTING`). Here the main
process

1. adds up what the dashboard totals (`pages.Tally`), the Insight page's
   sums (`insight.Sums`) and each agenda action's place in the agenda's
   order (`_Counted`): on a rebuild, by adjusting the last build's sums
   (kept in the store) by the cases that changed, each taken out with the
   figures it had and put back with its new ones; else by reading every
   case's figures (`Listed`) once, in case order;
2. writes each page from the pieces of the cases it shows, read back for
   that page alone, and the long files (due.json, due.csv, cases.js) piece
   by piece; on a rebuild, only the pages whose inputs moved (`_Pages`).

So what the main process holds grows by a few hundred bytes a case, not by
every case's figures and pages (17 KB a case at 2,500 cases before), a
rebuild renders no case's piece again, and after a payment it reads two
sets of figures (the case's, before and after) rather than every case's.
"""

from __future__ import annotations

import pickle
from contextlib import closing
from bisect import bisect_left, insort
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
from arrears.site import cache, case_index, pages, paging, splice
from arrears.site.agenda_page import agenda_page
from arrears.site.build import _site, search_page
from arrears.site.fingerprint import build_fields, fields
from arrears.site.insight_page import insight_page
from arrears.site.publish import replace_file, write_chunks
from arrears.views.framed import Frame
from arrears.views.report import csv_frame, json_frame

if TYPE_CHECKING:
    from arrears.site.incremental import Job


class Listed(NamedTuple):
    """What the listing pages compute from one case, made by the worker that parsed it (its
    rendered pieces are kept beside it in the store: `cache.LISTING`)."""

    summary: CaseSummary  # see `ledger.summary`
    agenda: AgendaItem | SetApartCase | None
    insight: Contribution  # what it adds to the Insight page's sums (ledger.insight)


class _Cases:
    """Every case's `Listed`, read from the store by name."""

    def __init__(self, job: Job, entries: dict[str, cache.CaseEntry]):
        self.store = job.store
        self.entries = entries

    def each(self) -> Iterator[tuple[str, Listed]]:
        """Every case in name order, in one pass over the store."""
        fetched = self.store.listed("data", None)
        with cache.gc_paused(), closing(fetched):
            for name in sorted(self.entries):
                found, data = next(fetched, (None, None))
                if found != name:
                    raise RuntimeError(f"the build cache lost the listing data of {name}")
                yield name, pickle.loads(data)

    def some(self, names: list[str]) -> list[Listed]:
        """These cases (one page's), in the order given."""
        with cache.gc_paused():
            found = {name: pickle.loads(data) for name, data in self.store.listed("data", names)}
        missing = [name for name in names if name not in found]
        if missing:
            raise RuntimeError(f"the build cache lost the listing data of {missing[0]}")
        return [found[name] for name in names]


class _Counted(NamedTuple):
    """Step 1's result: what the listing pages add up over every case. Kept in the store after a
    build (`Index.listing_state`), so the next one can adjust it by the cases that changed."""

    tally: pages.Tally
    insight: Sums
    keys: list[tuple]  # (place in the agenda's order, case) of every case with an action, sorted
    apart: dict[str, SetApartCase]  # the cases set apart from the agenda

    @property
    def actions(self) -> list[str]:
        """The cases with an action, in the agenda's order."""
        return [name for _, name in self.keys]

    def set_apart(self) -> tuple[SetApartCase, ...]:
        """In case order."""
        return tuple(self.apart[name] for name in sorted(self.apart))

    @classmethod
    def empty(cls, as_of) -> _Counted:
        return cls(pages.Tally(), Sums(as_of), [], {})

    def add(self, name: str, listed: Listed, in_order: bool = True) -> None:
        """Put a case in (`in_order` False: its action's place is appended, for a caller that sorts
        `keys` once it has met every case)."""
        self.tally.add(listed.summary)
        self.insight.add(listed.insight)
        found = listed.agenda
        if isinstance(found, AgendaItem):
            if in_order:
                insort(self.keys, (order(found), name))
            else:
                self.keys.append((order(found), name))
        elif found is not None:
            self.apart[name] = found

    def merge(self, other: _Counted) -> None:
        """Add in what another part of the cases added up (`keys` left to sort, as `add` out of order)."""
        self.tally.merge(other.tally)
        self.insight.merge(other.insight)
        self.keys.extend(other.keys)
        self.apart.update(other.apart)

    def remove(self, name: str, listed: Listed) -> None:
        """Take out a case `add` met, with the figures it had then."""
        self.tally.remove(listed.summary)
        self.insight.remove(listed.insight)
        found = listed.agenda
        if isinstance(found, AgendaItem):
            place = bisect_left(self.keys, (order(found), name))
            if self.keys[place][1] != name:
                raise LookupError(name)
            del self.keys[place]
        elif found is not None:
            del self.apart[name]


class Met(NamedTuple):
    """What the workers of a build added up of the cases they rendered, part by part (see
    `incremental._cases`), so the listing step need not read those cases back from the store."""

    names: set[str]
    counted: _Counted

    @classmethod
    def empty(cls, as_of) -> Met:
        return cls(set(), _Counted.empty(as_of))

    def add(self, name: str, listed: Listed) -> None:
        self.names.add(name)
        self.counted.add(name, listed, in_order=False)

    def merge(self, other: Met) -> None:
        if self.names & other.names:
            raise ValueError("two parts of a build met the same case")
        self.names.update(other.names)
        self.counted.merge(other.counted)


def _count(job: Job, cases: _Cases, met: Met | None = None) -> _Counted:
    """Every case met once: those the workers met (`met`) as they added them up, the others (in name
    order) read from the store."""
    if met is None or not met.names <= cases.entries.keys() or met.counted.insight.as_of != job.as_of:
        met = Met.empty(job.as_of)
    counted = met.counted
    if not met.names:
        for name, listed in cases.each():
            counted.add(name, listed, in_order=False)
    else:
        rest = sorted(set(cases.entries) - met.names)
        for name, listed in zip(rest, cases.some(rest) if rest else ()):
            counted.add(name, listed, in_order=False)
    counted.keys.sort()
    return counted


RECOUNT_SHARE = 4
"""Past one case in this many changed, meeting every case again is as quick as adjusting."""


def _recount(job: Job, cases: _Cases, entries: dict[str, cache.CaseEntry],
             previous: dict[str, cache.CaseEntry] | None) -> _Counted | None:
    """The last build's sums adjusted by the cases that changed since: each changed case taken out
    with the figures the last build had (the store keeps them until this build is saved) and put
    back with its new ones. None when there is nothing to start from (a full build, a store from
    before, another set of cases) or too much changed: then every case is met again."""
    if previous is None:
        return None
    changed = sorted(name for name in set(entries) | set(previous)
                     if name not in entries or name not in previous
                     or entries[name].listing_hash != previous[name].listing_hash)
    if len(changed) * RECOUNT_SHARE > len(entries):
        return None
    stored = job.store.meta("counted")
    if not isinstance(stored, bytes):
        return None
    with cache.gc_paused():
        start, counted = pickle.loads(stored)
    if start != _every(previous) or counted.insight.as_of != job.as_of:
        return None
    old = [(name, previous[name].listing_hash) for name in changed if name in previous]
    before = job.store.data_of(old)
    if len(before) != len(old):
        return None
    new = [name for name in changed if name in entries]
    try:
        with cache.gc_paused():
            for name, data in before.items():
                counted.remove(name, pickle.loads(data))
            for name, listed in zip(new, cases.some(new)):
                counted.add(name, listed)
    except LookupError:  # the sums were not what the last build's cases add up to
        return None
    return counted


def _every(entries: dict[str, cache.CaseEntry]) -> str:
    """A digest of every case and its listing data's hash: what the sums were made of."""
    return cache.digest("\n".join(f"{name}\0{entries[name].listing_hash}" for name in sorted(entries)).encode())


class _Pages:
    """Which listing pages are already as they would be written: each page's inputs by digest, as
    the last build wrote it. Only pages that are a function of these inputs are judged so; the
    dashboard and the Insight page (every case's sums) are always rendered and compared."""

    def __init__(self, folder: Path, atomic: bool, previous: dict[str, str], common: str, every: str):
        self.folder, self.atomic, self.previous = folder, atomic, previous
        self.common, self.every = common, every
        self.keys: dict[str, str] = {}

    def fresh(self, path: str, *inputs) -> bool:
        """Does the page at `path` need no writing? Its inputs, besides what every page shares."""
        key = cache.digest(repr((path, self.common, inputs)).encode())
        old = self.previous.get(path)
        if self.atomic and old in (key, f"{key}|{self.every}") and (self.folder / path).is_file():
            self.keys[path] = old  # type: ignore[assignment]
            return True
        self.keys[path] = key
        return False

    def read_every_case(self, path: str) -> None:
        """The page's template went through every case (`cases`): it changes when any case does."""
        self.keys[path] = f"{self.keys[path].split('|')[0]}|{self.every}"


class _Row(NamedTuple):
    """A case in a listing page's table: its row comes rendered (partials/case_row.html, in the
    build's workers), so the table's loop needs only `f.case.id` to place it."""

    case: _Id


class _Id(NamedTuple):
    id: str


class _Names:
    """Every case, for the templates: counted (`cases|length`), read from the store if iterated
    (which `iterated` tells: such a page changes whenever any case does)."""

    def __init__(self, names: list[str], cases: _Cases):
        self.names, self.cases = names, cases
        self.iterated = False

    def __len__(self) -> int:
        return len(self.names)

    def __iter__(self) -> Iterator[CaseSummary]:
        self.iterated = True
        for start in range(0, len(self.names), 500):
            yield from (listed.summary for listed in self.cases.some(self.names[start:start + 500]))


class Listing(NamedTuple):
    written: list[str]  # the paths written
    extra: set[str]  # the extra listing files this portfolio has (`paging.extra_pages`), for `_tidy`
    state: dict[str, bytes]  # for the next build to start from (`cache.Index.listing_state`)


def listing_pages(job: Job, folder: Path, entries: dict[str, cache.CaseEntry],
                  excluded: dict[str, tuple[Problem, ...]], atomic: bool, previous: dict[str, cache.CaseEntry] | None = None,
                  met: Met | None = None) -> Listing:
    """The pages that list every case: dashboard, agenda, insight, search, due.json, due.csv, and
    for a large portfolio the case list's and the agenda's further pages and cases.js (see `paging`).

    The cases left out for errors are named on the dashboard and the agenda. `previous` (the
    cases as the last build published them, when it is updated in place: `atomic`) lets a
    rebuild adjust the last build's sums and leave alone the pages whose inputs are unchanged;
    `met` (a full build's) is what its workers added up already.
    """
    store = job.store
    store.want({name: entry.listing_hash for name, entry in entries.items()})
    cases = _Cases(job, entries)
    counted = _recount(job, cases, entries, previous if atomic else None) or _count(job, cases, met)
    every_case = _every(entries)
    state = {"counted": pickle.dumps((every_case, counted), protocol=pickle.HIGHEST_PROTOCOL)}
    names = sorted(entries)
    figures = PortfolioFigures(job.as_of, (), counted.tally.totals())
    portfolio = Portfolio(job.settings, (), (), root=job.root)
    site = _site(portfolio, figures, job.built_from)
    insight = counted.insight.insight()
    every = _Names(names, cases)
    common = repr((job.inputs, build_fields(job.built_from),
                   [fields(p) for name in sorted(excluded) for p in excluded[name]]))
    last = store.meta("pages") if atomic and previous is not None else None
    keys = _Pages(folder, atomic, pickle.loads(last) if isinstance(last, bytes) else {}, common, every_case)
    written: list[str] = []

    def emit(path: str, text: str) -> None:
        if not atomic:
            write_chunks(folder, path, (text,))
        elif not replace_file(folder, path, text):
            return
        written.append(path)

    def hashes(part: Iterable[str]) -> list[tuple[str, str]]:
        return [(name, entries[name].listing_hash) for name in part]

    layouts = splice.layouts_of(store.meta("spliced")) if atomic and previous is not None else {}
    wanted = splice.Cases(hashes(names))
    published = (splice.Cases(sorted((name, entry.listing_hash) for name, entry in previous.items()))
                 if layouts else None)

    def emit_long(path: str, frame: Frame, column: str) -> None:
        """due.json, due.csv, cases.js: spliced from the last build's copy where it can be (`splice`)."""
        changed, layouts[path] = splice.replace(folder, path, frame, wanted, lambda some: store.listed(column, some),
                                                atomic, layouts.get(path), published)
        if changed:
            written.append(path)

    tables = paging.split(names, paging.CASES_PER_PAGE)
    table_pagers = paging.pagers(len(tables), paging.case_href)
    first = [listed.agenda for listed in cases.some(counted.actions[:pages.WORKLIST])]
    board = pages.dashboard(counted.tally, job.as_of, first, len(counted.actions), every, [_Row(_Id(n)) for n in tables[0]],
                            insight=insight, pager=table_pagers[0])
    tools = (len(names), board["state_names"], board["owners"], board["tags"])
    todo = [0] + [number for number in range(1, len(tables))
                  if not keys.fresh(table_pagers[number].hrefs[number], *tools, hashes(tables[number]))]
    for number, rows in _rows(store, tables, todo, stream=not atomic or len(todo) > 4):
        pager, shown = table_pagers[number], [_Row(_Id(name)) for name in tables[number]]
        if number == 0:  # the dashboard: the table's first page
            emit("index.html", job.env.get_template("site/dashboard.html").render(
                site=site, excluded=excluded, **{**board, "rows": rows}))
        else:  # cases-2.html, ...
            path, every.iterated = pager.hrefs[number], False
            emit(path, job.env.get_template("site/cases.html").render(
                site=site, **pages.case_list({**board, "rows": rows}, shown, pager)))
            if every.iterated:
                keys.read_every_case(path)
    if len(tables) > 1 and not keys.fresh(paging.INDEX, every_case):
        emit_long(paging.INDEX, case_index.frame(), "entry")
    emit("insight.html", job.env.get_template("site/insight.html").render(site=site, **insight_page(insight)))
    actions = paging.split(counted.actions, paging.ACTIONS_PER_PAGE)
    agenda_pagers = paging.pagers(len(actions), paging.agenda_href)
    apart = counted.set_apart()
    total = len(counted.actions)
    todo = [number for number, (part, pager) in enumerate(zip(actions, agenda_pagers))
            if not keys.fresh(paging.agenda_href(number + 1), pager, total,
                              hashes(sorted(counted.apart) if number == 0 else ()), hashes(part))]
    stream = store.listed_in_order("action", [name for number in todo for name in actions[number]])
    for number in todo:
        part, pager = actions[number], agenda_pagers[number]
        agenda = Agenda(job.as_of, job.now, None, (), apart if number == 0 else ())
        rendered = [Markup(action) for _, action in islice(stream, len(part))]
        if len(rendered) != len(part):
            raise RuntimeError("the build cache lost the listing data of a case on the agenda")
        emit(paging.agenda_href(number + 1), job.env.get_template("site/agenda.html").render(
            site=site, excluded=excluded, **agenda_page(agenda, rendered, pager, total)))
    if not keys.fresh("search.html"):
        emit("search.html", job.env.get_template("site/search.html").render(site=site, **search_page()))
    if not keys.fresh("due.json", every_case):
        emit_long("due.json", json_frame(figures), "json")
    if not keys.fresh("due.csv", every_case):
        emit_long("due.csv", csv_frame(), "csv")
    state["pages"] = pickle.dumps(keys.keys, protocol=pickle.HIGHEST_PROTOCOL)
    state["spliced"] = splice.dumped({path: layout for path, layout in layouts.items() if path in keys.keys})
    return Listing(written, paging.extra_pages(len(tables), len(actions)), state)


def _rows(store: cache.Store, tables: list, todo: list[int], stream: bool) -> Iterator[tuple[int, dict[str, Markup]]]:
    """The rendered rows of the table pages to write (`todo`, by index), page by page: from one pass
    over every row (the table's order is the cases' order), or for a few pages, theirs by name."""
    wanted = set(todo)
    rows = store.listed("row") if stream else None
    for number, table in enumerate(tables):
        if rows is not None:
            found = {name: Markup(row) for name, row in islice(rows, len(table))}
        elif number in wanted:
            found = {name: Markup(row) for name, row in store.listed("row", table)}
        else:
            continue
        if number in wanted:
            if list(found) != list(table):
                raise RuntimeError(
                    f"the build cache lost the listing data of a case from {table[0]} to {table[-1]}")
            yield number, found
