"""Searching: ranking tiers, paging, did-you-mean and similar articles, as typed hits."""

from __future__ import annotations

from typing import Any

import numpy as np
from whoosh import query as wq
from whoosh.searching import Searcher

from .docvalues import DocValues
from .facets import FilterError, Filters, count_facets
from .matching import Evaluation, Mask
from .query import DEFAULT_FIELD, highlight_terms, parse_query
from .results import Hit, SearchResults
from .snippets import make_snippets, match_spans
from .spelling import suggest

SORTS = ("relevance", "newest", "oldest")
# How many key terms of an article make up its "similar articles" query.
SIMILAR_TERMS = 20


Ranked = list[tuple[int, Any]]
"""Document numbers of hits, best first, each with its score (None when sorted by date)."""


def _ranked(
    evaluation: Evaluation,
    tiers: list[wq.Query],
    offset: int,
    limit: int,
    allowed: Mask | None,
    sort: str,
) -> tuple[Ranked, Mask]:
    """Hits offset..offset+limit, and the mask of all matches.

    Hits come tier by tier, each tier best first; only documents in
    ``allowed`` count, unless it is None. Sorted by date, the tiers are one:
    every match, newest or oldest first. Matches and scores come from
    :mod:`tazsearch.matching`.
    """
    if sort != "relevance":
        docs = evaluation.docs(tiers[-1]).copy()
        if allowed is not None:
            docs &= allowed
        matches = np.flatnonzero(docs)
        # Newest first sorts on the negated date (the earlier document first
        # among equal dates); oldest first on the date (the later document first).
        keys = DocValues.of(evaluation.searcher).dates[matches]
        if sort == "newest":
            keys, ties = -keys, matches
        else:
            ties = -matches
        wanted = offset + limit
        if len(matches) > wanted:  # Only what can reach the page is sorted.
            kept = keys <= np.partition(keys, wanted - 1)[wanted - 1]
            matches, keys, ties = matches[kept], keys[kept], ties[kept]
        chosen = matches[np.lexsort((ties, keys))[offset:wanted]].tolist()
        return [(d, None) for d in chosen], docs
    hits: Ranked = []
    earlier = np.zeros(evaluation.size, dtype=bool)  # matches of the tiers before
    total = 0
    for tier in tiers:
        docs = evaluation.docs(tier) & ~earlier
        if allowed is not None:
            docs &= allowed
        count = int(np.count_nonzero(docs))
        if count and len(hits) < limit and total + count > offset:
            best = evaluation.top(tier, docs, offset + limit - total)
            skip = max(0, offset - total)
            hits += best[skip : skip + limit - len(hits)]
        earlier |= docs
        total += count
    return hits, earlier


def _page(
    evaluation: Evaluation,
    text: str,
    offset: int,
    limit: int,
    allowed: Mask | None,
    sort: str,
) -> tuple[list[Hit], Mask]:
    """One page of typed hits for a query string, and the mask of all its matches."""
    searcher = evaluation.searcher
    tiers = parse_query(searcher.schema, text) if text.strip() else [wq.Every()]
    ranked, matches = _ranked(evaluation, tiers, offset, limit, allowed, sort)
    wanted = highlight_terms(tiers[-1], searcher)
    weights = {t: searcher.idf(DEFAULT_FIELD, t) for t in wanted}
    hits = [
        _hit(offset + n, searcher.stored_fields(docnum), score, wanted, weights)
        for n, (docnum, score) in enumerate(ranked, 1)
    ]
    return hits, matches


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
    filter_query = filters.query() if filters else None
    evaluation = Evaluation(searcher)
    allowed = evaluation.docs(filter_query) if filter_query is not None else None
    if not text.strip() and sort == "relevance":
        sort = "newest"
    suggestion = suggest(searcher.reader(), text) if text.strip() else None
    searched = text
    hits, matches = _page(evaluation, text, offset, limit, allowed, sort)
    if not matches.any() and suggestion and autocorrect:
        searched = suggestion
        hits, matches = _page(evaluation, suggestion, offset, limit, allowed, sort)
    counted = count_facets(searcher, matches) if facets else None
    total = int(np.count_nonzero(matches))
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
