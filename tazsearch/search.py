"""Searching: ranking tiers, paging, did-you-mean and similar articles, as typed hits.

Every query has a bounded cost: its text is held to the limits of
:func:`~tazsearch.query.limit_query`, its prefixes and wildcards to those of
:class:`~tazsearch.sections.Expander`, its did-you-mean to those of
:mod:`tazsearch.spelling` and its snippets to those of :mod:`tazsearch.snippets`.
Each limit that changed anything is a note of the results.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from . import messages as m
from .docvalues import UNDATED
from .errors import FilterError
from .facets import Filters, count_facets
from .fields import TEXT_FIELDS
from .marks import Marks, TextMarks
from .matching import Evaluation, Mask
from .queries import AnyOf, Every, Query, Term
from .query import ParsedQuery, limit_query, parse_query
from .results import Hit, SearchResults, Sort
from .snippets import make_snippets, title_spans
from .spelling import check_spelling

if TYPE_CHECKING:
    from .store import Snapshot

SORTS = tuple(s.value for s in Sort)
_SORTS_SHOWN = m.choices(SORTS, m.SORT_NAMES)
# How many key terms of an article make up its "similar articles" query.
SIMILAR_TERMS = 20


Ranked = list[tuple[int, Any]]
"""Document numbers of hits, best first, each with its score (None when sorted by date)."""


class _Page(NamedTuple):
    """One page of hits, the mask of all matches, and how many the first tier has."""

    hits: list[Hit]
    matches: Mask
    first_tier: int


def _ranked(
    evaluation: Evaluation,
    tiers: tuple[Query, ...],
    offset: int,
    limit: int,
    allowed: Mask | None,
    sort: str,
) -> tuple[Ranked, Mask, int]:
    """Hits offset..offset+limit, the mask of all matches, and the first tier's count.

    Hits come tier by tier, each tier best first; only documents in
    ``allowed`` count, unless it is None. Sorted by date, the tiers are one:
    every match, newest or oldest first.
    """
    counts: list[int] = []
    if sort != "relevance":
        docs = evaluation.docs(tiers[-1]).copy()
        if allowed is not None:
            docs &= allowed
        matches = np.flatnonzero(docs)
        # Newest first sorts on the negated date (the earlier document first
        # among equal dates); oldest first on the date (the later document first).
        keys = evaluation.dates()[matches]
        if sort == "newest":  # Articles without a date (UNDATED, -1) come last.
            keys, ties = -keys, matches
        else:
            keys, ties = np.where(keys == UNDATED, np.iinfo(np.int64).max, keys), -matches
        wanted = offset + limit
        if len(matches) > wanted:  # Only what can reach the page is sorted.
            kept = keys <= np.partition(keys, wanted - 1)[wanted - 1]
            matches, keys, ties = matches[kept], keys[kept], ties[kept]
        chosen = matches[np.lexsort((ties, keys))[offset:wanted]].tolist()
        first = (
            evaluation.docs(tiers[0]) if allowed is None else evaluation.docs(tiers[0]) & allowed
        )
        return [(d, None) for d in chosen], docs, int(np.count_nonzero(first))
    hits: Ranked = []
    earlier = np.zeros(evaluation.size, dtype=bool)  # matches of the tiers before
    total = 0
    for tier in tiers:
        docs = evaluation.docs(tier) & ~earlier
        if allowed is not None:
            docs &= allowed
        count = int(np.count_nonzero(docs))
        counts.append(count)
        if count and len(hits) < limit and total + count > offset:
            best = evaluation.top(tier, docs, offset + limit - total)
            skip = max(0, offset - total)
            hits += best[skip : skip + limit - len(hits)]
        earlier |= docs
        total += count
    return hits, earlier, counts[0]


def _lists_everything(tiers: tuple[Query, ...]) -> bool:
    """Whether a query is ``*``: it lists every article as an empty query does, newest
    first, for their scores are all alike."""
    return all(isinstance(tier, Every) for tier in tiers)


def _page(
    evaluation: Evaluation,
    text: str,
    offset: int,
    limit: int,
    allowed: Mask | None,
    sort: str,
    notes: list[str],
) -> _Page:
    """One page of typed hits for a query string, and the mask of all its matches."""
    snapshot = evaluation.snapshot
    parsed = parse_query(text) if text.strip() else ParsedQuery((Every(),))
    notes += [n for n in parsed.notes if n not in notes]
    if sort == "relevance" and _lists_everything(parsed.tiers):
        sort = "newest"
    ranked, matches, first_tier = _ranked(evaluation, parsed.tiers, offset, limit, allowed, sort)
    marks = Marks.of(parsed.matches, evaluation)
    hits = [
        _hit(offset + n, snapshot.stored(docnum), score, marks, _weights(snapshot, marks))
        for n, (docnum, score) in enumerate(ranked, 1)
    ]
    return _Page(hits, matches, first_tier)


def _weights(snapshot: Snapshot, marks: Marks) -> dict[str, float]:
    """How much each marked term weighs in choosing snippets: its IDF."""
    terms = marks.in_fields(*TEXT_FIELDS).terms
    return {t: snapshot.idf(t) for t in terms}


def run_search(
    snapshot: Snapshot,
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
    matches. With ``autocorrect``, a query whose words are not all found
    together (no article matches it, or only some of its words) is searched
    as its did-you-mean suggestion instead, if every word of that is found
    together. ``*`` alone lists every article as an empty query does.
    ``results.notes`` says which limits cut the query short.
    """
    if sort not in SORTS:
        raise FilterError(m.BAD_SORT(sort=sort, sorts=_SORTS_SHOWN))
    offset = (page - 1) * limit
    filter_query = filters.query() if filters else None
    evaluation = Evaluation(snapshot)
    allowed = evaluation.docs(filter_query) if filter_query is not None else None
    if not text.strip() and sort == "relevance":
        sort = "newest"
    limited, suggestion = limit_query(text), None
    notes = list(limited.notes)
    if limited.text.strip():
        spelling = check_spelling(snapshot, limited.text)
        suggestion = spelling.suggestion
        notes += spelling.notes
    searched = text
    found = _page(evaluation, limited.text, offset, limit, allowed, sort, notes)
    if suggestion and autocorrect and not found.first_tier:
        corrected = _page(evaluation, suggestion, offset, limit, allowed, sort, [])
        if corrected.first_tier or not found.matches.any():
            searched, found = suggestion, corrected
    counted = count_facets(snapshot, found.matches) if facets else None
    total = int(np.count_nonzero(found.matches))
    notes = list(dict.fromkeys([*notes, *evaluation.notes]))
    return SearchResults(text, total, page, limit, found.hits, suggestion, searched, counted, notes)


