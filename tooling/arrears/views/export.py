"""The case files as double-entry books: hledger and beancount journals, CSV and JSON postings.

An accountant reconciles the receivables ledger against the case files, so
every money event up to D becomes a balanced transaction whose receivable
side, summed per case, is exactly the balance `arrears due` shows. The
ledger decides what counts; this module only books it:

- a note counts from its own date; once a later note corrects it, its effect
  is reversed on the correcting note's date (the correction's own effect is
  booked beside it), so the books show what was known each day and end where
  the ledger does;
- an early-settlement discount is booked on the day the plan earned it;
- interest is booked on D, as accrued to D (each export is a snapshot, so an
  export as of a later day books more); compensation on the day it became owed.

Pure: figures in, text out. No files, no clock.
"""

from __future__ import annotations

import io
import json
from json.encoder import encode_basestring as _string  # how `json.dumps(..., ensure_ascii=False)` writes a string
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Iterable

from arrears.ledger import compute as ledger
from arrears import money
from arrears.ledger.figures import CaseFigures, PortfolioFigures
from arrears.records.model import Case, Credit, Fee, Invoice, Note, Payment, Plan, Settings
from arrears.views import csvsafe

FORMATS = ("csv", "json", "hledger", "beancount")
COLUMNS = ("date", "case", "note", "kind", "account", "amount", "currency", "description")

RECEIVABLE = "Assets:Receivable"
BANK = "Assets:Bank"
SALES = "Income:Sales"
FEES = "Income:Fees"
INTEREST = "Income:Interest"  # statutory or contractual interest (records-v1 section 10)
COMPENSATION = "Income:Compensation"  # fixed sums per invoice under the Late Payment Act or Directive 2011/7/EU
DISCOUNTS = "Expenses:Discounts"
CREDIT_ACCOUNTS = {
    "discount": DISCOUNTS,
    "write-off": "Expenses:WriteOffs",
    "goodwill": "Expenses:Goodwill",
    "correction": SALES,  # the invoice was wrong: the sale was smaller than booked
    "other": "Expenses:Credits",
}
ZERO = Decimal(0)


class LedgerMismatch(RuntimeError):
    """The booked transactions do not end at the ledger's balance: a bug, never bad records."""


@dataclass(frozen=True, slots=True)
class Posting:
    account: str
    amount: Decimal  # positive: debit; negative: credit


@dataclass(frozen=True, slots=True)
class Transaction:
    """One balanced entry: a money note, the reversal of a corrected one, or an earned discount."""

    date: date
    case: str
    note: str  # the note that caused it (a plan id for a discount)
    kind: str  # invoice | fee | payment | credit | discount | reversal | interest | compensation
    currency: str
    payee: str  # the debtor's name
    description: str
    postings: tuple[Posting, ...]
    reverses: str | None = None  # for a reversal: the corrected note
    step: int = 0  # a reversal comes before the correcting note's own effect

    @property
    def sort_key(self) -> tuple:
        """Date, case, note id, so the same records always give the same bytes.

        A discount comes after the day's notes, as in the ledger: the payment
        that earned it is booked first.
        """
        return (self.date, self.case, self.kind == "discount", self.note, self.step, self.kind)


def receivable(case_id: str) -> str:
    """The case's receivable account: `Assets:Receivable:Acme-bakery`.

    Beancount wants each component to start with a capital letter or digit;
    case ids are lower-case, so capitalising the first letter keeps the name
    unique and readable, and dashes are allowed as they are.
    """
    return f"{RECEIVABLE}:{case_id[:1].upper()}{case_id[1:]}"


# --- booking ---------------------------------------------------------------------


