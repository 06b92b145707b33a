"""`check` on interest: stale or missing reference rates, and the shipped tables themselves."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from arrears.ledger import rates
from arrears.records.load import load
from arrears.rules.check import check
from ledger_helpers import invoice


def _codes(records, today: str) -> list[tuple[str, str, str]]:
    return [(p.severity, p.code, p.message) for p in check(load(records.root), date.fromisoformat(today))
            if p.code.startswith("rate")]


def _business(records, rule: str, currency: str = "GBP") -> None:
    records.case("acme", f"debtor: {{name: Acme Ltd, kind: business}}\nopened: 2020-01-01\ncurrency: {currency}\n"
                         f"interest: {{rule: {rule}}}")


def test_a_reference_date_past_the_last_row_plus_184_days_is_warned_about(records):
    # the Act reads the base rate on 30 June 2026 for interest starting 1 July 2026
    records.write("arrears.toml", '[interest.rates.bank_of_england]\n"2025-12-27" = "3.75"\n')
    _business(records, "late-payment-act")
    invoice(records, "inv", "2026-06-01", "INV-1", "1000.00", "2026-06-30")
    # 2025-12-27 + 184 days = 2026-06-29 < 30 June: stale
    [(severity, code, message)] = _codes(records, "2026-07-15")
    assert (severity, code) == ("warning", "rate-table-stale") and "2026-06-30" in message
    # a row confirming the rate on 2026-01-01 makes 30 June fresh (1 Jan + 184 = 4 July)
    records.write("arrears.toml", '[interest.rates.bank_of_england]\n"2026-01-01" = "3.75"\n')
    assert _codes(records, "2026-07-15") == []


def test_a_settled_debt_needs_no_rate(records):
    records.write("arrears.toml", '[interest.rates.bank_of_england]\n"2025-12-27" = "3.75"\n')
    _business(records, "late-payment-act")
    invoice(records, "inv", "2026-06-01", "INV-1", "1000.00", "2026-06-30")
    records.note("acme", "pay", "date: 2026-06-30\nkind: payment\namount: 1000")
    assert _codes(records, "2026-07-15") == []


def test_eu_staleness_is_judged_on_each_half_year_start(records):
    _business(records, "eu-late-payment", "EUR")
    invoice(records, "inv", "2026-01-01", "F-1", "1000.00", "2026-01-31")
    last = rates.shipped("ecb").last
    assert _codes(records, "2026-06-30") == []  # needs 1 Jan 2026 only
    [(_, code, message)] = _codes(records, "2026-07-01")  # now 1 July 2026 too
    assert code == "rate-table-stale" and "2026-07-01" in message
    assert date(2026, 7, 1) > last + timedelta(days=184)


def test_a_date_before_the_table_has_no_rate_and_is_an_error(records):
    _business(records, "late-payment-act")
    invoice(records, "inv", "2007-01-01", "INV-1", "1000.00", "2007-01-31")
    [(severity, code, message)] = _codes(records, "2007-03-01")
    assert (severity, code) == ("error", "rate-unknown") and "2006-12-31" in message


def test_the_shipped_tables_start_by_2008_and_read_the_rate_in_force():
    boe, ecb = rates.shipped("bank_of_england"), rates.shipped("ecb")
    assert boe.days[0] <= date(2008, 1, 1) and ecb.days[0] <= date(2008, 1, 1)
    assert list(boe.days) == sorted(boe.days) and list(ecb.days) == sorted(ecb.days)
    assert boe.on(date(2025, 6, 30)) == Decimal("4.25")  # the worked example's H2 2025 rate
    assert boe.on(date(2009, 3, 5)) == Decimal("0.50") and boe.on(date(2009, 3, 4)) == Decimal("1.00")
    assert ecb.on(date(2025, 7, 1)) == Decimal("2.15")
    assert ecb.on(date(2016, 3, 16)) == Decimal("0.00")


def test_settings_rows_extend_and_override_the_shipped_table():
    extra = (("bank_of_england", ((date(2025, 5, 8), Decimal("4.30")), (date(2030, 1, 1), Decimal("1.00")))),)
    merged = rates.tables(extra)["bank_of_england"]
    assert merged.on(date(2025, 6, 30)) == Decimal("4.30") and merged.last == date(2030, 1, 1)
    assert rates.tables()["bank_of_england"].on(date(2025, 6, 30)) == Decimal("4.25")
