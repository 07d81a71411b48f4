"""Every article a query matches, with its BM25 score, in a few set and dict operations.

Whoosh finds matches by stepping its matcher tree one document at a time,
which took most of the time of a search for common words, and more again to
count them. Here a word's postings are read block by block and scored in one
loop, and AND, OR and NOT combine the per-document scores as Whoosh's
matchers do (a sum over the matching children, times the query's boost), so
the ranking is Whoosh's own. Queries of other kinds (phrases, field ranges,
prefixes) fall back to Whoosh's matcher.
"""

from __future__ import annotations

from itertools import accumulate, repeat
from typing import Any

from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.util.numeric import byte_to_length

from .ranking import K1, B, idf

Scores = dict[int, float]
# Length normalisation per document, per segment and average length: the
# denominator's K1 * (1 - B + B * length / average) of BM25.
_norms: dict[tuple[str, str, float], list[float]] = {}
_CACHED_NORMS = 64
_BYTE_LENGTHS = [byte_to_length(b) for b in range(256)]


def _blocks(matcher: Any) -> Any:
    """(docnums, weights) of each posting block of a term in one segment."""
    if isinstance(matcher, FilterMatcher):  # Deletions are filtered by the caller.
        matcher = matcher.child
    if not isinstance(matcher, W3LeafMatcher):
        docnums = list(matcher.all_ids())
        yield docnums, [1.0] * len(docnums)
        return
    while matcher.is_active():
        if matcher._data is None:
            matcher._read_data()
        deltas, weights, _ = matcher._data
        docnums = list(accumulate(deltas))
        if weights is None or isinstance(weights, float):
            weights = repeat(1.0 if weights is None else weights, len(docnums))
        yield docnums, weights
        matcher._next_block()


def _deleted(reader: Any) -> frozenset[int]:
    return frozenset(reader._perdoc.deleted_docs()) if reader.has_deletions() else frozenset()


def term_docs(searcher: Any, fieldname: str, text: bytes) -> set[int]:
    """The documents (not deleted) holding one term."""
    found: set[int] = set()
    for leaf, offset in searcher.leaf_searchers():
        reader = leaf.reader()
        if (fieldname, text) not in reader:
            continue
        deleted = _deleted(reader)
        for docnums, _ in _blocks(reader.postings(fieldname, text)):
            found.update(d + offset for d in docnums if d not in deleted)
    return found


def _segment_norms(reader: Any, fieldname: str, average: float) -> list[float]:
    key = (reader.segment().segment_id(), fieldname, average)
    norms = _norms.get(key)
    if norms is None:
        perdoc = reader._perdoc  # The lengths column has no field in the schema.
        name = f"_{fieldname}_len"
        if perdoc.has_column(name):
            lengths = [_BYTE_LENGTHS[b] for b in perdoc.column_reader(name, LENGTHS_COLUMN)]
        else:
            lengths = [0] * reader.doc_count_all()
        norms = [K1 * ((1 - B) + B * n / average) for n in lengths]
        if len(_norms) >= _CACHED_NORMS:
            _norms.clear()
        _norms[key] = norms
    return norms


def term_scores(searcher: Any, fieldname: str, text: bytes) -> Scores:
    """BM25 of one term in every document holding it, as :class:`GermanBM25` scores it."""
    if not searcher.schema[fieldname].scorable:
        return dict.fromkeys(term_docs(searcher, fieldname, text), 1.0)
    parent = searcher.get_parent()
    factor = idf(parent.doc_count_all(), parent.doc_frequency(fieldname, text)) * (K1 + 1)
    average = parent.avg_field_length(fieldname) or 1
    scores: Scores = {}
    for leaf, offset in searcher.leaf_searchers():
        reader = leaf.reader()
        if (fieldname, text) not in reader:
            continue
        norms = _segment_norms(reader, fieldname, average)
        deleted = _deleted(reader)
        for docnums, weights in _blocks(reader.postings(fieldname, text)):
            # Comprehensions and dict.update run these loops mostly in C.
            values = [factor * w / (w + norms[d]) for d, w in zip(docnums, weights, strict=False)]
            if offset:
                docnums = [d + offset for d in docnums]
            scores.update(zip(docnums, values, strict=True))
            if deleted:
                for d in docnums:
                    if d - offset in deleted:
                        del scores[d]
    return scores


