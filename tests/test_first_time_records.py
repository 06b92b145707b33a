"""Records people write correctly the first time: guidance stays out of the record, corrections and
promises in one command, late entries that say why."""

from __future__ import annotations

from datetime import date

import pytest
from click.testing import CliRunner

from arrears.cli.app import main
from arrears.records.load import load
from arrears.rules.check import check
from arrears.rules.scaffolding import PROMPTS

TODAY = date(2026, 6, 2)


@pytest.fixture
def run(records, monkeypatch):
    monkeypatch.setenv("ARREARS_TODAY", TODAY.isoformat())
    records.write("arrears.toml", 'name = "Northwind Supplies Ltd"\ntimezone = "Europe/London"\n')
    runner = CliRunner()

    def invoke(*args: str, expect: int = 0):
        result = runner.invoke(main, [*args[:2], "--root", str(records.root), *args[2:]])
        assert result.exit_code == expect, result.output
        return result

    return invoke


def codes(records) -> list[str]:
    return [p.code for p in check(load(records.root), TODAY)]


def test_scaffolds_keep_their_guidance_out_of_the_body(records, run):
    run("new", "case", "acme", "--name", "Acme Bakery Ltd", "--kind", "business")
    run("new", "note", "acme", "--kind", "call", "--date", "2026-06-01T10:00")
    run("new", "note", "acme", "--kind", "invoice", "--amount", "300", "--ref", "INV-1", "--due", "2026-06-30",
        "--date", "2026-06-01")
    run("new", "plan", "acme", "--start", "2026-07-01", "--every", "month", "--count", "3", "--yes")
    case = load(records.root).case("acme")
    assert case.story.strip() == ""
    assert [n.body.strip() for n in case.notes] == ["", ""] and case.plans[0].body.strip() == ""
    text = (records.root / "cases/acme/notes/2026-06-01-call.md").read_text()
    assert "# Below the closing ---: what was said" in text  # the guidance, as a YAML comment
    assert "scaffold-text" not in codes(records)


@pytest.mark.parametrize("where, prompt", [("case", "case"), ("note", "contact"), ("note", "note"),
                                           ("plan", "plan")])
def test_check_strict_warns_about_untouched_scaffold_text(records, run, where, prompt):
    records.case("acme", story=PROMPTS[prompt] if where == "case" else "Owes for May's bread.")
    records.note("acme", "2026-06-01-invoice", "date: 2026-06-01\nkind: invoice\nref: I-1\namount: 90\ndue: 2026-06-20",
                 PROMPTS[prompt] + "\n" if where == "note" else "Raised on delivery.\n")
    records.plan("acme", "2026-06-01-plan", "agreed: 2026-06-01\nschedule: {start: 2026-07-01, every: month, count: 3}",
                 PROMPTS[prompt] + "\n" if where == "plan" else "Agreed on the phone.\n")
    result = run("check", "--strict", expect=1)
    assert "[scaffold-text]" in result.output and PROMPTS[prompt] in result.output
    assert result.output.count("[scaffold-text]") == 1


def test_a_correction_dated_the_same_day_without_a_time_is_not_before_the_note(records):
    records.case("acme")
    records.note("acme", "2026-06-02-call", "date: 2026-06-02T10:15\nkind: call\npromise: {amount: 50, by: 2026-06-09}")
    records.note("acme", "2026-06-02-note", "date: 2026-06-02\nkind: note\ncorrects: 2026-06-02-call")
    assert "correction-before-note" not in codes(records)
    records.note("acme", "2026-06-02-note-2", "date: 2026-06-02T09:00\nkind: note\ncorrects: 2026-06-02-call")
    records.note("acme", "2026-06-01-note", "date: 2026-06-01\nkind: note\ncorrects: 2026-06-02-call")
    assert codes(records).count("correction-before-note") == 2  # an earlier time, an earlier day


def test_new_note_corrects_copies_the_money_fields(records, run):
    run("new", "case", "acme", "--name", "Acme Bakery Ltd", "--kind", "business")
    run("new", "note", "acme", "--kind", "invoice", "--amount", "2000", "--ref", "NW-266", "--due", "2026-05-30",
        "--date", "2026-05-01")
    run("new", "note", "acme", "--kind", "payment", "--amount", "1152", "--method", "bank-transfer",
        "--ref", "BACS 0529", "--date", "2026-05-29T10:15")
    result = run("new", "note", "acme", "--corrects", "2026-05-29-payment", "--amount", "1125")
    assert "created cases/acme/notes/2026-06-02-payment.md" in result.output
    portfolio = load(records.root)
    fixed = portfolio.case("acme").note("2026-06-02-payment")
    assert (fixed.kind, fixed.corrects, fixed.amount, fixed.detail.method, fixed.detail.ref) == (
        "payment", "2026-05-29-payment", 1125, "bank-transfer", "BACS 0529")
    assert fixed.time is None and check(portfolio, TODAY) == []  # the same-day recipe: no correction-before-note
    from arrears.ledger.compute import compute_case
    assert compute_case(portfolio.case("acme"), portfolio.settings, TODAY).balance == 875


def test_new_note_corrects_a_missing_note_is_refused(records, run):
    records.case("acme")
    result = run("new", "note", "acme", "--corrects", "2026-05-29-payment", expect=2)
    assert "no note '2026-05-29-payment' in case acme" in result.output
    assert not (records.root / "cases/acme/notes").exists()


def test_a_kind_note_correction_voids_without_copying(records, run):
    records.case("acme")
    records.note("acme", "2026-06-01-call", "date: 2026-06-01T10:00\nkind: call\npromise: {amount: 50, by: 2026-06-09}")
    run("new", "note", "acme", "--corrects", "2026-06-01-call", "--kind", "note")
    note = load(records.root).case("acme").note("2026-06-02-note")
    assert note.corrects == "2026-06-01-call" and note.promise is None


def test_new_note_records_a_promise_and_a_payment_method(records, run):
    records.case("acme")
    run("new", "note", "acme", "--kind", "call", "--outcome", "spoke", "--promise", "50", "--by", "2026-06-09")
    run("new", "note", "acme", "--kind", "email", "--promise", "20.5", "--promise-by", "2026-06-12", "--by", "jo")
    run("new", "note", "acme", "--kind", "payment", "--amount", "50", "--method", "card")
    case = load(records.root).case("acme")
    call, email = case.note("2026-06-02-call"), case.note("2026-06-02-email")
    assert (call.promise.amount, call.promise.by, call.by) == (50, date(2026, 6, 9), None)
    assert (email.promise.amount, email.promise.by, email.by) == (20.5, date(2026, 6, 12), "jo")
    assert case.note("2026-06-02-payment").detail.method == "card"
    assert run("new", "note", "acme", "--kind", "invoice", "--amount", "5", "--ref", "X", "--due", "2026-07-01",
               "--promise", "5", "--by", "2026-06-09", expect=2)
    assert "where it was made" in run("new", "note", "acme", "--kind", "payment", "--amount", "5",
                                      "--promise", "5", "--by", "2026-06-09", expect=2).output
    assert "--method is for payments" in run("new", "note", "acme", "--kind", "call", "--method", "card",
                                             expect=2).output
