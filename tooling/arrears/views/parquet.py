"""The portfolio as Parquet tables, for querying many records repositories together.

An agency with one records repository per client or team exports each of
them to a folder of Parquet files; DuckDB on one machine (or Spark, Trino
beyond it) then reads every folder at once with `read_parquet('*/cases.parquet')`.
The six tables and their columns are documented in docs/export.md; this
module is their one definition (`SCHEMAS`), so the files and the docs agree.

Column names avoid SQL's reserved words (`case_id`, not `case`), so queries
need no quoting. Money columns are DECIMAL(38, 4): exact for every currency's minor units
(0 to 4 digits), never floating point, and always beside a `currency`
column, because sums across currencies mean nothing. Pure: figures in,
Arrow tables out; `write` is the only function that touches the disk.
"""

from __future__ import annotations

import os
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Iterable

import pyarrow as pa
import pyarrow.parquet as pq

from arrears.ledger.figures import AGING_BUCKETS, CaseFigures, PortfolioFigures
from arrears.ledger.compute import compute_case
from arrears.records.model import Case, Contacting, Credit, Dispute, Fee, Invoice, Note, Payment, Settings

MONEY = pa.decimal128(38, 4)
TEXT = pa.string()
DAY = pa.date32()
COUNT = pa.int32()
TAGS = pa.list_(pa.string())


def _schema(*columns: tuple[str, pa.DataType]) -> pa.Schema:
    return pa.schema([pa.field(name, kind) for name, kind in columns])


SCHEMAS: dict[str, pa.Schema] = {
    "cases": _schema(
        ("case_id", TEXT), ("debtor", TEXT), ("debtor_kind", TEXT), ("currency", TEXT), ("opened", DAY),
        ("owner", TEXT), ("status", TEXT), ("tags", TAGS), ("circumstances", TAGS), ("vulnerable", pa.bool_()),
        ("interest_rule", TEXT)),
    "figures": _schema(
        ("as_of", DAY), ("case_id", TEXT), ("currency", TEXT), ("state", TEXT), ("invoiced", MONEY), ("fees", MONEY),
        ("credits", MONEY), ("paid", MONEY), ("balance", MONEY), ("overdue", MONEY), ("days_past_due", COUNT),
        ("next_due_date", DAY), ("next_due_amount", MONEY),
        *((f"aging_{bucket.replace('-', '_').replace('+', '_plus')}", MONEY) for bucket in AGING_BUCKETS),
        ("plan_id", TEXT), ("plan_status", TEXT), ("follow_up", DAY), ("disputed", pa.bool_())),
    "items": _schema(
        ("as_of", DAY), ("case_id", TEXT), ("position", COUNT), ("kind", TEXT), ("label", TEXT), ("source", TEXT),
        ("due", DAY), ("amount", MONEY), ("settled", MONEY), ("unsettled", MONEY), ("currency", TEXT)),
    "events": _schema(
        ("case_id", TEXT), ("note_id", TEXT), ("date", DAY), ("time", TEXT), ("kind", TEXT), ("direction", TEXT),
        ("outcome", TEXT), ("amount", MONEY), ("currency", TEXT), ("ref", TEXT), ("issued", DAY), ("due", DAY),
        ("applies_to", TEXT), ("method", TEXT), ("reason", TEXT), ("dispute_state", TEXT), ("by_whom", TEXT),
        ("summary", TEXT), ("follow_up", DAY), ("promise_amount", MONEY), ("promise_by", DAY), ("corrects", TEXT),
        ("corrected_by", TEXT), ("tags", TAGS)),
    "installments": _schema(
        ("as_of", DAY), ("case_id", TEXT), ("plan_id", TEXT), ("number", COUNT), ("due", DAY), ("amount", MONEY),
        ("paid", MONEY), ("state", TEXT), ("settled_on", DAY), ("currency", TEXT)),
    "promises": _schema(
        ("as_of", DAY), ("case_id", TEXT), ("note_id", TEXT), ("made", DAY), ("promised_by", DAY), ("amount", MONEY),
        ("paid", MONEY), ("status", TEXT), ("currency", TEXT)),
}
"""Table name -> its columns, in order. Documented column by column in docs/export.md."""


def tables(figures: PortfolioFigures) -> dict[str, pa.Table]:
    """Every table, one row per case, item, note, installment or promise (cases in id order)."""
    return tables_of(_case_rows(case) for case in figures.cases)


def case_rows(case: Case, settings: Settings, as_of: date) -> dict[str, list[dict]]:
    """One case's rows of every table as of D: what a worker that parsed the case sends back (see `pipeline`)."""
    return _case_rows(compute_case(case, settings, as_of))


def tables_of(per_case: Iterable[dict[str, list[dict]]]) -> dict[str, pa.Table]:
    """The tables from each case's rows (given in case id order)."""
    rows: dict[str, list[dict]] = {name: [] for name in SCHEMAS}
    for found in per_case:
        for name, part in found.items():
            rows[name].extend(part)
    return {name: pa.Table.from_pylist(rows[name], schema=SCHEMAS[name]) for name in SCHEMAS}


