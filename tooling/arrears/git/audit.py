"""`arrears audit`: does Git's history show the paper trail was kept?

Notes and plans are append-only (spec 1, 4): once committed, a record is never
edited, deleted or renamed; corrections are new notes. This module compares
the history (read once by `history`) against that rule and reports `Problem`
values like every other check:

- error: a committed note or plan later modified, deleted or renamed (named
  with the commit, author and date; a warning instead when the record has
  since been put back exactly as first recorded: only the history shows it);
- error: a note, plan or case.md committed as a symbolic link (Git mode
  120000): editing the link's target would change the record with no change
  to it in Git;
- error: `--since REV` where REV is no longer an ancestor of HEAD (a history
  rewritten by amend, reset, rebase or filter-branch, or a branch behind REV);
- warning: a note first committed more than `[audit] backdate_days` after its
  own date (backdated), except in a root commit: records imported when the
  repository was created (or by `arrears init`) predate the trail. The later
  of the commit's author and committer dates is compared, and named;
- warning: a committed record's file mode changed (made executable, say);
- warning: a record not committed yet (untracked or only staged), or a
  committed note or plan with uncommitted edits (committing them would
  rewrite it);
- warning: a shallow clone (the audit sees only part of the history).

case.md and arrears.toml may change: a debtor moves, a phone number changes.
See docs/audit.md for what this proves and what it cannot detect.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Iterable, Mapping
from zoneinfo import ZoneInfo

from arrears.records import gittree
from arrears.git.history import SYMLINK, Change, Commit, Event, History, PathHistory, Pending, Repo, is_protected, is_record
from arrears.git.history import open_repo, pending, read_history
from arrears.problems import Problem, sort_problems
from arrears.records.model import Settings
from arrears.records.settings import PATH as SETTINGS_PATH
from arrears.records.settings import parse_settings

_DATE = re.compile(rb"^date:[ \t]*[\"']?(\d{4}-\d{2}-\d{2})", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Evidence:
    """Everything the audit looks at, gathered from Git; `findings` needs nothing else."""

    history: History
    at_head: Mapping[str, str]  # path -> blob at HEAD, for rewritten and pending records
    pending: tuple[Pending, ...]
    note_dates: Mapping[str, tuple[date, int, int]]  # note path -> (date, line, column) as first committed
    settings: Settings = Settings()
    in_range: frozenset[str] | None = None  # commits after --since REV (None: the whole history)
    shallow: bool = False
    since: str | None = None
    problems: tuple[Problem, ...] = field(default=())


def audit(root: Path, since: str | None = None) -> list[Problem]:
    """Audit the records repository at `root`; GitError when it is not in Git or `since` is unknown."""
    return findings(gather(root, since))


def gather(root: Path, since: str | None = None) -> Evidence:
    repo = open_repo(root)
    in_range = None
    problems: list[Problem] = []
    if since is not None:
        base = repo.resolve(since)
        listed = repo.git("rev-list", f"{base}..HEAD", "--").stdout.decode("ascii").split()
        in_range = frozenset(listed)
        if repo.git("merge-base", "--is-ancestor", base, "HEAD", check=False).returncode != 0:
            problems.append(Problem(".", 1, 1, "error", "since-not-ancestor",
                                    f"{since} ({base[:7]}) is not an ancestor of HEAD: either the history after "
                                    f"{since} was rewritten (amend, reset, rebase, filter-branch or a force-push) "
                                    "and what it held can no longer be audited, or this branch is behind "
                                    f"{since} (merge or rebase it onto {since}, then audit again); "
                                    "commits since the common ancestor were audited"))
    history = read_history(repo)
    changes = tuple(pending(repo, "cases"))
    settings, _ = parse_settings(_read(root / SETTINGS_PATH))
    return Evidence(
        history=history,
        at_head=_blobs_at_head(repo, _asked_about(history, changes)) if history.commits else {},
        pending=changes,
        note_dates=_note_dates(repo, history, in_range),
        settings=settings,
        in_range=in_range,
        shallow=repo.is_shallow(),
        since=since,
        problems=tuple(problems),
    )


def findings(evidence: Evidence) -> list[Problem]:
    """The audit's problems from the evidence (pure: no Git, no disk, no clock)."""
    problems: list[Problem] = list(evidence.problems)
    if evidence.shallow:
        problems.append(Problem(".", 1, 1, "warning", "shallow-history",
                                "this is a shallow clone: the audit sees only the fetched commits "
                                "(fetch the whole history: git fetch --unshallow, or fetch-depth: 0 in CI)"))
    for path, life in sorted(evidence.history.paths.items()):
        if not is_protected(path):
            continue
        restored = evidence.at_head.get(path) == life.blob
        for event in life.later:
            if _in_range(event.commit, evidence):
                problems.append(_rewritten(life, event, restored))
        if (path.split("/")[2] == "notes" and life.renamed_from is None and life.added.parents
                and _in_range(life.added, evidence) and path in evidence.note_dates):
            problems.extend(_backdated(life, evidence.note_dates[path], evidence.settings))
    problems.extend(_modes(evidence))
    problems.extend(_uncommitted(evidence))
    return sort_problems(problems)


