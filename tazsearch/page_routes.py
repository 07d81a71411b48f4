"""The HTML side of the service: the search page, the article pages, and their
stylesheet and script. Every answer is a German page, errors included; a
search is one call of the index, as the API's is.

Parameters come as the page's form sends them and are read here, not by
FastAPI's validation, whose answer to a bad value would be English JSON.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response

from . import pages
from .errors import (
    INDEX_ERRORS,
    ArticleNotFoundError,
    FilterError,
    QuerySyntaxError,
    TazsearchError,
)
from .index import Index
from .results import SearchResults, Sort

MAX_VALUES = 20  # tag and author filters at most
UNREADABLE_INDEX = "Der Index ist gerade nicht lesbar. Bitte versuchen Sie es später noch einmal."
INTERNAL_ERROR = "Ein Fehler im Server. Bitte versuchen Sie es später noch einmal."
STATIC = {
    pages.STYLESHEET_URL: ("style.css", "text/css; charset=utf-8"),
    pages.SCRIPT_URL: ("search.js", "text/javascript; charset=utf-8"),
    pages.ICON_URL: ("favicon.svg", "image/svg+xml"),
}


class PageError(Exception):
    """What a page says went wrong, in German, and its status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def german_error(exc: TazsearchError) -> PageError:
    """A library error as a page tells it: the query's and the filters' errors in
    German; an index that cannot be read without details (its messages name paths)."""
    if isinstance(exc, INDEX_ERRORS):
        return PageError(503, UNREADABLE_INDEX)
    if isinstance(exc, (QuerySyntaxError, FilterError)):
        return PageError(400, exc.german)
    if isinstance(exc, ArticleNotFoundError):
        return PageError(404, "Diesen Artikel gibt es im Index nicht.")
    return PageError(500, INTERNAL_ERROR)


API_PATHS = ("/api/", "/health", "/openapi.json", "/docs")
ERROR_TITLES = {404: "Nicht gefunden", 405: "Nicht möglich", 400: "Anfrage nicht lesbar"}
ERROR_TEXTS = {
    404: "Diese Seite gibt es nicht.",
    405: "Diese Seite lässt sich nur aufrufen, nicht senden.",
}


def is_api_path(path: str) -> bool:
    """Whether a path belongs to the API (JSON) rather than to the pages for people."""
    return path.startswith(API_PATHS)


def html_error(status: int, headers: Mapping[str, str] | None = None) -> HTMLResponse:
    """A German page for an HTTP error outside the API (an unknown page, a POST)."""
    title = ERROR_TITLES.get(status, "Fehler")
    text = ERROR_TEXTS.get(status, INTERNAL_ERROR)
    return HTMLResponse(pages.error_page(status, title, text), status, headers=dict(headers or {}))


def read_state(request: Request) -> pages.SearchState:
    """The search a page was asked for, from its URL; a value the form could not
    have sent is a German error, never silently read as something else."""
    params = request.query_params
    q = params.get("q", "")
    # A filter given twice is one filter.
    tags = tuple(dict.fromkeys(v for v in params.getlist("tag") if v.strip()))
    authors = tuple(dict.fromkeys(v for v in params.getlist("author") if v.strip()))
    sort = params.get("sort") or Sort.relevance.value
    page_text = params.get("page") or "1"
    if len(q) > pages.MAX_QUERY:
        raise PageError(400, f"Die Suche ist zu lang: höchstens {pages.MAX_QUERY} Zeichen.")
    if len(tags) > MAX_VALUES or len(authors) > MAX_VALUES:
        raise PageError(400, f"Höchstens {MAX_VALUES} Tags und {MAX_VALUES} Autoren als Filter.")
    if sort not in pages.SORT_NAMES:
        names = ", ".join(f"„{name}“" for name in pages.SORT_NAMES.values())
        raise PageError(400, f"Diese Sortierung gibt es nicht; es gibt {names}.")
    if not re.fullmatch(r"[0-9]{1,4}", page_text) or not 1 <= int(page_text) <= pages.MAX_PAGE:
        raise PageError(400, f"Die Seite muss eine Zahl von 1 bis {pages.MAX_PAGE} sein.")
    return pages.SearchState(
        q=q,
        tags=tags,
        authors=authors,
        since=params.get("since", "").strip(),
        until=params.get("until", "").strip(),
        sort=sort,
        page=int(page_text),
    )


def run_search(ix: Index, state: pages.SearchState) -> SearchResults:
    """The page's one search: its hits, with the facets of all its matches."""
    with german_errors():
        return ix.search(
            state.q,
            limit=pages.PER_PAGE,
            page=state.page,
            authors=state.authors,
            tags=state.tags,
            since=state.since or None,
            until=state.until or None,
            sort=state.sort,
            facets=True,
        )


@contextmanager
def german_errors() -> Iterator[None]:
    """Any failure as a :class:`PageError`; one nobody foresaw (a bug) is also
    written to the server's log, as uvicorn writes those of the API."""
    try:
        yield
    except PageError:
        raise
    except TazsearchError as exc:
        raise german_error(exc) from None
    except Exception as exc:
        traceback.print_exc()
        raise PageError(500, INTERNAL_ERROR) from exc


def add_page_routes(app: FastAPI, ix: Index) -> None:
    """The pages for people, beside the API for programs."""
    files = {url: (pages.static_file(name), kind) for url, (name, kind) in STATIC.items()}

    def error_page(exc: PageError, state: pages.SearchState | None = None) -> HTMLResponse:
        if state is not None:
            return HTMLResponse(pages.search_page(state, error=exc.message), exc.status)
        title = ERROR_TITLES.get(exc.status, "Fehler")
        return HTMLResponse(pages.error_page(exc.status, title, exc.message), exc.status)

    def static_route(body: bytes, kind: str) -> Callable[[], Response]:
        def static() -> Response:
            return Response(body, media_type=kind, headers={"cache-control": "max-age=3600"})

        return static

    for url, (body, kind) in files.items():
        app.add_api_route(url, static_route(body, kind), methods=["GET"], include_in_schema=False)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def search_page(request: Request) -> HTMLResponse:
        try:
            state = read_state(request)
        except PageError as exc:
            return error_page(exc)
        if state.is_empty():
            return HTMLResponse(pages.search_page(state))
        try:
            results = run_search(ix, state)
        except PageError as exc:
            return error_page(exc, state)
        return HTMLResponse(pages.search_page(state, results=results))

    @app.get("/articles/{article_id}", response_class=HTMLResponse, include_in_schema=False)
    def article_page(article_id: str, request: Request) -> HTMLResponse:
        try:
            state = read_state(request)
        except PageError:  # The search it came from cannot be read: the article still can.
            state = pages.SearchState()
        try:
            with german_errors():
                article = ix.get(article_id, path_lookup=False)
                marks = request.query_params.get("hl", "")[: pages.MAX_QUERY] or state.q
                try:
                    spans = ix.highlighter(marks) if marks.strip() else None
                except (QuerySyntaxError, FilterError):
                    spans = None  # nothing to mark for a query that cannot be read
                similar = ix.similar(article.id, limit=pages.SIMILAR, path_lookup=False).hits
        except PageError as exc:
            return error_page(exc)
        return HTMLResponse(pages.article_page(article, state, spans, similar))
