"""Properties of the importer: the order of rows never changes the records written; amounts read exactly."""

from __future__ import annotations

import functools
import random
import shutil
import tempfile
from datetime import date, timedelta
from decimal import Decimal

from pathlib import Path

from hypothesis import given, settings, strategies as st

from arrears.imports.index import index_case
from arrears.imports.plan import Options, plan_import
from arrears.imports.run import read_source
from arrears.imports.values import read_amount
from arrears.records.load import load
from conftest import RecordsTree
from import_helpers import FIXTURES

NAMES = ["Acme Bakery Ltd", "Brightside Cafe", "Café Lumen", "Hollins & Sons"]
OPTIONS = Options("export.csv", "export.csv", date(2026, 4, 20), "GBP", create_cases=True)
HEADER = ("*ContactName,EmailAddress,*InvoiceNumber,*InvoiceDate,*DueDate,Total,InvoiceAmountPaid,"
          "InvoiceAmountDue,*Description,LineAmount,Currency,Type,Status")

invoices = st.lists(st.tuples(
    st.sampled_from(NAMES),
    st.integers(1, 400),  # day offset of the invoice date
    st.lists(st.integers(1, 100_000), min_size=1, max_size=3),  # line amounts in pence
    st.integers(0, 100),  # percent paid
    st.sampled_from(["AUTHORISED", "PAID", "DRAFT", "VOIDED", "ACCRECCREDIT"]),
), min_size=1, max_size=12)


def _xero_blocks(drawn) -> list[list[str]]:
    blocks = []
    for number, (name, offset, lines, percent, status) in enumerate(drawn, start=1):
        issued = date(2025, 1, 1) + timedelta(days=offset)
        total = Decimal(sum(lines)) / 100
        paid = (total * percent / 100).quantize(Decimal("0.01"))
        kind = "ACCRECCREDIT" if status == "ACCRECCREDIT" else "ACCREC"
        status = "AUTHORISED" if status == "ACCRECCREDIT" else status
        prefix = "CN" if kind == "ACCRECCREDIT" else "INV"
        blocks.append([
            f'"{name}",,{prefix}-{number:04},{issued:%d/%m/%Y},{issued + timedelta(days=30):%d/%m/%Y},{total},'
            f'{paid if kind == "ACCREC" else 0},{total - paid},"Line {index}\nsecond line",'
            f'{Decimal(line) / 100},GBP,{kind},{status}'
            for index, line in enumerate(lines)])
    return blocks


def _written(source: str, text: str, indexes=()) -> tuple:
    reading = read_source(source, "export.csv", text.encode("utf-8-sig"), "GBP")
    assert not reading.problems, reading.problems
    plan = plan_import(reading.entries, list(indexes), OPTIONS)
    assert not plan.problems
    return (sorted((case.id, case.text) for case in plan.cases),
            sorted((note.case, note.id, note.text) for note in plan.notes),
            sorted((skip.what, skip.reason) for skip in plan.skipped))


@settings(max_examples=40, deadline=None)
@given(invoices, st.randoms(use_true_random=False))
def test_xero_invoices_in_any_order_give_the_same_records(drawn, shuffler):
    blocks = _xero_blocks(drawn)
    shuffled = list(blocks)
    shuffler.shuffle(shuffled)
    original = "\r\n".join([HEADER] + [row for block in blocks for row in block]) + "\r\n"
    permuted = "\r\n".join([HEADER] + [row for block in shuffled for row in block]) + "\r\n"
    assert _written("xero", original) == _written("xero", permuted)


@settings(max_examples=40, deadline=None)
@given(st.randoms(use_true_random=False))
def test_freeagent_rows_in_any_order_give_the_same_records(shuffler):
    header, *rows = (FIXTURES / "freeagent-invoices.csv").read_text().splitlines()
    shuffled = list(rows)
    shuffler.shuffle(shuffled)
    assert _written("freeagent", "\n".join([header] + rows)) == _written("freeagent", "\n".join([header] + shuffled))


@functools.cache
def _bank_books() -> list:
    """Two cases whose invoices bank rows can name, and a payment typed by hand (built once)."""
    tree = RecordsTree(Path(tempfile.mkdtemp(prefix="arrears-bank-")))
    tree.case("acme", "debtor: {name: Acme, kind: business}\nopened: 2026-01-01")
    tree.case("bright", "debtor: {name: Bright, kind: business}\nopened: 2026-01-01")
    tree.note("acme", "i", "date: 2026-01-02\nkind: invoice\nref: INV-1001\namount: 900\ndue: 2026-02-01")
    tree.note("bright", "i", "date: 2026-01-02\nkind: invoice\nref: INV-1002\namount: 900\ndue: 2026-02-01")
    tree.note("acme", "p", "date: 2026-03-05\nkind: payment\namount: 5.00\napplies_to: INV-1001")
    indexes = [index_case(case) for case in load(tree.root).cases]
    shutil.rmtree(tree.root)
    return indexes


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["INV-1001", "INV1002", "THANKS", "INV-1001 INV-1002"]),
                          st.integers(-500, 500), st.integers(1, 28)), min_size=1, max_size=15),
       st.randoms(use_true_random=False))
