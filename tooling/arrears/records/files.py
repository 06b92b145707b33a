"""Which files exist: the one owner of the ignore rules, the walk, the symlink policy and the stat cache.

MkDocs' `structure/files.py` is the model. `load`, the site build, `serve`'s
watcher, the Git reader and the attachment list all ask here, so a file is a
record, an attachment or nothing in the same way everywhere.

The policy, in the words a user reads in `check`:

- hidden files and editor leftovers (swap, backup, temp, partial downloads)
  are never records or attachments;
- records (case.md, notes/*.md, plans/*.md) and arrears.toml must be regular
  files: a symbolic link there is an error (editing its target would change a
  committed record unnoticed), so is a folder, a pipe or a device;
- a symbolic link to a folder or an attachment inside the repository is
  followed; one that leaves the repository, loops or leads nowhere is not;
- a file name that is not valid UTF-8 is an error naming the folder it is in;
- nothing is ever opened in a way that can block (a pipe waits forever).
"""

from __future__ import annotations

import hashlib
import os
import stat
import time
from pathlib import Path
from typing import Iterator

from arrears.problems import Problem

IGNORED_NAMES = ("4913",)  # vim writes and deletes this to test that a folder is writable
IGNORED_PREFIXES = (".", "#", "~")
IGNORED_SUFFIXES = ("~", ".swp", ".swx", ".swo", ".tmp", ".bak", ".part", ".crdownload")
RECORD_FOLDERS = ("notes", "plans")

Stat = tuple  # (size, mtime_ns, ctime_ns, inode, content hash): see `scan`


