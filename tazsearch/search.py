"""Queries, ranking tiers and snippets: from a query string to typed hits."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from whoosh import query as wq
from whoosh.qparser import AndGroup, FieldAliasPlugin, GtLtPlugin, OrGroup, QueryParser
from whoosh.qparser.dateparse import DateParserPlugin
from whoosh.searching import Searcher

from .analysis import analyze, strip_accents
from .errors import QuerySyntaxError
from .schema import HEADING_MARK, TEXT_FIELDS

DEFAULT_FIELD = "content"
FIELD_ALIASES = {"tags": ["tag"], "authors": ["author"]}
MAX_SNIPPETS = 3
SNIPPET_CHARS = 240
# A sentence ends at . ! ? or … (maybe followed by a closing quote) before a
# capital, digit or opening quote; not after a digit, as in "21. Dezember".
_SENTENCE_END_RE = re.compile(r"(?:(?<=[^\d\s][.!?…])|(?<=[.!?…][\"“”»']))\s+(?=[A-ZÄÖÜ0-9„\"»(])")

Span = tuple[int, int]


@dataclass(frozen=True)
class Snippet:
    """A passage of the article; ``highlights`` are (start, end) offsets of matched words."""

    text: str
    highlights: list[Span] = field(default_factory=list)


@dataclass(frozen=True)
class Hit:
    """One ranked search result, complete without reopening its file."""

    rank: int
    id: str
    path: str
    title: str
    kicker: str
    headline: str
    date: dt.date | None
    authors: list[str]
    tags: list[str]
    score: float
    snippets: list[Snippet]
    title_highlights: list[Span] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["date"] = self.date.isoformat() if self.date else None
        data["score"] = round(self.score, 4)
        return data


@dataclass(frozen=True)
class SearchResults:
    """One page of hits and the total number of matching articles."""

    query: str
    total: int
    page: int
    limit: int
    hits: list[Hit]

    def __iter__(self) -> Iterator[Hit]:
        return iter(self.hits)

    def __len__(self) -> int:
        return len(self.hits)

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "total": self.total,
            "page": self.page,
            "limit": self.limit,
            "hits": [hit.to_dict() for hit in self.hits],
        }


def _parser(schema: Any, group: Any) -> QueryParser:
    parser = QueryParser(DEFAULT_FIELD, schema, group=group)
    parser.add_plugin(FieldAliasPlugin(FIELD_ALIASES))
    parser.add_plugin(GtLtPlugin())
    parser.add_plugin(DateParserPlugin(free=False))
    return parser


def _fold_patterns(q: wq.Query) -> wq.Query:
    """Lower-case and fold the text of prefix and wildcard queries, as the index is."""
    if isinstance(q, (wq.Prefix, wq.Wildcard)):
        return q.__class__(q.fieldname, strip_accents(q.text.lower()), boost=q.boost)
    return q.apply(_fold_patterns)


def _check(q: wq.Query, text: str) -> wq.Query:
    for leaf in q.leaves() if q.children() else [q]:
        if isinstance(leaf, wq.qcore._NullQuery) and getattr(leaf, "error", None):
            raise QuerySyntaxError(f"cannot read {leaf.error!r} in the query {text!r}")
    if q is wq.NullQuery or isinstance(q, wq.qcore._NullQuery):
        raise QuerySyntaxError(
            f"nothing to search for in {text!r}: stop words and punctuation are not indexed"
        )
    return _fold_patterns(q)


def _is_free_text(q: wq.Query) -> bool:
    """A word or phrase without a field prefix: what the relaxed query may leave out."""
    leaves = q.leaves() if q.children() else [q]
    return all(getattr(leaf, "fieldname", None) == DEFAULT_FIELD for leaf in leaves)


def parse_query(schema: Any, text: str) -> tuple[wq.Query, wq.Query | None]:
    """The strict query (every part required) and, if it differs, the relaxed one.

    The relaxed query wants any of the free words and phrases, but keeps
    every field prefix, date range, NOT and explicit AND of the original.
    """
    try:
        strict = _parser(schema, AndGroup).parse(text)
        loose = _parser(schema, OrGroup).parse(text)
    except Exception as exc:  # Whoosh raises bare Exceptions for bad dates.
        raise QuerySyntaxError(f"cannot read the query {text!r}: {exc}") from exc
    strict = _check(strict, text)
    if not isinstance(loose, wq.Or):
        return strict, None
    parts = loose.subqueries
    negatives = [c.query for c in parts if isinstance(c, wq.Not)]
    optional = [c for c in parts if not isinstance(c, wq.Not) and _is_free_text(c)]
    required = [c for c in parts if not isinstance(c, wq.Not) and not _is_free_text(c)]
    if len(optional) < 2:
        return strict, None
    relaxed: wq.Query = wq.And([*required, wq.Or(optional)]) if required else wq.Or(optional)
    if negatives:
        relaxed = wq.AndNot(relaxed, wq.Or(negatives))
    return strict, _fold_patterns(relaxed)


def _positive_leaves(q: wq.Query) -> Iterator[wq.Query]:
    if isinstance(q, wq.Not):
        return
    if isinstance(q, wq.AndNot):
        yield from _positive_leaves(q.a)
        return
    children = list(q.children())
    if not children:
        yield q
    for child in children:
        yield from _positive_leaves(child)


def highlight_terms(q: wq.Query, reader: Any) -> set[str]:
    """The index terms a hit's text should be highlighted for (nothing under NOT)."""
    wanted = {DEFAULT_FIELD, *TEXT_FIELDS}
    found = set()
    for leaf in _positive_leaves(q):
        for fieldname, text in leaf.existing_terms(reader, phrases=True, expand=True):
            if fieldname in wanted:
                found.add(text.decode("utf-8") if isinstance(text, bytes) else text)
    return found


