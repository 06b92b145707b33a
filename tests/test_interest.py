"""Interest and compensation (records-v1 section 10): the external worked examples and each precise reading.

Every expected figure is worked by hand in the comment beside it:
principal x rate x days / 36500, summed per item and rounded half up once.
"""

from __future__ import annotations

from datetime import date

import pytest

from arrears.ledger.compute import compute_case
from arrears.records.load import load
from ledger_helpers import D, figures, invoice, payment

BUSINESS = "debtor: {name: Acme Trading Ltd, kind: business}\nopened: 2025-01-01\n"


def _case(records, interest: str, currency: str = "GBP", case_id: str = "acme") -> None:
    records.case(case_id, BUSINESS + f"currency: {currency}\ninterest: {interest}\n")


def _charges(f, kind: str) -> dict[str, str]:
    return {c.debt: str(c.amount) for c in f.charges if c.kind == kind}


# --- the external worked examples -------------------------------------------------


def test_late_payment_act_on_1000_due_15_july_2025_as_of_14_august(records):
    # H2 2025: base rate on 30 June 2025 is 4.25, + 8 = 12.25; 16 Jul..14 Aug = 30 days
    # 1000 x 12.25 x 30 / 36500 = 10.0685 -> 10.07; compensation for 1,000.00-9,999.99: 70.00
    _case(records, "{rule: late-payment-act}")
    invoice(records, "inv", "2025-06-15", "INV-1", "1000.00", "2025-07-15")
    f = figures(records, "2025-08-14")
    assert (f.totals.interest, f.totals.compensation) == (D("10.07"), D("70.00"))
    assert f.balance == D("1080.07")
    [period] = f.charges[0].periods
    assert (period.principal, period.start, period.end, period.days, period.rate) == (
        D("1000.00"), date(2025, 7, 16), date(2025, 8, 14), 30, D("12.25"))
    assert f.interest_daily == D("0.34")  # 1000 x 12.25 / 36500 = 0.3356


def test_2000_unpaid_45_days_at_12_25_percent(records):
    # 2000 x 12.25 / 100 x 45 / 365 = 30.2054 -> 30.21, plus 70.00
    _case(records, "{rule: late-payment-act}")
    invoice(records, "inv", "2025-06-15", "INV-1", "2000.00", "2025-07-15")
    f = figures(records, "2025-08-29")
    assert (f.totals.interest, f.totals.compensation) == (D("30.21"), D("70.00"))


def test_eu_late_payment_on_10000_euros_for_90_days(records):
    # ECB MRO in force on 1 July 2025: 2.15, + 8 = 10.15; 1 Aug..29 Oct 2025 = 31 + 30 + 29 = 90 days
    # 10000 x 10.15 x 90 / 36500 = 250.2739 -> 250.27; compensation 40.00
    _case(records, "{rule: eu-late-payment}", currency="EUR")
    invoice(records, "inv", "2025-07-01", "F-7", "10000.00", "2025-07-31")
    f = figures(records, "2025-10-29")
    assert (f.totals.interest, f.totals.compensation) == (D("250.27"), D("40.00"))


def test_eu_rate_changes_with_each_half_year_of_accrual(records):
    # H1 2025 reads 1 Jan 2025 (3.15 + 8 = 11.15), H2 reads 1 Jul 2025 (2.15 + 8 = 10.15)
    # 21..30 Jun = 10 days: 1000 x 11.15 x 10 = 111500; 1..10 Jul = 10 days: 1000 x 10.15 x 10 = 101500
    # (111500 + 101500) / 36500 = 5.8356 -> 5.84
    _case(records, "{rule: eu-late-payment, compensation: false}", currency="EUR")
    invoice(records, "inv", "2025-05-01", "F-1", "1000.00", "2025-06-20")
    f = figures(records, "2025-07-10")
    assert [(p.start, p.end, p.rate) for p in f.charges[0].periods] == [
        (date(2025, 6, 21), date(2025, 6, 30), D("11.15")), (date(2025, 7, 1), date(2025, 7, 10), D("10.15"))]
    assert (f.totals.interest, f.totals.compensation) == (D("5.84"), D("0.00"))


