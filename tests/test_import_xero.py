"""`arrears import --from xero`: the figures, idempotence, corrections, all-or-nothing, hand payments, Git."""

from __future__ import annotations

import re
import subprocess

import pytest

from gitrepo import GitRepo, isolate_git
from import_helpers import FIXTURES, do_import, figures, strict_check, tree


def _money(case: dict) -> tuple:
    return case["state"], case["invoiced"], case["credits"], case["paid"], case["balance"], case["overdue"], \
        case["days_past_due"]


def test_v1_gives_the_hand_computed_figures_and_passes_strict_check(records):
    result = do_import(records.root, "xero-v1.csv", "xero", "--create-cases")
    assert result.exit_code == 0, result.output
    assert strict_check(records.root, "2026-04-20") == ""
    due = figures(records.root, "2026-04-20")
    assert set(due) == {"acme-bakery-ltd", "brightside-cafe"}  # Corner Shop: draft, voided, deleted only
    # Acme: INV-1001 1,440 (two line items) due 1 Apr; INV-1003 300, paid in full.
    assert _money(due["acme-bakery-ltd"]) == ("overdue", "1740.00", "0.00", "300.00", "1440.00", "1440.00", 19)
    # Brightside: INV-1002 600 (250 paid), INV-1010 50, credit note CN-0001 120.
    assert _money(due["brightside-cafe"]) == ("overdue", "650.00", "120.00", "250.00", "280.00", "280.00", 16)


def test_the_notes_say_where_they_came_from_and_keep_the_multi_line_description(records):
    do_import(records.root, "xero-v1.csv", "xero", "--create-cases")
    text = (records.root / "cases/acme-bakery-ltd/notes/2026-03-02-invoice-INV-1001.md").read_text()
    assert "extra:\n  source: xero\n  source_id: INV-1001\n" in text
    assert "amount: 1440.00" in text and "due: 2026-04-01" in text
    assert '"Strong white flour, 25 kg sacks\\nDelivered to the bakery door; Delivery"' in text
    payment = (records.root / "cases/acme-bakery-ltd/notes/2026-04-20-payment-INV-1003.md").read_text()
    assert "applies_to: INV-1003" in payment and "amount: 300.00" in payment


def test_skipped_rows_are_reported_with_their_reason(records):
    result = do_import(records.root, "xero-v1.csv", "xero", "--create-cases")
    assert "line 8: INV-1004: draft" in result.output
    assert "line 9: INV-1005: voided" in result.output
    assert "line 10: INV-1006: deleted" in result.output
    assert "cases created: 2" in result.output
    assert "notes written: 7 (4 invoices, 1 credit note, 2 payments)" in result.output


def test_importing_the_same_file_twice_writes_nothing_the_second_time(records):
    do_import(records.root, "xero-v1.csv", "xero", "--create-cases")
    before = tree(records.root)
    again = do_import(records.root, "xero-v1.csv", "xero", "--create-cases", date="2026-04-22")
    assert again.exit_code == 0, again.output
    assert "notes written: 0" in again.output and "cases created: 0" in again.output
    assert tree(records.root) == before


def test_v1_then_v2_gives_the_figures_of_v2_alone_with_exactly_the_new_notes(records, tmp_path):
    do_import(records.root, "xero-v1.csv", "xero", "--create-cases", date="2026-04-20")
    before = tree(records.root)
    second = do_import(records.root, "xero-v2.csv", "xero", date="2026-04-25")
    assert second.exit_code == 0, second.output
    after = tree(records.root)
    assert {path: text for path, text in before.items()} == {path: after[path] for path in before}  # nothing edited
    assert sorted(set(after) - set(before)) == [
        "cases/acme-bakery-ltd/notes/2026-04-20-invoice-INV-1011.md",  # new
        "cases/acme-bakery-ltd/notes/2026-04-25-invoice-INV-1001.md",  # 1,440 -> 1,500: a correction
        "cases/brightside-cafe/notes/2026-04-25-note-INV-1010.md",  # voided: a note that corrects it
        "cases/brightside-cafe/notes/2026-04-25-payment-INV-1002.md",  # 480 paid now, 250 recorded: 230 more
    ]
    correction = after["cases/acme-bakery-ltd/notes/2026-04-25-invoice-INV-1001.md"]
    assert "corrects: 2026-03-02-invoice-INV-1001" in correction
    assert "ref: INV-1001" in correction and "issued: 2026-03-02" in correction and "amount: 1500.00" in correction
    assert "amount: 230.00" in after["cases/brightside-cafe/notes/2026-04-25-payment-INV-1002.md"]
    assert strict_check(records.root, "2026-04-25") == ""
    third = do_import(records.root, "xero-v2.csv", "xero", date="2026-04-26")  # v2 again: the void, the
    assert third.exit_code == 0 and "notes written: 0" in third.output      # correction and the payment stand
    assert tree(records.root) == after
    alone = tmp_path / "alone"
    alone.mkdir()
    do_import(alone, "xero-v2.csv", "xero", "--create-cases", date="2026-04-25")
    assert figures(records.root, "2026-04-25") == figures(alone, "2026-04-25")
    due = figures(alone, "2026-04-25")
    # Acme: 1,500 + 300 + 720 - 300; Brightside: 600 - 480 paid - 120 credited (allocated: not a payment).
    assert _money(due["acme-bakery-ltd"]) == ("overdue", "2520.00", "0.00", "300.00", "2220.00", "1500.00", 24)
    assert _money(due["brightside-cafe"]) == ("settled", "600.00", "120.00", "480.00", "0.00", "0.00", 0)


