"""What each page shows: plain contexts built from the figures, ready for the templates.

Nothing here computes money: amounts come from the ledger's figures and are
only summed per currency for the dashboard (Decimal, exact). Templates stay
simple because every decision (what is urgent, what is struck through, what
a link points to) is made here, where it can be tested without HTML.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from datetime import date
from typing import Iterable, Iterator, Sequence, Sized
from urllib.parse import quote

from markupsafe import Markup

from arrears import money, words
from arrears.actions.agenda import TITLES, AgendaItem
from arrears.views.workings import workings
from arrears.ledger.figures import AGING_BUCKETS, STATES, CaseFigures
from arrears.ledger.compute import add_to_totals
from arrears.ledger.summary import Listed
from arrears.git.history import Commit, History, case_log
from arrears.records.model import CONTACT_KINDS, BreathingSpace, Case, Contacting, Credit, Dispute, Fee, Invoice, Note, Payment, Plan, Portfolio
from arrears.ledger.insight import Insight
from arrears.site import links
from arrears.site import charts, insight_page, paging
from arrears.site.paging import Pager
from arrears.site.attachments import label as attachment_label, published_name
from arrears.site.markdown import render



def case_href(case_id: str) -> str:
    """Where a case page lives, relative to the site's root."""
    return f"cases/{case_id}/index.html"


def file_href(name: str) -> str:
    """An attachment's link relative to its case page (names may hold spaces or `#`): to the site's
    copy, which for a type a browser would run is a zip (see site/attachments.py)."""
    return "files/" + quote(published_name(name))


# --- the worklist -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Task:
    """One line of today's worklist: an action from the agenda."""

    rank: int  # the agenda's priority: lower is more urgent
    figures: CaseFigures
    reasons: tuple[str, ...]
    amount: Decimal | None  # the agenda's amount for its first reason (None: none to show)


def worklist(items: Iterable[AgendaItem]) -> list[Task]:
    """The dashboard's worklist is the agenda: the same actions, in its order, with its amounts."""
    return [Task(item.priority, item.figures,
                 (f"{TITLES[item.reason.code]}: {item.reason.text}", *(other.text for other in item.also)),
                 item.reason.amount) for item in items]


# --- the dashboard ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CurrencyTotals:
    currency: str
    balance: Decimal
    overdue: Decimal
    cases: int
    overdue_cases: int
    unpaid: Decimal  # the sum of the aging buckets: nothing to chart when zero
    aging: tuple[tuple[charts.Bar, Markup], ...]
    charged: Decimal = Decimal(0)  # interest and compensation included in the balance


