"""The bad-input corpus: every defect the records contract rules out, at its exact position.

Each folder under tests/bad/ is a small records repository with an
`expected.txt` (format in tests/bad/README.md). The test loads and checks it
and compares the problems found with the list, exactly.
"""

from __future__ import annotations

import os
import re
import shutil
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from arrears.rules.check import check
from arrears.records.load import load

CORPUS = Path(__file__).parent / "bad"
TODAY = date(2026, 6, 1)
_LINE = re.compile(r"^(?P<path>.+):(?P<line>\d+):(?P<column>\d+): (?P<severity>error|warning): "
                   r"(?P<code>[a-z0-9-]+)(?: ~ (?P<fragment>.+))?$")


def _defects() -> list[str]:
    return sorted(d.name for d in CORPUS.iterdir() if d.is_dir())


def _expected(folder: Path) -> list[dict]:
    entries = []
    for number, text in enumerate((folder / "expected.txt").read_text(encoding="utf-8").splitlines(), start=1):
        if not text.strip() or text.startswith("#"):
            continue
        match = _LINE.match(text)
        assert match, f"{folder.name}/expected.txt line {number} is not 'path:line:col: severity: code'"
        entries.append(match.groupdict())
    return entries


def _check_copy(folder: Path, tmp_path: Path):
    root = tmp_path / "records"
    shutil.copytree(folder, root, symlinks=True, ignore=shutil.ignore_patterns("expected.txt"))
    return check(load(root), TODAY)


def test_corpus_is_large_enough():
    assert len(_defects()) >= 35


@pytest.mark.parametrize("name", _defects())
def test_bad_input_gives_exactly_the_expected_problems(name: str, tmp_path: Path):
    folder = CORPUS / name
    expected = _expected(folder)
    assert expected, f"{name}: a bad-input case must expect at least one problem"
    problems = _check_copy(folder, tmp_path)

    def key(path, line, column, severity, code):
        return f"{path}:{line}:{column}: {severity}: {code}"

    got = Counter(key(p.path, p.line, p.column, p.severity, p.code) for p in problems)
    want = Counter(key(e["path"], e["line"], e["column"], e["severity"], e["code"]) for e in expected)
    messages = "\n".join(f"  {p.path}:{p.line}:{p.column}: {p.severity}: {p.message} [{p.code}]" for p in problems)
    assert sorted(got.elements()) == sorted(want.elements()), f"problems reported:\n{messages}"
    for entry in expected:
        if entry["fragment"]:
            at = [p for p in problems if key(p.path, p.line, p.column, p.severity, p.code)
                  == key(entry["path"], entry["line"], entry["column"], entry["severity"], entry["code"])]
            assert any(entry["fragment"] in p.message for p in at), \
                f"no message at {entry['path']}:{entry['line']} mentions {entry['fragment']!r}:\n{messages}"
    for problem in problems:
        assert problem.line >= 1 and problem.column >= 1
        assert "\\" not in problem.path and not os.path.isabs(problem.path)
        assert problem.message and "\n" not in problem.message


def _symlink(target: Path | str, link: Path, directory: bool = False) -> None:
    link.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.symlink(target, link, target_is_directory=directory)
    except (OSError, NotImplementedError) as error:
        pytest.skip(f"no symbolic links here: {error}")


def test_symlink_leaving_the_root_is_an_error_and_not_followed(records, tmp_path: Path):
    records.case("acme")
    secret = tmp_path / "outside.md"
    secret.write_text("---\ndate: 2026-03-02\nkind: note\n---\nnot yours\n", encoding="utf-8")
    _symlink(secret, records.root / "cases/acme/notes/n.md")
    _symlink(tmp_path, records.root / "cases/acme/files/elsewhere", directory=True)
    portfolio = load(records.root)
    problems = check(portfolio, TODAY)
    assert {(p.path, p.line, p.column, p.severity, p.code) for p in problems} == {
        ("cases/acme/notes/n.md", 1, 1, "error", "symlinked-record"),
        ("cases/acme/files/elsewhere", 1, 1, "error", "symlink-outside-root"),
    }
    assert portfolio.case("acme").notes == ()


def test_symlink_loops_and_dead_links_are_reported_not_followed(records):
    records.case("acme")
    notes = records.root / "cases/acme/notes"
    _symlink("..", notes / "up", directory=True)
    _symlink("b.md", notes / "a.md")
    _symlink("a.md", notes / "b.md")
    _symlink("nowhere.md", notes / "gone.md")
    records.write("cases/acme/files/one/x.pdf", b"%PDF")
    records.write("cases/acme/files/two/y.pdf", b"%PDF")
    _symlink("../two", records.root / "cases/acme/files/one/to-two", directory=True)
    _symlink("../one", records.root / "cases/acme/files/two/to-one", directory=True)
    problems = check(load(records.root), TODAY)
    assert {(p.path, p.line, p.column, p.severity, p.code) for p in problems} == {
        ("cases/acme/notes/up", 1, 1, "error", "symlink-loop"),
        ("cases/acme/notes/a.md", 1, 1, "error", "symlinked-record"),
        ("cases/acme/notes/b.md", 1, 1, "error", "symlinked-record"),
        ("cases/acme/notes/gone.md", 1, 1, "error", "symlinked-record"),
        ("cases/acme/files/one/to-two/to-one", 1, 1, "error", "symlink-loop"),
        ("cases/acme/files/two/to-one/to-two", 1, 1, "error", "symlink-loop"),
    }


def test_a_record_that_is_a_symlink_is_an_error_even_inside_the_root(records):
    """Editing the link's target would change a committed record unnoticed (issue 12)."""
    records.case("acme")
    records.write("cases/acme/files/call.md", "---\ndate: 2026-03-02\nkind: call\n---\n")
    _symlink("../files/call.md", records.root / "cases/acme/notes/2026-03-02-call.md")
    (records.root / "cases/bolt").mkdir()
    _symlink("../acme/case.md", records.root / "cases/bolt/case.md")
    portfolio = load(records.root)
    assert {(p.path, p.severity, p.code) for p in check(portfolio, TODAY)} == {
        ("cases/acme/notes/2026-03-02-call.md", "error", "symlinked-record"),
        ("cases/bolt/case.md", "error", "symlinked-record"),
        ("cases/bolt", "error", "missing-case-file"),
    }
    assert portfolio.case("acme").notes == ()


def test_folders_linked_inside_the_root_are_followed(records):
    records.case("acme")
    records.write("shared/notes/2026-03-02-call.md", "---\ndate: 2026-03-02\nkind: call\n---\n")
    _symlink("../../shared/notes", records.root / "cases/acme/notes", directory=True)
    portfolio = load(records.root)
    assert check(portfolio, TODAY) == []
    assert [note.id for note in portfolio.case("acme").notes] == ["2026-03-02-call"]
