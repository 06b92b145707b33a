"""`arrears due` output: the same figures as JSON (spec 8), CSV, or a table for people.

Views only format what the ledger computed; they never add up money
themselves except the per-currency totals the ledger already gives. Money
is written by `money.plain` (machine formats) or `money.display` (people).
"""

from __future__ import annotations

import io
import json
from typing import Any, Iterable

import click

from arrears import money, words
from arrears.ledger.figures import AGING_BUCKETS, CaseFigures, PortfolioFigures
from arrears.ledger.summary import Listed
from arrears.views import csvsafe, framed

STATE_STYLES: dict[str, dict[str, Any]] = {
    "closed": {"dim": True},
    "settled": {"fg": "green"},
    "breathing-space": {"fg": "blue", "bold": True},
    "disputed": {"fg": "magenta"},
    "on-hold": {"fg": "blue"},
    "plan-broken": {"fg": "red", "bold": True},
    "plan-behind": {"fg": "yellow"},
    "in-plan": {"fg": "cyan"},
    "overdue": {"fg": "red"},
    "current": {"fg": "green"},
}


def styled_state(state: str) -> str:
    """The state coloured for a terminal; click.echo drops the colour when output is piped."""
    return click.style(state, **STATE_STYLES.get(state, {}))


def case_record(figures: Listed) -> dict[str, Any]:
    """One case as in spec section 8: money as strings with the currency's minor-unit digits."""
    currency = figures.currency

    def amount(value) -> str:
        return money.plain(value, currency)

    totals = figures.totals
    plan = figures.plan
    promises = {status: sum(1 for p in figures.promises if p.status == status) for status in ("pending", "kept", "broken")}
    return {
        "case": figures.case.id,
        "debtor": figures.case.debtor.name,
        "currency": currency,
        "state": figures.state,
        "invoiced": amount(totals.invoiced),
        "fees": amount(totals.fees),
        "interest": amount(totals.interest),
        "compensation": amount(totals.compensation),
        "interest_daily": amount(figures.interest_daily),
        "credits": amount(totals.credits),
        "paid": amount(totals.paid),
        "balance": amount(totals.balance),
        "overdue": amount(figures.overdue),
        "days_past_due": figures.days_past_due,
        "next_due": ({"date": figures.next_due.date.isoformat(), "amount": amount(figures.next_due.amount)}
                     if figures.next_due else None),
        "aging": {bucket: amount(figures.aging[bucket]) for bucket in AGING_BUCKETS},
        "plan": ({"id": plan.id, "status": plan.status, "missed": plan.missed, "paid": plan.paid,
                  "total": plan.total} if plan else None),
        "promises": promises,
        "follow_up": figures.follow_up.isoformat() if figures.follow_up else None,
    }


def due_json(portfolio: PortfolioFigures) -> str:
    """`{"as_of", "cases", "totals"}`, indented by two: the same text as `json.dumps(..., indent=2)`."""
    return json_document(portfolio, [case_json(figures) for figures in portfolio.cases])


def case_json(figures: Listed) -> str:
    """One case's object as due_json writes it inside the list (the site makes these where the case is parsed)."""
    return json.dumps(case_record(figures), indent=2, ensure_ascii=False).replace("\n", "\n    ")


def json_document(portfolio: PortfolioFigures, cases: Iterable[str]) -> str:
    """due_json from each case's `case_json`, in the order given."""
    return "".join(framed.chunks(json_frame(portfolio), cases))


def json_frame(portfolio: PortfolioFigures) -> framed.Frame:
    """due.json around its cases' objects: the as-of date before them, the totals after."""
    totals = {currency: {name: money.plain(value, currency) for name, value in sums.items()}
              for currency, sums in portfolio.totals.items()}
    after = f',\n  "totals": {json.dumps(totals, indent=2, ensure_ascii=False).replace(chr(10), chr(10) + "  ")}\n}}\n'
    return framed.Frame(f'{{\n  "as_of": {json.dumps(portfolio.as_of.isoformat())},\n  "cases": ',
                        "[\n    ", ",\n    ", "\n  ]" + after, "[]" + after)


CSV_COLUMNS = (
    "case", "debtor", "currency", "state", "invoiced", "fees", "interest", "compensation", "interest_daily",
    "credits", "paid", "balance", "overdue",
    "days_past_due", "next_due_date", "next_due_amount", *(f"aging_{bucket}" for bucket in AGING_BUCKETS),
    "plan", "plan_status", "plan_missed", "plan_paid", "plan_total",
    "promises_pending", "promises_kept", "promises_broken", "follow_up",
)


def due_csv(portfolio: PortfolioFigures) -> str:
    """One row per case with the JSON's figures flattened; empty cells where JSON has null."""
    return csv_document([case_csv(figures) for figures in portfolio.cases])


