"""The pages of one case, and the frame every page shares: what the one build (`incremental`) renders.

There is one build, `incremental.build`: a full build is an incremental one
with nothing cached, and `build --at` is a full build of the records as
committed. It renders each case's pages with the functions here, in the
worker that parsed the case. The same records and as-of date give the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from arrears.ledger.figures import CaseFigures, PortfolioFigures
from arrears.git.history import BuildInfo, History
from arrears.records.model import Portfolio
from arrears.site import agenda_page, pages
from arrears.site.publish import ASSETS, MARKER, SiteError, check_output, publish  # noqa: F401  (the build's API)
from arrears.site.publish import write_chunks



@dataclass(frozen=True, slots=True)
class Page:
    """One rendered page: where it goes in the site and what it is made of."""

    path: str
    template: str
    context: dict


def case_page(portfolio: Portfolio, figures: CaseFigures, attachments: Sequence[str],
              history: History | None = None) -> Page:
    context = pages.case_page(portfolio, figures, attachments, history)
    context["draft"] = agenda_page.next_draft(portfolio, figures)  # the reminder `arrears remind` would draft
    return Page(pages.case_href(figures.case.id), "site/case.html", context)


def search_page() -> dict:
    """The context of search.html: the box Pagefind fills in (site/search.py builds its index)."""
    return {"page": "search", "base": "", "title": "Search"}


def statement_page(portfolio: Portfolio, figures: CaseFigures) -> Page:
    """cases/<id>/statement.html: the statement of account to print, as `arrears statement` makes it."""
    from arrears.views import printed

    return Page(printed.statement_href(figures.case.id), "print/statement.html",
                printed.statement_context(figures, portfolio.settings))


def _site(portfolio: Portfolio, figures: PortfolioFigures, built_from: BuildInfo | None = None) -> dict:
    """What every page's frame shows: the business's name, the as-of date, the Git commit built from.

    Only the pages that list every case (dashboard, agenda) name the commit and
    the dirty flag: a case page lists the commits that touched its case instead,
    so a commit or an edit elsewhere leaves it byte for byte as it was, and the
    incremental build need not rewrite every page after each commit.
    """
    hours = portfolio.settings.contact.hours
    return {"name": portfolio.settings.name, "as_of": figures.as_of, "build": built_from,
            "hours": f"{hours[0]:%H:%M}-{hours[1]:%H:%M}", "timezone": portfolio.settings.timezone,
            "pinned": portfolio.settings.as_of is not None and portfolio.settings.as_of == figures.as_of}


# --- writing and swapping ------------------------------------------------------------------


def _write(folder: Path, relative: str, text: str) -> None:
    write_chunks(folder, relative, (text,))