def _modes(evidence: Evidence) -> Iterable[Problem]:
    """Records committed as symbolic links (errors) and records whose file mode changed (warnings)."""
    for commit in evidence.history.commits:
        if not _in_range(commit, evidence):
            continue
        for change in evidence.history.changes.get(commit.hash, ()):
            problem = mode_problem(change, f"{commit.short} by {commit.author} on {commit.date.date()}")
            if problem is not None:
                yield problem


def mode_problem(change: Change, where: str) -> Problem | None:
    """What the audit says about a change's file modes (`where`: the commit, or "the staged changes")."""
    if not is_record(change.path) or change.status == "D":
        return None
    if change.new_mode == SYMLINK:
        return Problem(change.path, 1, 1, "error", "symlinked-record",
                       f"committed as a symbolic link (Git mode {SYMLINK}) in {where}: records must be regular "
                       "files, or editing the link's target changes the record with no trace in Git; replace "
                       "the link with the file itself (cp --remove-destination \"$(readlink -f PATH)\" PATH)")
    if change.old_mode and change.old_mode not in ("000000", change.new_mode) and change.status != "A":
        return Problem(change.path, 1, 1, "warning", "record-mode-changed",
                       f"file mode changed from {change.old_mode} to {change.new_mode} in {where}: records are "
                       "plain files (100644); the text is unchanged")
    return None


def _in_range(commit: Commit, evidence: Evidence) -> bool:
    return evidence.in_range is None or commit.hash in evidence.in_range


def _rewritten(life: PathHistory, event: Event, restored: bool) -> Problem:
    kind, record_id = _kind_and_id(life.path)
    first = _who(life.origin)
    happened = f"{event.commit.short} by {event.commit.author} on {event.commit.date.date()}"
    fix = (f"add a new note with 'corrects: {record_id}' instead" if kind == "note"
           else f"agree a new plan with 'supersedes: {record_id}' instead")
    if event.kind == "modified":
        message = (f"{kind} recorded in {first} was changed in {happened}: {kind}s are append-only; "
                   f"put back the text first recorded and {fix}")
    elif event.kind == "deleted":
        message = (f"{kind} recorded in {first} was deleted in {happened}: {kind}s are append-only; "
                   f"restore it (git restore --source={event.commit.short}^ -- {life.path}) and, to withdraw it, "
                   f"{fix}")
    else:
        message = (f"{kind} recorded in {first} was renamed to {event.renamed_to} in {happened}: "
                   f"{kind} ids are part of the record (corrections point at them); move it back "
                   f"(git mv {event.renamed_to} {life.path})")
    if restored:
        message += "; it has since been put back as first recorded, so only the history shows this"
    return Problem(life.path, 1, 1, "warning" if restored else "error", f"record-{event.kind}", message)


def _backdated(life: PathHistory, dated: tuple[date, int, int], settings: Settings) -> Iterable[Problem]:
    """The later of the author and committer dates is compared: `GIT_AUTHOR_DATE` is easy to set to
    anything, and a commit cannot enter the history before its committer date says it did."""
    note_date, line, column = dated
    zone = ZoneInfo(settings.timezone)
    authored = life.added.date.astimezone(zone).date()
    committed = life.added.committed.astimezone(zone).date() if life.added.committed else authored
    day, which = (committed, "committer date") if committed > authored else (authored, "author date")
    if committed > authored:
        which += f"; its author date says {authored}"
    late = (day - note_date).days
    if late > settings.backdate_days:
        yield Problem(life.path, line, column, "warning", "note-backdated",
                      f"dated {note_date} but first committed on {day} ({which}), {late} days later, in "
                      f"{life.added.short} by {life.added.author}; more than [audit] backdate_days = "
                      f"{settings.backdate_days}: commit notes as they happen, or say in the note why it is late "
                      f"(extra: {{recorded_late: entered from the old spreadsheet}})")


