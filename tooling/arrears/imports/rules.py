"""Any CSV, described by a rules file in the spirit of hledger's CSV rules.

    # Barclays business account: money in is a debtor paying
    skip 1
    separator ,
    fields date, description, amount, ref
    date-format %d/%m/%Y
    currency GBP
    kind payment
    if ^BANK CHARGE
      skip

`fields` names the CSV's columns (an empty name ignores one); a line
`FIELD VALUE` assigns a value to every row, with `%name` or `%3` replaced by
a column's text; an `if PATTERN` block (a case-insensitive regular
expression matched against the whole row, or `if %field PATTERN` against one
field) applies its indented assignments, or `skip`, to the rows it matches.
The fields the importer reads are TARGETS.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from arrears import money
from arrears.imports.entries import Entry, Reading, Skipped
from arrears.imports.table import Row, decode, rows
from arrears.imports.values import check_date_format, read_amount, read_date
from arrears.problems import Problem

TARGETS = ("contact", "kind", "ref", "date", "due", "amount", "paid", "paid_date", "currency", "email",
           "description", "id")
KINDS = ("invoice", "credit", "payment")
SEPARATORS = {",": ",", ";": ";", "\\t": "\t", "tab": "\t", "comma": ",", "semicolon": ";", "|": "|"}
DIRECTIVES = ("skip", "separator", "fields", "date-format", "decimal-mark", "currency", "source", "if")
_INTERPOLATE = re.compile(r"%([A-Za-z_][A-Za-z0-9_-]*|\d+)")


@dataclass(frozen=True, slots=True)
class Matcher:
    pattern: re.Pattern
    field: str | None = None  # None: the whole row


@dataclass(frozen=True, slots=True)
class Block:
    """An `if` block: its patterns (any may match) and what it assigns, or that it skips."""

    line: int
    matchers: tuple[Matcher, ...]
    assignments: tuple[tuple[str, str], ...]
    skip: bool = False


@dataclass
class Rules:
    path: str
    source: str
    skip: int = 0
    separator: str = ","
    fields: list[str] = field(default_factory=list)
    date_formats: tuple[str, ...] = ("%Y-%m-%d",)
    currency: str | None = None
    decimal_mark: str = "."
    assignments: list[tuple[str, str]] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)


def parse_rules(path: str, text: str, source: str) -> tuple[Rules, list[Problem]]:
    """A rules file's text -> Rules, with a problem at the line and column of each mistake."""
    rules = Rules(path, source)
    problems: list[Problem] = []
    lines = text.splitlines()
    index = 0

    def problem(line: int, column: int, message: str) -> None:
        problems.append(Problem(path, line, column, "error", "bad-rules", message))

    while index < len(lines):
        number, raw = index + 1, lines[index]
        index += 1
        stripped = raw.strip()
        if not stripped or stripped.startswith(("#", ";", "*")):
            continue
        if raw[0].isspace():
            problem(number, 1, "an indented line belongs under an 'if' line, and there is none above it")
            continue
        word, _, rest = stripped.partition(" ")
        rest = rest.strip()
        if word == "if":
            patterns = [(number, rest)] if rest else []
            while index < len(lines) and lines[index].strip() and not lines[index][0].isspace():
                if lines[index].split(" ", 1)[0] in DIRECTIVES or lines[index].split(" ", 1)[0] in TARGETS:
                    break
                patterns.append((index + 1, lines[index].strip()))
                index += 1
            body: list[tuple[int, str]] = []
            while index < len(lines) and (not lines[index].strip() or lines[index][0].isspace()):
                if lines[index].strip() and not lines[index].strip().startswith("#"):
                    body.append((index + 1, lines[index].strip()))
                index += 1
            block = _block(number, patterns, body, problem)
            if block:
                rules.blocks.append(block)
        elif word == "skip":
            if rest and not rest.isdigit():
                problem(number, 6, f"skip {rest!r}: give the number of lines to skip, e.g. skip 1")
            rules.skip = int(rest) if rest.isdigit() else 1
        elif word == "separator":
            chosen = SEPARATORS.get(rest.lower()) if rest else None
            if chosen is None:
                problem(number, 11, f"separator {rest!r}: write , ; | or TAB")
            else:
                rules.separator = chosen
        elif word == "fields":
            rules.fields = [name.strip() for name in rest.split(",")]
            for name in rules.fields:
                if name and not re.match(r"^[A-Za-z_][A-Za-z0-9_-]*$", name):
                    problem(number, raw.find(name) + 1, f"field name {name!r}: use letters, digits, - and _")
        elif word == "date-format":
            why = check_date_format(rest)
            if why:
                problem(number, 13, why)
            else:
                rules.date_formats = (rest,)
        elif word == "decimal-mark":
            if rest not in (".", ","):
                problem(number, 14, f"decimal-mark {rest!r}: write . (1,234.56) or , (1.234,56)")
            else:
                rules.decimal_mark = rest
        elif word == "currency":
            if not money.is_currency(rest.upper()):
                problem(number, 10, f"currency {rest!r} is not an ISO 4217 code such as GBP")
            else:
                rules.currency = rest.upper()
        elif word == "source":
            if not re.match(r"^[A-Za-z0-9][A-Za-z0-9._-]*$", rest):
                problem(number, 8, f"source {rest!r}: one word naming the system, e.g. source barclays")
            else:
                rules.source = rest
        elif word in TARGETS:
            if word == "kind" and rest not in KINDS:
                problem(number, 6, f"kind {rest!r} is not one of {', '.join(KINDS)}")
            rules.assignments.append((word, rest))
        else:
            problem(number, 1, f"{word!r} is not a rules directive ({', '.join(DIRECTIVES)}) or a field the "
                               f"importer reads ({', '.join(TARGETS)})")
    return rules, problems


