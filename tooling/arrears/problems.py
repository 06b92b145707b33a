"""Problems as data: what is wrong, where, and how bad.

The core never raises at bad records; it returns `Problem` values that carry
their source position, so one run can show every problem at once and any
formatter (terminal, JSON, GitHub annotations) can print them.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Iterable, Literal

from arrears import words

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True, order=True)
class Problem:
    path: str  # relative to the records root, with forward slashes
    line: int
    column: int
    severity: Severity
    code: str
    message: str

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Stable order for output: by file, then position, then code."""
    return sorted(set(problems), key=lambda p: (p.path, p.line, p.column, p.code, p.message))


def has_errors(problems: Iterable[Problem], strict: bool = False) -> bool:
    return any(p.is_error or strict for p in problems)


def format_text(problems: Iterable[Problem]) -> str:
    """`path:line:col: severity: message [code]`, one per line: editors jump there."""
    return "".join(f"{p.path}:{p.line}:{p.column}: {p.severity}: {p.message} [{p.code}]\n" for p in problems)


def format_json(problems: Iterable[Problem]) -> str:
    return json.dumps([asdict(p) for p in problems], indent=2, ensure_ascii=False) + "\n"


def format_github(problems: Iterable[Problem]) -> str:
    """GitHub Actions workflow commands, so problems show inline on a pull request."""

    def escape(value: str) -> str:
        return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")

    def escape_property(value: str) -> str:
        return escape(value).replace(":", "%3A").replace(",", "%2C")

    return "".join(
        f"::{p.severity} file={escape_property(p.path)},line={p.line},col={p.column},"
        f"title={escape_property(p.code)}::{escape(p.message)}\n"
        for p in problems
    )


FORMATTERS = {"text": format_text, "json": format_json, "github": format_github}


def summary(problems: list[Problem]) -> str:
    errors = sum(1 for p in problems if p.is_error)
    warnings = len(problems) - errors
    return f"{words.count(errors, 'error')}, {words.count(warnings, 'warning')}"
