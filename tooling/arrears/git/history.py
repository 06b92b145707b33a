"""Git as the paper trail: who recorded each file, when, and what happened to it since.

The whole history is read with ONE `git log` pass (`--raw -M -z`, parsed
here), never one Git call per file, so a repository of 50,000 notes is read in
about a second. From it come per-path facts (the commit that first recorded a
file, and every later change: modified, deleted, renamed), the commits that
touched each case, and the commit the working tree sits on.

Merges. Every commit reachable from the revision is walked (`--topo-order`, so
parents come before children), side branches included: a note changed on a
branch is reported at the branch commit that changed it, with that commit's
author. A merge is diffed against its first parent only
(`--diff-merges=first-parent`), and its changes count only when they produce
content the path never had before (an "evil merge" or a conflict resolved by
hand); content that merely arrives from the merged branch was already seen at
the branch's own commits and is not reported twice. `--first-parent` was
rejected because it would blame the merger for everything a branch did, and
plain `git log` (no merge diffs) would miss edits made while resolving a
conflict.

Dates: each commit carries its author date (when the change was written; it
survives rebases and cherry-picks, and is what pages show) and its committer
date (when it entered this history). Both are whatever a clock or an
environment variable said (`GIT_AUTHOR_DATE`, `GIT_COMMITTER_DATE`); Git
notarises nothing, so the audit compares a note's own date with the later of
the two, which forging the author date alone cannot move back.

Modes: each change keeps Git's file modes, so the audit can tell a record
committed as a symbolic link (120000) or made executable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Mapping

from arrears.git.command import GitError, Repo, open_repo, path_text  # noqa: F401  (GitError, Repo, open_repo: re-exported)

ZERO = "0" * 40
LOG_FORMAT = "--format=%x1e%H%x1f%P%x1f%an%x1f%ae%x1f%aI%x1f%cI%x1f%s"
PROTECTED = ("notes", "plans")  # append-only folders of a case (spec 1)


# --- what the log says -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Commit:
    hash: str
    parents: tuple[str, ...]
    author: str
    email: str
    date: datetime  # author date, with the author's UTC offset
    subject: str
    committed: datetime | None = None  # committer date (None where not read)

    @property
    def short(self) -> str:
        return self.hash[:7]

    @property
    def is_merge(self) -> bool:
        return len(self.parents) > 1

    def as_dict(self) -> dict:
        return {"hash": self.hash, "short": self.short, "author": self.author, "email": self.email,
                "date": self.date.isoformat(), "subject": self.subject}


@dataclass(frozen=True, slots=True)
class Change:
    """One line of `git log --raw`: a path changed by a commit (paths relative to the root)."""

    status: str  # A added, M modified, D deleted, R renamed, T type changed
    path: str  # the path after the change (for a rename, the new name)
    old_path: str | None  # renames: the former name (None when it lies outside the root)
    old_blob: str
    new_blob: str
    old_mode: str = ""  # Git's file modes: 100644 a file, 100755 executable, 120000 a symbolic link
    new_mode: str = ""


SYMLINK = "120000"
"""Git's mode of a symbolic link."""


@dataclass(frozen=True, slots=True)
class Event:
    """Something that happened to a recorded file after it was first recorded."""

    kind: str  # modified | deleted | renamed
    path: str
    commit: Commit
    blob: str | None  # content after the event (None: gone from this path)
    renamed_to: str | None = None


@dataclass(slots=True)
class PathHistory:
    """The life of one path: where it was first recorded and what happened to it afterwards."""

    path: str
    added: Commit  # the commit in which this path first appeared
    blob: str  # the content it was first recorded with
    origin: Commit  # where that content was first recorded (follows renames back)
    renamed_from: str | None = None
    later: list[Event] = field(default_factory=list)
    seen: set = field(default_factory=set)  # every state the path reached (blob, or None for deleted)


