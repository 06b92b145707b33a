"""Entries + the records already there -> the notes and cases to write. Pure: no disk, no clock.

The rules, from records-v1 section 12:
- an entry already imported (same source and source_id) and unchanged writes nothing;
- a changed amount or due date writes a note that `corrects:` the earlier one,
  dated `--date` (never before the note it corrects), keeping ref and issued;
- a paid amount writes a payment only for what the records do not hold yet
  for that invoice, counting every payment with `applies_to` it (typed by
  hand or imported);
- a voided or deleted invoice that an earlier import wrote gets a `kind: note`
  that corrects (voids) it;
- a bank payment whose reference names exactly one invoice is recorded on
  that case with `applies_to`; any other is listed, never guessed (`reconcile`).
Entries are handled in a fixed order (kind, then source_id; payments oldest
first), so the same rows in any order give the same files.
"""

from __future__ import annotations

from arrears.imports.entries import Entry, Skipped
from arrears.imports.index import PAID_SUFFIX, ZERO, CaseIndex, Known
from arrears.imports.match import Debtors
from arrears.imports.notes import Draft, new_case_text, title
from arrears.imports.planned import (CaseState, ImportPlan, Options, PlannedCase, PlannedNote, add_note,
                                     case_state, show)
from arrears.imports.reconcile import record_payment, ref_map
from arrears.imports.values import name_key, slug
from arrears.problems import Problem

__all__ = ["ImportPlan", "Options", "PlannedCase", "PlannedNote", "plan_import"]

ORDER = {"invoice": 0, "credit": 1, "void": 2, "payment": 3}


def plan_import(entries: list[Entry], indexes: list[CaseIndex], options: Options) -> ImportPlan:
    plan = ImportPlan()
    debtors = Debtors.of(indexes)
    states: dict[str, CaseState] = {}
    new_debtors: dict[str, list[Entry]] = {}  # name_key -> entries, for --create-cases
    ordered = sorted(_happened(entries, plan, options), key=lambda e: (ORDER[e.kind], e.source_id, e.date, e.amount))
    placed: list[tuple[Entry, str]] = []
    payments = [e for e in ordered if e.kind == "payment"]
    for entry in ordered:
        if entry.kind == "payment":
            continue
        if entry.kind == "void":  # only what an earlier import wrote can be voided
            case_id = debtors.by_origin.get((entry.source, entry.source_id))
            if case_id is None:
                plan.skipped.append(Skipped(entry.line, entry.ref or entry.source_id,
                                            f"{entry.description} (never imported: nothing to void)"))
            else:
                placed.append((entry, case_id))
            continue
        case_id, why = debtors.find(entry)
        if case_id is None and why == "" and entry.contact:
            if options.create_cases:
                new_debtors.setdefault(name_key(entry.contact), []).append(entry)
                continue
            why = (f"unknown debtor {entry.contact!r}: no case has this debtor.name, contact e-mail or "
                   "extra.source_names; run with --create-cases to open one, or add the name to the right "
                   "case's extra.source_names")
        if case_id is None:
            plan.problems.append(Problem(options.path, entry.line, entry.column("contact"), "error",
                                         "unknown-debtor" if why.startswith("unknown") else "ambiguous-debtor", why))
            continue
        placed.append((entry, case_id))
    for entry, case_id in _new_cases(plan, new_debtors, debtors, states, options):
        placed.append((entry, case_id))
    placed.sort(key=lambda pair: (ORDER[pair[0].kind], pair[0].source_id, pair[0].date, pair[0].amount))
    for entry, case_id in placed:
        state = states.get(case_id) or states.setdefault(case_id, case_state(debtors.cases[case_id]))
        if entry.currency and entry.currency != state.currency:
            plan.problems.append(Problem(options.path, entry.line, entry.column("currency"), "error",
                                         "currency-mismatch",
                                         f"{entry.ref or entry.source_id} is in {entry.currency} but case "
                                         f"{case_id} is kept in {state.currency}"))
            continue
        {"invoice": _invoice, "credit": _credit, "void": _void}[entry.kind](plan, state, entry, options)
    refs = ref_map(states, debtors)
    for entry in sorted(payments, key=lambda e: (e.date, e.source_id)):  # oldest first: see _payment
        record_payment(plan, states, debtors, refs, entry, options)
    plan.notes.sort(key=lambda note: (note.case, note.id))
    return plan


