"""A segment's postings in memory, in flat arrays, until the segment is written.

Postings are appended a batch of documents at a time with a few calls that
run in C, not one step per posting; when the segment is written, numpy sorts
them by term and hands them out a chunk at a time, so that memory stays
bounded whatever the size of the run.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Sequence

import numpy as np

from ..arrays import gather_ranges
from .pickled import PackedValues
from .schema import FieldPostings

_EMPTY_MAPPING = np.empty(0, dtype=np.int64)


class PostingTable:
    """A segment's postings in flat arrays, in the order they were added.

    A document's postings are appended with a few calls that run in C, not a
    step per posting; :meth:`by_term` sorts them by term when the segment is
    written, keeping each term's postings in the order they came.
    """

    def __init__(self) -> None:
        self.keys: list[tuple[str, bytes]] = []  # (field, term) of each term number
        self._numbers: dict[str, dict[bytes, int]] = {}
        # Per field: the vocabulary generation, and each vocabulary number's term number or -1.
        self._mapped: dict[str, tuple[int, np.ndarray]] = {}
        self.terms = array("I")
        self.docnums = array("I")
        self.weights = array("f")
        self.sizes = array("I")  # of each encoded value; the values end to end in data
        self.data = bytearray()

    def __len__(self) -> int:
        return len(self.terms)

    def _number(self, field: str, texts: Sequence[bytes]) -> list[int]:
        """The term number of each text in the field, numbering those new."""
        numbers = self._numbers.setdefault(field, {})
        found = list(map(numbers.get, texts))
        if None in found:
            for i, text in enumerate(texts):
                if found[i] is None:
                    number = numbers.get(text)  # A text may come more than once.
                    if number is None:
                        number = numbers[text] = len(self.keys)
                        self.keys.append((field, text))
                    found[i] = number
        return found  # type: ignore[return-value]

    def add(
        self,
        field: str,
        docnums: Sequence[int],
        texts: Sequence[bytes],
        weights: Sequence[float],
        values: Sequence[bytes],
    ) -> None:
        """Append postings: the i-th of ``texts`` in document ``docnums[i]``."""
        self.terms.extend(self._number(field, texts))
        self.docnums.extend(docnums)
        self.weights.extend(weights)
        self.sizes.extend(map(len, values))
        self.data += b"".join(values)

    def add_numbered(self, field: str, docnums: np.ndarray, postings: FieldPostings) -> None:
        """Append postings whose terms come as vocabulary numbers, in ``docnums``.

        Each vocabulary number is mapped to its term number here once, so a
        batch's postings are appended with array operations alone.
        """
        generation, mapping = self._mapped.get(field, (None, _EMPTY_MAPPING))
        if generation != postings.generation or len(mapping) < len(postings.terms):
            grown = np.full(max(len(postings.terms), 2 * len(mapping)), -1, dtype=np.int64)
            if generation == postings.generation:
                grown[: len(mapping)] = mapping
            mapping = grown
            self._mapped[field] = (postings.generation, mapping)
        numbers = mapping[postings.numbers]
        new = np.flatnonzero(numbers < 0)
        if len(new):
            texts = [postings.terms[n].encode("utf-8") for n in postings.numbers[new].tolist()]
            numbers[new] = self._number(field, texts)
            mapping[postings.numbers[new]] = numbers[new]
        self.terms.frombytes(numbers.astype(np.uint32).tobytes())
        self.docnums.frombytes(docnums.astype(np.uint32).tobytes())
        self.weights.frombytes(postings.weights.astype(np.float32).tobytes())
        self.sizes.frombytes(postings.sizes.astype(np.uint32).tobytes())
        self.data += postings.data

    def by_term(self) -> Iterator[tuple[str, bytes, Chunk, int, int]]:
        """(field, term, chunk, first, last) of every term, sorted by field and
        term: the term's postings are the chunk's ``first`` to ``last``."""
        order = sorted(range(len(self.keys)), key=self.keys.__getitem__)
        rank = np.empty(len(order), dtype=np.uint32)
        rank[order] = np.arange(len(order), dtype=np.uint32)
        terms = np.frombuffer(self.terms, dtype=np.uint32)
        table = SortedPostings(np.argsort(rank[terms], kind="stable"), self)
        counts = np.bincount(terms, minlength=len(order))[order].tolist()
        keys = self.keys
        chunk = Chunk([], [], [0], b"")
        offset = stop = first = 0
        for number, count in zip(order, counts, strict=True):
            last = first + count
            if last > stop:
                offset, stop = first, max(last, first + SortedPostings.CHUNK)
                chunk = table.chunk(offset, stop)
            field, text = keys[number]
            yield field, text, chunk, first - offset, last - offset
            first = last


class SortedPostings:
    """A table's postings sorted by term, handed out a chunk at a time as Python lists.

    They are gathered a chunk at a time: all at once would take several
    times the memory of the table.
    """

    CHUNK = 65_536

    def __init__(self, order: np.ndarray, table: PostingTable) -> None:
        self._order = order
        self._docnums = np.frombuffer(table.docnums, dtype=np.uint32)
        self._weights = np.frombuffer(table.weights, dtype=np.float32)
        # 32-bit, as the table's own arrays: a segment's values stay far below 4 GB,
        # and these arrays are as long as the table.
        self._sizes = np.frombuffer(table.sizes, dtype=np.uint32)
        self._starts = np.cumsum(self._sizes, dtype=np.uint32) - self._sizes
        self._data = np.frombuffer(table.data, dtype=np.uint8)

    def chunk(self, first: int, stop: int) -> Chunk:
        """Postings ``first`` to ``stop`` (exclusive) in term order."""
        chosen = self._order[first:stop]
        sizes = self._sizes[chosen].astype(np.int64)
        starts = self._starts[chosen].astype(np.int64)
        ends = [0, *np.cumsum(sizes).tolist()]
        return Chunk(
            self._docnums[chosen].tolist(),
            self._weights[chosen].tolist(),
            ends,
            gather_ranges(self._data, starts, sizes).tobytes(),
        )


class Chunk:
    """Consecutive postings: document numbers, weights, and values, the i-th
    of which is ``data[ends[i] : ends[i + 1]]``."""

    __slots__ = ("data", "docnums", "ends", "weights")

    def __init__(self, docnums: list[int], weights: list[float], ends: list[int], data: bytes):
        self.docnums = docnums
        self.weights = weights
        self.ends = ends
        self.data = data

    def values(self, first: int, last: int) -> PackedValues:
        """The values of postings ``first`` to ``last`` (exclusive)."""
        start = self.ends[first]
        ends = array("I", [end - start for end in self.ends[first + 1 : last + 1]])
        return PackedValues(self.data[start : self.ends[last]], ends)
