"""`arrears new`: files named per the spec, valid as written, never overwritten (even when runs race)."""

from __future__ import annotations

import multiprocessing
import threading
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from arrears.rules.check import check
from arrears.cli.app import main
from arrears.records.load import load
from arrears.records.model import NOTE_KINDS
from arrears.views.scaffold import NewNote, create_new, note_text

TODAY = date(2026, 3, 2)


@pytest.fixture
def run(records, monkeypatch):
    monkeypatch.setenv("ARREARS_TODAY", TODAY.isoformat())
    runner = CliRunner()

    def invoke(*args: str, **kwargs):
        return runner.invoke(main, [*args[:2], "--root", str(records.root), *args[2:]], **kwargs)

    records.write("arrears.toml", 'name = "Northwind Supplies Ltd"\ntimezone = "Europe/London"\n')
    return invoke


def _clean(records) -> list:
    return check(load(records.root), date(2026, 12, 31))


def test_new_case_is_valid_and_prefilled(run, records):
    result = run("new", "case", "acme-bakery", "--name", "Acme Bakery: Leeds", "--kind", "business",
                 "--email", "accounts@acme.example", "--phone", "+44 20 7946 0000", "--owner", "jo")
    assert result.exit_code == 0, result.output
    assert "created cases/acme-bakery/case.md" in result.output
    text = (records.root / "cases/acme-bakery/case.md").read_text()
    assert "opened: 2026-03-02" in text and "# business | individual" in text
    assert _clean(records) == []
    case = load(records.root).case("acme-bakery")
    assert case.debtor.name == "Acme Bakery: Leeds"
    assert case.preferred_contact.value == "accounts@acme.example"
    assert case.owner == "jo" and not case.vulnerable


def test_new_case_without_contacts_and_vulnerable(run, records):
    result = run("new", "case", "jo-bloggs", "--name", "Jo Bloggs", "--kind", "individual", "--vulnerable")
    assert result.exit_code == 0, result.output
    assert _clean(records) == []
    assert load(records.root).case("jo-bloggs").vulnerable


def test_new_case_never_overwrites(run, records):
    records.case("acme", story="The original story.")
    before = (records.root / "cases/acme/case.md").read_bytes()
    result = run("new", "case", "acme", "--name", "Someone Else", "--kind", "business")
    assert result.exit_code == 2
    assert "already exists" in result.output and "nothing was changed" in result.output
    assert (records.root / "cases/acme/case.md").read_bytes() == before


@pytest.mark.parametrize("bad", ["Acme", "acme bakery", "acme_bakery", "a" * 64])
def test_new_case_refuses_bad_ids(run, records, bad):
    result = run("new", "case", bad, "--name", "X", "--kind", "business")
    assert result.exit_code == 2 and "lower-case letters" in result.output
    assert not (records.root / "cases" / bad).exists()


NOTE_OPTIONS = {
    "invoice": ["--amount", "1250.50", "--ref", "INV-1", "--due", "2026-03-31"],
    "payment": ["--amount", "100"],
    "fee": ["--amount", "40"],
    "credit": ["--amount", "10.5"],
    "dispute": ["--state", "open", "--ref", "INV-1"],
}


@pytest.mark.parametrize("kind", NOTE_KINDS)
def test_new_note_of_every_kind_passes_check(run, records, kind):
    records.case("acme")
    if kind == "dispute":
        records.note("acme", "inv", "date: 2026-02-01\nkind: invoice\nref: INV-1\namount: 10\ndue: 2026-02-15\n")
    result = run("new", "note", "acme", "--kind", kind, "--date", "2026-03-02T10:30", *NOTE_OPTIONS.get(kind, []))
    assert result.exit_code == 0, result.output
    assert f"created cases/acme/notes/2026-03-02-{kind}.md" in result.output
    assert _clean(records) == []
    (note,) = [n for n in load(records.root).case("acme").notes if n.kind == kind]
    assert note.date == TODAY


def test_new_note_fills_what_it_knows(run, records):
    records.case("acme")
    result = run("new", "note", "acme", "--kind", "call", "--date", "2026-03-02T10:30", "--outcome", "spoke",
                 "--summary", "Agreed to call back: Friday", "--follow-up", "2026-03-06", "--by", "jo")
    assert result.exit_code == 0, result.output
    (note,) = load(records.root).case("acme").notes
    assert (note.time.hour, note.time.minute) == (10, 30)
    assert note.detail.outcome == "spoke" and note.detail.direction == "out"
    assert note.summary == "Agreed to call back: Friday" and note.follow_up == date(2026, 3, 6) and note.by == "jo"


