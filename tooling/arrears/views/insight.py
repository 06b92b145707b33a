"""`arrears insight` output: the section 13 figures as JSON, CSV, or text for people.

Views only format: every figure comes from `ledger.insight`. In JSON and CSV
money is a string with the currency's minor-unit digits, days and percents
strings with 2 places (like money, so no reader turns them into floats), and
a figure with nothing to divide by is null (an empty CSV cell).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from decimal import Decimal
from typing import Any

from arrears import money
from arrears.ledger.insight import OUTCOMES, ROLLING, CurrencyInsight, Days, Insight


def _number(value: Days) -> str | None:
    return None if value is None else value if isinstance(value, str) else f"{value:f}"


def currency_record(figures: CurrencyInsight) -> dict[str, Any]:
    """One currency's object in the JSON; keys are documented in docs/insight.md."""
    currency = figures.currency

    def amount(value: Decimal) -> str:
        return money.plain(value, currency)

    return {
        "ar": amount(figures.ar),
        "current": amount(figures.current),
        "overdue": amount(figures.overdue),
        "dso_count_back": _number(figures.dso_count_back),
        "dso_standard": _number(figures.dso_standard),
        "add": _number(figures.add),
        "cei": _number(figures.cei),
        "promise_kept_rate": {"count": _number(figures.promise_kept_rate[0]),
                              "amount": _number(figures.promise_kept_rate[1])},
        "promises": {status: {"count": count, "amount": amount(total)}
                     for status, (count, total) in figures.promises.items()},
        "plan_outcomes": dict(figures.plan_outcomes),
        "roll_rates": {day.isoformat(): {bucket: _number(rate) for bucket, rate in rates.items()}
                       for day, rates in figures.roll_rates.items()},
        "trends": {t.day.isoformat(): {"ar": amount(t.ar), "overdue": amount(t.overdue),
                                       "dso_count_back": _number(t.dso_count_back), "cei": _number(t.cei)}
                   for t in figures.trends},
        "forecast": [{"week": w.number, "start": w.start.isoformat(), "end": w.end.isoformat(),
                      "scheduled": amount(w.scheduled), "expected": amount(w.expected)} for w in figures.forecast],
    }


def insight_json(insight: Insight) -> str:
    """`{"as_of", "currencies": {code: {...}}}`, indented by two, currencies sorted."""
    document = {"as_of": insight.as_of.isoformat(),
                "currencies": {code: currency_record(f) for code, f in insight.currencies.items()}}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


CSV_COLUMNS = ("currency", "figure", "date", "detail", "value")


def insight_csv(insight: Insight) -> str:
    """One figure a row (a long table that pivots in any spreadsheet): currency, figure, date, detail, value.

    `date` is the day the figure is as of (a month-end for trends and roll
    rates, a week's first day for the forecast); `detail` says which part
    (a bucket, an outcome, the week's number and last day).
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    day = insight.as_of.isoformat()
    for code, figures in insight.currencies.items():
        record = currency_record(figures)
        for name in ("ar", "current", "overdue", "dso_count_back", "dso_standard", "add", "cei"):
            writer.writerow([code, name, day, "", record[name] or ""])
        for how in ("count", "amount"):
            writer.writerow([code, "promise_kept_rate", day, how, record["promise_kept_rate"][how] or ""])
        for status, found in record["promises"].items():
            writer.writerow([code, f"promises_{status}", day, "count", found["count"]])
            writer.writerow([code, f"promises_{status}", day, "amount", found["amount"]])
        for outcome in OUTCOMES:
            writer.writerow([code, "plan_outcomes", day, outcome, record["plan_outcomes"][outcome]])
        for end, rates in record["roll_rates"].items():
            for bucket in ROLLING:
                writer.writerow([code, "roll_rate", end, bucket, rates[bucket] or ""])
        for end, point in record["trends"].items():
            for name, value in point.items():
                writer.writerow([code, f"trend_{name}", end, "", value or ""])
        for week in record["forecast"]:
            for name in ("scheduled", "expected"):
                writer.writerow([code, f"forecast_{name}", week["start"], f"week {week['week']} to {week['end']}",
                                 week[name]])
    return out.getvalue()


def days_text(value: Days) -> str:
    """`41.50 days`, `>365 days`, or `n/a` (nothing issued to compare with)."""
    return "n/a" if value is None else f"{value} days"


def percent_text(value: Decimal | None) -> str:
    return "n/a" if value is None else f"{value} %"


def insight_text(insight: Insight) -> str:
    """The figures for a terminal: the KPIs, then the trend, roll-rate and forecast tables."""
    lines = [f"Insight as of {insight.as_of.isoformat()}"]
    if not insight.currencies:
        return lines[0] + ": no cases.\n"
    for code, f in insight.currencies.items():
        show = lambda value: money.display(value, code)  # noqa: E731 - a local shorthand
        kept, broken = f.promises["kept"], f.promises["broken"]
        outcomes = ", ".join(f"{f.plan_outcomes[o]} {o}" for o in OUTCOMES)
        lines += [
            "",
            f"{code}",
            f"  Receivables (AR)          {show(f.ar)}  ({show(f.current)} not yet due, {show(f.overdue)} overdue)",
            f"  DSO, count-back           {days_text(f.dso_count_back)}",
            f"  DSO, standard (90 days)   {days_text(f.dso_standard)}",
            f"  Average days delinquent   {days_text(f.add)}",
            f"  CEI, {(f.cei_from + timedelta(days=1)).isoformat()} to {insight.as_of.isoformat()}"
            f"  {percent_text(f.cei)}",
            f"  Promises kept (90 days)   {percent_text(f.promise_kept_rate[0])} by count "
            f"({kept[0]} of {kept[0] + broken[0]}), {percent_text(f.promise_kept_rate[1])} by amount",
            f"  Plans ended (12 months)   {outcomes}",
            "",
            "  Month-end   " + "AR".rjust(14) + "Overdue".rjust(14) + "DSO".rjust(10) + "CEI %".rjust(9)
            + "   rolled on, % of: " + " ".join(b.rjust(7) for b in ROLLING),
        ]
        for trend in f.trends:
            rates = f.roll_rates[trend.day]
            lines.append(f"  {trend.day.isoformat()}   {show(trend.ar):>14}{show(trend.overdue):>14}"
                         f"{_cell(trend.dso_count_back):>10}{_cell(trend.cei):>9}"
                         f"{' ' * 20}{' '.join(_cell(rates[b]).rjust(7) for b in ROLLING)}")
        lines += ["", "  Week  From        To            Scheduled      Expected"]
        for week in f.forecast:
            lines.append(f"  {week.number:>4}  {week.start.isoformat()}  {week.end.isoformat()}"
                         f"{show(week.scheduled):>14}{show(week.expected):>14}")
        lines.append(f"  {'13 weeks':28}{show(f.scheduled_within()):>14}{show(f.expected_within()):>14}")
    lines += ["", "Days and percents have 2 places; n/a: nothing to divide by. See docs/insight.md."]
    return "\n".join(lines) + "\n"


def _cell(value: Days) -> str:
    return "n/a" if value is None else str(value)
