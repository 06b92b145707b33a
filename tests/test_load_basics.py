"""Loading a small records tree: typed records, exact money, positions kept."""

from decimal import Decimal

from arrears.rules.check import check
from arrears.records.load import load


def test_loads_case_notes_and_plan_with_exact_money(records):
    records.case("acme")
    records.note("acme", "2026-02-01-invoice", """
        date: 2026-02-01
        kind: invoice
        ref: INV-1
        amount: 1250.10
        due: 2026-03-01
    """)
    records.note("acme", "2026-03-05-payment", """
        date: 2026-03-05T14:30
        kind: payment
        amount: "0.30"
    """)
    portfolio = load(records.root)
    assert portfolio.problems == ()
    (case,) = portfolio.cases
    assert [n.id for n in case.notes] == ["2026-02-01-invoice", "2026-03-05-payment"]
    invoice, payment = case.notes
    assert invoice.amount == Decimal("1250.10") and str(invoice.amount) == "1250.10"
    assert payment.amount == Decimal("0.30")
    assert payment.time.hour == 14 and payment.time.minute == 30
    assert invoice.source.at("amount").line == 5


def test_every_problem_in_one_run_with_positions(records):
    records.case("acme")
    records.note("acme", "bad", """
        date: 2026-02-30
        kind: cal
        x: 1
        x: 2
    """)
    problems = check(load(records.root), today=__import__("datetime").date(2026, 11, 24))
    found = {(p.path, p.line, p.column, p.code) for p in problems}
    assert found == {
        ("cases/acme/notes/bad.md", 2, 7, "bad-date"),
        ("cases/acme/notes/bad.md", 3, 7, "bad-value"),
        ("cases/acme/notes/bad.md", 4, 1, "unknown-key"),
        ("cases/acme/notes/bad.md", 5, 1, "duplicate-key"),
    }


def test_settings_defaults_apply_when_tables_are_missing(records):
    records.write("arrears.toml", 'name = "Northwind"\ncurrency = "EUR"\n')
    records.case("acme")
    portfolio = load(records.root)
    assert portfolio.problems == ()
    assert portfolio.settings.name == "Northwind"
    assert portfolio.settings.contact.calls_per_7_days == 7
    assert portfolio.settings.contact.quiet_days == 14
    assert portfolio.cases[0].currency == "EUR"


def _keep(case, settings):
    return case


def test_parallel_and_single_process_loads_agree(records):
    for number in range(6):
        records.case(f"case-{number}")
        records.note(f"case-{number}", "n1", """
            date: 2026-02-01
            kind: invoice
            ref: A
            amount: 10
            due: 2026-03-01
        """)
    records.write("cases/case-9/case.md", "not front matter\n")
    from arrears.pipeline import map_each_case

    one = load(records.root)
    _, cases, problems = map_each_case(records.root, _keep, workers=2)
    assert one.cases == tuple(case for _, case in cases)
    assert sorted(one.problems) == sorted(problems) and one.problems
