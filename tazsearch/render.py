"""Output: search results and update reports for a terminal, a pipe or JSON."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.padding import Padding
from rich.text import Span as StyleSpan
from rich.text import Text

from .article import Article
from .facets import Facets
from .reports import UpdateReport
from .results import Hit, SearchResults, Span, byline, marked
from .safetext import json_text, unsafe_spans, visible
from .sources import format_size
from .stats import IndexStats
from .store import CheckReport

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


def shown(text: str, style: str = "") -> Text:
    """Text from an article or a file name, its control characters shown as escapes.

    Escaped before rich sees it: rich's Text drops some controls (CR, BEL)
    silently and keeps the others (ESC, CSI), raw.
    """
    return Text(visible(text), style=style)


def highlighted(text: str, spans: list[Span], *, colour: bool) -> Text:
    """``text`` with its spans in colour, or between plain ``**`` markers.

    Each piece is escaped on its own, so the spans still fall on their words.
    """
    if not colour:
        return Text(marked(text, spans, PLAIN_MARK, PLAIN_MARK, visible))
    result, last = Text(), 0
    for start, end in spans:
        result.append(visible(text[last:start]))
        result.append(visible(text[start:end]), style=HIGHLIGHT_STYLE)
        last = end
    result.append(visible(text[last:]))
    return result


INDENT = 4


def _hit_lines(hit: Hit, colour: bool) -> list[Text]:
    """The lines of one hit; all but the first are indented under the title."""
    title = highlighted(hit.title, hit.title_highlights, colour=colour)
    title.stylize("bold")
    lines = [shown(byline(hit.date, hit.authors, undated="no date"), style="cyan")]
    if hit.tags:
        lines.append(shown("Tags: " + ", ".join(hit.tags), style="magenta"))
    lines.append(shown(" · ".join(filter(None, (hit.id, display_path(hit.path)))), style="dim"))
    lines += [highlighted(s.text, s.highlights, colour=colour) for s in hit.snippets]
    return [Text(f"{hit.rank:>2}. ") + title, *lines]


def safe_line(line: Text) -> Text:
    """The line with each control character shown as an escape, its styles kept.

    Rich's Text keeps ESC, CSI and the rest, and a console writes them raw: an
    article or a file name could clear the screen or set the clipboard.
    """
    spans = unsafe_spans(line.plain)
    if not spans:
        return line
    safe = Text(style=line.style, end=line.end)
    for piece in line.divide(offset for span in spans for offset in span):
        if piece.plain and unsafe_spans(piece.plain):
            text = visible(piece.plain)
            styles = [StyleSpan(0, len(text), span.style) for span in piece.spans]
            piece = Text(text, style=piece.style, spans=styles)
        safe.append_text(piece)
    return safe


def _emit(console: Console, line: Text, colour: bool, indent: int = 0) -> None:
    """A line in colour on a terminal, wrapped under its indent; in a pipe plain, never cut.

    Every line of output goes through here and leaves with its control
    characters escaped, so none of them ever reaches the terminal.
    """
    line = safe_line(line)
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
    showing = f", showing {first}–{last}" if more else ""
    notes = [shown(f"Note: {note}", style="dim") for note in results.notes]
    if results.corrected:
        return [
            Text(f"{results.total} {noun} {verb} {results.searched!r}{showing}", style="bold"),
            Text(
                f"Searched instead of {results.query!r}, which no article matches with all "
                "its words.",
                style="yellow",
            ),
            *notes,
        ]
    matched = f" {verb} {results.query!r}" if results.query.strip() else ""
    heading = [Text(f"{results.total} {noun}{matched}{showing}", style="bold")]
    if results.suggestion:
        heading.append(Text(f"Did you mean {results.suggestion!r}?", style="yellow"))
    return heading + notes


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
    """JSON on stdout, untouched by rich's markup and wrapping, with no control character raw."""
    console.file.write(json_text(data, indent=2) + os.linesep)


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
    """One line per skipped file; a line break in its name or reason is shown as ``\\n``."""
    listed = report.skipped if verbose else report.skipped[:SKIPPED_SHOWN]
    for skipped in listed:
        line = Text("skipped", style="yellow")
        line.append_text(shown(f" {display_path(skipped.path)}: {skipped.reason}"))
        console.print(line, soft_wrap=True)
    hidden = len(report.skipped) - len(listed)
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
        line = shown(f"  {label:<{widest}} ")
        line.append("█" * length, style="green" if colour else "")
        line.append(f" {count}")
        lines.append(line)
    return lines


