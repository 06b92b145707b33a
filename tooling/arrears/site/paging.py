"""How the listing pages split a large portfolio, so that no page grows with it.

The dashboard shows the first `CASES_PER_PAGE` cases of the table and links
to `cases-2.html` ... for the rest; the agenda shows its first
`ACTIONS_PER_PAGE` actions and links to `agenda-2.html` .... A portfolio
that fits on one page gets exactly the pages it always had (no pager, no
cases.js). The sizes are module constants so tests can make them small.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence, TypeVar

CASES_PER_PAGE = 200  # a dashboard row is ~800 B: ~160 KB of table per page
ACTIONS_PER_PAGE = 100  # an agenda action is ~3 KB (its draft travels in a mailto: link): ~300 KB per page
WINDOW = 2  # pages linked either side of the current one
INDEX = "cases.js"  # every case, for the table filter of a paged case list (see `case_index`)

_EXTRA = re.compile(r"(cases|agenda)-([0-9]+)\.html")

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Pager:
    """Where one page sits among its siblings: `number` of `count`, and each page's link."""

    number: int
    count: int
    hrefs: tuple[str, ...]  # page k's link at index k - 1, relative to the site's root

    @property
    def previous(self) -> str | None:
        return self.hrefs[self.number - 2] if self.number > 1 else None

    @property
    def next(self) -> str | None:
        return self.hrefs[self.number] if self.number < self.count else None

    @property
    def window(self) -> list[tuple[int, str] | None]:
        """The pages to link by number: the first, the last, and the two either side of this one;
        None where pages are skipped. (All of them at 10,000 cases would be 100 links on each of 100
        agenda pages: a wall of numbers, and 10,000 links to render.) A gap never hides a single
        page: that page's number takes no more room than the gap's mark."""
        near = range(max(1, self.number - WINDOW), min(self.count, self.number + WINDOW) + 1)
        shown = {1, self.count, *near}
        shown |= {n + 1 for n in shown if n + 2 in shown and n + 1 not in shown}
        shown = sorted(shown)
        links: list[tuple[int, str] | None] = []
        for number in shown:
            if links and links[-1] is not None and number > links[-1][0] + 1:
                links.append(None)
            links.append((number, self.hrefs[number - 1]))
        return links


def split(items: Sequence[T], size: int) -> list[Sequence[T]]:
    """`items` in pages of `size`, in order; always at least one page (perhaps empty)."""
    return [items[start:start + size] for start in range(0, len(items), size)] or [items[:0]]


def case_href(number: int) -> str:
    """Page `number` of the case list: the dashboard's table (at #cases) is page 1."""
    return "index.html#cases" if number == 1 else f"cases-{number}.html"


def agenda_href(number: int) -> str:
    return "agenda.html" if number == 1 else f"agenda-{number}.html"


def pagers(count: int, href) -> list[Pager | None]:
    """One pager per page, or [None] for a single page (which then renders as it always has)."""
    if count <= 1:
        return [None]
    hrefs = tuple(href(number) for number in range(1, count + 1))
    return [Pager(number, count, hrefs) for number in range(1, count + 1)]


def extra_pages(case_pages: int, agenda_pages: int) -> set[str]:
    """The files a paged portfolio adds at the site's root, beyond the listing pages it always has."""
    names = {f"cases-{n}.html" for n in range(2, case_pages + 1)} | {f"agenda-{n}.html" for n in range(2, agenda_pages + 1)}
    return names | ({INDEX} if case_pages > 1 else set())


def extra_pages_present(site: Path) -> set[str]:
    """The extra listing files already in a site (what the last build wrote, when the listing is unchanged)."""
    try:
        found = {item.name for item in site.iterdir()}
    except OSError:
        return set()
    names = {name for name in found if _EXTRA.fullmatch(name)}
    return names | ({INDEX} if INDEX in found and any(n.startswith("cases-") for n in names) else set())


def is_page(name: str) -> bool:
    """Is this extra file a page (rather than the case index script)?"""
    return name.endswith(".html")