def _uncommitted(evidence: Evidence) -> Iterable[Problem]:
    for change in evidence.pending:
        path = change.path
        if not is_record(path):
            continue
        if change.untracked or (change.staged_only and path not in evidence.at_head):
            state = "untracked" if change.untracked else "staged but not committed"
            yield Problem(path, 1, 1, "warning", "record-uncommitted",
                          f"not in Git yet ({state}): commit it so the record has a date and an author")
        elif is_protected(path) and path in evidence.at_head:
            what = "deleted" if "D" in (change.index, change.worktree) else "changed"
            life = evidence.history.paths.get(path)
            recorded = f" in {_who(life.origin)}" if life else ""
            kind, record_id = _kind_and_id(path)
            yield Problem(path, 1, 1, "warning", "record-edit-uncommitted",
                          f"{kind} recorded{recorded} has been {what} but not committed: committing this would "
                          f"rewrite the record; undo it (git restore --staged --worktree -- {path}) and add a "
                          f"correction instead")


def _who(commit: Commit) -> str:
    return f"{commit.short} ({commit.author}, {commit.date.date()})"


def _kind_and_id(path: str) -> tuple[str, str]:
    parts = path.split("/")
    return ("note" if parts[2] == "notes" else "plan"), parts[3][:-3]


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _asked_about(history: History, changes: Iterable[Pending]) -> set[str]:
    """Paths whose state at HEAD the findings need: rewritten records (put back?) and pending ones."""
    return {path for path, life in history.paths.items() if life.later} | {c.path for c in changes}


def _blobs_at_head(repo: Repo, paths: Iterable[str]) -> dict[str, str]:
    """The blob at HEAD of each of `paths` (absent when not there), in one `git cat-file --batch-check`."""
    wanted = sorted(path for path in paths if "\n" not in path)  # one name per line
    if not wanted:
        return {}
    names = "".join(f"HEAD:{repo.prefix}{path}\n" for path in wanted).encode("utf-8", "surrogateescape")
    answer = repo.git("cat-file", "--batch-check=%(objectname) %(objecttype)", input=names).stdout
    found: dict[str, str] = {}
    for path, line in zip(wanted, answer.split(b"\n")):
        parts = line.split(b" ")
        if len(parts) == 2 and parts[1] == b"blob":
            found[path] = parts[0].decode("ascii")
    return found


def _note_dates(repo: Repo, history: History, in_range: frozenset[str] | None) -> dict[str, tuple[date, int, int]]:
    """Each note's own `date` as first committed (read in one `git cat-file --batch`)."""
    wanted = {path: life.blob for path, life in history.paths.items()
              if is_protected(path) and path.split("/")[2] == "notes" and life.renamed_from is None
              and (in_range is None or life.added.hash in in_range)}
    contents = gittree._cat_blobs(repo, set(wanted.values()))
    dates: dict[str, tuple[date, int, int]] = {}
    for path, blob in wanted.items():
        data = contents.get(blob, b"")
        found = _front_matter_date(data)
        if found and not _says_why_late(data):
            dates[path] = found
    return dates


_RECORDED_LATE = re.compile(rb"\brecorded_late:[ \t]*[\"']?[^\s\"',}]")


def _says_why_late(data: bytes) -> bool:
    """Does the note, as first committed, say why it was entered late (`extra: {recorded_late: why}`)?
    Then it is not backdated: an old debt typed in from a spreadsheet is honest about its dates."""
    closing = data.find(b"\n---", 3)
    return bool(_RECORDED_LATE.search(data, 0, closing if closing > 0 else len(data)))


def _front_matter_date(data: bytes) -> tuple[date, int, int] | None:
    """The top-level `date:` of a record's front matter, with its line and column (None if absent or bad)."""
    data = data.removeprefix(b"\xef\xbb\xbf")
    if not data.startswith(b"---"):
        return None
    closing = data.find(b"\n---", 3)
    match = _DATE.search(data, 0, closing if closing > 0 else len(data))
    if not match:
        return None
    try:
        value = date.fromisoformat(match.group(1).decode("ascii"))
    except ValueError:
        return None
    line_start = data.rfind(b"\n", 0, match.start()) + 1
    return value, data.count(b"\n", 0, match.start()) + 1, match.start(1) - line_start + 1
