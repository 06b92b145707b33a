"""The shipped pre-commit hooks (.pre-commit-hooks.yaml), run by the real `pre-commit` in a temporary repository.

`arrears-audit` must refuse exactly the commit that modifies, deletes or
renames a committed note or plan (or commits a record as a symlink), and
nothing else: not a new note, not an edit to case.md, and not the innocent
commit that follows a rewrite someone forced through with --no-verify.

pre-commit has no network here, so the hooks are taken from this checkout's
.pre-commit-hooks.yaml as they ship (id, entry arguments, file filter,
always_run) and run as a `repo: local` hook with `language: system`, the
entry's `arrears` being this interpreter's.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from gitrepo import GitRepo, isolate_git

HOOKS = Path(__file__).parents[1] / ".pre-commit-hooks.yaml"
PRE_COMMIT = Path(sys.executable).parent / "pre-commit"


def _local_config(ids: tuple[str, ...]) -> str:
    shipped = {hook["id"]: hook for hook in yaml.safe_load(HOOKS.read_text(encoding="utf-8"))}
    hooks = []
    for hook_id in ids:
        hook = dict(shipped[hook_id])
        assert hook["entry"].startswith("arrears ")
        hook["entry"] = f"{sys.executable} -m arrears " + hook["entry"][len("arrears "):]
        hook["language"] = "system"
        hooks.append(hook)
    return yaml.safe_dump({"repos": [{"repo": "local", "hooks": hooks}]}, sort_keys=False)


@pytest.fixture
def hooked(tmp_path, monkeypatch) -> GitRepo:
    if not PRE_COMMIT.is_file():
        pytest.fail(f"{PRE_COMMIT} is missing: pre-commit is in the test extra (pip install -e '.[test]')")
    isolate_git(monkeypatch)
    monkeypatch.setenv("PRE_COMMIT_HOME", str(tmp_path / "pre-commit-home"))
    repo = GitRepo(tmp_path / "books")
    repo.write(".pre-commit-config.yaml", _local_config(("arrears-audit",)))
    repo.case()
    repo.note("acme", "2026-03-01-call", day="2026-03-01")
    repo.plan("acme", "2026-03-01-plan")
    repo.commit("open the case", when="2026-03-02T10:00:00+00:00")
    installed = subprocess.run([str(PRE_COMMIT), "install"], cwd=repo.root, capture_output=True, text=True)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    return repo


def commit(repo: GitRepo, message: str, *extra: str) -> subprocess.CompletedProcess:
    """`git commit -a` as a person would: the installed hook runs (or not, with --no-verify)."""
    repo.git("add", "-A")
    env = {**os.environ, "GIT_AUTHOR_DATE": "2026-03-05T10:00:00+00:00",
           "GIT_COMMITTER_DATE": "2026-03-05T10:00:00+00:00"}
    return subprocess.run(["git", "commit", "-q", "-m", message, *extra], cwd=repo.root, env=env,
                          capture_output=True, text=True)


NOTE = "cases/acme/notes/2026-03-01-call.md"
PLAN = "cases/acme/plans/2026-03-01-plan.md"


@pytest.mark.parametrize("rewrite, said", [
    ("edit-note", "this commit would change a committed note"),
    ("edit-plan", "this commit would change a committed plan"),
    ("delete-note", "this commit would delete a committed note"),
    ("rename-note", "this commit would rename a committed note to cases/acme/notes/call.md"),
    ("symlink-note", "committed as a symbolic link"),
])
def test_the_commit_that_rewrites_a_record_is_refused(hooked, rewrite, said):
    before = hooked.head()
    if rewrite == "edit-note":
        hooked.note("acme", "2026-03-01-call", day="2026-03-01", body="Never spoke.")
    elif rewrite == "edit-plan":
        hooked.plan("acme", "2026-03-01-plan", count=12)
    elif rewrite == "delete-note":
        (hooked.root / NOTE).unlink()
    elif rewrite == "rename-note":
        hooked.git("mv", NOTE, "cases/acme/notes/call.md")
    else:
        note = hooked.root / NOTE
        copy = hooked.write("cases/acme/files/call.md", note.read_text(encoding="utf-8"))
        note.unlink()
        os.symlink(os.path.relpath(copy, note.parent), note)
    done = commit(hooked, "tidy up")
    assert done.returncode != 0, done.stdout + done.stderr
    assert said in done.stdout + done.stderr
    assert hooked.head() == before, "the commit was not made"


@pytest.mark.parametrize("change", ["new-note", "edit-case", "attachment", "settings"])
def test_innocent_commits_pass(hooked, change):
    if change == "new-note":
        hooked.note("acme", "2026-03-05-email", day="2026-03-05", kind="email")
    elif change == "edit-case":
        hooked.case(name="Acme Bakery Limited")
    elif change == "attachment":
        hooked.write("cases/acme/files/letter.txt", "Dear Acme,\n")
    else:
        hooked.write("arrears.toml", 'name = "Larkspur"\n')
    done = commit(hooked, "an innocent change")
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_commit_after_a_forced_rewrite_is_not_blamed_for_it(hooked):
    hooked.note("acme", "2026-03-01-call", day="2026-03-01", body="Never spoke.")
    forced = commit(hooked, "rewrite, hook skipped", "--no-verify")
    assert forced.returncode == 0, forced.stdout + forced.stderr
    hooked.note("acme", "2026-03-05-email", day="2026-03-05", kind="email")
    done = commit(hooked, "an innocent note")
    assert done.returncode == 0, done.stdout + done.stderr
    full = subprocess.run([sys.executable, "-m", "arrears", "audit", "--root", str(hooked.root)],
                          capture_output=True, text=True)
    assert full.returncode == 1 and "record-modified" in full.stdout  # CI's full audit still names it


def test_the_check_hook_refuses_invalid_records(hooked):
    hooked.write(".pre-commit-config.yaml", _local_config(("arrears-check", "arrears-audit")))
    assert commit(hooked, "both hooks").returncode == 0
    hooked.note("acme", "2026-03-06-call", day="2026-03-06", kind="cal")
    done = commit(hooked, "a bad note")
    assert done.returncode != 0 and "kind" in done.stdout + done.stderr

