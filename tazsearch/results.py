"""The typed results of a search: hits, their snippets, one page of them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .facets import Facets

Span = tuple[int, int]


class Sort(str, Enum):
    """The orders of hits: by relevance (ranking tiers, best first), or by date."""

    relevance = "relevance"
    newest = "newest"
    oldest = "oldest"


def byline(date: dt.date | None, authors: Sequence[str], undated: str = "") -> str:
    """The "date · authors" line under a hit's or an article's title."""
    shown_date = date.isoformat() if date else undated
    return " · ".join(part for part in (shown_date, ", ".join(authors)) if part)


def marked(
    text: str, spans: list[Span], before: str, after: str, escape: Callable[[str], str] = str
) -> str:
    """``text`` with each span between ``before`` and ``after``; ``escape`` applies
    to the text itself (html.escape for a web page)."""
    pieces, last = [], 0
    for start, end in spans:
        pieces += [escape(text[last:start]), before, escape(text[start:end]), after]
        last = end
    return "".join([*pieces, escape(text[last:])])


@dataclass(frozen=True)
class Snippet:
    """A passage of the article; ``highlights`` are (start, end) offsets of matched words."""

    text: str
    highlights: list[Span] = field(default_factory=list)


@dataclass(frozen=True)
class Hit:
    """One ranked search result, complete without reopening its file. ``path`` is
    the article's file, ``source`` its path under the folder that was indexed."""

    rank: int
    id: str
    path: str
    source: str
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
    """One page of hits and the total number of matching articles.

    ``suggestion`` is a did-you-mean for a query with words the index lacks.
    ``searched`` is the query the hits are for: the suggestion itself when the
    query found nothing and the suggestion was searched instead. ``facets``
    counts dates, tags and authors over all matches, when asked for. ``notes``
    are one-line remarks in plain English on how the query was searched, one
    for each limit that cut it short ("Nordko* matches more than 256 terms;
    only the first 256 were searched"); empty for most queries.
    """

    query: str
    total: int
    page: int
    limit: int
    hits: list[Hit]
    suggestion: str | None = None
    searched: str = ""
    facets: Facets | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def corrected(self) -> bool:
        """True when the hits are for the suggestion, not for the query."""
        return bool(self.searched) and self.searched != self.query

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
            "suggestion": self.suggestion,
            "searched": self.searched or self.query,
            "notes": list(self.notes),
            "hits": [hit.to_dict() for hit in self.hits],
            **({"facets": self.facets.to_dict()} if self.facets else {}),
        }
