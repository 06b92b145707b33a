"""Interest everywhere it is shown: due (JSON, CSV, table), show, the case page, the agenda, the drafts.

One case carries the section 10 worked example with a payment, so every view
is checked against the same hand-worked figures:
£1,000.00 due 15 Jul 2025, late-payment-act (12.25%), £300.00 paid on 1 Aug; as of 14 Aug 2025
1000 x 12.25 x 16 (16-31 Jul) + 700 x 12.25 x 14 (1-14 Aug) = 316050 / 36500 = 8.6589 -> £8.66,
compensation £70.00, balance £778.66, accruing 700 x 12.25 / 36500 = 0.2349 -> £0.23 a day.
"""

from __future__ import annotations

import csv
import io
import json
import os
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from arrears.cli.app import main
from arrears.ledger.compute import compute_case
from arrears.records.load import load
from arrears.views import messages
from ledger_helpers import D, figures, invoice, payment

AS_OF = "2025-08-14"


def _acme(records, plan: str | None = None) -> None:
    records.write("arrears.toml", 'name = "Northwind Supplies Ltd"\ncurrency = "GBP"\n')
    records.case("acme", """
        debtor:
          name: Acme Trading Ltd
          kind: business
          contacts:
            - {channel: email, value: accounts@acme.example, preferred: true}
          address: 1 Mill Lane, Leeds
        opened: 2025-06-01
        interest: {rule: late-payment-act}
    """)
    invoice(records, "inv", "2025-06-15", "INV-1", "1000.00", "2025-07-15")
    payment(records, "pay", "2025-08-01", "300.00")
    records.case("plain", "debtor: {name: Plain Ltd, kind: business}\nopened: 2025-06-01")
    invoice(records, "inv", "2025-06-15", "P-1", "500.00", "2025-07-15", case_id="plain")


def _run(records, *args):
    return CliRunner().invoke(main, [args[0], "--root", str(records.root), *args[1:]])


