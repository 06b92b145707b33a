"""`arrears build`: what it writes, that it is deterministic, atomic, overridable and safe."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from arrears.cli.app import main
from arrears.site import build as site_build
from arrears.site.build import MARKER, SiteError
from arrears.site.incremental import build as full_build

from site_records import AS_OF, write_injection, write_portfolio


def run_build(root: Path, *args: str):
    return CliRunner().invoke(main, ["build", "--root", str(root), "--as-of", AS_OF.isoformat(), *args])


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def portfolio(records):
    write_portfolio(records)
    return records


def test_build_writes_dashboard_case_pages_feeds_and_attachments(portfolio):
    result = run_build(portfolio.root)
    assert result.exit_code == 0, result.output
    site = portfolio.root / "site"
    files = sorted(snapshot(site))
    printable = [f for f in files if f == "assets/print.css" or f.endswith("/statement.html")]
    case_pages = [f for f in files if f.startswith("cases/") and f.endswith("/index.html")]
    assert printable == ["assets/print.css", *(f.replace("/index.html", "/statement.html") for f in case_pages)]
    assert any(f.startswith("pagefind/") for f in files)  # the search index (site/search.py)
    assert [f for f in files if f not in printable and not f.startswith("pagefind/")] == [
        ".arrears-site", "agenda.html", "assets/icon.svg", "assets/site.css", "assets/site.js",
        "cases/acme-bakery/files/letter one.pdf", "cases/acme-bakery/index.html",
        "cases/bea-jones/index.html", "cases/brasserie-nord/index.html", "cases/cafe-lumiere/index.html",
        "due.csv", "due.json", "index.html", "insight.html", "search.html",
    ]
    dashboard = (site / "index.html").read_text()
    assert "1 May 2026" in dashboard and 'href="due.json"' in dashboard and 'href="due.csv"' in dashboard
    for case_id in ("acme-bakery", "bea-jones", "cafe-lumiere"):
        assert f'href="cases/{case_id}/index.html"' in dashboard
    case = (site / "cases/acme-bakery/index.html").read_text()
    assert 'href="files/letter%20one.pdf"' in case
    assert (site / "cases/acme-bakery/files/letter one.pdf").read_bytes() == b"%PDF-1.4 not really\n"


def test_feeds_have_the_due_figures(portfolio):
    run_build(portfolio.root)
    site = portfolio.root / "site"
    data = json.loads((site / "due.json").read_text())
    assert data["as_of"] == "2026-05-01"
    assert [c["case"] for c in data["cases"]] == ["acme-bakery", "bea-jones", "brasserie-nord", "cafe-lumiere"]
    bea = data["cases"][1]
    assert (bea["state"], bea["overdue"], bea["days_past_due"]) == ("overdue", "450.00", 47)
    # ECB rate on 1 Jan 2026 2.15 + 8 = 10.15: 2000 x 10.15 x 30 (2-31 Mar) + 1500 x 10.15 x 31 (1 Apr-1 May)
    # = 1080975 / 36500 = 29.6158 -> 29.62; compensation 40; balance 2000 - 500 + 29.62 + 40 = 1569.62
    nord = data["cases"][2]
    assert (nord["interest"], nord["compensation"], nord["interest_daily"], nord["balance"]) == (
        "29.62", "40.00", "0.42", "1569.62")  # daily: 1500 x 10.15 / 36500 = 0.4171
    assert data["totals"] == {"EUR": {"balance": "1569.62", "overdue": "1569.62", "interest": "29.62",
                                      "compensation": "40.00"},
                              "GBP": {"balance": "1050.00", "overdue": "450.00", "interest": "0.00", "compensation": "0.00"}}
    rows = (site / "due.csv").read_text().splitlines()
    assert rows[0].startswith("case,debtor,currency,state,")
    assert rows[2].startswith("bea-jones,Bea Jones,GBP,overdue,450.00,")
    for output_format in ("json", "csv"):
        printed = CliRunner().invoke(main, ["due", "--root", str(portfolio.root), "--as-of", AS_OF.isoformat(),
                                            "--format", output_format])
        assert printed.exit_code == 0
        assert (site / f"due.{output_format}").read_text() == printed.output


def test_two_builds_are_byte_identical(portfolio, tmp_path):
    assert run_build(portfolio.root, "--out", str(tmp_path / "one")).exit_code == 0
    assert run_build(portfolio.root, "--out", str(tmp_path / "two")).exit_code == 0
    one, two = snapshot(tmp_path / "one"), snapshot(tmp_path / "two")
    assert one == two
    assert not re.search(rb"\d{2}:\d{2}:\d{2}", b"".join(one.values())), "no wall-clock timestamps"


def test_as_of_changes_the_figures_not_the_clock(portfolio, tmp_path):
    run_build(portfolio.root, "--out", str(tmp_path / "may"))
    CliRunner().invoke(main, ["build", "--root", str(portfolio.root), "--out", str(tmp_path / "march"),
                              "--as-of", "2026-03-10"])
    march = (tmp_path / "march" / "index.html").read_text()
    assert "10 Mar 2026" in march and "1 May 2026" not in march
    assert "2026-04-03-payment" not in (tmp_path / "march/cases/acme-bakery/index.html").read_text()


def test_rebuild_replaces_its_own_site_and_leaves_no_temporary_folders(portfolio):
    assert run_build(portfolio.root).exit_code == 0
    stale = portfolio.root / "site" / "cases" / "gone" / "index.html"
    stale.parent.mkdir()
    stale.write_text("old")
    assert run_build(portfolio.root).exit_code == 0
    assert not stale.exists()
    assert sorted(p.name for p in portfolio.root.iterdir() if p.name != ".arrears-cache") == [
        "arrears.toml", "cases", "site"]  # the build cache stays: it makes the next build fast


def test_refuses_a_folder_it_did_not_build(portfolio, tmp_path):
    precious = tmp_path / "documents"
    precious.mkdir()
    (precious / "tax-return.pdf").write_text("keep me")
    result = run_build(portfolio.root, "--out", str(precious))
    assert result.exit_code == 2
    assert "not built by arrears" in result.output and MARKER in result.output
    assert [p.name for p in precious.iterdir()] == ["tax-return.pdf"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_refuses_the_records_themselves_and_files(portfolio, tmp_path):
    assert run_build(portfolio.root, "--out", str(portfolio.root)).exit_code == 2
    assert run_build(portfolio.root, "--out", str(portfolio.root / "cases" / "site")).exit_code == 2
    a_file = tmp_path / "site.html"
    a_file.write_text("x")
    assert run_build(portfolio.root, "--out", str(a_file)).exit_code == 2
    assert a_file.read_text() == "x"


def test_an_empty_folder_may_be_used(portfolio, tmp_path):
    (tmp_path / "empty").mkdir()
    assert run_build(portfolio.root, "--out", str(tmp_path / "empty")).exit_code == 0
    assert (tmp_path / "empty" / MARKER).is_file()


def test_a_failed_build_keeps_the_old_site(portfolio, monkeypatch):
    assert run_build(portfolio.root).exit_code == 0
    before = snapshot(portfolio.root / "site")

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(site_build.pages, "case_page", broken)
    with pytest.raises(RuntimeError):
        full_build(portfolio.root, AS_OF, portfolio.root / "site", full=True)
    assert snapshot(portfolio.root / "site") == before
    assert sorted(p.name for p in portfolio.root.iterdir() if p.name != ".arrears-cache") == [
        "arrears.toml", "cases", "site"]  # the build cache stays: it makes the next build fast


def test_build_leaves_out_a_case_with_errors_publishes_the_rest_and_exits_1(records):
    records.case("acme")
    records.note("acme", "bad", "date: 2026-02-30\nkind: call\n")
    records.case("bolt")
    result = run_build(records.root)
    assert result.exit_code == 1
    assert re.search(r"^cases/acme/notes/bad.md:\d+:\d+: error: .*\[bad-date\]$", result.stderr, re.M)
    assert "1 case left out for errors (acme)" in result.stderr
    site = records.root / "site"
    assert (site / "cases/bolt/index.html").is_file() and not (site / "cases/acme").exists()
    dashboard = (site / "index.html").read_text()
    agenda = (site / "agenda.html").read_text()
    for page in (dashboard, agenda):
        assert "1 case left out" in page and "cases/acme/notes/bad.md:" in page


def test_repository_wide_errors_still_refuse_the_build(records):
    records.case("acme")
    records.write("arrears.toml", 'currency = "XXX"\n')
    result = run_build(records.root)
    assert result.exit_code == 1 and "arrears.toml" in result.stderr
    assert not (records.root / "site").exists()


def test_template_override_one_file_at_a_time(portfolio):
    portfolio.write("templates/site/partials/footer.html", """
        <footer class="site-footer"><p>Our own footer for {{ site.name }}</p></footer>
    """)
    portfolio.write("templates/site/site.css", "body { color: rebeccapurple; }\n")
    assert run_build(portfolio.root).exit_code == 0
    site = portfolio.root / "site"
    dashboard = (site / "index.html").read_text()
    assert "Our own footer for Larkspur Trading Ltd" in dashboard
    assert "Today’s worklist" in dashboard, "the other templates still come from the package"
    assert (site / "assets/site.css").read_text() == "body { color: rebeccapurple; }\n"
    assert "sort" in (site / "assets/site.js").read_text()


def test_an_override_cannot_switch_escaping_off_by_accident(portfolio):
    portfolio.write("templates/site/partials/footer.html", "<footer>{{ site.name ~ '<b>' }}</footer>\n")
    assert run_build(portfolio.root).exit_code == 0
    assert "<footer>Larkspur Trading Ltd&lt;b&gt;</footer>" in (portfolio.root / "site/index.html").read_text()


def test_a_template_typo_fails_the_build(portfolio):
    portfolio.write("templates/site/partials/footer.html", "<footer>{{ site.nmae }}</footer>\n")
    with pytest.raises(Exception, match="nmae"):
        full_build(portfolio.root, AS_OF, portfolio.root / "site", full=True)
    assert not (portfolio.root / "site").exists()


# --- safety -----------------------------------------------------------------------------------------

DANGEROUS_SCHEMES = re.compile(r"^\s*(javascript|data|vbscript|file)\s*:", re.IGNORECASE)


class Audit(HTMLParser):
    """Collects everything in a page that could run script or load something from elsewhere."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.findings: list[str] = []
        self.scripts: list[str] = []
        self.csp: list[str] = []
        self.robots: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script":
            self.scripts.append(attributes.get("src") or "<inline>")
        if tag in ("iframe", "object", "embed", "base", "frame", "style", "applet"):
            self.findings.append(f"<{tag}>")
        if tag == "meta" and attributes.get("http-equiv") == "Content-Security-Policy":
            self.csp.append(attributes.get("content") or "")
        if tag == "meta" and attributes.get("name") == "robots":
            self.robots.append(attributes.get("content") or "")
        for name, value in attrs:
            if name.startswith("on") or name in ("style", "formaction", "srcdoc"):
                self.findings.append(f"<{tag} {name}>")
            if name in ("href", "src", "action", "xlink:href") and value and DANGEROUS_SCHEMES.match(value):
                self.findings.append(f"<{tag} {name}={value}>")
            if tag == "img" and name == "src" and value and re.match(r"^([a-z]+:|//)", value, re.I):
                self.findings.append(f"<img src={value}> is not relative")

    def handle_data(self, data):
        pass