def ordered_matches(
    snapshot: Snapshot, text: str = "", *, filters: Filters | None = None, sort: str = "relevance"
) -> tuple[np.ndarray, list[str]]:
    """The document numbers of every match of a query, in the order of its hits
    (ranking tiers best first, or by date), and the notes of the limits that cut
    it short. As :func:`run_search` orders them, but never corrected to a
    did-you-mean: what is asked for is what is listed."""
    if sort not in SORTS:
        raise FilterError(m.BAD_SORT(sort=sort, sorts=_SORTS_SHOWN))
    evaluation = Evaluation(snapshot)
    filter_query = filters.query() if filters else None
    allowed = evaluation.docs(filter_query) if filter_query is not None else None
    limited = limit_query(text)
    parsed = parse_query(limited.text) if limited.text.strip() else ParsedQuery((Every(),))
    if sort == "relevance" and (_lists_everything(parsed.tiers) or not limited.text.strip()):
        sort = "newest"
    matches = evaluation.docs(parsed.tiers[-1])
    count = int(np.count_nonzero(matches if allowed is None else matches & allowed))
    ranked, _, _ = _ranked(evaluation, parsed.tiers, 0, max(count, 1), allowed, sort)
    notes = list(dict.fromkeys([*limited.notes, *parsed.notes, *evaluation.notes]))
    return np.array([docnum for docnum, _ in ranked], dtype=np.int64), notes


def run_similar(snapshot: Snapshot, docnum: int, *, limit: int = 10) -> SearchResults:
    """The articles most like one article, judged on its title, tags and body.

    The article's key terms (the Bo1 model of divergence from randomness) form
    an OR query, scored like any other; the article itself is left out.
    """
    stored = snapshot.stored(docnum)
    fields = ("title", "teaser", "body")
    text = "\n".join([*(stored.get(f, "") for f in fields), *stored.get("tags", ())])
    key_terms = snapshot.key_terms(text, SIMILAR_TERMS)
    if not key_terms:
        return SearchResults(stored["id"], 0, 1, limit, [], None, stored["id"])
    top = max(weight for _, weight in key_terms)
    q = AnyOf(tuple(Term(term, boost=weight / top) for term, weight in key_terms))
    evaluation = Evaluation(snapshot)
    candidates = evaluation.docs(q).copy()
    candidates[docnum] = False
    ranked = evaluation.top(q, candidates, limit)
    marks = TextMarks(frozenset(term for term, _ in key_terms))
    weights = dict(key_terms)
    hits = [
        _hit(n, snapshot.stored(d), score, marks, weights) for n, (d, score) in enumerate(ranked, 1)
    ]
    total = int(np.count_nonzero(candidates))
    return SearchResults(stored["id"], total, 1, limit, hits, None, stored["id"])


def _hit(
    rank: int,
    stored: dict[str, Any],
    score: float | None,
    marks: Marks | TextMarks,
    weights: dict[str, float],
) -> Hit:
    date = stored.get("date")
    title = stored.get("title", "")
    text_marks = marks.in_fields("teaser", "body") if isinstance(marks, Marks) else marks
    title_marks = marks.in_fields("title") if isinstance(marks, Marks) else marks
    return Hit(
        rank=rank,
        id=stored["id"],
        path=stored["path"],
        source=stored.get("source", ""),
        title=title,
        kicker=stored.get("kicker", ""),
        headline=stored.get("headline", ""),
        date=date.date() if date else None,
        authors=list(stored.get("authors", ())),
        tags=list(stored.get("tags", ())),
        score=score or 0.0,
        snippets=make_snippets(
            stored.get("teaser", ""), stored.get("body", ""), text_marks, weights
        ),
        title_highlights=title_spans(title, title_marks, weights),
    )
