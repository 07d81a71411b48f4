"""The index's words (terms of the ``content`` field) for prefixes, wildcards and fuzzy words.

Each segment lists its terms, sorted, in a file of its own (see
:data:`tazsearch.writing.LEXICON_EXT`). Held as one string and as a list, a
prefix is found by bisection, a wildcard by one regular expression over the
string and a fuzzy word by rapidfuzz's edit distances over the terms of
nearly its length: each runs at C speed over every term, so each finds all
the terms it stands for, in tens of milliseconds for half a million terms.
Whoosh would step through the terms one by one in Python.
"""

from __future__ import annotations

import bisect
import heapq
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .store import Snapshot


@dataclass
class SegmentLexicon:
    """One segment's terms, sorted, one a line in ``text``."""

    text: str

    @cached_property
    def terms(self) -> list[str]:
        return self.text.split("\n") if self.text else []

    @cached_property
    def by_length(self) -> dict[int, list[str]]:
        grouped: dict[int, list[str]] = {}
        for term in self.terms:
            grouped.setdefault(len(term), []).append(term)
        return grouped

    def with_prefix(self, prefix: str) -> Iterator[str]:
        terms = self.terms
        i = bisect.bisect_left(terms, prefix)
        while i < len(terms) and terms[i].startswith(prefix):
            yield terms[i]
            i += 1

    def matching(self, pattern: re.Pattern[str]) -> Iterator[str]:
        """The terms ``pattern`` matches whole; it is compiled with re.MULTILINE."""
        return (m.group() for m in pattern.finditer(self.text))

    def near(self, term: str, distance: int) -> Iterator[tuple[str, int]]:
        """The terms at most ``distance`` edits from ``term`` (a swap of neighbours
        is one edit), with their distances. (rapidfuzz is imported here: most
        searches have no fuzzy word and no misspelling to correct.)"""
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        for length in range(max(1, len(term) - distance), len(term) + distance + 1):
            choices = self.by_length.get(length)
            if choices:
                found = process.extract(
                    term, choices, scorer=OSA.distance, score_cutoff=distance, limit=None
                )
                yield from ((text, int(d)) for text, d, _ in found)


class Lexicon:
    """The terms of every segment of a commit, merged and without repeats."""

    def __init__(self, segments: list[SegmentLexicon]) -> None:
        self.segments = segments

    @classmethod
    def of(cls, snapshot: Snapshot) -> Lexicon:
        return cls(snapshot.lexicons())

    def with_prefix(self, prefix: str) -> Iterator[str]:
        """Every term starting with ``prefix``, in order."""
        return _unique(heapq.merge(*(s.with_prefix(prefix) for s in self.segments)))

    def matching(self, pattern: re.Pattern[str]) -> Iterator[str]:
        """Every term ``pattern`` matches whole, in order."""
        return _unique(heapq.merge(*(s.matching(pattern) for s in self.segments)))

    def near(self, term: str, distance: int) -> list[tuple[str, int]]:
        """Every term within ``distance`` edits of ``term``, nearest first, then in order."""
        found: dict[str, int] = {}
        for segment in self.segments:
            for text, d in segment.near(term, distance):
                found[text] = d
        return sorted(found.items(), key=lambda pair: (pair[1], pair[0]))


def _unique(terms: Iterable[str]) -> Iterator[str]:
    last = None
    for term in terms:
        if term != last:
            yield term
            last = term
