"""A segment's terms and postings files, written in Whoosh's W3 format.

Whoosh's own writer makes an object per term and compresses every posting
block, however small. Here a term's postings are written as W3 blocks of up
to :data:`BLOCK_LIMIT` postings each (arrays, and one :class:`PackedValues`
for their values, uncompressed), their term info packed directly as
``W3TermInfo.to_bytes`` would pack it; a term with one posting keeps it in
its term info, as the W3 codec reads it. The terms file is Whoosh's ordered
hash file, its entries written tens of thousands at a time.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from itertools import accumulate, pairwise
from pickle import dumps
from struct import Struct
from typing import Any
from zlib import crc32

import numpy as np
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3Codec
from whoosh.fields import Schema
from whoosh.filedb.filestore import Storage
from whoosh.filedb.filetables import HashWriter, OrderedHashWriter
from whoosh.system import pack_int
from whoosh.util.numeric import length_to_byte
from whoosh.util.numlists import GrowableArray

from ..fields import CONTENT
from .files import LEXICON_EXT
from .postings import Chunk, PostingTable

# Postings per block. Whoosh writes 128, to skip blocks when it steps through
# matches; queries here read every block whole into arrays (see
# tazsearch.matching), where each block costs a few Python steps, so
# larger blocks make common words several times cheaper to read.
BLOCK_LIMIT = 1024
PICKLE_PROTOCOL = 5
_CRC32 = 1  # Whoosh's number for the hash function of a hash file
_ENTRY_LENGTHS = Struct("!ii")  # a hash file entry's key and value lengths
_HASH_SLOT = Struct("!Iq")  # a hash table slot: the key's hash, the entry's position
# W3TermInfo's fixed part: flags (1 if inlined), total weight, document
# frequency, shortest and longest field length as bytes, greatest weight,
# first and last document number; then the postings' extent or, inlined, the
# postings pickled.
_TERM_INFO = Struct("!BfIBBfII")
_EXTENT = Struct("!qi")


class FieldWriter:
    """Writes the postings of one field's terms in the W3 codec's format, and
    makes their term infos as ``W3TermInfo.to_bytes`` would, without an object
    per term.

    ``lengths`` holds each document's field length, None for a field that is
    not scored; ``value_size`` is the field format's fixed value size, as the
    W3 codec expects it: None for values of any size, 0 for none.
    """

    def __init__(self, number: int, lengths: array | None, value_size: int | None) -> None:
        self.prefix = number.to_bytes(2, "big")
        self.length_bytes = [length_to_byte(n) for n in lengths] if lengths else None
        self.value_size = value_size

    def inlined(self, chunk: Chunk, i: int) -> bytes:
        """The term info of a term whose one posting is the chunk's ``i``-th.

        It holds the posting itself: the W3 codec reads it from there, and
        writing a block took two pickles and a write for most terms of a segment.
        """
        docnum, weight = chunk.docnums[i], chunk.weights[i]
        value = chunk.data[chunk.ends[i] : chunk.ends[i + 1]]
        length = self.length_bytes[docnum] if self.length_bytes else 0
        info = _TERM_INFO.pack(1, weight, 1, length, length, weight, docnum, docnum)
        return info + dumps(((docnum,), (weight,), (value,)), 2)

    def write(self, out: PostingsFile, chunk: Chunk, first: int, last: int) -> bytes:
        """Write the chunk's postings ``first`` to ``last`` (exclusive), one
        term's, as W3 blocks in one piece; the term info pointing at them."""
        docnums = chunk.docnums[first:last]
        weights = chunk.weights[first:last]
        count = last - first
        total_weight = 0.0
        min_length = max_length = 0  # as length bytes, 0 for none
        pieces = [WHOOSH3_HEADER_MAGIC]
        for start in range(0, count, BLOCK_LIMIT):
            stop = min(start + BLOCK_LIMIT, count)
            block_docnums = docnums[start:stop]
            block_weights = weights[start:stop]
            # Field lengths as bytes, which keep their order. A block with a
            # document without the field (0) has no shortest length.
            lengths = [self.length_bytes[d] for d in block_docnums] if self.length_bytes else [0]
            block_min, block_max = min(lengths), max(lengths)
            total_weight += sum(block_weights)
            if block_min:
                min_length = min(min_length or block_min, block_min)
            max_length = max(max_length, block_max)
            deltas = array("I", [block_docnums[0]])
            deltas.extend([b - a for a, b in pairwise(block_docnums)])
            if self.value_size is None or self.value_size < 0:
                values: Any = chunk.values(first + start, first + stop)
            elif self.value_size:
                values = chunk.data[chunk.ends[first + start] : chunk.ends[first + stop]]
            else:
                values = None
            # Arrays and packed values unpickle in a few steps, where tuples take one
            # per posting; Whoosh's reader takes any sequence.
            data = dumps((deltas, _mini_weights(block_weights), values), PICKLE_PROTOCOL)
            block_info = (
                stop - start,
                block_docnums[-1],
                max(block_weights),
                0,  # Not compressed: decompressing took a fifth of reading a block.
                block_min,
                block_max,
            )
            info_bytes = dumps(block_info, 2)
            size = len(info_bytes) + len(data)
            pieces += (pack_int(-size if stop == count else size), info_bytes, data)
        offset, size = out.write(b"".join(pieces))
        info = _TERM_INFO.pack(
            0, total_weight, count, min_length, max_length, max(weights), docnums[0], docnums[-1]
        )
        return info + _EXTENT.pack(offset, size)


