"""The commands that read an index: ``query``, ``show``, ``stats`` and ``similar``."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from ..results import Sort
from .app import (
    QUERY_MARK,
    AuthorOption,
    IndexOption,
    QueryArgument,
    SinceOption,
    SortOption,
    TagOption,
    UntilOption,
    app,
    say,
    stdout,
)


class Format(str, Enum):
    text = "text"
    json = "json"
    gophermap = "gophermap"


@app.command()
def query(
    text: QueryArgument = "",
    index_dir: IndexOption = "index",
    author: AuthorOption = None,
    tag: TagOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    sort: SortOption = Sort.relevance,
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
    from ..index import Index
    from ..render import print_facets, print_json, print_results

    text = text.removeprefix(QUERY_MARK)
    with Index.open(index_dir) as ix:
        if len(ix) == 0:
            say("note:", "the index holds no articles yet: add some with `tazsearch index`", "")
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
        from ..gopher import gophermap

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
    from ..index import Index
    from ..render import print_article, print_json

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
    from ..index import Index
    from ..render import print_json, print_stats

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
    from ..index import Index
    from ..render import print_json, print_results

    with Index.open(index_dir) as ix:
        results = ix.similar(article, limit=limit)
        title = ix.get(article).title
    if as_json:
        print_json(stdout, results.to_dict())
    else:
        print_results(stdout, results, heading=f"Articles most like {results.query}: {title}")
