"""The layout is the pipeline: the core (records -> rules -> ledger -> actions) imports no view,
command, site or server, and no library that renders or parses command lines.

Read from the source with `ast`, so a lazy import inside a function counts too.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "tooling" / "arrears"
CORE = ("records", "rules", "ledger", "actions")
OUTER = ("arrears.views", "arrears.cli", "arrears.site", "arrears.serve", "arrears.pipeline")
LIBRARIES = ("click", "jinja2", "markupsafe", "markdown_it", "watchdog", "subprocess", "multiprocessing",
             "concurrent")
IO_ALLOWED = {"records/load.py", "records/files.py", "records/gittree.py"}
"""The readers at the edge of the core: the files and the Git objects. Nothing else in the core
lists folders, starts processes or reads the disk."""


def imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def core_modules() -> list[Path]:
    return sorted(path for package in CORE for path in (PACKAGE / package).glob("*.py"))


def test_the_core_imports_nothing_from_the_views_cli_site_or_serve():
    wrong = {}
    for path in core_modules():
        bad = sorted(name for name in imports(path) if name.startswith(OUTER))
        if bad:
            wrong[str(path.relative_to(PACKAGE))] = bad
    assert wrong == {}


def test_the_core_renders_nothing_and_starts_no_process():
    wrong = {}
    for path in core_modules():
        relative = path.relative_to(PACKAGE).as_posix()
        allowed = ("subprocess", "multiprocessing", "concurrent") if relative in IO_ALLOWED else ()
        bad = sorted(name for name in imports(path)
                     if name.split(".")[0] in LIBRARIES and name.split(".")[0] not in allowed)
        if bad:
            wrong[relative] = bad
    assert wrong == {}


def test_only_the_readers_and_the_pipeline_walk_the_files():
    walkers = {path.relative_to(PACKAGE).as_posix() for path in core_modules()
               if {"arrears.records.load", "arrears.records.files"} & imports(path)}
    assert walkers <= IO_ALLOWED


def test_the_check_rules_are_listed_not_registered():
    from arrears.rules import check

    named = {name for name, value in vars(check).items()
             if callable(value) and getattr(value, "__module__", "") == check.__name__
             and not name.startswith("_") and name not in {"check", "check_case", "Context"}}
    listed = {rule.__name__ for rule in check.RULES if rule.__module__ == check.__name__}
    assert listed == named  # every rule written in check.py is listed, and nothing else from it
    assert all(rule.__module__.startswith("arrears.rules.") for rule in check.RULES)  # other rule modules too
    assert isinstance(check.RULES, tuple)


def test_the_layout_shows_the_pipeline():
    packages = {path.name for path in PACKAGE.iterdir() if (path / "__init__.py").is_file()}
    assert {"records", "rules", "ledger", "actions", "git", "views", "site", "serve", "cli"} <= packages
    assert (PACKAGE / "pipeline.py").is_file() and (PACKAGE / "words.py").is_file()
