"""`arrears show`: a statement of account for one case, for a person at a terminal.

Everything a credit controller needs before picking up the phone: who the
debtor is and how (not) to reach them, what is owed and overdue, the plan
installment by installment, promises and whether they were kept, the last
notes and the next follow-up. Only formats the ledger's figures.
"""

from __future__ import annotations

from typing import Iterable, Mapping

import click

from arrears import money
from arrears.ledger.figures import AGING_BUCKETS, CaseFigures
from arrears.git.history import Commit
from arrears.records.model import Dispute, Invoice, Note, Payment
from arrears.views import workings
from arrears.views.report import styled_state

LAST_NOTES = 8


def statement(figures: CaseFigures, last_notes: int = LAST_NOTES,
              recorded: Mapping[str, Commit | None] | None = None) -> str:
    """The whole statement as text (click.echo drops the colours when piped).

    `recorded` (note id -> the commit that first recorded it, from `history`)
    adds who recorded each note and when; None outside Git.
    """
    sections = [
        _heading(figures),
        _totals(figures),
        _items(figures),
        _interest(figures),
        _plan(figures),
        _promises(figures),
        _notes(figures, last_notes, recorded),
        _follow_up(figures),
    ]
    return "\n\n".join(section for section in sections if section) + "\n"


def _heading(figures: CaseFigures) -> str:
    case = figures.case
    debtor = case.debtor
    lines = [click.style(f"{debtor.name} ({case.id})", bold=True) + f"  as of {figures.as_of}"]
    facts = [debtor.kind, f"opened {case.opened}", f"status {case.status}", case.currency]
    if case.owner:
        facts.insert(2, f"owner {case.owner}")
    lines.append(" · ".join(facts))
    if case.vulnerable:
        lines.append(click.style("VULNERABLE: gentle tone only", fg="yellow", bold=True))
    space = figures.breathing_space if figures.state == "breathing-space" else None
    if space is not None:
        until = f"until {space.end}" if space.end else "open-ended (mental health crisis)"
        lines.append(click.style(f"BREATHING SPACE from {space.start} {until}"
                                 + (f", ref {space.ref}" if space.ref else "")
                                 + ": no interest, fees or demands; payments still count", fg="blue", bold=True))
    if figures.claim_window is not None:
        lines.append(click.style(f"LETTER OF CLAIM sent {figures.claim_window.sent}: awaiting reply until "
                                 f"{figures.claim_window.until}", fg="yellow"))
    preferred = case.preferred_contact
    for contact in debtor.contacts:
        marks = []
        if contact is preferred:
            marks.append("preferred")
        if contact.channel in case.do_not_contact:
            marks.append("opted out: do not use")
        suffix = f"  ({', '.join(marks)})" if marks else ""
        lines.append(f"  {contact.channel:<6} {contact.value}{suffix}")
    if not debtor.contacts:
        lines.append("  no contact details")
    if case.do_not_contact:
        lines.append(f"Do not contact by: {', '.join(case.do_not_contact)}")
    if case.circumstances:
        lines.append(f"Circumstances: {', '.join(case.circumstances)}")
    if debtor.address:
        lines.append("Address: " + " / ".join(line.strip() for line in debtor.address.strip().splitlines()))
    return "\n".join(lines)


def _totals(figures: CaseFigures) -> str:
    currency = figures.currency
    totals = figures.totals
    rows = [
        ("State", styled_state(figures.state)),
        ("Invoiced", money.display(totals.invoiced, currency)),
        ("Fees", money.display(totals.fees, currency)),
        *([("Interest", money.display(totals.interest, currency)
            + (f"  (accruing {money.display(figures.interest_daily, currency)} a day)"
               if figures.interest_daily else "")),
           ("Compensation", money.display(totals.compensation, currency))]
          if figures.case.interest.rule != "none" else []),
        ("Credits", money.display(totals.credits, currency)),
        ("Paid", money.display(totals.paid, currency)),
        ("Balance", click.style(money.display(totals.balance, currency), bold=True)),
        ("Overdue", money.display(figures.overdue, currency)
         + (f"  ({figures.days_past_due} days past due)" if figures.days_past_due else "")),
        ("Next due", f"{figures.next_due.date}  {money.display(figures.next_due.amount, currency)}"
         if figures.next_due else "nothing"),
        ("Aging", "  ".join(f"{bucket}: {money.display(figures.aging[bucket], currency)}"
                            for bucket in AGING_BUCKETS)),
    ]
    if figures.disputed:
        rows.insert(1, ("Dispute", "open"))
    width = 14 if figures.case.interest.rule != "none" else 10
    return "\n".join(f"{label:<{width}}{value}" for label, value in rows)


def _items(figures: CaseFigures) -> str:
    """Debts that stand on their own (invoices and fees the plan does not cover)."""
    standing = [item for item in figures.items if item.kind != "installment"]
    if not standing:
        return ""
    currency = figures.currency
    rows = [("Due", "Item", "Amount", "Settled", "Unsettled")]
    for item in standing:
        label = item.label + (f" (+{money.display(item.covered, currency)} in plan)" if item.covered else "")
        rows.append((str(item.due), label, money.display(item.amount, currency),
                     money.display(item.settled, currency), money.display(item.unsettled, currency)))
    return "Items\n" + _table(rows, right={2, 3, 4})


