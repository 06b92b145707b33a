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

    def segment(self, index: int, piece: str) -> str:
        """The piece at `index` with the separator before it (its bytes in the file go together)."""
        return (self.sep if index else self.first) + piece

    def end(self, count: int) -> str:
        """What follows the last of `count` pieces."""
        return self.tail if count else self.empty


def chunks(frame: Frame, pieces: Iterable[str]) -> Iterator[str]:
    """The document piece by piece (a case's separator goes with its piece)."""
    yield frame.head
    count = 0
    for count, piece in enumerate(pieces, 1):
        yield frame.segment(count - 1, piece)
    yield frame.end(count)
