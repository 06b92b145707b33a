"""Breathing space (records-v1 section 11): its effect on every figure.

The case accrues simple interest at 10 % a year on 3,650.00, which is
exactly 1.00 a day (3650 x 10 / 36500), so each expected interest figure is
the number of days that accrue, counted by hand in the comment beside it.
"""

from __future__ import annotations

from datetime import date

from arrears.pipeline import load_checked
from ledger_helpers import D, figures, invoice, payment

PERSON = """\
debtor:
  name: Sam Carter
  kind: individual
  contacts:
    - {channel: email, value: sam@example.org, preferred: true}
opened: 2026-01-01
"""


def _owing(records, interest: str = "{rule: simple, rate: 10}") -> None:
    records.case("acme", PERSON + f"interest: {interest}\n")
    invoice(records, "inv", "2026-01-01", "INV-1", "3650.00", "2026-01-31")  # accrues from 1 Feb


def _space(records, note_id: str, day: str, fields: str) -> None:
    records.note("acme", note_id, f"date: {day}\nkind: breathing-space\n{fields}")


def test_a_standard_space_lasts_60_days_counting_its_start_and_stops_interest(records):
    _owing(records)
    _space(records, "bs", "2026-02-11", "type: standard\nref: DRS-1")  # inside 11 Feb .. 11 Feb + 59 = 11 Apr
    before = figures(records, "2026-02-10")  # 1..10 Feb = 10 days
    assert (before.totals.interest, before.state) == (D("10.00"), "overdue")
    inside = figures(records, "2026-04-11")  # the 60th day: still 10 days
    assert (inside.totals.interest, inside.state, inside.interest_daily) == (D("10.00"), "breathing-space", D("0"))
    [space] = inside.spaces
    assert (space.start, space.end, space.ref) == (date(2026, 2, 11), date(2026, 4, 11), "DRS-1")
    after = figures(records, "2026-04-12")  # 10 days + 12 Apr = 11
    assert (after.totals.interest, after.state) == (D("11.00"), "overdue")


def test_overdue_and_aging_are_reported_as_usual_inside(records):
    _owing(records)
    _space(records, "bs", "2026-02-11", "type: standard")
    f = figures(records, "2026-03-02")
    # due 31 Jan, as of 2 Mar: 30 days past due; 3650 + 10 days of interest (1..10 Feb), both overdue
    assert (f.overdue, f.days_past_due) == (D("3660.00"), 30)
    assert f.aging["1-30"] == D("3660.00")


def test_a_space_recorded_after_its_start_counts_from_its_start_once_the_note_counts(records):
    _owing(records)
    _space(records, "bs", "2026-03-01", "type: standard\nstart: 2026-02-11")
    not_yet = figures(records, "2026-02-28")  # the note does not count yet: 1..28 Feb = 28 days
    assert (not_yet.totals.interest, not_yet.state) == (D("28.00"), "overdue")
    known = figures(records, "2026-03-01")  # now 11 Feb .. 1 Mar are inside: only 1..10 Feb accrue
    assert (known.totals.interest, known.state) == (D("10.00"), "breathing-space")


def test_a_mental_health_space_stays_open_until_a_correction_gives_its_end(records):
    _owing(records)
    _space(records, "bs", "2026-02-11", "type: mental-health\nref: MH-7")
    open_ended = figures(records, "2026-06-30")  # 1..10 Feb only
    assert (open_ended.totals.interest, open_ended.state) == (D("10.00"), "breathing-space")
    assert open_ended.breathing_space.end is None
    _space(records, "bs-end", "2026-07-01", "corrects: bs\nend: 2026-06-30")  # keeps start and type
    ended = figures(records, "2026-07-10")  # 1..10 Feb + 1..10 Jul = 20 days
    assert (ended.totals.interest, ended.state) == (D("20.00"), "overdue")
    [space] = ended.spaces
    assert (space.type, space.start, space.end, space.ref) == ("mental-health", date(2026, 2, 11),
                                                               date(2026, 6, 30), "MH-7")


def test_a_correction_ends_a_standard_space_early_from_its_own_date(records):
    _owing(records)
    _space(records, "bs", "2026-02-11", "type: standard")
    _space(records, "bs-end", "2026-03-01", "corrects: bs\nend: 2026-02-28")
    before_correction = figures(records, "2026-02-27")  # the 60-day space still stands
    assert (before_correction.totals.interest, before_correction.state) == (D("10.00"), "breathing-space")
    f = figures(records, "2026-03-10")  # 1..10 Feb + 1..10 Mar = 20 days
    assert (f.totals.interest, f.state) == (D("20.00"), "overdue")


