"""Search across every case page (notes, the story, the debtor) with Pagefind, a static index.

`pagefind[bin]` (a dependency) ships the Pagefind binary, so indexing needs
no network. The index is written beside the pages, in `pagefind/`, and
loaded by the browser over http(s) only: `arrears serve` and any static web
server work; from file:// the search page says how to get search (site.js).
Only case pages are indexed (`data-pagefind-body` marks what counts). The
index is rebuilt whenever a case page changed, into a staging folder that is
swapped in whole, so a reader never sees half an index.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from arrears.site.publish import swap_folder

FOLDER = "pagefind"
GLOB = "cases/*/index.html"


@dataclass(frozen=True, slots=True)
class SearchIndex:
    """What indexing took: seconds, and the index's size on disk in bytes."""

    seconds: float
    size: int


def executable() -> Path | None:
    """The Pagefind binary shipped by pagefind-bin, or None when it is not installed."""
    try:
        import pagefind_bin
    except ImportError:
        return None
    try:
        return Path(pagefind_bin.get_executable())
    except (FileNotFoundError, OSError):
        return None


def is_stale(site: Path) -> bool:
    """Is a case page newer than the index (an edit made under `serve`, which leaves the index be)?"""
    entry = site / FOLDER / "pagefind-entry.json"
    try:
        indexed = entry.stat().st_mtime_ns
    except OSError:
        return True
    return any(page.stat().st_mtime_ns > indexed for page in site.glob(GLOB))


def index_site(site: Path) -> SearchIndex | None:
    """(Re)build `site/pagefind/` from the case pages; None when Pagefind is missing (the site works without)."""
    binary = executable()
    if binary is None or not any(site.glob(GLOB)):
        return None
    started = time.perf_counter()
    staging = Path(tempfile.mkdtemp(prefix=".pagefind-", dir=site))
    try:
        subprocess.run([str(binary), "--site", str(site), "--glob", GLOB, "--output-path", str(staging),
                        "--force-language", "en", "--silent"], check=True, capture_output=True, timeout=600)
        swap_folder(staging, site / FOLDER)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    size = sum(p.stat().st_size for p in (site / FOLDER).rglob("*") if p.is_file())
    return SearchIndex(time.perf_counter() - started, size)
