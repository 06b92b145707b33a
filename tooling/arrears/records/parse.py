"""Turns one record file (bytes) into a typed record and its problems.

Pure functions of `(path, data, context)`: no file system, no clock, so they
can run in worker processes and on blobs read from Git. Each function reads
every key it can and reports every problem it finds, each at the line and
column of the offending key or value. A record with any error comes back as
`None` so the ledger never computes from half-understood data.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal
from typing import Callable, Collection, Iterable, TypeVar

from arrears import money
from arrears.problems import Problem
from arrears.records.model import MAX_INSTALLMENTS  # noqa: F401  (the limit parse enforces)
from arrears.records.model import (
    BREATHING_SPACE_TYPES,
    BreathingSpace,
    CASE_STATUSES,
    CHANNELS,
    CIRCUMSTANCES,
    CONTACT_KINDS,
    CREDIT_REASONS,
    DEBTOR_KINDS,
    DIRECTIONS,
    DISPUTE_STATES,
    INTEREST_RULES,
    NOTE_KINDS,
    OUTCOMES,
    PAYMENT_METHODS,
    PERIODS,
    PLAN_INTEREST,
    Case,
    Contact,
    Contacting,
    Credit,
    Debtor,
    Discount,
    Dispute,
    Fee,
    Installment,
    Interest,
    Invoice,
    Note,
    Payment,
    Plan,
    Promise,
    Schedule,
    Settings,
    Source,
)
from arrears.records.yamlsafe import Mapping, Node, Pos, Scalar, Sequence, read_document, to_python

T = TypeVar("T")

_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$", re.ASCII)
_DATETIME = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$", re.ASCII)
_INTEGER = re.compile(r"^[0-9]+$")
_DECIMAL = re.compile(r"^[0-9]+(?:\.[0-9]+)?$")
YEARS = range(1900, 2200)  # outside these a date is a typo, and schedules built from it overflow `date`
MAX_DAYS = 3650  # ten years: longer grace is a typo, and date arithmetic overflows on absurd counts

CASE_KEYS = ("debtor", "currency", "opened", "owner", "status", "tags", "circumstances",
             "vulnerable", "do_not_contact", "interest", "sole_trader", "extra")
INTEREST_KEYS = ("rule", "rate", "from", "compensation")
DEBTOR_KEYS = ("name", "kind", "contacts", "address")
CONTACT_KEYS = ("channel", "value", "preferred")
NOTE_COMMON_KEYS = ("date", "kind", "by", "summary", "follow_up", "promise", "corrects", "tags", "extra")
NOTE_KIND_KEYS: dict[str, tuple[str, ...]] = {
    **{kind: ("direction", "outcome") for kind in CONTACT_KINDS},
    "invoice": ("ref", "amount", "due", "issued", "description"),
    "payment": ("amount", "method", "ref", "applies_to"),
    "fee": ("amount", "reason"),
    "credit": ("amount", "reason"),
    "dispute": ("state", "ref"),
    "breathing-space": ("type", "start", "end", "ref"),
    "note": (),
}
PLAN_KEYS = ("agreed", "amount", "schedule", "installments", "grace_days", "broken_after",
             "discount", "interest", "supersedes", "by", "summary", "tags", "extra")


@dataclass(frozen=True, slots=True)
class Parsed:
    """A record (or None when it has errors) and everything found wrong with it."""

    record: object | None
    problems: tuple[Problem, ...]


class Reader:
    """Reads YAML nodes against a schema, remembering positions and collecting problems."""

    def __init__(self, path: str, currency: str, document=None):
        self.path = path
        self.currency = currency
        self.problems: list[Problem] = [
            Problem(path, p.pos.line, p.pos.column, "error", p.code, p.message)
            for p in (document.problems if document else ())
        ]
        self.spots: dict[str, Pos] = {}

    @property
    def failed(self) -> bool:
        return any(p.is_error for p in self.problems)

    def source(self) -> Source:
        return Source(self.path, self.spots)

    def report(self, pos: Pos, code: str, message: str, severity: str = "error") -> None:
        self.problems.append(Problem(self.path, pos.line, pos.column, severity, code, message))  # type: ignore[arg-type]

    # -- mappings ---------------------------------------------------------

    def fields(self, node: Node | None, where: str, allowed: Collection[str],
               required: Iterable[str] = (), prefix: str = "") -> dict[str, Node]:
        """The keys of a mapping that the schema knows; unknown and missing keys are reported."""
        if node is None:
            return {}
        if not isinstance(node, Mapping):
            self.report(node.pos, "bad-type", f"{where} must be a mapping of keys")
            return {}
        found: dict[str, Node] = {}
        for key, value in node.pairs:
            self.spots[prefix + key.text] = value.pos if not _is_null(value) else key.pos
            if key.text in allowed:
                found[key.text] = value
            else:
                self.report(key.pos, "unknown-key", _unknown_key_message(key.text, where, allowed))
        for name in required:
            if name not in found or _is_null(found[name]):
                self.report(node.pos, "missing-key", f"{where} needs {name!r}")
        return found

    def value(self, fields: dict[str, Node], key: str, read: Callable[[Scalar, str], T],
              default: T | None = None) -> T | None:
        """Read one scalar field with `read`, or give `default` when it is absent or null."""
        node = fields.get(key)
        if node is None:
            return default
        if node.__class__ is not Scalar:
            self.report(node.pos, "bad-type", f"{key!r} must be a single value, not a list or mapping")
            return default
        if node.is_null:
            return default
        return read(node, key)

    # -- scalar readers: (node, key) -> value or None with a problem ----------

    def text(self, node: Scalar, key: str) -> str | None:
        if not node.text.strip():
            self.report(node.pos, "empty-value", f"{key} is empty: write a value or leave the key out")
            return None
        return node.text

    def money(self, node: Scalar, key: str) -> Decimal | None:
        try:
            return money.parse_amount(node.text, self.currency)
        except money.MoneyError as error:
            self.report(node.pos, error.code, f"{key}: {error}")
            return None

    def date(self, node: Scalar, key: str) -> date | None:
        match = _DATE.match(node.text.strip())
        if match:
            try:
                day = date.fromisoformat(match.group(0))  # the pattern checked the form; this, the calendar
            except ValueError:
                self.report(node.pos, "bad-date", f"{key}: {node.text!r} is not a real calendar date")
                return None
            if day.year not in YEARS:
                self.report(node.pos, "bad-date",
                            f"{key}: {node.text!r} is outside the years {YEARS[0]}-{YEARS[-1]}: a typo?")
                return None
            return day
        self.report(node.pos, "bad-date", f"{key}: {node.text!r} is not a date: write YYYY-MM-DD")
        return None

    def moment(self, node: Scalar, key: str) -> tuple[date, time | None] | None:
        """A date, or a local date and time (`2026-03-02T14:30` or with a space)."""
        text = node.text.strip()
        match = _DATETIME.match(text)
        if not match:
            day = self.date(node, key) if _DATE.match(text) else None
            if day is None and not _DATE.match(text):
                self.report(node.pos, "bad-date",
                            f"{key}: {node.text!r} is not a date: write YYYY-MM-DD or YYYY-MM-DDTHH:MM")
            return (day, None) if day else None
        day_text, hour, minute, second = match.groups()
        day = self.date(Scalar(day_text, True, node.pos), key)
        try:
            moment = time(int(hour), int(minute), int(second or 0))
        except ValueError:
            self.report(node.pos, "bad-date", f"{key}: {node.text!r} has an impossible time of day")
            return None
        return (day, moment) if day else None

    def choice(self, options: Collection[str]) -> Callable[[Scalar, str], str | None]:
        def read(node: Scalar, key: str) -> str | None:
            if node.text in options:
                return node.text
            hint = _did_you_mean(node.text, options)
            self.report(node.pos, "bad-value",
                        f"{key}: {node.text!r} is not one of {', '.join(options)}{hint}")
            return None
        return read

    def boolean(self, node: Scalar, key: str) -> bool | None:
        if node.plain and node.text in ("true", "false"):
            return node.text == "true"
        self.report(node.pos, "bad-boolean", f"{key}: {node.text!r} is not a boolean: write true or false")
        return None

    def count(self, node: Scalar, key: str) -> int | None:
        if _INTEGER.match(node.text):
            return int(node.text)
        self.report(node.pos, "bad-number", f"{key}: {node.text!r} is not a whole number")
        return None

    def percent(self, node: Scalar, key: str) -> Decimal | None:
        if _DECIMAL.match(node.text) and Decimal(node.text) <= 100:
            return Decimal(node.text)
        self.report(node.pos, "bad-number", f"{key}: {node.text!r} is not a percentage between 0 and 100")
        return None

    def words(self, node: Node | None, key: str, options: Collection[str] | None = None) -> tuple[str, ...]:
        """A list of words (a lone word counts as a list of one)."""
        if node is None or _is_null(node):
            return ()
        items = node.items if isinstance(node, Sequence) else (node,)
        result = []
        for item in items:
            if not isinstance(item, Scalar) or _is_null(item) or not item.text.strip():
                self.report(item.pos, "bad-type", f"{key} must be a list of words")
                continue
            if options is not None and item.text not in options:
                self.report(item.pos, "bad-value",
                            f"{key}: {item.text!r} is not one of {', '.join(options)}{_did_you_mean(item.text, options)}")
                continue
            result.append(item.text)
        return tuple(result)

    def extra(self, node: Node | None) -> dict | None:
        if node is None or _is_null(node):
            return None
        if not isinstance(node, Mapping):
            self.report(node.pos, "bad-type", "extra must be a mapping of your own keys")
            return None
        return to_python(node)  # type: ignore[return-value]

    def sequence(self, node: Node | None, key: str) -> tuple[Node, ...]:
        if node is None or _is_null(node):
            return ()
        if not isinstance(node, Sequence):
            self.report(node.pos, "bad-type", f"{key} must be a list")
            return ()
        return node.items


def parse_case(path: str, data: bytes, case_id: str, settings: Settings) -> Parsed:
    """case.md: the debtor, how to reach them, their circumstances and the story."""
    document = read_document(data)
    reader = Reader(path, settings.currency, document)
    if document.front is None:
        return _failed(reader)
    top = reader.fields(document.front, "case.md", CASE_KEYS, required=("debtor", "opened"))
    currency = reader.value(top, "currency", _currency(reader), settings.currency)
    reader.currency = currency or settings.currency
    person = reader.fields(top.get("debtor"), "debtor", DEBTOR_KEYS, required=("name", "kind"), prefix="debtor.")
    contacts = []
    for index, item in enumerate(reader.sequence(person.get("contacts"), "debtor.contacts")):
        prefix = f"debtor.contacts[{index}]."
        entry = reader.fields(item, "a contact", CONTACT_KEYS, required=("channel", "value"), prefix=prefix)
        channel = reader.value(entry, "channel", reader.choice(CHANNELS))
        value = reader.value(entry, "value", reader.text)
        preferred = reader.value(entry, "preferred", reader.boolean, False)
        if channel and value:
            contacts.append(Contact(channel, value, bool(preferred)))
    interest = _interest(reader, top.get("interest"))
    values = dict(
        name=reader.value(person, "name", reader.text),
        kind=reader.value(person, "kind", reader.choice(DEBTOR_KINDS)),
        address=reader.value(person, "address", reader.text),
        opened=reader.value(top, "opened", reader.date),
        owner=reader.value(top, "owner", reader.text),
        status=reader.value(top, "status", reader.choice(CASE_STATUSES), "active"),
        tags=reader.words(top.get("tags"), "tags"),
        circumstances=reader.words(top.get("circumstances"), "circumstances", CIRCUMSTANCES),
        vulnerable=reader.value(top, "vulnerable", reader.boolean, False),
        do_not_contact=reader.words(top.get("do_not_contact"), "do_not_contact", CHANNELS),
        sole_trader=reader.value(top, "sole_trader", reader.boolean, False),
        extra=reader.extra(top.get("extra")),
    )
    if reader.failed:
        return _failed(reader)
    case = Case(
        id=case_id,
        debtor=Debtor(values["name"], values["kind"], tuple(contacts), values["address"]),
        currency=reader.currency,
        opened=values["opened"],
        source=reader.source(),
        owner=values["owner"],
        status=values["status"],
        tags=values["tags"],
        circumstances=values["circumstances"],
        vulnerable=bool(values["vulnerable"]),
        do_not_contact=values["do_not_contact"],
        interest=interest,
        sole_trader=bool(values["sole_trader"]),
        extra=values["extra"],
        story=document.body,
    )
    return Parsed(case, tuple(reader.problems))


def parse_note(path: str, data: bytes, case_id: str, note_id: str, currency: str) -> Parsed:
    """notes/*.md: one event, with the fields its kind allows."""
    document = read_document(data)
    reader = Reader(path, currency, document)
    if document.front is None:
        return _failed(reader)
    kind_node = next((v for k, v in document.front.pairs if k.text == "kind"), None)
    kind = kind_node.text if isinstance(kind_node, Scalar) and kind_node.text in NOTE_KINDS else None
    allowed = NOTE_COMMON_KEYS + (NOTE_KIND_KEYS[kind] if kind else _ALL_KIND_KEYS)
    where = _a_note(kind)
    top = reader.fields(document.front, where, allowed, required=("date", "kind"))
    reader.value(top, "kind", reader.choice(NOTE_KINDS))
    moment = reader.value(top, "date", reader.moment)
    detail = _note_detail(reader, kind, top, moment[0] if moment else None)
    promise_fields = reader.fields(top.get("promise"), "promise", ("amount", "by"),
                                   required=("amount", "by"), prefix="promise.")
    promise_amount = reader.value(promise_fields, "amount", reader.money)
    promise_by = reader.value(promise_fields, "by", reader.date)
    common = dict(
        by=reader.value(top, "by", reader.text),
        summary=reader.value(top, "summary", reader.text),
        follow_up=reader.value(top, "follow_up", reader.date),
        corrects=reader.value(top, "corrects", reader.text),
        tags=reader.words(top.get("tags"), "tags"),
        extra=reader.extra(top.get("extra")),
    )
    if reader.failed or kind is None or moment is None:
        return _failed(reader)
    note = Note(
        id=note_id,
        case=case_id,
        kind=kind,
        date=moment[0],
        time=moment[1],
        detail=detail,
        source=reader.source(),
        promise=Promise(promise_amount, promise_by) if promise_amount and promise_by else None,
        body=document.body,
        **common,
    )
    return Parsed(note, tuple(reader.problems))


_ALL_KIND_KEYS = tuple(sorted({key for keys in NOTE_KIND_KEYS.values() for key in keys}))


def _note_detail(reader: Reader, kind: str | None, top: dict[str, Node], day: date | None):
    if kind in CONTACT_KINDS:
        return Contacting(
            reader.value(top, "direction", reader.choice(DIRECTIONS), "out"),
            reader.value(top, "outcome", reader.choice(OUTCOMES)),
        )
    if kind in ("invoice", "payment", "fee", "credit"):
        amount = reader.value(top, "amount", reader.money)
        if "amount" not in top or _is_null(top["amount"]):
            reader.report(reader.spots.get("kind", Pos(1, 1)), "missing-key", f"{_a_note(kind)} needs 'amount'")
    if kind == "invoice":
        ref = reader.value(top, "ref", reader.text)
        due = reader.value(top, "due", reader.date)
        for name, got in (("ref", ref), ("due", due)):
            if name not in top or _is_null(top[name]):
                reader.report(reader.spots.get("kind", Pos(1, 1)), "missing-key", f"an invoice note needs {name!r}")
        issued = reader.value(top, "issued", reader.date, day)
        description = reader.value(top, "description", reader.text)
        return Invoice(ref, amount, due, issued, description) if ref and amount and due and issued else None
    if kind == "payment":
        return Payment(amount, reader.value(top, "method", reader.choice(PAYMENT_METHODS)),
                       reader.value(top, "ref", reader.text), reader.value(top, "applies_to", reader.text))
    if kind == "fee":
        return Fee(amount, reader.value(top, "reason", reader.text))
    if kind == "credit":
        return Credit(amount, reader.value(top, "reason", reader.choice(CREDIT_REASONS), "other"))
    if kind == "dispute":
        state = reader.value(top, "state", reader.choice(DISPUTE_STATES))
        if "state" not in top or _is_null(top["state"]):
            reader.report(reader.spots.get("kind", Pos(1, 1)), "missing-key", "a dispute note needs 'state' (open or resolved)")
        return Dispute(state, reader.value(top, "ref", reader.text)) if state else None
    if kind == "breathing-space":
        return _breathing_space(reader, top)
    return None


def _breathing_space(reader: Reader, top: dict[str, Node]) -> BreathingSpace | None:
    """type is required (it decides the default end) unless the note corrects an earlier space."""
    space_type = reader.value(top, "type", reader.choice(BREATHING_SPACE_TYPES))
    correcting = "corrects" in top and not _is_null(top["corrects"])
    if ("type" not in top or _is_null(top["type"])) and not correcting:
        reader.report(reader.spots.get("kind", Pos(1, 1)), "missing-key",
                      "a breathing-space note needs 'type' (standard or mental-health)")
    start = reader.value(top, "start", reader.date)
    end = reader.value(top, "end", reader.date)
    if start and end and end < start:
        reader.report(reader.spots.get("end", Pos(1, 1)), "bad-value",
                      f"end ({end.isoformat()}) is before start ({start.isoformat()})")
        return None
    if space_type is None and not correcting:
        return None
    return BreathingSpace(space_type, start, end, reader.value(top, "ref", reader.text))


def parse_plan(path: str, data: bytes, case_id: str, plan_id: str, currency: str, settings: Settings) -> Parsed:
    """plans/*.md: an agreed payment plan, by schedule rule or explicit installments."""
    document = read_document(data)
    reader = Reader(path, currency, document)
    if document.front is None:
        return _failed(reader)
    top = reader.fields(document.front, "a plan", PLAN_KEYS, required=("agreed",))
    agreed = reader.value(top, "agreed", reader.date)
    amount = reader.value(top, "amount", reader.money)
    has_schedule = "schedule" in top and not _is_null(top["schedule"])
    has_list = "installments" in top and not _is_null(top["installments"])
    if has_schedule == has_list:
        reader.report(document.front.pos, "plan-shape",
                      "a plan needs either 'schedule' (a rule) or 'installments' (a list), not both or neither")
    schedule = _schedule(reader, top.get("schedule"), amount) if has_schedule else None
    installments = _installments(reader, top.get("installments"), amount) if has_list else None
    discount = _discount(reader, top.get("discount"))
    values = dict(
        interest=reader.value(top, "interest", reader.choice(PLAN_INTEREST), "frozen"),
        grace_days=reader.value(top, "grace_days", reader.count, settings.grace_days),
        broken_after=reader.value(top, "broken_after", reader.count, settings.broken_after),
        supersedes=reader.value(top, "supersedes", reader.text),
        by=reader.value(top, "by", reader.text),
        summary=reader.value(top, "summary", reader.text),
        tags=reader.words(top.get("tags"), "tags"),
        extra=reader.extra(top.get("extra")),
    )
    if values["broken_after"] == 0:
        reader.report(reader.spots["broken_after"], "bad-number", "broken_after must be at least 1")
    elif (values["broken_after"] or 0) > MAX_INSTALLMENTS:
        reader.report(reader.spots["broken_after"], "bad-number", f"broken_after must be at most {MAX_INSTALLMENTS}")
    if (values["grace_days"] or 0) > MAX_DAYS:
        reader.report(reader.spots["grace_days"], "bad-number", f"grace_days must be at most {MAX_DAYS}")
    if reader.failed or agreed is None:
        return _failed(reader)
    plan = Plan(id=plan_id, case=case_id, agreed=agreed, source=reader.source(), amount=amount,
                schedule=schedule, installments=installments, discount=discount, body=document.body,
                **values)
    return Parsed(plan, tuple(reader.problems))


def _interest(reader: Reader, node: Node | None) -> Interest:
    """case.md `interest:`: the rule (records-v1 section 10) and its options."""
    fields = reader.fields(node, "interest", INTEREST_KEYS, prefix="interest.")
    rule = reader.value(fields, "rule", reader.choice(INTEREST_RULES), "none") or "none"
    rate = reader.value(fields, "rate", reader.percent)
    start = reader.value(fields, "from", reader.date)
    compensation = reader.value(fields, "compensation", reader.boolean, True)
    if node is not None and not _is_null(node) and isinstance(node, Mapping):
        where = reader.spots.get("interest.rule", node.pos)
        if rule == "simple" and rate is None:
            reader.report(where, "missing-key", "interest rule simple needs a rate (percent a year)")
        if rule != "simple" and rate is not None:
            reader.report(reader.spots["interest.rate"], "rate-ignored",
                          f"rate applies only to rule simple and is ignored under {rule}"
                          + ("" if rule == "none" else ", which takes its rate from the reference rate table"),
                          "warning")
    return Interest(rule, rate, start, compensation is not False)


def _schedule(reader: Reader, node: Node | None, amount: Decimal | None = None) -> Schedule | None:
    fields = reader.fields(node, "schedule", ("start", "every", "count", "installment"),
                           required=("start", "every"), prefix="schedule.")
    start = reader.value(fields, "start", reader.date)
    every = reader.value(fields, "every", reader.choice(PERIODS))
    count = reader.value(fields, "count", reader.count)
    size = reader.value(fields, "installment", reader.money)
    if ("count" in fields) == ("installment" in fields) and isinstance(node, Mapping):
        reader.report(node.pos, "plan-shape", "schedule needs either 'count' (equal parts) or 'installment' (part size)")
    if count == 0:
        reader.report(reader.spots["schedule.count"], "bad-number", "count must be at least 1")
    elif count is not None and count > MAX_INSTALLMENTS:
        reader.report(reader.spots["schedule.count"], "bad-number", f"count must be at most {MAX_INSTALLMENTS}")
    if size and amount and amount / size > MAX_INSTALLMENTS:
        reader.report(reader.spots["schedule.installment"], "bad-number",
                      f"installment {size} would split {amount} into more than {MAX_INSTALLMENTS} parts")
    if start and every and (count or size):
        return Schedule(start, every, count, size)
    return None


def _installments(reader: Reader, node: Node | None, amount: Decimal | None) -> tuple[Installment, ...] | None:
    items = reader.sequence(node, "installments")
    if isinstance(node, Sequence) and not items:
        reader.report(node.pos, "plan-shape", "installments must list at least one {due, amount}")
    parts = []
    for index, item in enumerate(items):
        fields = reader.fields(item, "an installment", ("due", "amount"), required=("due", "amount"),
                               prefix=f"installments[{index}].")
        due = reader.value(fields, "due", reader.date)
        part = reader.value(fields, "amount", reader.money)
        if due and part:
            parts.append(Installment(due, part))
    if amount is not None and parts and len(parts) == len(items):
        total = sum((p.amount for p in parts), Decimal(0))
        if total != amount:
            reader.report(reader.spots["amount"], "plan-sum-mismatch",
                          f"the installments add up to {money.plain(total, reader.currency)} "
                          f"but amount is {money.plain(amount, reader.currency)}")
    return tuple(sorted(parts, key=lambda p: p.due)) if parts else None


def _discount(reader: Reader, node: Node | None) -> Discount | None:
    if node is None or _is_null(node):
        return None
    fields = reader.fields(node, "discount", ("percent", "amount", "if_paid_by"),
                           required=("if_paid_by",), prefix="discount.")
    percent = reader.value(fields, "percent", reader.percent)
    amount = reader.value(fields, "amount", reader.money)
    by = reader.value(fields, "if_paid_by", reader.date)
    if ("percent" in fields) == ("amount" in fields) and isinstance(node, Mapping):
        reader.report(node.pos, "plan-shape", "discount needs either 'percent' or 'amount'")
    return Discount(by, percent, amount) if by and (percent or amount) else None


def _currency(reader: Reader) -> Callable[[Scalar, str], str | None]:
    def read(node: Scalar, key: str) -> str | None:
        if money.is_currency(node.text):
            return node.text
        reader.report(node.pos, "bad-currency", f"{key}: {node.text!r} is not an ISO 4217 currency code (e.g. GBP, EUR, USD)")
        return None
    return read


def _failed(reader: Reader) -> Parsed:
    return Parsed(None, tuple(reader.problems))


def _a_note(kind: str | None) -> str:
    """How messages name a note: "a note", "a call note", "an invoice note"."""
    if kind in (None, "note"):
        return "a note"
    return f"{'an' if kind[0] in 'aeiou' else 'a'} {kind} note"


def _is_null(node: Node) -> bool:
    return node.__class__ is Scalar and node.is_null


def _did_you_mean(word: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _unknown_key_message(key: str, where: str, allowed: Collection[str]) -> str:
    hint = _did_you_mean(key, allowed)
    return f"unknown key {key!r} in {where}{hint}; free-form data goes under 'extra:'"
