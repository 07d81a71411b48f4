"""The HTTP service: a JSON API for other programs and a search page for people.

Built on FastAPI (which serves the OpenAPI schema at /openapi.json) and run by
uvicorn; both come with ``pip install "tazsearch[serve]"``. One :class:`Index`
is shared by all requests of a process; it picks up each new commit of the
index, from a `tazsearch index` running alongside, before the next search.
``--workers N`` runs N such processes, each on a socket of its own (workers.py).

Every answer of the API has a pydantic model (api_models.py), and every error
one shape, ``{"detail": str, "errors": [...]}``, whatever its status. Hits and
articles name their file by its path under the folder that was indexed,
never by the server's absolute path.

Article ids come from strangers: they are looked up as ids only, never read
as paths. Errors name no file of the server. The Host check, security
headers and the access log are in http_guard.py.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware

from . import __version__
from .api_models import (
    ArticleAnswer,
    ErrorAnswer,
    HealthAnswer,
    SearchAnswer,
    StatsAnswer,
    SuggestAnswer,
)
from .errors import (
    INDEX_ERRORS,
    ArticleNotFoundError,
    FilterError,
    QuerySyntaxError,
    TazsearchError,
)
from .http_guard import (
    INTERNAL_ERROR,
    AccessLog,
    Guard,
    SafeJSONResponse,
    allowed_hosts_for,
    docs_page,
    error_answer,
    host_name,
    stderr_line,
)
from .index import Index
from .page_routes import add_page_routes, html_error, is_api_path
from .pages import MAX_PAGE, MAX_QUERY
from .results import SearchResults, Sort

MAX_LIMIT = 100
MAX_ID = 1024

QueryText = Annotated[str, Query(max_length=MAX_QUERY, description="Query, in the CLI's syntax.")]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Hits per page.")]
Page = Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page of hits.")]
Values = Annotated[list[str], Query(max_length=20)]
# File names, whence most ids, are at most 255 bytes; an id added from memory may be longer.
ArticleId = Annotated[str, PathParam(max_length=MAX_ID, description="The article's id.")]
SortName = Annotated[str, Query(description="Order of the hits: " + ", ".join(Sort))]
SortChoice = Annotated[Sort, Query(description="Order of the hits.")]
DateText = Annotated[str | None, Query(description="YYYY, YYYY-MM or YYYY-MM-DD")]
GZIP_MIN_SIZE = 1024  # bytes: smaller answers gain too little to be worth compressing
SHOWN_ID = 200  # characters of an unknown article's id echoed in its 404

# Errors about the index on disk, not the request: their messages name its path.
# The index cannot be read (gone, damaged, of another format): the service,
# not the request, is at fault, and says so without details.
INDEX_ERROR = "the index cannot be read at the moment; tazsearch check names the damage"
NO_ARTICLE = "no such article"


def _field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    """Each failed parameter's place, message and type; not its value, which the
    client knows and which could be long."""
    return [
        {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": str(e.get("type"))}
        for e in exc.errors()
    ]


def _summary(errors: list[dict[str, Any]]) -> str:
    """The field errors in one line: "query parameter limit: Input should be ..."."""
    parts = []
    for error in errors:
        where, *name = error["loc"] or ["request"]
        label = f"{where} parameter {'.'.join(map(str, name))}" if name else str(where)
        parts.append(f"{label}: {error['msg']}")
    return "; ".join(parts) or "invalid request"


def _client_error(exc: TazsearchError) -> tuple[int, str]:
    """The status and message for an error: 4xx with its message for one the request
    caused (their messages name no path of the server), 503 for an index that cannot
    be read, 500 for anything else; those two without details. An unknown article's
    message is worded here: the library's could name a path."""
    if isinstance(exc, INDEX_ERRORS):
        return 503, INDEX_ERROR
    if isinstance(exc, ArticleNotFoundError):
        return 404, NO_ARTICLE
    if isinstance(exc, (QuerySyntaxError, FilterError)):
        return 400, str(exc)
    return 500, INTERNAL_ERROR


