"""Insight (records-v1 section 13), hand-worked: small portfolios written inline, every figure
worked out in the comments beside the assertion."""

from __future__ import annotations

import json
from datetime import date

from click.testing import CliRunner

from arrears.cli.app import main
from arrears.ledger.insight import combine, contribution
from arrears.ledger.periods import month_ends, months_before
from arrears.records.load import load

from ledger_helpers import D, invoice, payment


def insight(records, as_of: str):
    portfolio = load(records.root)
    assert not [p for p in portfolio.problems if p.is_error], portfolio.problems
    day = date.fromisoformat(as_of)
    return combine(day, [contribution(case, portfolio.settings, day) for case in portfolio.cases])


def gbp(records, as_of: str):
    return insight(records, as_of).currencies["GBP"]


def case(records, case_id: str) -> None:
    records.case(case_id, f"debtor: {{name: {case_id.title()} Ltd, kind: business}}\nopened: 2025-01-01")


def promise(records, case_id: str, note_id: str, made: str, amount: str, by: str) -> None:
    records.note(case_id, note_id, f"date: {made}\nkind: call\npromise: {{amount: {amount}, by: {by}}}")


def plan(records, case_id: str, plan_id: str, agreed: str, start: str, count: int, extra: str = "") -> None:
    records.plan(case_id, plan_id, f"agreed: {agreed}\nschedule: {{start: {start}, every: month, count: {count}}}\n"
                                   + extra)


# --- dates ------------------------------------------------------------------------------------------


def test_months_before_clamps_and_keeps_month_ends_at_month_ends():
    assert months_before(date(2026, 5, 15), 1) == date(2026, 4, 15)
    assert months_before(date(2026, 3, 30), 1) == date(2026, 2, 28)  # clamped: February has no 30th
    assert months_before(date(2026, 2, 28), 1) == date(2026, 1, 31)  # a month-end stays one
    assert months_before(date(2026, 4, 30), 2) == date(2026, 2, 28)
    assert months_before(date(2024, 3, 31), 1) == date(2024, 2, 29)  # leap year


def test_the_twelve_month_ends_on_or_before_d():
    assert month_ends(date(2026, 5, 15)) == tuple(
        [date(2025, m, d) for m, d in ((5, 31), (6, 30), (7, 31), (8, 31), (9, 30), (10, 31), (11, 30), (12, 31))]
        + [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30)])
    assert month_ends(date(2026, 5, 31))[-1] == date(2026, 5, 31)  # D itself when it is one
    assert month_ends(date(2026, 5, 31))[0] == date(2025, 6, 30)


# --- DSO, ADD, CEI --------------------------------------------------------------------------------


def three_months(records) -> None:
    """Sales of 3,000 in March, 2,000 in April and 1,000 in May, in two cases; 2,500 paid in May."""
    for name in ("acme", "bea"):
        case(records, name)
    invoice(records, "2026-03-20-inv", "2026-03-20", "B-1", "3000.00", "2026-04-19", case_id="bea")
    payment(records, "2026-05-20-pay", "2026-05-20", "2500.00", case_id="bea")
    invoice(records, "2026-04-15-inv", "2026-04-15", "A-1", "2000.00", "2026-05-15")
    invoice(records, "2026-05-10-inv", "2026-05-10", "A-2", "1000.00", "2026-06-09")


def test_count_back_with_a_partial_last_month(records):
    three_months(records)
    f = gbp(records, "2026-05-31")
    # AR = 3,000 + 2,000 + 1,000 - 2,500 = 3,500 (bea 500, acme 3,000: the cases add up)
    assert f.ar == D("3500.00")
    # May (Apr 30, May 31], 31 days, issued 1,000: R 3,500 >= 1,000 -> 31 days, R = 2,500
    # April (Mar 31, Apr 30], 30 days, issued 2,000: R >= 2,000 -> 30 days, R = 500
    # March (Feb 28, Mar 31], 31 days, issued 3,000 > R: 500 / 3,000 x 31 = 5.1666...
    # 31 + 30 + 5.1666... = 66.1666... -> 66.17
    assert f.dso_count_back == D("66.17")