class Tally:
    """What the dashboard adds up over every case, met one case at a time (see `listings`): per
    currency what `ledger.compute.collect` totals, the cases, those overdue and the aging; the
    states, owners and tags. So the listing pages never hold every case's figures at once.

    A case can be taken out again (`remove`), so that a rebuild after a payment adjusts the last
    build's tally by the cases that changed instead of meeting every case again: every figure is
    a sum or a count, and what no case contributes any more (a currency, an owner) is dropped, as
    a tally made afresh would never have had it."""

    def __init__(self) -> None:
        self.money: dict[str, dict[str, Decimal]] = {}  # as `PortfolioFigures.totals` (`compute.add_to_totals`)
        self.currencies: dict[str, dict] = {}  # currency -> its cases, those overdue, its aging
        self.states: Counter = Counter()
        self.owner_counts: Counter = Counter()
        self.tag_counts: Counter = Counter()

    @property
    def owners(self) -> set[str]:
        return set(self.owner_counts)

    @property
    def tags(self) -> set[str]:
        return set(self.tag_counts)

    def add(self, f: Listed) -> None:
        self._count(f, 1)

    def remove(self, f: Listed) -> None:
        """Take out a case `add` met before (with the same figures)."""
        self._count(f, -1)

    def _count(self, f: Listed, sign: int) -> None:
        sums = self.currencies.get(f.currency)
        if sums is None:
            if sign < 0:
                raise KeyError(f"no case in {f.currency} to take out")
            sums = self.currencies[f.currency] = _currency_sums()
        sums["cases"] += sign
        if not sums["cases"]:  # no case in this currency any more
            del self.currencies[f.currency], self.money[f.currency]
        else:
            add_to_totals(self.money, f, sign)
            sums["overdue_cases"] += sign * (f.overdue > 0)
            aging = sums["aging"]
            for bucket in AGING_BUCKETS:
                aging[bucket] += sign * f.aging.get(bucket, Decimal(0))
        _count(self.states, [f.state], sign)
        _count(self.owner_counts, [f.case.owner] if f.case.owner else [], sign)
        _count(self.tag_counts, f.case.tags, sign)

    def merge(self, other: Tally) -> None:
        """Add in another tally (of other cases): as if this one had met its cases too. Every figure
        is an exact sum or a count, so the order the cases were met in does not show."""
        for currency, totals in other.money.items():
            mine = self.money.setdefault(currency, dict.fromkeys(totals, Decimal(0)))
            for key, amount in totals.items():
                mine[key] += amount
        for currency, sums in other.currencies.items():
            mine = self.currencies.setdefault(currency, _currency_sums())
            mine["cases"] += sums["cases"]
            mine["overdue_cases"] += sums["overdue_cases"]
            for bucket, amount in sums["aging"].items():
                mine["aging"][bucket] += amount
        self.states.update(other.states)
        self.owner_counts.update(other.owner_counts)
        self.tag_counts.update(other.tag_counts)

    def totals(self) -> dict[str, dict[str, Decimal]]:
        """As `PortfolioFigures.totals`: currency -> balance, overdue, interest, compensation.

        Each in its currency's decimal places: a sum of Decimals keeps the most places any case
        gave it (0 beside 0.00), so a tally adjusted case by case could otherwise differ in form
        from one made afresh."""
        return {currency: {key: money.to_minor(value, currency) for key, value in sums.items()}
                for currency, sums in sorted(self.money.items())}

    def aging(self, currency: str) -> dict[str, Decimal]:
        """A currency's aging, bucket by bucket (in its decimal places, as `totals`)."""
        return {bucket: money.to_minor(value, currency) for bucket, value in self.currencies[currency]["aging"].items()}


def _currency_sums() -> dict:
    """A currency's cases, those overdue and its aging, before any case is counted in."""
    return {"cases": 0, "overdue_cases": 0, "aging": {bucket: Decimal(0) for bucket in AGING_BUCKETS}}


def _count(counts: Counter, keys: Iterable[str], sign: int) -> None:
    """Count these keys in (sign 1) or out (-1), keeping no key at nought (as a fresh count has none)."""
    for key in keys:
        counts[key] += sign
        if not counts[key]:
            del counts[key]


def currency_totals(counted: Tally) -> list[CurrencyTotals]:
    """Balance, overdue and aging per currency (amounts in different currencies never add up)."""
    result = []
    totals = counted.totals()
    for currency, sums in sorted(counted.currencies.items()):
        money_sums = totals[currency]
        aging = counted.aging(currency)
        rows = [charts.Bar("Not yet due" if bucket == "current" else f"{bucket} days", aging[bucket],
                           money.display(aging[bucket], currency), f"aging-{i}")
                for i, bucket in enumerate(AGING_BUCKETS)]
        result.append(CurrencyTotals(
            currency=currency,
            balance=money_sums["balance"],
            overdue=money_sums["overdue"],
            cases=sums["cases"],
            overdue_cases=sums["overdue_cases"],
            unpaid=sum(aging.values(), Decimal(0)),
            aging=tuple(charts.bars(rows)),
            charged=money_sums["interest"] + money_sums["compensation"],
        ))
    return result


def state_bars(counted: Tally) -> list[tuple[charts.Bar, Markup]]:
    """How many cases are in each state, in the ledger's order of precedence."""
    counts = counted.states
    rows = [charts.Bar(_words(state), Decimal(counts[state]), str(counts[state]), f"state-{state}")
            for state in STATES if counts[state]]
    return charts.bars(rows)


WORKLIST = 12
"""Actions the dashboard's worklist shows (the agenda has them all)."""


