"""The shapes of the HTTP API's answers, as pydantic models: the contract for other programs.

FastAPI validates every answer against these before sending it and writes
them into /openapi.json, so a program can rely on every field named here.
Each model forbids fields it does not name: an answer that grew a field (an
absolute path, say) is a 500 and a failing test, never a silent change of
the contract. Absolute paths of the server are not part of any model; hits
and articles name their file by ``source``, its path under the folder that
was indexed.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

Span = tuple[int, int]
SPAN_HELP = "(start, end) character offsets of matched words, end exclusive."
SOURCE_HELP = (
    "The article's file, as a path under the folder that was indexed (the file's "
    "name when a single file was indexed); empty for an article added from memory."
)


class Strict(BaseModel):
    """A model that names every field an answer may have."""

    model_config = ConfigDict(extra="forbid")


class Snippet(Strict):
    """A passage of the article that shows the query's words."""

    text: str
    highlights: list[Span] = Field(description=SPAN_HELP)


class Hit(Strict):
    """One ranked search result."""

    rank: int = Field(description="Place in the whole result list, from 1.")
    id: str = Field(description="The article's id, for /api/articles/{id}.")
    source: str = Field(description=SOURCE_HELP)
    title: str
    kicker: str
    headline: str
    date: dt.date | None
    authors: list[str]
    tags: list[str]
    score: float = Field(description="BM25 relevance, rounded to 4 places.")
    snippets: list[Snippet]
    title_highlights: list[Span] = Field(description=SPAN_HELP)


class Count(Strict):
    """A value and how many articles have it."""

    value: str
    count: int


class Facets(Strict):
    """How all matches (not just this page) spread over time, tags and authors."""

    date_unit: Literal["year", "month"] = Field(
        description="month when every dated match falls in one year, else year."
    )
    dates: list[Count] = Field(description="Matches per year (YYYY) or month (YYYY-MM).")
    tags: list[Count] = Field(description="The most frequent tags, most first.")
    authors: list[Count] = Field(description="The most frequent authors, most first.")


class SearchAnswer(Strict):
    """One page of hits, as `tazsearch query --json` prints it, without file paths."""

    query: str
    total: int = Field(description="Articles that match, on all pages.")
    page: int
    limit: int
    suggestion: str | None = Field(description="A did-you-mean for misspelt words, or null.")
    searched: str = Field(
        description="The query the hits are for: the suggestion when the query found nothing."
    )
    notes: list[str] = Field(description="One-line remarks on limits that cut the query short.")
    hits: list[Hit]
    facets: Facets | SkipJsonSchema[None] = Field(
        default=None, description="Only when asked for with facets=true."
    )


class Block(Strict):
    """A body paragraph, or a subheading."""

    text: str
    heading: bool


class Link(Strict):
    """One entry of the article's link list."""

    number: int
    target: str


class Related(Strict):
    """Another article the taz listed as related."""

    title: str
    teaser: str


class ArticleAnswer(Strict):
    """One article, whole, as `tazsearch show --json` prints it, without its file path."""

    id: str
    source: str = Field(description=SOURCE_HELP)
    uri: str
    title: str
    kicker: str
    headline: str
    teaser: str
    captions: list[str]
    blocks: list[Block]
    date: dt.date | None
    links: list[Link]
    authors: list[str]
    tags: list[str]
    related: list[Related]


class SuggestAnswer(Strict):
    """The did-you-mean for a query."""

    query: str
    suggestion: str | None = Field(description="The query with misspelt words corrected, or null.")


class StatsAnswer(Strict):
    """A summary of the index, as `tazsearch stats --json` prints it."""

    articles: int
    first_date: dt.date | None
    last_date: dt.date | None
    size_bytes: int
    updated: str | None = Field(description="Time of the last commit, ISO 8601, or null.")
    per_year: list[Count]
    top_tags: list[Count]
    top_authors: list[Count]


class HealthAnswer(Strict):
    """The service can read its index."""

    status: Literal["ok"]
    articles: int
    generation: int = Field(description="The number of the last commit this service sees.")


class FieldError(Strict):
    """One parameter that failed validation."""

    loc: list[str | int] = Field(description='Where, e.g. ["query", "limit"].')
    msg: str
    type: str = Field(description="pydantic's error type, e.g. less_than_equal.")


class ErrorAnswer(Strict):
    """Every error answer has this one shape, whatever its status."""

    detail: str = Field(description="What went wrong, in one line of plain English.")
    errors: list[FieldError] = Field(
        description="For 422, each parameter that failed validation; else empty."
    )
