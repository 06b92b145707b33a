"""Letters and statements on paper: the contexts of templates/print/, shared by the site and the PDFs.

One set of HTML templates serves three outputs: the statement page of each
case on the site (cases/<id>/statement.html), `arrears statement` (HTML on
stdout, or a PDF with --pdf) and `arrears remind --channel letter --pdf`.
This module only gathers what the ledger computed and arrears.toml says
into plain values; the layout (A4, the DL window, page numbers) is the
templates' and print.css's business, so a records repository can change it
by overriding one file. Nothing here computes money.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import jinja2
from markupsafe import Markup

from arrears.ledger.figures import CaseFigures
from arrears.records.model import Settings
from arrears.site.pages import statement as statement_lines
from arrears.views import messages

STYLESHEET = "site/print.css"
"""The print stylesheet, a template file like the others (overridable). It sits beside site.css
because the site publishes both as assets (assets/print.css); the PDFs load it from the templates."""
SITE_STYLESHEET = "../../assets/print.css"  # from cases/<id>/statement.html


def statement_href(case_id: str) -> str:
    """Where a case's printable statement lives in the site, relative to the site's root."""
    return f"cases/{case_id}/statement.html"


@dataclass(frozen=True, slots=True)
class Working:
    """One line of the interest workings: `principal` unsettled from `start` to `end` at `rate` % a year."""

    principal: Decimal
    start: date
    end: date
    days: int
    rate: Decimal
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Charge:
    """Interest on one debt, or compensation on one invoice, with its workings (none for compensation)."""

    label: str
    amount: Decimal
    workings: tuple[Working, ...]


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").strip().splitlines() if line.strip()]


def sender(settings: Settings) -> dict:
    """The letterhead, from arrears.toml: `name` and `[sender]` address, phone and email."""
    details = settings.sender
    address = _lines(details.address)
    return {
        "name": settings.name,
        "address": address,
        "phone": details.phone,
        "email": details.email,
        "return_line": ", ".join([settings.name, *address]),  # the small line above the window address
    }


def recipient(figures: CaseFigures) -> dict:
    """The debtor's name and postal address as case.md gives them, for the envelope window."""
    debtor = figures.case.debtor
    address = _lines(debtor.address)
    if not address:
        address = [line for c in debtor.contacts if c.channel == "post" for line in _lines(c.value)]
    return {"name": debtor.name, "address": address}


def charges(figures: CaseFigures) -> list[Charge]:
    """Interest and compensation with their workings, from the ledger's `charges` (records-v1 section 10).

    Empty until the ledger computes them: figures without a `charges` field
    (or a case without interest) print no workings at all.
    """
    found = []
    for charge in getattr(figures, "charges", ()) or ():
        found.append(Charge(
            label=charge.label,
            amount=charge.amount,
            workings=tuple(Working(p.principal, p.start, p.end, p.days, p.rate, p.amount)
                           for p in getattr(charge, "periods", ())),
        ))
    return found


def _frame(figures: CaseFigures, settings: Settings, title: str, stylesheet: str, css: str | None) -> dict:
    """What every printed page shows: who from, to whom, when, which account; and where print.css is.

    `stylesheet` is the link to print.css; `css`, when given, is its text to
    inline instead (a self-contained page on stdout).
    """
    return {
        "page": "print",
        "title": title,
        "stylesheet": stylesheet,
        "inline_css": Markup(css) if css is not None else None,  # the templates' own file, not a record
        "sender": sender(settings),
        "recipient": recipient(figures),
        "as_of": figures.as_of,
        "date": messages.human_date(figures.as_of),
        "reference": figures.case.id,
        "more_info": [],  # (label, value) rows for the information block beside the window
        "currency": figures.currency,
        "f": figures,
        "case": figures.case,
    }


def statement_context(figures: CaseFigures, settings: Settings, stylesheet: str = SITE_STYLESHEET,
                      css: str | None = None) -> dict:
    """The context of print/statement.html: every money event to the as-of date and the balance."""
    context = _frame(figures, settings, "Statement of account", stylesheet, css)
    context.update(
        lines=statement_lines(figures.case, figures),
        payment_instructions=settings.payment_instructions,
        charges=charges(figures),
        interest_daily=getattr(figures, "interest_daily", None) or None,
    )
    return context


def letter_context(figures: CaseFigures, settings: Settings, tone: str, root: Path | None,
                   stylesheet: str = SITE_STYLESHEET, css: str | None = None) -> dict:
    """The context of print/letter.html: the text of templates/messages/letter-<tone>.txt, laid out.

    The text template's own head (sender, address, date) is left out: the
    printed letter places those itself, the address in the envelope window.
    """
    context = _frame(figures, settings, "Letter", stylesheet, css)
    words = messages.message_context(figures, settings, tone, "letter")
    context.update(
        tone=tone,
        subject=f"Your account: {words['balance']} outstanding",
        paragraphs=paragraphs(letter_text(figures, settings, tone, root)),
        deadline=words["deadline"],
        enclosures=[],  # names of what goes with the letter (a statement of account, interest workings)
        statement=statement_context(figures, settings, stylesheet, css),
    )
    return context


def letter_text(figures: CaseFigures, settings: Settings, tone: str, root: Path | None) -> str:
    """The letter's words, from the same template `arrears remind --channel letter` prints, without its head."""
    template = _headless(root).get_template(f"letter-{tone}.txt")
    return messages.tidy(template.render(messages.message_context(figures, settings, tone, "letter")))


@functools.lru_cache(maxsize=8)
def _headless(root: Path | None) -> jinja2.Environment:
    """The message templates with an empty `partials/letter-head.txt`, whatever the repository overrides."""
    text = messages.environment(root)
    return text.overlay(loader=jinja2.ChoiceLoader([jinja2.DictLoader({"partials/letter-head.txt": ""}),
                                                    text.loader]))  # type: ignore[list-item]


def paragraphs(text: str) -> list[str]:
    """Blank-line separated paragraphs; their line breaks are kept by print.css (white-space: pre-line)."""
    return [part.strip("\n") for part in text.split("\n\n") if part.strip()]
