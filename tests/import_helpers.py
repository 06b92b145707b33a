"""Running `arrears import`, `check` and `due` on a records tree, for the import tests."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from arrears.cli.app import main

FIXTURES = Path(__file__).parent / "imports"


def run(root: Path, *args: str, today: str = "2026-04-20"):
    """Any arrears command against `root`, with today pinned."""
    return CliRunner().invoke(main, [*args[:1], "--root", str(root), *args[1:]], env={"ARREARS_TODAY": today})


def do_import(root: Path, fixture: str, source: str, *options: str, date: str = "2026-04-20"):
    path = fixture if "/" in fixture else str(FIXTURES / fixture)
    return run(root, "import", path, "--from", source, "--date", date, *options, today=date)


def figures(root: Path, as_of: str) -> dict[str, dict]:
    """`arrears due --format json`, by case id."""
    result = run(root, "due", "--as-of", as_of, "--format", "json", today=as_of)
    assert result.exit_code == 0, result.output
    return {case["case"]: case for case in json.loads(result.stdout)["cases"]}


def strict_check(root: Path, today: str) -> str:
    """Run `check --strict`; the problems it printed (empty when it passed)."""
    result = run(root, "check", "--strict", "--as-of", today, today=today)
    return "" if result.exit_code == 0 else result.output


def tree(root: Path) -> dict[str, str]:
    """Every file under cases/ -> its text: what an import wrote, byte for byte."""
    return {path.relative_to(root).as_posix(): path.read_text(encoding="utf-8")
            for path in sorted((root / "cases").rglob("*")) if path.is_file()} if (root / "cases").is_dir() else {}
