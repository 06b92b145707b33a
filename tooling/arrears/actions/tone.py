"""The tone policy: which tone and channel a case calls for, and which drafts the rules forbid.

Pure functions of a case's figures, used by the agenda (to say what to send)
and by `remind` (to draft it): the drafts themselves are rendered in
`views.messages`.
"""

from __future__ import annotations

from arrears.ledger.figures import CaseFigures, PromiseFigures

TONES = ("gentle", "firm", "final")
MESSAGE_CHANNELS = ("email", "sms", "letter")
CONTACT_CHANNEL = {"email": "email", "sms": "sms", "letter": "post"}  # message channel -> case.md channel
MESSAGE_OF_CONTACT = {contact: message for message, contact in CONTACT_CHANNEL.items()}

FIRM_AFTER_DAYS = 31  # days past due from which the tone is firm
FINAL_AFTER_DAYS = 90  # ... and final
FIRM_DEADLINE_DAYS = 14
FINAL_DEADLINE_DAYS = {"business": 14, "individual": 30}  # individuals get longer (UK Pre-Action Protocol: 30 days)
NOT_CHASED = {"disputed": "has an open dispute: resolve it before chasing",
              "on-hold": "is on hold",
              "settled": "is settled: nothing is owed",
              "closed": "is closed"}


# --- choosing the tone and the channel -----------------------------------------------------


def suggest_tone(figures: CaseFigures) -> tuple[str, str]:
    """The tone the case calls for, and why in words.

    final: 90+ days past due, two or more broken promises, or a broken plan
    60+ days past due. firm: 31+ days past due, a broken promise, or a plan
    behind or broken. gentle otherwise, and always for a vulnerable debtor.
    """
    broken = len(broken_promises(figures))
    plan_status = figures.plan.status if figures.plan else None
    days = figures.days_past_due
    if figures.case.vulnerable:
        return "gentle", "the debtor is vulnerable: gentle tone only"
    if days >= FINAL_AFTER_DAYS:
        return "final", f"{days} days past due"
    if broken >= 2:
        return "final", f"{broken} promises to pay were broken"
    if plan_status == "broken" and days >= 60:
        return "final", f"the plan is broken and {days} days past due"
    if plan_status in ("broken", "behind"):
        return "firm", f"the payment plan is {plan_status}"
    if broken:
        return "firm", "a promise to pay was broken"
    if days >= FIRM_AFTER_DAYS:
        return "firm", f"{days} days past due"
    return "gentle", "a first, friendly reminder" if days else "nothing is past due yet"


def broken_promises(figures: CaseFigures) -> list[PromiseFigures]:
    """Broken promises that still matter: those due after the active plan was agreed (a new plan starts afresh)."""
    since = figures.plan.plan.agreed if figures.plan else None
    return [p for p in figures.promises if p.status == "broken" and (since is None or p.by >= since)]


def default_channel(figures: CaseFigures) -> str | None:
    """The message channel for the preferred contact the debtor has not opted out of.

    A preferred phone number suggests no message channel, so the first other
    allowed contact that can take a message is used; a debtor with an
    address and no opt-out from post can always get a letter.
    """
    case = figures.case
    allowed = [c for c in case.debtor.contacts if c.channel not in case.do_not_contact]
    ordered = sorted(allowed, key=lambda c: not c.preferred)
    for contact in ordered:
        if contact.channel in MESSAGE_OF_CONTACT:
            return MESSAGE_OF_CONTACT[contact.channel]
    if case.debtor.address and "post" not in case.do_not_contact:
        return "letter"
    return None


def refusals(figures: CaseFigures, tone: str, channel: str) -> list[str]:
    """Why this draft should not be written (empty: fine). `--force` overrides them, knowingly."""
    case = figures.case
    found = []
    if case.vulnerable and tone != "gentle":
        found.append(f"{case.debtor.name} is flagged vulnerable: only gentle reminders "
                     f"(use --tone gentle, or --force if you have good reason and have noted it)")
    if CONTACT_CHANNEL[channel] in case.do_not_contact:
        found.append(f"{case.debtor.name} asked not to be contacted by {channel} (do_not_contact)")
    if figures.state in NOT_CHASED:
        found.append(f"case {case.id} {NOT_CHASED[figures.state]}")
    found += firmness_refusals(figures, tone)
    return found


# --- grounds for a firm or final tone ------------------------------------------------------------


def grounds(figures: CaseFigures) -> list[str]:
    """What in the figures justifies a firm or final message (empty: nothing does).

    Money overdue, a plan behind or broken, or a broken promise. Money past
    due while the plan is on track is not a ground: an installment inside its
    grace days is the plan working, and a demand would contradict the thanks
    the draft gives for keeping to it.
    """
    found = []
    plan_status = figures.plan.status if figures.plan else None
    if plan_status in ("behind", "broken"):
        found.append(f"the payment plan is {plan_status}")
    elif figures.overdue > 0 and plan_status != "on-track":
        found.append("money is overdue")
    broken = broken_promises(figures)
    if broken:
        found.append("a promise to pay was broken" if len(broken) == 1 else f"{len(broken)} promises were broken")
    return found


def firmness_refusals(figures: CaseFigures, tone: str) -> list[str]:
    """A firm or final draft needs a reason in the figures, else it would say what the case does not."""
    if tone == "gentle" or grounds(figures):
        return []
    plan = figures.plan
    if plan is not None and plan.status == "on-track":
        why = f"the payment plan is on track ({plan.paid} of {plan.total} payments made)"
    else:
        why = "nothing is overdue, no plan is behind and no promise is broken"
    return [f"a {tone} reminder needs a reason in the figures, and case {figures.case.id} has none: {why} "
            f"(use --tone gentle, or --force if you know better and have noted why)"]
