"""`arrears import` as a Python API: read the source, index the records, plan, and write unless asked not to.

    outcome = import_file(root, Path("invoices.csv"), "xero", today=date(2026, 4, 1))

The steps stay separate so each is testable alone: `read_source` (CSV ->
entries), `index.load_index` (records -> indexes), `plan.plan_import` (pure)
and `write.write_plan` (the only step that writes).
"""

from __future__ import annotations

import os
from functools import partial
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable

from arrears.imports import freeagent, quickbooks, rules, xero
from arrears.imports.entries import Reading
from arrears.imports.index import load_index
from arrears.imports.plan import ImportPlan, Options, plan_import
from arrears.imports.table import TableError
from arrears.imports.values import check_date_format
from arrears.imports.write import write_plan
from arrears.problems import Problem, sort_problems

PROFILES = {"xero": xero.read, "quickbooks": quickbooks.read, "freeagent": freeagent.read}


class ProfileError(ValueError):
    """--from names no profile, or its rules file cannot be read: a usage error."""


@dataclass
class Outcome:
    reading: Reading
    plan: ImportPlan
    problems: list[Problem] = field(default_factory=list)  # errors: nothing was written
    written: list[Path] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


def read_source(profile: str, path: str, data: bytes, currency: str,
                progress: Callable[[int], None] | None = None, date_format: str | None = None) -> Reading:
    """The CSV's entries under a profile: xero, quickbooks, freeagent or rules:FILE.rules.

    `date_format` (strftime codes) replaces the profile's own date formats, or the rules file's.
    """
    if date_format is not None and check_date_format(date_format):
        raise ProfileError(f"--{check_date_format(date_format)}")
    if profile.startswith("rules:"):
        rules_path = profile[len("rules:"):]
        try:
            text = Path(rules_path).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            reason = getattr(error, "strerror", None) or error
            raise ProfileError(f"cannot read the rules file {rules_path}: {reason}") from None
        parsed, problems = rules.parse_rules(rules_path, text, Path(rules_path).stem)
        if date_format:
            parsed.date_formats = (date_format,)
        if problems:
            reading = Reading(path)
            reading.problems += problems
            return reading
        reader = lambda *args, **kw: rules.read(*args, rules=parsed, **kw)  # noqa: E731
    elif profile in PROFILES:
        reader = partial(PROFILES[profile], date_formats=(date_format,) if date_format else None)
    else:
        raise ProfileError(f"--from {profile!r}: choose xero, quickbooks, freeagent or rules:FILE.rules")
    try:
        return reader(path, data, currency, progress=progress)
    except TableError as error:
        reading = Reading(path)
        reading.problems.append(error.problem)
        return reading


def import_file(root: Path, csv_path: Path, profile: str, today: date, create_cases: bool = False,
                dry_run: bool = False, progress: Callable[[str, int, int], None] | None = None,
                shown_path: str | None = None, now: date | None = None, date_format: str | None = None) -> Outcome:
    """Import one export into the records at `root`: all or nothing, never an edit.

    `today` is --date; `now` is the calendar's today (default: `today`): what is
    dated after it has not happened yet, and is skipped until it has.

    `progress(stage, done, total)` is told how far reading and writing have
    come. Problems in the records themselves stop the import too: an index
    built from half-read records could write a duplicate.
    """
    shown = shown_path or str(csv_path)
    data = csv_path.read_bytes()
    total_lines = data.count(b"\n") + 1
    reading = read_source(profile, shown, data, _settings_currency(root),
                          (lambda line: progress("reading", line, total_lines)) if progress else None, date_format)
    settings, indexes, record_problems = load_index(root)
    errors = [p for p in record_problems if p.is_error]
    if errors:
        return Outcome(reading, ImportPlan(), sort_problems(errors), dry_run=dry_run)
    if reading.problems:
        return Outcome(reading, ImportPlan(), sort_problems(reading.problems), dry_run=dry_run)
    options = Options(shown, os.path.basename(shown), today, settings.currency, create_cases,
                      not_after=max(now or today, today))
    plan = plan_import(reading.entries, indexes, options)
    plan.skipped = sorted(reading.skipped + plan.skipped, key=lambda skip: skip.line)
    plan.notices = sorted(reading.notices + plan.notices)
    if plan.problems:
        return Outcome(reading, plan, sort_problems(plan.problems), dry_run=dry_run)
    if dry_run:
        return Outcome(reading, plan, dry_run=True)
    count = len(plan.cases) + len(plan.notes)
    written = write_plan(root, plan, (lambda done: progress("writing", done, count)) if progress else None)
    return Outcome(reading, plan, written=written)


def _settings_currency(root: Path) -> str:
    from arrears.records.load import load_settings

    return load_settings(root).currency
