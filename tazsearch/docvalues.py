"""Each article's date, tags and authors in memory, for sorting and facet counts.

Whoosh sorts and groups by stepping through every match with its matcher
and column readers. Reading the date and facet-key columns of a segment once
into arrays makes sorting and counting a few array operations over a mask
of the matching documents.
Segments never change once written, so their lists are kept per segment and
only a new segment's are read after a commit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

KEY_SEPARATOR = "\x1f"
# The key column holds "tag keys<FIELD_SEPARATOR>author keys".
FIELD_SEPARATOR = "\x1e"
_CACHED_SEGMENTS = 256
# The date number of an article without a date.
UNDATED = -1


@dataclass(frozen=True)
class _SegmentValues:
    dates: list[int]
    tags: list[tuple[str, ...]]
    authors: list[tuple[str, ...]]


_by_segment: dict[str, _SegmentValues] = {}
# The whole index's values, per list of segments, for the last few.
_combined: dict[tuple[Any, ...], DocValues] = {}
CACHED_INDEXES = 4
T = TypeVar("T")


def per_index(
    cache: dict[tuple[Any, ...], T],
    searcher: Any,
    key: tuple[Any, ...],
    compute: Callable[[list[Any]], T],
    limit: int = CACHED_INDEXES,
) -> T:
    """``compute(segment readers)``, kept in ``cache`` for this list of segments and ``key``.

    Segments never change once written, so a value computed from them holds
    until a commit changes the list; the last ``limit`` values are kept.
    """
    readers = [leaf.reader() for leaf, _ in searcher.leaf_searchers()]
    segments = tuple(r.segment().segment_id() for r in readers if r.segment() is not None)
    full_key = (segments, *key)
    if full_key not in cache:
        while len(cache) >= limit:
            del cache[next(iter(cache))]
        cache[full_key] = compute(readers)
    return cache[full_key]


def facet_keys(tag_keys: list[str], author_keys: list[str]) -> bytes:
    """The key column's value for an article's folded tags and authors."""
    joined = KEY_SEPARATOR.join(tag_keys), KEY_SEPARATOR.join(author_keys)
    return FIELD_SEPARATOR.join(joined).encode()


def _split(value: bytes) -> tuple[tuple[str, ...], tuple[str, ...]]:
    tags, _, authors = value.decode().partition(FIELD_SEPARATOR)
    return _keys(tags), _keys(authors)


def _keys(joined: str) -> tuple[str, ...]:
    return tuple(joined.split(KEY_SEPARATOR)) if joined else ()


def _segment_values(reader: Any) -> _SegmentValues:
    segment_id = reader.segment().segment_id()
    values = _by_segment.get(segment_id)
    if values is None:
        dates = list(reader.column_reader("date", translate=False))
        keys = [_split(v) for v in reader.column_reader("facet_keys")]
        values = _SegmentValues(dates, [t for t, _ in keys], [a for _, a in keys])
        if len(_by_segment) >= _CACHED_SEGMENTS:
            _by_segment.clear()
        _by_segment[segment_id] = values
    return values


@dataclass(frozen=True)
class KeyColumn:
    """The keys (tags or authors) of every document, as arrays for counting.

    Each (document, key) pair is one entry: ``owners`` holds the document,
    ``codes`` the key's number in ``names``.
    """

    names: list[str]
    codes: np.ndarray
    owners: np.ndarray

    @classmethod
    def of(cls, per_doc: list[tuple[str, ...]]) -> KeyColumn:
        numbers: dict[str, int] = {}
        codes = [numbers.setdefault(key, len(numbers)) for keys in per_doc for key in keys]
        owners = np.repeat(np.arange(len(per_doc)), [len(keys) for keys in per_doc])
        return cls(list(numbers), np.array(codes, dtype=np.int64), owners)

    def counts(self, docs: np.ndarray) -> np.ndarray:
        """How many of the documents in the mask ``docs`` hold each key, by code."""
        return np.bincount(self.codes[docs[self.owners]], minlength=len(self.names))


@dataclass(frozen=True)
class DocValues:
    """Dates (as the date column's sortable numbers), tag keys and author keys, by
    document number, as arrays."""

    dates: np.ndarray
    tags: KeyColumn
    authors: KeyColumn

    @classmethod
    def of(cls, searcher: Any) -> DocValues:
        """The values of every document the searcher sees, numbered as it numbers them."""
        return per_index(_combined, searcher, (), cls._read)

    @classmethod
    def _read(cls, leaves: list[Any]) -> DocValues:
        dates: list[int] = []
        tags: list[tuple[str, ...]] = []
        authors: list[tuple[str, ...]] = []
        for reader in leaves:
            values = _segment_values(reader)
            dates += values.dates
            tags += values.tags
            authors += values.authors
        # An article without a date has the column's default, the largest unsigned
        # number: as a signed one, UNDATED.
        numbers = np.array(dates, dtype=np.uint64).view(np.int64)
        return cls(numbers, KeyColumn.of(tags), KeyColumn.of(authors))
