"""Corrections, promises, disputes, follow-ups and the case state, worked by hand (spec 4, 7.7, 7.8)."""

from datetime import date

from ledger_helpers import D, figures, invoice, payment


def _owed(records, status: str = "active"):
    records.case("acme", f"""
        debtor: {{name: Acme Bakery Ltd, kind: business}}
        opened: 2026-01-15
        status: {status}
    """)
    invoice(records, "i1", "2026-01-20", "INV-1", "1000.00", "2026-02-19")


# --- corrections ---------------------------------------------------------------


def test_a_correction_replaces_the_note_from_its_own_date_on(records):
    _owed(records)
    payment(records, "2026-03-05-payment", "2026-03-05", "500.00")
    records.note("acme", "2026-03-20-fix", """
        date: 2026-03-20
        kind: payment
        amount: 50.00
        corrects: 2026-03-05-payment
        summary: The payment was 50, not 500
    """)
    before = figures(records, "2026-03-19")
    assert (before.totals.paid, before.balance, before.corrected_by) == (D("500.00"), D("500.00"), {})
    after = figures(records, "2026-03-20")
    assert (after.totals.paid, after.balance) == (D("50.00"), D("950.00"))
    assert after.corrected_by == {"2026-03-05-payment": "2026-03-20-fix"}
    assert [(p.date, p.balance, p.paid) for p in after.history] == [
        (date(2026, 1, 20), D("1000.00"), 0),
        (date(2026, 3, 5), D("500.00"), D("500.00")),
        (date(2026, 3, 20), D("950.00"), D("50.00")),
    ]


def test_a_plain_note_with_corrects_voids_the_note(records):
    _owed(records)
    invoice(records, "i2", "2026-02-01", "INV-2", "300.00", "2026-03-01")
    records.note("acme", "void", "date: 2026-02-10\nkind: note\ncorrects: i2\nsummary: INV-2 was sent in error")
    assert figures(records, "2026-02-09").totals.invoiced == D("1300.00")
    f = figures(records, "2026-02-10")
    assert f.totals.invoiced == D("1000.00") and [i.label for i in f.items] == ["INV-1"]


def test_a_correction_dated_the_same_day_replaces_the_note_from_the_start(records):
    _owed(records)
    payment(records, "a-pay", "2026-03-05", "500.00")
    records.note("acme", "b-fix", "date: 2026-03-05\nkind: payment\namount: 50\ncorrects: a-pay")
    f = figures(records, "2026-03-05")
    assert f.totals.paid == D("50.00")
    assert [(p.date, p.balance, p.paid) for p in f.history][-1] == (date(2026, 3, 5), D("950.00"), D("50.00"))


def test_a_corrected_promise_stops_counting(records):
    _owed(records)
    records.note("acme", "call", "date: 2026-03-01\nkind: call\npromise: {amount: 200, by: 2026-03-10}")
    records.note("acme", "fix", "date: 2026-03-05\nkind: call\ncorrects: call\npromise: {amount: 100, by: 2026-03-31}")
    assert [(p.note_id, p.amount) for p in figures(records, "2026-03-04").promises] == [("call", D("200.00"))]
    assert [(p.note_id, p.amount) for p in figures(records, "2026-03-05").promises] == [("fix", D("100.00"))]


# --- promises ---------------------------------------------------------------------


def test_promise_kept_by_payments_dated_from_the_promise_to_its_by_date(records):
    _owed(records)
    payment(records, "before", "2026-02-28", "100")  # before the promise: does not count
    records.note("acme", "call", "date: 2026-03-01\nkind: call\npromise: {amount: 200, by: 2026-03-15}")
    payment(records, "p1", "2026-03-01", "120")
    assert [(p.status, p.paid) for p in figures(records, "2026-03-10").promises] == [("pending", D("120"))]
    assert [p.status for p in figures(records, "2026-03-15").promises] == ["pending"]
    assert [p.status for p in figures(records, "2026-03-16").promises] == ["broken"]
    payment(records, "p2", "2026-03-15", "80")
    assert [(p.status, p.paid) for p in figures(records, "2026-03-16").promises] == [("kept", D("200"))]


def test_a_late_payment_does_not_keep_a_broken_promise(records):
    _owed(records)
    records.note("acme", "call", "date: 2026-03-01\nkind: call\npromise: {amount: 200, by: 2026-03-15}")
    payment(records, "late", "2026-03-16", "200")
    (promise,) = figures(records, "2026-03-20").promises
    assert (promise.status, promise.paid, promise.made, promise.by) == (
        "broken", 0, date(2026, 3, 1), date(2026, 3, 15))


# --- follow-up, disputes, state -------------------------------------------------------


def test_follow_up_is_the_latest_given_by_a_note_dated_on_or_before_d(records):
    _owed(records)
    records.note("acme", "a", "date: 2026-03-01\nkind: call\nfollow_up: 2026-03-20")
    records.note("acme", "b", "date: 2026-03-05\nkind: email\nfollow_up: 2026-03-08")
    records.note("acme", "c", "date: 2026-03-06\nkind: note")
    assert figures(records, "2026-02-28").follow_up is None
    assert figures(records, "2026-03-04").follow_up == date(2026, 3, 20)
    assert figures(records, "2026-03-30").follow_up == date(2026, 3, 8)


def test_open_dispute_marks_the_case_disputed_until_resolved(records):
    _owed(records)
    records.note("acme", "d1", "date: 2026-03-01\nkind: dispute\nstate: open\nref: INV-1")
    records.note("acme", "d2", "date: 2026-03-10\nkind: dispute\nstate: resolved\nref: INV-1")
    assert figures(records, "2026-03-05").state == "disputed"
    f = figures(records, "2026-03-10")
    assert (f.disputed, f.state) == (False, "overdue")


def test_a_resolved_dispute_without_ref_resolves_them_all(records):
    _owed(records)
    records.note("acme", "d1", "date: 2026-03-01\nkind: dispute\nstate: open\nref: INV-1")
    records.note("acme", "d2", "date: 2026-03-02\nkind: dispute\nstate: open")
    records.note("acme", "d3", "date: 2026-03-03\nkind: dispute\nstate: resolved\nref: INV-1")
    assert figures(records, "2026-03-03").disputed is True
    records.note("acme", "d4", "date: 2026-03-04\nkind: dispute\nstate: resolved")
    assert figures(records, "2026-03-04").disputed is False


def test_state_order_closed_first_then_settled_then_disputed_then_on_hold(records):
    _owed(records, status="closed")
    records.note("acme", "d1", "date: 2026-03-01\nkind: dispute\nstate: open")
    assert figures(records, "2026-03-05").state == "closed"
    _owed(records, status="on-hold")
    assert figures(records, "2026-03-05").state == "disputed"
    assert figures(records, "2026-02-01").state == "on-hold"
    payment(records, "all", "2026-03-02", "1000")
    assert figures(records, "2026-03-05").state == "settled"


def test_state_current_when_nothing_is_overdue(records):
    _owed(records)
    assert figures(records, "2026-02-19").state == "current"
    assert figures(records, "2026-02-20").state == "overdue"
    assert figures(records, "2026-01-01").state == "settled"  # nothing owed yet


def test_on_hold_outranks_a_broken_plan(records):
    _owed(records, status="on-hold")
    records.plan("acme", "plan", "agreed: 2026-03-10\nschedule: {start: 2026-03-15, every: week, count: 4}")
    f = figures(records, "2026-06-01")
    assert (f.plan.status, f.state) == ("broken", "on-hold")