def _case_rows(figures: CaseFigures) -> dict[str, list[dict]]:
    case, as_of, currency = figures.case, figures.as_of, figures.currency
    totals, plan = figures.totals, figures.plan
    aging = {f"aging_{bucket.replace('-', '_').replace('+', '_plus')}": _money(figures.aging[bucket])
             for bucket in AGING_BUCKETS}
    return {
        "cases": [{
            "case_id": case.id, "debtor": case.debtor.name, "debtor_kind": case.debtor.kind, "currency": currency,
            "opened": case.opened, "owner": case.owner, "status": case.status, "tags": list(case.tags),
            "circumstances": list(case.circumstances), "vulnerable": case.vulnerable,
            "interest_rule": case.interest.rule}],
        "figures": [{
            "as_of": as_of, "case_id": case.id, "currency": currency, "state": figures.state,
            "invoiced": _money(totals.invoiced), "fees": _money(totals.fees), "credits": _money(totals.credits),
            "paid": _money(totals.paid), "balance": _money(totals.balance), "overdue": _money(figures.overdue),
            "days_past_due": figures.days_past_due,
            "next_due_date": figures.next_due.date if figures.next_due else None,
            "next_due_amount": _money(figures.next_due.amount) if figures.next_due else None,
            **aging, "plan_id": plan.plan.id if plan else None, "plan_status": plan.status if plan else None,
            "follow_up": figures.follow_up, "disputed": figures.disputed}],
        "items": [{
            "as_of": as_of, "case_id": case.id, "position": position, "kind": item.kind, "label": item.label,
            "source": item.source, "due": item.due, "amount": _money(item.amount), "settled": _money(item.settled),
            "unsettled": _money(item.unsettled), "currency": currency}
            for position, item in enumerate(figures.items, start=1)],
        "events": [_event(note, currency, figures.corrected_by.get(note.id)) for note in case.notes
                   if note.date <= as_of],
        "installments": [{
            "as_of": as_of, "case_id": case.id, "plan_id": plan.plan.id, "number": part.number, "due": part.due,
            "amount": _money(part.amount), "paid": _money(part.paid), "state": part.state,
            "settled_on": part.settled_on, "currency": currency}
            for part in (plan.installments if plan else ())],
        "promises": [{
            "as_of": as_of, "case_id": case.id, "note_id": promise.note_id, "made": promise.made, "promised_by": promise.by,
            "amount": _money(promise.amount), "paid": _money(promise.paid), "status": promise.status,
            "currency": currency}
            for promise in figures.promises],
    }


def _event(note: Note, currency: str, corrected_by: str | None) -> dict:
    detail = note.detail
    return {
        "case_id": note.case, "note_id": note.id, "date": note.date,
        "time": note.time.isoformat() if note.time else None, "kind": note.kind,
        "direction": detail.direction if isinstance(detail, Contacting) else None,
        "outcome": detail.outcome if isinstance(detail, Contacting) else None,
        "amount": _money(note.amount), "currency": currency,
        "ref": detail.ref if isinstance(detail, (Invoice, Payment, Dispute)) else None,
        "issued": detail.issued if isinstance(detail, Invoice) else None,
        "due": detail.due if isinstance(detail, Invoice) else None,
        "applies_to": detail.applies_to if isinstance(detail, Payment) else None,
        "method": detail.method if isinstance(detail, Payment) else None,
        "reason": detail.reason if isinstance(detail, (Fee, Credit)) else None,
        "dispute_state": detail.state if isinstance(detail, Dispute) else None,
        "by_whom": note.by, "summary": note.summary, "follow_up": note.follow_up,
        "promise_amount": _money(note.promise.amount) if note.promise else None,
        "promise_by": note.promise.by if note.promise else None,
        "corrects": note.corrects, "corrected_by": corrected_by, "tags": list(note.tags),
    }


def _money(amount: Decimal | None) -> Decimal | None:
    """Money as Arrow's DECIMAL(38, 4) takes it: exact, never through float."""
    return None if amount is None else amount.quantize(Decimal("0.0001"))


def write(figures: PortfolioFigures, folder: Path) -> list[Path]:
    """Write every table of these figures into `folder` (see `write_tables`)."""
    return write_tables(tables(figures), folder)


def write_tables(found: dict[str, pa.Table], folder: Path) -> list[Path]:
    """Write `<table>.parquet` for every table into `folder`, each file complete or absent.

    Each file is written beside its final name and renamed into place, so a
    reader never opens half a table. Returns the paths written, in table order.
    """
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, table in found.items():
        target = folder / f"{name}.parquet"
        temporary = folder / f".{name}.{os.getpid()}.parquet.tmp"  # created under the umask, unlike mkstemp's
        try:
            pq.write_table(table, temporary, compression="zstd")
            os.replace(temporary, target)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        written.append(target)
    return written
