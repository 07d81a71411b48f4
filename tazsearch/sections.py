"""Field prefixes (``title:``, ``body:`` ...) as position ranges of the ``content`` field.

The index holds the words of every field of an article in ``content`` alone,
each field at positions of its own range (see :mod:`tazsearch.schema`). A
query on one field becomes the same query on ``content``, keeping only the
matches whose positions fall in that field's range.
"""

from __future__ import annotations

from typing import Any

from whoosh import query as wq
from whoosh.query.spans import SpanWrappingMatcher, WrappingSpan

from .schema import Section

CONTENT = "content"
# A prefix or wildcard on one field looks at no more terms than this.
MAX_EXPANSION = 512


class InSection(WrappingSpan):
    """Matches of ``q`` (a query on ``content``) at positions in ``[start, end)``."""

    def __init__(self, q: wq.Query, start: int = 0, end: int = 0) -> None:
        self.q = q
        self.start = start
        self.end = end

    def __eq__(self, other: object) -> bool:
        return isinstance(other, InSection) and (self.q, self.start, self.end) == (
            other.q,
            other.start,
            other.end,
        )

    def __hash__(self) -> int:
        return hash((self.q, self.start, self.end))

    def estimate_size(self, ixreader: Any) -> int:
        return self.q.estimate_size(ixreader)

    def estimate_min_size(self, ixreader: Any) -> int:
        return 0

    def apply(self, fn: Any) -> InSection:
        return InSection(fn(self.q), self.start, self.end)

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        if isinstance(self.q, wq.MultiTerm):
            # Prefixes and wildcards match through several terms, whose
            # combined matcher has no positions: range each term instead.
            texts = list(self.q._btexts(searcher.reader()))[:MAX_EXPANSION]
            terms = [InSection(wq.Term(CONTENT, text), self.start, self.end) for text in texts]
            return wq.Or(terms, boost=self.q.boost).matcher(searcher, context)
        child = self.q.matcher(searcher, context)
        return _InRangeMatcher(child, self.start, self.end)


class _InRangeMatcher(SpanWrappingMatcher):
    def __init__(self, child: Any, start: int, end: int) -> None:
        self.start = start
        self.end = end
        super().__init__(child)

    def copy(self) -> _InRangeMatcher:
        return _InRangeMatcher(self.child.copy(), self.start, self.end)

    def _replacement(self, newchild: Any) -> _InRangeMatcher:
        return _InRangeMatcher(newchild, self.start, self.end)

    def _get_spans(self) -> list[Any]:
        return [s for s in self.child.spans() if self.start <= s.start and s.end < self.end]


def in_content(q: wq.Query, schema: Any) -> wq.Query:
    """``q`` with every query on a single field turned into a range of ``content``."""
    fieldname = getattr(q, "fieldname", None)
    field = schema[fieldname] if fieldname in schema else None  # noqa: SIM401
    if isinstance(field, Section) and q.is_leaf():
        on_content = q.copy()
        on_content.fieldname = CONTENT
        return InSection(on_content, *field.positions())
    return q.apply(lambda child: in_content(child, schema))
