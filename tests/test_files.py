"""Which files exist (records/files.py): files that are not what they seem are errors naming the path.

Each command runs in a subprocess with a timeout, because the defect some of
these guard against is a read that blocks forever on a pipe.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from arrears.records import files

AS_OF = "2026-06-01"
TIMEOUT = 60


def arrears(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "arrears", args[0], "--root", str(root), *args[1:]],
                          capture_output=True, timeout=TIMEOUT, env={**os.environ, "ARREARS_WORKERS": "1"})


def _fine(records) -> None:
    records.case("bolt")
    records.note("bolt", "2026-02-01-invoice",
                 "date: 2026-02-01\nkind: invoice\nref: B-1\namount: 250.00\ndue: 2026-03-03\n")


def _fifo(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes here")
    os.mkfifo(path)


def _line(result, path: str, code: str) -> None:
    err = (result.stdout + result.stderr).decode("utf-8")
    assert any(line.startswith(f"{path}:1:1: error: ") and line.endswith(f"[{code}]") for line in err.splitlines()), err


def test_a_folder_named_like_a_note_is_an_error(records):
    _fine(records)
    records.case("acme")
    (records.root / "cases/acme/notes/2026-01-03-note.md").mkdir(parents=True)
    result = arrears(records.root, "check", "--as-of", AS_OF)
    assert result.returncode == 1
    _line(result, "cases/acme/notes/2026-01-03-note.md", "not-a-file")


@pytest.mark.parametrize("command", ["check", "due", "build"])
def test_a_pipe_where_a_note_belongs_is_an_error_and_never_blocks(records, command):
    _fine(records)
    records.case("acme")
    _fifo(records.root / "cases/acme/notes/2026-01-03-call.md")
    result = arrears(records.root, command, "--as-of", AS_OF)
    assert result.returncode == 1, result.stderr
    _line(result, "cases/acme/notes/2026-01-03-call.md", "not-a-file")
    if command == "due":
        assert b"bolt" in result.stdout, "the other cases are still shown"


def test_a_pipe_as_arrears_toml_stops_everything_rather_than_using_defaults(records):
    _fine(records)
    _fifo(records.root / "arrears.toml")
    for command in ("check", "due", "build"):
        result = arrears(records.root, command, "--as-of", AS_OF)
        assert result.returncode == 1, (command, result.stderr)
        _line(result, "arrears.toml", "not-a-file")
        if command != "check":
            assert result.stdout == b"", "nothing is computed with the default currency and time zone"
    assert not (records.root / "site").exists()


def test_cases_as_a_plain_file_is_an_error(records):
    records.write("arrears.toml", 'currency = "GBP"\n')
    records.write("cases", "not a folder\n")
    for command in ("check", "due"):
        result = arrears(records.root, command, "--as-of", AS_OF)
        assert result.returncode == 1, (command, result.stderr)
        _line(result, "cases", "not-a-folder")


@pytest.mark.parametrize("command", ["check", "build"])
def test_a_file_name_that_is_not_utf8_is_a_clear_error(records, command):
    _fine(records)
    records.case("acme")
    notes = os.fsencode(records.root / "cases/acme/notes")
    os.makedirs(notes, exist_ok=True)
    try:
        with open(notes + b"/2026-01-03-\xff.md", "wb") as handle:
            handle.write(b"---\ndate: 2026-01-03\nkind: call\n---\n")
    except OSError as error:  # a file system that insists on UTF-8 names
        pytest.skip(f"cannot make such a name here: {error}")
    result = arrears(records.root, command, "--as-of", AS_OF)
    assert result.returncode == 1, result.stderr
    _line(result, "cases/acme/notes/2026-01-03-\ufffd.md", "bad-file-name")
    assert b"internal error" not in result.stderr


def test_a_template_override_linked_outside_the_records_is_refused(records, tmp_path):
    _fine(records)
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0\n", encoding="utf-8")
    link = records.root / "templates/site/partials/footer.html"
    link.parent.mkdir(parents=True)
    os.symlink(secret, link)
    result = arrears(records.root, "build", "--as-of", AS_OF)
    assert result.returncode == 1, result.stderr
    _line(result, "templates/site/partials/footer.html", "symlink-outside-root")
    assert not (records.root / "site").exists()


def test_a_template_override_linked_inside_the_records_is_refused_too(records):
    _fine(records)
    records.write("cases/bolt/files/footer.html", "<footer>from an attachment</footer>\n")
    link = records.root / "templates/site/partials/footer.html"
    link.parent.mkdir(parents=True)
    os.symlink("../../../cases/bolt/files/footer.html", link)
    result = arrears(records.root, "build", "--as-of", AS_OF)
    assert result.returncode == 1
    _line(result, "templates/site/partials/footer.html", "symlinked-template")


def test_one_rule_for_ignored_names_everywhere():
    for name in (".hidden.md", "#note.md#", "~lock", "note.md~", "a.swp", "a.swo", "a.part", "4913", "x.crdownload"):
        assert files.is_ignored(name), name
    for name in ("2026-01-03-call.md", "case.md", "letter.pdf"):
        assert not files.is_ignored(name), name
    from arrears.serve.preview import is_relevant

    root = Path("/books")
    assert not is_relevant(root, "/books/cases/acme/notes/a.md.swo")
    assert is_relevant(root, "/books/cases/acme/notes/a.md")


def test_records_and_attachments_are_told_apart_in_one_place():
    assert files.is_record("case.md") and files.is_record("notes/x.md") and files.is_record("plans/p.md")
    assert not files.is_record("files/x.md") and not files.is_record("notes/deep/x.md")
    assert files.is_record_path("cases/acme/notes/x.md") and not files.is_record_path("cases/x.md")


@pytest.mark.parametrize("size", [0, 1, 4095, 4096, 70000])
def test_a_record_is_read_whole_in_one_read_and_whole_if_it_grew_since_its_stat(tmp_path, monkeypatch, size):
    path = tmp_path / "note.md"
    data = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    path.write_bytes(data)
    reads = []
    real_read = os.read
    monkeypatch.setattr(files.os, "read", lambda fd, n: reads.append(n) or real_read(fd, n))
    assert files.read_regular(path, "note.md") == (data, None)
    assert len(reads) == 1, "a file no larger than its stat said is read in one call"

    real_fstat = os.fstat  # as if the file had grown by 100 bytes between the fstat and the read
    monkeypatch.setattr(files.os, "fstat", lambda fd: os.stat_result(
        (*real_fstat(fd)[:6], max(0, size - 100), *real_fstat(fd)[7:10])))
    assert files.read_regular(path, "note.md") == (data, None)