@pytest.mark.parametrize("amount, fixed", [("999.99", "40"), ("1000.00", "70"), ("9999.99", "70"),
                                           ("10000.00", "100")])
def test_compensation_bands_by_invoice_amount(records, amount, fixed):
    _case(records, "{rule: late-payment-act}")
    invoice(records, "inv", "2025-06-15", "INV-1", amount, "2025-07-15")
    assert figures(records, "2025-07-16").totals.compensation == D(fixed)
    assert figures(records, "2025-07-15").totals.compensation == D("0")  # owed from the day after due


def test_half_year_edge_due_30_december_versus_31_december(records):
    # due 30 Dec 2025: interest starts 31 Dec (July-December) -> base on 30 June 2025 = 4.25 -> 12.25
    #   31 Dec..30 Jan = 31 days: 1000 x 12.25 x 31 / 36500 = 10.4041 -> 10.40
    # due 31 Dec 2025: interest starts 1 Jan 2026 (January-June) -> base on 31 Dec 2025 = 3.75 -> 11.75
    #   1..30 Jan = 30 days: 1000 x 11.75 x 30 / 36500 = 9.6575 -> 9.66
    records.write("arrears.toml", '[interest.rates.bank_of_england]\n"2025-12-18" = "3.75"\n')
    _case(records, "{rule: late-payment-act, compensation: false}")
    invoice(records, "a", "2025-11-01", "A", "1000.00", "2025-12-30")
    invoice(records, "b", "2025-11-01", "B", "1000.00", "2025-12-31")
    f = figures(records, "2026-01-30")
    assert _charges(f, "interest") == {"A": "10.40", "B": "9.66"}
    assert {c.debt: c.periods[0].rate for c in f.charges} == {"A": D("12.25"), "B": D("11.75")}


# --- the precise readings --------------------------------------------------------


def test_a_payment_dated_d_stops_day_ds_interest(records):
    # 1..9 Feb at 1000 (9 days) + 10..20 Feb at 600 (11 days), 10 % a year:
    # (1000 x 10 x 9 + 600 x 10 x 11) / 36500 = 156000 / 36500 = 4.2740 -> 4.27
    # (were day 10's interest charged on 1000, it would be 4.38)
    _case(records, "{rule: simple, rate: 10}")
    invoice(records, "inv", "2026-01-01", "INV-1", "1000.00", "2026-01-31")
    payment(records, "pay", "2026-02-10", "400.00")
    f = figures(records, "2026-02-20")
    assert f.totals.interest == D("4.27")
    assert [(p.principal, p.days) for p in f.charges[0].periods] == [(D("1000.00"), 9), (D("600.00"), 11)]


def test_each_item_is_rounded_once_and_the_case_sums_the_rounded_items(records):
    # 14.60 x 10 x 1 / 36500 = 0.004 each -> 0.00 each, so 0.00 (not 0.008 -> 0.01)
    # 18.25 x 10 x 1 / 36500 = 0.005 exactly -> half up -> 0.01
    _case(records, "{rule: simple, rate: 10}")
    invoice(records, "a", "2026-01-01", "A", "14.60", "2026-01-31")
    invoice(records, "b", "2026-01-01", "B", "14.60", "2026-01-31")
    invoice(records, "c", "2026-01-01", "C", "18.25", "2026-01-31")
    f = figures(records, "2026-02-01")
    assert _charges(f, "interest") == {"A": "0.00", "B": "0.00", "C": "0.01"}
    assert f.totals.interest == D("0.01")


