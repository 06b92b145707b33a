"""The Insight page and the dashboard's two insight figures: contexts built from `ledger.insight`.

Nothing is computed here but what to show: every figure comes from the
insight's sums, and is only formatted (money by `money.display`, days and
percents as the ledger rounded them).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from arrears import money
from arrears.ledger.insight import OUTCOMES, ROLLING, CurrencyInsight, Insight
from arrears.site import insight_charts
from arrears.views.insight import days_text, percent_text

DASHBOARD_WEEKS = 4
HEAT = (Decimal(10), Decimal(25), Decimal(50), Decimal(75))  # roll-rate shades start above these percents


def insight_page(insight: Insight) -> dict:
    """The context of insight.html: one section per currency."""
    return {
        "page": "insight",
        "base": "",
        "title": "Insight",
        "as_of": insight.as_of,
        "currencies": [_currency(figures, insight.as_of) for figures in insight.currencies.values()],
        "buckets": ROLLING,
        "outcomes": OUTCOMES,
    }


def dashboard_summary(insight: Insight | None) -> list[dict]:
    """Per currency, DSO and what should arrive in the next 4 weeks (the dashboard's insight cards)."""
    if insight is None:
        return []
    return [{"currency": code, "dso": days_text(f.dso_count_back),
             "expected": money.display(f.expected_within(DASHBOARD_WEEKS), code),
             "scheduled": money.display(f.scheduled_within(DASHBOARD_WEEKS), code),
             "weeks": DASHBOARD_WEEKS} for code, f in insight.currencies.items()]


def heat(rate: Decimal | None) -> str:
    """The roll-rate cell's shade: heat-0 (nothing rolled, or no amount to roll) to heat-4 (over 75 %)."""
    if rate is None:
        return "heat-none"
    return f"heat-{sum(1 for edge in HEAT if rate > edge)}"


def _day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def _month(day: date) -> str:
    return f"{day:%b %Y}"


def _currency(f: CurrencyInsight, as_of: date) -> dict:
    code = f.currency
    show = lambda value: money.display(value, code)  # noqa: E731 - a local shorthand
    labels = [_month(t.day) for t in f.trends]
    slug = code.lower()
    money_chart = insight_charts.line_chart(
        [insight_charts.Series("AR", "series-ar", tuple(t.ar for t in f.trends), tuple(show(t.ar) for t in f.trends)),
         insight_charts.Series("overdue", "series-overdue", tuple(t.overdue for t in f.trends),
                               tuple(show(t.overdue) for t in f.trends))],
        labels, f"AR and overdue in {code} at the last 12 month-ends: now {show(f.ar)} and {show(f.overdue)}",
        f"trend-money-{slug}")
    dso_chart = insight_charts.line_chart(
        [insight_charts.Series("DSO", "series-dso",
                               tuple(None if isinstance(t.dso_count_back, str) else t.dso_count_back for t in f.trends),
                               tuple(days_text(t.dso_count_back) for t in f.trends))],
        labels, f"DSO (count-back) in {code} at the last 12 month-ends: now {days_text(f.dso_count_back)}",
        f"trend-dso-{slug}")
    cei_chart = insight_charts.line_chart(
        [insight_charts.Series("CEI", "series-cei", tuple(t.cei for t in f.trends),
                               tuple(percent_text(t.cei) for t in f.trends))],
        labels, f"Collection effectiveness (CEI) in {code} for each of the last 12 months", f"trend-cei-{slug}")
    week_labels = [f"Week {w.number} ({w.start.day} {w.start:%b})" for w in f.forecast]
    forecast_chart = insight_charts.paired_bars(
        [(w.scheduled, w.expected) for w in f.forecast], week_labels,
        [(show(w.scheduled), show(w.expected)) for w in f.forecast],
        f"Forecast in {code} for 13 weeks: {show(f.scheduled_within())} scheduled, "
        f"{show(f.expected_within())} expected", f"forecast-{slug}")
    kept, broken = f.promises["kept"], f.promises["broken"]
    return {
        "code": code,
        "slug": slug,
        "kpis": [
            ("AR", show(f.ar), f"{show(f.current)} not yet due, {show(f.overdue)} overdue"),
            ("DSO, count-back", days_text(f.dso_count_back), "days of the latest sales still owed"),
            ("DSO, standard", days_text(f.dso_standard), "AR over the last 90 days' sales, × 90"),
            ("ADD", days_text(f.add), "average days delinquent: DSO beyond the part not yet due"),
            ("CEI", percent_text(f.cei), f"collected of what could be, {_day(f.cei_from + timedelta(days=1))} "
                                         f"to {_day(as_of)}"),
        ],
        "money_chart": money_chart,
        "dso_chart": dso_chart,
        "cei_chart": cei_chart,
        "trends": [{"label": _month(t.day), "day": t.day, "ar": show(t.ar), "overdue": show(t.overdue),
                    "dso": days_text(t.dso_count_back), "cei": percent_text(t.cei)} for t in f.trends],
        "rolls": [{"label": _month(day), "day": day,
                   "cells": [(percent_text(rates[b]), heat(rates[b])) for b in ROLLING]}
                  for day, rates in f.roll_rates.items()],
        "forecast_chart": forecast_chart,
        "weeks": [{"number": w.number, "start": w.start, "end": w.end, "scheduled": show(w.scheduled),
                   "expected": show(w.expected)} for w in f.forecast],
        "scheduled_total": show(f.scheduled_within()),
        "expected_total": show(f.expected_within()),
        "promises": {"kept": (kept[0], show(kept[1])), "broken": (broken[0], show(broken[1])),
                     "by_count": percent_text(f.promise_kept_rate[0]),
                     "by_amount": percent_text(f.promise_kept_rate[1])},
        "plans": [(outcome, f.plan_outcomes[outcome]) for outcome in OUTCOMES],
    }