def case_csv(figures: Listed) -> str:
    """One case's row of due_csv, line ending included."""
    out = io.StringIO()
    record = case_record(figures)
    next_due = record["next_due"] or {}
    plan = record["plan"] or {}
    csvsafe.writer(out).writerow([
        *(record[key] for key in CSV_COLUMNS[:14]),
        next_due.get("date", ""), next_due.get("amount", ""),
        *(record["aging"][bucket] for bucket in AGING_BUCKETS),
        plan.get("id", ""), plan.get("status", ""), plan.get("missed", ""), plan.get("paid", ""),
        plan.get("total", ""),
        *(record["promises"][status] for status in ("pending", "kept", "broken")),
        record["follow_up"] or "",
    ])
    return out.getvalue()


def csv_document(rows: Iterable[str]) -> str:
    """due_csv from each case's `case_csv`: the header, then the rows in the order given."""
    return "".join(framed.chunks(csv_frame(), rows))


def csv_frame() -> framed.Frame:
    """due.csv around its rows: the header line."""
    out = io.StringIO()
    csvsafe.writer(out).writerow(CSV_COLUMNS)
    return framed.Frame(out.getvalue(), "", "", "", "")


_HEADINGS = ("CASE", "DEBTOR", "STATE", "BALANCE", "OVERDUE", "DAYS", "NEXT DUE", "", "FOLLOW-UP")
_RIGHT = {3, 4, 5, 7, 9}
_DEBTOR_WIDTH = 28


def due_table(portfolio: PortfolioFigures) -> str:
    """Aligned columns for a terminal, totals per currency, the state coloured."""
    if not portfolio.cases:
        return f"No cases as of {portfolio.as_of}.\n"
    charged = any(f.totals.interest or f.totals.compensation for f in portfolio.cases)
    headings = _HEADINGS + (("INTEREST",) if charged else ())
    rows = [_row(figures) + ((_charged(figures),) if charged else ()) for figures in portfolio.cases]
    totals = {currency: (money.display(sums["balance"], currency), money.display(sums["overdue"], currency))
              for currency, sums in portfolio.totals.items()}
    widths = [max(len(cells[n]) for cells in [headings, *rows]) for n in range(len(headings))]
    for balance, overdue in totals.values():
        widths[3], widths[4] = max(widths[3], len(balance)), max(widths[4], len(overdue))
    lines = [_line(headings, widths, bold=True)]
    states = [figures.state for figures in portfolio.cases]
    for cells, state in zip(rows, states):
        lines.append(_line(cells, widths, state=state))
    lines.append("")
    label_width = widths[0] + widths[1] + widths[2] + 4
    for currency, (balance, overdue) in totals.items():
        balance, overdue = balance.rjust(widths[3]), overdue.rjust(widths[4])
        sums = portfolio.totals[currency]
        extra = sums.get("interest", 0) + sums.get("compensation", 0)
        tail = f"  (interest and compensation {money.display(extra, currency)})" if extra else ""
        lines.append(f"{('Total ' + currency).ljust(label_width)}  {balance}  {overdue}{tail}".rstrip())
    if charged:
        lines.append("INTEREST: interest and compensation included in the balance (arrears show CASE for the workings)")
    if any(figures.case.vulnerable for figures in portfolio.cases):
        lines.append("* vulnerable: gentle tone only")
    lines.append(f"As of {portfolio.as_of}: {_cases(len(portfolio.cases))}.")
    return "\n".join(lines) + "\n"


def _row(figures: CaseFigures) -> tuple[str, ...]:
    currency = figures.currency
    name = figures.case.debtor.name
    if len(name) > _DEBTOR_WIDTH:
        name = name[: _DEBTOR_WIDTH - 1] + "…"
    if figures.case.vulnerable:
        name += " *"
    next_due = figures.next_due
    return (
        figures.case.id,
        name,
        figures.state,
        money.display(figures.balance, currency),
        money.display(figures.overdue, currency),
        str(figures.days_past_due) if figures.days_past_due else "",
        next_due.date.isoformat() if next_due else "",
        money.display(next_due.amount, currency) if next_due else "",
        figures.follow_up.isoformat() if figures.follow_up else "",
    )


def _charged(figures: CaseFigures) -> str:
    extra = figures.totals.interest + figures.totals.compensation
    return money.display(extra, figures.currency) if extra else ""


def _line(cells, widths, state: str | None = None, bold: bool = False) -> str:
    """Pad the plain text first, then colour it, so escape codes never upset the alignment."""
    parts = []
    for n, (cell, width) in enumerate(zip(cells, widths)):
        text = cell.rjust(width) if n in _RIGHT else cell.ljust(width)
        if n == 2 and state:
            text = text.replace(state, styled_state(state), 1)
        parts.append(text)
    line = "  ".join(parts).rstrip()
    return click.style(line, bold=True) if bold else line


def _cases(count: int) -> str:
    return words.count(count, "case")