def test_interest_and_compensation_are_settled_last_interest_first(records):
    # paid 1,050 on 14 Aug: principal first (the meter stops that day): 16 Jul..13 Aug = 29 days
    # 1000 x 12.25 x 29 / 36500 = 9.7329 -> 9.73; the other 50 pays the 9.73 then 40.27 of the 70
    _case(records, "{rule: late-payment-act}")
    invoice(records, "inv", "2025-06-15", "INV-1", "1000.00", "2025-07-15")
    payment(records, "pay", "2025-08-14", "1050.00", "applies_to: INV-1")
    f = figures(records, "2025-08-14")
    assert (f.totals.interest, f.totals.compensation, f.balance) == (D("9.73"), D("70.00"), D("29.73"))
    assert [(i.kind, i.due, str(i.settled), str(i.unsettled)) for i in f.items] == [
        ("invoice", date(2025, 7, 15), "1000.00", "0.00"),
        ("interest", date(2025, 7, 16), "9.73", "0.00"),
        ("compensation", date(2025, 7, 16), "40.27", "29.73"),
    ]
    assert f.overdue == D("29.73") and f.state == "overdue"


def test_fees_accrue_no_interest(records):
    _case(records, "{rule: simple, rate: 10}")
    records.note("acme", "fee", "date: 2026-01-01\nkind: fee\namount: 500\nreason: Collection costs")
    assert figures(records, "2026-06-01").totals.interest == D("0")


def _frozen_plan_case(records, mode: str = "") -> None:
    _case(records, "{rule: simple, rate: 10}")
    invoice(records, "inv", "2026-01-01", "INV-1", "6000.00", "2026-01-31")
    records.plan("acme", "plan", f"""
        agreed: 2026-02-01
        grace_days: 0
        broken_after: 2
        {mode}
        installments:
          - {{due: 2026-02-10, amount: 2000.00}}
          - {{due: 2026-02-20, amount: 2000.00}}
          - {{due: 2026-03-02, amount: 2000.00}}
    """)
    payment(records, "pay", "2026-02-25", "2000.00")


def test_a_frozen_plan_accrues_only_while_broken_and_freezes_again_when_it_recovers(records):
    # missed: 1 from 11 Feb, 2 from 21 Feb (broken), the payment on 25 Feb settles installment 1
    # (behind: frozen again), installment 3 missed from 3 Mar (broken again). Broken days: 21-24 Feb, 3-10 Mar.
    # installment 1: 21-24 Feb, 4 days x 2000 x 10 = 80000 -> 2.19
    # installment 2: 4 + 8 days x 2000 x 10 = 240000 -> 6.58; installment 3: 8 days = 160000 -> 4.38
    _frozen_plan_case(records)
    f = figures(records, "2026-03-10")
    assert f.plan.status == "broken"
    assert _charges(f, "interest") == {"Installment 1 of 3": "2.19", "Installment 2 of 3": "6.58",
                                       "Installment 3 of 3": "4.38"}
    periods = {c.debt: [(p.start, p.end) for p in c.periods] for c in f.charges}
    assert periods["Installment 2 of 3"] == [(date(2026, 2, 21), date(2026, 2, 24)),
                                             (date(2026, 3, 3), date(2026, 3, 10))]
    assert f.totals.interest == D("13.15") and f.balance == D("4013.15")
    # while behind (e.g. on 28 Feb) nothing accrues: the interest stands as on 24 Feb
    assert figures(records, "2026-02-28").interest_daily == D("0")


def test_a_charged_plan_accrues_from_each_installments_own_due_date(records):
    # installment 1: 11..24 Feb = 14 days -> 280000 / 36500 = 7.67
    # installment 2: 21 Feb..10 Mar = 18 days -> 360000 / 36500 = 9.86; installment 3: 3..10 Mar -> 4.38
    _frozen_plan_case(records, "interest: charged")
    f = figures(records, "2026-03-10")
    assert f.totals.interest == D("21.91")


