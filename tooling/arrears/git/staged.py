"""`arrears audit --staged`: what the commit being made would do to the paper trail.

The pre-commit hook runs this. It judges only the staged changes (the index
against HEAD), so it refuses exactly the commit that would modify, delete or
rename a committed note or plan, or commit a record as a symbolic link,
and nothing else: an innocent commit made after a rewrite slipped through
(`git commit --no-verify`) is not blamed for it; the full `arrears audit` in
CI reports that rewrite where it happened. Unstaged edits are not being
committed, so they are not judged here either.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from arrears.git.audit import mode_problem
from arrears.git.history import Change, is_protected, open_repo, parse_raw
from arrears.problems import Problem, sort_problems

WHERE = "the staged changes"


def staged(root: Path) -> list[Problem]:
    """Audit the staged changes of the repository holding `root`; GitError outside Git."""
    repo = open_repo(root)
    found = repo.git("diff", "--cached", "--raw", "-z", "-M", "--no-abbrev", "--no-ext-diff", "--no-color",
                     "--ignore-submodules", "--", ".")
    return findings(parse_raw(found.stdout, repo.relative))


def findings(changes: Iterable[Change]) -> list[Problem]:
    """The staged changes' problems (pure: the changes are all it looks at)."""
    problems: list[Problem] = []
    for change in changes:
        mode = mode_problem(change, WHERE)
        if mode is not None:
            problems.append(mode)
        committed = change.old_path if change.status == "R" else change.path
        if committed is None or not is_protected(committed) or change.status == "A":
            continue
        if change.status in ("M", "T") and change.old_blob == change.new_blob:
            continue  # only the mode changed: said above
        problems.append(_rewrite(change, committed))
    return sort_problems(problems)


def _rewrite(change: Change, committed: str) -> Problem:
    parts = committed.split("/")
    kind, record_id = ("note" if parts[2] == "notes" else "plan"), parts[3][:-3]
    fix = (f"add a new note with 'corrects: {record_id}' instead" if kind == "note"
           else f"agree a new plan with 'supersedes: {record_id}' instead")
    undo, where = f"git restore --staged --worktree -- {committed}", ""
    if change.status == "R":
        undo, where = f"git mv {change.path} {committed}", f" to {change.path}"
    did = {"D": "delete", "R": "rename"}.get(change.status, "change")
    code = {"D": "record-deleted", "R": "record-renamed"}.get(change.status, "record-modified")
    return Problem(committed, 1, 1, "error", code,
                   f"this commit would {did} a committed {kind}{where}: {kind}s are append-only; "
                   f"undo it ({undo}) and {fix}")