def _block(number: int, patterns: list[tuple[int, str]], body: list[tuple[int, str]], problem) -> Block | None:
    if not patterns:
        problem(number, 1, "'if' needs a pattern, on its line or the lines below it")
        return None
    matchers = []
    for line, text in patterns:
        target = None
        match = re.match(r"^%([A-Za-z_][A-Za-z0-9_-]*)\s+(.*)$", text)
        if match:
            target, text = match.group(1), match.group(2)
        try:
            matchers.append(Matcher(re.compile(text, re.IGNORECASE), target))
        except re.error as error:
            problem(line, 1, f"pattern {text!r} is not a regular expression: {error}")
    assignments = []
    skip = False
    for line, text in body:
        word, _, rest = text.partition(" ")
        if word == "skip":
            skip = True
        elif word in TARGETS:
            if word == "kind" and rest.strip() not in KINDS:
                problem(line, 1, f"kind {rest.strip()!r} is not one of {', '.join(KINDS)}")
            assignments.append((word, rest.strip()))
        else:
            problem(line, 1, f"{word!r} in an 'if' block: write an assignment (FIELD VALUE) or skip")
    if not assignments and not skip:
        problem(number, 1, "this 'if' block assigns nothing: indent 'FIELD VALUE' lines or 'skip' below it")
    return Block(number, tuple(matchers), tuple(assignments), skip)


def read(path: str, data: bytes, currency: str, rules: Rules, progress=None) -> Reading:
    """Every row of the CSV, through the rules, as entries (or skips, or problems)."""
    reading = Reading(path)
    if not rules.fields:
        reading.problems.append(Problem(rules.path, 1, 1, "error", "bad-rules",
                                        "the rules need a 'fields' line naming the CSV's columns"))
        return reading
    table = rows(path, decode(path, data), rules.separator)
    seen: dict[str, int] = {}
    records = 0
    for row in table:
        if progress:
            progress(row.line)
        if row.blank:
            continue
        records += 1
        if records <= rules.skip:
            continue
        reading.rows += 1
        values = _values(rules, row)
        if values is None:
            reading.skipped.append(Skipped(row.line, _row_text(row, rules)[:40], "skipped by the rules"))
            continue
        entry = _entry(reading, rules, row, values, currency)
        if entry is None:
            continue
        if entry.kind != "payment" or "id" in values:
            if entry.source_id in seen:
                column = values.get("id", values.get("ref", ("", 1)))[1]
                reading.error(row.line, column, f"{entry.kind} {entry.source_id} appears twice (also on line "
                                                f"{seen[entry.source_id]})")
                continue
            seen[entry.source_id] = row.line
        reading.entries.append(entry)
    _number_repeated_payments(reading)
    return reading


def _row_text(row: Row, rules: Rules) -> str:
    return rules.separator.join(row.cells)


def _values(rules: Rules, row: Row) -> dict[str, tuple[str, int]] | None:
    """Field -> (text, column) after `fields`, assignments and `if` blocks; None when the row is skipped."""
    named: dict[str, tuple[str, int]] = {}
    for position, name in enumerate(rules.fields):
        if name:
            named[name] = (row.get(position), position + 1)
    values = {name: named[name] for name in TARGETS if name in named}

    def interpolate(text: str) -> str:
        def one(match: re.Match) -> str:
            key = match.group(1)
            if key.isdigit():
                return row.get(int(key) - 1)
            return named.get(key, ("", 1))[0]
        return _INTERPOLATE.sub(one, text).strip()

    for name, text in rules.assignments:
        values[name] = (interpolate(text), 1)
    whole = _row_text(row, rules)
    for block in rules.blocks:
        if any(m.pattern.search(named.get(m.field, ("", 1))[0] if m.field else whole) for m in block.matchers):
            if block.skip:
                return None
            for name, text in block.assignments:
                values[name] = (interpolate(text), 1)
    return values


