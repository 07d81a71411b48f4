"""Field prefixes (``title:``, ``body:`` ...) as position ranges of the ``content`` field,
and prefixes and wildcards as a bounded number of index terms.

The index holds the words of every field of an article in ``content`` alone,
each field at positions of its own range (see :mod:`tazsearch.schema`). A
query on one field becomes the same query on ``content``, keeping only the
matches whose positions fall in that field's range.

A prefix or wildcard (``Nordko*``, ``Kl?ma*``, ``?*``) stands for every index
term it matches, which may be most of the index. :class:`Expander` finds them
within fixed limits, so that every query has a bounded cost, and writes a
note for each limit that cut an expansion short: a cut never changes a
result silently.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from whoosh import query as wq
from whoosh.query.spans import SpanWrappingMatcher, WrappingSpan

from .errors import QuerySyntaxError
from .schema import Section

CONTENT = "content"
# A prefix or wildcard searches at most this many of the terms it matches,
# the first in the index's (alphabetical) order.
MAX_EXPANSION = 256
# The prefixes and wildcards of one query search at most this many terms together.
MAX_QUERY_EXPANSION = 1024
# One query looks at most this many terms of the index to find the ones its
# wildcards match: a leading wildcard ("*x") has no prefix to narrow the scan.
MAX_SCANNED = 50_000


def pattern_label(q: wq.Query, fieldname: str = "") -> str:
    """A prefix or wildcard as the user wrote it, near enough, for a note."""
    if isinstance(q, wq.Prefix):
        text = f"{q.text}*"
    elif isinstance(q, wq.PatternQuery):
        text = q.text
    elif isinstance(q, wq.TermRange):
        text = f"[{q.start or ''} TO {q.end or ''}]"
    else:
        text = str(q)
    return f"{fieldname}:{text}" if fieldname else text


class Expander:
    """The index terms of a query's prefixes and wildcards, within the query's limits.

    One expander serves one query: each pattern is expanded once, and the
    limits on terms searched and terms looked at count over all its patterns.
    ``notes`` says, in a line each, which expansions a limit cut short.
    """

    def __init__(self, reader: Any) -> None:
        self.reader = reader
        self.scanned = 0
        self.expanded = 0
        self.notes: list[str] = []
        self._done: dict[wq.Query, list[bytes]] = {}

    def terms(self, q: wq.MultiTerm, label: str = "") -> list[bytes]:
        """The terms ``q`` stands for, at most :data:`MAX_EXPANSION` of them."""
        key = q.with_boost(1.0)
        if key not in self._done:
            self._done[key] = self._expand(q, label or pattern_label(q))
        return self._done[key]

    def _expand(self, q: wq.MultiTerm, label: str) -> list[bytes]:
        candidates, accept = self._candidates(q)
        limit = max(0, min(MAX_EXPANSION, MAX_QUERY_EXPANSION - self.expanded))
        found: list[bytes] = []
        more = scan_cut = False
        for btext in candidates:
            if self.scanned >= MAX_SCANNED:
                scan_cut = True
                break
            self.scanned += 1
            if not btext or not accept(btext):
                continue
            if len(found) >= limit:
                more = True
                break
            found.append(btext)
        self.expanded += len(found)
        self._note(label, len(found), limit, more, scan_cut)
        return found

    def _candidates(self, q: wq.MultiTerm) -> tuple[Iterable[bytes], Callable[[bytes], bool]]:
        """The index terms to look at for ``q``, and the test of each."""
        reader, fieldname = self.reader, q.fieldname
        if fieldname not in reader.schema:
            return (), _always
        if isinstance(q, wq.Prefix):
            return reader.expand_prefix(fieldname, q.text), _always
        if isinstance(q, wq.PatternQuery):  # Wildcards; the scan narrows to their literal start.
            prefix = q._find_prefix(q.text)
            found = reader.expand_prefix(fieldname, prefix) if prefix else reader.lexicon(fieldname)
            pattern = re.compile(q._get_pattern())
            from_bytes = reader.schema[fieldname].from_bytes
            return found, lambda btext: pattern.match(from_bytes(btext)) is not None
        return q._btexts(reader), _always  # Term ranges visit only the terms they match.

    def _note(self, label: str, found: int, limit: int, more: bool, scan_cut: bool) -> None:
        if more and limit == MAX_EXPANSION:
            self.notes.append(
                f"{label} matches more than {MAX_EXPANSION} terms; "
                f"only the first {MAX_EXPANSION} were searched"
            )
        elif more:
            searched = f"only {found} of its terms were searched" if found else "not searched"
            self.notes.append(
                f"{label}: {searched}, for the prefixes and wildcards of a query "
                f"search at most {MAX_QUERY_EXPANSION:,} terms together"
            )
        if scan_cut:
            self.notes.append(
                f"{label}: only the first {MAX_SCANNED:,} terms of the index were looked at "
                f"(a query looks at no more); {found} of them match"
            )


def _always(btext: bytes) -> bool:
    return True


class InSection(WrappingSpan):
    """Matches of ``q`` (a query on ``content``) at positions in ``[start, end)``.

    ``fieldname`` names the field for notes; it does not change what matches.
    """

    def __init__(self, q: wq.Query, start: int = 0, end: int = 0, fieldname: str = "") -> None:
        self.q = q
        self.start = start
        self.end = end
        self.fieldname_shown = fieldname

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
        return InSection(fn(self.q), self.start, self.end, self.fieldname_shown)

    def expanded(self, expander: Expander) -> wq.Query:
        """A prefix or wildcard in this field as the OR of its terms, each in the field."""
        label = pattern_label(self.q, self.fieldname_shown)
        texts = expander.terms(self.q, label)
        terms = [InSection(wq.Term(CONTENT, text), self.start, self.end) for text in texts]
        return wq.Or(terms, boost=self.q.boost)

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        if isinstance(self.q, wq.MultiTerm):
            # Prefixes and wildcards match through several terms, whose
            # combined matcher has no positions: range each term instead.
            return self.expanded(Expander(searcher.reader())).matcher(searcher, context)
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
    """``q`` with every query on a single field turned into a range of ``content``.

    ``title:*`` (every article with a word in its title) is refused: finding
    it means reading every posting of the index, and taking it for every
    article would be a wrong answer where a field is empty.
    """
    fieldname = getattr(q, "fieldname", None)
    field = schema[fieldname] if fieldname in schema else None  # noqa: SIM401
    if isinstance(field, Section) and q.is_leaf():
        if isinstance(q, wq.Every):
            raise QuerySyntaxError(
                f"cannot search {fieldname}:*: a field prefix needs a word or the start of "
                f"one ({fieldname}:Nord*); * alone lists every article"
            )
        on_content = q.copy()
        on_content.fieldname = CONTENT
        return InSection(on_content, *field.positions(), fieldname)
    return q.apply(lambda child: in_content(child, schema))
