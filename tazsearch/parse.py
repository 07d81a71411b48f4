"""Parse taz.de articles saved from gopher into structured :class:`Article` records.

The layout is described in ``FORMAT.md``: an optional ``URI:`` line, a ``# taz.de -- ``
header, ``> `` teaser lines, ``IMG`` captions, body paragraphs indented by seven spaces,
a date line and the trailer sections ``## LINKS``, ``## AUTOREN``, ``## TAGS`` and
``## ARTIKEL ZUM THEMA``. Indentation is treated leniently, text is NFC-normalised, and
everything here runs in time linear in the input size.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import re
import unicodedata
from pathlib import Path

from .article import Article, Block, Link, Related
from .decoding import NotAnArticle, decode, is_text, normalise_newlines

__all__ = [
    "Article",
    "Block",
    "Link",
    "NotAnArticle",
    "Related",
    "decode",
    "parse_bytes",
    "parse_file",
    "parse_text",
]


# --------------------------------------------------------------------------- line helpers

# A menu item: any short upper-case label after 1-4 spaces; DIR and IMG also unindented.
_MENU_RE = re.compile(r"(?: {1,4}([A-Z]{2,5})|[ \t]{0,4}(DIR|IMG))(?:[ \t]+(.*))?$")
_HEADER_RE = re.compile(
    r"#[ \t]*taz\.de\b[ \t]*(?:(?:--|\u2013|\u2014)[ \t]*(.*))?$", re.IGNORECASE
)
_DATE_RE = re.compile(r"(\d{1,2})[ \t]+([^\W\d_]+)\.?[ \t]+(\d{4})")
_TAZ_ID_RE = re.compile(r"!(\d+)")
_LINK_ITEM_RE = re.compile(r"\[(\d+)\][ \t]*(.*)")
_SIMPLE_ANCHOR_RE = re.compile(r"\[\d{1,3}\]\[([^\[\]]*)\]")
_LONE_MARKER_RE = re.compile(r"\[\d{1,3}\](?!\[)")
_ANCHOR_OPEN_RE = re.compile(r"\[\d{1,3}\]\[")
_ANCHOR_OR_CLOSE_RE = re.compile(r"\[\d{1,3}\]\[|\]")
# The last "]" that is not the middle of an "[n][" marker.
_LAST_CLOSE_RE = re.compile(r".*(?:\](?!\[)|(?<!\[\d)(?<!\[\d\d)(?<!\[\d\d\d)\])", re.DOTALL)
_SPACES_RE = re.compile(r"[ \t]{2,}")
_BODY_INDENT = " " * 5

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            "jan januar january jänner jaenner",
            "feb februar february",
            "mar mär mrz maerz märz march",
            "apr april",
            "may mai",
            "jun juni june",
            "jul juli july",
            "aug august",
            "sep sept september",
            "oct okt oktober october",
            "nov november",
            "dec dez dezember december",
        ),
        start=1,
    )
    for name in names.split()
}

# Words after "Nord-" that show a suspended compound ("Nord- und Südkorea"): keep the space.
_SUSPENDED_COMPOUND_WORDS = frozenset(
    (
        "und",
        "oder",
        "bis",
        "sowie",
        "noch",
        "wie",
        "als",
        "bzw",
        "bzw.",
        "beziehungsweise",
        "respektive",
        "resp.",
        "statt",
        "anstatt",
        "u.",
        "&",
        "und/oder",
    )
)
# Characters that may stand right before a line-final hyphen that joins a compound.
_HYPHEN_JOINABLE = "\"')\u201c\u201d\u2019\u00bb\u00ab"

# Parser sections after the body.
_AFTER_DATE, _LINKS, _AUTHORS, _TAGS, _RELATED, _OTHER = (
    "after date",
    "links",
    "authors",
    "tags",
    "related",
    "other",
)
_MIN_MENU_ITEMS = 2  # this many non-IMG menu items in the body make a section menu
_MAX_DATE_LINE = 40  # longer lines are never date lines


def _trailer_kind(name: str) -> str | None:
    """Return the trailer section a ``## NAME`` heading opens, or None for a subheading."""
    key = " ".join(name.casefold().split()).rstrip(":")
    if key in ("links", "link"):
        return _LINKS
    if key.startswith("autor") and " " not in key:  # AUTOR, AUTOREN, AUTORIN, AUTOR*INNEN
        return _AUTHORS
    if key == "tags":
        return _TAGS
    if key == "artikel zum thema":
        return _RELATED
    return None