def all_docs(searcher: Any) -> set[int]:
    return set(searcher.reader().all_doc_ids())


def _term_bytes(searcher: Any, q: wq.Term) -> bytes:
    text = q.text
    return searcher.schema[q.fieldname].to_bytes(text) if isinstance(text, str) else text


def _boosted(scores: Scores, boost: float) -> Scores:
    return scores if boost == 1.0 else {d: s * boost for d, s in scores.items()}


def scored_matches(searcher: Any, q: wq.Query, memo: dict[Any, Scores] | None = None) -> Scores:
    """Every document ``q`` matches, with the score Whoosh would give it.

    ``memo`` keeps the scores of terms between calls for one query, whose
    ranking tiers share their words.
    """
    memo = {} if memo is None else memo
    if isinstance(q, wq.Term):
        key = (q.fieldname, q.text)
        if key not in memo:
            memo[key] = term_scores(searcher, q.fieldname, _term_bytes(searcher, q))
        return _boosted(memo[key], q.boost)
    if isinstance(q, wq.Or):
        parts = sorted((scored_matches(searcher, c, memo) for c in q.subqueries), key=len)
        if not parts:
            return {}
        combined = dict(parts[-1])  # The largest, copied; the others are added to it.
        for part in parts[:-1]:
            for d, s in part.items():
                combined[d] = combined.get(d, 0.0) + s
        return _boosted(combined, q.boost)
    if isinstance(q, wq.And):
        wanted = [c for c in q.subqueries if not isinstance(c, wq.Not)]
        unwanted = [c.query for c in q.subqueries if isinstance(c, wq.Not)]
        if not wanted:
            return _whoosh_scores(searcher, q)
        parts = sorted((scored_matches(searcher, c, memo) for c in wanted), key=len)
        combined = dict(parts[0])
        for part in parts[1:]:
            combined = {d: s + part[d] for d, s in combined.items() if d in part}
        for child in unwanted:
            for d in matching_docs(searcher, child):
                combined.pop(d, None)
        if unwanted:  # Whoosh's matcher scores each NOT as 1.
            combined = {d: s + len(unwanted) for d, s in combined.items()}
        return _boosted(combined, q.boost)
    if isinstance(q, wq.AndNot):
        kept = scored_matches(searcher, q.a, memo)
        for d in matching_docs(searcher, q.b):
            kept.pop(d, None)
        return _boosted(kept, q.boost)
    return _whoosh_scores(searcher, q)


def _whoosh_scores(searcher: Any, q: wq.Query) -> Scores:
    """Scores from Whoosh's own matcher, one document at a time."""
    matcher = q.matcher(searcher)
    scores: Scores = {}
    while matcher.is_active():
        scores[matcher.id()] = matcher.score()
        matcher.next()
    return scores


def matching_docs(searcher: Any, q: wq.Query) -> set[int]:
    """Every document ``q`` matches, as a set of document numbers."""
    if isinstance(q, wq.Term):
        return term_docs(searcher, q.fieldname, _term_bytes(searcher, q))
    if isinstance(q, wq.Every) and not q.fieldname:
        return all_docs(searcher)
    if isinstance(q, wq.Or):
        found: set[int] = set()
        for child in q.subqueries:
            found |= matching_docs(searcher, child)
        return found
    if isinstance(q, wq.And):
        wanted = [c for c in q.subqueries if not isinstance(c, wq.Not)]
        unwanted = [c.query for c in q.subqueries if isinstance(c, wq.Not)]
        found = matching_docs(searcher, wanted[0]) if wanted else all_docs(searcher)
        for child in wanted[1:]:
            if not found:
                break
            found &= matching_docs(searcher, child)
        for child in unwanted:
            found -= matching_docs(searcher, child)
        return found
    if isinstance(q, wq.AndNot):
        return matching_docs(searcher, q.a) - matching_docs(searcher, q.b)
    if isinstance(q, wq.Not):
        return all_docs(searcher) - matching_docs(searcher, q.query)
    return set(q.docs(searcher))
