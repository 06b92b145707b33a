"""`arrears due`: the spec's JSON exactly, CSV with the same figures, a table for people, exit codes."""

import csv
import io
import json

from click.testing import CliRunner

from arrears.cli.app import main

from ledger_helpers import spec_example

SPEC_EXAMPLE = {
    "as_of": "2026-05-01",
    "cases": [{"case": "acme-bakery", "debtor": "Acme Bakery Ltd", "currency": "GBP",
               "state": "in-plan", "invoiced": "1250.00", "fees": "0.00",
               # records-v1 section 10: always present, "0.00" without an interest rule
               "interest": "0.00", "compensation": "0.00", "interest_daily": "0.00",
               "credits": "0.00", "paid": "400.00", "balance": "850.00",
               "overdue": "0.00", "days_past_due": 0,
               "next_due": {"date": "2026-05-01", "amount": "200.00"},
               "aging": {"current": "850.00", "1-30": "0.00", "31-60": "0.00", "61-90": "0.00", "90+": "0.00"},
               "plan": {"id": "2026-03-10-plan", "status": "on-track", "missed": 0, "paid": 2, "total": 6},
               "promises": {"pending": 0, "kept": 1, "broken": 0},
               "follow_up": "2026-05-03"}],
    "totals": {"GBP": {"balance": "850.00", "overdue": "0.00", "interest": "0.00", "compensation": "0.00"}},
}


def _due(records, *args):
    return CliRunner().invoke(main, ["due", "--root", str(records.root), *args])


