"""history: one `git log` pass gives who recorded each file, when, and what happened to it since."""

from __future__ import annotations


import pytest

from arrears.git import command as gitcmd, history
from arrears.git.history import GitError, build_info, open_repo, read_history
from gitrepo import GitRepo


pytestmark = pytest.mark.usefixtures("isolated_git")


@pytest.fixture
def repo(git_repo: GitRepo) -> GitRepo:
    return git_repo


def test_first_commit_records_author_date_and_short_hash(repo):
    repo.case()
    repo.note("acme", "2026-03-01-call")
    first = repo.commit("first call", author="Jo Bloggs", when="2026-03-02T10:00:00+00:00")
    repo.note("acme", "2026-03-05-email", day="2026-03-05", kind="email")
    second = repo.commit("an email", author="Sam Smith", when="2026-03-05T16:30:00+01:00")

    found = read_history(open_repo(repo.root))

    call = found.note_recorded("acme", "2026-03-01-call")
    assert (call.hash, call.short, call.author, call.date.isoformat()) == (
        first, first[:7], "Jo Bloggs", "2026-03-02T10:00:00+00:00")
    email = found.note_recorded("acme", "2026-03-05-email")
    assert (email.hash, email.author, email.date.isoformat()) == (second, "Sam Smith", "2026-03-05T16:30:00+01:00")
    assert [c.hash for c in found.touching("acme")] == [first, second]
    assert found.paths["cases/acme/notes/2026-03-01-call.md"].later == []


def test_later_modifications_deletions_and_renames_are_events(repo):
    repo.case()
    repo.note("acme", "a")
    repo.note("acme", "b")
    repo.note("acme", "c")
    repo.commit("three notes")
    repo.note("acme", "a", body="Edited afterwards.")
    edited = repo.commit("edit a", author="Sam Smith", when="2026-03-04T09:00:00+00:00")
    (repo.root / "cases/acme/notes/b.md").unlink()
    deleted = repo.commit("delete b", when="2026-03-05T09:00:00+00:00")
    repo.git("mv", "cases/acme/notes/c.md", "cases/acme/notes/c2.md")
    renamed = repo.commit("rename c", when="2026-03-06T09:00:00+00:00")

    paths = read_history(open_repo(repo.root)).paths

    assert [(e.kind, e.commit.hash, e.commit.author) for e in paths["cases/acme/notes/a.md"].later] == [
        ("modified", edited, "Sam Smith")]
    assert [(e.kind, e.commit.hash) for e in paths["cases/acme/notes/b.md"].later] == [("deleted", deleted)]
    assert [(e.kind, e.renamed_to, e.commit.hash) for e in paths["cases/acme/notes/c.md"].later] == [
        ("renamed", "cases/acme/notes/c2.md", renamed)]
    moved = paths["cases/acme/notes/c2.md"]
    assert moved.renamed_from == "cases/acme/notes/c.md"
    assert moved.added.hash == renamed
    assert moved.origin == paths["cases/acme/notes/c.md"].added  # still recorded when c.md was


def test_paths_with_spaces_and_unicode_survive(repo):
    repo.case("cafe")
    repo.write("cases/cafe/notes/2026-03-01 café call.md", "---\ndate: 2026-03-01\nkind: call\n---\n")
    repo.write("cases/cafe/files/scan of letter – ü.pdf", "%PDF")
    first = repo.commit()
    found = read_history(open_repo(repo.root))
    assert found.recorded("cases/cafe/notes/2026-03-01 café call.md").hash == first
    assert found.recorded("cases/cafe/files/scan of letter – ü.pdf").hash == first


def test_records_root_below_the_top_of_the_git_repository(tmp_path):
    repo = GitRepo(tmp_path / "monorepo")
    repo.write("README", "not a record\n")
    repo.write("cases-elsewhere.md", "outside the records root\n")
    repo.write("books/cases/acme/case.md", "---\ndebtor: {name: Acme, kind: business}\nopened: 2026-01-15\n---\n")
    repo.write("books/cases/acme/notes/n.md", "---\ndate: 2026-03-01\nkind: call\n---\n")
    first = repo.commit()
    found = read_history(open_repo(repo.root / "books"))
    assert found.recorded("cases/acme/notes/n.md").hash == first
    assert "README" not in found.paths and "cases-elsewhere.md" not in found.paths
    assert sorted(found.paths) == ["cases/acme/case.md", "cases/acme/notes/n.md"]


