"""Contact rules: may we reach this debtor on this channel at this moment, and if not, when?

Chasing a debt kindly means not hounding anyone. `arrears.toml` `[contact]`
sets the limits and this module is their one home, used by `agenda` (before a
contact) and by `check` (after it, to document that what was done kept to the
rules). Pure: the moment is passed in, nothing reads the clock.

The rules, counted in calendar days of the records' time zone (the way
Regulation F counts "seven consecutive days"):

- **opted out**: never a channel listed in the case's `do_not_contact`
  (note kinds map to channels: call -> phone, email -> email, sms -> sms,
  letter -> post).
- **call limit**: at most `calls_per_7_days` outbound call attempts in any
  7 consecutive days, the day of the call included.
- **after a conversation**: no call for `wait_after_conversation_days` days
  after a call (either direction) whose outcome was `spoke`; the day of the
  conversation is day 1, so with 7 days a conversation on the 2nd blocks calls
  up to and including the 8th and allows them again on the 9th.
- **hours**: calls only between `hours` (both ends included) local time. A
  note with a date and no time cannot be judged on hours and is not.

Corrected notes (another note `corrects` them) do not count: they record
something that did not happen as written.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Iterable, Iterator
from zoneinfo import ZoneInfo

from arrears.pickled import fast_pickle
from arrears.problems import Problem
from arrears.records.model import Case, Contacting, ContactRules, Note, Settings

CHANNEL_OF_KIND = {"call": "phone", "email": "email", "sms": "sms", "letter": "post"}
CHANNEL_WORDS = {"phone": "phone calls", "email": "email", "sms": "text messages", "post": "letters"}
WINDOW_DAYS = 7
_LATEST = 400  # at most this many steps when looking for the next allowed moment (a bug guard)


@dataclass(frozen=True, slots=True)
class Block:
    """One rule that a contact would break: which (`code`), why (in words), and from when it no longer blocks."""

    code: str  # opted-out | call-limit | after-conversation | outside-hours
    reason: str
    until: datetime | None  # first local moment this rule stops blocking; None: never (opted out)


@fast_pickle
@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether a contact is allowed at a moment and, if not, why and when it next is."""

    channel: str
    moment: datetime  # aware, in the records' time zone
    blocks: tuple[Block, ...] = ()
    next_allowed: datetime | None = None  # aware local moment; None when allowed now or never

    @property
    def allowed(self) -> bool:
        return not self.blocks

    @property
    def reason(self) -> str | None:
        return "; ".join(block.reason for block in self.blocks) or None

    @property
    def never(self) -> bool:
        """Blocked for good (an opt-out, or a limit of zero): no waiting will help."""
        return bool(self.blocks) and self.next_allowed is None


def is_outbound_contact(note: Note) -> bool:
    return note.kind in CHANNEL_OF_KIND and isinstance(note.detail, Contacting) and note.detail.direction == "out"


def counted_notes(case: Case) -> list[Note]:
    """The case's notes minus those another note corrects, in chronological order."""
    corrected = {note.corrects for note in case.notes if note.corrects}
    return [note for note in case.notes if note.id not in corrected]


def may_contact(case: Case, channel: str, moment: datetime, settings: Settings) -> Verdict:
    """May `case`'s debtor be contacted on `channel` at `moment`, given the contacts recorded so far?

    `moment` is an aware datetime (converted to the records' time zone) or a
    naive one (already local). Notes dated after the moment are ignored:
    they have not happened yet. When blocked, `next_allowed` is the first
    local moment when no rule blocks, assuming nothing else happens meanwhile.
    """
    zone = ZoneInfo(settings.timezone)
    local = moment.astimezone(zone) if moment.tzinfo else moment.replace(tzinfo=zone)
    day, clock_time = local.date(), local.time().replace(tzinfo=None)
    log = CallLog.of(note for note in counted_notes(case) if _at_or_before(note, day, clock_time))
    blocks = tuple(judge(case, channel, day, clock_time, log, settings.contact, zone))
    if not blocks:
        return Verdict(channel, local)
    return Verdict(channel, local, blocks, _next_allowed(case, channel, blocks, log, settings.contact, zone))


@dataclass(frozen=True, slots=True)
class CallLog:
    """The dates that matter to the call rules, sorted: outbound call attempts and conversations."""

    attempts: tuple[date, ...] = ()
    conversations: tuple[date, ...] = ()

    @classmethod
    def of(cls, notes: Iterable[Note]) -> "CallLog":
        calls = [n for n in notes if n.kind == "call" and isinstance(n.detail, Contacting)]
        return cls(tuple(sorted(n.date for n in calls if n.detail.direction == "out")),  # type: ignore[union-attr]
                   tuple(sorted(n.date for n in calls if n.detail.outcome == "spoke")))  # type: ignore[union-attr]