def case_transactions(figures: CaseFigures, settings: Settings) -> list[Transaction]:
    """Every money event of one case up to D, as transactions in date, note order.

    Raises LedgerMismatch if the receivable does not end at the ledger's
    balance, so a change to the ledger can never silently unbalance exports.
    """
    case, as_of = figures.case, figures.as_of
    counted = [n for n in case.notes if n.date <= as_of]
    first_correction: dict[str, Note] = {}
    for note in sorted(counted, key=lambda n: n.sort_key):
        if note.corrects and note.corrects not in first_correction:
            first_correction[note.corrects] = note
    found: list[Transaction] = []
    for note in counted:
        postings = _postings(note, case.id)
        if postings is None:
            continue
        correction = first_correction.get(note.id)
        if correction is not None and correction.date <= note.date:
            continue  # corrected before it ever counted (the ledger never sees it)
        own = Transaction(note.date, case.id, note.id, note.kind, case.currency, case.debtor.name,
                          _describe(note), postings, step=1)
        found.append(own)
        if correction is not None:
            found.append(Transaction(
                correction.date, case.id, correction.id, "reversal", case.currency, case.debtor.name,
                f"Reverses {note.id} ({own.description}): corrected by {correction.id}",
                tuple(Posting(p.account, -p.amount) for p in postings), reverses=note.id, step=0))
    for plan, day, amount in earned_discounts(figures, settings):
        found.append(Transaction(
            day, case.id, plan.id, "discount", case.currency, case.debtor.name,
            f"Early-settlement discount earned under plan {plan.id}",
            (Posting(DISCOUNTS, amount), Posting(receivable(case.id), -amount)), step=2))
    for charge in figures.charges:
        if not charge.amount:
            continue
        account = INTEREST if charge.kind == "interest" else COMPENSATION
        day = as_of if charge.kind == "interest" else charge.due
        text = (f"{charge.label} to {as_of}" if charge.kind == "interest" else f"{charge.label}, owed from {charge.due}")
        found.append(Transaction(day, case.id, charge.source, charge.kind, case.currency, case.debtor.name, text,
                                 (Posting(receivable(case.id), charge.amount), Posting(account, -charge.amount)),
                                 step=3))
    found.sort(key=lambda t: t.sort_key)
    booked = sum((p.amount for t in found for p in t.postings if p.account == receivable(case.id)), ZERO)
    if booked != figures.balance:
        raise LedgerMismatch(f"export of {case.id} as of {as_of} books a receivable of {booked}, "
                             f"but the ledger's balance is {figures.balance}")
    return found


def transactions(figures: PortfolioFigures, settings: Settings) -> list[Transaction]:
    """Every case's transactions, in one deterministic order (date, case, note id)."""
    return in_order(case_transactions(case, settings) for case in figures.cases)


def booked_case(case: Case, settings: Settings, as_of: date) -> list[Transaction]:
    """One case's transactions as of D: what a worker that parsed the case sends back (see `pipeline`)."""
    return case_transactions(ledger.compute_case(case, settings, as_of), settings)


def in_order(per_case: Iterable[list[Transaction]]) -> list[Transaction]:
    """Cases' transactions (given in case id order) in the export's one order (date, case, note id)."""
    return sorted((t for found in per_case for t in found), key=lambda t: t.sort_key)


def earned_discounts(figures: CaseFigures, settings: Settings) -> list[tuple[Plan, date, Decimal]]:
    """Each plan's early-settlement discount that counts on D: (plan, day earned, amount).

    The active plan's is in the figures. A superseded plan keeps what it
    earned while it was active (its `agreed` to the day before the next
    plan's), judged on the notes as they stand on D: that is the ledger's
    rule, so the ledger itself is asked, for the last day of each window.
    """
    found: list[tuple[Plan, date, Decimal]] = []
    if figures.plan is None:
        return found
    if figures.superseded:
        standing = replace(figures.case, notes=ledger.view(figures.case, figures.as_of).notes)
        plans = [*figures.superseded, figures.plan.plan]
        for plan, successor in zip(plans, plans[1:]):
            end = successor.agreed - timedelta(days=1)
            if end < plan.agreed:
                continue
            window = ledger.compute_case(standing, settings, end).plan
            if window is not None and window.discount_on is not None and window.discount > 0:
                found.append((window.plan, window.discount_on, window.discount))
    if figures.plan.discount_on is not None and figures.plan.discount > 0:
        found.append((figures.plan.plan, figures.plan.discount_on, figures.plan.discount))
    return found


