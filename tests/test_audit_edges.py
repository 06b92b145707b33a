"""The audit trail at its edges: symbolic links, file modes and histories rewritten under --since.

A note committed as a symlink to a file under files/ can have its amount
changed by editing the target, with no change to the note in Git: it is an
error. A mode change of a committed record is reported. A --since base that
is no longer an ancestor of HEAD (amend, reset, filter-branch) fails the audit.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from arrears.cli.app import main
from arrears.git.audit import audit
from gitrepo import GitRepo


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    repo = GitRepo(tmp_path / "books")
    repo.case()
    repo.note("acme", "2026-03-01-call", day="2026-03-01")
    repo.plan("acme", "2026-03-01-plan")
    repo.commit("open the case", when="2026-03-02T10:00:00+00:00")
    return repo


def run(repo: GitRepo, *args: str):
    return CliRunner().invoke(main, ["audit", "--root", str(repo.root), *args])


@pytest.mark.parametrize("record", ["notes/2026-03-03-invoice.md", "plans/2026-03-03-plan.md", "case.md"])
def test_a_record_committed_as_a_symlink_is_an_error(repo, record):
    target = repo.write("cases/acme/files/invoice.txt",
                        "---\ndate: 2026-03-03\nkind: invoice\nref: INV-9\namount: 100.00\ndue: 2026-04-01\n---\n")
    link = repo.root / "cases/acme" / record
    link.unlink(missing_ok=True)
    os.symlink(os.path.relpath(target, link.parent), link)
    repo.commit("an invoice", when="2026-03-03T10:00:00+00:00")
    found = [(p.path, p.severity, p.code) for p in audit(repo.root)]
    assert (f"cases/acme/{record}", "error", "symlinked-record") in found, found
    result = run(repo)
    assert result.exit_code == 1
    assert "committed as a symbolic link (Git mode 120000)" in result.output


def test_a_note_later_replaced_by_a_symlink_is_an_error(repo):
    note = repo.root / "cases/acme/notes/2026-03-01-call.md"
    copy = repo.write("cases/acme/files/call.md", note.read_text(encoding="utf-8"))
    note.unlink()
    os.symlink(os.path.relpath(copy, note.parent), note)
    repo.commit("tidy", when="2026-03-04T10:00:00+00:00")
    codes = {(p.code, p.severity) for p in audit(repo.root) if p.path == "cases/acme/notes/2026-03-01-call.md"}
    assert ("symlinked-record", "error") in codes


def test_a_mode_change_of_a_committed_record_is_reported(repo):
    note = repo.root / "cases/acme/notes/2026-03-01-call.md"
    note.chmod(0o755)
    repo.commit("chmod", when="2026-03-04T10:00:00+00:00")
    [problem] = audit(repo.root)
    assert (problem.path, problem.severity, problem.code) == (
        "cases/acme/notes/2026-03-01-call.md", "warning", "record-mode-changed")
    assert "from 100644 to 100755" in problem.message
    assert run(repo, "--strict").exit_code == 1


@pytest.mark.parametrize("rewrite", ["amend", "reset", "filter-branch"])
def test_a_history_rewritten_after_since_fails_the_audit(repo, rewrite, monkeypatch):
    monkeypatch.setenv("FILTER_BRANCH_SQUELCH_WARNING", "1")  # or it waits 10 s to show its warning
    repo.note("acme", "2026-03-03-call", day="2026-03-03")
    seen = repo.commit("call", when="2026-03-03T10:00:00+00:00")
    if rewrite == "amend":
        repo.note("acme", "2026-03-03-call", day="2026-03-03", body="Quietly rewritten.")
        repo.git("commit", "-q", "-a", "--amend", "--no-edit", when="2026-03-05T10:00:00+00:00")
    elif rewrite == "reset":
        repo.git("reset", "-q", "--hard", "HEAD~1")
        repo.note("acme", "2026-03-04-email", day="2026-03-04", kind="email")
        repo.commit("email", when="2026-03-04T10:00:00+00:00")
    else:
        repo.git("filter-branch", "-f", "--tree-filter",
                 "sed -i 's/Spoke./Never spoke./' cases/acme/notes/2026-03-03-call.md", "HEAD~1..HEAD")
    result = run(repo, "--since", seen)
    assert result.exit_code == 1, result.output
    assert "since-not-ancestor" in result.output or "is not an ancestor of HEAD" in result.output
    assert [p.severity for p in audit(repo.root, seen) if p.code == "since-not-ancestor"] == ["error"]
