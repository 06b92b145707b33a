"""`arrears export`: hledger and beancount accept the books, and their receivables equal `due`'s balances.

The real tools are run on the exported files: hledger (Debian's, /usr/bin)
and beancount (from the venv). Under CI a missing hledger fails the run;
locally it is skipped with the reason.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st
from click.testing import CliRunner

from arrears.views import export
from arrears.rules.check import check
from arrears.cli.export import export as export_command
from arrears.ledger.compute import compute_portfolio
from arrears.records.load import load

REPO = Path(__file__).resolve().parent.parent
BEAN_CHECK = Path(sys.executable).parent / "bean-check"
LATE = date(2027, 6, 30)


def hledger() -> str:
    found = shutil.which("hledger")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("hledger is not installed: CI must install it (.ci/run)")
        pytest.skip("hledger is not installed here (apt-get install hledger); CI runs these")
    return found


# --- the hand-written portfolio: every money event kind -------------------------------


@pytest.fixture
def books(records):
    """Four cases: GBP with every note kind and a correction, EUR with a discount, JPY, two plans."""
    records.write("arrears.toml", 'name = "Northwind Supplies Ltd"\ncurrency = "GBP"\n')
    records.case("acme-bakery")
    records.note("acme-bakery", "2026-02-01-invoice", """
        date: 2026-02-01
        kind: invoice
        ref: INV-1
        amount: 1250
        due: 2026-03-03
        description: Bread ovens; "deluxe" \\ model
    """)
    records.note("acme-bakery", "2026-02-02-invoice", """
        date: 2026-02-02
        kind: invoice
        ref: INV-2
        amount: 300.00
        due: 2026-03-04
    """)
    records.note("acme-bakery", "2026-03-10-fee", "date: 2026-03-10\nkind: fee\namount: 25\nreason: late payment\n")
    records.note("acme-bakery", "2026-03-11-fee", "date: 2026-03-11\nkind: fee\namount: 40\nreason: admin\n")
    records.note("acme-bakery", "2026-03-12-void", "date: 2026-03-12\nkind: note\ncorrects: 2026-03-11-fee\n"
                 "summary: Admin fee waived\n")
    records.note("acme-bakery", "2026-03-05-payment", """
        date: 2026-03-05
        kind: payment
        amount: 200
        method: bank-transfer
    """)
    records.note("acme-bakery", "2026-03-09-payment", """
        date: 2026-03-09
        kind: payment
        amount: 210
        method: bank-transfer
        corrects: 2026-03-05-payment
        summary: The bank statement says 210, not 200
    """)
    records.note("acme-bakery", "2026-03-15-payment", """
        date: 2026-03-15
        kind: payment
        amount: 100.00
        method: card
        ref: CARD-77
        applies_to: INV-2
    """)
    for day, reason, amount in (("16", "write-off", "50"), ("17", "goodwill", "10"), ("18", "correction", "20"),
                                ("19", "other", "5"), ("20", "discount", "15")):
        records.note("acme-bakery", f"2026-03-{day}-credit",
                     f"date: 2026-03-{day}\nkind: credit\namount: {amount}\nreason: {reason}\n")

    records.case("bistro-eu", """
        debtor: {name: Bistro Européen SARL, kind: business}
        currency: EUR
        opened: 2026-01-05
    """)
    records.note("bistro-eu", "2026-01-10-invoice",
                 "date: 2026-01-10\nkind: invoice\nref: F-10\namount: 1000\ndue: 2026-01-31\n")
    records.plan("bistro-eu", "2026-02-01-plan", """
        agreed: 2026-02-01
        schedule: {start: 2026-03-01, every: month, count: 4}
        discount: {percent: 5, if_paid_by: 2026-04-15}
    """)
    records.note("bistro-eu", "2026-03-01-payment", "date: 2026-03-01\nkind: payment\namount: 500\n")
    records.note("bistro-eu", "2026-04-01-payment", "date: 2026-04-01\nkind: payment\namount: 450\n")

    records.case("kyoto-trading", """
        debtor: {name: Kyoto Trading KK, kind: business}
        currency: JPY
        opened: 2026-01-05
    """)
    records.note("kyoto-trading", "2026-01-06-invoice",
                 "date: 2026-01-06\nkind: invoice\nref: K-1\namount: 150000\ndue: 2026-02-05\n")
    records.note("kyoto-trading", "2026-02-10-fee", "date: 2026-02-10\nkind: fee\namount: 3000\n")
    records.note("kyoto-trading", "2026-02-20-payment", "date: 2026-02-20\nkind: payment\namount: 50000\n")

    records.case("0042-dunmore", """
        debtor: {name: Dunmore | Sons, kind: business}
        opened: 2026-01-02
    """)
    records.note("0042-dunmore", "2026-01-05-invoice",
                 "date: 2026-01-05\nkind: invoice\nref: D-1\namount: 600\ndue: 2026-01-19\n")
    records.plan("0042-dunmore", "2026-01-20-plan", """
        agreed: 2026-01-20
        installments:
          - {due: 2026-02-01, amount: 300}
          - {due: 2026-03-01, amount: 300}
        discount: {amount: 30, if_paid_by: 2026-02-15}
    """)
    records.note("0042-dunmore", "2026-02-10-payment", "date: 2026-02-10\nkind: payment\namount: 570\n")
    records.note("0042-dunmore", "2026-02-20-invoice",
                 "date: 2026-02-20\nkind: invoice\nref: D-2\namount: 400\ndue: 2026-03-01\n")
    records.plan("0042-dunmore", "2026-03-01-plan", """
        agreed: 2026-03-01
        schedule: {start: 2026-03-15, every: month, count: 2}
        supersedes: 2026-01-20-plan
    """)
    portfolio = load(records.root)
    assert [p for p in check(portfolio, LATE) if p.is_error] == []
    return records


EXPECTED = {  # invoiced + fees - credits (and discounts) - paid, worked out by hand
    "acme-bakery": Decimal("1165.00"),  # 1550 + 25 - 100 - 310 (the 40 fee voided, 200 corrected to 210)
    "bistro-eu": Decimal("0.00"),  # 1000 - 950 - 50 (5% discount earned on 1 April)
    "kyoto-trading": Decimal("103000"),  # 150000 + 3000 - 50000
    "0042-dunmore": Decimal("400.00"),  # 1000 - 570 - 30 (discount earned under the first plan)
}


def due_balances(root: Path, as_of: date) -> dict[str, Decimal]:
    figures = compute_portfolio(load(root), as_of)
    return {c.case.id: c.balance for c in figures.cases}


def export_to(root: Path, tmp_path: Path, output_format: str, as_of: date, *cases: str) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    out = tmp_path / f"export-{as_of}.{output_format}"
    result = CliRunner().invoke(export_command, ["--root", str(root), "--format", output_format,
                                       "--as-of", as_of.isoformat(), "--output", str(out), *cases])
    assert result.exit_code == 0, result.output
    return out


def hledger_balances(journal: Path) -> dict[str, Decimal]:
    """Per-case receivables from `hledger bal -O csv`, with `hledger check -s` passing first."""
    tool = hledger()
    checked = subprocess.run([tool, "-f", str(journal), "check", "-s"], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    run = subprocess.run([tool, "-f", str(journal), "bal", "-O", "csv", "--flat", "-E", "--no-total",
                          "^Assets:Receivable:"], capture_output=True, text=True, check=True)
    balances = {}
    for account, amount in list(csv.reader(io.StringIO(run.stdout)))[1:]:
        number = amount.split()[0] if amount.strip() else "0"
        balances[account.split(":")[-1]] = Decimal(number)
    return balances


def beancount_balances(ledger: Path) -> dict[str, Decimal]:
    """Per-case receivables from beancount's loader and realization, with bean-check passing first."""
    checked = subprocess.run([str(BEAN_CHECK), str(ledger)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    from beancount import loader
    from beancount.core import realization

    entries, errors, _ = loader.load_file(str(ledger))
    assert errors == []
    real = realization.realize(entries)
    balances = {}
    for account in realization.iter_children(realization.get(real, "Assets:Receivable")):
        if account.account.count(":") == 2:
            positions = list(account.balance)
            assert len(positions) <= 1, account.account
            balances[account.account.split(":")[-1]] = positions[0].units.number if positions else Decimal(0)
    return balances


def by_case(balances: dict[str, Decimal]) -> dict[str, Decimal]:
    """Account leaf (`Acme-bakery`) back to the case id (`acme-bakery`)."""
    return {leaf[:1].lower() + leaf[1:]: amount for leaf, amount in balances.items()}


def assert_tools_agree(root: Path, tmp_path: Path, as_of: date) -> dict[str, Decimal]:
    """Export both journals, run the real tools, and compare every case's receivable with the ledger's balance."""
    portfolio = load(root)
    figures = compute_portfolio(portfolio, as_of)
    due = {c.case.id: c.balance for c in figures.cases}
    tmp_path.mkdir(parents=True, exist_ok=True)
    journal, ledger = tmp_path / "books.journal", tmp_path / "books.beancount"
    journal.write_text(export.render(figures, portfolio.settings, "hledger"), encoding="utf-8")
    ledger.write_text(export.render(figures, portfolio.settings, "beancount"), encoding="utf-8")
    from_hledger = by_case(hledger_balances(journal))
    from_beancount = by_case(beancount_balances(ledger))
    assert set(from_hledger) <= set(due) and set(from_beancount) <= set(due)
    assert {case: from_hledger.get(case, Decimal(0)) for case in due} == due
    assert {case: from_beancount.get(case, Decimal(0)) for case in due} == due
    return due


# --- the hand-written portfolio ---------------------------------------------------------


@pytest.mark.parametrize("as_of", [date(2026, 3, 6), date(2026, 3, 9), date(2026, 3, 11), date(2026, 4, 1),
                                   date(2026, 2, 28), LATE])
def test_tools_agree_with_due_on_every_money_kind(books, tmp_path, as_of):
    due = assert_tools_agree(books.root, tmp_path, as_of)
    if as_of == LATE:
        assert due == EXPECTED


def test_hand_written_balances_match_the_arithmetic(books):
    assert due_balances(books.root, LATE) == EXPECTED


def test_correction_reverses_on_the_correcting_notes_date(books, tmp_path):
    rows = read_csv(export_to(books.root, tmp_path, "csv", LATE, "acme-bakery"))
    payments = [(r["date"], r["note"], r["kind"], r["amount"]) for r in rows if r["account"] == "Assets:Bank"]
    assert payments == [
        ("2026-03-05", "2026-03-05-payment", "payment", "200.00"),
        ("2026-03-09", "2026-03-09-payment", "reversal", "-200.00"),
        ("2026-03-09", "2026-03-09-payment", "payment", "210.00"),
        ("2026-03-15", "2026-03-15-payment", "payment", "100.00"),
    ]
    voided = [(r["date"], r["kind"], r["account"], r["amount"]) for r in rows if "2026-03-11-fee" in r["description"]
              or r["note"] == "2026-03-11-fee"]
    assert voided == [
        ("2026-03-11", "fee", "Assets:Receivable:Acme-bakery", "40.00"),
        ("2026-03-11", "fee", "Income:Fees", "-40.00"),
        ("2026-03-12", "reversal", "Assets:Receivable:Acme-bakery", "-40.00"),
        ("2026-03-12", "reversal", "Income:Fees", "40.00"),
    ]


def test_credits_by_reason_and_earned_discounts(books, tmp_path):
    rows = read_csv(export_to(books.root, tmp_path, "csv", LATE))
    debits = {(r["case"], r["kind"], r["account"], r["amount"]) for r in rows if not r["amount"].startswith("-")}
    assert {
        ("acme-bakery", "credit", "Expenses:WriteOffs", "50.00"),
        ("acme-bakery", "credit", "Expenses:Goodwill", "10.00"),
        ("acme-bakery", "credit", "Income:Sales", "20.00"),
        ("acme-bakery", "credit", "Expenses:Credits", "5.00"),
        ("acme-bakery", "credit", "Expenses:Discounts", "15.00"),
        ("bistro-eu", "discount", "Expenses:Discounts", "50.00"),
        ("0042-dunmore", "discount", "Expenses:Discounts", "30.00"),
        ("kyoto-trading", "fee", "Assets:Receivable:Kyoto-trading", "3000"),
    } <= debits
    discounts = [(r["date"], r["case"], r["note"], r["currency"]) for r in rows
                 if r["kind"] == "discount" and r["account"] == "Expenses:Discounts"]
    assert discounts == [("2026-02-10", "0042-dunmore", "2026-01-20-plan", "GBP"),
                         ("2026-04-01", "bistro-eu", "2026-02-01-plan", "EUR")]


def test_csv_and_json_carry_the_same_postings_in_order(books, tmp_path):
    rows = read_csv(export_to(books.root, tmp_path, "csv", LATE))
    document = json.loads(export_to(books.root, tmp_path, "json", LATE).read_text(encoding="utf-8"))
    assert document["as_of"] == LATE.isoformat()
    assert document["postings"] == rows
    assert list(rows[0]) == list(export.COLUMNS)
    keys = [(r["date"], r["case"], r["kind"] == "discount", r["note"]) for r in rows]
    assert keys == sorted(keys)  # an earned discount follows the day's notes: the payment that earned it
    bistro = [(r["date"], r["kind"]) for r in rows if r["account"] == "Assets:Receivable:Bistro-eu"]
    assert bistro[-2:] == [("2026-04-01", "payment"), ("2026-04-01", "discount")]
    jpy = {r["amount"] for r in rows if r["currency"] == "JPY"}
    assert jpy == {"150000", "-150000", "3000", "-3000", "50000", "-50000"}


def test_exports_are_byte_for_byte_repeatable(books, tmp_path):
    for output_format in export.FORMATS:
        first = export_to(books.root, tmp_path / "a", output_format, LATE).read_bytes()
        second = export_to(books.root, tmp_path / "b", output_format, LATE).read_bytes()
        assert first == second


def test_text_that_would_break_the_journals_is_neutralised(books, tmp_path):
    journal = export_to(books.root, tmp_path, "hledger", LATE).read_text(encoding="utf-8")
    assert "2026-02-01 * Acme Bakery Ltd | Invoice INV-1: Bread ovens, \"deluxe\" \\ model  ; case:acme-bakery" \
        in journal
    assert "* Dunmore / Sons | " in journal
    ledger = export_to(books.root, tmp_path, "beancount", LATE).read_text(encoding="utf-8")
    assert '"Invoice INV-1: Bread ovens; \\"deluxe\\" \\\\ model"' in ledger
    assert 'option "operating_currency" "GBP"' in ledger
    assert "open Assets:Receivable:0042-dunmore GBP" in ledger


def test_nothing_after_as_of_is_exported(books, tmp_path):
    rows = read_csv(export_to(books.root, tmp_path, "csv", date(2026, 1, 31)))
    assert {r["date"] for r in rows} <= {"2026-01-05", "2026-01-06", "2026-01-10"}
    assert export_to(books.root, tmp_path, "csv", date(2025, 12, 31)).read_text() == ",".join(export.COLUMNS) + "\n"


def test_books_that_would_disagree_with_the_ledger_are_refused(books):
    portfolio = load(books.root)
    figures = compute_portfolio(portfolio, LATE).cases[0]
    wrong = replace(figures, totals=replace(figures.totals, balance=figures.balance + Decimal("0.01")))
    with pytest.raises(export.LedgerMismatch, match="0042-dunmore"):
        export.case_transactions(wrong, portfolio.settings)


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


# --- the command ---------------------------------------------------------------------------


def test_export_to_stdout_and_chosen_cases(books):
    result = CliRunner().invoke(export_command, ["--root", str(books.root), "--format", "csv",
                                       "--as-of", "2027-01-01", "kyoto-trading"])
    assert result.exit_code == 0, result.output
    assert {r["case"] for r in csv.DictReader(io.StringIO(result.output))} == {"kyoto-trading"}


def test_arrears_export_is_a_command(books):
    from arrears.cli.app import main

    result = CliRunner().invoke(main, ["export", "--root", str(books.root), "--format", "json",
                                       "--as-of", "2026-01-06", "kyoto-trading"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["postings"][0] == {
        "date": "2026-01-06", "case": "kyoto-trading", "note": "2026-01-06-invoice", "kind": "invoice",
        "account": "Assets:Receivable:Kyoto-trading", "amount": "150000", "currency": "JPY",
        "description": "Invoice K-1"}


def test_unknown_case_is_a_usage_error(books):
    result = CliRunner().invoke(export_command, ["--root", str(books.root), "--as-of", "2027-01-01", "nobody"])
    assert result.exit_code == 2
    assert "nobody" in result.output


def test_output_is_never_overwritten_without_force(books, tmp_path):
    out = tmp_path / "books.journal"
    out.write_text("mine\n")
    args = ["--root", str(books.root), "--format", "hledger", "--as-of", "2027-01-01", "--output", str(out)]
    refused = CliRunner().invoke(export_command, args)
    assert refused.exit_code == 2 and "--force" in refused.output
    assert out.read_text() == "mine\n"
    forced = CliRunner().invoke(export_command, [*args, "--force"])
    assert forced.exit_code == 0, forced.output
    assert out.read_text().startswith("; Northwind Supplies Ltd")


def test_receivables_equal_the_due_command_json(books, tmp_path):
    from arrears.cli.due import due

    shown = CliRunner().invoke(due, ["--root", str(books.root), "--format", "json", "--as-of", LATE.isoformat()])
    assert shown.exit_code == 0, shown.output
    from_due = {c["case"]: Decimal(c["balance"]) for c in json.loads(shown.output)["cases"]}
    assert from_due == EXPECTED
    journal = export_to(books.root, tmp_path, "hledger", LATE)
    assert by_case(hledger_balances(journal)) == from_due
    assert by_case(beancount_balances(export_to(books.root, tmp_path, "beancount", LATE))) == from_due


def test_records_with_errors_are_not_exported(books):
    books.note("kyoto-trading", "2026-03-01-payment", "date: 2026-03-01\nkind: payment\namount: 12.5\n")
    result = CliRunner().invoke(export_command, ["--root", str(books.root), "--as-of", "2027-01-01"])
    assert result.exit_code == 1


# --- the demo portfolio and a generated one -------------------------------------------------


def test_demo_portfolio_agrees(tmp_path):
    if not (REPO / "cases").is_dir():
        pytest.skip("no demo portfolio at the repository root yet")
    portfolio = load(REPO)
    for as_of in (date(2026, 6, 30), LATE):
        if any(p.is_error for p in check(portfolio, as_of)):
            pytest.skip("the demo portfolio has errors (arrears check): export refuses it")
        due = assert_tools_agree(REPO, tmp_path / str(as_of), as_of)
        assert due  # the demo has cases


@pytest.mark.slow
def test_generated_portfolio_of_500_cases_agrees(tmp_path):
    sys.path.insert(0, str(REPO / "tooling"))
    try:
        from generate_portfolio import generate
    finally:
        sys.path.remove(str(REPO / "tooling"))
    root = tmp_path / "generated"
    generate(root, 500, 8, seed=7)
    due = assert_tools_agree(root, tmp_path, date(2026, 11, 20))
    assert len(due) == 500
    assert sum(1 for amount in due.values() if amount) > 400


# --- interest and compensation (records-v1 section 10) ---------------------------------


@pytest.fixture
def charged(records):
    """A Late Payment Act case part paid, an EU case under a broken plan, a simple-rate case paid in full."""
    records.case("acme-trading", """
        debtor: {name: Acme Trading Ltd, kind: business}
        opened: 2025-06-01
        interest: {rule: late-payment-act}
    """)
    records.note("acme-trading", "inv", "date: 2025-06-15\nkind: invoice\nref: INV-1\namount: 1000\ndue: 2025-07-15\n")
    records.note("acme-trading", "pay", "date: 2025-08-01\nkind: payment\namount: 300\n")
    records.case("bistro-eu", """
        debtor: {name: Bistro Européen SARL, kind: business}
        currency: EUR
        opened: 2025-06-01
        interest: {rule: eu-late-payment}
    """)
    records.note("bistro-eu", "inv", "date: 2025-06-01\nkind: invoice\nref: F-1\namount: 10000\ndue: 2025-07-31\n")
    records.plan("bistro-eu", "plan", """
        agreed: 2025-09-01
        interest: charged
        schedule: {start: 2025-09-15, every: month, count: 3}
    """)
    records.case("cafe", """
        debtor: {name: Cafe Lumiere, kind: business}
        opened: 2025-06-01
        interest: {rule: simple, rate: 8}
    """)
    records.note("cafe", "inv", "date: 2025-06-01\nkind: invoice\nref: C-1\namount: 500\ndue: 2025-06-30\n")
    records.note("cafe", "pay", "date: 2025-07-30\nkind: payment\namount: 600\n")
    return records


@pytest.mark.parametrize("as_of", [date(2025, 7, 20), date(2025, 8, 14), date(2025, 9, 1), date(2025, 12, 31)])
def test_interest_and_compensation_are_booked_to_their_own_income_accounts(charged, tmp_path, as_of):
    due = assert_tools_agree(charged.root, tmp_path, as_of)
    figures = compute_portfolio(load(charged.root), as_of)
    journal = (tmp_path / "books.journal").read_text(encoding="utf-8")
    result = subprocess.run([hledger(), "-f", str(tmp_path / "books.journal"), "bal", "Income:Interest",
                             "Income:Compensation", "-O", "csv", "--no-total"],
                            capture_output=True, text=True, check=True)
    booked: dict[str, Decimal] = {}
    for row in list(csv.reader(io.StringIO(result.stdout)))[1:]:
        account, amount = row[0], row[1]
        for part in amount.split(", "):
            number, currency = part.split()
            booked[f"{account} {currency}"] = -Decimal(number)
    expected: dict[str, Decimal] = {}
    for f in figures.cases:
        for name, value in (("Income:Interest", f.totals.interest), ("Income:Compensation", f.totals.compensation)):
            if value:
                key = f"{name} {f.currency}"
                expected[key] = expected.get(key, Decimal(0)) + value
    assert booked == expected
    if as_of == date(2025, 8, 14):
        # the worked example with a payment: 1000 x 12.25 x 16 + 700 x 12.25 x 14 = 316050 / 36500 = 8.66, + 70
        assert due["acme-trading"] == Decimal("778.66") and "Income:Compensation" in journal


def test_json_from_pieces_is_json_from_transactions():
    """`export --format json` joins postings rendered in the workers: the bytes `to_json` writes."""
    from datetime import date as day
    from decimal import Decimal as D

    from arrears.views.export import Posting, Transaction, json_of_pieces, json_piece, to_json

    booked = [Transaction(day(2026, 3, n), f"case-{n}", f"note-{n}", "invoice", "EUR", "Ünïcode \"Ltd\"\n", "Invoice",
                          (Posting("Assets:Receivable:Case", D("12.50")), Posting("Income:Sales", D("-12.50"))))
              for n in (1, 2)]
    assert json_of_pieces([json_piece(t) for t in booked], day(2026, 4, 1)) == to_json(booked, day(2026, 4, 1), None)
    assert json_of_pieces([], day(2026, 4, 1)) == to_json([], day(2026, 4, 1), None)


def _piece_by_the_encoder(t) -> str:
    """A transaction's postings as `json.dumps(row, indent=2)` writes them, indented into the list."""
    return ",\n".join("\n".join("    " + line for line in json.dumps(row, indent=2, ensure_ascii=False).split("\n"))
                      for row in export._rows((t,)))


_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)


@given(case=_TEXT, note=_TEXT, payee=_TEXT, description=_TEXT, account=_TEXT, cents=st.integers(-10 ** 12, 10 ** 12))
@settings(max_examples=300)
def test_a_piece_written_out_is_what_the_json_encoder_writes(case, note, payee, description, account, cents):
    """Quotes, backslashes, controls, NEL, U+2028, astral characters: the same bytes as the encoder's."""
    from arrears.views.export import Posting, Transaction

    amount = Decimal(cents).scaleb(-2)
    t = Transaction(date(2026, 3, 1), case, note, "payment", "GBP", payee, description,
                    (Posting(account, amount), Posting("Assets:Bank", -amount)))
    assert export.json_piece(t) == _piece_by_the_encoder(t)
    assert json.loads("[" + export.json_piece(t) + "]")[0]["description"] == description