def _heading(text: str) -> str | None:
    """Return the heading text of a ``## X`` line (two or more '#'), else None."""
    if not text.startswith("##"):
        return None
    rest = text.lstrip("#")
    if rest and not rest[0].isspace():
        return None
    return rest.strip()


def _parse_date(text: str) -> tuple[bool, datetime.date | None]:
    """Return (is a date line, the date or None if invalid) for a stripped line."""
    if len(text) > _MAX_DATE_LINE or not text[:1].isdigit():
        return False, None
    m = _DATE_RE.fullmatch(text)
    if not m:
        return False, None
    month = _MONTHS.get(m.group(2).casefold())
    if month is None:
        return False, None
    try:
        return True, datetime.date(int(m.group(3)), month, int(m.group(1)))
    except ValueError:
        return True, None


def _keeps_space_after_hyphen(next_line: str) -> bool:
    """Tell whether *next_line* starts with a conjunction of a suspended compound."""
    word = next_line.split(None, 1)[0] if next_line else ""
    return word in _SUSPENDED_COMPOUND_WORDS or word.rstrip(",;:") in _SUSPENDED_COMPOUND_WORDS


def _unwrap(lines: list[str]) -> str:
    """Join wrapped lines with spaces, rejoining compounds split after a hyphen."""
    parts: list[str] = []
    prev = ""
    for line in lines:
        if parts:
            hyphen_split = (
                len(prev) > 1
                and prev[-1] == "-"
                and (prev[-2].isalnum() or prev[-2] in _HYPHEN_JOINABLE)
                and not _keeps_space_after_hyphen(line)
            )
            if not hyphen_split:
                parts.append(" ")
        parts.append(line)
        prev = line
    return "".join(parts)


def _strip_markup(text: str) -> str:
    """Replace ``[n][anchor]`` by ``anchor``; drop lone ``[n]`` and unclosed ``[n][`` markers.

    Simple anchors go by regex; nested or unclosed ones by one left-to-right pass that
    skips to the next marker or ``]``, so even pathological input costs linear time.
    """
    if "[" not in text:
        return text
    text = _SIMPLE_ANCHOR_RE.sub(r"\1", text)
    text = _LONE_MARKER_RE.sub("", text)
    if not _ANCHOR_OPEN_RE.search(text):
        return text
    out: list[str] = []
    depth: list[int] = []  # per open anchor: plain "[" inside it still waiting for their "]"
    pos = 0
    last = _LAST_CLOSE_RE.match(text)
    last_close = last.end() - 1 if last else -1
    while True:
        if pos > last_close:  # no "]" left: every remaining anchor stays open
            out.append(_ANCHOR_OPEN_RE.sub("", text[pos:]))
            pos = len(text)
            break
        m = (_ANCHOR_OPEN_RE if not depth else _ANCHOR_OR_CLOSE_RE).search(text, pos)
        if m is None:
            break
        segment = text[pos : m.start()]
        out.append(segment)
        pos = m.end()
        if depth:
            depth[-1] += segment.count("[")
        if m.group() != "]":
            depth.append(0)
        elif depth[-1]:
            depth[-1] -= 1
            out.append("]")
        else:
            depth.pop()
    out.append(text[pos:])
    return "".join(out)


def _clean(text: str) -> str:
    text = _strip_markup(text)
    if "  " in text or "\t" in text:
        text = _SPACES_RE.sub(" ", text)
    return text.strip()


def _paragraph(lines: list[str]) -> str:
    return _clean(_unwrap(lines))


def _split_title(title: str) -> tuple[str, str]:
    kicker, sep, headline = title.partition(": ")
    if not sep:
        return "", title
    return kicker.strip(), headline.strip()


