"""Bank payments -> the case and invoice they name, counted once.

A payment row whose reference names exactly one invoice number, in any case,
is recorded there with `applies_to`; a row naming none (and no known debtor)
or several is listed, never guessed. Money the records already hold, typed
by hand or reported paid by an invoice export, is matched rather than added.
"""

from __future__ import annotations

import re
from decimal import Decimal

from arrears import money
from arrears.imports.entries import Entry, Skipped
from arrears.imports.index import ZERO
from arrears.imports.match import Debtors
from arrears.imports.notes import Draft, title
from arrears.imports.planned import CaseState, ImportPlan, Options, add_note, case_state, show

_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9/_.#-]*")


def _normal(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.casefold())


def ref_map(states: dict[str, CaseState], debtors: Debtors) -> dict[str, set[tuple[str, str]]]:
    """Invoice number (letters and digits only, any case) -> the (case, ref) pairs it names."""
    refs: dict[str, set[tuple[str, str]]] = {}
    for case_id, index in debtors.cases.items():
        invoices = states[case_id].invoices if case_id in states else index.invoices
        for ref in invoices:
            key = _normal(ref)
            if len(key) >= 3:
                refs.setdefault(key, set()).add((case_id, ref))
    return refs


def record_payment(plan: ImportPlan, states: dict[str, CaseState], debtors: Debtors, refs, entry: Entry,
                   options: Options) -> None:
    """One bank payment: already imported, matched to an invoice (or a named debtor), or listed as unmatched."""
    if (entry.source, entry.source_id) in debtors.by_origin:
        plan.unchanged += 1
        return
    text = entry.ref or entry.description or ""
    candidates = set(refs.get(_normal(text), set())) if text else set()
    if not candidates:
        for token in _TOKEN.findall(text):
            candidates |= refs.get(_normal(token), set())
    what = entry.ref or entry.description or entry.source_id
    shown = show(entry.amount, entry.currency or options.currency)
    if len(candidates) > 1:
        named = ", ".join(f"{ref} ({case})" for case, ref in sorted(candidates))
        plan.unmatched.append((entry, f"{shown} {what!r} names several invoices: {named}"))
        return
    applies_to = None
    if candidates:
        case_id, applies_to = next(iter(candidates))
    else:
        case_id, _ = debtors.find(entry) if entry.contact or entry.email else (None, None)
        if case_id is None:
            plan.unmatched.append((entry, f"{shown} {what!r} names no invoice in any case"))
            return
    state = states.get(case_id) or states.setdefault(case_id, case_state(debtors.cases[case_id]))
    if entry.currency and entry.currency != state.currency:
        plan.unmatched.append((entry, f"{shown} {what!r} is in {entry.currency}, case {case_id} in {state.currency}"))
        return
    twin = next((p for p in state.hand if p.date == entry.date and p.amount == entry.amount
                 and p.applies_to == applies_to), None)
    if twin is not None:
        state.hand.remove(twin)
        plan.skipped.append(Skipped(entry.line, what, f"already recorded by hand in {case_id} (note {twin.note_id})"))
        return
    debtors.by_origin[(entry.source, entry.source_id)] = case_id
    amount = entry.amount
    if applies_to:
        amount -= _reconcile(plan, state, entry, applies_to, options)
    if amount <= 0:
        return
    draft = Draft("payment", entry.date, entry.source, entry.source_id, state.currency,
                  f"Payment of {show(amount, state.currency)}" + (f" towards {applies_to}" if applies_to else ""),
                  amount, ref=entry.ref, applies_to=applies_to,
                  body=f"Imported from {title(entry.source)} ({options.file_name})."
                       + (f" {entry.description}" if entry.description else ""))
    add_note(plan, state, "payment", draft, entry, applies_to or entry.ref or "bank")
    if applies_to:
        state.paid[applies_to] = state.paid.get(applies_to, ZERO) + amount


def _reconcile(plan: ImportPlan, state: CaseState, entry: Entry, ref: str, options: Options) -> Decimal:
    """How much of a bank payment on `ref` is money an invoice export already reported paid (and was written).

    An accounting system's paid amount is the bank's money: a statement row for the same invoice is the
    same money, up to what was reported and not yet matched to an earlier row (oldest rows first). That
    part is recorded as a `kind: note` that moves no money, so the match is on file and the next import
    sees the row as done.
    """
    unmatched = state.reported.get(ref, ZERO) - state.reconciled.get(ref, ZERO)
    covered = min(unmatched, entry.amount)
    if covered <= 0:
        return ZERO
    state.reconciled[ref] = state.reconciled.get(ref, ZERO) + covered
    shown = show(covered, state.currency)
    draft = Draft("note", entry.date, entry.source, entry.source_id, state.currency,
                  f"Bank payment of {shown} on {ref} is money already recorded as paid: not counted again",
                  body=f"{title(entry.source)} ({options.file_name}) shows {show(entry.amount, state.currency)} "
                       f"on {entry.date} naming {ref}; {shown} of it is the payment an invoice export already "
                       "reported and the records hold.",
                  more=(("reconciles", ref), ("amount", money.plain(covered, state.currency))))
    add_note(plan, state, "reconciled", draft, entry, ref)
    return covered