def test_due_json_gives_interest_compensation_and_the_daily_rate_for_every_case(records):
    _acme(records)
    result = _run(records, "due", "--as-of", AS_OF, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    acme, plain = data["cases"]
    assert (acme["interest"], acme["compensation"], acme["interest_daily"], acme["balance"]) == (
        "8.66", "70.00", "0.23", "778.66")
    assert (plain["interest"], plain["compensation"], plain["interest_daily"], plain["balance"]) == (
        "0.00", "0.00", "0.00", "500.00")
    assert data["totals"]["GBP"] == {"balance": "1278.66", "overdue": "1278.66", "interest": "8.66",
                                     "compensation": "70.00"}


def test_due_csv_has_the_same_columns(records):
    _acme(records)
    rows = list(csv.DictReader(io.StringIO(_run(records, "due", "--as-of", AS_OF, "--format", "csv").output)))
    assert (rows[0]["interest"], rows[0]["compensation"], rows[0]["interest_daily"]) == ("8.66", "70.00", "0.23")
    assert (rows[1]["interest"], rows[1]["compensation"], rows[1]["interest_daily"]) == ("0.00", "0.00", "0.00")


def test_due_table_shows_the_interest_column_only_when_some_case_has_interest(records):
    _acme(records)
    table = _run(records, "due", "--as-of", AS_OF).output
    assert "INTEREST" in table and "£78.66" in table and "(interest and compensation £78.66)" in table
    assert "INTEREST" not in _run(records, "due", "--as-of", AS_OF, "plain").output


def test_show_gives_the_workings_per_item(records):
    _acme(records)
    text = _run(records, "show", "acme", "--as-of", AS_OF).output
    assert "Interest      £8.66  (accruing £0.23 a day)" in text
    assert "under the Late Payment of Commercial Debts (Interest) Act 1998" in text
    assert "Bank of England base rate in force on 30 June 2025 (4.25%) + 8 points" in text
    assert "£1,000.00 from 2025-07-16 to 2025-07-31, 16 days at 12.25%: £5.37" in text
    assert "£700.00 from 2025-08-01 to 2025-08-14, 14 days at 12.25%: £3.29" in text
    assert "Compensation on INV-1: £70.00" in text
    assert "Interest" not in _run(records, "show", "plain", "--as-of", AS_OF).output.split("Items")[0].split(
        "State")[1]


def test_the_case_page_gives_the_workings_and_lists_each_charge(records):
    _acme(records)
    assert _run(records, "build", "--as-of", AS_OF).exit_code == 0
    page = (records.root / "site/cases/acme/index.html").read_text(encoding="utf-8")
    assert 'id="interest-title"' in page and "£0.23 a day" in page
    assert "<td class=\"num\">£700.00</td><td>1 Aug 2025</td><td>14 Aug 2025</td><td class=\"num\">14</td>" in page
    assert "Interest on INV-1, 16 Jul 2025 to 14 Aug 2025" in page
    plain = (records.root / "site/cases/plain/index.html").read_text(encoding="utf-8")
    assert "interest-title" not in plain


def test_the_agenda_asks_for_the_amount_with_interest(records):
    _acme(records)
    data = json.loads(_run(records, "agenda", "--as-of", AS_OF, "--format", "json").output)
    acme = next(item for item in data["items"] if item["case"] == "acme")
    assert (acme["overdue"], acme["balance"]) == ("778.66", "778.66")


def _draft(records, tone: str, plan: bool = False):
    portfolio = load(records.root)
    case = portfolio.case("acme")
    f = compute_case(case, portfolio.settings, date.fromisoformat(AS_OF))
    return messages.render(f, portfolio.settings, tone, "letter", records.root).text


def test_firm_and_final_drafts_state_what_accrued_under_which_act_and_the_daily_rate(records):
    _acme(records)
    for tone in ("firm", "final"):
        text = _draft(records, tone)
        assert ("This includes £8.66 of interest and £70.00 of fixed compensation, which we are entitled to "
                "claim under the Late Payment of Commercial Debts (Interest) Act 1998.") in text
        assert "Interest continues to accrue at £0.23 a day until the debt is paid." in text
        assert "£700.00 from 1 August 2025 to 14 August 2025, 14 days at 12.25%: £3.29" in text


def test_a_gentle_draft_offers_to_waive_interest_on_a_plan_kept_on_track(records):
    _acme(records)
    records.plan("acme", "plan", "agreed: 2025-08-10\nschedule: {start: 2025-09-01, every: month, count: 3}")
    text = _draft(records, "gentle")
    assert "under the Late Payment of Commercial Debts (Interest) Act 1998. If you keep to the plan, we will " \
           "waive it." in text
    assert "continues to accrue" not in text and "How it is worked out" not in text  # no demand in it


def test_the_interest_wording_is_the_users_to_change(records):
    _acme(records)
    records.write("templates/messages/partials/interest.txt", "Interest so far: {{ interest.interest }}.")
    assert "Interest so far: £8.66." in _draft(records, "firm")


def test_waiving_interest_with_a_goodwill_credit(records):
    _acme(records)
    records.note("acme", "waive", "date: 2025-08-14\nkind: credit\namount: 8.66\nreason: goodwill\n"
                                  "summary: Interest waived")
    # the credit settles principal first: 700 - 8.66 = 691.34 unpaid on 14 Aug, so day 14's interest is
    # 691.34 x 12.25 (not 700): 1000 x 12.25 x 16 + 700 x 12.25 x 13 + 691.34 x 12.25 x 1 = 315943.915 -> 8.66
    f = figures(records, AS_OF)
    assert f.totals.interest == D("8.66") and f.balance == D("770.00")  # 1000 - 300 - 8.66 + 8.66 + 70


GOLDEN = Path(__file__).parent / "golden" / "messages"


@pytest.mark.parametrize("tone", messages.TONES)
def test_golden_letters_with_interest(records, tone):
    """The whole letter per tone for the worked example (review the diff after a deliberate rewording)."""
    _acme(records)
    text = _draft(records, tone)
    golden = GOLDEN / f"interest-letter-{tone}.txt"
    if os.environ.get("ARREARS_UPDATE_GOLDEN") == "1":
        golden.write_text(text, encoding="utf-8")
    assert golden.is_file(), f"no golden file {golden.name}: run with --update-golden and review it"
    assert text == golden.read_text(encoding="utf-8")
