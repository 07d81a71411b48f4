"""The HTTP service: a JSON API for other programs and a search page for people.

Built on FastAPI (which serves the OpenAPI schema at /openapi.json) and run by
uvicorn; both come with ``pip install "tazsearch[serve]"``. One :class:`Index`
is shared by all requests; it picks up each new commit of the index, from a
`tazsearch index` running alongside, before the next search.

Article ids come from strangers: they are looked up as ids only, never read
as paths. Errors name no file of the server. Every answer carries headers
that forbid sniffing, framing and inline scripts, and a server on a loopback
address answers only to loopback host names, so that a web page cannot reach
it through DNS rebinding.
"""

from __future__ import annotations

import base64
import errno
import hashlib
import ipaddress
import re
import socket
from collections.abc import Collection
from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import __version__, pages
from .errors import (
    ArticleNotFoundError,
    FilterError,
    IndexBusyError,
    IndexDamagedError,
    IndexNotFoundError,
    IndexVersionError,
    QuerySyntaxError,
    ServeError,
    TazsearchError,
)
from .index import Index
from .results import Sort
from .safetext import json_text

MAX_LIMIT = 100
MAX_PAGE = 1000
MAX_QUERY = 500
BACKLOG = 2048  # uvicorn's default

QueryText = Annotated[str, Query(max_length=MAX_QUERY, description="Query, in the CLI's syntax.")]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Hits per page.")]
Page = Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page of hits.")]
Values = Annotated[list[str], Query(max_length=20)]
SortName = Annotated[str, Query(description="Order of the hits: " + ", ".join(Sort))]

# Errors about the index on disk, not the request: their messages name its path.
# The index cannot be read (gone, damaged, of another format): the service,
# not the request, is at fault, and says so without details.
INDEX_ERRORS = (IndexNotFoundError, IndexVersionError, IndexDamagedError, IndexBusyError)
INDEX_ERROR = "the index cannot be read at the moment; tazsearch check names the damage"
INTERNAL_ERROR = "internal error"

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "[::1]"})
MISDIRECTED = 421

PAGE_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
SWAGGER_JS = "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui-bundle.js"
SWAGGER_CSS = "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui.css"
SWAGGER_FAVICON = "https://fastapi.tiangolo.com/img/favicon.png"
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}


class SafeJSONResponse(JSONResponse):
    """JSON as the CLI prints it: DEL, C1 and bidi controls escaped as ``\\uXXXX`` too."""

    def render(self, content: Any) -> bytes:
        return json_text(content, allow_nan=False).encode("utf-8")


def host_name(value: str) -> str:
    """The host of a Host header or an --allow-host NAME: lower case, without a port.

    A bare IPv6 address gets the brackets a Host header puts around it.
    """
    value = value.strip().lower()
    if value.startswith("["):
        return value[: value.find("]") + 1] or value
    if value.count(":") == 1:
        return value.partition(":")[0]
    if value.count(":") > 1:
        return f"[{value}]"
    return value


