"""Reminder drafts: the right tone for the case, rendered from templates the user can override.

A reminder is a draft for a person to read and send, never sent by the tool.
The tone follows the case (`suggest_tone`) unless chosen; a vulnerable
debtor only ever gets the gentle one unless the controller insists
(`--force`). The wording lives in Jinja templates (`templates/messages/`
in the records repository first, then the package's own), so an organisation
changes its voice without touching code; this module only gathers the
figures the ledger computed, formatted by `money`, into the templates'
context. `--record` turns a sent draft into a note, created without ever
overwriting (see `scaffold.create_new`).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Sequence

import jinja2

from arrears import money, words
from arrears.ledger.figures import CaseFigures
from arrears.records.model import CONTACT_KINDS, Contacting, Settings
from arrears.actions.tone import (CONTACT_CHANNEL, FINAL_DEADLINE_DAYS, FIRM_DEADLINE_DAYS, MESSAGE_CHANNELS,  # noqa: F401
                                   NOT_CHASED, TONES, broken_promises, default_channel, refusals, suggest_tone)
from arrears.views import workings

PACKAGE_TEMPLATES = Path(__file__).resolve().parents[3] / "templates"


# --- the context the templates see ------------------------------------------------------------


human_date = words.long_date


def deadline(figures: CaseFigures, tone: str) -> date | None:
    """The date a firm or final reminder asks for payment or contact by."""
    if tone == "firm":
        return figures.as_of + timedelta(days=FIRM_DEADLINE_DAYS)
    if tone == "final":
        return figures.as_of + timedelta(days=FINAL_DEADLINE_DAYS.get(figures.case.debtor.kind, 14))
    return None


def message_context(figures: CaseFigures, settings: Settings, tone: str, channel: str) -> dict:
    """Everything a message template may use: the ledger's figures as display text, and the case's words."""
    case = figures.case
    currency = case.currency

    def show(amount: Decimal) -> str:
        return money.display(amount, currency)

    overdue_items = [
        {"label": item.label, "due": human_date(item.due), "amount": show(item.unsettled)}
        for item in figures.items if item.due < figures.as_of and item.unsettled > 0
    ]
    plan = None
    if figures.plan is not None and figures.plan.status != "completed":
        parts = figures.plan.installments
        missed = [{"number": p.number, "due": human_date(p.due), "amount": show(p.amount - p.paid)}
                  for p in parts if p.state == "missed"]
        plan = {
            "id": figures.plan.plan.id,
            "status": figures.plan.status,
            "amount": show(figures.plan.amount),
            "paid": figures.plan.paid,
            "total": figures.plan.total,
            "missed": figures.plan.missed,
            "missed_items": missed,
            "every": figures.plan.plan.schedule.every if figures.plan.plan.schedule else None,
            "discount": _discount_text(figures, show),
        }
    broken = broken_promises(figures)
    promise = None
    if broken:
        last = broken[-1]
        promise = {"made": human_date(last.made), "amount": show(last.amount), "by": human_date(last.by),
                   "paid": show(last.paid)}
    due_day = deadline(figures, tone)
    contacted = any(n.kind in CONTACT_KINDS and isinstance(n.detail, Contacting) and n.detail.direction == "out"
                    and n.date <= figures.as_of for n in case.notes)
    return {
        "org": settings.name,
        "case_id": case.id,
        "tone": tone,
        "channel": channel,
        "today": human_date(figures.as_of),
        "debtor": {
            "name": case.debtor.name,
            "short_name": case.debtor.name.split()[0] if case.debtor.kind == "individual" else case.debtor.name,
            "kind": case.debtor.kind,
            "individual": case.debtor.kind == "individual",
            "address": (case.debtor.address or "").strip(),
        },
        "circumstances": list(case.circumstances),
        "vulnerable": case.vulnerable,
        "balance": show(figures.balance),
        "overdue": show(figures.overdue),
        "has_overdue": figures.overdue > 0,
        "due_now": show(figures.overdue if figures.overdue > 0 else figures.balance),
        "days_past_due": figures.days_past_due,
        "overdue_items": overdue_items,
        "next_due": ({"date": human_date(figures.next_due.date), "amount": show(figures.next_due.amount)}
                     if figures.next_due else None),
        "plan": plan,
        "promise": promise,
        "contacted_before": contacted,
        "payment_instructions": settings.payment_instructions,
        "deadline": human_date(due_day) if due_day else None,
        "interest": _interest_context(figures),
    }


def _interest_context(figures: CaseFigures) -> dict | None:
    """What has accrued, under which Act or term, the daily rate and the workings (None: nothing charged)."""
    found = workings.workings(figures)
    if found is None:
        return None
    return {"law": found.law, "interest": found.interest, "compensation": found.compensation,
            "has_compensation": found.has_compensation, "daily": found.daily, "accruing": found.accruing,
            "workings": workings.text(found, human_date)}


def _discount_text(figures: CaseFigures, show) -> str | None:
    """The early-settlement offer, while it can still be earned."""
    discount = figures.plan.plan.discount if figures.plan else None
    if discount is None or discount.if_paid_by < figures.as_of:
        return None
    size = f"{discount.percent.normalize():f}%" if discount.percent is not None else show(discount.amount)
    return (f"And if you are able to settle the plan in full by {human_date(discount.if_paid_by)}, "
            f"we will take {size} off.")


# --- rendering ---------------------------------------------------------------------------------


def template_dirs(root: Path | None) -> list[Path]:
    """Where message templates are looked up: the records repository's first, then the package's."""
    dirs = [root / "templates" / "messages"] if root is not None else []
    dirs.append(PACKAGE_TEMPLATES / "messages")
    return [d for d in dict.fromkeys(dirs)]


@functools.lru_cache(maxsize=8)
def environment(root: Path | None) -> jinja2.Environment:
    """One environment per records repository and process: compiling the templates for every
    draft made a site build spend more time in Jinja's compiler than anywhere else. A long-lived
    process calls `environment.cache_clear()` before each build (`site.render.prepare`), which
    finds new and changed templates; within a build none changes, so Jinja does not stat a
    template's file at every draft (1 % of a cold build's CPU)."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in template_dirs(root)]),
        auto_reload=False,
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=False,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