def test_standard_dso_add_and_cei(records):
    three_months(records)
    f = gbp(records, "2026-05-31")
    # issued in (Mar 2, May 31] = 3,000 + 2,000 + 1,000 = 6,000; 3,500 / 6,000 x 90 = 52.50
    assert f.dso_standard == D("52.50")
    # current = A-2 (due Jun 9, not yet due) = 1,000; (3,500 - 1,000) / 6,000 x 90 = 37.50
    assert f.current == D("1000.00")
    assert f.add == D("37.50")
    # CEI for May: P = Apr 30, AR(P) = 3,000 + 2,000 = 5,000, issued(P, D] = 1,000
    # (5,000 + 1,000 - 3,500) / (5,000 + 1,000 - 1,000) x 100 = 2,500 / 5,000 x 100 = 50.00
    assert f.cei == D("50.00")


def test_trends_at_each_month_end(records):
    three_months(records)
    trends = {t.day: t for t in gbp(records, "2026-05-31").trends}
    april = trends[date(2026, 4, 30)]
    # Apr 30: AR = 3,000 + 2,000 = 5,000; overdue = B-1 (due Apr 19) = 3,000
    assert (april.ar, april.overdue) == (D("5000.00"), D("3000.00"))
    # count-back at Apr 30: April issued 2,000 -> 30 days, R = 3,000; March issued 3,000 -> 31 days, R = 0: 61.00
    assert april.dso_count_back == D("61.00")
    # CEI for April: AR(Mar 31) = 3,000, issued in April 2,000, AR(Apr 30) = 5,000, current(Apr 30) = A-1 = 2,000
    # (3,000 + 2,000 - 5,000) / (3,000 + 2,000 - 2,000) x 100 = 0 / 3,000 = 0.00
    assert april.cei == D("0.00")
    march = trends[date(2026, 3, 31)]
    # Mar 31: AR 3,000, March issued 3,000 -> 31 days; CEI: (0 + 3,000 - 3,000) / (0 + 3,000 - 3,000): null
    assert (march.ar, march.dso_count_back, march.cei) == (D("3000.00"), D("31.00"), None)
    assert trends[date(2026, 2, 28)].dso_count_back == D("0.00")  # nothing owed: 0
    assert sorted(trends) == list(trends) and len(trends) == 12


def test_more_than_a_year_of_sales_owed(records):
    case(records, "acme")
    invoice(records, "2025-01-10-inv", "2025-01-10", "OLD", "500.00", "2025-02-09")
    invoice(records, "2026-05-01-inv", "2026-05-01", "NEW", "100.00", "2026-05-31")
    f = gbp(records, "2026-05-31")
    # R = 600; May issued 100 -> 31 days, R = 500; nothing issued in the 11 months before: R stays 500
    assert f.dso_count_back == ">365"
    # standard: 600 / 100 x 90 = 540.00
    assert f.dso_standard == D("540.00")
    document = json.loads(_insight(records, "--as-of", "2026-05-31", "--format", "json").output)
    assert document["currencies"]["GBP"]["dso_count_back"] == ">365"


def test_month_end_windows_are_calendar_months(records):
    case(records, "acme")
    invoice(records, "2026-01-31-inv", "2026-01-31", "JAN", "310.00", "2026-03-02")
    invoice(records, "2026-02-10-inv", "2026-02-10", "FEB", "280.00", "2026-03-12")
    f = gbp(records, "2026-02-28")
    # Window 1 is February (Jan 31, Feb 28], 28 days, 280: R 590 -> 28 days, R = 310
    # window 2 is January (Dec 31, Jan 31], 31 days, 310 (the 31st is January's): 31 days, R = 0 -> 59.00
    # (a window of (Jan 28, Feb 28] would hold both invoices and give 28.00)
    assert f.dso_count_back == D("59.00")