def test_a_note_that_corrects_the_space_voids_it(records):
    _owing(records)
    _space(records, "bs", "2026-02-11", "type: standard")
    records.note("acme", "oops", "date: 2026-02-12\nkind: note\ncorrects: bs")
    f = figures(records, "2026-02-20")  # 1..20 Feb = 20 days
    assert (f.totals.interest, f.state, f.spaces) == (D("20.00"), "overdue", ())


def test_payments_still_count_inside(records):
    _owing(records)
    _space(records, "bs", "2026-02-11", "type: standard")
    payment(records, "pay", "2026-03-01", "100.00")
    f = figures(records, "2026-03-01")
    assert (f.totals.paid, f.balance) == (D("100.00"), D("3560.00"))  # 3650 + 10 interest - 100


def test_settled_comes_before_breathing_space(records):
    _owing(records, "{rule: none}")
    _space(records, "bs", "2026-02-11", "type: standard")
    payment(records, "pay", "2026-03-01", "3650.00")
    assert figures(records, "2026-03-01").state == "settled"


INSTALLMENT_PLAN = """
    agreed: 2026-02-01
    installments:
      - {due: 2026-02-15, amount: 100.00}
      - {due: 2026-05-15, amount: 100.00}
    grace_days: 7
    broken_after: 1
"""


def test_an_installment_due_inside_is_not_missed_and_is_due_the_day_after_the_space_ends(records):
    records.case("acme", PERSON)
    invoice(records, "inv", "2026-01-01", "INV-1", "200.00", "2026-01-31")
    records.plan("acme", "plan", INSTALLMENT_PLAN)
    _space(records, "bs", "2026-02-10", "type: standard")  # inside 10 Feb .. 10 Apr
    inside = figures(records, "2026-03-01")  # 15 Feb + 7 days of grace has passed, but inside
    first = inside.plan.installments[0]
    assert (first.due, first.state, inside.plan.status, inside.state) == (
        date(2026, 4, 11), "upcoming", "on-track", "breathing-space")
    assert inside.overdue == D("0")  # nothing is due before D: the installment now falls due on 11 Apr
    on_the_day = figures(records, "2026-04-11")
    assert on_the_day.plan.installments[0].state == "due"
    last_day_of_grace = figures(records, "2026-04-18")  # 11 Apr + 7
    assert last_day_of_grace.plan.status == "on-track"
    missed = figures(records, "2026-04-19")
    assert (missed.plan.installments[0].state, missed.plan.status) == ("missed", "broken")


def test_a_promise_due_inside_does_not_break_and_is_due_the_day_after(records):
    records.case("acme", PERSON)
    invoice(records, "inv", "2026-01-01", "INV-1", "200.00", "2026-01-31")
    records.note("acme", "call", "date: 2026-02-05\nkind: call\noutcome: spoke\npromise: {amount: 50.00, by: 2026-02-20}")
    _space(records, "bs", "2026-02-10", "type: standard")  # inside 10 Feb .. 10 Apr
    [inside] = figures(records, "2026-04-10").promises
    assert (inside.status, inside.by) == ("pending", date(2026, 4, 11))
    assert figures(records, "2026-04-11").promises[0].status == "pending"
    assert figures(records, "2026-04-12").promises[0].status == "broken"


def test_a_promise_kept_by_a_payment_during_the_space_is_kept(records):
    records.case("acme", PERSON)
    invoice(records, "inv", "2026-01-01", "INV-1", "200.00", "2026-01-31")
    records.note("acme", "call", "date: 2026-02-05\nkind: call\noutcome: spoke\npromise: {amount: 50.00, by: 2026-02-20}")
    _space(records, "bs", "2026-02-10", "type: standard")
    payment(records, "pay", "2026-03-03", "50.00")  # after 20 Feb, inside the space
    assert figures(records, "2026-04-20").promises[0].status == "kept"


# --- check ---------------------------------------------------------------------------------


def _problems(records, today: str):
    return [p for p in load_checked(records.root, date.fromisoformat(today)).verdict.problems]


