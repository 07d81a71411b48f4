"""Every article a query matches, and the best of them, scored as Whoosh scores them.

Whoosh finds matches by stepping its matcher tree one document at a time,
which took most of the time of a search for common words, and more again to
count them. Here each word's postings are read once per query, block by
block; AND, OR and NOT are set operations on their documents, and scores are
summed over the matching children as Whoosh's matchers sum them (times each
query's boost), so the ranking is Whoosh's own. Only documents that can
still rank are scored: a one-word query visits its blocks best first and
stops when no block left can beat the hits it has. Phrases are matched from
the postings' positions. Other queries (field ranges, prefixes, dates) fall
back to Whoosh's matcher.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN
from whoosh.formats import Positions
from whoosh.util.numeric import byte_to_length

from .docvalues import per_index
from .ranking import K1, B, idf
from .writing import read_blocks

Scores = dict[int, float]
Ranked = list[tuple[int, float]]
_BYTE_LENGTHS = [byte_to_length(b) for b in range(256)]
_decode_positions = Positions().decode_positions
# Length normalisation of each document, K1 * (1 - B + B * length / average),
# per list of segments, field and average length.
_norms: dict[tuple[Any, ...], list[float]] = {}


@dataclass(frozen=True)
class _Block:
    """One posting block of a term: documents (numbered index-wide, none deleted)
    with their weights and encoded positions, and the block's best possible score."""

    docnums: list[int]
    weights: list[float]
    values: Sequence[bytes]
    best: float


def _segment_lengths(reader: Any, fieldname: str) -> list[int]:
    perdoc = reader._perdoc  # The lengths column has no field in the schema.
    name = f"_{fieldname}_len"
    if not perdoc.has_column(name):
        return [0] * reader.doc_count_all()
    return [_BYTE_LENGTHS[b] for b in perdoc.column_reader(name, LENGTHS_COLUMN)]


def _index_norms(searcher: Any, fieldname: str, average: float) -> list[float]:
    def compute(readers: list[Any]) -> list[float]:
        return [
            K1 * ((1 - B) + B * n / average)
            for reader in readers
            for n in _segment_lengths(reader, fieldname)
        ]

    return per_index(_norms, searcher, (fieldname, average), compute)


