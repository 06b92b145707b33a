"""`--from rules:FILE`: the rules format, and bank statements reconciled against the invoices of every case."""

from __future__ import annotations

import textwrap

from arrears.imports.rules import parse_rules
from import_helpers import FIXTURES, do_import, figures, strict_check, tree

BANK = f"rules:{FIXTURES / 'barclays.rules'}"


def _books(records) -> None:
    records.case("acme", """
        debtor: {name: Acme Bakery Ltd, kind: business}
        opened: 2026-03-01
    """)
    records.case("brightside", """
        debtor: {name: Brightside Cafe, kind: business}
        opened: 2026-03-01
    """)
    records.note("acme", "2026-03-02-invoice", "date: 2026-03-02\nkind: invoice\nref: INV-1001\namount: 1440.00\n"
                                               "due: 2026-04-01")
    records.note("brightside", "2026-03-05-invoice", "date: 2026-03-05\nkind: invoice\nref: INV-1002\n"
                                                     "amount: 600.00\ndue: 2026-04-04")
    records.note("acme", "2026-04-08-payment", "date: 2026-04-08\nkind: payment\namount: 100.00\n"
                                               "method: bank-transfer\napplies_to: INV-1001")


def test_a_statement_records_payments_on_the_case_whose_invoice_they_name(records):
    _books(records)
    result = do_import(records.root, "barclays-statement.csv", BANK)
    assert result.exit_code == 0, result.output
    written = sorted(set(tree(records.root)) - {"cases/acme/case.md", "cases/brightside/case.md"})
    assert written == [
        "cases/acme/notes/2026-03-02-invoice.md",
        "cases/acme/notes/2026-04-08-payment-INV-1001.md",  # the second of two identical rows
        "cases/acme/notes/2026-04-08-payment.md",  # typed by hand: the first row is this one
        "cases/brightside/notes/2026-03-05-invoice.md",
        "cases/brightside/notes/2026-04-03-payment-INV-1002.md",  # "INV1002" names INV-1002
    ]
    paid = (records.root / "cases/brightside/notes/2026-04-03-payment-INV-1002.md").read_text()
    assert "applies_to: INV-1002" in paid and "amount: 250.00" in paid and "  source: barclays\n" in paid
    due = figures(records.root, "2026-04-20")
    assert (due["acme"]["paid"], due["acme"]["balance"]) == ("200.00", "1240.00")
    assert (due["brightside"]["paid"], due["brightside"]["balance"]) == ("250.00", "350.00")
    assert strict_check(records.root, "2026-04-20") == ""


def test_unmatched_and_ambiguous_payments_are_listed_never_guessed(records):
    _books(records)
    result = do_import(records.root, "barclays-statement.csv", BANK)
    assert "payments not matched to an invoice, not written: 2" in result.output
    assert "line 7: £75.00 'THANK YOU' names no invoice in any case" in result.output
    assert "line 8: £60.00 'INV-1001 INV-1002' names several invoices: INV-1001 (acme), INV-1002 (brightside)" \
        in result.output
    assert "line 3: BRITISH GAS: money paid out" in result.output
    assert "line 4: " in result.output and "skipped by the rules" in result.output
    assert "already recorded by hand in acme (note 2026-04-08-payment)" in result.output


def test_a_statement_imported_twice_writes_nothing_new(records):
    _books(records)
    do_import(records.root, "barclays-statement.csv", BANK)
    before = tree(records.root)
    again = do_import(records.root, "barclays-statement.csv", BANK, date="2026-04-22")
    assert again.exit_code == 0 and "notes written: 0" in again.output
    assert tree(records.root) == before


def test_a_rules_file_for_invoices_with_if_blocks(records, tmp_path):
    rules = tmp_path / "shop.rules"
    rules.write_text(textwrap.dedent("""\
        # the till's export
        separator ;
        skip 1
        fields number, customer, mail, issued, due, total, paid, note
        date-format %d.%m.%Y
        decimal-mark ,
        currency EUR
        kind invoice
        contact %customer
        email %mail
        ref %number
        date %issued
        amount %total
        description Till sale %number: %note
        if %number ^G
          kind credit
        if TEST
          skip
    """))
    export = tmp_path / "till.csv"
    export.write_text(textwrap.dedent("""\
        Nummer;Kunde;E-Mail;Datum;Fällig;Betrag;Bezahlt;Notiz
        R-1;Café Lumen;kasse@lumen.example;01.03.2026;31.03.2026;1.234,50;0;Bohnen
        R-2;Café Lumen;kasse@lumen.example;02.03.2026;01.04.2026;100,00;40,00;Milch
        G-1;Café Lumen;kasse@lumen.example;05.03.2026;;-20,00;;Gutschrift
        R-3;Test Kunde;;05.03.2026;04.04.2026;1,00;;TEST
    """))
    result = do_import(records.root, str(export), f"rules:{rules}", "--create-cases")
    assert result.exit_code == 0, result.output
    due = figures(records.root, "2026-04-20")["cafe-lumen"]
    assert (due["currency"], due["invoiced"], due["credits"], due["paid"], due["balance"]) == \
        ("EUR", "1334.50", "20.00", "40.00", "1274.50")
    assert "line 5: " in result.output and "skipped by the rules" in result.output
    assert strict_check(records.root, "2026-04-20") == ""


