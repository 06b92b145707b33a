"""Dates and words for people: the one home of "1 case", "an invoice" and "3 Mar 2026".

hledger's `Data/Dates.hs` is the model: every command, page and draft formats
a date or a count through here, so none of them says "1 cases" or "a invoice".
Pure functions of their arguments: no locale, no clock.
"""

from __future__ import annotations

from datetime import date

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
_IRREGULAR = {"day": "days", "child": "children", "person": "people"}


def plural(word: str, number: int = 2) -> str:
    """`word` for one, its plural otherwise (`case` -> `cases`, `entry` -> `entries`)."""
    if number == 1:
        return word
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if word.endswith("y") and word[-2:-1] not in tuple("aeiou"):
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    return word + "s"


def count(number: int, word: str) -> str:
    """`1 case`, `2 cases`, `0 plans`."""
    return f"{number} {plural(word, number)}"


def article(word: str) -> str:
    """`an invoice`, `a payment`, `an sms`: the indefinite article as it is said."""
    spoken_vowel = word[:1].lower() in "aeio" or word.lower().startswith(("u", "sms", "hour")) and not \
        word.lower().startswith(("us", "uni", "use"))
    return f"{'an' if spoken_vowel else 'a'} {word}"


def long_date(day: date) -> str:
    """`2 March 2026`: unambiguous in every English-speaking country, whatever the locale (drafts, agenda)."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def short_date(day: date) -> str:
    """`2 Mar 2026`: the same, for tables and pages."""
    return f"{day.day} {MONTHS[day.month - 1][:3]} {day.year}"


def day_month(day: date) -> str:
    """`2 Mar`: for dense tables where the year is plain from the as-of date."""
    return f"{day.day} {MONTHS[day.month - 1][:3]}"
