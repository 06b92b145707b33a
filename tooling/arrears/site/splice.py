"""Rewrite a long listing file (due.json, due.csv, cases.js) by splicing the last build's copy.

At 10,000 cases these files are megabytes made of one piece per case
(`views.framed`), and after a payment only that case's piece and the frame
(due.json's totals) change. Reading every case's piece back from the store
and writing them all out again was half of such a rebuild's listing step
(0.1 s). So the build keeps each file's **layout**: its stat signature as
written, a digest of the cases it holds in order (each one's name and
listing hash) and the length of each case's bytes there. The next build
knows those cases and hashes already (the cases as last published), so the
layout costs a few bytes a case, not a copy of every name. A rebuild writes
the new frame, copies the unchanged cases' bytes straight from the
published file and reads from the store only the pieces of the cases that
changed.

The old copy is trusted only while its size, times and inode are the ones
recorded when it was written, and the cases last published are the ones it
was written for; anything else (a file edited by hand, a
build that wrote it and was killed before the store was saved, a store from
before layouts) writes the file whole from the store, as before. The bytes
are the same either way: tests compare spliced files with whole ones.
"""

from __future__ import annotations

import filecmp
import hashlib
import os
import pickle
from array import array
from itertools import accumulate
from pathlib import Path
from typing import Callable, Iterable, NamedTuple

from arrears.site.publish import rename_over, write_beside
from arrears.views.framed import Frame

BLOCK = 1 << 20  # bytes copied from the old file at a time: memory stays flat however long the file
MOST_CHANGED = 8  # splice while at most one case in this many changed (their new pieces are held at once)
Pieces = Callable[[list[str] | None], Iterable[tuple[str, str]]]  # names (None: every case) -> (name, piece)


class Layout(NamedTuple):
    """A file as the build that wrote it left it."""

    signature: tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode
    head: int  # bytes of the frame's head
    order: str  # `Cases.digest` of the cases in the file, in order
    lengths: array  # each case's bytes there, its separator included


class Cases:
    """Cases in a file's order, as (name, listing hash) pairs, and their digest (made once, if asked)."""

    def __init__(self, pairs: list[tuple[str, str]]):
        self.pairs = pairs
        self._digest: str | None = None

    @property
    def digest(self) -> str:
        if self._digest is None:
            self._digest = _digest(self.pairs)
        return self._digest


def _digest(pairs: Iterable[tuple[str, str]]) -> str:
    return hashlib.blake2b("".join(f"{name}\0{hash_}\n" for name, hash_ in pairs).encode("utf-8", "surrogateescape"),
                           digest_size=16).hexdigest()


def replace(folder: Path, relative: str, frame: Frame, cases: Cases, pieces: Pieces, atomic: bool,
            old: Layout | None = None, last: Cases | None = None) -> tuple[bool, Layout]:
    """Write the file at `folder/relative` for `cases`, in their order.

    `pieces` reads cases' pieces from the store. `atomic`: the file is in a published site, so it
    is written beside and renamed, and left alone if its bytes would not change; then `old` is its
    layout and `last` the cases the last build published. Returns whether it was written, and its
    layout for the next build.
    """
    path = folder / relative
    found: list = []
    plan = _plan(path, cases.pairs, pieces, old, last) if atomic else None

    def write(out) -> None:
        if plan is None:
            found.extend(_whole(out, frame, cases, pieces))
            return
        old, keep, changed, fresh = plan
        with open(path, "rb", buffering=0) as before:
            if _signature(os.fstat(before.fileno())) != old.signature:
                raise OSError(f"{path} changed while it was being spliced")
            if changed is not None:
                found.extend(_in_place(out, before, frame, cases, old, changed, fresh))
            else:
                found.extend(_spliced(out, before, frame, cases, old, last.pairs, keep, fresh))

    temporary = write_beside(path, write, binary=True)
    order, lengths, same = found
    layout = (len(frame.head.encode("utf-8")), order, lengths)
    if atomic:
        if same is None:
            try:
                same = filecmp.cmp(temporary, path, shallow=False)
            except OSError:
                same = False
        if same:
            os.unlink(temporary)
            return False, Layout(_signature(os.stat(path, follow_symlinks=False)), *layout)
    rename_over(temporary, path, public=True)
    return True, Layout(_signature(os.stat(path, follow_symlinks=False)), *layout)


