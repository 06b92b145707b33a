"""Writes a large, deterministic synthetic portfolio for benchmarks and scale tests.

The same `--cases`, `--notes` and `--seed` always give the same bytes, so a
benchmark run can be repeated and compared. Records are realistic: every note
kind, plans with schedules and explicit lists, promises, follow-ups, and
Markdown bodies of 150-300 words.

    python tooling/generate_portfolio.py OUT --cases 2500 --notes 20
"""

from __future__ import annotations

import argparse
import random
from datetime import date, timedelta
from pathlib import Path

FIRST = ("Ada Alan Bea Cara Dev Eli Fay Gus Hal Ida Jon Kit Lea Max Nia Oli Pat Raj Sam Tia Uma Vic Wes Zoe").split()
LAST = ("Adams Baker Clarke Dunn Evans Ford Green Hughes Irwin Jones Khan Lewis Moore Nash Owen "
        "Patel Quinn Reid Shah Turner Underwood Vance Walsh Young").split()
TRADES = ("Bakery Joinery Florist Garage Print Cafe Studio Plumbing Catering Books Cycles Dairy").split()
WORDS = ("we spoke about the invoice and agreed to review the account together next week after the "
         "payment run customer explained that cash flow had been tight since the spring contract ended "
         "they apologised for the delay and asked whether a smaller monthly amount would be possible "
         "I confirmed the balance and the dates and offered to send the statement again by email "
         "they were calm and friendly and said the remittance would follow once the bank cleared it "
         "we will call again on the follow up date to check progress and note what was said").split()
CIRCUMSTANCES = ("job-loss", "illness", "bereavement", "misunderstanding", "cash-flow", "other")


def body(rng: random.Random) -> str:
    count = rng.randint(150, 300)
    words = [rng.choice(WORDS) for _ in range(count)]
    paragraphs, start = [], 0
    while start < count:
        size = rng.randint(40, 90)
        chunk = " ".join(words[start:start + size])
        paragraphs.append(chunk[0].upper() + chunk[1:] + ".")
        start += size
    if rng.random() < 0.3:
        paragraphs.insert(1, "- balance confirmed\n- next step agreed\n- **follow up** booked")
    return "\n\n".join(paragraphs) + "\n"


def write(path: Path, front: str, text: str = "") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\n{front}---\n{text}", encoding="utf-8")


def generate(out: Path, cases: int, notes: int, seed: int = 1, end: date = date(2026, 11, 20)) -> int:
    """Write `cases` cases of about `notes` notes each under out/cases; returns files written."""
    rng = random.Random(seed)
    (out / "arrears.toml").parent.mkdir(parents=True, exist_ok=True)
    (out / "arrears.toml").write_text(
        'name = "Synthetic Supplies Ltd"\ncurrency = "GBP"\ntimezone = "Europe/London"\n', encoding="utf-8")
    written = 1
    for number in range(cases):
        case_id = f"case-{number:05d}"
        folder = out / "cases" / case_id
        business = rng.random() < 0.5
        name = (f"{rng.choice(LAST)} {rng.choice(TRADES)} Ltd" if business
                else f"{rng.choice(FIRST)} {rng.choice(LAST)}")
        currency = "EUR" if rng.random() < 0.1 else "GBP"
        opened = end - timedelta(days=rng.randint(120, 600))
        write(folder / "case.md",
              f"debtor:\n  name: {name}\n  kind: {'business' if business else 'individual'}\n"
              f"  contacts:\n    - {{channel: email, value: {case_id}@example.com, preferred: true}}\n"
              f"    - {{channel: phone, value: \"+44 7700 900{number % 1000:03d}\"}}\n"
              f"currency: {currency}\nopened: {opened}\nowner: {rng.choice(['jo', 'sam', 'priya'])}\n"
              f"circumstances: [{rng.choice(CIRCUMSTANCES)}]\nvulnerable: {'true' if rng.random() < 0.05 else 'false'}\n",
              body(rng))
        written += 1
        day = opened
        invoices = []
        for index in range(notes):
            day = min(end, day + timedelta(days=rng.randint(1, max(1, (end - opened).days // notes))))
            stamp = f"{day}-{index:02d}"
            if index < 3 or rng.random() < 0.1:
                ref = f"INV-{number:05d}-{index:02d}"
                amount = f"{rng.randint(100, 5000)}.{rng.randint(0, 99):02d}"
                invoices.append(ref)
                front = (f"date: {day}\nkind: invoice\nref: {ref}\namount: {amount}\n"
                         f"due: {day + timedelta(days=30)}\nsummary: Invoice {ref}\n")
            elif rng.random() < 0.25:
                front = (f"date: {day}\nkind: payment\namount: {rng.randint(20, 400)}.00\nmethod: bank-transfer\n"
                         + (f"applies_to: {rng.choice(invoices)}\n" if rng.random() < 0.3 else ""))
            else:
                kind = rng.choice(["call", "email", "sms", "letter", "note"])
                front = (f"date: {day}T{rng.randint(9, 17):02d}:{rng.choice(['00', '15', '30', '45'])}\n"
                         f"kind: {kind}\n" + ("direction: out\noutcome: spoke\n" if kind == "call" else "")
                         + f"by: {rng.choice(['jo', 'sam', 'priya'])}\nsummary: Spoke about the balance\n"
                         f"follow_up: {day + timedelta(days=7)}\n")
                if rng.random() < 0.15:
                    front += f"promise: {{amount: {rng.randint(50, 300)}.00, by: {day + timedelta(days=10)}}}\n"
            write(folder / "notes" / f"{stamp}.md", front, body(rng))
            written += 1
        if rng.random() < 0.3:
            agreed = day + timedelta(days=1)
            if agreed <= end:
                write(folder / "plans" / f"{agreed}-plan.md",
                      f"agreed: {agreed}\nschedule:\n  start: {agreed + timedelta(days=14)}\n"
                      f"  every: month\n  count: {rng.randint(3, 12)}\nby: jo\nsummary: Monthly plan\n",
                      "Terms as explained on the call.\n")
                written += 1
    return written


INTEREST_RULES = {  # a rule that fits each kind of case (records-v1 section 10), as a careful creditor would set
    ("business", "GBP"): "{rule: late-payment-act}",
    ("business", "EUR"): "{rule: eu-late-payment}",
}


def add_interest(root: Path) -> int:
    """Give every case of a generated portfolio an interest rule (in place); returns the cases changed.

    Businesses get the statutory rule of their currency; individuals a
    contractual 8% a year (the statutory rules are for business debts only).
    """
    changed = 0
    for case_md in sorted(root.glob("cases/*/case.md")):
        text = case_md.read_text(encoding="utf-8")
        kind = "business" if "kind: business" in text else "individual"
        currency = "EUR" if "\ncurrency: EUR\n" in text else "GBP"
        rule = INTEREST_RULES.get((kind, currency), "{rule: simple, rate: 8}")
        case_md.write_text(text.replace("\nopened: ", f"\ninterest: {rule}\nopened: ", 1), encoding="utf-8")
        changed += 1
    return changed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder to write the records repository into (must not exist)")
    parser.add_argument("--cases", type=int, default=2500)
    parser.add_argument("--notes", type=int, default=20, help="notes per case")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--interest", action="store_true", help="give every case an interest rule that fits it")
    args = parser.parse_args()
    if args.out.exists():
        parser.error(f"{args.out} already exists: choose a new folder (nothing is overwritten)")
    files = generate(args.out, args.cases, args.notes, args.seed)
    if args.interest:
        add_interest(args.out)
    print(f"wrote {files} files under {args.out}")


if __name__ == "__main__":
    main()
