"""Letters and statements as PDFs: rendered with WeasyPrint, read back with poppler's `pdftotext`.

What a person holding the paper would check: the debtor's name, the amounts
and the reply date are there; a long statement runs over two pages with the
table's header repeated and "Page 2 of 2" at the foot; the address sits in
the DL envelope window (checked in points, from `pdftotext -bbox-layout`);
and rendering asks nothing of the network.
"""

from __future__ import annotations

import re
import socket
import subprocess
import xml.etree.ElementTree as ElementTree
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from arrears.cli.app import main

AS_OF = date(2026, 5, 20)
MM = 72 / 25.4  # points per millimetre
WINDOW = (20 * MM, 45 * MM, 110 * MM, 90 * MM)  # x0, y0, x1, y1 from the top left: DIN 5008 form B, 90 x 45 mm

SETTINGS = '''
name = "Northwind Supplies Ltd"
currency = "GBP"
timezone = "Europe/London"
[payment]
instructions = "Bank transfer to 12-34-56 12345678, reference: your invoice number"
[sender]
address = """
Unit 4, Riverside Works
12 Canal Street
Bristol BS1 4AB
"""
phone = "+44 117 496 0000"
email = "accounts@northwind.example"
'''

MARA = """
    debtor:
      name: Mara Okafor
      kind: individual
      contacts:
        - {channel: post, value: "14 Elm Road, Leeds"}
      address: |
        Flat 2, 14 Elm Road
        Headingley
        Leeds LS6 3AB
    opened: 2026-01-10
"""


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def pages(pdf: Path) -> list[str]:
    """The text of each page, as pdftotext lays it out (pages end with a form feed)."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    return text.split("\f")[:-1]


def words(pdf: Path, page: int = 1) -> list[tuple[str, float, float, float, float]]:
    """(word, xMin, yMin, xMax, yMax) in points from the top left of `page`, from pdftotext -bbox-layout."""
    xhtml = subprocess.run(["pdftotext", "-bbox-layout", "-f", str(page), "-l", str(page), str(pdf), "-"],
                           check=True, capture_output=True, text=True).stdout
    tree = ElementTree.fromstring(xhtml)
    return [(w.text or "", float(w.get("xMin")), float(w.get("yMin")), float(w.get("xMax")), float(w.get("yMax")))
            for w in tree.iter("{http://www.w3.org/1999/xhtml}word")]


def in_window(box: tuple[str, float, float, float, float]) -> bool:
    _, x0, y0, x1, y1 = box
    return WINDOW[0] <= x0 and WINDOW[1] <= y0 and x1 <= WINDOW[2] and y1 <= WINDOW[3]


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    from conftest import RecordsTree

    records = RecordsTree(tmp_path_factory.mktemp("print") / "books")
    records.root.mkdir()
    records.write("arrears.toml", SETTINGS)
    records.case("mara-okafor", MARA)
    records.note("mara-okafor", "2026-01-10-invoice", """
        date: 2026-01-10
        kind: invoice
        ref: INV-2001
        amount: 1234.56
        due: 2026-02-01
    """)
    records.note("mara-okafor", "2026-03-01-payment", """
        date: 2026-03-01
        kind: payment
        amount: 234.56
    """)
    records.case("long-account", """
        debtor:
          name: Kestrel Logistics Ltd
          kind: business
          address: |
            Bay 7, Thornbury Distribution Park
            Bristol BS35 3XX
        opened: 2025-01-01
    """)
    for n in range(70):  # 70 invoices and payments: well over a page of statement lines
        day = date(2025, 1, 1) + timedelta(days=4 * n)
        records.note("long-account", f"{day}-invoice-{n}", f"""
            date: {day}
            kind: invoice
            ref: K-{n:03d}
            amount: 100.00
            due: {day + timedelta(days=30)}
        """)
        if n < 69:
            records.note("long-account", f"{day}-payment-{n}", f"""
                date: {day + timedelta(days=2)}
                kind: payment
                amount: 100.00
            """)
    return records


@pytest.fixture(scope="module")
def statement_pdf(books, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("pdf") / "mara.pdf"
    result = run("statement", "mara-okafor", "--root", str(books.root), "--as-of", AS_OF.isoformat(),
                 "--pdf", str(out))
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def long_pdf(books, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("pdf") / "long.pdf"
    result = run("statement", "long-account", "--root", str(books.root), "--as-of", "2026-01-31", "--pdf", str(out))
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def letter_pdf(books, tmp_path_factory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("pdf") / "letter.pdf"
    result = run("remind", "mara-okafor", "--root", str(books.root), "--as-of", AS_OF.isoformat(),
                 "--channel", "letter", "--tone", "final", "--pdf", str(out))
    assert result.exit_code == 0, result.output
    return out, result.stdout


def test_statement_pdf_names_the_debtor_the_amounts_and_the_sender(statement_pdf):
    (text,) = pages(statement_pdf)  # one page
    assert "Statement of account" in text and "Mara Okafor" in text
    assert "£1,234.56" in text and "£234.56" in text and "£1,000.00" in text  # invoice, payment, balance
    assert "Page 1 of 1" in text
    for line in ("Unit 4, Riverside Works", "Bristol BS1 4AB", "+44 117 496 0000", "accounts@northwind.example"):
        assert line in text  # [sender] from arrears.toml
    assert "20 May 2026" in text and "mara-okafor" in text  # the date and our reference


def test_statement_pdf_address_sits_in_the_envelope_window(statement_pdf):
    found = words(statement_pdf)
    address = ["Mara", "Okafor", "Flat", "Headingley", "Leeds", "LS6", "3AB"]
    boxes = [min((w for w in found if w[0] == word), key=lambda w: w[2]) for word in address]  # the top-most
    outside = [w for w in boxes if not in_window(w)]
    assert outside == [], f"outside the window {WINDOW}: {outside}"
    # and the window shows the address and nothing else (above the name: only the small return line)
    name_top = boxes[0][2]
    shown = [w[0] for w in found if w[2] >= name_top - 1 and w[4] <= WINDOW[3]
             and w[1] < WINDOW[2] and w[3] > WINDOW[0]]
    assert shown == "Mara Okafor Flat 2, 14 Elm Road Headingley Leeds LS6 3AB".split()
    above = [w[0] for w in found if w[2] >= WINDOW[1] and w[4] < name_top and w[1] < WINDOW[2]]
    assert " ".join(above) == "Northwind Supplies Ltd, Unit 4, Riverside Works, 12 Canal Street, Bristol BS1 4AB"


def test_a_long_statement_runs_over_pages_and_repeats_the_table_header(long_pdf):
    found = pages(long_pdf)
    assert len(found) >= 2
    for number, text in enumerate(found, start=1):
        assert f"Page {number} of {len(found)}" in text
        header = re.search(r"Date\s+Description\s+Charges\s+Payments and credits\s+Balance", text)
        assert header, f"no table header on page {number}"
    assert "K-000" in found[0] and "K-069" in found[-1]
    assert "Statement of account · long-account" in found[1]  # the running reference at the foot


def test_the_letter_pdf_has_the_amount_the_name_and_the_reply_date(letter_pdf):
    pdf, draft = letter_pdf
    (text,) = pages(pdf)
    assert "Dear Mara Okafor," in text and "£1,000.00" in text
    assert "19 June 2026" in text  # the final tone gives an individual 30 days (AS_OF + 30)
    assert "19 June 2026" in draft  # the text draft on stdout says the same
    assert "Page 1 of 1" in text and "Yours sincerely," in text
    assert text.count("Flat 2, 14 Elm Road") == 1, "the address appears once, in the window"
    found = words(pdf)
    boxes = [min((w for w in found if w[0] == word), key=lambda w: w[2]) for word in ("Mara", "Headingley", "LS6")]
    assert all(in_window(w) for w in boxes), boxes


def test_an_existing_file_is_never_replaced_without_force(books, tmp_path):
    out = tmp_path / "statement.pdf"
    out.write_bytes(b"keep me")
    refused = run("statement", "mara-okafor", "--root", str(books.root), "--as-of", "2026-05-20", "--pdf", str(out))
    assert refused.exit_code == 2 and "--force" in refused.output
    assert out.read_bytes() == b"keep me"
    notes = sorted((books.root / "cases/mara-okafor/notes").iterdir())
    letter = run("remind", "mara-okafor", "--root", str(books.root), "--as-of", "2026-05-20", "--channel", "letter",
                 "--pdf", str(out), "--record")
    assert letter.exit_code == 2 and out.read_bytes() == b"keep me"
    assert letter.stdout == "" and sorted((books.root / "cases/mara-okafor/notes").iterdir()) == notes  # not recorded
    replaced = run("statement", "mara-okafor", "--root", str(books.root), "--as-of", "2026-05-20", "--pdf", str(out),
                   "--force")
    assert replaced.exit_code == 0 and out.read_bytes().startswith(b"%PDF-")


def test_pdf_needs_the_letter_channel_and_a_known_case(books, tmp_path):
    email = run("remind", "mara-okafor", "--root", str(books.root), "--channel", "email", "--pdf",
                str(tmp_path / "x.pdf"))
    assert email.exit_code == 2 and "--channel letter" in email.output
    missing = run("statement", "nobody", "--root", str(books.root), "--pdf", str(tmp_path / "x.pdf"))
    assert missing.exit_code == 2 and "no such case: nobody" in missing.output
    folder = run("statement", "mara-okafor", "--root", str(books.root), "--pdf", str(tmp_path / "no" / "x.pdf"))
    assert folder.exit_code == 1 and "cannot write" in folder.output
    assert not (tmp_path / "x.pdf").exists()


def test_nothing_is_fetched_from_the_network(books, tmp_path, monkeypatch):
    """A template that asks for outside URLs (and a record's file) gets none of them, and says so."""
    from conftest import RecordsTree

    from arrears.views import pdf

    evil = RecordsTree(tmp_path / "evil")
    evil.write("arrears.toml", SETTINGS)
    evil.case("mara-okafor", MARA)
    secret = (evil.root / "cases/mara-okafor/case.md").resolve()
    evil.write("templates/print/partials/info.html", f"""
        <dl class="info"><dt>Date</dt><dd>{{{{ date }}}}</dd></dl>
        <img src="https://tracker.example/pixel.png" alt="">
        <img src="{secret.as_uri()}" alt="">
        <link rel="stylesheet" href="http://fonts.example/css">
    """)
    evil.write("templates/site/print.css", "@import url('https://cdn.example/x.css');\n"
                                           "body { background: url(//cdn.example/bg.png); }\n")
    asked: list = []

    def no_network(*args, **kwargs):  # any socket connection at all fails the test
        asked.append(args)
        raise AssertionError("a connection was attempted")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    recorded: list = []
    real = pdf.template_fetcher

    def recording(root):
        fetcher = real(root)
        recorded.append(fetcher)
        return fetcher

    monkeypatch.setattr(pdf, "template_fetcher", recording)
    out = tmp_path / "evil.pdf"
    result = run("statement", "mara-okafor", "--root", str(evil.root), "--as-of", "2026-05-20", "--pdf", str(out))
    assert result.exit_code == 0, result.output
    assert asked == []
    (fetcher,) = recorded
    refused = set(fetcher.refused)
    assert {"https://tracker.example/pixel.png", secret.as_uri(), "http://fonts.example/css",
            "https://cdn.example/x.css"} <= refused
    assert any("cdn.example/bg.png" in url for url in refused)
    served = [url for url in fetcher.requested if url not in refused]
    assert served and all(url.endswith("/site/print.css") for url in served)  # the override, from templates
    assert "not loaded: https://tracker.example/pixel.png" in result.stderr
    assert "Mara Okafor" in pages(out)[0]


def test_the_fetcher_serves_template_files_only(books, tmp_path):
    from arrears.views import pdf
    from arrears.site.templates import DEFAULTS

    books.write("templates/print/logo.svg", "<svg xmlns='http://www.w3.org/2000/svg'/>")
    fetcher = pdf.template_fetcher(books.root)
    css = fetcher.fetch((DEFAULTS / "site/print.css").as_uri())
    assert b"@page" in css.read()
    own = fetcher.fetch((books.root / "templates/print/logo.svg").as_uri())
    assert own.read().startswith(b"<svg")
    for url in [(books.root / "arrears.toml").as_uri(), (books.root / "templates/../arrears.toml").as_uri(),
                "file:///etc/passwd", "https://example.com/", "data:text/css,body{}"]:
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 5


def test_statement_html_on_stdout_is_self_contained_and_escaped(books):
    books.write("cases/evil/case.md", """---
debtor:
  name: "<script>alert('x')</script> Ltd"
  kind: business
opened: 2026-01-10
---
""")
    result = run("statement", "evil", "--root", str(books.root), "--as-of", "2026-05-20")
    assert result.exit_code == 0, result.output
    page = result.stdout
    assert page.startswith("<!doctype html>") and "<style>" in page and "@page" in page
    assert '<link rel="stylesheet"' not in page  # nothing to fetch: print.css is inlined
    assert "<script>" not in page and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Ltd" in page
    (books.root / "cases/evil/case.md").unlink()
    (books.root / "cases/evil").rmdir()


def test_without_weasyprint_the_command_says_what_to_install(books, tmp_path, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_weasyprint(name, *args, **kwargs):
        if name == "weasyprint" or name.startswith("weasyprint."):
            raise ImportError("No module named 'weasyprint'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_weasyprint)
    out = tmp_path / "x.pdf"
    result = run("statement", "mara-okafor", "--root", str(books.root), "--as-of", "2026-05-20", "--pdf", str(out))
    assert result.exit_code == 1 and not out.exists()
    assert "pip install 'arrears[pdf]'" in result.stderr and "libpango-1.0-0" in result.stderr
    assert "Traceback" not in result.output


def test_an_address_too_long_for_the_window_is_warned_about(tmp_path):
    from conftest import RecordsTree

    books = RecordsTree(tmp_path / "books")
    books.write("arrears.toml", SETTINGS)
    books.case("long-address", """
        debtor:
          name: A Person
          kind: individual
          address: |
            Line 1
            Line 2
            Line 3
            Line 4
            Line 5
            Line 6
            Line 7
        opened: 2026-01-10
    """)
    books.case("no-address", """
        debtor:
          name: B Person
          kind: individual
        opened: 2026-01-10
    """)
    too_long = run("statement", "long-address", "--root", str(books.root), "--pdf", str(tmp_path / "a.pdf"))
    assert too_long.exit_code == 0 and "has 7 lines; the envelope window shows 6" in too_long.stderr
    words_shown = [w[0] for w in words(tmp_path / "a.pdf") if in_window(w)]
    assert "6" in words_shown and "7" not in words_shown  # six lines below the name still fit the window
    missing = run("statement", "no-address", "--root", str(books.root), "--pdf", str(tmp_path / "b.pdf"))
    assert missing.exit_code == 0 and "no postal address for B Person" in missing.stderr
