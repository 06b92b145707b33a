"""Links a controller acts from: tel:, mailto: and sms: for each contact, and the suggested draft, filled in.

Pure text: a contact's value becomes the link's address (phone numbers lose
their spaces and punctuation, as dialers expect), a draft its subject and
body (percent-encoded as RFC 6068 asks, with %20 for spaces, so every mail
client reads it the same). A channel the debtor opted out of gets no link.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from arrears.records.model import Case, Contact

SCHEMES = {"phone": "tel", "email": "mailto", "sms": "sms"}
"""case.md's contact channel -> the URL scheme that starts it (post has none)."""


def _address(channel: str, value: str) -> str:
    if channel == "email":
        return quote(value.strip(), safe="@.+-_")
    return re.sub(r"[^0-9+*#]", "", value)


def contact_href(case: Case, contact: Contact) -> str | None:
    """tel:/mailto:/sms: for one contact; None for post and for a channel the debtor opted out of."""
    scheme = SCHEMES.get(contact.channel)
    if scheme is None or contact.channel in case.do_not_contact:
        return None
    address = _address(contact.channel, contact.value)
    return f"{scheme}:{address}" if address else None


def contact_for(case: Case, channel: str) -> Contact | None:
    """The contact a message by `channel` (case.md's words: email, sms) goes to: the preferred one first."""
    if channel in case.do_not_contact:
        return None
    found = [c for c in case.debtor.contacts if c.channel == channel]
    return sorted(found, key=lambda c: not c.preferred)[0] if found else None


def draft_href(case: Case, channel: str, subject: str | None, body: str) -> str | None:
    """The draft as a mailto: (subject and body) or sms: (body) link; None for letters and opted-out channels."""
    contact = contact_for(case, channel)
    if contact is None or channel not in ("email", "sms"):
        return None
    fields = ([("subject", subject)] if subject else []) + [("body", body.rstrip("\n"))]
    query = "&".join(f"{name}={quote(text, safe='')}" for name, text in fields)
    return f"{SCHEMES[channel]}:{_address(channel, contact.value)}?{query}"