# --------------------------------------------------------------------------- parsing


class _Builder:
    """State machine over the lines after the header."""

    def __init__(self) -> None:
        self.teaser_lines: list[str] = []
        self.captions: list[str] = []
        self.blocks: list[Block] = []
        self.para: list[str] = []
        self.date: datetime.date | None = None
        self.date_seen = False
        self.section: str | None = None  # None while in the body, then _AFTER_DATE or a trailer
        self.menu_items = 0
        self.links: list[Link] = []
        self.authors: list[str] = []
        self.tags: list[str] = []
        self.related: list[tuple[str, list[list[str]]]] = []

    # -- body ---------------------------------------------------------------

    def flush(self) -> None:
        if self.para:
            text = _paragraph(self.para)
            self.para = []
            if text:
                self.blocks.append(Block(text))

    def body_text(self, text: str) -> None:
        if text.startswith(">") and not self.blocks and not self.para:
            quoted = text[1:].strip()  # a teaser line; later ">" lines are plain body text
            if quoted:
                self.teaser_lines.append(quoted)
            return
        self.para.append(text)

    def date_line(self, value: datetime.date | None) -> None:
        self.flush()
        if not self.date_seen:
            self.date_seen = True
            self.date = value
        if self.blocks:
            self.section = _AFTER_DATE

    def menu_item(self, label: str, rest: str) -> None:
        self.flush()
        in_trailer = self.section not in (None, _AFTER_DATE)
        if not in_trailer:
            if label == "IMG":
                caption = rest
                if caption[:5].casefold() == "bild:":
                    caption = caption[5:].strip()
                if caption:
                    self.captions.append(caption)
            else:
                self.menu_items += 1
        elif self.section == _LINKS:
            self.link_item(rest)
        elif self.section == _AUTHORS:
            if rest:
                self.authors.append(rest)
        elif self.section == _TAGS:
            if rest:
                self.tags.append(rest)
        elif self.section == _RELATED and label != "IMG":
            self.related.append((rest, [[]]))

    # -- trailer ------------------------------------------------------------

    def link_item(self, text: str) -> None:
        m = _LINK_ITEM_RE.match(text)
        if m and m.group(2).strip():
            self.links.append(Link(int(m.group(1)), m.group(2).strip()))

    def trailer_text(self, text: str) -> None:
        if self.section == _LINKS:
            self.link_item(text)
        elif self.section == _RELATED and self.related:
            self.related[-1][1][-1].append(text)

    def trailer_blank(self) -> None:
        if self.section == _RELATED and self.related and self.related[-1][1][-1]:
            self.related[-1][1].append([])

    # -- driver -------------------------------------------------------------

    def feed(self, lines: list[str], start: int) -> None:
        """Consume *lines* from index *start* (the line after the header) to the end."""
        n = len(lines)
        for j in range(start, n):
            raw = lines[j].rstrip()
            stripped = raw.strip()
            if not stripped:
                if self.section is None:
                    self.flush()
                else:
                    self.trailer_blank()
                continue
            # A menu item has at most four spaces before its label; body text more.
            menu = None if raw.startswith(_BODY_INDENT) else _MENU_RE.match(raw)
            if menu:
                self.menu_item(menu.group(1) or menu.group(2), (menu.group(3) or "").strip())
                continue
            heading = _heading(stripped)
            if heading is not None:
                self.heading(heading)
            elif self.section is None:
                self.body_line(stripped, lines[j + 1] if j + 1 < n else None)
            elif self.section != _AFTER_DATE:
                self.trailer_text(stripped)
        self.flush()

    def heading(self, name: str) -> None:
        self.flush()
        kind = _trailer_kind(name)
        if kind is not None:
            self.section = kind
        elif self.section is None:
            text = _clean(name)
            if text:
                self.blocks.append(Block(text, heading=True))
        elif self.section != _AFTER_DATE:
            self.section = _OTHER  # an unknown section after the trailer began: skip it

    def body_line(self, text: str, next_line: str | None) -> None:
        is_date, value = _parse_date(text)
        if is_date and (not self.para or _is_break(next_line)):
            self.date_line(value)
        else:
            self.body_text(text)

    # -- result -------------------------------------------------------------

    def related_items(self) -> tuple[Related, ...]:
        items = []
        for title, paras in self.related:
            teaser = " ".join(p for p in (_paragraph(lines) for lines in paras if lines) if p)
            items.append(Related(_clean(title), teaser))
        return tuple(items)


