"""Contact rules: the call limit, the wait after a conversation, calling hours, opt-outs, time zones."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from arrears.rules.check import check
from arrears.rules.contact import may_contact
from arrears.records.load import load

LONDON = ZoneInfo("Europe/London")


def _calls(records, days, outcome="no-answer", case="acme", time="10:00"):
    for index, day in enumerate(days):
        records.note(case, f"{day}-call-{index}", f"""
            date: {day}T{time}
            kind: call
            outcome: {outcome}
        """)


def _case(records, settings='timezone = "Europe/London"\n', front=None):
    records.write("arrears.toml", settings)
    records.case("acme", front)


def _verdict(records, channel, moment):
    portfolio = load(records.root)
    assert [p for p in portfolio.problems if p.is_error] == []
    return may_contact(portfolio.case("acme"), channel, moment, portfolio.settings)


def _rule_warnings(records, today=date(2026, 12, 31)):
    return [p for p in check(load(records.root), today) if p.code == "contact-rule"]


# --- the call limit: at most 7 attempts in any 7 consecutive days -----------------


def test_seventh_call_in_seven_days_allowed_eighth_refused(records):
    _case(records)
    _calls(records, [f"2026-03-0{d}" for d in range(2, 8)])  # six calls, 2nd..7th
    seventh = _verdict(records, "phone", datetime(2026, 3, 8, 10, 0))
    assert seventh.allowed
    _calls(records, ["2026-03-08"], case="acme")  # the 7th, 2nd..8th March
    eighth = _verdict(records, "phone", datetime(2026, 3, 8, 15, 0))
    assert not eighth.allowed
    assert [b.code for b in eighth.blocks] == ["call-limit"]
    # The oldest (2 March) leaves the window on 9 March, at the start of calling hours.
    assert eighth.next_allowed == datetime(2026, 3, 9, 8, 0, tzinfo=LONDON)
    assert _verdict(records, "phone", datetime(2026, 3, 9, 8, 0)).allowed


def test_check_flags_only_the_eighth_call(records):
    _case(records)
    days = [f"2026-03-0{d}" for d in range(2, 9)] + ["2026-03-08"]
    for index, day in enumerate(days):
        records.note("acme", f"call-{index}", f"""
            date: {day}T{10 + index}:00
            kind: call
            outcome: no-answer
        """)
    warnings = _rule_warnings(records)
    assert [w.path for w in warnings] == ["cases/acme/notes/call-7.md"]
    assert warnings[0].severity == "warning" and "at most 7" in warnings[0].message
    assert (warnings[0].line, warnings[0].column) == (2, 7)  # the value of `date`


def test_inbound_calls_are_not_attempts(records):
    _case(records)
    for index in range(8):
        records.note("acme", f"in-{index}", f"""
            date: 2026-03-02T{10 + index}:00
            kind: call
            direction: in
            outcome: no-answer
        """)
    assert _verdict(records, "phone", datetime(2026, 3, 2, 19, 0)).allowed
    assert _rule_warnings(records) == []


def test_limit_is_configurable(records):
    _case(records, 'timezone = "UTC"\n[contact]\ncalls_per_7_days = 2\n')
    _calls(records, ["2026-03-02", "2026-03-04"])
    verdict = _verdict(records, "phone", datetime(2026, 3, 5, 9, 0))
    assert not verdict.allowed and verdict.next_allowed == datetime(2026, 3, 9, 8, 0, tzinfo=ZoneInfo("UTC"))


# --- the wait after a conversation ------------------------------------------------


def test_wait_after_conversation_last_day_blocked_next_day_allowed(records):
    _case(records)
    _calls(records, ["2026-03-02"], outcome="spoke")
    same_day = _verdict(records, "phone", datetime(2026, 3, 2, 17, 0))
    assert not same_day.allowed and same_day.blocks[0].code == "after-conversation"
    last_blocked = _verdict(records, "phone", datetime(2026, 3, 8, 12, 0))
    assert not last_blocked.allowed
    assert last_blocked.next_allowed == datetime(2026, 3, 9, 8, 0, tzinfo=LONDON)
    assert _verdict(records, "phone", datetime(2026, 3, 9, 8, 0)).allowed


def test_wait_applies_to_calls_only(records):
    _case(records)
    _calls(records, ["2026-03-02"], outcome="spoke")
    assert _verdict(records, "email", datetime(2026, 3, 3, 12, 0)).allowed
    assert _verdict(records, "sms", datetime(2026, 3, 3, 23, 0)).allowed


def test_check_flags_call_during_the_wait(records):
    _case(records)
    _calls(records, ["2026-03-02"], outcome="spoke")
    records.note("acme", "2026-03-08-call", "date: 2026-03-08T10:00\nkind: call\n")
    records.note("acme", "2026-03-09-call", "date: 2026-03-09T10:00\nkind: call\n")
    warnings = _rule_warnings(records)
    assert [w.path for w in warnings] == ["cases/acme/notes/2026-03-08-call.md"]
    assert "spoke with the debtor on 2026-03-02" in warnings[0].message


def test_an_inbound_conversation_starts_the_wait_too(records):
    _case(records)
    records.note("acme", "in", "date: 2026-03-02T10:00\nkind: call\ndirection: in\noutcome: spoke\n")
    assert not _verdict(records, "phone", datetime(2026, 3, 4, 10, 0)).allowed


def test_corrected_calls_do_not_count(records):
    _case(records)
    _calls(records, ["2026-03-02"], outcome="spoke")
    records.note("acme", "2026-03-02-fix", "date: 2026-03-02T12:00\nkind: note\ncorrects: 2026-03-02-call-0\n")
    assert _verdict(records, "phone", datetime(2026, 3, 3, 10, 0)).allowed


# --- calling hours ------------------------------------------------------------------


@pytest.mark.parametrize("hour,minute,allowed", [(7, 59, False), (8, 0, True), (21, 0, True), (21, 1, False)])
def test_hours_edges(records, hour, minute, allowed):
    _case(records)
    verdict = _verdict(records, "phone", datetime(2026, 3, 2, hour, minute))
    assert verdict.allowed is allowed
    if not allowed:
        assert verdict.blocks[0].code == "outside-hours"
        expected_day = date(2026, 3, 2) if hour < 8 else date(2026, 3, 3)
        assert verdict.next_allowed == datetime.combine(expected_day, datetime.min.time().replace(hour=8),
                                                        tzinfo=LONDON)


def test_hours_apply_to_calls_not_letters(records):
    _case(records)
    assert _verdict(records, "post", datetime(2026, 3, 2, 23, 30)).allowed


def test_check_flags_a_late_call_but_not_a_date_only_one(records):
    _case(records)
    records.note("acme", "late", "date: 2026-03-02T21:01\nkind: call\noutcome: no-answer\n")
    records.note("acme", "undated", "date: 2026-03-20\nkind: call\noutcome: no-answer\n")
    records.note("acme", "edge", "date: 2026-03-25T21:00\nkind: call\noutcome: no-answer\n")
    warnings = _rule_warnings(records)
    assert [w.path for w in warnings] == ["cases/acme/notes/late.md"]
    assert "between 08:00 and 21:00" in warnings[0].message


def test_custom_hours(records):
    _case(records, 'timezone = "UTC"\n[contact]\nhours = "09:30-17:00"\n')
    assert not _verdict(records, "phone", datetime(2026, 3, 2, 9, 29)).allowed
    assert _verdict(records, "phone", datetime(2026, 3, 2, 9, 30)).allowed


# --- time zones and daylight saving ------------------------------------------------


def test_hours_follow_the_records_time_zone_across_the_dst_change(records):
    # Europe/London moves from GMT to BST at 01:00 UTC on Sunday 29 March 2026.
    _case(records)
    before = _verdict(records, "phone", datetime(2026, 3, 28, 7, 30, tzinfo=timezone.utc))  # 07:30 GMT
    after = _verdict(records, "phone", datetime(2026, 3, 29, 7, 30, tzinfo=timezone.utc))  # 08:30 BST
    assert not before.allowed
    assert before.next_allowed == datetime(2026, 3, 28, 8, 0, tzinfo=LONDON)
    assert after.allowed
    assert after.moment.utcoffset() == timedelta(hours=1)


def test_next_allowed_across_the_autumn_change_is_local_opening_time(records):
    # America/New_York falls back from EDT to EST on Sunday 1 November 2026.
    _case(records, 'timezone = "America/New_York"\n')
    verdict = _verdict(records, "phone", datetime(2026, 11, 1, 2, 30, tzinfo=timezone.utc))  # 22:30 EDT, 31 Oct
    assert not verdict.allowed
    opening = verdict.next_allowed
    assert (opening.date(), opening.hour, opening.minute) == (date(2026, 11, 1), 8, 0)
    assert opening.utcoffset() == timedelta(hours=-5)  # EST by then
    assert opening.astimezone(timezone.utc).hour == 13


def test_note_times_are_local_so_dst_needs_no_conversion(records):
    _case(records)
    records.note("acme", "summer", "date: 2026-07-01T20:59\nkind: call\noutcome: no-answer\n")
    records.note("acme", "winter", "date: 2026-12-01T08:00\nkind: call\noutcome: no-answer\n")
    assert _rule_warnings(records) == []


# --- opting out --------------------------------------------------------------------


OPTED_OUT = """
    debtor:
      name: Jo Bloggs
      kind: individual
      contacts:
        - {channel: phone, value: "+44 7700 900000", preferred: true}
        - {channel: email, value: jo@example.org}
    opened: 2026-01-15
    do_not_contact: [phone, post]
