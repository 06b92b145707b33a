"""`arrears new`: start a case, a note or a plan from a prefilled, commented skeleton.

A new record should be right the first time: named as the spec suggests
(`2026-03-02-call.md`), prefilled with what is known, with comments listing
the choices a field allows, and valid as written so `check` passes before
anyone edits it. Records are append-only, so nothing here ever overwrites:
files are created with O_CREAT|O_EXCL, and a taken name moves on to `-2`,
`-3`... (notes and plans) or is refused (a case), even when two runs race.

The text builders are pure; only `create_new` and `create_case_file` touch
the disk.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Sequence

from arrears import money, words
from arrears.rules.scaffolding import PROMPTS
from arrears.records.model import (
    CASE_ID_PATTERN,
    CHANNELS,
    CIRCUMSTANCES,
    CONTACT_KINDS,
    CREDIT_REASONS,
    DEBTOR_KINDS,
    DIRECTIONS,
    DISPUTE_STATES,
    NOTE_KINDS,
    OUTCOMES,
    PAYMENT_METHODS,
    PERIODS,
    RECORD_ID_PATTERN,
)

MAX_SUFFIX = 999
_PLAIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 .,&'()/@+_-]*$")
_YAML_WORDS = {"true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"}


class ScaffoldError(Exception):
    """A record that cannot be created as asked (name taken, bad id, missing value): told to the user."""


# --- creating files without ever overwriting -----------------------------------------


def create_exclusive(path: Path, text: str) -> Path:
    """Write `text` to a file that must not exist yet (O_CREAT|O_EXCL: atomic, even between processes).

    Raises FileExistsError when the name is taken.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
    return path


def create_new(folder: Path, stem: str, text: str) -> Path:
    """Create `folder/stem.md`, else `stem-2.md`, `stem-3.md`...: the first free name, never an existing file.

    Two runs racing for the same name each get their own file, because the
    operating system, not a prior look, decides who took a name.
    """
    for number in range(1, MAX_SUFFIX + 1):
        name = f"{stem}.md" if number == 1 else f"{stem}-{number}.md"
        try:
            return create_exclusive(folder / name, text)
        except FileExistsError:
            continue
    raise ScaffoldError(f"{folder}/{stem}*.md: {MAX_SUFFIX} files with this name already; choose another")


# --- YAML values ------------------------------------------------------------------------


def yaml_text(value: str) -> str:
    """A string as a YAML scalar: plain when unambiguous, else double-quoted (JSON quoting is valid YAML).

    Characters YAML does not allow raw in a file (DEL, C1 controls, U+FFFE...) are written as
    escapes, so any text from an export or a command line reads back exactly.
    """
    if _PLAIN.match(value) and value == value.strip() and value.lower() not in _YAML_WORDS:
        return value
    return _NOT_PRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}" if ord(m.group()) < 0x10000
                              else f"\\U{ord(m.group()):08x}", json.dumps(value, ensure_ascii=False))


