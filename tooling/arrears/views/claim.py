"""The letter of claim (Pre-Action Protocol for Debt Claims) and the breathing-space acknowledgement.

Both are letters `arrears remind` drafts instead of a reminder: the letter of
claim for an individual or sole trader before court (`--letter-of-claim`),
the acknowledgement for a debtor in a breathing space (the only letter
allowed then). This module gathers their context from the figures the
ledger computed and the settings (how to pay, where to reply); the words
are the user's templates (`templates/messages/letter-of-claim.txt`,
`letter-breathing-space.txt`) and the printed layout
`templates/print/letter-of-claim.html`.
"""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

from arrears import money, words
from arrears.ledger import claim
from arrears.ledger.figures import CaseFigures
from arrears.records.model import Invoice, Settings
from arrears.views import messages

TEMPLATE = "letter-of-claim.txt"
HOLD_TEMPLATE = "letter-breathing-space.txt"
PRINT_TEMPLATE = "print/letter-of-claim.html"
ENCLOSURES = ("Statement of account", "Interest workings")
PROTOCOL_URL = "https://www.justice.gov.uk/courts/procedure-rules/civil/protocol/prot_debt"
ADVICE = (
    ("National Debtline", "0808 808 4000", "nationaldebtline.org"),
    ("StepChange Debt Charity", "0800 138 1111", "stepchange.org"),
    ("Citizens Advice", None, "citizensadvice.org.uk"),
)


def hold_context(figures: CaseFigures) -> dict | None:
    """The breathing space D falls in, in words, for the acknowledgement letter (None: not inside one)."""
    space = figures.breathing_space
    if space is None:
        return None
    return {"type": space.type, "mental_health": space.type == "mental-health", "ref": space.ref,
            "start": words.long_date(space.start), "end": words.long_date(space.end) if space.end else None}


def invoices(figures: CaseFigures) -> list[dict]:
    """The agreement's details: every invoice that counts on D, with its dates and amount."""
    found = []
    for note in figures.case.notes:
        detail = note.detail
        if (isinstance(detail, Invoice) and note.date <= figures.as_of and note.id not in figures.corrected_by):
            found.append({"ref": detail.ref, "issued": words.long_date(detail.issued),
                          "due": words.long_date(detail.due), "amount": money.display(detail.amount, figures.currency),
                          "description": detail.description})
    return found


def claim_context(figures: CaseFigures, settings: Settings) -> dict:
    """Everything letter-of-claim.txt may use: the reminder's context plus the protocol's particulars."""
    context = messages.message_context(figures, settings, "final", "letter")
    context["subject"] = f"Letter of claim: {context['balance']} owed"
    sender = settings.sender
    reply = claim.reply_by(figures.as_of)
    context.update(
        reply_by=words.long_date(reply),
        reply_days=claim.REPLY_DAYS,
        invoices=invoices(figures),
        fees=money.display(figures.totals.fees, figures.currency) if figures.totals.fees else None,
        paid=money.display(figures.totals.paid + figures.totals.credits, figures.currency)
        if figures.totals.paid or figures.totals.credits else None,
        sender={"name": settings.name, "address": ", ".join(l.strip() for l in (sender.address or "").splitlines()
                                                              if l.strip()),
                "phone": sender.phone, "email": sender.email},
        advice=[{"name": n, "phone": p, "web": w} for n, p, w in ADVICE],
        protocol_url=PROTOCOL_URL,
        enclosures=list(ENCLOSURES),
        sole_trader=figures.case.sole_trader,
        printed=False,  # True for the PDF, which encloses the statement and workings itself
    )
    return context


def render_claim(figures: CaseFigures, settings: Settings, root: Path | None, headless: bool = False) -> messages.Draft:
    """The letter of claim's text (without its head for the printed letter, which places it itself)."""
    from arrears.views import printed

    env = printed._headless(root) if headless else messages.environment(root)
    context = claim_context(figures, settings)
    context["printed"] = headless
    text = messages.tidy(env.get_template(TEMPLATE).render(context))
    return messages.Draft(figures.case.id, "letter", "final", None, text)


