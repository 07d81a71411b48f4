"""Every article a query matches, and the best of them, from postings read once per search.

Whoosh finds matches by stepping its matcher tree one document at a time,
which took most of the time of a search for common words, and more again to
count them. Here each word's postings are read once per query, a block at a
time, into arrays numbered index-wide. A query's matches are a mask with one
flag per document, and its scores an array with one score per document, zero
where it does not match: each query type of :mod:`tazsearch.queries` computes
them with array operations, and :class:`Evaluation` keeps them for the
query's other parts and tiers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .expansion import Expander
from .fields import CONTENT, section_range
from .queries import Query
from .ranking import K1, B, idf

if TYPE_CHECKING:
    from .store import Snapshot, TermPostings

Mask = np.ndarray
"""One flag per document of the snapshot, set for the documents matched."""
Ranked = list[tuple[int, float]]


class Evaluation:
    """One search's look at the index: each term's postings read once, shared by the
    query's ranking tiers, its match masks, scores and phrases.

    The masks and scores it returns are its own, kept for the query's other
    parts: callers copy them before changing them.
    """

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.size = snapshot.size
        self._postings: dict[tuple[str, str], TermPostings] = {}
        self._masks: dict[Query, Mask] = {}
        self._scores: dict[Query, np.ndarray] = {}
        # Length norms hold for the whole commit: the snapshot keeps them.
        self._norms: dict[str, np.ndarray] = snapshot.memo.setdefault("norms", {})
        self._expander: Expander | None = None

    @property
    def expander(self) -> Expander:
        """The query's prefixes, wildcards and fuzzy words as terms, within its limits."""
        if self._expander is None:
            self._expander = Expander(self.snapshot)
        return self._expander

    @property
    def notes(self) -> list[str]:
        """One line for each expansion a limit cut short."""
        return list(self._expander.notes) if self._expander else []

    def live(self) -> Mask:
        """Every document not deleted."""
        return self.snapshot.live

    def mask_of(self, docs: Sequence[int] | np.ndarray) -> Mask:
        mask = np.zeros(self.size, dtype=bool)
        mask[np.asarray(docs, dtype=np.int64)] = True
        return mask

    def dates(self) -> np.ndarray:
        """Each document's date as the date column's number (UNDATED for none)."""
        return self.snapshot.values.dates

    def date_column(self, moment: Any) -> int:
        return self.snapshot.date_number(moment)

    # Terms

    def postings(self, fieldname: str, text: str) -> TermPostings:
        """The term's postings in every segment."""
        key = (fieldname, text)
        if key not in self._postings:
            self._postings[key] = self.snapshot.postings(fieldname, text)
        return self._postings[key]

    def _norms_of(self, fieldname: str) -> np.ndarray:
        """BM25's length normalisation of each document, K1 * (1 - B + B * length / average)."""
        if fieldname not in self._norms:
            average = self.snapshot.average_length(fieldname)
            lengths = self.snapshot.lengths(fieldname)
            self._norms[fieldname] = K1 * ((1 - B) + B * lengths / average)
        return self._norms[fieldname]

    def term_scores(self, fieldname: str, text: str) -> np.ndarray:
        """BM25 of the term in each document; zero where the term is not. Terms of the
        exact-value fields (the filters) score 1 where they are."""
        postings = self.postings(fieldname, text)
        scores = np.zeros(self.size)
        if not len(postings.docs):
            return scores
        if fieldname != CONTENT:
            scores[postings.docs] = 1.0
            return scores
        frequency = self.snapshot.doc_frequency(fieldname, text)
        factor = idf(self.snapshot.doc_count_all(), frequency) * (K1 + 1)
        norms = self._norms_of(fieldname)[postings.docs]
        weights = postings.weights
        scores[postings.docs] = factor * weights / (weights + norms)
        return scores

    def positions_in(
        self, postings: TermPostings, docs: np.ndarray, section: str | None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``docs`` (all holding the term), the term's positions in them, and the
        number (in ``docs``) of the document of each; only positions in the field
        ``section``'s range, if one is given."""
        counts, positions = postings.positions(docs)
        owners = np.repeat(np.arange(len(docs)), counts)
        if section is not None:
            start, end = section_range(section)
            inside = (positions >= start) & (positions < end)
            positions, owners = positions[inside], owners[inside]
        return docs, positions, owners

    # Queries

    def docs(self, q: Query) -> Mask:
        """Every document ``q`` matches."""
        if q not in self._masks:
            self._masks[q] = q.match(self)
        return self._masks[q]

    def scores(self, q: Query) -> np.ndarray:
        """The score of every document ``q`` matches; zero for the others."""
        if q not in self._scores:
            self._scores[q] = q.score(self)
        return self._scores[q]

    def top(self, q: Query, docs: Mask, count: int) -> Ranked:
        """The ``count`` best of ``docs`` (all matches of ``q``), best first; among
        equal scores the earlier document, as Whoosh orders them."""
        candidates = np.flatnonzero(docs)
        scores = self.scores(q)[candidates]
        if len(candidates) > count:
            # Everything scoring at least the count-th best, ties included, then sorted.
            cut = np.partition(scores, len(scores) - count)[len(scores) - count]
            keep = scores >= cut
            candidates, scores = candidates[keep], scores[keep]
        order = np.lexsort((candidates, -scores))[:count]
        return list(zip(candidates[order].tolist(), scores[order].tolist(), strict=True))
