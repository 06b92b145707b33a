"""Reads `arrears.toml`: the organisation's name, defaults and contact rules.

tomllib gives no positions, so keys are located in the text afterwards to
point problems at the right line. A missing file means the defaults.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from arrears import money
from arrears.records.parse import _did_you_mean
from arrears.problems import Problem
from arrears.records.model import ContactRules, Sender, Settings, Source
from arrears.records.root import SETTINGS_PATH
from arrears.records.yamlsafe import Pos

PATH = SETTINGS_PATH
SCHEMA: dict[str, dict[str, type] | type] = {
    "name": str,
    "as_of": date,  # a TOML date (as_of = 2026-06-30) or the same in quotes
    "currency": str,
    "timezone": str,
    "plans": {"grace_days": int, "broken_after": int},
    "sender": {"address": str, "phone": str, "email": str},  # who printed letters come from
    "contact": {"calls_per_7_days": int, "wait_after_conversation_days": int, "hours": str, "quiet_days": int},
    "payment": {"instructions": str},
    "audit": {"backdate_days": int},
    "interest": {"rates": dict},  # [interest.rates.bank_of_england], [interest.rates.ecb]: read by _rates
}
_MAX_WHOLE = 3650  # days (ten years) or counts; more is a typo, and date arithmetic would overflow
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)
_RATE = re.compile(r"^[0-9]{1,2}(?:\.[0-9]{1,4})?$", re.ASCII)
_HOURS = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")
_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")


def parse_settings(data: bytes | None) -> tuple[Settings, list[Problem]]:
    """Settings from the file's bytes (None: no file, all defaults), and any problems."""
    if data is None:
        return Settings(), []
    problems: list[Problem] = []
    try:
        text = data.decode("utf-8-sig")
        table = tomllib.loads(text)
    except UnicodeDecodeError:
        return Settings(), [Problem(PATH, 1, 1, "error", "not-utf8", "arrears.toml is not UTF-8 text")]
    except tomllib.TOMLDecodeError as error:
        found = _TOML_POSITION.search(str(error))
        line, column = (int(found.group(1)), int(found.group(2))) if found else (1, 1)
        message = _TOML_POSITION.sub("", str(error)).strip()
        return Settings(), [Problem(PATH, line, column, "error", "toml-syntax", f"TOML syntax: {message}")]
    except RecursionError:  # tomllib recurses once per level of [ or {
        return Settings(), [Problem(PATH, _deepest(text), 1, "error", "toml-too-deep",
                                    "arrears.toml nests arrays or tables too deeply to read: settings are flat "
                                    "tables of names and values (see docs/records.md)")]

    def report(section: str | None, key: str, code: str, message: str) -> None:
        pos = _locate(text, section, key)
        problems.append(Problem(PATH, pos.line, pos.column, "error", code, message))

    values: dict[str, object] = {}
    rates: tuple = ()
    for key, value in table.items():
        expected = SCHEMA.get(key)
        if key == "interest":
            rates = _rates(value, report)
        elif expected is None:
            report(None, key, "unknown-key", f"unknown setting {key!r}{_did_you_mean(key, SCHEMA)}")
        elif isinstance(expected, dict):
            if not isinstance(value, dict):
                report(None, key, "bad-type", f"{key} must be a [{key}] table")
                continue
            for inner, inner_value in value.items():
                inner_type = expected.get(inner)
                if inner_type is None:
                    hint = (f" ({inner} is a top-level setting: move it above the first [table])"
                            if inner in SCHEMA and not isinstance(SCHEMA[inner], dict) else _did_you_mean(inner, expected))
                    report(key, inner, "unknown-key", f"unknown setting {inner!r} in [{key}]{hint}")
                elif not _is_type(inner_value, inner_type):
                    report(key, inner, "bad-type", f"[{key}] {inner} must be {_type_word(inner_type)}")
                else:
                    values[f"{key}.{inner}"] = inner_value
        elif key == "as_of":
            pinned = _pinned_day(value)
            if pinned is None:
                report(None, key, "bad-value", "as_of must be a date such as 2026-06-30 (or leave it out for today)")
            else:
                values[key] = pinned
        elif not _is_type(value, expected):
            report(None, key, "bad-type", f"{key} must be {_type_word(expected)}")
        else:
            values[key] = value

    currency = values.get("currency", "GBP")
    if not money.is_currency(str(currency)):
        report(None, "currency", "bad-currency", f"currency {currency!r} is not an ISO 4217 code")
        currency = "GBP"
    timezone = str(values.get("timezone", "UTC"))
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        report(None, "timezone", "bad-timezone", f"timezone {timezone!r} is not an IANA zone such as Europe/London")
        timezone = "UTC"
    hours = ContactRules().hours
    if "contact.hours" in values:
        parsed = _hours(str(values["contact.hours"]))
        if parsed is None:
            report("contact", "hours", "bad-value", "hours must look like 08:00-21:00 (start before end)")
        else:
            hours = parsed
    defaults = Settings()
    default_rules = defaults.contact  # an instance: slotted class attributes are descriptors, not defaults
    rules = ContactRules(
        calls_per_7_days=values.get("contact.calls_per_7_days", default_rules.calls_per_7_days),  # type: ignore[arg-type]
        wait_after_conversation_days=values.get("contact.wait_after_conversation_days",
                                                default_rules.wait_after_conversation_days),  # type: ignore[arg-type]
        hours=hours,
        quiet_days=values.get("contact.quiet_days", default_rules.quiet_days),  # type: ignore[arg-type]
    )
    settings = Settings(
        name=str(values.get("name", defaults.name)),
        currency=str(currency),
        timezone=timezone,
        grace_days=values.get("plans.grace_days", defaults.grace_days),  # type: ignore[arg-type]
        broken_after=values.get("plans.broken_after", defaults.broken_after),  # type: ignore[arg-type]
        contact=rules,
        sender=Sender(address=values.get("sender.address"), phone=values.get("sender.phone"),  # type: ignore[arg-type]
                      email=values.get("sender.email")),  # type: ignore[arg-type]
        payment_instructions=values.get("payment.instructions"),  # type: ignore[arg-type]
        backdate_days=values.get("audit.backdate_days", defaults.backdate_days),  # type: ignore[arg-type]
        source=Source(PATH),
        rates=rates,
        as_of=values.get("as_of"),  # type: ignore[arg-type]
    )
    return settings, problems


