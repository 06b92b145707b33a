"""A command line that teaches: one wording for an unknown case with a did-you-mean, `arrears init` suggested
outside a records repository, plain words for a YAML slip."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from arrears.cli.app import main

COMMANDS = [["show"], ["remind"], ["statement"], ["due"], ["export", "--format", "json"],
            ["new", "note", "--kind", "call"], ["new", "plan", "--start", "2026-07-01", "--every", "month",
                                                 "--count", "2", "--yes"]]


@pytest.fixture
def books(records):
    records.write("arrears.toml", 'name = "N"\nas_of = 2026-06-01\n')
    records.case("mara-okafor")
    return records


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_an_unknown_case_is_named_the_same_way_everywhere_with_the_closest_one(books, command):
    words = command[:2] if command[0] == "new" else command[:1]
    args = [*words, "--root", str(books.root), *command[len(words):], "mara-okafr"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert ("no such case: mara-okafr (cases are the folders under cases/); did you mean mara-okafor?"
            in result.output)


def test_outside_a_records_repository_arrears_init_is_suggested(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ARREARS_ROOT", raising=False)
    result = CliRunner().invoke(main, ["due"])
    assert result.exit_code == 2 and "to start one here: arrears init" in result.output


@pytest.mark.parametrize("front, hint", [
    ("summary: Called: no answer", 'must be in quotes, e.g. summary: "Called: no answer"'),
    ("  summary: x", "start it at the left edge"),
    ("summary:\tx\n\tby: y", "use spaces"),
])
def test_a_yaml_slip_gets_a_hint_in_plain_words(books, front, hint):
    books.note("mara-okafor", "2026-05-01-call", f"date: 2026-05-01\nkind: call\n{front}")
    result = CliRunner().invoke(main, ["check", "--root", str(books.root)])
    assert result.exit_code == 1 and "[yaml-syntax]" in result.output and hint in result.output


def test_due_help_explains_every_state_and_column():
    from arrears.ledger.figures import STATES

    text = CliRunner().invoke(main, ["due", "--help"]).output
    for word in (*STATES, "BALANCE", "OVERDUE", "DAYS", "NEXT DUE", "FOLLOW-UP", "INTEREST"):
        assert f"\n    {word} " in text, word


def test_audit_lists_errors_first(git_repo):
    repo = git_repo
    repo.case()
    repo.note("acme", "2026-03-01-call", day="2026-03-01")
    repo.note("acme", "2026-03-02-call", day="2026-03-02")
    repo.commit("open", when="2026-03-03T10:00:00+00:00")
    repo.note("acme", "2026-03-02-call", body="Changed.")  # an error, in a file that sorts after ...
    repo.commit("edit", when="2026-03-04T10:00:00+00:00")
    repo.note("acme", "2026-01-01-call", day="2026-01-01")  # ... this warning (backdated)
    repo.commit("late", when="2026-03-05T10:00:00+00:00")
    result = CliRunner().invoke(main, ["audit", "--root", str(repo.root)])
    severities = [line.split(": ")[1] for line in result.stdout.splitlines()]
    assert severities == ["error", "warning"], result.stdout
