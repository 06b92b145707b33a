"""`arrears export --format parquet`: exact tables that DuckDB reads, agreeing with `due`.

The SQL in docs/scale.md is run here as it is written (only the exports
folder is replaced), over the exports of two records repositories, and
every figure is compared with what the ledger says for the same records.
"""

from __future__ import annotations

import json
import re
import shutil
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from arrears.cli.app import main
from arrears.ledger.compute import compute_portfolio
from arrears.records.load import load
from arrears.records.model import Fee, Invoice
from arrears.views import parquet

REPO = Path(__file__).resolve().parent.parent
AS_OF = date(2026, 6, 30)
DOCS = REPO / "docs"


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def small(records):
    """A second repository: yen (no minor units) and Kuwaiti dinars (three), a promise and a fee."""
    records.write("arrears.toml", 'name = "Second Desk"\ncurrency = "JPY"\n')
    records.case("tanaka", """
        debtor: {name: Tanaka Shoten, kind: business}
        opened: 2026-01-10
    """)
    records.note("tanaka", "2026-04-02-invoice", """
        date: 2026-04-02
        kind: invoice
        ref: T-1
        amount: 123457
        due: 2026-05-02
    """)
    records.note("tanaka", "2026-04-01-fee", """
        date: 2026-04-01
        kind: fee
        amount: 1000
        reason: on the window's edge, 90 days before AS_OF, so outside (D - 90, D]
    """)
    records.note("tanaka", "2026-05-20-call", """
        date: 2026-05-20
        kind: call
        outcome: spoke
        promise: {amount: 50000, by: 2026-06-10}
    """)
    records.note("tanaka", "2026-06-05-payment", """
        date: 2026-06-05
        kind: payment
        amount: 50000
    """)
    records.case("gulf", """
        debtor: {name: Gulf Trading, kind: business}
        currency: KWD
        opened: 2026-02-01
    """)
    records.note("gulf", "2026-05-15-invoice", """
        date: 2026-05-15
        kind: invoice
        ref: G-1
        amount: 1000.125
        due: 2026-06-14
    """)
    records.note("gulf", "2026-06-01-fee", """
        date: 2026-06-01
        kind: fee
        amount: 0.375
        reason: late payment
    """)
    return records.root


@pytest.fixture
def exports(tmp_path, small):
    """Two repositories exported as of AS_OF into exports/demo and exports/small."""
    demo = tmp_path / "demo"
    shutil.copytree(REPO / "cases", demo / "cases")
    shutil.copy(REPO / "arrears.toml", demo / "arrears.toml")
    folder = tmp_path / "exports"
    for name, root in (("demo", demo), ("small", small)):
        result = run("export", "--root", str(root), "--format", "parquet", "--as-of", AS_OF.isoformat(),
                     "--output", str(folder / name))
        assert result.exit_code == 0, result.output
    return folder, [demo, small]


def sql_blocks() -> list[str]:
    return re.findall(r"```sql\n(.*?)```", (DOCS / "scale.md").read_text(encoding="utf-8"), re.S)


def query(folder: Path, sql: str) -> list[tuple]:
    return duckdb.sql(sql.replace("exports/", f"{folder.as_posix()}/")).fetchall()


def figures_of(roots):
    return [f for root in roots for f in compute_portfolio(load(root), AS_OF).cases]


def test_the_six_tables_are_written_with_the_documented_schema(exports):
    folder, _ = exports
    documented = (DOCS / "export.md").read_text(encoding="utf-8")
    for name, schema in parquet.SCHEMAS.items():
        path = folder / "demo" / f"{name}.parquet"
        assert pq.read_schema(path).names == schema.names
        section = documented.split(f"`{name}.parquet`", 1)[1].split("\n\n`", 1)[0]
        listed = {column.strip() for row in re.findall(r"^\| ([a-z_0-9, ]+) \|", section, re.M)
                  for column in row.split(",")} - {"column"}
        assert listed == set(schema.names), name


def test_totals_per_currency_equal_due_across_two_repositories(exports):
    folder, roots = exports
    expected: dict[str, list] = {}
    for root in roots:
        shown = json.loads(run("due", "--root", str(root), "--as-of", AS_OF.isoformat(), "--format", "json").output)
        for currency, totals in shown["totals"].items():
            entry = expected.setdefault(currency, [Decimal(0), Decimal(0), 0])
            entry[0] += Decimal(totals["balance"])
            entry[1] += Decimal(totals["overdue"])
        for case in shown["cases"]:
            expected[case["currency"]][2] += 1
    rows = query(folder, sql_blocks()[0])
    assert {currency: [balance, overdue, count] for currency, balance, overdue, count in rows} == expected
    assert expected["KWD"][0] == Decimal("1000.500")  # three minor units, exact
    assert expected["JPY"][0] == Decimal("74457")


def test_aging_and_states_agree_with_the_ledger(exports):
    folder, roots = exports
    cases = figures_of(roots)
    aging = {row[0]: list(row[1:]) for row in query(folder, sql_blocks()[1])}
    for currency in {f.currency for f in cases}:
        wanted = [sum((f.aging[b] for f in cases if f.currency == currency), Decimal(0))
                  for b in ("current", "1-30", "31-60", "61-90", "90+")]
        assert aging[currency] == wanted
    states = dict(query(folder, sql_blocks()[2]))
    assert states == {state: sum(1 for f in cases if f.state == state) for state in {f.state for f in cases}}