def _postings(note: Note, case_id: str) -> tuple[Posting, ...] | None:
    """The two legs of a money note (None for notes that move no money)."""
    detail = note.detail
    if not isinstance(detail, (Invoice, Fee, Payment, Credit)):
        return None
    amount = detail.amount
    if isinstance(detail, Invoice):
        other = SALES
    elif isinstance(detail, Fee):
        other = FEES
    elif isinstance(detail, Payment):
        other = BANK
    else:
        other = CREDIT_ACCOUNTS.get(detail.reason, CREDIT_ACCOUNTS["other"])
    if isinstance(detail, (Invoice, Fee)):
        return (Posting(receivable(case_id), amount), Posting(other, -amount))
    return (Posting(other, amount), Posting(receivable(case_id), -amount))


def _describe(note: Note) -> str:
    """A one-line description an accountant can read without opening the note."""
    detail = note.detail
    if isinstance(detail, Invoice):
        text = f"Invoice {detail.ref}" + (f": {detail.description}" if detail.description else "")
    elif isinstance(detail, Fee):
        text = "Fee" + (f": {detail.reason}" if detail.reason else "")
    elif isinstance(detail, Payment):
        text = "Payment" + (f" by {detail.method}" if detail.method else "")
        text += (f", ref {detail.ref}" if detail.ref else "") + (f", for {detail.applies_to}" if detail.applies_to else "")
    elif isinstance(detail, Credit):
        text = f"Credit ({detail.reason})"
    else:  # pragma: no cover - only money notes are booked
        text = note.kind
    if note.summary and note.summary not in text:
        text += f" - {note.summary}"
    return " ".join(text.split())


# --- writers ------------------------------------------------------------------------


def render(figures: PortfolioFigures, settings: Settings, output_format: str) -> str:
    """The export as text in one of FORMATS."""
    return render_booked(transactions(figures, settings), figures.as_of, settings, output_format)


def render_booked(booked: list[Transaction], as_of: date, settings: Settings, output_format: str) -> str:
    """Transactions already in order (`in_order`) as text in one of FORMATS."""
    writers = {"csv": to_csv, "json": to_json, "hledger": to_hledger, "beancount": to_beancount}
    return writers[output_format](booked, as_of, settings)


def _rows(booked: Iterable[Transaction]) -> Iterable[dict[str, str]]:
    for t in booked:
        for p in t.postings:
            yield {"date": t.date.isoformat(), "case": t.case, "note": t.note, "kind": t.kind,
                   "account": p.account, "amount": money.plain(p.amount, t.currency), "currency": t.currency,
                   "description": t.description}


def to_csv(booked: list[Transaction], as_of: date, settings: Settings) -> str:
    """One row per posting; a transaction's rows share date, case, note and kind."""
    out = io.StringIO()
    writer = csvsafe.writer(out)
    writer.writerow(COLUMNS)
    writer.writerows([row[column] for column in COLUMNS] for row in _rows(booked))
    return out.getvalue()


def to_json(booked: list[Transaction], as_of: date, settings: Settings) -> str:
    """`{"as_of": ..., "postings": [...]}`, one object per posting, money as strings."""
    return json.dumps({"as_of": as_of.isoformat(), "postings": list(_rows(booked))},
                      indent=2, ensure_ascii=False) + "\n"


def json_piece(t: Transaction) -> str:
    """A transaction's postings as `to_json` writes them inside its list, made where the case was parsed.

    Written out here rather than by `json.dumps(row, indent=2)`: with an indent Python's JSON
    encoder runs in Python, and that was most of an export's cost. A row is a flat object of
    strings, so each line is a key and a value as the encoder's own string escaping writes them
    (the same bytes: `test_export` holds the two to it)."""
    return ",\n".join("    {\n" + ",\n".join(f"      {_string(key)}: {_string(value)}" for key, value in row.items())
                       + "\n    }" for row in _rows((t,)))


def json_of_pieces(pieces: list[str], as_of: date) -> str:
    """`to_json` from each transaction's `json_piece`, in the export's order: the same bytes."""
    if not pieces:
        return to_json([], as_of, None)  # type: ignore[arg-type]
    head = json.dumps({"as_of": as_of.isoformat()}, indent=2, ensure_ascii=False)[:-2]
    return f'{head},\n  "postings": [\n' + ",\n".join(piece for piece in pieces if piece) + "\n  ]\n}\n"