def test_the_ninetieth_day_before_d_is_outside_the_window(records):
    case(records, "acme")
    # D = May 31; D - 90 days = Mar 2, and the window is (Mar 2, May 31]
    invoice(records, "2026-03-02-inv", "2026-03-02", "EDGE", "1000.00", "2026-04-01")
    invoice(records, "2026-03-03-inv", "2026-03-03", "IN", "500.00", "2026-04-02")
    promise(records, "acme", "2026-02-20-call", "2026-02-20", "100.00", "2026-03-02")  # broken, by = D - 90: out
    promise(records, "acme", "2026-02-25-call", "2026-02-25", "300.00", "2026-03-03")  # kept, by = D - 89: in
    payment(records, "2026-03-03-pay", "2026-03-03", "300.00")
    f = gbp(records, "2026-05-31")
    # AR = 1,500 - 300 = 1,200; issued in the window = 500 (EDGE is on its open end); 1,200 / 500 x 90 = 216.00
    assert f.dso_standard == D("216.00")
    # promises with by in the window: the kept one only -> 1 / 1 = 100.00 by count, 300 / 300 by amount
    assert f.promise_kept_rate == (D("100.00"), D("100.00"))
    assert f.promises == {"kept": (1, D("300.00")), "broken": (0, D("0"))}


def test_zero_denominators_give_null(records):
    case(records, "acme")
    invoice(records, "2025-06-01-inv", "2025-06-01", "PAID", "400.00", "2025-07-01")
    payment(records, "2025-06-20-pay", "2025-06-20", "400.00")
    f = gbp(records, "2026-05-31")
    # AR = 0 -> count-back 0; nothing issued in 90 days -> standard and ADD null
    assert (f.ar, f.dso_count_back, f.dso_standard, f.add) == (D("0"), D("0.00"), None, None)
    # CEI: (0 + 0 - 0) / (0 + 0 - 0): null; no promises: null rates; nothing in any bucket: null roll rates
    assert f.cei is None and f.promise_kept_rate == (None, None)
    assert all(rate is None for rates in f.roll_rates.values() for rate in rates.values())


def test_a_credit_balance_gives_a_count_back_of_zero(records):
    case(records, "acme")
    invoice(records, "2026-05-01-inv", "2026-05-01", "A", "100.00", "2026-05-31")
    payment(records, "2026-05-02-pay", "2026-05-02", "150.00")
    f = gbp(records, "2026-05-31")
    # AR = 100 - 150 = -50 <= 0: count-back 0.00; standard follows its formula: -50 / 100 x 90 = -45.00
    assert (f.ar, f.dso_count_back, f.dso_standard) == (D("-50.00"), D("0.00"), D("-45.00"))


def test_an_empty_portfolio_has_no_currencies(records):
    assert insight(records, "2026-05-31").currencies == {}


# --- roll rates -----------------------------------------------------------------------------------


def test_roll_rates_between_month_ends(records):
    case(records, "acme")
    invoice(records, "2026-03-01-w", "2026-03-01", "W", "200.00", "2026-04-01")
    invoice(records, "2026-03-01-v", "2026-03-01", "V", "100.00", "2026-03-31")
    invoice(records, "2026-03-20-z", "2026-03-20", "Z", "300.00", "2026-04-20")
    invoice(records, "2026-04-10-x", "2026-04-10", "X", "1000.00", "2026-05-10")
    invoice(records, "2026-04-20-u", "2026-04-20", "U", "50.00", "2026-05-20")
    payment(records, "2026-05-15-pay", "2026-05-15", "50.00", "applies_to: U\n")
    payment(records, "2026-05-20-pay", "2026-05-20", "400.00", "applies_to: X\n")
    rates = gbp(records, "2026-05-31").roll_rates
    # Apr 30 -> May 31. current at Apr 30: X 1,000 + U 50 = 1,050; at May 31 X is 21 days late (1-30) with
    # 600 unsettled, U is paid (denominator only): 600 / 1,050 x 100 = 57.142... -> 57.14
    # 1-30 at Apr 30: Z (10 days) 300 + W (29 days) 200 + V (30 days) 100 = 600; at May 31 Z is 41 days
    # and W 60 days late (31-60), V 61 days (61-90: skipped a bucket, denominator only): 500 / 600 = 83.33
    assert rates[date(2026, 5, 31)] == {"current": D("57.14"), "1-30": D("83.33"), "31-60": None, "61-90": None}
    # Mar 31 -> Apr 30: current at Mar 31 = W + V (due that day: 0 days, not yet late) + Z = 600, all in 1-30
    # at Apr 30: 100.00 (X and U were not yet invoiced on Mar 31)
    assert rates[date(2026, 4, 30)]["current"] == D("100.00")