def _is_break(line: str | None) -> bool:
    """Tell whether *line* (None at EOF) cannot continue a paragraph: blank, menu, heading."""
    if line is None or not line.strip():
        return True
    return bool(_MENU_RE.match(line)) or _heading(line.strip()) is not None


def _read_header(lines: list[str]) -> tuple[int, str, str]:
    """Return (index of the header line, URI, title); raise if there is no taz header."""
    i, n = 0, len(lines)
    while i < n and not lines[i].strip():
        i += 1
    uri = ""
    if i < n and lines[i].strip()[:4].casefold() == "uri:":
        uri = lines[i].strip()[4:].strip()
        i += 1
        while i < n and not lines[i].strip():
            i += 1
    header = _HEADER_RE.match(lines[i].strip()) if i < n else None
    if header is None:
        raise NotAnArticle('no taz header ("# taz.de -- ...")')
    return i, uri, (header.group(1) or "").strip()


def _article_id(path: str, uri: str, text: str) -> str:
    if path:
        return Path(path).stem or path
    taz_ids = _TAZ_ID_RE.findall(uri)
    return taz_ids[-1] if taz_ids else hashlib.sha1(text.encode()).hexdigest()[:16]


def parse_text(text: str, path: str = "") -> Article:
    """Parse the decoded text of a saved taz page; raise :class:`NotAnArticle` if it is none."""
    path = os.fspath(path) if path else ""
    text = normalise_newlines(text).lstrip("\ufeff")
    if not is_text(text):
        raise NotAnArticle("binary file")
    if not text.strip():
        raise NotAnArticle("empty file")
    text = unicodedata.normalize("NFC", text)
    lines = text.split("\n")
    header_index, uri, title = _read_header(lines)
    kicker, headline = _split_title(title)

    b = _Builder()
    b.feed(lines, header_index + 1)
    if b.menu_items >= _MIN_MENU_ITEMS:
        raise NotAnArticle("section menu, not an article")
    teaser = _paragraph(b.teaser_lines) if b.teaser_lines else ""
    if not teaser and all(block.heading for block in b.blocks):
        raise NotAnArticle("no article text after the header")

    return Article(
        id=_article_id(path, uri, text),
        path=path,
        uri=uri,
        title=title,
        kicker=kicker,
        headline=headline,
        teaser=teaser,
        captions=tuple(b.captions),
        blocks=tuple(b.blocks),
        date=b.date,
        links=tuple(b.links),
        authors=tuple(dict.fromkeys(b.authors)),
        tags=tuple(dict.fromkeys(b.tags)),
        related=b.related_items(),
    )


def parse_bytes(data: bytes, path: str = "") -> Article:
    """Decode *data* (see :func:`decode`) and parse it."""
    return parse_text(decode(data), path)


_OS_ERROR_REASONS: tuple[tuple[type[OSError], str], ...] = (
    (FileNotFoundError, "file not found"),
    (PermissionError, "permission denied"),
    (IsADirectoryError, "is a directory"),
    (NotADirectoryError, "not a directory"),
)


def parse_file(path: str | os.PathLike[str]) -> Article:
    """Read and parse the file at *path*; unreadable files raise :class:`NotAnArticle`."""
    name = os.fspath(path)
    try:
        with open(name, "rb") as f:
            data = f.read()
    except OSError as exc:
        reason = next((r for t, r in _OS_ERROR_REASONS if isinstance(exc, t)), None)
        if reason is None:
            detail = exc.strerror or type(exc).__name__
            reason = "cannot read file: " + " ".join(str(detail).split())
        raise NotAnArticle(reason) from exc
    return parse_bytes(data, name)