def test_dso_standard_equals_the_hand_computed_figure(exports):
    folder, roots = exports
    cases = figures_of(roots)
    start = AS_OF - timedelta(days=90)
    for currency, ar, dso in query(folder, sql_blocks()[3]):
        issued = Decimal(0)
        for figures in (f for f in cases if f.currency == currency):
            for note in figures.case.notes:
                if note.date > AS_OF or note.id in figures.corrected_by:
                    continue
                if isinstance(note.detail, Invoice) and start < note.detail.issued <= AS_OF:
                    issued += note.detail.amount
                elif isinstance(note.detail, Fee) and start < note.date <= AS_OF:
                    issued += note.detail.amount
        assert ar == sum((f.balance for f in cases if f.currency == currency), Decimal(0))
        if issued:
            assert dso == pytest.approx(float(ar / issued * 90), abs=0.005)
        else:
            assert dso is None
    # the yen case by hand: AR 74,457 over the 123,457 invoiced on 2 April x 90 = 54.279... (the fee of
    # 1 April is exactly 90 days back, outside the window)
    assert dict((c, d) for c, _, d in query(folder, sql_blocks()[3]))["JPY"] == pytest.approx(54.28, abs=0.005)


def test_promise_kept_rate_and_missed_installments_agree_with_the_ledger(exports):
    folder, roots = exports
    cases = figures_of(roots)
    rates = {row[0]: row[1:] for row in query(folder, sql_blocks()[4])}
    assert rates["JPY"] == (Decimal("100.00"), Decimal("100.00"))  # 50,000 promised by 10 June, paid 5 June
    for currency, (by_count, _) in rates.items():
        counted = [p for f in cases if f.currency == currency for p in f.promises
                   if AS_OF - timedelta(days=90) < p.by <= AS_OF and p.status != "pending"]
        if counted:
            kept = sum(1 for p in counted if p.status == "kept")
            assert float(by_count) == pytest.approx(100 * kept / len(counted), abs=0.005)
    missed = {(case, plan): count for case, plan, count, _, _ in query(folder, sql_blocks()[5])}
    wanted = {(f.case.id, f.plan.plan.id): f.plan.missed for f in cases if f.plan is not None and f.plan.missed}
    assert missed == wanted


def test_events_are_every_note_up_to_the_date_with_exact_money(exports):
    folder, roots = exports
    rows = query(folder, "SELECT case_id, note_id, amount, currency FROM read_parquet('exports/*/events.parquet')")
    wanted = {(f.case.id, n.id): (n.amount, f.currency) for f in figures_of(roots) for n in f.case.notes
              if n.date <= AS_OF}
    assert {(case, note): (amount.normalize() if amount is not None else None, currency)
            for case, note, amount, currency in rows} == {
        key: (amount.normalize() if amount is not None else None, currency) for key, (amount, currency) in wanted.items()}


def test_parquet_needs_an_empty_folder_or_force_and_never_replaces_foreign_files(tmp_path, small):
    needs = run("export", "--root", str(small), "--format", "parquet")
    assert needs.exit_code == 2 and "--output DIR" in needs.output
    target = tmp_path / "out"
    assert run("export", "--root", str(small), "--format", "parquet", "-o", str(target)).exit_code == 0
    again = run("export", "--root", str(small), "--format", "parquet", "-o", str(target))
    assert again.exit_code == 2 and "--force" in again.output
    assert run("export", "--root", str(small), "--format", "parquet", "-o", str(target), "--force").exit_code == 0
    (target / "notes.txt").write_text("mine")
    refused = run("export", "--root", str(small), "--format", "parquet", "-o", str(target), "--force")
    assert refused.exit_code == 2 and "notes.txt" in refused.output
    assert (target / "notes.txt").read_text() == "mine"
    assert sorted(p.name for p in target.iterdir()) == sorted([*(f"{n}.parquet" for n in parquet.SCHEMAS), "notes.txt"])


def test_the_sql_kpis_equal_what_arrears_insight_says(tmp_path):
    """DSO (standard) and the promise-kept rate from docs/scale.md's SQL, over one export, against `insight`."""
    demo = tmp_path / "demo"
    shutil.copytree(REPO / "cases", demo / "cases")
    shutil.copy(REPO / "arrears.toml", demo / "arrears.toml")
    folder = tmp_path / "exports"
    assert run("export", "--root", str(demo), "--format", "parquet", "--as-of", AS_OF.isoformat(),
               "--output", str(folder / "demo")).exit_code == 0
    shown = json.loads(run("insight", "--root", str(demo), "--as-of", AS_OF.isoformat(), "--format", "json").output)
    dso = {currency: value for currency, _, value in query(folder, sql_blocks()[3])}
    kept = {currency: (count, amount) for currency, count, amount in query(folder, sql_blocks()[4])}
    compared = 0
    for currency, figures in shown["currencies"].items():
        wanted = figures["dso_standard"]
        assert (None if dso.get(currency) is None else f"{dso[currency]:.2f}") == wanted, currency
        rate = figures["promise_kept_rate"]
        got = kept.get(currency, (None, None))
        assert tuple(None if v is None else f"{v:.2f}" for v in got) == (rate["count"], rate["amount"]), currency
        compared += 1
    assert compared == len(shown["currencies"]) >= 2
