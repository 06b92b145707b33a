"""The site and Git: who recorded each note, the commits that touched a case, the commit built from."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from arrears.cli.app import main
from gitrepo import GitRepo


pytestmark = pytest.mark.usefixtures("isolated_git")


@pytest.fixture
def repo(git_repo: GitRepo) -> GitRepo:
    repo = git_repo
    repo.write(".gitignore", "/site/\n")
    repo.case()
    repo.write("cases/acme/notes/2026-02-01-invoice.md",
               "---\ndate: 2026-02-01\nkind: invoice\nref: INV-1\namount: 500.00\ndue: 2026-02-15\n---\n"
               "See [the letter](../files/letter.txt).\n")
    repo.write("cases/acme/files/letter.txt", "as committed\n")
    repo.commit("open the case", when="2026-02-01T10:00:00+00:00")
    return repo


def build(repo: GitRepo, out: Path, *args: str) -> dict[str, str]:
    result = CliRunner().invoke(main, ["build", "--root", str(repo.root), "--out", str(out),
                                       "--as-of", "2026-04-01", *args])
    assert result.exit_code == 0, result.output
    return {str(p.relative_to(out)): p.read_text(encoding="utf-8") for p in out.rglob("*")
            if p.is_file() and p.suffix in (".html", ".txt")}


def test_pages_say_who_recorded_what_and_which_commit_they_were_built_from(repo, tmp_path):
    first = repo.head()
    repo.write("cases/acme/notes/2026-03-01-call.md", "---\ndate: 2026-03-01\nkind: call\n---\nSpoke.\n")
    second = repo.commit("a call", author="Sam Smith", when="2026-03-01T17:00:00+00:00")
    site = build(repo, tmp_path / "site")
    case = site["cases/acme/index.html"]
    assert f"recorded 1 Mar 2026 by Sam Smith in <code>{second[:7]}</code>" in case
    assert f"recorded 1 Feb 2026 by Jo Bloggs in <code>{first[:7]}</code>" in case
    history = case[case.index('id="history-title"'):]
    assert history.index(second[:7]) < history.index(first[:7])  # newest first
    assert "Sam Smith</span>: a call" in history and "(added notes/2026-03-01-call.md)" in history
    assert (f'Built from commit <code title="{second}">{second[:7]}</code> (1 Mar 2026, Sam Smith).'
            in site["index.html"])
    assert "uncommitted changes" not in site["index.html"]
    assert build(repo, tmp_path / "again") == site  # deterministic: commit data, no wall clock


def test_a_dirty_working_tree_is_flagged_and_uncommitted_notes_say_so(repo, tmp_path):
    repo.write("cases/acme/notes/2026-03-02-call.md", "---\ndate: 2026-03-02\nkind: call\n---\n")
    site = build(repo, tmp_path / "site")
    assert "with uncommitted changes to the records" in site["index.html"]
    assert '<span class="recorded">not committed yet</span>' in site["cases/acme/index.html"]


def test_build_at_a_revision_uses_committed_records_and_attachments_only(repo, tmp_path):
    first = repo.head()
    repo.write("cases/acme/notes/2026-03-01-payment.md", "---\ndate: 2026-03-01\nkind: payment\namount: 500.00\n---\n")
    repo.commit("paid", when="2026-03-01T10:00:00+00:00")
    repo.write("cases/acme/files/letter.txt", "edited since\n")  # dirty working tree
    repo.write("cases/acme/notes/2026-03-05-call.md", "---\ndate: 2026-03-05\nkind: call\n---\n")
    site = build(repo, tmp_path / "then", "--at", first)
    assert site["cases/acme/files/letter.txt"] == "as committed\n"
    case = site["cases/acme/index.html"]
    assert "2026-03-01-payment" not in case and "2026-03-05-call" not in case
    assert "not committed yet" not in case
    assert f"Records as committed at {first}: commit" in site["index.html"]
    assert "uncommitted changes" not in site["index.html"]
    assert (repo.root / "cases/acme/files/letter.txt").read_text() == "edited since\n"


def test_outside_git_the_site_simply_leaves_history_out(tmp_path):
    plain = GitRepo(tmp_path / "plain", init=False)
    plain.case()
    plain.note("acme", "2026-03-01-call")
    result = CliRunner().invoke(main, ["build", "--root", str(plain.root), "--as-of", "2026-04-01"])
    assert result.exit_code == 0, result.output
    page = (plain.root / "site/cases/acme/index.html").read_text()
    assert "recorded" not in page and "history-title" not in page
    assert "Built from commit" not in (plain.root / "site/index.html").read_text()


def test_build_at_an_unknown_revision_is_a_usage_error_and_leaves_the_cache_alone(repo, tmp_path):
    runner = CliRunner()
    assert runner.invoke(main, ["build", "--root", str(repo.root), "--as-of", "2026-04-01"]).exit_code == 0
    index = sorted((repo.root / ".arrears-cache").glob("index-*.pickle"))
    before = [path.read_bytes() for path in index]
    bad = runner.invoke(main, ["build", "--root", str(repo.root), "--at", "no-such-rev", "--out", str(tmp_path / "x")])
    assert bad.exit_code == 2 and "no-such-rev" in bad.output and not (tmp_path / "x").exists()
    then = runner.invoke(main, ["build", "--root", str(repo.root), "--as-of", "2026-04-01", "--at", "HEAD",
                                "--out", str(tmp_path / "then")])
    assert then.exit_code == 0 and (tmp_path / "then" / "index.html").is_file()
    assert sorted((repo.root / ".arrears-cache").glob("index-*.pickle")) == index
    assert [path.read_bytes() for path in index] == before  # a past commit's build is no starting point
