"""arrears audit: Git's history against the rule that committed notes and plans are never rewritten."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from arrears.git.audit import audit
from arrears.cli.app import main
from gitrepo import GitRepo


pytestmark = pytest.mark.usefixtures("isolated_git")


@pytest.fixture
def repo(git_repo: GitRepo) -> GitRepo:
    repo = git_repo
    repo.case()
    repo.note("acme", "2026-03-01-call", day="2026-03-01")
    repo.plan("acme", "2026-03-01-plan")
    repo.commit("open the case", author="Jo Bloggs", when="2026-03-02T10:00:00+00:00")
    return repo


def run(repo: GitRepo, *args: str):
    return CliRunner().invoke(main, ["audit", "--root", str(repo.root), *args])


def codes(repo: GitRepo, since: str | None = None) -> list[tuple[str, str, str]]:
    return [(p.path, p.severity, p.code) for p in audit(repo.root, since)]


def test_a_clean_history_passes(repo):
    repo.note("acme", "2026-03-03-email", day="2026-03-03", kind="email")
    repo.commit("email", when="2026-03-03T10:00:00+00:00")
    result = run(repo)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "audited the whole history: 0 errors, 0 warnings" in result.stderr


def test_a_modified_note_is_an_error_naming_commit_author_and_date(repo):
    repo.note("acme", "2026-03-01-call", body="Actually he promised to pay.")
    edit = repo.commit("tidy", author="Sam Smith", when="2026-03-04T15:00:00+00:00")
    result = run(repo)
    assert result.exit_code == 1
    line = result.stdout.strip()
    assert line.startswith("cases/acme/notes/2026-03-01-call.md:1:1: error: note recorded in ")
    assert f"was changed in {edit[:7]} by Sam Smith on 2026-03-04" in line
    assert "(Jo Bloggs, 2026-03-02)" in line
    assert "corrects: 2026-03-01-call" in line
    assert line.endswith("[record-modified]")


def test_deleted_and_renamed_notes_and_plans_are_errors(repo):
    repo.note("acme", "2026-03-02-sms", day="2026-03-02", kind="sms")
    repo.commit("sms", when="2026-03-02T11:00:00+00:00")
    (repo.root / "cases/acme/notes/2026-03-01-call.md").unlink()
    repo.git("mv", "cases/acme/notes/2026-03-02-sms.md", "cases/acme/notes/sms.md")
    repo.plan("acme", "2026-03-01-plan", count=6)
    repo.commit("rewrite", when="2026-03-05T10:00:00+00:00")
    assert codes(repo) == [
        ("cases/acme/notes/2026-03-01-call.md", "error", "record-deleted"),
        ("cases/acme/notes/2026-03-02-sms.md", "error", "record-renamed"),
        ("cases/acme/plans/2026-03-01-plan.md", "error", "record-modified"),
    ]
    messages = {p.path: p.message for p in audit(repo.root)}
    assert "supersedes: 2026-03-01-plan" in messages["cases/acme/plans/2026-03-01-plan.md"]
    assert "renamed to cases/acme/notes/sms.md" in messages["cases/acme/notes/2026-03-02-sms.md"]
    assert "git restore --source=" in messages["cases/acme/notes/2026-03-01-call.md"]


def test_a_deleted_plan_is_an_error(repo):
    (repo.root / "cases/acme/plans/2026-03-01-plan.md").unlink()
    repo.commit("no plan after all", when="2026-03-05T10:00:00+00:00")
    assert codes(repo) == [("cases/acme/plans/2026-03-01-plan.md", "error", "record-deleted")]


def test_case_md_may_change(repo):
    repo.case(name="Acme Bakery (Leeds) Ltd")
    repo.commit("debtor renamed", when="2026-03-05T10:00:00+00:00")
    assert codes(repo) == []


def test_a_record_put_back_as_first_recorded_is_only_a_warning(repo):
    original = (repo.root / "cases/acme/notes/2026-03-01-call.md").read_text()
    repo.note("acme", "2026-03-01-call", body="Oops.")
    repo.commit("oops", when="2026-03-03T10:00:00+00:00")
    repo.write("cases/acme/notes/2026-03-01-call.md", original)
    repo.note("acme", "2026-03-03-correction", day="2026-03-03", kind="note")
    repo.commit("put it back", when="2026-03-03T11:00:00+00:00")
    found = audit(repo.root)
    assert [(p.severity, p.code) for p in found] == [("warning", "record-modified")]
    assert "put back as first recorded" in found[0].message
    assert run(repo).exit_code == 0
    assert run(repo, "--strict").exit_code == 1


def test_a_note_committed_long_after_its_date_is_backdated(repo):
    repo.note("acme", "2026-03-10-call", day="2026-03-10")
    repo.note("acme", "2026-03-20-call", day="2026-03-20")
    repo.commit("catch up", when="2026-03-25T18:00:00+00:00")  # 15 and 5 days late
    found = audit(repo.root)
    assert [(p.path, p.line, p.column, p.code) for p in found] == [
        ("cases/acme/notes/2026-03-10-call.md", 2, 7, "note-backdated")]
    assert "dated 2026-03-10 but first committed on 2026-03-25 (author date), 15 days later" in found[0].message


def test_a_forged_author_date_does_not_hide_a_backdated_note(repo):
    """GIT_AUTHOR_DATE set to the note's own date; the committer date tells when it entered the history."""
    repo.note("acme", "2026-03-10-call", day="2026-03-10")
    repo.commit("a call", when="2026-03-10T16:00:00+00:00", committed="2026-05-08T09:00:00+00:00")
    [problem] = audit(repo.root)
    assert (problem.path, problem.severity, problem.code) == (
        "cases/acme/notes/2026-03-10-call.md", "warning", "note-backdated")
    assert ("dated 2026-03-10 but first committed on 2026-05-08 (committer date; its author date says "
            "2026-03-10), 59 days later") in problem.message