def test_a_payment_recorded_by_hand_is_not_counted_twice(records):
    records.case("brightside", """
        debtor: {name: Brightside Cafe, kind: business}
        opened: 2026-03-01
    """)
    records.note("brightside", "2026-03-30-payment", """
        date: 2026-03-30
        kind: payment
        amount: 200.00
        method: bank-transfer
        applies_to: INV-1002
    """)
    result = do_import(records.root, "xero-v1.csv", "xero", "--create-cases")
    assert result.exit_code == 0, result.output
    paid = (records.root / "cases/brightside/notes/2026-04-20-payment-INV-1002.md").read_text()
    assert "amount: 50.00" in paid  # Xero says 250 paid; 200 were already in the records
    assert figures(records.root, "2026-04-20")["brightside"]["paid"] == "250.00"
    assert strict_check(records.root, "2026-04-20") == ""


def test_an_invoice_typed_by_hand_is_recognised_by_its_ref_not_duplicated(records):
    records.case("acme", """
        debtor: {name: ACME Bakery Ltd., kind: business}
        opened: 2026-03-01
    """)
    records.note("acme", "inv-1001", """
        date: 2026-03-02
        kind: invoice
        ref: INV-1001
        amount: 1440.00
        due: 2026-04-01
    """)
    result = do_import(records.root, "xero-v1.csv", "xero", "--create-cases")
    assert result.exit_code == 0, result.output
    notes = sorted(path.name for path in (records.root / "cases/acme/notes").iterdir())
    assert notes == ["2026-03-12-invoice-INV-1003.md", "2026-04-20-payment-INV-1003.md", "inv-1001.md"]
    assert strict_check(records.root, "2026-04-20") == ""


def test_unknown_debtors_are_errors_naming_their_rows_and_nothing_is_written(records):
    records.case("acme", """
        debtor: {name: Acme Bakery Ltd, kind: business}
        opened: 2026-03-01
    """)
    before = tree(records.root)
    result = do_import(records.root, "xero-v1.csv", "xero")
    assert result.exit_code == 1
    assert f"{FIXTURES / 'xero-v1.csv'}:5:1: error: unknown debtor 'Brightside Cafe'" in result.output
    assert "nothing was written" in result.output
    assert tree(records.root) == before


def test_a_debtor_is_matched_by_email_or_by_extra_source_names(records):
    records.case("bright", """
        debtor:
          name: Brightside Coffee House
          kind: business
          contacts: [{channel: email, value: Hello@Brightside.example}]
        opened: 2026-03-01
    """)
    records.case("acme", """
        debtor: {name: Acme Holdings, kind: business}
        opened: 2026-03-01
        extra: {source_names: [Acme Bakery Ltd]}
    """)
    result = do_import(records.root, "xero-v1.csv", "xero")
    assert result.exit_code == 0, result.output
    assert (records.root / "cases/bright/notes/2026-03-05-invoice-INV-1002.md").exists()
    assert (records.root / "cases/acme/notes/2026-03-02-invoice-INV-1001.md").exists()


def test_a_malformed_row_writes_nothing_and_names_its_line_and_column(records, tmp_path):
    text = (FIXTURES / "xero-v1.csv").read_text(encoding="utf-8-sig")
    broken = tmp_path / "broken.csv"
    broken.write_text(text.replace("05/03/2026,04/04/2026", "05/03/2026,31/04/2026"), encoding="utf-8-sig")
    result = do_import(records.root, str(broken), "xero", "--create-cases")
    assert result.exit_code == 1
    assert f"{broken}:5:10: error: DueDate: '31/04/2026' is not a real calendar date" in result.output
    assert tree(records.root) == {}


def test_line_items_that_disagree_are_an_error_at_the_differing_cell(records, tmp_path):
    text = (FIXTURES / "xero-v1.csv").read_text(encoding="utf-8-sig")
    broken = tmp_path / "broken.csv"
    repriced = text.replace("01/04/2026,1440.00,240.00,0.00,1440.00,DELIV", "01/04/2026,1450.00,240.00,0.00,1440.00,DELIV")
    assert repriced != text
    broken.write_text(repriced, encoding="utf-8-sig")
    result = do_import(records.root, str(broken), "xero", "--create-cases")
    assert result.exit_code == 1
    assert ":4:11: error: Total '1450.00' differs from '1440.00' on line 2, another row of invoice INV-1001" \
        in result.output


