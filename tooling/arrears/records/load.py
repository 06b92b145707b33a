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
from typing import Callable, Mapping, TypeVar

from arrears.records import files
from arrears.records.parse import parse_case, parse_note, parse_plan
from arrears.problems import Problem
from arrears.records.model import CASE_ID_PATTERN, RECORD_ID_PATTERN, Case, Note, Plan, Portfolio, Settings
from arrears.records.settings import PATH as SETTINGS_PATH
from arrears.records.settings import parse_settings

_CASE_ID = re.compile(CASE_ID_PATTERN)
_RECORD_ID = re.compile(RECORD_ID_PATTERN)
T = TypeVar("T")
ATTACHMENT = None  # the value `read_tree` gives attachments: present, not read


@dataclass
class Tree:
    """The record files of a repository: relative path -> bytes (None for attachments)."""

    files: dict[str, bytes | None] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def read_tree(root: Path) -> Tree:
    """Read arrears.toml and every file under cases/ (attachments are listed, not read)."""
    tree = Tree()
    _read_settings(root, tree)
    cases = root / "cases"
    if cases.is_dir():
        _read_into(tree, cases, "cases", root.resolve())
    elif os.path.lexists(cases):
        files.case_folders(root, root.resolve(), tree.problems)  # says what is wrong with it
    return tree


def _read_settings(root: Path, tree: Tree) -> None:
    data, problems = files.read_settings(root, SETTINGS_PATH)
    if data is not None:
        tree.files[SETTINGS_PATH] = data
    tree.problems += problems


def _read_into(tree: Tree, folder: Path, relative: str, real_root: Path) -> None:
    for child, path in files.walk(folder, relative, real_root, tree.problems):
        if not files.is_record_path(child):  # an attachment, or a stray file in cases/
            tree.files[child] = ATTACHMENT
            continue
        data, problem = files.read_regular(path, child)
        if problem is not None:
            tree.problems.append(problem)
        else:
            tree.files[child] = data


def load_settings(root: Path) -> Settings:
    """Just arrears.toml (defaults when absent or broken; `check` reports its problems)."""
    return parse_settings(files.read_settings(root, SETTINGS_PATH)[0])[0]


def load(root: Path) -> Portfolio:
    """The working tree's records as a Portfolio (problems included, never raised), in this process.

    Shipping whole cases back from workers costs more than parsing them
    (measured: 38 s against 8 s for `due` on 50,000 notes): commands that need
    only a little per case use `pipeline.summaries`, on every core.
    """
    settings, folders, problems = open_root(root)
    cases, case_problems = map_cases(root.resolve(), folders, settings, _keep)
    return Portfolio(settings, tuple(case for _, case in sorted(cases, key=lambda pair: pair[0])),
                     tuple(problems + case_problems), root=root)


def _keep(case: Case, settings: Settings) -> Case:
    return case


def open_root(root: Path) -> tuple[Settings, list[str], list[Problem]]:
    """arrears.toml and the list of case folders: (settings, folders, the problems found so far)."""
    top = Tree()
    _read_settings(root, top)
    settings, settings_problems = parse_settings(top.files.get(SETTINGS_PATH))
    folders, stray = files.case_folders(root, root.resolve(), top.problems)
    for name in stray:
        top.files[f"cases/{name}"] = ATTACHMENT
    return settings, folders, list(top.problems) + settings_problems + _stray_problems(top)


def map_cases(real_root: Path, folders: list[str], settings: Settings,
              function: Callable[[Case, Settings], T]) -> tuple[list[tuple[str, T]], list[Problem]]:
    """Read, parse and map some case folders (in a worker process for large portfolios, see `pipeline`)."""
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