def test_bank_rows_in_any_order_give_the_same_records_even_when_identical(rows, shuffler):
    indexes = _bank_books()
    lines = [f",{day:02}/03/2026,x,{amount}.00,FUNDS,{memo}" for memo, amount, day in rows]
    shuffled = list(lines)
    shuffler.shuffle(shuffled)
    source = f"rules:{FIXTURES / 'barclays.rules'}"
    header = "Number,Date,Account,Amount,Subcategory,Memo"
    assert _written(source, "\n".join([header] + lines), indexes) == \
        _written(source, "\n".join([header] + shuffled), indexes)


@given(st.decimals(min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=2, allow_nan=False),
       st.sampled_from(["{:,.2f}", "{:.2f}", "£{:,.2f}", "GBP {:.2f}"]), st.booleans())
def test_amounts_read_exactly_as_exports_write_them(amount, form, parentheses):
    text = form.format(abs(amount))
    if amount < 0:
        text = f"({text})" if parentheses else f"-{text}"
    assert read_amount(text, "GBP") == amount


def test_a_shuffle_really_changes_the_order_of_the_file():
    """The property tests above would pass trivially if the permuted text were the original."""
    rows = [f"row {n}" for n in range(10)]
    shuffled = list(rows)
    random.Random(1).shuffle(shuffled)
    assert shuffled != rows


texts = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40).map(str.strip).filter(bool)


@settings(max_examples=200, deadline=None)
@given(texts, st.one_of(st.none(), texts), texts)
def test_any_invoice_number_description_and_name_survive_the_round_trip_through_the_files(ref, description, name):
    """Whatever text an export holds, the note written reads back as the same values (and a valid file name)."""
    from arrears.imports.notes import Draft, new_case_text, note_text
    from arrears.imports.values import file_safe, slug
    from arrears.records.model import RECORD_ID_PATTERN, Invoice, Settings
    from arrears.records.parse import parse_case, parse_note
    import re

    draft = Draft("invoice", date(2026, 3, 2), "xero", ref, "GBP", f"Invoice {ref}", Decimal("12.50"), ref,
                  date(2026, 4, 1), date(2026, 3, 2), description)
    note_id = f"2026-03-02-invoice-{file_safe(ref)}"
    assert re.match(RECORD_ID_PATTERN, note_id)
    parsed = parse_note("n.md", note_text(draft).encode(), "c", note_id, "GBP")
    assert parsed.problems == () and isinstance(parsed.record.detail, Invoice)
    assert parsed.record.detail.ref == ref and parsed.record.detail.description == description
    assert parsed.record.extra == {"source": "xero", "source_id": ref}
    case_id = slug(name)
    case = parse_case("case.md", new_case_text(case_id, name, date(2026, 3, 2), None, None, "xero", "x.csv").encode(),
                      case_id, Settings())
    assert case.problems == () and case.record.debtor.name == name
    assert re.match(r"^[a-z0-9][a-z0-9-]{0,62}$", case_id)


@given(st.decimals(min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=2, allow_nan=False),
       st.booleans())
def test_amounts_with_a_decimal_comma_read_exactly(amount, grouped):
    text = (f"{amount:,.2f}" if grouped else f"{amount:.2f}").replace(",", " ").replace(".", ",").replace(" ", ".")
    assert read_amount(text, "EUR", decimal_mark=",") == amount


CELLS = st.sampled_from(["", "INV-1", "Acme", "02/03/2026", "2026-03-02", "03/15/2026", "31/02/2026", "1,234.56",
                         "£860.50", "-200.00", "(5.00)", "1.005", "abc", "ACCREC", "ACCRECCREDIT", "VOIDED",
                         "DRAFT", "Invoice", "Credit Memo", "Total for Current", "GBP", "XYZ", '"', "\n", "é"])
HEADERS = {
    "xero": HEADER,
    "quickbooks": ",Date,Transaction Type,Num,Customer,Due Date,Amount,Open Balance",
    "freeagent": "reference,contact,dated_on,due_on,currency,total_value,paid_value,status",
}


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(sorted(HEADERS)), st.lists(st.lists(CELLS, max_size=14), max_size=8),
       st.binary(max_size=20))
def test_any_export_is_read_into_entries_or_problems_never_a_crash(profile, rows, junk):
    text = "\n".join([HEADERS[profile]] + [",".join(row) for row in rows])
    for data in (text.encode("utf-8"), text.encode("utf-8") + junk, junk):
        reading = read_source(profile, "x.csv", data, "GBP")
        for problem in reading.problems:
            assert problem.path == "x.csv" and problem.line >= 1 and problem.column >= 1
        if not reading.problems:
            plan_import(reading.entries, [], OPTIONS)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(["skip 1", "skip x", "separator ;", "separator", "fields date, amount, ref",
                                 "fields a,,b", "date-format %d/%m/%Y", "date-format %q", "currency GBP",
                                 "currency xx", "kind payment", "kind cash", "ref %ref", "if ^X", "if [", "  skip",
                                 "  kind credit", "  bogus 1", "%amount ^-", "decimal-mark ,", "# note", "",
                                 "amount %2", "source bank", "source two words"]), max_size=12))
def test_any_rules_file_is_rules_or_problems_at_its_lines_never_a_crash(lines):
    from arrears.imports.rules import parse_rules

    rules, problems = parse_rules("x.rules", "\n".join(lines), "x")
    for problem in problems:
        assert 1 <= problem.line <= max(len(lines), 1)