def print_context(figures: CaseFigures, settings: Settings, root: Path | None, stylesheet: str) -> dict:
    """The context of print/letter-of-claim.html: the printed letter, its enclosures and the reply section."""
    from arrears.views import printed

    context = printed.letter_context(figures, settings, "final", root, stylesheet=stylesheet)
    words_ = claim_context(figures, settings)
    context.update(
        title="Letter of claim",
        subject=f"Letter of claim: {words_['balance']} owed",
        paragraphs=printed.paragraphs(render_claim(figures, settings, root, headless=True).text),
        enclosures=list(ENCLOSURES),
        reply_by=words_["reply_by"],
        reply_days=claim.REPLY_DAYS,
        balance=words_["balance"],
        advice=words_["advice"],
        protocol_url=PROTOCOL_URL,
    )
    context["more_info"] = [("Please reply by", words_["reply_by"])]
    context["sections"] = sections(context["paragraphs"])
    return context


def sections(paragraphs: list[str]) -> list[dict]:
    """Paragraphs whose first line is a short heading (no closing punctuation) become headed sections."""
    found, signed = [], False
    for paragraph in paragraphs:
        first, _, rest = paragraph.partition("\n")
        signed = signed or paragraph.lower().startswith("yours")
        if rest and not signed and len(first) <= 60 and not first.rstrip().endswith((".", ",", ":", ";", "?", "!")):
            found.append({"heading": first.strip(), "text": rest})
        else:
            found.append({"heading": None, "text": paragraph})
    return found


def hold_render(figures: CaseFigures, settings: Settings, root: Path | None, headless: bool = False
                ) -> messages.Draft:
    """The gentle letter acknowledging a breathing space: no figures demanded, the balance for the record."""
    from arrears.views import printed

    context = messages.message_context(figures, settings, "gentle", "letter")
    context.update(hold=hold_context(figures), subject="Your breathing space: our confirmation")
    env = printed._headless(root) if headless else messages.environment(root)
    text = messages.tidy(env.get_template(HOLD_TEMPLATE).render(context))
    return messages.Draft(figures.case.id, "letter", "gentle", None, text)


def hold_print_context(figures: CaseFigures, settings: Settings, root: Path | None, stylesheet: str) -> dict:
    """The acknowledgement on paper, through print/letter.html (no enclosures)."""
    from arrears.views import printed

    context = printed.letter_context(figures, settings, "gentle", root, stylesheet=stylesheet)
    context.update(subject="Your breathing space: our confirmation", deadline=None,
                   paragraphs=printed.paragraphs(hold_render(figures, settings, root, headless=True).text))
    return context


def sent_note_text(draft: messages.Draft, day: date, clock_time: time | None, by: str | None,
                   hold: bool = False) -> str:
    """The recorded letter: of claim (tagged letter-of-claim: it opens the 30-day window), or acknowledging a hold."""
    from arrears.views.scaffold import moment_text, yaml_text  # (writing records: not needed to render a page)

    if hold:
        summary, tags = "Breathing space acknowledged by letter (no payment asked)", "breathing-space"
    else:
        summary, tags = f"Letter of claim sent (reply by {words.long_date(claim.reply_by(day))})", claim.TAG
    lines = ["---", f"date: {moment_text(day, clock_time)}", "kind: letter", "direction: out", "outcome: sent",
             f"summary: {summary}", f"tags: [{tags}]"]
    if by:
        lines.append(f"by: {yaml_text(by)}")
    lines += ["---", draft.text.rstrip("\n"), ""]
    return "\n".join(lines)


def record(root: Path, draft: messages.Draft, day: date, clock_time: time | None, by: str | None,
           hold: bool = False) -> Path:
    """Write the note under the first free `<date>-letter[-N].md`, never overwriting."""
    from arrears.views.scaffold import create_new, note_stem

    folder = root / "cases" / draft.case_id / "notes"
    return create_new(folder, note_stem(day, "letter"), sent_note_text(draft, day, clock_time, by, hold))


__all__ = ["hold_context", "hold_render", "hold_print_context", "claim_context", "render_claim", "print_context", "record", "ENCLOSURES", "ADVICE"]