def test_the_default_plan_amount_includes_interest_already_owed(records):
    # 1 Feb..1 Mar 2026 = 29 days before agreed: 1000 x 10 x 29 / 36500 = 7.9452 -> 7.95
    # the plan covers 1007.95 (503.97 + 503.98); the invoice stops accruing on 2 Mar
    _case(records, "{rule: simple, rate: 10}")
    invoice(records, "inv", "2026-01-01", "INV-1", "1000.00", "2026-01-31")
    records.plan("acme", "plan", "agreed: 2026-03-02\nschedule: {start: 2026-04-01, every: month, count: 2}")
    f = figures(records, "2026-03-20")
    assert f.plan.amount == D("1007.95")
    assert [i.amount for i in f.plan.installments] == [D("503.97"), D("503.98")]
    assert f.totals.interest == D("7.95") and f.balance == D("1007.95")
    assert [i.kind for i in f.items] == ["installment", "installment"]  # the interest is inside the plan


def test_compensation_under_a_plan(records):
    # agreed 1 Feb, the compensation day: the plan covers the invoice, so none, even once it breaks
    records.write("arrears.toml", '[interest.rates.bank_of_england]\n"2025-12-18" = "3.75"\n')
    _case(records, "{rule: late-payment-act}")
    invoice(records, "inv", "2026-01-01", "INV-1", "500.00", "2026-01-31")
    records.plan("acme", "plan", "agreed: 2026-02-01\nschedule: {start: 2026-02-10, every: week, count: 2}")
    f = figures(records, "2026-04-01")
    assert f.plan.status == "broken" and f.totals.compensation == D("0")


def test_compensation_owed_before_a_later_plan_is_part_of_its_amount(records):
    # agreed 2 Feb: compensation (40) was owed on 1 Feb; interest for 1 Feb at 3.75 + 8 = 11.75:
    # 500 x 11.75 x 1 / 36500 = 0.1610 -> 0.16; the plan covers 500 + 0.16 + 40 = 540.16
    records.write("arrears.toml", '[interest.rates.bank_of_england]\n"2025-12-18" = "3.75"\n')
    _case(records, "{rule: late-payment-act}")
    invoice(records, "inv", "2026-01-01", "INV-1", "500.00", "2026-01-31")
    records.plan("acme", "plan", "agreed: 2026-02-02\nschedule: {start: 2026-03-01, every: month, count: 2}")
    f = figures(records, "2026-02-10")
    assert f.plan.amount == D("540.16")
    assert (f.totals.interest, f.totals.compensation, f.balance) == (D("0.16"), D("40.00"), D("540.16"))


def test_from_stops_accrual_before_it_but_moves_neither_rate_date_nor_compensation(records):
    # due 20 Dec 2025: interest would start 21 Dec (H2 2025 -> 12.25), `from` 10 Jan 2026 moves only the start
    # 10..19 Jan = 10 days: 1000 x 12.25 x 10 / 36500 = 3.3562 -> 3.36; compensation on 21 Dec still owed
    _case(records, "{rule: late-payment-act, from: 2026-01-10}")
    invoice(records, "inv", "2025-11-20", "INV-1", "1000.00", "2025-12-20")
    f = figures(records, "2026-01-19")
    assert (f.totals.interest, f.totals.compensation) == (D("3.36"), D("70.00"))
    # an interest item is due on its first accruing day, so here it comes after the compensation
    assert [(c.kind, c.due) for c in f.charges] == [("compensation", date(2025, 12, 21)),
                                                    ("interest", date(2026, 1, 10))]


def _held(records, as_of: str, holds):
    portfolio = load(records.root)
    return compute_case(portfolio.case("acme"), portfolio.settings, date.fromisoformat(as_of), holds=holds)


def test_a_hold_stops_accrual_and_defers_compensation(records):
    # breathing space 30 Jan..5 Feb: the compensation day (1 Feb) moves to 6 Feb; interest from 6 Feb
    # at the rate fixed by 1 Feb (base on 31 Dec 2025 = 3.75 -> 11.75): 6..15 Feb = 10 days
    # 1000 x 11.75 x 10 / 36500 = 3.2192 -> 3.22
    records.write("arrears.toml", '[interest.rates.bank_of_england]\n"2025-12-18" = "3.75"\n')
    _case(records, "{rule: late-payment-act}")
    invoice(records, "inv", "2026-01-01", "INV-1", "1000.00", "2026-01-31")
    hold = ((date(2026, 1, 30), date(2026, 2, 5)),)
    f = _held(records, "2026-02-15", hold)
    assert (f.totals.interest, f.totals.compensation) == (D("3.22"), D("70.00"))
    assert {c.kind: c.due for c in f.charges} == {"interest": date(2026, 2, 6), "compensation": date(2026, 2, 6)}
    assert _held(records, "2026-02-05", hold).totals.compensation == D("0")
    assert _held(records, "2026-02-05", hold).interest_daily == D("0")


