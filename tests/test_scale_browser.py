"""Every kind of page of a 10,000-case site becomes interactive in Chromium within a second.

The portfolio is generated (2 notes a case, to keep it quick) and built once
for the module, without the search index. For each kind of page (the
dashboard, a further page of the case list, the agenda and its second page,
insight, search, a case page, a statement) the test opens it over http and
reads the Navigation Timing entry and the mark site.js sets once the tables
are set up (`arrears-ready`): both must come within 1,000 ms of the start of
navigation. The dashboard's first filter, which loads cases.js, is timed the
same way. The dashboard and the agenda must weigh at most 500 KB.
"""

from __future__ import annotations

import functools
import sys
import threading
import time
from datetime import date
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

from arrears.site import incremental
from test_site_browser import QuietHandler, Watch, browser, open_page  # noqa: F401 - the fixture

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tooling"))
from generate_portfolio import generate  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CASES = 10_000
DAY = date(2026, 11, 24)
LIMIT_MS = 1000
PAGES = ("index.html", "cases-2.html", "agenda.html", "agenda-2.html", "insight.html", "search.html",
         "cases/case-04242/index.html", "cases/case-04242/statement.html")
TIMING = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const ready = performance.getEntriesByName("arrears-ready")[0];
  return {interactive: nav.domInteractive, loaded: nav.domContentLoadedEventEnd,
          ready: ready ? ready.startTime : null};
}"""
TIMES: dict[str, dict] = {}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("scale") / "books"
    started = time.perf_counter()
    generate(root, CASES, 2, seed=11)
    generated = time.perf_counter()
    built = incremental.build(root, DAY, root.parent / "www", full=True, search_index=False)
    assert built.published
    print(f"\n{CASES} cases: generated in {generated - started:.1f} s, built in {time.perf_counter() - generated:.1f} s")
    return built.out


@pytest.fixture(scope="module")
def server(site):
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_the_dashboard_and_the_agenda_weigh_at_most_500_kb(site):
    sizes = {name: (site / name).stat().st_size for name in ("index.html", "agenda.html")}
    largest = max((p for pattern in ("cases-*.html", "agenda-*.html") for p in site.glob(pattern)),
                  key=lambda p: p.stat().st_size)
    print(f"\nsizes (KB): {', '.join(f'{n} {s / 1000:.0f}' for n, s in sizes.items())}, "
          f"largest further page {largest.name} {largest.stat().st_size / 1000:.0f}, "
          f"cases.js {(site / 'cases.js').stat().st_size / 1000:.0f}")
    assert all(size <= 500_000 for size in sizes.values()), sizes
    assert largest.stat().st_size <= 500_000


@pytest.mark.parametrize("path", PAGES)
def test_every_kind_of_page_is_interactive_within_a_second(browser, server, site, path):
    assert (site / path).is_file()
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    watch, missing = Watch(page), []
    page.on("response", lambda response: response.status >= 400 and missing.append(response.url))
    page.goto(f"{server}/{path}")
    if path.endswith("statement.html"):  # a page to print: no script at all
        assert page.locator("script").count() == 0
    else:
        page.wait_for_selector("html[data-ready]", state="attached")
    timing = page.evaluate(TIMING)
    TIMES[path] = timing
    print(f"\n{path}: {timing}")
    assert timing["interactive"] < LIMIT_MS and timing["loaded"] < LIMIT_MS
    assert path.endswith("statement.html") or timing["ready"] < LIMIT_MS
    # Built --no-search, search.html has no Pagefind to load; a page to print names no icon (favicon.ico)
    expected = ("/pagefind/", "/favicon.ico")
    assert [url for url in missing if not any(part in url for part in expected)] == []
    assert [error for error in watch.errors if not error.startswith("Failed to load resource")  # those 404s
            and not any(error.startswith("failed: ") and part in error for part in expected)] == []
    page.context.close()


def test_the_first_filter_over_every_case_answers_within_a_second(browser, server):
    page, watch = open_page(browser, f"{server}/index.html")
    page.wait_for_selector("html[data-ready]", state="attached")
    started = page.evaluate("() => performance.now()")
    page.get_by_label("Search").fill("case-09999")
    page.wait_for_selector(".table-count:has-text('Showing 1 of')")
    took = page.evaluate("() => performance.now()") - started
    print(f"\nfirst filter, cases.js loaded: {took:.0f} ms")
    assert page.locator("#case-table tbody tr:not([hidden]) a").inner_text() == "case-09999"
    assert took < LIMIT_MS and watch.errors == []
    page.context.close()