def _plan(path: Path, wanted: list[tuple[str, str]], pieces: Pieces, old: Layout | None, last: Cases | None):
    """What splicing needs (the old layout, which cases keep their bytes, the others' new pieces),
    or None to write the file whole: no layout, or not this file's, or not for the cases last
    published, or most of it changed."""
    if old is None or last is None or _signature_of(path) != old.signature or last.digest != old.order:
        return None
    before = last.pairs
    if len(wanted) == len(before) and all(a[0] == b[0] for a, b in zip(wanted, before)):
        keep = None  # the same cases (a payment, an edit): only the changed ones are visited
        changed = [index for index, (was, now) in enumerate(zip(before, wanted)) if was[1] != now[1]]
        asked = [wanted[index][0] for index in changed]
    else:
        keep = _kept(wanted, before)
        changed = None
        asked = [name for (name, _), kept in zip(wanted, keep) if not kept]
    if len(asked) > max(64, len(wanted) // MOST_CHANGED):
        return None  # most of the file is new: stream it whole rather than hold the new pieces
    fresh = dict(pieces(asked))
    if len(fresh) != len(asked):
        return None  # a piece is missing from the store: the whole write says what it leaves out
    return old, keep, changed, fresh


def _signature_of(path: Path) -> tuple[int, int, int, int] | None:
    try:
        return _signature(os.stat(path, follow_symlinks=False))
    except OSError:
        return None


def _signature(seen: os.stat_result) -> tuple[int, int, int, int]:
    return (seen.st_size, seen.st_mtime_ns, seen.st_ctime_ns, seen.st_ino)


def _whole(out, frame: Frame, cases: Cases, pieces: Pieces):
    """Every piece from the store, in order (what `framed.chunks` gives)."""
    wanted = cases.pairs
    lengths = array("Q")
    exact = True  # the pieces read are the wanted cases, in order (else `written` names them)
    written: list[str] = []
    out.write(frame.head.encode("utf-8"))
    buffer = bytearray()
    for index, (name, piece) in enumerate(pieces(None)):
        data = frame.segment(index, piece).encode("utf-8")
        buffer += data
        lengths.append(len(data))
        if exact and (index >= len(wanted) or wanted[index][0] != name):
            exact, written = False, [pair[0] for pair in wanted[:index]]
        if not exact:
            written.append(name)
        if len(buffer) >= BLOCK:
            out.write(buffer)
            buffer.clear()
    buffer += frame.end(len(lengths)).encode("utf-8")
    out.write(buffer)
    if exact and len(lengths) == len(wanted):
        return cases.digest, lengths, None
    if exact:  # some cases at the end had no piece in the store
        written = [pair[0] for pair in wanted[:len(lengths)]]
    hash_of = dict(wanted)
    return _digest((name, hash_of[name]) for name in written), lengths, None


def _kept(wanted: list[tuple[str, str]], before: list[tuple[str, str]]) -> list[bool]:
    """For each wanted case, may its bytes be copied from the old file? Yes when it has the same
    listing hash there and is first (or not first) in both: the separator before a piece depends
    on that alone."""
    index_of = {name: index for index, (name, _) in enumerate(before)}
    keep = []
    for index, (name, hash_) in enumerate(wanted):
        found = index_of.get(name)
        keep.append(found is not None and (found == 0) == (index == 0) and before[found][1] == hash_)
    return keep


def _spliced(out, before, frame: Frame, cases: Cases, old: Layout, last: list[tuple[str, str]],
             keep: list[bool], fresh: dict[str, str]):
    """The new frame, the kept cases' bytes from the old file, the others' new pieces.

    Also says whether the bytes are the same as before: the same cases in the same places, the
    same frame, each case's bytes equal (a changed listing hash may give the same piece). Every
    piece names its case (its id is in its JSON object, CSV row and cases.js entry), so other
    cases never give the same bytes.
    """
    wanted = cases.pairs
    at: dict[str, tuple[int, int, int]] = {}  # name -> (index, offset, length) in the old file
    offset = old.head
    for index, ((name, _), length) in enumerate(zip(last, old.lengths)):
        at[name] = (index, offset, length)
        offset += length
    head, tail = frame.head.encode("utf-8"), frame.end(len(wanted)).encode("utf-8")
    same = len(wanted) == len(last) and _read(before, 0, old.head) == head
    out.write(head)
    lengths = array("Q")
    run_start = run_length = 0
    for index, (name, _) in enumerate(wanted):
        if keep[index]:
            where, start, length = at[name]
            if run_length and run_start + run_length == start:
                run_length += length
            else:
                _copy(before, out, run_start, run_length)
                run_start, run_length = start, length
            same = same and where == index
        else:
            _copy(before, out, run_start, run_length)
            run_length = 0
            data = frame.segment(index, fresh[name]).encode("utf-8")
            out.write(data)
            length = len(data)
            where, start, old_length = at.get(name, (-1, 0, 0))
            same = same and where == index and _read(before, start, old_length) == data
        lengths.append(length)
    _copy(before, out, run_start, run_length)
    out.write(tail)
    same = same and _read(before, offset, old.signature[0] - offset) == tail
    return cases.digest, lengths, same


def _in_place(out, before, frame: Frame, cases: Cases, old: Layout, changed: list[int], fresh: dict[str, str]):
    """`_spliced` for the same cases in the same order, some of them changed (by index): the runs
    between them are copied whole, so the cost is the changed cases', not every case's."""
    wanted = cases.pairs
    starts = list(accumulate(old.lengths, initial=old.head))  # where each case begins; the last: where the tail does
    head, tail = frame.head.encode("utf-8"), frame.end(len(wanted)).encode("utf-8")
    same = _read(before, 0, old.head) == head
    out.write(head)
    lengths = array("Q", old.lengths)
    cursor = old.head
    for index in changed:
        name = wanted[index][0]
        _copy(before, out, cursor, starts[index] - cursor)
        data = frame.segment(index, fresh[name]).encode("utf-8")
        out.write(data)
        same = same and _read(before, starts[index], lengths[index]) == data
        lengths[index], cursor = len(data), starts[index + 1]
    _copy(before, out, cursor, starts[-1] - cursor)
    out.write(tail)
    same = same and _read(before, starts[-1], old.signature[0] - starts[-1]) == tail
    return cases.digest, lengths, same


def _read(handle, start: int, length: int) -> bytes:
    return os.pread(handle.fileno(), length, start) if length > 0 else b""


def _copy(source, out, start: int, length: int) -> None:
    """`length` bytes of `source` from `start` onto the end of `out`, a block at a time."""
    while length > 0:
        block = os.pread(source.fileno(), min(length, BLOCK), start)
        if not block:
            raise OSError(f"{source.name} ended early while it was being spliced")
        out.write(block)
        start += len(block)
        length -= len(block)


def layouts_of(data: object) -> dict[str, Layout]:
    """The layouts a build kept (`cache.Store.meta`), or none if it kept none (or another form)."""
    if not isinstance(data, bytes):
        return {}
    try:
        found = pickle.loads(data)
    except Exception:  # a store written by another version: write the files whole once
        return {}
    if not isinstance(found, dict):
        return {}
    return {path: layout for path, layout in found.items() if isinstance(layout, Layout)}


def dumped(layouts: dict[str, Layout]) -> bytes:
    return pickle.dumps(layouts, protocol=pickle.HIGHEST_PROTOCOL)