@dataclass(frozen=True, slots=True)
class History:
    """Everything `git log` says about the records under the root, oldest commit first."""

    commits: tuple[Commit, ...] = ()
    changes: Mapping[str, tuple[Change, ...]] = field(default_factory=dict)  # commit hash -> changes
    paths: Mapping[str, PathHistory] = field(default_factory=dict)
    by_case: Mapping[str, tuple[Commit, ...]] = field(default_factory=dict)

    def recorded(self, path: str) -> Commit | None:
        """The commit that first recorded the file now at `path` (following renames back)."""
        found = self.paths.get(path)
        return found.origin if found else None

    def note_recorded(self, case_id: str, note_id: str) -> Commit | None:
        return self.recorded(f"cases/{case_id}/notes/{note_id}.md")

    def plan_recorded(self, case_id: str, plan_id: str) -> Commit | None:
        return self.recorded(f"cases/{case_id}/plans/{plan_id}.md")

    def touching(self, case_id: str) -> tuple[Commit, ...]:
        """Commits that changed anything under cases/<case_id>/, oldest first (merges only for their own edits)."""
        return self.by_case.get(case_id, ())


@dataclass(frozen=True, slots=True)
class CaseCommit:
    """A commit as a case page lists it: who, when, and what it did to this case's files."""

    commit: Commit
    changes: tuple[tuple[str, str], ...]  # (added|modified|deleted|renamed, path under cases/<id>/)

    @property
    def summary(self) -> str:
        """'added notes/a.md, modified case.md', or counted when long: 'added case.md, 14 notes, 1 plan'."""
        if len(self.changes) <= 4:
            return ", ".join(f"{verb} {path}" for verb, path in self.changes)
        counted: dict[str, dict[str, int]] = {}
        for verb, path in self.changes:
            folder = path.split("/")[0] if "/" in path else path
            counted.setdefault(verb, {}).setdefault(folder, 0)
            counted[verb][folder] += 1
        words = {"notes": ("note", "notes"), "plans": ("plan", "plans"), "files": ("file", "files")}
        parts = []
        for verb, folders in counted.items():
            things = [folder if folder not in words else f"{n} {words[folder][n != 1]}"
                      for folder, n in folders.items()]
            parts.append(f"{verb} {', '.join(things)}")
        return "; ".join(parts)


_VERBS = {"A": "added", "M": "modified", "T": "modified", "D": "deleted", "R": "renamed"}


def case_log(found: History, case_id: str) -> list[CaseCommit]:
    """The commits that touched a case, newest first, each with what it changed there."""
    prefix = f"cases/{case_id}/"
    listed = []
    for commit in reversed(found.touching(case_id)):
        changes = tuple(sorted(
            (_VERBS.get(change.status, "modified"), change.path[len(prefix):] if change.path.startswith(prefix)
             else (change.old_path or change.path)[len(prefix):])
            for change in found.changes.get(commit.hash, ())
            if change.path.startswith(prefix) or (change.old_path or "").startswith(prefix)
        ))
        listed.append(CaseCommit(commit, changes))
    return listed


def read_history(repo: Repo, rev: str = "HEAD") -> History:
    """Read the history that leads to `rev` in one `git log` pass (empty when there are no commits)."""
    if rev == "HEAD" and not repo.has_commits():
        return History()
    log = repo.git("log", "--topo-order", "--reverse", "--root", "--raw", "-M", "--no-abbrev", "-z",
                   "--diff-merges=first-parent", "--no-color",
                   LOG_FORMAT, "--end-of-options", rev, "--")
    return build_history(parse_log(log.stdout, repo.relative))


def parse_log(output: bytes, relative=lambda path: path) -> list[tuple[Commit, list[Change]]]:
    """Commits and their changes from `git log -z --raw --format=%x1e...` output, in the order printed."""
    result: list[tuple[Commit, list[Change]]] = []
    tokens = output.split(b"\0")
    index = 0
    changes: list[Change] = []
    while index < len(tokens):
        token = tokens[index].lstrip(b"\n")
        index += 1
        if token.startswith(b"\x1e"):
            hash_, parents, author, email, date, committed, subject = path_text(token[1:]).split("\x1f", 6)
            changes = []
            commit = Commit(hash_, tuple(parents.split()), author, email, datetime.fromisoformat(date), subject,
                            datetime.fromisoformat(committed))
            result.append((commit, changes))
        elif token.startswith(b":"):
            index = _parse_change(token, tokens, index, relative, changes)
    return result


