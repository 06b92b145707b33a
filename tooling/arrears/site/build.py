"""`arrears build --at`: render every page of a portfolio into a fresh folder, swapped in by `publish`.

The working tree's build is `incremental.build`; both render each page with
the functions here (`case_page`, `_site`), so they give the same bytes (the
tests compare them). The same records and as-of date give the same bytes.
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable, ContextManager, Iterable, Iterator, Mapping, Sequence

from arrears.actions.agenda import build as todays_agenda, start_of_day
from arrears.ledger.figures import CaseFigures, PortfolioFigures
from arrears.git.history import BuildInfo, History, build_info, history_at
from arrears.problems import Problem
from arrears.records.files import attachments
from arrears.records.model import Portfolio
from arrears.ledger.insight import Insight, combine, contribution
from arrears.site import agenda_page, insight_page, pages
from arrears.site import attachments as published
from arrears.site.feeds import feeds
from arrears.site.publish import MARKER, SiteError, check_output, publish  # noqa: F401  (the build's API)
from arrears.site.templates import environment

ASSETS = ("site.css", "site.js", "icon.svg", "print.css")

Progress = Callable[[Sequence, str], ContextManager[Iterable]]
"""Wraps the list of cases while their pages are written (the CLI passes a progress bar)."""


@dataclass(frozen=True, slots=True)
class Page:
    """One rendered page: where it goes in the site and what it is made of."""

    path: str
    template: str
    context: dict


@dataclass(frozen=True, slots=True)
class BuildReport:
    out: Path
    pages: int
    files: int


def no_progress(items: Sequence, label: str) -> ContextManager[Iterable]:
    return nullcontext(items)


def build_site(portfolio: Portfolio, as_of: date, out: Path, *, figures: PortfolioFigures | None = None,
               progress: Progress = no_progress, at: str | None = None,
               excluded: Mapping[str, Sequence[Problem]] | None = None) -> BuildReport:
    """Compute the figures as of `as_of` and publish the site into `out`.

    `at` (a Git revision the portfolio was read at) takes attachments from that
    commit too. In Git, pages say who recorded each note, list the commits that
    touched each case, and the footer names the commit built from. `excluded`:
    the cases left out for errors (see `pipeline`), named on the dashboard and the agenda.
    """
    if figures is None:
        from arrears.ledger.compute import compute_portfolio

        figures = compute_portfolio(portfolio, as_of)
    root = portfolio.root
    env = environment(root)
    counts = {"pages": 0, "files": 0}
    history = history_at(root, at) if root else None
    built_from = build_info(root, at) if root else None
    if root and at:
        from arrears.records.gittree import attachments_at  # only time travel reads files from Git

        committed = attachments_at(root, at)
    else:
        committed = None

    def write(folder: Path) -> None:
        def render(page: Page, listing: bool = True) -> None:
            frame = _site(portfolio, figures, built_from if listing else None)
            shared = {"excluded": dict(excluded or {})} if listing else {}
            html = env.get_template(page.template).render(site=frame, **shared, **page.context)
            _write(folder, page.path, html)
            counts["pages"] += 1

        agenda = todays_agenda(figures, portfolio.settings, start_of_day(figures.as_of, portfolio.settings))
        insight = portfolio_insight(portfolio, figures)
        render(Page("index.html", "site/dashboard.html", pages.dashboard(portfolio, figures, agenda, insight=insight)))
        render(Page("insight.html", "site/insight.html", insight_page.insight_page(insight)))
        render(Page("agenda.html", "site/agenda.html", agenda_page.agenda_context(agenda)))
        with progress(figures.cases, "Writing case pages") as cases:
            for case_figures in cases:
                case_id = case_figures.case.id
                if committed is not None:
                    prefix = f"cases/{case_id}/files/"
                    names = [path[len(prefix):] for path in committed if path.startswith(prefix)]
                else:
                    names = attachments(root, case_id) if root else []
                render(case_page(portfolio, case_figures, names, history), listing=False)
                render(statement_page(portfolio, case_figures), listing=False)
                for name in names:
                    files = folder / "cases" / case_id / "files"
                    if committed is not None:
                        published.write(committed[f"cases/{case_id}/files/{name}"], name, files)
                    else:
                        published.copy(root / "cases" / case_id / "files" / name, name, files)  # type: ignore[operator]
                    counts["files"] += 1
        for name, text in feeds(figures).items():
            _write(folder, name, text)
        for name in ASSETS:
            source, _, _ = env.loader.get_source(env, f"site/{name}")  # type: ignore[union-attr]
            _write(folder, f"assets/{name}", source)

    publish(out, write, root)
    return BuildReport(out, counts["pages"], counts["files"])


def case_page(portfolio: Portfolio, figures: CaseFigures, attachments: Sequence[str],
              history: History | None = None) -> Page:
    context = pages.case_page(portfolio, figures, attachments, history)
    context["draft"] = agenda_page.next_draft(portfolio, figures)  # the reminder `arrears remind` would draft
    return Page(pages.case_href(figures.case.id), "site/case.html", context)


def statement_page(portfolio: Portfolio, figures: CaseFigures) -> Page:
    """cases/<id>/statement.html: the statement of account to print, as `arrears statement` makes it."""
    from arrears.views import printed

    return Page(printed.statement_href(figures.case.id), "print/statement.html",
                printed.statement_context(figures, portfolio.settings))


def portfolio_insight(portfolio: Portfolio, figures: PortfolioFigures) -> Insight:
    """The Insight page's figures, from each case's contribution (as the incremental build caches them)."""
    cases = {case.id: case for case in portfolio.cases}
    return combine(figures.as_of, (contribution(cases[f.case.id], portfolio.settings, figures.as_of, f)
                                   for f in figures.cases if f.case.id in cases))


def _site(portfolio: Portfolio, figures: PortfolioFigures, built_from: BuildInfo | None = None) -> dict:
    """What every page's frame shows: the business's name, the as-of date, the Git commit built from.

    Only the pages that list every case (dashboard, agenda) name the commit and
    the dirty flag: a case page lists the commits that touched its case instead,
    so a commit or an edit elsewhere leaves it byte for byte as it was, and the
    incremental build need not rewrite every page after each commit.
    """
    return {"name": portfolio.settings.name, "as_of": figures.as_of, "build": built_from}


# --- writing and swapping ------------------------------------------------------------------


def _write(folder: Path, relative: str, text: str) -> None:
    path = folder / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)


