"""The built site in a real browser: Debian's Chromium driven by Playwright.

Sorting and filtering work, pages load with the Content-Security-Policy on
(over http and from file://) without console errors, the injection corpus
raises no dialog, and axe-core finds no serious or critical accessibility
problem. Screenshots land in tests/screenshots/ (gitignored) for a human to
look at. Locally these tests skip when Chromium or axe-core are missing;
under CI=true they fail instead, so a green CI always means they ran.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from arrears.site.incremental import build as full_build

from site_records import AS_OF, write_injection, write_portfolio

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
NODE = Path(__file__).parent / ".node"
AXE = NODE / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = Path(__file__).parent / "screenshots"
IN_CI = os.environ.get("CI") == "true"


def need(ready: bool, why: str) -> None:
    """Skip locally, fail under CI: a missing browser must never pass silently there."""
    if not ready:
        if IN_CI:
            pytest.fail(f"{why} (CI=true: browser tests must run)")
        pytest.skip(why)


def install_axe() -> bool:
    """axe-core from npm into tests/.node (gitignored), once."""
    if not AXE.is_file() and shutil.which("npm"):
        subprocess.run(["npm", "install", "--prefix", str(NODE), "--no-audit", "--no-fund", "--silent",
                        "axe-core@4"], check=False, timeout=300, capture_output=True)
    return AXE.is_file()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the stdlib's name
        pass


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> Path:
    """Two built sites side by side: the small portfolio and the injection corpus."""
    from conftest import RecordsTree

    base = tmp_path_factory.mktemp("browser")
    for name, write in (("books", write_portfolio), ("evil", write_injection)):
        records = RecordsTree(base / "records" / name)
        records.root.mkdir(parents=True)
        write(records)
        full_build(records.root, AS_OF, base / "www" / name, full=True)
    return base / "www"


@pytest.fixture(scope="module")
def server(sites):
    handler = functools.partial(QuietHandler, directory=str(sites))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser():
    need(CHROMIUM.is_file(), f"{CHROMIUM} is not installed")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover
        need(False, "the playwright package is not installed")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Watch:
    """Console errors, failed requests and dialogs seen by a page."""

    def __init__(self, page):
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("requestfailed", lambda request: self.errors.append(f"failed: {request.url}"))

        def dialog(d):
            self.dialogs.append(d.message)
            d.dismiss()

        page.on("dialog", dialog)


def open_page(browser, url: str, width: int = 1280, height: int = 900, **options):
    context = browser.new_context(viewport={"width": width, "height": height}, **options)
    page = context.new_page()
    watch = Watch(page)
    page.goto(url)
    return page, watch


def shot(page, name: str, **options) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True, **options)


def visible_cases(page) -> list[str]:
    return page.eval_on_selector_all("#case-table tbody tr:not([hidden]) td:first-child",
                                     "cells => cells.map(c => c.textContent.trim())")


def test_dashboard_sorts_and_filters(browser, server):
    page, watch = open_page(browser, f"{server}/books/index.html")
    assert page.locator("h1").inner_text().endswith("1 May 2026")
    assert visible_cases(page) == ["acme-bakery", "bea-jones", "brasserie-nord", "cafe-lumiere"]
    shot(page, "dashboard")

    balance = page.get_by_role("button", name="Balance")
    balance.click()
    assert page.locator("th", has=balance).get_attribute("aria-sort") == "ascending"
    assert visible_cases(page) == ["cafe-lumiere", "bea-jones", "acme-bakery", "brasserie-nord"]
    balance.click()
    assert visible_cases(page) == ["brasserie-nord", "acme-bakery", "bea-jones", "cafe-lumiere"]
    page.get_by_role("button", name="Days past due").click()
    assert visible_cases(page)[-1] == "brasserie-nord"  # 61 days (bea-jones: 47)

    page.get_by_label("Search").fill("jones")
    assert visible_cases(page) == ["bea-jones"]
    assert page.locator(".table-count").inner_text() == "Showing 1 of 4 cases"
    page.get_by_label("Search").fill("")
    page.get_by_label("State").select_option("settled")
    assert visible_cases(page) == ["cafe-lumiere"]
    shot(page, "dashboard-filtered")
    assert watch.errors == [] and watch.dialogs == []


def test_dashboard_reads_without_javascript(browser, server):
    page, watch = open_page(browser, f"{server}/books/index.html", java_script_enabled=False)
    assert visible_cases(page) == ["acme-bakery", "bea-jones", "brasserie-nord", "cafe-lumiere"]
    assert not page.get_by_label("Search").is_visible(), "controls that need script stay hidden"
    assert page.locator(".bar-chart").count() == 3  # aging in EUR and in GBP, and the states


def test_case_page_and_its_attachment(browser, server):
    page, watch = open_page(browser, f"{server}/books/cases/acme-bakery/index.html")
    assert page.locator("h1").inner_text() == "Acme Bakery Ltd"
    superseded = page.locator("details.superseded")
    assert superseded.count() == 1 and superseded.get_attribute("open") is None
    assert page.locator("#note-2026-03-01-payment del").count() == 1
    page.get_by_role("link", name="2026-03-02-correction").first.click()
    assert page.url.endswith("#note-2026-03-02-correction")
    assert page.locator(".balance-chart circle.payment").count() == 3, "the typo, the correction, the second payment"
    shot(page, "case")
    response = page.request.get(f"{server}/books/cases/acme-bakery/files/letter%20one.pdf")
    assert response.ok and response.body() == b"%PDF-1.4 not really\n"
    page.emulate_media(media="print")
    assert page.locator(".statement-head").is_visible()
    assert not page.locator(".timeline").is_visible() and not page.locator(".site-header").is_visible()
    shot(page, "case-print")
    assert watch.errors == []


def test_insight_page_reads_without_javascript_and_prints(browser, server):
    page, watch = open_page(browser, f"{server}/books/insight.html", java_script_enabled=False)
    assert page.locator("h1").inner_text().endswith("1 May 2026")
    assert page.locator(".site-nav a[aria-current=page]").inner_text() == "Insight"
    assert page.locator("h2.currency-title").all_inner_texts() == ["EUR", "GBP"]
    gbp = page.locator(".insight-currency").nth(1)
    # each chart has its table: 12 month-ends in the trend and roll-rate tables, 13 weeks in the forecast's
    assert gbp.locator("svg.line-chart").count() == 3 and gbp.locator("svg.forecast-chart").count() == 1
    assert gbp.locator("table.data").nth(0).locator("tbody tr").count() == 12
    assert gbp.locator("table.roll-rates tbody tr").count() == 12
    assert gbp.locator("table.data").nth(2).locator("tbody tr").count() == 13
    shot(page, "insight")
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible() and gbp.locator("table.roll-rates").is_visible()
    shot(page, "insight-print")
    assert watch.errors == []


def test_phone_layout_has_no_sideways_scrolling(browser, server):
    for path, name in (("index.html", "dashboard-phone"), ("cases/bea-jones/index.html", "case-phone"),
                       ("insight.html", "insight-phone")):
        page, watch = open_page(browser, f"{server}/books/{path}", width=390, height=844)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"
        shot(page, name)
        assert watch.errors == []


def test_opens_from_the_file_system_with_the_policy_on(browser, sites):
    page, watch = open_page(browser, (sites / "books" / "index.html").as_uri())
    assert page.get_by_label("Search").is_visible(), "site.js ran"
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(245, 244, 239)", "site.css applied"
    assert watch.errors == []


def test_injection_corpus_raises_no_dialog(browser, server):
    for path in ("index.html", "cases/evil/index.html"):
        page, watch = open_page(browser, f"{server}/evil/{path}")
        page.mouse.move(10, 10)
        for selector in ("h1", ".tag", ".entry-title", ".contacts li"):
            for element in page.locator(selector).all():
                element.hover()
        assert page.evaluate("document.scripts.length") == 1
        assert page.locator("iframe, object, embed").count() == 0
        assert watch.dialogs == []
        assert [e for e in watch.errors if "Content Security Policy" not in e] == []
    shot(page, "injection-case")


def test_no_serious_accessibility_problems(browser, server):
    need(install_axe(), "axe-core is not installed (npm install --prefix tests/.node axe-core)")
    for path in ("index.html", "cases/acme-bakery/index.html", "cases/bea-jones/index.html", "insight.html"):
        page, _ = open_page(browser, f"{server}/books/{path}", bypass_csp=True)
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate("async () => (await axe.run(document)).violations"
                                   ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length}))")
        serious = [v for v in violations if v["impact"] in ("serious", "critical")]
        assert serious == [], f"{path}: {serious}"


def _clicked_href(page, selector: str) -> str:
    """Click a link as a person would, and return where it would have gone (mailto: opens no page here)."""
    page.evaluate("""() => document.addEventListener('click', event => {
        const link = event.target.closest('a');
        if (link) { window.__clicked = link.href; event.preventDefault(); }
    }, {capture: true})""")
    page.locator(selector).first.click()
    return page.evaluate("() => window.__clicked")


def test_the_suggested_draft_opens_filled_in_in_the_mail_app(browser, server):
    from urllib.parse import parse_qs, urlsplit

    context = browser.new_context(timezone_id="Europe/London")
    page = context.new_page()
    watch = Watch(page)
    page.clock.set_fixed_time("2026-05-01T10:00:00+01:00")  # inside the calling hours: every link is live
    page.goto(f"{server}/books/cases/acme-bakery/index.html")
    page.locator("details", has=page.locator(".draft-link")).locator("summary").click()
    href = _clicked_href(page, ".next-draft a.draft-link")
    url = urlsplit(href)
    assert (url.scheme, url.path) == ("mailto", "accounts@acme.example")
    fields = parse_qs(url.query)
    shown_subject = page.locator(".next-draft p", has_text="Subject:").inner_text().removeprefix("Subject:").strip()
    assert fields["subject"] == [shown_subject] and shown_subject
    assert fields["body"][0].strip() == page.locator(".next-draft pre.draft-text").inner_text().strip()
    assert "£" in fields["body"][0]
    contacts = page.locator(".contacts a.contact-link")
    assert contacts.evaluate_all("links => links.map(a => a.getAttribute('href'))") == [
        "mailto:accounts@acme.example", "tel:+442079460000"]
    assert page.locator(".contacts .is-opted-out a").count() == 0  # sms is opted out: no link
    assert watch.errors == []
    context.close()


def test_calls_and_texts_say_not_now_outside_calling_hours(browser, server):
    context = browser.new_context(timezone_id="Europe/London")
    page = context.new_page()
    page.clock.set_fixed_time("2026-05-01T21:30:00+01:00")  # 21:30 in London, after the calling hours
    page.goto(f"{server}/books/cases/acme-bakery/index.html")
    hours = page.locator("body").get_attribute("data-contact-hours")
    phone = page.locator(".contacts a.contact-link.not-now")
    assert phone.count() >= 1 and phone.first.get_attribute("href") is None
    assert f"not now (after {hours.split('-')[1]})" in page.locator(".contacts").inner_text()
    assert page.locator(".contacts a[href^='mailto:']").count() == 1  # an email can wait in the inbox
    context.close()


def test_on_a_phone_the_worklist_comes_first(browser, server):
    page, watch = open_page(browser, f"{server}/books/index.html", width=390, height=844)
    top = lambda selector: page.locator(selector).first.bounding_box()["y"]  # noqa: E731
    assert top(".hero") < top(".worklist") < top(".totals") < top("#cases")
    assert top(".worklist") < 700, "the day's work is on the first screen"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "nothing wider than the phone"
    shot(page, "dashboard-phone")
    assert watch.errors == []


def test_my_cases_filter_by_owner_and_tag(browser, server):
    page, watch = open_page(browser, f"{server}/books/index.html")
    page.get_by_label("Owner").select_option("jo")
    assert visible_cases(page) == ["acme-bakery"]
    page.get_by_label("Owner").select_option("sam")
    assert visible_cases(page) == ["bea-jones", "brasserie-nord", "cafe-lumiere"]
    page.get_by_label("Owner").select_option("")
    page.get_by_label("Tag").select_option("wholesale")
    assert visible_cases(page) == ["acme-bakery"]
    assert watch.errors == []


def test_search_finds_a_word_in_one_note_and_lands_on_that_case(browser, server):
    page, watch = open_page(browser, f"{server}/books/search.html")
    page.locator(".pagefind-ui__search-input").fill("oven")  # only in acme-bakery's call note
    results = page.locator(".pagefind-ui__result-link")
    results.first.wait_for()
    assert results.count() == 1
    results.first.click()
    page.wait_for_url("**/cases/acme-bakery/**")
    assert page.locator("h1").inner_text() == "Acme Bakery Ltd"
    assert watch.errors == []


def test_search_from_the_file_system_says_how_to_get_it(browser, sites):
    page, watch = open_page(browser, (sites / "books" / "search.html").as_uri())
    note = page.locator("#search-unavailable")
    assert note.is_visible() and "arrears serve" in note.inner_text()
    page, watch = open_page(browser, (sites / "books" / "index.html").as_uri())
    page.get_by_label("Search").fill("jones")
    assert visible_cases(page) == ["bea-jones"], "the table filter still works from a file"
