"""QuickBooks' A/R Aging Detail report and FreeAgent's invoice export: read as they really look."""

from __future__ import annotations

from import_helpers import FIXTURES, do_import, figures, strict_check, tree


def _money(case: dict) -> tuple:
    return case["currency"], case["invoiced"], case["credits"], case["paid"], case["balance"], case["overdue"]


def test_quickbooks_report_lines_are_skipped_and_the_figures_are_the_hand_computed_ones(records):
    result = do_import(records.root, "quickbooks-ar-aging.csv", "quickbooks", "--create-cases")
    assert result.exit_code == 0, result.output
    assert strict_check(records.root, "2026-04-20") == ""
    due = figures(records.root, "2026-04-20")
    # Acme: 1042 for 1,234.56 (not yet due) and 1031 for 2,000.00 with 1,500.00 open: 500.00 paid.
    assert _money(due["acme-bakery-ltd"]) == ("GBP", "3234.56", "0.00", "500.00", "2734.56", "1500.00")
    # Brightside: 1038 for £860.50 with £360.50 open (500 paid) and credit memo 1039 for -200.00.
    assert _money(due["brightside-cafe"]) == ("GBP", "860.50", "200.00", "500.00", "160.50", "160.50")
    assert "line 15: Payment: not an invoice or credit memo (only those are imported)" in result.output
    # The data rows (4 invoices and memos, 1 payment); titles, buckets, totals and the footer are not rows.
    assert "5 rows read" in result.output


def test_quickbooks_dates_are_month_first(records):
    do_import(records.root, "quickbooks-ar-aging.csv", "quickbooks", "--create-cases")
    text = (records.root / "cases/brightside-cafe/notes/2026-03-15-invoice-1038.md").read_text()
    assert "due: 2026-04-14" in text and "amount: 860.50" in text


def test_quickbooks_twice_is_once(records):
    do_import(records.root, "quickbooks-ar-aging.csv", "quickbooks", "--create-cases")
    before = tree(records.root)
    again = do_import(records.root, "quickbooks-ar-aging.csv", "quickbooks", date="2026-04-21")
    assert again.exit_code == 0 and "notes written: 0" in again.output
    assert tree(records.root) == before


def test_quickbooks_amount_with_too_many_decimals_is_an_error_at_its_cell(records, tmp_path):
    broken = tmp_path / "aging.csv"
    broken.write_text((FIXTURES / "quickbooks-ar-aging.csv").read_text().replace("£860.50,", "£860.505,"))
    result = do_import(records.root, str(broken), "quickbooks", "--create-cases")
    assert result.exit_code == 1
    assert f"{broken}:10:8: error: Amount: '£860.505' has 3 decimal places but GBP has 2" in result.output
    assert tree(records.root) == {}


def test_freeagent_figures_per_currency_and_skipped_statuses(records):
    result = do_import(records.root, "freeagent-invoices.csv", "freeagent", "--create-cases")
    assert result.exit_code == 0, result.output
    assert strict_check(records.root, "2026-04-20") == ""
    due = figures(records.root, "2026-04-20")
    assert _money(due["hollins-bakery"]) == ("GBP", "1800.00", "0.00", "400.00", "1400.00", "1400.00")
    assert _money(due["estudio-delgado"]) == ("EUR", "1050.00", "0.00", "750.00", "300.00", "0.00")
    assert "line 6: 005: draft" in result.output
    assert "line 7: 006: cancelled (never imported: nothing to void)" in result.output
    case = (records.root / "cases/estudio-delgado/case.md").read_text()
    assert "currency: EUR" in case and "pagos@delgado.example" in case


def test_freeagent_headings_as_the_web_export_writes_them(records, tmp_path):
    text = (FIXTURES / "freeagent-invoices.csv").read_text()
    header, rest = text.split("\n", 1)
    export = tmp_path / "invoices.csv"
    export.write_text("Reference,Contact,Contact Email,Dated On,Due On,Currency,Net Value,Total Value,Paid Value,"
                      "Due Value,Status,Comments\n" + rest)
    do_import(records.root, str(export), "freeagent", "--create-cases")
    other = tmp_path / "other"
    other.mkdir()
    do_import(other, "freeagent-invoices.csv", "freeagent", "--create-cases")
    assert figures(records.root, "2026-04-20") == figures(other, "2026-04-20")


def test_a_cancelled_invoice_voids_what_an_earlier_import_wrote(records, tmp_path):
    text = (FIXTURES / "freeagent-invoices.csv").read_text()
    do_import(records.root, "freeagent-invoices.csv", "freeagent", "--create-cases")
    later = tmp_path / "later.csv"
    later.write_text(text.replace("0.00,300.00,Open,Retainer", "0.00,300.00,Cancelled,Retainer"))
    result = do_import(records.root, str(later), "freeagent", date="2026-04-25")
    assert result.exit_code == 0, result.output
    assert "1 void note" in result.output
    assert figures(records.root, "2026-04-25")["estudio-delgado"]["balance"] == "0.00"
    assert strict_check(records.root, "2026-04-25") == ""


def test_a_currency_other_than_the_case_keeps_is_an_error(records):
    records.case("delgado", """
        debtor: {name: Estudio Delgado, kind: business}
        opened: 2026-01-01
    """)
    result = do_import(records.root, "freeagent-invoices.csv", "freeagent", "--create-cases")
    assert result.exit_code == 1
    assert "003 is in EUR but case delgado is kept in GBP" in result.output


def test_a_file_that_is_not_utf8_is_refused_at_the_first_bad_character(records, tmp_path):
    export = tmp_path / "aging.csv"
    export.write_bytes((FIXTURES / "quickbooks-ar-aging.csv").read_text().encode("cp1252"))
    result = do_import(records.root, str(export), "quickbooks", "--create-cases")
    assert result.exit_code == 1
    assert f"{export}:8:26: error: not UTF-8 text" in result.output  # the first £: "Total for Current,,,,,,,"£
    assert tree(records.root) == {}
