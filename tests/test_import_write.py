"""Writing a plan: new files only, and nothing left behind when one cannot be created."""

from __future__ import annotations

import pytest

from datetime import date

from arrears.imports.run import import_file
from arrears.imports.write import WriteError, write_plan
from import_helpers import FIXTURES, tree


def test_a_file_that_appeared_meanwhile_is_never_overwritten_and_the_run_leaves_nothing(records, monkeypatch):
    from arrears.imports import run

    planned = {}

    def write_after_someone_else(root, plan, progress=None):
        planned["plan"] = plan
        taken = root / "cases" / plan.notes[-1].case / "notes" / f"{plan.notes[-1].id}.md"
        taken.parent.mkdir(parents=True, exist_ok=True)
        taken.write_text("someone else's note\n")  # e.g. `arrears new note` in another terminal
        return write_plan(root, plan, progress)

    monkeypatch.setattr(run, "write_plan", write_after_someone_else)
    with pytest.raises(WriteError, match="already exists; nothing was written"):
        import_file(records.root, FIXTURES / "xero-v1.csv", "xero", date(2026, 4, 20), create_cases=True)
    last = planned["plan"].notes[-1]
    assert tree(records.root) == {f"cases/{last.case}/notes/{last.id}.md": "someone else's note\n"}
    folders = sorted(p.relative_to(records.root).as_posix() for p in (records.root / "cases").rglob("*") if p.is_dir())
    assert folders == [f"cases/{last.case}", f"cases/{last.case}/notes"]  # no empty folder of ours left behind
