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


def case_of(problem: Problem) -> str | None:
    """The case folder a problem is in (`cases/<id>` or below), None for a repository-wide one."""
    parts = problem.path.split("/")
    return parts[1] if len(parts) >= 2 and parts[0] == "cases" and parts[1] else None


@dataclass(frozen=True, slots=True)
class Verdict:
    """Every problem found, sorted, and what they stop."""

    problems: tuple[Problem, ...]

    @property
    def fatal(self) -> tuple[Problem, ...]:
        """Errors outside every case folder: nothing can be computed."""
        return tuple(p for p in self.problems if p.is_error and case_of(p) is None)

    @property
    def excluded(self) -> dict[str, tuple[Problem, ...]]:
        """Case id -> the problems of a case with at least one error (in case id order)."""
        failing = {case_of(p) for p in self.problems if p.is_error} - {None}
        found: dict[str, list[Problem]] = {}
        for problem in self.problems:
            if case_of(problem) in failing:
                found.setdefault(case_of(problem), []).append(problem)  # type: ignore[arg-type]
        return {case_id: tuple(found[case_id]) for case_id in sorted(found)}

    def accepts(self, case_id: str) -> bool:
        return not any(p.is_error and case_of(p) == case_id for p in self.problems)


def verdict(problems: Iterable[Problem]) -> Verdict:
    return Verdict(tuple(sort_problems(problems)))


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
