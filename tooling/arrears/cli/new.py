"""`arrears new case|note|plan`: thin commands around `scaffold`, registered on the main group in cli.py.

Each parses options, builds the record's text with `scaffold`, creates the
file without overwriting anything, then re-reads it to prove it is valid
(or, after --edit, to show what to fix).
"""

from __future__ import annotations

import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import click

from arrears import clock, money
from arrears.cli.app import (DATE, load_checked, locate_root, no_such_case, refuse_excluded, refuse_unknown,
                             resolve_as_of, root_option)
from arrears.records.load import load_settings
from arrears.records.parse import parse_case
from arrears.problems import FORMATTERS
from arrears.records.model import (CONTACT_KINDS, DEBTOR_KINDS, DIRECTIONS, DISPUTE_STATES, NOTE_KINDS, OUTCOMES,
                                   PAYMENT_METHODS, PERIODS)
from arrears.views.scaffold import (
    NewCase,
    NewNote,
    NewPlan,
    ScaffoldError,
    create_case_file,
    create_note_file,
    create_plan_file,
    now_local,
)


class MomentType(click.ParamType):
    """A date (YYYY-MM-DD) or a local date and time (YYYY-MM-DDTHH:MM)."""

    name = "DATE[THH:MM]"

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        text = str(value).strip().replace(" ", "T")
        try:
            if "T" in text:
                moment = datetime.fromisoformat(text)
                return moment.date(), moment.time().replace(second=0, microsecond=0)
            return date.fromisoformat(text), None
        except ValueError:
            self.fail(f"{value!r} is not a date: write YYYY-MM-DD or YYYY-MM-DDTHH:MM", param, ctx)


MOMENT = MomentType()


def _fail(error: Exception) -> None:
    raise click.UsageError(str(error))


def _amount(text: str | None, currency: str) -> Decimal | None:
    if text is None:
        return None
    try:
        return money.parse_amount(text, currency)
    except money.MoneyError as error:
        raise click.UsageError(f"amount: {error}") from None