def dashboard(counted: Tally, as_of: date, first_actions: Sequence[AgendaItem], actions: int,
              cases: Sized, table: Sequence[Listed], rows: dict[str, Markup] | None = None,
              insight: Insight | None = None, pager: Pager | None = None) -> dict:
    """The context of index.html. `first_actions`: the agenda's first `WORKLIST` actions (the
    worklist), of `actions` in all; `cases`: every case (only counted, unless a template iterates
    it); `table`: the cases of the table's first page when the list is paged (see `paging` and
    `pager`), else every case; `rows`: the table's rows already rendered, by case id (see
    `case_row`); `insight`: the figures behind the DSO and expected-receipts cards."""
    tasks = worklist(first_actions[:WORKLIST])
    return {
        "insight": insight_page.dashboard_summary(insight),
        "page": "dashboard",
        "base": "",
        "title": "Dashboard",
        "as_of": as_of,
        "currencies": currency_totals(counted),
        "states": state_bars(counted),
        "state_names": [s for s in STATES if counted.states[s]],
        "owners": sorted(counted.owners),
        "tags": sorted(counted.tags),
        "tasks": tasks,
        "more_tasks": max(0, actions - WORKLIST),
        "cases": cases,
        "table": list(table),
        "pager": pager,
        "case_index": paging.INDEX,
        "attention": actions,
        "case_href": case_href,
        "state_order": STATE_ORDER,
        "rows": rows or {},
    }


STATE_ORDER = {state: index for index, state in enumerate(STATES)}


TABLE = ("page", "base", "as_of", "cases", "pager", "case_index", "case_href", "state_order", "state_names",
         "owners", "tags")
"""What page k of a paged case list takes from the dashboard's context: the table and its tools.
Not the totals, the charts or the worklist, so a payment rewrites only the page that lists its case."""


def case_list(board: dict, table: Sequence[Listed], pager: Pager) -> dict:
    """The context of cases-<k>.html, page k of a paged case list: the dashboard's table and tools
    (`board` is the dashboard's context, with that page's `rows`) with that page's cases."""
    return {**{key: board[key] for key in TABLE}, "rows": board["rows"], "page": "cases",
            "title": f"All cases, page {pager.number} of {pager.count}", "table": list(table), "pager": pager}


def case_row(figures: Listed, as_of: date) -> dict:
    """The context of partials/case_row.html, the dashboard's row for one case: what it is rendered
    from in the build's workers must be what the dashboard's own loop would give it."""
    return {"f": figures, "as_of": as_of, "case_href": case_href, "state_order": STATE_ORDER}


# --- a case page -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """A note as the timeline shows it."""

    note: Note
    headline: str
    facts: tuple[tuple[str, str], ...]
    body: Markup
    files: tuple[str, ...]
    corrected_by: str | None  # the note that replaces this one, if any
    is_contact: bool
    recorded: Commit | None = None  # the commit that first recorded the note (None: outside Git, or not yet)


@dataclass(frozen=True, slots=True)
class StatementLine:
    """One money event on the statement of account; `balance` is shown on a day's last line."""

    date: date
    description: str
    charge: Decimal | None
    credit: Decimal | None
    balance: Decimal | None


@dataclass(frozen=True, slots=True)
class PlanTerms:
    """A plan's terms in words, for plans shown without figures (superseded ones)."""

    plan: Plan
    terms: str
    body: Markup


def timeline(case: Case, figures: CaseFigures, history: History | None = None) -> list[TimelineEntry]:
    """Every note dated on or before the as-of date, newest first (with who recorded it, from Git)."""
    case_dir = f"cases/{case.id}"
    entries = []
    for note in sorted((n for n in case.notes if n.date <= figures.as_of), key=lambda n: n.sort_key, reverse=True):
        rendered = render(note.body, f"{case_dir}/notes", case_dir)
        entries.append(TimelineEntry(
            note=note,
            headline=headline(note, case.currency),
            facts=tuple(facts(note, case.currency)),
            body=rendered.html,
            files=tuple(rendered.files),
            corrected_by=figures.corrected_by.get(note.id),
            is_contact=note.kind in CONTACT_KINDS,
            recorded=history.note_recorded(case.id, note.id) if history else None,
        ))
    return entries