def test_new_note_defaults_to_today(run, records):
    records.case("acme")
    result = run("new", "note", "acme", "--kind", "payment", "--amount", "25")
    assert result.exit_code == 0, result.output
    assert (records.root / "cases/acme/notes/2026-03-02-payment.md").is_file()


def test_new_note_needs_the_fields_its_kind_requires(run, records):
    records.case("acme")
    result = run("new", "note", "acme", "--kind", "invoice", "--amount", "10")
    assert result.exit_code == 2 and "needs --ref and --due" in result.output
    result = run("new", "note", "acme", "--kind", "payment", "--amount", "10.001")
    assert result.exit_code == 2 and "decimal places" in result.output
    assert not (records.root / "cases/acme/notes").exists()


def test_new_note_for_an_unknown_case(run, records):
    result = run("new", "note", "nobody", "--kind", "call")
    assert result.exit_code == 2 and "no such case: nobody" in result.output and "arrears new case nobody" in result.output


def test_new_note_never_overwrites_and_numbers_the_next(run, records):
    records.case("acme")
    existing = records.note("acme", "2026-03-02-call", "date: 2026-03-02\nkind: call\n", "Keep me.")
    for expected in ("2026-03-02-call-2.md", "2026-03-02-call-3.md"):
        result = run("new", "note", "acme", "--kind", "call", "--date", "2026-03-02")
        assert result.exit_code == 0, result.output
        assert expected in result.output
    assert existing.read_text().endswith("Keep me.")
    assert _clean(records) == []


def test_new_note_edit_opens_the_editor_and_checks_the_result(run, records, tmp_path, monkeypatch):
    records.case("acme")
    editor = tmp_path / "editor.sh"
    editor.write_text('#!/bin/sh\nsed -i "s/^summary:.*/summary: Rang back, all fine/" "$1"\n')
    editor.chmod(0o755)
    monkeypatch.setenv("EDITOR", str(editor))
    monkeypatch.setenv("VISUAL", str(editor))
    result = run("new", "note", "acme", "--kind", "call", "--date", "2026-03-02", "--edit")
    assert result.exit_code == 0, result.output
    assert load(records.root).case("acme").notes[0].summary == "Rang back, all fine"


def test_new_note_edit_reports_errors_it_leaves(run, records, tmp_path, monkeypatch):
    records.case("acme")
    editor = tmp_path / "editor.sh"
    editor.write_text('#!/bin/sh\nsed -i "s/^kind: call/kind: cal/" "$1"\n')
    editor.chmod(0o755)
    monkeypatch.setenv("EDITOR", str(editor))
    monkeypatch.setenv("VISUAL", str(editor))
    result = run("new", "note", "acme", "--kind", "call", "--date", "2026-03-02", "--edit")
    assert result.exit_code == 1
    assert "did you mean 'call'" in result.output and "was kept as you saved it" in result.output


# --- racing: the operating system decides who gets a name ----------------------------


def test_two_threads_creating_at_once_get_two_files(tmp_path: Path):
    folder = tmp_path / "notes"
    barrier = threading.Barrier(8)
    made: list[Path] = []

    def create(number: int) -> None:
        barrier.wait()
        made.append(create_new(folder, "2026-03-02-email", f"---\ndate: 2026-03-02\nkind: email\n---\n{number}\n"))

    threads = [threading.Thread(target=create, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(made)) == 8
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["2026-03-02-email.md"] + [f"2026-03-02-email-{n}.md" for n in range(2, 9)])
    assert sorted(p.read_text().split("---\n")[-1] for p in made) == sorted(f"{n}\n" for n in range(8))


def _create_in_process(folder: str, number: int, start) -> str:
    start.wait()
    text = note_text(NewNote("note", TODAY, body=f"run {number}"))
    return str(create_new(Path(folder), "2026-03-02-note", text))


def test_two_processes_creating_at_once_get_two_files(tmp_path: Path):
    folder = tmp_path / "notes"
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        start = manager.Event()
        with context.Pool(2) as pool:
            pending = [pool.apply_async(_create_in_process, (str(folder), n, start)) for n in range(2)]
            start.set()
            paths = [Path(p.get(timeout=60)) for p in pending]
    assert len(set(paths)) == 2
    assert sorted(p.name for p in folder.iterdir()) == ["2026-03-02-note-2.md", "2026-03-02-note.md"]
    assert sorted(p.read_text().rstrip().rsplit("\n", 1)[-1] for p in paths) == ["run 0", "run 1"]