def _counted(title: str, pairs: list[tuple[str, int]]) -> list[Text]:
    if not pairs:
        return [Text(f"{title}: (none)", style="bold")]
    listed = ", ".join(f"{value} ({count})" for value, count in pairs)
    return [Text(f"{title}: ", style="bold") + shown(listed)]


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
    lines.append(shown(byline(article.date, article.authors, undated="no date"), style="cyan"))
    if article.teaser:
        lines += [Text(), mark(article.teaser, "italic")]
    lines += [Text("Bild: ", style="dim") + mark(caption) for caption in article.captions]
    for block in article.blocks:
        lines += [Text(), mark(block.text, "bold" if block.heading else "")]
    if article.tags:
        lines += [Text(), Text("Tags: ", style="bold") + shown(", ".join(article.tags))]
    if article.links:
        lines += [Text(), Text("Links:", style="bold")]
        lines += [shown(f"  [{link.number}] {link.target}") for link in article.links]
    if article.related:
        lines += [Text(), Text("Artikel zum Thema:", style="bold")]
        for related in article.related:
            lines.append(shown("  " + related.title, style="bold"))
            if related.teaser:
                lines.append(shown("  " + related.teaser))
    lines += [Text(), shown(display_path(article.path), style="dim")]
    for line in lines:
        _emit(console, line, colour)


def print_stats(console: Console, stats: IndexStats, directory: str) -> None:
    colour = console.is_terminal and not console.no_color
    span = (
        f"{stats.first_date.isoformat()} to {stats.last_date.isoformat()}"
        if stats.first_date and stats.last_date
        else "no dates"
    )
    updated = stats.updated.strftime("%Y-%m-%d %H:%M:%S %Z") if stats.updated else "never"
    lines = [
        shown(f"Index {directory}", style="bold"),
        Text(f"  articles:     {stats.articles}"),
        Text(f"  dates:        {span}"),
        Text(f"  size on disk: {format_size(stats.size_bytes)}"),
        Text(f"  last updated: {updated}"),
        Text(),
        Text("Articles per year:", style="bold"),
        *bar_chart(stats.per_year, colour=colour),
        *_counted("Top tags", stats.top_tags),
        *_counted("Top authors", stats.top_authors),
    ]
    for line in lines:
        _emit(console, line, colour)


def print_check(console: Console, report: CheckReport) -> None:
    """What ``check`` found: that the index is sound, or each damaged file and the
    articles it holds."""
    colour = console.is_terminal and not console.no_color
    verified = (
        f"{report.files} files ({format_size(report.bytes)}) of generation "
        f"{report.generation} and {report.articles:,} articles, in {report.seconds:.2f} s"
    )
    if report.ok:
        lines = [shown(f"Index {report.folder} is sound: checked {verified}.", style="bold")]
    else:
        lines = [shown(f"Index {report.folder} is damaged:", style="bold red")]
        lines += [shown(f"  {problem}") for problem in report.problems]
        if report.affected_count:
            more = report.affected_count - len(report.affected)
            if not report.affected:
                ids = "their ids cannot be read"
            else:
                ids = ", ".join(report.affected) + (f" and {more:,} more" if more else "")
            lines.append(shown(f"Articles affected: {report.affected_count:,} ({ids})"))
        lines.append(
            Text(f"Rebuild it with `tazsearch index PATH --index {report.folder} --rebuild`.")
        )
    if report.leftovers:
        lines.append(
            Text(
                f"{len(report.leftovers)} files of runs that did not commit are left; "
                "the next `tazsearch index` removes them.",
                style="dim",
            )
        )
    for line in lines:
        _emit(console, line, colour)
