"""Dates, amounts and names as accounting exports write them, read exactly.

Exports write `1,234.56`, `£860.50`, `-200.00` or `(200.00)` and dates as
`15/03/2026`, `03/15/2026` or `2026-03-15`; the records take plain positive
amounts and ISO dates. These readers are strict (`1.005` in GBP is an error,
not a rounding) and raise `ValueError` with a message a user can act on.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation

from arrears import money

_SYMBOLS = {"£": "GBP", "€": "EUR", "$": "USD", "¥": "JPY"}
_AMOUNT = re.compile(r"^(?P<neg>-)?(?P<digits>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<decimals>\d+))?(?P<trail>-)?$")
_FORMAT_PARTS = {"%d": r"(?P<d>\d{1,2})", "%m": r"(?P<m>\d{1,2})", "%Y": r"(?P<Y>\d{4})", "%y": r"(?P<y>\d{2})",
                 "%b": r"(?P<b>[A-Za-z]{3})", "%B": r"(?P<B>[A-Za-z]+)", "%%": "%"}
_MONTHS = {name: number for number, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}
_compiled: dict[str, re.Pattern] = {}


def read_amount(text: str, currency: str, decimal_mark: str = ".") -> Decimal:
    """A signed amount: `1,234.56`, `£860.50`, `-200`, `(200.00)`, `GBP 12.50`; exact to minor units.

    With `decimal_mark=","` the roles swap, as continental exports write: `1.234,56`.
    """
    value = text.strip()
    if decimal_mark == ",":
        if re.search(r",\d*[.,]", value) or re.search(r"\.(?!\d{3}(?:\D|$))", value):
            raise ValueError(f"{text.strip()!r} is not an amount written with a decimal comma (e.g. 1.234,56)")
        value = value.replace(".", "\x00").replace(",", ".").replace("\x00", ",")
    negative = False
    if value.startswith("(") and value.endswith(")"):
        negative, value = True, value[1:-1].strip()
    if value.startswith("-"):
        negative, value = not negative, value[1:].strip()
    for symbol, code in _SYMBOLS.items():
        if value.startswith(symbol):
            if code != currency and not (symbol == "$" and currency.endswith("D")):
                raise ValueError(f"{text.strip()!r} is in {code} but this import is in {currency}")
            value = value[len(symbol):].strip()
            break
    if value[:3].upper() == currency and value[3:4] in (" ", ""):
        value = value[3:].strip()
    if value.endswith(currency) and value[:-3].endswith(" "):
        value = value[:-3].strip()
    match = _AMOUNT.match(value)
    if not match:
        raise ValueError(f"{text.strip()!r} is not an amount (e.g. 1234.56, 1,234.56, £860.50 or -200.00)")
    if match["trail"]:
        negative = not negative
    decimals = match["decimals"] or ""
    if len(decimals) > money.minor_units(currency):
        raise ValueError(f"{text.strip()!r} has {len(decimals)} decimal places but {currency} has "
                         f"{money.minor_units(currency)}")
    try:
        amount = Decimal(match["digits"].replace(",", "") + ("." + decimals if decimals else ""))
    except InvalidOperation:  # pragma: no cover - the pattern admits only digits
        raise ValueError(f"{text.strip()!r} is not an amount") from None
    amount = money.to_minor(amount, currency)
    return -amount if negative else amount


def read_date(text: str, formats: tuple[str, ...]) -> date:
    """A date in the first of `formats` (strftime codes %d %m %Y %y %b %B) that reads it."""
    value = text.strip()
    for form in formats:
        pattern = _compiled.get(form) or _compile(form)
        match = pattern.match(value)
        if not match:
            continue
        parts = match.groupdict()
        year = int(parts["Y"]) if parts.get("Y") else 2000 + int(parts["y"])
        month_name = (parts.get("b") or parts.get("B") or "")[:3].lower()
        month = _MONTHS.get(month_name) if month_name else int(parts["m"])
        try:
            if month is None:
                raise ValueError
            day = date(year, month, int(parts["d"]))
        except ValueError:
            raise ValueError(f"{value!r} is not a real calendar date") from None
        if not 1900 <= day.year < 2200:
            raise ValueError(f"{value!r} is outside the years 1900-2199: a typo?")
        return day
    shown = " or ".join(_human(form) for form in formats)
    raise ValueError(f"{value!r} is not a date written {shown}")


def check_date_format(form: str) -> str | None:
    """Why a date-format cannot be used, or None when it can."""
    rest = re.sub(r"%[dmYybB%]", "", form)
    if "%" in rest:
        return f"date-format {form!r} uses a code other than %d %m %Y %y %b %B"
    if "%d" not in form or not ({"%m", "%b", "%B"} & set(re.findall(r"%[a-zA-Z]", form))) or \
            not ({"%Y", "%y"} & set(re.findall(r"%[a-zA-Z]", form))):
        return f"date-format {form!r} needs a day (%d), a month (%m or %b) and a year (%Y or %y)"
    return None


def _compile(form: str) -> re.Pattern:
    pieces = re.split(r"(%.)", form)
    pattern = "".join(_FORMAT_PARTS.get(piece, re.escape(piece)) for piece in pieces)
    _compiled[form] = re.compile(f"^{pattern}$")
    return _compiled[form]


def _human(form: str) -> str:
    return (form.replace("%d", "DD").replace("%m", "MM").replace("%Y", "YYYY").replace("%y", "YY")
            .replace("%b", "Mon").replace("%B", "Month"))


def name_key(name: str) -> str:
    """How names are compared: case, accents, punctuation and spacing aside ("ACME Bakery Ltd." = "Acme bakery ltd")."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    return " ".join(re.sub(r"[^a-z0-9&@]+", " ", folded).split())


def slug(name: str) -> str:
    """A case id from a debtor's name: lower-case letters, digits and dashes, at most 63 characters."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"[^a-z0-9]+", "-", folded.replace("&", " and ")).strip("-")
    if len(text) > 56:  # room for a -N suffix
        text = text[:56].rsplit("-", 1)[0] if "-" in text[:56] else text[:56]
    return text.strip("-") or "debtor"


def file_safe(text: str) -> str:
    """A piece of a note's file name from an invoice number: `INV/2026 #7` -> `INV-2026-7`."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode())
    safe = re.sub(r"-{2,}", "-", safe).strip("-.")
    return safe[:60] or "x"