def test_merges_blame_the_branch_commit_not_the_merge(repo):
    repo.case()
    repo.note("acme", "a")
    repo.commit("start", when="2026-03-02T10:00:00+00:00")
    repo.git("checkout", "-q", "-b", "side")
    repo.note("acme", "a", body="Changed on a branch.")
    repo.note("acme", "b")
    on_branch = repo.commit("branch work", author="Sam Smith", when="2026-03-03T10:00:00+00:00")
    repo.git("checkout", "-q", "main")
    repo.note("acme", "c")
    repo.commit("main work", when="2026-03-04T10:00:00+00:00")
    repo.git("merge", "-q", "--no-ff", "-m", "merge side", "side", when="2026-03-05T10:00:00+00:00")
    merge = repo.head()

    found = read_history(open_repo(repo.root))

    assert [(e.kind, e.commit.hash) for e in found.paths["cases/acme/notes/a.md"].later] == [
        ("modified", on_branch)]
    assert found.recorded("cases/acme/notes/b.md").hash == on_branch
    assert found.paths["cases/acme/notes/b.md"].later == []
    assert found.paths["cases/acme/notes/c.md"].later == []
    assert merge not in [c.hash for c in found.touching("acme")]  # the merge changed nothing of its own
    assert merge in [c.hash for c in found.commits]


def test_an_evil_merge_is_blamed_on_the_merge(repo):
    repo.case()
    repo.note("acme", "a")
    repo.commit("start")
    repo.git("checkout", "-q", "-b", "side")
    repo.note("acme", "b")
    repo.commit("branch")
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--no-ff", "--no-commit", "side")
    repo.note("acme", "a", body="Quietly changed while merging.")
    merge = repo.commit("merge side", author="Max Merger", when="2026-03-09T10:00:00+00:00")

    found = read_history(open_repo(repo.root))
    assert [(e.kind, e.commit.hash, e.commit.author) for e in found.paths["cases/acme/notes/a.md"].later] == [
        ("modified", merge, "Max Merger")]


def test_one_git_log_for_the_whole_history(repo, monkeypatch):
    repo.case()
    for day in range(1, 21):
        repo.note("acme", f"n{day}")
        repo.commit(f"note {day}")
    calls: list[tuple] = []
    real = gitcmd.run_git
    monkeypatch.setattr(gitcmd, "run_git", lambda cwd, args, **kw: calls.append(tuple(args)) or real(cwd, args, **kw))
    found = read_history(open_repo(repo.root))
    assert len(found.commits) == 20
    assert sum(1 for args in calls if args[0] == "log") == 1


def test_no_commits_yet_is_an_empty_history(repo):
    repo.case()
    found = read_history(open_repo(repo.root))
    assert found.commits == () and found.paths == {}
    assert build_info(repo.root) == history.BuildInfo(None, True)


def test_not_a_git_repository_is_a_clear_error(tmp_path):
    (tmp_path / "cases").mkdir()
    with pytest.raises(GitError, match="is not inside a Git repository"):
        open_repo(tmp_path)
    assert build_info(tmp_path) is None
    assert history.history_at(tmp_path) is None


def test_build_info_names_the_commit_and_the_dirty_flag(repo):
    repo.case()
    repo.note("acme", "a")
    head = repo.commit("records", when="2026-03-02T10:00:00+00:00")
    clean = build_info(repo.root)
    assert (clean.commit.hash, clean.dirty) == (head, False)
    repo.note("acme", "b")  # untracked records change what a build shows
    assert build_info(repo.root).dirty is True
    (repo.root / "cases/acme/notes/b.md").unlink()
    repo.write("site/index.html", "built output is not an input")
    assert build_info(repo.root).dirty is False
    at = build_info(repo.root, at="HEAD")
    assert (at.commit.hash, at.dirty, at.at) == (head, False, "HEAD")


def test_unknown_revision_is_a_clear_error(repo):
    repo.case()
    repo.commit()
    with pytest.raises(GitError, match="unknown revision 'no-such-branch'"):
        open_repo(repo.root).resolve("no-such-branch")
    with pytest.raises(GitError, match="not a revision"):
        open_repo(repo.root).resolve("--all")


def test_case_log_lists_commits_newest_first_with_what_they_changed(repo):
    repo.case()
    repo.note("acme", "a")
    first = repo.commit("open", when="2026-03-02T10:00:00+00:00")
    repo.case("other")
    repo.commit("another case", when="2026-03-03T10:00:00+00:00")
    repo.case(name="Acme Renamed Ltd")
    repo.note("acme", "b")
    second = repo.commit("rename the debtor, one more note", author="Sam Smith", when="2026-03-04T10:00:00+00:00")
    log = history.case_log(read_history(open_repo(repo.root)), "acme")
    assert [(entry.commit.hash, entry.commit.author, entry.changes) for entry in log] == [
        (second, "Sam Smith", (("added", "notes/b.md"), ("modified", "case.md"))),
        (first, "Jo Bloggs", (("added", "case.md"), ("added", "notes/a.md"))),
    ]


def test_case_log_summary_counts_long_lists():
    commit = history.Commit("a" * 40, (), "Jo", "jo@x", __import__("datetime").datetime(2026, 3, 2), "import")
    short = history.CaseCommit(commit, (("added", "notes/a.md"), ("modified", "case.md")))
    assert short.summary == "added notes/a.md, modified case.md"
    long = history.CaseCommit(commit, (("added", "case.md"),) + tuple(("added", f"notes/{n}.md") for n in range(14))
                              + (("added", "plans/p.md"), ("deleted", "notes/x.md")))
    assert long.summary == "added case.md, 14 notes, 1 plan; deleted 1 note"
