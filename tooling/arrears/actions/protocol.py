"""What the law asks of a reminder: breathing space and the Pre-Action Protocol (records-v1 section 11).

Pure policy, beside `tone`: `remind` asks `forbidden` before anything else
(no `--force` overrides it: a demand inside a breathing space is not the
user's call), `warnings` for what it should say on stderr, and the agenda
asks `set_apart` which cases to list apart and why, in words.
"""

from __future__ import annotations

from arrears.ledger import claim
from arrears.ledger.figures import CaseFigures
from arrears.rules.contact import counted_notes
from arrears.words import long_date


def hold_words(figures: CaseFigures) -> str | None:
    """"in breathing space until 11 April 2026" (open-ended for mental health), or None when not inside one."""
    space = figures.breathing_space
    if space is None or figures.state != "breathing-space":
        return None
    if space.end is None:
        return (f"in breathing space (mental health crisis) since {long_date(space.start)}, "
                "open-ended until the scheme ends it")
    return f"in breathing space until {long_date(space.end)}"


def claim_window(figures: CaseFigures) -> claim.Window | None:
    """The letter of claim awaiting its reply on D (kept in the figures, so slim summaries know it too)."""
    return figures.claim_window  # type: ignore[return-value]


def set_apart(figures: CaseFigures) -> str | None:
    """Why the agenda lists the case apart and suggests no contact (None: it does not)."""
    held = hold_words(figures)
    if held:
        return held + ": no contact asking for payment; payments the debtor makes still count"
    window = claim_window(figures)
    if window is not None:
        return f"awaiting reply to letter of claim until {long_date(window.until)}"
    return None


def forbidden(figures: CaseFigures, tone: str, channel: str, letter_of_claim: bool = False) -> str | None:
    """Why this draft may not be written at all, whatever --force says (None: it may)."""
    held = hold_words(figures)
    case = figures.case
    if held and (letter_of_claim or tone != "gentle" or channel != "letter"):
        return (f"case {case.id} is {held}: no demand for payment may be sent; only a gentle letter "
                f"acknowledging the hold (--tone gentle --channel letter)")
    if letter_of_claim and not claim.protocol_applies(case):
        return (f"{case.debtor.name} is a business: the Pre-Action Protocol for Debt Claims and its letter of "
                f"claim are for individuals and sole traders (set sole_trader: true in case.md if they are one)")
    return None


def warnings(figures: CaseFigures, tone: str) -> list[str]:
    """What to say on stderr about a draft that may be written."""
    case = figures.case
    found = []
    if tone == "final" and claim.protocol_applies(case) and not claim.letters(counted_notes(case), figures.as_of):
        found.append(f"{case.debtor.name} is an individual or sole trader: before court, the Pre-Action Protocol "
                     f"for Debt Claims expects a letter of claim and 30 days to reply "
                     f"(arrears remind {case.id} --letter-of-claim)")
    return found


__all__ = ["hold_words", "claim_window", "set_apart", "forbidden", "warnings"]
