"""The records, in the domain's words: Settings, Case, Note, Plan and their parts.

Every record is a frozen value that remembers where it came from (`Source`),
so a check made long after loading can still point at the right line. These
are the only types the rest of the pipeline (check, ledger, agenda, views)
needs to know; nothing here reads files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal
from pathlib import Path
from typing import Mapping, Union

from arrears.pickled import fast_pickle
from arrears.problems import Problem
from arrears.records.yamlsafe import Pos

CHANNELS = ("phone", "email", "sms", "post")
DEBTOR_KINDS = ("business", "individual")
CASE_STATUSES = ("active", "on-hold", "closed")
CIRCUMSTANCES = ("job-loss", "illness", "bereavement", "misunderstanding", "dispute", "cash-flow", "other")
INTEREST_RULES = ("none", "simple", "late-payment-act", "eu-late-payment")
PLAN_INTEREST = ("frozen", "charged")
CONTACT_KINDS = ("call", "email", "sms", "letter", "meeting")
MONEY_KINDS = ("invoice", "payment", "fee", "credit")
NOTE_KINDS = CONTACT_KINDS + MONEY_KINDS + ("dispute", "breathing-space", "note")
BREATHING_SPACE_TYPES = ("standard", "mental-health")
DIRECTIONS = ("out", "in")
OUTCOMES = ("spoke", "no-answer", "voicemail", "sent", "received", "bounced", "wrong-number")
PAYMENT_METHODS = ("bank-transfer", "card", "cash", "cheque", "direct-debit", "other")
CREDIT_REASONS = ("discount", "write-off", "goodwill", "correction", "other")
DISPUTE_STATES = ("open", "resolved")
PERIODS = ("week", "fortnight", "month", "quarter")

CASE_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,62}$"
RECORD_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
MAX_INSTALLMENTS = 600  # fifty years of monthly payments: more is a typo, and would exhaust memory


@dataclass(frozen=True, slots=True)
class Source:
    """Where a record came from: its path under the root and the position of each key.

    `spots` maps a key path such as `amount`, `promise.by` or
    `installments[2].due` to the position of its value.
    """

    path: str
    spots: Mapping[str, Pos] = field(default_factory=dict, compare=False, hash=False)

    def at(self, key: str | None = None) -> Pos:
        """Position of `key`, else of its nearest parent key, else the record's first line."""
        while key:
            if key in self.spots:
                return self.spots[key]
            key = key.rpartition(".")[0] if "." in key else ""
        return Pos(1, 1)

    def problem(self, key: str | None, code: str, message: str, severity: str = "error") -> Problem:
        pos = self.at(key)
        return Problem(self.path, pos.line, pos.column, severity, code, message)  # type: ignore[arg-type]


# --- settings (arrears.toml) -------------------------------------------------


@dataclass(frozen=True, slots=True)
class ContactRules:
    calls_per_7_days: int = 7
    wait_after_conversation_days: int = 7
    hours: tuple[time, time] = (time(8, 0), time(21, 0))
    quiet_days: int = 14


@dataclass(frozen=True, slots=True)
class Sender:
    """Who letters and statements come from ([sender] in arrears.toml), printed at their top."""

    address: str | None = None  # several lines
    phone: str | None = None
    email: str | None = None


@dataclass(frozen=True, slots=True)
class Settings:
    name: str = "Accounts receivable"
    currency: str = "GBP"
    timezone: str = "UTC"
    grace_days: int = 7
    broken_after: int = 2
    contact: ContactRules = ContactRules()
    payment_instructions: str | None = None
    backdate_days: int = 7
    sender: Sender = Sender()
    source: Source = Source("arrears.toml")
    rates: tuple = ()  # rows added to the shipped rate tables: ((table, ((date, rate), ...)), ...)
    as_of: date | None = None  # arrears.toml's pinned "today" for reports (a demo's story date); None: the clock


# --- case.md ---------------------------------------------------------------


@fast_pickle
@dataclass(frozen=True, slots=True)
class Contact:
    channel: str
    value: str
    preferred: bool = False


@fast_pickle
@dataclass(frozen=True, slots=True)
class Debtor:
    name: str
    kind: str
    contacts: tuple[Contact, ...] = ()
    address: str | None = None


@dataclass(frozen=True, slots=True)
class Interest:
    """`interest:` in case.md: which rule, and its options (records-v1 section 10)."""

    rule: str = "none"
    rate: Decimal | None = None  # percent a year, for `simple`
    start: date | None = None  # `from`: nothing accrues before it
    compensation: bool = True  # `compensation: false` claims no fixed sums


# --- notes/*.md --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Promise:
    amount: Decimal
    by: date


@dataclass(frozen=True, slots=True)
class Contacting:
    """A call, email, SMS, letter or meeting."""

    direction: str = "out"
    outcome: str | None = None


