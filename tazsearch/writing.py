"""Fast writing of Whoosh segments, in this process or on every core.

Whoosh's own writer sends each posting through a sorting pool, looks up the
document's field length again for every posting and compresses every
posting block, however small. That made writing postings most of the cost of
indexing. :class:`SegmentBuilder` appends a segment's postings to flat
arrays, a batch of documents at a time, sorts them by term with numpy, and
writes them once in Whoosh's own file format (the W3 codec), packing term
infos itself rather than making an object per term, so Whoosh reads, searches
and merges the segments as its own. Each block holds up to 1,024 postings
as arrays and one :class:`PackedValues` rather than tuples, and is not
compressed, which makes reading it several times faster; a term with one
posting keeps it in its term info.
:class:`ParallelBuilder` runs one builder per core in worker processes, fed
with batches of documents.

The segments written here are not part of the index until the caller lists
them in a commit; files of segments never committed are deleted by the next
commit.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import gc
import multiprocessing
import os
import queue
import signal
import sys
import threading
from array import array
from collections import defaultdict
from collections.abc import Iterator, Sequence
from itertools import accumulate, pairwise
from pickle import dumps
from struct import Struct
from typing import Any
from zlib import crc32

import numpy as np
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3Codec, W3LeafMatcher
from whoosh.fields import Schema
from whoosh.filedb.filestore import FileStorage, Storage
from whoosh.filedb.filetables import HashWriter, OrderedHashWriter
from whoosh.matching.wrappers import FilterMatcher
from whoosh.system import pack_int
from whoosh.util.numeric import length_to_byte
from whoosh.util.numlists import GrowableArray

from .arrays import gather_ranges
from .schema import FieldPostings

# Postings per block. Whoosh writes 128, to skip blocks when it steps through
# matches; queries here read every block whole into arrays (see
# tazsearch.matching), where each block costs a few Python steps, so
# larger blocks make common words several times cheaper to read.
BLOCK_LIMIT = 1024
# A builder writes its segment out once it holds this many postings, which
# bounds its memory at a few hundred MB whatever the size of the run.
SEGMENT_POSTINGS = 6_000_000
BATCH_SIZE = 64
# Each segment also lists the terms of this field, sorted, one a line, in a file
# of this extension: prefixes, wildcards and fuzzy words are found in it at C
# speed (see tazsearch.lexicon), where Whoosh steps through its terms one by one.
LEXICON_FIELD = "content"
LEXICON_EXT = ".lex"
PR_SET_PDEATHSIG = 1
PICKLE_PROTOCOL = 5
_CRC32 = 1  # Whoosh's number for the hash function of a hash file
_ENTRY_LENGTHS = Struct("!ii")  # a hash file entry's key and value lengths
_HASH_SLOT = Struct("!Iq")  # a hash table slot: the key's hash, the entry's position

Document = dict[str, Any]
_EMPTY_MAPPING = np.empty(0, dtype=np.int64)


class _PostingTable:
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

    def by_term(self) -> Iterator[tuple[str, bytes, _Chunk, int, int]]:
        """(field, term, chunk, first, last) of every term, sorted by field and
        term: the term's postings are the chunk's ``first`` to ``last``."""
        order = sorted(range(len(self.keys)), key=self.keys.__getitem__)
        rank = np.empty(len(order), dtype=np.uint32)
        rank[order] = np.arange(len(order), dtype=np.uint32)
        terms = np.frombuffer(self.terms, dtype=np.uint32)
        table = _SortedPostings(np.argsort(rank[terms], kind="stable"), self)
        counts = np.bincount(terms, minlength=len(order))[order].tolist()
        keys = self.keys
        chunk = _Chunk([], [], [0], b"")
        offset = stop = first = 0
        for number, count in zip(order, counts, strict=True):
            last = first + count
            if last > stop:
                offset, stop = first, max(last, first + _SortedPostings.CHUNK)
                chunk = table.chunk(offset, stop)
            field, text = keys[number]
            yield field, text, chunk, first - offset, last - offset
            first = last


class _SortedPostings:
    """A table's postings sorted by term, handed out a chunk at a time as Python lists.

    They are gathered a chunk at a time: all at once would take several
    times the memory of the table.
    """

    CHUNK = 65_536

    def __init__(self, order: np.ndarray, table: _PostingTable) -> None:
        self._order = order
        self._docnums = np.frombuffer(table.docnums, dtype=np.uint32)
        self._weights = np.frombuffer(table.weights, dtype=np.float32)
        # 32-bit, as the table's own arrays: a segment's values stay far below 4 GB,
        # and these arrays are as long as the table.
        self._sizes = np.frombuffer(table.sizes, dtype=np.uint32)
        self._starts = np.cumsum(self._sizes, dtype=np.uint32) - self._sizes
        self._data = np.frombuffer(table.data, dtype=np.uint8)

    def chunk(self, first: int, stop: int) -> _Chunk:
        """Postings ``first`` to ``stop`` (exclusive) in term order."""
        chosen = self._order[first:stop]
        sizes = self._sizes[chosen].astype(np.int64)
        starts = self._starts[chosen].astype(np.int64)
        ends = [0, *np.cumsum(sizes).tolist()]
        return _Chunk(
            self._docnums[chosen].tolist(),
            self._weights[chosen].tolist(),
            ends,
            gather_ranges(self._data, starts, sizes).tobytes(),
        )


class _Chunk:
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


class PackedValues:
    """A posting block's values in one bytes object, sliced when one is asked for.

    Whoosh's own blocks hold a tuple of bytes objects, and unpickling those
    was most of the cost of reading a block. Whoosh's reader only indexes the
    values, which this does as a tuple would. Index files name this class, so
    it keeps its name and module.
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


