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
  that case with `applies_to`; any other is listed, never guessed.
Entries are handled in a fixed order (kind, then source_id), so the same rows
in any order give the same files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from arrears import money
from arrears.imports.entries import Entry, Skipped
from arrears.imports.index import PAID_SUFFIX, ZERO, CaseIndex, HandPayment, Known
from arrears.imports.match import Debtors
from arrears.imports.notes import Draft, new_case_text, note_text, title
from arrears.imports.values import file_safe, name_key, slug
from arrears.problems import Problem

ORDER = {"invoice": 0, "credit": 1, "void": 2, "payment": 3}
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9/_.#-]*")


@dataclass(frozen=True, slots=True)
class PlannedNote:
    case: str
    id: str
    what: str  # invoice | credit | payment | correction | void
    draft: Draft
    line: int

    @property
    def text(self) -> str:
        return note_text(self.draft)


@dataclass(frozen=True, slots=True)
class PlannedCase:
    id: str
    name: str
    text: str


@dataclass
class ImportPlan:
    cases: list[PlannedCase] = field(default_factory=list)
    notes: list[PlannedNote] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    unmatched: list[tuple[Entry, str]] = field(default_factory=list)  # payments, and why
    notices: list[tuple[int, str]] = field(default_factory=list)  # (line, what the user should look at)
    problems: list[Problem] = field(default_factory=list)
    unchanged: int = 0

    def counts(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for note in self.notes:
            found[note.what] = found.get(note.what, 0) + 1
        return found


@dataclass
class _State:
    """A case as this import sees it: the index plus what this import has planned so far."""

    id: str
    currency: str
    taken: set[str]
    by_source: dict[tuple[str, str], Known]
    invoices: dict[str, Known]
    paid: dict[str, Decimal]
    hand: list[HandPayment]
    unapplied: Decimal = ZERO
    reported: dict[str, Decimal] = field(default_factory=dict)
    reconciled: dict[str, Decimal] = field(default_factory=dict)
    warned: bool = False


@dataclass(frozen=True, slots=True)
class Options:
    path: str  # the CSV as the user named it, for messages
    file_name: str
    today: date  # --date: corrections and payments without a date of their own
    currency: str  # arrears.toml's
    create_cases: bool = False
    not_after: date | None = None  # entries dated later have not happened yet: skipped


def plan_import(entries: list[Entry], indexes: list[CaseIndex], options: Options) -> ImportPlan:
    plan = ImportPlan()
    debtors = Debtors.of(indexes)
    states: dict[str, _State] = {}
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
        state = states.get(case_id) or states.setdefault(case_id, _state(debtors.cases[case_id]))
        if entry.currency and entry.currency != state.currency:
            plan.problems.append(Problem(options.path, entry.line, entry.column("currency"), "error",
                                         "currency-mismatch",
                                         f"{entry.ref or entry.source_id} is in {entry.currency} but case "
                                         f"{case_id} is kept in {state.currency}"))
            continue
        {"invoice": _invoice, "credit": _credit, "void": _void}[entry.kind](plan, state, entry, options)
    refs = _ref_map(states, debtors)
    for entry in sorted(payments, key=lambda e: (e.date, e.source_id)):  # oldest first: see _payment
        _payment(plan, states, debtors, refs, entry, options)
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


def _state(index: CaseIndex) -> _State:
    return _State(index.id, index.currency, {name.casefold() for name in index.note_ids}, dict(index.by_source),
                  dict(index.invoices), dict(index.paid), list(index.hand_payments), index.unapplied,
                  dict(index.reported), dict(index.reconciled))


def _new_cases(plan: ImportPlan, new_debtors: dict[str, list[Entry]], debtors: Debtors,
               states: dict[str, _State], options: Options) -> list[tuple[Entry, str]]:
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
        states[case_id] = _State(case_id, currency, set(), {}, {}, {}, [])
        debtors.cases[case_id] = CaseIndex(case_id, first.contact or case_id, (key,), (), currency, frozenset())
        placed += [(entry, case_id) for entry in entries]
    return placed


def _add(plan: ImportPlan, state: _State, what: str, draft: Draft, entry: Entry, subject: str) -> PlannedNote:
    stem = f"{draft.date.isoformat()}-{draft.kind}-{file_safe(subject)}"
    note_id, number = stem, 1
    while note_id.casefold() in state.taken:
        number += 1
        note_id = f"{stem}-{number}"
    state.taken.add(note_id.casefold())
    planned = PlannedNote(state.id, note_id, what, draft, entry.line)
    plan.notes.append(planned)
    return planned


def _show(amount: Decimal, currency: str) -> str:
    return money.display(amount, currency)


def _invoice(plan: ImportPlan, state: _State, entry: Entry, options: Options) -> None:
    origin = (entry.source, entry.source_id)
    known = state.by_source.get(origin)
    if known is not None and known.kind == "void":
        known = None
    if known is None:
        known = state.invoices.get(entry.ref or "")
    name = title(entry.source)
    if known is None:
        draft = Draft("invoice", entry.date, entry.source, entry.source_id, state.currency,
                      f"Invoice {entry.ref} for {_show(entry.amount, state.currency)}, due {entry.due}",
                      entry.amount, entry.ref, entry.due, entry.date, entry.description,
                      body=f"Imported from {name} ({options.file_name}).")
        written = _add(plan, state, "invoice", draft, entry, entry.ref or entry.source_id)
        known = Known(written.id, "invoice", entry.date, entry.amount, entry.ref, entry.due, entry.date)
    elif known.amount != entry.amount or known.due != entry.due:
        day = max(options.today, known.date)
        was = f"{_show(known.amount, state.currency)} due {known.due}"
        now = f"{_show(entry.amount, state.currency)} due {entry.due}"
        draft = Draft("invoice", day, entry.source, entry.source_id, state.currency,
                      f"Invoice {entry.ref} corrected: now {now} (was {was})", entry.amount, entry.ref, entry.due,
                      known.issued, entry.description, corrects=known.note_id,
                      body=f"{name} ({options.file_name}) now says {now}; note {known.note_id} said {was}.")
        written = _add(plan, state, "correction", draft, entry, entry.ref or entry.source_id)
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
                      f"Payment of {_show(missing, state.currency)} towards {ref}", missing, applies_to=ref,
                      body=f"{name} ({options.file_name}) says {_show(entry.paid, state.currency)} is paid on "
                           f"{ref}; the records held {_show(recorded, state.currency)}.")
        _add(plan, state, "payment", draft, entry, ref)
        state.paid[ref] = entry.paid
        state.reported[ref] = state.reported.get(ref, ZERO) + missing
        if state.unapplied and not state.warned:
            state.warned = True
            plan.notices.append((entry.line, f"{state.id}: the records hold {_show(state.unapplied, state.currency)} "
                                             "of payments that name no invoice (no applies_to); if one of them is "
                                             f"the money {name} reports paid, it is now counted twice: correct one"))
    elif missing < 0:
        plan.notices.append((entry.line, f"{state.id}: the records hold {_show(recorded, state.currency)} paid "
                                         f"on {ref} but {name} says {_show(entry.paid, state.currency)}: "
                                         "nothing written; check the payments"))