def _pinned_day(value: object) -> date | None:
    """`as_of`: a TOML date, or "YYYY-MM-DD" (a date and time, or anything else, is refused)."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _DAY.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _rates(value: object, report) -> tuple:
    """`[interest.rates.<table>]` rows: `"YYYY-MM-DD" = "RATE"`, read exactly (a TOML float is refused)."""
    from arrears.ledger.rates import TABLES  # the ledger owns the table names; imported late to keep load light

    if not isinstance(value, dict) or set(value) - {"rates"} or not isinstance(value.get("rates", {}), dict):
        extra = sorted(set(value) - {"rates"}) if isinstance(value, dict) else []
        report(None if not extra else "interest", extra[0] if extra else "interest", "unknown-key",
               "[interest] holds only [interest.rates.bank_of_england] and [interest.rates.ecb]")
        return ()
    found = []
    for name, rows in value.get("rates", {}).items():
        section = f"interest.rates.{name}"
        if name not in TABLES:
            report(None, section, "unknown-key",
                   f"unknown rate table {name!r}: use {' or '.join(TABLES)}{_did_you_mean(name, TABLES)}")
            continue
        if not isinstance(rows, dict):
            report(None, section, "bad-type", f"[{section}] must be a table of \"YYYY-MM-DD\" = \"RATE\" rows")
            continue
        parsed = []
        for day_text, rate in rows.items():
            try:
                day = date.fromisoformat(day_text) if _DAY.match(day_text) else None
            except ValueError:
                day = None
            if day is None:
                report(section, day_text, "bad-date", f"[{section}] {day_text!r} is not a date: write \"YYYY-MM-DD\"")
                continue
            text = str(rate) if isinstance(rate, (str, int)) and not isinstance(rate, bool) else None
            if text is None or not _RATE.match(text.strip()):
                report(section, day_text, "bad-number",
                       f"[{section}] {day_text}: write the rate as a quoted percentage, e.g. \"3.75\"")
                continue
            parsed.append((day, Decimal(text.strip())))
        found.append((name, tuple(sorted(parsed))))
    return tuple(sorted(found))


def _hours(text: str) -> tuple[time, time] | None:
    match = _HOURS.match(text.strip())
    if not match:
        return None
    try:
        start = time(int(match.group(1)), int(match.group(2)))
        end = time(int(match.group(3)), int(match.group(4))) if match.group(3) != "24" else time(23, 59, 59)
    except ValueError:
        return None
    return (start, end) if start < end else None


def _is_type(value: object, expected: type) -> bool:
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= _MAX_WHOLE
    return isinstance(value, expected)


def _type_word(expected: type) -> str:
    return f"a whole number from 0 to {_MAX_WHOLE}" if expected is int else "text in quotes"


def _locate(text: str, section: str | None, key: str) -> Pos:
    """Line and column of `key` (inside `[section]` when given) in the TOML text."""
    lines = text.splitlines()
    current: str | None = None
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        header = re.match(r"^\[+([^\]]+)\]", stripped)
        if header:
            current = header.group(1).strip()
            if section is None and current == key:
                return Pos(number, line.index("[") + 1)
            continue
        match = re.match(rf"^(\s*)({re.escape(key)}|\"{re.escape(key)}\")\s*=", line)
        if match and current == section:
            return Pos(number, len(match.group(1)) + 1)
        if section is not None and current is None:
            # `contact.hours = ...` (a dotted key) or `contact = {hours = ...}` (an inline table)
            dotted = re.match(rf"^(\s*){re.escape(section)}\s*\.\s*{re.escape(key)}\s*=", line)
            if dotted:
                return Pos(number, len(dotted.group(1)) + 1)
            if re.match(rf"^\s*{re.escape(section)}\s*=\s*\{{", line):
                inline = re.search(rf"[{{,]\s*({re.escape(key)})\s*=", line)
                if inline:
                    return Pos(number, inline.start(1) + 1)
    return Pos(1, 1)


def _deepest(text: str) -> int:
    """The line on which brackets first nest past a depth no setting needs (where to look)."""
    depth = 0
    for number, line in enumerate(text.splitlines() or [""], start=1):
        for character in line:
            depth += character in "[{"
            depth -= character in "]}"
            if depth > 50:
                return number
    return 1
