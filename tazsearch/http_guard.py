"""What every HTTP answer of the service passes through: the Host check, security
headers, HEAD, the 500 of last resort, the access log; and the JSON all answers share.

A server on a loopback address answers only to loopback host names, so that
a web page cannot reach it through DNS rebinding. Every answer carries
headers that forbid sniffing, framing and inline scripts. JSON escapes DEL,
C1 and bidi controls as the CLI's does, and every error has one shape.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import ipaddress
import os
import re
import sys
import time
from collections.abc import Callable, Collection, Sequence
from typing import Any

from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .safetext import json_text, visible

INTERNAL_ERROR = "internal error"
MAX_LOGGED_TARGET = 2000  # bytes of a request's path and query in its log line
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "[::1]"})
MISDIRECTED = 421

# The pages' own stylesheet and script, and the script's calls of the API; nothing
# inline, nothing from elsewhere.
PAGE_CSP = (
    "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; "
    "img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
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


def error_answer(
    status: int, detail: str, errors: Sequence[dict[str, Any]] = (), **headers: str
) -> SafeJSONResponse:
    """An error in the one shape of them all (api_models.ErrorAnswer)."""
    return SafeJSONResponse({"detail": detail, "errors": list(errors)}, status, headers=headers)


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
            await error_answer(MISDIRECTED, detail)(scope, receive, guarded_send)
            return
        if head:
            scope = {**scope, "method": "GET"}
        try:
            await self.app(scope, receive, guarded_send)
        except Exception:
            if not started:
                await error_answer(500, INTERNAL_ERROR)(scope, receive, guarded_send)
            raise


def _with_security_headers(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """The response's headers with ours added; a route's own CSP (that of /docs) is kept."""
    present = {name.lower() for name, _ in headers}
    extra = {**SECURITY_HEADERS, "content-security-policy": PAGE_CSP}
    added = [(k.encode(), v.encode()) for k, v in extra.items() if k.encode() not in present]
    return [*headers, *added]


class AccessLog:
    """ASGI middleware, outermost: one line per request through ``write``, once its answer
    is sent: ``[pid] GET /path?query 200 12.3 ms``.

    The path and query are logged as the client sent them (percent-encoded),
    with every control character shown as an escape and cut at
    MAX_LOGGED_TARGET bytes: a request cannot write to the operator's terminal.
    """

    def __init__(self, app: ASGIApp, write: Callable[[str], None]) -> None:
        self.app = app
        self.write = write

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status: int | None = None

        async def logged_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, logged_send)
        finally:
            elapsed = 1000 * (time.perf_counter() - started)
            self.write(access_line(scope, status, elapsed))


def access_line(scope: Scope, status: int | None, elapsed_ms: float) -> str:
    """The log line of one request: nothing from the client in it acts on a terminal."""
    target = scope.get("raw_path") or scope["path"].encode("utf-8", "surrogateescape")
    if scope.get("query_string"):
        target += b"?" + scope["query_string"]
    shown = visible(target[:MAX_LOGGED_TARGET].decode("utf-8", "surrogateescape"))
    if len(target) > MAX_LOGGED_TARGET:
        shown += "..."
    method = visible(scope["method"][:20])
    return f"[{os.getpid()}] {method} {shown} {status or '-'} {elapsed_ms:.1f} ms"


def stderr_line(line: str) -> None:
    """A line on stderr in one write, so that the lines of workers never interleave;
    a log that cannot be written never fails a request."""
    with contextlib.suppress(OSError):
        os.write(sys.stderr.fileno(), (line + "\n").encode("utf-8", "backslashreplace"))


def docs_page(openapi_url: str, title: str) -> tuple[bytes, str]:
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
