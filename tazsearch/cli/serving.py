"""The ``serve`` command: the HTTP service and its search page."""

from __future__ import annotations

import os
import re
from typing import Annotated

import typer

from .app import IndexOption, app, fail, say

# A web origin as browsers send it: scheme, host and an optional port, nothing more.
ORIGIN = re.compile(
    r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?|https?://\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?"
)
MAX_WORKERS = 64  # each worker holds its own copy of the index's caches


@app.command()
def serve(
    index_dir: IndexOption = "index",
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on; loopback unless told otherwise.")
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")
    ] = 8080,
    allow_host: Annotated[
        list[str] | None,
        typer.Option(
            "--allow-host",
            help="Also answer requests for this host name (repeatable); "
            "on loopback only loopback names are answered otherwise.",
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            max=MAX_WORKERS,
            show_default=False,
            help="Processes serving requests over one index; "
            "default: one per core. 1 serves from this process.",
        ),
    ] = None,
    cors_origin: Annotated[
        list[str] | None,
        typer.Option(
            "--cors-origin",
            help="Let pages from this web origin, such as https://example.org, "
            "read the API's answers (repeatable); none by default.",
        ),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", help="No access log line per request on stderr.")
    ] = False,
) -> None:
    """Serve the index over HTTP: a JSON API and a search page.

    The API is for programs, the search page for people. Needs the serve
    extra: pip install "tazsearch[serve]". The API is under /api (its OpenAPI
    schema at /openapi.json), the search page at /.
    """
    try:
        from ..serve import run
        from ..workers import listen_all
    except ImportError as exc:
        message = f'serving needs the serve extra: pip install "tazsearch[serve]" ({exc})'
        raise fail(message) from None
    from ..index import Index

    origins = cors_origin or []
    for origin in origins:
        if origin != "*" and not ORIGIN.fullmatch(origin):
            raise fail(f"--cors-origin takes an origin such as https://example.org, not {origin!r}")
    count = workers or os.cpu_count() or 1
    Index.open(index_dir).close()  # A missing index is one line, before the server starts.
    sockets = listen_all(host, port, count)  # A taken port is one line too, before "serving".
    address = f"[{host}]" if ":" in host else host
    processes = f"{count} workers" if count > 1 else "1 process"
    say("serving", f"{index_dir} at http://{address}:{port}/ ({processes}; Ctrl-C stops)", style="")
    run(index_dir, sockets, allow_host or (), cors_origins=origins, quiet=quiet)