def test_compensation_falling_in_a_hold_lapses_if_the_invoice_is_paid_by_its_end(records):
    _case(records, "{rule: late-payment-act}")
    invoice(records, "inv", "2026-01-01", "INV-1", "1000.00", "2026-01-31")
    payment(records, "pay", "2026-02-03", "1000.00")
    f = _held(records, "2026-03-01", ((date(2026, 1, 30), date(2026, 2, 5)),))
    assert (f.totals.interest, f.totals.compensation, f.balance) == (D("0"), D("0"), D("0"))


def test_compensation_false_claims_no_fixed_sum(records):
    _case(records, "{rule: late-payment-act, compensation: false}")
    invoice(records, "inv", "2025-06-15", "INV-1", "1000.00", "2025-07-15")
    f = figures(records, "2025-08-14")
    assert (f.totals.interest, f.totals.compensation) == (D("10.07"), D("0"))


def test_a_365_day_year_in_a_leap_year_too(records):
    # 2028 is a leap year: 1 Jan..31 Dec 2028 = 366 days: 1000 x 10 x 366 / 36500 = 100.2740 -> 100.27
    _case(records, "{rule: simple, rate: 10}")
    invoice(records, "inv", "2027-12-01", "INV-1", "1000.00", "2027-12-31")
    assert figures(records, "2028-12-31").totals.interest == D("100.27")


def test_rule_none_leaves_every_figure_as_before(records):
    _case(records, "{rule: none}")
    invoice(records, "inv", "2025-06-15", "INV-1", "1000.00", "2025-07-15")
    f = figures(records, "2025-08-14")
    assert (f.totals.interest, f.totals.compensation, f.interest_daily, f.charges) == (D("0"), D("0"), D("0"), ())
    assert f.balance == D("1000.00")


def test_a_superseded_plan_that_covered_the_invoice_in_time_still_rules_compensation_out(records):
    # plan 1 agreed 1 Feb (the compensation day) covers INV-1; plan 2 replaces it on 1 Mar: still no compensation
    _case(records, "{rule: late-payment-act, from: 2026-03-01}")
    invoice(records, "inv", "2026-01-01", "INV-1", "500.00", "2026-01-31")
    records.plan("acme", "p1", "agreed: 2026-02-01\nschedule: {start: 2026-02-10, every: week, count: 2}")
    records.plan("acme", "p2", "agreed: 2026-03-01\nsupersedes: p1\nschedule: {start: 2026-03-10, every: week, count: 2}")
    f = figures(records, "2026-03-05")
    assert f.totals.compensation == D("0") and f.plan.amount == D("500.00")


# --- the pieces, directly ----------------------------------------------------------


def test_holds_are_merged_and_a_day_in_one_moves_to_the_day_after_it():
    from arrears.ledger import holds

    merged = holds.normalize([(date(2026, 3, 10), date(2026, 3, 20)), (date(2026, 3, 1), date(2026, 3, 9)),
                              (date(2026, 5, 1), date(2026, 4, 1))])  # the last is empty: end before start
    assert merged == ((date(2026, 3, 1), date(2026, 3, 20)),)
    assert holds.first_day_outside(date(2026, 3, 5), merged) == date(2026, 3, 21)
    assert holds.first_day_outside(date(2026, 3, 21), merged) == date(2026, 3, 21)
    assert holds.from_notes((), date(2026, 3, 5)) == ()  # the breathing-space note kind comes with issue #15