def test_an_item_taken_over_by_a_plan_counts_only_in_the_denominator(records):
    case(records, "acme")
    invoice(records, "2026-03-10-inv", "2026-03-10", "A", "600.00", "2026-04-15")
    plan(records, "acme", "2026-05-05-plan", "2026-05-05", "2026-06-05", 3)
    rates = gbp(records, "2026-05-31").roll_rates
    # Apr 30: A is 15 days late (1-30), 600; on May 31 the plan agreed May 5 has taken A over: 0 / 600
    assert rates[date(2026, 5, 31)]["1-30"] == D("0.00")


# --- plans and promises ---------------------------------------------------------------------------


def test_plans_completed_broken_and_superseded(records):
    case(records, "done")
    invoice(records, "2026-01-05-inv", "2026-01-05", "D-1", "600.00", "2026-02-01", case_id="done")
    plan(records, "done", "2026-02-10-plan", "2026-02-10", "2026-03-01", 3)  # 200 on Mar 1, Apr 1, May 1
    for day in ("2026-03-01", "2026-04-01", "2026-05-01"):
        payment(records, f"{day}-pay", day, "200.00", case_id="done")  # completed on May 1
    case(records, "gone")
    invoice(records, "2026-01-05-inv", "2026-01-05", "G-1", "900.00", "2026-02-01", case_id="gone")
    plan(records, "gone", "2026-02-10-plan", "2026-02-10", "2026-02-15", 3)  # 300 on Feb 15, Mar 15, Apr 15
    # nothing paid: Feb 15 missed from Feb 23, Mar 15 from Mar 23 -> broken (2 missed) on Mar 23
    case(records, "redo")
    invoice(records, "2026-01-05-inv", "2026-01-05", "R-1", "1200.00", "2026-02-01", case_id="redo")
    plan(records, "redo", "2026-02-01-plan", "2026-02-01", "2026-03-01", 4)
    payment(records, "2026-03-01-pay", "2026-03-01", "300.00", case_id="redo")
    plan(records, "redo", "2026-03-20-plan", "2026-03-20", "2026-04-01", 3, "supersedes: 2026-02-01-plan\n")
    payment(records, "2026-04-01-pay", "2026-04-01", "300.00", case_id="redo")
    # the second plan covers 1,200 - 300 = 900: 300 on Apr 1, May 1, Jun 1; on May 31 only May 1 is missed
    # (behind, not broken): it has not ended
    assert gbp(records, "2026-05-31").plan_outcomes == {"completed": 1, "broken": 1, "superseded": 1}
    # a year later those three ends (May 1, Mar 23, Mar 20 2026) are 12 months back or more; the second
    # plan broke in between, when Jun 1 was missed too: on Jun 9 2026 (Jun 1 + 7 days of grace + 1)
    assert gbp(records, "2027-05-31").plan_outcomes == {"completed": 0, "broken": 1, "superseded": 0}


def test_the_day_a_plan_broke(records):
    from arrears.ledger.timeline import plan_end, plan_lives

    case(records, "gone")
    invoice(records, "2026-01-05-inv", "2026-01-05", "G-1", "900.00", "2026-02-01", case_id="gone")
    plan(records, "gone", "2026-02-10-plan", "2026-02-10", "2026-02-15", 3)
    portfolio = load(records.root)
    (life,) = plan_lives(portfolio.cases[0], portfolio.settings, date(2026, 5, 31))
    # Feb 15 + 7 days of grace: missed from Feb 23; Mar 15: from Mar 23, the second miss breaks it
    assert plan_end(life) == ("broken", date(2026, 3, 23))


def test_a_promise_and_an_installment_in_the_same_week_are_not_added(records):
    case(records, "acme")
    invoice(records, "2026-03-01-inv", "2026-03-01", "A", "600.00", "2026-03-31")
    plan(records, "acme", "2026-04-01-plan", "2026-04-01", "2026-05-05", 3)  # 200 on May 5, Jun 5, Jul 5
    promise(records, "acme", "2026-04-28-call", "2026-04-28", "150.00", "2026-05-06")
    promise(records, "acme", "2026-04-29-call", "2026-04-29", "100.00", "2026-05-07")
    forecast = gbp(records, "2026-05-01").forecast
    # week 1 is May 1-7: promises 150 + 100 = 250 (summed first), the installment 200: max = 250, not 450
    assert (forecast[0].start, forecast[0].end) == (date(2026, 5, 1), date(2026, 5, 7))
    assert forecast[0].scheduled == D("250.00")
    # Jun 5 is 35 days after May 1: week 6 (Jun 5-11); Jul 5, 65 days: week 10 (Jul 3-9)
    assert [w.number for w in forecast if w.scheduled] == [1, 6, 10]
    # nothing has fallen due yet: the track record counts as 1, expected = scheduled
    assert [w.expected for w in forecast] == [w.scheduled for w in forecast]


