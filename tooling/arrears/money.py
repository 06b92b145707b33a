"""Money's one home: currencies, minor units, exact parsing, rounding, formatting.

Amounts are `Decimal` from the YAML text onwards and never pass through a
binary float. No other module rounds: they call `split_equal`, `percent_of`
or `to_minor` here, so every figure is exact to the currency's minor unit.
"""

from __future__ import annotations

import functools
import re
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation

ZERO = Decimal(0)

# ISO 4217 active codes and their minor units (most are 2; listed apart are the others).
_THREE = "BHD IQD JOD KWD LYD OMR TND"
_ZERO = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
_FOUR = "CLF UYW"
_TWO = (
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL "
    "BSD BTN BWP BYN BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUC CUP CVE CZK DKK "
    "DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF "
    "IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA "
    "MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB "
    "PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS "
    "SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS "
    "VED VES WST XCD XCG YER ZAR ZMW ZWG ZWL"
)
MINOR_UNITS: dict[str, int] = {
    **{code: 2 for code in _TWO.split()},
    **{code: 3 for code in _THREE.split()},
    **{code: 0 for code in _ZERO.split()},
    **{code: 4 for code in _FOUR.split()},
}

SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$", "JPY": "¥", "AUD": "A$", "CAD": "C$", "CHF": "CHF "}

_AMOUNT_TEXT = re.compile(r"^[0-9]+(?:\.([0-9]+))?$")


class MoneyError(ValueError):
    """A money text that is not a plain positive amount in its currency's minor units.

    `code` is the problem code a caller reports it under.
    """

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def is_currency(code: str) -> bool:
    return code in MINOR_UNITS


def minor_units(currency: str) -> int:
    """Digits after the decimal point; unknown codes fall back to 2 (check reports them)."""
    return MINOR_UNITS.get(currency, 2)


def quantum(currency: str) -> Decimal:
    """One minor unit (0.01 for GBP): asked for every amount shown, so made once per currency."""
    found = _QUANTA.get(currency)
    if found is None:
        found = _QUANTA[currency] = Decimal(1).scaleb(-minor_units(currency))
    return found


_QUANTA: dict[str, Decimal] = {}


def parse_amount(text: str, currency: str) -> Decimal:
    """Read an amount exactly from its text: `1250`, `1250.5`, `1250.50`.

    Raises MoneyError for signs, separators, exponents, zero, or more decimals
    than the currency has minor units.
    """
    text = text.strip()
    match = _AMOUNT_TEXT.match(text)
    if not match:
        raise MoneyError(
            "bad-money",
            f"{text!r} is not an amount: write digits with an optional decimal point, "
            "no sign, currency symbol or thousands separator (e.g. 1250.50)",
        )
    decimals = match.group(1) or ""
    digits = minor_units(currency)
    if len(decimals) > digits:
        raise MoneyError(
            "minor-units",
            f"{text} has {len(decimals)} decimal places but {currency} has {digits}",
        )
    value = Decimal(text)
    if value <= 0:
        raise MoneyError("bad-money", f"{text} is not positive: amounts are always above zero")
    return to_minor(value, currency)


def to_minor(amount: Decimal, currency: str) -> Decimal:
    """Give an exact amount its currency's number of decimal places (no rounding needed)."""
    try:
        return amount.quantize(quantum(currency))
    except InvalidOperation as error:  # pragma: no cover - only for absurd magnitudes
        raise MoneyError("bad-money", f"{amount} is too large") from error


def split_equal(total: Decimal, count: int, currency: str) -> list[Decimal]:
    """`count` equal parts rounded down to minor units; the last takes the remainder."""
    if count < 1:
        raise ValueError("count must be at least 1")
    part = (total / count).quantize(quantum(currency), rounding=ROUND_DOWN)
    parts = [part] * (count - 1)
    parts.append(to_minor(total - part * (count - 1), currency))
    return parts


def split_by_size(total: Decimal, size: Decimal, currency: str) -> list[Decimal]:
    """Parts of `size` until `total` is covered; the last may be smaller."""
    if size <= 0:
        raise ValueError("size must be positive")
    full, rest = divmod(total, size)
    parts = [to_minor(size, currency)] * int(full)
    if rest:
        parts.append(to_minor(rest, currency))
    return parts


def percent_of(amount: Decimal, percent: Decimal, currency: str) -> Decimal:
    """`percent` % of `amount`, rounded half up to minor units."""
    return (amount * percent / 100).quantize(quantum(currency), rounding=ROUND_HALF_UP)


def round_half_up(amount: Decimal, currency: str) -> Decimal:
    """An exact amount (interest to the day) rounded half up to minor units: the one rounding of an interest item."""
    return amount.quantize(quantum(currency), rounding=ROUND_HALF_UP)


def plain(amount: Decimal, currency: str) -> str:
    """The machine form used in JSON and CSV: `1250.00` (minor-unit digits, no symbol)."""
    return f"{to_minor(amount, currency):f}"


@functools.lru_cache(maxsize=1 << 16)
def display(amount: Decimal, currency: str) -> str:
    """The human form: `£1,250.00`, `-€12.50`, `¥15,000`, `1,000.000 KWD`.

    Remembered: a case page shows about a hundred amounts, many of them the same few (equal
    amounts print alike, whatever their exponent), and formatting one is ten times a lookup.
    """
    value = to_minor(amount, currency)
    sign = "-" if value < 0 else ""
    digits = minor_units(currency)
    body = f"{abs(value):,.{digits}f}"
    symbol = SYMBOLS.get(currency)
    if symbol:
        return f"{sign}{symbol}{body}"
    return f"{sign}{body} {currency}"


_HUNDREDTH = Decimal("0.01")


def round_money(amount: Decimal, currency: str) -> Decimal:
    """An exact amount (a product or a share) rounded half up to the currency's minor units."""
    return amount.quantize(quantum(currency), rounding=ROUND_HALF_UP)


def two_places(value: Decimal) -> Decimal:
    """Days and percents as the insight figures give them: 2 decimal places, half up (41.505 -> 41.51)."""
    return Decimal(value).quantize(_HUNDREDTH, rounding=ROUND_HALF_UP)


def to_minor_int(amount: Decimal, currency: str) -> int:
    """An amount as a whole number of minor units (1250.50 GBP -> 125050): compact to store and add.

    Raises ValueError for an amount finer than the currency's minor unit (it would lose money).
    """
    scaled = amount.scaleb(minor_units(currency))
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{amount} has more decimal places than {currency}'s minor unit")
    return int(scaled)


def from_minor_int(units: int, currency: str) -> Decimal:
    """The amount `units` minor units make, with the currency's decimal places (125050 GBP -> 1250.50)."""
    return to_minor(Decimal(units).scaleb(-minor_units(currency)), currency)