def _entry(reading: Reading, rules: Rules, row: Row, values: dict[str, tuple[str, int]], default: str
           ) -> Entry | None:
    failed = False

    def text(name: str, required: bool = False) -> str | None:
        nonlocal failed
        value = values.get(name, ("", 1))[0].strip()
        if not value and required:
            failed = True
            reading.error(row.line, values.get(name, ("", 1))[1],
                          f"no {name}: name its column in 'fields' or assign it in the rules ({rules.path})")
        return value or None

    def amount(name: str, currency: str, required: bool = False) -> Decimal | None:
        nonlocal failed
        value = text(name, required)
        if value is None:
            return None
        try:
            return read_amount(value, currency, rules.decimal_mark)
        except ValueError as error:
            failed = True
            reading.error(row.line, values[name][1], f"{name}: {error}")
            return None

    def day(name: str, required: bool = False) -> date | None:
        nonlocal failed
        value = text(name, required)
        if value is None:
            return None
        try:
            return read_date(value, rules.date_formats)
        except ValueError as error:
            failed = True
            reading.error(row.line, values[name][1], f"{name}: {error}")
            return None

    kind = text("kind")
    if kind is None:
        reading.error(row.line, 1, "no kind for this row: add 'kind invoice' (or credit, payment) to the rules, "
                                   "or name a kind column")
        return None
    if kind not in KINDS:
        reading.error(row.line, values["kind"][1], f"kind {kind!r} is not one of {', '.join(KINDS)}")
        return None
    currency = (text("currency") or rules.currency or default).upper()
    if not money.is_currency(currency):
        reading.error(row.line, values["currency"][1], f"currency {currency!r} is not an ISO 4217 code")
        return None
    when = day("date", required=True)
    value = amount("amount", currency, required=True)
    columns = {name: column for name, (_, column) in values.items()}
    if kind == "payment":
        ref, description, contact = text("ref"), text("description"), text("contact")
        if failed or when is None or value is None:
            return None
        if value <= 0:
            reading.skipped.append(Skipped(row.line, ref or description or str(value),
                                           "money paid out" if value < 0 else "zero amount"))
            return None
        ident = text("id") or _fingerprint(when, value, ref, description, contact)
        return Entry("payment", rules.source, ident, row.line, when, value, contact, text("email"), ref,
                     currency=currency, description=description, columns=columns)
    contact = text("contact", required=True)
    ref = text("ref", required=(kind == "invoice"))
    due = day("due", required=(kind == "invoice"))
    paid = amount("paid", currency)
    paid_date = day("paid_date")
    if failed or None in (when, value, contact) or (kind == "invoice" and None in (ref, due)):
        return None
    if value == 0:
        reading.skipped.append(Skipped(row.line, ref or contact, "zero amount"))
        return None
    if kind == "invoice" and value < 0:
        reading.error(row.line, values["amount"][1], f"amount {values['amount'][0]} is negative on an invoice: "
                                                     "assign kind credit to such rows")
        return None
    if paid is not None and paid < 0:
        reading.error(row.line, values["paid"][1], f"paid {values['paid'][0]} is negative")
        return None
    ident = text("id") or (ref if kind == "invoice" else f"credit/{ref}" if ref else
                           _fingerprint(when, value, ref, text("description"), contact))
    return Entry(kind, rules.source, ident, row.line, when, abs(value), contact, text("email"), ref,
                 due if kind == "invoice" else None, paid if kind == "invoice" else None, paid_date, currency,
                 text("description"), columns)


def _fingerprint(*parts) -> str:
    """A row without an id of its own is known by what it says (identical rows are told apart in `read`)."""
    text = "\x1f".join("" if part is None else str(part) for part in parts)
    return "row-" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def _number_repeated_payments(reading: Reading) -> None:
    """Two identical bank rows are two payments: the second is `row-…#2`, whatever the rows' order."""
    from dataclasses import replace

    counts: dict[str, int] = {}
    for position, entry in enumerate(reading.entries):
        if entry.kind != "payment" or not entry.source_id.startswith("row-"):
            continue
        counts[entry.source_id] = counts.get(entry.source_id, 0) + 1
        if counts[entry.source_id] > 1:
            reading.entries[position] = replace(entry, source_id=f"{entry.source_id}#{counts[entry.source_id]}")