def test_rules_mistakes_are_errors_at_their_line_and_column(tmp_path):
    _, problems = parse_rules("x.rules", textwrap.dedent("""\
        skip one
        fields date, amount
        date-format %d/%q/%Y
        kind refund
        colour blue
        if
          kind payment
        if [unclosed
          skip
          ammount 3
    """), "x")
    found = [(p.line, p.column, p.message.split(":")[0]) for p in problems]
    assert (1, 6, "skip 'one'") in found
    assert any(line == 3 and "%d %m %Y" in message for line, _, message in
               [(p.line, p.column, p.message) for p in problems])
    assert any(p.line == 4 and "kind 'refund'" in p.message for p in problems)
    assert any(p.line == 5 and "'colour' is not a rules directive" in p.message for p in problems)
    assert any(p.line == 6 and "'if' needs a pattern" in p.message for p in problems)
    assert any(p.line == 8 and "is not a regular expression" in p.message for p in problems)
    assert any(p.line == 10 and "'ammount' in an 'if' block" in p.message for p in problems)


def test_a_row_the_rules_cannot_read_names_its_line_and_nothing_is_written(records, tmp_path):
    _books(records)
    before = tree(records.root)
    export = tmp_path / "statement.csv"
    export.write_text((FIXTURES / "barclays-statement.csv").read_text().replace("09/04/2026", "9 April"))
    result = do_import(records.root, str(export), BANK)
    assert result.exit_code == 1
    assert f"{export}:7:2: error: date: '9 April' is not a date written DD/MM/YYYY" in result.output
    assert tree(records.root) == before


def test_a_bank_payment_xero_already_reported_paid_is_not_counted_again(records):
    """Xero's paid amount is the bank's money: after importing it, the statement row for it is matched, not added."""
    first = do_import(records.root, "xero-v1.csv", "xero", "--create-cases")  # INV-1002: 250.00 paid
    assert first.exit_code == 0, first.output
    result = do_import(records.root, "barclays-statement.csv", BANK)  # 03/04: 250.00 naming INV1002
    assert result.exit_code == 0, result.output
    notes = sorted(p.name for p in (records.root / "cases/brightside-cafe/notes").iterdir())
    assert "2026-04-03-note-INV-1002.md" in notes and "2026-04-03-payment-INV-1002.md" not in notes
    matched = (records.root / "cases/brightside-cafe/notes/2026-04-03-note-INV-1002.md").read_text()
    assert "kind: note" in matched and "  reconciles: INV-1002\n  amount: 250.00\n" in matched
    assert "1 reconciliation" in result.output
    due = figures(records.root, "2026-04-20")
    assert due["brightside-cafe"]["paid"] == "250.00"  # not 500.00
    assert due["acme-bakery-ltd"]["paid"] == "500.00"  # 300 from Xero (INV-1003), then 2 x 100 on INV-1001
    assert strict_check(records.root, "2026-04-20") == ""
    before = tree(records.root)
    again = do_import(records.root, "barclays-statement.csv", BANK, date="2026-04-21")
    assert again.exit_code == 0 and "notes written: 0" in again.output
    assert tree(records.root) == before


def test_only_the_part_of_a_bank_payment_beyond_what_was_reported_is_a_new_payment(records, tmp_path):
    do_import(records.root, "xero-v1.csv", "xero", "--create-cases")  # INV-1002: 250.00 paid
    statement = tmp_path / "statement.csv"
    statement.write_text("Number,Date,Account,Amount,Subcategory,Memo\n"
                         ",03/04/2026,x,300.00,FUNDS TRANSFER,INV-1002\n")
    result = do_import(records.root, str(statement), BANK)
    assert result.exit_code == 0, result.output
    paid = (records.root / "cases/brightside-cafe/notes/2026-04-03-payment-INV-1002.md").read_text()
    assert "amount: 50.00" in paid
    assert figures(records.root, "2026-04-20")["brightside-cafe"]["paid"] == "300.00"


def test_a_missing_rules_file_is_a_usage_error(records, tmp_path):
    result = do_import(records.root, "barclays-statement.csv", f"rules:{tmp_path / 'nowhere.rules'}")
    assert result.exit_code == 2
    assert "cannot read the rules file" in result.output and "No such file or directory" in result.output
