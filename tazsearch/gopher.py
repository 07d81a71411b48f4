"""Search results as a gopher menu (RFC 1436), for a gopher server's search item.

Each hit is a text item (type 0) whose selector is the article's file, made
relative to the gopher root; the facts and snippets follow as info lines
(type i). A server such as gophernicus runs ``tazsearch query --format
gophermap`` from a CGI script behind a type-7 search item.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from .results import Hit, SearchResults, marked

INFO_WIDTH = 67  # gophernicus's default page width
CRLF = "\r\n"


def _field(text: str) -> str:
    """Text fit for one field of a menu line: no tabs or line breaks."""
    return " ".join(text.replace("\t", " ").split())


def selector_for(path: str, root: Path | None) -> str:
    """The selector of an article file: its path below the gopher root, if one is given."""
    if root is None:
        return path
    try:
        return "/" + Path(path).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:  # Not below the root: the server could not serve it anyway.
        return path


class Menu:
    """Lines of one gopher menu, each with the server's host and port."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self.lines: list[str] = []

    def info(self, text: str = "") -> None:
        for line in textwrap.wrap(_field(text), INFO_WIDTH) or [""]:
            self.lines.append(f"i{line}\t\t{self.host}\t{self.port}")

    def item(self, kind: str, title: str, selector: str) -> None:
        self.lines.append(f"{kind}{_field(title)}\t{selector}\t{self.host}\t{self.port}")

    def text(self) -> str:
        return CRLF.join([*self.lines, "."]) + CRLF


def _hit(menu: Menu, hit: Hit, root: Path | None) -> None:
    menu.item("0", f"{hit.rank}. {hit.title}", selector_for(hit.path, root))
    facts = [hit.date.isoformat() if hit.date else "", ", ".join(hit.authors)]
    menu.info(" · ".join(f for f in facts if f))
    for snippet in hit.snippets:
        menu.info(marked(snippet.text, snippet.highlights, "*", "*"))


def gophermap(results: SearchResults, *, host: str, port: int, root: Path | None = None) -> str:
    """The results as a gopher menu, ending with the "." line."""
    menu = Menu(host, port)
    matched = f" match {results.searched!r}" if results.searched.strip() else ""
    menu.info(f"{results.total} articles{matched}")
    if results.suggestion and not results.corrected:
        menu.info(f"Did you mean {results.suggestion!r}?")
    for hit in results.hits:
        menu.info()
        _hit(menu, hit, root)
    return menu.text()