class SegmentBuilder:
    """Collects documents in memory and writes them as one or more Whoosh segments."""

    def __init__(self, storage: Storage, schema: Schema, indexname: str = "MAIN") -> None:
        self.storage = storage
        self.schema = schema
        self.indexname = indexname
        self.codec = W3Codec()
        self.segments: list[Any] = []
        # Fields that list the postings of a batch of documents themselves.
        self._listing_fields = [
            name
            for name in schema.names()
            if schema[name].indexed and hasattr(schema[name], "postings")
        ]
        # A segment is started by the first document it gets, not before: an
        # open segment holds a scratch file until it is written.
        self._perdoc: Any = None
        self._segment: Any = None
        self._docnum = 0

    def _start(self) -> None:
        self._segment = self.codec.new_segment(self.storage, self.indexname)
        self._perdoc = self.codec.per_document_writer(self.storage, self._segment)
        self._postings = _PostingTable()
        self._lengths: dict[str, array] = {}
        self._docnum = 0

    def add(self, document: Document) -> None:
        """Add one document, given as for Whoosh's ``add_document``."""
        self.add_batch([document])

    def add_batch(self, documents: Sequence[Document]) -> None:
        """Add documents, each given as for Whoosh's ``add_document``.

        Fields that list their postings themselves get those of the whole
        batch in one call.
        """
        if not documents:
            return
        if self._perdoc is None:
            self._start()
        lengths: dict[str, dict[int, int]] = {}
        for name in self._listing_fields:
            given = [i for i, document in enumerate(documents) if document.get(name) is not None]
            if not given:
                continue
            postings = self.schema[name].postings([documents[i][name] for i in given])
            docnums = self._docnum + np.array(given, dtype=np.int64)
            self._postings.add_numbered(name, docnums[postings.documents], postings)
            lengths[name] = dict(zip(given, postings.lengths.tolist(), strict=True))
        pending: dict[str, list[tuple[int, bytes, float, bytes]]] = defaultdict(list)
        for i, document in enumerate(documents):
            listed = {name: found[i] for name, found in lengths.items() if i in found}
            self._add_document(document, listed, pending)
        for name, postings in pending.items():
            if not postings:  # The field's values had no terms.
                continue
            docnums, texts, weights, values = zip(*postings, strict=True)
            self._postings.add(name, docnums, texts, weights, values)
        if len(self._postings) >= SEGMENT_POSTINGS:
            self._flush()

    def _add_document(
        self,
        document: Document,
        listed: dict[str, int],
        pending: dict[str, list[tuple[int, bytes, float, bytes]]],
    ) -> None:
        """Add one document, but the postings of the fields in ``listed``, which
        were added already: their field lengths. The postings of its other
        fields go to ``pending``, for the table to take a batch's at once."""
        docnum = self._docnum
        perdoc = self._perdoc
        perdoc.start_doc(docnum)
        for name in sorted(document):
            value = document[name]
            if name.startswith("_") or value is None:
                continue
            field = self.schema[name]
            length = 0
            if name in listed:
                length = listed[name]
            elif field.indexed:
                items = list(field.index(value))
                pending[name].extend((docnum, text, weight, v) for text, _, weight, v in items)
                length = sum(freq for _, freq, _, _ in items)
            if field.indexed and field.scorable:
                lengths = self._lengths.setdefault(name, array("I"))
                lengths.extend([0] * (docnum + 1 - len(lengths)))
                lengths[docnum] = length
            else:
                length = 0
            stored = document.get("_stored_" + name, value)
            perdoc.add_field(name, field, stored if field.stored else None, length)
            if field.column_type and stored is not None:
                perdoc.add_column_value(name, field.column_type, field.to_column_value(stored))
        perdoc.finish_doc()
        self._docnum += 1

    def add_segment(self, reader: Any) -> None:
        """Copy the live documents of a segment, postings and all, into this one.

        This is how small segments are merged: postings are copied block by
        block, with no analysis, and deleted documents are left behind. The
        whole segment goes into the segment being built, so merging never
        splits one.
        """
        if self._perdoc is None:
            self._start()
        schema = self.schema
        columns = {}
        for name in schema.names():
            column = schema[name].column_type
            if column and reader.has_column(name):
                columns[name] = reader.column_reader(name, column, translate=False)
        docmap: dict[int, int] = {}
        for old, stored in reader.iter_docs():  # Live documents only.
            new = docmap[old] = self._docnum
            self._perdoc.start_doc(new)
            for name in schema.names():
                field = schema[name]
                length = reader.doc_field_length(old, name) or 0 if field.scorable else 0
                if length:
                    lengths = self._lengths.setdefault(name, array("I"))
                    lengths.extend([0] * (new + 1 - len(lengths)))
                    lengths[new] = length
                self._perdoc.add_field(name, field, stored.get(name), length)
                if name in columns:
                    self._perdoc.add_column_value(name, field.column_type, columns[name][old])
            self._perdoc.finish_doc()
            self._docnum += 1
        for name, text in reader.all_terms():
            for docnums, weights, values, _, _ in read_block_lists(reader.postings(name, text)):
                kept = [i for i, d in enumerate(docnums) if d in docmap]
                self._postings.add(
                    name,
                    [docmap[docnums[i]] for i in kept],
                    [text] * len(kept),
                    [weights[i] for i in kept],
                    [values[i] for i in kept],
                )

    def finish(self) -> list[Any]:
        """Write what is left; the segments written, for the caller to commit."""
        if self._perdoc is not None:
            self._flush()
        return self.segments

    def cancel(self) -> None:
        """Drop the documents and delete the segments written so far; never fails,
        since it runs after a failure (a full disk, a vanished folder)."""
        with contextlib.suppress(Exception):
            if self._perdoc is not None and not self._perdoc.is_closed:
                self._perdoc.close()
        started = [*self.segments, *([self._segment] if self._segment is not None else [])]
        prefixes = tuple(s.make_filename("") for s in started)
        for name in list(self.storage.list()):
            if name.startswith(prefixes):
                with contextlib.suppress(OSError):
                    self.storage.delete_file(name)
        self.segments = []

    def _flush(self) -> None:
        segment = self._segment
        self._perdoc.close()
        segment.set_doc_count(self._docnum)
        terms_file = _TermsFile(segment.create_file(self.storage, W3Codec.TERMS_EXT))
        postings_file = _PostingsFile(segment.create_file(self.storage, W3Codec.POSTS_EXT))
        fieldmap: dict[str, int] = {}
        terms_file.extras["fieldmap"] = fieldmap
        lexicon: list[bytes] = []  # the content field's terms, in order
        for name, text, chunk, first, last in self._postings.by_term():
            if name == LEXICON_FIELD:
                lexicon.append(text)
            if name not in fieldmap:
                fieldmap[name] = len(fieldmap)
                field = _FieldPostings(
                    len(fieldmap) - 1,
                    self._lengths.get(name),
                    self.schema[name].format.fixed_value_size(),
                )
            if last - first == 1:
                info = field.inlined(chunk, first)
            else:
                info = field.write(postings_file, chunk, first, last)
            terms_file.add(field.prefix + text, info)
        terms_file.close()
        postings_file.close()
        lexicon_file = segment.create_file(self.storage, LEXICON_EXT)
        lexicon_file.write(b"\n".join(lexicon))
        lexicon_file.close()
        self.segments.append(segment)
        self._perdoc = self._segment = None


