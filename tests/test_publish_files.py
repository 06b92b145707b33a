"""Files replaced in a published site: whole or never, readable as the user's own files, and left
alone when their bytes are the same; the build cache's own files stay the owner's only."""

from __future__ import annotations

import os
import stat

import pytest

from arrears.site import cache, publish


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_replaced_page_has_the_umask_mode_and_the_same_bytes_are_left_alone(tmp_path):
    public = 0o666 & ~publish.umask()
    assert publish.replace_file(tmp_path, "a/index.html", "<p>one</p>")
    assert publish.replace_chunks(tmp_path, "due.json", iter(["{", '"a": 1', "}"]))
    assert mode(tmp_path / "a/index.html") == public == mode(tmp_path / "due.json")
    assert (tmp_path / "due.json").read_text(encoding="utf-8") == '{"a": 1}'
    assert not publish.replace_file(tmp_path, "a/index.html", "<p>one</p>")
    assert not publish.replace_chunks(tmp_path, "due.json", iter(['{"a": 1}']))
    assert publish.replace_chunks(tmp_path, "due.json", iter(['{"a": 2}']))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "due.json"], "no temporary file is left"


def test_a_failed_write_leaves_the_old_file_and_no_temporary_one(tmp_path):
    publish.replace_file(tmp_path, "due.csv", "old\n")

    def broken():
        yield "new"
        raise RuntimeError("stopped")

    with pytest.raises(RuntimeError):
        publish.replace_chunks(tmp_path, "due.csv", broken())
    assert (tmp_path / "due.csv").read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["due.csv"]


def test_the_cache_keeps_its_pickles_to_the_owner(tmp_path):
    cache.save_markdown(tmp_path, "acme", "code", {"h": "<p>x</p>"})
    path = tmp_path / cache.CACHE / "markdown" / "acme.pickle"
    assert mode(path) == 0o600
    assert cache.load_markdown(tmp_path, "acme", "code") == {"h": "<p>x</p>"}