class Evaluation:
    """One query's look at the index: each term's postings read once, shared by the
    query's ranking tiers, its match sets, scores and phrases."""

    def __init__(self, searcher: Any) -> None:
        self.searcher = searcher
        self._blocks: dict[tuple[str, bytes], list[_Block]] = {}
        self._docs: dict[tuple[str, bytes], set[int]] = {}
        self._factors: dict[tuple[str, bytes], float] = {}
        # The ranking tiers of a query share their parts: each part's match
        # set, and each phrase's matches, are worked out once.
        self._matches: dict[wq.Query, set[int]] = {}
        self._phrases: dict[wq.Query, Scores] = {}
        self._deleted: dict[int, frozenset[int]] = {}

    # Terms

    def _term(self, q: wq.Term) -> tuple[str, bytes]:
        text = q.text
        if isinstance(text, str):
            text = self.searcher.schema[q.fieldname].to_bytes(text)
        return q.fieldname, text

    def _factor(self, fieldname: str, text: bytes) -> float:
        """The term's IDF times K1 + 1: the part of its BM25 that all documents share."""
        key = (fieldname, text)
        if key not in self._factors:
            parent = self.searcher.get_parent()
            frequency = parent.doc_frequency(fieldname, text)
            self._factors[key] = idf(parent.doc_count_all(), frequency) * (K1 + 1)
        return self._factors[key]

    def _deleted_in(self, reader: Any) -> frozenset[int]:
        key = id(reader)
        if key not in self._deleted:
            deleted = reader._perdoc.deleted_docs() if reader.has_deletions() else ()
            self._deleted[key] = frozenset(deleted)
        return self._deleted[key]

    def blocks(self, fieldname: str, text: bytes) -> list[_Block]:
        """The term's posting blocks in every segment."""
        key = (fieldname, text)
        if key in self._blocks:
            return self._blocks[key]
        scorable = self.searcher.schema[fieldname].scorable
        if scorable:
            factor = self._factor(fieldname, text)
            average = self.searcher.get_parent().avg_field_length(fieldname) or 1
        found = []
        for leaf, offset in self.searcher.leaf_searchers():
            reader = leaf.reader()
            if (fieldname, text) not in reader:
                continue
            deleted = self._deleted_in(reader)
            for docnums, weights, values, max_weight, min_length in read_blocks(
                reader.postings(fieldname, text)
            ):
                if deleted:
                    kept = [i for i, d in enumerate(docnums) if d not in deleted]
                    docnums = [docnums[i] for i in kept]
                    weights = [weights[i] for i in kept]
                    values = [values[i] for i in kept]
                if offset:
                    docnums = [d + offset for d in docnums]
                best = 1.0
                if scorable:
                    norm = K1 * ((1 - B) + B * min_length / average)
                    best = factor * max_weight / (max_weight + norm)
                found.append(_Block(docnums, weights, values, best))
        self._blocks[key] = found
        return found

    def term_docs(self, fieldname: str, text: bytes) -> set[int]:
        key = (fieldname, text)
        if key not in self._docs:
            docs: set[int] = set()
            for block in self.blocks(fieldname, text):
                docs.update(block.docnums)
            self._docs[key] = docs
        return self._docs[key]

    def term_scores(self, fieldname: str, text: bytes, within: set[int] | None) -> Scores:
        """BM25 of the term in each document holding it (in ``within``, if given)."""
        blocks = self.blocks(fieldname, text)
        if not blocks:
            return {}
        if not self.searcher.schema[fieldname].scorable:
            docs = self.term_docs(fieldname, text)
            return dict.fromkeys(docs & within if within is not None else docs, 1.0)
        factor = self._factor(fieldname, text)
        norms = self._norms(fieldname)
        scores: Scores = {}
        for block in blocks:
            pairs = zip(block.docnums, block.weights, strict=True)
            if within is not None:
                pairs = ((d, w) for d, w in pairs if d in within)  # type: ignore[assignment]
            # A comprehension and dict.update run this loop mostly in C.
            scores.update([(d, factor * w / (w + norms[d])) for d, w in pairs])
        return scores

    def _norms(self, fieldname: str) -> list[float]:
        parent = self.searcher.get_parent()
        return _index_norms(self.searcher, fieldname, parent.avg_field_length(fieldname) or 1)

    # Queries

    def docs(self, q: wq.Query) -> set[int]:
        """Every document ``q`` matches, as a set of the caller's own."""
        if isinstance(q, wq.Term):
            return set(self.term_docs(*self._term(q)))
        if q not in self._matches:
            self._matches[q] = self._match(q)
        return set(self._matches[q])

    def _match(self, q: wq.Query) -> set[int]:
        if isinstance(q, wq.Every) and not q.fieldname:
            return set(self.searcher.reader().all_doc_ids())
        if isinstance(q, wq.Or):
            found: set[int] = set()
            for child in q.subqueries:
                found |= self.docs(child)
            return found
        if isinstance(q, wq.And):
            wanted = [c for c in q.subqueries if not isinstance(c, wq.Not)]
            unwanted = [c.query for c in q.subqueries if isinstance(c, wq.Not)]
            if not wanted:
                return self.docs(wq.Every()) - self.docs(wq.Or(unwanted))
            found = self.docs(wanted[0])
            for child in wanted[1:]:
                if not found:
                    break
                found &= self.docs(child)
            for child in unwanted:
                found -= self.docs(child)
            return found
        if isinstance(q, wq.AndNot):
            return self.docs(q.a) - self.docs(q.b)
        if isinstance(q, wq.Not):
            return self.docs(wq.Every()) - self.docs(q.query)
        if self._simple_phrase(q):
            return set(self._phrase_matches(q))
        return set(q.docs(self.searcher))

    def scores(self, q: wq.Query, within: set[int] | None = None) -> Scores:
        """Every document ``q`` matches (in ``within``, if given), with its score."""
        if isinstance(q, wq.Term):
            return _boosted(self.term_scores(*self._term(q), within), q.boost)
        if isinstance(q, wq.Or):
            parts = sorted((self.scores(c, within) for c in q.subqueries), key=len)
            if not parts:
                return {}
            combined = dict(parts[-1])  # The largest, copied; the others are added to it.
            for part in parts[:-1]:
                for d, s in part.items():
                    combined[d] = combined.get(d, 0.0) + s
            return _boosted(combined, q.boost)
        if isinstance(q, wq.And):
            wanted = [c for c in q.subqueries if not isinstance(c, wq.Not)]
            unwanted = len(q.subqueries) - len(wanted)
            if not wanted:
                return self._whoosh_scores(q, within)
            matches = self.docs(q)
            if within is not None:
                matches &= within
            combined = dict.fromkeys(matches, float(unwanted))  # Whoosh scores a NOT as 1.
            for child in wanted:
                for d, s in self.scores(child, matches).items():
                    combined[d] += s
            return _boosted(combined, q.boost)
        if isinstance(q, wq.AndNot):
            kept = self.scores(q.a, within)
            for d in self.docs(q.b):
                kept.pop(d, None)
            return _boosted(kept, q.boost)
        if self._simple_phrase(q):
            matches = self._phrase_matches(q)
            if within is not None:
                return {d: s for d, s in matches.items() if d in within}
            return dict(matches)
        return self._whoosh_scores(q, within)

    def top(self, q: wq.Query, docs: set[int], count: int) -> Ranked:
        """The ``count`` best of ``docs`` (all matches of ``q``), best first; among
        equal scores the earlier document, as Whoosh orders them."""
        if isinstance(q, wq.Term):
            return self._top_of_term(q, docs, count)
        scores = self.scores(q, docs)
        best = heapq.nlargest(count, scores.items(), key=lambda item: (item[1], -item[0]))
        return best

    def _top_of_term(self, q: wq.Term, docs: set[int], count: int) -> Ranked:
        """Top documents of one term, visiting its blocks best first.

        A block whose best possible score is below the count-th best found so
        far cannot add a hit, nor can any block after it.
        """
        fieldname, text = self._term(q)
        if not docs:
            return []
        if not self.searcher.schema[fieldname].scorable:
            return [(d, q.boost) for d in sorted(docs)[:count]]
        factor = self._factor(fieldname, text) * q.boost
        norms = self._norms(fieldname)
        heap: list[tuple[float, int]] = []  # (score, -docnum), the worst kept on top
        for block in sorted(self.blocks(fieldname, text), key=lambda b: -b.best):
            if len(heap) == count and block.best * q.boost < heap[0][0]:
                break
            for d, w in zip(block.docnums, block.weights, strict=True):
                if d in docs:
                    item = (factor * w / (w + norms[d]), -d)
                    if len(heap) < count:
                        heapq.heappush(heap, item)
                    elif item > heap[0]:
                        heapq.heapreplace(heap, item)
        return [(-d, s) for s, d in sorted(heap, reverse=True)]

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

    def _phrase_matches(self, q: wq.Phrase) -> Scores:
        """Documents with the words at consecutive positions, scored as Whoosh's
        phrase matcher scores them: the sum of the words' scores. Worked out
        once per query, as checking positions is the costly part."""
        if q not in self._phrases:
            self._phrases[q] = self._match_phrase(q)
        return self._phrases[q]

    def _match_phrase(self, q: wq.Phrase) -> Scores:
        terms = [wq.Term(q.fieldname, word) for word in q.words]
        keys = [self._term(t) for t in terms]
        if any(key not in self.searcher.reader() for key in keys):
            return {}
        candidates = set.intersection(*(self.term_docs(*key) for key in keys))
        postings = [self._values(key, candidates) for key in keys]
        found = []
        for d in candidates:
            first, *rest = (_decode_positions(values[d]) for values in postings)
            later = [set(p) for p in rest]
            if any(all(p + i in s for i, s in enumerate(later, 1)) for p in first):
                found.append(d)
        matched = set(found)
        total: Scores = dict.fromkeys(matched, 0.0)
        for key in keys:
            for d, s in self.term_scores(*key, matched).items():
                total[d] += s
        return _boosted(total, q.boost)

    def _values(self, key: tuple[str, bytes], docs: set[int]) -> dict[int, bytes]:
        """The encoded positions of a term in each of ``docs``."""
        found = {}
        for block in self.blocks(*key):
            pairs = zip(block.docnums, block.values, strict=True)
            found.update((d, v) for d, v in pairs if d in docs)
        return found

    def _whoosh_scores(self, q: wq.Query, within: set[int] | None) -> Scores:
        """Scores from Whoosh's own matcher, one document at a time."""
        matcher = q.matcher(self.searcher)
        scores: Scores = {}
        while matcher.is_active():
            docnum = matcher.id()
            if within is None or docnum in within:
                scores[docnum] = matcher.score()
            matcher.next()
        return scores


def _boosted(scores: Scores, boost: float) -> Scores:
    return scores if boost == 1.0 else {d: s * boost for d, s in scores.items()}


def matching_docs(searcher: Any, q: wq.Query) -> set[int]:
    """Every document ``q`` matches, as a set of document numbers."""
    return Evaluation(searcher).docs(q)


def scored_matches(searcher: Any, q: wq.Query) -> Scores:
    """Every document ``q`` matches, with the score Whoosh would give it."""
    return Evaluation(searcher).scores(q)


def all_docs(searcher: Any) -> set[int]:
    return set(searcher.reader().all_doc_ids())
