"""Hits and articles as records for other programs: JSON, JSON lines, TSV and CSV,
each with the fields asked for, in the order asked for.

A record of TSV or CSV is one line, whatever the text holds, so that ``cut``,
``sort`` and ``fzf`` can take it line by line: tabs, line breaks and every
other control character in a value are written as escapes (``\\t``, ``\\n``,
``\\x1b``), as everywhere tazsearch shows text. A backslash stays as it is, so
that an id taken from a line is the id (a file name that is not UTF-8 makes one
such as ``caf\\xe9``). Lists (authors, tags) are joined with ", ", snippets
with " … ". JSON keeps every value exactly.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import IO, Any

from .article import Article
from .errors import TazsearchError
from .results import Hit
from .safetext import json_text, visible


class Format(str, Enum):
    """How records are written: for people (text) or for programs."""

    text = "text"
    json = "json"
    jsonl = "jsonl"
    tsv = "tsv"
    csv = "csv"


def formats_and(name: str, extra: str) -> type[Enum]:
    """The formats of every command that lists records, and one of a command's own
    (``query``'s gopher menu, ``export``'s OpenSearch bulk body), as typer's choices."""
    return Enum(name, {**{f.name: f.value for f in Format}, extra: extra}, type=str)  # type: ignore[return-value]


@dataclass(frozen=True)
class RecordKind:
    """What a record is (a hit or an article): its fields, those a table shows
    unless told, its JSON form, and fields computed only when asked for."""

    noun: str
    fields: tuple[str, ...]
    table_fields: tuple[str, ...]
    to_dict: Callable[[Any], dict[str, Any]]
    computed: dict[str, Callable[[Any], Any]] = field(default_factory=dict)

    def choose(self, fields: str | None, output: Format) -> tuple[str, ...] | None:
        """The fields asked for by ``--fields`` ("id,title"), checked; None for every
        field of JSON. A table shows :attr:`table_fields` unless told otherwise."""
        if fields is None:
            return self.table_fields if output in (Format.tsv, Format.csv) else None
        if output is Format.text:
            raise TazsearchError("--fields goes with --format json, jsonl, tsv or csv")
        chosen = tuple(name.strip() for name in fields.split(","))
        if not all(chosen):
            raise TazsearchError(
                f"--fields: a name is empty in {fields!r}; separate names by commas"
            )
        unknown = [name for name in chosen if name not in self.fields]
        if unknown:
            raise TazsearchError(
                f"--fields: {self.noun}s have no field {', '.join(map(repr, unknown))}; "
                f"they have {', '.join(self.fields)}"
            )
        return chosen

    def record(self, item: Any, fields: Sequence[str] | None) -> dict[str, Any]:
        """The item as plain data: every field, or those named, in their order."""
        data = self.to_dict(item)
        if fields is None:
            return data
        return {
            name: self.computed[name](item) if name in self.computed else data[name]
            for name in fields
        }


HITS = RecordKind(
    "hit",
    (
        "id",
        "rank",
        "score",
        "date",
        "title",
        "kicker",
        "headline",
        "authors",
        "tags",
        "source",
        "path",
        "snippets",
        "title_highlights",
    ),
    ("id", "date", "title", "authors"),
    Hit.to_dict,
)
# An article's JSON holds its body as blocks; the body as one text, when asked for.
ARTICLES = RecordKind(
    "article",
    (
        "id",
        "date",
        "title",
        "kicker",
        "headline",
        "teaser",
        "body",
        "blocks",
        "captions",
        "authors",
        "tags",
        "source",
        "path",
        "uri",
        "links",
        "related",
    ),
    ("id", "date", "source", "title", "authors", "tags"),
    Article.to_dict,
    {"body": lambda article: article.body},
)


def cell(value: Any) -> str:
    """A value as one line of a table cell (see the module's docstring)."""
    if value is None:
        text = ""
    elif isinstance(value, str):
        text = value
    elif isinstance(value, (int, float)):
        text = str(value)
    elif isinstance(value, list) and all(isinstance(v, str) for v in value):
        text = ", ".join(value)
    elif isinstance(value, list) and all(isinstance(v, dict) and "text" in v for v in value):
        text = " … ".join(v["text"] for v in value)  # snippets, blocks
    else:
        text = json_text(value)
    return visible(text)


class RecordWriter:
    """Writes records one by one in a format for programs; :meth:`close` ends the
    output (the closing bracket of a JSON array)."""

    def __init__(self, out: IO[str], output: Format, fields: Sequence[str] | None) -> None:
        self.out = out
        self.output = output
        self.fields = fields
        self.count = 0
        self._csv = csv.writer(out, lineterminator="\n") if output is Format.csv else None
        if self._csv is not None and fields is not None:
            self._csv.writerow(fields)

    def write(self, record: dict[str, Any]) -> None:
        if self.output is Format.jsonl:
            self.out.write(json_text(record) + "\n")
        elif self.output is Format.json:
            opening = "[\n" if self.count == 0 else ",\n"
            self.out.write(opening + _indented(json_text(record, indent=2)))
        elif self._csv is not None:
            self._csv.writerow([cell(value) for value in record.values()])
        else:
            self.out.write("\t".join(cell(value) for value in record.values()) + "\n")
        self.count += 1

    def write_all(self, kind: RecordKind, items: Iterable[Any]) -> None:
        for item in items:
            self.write(kind.record(item, self.fields))

    def close(self) -> None:
        if self.output is Format.json:
            self.out.write("\n]\n" if self.count else "[]\n")


def _indented(text: str) -> str:
    return "  " + text.replace("\n", "\n  ")
