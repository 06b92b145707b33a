"""`arrears agenda` and `arrears remind`: today's actions and the drafts for them.

Thin commands registered on the main group in cli.py: each loads the
records, asks the ledger for figures, calls one function (`agenda.build`,
`messages.render`) and prints. The draft goes to stdout alone, so it can be
piped into a mail client; everything said about it goes to stderr.
"""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from pathlib import Path

import click
import jinja2

from arrears.actions import agenda as agendas
from arrears.actions import followup as followups
from arrears import clock
from arrears.views import messages
from arrears.cli import claim as claims
from arrears.cli.app import (as_of_option, finish, format_option, load_checked, refuse_excluded, refuse_unknown,
                             resolve_as_of, root_option)
from arrears.ledger.compute import compute_case, compute_portfolio
from arrears.records.parse import parse_note
from arrears.problems import FORMATTERS
from arrears.views.scaffold import now_local
from arrears.template_errors import located


def _now(settings, as_of: date | None) -> tuple[date, datetime, bool]:
    """(as of, now, whether now is the real time).

    With --as-of (or ARREARS_TODAY pinning another day), "now" is the start of
    that day's calling hours (see docs/agenda-and-messages.md).
    """
    if as_of is not None:
        return as_of, agendas.start_of_day(as_of, settings), False
    today = resolve_as_of(None, settings)
    now = clock.now(settings)
    if now.date() != today:
        return today, agendas.start_of_day(today, settings), False
    return today, now, True


@click.command("agenda")
@root_option
@as_of_option
@click.option("--owner", default=None, metavar="NAME", help="Only the cases this person handles.")
@format_option("text", "json")
def agenda(root: Path | None, as_of: date | None, owner: str | None, output_format: str) -> None:
    """Today's actions, most urgent first: broken promises, missed installments, what falls due today,
    follow-ups, quiet overdue cases, new cases never contacted.

    Each shows the suggested channel and whether the contact rules allow it now
    (and if not, when). Disputed and on-hold cases are listed apart and not
    chased; settled and closed cases never appear. With --as-of, "now" is the
    start of that day's calling hours.
    """
    found, _ = load_checked(root, as_of)
    portfolio = found.portfolio
    day, now, _ = _now(portfolio.settings, as_of)
    result = agendas.build(compute_portfolio(portfolio, day), portfolio.settings, now, owner)
    if output_format == "json":
        click.echo(json.dumps(agendas.to_json(result), indent=2, ensure_ascii=False))
    else:
        click.echo(agendas.to_text(result), nl=False)
    finish(found.verdict)


@click.command("remind")
@root_option
@click.argument("case_id", metavar="CASE")
@click.option("--tone", type=click.Choice(messages.TONES), default=None,
              help="gentle, firm or final. Default: what the case calls for (days past due, broken "
                   "promises, the plan); always gentle for a vulnerable debtor.")
@click.option("--channel", type=click.Choice(messages.MESSAGE_CHANNELS), default=None,
              help="email, sms or letter. Default: the debtor's preferred contact that is not opted out.")
@as_of_option
@click.option("--record", is_flag=True, help="Also record the message as sent: a new note, never overwriting.")
@click.option("--by", default=None, help="Who sent it, for the recorded note.")
@click.option("--again", is_flag=True,
              help="With --record: record it even though the same reminder was recorded today already.")
@click.option("--force", is_flag=True,
              help="Draft even what the rules advise against (a firm tone to a vulnerable debtor, an "
                   "opted-out channel, a disputed or on-hold case). Think twice. With --pdf, also "
                   "replaces an existing FILE.")
@click.option("--pdf", "pdf_path", type=click.Path(dir_okay=False, path_type=Path), default=None, metavar="FILE",
              help="Also lay the letter out as an A4 PDF for a DL window envelope, written to FILE "
                   "(--channel letter only; needs the pdf extra, see docs/printing.md).")
@click.option("--letter-of-claim", "letter_of_claim", is_flag=True,
              help="Draft the letter of claim the Pre-Action Protocol for Debt Claims expects before court "
                   "(individuals and sole traders), with the statement and interest workings enclosed.")