def test_a_debtor_with_a_poor_track_record(records):
    case(records, "acme")
    invoice(records, "2026-02-20-inv", "2026-02-20", "A", "900.00", "2026-03-20")
    promise(records, "acme", "2026-03-01-call", "2026-03-01", "100.00", "2026-03-05")
    payment(records, "2026-03-04-pay", "2026-03-04", "100.00")  # kept
    promise(records, "acme", "2026-03-10-call", "2026-03-10", "100.00", "2026-03-15")  # broken
    promise(records, "acme", "2026-03-20-call", "2026-03-20", "100.00", "2026-03-25")  # broken
    promise(records, "acme", "2026-04-01-call", "2026-04-01", "100.00", "2026-04-05")  # broken
    promise(records, "acme", "2026-04-25-call", "2026-04-25", "300.00", "2026-05-09")  # pending
    forecast = gbp(records, "2026-05-01").forecast
    # May 9 is 8 days after May 1: week 2; track record 1 kept of 4 fallen due: 300 x 1/4 = 75.00
    assert (forecast[1].scheduled, forecast[1].expected) == (D("300.00"), D("75.00"))


def installments_two_of_three_on_time(records, case_id: str) -> None:
    case(records, case_id)
    invoice(records, "2026-01-01-inv", "2026-01-01", "A", "500.00", "2026-01-31", case_id=case_id)
    plan(records, case_id, "2026-02-01-plan", "2026-02-01", "2026-02-01", 5)  # 100 on the 1st, Feb to Jun
    payment(records, "2026-02-01-pay", "2026-02-01", "100.00", case_id=case_id)  # on time
    payment(records, "2026-03-10-pay", "2026-03-10", "100.00", case_id=case_id)  # after Mar 1 + 7: late
    payment(records, "2026-04-02-pay", "2026-04-02", "100.00", case_id=case_id)  # on time


def test_installments_count_in_the_track_record_and_expected_is_rounded_per_case(records):
    installments_two_of_three_on_time(records, "one")
    installments_two_of_three_on_time(records, "two")
    forecast = gbp(records, "2026-05-01").forecast
    # fallen due with their grace over by May 1: Feb 1, Mar 1, Apr 1 (May 1's grace runs to May 8); 2 on time
    # week 1 (May 1): 100 per case, 100 x 2/3 = 66.666... -> 66.67 per case, so 133.34 (not 133.33)
    assert (forecast[0].scheduled, forecast[0].expected) == (D("200.00"), D("133.34"))
    # Jun 1 is 31 days after May 1: week 5
    assert (forecast[4].scheduled, forecast[4].expected) == (D("200.00"), D("133.34"))


def test_a_broken_plan_schedules_nothing(records):
    case(records, "gone")
    invoice(records, "2026-01-05-inv", "2026-01-05", "G-1", "900.00", "2026-02-01", case_id="gone")
    plan(records, "gone", "2026-02-10-plan", "2026-02-10", "2026-04-15", 3)  # Apr 15, May 15, Jun 15
    # May 1: Apr 15 is missed (grace ended Apr 22), one miss: behind, so May 15 (week 3) is scheduled;
    # the track record is 0 of 1 installment on time, so nothing of it is expected
    week = gbp(records, "2026-05-01").forecast[2]
    assert (week.start, week.scheduled, week.expected) == (date(2026, 5, 15), D("300.00"), D("0.00"))
    # Jun 1: Apr 15 and May 15 missed -> broken: Jun 15 is not expected from it
    assert all(w.scheduled == 0 for w in gbp(records, "2026-06-01").forecast)


# --- the command ----------------------------------------------------------------------------------


