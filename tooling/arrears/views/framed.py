"""A document that is one piece per case inside a fixed frame: due.json, due.csv, cases.js.

Saying the frame apart from the pieces is what lets the site's rebuild
splice such a file (`site.splice`): keep the bytes of every case that did
not change, write the frame and the changed cases' pieces anew.
"""

from __future__ import annotations

from typing import Iterable, Iterator, NamedTuple


class Frame(NamedTuple):
    """head + first + piece₁ + sep + piece₂ … + tail; head + empty when there are no pieces."""

    head: str
    first: str  # before the first piece
    sep: str  # before every later piece
    tail: str  # after the last piece
    empty: str  # after the head, when there is no piece


def chunks(frame: Frame, pieces: Iterable[str]) -> Iterator[str]:
    """The document piece by piece (a case's separator goes with its piece)."""
    yield frame.head
    first = True
    for piece in pieces:
        yield (frame.first if first else frame.sep) + piece
        first = False
    yield frame.empty if first else frame.tail