def test_dry_run_prints_the_table_and_writes_nothing(records):
    result = do_import(records.root, "xero-v1.csv", "xero", "--create-cases", "--dry-run")
    assert result.exit_code == 0, result.output
    assert tree(records.root) == {}
    lines = result.output.splitlines()
    assert lines[0].split() == ["case", "note", "what", "amount", "date"]
    assert any(line.split() == ["acme-bakery-ltd", "notes/2026-03-02-invoice-INV-1001.md", "invoice", "1440.00",
                                "2026-03-02"] for line in lines)
    assert "Dry run: nothing was written." in result.output


def test_a_file_from_another_system_is_refused_with_what_is_missing(records):
    result = do_import(records.root, "freeagent-invoices.csv", "xero", "--create-cases")
    assert result.exit_code == 1
    assert "freeagent-invoices.csv:1:1: error: not a Xero invoice export: the header has no ContactName" in result.output


def test_an_unknown_source_is_a_usage_error(records):
    result = do_import(records.root, "xero-v1.csv", "sage")
    assert result.exit_code == 2
    assert "choose xero, quickbooks, freeagent or rules:FILE.rules" in result.output


@pytest.fixture
def git_env(monkeypatch):
    isolate_git(monkeypatch)


def test_after_an_import_git_shows_exactly_the_new_files(tmp_path, git_env):
    repo = GitRepo(tmp_path / "books")
    repo.write("arrears.toml", 'currency = "GBP"\n')
    repo.git("add", "-A")
    repo.git("commit", "-qm", "start")
    do_import(repo.root, "xero-v1.csv", "xero", "--create-cases")
    repo.git("add", "-A")
    repo.git("commit", "-qm", "import v1")
    result = do_import(repo.root, "xero-v2.csv", "xero", date="2026-04-25")
    assert result.exit_code == 0, result.output
    status = repo.git("status", "--porcelain", "--untracked-files=all").splitlines()
    assert all(line.startswith("?? ") for line in status), status  # new files only: nothing modified or deleted
    assert len(status) == 4
    assert subprocess.run(["git", "diff", "--quiet"], cwd=repo.root).returncode == 0


def test_records_with_errors_stop_the_import_before_anything_is_written(records):
    records.case("acme", """
        debtor: {name: Acme Bakery Ltd, kind: business}
        opened: 2026-03-01
    """)
    records.note("acme", "2026-03-02-call", "date: 2026-03-02\nkind: cal")
    before = tree(records.root)
    result = do_import(records.root, "xero-v1.csv", "xero", "--create-cases")
    assert result.exit_code == 1
    assert "cases/acme/notes/2026-03-02-call.md:3:7: error: kind: 'cal'" in result.output
    assert "Fix the records first (arrears check)" in result.output
    assert tree(records.root) == before


def test_date_format_reads_a_us_export_month_first(records, tmp_path):
    text = (FIXTURES / "xero-v1.csv").read_text(encoding="utf-8-sig")
    us = tmp_path / "us.csv"
    us.write_text(re.sub(r"\b(\d\d)/(\d\d)/(\d{4})\b", r"\2/\1/\3", text), encoding="utf-8-sig")
    assert "03/02/2026,04/01/2026" in us.read_text(encoding="utf-8-sig")  # INV-1001, month first
    result = do_import(records.root, str(us), "xero", "--create-cases", "--date-format", "%m/%d/%Y")
    assert result.exit_code == 0, result.output
    text = (records.root / "cases/acme-bakery-ltd/notes/2026-03-02-invoice-INV-1001.md").read_text()
    assert "date: 2026-03-02" in text and "due: 2026-04-01" in text
    (tmp_path / "other").mkdir()
    as_if_day_first = do_import(tmp_path / "other", str(us), "xero", "--create-cases")
    assert as_if_day_first.exit_code == 1  # read day first, 03/14/2026 has no month 14
    assert ":9:9: error: InvoiceDate: '03/14/2026' is not a real calendar date" in as_if_day_first.output


def test_a_bad_date_format_is_a_usage_error(records):
    result = do_import(records.root, "xero-v1.csv", "xero", "--date-format", "%d/%q")
    assert result.exit_code == 2
    assert "date-format '%d/%q' uses a code other than" in result.output


def test_the_fixture_has_the_quirks_of_a_real_xero_export():
    data = (FIXTURES / "xero-v1.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf*ContactName,")  # UTF-8 BOM, Xero's * on required columns
    assert data.count(b"\r\n") == data.count(b"\n")  # CRLF line ends
    assert b'"Strong white flour, 25 kg sacks\r\nDelivered to the bakery door"' in data  # a quoted multi-line cell
    assert data.count(b",INV-1001,") == 2  # one row per line item
    assert all(word in data for word in (b"ACCRECCREDIT", b"DRAFT", b"VOIDED", b"DELETED", b"PAID"))
