"""Each article's date, tags and authors in memory, for sorting and facet counts.

Whoosh sorts and groups by stepping through every match with its matcher
and column readers. Reading the date and facet-key columns of a segment once
into arrays makes sorting and counting a few array operations over a mask
of the matching documents.
The index reads them (see :mod:`tazsearch.store.snapshot`), and keeps each
segment's, which never change once written.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

KEY_SEPARATOR = "\x1f"
# The key column holds "tag keys<FIELD_SEPARATOR>author keys".
FIELD_SEPARATOR = "\x1e"
# The date number of an article without a date.
UNDATED = -1


def facet_keys(tag_keys: list[str], author_keys: list[str]) -> bytes:
    """The key column's value for an article's folded tags and authors."""
    joined = KEY_SEPARATOR.join(tag_keys), KEY_SEPARATOR.join(author_keys)
    return FIELD_SEPARATOR.join(joined).encode()


def _split(value: bytes) -> tuple[tuple[str, ...], tuple[str, ...]]:
    tags, _, authors = value.decode().partition(FIELD_SEPARATOR)
    return _keys(tags), _keys(authors)


def _keys(joined: str) -> tuple[str, ...]:
    return tuple(joined.split(KEY_SEPARATOR)) if joined else ()


@dataclass(frozen=True)
class SegmentValues:
    """One segment's dates (the date column's numbers) and facet keys."""

    dates: list[int]
    tags: list[tuple[str, ...]]
    authors: list[tuple[str, ...]]

    @classmethod
    def read(cls, dates: list[int], keys: list[bytes]) -> SegmentValues:
        """From the segment's date and facet-key columns."""
        split = [_split(value) for value in keys]
        return cls(dates, [t for t, _ in split], [a for _, a in split])


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
    def join(cls, segments: list[SegmentValues]) -> DocValues:
        """The values of segments, numbered one after the other."""
        dates: list[int] = []
        tags: list[tuple[str, ...]] = []
        authors: list[tuple[str, ...]] = []
        for values in segments:
            dates += values.dates
            tags += values.tags
            authors += values.authors
        # An article without a date has the column's default, the largest unsigned
        # number: as a signed one, UNDATED.
        numbers = np.array(dates, dtype=np.uint64).view(np.int64)
        return cls(numbers, KeyColumn.of(tags), KeyColumn.of(authors))
