"""arrears serve in a real browser: the reload script works under the pages' Content-Security-Policy.

An edit reloads the open page, bad records show the problems overlay (styled
by its same-origin stylesheet) over the last good page, and the console shows
no CSP violation. Skipped locally without Chromium, as the other browser tests.
"""

from __future__ import annotations

import pytest

from site_records import write_portfolio
from test_serve import CALL, Served
from test_site_browser import CHROMIUM, CHROMIUM_ARGS, Watch, need

pytestmark = pytest.mark.browser
WAIT = 20_000  # milliseconds


def test_edits_reload_the_page_and_problems_show_over_it(records):
    need(CHROMIUM.is_file(), f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    write_portfolio(records)
    served = Served(records.root)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page()
            watch = Watch(page)
            page.goto(served.url + "cases/acme-bakery/index.html")
            page.wait_for_load_state("load")
            page.wait_for_selector("html[data-arrears-live]", state="attached", timeout=WAIT)  # the event stream is open

            note = records.root / CALL
            good = note.read_text(encoding="utf-8")
            note.write_text(good + "\nPriya rang back from the bakery.\n", encoding="utf-8")
            # Playwright's waits follow the page through reloads: no fixed sleeps, no polling here.
            page.wait_for_selector("text=Priya rang back from the bakery.", timeout=WAIT)

            note.write_text(good.replace("kind: call", "kind: cal"), encoding="utf-8")
            overlay = page.wait_for_selector("#arrears-live-problems", timeout=WAIT)
            assert CALL in overlay.inner_text()
            page.wait_for_function("() => getComputedStyle(document.querySelector('#arrears-live-problems'))"
                                   ".position === 'fixed'", timeout=WAIT)
            assert "Priya rang back from the bakery." in page.inner_text("body"), "the last good page stays"

            note.write_text(good, encoding="utf-8")
            page.wait_for_selector("#arrears-live-problems", state="detached", timeout=WAIT)
            page.wait_for_selector("text=Priya rang back from the bakery.", state="detached", timeout=WAIT)
            assert not [e for e in watch.errors if "Content Security Policy" in e or "Refused" in e], watch.errors
            browser.close()
    finally:
        served.stop()
