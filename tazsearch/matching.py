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

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN
from whoosh.util.numeric import byte_to_length

from .arrays import cumsum_per_run, run_starts
from .docvalues import DocValues, per_index
from .expansion import Expander
from .positions import decode_positions
from .queries import Query
from .ranking import K1, B, idf
from .schema import section_range
from .writing import PackedValues, read_blocks

Mask = np.ndarray
"""One flag per document of the searcher, set for the documents matched."""
Ranked = list[tuple[int, float]]
_BYTE_LENGTHS = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)
# Length normalisation of each document, K1 * (1 - B + B * length / average),
# per list of segments, field and average length.
_norms: dict[tuple[Any, ...], np.ndarray] = {}


@dataclass(frozen=True)
class TermPostings:
    """One term's postings in every segment: live documents only, numbered
    index-wide, in ascending order, with their weights and where their values are."""

    docs: np.ndarray
    weights: np.ndarray
    blocks: list[Sequence[bytes]]  # each posting block's values
    raw: np.ndarray  # each posting's place among the blocks' values, deleted included

    def positions(self, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The term's positions in each of ``docs``, all of which hold it: how many
        in each, and all of them, document after document."""
        data, ends = [], []
        for values in self.blocks:
            if isinstance(values, PackedValues):
                data.append(values.data)
                ends.append(np.frombuffer(values.ends, np.uint32))
            else:
                data.append(b"".join(values))
                ends.append(np.cumsum(np.fromiter(map(len, values), np.int64, len(values))))
        sizes = np.array([len(d) for d in data])
        ends_all = np.concatenate(ends) + np.repeat(run_starts(sizes), [len(e) for e in ends])
        starts_all = np.concatenate([[0], ends_all[:-1]])
        chosen = self.raw[np.searchsorted(self.docs, docs)]
        return decode_positions(b"".join(data), starts_all[chosen], ends_all[chosen])


_NOTHING = np.zeros(0, dtype=np.int64)
_NO_POSTINGS = TermPostings(_NOTHING, np.zeros(0), [], _NOTHING)


def _segment_lengths(reader: Any, fieldname: str) -> np.ndarray:
    perdoc = reader._perdoc  # The lengths column has no field in the schema.
    name = f"_{fieldname}_len"
    if not perdoc.has_column(name):
        return np.zeros(reader.doc_count_all())
    column = perdoc.column_reader(name, LENGTHS_COLUMN)
    return _BYTE_LENGTHS[np.fromiter(column, np.uint8, reader.doc_count_all())]


def _index_norms(searcher: Any, fieldname: str, average: float) -> np.ndarray:
    def compute(readers: list[Any]) -> np.ndarray:
        lengths = [_segment_lengths(reader, fieldname) for reader in readers]
        return K1 * ((1 - B) + B * np.concatenate([np.zeros(0), *lengths]) / average)

    return per_index(_norms, searcher, (fieldname, average), compute)


class Evaluation:
    """One search's look at the index: each term's postings read once, shared by the
    query's ranking tiers, its match masks, scores and phrases.

    The masks and scores it returns are its own, kept for the query's other
    parts: callers copy them before changing them.
    """

    def __init__(self, searcher: Any) -> None:
        self.searcher = searcher
        self.size = searcher.doc_count_all()
        self._postings: dict[tuple[str, str], TermPostings] = {}
        self._masks: dict[Query, Mask] = {}
        self._scores: dict[Query, np.ndarray] = {}
        self._live: Mask | None = None
        self._expander: Expander | None = None

    @property
    def expander(self) -> Expander:
        """The query's prefixes, wildcards and fuzzy words as terms, within its limits."""
        if self._expander is None:
            self._expander = Expander(self.searcher)
        return self._expander

    @property
    def notes(self) -> list[str]:
        """One line for each expansion a limit cut short."""
        return list(self._expander.notes) if self._expander else []

    def live(self) -> Mask:
        """Every document not deleted."""
        if self._live is None:
            live = np.ones(self.size, dtype=bool)
            for leaf, offset in self.searcher.leaf_searchers():
                reader = leaf.reader()
                if reader.has_deletions():
                    deleted = np.fromiter(reader._perdoc.deleted_docs(), np.int64)
                    live[deleted + offset] = False
            self._live = live
        return self._live

    def mask_of(self, docs: Sequence[int] | np.ndarray) -> Mask:
        mask = np.zeros(self.size, dtype=bool)
        mask[np.asarray(docs, dtype=np.int64)] = True
        return mask

    def dates(self) -> np.ndarray:
        """Each document's date as the date column's number."""
        return DocValues.of(self.searcher).dates

    def date_column(self, moment: dt.datetime) -> int:
        return int(self.searcher.schema["date"].to_column_value(moment))

    # Terms

    def postings(self, fieldname: str, text: str) -> TermPostings:
        """The term's postings in every segment."""
        key = (fieldname, text)
        if key not in self._postings:
            self._postings[key] = self._read_postings(fieldname, text.encode("utf-8"))
        return self._postings[key]

    def _read_postings(self, fieldname: str, text: bytes) -> TermPostings:
        gaps, weights, blocks, offsets = [], [], [], []
        for leaf, offset in self.searcher.leaf_searchers():
            reader = leaf.reader()
            if (fieldname, text) not in reader:
                continue
            for block_gaps, block_weights, values, _, _ in read_blocks(
                reader.postings(fieldname, text)
            ):
                offsets.append(offset)
                gaps.append(np.asarray(block_gaps, dtype=np.int64))
                weights.append(np.asarray(block_weights, dtype=np.float64))
                blocks.append(values)
        if not blocks:
            return _NO_POSTINGS
        sizes = np.array([len(g) for g in gaps])
        # Each block's gaps count from its segment's first document: a cumulative
        # sum per block, then the segment's offset.
        block_start = run_starts(sizes)
        docs = cumsum_per_run(np.concatenate(gaps), block_start)
        docs += np.repeat(offsets, sizes)
        weights_all = np.concatenate(weights)
        raw = np.arange(len(docs))
        kept = self.live()[docs]
        if not kept.all():
            docs, weights_all, raw = docs[kept], weights_all[kept], raw[kept]
        return TermPostings(docs, weights_all, blocks, raw)

    def term_scores(self, fieldname: str, text: str) -> np.ndarray:
        """BM25 of the term in each document; zero where the term is not."""
        postings = self.postings(fieldname, text)
        scores = np.zeros(self.size)
        if not len(postings.docs):
            return scores
        if not self.searcher.schema[fieldname].scorable:
            scores[postings.docs] = 1.0
            return scores
        parent = self.searcher.get_parent()
        btext = text.encode("utf-8")
        factor = idf(parent.doc_count_all(), parent.doc_frequency(fieldname, btext)) * (K1 + 1)
        average = parent.avg_field_length(fieldname) or 1
        norms = _index_norms(self.searcher, fieldname, average)[postings.docs]
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


def matching_docs(searcher: Any, q: Query) -> set[int]:
    """Every document ``q`` matches, as a set of document numbers."""
    return set(np.flatnonzero(Evaluation(searcher).docs(q)).tolist())


def scored_matches(searcher: Any, q: Query) -> dict[int, float]:
    """Every document ``q`` matches, with its score."""
    evaluation = Evaluation(searcher)
    docs = np.flatnonzero(evaluation.docs(q))
    return dict(zip(docs.tolist(), evaluation.scores(q)[docs].tolist(), strict=True))