# What YAML 1.1 lets a file hold unescaped (its `printable` production), less the characters it
# reads as line breaks inside a quoted scalar (NEL, U+2028, U+2029); the rest is escaped.
_NOT_PRINTABLE = re.compile("[^\x09\x0a\x0d\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def moment_text(day: date, clock_time: time | None) -> str:
    return day.isoformat() if clock_time is None else f"{day.isoformat()}T{clock_time:%H:%M}"


def _comment(line: str, comment: str, width: int = 34) -> str:
    return f"{line.ljust(width)} # {comment}"


# --- case.md -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NewCase:
    id: str
    name: str
    kind: str
    opened: date
    owner: str | None = None
    email: str | None = None
    phone: str | None = None
    address: str | None = None
    currency: str | None = None
    vulnerable: bool = False


def case_text(new: NewCase) -> str:
    """The text of a new case.md: the debtor, their contacts, and commented optional fields."""
    if not re.match(CASE_ID_PATTERN, new.id):
        raise ScaffoldError(f"case id {new.id!r} must be lower-case letters, digits and dashes "
                            "(start with a letter or digit, at most 63 characters), e.g. acme-bakery")
    if new.kind not in DEBTOR_KINDS:
        raise ScaffoldError(f"kind must be one of {', '.join(DEBTOR_KINDS)}")
    if new.currency is not None and not money.is_currency(new.currency):
        raise ScaffoldError(f"currency {new.currency!r} is not an ISO 4217 code such as GBP")
    contacts = []
    if new.email:
        contacts.append(f"    - {{channel: email, value: {yaml_text(new.email)}, preferred: true}}")
    if new.phone:
        preferred = ", preferred: true" if not new.email else ""
        contacts.append(f"    - {{channel: phone, value: {yaml_text(new.phone)}{preferred}}}")
    lines = [
        "---",
        "debtor:",
        f"  name: {yaml_text(new.name)}",
        _comment(f"  kind: {new.kind}", " | ".join(DEBTOR_KINDS)),
    ]
    if contacts:
        lines.append(_comment("  contacts:", f"channel: {' | '.join(CHANNELS)}; one may be preferred: true"))
        lines += contacts
    else:
        lines.append(_comment("  contacts: []", "e.g. - {channel: email, value: a@b.example, preferred: true}"))
    if new.address:
        lines.append("  address: |")
        lines += [f"    {line}" for line in new.address.strip().splitlines()]
    else:
        lines += ["  # address: |", "  #   1 High Street, Leeds"]
    lines.append(f"opened: {new.opened.isoformat()}")
    lines.append(f"owner: {yaml_text(new.owner)}" if new.owner else _comment("# owner: jo", "who handles the case"))
    lines.append(f"currency: {new.currency}" if new.currency
                 else _comment("# currency: GBP", "default: arrears.toml currency"))
    lines += [
        _comment("status: active", "active | on-hold | closed"),
        _comment("circumstances: []", " | ".join(CIRCUMSTANCES)),
        _comment(f"vulnerable: {'true' if new.vulnerable else 'false'}", "true: gentle tone only, flagged everywhere"),
        _comment("do_not_contact: []", f"channels the debtor opted out of: {' | '.join(CHANNELS)}"),
        _comment("# tags: []", "your own words, for filtering"),
        _comment("# interest: {rule: none}", "or {rule: simple, rate: 8} | late-payment-act | eu-late-payment "
                 "(docs/interest.md)"),
        _guidance(PROMPTS["case"]),
        "---",
        "",
    ]
    return "\n".join(lines)


def create_case_file(root: Path, new: NewCase) -> Path:
    """Write cases/<id>/case.md; an existing case is never touched."""
    text = case_text(new)
    try:
        return create_exclusive(root / "cases" / new.id / "case.md", text)
    except FileExistsError:
        raise ScaffoldError(f"cases/{new.id}/case.md already exists: nothing was changed "
                            "(records are never overwritten; pick another id or add a note instead)") from None


# --- notes/*.md ----------------------------------------------------------------------------


REQUIRED_NOTE_FIELDS = {
    "invoice": ("ref", "amount", "due"),
    "payment": ("amount",),
    "fee": ("amount",),
    "credit": ("amount",),
    "dispute": ("state",),
}


@dataclass(frozen=True, slots=True)
class NewNote:
    kind: str
    day: date
    clock_time: time | None = None
    currency: str = "GBP"
    by: str | None = None
    summary: str | None = None
    direction: str | None = None
    outcome: str | None = None
    amount: Decimal | None = None
    ref: str | None = None
    due: date | None = None
    state: str | None = None
    follow_up: date | None = None
    body: str = ""
    method: str | None = None
    promise: tuple[Decimal, date] | None = None
    corrects: str | None = None
    applies_to: str | None = None
    reason: str | None = None
    issued: date | None = None
    description: str | None = None


def note_stem(day: date, kind: str) -> str:
    """The suggested name of a note, `2026-03-02-call`, before any -2, -3 suffix."""
    stem = f"{day.isoformat()}-{kind}"
    assert re.match(RECORD_ID_PATTERN, stem)
    return stem


def note_text(new: NewNote) -> str:
    """The text of a new note: the fields its kind takes, filled when known, the choices in comments."""
    if new.kind not in NOTE_KINDS:
        raise ScaffoldError(f"kind {new.kind!r} is not one of {', '.join(NOTE_KINDS)}")
    given = {"ref": new.ref, "amount": new.amount, "due": new.due, "state": new.state}
    missing = [f"--{name}" for name in REQUIRED_NOTE_FIELDS.get(new.kind, ()) if given[name] is None]
    if missing:
        raise ScaffoldError(f"{words.article(new.kind)} note needs {' and '.join(missing)}")
    if new.method is not None and new.method not in PAYMENT_METHODS:
        raise ScaffoldError(f"method must be one of {', '.join(PAYMENT_METHODS)}")
    lines = ["---", f"date: {moment_text(new.day, new.clock_time)}", f"kind: {new.kind}"]
    if new.kind in CONTACT_KINDS:
        lines.append(_comment(f"direction: {new.direction or 'out'}", " | ".join(DIRECTIONS)))
        lines.append(_comment(f"outcome: {new.outcome}" if new.outcome else "outcome:", " | ".join(OUTCOMES)))
    elif new.kind == "invoice":
        lines += [f"ref: {yaml_text(new.ref or '')}", f"amount: {money.plain(new.amount, new.currency)}",
                  f"due: {new.due.isoformat()}",
                  (f"issued: {new.issued.isoformat()}" if new.issued
                   else _comment("# issued: " + new.day.isoformat(), "default: the note's date")),
                  f"description: {yaml_text(new.description)}" if new.description else "# description: what was sold"]
    elif new.kind == "payment":
        lines += [f"amount: {money.plain(new.amount, new.currency)}",
                  _comment(f"method: {new.method}" if new.method else "method:", " | ".join(PAYMENT_METHODS)),
                  _comment(f"ref: {yaml_text(new.ref)}" if new.ref else "# ref:", "the bank reference"),
                  _comment(f"applies_to: {yaml_text(new.applies_to)}" if new.applies_to else "# applies_to: INV-1",
                           "an invoice ref this payment settles first")]
    elif new.kind == "fee":
        lines += [f"amount: {money.plain(new.amount, new.currency)}",
                  f"reason: {yaml_text(new.reason)}" if new.reason else "reason:"]
    elif new.kind == "credit":
        lines += [f"amount: {money.plain(new.amount, new.currency)}",
                  _comment(f"reason: {new.reason or 'other'}", " | ".join(CREDIT_REASONS))]
    elif new.kind == "dispute":
        lines.append(_comment(f"state: {new.state}", " | ".join(DISPUTE_STATES)))
        lines.append(_comment(f"ref: {yaml_text(new.ref)}" if new.ref else "# ref: INV-1", "the invoice disputed"))
    elif new.kind == "breathing-space":
        lines += _breathing_space_lines(new)
    lines.append(f"by: {yaml_text(new.by)}" if new.by else _comment("# by: jo", "who"))
    lines.append(f"summary: {yaml_text(new.summary)}" if new.summary
                 else _comment("summary:", "one line for timelines"))
    lines.append(f"follow_up: {new.follow_up.isoformat()}" if new.follow_up
                 else _comment("# follow_up: YYYY-MM-DD", "the date of the next action"))
    if new.promise is not None:
        lines.append(f"promise: {{amount: {money.plain(new.promise[0], new.currency)}, by: {new.promise[1].isoformat()}}}")
    else:
        lines.append(_comment("# promise: {amount: 100.00, by: YYYY-MM-DD}", "a promise to pay"))
    if new.corrects:
        lines.append(_comment(f"corrects: {new.corrects}", "the note this one replaces from its date on"))
    if not new.body:
        prompt = ("correction" if new.corrects else new.kind if new.kind in PROMPTS
                  else "contact" if new.kind in CONTACT_KINDS else "note")
        lines.append(_guidance(PROMPTS[prompt]))
    lines += ["---", new.body.rstrip("\n"), ""]
    return "\n".join(lines)


def _guidance(prompt: str) -> str:
    """What to write below the closing `---`, as a YAML comment: it never reaches the record's text."""
    return f"# Below the closing ---: {prompt[0].lower()}{prompt[1:]}"


def _breathing_space_lines(new: NewNote) -> list[str]:
    """A Debt Respite Scheme notice: the fields section 11 reads, with their defaults in comments."""
    return [_comment("type: standard", "standard | mental-health (the notice says which)"),
            _comment(f"start: {new.day.isoformat()}", "the start date on the Insolvency Service's notice"),
            _comment("# end: YYYY-MM-DD", "standard: default start + 59 days; mental-health: open until a "
                                          "later note corrects this one with its end"),
            _comment(f"ref: {yaml_text(new.ref)}" if new.ref else "# ref: DRS-REFERENCE",
                     "the scheme's reference")]


def create_note_file(root: Path, case_id: str, new: NewNote) -> Path:
    """Write cases/<case>/notes/<date>-<kind>[-N].md under the first free name."""
    return create_new(root / "cases" / case_id / "notes", note_stem(new.day, new.kind), note_text(new))


# --- plans/*.md ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NewPlan:
    agreed: date
    amount: Decimal
    currency: str
    start: date
    every: str
    count: int | None = None
    installment: Decimal | None = None
    discount_percent: Decimal | None = None
    if_paid_by: date | None = None
    supersedes: str | None = None
    by: str | None = None
    summary: str | None = None


def plan_stem(agreed: date) -> str:
    return f"{agreed.isoformat()}-plan"


def plan_text(new: NewPlan, schedule_lines: Sequence[str] = ()) -> str:
    """The text of a new plan: what it covers, its schedule rule, and the installments as a comment."""
    if new.every not in PERIODS:
        raise ScaffoldError(f"every must be one of {', '.join(PERIODS)}")
    if (new.count is None) == (new.installment is None):
        raise ScaffoldError("give either --count N (equal parts) or --installment AMOUNT (part size)")
    if (new.discount_percent is None) != (new.if_paid_by is None):
        raise ScaffoldError("an early-settlement discount needs both --discount-percent and --if-paid-by")
    lines = [
        "---",
        _comment(f"agreed: {new.agreed.isoformat()}", "the day the debtor agreed"),
        _comment(f"amount: {money.plain(new.amount, new.currency)}", "what the plan covers"),
        "schedule:",
        f"  start: {new.start.isoformat()}",
        _comment(f"  every: {new.every}", " | ".join(PERIODS)),
        (f"  count: {new.count}" if new.count is not None
         else f"  installment: {money.plain(new.installment, new.currency)}"),
    ]
    if schedule_lines:
        lines.append("# which makes these installments:")
        lines += [f"#   {line}" for line in schedule_lines]
    lines.append(_comment("# grace_days: 7", "default: arrears.toml [plans]"))
    lines.append(_comment("# broken_after: 2", "missed installments that break the plan"))
    if new.discount_percent is not None:
        lines.append(f"discount: {{percent: {new.discount_percent}, if_paid_by: {new.if_paid_by.isoformat()}}}")
    if new.supersedes:
        lines.append(f"supersedes: {new.supersedes}")
    lines.append(f"by: {yaml_text(new.by)}" if new.by else _comment("# by: jo", "who agreed it"))
    lines.append(f"summary: {yaml_text(new.summary)}" if new.summary
                 else _comment("summary:", "one line, e.g. Six monthly payments after job loss"))
    lines += [_guidance(PROMPTS["plan"]), "---", ""]
    return "\n".join(lines)


def create_plan_file(root: Path, case_id: str, new: NewPlan, schedule_lines: Sequence[str] = ()) -> Path:
    return create_new(root / "cases" / case_id / "plans", plan_stem(new.agreed), plan_text(new, schedule_lines))


def now_local(now: datetime) -> tuple[date, time]:
    """A local moment to the minute, as a note records it."""
    return now.date(), now.time().replace(second=0, microsecond=0, tzinfo=None)
