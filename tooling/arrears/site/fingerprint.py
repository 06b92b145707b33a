"""Fingerprints: what each page of the site is made of, so a build redoes only what moved.

A case page depends on its case's files (their content hashes, from the stat
cache in `records.files.scan`), its Git history and what every page shares
(`inputs`: the code, the libraries that shape a page, the as-of date, the
settings, the templates). The listing pages depend on every case's summary,
the commit built from and the cases left out (`listing_hash`).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
from datetime import date
from pathlib import Path

from arrears.git.history import BuildInfo, History
from arrears.problems import Problem
from arrears.records.files import digest, read_regular
from arrears.site.cache import FORMAT, CaseEntry
from arrears.site.template_paths import search_path


def fields(problem: Problem) -> tuple:
    return (problem.path, problem.line, problem.column, problem.severity, problem.code, problem.message)


def case_fingerprint(inputs: str, name: str, stats: dict[str, tuple], history: History | None) -> str:
    """What one case's page is made of: the shared inputs, its files' hashes, the commits touching it."""
    parts = [inputs, name]
    parts += [f"{path}\0{stats[path][4]}" for path in sorted(stats)]
    if history is not None:
        parts += [commit.hash for commit in history.touching(name)]
    return digest("\n".join(parts).encode())




_CODE: str | None = None


def code() -> str:
    """A hash of arrears' own code and the versions of the libraries that shape a page."""
    global _CODE
    if _CODE is None:
        _CODE = code_now()
    return _CODE


def code_now() -> str:
    """`code()` read afresh from the files, not as this process first found it: a process that stays
    up (the build server) checks that it still runs the code installed."""
    package = Path(__file__).resolve().parents[1]
    hasher = hashlib.blake2b(digest_size=16)
    for path in sorted(package.rglob("*.py")):
        hasher.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes())
    for library in ("jinja2", "markupsafe", "markdown_it", "yaml"):
        hasher.update(_library(library).encode())
    return hasher.hexdigest()


def _library(name: str) -> str:
    """Which copy of a library shapes the pages: where it is installed and its entry file's size and
    time (an upgrade replaces the file), found without importing it (markdown-it costs 20 ms)."""
    spec = importlib.util.find_spec(name)
    origin = spec.origin if spec is not None else None
    if not origin:
        return f"{name}=(none)"
    found = os.stat(origin)
    return f"{name}={origin}\0{found.st_size}\0{found.st_mtime_ns}"


def inputs(as_of: date, settings: bytes | None, templates: str) -> str:
    """A hash of everything every page depends on, besides its own case (and, for the listing
    pages, the commit built from: see `listing_hash`)."""
    hasher = hashlib.blake2b(digest_size=16)
    hasher.update(f"{FORMAT}\0{code()}\0{as_of.isoformat()}\0{templates}\0".encode())
    hasher.update(b"settings\0" + (settings if settings is not None else b"(none)"))
    return hasher.hexdigest()


def templates(root: Path) -> str:
    """A hash of every template a page may use: the records' overrides and the package's own."""
    hasher = hashlib.blake2b(digest_size=16)
    for folder in search_path(root):
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()):
            data, _ = read_regular(path, str(path))  # never waits on a pipe
            hasher.update(f"\0{path.relative_to(folder)}\0".encode() + (data or b""))
    return hasher.hexdigest()


def build_fields(built_from: BuildInfo | None) -> str:
    if built_from is None:
        return "(none)"
    return repr(built_from.as_dict())


def listing_hash(entries: dict[str, CaseEntry], built_from: BuildInfo | None,
                  excluded: dict[str, tuple[Problem, ...]]) -> str:
    """What the listing pages are made of: every case's summary, the commit they name, the cases left out."""
    lines = [build_fields(built_from), *(f"{name}\0{entries[name].listing_hash}" for name in sorted(entries)),
             *(repr(fields(p)) for problems in excluded.values() for p in problems)]
    return digest("\n".join(lines).encode())
