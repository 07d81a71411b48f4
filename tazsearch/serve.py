"""The HTTP service: a JSON API for other programs and a search page for people.

Built on FastAPI (which serves the OpenAPI schema at /openapi.json) and run by
uvicorn; both come with ``pip install "tazsearch[serve]"``. One :class:`Index`
is shared by all requests; it picks up each new commit of the index, from a
`tazsearch index` running alongside, before the next search.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse

from . import pages
from .errors import ArticleNotFoundError, TazsearchError
from .index import Index

MAX_LIMIT = 100
MAX_PAGE = 1000
MAX_QUERY = 500
# An article id as tazsearch makes them: never a path, so no request can
# name a file outside the index.
_ID_RE = re.compile(r"[\w.-]{1,100}")

QueryText = Annotated[str, Query(max_length=MAX_QUERY, description="Query, in the CLI's syntax.")]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Hits per page.")]
Page = Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page of hits.")]
Values = Annotated[list[str], Query(max_length=20)]


def _article_id(article_id: str) -> str:
    if not _ID_RE.fullmatch(article_id):
        raise HTTPException(404, f"no article with id {article_id!r}")
    return article_id


def create_app(index_dir: str | Path = "index") -> FastAPI:
    """The service for the index in ``index_dir``, which must exist."""
    ix = Index.open(index_dir)
    app = FastAPI(
        title="tazsearch",
        summary="German full-text search of taz.de articles.",
        version="0.1.0",
    )

    @app.exception_handler(TazsearchError)
    def bad_request(request: Request, exc: TazsearchError) -> JSONResponse:
        status = 404 if isinstance(exc, ArticleNotFoundError) else 400
        return JSONResponse({"detail": str(exc)}, status_code=status)

    @app.get("/api/search", tags=["search"])
    def api_search(
        q: QueryText = "",
        author: Values = [],  # noqa: B006 (FastAPI copies defaults)
        tag: Values = [],  # noqa: B006
        since: Annotated[str | None, Query(description="YYYY, YYYY-MM or YYYY-MM-DD")] = None,
        until: Annotated[str | None, Query(description="YYYY, YYYY-MM or YYYY-MM-DD")] = None,
        sort: str = "relevance",
        limit: Limit = 10,
        page: Page = 1,
        facets: bool = False,
    ) -> dict[str, Any]:
        """Search, with every filter, sort, paging and facet option of `tazsearch query`.

        The answer has the shape of `tazsearch query --json`.
        """
        found = ix.search(
            q,
            limit=limit,
            page=page,
            authors=author,
            tags=tag,
            since=since,
            until=until,
            sort=sort,
            facets=facets,
        )
        return found.to_dict()

    @app.get("/api/articles/{article_id}", tags=["articles"])
    def api_article(article_id: str) -> dict[str, Any]:
        """One article, whole, by its id."""
        return ix.get(_article_id(article_id)).to_dict()

    @app.get("/api/articles/{article_id}/similar", tags=["articles"])
    def api_similar(article_id: str, limit: Limit = 10) -> dict[str, Any]:
        """The articles most like one article."""
        return ix.similar(_article_id(article_id), limit=limit).to_dict()

    @app.get("/api/suggest", tags=["search"])
    def api_suggest(q: QueryText) -> dict[str, Any]:
        """Did-you-mean: the query with misspelt words corrected, or null."""
        return {"query": q, "suggestion": ix.suggest(q)}

    @app.get("/api/stats", tags=["index"])
    def api_stats() -> dict[str, Any]:
        """Articles, date range, size, articles per year, top tags and authors."""
        return ix.stats().to_dict()

    @app.get("/health", tags=["index"])
    def health() -> dict[str, Any]:
        """Whether the service can read its index, and which commit it sees."""
        return {"status": "ok", "articles": len(ix), "generation": ix.generation}

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def search_page(
        q: QueryText = "",
        author: str = "",
        tag: str = "",
        since: str = "",
        until: str = "",
        sort: str = "relevance",
        page: Page = 1,
    ) -> HTMLResponse:
        form = pages.SearchForm(q, author, tag, since, until, sort, page)
        if not form.is_empty():
            try:
                results = ix.search(
                    q,
                    limit=pages.PER_PAGE,
                    page=page,
                    authors=[author] if author else [],
                    tags=[tag] if tag else [],
                    since=since or None,
                    until=until or None,
                    sort=sort,
                    facets=True,
                )
            except TazsearchError as exc:
                return HTMLResponse(pages.search_page(form, error=str(exc)), status_code=400)
            return HTMLResponse(pages.search_page(form, results=results))
        return HTMLResponse(pages.search_page(form))

    @app.get("/articles/{article_id}", response_class=HTMLResponse, include_in_schema=False)
    def article_page(article_id: str, q: QueryText = "") -> HTMLResponse:
        article = ix.get(_article_id(article_id))
        return HTMLResponse(pages.article_page(article, ix.highlighter(q) if q.strip() else None))

    app.state.index = ix
    return app


def run(index_dir: Path, host: str, port: int) -> None:
    """Serve until stopped, with uvicorn."""
    import uvicorn

    uvicorn.run(create_app(index_dir), host=host, port=port, log_level="warning")