def test_broken_windows_open_when_enough_are_missed_and_close_when_caught_up():
    from arrears.ledger.interest import broken_windows

    parts = [(date(2026, 2, 10), date(2026, 2, 25)), (date(2026, 2, 20), None), (date(2026, 3, 2), None)]
    # grace 0: missed from 11 Feb, 21 Feb, 3 Mar; the first settled on 25 Feb
    assert broken_windows(parts, 0, 2, None, date(2026, 2, 1), date(2026, 3, 10)) == [
        (date(2026, 2, 21), date(2026, 2, 24)), (date(2026, 3, 3), date(2026, 3, 10))]
    assert broken_windows(parts, 0, 2, date(2026, 3, 5), date(2026, 2, 1), date(2026, 3, 10)) == [
        (date(2026, 2, 21), date(2026, 2, 24)), (date(2026, 3, 3), date(2026, 3, 4))]  # completed on 5 Mar
    assert broken_windows(parts, 0, 3, None, date(2026, 2, 1), date(2026, 3, 10)) == []


def test_the_act_reads_30_june_or_31_december_by_the_first_day_of_interest():
    from arrears.ledger.interest import act_reference_date

    assert act_reference_date(date(2025, 7, 1)) == date(2025, 6, 30)
    assert act_reference_date(date(2025, 12, 31)) == date(2025, 6, 30)
    assert act_reference_date(date(2026, 1, 1)) == date(2025, 12, 31)
    assert act_reference_date(date(2026, 6, 30)) == date(2025, 12, 31)


def test_installments_accrue_only_on_the_invoice_principal_they_stand_for(records):
    # The plan covers the invoice (1000.00), the fee (250.00) and the invoice's interest before agreed:
    # 2..9 Jan = 8 days, 1000 x 8 x 8 / 36500 = 1.7534 -> 1.75; the plan's amount is 1251.75.
    # Its one installment (due 15 Jan, charged) accrues from 16 Jan to 14 Feb = 30 days, but only on the
    # invoice's share: 1251.75 x (1000 / 1251.75) x 8 x 30 / 36500 = 6.5753 -> 6.58. Fees and interest
    # never earn interest (section 10). On the whole 1251.75 it would have been 8.23.
    _case(records, "{rule: simple, rate: 8}")
    invoice(records, "inv", "2026-01-01", "INV-1", "1000.00", "2026-01-01")
    records.note("acme", "fee", "date: 2026-01-01\nkind: fee\namount: 250.00\nreason: Collection costs")
    records.plan("acme", "plan", """
        agreed: 2026-01-10
        interest: charged
        grace_days: 0
        installments:
          - {due: 2026-01-15, amount: 1251.75}
    """)
    f = figures(records, "2026-02-14")
    assert f.plan.amount == D("1251.75")
    assert _charges(f, "interest") == {"INV-1": "1.75", "Installment 1 of 1": "6.58"}
    assert f.totals.interest == D("8.33")


def test_a_plan_covering_only_fees_earns_nothing_even_when_broken_and_superseded(records):
    # Found by the property "without payments interest never decreases as D grows": 0.22 of fees under
    # a plan that broke accrued 0.01, which the next plan then gave back. Fees never accrue, so neither
    # does an installment that stands only for fees.
    _case(records, "{rule: simple, rate: 8}")
    records.note("acme", "fee", "date: 2026-01-01\nkind: fee\namount: 0.22\nreason: Fee")
    records.plan("acme", "p0", "agreed: 2026-01-02\ngrace_days: 0\nbroken_after: 1\n"
                               "schedule: {start: 2026-01-02, every: week, installment: 10.00}")
    records.plan("acme", "p1", "agreed: 2026-04-17\nsupersedes: p0\ngrace_days: 0\nbroken_after: 1\n"
                               "schedule: {start: 2026-04-17, every: week, installment: 10.00}")
    assert figures(records, "2026-04-16").plan.status == "broken"
    for day in ("2026-04-16", "2026-04-17", "2026-06-30"):
        assert figures(records, day).totals.interest == D("0")
