"""Xero's invoice export (Business > Invoices > Export): one row per line item.

An invoice's number, dates and totals repeat on each of its line-item rows;
the rows are grouped by InvoiceNumber and must agree. `Type` ACCREC is a
sales invoice, ACCRECCREDIT a credit note (bills, ACCPAY, are skipped).
The paid amount is `InvoiceAmountPaid`, never Total - AmountDue: a credit
note allocated to an invoice lowers what is due without being a payment.
"""

from __future__ import annotations

from arrears.imports.cells import Cells, open_export, require_columns
from arrears.imports.entries import Entry, Reading, Skipped
from arrears.imports.table import header_index

SOURCE = "xero"
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d %b %Y")
NEEDED = ("ContactName", "InvoiceNumber", "InvoiceDate", "DueDate", "Total", "Type")
SKIPPED_STATUSES = {"DRAFT": "draft", "SUBMITTED": "awaiting approval"}
VOID_STATUSES = {"VOIDED": "voided", "DELETED": "deleted"}
LIVE_STATUSES = ("AUTHORISED", "PAID", "")
KINDS = {"ACCREC": "invoice", "ACCRECCREDIT": "credit"}
REPEATED = ("ContactName", "InvoiceDate", "DueDate", "Total", "InvoiceAmountPaid", "Currency", "Type", "Status")


def read(path: str, data: bytes, currency: str, progress=None,
         date_formats: tuple[str, ...] | None = None) -> Reading:
    reading = Reading(path)
    table, header_row = open_export(reading, data)
    if header_row is None:
        return reading
    header = header_index(header_row.cells)
    if not require_columns(reading, header_row.line, header, NEEDED, "Xero invoice"):
        return reading
    groups: dict[tuple[str, str], tuple[Cells, list[str]]] = {}
    order: list[tuple[str, str]] = []
    repeated = [(name, header[name]) for name in REPEATED if name in header]
    for row in table:
        if progress:
            progress(row.line)
        if row.blank:
            continue
        reading.rows += 1
        cells = Cells(reading, row, header, date_formats or DATE_FORMATS)
        number = cells.text("InvoiceNumber", required=True)
        kind_text = cells.raw("Type").upper()
        if number is None:
            continue
        key = (kind_text, number)
        description = cells.text("Description")
        if key in groups:
            first, descriptions = groups[key]
            for name, index in repeated:
                if row.get(index) != first.row.get(index):
                    cells.fail(name, f"{name} {cells.raw(name)!r} differs from {first.raw(name)!r} on line "
                                     f"{first.row.line}, another row of invoice {number}")
            if description:
                descriptions.append(description)
            continue
        groups[key] = (cells, [description] if description else [])
        order.append(key)
    for key in order:
        cells, descriptions = groups[key]
        entry = _entry(reading, cells, descriptions, currency)
        if entry is not None:
            reading.entries.append(entry)
    return reading


def _entry(reading: Reading, cells: Cells, descriptions: list[str], default: str) -> Entry | None:
    number = cells.raw("InvoiceNumber")
    line = cells.row.line
    kind_text = cells.raw("Type").upper()
    status = cells.raw("Status").upper()
    if kind_text in ("ACCPAY", "ACCPAYCREDIT"):
        reading.skipped.append(Skipped(line, number, "a bill (money you owe, not money owed to you)"))
        return None
    kind = KINDS.get(kind_text)
    if kind is None:
        cells.fail("Type", f"Type {cells.raw('Type')!r} is not ACCREC (invoice) or ACCRECCREDIT (credit note)")
        return None
    if status in SKIPPED_STATUSES:
        reading.skipped.append(Skipped(line, number, SKIPPED_STATUSES[status]))
        return None
    if status not in LIVE_STATUSES and status not in VOID_STATUSES:
        cells.fail("Status", f"Status {cells.raw('Status')!r} is not one of AUTHORISED, PAID, DRAFT, SUBMITTED, "
                             "VOIDED, DELETED")
        return None
    currency = cells.currency("Currency", default)
    issued = cells.date("InvoiceDate", cells.formats, required=True)
    due = cells.date("DueDate", cells.formats, required=(kind == "invoice"))
    total = cells.amount("Total", currency, required=True)
    paid = cells.amount("InvoiceAmountPaid", currency)
    contact = cells.text("ContactName", required=True)
    if cells.failed or issued is None or total is None:
        return None
    columns = {"contact": cells.column("ContactName"), "amount": cells.column("Total"),
               "currency": cells.column("Currency"), "ref": cells.column("InvoiceNumber")}
    if status in VOID_STATUSES:
        return Entry("void", SOURCE, _source_id(kind, number), line, issued, abs(total), contact,
                     cells.text("EmailAddress"), number, due, currency=currency,
                     description=VOID_STATUSES[status], columns=columns)
    if total == 0:
        reading.skipped.append(Skipped(line, number, "zero total"))
        return None
    if kind == "invoice" and total < 0:
        cells.fail("Total", f"Total {cells.raw('Total')} is negative on an invoice (a credit note is ACCRECCREDIT)")
        return None
    if kind == "credit" and paid:
        reading.notices.append((line, f"credit note {number} was refunded {paid}: the credit is imported, the "
                                      "refund (money paid back) is not; record it by hand"))
    return Entry(kind, SOURCE, _source_id(kind, number), line, issued, abs(total), contact,
                 cells.text("EmailAddress"), number, due if kind == "invoice" else None,
                 paid if kind == "invoice" else None, None, currency,
                 "; ".join(descriptions) or None, columns)


def _source_id(kind: str, number: str) -> str:
    """Invoices and credit notes are numbered apart in Xero (INV-0001, CN-0001)."""
    return number if kind == "invoice" else f"credit/{number}"
