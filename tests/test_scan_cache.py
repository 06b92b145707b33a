"""The stat cache behind every build (`records.files.scan`): what it trusts, and when it looks again.

A build scans every file of every case, so the scan skips listing a folder
whose own times are unchanged and stats only the files it knew; these tests
pin down that it still sees every edit, addition, removal and rename, and
that a file or folder changed just before a scan is never trusted by its
times alone (Git's "racily clean" entries).
"""

from __future__ import annotations

import os
import time

import pytest

from arrears.records import files

OLD = 1_600_000_000  # 2020-09-13: a time no racy window reaches


class Later:
    """The scan's clock, ten seconds ahead: what the files were stamped with has settled."""

    @staticmethod
    def time_ns() -> int:
        return time.time_ns() + 10_000_000_000


@pytest.fixture
def case(tmp_path):
    base = tmp_path / "acme"
    (base / "notes").mkdir(parents=True)
    (base / "case.md").write_text("---\nid: acme\n---\n")
    (base / "notes" / "2026-01-01-invoice.md").write_text("---\nkind: invoice\n---\none\n")
    for folder in (base / "notes", base):
        os.utime(folder, (OLD, OLD))
    return base


@pytest.fixture
def listed(monkeypatch):
    """How many folders the scan listed."""
    calls = []
    real = os.scandir
    monkeypatch.setattr(files.os, "scandir", lambda path: calls.append(str(path)) or real(path))
    return calls


def test_unchanged_folders_are_not_listed_again_and_give_the_same_stats(case, monkeypatch, listed):
    monkeypatch.setattr(files, "time", Later)
    stats, folders, settled = files.scan(case, {})
    assert settled and set(stats) == {"case.md", "notes/2026-01-01-invoice.md"} and set(folders) == {"", "notes"}
    assert len(listed) == 2
    again, folders_again, _ = files.scan(case, stats, {}, folders)
    assert again == stats and folders_again == folders
    assert len(listed) == 2, "no folder was listed the second time"


def test_an_edit_in_place_is_seen_without_listing(case, monkeypatch, listed):
    monkeypatch.setattr(files, "time", Later)
    stats, folders, _ = files.scan(case, {})
    note = case / "notes" / "2026-01-01-invoice.md"
    note.write_text("---\nkind: invoice\n---\ntwo\n")  # same size, new bytes: the folder's times do not move
    read = {}
    again, _, _ = files.scan(case, stats, read, folders)
    assert len(listed) == 2
    assert again["notes/2026-01-01-invoice.md"][4] != stats["notes/2026-01-01-invoice.md"][4]
    assert read == {"notes/2026-01-01-invoice.md": note.read_bytes()}


@pytest.mark.parametrize("change", ["add", "remove", "rename", "link", "folder"])
def test_a_change_of_names_lists_the_folder_again(case, monkeypatch, listed, change):
    monkeypatch.setattr(files, "time", Later)
    stats, folders, _ = files.scan(case, {})
    notes = case / "notes"
    if change == "add":
        (notes / "2026-01-02-call.md").write_text("---\nkind: call\n---\n")
    elif change == "remove":
        (notes / "2026-01-01-invoice.md").unlink()
    elif change == "rename":
        (notes / "2026-01-01-invoice.md").rename(notes / "2026-01-03-invoice.md")
    elif change == "link":
        (notes / "2026-01-01-invoice.md").rename(case / "elsewhere.txt")
        os.symlink(case / "elsewhere.txt", notes / "2026-01-01-invoice.md")
    else:
        (case / "files").mkdir()
        (case / "files" / "letter.pdf").write_bytes(b"%PDF")
    again, _, settled = files.scan(case, stats, {}, folders)
    assert len(listed) > 2, "the changed folder was listed"
    expected = {
        "add": {"case.md", "notes/2026-01-01-invoice.md", "notes/2026-01-02-call.md"},
        "remove": {"case.md"},
        "rename": {"case.md", "notes/2026-01-03-invoice.md"},
        "link": {"case.md", "elsewhere.txt"},
        "folder": {"case.md", "notes/2026-01-01-invoice.md", "files/letter.pdf"},
    }[change]
    assert set(again) == expected
    assert settled == (change != "link"), "a symbolic link is for `walk` to judge"


def test_files_and_folders_changed_just_before_the_scan_are_not_trusted(case, listed):
    """With the real clock, what was just written may change again within the same tick."""
    note = case / "notes" / "2026-01-01-invoice.md"
    stats, folders, _ = files.scan(case, {})
    assert stats[f"notes/{note.name}"][0] == -1, "a file written just now is read again next time"
    assert stats["case.md"][0] == -1
    assert folders == {"": folders[""], "notes": folders["notes"]}
    old = os.stat(note)
    note.write_text("---\nkind: invoice\n---\ntwo\n")  # same size
    os.utime(note, ns=(old.st_atime_ns, old.st_mtime_ns))  # and the old modification time
    again, _, _ = files.scan(case, stats, {}, folders)
    assert again[f"notes/{note.name}"][4] != stats[f"notes/{note.name}"][4]


def test_a_settled_file_keeps_its_size_and_is_not_read_again(case, monkeypatch):
    monkeypatch.setattr(files, "time", Later)
    stats, folders, _ = files.scan(case, {})
    assert all(stat[0] >= 0 for stat in stats.values())
    read = {}
    files.scan(case, stats, read, folders)
    assert read == {}, "nothing was read: every file's size and times were trusted"