def remind(root: Path | None, case_id: str, tone: str | None, channel: str | None, as_of: date | None,
           record: bool, by: str | None, force: bool, pdf_path: Path | None, again: bool = False,
           letter_of_claim: bool = False) -> None:
    """Draft a reminder for CASE from templates/messages/, with the case's own figures.

    The draft is printed on stdout; the tone, why, and (for SMS) the length and
    segment count on stderr. Exit 2 when the draft is refused (see --force).
    With --channel letter --pdf FILE the letter is also written as a PDF.
    A firm or final tone needs a reason in the figures (money overdue, a plan
    behind or broken, a broken promise). --record writes the note with a
    follow_up: the deadline the message gives, or for a gentle one the next
    check, so the case comes back on the agenda that day.
    """
    found, _ = load_checked(root, as_of)
    portfolio = found.portfolio
    refuse_unknown(found, [case_id])
    refuse_excluded(found.verdict, case_id)
    case = portfolio.case(case_id)
    day, now, real = _now(portfolio.settings, as_of)
    figures = compute_case(case, portfolio.settings, day)
    suggested, why = messages.suggest_tone(figures)
    if letter_of_claim:
        tone, channel = "final", "letter"
    tone = tone or suggested
    channel = channel or messages.default_channel(figures)
    if channel is not None:
        claims.refuse_if_forbidden(figures, tone, channel, letter_of_claim)
    kind = claims.special(figures, letter_of_claim)
    if pdf_path is not None and channel != "letter":
        raise click.UsageError("--pdf lays out a letter: add --channel letter")
    if pdf_path is not None and pdf_path.exists() and not force:  # before drafting, and before --record
        raise click.UsageError(f"{pdf_path} exists: choose another file name, or add --force to replace it")
    if channel is None:
        raise click.UsageError(f"{case.debtor.name} has no email, SMS or postal contact that is not opted out; "
                               "choose one with --channel")
    refused = messages.refusals(figures, tone, channel)
    if refused and not force:
        for reason in refused:
            click.echo(f"arrears: not drafted: {reason}", err=True)
        sys.exit(2)
    for reason in refused:
        click.echo(f"arrears: drafted anyway (--force): {reason}", err=True)
    if record and not again:
        twice = followups.already_recorded(case.notes, day, messages.NOTE_KIND[channel], tone)
        if twice is not None:
            click.echo(f"arrears: not recorded: a {tone} {channel} reminder was already recorded today "
                       f"({twice.source.path}); add --again to record another", err=True)
            sys.exit(2)
    try:
        draft = (claims.draft(kind, figures, portfolio.settings, portfolio.root) if kind else
                 messages.render(figures, portfolio.settings, tone, channel, portfolio.root))
    except jinja2.TemplateError as error:
        failure = located(error, portfolio.root, f"{channel}-{tone}.txt")
        click.echo(f"arrears: cannot render the message template {failure}", err=True)
        sys.exit(1)
    click.echo(draft.text, nl=False)
    if channel == "letter" and not case.debtor.address and not any(c.channel == "post" for c in case.debtor.contacts):
        click.echo(f"arrears: warning: case.md has no postal address for {case.debtor.name}; add one before posting",
                   err=True)
    if kind:
        click.echo(claims.describe(kind, figures), err=True)
    else:
        click.echo(f"tone: {tone}" + (f" (suggested: {why})" if tone == suggested else f" (chosen; suggested {suggested})"),
                   err=True)
    if draft.sms is not None:
        click.echo(draft.sms.describe(), err=True)
    if not kind:
        claims.warn(figures, tone)
    if pdf_path is not None:
        if kind:
            claims.write_pdf(kind, portfolio, figures, pdf_path, force)
        else:
            _letter_pdf(portfolio, figures, tone, pdf_path, force)
    if record and kind:
        claims.record_letter(kind, portfolio.root, draft, case, day, now if real else None, by)
    elif record:
        follow_up = followups.follow_up(figures, messages.deadline(figures, tone))
        _record(portfolio.root, draft, case, day, now if real else None, by, follow_up)
    finish(found.verdict)


def _letter_pdf(portfolio, figures, tone: str, path: Path, force: bool) -> None:
    """The same letter through templates/print/letter.html, to PDF (see `arrears statement`)."""
    from arrears.cli.statement import write_pdf
    from arrears.views import pdf, printed

    context = printed.letter_context(figures, portfolio.settings, tone, portfolio.root, stylesheet=pdf.STYLESHEET)
    write_pdf(portfolio.root, "print/letter.html", context, path, force)


def _record(root: Path, draft: messages.Draft, case, day: date, now: datetime | None, by: str | None,
            follow_up: date) -> None:
    """The note says when it was sent: to the minute when now is real, else the day alone."""
    clock_time = now_local(now)[1] if now is not None else None
    path = messages.record(root, draft, day, clock_time, by or case.owner, follow_up)
    relative = path.relative_to(root).as_posix()
    problems = parse_note(relative, path.read_bytes(), case.id, path.stem, case.currency).problems
    if problems:  # pragma: no cover - a bug: recorded notes are valid by construction
        click.echo(FORMATTERS["text"](problems), err=True, nl=False)
        sys.exit(1)
    click.echo(f"recorded {relative} (follow-up {follow_up.isoformat()})", err=True)
