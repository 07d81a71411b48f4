"""Search results as a gopher menu (RFC 1436), for a gopher server's search item.

Each hit is a text item (type 0) whose selector is the article's file, made
relative to the gopher root; the facts and snippets follow as info lines
(type i). A server such as gophernicus runs ``tazsearch query --format
gophermap`` from a CGI script behind a type-7 search item.

Titles, snippets and file names are data: a tab or a line break in them
would end a field or a line and forge a menu item that points anywhere.
Display fields have their whitespace folded and other control characters
shown as escapes. A file whose name no selector can carry (a control
character, bytes that are not UTF-8) or that lies outside the gopher root
gets no link: its hit is shown as info lines.
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

from .results import Hit, SearchResults, byline, marked
from .safetext import is_safe, visible

INFO_WIDTH = 67  # gophernicus's default page width
CRLF = "\r\n"
# Characters gophernicus reads in a selector, percent-encoded so it reads them as the file's.
SELECTOR_QUOTES = str.maketrans({"%": "%25", "?": "%3F", "#": "%23"})
NO_LINK = "(no link: the file's name cannot be a gopher selector)"


def _field(text: str) -> str:
    """Text fit for one display field of a menu line: no tab, line break or other control."""
    return visible(" ".join(text.split()))


def selector_for(path: str, root: Path | None) -> str | None:
    """The selector of an article file: its path below the gopher root, if one is given.

    ``%``, ``?`` and ``#`` are percent-encoded: gophernicus decodes ``%XX``
    in a selector and cuts it at ``?`` (the CGI query) and ``#``, so that
    ``q?x.txt`` would fetch the file ``q``.

    None when no selector can name the file: its name holds a control
    character (a tab or line break would end the field), it lies outside the
    root, or its name was not UTF-8 and the index keeps it as escapes.
    """
    if not is_safe(path) or ("\\" in path and not os.path.exists(path)):
        return None
    if root is None:
        return path.translate(SELECTOR_QUOTES)
    try:
        below = Path(path).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:  # Not below the root: the server could not serve it.
        return None
    return "/" + below.translate(SELECTOR_QUOTES)


class Menu:
    """Lines of one gopher menu, each with the server's host and port."""

    def __init__(self, host: str, port: int) -> None:
        self.host = _field(host)
        self.port = port
        self.lines: list[str] = []

    def info(self, text: str = "") -> None:
        for line in textwrap.wrap(_field(text), INFO_WIDTH) or [""]:
            self.lines.append(f"i{line}\t\t{self.host}\t{self.port}")

    def item(self, kind: str, title: str, selector: str) -> None:
        if not is_safe(selector):  # Callers check; a forged line must never come of it.
            raise ValueError(f"not a safe gopher selector: {visible(selector)}")
        self.lines.append(f"{kind}{_field(title)}\t{selector}\t{self.host}\t{self.port}")

    def text(self) -> str:
        return CRLF.join([*self.lines, "."]) + CRLF


def _hit(menu: Menu, hit: Hit, root: Path | None) -> None:
    title = f"{hit.rank}. {hit.title}"
    selector = selector_for(hit.path, root)
    if selector is None:
        menu.info(title)
        menu.info(NO_LINK)
    else:
        menu.item("0", title, selector)
    menu.info(byline(hit.date, hit.authors))
    for snippet in hit.snippets:
        menu.info(marked(snippet.text, snippet.highlights, "*", "*"))


def gophermap(results: SearchResults, *, host: str, port: int, root: Path | None = None) -> str:
    """The results as a gopher menu, ending with the "." line."""
    menu = Menu(host, port)
    matched = f" match {results.searched!r}" if results.searched.strip() else ""
    menu.info(f"{results.total} articles{matched}")
    if results.suggestion and not results.corrected:
        menu.info(f"Did you mean {results.suggestion!r}?")
    for note in results.notes:
        menu.info(f"Note: {note}")
    for hit in results.hits:
        menu.info()
        _hit(menu, hit, root)
    return menu.text()
