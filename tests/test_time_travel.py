"""--at REV: the records exactly as committed, from Git's objects, whatever the working tree holds."""

from __future__ import annotations

import os
from pathlib import Path

import click
import pytest

from arrears.cli.app import open_portfolio
from arrears.records.gittree import load_at, read_tree_at
from arrears.git.history import GitError
from arrears.records.load import read_tree
from gitrepo import GitRepo


pytestmark = pytest.mark.usefixtures("isolated_git")


@pytest.fixture
def repo(git_repo: GitRepo) -> GitRepo:
    repo = git_repo
    repo.write("arrears.toml", 'name = "Northwind"\n')
    repo.case()
    repo.write("cases/acme/notes/2026-02-01-invoice.md", """
        ---
        date: 2026-02-01
        kind: invoice
        ref: INV-1
        amount: 500.00
        due: 2026-02-15
        ---
        """)
    repo.write("cases/acme/files/letter scan é.pdf", "%PDF-1.4 binary-ish")
    repo.commit("first", when="2026-02-01T10:00:00+00:00")
    return repo


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    return {str(p.relative_to(root)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(root.rglob("*")) if p.is_file() and ".git" not in p.relative_to(root).parts}


def test_the_tree_at_head_equals_the_working_tree_when_clean(repo):
    at_head = read_tree_at(repo.root, "HEAD")
    assert at_head.files == read_tree(repo.root).files
    assert at_head.files["cases/acme/files/letter scan é.pdf"] is None  # attachments: listed, not read
    assert at_head.problems == []


def test_a_dirty_working_tree_does_not_leak_in_and_is_left_untouched(repo):
    first = repo.head()
    repo.write("cases/acme/notes/2026-03-01-payment.md", """
        ---
        date: 2026-03-01
        kind: payment
        amount: 200.00
        ---
        """)
    repo.commit("payment", when="2026-03-01T10:00:00+00:00")
    repo.case(name="Acme Renamed Ltd")  # uncommitted edit
    repo.note("acme", "2026-03-05-call", day="2026-03-05")  # untracked
    (repo.root / "cases/acme/notes/2026-03-01-payment.md").unlink()  # uncommitted deletion
    repo.git("add", "cases/acme/notes/2026-03-05-call.md")  # staged, not committed
    before = snapshot(repo.root)
    status_before = repo.git("status", "--porcelain")
    index_before = (repo.root / ".git/index").read_bytes()

    at_head = load_at(repo.root, "HEAD")
    at_first = load_at(repo.root, first)

    [case] = at_head.cases
    assert case.debtor.name == "Acme Bakery Ltd"
    assert [n.id for n in case.notes] == ["2026-02-01-invoice", "2026-03-01-payment"]
    assert [n.id for n in at_first.cases[0].notes] == ["2026-02-01-invoice"]
    assert at_head.settings.name == "Northwind"
    assert at_head.root == repo.root
    assert snapshot(repo.root) == before
    assert repo.git("status", "--porcelain") == status_before
    assert (repo.root / ".git/index").read_bytes() == index_before


def test_revisions_by_branch_tag_and_relative_name(repo):
    repo.git("tag", "v1")
    repo.note("acme", "2026-03-02-call", day="2026-03-02")
    repo.commit("call")
    assert len(load_at(repo.root, "v1").cases[0].notes) == 1
    assert len(load_at(repo.root, "HEAD~1").cases[0].notes) == 1
    assert len(load_at(repo.root, "main").cases[0].notes) == 2


def test_a_records_root_inside_a_bigger_repository(tmp_path):
    repo = GitRepo(tmp_path / "mono")
    repo.write("README", "top\n")
    repo.write("books/cases/acme/case.md", "---\ndebtor: {name: Acme, kind: business}\nopened: 2026-01-15\n---\n")
    repo.commit()
    (repo.root / "books/cases/acme/case.md").write_text("changed\n")
    tree = read_tree_at(repo.root / "books", "HEAD")
    assert list(tree.files) == ["cases/acme/case.md"]
    assert tree.files["cases/acme/case.md"].startswith(b"---\ndebtor: {name: Acme")


def test_editor_leftovers_are_ignored_and_committed_record_links_are_errors(repo):
    repo.write("cases/acme/notes/.2026-02-01-invoice.md.swp", "junk")
    repo.write("shared/standard-letter.md", "---\ndate: 2026-02-20\nkind: letter\n---\nStandard text.\n")
    repo.write("shared/scan.pdf", "%PDF")
    (repo.root / "cases/acme/files").mkdir(parents=True, exist_ok=True)
    os.symlink("../../../shared/standard-letter.md", repo.root / "cases/acme/notes/2026-02-20-letter.md")
    os.symlink("/etc/hostname", repo.root / "cases/acme/notes/2026-02-21-outside.md")
    os.symlink("../../../shared/scan.pdf", repo.root / "cases/acme/files/scan.pdf")
    repo.commit("links")
    tree = read_tree_at(repo.root, "HEAD")
    assert ".2026-02-01-invoice.md.swp" not in " ".join(tree.files)
    assert "cases/acme/notes/2026-02-20-letter.md" not in tree.files
    assert "cases/acme/files/scan.pdf" in tree.files, "a linked attachment inside the root is listed"
    assert [(p.path, p.code) for p in tree.problems] == [
        ("cases/acme/notes/2026-02-20-letter.md", "symlinked-record"),
        ("cases/acme/notes/2026-02-21-outside.md", "symlinked-record")]


def test_unknown_revision_and_not_a_repository_are_usage_errors(repo, tmp_path):
    with pytest.raises(GitError, match="unknown revision 'nope'"):
        read_tree_at(repo.root, "nope")
    with pytest.raises(click.UsageError, match="unknown revision 'nope'"):
        open_portfolio(repo.root, at="nope")
    plain = tmp_path / "plain"
    (plain / "cases").mkdir(parents=True)
    with pytest.raises(click.UsageError, match="not inside a Git repository"):
        open_portfolio(plain, at="HEAD")


def test_no_commits_yet(tmp_path):
    repo = GitRepo(tmp_path / "empty")
    repo.case()
    with pytest.raises(GitError, match="no commits yet"):
        read_tree_at(repo.root, "HEAD")


# --- the commands -------------------------------------------------------------------------


def _payment(repo: GitRepo, day: str, amount: str) -> None:
    repo.write(f"cases/acme/notes/{day}-payment.md", f"---\ndate: {day}\nkind: payment\namount: {amount}\n---\n")


def test_due_at_a_revision_ignores_the_dirty_working_tree(repo):
    from click.testing import CliRunner

    from arrears.cli.app import main

    first = repo.head()
    _payment(repo, "2026-03-01", "200.00")
    repo.commit("payment", when="2026-03-01T10:00:00+00:00")
    _payment(repo, "2026-03-02", "300.00")  # not committed
    before = snapshot(repo.root)

    def balance(*args: str) -> str:
        result = CliRunner().invoke(main, ["due", "--root", str(repo.root), "--as-of", "2026-04-01",
                                           "--format", "json", *args])
        assert result.exit_code == 0, result.output
        import json
        return json.loads(result.stdout)["cases"][0]["balance"]

    assert balance() == "0.00"
    assert balance("--at", "HEAD") == "300.00"
    assert balance("--at", first) == "500.00"
    assert snapshot(repo.root) == before
    bad = CliRunner().invoke(main, ["due", "--root", str(repo.root), "--at", "nope"])
    assert bad.exit_code == 2 and "unknown revision 'nope'" in bad.output


def test_show_says_who_recorded_each_note_and_reads_the_past(repo):
    from click.testing import CliRunner

    from arrears.cli.app import main

    first = repo.head()
    _payment(repo, "2026-03-01", "200.00")
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "payment", author="Sam Smith", when="2026-03-01T17:00:00+00:00")
    paid = repo.head()
    repo.note("acme", "2026-03-02-call", day="2026-03-02")  # not committed

    def show(*args: str) -> list[str]:
        result = CliRunner().invoke(main, ["show", "acme", "--root", str(repo.root), "--as-of", "2026-04-01", *args])
        assert result.exit_code == 0, result.output
        return result.stdout.splitlines()

    now = show()
    assert f"              recorded 2026-03-01 by Sam Smith in {paid[:7]}" in now
    assert f"              recorded 2026-02-01 by Jo Bloggs in {first[:7]}" in now
    assert "              not committed yet" in now
    then = show("--at", first)
    assert "Last notes (1)" in then
    assert f"              recorded 2026-02-01 by Jo Bloggs in {first[:7]}" in then
    assert "not committed yet" not in " ".join(then)
    (repo.root / "cases/acme").rename(repo.root / "cases/gone")  # the case left the working tree
    assert "Last notes (1)" in show("--at", first)
    missing = CliRunner().invoke(main, ["show", "nobody", "--root", str(repo.root), "--at", first])
    assert missing.exit_code == 2
