"""The one pipeline every command runs: files -> load -> check -> compute.

beancount's `loader` is the model: commands call this module and never string
the steps together themselves, so one rule decides which problems stop what:

- a problem outside every case folder that is an error (an unreadable
  arrears.toml, a `cases` that cannot be listed) stops everything;
- a case with an error, from loading or from any of `check`'s rules, is
  *excluded*: it is reported with its problems and never computed, drafted or
  published;
- every other case is computed as usual.

Commands show the rest, list the excluded cases with `path:line:col`, and
exit 1, so CI still fails (see `cli.app.finish`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from functools import partial
from pathlib import Path
from typing import Callable, Iterable, TypeVar

from arrears.ledger.compute import collect
from arrears.ledger.figures import PortfolioFigures
from arrears.ledger.summary import CaseSummary, summarize_case
from arrears.problems import Problem, Verdict, case_of, verdict  # noqa: F401  (Verdict, case_of, verdict: re-exported)
from arrears.records.load import map_cases, open_root
from arrears.records.model import Case, Portfolio, Settings
from arrears.rules.check import check, check_case
from arrears.workers import parts, worker_count, worker_pool  # noqa: F401  (re-exported)

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Checked:
    """A loaded and checked portfolio: `portfolio` holds only the cases `check` accepts."""

    portfolio: Portfolio
    verdict: Verdict
    loaded: frozenset[str]  # every case that parsed, accepted or not


def checked(portfolio: Portfolio, as_of: date) -> Checked:
    """Run `check` over a loaded portfolio and keep the cases it accepts."""
    found = verdict(check(portfolio, as_of))
    kept = tuple(case for case in portfolio.cases if found.accepts(case.id))
    return Checked(replace(portfolio, cases=kept, problems=found.problems), found,
                   frozenset(case.id for case in portfolio.cases))


def load_checked(root: Path, as_of: date | None = None, at: str | None = None) -> Checked:
    """The records at `root` (as committed at `at`, with one), loaded and checked as of `as_of`.

    Without `as_of`, today in the records' own time zone.
    """
    if at is None:
        from arrears.records.load import load

        portfolio = load(root)
    else:
        from arrears.records.gittree import load_at

        portfolio = load_at(root, at)
    if as_of is None:
        from arrears import clock

        as_of = clock.today(portfolio.settings)
    return checked(portfolio, as_of)


@dataclass(frozen=True, slots=True)
class Summaries:
    """What `due` and the listings need of every accepted case, and the verdict on the rest."""

    settings: Settings
    figures: PortfolioFigures
    verdict: Verdict
    cases: int  # case folders that parsed
    notes: int
    plans: int


def summaries(root: Path, as_of: date, workers: int | None = None, compute: bool = True) -> Summaries:
    """Load, check and (with `compute`) summarize every case, each worker on the cases it parsed.

    Only the small results travel back from the workers (see `ledger.summary`):
    that is what makes `check` and `due` fast on 50,000 notes.
    """
    settings, results, problems = map_each_case(root, partial(_worked, as_of=as_of, compute=compute), workers)
    computed = []
    notes = plans = 0
    for _, (case_problems, summary, note_count, plan_count) in results:
        problems += case_problems
        notes += note_count
        plans += plan_count
        if summary is not None:
            computed.append(summary)
    found = verdict(problems)
    accepted = [summary for summary in computed if found.accepts(summary.case.id)]
    return Summaries(settings, collect(as_of, accepted), found, len(results), notes, plans)


def map_each_case(root: Path, function: Callable[[Case, Settings], T], workers: int | None = None
                  ) -> tuple[Settings, list[tuple[str, T]], list[Problem]]:
    """Load every case and apply `function(case, settings)` to it, on every core for large portfolios.

    Case folders are independent, so a large portfolio is read, parsed and
    mapped in one worker process per core; only `function`'s results travel
    back. Results come sorted by case id, the same whether one process or
    several did the work.
    """
    real_root = root.resolve()
    settings, folders, problems = open_root(root)
    count = worker_count(len(folders), workers)
    if count > 1:
        chunks = parts(folders, count)
        with worker_pool(count) as pool:
            outcomes = list(pool.map(map_cases, [real_root] * len(chunks), chunks, [settings] * len(chunks),
                                     [function] * len(chunks)))
    else:
        outcomes = [map_cases(real_root, folders, settings, function)]
    results: list[tuple[str, T]] = []
    for found, found_problems in outcomes:
        results += found
        problems += found_problems
    results.sort(key=lambda pair: pair[0])
    return settings, results, problems


def map_accepted(root: Path, as_of: date, function: Callable[[Case, Settings], T], workers: int | None = None
                 ) -> tuple[Settings, list[T], Verdict]:
    """`function(case, settings)` for every case `check` accepts, in the worker that parsed it.

    The same rule as `summaries`, for commands that need something else of each
    case (`insight`'s contributions): a case with an error is never handed to
    `function`; its problems are in the verdict.
    """
    settings, results, problems = map_each_case(root, partial(_accepted, as_of=as_of, function=function), workers)
    found = []
    for _, (case_problems, result) in results:
        problems += case_problems
        if result is not None:
            found.append(result)
    return settings, found, verdict(problems)


def _rejected(case: Case, problems: Iterable[Problem]) -> bool:
    """The rule, inside a worker: a record that did not parse, or any error `check` found."""
    return bool(case.unreadable) or any(p.is_error for p in problems)


def _accepted(case: Case, settings: Settings, as_of: date, function: Callable[[Case, Settings], T]
              ) -> tuple[list[Problem], T | None]:
    problems = check_case(case, settings, as_of)
    if _rejected(case, problems):
        return problems, None
    return problems, function(case, settings)


def _worked(case: Case, settings: Settings, as_of: date, compute: bool
            ) -> tuple[list[Problem], CaseSummary | None, int, int]:
    """In a worker: check one case and, when it has no error, summarize its figures."""
    problems = check_case(case, settings, as_of)
    summary = None
    if compute and not _rejected(case, problems):
        summary = summarize_case(case, settings, as_of)
    return problems, summary, len(case.notes), len(case.plans)
