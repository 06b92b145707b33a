"""`arrears build`: render every page into a fresh folder, then swap it in atomically.

Readers (a web server, someone with the site open) never see half a site: the
new site is written to a temporary folder beside the output and renamed into
place only when complete. The output folder is only ever replaced if it holds
the `.arrears-site` marker this module writes, so a mistyped `--out` cannot
wipe someone's documents. The same records and as-of date give the same bytes.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable, ContextManager, Iterable, Iterator, Sequence

from arrears.ledger.figures import CaseFigures, PortfolioFigures
from arrears.git.history import BuildInfo, History, build_info, history_at
from arrears.records.model import Portfolio
from arrears.site import agenda_page, pages
from arrears.site import attachments as published
from arrears.site.feeds import feeds
from arrears.site.templates import environment

MARKER = ".arrears-site"
MARKER_TEXT = ("This folder was built by `arrears build` and is replaced on every build.\n"
               "Do not keep anything else here.\n")
ASSETS = ("site.css", "site.js", "icon.svg")

Progress = Callable[[Sequence, str], ContextManager[Iterable]]
"""Wraps the list of cases while their pages are written (the CLI passes a progress bar)."""


class SiteError(Exception):
    """A build that must not go ahead (an output folder we did not build): said to the user."""


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
               progress: Progress = no_progress, at: str | None = None) -> BuildReport:
    """Compute the figures as of `as_of` and publish the site into `out`.

    `at` (a Git revision the portfolio was read at) takes attachments from that
    commit too. In Git, pages say who recorded each note, list the commits that
    touched each case, and the footer names the commit built from.
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
            html = env.get_template(page.template).render(site=frame, **page.context)
            _write(folder, page.path, html)
            counts["pages"] += 1

        render(Page("index.html", "site/dashboard.html", pages.dashboard(portfolio, figures)))
        render(Page("agenda.html", "site/agenda.html", agenda_page.agenda_page(portfolio, figures)))
        with progress(figures.cases, "Writing case pages") as cases:
            for case_figures in cases:
                case_id = case_figures.case.id
                if committed is not None:
                    prefix = f"cases/{case_id}/files/"
                    names = [path[len(prefix):] for path in committed if path.startswith(prefix)]
                else:
                    names = attachments(root, case_id) if root else []
                render(case_page(portfolio, case_figures, names, history), listing=False)
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


def _site(portfolio: Portfolio, figures: PortfolioFigures, built_from: BuildInfo | None = None) -> dict:
    """What every page's frame shows: the business's name, the as-of date, the Git commit built from.

    Only the pages that list every case (dashboard, agenda) name the commit and
    the dirty flag: a case page lists the commits that touched its case instead,
    so a commit or an edit elsewhere leaves it byte for byte as it was, and the
    incremental build need not rewrite every page after each commit.
    """
    return {"name": portfolio.settings.name, "as_of": figures.as_of, "build": built_from}


def attachments(root: Path, case_id: str) -> list[str]:
    """Files under cases/<id>/files/, as sorted relative paths; hidden files and symlinks are skipped."""
    base = root / "cases" / case_id / "files"
    if not base.is_dir() or base.is_symlink():
        return []

    def walk(folder: Path, prefix: str) -> Iterator[str]:
        for entry in sorted(os.scandir(folder), key=lambda e: e.name):
            if entry.name.startswith((".", "#", "~")) or entry.is_symlink():
                continue
            if entry.is_dir():
                yield from walk(Path(entry.path), f"{prefix}{entry.name}/")
            elif entry.is_file():
                yield f"{prefix}{entry.name}"

    return list(walk(base, ""))


# --- writing and swapping ------------------------------------------------------------------


def _write(folder: Path, relative: str, text: str) -> None:
    path = folder / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)


def check_output(out: Path, root: Path | None = None) -> None:
    """Refuse an output we must not replace: a file, a foreign folder, or the records themselves."""
    if root is not None:
        real_root, real_out = root.resolve(), out.resolve()
        if real_out == real_root or real_root.is_relative_to(real_out) or real_out.is_relative_to(real_root / "cases"):
            raise SiteError(f"refusing to build into {out}: it would replace the records themselves; "
                            "choose another --out (the default is site/ under the records)")
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise SiteError(f"refusing to build into {out}: it exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise SiteError(f"refusing to replace {out}: it is not empty and was not built by arrears "
                        f"(no {MARKER} marker inside). Choose another --out, or move that folder away.")


def publish(out: Path, write: Callable[[Path], None], root: Path | None = None) -> None:
    """Run `write` into a temporary folder beside `out`, then rename it into place.

    The old site is renamed aside first and deleted only after the new one is in
    place; if anything fails the temporary folder is removed and `out` is untouched.
    """
    out = Path(os.path.abspath(out))
    check_output(out, root)
    out.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=f".{out.name}.building-", dir=out.parent))
    try:
        write(building)
        (building / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
        os.chmod(building, 0o777 & ~_umask())
        _swap(building, out)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise


def _swap(new: Path, out: Path) -> None:
    if not out.exists():
        os.rename(new, out)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    os.rmdir(old)
    os.rename(out, old)
    try:
        os.rename(new, out)
    except BaseException:
        os.rename(old, out)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
