"""`make bench`, import step: a generated 20,000-row Xero export into an empty repository, then again.

Targets: the first import under 10 s, the second (nothing to write) under 3 s.
The export is generated in one pass with no randomness beyond a seeded
generator, so generating it costs far less than importing it.

    python tooling/bench_import.py [--rows 20000]
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

HEADER = ("*ContactName,EmailAddress,POAddressLine1,POCity,*InvoiceNumber,Reference,*InvoiceDate,*DueDate,Total,"
          "TaxTotal,InvoiceAmountPaid,InvoiceAmountDue,*Description,*Quantity,*UnitAmount,LineAmount,*AccountCode,"
          "*TaxType,Currency,Type,Status")


def generate(path: Path, rows: int, seed: int = 1, debtors: int = 800) -> int:
    """A Xero invoice export of `rows` line-item rows (1-5 per invoice); the number of invoices."""
    chance = random.Random(seed)
    names = [f"Debtor {n:04} Trading Ltd" for n in range(debtors)]
    lines = [HEADER]
    number = 0
    start = date(2025, 1, 1)
    while len(lines) - 1 < rows:
        number += 1
        name = names[chance.randrange(debtors)]
        items = [chance.randint(1, 50_000) for _ in range(min(chance.randint(1, 5), rows - len(lines) + 1))]
        total = sum(items)
        kind, status = "ACCREC", chance.choice(("AUTHORISED", "AUTHORISED", "PAID", "DRAFT", "VOIDED"))
        if chance.random() < 0.05:
            kind, status = "ACCRECCREDIT", "AUTHORISED"
        paid = total if status == "PAID" else (chance.randint(0, total) if chance.random() < 0.3 else 0)
        if kind == "ACCRECCREDIT":
            paid = 0
        issued = start + timedelta(days=chance.randrange(480))
        prefix = "CN" if kind == "ACCRECCREDIT" else "INV"
        head = (f"{name},ap{name.split()[1]}@example.invalid,1 High Street,Leeds,{prefix}-{number:06},,"
                f"{issued:%d/%m/%Y},{issued + timedelta(days=30):%d/%m/%Y},{total / 100:.2f},0.00,"
                f"{paid / 100:.2f},{(total - paid) / 100:.2f}")
        for index, item in enumerate(items):
            lines.append(f'{head},"Item {index}, as delivered",1,{item / 100:.2f},{item / 100:.2f},200,'
                         f"No VAT,GBP,{kind},{status}")
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8-sig")
    return number


def run(arguments: list[str]) -> tuple[float, int, str]:
    started = time.perf_counter()
    done = subprocess.run(arguments, capture_output=True, text=True)
    return time.perf_counter() - started, done.returncode, done.stdout + done.stderr


def main() -> None:
    parser = argparse.ArgumentParser(description="Time arrears import on a generated Xero export.")
    parser.add_argument("--rows", type=int, default=20_000)
    args = parser.parse_args()
    arrears = str(Path(sys.executable).with_name("arrears"))
    with tempfile.TemporaryDirectory(prefix="arrears-import-") as scratch:
        root = Path(scratch) / "books"
        root.mkdir()
        (root / "arrears.toml").write_text('currency = "GBP"\n', encoding="utf-8")
        export = Path(scratch) / "Invoices.csv"
        started = time.perf_counter()
        invoices = generate(export, args.rows)
        made = time.perf_counter() - started
        command = [arrears, "import", str(export), "--from", "xero", "--root", str(root), "--date", "2026-05-01"]
        first, status, output = run(command + ["--create-cases"])
        notes = sum(1 for _ in root.glob("cases/*/notes/*.md"))
        again, status_again, output_again = run(command)
        quiet = "notes written: 0" in output_again
        label = f"import {args.rows:,} Xero rows"
        print(f"{label + ' (generated in %.1f s)' % made:34}")
        print(f"{'  into an empty repository':34} {first:8.2f}   (target < 10 s; {invoices:,} invoices, "
              f"{notes:,} notes written; exit {status})", flush=True)
        print(f"{'  again (nothing to write)':34} {again:8.2f}   (target < 3 s; "
              f"{'wrote nothing' if quiet else 'WROTE SOMETHING'}; exit {status_again})", flush=True)
        if status or status_again or not quiet:
            print(output[-2000:] + output_again[-2000:], file=sys.stderr)


if __name__ == "__main__":
    main()