def audit(html: str) -> Audit:
    parser = Audit()
    parser.feed(html)
    return parser


def test_injection_corpus_is_inert(records):
    write_injection(records)
    result = run_build(records.root)
    assert result.exit_code == 0, result.output
    site = records.root / "site"
    pages = sorted(site.rglob("*.html"))
    assert len(pages) == 6  # the dashboard, the agenda, the Insight and Search pages, the case page and its statement
    for page in pages:
        found = audit(page.read_text())
        assert found.findings == [], page
        if page.name == "statement.html":  # the statement to print has no script
            assert found.scripts == [], page
        elif page.name == "search.html":  # and Pagefind's, built beside the pages, which fetches its index
            assert found.scripts == ["assets/site.js", "pagefind/pagefind-ui.js"], page
            assert found.csp == ["default-src 'none'; img-src 'self' data:; style-src 'self'; script-src 'self' "
                                 "'wasm-unsafe-eval'; connect-src 'self'; base-uri 'none'; form-action 'none'"]
            continue
        else:
            assert len(found.scripts) == 1 and found.scripts[0].endswith("assets/site.js"), page
        assert found.csp == ["default-src 'none'; img-src 'self'; style-src 'self'; script-src 'self'; "
                             "base-uri 'none'; form-action 'none'"]
        assert found.robots == ["noindex, nofollow"]
    case = (site / "cases/evil/index.html").read_text()
    assert "&lt;script&gt;alert(&#39;name&#39;)&lt;/script&gt;" in case, "names are shown, escaped"
    assert "&lt;script&gt;alert(&#39;name&#39;)&lt;/script&gt;" in (site / "cases/evil/statement.html").read_text()
    assert "alert('x')" not in case and "<svg onload" not in case
    assert (site / "cases/evil/files/<img src=x onerror=alert('file')>.txt").is_file()
    assert 'href="files/%3Cimg%20src%3Dx%20onerror%3Dalert%28%27file%27%29%3E.txt"' in case


def test_every_page_of_the_portfolio_passes_the_audit(portfolio):
    run_build(portfolio.root)
    for page in sorted((portfolio.root / "site").rglob("*.html")):
        found = audit(page.read_text())
        assert found.findings == [] and len(found.csp) == 1, page


def test_site_error_is_said_plainly(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "keep").write_text("")
    with pytest.raises(SiteError, match="refusing to replace"):
        site_build.check_output(tmp_path / "x")