def _interest(figures: CaseFigures) -> str:
    """The workings per item (principal, from, to, days, rate, amount) under the Act or term that allows them."""
    found = workings.workings(figures)
    if found is None:
        return ""
    head = f"Interest and compensation under {found.law}, as of {found.as_of}"
    tail = f"Interest {found.interest}, compensation {found.compensation}"
    tail += f"; accruing {found.daily} a day" if found.accruing else "; not accruing today"
    return "\n".join([head, workings.text(found), tail])


def _plan(figures: CaseFigures) -> str:
    plan = figures.plan
    if plan is None:
        return ""
    currency = figures.currency
    terms = plan.plan
    head = (f"Plan {terms.id}: {styled_state_of_plan(plan.status)}, agreed {terms.agreed}, "
            f"covers {money.display(plan.amount, currency)}; {plan.paid} of {plan.total} paid, {plan.missed} missed "
            f"(grace {terms.grace_days} days, broken after {terms.broken_after} missed)")
    lines = [head]
    if terms.summary:
        lines.append(f"  {terms.summary}")
    if terms.discount:
        offer = (f"{terms.discount.percent}%" if terms.discount.percent is not None
                 else money.display(terms.discount.amount, currency))
        earned = (f"earned {money.display(plan.discount, currency)} on {plan.discount_on}" if plan.discount_on
                  else "not earned")
        lines.append(f"  Early-settlement discount {offer} if paid by {terms.discount.if_paid_by}: {earned}")
    rows = [("#", "Due", "Amount", "Paid", "Status")]
    for part in plan.installments:
        status = part.state + (f" {part.settled_on}" if part.state == "paid" and part.settled_on else "")
        rows.append((str(part.number), str(part.due), money.display(part.amount, currency),
                     money.display(part.paid, currency), status))
    lines.append(_table(rows, right={0, 2, 3}))
    for earlier in figures.superseded:
        lines.append(f"  superseded: {earlier.id} (agreed {earlier.agreed})")
    return "\n".join(lines)


def styled_state_of_plan(status: str) -> str:
    colours = {"completed": "green", "on-track": "cyan", "behind": "yellow", "broken": "red"}
    return click.style(status, fg=colours.get(status))


def _promises(figures: CaseFigures) -> str:
    if not figures.promises:
        return ""
    currency = figures.currency
    rows = [("Made", "Amount", "By", "Paid", "Outcome")]
    for promise in figures.promises:
        rows.append((str(promise.made), money.display(promise.amount, currency), str(promise.by),
                     money.display(promise.paid, currency), promise.status))
    return "Promises\n" + _table(rows, right={1, 3})


def _notes(figures: CaseFigures, count: int, recorded: Mapping[str, Commit | None] | None = None) -> str:
    shown = [n for n in figures.case.notes if n.date <= figures.as_of][-count:]
    if not shown:
        return ""
    lines = [f"Last notes ({len(shown)})"]
    for note in reversed(shown):
        corrected = figures.corrected_by.get(note.id)
        mark = f"  [corrected by {corrected}]" if corrected else ""
        lines.append(f"  {note.date}  {note.kind:<8} {_describe(note, figures.currency)}{mark}")
        if recorded is not None:
            lines.append(click.style(f"{'':14}{_recorded(recorded.get(note.id))}", dim=True))
    return "\n".join(lines)


def _recorded(commit: Commit | None) -> str:
    if commit is None:
        return "not committed yet"
    return f"recorded {commit.date.date()} by {commit.author} in {commit.short}"


def _describe(note: Note, currency: str) -> str:
    parts: list[str] = []
    detail = note.detail
    if isinstance(detail, Invoice):
        parts.append(detail.ref)
    if note.amount is not None:
        parts.append(money.display(note.amount, currency))
    if isinstance(detail, Invoice):
        parts.append(f"due {detail.due}")
    if isinstance(detail, Payment) and detail.applies_to:
        parts.append(f"for {detail.applies_to}")
    if isinstance(detail, Dispute):
        parts.append(detail.state + (f" ({detail.ref})" if detail.ref else ""))
    if note.corrects:
        parts.append(f"corrects {note.corrects}:")
    if note.summary:
        parts.append(note.summary)
    elif note.body.strip():
        parts.append(note.body.strip().splitlines()[0][:70])
    if note.promise:
        parts.append(f"promised {money.display(note.promise.amount, currency)} by {note.promise.by}")
    if note.by:
        parts.append(f"({note.by})")
    return " ".join(parts) if parts else note.id


def _follow_up(figures: CaseFigures) -> str:
    if figures.follow_up is None:
        return "Next follow-up: none set"
    late = " (overdue)" if figures.follow_up_due and figures.follow_up < figures.as_of else ""
    return f"Next follow-up: {figures.follow_up}{late}"


def _table(rows: Iterable[tuple[str, ...]], right: set[int]) -> str:
    rows = list(rows)
    widths = [max(len(row[n]) for row in rows) for n in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [cell.rjust(w) if n in right else cell.ljust(w) for n, (cell, w) in enumerate(zip(row, widths))]
        lines.append(("  " + "  ".join(cells)).rstrip())
    return "\n".join(lines)
