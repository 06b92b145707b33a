"""`arrears show CASE`: a statement of account a person reads before calling the debtor."""

from click.testing import CliRunner

from arrears.cli.app import main

from ledger_helpers import spec_example


def _show(records, *args, **kwargs):
    return CliRunner().invoke(main, ["show", "--root", str(records.root), *args], **kwargs)


def _with_contacts(records):
    spec_example(records)
    records.case("acme-bakery", """
        debtor:
          name: Acme Bakery Ltd
          kind: business
          contacts:
            - {channel: email, value: accounts@acme.example, preferred: true}
            - {channel: phone, value: "+44 20 7946 0000"}
        opened: 2026-02-01
        owner: jo
        vulnerable: true
        do_not_contact: [phone]
        circumstances: [cash-flow]
    """)


def test_statement_shows_debtor_contacts_totals_plan_promises_notes_and_follow_up(records):
    _with_contacts(records)
    result = _show(records, "acme-bakery", "--as-of", "2026-05-01")
    assert result.exit_code == 0, result.output
    out = result.output
    lines = out.splitlines()
    assert lines[0] == "Acme Bakery Ltd (acme-bakery)  as of 2026-05-01"
    assert "VULNERABLE: gentle tone only" in lines
    assert "  email  accounts@acme.example  (preferred)" in lines
    assert "  phone  +44 20 7946 0000  (opted out: do not use)" in lines
    assert "Do not contact by: phone" in lines
    assert "Balance   £850.00" in lines and "Paid      £400.00" in lines and "State     in-plan" in lines
    assert "Next due  2026-05-01  £200.00" in lines
    assert any(line.startswith("Plan 2026-03-10-plan: on-track") and "2 of 6 paid" in line for line in lines)
    installments = [line.split() for line in lines if line.strip()[:1].isdigit() and "£200.00" in line
                    and len(line.split()) >= 5 and line.split()[0].isdigit()]
    assert [row[0] for row in installments] == ["1", "2", "3", "4", "5", "6"]
    assert installments[0] == ["1", "2026-04-03", "£200.00", "£200.00", "paid", "2026-04-03"]
    assert installments[2] == ["3", "2026-05-01", "£200.00", "£0.00", "due"]
    assert installments[3][-1] == "upcoming"
    assert ["2026-03-10", "£200.00", "2026-04-03", "£200.00", "kept"] in [line.split() for line in lines]
    assert "  2026-05-20  INV-2  £50.00    £0.00     £50.00" in lines
    notes = lines[lines.index("Last notes (5)") + 1:]
    assert notes[0].split()[:4] == ["2026-04-20", "invoice", "INV-2", "£50.00"]
    assert lines[-1] == "Next follow-up: 2026-05-03"
    assert "\x1b[" not in out


def test_statement_as_of_an_earlier_date_ignores_later_events(records):
    spec_example(records)
    out = _show(records, "acme-bakery", "--as-of", "2026-03-09").output
    assert "Plan" not in out and "State     overdue" in out and "Overdue   £1,200.00  (8 days past due)" in out
    assert "Last notes (1)" in out and "Next follow-up: none set" in out


def test_corrected_notes_stay_visible_and_are_marked(records):
    spec_example(records)
    records.note("acme-bakery", "2026-04-18-fix", """
        date: 2026-04-18
        kind: note
        corrects: 2026-04-17-payment
        summary: That payment bounced
    """)
    out = _show(records, "acme-bakery", "--as-of", "2026-05-01").output
    assert "  2026-04-17  payment  £200.00  [corrected by 2026-04-18-fix]" in out.splitlines()
    assert "Paid      £200.00" in out


def test_unknown_case_is_a_usage_error_and_errors_exit_1(records):
    spec_example(records)
    assert _show(records, "nobody", "--as-of", "2026-05-01").exit_code == 2
    assert CliRunner().invoke(main, ["show", "--root", str(records.root)]).exit_code == 2
    records.note("acme-bakery", "bad", "date: 2026-04-01\nkind: payment")
    assert _show(records, "acme-bakery", "--as-of", "2026-05-01").exit_code == 1
