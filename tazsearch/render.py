"""Output: search results and update reports for a terminal, a pipe or JSON."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.padding import Padding
from rich.text import Text

from .index import UpdateReport
from .search import Hit, SearchResults, Span

HIGHLIGHT_STYLE = "bold yellow"
PLAIN_MARK = "**"
SKIPPED_SHOWN = 10


def display_path(path: str) -> str:
    """The path relative to the working directory when it lies below it."""
    try:
        return str(Path(path).relative_to(Path.cwd()))
    except ValueError:
        return path


def highlighted(text: str, spans: list[Span], *, colour: bool) -> Text:
    """``text`` with its spans in colour, or between plain ``**`` markers."""
    if colour:
        result = Text(text)
        for start, end in spans:
            result.stylize(HIGHLIGHT_STYLE, start, end)
        return result
    pieces, last = [], 0
    for start, end in spans:
        pieces += [text[last:start], PLAIN_MARK, text[start:end], PLAIN_MARK]
        last = end
    pieces.append(text[last:])
    return Text("".join(pieces))


INDENT = 4


def _hit_lines(hit: Hit, colour: bool) -> list[Text]:
    """The lines of one hit; all but the first are indented under the title."""
    title = highlighted(hit.title, hit.title_highlights, colour=colour)
    title.stylize("bold")
    facts = [hit.date.isoformat() if hit.date else "no date", ", ".join(hit.authors)]
    lines = [Text(" · ".join(f for f in facts if f), style="cyan")]
    if hit.tags:
        lines.append(Text("Tags: " + ", ".join(hit.tags), style="magenta"))
    lines.append(Text(display_path(hit.path), style="dim"))
    lines += [highlighted(s.text, s.highlights, colour=colour) for s in hit.snippets]
    return [Text(f"{hit.rank:>2}. ") + title, *lines]


def _emit(console: Console, line: Text, colour: bool, indent: int = 0) -> None:
    """A line in colour on a terminal, wrapped under its indent; in a pipe plain, never cut."""
    if colour:
        console.print(Padding(line, (0, 0, 0, indent)), overflow="fold")
    else:
        console.file.write(" " * indent + line.plain + "\n")


def print_results(console: Console, results: SearchResults) -> None:
    colour = console.is_terminal and not console.no_color
    first = (results.page - 1) * results.limit + 1
    last = first + len(results.hits) - 1
    noun = "article" if results.total == 1 else "articles"
    shown = (
        f", showing {first}–{last}" if results.hits and results.total > len(results.hits) else ""
    )
    verb = "matches" if results.total == 1 else "match"
    heading = Text(f"{results.total} {noun} {verb} {results.query!r}{shown}", style="bold")
    _emit(console, heading, colour)
    for hit in results.hits:
        _emit(console, Text(), colour)
        title, *details = _hit_lines(hit, colour)
        _emit(console, title, colour)
        for line in details:
            _emit(console, line, colour, INDENT)


def print_json(console: Console, data: Any) -> None:
    """JSON on stdout, untouched by rich's markup and wrapping."""
    console.file.write(json.dumps(data, ensure_ascii=False, indent=2) + os.linesep)


def print_report(console: Console, report: UpdateReport, total: int) -> None:
    """The closing summary of an index run; skipped files are listed with their reasons."""
    rate = report.files / report.seconds if report.seconds else 0.0
    noun = "article" if total == 1 else "articles"
    console.print(
        f"[bold]{report.indexed}[/] indexed, [bold]{report.updated}[/] updated, "
        f"[bold]{report.unchanged}[/] unchanged, [bold]{report.removed}[/] removed, "
        f"[bold]{len(report.skipped)}[/] skipped in {report.seconds:.1f} s "
        f"({rate:,.0f} files/s); the index holds {total} {noun}.",
        soft_wrap=True,
    )


def print_skipped(console: Console, report: UpdateReport, *, verbose: bool) -> None:
    shown = report.skipped if verbose else report.skipped[:SKIPPED_SHOWN]
    for skipped in shown:
        console.print(
            f"[yellow]skipped[/] {escape(display_path(skipped.path))}: {escape(skipped.reason)}",
            soft_wrap=True,
        )
    hidden = len(report.skipped) - len(shown)
    if hidden:
        console.print(f"[yellow]… and {hidden} more skipped files; --verbose lists them all[/]")
