"""The ``tazsearch`` command line: a thin layer over the library's Index."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Sequence
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import click
import typer
from rich.console import Console
from rich.text import Text
from typer.core import TyperGroup

from .errors import TazsearchError
from .results import Sort
from .safetext import visible


class _Commands(TyperGroup):
    """The commands, with what every one of them shares: a query argument that
    begins with "-" is a query, and errors become one line on stderr with an exit
    code, never a traceback. Tests run it in-process with typer's CliRunner."""

    def main(self, args: Sequence[str] | None = None, *rest: Any, **options: Any) -> Any:
        given = list(sys.argv[1:] if args is None else args)
        command = self.commands.get(given[0]) if given else None
        if command is not None and given[0] in QUERY_COMMANDS:
            given = _mark_dash_queries(given, command)
        return super().main(given, *rest, **options)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.Exit, click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except TazsearchError as exc:
            raise _fail(str(exc)) from None
        except KeyboardInterrupt:
            stderr.print("[yellow]interrupted[/]")
            raise typer.Exit(130) from None
        except BrokenPipeError:  # The reader of a pipe left: what it read was enough.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise typer.Exit(0) from None
        except Exception as exc:  # A bug: say so in one line, unless asked for the traceback.
            if os.environ.get("TAZSEARCH_DEBUG"):
                raise
            message = f"{type(exc).__name__}: {exc} (set TAZSEARCH_DEBUG=1 for details)"
            _say("internal error:", message)
            raise typer.Exit(70) from None