def _happened(entries: list[Entry], plan: ImportPlan, options: Options) -> list[Entry]:
    """An invoice or payment dated after today is not a debt or a payment yet (and `check` would flag its
    date): it is skipped, and imported by a later run on or after its date."""
    if options.not_after is None:
        return entries
    kept = []
    for entry in entries:
        if entry.kind != "void" and entry.date > options.not_after:
            plan.skipped.append(Skipped(entry.line, entry.ref or entry.source_id,
                                        f"dated {entry.date}, after today (import it again on or after that day)"))
        else:
            kept.append(entry)
    return kept


def _new_cases(plan: ImportPlan, new_debtors: dict[str, list[Entry]], debtors: Debtors,
               states: dict[str, CaseState], options: Options) -> list[tuple[Entry, str]]:
    """One new case per unknown debtor (--create-cases), its id from the name: unique, and the same every run."""
    taken = set(debtors.cases)
    placed = []
    for key in sorted(new_debtors):
        entries = new_debtors[key]
        first = entries[0]
        base = slug(first.contact or "debtor")
        case_id, number = base, 1
        while case_id in taken:
            number += 1
            case_id = f"{base}-{number}"
        taken.add(case_id)
        currencies = sorted({e.currency for e in entries if e.currency})
        if len(currencies) > 1:
            for entry in entries:
                if entry.currency != currencies[0]:
                    plan.problems.append(Problem(options.path, entry.line, entry.column("currency"), "error",
                                                 "currency-mismatch",
                                                 f"{first.contact} has invoices in {', '.join(currencies)}: a "
                                                 "case is kept in one currency; open a case per currency by hand"))
            continue
        currency = currencies[0] if currencies else options.currency
        email = next((e.email for e in entries if e.email), None)
        opened = min(e.date for e in entries)
        text = new_case_text(case_id, first.contact or case_id, opened, email,
                             currency if currency != options.currency else None, first.source, options.file_name)
        plan.cases.append(PlannedCase(case_id, first.contact or case_id, text))
        states[case_id] = CaseState(case_id, currency, set(), {}, {}, {}, [])
        debtors.cases[case_id] = CaseIndex(case_id, first.contact or case_id, (key,), (), currency, frozenset())
        placed += [(entry, case_id) for entry in entries]
    return placed


def _invoice(plan: ImportPlan, state: CaseState, entry: Entry, options: Options) -> None:
    origin = (entry.source, entry.source_id)
    known = state.by_source.get(origin)
    if known is not None and known.kind == "void":
        known = None
    if known is None:
        known = state.invoices.get(entry.ref or "")
    name = title(entry.source)
    if known is None:
        draft = Draft("invoice", entry.date, entry.source, entry.source_id, state.currency,
                      f"Invoice {entry.ref} for {show(entry.amount, state.currency)}, due {entry.due}",
                      entry.amount, entry.ref, entry.due, entry.date, entry.description,
                      body=f"Imported from {name} ({options.file_name}).")
        written = add_note(plan, state, "invoice", draft, entry, entry.ref or entry.source_id)
        known = Known(written.id, "invoice", entry.date, entry.amount, entry.ref, entry.due, entry.date)
    elif known.amount != entry.amount or known.due != entry.due:
        day = max(options.today, known.date)
        was = f"{show(known.amount, state.currency)} due {known.due}"
        now = f"{show(entry.amount, state.currency)} due {entry.due}"
        draft = Draft("invoice", day, entry.source, entry.source_id, state.currency,
                      f"Invoice {entry.ref} corrected: now {now} (was {was})", entry.amount, entry.ref, entry.due,
                      known.issued, entry.description, corrects=known.note_id,
                      body=f"{name} ({options.file_name}) now says {now}; note {known.note_id} said {was}.")
        written = add_note(plan, state, "correction", draft, entry, entry.ref or entry.source_id)
        known = Known(written.id, "invoice", day, entry.amount, entry.ref, entry.due, known.issued)
    else:
        plan.unchanged += 1
    state.by_source[origin] = known
    state.invoices[known.ref or ""] = known
    if entry.paid is None:
        return
    ref = known.ref or ""
    recorded = state.paid.get(ref, ZERO)
    missing = entry.paid - recorded
    if missing > 0:
        day = entry.paid_date or options.today
        draft = Draft("payment", day, entry.source, f"{entry.source_id}{PAID_SUFFIX}", state.currency,
                      f"Payment of {show(missing, state.currency)} towards {ref}", missing, applies_to=ref,
                      body=f"{name} ({options.file_name}) says {show(entry.paid, state.currency)} is paid on "
                           f"{ref}; the records held {show(recorded, state.currency)}.")
        add_note(plan, state, "payment", draft, entry, ref)
        state.paid[ref] = entry.paid
        state.reported[ref] = state.reported.get(ref, ZERO) + missing
        if state.unapplied and not state.warned:
            state.warned = True
            plan.notices.append((entry.line, f"{state.id}: the records hold {show(state.unapplied, state.currency)} "
                                             "of payments that name no invoice (no applies_to); if one of them is "
                                             f"the money {name} reports paid, it is now counted twice: correct one"))
    elif missing < 0:
        plan.notices.append((entry.line, f"{state.id}: the records hold {show(recorded, state.currency)} paid "
                                         f"on {ref} but {name} says {show(entry.paid, state.currency)}: "
                                         "nothing written; check the payments"))


