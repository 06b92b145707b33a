"""arrears serve in a real browser: the reload script works under the pages' Content-Security-Policy.

An edit reloads the open page, bad records show the problems overlay (styled
by its same-origin stylesheet) over the last good page, and the console shows
no CSP violation. Skipped locally without Chromium, as the other browser tests.
"""

from __future__ import annotations

import time

import pytest

from site_records import write_portfolio
from test_serve import CALL, Served
from test_site_browser import CHROMIUM, CHROMIUM_ARGS, Watch, need

pytestmark = pytest.mark.browser


def wait_until(condition, what: str, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = condition()
        except Exception:  # the page is navigating (reloading) right now
            value = None
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


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
            time.sleep(0.5)  # the event stream connects

            note = records.root / CALL
            good = note.read_text(encoding="utf-8")
            note.write_text(good + "\nPriya rang back from the bakery.\n", encoding="utf-8")
            wait_until(lambda: "Priya rang back from the bakery." in page.inner_text("body"), "the page to reload")

            note.write_text(good.replace("kind: call", "kind: cal"), encoding="utf-8")
            overlay = wait_until(lambda: page.query_selector("#arrears-live-problems"), "the problems overlay")
            assert CALL in overlay.inner_text()
            wait_until(lambda: page.eval_on_selector("#arrears-live-problems",
                                                     "e => getComputedStyle(e).position") == "fixed",
                       "the overlay's stylesheet")
            assert "Priya rang back from the bakery." in page.inner_text("body"), "the last good page stays"

            note.write_text(good, encoding="utf-8")
            wait_until(lambda: page.query_selector("#arrears-live-problems") is None
                       and "Priya rang back from the bakery." not in page.inner_text("body"), "recovery")
            assert not [e for e in watch.errors if "Content Security Policy" in e or "Refused" in e], watch.errors
            browser.close()
    finally:
        served.stop()
