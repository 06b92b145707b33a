"""CSV that a spreadsheet opens as data: no cell the tool writes can become a formula.

Accountants open due.csv and exports in Excel or LibreOffice, which run a
cell beginning with `=`, `+`, `-` or `@` (or a tab or carriage return before
one) as a formula: a debtor named `=HYPERLINK(...)` would become a link that
leaks the sheet. Following OWASP's CSV-injection advice, such a text cell is
written with a leading `'`, which spreadsheets show as text; a plain number
(`-50.00`, `12`) is left as it is, so money and counts stay numbers. Every CSV
writer in the tool goes through `writer` here.
"""

from __future__ import annotations

import csv
import re
from typing import IO, Any, Iterable

TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
"""OWASP's list, and the full-width forms some spreadsheets also read as formula signs."""
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def cell(value: Any) -> Any:
    """`value` as it may safely stand in a spreadsheet cell.

    Line breaks inside text become "\n": Python's csv module quotes a cell
    for the line terminator only, and a bare carriage return would split the row.
    """
    if not isinstance(value, str):
        return value
    if value.startswith(TRIGGERS) and not _NUMBER.fullmatch(value):
        value = "'" + value
    return value.replace("\r\n", "\n").replace("\r", "\n")


class SafeWriter:
    """csv.writer with every cell passed through `cell` (and "\\n" line endings, for the same bytes everywhere)."""

    def __init__(self, out: IO[str]):
        self._writer = csv.writer(out, lineterminator="\n")

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(out: IO[str]) -> SafeWriter:
    return SafeWriter(out)
