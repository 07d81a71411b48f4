"""A taz article as tazsearch holds it: the parts a saved file has, as plain data."""

from __future__ import annotations

import datetime
from dataclasses import dataclass


@dataclass(frozen=True)
class Link:
    """One entry of ``## LINKS``: the anchor number and its target path or URL."""

    number: int
    target: str


@dataclass(frozen=True)
class Related:
    """One item of ``## ARTIKEL ZUM THEMA``: another article's title and teaser."""

    title: str
    teaser: str


@dataclass(frozen=True)
class Block:
    """A body paragraph, or a ``## `` subheading (``heading=True``, text without ``## ``)."""

    text: str
    heading: bool = False


@dataclass(frozen=True, kw_only=True)
class Article:
    """A taz article: parsed from a file, or built in code for :meth:`Index.add`.

    Only ``id`` and ``title`` are required, as in
    ``Article(id="a1", title="Kicker: Headline", blocks=(Block("Text"),))``.
    ``path`` is the file it came from, empty for an article held in memory;
    ``source`` is that file's path under the folder that was indexed (its name,
    when the file itself was indexed), the path to show to others.
    """

    id: str
    path: str = ""
    source: str = ""
    uri: str = ""
    title: str
    kicker: str = ""
    headline: str = ""
    teaser: str = ""
    captions: tuple[str, ...] = ()
    blocks: tuple[Block, ...] = ()
    date: datetime.date | None = None
    links: tuple[Link, ...] = ()
    authors: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    related: tuple[Related, ...] = ()

    @property
    def body(self) -> str:
        """The body blocks (paragraphs and subheadings) joined by blank lines."""
        return "\n\n".join(b.text for b in self.blocks)

    def to_dict(self) -> dict[str, object]:
        """Plain data for JSON: lists for tuples, the date as YYYY-MM-DD. (Built by
        hand: ``dataclasses.asdict`` copies deeply, and took most of an export.)"""
        return {
            "id": self.id,
            "path": self.path,
            "source": self.source,
            "uri": self.uri,
            "title": self.title,
            "kicker": self.kicker,
            "headline": self.headline,
            "teaser": self.teaser,
            "captions": list(self.captions),
            "blocks": [{"text": b.text, "heading": b.heading} for b in self.blocks],
            "date": self.date.isoformat() if self.date else None,
            "links": [{"number": link.number, "target": link.target} for link in self.links],
            "authors": list(self.authors),
            "tags": list(self.tags),
            "related": [{"title": r.title, "teaser": r.teaser} for r in self.related],
        }


def article_problem(article: object) -> str | None:
    """What makes ``article`` unfit to index, in a few words; None if nothing.

    An article built in code is checked field by field, so that a mistake
    (a string where a tuple of strings belongs, whose letters would become
    tags) is an error rather than an index of the wrong thing.
    """
    if not isinstance(article, Article):
        return f"an Article is needed, not {type(article).__name__}"
    if not isinstance(article.id, str) or not article.id.strip():
        return "its id must be a non-empty string"
    if "/" in article.id or article.id in (".", ".."):
        # As a file's name is: an id is one segment of a URL path (/api/articles/ID).
        return f"its id {article.id!r} cannot hold '/' or be '.' or '..'"
    for name in ("path", "source", "uri", "title", "kicker", "headline", "teaser"):
        if not isinstance(getattr(article, name), str):
            return f"its {name} must be a string"
    for name in ("captions", "authors", "tags"):
        values = getattr(article, name)
        if not isinstance(values, (tuple, list)) or not all(isinstance(v, str) for v in values):
            return f"its {name} must be a tuple of strings"
    for name, kind in (("blocks", Block), ("links", Link), ("related", Related)):
        values = getattr(article, name)
        if not isinstance(values, (tuple, list)) or not all(isinstance(v, kind) for v in values):
            return f"its {name} must be a tuple of {kind.__name__}"
    if article.date is not None and not isinstance(article.date, datetime.date):
        return "its date must be a datetime.date or None"
    texts = [article.id, article.path, article.source, article.title, article.teaser, article.body]
    if any(not _is_utf8(text) for text in texts):
        return "its text holds characters that are not Unicode (lone surrogates)"
    return None


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