def parse_raw(output: bytes, relative=lambda path: path) -> list[Change]:
    """The changes of `git diff --raw -z -M` output (no commit lines)."""
    tokens = output.split(b"\0")
    changes: list[Change] = []
    index = 0
    while index < len(tokens):
        token = tokens[index].lstrip(b"\n")
        index += 1
        if token.startswith(b":"):
            index = _parse_change(token, tokens, index, relative, changes)
    return changes


def _parse_change(token: bytes, tokens: list[bytes], index: int, relative, changes: list[Change]) -> int:
    """Append the change `token` (and the path tokens after it) describes; the index after them."""
    old_mode, new_mode, old_blob, new_blob, status = path_text(token[1:]).split(" ")
    path = path_text(tokens[index])
    index += 1
    old_path = None
    if status[0] in "RC":
        old_path, path = path, path_text(tokens[index])
        index += 1
    path_here = relative(path)
    old_here = relative(old_path) if old_path is not None else None
    if status[0] == "R" and path_here is None and old_here is not None:
        changes.append(Change("D", old_here, None, old_blob, ZERO, old_mode, "000000"))  # moved out of the root
    elif path_here is not None:
        kind = "A" if status[0] in "RC" and old_here is None else status[0]
        if status[0] == "C":
            kind, old_here = "A", None
        changes.append(Change(kind, path_here, old_here, old_blob, new_blob, old_mode, new_mode))
    return index


def build_history(log: list[tuple[Commit, list[Change]]]) -> History:
    """Per-path facts from the parsed log (see the module docstring for how merges count)."""
    paths: dict[str, PathHistory] = {}
    by_case: dict[str, list[Commit]] = {}
    changes_by_commit: dict[str, tuple[Change, ...]] = {}
    for commit, changes in log:
        changes_by_commit[commit.hash] = tuple(changes)
        touched: set[str] = set()
        for change in changes:
            counted = _apply(paths, commit, change)
            if counted:
                for path in (change.path, change.old_path):
                    parts = (path or "").split("/")
                    if len(parts) > 2 and parts[0] == "cases":
                        touched.add(parts[1])
        for case_id in touched:
            by_case.setdefault(case_id, []).append(commit)
    return History(
        commits=tuple(commit for commit, _ in log),
        changes=changes_by_commit,
        paths=paths,
        by_case={case_id: tuple(commits) for case_id, commits in by_case.items()},
    )


def _apply(paths: dict[str, PathHistory], commit: Commit, change: Change) -> bool:
    """Fold one change into the per-path facts; False when it is a merge replaying known content."""
    merge = commit.is_merge
    if change.status == "R" and change.old_path is not None:
        old = paths.get(change.old_path)
        gone = _remove(old, commit, merge, "renamed", renamed_to=change.path)
        added = _arrive(paths, commit, change.path, change.new_blob, merge,
                        origin=old.origin if old else None,
                        renamed_from=change.old_path)
        return gone or added
    if change.status == "D":
        return _remove(paths.get(change.path), commit, merge, "deleted")
    return _arrive(paths, commit, change.path, change.new_blob, merge)


def _arrive(paths: dict[str, PathHistory], commit: Commit, path: str, blob: str, merge: bool,
            origin: Commit | None = None, renamed_from: str | None = None) -> bool:
    known = paths.get(path)
    if known is None:
        paths[path] = PathHistory(path, commit, blob, origin or commit, renamed_from, seen={blob})
        return True
    if merge and blob in known.seen:
        return False  # the merged branch's content arriving: reported at the branch's own commit
    known.seen.add(blob)
    if not merge and blob == known.blob:
        return True  # back to the content first recorded: a restore (or the same file added twice)
    known.later.append(Event("modified", path, commit, blob))
    return True