# W3TermInfo's fixed part: flags (1 if inlined), total weight, document
# frequency, shortest and longest field length as bytes, greatest weight,
# first and last document number; then the postings' extent or, inlined, the
# postings pickled.
_TERM_INFO = Struct("!BfIBBfII")
_EXTENT = Struct("!qi")


class _FieldPostings:
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

    def inlined(self, chunk: _Chunk, i: int) -> bytes:
        """The term info of a term whose one posting is the chunk's ``i``-th.

        It holds the posting itself: the W3 codec reads it from there, and
        writing a block took two pickles and a write for most terms of a segment.
        """
        docnum, weight = chunk.docnums[i], chunk.weights[i]
        value = chunk.data[chunk.ends[i] : chunk.ends[i + 1]]
        length = self.length_bytes[docnum] if self.length_bytes else 0
        info = _TERM_INFO.pack(1, weight, 1, length, length, weight, docnum, docnum)
        return info + dumps(((docnum,), (weight,), (value,)), 2)

    def write(self, out: _PostingsFile, chunk: _Chunk, first: int, last: int) -> bytes:
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


class _PostingsFile:
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


class _TermsFile(OrderedHashWriter):
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


class ParallelBuilder:
    """Builds segments in worker processes, one per core, from batches of documents.

    Every wait on the workers has a timeout and checks on them: a worker that
    fails (a full disk) or dies (killed, out of memory) fails the run at once,
    and never leaves the parent waiting on a queue nobody reads.
    """

    _POLL_SECONDS = 0.5
    _JOIN_SECONDS = 10

    def __init__(self, directory: str, schema: Schema, processes: int) -> None:
        context = multiprocessing.get_context("spawn")
        self._tasks = context.Queue(maxsize=processes * 4)
        self._results = context.Queue()
        self._batch: list[Document] = []
        self._segments: list[Any] = []
        self._finished = 0  # workers whose segments came back
        self._workers = [
            context.Process(
                target=_work,
                args=(directory, schema, self._tasks, self._results, os.getpid()),
                daemon=True,
            )
            for _ in range(processes)
        ]
        # Ctrl-C reaches the whole process group, workers starting up included:
        # they start with it ignored, and the parent decides what stops.
        main_thread = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main_thread else None
        try:
            for worker in self._workers:
                worker.start()
        finally:
            if main_thread:
                signal.signal(signal.SIGINT, previous)

    def add(self, document: Document) -> None:
        self._batch.append(document)
        if len(self._batch) >= BATCH_SIZE:
            self._put(self._batch)
            self._batch = []

    def _put(self, item: list[Document] | None) -> None:
        """Hand work to the workers, checking on them while the queue is full."""
        self._take_results()
        while True:
            try:
                self._tasks.put(item, timeout=self._POLL_SECONDS)
                return
            except queue.Full:
                self._check_workers()

    def _take_results(self, timeout: float | None = None) -> bool:
        """Take one worker's outcome if there is one; raise a worker's failure."""
        try:
            outcome = self._results.get(timeout=timeout) if timeout else self._results.get_nowait()
        except queue.Empty:
            return False
        if isinstance(outcome, _Failure):
            raise outcome.error()
        self._segments.extend(outcome)
        self._finished += 1
        return True

    def _check_workers(self) -> None:
        """Raise if a worker stopped before giving its outcome: killed, out of memory."""
        self._take_results()
        stopped = [w.exitcode for w in self._workers if w.exitcode is not None]
        if len(stopped) > self._finished and not self._take_results(self._POLL_SECONDS):
            code = next((c for c in stopped if c), stopped[0])
            raise OSError(f"an indexing process stopped unexpectedly (exit code {code})")

    def finish(self) -> list[Any]:
        """Wait for the workers to write their last segments; all segments written."""
        try:
            if self._batch:
                self._put(self._batch)
                self._batch = []
            for _ in self._workers:
                self._put(None)
            while self._finished < len(self._workers):
                if not self._take_results(self._POLL_SECONDS):
                    self._check_workers()
        except BaseException:
            self.cancel()
            raise
        for worker in self._workers:
            worker.join(self._JOIN_SECONDS)
        return self._segments

    def cancel(self) -> None:
        """Stop the workers and wait until they are gone; what they wrote is never committed."""
        for worker in self._workers:
            if worker.is_alive():
                worker.terminate()
        for worker in self._workers:
            worker.join(self._JOIN_SECONDS)
            if worker.is_alive():
                worker.kill()
                worker.join()
        # Batches still in the pipes will never be read: without this, the
        # queues' feeder threads would keep the process from exiting.
        for pipe in (self._tasks, self._results):
            pipe.cancel_join_thread()
            pipe.close()