def _credit(plan: ImportPlan, state: _State, entry: Entry, options: Options) -> None:
    origin = (entry.source, entry.source_id)
    known = state.by_source.get(origin)
    if known is not None and known.kind == "void":
        known = None
    name = title(entry.source)
    subject = entry.ref or entry.source_id
    if known is None:
        draft = Draft("credit", entry.date, entry.source, entry.source_id, state.currency,
                      f"Credit note {subject} for {_show(entry.amount, state.currency)}", entry.amount,
                      body=f"Imported from {name} ({options.file_name})."
                           + (f" {entry.description}" if entry.description else ""))
        written = _add(plan, state, "credit", draft, entry, subject)
        state.by_source[origin] = Known(written.id, "credit", entry.date, entry.amount)
    elif known.amount != entry.amount:
        day = max(options.today, known.date)
        draft = Draft("credit", day, entry.source, entry.source_id, state.currency,
                      f"Credit note {subject} corrected: now {_show(entry.amount, state.currency)} "
                      f"(was {_show(known.amount, state.currency)})", entry.amount, corrects=known.note_id,
                      body=f"{name} ({options.file_name}) now says {_show(entry.amount, state.currency)}.")
        written = _add(plan, state, "correction", draft, entry, subject)
        state.by_source[origin] = Known(written.id, "credit", day, entry.amount)
    else:
        plan.unchanged += 1