def match_spans(text: str, wanted: set[str]) -> list[Span]:
    """Character spans of the words in ``text`` whose terms are wanted.

    Overlapping spans merge, and so do parts of one compound that both
    matched, so "Ukraine-Krieg" is marked as one word.
    """
    spans = sorted((t.start, t.end) for t in analyze(text) if t.text in wanted)
    merged: list[Span] = []
    for start, end in spans:
        if merged and (start <= merged[-1][1] or text[merged[-1][1] : start] == "-"):
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _passages(teaser: str, body: str) -> Iterator[str]:
    for paragraph in [teaser, *body.split("\n\n")]:
        if paragraph.startswith(HEADING_MARK):
            paragraph = paragraph[len(HEADING_MARK) :]
        yield from (s for s in _SENTENCE_END_RE.split(paragraph) if s.strip())


def _clip(text: str, spans: list[Span]) -> Snippet:
    """Cut a long passage to a window around its first highlighted word."""
    if len(text) <= SNIPPET_CHARS:
        return Snippet(text, spans)
    first = spans[0][0] if spans else 0
    start = max(0, min(first - SNIPPET_CHARS // 3, len(text) - SNIPPET_CHARS))
    start = text.rfind(" ", 0, start) + 1 if start else 0
    end = start + SNIPPET_CHARS
    end = text.find(" ", end) if text.find(" ", end) != -1 else len(text)
    prefix = "… " if start else ""
    suffix = " …" if end < len(text) else ""
    shift = len(prefix) - start
    inside = [(s + shift, e + shift) for s, e in spans if s >= start and e <= end]
    return Snippet(prefix + text[start:end] + suffix, inside)


def make_snippets(
    teaser: str, body: str, wanted: set[str], weights: dict[str, float]
) -> list[Snippet]:
    """The 1 to 3 passages that match best, best first.

    A passage scores the weights of the distinct terms it holds, plus a little
    for each repeated match, so that passages with many different query words
    win over ones repeating one word.
    """
    scored = []
    for order, passage in enumerate(_passages(teaser, body)):
        seen: dict[str, int] = {}
        for term in analyze(passage):
            if term.text in wanted:
                seen[term.text] = seen.get(term.text, 0) + 1
        if seen:
            score = sum(weights.get(t, 1.0) for t in seen) + 0.1 * (sum(seen.values()) - len(seen))
            scored.append((-score, order, passage))
    if not scored:
        first = next(_passages(teaser, body), "")
        return [_clip(first, [])] if first else []
    best = sorted(scored)[:MAX_SNIPPETS]
    return [_clip(passage, match_spans(passage, wanted)) for _, _, passage in best]


def _ranked(
    searcher: Searcher, strict: wq.Query, relaxed: wq.Query | None, offset: int, limit: int
) -> tuple[list[Any], int]:
    """Hits offset..offset+limit: all-words matches first, then any-word matches."""
    wanted = offset + limit
    first = searcher.search(strict, limit=wanted)
    total = len(first)
    hits = list(first)[offset:wanted]
    if relaxed is not None:
        rest = searcher.search(relaxed, limit=max(wanted - total, 1), mask=strict)
        skip = max(0, offset - total)
        hits += list(rest)[skip : skip + limit - len(hits)]
        total += len(rest)
    return hits, total


def run_search(searcher: Searcher, text: str, *, limit: int = 10, page: int = 1) -> SearchResults:
    """Run a query string and build typed hits with snippets."""
    if limit < 1 or page < 1:
        raise ValueError("limit and page must be at least 1")
    strict, relaxed = parse_query(searcher.schema, text)
    offset = (page - 1) * limit
    hits, total = _ranked(searcher, strict, relaxed, offset, limit)
    wanted = highlight_terms(relaxed or strict, searcher.reader())
    weights = {t: searcher.idf(DEFAULT_FIELD, t) for t in wanted}
    results = [
        _hit(offset + n, hit.fields(), hit.score, wanted, weights) for n, hit in enumerate(hits, 1)
    ]
    return SearchResults(query=text, total=total, page=page, limit=limit, hits=results)


def _hit(
    rank: int, stored: dict[str, Any], score: float | None, wanted: set[str], weights: dict
) -> Hit:
    date = stored.get("date")
    title = stored.get("title", "")
    return Hit(
        rank=rank,
        id=stored["id"],
        path=stored["path"],
        title=title,
        kicker=stored.get("kicker", ""),
        headline=stored.get("headline", ""),
        date=date.date() if date else None,
        authors=list(stored.get("authors", ())),
        tags=list(stored.get("tags", ())),
        score=score or 0.0,
        snippets=make_snippets(stored.get("teaser", ""), stored.get("body", ""), wanted, weights),
        title_highlights=match_spans(title, wanted),
    )