def judge(case: Case, channel: str, day: date, clock_time: time | None, log: CallLog,
          rules: ContactRules, zone: ZoneInfo) -> Iterator[Block]:
    """Every rule a contact on `channel` at `day` (and `clock_time`, if known) would break.

    `log` holds the calls that happened before this contact; both `may_contact`
    (looking ahead) and the `check` rule (looking back) ask this one function.
    """
    if channel in case.do_not_contact:
        yield Block("opted-out", f"the debtor asked not to be contacted by {CHANNEL_WORDS.get(channel, channel)} "
                                 "(do_not_contact)", None)
    if channel != "phone":
        return
    start, end = rules.hours
    if clock_time is not None and not start <= clock_time <= end:
        reopen = day if clock_time < start else day + timedelta(days=1)
        yield Block("outside-hours", f"calls only between {start:%H:%M} and {end:%H:%M} "
                                     f"({clock_time:%H:%M} is outside)", _opening(reopen, rules, zone))
    limit = rules.calls_per_7_days
    upto = bisect_right(log.attempts, day)
    recent = upto - bisect_left(log.attempts, day - timedelta(days=WINDOW_DAYS - 1))
    if recent >= limit:
        if limit == 0:
            yield Block("call-limit", "calls_per_7_days is 0: no calls at all", None)
        else:
            frees = log.attempts[upto - limit] + timedelta(days=WINDOW_DAYS)
            yield Block("call-limit", f"already {recent} call attempts in the 7 days to {day} "
                                      f"(at most {limit})", _opening(frees, rules, zone))
    wait = rules.wait_after_conversation_days
    talked = bisect_right(log.conversations, day)
    if talked and day < log.conversations[talked - 1] + timedelta(days=wait):
        last = log.conversations[talked - 1]
        frees = last + timedelta(days=wait)
        yield Block("after-conversation", f"spoke with the debtor on {last}: no calls for {wait} days "
                                          f"(until {frees - timedelta(days=1)} included)", _opening(frees, rules, zone))


def _next_allowed(case: Case, channel: str, blocks: Iterable[Block], log: CallLog,
                  rules: ContactRules, zone: ZoneInfo) -> datetime | None:
    """Move forward to the latest moment any rule frees until nothing blocks (None: never)."""
    blocks = list(blocks)
    for _ in range(_LATEST):
        if any(block.until is None for block in blocks):
            return None
        when = max(block.until for block in blocks)  # type: ignore[type-var]
        blocks = list(judge(case, channel, when.date(), when.time().replace(tzinfo=None), log, rules, zone))
        if not blocks:
            return when
    raise AssertionError("no allowed moment found: the contact rules keep moving it")  # pragma: no cover


def _opening(day: date, rules: ContactRules, zone: ZoneInfo) -> datetime:
    """The start of the calling hours on `day`, as an aware local moment."""
    return datetime.combine(day, rules.hours[0], tzinfo=zone)


def _at_or_before(note: Note, day: date, clock_time: time) -> bool:
    """Has `note` happened by this moment? A date-only note counts from the start of its day."""
    return (note.date, note.time or time(0)) <= (day, clock_time)


def contact_problems(case: Case, settings: Settings) -> Iterator[Problem]:
    """A warning for each recorded outbound contact that broke a contact rule at the time it was made.

    Each contact is judged against the notes before it (chronological order),
    so the 8th call in 7 days is flagged, never the first seven. Records are
    never rewritten: the warning documents what happened.
    """
    zone = ZoneInfo(settings.timezone)
    attempts: list[date] = []
    conversations: list[date] = []
    for note in counted_notes(case):  # chronological, so the lists stay sorted
        if is_outbound_contact(note):
            log = CallLog(attempts, conversations) if note.kind == "call" else CallLog()  # type: ignore[arg-type]
            for block in judge(case, CHANNEL_OF_KIND[note.kind], note.date, note.time, log, settings.contact, zone):
                yield note.source.problem("date" if block.code != "opted-out" else "kind", "contact-rule",
                                          f"this {note.kind} broke a contact rule: {block.reason}", "warning")
        if note.kind == "call" and isinstance(note.detail, Contacting):
            if note.detail.direction == "out":
                attempts.append(note.date)
            if note.detail.outcome == "spoke":
                conversations.append(note.date)