class PostingsFile:
    """A segment's postings file, written a few megabytes at a time."""

    FLUSH_BYTES = 1 << 23

    def __init__(self, dbfile: Any) -> None:
        self._file = dbfile
        self._offset = dbfile.tell()
        self._pieces: list[bytes] = []
        self._buffered = 0

    def write(self, data: bytes) -> tuple[int, int]:
        """Append ``data``; where it starts in the file, and its size."""
        offset = self._offset
        self._pieces.append(data)
        self._offset += len(data)
        self._buffered += len(data)
        if self._buffered >= self.FLUSH_BYTES:
            self._write_out()
        return offset, len(data)

    def _write_out(self) -> None:
        self._file.write(b"".join(self._pieces))
        self._pieces = []
        self._buffered = 0

    def close(self) -> None:
        self._write_out()
        self._file.close()


class TermsFile(OrderedHashWriter):
    """Whoosh's ordered hash file of term infos, written faster: CRC32 for the
    hash (a reader takes the hash type from the file), entries written tens of
    thousands at a time, and each hash table in one piece."""

    ENTRIES_BUFFERED = 65_536

    def __init__(self, dbfile: Any) -> None:
        HashWriter.__init__(self, dbfile, hashtype=_CRC32)
        self._keys: list[bytes] = []
        self._values: list[bytes] = []
        # The hash of every entry's key, and where the entry starts.
        self._hashes = array("I")
        self._positions = array("q")
        self._last_key = b""

    def add(self, key: bytes, value: bytes) -> None:
        self._keys.append(key)
        self._values.append(value)
        if len(self._keys) >= self.ENTRIES_BUFFERED:
            self._write_entries()

    def _write_entries(self) -> None:
        keys, values = self._keys, self._values
        if not keys:
            return
        if not (self._last_key < keys[0] and all(a < b for a, b in pairwise(keys))):
            raise ValueError("terms must come sorted and unique")
        sizes = [_ENTRY_LENGTHS.size + len(k) + len(v) for k, v in zip(keys, values, strict=True)]
        positions = list(accumulate(sizes[:-1], initial=self.dbfile.tell()))
        self.dbfile.write(
            b"".join(
                part
                for key, value in zip(keys, values, strict=True)
                for part in (_ENTRY_LENGTHS.pack(len(key), len(value)), key, value)
            )
        )
        self._hashes.extend(map(crc32, keys))
        self._positions.extend(positions)
        self._last_key = keys[-1]
        self._keys, self._values = [], []

    def close(self) -> int:
        self._write_entries()
        positions = self._positions
        self.index = GrowableArray(_index_typecode(positions[-1] if positions else 0))
        self.index.array.extend(positions.tolist())
        return super().close()

    def _write_hashes(self) -> None:
        """As Whoosh's: the entries go to 256 buckets by the low byte of their
        hash, and each bucket is an open-addressing table of twice their number.
        Each table is written in one piece."""
        hashes = np.frombuffer(self._hashes, dtype=np.uint32)
        positions = np.frombuffer(self._positions, dtype=np.int64)
        buckets = (hashes & 255).astype(np.int64)
        order = np.argsort(buckets, kind="stable")  # Each bucket in the order added.
        counts = np.bincount(buckets, minlength=256).tolist()
        empty = (0, 0)  # No entry starts at 0, where the header is.
        first = 0
        for count in counts:
            chosen = order[first : first + count]
            first += count
            self.directory.append((self.dbfile.tell(), 2 * count))
            table = [empty] * (2 * count)
            pairs = zip(hashes[chosen].tolist(), positions[chosen].tolist(), strict=True)
            for hashed, position in pairs:
                slot = (hashed >> 8) % len(table)
                while table[slot] != empty:
                    slot = (slot + 1) % len(table)
                table[slot] = (hashed, position)
            self.dbfile.write(b"".join([_HASH_SLOT.pack(*slot) for slot in table]))


def write_terms(
    storage: Storage,
    segment: Any,
    schema: Schema,
    postings: PostingTable,
    lengths: dict[str, array],
) -> None:
    """Write a segment's terms file, its postings file and its lexicon: the
    content field's terms in order, one per line, for the spelling and fuzzy
    search of :mod:`tazsearch.lexicon`."""
    terms_file = TermsFile(segment.create_file(storage, W3Codec.TERMS_EXT))
    postings_file = PostingsFile(segment.create_file(storage, W3Codec.POSTS_EXT))
    fieldmap: dict[str, int] = {}
    terms_file.extras["fieldmap"] = fieldmap
    lexicon: list[bytes] = []
    for name, text, chunk, first, last in postings.by_term():
        if name == CONTENT:
            lexicon.append(text)
        if name not in fieldmap:
            fieldmap[name] = len(fieldmap)
            field = FieldWriter(
                len(fieldmap) - 1, lengths.get(name), schema[name].format.fixed_value_size()
            )
        if last - first == 1:
            info = field.inlined(chunk, first)
        else:
            info = field.write(postings_file, chunk, first, last)
        terms_file.add(field.prefix + text, info)
    terms_file.close()
    postings_file.close()
    lexicon_file = segment.create_file(storage, LEXICON_EXT)
    lexicon_file.write(b"\n".join(lexicon))
    lexicon_file.close()


def _index_typecode(largest: int) -> str:
    """The array type Whoosh's growable array ends with for numbers up to ``largest``."""
    if largest < 2**16:
        return "H"
    return "i" if largest < 2**31 else "I" if largest < 2**32 else "q"


def _mini_weights(weights: Sequence[float]) -> Any:
    """Weights as the W3 codec stores them: None if all 1.0, one value if all equal."""
    head = weights[0]
    if weights.count(head) == len(weights):
        return None if head == 1.0 else head
    return array("f", weights)
