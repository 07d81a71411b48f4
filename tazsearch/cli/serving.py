"""The ``serve`` command: the HTTP service and its search page."""

from __future__ import annotations

from typing import Annotated

import typer

from .app import IndexOption, app, fail, say


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
) -> None:
    """Serve the index over HTTP: a JSON API for programs and a search page for people.

    Needs the serve extra: pip install "tazsearch[serve]". The API is under
    /api (its OpenAPI schema at /openapi.json), the search page at /.
    """
    try:
        from ..serve import listen, run
    except ImportError as exc:
        message = f'serving needs the serve extra: pip install "tazsearch[serve]" ({exc})'
        raise fail(message) from None
    from ..index import Index

    Index.open(index_dir).close()  # A missing index is one line, before the server starts.
    sock = listen(host, port)  # A taken port is one line too, before "serving".
    address = f"[{host}]" if ":" in host else host
    say("serving", f"{index_dir} at http://{address}:{port}/ (Ctrl-C stops)", style="")
    run(index_dir, sock, allow_host or ())
