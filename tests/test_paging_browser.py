"""A paged case list in Chromium: the dashboard's filter finds a case that is on another page.

With a small page size (7 cases a page) a 30-case portfolio plus the
injection corpus's case is split over five pages; typing a case that is only
on page 3 into the dashboard's search lists its row, from cases.js, with a
link that opens it, over http and from file://. The hostile case (on the last
page) shows its text as text, and nothing it holds runs.
"""

from __future__ import annotations

import functools
import sys
import threading
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

from arrears.site import incremental, paging
from site_records import AS_OF, write_injection
from test_site_browser import AXE, QuietHandler, browser, install_axe, need, open_page, visible_cases  # noqa: F401

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tooling"))
from generate_portfolio import generate  # noqa: E402

pytestmark = pytest.mark.browser

EVIL_NAME = "<script>alert('name')</script><img src=x onerror=alert('name2')>"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    from conftest import RecordsTree

    root = tmp_path_factory.mktemp("paged") / "books"
    generate(root, 30, 2, seed=5)
    write_injection(RecordsTree(root))  # its arrears.toml replaces the generated one: the hostile site name too
    out = root.parent / "www"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(paging, "CASES_PER_PAGE", 7)
        patch.setattr(paging, "ACTIONS_PER_PAGE", 5)
        built = incremental.build(root, AS_OF, out, full=True, workers=1, search_index=False)
    assert built.published and (out / "cases-5.html").is_file()
    return out


@pytest.fixture(scope="module")
def server(site):
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def ready(page) -> None:
    page.wait_for_selector("html[data-ready]", state="attached")


def found(page) -> None:
    """Wait for the filter to have listed its matches from cases.js (loaded on first use)."""
    page.wait_for_selector(".table-count:has-text('Showing')")


@pytest.mark.parametrize("where", ["http", "file"])
def test_the_dashboard_filter_finds_a_case_on_page_3(browser, server, site, where):
    base = server if where == "http" else site.as_uri()
    page, watch = open_page(browser, f"{base}/index.html")
    ready(page)
    wanted = "case-00015"  # 7 a page: cases 14 to 20 are on page 3
    assert wanted not in visible_cases(page)
    assert wanted in (site / "cases-3.html").read_text(encoding="utf-8")
    assert page.locator(".table-count").inner_text() == "7 of 31 cases on this page"
    page.get_by_label("Search").fill(wanted)
    found(page)
    assert visible_cases(page) == [wanted]
    assert page.locator(".table-count").inner_text() == "Showing 1 of 31 cases"
    assert not page.locator("nav.pager").is_visible(), "the matches come from every page: no pager"
    page.get_by_label("Search").fill("no such case anywhere")
    page.wait_for_selector("#case-table td.empty:has-text('No case matches.')")
    assert page.locator(".table-count").inner_text() == "Showing 0 of 31 cases"
    page.get_by_label("Search").fill("")
    assert visible_cases(page) == [f"case-{n:05d}" for n in range(7)], "the page's own rows come back"
    assert page.locator("nav.pager").is_visible()
    page.get_by_label("Search").fill(wanted)
    page.locator("#case-table tbody tr:not([hidden])").get_by_role("link", name=wanted).click()
    page.wait_for_url(f"**/cases/{wanted}/index.html")
    name = (site / "cases" / wanted / "index.html").read_text(encoding="utf-8")
    assert page.locator("h1").inner_text() in name
    assert watch.errors == [] and watch.dialogs == []


def test_found_rows_sort_with_the_table(browser, server):
    page, watch = open_page(browser, f"{server}/cases-2.html")
    ready(page)
    assert page.locator("h1").inner_text() == "Cases, page 2 of 5"
    page.get_by_role("button", name="Case").click()
    page.get_by_role("button", name="Case").click()  # descending
    page.get_by_label("Search").fill("case-0001")
    found(page)
    assert visible_cases(page) == [f"case-{n:05d}" for n in range(19, 9, -1)]
    assert watch.errors == []


def test_hostile_text_from_cases_js_shows_as_text(browser, server):
    page, watch = open_page(browser, f"{server}/index.html")
    ready(page)
    assert "evil" not in visible_cases(page)
    page.get_by_label("Search").fill("script")
    found(page)
    assert visible_cases(page) == ["evil"]
    row = page.locator("#case-table tbody tr[data-found]")
    assert row.locator("td.debtor-cell").inner_text().startswith(EVIL_NAME)
    assert row.locator("script, img, svg, iframe, b").count() == 0
    assert row.locator("a").get_attribute("href") == "cases/evil/index.html"
    page.get_by_label("Search").fill("")
    page.get_by_label("Owner").select_option(label="\"><svg onload=alert('owner')>")
    found(page)
    assert visible_cases(page) == ["evil"] and row.locator("td").nth(2).inner_text() == "\"><svg onload=alert('owner')>"
    last, more = open_page(browser, f"{server}/cases-5.html")
    ready(last)
    assert "evil" in visible_cases(last)
    assert watch.dialogs == [] and more.dialogs == [] and watch.errors == [] and more.errors == []


def test_paged_lists_have_no_serious_accessibility_problems(browser, server):
    need(install_axe(), "axe-core is not installed (npm install --prefix tests/.node axe-core)")
    for path in ("index.html", "cases-2.html", "agenda.html", "agenda-2.html"):
        page, _ = open_page(browser, f"{server}/{path}", bypass_csp=True)
        ready(page)
        if path.startswith("cases"):  # with rows found in cases.js too
            page.get_by_label("Search").fill("case-0002")
            found(page)
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate("async () => (await axe.run(document)).violations"
                                   ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length}))")
        serious = [v for v in violations if v["impact"] in ("serious", "critical")]
        assert serious == [], f"{path}: {serious}"
        page.context.close()


CELLS = """row => Array.from(row.cells).map(c => [c.getAttribute('data-label'), c.getAttribute('data-value'),
                                           c.textContent.replace(/\\s+/g, ' ').trim()])"""


def test_a_row_from_cases_js_reads_and_sorts_as_the_built_row(browser, server):
    built, _ = open_page(browser, f"{server}/cases-3.html")
    ready(built)
    page, watch = open_page(browser, f"{server}/index.html")
    ready(page)
    cases = visible_cases(built)
    assert len(cases) == 7
    for case in cases:
        expected = built.locator("#case-table tbody tr", has=built.get_by_role("link", name=case)).evaluate(CELLS)
        page.get_by_label("Search").fill(case)
        found(page)
        assert page.locator("#case-table tbody tr[data-found]").evaluate(CELLS) == expected
    assert watch.errors == []
