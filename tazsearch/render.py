"""Output: search results and update reports for a terminal, a pipe or JSON."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.padding import Padding
from rich.text import Text

from .facets import Facets
from .index import UpdateReport
from .parse import Article
from .results import Hit, SearchResults, Span, marked
from .stats import IndexStats

Highlighter = Callable[[str], list[Span]]

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
    return Text(marked(text, spans, PLAIN_MARK, PLAIN_MARK))


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


def _results_heading(results: SearchResults) -> list[Text]:
    first = (results.page - 1) * results.limit + 1
    last = first + len(results.hits) - 1
    noun = "article" if results.total == 1 else "articles"
    verb = "matches" if results.total == 1 else "match"
    more = results.hits and results.total > len(results.hits)
    shown = f", showing {first}–{last}" if more else ""
    if results.corrected:
        return [
            Text(f"No articles match {results.query!r}.", style="bold"),
            Text(f"{results.total} {noun} {verb} the suggestion {results.searched!r}{shown}"),
        ]
    matched = f" {verb} {results.query!r}" if results.query.strip() else ""
    heading = [Text(f"{results.total} {noun}{matched}{shown}", style="bold")]
    if results.suggestion:
        heading.append(Text(f"Did you mean {results.suggestion!r}?", style="yellow"))
    return heading


def print_results(console: Console, results: SearchResults, heading: str | None = None) -> None:
    """Hits under a heading: the match count and any did-you-mean, unless ``heading`` is given."""
    colour = console.is_terminal and not console.no_color
    for line in [Text(heading, style="bold")] if heading else _results_heading(results):
        _emit(console, line, colour)
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
    noun = "article" if total == 1 else "articles"
    # A rate over less than a second says nothing.
    took = f"{report.seconds:.2f} s" if report.seconds < 1 else f"{report.seconds:.1f} s"
    if report.seconds >= 1:
        took += f" ({report.files / report.seconds:,.0f} files/s)"
    console.print(
        f"[bold]{report.indexed}[/] indexed, [bold]{report.updated}[/] updated, "
        f"[bold]{report.unchanged}[/] unchanged, [bold]{report.removed}[/] removed, "
        f"[bold]{len(report.skipped)}[/] skipped in {took}; the index holds {total:,} {noun}.",
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


BAR_WIDTH = 40


def bar_chart(pairs: list[tuple[str, int]], *, colour: bool) -> list[Text]:
    """One line per (label, count): the label, a bar scaled to the largest count, the count."""
    if not pairs:
        return [Text("  (none)", style="dim")]
    widest = max(len(label) for label, _ in pairs)
    most = max(count for _, count in pairs)
    lines = []
    for label, count in pairs:
        length = max(1, round(BAR_WIDTH * count / most)) if count else 0
        line = Text(f"  {label:<{widest}} ")
        line.append("█" * length, style="green" if colour else "")
        line.append(f" {count}")
        lines.append(line)
    return lines


def _counted(title: str, pairs: list[tuple[str, int]]) -> list[Text]:
    if not pairs:
        return [Text(f"{title}: (none)", style="bold")]
    listed = ", ".join(f"{value} ({count})" for value, count in pairs)
    return [Text(f"{title}: ", style="bold") + Text(listed)]


def print_facets(console: Console, facets: Facets) -> None:
    colour = console.is_terminal and not console.no_color
    per = "month" if facets.date_unit == "month" else "year"
    lines = [Text(), Text(f"Matches per {per}:", style="bold")]
    lines += bar_chart(facets.dates, colour=colour)
    lines += _counted("Top tags", facets.tags)
    lines += _counted("Top authors", facets.authors)
    for line in lines:
        _emit(console, line, colour)


def print_article(console: Console, article: Article, spans: Highlighter | None = None) -> None:
    """The whole article, readably, with the words ``spans`` finds highlighted."""
    colour = console.is_terminal and not console.no_color

    def mark(text: str, style: str = "") -> Text:
        line = highlighted(text, spans(text) if spans else [], colour=colour)
        if style:
            line.stylize(style)
        return line

    lines: list[Text] = []
    if article.kicker:
        lines.append(mark(article.kicker, "bold magenta"))
    lines.append(mark(article.headline or article.title, "bold"))
    facts = [article.date.isoformat() if article.date else "no date", ", ".join(article.authors)]
    lines.append(Text(" · ".join(f for f in facts if f), style="cyan"))
    if article.teaser:
        lines += [Text(), mark(article.teaser, "italic")]
    lines += [Text("Bild: ", style="dim") + mark(caption) for caption in article.captions]
    for block in article.blocks:
        lines += [Text(), mark(block.text, "bold" if block.heading else "")]
    if article.tags:
        lines += [Text(), Text("Tags: ", style="bold") + Text(", ".join(article.tags))]
    if article.links:
        lines += [Text(), Text("Links:", style="bold")]
        lines += [Text(f"  [{link.number}] {link.target}") for link in article.links]
    if article.related:
        lines += [Text(), Text("Artikel zum Thema:", style="bold")]
        for related in article.related:
            lines.append(Text("  " + related.title, style="bold"))
            if related.teaser:
                lines.append(Text("  " + related.teaser))
    lines += [Text(), Text(display_path(article.path), style="dim")]
    for line in lines:
        _emit(console, line, colour)


def _size(size: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024  # type: ignore[assignment]
    return f"{size} B"


def print_stats(console: Console, stats: IndexStats, directory: str) -> None:
    colour = console.is_terminal and not console.no_color
    span = (
        f"{stats.first_date.isoformat()} to {stats.last_date.isoformat()}"
        if stats.first_date and stats.last_date
        else "no dates"
    )
    updated = stats.updated.strftime("%Y-%m-%d %H:%M:%S %Z") if stats.updated else "never"
    lines = [
        Text(f"Index {directory}", style="bold"),
        Text(f"  articles:     {stats.articles}"),
        Text(f"  dates:        {span}"),
        Text(f"  size on disk: {_size(stats.size_bytes)}"),
        Text(f"  last updated: {updated}"),
        Text(),
        Text("Articles per year:", style="bold"),
        *bar_chart(stats.per_year, colour=colour),
        *_counted("Top tags", stats.top_tags),
        *_counted("Top authors", stats.top_authors),
    ]
    for line in lines:
        _emit(console, line, colour)
