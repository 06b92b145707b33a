"""Reading one row's cells by column name, each problem reported at its line and column."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Iterator

from arrears import money
from arrears.imports.entries import Reading
from arrears.imports.table import Row, decode, first_row, rows
from arrears.imports.values import read_amount, read_date


class Cells:
    """One row seen through its file's header: `cells.text("DueDate")`, `cells.amount("Total")`..."""

    def __init__(self, reading: Reading, row: Row, header: dict[str, int], formats: tuple[str, ...] = ("%Y-%m-%d",)):
        self.reading = reading
        self.row = row
        self.header = header
        self.formats = formats  # how this file writes dates
        self.failed = False

    def column(self, name: str) -> int:
        index = self.header.get(name)
        return index + 1 if index is not None else 1

    def raw(self, name: str) -> str:
        value = self.row.get(self.header.get(name))
        return value.replace("\r\n", "\n") if "\r" in value else value

    def fail(self, name: str, message: str) -> None:
        self.failed = True
        self.reading.error(self.row.line, self.column(name), message)

    def text(self, name: str, required: bool = False) -> str | None:
        value = self.raw(name)
        if not value:
            if required:
                self.fail(name, f"{name} is empty")
            return None
        return value

    def amount(self, name: str, currency: str, required: bool = False) -> Decimal | None:
        value = self.text(name, required)
        if value is None:
            return None
        try:
            return read_amount(value, currency)
        except ValueError as error:
            self.fail(name, f"{name}: {error}")
            return None

    def date(self, name: str, formats: tuple[str, ...], required: bool = False) -> date | None:
        value = self.text(name, required)
        if value is None:
            return None
        try:
            return read_date(value, formats)
        except ValueError as error:
            self.fail(name, f"{name}: {error}")
            return None

    def currency(self, name: str, default: str) -> str:
        value = self.text(name)
        if value is None:
            return default
        code = value.upper()
        if not money.is_currency(code):
            self.fail(name, f"{name}: {value!r} is not an ISO 4217 currency code (e.g. GBP, EUR, USD)")
            return default
        return code


def open_export(reading: Reading, data: bytes) -> tuple[Iterator[Row], Row | None]:
    """An export's rows and its header row (its first row with text); an empty file is reported."""
    table = rows(reading.path, decode(reading.path, data))
    header_row = first_row(table)
    if header_row is None:
        reading.error(1, 1, "the file is empty", "bad-header")
    return table, header_row


def require_columns(reading: Reading, line: int, header: dict[str, int], needed: tuple[str, ...],
                    profile: str) -> bool:
    """Every column the profile needs is in the header; else one error naming the missing ones."""
    missing = [name for name in needed if name not in header]
    if missing:
        reading.error(line, 1, f"not a {profile} export: the header has no {', '.join(missing)} column"
                               f"{'s' if len(missing) > 1 else ''} (see docs/import.md for how to export it)",
                      "bad-header")
        return False
    return True
