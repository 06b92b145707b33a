"""Files replaced in a published site: whole or never, readable as the user's own files, and left
alone when their bytes are the same; the build cache's own files stay the owner's only."""

from __future__ import annotations

import os
import stat

import pytest

from arrears.site import cache, publish, splice
from arrears.views import framed


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def _long(tmp_path, pieces: dict[str, str], old=None, last: dict[str, str] | None = None):
    """due.json-like file of `pieces` through `splice.replace`: (written?, layout)."""
    frame = framed.Frame("{", "", ",", "}", "}")

    def cases(pieces):
        return splice.Cases([(name, f"h-{text}") for name, text in pieces.items()])

    def read(some):
        return [(name, pieces[name]) for name in (pieces if some is None else some)]

    return splice.replace(tmp_path, "due.json", frame, cases(pieces), read, True, old,
                          None if last is None else cases(last))


def test_a_replaced_page_has_the_umask_mode_and_the_same_bytes_are_left_alone(tmp_path):
    public = 0o666 & ~publish.umask()
    assert publish.replace_file(tmp_path, "a/index.html", "<p>one</p>")
    written, layout = _long(tmp_path, {"a": '"a": 1'})
    assert written
    assert mode(tmp_path / "a/index.html") == public == mode(tmp_path / "due.json")
    assert (tmp_path / "due.json").read_text(encoding="utf-8") == '{"a": 1}'
    assert not publish.replace_file(tmp_path, "a/index.html", "<p>one</p>")
    assert not _long(tmp_path, {"a": '"a": 1'})[0], "the same bytes, written whole"
    assert not _long(tmp_path, {"a": '"a": 1'}, layout, {"a": '"a": 1'})[0], "the same bytes, spliced"
    assert _long(tmp_path, {"a": '"a": 2'}, layout, {"a": '"a": 1'})[0]
    assert (tmp_path / "due.json").read_text(encoding="utf-8") == '{"a": 2}'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "due.json"], "no temporary file is left"


def test_a_failed_write_leaves_the_old_file_and_no_temporary_one(tmp_path):
    publish.replace_file(tmp_path, "due.json", "old\n")

    def broken(some):
        yield "a", "new"
        raise RuntimeError("stopped")

    with pytest.raises(RuntimeError):
        splice.replace(tmp_path, "due.json", framed.Frame("", "", "", "", ""), splice.Cases([("a", "h"), ("b", "h")]),
                       broken, True)
    assert (tmp_path / "due.json").read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["due.json"]


def test_the_cache_keeps_its_pickles_to_the_owner(tmp_path):
    cache.save_markdown(tmp_path, "acme", "code", {"h": "<p>x</p>"})
    path = tmp_path / cache.CACHE / "markdown" / "acme.pickle"
    assert mode(path) == 0o600
    assert cache.load_markdown(tmp_path, "acme", "code") == {"h": "<p>x</p>"}
