"""`arrears new note CASE --corrects NOTE-ID`: the correcting note, prefilled from the note it replaces.

A correction replaces the whole note from its own date on (spec 4), so a
correcting payment that left out the method or the invoice it applies to
would quietly lose them. Copying every field of the original means the
controller changes only what was wrong.
"""

from __future__ import annotations

from arrears.records.model import Contacting, Credit, Dispute, Fee, Invoice, Note, Payment


def copied_fields(target: Note) -> dict:
    """`NewNote` fields taken from `target`: its kind, its money fields, its promise and follow-up."""
    fields: dict = {"kind": target.kind, "corrects": target.id,
                    "summary": f"Correction of {target.id}" + (f": {target.summary}" if target.summary else "")}
    detail = target.detail
    if isinstance(detail, Contacting):
        fields.update(direction=detail.direction, outcome=detail.outcome)
    elif isinstance(detail, Invoice):
        fields.update(ref=detail.ref, amount=detail.amount, due=detail.due, issued=detail.issued,
                      description=detail.description)
    elif isinstance(detail, Payment):
        fields.update(amount=detail.amount, method=detail.method, ref=detail.ref, applies_to=detail.applies_to)
    elif isinstance(detail, (Fee, Credit)):
        fields.update(amount=detail.amount, reason=detail.reason)
    elif isinstance(detail, Dispute):
        fields.update(state=detail.state, ref=detail.ref)
    if target.promise is not None:
        fields["promise"] = (target.promise.amount, target.promise.by)
    if target.follow_up is not None:
        fields["follow_up"] = target.follow_up
    return fields
