"""Searching: ranking tiers, paging, did-you-mean and similar articles, as typed hits."""

from __future__ import annotations

from typing import Any

from whoosh import query as wq
from whoosh.searching import Searcher

from .facets import FilterError, Filters, count_facets
from .query import DEFAULT_FIELD, highlight_terms, parse_query
from .results import Hit, SearchResults
from .snippets import make_snippets, match_spans
from .spelling import suggest

SORTS = ("relevance", "newest", "oldest")
# How many key terms of an article make up its "similar articles" query.
SIMILAR_TERMS = 20


def _ranked(
    searcher: Searcher, tiers: list[wq.Query], offset: int, limit: int, **options: Any
) -> tuple[list[Any], int]:
    """Hits offset..offset+limit and the total, tier by tier, each tier best first.

    ``options`` go to Whoosh's search: a ``filter`` query, or ``sortedby`` a
    field, in which case the tiers are one (every match, in that order).
    """
    wanted = offset + limit
    if "sortedby" in options:
        results = searcher.search(tiers[-1], limit=wanted, **options)
        return list(results)[offset:wanted], len(results)
    hits: list[Any] = []
    total = 0
    earlier: set[int] = set()  # documents of the tiers before, left out of the next
    for n, tier in enumerate(tiers):
        results = searcher.search(tier, limit=max(wanted - total, 1), mask=earlier, **options)
        skip = max(0, offset - total)
        hits += list(results)[skip : skip + limit - len(hits)]
        if n < len(tiers) - 1:
            docs = results.docs()
            total += len(docs)
            earlier |= docs
        else:
            total += len(results)
    return hits, total


def _page(
    searcher: Searcher, text: str, offset: int, limit: int, **options: Any
) -> tuple[list[Hit], int, wq.Query]:
    """One page of typed hits for a query string, its total, and the query of all matches."""
    tiers = parse_query(searcher.schema, text) if text.strip() else [wq.Every()]
    hits, total = _ranked(searcher, tiers, offset, limit, **options)
    wanted = highlight_terms(tiers[-1], searcher)
    weights = {t: searcher.idf(DEFAULT_FIELD, t) for t in wanted}
    built = [_hit(offset + n, h.fields(), h.score, wanted, weights) for n, h in enumerate(hits, 1)]
    return built, total, tiers[-1]


def run_search(
    searcher: Searcher,
    text: str = "",
    *,
    limit: int = 10,
    page: int = 1,
    filters: Filters | None = None,
    sort: str = "relevance",
    facets: bool = False,
    autocorrect: bool = True,
) -> SearchResults:
    """Run a query string with filters and build typed hits with snippets.

    Empty ``text`` lists every article that passes the filters, newest first
    unless ``sort`` says otherwise. ``sort`` is relevance, newest or oldest.
    With ``facets``, the results count dates, tags and authors over all
    matches. With ``autocorrect``, a query that finds nothing is searched again
    as its did-you-mean suggestion, if it has one.
    """
    if limit < 1 or page < 1:
        raise ValueError("limit and page must be at least 1")
    if sort not in SORTS:
        raise FilterError(f"cannot sort by {sort!r}: use one of {', '.join(SORTS)}")
    offset = (page - 1) * limit
    options: dict[str, Any] = {}
    filter_query = filters.query() if filters else None
    if filter_query is not None:
        options["filter"] = filter_query
    if sort != "relevance" or not text.strip():
        options.update(sortedby="date", reverse=sort != "oldest")
    suggestion = suggest(searcher.reader(), text) if text.strip() else None
    searched = text
    hits, total, matches = _page(searcher, text, offset, limit, **options)
    if total == 0 and suggestion and autocorrect:
        searched = suggestion
        hits, total, matches = _page(searcher, suggestion, offset, limit, **options)
    counted = None
    if facets:
        everything = wq.And([matches, filter_query]) if filter_query else matches
        counted = count_facets(searcher, everything)
    return SearchResults(text, total, page, limit, hits, suggestion, searched, counted)


def run_similar(searcher: Searcher, docnum: int, *, limit: int = 10) -> SearchResults:
    """The articles most like one article, judged on its title, tags and body.

    The article's key terms (the Bo1 model of divergence from randomness) form
    an OR query; the article itself is left out.
    """
    stored = searcher.stored_fields(docnum)
    fields = ("title", "teaser", "body")
    text = "\n".join([*(stored.get(f, "") for f in fields), *stored.get("tags", ())])
    key_terms = searcher.key_terms_from_text(DEFAULT_FIELD, text, numterms=SIMILAR_TERMS)
    if not key_terms:
        return SearchResults(stored["id"], 0, 1, limit, [], None, stored["id"])
    top = max(weight for _, weight in key_terms)
    q = wq.Or([wq.Term(DEFAULT_FIELD, term, boost=weight / top) for term, weight in key_terms])
    results = searcher.search(q, limit=limit, mask={docnum})
    wanted = {term for term, _ in key_terms}
    weights = dict(key_terms)
    hits = [_hit(n, h.fields(), h.score, wanted, weights) for n, h in enumerate(results, 1)]
    return SearchResults(stored["id"], len(results), 1, limit, hits, None, stored["id"])


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
