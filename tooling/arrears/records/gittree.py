"""Time travel: the records exactly as committed at a revision, read from Git's objects.

`read_tree_at` is `load.read_tree` for the past: one `git ls-tree -r -z` lists
the files, one `git cat-file --batch` process reads them all, and the working
tree is never looked at or touched (uncommitted edits cannot leak in). Then
`load.assemble` turns the bytes into a Portfolio as usual.
"""

from __future__ import annotations

import posixpath
import subprocess
from dataclasses import replace
from pathlib import Path

from arrears.git.history import GitError, Repo, open_repo
from arrears.records.files import is_ignored as _is_ignored
from arrears.records.files import is_record_path as _is_record
from arrears.records.files import symlinked_record
from arrears.records.load import ATTACHMENT, Tree, assemble
from arrears.problems import Problem
from arrears.records.model import Portfolio
from arrears.records.settings import PATH as SETTINGS_PATH

SYMLINK = "120000"
SUBMODULE = "160000"


def read_tree_at(root: Path, rev: str) -> Tree:
    """The record files at `rev` (path -> bytes, None for attachments); GitError for no repo or unknown rev."""
    repo = open_repo(root)
    commit = repo.resolve(rev)
    entries = _listing(repo, commit)
    tree = Tree()

    wanted: dict[str, str] = {}
    links: dict[str, str] = {}
    for relative, (mode, blob) in sorted(entries.items()):
        if mode == SUBMODULE:
            tree.problems.append(Problem(relative, 1, 1, "warning", "stray-file", "a Git submodule: ignored"))
        elif relative == SETTINGS_PATH or _is_record(relative) or mode == SYMLINK:
            wanted[relative] = blob
            if mode == SYMLINK:
                links[relative] = blob
        else:
            tree.files[relative] = ATTACHMENT
    contents = _cat_blobs(repo, set(wanted.values()))
    for relative, blob in wanted.items():
        if relative in links:
            _follow_link(repo, commit, relative, contents[blob], entries, tree)
        else:
            tree.files[relative] = contents[blob]
    return tree


def attachments_at(root: Path, rev: str) -> dict[str, bytes]:
    """The attachments (cases/<id>/files/**) committed at `rev`: path under the root -> bytes.

    Regular files only: a committed symbolic link is not followed (as the site skips them on disk).
    """
    repo = open_repo(root)
    entries = _listing(repo, repo.resolve(rev))
    wanted = {relative: blob for relative, (mode, blob) in entries.items()
              if mode in ("100644", "100755") and len(parts := relative.split("/")) > 3 and parts[2] == "files"}
    contents = _cat_blobs(repo, set(wanted.values()))
    return {relative: contents[blob] for relative, blob in sorted(wanted.items())}


def _listing(repo: Repo, commit: str) -> dict[str, tuple[str, str]]:
    """arrears.toml and everything under cases/ at `commit`: path under the root -> (mode, blob)."""
    listing = repo.git("ls-tree", "-r", "-z", "--full-tree", commit, "--",
                       f"{repo.prefix}cases", f"{repo.prefix}{SETTINGS_PATH}").stdout
    entries: dict[str, tuple[str, str]] = {}
    for line in listing.split(b"\0"):
        if not line:
            continue
        meta, _, path = line.partition(b"\t")
        mode, _, blob = meta.decode("ascii").split(" ")
        relative = repo.relative(path.decode("utf-8", "surrogateescape"))
        if relative is not None and not any(_is_ignored(part) for part in relative.split("/")):
            entries[relative] = (mode, blob)
    return entries


def load_at(root: Path, rev: str) -> Portfolio:
    """The Portfolio as committed at `rev` (problems included, never raised)."""
    return replace(assemble(read_tree_at(root, rev)), root=root)


def _follow_link(repo: Repo, commit: str, relative: str, target_bytes: bytes,
                 entries: dict[str, tuple[str, str]], tree: Tree) -> None:
    """A committed symbolic link: an error where a record belongs (see `files`), else followed when it
    points at a file inside the root, like `read_tree` does."""
    if _is_record(relative) or relative == SETTINGS_PATH:
        tree.problems.append(symlinked_record(relative))
        return
    target = posixpath.normpath(posixpath.join(posixpath.dirname(relative),
                                               target_bytes.decode("utf-8", "surrogateescape")))
    if target_bytes.startswith(b"/") or target == ".." or target.startswith("../"):
        tree.problems.append(Problem(relative, 1, 1, "error", "symlink-outside-root",
                                     f"symbolic link to {target_bytes.decode('utf-8', 'replace')} leaves the "
                                     "records repository: not followed"))
        return
    tree.files[relative] = ATTACHMENT


def _cat_blobs(repo: Repo, names: set[str], allow_missing: bool = False) -> dict[str, bytes]:
    """Contents of many objects through one `git cat-file --batch` process."""
    if not names:
        return {}
    ordered = sorted(names)
    try:
        output = repo.git("cat-file", "--batch", input="".join(f"{name}\n" for name in ordered).encode()).stdout
    except subprocess.SubprocessError as error:  # pragma: no cover - git vanished mid-run
        raise GitError(f"git cat-file failed: {error}") from None
    result: dict[str, bytes] = {}
    position = 0
    for name in ordered:
        end = output.index(b"\n", position)
        line = output[position:end]
        position = end + 1
        header = line.split(b" ")
        if line.endswith(b" missing") or len(header) != 3:
            if not allow_missing:
                raise GitError(f"git object {name} is missing: is the repository corrupt?")
            continue
        size = int(header[2])
        result[name] = output[position:position + size]
        position += size + 1
    return result