def _insight(records, *args):
    return CliRunner().invoke(main, ["insight", "--root", str(records.root), *args])


def test_json_has_the_documented_keys_and_strings(records):
    three_months(records)
    result = _insight(records, "--as-of", "2026-05-31", "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["as_of"] == "2026-05-31" and list(document["currencies"]) == ["GBP"]
    gbp_ = document["currencies"]["GBP"]
    assert list(gbp_) == ["ar", "current", "overdue", "dso_count_back", "dso_standard", "add", "cei",
                          "promise_kept_rate", "promises", "plan_outcomes", "roll_rates", "trends", "forecast"]
    assert (gbp_["ar"], gbp_["dso_count_back"], gbp_["dso_standard"], gbp_["add"], gbp_["cei"]) == (
        "3500.00", "66.17", "52.50", "37.50", "50.00")
    assert gbp_["promise_kept_rate"] == {"count": None, "amount": None}
    assert list(gbp_["roll_rates"])[-1] == "2026-05-31" and len(gbp_["roll_rates"]) == 12
    assert gbp_["trends"]["2026-04-30"] == {"ar": "5000.00", "overdue": "3000.00", "dso_count_back": "61.00",
                                           "cei": "0.00"}
    assert gbp_["forecast"][0] == {"week": 1, "start": "2026-05-31", "end": "2026-06-06",
                                   "scheduled": "0.00", "expected": "0.00"}
    assert len(gbp_["forecast"]) == 13


def test_csv_and_text_give_the_same_figures(records):
    three_months(records)
    rows = _insight(records, "--as-of", "2026-05-31", "--format", "csv").output.splitlines()
    assert rows[0] == "currency,figure,date,detail,value"
    assert "GBP,dso_count_back,2026-05-31,,66.17" in rows
    assert "GBP,dso_standard,2026-05-31,,52.50" in rows
    assert "GBP,promise_kept_rate,2026-05-31,count," in rows  # null: an empty cell
    assert "GBP,trend_ar,2026-04-30,,5000.00" in rows
    text = _insight(records, "--as-of", "2026-05-31").output
    assert "DSO, count-back           66.17 days" in text
    assert "CEI, 2026-05-01 to 2026-05-31  50.00 %" in text  # the month (Apr 30, May 31]


def test_a_case_with_errors_is_left_out_and_named_and_the_rest_is_computed(records):
    three_months(records)
    records.note("acme", "2026-05-30-bad", "date: 2026-05-30\nkind: payment\namount: -5\n")
    result = CliRunner().invoke(
        main, ["insight", "--root", str(records.root), "--as-of", "2026-05-31", "--format", "json"])
    assert result.exit_code == 1
    assert "left out for errors (acme)" in result.stderr and "2026-05-30-bad.md" in result.stderr
    assert json.loads(result.stdout)["currencies"]["GBP"]["ar"] == "500.00"  # bea alone: 3,000 - 2,500


def test_closed_cases_count(records):
    records.case("shut", "debtor: {name: Shut Ltd, kind: business}\nopened: 2026-01-01\nstatus: closed")
    invoice(records, "2026-05-01-inv", "2026-05-01", "S", "100.00", "2026-05-31", case_id="shut")
    assert gbp(records, "2026-05-31").ar == D("100.00")


def test_a_plan_that_recovers_and_breaks_again_broke_on_the_second_day(records):
    from arrears.ledger.timeline import plan_end, plan_lives

    case(records, "gone")
    invoice(records, "2026-01-05-inv", "2026-01-05", "G-1", "900.00", "2026-02-01", case_id="gone")
    plan(records, "gone", "2026-02-10-plan", "2026-02-10", "2026-02-15", 3)  # 300 on Feb 15, Mar 15, Apr 15
    payment(records, "2026-04-01-pay", "2026-04-01", "300.00", case_id="gone")
    portfolio = load(records.root)
    (life,) = plan_lives(portfolio.cases[0], portfolio.settings, date(2026, 5, 31))
    # broken from Mar 23 (Feb 15 and Mar 15 missed); Apr 1 pays Feb 15's: one missed, behind again;
    # Apr 15 is missed from Apr 23: two missed, broken again, and it still is on May 31
    assert plan_end(life) == ("broken", date(2026, 4, 23))