def _first_use(booked: Iterable[Transaction]) -> dict[str, tuple[date, set[str]]]:
    """Each account's first date and the currencies it holds, for open/account directives."""
    accounts: dict[str, tuple[date, set[str]]] = {}
    for t in booked:
        for p in t.postings:
            day, currencies = accounts.get(p.account, (t.date, set()))
            currencies.add(t.currency)
            accounts[p.account] = (min(day, t.date), currencies)
    return dict(sorted(accounts.items()))


def _amount(value: Decimal, currency: str) -> str:
    return f"{money.plain(value, currency)} {currency}"


def _posting_lines(t: Transaction, indent: str) -> list[str]:
    width = max(len(p.account) for p in t.postings) + 4
    amounts = [_amount(p.amount, t.currency) for p in t.postings]
    right = max(len(a) for a in amounts)
    return [f"{indent}{p.account:<{width}}{a:>{right}}" for p, a in zip(t.postings, amounts)]


def _header(as_of: date, settings: Settings, comment: str) -> list[str]:
    return [f"{comment} {settings.name}: receivables exported by arrears as of {as_of.isoformat()}.",
            f"{comment} Generated from the case files: re-export rather than edit."]


def to_hledger(booked: list[Transaction], as_of: date, settings: Settings) -> str:
    """An hledger journal: declared commodities and accounts, tags for case, note and kind.

    `decimal-mark` and one `commodity` line per currency fix how amounts
    parse (1.000 KWD is one dinar, not a thousand), and declaring every
    account lets `hledger check -s` pass.
    """
    lines = _header(as_of, settings, ";") + ["", "decimal-mark ."]
    for currency in sorted({t.currency for t in booked}):
        digits = money.minor_units(currency)
        lines.append(f"commodity 1000.{'0' * digits} {currency}")
    lines.append("")
    lines += [f"account {account}" for account in _first_use(booked)]
    for t in booked:
        tags = [f"case:{t.case}", f"note:{t.note}", f"kind:{t.kind}"]
        if t.reverses:
            tags.append(f"reverses:{t.reverses}")
        payee = _hledger_text(t.payee).replace("|", "/")
        lines += ["", f"{t.date.isoformat()} * {payee} | {_hledger_text(t.description)}  ; {', '.join(tags)}"]
        lines += _posting_lines(t, "    ")
    return "\n".join(lines) + "\n"


def _hledger_text(text: str) -> str:
    """One line without `;`, which would start a comment in hledger."""
    return " ".join(text.replace(";", ",").split())


def to_beancount(booked: list[Transaction], as_of: date, settings: Settings) -> str:
    """A beancount ledger: options, `open` directives on first use, metadata for case, note and kind.

    A case's receivable is opened for its one currency, so beancount itself
    rejects a posting in the wrong one.
    """
    lines = _header(as_of, settings, ";") + [
        "",
        f'option "title" {_quoted(settings.name + " receivables")}',
        f'option "operating_currency" "{settings.currency}"',
        "",
    ]
    for account, (day, currencies) in _first_use(booked).items():
        limit = f" {','.join(sorted(currencies))}" if account.startswith(RECEIVABLE + ":") else ""
        lines.append(f"{day.isoformat()} open {account}{limit}")
    for t in booked:
        lines += ["", f"{t.date.isoformat()} * {_quoted(t.payee)} {_quoted(t.description)}",
                  f"  case: {_quoted(t.case)}", f"  note: {_quoted(t.note)}", f"  kind: {_quoted(t.kind)}"]
        if t.reverses:
            lines.append(f"  reverses: {_quoted(t.reverses)}")
        lines += _posting_lines(t, "  ")
    return "\n".join(lines) + "\n"


def _quoted(text: str) -> str:
    """A beancount string on one line, with backslashes and quotes escaped."""
    flat = " ".join(text.split())
    return '"' + flat.replace("\\", "\\\\").replace('"', '\\"') + '"'


__all__ = ["FORMATS", "Posting", "Transaction", "LedgerMismatch", "case_transactions", "transactions",
           "earned_discounts", "receivable", "render", "to_csv", "to_json", "to_hledger", "to_beancount"]
