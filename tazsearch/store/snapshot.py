"""One commit of an index, open for reading: everything the engine reads, it reads here.

Search, facets, did-you-mean and similar articles see the index through a
:class:`Snapshot`: postings as arrays numbered index-wide, stored fields, the
field lengths, the in-memory columns and the lists of terms. Behind it are
Whoosh's readers of the commit's segments. A snapshot is used by one thread
at a time; values computed from one segment are kept in the Index's
:class:`~tazsearch.store.cache.SegmentCache`, those of the whole commit in
the snapshot.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from functools import cached_property
from itertools import islice
from typing import Any, TypeVar

import numpy as np
from whoosh.codec.whoosh3 import W3Codec
from whoosh.fields import Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length

from ..arrays import cumsum_per_run, run_starts
from ..docvalues import UNDATED, DocValues, SegmentValues
from ..fields import CONTENT
from ..lexicon import SegmentLexicon
from .blocks import TermPostings, read_blocks
from .cache import SegmentCache
from .generations import Generation, open_reader, read_lexicon

T = TypeVar("T")
_BYTE_LENGTHS = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)
_NOTHING = np.zeros(0, dtype=np.int64)
NO_POSTINGS = TermPostings(_NOTHING, np.zeros(0), [], _NOTHING)


class Snapshot:
    """The commit ``generation`` (None: no commit, an empty index), open for reading."""

    def __init__(
        self,
        storage: FileStorage,
        schema: Schema,
        generation: Generation | None,
        cache: SegmentCache | None = None,
    ) -> None:
        self.number = generation.number if generation else 0
        self._storage = storage
        self._searcher = Searcher(open_reader(storage, schema, generation))
        self._cache = cache or SegmentCache()
        # The segments' readers, each with its first document's number. An index
        # without a commit, or whose commit holds no segment, has none.
        self._leaves = [
            (leaf.reader(), offset)
            for leaf, offset in self._searcher.leaf_searchers()
            if leaf.reader().segment() is not None
        ]
        self.size = self._searcher.doc_count_all()
        self.schema = schema
        # What the engine computes from this commit and keeps for its next searches.
        self.memo: dict[str, Any] = {}

    def close(self) -> None:
        self._searcher.close()

    def _per_segment(self, kind: str, compute: Callable[[Any], T]) -> list[T]:
        """``compute(segment reader)`` for each segment, kept in the cache."""
        found = []
        for reader, _ in self._leaves:
            key = (reader.segment().segment_id(), kind)
            found.append(self._cache.get(key, lambda r=reader: compute(r)))
        return found

    # Documents

    def doc_count(self) -> int:
        """Documents not deleted."""
        return self._searcher.doc_count()

    @cached_property
    def live(self) -> np.ndarray:
        """A flag per document number, set where the document is not deleted."""
        live = np.ones(self.size, dtype=bool)
        for reader, offset in self._leaves:
            if reader.has_deletions():
                deleted = reader._perdoc.deleted_docs()
                live[np.fromiter(deleted, np.int64) + offset] = False
        return live

    def stored(self, docnum: int) -> dict[str, Any]:
        return self._searcher.stored_fields(docnum)

    def docnum_of(self, field: str, value: str) -> int | None:
        """The live document whose exact-value field holds ``value``."""
        return self._searcher.document_number(**{field: value})

    # Terms

    def postings(self, field: str, text: str) -> TermPostings:
        """A term's postings in every segment, live documents only, numbered index-wide."""
        btext = text.encode("utf-8")
        gaps, weights, blocks, offsets = [], [], [], []
        for reader, offset in self._leaves:
            if (field, btext) not in reader:
                continue
            for block_gaps, block_weights, values, _, _ in read_blocks(
                reader.postings(field, btext)
            ):
                offsets.append(offset)
                gaps.append(np.asarray(block_gaps, dtype=np.int64))
                weights.append(np.asarray(block_weights, dtype=np.float64))
                blocks.append(values)
        if not blocks:
            return NO_POSTINGS
        sizes = np.array([len(g) for g in gaps])
        # Each block's gaps count from its segment's first document: a cumulative
        # sum per block, then the segment's offset.
        docs = cumsum_per_run(np.concatenate(gaps), run_starts(sizes))
        docs += np.repeat(offsets, sizes)
        weights_all = np.concatenate(weights)
        raw = np.arange(len(docs))
        kept = self.live[docs]
        if not kept.all():
            docs, weights_all, raw = docs[kept], weights_all[kept], raw[kept]
        return TermPostings(docs, weights_all, blocks, raw)

    def has_term(self, field: str, text: str) -> bool:
        return (field, text.encode("utf-8")) in self._searcher.reader()

    def doc_frequency(self, field: str, text: str) -> int:
        """In how many documents the term is, deleted ones included."""
        return self._searcher.doc_frequency(field, text.encode("utf-8"))

    def doc_count_all(self) -> int:
        return self.size

    def terms_with_prefix(self, field: str, prefix: str, limit: int) -> list[str]:
        """The first ``limit`` terms of the field starting with ``prefix``, in order."""
        found = islice(self._searcher.reader().expand_prefix(field, prefix), limit)
        return [t.decode("utf-8") for t in found]

    def first_doc_with(self, field: str, text: str) -> int | None:
        """The first live document holding the term."""
        postings = self.postings(field, text)
        return int(postings.docs[0]) if len(postings.docs) else None

    def lexicons(self) -> list[SegmentLexicon]:
        """Each segment's sorted terms of ``content``."""

        def read(reader: Any) -> SegmentLexicon:
            text = read_lexicon(self._storage, reader.segment())
            if text is None:  # A segment written before lexicons were.
                text = "\n".join(t.decode("utf-8") for t in reader.lexicon(CONTENT))
            return SegmentLexicon(text)

        return self._per_segment("lexicon", read)

    def key_terms(self, text: str, count: int) -> list[tuple[str, float]]:
        """The ``count`` terms of ``text`` that set it most apart from the index
        (Whoosh's Bo1 model of divergence from randomness), with their weights."""
        return self._searcher.key_terms_from_text(CONTENT, text, numterms=count)

    # Field lengths and columns

    def average_length(self, field: str) -> float:
        return self._searcher.avg_field_length(field) or 1.0

    def lengths(self, field: str) -> np.ndarray:
        """Each document's length in the field, as the index keeps it (one byte)."""

        def read(reader: Any) -> np.ndarray:
            # The lengths column has no field in the schema. Its file holds one byte
            # per document, up to the last with a length; those after it have none.
            # Read whole, as an array: Whoosh's reader reads it a byte at a time.
            name = W3Codec.column_filename(reader.segment(), f"_{field}_len")
            count = reader.doc_count_all()
            if not self._storage.file_exists(name):
                return np.zeros(count)
            with self._storage.open_file(name) as column:
                data = np.frombuffer(column.read(), np.uint8)[:count]
            lengths = np.zeros(count, dtype=np.uint8)
            lengths[: len(data)] = data
            return _BYTE_LENGTHS[lengths]

        return np.concatenate([np.zeros(0), *self._per_segment(f"lengths {field}", read)])

    @cached_property
    def values(self) -> DocValues:
        """Each document's date, tag keys and author keys, as arrays."""

        def read(reader: Any) -> SegmentValues:
            dates = list(reader.column_reader("date", translate=False))
            return SegmentValues.read(dates, list(reader.column_reader("facet_keys")))

        return DocValues.join(self._per_segment("values", read))

    def date_number(self, moment: dt.datetime) -> int:
        """A date as the date column's number, as :attr:`values` holds them."""
        return int(self.schema["date"].to_column_value(moment))

    def date_of(self, number: int) -> dt.datetime | None:
        return None if number == UNDATED else self.schema["date"].from_column_value(number)

    def idf(self, text: str) -> float:
        """The inverse document frequency of a ``content`` term, for weighing snippets."""
        return self._searcher.idf(CONTENT, text)

    def stored_documents(self) -> Iterator[dict[str, Any]]:
        """Every live document's stored fields."""
        return self._searcher.all_stored_fields()
