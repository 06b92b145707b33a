"""The build cache under `.arrears-cache/`: what each case page was built from, by content hash.

Nothing here is needed to read the records or the site: deleting the folder
only makes the next build a full one. It holds

- `index-<hash of the site folder>.pickle`: for the last site built there, the inputs every page shares, and
  per case the content hash of each of its files (with the size and times
  that let an unchanged file skip being read again, as Git's index does),
  the resulting fingerprint, and the case's summary for the listing pages;
- `markdown/<case>.pickle`: the case's rendered Markdown bodies by a hash of
  their text, so a rebuilt page re-renders only the bodies that changed.

Writes go to a temporary file renamed into place, so a build that is stopped
half-way leaves the previous cache (or none), never a torn one.
"""

from __future__ import annotations

import gc
import os
import pickle
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from contextlib import contextmanager
from typing import Iterator, NamedTuple

from arrears.git.command import GitError, open_repo
from arrears.records.files import digest
from arrears.git.history import History, read_history

CACHE = ".arrears-cache"
FORMAT = 3
"""Bumped when the cache's layout changes: an older cache is then ignored."""

Stat = tuple[int, int, int, int, str]
"""A file as last seen: (size, mtime_ns, ctime_ns, inode, content hash)."""


class CaseEntry(NamedTuple):
    """One case as last built: enough to tell if its page is still right, and its listing data."""

    fingerprint: str  # hash of the shared inputs, every file's path and content hash, and its Git history
    stats: bytes  # marshalled {path under the case folder: Stat}, read only by the worker that scans the case
    listing: bytes  # pickled (summary figures, agenda entry): what the dashboard, agenda and feeds need
    listing_hash: str
    problems: tuple[tuple, ...]  # the case's load warnings, as Problem fields
    checks: tuple[tuple, ...]  # check's findings for the case, as Problem fields
    files: int  # attachments copied beside the page


@dataclass
class Index:
    """The cache's index: what the site at `out` was built from."""

    inputs: str = ""  # hash of what every page shares: settings, templates, as-of, code, Git commit
    out: str = ""  # the site folder built into (absolute)
    out_inode: int = 0  # its inode: another build (or a deleted site) replaces it with a new one
    listing_hash: str = ""  # hash of every case's listing: unchanged, the listing pages are too
    cases: dict[str, CaseEntry] = field(default_factory=dict)


def folder(root: Path) -> Path:
    return root / CACHE


def _index_path(root: Path, out: Path | str) -> Path:
    """One index per site folder, so `serve`'s private site and the published one never mix."""
    return folder(root) / f"index-{digest(str(out).encode())[:12]}.pickle"


def load_index(root: Path, out: Path) -> Index:
    """The last build's index for the site at `out`, or an empty one (none, another format, unreadable)."""
    try:
        with open(_index_path(root, out), "rb") as handle:
            stored = unpickle(handle.read())
        if stored.get("format") != FORMAT:
            return Index()
        return Index(stored["inputs"], stored["out"], stored["out_inode"], stored["listing_hash"],
                     {case_id: CaseEntry(*entry) for case_id, entry in stored["cases"].items()})
    except (OSError, EOFError, pickle.UnpicklingError, KeyError, TypeError, ValueError, AttributeError):
        return Index()


def save_index(root: Path, index: Index) -> None:
    stored = {"format": FORMAT, "inputs": index.inputs, "out": index.out, "out_inode": index.out_inode,
              "listing_hash": index.listing_hash,
              "cases": {case_id: tuple(entry) for case_id, entry in index.cases.items()}}
    _write_atomically(_index_path(root, index.out), pickle.dumps(stored, protocol=pickle.HIGHEST_PROTOCOL))


def load_markdown(root: Path, case_id: str, code: str) -> dict:
    """A case's rendered bodies, if rendered by this same code (else an empty memory)."""
    try:
        with open(folder(root) / "markdown" / f"{case_id}.pickle", "rb") as handle:
            stored = unpickle(handle.read())
        return stored["bodies"] if stored.get("code") == code else {}
    except (OSError, EOFError, pickle.UnpicklingError, KeyError, TypeError, ValueError, AttributeError):
        return {}


def save_markdown(root: Path, case_id: str, code: str, bodies: dict) -> None:
    _write_atomically(folder(root) / "markdown" / f"{case_id}.pickle",
                      pickle.dumps({"code": code, "bodies": bodies}, protocol=pickle.HIGHEST_PROTOCOL))


def drop_markdown(root: Path, case_id: str) -> None:
    try:
        os.unlink(folder(root) / "markdown" / f"{case_id}.pickle")
    except OSError:
        pass


def history(root: Path, memory: dict | None = None) -> History | None:
    """`history.history_at(root)`, kept here under the commit it was read at.

    Reading a long history costs seconds (a second and a half for 5,000 commits
    and 50,000 notes) and changes only with a new commit, so a build reads it
    once per commit: Git is asked only which commit HEAD is. A long-running
    caller passes a `memory` (a dict) to skip even loading it again.
    """
    try:
        repo = open_repo(root)
        found = repo.git("rev-parse", "--verify", "-q", "HEAD^{commit}", check=False)
    except GitError:
        return None
    head = found.stdout.decode("ascii", "replace").strip()
    if found.returncode != 0 or not head:
        return None  # no commits yet
    name = digest(f"{FORMAT}\0{repo.top}\0{repo.prefix}\0{head}".encode())
    if memory is not None and name in memory:
        return memory[name]
    read = _stored_history(root, name) or _read_and_store_history(root, repo, head, name)
    if memory is not None and read is not None:
        memory.clear()
        memory[name] = read
    return read


def _stored_history(root: Path, name: str) -> History | None:
    try:
        with open(folder(root) / "history" / f"{name}.pickle", "rb") as handle:
            return unpickle(handle.read())
    except (OSError, EOFError, pickle.UnpicklingError, TypeError, ValueError, AttributeError):
        return None


def _read_and_store_history(root: Path, repo, head: str, name: str) -> History | None:
    try:
        read = read_history(repo, head)
    except GitError:
        return None
    path = folder(root) / "history" / f"{name}.pickle"
    if path.parent.is_dir():
        for older in path.parent.glob("*.pickle"):  # one commit's history is enough to keep
            older.unlink(missing_ok=True)
    _write_atomically(path, pickle.dumps(read, protocol=pickle.HIGHEST_PROTOCOL))
    return read


def ensure(root: Path) -> None:
    """Create the cache folder, with a .gitignore of its own in case the repository's lacks one."""
    base = folder(root)
    (base / "markdown").mkdir(parents=True, exist_ok=True)
    ignore = base / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# arrears' build cache: safe to delete\n*\n", encoding="utf-8")


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while loading: the index, the history and the listing
    data are hundreds of thousands of small objects, none of them garbage, and the collections
    their creation triggers would double the time it takes to load them."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def unpickle(data: bytes):
    with gc_paused():
        return pickle.loads(data)


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
