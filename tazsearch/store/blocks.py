"""Reading a term's posting blocks whole, into arrays, rather than a posting at a time."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate, pairwise
from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching.wrappers import FilterMatcher

from ..arrays import run_starts
from .pickled import PackedValues
from .positions import decode_positions


@dataclass(frozen=True)
class TermPostings:
    """One term's postings in every segment: live documents only, numbered
    index-wide, in ascending order, with their weights and where their values are."""

    docs: np.ndarray
    weights: np.ndarray
    blocks: list[Sequence[bytes]]  # each posting block's values
    raw: np.ndarray  # each posting's place among the blocks' values, deleted included

    def positions(self, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The term's positions in each of ``docs``, all of which hold it: how many
        in each, and all of them, document after document."""
        data, ends = [], []
        for values in self.blocks:
            if isinstance(values, PackedValues):
                data.append(values.data)
                ends.append(np.frombuffer(values.ends, np.uint32))
            else:
                data.append(b"".join(values))
                ends.append(np.cumsum(np.fromiter(map(len, values), np.int64, len(values))))
        sizes = np.array([len(d) for d in data])
        ends_all = np.concatenate(ends) + np.repeat(run_starts(sizes), [len(e) for e in ends])
        starts_all = np.concatenate([[0], ends_all[:-1]])
        chosen = self.raw[np.searchsorted(self.docs, docs)]
        return decode_positions(b"".join(data), starts_all[chosen], ends_all[chosen])


def read_blocks(matcher: Any) -> Iterator[tuple[Any, ...]]:
    """(gaps, weights, values, max weight, min length) of each posting block of a
    term in one segment, deleted documents included. The gaps are those between
    document numbers within the segment, the first one from 0; values come one
    per posting, empty where the field's format has none.

    Reads the W3 blocks directly, a block at a time; other matchers (postings
    written by Whoosh's older codecs) one posting at a time.
    """
    if isinstance(matcher, FilterMatcher):  # Deletions are filtered by the caller.
        matcher = matcher.child
    if not isinstance(matcher, W3LeafMatcher):
        docnums, weights, values = [], [], []
        while matcher.is_active():
            docnums.append(matcher.id())
            weights.append(matcher.weight())
            values.append(matcher.value() or b"")
            matcher.next()
        if docnums:
            gaps = [docnums[0], *(b - a for a, b in pairwise(docnums))]
            yield gaps, weights, tuple(values), max(weights), 0
        return
    while matcher.is_active():
        if matcher._data is None:
            matcher._read_data()
        deltas, weights, values = matcher._data
        count = len(deltas)
        if weights is None or isinstance(weights, float):
            weights = [1.0 if weights is None else weights] * count
        values = _block_values(values, matcher._fixedsize, count)
        yield deltas, weights, values, matcher._maxweight, matcher._minlength
        matcher._next_block()


def read_block_lists(matcher: Any) -> Iterator[tuple[Any, ...]]:
    """:func:`read_blocks` with each block's document numbers decoded into a list."""
    for deltas, weights, values, max_weight, min_length in read_blocks(matcher):
        yield list(accumulate(deltas)), weights, values, max_weight, min_length


def _block_values(values: Any, size: int | None, count: int) -> Sequence[bytes]:
    """A block's values one per posting, however the codec stored them."""
    if values is None or size == 0:
        return [b""] * count
    if isinstance(values, bytes) and size:  # Values of one size, stored end to end.
        return [values[i * size : (i + 1) * size] for i in range(count)]
    return values