class _Failure:
    """A worker's error, sent to the parent: an OSError keeps its number and text."""

    def __init__(self, exc: BaseException) -> None:
        self.errno = getattr(exc, "errno", None)
        self.strerror = getattr(exc, "strerror", None)
        self.message = f"indexing process failed: {type(exc).__name__}: {exc}"

    def error(self) -> OSError:
        if self.errno is not None and self.strerror:
            return OSError(self.errno, self.strerror)
        return OSError(self.message)


def _die_with(parent: int) -> None:
    """Have the kernel kill this process when the parent dies, as after a kill -9.

    Without it a worker could wait for ever on a half-written batch, holding
    the parent's output pipes open. Elsewhere than Linux, the worker checks
    its parent while it waits for work.
    """
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # It died before that took effect.
        os._exit(1)


def _work(directory: str, schema: Schema, tasks: Any, results: Any, parent: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with(parent)
    try:
        builder = SegmentBuilder(FileStorage(directory), schema)
        while True:
            try:
                batch = tasks.get(timeout=1)
            except queue.Empty:
                if os.getppid() != parent:  # The indexer was killed: nothing will commit this.
                    return
                continue
            if batch is None:
                break
            builder.add_batch(batch)
            # The vocabulary grows by thousands of objects a batch, and the
            # collector's full passes over them took a tenth of the time: what
            # lives now is left out of its passes from here on.
            gc.freeze()
        results.put(builder.finish())
    except BaseException as exc:  # Handed to the parent, which reports it.
        results.put(_Failure(exc))