"""


def test_opted_out_channel_never_allowed(records):
    _case(records, front=OPTED_OUT)
    verdict = _verdict(records, "phone", datetime(2026, 3, 2, 10, 0))
    assert not verdict.allowed and verdict.never and verdict.next_allowed is None
    assert "do_not_contact" in verdict.reason
    assert not _verdict(records, "post", datetime(2026, 3, 2, 10, 0)).allowed
    assert _verdict(records, "email", datetime(2026, 3, 2, 10, 0)).allowed


def test_check_flags_contact_on_an_opted_out_channel_but_not_inbound(records):
    _case(records, front=OPTED_OUT)
    records.note("acme", "letter", "date: 2026-03-02\nkind: letter\noutcome: sent\n")
    records.note("acme", "they-rang", "date: 2026-03-03T10:00\nkind: call\ndirection: in\noutcome: spoke\n")
    records.note("acme", "email", "date: 2026-03-04\nkind: email\noutcome: sent\n")
    warnings = _rule_warnings(records)
    assert [w.path for w in warnings] == ["cases/acme/notes/letter.md"]
    assert "letters" in warnings[0].message


def test_a_compliant_history_has_no_warnings_and_check_passes(records):
    _case(records)
    _calls(records, ["2026-03-02", "2026-03-03"], outcome="no-answer")
    _calls(records, ["2026-03-04"], outcome="spoke", case="acme", time="09:15")
    records.note("acme", "after", "date: 2026-03-11T09:00\nkind: call\noutcome: voicemail\n")
    problems = check(load(records.root), date(2026, 4, 1))
    assert problems == []


def test_notes_after_the_moment_are_ignored(records):
    _case(records)
    _calls(records, ["2026-03-10"], outcome="spoke")
    assert _verdict(records, "phone", datetime(2026, 3, 9, 10, 0)).allowed
