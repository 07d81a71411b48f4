"""Fast writing of Whoosh segments: documents in, segment files out.

Whoosh's own writer sends each posting through a sorting pool, looks up the
document's field length again for every posting and compresses every
posting block, however small. That made writing postings most of the cost of
indexing. :class:`SegmentBuilder` appends a segment's postings to flat
arrays (:mod:`.postings`), a batch of documents at a time, and writes them
once in Whoosh's own file format (:mod:`.termfiles`), so that Whoosh reads,
searches and merges the segments as its own. :mod:`.parallel` runs one
builder per core.

The segments written here are not part of the index until the caller lists
them in a commit; files of segments never committed are deleted by the next
commit.
"""

from __future__ import annotations

import contextlib
from array import array
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import W3Codec
from whoosh.fields import Schema
from whoosh.filedb.filestore import Storage

from ..analysis import Vocabulary
from ..fields import CONTENT
from .blocks import read_block_lists
from .postings import PostingTable
from .schema import IndexDocument, content_postings
from .termfiles import write_terms

# A builder writes its segment out once it holds this many postings, which
# bounds its memory at a few hundred MB whatever the size of the run.
SEGMENT_POSTINGS = 6_000_000
BATCH_SIZE = 64


class SegmentBuilder:
    """Collects documents in memory and writes them as one or more Whoosh segments.

    Documents come as :class:`IndexDocument`: ``content`` is analysed a batch
    at a time with the builder's own :class:`Vocabulary`; the fields indexed
    as exact values are indexed as Whoosh's fields index them.
    """

    def __init__(self, storage: Storage, schema: Schema, indexname: str = "MAIN") -> None:
        self.storage = storage
        self.schema = schema
        self.indexname = indexname
        self.codec = W3Codec()
        self.segments: list[Any] = []
        self.vocabulary = Vocabulary()
        # A segment is started by the first document it gets, not before: an
        # open segment holds a scratch file until it is written.
        self._perdoc: Any = None
        self._segment: Any = None
        self._docnum = 0

    def _start(self) -> None:
        self._segment = self.codec.new_segment(self.storage, self.indexname)
        self._perdoc = self.codec.per_document_writer(self.storage, self._segment)
        self._postings = PostingTable()
        self._lengths: dict[str, array] = {}
        self._docnum = 0

    def add(self, document: IndexDocument) -> None:
        """Add one document."""
        self.add_batch([document])

    def add_batch(self, documents: Sequence[IndexDocument]) -> None:
        """Add documents: their ``content`` postings are made for the batch at once."""
        if not documents:
            return
        if self._perdoc is None:
            self._start()
        content = content_postings(self.vocabulary, [d.content for d in documents])
        docnums = self._docnum + np.arange(len(documents), dtype=np.int64)
        self._postings.add_numbered(CONTENT, docnums[content.documents], content)
        exact: dict[str, list[tuple[int, bytes, float, bytes]]] = defaultdict(list)
        for document, length in zip(documents, content.lengths.tolist(), strict=True):
            self._add_document(document, length, exact)
        for name, postings in exact.items():
            docnums_of, texts, weights, values = zip(*postings, strict=True)
            self._postings.add(name, docnums_of, texts, weights, values)
        if len(self._postings) >= SEGMENT_POSTINGS:
            self._flush()

    def _add_document(
        self,
        document: IndexDocument,
        length: int,
        exact: dict[str, list[tuple[int, bytes, float, bytes]]],
    ) -> None:
        """A document's stored fields, columns and content length; the postings of
        its exact-value fields go to ``exact``, for the table to take a batch's
        at once."""
        docnum = self._docnum
        perdoc = self._perdoc
        perdoc.start_doc(docnum)
        content = self.schema[CONTENT]
        self._set_length(CONTENT, docnum, length)
        perdoc.add_field(CONTENT, content, None, length)
        for name, value in document.exact.items():
            for text, _, weight, encoded in self.schema[name].index(value):
                exact[name].append((docnum, text, weight, encoded))
        for name, value in document.stored.items():
            perdoc.add_field(name, self.schema[name], value, 0)
        for name, value in document.columns.items():
            field = self.schema[name]
            perdoc.add_column_value(name, field.column_type, field.to_column_value(value))
        perdoc.finish_doc()
        self._docnum += 1

    def _set_length(self, name: str, docnum: int, length: int) -> None:
        """Note a document's length in a scored field: the writer packs them per block."""
        lengths = self._lengths.setdefault(name, array("I"))
        lengths.extend([0] * (docnum + 1 - len(lengths)))
        lengths[docnum] = length

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
                    self._set_length(name, new, length)
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
        self._perdoc.close()
        self._segment.set_doc_count(self._docnum)
        write_terms(self.storage, self._segment, self.schema, self._postings, self._lengths)
        self.segments.append(self._segment)
        self._perdoc = self._segment = None