app = typer.Typer(
    cls=_Commands,
    help="Search taz.de articles with German stemming and ranked, highlighted results.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
stdout = Console(highlight=False)
stderr = Console(stderr=True, highlight=False)


def _index_folder(value: str) -> str:
    """The index folder as given: an empty name would be the working directory.
    (Click takes an empty TAZSEARCH_INDEX for no value: that is refused too.)"""
    if not value or os.environ.get("TAZSEARCH_INDEX") == "":
        raise _fail("--index (or TAZSEARCH_INDEX) must name a folder, not be empty")
    return value


IndexOption = Annotated[
    str,
    typer.Option(
        "--index",
        "-i",
        envvar="TAZSEARCH_INDEX",
        help="Index directory.",
        show_default=True,
        callback=_index_folder,
    ),
]


def _say(label: str, message: str, style: str = "red") -> None:
    """One line on stderr: messages quote file names and queries, so no control
    character, line break or rich markup in them may act."""
    stderr.print(Text(label, style=style) + Text(" " + visible(message)), soft_wrap=True)


def _fail(message: str, code: int = 1) -> typer.Exit:
    _say("error:", message)
    return typer.Exit(code)


@app.command()
def index(
    paths: Annotated[list[str], typer.Argument(help="Article files or folders (recursed).")],
    index_dir: IndexOption = "index",
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="List every skipped file.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    rebuild: Annotated[
        bool,
        typer.Option(
            "--rebuild", help="Build the index anew beside the old one, e.g. after an upgrade."
        ),
    ] = False,
    max_size: Annotated[
        str,
        typer.Option("--max-size", help="Skip files larger than this: bytes, or 500K, 10M, 1G."),
    ] = "10M",
) -> None:
    """Index taz articles: new and changed files are added, deleted ones removed.

    Unchanged files are not read again. Files that are not articles, and
    files that are not regular files (FIFOs, devices, links), are skipped
    with a reason, and the run goes on.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from .index import Index
    from .render import print_json, print_report, print_skipped
    from .sources import parse_size

    try:
        size_limit = parse_size(max_size)
    except ValueError as exc:
        raise _fail(str(exc)) from None

    progress = Progress(
        TextColumn("[bold]indexing"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        console=stderr,
        disable=not stderr.is_terminal,
        transient=True,
    )
    with Index.open(index_dir, create=True, rebuild=rebuild) as ix:
        with progress:
            task = progress.add_task("indexing", total=None, rate="")

            def advance(done: int, total: int) -> None:
                elapsed = progress.tasks[0].elapsed or 0.0
                rate = f"{done / elapsed:,.0f} files/s" if elapsed > 0.5 else ""
                progress.update(task, completed=done, total=total, rate=rate)

            before = ix.generation
            try:
                report = ix.update(paths, progress=advance, max_size=size_limit)
            except KeyboardInterrupt:
                if ix.generation == before:
                    message = "interrupted: nothing was committed, the index is as it was"
                else:  # Ctrl-C came as the run ended: its commit stands.
                    message = "interrupted after the run was committed"
                raise _fail(message, 130) from None
        if as_json:
            print_json(stdout, {**report.to_dict(), "total": len(ix)})
        else:
            print_report(stdout, report, len(ix))
        print_skipped(stderr, report, verbose=verbose)


class Format(str, Enum):
    text = "text"
    json = "json"
    gophermap = "gophermap"


@app.command()
def query(
    text: Annotated[
        str, typer.Argument(help="Query, e.g. 'Nordkorea \"Kim Jong Un\" tag:Japan'; may be empty.")
    ] = "",
    index_dir: IndexOption = "index",
    author: Annotated[
        list[str] | None,
        typer.Option("--author", "-a", help="Only articles by this author (repeatable)."),
    ] = None,
    tag: Annotated[
        list[str] | None,
        typer.Option("--tag", "-t", help="Only articles with this tag (repeatable)."),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option("--since", help="From this date on: YYYY, YYYY-MM or YYYY-MM-DD."),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option("--until", help="Up to this date: YYYY, YYYY-MM or YYYY-MM-DD."),
    ] = None,
    sort: Annotated[Sort, typer.Option("--sort", "-s", help="Order of the hits.")] = Sort.relevance,
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=1, max=1000, help="Hits per page.")
    ] = 10,
    page: Annotated[int, typer.Option("--page", "-p", min=1, help="Page of hits to show.")] = 1,
    facets: Annotated[
        bool, typer.Option("--facets", "-f", help="Count matches per date, tag and author.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the hits as JSON.")] = False,
    output: Annotated[
        Format, typer.Option("--format", help="text, json, or a gopher menu (gophermap).")
    ] = Format.text,
    gopher_root: Annotated[
        Path | None,
        typer.Option("--gopher-root", help="With gophermap: selectors relative to this folder."),
    ] = None,
    gopher_host: Annotated[
        str, typer.Option("--gopher-host", help="With gophermap: the gopher server's host.")
    ] = "localhost",
    gopher_port: Annotated[
        int, typer.Option("--gopher-port", help="With gophermap: the gopher server's port.")
    ] = 70,
) -> None:
    """Search the index; hits come best first with highlighted snippets.

    Words are matched after German stemming. Articles holding every word rank
    first. The syntax is Lucene's: "phrases", "near words"~3, AND, OR, NOT,
    -word, +word, (groups), Nord* and Kl?ma wildcards, Merkel~1 fuzzy words,
    Merkel^2 boosts, the field prefixes title:, teaser:, body:, captions:,
    tag: and author:, and dates such as date:2024, date:>2024-10 or
    date:[2024-01 TO 2024-06]. A query that begins with "-" is the query.
    The filters --author, --tag, --since and --until combine with the text
    and with each other; with no text they list the matching articles,
    newest first.
    """
    from .index import Index
    from .render import print_facets, print_json, print_results

    text = text.removeprefix(QUERY_MARK)
    with Index.open(index_dir) as ix:
        if len(ix) == 0:
            raise _fail(f"the index at {index_dir} is empty: add articles with `tazsearch index`")
        results = ix.search(
            text,
            limit=limit,
            page=page,
            authors=author or (),
            tags=tag or (),
            since=since,
            until=until,
            sort=sort.value,
            facets=facets,
        )
    if as_json or output is Format.json:
        print_json(stdout, results.to_dict())
    elif output is Format.gophermap:
        from .gopher import gophermap

        menu = gophermap(results, host=gopher_host, port=gopher_port, root=gopher_root)
        sys.stdout.write(menu)
    else:
        print_results(stdout, results)
        if results.facets:
            print_facets(stdout, results.facets)


@app.command()
def show(
    article: Annotated[str, typer.Argument(help="Article id or file path.")],
    index_dir: IndexOption = "index",
    highlight: Annotated[
        str | None,
        typer.Option("--highlight", "-H", help="Highlight the words of this query."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the article as JSON.")] = False,
) -> None:
    """Print a whole article from the index: kicker, headline, teaser, body and the rest."""
    from .index import Index
    from .render import print_article, print_json

    with Index.open(index_dir) as ix:
        found = ix.get(article)
        spans = ix.highlighter(highlight) if highlight else None
    if as_json:
        print_json(stdout, found.to_dict())
    else:
        print_article(stdout, found, spans)


@app.command()
def stats(
    index_dir: IndexOption = "index",
    as_json: Annotated[bool, typer.Option("--json", help="Print the statistics as JSON.")] = False,
) -> None:
    """Show the index's size, date range, articles per year, top tags and authors."""
    from .index import Index
    from .render import print_json, print_stats

    with Index.open(index_dir) as ix:
        summary = ix.stats()
    if as_json:
        print_json(stdout, summary.to_dict())
    else:
        print_stats(stdout, summary, index_dir)