def _show(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix()


def _report(relative: str, problems, edited: bool) -> None:
    """Print the problems of a file just written; a freshly scaffolded file with errors is a bug."""
    if not problems:
        return
    click.echo(FORMATTERS["text"](problems), err=True, nl=False)
    if edited and any(p.is_error for p in problems):
        click.echo(f"arrears: {relative} was kept as you saved it; fix the errors above (arrears check).", err=True)
        sys.exit(1)


@click.group("new")
def new() -> None:
    """Start a case, note or plan from a prefilled, commented skeleton.

    Files are named as the records spec suggests and are valid as written.
    Nothing is ever overwritten: a taken note or plan name gets -2, -3...;
    an existing case is refused.
    """


@new.command("case")
@root_option
@click.argument("case_id", metavar="ID")
@click.option("--name", required=True, help="The debtor's name.")
@click.option("--kind", type=click.Choice(DEBTOR_KINDS), required=True, help="Business or individual.")
@click.option("--email", default=None, help="Email address (preferred contact when given).")
@click.option("--phone", default=None, help="Phone number.")
@click.option("--owner", default=None, help="Who handles the case.")
@click.option("--currency", default=None, help="Currency, when not arrears.toml's.")
@click.option("--opened", type=DATE, default=None, help="The day the case opened. Default: today.")
@click.option("--vulnerable", is_flag=True, help="The debtor is vulnerable: gentle tone only, flagged everywhere.")
@click.option("--edit", is_flag=True, help="Open the new file in $EDITOR.")
def new_case(root, case_id, name, kind, email, phone, owner, currency, opened, vulnerable, edit) -> None:
    """Create cases/ID/case.md for a new debtor."""
    found = locate_root(root)
    settings = load_settings(found)
    spec = NewCase(case_id, name, kind, opened or clock.today(settings), owner, email, phone,
                   currency=currency, vulnerable=vulnerable)
    try:
        path = create_case_file(found, spec)
    except ScaffoldError as error:
        _fail(error)
    if edit:
        click.edit(filename=str(path))
    relative = _show(found, path)
    _report(relative, parse_case(relative, path.read_bytes(), case_id, settings).problems, edit)
    click.echo(f"created {relative}")


@new.command("note")
@root_option
@click.argument("case_id", metavar="CASE")
@click.option("--kind", type=click.Choice(NOTE_KINDS), default=None,
              help="What happened (required, unless --corrects copies it).")
@click.option("--date", "moment", type=MOMENT, default=None,
              help="When (YYYY-MM-DD or YYYY-MM-DDTHH:MM, local time). Default: now; a date only "
                   "for notes that are not contacts.")
@click.option("--direction", type=click.Choice(DIRECTIONS), default=None, help="Contacts: out (default) or in.")
@click.option("--outcome", type=click.Choice(OUTCOMES), default=None, help="Contacts: how it went.")
@click.option("--amount", default=None, help="Invoice, payment, fee, credit: the amount.")
@click.option("--ref", default=None, help="Invoice ref (required for invoices), payment or disputed invoice ref.")
@click.option("--due", type=DATE, default=None, help="Invoice: the due date.")
@click.option("--state", type=click.Choice(DISPUTE_STATES), default=None, help="Dispute: open or resolved.")
@click.option("--summary", default=None, help="One line for timelines.")
@click.option("--follow-up", type=DATE, default=None, help="The date of the next action.")
@click.option("--method", type=click.Choice(PAYMENT_METHODS), default=None, help="Payment: how it was paid.")
@click.option("--promise", "promise_amount", default=None, metavar="AMOUNT",
              help="Contacts: the debtor promised to pay AMOUNT by --promise-by (or --by DATE).")
@click.option("--promise-by", type=DATE, default=None, help="The date the promised payment is due by.")
@click.option("--corrects", default=None, metavar="NOTE-ID",
              help="Correct that note: the same kind with its fields copied, so you change only what was wrong.")
@click.option("--by", default=None, help="Who (default: the case owner); with --promise, a date is the promise's.")
@click.option("--edit", is_flag=True, help="Open the new file in $EDITOR, then check it.")
def new_note(root, case_id, kind, moment, direction, outcome, amount, ref, due, state, summary, follow_up, by,
             edit, method, promise_amount, promise_by, corrects) -> None:
    """Add a note (one event) to CASE: cases/CASE/notes/DATE-KIND.md.

    --corrects NOTE-ID writes the correcting note (docs/records.md,
    "Corrections"): kind and fields copied from NOTE-ID, any option given
    overriding them. --promise AMOUNT --by DATE records a promise to pay on a
    call, email, SMS, letter or meeting.
    """
    found = locate_root(root)
    settings = load_settings(found)
    case_file = found / "cases" / case_id / "case.md"
    if not case_file.is_file():
        known = [p.parent.name for p in (found / "cases").glob("*/case.md")]
        raise click.UsageError(no_such_case([case_id], known) + f"; to open it: arrears new case {case_id} "
                               "--name ... --kind ...")
    case = parse_case(f"cases/{case_id}/case.md", case_file.read_bytes(), case_id, settings).record
    currency = case.currency if case else settings.currency
    copied = _corrected(found, case_id, corrects, currency) if corrects else {}
    if kind is not None and copied and kind != copied["kind"]:  # e.g. a kind: note voiding the original
        copied = {"corrects": copied["corrects"], "summary": copied["summary"]}
    kind = kind or copied.get("kind")
    if kind is None:
        raise click.UsageError("say what happened with --kind (or correct a note with --corrects NOTE-ID)")
    if promise_amount is not None and promise_by is None and by is not None:
        promise_by, by = _date_or_none(by), (None if _date_or_none(by) else by)
    if (promise_amount is None) != (promise_by is None):
        raise click.UsageError("a promise needs both --promise AMOUNT and --promise-by DATE (or --by DATE)")
    if promise_amount is not None and kind not in CONTACT_KINDS:
        raise click.UsageError("record a promise on the call, email, SMS, letter or meeting where it was made")
    if method is not None and kind != "payment":
        raise click.UsageError("--method is for payments (--kind payment)")
    if moment is None:
        day = resolve_as_of(None, settings)
        now_day, now_time = now_local(clock.now(settings))
        clock_time = now_time if now_day == day and kind in CONTACT_KINDS else None
    else:
        day, clock_time = moment
    given = dict(summary=summary, direction=direction, outcome=outcome, amount=_amount(amount, currency), ref=ref,
                 due=due, state=state, follow_up=follow_up, method=method,
                 promise=(_amount(promise_amount, currency), promise_by) if promise_amount is not None else None)
    fields = {**{k: v for k, v in copied.items() if k != "kind"}, **{k: v for k, v in given.items() if v is not None}}
    spec = NewNote(kind=kind, day=day, clock_time=clock_time, currency=currency,
                   by=by or (case.owner if case else None), **fields)
    try:
        path = create_note_file(found, case_id, spec)
    except ScaffoldError as error:
        _fail(error)
    if edit:
        click.edit(filename=str(path))
    relative = _show(found, path)
    # The whole check, not just the file: a call that breaks a contact rule is said at once.
    _report(relative, _problems_in(found, relative, resolve_as_of(None, settings)), edit)
    click.echo(f"created {relative}")


@new.command("plan")
@root_option
@click.argument("case_id", metavar="CASE")
@click.option("--start", type=DATE, required=True, help="The first installment's due date.")
@click.option("--every", type=click.Choice(PERIODS), required=True, help="How often a payment falls due.")
@click.option("--count", type=click.IntRange(min=1), default=None, help="N equal payments ...")
@click.option("--installment", default=None, metavar="AMOUNT", help="... or payments of this size.")
@click.option("--discount-percent", default=None, metavar="P",
              help="An early-settlement discount (percent), earned if the plan is paid by --if-paid-by.")
@click.option("--if-paid-by", type=DATE, default=None, help="The date the discount is earned by.")
@click.option("--agreed", type=DATE, default=None, help="The day the debtor agreed. Default: today.")
@click.option("--by", default=None, help="Who agreed it (default: the case owner).")
@click.option("--summary", default=None, help="One line, e.g. 'Six monthly payments after job loss'.")
@click.option("--yes", is_flag=True, help="Write without asking for confirmation.")
def new_plan(root, case_id, start, every, count, installment, discount_percent, if_paid_by, agreed, by, summary,
             yes) -> None:
    """Agree a payment plan for CASE covering its current balance: cases/CASE/plans/DATE-plan.md.

    The amount is the balance from everything dated before the day agreed (as
    the ledger computes it); the schedule is printed and confirmed before the
    file is written. A plan that replaces an earlier one says so (supersedes).
    """
    from arrears.ledger.compute import plan_basis
    from arrears.records.model import Plan, Schedule, Source
    from arrears.ledger.schedule import from_rule

    found, _ = load_checked(root, None)
    refuse_unknown(found, [case_id])
    refuse_excluded(found.verdict, case_id)  # a plan's amount from half-understood records would be wrong
    portfolio = found.portfolio
    case = portfolio.case(case_id)
    settings = portfolio.settings
    agreed = agreed or resolve_as_of(None, settings)
    if (count is None) == (installment is None):
        raise click.UsageError("give either --count N (equal payments) or --installment AMOUNT (payment size)")
    if (discount_percent is None) != (if_paid_by is None):
        raise click.UsageError("an early-settlement discount needs both --discount-percent and --if-paid-by")
    if start < agreed:
        raise click.UsageError(f"--start {start} is before the day agreed ({agreed})")
    percent = _percent(discount_percent)
    size = _amount(installment, case.currency)
    draft = Plan(id=f"{agreed.isoformat()}-plan", case=case.id, agreed=agreed, source=Source("new plan"))
    balance = plan_basis(case, draft, agreed, settings)
    if balance <= 0:
        raise click.UsageError(f"{case.debtor.name} owes nothing from before {agreed}: no plan is needed")
    parts = from_rule(Schedule(start, every, count, size), balance, case.currency)
    show = lambda amount: money.display(amount, case.currency)  # noqa: E731
    lines = [f"{number:>3}. {part.due.isoformat()}  {show(part.amount):>12}" for number, part in
             enumerate(parts, start=1)]
    click.echo(f"Plan for {case.debtor.name}, agreed {agreed}: {show(balance)} in {len(parts)} "
               f"payment{'s' if len(parts) != 1 else ''}, every {every}")
    click.echo("\n".join(lines))
    if percent is not None:
        off = money.percent_of(balance, percent, case.currency)
        click.echo(f"Early settlement: {percent.normalize():f}% off ({show(off)}) if the plan is paid by {if_paid_by}")
    earlier = case.plans[-1].id if case.plans else None
    if earlier:
        click.echo(f"Replaces plan {earlier}.")
    if not yes and not click.confirm("Write this plan?", default=False):
        click.echo("Nothing written.")
        return
    spec = NewPlan(agreed=agreed, amount=balance, currency=case.currency, start=start, every=every, count=count,
                   installment=size, discount_percent=percent, if_paid_by=if_paid_by, supersedes=earlier,
                   by=by or case.owner, summary=summary)
    try:
        path = create_plan_file(portfolio.root, case.id, spec, schedule_lines=lines)
    except ScaffoldError as error:
        _fail(error)
    relative = _show(portfolio.root, path)
    _report(relative, _problems_in(portfolio.root, relative, agreed), edited=True)
    click.echo(f"created {relative}")


def _percent(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        value = Decimal(text)
    except ArithmeticError:
        value = Decimal(-1)
    if not value.is_finite() or not 0 < value <= 100:
        raise click.UsageError(f"--discount-percent {text!r} must be a number above 0 and at most 100")
    return value


def _date_or_none(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def _corrected(root: Path, case_id: str, note_id: str, currency: str) -> dict:
    """The fields of the note to correct (see `views.correcting`); a missing or unreadable one is refused."""
    from arrears.records.parse import parse_note
    from arrears.views.correcting import copied_fields

    path = root / "cases" / case_id / "notes" / f"{note_id}.md"
    if not path.is_file():
        raise click.UsageError(f"no note {note_id!r} in case {case_id}: cases/{case_id}/notes/{note_id}.md "
                               "does not exist (the note id is the file name without .md)")
    target = parse_note(_show(root, path), path.read_bytes(), case_id, note_id, currency).record
    if target is None:
        raise click.UsageError(f"cases/{case_id}/notes/{note_id}.md cannot be read: fix it first (arrears check)")
    return copied_fields(target)


def _problems_in(root: Path, relative: str, today: date) -> list:
    """Every check problem in one file, rules included (the plan must not exceed the balance, for one)."""
    from arrears.rules.check import check
    from arrears.records.load import load

    return [p for p in check(load(root), today) if p.path == relative]
