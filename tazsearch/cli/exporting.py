"""The ``export`` command: every matching article, streaming, as JSON lines or
OpenSearch's ``_bulk`` NDJSON."""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, BinaryIO, TextIO

import typer
from rich.console import Console

from .. import Article
from ..formats import ARTICLES, Format, RecordWriter, formats_and
from ..results import Sort
from .app import (
    QUERY_MARK,
    AuthorOption,
    FieldsOption,
    IndexOption,
    QueryArgument,
    SinceOption,
    SortOption,
    TagOption,
    UntilOption,
    app,
    fail,
    progress_bar,
    say,
)

ExportFormat = formats_and("ExportFormat", "opensearch")


@app.command()
def export(
    text: QueryArgument = "",
    index_dir: IndexOption = "index",
    author: AuthorOption = None,
    tag: TagOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    sort: SortOption = Sort.relevance,
    output_format: Annotated[
        ExportFormat,
        typer.Option(
            "--format",
            "-F",
            help="jsonl (the default), json, tsv, csv, text (as show prints them), "
            "or opensearch (_bulk NDJSON for OpenSearch).",
        ),
    ] = ExportFormat.jsonl,  # type: ignore[attr-defined]
    fields: FieldsOption = None,
    mapping: Annotated[
        bool,
        typer.Option(
            "--mapping", help="With opensearch: write the index body it needs, not the articles."
        ),
    ] = False,
    bulk_index: Annotated[
        str, typer.Option("--opensearch-index", help="The _index of the bulk actions.")
    ] = "taz",
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write to this file, whole or not at all."),
    ] = None,
) -> None:
    """Write every article the query matches, whole and streaming.

    With no query or filter, every article. As JSON lines, a JSON array, TSV,
    CSV or text, or as the bulk body of OpenSearch and Elasticsearch. The
    query and filters are those of `query`, and never corrected.
    """
    from ..export import index_body
    from ..index import Index
    from ..safetext import json_text

    text = text.removeprefix(QUERY_MARK)
    chosen = output_format.value
    if mapping and chosen != "opensearch":
        raise fail("--mapping goes with --format opensearch: it is the index body for those")
    if fields is not None and chosen == "opensearch":
        raise fail("--fields goes with --format json, jsonl, tsv or csv")
    article_fields = None if chosen == "opensearch" else ARTICLES.choose(fields, Format(chosen))
    with _written_to(output) as out:
        if mapping:
            out.write(json_text(index_body(), indent=1) + "\n")
            return
        with Index.open(index_dir) as ix:
            filters = {"authors": author or (), "tags": tag or (), "since": since, "until": until}
            with ix.iter_articles(text, sort=sort.value, **filters) as articles:
                for note in articles.notes:
                    say("note:", note, "")
                with progress_bar("exporting") as bar:
                    task = bar.add_task("exporting", total=len(articles))
                    write, finish = _article_writer(out, chosen, article_fields, bulk_index)
                    for article in articles:
                        write(article)
                        bar.advance(task)
                    finish()


def _article_writer(
    out: TextIO, chosen: str, fields: tuple[str, ...] | None, bulk_index: str
) -> tuple[Callable[[Article], None], Callable[[], None]]:
    """How each article is written in the format chosen, and how the output ends."""
    if chosen == "opensearch":
        from ..export import bulk_record

        def bulk(article: Article) -> None:
            out.write(bulk_record(article, bulk_index))

        return bulk, lambda: None
    if chosen == "text":
        from ..render import print_article

        console = Console(file=out, highlight=False, force_terminal=False)

        def text(article: Article) -> None:  # as `show` prints it to a pipe, a rule under it
            print_article(console, article)
            out.write("\n" + "─" * 40 + "\n\n")

        return text, lambda: None
    writer = RecordWriter(out, Format(chosen), fields)

    def record(article: Article) -> None:
        writer.write(ARTICLES.record(article, fields))

    return record, writer.close


class _Utf8Writer(io.TextIOBase):
    """Text written to a binary stream as UTF-8, whatever the locale says; closing
    it leaves the stream open (a TextIOWrapper would close standard output)."""

    def __init__(self, binary: BinaryIO) -> None:
        self._binary = binary

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self._binary.write(text.encode("utf-8", "backslashreplace"))
        return len(text)

    def flush(self) -> None:
        self._binary.flush()


@contextmanager
def _written_to(output: Path | None) -> Iterator[TextIO]:
    """Standard output, or a file written under a temporary name and renamed into
    place when all is written, so that a failed export leaves no half file.
    Always UTF-8."""
    if output is None:
        out = _Utf8Writer(sys.stdout.buffer)
        yield out  # type: ignore[misc]
        out.flush()
        return
    unfinished = output.with_name(f".{output.name}.{os.getpid()}.partial")
    try:
        with open(unfinished, "w", encoding="utf-8", newline="\n") as f:
            yield f
        os.replace(unfinished, output)
    except OSError as exc:
        raise fail(f"cannot write {output}: {exc.strerror or exc}") from None
    finally:
        unfinished.unlink(missing_ok=True)
