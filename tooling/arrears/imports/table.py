"""CSV bytes -> rows that know their physical line, so every error can name `file.csv:LINE:COL`.

Lines are counted as an editor counts them (the header is line 1, skipped
and blank lines count, a quoted cell spanning three lines takes three), and
a column is the cell's position in its row, as a spreadsheet counts.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Iterator

from arrears.problems import Problem


@dataclass(frozen=True, slots=True)
class Row:
    line: int  # the physical line the row starts on
    cells: list[str]

    @property
    def blank(self) -> bool:
        """No text in any cell (exports pad with empty lines and rows of commas)."""
        return not any(cell.strip() for cell in self.cells)

    def get(self, index: int | None) -> str:
        if index is None or index >= len(self.cells):
            return ""
        return self.cells[index].strip()


class TableError(Exception):
    """A file that is not readable CSV at all (wrong encoding, a quote never closed)."""

    def __init__(self, problem: Problem):
        super().__init__(problem.message)
        self.problem = problem


def decode(path: str, data: bytes) -> str:
    """UTF-8, with or without a byte-order mark; anything else is an error at its line."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise TableError(Problem(path, line, column, "error", "bad-encoding",
                                 "not UTF-8 text: export the file as CSV (UTF-8), or re-save it as UTF-8")) from None


def rows(path: str, text: str, separator: str = ",") -> Iterator[Row]:
    """Every row of the text, blank ones included (as empty lists), each with its first line."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True)
    line = 1
    try:
        for cells in reader:
            yield Row(line, cells)
            line = reader.line_num + 1
    except csv.Error as error:
        raise TableError(Problem(path, line, 1, "error", "bad-csv", f"not readable as CSV: {error}")) from None


def first_row(table: Iterator[Row]) -> Row | None:
    """The header of an export: its first row with any text (blank lines before it are skipped).

    The rest of `table` is left to read from the row after it.
    """
    return next((row for row in table if not row.blank), None)


def header_index(cells: list[str]) -> dict[str, int]:
    """Column name -> index, names stripped of spaces and Xero's leading `*` (required-field marks)."""
    index: dict[str, int] = {}
    for position, name in enumerate(cells):
        key = name.strip().lstrip("*").strip()
        if key and key not in index:
            index[key] = position
    return index