def test_a_note_committed_on_its_day_with_both_dates_agreeing_passes(repo):
    repo.note("acme", "2026-03-10-call", day="2026-03-10")
    repo.commit("a call", when="2026-03-10T16:00:00+00:00", committed="2026-03-11T09:00:00+00:00")
    assert codes(repo) == []


def test_backdate_days_comes_from_arrears_toml(repo):
    repo.write("arrears.toml", "[audit]\nbackdate_days = 2\n")
    repo.note("acme", "2026-03-20-call", day="2026-03-20")
    repo.commit("late", when="2026-03-25T18:00:00+00:00")
    assert codes(repo) == [("cases/acme/notes/2026-03-20-call.md", "warning", "note-backdated")]


def test_backdating_uses_the_records_time_zone(repo):
    repo.note("acme", "2026-03-20-call", day="2026-03-20")
    repo.commit("the next evening in Los Angeles", when="2026-03-22T02:00:00+00:00")  # 03-21 19:00 there
    repo.write("arrears.toml", '[audit]\nbackdate_days = 1\n')
    assert codes(repo) == [("cases/acme/notes/2026-03-20-call.md", "warning", "note-backdated")]  # UTC: 2 days
    repo.write("arrears.toml", 'timezone = "America/Los_Angeles"\n[audit]\nbackdate_days = 1\n')
    assert codes(repo) == []


def test_uncommitted_records_are_warnings(repo):
    repo.note("acme", "2026-03-03-untracked", day="2026-03-03")
    repo.note("acme", "2026-03-03-staged", day="2026-03-03")
    repo.git("add", "cases/acme/notes/2026-03-03-staged.md")
    repo.note("acme", "2026-03-01-call", body="Edited, not committed yet.")
    repo.write("cases/acme/notes/.2026-03-01-call.md.swp", "editor junk")
    found = {p.path: (p.severity, p.code, p.message) for p in audit(repo.root)}
    assert found["cases/acme/notes/2026-03-03-untracked.md"][:2] == ("warning", "record-uncommitted")
    assert "untracked" in found["cases/acme/notes/2026-03-03-untracked.md"][2]
    assert "staged but not committed" in found["cases/acme/notes/2026-03-03-staged.md"][2]
    assert found["cases/acme/notes/2026-03-01-call.md"][:2] == ("warning", "record-edit-uncommitted")
    assert len(found) == 3
    assert run(repo).exit_code == 0


def test_since_reports_only_later_commits_but_old_records_stay_protected(repo):
    repo.note("acme", "2026-03-01-call", body="Changed before the base.")
    repo.commit("old mistake", when="2026-03-03T10:00:00+00:00")
    repo.note("acme", "2026-03-04-email", day="2026-03-04", kind="email")
    base = repo.commit("base", when="2026-03-04T10:00:00+00:00")
    repo.git("checkout", "-q", "-b", "pr")
    repo.plan("acme", "2026-03-01-plan", count=12)  # recorded before the base, changed after it
    change = repo.commit("stretch the plan", author="Sam Smith", when="2026-03-06T10:00:00+00:00")
    assert codes(repo, since=base) == [("cases/acme/plans/2026-03-01-plan.md", "error", "record-modified")]
    assert len(codes(repo)) == 2
    result = run(repo, "--since", "main", "--format", "json")
    assert result.exit_code == 1
    [problem] = json.loads(result.stdout)
    assert problem["code"] == "record-modified" and change[:7] in problem["message"]
    assert "audited commits after main: 1 error" in run(repo, "--since", "main").stderr