def digest(data: bytes) -> str:
    """The content hash the stat cache keeps (and the build's cache uses)."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def is_ignored(name: str) -> bool:
    """Hidden files and editor leftovers are never records, attachments or reasons to rebuild."""
    return name in IGNORED_NAMES or name.startswith(IGNORED_PREFIXES) or name.endswith(IGNORED_SUFFIXES)


def is_record(in_case: str) -> bool:
    """Is this path under a case folder a record (case.md, notes/*.md, plans/*.md) rather than an attachment?"""
    parts = in_case.split("/")
    return in_case.endswith(".md") and (len(parts) == 1 or (len(parts) == 2 and parts[0] in RECORD_FOLDERS))


def is_record_path(relative: str) -> bool:
    """`is_record` for a path under the root (cases/<id>/...)."""
    parts = relative.split("/", 2)
    return len(parts) == 3 and parts[0] == "cases" and is_record(parts[2])


def unreadable(path: str, error: OSError) -> Problem:
    return Problem(path, 1, 1, "error", "unreadable", f"cannot read: {error.strerror or error}")


def shown(name: str) -> str:
    """A file name fit to print: bytes that are not UTF-8 are shown as U+FFFD."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def bad_name(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def read_regular(path: Path | str, relative: str) -> tuple[bytes | None, Problem | None]:
    """The bytes of a regular file, never following a final link and never waiting on a pipe."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        handle = os.open(path, flags)
    except OSError as error:
        if os.path.islink(path):
            return None, symlinked_record(relative)
        return None, unreadable(relative, error)
    try:
        found = os.fstat(handle)
        if not stat.S_ISREG(found.st_mode):
            return None, not_a_file(relative, found.st_mode)
        chunk = os.read(handle, found.st_size + 1)
        if len(chunk) <= found.st_size:  # short of what was asked: the end, in one read (the usual case)
            return chunk, None
        chunks = [chunk]  # it grew since the fstat
        while chunk := os.read(handle, 65536):
            chunks.append(chunk)
        return b"".join(chunks), None
    except OSError as error:
        return None, unreadable(relative, error)
    finally:
        os.close(handle)


def read_settings(root: Path, relative: str) -> tuple[bytes | None, list[Problem]]:
    """arrears.toml's bytes (None when absent); a folder, pipe or link there is an error, never defaults."""
    path = root / relative
    if not os.path.lexists(path):
        return None, []
    data, problem = read_regular(path, relative)
    return data, [problem] if problem else []


def symlinked_record(relative: str) -> Problem:
    return Problem(relative, 1, 1, "error", "symlinked-record",
                   "a record must be a regular file, not a symbolic link (editing its target would change "
                   "the record unnoticed): put the file itself here")


def not_a_file(relative: str, mode: int | None = None) -> Problem:
    what = "a folder" if mode is not None and stat.S_ISDIR(mode) else "not a regular file (a pipe, socket or device)"
    return Problem(relative, 1, 1, "error", "not-a-file", f"{what} where a record file belongs")


def follow_link(path: Path, child: str, real_root: Path, followed: frozenset[Path] = frozenset()
                ) -> tuple[Path | None, Problem | None]:
    """Where a symbolic link leads, or why it is not followed: out of the repository,
    nowhere, or round in a loop (a folder linking to itself or to one it is inside)."""
    def problem(severity: str, code: str, message: str) -> tuple[None, Problem]:
        return None, Problem(child, 1, 1, severity, code, message)  # type: ignore[arg-type]

    try:
        target = path.resolve()
        path.stat()
    except FileNotFoundError:
        return problem("warning", "broken-symlink", "symbolic link to a file that does not exist: ignored")
    except (OSError, RuntimeError):  # resolve() raises RuntimeError at a loop before Python 3.13
        return problem("error", "symlink-loop", "symbolic link that loops back on itself: not followed")
    if not target.is_relative_to(real_root):
        return problem("error", "symlink-outside-root",
                       f"symbolic link to {target} leaves the records repository: not followed")
    if target in followed or path.parent.resolve().is_relative_to(target):
        return problem("error", "symlink-loop", "symbolic link to a folder it is inside (a loop): not followed")
    return target, None


def _case_relative(child: str) -> str | None:
    parts = child.split("/", 2)
    return parts[2] if len(parts) == 3 and parts[0] == "cases" else None


def _entries(folder: Path, relative: str, problems: list[Problem]) -> Iterator[os.DirEntry]:
    """A folder's entries by name, less the ignored ones; an unlistable folder or a name that is not
    UTF-8 is a problem instead."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as error:
        problems.append(Problem(relative, 1, 1, "error", "unreadable", f"cannot list folder: {error.strerror}"))
        return
    for entry in entries:
        if bad_name(entry.name):
            problems.append(Problem(f"{shown(relative)}/{shown(entry.name)}", 1, 1, "error", "bad-file-name",
                                    "file name is not valid UTF-8: rename it"))
        elif not is_ignored(entry.name):
            yield entry


def walk(folder: Path, relative: str, real_root: Path, problems: list[Problem],
         followed: frozenset[Path] = frozenset()) -> Iterator[tuple[str, str]]:
    """Every file under `folder` that may be read: (path under the root, path on disk), sorted folder by folder.

    What may not be read is a problem instead: see the module's policy. The path on disk is the
    directory entry's own string: a `Path` a file cost 5 % of `check`.
    """
    for entry in _entries(folder, relative, problems):
        child = f"{relative}/{entry.name}"
        in_case = _case_relative(child)
        record = in_case is not None and is_record(in_case)
        if entry.is_symlink():
            if record:
                problems.append(symlinked_record(child))
                continue
            target, problem = follow_link(Path(entry.path), child, real_root, followed)
            if problem:
                problems.append(problem)
                continue
            if entry.is_dir():
                yield from walk(Path(entry.path), child, real_root, problems, followed | {target, folder.resolve()})
                continue
        if entry.is_dir():
            if record:
                problems.append(not_a_file(child, stat.S_IFDIR))
                continue
            yield from walk(Path(entry.path), child, real_root, problems, followed)
        elif entry.is_file():
            yield child, entry.path
        elif record:
            problems.append(not_a_file(child))
        else:
            problems.append(Problem(child, 1, 1, "warning", "stray-file",
                                    "not a regular file (a pipe, socket or device): ignored"))


def case_folders(root: Path, real_root: Path, problems: list[Problem]) -> tuple[list[str], list[str]]:
    """(the case folders under cases/, the stray files beside them), sorted, with the walk's rules."""
    cases = root / "cases"
    if not os.path.lexists(cases):
        return [], []
    if not cases.is_dir():
        problems.append(Problem("cases", 1, 1, "error", "not-a-folder",
                                "cases must be a folder holding one folder per case"))
        return [], []
    folders, stray = [], []
    for item in _entries(cases, "cases", problems):
        if item.is_symlink():
            problem = follow_link(Path(item.path), f"cases/{item.name}", real_root)[1]
            if problem:
                problems.append(problem)
                continue
        (folders if item.is_dir() else stray).append(item.name)
    return folders, stray


RACY_NS = 2_000_000_000
"""A file or folder that changed less than this before it was scanned may change again with the same
times (Linux stamps files with a clock as coarse as the kernel's tick, other file systems in whole
seconds): its stat is not trusted next time, as Git does with its "racily clean" entries."""


def scan(base: Path | str, known: dict[str, Stat], read: dict[str, bytes] | None = None,
         known_folders: dict[str, tuple] | None = None) -> tuple[dict[str, Stat], dict[str, tuple], bool]:
    """Every file under a case folder with its content hash (re-read only when size or times moved).

    The stat cache, as in Git's index: the bytes it had to read are kept in
    `read`, so a case rebuilt next reads each file once. With the folders'
    stats from the last scan (`known_folders`, the second value returned)
    and none of them changed, the same names are there: only the known files
    are stat'ed, and no folder is listed. The third value is False when the
    folder holds anything `walk` must judge (a symbolic link, a pipe, a
    folder named like a record, a name that is not UTF-8): such a case is
    read through `walk` every time. This runs for every file of every case
    on each build, so it is written for speed.
    """
    racy = time.time_ns() - RACY_NS
    if known and known_folders:
        found = _rescan(str(base), known, known_folders, read, racy)
        if found is not None:
            return found, known_folders, True
    return _scan(Path(base), known, read, racy)


def _rescan(base: str, known: dict[str, Stat], folders: dict[str, tuple], read: dict[str, bytes] | None,
            racy: int) -> dict[str, Stat] | None:
    """The known files' stats, if no folder changed since they were listed (else None: list them)."""
    for prefix, old in folders.items():
        try:
            seen = os.stat(f"{base}/{prefix}" if prefix else base, follow_symlinks=False)
        except OSError:
            return None
        if seen.st_mtime_ns != old[0] or seen.st_ctime_ns != old[1] or seen.st_ino != old[2]:
            return None
    stats: dict[str, Stat] = {}
    for relative, old in known.items():
        path = f"{base}/{relative}"
        try:
            seen = os.stat(path, follow_symlinks=False)
        except OSError:
            return None
        if (old[0] == seen.st_size and old[1] == seen.st_mtime_ns and old[2] == seen.st_ctime_ns
                and old[3] == seen.st_ino):
            stats[relative] = old
            continue
        found = _read_new(path, relative, seen, read, racy) if stat.S_ISREG(seen.st_mode) else None
        if found is None:
            return None
        stats[relative] = found
    return stats


def _read_new(path: str, relative: str, seen: os.stat_result, read: dict[str, bytes] | None, racy: int
              ) -> Stat | None:
    """A file whose size or times moved: read (kept in `read`) and hashed; None if it cannot be.
    A racily new one is kept with size -1, to be read again next time."""
    data, _ = read_regular(path, relative)
    if data is None:
        return None
    if read is not None:
        read[relative] = data
    size = seen.st_size if seen.st_mtime_ns < racy and seen.st_ctime_ns < racy else -1
    return (size, seen.st_mtime_ns, seen.st_ctime_ns, seen.st_ino, digest(data))


def _scan(base: Path, known: dict[str, Stat], read: dict[str, bytes] | None, racy: int
          ) -> tuple[dict[str, Stat], dict[str, tuple], bool]:
    stats: dict[str, Stat] = {}
    folders: dict[str, tuple] = {}
    settled = not base.is_symlink()
    pending = [(str(base), "")]
    while pending:
        folder, prefix = pending.pop()
        try:
            seen = os.stat(folder, follow_symlinks=False)  # before listing: a change while listing shows next time
            entries = list(os.scandir(folder))
        except OSError:
            return stats, {}, False
        if seen.st_mtime_ns < racy and seen.st_ctime_ns < racy:
            folders[prefix.rstrip("/")] = (seen.st_mtime_ns, seen.st_ctime_ns, seen.st_ino)
        else:
            folders[prefix.rstrip("/")] = (-1, -1, -1)
        for item in entries:
            name = item.name
            if name.startswith(IGNORED_PREFIXES) or name.endswith(IGNORED_SUFFIXES) or name in IGNORED_NAMES:
                continue
            if item.is_dir(follow_symlinks=False):
                if name.endswith(".md"):
                    settled = False
                pending.append((item.path, f"{prefix}{name}/"))
                continue
            if not item.is_file(follow_symlinks=False):  # a link, a pipe, a socket: `walk` decides
                settled = False
                continue
            relative = prefix + name
            try:
                seen = item.stat(follow_symlinks=False)
            except OSError:
                settled = False
                continue
            old = known.get(relative)
            if (old is not None and old[0] == seen.st_size and old[1] == seen.st_mtime_ns
                    and old[2] == seen.st_ctime_ns and old[3] == seen.st_ino):
                stats[relative] = old
                continue
            found = None if bad_name(name) else _read_new(item.path, relative, seen, read, racy)
            if found is None:
                settled = False
                continue
            stats[relative] = found
    return stats, (folders if settled else {}), settled


def attachments(root: Path, case_id: str, problems: list[Problem] | None = None) -> list[str]:
    """Regular files under cases/<id>/files/, as sorted relative paths (what the site copies and links).

    Symbolic links are not published (the page would show a file that is not
    in the case); a pipe or device is never opened.
    """
    base = root / "cases" / case_id / "files"
    if not base.is_dir() or base.is_symlink():
        return []

    def visit(folder: Path, prefix: str) -> Iterator[str]:
        for entry in sorted(os.scandir(folder), key=lambda e: e.name):
            if is_ignored(entry.name) or entry.is_symlink() or bad_name(entry.name):
                continue
            if entry.is_dir():
                yield from visit(Path(entry.path), f"{prefix}{entry.name}/")
            elif entry.is_file():
                yield f"{prefix}{entry.name}"

    return list(visit(base, ""))


def template_problems(root: Path) -> list[Problem]:
    """The records' template overrides must be regular files inside the repository (a link to
    /etc/passwd would be published into every page)."""
    folder = root / "templates"
    if not folder.is_dir():
        return []
    problems: list[Problem] = []
    real_root = root.resolve()
    for relative, path in walk(folder, "templates", real_root, problems):
        if os.path.islink(path):
            problems.append(Problem(relative, 1, 1, "error", "symlinked-template",
                                    "a template must be a regular file, not a symbolic link: put the file itself here"))
    return [p if p.severity == "error" or p.code != "stray-file" else
            Problem(p.path, p.line, p.column, "error", "not-a-file", "a template must be a regular file")
            for p in problems]
