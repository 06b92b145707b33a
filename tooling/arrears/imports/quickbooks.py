"""QuickBooks' A/R Aging Detail report, exported as CSV (Reports > A/R Aging Detail > Export).

A report, not a table: title lines above the header, a leading empty
column, bucket headings ("Current", "1 - 30 days past due"), "Total for ..."
rows and a grand TOTAL, then a footer. Only rows whose Transaction Type is
Invoice or Credit Memo are read; dates are MM/DD/YYYY; amounts look like
`1,234.56` or `£860.50`; a credit memo's amounts are negative. The paid
amount of an invoice is Amount - Open Balance.
"""

from __future__ import annotations

from arrears.imports.cells import Cells, require_columns
from arrears.imports.entries import Entry, Reading, Skipped
from arrears.imports.table import decode, header_index, rows

SOURCE = "quickbooks"
DATE_FORMATS = ("%m/%d/%Y", "%Y-%m-%d")
NEEDED = ("Date", "Transaction Type", "Num", "Due Date", "Amount", "Open Balance")
CUSTOMER_COLUMNS = ("Customer", "Name", "Customer full name", "Customer Name")


def read(path: str, data: bytes, currency: str, progress=None,
         date_formats: tuple[str, ...] | None = None) -> Reading:
    reading = Reading(path)
    table = rows(path, decode(path, data))
    header = None
    header_line = 1
    for row in table:
        cells = [cell.strip() for cell in row.cells]
        if "Transaction Type" in cells and "Num" in cells:
            header, header_line = header_index(row.cells), row.line
            break
    if header is None:
        reading.error(1, 1, "not a QuickBooks A/R Aging Detail export: no header row with "
                            "'Transaction Type' and 'Num' (see docs/import.md)", "bad-header")
        return reading
    customer = next((name for name in CUSTOMER_COLUMNS if name in header), None)
    if not require_columns(reading, header_line, header, NEEDED, "QuickBooks A/R Aging Detail") or customer is None:
        if customer is None:
            reading.error(header_line, 1, "the header has no Customer (or Name) column", "bad-header")
        return reading
    seen: dict[str, int] = {}
    for row in table:
        if progress:
            progress(row.line)
        filled = [cell.strip() for cell in row.cells if cell.strip()]
        if not filled or _is_report_line(row.cells, filled):
            continue
        reading.rows += 1
        cells = Cells(reading, row, header, date_formats or DATE_FORMATS)
        kind_text = cells.raw("Transaction Type")
        number = cells.raw("Num")
        if kind_text not in ("Invoice", "Credit Memo"):
            what = f"{kind_text or 'a row without a Transaction Type'} {number}".strip()
            reading.skipped.append(Skipped(row.line, what, "not an invoice or credit memo (only those are imported)"))
            continue
        entry = _entry(cells, customer, kind_text, currency)
        if entry is None:
            continue
        if entry.source_id in seen:
            cells.fail("Num", f"{kind_text} {number} appears twice (also on line {seen[entry.source_id]})")
            continue
        seen[entry.source_id] = row.line
        reading.entries.append(entry)
    return reading


def _is_report_line(cells: list[str], filled: list[str]) -> bool:
    """Bucket headings (one cell), "Total for ..." and TOTAL rows, and the report's footer."""
    first = filled[0]
    return len(filled) == 1 or first.startswith("Total for") or first.upper() == "TOTAL" or \
        first.startswith(("Accrual Basis", "Cash Basis"))


def _entry(cells: Cells, customer: str, kind_text: str, currency: str) -> Entry | None:
    number = cells.text("Num", required=True)
    issued = cells.date("Date", cells.formats, required=True)
    amount = cells.amount("Amount", currency, required=True)
    open_balance = cells.amount("Open Balance", currency, required=True)
    contact = cells.text(customer, required=True)
    due = cells.date("Due Date", cells.formats, required=(kind_text == "Invoice"))
    if cells.failed or None in (number, issued, amount, open_balance, contact):
        return None
    columns = {"contact": cells.column(customer), "amount": cells.column("Amount"), "ref": cells.column("Num")}
    description = cells.text("Memo/Description") or cells.text("Memo")
    if kind_text == "Credit Memo":
        if amount == 0:
            return None
        return Entry("credit", SOURCE, f"credit-memo/{number}", cells.row.line, issued, abs(amount), contact,
                     ref=number, currency=currency, description=description, columns=columns)
    if amount <= 0:
        cells.fail("Amount", f"Amount {cells.raw('Amount')} of invoice {number} is not positive")
        return None
    paid = amount - open_balance
    if paid < 0 or open_balance < 0:
        cells.fail("Open Balance", f"Open Balance {cells.raw('Open Balance')} is not between 0 and the Amount")
        return None
    return Entry("invoice", SOURCE, number, cells.row.line, issued, amount, contact, None, number, due, paid,
                 None, currency, description, columns)