@dataclass(frozen=True, slots=True)
class Invoice:
    ref: str
    amount: Decimal
    due: date
    issued: date
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Payment:
    amount: Decimal
    method: str | None = None
    ref: str | None = None
    applies_to: str | None = None


@dataclass(frozen=True, slots=True)
class Fee:
    amount: Decimal
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Credit:
    amount: Decimal
    reason: str = "other"


@dataclass(frozen=True, slots=True)
class Dispute:
    state: str
    ref: str | None = None


@dataclass(frozen=True, slots=True)
class BreathingSpace:
    """A Debt Respite Scheme hold (records-v1 section 11), as the note gives it.

    `start` and `end` are what the note says (None: not given); the ledger
    (`ledger/holds.py`) fills the defaults and follows corrections, since
    a correcting note may inherit the start of the space it changes.
    """

    type: str | None  # None only on a correcting note: the corrected space's type
    start: date | None = None
    end: date | None = None
    ref: str | None = None


Detail = Union[Contacting, Invoice, Payment, Fee, Credit, Dispute, BreathingSpace, None]


@dataclass(frozen=True, slots=True)
class Note:
    """One event in a case: a conversation, an invoice, a payment, a promise..."""

    id: str
    case: str
    kind: str
    date: date
    time: time | None
    detail: Detail
    source: Source
    by: str | None = None
    summary: str | None = None
    follow_up: date | None = None
    promise: Promise | None = None
    corrects: str | None = None
    tags: tuple[str, ...] = ()
    extra: Mapping[str, object] | None = field(default=None, compare=False, hash=False)
    body: str = ""

    @property
    def amount(self) -> Decimal | None:
        """The money this note moves, if it is an invoice, payment, fee or credit."""
        return getattr(self.detail, "amount", None)

    @property
    def sort_key(self) -> tuple:
        """Chronological order that never depends on file-system order."""
        return (self.date, self.time or time(0), self.id)


# --- plans/*.md --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Installment:
    due: date
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Schedule:
    """A rule that generates installments: `count` equal parts or parts of `installment`."""

    start: date
    every: str
    count: int | None = None
    installment: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Discount:
    """An early-settlement discount: `percent` or a fixed `amount`, if paid by a date."""

    if_paid_by: date
    percent: Decimal | None = None
    amount: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Plan:
    id: str
    case: str
    agreed: date
    source: Source
    amount: Decimal | None = None
    schedule: Schedule | None = None
    installments: tuple[Installment, ...] | None = None
    grace_days: int = 7
    broken_after: int = 2
    discount: Discount | None = None
    interest: str = "frozen"  # frozen | charged: whether installments accrue before the plan breaks
    supersedes: str | None = None
    by: str | None = None
    summary: str | None = None
    tags: tuple[str, ...] = ()
    extra: Mapping[str, object] | None = field(default=None, compare=False, hash=False)
    body: str = ""

    @property
    def sort_key(self) -> tuple:
        """Latest `agreed` wins; ties are broken by file name (spec 5)."""
        return (self.agreed, self.id)


# --- the case and the portfolio -----------------------------------------------


@dataclass(frozen=True, slots=True)
class Case:
    id: str
    debtor: Debtor
    currency: str
    opened: date
    source: Source
    owner: str | None = None
    status: str = "active"
    tags: tuple[str, ...] = ()
    circumstances: tuple[str, ...] = ()
    vulnerable: bool = False
    do_not_contact: tuple[str, ...] = ()
    interest: Interest = Interest()
    sole_trader: bool = False  # a business run by one person: the Pre-Action Protocol treats them as an individual
    extra: Mapping[str, object] | None = field(default=None, compare=False, hash=False)
    story: str = ""
    notes: tuple[Note, ...] = ()  # chronological (Note.sort_key)
    plans: tuple[Plan, ...] = ()  # by Plan.sort_key
    unreadable: frozenset[str] = frozenset()  # ids of notes/plans present but invalid

    def note(self, note_id: str) -> Note | None:
        return next((n for n in self.notes if n.id == note_id), None)

    def plan(self, plan_id: str) -> Plan | None:
        return next((p for p in self.plans if p.id == plan_id), None)

    @property
    def preferred_contact(self) -> Contact | None:
        """The preferred contact whose channel is not opted out, else the first allowed one."""
        allowed = [c for c in self.debtor.contacts if c.channel not in self.do_not_contact]
        return next((c for c in allowed if c.preferred), allowed[0] if allowed else None)


@dataclass(frozen=True, slots=True)
class Portfolio:
    """Everything loaded from a records repository, with the problems found on the way."""

    settings: Settings
    cases: tuple[Case, ...]
    problems: tuple[Problem, ...] = ()
    root: Path | None = None

    def case(self, case_id: str) -> Case | None:
        return next((c for c in self.cases if c.id == case_id), None)
