"""Spec 7.1, 7.2 and 7.6 worked by hand: totals, settlement oldest first, applies_to, aging."""

from datetime import date

from ledger_helpers import D, figures, invoice, money_of, payment


def _three_invoices(records):
    records.case("acme")
    invoice(records, "i1", "2026-01-05", "INV-1", "100.00", "2026-02-04")
    invoice(records, "i2", "2026-02-01", "INV-2", "250.00", "2026-03-03")
    invoice(records, "i3", "2026-03-01", "INV-3", "400.00", "2026-03-31")


def test_totals_and_balance(records):
    _three_invoices(records)
    records.note("acme", "fee", "date: 2026-03-10\nkind: fee\namount: 40\nreason: Late payment fee")
    records.note("acme", "credit", "date: 2026-03-12\nkind: credit\namount: 15.50\nreason: goodwill")
    payment(records, "pay", "2026-03-15", "120")
    assert money_of(figures(records, "2026-04-01")) == {
        "invoiced": "750.00", "fees": "40.00", "credits": "15.50", "paid": "120.00", "balance": "654.50"}


def test_payments_and_credits_settle_the_oldest_due_date_first(records):
    _three_invoices(records)
    payment(records, "pay", "2026-03-20", "150.00")  # INV-1 100 in full, INV-2 50 of 250
    f = figures(records, "2026-04-10")
    assert [(i.label, i.settled) for i in f.items] == [("INV-1", D("100.00")), ("INV-2", D("50.00")),
                                                      ("INV-3", D("0"))]
    # overdue: INV-2 200 (due 3 Mar, 38 days) + INV-3 400 (due 31 Mar, 10 days)
    assert f.overdue == D("600.00")
    assert f.days_past_due == (date(2026, 4, 10) - date(2026, 3, 3)).days == 38
    assert f.aging == {"current": D("0"), "1-30": D("400.00"), "31-60": D("200.00"), "61-90": D("0"), "90+": D("0")}
    assert f.next_due is None
    assert f.state == "overdue"


def test_a_fee_is_due_on_its_own_date(records):
    records.case("acme")
    records.note("acme", "fee", "date: 2026-03-10\nkind: fee\namount: 40\nreason: Admin fee")
    f = figures(records, "2026-03-10")
    (item,) = f.items
    assert (item.kind, item.label, item.due, item.unsettled) == ("fee", "Admin fee", date(2026, 3, 10), D("40.00"))
    assert f.next_due.date == date(2026, 3, 10) and f.overdue == 0 and f.state == "current"
    assert figures(records, "2026-03-11").overdue == D("40.00")


def test_applies_to_settles_the_named_invoice_first_and_the_rest_oldest_first(records):
    _three_invoices(records)
    payment(records, "pay", "2026-03-20", "450.00", "applies_to: INV-3")  # INV-3 400, then INV-1 50
    f = figures(records, "2026-04-10")
    assert [(i.label, i.unsettled) for i in f.items] == [("INV-1", D("50.00")), ("INV-2", D("250.00")),
                                                        ("INV-3", D("0.00"))]
    assert f.days_past_due == (date(2026, 4, 10) - date(2026, 2, 4)).days


def test_next_due_is_the_earliest_unsettled_due_date_on_or_after_d_and_its_sum(records):
    records.case("acme")
    invoice(records, "i1", "2026-03-01", "A", "100", "2026-04-30")
    invoice(records, "i2", "2026-03-02", "B", "60", "2026-04-30")
    invoice(records, "i3", "2026-03-03", "C", "70", "2026-05-31")
    payment(records, "pay", "2026-03-05", "30")
    f = figures(records, "2026-04-30")
    assert (f.next_due.date, f.next_due.amount) == (date(2026, 4, 30), D("130"))
    assert f.aging["current"] == D("200") and f.overdue == 0


def test_aging_bucket_boundaries(records):
    records.case("acme")
    for n, due in enumerate(["2026-06-30", "2026-06-29", "2026-05-31", "2026-05-30", "2026-05-01",
                             "2026-04-30", "2026-04-01", "2026-03-31"]):
        invoice(records, f"i{n}", "2026-01-01", f"R{n}", f"{10 ** n}", due)
    f = figures(records, "2026-06-30")
    # days past due: 0, 1, 30, 31, 60, 61, 90, 91
    assert f.aging == {"current": D(1), "1-30": D(110), "31-60": D(11000), "61-90": D(1100000),
                       "90+": D(10000000)}
    assert sum(f.aging.values()) == f.balance


def test_overpayment_leaves_the_debtor_in_credit_and_the_case_settled(records):
    records.case("acme")
    invoice(records, "i1", "2026-01-05", "INV-1", "100", "2026-02-04")
    payment(records, "pay", "2026-02-01", "130")
    f = figures(records, "2026-03-01")
    assert f.balance == D("-30.00") and f.overdue == 0 and f.state == "settled"
    assert sum(f.aging.values()) == 0


def test_money_received_before_an_invoice_settles_it_when_it_arrives(records):
    records.case("acme")
    payment(records, "pay", "2026-01-02", "100")
    invoice(records, "i1", "2026-01-05", "INV-1", "100", "2026-02-04")
    assert figures(records, "2026-01-03").balance == D("-100.00")
    f = figures(records, "2026-03-01")
    assert f.items[0].settled == D("100") and f.state == "settled"


def test_yen_has_no_minor_units(records):
    records.case("tanaka", """
        debtor: {name: Tanaka Shoten, kind: business}
        currency: JPY
        opened: 2026-01-15
    """)
    invoice(records, "i1", "2026-01-15", "T-1", "150000", "2026-02-14", case_id="tanaka")
    payment(records, "pay", "2026-02-20", "50000", case_id="tanaka")
    f = figures(records, "2026-03-01", "tanaka")
    assert f.currency == "JPY"
    assert str(f.balance) == "100000" and str(f.overdue) == "100000" and f.days_past_due == 15


def test_nothing_dated_after_d_counts(records):
    _three_invoices(records)
    payment(records, "pay", "2026-02-10", "100")
    f = figures(records, "2026-02-09")
    assert money_of(f) == {"invoiced": "350.00", "fees": "0", "credits": "0", "paid": "0", "balance": "350.00"}
    assert [i.label for i in f.items] == ["INV-1", "INV-2"]


def test_balance_history_has_a_point_per_day_with_money(records):
    _three_invoices(records)
    payment(records, "pay1", "2026-03-01", "100")
    payment(records, "pay2", "2026-03-20", "50")
    f = figures(records, "2026-04-01")
    assert [(p.date, p.balance, p.paid) for p in f.history] == [
        (date(2026, 1, 5), D("100.00"), 0), (date(2026, 2, 1), D("350.00"), 0),
        (date(2026, 3, 1), D("650.00"), D("100.00")), (date(2026, 3, 20), D("600.00"), D("50.00"))]
