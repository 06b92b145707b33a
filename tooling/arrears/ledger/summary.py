"""A case's figures without the text of its records: small enough to send between processes and to cache.

`due`, the site's dashboard, due.json/due.csv and the agenda list every case
but show only its totals, state, plan status, promises and contact details.
Workers that parsed a case compute its figures and send back this summary,
never the whole case: pickling 50,000 notes costs more than parsing them.

A summary is a real `CaseFigures` whose case has no notes, plans or story
and whose figures have no items, interest workings, balance history or superseded plans; the
active plan keeps its terms but not its body. Every view that lists cases
must read only what is kept (the site's full and incremental builds are
compared byte for byte in the tests, which would catch one that does not).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from arrears.ledger.compute import compute_case
from arrears.ledger.figures import CaseFigures
from arrears.records.model import Case, Settings, Source


def summarize(figures: CaseFigures) -> CaseFigures:
    """The figures a listing needs, with the records' text and per-event detail left out."""
    case = figures.case
    slim_case = replace(case, notes=(), plans=(), story="", extra=None, source=Source(case.source.path))
    plan = figures.plan
    if plan is not None:
        plan = replace(plan, plan=replace(plan.plan, body="", extra=None, source=Source(plan.plan.source.path)))
    return replace(figures, case=slim_case, items=(), history=(), superseded=(), corrected_by={}, plan=plan,
                   charges=())



def summarize_case(case: Case, settings: Settings, as_of: date) -> CaseFigures:
    """A case's figures as of `as_of`, summarized (in the worker that parsed it)."""
    return summarize(compute_case(case, settings, as_of))
