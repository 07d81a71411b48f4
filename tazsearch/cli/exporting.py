"""The ``export`` command: every matching article, streaming, as JSON lines or
OpenSearch's ``_bulk`` NDJSON."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Annotated, BinaryIO

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
    fail,
    progress_bar,
    say,
)


class ExportFormat(str, Enum):
    jsonl = "jsonl"
    opensearch = "opensearch"


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
        typer.Option("--format", help="jsonl, or opensearch (_bulk NDJSON for OpenSearch)."),
    ] = ExportFormat.jsonl,
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
    """Write every article the query matches (every article, with no query or filter),
    whole, streaming: as JSON lines, or for OpenSearch and Elasticsearch. The
    query and filters are those of `query`, and never corrected."""
    from ..export import bulk_record, index_body, jsonl_record
    from ..index import Index
    from ..safetext import json_text

    text = text.removeprefix(QUERY_MARK)
    if mapping and output_format is not ExportFormat.opensearch:
        raise fail("--mapping goes with --format opensearch: it is the index body for those")
    with _written_to(output) as out:
        if mapping:
            out.write((json_text(index_body(), indent=1) + "\n").encode("utf-8"))
            return
        with Index.open(index_dir) as ix:
            filters = {"authors": author or (), "tags": tag or (), "since": since, "until": until}
            with ix.iter_articles(text, sort=sort.value, **filters) as articles:
                for note in articles.notes:
                    say("note:", note, "")
                with progress_bar("exporting") as bar:
                    task = bar.add_task("exporting", total=len(articles))
                    for article in articles:
                        if output_format is ExportFormat.jsonl:
                            record = jsonl_record(article)
                        else:
                            record = bulk_record(article, bulk_index)
                        out.write(record.encode("utf-8"))
                        bar.advance(task)


@contextmanager
def _written_to(output: Path | None) -> Iterator[BinaryIO]:
    """Standard output, or a file written under a temporary name and renamed into
    place when all is written, so that a failed export leaves no half file."""
    if output is None:
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    partial = output.with_name(f".{output.name}.{os.getpid()}.partial")
    try:
        with open(partial, "wb") as f:
            yield f
        os.replace(partial, output)
    except OSError as exc:
        raise fail(f"cannot write {output}: {exc.strerror or exc}") from None
    finally:
        partial.unlink(missing_ok=True)
