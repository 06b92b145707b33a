"""The text of the notes and cases an import writes: plain, valid as written, naming their origin.

Pure functions of the planned note. Every note carries `extra:` with `source`
and `source_id`, so the next import recognises it (a block mapping: an id may
hold commas or brackets, which a flow mapping would misread).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from arrears import money
from arrears.views.scaffold import NewCase, case_text, yaml_text

SOURCE_TITLES = {"xero": "Xero", "quickbooks": "QuickBooks", "freeagent": "FreeAgent"}


@dataclass(frozen=True, slots=True)
class Draft:
    """What one new note says, before it has a file name."""

    kind: str  # invoice | credit | payment | note
    date: date
    source: str
    source_id: str
    currency: str
    summary: str
    amount: Decimal | None = None
    ref: str | None = None
    due: date | None = None
    issued: date | None = None
    description: str | None = None
    applies_to: str | None = None
    corrects: str | None = None
    body: str = ""
    more: tuple[tuple[str, str], ...] = ()  # further extra keys (a reconciliation's `reconciles` and `amount`)


def title(source: str) -> str:
    return SOURCE_TITLES.get(source, source)


def note_text(draft: Draft) -> str:
    lines = ["---", f"date: {draft.date.isoformat()}", f"kind: {draft.kind}"]
    if draft.kind == "invoice":
        lines.append(f"ref: {yaml_text(draft.ref or '')}")
    if draft.amount is not None:
        lines.append(f"amount: {money.plain(draft.amount, draft.currency)}")
    if draft.kind == "invoice":
        lines.append(f"due: {draft.due.isoformat()}")  # type: ignore[union-attr]
        if draft.issued and draft.issued != draft.date:
            lines.append(f"issued: {draft.issued.isoformat()}")
        if draft.description:
            lines.append(f"description: {yaml_text(draft.description)}")
    elif draft.kind == "payment":
        if draft.ref:
            lines.append(f"ref: {yaml_text(draft.ref)}")
        if draft.applies_to:
            lines.append(f"applies_to: {yaml_text(draft.applies_to)}")
    elif draft.kind == "credit":
        lines.append("reason: other")
    if draft.corrects:
        lines.append(f"corrects: {draft.corrects}")
    lines.append(f"summary: {yaml_text(draft.summary)}")
    lines += ["extra:", f"  source: {yaml_text(draft.source)}", f"  source_id: {yaml_text(draft.source_id)}"]
    lines += [f"  {key}: {yaml_text(value)}" for key, value in draft.more]
    lines += ["---", draft.body, ""] if draft.body else ["---", ""]
    return "\n".join(lines)


def new_case_text(case_id: str, name: str, opened: date, email: str | None, currency: str | None,
                  source: str, file_name: str) -> str:
    """A case.md for a debtor first seen in an import: business by default (the exports do not say)."""
    text = case_text(NewCase(case_id, name, "business", opened, email=email, currency=currency))
    story = text.rsplit("---\n", 1)[1]
    return text[: len(text) - len(story)] + (
        f"Opened by `arrears import` from {title(source)} ({file_name}). The debtor's story, in their words "
        "where possible, goes here; change kind to individual if the debtor is a person.\n")