def _void(plan: ImportPlan, state: _State, entry: Entry, options: Options) -> None:
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
    written = _add(plan, state, "void", draft, entry, subject)
    if known.kind == "invoice" and known.ref:
        state.invoices.pop(known.ref, None)
    state.by_source[origin] = Known(written.id, "void", day)
    paid = state.paid.get(known.ref or "", ZERO) if known.ref else ZERO
    if paid > 0:
        plan.notices.append((entry.line, f"{state.id}: {subject} is {entry.description} but the records hold "
                                         f"{_show(paid, state.currency)} paid on it: check those payments"))


def _normal(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.casefold())


def _ref_map(states: dict[str, _State], debtors: Debtors) -> dict[str, set[tuple[str, str]]]:
    """Invoice number (letters and digits only, any case) -> the (case, ref) pairs it names."""
    refs: dict[str, set[tuple[str, str]]] = {}
    for case_id, index in debtors.cases.items():
        invoices = states[case_id].invoices if case_id in states else index.invoices
        for ref in invoices:
            key = _normal(ref)
            if len(key) >= 3:
                refs.setdefault(key, set()).add((case_id, ref))
    return refs


def _payment(plan: ImportPlan, states: dict[str, _State], debtors: Debtors, refs, entry: Entry,
             options: Options) -> None:
    if (entry.source, entry.source_id) in debtors.by_origin:
        plan.unchanged += 1
        return
    text = entry.ref or entry.description or ""
    candidates = set(refs.get(_normal(text), set())) if text else set()
    if not candidates:
        for token in _TOKEN.findall(text):
            candidates |= refs.get(_normal(token), set())
    what = entry.ref or entry.description or entry.source_id
    shown = _show(entry.amount, entry.currency or options.currency)
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
    state = states.get(case_id) or states.setdefault(case_id, _state(debtors.cases[case_id]))
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
                  f"Payment of {_show(amount, state.currency)}" + (f" towards {applies_to}" if applies_to else ""),
                  amount, ref=entry.ref, applies_to=applies_to,
                  body=f"Imported from {title(entry.source)} ({options.file_name})."
                       + (f" {entry.description}" if entry.description else ""))
    _add(plan, state, "payment", draft, entry, applies_to or entry.ref or "bank")
    if applies_to:
        state.paid[applies_to] = state.paid.get(applies_to, ZERO) + amount


def _reconcile(plan: ImportPlan, state: _State, entry: Entry, ref: str, options: Options) -> Decimal:
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
    shown = _show(covered, state.currency)
    draft = Draft("note", entry.date, entry.source, entry.source_id, state.currency,
                  f"Bank payment of {shown} on {ref} is money already recorded as paid: not counted again",
                  body=f"{title(entry.source)} ({options.file_name}) shows {_show(entry.amount, state.currency)} "
                       f"on {entry.date} naming {ref}; {shown} of it is the payment an invoice export already "
                       "reported and the records hold.",
                  more=(("reconciles", ref), ("amount", money.plain(covered, state.currency))))
    _add(plan, state, "reconciled", draft, entry, ref)
    return covered