def test_since_checks_backdating_only_for_notes_added_after_rev(repo):
    repo.note("acme", "2026-01-01-old", day="2026-01-01")
    base = repo.commit("old, late", when="2026-03-02T11:00:00+00:00")
    assert codes(repo, since=base) == []
    assert codes(repo) == [("cases/acme/notes/2026-01-01-old.md", "warning", "note-backdated")]


def test_unknown_since_is_a_usage_error(repo):
    result = run(repo, "--since", "origin/nowhere")
    assert result.exit_code == 2
    assert "unknown revision 'origin/nowhere'" in result.output


def test_not_a_git_repository_is_a_usage_error(tmp_path):
    (tmp_path / "cases").mkdir()
    result = CliRunner().invoke(main, ["audit", "--root", str(tmp_path)])
    assert result.exit_code == 2
    assert "is not inside a Git repository" in result.output


def test_no_commits_yet_lists_every_record_as_uncommitted(tmp_path):
    repo = GitRepo(tmp_path / "new")
    repo.case()
    repo.note("acme", "n")
    assert codes(repo) == [
        ("cases/acme/case.md", "warning", "record-uncommitted"),
        ("cases/acme/notes/n.md", "warning", "record-uncommitted"),
    ]


def test_a_change_made_on_a_merged_branch_names_the_branch_commit(repo):
    repo.git("checkout", "-q", "-b", "side")
    repo.note("acme", "2026-03-01-call", body="Rewritten on a branch.")
    on_branch = repo.commit("branch", author="Sam Smith", when="2026-03-03T10:00:00+00:00")
    repo.git("checkout", "-q", "main")
    repo.note("acme", "2026-03-04-email", day="2026-03-04", kind="email")
    repo.commit("main", when="2026-03-04T10:00:00+00:00")
    repo.git("merge", "-q", "--no-ff", "-m", "merge", "side", when="2026-03-05T10:00:00+00:00")
    [problem] = audit(repo.root)
    assert problem.code == "record-modified"
    assert f"changed in {on_branch[:7]} by Sam Smith on 2026-03-03" in problem.message


def test_notes_imported_in_the_first_commit_are_not_backdated(tmp_path):
    repo = GitRepo(tmp_path / "adopted")
    repo.case()
    repo.note("acme", "2025-06-01-call", day="2025-06-01")  # the history before arrears was adopted
    repo.commit("import the existing case files", when="2026-03-02T10:00:00+00:00")
    repo.note("acme", "2025-07-01-call", day="2025-07-01")
    repo.commit("found another old one", when="2026-03-03T10:00:00+00:00")
    assert codes(repo) == [("cases/acme/notes/2025-07-01-call.md", "warning", "note-backdated")]


# --- rewritten history: exactly what docs/audit.md claims -----------------------------------


def test_an_edit_squashed_away_before_anyone_saw_it_cannot_be_detected(repo):
    repo.note("acme", "2026-03-03-call", day="2026-03-03")
    repo.commit("call", when="2026-03-03T10:00:00+00:00")
    repo.note("acme", "2026-03-03-call", day="2026-03-03", body="Rewritten.")
    repo.commit("rewrite", author="Sam Smith", when="2026-03-04T10:00:00+00:00")
    assert codes(repo) == [("cases/acme/notes/2026-03-03-call.md", "error", "record-modified")]
    repo.git("reset", "-q", "--soft", "HEAD~2")  # squash both commits into one, as rebase -i would
    repo.commit("call", when="2026-03-04T10:00:00+00:00")
    assert codes(repo) == []  # the rewritten history is all there is: it looks as if always so


