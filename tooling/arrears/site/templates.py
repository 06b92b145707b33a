"""The Jinja environment for the site: the records repository's templates first, then ours.

A repository overrides any one file (a partial, the stylesheet) by putting a
file with the same name under its own `templates/`; everything else keeps
coming from the package's defaults. Autoescaping is always on and a missing
variable is an error, so a template typo fails the build instead of printing
an empty cell.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from jinja2 import Environment, FileSystemBytecodeCache, FileSystemLoader, StrictUndefined, select_autoescape

from arrears import money, words
from arrears.site.template_paths import DEFAULTS, search_path  # noqa: F401  (re-exported)

def environment(root: Path | None, compiled: Path | None = None) -> Environment:
    """A Jinja environment with the override lookup, autoescape, StrictUndefined and our filters.

    `compiled`: a folder where compiled templates are kept between runs (see `compiled_cache`).
    """
    env = Environment(
        loader=FileSystemLoader([str(p) for p in search_path(root)], encoding="utf-8"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # one environment per build: no need to stat a template at every {% include %}
        bytecode_cache=compiled_cache(compiled),
    )
    env.filters.update(money=money_filter, plain=money.plain, day=day, short_day=short_day,
                       near_day=near_day, clock=clock, label=label)
    return env


def compiled_cache(folder: Path | None) -> FileSystemBytecodeCache | None:
    """Jinja's own cache of compiled templates, checked against each template's source.

    Compiling the forty-odd templates of a case page costs a tenth of a second,
    which a build that rewrites one page would otherwise pay in every run.
    """
    if folder is None:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    return FileSystemBytecodeCache(str(folder), "%s.cache")


def money_filter(amount: Decimal | None, currency: str) -> str:
    """`{{ amount|money(currency) }}`: the human form, or an en dash for nothing."""
    return "–" if amount is None else money.display(amount, currency)


def day(value: date | datetime | None) -> str:
    """`3 Mar 2026`: unambiguous in every locale, no leading zero."""
    return "–" if value is None else words.short_date(value)


def short_day(value: date | None) -> str:
    """`3 Mar`: for dense tables where the year is obvious from the as-of date."""
    return "–" if value is None else words.day_month(value)


_ACRONYMS = {"sms": "SMS"}


def near_day(value: date | None, as_of: date) -> str:
    """`10 Dec` within the as-of year, `15 Jan 2027` outside it: compact table cells, never ambiguous."""
    if value is None:
        return "–"
    return short_day(value) if value.year == as_of.year else day(value)


def clock(value) -> str:
    return "" if value is None else f"{value:%H:%M}"


def label(value: str | None) -> str:
    """`plan-behind` -> `Plan behind`: codes from the records, said in words."""
    if not value:
        return ""
    if value in _ACRONYMS:
        return _ACRONYMS[value]
    words = str(value).replace("-", " ").replace("_", " ")
    return words[:1].upper() + words[1:]
