"""Searching: ranking tiers, paging, did-you-mean and similar articles, as typed hits.

Every query has a bounded cost: its text is held to the limits of
:func:`~tazsearch.query.limit_query`, its prefixes and wildcards to those of
:class:`~tazsearch.sections.Expander`, its did-you-mean to those of
:mod:`tazsearch.spelling` and its snippets to those of :mod:`tazsearch.snippets`.
Each limit that changed anything is a note of the results.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from whoosh import query as wq
from whoosh.searching import Searcher

from .docvalues import DocValues
from .facets import FilterError, Filters, count_facets
from .matching import Evaluation, Mask
from .query import DEFAULT_FIELD, highlight_terms, limit_query, parse_query
from .results import Hit, SearchResults
from .snippets import make_snippets, title_spans
from .spelling import check_spelling

SORTS = ("relevance", "newest", "oldest")
# How many key terms of an article make up its "similar articles" query.
SIMILAR_TERMS = 20
# The note of a query that ``*`` turns into a list of every article.
EVERYTHING_NOTE = "* matches every article, so every article is listed, newest first"


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


def _lists_everything(tiers: list[wq.Query]) -> bool:
    """Whether a query matches every article, as ``*`` does: then it lists them as an
    empty query does, newest first, for their scores are all alike."""
    return all(isinstance(tier, wq.Every) for tier in tiers)


def _page(
    evaluation: Evaluation,
    text: str,
    offset: int,
    limit: int,
    allowed: Mask | None,
    sort: str,
    notes: list[str],
) -> tuple[list[Hit], Mask]:
    """One page of typed hits for a query string, and the mask of all its matches.

    A query that ``*`` turns into every article but that says more adds a note.
    """
    searcher = evaluation.searcher
    tiers = parse_query(searcher.schema, text) if text.strip() else [wq.Every()]
    if sort == "relevance" and _lists_everything(tiers):
        sort = "newest"
        if text.strip() != "*":
            notes.append(EVERYTHING_NOTE)
    ranked, matches = _ranked(evaluation, tiers, offset, limit, allowed, sort)
    wanted = highlight_terms(tiers[-1], searcher, evaluation.expander)
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
    as its did-you-mean suggestion, if it has one. ``*`` alone lists every
    article as an empty query does. ``results.notes`` says which limits cut
    the query short.
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
    limited, suggestion = limit_query(text), None
    notes = list(limited.notes)
    if limited.text.strip():
        spelling = check_spelling(searcher.reader(), limited.text)
        suggestion = spelling.suggestion
        notes += spelling.notes
    searched = text
    hits, matches = _page(evaluation, limited.text, offset, limit, allowed, sort, notes)
    if not matches.any() and suggestion and autocorrect:
        searched = suggestion
        hits, matches = _page(evaluation, suggestion, offset, limit, allowed, sort, notes)
    counted = count_facets(searcher, matches) if facets else None
    total = int(np.count_nonzero(matches))
    notes = list(dict.fromkeys([*notes, *evaluation.notes]))
    return SearchResults(text, total, page, limit, hits, suggestion, searched, counted, notes)


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
        title_highlights=title_spans(title, wanted, weights),
    )