def headline(note: Note, currency: str) -> str:
    """The note's own summary, else a sentence made from its kind and fields."""
    if note.summary:
        return note.summary
    detail = note.detail
    amount = money.display(note.amount, currency) if note.amount is not None else ""
    if isinstance(detail, Invoice):
        return f"Invoice {detail.ref} for {amount}, due {_day(detail.due)}"
    if isinstance(detail, Payment):
        return f"Payment of {amount} received"
    if isinstance(detail, Fee):
        return f"Fee of {amount}" + (f": {detail.reason}" if detail.reason else "")
    if isinstance(detail, Credit):
        return f"Credit of {amount} ({_words(detail.reason)})"
    if isinstance(detail, Dispute):
        return f"Dispute {'opened' if detail.state == 'open' else 'resolved'}" + (f" on {detail.ref}" if detail.ref else "")
    if isinstance(detail, Contacting):
        what = {"call": "call", "email": "email", "sms": "text message", "letter": "letter", "meeting": "meeting"}[note.kind]
        text = f"{'Incoming' if detail.direction == 'in' else 'Outgoing'} {what}"
        return text + (f": {_words(detail.outcome).lower()}" if detail.outcome else "")
    return "Note"


def facts(note: Note, currency: str) -> Iterator[tuple[str, str]]:
    """The note's fields worth a glance, as (label, text) pairs."""
    detail = note.detail
    if note.amount is not None:
        yield "Amount", money.display(note.amount, currency)
    if isinstance(detail, Invoice):
        yield "Ref", detail.ref
        yield "Due", _day(detail.due)
        if detail.issued != note.date:
            yield "Issued", _day(detail.issued)
        if detail.description:
            yield "For", detail.description
    elif isinstance(detail, Payment):
        for label, value in (("Method", detail.method), ("Ref", detail.ref), ("Applies to", detail.applies_to)):
            if value:
                yield label, _words(value) if label == "Method" else value
    elif isinstance(detail, (Fee, Credit)) and detail.reason:
        yield "Reason", _words(detail.reason) if isinstance(detail, Credit) else detail.reason
    elif isinstance(detail, Dispute):
        yield "Dispute", _words(detail.state)
        if detail.ref:
            yield "Invoice", detail.ref
    elif isinstance(detail, Contacting) and detail.outcome:
        yield "Outcome", _words(detail.outcome)
    elif isinstance(detail, BreathingSpace):
        for label, value in (("Type", detail.type and _words(detail.type)), ("Start", detail.start and _day(detail.start)),
                             ("End", detail.end and _day(detail.end)), ("Ref", detail.ref)):
            if value:
                yield label, value
    if note.promise is not None:
        yield "Promise", f"{money.display(note.promise.amount, currency)} by {_day(note.promise.by)}"
    if note.follow_up is not None:
        yield "Follow-up", _day(note.follow_up)


def statement(case: Case, figures: CaseFigures) -> list[StatementLine]:
    """Invoices, fees, payments and credits up to the as-of date, with the ledger's balance per day.

    Corrected notes are left out (their correction is listed instead); the
    balance column is the ledger's, so it includes anything the ledger adds
    (such as an earned discount) on the day it counts.
    """
    closing = {point.date: point.balance for point in figures.history}
    charged = figures.totals.interest + figures.totals.compensation
    if charged and figures.as_of in closing:  # the ledger's last point adds the charges, listed below instead
        closing[figures.as_of] -= charged
    lines = []
    notes = [n for n in case.notes if n.date <= figures.as_of and n.amount is not None
             and n.id not in figures.corrected_by]
    for index, note in enumerate(notes):
        last_of_day = index + 1 == len(notes) or notes[index + 1].date != note.date
        charge = note.amount if isinstance(note.detail, (Invoice, Fee)) else None
        lines.append(StatementLine(
            date=note.date,
            description=_statement_text(note),
            charge=charge,
            credit=None if charge is not None else note.amount,
            balance=closing.get(note.date) if last_of_day else None,
        ))
    shown = [c for c in figures.charges if c.amount]
    for index, charge in enumerate(shown):
        if charge.kind == "interest":
            text = f"{charge.label}, {_day(charge.periods[0].start)} to {_day(charge.periods[-1].end)}"
        else:
            text = f"{charge.label}, owed from {_day(charge.due)}"
        lines.append(StatementLine(date=figures.as_of, description=text, charge=charge.amount, credit=None,
                                   balance=figures.balance if index + 1 == len(shown) else None))
    return lines