# --- new plan ----------------------------------------------------------------------------------


def _owing(records, amount="1200.00"):
    records.case("acme")
    records.note("acme", "2026-01-10-invoice", f"""
        date: 2026-01-10
        kind: invoice
        ref: INV-1
        amount: {amount}
        due: 2026-02-10
    """)
    records.note("acme", "2026-02-20-payment", "date: 2026-02-20\nkind: payment\namount: 100\n")


def test_new_plan_covers_the_balance_prints_the_schedule_and_passes_check(run, records):
    _owing(records)
    result = run("new", "plan", "acme", "--start", "2026-03-31", "--every", "month", "--count", "3",
                 "--discount-percent", "5", "--if-paid-by", "2026-05-01", "--yes")
    assert result.exit_code == 0, result.output
    assert "£1,100.00 in 3 payments, every month" in result.output
    for line in ("2026-03-31       £366.66", "2026-04-30       £366.66", "2026-05-31       £366.68"):
        assert line in result.output
    assert "5% off (£55.00)" in result.output
    assert "created cases/acme/plans/2026-03-02-plan.md" in result.output
    assert _clean(records) == []
    (plan,) = load(records.root).case("acme").plans
    assert plan.amount == Decimal("1100.00") and plan.schedule.count == 3 and plan.agreed == TODAY
    assert plan.discount.percent == 5


def test_new_plan_asks_first_and_writes_nothing_when_declined(run, records):
    _owing(records)
    result = run("new", "plan", "acme", "--start", "2026-04-01", "--every", "week", "--installment", "250",
                 input="n\n")
    assert result.exit_code == 0
    assert "Write this plan? [y/N]" in result.output and "Nothing written." in result.output
    assert "2026-04-29       £100.00" in result.output  # four of £250, then the remainder
    assert not (records.root / "cases/acme/plans").exists()
    accepted = run("new", "plan", "acme", "--start", "2026-04-01", "--every", "week", "--installment", "250",
                   input="y\n")
    assert accepted.exit_code == 0 and "created" in accepted.output
    assert _clean(records) == []


def test_new_plan_names_the_plan_it_replaces_and_never_overwrites(run, records):
    _owing(records)
    records.plan("acme", "2026-03-02-plan", "agreed: 2026-02-25\nschedule: {start: 2026-03-01, every: month, count: 2}\n")
    result = run("new", "plan", "acme", "--start", "2026-04-01", "--every", "month", "--count", "4", "--yes")
    assert result.exit_code == 0, result.output
    assert "created cases/acme/plans/2026-03-02-plan-2.md" in result.output
    assert "Replaces plan 2026-03-02-plan." in result.output
    plans = load(records.root).case("acme").plans
    assert plans[-1].supersedes == "2026-03-02-plan"
    assert _clean(records) == []


def test_new_plan_usage_errors(run, records):
    _owing(records)
    both = run("new", "plan", "acme", "--start", "2026-04-01", "--every", "month", "--count", "2",
               "--installment", "10", "--yes")
    assert both.exit_code == 2 and "either --count" in both.output
    early = run("new", "plan", "acme", "--start", "2026-03-01", "--every", "month", "--count", "2", "--yes")
    assert early.exit_code == 2 and "before the day agreed" in early.output
    half = run("new", "plan", "acme", "--start", "2026-04-01", "--every", "month", "--count", "2",
               "--discount-percent", "5", "--yes")
    assert half.exit_code == 2 and "needs both" in half.output
    assert not (records.root / "cases/acme/plans").exists()


def test_new_plan_when_nothing_is_owed(run, records):
    _owing(records, amount="100")
    result = run("new", "plan", "acme", "--start", "2026-04-01", "--every", "month", "--count", "2", "--yes")
    assert result.exit_code == 2 and "owes nothing" in result.output


def test_new_call_note_that_breaks_a_contact_rule_is_warned_about(run, records):
    records.case("acme")
    records.note("acme", "talk", "date: 2026-03-01T10:00\nkind: call\noutcome: spoke\n")
    result = run("new", "note", "acme", "--kind", "call", "--date", "2026-03-02T22:15")
    assert result.exit_code == 0
    assert "warning: this call broke a contact rule" in result.output
    assert "between 08:00 and 21:00" in result.output and "spoke with the debtor on 2026-03-01" in result.output
