"""The agenda page and each case's suggested next draft: contexts for the site's templates.

The site is built for an as-of date, so the contact rules are judged at the
start of that day's calling hours (as `arrears agenda --as-of` does): the same
records and date give the same bytes. Money and wording come from the
ledger's figures, the agenda and the message templates; nothing is computed
here but what to show.
"""

from __future__ import annotations

from arrears.actions import protocol
from arrears.actions.agenda import CARE, Agenda, AgendaItem, suggested_contact
from arrears.ledger.figures import CaseFigures
from arrears.views import claim
from arrears.views.messages import default_channel, human_date, refusals, render, suggest_tone
from arrears.money import display
from arrears.records.model import Portfolio
from markupsafe import Markup
from arrears.site import links, paging
from arrears.site.pages import case_href
from arrears.actions.tone import CONTACT_CHANNEL

TITLES = {"broken-promise": "Broken promise", "missed-installment": "Missed installment",
          "due-today": "Due today", "follow-up": "Follow-up due", "quiet": "Gone quiet",
          "never-contacted": "New case, not yet contacted"}


def agenda_page(agenda: Agenda, actions: list[Markup], pager: paging.Pager | None, total: int) -> dict:
    """The context of one page of the agenda (agenda.html, agenda-2.html, ... see `paging`):
    `actions` are that page's, already rendered (partials/agenda_item.html, in the build's
    workers), in priority order, of `total` in all; `agenda` holds, on the first page, the cases
    set apart, where a reader looks first. A short agenda is one page, as it always was."""
    return {
        "page": "agenda",
        "base": "",
        "title": "Agenda" if pager is None else f"Agenda, page {pager.number} of {pager.count}",
        "as_of": agenda.as_of,
        "judged_at": agenda.now,
        "items": [{"html": html} for html in actions],
        "total": total,
        "pager": pager,
        "set_apart": [{
            "case": entry.figures.case,
            "href": case_href(entry.figures.case.id),
            "reason": entry.reason,
            "balance": display(entry.figures.balance, entry.figures.currency),
            "state": entry.figures.state,
        } for entry in agenda.set_apart],
        "care": CARE,
    }


def agenda_item(item: AgendaItem, draft: dict | None = None) -> dict:
    """The context of partials/agenda_item.html for one action, rendered on its own; `draft` (see `next_draft`)
    becomes a link that opens it, filled in, in the mail or SMS app."""
    return {"item": {**_item(item), "html": None, "draft": draft if item.allowed else None}, "care": CARE}


def _item(item: AgendaItem) -> dict:
    case, verdict = item.case, item.verdict
    show = (lambda amount: display(amount, case.currency))
    if item.contact is None or verdict is None:
        contact = "No contact allowed: every channel is opted out or unknown."
    elif verdict.allowed:
        contact = f"{item.contact.channel}: {item.contact.value}, allowed now"
    elif verdict.next_allowed is None:
        contact = f"{item.contact.channel}: {item.contact.value}, not allowed ({verdict.reason})"
    else:
        contact = (f"{item.contact.channel}: {item.contact.value}, not before "
                   f"{human_date(verdict.next_allowed.date())} {verdict.next_allowed:%H:%M} ({verdict.reason})")
    return {
        "case": case,
        "href": case_href(case.id),
        "rank": item.priority,
        "title": TITLES[item.reason.code],
        "reason": item.reason.text,
        "amount": show(item.reason.amount) if item.reason.amount is not None else None,
        "also": [r.text for r in item.also],
        "contact": contact,
        "allowed": item.allowed,
        "alternatives": [f"{c.channel}: {c.value}" for c in item.alternatives],
        "vulnerable": case.vulnerable,
        "tone": item.tone,
        "state": item.figures.state,
        "contact_href": links.contact_href(case, item.contact) if item.contact else None,
        "draft": None,
    }


def next_draft(portfolio: Portfolio, figures: CaseFigures) -> dict | None:
    """The reminder `arrears remind` would draft for this case today, or why there is none.

    None when nothing is owed (settled, closed); a reason instead of a text
    for disputed and on-hold cases, opted-out channels and the like.
    """
    if figures.state in ("settled", "closed"):
        return None
    held = protocol.hold_words(figures)
    if held:  # only the letter acknowledging the hold (records-v1 section 11)
        draft = claim.hold_render(figures, portfolio.settings, portfolio.root)
        return {"tone": "gentle", "why": held + ": only a letter acknowledging the hold", "channel": "letter",
                "command": f"arrears remind {figures.case.id} --tone gentle --channel letter", "refused": [],
                "subject": None, "text": draft.body, "sms": None}
    window = protocol.claim_window(figures)
    tone, why = suggest_tone(figures)
    channel = default_channel(figures)
    base = {"tone": tone, "why": why, "channel": channel, "command": f"arrears remind {figures.case.id}"}
    if window is not None:
        return {**base, "refused": [protocol.set_apart(figures) + ": wait for the reply before anything else"],
                "subject": None, "text": None, "sms": None}
    if channel is None:
        contact = suggested_contact(figures.case)
        return {**base, "refused": ["no email, SMS or postal contact that is not opted out"
                                    + (f"; call instead ({contact.value})" if contact else "")],
                "subject": None, "text": None, "sms": None, "href": None}
    refused = refusals(figures, tone, channel)
    if refused:
        return {**base, "refused": refused, "subject": None, "text": None, "sms": None, "href": None}
    draft = render(figures, portfolio.settings, tone, channel, portfolio.root)
    return {**base, "refused": [], "subject": draft.subject, "text": draft.body,
            "sms": draft.sms.describe() if draft.sms else None,
            "href": links.draft_href(figures.case, CONTACT_CHANNEL[channel], draft.subject, draft.body)}

