"""The segments of a write: which file each article came from, new builders, merges.

An update reads, from the columns of the last commit's segments, which file
each article was indexed from and in what state; it writes new segments with
a builder, on every core when there is much to write; and before it commits,
it merges the smallest segments when there are too many.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from ..article import Article
from .commit import WriteTransaction
from .generations import open_segment_reader
from .parallel import ParallelBuilder, can_start_workers
from .schema import article_from_stored
from .writing import SegmentBuilder

# Below this many files to index, starting processes costs more than it saves.
PARALLEL_MIN = 500
# More segments than this, and the smallest MERGE_FACTOR are merged into one.
MAX_SEGMENTS = 10
MERGE_FACTOR = 4


@dataclass(frozen=True)
class IndexedArticle:
    """An article of a commit: where it is (its segment's place in the list, and its
    number there), its id, and the file it came from in the state it was indexed
    (an empty path, and zeros, for an article added from memory)."""

    segment: int
    docnum: int
    id: str
    path: str
    mtime: int
    size: int
    digest: bytes


def indexed_articles(transaction: WriteTransaction, segments: list[Any]) -> list[IndexedArticle]:
    """Every live article of the segments, read from columns."""
    found: list[IndexedArticle] = []
    for number, segment in enumerate(segments):
        reader = open_segment_reader(transaction.storage, transaction.schema, segment)
        try:
            paths, ids, mtimes, sizes, digests = (
                reader.column_reader(name) for name in ("path", "id", "mtime", "size", "digest")
            )
            found += [
                IndexedArticle(number, d, ids[d], paths[d], mtimes[d], sizes[d], digests[d])
                for d in reader.all_doc_ids()
            ]
        finally:
            reader.close()
    return found


def stored_articles(
    transaction: WriteTransaction, segments: list[Any], where: list[tuple[int, int]]
) -> list[Article]:
    """The articles at these (segment's place in the list, document number) places,
    rebuilt from their stored fields."""
    found = []
    for number, segment in enumerate(segments):
        docnums = [docnum for place, docnum in where if place == number]
        if not docnums:
            continue
        reader = open_segment_reader(transaction.storage, transaction.schema, segment)
        try:
            found += [article_from_stored(reader.stored_fields(d)) for d in docnums]
        finally:
            reader.close()
    return found


def delete(segments: list[Any], article: IndexedArticle) -> None:
    """Mark an article of the segments deleted: the commit records it."""
    segments[article.segment].delete_document(article.docnum)


def new_builder(transaction: WriteTransaction, documents: int) -> SegmentBuilder | ParallelBuilder:
    """A segment builder that indexes on every core when there is much to index
    (and this Python can start worker processes)."""
    cores = os.cpu_count() or 1
    if documents >= PARALLEL_MIN and cores > 1 and can_start_workers():
        return ParallelBuilder(str(transaction.folder), transaction.schema, cores)
    return SegmentBuilder(transaction.storage, transaction.schema)


def merge_small(transaction: WriteTransaction, segments: list[Any]) -> list[Any]:
    """The segments, with the smallest merged into one when there are too many.

    Each run adds a segment or two; searching many small ones is slow. Merging
    copies postings (see :meth:`SegmentBuilder.add_segment`), which Whoosh's
    own merge did through its slow writer. Segments whose every document was
    deleted are dropped.
    """
    live = [s for s in segments if s.doc_count() > 0]
    if len(live) <= MAX_SEGMENTS:
        return live
    # The smallest few, so that each article is copied once per few-fold
    # growth of its segment rather than at every merge.
    small = sorted(live, key=lambda s: s.doc_count())[: max(MERGE_FACTOR, len(live) - MAX_SEGMENTS)]
    builder = SegmentBuilder(transaction.storage, transaction.schema)
    for segment in small:
        reader = open_segment_reader(transaction.storage, transaction.schema, segment)
        try:
            builder.add_segment(reader)
        finally:
            reader.close()
    merged = builder.finish()
    return [s for s in live if s not in small] + merged
