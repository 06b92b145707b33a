"""The long listing files spliced from the last build's copy are the bytes a whole write gives.

`site.splice` copies the unchanged cases' bytes from the published file and
writes only the frame and the changed cases' pieces; these tests hold it to
`views.framed.chunks` for any change (hypothesis), show that a real rebuild
after a payment takes that path (and reads no unchanged case's piece), and
that a file it cannot vouch for is written whole.
"""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.site import incremental, listings, splice
from arrears.views import framed
from test_listings import DAY, books, full, listing, pay  # noqa: F401  (books: the fixture)

FRAMES = [framed.Frame('{"cases": ', "[\n    ", ",\n    ", "\n  ]}\n", "[]}\n"),  # due.json's shape
          framed.Frame("case,balance\r\n", "", "", "", ""),  # due.csv's
          framed.Frame("x = [", "", ",", "]};\n", "]};\n")]  # cases.js'

texts = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
portfolios = st.dictionaries(st.sampled_from([f"case-{n:02}" for n in range(12)]), texts, max_size=12)


def pairs(cases: dict[str, str]) -> list[tuple[str, str]]:
    return [(name, f"hash of {cases[name]!r}") for name in sorted(cases)]


def write(folder: Path, frame: framed.Frame, cases: dict[str, str], old=None, last: dict[str, str] | None = None,
          atomic=True):
    """Each case's piece names the case, as every real one does (its id is in its JSON, row, entry).
    `last`: the cases as the build that wrote `old` had them."""
    asked: list[list[str] | None] = []

    def pieces(some):
        asked.append(some)
        return [(name, name + cases[name]) for name in (sorted(cases) if some is None else some)]

    written, layout = splice.replace(folder, "due.json", frame, splice.Cases(pairs(cases)), pieces, atomic, old,
                                     None if last is None else splice.Cases(pairs(last)))
    return written, layout, asked


@settings(max_examples=150, deadline=None)
@given(frame=st.sampled_from(FRAMES), before=portfolios, after=portfolios, head=texts, tail=texts)
def test_a_spliced_file_has_the_bytes_of_a_whole_one(tmp_path_factory, frame, before, after, head, tail):
    folder = tmp_path_factory.mktemp("splice")
    _, layout, _ = write(folder, frame, before, atomic=False)
    whole = "".join(framed.chunks(frame, [n + before[n] for n in sorted(before)]))
    assert (folder / "due.json").read_bytes() == whole.encode("utf-8")
    frame = frame._replace(head=frame.head + head, tail=frame.tail + tail,  # the frame may change too (due.json's
                           empty=frame.empty + tail)  # as-of date before the cases, its totals after them)
    old_bytes = (folder / "due.json").read_bytes()
    written, layout, asked = write(folder, frame, after, layout, before)
    expected = "".join(framed.chunks(frame, [n + after[n] for n in sorted(after)])).encode("utf-8")
    assert (folder / "due.json").read_bytes() == expected
    assert written == (expected != old_bytes), "written exactly when the bytes changed"
    assert None not in asked, "spliced: no whole read of the store"
    firsts = {min(cases) for cases in (before, after) if cases}  # its separator may change
    assert set().union(*map(set, asked)) <= {name for name in after if before.get(name) != after[name]} | firsts, \
        "only changed cases' pieces are read (and the first one's, before and after)"
    written, _, _ = write(folder, frame, after, layout, after)
    assert not written and (folder / "due.json").read_bytes() == expected, "once more: left alone"
    assert os.listdir(folder) == ["due.json"], "no temporary file is left"


@settings(max_examples=100, deadline=None)
@given(frame=st.sampled_from(FRAMES), before=portfolios, data=st.data(), head=texts)
def test_the_same_cases_some_changed_are_spliced_in_place(tmp_path_factory, frame, before, data, head):
    """The common rebuild (a payment, an edit): the same cases, so only the changed ones are visited."""
    folder = tmp_path_factory.mktemp("in-place")
    _, layout, _ = write(folder, frame, before, atomic=False)
    after = {name: data.draw(texts) if data.draw(st.booleans()) else text for name, text in before.items()}
    frame = frame._replace(head=frame.head + head)
    written, layout, asked = write(folder, frame, after, layout, before)
    expected = "".join(framed.chunks(frame, [n + after[n] for n in sorted(after)])).encode("utf-8")
    assert (folder / "due.json").read_bytes() == expected
    assert asked == [[name for name in sorted(after) if before[name] != after[name]]], "the changed ones alone"
    assert list(layout.lengths) == list(len(((frame.first if i == 0 else frame.sep) + n + after[n]).encode("utf-8"))
                                   for i, n in enumerate(sorted(after)))


def test_a_file_changed_since_its_layout_is_written_whole(tmp_path):
    frame = FRAMES[0]
    cases = {"a": ': 1', "b": ': 2', "c": ': 3'}
    _, layout, _ = write(tmp_path, frame, cases, atomic=False)
    assert write(tmp_path, frame, cases, layout, cases)[2] == [[]], "trusted: nothing to read again"
    assert write(tmp_path, frame, cases, layout, {**cases, "b": ": 7"})[2] == [None], \
        "written for other cases than the last build published: every piece read again"
    path = tmp_path / "due.json"
    path.write_bytes(path.read_bytes().replace(b"b: 2", b"b: 9"))  # the same size
    written, _, asked = write(tmp_path, frame, cases, layout, cases)
    assert written and asked == [None], "not trusted: every piece read again"
    assert path.read_bytes() == "".join(framed.chunks(frame, [n + t for n, t in cases.items()])).encode("utf-8")


def test_a_payment_rebuild_splices_the_long_files_and_gives_a_full_builds_bytes(books, tmp_path, monkeypatch):
    site = books / "site"
    incremental.build(books, DAY, site, workers=1)
    assert len(listing(site)) > 6, "the lists are paged, so cases.js is written"
    whole_reads = []
    real = splice.replace

    def watched(folder, relative, frame, cases, pieces, atomic, old, last):
        def counted(some):
            if some is None and Path(folder) == site:  # (the full builds compared with are read whole)
                whole_reads.append(relative)
            return pieces(some)
        return real(folder, relative, frame, cases, counted, atomic, old, last)

    monkeypatch.setattr(listings.splice, "replace", watched)
    for round, case in enumerate(["case-00008", "case-00000", "case-00008"]):  # case-00000 is first in each file
        pay(books, case, f"{round + 1}5.00")
        built = incremental.build(books, DAY, site, workers=1)
        assert {"due.json", "due.csv", "cases.js"} <= set(built.written)
        assert whole_reads == [], "spliced, not read whole from the store"
        assert listing(site) == full(books, tmp_path, f"after-{round}")
