"""Today's actions for a credit controller, most urgent first, within the contact rules.

Pure: figures (from the ledger), settings and "now" in; an `Agenda` out, with
text and JSON views. One item per case, under its most urgent reason (the
others listed as `also`), so a debtor gets one call about everything rather
than several. In priority order:

1. broken-promise      a promise to pay was broken (since the active plan) and nobody has been in touch since
2. missed-installment  a plan installment is missed and nobody has been in touch since it was
3. due-today           an installment or a promise falls due today: watch for the payment
4. follow-up           a note's follow_up date has come and no note has been written since
5. quiet               money is overdue and there has been no contact for [contact] quiet_days
6. never-contacted     a case with money owed and no contact at all yet

"In touch" means any call, email, SMS, letter or meeting, in either
direction. Disputed and on-hold cases are set apart and not chased;
settled and closed cases never appear.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Iterable
from zoneinfo import ZoneInfo

from arrears.pickled import fast_pickle
from arrears import money
from arrears.rules.contact import Verdict, counted_notes, may_contact
from arrears.ledger.figures import CaseFigures, PortfolioFigures
from arrears.ledger.summary import CaseCard, CaseSummary
from arrears.actions import protocol
from arrears.actions.tone import broken_promises, suggest_tone
from arrears.words import long_date as human_date
from arrears.records.model import CONTACT_KINDS, Case, Contact, Settings

PRIORITIES = ("broken-promise", "missed-installment", "due-today", "follow-up", "quiet", "never-contacted")
SET_APART = {"disputed": "an open dispute: resolve it before chasing", "on-hold": "on hold"}
NEVER_LISTED = ("settled", "closed")
CARE = ("vulnerable: gentle tone only; ask how they are before discussing money, go at their pace, "
        "and note any support they need")


@fast_pickle
@dataclass(frozen=True, slots=True)
class Reason:
    code: str  # one of PRIORITIES
    text: str
    amount: Decimal | None = None

    @property
    def priority(self) -> int:
        return PRIORITIES.index(self.code) + 1


@fast_pickle
@dataclass(frozen=True, slots=True)
class AgendaItem:
    figures: CaseFigures | CaseSummary  # a summary once it has left the worker that judged it
    reason: Reason
    also: tuple[Reason, ...]
    contact: Contact | None  # the suggested way to reach them (None: no allowed contact)
    verdict: Verdict | None  # the contact rules on that channel now
    tone: str  # the tone a written reminder would take
    alternatives: tuple[Contact, ...] = ()  # other contacts allowed now, when the suggested one is not

    @property
    def case(self) -> Case | CaseCard:
        return self.figures.case

    @property
    def priority(self) -> int:
        return self.reason.priority

    @property
    def allowed(self) -> bool:
        return self.verdict is not None and self.verdict.allowed

    @property
    def vulnerable(self) -> bool:
        return self.case.vulnerable


@dataclass(frozen=True, slots=True)
class SetApartCase:
    figures: CaseFigures | CaseSummary
    reason: str


@dataclass(frozen=True, slots=True)
class Agenda:
    as_of: date
    now: datetime
    owner: str | None
    items: tuple[AgendaItem, ...]
    set_apart: tuple[SetApartCase, ...] = field(default=())


def start_of_day(day: date, settings: Settings) -> datetime:
    """The start of the calling hours on `day`: the "now" of an agenda asked for --as-of a date."""
    return datetime.combine(day, settings.contact.hours[0], tzinfo=ZoneInfo(settings.timezone))


def build(portfolio: PortfolioFigures, settings: Settings, now: datetime, owner: str | None = None) -> Agenda:
    """The agenda as of `portfolio.as_of`, contact rules judged at `now`, for one `owner` or everyone."""
    return assemble(portfolio.as_of, now, owner, (entry(figures, settings, now, owner) for figures in portfolio.cases))


def entry(figures: CaseFigures, settings: Settings, now: datetime, owner: str | None = None
          ) -> AgendaItem | SetApartCase | None:
    """One case's place on the agenda: an item, set apart, or not listed.

    Cases are judged one at a time, so the site can do it in the worker
    process that parsed the case and keep only the result.
    """
    case = figures.case
    if owner is not None and case.owner != owner or figures.state in NEVER_LISTED or case.opened > figures.as_of:
        return None
    if figures.state in SET_APART:
        return SetApartCase(figures, SET_APART[figures.state])
    apart = protocol.set_apart(figures)  # a breathing space, a letter of claim awaiting its reply
    if apart:
        return SetApartCase(figures, apart)
    found = sorted(reasons(figures, settings), key=lambda r: r.priority)
    if not found:
        return None
    contact = suggested_contact(case)
    verdict = may_contact(case, contact.channel, now, settings) if contact else None
    others = ()
    if verdict is not None and not verdict.allowed:
        others = tuple(c for c in case.debtor.contacts if c.channel != contact.channel
                       and may_contact(case, c.channel, now, settings).allowed)
    return AgendaItem(figures, found[0], tuple(found[1:]), contact, verdict, suggest_tone(figures)[0], others)


def assemble(as_of: date, now: datetime, owner: str | None,
             entries: Iterable[AgendaItem | SetApartCase | None]) -> Agenda:
    """The agenda from each case's entry (in case order): items most urgent first, set-apart cases as listed."""
    items, apart = [], []
    for found in entries:
        if isinstance(found, AgendaItem):
            items.append(found)
        elif found is not None:
            apart.append(found)
    items.sort(key=order)
    return Agenda(as_of, now, owner, tuple(items), tuple(apart))


