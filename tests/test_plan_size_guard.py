"""A tiny installment size on a plan without `amount` is an error, never a crash."""

from datetime import date
from decimal import Decimal

from click.testing import CliRunner

from arrears.rules.check import check
from arrears.cli.app import main
from arrears.records.load import load
from arrears.records.model import Schedule
from arrears.ledger.schedule import from_rule


def test_check_reports_a_rule_that_would_make_too_many_parts_and_due_refuses(records):
    records.case("acme")
    records.note("acme", "inv", """
        date: 2026-01-01
        kind: invoice
        ref: A
        amount: 100000
        due: 2026-02-01
    """)
    records.plan("acme", "p", """
        agreed: 2026-03-01
        schedule: {start: 2026-04-01, every: week, installment: 0.01}
    """)
    problems = check(load(records.root), date(2026, 11, 24))
    line = (records.root / "cases/acme/plans/p.md").read_text().splitlines()[2]
    assert [(p.path, p.line, p.column, p.code) for p in problems] == [
        ("cases/acme/plans/p.md", 3, line.index("0.01") + 1, "bad-number")]
    assert "more than 600 parts" in problems[0].message
    result = CliRunner().invoke(main, ["due", "--root", str(records.root), "--as-of", "2026-11-24"])
    assert result.exit_code == 1


def test_schedule_caps_parts_and_still_sums_to_the_amount():
    rule = Schedule(date(2026, 4, 1), "week", installment=Decimal("0.01"))
    parts = from_rule(rule, Decimal("100000.00"), "GBP")
    assert len(parts) == 600
    assert sum(p.amount for p in parts) == Decimal("100000.00")


def test_a_settled_case_keeps_its_follow_up_date_but_it_is_not_late(records):
    records.case("acme")
    records.note("acme", "inv", """
        date: 2026-01-01
        kind: invoice
        ref: A
        amount: 100
        due: 2026-02-01
        follow_up: 2026-02-05
    """)
    records.note("acme", "pay", """
        date: 2026-02-03
        kind: payment
        amount: 100
    """)
    from arrears.ledger.compute import compute_case

    portfolio = load(records.root)
    figures = compute_case(portfolio.cases[0], portfolio.settings, date(2026, 3, 1))
    assert figures.state == "settled" and figures.follow_up == date(2026, 2, 5)
    assert not figures.follow_up_due
    shown = CliRunner().invoke(main, ["show", "acme", "--root", str(records.root), "--as-of", "2026-03-01"])
    assert "Next follow-up: 2026-02-05" in shown.output and "(overdue)" not in shown.output
    (records.root / "cases/acme/notes/pay.md").unlink()
    unpaid = CliRunner().invoke(main, ["show", "acme", "--root", str(records.root), "--as-of", "2026-03-01"])
    assert unpaid.exit_code == 0 and "Next follow-up: 2026-02-05 (overdue)" in unpaid.output
