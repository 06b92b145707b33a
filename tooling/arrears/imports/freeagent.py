"""FreeAgent's invoice export (Invoices > Export > CSV).

Column names are read as FreeAgent writes them (`Reference`, `Dated On`) or
as its API names them (`reference`, `dated_on`): both mean the same. The
paid amount is `paid_value`. Draft and scheduled invoices are skipped;
cancelled ones void what an earlier import wrote.
"""

from __future__ import annotations

import re

from arrears.imports.cells import Cells, open_export, require_columns
from arrears.imports.entries import Entry, Reading, Skipped

SOURCE = "freeagent"
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d %b %Y")
NEEDED = ("reference", "contact", "dated_on", "due_on", "total_value")
SKIPPED_STATUSES = ("draft", "scheduled", "scheduled_to_email")
VOID_STATUSES = ("cancelled", "void", "voided", "deleted")


def read(path: str, data: bytes, currency: str, progress=None,
         date_formats: tuple[str, ...] | None = None) -> Reading:
    reading = Reading(path)
    table, header_row = open_export(reading, data)
    if header_row is None:
        return reading
    header: dict[str, int] = {}
    for position, name in enumerate(header_row.cells):
        header.setdefault(_snake(name), position)
    if "contact_name" in header and "contact" not in header:
        header["contact"] = header["contact_name"]
    if not require_columns(reading, header_row.line, header, NEEDED, "FreeAgent invoice"):
        return reading
    seen: dict[str, int] = {}
    for row in table:
        if progress:
            progress(row.line)
        if row.blank:
            continue
        reading.rows += 1
        cells = Cells(reading, row, header, date_formats or DATE_FORMATS)
        entry = _entry(reading, cells, currency)
        if entry is None:
            continue
        if entry.source_id in seen:
            cells.fail("reference", f"invoice {entry.ref} appears twice (also on line {seen[entry.source_id]})")
            continue
        seen[entry.source_id] = row.line
        reading.entries.append(entry)
    return reading


def _snake(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


def _entry(reading: Reading, cells: Cells, default: str) -> Entry | None:
    number = cells.text("reference", required=True)
    status = _snake(cells.raw("status"))
    if number and status in SKIPPED_STATUSES:
        reading.skipped.append(Skipped(cells.row.line, number, status.replace("_", " ")))
        return None
    currency = cells.currency("currency", default)
    issued = cells.date("dated_on", cells.formats, required=True)
    due = cells.date("due_on", cells.formats, required=True)
    total = cells.amount("total_value", currency, required=True)
    paid = cells.amount("paid_value", currency)
    contact = cells.text("contact", required=True)
    if cells.failed or None in (number, issued, due, total, contact):
        return None
    columns = {"contact": cells.column("contact"), "amount": cells.column("total_value"),
               "currency": cells.column("currency"), "ref": cells.column("reference")}
    if status in VOID_STATUSES:
        return Entry("void", SOURCE, number, cells.row.line, issued, abs(total), contact, ref=number, due=due,
                     currency=currency, description=status, columns=columns)
    if total <= 0:
        if total == 0:
            reading.skipped.append(Skipped(cells.row.line, number, "zero total"))
        else:
            cells.fail("total_value", f"total_value {cells.raw('total_value')} is negative: a credit note is not "
                                      "an invoice (record it with arrears new note --kind credit)")
        return None
    if paid is not None and paid < 0:
        cells.fail("paid_value", f"paid_value {cells.raw('paid_value')} is negative")
        return None
    email = cells.text("contact_email") or cells.text("email")
    return Entry("invoice", SOURCE, number, cells.row.line, issued, total, contact, email, number, due,
                 paid, None, currency, cells.text("comments") or cells.text("description"), columns)