def _credit(plan: ImportPlan, state: CaseState, entry: Entry, options: Options) -> None:
    origin = (entry.source, entry.source_id)
    known = state.by_source.get(origin)
    if known is not None and known.kind == "void":
        known = None
    name = title(entry.source)
    subject = entry.ref or entry.source_id
    if known is None:
        draft = Draft("credit", entry.date, entry.source, entry.source_id, state.currency,
                      f"Credit note {subject} for {show(entry.amount, state.currency)}", entry.amount,
                      body=f"Imported from {name} ({options.file_name})."
                           + (f" {entry.description}" if entry.description else ""))
        written = add_note(plan, state, "credit", draft, entry, subject)
        state.by_source[origin] = Known(written.id, "credit", entry.date, entry.amount)
    elif known.amount != entry.amount:
        day = max(options.today, known.date)
        draft = Draft("credit", day, entry.source, entry.source_id, state.currency,
                      f"Credit note {subject} corrected: now {show(entry.amount, state.currency)} "
                      f"(was {show(known.amount, state.currency)})", entry.amount, corrects=known.note_id,
                      body=f"{name} ({options.file_name}) now says {show(entry.amount, state.currency)}.")
        written = add_note(plan, state, "correction", draft, entry, subject)
        state.by_source[origin] = Known(written.id, "credit", day, entry.amount)
    else:
        plan.unchanged += 1


def _void(plan: ImportPlan, state: CaseState, entry: Entry, options: Options) -> None:
    origin = (entry.source, entry.source_id)
    known = state.by_source.get(origin)
    subject = entry.ref or entry.source_id
    if known is None:
        plan.skipped.append(Skipped(entry.line, subject, f"{entry.description} (never imported: nothing to void)"))
        return
    if known.kind == "void":
        plan.unchanged += 1
        return
    day = max(options.today, known.date)
    name = title(entry.source)
    draft = Draft("note", day, entry.source, entry.source_id, state.currency,
                  f"{subject} {entry.description} in {name}: note {known.note_id} no longer counts",
                  corrects=known.note_id, body=f"{name} ({options.file_name}) marks {subject} {entry.description}.")
    written = add_note(plan, state, "void", draft, entry, subject)
    if known.kind == "invoice" and known.ref:
        state.invoices.pop(known.ref, None)
    state.by_source[origin] = Known(written.id, "void", day)
    paid = state.paid.get(known.ref or "", ZERO) if known.ref else ZERO
    if paid > 0:
        plan.notices.append((entry.line, f"{state.id}: {subject} is {entry.description} but the records hold "
                                         f"{show(paid, state.currency)} paid on it: check those payments"))
