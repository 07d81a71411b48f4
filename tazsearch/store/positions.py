"""Whoosh's Positions format, many values at a time.

A value is the number of positions (4 bytes, big-endian), then the list of
the gaps between them, pickled with protocol 2, as Whoosh's own
``Positions`` format encodes it. Indexing writes hundreds of values per
article and a phrase query reads thousands, so both sides work on many
values at once with numpy instead of pickling or unpickling each.
"""

from __future__ import annotations

from itertools import chain
from pickle import loads
from struct import Struct

import numpy as np

from ..arrays import cumsum_per_run, gather_ranges, run_starts

COUNT = Struct("!I")
_NOTHING = np.zeros(0, dtype=np.int64)
# How pickle's protocol 2 writes a list of small ints: a header making an
# empty list, then the items in batches of up to 1,000, each batch between
# MARK and APPENDS (one item alone: the item, then APPEND), then STOP. An int
# below 256 is K and a byte, below 65,536 M and two, else J and four.
_PICKLED_LIST = b"\x80\x02]q\x00"
_PICKLE_HEADER = _PICKLED_LIST[:3]  # what every pickled list starts with
_PICKLE_BATCH = 1000
_MARK, _APPENDS, _APPEND, _STOP = b"(", b"e", b"a", b"."
_INT_OPCODES = np.frombuffer(b"KMJ", dtype=np.uint8)


def encode_position_lists(positions: np.ndarray, starts: np.ndarray) -> tuple[bytes, np.ndarray]:
    """Position lists in Whoosh's Positions format: ``positions`` holds them end
    to end, the i-th starting at ``starts[i]``. The encoded lists, end to end,
    and the size of each.

    The pickles are laid out with array operations, not pickled one by one:
    indexing encodes hundreds of lists per article.
    """
    total = len(positions)
    counts = np.diff(np.append(starts, total))
    gaps = np.diff(positions, prepend=0)
    gaps[starts] = positions[starts]
    kind = (gaps >= 256).astype(np.int64) + (gaps >= 65_536)  # 0: K, 1: M, 2: J
    item_sizes = np.array([2, 3, 5])[kind]
    alone = counts == 1
    batches = (counts + _PICKLE_BATCH - 1) // _PICKLE_BATCH
    marks = np.where(alone, 1, 2 * batches)  # APPEND, or MARK and APPENDS per batch
    head = COUNT.size + len(_PICKLED_LIST)
    sizes = (head + np.add.reduceat(item_sizes, starts) + marks + 1) if total else counts
    list_starts = run_starts(sizes)
    index = np.arange(total) - np.repeat(starts, counts)  # of each item in its list
    batch = index // _PICKLE_BATCH
    before = np.cumsum(item_sizes) - item_sizes  # bytes of the items before each
    item_alone = np.repeat(alone, counts)
    offsets = (
        np.repeat(list_starts + head, counts)
        + before
        - np.repeat(before[starts], counts)
        + np.where(item_alone, 0, 1 + 2 * batch)
    )
    out = np.zeros(int(sizes.sum()), dtype=np.uint8)
    count_bytes = counts.astype(">u4").view(np.uint8).reshape(-1, 4)
    for j in range(4):
        out[list_starts + j] = count_bytes[:, j]
    for j, byte in enumerate(_PICKLED_LIST):
        out[list_starts + COUNT.size + j] = byte
    out[offsets] = _INT_OPCODES[kind]
    little = gaps.astype("<u4").view(np.uint8).reshape(-1, 4)
    for j in range(4):
        wide = item_sizes > j + 1
        out[offsets[wide] + 1 + j] = little[wide, j]
    first = (index % _PICKLE_BATCH == 0) & ~item_alone
    out[offsets[first] - 1] = ord(_MARK)
    last = (index % _PICKLE_BATCH == _PICKLE_BATCH - 1) | (index == np.repeat(counts - 1, counts))
    out[offsets[last] + item_sizes[last]] = np.where(item_alone[last], ord(_APPEND), ord(_APPENDS))
    out[list_starts + sizes - 1] = ord(_STOP)
    return out.tobytes(), sizes


def decode_positions(
    data: bytes, starts: np.ndarray, ends: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The positions held by the values ``data[starts[i]:ends[i]]``: how many in
    each, and all of them, value after value.

    A value in Whoosh's Positions format is a count, then the pickled list of
    gaps between positions. Rather than unpickling each value, their lists
    are cut out and joined, with numpy, into one pickled list of lists, which
    is unpickled in one call.
    """
    if not len(starts):
        return _NOTHING, _NOTHING
    raw = np.frombuffer(data, np.uint8)
    body = starts + COUNT.size + len(_PICKLE_HEADER) - 1  # each list's own "]"
    well_formed = all(
        (raw[body - len(_PICKLE_HEADER) + 1 + i] == byte).all()
        for i, byte in enumerate(_PICKLE_HEADER)
    )
    if not (well_formed and (raw[ends - 1] == ord(_STOP)).all()):
        # Pickled otherwise: one value at a time.
        values = (data[a + COUNT.size : e] for a, e in zip(starts, ends, strict=True))
        lists = [loads(v if v.endswith(_STOP) else v + _STOP) for v in values]
    else:
        # Each list from its "]" to its final "." (a STOP), which becomes an APPEND
        # to the outer list.
        lengths = ends - body
        joined = gather_ranges(raw, body, lengths)
        joined[np.cumsum(lengths) - 1] = ord(_APPEND)
        lists = loads(_PICKLE_HEADER + joined.tobytes() + _STOP)
    counts = np.fromiter(map(len, lists), np.int64, len(lists))
    gaps = np.fromiter(chain.from_iterable(lists), np.int64, int(counts.sum()))
    return counts, cumsum_per_run(gaps, run_starts(counts))
