"""The daily loop, end to end: agenda -> message -> record -> chased again -> paid -> settled.

A records repository made by `arrears init` in a temp folder, driven only
through the command line, day by day (ARREARS_TODAY and --as-of move the
clock): what a credit controller does, in order.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from arrears.cli.app import main
from gitrepo import isolate_git


@pytest.fixture
def books(tmp_path, monkeypatch) -> Path:
    isolate_git(monkeypatch)
    monkeypatch.setenv("ARREARS_TODAY", "2026-06-01")
    root = tmp_path / "books"
    assert CliRunner().invoke(main, ["init", str(root)]).exit_code == 0
    return root


def arrears(root: Path, *args: str, today: str | None = None, expect: int = 0):
    env = {"ARREARS_TODAY": today} if today else {}
    result = CliRunner().invoke(main, [args[0], "--root", str(root), *args[1:]] if args[0] != "new" else
                                [*args[:2], "--root", str(root), *args[2:]], env=env)
    assert result.exit_code == expect, result.output
    return result


def on_agenda(root: Path, day: str) -> list[str]:
    """The reasons acme is on the agenda on `day` (empty: it is not)."""
    items = json.loads(arrears(root, "agenda", "--as-of", day, "--format", "json").stdout)["items"]
    return [item["reason"] for item in items if item["case"] == "acme"]


def test_a_day_in_the_life(books):
    arrears(books, "new", "case", "acme", "--name", "Acme Bakery Ltd", "--kind", "business",
            "--email", "accounts@acme.example", "--owner", "sam", today="2026-06-01")
    arrears(books, "new", "note", "acme", "--kind", "invoice", "--amount", "480.00", "--ref", "INV-7",
            "--due", "2026-06-15", "--date", "2026-06-01", today="2026-06-01")
    assert on_agenda(books, "2026-06-10") == ["never-contacted"]  # owed, not yet due, never contacted

    # A week overdue: on the agenda; the suggested draft is gentle, and recording it sets the follow-up.
    assert on_agenda(books, "2026-06-22")[0] == "never-contacted"
    sent = arrears(books, "remind", "acme", "--as-of", "2026-06-22", "--record", today="2026-06-22")
    assert "tone: gentle" in sent.stderr
    assert "recorded cases/acme/notes/2026-06-22-email.md (follow-up 2026-06-29)" in sent.stderr
    note = (books / "cases/acme/notes/2026-06-22-email.md").read_text()
    assert "follow_up: 2026-06-29" in note and "£480.00" in note

    # Recording the same reminder again the same day is a slip: refused, nothing written.
    twice = arrears(books, "remind", "acme", "--as-of", "2026-06-22", "--record", today="2026-06-22", expect=2)
    assert "already recorded today" in twice.stderr and "--again" in twice.stderr
    assert not (books / "cases/acme/notes/2026-06-22-email-2.md").exists()

    # Chased today: off the agenda until the follow-up day, then back for that reason.
    assert on_agenda(books, "2026-06-22") == []
    assert on_agenda(books, "2026-06-28") == []
    assert on_agenda(books, "2026-06-29") == ["follow-up"]

    # Paid in full: settled, and off the agenda for good.
    arrears(books, "new", "note", "acme", "--kind", "payment", "--amount", "480.00", "--date", "2026-06-30",
            today="2026-06-30")
    due = json.loads(arrears(books, "due", "acme", "--as-of", "2026-06-30", "--format", "json").stdout)
    assert [(c["case"], c["state"], c["balance"]) for c in due["cases"]] == [("acme", "settled", "0.00")]
    assert on_agenda(books, "2026-06-30") == []
    assert on_agenda(books, "2026-08-30") == []
    arrears(books, "check", "--strict", today="2026-06-30")