def _statement_text(note: Note) -> str:
    detail = note.detail
    if isinstance(detail, Invoice):
        return f"Invoice {detail.ref}" + (f": {detail.description}" if detail.description else "")
    if isinstance(detail, Payment):
        return "Payment received" + (f", ref {detail.ref}" if detail.ref else "")
    if isinstance(detail, Fee):
        return "Fee" + (f": {detail.reason}" if detail.reason else "")
    if isinstance(detail, Credit):
        return f"Credit: {_words(detail.reason).lower()}"
    return _words(note.kind)


def plan_terms(plan: Plan, currency: str) -> PlanTerms:
    """`6 monthly payments from 1 Apr 2026`, or `£200.00 each fortnight from ...`, or the list."""
    if plan.schedule is not None:
        s = plan.schedule
        every = {"week": "weekly", "fortnight": "fortnightly", "month": "monthly", "quarter": "quarterly"}[s.every]
        start = words.short_date(s.start)
        if s.count:
            terms = f"{s.count} {every} payments from {start}"
        else:
            terms = f"{money.display(s.installment or Decimal(0), currency)} {every} from {start}"
    elif plan.installments:
        terms = "; ".join(f"{money.display(i.amount, currency)} on {words.short_date(i.due)}"
                          for i in plan.installments)
    else:
        terms = ""
    if plan.amount is not None:
        terms = f"{money.display(plan.amount, currency)}: {terms}" if terms else money.display(plan.amount, currency)
    return PlanTerms(plan, terms, render(plan.body, f"cases/{plan.case}/plans", f"cases/{plan.case}").html)


def case_page(portfolio: Portfolio, figures: CaseFigures, attachments: Sequence[str],
              history: History | None = None) -> dict:
    """The context of cases/<id>/index.html; `history` (from Git, None outside it) adds who recorded what."""
    case = figures.case
    story = render(case.story, f"cases/{case.id}", f"cases/{case.id}")
    active = figures.plan
    return {
        "page": "case",
        "base": "../../",
        "title": case.debtor.name,
        "as_of": figures.as_of,
        "case": case,
        "f": figures,
        "currency": case.currency,
        "contacts": [(c, c.channel in case.do_not_contact, links.contact_href(case, c)) for c in case.debtor.contacts],
        "preferred": case.preferred_contact,
        "story": story.html,
        "plan": active,
        "plan_body": render(active.plan.body, f"cases/{case.id}/plans", f"cases/{case.id}").html if active else "",
        "superseded": [plan_terms(p, case.currency) for p in sorted(figures.superseded, key=lambda p: p.sort_key,
                                                                         reverse=True)],
        "chart": charts.balance_chart(figures.history, case.currency, case.opened, figures.as_of),
        "promises": sorted(figures.promises, key=lambda p: (p.made, p.note_id), reverse=True),
        "timeline": timeline(case, figures, history),
        "history": case_log(history, case.id) if history else None,
        "statement": statement(case, figures),
        "workings": workings(figures),
        "payment_instructions": portfolio.settings.payment_instructions,
        "attachments": [(attachment_label(name), file_href(name)) for name in attachments],
        "file_href": file_href,
        "aging": charts.bars([charts.Bar("Not yet due" if b == "current" else f"{b} days", figures.aging.get(b, Decimal(0)),
                                         money.display(figures.aging.get(b, Decimal(0)), case.currency), f"aging-{i}")
                              for i, b in enumerate(AGING_BUCKETS)]),
    }


_day = words.short_date


def _words(code: str) -> str:
    words = code.replace("-", " ")
    return words[:1].upper() + words[1:]
