"""The letters `arrears remind` writes instead of a reminder (records-v1 section 11).

`remind CASE --letter-of-claim` drafts the Pre-Action Protocol's letter of
claim (refused for a business that is not a sole trader); a case in
breathing space gets only the gentle letter acknowledging the hold. Kept
apart from `cli/actions.py` so the reminder command stays a few lines: it
asks `protocol.forbidden` first, then hands these cases over here.
"""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path

import click
import jinja2

from arrears.actions import protocol
from arrears.ledger.claim import reply_by
from arrears.records.parse import parse_note
from arrears.problems import FORMATTERS
from arrears.views import claim, messages
from arrears.views.scaffold import now_local
from arrears.template_errors import located


def refuse_if_forbidden(figures, tone: str, channel: str, letter_of_claim: bool) -> None:
    """Exit 2 with the reason when the law (not just advice) rules the draft out; --force does not help."""
    reason = protocol.forbidden(figures, tone, channel, letter_of_claim)
    if reason:
        click.echo(f"arrears: not drafted: {reason}", err=True)
        sys.exit(2)


def special(figures, letter_of_claim: bool) -> str | None:
    """Which special letter this draft is: "claim", "hold", or None for an ordinary reminder."""
    if letter_of_claim:
        return "claim"
    if protocol.hold_words(figures):
        return "hold"
    return None


def draft(kind: str, figures, settings, root: Path | None) -> messages.Draft:
    try:
        if kind == "claim":
            return claim.render_claim(figures, settings, root)
        return claim.hold_render(figures, settings, root)
    except jinja2.TemplateError as error:
        click.echo(f"arrears: cannot render the message template {located(error, root, kind)}", err=True)
        sys.exit(1)


def write_pdf(kind: str, portfolio, figures, path: Path, force: bool) -> None:
    from arrears.cli.statement import write_pdf as write
    from arrears.views import pdf

    if kind == "claim":
        context = claim.print_context(figures, portfolio.settings, portfolio.root, pdf.STYLESHEET)
        write(portfolio.root, claim.PRINT_TEMPLATE, context, path, force)
    else:
        context = claim.hold_print_context(figures, portfolio.settings, portfolio.root, pdf.STYLESHEET)
        write(portfolio.root, "print/letter.html", context, path, force)


def record_letter(kind: str, root: Path, letter: messages.Draft, case, day: date, now: datetime | None,
                  by: str | None) -> None:
    """The recorded letter: a `letter` note tagged letter-of-claim (or breathing-space), to the minute when now is real."""
    clock_time = now_local(now)[1] if now is not None else None
    path = claim.record(root, letter, day, clock_time, by or case.owner, hold=kind == "hold")
    relative = path.relative_to(root).as_posix()
    problems = parse_note(relative, path.read_bytes(), case.id, path.stem, case.currency).problems
    if problems:  # pragma: no cover - a bug: recorded notes are valid by construction
        click.echo(FORMATTERS["text"](problems), err=True, nl=False)
        sys.exit(1)
    if kind == "hold":
        click.echo(f"recorded {relative}", err=True)
    else:
        click.echo(f"recorded {relative} (reply window open until "
                   f"{messages.human_date(reply_by(day))})", err=True)


def describe(kind: str, figures) -> str:
    """The stderr line instead of the tone's: what this letter is."""
    if kind == "claim":
        return (f"letter of claim (Pre-Action Protocol for Debt Claims): reply by "
                f"{messages.human_date(reply_by(figures.as_of))}")
    return f"breathing-space acknowledgement: {protocol.hold_words(figures)}"


def warn(figures, tone: str) -> None:
    for text in protocol.warnings(figures, tone):
        click.echo(f"arrears: warning: {text}", err=True)