def test_json_is_exactly_thespec_example(records):
    spec_example(records)
    result = _due(records, "--as-of", "2026-05-01", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == SPEC_EXAMPLE
    assert list(json.loads(result.output)["cases"][0]) == list(SPEC_EXAMPLE["cases"][0])


def test_json_output_is_deterministic_and_sorted_by_case(records):
    spec_example(records)
    records.case("aardvark", "debtor: {name: Aardvark & Co, kind: business}\nopened: 2026-01-01")
    first = _due(records, "--as-of", "2026-05-01", "--format", "json").output
    assert first == _due(records, "--as-of", "2026-05-01", "--format", "json").output
    assert [c["case"] for c in json.loads(first)["cases"]] == ["aardvark", "acme-bakery"]
    assert json.loads(first)["cases"][0]["state"] == "settled"
    assert json.loads(first)["cases"][0]["plan"] is None and json.loads(first)["cases"][0]["next_due"] is None


def test_csv_has_one_row_per_case_with_the_same_figures(records):
    spec_example(records)
    result = _due(records, "--as-of", "2026-05-01", "--format", "csv")
    assert result.exit_code == 0
    (row,) = list(csv.DictReader(io.StringIO(result.output)))
    case = SPEC_EXAMPLE["cases"][0]
    for key in ("case", "debtor", "currency", "state", "invoiced", "fees", "credits", "paid", "balance", "overdue"):
        assert row[key] == case[key]
    assert (row["days_past_due"], row["next_due_date"], row["next_due_amount"]) == ("0", "2026-05-01", "200.00")
    assert (row["aging_current"], row["aging_90+"]) == ("850.00", "0.00")
    assert (row["plan"], row["plan_status"], row["plan_paid"], row["plan_total"]) == (
        "2026-03-10-plan", "on-track", "2", "6")
    assert (row["promises_kept"], row["follow_up"]) == ("1", "2026-05-03")


def test_table_for_people_with_totals_per_currency_and_no_colour_when_piped(records):
    spec_example(records)
    records.case("tanaka", "debtor: {name: Tanaka Shoten, kind: business}\ncurrency: JPY\nopened: 2026-01-15\n"
                           "vulnerable: true")
    records.note("tanaka", "inv", "date: 2026-01-15\nkind: invoice\nref: T-1\namount: 150000\ndue: 2026-02-14")
    result = _due(records, "--as-of", "2026-05-01")
    assert result.exit_code == 0
    assert "\x1b[" not in result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["CASE", "DEBTOR", "STATE", "BALANCE", "OVERDUE", "DAYS", "NEXT", "DUE", "FOLLOW-UP"]
    acme = next(line for line in lines if line.startswith("acme-bakery"))
    tanaka = next(line for line in lines if line.startswith("tanaka"))
    assert "in-plan" in acme and "£850.00" in acme and "2026-05-01" in acme and "2026-05-03" in acme
    assert "Tanaka Shoten *" in tanaka and "overdue" in tanaka and "¥150,000" in tanaka and tanaka.endswith("  76")
    # columns line up: each amount ends where its heading ends
    assert acme.index("£850.00") + len("£850.00") == lines[0].index("BALANCE") + len("BALANCE")
    assert tanaka.index("¥150,000") + len("¥150,000") == lines[0].index("BALANCE") + len("BALANCE")
    assert any(line.startswith("Total GBP") and "£850.00" in line for line in lines)
    assert any(line.startswith("Total JPY") and line.count("¥150,000") == 2 for line in lines)
    assert "* vulnerable: gentle tone only" in lines


def test_state_is_coloured_on_a_terminal(records):
    spec_example(records)
    result = CliRunner().invoke(main, ["due", "--root", str(records.root), "--as-of", "2026-05-01"], color=True)
    assert "\x1b[36min-plan\x1b[0m" in result.output


def test_named_cases_only(records):
    spec_example(records)
    records.case("other", "debtor: {name: Other Ltd, kind: business}\nopened: 2026-01-01")
    records.note("other", "inv", "date: 2026-01-15\nkind: invoice\nref: O-1\namount: 10\ndue: 2026-02-14")
    data = json.loads(_due(records, "--as-of", "2026-05-01", "--format", "json", "other").output)
    assert [c["case"] for c in data["cases"]] == ["other"]
    assert data["totals"] == {"GBP": {"balance": "10.00", "overdue": "10.00", "interest": "0.00", "compensation": "0.00"}}


def test_unknown_case_is_a_usage_error(records):
    spec_example(records)
    result = _due(records, "--as-of", "2026-05-01", "nobody")
    assert result.exit_code == 2 and "no such case: nobody" in result.output


def test_bad_format_and_bad_date_are_usage_errors(records):
    spec_example(records)
    assert _due(records, "--format", "xml").exit_code == 2
    assert _due(records, "--as-of", "2026-13-01").exit_code == 2


def test_records_with_errors_exit_1_and_say_where(records):
    spec_example(records)
    records.note("acme-bakery", "broken", "date: 2026-04-01\nkind: payment\namount: -5")
    result = _due(records, "--as-of", "2026-05-01")
    assert result.exit_code == 1
    assert "cases/acme-bakery/notes/broken.md:4:9: error:" in result.output
    assert "CASE" not in result.output


def test_errors_only_check_finds_also_stop_due(records):
    spec_example(records)
    records.plan("acme-bakery", "2026-03-10-plan", """
        agreed: 2026-03-10
        amount: 5000
        schedule: {start: 2026-04-03, every: fortnight, count: 6}
    """)
    result = _due(records, "--as-of", "2026-05-01", "--format", "json")
    assert result.exit_code == 1 and "[plan-exceeds-balance]" in result.output


def test_a_case_folder_with_errors_is_not_unknown(records):
    spec_example(records)
    records.write("cases/half/case.md", "---\ndebtor: {name: Half}\n---\n")
    assert _due(records, "--as-of", "2026-05-01", "half").exit_code == 1


def test_default_as_of_is_today_in_the_records_time_zone(records, monkeypatch):
    spec_example(records)
    monkeypatch.setenv("ARREARS_TODAY", "2026-05-01")
    assert json.loads(_due(records, "--format", "json").output) == SPEC_EXAMPLE


def test_no_cases(records):
    result = _due(records, "--as-of", "2026-05-01")
    assert result.exit_code == 0 and result.output == "No cases as of 2026-05-01.\n"


def test_totals_wider_than_any_row_stay_aligned(records):
    for case_id in ("a", "b"):
        records.case(case_id, "debtor: {name: Debtor, kind: business}\nopened: 2026-01-01")
        records.note(case_id, "inv", "date: 2026-01-15\nkind: invoice\nref: X\namount: 9000\ndue: 2026-12-14")
    lines = _due(records, "--as-of", "2026-05-01").output.splitlines()
    end = lines[0].index("BALANCE") + len("BALANCE")  # headings of amounts are right-aligned too
    (total,) = [line for line in lines if line.startswith("Total GBP")]
    assert total.index("£18,000.00") + len("£18,000.00") == end
    assert lines[1].index("£9,000.00") + len("£9,000.00") == end