def is_loopback(host: str) -> bool:
    """Whether a host name or address (IPv6 in brackets or not) names this machine only."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def allowed_hosts_for(address: str, allow: Collection[str]) -> frozenset[str] | None:
    """The Host names a server listening on ``address`` answers to, besides loopback ones.

    None means any: a server on a public address has no name to check. On a
    loopback address, only loopback names are allowed unless --allow-host
    adds others.
    """
    if allow:
        return frozenset(host_name(name) for name in allow)
    return frozenset() if is_loopback(address) else None


def _host_allowed(scope: Scope, allowed: frozenset[str]) -> bool:
    header = dict(scope["headers"]).get(b"host", b"").decode("latin-1")
    name = host_name(header)
    return name in allowed or name in LOOPBACK_NAMES or is_loopback(name)


class Guard:
    """ASGI middleware around the whole app: the Host check, HEAD, security headers, 500s.

    HEAD is answered as GET without the body, on every route. A failure
    nobody caught is answered with "internal error" and nothing more, then
    raised again for the server's log.
    """

    def __init__(self, app: ASGIApp, allowed_hosts: frozenset[str] | None) -> None:
        self.app = app
        self.allowed_hosts = allowed_hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        head = scope["method"] == "HEAD"
        started = False

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message = {**message, "headers": _with_security_headers(message["headers"])}
            elif message["type"] == "http.response.body" and head:
                message = {**message, "body": b""}
            await send(message)

        if self.allowed_hosts is not None and not _host_allowed(scope, self.allowed_hosts):
            detail = "this server does not answer to that host name (see --allow-host)"
            await SafeJSONResponse({"detail": detail}, MISDIRECTED)(scope, receive, guarded_send)
            return
        if head:
            scope = {**scope, "method": "GET"}
        try:
            await self.app(scope, receive, guarded_send)
        except Exception:
            if not started:
                response = SafeJSONResponse({"detail": INTERNAL_ERROR}, 500)
                await response(scope, receive, guarded_send)
            raise


def _with_security_headers(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """The response's headers with ours added; a route's own CSP (that of /docs) is kept."""
    present = {name.lower() for name, _ in headers}
    extra = {**SECURITY_HEADERS, "content-security-policy": PAGE_CSP}
    added = [(k.encode(), v.encode()) for k, v in extra.items() if k.encode() not in present]
    return [*headers, *added]


def _docs_page(openapi_url: str, title: str) -> tuple[bytes, str]:
    """Swagger UI's page and a CSP of its own: its files from the CDN, its inline script by hash.

    Swagger UI sets inline styles, so styles (never scripts) may be inline here.
    """
    page = get_swagger_ui_html(
        openapi_url=openapi_url,
        title=title,
        swagger_js_url=SWAGGER_JS,
        swagger_css_url=SWAGGER_CSS,
        swagger_favicon_url=SWAGGER_FAVICON,
        swagger_ui_parameters={"validatorUrl": None},  # no badge fetched from swagger.io
    )
    scripts = re.findall(r"<script>(.*?)</script>", bytes(page.body).decode(), re.DOTALL)
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'"
        for s in scripts
    )
    policy = (
        f"default-src 'none'; script-src {SWAGGER_JS} {hashes}; "
        f"style-src {SWAGGER_CSS} 'unsafe-inline'; img-src 'self' data: {SWAGGER_FAVICON}; "
        "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
    return bytes(page.body), policy


def _client_error(exc: TazsearchError) -> tuple[int, str]:
    """The status and message for an error: 4xx with its message for one the request
    caused (their messages name no path of the server), 503 for an index that cannot
    be read, 500 for anything else; those two without details."""
    if isinstance(exc, INDEX_ERRORS):
        return 503, INDEX_ERROR
    if isinstance(exc, ArticleNotFoundError):
        return 404, str(exc)
    if isinstance(exc, (QuerySyntaxError, FilterError)):
        return 400, str(exc)
    return 500, INTERNAL_ERROR


def create_app(
    index_dir: str | Path = "index", allowed_hosts: Collection[str] | None = None
) -> FastAPI:
    """The service for the index in ``index_dir``, which must exist.

    ``allowed_hosts``: None answers any Host header; a collection answers
    loopback names (localhost, 127.0.0.1, [::1], with any port) and those.
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
    hosts = None if allowed_hosts is None else frozenset(host_name(h) for h in allowed_hosts)
    app.add_middleware(Guard, allowed_hosts=hosts)
    docs, docs_policy = _docs_page(app.openapi_url or "/openapi.json", f"{app.title} - Swagger UI")

    @app.exception_handler(TazsearchError)
    def bad_request(request: Request, exc: TazsearchError) -> JSONResponse:
        status, message = _client_error(exc)
        return SafeJSONResponse({"detail": message}, status_code=status)

    @app.exception_handler(RequestValidationError)
    def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        """FastAPI's 422, whose echo of the input is escaped as every other answer is."""
        return SafeJSONResponse({"detail": jsonable_encoder(exc.errors())}, status_code=422)

    @app.get("/api/search", tags=["search"])
    def api_search(
        q: QueryText = "",
        author: Values = [],  # noqa: B006 (FastAPI copies defaults)
        tag: Values = [],  # noqa: B006
        since: Annotated[str | None, Query(description="YYYY, YYYY-MM or YYYY-MM-DD")] = None,
        until: Annotated[str | None, Query(description="YYYY, YYYY-MM or YYYY-MM-DD")] = None,
        sort: SortName = Sort.relevance.value,
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
        """One article, whole, by its id (never read as a path)."""
        return ix.get(article_id, path_lookup=False).to_dict()

    @app.get("/api/articles/{article_id}/similar", tags=["articles"])
    def api_similar(article_id: str, limit: Limit = 10) -> dict[str, Any]:
        """The articles most like one article."""
        return ix.similar(article_id, limit=limit, path_lookup=False).to_dict()

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

    @app.get("/docs", include_in_schema=False)
    def docs_page() -> HTMLResponse:
        return HTMLResponse(docs, headers={"content-security-policy": docs_policy})

    @app.get(pages.STYLESHEET_URL, include_in_schema=False)
    def stylesheet() -> Response:
        return Response(pages.STYLESHEET, media_type="text/css")

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def search_page(
        q: QueryText = "",
        author: str = "",
        tag: str = "",
        since: str = "",
        until: str = "",
        sort: SortName = Sort.relevance.value,
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
                status, message = _client_error(exc)
                return HTMLResponse(pages.search_page(form, error=message), status_code=status)
            return HTMLResponse(pages.search_page(form, results=results))
        return HTMLResponse(pages.search_page(form))

    @app.get("/articles/{article_id}", response_class=HTMLResponse, include_in_schema=False)
    def article_page(article_id: str, q: QueryText = "") -> HTMLResponse:
        article = ix.get(article_id, path_lookup=False)
        return HTMLResponse(pages.article_page(article, ix.highlighter(q) if q.strip() else None))

    app.state.index = ix
    return app


def _address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _bind_error(exc: OSError, host: str, port: int) -> str:
    where = _address(host, port)
    if exc.errno == errno.EADDRINUSE:
        return f"cannot listen on {where}: the port is in use; choose another with --port"
    if exc.errno == errno.EACCES:
        return f"cannot listen on {where}: permission denied (ports below 1024 need root)"
    if exc.errno == errno.EADDRNOTAVAIL:
        return f"cannot listen on {where}: this machine has no such address"
    return f"cannot listen on {where}: {exc.strerror or exc}"


def listen(host: str, port: int) -> socket.socket:
    """A socket listening on host and port, or a one-line :class:`ServeError`.

    Bound here rather than by uvicorn, so that a taken port is an error
    before anything claims to be serving.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(BACKLOG)
    except OSError as exc:
        sock.close()
        raise ServeError(_bind_error(exc, host, port)) from None
    return sock


def run(index_dir: Path, sock: socket.socket, allow: Collection[str] = ()) -> None:
    """Serve on a listening socket until stopped, with uvicorn.

    On a loopback address only loopback host names are answered, and the
    names in ``allow``; on another address any, unless ``allow`` names some.
    """
    import uvicorn

    allowed = allowed_hosts_for(sock.getsockname()[0], allow)
    app = create_app(index_dir, allowed_hosts=allowed)
    uvicorn.Server(uvicorn.Config(app, log_level="warning")).run(sockets=[sock])
