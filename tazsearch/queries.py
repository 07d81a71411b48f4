"""The engine's queries: what a query string becomes, each type matched and scored in one place.

Every query type says which articles it matches, as a mask with one flag
per document, and scores them, as an array with one score per document (zero
where it does not match), from the postings an :class:`~tazsearch.matching.Evaluation`
reads once per search. Scores are BM25 (:mod:`tazsearch.ranking`) summed over
the parts that match, times each part's boost.

A field prefix (``title:``) does not change what is read: every field of an
article is indexed in ``content``, each at positions of its own range, so a
word in one field is the word at a position in that field's range.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .fields import CONTENT
from .proximity import near_starts, phrase_starts

if TYPE_CHECKING:
    from .matching import Evaluation, Mask


@dataclass(frozen=True)
class Term:
    """One index term, in ``field`` (``content`` unless an exact-value field) or in
    one ``section`` of ``content`` (a field's range); ``marked`` if its hits are
    highlighted (a whole word of the query, not a compound's part or a filter)."""

    text: str
    field: str = CONTENT
    section: str | None = None
    boost: float = 1.0
    marked: bool = True

    def match(self, ev: Evaluation) -> Mask:
        postings = ev.postings(self.field, self.text)
        if self.section is None or not len(postings.docs):
            return ev.mask_of(postings.docs)
        docs, _, owners = ev.positions_in(postings, postings.docs, self.section)
        return ev.mask_of(docs[np.unique(owners)])

    def score(self, ev: Evaluation) -> np.ndarray:
        scores = ev.term_scores(self.field, self.text)
        if self.section is not None:
            scores = np.where(ev.docs(self), scores, 0.0)
        return scores * self.boost if self.boost != 1.0 else scores


@dataclass(frozen=True)
class AllOf:
    """Every child matches; the score is the sum of theirs."""

    children: tuple[Query, ...]
    boost: float = 1.0

    def match(self, ev: Evaluation) -> Mask:
        found = ev.live().copy()
        for child in self.children:
            found &= ev.docs(child)
        return found

    def score(self, ev: Evaluation) -> np.ndarray:
        total = np.zeros(ev.size)
        for child in self.children:
            total += ev.scores(child)
        total[~ev.docs(self)] = 0.0
        return total * self.boost


@dataclass(frozen=True)
class AnyOf:
    """At least one child matches; the score is the sum of those that do."""

    children: tuple[Query, ...]
    boost: float = 1.0

    def match(self, ev: Evaluation) -> Mask:
        found = np.zeros(ev.size, dtype=bool)
        for child in self.children:
            found |= ev.docs(child)
        return found

    def score(self, ev: Evaluation) -> np.ndarray:
        total = np.zeros(ev.size)
        for child in self.children:
            total += ev.scores(child)
        return total * self.boost


@dataclass(frozen=True)
class ButNot:
    """``positive``'s matches without those of ``negative``, scored as ``positive``."""

    positive: Query
    negative: Query

    def match(self, ev: Evaluation) -> Mask:
        return ev.docs(self.positive) & ~ev.docs(self.negative)

    def score(self, ev: Evaluation) -> np.ndarray:
        return np.where(ev.docs(self), ev.scores(self.positive), 0.0)


@dataclass(frozen=True)
class Scored:
    """``must``'s matches; ``should`` adds its score where it matches too (``+a b``)."""

    must: Query
    should: Query

    def match(self, ev: Evaluation) -> Mask:
        return ev.docs(self.must)

    def score(self, ev: Evaluation) -> np.ndarray:
        return np.where(ev.docs(self), ev.scores(self.must) + ev.scores(self.should), 0.0)


@dataclass(frozen=True)
class Every:
    """Every article; each scores the boost."""

    boost: float = 1.0

    def match(self, ev: Evaluation) -> Mask:
        return ev.live().copy()

    def score(self, ev: Evaluation) -> np.ndarray:
        return ev.live() * self.boost


@dataclass(frozen=True)
class Phrase:
    """Terms at consecutive positions; with ``slop``, in any order with at most
    ``slop`` other words among them. Scored as the sum of the terms' scores."""

    terms: tuple[str, ...]
    slop: int | None = None
    section: str | None = None
    boost: float = 1.0

    def match(self, ev: Evaluation) -> Mask:
        candidates = ev.live().copy()
        for term in self.terms:
            candidates &= ev.docs(Term(term))
        docs = np.flatnonzero(candidates)
        if not len(docs):
            return candidates
        words = [ev.positions_in(ev.postings(CONTENT, t), docs, self.section) for t in self.terms]
        positions = [(owners, at) for _, at, owners in words]
        if self.slop is None:
            found = phrase_starts(positions)
        else:
            found = near_starts(positions, [self.terms.index(t) for t in self.terms], self.slop)
        return ev.mask_of(docs[found])

    def score(self, ev: Evaluation) -> np.ndarray:
        total = np.zeros(ev.size)
        for term in self.terms:
            total += ev.scores(Term(term))
        total[~ev.docs(self)] = 0.0
        return total * self.boost


@dataclass(frozen=True)
class Expansion:
    """The terms a prefix (``Nord*``), wildcard (``Kl?ma*``) or fuzzy word
    (``Merkel~1``) stands for, as found within the query's limits
    (:class:`~tazsearch.expansion.Expander`). It matches where any of them
    does, scored as the best of them, so that it weighs as one word."""

    kind: str  # "prefix", "wildcard" or "fuzzy"
    text: str  # the prefix or pattern, lower case and folded, or the fuzzy word's term
    distance: int = 0
    section: str | None = None
    boost: float = 1.0
    label: str = ""  # as the user wrote it, for notes

    def terms(self, ev: Evaluation) -> tuple[Term, ...]:
        found = ev.expander.terms(self)
        return tuple(Term(text, section=self.section) for text in found)

    def match(self, ev: Evaluation) -> Mask:
        found = np.zeros(ev.size, dtype=bool)
        for term in self.terms(ev):
            found |= ev.docs(term)
        return found

    def score(self, ev: Evaluation) -> np.ndarray:
        best = np.zeros(ev.size)
        for term in self.terms(ev):
            np.maximum(best, ev.scores(term), out=best)
        return best * self.boost


@dataclass(frozen=True)
class DateSpan:
    """Articles dated from ``start`` to ``end``, both included; None for an open end.
    A date range filters and adds nothing to the score."""

    start: dt.datetime | None = None
    end: dt.datetime | None = None

    def match(self, ev: Evaluation) -> Mask:
        dates = ev.dates()  # An article without a date has a negative number.
        column = ev.date_column
        low = column(self.start) if self.start else 0
        high = column(self.end) if self.end else column(dt.datetime.max)
        return ev.live() & (dates >= low) & (dates <= high)

    def score(self, ev: Evaluation) -> np.ndarray:
        return np.zeros(ev.size)


Query = Term | AllOf | AnyOf | ButNot | Scored | Every | Phrase | Expansion | DateSpan