def order(item: AgendaItem) -> tuple:
    """An action's place on the agenda: most urgent first, then the longest overdue, then by case."""
    return (item.priority, -item.figures.days_past_due, item.case.id)


def suggested_contact(case: Case) -> Contact | None:
    """The preferred contact not opted out; else the address by post, if post is allowed."""
    contact = case.preferred_contact
    if contact is None and case.debtor.address and "post" not in case.do_not_contact:
        contact = Contact("post", case.debtor.address.strip().splitlines()[0])
    return contact


def reasons(figures: CaseFigures, settings: Settings) -> list[Reason]:
    """Every reason to act on this case today, in no particular order."""
    case, today = figures.case, figures.as_of
    show = _shower(case.currency)
    contacts = sorted(n.date for n in counted_notes(case) if n.kind in CONTACT_KINDS and n.date <= today)
    last_contact = contacts[-1] if contacts else None

    def touched_after(day: date) -> bool:
        return last_contact is not None and last_contact > day

    found: list[Reason] = []
    for promise in broken_promises(figures):
        if not touched_after(promise.by):
            found.append(Reason("broken-promise",
                                f"promised {show(promise.amount)} by {human_date(promise.by)}; "
                                f"{show(promise.paid)} paid", promise.amount - promise.paid))
    if figures.plan is not None:
        grace = timedelta(days=figures.plan.plan.grace_days)
        missed = [p for p in figures.plan.installments if p.state == "missed" and not touched_after(p.due + grace)]
        if missed:
            first = missed[0]
            text = (f"installment {first.number} of {figures.plan.total} missed (due {human_date(first.due)})"
                    if len(missed) == 1 else
                    f"{len(missed)} installments missed (the first due {human_date(first.due)})")
            if figures.plan.status == "broken":
                text += "; the plan is broken"
            found.append(Reason("missed-installment", text, sum((p.amount - p.paid for p in missed), Decimal(0))))
        for part in figures.plan.installments:
            if part.due == today and part.state != "paid":
                found.append(Reason("due-today", f"installment {part.number} of {figures.plan.total} due today",
                                    part.amount - part.paid))
    for promise in figures.promises:
        if promise.status == "pending" and promise.by == today:
            found.append(Reason("due-today", f"promise of {show(promise.amount)} due today",
                                promise.amount - promise.paid))
    owed = figures.overdue if figures.overdue > 0 else figures.balance
    if figures.follow_up is not None and figures.follow_up <= today and not _written_since(case, figures.follow_up,
                                                                                             today):
        when = "today" if figures.follow_up == today else f"since {human_date(figures.follow_up)}"
        found.append(Reason("follow-up", f"follow-up due {when}", owed))
    if last_contact is None:
        if figures.balance > 0:
            found.append(Reason("never-contacted", f"no contact yet (case opened {human_date(case.opened)})", owed))
    elif figures.overdue > 0 and (today - last_contact).days >= settings.contact.quiet_days:
        days = (today - last_contact).days
        found.append(Reason("quiet", f"{show(figures.overdue)} overdue and no contact for {days} days "
                                     f"(since {human_date(last_contact)})", figures.overdue))
    return found


def _written_since(case: Case, day: date, today: date) -> bool:
    """Has anyone written a note dated on or after `day` (up to today)? Then the follow-up was acted on."""
    return any(day <= note.date <= today for note in counted_notes(case))


def _shower(currency: str):
    return lambda amount: money.display(amount, currency)


# --- views --------------------------------------------------------------------------------------


def _reason_json(reason: Reason, currency: str) -> dict:
    return {"reason": reason.code, "priority": reason.priority, "detail": reason.text,
            "amount": money.plain(reason.amount, currency) if reason.amount is not None else None}