@dataclass(frozen=True, slots=True)
class SmsLength:
    """How an SMS will travel: its encoding, length in that encoding's units, and segment count."""

    characters: int
    encoding: str  # GSM-7 | UCS-2
    units: int  # septets for GSM-7, UTF-16 code units for UCS-2
    segments: int

    def describe(self) -> str:
        return (f"SMS: {self.characters} characters, {self.encoding}, "
                f"{words.count(self.segments, 'segment')}")


@dataclass(frozen=True, slots=True)
class Draft:
    case_id: str
    channel: str
    tone: str
    subject: str | None
    body: str
    sms: SmsLength | None = None

    @property
    def text(self) -> str:
        """The whole message as sent: the subject line first for an email."""
        return f"Subject: {self.subject}\n\n{self.body}" if self.subject else self.body


def render(figures: CaseFigures, settings: Settings, tone: str, channel: str, root: Path | None) -> Draft:
    """The draft for `channel` in `tone`, from `<channel>-<tone>.txt`."""
    if tone not in TONES or channel not in MESSAGE_CHANNELS:
        raise ValueError(f"unknown tone or channel: {tone}, {channel}")
    template = environment(root).get_template(f"{channel}-{tone}.txt")
    text = tidy(template.render(message_context(figures, settings, tone, channel)))
    subject = None
    if channel == "email" and text.startswith("Subject:"):
        first, _, rest = text.partition("\n")
        subject, text = first[len("Subject:"):].strip(), rest.lstrip("\n")
    if channel == "sms":
        text = " ".join(text.split()) + "\n"
    return Draft(figures.case.id, channel, tone, subject, text,
                 sms_length(text.rstrip("\n")) if channel == "sms" else None)


def tidy(text: str) -> str:
    """Forgiving whitespace: no trailing spaces, at most one blank line in a row, one final newline."""
    lines = [line.rstrip() for line in text.splitlines()]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")
    return text + "\n"


# --- SMS length -------------------------------------------------------------------------------

GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = set("^{}\\[~]|€\f")  # each takes two septets (an escape, then the character)


def sms_length(text: str) -> SmsLength:
    """Segments as a phone network counts them (GSM 03.38 / 3GPP 23.040).

    GSM-7 when every character is in the GSM alphabet: 160 septets fit one
    message, 153 per part once split (an escaped character never splits).
    Otherwise UCS-2: 70 UTF-16 units, 67 per part (a surrogate pair never splits).
    """
    if all(ch in GSM_BASIC or ch in GSM_EXTENSION for ch in text):
        sizes = [2 if ch in GSM_EXTENSION else 1 for ch in text]
        return SmsLength(len(text), "GSM-7", sum(sizes), _segments(sizes, 160, 153))
    sizes = [2 if ord(ch) > 0xFFFF else 1 for ch in text]
    return SmsLength(len(text), "UCS-2", sum(sizes), _segments(sizes, 70, 67))


def _segments(sizes: Sequence[int], single: int, part: int) -> int:
    total = sum(sizes)
    if total == 0:
        return 0
    if total <= single:
        return 1
    segments, used = 1, 0
    for size in sizes:
        if used + size > part:
            segments, used = segments + 1, 0
        used += size
    return segments


# --- recording a sent message as a note ---------------------------------------------------------


NOTE_KIND = {"email": "email", "sms": "sms", "letter": "letter"}


def sent_note_text(draft: Draft, day: date, clock_time: time | None, by: str | None = None,
                   follow_up: date | None = None) -> str:
    """A note recording the draft as sent: kind email/sms/letter, direction out, outcome sent, the text as body;
    `follow_up` brings the case back on the agenda that day (see `actions.followup`)."""
    from arrears.views.scaffold import moment_text  # (writing records: not needed to render a page)

    lines = [
        "---",
        f"date: {moment_text(day, clock_time)}",
        f"kind: {NOTE_KIND[draft.channel]}",
        "direction: out",
        "outcome: sent",
        f"summary: {draft.tone.capitalize()} reminder sent by {draft.channel}",
        f"tags: [reminder, {draft.tone}]",
    ]
    if follow_up is not None:
        lines.append(f"follow_up: {follow_up.isoformat()}")
    if by:
        from arrears.views.scaffold import yaml_text

        lines.append(f"by: {yaml_text(by)}")
    lines += ["---", draft.text.rstrip("\n"), ""]
    return "\n".join(lines)


def record(root: Path, draft: Draft, day: date, clock_time: time | None, by: str | None = None,
           follow_up: date | None = None) -> Path:
    """Write the sent-message note under the first free `<date>-<kind>[-N].md`, never overwriting."""
    from arrears.views.scaffold import create_new, note_stem

    folder = root / "cases" / draft.case_id / "notes"
    return create_new(folder, note_stem(day, NOTE_KIND[draft.channel]),
                      sent_note_text(draft, day, clock_time, by, follow_up))
