"""Classes that index files name: pickled into posting blocks, loaded back by name.

A posting block is a pickle, and a pickle names the classes of its objects by
module and name. Every class an index file names lives here, and keeps its
module and name for as long as the index format (records.FORMAT_VERSION)
does: moving or renaming one makes every index unreadable, which a test of
the committed fixture index catches.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from typing import Any


class PackedValues:
    """A posting block's values in one bytes object, sliced when one is asked for.

    Whoosh's own blocks hold a tuple of bytes objects, and unpickling those
    was most of the cost of reading a block. Whoosh's reader only indexes the
    values, which this does as a tuple would. Index files name this class, so
    it keeps its name and module (see the module's docstring).
    """

    __slots__ = ("data", "ends")

    def __init__(self, data: bytes, ends: array) -> None:
        self.data = data
        self.ends = ends

    def __len__(self) -> int:
        return len(self.ends)

    def __getitem__(self, i: int) -> bytes:
        if i < 0:
            i += len(self.ends)
        return self.data[self.ends[i - 1] if i else 0 : self.ends[i]]

    def __iter__(self) -> Iterator[bytes]:
        start = 0
        for end in self.ends:
            yield self.data[start:end]
            start = end

    def __reduce__(self) -> tuple[Any, ...]:
        return PackedValues, (self.data, self.ends)
