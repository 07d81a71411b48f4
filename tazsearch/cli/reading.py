"""The commands that read an index: ``query``, ``show``, ``stats`` and ``similar``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from ..formats import HITS, Format, RecordWriter, formats_and
from ..results import SearchResults, Sort
from .app import (
    QUERY_MARK,
    AuthorOption,
    FieldsOption,
    FormatOption,
    IndexOption,
    JsonOption,
    QueryArgument,
    SinceOption,
    SortOption,
    TagOption,
    UntilOption,
    app,
    fail,
    format_of,
    say,
    stdout,
)
from .paging import paged

QueryFormat = formats_and("QueryFormat", "gophermap")


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
    as_json: JsonOption = False,
    output: Annotated[
        QueryFormat | None,
        typer.Option(
            "--format",
            "-F",
            help="text (the default), json, jsonl, tsv or csv (one line per hit), "
            "or gophermap (a gopher menu).",
        ),
    ] = None,
    fields: FieldsOption = None,
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

    chosen = format_of(output, as_json)
    if chosen == "gophermap" and fields is not None:
        raise fail("--fields goes with --format json, jsonl, tsv or csv")
    if facets and chosen not in ("text", "json"):
        raise fail("--facets goes with --format text or json: the counts are no hits")
    hit_fields = None if chosen == "gophermap" else HITS.choose(fields, Format(chosen))
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
    if chosen == "gophermap":
        from ..gopher import gophermap

        menu = gophermap(results, host=gopher_host, port=gopher_port, root=gopher_root)
        sys.stdout.write(menu)
    else:
        print_hits(results, Format(chosen), hit_fields)


def print_hits(results: SearchResults, output: Format, fields: tuple[str, ...] | None) -> None:
    """Hits in a format: text and JSON as a page with its count and remarks; JSON
    lines, TSV and CSV one line per hit, the remarks on stderr (they are no hits)."""
    from ..render import print_facets, print_json, print_results

    if output is Format.text:
        print_results(stdout, results)
        if results.facets:
            print_facets(stdout, results.facets)
        return
    if output is Format.json:
        data = results.to_dict()
        if fields is not None:
            data["hits"] = [HITS.record(hit, fields) for hit in results.hits]
        print_json(stdout, data)
        return
    for remark in remarks(results):
        say("note:", remark, "")
    writer = RecordWriter(sys.stdout, output, fields)
    writer.write_all(HITS, results.hits)
    writer.close()


def remarks(results: SearchResults) -> list[str]:
    """What the count line of the text output says beside the hits, in words."""
    found = list(results.notes)
    if results.corrected:
        found.insert(
            0,
            f"no article matches {results.query!r} with all its words; "
            f"these hits are for {results.searched!r}",
        )
    elif results.suggestion:
        found.insert(0, f"did you mean {results.suggestion!r}?")
    return found


@app.command()
def show(
    article: Annotated[str, typer.Argument(help="Article id or file path.")],
    index_dir: IndexOption = "index",
    highlight: Annotated[
        str | None,
        typer.Option("--highlight", "-H", help="Highlight the words of this query."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the article as JSON.")] = False,
    no_pager: Annotated[
        bool,
        typer.Option("--no-pager", help="Print straight to the terminal, not through a pager."),
    ] = False,
) -> None:
    """Print one whole article from the index.

    Kicker, headline, byline, teaser, captions, body, tags, links and related
    articles. On a terminal the article goes through $TAZSEARCH_PAGER, $PAGER
    or less, as git's output does.
    """
    from ..index import Index
    from ..render import print_article, print_json

    with Index.open(index_dir) as ix:
        found = ix.get(article)
        spans = ix.highlighter(highlight) if highlight else None
    with paged(stdout, enabled=not no_pager) as console:
        if as_json:
            print_json(console, found.to_dict())
        else:
            print_article(console, found, spans)


@app.command()
def stats(
    index_dir: IndexOption = "index",
    as_json: Annotated[bool, typer.Option("--json", help="Print the statistics as JSON.")] = False,
) -> None:
    """Show the index's size, dates, and its top tags and authors.

    The date range, the articles per year, the size on disk and the time of
    the last update, and the ten most frequent tags and authors.
    """
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
    as_json: JsonOption = False,
    output: FormatOption = None,
    fields: FieldsOption = None,
) -> None:
    """List the articles most like one article.

    Judged on the words that set its title, tags and body most apart from the
    rest of the index.
    """
    from ..index import Index
    from ..render import print_results

    chosen = Format(format_of(output, as_json))
    hit_fields = HITS.choose(fields, chosen)
    with Index.open(index_dir) as ix:
        results = ix.similar(article, limit=limit)
        title = ix.get(article).title
    if chosen is Format.text:
        print_results(stdout, results, heading=f"Articles most like {results.query}: {title}")
    else:
        print_hits(results, chosen, hit_fields)
