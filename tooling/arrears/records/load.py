"""Finds a records repository and loads it: files in, records and problems out.

Two steps keep the disk at the edge: `read_tree` collects the bytes of every
record file (from the working tree; `history` does the same from Git), and
`assemble` turns those bytes into a `Portfolio` without touching the disk.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterator, Mapping, TypeVar

from arrears.records.parse import parse_case, parse_note, parse_plan
from arrears.problems import Problem
from arrears.records.model import CASE_ID_PATTERN, RECORD_ID_PATTERN, Case, Note, Plan, Portfolio, Settings
from arrears.records.settings import PATH as SETTINGS_PATH
from arrears.records.settings import parse_settings

_CASE_ID = re.compile(CASE_ID_PATTERN)
_RECORD_ID = re.compile(RECORD_ID_PATTERN)
T = TypeVar("T")
ATTACHMENT = None  # the value `read_tree` gives attachments: present, not read


class RootNotFound(Exception):
    """No records repository here: said to the user, never a traceback."""


def find_root(explicit: str | os.PathLike | None = None, cwd: Path | None = None) -> Path:
    """`--root`, else `$ARREARS_ROOT`, else the nearest folder holding arrears.toml or cases/."""
    chosen = explicit or os.environ.get("ARREARS_ROOT")
    if chosen:
        root = Path(chosen).expanduser()
        if not root.is_dir():
            raise RootNotFound(f"{root} is not a folder")
        return root.resolve()
    start = (cwd or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        if (folder / SETTINGS_PATH).is_file() or (folder / "cases").is_dir():
            return folder
    raise RootNotFound(
        f"no records repository at or above {start}: run inside one (a folder with arrears.toml "
        "or cases/), pass --root DIR, or set ARREARS_ROOT"
    )


@dataclass
class Tree:
    """The record files of a repository: relative path -> bytes (None for attachments)."""

    files: dict[str, bytes | None] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def read_tree(root: Path) -> Tree:
    """Read arrears.toml and every file under cases/ (attachments are listed, not read)."""
    tree = Tree()
    settings_file = root / SETTINGS_PATH
    if settings_file.is_file():
        tree.files[SETTINGS_PATH] = settings_file.read_bytes()
    cases = root / "cases"
    if cases.is_dir():
        _read_into(tree, cases, "cases", root.resolve())
    return tree


def _read_into(tree: Tree, folder: Path, relative: str, real_root: Path) -> None:
    for child, path in _walk(folder, relative, real_root, tree.problems):
        try:
            in_case = child.split("/", 2)[2:]  # the path under cases/<id>/ (none for a stray file in cases/)
            tree.files[child] = path.read_bytes() if in_case and is_record_file(in_case[0]) else ATTACHMENT
        except OSError as error:
            tree.problems.append(unreadable(child, error))


def is_record_file(relative: str) -> bool:
    """Is this path under a case folder a record (case.md, notes/*.md, plans/*.md) rather than an attachment?"""
    parts = relative.split("/")
    return relative.endswith(".md") and (len(parts) == 1 or (len(parts) == 2 and parts[0] in ("notes", "plans")))


def unreadable(path: str, error: OSError) -> Problem:
    return Problem(path, 1, 1, "error", "unreadable", f"cannot read: {error.strerror}")


def _walk(folder: Path, relative: str, real_root: Path, problems: list[Problem],
          followed: frozenset[Path] = frozenset()) -> Iterator[tuple[str, Path]]:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as error:
        problems.append(Problem(relative, 1, 1, "error", "unreadable", f"cannot list folder: {error.strerror}"))
        return
    for entry in entries:
        if _is_ignored(entry.name):
            continue
        child = f"{relative}/{entry.name}"
        path = Path(entry.path)
        if entry.is_symlink():
            target, problem = _follow_link(path, child, real_root, followed)
            if problem:
                problems.append(problem)
                continue
            if entry.is_dir():
                yield from _walk(path, child, real_root, problems, followed | {target, folder.resolve()})
                continue
        if entry.is_dir():
            yield from _walk(path, child, real_root, problems, followed)
        elif entry.is_file():
            yield child, path


def _follow_link(path: Path, child: str, real_root: Path, followed: frozenset[Path] = frozenset()
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


def _is_ignored(name: str) -> bool:
    """Hidden files and editor leftovers (swap, backup, temp) are never records."""
    return name.startswith((".", "#", "~")) or name.endswith(("~", ".swp", ".swx", ".tmp", ".bak"))


def load_settings(root: Path) -> Settings:
    """Just arrears.toml (defaults when absent or broken; `check` reports its problems)."""
    path = root / SETTINGS_PATH
    return parse_settings(path.read_bytes() if path.is_file() else None)[0]


def load(root: Path, workers: int = 1) -> Portfolio:
    """The working tree's records as a Portfolio (problems included, never raised).

    One process by default: shipping whole cases back from workers costs more
    than parsing them (measured: 38 s against 8 s for `due` on 50,000 notes).
    Commands that need only a little per case use `load_map` on every core.
    """
    settings, results, problems = load_map(root, _keep, workers)
    return Portfolio(settings, tuple(case for _, case in results), tuple(problems), root=root)


def _keep(case: Case, settings: Settings) -> Case:
    return case


def load_map(root: Path, function: Callable[[Case, Settings], T], workers: int | None = None
             ) -> tuple[Settings, list[tuple[str, T]], list[Problem]]:
    """Load every case and apply `function(case, settings)` to it, on every core for large portfolios.

    Case folders are independent, so a large portfolio is read, parsed and
    mapped in one worker process per core; only `function`'s results travel
    back, which is what makes `check` and `due` fast. Results come sorted by
    case id, the same whether one process or several did the work.
    """
    real_root = root.resolve()
    top = Tree()
    settings_file = root / SETTINGS_PATH
    if settings_file.is_file():
        top.files[SETTINGS_PATH] = settings_file.read_bytes()
    settings, settings_problems = parse_settings(top.files.get(SETTINGS_PATH))
    folders: list[str] = []
    cases = root / "cases"
    if cases.is_dir():
        for child, path in _walk_shallow(cases, real_root, top.problems):
            if path.is_dir():
                folders.append(child)
            else:
                top.files[f"cases/{child}"] = ATTACHMENT
    count = _worker_count(len(folders), workers)
    chunks = [folders[index::count] for index in range(count)]
    if count > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("fork")) as pool:
            outcomes = list(pool.map(_map_cases, [real_root] * count, chunks, [settings] * count,
                                     [function] * count))
    else:
        outcomes = [_map_cases(real_root, folders, settings, function)]
    results: list[tuple[str, T]] = []
    problems = list(top.problems) + settings_problems + _stray_problems(top)
    for found, found_problems in outcomes:
        results += found
        problems += found_problems
    results.sort(key=lambda pair: pair[0])
    return settings, results, problems


def _worker_count(folders: int, asked: int | None) -> int:
    if asked is None:
        asked = int(os.environ.get("ARREARS_WORKERS", "0")) or (os.cpu_count() or 1)
        if folders < 200:  # starting processes costs more than it saves
            asked = 1
    if not hasattr(os, "fork"):
        return 1
    return max(1, min(asked, folders or 1))


def _walk_shallow(folder: Path, real_root: Path, problems: list[Problem]) -> Iterator[tuple[str, Path]]:
    """The entries directly in cases/, with the same ignore and symlink rules as `_walk`."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as error:
        problems.append(Problem("cases", 1, 1, "error", "unreadable", f"cannot list folder: {error.strerror}"))
        return
    for entry in entries:
        if _is_ignored(entry.name):
            continue
        path = Path(entry.path)
        if entry.is_symlink():
            problem = _follow_link(path, f"cases/{entry.name}", real_root)[1]
            if problem:
                problems.append(problem)
                continue
        yield entry.name, path


def _map_cases(real_root: Path, folders: list[str], settings: Settings,
               function: Callable[[Case, Settings], T]) -> tuple[list[tuple[str, T]], list[Problem]]:
    """Read, parse and map some case folders (in a worker process for large portfolios)."""
    results: list[tuple[str, T]] = []
    problems: list[Problem] = []
    for name in folders:
        tree = Tree()
        _read_into(tree, real_root / "cases" / name, f"cases/{name}", real_root)
        problems += tree.problems
        files = {path.split("/", 2)[2]: data for path, data in tree.files.items()}
        case, case_problems = _assemble_case(name, files, settings)
        problems += case_problems
        if case is not None:
            results.append((case.id, function(case, settings)))
    return results, problems


def _stray_problems(tree: Tree) -> list[Problem]:
    return [
        Problem(path, 1, 1, "warning", "stray-file", "files directly under cases/ are ignored: each case is a folder")
        for path in sorted(tree.files) if path.startswith("cases/") and path.count("/") == 1
    ]


def assemble(tree: Tree) -> Portfolio:
    """Group files by case and parse them: case.md first, for its currency."""
    settings, settings_problems = parse_settings(tree.files.get(SETTINGS_PATH))
    problems = list(tree.problems) + settings_problems + _stray_problems(tree)
    grouped: dict[str, dict[str, bytes | None]] = {}
    for relative in sorted(tree.files):
        parts = relative.split("/")
        if parts[0] == "cases" and len(parts) >= 3:
            grouped.setdefault(parts[1], {})["/".join(parts[2:])] = tree.files[relative]
    cases = []
    for case_id, files in grouped.items():
        case, case_problems = _assemble_case(case_id, files, settings)
        problems += case_problems
        if case is not None:
            cases.append(case)
    return Portfolio(settings, tuple(cases), tuple(problems))


def _assemble_case(case_id: str, files: Mapping[str, bytes | None], settings: Settings):
    folder = f"cases/{case_id}"
    problems: list[Problem] = []
    if not _CASE_ID.match(case_id):
        problems.append(Problem(folder, 1, 1, "error", "bad-case-id",
                                f"case folder {case_id!r} must be lower-case letters, digits and dashes "
                                "(start with a letter or digit, at most 63 characters)"))
        return None, problems
    case = None
    currency = settings.currency
    if "case.md" not in files:
        problems.append(Problem(folder, 1, 1, "error", "missing-case-file",
                                f"case folder {case_id} has no case.md describing the debtor"))
    else:
        parsed = parse_case(f"{folder}/case.md", files["case.md"] or b"", case_id, settings)
        problems += parsed.problems
        case = parsed.record
        currency = case.currency if case else currency
    notes: list[Note] = []
    plans: list[Plan] = []
    unreadable: set[str] = set()
    for name, data in files.items():
        path = f"{folder}/{name}"
        section, _, filename = name.partition("/")
        if name == "case.md" or section == "files":
            continue
        if section not in ("notes", "plans") or "/" in filename or not filename.endswith(".md"):
            problems.append(Problem(path, 1, 1, "warning", "stray-file",
                                    "not a record (records are case.md, notes/*.md, plans/*.md; attachments go in files/): ignored"))
            continue
        record_id = filename[:-3]
        if not _RECORD_ID.match(record_id):
            problems.append(Problem(path, 1, 1, "error", "bad-record-id",
                                    f"file name {filename!r} must start with a letter or digit and use only "
                                    "letters, digits, '.', '_' and '-'"))
            unreadable.add(record_id)
            continue
        if section == "notes":
            parsed = parse_note(path, data or b"", case_id, record_id, currency)
        else:
            parsed = parse_plan(path, data or b"", case_id, record_id, currency, settings)
        problems += parsed.problems
        if parsed.record is None:
            unreadable.add(record_id)
        elif section == "notes":
            notes.append(parsed.record)  # type: ignore[arg-type]
        else:
            plans.append(parsed.record)  # type: ignore[arg-type]
    if case is None:
        return None, problems
    case = replace(
        case,
        notes=tuple(sorted(notes, key=lambda n: n.sort_key)),
        plans=tuple(sorted(plans, key=lambda p: p.sort_key)),
        unreadable=frozenset(unreadable),
    )
    return case, problems


def attachments(tree: Tree, case_id: str) -> list[str]:
    """Paths of a case's attachments under files/, for linking from the site."""
    prefix = f"cases/{case_id}/files/"
    return sorted(path for path, data in tree.files.items() if path.startswith(prefix) and data is ATTACHMENT)