@app.command()
def similar(
    article: Annotated[str, typer.Argument(help="Article id or file path.")],
    index_dir: IndexOption = "index",
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=1000, help="Hits.")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Print the hits as JSON.")] = False,
) -> None:
    """List the articles most like one article, judged on its title, tags and body."""
    from .index import Index
    from .render import print_json, print_results

    with Index.open(index_dir) as ix:
        results = ix.similar(article, limit=limit)
        title = ix.get(article).title
    if as_json:
        print_json(stdout, results.to_dict())
    else:
        print_results(stdout, results, heading=f"Articles most like {results.query}: {title}")


@app.command()
def check(
    index_dir: IndexOption = "index",
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Verify every file of the index against the checksums recorded when it was written.

    Names each damaged file and the articles it holds; exits 1 if any is damaged.
    """
    from .index import Index
    from .render import print_check, print_json

    report = Index(index_dir).check()
    if as_json:
        print_json(stdout, report.to_dict())
    else:
        print_check(stdout, report)
    if not report.ok:
        raise _fail(f"the index at {index_dir} is damaged: {len(report.problems)} problems found")


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
        from .serve import listen, run
    except ImportError as exc:
        message = f'serving needs the serve extra: pip install "tazsearch[serve]" ({exc})'
        raise _fail(message) from None
    from .index import Index

    Index.open(index_dir).close()  # A missing index is one line, before the server starts.
    sock = listen(host, port)  # A taken port is one line too, before "serving".
    address = f"[{host}]" if ":" in host else host
    _say("serving", f"{index_dir} at http://{address}:{port}/ (Ctrl-C stops)", style="")
    run(index_dir, sock, allow_host or ())


# A query argument that begins with "-" ("-Söder Merkel") is marked with this
# invisible character, so that click takes it for the argument it is, not for
# options; the command takes the mark off again.
QUERY_MARK = "\u2060"
# The commands that take a query as their argument.
QUERY_COMMANDS = ("query",)


def _mark_dash_queries(args: list[str], command: click.Command) -> list[str]:
    """The arguments, with any that begins with "-" but is none of the command's
    options (nor the value of one) marked as its query text."""
    takes_value = {"--help": False, "-h": False}
    for param in command.params:
        if param.param_type_name == "option":
            for name in (*param.opts, *param.secondary_opts):
                takes_value[name] = not param.is_flag
    marked = [args[0]]
    expecting = False
    for n, arg in enumerate(args[1:], 1):
        name = arg.split("=", 1)[0] if arg.startswith("--") else arg
        if expecting:
            expecting = False
        elif arg == "--":
            return marked + args[n:]
        elif arg.startswith("-") and len(arg) > 1 and name not in takes_value:
            arg = QUERY_MARK + arg
        elif takes_value.get(name) and "=" not in arg:
            expecting = True
        marked.append(arg)
    return marked


def _stop_on_term(signum: int, frame: object) -> None:
    """SIGTERM (kill, timeout) stops a command as Ctrl-C does: what it wrote is taken
    back and its workers stop, rather than the process vanishing mid-write."""
    raise SystemExit(128 + signum)


def main() -> None:
    """Console entry point: SIGTERM stops a command as Ctrl-C does; see :class:`_Commands`."""
    signal.signal(signal.SIGTERM, _stop_on_term)
    app()