def _unknown_article(article_id: str) -> HTTPException:
    shown = article_id if len(article_id) <= SHOWN_ID else article_id[:SHOWN_ID] + "..."
    return HTTPException(404, f"no article with id {shown!r}")


def _without_paths(found: SearchResults) -> dict[str, Any]:
    """Results as the CLI's JSON has them, less each hit's absolute path."""
    answer = found.to_dict()
    for hit in answer["hits"]:
        del hit["path"]
    return answer


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The error answers a route may give, for its OpenAPI entry: all of one shape."""
    meaning = {
        400: "The query or a filter cannot be read (bad syntax, a bad date).",
        404: "No article has this id.",
        421: "This server does not answer to the request's host name (see --allow-host).",
        422: "A parameter is missing, of the wrong type, or out of range.",
        500: "An internal error; the answer says no more.",
        503: "The index cannot be read at the moment (gone, damaged, of another format).",
    }
    return {
        status: {"model": ErrorAnswer, "description": meaning[status]}
        for status in (*statuses, 421, 500, 503)
    }


def create_app(
    index_dir: str | Path = "index",
    allowed_hosts: Collection[str] | None = None,
    *,
    cors_origins: Collection[str] = (),
    log: Callable[[str], None] | None = None,
) -> FastAPI:
    """The service for the index in ``index_dir``, which must exist.

    ``allowed_hosts``: None answers any Host header; a collection answers
    loopback names (localhost, 127.0.0.1, [::1], with any port) and those.
    ``cors_origins``: web origins whose pages may read the API's answers;
    none gets no CORS header at all. ``log`` gets an access line per request.
    """
    index_dir = Path(index_dir)
    ix = Index.open(index_dir)
    app = FastAPI(
        title="tazsearch",
        summary="German full-text search of taz.de articles.",
        version=__version__,
        default_response_class=SafeJSONResponse,
        docs_url=None,  # served below, with its own CSP
        redoc_url=None,
    )
    # Added innermost first: a request passes the access log, then the Host check,
    # CORS and compression, then the app.
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MIN_SIZE)
    if cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(cors_origins),
            allow_methods=["GET", "HEAD"],
            allow_credentials=False,
        )
    hosts = None if allowed_hosts is None else frozenset(host_name(h) for h in allowed_hosts)
    app.add_middleware(Guard, allowed_hosts=hosts)
    if log is not None:
        app.add_middleware(AccessLog, write=log)
    docs, docs_policy = docs_page(app.openapi_url or "/openapi.json", f"{app.title} - Swagger UI")

    @app.exception_handler(TazsearchError)
    def tazsearch_error(request: Request, exc: TazsearchError) -> JSONResponse:
        return error_answer(*_client_error(exc))

    @app.exception_handler(RequestValidationError)
    def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = _field_errors(exc)
        return error_answer(422, _summary(errors), errors)

    @app.exception_handler(StarletteHTTPException)
    def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        """Unknown routes (404), other methods (405) and unknown articles, in the one
        shape; outside the API, as a German page."""
        if not is_api_path(request.url.path):
            return html_error(exc.status_code, exc.headers)
        return error_answer(exc.status_code, str(exc.detail), **(exc.headers or {}))

    # Each JSON route names its response class: with the app's default only,
    # FastAPI would write the answer with pydantic's own JSON, which leaves
    # DEL, C1 and bidi controls raw.
    api = {"response_class": SafeJSONResponse}

    @app.get(
        "/api/search",
        tags=["search"],
        operation_id="search",
        response_model=SearchAnswer,
        response_model_exclude_unset=True,  # "facets" only when asked for, as in the CLI
        responses=_errors(400, 422),
        **api,
    )
    def api_search(
        q: QueryText = "",
        author: Values = [],  # noqa: B006 (FastAPI copies defaults)
        tag: Values = [],  # noqa: B006
        since: DateText = None,
        until: DateText = None,
        sort: SortChoice = Sort.relevance,
        limit: Limit = 10,
        page: Page = 1,
        facets: bool = False,
    ) -> dict[str, Any]:
        """Search, with every filter, sort, paging and facet option of `tazsearch query`.

        The answer has the shape of `tazsearch query --json`, each hit without
        its server path.
        """
        found = ix.search(
            q,
            limit=limit,
            page=page,
            authors=author,
            tags=tag,
            since=since,
            until=until,
            sort=sort.value,
            facets=facets,
        )
        return _without_paths(found)

    @app.get(
        "/api/articles/{article_id}",
        tags=["articles"],
        operation_id="get_article",
        response_model=ArticleAnswer,
        responses=_errors(404, 422),
        **api,
    )
    def api_article(article_id: ArticleId) -> dict[str, Any]:
        """One article, whole, by its id (never read as a path), without its server path."""
        try:
            article = ix.get(article_id, path_lookup=False)
        except ArticleNotFoundError:
            raise _unknown_article(article_id) from None
        answer = article.to_dict()
        del answer["path"]
        return answer

    @app.get(
        "/api/articles/{article_id}/similar",
        tags=["articles"],
        operation_id="similar_articles",
        response_model=SearchAnswer,
        response_model_exclude_unset=True,
        responses=_errors(404, 422),
        **api,
    )
    def api_similar(article_id: ArticleId, limit: Limit = 10) -> dict[str, Any]:
        """The articles most like one article, most alike first."""
        try:
            found = ix.similar(article_id, limit=limit, path_lookup=False)
        except ArticleNotFoundError:
            raise _unknown_article(article_id) from None
        return _without_paths(found)

    @app.get(
        "/api/suggest",
        tags=["search"],
        operation_id="suggest",
        response_model=SuggestAnswer,
        responses=_errors(422),
        **api,
    )
    def api_suggest(q: QueryText) -> dict[str, Any]:
        """Did-you-mean: the query with misspelt words corrected, or null."""
        return {"query": q, "suggestion": ix.suggest(q)}

    @app.get(
        "/api/stats",
        tags=["index"],
        operation_id="stats",
        response_model=StatsAnswer,
        responses=_errors(),
        **api,
    )
    def api_stats() -> dict[str, Any]:
        """Articles, date range, size, articles per year, top tags and authors."""
        return ix.stats().to_dict()

    @app.get(
        "/health",
        tags=["index"],
        operation_id="health",
        response_model=HealthAnswer,
        responses=_errors(),
        **api,
    )
    def health() -> dict[str, Any]:
        """Whether the service can read its index, and which commit it sees."""
        return {"status": "ok", "articles": len(ix), "generation": ix.generation}

    @app.get("/docs", include_in_schema=False)
    def swagger_page() -> HTMLResponse:
        return HTMLResponse(docs, headers={"content-security-policy": docs_policy})

    add_page_routes(app, ix)
    app.state.index = ix
    return app


def run(
    index_dir: Path,
    sockets: Sequence[socket.socket],
    allow: Collection[str] = (),
    *,
    cors_origins: Collection[str] = (),
    quiet: bool = False,
    notice: Callable[[str], None] = stderr_line,
) -> None:
    """Serve until stopped, with uvicorn: in this process for one socket, else in a
    worker process per socket, forked from this one (see workers.py).

    On a loopback address only loopback host names are answered, and the
    names in ``allow``; on another address any, unless ``allow`` names some.
    Each request is logged on stderr unless ``quiet``.
    """
    import uvicorn

    allowed = allowed_hosts_for(sockets[0].getsockname()[0], allow)

    def serve(slot: int) -> None:
        for number, other in enumerate(sockets):
            if number != slot and len(sockets) > 1:
                other.close()  # the other workers' sockets
        app = create_app(
            index_dir,
            allowed_hosts=allowed,
            cors_origins=cors_origins,
            log=None if quiet else stderr_line,
        )
        config = uvicorn.Config(app, log_level="warning")
        uvicorn.Server(config).run(sockets=[sockets[slot]])

    if len(sockets) == 1:
        serve(0)
        return
    from .workers import Supervisor

    Supervisor(len(sockets), serve, notice).run()