def to_json(agenda: Agenda) -> dict:
    """The agenda as plain data: `as_of`, `items` in priority order, and `set_apart` cases."""
    items = []
    for item in agenda.items:
        currency = item.case.currency
        verdict = item.verdict
        items.append({
            "case": item.case.id,
            "debtor": item.case.debtor.name,
            "owner": item.case.owner,
            **_reason_json(item.reason, currency),
            "currency": currency,
            "also": [_reason_json(r, currency) for r in item.also],
            "state": item.figures.state,
            "balance": money.plain(item.figures.balance, currency),
            "overdue": money.plain(item.figures.overdue, currency),
            "days_past_due": item.figures.days_past_due,
            "channel": item.contact.channel if item.contact else None,
            "contact": item.contact.value if item.contact else None,
            "allowed": item.allowed,
            "next_allowed": verdict.next_allowed.isoformat() if verdict and verdict.next_allowed else None,
            "blocked_by": (verdict.reason if verdict else "no contact details that are not opted out"),
            "alternatives": [{"channel": c.channel, "contact": c.value} for c in item.alternatives],
            "vulnerable": item.vulnerable,
            "care": CARE if item.vulnerable else None,
            "tone": item.tone,
        })
    apart = [{
        "case": entry.figures.case.id,
        "debtor": entry.figures.case.debtor.name,
        "owner": entry.figures.case.owner,
        "state": entry.figures.state,
        "reason": entry.reason,
        "currency": entry.figures.currency,
        "balance": money.plain(entry.figures.balance, entry.figures.currency),
        "follow_up": entry.figures.follow_up.isoformat() if entry.figures.follow_up else None,
        "vulnerable": entry.figures.case.vulnerable,
    } for entry in agenda.set_apart]
    return {"as_of": agenda.as_of.isoformat(), "now": agenda.now.isoformat(timespec="minutes"),
            "owner": agenda.owner, "items": items, "set_apart": apart}


def to_text(agenda: Agenda) -> str:
    """The agenda for a terminal: numbered actions, then the cases set apart."""
    who = f" for {agenda.owner}" if agenda.owner else ""
    lines = [f"Agenda{who}, {human_date(agenda.as_of)} (contact rules judged at {agenda.now:%H:%M %Z})", ""]
    if not agenda.items:
        lines += ["Nothing to chase today.", ""]
    for number, item in enumerate(agenda.items, start=1):
        case = item.case
        show = _shower(case.currency)
        flag = "  [VULNERABLE]" if item.vulnerable else ""
        lines.append(f"{number:>2}. {case.id}  {case.debtor.name}{flag}")
        amount = f"  {show(item.reason.amount)}" if item.reason.amount is not None else ""
        lines.append(f"    {TITLES[item.reason.code]}: {item.reason.text}{amount}")
        for other in item.also:
            lines.append(f"    also: {other.text}")
        lines.append(f"    {_contact_line(item)}")
        if item.alternatives:
            lines.append("    allowed now instead: " + ", ".join(f"{c.channel} {c.value}" for c in item.alternatives))
        if item.vulnerable:
            lines.append(f"    care: {CARE}")
        if item.contact and item.contact.channel != "phone":
            lines.append(f"    draft: arrears remind {case.id}  (tone: {item.tone})")
        lines.append("")
    if agenda.set_apart:
        lines.append("Set apart, not chased:")
        for entry in agenda.set_apart:
            case = entry.figures.case
            flag = "  [VULNERABLE]" if case.vulnerable else ""
            lines.append(f"  - {case.id}  {case.debtor.name}: {entry.reason}; balance "
                         f"{money.display(entry.figures.balance, case.currency)}{flag}")
        lines.append("")
    return "\n".join(lines)


TITLES = {"broken-promise": "Broken promise", "missed-installment": "Missed installment",
           "due-today": "Due today", "follow-up": "Follow-up", "quiet": "Gone quiet",
           "never-contacted": "New case"}


def _contact_line(item: AgendaItem) -> str:
    if item.contact is None or item.verdict is None:
        return "contact: none allowed (every channel is opted out or unknown): see case.md"
    where = f"{item.contact.channel} {item.contact.value}"
    verdict = item.verdict
    if verdict.allowed:
        return f"contact: {where}, allowed now"
    if verdict.next_allowed is None:
        return f"contact: {where}, not allowed: {verdict.reason}"
    return (f"contact: {where}, not now ({verdict.reason}); "
            f"next allowed {human_date(verdict.next_allowed.date())} {verdict.next_allowed:%H:%M}")