def _remove(known: PathHistory | None, commit: Commit, merge: bool, kind: str,
            renamed_to: str | None = None) -> bool:
    if known is None:
        return False
    if merge and None in known.seen:
        return False
    known.seen.add(None)
    known.later.append(Event(kind, known.path, commit, None, renamed_to))
    return True


# --- the working tree and the commit it sits on ---------------------------------------------


@dataclass(frozen=True, slots=True)
class Pending:
    """A path under the root whose working-tree or index state differs from HEAD."""

    path: str
    index: str  # porcelain X: ' ', 'A', 'M', 'D', 'R', '?'...
    worktree: str  # porcelain Y

    @property
    def untracked(self) -> bool:
        return self.index == "?"

    @property
    def staged_only(self) -> bool:
        """In the index (added, or renamed/copied there) but in no commit yet."""
        return self.index in ("A", "R", "C")


def pending(repo: Repo, *pathspecs: str) -> list[Pending]:
    """`git status --porcelain -z` under the root (untracked files listed one by one; ignored ones not)."""
    status = repo.git("status", "--porcelain=v1", "-z", "--untracked-files=all", "--", *(pathspecs or (".",)))
    tokens = status.stdout.split(b"\0")
    found: list[Pending] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        index += 1
        if len(token) < 4:
            continue
        x, y, path = chr(token[0]), chr(token[1]), path_text(token[3:])
        if x in "RC":
            former = repo.relative(path_text(tokens[index])) if index < len(tokens) else None
            index += 1
            if x == "R" and former is not None:
                found.append(Pending(former, "D", " "))  # a staged rename removes the former name
        here = repo.relative(path)
        if here is not None:
            found.append(Pending(here, x, y))
    return found


@dataclass(frozen=True, slots=True)
class BuildInfo:
    """The commit records were read from, and whether the working tree had changes on top of it."""

    commit: Commit | None
    dirty: bool
    at: str | None = None  # the revision asked for with --at (then the working tree plays no part)

    def as_dict(self) -> dict:
        return {"commit": self.commit.as_dict() if self.commit else None, "dirty": self.dirty, "at": self.at}


INPUTS = ("cases", "arrears.toml", "templates")  # what a build reads from the records root


def head_commit(repo: Repo, rev: str = "HEAD") -> Commit | None:
    if rev == "HEAD" and not repo.has_commits():
        return None
    shown = repo.git("log", "-1", "-z", LOG_FORMAT, "--end-of-options",
                     rev, "--")
    parsed = parse_log(shown.stdout)
    return parsed[0][0] if parsed else None


def is_dirty(repo: Repo) -> bool:
    """Does the working tree differ from HEAD in anything a build reads (untracked records included)?"""
    return bool(pending(repo, *INPUTS))


def build_info(root: Path, at: str | None = None) -> BuildInfo | None:
    """For a footer: the commit the records come from and the dirty flag; None outside Git."""
    try:
        repo = open_repo(root)
        if at is not None:
            return BuildInfo(head_commit(repo, repo.resolve(at)), False, at)
        return BuildInfo(head_commit(repo), is_dirty(repo))
    except GitError:
        return None


def history_at(root: Path, at: str | None = None) -> History | None:
    """The history for views (site, show): None outside Git or before the first commit."""
    try:
        repo = open_repo(root)
        if at is None and not repo.has_commits():
            return None
        return read_history(repo, repo.resolve(at or "HEAD"))
    except GitError:
        return None


def is_protected(path: str) -> bool:
    """Is `path` an append-only record: cases/<id>/notes/*.md or cases/<id>/plans/*.md?"""
    parts = path.split("/")
    return len(parts) == 4 and parts[0] == "cases" and parts[2] in PROTECTED and parts[3].endswith(".md")


def is_record(path: str) -> bool:
    """case.md, a note or a plan."""
    parts = path.split("/")
    return is_protected(path) or (len(parts) == 3 and parts[0] == "cases" and parts[2] == "case.md")
