"""due.json and due.csv beside the dashboard: the figures of `arrears due` for spreadsheets and scripts.

The shapes follow records-v1 section 8 exactly, so a script can read either
the command's output or the published files.
"""

from __future__ import annotations

import csv
import io
import json

from .. import money
from ..figures import AGING_BUCKETS, CaseFigures, PortfolioFigures


def case_record(figures: CaseFigures) -> dict:
    """One case as `arrears due --format json` shows it."""
    currency = figures.currency

    def plain(amount):
        return money.plain(amount, currency)

    totals = figures.totals
    plan = figures.plan
    return {
        "case": figures.case.id,
        "debtor": figures.case.debtor.name,
        "currency": currency,
        "state": figures.state,
        "invoiced": plain(totals.invoiced),
        "fees": plain(totals.fees),
        "credits": plain(totals.credits),
        "paid": plain(totals.paid),
        "balance": plain(totals.balance),
        "overdue": plain(figures.overdue),
        "days_past_due": figures.days_past_due,
        "next_due": ({"date": figures.next_due.date.isoformat(), "amount": plain(figures.next_due.amount)}
                     if figures.next_due else None),
        "aging": {bucket: plain(figures.aging.get(bucket, 0)) for bucket in AGING_BUCKETS},
        "plan": ({"id": plan.plan.id, "status": plan.status, "missed": plan.missed, "paid": plan.paid,
                  "total": plan.total} if plan else None),
        "promises": {status: sum(1 for p in figures.promises if p.status == status)
                     for status in ("pending", "kept", "broken")},
        "follow_up": figures.follow_up.isoformat() if figures.follow_up else None,
    }


def to_json(portfolio: PortfolioFigures) -> str:
    document = {
        "as_of": portfolio.as_of.isoformat(),
        "cases": [case_record(f) for f in sorted(portfolio.cases, key=lambda f: f.case.id)],
        "totals": {currency: {key: money.plain(value, currency) for key, value in sorted(sums.items())}
                   for currency, sums in sorted(portfolio.totals.items())},
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


CSV_COLUMNS = (
    "case", "debtor", "currency", "state", "invoiced", "fees", "credits", "paid", "balance", "overdue",
    "days_past_due", "next_due_date", "next_due_amount",
    *(f"aging_{bucket}" for bucket in AGING_BUCKETS),
    "plan_id", "plan_status", "plan_missed", "plan_paid", "plan_total",
    "promises_pending", "promises_kept", "promises_broken", "follow_up",
)


def to_csv(portfolio: PortfolioFigures) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for figures in sorted(portfolio.cases, key=lambda f: f.case.id):
        record = case_record(figures)
        next_due, plan, promises = record["next_due"] or {}, record["plan"] or {}, record["promises"]
        writer.writerow([
            *(record[key] for key in ("case", "debtor", "currency", "state", "invoiced", "fees", "credits",
                                      "paid", "balance", "overdue", "days_past_due")),
            next_due.get("date", ""), next_due.get("amount", ""),
            *(record["aging"][bucket] for bucket in AGING_BUCKETS),
            *(plan.get(key, "") for key in ("id", "status", "missed", "paid", "total")),
            promises["pending"], promises["kept"], promises["broken"],
            record["follow_up"] or "",
        ])
    return out.getvalue()


def feeds(portfolio: PortfolioFigures) -> dict[str, str]:
    """The files to write beside index.html, by name."""
    return {"due.json": to_json(portfolio), "due.csv": to_csv(portfolio)}