def test_check_errors_on_a_fee_dated_inside_and_accepts_one_before(records):
    _owing(records, "{rule: none}")
    _space(records, "bs", "2026-02-11", "type: standard")  # 11 Feb .. 11 Apr
    records.note("acme", "fee-before", "date: 2026-02-10\nkind: fee\namount: 25.00\nreason: returned cheque")
    records.note("acme", "fee-last-day", "date: 2026-04-11\nkind: fee\namount: 25.00\nreason: admin")
    records.note("acme", "fee-after", "date: 2026-04-12\nkind: fee\namount: 25.00\nreason: admin")
    found = [(p.path, p.severity, p.code) for p in _problems(records, "2026-05-01")
             if p.code == "fee-in-breathing-space"]
    assert found == [("cases/acme/notes/fee-last-day.md", "error", "fee-in-breathing-space")]


def test_check_warns_about_each_outbound_contact_inside_and_no_inbound_one(records):
    _owing(records, "{rule: none}")
    _space(records, "bs", "2026-03-01", "type: standard\nstart: 2026-02-11")  # recorded late: still inside
    for note_id, kind, direction in (("call-in", "call", "in"), ("call-out", "call", "out"),
                                     ("email-out", "email", "out"), ("sms-out", "sms", "out"),
                                     ("letter-out", "letter", "out"), ("meeting", "meeting", "out")):
        records.note("acme", note_id, f"date: 2026-02-20\nkind: {kind}\ndirection: {direction}")
    records.note("acme", "email-after", "date: 2026-04-12\nkind: email")
    warned = sorted(p.path.rsplit("/", 1)[1] for p in _problems(records, "2026-05-01")
                    if p.code == "contact-in-breathing-space")
    assert warned == ["call-out.md", "email-out.md", "letter-out.md", "sms-out.md"]


def test_a_breathing_space_note_needs_its_type_and_an_end_after_its_start(records):
    _owing(records, "{rule: none}")
    _space(records, "bs", "2026-02-11", "ref: X")
    _space(records, "bs2", "2026-02-11", "type: standard\nstart: 2026-02-11\nend: 2026-02-01")
    codes = sorted((p.path.rsplit("/", 1)[1], p.code) for p in _problems(records, "2026-05-01") if p.is_error)
    assert codes == [("bs.md", "missing-key"), ("bs2.md", "bad-value")]


def test_an_installment_moved_by_a_space_keeps_the_rate_of_its_agreed_due_date(records):
    # Late Payment Act, a base rate cut to 3.50 on 18 June 2026: the H2 2026 reference (30 June) would give
    # 11.50, the H1 reference (31 Dec 2025, 3.75) gives 11.75. The installment was due 20 June (H1: the day
    # after is 21 June), inside the space 1 Jun .. 30 Jul, so it falls due 31 Jul and accrues from 1 Aug.
    # As of 10 Aug: 10 days x 3650 x 11.75 / 36500 = 11.75 (at 11.50 it would be 11.50).
    records.write("arrears.toml", '[interest.rates.bank_of_england]\n"2026-06-18" = "3.50"\n')
    records.case("acme", "debtor: {name: Acme Trading Ltd, kind: business}\nopened: 2026-05-01\n"
                         "interest: {rule: late-payment-act}\n")
    invoice(records, "inv", "2026-05-01", "INV-1", "3650.00", "2026-05-31")
    records.plan("acme", "plan", """
        agreed: 2026-05-15
        installments:
          - {due: 2026-06-20, amount: 3650.00}
        interest: charged
    """)
    _space(records, "bs", "2026-06-01", "type: standard")  # 1 Jun + 59 days = 30 Jul
    f = figures(records, "2026-08-10")
    assert f.plan.installments[0].due == date(2026, 7, 31)
    assert (f.totals.interest, f.totals.compensation) == (D("11.75"), D("0.00"))


def test_new_note_scaffolds_a_standard_space_starting_on_its_date(records):
    from click.testing import CliRunner

    from arrears.cli.app import main
    from arrears.records.load import load

    _owing(records)
    result = CliRunner().invoke(main, ["new", "note", "acme", "--root", str(records.root), "--kind",
                                       "breathing-space", "--date", "2026-03-02", "--ref", "DRS-9"])
    assert result.exit_code == 0, result.output
    (note,) = [n for n in load(records.root).case("acme").notes if n.kind == "breathing-space"]
    assert (note.detail.type, note.detail.start, note.detail.end, note.detail.ref) == (
        "standard", date(2026, 3, 2), None, "DRS-9")
    assert figures(records, "2026-03-02").breathing_space.end == date(2026, 4, 30)  # 2 Mar + 59 days
