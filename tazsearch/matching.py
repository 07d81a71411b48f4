"""Every article a query matches, and the best of them, scored as Whoosh scores them.

Whoosh finds matches by stepping its matcher tree one document at a time,
which took most of the time of a search for common words, and more again to
count them. Here each word's postings are read once per query, a block at a
time, into arrays numbered index-wide. A query's matches are a mask with one
flag per document, and its scores an array with one score per document, zero
where it does not match: AND, OR and NOT are operations on masks, and scores
are summed over the matching children as Whoosh's matchers sum them (times
each query's boost), so the ranking is Whoosh's own, but every step runs in
numpy rather than once per posting in Python. Phrases and words in one field
are matched from the postings' positions. A prefix or wildcard is the OR of
the terms it stands for, found by :class:`~tazsearch.sections.Expander`
within the query's limits (its notes say where a limit cut one short).
``Every``, the query of ``*``, is every live document, whatever its field:
every article has words in ``content``, and no query puts ``Every`` on another
field (``title:*`` is refused), so its match needs no posting at all. Other
queries (phrases in a field, dates) fall back to Whoosh's matcher.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN
from whoosh.util.numeric import byte_to_length

from .arrays import cumsum_per_run, run_starts
from .docvalues import per_index
from .positions import decode_positions
from .ranking import K1, B, idf
from .sections import Expander, InSection
from .writing import PackedValues, read_blocks

Mask = np.ndarray
"""One flag per document of the searcher, set for the documents matched."""
Ranked = list[tuple[int, float]]
_BYTE_LENGTHS = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)
# Whoosh scores a prefix or wildcard of more than two terms 1 per match, not by
# its terms, when its index has at most this many documents or the prefix has
# at least _MANY_TERMS terms (its Or then preloads matches without scores).
_SMALL_INDEX = 5000
_MANY_TERMS = 1024
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
    """One query's look at the index: each term's postings read once, shared by the
    query's ranking tiers, its match masks, scores and phrases.

    The masks and scores it returns are its own, kept for the query's other
    parts: callers copy them before changing them.
    """

    def __init__(self, searcher: Any) -> None:
        self.searcher = searcher
        self.size = searcher.doc_count_all()
        self._postings: dict[tuple[str, bytes], TermPostings] = {}
        self._masks: dict[wq.Query, Mask] = {}
        self._scores: dict[wq.Query, np.ndarray] = {}
        self._live: Mask | None = None
        self._expander: Expander | None = None

    @property
    def expander(self) -> Expander:
        """The query's prefixes and wildcards as terms, within the query's limits."""
        if self._expander is None:
            self._expander = Expander(self.searcher.reader())
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

    # Terms

    def _term(self, q: wq.Term) -> tuple[str, bytes]:
        text = q.text
        if isinstance(text, str):
            text = self.searcher.schema[q.fieldname].to_bytes(text)
        return q.fieldname, text

    def postings(self, fieldname: str, text: bytes) -> TermPostings:
        """The term's postings in every segment."""
        key = (fieldname, text)
        if key not in self._postings:
            self._postings[key] = self._read_postings(fieldname, text)
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

    def _term_scores(self, fieldname: str, text: bytes) -> np.ndarray:
        """BM25 of the term in each document; zero where the term is not."""
        postings = self.postings(fieldname, text)
        scores = np.zeros(self.size)
        if not len(postings.docs):
            return scores
        if not self.searcher.schema[fieldname].scorable:
            scores[postings.docs] = 1.0
            return scores
        parent = self.searcher.get_parent()
        factor = idf(parent.doc_count_all(), parent.doc_frequency(fieldname, text)) * (K1 + 1)
        average = parent.avg_field_length(fieldname) or 1
        norms = _index_norms(self.searcher, fieldname, average)[postings.docs]
        weights = postings.weights
        scores[postings.docs] = factor * weights / (weights + norms)
        return scores

    # Queries

    def docs(self, q: wq.Query) -> Mask:
        """Every document ``q`` matches."""
        if q not in self._masks:
            self._masks[q] = self._match(q)
        return self._masks[q]

    def _match(self, q: wq.Query) -> Mask:
        if isinstance(q, wq.Term):
            return self.mask_of(self.postings(*self._term(q)).docs)
        if isinstance(q, wq.Every):
            return self.live().copy()
        expanded = self._expanded(q)
        if expanded is not None:
            return self.docs(expanded)
        if self._term_in_section(q):
            return self._section_matches(q)
        if isinstance(q, wq.Or):
            found = np.zeros(self.size, dtype=bool)
            for child in q.subqueries:
                found |= self.docs(child)
            return found
        if isinstance(q, wq.And):
            wanted = [c for c in q.subqueries if not isinstance(c, wq.Not)]
            unwanted = [c.query for c in q.subqueries if isinstance(c, wq.Not)]
            found = self.live().copy()
            for child in wanted:
                found &= self.docs(child)
            for child in unwanted:
                found &= ~self.docs(child)
            return found
        if isinstance(q, wq.AndNot):
            return self.docs(q.a) & ~self.docs(q.b)
        if isinstance(q, wq.Not):
            return self.live() & ~self.docs(q.query)
        if self._simple_phrase(q):
            return self._phrase_matches(q)
        return self.mask_of(list(q.docs(self.searcher))) & self.live()

    def scores(self, q: wq.Query) -> np.ndarray:
        """The score of every document ``q`` matches; zero for the others."""
        if q not in self._scores:
            self._scores[q] = self._score(q)
        return self._scores[q]

    def _score(self, q: wq.Query) -> np.ndarray:
        expanded = self._expanded(q)
        if expanded is not None and self._scored_constant(q, expanded):
            return self.docs(expanded).astype(np.float64)
        if expanded is not None:
            return self.scores(expanded)
        if isinstance(q, wq.Term):
            found = self._term_scores(*self._term(q))
        elif isinstance(q, wq.Every):  # Whoosh scores every document with the boost.
            found = self.live().astype(np.float64)
        elif self._term_in_section(q):
            found = np.where(self.docs(q), self._term_scores(*self._term(q.q)), 0.0)
        elif isinstance(q, wq.Or):
            found = np.zeros(self.size)
            for child in q.subqueries:
                found += self.scores(child)
        elif isinstance(q, wq.And) and any(not isinstance(c, wq.Not) for c in q.subqueries):
            wanted = [c for c in q.subqueries if not isinstance(c, wq.Not)]
            found = np.full(self.size, float(len(q.subqueries) - len(wanted)))  # NOT scores 1
            for child in wanted:
                found += self.scores(child)
            found[~self.docs(q)] = 0.0
        elif isinstance(q, wq.AndNot):
            found = np.where(self.docs(q.b), 0.0, self.scores(q.a))
        elif self._simple_phrase(q):
            found = self._phrase_scores(q)
        else:
            return self._whoosh_scores(q)
        boost = getattr(q, "boost", 1.0)
        return found if boost == 1.0 else found * boost

    def top(self, q: wq.Query, docs: Mask, count: int) -> Ranked:
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

    # Prefixes, wildcards and fields

    def _expanded(self, q: wq.Query) -> wq.Query | None:
        """A prefix or wildcard, in ``content`` or in one field, as the OR of its terms,
        as Whoosh's matcher combines them; None for other queries."""
        if isinstance(q, InSection) and isinstance(q.q, wq.MultiTerm):
            return q.expanded(self.expander)
        if not isinstance(q, wq.MultiTerm):
            return None
        terms = [wq.Term(q.fieldname, text) for text in self.expander.terms(q)]
        return terms[0] if len(terms) == 1 else wq.Or(terms, boost=q.boost)

    def _scored_constant(self, q: wq.Query, expanded: wq.Query) -> bool:
        """Whether Whoosh's matcher scores the expanded prefix or wildcard ``q`` 1 per
        match: a constant-score one whose OR it preloads (see _SMALL_INDEX)."""
        count = len(expanded.subqueries) if isinstance(expanded, wq.Or) else 1
        return (
            isinstance(q, wq.MultiTerm)
            and q.constantscore
            and count > 2
            and (self.size <= _SMALL_INDEX or count >= _MANY_TERMS)
        )

    def _term_in_section(self, q: wq.Query) -> bool:
        """A word in one field of an article: matched here from its positions."""
        return (
            isinstance(q, InSection)
            and isinstance(q.q, wq.Term)
            and q.q.fieldname in self.searcher.schema
            and self.searcher.schema[q.q.fieldname].scorable
        )

    def _section_matches(self, q: InSection) -> Mask:
        """Documents with the word at a position in the field's range."""
        postings = self.postings(*self._term(q.q))
        if not len(postings.docs):
            return np.zeros(self.size, dtype=bool)
        counts, positions = postings.positions(postings.docs)
        owners = np.repeat(np.arange(len(postings.docs)), counts)
        inside = owners[(positions >= q.start) & (positions < q.end)]
        return self.mask_of(postings.docs[np.unique(inside)])

    # Phrases

    def _simple_phrase(self, q: wq.Query) -> bool:
        """A phrase of whole words in a positional field: matched here, not by Whoosh."""
        return (
            isinstance(q, wq.Phrase)
            and q.slop == 1
            and len(q.words) > 1
            and q.fieldname in self.searcher.schema
            and self.searcher.schema[q.fieldname].scorable
        )

    def _phrase_matches(self, q: wq.Phrase) -> Mask:
        """Documents with the words at consecutive positions.

        Each (candidate, position) pair of the i-th word, moved back by i,
        becomes one number; a phrase starts where the numbers of all words meet.
        """
        terms = [wq.Term(q.fieldname, word) for word in q.words]
        candidates = self.live().copy()
        for term in terms:
            candidates &= self.docs(term)
        docs = np.flatnonzero(candidates)
        if not len(docs):  # No document holds all the words.
            return candidates
        starts = None
        for i, term in enumerate(terms):
            counts, positions = self.postings(*self._term(term)).positions(docs)
            owners = np.repeat(np.arange(len(docs)), counts)
            kept = positions >= i
            keys = (owners[kept] << 32) | (positions[kept] - i)
            starts = keys if starts is None else np.intersect1d(starts, keys, assume_unique=True)
        return self.mask_of(docs[np.unique(starts >> 32)] if starts is not None else [])

    def _phrase_scores(self, q: wq.Phrase) -> np.ndarray:
        """Scores as Whoosh's phrase matcher gives them: the sum of the words' scores."""
        found = np.zeros(self.size)
        for word in q.words:
            found += self.scores(wq.Term(q.fieldname, word))
        found[~self.docs(q)] = 0.0
        return found

    def _whoosh_scores(self, q: wq.Query) -> np.ndarray:
        """Scores from Whoosh's own matcher, one document at a time."""
        matcher = q.matcher(self.searcher)
        docs, found = [], []
        while matcher.is_active():
            docs.append(matcher.id())
            found.append(matcher.score())
            matcher.next()
        scores = np.zeros(self.size)
        scores[np.asarray(docs, dtype=np.int64)] = found
        scores[~self.live()] = 0.0
        return scores


def matching_docs(searcher: Any, q: wq.Query) -> set[int]:
    """Every document ``q`` matches, as a set of document numbers."""
    return set(np.flatnonzero(Evaluation(searcher).docs(q)).tolist())


def scored_matches(searcher: Any, q: wq.Query) -> dict[int, float]:
    """Every document ``q`` matches, with the score Whoosh would give it."""
    evaluation = Evaluation(searcher)
    docs = np.flatnonzero(evaluation.docs(q))
    return dict(zip(docs.tolist(), evaluation.scores(q)[docs].tolist(), strict=True))