def test_a_rebased_edit_is_still_reported_with_its_original_author_and_date(repo):
    repo.git("checkout", "-q", "-b", "side")
    repo.note("acme", "2026-03-01-call", body="Rewritten on a branch.")
    before = repo.commit("edit", author="Sam Smith", when="2026-03-03T10:00:00+00:00")
    repo.git("checkout", "-q", "main")
    repo.note("acme", "2026-03-04-email", day="2026-03-04", kind="email")
    repo.commit("email", when="2026-03-04T10:00:00+00:00")
    repo.git("checkout", "-q", "side")
    repo.git("rebase", "-q", "main", author="Rae Rebaser", when="2026-03-06T10:00:00+00:00")
    after = repo.head()
    assert after != before
    [problem] = audit(repo.root)
    assert problem.code == "record-modified"
    assert f"changed in {after[:7]} by Sam Smith on 2026-03-03" in problem.message  # author date survives


def test_a_force_pushed_rewrite_shows_only_to_whoever_kept_the_old_commit(repo):
    repo.note("acme", "2026-03-03-call", day="2026-03-03")
    seen = repo.commit("call", when="2026-03-03T10:00:00+00:00")  # pushed; colleagues fetched it
    repo.note("acme", "2026-03-03-call", day="2026-03-03", body="Quietly rewritten.")
    repo.git("commit", "-q", "-a", "--amend", "--no-edit", when="2026-03-05T10:00:00+00:00")
    repo.note("acme", "2026-03-06-email", day="2026-03-06", kind="email")
    repo.commit("email", when="2026-03-06T10:00:00+00:00")
    assert codes(repo) == []  # the rewritten history alone shows nothing
    found = [(p.severity, p.code) for p in audit(repo.root, since=seen)]
    assert found == [("error", "since-not-ancestor")]  # only the old hash reveals that history changed


def test_a_staged_rename_of_a_committed_note_is_an_uncommitted_edit(repo):
    repo.git("mv", "cases/acme/notes/2026-03-01-call.md", "cases/acme/notes/call.md")
    assert codes(repo) == [
        ("cases/acme/notes/2026-03-01-call.md", "warning", "record-edit-uncommitted"),
        ("cases/acme/notes/call.md", "warning", "record-uncommitted"),
    ]
    assert "has been deleted but not committed" in audit(repo.root)[0].message


def test_a_renamed_plan_is_an_error_pointing_at_its_new_name(repo):
    repo.git("mv", "cases/acme/plans/2026-03-01-plan.md", "cases/acme/plans/plan-a.md")
    moved = repo.commit("tidy names", author="Sam Smith", when="2026-03-05T10:00:00+00:00")
    [problem] = audit(repo.root)
    assert (problem.path, problem.severity, problem.code) == (
        "cases/acme/plans/2026-03-01-plan.md", "error", "record-renamed")
    assert "plan recorded in " in problem.message and f"renamed to cases/acme/plans/plan-a.md in {moved[:7]}" in problem.message
    assert "git mv cases/acme/plans/plan-a.md cases/acme/plans/2026-03-01-plan.md" in problem.message


def test_a_note_committed_as_a_symlink_is_an_error(repo):
    """Editing the link's target (under files/) would change the amount with nothing in the history (issue 12)."""
    import os

    repo.write("cases/acme/files/amount.md", "---\ndate: 2026-03-05\nkind: payment\namount: 10.00\n---\n")
    os.symlink("../files/amount.md", repo.root / "cases/acme/notes/2026-03-05-payment.md")
    repo.commit("a payment", when="2026-03-05T10:00:00+00:00")
    assert ("cases/acme/notes/2026-03-05-payment.md", "error", "symlinked-record") in codes(repo)
    result = run(repo)
    assert result.exit_code == 1 and "[symlinked-record]" in result.stdout


@pytest.mark.parametrize("front", ["extra: {recorded_late: entered from the old spreadsheet}",
                                   "extra:\n  recorded_late: \"typed in from the 2025 ledger\""])
def test_a_note_that_says_why_it_is_late_is_not_backdated(repo, front):
    repo.write("cases/acme/notes/2026-01-10-invoice.md",
               f"---\ndate: 2026-01-10\nkind: invoice\nref: OLD-1\namount: 90\ndue: 2026-02-10\n{front}\n---\nOld.\n")
    repo.note("acme", "2026-03-10-call", day="2026-03-10")
    repo.write("cases/acme/notes/2026-03-11-call.md", "---\ndate: 2026-03-11\nkind: call\nextra: {recorded_late: ''}\n---\n")
    repo.commit("catch up", when="2026-03-25T18:00:00+00:00")
    assert codes(repo) == [("cases/acme/notes/2026-03-10-call.md", "warning", "note-backdated"),
                           ("cases/acme/notes/2026-03-11-call.md", "warning", "note-backdated")]  # an empty reason is none
    assert "extra: {recorded_late: " in audit(repo.root)[0].message
